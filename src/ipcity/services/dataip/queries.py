"""Read model of data-IP registration: what both the HTML pages (views.py) and the JSON API (api.py) read.

Who may use the service, the list filters and the queries they narrow, the public lookups of the registry,
labels, and the facts of one application as a person may see them. Nothing here renders or knows a template,
so that the pages and the API apply the same access rules and filters and the API never imports the views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from ipcity.core.clock import CHINA_TZ, today
from ipcity.core.errors import NotFound, PermissionDenied
from ipcity.core.files import attachments_of
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, OFFICIAL_ROLES, Actor
from ipcity.services.dataip import casetypes, domain, service, tlog
from ipcity.services.dataip.tables import DataProduct, LogLeaf, Objection
from ipcity.web.paging import date_range
from ipcity.workflow import engine
from ipcity.workflow.tables import Case

# Who uses the registration pages and API. The routes say require() (every signed-in role) and check this set
# themselves, as the portal's case pages do: it covers every role of the test cast, so a route-level role
# set would leave tests/web/test_access.py no outsider to try.
USERS = casetypes.APPLICANTS | OFFICIAL_ROLES | {ADMIN}
AUDITORS = OFFICIAL_ROLES | {ADMIN}
PAGE_SIZE = 50
# The facts an applicant files (the filing form's fields; the API shows them, less the undertaking).
FORM_FIELDS = ("name", "category", "industry_code", "scenario", "summary", "source_kind", "source_description",
               "lawful_statement", "processing_rules", "structure", "data_format", "scale", "update_frequency",
               "holder_type", "accept_undertaking")


# --- who, labels ------------------------------------------------------------------------------------------

def ensure_user(actor: Actor) -> None:
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
class Filters:
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

    def query(self, **extra) -> str:
        params = {k: v for k, v in self.__dict__.items() if v} | {k: v for k, v in extra.items() if v}
        return urlencode(params)


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

def _expert(case: Case) -> dict | None:
    data = case.data or {}
    if not any(data.get(k) for k in ("experts", "expert_opinion", "expert_conclusion")):
        return None
    return {"experts": data.get("experts", ""), "opinion": data.get("expert_opinion", ""),
            "conclusion": data.get("expert_conclusion", "")}


def _amendments(session: Session, actor: Actor, product: DataProduct) -> list[dict]:
    out = []
    for c in service.amendments_of(session, product):
        out.append({"case": c, "state": service.AMENDMENT.state(c.state).label, "kind": c.data.get("kind"),
                    "changes": c.data.get("changes") or {}, "reason": c.data.get("reason", ""),
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
                 and service.may_view(session, actor, product))
    return {
        "p": product, "case": case, "state": state_label(product.state),
        "deadlines": engine.deadlines(session, service.REGISTRATION, case),
        "actions": engine.available_actions(service.REGISTRATION, case, actor),
        "samples": attachments_of(session, service.SAMPLE_OWNER, product.id),
        "duplicates": (case.data or {}).get("duplicates") or [], "expert": _expert(case),
        "objections": objections, "officials": officials,
        "evidence": {o.id: attachments_of(session, service.OBJECTION_OWNER, o.id) for o in objections}
        if officials else {},
        "amendments": amendments, "may_amend": may_amend,
        "renewal_opens": domain.renewal_opens(product.valid_until, service.RULES.renewal_window_days)
        if product.valid_until else None,
        "entries": log_entries_of(session, product), "head": tlog.latest_head(session),
        "publicity_ends": service.publicity_ends(session, case)}
