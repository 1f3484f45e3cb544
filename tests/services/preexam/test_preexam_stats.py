"""The protection centre's figures on fast pre-examination (services/preexam/stats.py), on SQLite and PostgreSQL:
counts per group of states by field, patent type, district and Beijing month; the clocks' time per stage (a paused
examination clock counted once, the holidays of the official calendar left out); the passed cases' filing and grant;
the reasons for not passing; the filters; the plan figures; the Excel export and the dashboard page.

The cases are written straight into the tables (case, subject row, clocks, history) so that every figure can be
computed by hand. Dates are in 2026 (the shipped calendar: Labour Day off 1–5 May)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ipcity.core.errors import DomainError
from ipcity.core.i18n import current_locale
from ipcity.services.preexam import casetypes, stats
from ipcity.services.preexam.tables import Registration, Submission
from ipcity.web.templating import make_environment
from ipcity.workflow.tables import Case, CaseDeadline, CaseEvent

ON = date(2026, 6, 1)  # late filings are counted on this day
_serial = count(1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def d(text: str) -> date:
    return date.fromisoformat(text)


@dataclass
class Spec:
    """One case as the test writes it: the subject row's values, its clocks and its history."""

    state: str
    field_key: str
    patent_type: str
    district: str
    submitted_at: datetime
    values: dict = field(default_factory=dict)  # passed_on, decided_on, filing_deadline, filed_on, granted_on, reasons
    clocks: list = field(default_factory=list)  # (rule_key, started_on, due_on, stopped_on, paused)
    history: list = field(default_factory=list)  # (transition, from_state, to_state)


def add_case(session, type_key: str, state: str, people) -> Case:
    n = next(_serial)
    case = Case(type_key=type_key, number=f"T{n:05d}", title=f"case {n}", state=state,
                applicant_unit_id=people["company"].unit_id, assigned_unit_id=people["lead_handler"].unit_id,
                subject_type=type_key, subject_id="")
    session.add(case)
    session.flush()
    return case


def add_registration(session, people, admitted_on: date | None = None) -> Registration:
    case = add_case(session, casetypes.REGISTRATION_KEY, "admitted" if admitted_on else "filed", people)
    reg = Registration(case_id=case.id, number=f"PRB-{case.id}", state=case.state, unit_id=people["company"].unit_id,
                       centre_unit_id=people["lead_handler"].unit_id, name="上海新材科技有限公司",
                       credit_code="91310115MA1H7ABCDF", entity_kind="company", division_code="310115",
                       address="上海市浦东新区张江路100号", business_scope="新材料", admitted_on=admitted_on)
    session.add(reg)
    session.flush()
    case.subject_id = str(reg.id)
    return reg


def add_submission(session, people, reg: Registration, spec: Spec) -> Submission:
    case = add_case(session, casetypes.SUBMISSION_KEY, spec.state, people)
    sub = Submission(case_id=case.id, number=f"PRE-{case.id}", state=spec.state, registration_id=reg.id,
                     unit_id=reg.unit_id, centre_unit_id=reg.centre_unit_id, district_code=spec.district,
                     patent_type=spec.patent_type, title=f"案件 {case.id}", field_key=spec.field_key,
                     submitted_at=spec.submitted_at, **spec.values)
    session.add(sub)
    for rule_key, started, due, stopped, paused in spec.clocks:
        session.add(CaseDeadline(case_id=case.id, rule_key=rule_key, started_on=d(started), due_on=d(due),
                                 stopped_on=d(stopped) if stopped else None, paused=paused))
    for seq, (transition, source, target) in enumerate(spec.history, start=1):
        session.add(CaseEvent(case_id=case.id, seq=seq, transition=transition, from_state=source, to_state=target,
                              actor_name="test"))
    session.flush()
    case.subject_id = str(sub.id)
    return sub


