"""JSON API of patent search: the same use cases as the pages (search, detail, similar)."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from sqlalchemy.orm import Session

from ipcity.core.roles import Actor
from ipcity.patents import service, usage
from ipcity.patents.engine import engine_for
from ipcity.patents.record import PatentRecord
from ipcity.web.deps import db_session, public, signed_in_or_anonymous

router = APIRouter(prefix="/api/patents")


def _brief(rec: PatentRecord) -> dict:
    return {"pub_number": rec.pub_number, "app_number": rec.app_number, "type": rec.patent_type,
            "title": rec.title, "applicants": rec.applicants, "app_date": rec.app_date and rec.app_date.isoformat(),
            "pub_date": rec.pub_date and rec.pub_date.isoformat(), "ipc_main": rec.ipc_main,
            "legal_status": rec.legal_status, "url": f"/patents/{rec.pub_number}"}


def result_json(result: service.SearchResult) -> dict:
    return {
        "q": result.q, "mode": result.mode, "total": result.total, "page": result.page,
        "per_page": result.per_page, "pages": result.pages, "took_ms": result.took_ms,
        "hits": [_brief(row.record) | {"score": row.score, "title_html": str(row.title_html),
                                        "snippet_html": str(row.snippet_html)} for row in result.rows],
        "facets": {name: [{"value": c.value, "count": c.count} for c in counts]
                   for name, counts in result.facets.items()},
    }


@router.get("/search")
@public
def search(request: Request, background: BackgroundTasks, q: str = "", mode: str = "lexical",
           sort: str = "relevance", page: int = 1, per_page: int = 20, f: list[str] = Query(default=[]),
           actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    """`f=applicant:NAME` (repeatable) filters by a facet value; errors come back as 400 with `problems`."""
    result = service.search(session, engine_for(request.app.state.services.settings), q, mode=mode,
                            filters=service.parse_filters(f), sort=sort, page=page, per_page=per_page)
    if (q.strip() or f) and page <= 1:  # a search asked (not its next pages), counted for plan item 18
        background.add_task(usage.count_search, request.app.state.services.db)
    return result_json(result)


@router.get("/similar")
@public
def similar(request: Request, text: str, limit: int = 20, f: list[str] = Query(default=[]),
            actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    """"Describe your invention": the patents nearest to a plain-text description."""
    result = service.search(session, engine_for(request.app.state.services.settings), text, mode="semantic",
                            filters=service.parse_filters(f), per_page=min(max(limit, 1), service.MAX_PER_PAGE))
    return result_json(result)


@router.get("/{pub_number}")
@public
def detail(request: Request, pub_number: str, actor: Actor | None = Depends(signed_in_or_anonymous()),
           session: Session = Depends(db_session)):
    view = service.detail(session, engine_for(request.app.state.services.settings), pub_number)
    return view.record.to_dict() | {
        "ipc_titles": [{"code": c, "title_zh": zh, "title_en": en} for c, zh, en in view.ipc_titles],
        "similar": [_brief(r) for r in view.similar]}
