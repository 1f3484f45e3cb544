"""Inventors: how many, who files most, for whom, and how large the teams are
(GB/T 39551.6 talent management, rules.md §7: identify inventors from patent data).

Inventors are told apart by name only, so namesakes merge (a known limit of name-based counting). An
application counts once per distinct inventor; team size = distinct inventors on the application.
Ties: count descending, then name ascending.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ipcity.navigation.analyses.applicants import distinct_names, top_items
from ipcity.navigation.analyses.trend import year_span
from ipcity.navigation.model import NavRecord

TEAM_BUCKETS = ("1", "2", "3", "4", "5", "6-9", "10+")


def team_bucket(size: int) -> str:
    if size <= 5:
        return str(size)
    return "6-9" if size <= 9 else "10+"


@dataclass
class InventorRank:
    name: str
    count: int  # applications naming the inventor
    main_applicant: str  # the applicant on most of those applications (ties: name ascending); "" if none


@dataclass
class TeamYear:
    year: int
    applications: int  # filed that year with at least one inventor
    mean_team_size: float | None  # None when there is none


@dataclass
class InventorStats:
    distinct_inventors: int
    applications_with_inventors: int
    total: int  # applications passed in
    top: list[InventorRank]
    team_sizes: dict[str, int]  # TEAM_BUCKETS -> applications (all buckets present)
    mean_team_size: float | None  # over applications with inventors
    by_year: list[TeamYear]  # continuous range of app_year of applications with inventors


def inventor_stats(records: Sequence[NavRecord], top: int = 20) -> InventorStats:
    """Distinct inventors, the `top` inventors by applications with the applicant they file for most,
    and the team-size histogram and means (overall and per app_year)."""
    found: list[str] = []  # each application's distinct inventors, all in one list: counted once, in C
    years: list[int | None] = []  # app_year and team size of each application with inventors
    team: list[int] = []
    for r in records:
        names = r.inventors
        if not names:
            continue
        if len(names) > 1:
            names = set(names)
        found.extend(names)
        years.append(r.app_year)
        team.append(len(names))
    counts = Counter(found)
    by_year_size = Counter(zip(years, team, strict=True))
    leaders = top_items(counts, top)
    wanted = {name for name, _ in leaders}
    employers: dict[str, list[str]] = {name: [] for name in wanted}  # the applicants of each one's applications
    for r in records:
        if not r.applicants or wanted.isdisjoint(r.inventors):
            continue
        applicants = distinct_names(r.applicants)
        for name in wanted.intersection(r.inventors):
            employers[name].extend(applicants)
    ranks = []
    for name, n in leaders:
        best = top_items(Counter(employers[name]), 1)
        ranks.append(InventorRank(name, n, best[0][0] if best else ""))

    sizes: Counter[int] = Counter()
    apps_by_year: Counter[int] = Counter()
    size_sum_by_year: Counter[int] = Counter()
    for (year, size), n in by_year_size.items():
        sizes[size] += n
        if year is not None:
            apps_by_year[year] += n
            size_sum_by_year[year] += size * n
    with_inventors = len(team)
    buckets = dict.fromkeys(TEAM_BUCKETS, 0)
    for size, n in sizes.items():
        buckets[team_bucket(size)] += n
    mean = sum(team) / with_inventors if with_inventors else None
    by_year = [TeamYear(y, apps_by_year[y], size_sum_by_year[y] / apps_by_year[y] if apps_by_year[y] else None)
               for y in year_span(apps_by_year)]
    return InventorStats(len(counts), with_inventors, len(records), ranks, buckets, mean, by_year)
