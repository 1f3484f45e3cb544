"""The case engine: opens cases, fires transitions, keeps the history, deadlines, inbox tasks and audit.

`fire` checks everything first (state, role, unit, fields, documents, reason) and refuses with the
full list of problems before it writes anything, so a refused transition changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipcity.core import audit, inbox
from ipcity.core import calendar as cal
from ipcity.core.clock import now, today
from ipcity.core.context import settings_of
from ipcity.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ipcity.core.files import attachments_of
from ipcity.core.i18n import N_, Msg
from ipcity.core.roles import ADMIN, Actor
from ipcity.core.serials import serial_after_issued
from ipcity.core.tables import User
from ipcity.workflow.definition import APPLICANT, ASSIGNED_UNIT, CaseType, DeadlineRule, Standing, check
from ipcity.workflow.tables import Case, CaseDeadline, CaseEvent
from ipcity.workflow.waits import waits_on

CASE_OWNER = "case"  # owner_type of documents attached to a case


def standing(case: Case, actor: Actor) -> Standing:
    is_applicant = actor.user_id is not None and (
        case.applicant_user_id == actor.user_id
        or (case.applicant_unit_id is not None and case.applicant_unit_id == actor.unit_id)
    )
    in_assigned = case.assigned_unit_id is not None and case.assigned_unit_id == actor.unit_id
    return Standing(actor.role, is_applicant, in_assigned)


def _next_number(session: Session, ct: CaseType) -> str:
    """Prefix, year and a six-digit serial from the one allocator (safe with concurrent filings)."""
    prefix = f"{ct.number_prefix}{today().year}"
    serial = serial_after_issued(session, f"case:{prefix}", Case.number, Case.number.like(f"{prefix}%"),
                                 func.length(Case.number) == len(prefix) + 6, start=len(prefix))
    return f"{prefix}{serial:06d}"


def open_case(session: Session, ct: CaseType, actor: Actor, *, title: str, applicant_unit_id: int | None,
              assigned_unit_id: int | None, subject_type: str = "", subject_id: str = "",
              data: dict | None = None, record: object | None = None) -> Case:
    """Open a case; with `record` (a new row of the case type's table) the case and its subject are opened in
    one step: the record gets the case's id, number and state before either is written."""
    case = Case(type_key=ct.key, number=_next_number(session, ct), title=title, state=ct.initial,
                applicant_user_id=actor.user_id, applicant_unit_id=applicant_unit_id,
                assigned_unit_id=assigned_unit_id, subject_type=subject_type, subject_id=str(subject_id),
                data=dict(data or {}))
    session.add(case)
    session.flush()
    if record is not None:
        if ct.record is None or not isinstance(record, ct.record):
            raise TypeError(f"{ct.key}: the record must be a {ct.record!r}")
        record.case_id, record.state = case.id, case.state
        if ct.record_number:
            setattr(record, ct.record_number, case.number)
        session.add(record)
        session.flush()
        case.subject_id = str(record.id)
    session.add(CaseEvent(case_id=case.id, seq=1, transition="create", from_state="", to_state=ct.initial,
                          actor_id=actor.user_id, actor_name=actor.display_name, unit_id=actor.unit_id,
                          unit_name=actor.unit_name, values=dict(data or {})))
    _start_deadlines(session, ct, case, "create")
    _route_tasks(session, ct, case, None, actor)
    audit.record(session, actor, "case.create", "case", case.id, summary=f"{case.number} {title}",
                 detail={"type": ct.key, "state": ct.initial})
    session.flush()
    return case


def rules_in_force(session: Session, ct: CaseType) -> dict[str, DeadlineRule]:
    """The case type's deadline rules by key, with the amounts the installation's settings give them."""
    settings = settings_of(session)
    return {r.key: r.in_force(settings) for r in ct.deadlines}


def _start_deadlines(session: Session, ct: CaseType, case: Case, transition: str) -> None:
    calendar = cal.load(session)
    start = today()
    for rule in rules_in_force(session, ct).values():
        pausing = transition in rule.pauses_on
        if transition in rule.stops_on or pausing:
            for d in case.deadlines:
                if d.rule_key == rule.key and d.stopped_on is None:
                    d.stopped_on, d.paused = start, pausing
        if transition in rule.starts_on:
            days = rule.days_for(settings_of(session), case) if rule.days_for else None
            case.deadlines.append(CaseDeadline(rule_key=rule.key, started_on=start, days=days,
                                               due_on=rule.due(start, calendar, days)))
        elif transition in rule.resumes_on:
            _resume(case, rule, start, calendar)


def _resume(case: Case, rule: DeadlineRule, start, calendar: cal.WorkCalendar) -> None:
    """The rule's clock again from `start`, for what was left when it was paused (nothing, when it is running or
    was never paused). A clock paused after its end resumes with nothing left: due the day it resumes."""
    rows = [d for d in case.deadlines if d.rule_key == rule.key]
    if not rows or rows[-1].stopped_on is None or not rows[-1].paused:
        return
    paused = rows[-1]
    left = max(rule.left(paused.stopped_on, paused.due_on, calendar), 0)
    case.deadlines.append(CaseDeadline(rule_key=rule.key, started_on=start, days=left,
                                       due_on=rule.due(start, calendar, left)))


def fire(session: Session, ct: CaseType, case: Case, transition_key: str, actor: Actor, *,
         values: dict | None = None, reason: str = "", via_use_case: bool = False) -> CaseEvent:
    """Take one step of the case. The only place a step is allowed or refused, whichever route asked.

    Only the values the transition declares are accepted (anything else is refused, naming the field), so a
    hook never sees a value the caller slipped in. `via_use_case=True` is passed only by a service's own use
    case, for the steps declared `only_via` (a cancellation through its request, an objection through its form).
    """
    try:
        t = ct.transition(transition_key)
    except KeyError:
        raise DomainError(Msg("Unknown action {action}", action=transition_key), field="action") from None
    values = dict(values or {})
    # Lock the case and read it as committed now: two people acting on one case at once must not both
    # pass the checks on the same old state (the second would overwrite the first's step).
    session.flush()
    session.refresh(case, with_for_update=True)
    documents = len(attachments_of(session, CASE_OWNER, case.id))
    problems = check(ct, case.state, t, standing(case, actor), values, documents, reason,
                     via_use_case=via_use_case)
    if not problems and ct.guard is not None:
        refusal = ct.guard(session, case, t, actor)
        if refusal is not None:
            problems = [(None, refusal)]
    if problems:
        field, first = problems[0]
        if field == "transition":  # a step this door may not take at all, whatever the state
            raise DomainError(first, field=field, problems=problems)
        if case.state not in t.sources:
            raise Conflict(first, field=field, problems=problems)
        if field is None:
            raise PermissionDenied(first, problems=problems)
        raise DomainError(first, field=field, problems=problems)

    before = case.state
    case.state = t.target
    case.data = {**case.data, **values}
    case.updated_at = now()
    target = ct.state(t.target)
    if target.final:
        case.closed_at = now()
    seq = (max((e.seq for e in case.events), default=0)) + 1
    event = CaseEvent(case_id=case.id, seq=seq, transition=t.key, from_state=before, to_state=t.target,
                      actor_id=actor.user_id, actor_name=actor.display_name, unit_id=actor.unit_id,
                      unit_name=actor.unit_name, reason=reason.strip(), values=values)
    case.events.append(event)
    _start_deadlines(session, ct, case, t.key)
    _route_tasks(session, ct, case, t.label, actor)
    record = record_of(session, ct, case)
    if record is not None:
        record.state = case.state
        if hasattr(type(record), "updated_at"):
            record.updated_at = now()
    hook = ct.on.get(t.key)
    if hook is not None:
        hook(session, case, event, record)
    if ct.after is not None:
        ct.after(session, case, event)
    audit.record(session, actor, "case.transition", "case", case.id, summary=f"{case.number} {t.key}",
                 reason=reason.strip(), detail={"from": before, "to": t.target, "values": values})
    session.flush()
    return event


def record_of(session: Session, ct: CaseType, case: Case):
    """The service's record whose subject the case is (None for a case type without one)."""
    if ct.record is None:
        return None
    record = session.get(ct.record, int(case.subject_id)) if case.subject_id.isdigit() else None
    if record is None or record.case_id != case.id:  # a record is bound to one case: never another's
        raise NotFound(Msg("No record for case {number}", number=case.number))
    return record


def actor_of(session: Session, event: CaseEvent, system: str = "workflow") -> Actor:
    """Who took a step, as an Actor again (for a hook that acts on their behalf); the platform when no one did."""
    user = session.get(User, event.actor_id) if event.actor_id else None
    return Actor.of(user) if user is not None else Actor.system(system)


def running_deadlines(case: Case) -> set[str]:
    """The keys of the time limits running on the case (started, not stopped)."""
    return {d.rule_key for d in case.deadlines if d.stopped_on is None}


def _route_tasks(session: Session, ct: CaseType, case: Case, action: Msg | None, actor: Actor) -> None:
    """Close the case's open tasks (the step is done, or the case has moved past them); give a task only to the
    party the case now waits on (waits.py); tell the other parties with a notice, never the one who acted.
    `action` is None when the case is opened: the opener's own side gets no task for it and nobody a notice."""
    closed = inbox.close_case_tasks(session, case.id)
    link = f"/cases/{case.id}"
    awaited = waits_on(ct, case.state, running_deadlines(case))
    st = standing(case, actor)
    state_label = ct.state(case.state).label.msgid
    task = {"kind": "task", "case_id": case.id, "link": link, "title": N_("Case {number} awaits your action ({state})"),
            "params": {"number": case.number, "state": state_label}}
    if ASSIGNED_UNIT in awaited and case.assigned_unit_id and (action is not None or not st.in_assigned_unit):
        inbox.notify(session, unit_id=case.assigned_unit_id, **task)
    if APPLICANT in awaited and (case.applicant_user_id or case.applicant_unit_id) \
            and (action is not None or not st.is_applicant):
        inbox.notify(session, user_id=case.applicant_user_id,
                     unit_id=case.applicant_unit_id if not case.applicant_user_id else None, **task)
    if action is None:
        return
    notice = {"kind": "notice", "case_id": case.id, "link": link,
              "title": N_("Case {number}: {action} — now '{state}'"),
              "params": {"number": case.number, "action": action.msgid, "state": state_label}}
    if case.applicant_user_id and APPLICANT not in awaited and not st.is_applicant:
        inbox.notify(session, user_id=case.applicant_user_id, **notice)
    # The office hears of a step someone else took while it had the case in hand (a withdrawal during review).
    office_had_it = any(unit == case.assigned_unit_id and user is None for user, unit in closed)
    if office_had_it and ASSIGNED_UNIT not in awaited and not st.in_assigned_unit:
        inbox.notify(session, unit_id=case.assigned_unit_id, **notice)


@dataclass(frozen=True)
class DeadlineView:
    label: Msg
    basis: str
    started_on: date
    due_on: date
    stopped_on: date | None
    working_days_left: int
    overdue: bool
    provisional: bool
    period: bool = False  # a waiting period: never overdue (DeadlineRule.period)
    key: str = ""  # the rule's key (DeadlineRule.key)
    paused: bool = False  # stopped for a time that does not count; resumes with `working_days_left`
    resumed: bool = False  # runs for what was left when it was paused


def deadlines(session: Session, ct: CaseType, case: Case, on: date | None = None,
              calendar: cal.WorkCalendar | None = None) -> list[DeadlineView]:
    """Remaining time and overdue, computed on read with the calendar as it is now (a list of cases loads the
    calendar once and passes it)."""
    calendar = calendar or cal.load(session)
    on = on or today()
    rules = rules_in_force(session, ct)
    out = []
    last_paused: dict[str, bool] = {}  # rule key -> whether its previous run was paused (this one resumes it)
    for d in case.deadlines:
        rule = rules.get(d.rule_key)
        if rule is None:
            continue
        resumed, last_paused[d.rule_key] = last_paused.get(d.rule_key, False), bool(d.paused)
        due = rule.due(d.started_on, calendar, d.days)
        ref = d.stopped_on or on
        left = calendar.working_days_between(ref, due)
        out.append(DeadlineView(rule.label, rule.basis, d.started_on, due, d.stopped_on, left,
                                ref > due and not rule.period,
                                calendar.is_provisional(due) or calendar.is_provisional(d.started_on), rule.period,
                                key=rule.key, paused=bool(d.paused), resumed=resumed))
    return out


def available_actions(ct: CaseType, case: Case, actor: Actor, *, own_steps: bool = False):
    """The steps the actor may take now; steps only the service's own pages take are left out unless
    `own_steps` (the service's page, which offers them with their own forms)."""
    st = standing(case, actor)
    return [t for t in ct.from_state(case.state) if st.may(t) and (own_steps or t.only_via is None)]


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(Msg("No case number {id}", id=case_id))
    return case


def may_view(case: Case, actor: Actor) -> bool:
    """Applicants see their own cases; the assigned unit sees its cases; administrators see all."""
    st = standing(case, actor)
    return st.is_applicant or st.in_assigned_unit or actor.role == ADMIN


def work_queue(session: Session, registry, actor: Actor) -> list[Case]:
    """Open cases of the actor's unit whose next step belongs to that unit."""
    if actor.unit_id is None:
        return []
    rows = session.scalars(select(Case).where(Case.assigned_unit_id == actor.unit_id, Case.closed_at.is_(None))
                           .order_by(Case.updated_at))
    out = []
    for c in rows:
        ct = registry.case_type(c.type_key)
        if ASSIGNED_UNIT in waits_on(ct, c.state, running_deadlines(c)):  # the inbox's rule: waits on the unit
            out.append(c)
    return out


def my_cases(session: Session, actor: Actor) -> list[Case]:
    q = select(Case).where(Case.applicant_user_id == actor.user_id)
    if actor.unit_id is not None:
        q = select(Case).where((Case.applicant_user_id == actor.user_id) | (Case.applicant_unit_id == actor.unit_id))
    return list(session.scalars(q.order_by(Case.updated_at.desc())))


def running_clocks(session: Session, ct: CaseType, rows: list) -> dict[int, dict]:
    """The running time limit of each record on a list page (one query for the page): {record id: {"key",
    "label", "due", "overdue"}}; a record whose clocks are all stopped or paused has none. `rows` are a service's
    records (with `id` and `case_id`)."""
    by_case = {r.case_id: r.id for r in rows}
    if not by_case:
        return {}
    labels = {d.key: d.label for d in ct.deadlines}
    out: dict[int, dict] = {}
    for case_id, key, due in session.execute(
            select(CaseDeadline.case_id, CaseDeadline.rule_key, CaseDeadline.due_on)
            .where(CaseDeadline.case_id.in_(by_case), CaseDeadline.stopped_on.is_(None))
            .order_by(CaseDeadline.id)):
        out[by_case[case_id]] = {"key": key, "label": labels.get(key, key), "due": due, "overdue": due < today()}
    return out
