"""Who a case waits on: the party whose step the case needs next, read from the case type's declaration.

The inbox gives that party the task ("awaits your action"); everyone else is at most told. A step that is
only a party's option is nobody's task:

- a final state waits on nobody;
- the applicant owes the next step when the office has sent the case back to them — a step of theirs leads
  back to a state from which an office step brought the case here (a correction, a return) — or when the case
  has not left its first state and a step of theirs takes it on (a draft to submit). Withdrawing, abandoning or
  cancelling (an applicant's step that ends the case) is their choice, never their task;
- otherwise the office (the unit the case is assigned to) owes the next step while a time limit of its own runs
  on the case: one that one of its steps from here would stop (its decision within the limit), never a waiting
  period such as a publicity. A case type that
  declares no time limits waits on the office whenever it has a step. So a registered or published case, whose
  only office step is a revocation or a cancellation, waits on nobody;
- a step that neither the applicant nor the office takes (the pledgee bank's confirmation) is the service's own
  to announce.

Pure: no database, no web.
"""

from __future__ import annotations

from collections.abc import Iterable

from ipcity.core.roles import ADMIN, OFFICIAL_ROLES
from ipcity.workflow.definition import ANYONE, APPLICANT, ASSIGNED_UNIT, CaseType, Transition

OFFICE_ROLES = OFFICIAL_ROLES | {ADMIN}


def is_office_step(t: Transition) -> bool:
    """A step of the assigned unit, or one that only officials (and administrators) may take."""
    if t.actor == ASSIGNED_UNIT:
        return True
    return t.actor == ANYONE and bool(t.roles & OFFICIAL_ROLES) and t.roles <= OFFICE_ROLES


def gives_up(ct: CaseType, t: Transition) -> bool:
    """The applicant ending their own case (withdraw, abandon, cancel): an option, not a task."""
    return t.actor == APPLICANT and ct.state(t.target).final


def applicant_owes(ct: CaseType, state: str) -> bool:
    for t in ct.from_state(state):
        if t.actor != APPLICANT or gives_up(ct, t):
            continue
        if state == ct.initial:
            return True
        if any(is_office_step(back) and back.target == state for back in ct.from_state(t.target)):
            return True
    return False


def office_owes(ct: CaseType, state: str, running: Iterable[str]) -> bool:
    steps = [t for t in ct.from_state(state) if is_office_step(t)]
    if not steps:
        return False
    if not ct.deadlines:
        return True
    keys = {t.key for t in steps}
    running = set(running)
    # A waiting period (publicity) binds nobody: the office acts when it ends, or on an objection.
    return any(rule.key in running and not rule.period and rule.stops_on & keys for rule in ct.deadlines)


def waits_on(ct: CaseType, state: str, running: Iterable[str] = ()) -> frozenset[str]:
    """{APPLICANT} or {ASSIGNED_UNIT} (the office), or nobody; `running` are the keys of the time limits running
    on the case (started and not stopped)."""
    if ct.state(state).final:
        return frozenset()
    if applicant_owes(ct, state):
        return frozenset({APPLICANT})
    if office_owes(ct, state, running):
        return frozenset({ASSIGNED_UNIT})
    return frozenset()
