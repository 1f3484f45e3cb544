"""HTML pages of data-IP registration (数据知识产权登记).

Signed-in pages: the list of applications, the filing form, the application page with the actions the person
may take (review steps, change and renewal), the certificate download. Public pages (`@public`): the registry
of products in publicity or registered, the public record with the objection form (anonymous visitors post
it with the double-submit CSRF cookie, as on the login form), the verification page the certificate's QR code
points at, and the transparency log with the integrity check for officials.

The lists, the application page, its step forms and the steps of change and renewal requests are the case kit's
generic pages (web/case_pages.py) declared here. What the pages read (access, filters, the lists, public lookups,
one application's facts) is the read model in queries.py, which the JSON API reads too.
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core import audit
from ipcity.core.context import settings_of
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.roles import APPLICANT_COMPANY, APPLICANT_INDIVIDUAL, Actor
from ipcity.core.tables import User
from ipcity.services.dataip import casetypes, domain, evidence, reissue, sequencer, service, tlog
from ipcity.services.dataip.objections import CodeRejected
from ipcity.services.dataip.queries import (
    AUDITORS,
    FORM_FIELDS,
    Filters,
    applications_query,
    ensure_user,
    industry_name,
    log_entries_of,
    objection_open,
    product_by_certificate,
    product_context,
    public_product,
    registry_query,
    sections,
    state_label,
    suggestions,
)
from ipcity.services.dataip.tables import DataProduct
from ipcity.services.dataip.verify import fingerprint
from ipcity.web.case_pages import ListPage, RecordPage, list_page, mount_record, posted_form, texts, uploads
from ipcity.web.deps import (
    ANON_CSRF_COOKIE,
    check_anonymous_csrf,
    db_session,
    public,
    require,
    signed_in_or_anonymous,
    writes,
)
from ipcity.web.export import download_response
from ipcity.web.limits import body_limit
from ipcity.web.paging import to_int
from ipcity.web.templating import render
from ipcity.workflow.tables import Case

router = APIRouter(prefix="/dataip")

LOG_PAGE_SIZE = 50
EXPERT_CONCLUSIONS = {"supports": Msg("Supports registration"), "opposes": Msg("Opposes registration"),
                      "mixed": Msg("Mixed opinion")}
ENTRY_KINDS = {
    "filing": Msg("Filing (data hashes fixed)"), "publicity": Msg("Publicity"), "objection": Msg("Objection"),
    "objection_decision": Msg("Objection dismissed"), "refusal": Msg("Refusal"),
    "registration": Msg("Registration"), "change": Msg("Change"), "renewal": Msg("Renewal"),
    "withdrawal": Msg("Withdrawal"), "cancellation": Msg("Cancellation"), "revocation": Msg("Revocation"),
    "expiry": Msg("Expiry"),
}


def _d(value) -> str:
    return value.isoformat() if value else ""


def _codes() -> dict:
    return {"categories": domain.CATEGORIES, "source_kinds": domain.SOURCE_KINDS, "holder_types": domain.HOLDER_TYPES,
            "frequencies": domain.UPDATE_FREQUENCIES, "grounds": domain.REFUSAL_GROUNDS,
            "states": service.REGISTRATION.states, "state_label": state_label, "industry_name": industry_name,
            "entry_kinds": ENTRY_KINDS, "conclusions": EXPERT_CONCLUSIONS, "sections": sections(),
            "changeable": casetypes.CHANGEABLE, "change_labels": casetypes.CHANGE_LABELS}


APPLICATIONS = ListPage(
    "dataip/list.html", Filters, applications_query, "dataip-applications",
    ["application_number", "name", "category", "industry_code", "holder_name", "holder_type", "state", "filed_at",
     "registration_number", "certificate_number", "registered_on", "valid_until"],
    lambda session, rows: [[p.application_number, p.name, p.category, p.industry_code, p.holder_name,
                            p.holder_type, p.state, p.filed_at.isoformat(), p.registration_number or "",
                            p.certificate_number or "", _d(p.registered_on), _d(p.valid_until)] for p in rows],
    context=lambda session, actor, result: {"may_file": actor.role in casetypes.APPLICANTS,
                                            "may_audit": actor.role in AUDITORS})
REGISTRY = ListPage(
    "dataip/registry.html", Filters, lambda actor, filters: registry_query(filters), "dataip-registry",
    ["application_number", "name", "category", "industry_code", "industry_name", "holder_name", "holder_type",
     "state", "registration_number", "certificate_number", "registered_on", "valid_until", "data_sha256"],
    lambda session, rows: [[p.application_number, p.name, p.category, p.industry_code, industry_name(p.industry_code),
                            p.holder_name, p.holder_type, p.state, p.registration_number or "",
                            p.certificate_number or "", _d(p.registered_on), _d(p.valid_until),
                            " ".join(e.sha256 for e in p.data_files)] for p in rows],
    context=lambda session, actor, result: {
        "public_states": [s for s in service.REGISTRATION.states if s.key in service.PUBLIC_STATES]})
PAGE = RecordPage(service.PRODUCTS, "dataip/product.html", "/dataip/{id}",
                  lambda s, actor, p: product_context(s, actor, p) | reissue.page_context(s, actor, p), codes=_codes,
                  forms=lambda ctx: ({"amend-change", "amend-renewal"} if ctx["may_amend"] else set()) | {reissue.FORM},
                  amendment=service.AMENDMENTS, parent="product", check_user=ensure_user)


@router.get("")
def applications_page(request: Request, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    ensure_user(actor)
    return list_page(request, session, actor, APPLICATIONS, _codes())


# --- filing -----------------------------------------------------------------------------------------------

def _form_context(session: Session, actor: Actor, values: dict, error: DomainError | None = None) -> dict:
    user = session.get(User, actor.user_id)
    individual = actor.role == APPLICANT_INDIVIDUAL or user.unit is None
    return _codes() | {
        "values": values, "error": error, "verified": user.identity_verified, "individual": individual,
        "holder_name": user.display_name if individual else user.unit.name_zh, "industries": suggestions(),
        "company_holder_types": {k: v for k, v in domain.HOLDER_TYPES.items() if k != "natural_person"},
        "max_files": service.MAX_DATA_FILES, "max_gb": service.max_data_bytes(settings_of(session)) // 1024**3}


@router.get("/new")
def new_application_page(request: Request, actor: Actor = Depends(require(APPLICANT_COMPANY, APPLICANT_INDIVIDUAL)),
                         session: Session = Depends(db_session)):
    values = {"holder_type": "legal_person", "update_frequency": "", "category": ""}
    return render(request, "dataip/form.html", _form_context(session, actor, values))


@router.post("/new")
@body_limit(lambda s: service.MAX_DATA_FILES * service.max_data_bytes(s) + s.max_multipart_bytes)
def file_application(request: Request, form: FormData = Depends(posted_form),
                     actor: Actor = Depends(require(APPLICANT_COMPANY, APPLICANT_INDIVIDUAL)),
                     session: Session = Depends(db_session)):
    values = texts(form, FORM_FIELDS)
    declared = str(form.get("declared_hashes") or "")
    samples = uploads(form, "sample")
    try:
        product = service.file_application(session, actor, values, uploads(form, "data_files"), declared,
                                           samples[0] if samples else None)
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status != 400:
            raise
        return render(request, "dataip/form.html", _form_context(session, actor, values | {"declared_hashes": declared},
                                                                  exc), status_code=400)
    return RedirectResponse(f"/dataip/{product.id}", status_code=303)


# --- the public registry (declared before /{product_id} so that the fixed paths win) --------------------------

@router.get("/registry")
@public
def registry_page(request: Request, actor: Actor | None = Depends(signed_in_or_anonymous()),
                  session: Session = Depends(db_session)):
    return list_page(request, session, actor, REGISTRY, _codes())


@router.get("/registry/{application_number}")
@public
def record_page(request: Request, application_number: str,
                actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    product = public_product(session, application_number)
    case = session.get(Case, product.case_id)
    return render(request, "dataip/record.html", _codes() | {
        "p": product, "publicity_ends": service.publicity_ends(session, case),
        "objections_until": objection_open(session, product), "entries": log_entries_of(session, product),
        "head": tlog.latest_head(session)})


def _objection_context(request: Request, session: Session, actor: Actor | None, product: DataProduct,
                       values: dict, error: DomainError | None = None, token: str = "") -> dict:
    limits = settings_of(session)
    return _codes() | {"p": product, "values": values, "error": error, "signed_in": actor is not None,
                       "form_token": token, "objections_until": objection_open(session, product),
                       "max_files": limits.objection_max_files, "max_mb": limits.objection_max_bytes // (1024 * 1024)}


@router.get("/registry/{application_number}/object")
@public
def objection_page(request: Request, application_number: str,
                   actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    product = public_product(session, application_number)
    token = request.cookies.get(ANON_CSRF_COOKIE) or secrets.token_urlsafe(24)
    values = {"objector_name": actor.unit_name or actor.display_name} if actor else {}
    response = render(request, "dataip/objection_form.html",
                      _objection_context(request, session, actor, product, values, token=token))
    if actor is None:  # the double-submit cookie of anonymous forms (as on /login)
        response.set_cookie(ANON_CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=request.app.state.services.settings.secure_cookies)
    return response


async def objector(request: Request, actor: Actor | None = Depends(signed_in_or_anonymous())) -> Actor | None:
    """Signed-in people's CSRF token is checked by the session; anonymous visitors need the form cookie."""
    if actor is None:
        await check_anonymous_csrf(request)
    return actor


