from datetime import date, timedelta
from importlib import resources

import pytest

from ipcity.core.i18n import Msg
from ipcity.services.workplan.domain import (
    Deadline,
    PlanParseError,
    PointStatus,
    days_overdue,
    load_shipped_plan,
    parse_deadline,
    parse_plan,
    point_status,
    split_units,
    validate_report,
)


def _plan_text() -> str:
    return resources.files("ipcity.services.workplan").joinpath("plan.txt").read_text(encoding="utf-8")


def _point(number: int):
    return load_shipped_plan()[number - 1]


def _names(units) -> list[str]:
    return [u.name for u in units]


def _line_of(text: str, prefix: str) -> int:
    for i, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(prefix):
            return i
    raise AssertionError(prefix)


# --- the shipped plan --------------------------------------------------------------------------------


def test_shipped_plan_has_25_points_numbered_consecutively():
    points = load_shipped_plan()
    assert len(points) == 25
    assert [p.number for p in points] == list(range(1, 26))


def test_sections_and_their_point_ranges():
    points = load_shipped_plan()
    ranges = {s: [p.number for p in points if p.section_number == s] for s in range(1, 6)}
    assert ranges == {
        1: list(range(1, 5)),
        2: list(range(5, 9)),
        3: list(range(9, 15)),
        4: list(range(15, 22)),
        5: list(range(22, 26)),
    }
    assert points[0].section_title == "打造知识产权制度创新“样板区”"
    assert points[4].section_title == "打造知识产权保护“新高地”"
    assert points[24].section_title == "打造知识产权国际合作“先行区”"


def test_content_excludes_number_and_responsibility_parenthesis():
    p1 = _point(1)
    assert p1.content.startswith("强化知识产权法治保障")
    assert p1.content.endswith("政策法规体系。")
    assert "责任单位" not in p1.content
    # an inner parenthesis in the content is kept
    assert "国家知识产权运营(上海)国际服务平台" in _point(11).content


def test_point_2():
    p = _point(2)
    assert p.deadline == Deadline("2024年12月底", date(2024, 12, 31))
    assert not p.deadline.ongoing
    assert _names(p.municipal_units) == ["上海市知识产权局", "市经济信息化委", "市贸促会", "浦东新区政府"]
    assert p.municipal_units[0].lead
    assert not any(u.lead for u in p.units[1:])
    assert _names(p.national_units) == ["国家知识产权局战略规划司"]
    assert all(u.level == "national" for u in p.national_units)
    assert all(u.level == "municipal" for u in p.municipal_units)


def test_point_22_strips_trailing_deng():
    p = _point(22)
    assert p.deadline.due == date(2024, 12, 31)
    assert _names(p.municipal_units) == ["上海市知识产权局", "市政府外办"]
    assert _names(p.national_units) == ["国家知识产权局国际合作司"]


def test_point_12_comma_is_a_separator():
    p = _point(12)
    assert _names(p.municipal_units) == [
        "上海市知识产权局",
        "市地方金融监管局",
        "金融监管总局上海监管局",
        "上海证监局",
    ]
    assert _names(p.national_units) == ["国家知识产权局运用促进司"]


def test_point_6_national_units_kept_as_written():
    p = _point(6)
    assert _names(p.national_units) == ["国家知识产权局保护司", "专利局审业部"]
    assert _names(p.municipal_units) == ["上海市知识产权局", "各有关区政府"]


def test_units_municipal_first_then_national():
    for p in load_shipped_plan():
        levels = [u.level for u in p.units]
        assert levels == sorted(levels, key=lambda lv: lv != "municipal")
        assert p.units == p.municipal_units + p.national_units


def test_ongoing_points():
    points = load_shipped_plan()
    ongoing = [p.number for p in points if p.deadline.ongoing]
    assert ongoing == [1, 4, 7, 9, 14, 17, 18, 21, 23, 25]
    assert len(ongoing) == 10
    assert all(
        p.deadline.label == "持续推进" and p.deadline.due is None for p in points if p.deadline.ongoing
    )
    dated = {p.deadline.due for p in points if not p.deadline.ongoing}
    assert dated == {date(2024, 12, 31), date(2025, 12, 31)}
    assert [p.number for p in points if p.deadline.due == date(2024, 12, 31)] == [2, 22]


