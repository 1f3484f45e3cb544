"""The case kit: a service's record is opened with its case in one step and mirrors the case's state, written by
the engine alone; each step runs its own hook; a hook for an undeclared step is refused when the case type is
declared; the record kind's visibility rule and door."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ipcity.core.errors import NotFound, PermissionDenied
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.core.tables import Unit
from ipcity.workflow import engine
from ipcity.workflow.records import RecordKind
from ipcity.workflow.tables import Case
from tests.workflow.test_engine import TOY


class ToyBase(DeclarativeBase):
    """Its own metadata: the toy table exists only in the databases of these tests."""


class Record(ToyBase):
    """Stands in for a service's table: the engine sets `case_id`, `number` and `state`; a hook may set more."""

    __tablename__ = "test_toy_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column()
    number: Mapped[str] = mapped_column(String(40), default="")
    state: Mapped[str] = mapped_column(String(40), default="")
    owner: Mapped[str] = mapped_column(String(40), default="")
    granted_by: Mapped[str] = mapped_column(String(40), default="")


@pytest.fixture
def toy_table(session):
    ToyBase.metadata.create_all(session.get_bind())


def _lead(session) -> int:
    return session.scalar(select(Unit.id).where(Unit.name_zh == "上海市知识产权局"))


def test_the_record_mirrors_every_step_and_each_step_runs_its_own_hook(session, people, toy_table):
    record, calls = Record(owner="company"), []

    def granted(session, case, event, rec):
        calls.append(("grant", rec.state))
        rec.granted_by = event.actor_name

    def every(session, case, event):
        calls.append(("after", event.transition))

    toy = dataclasses.replace(TOY, record=Record, record_number="number", on={"grant": granted}, after=every)
    case = engine.open_case(session, toy, people["company"], title="kit", applicant_unit_id=people["company"].unit_id,
                            assigned_unit_id=_lead(session), subject_type="toy", record=record)
    # opened together: the record carries the case's id, number and first state; the case names the record
    assert (record.case_id, record.number, record.state) == (case.id, case.number, "new")
    assert case.subject_id == str(record.id) and record.id is not None
    engine.fire(session, toy, case, "file", people["company"], values={"amount": "5"})
    assert record.state == "filed" and calls == [("after", "file")]
    engine.fire(session, toy, case, "grant", people["reviewer"])
    # the hook sees the record already in the new state; `after` runs last
    assert record.state == "done" and record.granted_by == "reviewer"
    assert calls == [("after", "file"), ("grant", "done"), ("after", "grant")]


def test_a_hook_for_an_undeclared_step_is_refused_at_declaration():
    with pytest.raises(ValueError, match="unknown transitions"):
        dataclasses.replace(TOY, on={"approve": lambda *a: None})
    with pytest.raises(ValueError):
        dataclasses.replace(TOY, label=Msg("x"), on={"grant": lambda *a: None, "typo": lambda *a: None})


def test_a_record_of_another_table_is_refused_when_opening(session, people, toy_table):
    toy = dataclasses.replace(TOY, record=Record)
    with pytest.raises(TypeError):
        engine.open_case(session, toy, people["company"], title="kit", applicant_unit_id=None,
                         assigned_unit_id=_lead(session), record=object())


def test_the_record_kind_reads_shows_and_acts_through_the_one_door(session, people, toy_table):
    toy = dataclasses.replace(TOY, record=Record, record_number="number")
    kind = RecordKind(toy, missing="No toy number {id}", denied="You may not see this toy",
                      parties=lambda actor, rec: actor.username == rec.owner)
    company, reviewer, district = people["company"], people["reviewer"], people["pudong"]
    record = Record(owner=company.username)
    case = kind.open(session, company, record, title="x" * 400, applicant_unit_id=company.unit_id,
                     assigned_unit_id=_lead(session), subject_type="toy")
    assert len(case.title) == 300 and kind.of_case(session, case) is record and kind.case_of(session, record) is case
    # the party and the officials of the assigned unit see it; an official of another unit does not
    assert kind.visible(session, company, record.id) is record
    assert kind.may_view(session, reviewer, record)
    assert not kind.may_view(session, district, record)
    with pytest.raises(PermissionDenied, match="may not see this toy"):
        kind.visible(session, district, record.id)
    with pytest.raises(NotFound, match="No toy number 999999"):
        kind.get(session, 999_999)
    # a step goes through the engine: its checks apply and its mirror is written
    with pytest.raises(PermissionDenied):
        kind.act(session, reviewer, record, "file", {"amount": "5"})
    kind.act(session, company, record, "file", {"amount": "5"})
    assert record.state == session.get(Case, case.id).state == "filed"
    assert engine.actor_of(session, case.events[-1]).username == company.username


def test_a_record_kind_needs_a_case_type_with_a_record():
    with pytest.raises(ValueError):
        RecordKind(TOY, missing="x {id}", denied="y")


def test_system_steps_are_taken_by_the_platform(session, people, toy_table):
    case = engine.open_case(session, TOY, Actor.system("toy"), title="t", applicant_unit_id=None,
                            assigned_unit_id=_lead(session))
    assert engine.actor_of(session, case.events[0], "toy").display_name == "toy"
