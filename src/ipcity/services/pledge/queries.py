"""Read model of pledge registration: what both the HTML pages (views.py) and the JSON API (api.py) read.

Who may use the service, state and gazette labels, the list and gazette filters with their date parsing, the
queries that apply the visibility rule (service.may_view), and number parsing for the query string. Keeping
them here, not in views.py, lets the API apply exactly the pages' filters and access rules without importing
the HTML views.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ipcity.core.errors import PermissionDenied
from ipcity.core.files import attachments_of
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Figure
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, BANK, OFFICIAL_ROLES, Actor
from ipcity.core.tables import Attachment
from ipcity.services.pledge import casetypes, domain, service
from ipcity.services.pledge.access import USERS
from ipcity.services.pledge.tables import GazetteLine, Pledge, PledgedPatent
from ipcity.web.paging import ListFilters, date_range
from ipcity.workflow import engine
from ipcity.workflow.tables import Case

GAZETTE_KINDS = {"registration": Msg("Registration (登记)"), "change": Msg("Change (变更)"),
                 "cancellation": Msg("Cancellation (注销)")}


# --- who, labels, number parsing ----------------------------------------------------------------------------

def ensure_user(actor: Actor) -> None:
    """The routes say require() (every signed-in role) and check access.USERS here, as the data-IP pages do."""
    if actor.role not in USERS:
        raise PermissionDenied(Msg("Pledge registration is for companies, banks, the registering body and "
                                   "administrators"))


def state_label(key: str) -> Msg:
    try:
        return service.REGISTRATION.state(key).label
    except KeyError:
        return Msg(key)


# --- applications -------------------------------------------------------------------------------------------

@dataclass
class Filters(ListFilters):
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
class GazetteFilters(ListFilters):
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


def gazette_query(filters: GazetteFilters) -> Select:
    return filters.apply(select(GazetteLine)).order_by(GazetteLine.published_on.desc(), GazetteLine.id.desc())


# --- one application ----------------------------------------------------------------------------------------

def amendments_of(session: Session, actor: Actor, pledge: Pledge) -> list[dict]:
    """Change and cancellation requests on the registration, with the steps the person may take on each."""
    out = []
    for request in service.amendments_of(session, pledge):
        c = service.AMENDMENTS.case_of(session, request)
        proof = session.get(Attachment, request.proof_id) if request.proof_id else None
        out.append({"case": c, "request": request, "state": service.AMENDMENT.state(c.state).label,
                    "kind": request.kind, "changes": dict(request.changes or {}), "reason": request.reason,
                    "cancellation_reason": request.cancellation_reason, "proof": proof,
                    "deadlines": engine.deadlines(session, service.AMENDMENT, c),
                    "actions": engine.available_actions(service.AMENDMENT, c, actor)})
    return out


def _consent_slots(pledge: Pledge) -> list[dict]:
    """Each co-owner of a pledged patent other than the pledgor, with the consent given, if any."""
    slots = []
    for p in pledge.patents:
        given = {c["owner"]: c["attachment"] for c in (p.consents or [])}
        slots += [{"patent": p, "owner": owner, "attachment": given.get(owner)} for owner in p.owners
                  if not domain.is_owner(owner, (pledge.pledgor_name,))]
    return slots


def pledge_context(session: Session, actor: Actor, pledge: Pledge) -> dict:
    """One application as its page shows it: the register check, the steps the person may take, documents,
    notices, requests, consents and activity."""
    case = session.get(Case, pledge.case_id)
    amendments = amendments_of(session, actor, pledge)
    pledgor, pledgee = service.is_pledgor(actor, pledge), service.is_pledgee(actor, pledge)
    may_amend = (pledge.state == "registered" and (pledgor or pledgee)
                 and not any(a["case"].closed_at is None for a in amendments))
    return {
        "p": pledge, "case": case, "state": state_label(pledge.state), "check": service.check(session, pledge),
        "deadlines": engine.deadlines(session, service.REGISTRATION, case),
        # confirming or declining is the named pledgee's alone (the guard says so too)
        "actions": [t for t in engine.available_actions(service.REGISTRATION, case, actor)
                    if t.key not in ("confirm", "decline") or pledgee],
        "documents": service.documents_of(session, pledge), "notices": service.notices_of(session, pledge),
        "amendments": amendments, "may_amend": may_amend, "may_change": may_amend and pledgor,
        "editable": pledgor and pledge.state in casetypes.BEFORE_DECISION, "consent_slots": _consent_slots(pledge),
        "consents": {a.id: a for a in attachments_of(session, service.CONSENT_OWNER, pledge.id)},
        "activity": service.activity_of(session, pledge), "officials": actor.role in OFFICIAL_ROLES | {ADMIN},
    }


# --- figures for plan supervision (plan item 12: 专利质押登记线上办理全流程无纸化) ---------------------------------

def plan_figures(session: Session, start: date, end: date) -> list[Figure]:
    """Pledges registered from `start` to `end` (both days included) and the debts they secure."""
    source = Msg("Patent pledge registration system")
    count, fen = session.execute(select(func.count(), func.coalesce(func.sum(Pledge.amount_fen), 0)).where(
        Pledge.registration_number.is_not(None), Pledge.registered_on >= start, Pledge.registered_on <= end)).one()
    amount = (Decimal(int(fen)) / Decimal(1_000_000)).quantize(Decimal("0.01"))  # fen → 万元
    return [Figure(Msg("Pledges registered"), int(count), source),
            Figure(Msg("Secured amount of the pledges registered (10,000 yuan)"), amount, source)]
