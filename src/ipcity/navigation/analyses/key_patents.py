"""Key patents and what became of the applications: citations, family size, legal status, and patent
operations (transfer, licence, pledge; rules.md §7 patent operation, §12.3 legal events, §3 pledges).
Ties: value descending, then pub_number ascending.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ipcity.navigation.analyses.trend import year_span
from ipcity.navigation.model import NavRecord
from ipcity.patents.record import LEGAL_STATUSES, PATENT_TYPES, UNKNOWN

OPERATION_KINDS = ("transfer", "licence", "pledge")  # patents.record.EVENT_KINDS keys
UNKNOWN_TYPE = "unknown"  # the by_type key of records whose patent_type is None


@dataclass
class KeyPatent:
    pub_number: str
    title: str
    applicants: list[str]
    year: int | None  # app_year
    value: int  # citations received, or family size


def _row(r: NavRecord, value: int) -> KeyPatent:
    return KeyPatent(r.pub_number, r.title, list(r.applicants), r.app_year, value)


def most_cited(records: Sequence[NavRecord], top: int = 20) -> list[KeyPatent]:
    """The `top` applications by citations received; those with no (or zero) citations are left out."""
    cited = (r for r in records if r.cited_by)
    best = heapq.nsmallest(top, cited, key=lambda r: (-r.cited_by, r.pub_number)) if top > 0 else []
    return [_row(r, r.cited_by) for r in best]


def largest_families(records: Sequence[NavRecord], top: int = 20) -> list[KeyPatent]:
    """The `top` patent families by family size, one row per family_id (its member with the largest
    family_size, then the smallest pub_number); a record without family_id is a family of its own.
    Records without family_size are left out."""
    by_family: dict[str, NavRecord] = {}
    loose: list[NavRecord] = []
    for r in records:
        if not r.family_size:
            continue
        if not r.family_id:
            loose.append(r)
            continue
        held = by_family.get(r.family_id)
        if held is None or (-r.family_size, r.pub_number) < (-held.family_size, held.pub_number):
            by_family[r.family_id] = r
    candidates = [*by_family.values(), *loose]
    best = heapq.nsmallest(top, candidates, key=lambda r: (-r.family_size, r.pub_number)) if top > 0 else []
    return [_row(r, r.family_size) for r in best]


@dataclass
class StatusMix:
    overall: dict[str, int]  # patents.record VALID / LAPSED / PENDING / UNKNOWN -> applications (all four keys)
    by_type: dict[str, dict[str, int]]  # patent type (INVENTION / UTILITY / DESIGN, UNKNOWN_TYPE) -> the same
    total: int


def legal_status_mix(records: Sequence[NavRecord]) -> StatusMix:
    """Applications per legal status, overall and per patent type. A status outside patents.record
    LEGAL_STATUSES counts as unknown; the three patent types always appear, UNKNOWN_TYPE only when used."""
    pairs = Counter((r.patent_type, r.legal_status) for r in records)
    overall = dict.fromkeys(LEGAL_STATUSES, 0)
    by_type = {t: dict.fromkeys(LEGAL_STATUSES, 0) for t in PATENT_TYPES}
    for (ptype, status), n in pairs.items():
        status = status if status in overall else UNKNOWN
        key = ptype or UNKNOWN_TYPE
        overall[status] += n
        by_type.setdefault(key, dict.fromkeys(LEGAL_STATUSES, 0))[status] += n
    return StatusMix(overall, by_type, len(records))


@dataclass
class OperationYear:
    year: int
    applications: int  # filed that year
    transfer: int  # of those, applications with at least one transfer event
    licence: int
    pledge: int
    any: int  # with at least one of the three


@dataclass
class Operations:
    applications: int  # all passed in
    transfer: int
    licence: int
    pledge: int
    any: int
    by_year: list[OperationYear]  # continuous range of app_year; records without app_year only in the totals


def operations(records: Sequence[NavRecord]) -> Operations:
    """Applications that were transferred, licensed or pledged (each counted once per kind however many
    events of that kind it has), overall and per app_year."""
    # Few distinct (year, events) pairs: count those in one C-level pass, then read the kinds off each.
    pairs = Counter((r.app_year, r.events) for r in records)
    totals: Counter[str] = Counter()  # kind -> applications, "any" included
    per_year: dict[int, Counter[str]] = {}
    filed: Counter[int] = Counter()
    for (year, events), n in pairs.items():
        if year is not None:
            filed[year] += n
        kinds = {e for e in events if e in OPERATION_KINDS}
        if not kinds:
            continue
        kinds.add("any")
        for kind in kinds:
            totals[kind] += n
            if year is not None:
                per_year.setdefault(year, Counter())[kind] += n
    rows = []
    for year in year_span(filed):
        c = per_year.get(year, Counter())
        rows.append(OperationYear(year, filed.get(year, 0), c["transfer"], c["licence"], c["pledge"], c["any"]))
    return Operations(len(records), totals["transfer"], totals["licence"], totals["pledge"], totals["any"], rows)
