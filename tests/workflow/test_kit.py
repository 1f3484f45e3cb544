"""The case kit: a service's record mirrors its case's state, written by the engine alone; each step runs its own
hook; a hook for an undeclared step is refused when the case type is declared."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from ipcity.core.i18n import Msg
from ipcity.core.tables import Unit
from ipcity.workflow import engine
from tests.workflow.test_engine import TOY


class Record:
    """Stands in for a service's row: the engine sets `state`; a hook may set more."""

    def __init__(self):
        self.state, self.granted_by = "", ""


def test_the_record_mirrors_every_step_and_each_step_runs_its_own_hook(session, people):
    record, calls = Record(), []

    def granted(session, case, event, rec):
        calls.append(("grant", rec.state))
        rec.granted_by = event.actor_name

    def every(session, case, event):
        calls.append(("after", event.transition))

    toy = dataclasses.replace(TOY, record_of=lambda session, case: record, on={"grant": granted}, after=every)
    lead = session.scalar(select(Unit.id).where(Unit.name_zh == "上海市知识产权局"))
    case = engine.open_case(session, toy, people["company"], title="kit", applicant_unit_id=people["company"].unit_id,
                            assigned_unit_id=lead)
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
