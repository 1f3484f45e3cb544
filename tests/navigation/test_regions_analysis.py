"""Applications by province, by the divisions below a focus, and the focus region's position."""

from __future__ import annotations

import pytest

from ipcity.navigation.analyses.regions import (
    FocusPosition,
    RegionCounts,
    RegionRow,
    by_province,
    by_subregion,
    focus_position,
)
from ipcity.patents.regions import CITY, DISTRICT, PROVINCE
from tests.navigation.fixtures import rec, round_trip

CODES = ["4101", "410105", "410105", "41", "4103", "419001", "4190",  # 河南: 7
         "110108", "110108", "11", "1101",  # 北京: 4
         "31",  # 上海: 1
         "", "", "abc"]  # no usable region: 3


@pytest.fixture
def records():
    return [rec(i, region_code=code) for i, code in enumerate(CODES)]


def test_by_province(records):
    counts = by_province(records)
    # located 12: 河南 7, 北京 4, 上海 1
    assert counts == RegionCounts("", PROVINCE, [RegionRow("41", "河南省", 7, 7 / 12),
                                                 RegionRow("11", "北京市", 4, 4 / 12),
                                                 RegionRow("31", "上海市", 1, 1 / 12)], 12, 3)
    tie = by_province([rec(1, region_code="44"), rec(2, region_code="32")])
    assert [r.code for r in tie.rows] == ["32", "44"]  # equal counts: code ascending
    assert by_province([]) == RegionCounts("", PROVINCE, [], 0, 0)


def test_province_to_cities(records):
    counts = by_subregion(records, "41")
    # 郑州 4101 + 金水区 ×2 = 3; 洛阳 1; 济源 419001 stands in for the grouping 4190 (省直辖县级行政区划): 1.
    # "41" and "4190" say no more than the province / the grouping: unlocated 2. Tie 4103 < 419001.
    assert counts.level == CITY and (counts.located, counts.unlocated) == (5, 2)
    assert counts.rows == [RegionRow("4101", "郑州市", 3, 0.6), RegionRow("4103", "洛阳市", 1, 0.2),
                           RegionRow("419001", "济源市", 1, 0.2)]


def test_municipality_shows_districts(records):
    counts = by_subregion(records, "11")
    # 1101 is 市辖区, a grouping: its districts are the rows; "11" and "1101" are unlocated
    assert counts.rows == [RegionRow("110108", "海淀区", 2, 1.0)] and counts.unlocated == 2


def test_city_to_districts(records):
    counts = by_subregion(records, "4101")
    assert counts.level == DISTRICT and counts.rows == [RegionRow("410105", "金水区", 2, 1.0)]
    assert counts.unlocated == 1  # the record coded just 4101
    assert by_subregion(records, "33").rows == []  # no filings in 浙江


@pytest.mark.parametrize("focus", ["410105", "4x", "", "123"])
def test_subregion_needs_a_province_or_city(records, focus):
    with pytest.raises(ValueError):
        by_subregion(records, focus)


def test_focus_position(records):
    # 12 records with a known region; 河南 7 is first of 3 provinces with filings
    assert focus_position(records, "41") == FocusPosition("41", "河南省", PROVINCE, 7, 7 / 12, 1, 3, "", None, None)
    # cities (codes with >= 4 digits): 4101: 3, 1101: 3, 4190: 2, 4103: 1 → 洛阳 4th of 4; in 河南 3rd of 3
    pos = focus_position(records, "4103")
    assert pos == FocusPosition("4103", "河南省洛阳市", CITY, 1, 1 / 12, 4, 4, "41", 3, 3)
    # 郑州 ties 北京 1101 at 3: both rank 1
    assert (focus_position(records, "4101").rank, focus_position(records, "4101").rank_in_parent) == (1, 1)
    # 金水区 among districts (6 digits): 410105: 2, 110108: 2, 419001: 1
    district = focus_position(records, "410105")
    assert (district.rank, district.peers_with_filings, district.parent_code, district.peers_in_parent) == (1, 3,
                                                                                                          "4101", 1)


def test_focus_without_filings(records):
    pos = focus_position(records, "33")
    assert (pos.name, pos.count, pos.share, pos.rank, pos.peers_with_filings) == ("浙江省", 0, 0.0, None, 3)
    assert focus_position([], "41").share == 0.0
    with pytest.raises(ValueError):
        focus_position(records, "4")


def test_round_trips(records):
    round_trip(RegionCounts, by_province(records))
    round_trip(RegionCounts, by_subregion(records, "41"))
    round_trip(FocusPosition, focus_position(records, "4103"))
