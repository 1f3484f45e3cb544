"""Pure domain of plan supervision: the Shanghai–CNIPA 2023–2025 IP work plan (沪府办〔2023〕34号).

Parses the published plan text into sections and work points with their responsible units and
deadlines, derives a point's supervision status, and validates progress reports. No I/O except
``load_shipped_plan`` reading the plan text shipped with the package.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from typing import Any

from ipcity.core.i18n import Msg

MUNICIPAL = "municipal"
NATIONAL = "national"
ONGOING_LABEL = "持续推进"

SUMMARY_MIN = 10
SUMMARY_MAX = 5000
INDICATOR_NAME_MAX = 100
INDICATORS_MAX = 20


class PlanParseError(ValueError):
    """The plan text (or a piece of it) does not have the expected shape."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


@dataclass(frozen=True)
class ResponsibleUnit:
    name: str
    level: str  # MUNICIPAL or NATIONAL
    collective: bool  # 各有关部门 / 各区政府 / 各有关区政府: a group, not one accountable unit
    lead: bool  # first municipal unit of a point


@dataclass(frozen=True)
class Deadline:
    label: str
    due: date | None  # None for 持续推进

    @property
    def ongoing(self) -> bool:
        return self.due is None


@dataclass(frozen=True)
class WorkPoint:
    number: int
    section_number: int
    section_title: str
    content: str
    units: tuple[ResponsibleUnit, ...]
    deadline: Deadline

    @property
    def municipal_units(self) -> tuple[ResponsibleUnit, ...]:
        return tuple(u for u in self.units if u.level == MUNICIPAL)

    @property
    def national_units(self) -> tuple[ResponsibleUnit, ...]:
        return tuple(u for u in self.units if u.level == NATIONAL)


# --- parsing -----------------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    # NFKC folds full-width punctuation (:;,() and ideographic/em spaces) to ASCII, so the
    # published full-width form and this ASCII copy parse identically. “” and 、 are untouched.
    return unicodedata.normalize("NFKC", text)


_MONTH_END = re.compile(r"(\d{4})年(\d{1,2})月底?")
_YEAR_END = re.compile(r"(\d{4})年底")


def parse_deadline(label: str) -> Deadline:
    label = _normalise(label).strip()
    if label == ONGOING_LABEL:
        return Deadline(label=label, due=None)
    if m := _MONTH_END.fullmatch(label):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PlanParseError(f"invalid month in deadline {label!r}")
        return Deadline(label=label, due=date(year, month, calendar.monthrange(year, month)[1]))
    if m := _YEAR_END.fullmatch(label):
        return Deadline(label=label, due=date(int(m[1]), 12, 31))
    raise PlanParseError(f"unknown deadline {label!r}")


_UNIT_SEPARATORS = re.compile(r"[、,]")


def _unit_names(part: str) -> list[str]:
    names = []
    for raw in _UNIT_SEPARATORS.split(part):
        name = raw.strip()
        # "市政府外办等": the trailing 等 ("and others") is not part of the unit's name
        if name.endswith("等") and len(name) > 1:
            name = name[:-1].rstrip()
        if not name:
            raise PlanParseError(f"empty responsible unit name in {part!r}")
        names.append(name)
    return names


def split_units(text: str) -> tuple[ResponsibleUnit, ...]:
    """Split the text between "责任单位:" and ";完成时限" into units: municipal before the first ';'."""
    text = _normalise(text).strip()
    municipal_part, sep, national_part = text.partition(";")
    if not municipal_part.strip():
        raise PlanParseError("no municipal responsible unit")
    units: list[ResponsibleUnit] = []
    for i, name in enumerate(_unit_names(municipal_part)):
        units.append(ResponsibleUnit(name, MUNICIPAL, collective=name.startswith("各"), lead=i == 0))
    if sep and national_part.strip():
        # a stray second ';' would still separate national units, never a third level
        for part in national_part.split(";"):
            for name in _unit_names(part):
                units.append(ResponsibleUnit(name, NATIONAL, collective=name.startswith("各"), lead=False))
    return tuple(units)


# --- the units the plan's names stand for ---------------------------------------------------------------

# The plan is written as a notice: it names units the way the government's documents shorten them ("浦东新区政府",
# "运用促进司" after "国家知识产权局战略规划司、") and gives work to groups ("各区政府"). A unit of the platform is
# one accountable body, so the names are resolved before they become units: a district's government under its
# full name, a CNIPA department under CNIPA's name, and a group naming every district as the 16 district
# governments. A group that names no determinate set ("各有关部门") stays a remark on the point, never a unit.

