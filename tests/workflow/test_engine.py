"""The case engine refuses what the declaration forbids, changes nothing when it refuses, and keeps history."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from ipcity.core.errors import Conflict, DomainError, PermissionDenied
from ipcity.core.i18n import Msg
from ipcity.core.roles import APPLICANT_COMPANY, HANDLER, REVIEWER
from ipcity.core.tables import AuditEntry, InboxItem, Unit
from ipcity.workflow import engine
from ipcity.workflow.definition import (
    APPLICANT,
    ASSIGNED_UNIT,
    CALENDAR_DAYS,
    WORKING_DAYS,
    CaseType,
    DeadlineRule,
    FieldSpec,
    State,
    Transition,
)
from ipcity.workflow.tables import Case
from tests.support.clock import pin_today


def _positive(v):
    return None if str(v).isdigit() and int(v) > 0 else Msg("must be positive")


TOY = CaseType(
    key="test.toy", label=Msg("Toy"), number_prefix="TT",
    states=(State("new", Msg("New")), State("filed", Msg("Filed")), State("done", Msg("Done"), final=True),
            State("refused", Msg("Refused"), final=True)),
    initial="new",
    transitions=(
        Transition("file", Msg("File"), ("new",), "filed", frozenset({APPLICANT_COMPANY}), APPLICANT,
                   fields=(FieldSpec("amount", Msg("Amount"), check=_positive),), min_documents=0),
        Transition("grant", Msg("Grant"), ("filed",), "done", frozenset({REVIEWER}), ASSIGNED_UNIT),
        Transition("refuse", Msg("Refuse"), ("filed",), "refused", frozenset({REVIEWER, HANDLER}), ASSIGNED_UNIT,
                   reason_required=True),
    ),
    deadlines=(DeadlineRule("decide", Msg("Decision"), frozenset({"file"}), frozenset({"grant", "refuse"}), 7,
                            WORKING_DAYS, "Test rule art. 1"),
               DeadlineRule("appeal", Msg("Appeal"), frozenset({"refuse"}), frozenset(), 15, CALENDAR_DAYS,
                            "Test rule art. 2")),
)


@pytest.fixture
def case(session, people):
    lead = session.scalar(select(Unit.id).where(Unit.name_zh == "上海市知识产权局"))
    c = engine.open_case(session, TOY, people["company"], title="玩具案件", applicant_unit_id=people["company"].unit_id,
                         assigned_unit_id=lead)
    session.commit()
    return c


def _snapshot(session, case):
    session.expire_all()
    c = session.get(Case, case.id)
    return (c.state, len(c.events), dict(c.data),
            session.scalar(select(func.count()).select_from(AuditEntry)),
            session.scalar(select(func.count()).select_from(InboxItem)))


def test_refusals_are_specific_and_change_nothing(session, people, case):
    before = _snapshot(session, case)
    with pytest.raises(Conflict) as err:                      # illegal from this state
        engine.fire(session, TOY, case, "grant", people["reviewer"])
    assert "possible from" in err.value.message.render("en")
    with pytest.raises(PermissionDenied):                     # wrong role
        engine.fire(session, TOY, case, "file", people["pudong"], values={"amount": "3"})
    with pytest.raises(DomainError) as err:                   # missing field
        engine.fire(session, TOY, case, "file", people["company"], values={})
    assert err.value.field == "amount"
    assert err.value.message.render("en") == "Amount is required"
    with pytest.raises(DomainError) as err:                   # failing check
        engine.fire(session, TOY, case, "file", people["company"], values={"amount": "-1"})
    assert err.value.field == "amount"
    with pytest.raises(DomainError):
        engine.fire(session, TOY, case, "no-such-action", people["company"])
    session.rollback()
    assert _snapshot(session, case) == before


def test_only_the_assigned_unit_decides(session, people, case):
    engine.fire(session, TOY, case, "file", people["company"], values={"amount": "5"})
    session.commit()
    # A reviewer of another unit has the right role but not the right unit.
    from ipcity.core.roles import Actor

    outsider = Actor(999, "x", "x", REVIEWER, people["pudong"].unit_id, "浦东新区政府")
    with pytest.raises(PermissionDenied) as err:
        engine.fire(session, TOY, case, "grant", outsider)
    assert "assigned" in err.value.message.render("en")
    with pytest.raises(DomainError) as err:
        engine.fire(session, TOY, case, "refuse", people["reviewer"], reason="  ")
    assert err.value.field == "reason"


def test_history_deadlines_and_inbox(session, people, case, monkeypatch):
    pin_today(monkeypatch, "2025-09-26")
    engine.fire(session, TOY, case, "file", people["company"], values={"amount": "5"})
    session.commit()
    dl = engine.deadlines(session, TOY, case, on=date(2025, 9, 30))
    assert [d.due_on for d in dl] == [date(2025, 10, 13)]     # 7 working days across National Day
    assert dl[0].working_days_left == 4 and not dl[0].overdue and dl[0].basis == "Test rule art. 1"
    late = engine.deadlines(session, TOY, case, on=date(2025, 10, 15))[0]
    assert late.overdue and late.working_days_left == -2
    tasks = session.scalars(select(InboxItem).where(InboxItem.case_id == case.id, InboxItem.kind == "task")).all()
    assert [(t.unit_id, t.closed_at) for t in tasks] == [(case.assigned_unit_id, None)]
    assert [c.id for c in engine.work_queue(session, _registry(), people["reviewer"])] == [case.id]

    pin_today(monkeypatch, "2025-10-10")
    engine.fire(session, TOY, case, "refuse", people["reviewer"], reason="材料不全")
    session.commit()
    session.expire_all()
    case = session.get(Case, case.id)
    assert [(e.transition, e.from_state, e.to_state, e.actor_name) for e in case.events] == [
        ("create", "", "new", "company"), ("file", "new", "filed", "company"),
        ("refuse", "filed", "refused", "reviewer")]
    assert case.events[-1].reason == "材料不全" and case.closed_at is not None
    dls = {d.label.msgid: d for d in engine.deadlines(session, TOY, case, on=date(2025, 10, 20))}
    assert dls["Decision"].stopped_on == date(2025, 10, 10) and not dls["Decision"].overdue
    # 15 calendar days from 10-10 is Sat 10-25; it moves to the next working day, Mon 10-27.
    assert dls["Appeal"].due_on == date(2025, 10, 27)
    assert all(t.closed_at is not None for t in session.scalars(
        select(InboxItem).where(InboxItem.case_id == case.id, InboxItem.kind == "task")))
    notices = session.scalars(select(InboxItem).where(InboxItem.user_id == people["company"].user_id)).all()
    assert [n.params["action"] for n in notices] == ["Refuse"]  # the office's step; none for the company's own
    assert engine.work_queue(session, _registry(), people["reviewer"]) == []


def _registry():
    from ipcity.core.plugins import Plugin, Registry

    reg = Registry()
    reg.register(Plugin(key="toy", case_types=[TOY]))
    return reg


def test_declarations_are_checked():
    with pytest.raises(ValueError, match="unknown state"):
        CaseType(key="bad", label=Msg("x"), number_prefix="B", states=(State("a", Msg("A")),), initial="a",
                 transitions=(Transition("go", Msg("Go"), ("a",), "b", frozenset({HANDLER})),))
    with pytest.raises(ValueError, match="allows no role"):
        CaseType(key="bad", label=Msg("x"), number_prefix="B", states=(State("a", Msg("A")),), initial="a",
                 transitions=(Transition("go", Msg("Go"), ("a",), "a", frozenset()),))
    reg = _registry()
    from ipcity.core.plugins import Plugin

    with pytest.raises(ValueError, match="declared twice"):
        reg.register(Plugin(key="toy2", case_types=[TOY]))


def test_case_visibility(session, people, case):
    assert engine.may_view(case, people["company"])
    assert engine.may_view(case, people["reviewer"])
    assert not engine.may_view(case, people["pudong"])
    assert engine.may_view(case, people["admin"])
