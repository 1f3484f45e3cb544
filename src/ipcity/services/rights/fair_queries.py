"""Read model of the exhibition fast track: the lists of fairs and of fair complaints a person may see, with their
filters and export rows; a fair's page (dates, desks, undertakings, complaints, figures, repeat infringers) and a
complaint's page (the facts, the 24-hour clock in Beijing time, the statement, the steps)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session

from ipcity.core.clock import local, today
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, OFFICIAL_ROLES, PUBLIC_ROLES, Actor
from ipcity.core.tables import Unit
from ipcity.services.rights import casetypes, domain, fairs, service
from ipcity.services.rights.tables import Fair, FairComplaint, RightsRequest, Undertaking
from ipcity.web.paging import ListFilters
from ipcity.workflow import engine
from ipcity.workflow.tables import Case

UPCOMING, RUNNING, ENDED = "upcoming", "running", "ended"
FAIR_STATUSES: dict[str, Msg] = {
    UPCOMING: Msg("Upcoming (未开幕)"),
    RUNNING: Msg("Open now (展期中)"),
    ENDED: Msg("Ended (已闭幕)"),
}


def fair_status(fair: Fair, on=None) -> str:
    on = on or today()
    return UPCOMING if on < fair.first_day else ENDED if on > fair.last_day else RUNNING


def complaint_state(key: str) -> Msg:
    return fairs.COMPLAINT.state_label(key)


def unit_name(session: Session, unit_id: int | None) -> str:
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit.name_zh if unit else ""


def desk_units(session: Session) -> list[Unit]:
    """The units that may run a fair's desk (the form's choice)."""
    return list(session.scalars(select(Unit).where(Unit.kind.not_in(fairs.NOT_A_DESK)).order_by(Unit.kind,
                                                                                               Unit.name_zh)))


# --- the list of fairs --------------------------------------------------------------------------------------------

@dataclass
class FairFilters(ListFilters):
    q: str = ""
    series: str = ""
    status: str = ""  # FAIR_STATUSES
    inactive: str = ""  # "1": the fairs no longer served too


def fairs_query(actor: Actor | None, f: FairFilters) -> Select:
    """Every signed-in person sees the fairs the network serves (their dates and desks are public information);
    the keepers and the officials see those no longer served too, when they ask."""
    stmt = select(Fair)
    if f.inactive != "1" or actor is None or actor.role not in OFFICIAL_ROLES | {ADMIN}:
        stmt = stmt.where(Fair.active.is_(True))
    if f.q.strip():
        stmt = stmt.where(or_(*(c.icontains(f.q.strip(), autoescape=True) for c in (Fair.name, Fair.key,
                                                                                     Fair.venue))))
    if f.series.strip():
        stmt = stmt.where(Fair.series == f.series.strip().lower())
    on = today()
    if f.status == UPCOMING:
        stmt = stmt.where(Fair.first_day > on)
    elif f.status == RUNNING:
        stmt = stmt.where(Fair.first_day <= on, Fair.last_day >= on)
    elif f.status == ENDED:
        stmt = stmt.where(Fair.last_day < on)
    elif f.status:
        raise DomainError(Msg("Choose the fair's status from the list"), field="status")
    return stmt.order_by(Fair.first_day.desc(), Fair.id.desc())


def complaint_counts(session: Session, fair_ids: list[int]) -> dict[int, int]:
    if not fair_ids:
        return {}
    return dict(session.execute(select(FairComplaint.fair_id, func.count()).where(FairComplaint.fair_id.in_(fair_ids))
                                .group_by(FairComplaint.fair_id)).all())


FAIR_HEADER = ["key", "series", "edition", "name", "venue", "first_day", "last_day", "days", "unit", "desks",
               "active", "complaints"]


def fair_rows(session: Session, rows: list[Fair]) -> list[list]:
    counts = complaint_counts(session, [f.id for f in rows])
    return [[f.key, f.series, f.edition, f.name, f.venue, f.first_day.isoformat(), f.last_day.isoformat(),
             (f.last_day - f.first_day).days + 1, unit_name(session, f.unit_id),
             "; ".join(" ".join(x for x in (d.get("name"), d.get("place"), d.get("phone")) if x)
                       for d in f.desks or []),
             "1" if f.active else "", counts.get(f.id, 0)] for f in rows]


def fairs_context(session: Session, actor: Actor | None, result) -> dict:
    """The public list of fairs (anyone: their dates, venues and desks are public information)."""
    return {"counts": complaint_counts(session, [f.id for f in result.rows]),
            "may_keep": actor is not None and fairs.may_keep_fairs(session, actor), "statuses": FAIR_STATUSES,
            "fair_status": fair_status, "unit_name": lambda unit_id: unit_name(session, unit_id),
            "is_official": actor is not None and actor.role in OFFICIAL_ROLES | {ADMIN},
            # the fair's page and the complaints: for those who file or handle them (not a bank, an agency, anyone)
            "may_open": actor is not None and actor.role in PUBLIC_ROLES | OFFICIAL_ROLES | {ADMIN}}


# --- the list of complaints ---------------------------------------------------------------------------------------

@dataclass
class ComplaintFilters(ListFilters):
    q: str = ""
    fair: str = ""  # the fair's id
    state: str = ""
    infringing: str = ""  # "1": only those found infringing (the measures taken)


def _visible(stmt: Select, actor: Actor | None) -> Select:
    """The complaints a person may see in full (fairs.COMPLAINTS.may_view): administrators all; officials those of
    their unit's desk, the keepers of the fairs all; a requester its own."""
    if actor is None:
        return stmt.where(FairComplaint.id.is_(None))
    if actor.role == ADMIN:
        return stmt
    if actor.role in OFFICIAL_ROLES:  # the desk's unit; the keepers of the fairs see every fair's
        keeper = exists(select(Unit.id).where(Unit.id == actor.unit_id, Unit.kind.in_(fairs.FAIR_KEEPERS)))
        return stmt.join(Case, Case.id == FairComplaint.case_id).where(
            or_(Case.assigned_unit_id == actor.unit_id, keeper))
    if actor.role in PUBLIC_ROLES and actor.user_id is not None:
        return stmt.where(service.requester_condition(FairComplaint, actor))
    return stmt.where(FairComplaint.id.is_(None))


