"""JSON API of patent search: the same use cases as the pages (search, detail, similar)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session

from ipcity.core import i18n
from ipcity.core.errors import NotFound
from ipcity.core.roles import Actor
from ipcity.patents import export, service, usage
from ipcity.patents.engine import engine_for
from ipcity.web.deps import db_session, public, signed_in_or_anonymous

router = APIRouter(prefix="/api/patents")


def _register(row: service.Row) -> dict | None:
    p = row.position
    if p is None:
        return None
    return {"granted": p.granted, "in_force": p.in_force, "licensed": bool(p.licences), "pledged": bool(p.pledges),
            "open_licence": p.open_licence is not None}


def result_json(result: service.SearchResult, related: bool = True) -> dict:
    """The answer of a search as JSON; `related` False when its related terms were not asked for."""
    return {
        "q": result.q, "mode": result.mode, "total": result.total, "page": result.page,
        "per_page": result.per_page, "pages": result.pages, "took_ms": result.took_ms,
        "understood": result.understood, "reading": result.reading, "ranking": result.ranking,
        "notes": [str(n) for n in result.notes], "numbers": list(result.numbers),
        "hits": [export.brief(row.record) | {"score": row.score, "title_html": str(row.title_html),
                                        "snippet_html": str(row.snippet_html), "register": _register(row)}
                 for row in result.rows],
        "facets": {name: [{"value": c.value, "count": c.count} for c in counts]
                   for name, counts in result.facets.items()},
        "suggestions": [{"label": str(sg.label), "q": sg.q, "mode": sg.mode, "total": sg.total,
                         "filters": [f"{k}:{v}" for k, vs in sg.filters.items() for v in vs]}
                        for sg in result.suggestions],
        "translation": _translation(result),
    } | ({"related": result.related} if related else {})


def _translation(result: service.SearchResult) -> dict | None:
    """The other-language terms also searched: per source word, and as the editable `tr=` value."""
    t = result.translation
    if t is None:
        return None
    return {"from": t.source, "to": t.target, "edited": t.edited, "terms": list(t.terms), "tr": t.form_value(),
            "words": [{"word": w, "terms": list(ts)} for w, ts in t.words]}


@router.get("/search")
@public
def search(request: Request, background: BackgroundTasks, q: str = "", mode: str = "lexical",
           sort: str = "relevance", page: int = 1, per_page: int = 20, f: list[str] = Query(default=[]),
           as_: str = Query(default="", alias="as"), tr: str | None = None, xl: str = "1", related: str = "0",
           actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    """`f=applicant:NAME` (repeatable) filters by a facet value; `as=expression` reads `q` strictly as an
    expression; words and texts are also searched in the other language (`translation` in the answer), with
    the terms of `tr` when given (`锂电池: lithium battery; 隔膜: separator`), not at all with `xl=0`;
    `related=1` adds the related terms of the first page (`related`: key phrases of its best hits, the
    slowest part of a search, so only when asked); errors come back as 400 with `problems`."""
    result = service.search(session, engine_for(request.app.state.services.settings), q, mode=mode,
                            filters=service.parse_filters(f), sort=sort, page=page, per_page=per_page,
                            strict=as_ == "expression", lang=i18n.current_locale.get(), translate=xl != "0", tr=tr,
                            related=related == "1")
    if (q.strip() or f) and page <= 1:  # a search asked (not its next pages), counted for plan item 18
        background.add_task(usage.count_search, request.app.state.services.db)
    # Plain JSON values already: answered as they are, without FastAPI's generic walk over every value.
    return JSONResponse(result_json(result, related == "1"))


@router.get("/similar")
@public
def similar(request: Request, text: str, limit: int = 20, f: list[str] = Query(default=[]),
            actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    """"Describe your invention": the patents nearest to a plain-text description."""
    result = service.search(session, engine_for(request.app.state.services.settings), text, mode="semantic",
                            filters=service.parse_filters(f), per_page=min(max(limit, 1), service.MAX_PER_PAGE))
    return result_json(result)


@router.get("/{pub_number:path}")
@public
def detail(request: Request, pub_number: str, actor: Actor | None = Depends(signed_in_or_anonymous()),
           session: Session = Depends(db_session)):
    engine = engine_for(request.app.state.services.settings)
    try:
        view = service.detail(session, engine, pub_number)
    except NotFound:  # another spelling of one of its numbers: its canonical record
        canonical = service.resolve_number(session, engine, pub_number)
        if not canonical:
            raise
        return RedirectResponse("/api/patents/" + quote(canonical, safe=""), status_code=302)
    return view.record.to_dict() | {
        "ipc_titles": [{"code": c, "title_zh": zh, "title_en": en} for c, zh, en in view.ipc_titles],
        "similar": [export.brief(r) for r in view.similar]}