CNIPA = "国家知识产权局"
CNIPA_EN = "China National Intellectual Property Administration"

# The 16 districts of Shanghai (上海市行政区划, State Council approvals up to 2016: 崇明县 became 崇明区), in the
# order of the municipality's own lists, with their English names.
SHANGHAI_DISTRICTS: tuple[tuple[str, str], ...] = (
    ("黄浦区", "Huangpu District"), ("徐汇区", "Xuhui District"), ("长宁区", "Changning District"),
    ("静安区", "Jing'an District"), ("普陀区", "Putuo District"), ("虹口区", "Hongkou District"),
    ("杨浦区", "Yangpu District"), ("闵行区", "Minhang District"), ("宝山区", "Baoshan District"),
    ("嘉定区", "Jiading District"), ("浦东新区", "Pudong New Area"), ("金山区", "Jinshan District"),
    ("松江区", "Songjiang District"), ("青浦区", "Qingpu District"), ("奉贤区", "Fengxian District"),
    ("崇明区", "Chongming District"),
)
# Groups that stand for every district government (the plan does not say which districts are "有关", so each
# district answers for its share).
ALL_DISTRICTS_GROUPS = frozenset({"各区政府", "各有关区政府", "各区人民政府", "各有关区人民政府"})
_DISTRICT_GOVERNMENT = re.compile(r"(?:上海市)?(?P<district>\S+?(?:新区|区))(?:人民)?政府")


def district_government(district: str) -> str:
    """The unit name of a district's government: "浦东新区" → "浦东新区人民政府"."""
    return f"{district}人民政府"


def district_government_en(district_en: str) -> str:
    return f"{district_en} People's Government"


def district_governments() -> tuple[str, ...]:
    return tuple(district_government(d) for d, _ in SHANGHAI_DISTRICTS)


def is_collective_name(name: str) -> bool:
    """A name that stands for a group ("各区政府", "各有关部门"), not for one body."""
    return name.startswith("各") or "有关" in name


def canonical_unit_name(name: str, level: str) -> str:
    """The one name of the unit a name in the plan stands for.

    "浦东新区政府" → "浦东新区人民政府"; a CNIPA department named after the first of an enumeration
    ("运用促进司", "专利局审业部", "商标局") → "国家知识产权局运用促进司"; anything else as written.
    """
    if level == NATIONAL:
        return name if name.startswith(CNIPA) or is_collective_name(name) else CNIPA + name
    m = _DISTRICT_GOVERNMENT.fullmatch(name)
    if m and m["district"] in {d for d, _ in SHANGHAI_DISTRICTS}:
        return district_government(m["district"])
    return name


