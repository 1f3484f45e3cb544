"""Read model of data-IP registration: what both the HTML pages (views.py) and the JSON API (api.py) read.

Who may use the service, the list filters and the queries they narrow, the public lookups of the registry,
labels, and the facts of one application as a person may see them. Nothing here renders or knows a template,
so that the pages and the API apply the same access rules and filters and the API never imports the views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ipcity.core.clock import CHINA_TZ, today
from ipcity.core.errors import NotFound, PermissionDenied
from ipcity.core.files import attachments_of
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Figure
from ipcity.core.roles import ADMIN, OFFICIAL_ROLES, Actor
from ipcity.services.dataip import casetypes, domain, service, tlog
from ipcity.services.dataip.access import AUDITORS, USERS
from ipcity.services.dataip.tables import DataProduct, LogLeaf, Objection
from ipcity.web.paging import ListFilters, date_range
from ipcity.workflow import engine
from ipcity.workflow.tables import Case

PAGE_SIZE = 50
# The facts an applicant files (the filing form's fields; the API shows them, less the undertaking).
FORM_FIELDS = ("name", "category", "industry_code", "scenario", "summary", "source_kind", "source_description",
               "lawful_statement", "processing_rules", "structure", "data_format", "scale", "update_frequency",
               "holder_type", "accept_undertaking")


# --- who, labels ------------------------------------------------------------------------------------------

def ensure_user(actor: Actor) -> None:
    """Who uses the registration pages and API (access.USERS). The routes say require() (every signed-in role)
    and check this set themselves, as the portal's case pages do: it covers every role of the test cast, so a
    route-level role set would leave tests/web/test_access.py no outsider to try."""
    if actor.role not in USERS:
        raise PermissionDenied(Msg("Data-IP registration is for applicants, the registration body and "
                                   "administrators"))


def state_label(key: str) -> Msg:
    try:
        return service.REGISTRATION.state(key).label
    except KeyError:
        return Msg(key)


def sections() -> list[tuple[str, str]]:
    """GB/T 4754-2017 sections (门类), the letter that starts every industry code."""
    return [(c, i.name) for c, i in domain.industries().items() if i.level == "门类"]


def suggestions() -> list[str]:
    """'code name' suggestions for the industry field: 中类 and 小类 only, to keep the page small."""
    return [f"{c} {i.name}" for c, i in domain.industries().items() if i.level in ("中类", "小类")]


def industry_name(code: str) -> str:
    found = domain.industries().get(code)
    return found.name if found else ""


# --- filters and the lists they narrow ---------------------------------------------------------------------

def _utc_midnight(day: date) -> datetime:
    # Filing days are Chinese calendar days; SQLite stores UTC without an offset, so compare in UTC.
    return datetime.combine(day, time(), CHINA_TZ).astimezone(UTC)


@dataclass
class Filters(ListFilters):
    q: str = ""
    state: str = ""
    category: str = ""
    industry: str = ""
    holder: str = ""
    filed_from: str = ""
    filed_to: str = ""

    def apply(self, stmt: Select) -> Select:
        q = self.q.strip()
        if q:
            stmt = stmt.where(or_(*(col.icontains(q, autoescape=True) for col in (
                DataProduct.name, DataProduct.application_number, DataProduct.registration_number,
                DataProduct.certificate_number, DataProduct.holder_name))))
        if self.state:
            stmt = stmt.where(DataProduct.state == self.state)
        if self.category:
            stmt = stmt.where(DataProduct.category == self.category)
        if self.industry.strip():
            stmt = stmt.where(DataProduct.industry_code.startswith(domain.industry_code(self.industry),
                                                                   autoescape=True))
        if self.holder.strip():
            stmt = stmt.where(DataProduct.holder_name.icontains(self.holder.strip(), autoescape=True))
        start, end = date_range(self.filed_from, self.filed_to, "filed_from", "filed_to")
        if start:
            stmt = stmt.where(DataProduct.filed_at >= _utc_midnight(start))
        if end:
            stmt = stmt.where(DataProduct.filed_at < _utc_midnight(end + timedelta(days=1)))
        return stmt


def applications_query(actor: Actor, filters: Filters) -> Select:
    """The applications a person may see in full (service.may_view), newest first."""
    stmt = select(DataProduct)
    if actor.role in casetypes.APPLICANTS:
        mine = DataProduct.holder_user_id == actor.user_id
        stmt = stmt.where(or_(mine, DataProduct.holder_unit_id == actor.unit_id) if actor.unit_id else mine)
    elif actor.role in OFFICIAL_ROLES:
        stmt = stmt.join(Case, Case.id == DataProduct.case_id).where(Case.assigned_unit_id == actor.unit_id)
    elif actor.role != ADMIN:
        stmt = stmt.where(DataProduct.id.is_(None))
    return filters.apply(stmt).order_by(DataProduct.filed_at.desc(), DataProduct.id.desc())


def registry_query(filters: Filters) -> Select:
    """Products the public may see: in publicity or registered (and what became of a registration)."""
    stmt = select(DataProduct).where(or_(DataProduct.public.is_(True), DataProduct.state.in_(service.PUBLIC_STATES)))
    return filters.apply(stmt).order_by(DataProduct.id.desc())


# --- public lookups ---------------------------------------------------------------------------------------

def public_product(session: Session, application_number: str) -> DataProduct:
    product = session.scalar(registry_query(Filters()).where(DataProduct.application_number == application_number))
    if product is None:
        raise NotFound(Msg("{number} is not in the public registry", number=application_number[:40]))
    return product


def product_by_certificate(session: Session, certificate_number: str) -> DataProduct:
    product = session.scalar(select(DataProduct).where(DataProduct.certificate_number == certificate_number))
    if product is None:
        raise NotFound(Msg("No registration has the certificate number {number}", number=certificate_number[:40]))
    return product


def log_entries_of(session: Session, product: DataProduct) -> list[LogLeaf]:
    return list(session.scalars(select(LogLeaf).where(LogLeaf.subject == product.application_number)
                                .order_by(LogLeaf.idx)))


def objection_open(session: Session, product: DataProduct) -> date | None:
    """The last day objections are accepted, while they are; else None."""
    if product.state not in ("in_publicity", "objection_review"):
        return None
    ends = service.publicity_ends(session, session.get(Case, product.case_id))
    return ends if ends is not None and today() <= ends else None


# --- one application as a person may see it ----------------------------------------------------------------

def _expert(product: DataProduct) -> dict | None:
    if not (product.experts or product.expert_opinion or product.expert_conclusion):
        return None
    return {"experts": product.experts, "opinion": product.expert_opinion, "conclusion": product.expert_conclusion}


def _amendments(session: Session, actor: Actor, product: DataProduct) -> list[dict]:
    """Each change or renewal request as its typed row says it, with its case and the steps the person may take."""
    out = []
    for request in service.amendments_of(session, product):
        c = service.AMENDMENTS.case_of(session, request)
        out.append({"case": c, "request": request, "state": service.AMENDMENT.state(c.state).label,
                    "kind": request.kind, "changes": dict(request.changes or {}), "reason": request.reason,
                    "deadlines": engine.deadlines(session, service.AMENDMENT, c),
                    "actions": engine.available_actions(service.AMENDMENT, c, actor)})
    return out


def product_context(session: Session, actor: Actor, product: DataProduct) -> dict:
    """The application, its case and what this person may see and do on it: the facts the product page shows
    and the API returns (the page adds its form state)."""
    case = session.get(Case, product.case_id)
    officials = actor.role in AUDITORS
    # Only filed objections: an anonymous one waiting for its contact code is nobody's business yet.
    objections = list(session.scalars(select(Objection).where(Objection.product_id == product.id,
                                                              Objection.status == "filed").order_by(Objection.id)))
    amendments = _amendments(session, actor, product)
    open_amendment = any(a["case"].closed_at is None for a in amendments)
    may_amend = (product.state == "registered" and actor.role in casetypes.APPLICANTS and not open_amendment
                 and service.PRODUCTS.may_view(session, actor, product))
    return {
        "p": product, "case": case, "state": state_label(product.state),
        "deadlines": engine.deadlines(session, service.REGISTRATION, case),
        "actions": engine.available_actions(service.REGISTRATION, case, actor),
        "samples": attachments_of(session, service.SAMPLE_OWNER, product.id),
        "duplicates": list(product.duplicates or []), "expert": _expert(product),
        "objections": objections, "officials": officials,
        "evidence": {o.id: attachments_of(session, service.OBJECTION_OWNER, o.id) for o in objections}
        if officials else {},
        "amendments": amendments, "may_amend": may_amend,
        "renewal_opens": domain.renewal_opens(product.valid_until, service.rules_of(session).renewal_window_days)
        if product.valid_until else None,
        "entries": log_entries_of(session, product), "head": tlog.latest_head(session),
        "publicity_ends": service.publicity_ends(session, case)}


# --- figures for plan supervision (plan item 2: 试点开展数据知识产权登记) ----------------------------------------

def plan_figures(session: Session, start: date, end: date) -> list[Figure]:
    """Applications filed and data products registered from `start` to `end` (both days included)."""
    source = Msg("Data-IP registration system")
    filed = session.scalar(select(func.count()).select_from(DataProduct).where(
        DataProduct.filed_at >= _utc_midnight(start), DataProduct.filed_at < _utc_midnight(end + timedelta(days=1))))
    registered = session.scalar(select(func.count()).select_from(DataProduct).where(
        DataProduct.registered_on >= start, DataProduct.registered_on <= end))
    return [Figure(Msg("Data products registered"), registered or 0, source),
            Figure(Msg("Applications for registration filed"), filed or 0, source)]