def test_every_point_lead_is_first_municipal_unit():
    for p in load_shipped_plan():
        assert p.municipal_units, p.number
        lead = p.municipal_units[0]
        assert lead.lead and lead.name == "上海市知识产权局"
        assert [u for u in p.units if u.lead] == [lead]
        assert len(p.national_units) >= 1


def test_collective_flags():
    points = load_shipped_plan()
    collectives = {u.name for p in points for u in p.units if u.collective}
    assert collectives == {"各有关部门", "各区政府", "各有关区政府"}
    assert [u.collective for u in _point(1).units] == [False, False, False, False, True, False]
    assert [u.collective for u in _point(16).municipal_units] == [False, True, True]


# --- split_units / parse_deadline --------------------------------------------------------------------


def test_split_units_full_width_and_no_national():
    units = split_units("上海市知识产权局、市政府外办等,各区政府;国家知识产权局保护司、专利局审业部")
    assert _names(units) == [
        "上海市知识产权局",
        "市政府外办",
        "各区政府",
        "国家知识产权局保护司",
        "专利局审业部",
    ]
    assert [u.level for u in units] == ["municipal"] * 3 + ["national"] * 2
    assert [u.lead for u in units] == [True, False, False, False, False]
    assert [u.collective for u in units] == [False, False, True, False, False]
    only_local = split_units("上海市知识产权局")
    assert _names(only_local) == ["上海市知识产权局"] and only_local[0].lead


@pytest.mark.parametrize("text", ["", ";国家知识产权局保护司", "上海市知识产权局、、市教委"])
def test_split_units_rejects_empty_names(text):
    with pytest.raises(PlanParseError):
        split_units(text)


@pytest.mark.parametrize(
    ("label", "due"),
    [
        ("2024年12月底", date(2024, 12, 31)),
        ("2024年2月底", date(2024, 2, 29)),
        ("2025年6月", date(2025, 6, 30)),
        ("2025年底", date(2025, 12, 31)),
        ("2025年12月底", date(2025, 12, 31)),
        (" 2024年12月底 ", date(2024, 12, 31)),
        ("持续推进", None),
    ],
)
def test_parse_deadline(label, due):
    d = parse_deadline(label)
    assert d.due == due
    assert d.ongoing is (due is None)
    assert d.label == label.strip()


@pytest.mark.parametrize("label", ["长期坚持", "2024年13月底", "2024年", "", "年底"])
def test_parse_deadline_unknown(label):
    with pytest.raises(PlanParseError) as exc:
        parse_deadline(label)
    assert exc.value.line is None
    assert exc.value.reason
    assert isinstance(exc.value, ValueError)


# --- parse errors ------------------------------------------------------------------------------------


def test_missing_deadline_reports_line():
    text = _plan_text()
    line = _line_of(text, "3.")
    broken = text.replace(";国家知识产权局运用促进司;完成时限:2025年12月底)", ";国家知识产权局运用促进司)", 1)
    assert broken != text
    with pytest.raises(PlanParseError) as exc:
        parse_plan(broken)
    assert exc.value.line == line
    assert "完成时限" in exc.value.reason
    assert str(exc.value).startswith(f"line {line}:")


def test_missing_responsibility_parenthesis_reports_line():
    text = _plan_text()
    lines = text.splitlines()
    n = _line_of(text, "4.")
    lines[n - 1] = lines[n - 1].split("(")[0]
    with pytest.raises(PlanParseError) as exc:
        parse_plan("\n".join(lines))
    assert exc.value.line == n


def test_unknown_deadline_in_plan_reports_line():
    text = _plan_text()
    n = _line_of(text, "22.")
    broken = text.replace("完成时限:2024年12月底)\n", "完成时限:尽快)\n", 2)
    # point 2 is the first 2024 point, so that is where the error is
    assert _line_of(text, "2.") < n
    with pytest.raises(PlanParseError) as exc:
        parse_plan(broken)
    assert exc.value.line == _line_of(text, "2.")
    assert "尽快" in exc.value.reason


