"""Declaring a case type: states, transitions, who may fire them, what they need, and deadlines.

Pure Python: no web, no SQL. The engine (engine.py) applies these declarations to stored cases.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ipcity.core.calendar import WorkCalendar
from ipcity.core.config import Settings, setting_names
from ipcity.core.i18n import Msg

# Who, besides having the right role, must the actor be in relation to the case?
APPLICANT = "applicant"          # the person who applied, or a member of the applying unit
ASSIGNED_UNIT = "assigned_unit"  # a member of the unit the case is assigned to
ANYONE = "anyone"                # the role alone decides

WORKING_DAYS = "working_days"
CALENDAR_DAYS = "calendar_days"

# Free text a transition stores (in the case record, its history and the audit trail): a case is not a
# document store, so each value and the reason have a ceiling, checked before anything is written.
MAX_TEXT = 10_000       # characters of text in one value (all its strings, when it is a list or an object)
MAX_REASON = 5_000      # characters of a transition's reason
MAX_VALUES = 100        # values one transition may carry


# The stages an applicant follows on a case's page (受理 → 审查 → 公示 → 办结), in this order, with filing (申请)
# before them while the office has nothing to do yet. A state names its stage; left empty, the stage is derived
# (CaseType.stage_of). A case type shows the stages its states belong to.
FILING = "filing"
ACCEPTANCE = "acceptance"
REVIEW = "review"
PUBLICITY = "publicity"
CONCLUSION = "conclusion"
STAGES: dict[str, Msg] = {
    FILING: Msg("Filing"),                  # 申请
    ACCEPTANCE: Msg("Acceptance"),          # 受理
    REVIEW: Msg("Examination"),             # 审查
    PUBLICITY: Msg("Publicity"),            # 公示
    CONCLUSION: Msg("Conclusion"),          # 办结
}


@dataclass(frozen=True)
class State:
    key: str
    label: Msg
    final: bool = False
    stage: str = ""  # one of STAGES; empty: derived (CaseType.stage_of)


@dataclass(frozen=True)
class StageStep:
    """A stage as one case stands in it: "done", "current", "ahead", or "skipped" (gone past without entering
    it, e.g. publicity for a refused application). `state` is the case's state label, on its current stage."""

    key: str
    label: Msg
    status: str
    state: Msg | None = None


def chosen_from(choices: Mapping[str, object], message: Msg, *, single: bool = False) -> Callable[[object], Msg | None]:
    """The check of a field that takes one or more keys of `choices` (refusal grounds, reasons), or exactly one
    (`single`: an outcome): `message` when it is not a non-empty list of them, or not one of them. The check
    carries its `choices` and `single`, so that the step forms offer them and read what was posted as a list or
    one value (web/paging.py transition_values)."""

    def check(value) -> Msg | None:
        if single:
            return None if isinstance(value, str) and value in choices else message
        if not isinstance(value, list) or not value or any(k not in choices for k in value):
            return message
        return None

    check.choices, check.single = choices, single  # type: ignore[attr-defined]
    return check


def choices_of(spec: FieldSpec) -> Mapping[str, object] | None:
    """The keys a field is chosen from (chosen_from), None for a free field."""
    return getattr(spec.check, "choices", None)


def is_single_choice(spec: FieldSpec) -> bool:
    return bool(getattr(spec.check, "single", False))


@dataclass(frozen=True)
class FieldSpec:
    """A value a transition needs. `check` returns an error Msg or None."""

    name: str
    label: Msg
    required: bool = True
    check: Callable[[object], Msg | None] | None = None
    max_length: int = MAX_TEXT


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
    # Set for a step that only its service's own use case may take (with its own form, fields and checks):
    # the engine then refuses it from every generic door, with this message saying where it is taken.
    only_via: Msg | None = None
    # A decision that cannot be taken back although the case goes on (approving for publicity, publishing, a
    # pledgee's confirmation, registering): its button asks before it posts (web/templates/cases/_steps.html).
    # A step into a final state is irreversible by construction and need not say so.
    irreversible: bool = False


