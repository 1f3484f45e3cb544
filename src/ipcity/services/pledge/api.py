"""JSON API of pledge registration: the applications a person may see (the same rules as the pages), one
application with its register check, and the public gazette (no sign-in)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from ipcity.core.roles import Actor
from ipcity.services.pledge import domain, queries, service
from ipcity.services.pledge.tables import GazetteLine, Pledge
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous
from ipcity.web.paging import paged, to_int
from ipcity.workflow.tables import Case

router = APIRouter(prefix="/api/pledge")


def _d(value) -> str | None:
    return value.isoformat() if value else None


def brief_json(p: Pledge) -> dict:
    return {"id": p.id, "application_number": p.application_number, "state": p.state,
            "state_label": queries.state_label(p.state).render(), "pledgor": p.pledgor_name, "pledgee": p.pledgee_name,
            "amount_yuan": domain.yuan(p.amount_fen).replace(",", ""), "debt_start": _d(p.debt_start),
            "debt_end": _d(p.debt_end), "filed_on": _d(p.filed_on), "registration_number": p.registration_number,
            "registered_on": _d(p.registered_on), "patents": [x.patent_number for x in p.patents],
            "url": f"/pledge/{p.id}"}


def finding_json(f: domain.Finding) -> dict:
    return {"ground": f.ground, "number": f.number, "severity": f.severity, "confirmed": f.confirmed,
            "stands_in_the_way": f.stands_in_the_way, "patent": f.patent, "message": f.message.render(),
            "source": f.source}


def full_json(session: Session, actor: Actor, p: Pledge) -> dict:
    case = session.get(Case, p.case_id)
    result = service.check(session, p)
    return brief_json(p) | {
        "pledgor_address": p.pledgor_address, "pledgee_address": p.pledgee_address, "debtor": p.debtor_name,
        "claim_type": p.claim_type, "guarantee_scope": p.guarantee_scope, "annual_fee_payer": p.annual_fee_payer,
        "transfer_allowed": p.transfer_allowed, "licensing_allowed": p.licensing_allowed, "agent": p.agent_name,
        "pledgor_confirmed": {"by": p.pledgor_confirmed_by, "at": _d(p.pledgor_confirmed_at)},
        "pledgee_confirmed": {"by": p.pledgee_confirmed_by, "at": _d(p.pledgee_confirmed_at)},
        "patent_details": [{"patent_number": x.patent_number, "title": x.title, "app_date": _d(x.app_date),
                            "grant_date": _d(x.grant_date), "ipc_main": x.ipc_main, "owners": x.owners,
                            "consents": [c["owner"] for c in x.consents or []]} for x in p.patents],
        "check": {"on": _d(result.on), "findings": [finding_json(f) for f in result.all],
                  "stands_in_the_way": bool(result.standing)},
        "notices": [{"id": a.id, "filename": a.filename, "url": f"/files/{a.id}"}
                    for a in service.notices_of(session, p)],
        "deadlines": [{"label": d.label.render(), "basis": d.basis, "started_on": _d(d.started_on),
                       "due_on": _d(d.due_on), "stopped_on": _d(d.stopped_on), "overdue": d.overdue}
                      for d in service.engine.deadlines(session, service.REGISTRATION, case)],
        "history": [{"seq": e.seq, "transition": e.transition, "from": e.from_state, "to": e.to_state,
                     "actor": e.actor_name, "unit": e.unit_name, "at": e.at.isoformat(), "reason": e.reason}
                    for e in case.events],
    }


@router.get("/applications")
def applications(q: str = "", state: str = "", filed_from: str = "", filed_to: str = "", page: str = "1",
                 actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    queries.ensure_user(actor)
    filters = queries.Filters(q=q, state=state, filed_from=filed_from, filed_to=filed_to)
    result = paged(session, queries.applications_query(actor, filters), to_int(page))
    return {"total": result.total, "page": result.page, "pages": result.pages,
            "items": [brief_json(p) for p in result.rows]}


@router.get("/applications/{pledge_id:int}")
def application(pledge_id: int, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    queries.ensure_user(actor)
    return full_json(session, actor, service.PLEDGES.visible(session, actor, pledge_id))


def gazette_json(g: GazetteLine) -> dict:
    return {"kind": g.kind, "published_on": _d(g.published_on), "registration_number": g.registration_number,
            "registered_on": _d(g.registered_on), "pledgor": g.pledgor, "pledgee": g.pledgee, "ipc_main": g.ipc_main,
            "patent_number": g.patent_number, "title": g.title, "grant_date": _d(g.grant_date),
            "detail": g.detail or {}}


@router.get("/gazette")
@public
def gazette(request: Request, q: str = "", kind: str = "", pledgee: str = "", ipc: str = "", date_from: str = "",
            date_to: str = "", page: str = "1", actor: Actor | None = Depends(signed_in_or_anonymous()),
            session: Session = Depends(db_session)):
    filters = queries.GazetteFilters(q=q, kind=kind, pledgee=pledgee, ipc=ipc, date_from=date_from, date_to=date_to)
    result = paged(session, queries.gazette_query(filters), to_int(page))
    return {"total": result.total, "page": result.page, "pages": result.pages,
            "items": [gazette_json(g) for g in result.rows]}
