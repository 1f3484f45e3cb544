"""HTML pages of the exhibition fast track (展会快速维权): the fairs (list with filters and exports, the form the
municipal office and the rights-assistance centre keep them with, a fair's page with its desks, undertakings,
complaints and figures, the exhibitor's undertaking form) and the fair complaints (list with filters and exports,
a complaint's page with the 24-hour clock in Beijing time, the statement and facts forms and the step forms).

The lists and the complaint's page are the case kit's generic pages (web/case_pages.py); every step goes through
the engine, which applies the complaint's guard (fairs.py) whichever door it comes through.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core.errors import DomainError, PermissionDenied
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, OFFICIAL_ROLES, PUBLIC_ROLES, Actor
from ipcity.services.rights import fairs
from ipcity.services.rights.fair_queries import (
    COMPLAINT_HEADER,
    FAIR_HEADER,
    ComplaintFilters,
    FairFilters,
    codes,
    complaint_context,
    complaint_rows,
    complaints_context,
    complaints_query,
    desk_units,
    fair_context,
    fair_form_values,
    fair_rows,
    fairs_context,
    fairs_query,
)
from ipcity.web.case_pages import ListPage, RecordPage, list_page, mount_record, posted_form, texts
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous
from ipcity.web.templating import render

router = APIRouter(prefix="/rights")

USERS = tuple(PUBLIC_ROLES | OFFICIAL_ROLES | {ADMIN})
KEEPERS = tuple(OFFICIAL_ROLES | {ADMIN})
FAIR_FORM = (*fairs.FAIR_FIELDS, "active")
STATEMENT_FORM = ("statement", "at")
FACTS_FORM = ("admitted", "confirmed_by", "good_reason", "note")

FAIRS = ListPage("rights/fairs.html", FairFilters, fairs_query, "rights-fairs", FAIR_HEADER, fair_rows,
                 context=fairs_context)
COMPLAINTS = ListPage("rights/fair_complaints.html", ComplaintFilters, complaints_query, "rights-fair-complaints",
                      COMPLAINT_HEADER, complaint_rows, context=complaints_context)
COMPLAINT_PAGE = RecordPage(fairs.COMPLAINTS, "rights/fair_complaint.html", "/rights/fair-complaints/{id}",
                            complaint_context, codes=codes, forms=lambda ctx: {"statement", "facts"}, roles=USERS)


# --- fairs --------------------------------------------------------------------------------------------------------

def _ensure_keeper(session: Session, actor: Actor) -> None:
    if not fairs.may_keep_fairs(session, actor):
        raise PermissionDenied(Msg("The fairs are kept by the municipal IP office and the rights-assistance centre"))


def _fair_form(request: Request, session: Session, values: dict, fair=None, error=None, status: int = 200):
    return render(request, "rights/fair_form.html", {"values": values, "fair": fair, "error": error,
                                                     "units": desk_units(session), "fields": fairs.FAIR_FIELDS},
                  status_code=status)


def _fair_page(request: Request, session: Session, actor: Actor, fair, error=None, posted=None, status: int = 200):
    return render(request, "rights/fair.html", codes() | fair_context(session, actor, fair) | {
        "error": error, "posted": posted or {}}, status_code=status)


@router.get("/fairs")
@public
def fairs_page(request: Request, actor: Actor | None = Depends(signed_in_or_anonymous()),
               session: Session = Depends(db_session)):
    return list_page(request, session, actor, FAIRS, codes())


@router.get("/fairs/new")
def new_fair(request: Request, actor: Actor = Depends(require(*KEEPERS)), session: Session = Depends(db_session)):
    _ensure_keeper(session, actor)
    return _fair_form(request, session, fair_form_values(None) | {"unit_id": str(actor.unit_id or "")})


@router.post("/fairs/new")
def create_fair(request: Request, form: FormData = Depends(posted_form), actor: Actor = Depends(require(*KEEPERS)),
                session: Session = Depends(db_session)):
    _ensure_keeper(session, actor)
    values = texts(form, FAIR_FORM)
    try:
        fair = fairs.save_fair(session, actor, values)
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status not in (400, 409):
            raise
        return _fair_form(request, session, values, error=exc, status=exc.status)
    return RedirectResponse(f"/rights/fairs/{fair.id}", status_code=303)


@router.get("/fairs/{fair_id:int}")
def fair_page(request: Request, fair_id: int, actor: Actor = Depends(require(*USERS)),
              session: Session = Depends(db_session)):
    fair = fairs.get_fair(session, fair_id)
    if not fair.active and not fairs.may_see_fair_work(session, actor, fair):
        raise PermissionDenied(Msg("This fair is no longer served by the network"))
    return _fair_page(request, session, actor, fair)


@router.get("/fairs/{fair_id:int}/edit")
def edit_fair(request: Request, fair_id: int, actor: Actor = Depends(require(*KEEPERS)),
              session: Session = Depends(db_session)):
    _ensure_keeper(session, actor)
    fair = fairs.get_fair(session, fair_id)
    return _fair_form(request, session, fair_form_values(fair), fair=fair)


@router.post("/fairs/{fair_id:int}/edit")
def change_fair(request: Request, fair_id: int, form: FormData = Depends(posted_form),
                actor: Actor = Depends(require(*KEEPERS)), session: Session = Depends(db_session)):
    _ensure_keeper(session, actor)
    fair = fairs.get_fair(session, fair_id)
    values = texts(form, FAIR_FORM)
    try:
        fairs.save_fair(session, actor, values, fair)
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status not in (400, 409):
            raise
        return _fair_form(request, session, values, fair=fairs.get_fair(session, fair_id), error=exc,
                          status=exc.status)
    return RedirectResponse(f"/rights/fairs/{fair_id}", status_code=303)


@router.post("/fairs/{fair_id:int}/undertakings")
def sign_undertaking(request: Request, fair_id: int, form: FormData = Depends(posted_form),
                     actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    fair = fairs.get_fair(session, fair_id)
    values = texts(form, tuple(fairs.UNDERTAKING_FIELDS))
    try:
        fairs.sign_undertaking(session, actor, fair, values)
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status not in (400, 409):
            raise
        return _fair_page(request, session, actor, fairs.get_fair(session, fair_id), error=exc, posted=values,
                          status=exc.status)
    return RedirectResponse(f"/rights/fairs/{fair_id}", status_code=303)


# --- complaints ---------------------------------------------------------------------------------------------------

@router.get("/fair-complaints")
def complaints_page(request: Request, actor: Actor = Depends(require(*USERS)),
                    session: Session = Depends(db_session)):
    return list_page(request, session, actor, COMPLAINTS, codes())


@router.post("/fair-complaints/{complaint_id:int}/statement")
def record_statement(request: Request, complaint_id: int, form: FormData = Depends(posted_form),
                     actor: Actor = Depends(require(*KEEPERS)), session: Session = Depends(db_session)):
    complaint = fairs.COMPLAINTS.visible(session, actor, complaint_id)
    posted = texts(form, STATEMENT_FORM)
    return COMPLAINT_PAGE.submit(request, session, actor, complaint_id, lambda: fairs.record_statement(
        session, actor, complaint, posted["statement"], posted["at"]), form="statement", posted=posted)


@router.post("/fair-complaints/{complaint_id:int}/facts")
def record_facts(request: Request, complaint_id: int, form: FormData = Depends(posted_form),
                 actor: Actor = Depends(require(*KEEPERS)), session: Session = Depends(db_session)):
    complaint = fairs.COMPLAINTS.visible(session, actor, complaint_id)
    posted = texts(form, FACTS_FORM)
    return COMPLAINT_PAGE.submit(request, session, actor, complaint_id, lambda: fairs.record_facts(
        session, actor, complaint, admitted=posted["admitted"] == "1", confirmed_by=posted["confirmed_by"],
        good_reason=posted["good_reason"], note=posted["note"]), form="facts", posted=posted)


mount_record(router, COMPLAINT_PAGE, "/fair-complaints")  # the complaint's page and its step forms
