"""The figures of the rights-protection network (维权援助"全市一张网"): the officials' dashboard, its Excel export,
the yearly public report and the figures plan supervision shows on plan items 7, 8, 21 and 25.

Read model only: plain SQLAlchemy selects over the network's tables (requests, transfers, adjudications,
mediations, fair complaints, overseas cases) and the case kit's clocks (wf_deadline) and history (wf_event),
aggregated in the database (a GROUP BY with conditional sums). Python works only where SQL cannot portably:
working days and medians (over the clocks' runs grouped by their dates), an adjudication's decision clock (Order 81
Art 37 as §14.1 corrects it: the pure rule domain.decision_due over the case's extensions and stops), hours at a
fair, and which unit gave a first response (the order of the transfers).

What each figure counts:
  requests     every request received (RightsRequest, received_on: the Beijing day it arrived), by kind, the unit it
               is with now (its case's assigned unit, after any transfer), district (where it happened: a district
               of the city, online or a fair), right, channel and month; pending (received, handling, referred to
               a case of its own), closed, declined, withdrawn; referred (taken on as an adjudication, mediation,
               fair complaint or overseas guidance); the amount recovered.
  first response  the kit's clock rule_key "first_response" of the request cases: each run is one unit's first
               response (a transfer ends the run and starts one at the new unit); on time when stopped_on <=
               due_on. A run ended by the requester's withdrawal before any response is no response and is left
               out. By unit, a response counts for the unit that gave it (the transfers say which); elsewhere
               for the request's row.
  stages       every clock of the follow-up cases (filing, correction, service, answer, decision; the mediation's
               notice and statement; the first guidance): finished runs, on time, median days. A clock paused
               (the decision clock while a period that does not count runs) and resumed counts once, for the days
               it ran. A waiting period (the respondent's answer or statement) is never late: no on-time share.
  adjudication filed, decided, decided within the clock (decided_on <= the due day of Art 37 with the case's
               extensions and stops), median calendar days from filing to decision, extensions used (by level),
               stops (cases, periods and days), outcomes.
  mediation    filed (the respondent agreed), agreements, share of agreements among the mediations concluded
               (agreement or no agreement), judicial confirmations, the amounts agreed (shown, not added).
  fairs        complaints, the respondent notified within 24 hours of the complaint (the 2006 measures' 24 hours),
               statements within the respondent's 24 hours (Guide Art 14), measures taken and measures taken
               within 24 hours of the complaint, per fair.
  overseas     guidance cases by country or region, closed, outcomes.
  amounts      the sum of RightsRequest.amount_recovered only: a referred request takes its case's amount when the
               case ends (service.followup_ended), so adding Adjudication.amount or Mediation.amount would count
               it twice.
  transfers    transfers (移送) of the selected requests, requests transferred, requests routed by hand.

Filters (the dashboard's query string): received from / to (Beijing days, both included), the unit, the district
(a division code, "online" or "fair"), the right and the kind. Every section counts the selected requests and the
cases they became.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup
from sqlalchemy import Select, and_, case, distinct, exists, extract, func, select
from sqlalchemy.orm import Session, aliased

from ipcity.core import calendar as cal
from ipcity.core.cache import VersionedCache, data_version
from ipcity.core.clock import CHINA_TZ, today
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg, current_locale
from ipcity.core.plugins import Figure
from ipcity.core.roles import ADMIN, MEDIATOR, OFFICIAL_ROLES
from ipcity.core.tables import Unit
from ipcity.core.tabular import workbook_bytes
from ipcity.patents.regions import place_name, regions
from ipcity.services.rights import casetypes, domain, service
from ipcity.services.rights.tables import (
    Adjudication,
    Fair,
    FairComplaint,
    LibraryEntry,
    Mediation,
    OverseasCase,
    RightsRequest,
    RiskAlert,
    Transfer,
    Undertaking,
)
from ipcity.web.paging import ListFilters, date_range
from ipcity.workflow import engine
from ipcity.workflow.definition import CALENDAR_DAYS, WORKING_DAYS, CaseType
from ipcity.workflow.tables import Case, CaseDeadline, CaseEvent

SOURCE = Msg("Rights-protection network (维权援助“全市一张网”)")
STAFF = OFFICIAL_ROLES | {MEDIATOR, ADMIN}  # who reads the dashboard: aggregates of the whole network
CITY = "3101"  # the districts of Shanghai, as ipcity.patents.regions codes them
FIRST_RESPONSE = "first_response"
PENDING = ("received", "handling", "referred")
ADJ_PENDING = ("received", "correction", "filed", "stopped")
MED_PENDING = ("received", "notified", "mediating")
MED_FILED = ("mediating", "agreed", "closed", "failed")
FAIR_PENDING = ("received", "notified")
HOURS_24 = timedelta(hours=24)
UNITS = {WORKING_DAYS: Msg("working days"), CALENDAR_DAYS: Msg("calendar days")}

TABLES = {"kind": Msg("By kind of request"), "unit": Msg("By unit handling the request"),
          "district": Msg("By district"), "right": Msg("By right"), "channel": Msg("By channel"),
          "month": Msg("By month received")}
COLUMNS = {"kind": Msg("Kind of request"), "unit": Msg("Unit"), "district": Msg("District"), "right": Msg("Right"),
           "channel": Msg("Channel"), "month": Msg("Month")}
PUBLIC_TABLES = ("kind", "right", "district", "month")
NO_UNIT = Msg("No unit")
NO_DISTRICT = Msg("District not given")
OUTCOME_LABELS: dict[str, Msg] = {**casetypes.OUTCOMES, **casetypes.DECISIONS, **casetypes.CLOSING,
                                  "declined": Msg("Declined (不予受理)"), "withdrawn": Msg("Withdrawn (撤回)")}

COUNT_HEADER = ["收件 Received", "办理中 Pending", "办结 Closed", "不予受理 Declined", "撤回 Withdrawn",
                "转入专门程序 Taken on as a case", "挽回金额（元） Amount recovered (yuan)",
                "首次响应 First responses", "按时响应 On time", "按时率% On-time share"]
SHEET_HEADERS = {"kind": ["类型代码 Kind key", "请求事项 Kind of request"],
                 "unit": ["单位编号 Unit id", "单位 Unit"],
                 "district": ["区划代码 District code", "区 District"],
                 "right": ["权利代码 Right key", "权利类型 Right"],
                 "channel": ["渠道代码 Channel key", "受理渠道 Channel"],
                 "month": ["月份 Month", "月份 Month"]}
SHEET_TITLES = {"kind": "按事项 By kind", "unit": "按单位 By unit", "district": "按区 By district",
                "right": "按权利 By right", "channel": "按渠道 By channel", "month": "按月 By month"}


# --- filters ------------------------------------------------------------------------------------------------

@dataclass
class Filters(ListFilters):
    """The dashboard's filters, as the query string gives them: received from / to (Beijing days, YYYY-MM-DD, both
    included), the unit (its id), the district (a division code of the city, "online" or "fair"), the right and
    the kind (their keys). `from_query(request.query_params)` reads them; `query(format="xlsx")` writes them back."""

    date_from: str = ""
    date_to: str = ""
    unit: str = ""
    district: str = ""
    right: str = ""
    kind: str = ""

    def period(self) -> tuple[date | None, date | None]:
        return date_range(str(self.date_from or "").strip(), str(self.date_to or "").strip(), "date_from",
                          "date_to")

    def unit_id(self) -> int | None:
        text = str(self.unit or "").strip()
        if not text:
            return None
        if not text.isdigit() or len(text) > 12:
            raise DomainError(Msg("Choose the unit from the list"), field="unit")
        return int(text)

    def checked(self) -> None:
        """Every filter checked; DomainError naming the first wrong one."""
        self.period()
        self.unit_id()
        district = str(self.district or "").strip()
        if district and district not in (domain.ONLINE, domain.FAIR) and not domain.district_code(district):
            raise DomainError(Msg("Choose the district from the list"), field="district")
        if self.right and self.right not in domain.RIGHTS:
            raise DomainError(Msg("Choose the right from the list"), field="right")
        if self.kind and self.kind not in domain.REQUEST_KINDS:
            raise DomainError(Msg("Choose the kind of request from the list"), field="kind")

    @classmethod
    def year(cls, year: int) -> Filters:
        return cls(date_from=f"{year:04d}-01-01", date_to=f"{year:04d}-12-31")


def _where(stmt: Select, filters: Filters | None) -> Select:
    """Only the requests the filters select (the statement must have RightsRequest in its FROM)."""
    if filters is None:
        return stmt
    start, end = filters.period()
    if start is not None:
        stmt = stmt.where(RightsRequest.received_on >= start)
    if end is not None:
        stmt = stmt.where(RightsRequest.received_on <= end)
    unit = filters.unit_id()
    if unit is not None:
        stmt = stmt.where(RightsRequest.case_id.in_(select(Case.id).where(Case.assigned_unit_id == unit)))
    district = str(filters.district or "").strip()
    if district in (domain.ONLINE, domain.FAIR):
        stmt = stmt.where(RightsRequest.where == district)
    elif district:
        stmt = stmt.where(RightsRequest.division_code == district)
    if filters.right:
        stmt = stmt.where(RightsRequest.right == filters.right)
    if filters.kind:
        stmt = stmt.where(RightsRequest.kind == filters.kind)
    return stmt


def _selected(filters: Filters | None) -> bool:
    return filters is not None and any(str(v or "").strip() for v in (
        filters.date_from, filters.date_to, filters.unit, filters.district, filters.right, filters.kind))


def _request_ids(filters: Filters | None) -> Select | None:
    """The ids of the selected requests (None: every request)."""
    return _where(select(RightsRequest.id), filters) if _selected(filters) else None


def _of_requests(stmt: Select, column, filters: Filters | None) -> Select:
    """`stmt` narrowed to the rows whose `column` (a request id) is a selected request."""
    ids = _request_ids(filters)
    return stmt if ids is None else stmt.where(column.in_(ids))


# --- small arithmetic ---------------------------------------------------------------------------------------

def _rate(part: int, whole: int) -> float | None:
    """Percent, one decimal (half up); None of nothing."""
    return None if not whole else float((Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _yuan(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _one_decimal(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


def _median(values: list) -> float | None:
    return _one_decimal(statistics.median(values)) if values else None


def _mean(values: list) -> float | None:
    return _one_decimal(statistics.fmean(values)) if values else None


def _median_of(counted: Counter) -> float | None:
    """The median of values given with how often each occurs."""
    total = sum(counted.values())
    if not total:
        return None
    ordered = sorted(counted.items())

    def nth(n: int):  # the n-th value (0-based) in sorted order
        seen = 0
        for value, times in ordered:
            seen += times
            if n < seen:
                return value
        return ordered[-1][0]

    if total % 2:
        return _one_decimal(nth(total // 2))
    return _one_decimal((nth(total // 2 - 1) + nth(total // 2)) / 2)


def _mean_of(counted: Counter) -> float | None:
    total = sum(counted.values())
    return _one_decimal(sum(v * n for v, n in counted.items()) / total) if total else None


def _flag(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class _WorkingDays:
    """Working days between two days, from one pass over the calendar between the earliest and latest day given
    (a prefix sum), so that thousands of runs cost one lookup each."""

    def __init__(self, calendar: cal.WorkCalendar, days: list[date]):
        self.first = min(days, default=date.min)
        last = max(days, default=date.min)
        self.totals = [0]
        for i in range((last - self.first).days):
            day = self.first + timedelta(days=i + 1)
            self.totals.append(self.totals[-1] + int(calendar.is_working_day(day)))

    def __call__(self, start: date, stop: date) -> int:
        """Working days after `start` up to and including `stop`."""
        return self.totals[(stop - self.first).days] - self.totals[(start - self.first).days]


# --- counts of requests per breakdown -----------------------------------------------------------------------

@dataclass
class Row:
    """One line of a breakdown: its key and label (a Msg or a plain name), its counts and amounts, and the first
    responses of its requests against the unit's clock."""

    key: str
    label: Msg | str
    received: int = 0
    pending: int = 0
    closed: int = 0
    declined: int = 0
    withdrawn: int = 0
    referred: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal("0.00"))
    responses: int = 0
    responses_on_time: int = 0

    @property
    def on_time_share(self) -> float | None:
        """Percent of the first responses given within the unit's clock; None when none was given."""
        return _rate(self.responses_on_time, self.responses)

    def on_time_text(self) -> str:
        return _percent(self.on_time_share)

    def add(self, other: Row) -> None:
        for name in ("received", "pending", "closed", "declined", "withdrawn", "referred", "amount", "responses",
                     "responses_on_time"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def counts(self) -> list:
        return [self.received, self.pending, self.closed, self.declined, self.withdrawn, self.referred,
                self.amount, self.responses, self.responses_on_time, self.on_time_share]


@dataclass
class Breakdown:
    """A table of requests by one key (kind, unit, district, right, channel, month) and its total."""

    key: str
    title: Msg
    rows: list[Row]
    total: Row

    @property
    def column(self) -> Msg:
        return COLUMNS[self.key]

    @property
    def largest(self) -> int:
        """The most requests in one row: the bars' full width."""
        return max((r.received for r in self.rows), default=0)

    def width(self, row: Row) -> float:
        """The row's bar, in percent of the largest row."""
        return round(100 * row.received / self.largest, 1) if self.largest else 0.0


def _total(rows: list[Row]) -> Row:
    total = Row("", Msg("Total"))
    for r in rows:
        total.add(r)
    return total


def _not_withdrawn_before_response():
    """Leave out a first-response run the requester's withdrawal ended: the last run of a request withdrawn
    while it awaited the response (its history has withdraw out of 'received')."""
    later = aliased(CaseDeadline)
    withdrawn_waiting = exists().where(CaseEvent.case_id == CaseDeadline.case_id, CaseEvent.transition == "withdraw",
                                       CaseEvent.from_state == "received")
    last_run = ~exists().where(later.case_id == CaseDeadline.case_id, later.rule_key == FIRST_RESPONSE,
                               later.id > CaseDeadline.id)
    return ~and_(RightsRequest.state == "withdrawn", withdrawn_waiting, last_run)


def _groups(session: Session, filters: Filters | None, *keys) -> dict[tuple, Row]:
    """The counts of the selected requests per `keys` (one GROUP BY), with their first responses (another)."""
    counts = _where(select(
        *keys, func.count(), _flag(RightsRequest.state.in_(PENDING)), _flag(RightsRequest.state == "closed"),
        _flag(RightsRequest.state == "declined"), _flag(RightsRequest.state == "withdrawn"),
        _flag(RightsRequest.followup_type != ""), func.coalesce(func.sum(RightsRequest.amount_recovered), 0),
    ).select_from(RightsRequest).join(Case, Case.id == RightsRequest.case_id).group_by(*keys), filters)
    found: dict[tuple, Row] = {}
    for values in session.execute(counts):
        group, n = tuple(values[:len(keys)]), values[len(keys):]
        found[group] = Row("", "", *(int(v or 0) for v in n[:6]), _yuan(n[6]))
    responses = _where(select(*keys, func.count(), _flag(CaseDeadline.stopped_on <= CaseDeadline.due_on))
                       .select_from(CaseDeadline).join(RightsRequest, RightsRequest.case_id == CaseDeadline.case_id)
                       .join(Case, Case.id == RightsRequest.case_id)
                       .where(CaseDeadline.rule_key == FIRST_RESPONSE, CaseDeadline.stopped_on.is_not(None),
                              _not_withdrawn_before_response())
                       .group_by(*keys), filters)
    for values in session.execute(responses):
        group = tuple(values[:len(keys)])
        row = found.setdefault(group, Row("", ""))
        row.responses, row.responses_on_time = int(values[-2] or 0), int(values[-1] or 0)
    return found


def _table(key: str, rows: list[Row]) -> Breakdown:
    return Breakdown(key, TABLES[key], rows, _total(rows))


def _fixed(key: str, found: dict[tuple, Row], labels: dict[str, Msg]) -> Breakdown:
    """A breakdown over a vocabulary: every key of it shown (zero rows too), then any other key found."""
    rows = []
    for k in [*labels, *sorted(str(g[0]) for g in found if g[0] not in labels)]:
        row = found.get((k,), Row("", ""))
        row.key, row.label = k, labels.get(k, k)
        rows.append(row)
    return _table(key, rows)


def by_kind(session: Session, filters: Filters | None = None) -> Breakdown:
    return _fixed("kind", _groups(session, filters, RightsRequest.kind), domain.REQUEST_KINDS)


def by_right(session: Session, filters: Filters | None = None) -> Breakdown:
    return _fixed("right", _groups(session, filters, RightsRequest.right), domain.RIGHTS)


def by_channel(session: Session, filters: Filters | None = None) -> Breakdown:
    return _fixed("channel", _groups(session, filters, RightsRequest.channel), domain.CHANNELS)


def _responses_by_unit(session: Session, filters: Filters | None) -> dict[int | None, tuple[int, int]]:
    """(first responses, on time) per unit that gave them. A transfer ends one unit's run and starts the next
    unit's, in order: a request's first run is with the unit its first transfer came from (or the unit it is with
    now, never transferred), its k-th run with the unit its (k-1)-th transfer went to."""
    runs = session.execute(_where(
        select(RightsRequest.id, Case.assigned_unit_id, CaseDeadline.stopped_on.is_not(None),
               case((CaseDeadline.stopped_on <= CaseDeadline.due_on, 1), else_=0),
               case((_not_withdrawn_before_response(), 1), else_=0))
        .select_from(CaseDeadline).join(RightsRequest, RightsRequest.case_id == CaseDeadline.case_id)
        .join(Case, Case.id == RightsRequest.case_id).where(CaseDeadline.rule_key == FIRST_RESPONSE)
        .order_by(RightsRequest.id, CaseDeadline.id), filters)).all()
    moves: dict[int, list[tuple[int | None, int]]] = {}
    for request_id, source, target in session.execute(_of_requests(
            select(Transfer.request_id, Transfer.from_unit_id, Transfer.to_unit_id).order_by(Transfer.id),
            Transfer.request_id, filters)):
        moves.setdefault(request_id, []).append((source, target))
    out: Counter = Counter()
    on_time: Counter = Counter()
    index: Counter = Counter()
    for request_id, now_with, stopped, in_time, counted in runs:
        k = index[request_id]
        index[request_id] += 1
        transfers_of = moves.get(request_id, [])
        if k == 0:
            unit = transfers_of[0][0] if transfers_of else now_with
        else:
            unit = transfers_of[k - 1][1] if k - 1 < len(transfers_of) else now_with
        if stopped and counted:
            out[unit] += 1
            on_time[unit] += int(in_time or 0)
    return {unit: (n, on_time[unit]) for unit, n in out.items()}


def by_unit(session: Session, filters: Filters | None = None) -> Breakdown:
    """By the unit the request is with now (its case's assigned unit: after a transfer, the new one), most requests
    first; the first responses by the unit that gave them (a unit that passed every request on still shows its
    responses)."""
    found = {g[0]: row for g, row in _groups(session, filters, Case.assigned_unit_id).items()}
    for row in found.values():  # _groups counts them by the unit the request is with now
        row.responses = row.responses_on_time = 0
    for unit_id, (n, in_time) in _responses_by_unit(session, filters).items():
        row = found.setdefault(unit_id, Row("", ""))
        row.responses, row.responses_on_time = n, in_time
    names = dict(session.execute(select(Unit.id, Unit.name_zh).where(
        Unit.id.in_([k for k in found if k is not None]))).all()) if found else {}
    rows = []
    for unit_id, row in found.items():
        row.key, row.label = str(unit_id or ""), names.get(unit_id, str(unit_id)) if unit_id else NO_UNIT
        rows.append(row)
    rows.sort(key=lambda r: (-r.received, -r.responses, str(r.label)))
    return _table("unit", rows)


def district_label(where: str, code: str) -> Msg | str:
    """A district's full name (上海市浦东新区), "online", "a fair", or "district not given"."""
    if where == domain.DISTRICT and code:
        return place_name(code)
    if where in (domain.ONLINE, domain.FAIR):
        return domain.WHERE[where]
    return NO_DISTRICT


def by_district(session: Session, filters: Filters | None = None) -> Breakdown:
    """By where it happened: the districts of the city in code order, then online, then the fairs."""
    merged: dict[str, Row] = {}
    for (where, code), row in _groups(session, filters, RightsRequest.where, RightsRequest.division_code).items():
        key = code if where == domain.DISTRICT and code else where if where in (domain.ONLINE, domain.FAIR) else ""
        if key in merged:
            merged[key].add(row)
        else:
            row.key, row.label = key, district_label(where, code)
            merged[key] = row
    order = {domain.ONLINE: "~1", domain.FAIR: "~2", "": "~3"}
    return _table("district", sorted(merged.values(), key=lambda r: order.get(r.key, r.key)))


def by_month(session: Session, filters: Filters | None = None) -> Breakdown:
    """By month received (YYYY-MM of the Beijing day the request arrived), oldest first; empty months left out."""
    rows = []
    year, month = extract("year", RightsRequest.received_on), extract("month", RightsRequest.received_on)
    for (y, m), row in _groups(session, filters, year, month).items():
        row.key = row.label = f"{int(y):04d}-{int(m):02d}"
        rows.append(row)
    rows.sort(key=lambda r: r.key)
    return _table("month", rows)


BREAKDOWNS = {"kind": by_kind, "unit": by_unit, "district": by_district, "right": by_right, "channel": by_channel,
              "month": by_month}


# --- clocks ---------------------------------------------------------------------------------------------------

@dataclass
class Stage:
    """One clock of a case type: its finished runs, how many ended by their due day, the working and calendar
    days they took, and the runs still going (and overdue) on `on`. A waiting period (`period`: the respondent's
    time) is never late: it has no on-time share."""

    case_type: str
    key: str
    label: Msg
    unit: str
    limit: int | None  # in `unit`; None where it depends on the case
    period: bool = False
    finished: int = 0
    on_time: int = 0
    running: int = 0
    overdue: int = 0
    median_working_days: float | None = None
    mean_working_days: float | None = None
    median_calendar_days: float | None = None
    mean_calendar_days: float | None = None

    @property
    def unit_label(self) -> Msg:
        return UNITS[self.unit]

    @property
    def on_time_share(self) -> float | None:
        return None if self.period else _rate(self.on_time, self.finished)

    def on_time_text(self) -> str:
        return _percent(self.on_time_share)

    @property
    def median_days(self) -> float | None:
        """The median in the limit's unit."""
        return self.median_working_days if self.unit == WORKING_DAYS else self.median_calendar_days


@dataclass
class StageGroup:
    """The clocks of one case type."""

    key: str
    label: Msg
    stages: list[Stage]


def _case_ids(ct: CaseType, filters: Filters | None) -> Select | None:
    """The ids of the cases of `ct` that belong to the selected requests (None: all of them)."""
    ids = _request_ids(filters)
    if ids is None:
        return None
    if ct.key == casetypes.REQUEST_KEY:
        return _where(select(RightsRequest.case_id), filters)
    model = FOLLOWUP_MODELS[ct.key]
    return select(model.case_id).where(model.request_id.in_(ids))


def clock_stages(session: Session, ct: CaseType, filters: Filters | None = None, on: date | None = None,
                 only: tuple[str, ...] | None = None) -> list[Stage]:
    """Time per stage from the kit's clocks (wf_deadline joined to wf_case) of the cases of `ct`, the selected
    requests' ones. Two reads of the finished runs: those of clocks never paused, grouped in SQL by their days
    and whether they ended on time; and, one row each, those of clocks that were paused (a paused part continues
    in the next run of the same clock of the case). A third counts the runs still going and overdue."""
    on = on or today()
    rules = engine.rules_in_force(session, ct)
    keys = [k for k in rules if only is None or k in only]
    ids = _case_ids(ct, filters)

    def runs(*columns) -> Select:
        stmt = (select(*columns).select_from(CaseDeadline).join(Case, Case.id == CaseDeadline.case_id)
                .where(Case.type_key == ct.key, CaseDeadline.rule_key.in_(keys)))
        if ids is not None:
            stmt = stmt.where(CaseDeadline.case_id.in_(ids))
        if ct.key == casetypes.REQUEST_KEY:
            stmt = stmt.join(RightsRequest, RightsRequest.case_id == CaseDeadline.case_id).where(
                _not_withdrawn_before_response())
        return stmt

    paused = select(CaseDeadline.case_id, CaseDeadline.rule_key).where(CaseDeadline.paused.is_(True)).distinct()
    paused = paused.subquery()
    with_paused = (CaseDeadline.case_id == paused.c.case_id) & (CaseDeadline.rule_key == paused.c.rule_key)
    on_time_flag = case((CaseDeadline.stopped_on <= CaseDeadline.due_on, 1), else_=0)
    stopped = CaseDeadline.stopped_on.is_not(None)
    simple = session.execute(
        runs(CaseDeadline.rule_key, CaseDeadline.started_on, CaseDeadline.stopped_on, on_time_flag, func.count())
        .outerjoin(paused, with_paused).where(stopped, paused.c.case_id.is_(None))
        .group_by(CaseDeadline.rule_key, CaseDeadline.started_on, CaseDeadline.stopped_on, on_time_flag)).all()
    chained = session.execute(
        runs(CaseDeadline.case_id, CaseDeadline.rule_key, CaseDeadline.started_on, CaseDeadline.due_on,
             CaseDeadline.stopped_on, CaseDeadline.paused)
        .join(paused, with_paused).where(stopped).order_by(CaseDeadline.case_id, CaseDeadline.id)).all()
    going = {k: (int(n or 0), int(late or 0)) for k, n, late in session.execute(
        runs(CaseDeadline.rule_key, func.count(), _flag(CaseDeadline.due_on < on))
        .where(CaseDeadline.stopped_on.is_(None)).group_by(CaseDeadline.rule_key))}
    working = _WorkingDays(cal.load(session), [g[1] for g in simple] + [g[2] for g in simple]
                           + [r[2] for r in chained] + [r[4] for r in chained])
    work_days: dict[str, Counter] = {k: Counter() for k in keys}
    calendar_days: dict[str, Counter] = {k: Counter() for k in keys}
    on_time: Counter = Counter()
    for rule_key, started, stopped_on, in_time, n in simple:
        work_days[rule_key][working(started, stopped_on)] += n
        calendar_days[rule_key][(stopped_on - started).days] += n
        on_time[rule_key] += n if in_time else 0
    carried: dict[tuple[int, str], tuple[int, int]] = {}
    for case_id, rule_key, started, due, stopped_on, is_paused in chained:
        before = carried.pop((case_id, rule_key), (0, 0))
        days = (before[0] + working(started, stopped_on), before[1] + (stopped_on - started).days)
        if is_paused:
            carried[(case_id, rule_key)] = days
            continue
        work_days[rule_key][days[0]] += 1
        calendar_days[rule_key][days[1]] += 1
        on_time[rule_key] += stopped_on <= due
    out = []
    for key in keys:
        rule = rules[key]
        run, late = going.get(key, (0, 0))
        out.append(Stage(ct.key, key, rule.label, rule.unit, None if rule.days_for else rule.amount, rule.period,
                         sum(work_days[key].values()), on_time[key], run, 0 if rule.period else late,
                         _median_of(work_days[key]), _mean_of(work_days[key]), _median_of(calendar_days[key]),
                         _mean_of(calendar_days[key])))
    return out


def first_response(session: Session, filters: Filters | None = None, on: date | None = None) -> Stage:
    """The units' first response to the selected requests, against the office's commitment."""
    return clock_stages(session, service.REQUEST, filters, on, only=(FIRST_RESPONSE,))[0]


CASE_TYPES = (casetypes.adjudication_type(), casetypes.mediation_type(), casetypes.overseas_type())
FOLLOWUP_MODELS = {casetypes.ADJUDICATION_KEY: Adjudication, casetypes.MEDIATION_KEY: Mediation,
                   casetypes.FAIR_KEY: FairComplaint, casetypes.OVERSEAS_KEY: OverseasCase}


def stage_groups(session: Session, filters: Filters | None = None, on: date | None = None) -> list[StageGroup]:
    """Every clock of the request and of the follow-up cases that have clocks, by case type."""
    out = [StageGroup(casetypes.REQUEST_KEY, service.REQUEST.label, [first_response(session, filters, on)])]
    out += [StageGroup(ct.key, ct.label, clock_stages(session, ct, filters, on)) for ct in CASE_TYPES]
    return out


# --- adjudication ----------------------------------------------------------------------------------------------

@dataclass
class Tally:
    """A count by key with its label (an outcome, a stop's kind, a mediator, a country, a fair)."""

    key: str
    label: Msg | str
    count: int
    extra: int = 0  # a second count where the table has one (agreements, measures)


def _day(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _extensions(raw) -> list[domain.Extension]:
    out = []
    for e in raw or []:
        if isinstance(e, dict) and e.get("level") in domain.EXTENSION_MONTHS:
            months = e.get("months")
            out.append(domain.Extension(e["level"], str(e.get("approver") or "-"),
                                        _day(e.get("approved_on")) or date.min,
                                        int(months) if str(months or "").isdigit() else None))
    return out


def _stops(raw) -> list[tuple[date, date | None]]:
    out = []
    for s in raw or []:
        if isinstance(s, dict) and _day(s.get("start")):
            out.append((_day(s["start"]), _day(s.get("end"))))
    return out


def decided_due(filed_on: date, extensions, stops, stored: date | None, calendar) -> date | None:
    """The last day for a decided case's decision (Art 37): from filing, with its extensions and its periods that
    do not count, by the pure rule; the stored due day where the recorded extensions or stops are not readable."""
    try:
        return domain.decision_due(filed_on, _extensions(extensions), _stops(stops), calendar,
                                   today=filed_on) or stored
    except (ValueError, TypeError):
        return stored


@dataclass
class AdjudicationFigures:
    """The administrative adjudications of the selected requests (Order 81)."""

    cases: int = 0
    pending: int = 0
    filed: int = 0
    not_filed: int = 0
    decided: int = 0
    decided_on_time: int = 0
    ended: int = 0  # settled, mediated or withdrawn
    overdue: int = 0  # filed, not decided, past the decision's due day on `on`
    median_days_to_decision: float | None = None  # calendar days, filing to decision
    mean_days_to_decision: float | None = None
    with_extensions: int = 0
    extensions_head: int = 0
    extensions_next_level: int = 0
    with_stops: int = 0
    stops: int = 0
    stopped_days: int = 0
    repeat_infringement: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal("0.00"))  # shown, not added: see the module's notes
    outcomes: list[Tally] = field(default_factory=list)
    stop_kinds: list[Tally] = field(default_factory=list)

    @property
    def on_time_share(self) -> float | None:
        """Percent of the decided cases decided within the clock."""
        return _rate(self.decided_on_time, self.decided)


def adjudication(session: Session, filters: Filters | None = None, on: date | None = None) -> AdjudicationFigures:
    on = on or today()
    calendar = cal.load(session)
    counts = session.execute(_of_requests(select(
        func.count(), _flag(Adjudication.state.in_(ADJ_PENDING)), _flag(Adjudication.filed_on.is_not(None)),
        _flag(Adjudication.state == "not_filed"), _flag(Adjudication.state == "ended"),
        _flag(and_(Adjudication.state.in_(("filed", "stopped")), Adjudication.decision_due < on)),
        _flag(Adjudication.repeat_infringement.is_(True)), func.coalesce(func.sum(Adjudication.amount), 0),
    ).select_from(Adjudication), Adjudication.request_id, filters)).one()
    out = AdjudicationFigures(*(int(v or 0) for v in counts[:3]), not_filed=int(counts[3] or 0),
                              ended=int(counts[4] or 0), overdue=int(counts[5] or 0),
                              repeat_infringement=int(counts[6] or 0), amount=_yuan(counts[7]))
    days, stop_kinds = [], Counter()
    for filed_on, decided_on, due, extensions, stops in session.execute(_of_requests(
            select(Adjudication.filed_on, Adjudication.decided_on, Adjudication.decision_due, Adjudication.extensions,
                   Adjudication.stops).where(Adjudication.filed_on.is_not(None)), Adjudication.request_id, filters)):
        levels = {e.get("level") for e in extensions or [] if isinstance(e, dict)}
        out.with_extensions += bool(extensions)
        out.extensions_head += domain.HEAD in levels
        out.extensions_next_level += domain.NEXT_LEVEL in levels
        out.with_stops += bool(stops)
        for start, end in _stops(stops):
            out.stops += 1
            out.stopped_days += max(((end or on) - start).days, 0)
        stop_kinds.update(s.get("kind") or "" for s in stops or [] if isinstance(s, dict))
        if decided_on is None:
            continue
        out.decided += 1
        days.append((decided_on - filed_on).days)
        limit = decided_due(filed_on, extensions, stops, due, calendar)
        out.decided_on_time += limit is not None and decided_on <= limit
    out.median_days_to_decision, out.mean_days_to_decision = _median(days), _mean(days)
    out.stop_kinds = [Tally(k, domain.STOP_KINDS.get(k, k), n) for k, n in sorted(
        stop_kinds.items(), key=lambda kv: (-kv[1], kv[0]))]
    out.outcomes = _outcomes(session, _of_requests(
        select(Adjudication.outcome, func.count()).where(Adjudication.outcome != "").group_by(Adjudication.outcome),
        Adjudication.request_id, filters))
    return out


def _outcomes(session: Session, stmt: Select) -> list[Tally]:
    """(outcome, count) rows as tallies, most frequent first, labelled from the case types' vocabularies."""
    found = session.execute(stmt).all()
    order = list(OUTCOME_LABELS)
    ranked = sorted(((str(k), int(n)) for k, n in found), key=lambda kv: (
        -kv[1], order.index(kv[0]) if kv[0] in order else len(order), kv[0]))
    return [Tally(k, OUTCOME_LABELS.get(k, k), n) for k, n in ranked]


# --- mediation ---------------------------------------------------------------------------------------------------

@dataclass
class MediationFigures:
    cases: int = 0
    pending: int = 0
    filed: int = 0  # the respondent agreed: mediating, agreed, closed or failed
    not_filed: int = 0
    agreements: int = 0
    failed: int = 0
    withdrawn: int = 0
    performed: int = 0  # closed: the agreement performed
    confirmation_requested: int = 0  # a party or the mediator asked the court to confirm the agreement
    confirmed: int = 0  # the court confirmed it (司法确认)
    amount: Decimal = field(default_factory=lambda: Decimal("0.00"))  # agreed: shown, not added
    by_mediator: list[Tally] = field(default_factory=list)  # cases, agreements

    @property
    def concluded(self) -> int:
        return self.agreements + self.failed

    @property
    def agreement_share(self) -> float | None:
        """Percent of the concluded mediations (agreement or none) that reached an agreement."""
        return _rate(self.agreements, self.concluded)


def mediation(session: Session, filters: Filters | None = None) -> MediationFigures:
    agreed = Mediation.agreed_on.is_not(None)
    counts = session.execute(_of_requests(select(
        func.count(), _flag(Mediation.state.in_(MED_PENDING)), _flag(Mediation.state.in_(MED_FILED) | agreed),
        _flag(Mediation.state == "not_filed"), _flag(agreed), _flag(Mediation.state == "failed"),
        _flag(Mediation.state == "withdrawn"), _flag(Mediation.state == "closed"),
        func.coalesce(func.sum(Mediation.amount), 0),
    ).select_from(Mediation), Mediation.request_id, filters)).one()
    out = MediationFigures(*(int(v or 0) for v in counts[:8]), amount=_yuan(counts[8]))
    for (confirmation,) in session.execute(_of_requests(select(Mediation.confirmation).where(agreed),
                                                        Mediation.request_id, filters)):
        asked = isinstance(confirmation, dict) and bool(confirmation.get("on") or confirmation.get("result"))
        out.confirmation_requested += asked
        out.confirmed += asked and confirmation.get("result") == "confirmed"
    rows = session.execute(_of_requests(select(Mediation.mediator_kind, func.count(), _flag(agreed))
                                        .group_by(Mediation.mediator_kind), Mediation.request_id, filters)).all()
    found = {k: (int(n), int(a)) for k, n, a in rows}
    out.by_mediator = [Tally(k, domain.MEDIATORS.get(k, k), *found.get(k, (0, 0)))
                       for k in [*domain.MEDIATORS, *sorted(k for k in found if k not in domain.MEDIATORS)]]
    return out


# --- fairs -------------------------------------------------------------------------------------------------------

def _aware(moment: datetime | None) -> datetime | None:
    """A stored instant as an aware one (SQLite gives it back naive, in UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass
class FairFigures:
    complaints: int = 0
    pending: int = 0
    notified: int = 0
    notified_within_24h: int = 0  # the respondent notified within 24 hours of the complaint
    statements: int = 0
    statements_in_time: int = 0  # within the respondent's 24 hours of notice (Guide Art 14)
    measures: int = 0
    measures_within_24h: int = 0  # measures taken within 24 hours of the complaint
    median_hours_to_measures: float | None = None
    infringing: int = 0
    closed: int = 0
    rejected: int = 0
    withdrawn: int = 0
    by_fair: list[Tally] = field(default_factory=list)  # complaints, measures

    @property
    def measures_share(self) -> float | None:
        """Percent of the measures taken within 24 hours of the complaint."""
        return _rate(self.measures_within_24h, self.measures)

    @property
    def notified_share(self) -> float | None:
        return _rate(self.notified_within_24h, self.notified)


def fairs(session: Session, filters: Filters | None = None) -> FairFigures:
    """The complaints at fairs of the selected requests: the hours count from the complaint's receipt (the
    request's received_at), day and night (the fair is open)."""
    out = FairFigures()
    hours, per_fair = [], Counter()
    measures_per_fair: Counter = Counter()
    for (fair_id, state, received_at, notified_at, statement_at, measures_at, infringing) in session.execute(
            _of_requests(select(FairComplaint.fair_id, FairComplaint.state, RightsRequest.received_at,
                                FairComplaint.notified_at, FairComplaint.statement_at, FairComplaint.measures_at,
                                FairComplaint.infringing)
                         .join(RightsRequest, RightsRequest.id == FairComplaint.request_id),
                         FairComplaint.request_id, filters)):
        received_at, notified_at = _aware(received_at), _aware(notified_at)
        statement_at, measures_at = _aware(statement_at), _aware(measures_at)
        out.complaints += 1
        per_fair[fair_id] += 1
        out.pending += state in FAIR_PENDING
        out.closed += state == "closed"
        out.rejected += state == "rejected"
        out.withdrawn += state == "withdrawn"
        out.infringing += bool(infringing)
        if notified_at is not None:
            out.notified += 1
            out.notified_within_24h += notified_at - received_at <= HOURS_24
            if statement_at is not None:
                out.statements += 1
                out.statements_in_time += statement_at <= domain.statement_deadline(notified_at)
        if measures_at is not None:
            out.measures += 1
            measures_per_fair[fair_id] += 1
            out.measures_within_24h += measures_at - received_at <= HOURS_24
            hours.append((measures_at - received_at).total_seconds() / 3600)
    out.median_hours_to_measures = _median(hours)
    names = dict(session.execute(select(Fair.id, Fair.name).where(Fair.id.in_(list(per_fair)))).all())
    out.by_fair = [Tally(str(k), names.get(k, str(k)), n, measures_per_fair[k])
                   for k, n in sorted(per_fair.items(), key=lambda kv: (-kv[1], names.get(kv[0], "")))]
    return out


# --- overseas guidance ---------------------------------------------------------------------------------------------

@dataclass
class OverseasFigures:
    cases: int = 0
    pending: int = 0
    closed: int = 0
    withdrawn: int = 0
    by_country: list[Tally] = field(default_factory=list)
    outcomes: list[Tally] = field(default_factory=list)


def country_name(code: str) -> str:
    """A country or region in Chinese and English (美国 United States), from CLDR; the code where unknown."""
    from babel import Locale

    zh, en = Locale("zh").territories.get(code), domain.territories().get(code)
    return f"{zh} {en}" if zh and en else code or "—"


def overseas(session: Session, filters: Filters | None = None) -> OverseasFigures:
    counts = session.execute(_of_requests(select(
        func.count(), _flag(OverseasCase.state.in_(("received", "guiding"))), _flag(OverseasCase.state == "closed"),
        _flag(OverseasCase.state == "withdrawn")).select_from(OverseasCase), OverseasCase.request_id, filters)).one()
    out = OverseasFigures(*(int(v or 0) for v in counts))
    rows = session.execute(_of_requests(select(OverseasCase.country, func.count()).group_by(OverseasCase.country),
                                        OverseasCase.request_id, filters)).all()
    out.by_country = [Tally(c, country_name(c), int(n)) for c, n in sorted(rows, key=lambda r: (-r[1], r[0]))]
    out.outcomes = _outcomes(session, _of_requests(
        select(OverseasCase.outcome, func.count()).where(OverseasCase.outcome != "").group_by(OverseasCase.outcome),
        OverseasCase.request_id, filters))
    return out


# --- outcomes, transfers, amounts --------------------------------------------------------------------------------

def outcomes(session: Session, filters: Filters | None = None) -> list[Tally]:
    """How the selected requests that ended ended (closed, declined, withdrawn), most frequent first."""
    return _outcomes(session, _where(
        select(RightsRequest.outcome, func.count())
        .where(RightsRequest.state.in_(("closed", "declined", "withdrawn")), RightsRequest.outcome != "")
        .group_by(RightsRequest.outcome), filters))


@dataclass
class TransferFigures:
    transfers: int = 0
    requests_transferred: int = 0
    routed_by_hand: int = 0
    requests: int = 0
    to_units: list[Tally] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        """Percent of the selected requests transferred at least once."""
        return _rate(self.requests_transferred, self.requests)


def transfers(session: Session, filters: Filters | None = None) -> TransferFigures:
    total, moved = session.execute(_of_requests(select(func.count(), func.count(distinct(Transfer.request_id))),
                                                Transfer.request_id, filters)).one()
    requests, by_hand = session.execute(_where(select(func.count(), _flag(RightsRequest.routed_by_hand.is_(True)))
                                               .select_from(RightsRequest), filters)).one()
    rows = session.execute(_of_requests(select(Unit.id, Unit.name_zh, func.count()).select_from(Transfer)
                                        .join(Unit, Unit.id == Transfer.to_unit_id).group_by(Unit.id, Unit.name_zh),
                                        Transfer.request_id, filters)).all()
    return TransferFigures(int(total or 0), int(moved or 0), int(by_hand or 0), int(requests or 0),
                           [Tally(str(i), name, int(n)) for i, name, n in sorted(rows, key=lambda r: (-r[2], r[1]))])


def amount_recovered(session: Session, filters: Filters | None = None) -> Decimal:
    """Yuan recovered for the selected requests: damages and settlements (the requests' amounts only)."""
    return _yuan(session.scalar(_where(select(func.coalesce(func.sum(RightsRequest.amount_recovered), 0))
                                       .select_from(RightsRequest), filters)))


# --- the dashboard -------------------------------------------------------------------------------------------------

@dataclass
class Board:
    """Everything the officials' dashboard (templates/rights/dashboard.html) shows. When the filters were refused
    `error` holds the DomainError, the form keeps what was typed and no figures are computed."""

    filters: Filters
    units: list[tuple[str, str]]  # the unit filter's choices: (id, name)
    districts: list[tuple[str, Msg | str]]
    on: date
    tables: list[Breakdown] = field(default_factory=list)
    stages: list[StageGroup] = field(default_factory=list)
    adjudication: AdjudicationFigures = field(default_factory=AdjudicationFigures)
    mediation: MediationFigures = field(default_factory=MediationFigures)
    fairs: FairFigures = field(default_factory=FairFigures)
    overseas: OverseasFigures = field(default_factory=OverseasFigures)
    outcomes: list[Tally] = field(default_factory=list)
    transfers: TransferFigures = field(default_factory=TransferFigures)
    amount: Decimal = field(default_factory=lambda: Decimal("0.00"))
    period: tuple[date | None, date | None] = (None, None)
    error: DomainError | None = None

    rights = domain.RIGHTS
    kinds = domain.REQUEST_KINDS

    def table(self, key: str) -> Breakdown:
        found = next((t for t in self.tables if t.key == key), None)
        return found or Breakdown(key, TABLES[key], [], _total([]))

    @property
    def total(self) -> Row:
        """All the selected requests (every request has one kind)."""
        return self.table("kind").total

    @property
    def first_response(self) -> Stage | None:
        return self.stages[0].stages[0] if self.stages else None

    def export_query(self) -> str:
        return self.filters.query(format="xlsx")


def unit_choices(session: Session) -> list[tuple[str, str]]:
    """The units requests are or were with (the unit filter's choices), by name."""
    ids = select(Case.assigned_unit_id).join(RightsRequest, RightsRequest.case_id == Case.id).distinct()
    return [(str(i), n) for i, n in session.execute(
        select(Unit.id, Unit.name_zh).where(Unit.id.in_(ids)).order_by(Unit.name_zh))]


def district_choices() -> list[tuple[str, Msg | str]]:
    """The districts of the city, then online and the fairs (the district filter's choices)."""
    try:
        codes = regions().children(CITY)
    except Exception:  # noqa: BLE001 - the shipped tables could not be read: online and fairs still filter
        codes = []
    return [*((c, place_name(c)) for c in codes), (domain.ONLINE, domain.WHERE[domain.ONLINE]),
            (domain.FAIR, domain.WHERE[domain.FAIR])]


def dashboard(session: Session, filters: Filters | None = None, on: date | None = None) -> Board:
    """The network's dashboard for the filters, the clocks read as of `on` (today). Refused filters do not raise:
    the board carries the error and no figures."""
    filters = filters or Filters()
    on = on or today()
    board = Board(filters, unit_choices(session), district_choices(), on)
    try:
        filters.checked()
    except DomainError as exc:
        board.error = exc
        return board
    board.period = filters.period()
    board.tables = [make(session, filters) for make in BREAKDOWNS.values()]
    board.stages = stage_groups(session, filters, on)
    board.adjudication = adjudication(session, filters, on)
    board.mediation = mediation(session, filters)
    board.fairs = fairs(session, filters)
    board.overseas = overseas(session, filters)
    board.outcomes = outcomes(session, filters)
    board.transfers = transfers(session, filters)
    board.amount = amount_recovered(session, filters)
    return board


# --- the public report -------------------------------------------------------------------------------------------

@dataclass
class Report:
    """The yearly public report (no party names, no units' workloads): requests by kind, right, district and month,
    the clocks met, outcomes and amounts recovered. `years`: the years with requests, for the year's choice."""

    year: int
    years: list[int]
    tables: list[Breakdown]
    first_response: Stage
    adjudication: AdjudicationFigures
    mediation: MediationFigures
    fairs: FairFigures
    overseas: OverseasFigures
    outcomes: list[Tally]
    amount: Decimal
    on: date

    def table(self, key: str) -> Breakdown:
        return next(t for t in self.tables if t.key == key)

    @property
    def total(self) -> Row:
        return self.table("kind").total


def report_years(session: Session) -> list[int]:
    """The years with requests, newest first (this year always)."""
    first = session.scalar(select(func.min(RightsRequest.received_on)))
    this = today().year
    return list(range(this, (first.year if first and first.year < this else this) - 1, -1))


def report_year(text: str | None, years: list[int]) -> int:
    """The year asked for (YYYY), this year when none; DomainError on another text or a year out of range."""
    value = str(text or "").strip()
    if not value:
        return years[0]
    if not value.isdigit() or int(value) not in years:
        raise DomainError(Msg("Choose a year from the list"), field="year")
    return int(value)


def public_report(session: Session, year: int, on: date | None = None) -> Report:
    on = on or today()
    filters = Filters.year(year)
    return Report(year, report_years(session), [BREAKDOWNS[k](session, filters) for k in PUBLIC_TABLES],
                  first_response(session, filters, on), adjudication(session, filters, on),
                  mediation(session, filters), fairs(session, filters), overseas(session, filters),
                  outcomes(session, filters), amount_recovered(session, filters), on)


# --- computed once per data version ---------------------------------------------------------------------------

CACHE = VersionedCache(max_entries=32)


def _database(session: Session) -> str:
    """Which database the figures are of (a process may serve several: the tests do)."""
    return str(session.get_bind().url)


def board_of(session: Session, filters: Filters) -> Board:
    """The dashboard for the filters, computed once per data version, database and day (every change writes an
    audit entry, so a new request or step is seen on the next page)."""
    key = ("board", _database(session), tuple(sorted(vars(filters).items())), today())
    return CACHE.get(key, data_version(session), lambda: dashboard(session, filters))


def dashboard_html(session: Session, templates, filters: Filters) -> Markup:
    """The dashboard's body rendered once per data version, database, filters, day and language: the page around
    it is the only per-request work."""
    def body() -> Markup:
        return Markup(templates.get_template("rights/dashboard_body.html").render(board=board_of(session, filters)))

    key = ("html", _database(session), tuple(sorted(vars(filters).items())), today(), current_locale.get())
    return CACHE.get(key, data_version(session), body)


def report_of(session: Session, year: int) -> Report:
    """The public report of `year`, computed once per data version, database and day: anyone may ask for it."""
    key = ("report", _database(session), year, today())
    return CACHE.get(key, data_version(session), lambda: public_report(session, year))


# --- exports -------------------------------------------------------------------------------------------------------

def _zh(label: Msg | str) -> str:
    return label.render("zh_Hans") if isinstance(label, Msg) else str(label)


def _table_rows(t: Breakdown) -> list[list]:
    rows = [[r.key, _zh(r.label), *r.counts()] for r in t.rows]
    rows.append(["", "合计 Total", *t.total.counts()])
    return rows


STAGE_HEADER = ["案件类型 Case type", "环节代码 Stage key", "环节 Stage", "时限 Limit", "计时单位 Unit",
                "完成次数 Finished", "按期 On time", "按期率% On-time share", "进行中 Running", "已超期 Overdue now",
                "中位工作日 Median working days", "平均工作日 Mean working days", "中位自然日 Median calendar days",
                "平均自然日 Mean calendar days"]


def _stage_row(group_label: Msg | str, s: Stage) -> list:
    return [_zh(group_label), s.key, _zh(s.label), "" if s.limit is None else s.limit, _zh(s.unit_label), s.finished,
            "" if s.period else s.on_time, s.on_time_share, s.running, s.overdue, s.median_working_days,
            s.mean_working_days, s.median_calendar_days, s.mean_calendar_days]


def _figure_rows(adj: AdjudicationFigures, med: MediationFigures, fair: FairFigures, ovs: OverseasFigures,
                 amount: Decimal) -> list[tuple]:
    return [
        ("挽回经济损失（元） Amount recovered (yuan)", amount),
        ("行政裁决 收件 Adjudications", adj.cases),
        ("行政裁决 立案 Filed", adj.filed),
        ("行政裁决 不予立案 Not filed", adj.not_filed),
        ("行政裁决 已裁决 Decided", adj.decided),
        ("行政裁决 期限内裁决 Decided within the time limit", adj.decided_on_time),
        ("行政裁决 期限内裁决率% Share decided within the time limit", adj.on_time_share),
        ("行政裁决 立案至裁决中位天数 Median days from filing to decision", adj.median_days_to_decision),
        ("行政裁决 撤回或和解结案 Ended by settlement, mediation or withdrawal", adj.ended),
        ("行政裁决 延长期限案件 Cases extended", adj.with_extensions),
        ("行政裁决 本部门负责人批准延长 Extended by the department head", adj.extensions_head),
        ("行政裁决 上一级部门批准延长 Extended by the next-level department", adj.extensions_next_level),
        ("行政裁决 期限中止案件 Cases with periods that do not count", adj.with_stops),
        ("行政裁决 中止计算天数 Days not counted", adj.stopped_days),
        ("纠纷调解 收件 Mediations", med.cases),
        ("纠纷调解 立案 Filed", med.filed),
        ("纠纷调解 达成协议 Agreements", med.agreements),
        ("纠纷调解 调解不成 No agreement", med.failed),
        ("纠纷调解 调解成功率% Share of agreements", med.agreement_share),
        ("纠纷调解 申请司法确认 Judicial confirmation requested", med.confirmation_requested),
        ("纠纷调解 司法确认 Judicially confirmed", med.confirmed),
        ("展会投诉 收件 Complaints at fairs", fair.complaints),
        ("展会投诉 24小时内通知被投诉人 Respondent notified within 24 hours", fair.notified_within_24h),
        ("展会投诉 采取处置措施 Measures taken", fair.measures),
        ("展会投诉 24小时内处置 Measures within 24 hours of the complaint", fair.measures_within_24h),
        ("展会投诉 24小时内处置率% Share of measures within 24 hours", fair.measures_share),
        ("展会投诉 认定侵权 Found infringing", fair.infringing),
        ("海外纠纷应对指导 收件 Overseas guidance cases", ovs.cases),
        ("海外纠纷应对指导 办结 Closed", ovs.closed),
    ]


def _tally_sheet(tallies: list[Tally], header: list[str], extra: bool = False) -> tuple[list[str], list[list]]:
    return header, [[t.key, _zh(t.label), t.count, *([t.extra] if extra else [])] for t in tallies]


def sheets(board: Board) -> dict:
    """The dashboard as worksheets, Chinese headers with the English beside them, for web.export.xlsx_response. A
    board whose filters were refused raises their DomainError (no file of empty tables)."""
    if board.error is not None:
        raise board.error
    out: dict = {}
    for t in board.tables:
        out[SHEET_TITLES[t.key]] = ([*SHEET_HEADERS[t.key], *COUNT_HEADER], _table_rows(t))
    out["各环节用时 Time per stage"] = (STAGE_HEADER, [_stage_row(g.label, s) for g in board.stages for s in g.stages])
    out["专门程序 Cases"] = (["项目 Item", "值 Value"], _figure_rows(
        board.adjudication, board.mediation, board.fairs, board.overseas, board.amount))
    out["结果 Outcomes"] = _tally_sheet(board.outcomes, ["结果代码 Outcome key", "结果 Outcome", "件数 Requests"])
    out["裁决结果 Decisions"] = _tally_sheet(board.adjudication.outcomes,
                                         ["结果代码 Outcome key", "结果 Outcome", "件数 Cases"])
    out["调解主体 Mediators"] = _tally_sheet(board.mediation.by_mediator, [
        "代码 Key", "调解主体 Mediator", "件数 Cases", "达成协议 Agreements"], extra=True)
    out["展会 Fairs"] = _tally_sheet(board.fairs.by_fair, ["展会编号 Fair id", "展会 Fair", "投诉 Complaints",
                                                         "处置 Measures"], extra=True)
    out["海外 Overseas"] = _tally_sheet(board.overseas.by_country, [
        "国家或地区代码 Code", "国家或地区 Country or region", "件数 Cases"])
    tr = board.transfers
    out["移送 Transfers"] = (["项目 Item", "值 Value"], [
        ("移送次数 Transfers", tr.transfers), ("移送的请求 Requests transferred", tr.requests_transferred),
        ("移送比例% Share transferred", tr.share), ("人工分派 Routed by hand", tr.routed_by_hand),
        *((f"移入 To {t.label}", t.count) for t in tr.to_units)])
    start, end = board.period
    out["说明 About"] = (["项目 Item", "值 Value"], [
        ("统计日期 As of", board.on.isoformat()),
        ("收件日期自 Received from", start.isoformat() if start else "—"),
        ("收件日期至 Received to", end.isoformat() if end else "—"),
        ("单位 Unit", dict(board.units).get(board.filters.unit, "全部 All") if board.filters.unit else "全部 All"),
        ("区 District", _zh(dict(board.districts).get(board.filters.district, board.filters.district))
         if board.filters.district else "全部 All"),
        ("权利 Right", _zh(domain.RIGHTS[board.filters.right]) if board.filters.right else "全部 All"),
        ("事项 Kind", _zh(domain.REQUEST_KINDS[board.filters.kind]) if board.filters.kind else "全部 All"),
        ("挽回金额 Amount", "仅计请求的挽回金额，不重复计入裁决、调解金额 requests' amounts only, never added twice"),
        ("按时 On time", "计时在到期日或之前停止 the clock stopped on or before its due day"),
        ("月份 Months", "北京时间 Beijing time (UTC+8)")])
    return out


def workbook(session: Session, filters: Filters | None = None, on: date | None = None) -> bytes:
    return workbook_bytes(sheets(dashboard(session, filters, on)))


def report_sheets(rep: Report) -> dict:
    """The public report as worksheets (no party names: counts only)."""
    out: dict = {}
    for t in rep.tables:
        out[SHEET_TITLES[t.key]] = ([*SHEET_HEADERS[t.key], *COUNT_HEADER], _table_rows(t))
    out["时限 Clocks"] = (STAGE_HEADER, [_stage_row(casetypes.request_type().label, rep.first_response)])
    out["专门程序 Cases"] = (["项目 Item", "值 Value"], _figure_rows(
        rep.adjudication, rep.mediation, rep.fairs, rep.overseas, rep.amount))
    out["结果 Outcomes"] = _tally_sheet(rep.outcomes, ["结果代码 Outcome key", "结果 Outcome", "件数 Requests"])
    out["说明 About"] = (["项目 Item", "值 Value"], [
        ("年度 Year", rep.year), ("统计日期 As of", rep.on.isoformat()),
        ("月份 Months", "北京时间 Beijing time (UTC+8)")])
    return out


CSV_HEADER = ["表 Table", "代码 Key", "项目 Item", "指标 Measure", "值 Value"]
_MEASURES = ["收件 Received", "办理中 Pending", "办结 Closed", "不予受理 Declined", "撤回 Withdrawn",
             "转入专门程序 Taken on as a case", "挽回金额（元） Amount recovered (yuan)", "首次响应 First responses",
             "按时响应 On time", "按时率% On-time share"]


def report_csv_rows(rep: Report) -> list[list]:
    """The public report as one long table (table, key, item, measure, value), for a CSV file."""
    rows: list[list] = []
    for t in rep.tables:
        title = SHEET_TITLES[t.key]
        for r in [*t.rows, t.total]:
            label = "合计 Total" if r is t.total else _zh(r.label)
            rows += [[title, r.key, label, m, v] for m, v in zip(_MEASURES, r.counts(), strict=True)]
    fr = rep.first_response
    rows += [["时限 Clocks", fr.key, _zh(fr.label), m, v] for m, v in (
        ("完成次数 Finished", fr.finished), ("按期 On time", fr.on_time), ("按期率% On-time share", fr.on_time_share),
        ("中位工作日 Median working days", fr.median_working_days))]
    rows += [["专门程序 Cases", "", item, "", v] for item, v in _figure_rows(
        rep.adjudication, rep.mediation, rep.fairs, rep.overseas, rep.amount)]
    rows += [["结果 Outcomes", t.key, _zh(t.label), "件数 Requests", t.count] for t in rep.outcomes]
    return rows


# --- figures for plan supervision ------------------------------------------------------------------------------------

def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants of Beijing midnight starting `start` and ending `end` (exclusive)."""
    def instant(day: date) -> datetime:
        return datetime.combine(day, time(), CHINA_TZ).astimezone(UTC)

    return instant(start), instant(end + timedelta(days=1))


def _count(session: Session, stmt: Select) -> int:
    return int(session.scalar(stmt) or 0)


def _percent_figure(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / whole).quantize(Decimal("0.01"), ROUND_HALF_UP) if whole else Decimal("0.00")


PER_CENT, YUAN = Msg("per cent"), Msg("yuan")


def plan_figures_7(session: Session, start: date, end: date) -> list[Figure]:
    """Plan item 7 (full-chain protection: administrative adjudication, the links between adjudication, mediation
    and the courts, the rights-assistance network "one network for the city"), from `start` to `end`, both days
    included: requests received; the first responses given in the period and the share within the commitment;
    transfers between units; adjudications filed and decided, the share decided within the time limit;
    mediation agreements and their share of the mediations concluded; requests closed and the amount recovered
    for them."""
    in_period = RightsRequest.received_on.between(start, end)
    received = _count(session, select(func.count()).select_from(RightsRequest).where(in_period))
    runs = session.execute(select(func.count(), _flag(CaseDeadline.stopped_on <= CaseDeadline.due_on))
                           .select_from(CaseDeadline).join(RightsRequest, RightsRequest.case_id == CaseDeadline.case_id)
                           .where(CaseDeadline.rule_key == FIRST_RESPONSE, CaseDeadline.stopped_on.between(start, end),
                                  _not_withdrawn_before_response())).one()
    responses, responded_in_time = int(runs[0] or 0), int(runs[1] or 0)
    low, high = _bounds(start, end)
    moved = _count(session, select(func.count()).select_from(Transfer).where(Transfer.at >= low, Transfer.at < high))
    filed = _count(session, select(func.count()).select_from(Adjudication).where(
        Adjudication.filed_on.between(start, end)))
    calendar = cal.load(session)
    decided = decided_in_time = 0
    for filed_on, decided_on, due, extensions, stops in session.execute(select(
            Adjudication.filed_on, Adjudication.decided_on, Adjudication.decision_due, Adjudication.extensions,
            Adjudication.stops).where(Adjudication.decided_on.between(start, end), Adjudication.filed_on.is_not(None))):
        decided += 1
        limit = decided_due(filed_on, extensions, stops, due, calendar)
        decided_in_time += limit is not None and decided_on <= limit
    agreements = _count(session, select(func.count()).select_from(Mediation).where(
        Mediation.agreed_on.between(start, end)))
    failed = _count(session, select(func.count()).select_from(Mediation).where(
        Mediation.state == "failed", Mediation.closed_on.between(start, end)))
    closed, amount = session.execute(select(func.count(), func.coalesce(func.sum(RightsRequest.amount_recovered), 0))
                                     .where(RightsRequest.state == "closed",
                                            RightsRequest.closed_on.between(start, end))).one()
    return [
        Figure(Msg("Requests received by the rights-protection network"), received, SOURCE),
        Figure(Msg("First responses within the unit's commitment ({on_time} of {total})", on_time=responded_in_time,
                   total=responses), _percent_figure(responded_in_time, responses), SOURCE, PER_CENT),
        Figure(Msg("Requests transferred between units (移送)"), moved, SOURCE),
        Figure(Msg("Administrative adjudications filed (立案)"), filed, SOURCE),
        Figure(Msg("Adjudications decided within the time limit ({on_time} of {total})", on_time=decided_in_time,
                   total=decided), _percent_figure(decided_in_time, decided), SOURCE, PER_CENT),
        Figure(Msg("Mediation agreements reached (调解协议)"), agreements, SOURCE),
        Figure(Msg("Share of mediations concluded with an agreement ({agreed} of {total})", agreed=agreements,
                   total=agreements + failed), _percent_figure(agreements, agreements + failed), SOURCE, PER_CENT),
        Figure(Msg("Requests closed (办结)"), int(closed or 0), SOURCE),
        Figure(Msg("Amount recovered for the requests closed"), _yuan(amount), SOURCE, YUAN),
    ]


def plan_figures_8(session: Session, start: date, end: date) -> list[Figure]:
    """Plan item 8 (overseas rights assistance, the overseas dispute guidance centre): guidance requests received
    and countries or regions concerned, guidance cases closed, risk alerts published, cases added to the dispute
    library, and the amount recovered for the overseas requests closed, from `start` to `end`."""
    overseas_in_period = and_(RightsRequest.kind == domain.OVERSEAS, RightsRequest.received_on.between(start, end))
    received, countries = session.execute(select(func.count(), func.count(distinct(RightsRequest.country)))
                                          .where(overseas_in_period)).one()
    closed = _count(session, select(func.count()).select_from(OverseasCase).where(
        OverseasCase.closed_on.between(start, end)))
    low, high = _bounds(start, end)
    alerts = _count(session, select(func.count()).select_from(RiskAlert).where(
        RiskAlert.published_at >= low, RiskAlert.published_at < high))
    library = _count(session, select(func.count()).select_from(LibraryEntry).where(
        LibraryEntry.added_at >= low, LibraryEntry.added_at < high, LibraryEntry.published.is_(True)))
    amount = session.scalar(select(func.coalesce(func.sum(RightsRequest.amount_recovered), 0)).where(
        RightsRequest.kind == domain.OVERSEAS, RightsRequest.state == "closed",
        RightsRequest.closed_on.between(start, end)))
    return [
        Figure(Msg("Overseas dispute guidance requests received"), int(received or 0), SOURCE),
        Figure(Msg("Countries and regions of the overseas disputes"), int(countries or 0), SOURCE),
        Figure(Msg("Overseas guidance cases closed"), closed, SOURCE),
        Figure(Msg("Overseas IP risk alerts published (风险预警)"), alerts, SOURCE),
        Figure(Msg("Cases added to the overseas dispute library"), library, SOURCE),
        Figure(Msg("Amount recovered for the overseas requests closed"), _yuan(amount), SOURCE, YUAN),
    ]


def plan_figures_21(session: Session, start: date, end: date) -> list[Figure]:
    """Plan item 21 (IP services at the major fairs: CIIE and the others): fairs served in the period, exhibitors'
    IP undertakings signed, complaints at fairs received, measures taken and the share taken within 24 hours of
    the complaint, exhibitors found infringing, from `start` to `end`."""
    fairs_served = _count(session, select(func.count()).select_from(Fair).where(
        Fair.first_day <= end, Fair.last_day >= start))
    low, high = _bounds(start, end)
    signed = _count(session, select(func.count()).select_from(Undertaking).where(
        Undertaking.signed_at >= low, Undertaking.signed_at < high))
    complaints = _count(session, select(func.count()).select_from(FairComplaint)
                        .join(RightsRequest, RightsRequest.id == FairComplaint.request_id)
                        .where(RightsRequest.received_on.between(start, end)))
    measures = within = 0
    for received_at, measures_at in session.execute(
            select(RightsRequest.received_at, FairComplaint.measures_at)
            .join(RightsRequest, RightsRequest.id == FairComplaint.request_id)
            .where(FairComplaint.measures_at >= low, FairComplaint.measures_at < high)):
        measures += 1
        within += _aware(measures_at) - _aware(received_at) <= HOURS_24
    infringing = _count(session, select(func.count()).select_from(FairComplaint).where(
        FairComplaint.infringing.is_(True), FairComplaint.closed_at >= low, FairComplaint.closed_at < high))
    return [
        Figure(Msg("Fairs served by the network's desks"), fairs_served, SOURCE),
        Figure(Msg("Exhibitors' IP undertakings signed (知识产权承诺书)"), signed, SOURCE),
        Figure(Msg("Complaints at fairs received (展会投诉)"), complaints, SOURCE),
        Figure(Msg("Measures taken at fairs (covered or withdrawn exhibits, links taken down)"), measures, SOURCE),
        Figure(Msg("Measures taken within 24 hours of the complaint ({within} of {total})", within=within,
                   total=measures), _percent_figure(within, measures), SOURCE, PER_CENT),
        Figure(Msg("Complaints closed with the exhibitor found infringing"), infringing, SOURCE),
    ]


def plan_figures_25(session: Session, start: date, end: date) -> list[Figure]:
    """Plan item 25 (the WIPO Arbitration and Mediation Center, Shanghai and the Shanghai arbitration bodies as a
    place to resolve international IP disputes): mediations referred to them and the agreements they reached,
    from `start` to `end`."""
    bodies = (domain.WIPO_AMC, domain.ARBITRATION)
    referred = _count(session, select(func.count()).select_from(Mediation).where(
        Mediation.mediator_kind.in_(bodies), Mediation.received_on.between(start, end)))
    agreed = _count(session, select(func.count()).select_from(Mediation).where(
        Mediation.mediator_kind.in_(bodies), Mediation.agreed_on.between(start, end)))
    return [
        Figure(Msg("Disputes referred to the WIPO Center in Shanghai or a Shanghai arbitration body"), referred,
               SOURCE),
        Figure(Msg("Agreements reached there"), agreed, SOURCE),
    ]


PLAN_FIGURES = {7: plan_figures_7, 8: plan_figures_8, 21: plan_figures_21, 25: plan_figures_25}
