"""Benchmark of patent ingest and search on a SYNTHETIC corpus, with SQLite FTS5 (trigram) as the baseline.

    .venv/bin/python bench/search.py [--n 100000] [--queries 200] [--data ../shared/data] [--workdir DIR]
                                     [--skip-fts] [--skip-index-only] [--json bench/out/search.json]

The corpus is SYNTHETIC (bench/synthetic.py: real IPC titles, recombined real abstracts, invented applicants),
so every figure printed is a figure on a synthetic corpus. Stages, each in a fresh process so that its
memory is its own:

1. corpus: write N synthetic records as our JSONL;
2. ingest: the real `ingest_file` (SQLite register + tantivy index, encoder "none"), timed end to end, with a
   breakdown of where the time went; then, unless --skip-index-only, analysis + indexing alone
   (document.index_doc + backend.upsert + commit every 20,000, as the ingest does) on the same records;
3. queries: 2–4 words sampled from the corpus (half of the queries use only words of 3+ characters, which
   FTS5 trigram can MATCH; half any words of 2+ characters, mostly 2-character Chinese words, which it cannot),
   parsed as the search box does (query.parse, default field title+abstract+claims), then the backend's
   search() for (a) top-20, (b) top-20 + 7 facets, (c) top-20 + AD>=2015 + province 31 + 7 facets (the goal
   query), and the search box's other readings: (d) the same words ranked by best match (any word, every word
   first) + 7 facets of the patents with every word (two requests, as the service makes them), (e) a
   300-character passage of a record's abstract pasted as natural language (the lexical half of the fused
   ranking: its 32 rarest words, no facets); one warm-up pass, then a measured pass;
4. baseline: SQLite FTS5 `tokenize='trigram'` over title+abstract+claims of the same records (insert timed),
   the same queries as MATCH of the quoted words; words shorter than 3 characters cannot be MATCHed by a
   trigram index and are answered with LIKE '%word%' (on the MATCHed rows, or by a scan of the table when no
   word is long enough); facets by GROUP BY over the matched rows joined to a facet table; filters as WHERE.

Goals (the issue's, defined at N = 1,000,000 on a 2-core machine): ingest >= 2,000 records/s; p95 <= 50 ms
for the goal query (c); tantivy >= 10x faster than FTS5. Exit status 0 when the run completed, whatever the
verdicts; 1 when a stage failed; 2 when the real data for the corpus is missing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT / "src", Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import benchkit  # noqa: E402
import synthetic  # noqa: E402  (bench/synthetic.py)
from benchkit import finite, interrupt, percentile  # noqa: E402  (bench/benchkit.py)

FACETS = ("ipc_section", "ipc_subclass", "year", "applicant", "province", "type", "status")
FACET_SIZE = 10
TOP = 20
GOAL_N = 1_000_000
GOAL_INGEST_RATE = 2_000.0
GOAL_P95_MS = 50.0
GOAL_RATIO = 10.0
VARIANTS = ("a", "b", "c", "d", "e")
FTS_VARIANTS = ("a", "b", "c")  # the FTS5 baseline answers the strict queries; best match has no FTS5 twin here
PASSAGE_CHARS = 300  # (e): this much of a record's abstract, pasted as a query
FILTER_SINCE = 20150101  # (c): AD>=2015 …
FILTER_PROVINCE = "31"  # … and province 31 (上海市)
BATCH = 500  # records per index batch, as ingest_file
COMMIT_EVERY = 20_000  # records between commits, as ingest_file
BM25_WEIGHTS = (3.0, 1.5, 1.0)  # title, abstract, claims: the boosts of fields.BOOSTS
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,}")
# Words of patent prose that nobody types into a search box, although the keyphrase list contains them.
_GENERIC = frozenset((
    "及其", "是否", "进一步", "接着", "避免", "提高", "位置", "情况", "获取", "产品", "其中", "以及", "通过", "进行",
    "能够", "可以", "采用", "得到", "使用", "以下", "实现", "并且", "设有", "多个", "包含", "同时", "至少", "根据",
    "之间", "形成", "具有", "提供", "设置", "第一", "第二", "用于", "涉及", "公开", "在于", "特征", "步骤", "本发明",
    "实用新型", "方法", "装置", "设备", "百分", "一端", "另一端", "上述", "所示", "如下", "相应", "分别", "不同",
    "一种", "一个", "一些", "所需", "相对", "以上",
))
SYNTHETIC = "synthetic corpus"


class BenchError(RuntimeError):
    pass


# --- process and machine ---------------------------------------------------------------------------------


def rss_mb() -> dict:
    """Resident memory of this process now and at its peak (MB)."""
    now = peak = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                now = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    except OSError:
        pass
    peak = max(peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return {"rss_mb": round(now / 1024, 1), "peak_rss_mb": round(peak / 1024, 1)}


def machine() -> dict:
    return benchkit.machine(("tantivy", "rjieba"))


def du_mb(path: Path) -> float:
    total = 0
    for p in Path(path).rglob("*"):
        try:
            if p.is_file() and not p.is_symlink():
                total += p.stat().st_size
        except OSError:
            pass
    return round(total / 1024 ** 2, 1)


def in_child(func: Callable, *args):
    """Run `func(*args)` in a fresh process (its own memory, its own threads) and return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(func, *args).result()


def say(text: str) -> None:
    print(text, flush=True)


# --- stage 1: the corpus ---------------------------------------------------------------------------------


