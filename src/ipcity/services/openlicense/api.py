"""JSON API of open licensing: the public list and record of declarations (no sign-in), matchmaking, the
eligibility of a patent for the signed-in company, a patent's annual-fee schedule, "my licences" and the
office's statistics — with the same filters and access rules as the pages: both read queries.py (the read model)
and access.py (who may); the API never imports the HTML views."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from ipcity.core.roles import APPLICANT_COMPANY, Actor
from ipcity.patents import register
from ipcity.services.openlicense import access, domain, matching, queries, service, stats
from ipcity.services.openlicense.tables import Declaration, Licence
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous
from ipcity.web.paging import paged

router = APIRouter(prefix="/api/openlicense")
MAX_PAGE = 200


def _d(value) -> str | None:
    return value.isoformat() if value else None


def _num(value) -> str | None:
    return None if value is None else str(value)


def declaration_json(d: Declaration) -> dict:
    return {"number": d.number, "state": d.state, "state_label": queries.state_label(d.state).render(),
            "patent_number": d.patent_number, "app_number": d.app_number, "pub_number": d.pub_number,
            "patent_type": d.patent_type, "title": d.title, "abstract": d.abstract, "ipc_main": d.ipc_main,
            "ipc": d.ipc_text.split(), "region_code": d.region_code, "region": queries.region_name(d.region_code),
            "patentee": d.patentee, "mode": d.mode, "mode_label": domain.MODES[d.mode].render(),
            "lump_sum_yuan": _num(d.lump_sum), "rate_percent": _num(d.rate),
            "rate_basis": d.rate_basis if d.rate is not None else None, "entry_fee_yuan": _num(d.entry_fee),
            "term_start": _d(d.term_start), "term_end": _d(d.term_end), "other_terms": d.other_terms,
            "contact": d.contact, "published_on": _d(d.published_on), "withdrawn_on": _d(d.withdrawn_on),
            "url": f"/openlicense/d/{d.number}"}


def licence_json(lic: Licence) -> dict:
    return {"number": lic.number, "state": lic.state, "licensor": lic.licensor, "licensee": lic.licensee,
            "app_number": lic.app_number, "mode": lic.mode, "start_on": _d(lic.start_on), "end_on": _d(lic.end_on),
            "products": lic.products, "recorded_on": _d(lic.recorded_on), "ended_on": _d(lic.ended_on)}


@router.get("/declarations")
@public
def declarations(q: str = "", ipc: str = "", region: str = "", mode: str = "", max_fee: str = "",
                 patent_type: str = "", status: str = "", sort: str = "", page: str = "1", size: str = "30",
                 actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    filters = queries.PublicFilters(q, ipc, region, mode, max_fee, patent_type, status, sort)
    result = paged(session, queries.public_query(filters), queries.to_int(page),
                   min(MAX_PAGE, max(1, queries.to_int(size, 30))))
    return {"total": result.total, "page": result.page, "pages": result.pages,
            "items": [declaration_json(d) for d in result.rows]}


@router.get("/declarations/{number}")
@public
def declaration(number: str, actor: Actor | None = Depends(signed_in_or_anonymous()),
                session: Session = Depends(db_session)):
    return declaration_json(service.public_declaration(session, number))


@router.get("/match")
def match(request: Request, need: str = "", limit: str = "20", actor: Actor = Depends(require(*access.USERS)),
          session: Session = Depends(db_session)):
    results = matching.match(session, need[:2000], encoder=matching.encoder_of(queries.settings_of(request)),
                             limit=min(100, max(1, queries.to_int(limit, 20))))
    return {"need": need, "items": [declaration_json(m.declaration) | {
        "score": round(m.score, 4), "passages": [str(p) for p in m.passages], "matched_terms": m.matched}
        for m in results]}


@router.get("/eligibility")
def eligibility(patent_number: str = "", actor: Actor = Depends(require(APPLICANT_COMPANY)),
                session: Session = Depends(db_session)):
    """What the register says now about the signed-in company declaring this patent (terms not yet given)."""
    position, grounds = service.check_patent(session, actor, patent_number)
    return {"patent_number": position.patent_number, "title": position.title, "owners": list(position.owners),
            "in_force": position.in_force, "term_end": _d(position.term_end),
            "needs_evaluation_report": position.patent_type in domain.NEEDS_REPORT,
            "pledgees": [str(e.detail.get("pledgee") or "") for e in position.pledges],
            "grounds": [{"key": g.key, "field": g.field, "message": g.message.render()} for g in grounds]}


@router.get("/patents/{number}/fees")
def fees(number: str, small_entity: str = "none", actor: Actor = Depends(require(*access.USERS)),
         session: Session = Depends(db_session)):
    position = register.position(session, register.find(session, number))
    small = small_entity if small_entity in domain.SMALL_ENTITY else "none"
    return {"patent_number": position.patent_number, "small_entity": small, "years": [
        {"year": y.year, "starts": _d(y.starts), "due": _d(y.due), "full": y.full, "payable": y.payable,
         "reduction": y.reduction.key if y.reduction else None}
        for y in service.fee_schedule(session, position, small)]}


@router.get("/licences")
def licences(side: str = "", state: str = "", q: str = "", actor: Actor = Depends(require(*access.USERS)),
             session: Session = Depends(db_session)):
    rows = list(session.scalars(queries.licences_query(actor, side, state, q).limit(1000)))
    paid = queries.royalties_of(session, [r.id for r in rows])
    return {"total": len(rows), "items": [licence_json(r) | {"royalties_yuan": str(paid.get(r.id, 0))}
                                          for r in rows]}


@router.get("/stats")
def statistics(by: str = "section", actor: Actor = Depends(require(*access.AUDITORS)),
               session: Session = Depends(db_session)):
    access.ensure_office(session, actor)
    rows, total = stats.table(session, by)
    return {"by": by if by in stats.BY else "section",
            "rows": [dict(zip(stats.HEADER, r.cells(), strict=True)) for r in [*rows, total]]}
