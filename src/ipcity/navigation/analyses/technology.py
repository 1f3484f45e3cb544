"""Technology composition by IPC (GB/T 39551, rules.md §7 technology direction; IPC levels rules.md §12.7).

An application counts once per distinct code at the level looked at: H01M10/0525 and H01M4/13 on the
same application are one count for H01M. Symbols that do not reach the level (a bare "H01M" at
main-group level) or are malformed are skipped. Ties: count descending, then code ascending.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ipcity.navigation.analyses.trend import year_span
from ipcity.navigation.model import NavRecord
from ipcity.patents.ipc import CLASS, MAIN_GROUP, SECTION, SUBCLASS, IpcError, parts, scheme

LEVELS = (SECTION, CLASS, SUBCLASS, MAIN_GROUP)  # "section", "class", "subclass", "main_group"
_PART = {SECTION: "section", CLASS: "ipc_class", SUBCLASS: "subclass", MAIN_GROUP: "main_group"}


@lru_cache(maxsize=1 << 18)
def _levels(symbol: str) -> tuple[str, str, str, str]:
    """A symbol's codes at every level of LEVELS ("" where it does not reach one, or is malformed): parsed once
    per process for every level and every analysis (each of the six IPC passes of a run parsed every distinct
    symbol again before)."""
    try:
        p = parts(symbol)
    except IpcError:
        return ("", "", "", "")
    return tuple(getattr(p, _PART[level]) for level in LEVELS)


class _LevelCodes(dict):
    """symbol -> its code at one level ("" when the symbol does not reach it or is malformed), looked up once
    per distinct symbol per pass: a million records repeat the same few thousand symbols."""

    def __init__(self, level: str):
        super().__init__()
        if level not in _PART:
            raise ValueError(f"IPC level must be one of {', '.join(LEVELS)}: {level!r}")
        self._at = LEVELS.index(level)

    def __missing__(self, symbol: str) -> str:
        code = self[symbol] = _levels(symbol)[self._at]
        return code


def code_at_level(level: str) -> Callable[[str], str]:
    """A function symbol -> its code at `level` ("" when the symbol does not reach it or is malformed)."""
    return _LevelCodes(level).__getitem__


def record_codes(records: Iterable[NavRecord], level: str, main_only: bool = False) -> Iterator[set[str]]:
    """For each record, its distinct codes at `level` (an empty set when it has none).
    `main_only`: the main classification (the first symbol) only."""
    code = code_at_level(level)
    for r in records:
        found = set(map(code, r.ipc[:1] if main_only else r.ipc))
        found.discard("")
        yield found


def ipc_title(code: str, lang: str = "zh") -> str:
    """The code's own title in `lang`, else its Chinese title, else its English one ("" if none).
    A code's own title only: English titles stop at subclass, and a subclass title shown for a main group
    would mislead. ValueError for a language the scheme lacks (zh, en)."""
    ipc = scheme()
    own = ipc.title(code, lang, fallback=False)
    if own:
        return own
    for other in ("zh", "en"):
        if other != lang:
            title = ipc.title(code, other, fallback=False)
            if title:
                return title
    return ""


def ranked(counts: Counter[str], top: int | None) -> list[tuple[str, int]]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ordered if top is None else ordered[:max(top, 0)]


@dataclass
class IpcCount:
    code: str
    title: str
    count: int  # applications with this code
    share: float  # count / applications with at least one code at this level (shares can add up to > 1)


def ipc_distribution(records: Sequence[NavRecord], level: str = SUBCLASS, top: int | None = 20, lang: str = "zh",
                     main_only: bool = False) -> list[IpcCount]:
    """The `top` codes at `level` (section / class / subclass / main_group) by applications; top=None: all."""
    found: list[str] = []
    classified = 0
    for codes in record_codes(records, level, main_only):
        if codes:
            classified += 1
            found.extend(codes)
    counts = Counter(found)  # one C-level count instead of a million Counter updates
    return [IpcCount(code, ipc_title(code, lang), n, n / classified) for code, n in ranked(counts, top)]


@dataclass
class IpcYearMatrix:
    level: str
    codes: list[str]  # the top codes over the years, count descending then code
    years: list[int]
    matrix: list[list[int]]  # matrix[i][j]: applications with codes[i] filed in years[j]

    def count(self, code: str, year: int) -> int:
        return self.matrix[self.codes.index(code)][self.years.index(year)]


def ipc_year_matrix(records: Sequence[NavRecord], level: str = SUBCLASS, top: int = 10,
                    years: Sequence[int] | None = None) -> IpcYearMatrix:
    """Applications per code and app_year for the `top` codes within `years` (default: the continuous range of
    application years of the classified records). Records without app_year are left out."""
    wanted = None if years is None else set(years)
    found_by_year: dict[int, list[str]] = {}
    for r, codes in zip(records, record_codes(records, level), strict=True):
        year = r.app_year
        if not codes or year is None or (wanted is not None and year not in wanted):
            continue
        found = found_by_year.get(year)
        if found is None:
            found = found_by_year[year] = []
        found.extend(codes)
    by_year = {year: Counter(found) for year, found in found_by_year.items()}
    totals: Counter[str] = Counter()
    for counts in by_year.values():
        totals.update(counts)
    codes = [code for code, _ in ranked(totals, top)]
    span = sorted(set(years)) if years is not None else year_span(by_year)
    empty: Counter[str] = Counter()
    return IpcYearMatrix(level, codes, span, [[by_year.get(y, empty)[c] for y in span] for c in codes])