def stage_corpus(n: int, seed: int, data: str | None, path: str) -> dict:
    from ipcity.patents.ingest.native import write_jsonl

    started = time.perf_counter()
    vocab = synthetic.Vocabulary(Path(data) if data else None, seed)
    vocab_s = time.perf_counter() - started
    t0, c0 = time.perf_counter(), time.process_time()
    count = write_jsonl(synthetic.generate(n, seed, vocabulary=vocab), Path(path))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"records": count, "vocabulary_s": vocab_s, "wall_s": wall, "cpu_s": cpu,
            "rate_wall": count / wall if wall else 0.0, "file_mb": round(Path(path).stat().st_size / 1024 ** 2, 1),
            **rss_mb()}


def records(n: int, seed: int, data: str | None) -> Iterator:
    vocab = synthetic.Vocabulary(Path(data) if data else None, seed)
    return synthetic.generate(n, seed, vocabulary=vocab)


# --- stage 2: ingest and indexing ------------------------------------------------------------------------


class Stopwatch:
    """Accumulates the time spent inside wrapped functions, by name, exclusive of wrapped functions they call
    (index_doc run lazily inside TantivyBackend.upsert counts as analysis, not as upsert)."""

    def __init__(self):
        self.seconds: Counter = Counter()
        self.calls: Counter = Counter()
        self._nested: list[float] = []  # per active wrapped call: time spent in wrapped calls inside it

    def wrap(self, name: str, func: Callable) -> Callable:
        def timed(*args, **kwargs):
            self._nested.append(0.0)
            t0 = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                inner = self._nested.pop()
                self.seconds[name] += elapsed - inner
                self.calls[name] += 1
                if self._nested:
                    self._nested[-1] += elapsed

        return timed


