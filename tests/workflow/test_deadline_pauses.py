"""A clock that stops for a time that does not count and resumes with only what was left (DeadlineRule.pauses_on /
resumes_on): the kit's rule for a correction in a pre-examination and Order 81's periods that do not count."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ipcity.core.i18n import Msg
from ipcity.core.roles import APPLICANT_COMPANY, REVIEWER
from ipcity.core.tables import Unit
from ipcity.workflow import engine
from ipcity.workflow.definition import (
    APPLICANT,
    ASSIGNED_UNIT,
    CALENDAR_DAYS,
    WORKING_DAYS,
    CaseType,
    DeadlineRule,
    State,
    Transition,
)
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today

OFFICIALS = frozenset({REVIEWER})
COMPANIES = frozenset({APPLICANT_COMPANY})


def _case_type(unit: str) -> CaseType:
    return CaseType(
        key=f"test.paused.{unit}", label=Msg("Paused"), number_prefix="TP",
        states=(State("examining", Msg("Examining")), State("correction", Msg("Correction")),
                State("done", Msg("Done"), final=True)),
        initial="examining",
        transitions=(
            Transition("ask", Msg("Ask"), ("examining",), "correction", OFFICIALS, ASSIGNED_UNIT),
            Transition("reply", Msg("Reply"), ("correction",), "examining", COMPANIES, APPLICANT),
            Transition("decide", Msg("Decide"), ("examining",), "done", OFFICIALS, ASSIGNED_UNIT),
        ),
        deadlines=(DeadlineRule("exam", Msg("Examination"), frozenset({"create"}), frozenset({"decide"}), 10, unit,
                                "Test rule art. 3", pauses_on=frozenset({"ask"}), resumes_on=frozenset({"reply"})),),
    )


PAUSED = _case_type(WORKING_DAYS)
PAUSED_CALENDAR = _case_type(CALENDAR_DAYS)


def _open(session, people, ct, monkeypatch, on: str) -> Case:
    pin_today(monkeypatch, on)
    office = session.scalar(select(Unit.id).where(Unit.name_zh == "上海市知识产权局"))
    case = engine.open_case(session, ct, people["company"], title="暂停的时限", assigned_unit_id=office,
                            applicant_unit_id=people["company"].unit_id)
    session.commit()
    return case


def _step(session, monkeypatch, ct, case, key, actor, on: str) -> None:
    pin_today(monkeypatch, on)
    engine.fire(session, ct, case, key, actor)
    session.commit()


def test_a_paused_clock_resumes_with_what_was_left(session, people, monkeypatch):
    # Mon 2025-09-22 + 10 working days = Sat 10-11 (National Day 10-01..08 rests; Sun 09-28 and Sat 10-11 work).
    case = _open(session, people, PAUSED, monkeypatch, "2025-09-22")
    assert engine.deadlines(session, PAUSED, case, on=date(2025, 9, 22))[0].due_on == date(2025, 10, 11)
    # Paused on Thu 09-25 after 3 working days: 7 are left, however long the pause lasts.
    _step(session, monkeypatch, PAUSED, case, "ask", people["reviewer"], "2025-09-25")
    paused = engine.deadlines(session, PAUSED, case, on=date(2025, 10, 20))
    assert len(paused) == 1 and paused[0].paused and paused[0].working_days_left == 7 and not paused[0].overdue
    assert not engine.running_deadlines(case)  # nobody is late while the clock is stopped
    # Resumed on Mon 10-20: 7 working days from then is Wed 10-29, not 10 from the reply.
    _step(session, monkeypatch, PAUSED, case, "reply", people["company"], "2025-10-20")
    views = engine.deadlines(session, PAUSED, case, on=date(2025, 10, 20))
    assert [(v.paused, v.resumed, v.due_on) for v in views] == [(True, False, date(2025, 10, 11)),
                                                                 (False, True, date(2025, 10, 29))]
    assert views[1].working_days_left == 7 and not views[1].overdue
    assert engine.deadlines(session, PAUSED, case, on=date(2025, 10, 30))[1].overdue
    # A second pause and resume counts from the resumed clock's own end.
    _step(session, monkeypatch, PAUSED, case, "ask", people["reviewer"], "2025-10-27")  # Mon: 2 days left
    _step(session, monkeypatch, PAUSED, case, "reply", people["company"], "2025-11-03")
    last = engine.deadlines(session, PAUSED, case, on=date(2025, 11, 3))[-1]
    assert last.due_on == date(2025, 11, 5) and last.resumed
    _step(session, monkeypatch, PAUSED, case, "decide", people["reviewer"], "2025-11-04")
    done = engine.deadlines(session, PAUSED, case, on=date(2025, 11, 10))[-1]
    assert done.stopped_on == date(2025, 11, 4) and not done.paused and not done.overdue


def test_a_clock_paused_after_its_end_resumes_with_nothing_left(session, people, monkeypatch):
    case = _open(session, people, PAUSED, monkeypatch, "2025-11-03")  # due Mon 11-17
    _step(session, monkeypatch, PAUSED, case, "ask", people["reviewer"], "2025-11-19")
    assert engine.deadlines(session, PAUSED, case)[0].overdue
    _step(session, monkeypatch, PAUSED, case, "reply", people["company"], "2025-11-24")
    resumed = engine.deadlines(session, PAUSED, case, on=date(2025, 11, 24))[-1]
    assert resumed.due_on == date(2025, 11, 24) and resumed.working_days_left == 0


def test_calendar_day_clocks_keep_their_calendar_days(session, people, monkeypatch):
    case = _open(session, people, PAUSED_CALENDAR, monkeypatch, "2025-11-03")  # + 10 days = Thu 11-13
    _step(session, monkeypatch, PAUSED_CALENDAR, case, "ask", people["reviewer"], "2025-11-06")  # 7 days left
    _step(session, monkeypatch, PAUSED_CALENDAR, case, "reply", people["company"], "2025-11-20")
    # 11-20 + 7 = Thu 11-27.
    assert engine.deadlines(session, PAUSED_CALENDAR, case)[-1].due_on == date(2025, 11, 27)


def test_a_reply_without_a_pause_starts_nothing(session, people, monkeypatch):
    ct = CaseType(
        key="test.paused.none", label=Msg("Paused"), number_prefix="TN",
        states=PAUSED.states, initial="examining", transitions=PAUSED.transitions,
        deadlines=(DeadlineRule("exam", Msg("Examination"), frozenset({"decide"}), frozenset(), 10, WORKING_DAYS,
                                "Test rule", pauses_on=frozenset({"ask"}), resumes_on=frozenset({"reply"})),))
    case = _open(session, people, ct, monkeypatch, "2025-11-03")
    _step(session, monkeypatch, ct, case, "ask", people["reviewer"], "2025-11-04")
    _step(session, monkeypatch, ct, case, "reply", people["company"], "2025-11-05")
    assert engine.deadlines(session, ct, case) == []


def test_undeclared_pause_transitions_are_refused():
    with pytest.raises(ValueError, match="unknown transitions"):
        CaseType(key="test.bad", label=Msg("Bad"), number_prefix="TB", states=PAUSED.states, initial="examining",
                 transitions=PAUSED.transitions,
                 deadlines=(DeadlineRule("exam", Msg("E"), frozenset({"create"}), frozenset(), 1, WORKING_DAYS, "x",
                                         pauses_on=frozenset({"nope"})),))


def test_a_clock_may_take_its_length_from_the_case(session, people, monkeypatch):
    ct = CaseType(
        key="test.paused.own", label=Msg("Paused"), number_prefix="TO",
        states=PAUSED.states, initial="examining", transitions=PAUSED.transitions,
        deadlines=(DeadlineRule("exam", Msg("Examination"), frozenset({"create"}), frozenset({"decide"}), 10,
                                WORKING_DAYS, "Test rule", pauses_on=frozenset({"ask"}),
                                resumes_on=frozenset({"reply"}),
                                days_for=lambda settings, case: 3 if case.data.get("kind") == "short" else None),))
    pin_today(monkeypatch, "2025-11-03")
    office = session.scalar(select(Unit.id).where(Unit.name_zh == "上海市知识产权局"))
    short = engine.open_case(session, ct, people["company"], title="短", assigned_unit_id=office,
                             applicant_unit_id=people["company"].unit_id, data={"kind": "short"})
    plain = engine.open_case(session, ct, people["company"], title="长", assigned_unit_id=office,
                             applicant_unit_id=people["company"].unit_id, data={})
    session.commit()
    assert engine.deadlines(session, ct, short)[0].due_on == date(2025, 11, 6)
    assert engine.deadlines(session, ct, plain)[0].due_on == date(2025, 11, 17)
    # Paused after one day, the short clock resumes with its own two days left.
    _step(session, monkeypatch, ct, short, "ask", people["reviewer"], "2025-11-04")
    _step(session, monkeypatch, ct, short, "reply", people["company"], "2025-11-10")
    assert engine.deadlines(session, ct, short)[-1].due_on == date(2025, 11, 12)
