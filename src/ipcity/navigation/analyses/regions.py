"""Where the applications come from: provinces, the divisions below a focus region, and the focus region's
position among its peers (GB/T 39551.2 regional planning, rules.md §7: regional industry positioning).

A record's region is `NavRecord.region_code`: the NBS division code (2 digits province, 4 city, 6 district)
of its first applicant's address, "" when unknown. A code only as precise as a level above the one looked at
cannot be placed at that level; such records are counted as `unlocated`, never guessed.
Ties: count descending, then code ascending.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ipcity.navigation.model import NavRecord
from ipcity.patents.regions import CITY, DISTRICT, PROVINCE, regions

_LEVEL_BY_LENGTH = {2: PROVINCE, 4: CITY, 6: DISTRICT}


def _name(code: str) -> str:
    table = regions()
    return table.name(code) if code in table else ""


def _is_grouping(code: str) -> bool:
    """A city-level row that is a grouping, not a city (北京 1101 市辖区, 河南 4190 省直辖县级行政区划):
    below a province, its districts stand in for cities."""
    return regions().is_grouping(code)


@dataclass
class RegionRow:
    code: str
    name: str  # official name ("" for a code the division tables lack)
    count: int
    share: float  # of the located records (the rows add up to 1)


@dataclass
class RegionCounts:
    focus_code: str  # "" for the whole country
    level: str  # of the rows: patents.regions PROVINCE / CITY / DISTRICT
    rows: list[RegionRow]
    located: int  # records counted in the rows
    unlocated: int  # records of the focus the rows cannot place (no region, or only the focus level)


def _counts(focus_code: str, level: str, counts: Counter[str], unlocated: int) -> RegionCounts:
    located = sum(counts.values())
    rows = [RegionRow(code, _name(code), n, n / located)
            for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return RegionCounts(focus_code, level, rows, located, unlocated)


def _valid(code: str) -> bool:
    return len(code) in _LEVEL_BY_LENGTH and code.isdigit()


def by_province(records: Sequence[NavRecord]) -> RegionCounts:
    """Applications per province; records with no (well-formed) region code are `unlocated`."""
    codes = Counter(r.region_code for r in records)
    provinces: Counter[str] = Counter()
    unlocated = 0
    for code, n in codes.items():
        if _valid(code):
            provinces[code[:2]] += n
        else:
            unlocated += n
    return _counts("", PROVINCE, provinces, unlocated)


def _check_focus(focus_code: str) -> str:
    if not _valid(focus_code):
        raise ValueError(f"not a 2-, 4- or 6-digit division code: {focus_code!r}")
    return _LEVEL_BY_LENGTH[len(focus_code)]


def by_subregion(records: Sequence[NavRecord], focus_code: str) -> RegionCounts:
    """Applications of the focus region per division one level down: a province's cities, a city's districts.

    Below a province, a grouping row (municipalities' 市辖区/县, 省直辖县级行政区划) is replaced by its districts,
    so 北京 shows 海淀区 … and 河南 shows 济源市 beside 郑州市. Records whose code stops at the focus level
    (or at a grouping) are `unlocated` ("not more precise"). ValueError for a district focus (nothing below)."""
    level = _check_focus(focus_code)
    if level == DISTRICT:
        raise ValueError(f"a district has no divisions below it: {focus_code!r}")
    codes = Counter(r.region_code for r in records if r.region_code.startswith(focus_code))
    below: Counter[str] = Counter()
    unlocated = 0
    groupings: dict[str, bool] = {}
    for code, n in codes.items():
        if not _valid(code) or len(code) == len(focus_code):
            unlocated += n
            continue
        child = code[:len(focus_code) + 2]
        if level == PROVINCE:
            grouping = groupings.get(child)
            if grouping is None:
                grouping = groupings[child] = _is_grouping(child)
            if grouping:
                if len(code) < 6:
                    unlocated += n
                    continue
                child = code
        below[child] += n
    # Below a province the rows are cities, with districts standing in for groupings.
    return _counts(focus_code, CITY if level == PROVINCE else DISTRICT, below, unlocated)


@dataclass
class FocusPosition:
    code: str
    name: str  # full name (河南省郑州市)
    level: str  # PROVINCE / CITY / DISTRICT
    count: int  # applications located in the focus
    share: float  # count / records with a known region (any level)
    rank: int | None  # 1 + peers of the same level (nationwide) with more applications; None when count is 0
    peers_with_filings: int  # divisions of that level with at least one application, the focus included
    parent_code: str  # the province of a city, the city of a district; "" for a province
    rank_in_parent: int | None  # the same, among the divisions of the parent only (None for a province or 0)
    peers_in_parent: int | None


def focus_position(records: Sequence[NavRecord], focus_code: str) -> FocusPosition:
    """The focus region's applications, share and rank among the divisions of its level.

    Only records whose code reaches the focus level can be placed at it: a record coded just "41" counts
    for no city (it still counts in the share's denominator). Ranks are competition ranks (ties share a rank).
    A city-level grouping (北京 1101) is a peer like any city."""
    level = _check_focus(focus_code)
    width = len(focus_code)
    codes = Counter(r.region_code for r in records)
    known = 0
    peers: Counter[str] = Counter()
    for code, n in codes.items():
        if not _valid(code):
            continue
        known += n
        if len(code) >= width:
            peers[code[:width]] += n
    count = peers.get(focus_code, 0)
    table = regions()
    name = table.full_name(focus_code) if focus_code in table else ""

    def rank_among(prefix: str) -> tuple[int | None, int]:
        group = [n for c, n in peers.items() if c.startswith(prefix)]
        return (1 + sum(1 for n in group if n > count) if count else None), len(group)

    rank, with_filings = rank_among("")
    parent = focus_code[:-2]
    rank_in_parent, in_parent = rank_among(parent) if parent else (None, None)
    return FocusPosition(focus_code, name, level, count, count / known if known else 0.0, rank, with_filings,
                         parent, rank_in_parent, in_parent)
