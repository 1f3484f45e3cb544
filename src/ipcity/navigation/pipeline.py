"""One navigation run end to end: select the topic's patents, run every analysis, keep the results.

Stages are timed (seconds) and the process's peak memory is noted, for the run page and bench/navigation.py.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from pydantic import TypeAdapter
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from ipcity.navigation import dataset, gcpause
from ipcity.navigation.analyses import (
    applicants,
    clusters,
    gap,
    inventors,
    key_patents,
    origin,
    regions,
    technology,
    trend,
)
from ipcity.navigation.analyses.applicants import ApplicantRank, ApplicantTypes, Concentration, Network, YearNewcomers
from ipcity.navigation.analyses.clusters import ClusterResult
from ipcity.navigation.analyses.gap import GapResult
from ipcity.navigation.analyses.inventors import InventorStats
from ipcity.navigation.analyses.key_patents import KeyPatent, Operations, StatusMix
from ipcity.navigation.analyses.origin import CountryCounts, CountryPosition
from ipcity.navigation.analyses.regions import FocusPosition, RegionCounts
from ipcity.navigation.analyses.technology import IpcCount, IpcYearMatrix
from ipcity.navigation.analyses.trend import LifeCycle, Trend
from ipcity.navigation.domain import TopicDefinition, is_country
from ipcity.navigation.model import NavRecord

TREND_YEARS = 20
CLUSTER_SAMPLE = 5_000  # texts clustered at most: a fixed-seed random sample of a larger topic
TOP = 20
CN = "CN"

Progress = Callable[[int, int, str], None]


@dataclass
class Results:
    """Everything a dashboard and a report show, as plain data (stored as JSON on the run)."""

    records: int
    publications: int
    data_date: str | None
    register_size: int
    cn_records: int  # applications with a Chinese applicant region: the base of the regional analyses
    trend: Trend
    life_cycle: LifeCycle
    ranking: list[ApplicantRank]
    concentration: Concentration
    newcomers: list[YearNewcomers]
    applicant_types: ApplicantTypes
    network: Network
    provinces: RegionCounts
    origins: CountryCounts
    offices: CountryCounts
    ipc_sections: list[IpcCount]
    ipc_subclasses: list[IpcCount]
    ipc_groups: list[IpcCount]
    ipc_year: IpcYearMatrix
    clusters: ClusterResult
    most_cited: list[KeyPatent]
    largest_families: list[KeyPatent]
    status_mix: StatusMix
    operations: Operations
    inventors: InventorStats
    focus: FocusPosition | None = None
    focus_country: CountryPosition | None = None
    subregions: RegionCounts | None = None
    gap: GapResult | None = None
    notes: list[str] = field(default_factory=list)
    ipc_classes: list[IpcCount] = field(default_factory=list)  # a default: runs stored before it still load


RESULTS = TypeAdapter(Results)


def dump(results: Results) -> dict:
    return RESULTS.dump_python(results, mode="json")


def load(data: dict) -> Results:
    return RESULTS.validate_python(data)


def peak_memory_mb() -> float:
    """The peak resident memory of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stages:
    """Seconds per stage, in order."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._start = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self._start, 3)
        self._start = now

    def as_dict(self) -> dict:
        return {"seconds": self.seconds, "total": round(sum(self.seconds.values()), 3),
                "peak_memory_mb": round(peak_memory_mb(), 1)}


def analyse(records: list[NavRecord], texts: list[tuple[int | None, str]], definition: TopicDefinition, *,
            data_date: date | None, lang: str = "zh", publications: int = 0, register_size: int = 0,
            stages: Stages | None = None, progress: Progress | None = None) -> Results:
    """Every analysis of the issue on plain data; `texts` is the (year, title + abstract) sample for clusters."""
    with gcpause.paused():
        return _analyse(records, texts, definition, data_date=data_date, lang=lang, publications=publications,
                        register_size=register_size, stages=stages, progress=progress)


def _analyse(records: list[NavRecord], texts: list[tuple[int | None, str]], definition: TopicDefinition, *,
             data_date: date | None, lang: str, publications: int, register_size: int, stages: Stages | None,
             progress: Progress | None) -> Results:
    stages = stages or Stages()
    report = progress or (lambda done, total, label: None)
    steps = 8
    data_year = data_date.year if data_date else None
    # Without a period of its own, a topic's charts over time show the last TREND_YEARS years: one filing
    # in 1908 would otherwise stretch every axis and make the growth rate meaningless.
    start = definition.start_year or (data_year - TREND_YEARS + 1 if data_year else None)
    report(0, steps, "trend")
    trend_result = trend.filing_trend(records, start, definition.end_year, data_year=data_year)
    life = trend.life_cycle(records, start, definition.end_year, data_year=data_year)
    report(1, steps, "applicants")
    ranking = applicants.ranking(records, top=TOP)
    concentration = applicants.concentration(records)
    newcomers = applicants.newcomers(records)
    types = applicants.applicant_types(records)
    network = applicants.co_applicant_network(records, top=30)
    report(2, steps, "regions")
    # Regional analyses compare Chinese applicants (a region code comes from a Chinese address).
    chinese = [r for r in records if r.region_code]
    provinces = regions.by_province(chinese)
    origins, offices = origin.by_origin(records), origin.by_office(records)
    focus = focus_country = subregions = gap_result = None
    if definition.focus_region and is_country(definition.focus_region):
        # A country of origin against every application of the topic.
        focus_country = origin.origin_position(records, definition.focus_region)
        gap_result = gap.gap_analysis(records, definition.focus_region, lang=lang,
                                      in_focus=lambda r: r.origin == definition.focus_region)
    elif definition.focus_region:
        # A Chinese division against all applications with a Chinese address ("Shanghai against all of China").
        focus = regions.focus_position(chinese, definition.focus_region)
        subregions = regions.by_subregion(chinese, definition.focus_region)
        gap_result = gap.gap_analysis(chinese, definition.focus_region, lang=lang)
    report(3, steps, "technology")
    sections = technology.ipc_distribution(records, level="section", top=8, lang=lang)
    classes = technology.ipc_distribution(records, level="class", top=TOP, lang=lang)
    subclasses = technology.ipc_distribution(records, level="subclass", top=TOP, lang=lang)
    groups = technology.ipc_distribution(records, level="main_group", top=TOP, lang=lang)
    ipc_year = technology.ipc_year_matrix(records, level="subclass", top=10, years=trend_result.years)
    report(4, steps, "key patents")
    cited = key_patents.most_cited(records, top=TOP)
    families = key_patents.largest_families(records, top=TOP)
    status = key_patents.legal_status_mix(records)
    operations = key_patents.operations(records)
    report(5, steps, "inventors")
    inventor_stats = inventors.inventor_stats(records, top=TOP)
    stages.done("analyse")
    report(6, steps, "clusters")
    # One BLAS/OpenMP thread: k-means in a server's worker thread, beside web requests on 2 cores, was up to
    # 10x slower with the default pool of spinning threads (measured 0.7 s alone, 9.7 s in the job).
    with threadpool_limits(limits=1):
        cluster_result = clusters.text_clusters(texts, seed=0, lang=lang)
    stages.done("clusters")
    report(7, steps, "done")
    notes = []
    if len(texts) < len(records):
        notes.append("cluster_sample")
    return Results(
        records=len(records), publications=publications, data_date=data_date.isoformat() if data_date else None,
        register_size=register_size, cn_records=len(chinese), trend=trend_result, life_cycle=life,
        ranking=ranking, concentration=concentration, newcomers=newcomers, applicant_types=types,
        network=network, provinces=provinces, origins=origins, offices=offices, focus_country=focus_country,
        ipc_sections=sections, ipc_classes=classes, ipc_subclasses=subclasses,
        ipc_groups=groups, ipc_year=ipc_year, clusters=cluster_result, most_cited=cited,
        largest_families=families, status_mix=status, operations=operations, inventors=inventor_stats,
        focus=focus, subregions=subregions, gap=gap_result, notes=notes)


def run(session: Session, definition: TopicDefinition, *, engine=None, lang: str = "zh",
        progress: Progress | None = None, stages: Stages | None = None) -> Results:
    """Select, then analyse: what a run job and the benchmark both call."""
    stages = stages or Stages()
    selection = dataset.select_records(session, definition, engine=engine, progress=progress)
    stages.done("select")
    texts = dataset.sample_texts(session, selection.records, CLUSTER_SAMPLE)
    stages.done("texts")
    results = analyse(selection.records, texts, definition, data_date=selection.data_date, lang=lang,
                      publications=selection.publications, register_size=selection.register_size,
                      stages=stages, progress=progress)
    results.notes = [*selection.notes, *results.notes]
    return results
