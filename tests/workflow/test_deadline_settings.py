"""A deadline's amount comes from the installation's settings when the engine applies it (DeadlineRule.setting);
the case types stay module constants, and the basis users read names the rule, never a setting."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ipcity.bootstrap import default_registry
from ipcity.core import calendar as cal
from ipcity.core.config import load_settings, setting_names
from ipcity.core.i18n import Msg
from ipcity.core.roles import REVIEWER
from ipcity.core.tables import Unit
from ipcity.workflow import engine
from ipcity.workflow.definition import (
    ASSIGNED_UNIT,
    CALENDAR_DAYS,
    WORKING_DAYS,
    CaseType,
    DeadlineRule,
    State,
    Transition,
)
from tests.support.clock import pin_today

RULE = DeadlineRule("review", Msg("Review"), frozenset({"create"}), frozenset({"decide"}), 10, WORKING_DAYS,
                    "Test rule art. 3", setting="workplan_review_days")
CONFIGURED = CaseType(
    key="test.configured", label=Msg("Configured"), number_prefix="TC",
    states=(State("new", Msg("New")), State("done", Msg("Done"), final=True)), initial="new",
    transitions=(Transition("decide", Msg("Decide"), ("new",), "done", frozenset({REVIEWER}), ASSIGNED_UNIT),),
    deadlines=(RULE,),
)


@pytest.fixture
def settings(database_url, tmp_path):
    return load_settings(data_dir=tmp_path / "data", database_url=database_url, run_worker=False,
                         workplan_review_days=3)


def test_a_rule_names_only_settings_that_exist_and_takes_their_values():
    with pytest.raises(ValueError, match="no_such_setting"):
        DeadlineRule("x", Msg("X"), frozenset(), frozenset(), 1, WORKING_DAYS, "basis", setting="no_such_setting")
    configured = load_settings(workplan_review_days=4, dataip_publicity_unit=WORKING_DAYS)
    assert RULE.in_force(configured).amount == 4 and RULE.amount == 10  # the declaration keeps its default
    unit = DeadlineRule("p", Msg("P"), frozenset(), frozenset(), 15, CALENDAR_DAYS, "basis",
                        unit_setting="dataip_publicity_unit")
    assert unit.in_force(configured).unit == WORKING_DAYS
    plain = DeadlineRule("q", Msg("Q"), frozenset(), frozenset(), 7, CALENDAR_DAYS, "basis")
    assert plain.in_force(configured) is plain


def test_the_engine_applies_the_settings_of_the_session(session, people, monkeypatch):
    pin_today(monkeypatch, "2025-09-26")
    lead = session.scalar(select(Unit.id).where(Unit.name_zh == "上海市知识产权局"))
    case = engine.open_case(session, CONFIGURED, people["company"], title="设置案件",
                            applicant_unit_id=people["company"].unit_id, assigned_unit_id=lead)
    session.commit()
    [deadline] = case.deadlines
    calendar = cal.load(session)
    assert deadline.started_on == date(2025, 9, 26)
    assert deadline.due_on == calendar.add_working_days(deadline.started_on, 3)  # the setting, not the default 10
    [view] = engine.deadlines(session, CONFIGURED, case)
    assert view.due_on == deadline.due_on and view.basis == "Test rule art. 3"


def test_the_basis_users_read_names_no_setting():
    names = setting_names()
    for ct in default_registry().case_types():
        for rule in ct.deadlines:
            for text in (rule.basis, Msg(rule.basis).render("en"), Msg(rule.basis).render("zh_Hans")):
                assert "IPCITY_" not in text, (ct.key, rule.key, text)
                assert not any(name in text for name in names if "_" in name), (ct.key, rule.key, text)


def test_configurable_deadlines_of_the_services_name_their_setting():
    rules = {(ct.key, r.key): r for ct in default_registry().case_types() for r in ct.deadlines}
    expected = {("workplan.progress_report", "review"): "workplan_review_days",
                ("workplan.progress_report", "resubmit"): "workplan_resubmit_days",
                ("openlicense.declaration", "formal_check"): "openlicense_formal_check_days",
                ("pledge.registration", "decision"): "pledge_decision_days",
                ("dataip.registration", "publicity"): "dataip_publicity_days",
                ("dataip.amendment", "review"): "dataip_amendment_days"}
    assert {key: rules[key].setting for key in expected} == expected
    assert rules[("dataip.registration", "publicity")].unit_setting == "dataip_publicity_unit"
    defaults = load_settings()
    for (key, rule_key), setting in expected.items():
        assert rules[(key, rule_key)].amount == getattr(defaults, setting), (key, rule_key)  # one documented default

