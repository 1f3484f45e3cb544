"""HTML pages of patent pledge registration (专利权质押登记).

Signed-in: the list of applications (the pledgor's, the bank's — with those awaiting its confirmation — or the
registering body's), the joint filing form for the pledgor, the application page with the register check, the
documents, the notices, the actions each party may take, consents, insistence, change and cancellation, and
the panels other services add (valuation's summary for banks and officials). Public (`@public`): the gazette
of registrations, changes and cancellations with filters, CSV and Excel.

The lists, the application page, its step forms and the steps of change and cancellation requests are the case
kit's generic pages (web/case_pages.py) declared here; what they read is the read model in queries.py, which
api.py reads too. This module keeps the filing form, the pledge's own forms and the notice download.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core.errors import DomainError, NotFound
from ipcity.core.i18n import Msg
from ipcity.core.roles import APPLICANT_COMPANY, BANK, Actor
from ipcity.core.tables import User
from ipcity.patents import labels, register
from ipcity.patents.position import SUSPENSION_LABELS
from ipcity.services.pledge import casetypes, domain, precheck, reissue, service
from ipcity.services.pledge.queries import (
    GAZETTE_KINDS,
    Filters,
    GazetteFilters,
    applications_query,
    ensure_user,
    gazette_query,
    pledge_context,
    state_label,
)
from ipcity.services.pledge.tables import Pledge
from ipcity.web.case_pages import ListPage, RecordPage, list_page, mount_record, posted_form, texts, uploads
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous
from ipcity.web.export import download_response
from ipcity.web.paging import to_int
from ipcity.web.templating import render

router = APIRouter(prefix="/pledge")


def _d(value) -> str:
    return value.isoformat() if value else ""


def _codes() -> dict:
    return {"states": service.REGISTRATION.states, "state_label": state_label, "grounds": domain.GROUNDS,
            "claim_types": domain.CLAIM_TYPES, "fee_payers": domain.FEE_PAYERS, "yes_no": domain.YES_NO,
            "items": domain.CONTRACT_ITEMS, "optional": domain.OPTIONAL_ITEMS, "yuan": domain.yuan,
            "gazette_kinds": GAZETTE_KINDS, "documents": service.DOCUMENTS, "changeable": domain.CHANGEABLE,
            "cancellation_reasons": domain.CANCELLATION_REASONS, "document_specs": service.DOCUMENTS}


def _awaiting(session: Session, actor: Actor, result) -> dict:
    awaiting = list(session.scalars(applications_query(actor, Filters(state="awaiting_pledgee")))) \
        if actor.role == BANK else []
    return {"awaiting": awaiting, "may_file": actor.role == APPLICANT_COMPANY, "is_bank": actor.role == BANK}


APPLICATIONS = ListPage(
    "pledge/list.html", Filters, applications_query, "pledge-applications",
    ["application_number", "state", "pledgor", "pledgee", "amount_yuan", "debt_start", "debt_end", "patents",
     "filed_on", "registration_number", "registered_on"],
    lambda session, rows: [[p.application_number, p.state, p.pledgor_name, p.pledgee_name,
                            domain.yuan(p.amount_fen).replace(",", ""), _d(p.debt_start), _d(p.debt_end),
                            " ".join(x.patent_number for x in p.patents), _d(p.filed_on),
                            p.registration_number or "", _d(p.registered_on)] for p in rows],
    context=_awaiting)
GAZETTE = ListPage(
    "pledge/gazette.html", GazetteFilters, lambda actor, filters: gazette_query(filters), "pledge-gazette",
    ["kind", "published_on", "registration_number", "registered_on", "pledgor", "pledgee", "ipc_main",
     "patent_number", "title", "grant_date"],
    lambda session, rows: [[g.kind, _d(g.published_on), g.registration_number, _d(g.registered_on), g.pledgor,
                            g.pledgee, g.ipc_main, g.patent_number, g.title, _d(g.grant_date)]
                           for g in rows])
PAGE = RecordPage(service.PLEDGES, "pledge/pledge.html", "/pledge/{id}",
                  lambda s, actor, p: pledge_context(s, actor, p) | reissue.page_context(s, actor, p), codes=_codes,
                  forms=lambda ctx: {"amend-change", "amend-cancellation", "consent", "insist", reissue.FORM},
                  amendment=service.AMENDMENTS, parent="pledge", check_user=ensure_user, panels=service.SUBJECT)


@router.get("")
def applications_page(request: Request, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    ensure_user(actor)
    return list_page(request, session, actor, APPLICATIONS, _codes())


# --- filing -------------------------------------------------------------------------------------------------

def _own_patents(session: Session, name: str) -> list[dict]:
    """Suggestions for the form: granted patents in the register naming the pledgor's unit as patentee."""
    out, seen = [], set()
    # The register matches the name as text; whether the unit really is a patentee is the domain's rule.
    for r in register.granted_naming(session, name, limit=100):
        if r.app_number and r.app_number not in seen and domain.is_owner(name, tuple(r.applicants or ())):
            seen.add(r.app_number)
            out.append({"number": "ZL" + r.app_number[2:], "title": r.title, "type": r.patent_type})
    return out


def _form_context(session: Session, actor: Actor, values: dict, error: DomainError | None = None,
                  filing_check: precheck.FilingCheck | None = None) -> dict:
    user = session.get(User, actor.user_id)
    name = user.unit.name_zh if user.unit else ""
    return _codes() | _check_labels() | {
        "values": values, "error": error, "verified": user.identity_verified, "pledgor_name": name,
        "banks": service.bank_units(session), "own_patents": _own_patents(session, name) if name else [],
        "filing_check": filing_check}


