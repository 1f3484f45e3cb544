"""Read model of plan supervision: the work-point list's filters, and the figures the platform's services give on
the work points (what both the HTML pages and the JSON API read).

Every filter arrives as text, so a form sent with its defaults ("all": empty values) is the whole list, and a
value that names nothing is refused naming its field, to be shown beside the form (never a bare 422).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core.clock import today
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Figure, Registry
from ipcity.core.roles import Actor
from ipcity.core.tables import Unit
from ipcity.services.workplan import domain, service
from ipcity.services.workplan.tables import PlanPoint
from ipcity.web.paging import ListFilters, date_range

# The units a list may be narrowed to: those the plan makes responsible on the Shanghai side.
LISTED_UNIT_KINDS = ("ip_office", "municipal_dept", "district_gov")


def listed_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.kind.in_(LISTED_UNIT_KINDS)).order_by(Unit.name_zh)))


# --- the list of work points ---------------------------------------------------------------------------------

@dataclass
class PointFilters(ListFilters):
    """The list's form: text search, section, state, deadline, unit, and "my unit's points" (a checkbox)."""

    q: str = ""
    section: str = ""
    status: str = ""
    deadline: str = ""
    unit_id: str = ""
    mine: str = ""


@dataclass
class PointList:
    views: list[service.PointView]
    sections: list[tuple[int, str]]     # what the section select offers
    deadlines: list[str]                # what the deadline select offers
    section: int | None = None          # the filters as understood
    unit_id: int | None = None


def _number(value: str, field: str, problems: list[tuple[str, Msg]]) -> int | None:
    text = value.strip()
    if text.isdigit() and len(text) <= 9:
        return int(text)
    problems.append((field, Msg("'{value}' is not a number", value=text[:20])))
    return None


def points(session: Session, actor: Actor | None, filters: PointFilters, on: date | None = None) -> PointList:
    """The points the filters select (all of them for empty filters). A value that names nothing — a section or
    unit that does not exist, an unknown state or deadline, "my unit" for an account of no unit — is refused with
    every such problem named by its field, and nothing is listed."""
    every = service.list_points(session, on=on)
    sections = sorted({(v.point.section_number, v.point.section_title) for v in every})
    deadlines = sorted({v.point.deadline_label for v in every}, key=lambda d: (d == domain.ONGOING_LABEL, d))
    problems: list[tuple[str, Msg]] = []
    section = unit_id = None
    if filters.section.strip():
        section = _number(filters.section, "section", problems)
        if section is not None and section not in {n for n, _ in sections}:
            problems.append(("section", Msg("There is no section {n} in the plan", n=section)))
    status = filters.status.strip()
    if status and status not in {str(s) for s in domain.PointStatus}:
        problems.append(("status", Msg("'{value}' is not a state of a work point", value=status[:40])))
    deadline = filters.deadline.strip()
    if deadline and deadline not in deadlines:
        problems.append(("deadline", Msg("No work point has the deadline '{value}'", value=deadline[:40])))
    if filters.mine.strip():
        if actor is None or actor.unit_id is None:
            problems.append(("mine", Msg("Your account belongs to no unit, so it has no points of its own")))
        else:
            unit_id = actor.unit_id
    elif filters.unit_id.strip():
        unit_id = _number(filters.unit_id, "unit_id", problems)
        if unit_id is not None and session.get(Unit, unit_id) is None:
            problems.append(("unit_id", Msg("There is no unit {id}", id=unit_id)))
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    unit = session.get(Unit, unit_id) if unit_id else None
    q = filters.q.strip()
    views = [v for v in every
             if (section is None or v.point.section_number == section)
             and (not status or v.status == status)
             and (not deadline or v.point.deadline_label == deadline)
             and (unit is None or service.is_responsible(v.point, unit))
             and (not q or q in v.point.content or any(q in r.unit_name for r in v.point.responsibilities))]
    return PointList(views, sections, deadlines, section, unit_id)


EXPORT_HEADER = ["number", "section", "content", "deadline", "status", "completion", "days_overdue", "units",
                 "groups_named"]


def export_rows(views: list[service.PointView]) -> list[list]:
    return [[v.point.number, v.point.section_number, v.point.content, v.point.deadline_label, str(v.status),
             v.point.completion, v.days_overdue, "、".join(service.unit_names(v.point)),
             "、".join(service.remarks(v.point))] for v in views]


# --- the services' own figures --------------------------------------------------------------------------------

@dataclass
class PeriodFilters(ListFilters):
    """The period of the figures: from the first day of this year to today unless chosen."""

    period_from: str = ""
    period_to: str = ""


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def to_date(self) -> bool:
        return self.end >= today()


def period_of(filters: PeriodFilters) -> Period:
    start, end = date_range(filters.period_from, filters.period_to, "period_from", "period_to")
    on = today()
    start, end = start or date(on.year, 1, 1), end or on
    if end < start:  # one day given, the other left to its default
        field = "period_to" if filters.period_to.strip() else "period_from"
        raise DomainError(Msg("The period ends on {end}, before it starts on {start}", start=start.isoformat(),
                              end=end.isoformat()), field=field)
    return Period(start, end)


@dataclass(frozen=True)
class FigureGroup:
    """The figures one system gives on a work point, with what a reader needs to weigh them: where they come
    from and over which period."""

    item: int
    source: Msg
    figures: tuple[Figure, ...]
    period: Period

    @property
    def caption(self) -> Msg:
        if self.period.to_date and self.period.end == today():
            return Msg("Source: {source}; period {start} to date", source=self.source,
                       start=self.period.start.isoformat())
        return Msg("Source: {source}; period {start} to {end}", source=self.source,
                   start=self.period.start.isoformat(), end=self.period.end.isoformat())


def figures(registry: Registry, session: Session, item: int, period: Period) -> list[FigureGroup]:
    """What the services registered for plan item `item` count over `period`, computed now, one group per
    source (the services are reached through the registry: plan supervision imports none of them)."""
    groups: dict[str, list[Figure]] = {}
    sources: dict[str, Msg] = {}
    for make in registry.figures_for(item).values():
        for f in make(session, period.start, period.end):
            groups.setdefault(f.source.msgid, []).append(f)
            sources.setdefault(f.source.msgid, f.source)
    return [FigureGroup(item, sources[k], tuple(v), period) for k, v in groups.items()]


def all_figures(registry: Registry, session: Session, period: Period) -> list[tuple[PlanPoint, list[FigureGroup]]]:
    """The figures of every work point some service gives figures on, with the point."""
    items = registry.figure_items()
    found = {p.number: p for p in session.scalars(select(PlanPoint).where(PlanPoint.number.in_(items)))}
    return [(found[n], figures(registry, session, n, period)) for n in items if n in found]