@router.post("/registry/{application_number}/object")
@public
def file_objection(request: Request, application_number: str, form: FormData = Depends(posted_form),
                   actor: Actor | None = Depends(objector), session: Session = Depends(db_session)):
    product = public_product(session, application_number)
    values = {"objector_name": str(form.get("objector_name") or ""),
              "objector_contact": str(form.get("objector_contact") or ""),
              "statement": str(form.get("statement") or ""), "grounds": [str(g) for g in form.getlist("grounds")]}
    try:
        receipt = service.file_objection(
            session, actor, product, name=values["objector_name"], contact=values["objector_contact"],
            grounds=values["grounds"], statement=values["statement"], evidence=uploads(form, "evidence"),
            client=request.client.host if request.client else "")
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status != 400:
            raise
        product = public_product(session, application_number)
        token = "" if actor else request.cookies.get(ANON_CSRF_COOKIE, "")
        return render(request, "dataip/objection_form.html",
                      _objection_context(request, session, actor, product, values, exc, token), status_code=400)
    if not receipt.filed:  # anonymous: filed once the code sent to the contact is entered
        return _confirm_page(request, session, product, receipt.ticket, receipt.channel,
                             _masked(receipt.objection.objector_contact))
    return render(request, "dataip/objection_received.html", {"p": product, "objection": receipt.objection,
                                                              "head": tlog.latest_head(session)})