def _check_labels() -> dict:
    return {"ended_labels": labels.ENDED_LABELS, "licence_type_labels": labels.LICENCE_TYPE_LABELS,
            "suspension_labels": SUSPENSION_LABELS}


@router.get("/new")
def new_application_page(request: Request, actor: Actor = Depends(require(APPLICANT_COMPANY)),
                         session: Session = Depends(db_session)):
    values = {"patents": request.query_params.get("patents", "")}
    # Patents given in the address (from the valuation or the unit's list) are checked at once.
    found = precheck.check_filing(session, actor.unit_name, values) if values["patents"].strip() else None
    return render(request, "pledge/form.html", _form_context(session, actor, values, filing_check=found))


@router.post("/new")
def file_application(request: Request, form: FormData = Depends(posted_form),
                     actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    values = texts(form, service.FORM_FIELDS)
    try:
        pledge = service.file_application(session, actor, values, {n: uploads(form, n) for n in service.DOCUMENTS})
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status != 400:
            raise
        return render(request, "pledge/form.html", _form_context(session, actor, values, exc), status_code=400)
    return RedirectResponse(f"/pledge/{pledge.id}", status_code=303)


@router.post("/new/check")
def check_filing(request: Request, form: FormData = Depends(posted_form),
                 actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    """The register check of the patents entered, before the pledgor confirms (writes nothing): the check alone
    for htmx, else the form again with what was typed and the check (files are chosen again)."""
    values = texts(form, service.FORM_FIELDS)
    user = session.get(User, actor.user_id)
    result = precheck.check_filing(session, user.unit.name_zh if user.unit else actor.unit_name, values)
    if request.headers.get("HX-Request"):
        return render(request, "pledge/_register_check.html", _check_labels() | {"filing_check": result})
    return render(request, "pledge/form.html", _form_context(session, actor, values, filing_check=result))


# --- the public gazette (declared before /{id} so that the fixed path wins) ------------------------------------

@router.get("/gazette")
@public
def gazette_page(request: Request, actor: Actor | None = Depends(signed_in_or_anonymous()),
                 session: Session = Depends(db_session)):
    return list_page(request, session, actor, GAZETTE, _codes())


# --- the pledge's own forms on its page ----------------------------------------------------------------------

@router.post("/{pledge_id:int}/consent")
def add_consent(request: Request, pledge_id: int, form: FormData = Depends(posted_form),
                actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    pledge = service.PLEDGES.visible(session, actor, pledge_id)
    files = uploads(form, "consent")
    return PAGE.submit(request, session, actor, pledge_id, lambda: service.add_consent(
        session, actor, pledge, to_int(str(form.get("patent_id") or ""), 0), str(form.get("co_owner") or ""),
        files[0] if files else None), form="consent")


@router.post("/{pledge_id:int}/insist")
def insist(request: Request, pledge_id: int, form: FormData = Depends(posted_form),
           actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    pledge = service.PLEDGES.visible(session, actor, pledge_id)
    reason = str(form.get("reason") or "")
    return PAGE.submit(request, session, actor, pledge_id, lambda: service.set_insistence(
        session, actor, pledge, same_day=bool(form.get("insist_same_day")),
        invalidation=bool(form.get("insist_invalidation")), reason=reason), form="insist", posted={"reason": reason})


@router.post("/{pledge_id:int}/amend")
def amend(request: Request, pledge_id: int, form: FormData = Depends(posted_form),
          actor: Actor = Depends(require(APPLICANT_COMPANY, BANK)), session: Session = Depends(db_session)):
    pledge = service.PLEDGES.visible(session, actor, pledge_id)
    kind, reason = str(form.get("kind") or ""), str(form.get("reason") or "")
    changes = texts(form, (*domain.CHANGEABLE, "cancellation_reason"))
    proofs = uploads(form, "proof")
    return PAGE.submit(request, session, actor, pledge_id, lambda: service.request_amendment(
        session, actor, pledge, kind, changes, reason, proofs[0] if proofs else None), form=f"amend-{kind}",
        posted=changes | {"reason": reason})


@router.get("/{pledge_id:int}/notice.pdf")
def notice(request: Request, pledge_id: int, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    """The latest notice of the application (registration, refusal, change or cancellation)."""
    ensure_user(actor)
    pledge: Pledge = service.PLEDGES.visible(session, actor, pledge_id)
    found = service.latest_notice(session, pledge)
    if found is None:
        raise NotFound(Msg("No notice has been issued for {number} yet", number=pledge.application_number))
    with service.files_of(session).open(found.sha256) as fh:
        return download_response(found.filename, fh.read(), "application/pdf")


@router.post("/{pledge_id:int}/notices/reissue")
def reissue_notices(request: Request, pledge_id: int, form: FormData = Depends(posted_form),
                    actor: Actor = Depends(require(*casetypes.OFFICIALS)), session: Session = Depends(db_session)):
    """Issue the application's notices again: new editions, the old ones kept, audited."""
    return PAGE.reissue(request, session, actor, pledge_id, reissue.KIND, service.files_of(session), form,
                        form_name=reissue.FORM)


mount_record(router, PAGE)  # the application page, its step forms and its requests' steps
