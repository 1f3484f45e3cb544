"""HTML pages of open licensing (专利开放许可).

Public (`@public`): the searchable list of declarations in effect (and, on request, withdrawn ones) with CSV, and
the public record of one declaration. Signed in: declaring (companies), the declaration page with the office's
formal check, taking a licence, "my licences" with recording and royalty payments, matchmaking, the annual-fee
page of a patent, and the office's statistics. The list helpers here are shared with api.py, so that the pages
and the JSON API apply the same filters and access rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from ipcity.core.errors import DomainError, PermissionDenied
from ipcity.core.files import Upload, attachments_of
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, OFFICIAL_ROLES, Actor
from ipcity.patents import register
from ipcity.patents.tables import Patent
from ipcity.services.openlicense import casetypes, domain, matching, service, stats
from ipcity.services.openlicense.tables import Declaration, Licence
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous
from ipcity.web.export import csv_response
from ipcity.web.paging import Page, paged
from ipcity.web.templating import render
from ipcity.workflow import engine
from ipcity.workflow.tables import Case

router = APIRouter(prefix="/openlicense")

USERS = frozenset({APPLICANT_COMPANY}) | OFFICIAL_ROLES | {ADMIN}  # declarations, licences, fees, matchmaking
AUDITORS = OFFICIAL_ROLES | {ADMIN}
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


# --- shared with api.py -------------------------------------------------------------------------------------

def state_label(key: str) -> Msg:
    try:
        return service.DECLARATION.state(key).label
    except KeyError:
        return Msg(key)


def licence_state_label(key: str) -> Msg:
    try:
        return service.LICENCE.state(key).label
    except KeyError:
        return Msg(key)


def region_name(code: str) -> str:
    from ipcity.patents.regions import regions

    try:
        return regions().full_name(code) if code else ""
    except Exception:
        return code


def districts() -> list[tuple[str, str]]:
    """Shanghai's districts (the region filter); any division-code prefix is accepted too."""
    from ipcity.patents.regions import regions

    try:
        return [(c, regions().name(c)) for c in regions().children("3101")]
    except Exception:
        return []


def money(value) -> str:
    return "" if value is None else f"{Decimal(value):,.2f}"


def rate_text(value) -> str:
    return "" if value is None else f"{Decimal(value).normalize():f}"