def _masked(contact: str) -> str:
    """Enough of the contact to recognise it, not enough to read it off the screen."""
    if "@" in contact:
        user, _, host = contact.partition("@")
        return f"{user[:2]}***@{host}"
    return f"{contact[:3]}****{contact[-4:]}"


def _confirm_page(request: Request, session: Session, product: DataProduct, ticket: str, channel: str, to: str,
                  error: DomainError | None = None, status: int = 200):
    return render(request, "dataip/objection_confirm.html", {
        "p": product, "ticket": ticket, "channel": channel, "to": to, "error": error,
        "form_token": request.cookies.get(ANON_CSRF_COOKIE, ""),
        "minutes": settings_of(session).contact_code_minutes}, status_code=status)


@router.post("/registry/{application_number}/object/confirm")
@public
def confirm_objection(request: Request, application_number: str, form: FormData = Depends(posted_form),
                      actor: Actor | None = Depends(objector), session: Session = Depends(db_session)):
    product = public_product(session, application_number)
    ticket, code = str(form.get("ticket") or ""), str(form.get("code") or "")
    channel, to = str(form.get("channel") or ""), str(form.get("to") or "")
    try:
        objection = service.confirm_objection(session, product, ticket, code)
        session.commit()
    except DomainError as exc:
        if isinstance(exc, CodeRejected):
            session.commit()  # the wrong attempt stays counted: that is what bounds guessing
        else:
            session.rollback()
        if exc.status != 400:
            raise
        product = public_product(session, application_number)
        return _confirm_page(request, session, product, ticket, channel, to[:200], exc, 400)
    return render(request, "dataip/objection_received.html", {"p": product, "objection": objection,
                                                              "head": tlog.latest_head(session)})


# --- verification (the QR code's target) and the log -----------------------------------------------------

@router.get("/verify")
@public
def verify_start(request: Request, number: str = "", actor: Actor | None = Depends(signed_in_or_anonymous()),
                 session: Session = Depends(db_session)):
    """Verification without the QR code: the number printed on the certificate leads to its verification."""
    number = number.strip()
    if not number:
        return render(request, "dataip/verify_start.html", {"number": ""})
    try:
        product = product_by_certificate(session, number[:40])
    except DomainError as exc:
        return render(request, "dataip/verify_start.html", {"number": number[:40], "error": exc},
                      status_code=exc.status)
    return RedirectResponse(f"/dataip/verify/{quote(product.certificate_number, safe='')}", status_code=303)


