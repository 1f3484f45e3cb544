"""Filing trend and life cycle, against counts worked out by hand."""

from __future__ import annotations

import pytest

from ipcity.navigation.analyses.trend import (
    DECLINE,
    EMERGING,
    GROWTH,
    MATURITY,
    RECOVERY,
    STAGE_LABELS,
    LifeCycle,
    Trend,
    filing_trend,
    life_cycle,
    relative_slope,
    year_span,
)
from tests.navigation.fixtures import rec, round_trip, series


@pytest.fixture
def records():
    # applications by app_year: 2015:2, 2016:0, 2017:4, 2018:3, 2019:1
    # publications by pub_year: 2016:2, 2018:4+1 (the +1 has no app_year), 2019:3, 2020:1
    rows = [(2015, 2016)] * 2 + [(2017, 2018)] * 4 + [(2018, 2019)] * 3 + [(2019, 2020)] + [(None, 2018)]
    return [rec(i, app_year=a, pub_year=p) for i, (a, p) in enumerate(rows)]


def test_counts_fill_gaps_and_growth(records):
    t = filing_trend(records)
    assert t.years == [2015, 2016, 2017, 2018, 2019, 2020]  # earliest to latest of app and pub years
    assert t.applications == [2, 0, 4, 3, 1, 0]
    assert t.publications == [0, 2, 0, 5, 3, 1]
    # growth: first None; (0-2)/2 = -1; previous 0 → None; (3-4)/4; (1-3)/3; (0-1)/1
    assert t.growth == [None, -1.0, None, -0.25, pytest.approx(-2 / 3), -1.0]
    assert t.total == 11 and t.without_app_year == 1
    # no data_year: CAGR over the whole range 2015→2020, (0/2)^(1/5) - 1 = -1
    assert (t.cagr_start, t.cagr_end, t.cagr, t.incomplete_from) == (2015, 2020, -1.0, None)


def test_data_year_marks_recent_years_incomplete(records):
    t = filing_trend(records, data_year=2020)
    assert t.incomplete_from == 2019  # Patent Law Art 34: 18 months to publication
    # CAGR stops at the last complete year: (3/2)^(1/3) - 1 from 2015 to 2018
    assert (t.cagr_start, t.cagr_end) == (2015, 2018)
    assert t.cagr == pytest.approx(1.5 ** (1 / 3) - 1)
    # a data year before the range leaves no complete year
    early = filing_trend(records, data_year=2015)
    assert early.incomplete_from == 2014 and early.cagr is None and early.cagr_start is None


def test_explicit_range(records):
    t = filing_trend(records, start_year=2017, end_year=2018)
    assert (t.years, t.applications, t.publications) == ([2017, 2018], [4, 3], [0, 5])
    assert t.growth == [None, -0.25] and t.cagr == pytest.approx(-0.25)  # (3/4)^1 - 1
    assert filing_trend(records, start_year=2016, end_year=2018).cagr is None  # starts at 0: undefined
    wide = filing_trend(records, start_year=2013, end_year=2021)
    assert wide.years[0] == 2013 and wide.applications[:2] == [0, 0] and wide.applications[-1] == 0


def test_empty_and_single_year():
    t = filing_trend([])
    assert (t.years, t.applications, t.growth, t.cagr, t.cagr_start, t.total) == ([], [], [], None, None, 0)
    no_years = filing_trend([rec(1), rec(2)])
    assert no_years.years == [] and no_years.without_app_year == 2
    one = filing_trend([rec(1, app_year=2020, pub_year=2020)])
    assert one.years == [2020] and one.growth == [None] and one.cagr is None  # no period to grow over


def test_year_span():
    assert year_span([2019, 2017]) == [2017, 2018, 2019]
    assert year_span([], 2018, 2019) == [2018, 2019]
    assert year_span([2019], 2020) == []  # start after end


def test_relative_slope():
    assert relative_slope([1, 2, 3]) == pytest.approx(0.5)  # slope 1, mean 2
    # [20,30,40,50,60]: slope 10, mean 40
    assert relative_slope([20, 30, 40, 50, 60]) == pytest.approx(0.25)
    assert relative_slope([5]) is None and relative_slope([0, 0, 0]) is None


def stage_of(by_year, data_year=None, **kw):
    return life_cycle(series(by_year), data_year=data_year, **kw)