# The cases (A–K). Beijing is UTC+8: B was submitted on 28 February in UTC, 1 March in Beijing; G on 30 April in
# UTC, 1 May in Beijing.
CASES = {
    "A": Spec("granted", "new_materials", "invention", "310115", utc(2026, 3, 2, 2),
              {"decided_on": d("2026-03-20"), "passed_on": d("2026-03-20"), "filing_deadline": d("2026-04-20"),
               "filed_on": d("2026-04-01"), "granted_on": d("2026-05-29")},
              [("acceptance", "2026-03-02", "2026-03-04", "2026-03-03", False),
               ("examination", "2026-03-03", "2026-03-24", "2026-03-20", False),
               ("filing", "2026-03-20", "2026-04-20", "2026-04-01", False)]),
    # Not passed, after a correction that paused the examination clock: 2 + 14 working days, late.
    "B": Spec("not_passed", "new_materials", "utility", "310104", utc(2026, 2, 28, 17),
              {"decided_on": d("2026-03-31"), "reasons": ["novelty", "formal"]},
              [("acceptance", "2026-03-02", "2026-03-04", "2026-03-03", False),
               ("examination", "2026-03-03", "2026-03-24", "2026-03-05", True),
               ("correction", "2026-03-05", "2026-03-12", "2026-03-11", False),
               ("examination", "2026-03-11", "2026-03-30", "2026-03-31", False)]),
    # Accepted late; passed the day it was accepted; filed after its filing deadline; granted.
    "C": Spec("granted", "design", "design", "310115", utc(2026, 3, 10, 1),
              {"decided_on": d("2026-03-16"), "passed_on": d("2026-03-16"), "filing_deadline": d("2026-03-25"),
               "filed_on": d("2026-03-27"), "granted_on": d("2026-06-15")},
              [("acceptance", "2026-03-10", "2026-03-12", "2026-03-16", False),
               ("examination", "2026-03-16", "2026-03-23", "2026-03-16", False),
               ("filing", "2026-03-16", "2026-03-25", "2026-03-27", False)]),
    # Withdrawn by the company after acceptance: accepted.
    "D": Spec("withdrawn", "new_generation_it", "invention", "", utc(2026, 3, 20, 3), {},
              [("acceptance", "2026-03-20", "2026-03-24", "2026-03-23", False),
               ("examination", "2026-03-23", "2026-04-13", "2026-03-25", False)],
              [("accept", "submitted", "examining"), ("withdraw", "examining", "withdrawn")]),
    # Withdrawn before acceptance: not accepted.
    "E": Spec("withdrawn", "new_materials", "invention", "310115", utc(2026, 3, 25, 2), {},
              [("acceptance", "2026-03-25", "2026-03-27", "2026-03-26", False)],
              [("withdraw", "submitted", "withdrawn")]),
    # Not accepted (its reasons are not reasons for not passing); a 12-digit district code.
    "F": Spec("not_accepted", "new_materials", "utility", "310104000000", utc(2026, 3, 26, 2),
              {"decided_on": d("2026-03-27"), "reasons": ["excluded"]},
              [("acceptance", "2026-03-26", "2026-03-30", "2026-03-27", False)]),
    # Under correction: accepted over Labour Day (1 working day, 6 calendar days); the examination clock paused
    # and not resumed, the correction running: neither finished.
    "G": Spec("correction", "energy_environment", "invention", "310115", utc(2026, 4, 30, 17, 30), {},
              [("acceptance", "2026-04-30", "2026-05-07", "2026-05-06", False),
               ("examination", "2026-05-06", "2026-05-27", "2026-05-08", True),
               ("correction", "2026-05-08", "2026-05-15", None, False)]),
    # Passed, not filed by its deadline: lapsed.
    "H": Spec("lapsed", "new_materials", "invention", "310115", utc(2026, 3, 5, 2),
              {"decided_on": d("2026-03-13"), "passed_on": d("2026-03-13"), "filing_deadline": d("2026-03-25")},
              [("acceptance", "2026-03-05", "2026-03-09", "2026-03-09", False),
               ("examination", "2026-03-09", "2026-03-30", "2026-03-13", False),
               ("filing", "2026-03-13", "2026-03-25", "2026-04-01", False)]),
    # Passed, its filing period still running on ON.
    "I": Spec("passed", "new_materials", "utility", "310104", utc(2026, 3, 6, 2),
              {"decided_on": d("2026-05-20"), "passed_on": d("2026-05-20"), "filing_deadline": d("2026-06-19")},
              [("filing", "2026-05-20", "2026-06-19", None, False)]),
    # Awaiting acceptance, in none of the centre's fields.
    "J": Spec("submitted", "", "invention", "310115", utc(2026, 3, 12, 2), {},
              [("acceptance", "2026-03-12", "2026-03-16", None, False)]),
    "K": Spec("not_passed", "biomedicine", "invention", "310115", utc(2026, 3, 18, 2),
              {"decided_on": d("2026-03-27"), "reasons": ["novelty"]}),
}