def test_non_consecutive_numbering():
    text = _plan_text()
    n = _line_of(text, "7.")
    lines = text.splitlines()
    lines[n - 1] = lines[n - 1].replace("7.", "8.", 1)
    with pytest.raises(PlanParseError) as exc:
        parse_plan("\n".join(lines))
    assert exc.value.line == n
    assert "expected" in exc.value.reason


def test_numbering_must_start_at_one():
    text = "一、第一部分\n2.内容。(责任单位:上海市知识产权局;国家知识产权局保护司;完成时限:持续推进)\n"
    with pytest.raises(PlanParseError) as exc:
        parse_plan(text)
    assert exc.value.line == 2


def test_sections_out_of_order():
    text = (
        "一、第一部分\n1.内容。(责任单位:上海市知识产权局;国家知识产权局保护司;完成时限:持续推进)\n"
        "三、第三部分\n2.内容。(责任单位:上海市知识产权局;国家知识产权局保护司;完成时限:持续推进)\n"
    )
    with pytest.raises(PlanParseError) as exc:
        parse_plan(text)
    assert exc.value.line == 3


def test_no_points():
    with pytest.raises(PlanParseError):
        parse_plan("上海市人民政府\n没有要点\n")


def test_full_width_variant_parses_the_same():
    text = _plan_text()
    ascii_to_full = {ord(c): ord(c) + 0xFEE0 for c in "():;,.0123456789"}
    full = text.translate(ascii_to_full)
    assert "\uff08责任单位\uff1a" in full and "(责任单位:" not in full
    assert parse_plan(full) == parse_plan(text)


def test_small_plan_with_indentation_and_trailing_junk():
    text = (
        "前言\n1.不是要点\n"
        "\u3000一、打造“样板区”\n"
        "\u3000\u30001.做事。(责任单位:上海市知识产权局、各区政府;国家知识产权局条法司;完成时限:2024年底)\n"
        "二、第二部分\n"
        "2.再做。(责任单位:上海市知识产权局;完成时限:持续推进)\n"
        "文章附件:\n"
    )
    points = parse_plan(text)
    assert [(p.number, p.section_number, p.section_title) for p in points] == [
        (1, 1, "打造“样板区”"),
        (2, 2, "第二部分"),
    ]
    assert points[0].deadline.due == date(2024, 12, 31)
    assert points[0].content == "做事。"
    assert points[1].national_units == ()


# --- point_status / days_overdue ---------------------------------------------------------------------

DUE = date(2024, 12, 31)
DATED = Deadline("2024年12月底", DUE)
ONGOING = Deadline("持续推进", None)


def _status(deadline, today, completion=None, last=None, **kw):
    return point_status(deadline, completion=completion, last_accepted_on=last, today=today, **kw)


def test_completed_wins_over_dates():
    assert _status(DATED, DUE + timedelta(days=100), completion=100, last=DUE) is PointStatus.COMPLETED
    assert _status(ONGOING, DUE, completion=100, last=None) is PointStatus.COMPLETED
    assert _status(DATED, DUE + timedelta(days=1), completion=99, last=DUE) is PointStatus.OVERDUE


def test_dated_boundaries():
    assert _status(DATED, DUE - timedelta(days=31)) is PointStatus.ON_TRACK
    assert _status(DATED, DUE - timedelta(days=30)) is PointStatus.DUE_SOON
    assert _status(DATED, DUE - timedelta(days=1)) is PointStatus.DUE_SOON
    assert _status(DATED, DUE) is PointStatus.DUE_SOON
    assert _status(DATED, DUE + timedelta(days=1)) is PointStatus.OVERDUE
    assert _status(DATED, DUE - timedelta(days=7), due_soon_days=7) is PointStatus.DUE_SOON
    assert _status(DATED, DUE - timedelta(days=8), due_soon_days=7) is PointStatus.ON_TRACK
    assert _status(DATED, DUE - timedelta(days=300), completion=50, last=DUE) is PointStatus.ON_TRACK


