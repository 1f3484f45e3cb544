"""Where the technology comes from (技术来源国: country of the earliest priority) and where it is filed
(目标市场: the publishing office). The regional view of multi-office data, where Chinese division codes
exist only for Chinese applicants."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ipcity.navigation.model import NavRecord


@dataclass
class CountryRow:
    code: str
    count: int
    share: float  # of the applications whose country is known


@dataclass
class CountryCounts:
    rows: list[CountryRow]  # count descending, then code
    known: int
    unknown: int


@dataclass
class CountryPosition:
    code: str
    count: int
    share: float
    rank: int | None  # 1 + countries with more applications; None when the country has none
    countries: int  # countries with at least one application


def _counts(values: Sequence[str], top: int | None) -> CountryCounts:
    counter = Counter(v for v in values if v)
    known = sum(counter.values())
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    rows = [CountryRow(code, n, n / known) for code, n in (ranked[:top] if top else ranked)]
    return CountryCounts(rows, known, len(values) - known)


def by_origin(records: Sequence[NavRecord], top: int | None = 15) -> CountryCounts:
    return _counts([r.origin for r in records], top)


def by_office(records: Sequence[NavRecord], top: int | None = 15) -> CountryCounts:
    return _counts([r.office for r in records], top)


def origin_position(records: Sequence[NavRecord], country: str) -> CountryPosition:
    counts = Counter(r.origin for r in records if r.origin)
    known = sum(counts.values())
    mine = counts.get(country, 0)
    rank = 1 + sum(1 for n in counts.values() if n > mine) if mine else None
    return CountryPosition(country, mine, mine / known if known else 0.0, rank, len(counts))
