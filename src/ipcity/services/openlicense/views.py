"""HTML pages of open licensing (专利开放许可).

Public (`@public`): the searchable list of declarations in effect (and, on request, withdrawn ones) with CSV, and
the public record of one declaration. Signed in: declaring (companies), the declaration page with the office's
formal check, taking a licence, "my licences" with recording and royalty payments, matchmaking, the annual-fee
page of a patent, and the office's statistics. The filters, lists and labels come from queries.py and the role
sets from access.py, which the JSON API reads too, so that pages and API apply the same filters and access rules.
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from ipcity.core.errors import DomainError, PermissionDenied
from ipcity.core.files import Upload, attachments_of
from ipcity.core.i18n import Msg
from ipcity.core.roles import APPLICANT_COMPANY, Actor
from ipcity.patents import register
from ipcity.services.openlicense import casetypes, domain, matching, service, stats
from ipcity.services.openlicense.access import AUDITORS, USERS, ensure_office
from ipcity.services.openlicense.queries import (
    PublicFilters,
    declarations_query,
    districts,
    licence_state_label,
    licences_query,
    money,
    public_query,
    rate_text,
    region_name,
    royalties_of,
    settings_of,
    state_label,
    to_int,
)
from ipcity.services.openlicense.tables import Declaration
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous
from ipcity.web.export import csv_response
from ipcity.web.paging import Page, paged
from ipcity.web.templating import render
from ipcity.workflow import engine

router = APIRouter(prefix="/openlicense")

PAGE_SIZE = 30
FORM_FIELDS = ("patent_number", "mode", "lump_sum", "rate", "rate_basis", "entry_fee", "term_start", "term_end",
               "other_terms", "contact", "small_entity")
CONSENT_ROWS = 3
PUBLIC_HEADER = ["number", "patent_number", "title", "patent_type", "ipc_main", "region_code", "region", "patentee",
                 "mode", "lump_sum_yuan", "rate_percent", "rate_basis", "entry_fee_yuan", "term_start", "term_end",
                 "published_on", "state", "withdrawn_on", "contact"]
LICENCE_HEADER = ["number", "declaration", "patent_number", "licensor", "licensee", "mode", "start_on", "end_on",
                  "state", "recorded_on", "royalties_yuan"]
REDUCTIONS = {"small_single": Msg("85 % reduction (费减)"), "small_several": Msg("70 % reduction (费减)"),
              "open_licence": Msg("Open licence 15 % (财税〔2024〕23号)")}


# --- page helpers -------------------------------------------------------------------------------------------

def public_rows(rows: list[Declaration]) -> list[list]:
    return [[d.number, d.patent_number, d.title, d.patent_type, d.ipc_main, d.region_code, region_name(d.region_code),
             d.patentee, d.mode, money(d.lump_sum), rate_text(d.rate), d.rate_basis if d.rate is not None else "",
             money(d.entry_fee), d.term_start.isoformat(), d.term_end.isoformat(),
             d.published_on.isoformat() if d.published_on else "", d.state,
             d.withdrawn_on.isoformat() if d.withdrawn_on else "", d.contact] for d in rows]


def _codes() -> dict:
    return {"modes": domain.MODES, "bases": domain.RATE_BASES, "types": domain.PATENT_TYPES,
            "small_entity": domain.SMALL_ENTITY, "grounds": domain.GROUNDS, "state_label": state_label,
            "licence_state_label": licence_state_label, "region_name": region_name, "money": money,
            "rate_text": rate_text, "reductions": REDUCTIONS, "states": service.DECLARATION.states,
            "licence_states": service.LICENCE.states}


async def posted_form(request: Request) -> FormData:
    return await request.form()


def _upload(form: FormData, name: str) -> Upload | None:
    f = form.get(name)
    return Upload(f.filename, f.file) if isinstance(f, UploadFile) and f.filename else None


def _consents(form: FormData) -> list[tuple[str, Upload]]:
    return [(str(form.get(f"consent_pledgee_{i}") or ""), _upload(form, f"consent_file_{i}"))
            for i in range(1, CONSENT_ROWS + 1)]


def _ensure(actor: Actor, roles: frozenset[str], message: Msg) -> None:
    if actor.role not in roles:
        raise PermissionDenied(message)


# --- public list and record ---------------------------------------------------------------------------------

@router.get("")
@public
def public_list(request: Request, q: str = "", ipc: str = "", region: str = "", mode: str = "", max_fee: str = "",
                patent_type: str = "", status: str = "", sort: str = "", page: str = "1", format: str = "",
                actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    filters = PublicFilters(q, ipc, region, mode, max_fee, patent_type, status, sort)
    error, result = None, Page([], 0, 1, 1)
    try:
        stmt = public_query(filters)
        if format == "csv":
            return csv_response("open-licences.csv", PUBLIC_HEADER, public_rows(list(session.scalars(stmt))))
        result = paged(session, stmt, to_int(page), PAGE_SIZE)
    except DomainError as exc:
        error = exc
    return render(request, "openlicense/list.html", _codes() | {
        "result": result, "filters": filters, "error": error, "districts": districts(),
        "may_declare": actor is not None and actor.role == APPLICANT_COMPANY,
        "signed_in_user": actor is not None and actor.role in USERS})


@router.get("/d/{number}")
@public
def public_record(request: Request, number: str, actor: Actor | None = Depends(signed_in_or_anonymous()),
                  session: Session = Depends(db_session)):
    d = service.public_declaration(session, number)
    record = register.find(session, d.app_number)
    position = register.position(session, record)
    may_take = (actor is not None and actor.role == APPLICANT_COMPANY and actor.unit_id != d.declarant_unit_id
                and d.state in domain.TAKEABLE_STATES)
    case = service.case_of(session, d)
    return render(request, "openlicense/record.html", _codes() | {
        "d": d, "record": record, "position": position, "may_take": may_take, "case": case,
        "licences_count": len(service.licences_of(session, d)),
        "schedule": service.fee_schedule(session, position, "none")})


# --- declaring ----------------------------------------------------------------------------------------------

def _suggestions(session: Session, unit_name: str) -> list[tuple[str, str]]:
    """Granted patents of the unit in the register (for the patent-number field)."""
    return [("ZL" + r.app_number[2:] if r.app_number.startswith("CN") else r.app_number, r.title)
            for r in register.granted_naming(session, unit_name)]


def _form_context(session: Session, actor: Actor, values: dict, error: DomainError | None = None,
                  check=None) -> dict:
    return _codes() | {"values": values, "error": error, "patentee": actor.unit_name, "check": check,
                       "suggestions": _suggestions(session, actor.unit_name), "consent_rows": CONSENT_ROWS,
                       "caps": service.rules()}


@router.get("/declarations/new")
def new_declaration(request: Request, patent: str = "", actor: Actor = Depends(require(APPLICANT_COMPANY)),
                    session: Session = Depends(db_session)):
    values = {"mode": "", "rate_basis": "net_sales", "small_entity": "none", "patent_number": patent}
    check = None
    if patent.strip():
        try:
            position, grounds = service.check_patent(session, actor, patent)
            check = {"position": position, "grounds": grounds}
        except DomainError as exc:
            check = {"error": exc}
    return render(request, "openlicense/form.html", _form_context(session, actor, values, check=check))


@router.post("/declarations/new")
def file_declaration(request: Request, form: FormData = Depends(posted_form),
                     actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    values = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    try:
        d = service.file_declaration(session, actor, values, _upload(form, "evaluation_report"), _consents(form))
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status != 400:
            raise
        posted = values | {f"consent_pledgee_{i}": str(form.get(f"consent_pledgee_{i}") or "")
                           for i in range(1, CONSENT_ROWS + 1)}
        return render(request, "openlicense/form.html", _form_context(session, actor, posted, exc), status_code=400)
    return RedirectResponse(f"/openlicense/declarations/{d.id}", status_code=303)


@router.get("/declarations")
def declarations_page(request: Request, q: str = "", state: str = "", page: str = "1", format: str = "",
                      actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    stmt = declarations_query(actor, q, state)
    if format == "csv":
        return csv_response("open-licence-declarations.csv", PUBLIC_HEADER, public_rows(list(session.scalars(stmt))))
    return render(request, "openlicense/declarations.html", _codes() | {
        "result": paged(session, stmt, to_int(page), PAGE_SIZE), "q": q, "state": state,
        "query": lambda **kw: urlencode({k: v for k, v in ({"q": q, "state": state} | kw).items() if v}),
        "may_declare": actor.role == APPLICANT_COMPANY})


def declaration_context(session: Session, actor: Actor, d: Declaration, **extra) -> dict:
    case = service.case_of(session, d)
    record = register.find(session, d.app_number)
    position = register.position(session, record)
    actions = engine.available_actions(service.DECLARATION, case, actor)
    grounds = service.check_declaration(session, d) if d.state in casetypes.UNPUBLISHED else []
    is_declarant = actor.role == APPLICANT_COMPANY and actor.unit_id == d.declarant_unit_id
    licences = service.licences_of(session, d)
    return _codes() | {
        "d": d, "case": case, "record": record, "position": position, "type": service.DECLARATION,
        "actions": actions, "eligibility": grounds, "failing": {g.key for g in grounds},
        "deadlines": engine.deadlines(session, service.DECLARATION, case),
        "schedule": service.fee_schedule(session, position, d.small_entity, preview=d),
        "reports": attachments_of(session, service.REPORT_OWNER, d.id),
        "consent_files": {a.id: a for a in attachments_of(session, service.CONSENT_OWNER, d.id)},
        "may_resubmit": is_declarant and d.state == "correction", "is_declarant": is_declarant,
        "licences": licences, "royalties": royalties_of(session, [lic.id for lic in licences]),
        "values": {k: getattr(d, k) for k in ("mode", "rate_basis", "small_entity", "other_terms", "contact")}
        | {"lump_sum": d.lump_sum or "", "rate": rate_text(d.rate), "entry_fee": d.entry_fee or "",
           "term_start": d.term_start.isoformat(), "term_end": d.term_end.isoformat()},
        "consent_rows": CONSENT_ROWS, "error": None, "error_for": "", "posted": {}, **extra}


def _declaration_page(request: Request, session: Session, actor: Actor, declaration_id: int, status: int = 200,
                      **extra):
    d = service.visible_declaration(session, actor, declaration_id)
    ctx = declaration_context(session, actor, d, **extra)
    if extra.get("values_override"):
        ctx["values"] = extra["values_override"]
    return render(request, "openlicense/declaration.html", ctx, status_code=status)


@router.get("/declarations/{declaration_id}")
def declaration_page(request: Request, declaration_id: int, actor: Actor = Depends(require(*USERS)),
                     session: Session = Depends(db_session)):
    return _declaration_page(request, session, actor, declaration_id)


@router.post("/declarations/{declaration_id}/act")
def act(request: Request, declaration_id: int, form: FormData = Depends(posted_form),
        actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    d = service.visible_declaration(session, actor, declaration_id)
    key = str(form.get("transition") or "")
    reason = str(form.get("reason") or "")
    values: dict = {}
    if key == "refuse":
        values["grounds"] = [str(g) for g in form.getlist("grounds")]
    try:
        service.act(session, actor, d, key, values, reason)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _declaration_page(request, session, actor, declaration_id, exc.status, error=exc, error_for=key,
                                 posted=values | {"reason": reason})
    return RedirectResponse(f"/openlicense/declarations/{declaration_id}", status_code=303)


@router.post("/declarations/{declaration_id}/resubmit")
def resubmit(request: Request, declaration_id: int, form: FormData = Depends(posted_form),
             actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    d = service.visible_declaration(session, actor, declaration_id)
    values = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    reason = str(form.get("reason") or "")
    try:
        service.resubmit(session, actor, d, values, _upload(form, "evaluation_report"), _consents(form), reason)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _declaration_page(request, session, actor, declaration_id, exc.status, error=exc,
                                 error_for="resubmit", values_override=values, posted={"reason": reason})
    return RedirectResponse(f"/openlicense/declarations/{declaration_id}", status_code=303)


# --- taking a licence ---------------------------------------------------------------------------------------

def _take_context(session: Session, actor: Actor, d: Declaration, values: dict, error=None) -> dict:
    return _codes() | {"d": d, "values": values, "error": error, "licensee": actor.unit_name}


@router.get("/d/{number}/take")
def take_page(request: Request, number: str, actor: Actor = Depends(require(APPLICANT_COMPANY)),
              session: Session = Depends(db_session)):
    d = service.public_declaration(session, number)
    from ipcity.core.clock import today

    values = {"mode": d.mode, "start_on": max(today(), d.published_on or today()).isoformat()}
    return render(request, "openlicense/take.html", _take_context(session, actor, d, values))


@router.post("/d/{number}/take")
def take(request: Request, number: str, form: FormData = Depends(posted_form),
         actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    d = service.public_declaration(session, number)
    values = {k: str(form.get(k) or "") for k in ("mode", "start_on", "products", "contact")}
    try:
        lic = service.take_licence(session, actor, d, values)
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status not in (400, 409):
            raise
        d = service.public_declaration(session, number)
        return render(request, "openlicense/take.html", _take_context(session, actor, d, values, exc),
                      status_code=exc.status)
    return RedirectResponse(f"/openlicense/licences/{lic.id}", status_code=303)


# --- licences -----------------------------------------------------------------------------------------------

@router.get("/licences")
def licences_page(request: Request, side: str = "", state: str = "", q: str = "", format: str = "",
                  page: str = "1", actor: Actor = Depends(require(*USERS)), session: Session = Depends(db_session)):
    stmt = licences_query(actor, side, state, q)
    if format == "csv":
        rows = list(session.scalars(stmt))
        paid = royalties_of(session, [r.id for r in rows])
        decls = {d.id: d for d in session.scalars(select(Declaration).where(
            Declaration.id.in_({r.declaration_id for r in rows})))} if rows else {}
        return csv_response("open-licences-taken.csv", LICENCE_HEADER, [
            [r.number, decls[r.declaration_id].number, decls[r.declaration_id].patent_number, r.licensor,
             r.licensee, r.mode, r.start_on.isoformat(), r.end_on.isoformat(), r.state,
             r.recorded_on.isoformat() if r.recorded_on else "", money(paid.get(r.id, 0))] for r in rows])
    result = paged(session, stmt, to_int(page), PAGE_SIZE)
    decls = {d.id: d for d in session.scalars(select(Declaration).where(
        Declaration.id.in_({r.declaration_id for r in result.rows})))} if result.rows else {}
    return render(request, "openlicense/licences.html", _codes() | {
        "result": result, "side": side, "state": state, "q": q, "decls": decls,
        "royalties": royalties_of(session, [r.id for r in result.rows]),
        "query": lambda **kw: urlencode({k: v for k, v in ({"side": side, "state": state, "q": q} | kw).items()
                                         if v}),
        "company": actor.role == APPLICANT_COMPANY, "unit_id": actor.unit_id})


def _licence_page(request: Request, session: Session, actor: Actor, licence_id: int, status: int = 200, **extra):
    lic = service.visible_licence(session, actor, licence_id)
    case = service.case_of(session, lic)
    d = session.get(Declaration, lic.declaration_id)
    payments = service.payments_of(session, lic)
    side = service.side_of(actor, lic)
    return render(request, "openlicense/licence.html", _codes() | {
        "lic": lic, "case": case, "d": d, "payments": payments, "side": side, "type": service.LICENCE,
        "proofs": attachments_of(session, service.PROOF_OWNER, lic.id),
        "payment_files": {p.id: attachments_of(session, service.PAYMENT_OWNER, p.id) for p in payments},
        "total": sum((p.amount for p in payments), Decimal(0)),
        "actions": {t.key for t in engine.available_actions(service.LICENCE, case, actor)} if side else set(),
        "error": None, "error_for": "", "posted": {}, **extra}, status_code=status)


@router.get("/licences/{licence_id}")
def licence_page(request: Request, licence_id: int, actor: Actor = Depends(require(*USERS)),
                 session: Session = Depends(db_session)):
    return _licence_page(request, session, actor, licence_id)


@router.post("/licences/{licence_id}/record")
def record_licence(request: Request, licence_id: int, form: FormData = Depends(posted_form),
                   actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    lic = service.visible_licence(session, actor, licence_id)
    try:
        service.record_licence(session, actor, lic, _upload(form, "proof"))
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _licence_page(request, session, actor, licence_id, exc.status, error=exc, error_for="record")
    return RedirectResponse(f"/openlicense/licences/{licence_id}", status_code=303)


@router.post("/licences/{licence_id}/payments")
def record_payment(request: Request, licence_id: int, form: FormData = Depends(posted_form),
                   actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    lic = service.visible_licence(session, actor, licence_id)
    values = {k: str(form.get(k) or "") for k in ("amount", "paid_on", "period", "note")}
    try:
        service.record_payment(session, actor, lic, values, _upload(form, "proof"))
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _licence_page(request, session, actor, licence_id, exc.status, error=exc, error_for="payment",
                             posted=values)
    return RedirectResponse(f"/openlicense/licences/{licence_id}", status_code=303)


@router.post("/licences/{licence_id}/end")
def end_licence(request: Request, licence_id: int, form: FormData = Depends(posted_form),
                actor: Actor = Depends(require(APPLICANT_COMPANY)), session: Session = Depends(db_session)):
    lic = service.visible_licence(session, actor, licence_id)
    reason = str(form.get("reason") or "")
    try:
        service.end_licence(session, actor, lic, reason)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _licence_page(request, session, actor, licence_id, exc.status, error=exc, error_for="end",
                             posted={"reason": reason})
    return RedirectResponse(f"/openlicense/licences/{licence_id}", status_code=303)


# --- matchmaking, fees, statistics --------------------------------------------------------------------------

@router.get("/match")
def match_page(request: Request, need: str = "", actor: Actor = Depends(require(*USERS)),
               session: Session = Depends(db_session)):
    results = matching.match(session, need[:2000], encoder=matching.encoder_of(settings_of(request))) \
        if need.strip() else []
    return render(request, "openlicense/match.html", _codes() | {"need": need, "results": results,
                                                                  "company": actor.role == APPLICANT_COMPANY})


@router.get("/patents/{number}")
def patent_fees(request: Request, number: str, small_entity: str = "", actor: Actor = Depends(require(*USERS)),
                session: Session = Depends(db_session)):
    record = register.find(session, number)
    position = register.position(session, record)
    decls = list(session.scalars(select(Declaration).where(Declaration.app_number == register.key_of(record),
                                                           Declaration.published_on.is_not(None))
                                 .order_by(Declaration.published_on)))
    if small_entity not in domain.SMALL_ENTITY:
        own = [d for d in decls if actor.unit_id is not None and d.declarant_unit_id == actor.unit_id]
        small_entity = own[-1].small_entity if own else "none"
    return render(request, "openlicense/patent.html", _codes() | {
        "record": record, "position": position, "decls": decls, "chosen": small_entity,
        "schedule": service.fee_schedule(session, position, small_entity)})


@router.get("/stats")
def stats_page(request: Request, by: str = "section", format: str = "", actor: Actor = Depends(require(*AUDITORS)),
               session: Session = Depends(db_session)):
    ensure_office(session, actor)
    by = by if by in stats.BY else "section"
    rows, total = stats.table(session, by)
    if format == "csv":
        return csv_response(f"open-licensing-{by}.csv", stats.HEADER, [r.cells() for r in [*rows, total]])
    return render(request, "openlicense/stats.html", _codes() | {"rows": rows, "total": total, "by": by,
                                                                  "views": stats.BY})