def test_ongoing_and_stale():
    today = date(2025, 6, 30)
    assert _status(ONGOING, today) is PointStatus.STALE
    assert _status(ONGOING, today, completion=40, last=today) is PointStatus.ONGOING
    assert _status(ONGOING, today, completion=40, last=today - timedelta(days=90)) is PointStatus.ONGOING
    assert _status(ONGOING, today, completion=40, last=today - timedelta(days=91)) is PointStatus.STALE
    assert _status(ONGOING, today, completion=40, last=today - timedelta(days=11), stale_days=10) is (
        PointStatus.STALE
    )
    # an ongoing point has no due date, so it is never overdue or due soon
    assert _status(ONGOING, date(2099, 1, 1), completion=0, last=date(2099, 1, 1)) is PointStatus.ONGOING


def test_status_values_are_strings():
    assert PointStatus.DUE_SOON == "due_soon"
    values = {s.value for s in PointStatus}
    assert values == {"completed", "overdue", "due_soon", "on_track", "ongoing", "stale"}


def test_days_overdue():
    assert days_overdue(DATED, DUE - timedelta(days=5)) == 0
    assert days_overdue(DATED, DUE) == 0
    assert days_overdue(DATED, DUE + timedelta(days=1)) == 1
    assert days_overdue(DATED, date(2025, 1, 31)) == 31
    assert days_overdue(ONGOING, date(2099, 1, 1)) == 0


# --- validate_report ---------------------------------------------------------------------------------

GOOD_SUMMARY = "本季度完成数据知识产权登记试点。"


def test_valid_report():
    indicators = [
        {"name": "登记数量", "value": "120", "unit": "件"},
        {"name": "", "value": "", "unit": ""},
    ]
    assert validate_report(completion=0, summary=GOOD_SUMMARY, indicators=indicators) == []
    assert validate_report(completion=100, summary=GOOD_SUMMARY, indicators=[]) == []


@pytest.mark.parametrize("completion", [-1, 101, 50.5, "50", None, True])
def test_completion_problems(completion):
    assert validate_report(completion=completion, summary=GOOD_SUMMARY, indicators=[]) == [
        ("completion", Msg("Completion must be a whole number from 0 to 100"))
    ]


def test_summary_length():
    assert validate_report(completion=10, summary="  " + "字" * 10 + "  ", indicators=[]) == []
    short = validate_report(completion=10, summary="  " + "字" * 9 + "   ", indicators=[])
    assert [f for f, _ in short] == ["summary"]
    assert validate_report(completion=10, summary="x" * 5000, indicators=[]) == []
    long = validate_report(completion=10, summary="x" * 5001, indicators=[])
    assert [f for f, _ in long] == ["summary"] and "5000" in long[0][1].render("en")


def test_indicator_problems():
    problems = validate_report(
        completion=10,
        summary=GOOD_SUMMARY,
        indicators=[
            {"name": "登记数量", "value": "120", "unit": "件"},
            {"name": "", "value": "5", "unit": "件"},
            {"name": "专利数", "value": "  ", "unit": ""},
            {"name": "名" * 101, "value": "1", "unit": ""},
            "not a dict",
            {"name": "数量", "value": 3, "unit": ""},
        ],
    )
    assert [f for f, _ in problems] == [
        "indicators[1].name",
        "indicators[2].value",
        "indicators[3].name",
        "indicators[4]",
        "indicators[5]",
    ]
    assert all(isinstance(msg, Msg) and msg.render("en") for _, msg in problems)
    assert (
        validate_report(
            completion=10, summary=GOOD_SUMMARY, indicators=[{"name": "名" * 100, "value": "1", "unit": ""}]
        )
        == []
    )


def test_too_many_indicators():
    row = {"name": "指标", "value": "1", "unit": "项"}
    assert validate_report(completion=10, summary=GOOD_SUMMARY, indicators=[row] * 20) == []
    problems = validate_report(completion=10, summary=GOOD_SUMMARY, indicators=[row] * 21)
    assert [f for f, _ in problems] == ["indicators"]


def test_all_problems_together():
    bad_row = {"name": "", "value": "1", "unit": ""}
    problems = validate_report(completion=200, summary="短", indicators=[bad_row])
    assert [f for f, _ in problems] == ["completion", "summary", "indicators[0].name"]
