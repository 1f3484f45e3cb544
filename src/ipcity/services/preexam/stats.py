"""The protection centre's figures on fast pre-examination (专利快速预审): its dashboard, its Excel export and the
figures plan supervision shows on plan item 6.

Read model only: plain SQLAlchemy selects, one per figure, aggregated in the database (a GROUP BY with conditional
sums), so that the page stays fast at 100,000 cases. Python works only where SQL cannot portably: working days,
medians and day differences (over the finished clock runs, grouped by their dates in SQL where no pause split them,
and over the passed cases' dates, fetching just those columns) and the reasons (a JSON list, counted over the
not-passed cases' `reasons` column).

Counts per group of states, for every breakdown (technical field, patent type, district, month of submission):
  received    every case submitted;
  accepted    受理: the case left 'submitted' by acceptance: it is in a state after acceptance, or was withdrawn
              after having been accepted (its history has a step out of 'submitted' that was neither not_accept nor
              withdraw);
  passed      预审合格: passed_on is set (whatever happened after: filed, granted, lapsed);
  not_passed  预审不合格;
  pending     awaiting a decision (submitted, examining, correction).
Pass rate: passed / (passed + not passed), None while nothing is decided.

Months are months of Beijing time (submitted_at is stored in UTC): the instant is shifted to UTC+8 in SQL (SQLite
`datetime(x, '+8 hours')`, PostgreSQL `timezone(INTERVAL '8 hours', x)`), then year and month are extracted with
`extract`, which both databases support.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import DateTime, Select, and_, case, exists, extract, func, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement

from ipcity.core import calendar as cal
from ipcity.core.clock import CHINA_TZ, today
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.numbers import DESIGN, INVENTION, UTILITY
from ipcity.core.plugins import Figure
from ipcity.core.tabular import workbook_bytes
from ipcity.services.preexam import casetypes, domain, service
from ipcity.services.preexam.tables import Registration, Submission
from ipcity.web.paging import ListFilters, date_range
from ipcity.workflow import engine
from ipcity.workflow.definition import CALENDAR_DAYS, WORKING_DAYS
from ipcity.workflow.tables import Case, CaseDeadline, CaseEvent

SOURCE = Msg("Fast pre-examination system (专利快速预审)")
PENDING_STATES = service.OPEN_CASES  # awaiting a decision
# States a case reaches only through acceptance; a withdrawn case was accepted when its history says so.
ACCEPTED_STATES = ("examining", "correction", "passed", "filed", "granted", "not_passed", "lapsed")
STAGES = ("acceptance", "examination", "correction", "filing")  # the submission case's clocks, in order
UNITS = {WORKING_DAYS: Msg("working days"), CALENDAR_DAYS: Msg("calendar days")}
TABLES = {"field": Msg("By technical field (技术领域)"), "type": Msg("By patent type"),
          "district": Msg("By district"), "month": Msg("By month of submission")}
COLUMNS = {"field": Msg("Technical field (技术领域)"), "type": Msg("Patent type"), "district": Msg("District"),
           "month": Msg("Month (Beijing time)")}
NO_FIELD = Msg("No field of the centre")
NO_DISTRICT = Msg("District not given")

COUNT_HEADER = ["收件 Received", "受理 Accepted", "预审合格 Passed", "预审不合格 Not passed", "办理中 Pending",
                "合格率% Pass rate"]
SHEET_HEADERS = {"field": ["领域代码 Field key", "技术领域 Technical field"],
                 "type": ["类型代码 Type key", "专利类型 Patent type"],
                 "district": ["区划代码 District code", "区 District"],
                 "month": ["月份 Month", "月份 Month (Beijing time)"]}
SHEET_TITLES = {"field": "按技术领域 By field", "type": "按专利类型 By patent type", "district": "按区 By district",
                "month": "按月 By month"}


# --- filters ------------------------------------------------------------------------------------------------

@dataclass
class Filters(ListFilters):
    """The dashboard's filters, as the query string gives them: submitted from / to (Beijing days, YYYY-MM-DD, both
    included) and the centre's technical field (its key). `from_query(request.query_params)` reads them and
    `query(format="xlsx")` writes them back (the export link)."""

    date_from: str = ""
    date_to: str = ""
    field: str = ""

    def period(self) -> tuple[date | None, date | None]:
        """The days, parsed; a date that is not YYYY-MM-DD, or an end before the start, raises DomainError naming
        the field (date_from / date_to)."""
        return date_range(str(self.date_from or "").strip(), str(self.date_to or "").strip(), "date_from",
                          "date_to")


def _bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """The UTC instants of Beijing midnight starting `start` and ending `end` (exclusive)."""
    def instant(day: date) -> datetime:
        return datetime.combine(day, time(), CHINA_TZ).astimezone(UTC)

    return (instant(start) if start else None), (instant(end + timedelta(days=1)) if end else None)


def _where(stmt: Select, filters: Filters | None) -> Select:
    """Only the cases the filters select (the statement must have Submission in its FROM)."""
    if filters is None:
        return stmt
    low, high = _bounds(*filters.period())
    if low is not None:
        stmt = stmt.where(Submission.submitted_at >= low)
    if high is not None:
        stmt = stmt.where(Submission.submitted_at < high)
    if filters.field:
        stmt = stmt.where(Submission.field_key == filters.field)
    return stmt


# --- counts per group of states ----------------------------------------------------------------------------

def _rate(part: int, whole: int) -> float | None:
    """Percent, one decimal (half up); None of nothing."""
    return None if not whole else float((Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


@dataclass
class Row:
    """One line of a breakdown: its key and label (a Msg or a plain name), and its counts."""

    key: str
    label: Msg | str
    received: int = 0
    accepted: int = 0
    passed: int = 0
    not_passed: int = 0
    pending: int = 0

    @property
    def decided(self) -> int:
        return self.passed + self.not_passed

    @property
    def pass_rate(self) -> float | None:
        """Percent, one decimal: passed / (passed + not passed); None while nothing is decided."""
        return _rate(self.passed, self.decided)

    def rate_text(self) -> str:
        return _percent(self.pass_rate)

    def add(self, other: Row) -> None:
        for name in ("received", "accepted", "passed", "not_passed", "pending"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def counts(self) -> list:
        return [self.received, self.accepted, self.passed, self.not_passed, self.pending, self.pass_rate]


@dataclass
class Breakdown:
    """A table of the dashboard: rows by one key (field, type, district, month) and their total."""

    key: str
    title: Msg
    rows: list[Row]
    total: Row

    @property
    def column(self) -> Msg:
        """The heading of the rows' first column."""
        return COLUMNS[self.key]