def resolve_units(units: tuple[ResponsibleUnit, ...]) -> tuple[ResponsibleUnit, ...]:
    """The accountable units of a point: names made canonical, a group naming every district expanded to the
    16 district governments, each unit once (in the plan's order; the lead stays first). A group that names no
    determinate set is kept, still marked collective, so that it can be shown as a remark."""
    out: list[ResponsibleUnit] = []
    seen: set[tuple[str, str]] = set()

    def add(unit: ResponsibleUnit) -> None:
        if (unit.name, unit.level) not in seen:
            seen.add((unit.name, unit.level))
            out.append(unit)

    for u in units:
        if u.level == MUNICIPAL and u.name in ALL_DISTRICTS_GROUPS:
            for name in district_governments():
                add(ResponsibleUnit(name, MUNICIPAL, collective=False, lead=False))
            continue
        add(ResponsibleUnit(canonical_unit_name(u.name, u.level), u.level, u.collective, u.lead))
    return tuple(out)


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _chinese_number(s: str) -> int | None:
    """一..九十九; None for anything else."""
    if s in _CN_DIGITS:
        return _CN_DIGITS[s]
    if "十" in s and s.count("十") == 1:
        tens, _, ones = s.partition("十")
        if (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return None


_SECTION = re.compile(r"([一二三四五六七八九十]+)、(.+)")
_POINT = re.compile(r"(\d+)[.、](.*)")
_RESPONSIBILITY = re.compile(r"\(责任单位:(?P<body>.*)\)[。.]?")
_DEADLINE_TAIL = re.compile(r";\s*完成时限:(?P<deadline>[^;]*)$")


def parse_plan(text: str) -> list[WorkPoint]:
    """Parse the plan: "一、title" section headings, then one line per "N.content(责任单位:…)" point.

    Lines before the first section heading (the notice's preamble) and lines that are neither a
    heading nor a point (page footer) are ignored.
    """
    points: list[WorkPoint] = []
    section_number = 0
    section_title = ""
    for lineno, raw in enumerate(_normalise(text).splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if m := _SECTION.fullmatch(line):
            number = _chinese_number(m[1])
            if number is None:
                raise PlanParseError(f"unreadable section number {m[1]!r}", lineno)
            if number != section_number + 1:
                raise PlanParseError(f"section {number} follows section {section_number}", lineno)
            section_number, section_title = number, m[2].strip()
            continue
        if section_number == 0:
            continue
        if not (m := _POINT.fullmatch(line)):
            continue
        number = int(m[1])
        expected = len(points) + 1
        if number != expected:
            raise PlanParseError(f"work point {number} found where {expected} was expected", lineno)
        points.append(_parse_point(number, m[2], section_number, section_title, lineno))
    if not points:
        raise PlanParseError("no work points found")
    return points


def _parse_point(number: int, rest: str, section_number: int, section_title: str, lineno: int) -> WorkPoint:
    # the content itself may hold parentheses, e.g. "国家知识产权运营(上海)国际服务平台"
    start = rest.rfind("(责任单位:")
    m = _RESPONSIBILITY.fullmatch(rest, start) if start >= 0 else None
    if m is None:
        raise PlanParseError(f"work point {number} has no (责任单位:…) parenthesis at its end", lineno)
    content = rest[:start].strip()
    if not content:
        raise PlanParseError(f"work point {number} has no content", lineno)
    body = m["body"]
    tail = _DEADLINE_TAIL.search(body)
    if tail is None:
        raise PlanParseError(f"work point {number} has no 完成时限 (deadline)", lineno)
    try:
        units = split_units(body[: tail.start()])
        deadline = parse_deadline(tail["deadline"])
    except PlanParseError as exc:
        raise PlanParseError(f"work point {number}: {exc.reason}", lineno) from exc
    return WorkPoint(number, section_number, section_title, content, units, deadline)


def load_shipped_plan() -> list[WorkPoint]:
    text = resources.files("ipcity.services.workplan").joinpath("plan.txt").read_text(encoding="utf-8")
    return parse_plan(text)


# --- supervision status ------------------------------------------------------------------------------


class PointStatus(StrEnum):
    COMPLETED = "completed"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"
    ONGOING = "ongoing"
    STALE = "stale"


def point_status(
    deadline: Deadline,
    *,
    completion: int | None,
    last_accepted_on: date | None,
    today: date,
    due_soon_days: int = 30,
    stale_days: int = 90,
) -> PointStatus:
    """Status from the latest accepted report (`completion`, `last_accepted_on`); None when there is none."""
    if completion is not None and completion >= 100:
        return PointStatus.COMPLETED
    if deadline.due is None:
        # an ongoing point never finishes by date, so what matters is whether anyone still reports on it
        if last_accepted_on is None or (today - last_accepted_on).days > stale_days:
            return PointStatus.STALE
        return PointStatus.ONGOING
    days_left = (deadline.due - today).days
    if days_left < 0:
        return PointStatus.OVERDUE
    if days_left <= due_soon_days:
        return PointStatus.DUE_SOON
    return PointStatus.ON_TRACK


def days_overdue(deadline: Deadline, today: date) -> int:
    if deadline.due is None or today <= deadline.due:
        return 0
    return (today - deadline.due).days


# --- progress reports --------------------------------------------------------------------------------


def validate_report(*, completion: Any, summary: str, indicators: list[dict]) -> list[tuple[str, Msg]]:
    """Problems with a progress report as (field, message); empty when valid.

    An indicator row with neither name nor value is a blank form row and is accepted (callers drop it).
    """
    problems: list[tuple[str, Msg]] = []
    completion_problem = _check_completion(completion)
    if completion_problem:
        problems.append(("completion", completion_problem))
    summary_problem = _check_summary(summary if isinstance(summary, str) else "")
    if summary_problem:
        problems.append(("summary", summary_problem))

    if not isinstance(indicators, list):
        problems.append(("indicators", Msg("Indicators must be a list")))
        return problems
    if len(indicators) > INDICATORS_MAX:
        problems.append(("indicators", Msg("At most {n} indicators are allowed", n=INDICATORS_MAX)))
    for i, item in enumerate(indicators):
        field = f"indicators[{i}]"
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key, ""), str) for key in ("name", "value", "unit")
        ):
            problems.append((field, Msg("Indicator must have text name, value and unit")))
            continue
        name = item.get("name", "").strip()
        value = item.get("value", "").strip()
        if value and not name:
            problems.append((f"{field}.name", Msg("Indicator name is required when a value is given")))
        if name and not value:
            problems.append((f"{field}.value", Msg("Indicator value is required when a name is given")))
        if len(name) > INDICATOR_NAME_MAX:
            problems.append((f"{field}.name",
                             Msg("Indicator name must have at most {n} characters", n=INDICATOR_NAME_MAX)))
    return problems


