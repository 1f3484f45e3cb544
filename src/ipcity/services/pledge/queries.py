"""Read model of pledge registration: what both the HTML pages (views.py) and the JSON API (api.py) read.

Who may use the service, state and gazette labels, the list and gazette filters with their date parsing, the
queries that apply the visibility rule (service.may_view), and number parsing for the query string. Keeping
them here, not in views.py, lets the API apply exactly the pages' filters and access rules without importing
the HTML views.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import Select, or_, select

from ipcity.core.errors import PermissionDenied
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, BANK, OFFICIAL_ROLES, Actor
from ipcity.services.pledge import casetypes, service
from ipcity.services.pledge.tables import GazetteLine, Pledge, PledgedPatent
from ipcity.web.paging import date_range
from ipcity.workflow.tables import Case

# The routes say require() (every signed-in role) and check this set themselves, as the data-IP pages do.
USERS = casetypes.PLEDGORS | casetypes.PLEDGEES | OFFICIAL_ROLES | {ADMIN}
GAZETTE_KINDS = {"registration": Msg("Registration (登记)"), "change": Msg("Change (变更)"),
                 "cancellation": Msg("Cancellation (注销)")}


# --- who, labels, number parsing ----------------------------------------------------------------------------

def ensure_user(actor: Actor) -> None:
    if actor.role not in USERS:
        raise PermissionDenied(Msg("Pledge registration is for companies, banks, the registering body and "
                                   "administrators"))


def state_label(key: str) -> Msg:
    try:
        return service.REGISTRATION.state(key).label
    except KeyError:
        return Msg(key)


def to_int(value: str, default: int = 1) -> int:
    """A page number or id from the query string or a form; anything unreadable is the default."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _query_string(values: dict, extra: dict) -> str:
    return urlencode({k: v for k, v in values.items() if v} | {k: v for k, v in extra.items() if v})


# --- applications -------------------------------------------------------------------------------------------

@dataclass
class Filters:
    q: str = ""
    state: str = ""
    filed_from: str = ""
    filed_to: str = ""

    def apply(self, stmt: Select) -> Select:
        q = self.q.strip()
        if q:
            patents = select(PledgedPatent.pledge_id).where(or_(
                PledgedPatent.patent_number.icontains(q, autoescape=True),
                PledgedPatent.title.icontains(q, autoescape=True)))
            stmt = stmt.where(or_(Pledge.application_number.icontains(q, autoescape=True),
                                  Pledge.registration_number.icontains(q, autoescape=True),
                                  Pledge.pledgor_name.icontains(q, autoescape=True),
                                  Pledge.pledgee_name.icontains(q, autoescape=True), Pledge.id.in_(patents)))
        if self.state:
            stmt = stmt.where(Pledge.state == self.state)
        start, end = date_range(self.filed_from, self.filed_to, "filed_from", "filed_to")
        if start:
            stmt = stmt.where(Pledge.filed_on >= start)
        if end:
            stmt = stmt.where(Pledge.filed_on <= end)
        return stmt

    def query(self, **extra) -> str:
        return _query_string(self.__dict__, extra)


def applications_query(actor: Actor, filters: Filters) -> Select:
    """What each person may see (service.may_view): their unit's pledges as pledgor or pledgee, the registering
    body its cases, administrators all."""
    stmt = select(Pledge)
    if actor.role == APPLICANT_COMPANY:
        stmt = stmt.where(Pledge.pledgor_unit_id == actor.unit_id) if actor.unit_id else stmt.where(Pledge.id < 0)
    elif actor.role == BANK:
        stmt = stmt.where(Pledge.pledgee_unit_id == actor.unit_id) if actor.unit_id else stmt.where(Pledge.id < 0)
    elif actor.role in OFFICIAL_ROLES:
        stmt = stmt.join(Case, Case.id == Pledge.case_id).where(Case.assigned_unit_id == actor.unit_id)
    elif actor.role != ADMIN:
        stmt = stmt.where(Pledge.id < 0)
    return filters.apply(stmt).order_by(Pledge.filed_at.desc(), Pledge.id.desc())


# --- the public gazette -------------------------------------------------------------------------------------

@dataclass
class GazetteFilters:
    q: str = ""
    kind: str = ""
    pledgee: str = ""
    ipc: str = ""
    date_from: str = ""
    date_to: str = ""

    def apply(self, stmt: Select) -> Select:
        q = self.q.strip()
        if q:
            stmt = stmt.where(or_(*(c.icontains(q, autoescape=True) for c in (
                GazetteLine.registration_number, GazetteLine.patent_number, GazetteLine.title, GazetteLine.pledgor,
                GazetteLine.pledgee))))
        if self.kind:
            stmt = stmt.where(GazetteLine.kind == self.kind)
        if self.pledgee.strip():
            stmt = stmt.where(GazetteLine.pledgee.icontains(self.pledgee.strip(), autoescape=True))
        if self.ipc.strip():
            stmt = stmt.where(GazetteLine.ipc_main.startswith(self.ipc.strip().upper(), autoescape=True))
        start, end = date_range(self.date_from, self.date_to, "date_from", "date_to")
        if start:
            stmt = stmt.where(GazetteLine.published_on >= start)
        if end:
            stmt = stmt.where(GazetteLine.published_on <= end)
        return stmt

    def query(self, **extra) -> str:
        return _query_string(self.__dict__, extra)


def gazette_query(filters: GazetteFilters) -> Select:
    return filters.apply(select(GazetteLine)).order_by(GazetteLine.published_on.desc(), GazetteLine.id.desc())
