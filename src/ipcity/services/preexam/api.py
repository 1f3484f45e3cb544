"""JSON API of fast pre-examination: the cases and registrations a person may see, with the pages' filters and
access rules (both read queries.py and access.py; the API never imports the HTML views), one case with its checks,
time limits and notices, and the centre's dashboard figures."""

from __future__ import annotations

import dataclasses
from datetime import date

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.services.preexam import access, queries, service, stats
from ipcity.services.preexam.tables import Registration, Submission
from ipcity.web.deps import db_session, require
from ipcity.web.paging import paged, to_int
from ipcity.workflow import engine

router = APIRouter(prefix="/api/preexam")
MAX_PAGE = 200


def _d(value) -> str | None:
    return value.isoformat() if value else None


def registration_json(r: Registration) -> dict:
    return {"id": r.id, "number": r.number, "state": r.state,
            "state_label": queries.registration_state(r.state).render(),
            "name": r.name, "credit_code": r.credit_code, "entity_kind": r.entity_kind,
            "division_code": r.division_code, "district": queries.region_name(r.division_code), "fields": r.fields,
            "admitted_on": _d(r.admitted_on), "admitted_until": _d(r.admitted_until), "abnormal": r.abnormal,
            "url": f"/preexam/registrations/{r.id}"}


def case_json(s: Submission) -> dict:
    return {"id": s.id, "number": s.number, "state": s.state, "state_label": queries.case_state(s.state).render(),
            "patent_type": s.patent_type, "title": s.title, "field": s.field_key, "ipc": s.ipc, "locarno": s.locarno,
            "applicants": s.applicants, "flagged": s.flagged, "submitted_at": _d(s.submitted_at),
            "decided_on": _d(s.decided_on), "passed_on": _d(s.passed_on), "filing_deadline": _d(s.filing_deadline),
            "late_filing": service.late_filing(s), "cnipa_app_number": s.cnipa_app_number or None,
            "filed_on": _d(s.filed_on), "granted_on": _d(s.granted_on), "reasons": s.reasons,
            "url": f"/preexam/cases/{s.id}"}


@router.get("/cases")
def cases(request: Request, actor: Actor = Depends(require(*access.USERS)), session: Session = Depends(db_session)):
    filters = queries.CaseFilters.from_query(request.query_params)
    result = paged(session, queries.cases_query(actor, filters), to_int(request.query_params.get("page"), 1),
                   min(MAX_PAGE, max(1, to_int(request.query_params.get("size"), 30))))
    return {"total": result.total, "page": result.page, "pages": result.pages,
            "items": [case_json(s) for s in result.rows]}


@router.get("/cases/{case_id:int}")
def case(case_id: int, actor: Actor = Depends(require(*access.USERS)), session: Session = Depends(db_session)):
    sub = service.SUBMISSIONS.visible(session, actor, case_id)
    wf = service.SUBMISSIONS.case_of(session, sub)
    return case_json(sub) | {
        "checks": sub.checks,
        "deadlines": [{"key": d.key, "label": d.label.render(), "started_on": _d(d.started_on), "due_on": _d(d.due_on),
                       "stopped_on": _d(d.stopped_on), "paused": d.paused, "overdue": d.overdue,
                       "working_days_left": d.working_days_left}
                      for d in engine.deadlines(session, service.SUBMISSION, wf)],
        "notices": [{"filename": a.filename, "url": f"/files/{a.id}"} for a in service.notices_of(session, sub)],
        "actions": [t.key for t in engine.available_actions(service.SUBMISSION, wf, actor)]}


@router.get("/registrations")
def registrations(request: Request, actor: Actor = Depends(require(*access.USERS)),
                  session: Session = Depends(db_session)):
    filters = queries.RegistrationFilters.from_query(request.query_params)
    result = paged(session, queries.registrations_query(actor, filters), to_int(request.query_params.get("page"), 1),
                   min(MAX_PAGE, max(1, to_int(request.query_params.get("size"), 30))))
    return {"total": result.total, "page": result.page, "pages": result.pages,
            "items": [registration_json(r) for r in result.rows]}


@router.get("/registrations/{registration_id:int}")
def registration(registration_id: int, actor: Actor = Depends(require(*access.USERS)),
                 session: Session = Depends(db_session)):
    return registration_json(service.REGISTRATIONS.visible(session, actor, registration_id))


@router.get("/dashboard")
def dashboard(request: Request, actor: Actor = Depends(require(*access.CENTRE)),
              session: Session = Depends(db_session)):
    access.ensure_centre(session, actor)
    board = queries.board_of(session, stats.Filters.from_query(request.query_params))
    if board.error is not None:
        raise board.error
    return _plain(board)


def _plain(value):
    """The dashboard's dataclasses as JSON values, their computed properties (pass rates, late filings) with
    them: labels in the reader's language, dates as ISO text."""
    if dataclasses.is_dataclass(value):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "error"}
        for name in dir(type(value)):
            if isinstance(getattr(type(value), name, None), property) and not name.startswith("_"):
                out[name] = _plain(getattr(value, name))
        return out
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Msg):
        return value.render()
    if isinstance(value, date):
        return value.isoformat()
    return value
