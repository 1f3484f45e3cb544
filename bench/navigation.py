"""Benchmark of patent navigation (专利导航): a full analysis and its PDF report on a SYNTHETIC register.

    .venv/bin/python bench/navigation.py                      # N = 40,000
    .venv/bin/python bench/navigation.py --n 40000 --n 1000000  # or --n 40000,1000000
    .venv/bin/python bench/navigation.py --n 40000 --repeat 5   # the median of 5 runs
    .venv/bin/python bench/navigation.py --n 1000000 --profile  # also cProfile select + analyse (separate run)

For each N the script
1. builds (or reuses) a SQLite register of N synthetic publications under bench/out/navigation/: the records
   of bench/synthetic.py (no real patent is in them), completed with what the analyses read and the generator
   does not make (citations, families, transfers / licences / pledges, foreign applicants with a priority,
   a few addresses without a region), plus the A publication of every granted invention (one application,
   two register rows, as CNIPA data has them). Design patents are left out: they have no IPC, so an IPC topic
   never selects them, and the topic below then covers every row. Rows go in through `store.upsert` in batches;
   a complete register is reused on the next run (a side file says what made it), an interrupted one resumed;
2. times, in a fresh process, a plain pass over the same rows (the 18 columns the navigation scan reads, selected
   through SQLAlchemy with yield_per, JSON and dates decoded, nothing else): the baseline, the same work whatever
   the version of the scan, so that ratios to it compare across versions and machine loads; beside it the same
   pass with sqlite3 + json.loads, and the scan's own cursor pass (register_scan.stream, nothing decoded);
3. times, in another fresh process, the navigation run of `service.execute_run` stage by stage on the topic
   TopicDefinition(kind="ipc", ipc_codes=A..H, focus_region="31"): select (dataset.select_records), texts
   (dataset.sample_texts), analyse and clusters (pipeline.analyse), report (report_builder.build), pdf
   (report.render_pdf), json (pipeline.dump + json.dumps, what the run row stores); after each stage the
   wall and CPU seconds, the process's peak resident memory (ru_maxrss) and its current one; with --repeat R,
   R such processes, and the median one is printed. End to end is the sum of these stages: a
   warm job worker, module imports counted apart. Storing the PDF and the results in the database is not
   timed.

Goals (issue 18 item 4): 40,000 records in under 10 s end to end; 1,000,000 in under 60 s without exceeding
4 GB (peak RSS < 4,000,000,000 bytes = 3,815 MiB). (Before: 15 s and 3 minutes.) The printed figures are also written to
bench/results/navigation-<N>.txt. Exit status 0 when the runs completed, whatever the verdicts; 1 when a
stage failed; 2 when the real data the synthetic corpus is made from is missing (and a register must be built).
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import itertools
import json
import os
import pstats
import resource
import signal
import sqlite3
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT / "src", Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import benchkit  # noqa: E402  (bench/benchkit.py)
import synthetic  # noqa: E402  (bench/synthetic.py)
from benchkit import interrupt  # noqa: E402

OUT = ROOT / "bench" / "out" / "navigation"
RESULTS = ROOT / "bench" / "results"
REGISTER_VERSION = 1  # change when the records below change: a register made by another version is rebuilt
INSERT_BATCH = 2_000  # records per store.upsert call (one transaction each)
MiB = 1024 * 1024
GOAL_BYTES = 4_000_000_000  # "4 GB"
GOALS = {40_000: {"seconds": 10.0}, 1_000_000: {"seconds": 60.0, "peak_bytes": GOAL_BYTES}}
TOPIC = {"kind": "ipc", "nav_type": "regional", "ipc_codes": list("ABCDEFGH"), "focus_region": "31"}
TOPIC_TITLE = "合成语料全库导航（基准测试）"
SYNTHETIC = "SYNTHETIC corpus"

# What bench/synthetic.py does not generate and the analyses read (shares are rough orders of magnitude).
FOREIGN_SHARE = 0.05  # foreign applicants with a foreign priority: no Chinese address, origin ≠ CN
NO_ADDRESS_SHARE = 0.03  # Chinese applicants whose address the source lacks: no region code
FOREIGN_COUNTRIES = (("JP", 0.35, "日本", "株式会社"), ("US", 0.30, "美国", "公司"), ("KR", 0.12, "韩国", "株式会社"),
                     ("DE", 0.10, "德国", "有限责任公司"), ("FR", 0.05, "法国", "股份有限公司"),
                     ("CH", 0.04, "瑞士", "股份公司"), ("GB", 0.04, "英国", "有限公司"))
FOREIGN_POOL = 3_000
FAMILY_OFFICES = ("WO", "US", "EP", "JP", "KR", "DE")
TRANSFER_EVENT = ("transfer", "C41", "专利申请权、专利权的转移")
LICENCE_EVENT = ("licence", "EE01", "专利实施许可合同备案的生效")
PLEDGE_EVENT = ("pledge", "PE01", "专利权质押合同登记的生效")


class BenchError(RuntimeError):
    pass


# --- the records -----------------------------------------------------------------------------------------


def _days(rng: Random, low: int, high: int) -> timedelta:
    return timedelta(days=low + int(rng.random() * (high - low + 1)))


class Completer:
    """Adds to a synthetic record what the navigation analyses use and bench/synthetic.py leaves empty.
    One random stream for the whole corpus, advanced record by record: deterministic for the seed."""

    def __init__(self, seed: int):
        self.rng = Random(f"navigation-{seed}")
        self.countries = synthetic.Weighted([c for c, *_ in FOREIGN_COUNTRIES], [w for _, w, *_ in FOREIGN_COUNTRIES])
        self.foreign_ranks = synthetic.Weighted(range(FOREIGN_POOL), synthetic.zipf_weights(FOREIGN_POOL, 0.9))
        self.country_of = {c: (zh, form) for c, _, zh, form in FOREIGN_COUNTRIES}

    def __call__(self, rec):
        from ipcity.patents.record import INVENTION, Priority

        rng = self.rng
        changes: dict = {}
        age = (synthetic.TODAY - rec.app_date).days / 365.25
        foreign = rng.random() < FOREIGN_SHARE
        if foreign:
            country = self.countries.draw(rng)
            changes.update(self._foreign(country))
            changes["priorities"] = [Priority(f"{country}{rec.app_date.year - 1}-{int(rng.random() * 900_000):06d}",
                                              rec.app_date - _days(rng, 180, 365), country)]
        elif rng.random() < NO_ADDRESS_SHARE:
            changes.update(address="", region_code="")
        # Citations received: most applications none, a few many (heavy tail), more with age and for inventions.
        mean = 0.35 * age * (1.6 if rec.patent_type == INVENTION else 1.0)
        changes["cited_by"] = int(rng.expovariate(1 / mean) * rng.paretovariate(2.0)) if mean > 0 else 0
        # Families: most domestic filings stay in China; foreign applicants file in several offices.
        if rng.random() < (0.7 if foreign else 0.06 if rec.patent_type == INVENTION else 0.01):
            members = 1 + min(int(rng.expovariate(0.35)), 14)
            offices = [synthetic._pick(rng, FAMILY_OFFICES) for _ in range(members)]
            changes["family"] = [f"{o}{rec.app_date.year}{int(rng.random() * 10_000_000):07d}A1" for o in offices]
            changes["family_size"] = members + 1
        else:
            changes["family_size"] = 1
        events = list(rec.events)
        events += self._operations(rec, age)
        if len(events) > len(rec.events):
            events.sort(key=lambda e: e.date or date.min)
            changes["events"] = events
        return dataclasses.replace(rec, **changes)

    def _foreign(self, country: str) -> dict:
        rank = self.foreign_ranks.draw(self.rng)
        named = Random(f"foreign-{country}-{rank}")
        zh, form = self.country_of[country]
        trade = synthetic._pick(named, synthetic._TRADE_CHARS) + synthetic._pick(named, synthetic._TRADE_CHARS)
        name = f"{zh}{trade}{synthetic._pick(named, synthetic._INDUSTRIES)}{form}"
        return {"applicants": [name], "address": f"{zh}", "region_code": ""}

    def _operations(self, rec, age: float) -> list:
        """Transfers, licences and pledges (rules.md §7 patent operation): mostly after grant, more with age."""
        from ipcity.patents.record import LegalEvent

        rng = self.rng
        start = rec.grant_date or rec.pub_date or rec.app_date
        span = max((synthetic.TODAY - start).days, 1)
        found = []
        for (kind, code, text), share in ((TRANSFER_EVENT, min(0.03 + 0.008 * age, 0.15)),
                                          (LICENCE_EVENT, 0.015), (PLEDGE_EVENT, 0.02)):
            if kind != "transfer" and rec.grant_date is None:
                continue  # only a patent can be licensed on record or pledged
            if rng.random() < share:
                found.append(LegalEvent(kind, start + timedelta(days=int(rng.random() * span)), code, text))
        return found


def register_rows(seed: int, data: str | None) -> Iterator:
    """The register's rows in insertion order (unbounded: the caller cuts it). For a granted invention the A
    publication comes first, then the B (same application, same events; §12.2)."""
    from ipcity.patents.record import DESIGN

    vocab = synthetic.Vocabulary(Path(data) if data else None, seed)
    complete = Completer(seed)
    for rec in synthetic.generate(10 ** 12, seed, vocabulary=vocab):
        if rec.patent_type == DESIGN:
            continue
        rec = complete(rec)
        if rec.kind == "B":
            published = next((e.date for e in rec.events if e.kind == "publication"), rec.app_date)
            yield dataclasses.replace(rec, pub_number=rec.pub_number[:-1] + "A", kind="A", pub_date=published,
                                      grant_date=None)
        yield rec


def shown(path: Path) -> Path:
    """A path as printed: relative to the checkout when it is inside it (--out may point elsewhere)."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