def complaints_query(actor: Actor | None, f: ComplaintFilters) -> Select:
    stmt = _visible(select(FairComplaint), actor)
    if f.q.strip():
        stmt = stmt.where(or_(*(c.icontains(f.q.strip(), autoescape=True) for c in (
            FairComplaint.number, FairComplaint.complainant, FairComplaint.respondent, FairComplaint.booth))))
    if f.fair:
        if not f.fair.isdigit():
            raise DomainError(Msg("Choose the fair from the list"), field="fair")
        stmt = stmt.where(FairComplaint.fair_id == int(f.fair))
    if f.state:
        stmt = stmt.where(FairComplaint.state == f.state)
    if f.infringing == "1":
        stmt = stmt.where(FairComplaint.infringing.is_(True))
    return stmt.order_by(FairComplaint.id.desc())


COMPLAINT_HEADER = ["number", "fair", "complainant", "respondent", "respondent_key", "booth", "right", "state",
                    "notified_at", "statement_deadline", "statement_at", "statement_in_time", "admitted",
                    "confirmed_by", "measures", "measures_at", "measures_reason", "infringing", "outcome",
                    "closed_at"]


def complaint_rows(session: Session, rows: list[FairComplaint]) -> list[list]:
    keys = {f.id: f.key for f in session.scalars(select(Fair).where(Fair.id.in_({c.fair_id for c in rows})))} \
        if rows else {}
    out = []
    for c in rows:
        reading = fairs.statement_clock(c)
        out.append([c.number, keys.get(c.fair_id, ""), c.complainant, c.respondent, c.respondent_key, c.booth,
                    c.right, c.state, fairs.beijing_text(c.notified_at),
                    reading.deadline.strftime("%Y-%m-%d %H:%M") if reading else "",
                    fairs.beijing_text(c.statement_at), "1" if reading and reading.statement_in_time else "",
                    "1" if c.admitted else "", c.confirmed_by, " ".join(c.measures or []),
                    fairs.beijing_text(c.measures_at), c.measures_reason, "1" if c.infringing else "", c.outcome,
                    fairs.beijing_text(c.closed_at)])
    return out


def complaints_context(session: Session, actor: Actor, result) -> dict:
    names = {f.id: f for f in session.scalars(select(Fair).where(Fair.id.in_({c.fair_id for c in result.rows})))} \
        if result.rows else {}
    return {"fairs_by_id": names, "clocks": {c.id: fairs.statement_clock(c) for c in result.rows},
            "fair_choices": list(session.scalars(select(Fair).order_by(Fair.first_day.desc()).limit(200)))}


# --- one fair -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FairFigures:
    """A fair's figures: complaints received, respondents notified, statements within the 24 hours, measures
    taken (and of each kind), complaints handled within 24 hours of their receipt (measures taken or closed),
    undertakings signed, exhibitors flagged for the next edition and barred from this one."""

    complaints: int
    notified: int
    statements_in_time: int
    measures: int
    by_measure: dict
    handled_24h: int
    closed: int
    undertakings: int
    repeat_exhibitors: int
    barred: int


