"""Filing trend and technology life cycle (GB/T 39551, rules.md §7: "technology and patent trends").

Counts are per application (`NavRecord`), by 申请年 (app_year) and by first 公开年 (pub_year).
Recent years are never final: an invention application is published 18 months after its filing
(or priority) date (Patent Law Art 34), so when the data were pulled in `data_year`, filings of
`data_year - 1` and `data_year` are still largely unpublished and undercounted. `incomplete_from`
says so, and the growth figures that summarise a trend (CAGR, the life-cycle window) stop before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ipcity.navigation.model import NavRecord

# Inventions publish 18 months after filing (Patent Law Art 34): the filing year before the data year
# is the first one whose counts are not final.
PUBLICATION_LAG_YEARS = 1


def year_span(years: Iterable[int], start_year: int | None = None, end_year: int | None = None) -> list[int]:
    """The continuous range of years from `start_year` (default: the earliest of `years`) to `end_year`
    (default: the latest); [] when there is nothing to span."""
    present = [y for y in years if y is not None]
    start = start_year if start_year is not None else min(present, default=None)
    end = end_year if end_year is not None else max(present, default=None)
    if start is None or end is None or start > end:
        return []
    return list(range(start, end + 1))


def incomplete_year(data_year: int | None) -> int | None:
    """The first filing year whose counts are not final for data pulled in `data_year` (None: not known)."""
    return None if data_year is None else data_year - PUBLICATION_LAG_YEARS


@dataclass
class Trend:
    years: list[int]
    applications: list[int]  # by app_year, one per year
    publications: list[int]  # by pub_year, one per year
    # applications year over year, (a_t - a_{t-1}) / a_{t-1}; None for the first year and where a_{t-1} = 0
    growth: list[float | None]
    cagr: float | None  # compound annual growth of applications from cagr_start to cagr_end
    cagr_start: int | None
    cagr_end: int | None  # the last complete year (before incomplete_from) within the range
    incomplete_from: int | None  # first year whose counts are not final (data_year - 1); None without data_year
    total: int  # records passed in
    without_app_year: int  # records with no app_year (in no year's count)


def cagr(first: int, last: int, periods: int) -> float | None:
    """(last / first) ** (1 / periods) - 1; None when it is undefined (no periods, or nothing at the start)."""
    if periods < 1 or first <= 0:
        return None
    return (last / first) ** (1 / periods) - 1


def filing_trend(records: Sequence[NavRecord], start_year: int | None = None, end_year: int | None = None,
                 data_year: int | None = None) -> Trend:
    """Applications and publications per year over a continuous range (missing years are 0).

    The range defaults to the earliest to the latest application or publication year. CAGR is taken
    from the first year of the range to the last complete one (the year before `incomplete_from`, or
    the end of the range when `data_year` is not given)."""
    by_app = Counter(r.app_year for r in records)
    by_pub = Counter(r.pub_year for r in records)
    without = by_app.pop(None, 0)
    by_pub.pop(None, None)
    years = year_span([*by_app, *by_pub], start_year, end_year)
    applications = [by_app.get(y, 0) for y in years]
    publications = [by_pub.get(y, 0) for y in years]
    growth: list[float | None] = [None]
    for prev, cur in zip(applications, applications[1:], strict=False):
        growth.append((cur - prev) / prev if prev else None)
    growth = growth[:len(years)]

    incomplete_from = incomplete_year(data_year)
    cagr_start = cagr_end = None
    rate = None
    if years:
        last_complete = years[-1] if incomplete_from is None else min(years[-1], incomplete_from - 1)
        if last_complete >= years[0]:
            cagr_start, cagr_end = years[0], last_complete
            rate = cagr(by_app.get(cagr_start, 0), by_app.get(cagr_end, 0), cagr_end - cagr_start)
    return Trend(years, applications, publications, growth, rate, cagr_start, cagr_end, incomplete_from,
                 len(records), without)


# -- life cycle ------------------------------------------------------------------------------------

EMERGING, GROWTH, MATURITY, DECLINE, RECOVERY = "emerging", "growth", "maturity", "decline", "recovery"
STAGE_LABELS: dict[str, tuple[str, str]] = {
    EMERGING: ("技术萌芽期", "Emerging"),
    GROWTH: ("技术发展期", "Growth"),
    MATURITY: ("技术成熟期", "Maturity"),
    DECLINE: ("技术衰退期", "Decline"),
    RECOVERY: ("技术复苏期", "Recovery"),
}

# The stage rule looks at the last LIFE_CYCLE_WINDOW complete years (fewer if the series is shorter,
# but at least LIFE_CYCLE_MIN_YEARS; otherwise no stage). For applications and for applicants it takes the
# least-squares slope over the window divided by the window mean: the relative change per year.
LIFE_CYCLE_WINDOW = 5
LIFE_CYCLE_MIN_YEARS = 3
RISING = 0.10  # relative slope >= +10 % a year: rising
FALLING = -0.10  # relative slope <= -10 % a year: falling
# A field is still emerging while it is small: fewer than this many applications, or distinct applicants,
# in the whole window.
EMERGING_MAX_APPLICATIONS = 50
EMERGING_MAX_APPLICANTS = 10
# Recovery: rising again after a dip. Before the window there was a peak at least RECOVERY_PEAK_RATIO of the
# window's highest year, and after that peak (up to the window's first year) filings fell by at least
# RECOVERY_DIP of the peak.
RECOVERY_PEAK_RATIO = 0.5
RECOVERY_DIP = 0.30


@dataclass
class LifeCycle:
    years: list[int]
    applications: list[int]  # by app_year
    applicants: list[int]  # distinct applicants filing that year
    stage: str | None  # EMERGING / GROWTH / MATURITY / DECLINE / RECOVERY; None when the window is too short
    window: list[int]  # the complete years the stage was decided on ([] when none)
    applications_slope: float | None  # relative slope per year over the window
    applicants_slope: float | None
    incomplete_from: int | None


def relative_slope(values: Sequence[int]) -> float | None:
    """Least-squares slope of values against 0, 1, 2 … divided by their mean; None for < 2 values or mean 0."""
    n = len(values)
    if n < 2:
        return None
    mean = sum(values) / n
    if mean == 0:
        return None
    mid = (n - 1) / 2
    slope = sum((i - mid) * v for i, v in enumerate(values)) / sum((i - mid) ** 2 for i in range(n))
    return slope / mean


def life_cycle(records: Sequence[NavRecord], start_year: int | None = None, end_year: int | None = None,
               data_year: int | None = None, window: int = LIFE_CYCLE_WINDOW) -> LifeCycle:
    """Applications and distinct applicants per year, and the stage of the technology.

    Stage rule (first match wins), on the window of the last `window` complete years:
      1. fewer than LIFE_CYCLE_MIN_YEARS complete years, or no filings in them → None;
      2. applications falling (slope <= FALLING) → decline;
      3. small (window applications < EMERGING_MAX_APPLICATIONS or window applicants < EMERGING_MAX_APPLICANTS)
         → emerging;
      4. applications and applicants both rising (>= RISING) → recovery after a dip (see RECOVERY_*), else growth;
      5. otherwise (filings flat or rising while the number of players does not grow) → maturity.
    """
    apps_by_year: Counter[int] = Counter()
    names_by_year: dict[int, set[str]] = {}
    for r in records:
        year = r.app_year
        if year is None:
            continue
        apps_by_year[year] += 1
        if r.applicants:
            names = names_by_year.get(year)
            if names is None:
                names = names_by_year[year] = set()
            names.update(r.applicants)
    years = year_span(apps_by_year, start_year, end_year)
    applications = [apps_by_year.get(y, 0) for y in years]
    applicants = [len(names_by_year.get(y, ())) for y in years]
    incomplete_from = incomplete_year(data_year)

    complete = [y for y in years if incomplete_from is None or y < incomplete_from]
    span = complete[-window:] if window > 0 else []
    empty = LifeCycle(years, applications, applicants, None, [], None, None, incomplete_from)
    if len(span) < LIFE_CYCLE_MIN_YEARS:
        return empty
    win_apps = [apps_by_year.get(y, 0) for y in span]
    win_names = [len(names_by_year.get(y, ())) for y in span]
    ga, gn = relative_slope(win_apps), relative_slope(win_names)
    if ga is None:
        return empty
    stage = _stage(ga, gn, span, win_apps, names_by_year, apps_by_year, years)
    return LifeCycle(years, applications, applicants, stage, span, ga, gn, incomplete_from)


def _stage(ga: float, gn: float | None, span: list[int], win_apps: list[int], names_by_year: dict[int, set[str]],
           apps_by_year: Counter[int], years: list[int]) -> str:
    if ga <= FALLING:
        return DECLINE
    window_applicants = len(set().union(*(names_by_year.get(y, set()) for y in span)))
    if sum(win_apps) < EMERGING_MAX_APPLICATIONS or window_applicants < EMERGING_MAX_APPLICANTS:
        return EMERGING
    if ga >= RISING and gn is not None and gn >= RISING:
        return RECOVERY if _dipped(apps_by_year, years, span, max(win_apps)) else GROWTH
    return MATURITY


def _dipped(apps_by_year: Counter[int], years: list[int], span: list[int], window_high: int) -> bool:
    """Whether an earlier peak (>= RECOVERY_PEAK_RATIO of the window's high) was followed by a fall of
    at least RECOVERY_DIP before the window began to rise."""
    before = [y for y in years if y < span[0]]
    if not before:
        return False
    peak_year = max(before, key=lambda y: (apps_by_year.get(y, 0), y))  # the latest of equal peaks
    peak = apps_by_year.get(peak_year, 0)
    if peak < RECOVERY_PEAK_RATIO * window_high:
        return False
    trough = min(apps_by_year.get(y, 0) for y in range(peak_year, span[0] + 1))
    return trough <= (1 - RECOVERY_DIP) * peak
