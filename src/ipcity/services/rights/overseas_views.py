"""HTML pages of overseas dispute guidance (海外知识产权纠纷应对指导): the guidance cases (list and page, with the
guidance form and publishing a closed case to the library), the risk alerts (everyone signed in reads them;
officials publish) and the case library (searchable, exported; officials add cases)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core.errors import DomainError
from ipcity.core.roles import ADMIN, OFFICIAL_ROLES, PUBLIC_ROLES, Actor
from ipcity.services.rights import overseas
from ipcity.services.rights.overseas_queries import (
    ALERT_HEADER,
    CASE_HEADER,
    LIBRARY_HEADER,
    AlertFilters,
    CaseFilters,
    LibraryFilters,
    alert_rows,
    alerts_context,
    alerts_query,
    case_context,
    case_rows,
    cases_context,
    cases_query,
    codes,
    library_context,
    library_query,
    library_rows,
)
from ipcity.web.case_pages import ListPage, RecordPage, list_page, mount_record, posted_form, texts
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous

router = APIRouter(prefix="/rights")

USERS = PUBLIC_ROLES | OFFICIAL_ROLES | {ADMIN}
ALERT_FIELDS = ("title", "body", "country", "industry", "right")
LIBRARY_FIELDS = ("title", "country", "industry", "right", "year", "summary", "outcome", "source")

CASES = ListPage("rights/overseas_list.html", CaseFilters, cases_query, "rights-overseas", CASE_HEADER, case_rows,
                 context=cases_context)
ALERTS = ListPage("rights/alerts.html", AlertFilters, alerts_query, "rights-alerts", ALERT_HEADER, alert_rows,
                  context=alerts_context)
LIBRARY = ListPage("rights/library.html", LibraryFilters, library_query, "rights-library", LIBRARY_HEADER,
                   library_rows, context=library_context)
CASE_PAGE = RecordPage(overseas.OVERSEAS_CASES, "rights/overseas_case.html", "/rights/overseas/{id}", case_context,
                       codes=codes, forms=lambda ctx: {"guidance", "library"}, roles=tuple(USERS))


@router.get("/overseas")
def cases_page(request: Request, actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    return list_page(request, session, actor, CASES, codes())


@router.post("/overseas/{case_id:int}/guidance")
def add_guidance(request: Request, case_id: int, form: FormData = Depends(posted_form),
                 actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    oc = overseas.OVERSEAS_CASES.visible(session, actor, case_id)
    posted = texts(form, ("note",))
    return CASE_PAGE.submit(request, session, actor, case_id,
                            lambda: overseas.add_guidance(session, actor, oc, posted["note"]), form="guidance",
                            posted=posted)


@router.post("/overseas/{case_id:int}/library")
def publish_case(request: Request, case_id: int, form: FormData = Depends(posted_form),
                 actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    oc = overseas.OVERSEAS_CASES.visible(session, actor, case_id)
    posted = texts(form, ("title", "summary", "outcome", "source"))
    return CASE_PAGE.submit(request, session, actor, case_id,
                            lambda: overseas.library_from_case(session, actor, oc, posted), form="library",
                            posted=posted)


def _with_form(request: Request, session: Session, actor: Actor, spec: ListPage, call, posted: dict, back: str):
    """A list page's own form (publish an alert, add a case): done → the list again (303); refused → the list
    with the error in the form and what was typed kept (a refusal to the person is an error page)."""
    try:
        call()
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status not in (400, 409):
            raise
        response = list_page(request, session, actor, spec, codes(), form_error=exc, posted=posted)
        response.status_code = exc.status
        return response
    return RedirectResponse(back, status_code=303)


@router.get("/alerts")
@public
def alerts_page(request: Request, actor: Actor | None = Depends(signed_in_or_anonymous()),
                session: Session = Depends(db_session)):
    return list_page(request, session, actor, ALERTS, codes(), form_error=None, posted={})


@router.post("/alerts")
def publish_alert(request: Request, form: FormData = Depends(posted_form), actor: Actor = Depends(require()),
                  session: Session = Depends(db_session)):
    posted = texts(form, ALERT_FIELDS)
    return _with_form(request, session, actor, ALERTS, lambda: overseas.publish_alert(session, actor, **posted),
                      posted, "/rights/alerts")


@router.get("/library")
@public
def library_page(request: Request, actor: Actor | None = Depends(signed_in_or_anonymous()),
                 session: Session = Depends(db_session)):
    return list_page(request, session, actor, LIBRARY, codes(), form_error=None, posted={})


@router.post("/library")
def add_library_entry(request: Request, form: FormData = Depends(posted_form), actor: Actor = Depends(require()),
                      session: Session = Depends(db_session)):
    posted = texts(form, LIBRARY_FIELDS)
    return _with_form(request, session, actor, LIBRARY, lambda: overseas.add_library_entry(session, actor, posted),
                      posted, "/rights/library")


mount_record(router, CASE_PAGE, "/overseas")  # the guidance case's page and its step forms