def _accepted():
    after_acceptance = exists().where(CaseEvent.case_id == Submission.case_id, CaseEvent.from_state == "submitted",
                                      CaseEvent.to_state.not_in(("not_accepted", "withdrawn")))
    return or_(Submission.state.in_(ACCEPTED_STATES), and_(Submission.state == "withdrawn", after_acceptance))


def _counted(*keys) -> Select:
    """received, accepted, passed, not passed, pending per `keys` (one GROUP BY)."""
    def flag(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    return (select(*keys, func.count(), flag(_accepted()), flag(Submission.passed_on.is_not(None)),
                   flag(Submission.state == "not_passed"), flag(Submission.state.in_(PENDING_STATES)))
            .select_from(Submission).group_by(*keys))


def _rows(session: Session, filters: Filters | None, *keys) -> list[tuple[tuple, Row]]:
    out = []
    for values in session.execute(_where(_counted(*keys), filters)):
        group, counts = tuple(values[:len(keys)]), [int(v or 0) for v in values[len(keys):]]
        out.append((group, Row("", "", *counts)))
    return out


def _total(rows: list[Row]) -> Row:
    total = Row("", Msg("Total"))
    for r in rows:
        total.add(r)
    return total


def centre_fields(session: Session) -> list[tuple[str, Msg]]:
    """The centre's technical fields (key, label), in its order: the field filter's choices."""
    return [(f.key, f.label) for f in service.rules(session).fields]


def by_field(session: Session, filters: Filters | None = None) -> Breakdown:
    """By technical field (Submission.field_key): every field of the centre (the chosen one when filtered), then
    any other key found, then the cases in none of the centre's fields."""
    found = {g[0] or "": r for g, r in _rows(session, filters, Submission.field_key)}
    labels = dict(centre_fields(session))
    keys = [k for k in labels if not (filters and filters.field) or k == filters.field]
    keys += sorted(k for k in found if k not in labels and k)
    keys += [""] if "" in found else []
    rows = []
    for key in keys:
        row = found.get(key, Row("", ""))
        row.key, row.label = key, labels.get(key, key) if key else NO_FIELD
        rows.append(row)
    return Breakdown("field", TABLES["field"], rows, _total(rows))


def by_type(session: Session, filters: Filters | None = None) -> Breakdown:
    """By patent type: invention, utility model, design (each shown, even at zero)."""
    found = {g[0]: r for g, r in _rows(session, filters, Submission.patent_type)}
    keys = [INVENTION, UTILITY, DESIGN, *sorted(k for k in found if k not in (INVENTION, UTILITY, DESIGN))]
    rows = []
    for key in keys:
        row = found.get(key, Row("", ""))
        row.key, row.label = key, domain.PATENT_TYPES.get(key, key)
        rows.append(row)
    return Breakdown("type", TABLES["type"], rows, _total(rows))


def district_name(code: str) -> str:
    """The district's name (浦东新区) from its county-level code; a city's or a province's code in the GB/T 2260
    form (310100, 310000) its full name (上海市); an unknown code itself."""
    from ipcity.patents.regions import regions

    divisions = regions()
    if code in divisions and len(code) == 6:
        return divisions.name(code)
    short = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
    return (divisions.full_name(short) or code) if short in divisions else code


def by_district(session: Session, filters: Filters | None = None) -> Breakdown:
    """By the company's district (the county-level part of Submission.district_code), in code order."""
    code = func.substr(Submission.district_code, 1, 6)
    rows = []
    for (key,), row in sorted(_rows(session, filters, code), key=lambda gr: gr[0][0] or "~"):
        row.key, row.label = key or "", district_name(key) if key else NO_DISTRICT
        rows.append(row)
    return Breakdown("district", TABLES["district"], rows, _total(rows))


class beijing_time(FunctionElement):  # noqa: N801 - a SQL function's name
    """The stored UTC instant as a Beijing wall-clock timestamp (UTC+8; China keeps no summer time)."""

    type = DateTime()
    name = "beijing_time"
    inherit_cache = True


@compiles(beijing_time)
def _beijing_time(element, compiler, **kw) -> str:  # PostgreSQL: timestamptz at a fixed offset -> timestamp
    return f"timezone(INTERVAL '8 hours', {compiler.process(element.clauses, **kw)})"


@compiles(beijing_time, "sqlite")
def _beijing_time_sqlite(element, compiler, **kw) -> str:  # SQLite stores the UTC wall time as text
    return f"datetime({compiler.process(element.clauses, **kw)}, '+8 hours')"


def by_month(session: Session, filters: Filters | None = None) -> Breakdown:
    """By month of submission in Beijing time (YYYY-MM), oldest first; months without cases are left out."""
    local = beijing_time(Submission.submitted_at)
    year, month = extract("year", local), extract("month", local)
    rows = []
    for (y, m), row in _rows(session, filters, year, month):
        row.key = row.label = f"{int(y):04d}-{int(m):02d}"
        rows.append(row)
    rows.sort(key=lambda r: r.key)
    return Breakdown("month", TABLES["month"], rows, _total(rows))


# --- time per stage against the clocks ---------------------------------------------------------------------

def _one_decimal(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _median(values: list[int]) -> float | None:
    return _one_decimal(statistics.median(values)) if values else None


def _mean(values: list[int]) -> float | None:
    return _one_decimal(statistics.fmean(values)) if values else None


@dataclass
class Stage:
    """One clock of the case (acceptance, examination, correction, filing): its finished runs, the working and the
    calendar days they took, and how many ended by their due day. A run paused (the examination clock while the
    company corrects) and resumed counts once, for the days it ran, the paused time left out, and is on time when
    its last part stopped by its due day."""

    key: str
    label: Msg
    unit: str  # the limit's unit: WORKING_DAYS or CALENDAR_DAYS
    limit: int | None  # the limit in force, in `unit`; None where it depends on the case (by patent type)
    finished: int = 0
    on_time: int = 0
    median_working_days: float | None = None
    mean_working_days: float | None = None
    median_calendar_days: float | None = None
    mean_calendar_days: float | None = None

    @property
    def unit_label(self) -> Msg:
        return UNITS[self.unit]

    @property
    def on_time_share(self) -> float | None:
        """Percent of the finished runs that ended by their due day; None when none finished."""
        return _rate(self.on_time, self.finished)

    def on_time_text(self) -> str:
        return _percent(self.on_time_share)


def _median_of(counted: Counter[int]) -> float | None:
    """The median of values given with how often each occurs."""
    n = sum(counted.values())
    if not n:
        return None
    ordered = sorted(counted.items())

    def nth(k: int) -> int:  # the k-th value (from 0) in order
        seen = 0
        for value, times in ordered:
            seen += times
            if k < seen:
                return value
        raise IndexError(k)

    middle = n // 2
    return _one_decimal(nth(middle) if n % 2 else (nth(middle - 1) + nth(middle)) / 2)


def _mean_of(counted: Counter[int]) -> float | None:
    n = sum(counted.values())
    return _one_decimal(sum(v * times for v, times in counted.items()) / n) if n else None


class _WorkingDays:
    """WorkCalendar.working_days_between for many runs: the working days of every day of the runs' span counted once
    (a running total), each run then read as the difference of two totals."""

    def __init__(self, calendar: cal.WorkCalendar, starts: list[date], stops: list[date]) -> None:
        self.calendar = calendar
        self.first = min(starts + stops, default=date.min)
        last = max(starts + stops, default=date.min)
        self.totals = [0]
        for i in range((last - self.first).days):
            day = self.first + timedelta(days=i)
            self.totals.append(self.totals[-1] + calendar.working_days_between(day, day + timedelta(days=1)))

    def __call__(self, start: date, stop: date) -> int:
        """Working days after `start` up to and including `stop`."""
        return self.totals[(stop - self.first).days] - self.totals[(start - self.first).days]


def _clock_rows(filters: Filters | None, *columns) -> Select:
    """The stopped runs of the submission cases' clocks, filtered by their cases."""
    stmt = (select(*columns).join(Case, Case.id == CaseDeadline.case_id)
            .where(Case.type_key == casetypes.SUBMISSION_KEY, CaseDeadline.rule_key.in_(STAGES),
                   CaseDeadline.stopped_on.is_not(None)))
    if filters is not None and (filters.date_from or filters.date_to or filters.field):
        stmt = _where(stmt.join(Submission, Submission.case_id == CaseDeadline.case_id), filters)
    return stmt


def stages(session: Session, filters: Filters | None = None) -> list[Stage]:
    """Time per stage from the case engine's clocks (wf_deadline joined to wf_case) of the submission cases; working
    days on the platform's calendar. Two reads: the runs never paused, grouped in SQL by their days and whether
    they ended on time (few groups: runs share their dates); and, one row each, the runs of the clocks that were
    paused (a paused part continues in the next run of the same clock of the case, as engine.deadlines reads it)."""
    rules = engine.rules_in_force(session, service.SUBMISSION)
    paused = (select(CaseDeadline.case_id, CaseDeadline.rule_key).where(CaseDeadline.paused.is_(True))
              .distinct().subquery())  # the clocks (case, rule) that were ever paused
    with_paused = (CaseDeadline.case_id == paused.c.case_id) & (CaseDeadline.rule_key == paused.c.rule_key)
    on_time_flag = case((CaseDeadline.stopped_on <= CaseDeadline.due_on, 1), else_=0)
    simple = (_clock_rows(filters, CaseDeadline.rule_key, CaseDeadline.started_on, CaseDeadline.stopped_on,
                          on_time_flag, func.count())
              .outerjoin(paused, with_paused).where(paused.c.case_id.is_(None))
              .group_by(CaseDeadline.rule_key, CaseDeadline.started_on, CaseDeadline.stopped_on, on_time_flag))
    chained = (_clock_rows(filters, CaseDeadline.case_id, CaseDeadline.rule_key, CaseDeadline.started_on,
                           CaseDeadline.due_on, CaseDeadline.stopped_on, CaseDeadline.paused)
               .join(paused, with_paused).order_by(CaseDeadline.case_id, CaseDeadline.id))
    groups, runs_paused = session.execute(simple).all(), session.execute(chained).all()
    working_days = _WorkingDays(cal.load(session), [g[1] for g in groups] + [r[2] for r in runs_paused],
                                [g[2] for g in groups] + [r[4] for r in runs_paused])
    work_days: dict[str, Counter[int]] = {k: Counter() for k in STAGES}  # rule -> {days: runs}
    calendar_days: dict[str, Counter[int]] = {k: Counter() for k in STAGES}
    on_time: Counter[str] = Counter()
    for rule_key, started, stopped, in_time, runs in groups:
        work_days[rule_key][working_days(started, stopped)] += runs
        calendar_days[rule_key][(stopped - started).days] += runs
        on_time[rule_key] += runs if in_time else 0
    carried: dict[tuple[int, str], tuple[int, int]] = {}  # a paused run's days so far, until it resumes and ends
    for case_id, rule_key, started, due, stopped, is_paused in runs_paused:
        before = carried.pop((case_id, rule_key), (0, 0))
        days = (before[0] + working_days(started, stopped), before[1] + (stopped - started).days)
        if is_paused:
            carried[(case_id, rule_key)] = days
            continue
        work_days[rule_key][days[0]] += 1
        calendar_days[rule_key][days[1]] += 1
        on_time[rule_key] += stopped <= due
    out = []
    for key in STAGES:
        rule = rules[key]
        out.append(Stage(key, rule.label, rule.unit, None if rule.days_for else rule.amount,
                         sum(work_days[key].values()), on_time[key], _median_of(work_days[key]),
                         _mean_of(work_days[key]), _median_of(calendar_days[key]), _mean_of(calendar_days[key])))
    return out


# --- after passing: filing and grant -----------------------------------------------------------------------

@dataclass
class AfterPassing:
    """The passed cases' way to CNIPA: calendar days from the pass to the filing and to the grant, and the cases
    filed after their filing deadline or not filed by it (as of `on`)."""

    passed: int = 0
    filed: int = 0
    median_days_to_filing: float | None = None
    mean_days_to_filing: float | None = None
    granted: int = 0
    median_days_to_grant: float | None = None
    mean_days_to_grant: float | None = None
    filed_late: int = 0
    not_filed: int = 0  # not filed and the filing deadline has passed
    on: date | None = None

    @property
    def late(self) -> int:
        """Flagged: filed late or not filed by the filing deadline."""
        return self.filed_late + self.not_filed


def after_passing(session: Session, filters: Filters | None = None, on: date | None = None) -> AfterPassing:
    on = on or today()
    passed = Submission.passed_on.is_not(None)
    has_deadline = and_(passed, Submission.filing_deadline.is_not(None))

    def flag(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    counts = session.execute(_where(select(
        func.count(), flag(Submission.filed_on.is_not(None)), flag(Submission.granted_on.is_not(None)),
        flag(and_(has_deadline, Submission.filed_on > Submission.filing_deadline)),
        flag(and_(has_deadline, Submission.filed_on.is_(None), Submission.filing_deadline < on)),
    ).select_from(Submission).where(passed), filters)).one()
    to_filing, to_grant = [], []
    for passed_on, filed_on, granted_on in session.execute(_where(
            select(Submission.passed_on, Submission.filed_on, Submission.granted_on)
            .where(passed, Submission.filed_on.is_not(None)), filters)):
        to_filing.append((filed_on - passed_on).days)
        if granted_on is not None:
            to_grant.append((granted_on - passed_on).days)
    total, filed, granted, filed_late, not_filed = (int(v or 0) for v in counts)
    return AfterPassing(total, filed, _median(to_filing), _mean(to_filing), granted, _median(to_grant),
                        _mean(to_grant), filed_late, not_filed, on)


# --- reasons for not passing --------------------------------------------------------------------------------

@dataclass
class Reason:
    key: str
    label: Msg | str
    cases: int
    share: float | None  # percent of the not-passed cases giving it

    def share_text(self) -> str:
        return _percent(self.share)


def reasons(session: Session, filters: Filters | None = None) -> list[Reason]:
    """The reasons given for not passing, most frequent first (a case may give several)."""
    counted: Counter[str] = Counter()
    cases = 0
    for (keys,) in session.execute(_where(select(Submission.reasons).where(Submission.state == "not_passed"),
                                          filters)):
        cases += 1
        counted.update(set(keys or []))
    order = list(casetypes.REASONS)
    ranked = sorted(counted.items(), key=lambda kv: (-kv[1], order.index(kv[0]) if kv[0] in order else len(order),
                                                     kv[0]))
    return [Reason(k, casetypes.REASONS.get(k, k), n, _rate(n, cases)) for k, n in ranked]


# --- the dashboard ------------------------------------------------------------------------------------------

@dataclass
class Dashboard:
    """Everything the dashboard page (templates/preexam/dashboard.html) shows. When the filters were refused (a
    date that is not YYYY-MM-DD, an end before the start) `error` holds the DomainError, the form keeps what was
    typed and no figures are computed."""

    filters: Filters
    fields: list[tuple[str, Msg]]  # the field filter's choices: the centre's fields
    tables: list[Breakdown]  # by field, by type, by district, by month
    stages: list[Stage]
    after: AfterPassing
    reasons: list[Reason]
    on: date  # the day late filings are counted on
    period: tuple[date | None, date | None] = (None, None)
    field_label: Msg | str = ""  # the chosen field's label, "" for all
    error: DomainError | None = None

    def table(self, key: str) -> Breakdown:
        found = next((t for t in self.tables if t.key == key), None)
        return found or Breakdown(key, TABLES[key], [], _total([]))

    @property
    def total(self) -> Row:
        """All the cases selected, with the overall pass rate (every case has one patent type)."""
        return self.table("type").total

    @property
    def by_field(self) -> Breakdown:
        return self.table("field")

    @property
    def by_type(self) -> Breakdown:
        return self.table("type")

    @property
    def by_district(self) -> Breakdown:
        return self.table("district")

    @property
    def by_month(self) -> Breakdown:
        return self.table("month")

    def export_query(self) -> str:
        """The query string of the Excel export: these filters and format=xlsx."""
        return self.filters.query(format="xlsx")


def dashboard(session: Session, filters: Filters | None = None, on: date | None = None) -> Dashboard:
    """The centre's dashboard for the filters, late filings counted as of `on` (today). Refused filters do not
    raise: the dashboard carries the error and no figures (as a list page keeps its form)."""
    filters = filters or Filters()
    fields = centre_fields(session)
    on = on or today()
    try:
        period = filters.period()
    except DomainError as exc:
        return Dashboard(filters, fields, [], [], AfterPassing(on=on), [], on, error=exc)
    tables = [by_field(session, filters), by_type(session, filters), by_district(session, filters),
              by_month(session, filters)]
    field_label = dict(fields).get(filters.field, filters.field) if filters.field else ""
    return Dashboard(filters, fields, tables, stages(session, filters), after_passing(session, filters, on),
                     reasons(session, filters), on, period, field_label)


# --- the Excel export ----------------------------------------------------------------------------------------

def _zh(label: Msg | str) -> str:
    return label.render("zh_Hans") if isinstance(label, Msg) else str(label)


def sheets(data: Dashboard) -> dict:
    """The dashboard as worksheets, Chinese headers with the English beside them, for web.export.xlsx_response or
    core.tabular.workbook_bytes. A dashboard whose filters were refused raises their DomainError (no file of
    empty tables)."""
    if data.error is not None:
        raise data.error
    out: dict = {}
    for t in data.tables:
        rows = [[r.key, _zh(r.label), *r.counts()] for r in t.rows]
        rows.append(["", "合计 Total", *t.total.counts()])
        out[SHEET_TITLES[t.key]] = ([*SHEET_HEADERS[t.key], *COUNT_HEADER], rows)
    out["各环节用时 Time per stage"] = (
        ["环节代码 Stage key", "环节 Stage", "时限 Limit", "计时单位 Unit", "完成次数 Finished runs",
         "中位工作日 Median working days", "平均工作日 Mean working days", "中位自然日 Median calendar days",
         "平均自然日 Mean calendar days", "按期完成 On time", "按期率% On-time share"],
        [[s.key, _zh(s.label), "" if s.limit is None else s.limit, _zh(s.unit_label), s.finished,
          s.median_working_days, s.mean_working_days, s.median_calendar_days, s.mean_calendar_days, s.on_time,
          s.on_time_share] for s in data.stages])
    a = data.after
    out["合格后 After passing"] = (["项目 Item", "值 Value"], [
        ("预审合格 Passed", a.passed),
        ("已向国家知识产权局提交 Filed at CNIPA", a.filed),
        ("合格至提交中位天数 Median days from passing to filing", a.median_days_to_filing),
        ("合格至提交平均天数 Mean days from passing to filing", a.mean_days_to_filing),
        ("已授权 Granted", a.granted),
        ("合格至授权中位天数 Median days from passing to grant", a.median_days_to_grant),
        ("合格至授权平均天数 Mean days from passing to grant", a.mean_days_to_grant),
        ("逾期提交 Filed after the filing deadline", a.filed_late),
        ("逾期未提交 Not filed by the filing deadline", a.not_filed),
        ("逾期合计 Late or not filed", a.late)])
    reasons_rows = [[r.key, _zh(r.label), r.cases, r.share] for r in data.reasons]
    out["不合格原因 Reasons"] = (["原因代码 Reason key", "原因 Reason", "件数 Cases", "占不合格% Share of not passed"],
                              reasons_rows)
    start, end = data.period
    out["说明 About"] = (["项目 Item", "值 Value"], [
        ("统计日期 As of", data.on.isoformat()),
        ("提交日期自 Submitted from", start.isoformat() if start else "—"),
        ("提交日期至 Submitted to", end.isoformat() if end else "—"),
        ("技术领域 Technical field", _zh(data.field_label) if data.filters.field else "全部 All"),
        ("合格率 Pass rate", "预审合格 / (预审合格 + 预审不合格) passed / (passed + not passed)"),
        ("月份 Months", "北京时间 Beijing time (UTC+8)")])
    return out


def workbook(session: Session, filters: Filters | None = None, on: date | None = None) -> bytes:
    """The dashboard as an Excel file, one sheet per table (the view answers `?format=xlsx` with it through
    web.export.download_response and XLSX). Refused filters raise their DomainError."""
    return workbook_bytes(sheets(dashboard(session, filters, on)))


# --- figures for plan supervision (plan item 6) --------------------------------------------------------------

def plan_figures(session: Session, start: date, end: date) -> list[Figure]:
    """From `start` to `end`, both days included: cases received (submitted, Beijing days), cases passed, companies
    admitted (备案通过) and the pass rate of the cases decided in the period (passed or not passed then)."""
    low, high = _bounds(start, end)
    received = session.scalar(select(func.count()).select_from(Submission).where(
        Submission.submitted_at >= low, Submission.submitted_at < high)) or 0
    passed = session.scalar(select(func.count()).select_from(Submission).where(
        Submission.passed_on >= start, Submission.passed_on <= end)) or 0
    failed = session.scalar(select(func.count()).select_from(Submission).where(
        Submission.state == "not_passed", Submission.decided_on >= start, Submission.decided_on <= end)) or 0
    admitted = session.scalar(select(func.count()).select_from(Registration).where(
        Registration.admitted_on >= start, Registration.admitted_on <= end)) or 0
    decided = passed + failed
    rate = (Decimal(100 * passed) / decided).quantize(Decimal("0.01"), ROUND_HALF_UP) if decided else Decimal("0.00")
    return [Figure(Msg("Cases received for fast pre-examination"), int(received), SOURCE),
            Figure(Msg("Cases passed (预审合格)"), int(passed), SOURCE),
            Figure(Msg("Companies admitted to the centre (备案通过)"), int(admitted), SOURCE),
            Figure(Msg("Pass rate of the cases decided ({passed} of {decided})", passed=passed, decided=decided),
                   rate, SOURCE, Msg("per cent"))]