def stage_ingest(path: str, data_dir: str, n: int) -> dict:
    from ipcity.core.config import load_settings
    from ipcity.core.db import Database
    from ipcity.core.roles import Actor
    from ipcity.patents import engine as engine_module
    from ipcity.patents import store
    from ipcity.patents.engine import PatentEngine
    from ipcity.patents.ingest import runner
    from ipcity.patents.ingest.runner import ingest_file
    from ipcity.patents.search import tantivy_backend
    from ipcity.patents.tables import IngestRun

    settings = load_settings(data_dir=Path(data_dir), encoder="none", search_backend="tantivy")
    db = Database(settings.database_url)
    db.migrate()
    engine = PatentEngine(settings)
    watch = Stopwatch()
    # Wrap the steps ingest_file goes through, to say where the time goes (restored below: a child process).
    runner.normalise = watch.wrap("normalise", runner.normalise)
    store.upsert = watch.wrap("register: store.upsert (SQL)", store.upsert)
    for module in (runner, engine_module):  # whichever calls index_doc (the runner's prepare step, or the engine)
        if hasattr(module, "index_doc"):
            module.index_doc = watch.wrap("analysis: document.index_doc", module.index_doc)
    # With worker processes (ingest_file uses them from 4 cores up) normalise and index_doc run there, unseen
    # by these wrappers: their time is then part of "reading, JSON, batching and the rest".
    workers = runner.default_workers(Path(path)) if hasattr(runner, "default_workers") else 1
    tantivy_backend.query_tokens = watch.wrap("tantivy upsert: name tokens", tantivy_backend.query_tokens)
    backend = engine.backend
    backend.upsert = watch.wrap("tantivy upsert: documents and writer", backend.upsert)
    engine.commit = watch.wrap("commit (tantivy + register checkpoint)", engine.commit)
    step = max(n // 10, 1)
    next_report = [step]
    t0 = time.perf_counter()

    def progress(done: int, total: int, _name: str) -> None:
        if done >= next_report[0] and done != total:
            took = time.perf_counter() - t0
            say(f"    ingest: {done:,} records, {took:.0f} s, {done / took:,.0f} records/s")
            next_report[0] += step

    c0 = time.process_time()
    run_id = ingest_file(db, engine, Path(path), Actor.system("bench"), fmt="jsonl", progress=progress)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    with db.session() as s:
        run = s.get(IngestRun, run_id)
        outcome = {k: getattr(run, k) for k in ("status", "read", "inserted", "updated", "unchanged", "rejected")}
        outcome["first_errors"] = (run.errors or [])[:3]
    count = backend.count()
    engine.close()
    db.dispose()
    secs = dict(watch.seconds)
    secs["reading, JSON, batching and the rest"] = max(wall - sum(secs.values()), 0.0)
    db_file = Path(settings.database_url.split("///", 1)[-1])
    register_mb = sum(p.stat().st_size for p in db_file.parent.glob(db_file.name + "*")) / 1024 ** 2
    return {"wall_s": wall, "cpu_s": cpu, "rate": outcome["inserted"] / wall if wall else 0.0, "workers": workers,
            "indexed": count, "outcome": outcome, "breakdown_s": secs,
            "index_mb": du_mb(settings.search_dir), "register_mb": round(register_mb, 1),
            "search_dir": str(settings.search_dir), **rss_mb()}


def stage_index_only(n: int, seed: int, data: str | None, folder: str) -> dict:
    """document.index_doc + backend.upsert + commit on the same records; generating them is not counted."""
    from ipcity.patents.ingest.bulk import chunked
    from ipcity.patents.search.document import index_doc
    from ipcity.patents.search.tantivy_backend import TantivyBackend

    backend = TantivyBackend(Path(folder))
    analysis = upsert = commit = 0.0
    c_total = 0.0
    done = since_commit = 0
    step = max(n // 5, 1)
    t_start = time.perf_counter()
    for batch in chunked(records(n, seed, data), BATCH):
        c0 = time.process_time()
        t0 = time.perf_counter()
        docs = [index_doc(rec) for rec in batch]
        t1 = time.perf_counter()
        backend.upsert(docs)
        t2 = time.perf_counter()
        analysis += t1 - t0
        upsert += t2 - t1
        done += len(batch)
        since_commit += len(batch)
        if since_commit >= COMMIT_EVERY:
            backend.commit()
            commit += time.perf_counter() - t2
            since_commit = 0
        c_total += time.process_time() - c0
        if done % step < BATCH and done != n:
            say(f"    index only: {done:,} records, {analysis + upsert + commit:.0f} s indexing")
    t0, c0 = time.perf_counter(), time.process_time()
    backend.commit()
    commit += time.perf_counter() - t0
    c_total += time.process_time() - c0
    elapsed = time.perf_counter() - t_start
    count = backend.count()
    backend.close()
    total = analysis + upsert + commit
    return {"records": count, "analysis_s": analysis, "upsert_s": upsert, "commit_s": commit, "total_s": total,
            "cpu_s": c_total, "rate": count / total if total else 0.0, "elapsed_with_generation_s": elapsed,
            "index_mb": du_mb(Path(folder)), **rss_mb()}


# --- stage 3: queries ------------------------------------------------------------------------------------


def _search_terms(data: str | None) -> set[str]:
    """Words people search for: the query tokens of the real gold keyphrases of KPPatent-ZH."""
    import gzip

    from ipcity.patents.search.analysis import query_tokens

    folder = synthetic.resolve_data(Path(data) if data else None) / "cn-patent-abstracts-kppatent"
    terms: set[str] = set()
    with gzip.open(folder / "train_abstract_keyphrases.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            for phrase in json.loads(line).get("keyphrases", []):
                terms.update(query_tokens(phrase))
    return terms


def sample_queries(n: int, seed: int, data: str | None, count: int, sample: int = 3000) -> list[dict]:
    """`count` queries of 2–4 words that occur in the corpus, mixing frequent, middling and rare words.

    Candidate words are the query analyser's tokens (jieba precise mode), Chinese, 2+ characters, of a record's
    title, or of its abstract and claims when they are also tokens of the real gold keyphrases, less a short list
    of generic words (位置, 及其) and words in over 25 % of the records; document frequencies come from the first
    `sample` records. A query takes its words from one record so that they co-occur, as a searcher's words do.
    Even-numbered queries use only words of 3+ characters (FTS5 trigram can MATCH those); odd ones any.
    """
    from ipcity.patents.search.analysis import query_tokens

    wanted = _search_terms(data)
    docs: list[list[str]] = []
    passages: list[str] = []
    df: Counter = Counter()
    for rec in records(min(n, sample), seed, data):
        passages.append((rec.abstract or rec.title)[:PASSAGE_CHARS])
        body = {w for w in query_tokens(f"{rec.abstract} {rec.claims}") if w in wanted}
        words = sorted(w for w in body | set(query_tokens(rec.title)) if _CJK_WORD.fullmatch(w) and w not in _GENERIC)
        docs.append(words)
        df.update(words)
    n_docs = len(docs)
    too_common = 0.25 * n_docs  # 处理, 材料 …: too general to be searched for alone
    frequent, rare = max(0.01 * n_docs, 5), max(0.001 * n_docs, 2)

    def band(word: str) -> str:
        return "frequent" if df[word] >= frequent else "rare" if df[word] <= rare else "middle"

    rng = Random(seed + 7919)
    queries: list[dict] = []
    attempts = 0
    while len(queries) < count and attempts < count * 50:
        attempts += 1
        long_only = len(queries) % 2 == 0
        pick = rng.randrange(len(docs))
        words = [w for w in docs[pick] if df[w] <= too_common and (len(w) >= 3 or not long_only)]
        k = rng.choices((2, 3, 4), (0.45, 0.35, 0.2))[0]
        if len(words) < k:
            continue
        by_band: dict[str, list[str]] = {}
        for w in words:
            by_band.setdefault(band(w), []).append(w)
        chosen: list[str] = []
        while len(chosen) < k:
            want = "frequent" if not chosen else rng.choices(("frequent", "middle", "rare"), (0.6, 0.3, 0.1))[0]
            pool = [w for w in by_band.get(want, []) if w not in chosen] or [w for w in words if w not in chosen]
            chosen.append(rng.choice(pool))
        queries.append({"text": " ".join(chosen), "words": chosen, "bands": [band(w) for w in chosen],
                        "long_words_only": long_only, "passage": passages[pick]})
    if len(queries) < count:
        raise BenchError(f"could only build {len(queries)} of {count} queries from the corpus sample")
    return queries


def _requests(text: str, passage: str):
    """(a)–(c) the strict expression of the words; (d) the same words as the search box ranks plain words (best
    match); (e) a pasted passage of a record's abstract, as the box ranks a long text (its lexical half)."""
    from ipcity.patents.search.ast import BestMatch, Term
    from ipcity.patents.search.contract import SearchRequest
    from ipcity.patents.search.query import parse

    plain = parse(text)
    filtered = parse(f"{text} AD>={FILTER_SINCE // 10000}")
    return {"a": SearchRequest(query=plain, limit=TOP),
            "b": SearchRequest(query=plain, limit=TOP, facets=FACETS, facet_size=FACET_SIZE),
            "c": SearchRequest(query=filtered, limit=TOP, facets=FACETS, facet_size=FACET_SIZE,
                               filters={"province": (FILTER_PROVINCE,)}),
            # as the service runs them: the ranked page, then the facets of the patents with every word
            "d": [SearchRequest(query=BestMatch("tac", text), limit=TOP),
                  SearchRequest(query=Term("tac", text), limit=0, facets=FACETS, facet_size=FACET_SIZE)],
            "e": SearchRequest(query=BestMatch("tac", passage, coordinate=False), limit=TOP)}


def stage_tantivy_queries(search_dir: str, queries: list[dict]) -> dict:
    from ipcity.patents.search.backends import open_backend

    t0 = time.perf_counter()
    backend = open_backend("tantivy", Path(search_dir))
    open_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    requests = [_requests(q["text"], q["passage"]) for q in queries]
    parse_ms = (time.perf_counter() - t0) * 1000 / max(len(queries), 1)
    def run(req):  # a variant may be several requests (best match: page, then facets); the first gives the total
        pages = [backend.search(r) for r in (req if isinstance(req, list) else [req])]
        return pages[0]

    for reqs in requests:  # warm-up: one untimed pass over everything
        for req in reqs.values():
            run(req)
    latencies: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    totals: dict[str, list[int]] = {v: [] for v in VARIANTS}
    for reqs in requests:
        for variant, req in reqs.items():
            c0, t0 = time.thread_time(), time.perf_counter()
            page = run(req)
            latencies[variant].append((time.perf_counter() - t0) * 1000)
            cpu[variant].append((time.thread_time() - c0) * 1000)
            totals[variant].append(page.total)
    sample = backend.search(requests[0]["c"])
    backend.close()
    return {"open_s": open_s, "parse_ms": parse_ms, "latencies_ms": latencies, "cpu_ms": cpu, "totals": totals,
            "example_facets": {k: [(f.value, f.count) for f in v[:3]] for k, v in sample.facets.items()},
            **rss_mb()}


# --- stage 4: the SQLite FTS5 trigram baseline -----------------------------------------------------------


def _fts_connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MB page cache
    conn.execute("PRAGMA mmap_size=4294967296")  # and memory-mapped reads, as tantivy has
    conn.execute("PRAGMA temp_store=MEMORY")
    return conn


def _facet_values(rec) -> list[tuple[int, str]]:
    """The same facet values the tantivy index holds for `rec` (see document.index_doc)."""
    from ipcity.patents.ipc import IpcError, parts
    from ipcity.patents.search.keywords import normalise_keyword

    values: list[tuple[int, str]] = []
    sections, subclasses = [], []
    for symbol in rec.ipc or ([rec.ipc_main] if rec.ipc_main else []):
        try:
            p = parts(symbol)
        except IpcError:
            continue
        sections.append(p.section)
        subclasses.append(p.subclass)
    values += [(0, v) for v in dict.fromkeys(sections)]
    values += [(1, v) for v in dict.fromkeys(subclasses)]
    if rec.app_date:
        values.append((2, str(rec.app_date.year)))
    values += [(3, v) for v in dict.fromkeys(normalise_keyword("applicant", a) for a in rec.applicants) if v]
    if rec.region_code:
        values.append((4, rec.region_code[:2]))
    if rec.patent_type:
        values.append((5, rec.patent_type))
    if rec.legal_status:
        values.append((6, rec.legal_status))
    return values


def stage_fts_build(n: int, seed: int, data: str | None, path: str) -> dict:
    from ipcity.patents.ingest.bulk import chunked

    conn = _fts_connect(path)
    conn.executescript(f"""
        CREATE TABLE docs(id INTEGER PRIMARY KEY, pub_number TEXT, app_date INTEGER, province TEXT);
        CREATE TABLE facet(doc INTEGER, name INTEGER, value TEXT, PRIMARY KEY(doc, name, value)) WITHOUT ROWID;
        CREATE VIRTUAL TABLE fts USING fts5(title, abstract, claims, tokenize='trigram');
        -- {SYNTHETIC}
    """)
    insert_s = 0.0
    done = 0
    step = max(n // 5, 1)
    for batch in chunked(records(n, seed, data), 2000):
        rows = []
        facet_rows = []
        for rec in batch:
            done += 1
            rows.append((done, rec.pub_number, rec.app_date.year * 10000 + rec.app_date.month * 100
                         + rec.app_date.day if rec.app_date else 0, rec.region_code[:2], rec.title, rec.abstract,
                         rec.claims))
            facet_rows += [(done, name, value) for name, value in _facet_values(rec)]
        t0 = time.perf_counter()
        with conn:
            conn.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", [r[:4] for r in rows])
            conn.executemany("INSERT INTO fts(rowid, title, abstract, claims) VALUES (?, ?, ?, ?)",
                             [(r[0], *r[4:]) for r in rows])
            conn.executemany("INSERT INTO facet VALUES (?, ?, ?)", facet_rows)
        insert_s += time.perf_counter() - t0
        if done % step < 2000 and done != n:
            say(f"    fts5: {done:,} records, {insert_s:.0f} s inserting")
    t0 = time.perf_counter()
    with conn:
        conn.execute("CREATE INDEX docs_filter ON docs(province, app_date)")
    index_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with conn:
        conn.execute("INSERT INTO fts(fts) VALUES('optimize')")
    optimize_s = time.perf_counter() - t0
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = sum(p.stat().st_size for p in Path(path).parent.glob(Path(path).name + "*")) / 1024 ** 2
    total = insert_s + index_s + optimize_s
    return {"records": done, "insert_s": insert_s, "filter_index_s": index_s, "optimize_s": optimize_s,
            "total_s": total, "rate": done / total if total else 0.0, "db_mb": round(size, 1), **rss_mb()}


def fts_plan(words: list[str]) -> tuple[str, list[str]]:
    """(MATCH expression of the words a trigram index can match, the words that need LIKE instead)."""
    long = [w for w in words if len(w) >= 3]
    short = [w for w in words if len(w) < 3]
    match = " AND ".join('"' + w.replace('"', '""') + '"' for w in long)
    return match, short


def _fts_sql(match: str, short: list[str], filtered: bool) -> tuple[str, str, list]:
    """(FROM … WHERE … clause, ORDER BY clause, parameters) for one query."""
    where, params = [], []
    if match:
        where.append("fts MATCH ?")
        params.append(match)
    for word in short:
        where.append("(fts.title LIKE ? OR fts.abstract LIKE ? OR fts.claims LIKE ?)")
        params += [f"%{word}%"] * 3
    if filtered:
        where.append("d.app_date >= ? AND d.province = ?")
        params += [FILTER_SINCE, FILTER_PROVINCE]
    order = f"ORDER BY bm25(fts, {', '.join(map(str, BM25_WEIGHTS))})" if match else ""
    # The join order a careful developer would force (CROSS JOIN fixes it in SQLite): the full-text match first
    # when there is one; else the filter index (province, app_date) first when filtering; else a scan. Left to
    # itself the planner walks the filter index and probes MATCH row by row, 20-100x slower.
    if match:
        source = "fts CROSS JOIN docs d ON d.id = fts.rowid"
    elif filtered:
        source = "docs d CROSS JOIN fts ON fts.rowid = d.id"
    else:
        source = "fts JOIN docs d ON d.id = fts.rowid"
    return f"FROM {source} WHERE {' AND '.join(where)}", order, params


def fts_search(conn: sqlite3.Connection, words: list[str], facets: bool, filtered: bool) -> int:
    match, short = fts_plan(words)
    body, order, params = _fts_sql(match, short, filtered)
    [r[0] for r in conn.execute(f"SELECT d.pub_number {body} {order} LIMIT {TOP}", params)]
    if not facets:
        return conn.execute(f"SELECT count(*) {body}", params).fetchone()[0]
    rows = conn.execute(f"""
        WITH m(id) AS MATERIALIZED (SELECT fts.rowid {body})
        SELECT -1, '', count(*) FROM m
        UNION ALL
        SELECT f.name, f.value, count(*) FROM m JOIN facet f ON f.doc = m.id GROUP BY f.name, f.value""",
                        params).fetchall()
    total = 0
    top: dict[int, list[tuple[int, str]]] = {}
    for name, value, count in rows:
        if name == -1:
            total = count
        else:
            top.setdefault(name, []).append((count, value))
    for buckets in top.values():  # the top FACET_SIZE of each facet, as tantivy returns them
        buckets.sort(key=lambda b: (-b[0], b[1]))
        del buckets[FACET_SIZE:]
    return total


def stage_fts_queries(path: str, queries: list[dict], scan_limit: int) -> dict:
    conn = _fts_connect(path)
    kinds = []
    for q in queries:
        match, short = fts_plan(q["words"])
        kinds.append("match" if not short else "match+like" if match else "scan")
    variants = {"a": (False, False), "b": (True, False), "c": (True, True)}
    for q, kind in zip(queries, kinds, strict=True):  # warm-up, scans excepted (they read the whole table anyway)
        if kind != "scan":
            for facets, filtered in variants.values():
                fts_search(conn, q["words"], facets, filtered)
    latencies: dict[str, list[float | None]] = {v: [] for v in variants}
    cpu: dict[str, list[float | None]] = {v: [] for v in variants}
    totals: dict[str, list[int | None]] = {v: [] for v in variants}
    scans_timed = 0
    for q, kind in zip(queries, kinds, strict=True):
        timed = kind != "scan" or scans_timed < scan_limit
        scans_timed += kind == "scan" and timed
        for variant, (facets, filtered) in variants.items():
            if not timed:
                latencies[variant].append(None)
                cpu[variant].append(None)
                totals[variant].append(None)
                continue
            c0, t0 = time.thread_time(), time.perf_counter()
            total = fts_search(conn, q["words"], facets, filtered)
            latencies[variant].append((time.perf_counter() - t0) * 1000)
            cpu[variant].append((time.thread_time() - c0) * 1000)
            totals[variant].append(total)
    conn.close()
    return {"kinds": kinds, "latencies_ms": latencies, "cpu_ms": cpu, "totals": totals, "scans_timed": scans_timed,
            **rss_mb()}


# --- figures ---------------------------------------------------------------------------------------------




def summary(values: list[float], weights: list[float] | None = None) -> dict:
    if not values:
        return {"n": 0, "p50": float("nan"), "p95": float("nan"), "p99": float("nan"), "mean": float("nan")}
    w = weights or [1.0] * len(values)
    return {"n": len(values), "p50": percentile(values, 50, w), "p95": percentile(values, 95, w),
            "p99": percentile(values, 99, w), "mean": sum(v * x for v, x in zip(values, w, strict=True)) / sum(w)}


def compare(tantivy: dict, fts: dict, queries: list[dict]) -> dict:
    """Latency summaries per variant and query subset, and the FTS5 / tantivy ratios."""
    kinds = fts["kinds"] if fts else []
    subsets = {"all": lambda i: True, "3+ character words (MATCH only)": lambda i: kinds[i] == "match",
               "with 1-2 character words (LIKE needed)": lambda i: kinds[i] != "match"}
    n_scan = kinds.count("scan")
    scan_weight = n_scan / fts["scans_timed"] if fts and fts["scans_timed"] else 1.0
    out = {}
    for variant in VARIANTS:
        t_lat = tantivy["latencies_ms"][variant]
        rows = {}
        for name, keep in subsets.items():
            if (not fts or variant not in FTS_VARIANTS) and name != "all":
                continue
            idx = [i for i in range(len(queries)) if keep(i)]
            row = {"tantivy": summary([t_lat[i] for i in idx]),
                   "tantivy_cpu": summary([tantivy["cpu_ms"][variant][i] for i in idx])}
            if fts and variant in FTS_VARIANTS:
                f_lat = fts["latencies_ms"][variant]
                timed = [i for i in idx if f_lat[i] is not None]
                weights = [scan_weight if kinds[i] == "scan" else 1.0 for i in timed]
                row["fts5"] = summary([f_lat[i] for i in timed], weights)
                row["fts5_cpu"] = summary([fts["cpu_ms"][variant][i] for i in timed], weights)
                row["fts5_untimed_scans"] = len(idx) - len(timed)
                for stat in ("p50", "p95", "mean"):
                    t, f = row["tantivy"][stat], row["fts5"][stat]
                    row[f"ratio_{stat}"] = f / t if t and not math.isnan(f) and not math.isnan(t) else float("nan")
            rows[name] = row
        out[variant] = rows
    return out


def agreement(tantivy: dict, fts: dict) -> dict:
    """How often FTS5 and tantivy found the same number of patents (they tokenise differently)."""
    out = {}
    for variant in ("a", "b", "c"):
        pairs = [(t, f) for t, f in zip(tantivy["totals"][variant], fts["totals"][variant], strict=True)
                 if f is not None]
        same = sum(1 for t, f in pairs if t == f)
        more = sum(1 for t, f in pairs if f > t)
        out[variant] = {"compared": len(pairs), "same_total": same, "fts5_found_more": more,
                        "fts5_found_fewer": len(pairs) - same - more}
    return out


# --- report ----------------------------------------------------------------------------------------------

VARIANT_NAMES = {"a": "(a) top-20", "b": "(b) top-20 + 7 facets",
                 "c": "(c) top-20 + AD>=2015 + province 31 + 7 facets (goal query)",
                 "d": "(d) best match of the words, top-20 + 7 facets of every-word hits",
                 "e": "(e) pasted passage (natural language, 32 rarest words), top-20"}


def goals(result: dict) -> list[dict]:
    n = result["n"]
    rows = []
    ingest = result["ingest"]
    rows.append({"goal": f"ingest end to end >= {GOAL_INGEST_RATE:,.0f} records/s (register + index)",
                 "value": f"{ingest['rate']:,.0f} records/s", "ok": ingest["rate"] >= GOAL_INGEST_RATE})
    if result.get("index_only"):
        rate = result["index_only"]["rate"]
        rows.append({"goal": f"analysis + indexing alone >= {GOAL_INGEST_RATE:,.0f} records/s",
                     "value": f"{rate:,.0f} records/s", "ok": rate >= GOAL_INGEST_RATE})
    p95 = result["latency"]["c"]["all"]["tantivy"]["p95"]
    rows.append({"goal": f"goal query (c) p95 <= {GOAL_P95_MS:g} ms", "value": f"{p95:.1f} ms",
                 "ok": p95 <= GOAL_P95_MS})
    for variant in ("d", "e"):
        p95 = result["latency"][variant]["all"]["tantivy"]["p95"]
        rows.append({"goal": f"{VARIANT_NAMES[variant]} p95 <= {GOAL_P95_MS:g} ms", "value": f"{p95:.1f} ms",
                     "ok": p95 <= GOAL_P95_MS})
    if result.get("fts_queries"):
        strict = result["latency"]["c"]["3+ character words (MATCH only)"]
        everyone = result["latency"]["c"]["all"]
        rows.append({"goal": f"goal query (c) >= {GOAL_RATIO:g}x faster than FTS5, p95, queries FTS5 can MATCH",
                     "value": f"{strict['ratio_p95']:.1f}x", "ok": strict["ratio_p95"] >= GOAL_RATIO})
        rows.append({"goal": f"goal query (c) >= {GOAL_RATIO:g}x faster than FTS5, p95, all queries (LIKE fallback)",
                     "value": f"{everyone['ratio_p95']:.1f}x", "ok": everyone["ratio_p95"] >= GOAL_RATIO})
    for row in rows:
        row["verdict"] = benchkit.verdict(row["ok"])
    if n != GOAL_N:
        for row in rows:
            row["note"] = f"goals are set at N={GOAL_N:,}; this run has N={n:,}: indicative only"
    return rows


def print_report(result: dict) -> None:
    m = result["machine"]
    n = result["n"]
    say("\n" + "=" * 100)
    say(f"SEARCH BENCHMARK — SYNTHETIC CORPUS of {n:,} patent-like records (bench/synthetic.py, seed "
        f"{result['seed']}); no real patent is in it")
    say(f"machine: {m['cores']} cores ({m['usable_cores']} usable), {m['ram_gb']} GB RAM, Python {m['python']}, "
        f"tantivy {m['tantivy']}, rjieba {m['rjieba']}, SQLite {m['sqlite']}; load average at start "
        f"{result['load_start']}, at end {result['load_end']}")
    c = result["corpus"]
    say(f"\ncorpus [{SYNTHETIC}]: {c['records']:,} records written as JSONL in {c['wall_s']:.1f} s "
        f"({c['rate_wall']:,.0f} records/s, {c['file_mb']} MB)")
    i = result["ingest"]
    o = i["outcome"]
    say(f"\nINGEST [{SYNTHETIC}] ingest_file (JSONL → normalise → SQLite register → analysis → tantivy):")
    say(f"  {o['inserted']:,} inserted, {o['rejected']:,} rejected, status {o['status']}; "
        f"{i['indexed']:,} in the index")
    say(f"  wall {i['wall_s']:.1f} s → {i['rate']:,.0f} records/s end to end; CPU {i['cpu_s']:.1f} s "
        f"({i['cpu_s'] / i['wall_s'] * 100:.0f}% of one core; {i.get('workers', 1)} preparing process(es))")
    say("  where the time went (wall seconds inside each step):")
    for name, secs in sorted(i["breakdown_s"].items(), key=lambda kv: -kv[1]):
        per_record = secs / max(o["inserted"], 1) * 1e6
        say(f"    {name:<45} {secs:8.1f} s  {secs / i['wall_s'] * 100:5.1f}%  {per_record:7.0f} µs/record")
    say(f"  tantivy index on disk {i['index_mb']:,.1f} MB; SQLite register {i['register_mb']:,.1f} MB; "
        f"ingest process RSS {i['rss_mb']:,.0f} MB at the end, peak {i['peak_rss_mb']:,.0f} MB")
    if result.get("index_only"):
        x = result["index_only"]
        say(f"\nINDEXING ALONE [{SYNTHETIC}] (document.index_doc + TantivyBackend.upsert + commit every "
            f"{COMMIT_EVERY:,}; generation not counted):")
        say(f"  {x['records']:,} records in {x['total_s']:.1f} s → {x['rate']:,.0f} records/s "
            f"(analysis {x['analysis_s']:.1f} s, upsert {x['upsert_s']:.1f} s, commits {x['commit_s']:.1f} s; "
            f"CPU {x['cpu_s']:.1f} s); index {x['index_mb']:,.1f} MB; peak RSS {x['peak_rss_mb']:,.0f} MB")
    if result.get("fts_build"):
        f = result["fts_build"]
        say(f"\nFTS5 BASELINE BUILD [{SYNTHETIC}] (trigram over title+abstract+claims, facet table, filter index):")
        say(f"  inserts {f['insert_s']:.1f} s + filter index {f['filter_index_s']:.1f} s + optimize "
            f"{f['optimize_s']:.1f} s = {f['total_s']:.1f} s → {f['rate']:,.0f} records/s; "
            f"database {f['db_mb']:,.1f} MB; peak RSS {f['peak_rss_mb']:,.0f} MB")
    q = result["queries"]
    t = result["tantivy_queries"]
    say(f"\nQUERIES [{SYNTHETIC}]: {len(q)} queries of 2–4 words sampled from the corpus "
        f"({sum(1 for x in q if x['long_words_only'])} with words of 3+ characters only); e.g. "
        + ", ".join(repr(x["text"]) for x in q[:3]))
    say(f"  tantivy: index opened in {t['open_s'] * 1000:.0f} ms, parse {t['parse_ms']:.2f} ms/query, one warm-up "
        f"pass then one measured pass; query process peak RSS {t['peak_rss_mb']:,.0f} MB")
    fq = result.get("fts_queries")
    if fq:
        kinds = Counter(fq["kinds"])
        say(f"  FTS5: {kinds['match']} queries answered by MATCH alone; {kinds['match+like']} MATCH + LIKE for their "
            f"1–2-character words; {kinds['scan']} with no word of 3+ characters → LIKE scan of the whole table "
            f"({fq['scans_timed']} of them timed, each weighted {kinds['scan'] / max(fq['scans_timed'], 1):.1f}× in "
            f"the 'all' figures); the trigram index alone cannot answer {kinds['match+like'] + kinds['scan']} of "
            f"{len(q)} queries")
        say(f"  FTS5 query process peak RSS {fq['peak_rss_mb']:,.0f} MB")
    say(f"\n  LATENCY [{SYNTHETIC}, N={n:,}], wall ms per query (CPU ms of the searching thread beside it: on a busy "
        "machine wall time includes waiting for a core)")
    head = (f"  {'query / subset':<46} {'engine':<8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'mean':>8} "
            f"{'CPU p50':>8} {'CPU p95':>8} {'n':>4}")
    say(head + "\n  " + "-" * (len(head) - 2))
    for variant, rows in result["latency"].items():
        say(f"  {VARIANT_NAMES[variant]}")
        for subset, row in rows.items():
            for engine in ("tantivy", "fts5"):
                if engine not in row:
                    continue
                s, c = row[engine], row[f"{engine}_cpu"]
                say(f"    {subset:<44} {engine:<8} {s['p50']:>8.2f} {s['p95']:>8.2f} {s['p99']:>8.2f} "
                    f"{s['mean']:>8.2f} {c['p50']:>8.2f} {c['p95']:>8.2f} {s['n']:>4}")
            if "ratio_p50" in row:
                say(f"    {'':<44} {'FTS5/t':<8} {row['ratio_p50']:>7.1f}x {row['ratio_p95']:>7.1f}x {'':>8} "
                    f"{row['ratio_mean']:>7.1f}x")
    if result.get("agreement"):
        say("\n  result counts, FTS5 (substring) vs tantivy (jieba words): " + "; ".join(
            f"{v}: same {a['same_total']}/{a['compared']}, FTS5 more {a['fts5_found_more']}, fewer "
            f"{a['fts5_found_fewer']}" for v, a in result["agreement"].items()))
    zero = {v: sum(1 for x in t["totals"][v] if x == 0) for v in VARIANTS}
    say("  tantivy queries with no hit: " + ", ".join(f"({v}) {zero[v]}" for v in VARIANTS) + f" of {len(q)}; "
        "hits per query (median / 90th percentile / max): " + ", ".join(
            f"({v}) {percentile(t['totals'][v], 50):,.0f} / {percentile(t['totals'][v], 90):,.0f} / "
            f"{max(t['totals'][v]):,}" for v in VARIANTS))
    say(f"\nGOALS [{SYNTHETIC}, N={n:,}]:")
    for row in result["goals"]:
        say(f"  {row['verdict']}  {row['goal']}: {row['value']}")
    if n != GOAL_N:
        say(f"  (the goals are defined at N={GOAL_N:,}; at N={n:,} the verdicts are indicative only)")
    say("=" * 100)




# --- main ------------------------------------------------------------------------------------------------


def checkpoint(path: Path | None, result: dict) -> None:
    """Save the figures so far (a long run that is stopped keeps what it measured)."""
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(finite({**result, "partial": True}), indent=1, ensure_ascii=False,
                                   allow_nan=False) + "\n")




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="synthetic records (100000)")
    parser.add_argument("--queries", type=int, default=200, help="queries per variant (200)")
    parser.add_argument("--seed", type=int, default=0, help="corpus and query seed (0)")
    parser.add_argument("--data", type=Path, default=None,
                        help=f"the shared real data the corpus is built from (default {synthetic.DEFAULT_DATA})")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the corpus, register and indexes go (default: a temporary folder, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--skip-fts", action="store_true", help="no SQLite FTS5 baseline")
    parser.add_argument("--skip-index-only", action="store_true", help="no separate analysis + indexing pass")
    parser.add_argument("--fts-scan-limit", type=int, default=40,
                        help="FTS5 queries with no 3+ character word need a full LIKE scan; time at most this many "
                             "(40; the rest are weighted in)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this path")
    args = parser.parse_args(argv)
    if args.n < 1 or args.queries < 1 or args.fts_scan_limit < 1:
        parser.error("--n, --queries and --fts-scan-limit must be positive")
    try:
        synthetic.resolve_data(args.data)
    except synthetic.DataMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    data = str(args.data) if args.data else None
    signal.signal(signal.SIGTERM, interrupt)
    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="ipcity-search-bench-")) if temporary else args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    result: dict = {"synthetic": True, "corpus_kind": "SYNTHETIC (bench/synthetic.py)", "n": args.n,
                    "seed": args.seed, "machine": machine(), "load_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        say(f"search benchmark on a SYNTHETIC corpus: N={args.n:,}, {args.queries} queries, work folder {workdir}")
        corpus = workdir / "corpus.jsonl"  # not gzipped: writing gzip would take longer than the ingest reads
        say("[1/5] writing the synthetic corpus ...")
        result["corpus"] = in_child(stage_corpus, args.n, args.seed, data, str(corpus))
        say("[2/5] ingest_file (register + tantivy) ...")
        result["ingest"] = in_child(stage_ingest, str(corpus), str(workdir / "data"), args.n)
        say(f"      ingest done: {result['ingest']['rate']:,.0f} records/s end to end, "
            f"index {result['ingest']['index_mb']:,.0f} MB")
        checkpoint(args.json, result)
        if result["ingest"]["outcome"]["status"] != "done" or result["ingest"]["indexed"] != args.n:
            raise BenchError(f"ingest did not index every record: {result['ingest']['outcome']}, "
                             f"{result['ingest']['indexed']} in the index")
        if not args.skip_index_only:
            say("      analysis + indexing alone ...")
            folder = workdir / "index-only"
            result["index_only"] = in_child(stage_index_only, args.n, args.seed, data, str(folder))
            shutil.rmtree(folder, ignore_errors=True)
            checkpoint(args.json, result)
        say("[3/5] sampling queries ...")
        queries = sample_queries(args.n, args.seed, data, args.queries)
        result["queries"] = queries
        say("[4/5] tantivy queries ...")
        result["tantivy_queries"] = in_child(stage_tantivy_queries, result["ingest"]["search_dir"], queries)
        goal = result["tantivy_queries"]["latencies_ms"]["c"]
        say(f"      goal query (c): p50 {percentile(goal, 50):.1f} ms, p95 {percentile(goal, 95):.1f} ms")
        checkpoint(args.json, result)
        if not args.skip_fts:
            say("[5/5] SQLite FTS5 trigram baseline: building ...")
            fts_path = workdir / "fts5.sqlite3"
            result["fts_build"] = in_child(stage_fts_build, args.n, args.seed, data, str(fts_path))
            checkpoint(args.json, result)
            say("      FTS5 queries ...")
            result["fts_queries"] = in_child(stage_fts_queries, str(fts_path), queries, args.fts_scan_limit)
            result["agreement"] = agreement(result["tantivy_queries"], result["fts_queries"])
        result["latency"] = compare(result["tantivy_queries"], result.get("fts_queries"), queries)
        result["load_end"] = [round(x, 2) for x in os.getloadavg()]
        result["goals"] = goals(result)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        return 1
    except Exception:  # a stage raised in its process: show where, and fail
        traceback.print_exc()
        print("\nbench failed: a stage raised (traceback above)", file=sys.stderr)
        return 1
    finally:
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print_report(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(finite(result), indent=1, ensure_ascii=False, allow_nan=False) + "\n")
        say(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
