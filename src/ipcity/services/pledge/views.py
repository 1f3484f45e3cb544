"""HTML pages of patent pledge registration (专利权质押登记).

Signed-in: the list of applications (the pledgor's, the bank's — with those awaiting its confirmation — or the
registering body's), the joint filing form for the pledgor, the application page with the register check, the
documents, the notices, the actions each party may take, consents, insistence, change and cancellation, and
the valuation summary for banks and officials. Public (`@public`): the gazette of registrations, changes and
cancellations with filters and CSV.

The filters, queries, labels and access check live in queries.py, which api.py reads too, so that pages and
the JSON API apply the same rules.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from ipcity.core.errors import DomainError, NotFound
from ipcity.core.files import Upload, attachments_of
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, BANK, OFFICIAL_ROLES, Actor
from ipcity.core.tables import Attachment, User
from ipcity.patents import register
from ipcity.services.pledge import casetypes, domain, service
from ipcity.services.pledge.queries import (
    GAZETTE_KINDS,
    Filters,
    GazetteFilters,
    applications_query,
    ensure_user,
    gazette_query,
    state_label,
    to_int,
)
from ipcity.services.pledge.tables import GazetteLine, Pledge
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous
from ipcity.web.export import csv_response, download_response
from ipcity.web.paging import Page, paged, transition_values
from ipcity.web.templating import render
from ipcity.workflow import engine
from ipcity.workflow.tables import Case

router = APIRouter(prefix="/pledge")

PAGE_SIZE = 50
LIST_HEADER = ["application_number", "state", "pledgor", "pledgee", "amount_yuan", "debt_start", "debt_end",
               "patents", "filed_on", "registration_number", "registered_on"]
GAZETTE_HEADER = ["kind", "published_on", "registration_number", "registered_on", "pledgor", "pledgee", "ipc_main",
                  "patent_number", "title", "grant_date"]


def _d(value) -> str:
    return value.isoformat() if value else ""


def list_rows(rows: list[Pledge]) -> list[list]:
    return [[p.application_number, p.state, p.pledgor_name, p.pledgee_name, domain.yuan(p.amount_fen).replace(",", ""),
             _d(p.debt_start), _d(p.debt_end), " ".join(x.patent_number for x in p.patents), _d(p.filed_on),
             p.registration_number or "", _d(p.registered_on)] for p in rows]


def gazette_rows(rows: list[GazetteLine]) -> list[list]:
    return [[g.kind, _d(g.published_on), g.registration_number, _d(g.registered_on), g.pledgor, g.pledgee, g.ipc_main,
             g.patent_number, g.title, _d(g.grant_date)] for g in rows]


def _codes() -> dict:
    return {"states": service.REGISTRATION.states, "state_label": state_label, "grounds": domain.GROUNDS,
            "claim_types": domain.CLAIM_TYPES, "fee_payers": domain.FEE_PAYERS, "yes_no": domain.YES_NO,
            "items": domain.CONTRACT_ITEMS, "optional": domain.OPTIONAL_ITEMS, "yuan": domain.yuan,
            "gazette_kinds": GAZETTE_KINDS, "documents": service.DOCUMENTS, "changeable": domain.CHANGEABLE,
            "cancellation_reasons": domain.CANCELLATION_REASONS}


async def posted_form(request: Request) -> FormData:
    return await request.form()


def _uploads(form: FormData, name: str) -> list[Upload]:
    return [Upload(f.filename, f.file) for f in form.getlist(name) if isinstance(f, UploadFile) and f.filename]


# --- the list ---------------------------------------------------------------------------------------------

@router.get("")
def applications_page(request: Request, q: str = "", state: str = "", filed_from: str = "", filed_to: str = "",
                      page: str = "1", format: str = "", actor: Actor = Depends(require()),
                      session: Session = Depends(db_session)):
    ensure_user(actor)
    filters = Filters(q=q, state=state, filed_from=filed_from, filed_to=filed_to)
    error, result = None, Page([], 0, 1, 1)
    try:
        stmt = applications_query(actor, filters)
        if format == "csv":
            return csv_response("pledge-applications.csv", LIST_HEADER, list_rows(list(session.scalars(stmt))))
        result = paged(session, stmt, to_int(page))
    except DomainError as exc:
        error = exc
    awaiting = []
    if actor.role == BANK:
        awaiting = list(session.scalars(applications_query(actor, Filters(state="awaiting_pledgee"))))
    return render(request, "pledge/list.html", _codes() | {
        "result": result, "filters": filters, "error": error, "awaiting": awaiting,
        "may_file": actor.role == APPLICANT_COMPANY, "is_bank": actor.role == BANK})


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


def _form_context(session: Session, actor: Actor, values: dict, error: DomainError | None = None) -> dict:
    user = session.get(User, actor.user_id)
    name = user.unit.name_zh if user.unit else ""
    return _codes() | {"values": values, "error": error, "verified": user.identity_verified, "pledgor_name": name,
                       "banks": service.bank_units(session), "own_patents": _own_patents(session, name) if name else []}


@router.get("/new")
def new_application_page(request: Request, actor: Actor = Depends(require(APPLICANT_COMPANY)),
                         session: Session = Depends(db_session)):
    values = {"patents": request.query_params.get("patents", "")}
    return render(request, "pledge/form.html", _form_context(session, actor, values))


@router.post("/new")
def file_application(request: Request, form: FormData = Depends(posted_form),
                     actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    values = {name: str(form.get(name) or "") for name in service.FORM_FIELDS}
    uploads = {name: _uploads(form, name) for name in service.DOCUMENTS}
    try:
        pledge = service.file_application(session, actor, values, uploads)
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status != 400:
            raise
        return render(request, "pledge/form.html", _form_context(session, actor, values, exc), status_code=400)
    return RedirectResponse(f"/pledge/{pledge.id}", status_code=303)


# --- the public gazette (declared before /{pledge_id} so that the fixed path wins) ---------------------------------

@router.get("/gazette")
@public
def gazette_page(request: Request, q: str = "", kind: str = "", pledgee: str = "", ipc: str = "", date_from: str = "",
                 date_to: str = "", page: str = "1", format: str = "",
                 actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    filters = GazetteFilters(q=q, kind=kind, pledgee=pledgee, ipc=ipc, date_from=date_from, date_to=date_to)
    error, result = None, Page([], 0, 1, 1)
    try:
        stmt = gazette_query(filters)
        if format == "csv":
            return csv_response("pledge-gazette.csv", GAZETTE_HEADER, gazette_rows(list(session.scalars(stmt))))
        result = paged(session, stmt, to_int(page))
    except DomainError as exc:
        error = exc
    return render(request, "pledge/gazette.html", _codes() | {"result": result, "filters": filters, "error": error})


# --- one application -----------------------------------------------------------------------------------------

def valuation_summaries(session: Session, actor: Actor, pledge: Pledge) -> list | None:
    """The valuation helper's summaries (banks and officials only); None while that module is not there."""
    if actor.role not in casetypes.PLEDGEES | OFFICIAL_ROLES | {ADMIN}:
        return None
    try:
        from ipcity.services.pledge.valuation_service import summaries
    except ImportError:
        return None
    try:
        return summaries(session, [p.patent_number for p in pledge.patents], scenario="finance")
    except DomainError:
        return None


