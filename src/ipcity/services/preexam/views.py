"""HTML pages of fast pre-examination (专利快速预审).

Signed in: a company registers with the protection centre (备案), corrects and renews its registration, submits
cases (with a check before submitting), answers corrections and records the CNIPA filing; the centre's officials
work the lists and the record pages' steps, record abnormal-filing findings, and read the dashboard. The lists,
the registration and case pages and their step forms are the case kit's generic pages (web/case_pages.py)
declared here; the read model is queries.py, which the JSON API reads too.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core.errors import DomainError
from ipcity.core.files import Upload
from ipcity.core.roles import APPLICANT_COMPANY, Actor
from ipcity.services.preexam import domain, service, stats
from ipcity.services.preexam.access import CENTRE, USERS, ensure_centre
from ipcity.services.preexam.queries import (
    CASE_HEADER,
    REGISTRATION_HEADER,
    CaseFilters,
    RegistrationFilters,
    board_of,
    case_context,
    case_rows,
    cases_query,
    codes,
    dashboard_html,
    field_labels,
    registration_context,
    registration_rows,
    registrations_query,
    running_clocks,
)
from ipcity.web.case_pages import ListPage, RecordPage, list_page, mount_record, posted_form, texts, uploads
from ipcity.web.deps import db_session, require
from ipcity.web.export import xlsx_response
from ipcity.web.templating import render

router = APIRouter(prefix="/preexam")

REGISTRATION_FIELDS = ("name", "credit_code", "entity_kind", "division_code", "address", "business_scope",
                       "contact_name", "contact_phone", "agency_name", "agency_code")
CASE_FIELDS = ("patent_type", "title", "abstract", "claims", "description", "brief_description", "ipc", "locarno",
               "applicants", "inventors", "agency_name", "is_pct", "is_divisional", "waive_amendment",
               "no_bibliographic_change")


def _files(form: FormData, kinds) -> dict[str, list[Upload]]:
    return {kind: found for kind in kinds if (found := uploads(form, kind))}


REGISTRATIONS = ListPage(
    "preexam/registrations.html", RegistrationFilters, registrations_query, "preexam-registrations",
    REGISTRATION_HEADER, registration_rows,
    context=lambda session, actor, result: field_labels(session) | {
        "company": actor.role == APPLICANT_COMPANY,
        "own": service.live_registration(session, actor.unit_id)
        if actor.role == APPLICANT_COMPANY and actor.unit_id else None})
CASES = ListPage(
    "preexam/cases.html", CaseFilters, cases_query, "preexam-cases", CASE_HEADER, case_rows,
    context=lambda session, actor, result: field_labels(session) | _company_standing(session, actor) | {
        "clocks": running_clocks(session, result.rows)})
REGISTRATION_PAGE = RecordPage(service.REGISTRATIONS, "preexam/registration.html", "/preexam/registrations/{id}",
                               registration_context, codes=codes,
                               forms=lambda ctx: {"resubmit", "renew", "abnormal", "clear_abnormal"},
                               roles=tuple(USERS))
CASE_PAGE = RecordPage(service.SUBMISSIONS, "preexam/case.html", "/preexam/cases/{id}", case_context, codes=codes,
                       forms=lambda ctx: {"reply", "filing"}, roles=tuple(USERS))


def _company_standing(session: Session, actor: Actor) -> dict:
    if actor.role != APPLICANT_COMPANY or actor.unit_id is None:
        return {"company": False}
    reg = service.live_registration(session, actor.unit_id)
    return {"company": True, "own": reg, "refusal": service.standing_refusal(reg)}


# --- registration ------------------------------------------------------------------------------------------

def _registration_form(request: Request, session: Session, actor: Actor, values: dict, error=None, status=200):
    return render(request, "preexam/registration_form.html", codes() | field_labels(session) | {
        "values": values, "error": error, "rules": service.rules(session),
        "area": domain.area_label(service.rules(session))}, status_code=status)


@router.get("/registrations")
def registrations_page(request: Request, actor: Actor = Depends(require(*USERS)),
                       session: Session = Depends(db_session)):
    return list_page(request, session, actor, REGISTRATIONS, codes())


@router.get("/registrations/new")
def new_registration(request: Request, actor: Actor = Depends(require(APPLICANT_COMPANY)),
                     session: Session = Depends(db_session)):
    existing = service.live_registration(session, actor.unit_id) if actor.unit_id else None
    if existing is not None:
        return RedirectResponse(f"/preexam/registrations/{existing.id}", status_code=303)
    return _registration_form(request, session, actor, {"name": actor.unit_name, "entity_kind": "company"})


@router.post("/registrations/new")
def file_registration(request: Request, form: FormData = Depends(posted_form),
                      actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    values = texts(form, REGISTRATION_FIELDS)
    try:
        reg = service.register_company(session, actor, values, _files(form, domain.REGISTRATION_DOCUMENTS))
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status not in (400, 409):
            raise
        return _registration_form(request, session, actor, values, exc, exc.status)
    return RedirectResponse(f"/preexam/registrations/{reg.id}", status_code=303)


@router.post("/registrations/{registration_id:int}/resubmit")
def resubmit_registration(request: Request, registration_id: int, form: FormData = Depends(posted_form),
                          actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    reg = service.REGISTRATIONS.visible(session, actor, registration_id)
    values, reason = texts(form, REGISTRATION_FIELDS), str(form.get("reason") or "")
    return REGISTRATION_PAGE.submit(request, session, actor, registration_id, lambda: service.resubmit_registration(
        session, actor, reg, values, _files(form, domain.REGISTRATION_DOCUMENTS), reason), form="resubmit",
        posted={"reason": reason}, values=values)


@router.post("/registrations/{registration_id:int}/renew")
def renew_registration(request: Request, registration_id: int, form: FormData = Depends(posted_form),
                       actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    reg = service.REGISTRATIONS.visible(session, actor, registration_id)
    reason = str(form.get("reason") or "")
    return REGISTRATION_PAGE.submit(request, session, actor, registration_id,
                                    lambda: service.request_renewal(session, actor, reg, reason), form="renew",
                                    posted={"reason": reason})


@router.post("/registrations/{registration_id:int}/abnormal")
def abnormal(request: Request, registration_id: int, form: FormData = Depends(posted_form),
             actor: Actor = Depends(require(*CENTRE)), session: Session = Depends(db_session)):
    reg = service.REGISTRATIONS.visible(session, actor, registration_id)
    reason, lift = str(form.get("reason") or ""), str(form.get("lift") or "") == "1"
    call = (lambda: service.clear_abnormal(session, actor, reg, reason)) if lift else \
        (lambda: service.flag_abnormal(session, actor, reg, reason))
    return REGISTRATION_PAGE.submit(request, session, actor, registration_id, call,
                                    form="clear_abnormal" if lift else "abnormal", posted={"reason": reason})


# --- cases -----------------------------------------------------------------------------------------------

def _case_form(request: Request, session: Session, actor: Actor, values: dict, error=None, checks=None,
               status=200):
    context = codes() | field_labels(session) | _company_standing(session, actor)
    return render(request, "preexam/case_form.html", context | {
        "values": values, "error": error, "checks": checks}, status_code=status)


@router.get("")
def home(request: Request, actor: Actor = Depends(require(*USERS))):
    return RedirectResponse("/preexam/cases", status_code=303)


@router.get("/cases")
def cases_page(request: Request, actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    return list_page(request, session, actor, CASES, codes())


@router.get("/cases/new")
def new_case(request: Request, actor: Actor = Depends(require(APPLICANT_COMPANY)),
             session: Session = Depends(db_session)):
    return _case_form(request, session, actor, {"patent_type": "invention", "applicants": actor.unit_name})


@router.post("/cases/new")
def submit_case(request: Request, form: FormData = Depends(posted_form),
                actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    values = texts(form, CASE_FIELDS)
    files = _files(form, domain.CASE_DOCUMENTS)
    if str(form.get("check_only") or "") == "1":  # check before submitting: nothing is stored
        clean = service.submission_values(values)
        problems = domain.submission_problems(clean, service.rules(session), service.counted(files))
        error = DomainError(problems[0][1], field=problems[0][0], problems=problems) if problems else None
        checks = service.run_checks(session, clean, service.counted(files), actor.unit_id) if not problems else None
        return _case_form(request, session, actor, values, error, checks, 400 if problems else 200)
    try:
        sub = service.submit(session, actor, values, files)
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status not in (400, 409):
            raise
        return _case_form(request, session, actor, values, exc, status=exc.status)
    return RedirectResponse(f"/preexam/cases/{sub.id}", status_code=303)


@router.post("/cases/{case_id:int}/reply")
def reply(request: Request, case_id: int, form: FormData = Depends(posted_form),
          actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    sub = service.SUBMISSIONS.visible(session, actor, case_id)
    values, reason = texts(form, CASE_FIELDS), str(form.get("reason") or "")
    return CASE_PAGE.submit(request, session, actor, case_id, lambda: service.reply(
        session, actor, sub, values, _files(form, domain.CASE_DOCUMENTS), reason), form="reply",
        posted={"reason": reason}, values=values)


@router.post("/cases/{case_id:int}/filing")
def record_filing(request: Request, case_id: int, form: FormData = Depends(posted_form),
                  actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    sub = service.SUBMISSIONS.visible(session, actor, case_id)
    posted = texts(form, ("app_number", "filed_on"))
    return CASE_PAGE.submit(request, session, actor, case_id, lambda: service.record_filing(
        session, actor, sub, posted["app_number"], posted["filed_on"]), form="filing", posted=posted)


# --- the centre's dashboard --------------------------------------------------------------------------------



@router.get("/dashboard")
def dashboard(request: Request, format: str = "", actor: Actor = Depends(require(*CENTRE)),
              session: Session = Depends(db_session)):
    ensure_centre(session, actor)
    filters = stats.Filters.from_query(request.query_params)
    if format == "xlsx":
        return xlsx_response("preexam-dashboard.xlsx", stats.sheets(board_of(session, filters)))
    body = dashboard_html(session, request.app.state.services.templates, filters)
    return render(request, "preexam/dashboard.html", {"body": body})


mount_record(router, REGISTRATION_PAGE, "/registrations")  # the registration page and its step forms
mount_record(router, CASE_PAGE, "/cases")                  # the case page and its step forms