@router.get("/verify/{certificate_number}")
@public
def verify_page(request: Request, certificate_number: str, sha256: str = "",
                actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    product = product_by_certificate(session, certificate_number)
    signer = service.signer_of(session)
    pasted = sha256.strip().lower()
    match = None
    if pasted:
        match = next((e for e in product.data_files if e.sha256 == pasted), False)
    leaf = tlog.leaf(session, product.log_index) if product.log_index is not None else None
    head = tlog.latest_head(session)
    try:
        problems = evidence.record_problems(session, product)
    except tlog.LogIntegrityError as exc:  # the stored log contradicts itself: say so, do not fail the page
        problems = [str(exc)]
    return render(request, "dataip/verify.html", _codes() | {
        "p": product, "problems": problems, "head": head,
        "head_time": _head_time(head), "leaf": leaf, "fingerprint": fingerprint(signer.public_raw),
        "key_id": signer.key_id,
        "pasted": pasted, "match": match, "well_formed": bool(domain.SHA256.match(pasted)) if pasted else True})


def _head_time(head) -> str:
    return tlog.head_json(head)["time"].replace("+00:00", "Z") if head else ""


def _log_context(session: Session, page: int, check: list | None = None) -> dict:
    head = tlog.latest_head(session)
    size = head.size if head else 0
    pages = max(1, (size + LOG_PAGE_SIZE - 1) // LOG_PAGE_SIZE)
    page = min(max(1, page), pages)
    end = size - (page - 1) * LOG_PAGE_SIZE  # newest first
    entries = list(reversed(tlog.entries(session, max(0, end - LOG_PAGE_SIZE), end)))
    signer = service.signer_of(session)
    promised = tlog.size(session) - size  # appended, promised, not yet under a signed head
    return _codes() | {"head": head, "head_time": _head_time(head), "entries": entries, "page": page, "pages": pages,
                       "promised": promised, "merge_delay": service.merge_delay(session),
                       "public_pem": signer.public_pem().decode(), "key_id": signer.key_id,
                       "fingerprint": fingerprint(signer.public_raw), "check": check}


@router.get("/log")
@public
def log_page(request: Request, page: str = "1", actor: Actor | None = Depends(signed_in_or_anonymous()),
             session: Session = Depends(db_session)):
    return render(request, "dataip/log.html", _log_context(session, to_int(page)) | {
        "may_check": actor is not None and actor.role in AUDITORS})


@router.post("/log/check")
def check_log(request: Request, actor: Actor = Depends(require(*AUDITORS)), session: Session = Depends(db_session)):
    sequencer.sign_now(session, service.signer_of(session))  # promised entries are checked under a head too
    problems = evidence.integrity_problems(session)
    head = tlog.latest_head(session)
    audit.record(session, actor, "dataip.log_check", "dataip.log", head.size if head else 0,
                 summary=f"{len(problems)} problem(s)", detail={"problems": [p.render("en") for p in problems[:50]]})
    session.commit()
    return render(request, "dataip/log.html", _log_context(session, 1, problems) | {"may_check": True})


# --- one application: its own forms (change and renewal requests) and the certificate --------------------------

@router.post("/{product_id:int}/amend")
def amend(request: Request, product_id: int, form: FormData = Depends(posted_form),
          actor: Actor = Depends(require(APPLICANT_COMPANY, APPLICANT_INDIVIDUAL)),
          session: Session = Depends(db_session)):
    product = service.PRODUCTS.visible(session, actor, product_id)
    kind, reason = str(form.get("kind") or ""), str(form.get("reason") or "")
    changes = texts(form, casetypes.CHANGEABLE)
    return PAGE.submit(request, session, actor, product_id, lambda: service.request_amendment(
        session, actor, product, kind, changes, reason), form=f"amend-{kind}", posted=changes | {"reason": reason})


@router.get("/{product_id:int}/certificate.pdf")
@writes()  # the edition rendered on first download is kept
def certificate(request: Request, product_id: int, actor: Actor = Depends(require()),
                session: Session = Depends(db_session)):
    ensure_user(actor)
    product = service.PRODUCTS.visible(session, actor, product_id)
    if product.state != "registered":
        raise DomainError(Msg("Only a registration in force has a certificate ({state})",
                              state=state_label(product.state)))
    service.include_now(session, product.log_index)  # the certificate's proof needs a head over its entry now
    pdf = evidence.certificate_pdf(session, product)
    name = f"{product.certificate_number}.pdf"
    session.commit()  # the rendered edition is kept in the file store
    return download_response(name, pdf, "application/pdf")


@router.post("/{product_id:int}/certificate/reissue")
def reissue_certificate(request: Request, product_id: int, form: FormData = Depends(posted_form),
                        actor: Actor = Depends(require(*casetypes.OFFICIALS)), session: Session = Depends(db_session)):
    """Issue the certificate again: a new edition, the old ones kept, audited."""
    return PAGE.reissue(request, session, actor, product_id, reissue.KIND, service.files_of(session), form,
                        form_name=reissue.FORM)


mount_record(router, PAGE)  # the application page, its step forms and its requests' steps
