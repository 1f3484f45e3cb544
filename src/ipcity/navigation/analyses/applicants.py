"""Applicants: ranking, concentration, newcomers, kinds and the co-applicant network
(GB/T 39551, rules.md §7: industry competition, enterprises, cooperation).

Counting is *full counting*: an application with applicants A and B gives one credit to A and one to B
(a name listed twice on one application counts once). So an applicant's `count` is the number of
applications it is on, and shares of applications add up to more than 1 where there are joint filings.
Names are taken as given (normalised upstream by patents.names.normalise_applicant).

Ties are broken deterministically everywhere: count descending, then name ascending.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, combinations

from ipcity.navigation.analyses.trend import year_span
from ipcity.navigation.model import NavRecord
from ipcity.patents.names import APPLICANT_KINDS, applicant_kind
from ipcity.patents.record import VALID

# Kinds are worked out once per name for all analyses in the process (ranking, network, types): a bounded cache.
kind_of = lru_cache(maxsize=1 << 18)(applicant_kind)


def distinct_names(names: tuple[str, ...]) -> tuple[str, ...] | set[str]:
    """The names once each (a name listed twice on one application counts once)."""
    return names if len(names) < 2 else set(names)


def applicant_counts(records: Sequence[NavRecord]) -> Counter[str]:
    """Applications per applicant (full counting)."""
    return Counter(chain.from_iterable(distinct_names(r.applicants) for r in records))


def top_items(counts: Counter[str], top: int) -> list[tuple[str, int]]:
    """The `top` largest (key, count), count descending then key ascending; without sorting everything."""
    if top <= 0:
        return []
    return heapq.nsmallest(top, counts.items(), key=lambda item: (-item[1], item[0]))


# -- ranking ---------------------------------------------------------------------------------------

@dataclass
class ApplicantRank:
    name: str
    count: int  # applications it is on
    share: float  # count / all applications passed in
    first_year: int | None  # earliest app_year of its applications (None when none has a year)
    last_year: int | None
    kind: str  # patents.names COMPANY / UNIVERSITY / INSTITUTE / INDIVIDUAL / GOVERNMENT / OTHER
    valid: int  # of its applications, those in force (legal_status VALID)


def ranking(records: Sequence[NavRecord], top: int = 20) -> list[ApplicantRank]:
    """The `top` applicants by number of applications (ties: name ascending)."""
    leaders = top_items(applicant_counts(records), top)
    wanted = {name for name, _ in leaders}
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    valid: Counter[str] = Counter()
    for r in records:
        if not r.applicants or wanted.isdisjoint(r.applicants):
            continue
        year = r.app_year
        for name in distinct_names(r.applicants):
            if name not in wanted:
                continue
            if r.legal_status == VALID:
                valid[name] += 1
            if year is not None:
                first[name] = min(year, first.get(name, year))
                last[name] = max(year, last.get(name, year))
    total = len(records)
    return [ApplicantRank(name, count, count / total, first.get(name), last.get(name), kind_of(name), valid[name])
            for name, count in leaders]


# -- concentration ---------------------------------------------------------------------------------

@dataclass
class Concentration:
    cr4: float  # combined share of the 4 largest applicants (shares of credits, see below)
    cr8: float
    hhi: float  # Herfindahl-Hirschman index, Σ (100 · share_i)², 0–10000
    applicants: int  # distinct applicants
    credits: int  # Σ credits: each applicant of an application gets one (full counting)


def concentration(records: Sequence[NavRecord]) -> Concentration:
    """CR4, CR8 and HHI of applicants, on shares of credits: share_i = credits_i / Σ credits, where each
    applicant of an application gets one credit. Shares so add up to 1 even with joint filings.
    Applications without applicants give no credit. All 0 when there is no credit at all."""
    counts = applicant_counts(records)
    credits = sum(counts.values())
    if not credits:
        return Concentration(0.0, 0.0, 0.0, 0, 0)
    ordered = sorted(counts.values(), reverse=True)
    return Concentration(sum(ordered[:4]) / credits, sum(ordered[:8]) / credits,
                         sum((100 * c / credits) ** 2 for c in ordered), len(counts), credits)


# -- newcomers -------------------------------------------------------------------------------------

@dataclass
class YearNewcomers:
    year: int
    newcomers: int  # applicants whose first application in the set is of this year
    active: int  # distinct applicants filing this year


def newcomers(records: Sequence[NavRecord]) -> list[YearNewcomers]:
    """New and active applicants per app_year, over the continuous range of years (0 where none).
    Applications without app_year are left out (also when finding an applicant's first year)."""
    first: dict[str, int] = {}
    active: dict[int, set[str]] = {}
    for r in records:
        year = r.app_year
        if year is None or not r.applicants:
            continue
        names = active.get(year)
        if names is None:
            names = active[year] = set()
        names.update(r.applicants)
    for year in sorted(active):  # ascending, so the first year seen is the earliest
        for name in active[year]:
            first.setdefault(name, year)
    new = Counter(first.values())
    return [YearNewcomers(y, new.get(y, 0), len(active.get(y, ()))) for y in year_span(active)]


# -- applicant kinds -------------------------------------------------------------------------------

@dataclass
class ApplicantTypes:
    by_kind: dict[str, int]  # applications per kind (every patents.names kind, 0 included); once per distinct kind
    joint: int  # applications with more than one (distinct) applicant
    with_applicants: int  # applications with at least one applicant
    total: int  # applications passed in


def applicant_types(records: Sequence[NavRecord]) -> ApplicantTypes:
    """Applications per applicant kind: an application of a company and a university counts once for each,
    one of two companies once for company. Kinds come from patents.names.applicant_kind (a heuristic)."""
    by_kind = dict.fromkeys(APPLICANT_KINDS, 0)
    joint = with_applicants = 0
    for names, n in Counter(r.applicants for r in records).items():  # the same applicant lists recur
        if not names:
            continue
        with_applicants += n
        if len(names) == 1:
            by_kind[kind_of(names[0])] += n
            continue
        distinct = set(names)
        if len(distinct) > 1:
            joint += n
        for kind in set(map(kind_of, distinct)):
            by_kind[kind] += n
    return ApplicantTypes(by_kind, joint, with_applicants, len(records))


# -- co-applicant network --------------------------------------------------------------------------

@dataclass
class NetworkNode:
    id: str  # the applicant name
    count: int  # applications
    kind: str


@dataclass
class NetworkLink:
    source: str  # the name that sorts first
    target: str
    value: int  # applications filed together


@dataclass
class Network:
    nodes: list[NetworkNode]  # count descending, then name
    links: list[NetworkLink]  # value descending, then source, target


def co_applicant_network(records: Sequence[NavRecord], top: int = 30) -> Network:
    """The `top` applicants and, between any two of them, the number of applications they filed together.
    Only the top applicants are linked (a pair outside them is not counted), so the work stays small."""
    leaders = top_items(applicant_counts(records), top)
    wanted = {name for name, _ in leaders}
    pairs: Counter[tuple[str, str]] = Counter()
    for r in records:
        names = r.applicants
        if len(names) < 2 or wanted.isdisjoint(names):
            continue
        inside = sorted({n for n in names if n in wanted})
        if len(inside) > 1:
            pairs.update(combinations(inside, 2))
    nodes = [NetworkNode(name, count, kind_of(name)) for name, count in leaders]
    links = [NetworkLink(a, b, n) for (a, b), n in sorted(pairs.items(), key=lambda item: (-item[1], item[0]))]
    return Network(nodes, links)
