"""Declaring a case type: states, transitions, who may fire them, what they need, and deadlines.

Pure Python: no web, no SQL. The engine (engine.py) applies these declarations to stored cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from ipcity.core.calendar import WorkCalendar
from ipcity.core.i18n import Msg

# Who, besides having the right role, must the actor be in relation to the case?
APPLICANT = "applicant"          # the person who applied, or a member of the applying unit
ASSIGNED_UNIT = "assigned_unit"  # a member of the unit the case is assigned to
ANYONE = "anyone"                # the role alone decides

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"


@dataclass(frozen=True)
class State:
    key: str
    label: Msg
    final: bool = False


@dataclass(frozen=True)
class FieldSpec:
    """A value a transition needs. `check` returns an error Msg or None."""

    name: str
    label: Msg
    required: bool = True
    check: Callable[[object], Msg | None] | None = None


@dataclass(frozen=True)
class Transition:
    key: str
    label: Msg
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    actor: str = ANYONE
    fields: tuple[FieldSpec, ...] = ()
    min_documents: int = 0
    reason_required: bool = False


@dataclass(frozen=True)
class DeadlineRule:
    """A time limit: `amount` working or calendar days from the transition that starts it.

    `basis` names the rule it comes from (law and article, or the unit's own service commitment).
    """

    key: str
    label: Msg
    starts_on: frozenset[str]
    stops_on: frozenset[str]
    amount: int
    unit: str
    basis: str

    def due(self, start: date, calendar: WorkCalendar) -> date:
        if self.unit == WORKING_DAYS:
            return calendar.add_working_days(start, self.amount)
        # Calendar-day limits that end on a rest day move to the next working day.
        return calendar.next_working_day(start + timedelta(days=self.amount))


@dataclass(frozen=True)
class CaseType:
    key: str
    label: Msg
    number_prefix: str
    states: tuple[State, ...]
    initial: str
    transitions: tuple[Transition, ...]
    deadlines: tuple[DeadlineRule, ...] = ()
    link: Callable[[object], str] | None = field(default=None, compare=False)  # case -> page of its subject
    # Service rules beyond role and state: guard(session, case, transition, actor) -> Msg | None refuses;
    # after(session, case, event) runs in the same transaction once the transition is applied.
    guard: Callable[..., Msg | None] | None = field(default=None, compare=False)
    after: Callable[..., None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        keys = {s.key for s in self.states}
        if self.initial not in keys:
            raise ValueError(f"{self.key}: initial state {self.initial!r} is not declared")
        seen = set()
        for t in self.transitions:
            if t.key in seen:
                raise ValueError(f"{self.key}: transition {t.key!r} declared twice")
            seen.add(t.key)
            for s in (*t.sources, t.target):
                if s not in keys:
                    raise ValueError(f"{self.key}: transition {t.key!r} names unknown state {s!r}")
            if not t.roles:
                raise ValueError(f"{self.key}: transition {t.key!r} allows no role")
        for d in self.deadlines:
            unknown = (d.starts_on | d.stops_on) - seen - {"create"}
            if unknown:
                raise ValueError(f"{self.key}: deadline {d.key!r} names unknown transitions {sorted(unknown)}")

    def state(self, key: str) -> State:
        for s in self.states:
            if s.key == key:
                return s
        raise KeyError(key)

    def transition(self, key: str) -> Transition:
        for t in self.transitions:
            if t.key == key:
                return t
        raise KeyError(key)

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]


@dataclass(frozen=True)
class Standing:
    """The actor as the engine sees them for one case."""

    role: str
    is_applicant: bool
    in_assigned_unit: bool

    def may(self, t: Transition) -> bool:
        if self.role not in t.roles:
            return False
        if t.actor == APPLICANT:
            return self.is_applicant
        if t.actor == ASSIGNED_UNIT:
            return self.in_assigned_unit
        return True


def check(ct: CaseType, state: str, t: Transition, standing: Standing, values: dict, documents: int,
          reason: str) -> list[tuple[str | None, Msg]]:
    """Every reason the transition may not happen now; empty when it may."""
    if state not in t.sources:
        allowed = ", ".join(ct.state(s).label.render() for s in t.sources)
        return [(None, Msg("'{action}' is not possible while the case is '{state}'; it is possible from: {allowed}",
                           action=t.label, state=ct.state(state).label, allowed=allowed))]
    if standing.role not in t.roles:
        return [(None, Msg("Your role may not '{action}' on this case", action=t.label))]
    if not standing.may(t):
        who = Msg("the applicant") if t.actor == APPLICANT else Msg("the unit the case is assigned to")
        return [(None, Msg("Only {who} may '{action}' on this case", who=who, action=t.label))]
    problems: list[tuple[str | None, Msg]] = []
    for f in t.fields:
        value = values.get(f.name)
        empty = value is None or (isinstance(value, str) and not value.strip()) or value == []
        if empty:
            if f.required:
                problems.append((f.name, Msg("{field} is required", field=f.label)))
            continue
        if f.check:
            err = f.check(value)
            if err is not None:
                problems.append((f.name, err))
    if documents < t.min_documents:
        problems.append(("documents", Msg("At least {n} document(s) must be attached", n=t.min_documents)))
    if t.reason_required and not (reason or "").strip():
        problems.append(("reason", Msg("Give the reason for '{action}'", action=t.label)))
    return problems