def test_growth_stage_counts_applicants_per_year():
    lc = stage_of({2014: (10, 5), 2015: (20, 5), 2016: (30, 8), 2017: (40, 10), 2018: (50, 12), 2019: (60, 15),
                   2020: (5, 5)}, data_year=2021)
    assert lc.years == list(range(2014, 2021))
    assert lc.applications == [10, 20, 30, 40, 50, 60, 5]
    assert lc.applicants == [5, 5, 8, 10, 12, 15, 5]
    # window: the 5 complete years 2015–2019 (2020 is incomplete from data_year 2021)
    assert lc.window == [2015, 2016, 2017, 2018, 2019]
    assert lc.applications_slope == pytest.approx(0.25)  # slope 10 / mean 40
    # applicants 5,8,10,12,15: slope (-10-8+0+12+30)/10 = 2.4, mean 10
    assert lc.applicants_slope == pytest.approx(0.24)
    # not small (200 applications, 50 applicants); both rising; the 2014 peak (10) is < half of 60: no dip
    assert lc.stage == GROWTH and lc.incomplete_from == 2020


def test_maturity_decline_emerging():
    # flat filings (slope 0) while applicants fall: maturity
    assert stage_of({y: (50, 20 - 2 * i) for i, y in enumerate(range(2015, 2020))}).stage == MATURITY
    # filings 60,50,40,30,20: slope -10 / mean 40 = -0.25 <= -0.10
    assert stage_of({y: (60 - 10 * i, 10) for i, y in enumerate(range(2015, 2020))}).stage == DECLINE
    # rising but 2+3+4+6+8 = 23 < 50 applications in the window
    assert stage_of({2015: (2, 2), 2016: (3, 3), 2017: (4, 4), 2018: (6, 6), 2019: (8, 8)}).stage == EMERGING
    # many applications (5 × 40) but two applicants a year, 2 × 5 = 10 in the window: not < 10 → not emerging;
    # one a year (5 in the window) → emerging
    two = stage_of({y: (40 + 10 * i, 2) for i, y in enumerate(range(2015, 2020))})
    one = stage_of({y: (40 + 10 * i, 1) for i, y in enumerate(range(2015, 2020))})
    assert two.stage == MATURITY and one.stage == EMERGING  # two: applicants flat (slope 0) → maturity


def test_recovery_after_a_dip():
    # 2011 peak 100, trough 40 (<= 70% of the peak), then 40,50,60,80,100 with applicants 10,12,14,16,20
    lc = stage_of({2011: (100, 20), 2012: (70, 15), 2013: (40, 10), 2014: (40, 10), 2015: (50, 12),
                   2016: (60, 14), 2017: (80, 16), 2018: (100, 20)})
    assert lc.window == [2014, 2015, 2016, 2017, 2018]
    assert lc.applications_slope == pytest.approx(15 / 66)  # (-80-50+0+80+200)/10 = 15, mean 66
    assert lc.applicants_slope == pytest.approx(2.4 / 14.4)
    assert lc.stage == RECOVERY
    # the same window without the earlier peak is plain growth
    assert stage_of({2014: (40, 10), 2015: (50, 12), 2016: (60, 14), 2017: (80, 16), 2018: (100, 20)}).stage == GROWTH


def test_too_few_complete_years_and_missing_data():
    lc = stage_of({2019: (10, 5), 2020: (20, 5), 2021: (30, 5)}, data_year=2021)  # complete: 2019 only
    assert lc.stage is None and lc.window == [] and lc.applications_slope is None
    empty = life_cycle([])
    assert (empty.years, empty.stage) == ([], None)
    # applications without applicants count, but add no applicant; without a year they are left out
    lc = life_cycle([rec(1, app_year=2020), rec(2, app_year=2020, applicants=["A", "B"]), rec(3, applicants=["C"])])
    assert (lc.years, lc.applications, lc.applicants) == ([2020], [2], [2])


def test_labels_and_round_trip(records):
    assert set(STAGE_LABELS) == {EMERGING, GROWTH, MATURITY, DECLINE, RECOVERY}
    assert STAGE_LABELS[GROWTH] == ("技术发展期", "Growth")
    round_trip(Trend, filing_trend(records, data_year=2020))
    round_trip(LifeCycle, stage_of({y: (50, 20 - 2 * i) for i, y in enumerate(range(2015, 2020))}))