@dataclass(frozen=True)
class DeadlineRule:
    """A time limit: `amount` working or calendar days from the transition that starts it.

    `basis` names the rule it comes from (law and article, or the unit's own service commitment); users read it,
    so it names no setting. `setting` names a Settings field (core/config.py) whose value, in the installation's
    settings, replaces `amount` when the engine applies the rule; `amount` is then the documented default.
    `unit_setting` likewise names a field holding "working_days" or "calendar_days" that replaces `unit`.
    """

    key: str
    label: Msg
    starts_on: frozenset[str]
    stops_on: frozenset[str]
    amount: int
    unit: str
    basis: str
    setting: str = ""
    unit_setting: str = ""
    # A waiting period (a publicity period) rather than a limit on someone: its end is its purpose, so it is
    # never "late"; the pages say when it ends or ended.
    period: bool = False
    # Time that does not count: a transition in `pauses_on` stops the running clock and keeps what was left of
    # it; one in `resumes_on` starts it again with only that left, not a fresh period (a correction stops the
    # examination clock; Order 81 Art 29's periods that do not count stop an adjudication's).
    pauses_on: frozenset[str] = frozenset()
    resumes_on: frozenset[str] = frozenset()
    # The length for one case where it depends on the case (a pre-examination's clock per patent type):
    # days_for(settings, case) -> days, or None for `amount`. Fixed when the clock starts.
    days_for: Callable[[Settings, object], int | None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        unknown = {self.setting, self.unit_setting} - {""} - setting_names()
        if unknown:
            raise ValueError(f"deadline {self.key!r} names settings that do not exist: {sorted(unknown)}")
        if self.unit not in (WORKING_DAYS, CALENDAR_DAYS):
            raise ValueError(f"deadline {self.key!r}: unit {self.unit!r} is neither {WORKING_DAYS} nor {CALENDAR_DAYS}")

    def in_force(self, settings: Settings) -> DeadlineRule:
        """The rule with the amount (and unit) the installation's settings give it."""
        changes: dict = {}
        if self.setting:
            changes["amount"] = int(getattr(settings, self.setting))
        if self.unit_setting:
            changes["unit"] = getattr(settings, self.unit_setting)
        return replace(self, **changes) if changes else self

    def due(self, start: date, calendar: WorkCalendar, amount: int | None = None) -> date:
        """The day the limit ends when it runs from `start` for `amount` days (default: the rule's)."""
        days = self.amount if amount is None else amount
        if self.unit == WORKING_DAYS:
            return calendar.add_working_days(start, days)
        # Calendar-day limits that end on a rest day move to the next working day.
        return calendar.next_working_day(start + timedelta(days=days))

    def left(self, on: date, due: date, calendar: WorkCalendar) -> int:
        """Days of the limit left after `on` (negative once `due` has passed), in the rule's unit."""
        return calendar.working_days_between(on, due) if self.unit == WORKING_DAYS else (due - on).days


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
    # Service rules beyond role and state: guard(session, case, transition, actor) -> Msg | None refuses.
    guard: Callable[..., Msg | None] | None = field(default=None, compare=False)
    # The service's record of a case (its table's class): the row that is the case's subject, opened with the
    # case in one step, whose `state` (and `updated_at`) mirror the case. The engine writes that mirror on every
    # step and nothing else writes it; `record_number` names the column that carries the case number.
    record: type | None = field(default=None, compare=False)
    record_number: str = ""
    # What a step does to the service's record: {transition key: fn(session, case, event, record)}, run in the
    # same transaction once the step is applied; then after(session, case, event) for what every step does.
    on: Mapping[str, Callable[..., None]] = field(default_factory=dict, compare=False)
    after: Callable[..., None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        keys = {s.key for s in self.states}
        if self.initial not in keys:
            raise ValueError(f"{self.key}: initial state {self.initial!r} is not declared")
        for s in self.states:
            if s.stage and s.stage not in STAGES:
                raise ValueError(f"{self.key}: state {s.key!r} names unknown stage {s.stage!r}")
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
        if set(self.on) - seen:
            raise ValueError(f"{self.key}: hooks for unknown transitions {sorted(set(self.on) - seen)}")
        for d in self.deadlines:
            unknown = (d.starts_on | d.stops_on | d.pauses_on | d.resumes_on) - seen - {"create"}
            if unknown:
                raise ValueError(f"{self.key}: deadline {d.key!r} names unknown transitions {sorted(unknown)}")

    def state(self, key: str) -> State:
        for s in self.states:
            if s.key == key:
                return s
        raise KeyError(key)

    def state_label(self, key: str) -> Msg:
        """The label of a state, or the key itself for one the type no longer declares (an old record's)."""
        try:
            return self.state(key).label
        except KeyError:
            return Msg(key)

    def transition(self, key: str) -> Transition:
        for t in self.transitions:
            if t.key == key:
                return t
        raise KeyError(key)

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def stage_of(self, state: str) -> str:
        """The stage a state belongs to: the one it declares; else a final state concludes, the initial state is
        filing while no step from it is the assigned unit's (the office has nothing to do yet) and acceptance
        otherwise, and every other state is review."""
        s = self.state(state)
        if s.stage:
            return s.stage
        if s.final:
            return CONCLUSION
        if s.key == self.initial:
            office_acts = any(t.actor == ASSIGNED_UNIT for t in self.from_state(s.key))
            return ACCEPTANCE if office_acts else FILING
        return REVIEW

    def stages(self) -> tuple[str, ...]:
        """The stages this case type's states belong to, in the order of STAGES."""
        used = {self.stage_of(s.key) for s in self.states}
        return tuple(k for k in STAGES if k in used)

    def progress(self, state: str, visited: Iterable[str] = ()) -> list[StageStep]:
        """Where a case in `state` stands on each of the case type's stages, given the states it has been in
        (`visited`, e.g. its history's target states). A concluded case has every stage done or skipped."""
        stages = self.stages()
        current = self.stage_of(state)
        at = stages.index(current)
        seen = {self.stage_of(v) for v in (*visited, state) if any(s.key == v for s in self.states)}
        concluded = current == CONCLUSION
        steps = []
        for i, key in enumerate(stages):
            if i < at:
                status = "done" if key in seen else "skipped"
            elif i == at:
                status = "done" if concluded else "current"
            else:
                status = "ahead"
            steps.append(StageStep(key, STAGES[key], status, self.state(state).label if i == at else None))
        return steps


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
          reason: str, *, via_use_case: bool = False) -> list[tuple[str | None, Msg]]:
    """Every reason the transition may not happen now; empty when it may.

    `via_use_case` is True only when the service's own use case fires the step; generic doors (the portal's
    case page and case API, a service's generic "act" route) leave it False.
    """
    if t.only_via is not None and not via_use_case:
        return [("transition", t.only_via)]
    if state not in t.sources:
        allowed = ", ".join(ct.state(s).label.render() for s in t.sources)
        return [(None, Msg("'{action}' is not possible while the case is '{state}'; it is possible from: {allowed}",
                           action=t.label, state=ct.state(state).label, allowed=allowed))]
    if standing.role not in t.roles:
        return [(None, Msg("Your role may not '{action}' on this case", action=t.label))]
    if not standing.may(t):
        who = Msg("the applicant") if t.actor == APPLICANT else Msg("the unit the case is assigned to")
        return [(None, Msg("Only {who} may '{action}' on this case", who=who, action=t.label))]
    declared = {f.name for f in t.fields}
    problems: list[tuple[str | None, Msg]] = [
        (str(name)[:100], Msg("This action takes no value named {name}", name=str(name)[:100]))
        for name in values if name not in declared]
    problems += _size_problems(t, values, reason)
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


def _text_length(value: object) -> int:
    """Characters of text in a value, counting every string inside lists and objects."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(len(str(k)) + _text_length(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sum(_text_length(v) for v in value)
    return 0


def _size_problems(t: Transition, values: dict, reason: str) -> list[tuple[str | None, Msg]]:
    """Values and reason over their length ceilings, each named by its field."""
    problems: list[tuple[str | None, Msg]] = []
    if len(values) > MAX_VALUES:
        problems.append(("values", Msg("Too many values: at most {n} may be given", n=MAX_VALUES)))
    specs = {f.name: f for f in t.fields}
    for name, value in values.items():
        spec = specs.get(name)
        limit = spec.max_length if spec else MAX_TEXT
        if _text_length(value) > limit:
            problems.append((str(name), Msg("{field} is too long: at most {n} characters",
                                            field=spec.label if spec else str(name), n=limit)))
    if len(reason or "") > MAX_REASON:
        problems.append(("reason", Msg("The reason is too long: at most {n} characters", n=MAX_REASON)))
    return problems