def fair_figures(session: Session, fair: Fair) -> FairFigures:
    rows = session.execute(select(FairComplaint, RightsRequest.received_at)
                           .join(RightsRequest, RightsRequest.id == FairComplaint.request_id)
                           .where(FairComplaint.fair_id == fair.id)).all()
    notified = statements = measures = handled = closed = 0
    by_measure = dict.fromkeys(domain.FAIR_MEASURES, 0)
    for c, received_at in rows:
        reading = fairs.statement_clock(c)
        notified += reading is not None
        statements += bool(reading and reading.statement_in_time)
        if c.measures_at is not None:
            measures += 1
            for m in c.measures or []:
                if m in by_measure:
                    by_measure[m] += 1
        closed += c.closed_at is not None
        done = c.measures_at or c.closed_at
        if done is not None and received_at is not None and local(done) - local(received_at) <= timedelta(hours=24):
            handled += 1
    undertakings = session.scalar(select(func.count()).select_from(Undertaking)
                                  .where(Undertaking.fair_id == fair.id)) or 0
    return FairFigures(len(rows), notified, statements, measures, by_measure, handled, closed, undertakings,
                       len(fairs.flagged_at(session, fair)), len(fairs.barred_here(session, fair)))


def fair_context(session: Session, actor: Actor, fair: Fair) -> dict:
    work = fairs.may_see_fair_work(session, actor, fair)
    ctx = {"fair": fair, "status": fair_status(fair), "statuses": FAIR_STATUSES, "work": work,
           "unit": unit_name(session, fair.unit_id), "may_keep": fairs.may_keep_fairs(session, actor),
           "body_expected": fairs.complaint_body_expected(fair) and not fair.desks,
           "days": (fair.last_day - fair.first_day).days + 1,
           "company": actor.role == APPLICANT_COMPANY and actor.unit_id is not None,
           "own": fairs.own_undertakings(session, actor, fair),
           "may_sign": actor.role == APPLICANT_COMPANY and fair.active and fair.last_day >= today(),
           "exhibitor_default": actor.unit_name if actor.role == APPLICANT_COMPANY else "",
           "complaint_state": complaint_state, "measure_labels": domain.FAIR_MEASURES}
    if work:
        ctx |= {"undertakings": list(session.scalars(select(Undertaking).where(Undertaking.fair_id == fair.id)
                                                     .order_by(Undertaking.signed_at, Undertaking.id))),
                "complaints": list(session.scalars(select(FairComplaint).where(FairComplaint.fair_id == fair.id)
                                                   .order_by(FairComplaint.id.desc()))),
                "figures": fair_figures(session, fair), "flagged": fairs.flagged_at(session, fair),
                "barred": fairs.barred_here(session, fair)}
    return ctx


def fair_form_values(fair: Fair | None) -> dict:
    if fair is None:
        return {"active": "1"}
    return {"key": fair.key, "series": fair.series, "edition": str(fair.edition), "name": fair.name,
            "venue": fair.venue, "first_day": fair.first_day.isoformat(), "last_day": fair.last_day.isoformat(),
            "unit_id": str(fair.unit_id), "desks": fairs.desks_text(fair.desks), "active": "1" if fair.active else ""}


# --- one complaint ------------------------------------------------------------------------------------------------

def complaint_context(session: Session, actor: Actor, complaint: FairComplaint) -> dict:
    case = fairs.COMPLAINTS.case_of(session, complaint)
    fair = session.get(Fair, complaint.fair_id)
    desk = service.acts_for_unit(case, actor)
    reading = fairs.statement_clock(complaint)
    found = fairs.findings(session, fair.series, complaint.respondent_key, fair.edition)
    return {
        "complaint": complaint, "case": case, "fair": fair, "req": fairs.request_of(session, complaint),
        "actions": engine.available_actions(fairs.COMPLAINT, case, actor), "history": case.events,
        "is_desk": desk, "clock": reading,
        "due": fairs.measures_due(complaint) if complaint.state == "notified" else None,
        "not_yet": fairs.measures_refusal(complaint) if complaint.state == "notified" else None,
        "may_record_statement": desk and complaint.state == "notified" and complaint.statement_at is None,
        "may_record_facts": desk and complaint.state in ("received", "notified"),
        "findings": found, "barred_now": fairs.barred_from(session, fair, complaint.respondent_key),
        "choice_field": "", "measure_labels": domain.FAIR_MEASURES}


def codes() -> dict:
    return {"complaint_state": complaint_state, "complaint_states": fairs.COMPLAINT.states,
            "measure_labels": domain.FAIR_MEASURES, "outcomes": casetypes.OUTCOMES, "rights": domain.RIGHTS,
            "beijing_text": fairs.beijing_text}
