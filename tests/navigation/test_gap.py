"""Gap analysis: revealed technological advantage of the focus region per IPC subclass."""

from __future__ import annotations

import pytest

from ipcity.navigation.analyses.gap import ABSENT, PAR, STRONG, WEAK, GapResult, gap_analysis
from tests.navigation.fixtures import rec, round_trip


@pytest.fixture
def records():
    focus = [  # 郑州 (4101): H01M 3, H02J 1, G06N 1, A01B 1 → focus_total 6
        rec(1, ipc=["H01M10/0525", "H02J7/00"], region_code="410105"),
        rec(2, ipc=["H01M4/13"], region_code="4101"),
        rec(3, ipc=["H01M10/054"], region_code="4101"),
        rec(4, ipc=["G06N3/08"], region_code="4101"),
        rec(5, ipc=["A01B1/00"], region_code="4101"),
    ]
    others = [("H01M10/00", "31")] * 5 + [("H02J7/00", "31")] * 4 + [("G06N3/08", "")] * 5 \
        + [("C01B3/00", "41")] * 5 + [("A01B1/00", "31")]  # "41" is 河南 but not 郑州
    return focus + [rec(10 + i, ipc=[code], region_code=region) for i, (code, region) in enumerate(others)]


def rows(result):
    return [(r.code, r.whole_count, r.focus_count, r.verdict) for r in result.rows]


def test_rta_and_verdicts(records):
    g = gap_analysis(records, "4101")
    # whole: H01M 8, H02J 5, G06N 6, C01B 5, A01B 2 → whole_total 26; A01B is under min_count 5
    # RTA H01M (3/6)/(8/26) = 1.625 strong; H02J (1/6)/(5/26) = 0.867 par; G06N (1/6)/(6/26) = 0.722 weak; C01B 0
    assert rows(g) == [("H01M", 8, 3, STRONG), ("H02J", 5, 1, PAR), ("G06N", 6, 1, WEAK), ("C01B", 5, 0, ABSENT)]
    assert [r.rta for r in g.rows] == pytest.approx([1.625, 26 / 30, 26 / 36, 0.0])
    assert [r.focus_share for r in g.rows] == pytest.approx([3 / 8, 1 / 5, 1 / 6, 0.0])
    assert (g.whole_applications, g.focus_applications, g.whole_total, g.focus_total) == (25, 5, 26, 6)
    assert g.counts == {STRONG: 1, PAR: 1, WEAK: 1, ABSENT: 1}
    assert g.rows[0].title == "用于直接转变化学能为电能的方法或装置，例如电池组"


def test_thresholds_and_min_count(records):
    # A01B (2 in all, 1 in focus): RTA (1/6)/(2/26) = 2.167, first once min_count lets it in
    g = gap_analysis(records, "4101", min_count=1)
    assert g.rows[0].code == "A01B" and g.rows[0].rta == pytest.approx(26 / 12)
    assert rows(gap_analysis(records, "4101", strong=1.7))[0][3] == PAR  # 1.625 < 1.7
    # province 41: 郑州's 5 plus 5 × C01B
    assert gap_analysis(records, "41").focus_applications == 10


def test_empty_focus_and_input(records):
    g = gap_analysis(records, "33")  # no filings in 浙江: no division by zero
    assert {r.verdict for r in g.rows} == {ABSENT} and {r.rta for r in g.rows} == {0.0}
    assert g.focus_total == 0 and g.counts[ABSENT] == 4
    empty = gap_analysis([], "4101")
    assert (empty.rows, empty.whole_total) == ([], 0)
    with pytest.raises(ValueError):
        gap_analysis(records, "")


def test_round_trip(records):
    round_trip(GapResult, gap_analysis(records, "4101"))
