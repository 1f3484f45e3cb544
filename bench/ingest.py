"""Benchmark of the bulk ingest path (issue 18 item 1) against the record-at-a-time path it replaced.

    .venv/bin/python bench/ingest.py [--n 100000] [--db sqlite|postgresql] [--baseline-n N] [--workers K]
                                     [--data ../shared/data] [--workdir DIR] [--keep]

The corpus is SYNTHETIC (bench/synthetic.py), written once as our JSONL. Each load runs `ingest_file` end to end
(register + tantivy index, encoder "none") into a fresh register and index, in a fresh process so that its
memory is its own, and prints records/s, CPU seconds (the loading process and its preparing processes), peak RSS
and where the writing process's time goes. In one run:

1. baseline: `ingest_file(bulk=False)`, the record-at-a-time path, on the first `--baseline-n` records
   (default: all of them up to 100,000; 0 skips it);
2. bulk: `ingest_file()` on all N records, `--workers` preparing processes (default: chosen by file size);
3. where a preparing process's time goes: the preparation steps timed one by one on a sample, in one process;
4. unless --no-reload, the bulk load again over the same file: everything unchanged, index untouched
   (idempotence, timed).

`--db postgresql` puts the register on a throwaway PostgreSQL cluster (tests/support/postgres.py: the binaries
of this machine, fsync off as in the tests); the default is a SQLite file. Goal (issue 18): >= 10,000 records/s
end to end at N = 1,000,000 on 2 cores. Exit status 0 when every load completed and checked, 1 otherwise, 2
when the real data for the corpus is missing.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "src", Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import benchkit  # noqa: E402
import synthetic  # noqa: E402
from search import Stopwatch, du_mb, in_child, rss_mb, say  # noqa: E402  (bench/search.py)

GOAL_RATE = 10_000.0
SAMPLE = 5_000  # records of the preparation breakdown


def children_cpu_and_peak() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def stage_load(path: str, data_dir: str, database_url: str, bulk: bool, workers: int | None, limit: int,
               reload: bool = True) -> dict:
    """One `ingest_file` into an empty register and index; `limit` > 0 loads only the first `limit` lines."""
    from ipcity.core.config import load_settings
    from ipcity.core.db import Database
    from ipcity.core.roles import Actor
    from ipcity.patents import store
    from ipcity.patents.engine import PatentEngine
    from ipcity.patents.ingest import bulk as bulk_module
    from ipcity.patents.ingest import runner
    from ipcity.patents.search import tantivy_backend
    from ipcity.patents.tables import IngestRun

    source = Path(path)
    if limit:
        source = Path(data_dir).parent / f"first-{limit}.jsonl"
        with open(path, encoding="utf-8") as full, open(source, "w", encoding="utf-8") as part:
            for _, line in zip(range(limit), full, strict=False):
                part.write(line)
    settings = load_settings(data_dir=Path(data_dir), database_url=database_url, encoder="none",
                             search_backend="tantivy")
    db = Database(settings.database_url)
    db.migrate()
    engine = PatentEngine(settings)
    watch = Stopwatch()
    store.upsert = watch.wrap("register write: store.upsert", store.upsert)
    engine.commit = watch.wrap("commit: tantivy commit + merge wait + marks + checkpoint", engine.commit)
    backend = engine.backend
    backend.upsert_prepared = watch.wrap("index write: tantivy documents + writer", backend.upsert_prepared)
    backend.upsert = watch.wrap("index write: tantivy documents + writer", backend.upsert)
    if bulk:
        bulk_module._receive = watch.wrap("waiting for the preparing processes", bulk_module._receive)
        bulk_module.prepare_rows = watch.wrap("preparing here (no preparing process)", bulk_module.prepare_rows)
    else:
        runner.normalise = watch.wrap("normalise", runner.normalise)
        runner.index_doc = watch.wrap("analysis: document.index_doc", runner.index_doc)
        tantivy_backend.query_tokens = watch.wrap("index write: name tokens", tantivy_backend.query_tokens)
    t0, c0 = time.perf_counter(), time.process_time()
    run_id = runner.ingest_file(db, engine, source, Actor.system("bench"), fmt="jsonl", bulk=bulk, workers=workers)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    children_cpu, children_peak = children_cpu_and_peak()
    with db.session() as s:
        run = s.get(IngestRun, run_id)
        outcome = {k: getattr(run, k) for k in ("status", "read", "inserted", "updated", "unchanged", "rejected")}
        pending = store.count_pending(s)
        stored = store.count(s)
    indexed = backend.count()
    secs = dict(watch.seconds)  # before the reload below
    again = {}
    if bulk and reload:  # idempotence: the same file again changes nothing
        t1 = time.perf_counter()
        second = runner.ingest_file(db, engine, source, Actor.system("bench"), fmt="jsonl", resume=False,
                                    workers=workers)
        again_wall = time.perf_counter() - t1
        with db.session() as s:
            run2 = s.get(IngestRun, second)
            again = {"wall_s": again_wall, "inserted": run2.inserted, "updated": run2.updated,
                     "unchanged": run2.unchanged, "indexed": backend.count(), "pending": store.count_pending(s)}
    engine.close()
    db.dispose()
    secs["reading, preparing here, batching, the rest"] = max(wall - sum(secs.values()), 0.0)
    return {"wall_s": wall, "cpu_s": cpu, "children_cpu_s": children_cpu, "children_peak_rss_mb": children_peak,
            "rate": outcome["read"] / wall if wall else 0.0, "outcome": outcome, "pending": pending,
            "stored": stored, "indexed": indexed, "breakdown_s": secs, "again": again,
            "index_mb": du_mb(settings.search_dir), **rss_mb()}


def stage_prepare_breakdown(path: str, sample: int) -> dict:
    """The preparation steps one by one on the first `sample` records, in this process: µs per record."""
    from ipcity.patents.engine import prepared_document
    from ipcity.patents.ingest.formats import reader_for
    from ipcity.patents.ingest.limits import DEFAULT_LIMITS, check_record
    from ipcity.patents.normalise import normalise
    from ipcity.patents.search.analysis import index_tokens
    from ipcity.patents.search.document import index_doc
    from ipcity.patents.store import register_row

    index_tokens("预热")  # the dictionary loads once per process: not a per-record cost
    reader = reader_for(Path(path), "jsonl")
    steps: dict[str, float] = {}

    def timed(name, func, values):
        c0 = time.process_time()
        out = [func(v) for v in values]
        steps[name] = steps.get(name, 0.0) + time.process_time() - c0
        return out

    c0 = time.process_time()
    items = [item for _, item in zip(range(sample), reader.read(Path(path)), strict=False)]
    steps["read: JSON + record_from_dict"] = time.process_time() - c0
    records = timed("normalise", lambda item: normalise(item.record, list(item.warnings)), items)
    timed("check_record (limits)", lambda rec: check_record(rec, DEFAULT_LIMITS), records)
    docs = timed("analysis: document.index_doc (jieba, fields)", index_doc, records)
    rows = timed("register row: to_dict, JSON columns, content hash", register_row, records)
    values = timed("index document values (name tokens)", lambda doc: prepared_document("tantivy", doc), docs)
    # The floor of the analysis: jieba's own cut of each text field (for-search mode, as the index cuts), with none
    # of the platform's work around it. Not part of the total below.
    import rjieba

    texts = [t for rec in records for t in (rec.title, rec.abstract, rec.claims, rec.description) if t]
    c0 = time.process_time()
    for text in texts:
        rjieba.cut_for_search(text)
    floor = time.process_time() - c0
    c0 = time.process_time()
    blob = pickle.dumps(list(zip(rows, values, strict=True)), protocol=pickle.HIGHEST_PROTOCOL)
    steps["send: pickle"] = time.process_time() - c0
    c0 = time.process_time()
    pickle.loads(blob)
    steps["receive: unpickle (in the writer)"] = time.process_time() - c0
    n = len(items)
    return {"records": n, "us": {k: v / n * 1e6 for k, v in steps.items()}, "jieba_us": floor / n * 1e6}


def write_corpus(n: int, seed: int, data: str | None, path: Path) -> float:
    from ipcity.patents.ingest.native import write_jsonl

    t0 = time.perf_counter()
    vocab = synthetic.Vocabulary(Path(data) if data else None, seed)
    write_jsonl(synthetic.generate(n, seed, vocabulary=vocab), path)
    return time.perf_counter() - t0


class Register:
    """Fresh registers for the loads: SQLite files, or databases of one throwaway PostgreSQL cluster."""

    def __init__(self, kind: str, workdir: Path):
        self.kind, self.workdir, self.server, self.count = kind, workdir, None, 0
        if kind == "postgresql":
            from tests.support.postgres import TempPostgres, find_pg_bin

            bin_dir = find_pg_bin()
            if bin_dir is None:
                raise SystemExit("PostgreSQL binaries not found (scripts/install-system-deps.sh)")
            self.server = TempPostgres(bin_dir)
            self.server.start()

    def fresh(self) -> str:
        self.count += 1
        if self.server is not None:
            return self.server.create_database(f"ingest{self.count}")
        return f"sqlite:///{self.workdir / f'register-{self.count}.sqlite3'}"

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()


def report(name: str, r: dict, n: int) -> None:
    o = r["outcome"]
    say(f"\n{name}: {o['read']:,} records in {r['wall_s']:.1f} s → {r['rate']:,.0f} records/s end to end")
    say(f"  outcome {o['status']}: {o['inserted']:,} inserted, {o['updated']:,} updated, {o['unchanged']:,} unchanged,"
        f" {o['rejected']:,} rejected; register {r['stored']:,}, index {r['indexed']:,}, pending {r['pending']:,}")
    say(f"  CPU: loading process {r['cpu_s']:.1f} s, preparing processes {r['children_cpu_s']:.1f} s "
        f"→ {(r['cpu_s'] + r['children_cpu_s']) / max(o['read'], 1) * 1e6:,.0f} µs CPU per record")
    say(f"  peak RSS: loading process {r['peak_rss_mb']:,.0f} MB, largest preparing process "
        f"{r['children_peak_rss_mb']:,.0f} MB; index {r['index_mb']:,.0f} MB")
    say("  where the loading process's wall time goes (µs per record):")
    for step, secs in sorted(r["breakdown_s"].items(), key=lambda kv: -kv[1]):
        say(f"    {secs / max(o['read'], 1) * 1e6:8.1f}  {step}")
    if r["again"]:
        a = r["again"]
        say(f"  the same file again: {a['inserted']} inserted, {a['updated']} updated, {a['unchanged']:,} unchanged, "
            f"index {a['indexed']:,}, pending {a['pending']} ({o['read'] / a['wall_s']:,.0f} records/s)")


def check(r: dict, expected: int) -> list[str]:
    o = r["outcome"]
    problems = []
    if o["status"] != "done" or o["read"] != expected or o["inserted"] != expected:
        problems.append(f"load: {o}")
    if r["stored"] != expected or r["indexed"] != expected or r["pending"]:
        problems.append(f"register {r['stored']}, index {r['indexed']}, pending {r['pending']}")
    a = r["again"]
    if a and (a["inserted"] or a["updated"] or a["unchanged"] != expected or a["indexed"] != expected):
        problems.append(f"reload: {a}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--baseline-n", type=int, default=None, help="records of the record-at-a-time load")
    parser.add_argument("--workers", type=int, default=None, help="preparing processes (default: by file size)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=None)
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-reload", action="store_true", help="skip the second load of the same file")
    args = parser.parse_args(argv)
    try:
        synthetic.resolve_data(Path(args.data) if args.data else None)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    baseline_n = min(args.n, 100_000) if args.baseline_n is None else min(args.baseline_n, args.n)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="ipcity-ingest-"))
    workdir.mkdir(parents=True, exist_ok=True)
    say(f"bench/ingest.py [SYNTHETIC corpus] n={args.n:,} db={args.db} baseline_n={baseline_n:,} "
        f"workers={args.workers if args.workers is not None else 'auto'}")
    say(f"machine: {benchkit.machine(('tantivy', 'rjieba', 'psycopg'))}; load average {os.getloadavg()}")
    register = Register(args.db, workdir)
    problems: list[str] = []
    try:
        corpus = workdir / "corpus.jsonl"
        if not corpus.exists():
            say(f"corpus: {write_corpus(args.n, args.seed, args.data, corpus):.0f} s to write {args.n:,} records")
        results = {}
        if baseline_n:
            say(f"[1/3] baseline: ingest_file(bulk=False), first {baseline_n:,} records ...")
            results["baseline"] = in_child(stage_load, str(corpus), str(workdir / "data-baseline"), register.fresh(),
                                           False, None, baseline_n if baseline_n < args.n else 0)
            report("BASELINE record at a time (bulk=False)", results["baseline"], baseline_n)
            problems += check(results["baseline"] | {"again": {}}, baseline_n)
        say(f"[2/3] bulk: ingest_file(), {args.n:,} records ...")
        results["bulk"] = in_child(stage_load, str(corpus), str(workdir / "data-bulk"), register.fresh(), True,
                                   args.workers, 0, not args.no_reload)
        report("BULK", results["bulk"], args.n)
        problems += check(results["bulk"], args.n)
        say(f"[3/3] where a preparing process's time goes (first {min(SAMPLE, args.n):,} records, one process) ...")
        prep = in_child(stage_prepare_breakdown, str(corpus), min(SAMPLE, args.n))
        for step, us in prep["us"].items():
            say(f"    {us:8.1f}  {step}")
        say(f"    {sum(prep['us'].values()):8.1f}  total CPU µs per record")
        cores = os.cpu_count() or 1
        say(f"    {prep['jieba_us']:8.1f}  of it, jieba's cut of the text fields alone (rjieba, for-search mode): on "
            f"{cores} cores at most {cores / prep['jieba_us'] * 1e6:,.0f} records/s if nothing else ran")
        bulk_rate = results["bulk"]["rate"]
        say("\nSUMMARY [SYNTHETIC corpus]")
        if "baseline" in results:
            base = results["baseline"]["rate"]
            say(f"  record at a time (baseline, {baseline_n:,} records): {base:,.0f} records/s")
            say(f"  bulk ({args.n:,} records): {bulk_rate:,.0f} records/s → {bulk_rate / base:.1f}× the baseline")
        else:
            say(f"  bulk ({args.n:,} records): {bulk_rate:,.0f} records/s")
        say(f"  goal >= {GOAL_RATE:,.0f} records/s at N = 1,000,000 on 2 cores: "
            f"{'PASS' if bulk_rate >= GOAL_RATE else 'MISS'} at N = {args.n:,}")
        say(f"  peak RSS: bulk loading process {results['bulk']['peak_rss_mb']:,.0f} MB, preparing process "
            f"{results['bulk']['children_peak_rss_mb']:,.0f} MB")
    finally:
        register.close()
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    for problem in problems:
        say(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
