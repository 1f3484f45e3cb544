"""HTML pages of mediations (纠纷调解): the list (a body's mediators see only their body's cases) with its exports,
and a mediation's page with its step forms, the agreement form (the agreement PDF), judicial confirmation and
performance. Every step goes through the use cases of mediation.py and the engine."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core.context import files_of
from ipcity.core.roles import ADMIN, MEDIATOR, OFFICIAL_ROLES, PUBLIC_ROLES, Actor
from ipcity.services.rights import mediation
from ipcity.services.rights.mediation_queries import (
    HEADER,
    MediationFilters,
    codes,
    list_context,
    mediations_query,
    record_context,
    rows,
)
from ipcity.web.case_pages import ListPage, RecordPage, list_page, mount_record, posted_form, texts
from ipcity.web.deps import db_session, require

router = APIRouter(prefix="/rights")

USERS = PUBLIC_ROLES | OFFICIAL_ROLES | {MEDIATOR, ADMIN}

MEDIATIONS = ListPage("rights/mediations.html", MediationFilters, mediations_query, "rights-mediations", HEADER, rows,
                      context=list_context)
MEDIATION_PAGE = RecordPage(mediation.MEDIATIONS, "rights/mediation.html", "/rights/mediations/{id}", record_context,
                            codes=codes, forms=lambda ctx: {"agreement", "confirmation", "confirmation_result",
                                                            "performance", "reissue"},
                            roles=tuple(USERS))


@router.get("/mediations")
def mediations_page(request: Request, actor: Actor = Depends(require(*USERS)),
                    session: Session = Depends(db_session)):
    return list_page(request, session, actor, MEDIATIONS, codes())


@router.post("/mediations/{mediation_id:int}/agreement")
def record_agreement(request: Request, mediation_id: int, form: FormData = Depends(posted_form),
                     actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    med = mediation.MEDIATIONS.visible(session, actor, mediation_id)
    posted = texts(form, ("text", "amount", "agreed_on"))
    return MEDIATION_PAGE.submit(request, session, actor, mediation_id, lambda: mediation.record_agreement(
        session, actor, med, posted["text"], posted["amount"], posted["agreed_on"]), form="agreement", posted=posted)


@router.post("/mediations/{mediation_id:int}/confirmation")
def request_confirmation(request: Request, mediation_id: int, form: FormData = Depends(posted_form),
                         actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    med = mediation.MEDIATIONS.visible(session, actor, mediation_id)
    posted = texts(form, ("court",))
    return MEDIATION_PAGE.submit(request, session, actor, mediation_id, lambda: mediation.request_confirmation(
        session, actor, med, posted["court"]), form="confirmation", posted=posted)


@router.post("/mediations/{mediation_id:int}/confirmation-result")
def record_confirmation_result(request: Request, mediation_id: int, form: FormData = Depends(posted_form),
                               actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    med = mediation.MEDIATIONS.visible(session, actor, mediation_id)
    posted = texts(form, ("result", "note", "result_on"))
    return MEDIATION_PAGE.submit(request, session, actor, mediation_id, lambda: mediation.record_confirmation_result(
        session, actor, med, posted["result"], posted["note"], posted["result_on"]), form="confirmation_result",
        posted=posted)


@router.post("/mediations/{mediation_id:int}/performance")
def record_performance(request: Request, mediation_id: int, form: FormData = Depends(posted_form),
                       actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    med = mediation.MEDIATIONS.visible(session, actor, mediation_id)
    posted = texts(form, ("note", "done"))
    done = posted["done"] in ("1", "on", "true", "yes")
    return MEDIATION_PAGE.submit(request, session, actor, mediation_id, lambda: mediation.record_performance(
        session, actor, med, posted["note"], done), form="performance", posted=posted)


@router.post("/mediations/{mediation_id:int}/agreement/reissue")
def reissue_agreement(request: Request, mediation_id: int, form: FormData = Depends(posted_form),
                      actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    return MEDIATION_PAGE.reissue(request, session, actor, mediation_id, mediation.AGREEMENTS, files_of(session), form,
                                  form_name="reissue")


mount_record(router, MEDIATION_PAGE, "/mediations")  # the mediation's page and its step forms
