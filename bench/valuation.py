"""Benchmark of patent valuation (专利价值内部评估): indicator scores for every row of the demo corpus and of a
SYNTHETIC register, against a plain pass over the same rows.

    .venv/bin/python bench/valuation.py                      # demo corpus, then N = 1,000,000 synthetic rows
    .venv/bin/python bench/valuation.py --n 100000           # a quicker synthetic run
    .venv/bin/python bench/valuation.py --n 0                # the demo corpus only
    .venv/bin/python bench/valuation.py --skip-demo --keep   # keep the synthetic register for another run

For each corpus the script
1. builds a temporary SQLite register (under bench/out/valuation/, deleted at the end unless --keep):
   - demo: the shipped corpus ipcity.patents.demo DEMO_FILES (read, normalised, store.upsert; no search index)
     plus the demo register patents (ipcity.patents.demo_register);
   - synthetic: N rows of bench/synthetic.py completed by bench/navigation.py's Completer (citations, families,
     transfers / licences / pledges), with 0–9 dependent claims added after claim 1, inserted in batches; plus a
     few register entries (licences, pledges, preservation orders, invalidation requests) on 1 % of the rows.
     No real patent is in it;
2. times, in a fresh process, the plain pass: register_scan.rows (the same columns, keyset pages of --batch rows)
   reading every value, nothing else — the baseline;
3. times, in another fresh process, the scoring run: valuation inputs.field_activity (one aggregate SQL, once),
   then inputs.stream_inputs (records, register entries per batch, positions, history, claims) and
   scorecard.score under the finance scenario for every row; the peak resident memory of each process
   (bounded: one batch at a time).
Figures go to bench/results/valuation-<N>.txt (valuation-demo.txt for the demo corpus alone).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import resource
import signal
import sys
import time
from collections import Counter
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
from benchkit import interrupt  # noqa: E402

OUT = ROOT / "bench" / "out" / "valuation"
RESULTS = ROOT / "bench" / "results"
ON = date(2026, 6, 30)  # the synthetic world's "today" (bench/synthetic.py TODAY)
INSERT_BATCH = 5_000
MiB = 1024 * 1024
ENTRY_SHARE = 0.01


def memory() -> dict:
    return {"peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def in_child(func, *args):
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(func, *args).result()


def url(path: Path | str) -> str:
    return f"sqlite:///{path}"


# --- building the registers ----------------------------------------------------------------------------------

def build_demo(path: str) -> dict:
    from ipcity.core.db import Database
    from ipcity.patents import store
    from ipcity.patents.demo import DEMO_DIR, DEMO_FILES
    from ipcity.patents.demo_register import ensure_demo_patents
    from ipcity.patents.ingest.base import Rejected
    from ipcity.patents.ingest.formats import reader_for
    from ipcity.patents.normalise import RecordError, normalise

    started = time.perf_counter()
    db = Database(url(path))
    db.migrate()
    counts = Counter()
    for name, fmt in DEMO_FILES:
        reader = reader_for(DEMO_DIR / name, fmt)
        items = reader.read(DEMO_DIR / name)
        while batch := list(itertools.islice(items, 2_000)):
            good = []
            for item in batch:
                if isinstance(item, Rejected):
                    counts["rejected"] += 1
                    continue
                try:
                    good.append(normalise(item.record))
                except RecordError:
                    counts["rejected"] += 1
            with db.session() as s:
                done, _ = store.upsert(s, good)
                s.commit()
            counts[name] += done.inserted
    with db.session() as s:
        counts["demo register"] = len(ensure_demo_patents(s))
        s.commit()
    db.dispose()
    return {"counts": dict(counts), "wall_s": time.perf_counter() - started}


def _more_claims(rng: Random, rec) -> str:
    """Claim 1 of the synthetic record, then 0–9 dependent claims made of its own clauses."""
    if not rec.claims:
        return rec.claims
    body = rec.claims.split(".", 1)[1] if "." in rec.claims[:4] else rec.claims
    clauses = [c for c in body.replace("。", "，").split("，") if c][1:] or ["结构紧凑"]
    subject = rec.title.removeprefix("一种")[:12]
    parts = [rec.claims]
    for k in range(2, 2 + int(rng.random() * 10)):
        parts.append(f"{k}. 根据权利要求{1 + int(rng.random() * (k - 1))}所述的{subject}，其特征在于，"
                     f"{clauses[int(rng.random() * len(clauses))]}。")
    return "\n".join(parts)


def build_synthetic(path: str, n: int, seed: int, data: str | None) -> dict:
    import navigation  # bench/navigation.py: the Completer adds citations, families and operations
    import synthetic

    from ipcity.core.clock import now
    from ipcity.core.db import Database
    from ipcity.patents import position, store
    from ipcity.patents.tables import Patent, PatentRegisterEntry

    started = time.perf_counter()
    db = Database(url(path))
    db.migrate()
    vocab = synthetic.Vocabulary(Path(data) if data else None, seed)
    complete = navigation.Completer(seed)
    rng = Random(f"valuation-{seed}")
    stamp = now()
    kinds = (position.LICENCE, position.PLEDGE, position.PRESERVATION, position.INVALIDATION_REQUEST)
    done = entries = 0
    records = synthetic.generate(10 ** 12, seed, vocabulary=vocab)  # designs too: no IPC, no claims — inputs missing
    step = max(n // 10, INSERT_BATCH)
    while done < n:
        batch = list(itertools.islice(records, min(INSERT_BATCH, n - done)))
        rows, extra = [], []
        for rec in batch:
            rec = complete(rec)
            rec = dataclasses.replace(rec, claims=_more_claims(rng, rec))
            rows.append(store._row_values(rec) | {"created_at": stamp, "updated_at": stamp})
            if rec.grant_date is not None and rng.random() < ENTRY_SHARE:
                kind = kinds[int(rng.random() * len(kinds))]
                start = rec.grant_date + timedelta(days=int(rng.random() * 900))
                extra.append({"app_number": rec.app_number, "kind": kind, "start_on": start,
                              "end_on": start + timedelta(days=1095) if kind != position.INVALIDATION_REQUEST
                              else None, "closed_on": None, "reference": f"BENCH-{done}", "detail": {},
                              "source": "import", "created_by": "bench", "created_at": stamp, "closed_by": "",
                              "close_reason": ""})
        with db.engine.begin() as conn:
            conn.execute(Patent.__table__.insert(), rows)
            if extra:
                conn.execute(PatentRegisterEntry.__table__.insert(), extra)
        done += len(batch)
        entries += len(extra)
        if done % step < INSERT_BATCH and done < n:
            took = time.perf_counter() - started
            print(f"      synthetic register: {done:,} of {n:,} rows, {took:.0f} s, {done / took:,.0f} rows/s",
                  flush=True)
    db.dispose()
    return {"rows": done, "entries": entries, "wall_s": time.perf_counter() - started, **memory()}


# --- the measured passes --------------------------------------------------------------------------------------

def plain_pass(path: str, batch: int) -> dict:
    """The baseline: the same columns, the same keyset pages, every value touched, nothing computed."""
    from ipcity.core.db import Database
    from ipcity.patents import register_scan

    db = Database(url(path))
    started, cpu = time.perf_counter(), time.process_time()
    rows = values = 0
    with db.session() as s:
        for page in register_scan.rows(s, batch):
            for row in page:
                values += len(tuple(row))
                rows += 1
            s.expunge_all()
    wall = time.perf_counter() - started
    db.dispose()
    return {"rows": rows, "values": values, "wall_s": wall, "cpu_s": time.process_time() - cpu, **memory()}


def scoring_pass(path: str, batch: int, on: str) -> dict:
    from ipcity.core.db import Database
    from ipcity.services.valuation import inputs as valuation_inputs
    from ipcity.services.valuation.domain import FINANCE
    from ipcity.services.valuation.scorecard import score
    from ipcity.services.valuation.weights import load_config

    day = date.fromisoformat(on)
    db = Database(url(path))
    config = load_config()
    scenario = config.scenario(FINANCE)
    grades, missing, status = Counter(), Counter(), Counter()
    total = 0.0
    rows = scored = 0
    started, cpu = time.perf_counter(), time.process_time()
    with db.session() as s:
        t0 = time.perf_counter()
        activity = valuation_inputs.field_activity(s, day, cached=False)
        activity_s = time.perf_counter() - t0
        rss_after_activity = memory()["peak_bytes"]
        for inputs in valuation_inputs.stream_inputs(s, day, activity, batch=batch):
            for item in inputs:
                card = score(item.values, scenario, config)
                rows += 1
                grades[card.grade] += 1
                status[item.values["legal_status"]] += 1
                for key in card.missing:
                    missing[key] += 1
                if card.overall is not None:
                    scored += 1
                    total += card.overall
            s.expunge_all()
    wall = time.perf_counter() - started
    db.dispose()
    return {"rows": rows, "wall_s": wall, "cpu_s": time.process_time() - cpu, "activity_s": activity_s,
            "subclasses": len(activity.counts), "window": f"{activity.first_year}–{activity.last_year}",
            "grades": dict(grades), "missing": dict(missing), "status": dict(status),
            "mean": total / scored if scored else float("nan"), "rss_after_activity": rss_after_activity,
            **memory()}


# --- report --------------------------------------------------------------------------------------------------

def report(say, label: str, base: dict, run: dict) -> None:
    rows = run["rows"]
    base_rate = base["rows"] / base["wall_s"] if base["wall_s"] else float("nan")
    rate = rows / run["wall_s"] if run["wall_s"] else float("nan")
    say(f"  BASELINE [{label}]: plain pass over the same {base['rows']:,} rows (register_scan.rows: "
        f"{len(base_columns())} columns, keyset pages), reading every value, nothing else:")
    say(f"    {base['wall_s']:8.2f} s  ({base_rate:,.0f} rows/s); CPU {base['cpu_s']:.2f} s; peak RSS "
        f"{base['peak_bytes'] / MiB:,.0f} MiB")
    say(f"  SCORING [{label}]: field activity once + stream_inputs + scorecard.score (finance), every row:")
    say(f"    field activity: one aggregate SQL over the patent table in {run['activity_s']:.2f} s "
        f"({run['subclasses']:,} subclasses, application years {run['window']})")
    say(f"    {run['wall_s']:8.2f} s  ({rate:,.0f} records/s); CPU {run['cpu_s']:.2f} s; peak RSS "
        f"{run['peak_bytes'] / MiB:,.0f} MiB (after the activity table: {run['rss_after_activity'] / MiB:,.0f} MiB)")
    say(f"    ratio: scoring takes {run['wall_s'] / base['wall_s']:.1f}× the plain pass "
        f"(records/s: {rate:,.0f} vs {base_rate:,.0f})")
    say(f"    mean overall score {run['mean']:.1f}; grades {dict(sorted(run['grades'].items()))}")
    say(f"    legal status {dict(sorted(run['status'].items(), key=lambda kv: str(kv[0])))}")
    say(f"    inputs missing (rows; weight redistributed): {dict(sorted(run['missing'].items()))}")
    say(f"    {benchkit.verdict(run['rows'] == base['rows'])}  every row of the plain pass scored "
        f"({run['rows']:,} of {base['rows']:,})")


def base_columns():
    from ipcity.patents import register_scan

    return register_scan.COLUMNS


def run_corpus(say, label: str, path: Path, batch: int, on: date) -> tuple[dict, dict]:
    base = in_child(plain_pass, str(path), batch)
    run = in_child(scoring_pass, str(path), batch, on.isoformat())
    report(say, label, base, run)
    return base, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="synthetic rows (0: demo corpus only)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=2_000, help="rows per page of the streamed passes")
    parser.add_argument("--data", default=None, help="the shared data folder bench/synthetic.py reads")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the registers under bench/out/valuation/")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/results/valuation-<N>.txt")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, interrupt)
    say = benchkit.Printer()
    OUT.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    facts = benchkit.machine(("SQLAlchemy",))
    say("=" * 110)
    say("VALUATION BENCHMARK — indicator scores (GB/T 42748 organisation, finance scenario) for every row; "
        "the synthetic corpus is SYNTHETIC (no real patent)")
    say(f"{datetime.now().isoformat(timespec='seconds')}; command: python bench/valuation.py "
        f"{' '.join(argv if argv is not None else sys.argv[1:])}")
    say(f"machine: {facts['cores']} cores, {facts['ram_gb']:.1f} GiB RAM, Python {facts['python']}, SQLite "
        f"{facts['sqlite']}, SQLAlchemy {facts['SQLAlchemy']}; code {benchkit.code_version()}")
    say(f"batch {args.batch:,} rows; valuation date {ON} (the synthetic world's today)")
    say()
    try:
        if not args.skip_demo:
            path = OUT / "demo.sqlite3"
            for p in OUT.glob("demo.sqlite3*"):
                p.unlink()
            made.append(path)
            built = in_child(build_demo, str(path))
            say(f"  DEMO corpus register built in {built['wall_s']:.0f} s: {built['counts']}")
            run_corpus(say, "demo corpus", path, args.batch, ON)
            say()
        if args.n > 0:
            path = OUT / f"synthetic-{args.n}-seed{args.seed}.sqlite3"
            if not path.exists():
                built = in_child(build_synthetic, str(path), args.n, args.seed, args.data)
                say(f"  SYNTHETIC register built in {built['wall_s']:.0f} s: {built['rows']:,} rows "
                    f"({built['rows'] / built['wall_s']:,.0f} rows/s), {built['entries']:,} register entries; "
                    f"{sum(p.stat().st_size for p in OUT.glob(path.name + '*')) / MiB:,.0f} MB")
            else:
                say(f"  SYNTHETIC register REUSED: {path.relative_to(ROOT)}")
            if not args.keep:
                made.append(path)
            run_corpus(say, f"SYNTHETIC corpus, N={args.n:,}", path, args.batch, ON)
        say(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        say("=" * 110)
    finally:
        for path in made:
            for p in path.parent.glob(path.name + "*"):
                p.unlink(missing_ok=True)
    if not args.no_results:
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = f"valuation-{args.n}.txt" if args.n > 0 else "valuation-demo.txt"
        (RESULTS / name).write_text("\n".join(say.lines) + "\n", encoding="utf-8")
        print(f"written to {(RESULTS / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