@pytest.fixture
def cases(session, people) -> dict[str, Submission]:
    reg = add_registration(session, people, admitted_on=d("2026-03-05"))
    add_registration(session, people, admitted_on=d("2026-02-10"))
    add_registration(session, people)
    subs = {name: add_submission(session, people, reg, spec) for name, spec in CASES.items()}
    # Another case type's clock with the same rule key: not the pre-examination's.
    other = add_case(session, "openlicense.declaration", "published", people)
    session.add(CaseDeadline(case_id=other.id, rule_key="acceptance", started_on=d("2026-03-02"),
                             due_on=d("2026-03-03"), stopped_on=d("2026-03-20")))
    session.commit()
    return subs


def counts(row: stats.Row) -> tuple:
    return row.received, row.accepted, row.passed, row.not_passed, row.pending, row.pass_rate


def table(breakdown: stats.Breakdown) -> dict[str, tuple]:
    return {r.key: counts(r) for r in breakdown.rows}


# --- counts per group of states ------------------------------------------------------------------------------

def test_counts_by_technical_field_with_the_pass_rate(session, cases):
    by_field = stats.by_field(session)
    assert [r.key for r in by_field.rows] == ["new_materials", "energy_environment", "design", "high_end_equipment",
                                              "biomedicine", "new_generation_it", ""]
    assert table(by_field) == {
        "new_materials": (6, 4, 3, 1, 0, 75.0),      # A B E F H I: E withdrawn before acceptance, F not accepted
        "energy_environment": (1, 1, 0, 0, 1, None),  # G under correction: nothing decided
        "design": (1, 1, 1, 0, 0, 100.0),
        "high_end_equipment": (0, 0, 0, 0, 0, None),
        "biomedicine": (1, 1, 0, 1, 0, 0.0),
        "new_generation_it": (1, 1, 0, 0, 0, None),   # D withdrawn after acceptance: accepted
        "": (1, 0, 0, 0, 1, None),
    }
    assert counts(by_field.total) == (11, 8, 4, 2, 2, 66.7)
    assert by_field.rows[0].label.msgid == "New materials (新材料)"
    assert by_field.rows[-1].label is stats.NO_FIELD


def test_counts_by_patent_type(session, cases):
    breakdown = stats.by_type(session)
    assert table(breakdown) == {"invention": (7, 5, 2, 1, 2, 66.7), "utility": (3, 2, 1, 1, 0, 50.0),
                                "design": (1, 1, 1, 0, 0, 100.0)}
    assert counts(breakdown.total) == (11, 8, 4, 2, 2, 66.7)
    assert breakdown.rows[1].label.msgid == "Utility model (实用新型)"


def test_counts_by_district_named_from_the_division_tables(session, cases):
    breakdown = stats.by_district(session)
    assert table(breakdown) == {"310104": (3, 2, 1, 1, 0, 50.0),  # B, F (310104000000), I
                                "310115": (7, 5, 3, 1, 2, 75.0),
                                "": (1, 1, 0, 0, 0, None)}
    assert [r.key for r in breakdown.rows] == ["310104", "310115", ""]
    assert [r.label for r in breakdown.rows[:2]] == ["徐汇区", "浦东新区"]
    assert breakdown.rows[2].label is stats.NO_DISTRICT


def test_district_names():
    assert [stats.district_name(c) for c in ("310115", "310000", "310100", "31", "999999")] == [
        "浦东新区", "上海市", "上海市", "上海市", "999999"]


def test_months_are_beijing_months(session, cases):
    """B (28 Feb 17:00 UTC) counts in March and G (30 April 17:30 UTC) in May: Beijing's months, not UTC's."""
    breakdown = stats.by_month(session)
    assert table(breakdown) == {"2026-03": (10, 7, 4, 2, 1, 66.7), "2026-05": (1, 1, 0, 0, 1, None)}
    assert counts(breakdown.total) == (11, 8, 4, 2, 2, 66.7)


# --- time per stage ------------------------------------------------------------------------------------------

