"""Where the focus region is strong and where it has gaps, field by field (GB/T 39551.2/.3 regional and
industrial positioning, rules.md §7), by revealed technological advantage (RTA, the Balassa index on patents):

    RTA_i = (focus_i / focus_total) / (whole_i / whole_total)

focus_i / whole_i: applications of the focus region / of the whole set with IPC code i at the level looked at
(once per distinct code per application). The totals are the sums of those counts over *all* codes (before the
min_count cut), so each side's field shares add up to 1 and a region whose applications carry more codes
is not made to look strong everywhere. RTA 1 = the field weighs as much in the region as in the whole set.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ipcity.navigation.analyses.technology import SUBCLASS, ipc_title, record_codes
from ipcity.navigation.model import NavRecord

STRONG, PAR, WEAK, ABSENT = "strong", "par", "weak", "absent"


@dataclass
class GapRow:
    code: str
    title: str
    whole_count: int
    focus_count: int
    focus_share: float  # focus_count / whole_count: the region's part of the field
    rta: float  # 0 when the focus has no applications at all
    verdict: str  # STRONG / PAR / WEAK / ABSENT


@dataclass
class GapResult:
    focus_code: str
    level: str
    rows: list[GapRow]  # codes with whole_count >= min_count: rta descending, then whole_count descending, code
    whole_applications: int  # records passed in
    focus_applications: int  # of those, in the focus region
    whole_total: int  # Σ of code counts, the RTA denominator
    focus_total: int
    counts: dict[str, int]  # verdict -> rows with it (all four verdicts)


def verdict(rta: float, focus_count: int, strong: float, weak: float) -> str:
    if focus_count == 0:
        return ABSENT
    if rta >= strong:
        return STRONG
    if rta < weak:
        return WEAK
    return PAR


def gap_analysis(records: Sequence[NavRecord], focus_code: str, level: str = SUBCLASS, min_count: int = 5,
                 strong: float = 1.2, weak: float = 0.8, lang: str = "zh",
                 in_focus: Callable[[NavRecord], bool] | None = None) -> GapResult:
    """Compare the focus region (records whose region_code starts with `focus_code`, or for which `in_focus`
    holds, e.g. a country of origin) with all `records`,
    per IPC code at `level` held by at least `min_count` applications of the whole set."""
    if not focus_code:
        raise ValueError("focus_code must name a region")
    whole_found: list[str] = []  # codes of every application, counted once at the end (in C)
    focus_found: list[str] = []
    focus_applications = 0
    for r, codes in zip(records, record_codes(records, level), strict=True):
        whole_found.extend(codes)
        if r.region_code.startswith(focus_code):
            focus_applications += 1
            focus_found.extend(codes)
    whole, focus = Counter(whole_found), Counter(focus_found)
    whole_total, focus_total = sum(whole.values()), sum(focus.values())
    rows = []
    for code, w in whole.items():
        if w < min_count:
            continue
        f = focus.get(code, 0)
        rta = (f / focus_total) / (w / whole_total) if focus_total else 0.0
        rows.append(GapRow(code, ipc_title(code, lang), w, f, f / w, rta, verdict(rta, f, strong, weak)))
    rows.sort(key=lambda row: (-row.rta, -row.whole_count, row.code))
    tally = dict.fromkeys((STRONG, PAR, WEAK, ABSENT), 0)
    for row in rows:
        tally[row.verdict] += 1
    return GapResult(focus_code, level, rows, len(records), focus_applications, whole_total, focus_total, tally)
