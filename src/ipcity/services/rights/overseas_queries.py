"""Read model of overseas dispute guidance: the guidance cases a person may see, one case as its page shows it, the
risk alerts, the case library with its filters and exports, labels (country names in the reader's language)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale
from sqlalchemy import Select, false, or_, select
from sqlalchemy.orm import Session

from ipcity.core.files import attachments_of
from ipcity.core.i18n import current_locale
from ipcity.core.roles import ADMIN, OFFICIAL_ROLES, PUBLIC_ROLES, Actor
from ipcity.core.tables import Unit
from ipcity.services.rights import casetypes, domain, overseas, service
from ipcity.services.rights.tables import LibraryEntry, OverseasCase, RightsRequest, RiskAlert
from ipcity.web.paging import ListFilters
from ipcity.workflow import engine
from ipcity.workflow.tables import Case


def country_name(code: str) -> str:
    """A country or region's name in the reader's language, with its code ("美国 US")."""
    if not code:
        return ""
    locale = Locale.parse("zh_Hans") if current_locale.get().startswith("zh") else Locale("en")
    name = locale.territories.get(code)
    return f"{name} {code}" if name else code


def countries() -> list[tuple[str, str]]:
    """The countries and regions abroad a form offers, by name in the reader's language."""
    return _countries(current_locale.get())


@cache
def _countries(locale: str) -> list[tuple[str, str]]:
    return sorted(((code, country_name(code)) for code in domain.territories() if code != "CN"),
                  key=lambda pair: pair[1])


def stage_label(key: str):
    return overseas.STAGES.get(key) or key or "—"


def state_label(key: str):
    return overseas.OVERSEAS.state_label(key)


def visible(stmt: Select, actor: Actor | None) -> Select:
    """The guidance cases a person may see: administrators all; officials their unit's; a requester their own."""
    if actor is None:
        return stmt.where(false())
    if actor.role == ADMIN:
        return stmt
    if actor.role in OFFICIAL_ROLES:
        if actor.unit_id is None:
            return stmt.where(false())
        return stmt.where(OverseasCase.case_id.in_(select(Case.id).where(Case.assigned_unit_id == actor.unit_id)))
    if actor.role in PUBLIC_ROLES and actor.user_id is not None:  # the requester (service.is_party)
        return stmt.where(service.requester_condition(OverseasCase, actor))
    return stmt.where(false())


# --- guidance cases -------------------------------------------------------------------------------------------

@dataclass
class CaseFilters(ListFilters):
    q: str = ""
    state: str = ""
    country: str = ""
    right: str = ""
    stage: str = ""


def cases_query(actor: Actor | None, f: CaseFilters) -> Select:
    stmt = visible(select(OverseasCase), actor)
    if f.q.strip():
        requesters = select(RightsRequest.id).where(RightsRequest.requester_name.icontains(f.q.strip(),
                                                                                         autoescape=True))
        stmt = stmt.where(or_(OverseasCase.number.icontains(f.q.strip(), autoescape=True),
                              OverseasCase.opponent.icontains(f.q.strip(), autoescape=True),
                              OverseasCase.industry.icontains(f.q.strip(), autoescape=True),
                              OverseasCase.request_id.in_(requesters)))
    if f.state:
        stmt = stmt.where(OverseasCase.state == f.state)
    if f.country:
        stmt = stmt.where(OverseasCase.country == f.country.strip().upper())
    if f.right:
        stmt = stmt.where(OverseasCase.right == f.right)
    if f.stage:
        stmt = stmt.where(OverseasCase.stage == f.stage)
    return stmt.order_by(OverseasCase.id.desc())


def requesters(session: Session, found: list[OverseasCase]) -> dict[int, str]:
    """The enterprise of each case on a page (one query): {case id: name}."""
    ids = {oc.request_id: oc.id for oc in found}
    if not ids:
        return {}
    rows = session.execute(select(RightsRequest.id, RightsRequest.requester_name).where(RightsRequest.id.in_(ids)))
    return {ids[rid]: name for rid, name in rows}


CASE_HEADER = ["number", "state", "enterprise", "country", "right", "industry", "opponent", "stage", "guidance",
               "outcome", "closed_on"]


def _d(value) -> str:
    return value.isoformat() if value else ""


def case_rows(session: Session, found: list[OverseasCase]) -> list[list]:
    names = requesters(session, found)
    return [[oc.number, oc.state, names.get(oc.id, ""), oc.country, oc.right, oc.industry, oc.opponent, oc.stage,
             len(oc.guidance or []), oc.outcome, _d(oc.closed_on)] for oc in found]


def cases_context(session: Session, actor: Actor | None, result) -> dict:
    return {"enterprises": requesters(session, result.rows)}


