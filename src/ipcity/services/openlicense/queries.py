"""Read model of open licensing: what both the HTML pages (views.py) and the JSON API (api.py) read.

The public list's filters, the lists a person may see (declarations, licences), royalty totals, state and
region labels, money and number formatting, and small lookups. Keeping them here, not in views.py, lets the API
apply exactly the page's filters and access rules without importing the HTML views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ipcity.core.clock import CHINA_TZ
from ipcity.core.errors import DomainError
from ipcity.core.files import attachments_of
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Figure
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, OFFICIAL_ROLES, Actor
from ipcity.patents import register
from ipcity.patents.regions import place_name
from ipcity.services.openlicense import casetypes, domain, service
from ipcity.services.openlicense.tables import Declaration, Licence, Payment
from ipcity.web.paging import ListFilters
from ipcity.workflow import engine
from ipcity.workflow.tables import Case

if TYPE_CHECKING:
    from fastapi import Request


# --- labels, formatting, number parsing ---------------------------------------------------------------------

def state_label(key: str) -> Msg:
    return service.DECLARATION.state_label(key)


def licence_state_label(key: str) -> Msg:
    return service.LICENCE.state_label(key)


def region_name(code: str) -> str:
    return place_name(code)


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


def to_int(value, default: int = 1) -> int:
    """A page number, size or limit from the query string; anything unreadable is the default."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- lists ------------------------------------------------------------------------------------------------

@dataclass
class PublicFilters(ListFilters):
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


def public_query(filters: PublicFilters) -> Select:
    return filters.apply(select(Declaration))


@dataclass
class DeclarationFilters(ListFilters):
    q: str = ""
    state: str = ""


@dataclass
class LicenceFilters(ListFilters):
    side: str = ""   # a company's side: "licensee", "licensor", or both
    state: str = ""
    q: str = ""


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
    if not licence_ids:
        return {}
    rows = session.execute(select(Payment.licence_id, func.sum(Payment.amount))
                           .where(Payment.licence_id.in_(licence_ids)).group_by(Payment.licence_id))
    return {lid: Decimal(total or 0) for lid, total in rows}


# --- lookups ----------------------------------------------------------------------------------------------

def settings_of(request: Request):
    """The installation's settings (matchmaking's encoder), as the web app holds them."""
    return request.app.state.services.settings


# --- one declaration, one licence -----------------------------------------------------------------------------

def declaration_context(session: Session, actor: Actor, d: Declaration) -> dict:
    """One declaration as its page shows it: the patent's position, eligibility while unpublished, the steps
    the person may take, fees, documents, licences taken and the terms as the correction form starts them."""
    case = service.case_of(session, d)
    record = register.find(session, d.app_number)
    position = register.position(session, record)
    grounds = service.check_declaration(session, d) if d.state in casetypes.UNPUBLISHED else []
    is_declarant = service.is_declarant(actor, d)
    licences = service.licences_of(session, d)
    return {
        "d": d, "case": case, "record": record, "position": position,
        "actions": engine.available_actions(service.DECLARATION, case, actor), "eligibility": grounds,
        "failing": {g.key for g in grounds}, "deadlines": engine.deadlines(session, service.DECLARATION, case),
        "schedule": service.fee_schedule(session, position, d.small_entity, preview=d),
        "reports": attachments_of(session, service.REPORT_OWNER, d.id),
        "consent_files": {a.id: a for a in attachments_of(session, service.CONSENT_OWNER, d.id)},
        "may_resubmit": is_declarant and d.state == "correction", "is_declarant": is_declarant,
        "licences": licences, "royalties": royalties_of(session, [lic.id for lic in licences]),
        "values": {k: getattr(d, k) for k in ("mode", "rate_basis", "small_entity", "other_terms", "contact")}
        | {"lump_sum": d.lump_sum or "", "rate": rate_text(d.rate), "entry_fee": d.entry_fee or "",
           "term_start": d.term_start.isoformat(), "term_end": d.term_end.isoformat()}}


def licence_context(session: Session, actor: Actor, lic: Licence) -> dict:
    """One licence: its declaration, payments with their proofs, the person's side and the steps open to it."""
    case = service.case_of(session, lic)
    payments = service.payments_of(session, lic)
    side = service.side_of(actor, lic)
    return {
        "lic": lic, "case": case, "d": session.get(Declaration, lic.declaration_id), "payments": payments,
        "side": side, "proofs": attachments_of(session, service.PROOF_OWNER, lic.id),
        "payment_files": {p.id: attachments_of(session, service.PAYMENT_OWNER, p.id) for p in payments},
        "total": sum((p.amount for p in payments), Decimal(0)),
        "steps": {t.key for t in engine.available_actions(service.LICENCE, case, actor)} if side else set()}


# --- figures for plan supervision (plan item 11: 深化专利开放许可试点) --------------------------------------------

def plan_figures(session: Session, start: date, end: date) -> list[Figure]:
    """Open licences declared (published by the office) and licences taken (by notice, Patent Law Art 51) from
    `start` to `end`, both days included."""
    source = Msg("Patent open licensing system")
    published = session.scalar(select(func.count()).select_from(Declaration).where(
        Declaration.published_on >= start, Declaration.published_on <= end))
    bounds = [datetime.combine(d, time(), CHINA_TZ).astimezone(UTC) for d in (start, end + timedelta(days=1))]
    taken = session.scalar(select(func.count()).select_from(Licence).where(
        Licence.notified_at >= bounds[0], Licence.notified_at < bounds[1]))
    return [Figure(Msg("Open licences declared and published"), published or 0, source),
            Figure(Msg("Licences taken under open licences"), taken or 0, source)]