# --- process helpers -------------------------------------------------------------------------------------


def memory() -> dict:
    """Peak resident memory of this process so far (ru_maxrss, KiB on Linux) and the current one, in bytes."""
    now = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {"peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "rss_bytes": now}


def in_child(func: Callable, *args):
    """Run `func(*args)` in a fresh process (its own peak memory) and return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(func, *args).result()


def machine() -> str:
    packages = ("SQLAlchemy", "weasyprint", "scikit-learn", "rjieba", "pydantic")
    facts = benchkit.machine(packages)
    return (f"{facts['cores']} cores, {facts['ram_gb']:.1f} GiB RAM, Python {facts['python']}, "
            f"SQLite {facts['sqlite']}, {', '.join(f'{p} {facts[p]}' for p in packages)}; load average "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def database_url(path: Path) -> str:
    return f"sqlite:///{path}"


def file_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / MiB


# --- stage: the register ---------------------------------------------------------------------------------


def register_path(out: Path, n: int, seed: int) -> Path:
    return out / f"register-{n}-seed{seed}.sqlite3"


def stage_build(path: str, n: int, seed: int, data: str | None) -> dict:
    """Insert rows until the register holds n (resuming after the rows an interrupted build committed)."""
    from sqlalchemy import func, select

    from ipcity.core.db import Database
    from ipcity.patents import store
    from ipcity.patents.ingest.bulk import chunked
    from ipcity.patents.tables import Patent

    db = Database(database_url(Path(path)))
    db.migrate()
    with db.session() as s:
        have = s.scalar(select(func.count()).select_from(Patent)) or 0
    if have > n:
        raise BenchError(f"{path} holds {have:,} rows, more than {n:,}: delete it")
    started = time.perf_counter()
    done, step = have, max(n // 10, INSERT_BATCH)
    for batch in chunked(itertools.islice(register_rows(seed, data), have, n), INSERT_BATCH):
        with db.session() as s:
            counts, _ = store.upsert(s, batch)
            s.commit()
        if counts.inserted != len(batch):
            raise BenchError(f"upsert inserted {counts.inserted} of {len(batch)} rows: the stream is not the one "
                             "that made this register; delete it")
        done += len(batch)
        if done // step != (done - len(batch)) // step and done < n:
            took = time.perf_counter() - started
            print(f"      register: {done:,} of {n:,} rows, {took:.0f} s, {(done - have) / took:,.0f} rows/s",
                  flush=True)
    with db.session() as s:
        rows = s.scalar(select(func.count()).select_from(Patent)) or 0
    db.dispose()
    # The checkpoint runs outside any transaction: the engine's connections begin IMMEDIATE (core/db.py), and
    # SQLite refuses a checkpoint inside a transaction with "database table is locked" (SQLITE_LOCKED).
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    wall = time.perf_counter() - started
    return {"rows": rows, "resumed_from": have, "wall_s": wall, **memory()}


def ensure_register(out: Path, n: int, seed: int, data: str | None, rebuild: bool) -> tuple[Path, str]:
    """The register of n rows, built or reused; and a line saying which."""
    path = register_path(out, n, seed)
    meta_path = path.with_suffix(".json")
    wanted = {"version": REGISTER_VERSION, "n": n, "seed": seed}
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
    if rebuild or (meta is not None and {k: meta.get(k) for k in wanted} != wanted):
        for p in path.parent.glob(path.name + "*"):
            p.unlink()
        meta_path.unlink(missing_ok=True)
        meta = None
    if meta is not None and meta.get("complete") and path.exists():
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT count(*) FROM patent").fetchone()[0]
        if rows == n:
            return path, (f"register REUSED: {shown(path)} ({rows:,} rows, {file_mb(path):,.0f} MB; "
                          f"built {meta.get('built_at', '?')} in {meta.get('build_s', 0):,.0f} s)")
    synthetic.resolve_data(Path(data) if data else None)  # DataMissing with the reason, before a long build
    path.parent.mkdir(parents=True, exist_ok=True)
    resumed = path.exists()
    print(f"  building the register {shown(path)} ({'resuming' if resumed else 'new'}) ...", flush=True)
    built = in_child(stage_build, str(path), n, seed, data)
    if built["rows"] != n:
        raise BenchError(f"the register holds {built['rows']:,} rows, not {n:,}")
    inserted = built["rows"] - built["resumed_from"]
    resumed_note = f", resumed after {built['resumed_from']:,}" if built["resumed_from"] else ""
    meta_path.write_text(json.dumps({**wanted, "complete": True, "rows": built["rows"],
                                     "built_at": datetime.now().isoformat(timespec="seconds"),
                                     "build_s": round(built["wall_s"], 1)}) + "\n")
    return path, (f"register BUILT: {shown(path)}: {inserted:,} rows inserted through store.upsert in "
                  f"batches of {INSERT_BATCH:,} in {built['wall_s']:,.0f} s ({inserted / built['wall_s']:,.0f} rows/s"
                  f"{resumed_note}); "
                  f"{file_mb(path):,.0f} MB; build peak RSS {built['peak_bytes'] / MiB:,.0f} MiB")


# --- stage: the baseline ---------------------------------------------------------------------------------


# The 18 columns the navigation scan reads, as the baseline pass streams them (the scan before issue 18 read
# exactly these through SQLAlchemy): fixed here, so that the baseline stays the same work from one version of the
# scan to the next and the ratios to it compare across versions and machine loads.
BASELINE_COLUMNS = ("pub_number", "app_number", "app_date", "pub_date", "patent_type", "office", "ipc_main", "ipc",
                    "applicants", "inventors", "region_code", "legal_status", "cited_by", "family_size", "family",
                    "events", "title", "priorities")
BASELINE_BATCH = 10_000


def stage_baseline(path: str) -> dict:
    """A plain pass over the rows the navigation scan reads, doing nothing with them: through SQLAlchemy (a
    select of the 18 columns with yield_per, JSON and dates decoded: the baseline the ratios are taken to); with
    the sqlite3 module and json.loads alone, for scale; and the scan's own cursor pass
    (register_scan.stream of dataset.COLUMNS, nothing decoded), the floor of the select stage."""
    from sqlalchemy import select

    from ipcity.core.db import Database
    from ipcity.navigation import dataset
    from ipcity.patents import register_scan
    from ipcity.patents.tables import Patent

    db = Database(database_url(Path(path)))
    columns = [getattr(Patent, name) for name in BASELINE_COLUMNS]
    started = time.perf_counter()
    rows = 0
    with db.session() as s:
        for _row in s.execute(select(*columns).order_by(Patent.id).execution_options(yield_per=BASELINE_BATCH)):
            rows += 1
    orm_s = time.perf_counter() - started
    started = time.perf_counter()
    with db.session() as s:
        scanned = sum(len(page) for page in register_scan.stream(s, dataset.COLUMNS, batch=dataset.BATCH))
    scan_s = time.perf_counter() - started
    db.dispose()
    json_at = [i for i, c in enumerate(columns) if c.type.__class__.__name__ == "JSON"]
    started = time.perf_counter()
    loads = json.loads
    with sqlite3.connect(path) as conn:
        cursor = conn.execute(f"SELECT {', '.join(BASELINE_COLUMNS)} FROM patent ORDER BY id")
        while chunk := cursor.fetchmany(BASELINE_BATCH):
            for row in chunk:
                for i in json_at:
                    loads(row[i])
    raw_s = time.perf_counter() - started
    if scanned != rows:
        raise BenchError(f"the scan's pass read {scanned:,} rows, the baseline {rows:,}")
    return {"rows": rows, "seconds": orm_s, "raw_seconds": raw_s, "scan_seconds": scan_s,
            "columns": len(columns), "json_columns": len(json_at), "scan_columns": len(dataset.COLUMNS),
            "yield_per": BASELINE_BATCH, **memory()}


# --- stage: the navigation run ---------------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process so far, all its threads (BLAS and OpenMP in the clusters use both cores)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Meter:
    """Seconds (wall and CPU) and memory after each stage, in order."""

    def __init__(self) -> None:
        self.stages: list[dict] = []
        self.restart()

    def done(self, name: str, seconds: float | None = None, mem: dict | None = None, cpu: float | None = None) -> None:
        now, cpu_now = time.perf_counter(), cpu_seconds()
        self.stages.append({"stage": name, "seconds": now - self._start if seconds is None else seconds,
                            "cpu_s": cpu_now - self._cpu if cpu is None else cpu, **(mem or memory())})
        self._start, self._cpu = now, cpu_now

    def restart(self) -> None:
        self._start, self._cpu = time.perf_counter(), cpu_seconds()


def stage_navigation(path: str, pdf_path: str) -> dict:
    """service.execute_run's work, stage by stage, on the benchmark topic (without storing PDF and results)."""
    meter = Meter()
    import weasyprint  # noqa: F401  (report.render_pdf imports it; a job worker has it loaded after its first run)
    from sqlalchemy import func, select

    from ipcity.core.db import Database
    from ipcity.navigation import dataset, pipeline, report, report_builder
    from ipcity.navigation.domain import TopicDefinition
    from ipcity.patents.tables import Patent

    meter.done("imports")
    definition = TopicDefinition(**TOPIC)
    db = Database(database_url(Path(path)))
    with db.session() as s:
        register = s.scalar(select(func.count()).select_from(Patent))
    meter.restart()
    with db.session() as s:
        selection = dataset.select_records(s, definition)
        meter.done("select")
        texts = dataset.sample_texts(s, selection.records, pipeline.CLUSTER_SAMPLE)
        meter.done("texts")
    stages = pipeline.Stages()
    after_analyse: dict = {}

    cpu_before = cpu_seconds()

    def progress(done: int, total: int, label: str) -> None:
        if label == "clusters":  # pipeline.analyse reports this right after its "analyse" stage
            after_analyse.update(memory(), cpu=cpu_seconds())

    results = pipeline.analyse(selection.records, texts, definition, data_date=selection.data_date, lang="zh",
                               publications=selection.publications, register_size=selection.register_size,
                               stages=stages, progress=progress)
    results.notes = [*selection.notes, *results.notes]
    cpu_analyse = after_analyse.pop("cpu") - cpu_before
    meter.done("analyse", stages.seconds["analyse"], after_analyse, cpu_analyse)
    meter.done("clusters", stages.seconds["clusters"], cpu=cpu_seconds() - cpu_before - cpu_analyse)
    doc = report_builder.build(results, definition, title=TOPIC_TITLE, lang="zh",
                               description="合成语料（bench/synthetic.py），非真实专利数据。")
    meter.done("report")
    pdf = report.render_pdf(doc)
    meter.done("pdf")
    stored = json.dumps(pipeline.dump(results), ensure_ascii=False)
    meter.done("json")
    db.dispose()
    Path(pdf_path).write_bytes(pdf)
    try:
        from pypdf import PdfReader

        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    except Exception:  # noqa: BLE001 - the page count is only information
        pages = None
    return {"stages": meter.stages, "register": register, "publications": selection.publications,
            "applications": len(selection.records), "texts": len(texts), "cn_records": results.cn_records,
            "clusters": len(results.clusters.clusters),
            "pdf_bytes": len(pdf), "pdf_pages": pages, "json_bytes": len(stored.encode()),
            "data_date": results.data_date, "cluster_sample": pipeline.CLUSTER_SAMPLE,
            "pipeline_stages": stages.as_dict()}


def stage_profile(path: str, stats_path: str, top: int) -> dict:
    """select + texts + analyse (with clusters) under cProfile; the stats by own time and by cumulative time."""
    from ipcity.core.db import Database
    from ipcity.navigation import dataset, pipeline
    from ipcity.navigation.domain import TopicDefinition

    definition = TopicDefinition(**TOPIC)
    db = Database(database_url(Path(path)))
    texts_out = {}
    for name in ("select", "analyse"):
        profiler = cProfile.Profile()
        started = time.perf_counter()
        with db.session() as s:
            if name == "select":
                profiler.enable()
                selection = dataset.select_records(s, definition)
                texts = dataset.sample_texts(s, selection.records, pipeline.CLUSTER_SAMPLE)
                profiler.disable()
            else:
                profiler.enable()
                pipeline.analyse(selection.records, texts, definition, data_date=selection.data_date, lang="zh",
                                 publications=selection.publications, register_size=selection.register_size)
                profiler.disable()
        wall = time.perf_counter() - started
        what = "dataset.select_records + sample_texts" if name == "select" else "pipeline.analyse"
        parts = [f"=== {name} ({what})", f"wall under the profiler {wall:.1f} s"]
        for order in ("tottime", "cumulative"):
            buffer = io.StringIO()
            pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order).print_stats(top)
            parts.append(f"--- sorted by {order}\n" + buffer.getvalue().split("\n\n", 1)[-1].strip())
        texts_out[name] = "\n".join(parts)
    db.dispose()
    Path(stats_path).write_text("\n\n".join(texts_out.values()) + "\n")
    return texts_out