def test_time_per_stage_against_the_clocks(session, cases):
    found = {s.key: s for s in stats.stages(session)}
    assert list(found) == ["acceptance", "examination", "correction", "filing"]
    acceptance = found["acceptance"]
    # A 1, B 1, C 4 (late), D 1, E 1, F 1, G 1 (1–5 May off: 6 calendar days), H 2; J still running; the other
    # case type's clock left out.
    assert (acceptance.finished, acceptance.on_time, acceptance.on_time_share) == (8, 7, 87.5)
    assert (acceptance.median_working_days, acceptance.mean_working_days) == (1.0, 1.5)
    assert (acceptance.median_calendar_days, acceptance.mean_calendar_days) == (2.0, 2.9)
    assert (acceptance.unit, acceptance.limit) == (stats.WORKING_DAYS, 2)
    examination = found["examination"]
    # A 13, B 2 + 14 (paused for the correction, then late), C 0, D 2 (withdrawn), H 4; G's paused run is not
    # finished.
    assert (examination.finished, examination.on_time, examination.on_time_share) == (5, 4, 80.0)
    assert (examination.median_working_days, examination.mean_working_days) == (4.0, 7.0)
    assert (examination.median_calendar_days, examination.mean_calendar_days) == (4.0, 9.0)
    assert examination.limit is None  # by patent type
    correction = found["correction"]
    assert (correction.finished, correction.on_time, correction.median_working_days,
            correction.mean_calendar_days) == (1, 1, 4.0, 6.0)
    filing = found["filing"]
    # A 8 (on time), C 9 (late), H 13 (lapsed, late); I still running. Calendar days 12, 11, 19.
    assert (filing.finished, filing.on_time, filing.on_time_share) == (3, 1, 33.3)
    assert (filing.median_working_days, filing.mean_working_days) == (9.0, 10.0)
    assert (filing.median_calendar_days, filing.mean_calendar_days) == (12.0, 14.0)
    assert (filing.unit, filing.limit) == (stats.CALENDAR_DAYS, 30)


# --- after passing -------------------------------------------------------------------------------------------

def test_filing_and_grant_after_passing(session, cases):
    after = stats.after_passing(session, on=ON)
    assert (after.passed, after.filed, after.granted) == (4, 2, 2)
    assert (after.median_days_to_filing, after.mean_days_to_filing) == (11.5, 11.5)  # A 12, C 11
    assert (after.median_days_to_grant, after.mean_days_to_grant) == (80.5, 80.5)  # A 70, C 91
    # C filed two days late; H never filed; I's period still running on ON.
    assert (after.filed_late, after.not_filed, after.late) == (1, 1, 2)
    assert stats.after_passing(session, on=date(2026, 6, 20)).not_filed == 2  # I's period over too


def test_reasons_for_not_passing(session, cases):
    found = stats.reasons(session)
    assert [(r.key, r.cases, r.share) for r in found] == [("novelty", 2, 100.0), ("formal", 1, 50.0)]
    assert found[0].label is casetypes.REASONS["novelty"]


# --- filters ---------------------------------------------------------------------------------------------------

def test_a_field_filters_every_figure(session, cases):
    data = stats.dashboard(session, stats.Filters(field="new_materials"), on=ON)
    assert [r.key for r in data.by_field.rows] == ["new_materials"]
    assert counts(data.total) == (6, 4, 3, 1, 0, 75.0)
    assert table(data.by_month) == {"2026-03": (6, 4, 3, 1, 0, 75.0)}
    assert {s.key: s.finished for s in data.stages} == {"acceptance": 5, "examination": 3, "correction": 1,
                                                        "filing": 2}
    assert (data.after.passed, data.after.filed, data.after.not_filed) == (3, 1, 1)
    assert [(r.key, r.cases) for r in data.reasons] == [("formal", 1), ("novelty", 1)]
    assert data.field_label.msgid == "New materials (新材料)"


def test_dates_are_beijing_days(session, cases):
    march = stats.dashboard(session, stats.Filters(date_from="2026-03-01", date_to="2026-03-31"), on=ON)
    assert counts(march.total) == (10, 7, 4, 2, 1, 66.7)  # B in (1 March in Beijing), G out (1 May)
    assert march.period == (date(2026, 3, 1), date(2026, 3, 31))
    assert march.table("field").total.received == 10
    first = stats.dashboard(session, stats.Filters(date_from="2026-03-01", date_to="2026-03-01"))
    assert counts(first.total) == (1, 1, 0, 1, 0, 0.0)  # B alone
    assert {s.key: s.finished for s in first.stages} == {"acceptance": 1, "examination": 1, "correction": 1,
                                                         "filing": 0}
    assert stats.dashboard(session, stats.Filters(date_to="2026-02-28")).total.received == 0
    may = stats.dashboard(session, stats.Filters(date_from="2026-05-01"))
    assert table(may.by_type)["invention"] == (1, 1, 0, 0, 1, None)


def test_a_refused_date_is_carried_not_raised(session, cases):
    data = stats.dashboard(session, stats.Filters(date_from="2026-13-01", field="design"))
    assert data.error is not None and data.error.field == "date_from"
    assert data.tables == [] and data.total.received == 0 and data.filters.field == "design"
    assert [k for k, _ in data.fields][:2] == ["new_materials", "energy_environment"]
    with pytest.raises(DomainError):
        stats.sheets(data)
    with pytest.raises(DomainError):
        stats.workbook(session, stats.Filters(date_from="2026-04-01", date_to="2026-03-01"))


