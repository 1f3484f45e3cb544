"""Inventor counts, top inventors with their main applicant, and team sizes."""

from __future__ import annotations

import pytest

from ipcity.navigation.analyses.inventors import InventorRank, InventorStats, TeamYear, inventor_stats, team_bucket
from tests.navigation.fixtures import rec, round_trip

WANG, LI, ZHANG = "王", "李", "张"
TEN = [f"n{i}" for i in range(10)]


@pytest.fixture
def records():
    return [
        rec(1, inventors=[WANG, LI], applicants=["A"], app_year=2019),
        rec(2, inventors=[WANG], applicants=["B"], app_year=2019),
        rec(3, inventors=[WANG, LI, ZHANG], applicants=["B"], app_year=2020),
        rec(4, inventors=[LI, LI], applicants=["C"], app_year=2020),  # one inventor listed twice: team of 1
        rec(5, applicants=["A"], app_year=2020),  # no inventor
        rec(6, inventors=["赵", "钱", "孙", "周", "吴", "郑"]),  # no applicant, no year
        rec(7, inventors=TEN, applicants=["D"], app_year=2018),
    ]


def test_counts_and_top(records):
    s = inventor_stats(records, top=3)
    # 王, 李, 张, six on record 6, ten on record 7 = 19; 6 of 7 records name inventors
    assert (s.distinct_inventors, s.applications_with_inventors, s.total) == (19, 6, 7)
    # 王 3 (1, 2, 3) and 李 3 (1, 3, 4) tie: 李 (U+674E) before 王 (U+738B).
    # 李's applicants A, B, C once each → A (name ascending); 王's A once, B twice → B.
    # Then the 1-count inventors by name: "n0" sorts before any CJK name.
    assert s.top == [InventorRank(LI, 3, "A"), InventorRank(WANG, 3, "B"), InventorRank("n0", 1, "D")]
    assert inventor_stats(records, top=20).top[-1].main_applicant == ""  # 郑 of record 6: no applicant


def test_team_sizes(records):
    s = inventor_stats(records)
    # sizes: 2, 1, 3, 1, 6, 10
    assert s.team_sizes == {"1": 2, "2": 1, "3": 1, "4": 0, "5": 0, "6-9": 1, "10+": 1}
    assert s.mean_team_size == pytest.approx(23 / 6)
    # 2018: record 7 (10); 2019: 1, 2 → (2+1)/2; 2020: 3, 4 → (3+1)/2 (5 has no inventor)
    assert s.by_year == [TeamYear(2018, 1, 10.0), TeamYear(2019, 2, 1.5), TeamYear(2020, 2, 2.0)]
    assert [team_bucket(n) for n in (1, 5, 6, 9, 10, 40)] == ["1", "5", "6-9", "6-9", "10+", "10+"]


def test_year_gaps_and_empty():
    s = inventor_stats([rec(1, inventors=["X"], app_year=2015), rec(2, inventors=["X", "Y"], app_year=2017)])
    assert s.by_year == [TeamYear(2015, 1, 1.0), TeamYear(2016, 0, None), TeamYear(2017, 1, 2.0)]
    empty = inventor_stats([])
    assert (empty.distinct_inventors, empty.top, empty.mean_team_size, empty.by_year) == (0, [], None, [])
    assert set(empty.team_sizes.values()) == {0}


def test_round_trip(records):
    round_trip(InventorStats, inventor_stats(records))