# --- report ----------------------------------------------------------------------------------------------


def end_to_end(nav: dict) -> float:
    return sum(s["seconds"] for s in nav["stages"] if s["stage"] != "imports")


def print_scenario(say: benchkit.Printer, n: int, register_line: str, base: dict,
                   runs: list[dict]) -> list[tuple[str, bool]]:
    """The figures of the median run (by end-to-end time), the other runs' totals beside them; the goals."""
    ordered = sorted(runs, key=end_to_end)
    nav = ordered[len(ordered) // 2]  # the median run (of an even count, the slower middle one)
    stages = [s for s in nav["stages"] if s["stage"] != "imports"]
    imports = next(s for s in nav["stages"] if s["stage"] == "imports")
    total = end_to_end(nav)
    peak = max(s["peak_bytes"] for run in runs for s in run["stages"])
    say(f"\n  {register_line}")
    say(f"  topic: TopicDefinition({', '.join(f'{k}={v!r}' for k, v in TOPIC.items())})")
    say(f"    → {nav['publications']:,} publications of {nav['register']:,} register rows = {nav['applications']:,} "
        f"applications (A and B of one application merged); {nav['cn_records']:,} with a Chinese region code; "
        f"{nav['texts']:,} texts clustered into {nav['clusters']}; data as of {nav['data_date']}")
    say(f"\n  BASELINE [{SYNTHETIC}]: plain passes over the same {base['rows']:,} rows, doing nothing else with them:")
    say(f"    SQLAlchemy select of the {base['columns']} columns the scan reads ({base['json_columns']} JSON, dates "
        f"decoded; yield_per {base['yield_per']:,}):")
    say(f"      the baseline                                {base['seconds']:8.2f} s "
        f"({base['rows'] / base['seconds']:,.0f} rows/s); peak RSS {base['peak_bytes'] / MiB:,.0f} MiB")
    say(f"    sqlite3 + json.loads of the same, for scale:  {base['raw_seconds']:8.2f} s "
        f"({base['rows'] / base['raw_seconds']:,.0f} rows/s)")
    say(f"    the scan's cursor pass (register_scan.stream, {base['scan_columns']} columns of dataset.COLUMNS, "
        f"nothing decoded):")
    say(f"      the floor of `select`                       {base['scan_seconds']:8.2f} s "
        f"({base['rows'] / base['scan_seconds']:,.0f} rows/s)")
    which = (f"the median of {len(runs)} runs, each in a fresh process" if len(runs) > 1 else "one fresh process")
    say(f"\n  NAVIGATION RUN [{SYNTHETIC}, N={n:,}] ({which}; ÷ base = seconds / the baseline's; CPU = the "
        "process's CPU seconds, all threads; peak = its ru_maxrss after the stage)")
    head = (f"    {'stage':<10} {'seconds':>9} {'share':>7} {'÷ base':>7} {'CPU s':>7} {'peak MiB':>10} {'RSS MiB':>9}"
            "   what")
    say(head)
    say("    " + "-" * (len(head) - 4))
    what = {"select": "dataset.select_records (scan the register, build NavRecords, merge A+B)",
            "texts": f"dataset.sample_texts (title + abstract of ≤ {nav['cluster_sample']:,} sampled records)",
            "analyse": "pipeline.analyse: trend, applicants, regions, gap, technology, key patents, inventors",
            "clusters": "pipeline.analyse: clusters.text_clusters (TF-IDF, LSA, k-means)",
            "report": "report_builder.build (ReportDoc)",
            "pdf": f"report.render_pdf (WeasyPrint): {nav['pdf_bytes'] / 1024:,.0f} KiB, "
                   f"{nav['pdf_pages'] or '?'} pages",
            "json": f"pipeline.dump + json.dumps: {nav['json_bytes'] / 1024:,.0f} KiB"}
    for s in stages:
        say(f"    {s['stage']:<10} {s['seconds']:9.2f} {s['seconds'] / total * 100:6.1f}% "
            f"{s['seconds'] / base['seconds']:7.2f} {s['cpu_s']:7.2f} "
            f"{s['peak_bytes'] / MiB:10,.0f} {s['rss_bytes'] / MiB:9,.0f}   {what.get(s['stage'], '')}")
    say("    " + "-" * (len(head) - 4))
    cpu = sum(s["cpu_s"] for s in stages)
    run_peak = max(s["peak_bytes"] for s in stages)
    say(f"    {'end to end':<10} {total:9.2f} {100:6.1f}% {total / base['seconds']:7.2f} {cpu:7.2f} "
        f"{run_peak / MiB:10,.0f}"
        f"            (+ {imports['seconds']:.2f} s module imports, not counted: a job worker has them loaded)")
    if len(runs) > 1:
        say(f"    end to end of each run: {', '.join(f'{end_to_end(r):.2f}' for r in runs)} s (in run order); "
            f"median {total:.2f} s, fastest {end_to_end(ordered[0]):.2f} s")
    say(f"\n  end to end {total:.2f} s → {nav['publications'] / total:,.0f} records/s "
        f"({nav['applications'] / total:,.0f} applications/s); {total / base['seconds']:.1f}× the baseline pass "
        f"({total / base['raw_seconds']:.1f}× the sqlite3 pass); peak RSS {peak / MiB:,.0f} MiB"
        f"{' (highest of the runs)' if len(runs) > 1 else ''}")
    checks: list[tuple[str, bool]] = []
    goal = GOALS.get(n)
    if goal:
        median = " (median run)" if len(runs) > 1 else ""
        checks.append((f"N={n:,}: end to end < {goal['seconds']:g} s: {total:.1f} s{median}", total < goal["seconds"]))
        if "peak_bytes" in goal:
            checks.append((f"N={n:,}: peak RSS < 4 GB ({goal['peak_bytes'] / MiB:,.0f} MiB): {peak / MiB:,.0f} MiB",
                           peak < goal["peak_bytes"]))
    say(f"\n  GOALS [{SYNTHETIC}, N={n:,}]:")
    if not checks:
        say(f"    none at N={n:,} (goals: 40,000 in < 10 s; 1,000,000 in < 60 s and < 4 GB)")
    for text, ok in checks:
        say(f"    {benchkit.verdict(ok)}  {text}")
    return checks


# --- main ------------------------------------------------------------------------------------------------


def parse_sizes(values: list[str] | None) -> list[int]:
    sizes: list[int] = []
    for value in values or ["40000"]:
        for part in value.replace("_", "").split(","):
            if part.strip():
                sizes.append(int(float(part)))  # 1e6 works too
    if not sizes or min(sizes) < 1:
        raise ValueError("--n must be positive")
    return list(dict.fromkeys(sizes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", action="append", help="register rows; repeat or list them (40000; e.g. 40000,1000000)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (0)")
    parser.add_argument("--data", type=Path, default=None,
                        help=f"the shared real data the corpus is built from (default {synthetic.DEFAULT_DATA})")
    parser.add_argument("--out", type=Path, default=OUT, help=f"registers, PDFs, profiles (default {OUT})")
    parser.add_argument("--rebuild", action="store_true", help="build the registers again even when complete")
    parser.add_argument("--profile", action="store_true",
                        help="also run select and analyse under cProfile, in a separate process (not timed)")
    parser.add_argument("--profile-top", type=int, default=25, help="functions listed per profile order (25)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="navigation runs per N, each in a fresh process; the median run is shown (1)")
    parser.add_argument("--build-only", action="store_true", help="only build (or check) the registers, time nothing")
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS}/navigation-<N>.txt")
    args = parser.parse_args(argv)
    try:
        sizes = parse_sizes(args.n)
    except ValueError as exc:
        parser.error(str(exc))
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    data = str(args.data) if args.data else None
    out = args.out.resolve()
    signal.signal(signal.SIGTERM, interrupt)
    failed = False
    for n in sizes:
        say = benchkit.Printer()
        say("=" * 110)
        say(f"NAVIGATION BENCHMARK — {SYNTHETIC} (bench/synthetic.py + bench/navigation.py, seed {args.seed}); "
            f"no real patent is in it")
        say(f"N = {n:,} register rows; {datetime.now().isoformat(timespec='seconds')}; "
            f"command: python bench/navigation.py {' '.join(sys.argv[1:]) if argv is None else ' '.join(argv)}")
        say(f"machine: {machine()}")
        say(f"code: {benchkit.code_version()}")
        try:
            path, register_line = ensure_register(out, n, args.seed, data, args.rebuild)
            if args.build_only:
                print(f"  {register_line}", flush=True)
                continue
            print("  baseline pass ...", flush=True)
            base = in_child(stage_baseline, str(path))
            print("  navigation run ...", flush=True)
            pdf_path = out / f"report-{n}.pdf"
            runs = []
            for repeat in range(args.repeat):
                if args.repeat > 1:
                    print(f"    run {repeat + 1} of {args.repeat} ...", flush=True)
                runs.append(in_child(stage_navigation, str(path), str(pdf_path)))
            print_scenario(say, n, register_line, base, runs)
            say(f"\n  PDF written to {shown(pdf_path)}")
            if args.profile:
                stats_path = out / f"profile-{n}.txt"
                print("  cProfile run (select, analyse) ...", flush=True)
                profiles = in_child(stage_profile, str(path), str(stats_path), args.profile_top)
                say(f"\n  PROFILE (cProfile, a separate run; its times include the profiler's overhead), full stats in "
                    f"{stats_path}:")
                for text in profiles.values():
                    for line in text.splitlines():
                        say(f"    {line}")
        except KeyboardInterrupt:
            print("\ninterrupted", file=sys.stderr)
            return 130
        except synthetic.DataMissing as exc:
            print(exc, file=sys.stderr)
            return 2
        except Exception:  # a stage raised, possibly in its process: show where
            traceback.print_exc()
            print(f"\nbench failed at N={n:,} (traceback above)", file=sys.stderr)
            failed = True
            continue
        say(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        say("=" * 110)
        if not args.no_results:
            RESULTS.mkdir(parents=True, exist_ok=True)
            target = RESULTS / f"navigation-{n}.txt"
            target.write_text("\n".join(say.lines) + "\n")
            print(f"written to {target.relative_to(ROOT)}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