# --- the progress-report case type -----------------------------------------------------------------

def _check_completion(value: Any) -> Msg | None:
    # bool is an int subclass; a checkbox value must not pass as 0/1 %
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        return Msg("Completion must be a whole number from 0 to 100")
    return None


def _check_indicators(value: Any) -> Msg | None:
    problems = validate_report(completion=0, summary="x" * SUMMARY_MIN, indicators=value)
    return problems[0][1] if problems else None


def _check_summary(value: Any) -> Msg | None:
    text = str(value).strip()
    if len(text) < SUMMARY_MIN:
        return Msg("The progress summary needs at least {n} characters", n=SUMMARY_MIN)
    if len(text) > SUMMARY_MAX:
        return Msg("The progress summary may have at most {n} characters", n=SUMMARY_MAX)
    return None


def progress_report_type(review_working_days: int = 10, resubmit_working_days: int = 10):
    """Declaration of a progress report: a responsible unit submits, the lead unit accepts or returns it.

    The plan (沪府办〔2023〕34号) sets no review time limit; the 10 working days are the lead unit's own
    supervision rule: the defaults here, and the engine applies the installation's own settings
    (IPCITY_WORKPLAN_REVIEW_DAYS, IPCITY_WORKPLAN_RESUBMIT_DAYS: DeadlineRule.setting).
    """
    from ipcity.core.roles import HANDLER, HEAD, REVIEWER
    from ipcity.workflow.definition import (
        APPLICANT,
        ASSIGNED_UNIT,
        WORKING_DAYS,
        CaseType,
        DeadlineRule,
        FieldSpec,
        State,
        Transition,
    )

    officials = frozenset({HANDLER, REVIEWER, HEAD})
    reviewers = frozenset({REVIEWER, HEAD})
    basis = Msg("Lead unit's supervision rule for 沪府办〔2023〕34号 (not statutory; configurable)").msgid
    return CaseType(
        key="workplan.progress_report",
        label=Msg("Work-plan progress report"),
        number_prefix="WP",
        states=(
            State("draft", Msg("Draft")),
            State("submitted", Msg("Submitted, awaiting review")),
            State("returned", Msg("Returned for revision")),
            State("accepted", Msg("Accepted"), final=True),
            State("withdrawn", Msg("Withdrawn"), final=True),
        ),
        initial="draft",
        transitions=(
            Transition("submit", Msg("Submit"), ("draft", "returned"), "submitted", officials, APPLICANT,
                       fields=(FieldSpec("summary", Msg("Progress summary"), check=_check_summary),
                               FieldSpec("completion", Msg("Completion (%)"), check=_check_completion),
                               FieldSpec("period", Msg("Reporting period")),
                               FieldSpec("indicators", Msg("Indicators"), required=False, check=_check_indicators))),
            Transition("accept", Msg("Accept"), ("submitted",), "accepted", reviewers, ASSIGNED_UNIT),
            Transition("return", Msg("Return for revision"), ("submitted",), "returned", reviewers, ASSIGNED_UNIT,
                       reason_required=True),
            Transition("withdraw", Msg("Withdraw"), ("draft", "returned"), "withdrawn", officials, APPLICANT,
                       reason_required=True),
        ),
        deadlines=(
            DeadlineRule("review", Msg("Review by the lead unit"), frozenset({"submit"}),
                         frozenset({"accept", "return"}), review_working_days, WORKING_DAYS, basis,
                         setting="workplan_review_days"),
            DeadlineRule("resubmit", Msg("Revised report from the reporting unit"), frozenset({"return"}),
                         frozenset({"submit", "withdraw"}), resubmit_working_days, WORKING_DAYS, basis,
                         setting="workplan_resubmit_days"),
        ),
        link=lambda case: f"/workplan/reports/{case.id}",
    )