def _int(value, default: int = 1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass
class PublicFilters:
    q: str = ""
    ipc: str = ""
    region: str = ""
    mode: str = ""
    max_fee: str = ""
    patent_type: str = ""
    status: str = ""  # "" in effect, "withdrawn", "all"
    sort: str = ""  # "" newest, "fee", "title"

    def apply(self, stmt: Select) -> Select:
        states = {"withdrawn": ("withdrawn",), "all": service.PUBLIC_STATES}.get(self.status,
                                                                               domain.TAKEABLE_STATES)
        stmt = stmt.where(Declaration.state.in_(states))
        q = self.q.strip()
        if q:
            stmt = stmt.where(or_(*(c.icontains(q, autoescape=True) for c in (
                Declaration.title, Declaration.abstract, Declaration.patentee, Declaration.patent_number,
                Declaration.number))))
        ipc = self.ipc.strip().upper().replace(" ", "")
        if ipc:
            stmt = stmt.where(or_(Declaration.ipc_text.startswith(ipc, autoescape=True),
                                  Declaration.ipc_text.contains(" " + ipc, autoescape=True)))
        if self.region.strip():
            stmt = stmt.where(Declaration.region_code.startswith(self.region.strip(), autoescape=True))
        if self.mode:
            stmt = stmt.where(Declaration.mode == self.mode)
        if self.patent_type:
            stmt = stmt.where(Declaration.patent_type == self.patent_type)
        if self.max_fee.strip():
            try:
                limit = Decimal(self.max_fee.strip().replace(",", ""))
            except InvalidOperation:
                raise DomainError(Msg("'{value}' is not a number", value=self.max_fee[:20]),
                                  field="max_fee") from None
            stmt = stmt.where(Declaration.fixed_fee <= limit)
        order = {"fee": (Declaration.fixed_fee, Declaration.id), "title": (Declaration.title, Declaration.id)}
        return stmt.order_by(*order.get(self.sort, (Declaration.published_on.desc(), Declaration.id.desc())))

    def query(self, **extra) -> str:
        params = {k: v for k, v in self.__dict__.items() if v} | {k: v for k, v in extra.items() if v}
        return urlencode(params)


def public_query(filters: PublicFilters) -> Select:
    return filters.apply(select(Declaration))


def public_rows(rows: list[Declaration]) -> list[list]:
    return [[d.number, d.patent_number, d.title, d.patent_type, d.ipc_main, d.region_code, region_name(d.region_code),
             d.patentee, d.mode, money(d.lump_sum), rate_text(d.rate), d.rate_basis if d.rate is not None else "",
             money(d.entry_fee), d.term_start.isoformat(), d.term_end.isoformat(),
             d.published_on.isoformat() if d.published_on else "", d.state,
             d.withdrawn_on.isoformat() if d.withdrawn_on else "", d.contact] for d in rows]


def declarations_query(actor: Actor, q: str = "", state: str = "") -> Select:
    """The declarations a person may see in full: own unit's, the office's, or all (administrators)."""
    stmt = select(Declaration)
    if actor.role == APPLICANT_COMPANY:
        stmt = stmt.where(Declaration.declarant_unit_id == actor.unit_id)
    elif actor.role in OFFICIAL_ROLES:
        stmt = stmt.join(Case, Case.id == Declaration.case_id).where(Case.assigned_unit_id == actor.unit_id)
    elif actor.role != ADMIN:
        stmt = stmt.where(Declaration.id.is_(None))
    if q.strip():
        stmt = stmt.where(or_(*(c.icontains(q.strip(), autoescape=True) for c in (
            Declaration.title, Declaration.patent_number, Declaration.number, Declaration.patentee))))
    if state:
        stmt = stmt.where(Declaration.state == state)
    return stmt.order_by(Declaration.filed_at.desc(), Declaration.id.desc())


def licences_query(actor: Actor, side: str = "", state: str = "", q: str = "") -> Select:
    """Licences a person may see: as licensee or licensor (companies), the office's (officials), all (admin)."""
    stmt = select(Licence)
    if actor.role == APPLICANT_COMPANY:
        sides = {"licensee": Licence.licensee_unit_id == actor.unit_id,
                 "licensor": Licence.licensor_unit_id == actor.unit_id}
        stmt = stmt.where(sides[side] if side in sides else or_(*sides.values()))
    elif actor.role in OFFICIAL_ROLES:
        stmt = (stmt.join(Declaration, Declaration.id == Licence.declaration_id)
                .join(Case, Case.id == Declaration.case_id).where(Case.assigned_unit_id == actor.unit_id))
    elif actor.role != ADMIN:
        stmt = stmt.where(Licence.id.is_(None))
    if state:
        stmt = stmt.where(Licence.state == state)
    if q.strip():
        stmt = stmt.where(or_(*(c.icontains(q.strip(), autoescape=True) for c in (
            Licence.number, Licence.licensee, Licence.licensor, Licence.app_number, Licence.products))))
    return stmt.order_by(Licence.id.desc())


def royalties_of(session: Session, licence_ids: list[int]) -> dict[int, Decimal]:
    from ipcity.services.openlicense.tables import Payment

    if not licence_ids:
        return {}
    rows = session.execute(select(Payment.licence_id, func.sum(Payment.amount))
                           .where(Payment.licence_id.in_(licence_ids)).group_by(Payment.licence_id))
    return {lid: Decimal(total or 0) for lid, total in rows}


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
        result = paged(session, stmt, _int(page), PAGE_SIZE)
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
    if not unit_name:
        return []
    rows = session.execute(select(Patent.app_number, Patent.title).where(
        cast(Patent.applicants, String).contains(unit_name, autoescape=True), Patent.kind.in_(register.GRANT_KINDS),
        Patent.app_number != "").order_by(Patent.app_number).limit(100))
    return [("ZL" + a[2:] if a.startswith("CN") else a, t) for a, t in rows]


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
        "result": paged(session, stmt, _int(page), PAGE_SIZE), "q": q, "state": state,
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
    result = paged(session, stmt, _int(page), PAGE_SIZE)
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

def settings_of(request: Request):
    return request.app.state.services.settings


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


def ensure_office(session: Session, actor: Actor) -> None:
    """Statistics: administrators and the officials of the office that checks declarations."""
    if actor.role == ADMIN:
        return
    if actor.role not in OFFICIAL_ROLES or actor.unit_id != service.office_unit(session).id:
        raise PermissionDenied(Msg("Statistics are for the officials of the IP office"))


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