def test_the_export_link_keeps_the_filters():
    filters = stats.Filters.from_query({"date_from": "2026-03-01", "date_to": "", "field": "design", "x": "1"})
    assert filters == stats.Filters("2026-03-01", "", "design")
    data = stats.Dashboard(filters, [], [], [], stats.AfterPassing(), [], ON)
    assert data.export_query() == "date_from=2026-03-01&field=design&format=xlsx"


# --- plan figures -----------------------------------------------------------------------------------------------

def test_plan_figures_for_a_period(session, cases):
    received, passed, admitted, rate = stats.plan_figures(session, date(2026, 3, 1), date(2026, 3, 31))
    assert (received.value, passed.value, admitted.value) == (10, 3, 1)  # G in May; I passed in May
    assert rate.value == Decimal("60.00") and rate.text() == "60.00"  # A C H passed, B K not, in March
    assert rate.label.params == {"passed": 3, "decided": 5}
    assert received.source is stats.SOURCE
    nothing = stats.plan_figures(session, date(2026, 2, 28), date(2026, 2, 28))
    assert [f.value for f in nothing] == [0, 0, 0, Decimal("0.00")]  # B is 1 March in Beijing
    for f in nothing:
        assert f.label.render("zh_Hans") and f.label.render("en")


# --- the Excel export and the page ------------------------------------------------------------------------------

def test_workbook_has_a_sheet_per_table_with_bilingual_headers(session, cases):
    wb = load_workbook(io.BytesIO(stats.workbook(session, stats.Filters(date_from="2026-03-01"), on=ON)))
    assert wb.sheetnames == ["按技术领域 By field", "按专利类型 By patent type", "按区 By district", "按月 By month",
                             "各环节用时 Time per stage", "合格后 After passing", "不合格原因 Reasons", "说明 About"]
    rows = list(wb["按专利类型 By patent type"].values)
    assert rows[0] == ("类型代码 Type key", "专利类型 Patent type", "收件 Received", "受理 Accepted",
                       "预审合格 Passed", "预审不合格 Not passed", "办理中 Pending", "合格率% Pass rate")
    assert rows[1][0] == "invention" and rows[1][2:] == (7, 5, 2, 1, 2, 66.7)
    assert rows[-1][1:] == ("合计 Total", 11, 8, 4, 2, 2, 66.7)
    months = list(wb["按月 By month"].values)
    assert [r[0] or "" for r in months[1:]] == ["2026-03", "2026-05", ""]
    district = list(wb["按区 By district"].values)
    assert district[2][:2] == ("310115", "浦东新区")
    stages = {r[0]: r for r in list(wb["各环节用时 Time per stage"].values)[1:]}
    assert stages["examination"][4:] == (5, 4.0, 7.0, 4.0, 9.0, 4, 80.0)
    after = dict(list(wb["合格后 After passing"].values)[1:])
    assert after["逾期合计 Late or not filed"] == 2
    reasons = list(wb["不合格原因 Reasons"].values)
    assert reasons[1][0::2] == ("novelty", 2)
    about = dict(list(wb["说明 About"].values)[1:])
    assert about["提交日期自 Submitted from"] == "2026-03-01" and about["统计日期 As of"] == "2026-06-01"


TEMPLATES = Path(stats.__file__).resolve().parent / "templates"


def render_content(dashboard: stats.Dashboard, locale: str = "en") -> str:
    """The page's body, as the view renders it into the page (the layout needs a request's context)."""
    env = make_environment([TEMPLATES])
    token = current_locale.set(locale)
    try:
        return env.get_template("preexam/dashboard_body.html").render(dashboard=dashboard)
    finally:
        current_locale.reset(token)


def test_the_dashboard_page_shows_the_figures(session, cases):
    html = render_content(stats.dashboard(session, stats.Filters(field="design", date_from="2026-03-01"), on=ON))
    assert 'id="by-field"' in html and 'id="stages"' in html and 'id="reasons"' in html
    assert 'href="?date_from=2026-03-01&amp;field=design&amp;format=xlsx"' in html
    assert '<option value="design" selected>' in html
    assert "100.0%" in html  # the design field's pass rate
    assert render_content(stats.dashboard(session, stats.Filters()), "zh_Hans")
    refused = render_content(stats.dashboard(session, stats.Filters(date_to="tomorrow")))
    assert "error-box" in refused and 'id="by-field"' not in refused and 'value="tomorrow"' in refused