def _amendments(session: Session, actor: Actor, pledge: Pledge) -> list[dict]:
    out = []
    for c in service.amendments_of(session, pledge):
        proof = session.get(Attachment, c.data["proof"]) if c.data.get("proof") else None
        out.append({"case": c, "state": service.AMENDMENT.state(c.state).label, "kind": c.data.get("kind"),
                    "changes": c.data.get("changes") or {}, "reason": c.data.get("reason", ""),
                    "cancellation_reason": c.data.get("cancellation_reason", ""), "proof": proof,
                    "deadlines": engine.deadlines(session, service.AMENDMENT, c),
                    "actions": engine.available_actions(service.AMENDMENT, c, actor)})
    return out


def pledge_context(session: Session, actor: Actor, pledge: Pledge, **extra) -> dict:
    case = session.get(Case, pledge.case_id)
    result = service.check(session, pledge)
    amendments = _amendments(session, actor, pledge)
    open_amendment = any(a["case"].closed_at is None for a in amendments)
    pledgor, pledgee = service.is_pledgor(actor, pledge), service.is_pledgee(actor, pledge)
    actions = [t for t in engine.available_actions(service.REGISTRATION, case, actor)
               if t.key not in ("confirm", "decline") or pledgee]
    may_amend = pledge.state == "registered" and (pledgor or pledgee) and not open_amendment
    editable = pledgor and pledge.state in casetypes.BEFORE_DECISION
    forms = {t.key for t in actions} | {f"amendment-{a['case'].id}-{t.key}" for a in amendments for t in a["actions"]}
    forms |= {"amend-change", "amend-cancellation", "consent", "insist"}
    error = extra.get("error")
    consent_slots = []
    for p in pledge.patents:
        given = {c["owner"]: c["attachment"] for c in (p.consents or [])}
        for owner in p.owners:
            if not domain.is_owner(owner, (pledge.pledgor_name,)):
                consent_slots.append({"patent": p, "owner": owner, "attachment": given.get(owner)})
    return _codes() | {
        "p": pledge, "case": case, "type": service.REGISTRATION, "state": state_label(pledge.state),
        "check": result, "deadlines": engine.deadlines(session, service.REGISTRATION, case), "actions": actions,
        "documents": service.documents_of(session, pledge), "document_specs": service.DOCUMENTS,
        "notices": service.notices_of(session, pledge), "amendments": amendments, "may_amend": may_amend,
        "may_change": may_amend and pledgor, "editable": editable, "consent_slots": consent_slots,
        "consents": {a.id: a for a in attachments_of(session, service.CONSENT_OWNER, pledge.id)},
        "activity": service.activity_of(session, pledge), "officials": actor.role in OFFICIAL_ROLES | {ADMIN},
        "valuations": valuation_summaries(session, actor, pledge),
        "valuation_link": "/pledge/valuation?" + urlencode({"numbers": ",".join(x.patent_number
                                                                                 for x in pledge.patents)}),
        "top_error": error if error is not None and extra.get("error_for") not in forms else None,
        "error": None, "error_for": "", "posted": {}, **extra}


