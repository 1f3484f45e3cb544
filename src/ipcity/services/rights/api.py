"""JSON API of the network's requests and adjudications: the lists a person may see with the pages' filters and
access rules (read from queries.py and access.py; the API never imports the HTML views), one request or case with
its time limits and documents, a request filed from another system (the city's hotline: an official's account,
channel phone), and the public tracking look-up, slowed down after misses as the page is."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError, NotFound
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.services.rights import access, adjudication, domain, queries, service
from ipcity.services.rights.tables import Adjudication, RightsRequest
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous, writes
from ipcity.web.paging import paged, to_int
from ipcity.workflow import engine

router = APIRouter(prefix="/api/rights")
MAX_PAGE = 200
MAX_BODY_KEYS = 60  # a filed request's JSON: more keys than the form has are refused before anything is read


def _d(value) -> str | None:
    return value.isoformat() if value else None


def request_json(r: RightsRequest) -> dict:
    return {"id": r.id, "number": r.number, "state": r.state, "state_label": service.REQUEST.state_label(r.state)
            .render(), "kind": r.kind, "right": r.right, "role": r.role, "channel": r.channel, "where": r.where,
            "division_code": r.division_code or None, "country": r.country or None,
            "requester": r.requester_name, "respondent": r.respondent or None,
            "patent_number": r.patent_number or None, "received_on": _d(r.received_on),
            "first_response_on": _d(r.first_response_on), "closed_on": _d(r.closed_on), "outcome": r.outcome or None,
            "followup": {"type": r.followup_type, "id": r.followup_id} if r.followup_type else None,
            "url": f"/rights/requests/{r.id}"}


def adjudication_json(a: Adjudication) -> dict:
    return {"id": a.id, "number": a.number, "state": a.state,
            "state_label": adjudication.ADJUDICATION.state_label(a.state).render(), "subject": a.subject,
            "requester": a.requester, "respondent": a.respondent, "patent_number": a.patent_number,
            "received_on": _d(a.received_on), "filed_on": _d(a.filed_on), "decision_due": _d(a.decision_due),
            "extensions": a.extensions, "stops": a.stops, "decided_on": _d(a.decided_on), "outcome": a.outcome or None,
            "acts": a.acts, "repeat_infringement": a.repeat_infringement, "dishonest": a.dishonest,
            "suit_deadline": _d(a.suit_deadline), "url": f"/rights/adjudications/{a.id}"}


def _deadlines(session: Session, ct, case) -> list[dict]:
    return [{"key": d.key, "label": d.label.render(), "started_on": _d(d.started_on), "due_on": _d(d.due_on),
             "stopped_on": _d(d.stopped_on), "paused": d.paused, "overdue": d.overdue} for d in
            engine.deadlines(session, ct, case)]


def _page(request: Request, session: Session, stmt, to_json) -> dict:
    result = paged(session, stmt, to_int(request.query_params.get("page"), 1),
                   min(MAX_PAGE, max(1, to_int(request.query_params.get("size"), 30))))
    return {"total": result.total, "page": result.page, "pages": result.pages,
            "items": [to_json(r) for r in result.rows]}


@router.get("/requests")
def requests(request: Request, actor: Actor = Depends(require(*access.USERS)), session: Session = Depends(db_session)):
    filters = queries.RequestFilters.from_query(request.query_params)
    return _page(request, session, queries.requests_query(actor, filters), request_json)


@router.get("/requests/{request_id:int}")
def one_request(request_id: int, actor: Actor = Depends(require(*access.USERS)),
                session: Session = Depends(db_session)):
    req = service.REQUESTS.visible(session, actor, request_id)
    case = service.REQUESTS.case_of(session, req)
    return request_json(req) | {
        "tracking": req.tracking, "description": req.description, "deadlines": _deadlines(session, service.REQUEST,
                                                                                          case),
        "transfers": [{"at": t["at"].isoformat(), "from": t["from"], "to": t["to"], "reason": t["reason"]}
                      for t in queries.transfer_rows(session, req)],
        "evidence": [{"filename": a.filename, "url": f"/files/{a.id}"} for a in service.evidence_of(session, req)],
        "actions": [t.key for t in engine.available_actions(service.REQUEST, case, actor)]}


@router.post("/requests")
def file_request(values: dict = Body(...), actor: Actor = Depends(require(*access.REQUESTERS, *access.OFFICIALS)),
                 session: Session = Depends(db_session)):
    """A request as JSON (the form's fields; no evidence files: add them on the request's page)."""
    if len(values) > MAX_BODY_KEYS:
        raise DomainError(Msg("Too many fields in the request"), field="body")
    clean = {k: v if isinstance(v, list) and k in ("major", "acts") else str(v)[:6000] for k, v in values.items()
             if isinstance(v, str | int | bool | list)}
    req = service.submit(session, actor, clean, [])
    session.commit()
    return JSONResponse(request_json(req) | {"tracking": req.tracking}, status_code=201)


@router.get("/adjudications")
def adjudications(request: Request, actor: Actor = Depends(require(*access.USERS)),
                  session: Session = Depends(db_session)):
    filters = queries.AdjudicationFilters.from_query(request.query_params)
    return _page(request, session, queries.adjudications_query(actor, filters), adjudication_json)


@router.get("/adjudications/{adj_id:int}")
def one_adjudication(adj_id: int, actor: Actor = Depends(require(*access.USERS)),
                     session: Session = Depends(db_session)):
    adj = adjudication.ADJUDICATIONS.visible(session, actor, adj_id)
    case = adjudication.ADJUDICATIONS.case_of(session, adj)
    reading = adjudication.clock(session, adj)
    return adjudication_json(adj) | {
        "panel": adj.panel, "clock": {"due": _d(reading.due), "days_left": reading.days_left,
                                      "running": reading.running, "stopped_days": reading.stopped_days}
        if reading else None,
        "deadlines": _deadlines(session, adjudication.ADJUDICATION, case),
        "actions": [t.key for t in engine.available_actions(adjudication.ADJUDICATION, case, actor)]}


@router.get("/track")
@public
@writes(lambda request: bool(request.query_params.get("number")))
def track(request: Request, number: str = "", actor: Actor | None = Depends(signed_in_or_anonymous()),
          session: Session = Depends(db_session)):
    """The public status of a request by its tracking number (no party is named)."""
    address = request.client.host if request.client else ""
    wait = service.lookup_wait(session, address)
    if wait:
        return JSONResponse({"error": Msg("Too many look-ups from this address: try again in {n} seconds",
                                          n=wait).render(), "retry_after": wait}, status_code=429,
                            headers={"Retry-After": str(wait)})
    try:
        status = service.public_status(session, number[:60])
    except (domain.TrackingError, NotFound) as exc:
        service.lookup_missed(session, address)
        session.commit()
        message = exc.msg if isinstance(exc, domain.TrackingError) else exc.message
        return JSONResponse({"error": message.render(), "field": "number"},
                            status_code=400 if isinstance(exc, domain.TrackingError) else 404)
    return {"tracking": status.tracking, "kind": status.kind, "received_on": status.received_on,
            "unit": status.unit, "state": status.state.render(), "next_step": status.next_step.render(),
            "case_state": status.followup_state.render() if status.followup_state else None,
            "closed_on": status.closed_on or None}