def case_context(session: Session, actor: Actor, oc: OverseasCase) -> dict:
    case = overseas.OVERSEAS_CASES.case_of(session, oc)
    req = overseas.request_of(session, oc)
    unit = overseas.acts_for_case(case, actor)
    return {
        "oc": oc, "case": case, "req": req, "actions": engine.available_actions(overseas.OVERSEAS, case, actor),
        "deadlines": engine.deadlines(session, overseas.OVERSEAS, case), "history": case.events,
        "is_unit": unit, "is_requester": service.is_requester(actor, req),
        "may_guide": unit and actor.user_id is not None and oc.state in ("received", "guiding"),
        "library_entry": overseas.library_entry_of(session, oc),
        "may_publish": unit and actor.user_id is not None and oc.state == "closed",
        "unit": session.get(Unit, case.assigned_unit_id) if case.assigned_unit_id else None,
        "evidence": attachments_of(session, service.case_evidence_owner(domain.OVERSEAS), oc.id),
    }


# --- risk alerts ------------------------------------------------------------------------------------------------

@dataclass
class AlertFilters(ListFilters):
    q: str = ""
    country: str = ""
    industry: str = ""
    right: str = ""


def alerts_query(actor: Actor | None, f: AlertFilters) -> Select:
    stmt = select(RiskAlert)  # alerts are public: anyone may read them
    if f.q.strip():
        stmt = stmt.where(or_(RiskAlert.title.icontains(f.q.strip(), autoescape=True),
                              RiskAlert.body.icontains(f.q.strip(), autoescape=True)))
    if f.country:
        stmt = stmt.where(RiskAlert.country == f.country.strip().upper())
    if f.industry.strip():
        stmt = stmt.where(RiskAlert.industry.icontains(f.industry.strip(), autoescape=True))
    if f.right:
        stmt = stmt.where(RiskAlert.right == f.right)
    return stmt.order_by(RiskAlert.published_at.desc(), RiskAlert.id.desc())


ALERT_HEADER = ["id", "published_at", "title", "country", "industry", "right", "recipients", "body"]


def alert_rows(session: Session, found: list[RiskAlert]) -> list[list]:
    return [[a.id, a.published_at.isoformat(timespec="minutes") if a.published_at else "", a.title, a.country,
             a.industry, a.right, a.recipients, a.body] for a in found]


def alerts_context(session: Session, actor: Actor | None, result) -> dict:
    ids = {a.unit_id for a in result.rows}
    names = {uid: name for uid, name in session.execute(select(Unit.id, Unit.name_zh).where(Unit.id.in_(ids)))} \
        if ids else {}
    return {"publishers": names, "may_publish": actor is not None and overseas.is_official(actor)}


# --- the case library ---------------------------------------------------------------------------------------------

@dataclass
class LibraryFilters(ListFilters):
    q: str = ""
    country: str = ""
    industry: str = ""
    right: str = ""
    year: str = ""


def library_query(actor: Actor | None, f: LibraryFilters) -> Select:
    stmt = select(LibraryEntry).where(LibraryEntry.published.is_(True))  # the published library is public
    if f.q.strip():
        stmt = stmt.where(or_(*(c.icontains(f.q.strip(), autoescape=True) for c in (
            LibraryEntry.title, LibraryEntry.summary, LibraryEntry.outcome))))
    if f.country:
        stmt = stmt.where(LibraryEntry.country == f.country.strip().upper())
    if f.industry.strip():
        stmt = stmt.where(LibraryEntry.industry.icontains(f.industry.strip(), autoescape=True))
    if f.right:
        stmt = stmt.where(LibraryEntry.right == f.right)
    if f.year.strip().isdigit():
        stmt = stmt.where(LibraryEntry.year == int(f.year.strip()))
    return stmt.order_by(LibraryEntry.year.is_(None), LibraryEntry.year.desc(), LibraryEntry.id.desc())


LIBRARY_HEADER = ["id", "title", "country", "industry", "right", "year", "summary", "outcome", "source", "added_at"]


def library_rows(session: Session, found: list[LibraryEntry]) -> list[list]:
    return [[e.id, e.title, e.country, e.industry, e.right, e.year or "", e.summary, e.outcome, e.source,
             e.added_at.isoformat(timespec="minutes") if e.added_at else ""] for e in found]


def library_context(session: Session, actor: Actor | None, result) -> dict:
    return {"may_add": actor is not None and overseas.may_edit_library(actor)}


def codes() -> dict:
    return {"rights": domain.RIGHTS, "stages": overseas.STAGES, "stage_label": stage_label,
            "country_name": country_name, "countries": countries(), "states": overseas.OVERSEAS.states,
            "state_label": state_label, "outcomes": casetypes.OUTCOMES}