def _pledge_page(request: Request, session: Session, actor: Actor, pledge_id: int, status: int = 200, **extra):
    pledge = service.visible_pledge(session, actor, pledge_id)
    return render(request, "pledge/pledge.html", pledge_context(session, actor, pledge, **extra), status_code=status)


@router.get("/{pledge_id:int}")
def pledge_page(request: Request, pledge_id: int, actor: Actor = Depends(require()),
                session: Session = Depends(db_session)):
    ensure_user(actor)
    return _pledge_page(request, session, actor, pledge_id)


@router.post("/{pledge_id:int}/act")
def act(request: Request, pledge_id: int, form: FormData = Depends(posted_form), actor: Actor = Depends(require()),
        session: Session = Depends(db_session)):
    ensure_user(actor)
    pledge = service.visible_pledge(session, actor, pledge_id)
    key, reason = str(form.get("transition") or ""), str(form.get("reason") or "")
    values: dict = {}
    try:
        try:
            values = transition_values(service.REGISTRATION.transition(key), form)
        except KeyError:
            raise DomainError(Msg("Unknown action {action}", action=key[:40]), field="transition") from None
        service.act(session, actor, pledge, key, values, reason)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _pledge_page(request, session, actor, pledge_id, exc.status, error=exc, error_for=key,
                            posted=values | {"reason": reason})
    return RedirectResponse(f"/pledge/{pledge_id}", status_code=303)


@router.post("/{pledge_id:int}/consent")
def add_consent(request: Request, pledge_id: int, form: FormData = Depends(posted_form),
                actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    pledge = service.visible_pledge(session, actor, pledge_id)
    files = _uploads(form, "consent")
    try:
        service.add_consent(session, actor, pledge, to_int(str(form.get("patent_id") or ""), 0),
                            str(form.get("co_owner") or ""), files[0] if files else None)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _pledge_page(request, session, actor, pledge_id, exc.status, error=exc, error_for="consent")
    return RedirectResponse(f"/pledge/{pledge_id}", status_code=303)


@router.post("/{pledge_id:int}/insist")
def insist(request: Request, pledge_id: int, form: FormData = Depends(posted_form),
           actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    pledge = service.visible_pledge(session, actor, pledge_id)
    reason = str(form.get("reason") or "")
    try:
        service.set_insistence(session, actor, pledge, same_day=bool(form.get("insist_same_day")),
                               invalidation=bool(form.get("insist_invalidation")), reason=reason)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _pledge_page(request, session, actor, pledge_id, exc.status, error=exc, error_for="insist",
                            posted={"reason": reason})
    return RedirectResponse(f"/pledge/{pledge_id}", status_code=303)


@router.post("/{pledge_id:int}/amend")
def amend(request: Request, pledge_id: int, form: FormData = Depends(posted_form),
          actor: Actor = Depends(require(APPLICANT_COMPANY, BANK)), session: Session = Depends(db_session)):
    pledge = service.visible_pledge(session, actor, pledge_id)
    kind, reason = str(form.get("kind") or ""), str(form.get("reason") or "")
    changes = {k: str(form.get(k) or "") for k in (*domain.CHANGEABLE, "cancellation_reason")}
    proofs = _uploads(form, "proof")
    try:
        service.request_amendment(session, actor, pledge, kind, changes, reason, proofs[0] if proofs else None)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _pledge_page(request, session, actor, pledge_id, exc.status, error=exc, error_for=f"amend-{kind}",
                            posted=changes | {"reason": reason})
    return RedirectResponse(f"/pledge/{pledge_id}", status_code=303)


@router.post("/amendments/{case_id:int}/act")
def act_on_amendment(request: Request, case_id: int, form: FormData = Depends(posted_form),
                     actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    ensure_user(actor)
    case = session.get(Case, case_id)
    if case is None or case.type_key != casetypes.AMENDMENT_KEY:
        raise NotFound(Msg("No change or cancellation request number {id}", id=case_id))
    pledge_id = service.visible_pledge(session, actor, int(case.subject_id)).id
    key, reason = str(form.get("transition") or ""), str(form.get("reason") or "")
    try:
        service.act_on_amendment(session, actor, case, key, reason)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _pledge_page(request, session, actor, pledge_id, exc.status, error=exc,
                            error_for=f"amendment-{case_id}-{key}", posted={"reason": reason})
    return RedirectResponse(f"/pledge/{pledge_id}", status_code=303)


@router.get("/{pledge_id:int}/notice.pdf")
def notice(request: Request, pledge_id: int, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    """The latest notice of the application (registration, refusal, change or cancellation)."""
    ensure_user(actor)
    pledge = service.visible_pledge(session, actor, pledge_id)
    found = service.latest_notice(session, pledge)
    if found is None:
        raise NotFound(Msg("No notice has been issued for {number} yet", number=pledge.application_number))
    with service.files_of(session).open(found.sha256) as fh:
        return download_response(found.filename, fh.read(), "application/pdf")

