"""Benchmark of the data-IP transparency log (services/dataip/tlog.py): stored appends, proofs, signed heads.

    .venv/bin/python bench/tlog.py                          # N = 1,000,000 leaves, temporary SQLite file
    .venv/bin/python bench/tlog.py --n 100000               # a quicker run
    .venv/bin/python bench/tlog.py --n 200000 --database-url postgresql+psycopg://user@127.0.0.1:5432/db
    .venv/bin/python bench/tlog.py --n 100000 --profile     # also cProfile both append paths (after the figures)

All in one process (the log's Merkle tree is an in-memory cache of that process, as in the server):
1. bulk appends: N − S SYNTHETIC registration-like entries (a Chinese product name, a holder, two sha256 data
   hashes, dates; 400–600 bytes of canonical JSON) through `tlog.append_many`, --batch entries per transaction,
   each committed. Timed per batch: the session, append_many and the commit; making the entries is not timed.
   The baseline, on each batch too: the same canonical entry bytes hashed with hashlib.sha256 (the plain-hash
   rate), and canonical JSON + the RFC 6962 leaf hash (what append_many computes before any SQL);
2. the former per-event path, the baseline of the log at rate: S entries (--singles) through `tlog.append`, one per
   transaction, each followed by `tlog.publish` (one Ed25519-signed tree head) and the commit;
2b. the log at rate (sequencer.py): P events (--promised) as a caller makes them, one per transaction: a
   `db.session(write=True)`, `tlog.append`, its signed inclusion promise (`promise.issue`) and the commit, while a
   `sequencer.LogSigner` thread signs a head over whatever is pending every --sign-ms milliseconds (the deployed
   timer). Interleaved with them in rounds of 250 (so a shared machine's load falls on each alike), P events each
   through two comparisons and P empty transactions: the same event with append's statements through
   `session.execute` (the append of 149f475), the same event on a raw DB-API connection with no session (a floor:
   what the database and the driver cost), and `db.session(write=True)` + commit with nothing in it (the session's
   own floor). Then P more in transactions of --group entries (events committed together: one promise each, all
   under one head). After each run one more signer round, and every promised entry must be under a signed head
   and a sample of promises must verify;
3. at the full size N: --samples random leaves / earlier sizes: `tlog.inclusion_proof` and
   `tlog.consistency_proof` through a session (the state-row read and the cache check included), the same proofs
   from the cached `merkle.MerkleTree` alone, and `merkle.verify_inclusion` / `merkle.verify_consistency` of
   each proof against the signed root (each verification must pass, or the run fails);
4. a cold start (`tlog.forget_cache()`, then the first proof: the tree rebuilt from the stored leaf hashes) and
   one `tlog.check` (every entry re-hashed, every root and head signature re-derived; it must find nothing);
5. signing: `tlog.publish` per call (from step 2), the bare Ed25519 sign, and `tlog.verify_head` per call;
6. peak RSS (ru_maxrss) and the database's size.

Goals (the issue's): >= 5,000 events/s, one per transaction, each with its promise (heads on the timer);
inclusion and consistency proofs and their verification under 1 ms at 1,000,000 leaves (p95 here); the former
per-event path (step 2) and the plain sha256 of the same bytes are the baselines. The printed figures are also
written to bench/results/tlog.txt at N = 1,000,000 (tlog-pg.txt on PostgreSQL), tlog[-pg]-<N>.txt otherwise.
Exit status 0 when the run completed, whatever the verdicts; 1 when a step failed (a proof that does not verify, a
check that finds a problem); 130 when interrupted.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import os
import pstats
import resource
import shutil
import signal
import ssl
import sys
import tempfile
import time
import traceback
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT / "src", Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import benchkit  # noqa: E402  (bench/benchkit.py)
from benchkit import interrupt, percentile  # noqa: E402

RESULTS = ROOT / "bench" / "results"
GOAL_RATE = 5_000.0  # appends per second
GOAL_MS = 1.0  # proof generation and verification, at 1,000,000 leaves
GOAL_N = 1_000_000
MiB = 1024 * 1024
SYNTHETIC = "SYNTHETIC entries"


class BenchError(RuntimeError):
    pass


# --- the entries -----------------------------------------------------------------------------------------

_DISTRICTS = ("上海市", "浦东新区", "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区",
              "宝山区", "嘉定区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区", "临港新片区")
_TOPICS = ("公共交通客流时空分布", "城市道路拥堵指数", "企业用电负荷曲线", "医疗影像标注", "社区零售商品销量",
           "气象观测逐小时", "港口集装箱吞吐", "新能源汽车充电行为", "工业设备运行状态", "小微企业信用画像",
           "商业楼宇能耗监测", "跨境电商物流时效", "生物医药临床试验脱敏", "集成电路晶圆缺陷图像")
_FORMS = ("数据集", "数据产品", "数据服务接口", "专题数据库")
_TRADES = ("数智", "云图", "联科", "海纳", "星河", "智汇", "东方", "申城", "浦江", "天衡", "卓远", "锦程")
_HOLDER_KINDS = ("数据科技有限公司", "信息技术股份有限公司", "大数据研究院", "网络科技有限公司", "智能科技有限公司")
_CATEGORIES = ("dataset", "data_product", "data_service")
_FILES = ("明细", "汇总", "样例", "字典", "时序")
_FORMATS = ("csv", "parquet", "json", "xlsx")
_INDUSTRIES = ("I64", "I65", "M73", "C39", "G54", "Q84", "F52", "D44", "J66")


class Entries:
    """Registration-like log entries, deterministic for the seed and the entry's number (any order, any slice)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def item(self, i: int) -> tuple[str, str, dict]:
        rng = Random(self.seed * 1_000_003 + i)
        year = 2024 + rng.randrange(3)
        district, topic, form = rng.choice(_DISTRICTS), rng.choice(_TOPICS), rng.choice(_FORMS)
        holder = f"上海{rng.choice(_TRADES)}{rng.choice(_TRADES)}{rng.choice(_HOLDER_KINDS)}"
        registered = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        application = f"SHDA{year}{i:08d}"
        files = [{"filename": f"{rng.choice(_FILES)}_{year}Q{q}.{rng.choice(_FORMATS)}",
                  "sha256": f"{rng.getrandbits(256):064x}"} for q in (1, 2)]
        fields = {
            "application_number": application,
            "name": f"{district}{year}年度{topic}{form}",
            "category": rng.choice(_CATEGORIES),
            "industry_code": rng.choice(_INDUSTRIES),
            "holder": holder,
            "data_files": files,
            "registered_on": registered.isoformat(),
            "valid_until": (registered + timedelta(days=3 * 365)).isoformat(),
        }
        return "registration", application, fields

    def batch(self, start: int, count: int) -> list[tuple[str, str, dict]]:
        return [self.item(i) for i in range(start, start + count)]


# --- helpers ---------------------------------------------------------------------------------------------


def memory() -> dict:
    """Peak resident memory so far (ru_maxrss, KiB on Linux) and the current one, in bytes."""
    current = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {"peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "rss_bytes": current}


def stats_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "p99": percentile(ms, 99), "max": max(ms),
            "mean": sum(ms) / len(ms), "n": len(ms)}


def ms_row(name: str, s: dict, note: str = "") -> str:
    return (f"    {name:<62} {s['p50']:8.3f} {s['p95']:8.3f} {s['p99']:8.3f} {s['max']:8.3f} {s['mean']:8.3f}"
            f"{'   ' + note if note else ''}")


def machine() -> str:
    packages = ("SQLAlchemy", "cryptography", "psycopg")
    facts = benchkit.machine(packages)
    return (f"{facts['cores']} cores ({facts['usable_cores']} usable), {facts['ram_gb']:.1f} GiB RAM, Python "
            f"{facts['python']}, SQLite {facts['sqlite']}, {', '.join(f'{p} {facts[p]}' for p in packages)}, "
            f"{ssl.OPENSSL_VERSION} (hashlib); speed probe {facts['loop_ms']:.0f} ms (lower is faster); "
            f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def database_facts(db) -> str:
    from sqlalchemy import text

    with db.session() as s:
        if db.dialect == "sqlite":
            mode = s.execute(text("PRAGMA journal_mode")).scalar()
            sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(s.execute(text("PRAGMA synchronous")).scalar())
            return f"SQLite file, journal_mode={mode}, synchronous={sync} (ipcity.core.db's pragmas)"
        version = s.execute(text("SHOW server_version")).scalar()
        fsync = s.execute(text("SHOW fsync")).scalar()
        commit = s.execute(text("SHOW synchronous_commit")).scalar()
        return f"PostgreSQL {version}, fsync={fsync}, synchronous_commit={commit}"


def database_size(db, sqlite_path: Path | None) -> str:
    from sqlalchemy import text

    if sqlite_path is not None:
        main = sqlite_path.stat().st_size
        wal = sum(p.stat().st_size for p in sqlite_path.parent.glob(sqlite_path.name + "-*"))
        return f"{(main + wal) / MiB:,.0f} MiB (file {main / MiB:,.0f} MiB + WAL/SHM {wal / MiB:,.0f} MiB)"
    with db.session() as s:
        total = s.execute(text("SELECT pg_database_size(current_database())")).scalar()
        leaves = s.execute(text("SELECT pg_total_relation_size('dataip_log_leaf')")).scalar()
        heads = s.execute(text("SELECT pg_total_relation_size('dataip_tree_head')")).scalar()
    return (f"{total / MiB:,.0f} MiB database (leaf table with indexes {leaves / MiB:,.0f} MiB, tree heads "
            f"{heads / MiB:,.1f} MiB)")


# --- 1. bulk appends and the baseline --------------------------------------------------------------------


def stage_bulk(db, entries: Entries, count: int, batch: int, say) -> dict:
    from ipcity.services.dataip import merkle, tlog

    stamp = "2026-01-01T00:00:00Z"  # the baseline's entries carry a stamp of the same length as append_many's
    sha_s = leaf_s = append_s = make_s = 0.0
    batch_s: list[float] = []
    sizes: list[int] = []
    done = 0
    step = max(count // 10, 1)
    next_report = step
    started = time.perf_counter()
    while done < count:
        k = min(batch, count - done)
        t0 = time.perf_counter()
        items = entries.batch(done, k)
        blobs = [tlog.canonical({**f, "v": tlog.ENTRY_VERSION, "kind": kind, "subject": subject, "at": stamp})
                 for kind, subject, f in items]
        make_s += time.perf_counter() - t0
        sizes.extend(len(b) for b in blobs)
        # The baseline: a plain sha256 of the same canonical bytes.
        t0 = time.perf_counter()
        for b in blobs:
            hashlib.sha256(b).digest()
        sha_s += time.perf_counter() - t0
        # What append_many computes before it touches the database: canonical JSON, then the RFC 6962 leaf hash.
        t0 = time.perf_counter()
        for kind, subject, f in items:
            merkle.leaf_hash(tlog.canonical({**f, "v": tlog.ENTRY_VERSION, "kind": kind, "subject": subject,
                                             "at": stamp}))
        leaf_s += time.perf_counter() - t0
        # The stored append: a session, append_many, the commit.
        t0 = time.perf_counter()
        with db.session() as s:
            appended = tlog.append_many(s, items)
            s.commit()
        took = time.perf_counter() - t0
        append_s += took
        batch_s.append(took)
        if appended[0].index != done or len(appended) != k:
            raise BenchError(f"append_many gave indexes {appended[0].index}… for a batch starting at {done}")
        done += k
        if done >= next_report and done < count:
            say(f"      … {done:,} leaves, {done / append_s:,.0f} leaves/s so far, "
                f"{time.perf_counter() - started:,.0f} s elapsed")
            next_report += step
    return {"leaves": done, "append_s": append_s, "sha_s": sha_s, "leaf_s": leaf_s, "make_s": make_s,
            "wall_s": time.perf_counter() - started, "batch_s": batch_s, "sizes": sizes}


# --- 2. one registration event per transaction -----------------------------------------------------------


def stage_singles(db, signer, entries: Entries, start: int, count: int) -> dict:
    from ipcity.services.dataip import tlog

    append_s, publish_s, commit_s, total_s = [], [], [], []
    for i in range(start, start + count):
        kind, subject, fields = entries.item(i)
        t0 = time.perf_counter()
        with db.session() as s:
            appended = tlog.append(s, kind, subject, fields)
            t1 = time.perf_counter()
            head = tlog.publish(s, signer)
            t2 = time.perf_counter()
            s.commit()
        t3 = time.perf_counter()
        if appended.index != i or head.size != i + 1:
            raise BenchError(f"event {i}: leaf {appended.index}, signed head of size {head.size}")
        append_s.append(t1 - t0)
        publish_s.append(t2 - t1)
        commit_s.append(t3 - t2)
        total_s.append(t3 - t0)
    return {"events": count, "append_s": append_s, "publish_s": publish_s, "commit_s": commit_s,
            "total_s": total_s}


# --- 2b. the log at rate: promises at append, heads on the timer ----------------------------------------------

ROUND = 250  # events per mode per round: the modes alternate, so a shared machine's load falls on each alike


def _event(db, signer, items):
    """One event as a caller builds it: a writing session, tlog.append_many, a promise per entry, the commit."""
    from ipcity.services.dataip import promise, tlog

    t0 = time.perf_counter()
    with db.session(write=True) as s:
        appended = tlog.append_many(s, items)
        t1 = time.perf_counter()
        issued = [promise.issue(signer, a.index, a.leaf_hash, a.timestamp_ms) for a in appended]
        t2 = time.perf_counter()
        s.commit()
    t3 = time.perf_counter()
    return appended[0].index, issued[0], (t1 - t0, t2 - t1, t3 - t2, t3 - t0)


def _entry(item):
    """(entry bytes, leaf hash, time, its promise's timestamp): what tlog.append_many makes of one item."""
    from ipcity.core.clock import now
    from ipcity.services.dataip import merkle, tlog

    kind, subject, fields = item
    at = now()
    stamp = at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    entry = tlog.canonical({**fields, "v": tlog.ENTRY_VERSION, "kind": kind, "subject": subject, "at": stamp})
    return entry, merkle.leaf_hash(entry), at, int(at.timestamp()) * 1000


def _event_through_session(db, signer, item):
    """The comparison: the same event with the two statements through session.execute (tlog.append of 149f475)."""
    from sqlalchemy import bindparam, insert, update

    from ipcity.services.dataip import promise
    from ipcity.services.dataip.tables import LogLeaf, LogState

    state = LogState.__table__
    t0 = time.perf_counter()
    with db.session(write=True) as s:
        entry, leaf_hash, at, ms = _entry(item)
        claimed = s.execute(update(state).where(state.c.id == 1).values(size=state.c.size + bindparam("k"))
                            .returning(state.c.size), {"k": 1}).scalar()
        s.execute(insert(LogLeaf.__table__), [{"idx": claimed - 1, "kind": item[0], "subject": item[1],
                                                "entry": entry.decode("utf-8"), "leaf_hash": leaf_hash.hex(),
                                                "appended_at": at}])
        issued = promise.issue(signer, claimed - 1, leaf_hash, ms)
        s.commit()
    return claimed - 1, issued, time.perf_counter() - t0


class _RawEvent:
    """The floor: the same event on one DB-API connection with no SQLAlchemy session (BEGIN, claim, INSERT,
    promise, COMMIT), the statements written here; what the database and the driver cost."""

    def __init__(self, db) -> None:
        from ipcity.services.dataip.tables import LogLeaf

        self.raw = db.engine.raw_connection()
        dialect = db.engine.dialect
        self.sqlite = dialect.name == "sqlite"
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        self.claim = f"UPDATE dataip_log_state SET size = size + {mark} WHERE id = 1 RETURNING size"
        self.insert = (f"INSERT INTO dataip_log_leaf (idx, kind, subject, entry, leaf_hash, appended_at) "
                       f"VALUES ({', '.join([mark] * 6)})")
        self.stamp = LogLeaf.__table__.c.appended_at.type.dialect_impl(dialect).bind_processor(dialect) \
            or (lambda value: value)

    def __call__(self, signer, item):
        from ipcity.services.dataip import promise

        conn = self.raw.driver_connection
        t0 = time.perf_counter()
        entry, leaf_hash, at, ms = _entry(item)
        cur = conn.cursor()
        if self.sqlite:  # the driver opens no transaction itself (ipcity.core.db's pragmas)
            cur.execute("BEGIN IMMEDIATE")
        cur.execute(self.claim, (1,))
        index = cur.fetchall()[0][0] - 1
        cur.execute(self.insert, (index, item[0], item[1], entry.decode("utf-8"), leaf_hash.hex(), self.stamp(at)))
        cur.close()
        issued = promise.issue(signer, index, leaf_hash, ms)
        conn.commit()
        return index, issued, time.perf_counter() - t0

    def close(self) -> None:
        self.raw.close()


def _empty_transaction(db) -> float:
    t0 = time.perf_counter()
    with db.session(write=True) as s:
        s.connection()  # begins it (BEGIN IMMEDIATE on SQLite), as the event's first statement does
        s.commit()
    return time.perf_counter() - t0


def stage_promised(db, signer, entries: Entries, start: int, count: int, per_transaction: int,
                   sign_ms: int) -> dict:
    """`count` events through the platform's path (`_event`); with one event per transaction also `count`
    through each comparison (the statements through session.execute, the raw DB-API floor) and `count` empty
    writing transactions, the four alternating in rounds of ROUND. Appends `count` (grouped) or 3 × `count`
    leaves from `start`."""
    from ipcity.services.dataip import promise, sequencer

    log_signer = sequencer.LogSigner(db.sessions, db.read_sessions, signer, sign_ms / 1000).start()
    append_s, promise_s, commit_s, total_s = [], [], [], []
    compared: dict[str, list[float]] = {"session": [], "raw": [], "empty": []}
    promises = []
    raw = _RawEvent(db) if per_transaction == 1 else None
    nxt = start
    started = time.perf_counter()

    def platform(k: int) -> None:
        nonlocal nxt
        done = 0
        while done < k:
            items = entries.batch(nxt, min(per_transaction, k - done))
            index, issued, (a, p, c, t) = _event(db, signer, items)
            if index != nxt:
                raise BenchError(f"event {nxt}: leaf {index}")
            nxt += len(items)
            done += len(items)
            append_s.append(a)
            promise_s.append(p)
            commit_s.append(c)
            total_s.append(t)
            promises.append(issued)

    def other(name: str, k: int) -> None:
        nonlocal nxt
        for _ in range(k):
            if name == "empty":
                compared[name].append(_empty_transaction(db))
                continue
            call = (lambda item: _event_through_session(db, signer, item)) if name == "session" \
                else (lambda item: raw(signer, item))
            index, issued, took = call(entries.item(nxt))
            if index != nxt:
                raise BenchError(f"event {nxt} ({name}): leaf {index}")
            nxt += 1
            compared[name].append(took)
            promises.append(issued)

    try:
        if raw is None:
            platform(count)
        else:
            order = ["platform", "session", "raw", "empty"]
            for r, offset in enumerate(range(0, count, ROUND)):
                k = min(ROUND, count - offset)
                for name in order[r % 4:] + order[:r % 4]:  # each mode leads a round in turn
                    platform(k) if name == "platform" else other(name, k)
    finally:
        log_signer.stop()
        if raw is not None:
            raw.close()
    wall = time.perf_counter() - started
    timer_heads = log_signer.heads
    t0 = time.perf_counter()
    last = log_signer.round()  # what the timer had not signed yet when the run ended
    final_round = time.perf_counter() - t0
    if last is None or last.size < nxt:
        raise BenchError(f"after the final round the newest head covers {last and last.size}, not {nxt}")
    for p in (promises[0], promises[len(promises) // 2], promises[-1]):
        promise.verify(p.json(300), signer.public_raw)
    return {"events": count, "per_transaction": per_transaction, "append_s": append_s, "promise_s": promise_s,
            "commit_s": commit_s, "total_s": total_s, "wall_s": wall, "timer_heads": timer_heads,
            "final_round_s": final_round, "compared": compared, "next": nxt}


# --- 3. proofs and their verification at the full size ---------------------------------------------------


def stage_proofs(db, n: int, samples: int, seed: int) -> dict:
    from ipcity.services.dataip import merkle, tlog

    rng = Random(f"tlog-proofs-{seed}")
    indexes = [rng.randrange(n) for _ in range(samples)]
    olds = [rng.randrange(1, n) for _ in range(samples)]
    out: dict = {}
    with db.session() as s:
        head = tlog.latest_head(s)
        if head is None or head.size != n:
            raise BenchError(f"the latest signed head has size {head and head.size}, not {n}")
        root = bytes.fromhex(head.root_hash)
        tlog.inclusion_proof(s, 0, n)  # brings the cache to the state row (warm: it already is)
        # The tree the service keeps for this database: the proofs below are computed from it alone.
        tree = tlog._cache.trees[tlog._key(s)]
        if tree.root(n) != root:
            raise BenchError("the cached tree's root is not the signed root")

        def timed(call, args_list):
            seconds, results = [], []
            for args in args_list:
                t0 = time.perf_counter()
                result = call(*args)
                seconds.append(time.perf_counter() - t0)
                results.append(result)
            return seconds, results

        out["tlog_inclusion"], proofs = timed(lambda i: tlog.inclusion_proof(s, i, n), [(i,) for i in indexes])
        out["tree_inclusion"], tree_proofs = timed(lambda i: tree.inclusion_proof(i, n), [(i,) for i in indexes])
        if proofs != tree_proofs:
            raise BenchError("tlog.inclusion_proof and MerkleTree.inclusion_proof disagree")
        leaves = [tree.leaf(i) for i in indexes]
        out["verify_inclusion"], _ = timed(lambda leaf, i, p: merkle.verify_inclusion(leaf, i, n, p, root),
                                           list(zip(leaves, indexes, proofs, strict=True)))
        out["tlog_leaf"], rows = timed(lambda i: tlog.leaf(s, i), [(i,) for i in indexes])
        if any(bytes.fromhex(r.leaf_hash) != leaf for r, leaf in zip(rows, leaves, strict=True)):
            raise BenchError("a stored leaf hash differs from the cached tree's")
        out["tlog_consistency"], cproofs = timed(lambda m: tlog.consistency_proof(s, m, n), [(m,) for m in olds])
        out["tree_consistency"], tree_cproofs = timed(lambda m: tree.consistency_proof(m, n), [(m,) for m in olds])
        if cproofs != tree_cproofs:
            raise BenchError("tlog.consistency_proof and MerkleTree.consistency_proof disagree")
        out["tree_root"], old_roots = timed(tree.root, [(m,) for m in olds])
        out["verify_consistency"], _ = timed(lambda m, r, p: merkle.verify_consistency(m, n, r, root, p),
                                             list(zip(olds, old_roots, cproofs, strict=True)))
        # What the cached tree's Python objects take (its levels: lists of 32-byte bytes objects).
        out["tree_bytes"] = sys.getsizeof(tree._levels) + sum(sys.getsizeof(level) + sum(map(sys.getsizeof, level))
                                                                for level in tree._levels)
        out["inclusion_hashes"] = sum(map(len, proofs)) / len(proofs)
        out["consistency_hashes"] = sum(map(len, cproofs)) / len(cproofs)
        # A proof that must NOT verify (another leaf at the same index): the verifier really checks.
        try:
            merkle.verify_inclusion(leaves[1], indexes[0], n, proofs[0], root)
        except merkle.ProofError:
            pass
        else:
            if leaves[1] != leaves[0]:
                raise BenchError("verify_inclusion accepted a proof for another leaf")
    return out


# --- 4. cold start and the integrity check ---------------------------------------------------------------


def stage_cold(db, n: int) -> dict:
    from ipcity.services.dataip import tlog

    tlog.forget_cache()
    gc.collect()
    with db.session() as s:
        t0 = time.perf_counter()
        tlog.inclusion_proof(s, n // 2, n)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        tlog.inclusion_proof(s, n // 3, n)
        warm = time.perf_counter() - t0
    return {"cold_s": cold, "warm_s": warm}


def stage_check(db, public_raw: bytes) -> dict:
    from sqlalchemy import func, select

    from ipcity.services.dataip import tlog
    from ipcity.services.dataip.tables import TreeHead

    with db.session() as s:
        heads = s.scalar(select(func.count()).select_from(TreeHead))
        t0 = time.perf_counter()
        problems = tlog.check(s, public_raw)
        took = time.perf_counter() - t0
    if problems:
        raise BenchError(f"tlog.check found problems in an untouched log: {problems[:3]}")
    return {"check_s": took, "heads": heads}


# --- 5. signing ------------------------------------------------------------------------------------------


def stage_signing(db, signer, samples: int) -> dict:
    from sqlalchemy import select

    from ipcity.services.dataip import signing, tlog
    from ipcity.services.dataip.tables import TreeHead

    with db.session() as s:
        heads = [tlog.head_json(h) for h in s.scalars(select(TreeHead).order_by(TreeHead.size.desc()).limit(samples))]
    public = signer.public_raw
    verify_s = []
    for hj in heads:
        t0 = time.perf_counter()
        tlog.verify_head(hj, public)
        verify_s.append(time.perf_counter() - t0)
    forged = dict(heads[0], tree_size=int(heads[0]["tree_size"]) + 1)
    try:
        tlog.verify_head(forged, public)
    except signing.SignatureError:
        pass
    else:
        raise BenchError("verify_head accepted a head whose size was changed")
    root = bytes.fromhex(heads[0]["root_hash"])
    sign_s = []
    for i in range(len(heads)):
        message = signing.tree_head_message(i + 1, 1_767_225_600_000 + i, root)
        t0 = time.perf_counter()
        signer.sign(message)
        sign_s.append(time.perf_counter() - t0)
    return {"verify_s": verify_s, "sign_s": sign_s}


# --- profile (after every figure: its appends do not enter them) -----------------------------------------


def stage_profile(db, signer, entries: Entries, start: int, singles: int, batches: int, batch: int,
                  top: int) -> dict:
    from ipcity.services.dataip import tlog

    out = {}
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(start, start + singles):
        with db.session() as s:
            tlog.append(s, *entries.item(i))
            tlog.publish(s, signer)
            s.commit()
    profiler.disable()
    out[f"append + publish + commit, {singles} events"] = profiler
    start += singles
    items = [entries.batch(start + b * batch, batch) for b in range(batches)]
    profiler = cProfile.Profile()
    profiler.enable()
    for chunk in items:
        with db.session() as s:
            tlog.append_many(s, chunk)
            s.commit()
    profiler.disable()
    out[f"append_many + commit, {batches} batches of {batch}"] = profiler
    texts = {}
    for name, prof in out.items():
        buffer = io.StringIO()
        stats = pstats.Stats(prof, stream=buffer)
        stats.sort_stats("tottime").print_stats(top)
        buffer.write("  … and the project's own functions, by cumulative time:\n")
        stats.sort_stats("cumulative").print_stats(r"ipcity", top)
        texts[name] = buffer.getvalue().replace(str(ROOT) + "/", "")  # paths relative to the checkout
    return texts


# --- the run ---------------------------------------------------------------------------------------------


def run(args, say, workdir: Path) -> int:
    from sqlalchemy import func, select

    from ipcity.core.config import load_settings
    from ipcity.services.dataip import signing, tlog
    from ipcity.services.dataip.tables import LogLeaf
    from ipcity.web.app import build_services

    n, singles, promised = args.n, args.singles, args.promised
    # Appended after the bulk: the baseline, the log at rate one per transaction (the platform's path and two
    # comparisons, `promised` each), then grouped.
    tail = singles + 4 * promised
    sqlite_path = None if args.database_url else workdir / "tlog.sqlite3"
    url = args.database_url or f"sqlite:///{sqlite_path}"
    services = build_services(load_settings(data_dir=workdir / "data", database_url=url, run_worker=False))
    db = services.db
    try:
        db.migrate()
        with db.session() as s:
            if s.scalar(select(func.count()).select_from(LogLeaf)):
                raise BenchError("the database's log is not empty: give a fresh database (--database-url)")
        # The registry key, created in the temporary folder (never IPCITY_DATAIP_KEY_FILE's real key).
        signer = signing.load_signer(workdir / "data" / "keys" / "dataip-ed25519.pem")
        say(f"database: {database_facts(db)}")
        say(f"N = {n:,} leaves: {n - tail:,} by append_many in transactions of {args.batch:,}, then {singles:,} "
            f"by append + publish, one transaction each (the baseline), then {promised:,} by append + promise, one "
            f"transaction each (and {promised:,} each by two comparisons, alternating in rounds of {ROUND}), and "
            f"{promised:,} in transactions of {args.group}, heads signed by the log signer every {args.sign_ms:,} ms; "
            f"{args.samples:,} random samples per proof figure")

        before = memory()
        say("\n[1/5] bulk appends (append_many) and the plain-sha256 baseline ...")
        bulk = stage_bulk(db, Entries(args.seed), n - tail, args.batch, say)
        with db.session() as s:
            t0 = time.perf_counter()
            tlog.publish(s, signer)
            s.commit()
            first_publish = time.perf_counter() - t0
        after_bulk = memory()
        say("[2/5] one event per transaction (append + publish + commit) ...")
        single = stage_singles(db, signer, Entries(args.seed), n - tail, singles)
        say("[2b/5] the log at rate: one event per transaction with its promise, heads on the timer ...")
        rate = stage_promised(db, signer, Entries(args.seed), n - tail + singles, promised, 1, args.sign_ms)
        say(f"[2b/5] ... and {args.group} events per transaction ...")
        grouped = stage_promised(db, signer, Entries(args.seed), rate["next"], promised, args.group, args.sign_ms)
        if grouped["next"] != n:
            raise BenchError(f"the log has {grouped['next']:,} leaves at the end, not {n:,}")
        say("[3/5] proofs and verification at the full size ...")
        proofs = stage_proofs(db, n, args.samples, args.seed)
        say("[4/5] cold start and tlog.check ...")
        cold = stage_cold(db, n)
        check = stage_check(db, signer.public_raw)
        say("[5/5] signing ...")
        signs = stage_signing(db, signer, args.samples)
        mem = memory()
        size_text = database_size(db, sqlite_path)
        profiles = None
        if args.profile:
            say("[+] cProfile of both append paths (appends after the figures; not part of them) ...")
            profiles = stage_profile(db, signer, Entries(args.seed), n, args.profile_events, args.profile_batches,
                                     args.batch, args.profile_top)
    finally:
        db.dispose()

    report(say, args, bulk, first_publish, before, after_bulk, single, proofs, cold, check, signs, mem, size_text,
           rate, grouped)
    if profiles:
        say("\n  PROFILE (cProfile, after the measured run; times include the profiler's overhead), by own time:")
        for name, text in profiles.items():
            say(f"\n  -- {name}")
            for line in text.strip().splitlines():
                say(f"    {line}")
    return 0


def report(say, args, bulk, first_publish, before, after_bulk, single, proofs, cold, check, signs, mem,
           size_text, rate, grouped) -> None:
    n = args.n
    sizes = bulk["sizes"]
    leaves = bulk["leaves"]
    sha_rate = leaves / bulk["sha_s"]
    leaf_rate = leaves / bulk["leaf_s"]
    bulk_rate = leaves / bulk["append_s"]
    events = single["events"]
    single_rate = events / sum(single["total_s"])
    say(f"\n  ENTRIES [{SYNTHETIC}]: canonical JSON of {min(sizes)}–{max(sizes)} bytes, mean "
        f"{sum(sizes) / len(sizes):,.0f} (registration-like: Chinese name and holder, two sha256 data hashes, dates)")
    say("\n  APPENDS (rates per second of timed work; making the entries is not timed)")
    say(f"    plain hashlib.sha256 of the canonical bytes (baseline)      {sha_rate:>12,.0f} /s")
    say(f"    canonical JSON + RFC 6962 leaf hash (no database)           {leaf_rate:>12,.0f} /s   "
        f"{sha_rate / leaf_rate:6.1f}× slower than plain sha256")
    say(f"    tlog.append_many, {args.batch:,}/transaction + commit          {bulk_rate:>12,.0f} /s   "
        f"{sha_rate / bulk_rate:6.1f}× slower than plain sha256   ({leaves:,} leaves in {bulk['append_s']:,.1f} s; "
        f"wall with entry making {bulk['wall_s']:,.1f} s)")
    batch = stats_ms(bulk["batch_s"])
    say(f"      per transaction of {args.batch:,}: p50 {batch['p50']:.1f} ms, p95 {batch['p95']:.1f} ms, max "
        f"{batch['max']:.1f} ms; first tenth {leaves_rate(bulk, 0):,.0f} /s, last tenth {leaves_rate(bulk, 9):,.0f} /s")
    say(f"    tlog.append + tlog.publish + commit, 1 event/transaction   {single_rate:>12,.0f} /s   "
        f"{sha_rate / single_rate:6.1f}× slower than plain sha256   ({events:,} events in "
        f"{sum(single['total_s']):,.2f} s, on a log of {n - args.singles - 4 * args.promised:,} leaves and up)")
    say("\n  ONE EVENT PER TRANSACTION, where the time goes (ms per event)")
    head = f"    {'step':<62} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'mean':>8}   share of the mean"
    say(head)
    total_mean = sum(single["total_s"]) / events * 1000
    for key, name in (("append_s", "session + tlog.append (state read, cache check, INSERT, UPDATE)"),
                      ("publish_s", "tlog.publish (state read, head lookup, Ed25519 sign, INSERT)"),
                      ("commit_s", "commit + session close"), ("total_s", "the event")):
        s = stats_ms(single[key])
        say(ms_row(name, s, f"{s['mean'] / total_mean * 100:5.1f}%"))

    rate_rate = rate["events"] / sum(rate["total_s"])
    grouped_rate = grouped["events"] / sum(grouped["total_s"])
    compared = {name: len(times) / sum(times) for name, times in rate["compared"].items()}
    say(f"\n  THE LOG AT RATE (promise at append, heads signed by the log signer every {args.sign_ms:,} ms; "
        f"the baseline is the former path above, same run)")
    say(f"    {'events per second of timed work, same run':<62} {'events/s':>9}   {'vs baseline':>11}   "
        f"{'p50 ms':>7}")
    single_p50 = stats_ms(single["total_s"])["p50"]

    def row(name: str, rate_: float, p50: float, note: str = "") -> None:
        tail = f"   {note}" if note else ""
        say(f"    {name:<62} {rate_:>9,.0f}   {rate_ / single_rate:>10.2f}×   {p50:>7.3f}{tail}")

    row("append + publish + commit, 1 event/transaction (baseline)", single_rate, single_p50)
    row("EVENT: db.session(write=True) + tlog.append + promise + commit", rate_rate,
        stats_ms(rate["total_s"])["p50"], f"{rate['events']:,} events; {rate['timer_heads']:,} heads by the timer")
    row("  same, tlog.append's statements through session.execute", compared["session"],
        stats_ms(rate["compared"]["session"])["p50"], "(the append of 149f475; interleaved with the line above)")
    row("  floor: same event on a raw DB-API connection, no session", compared["raw"],
        stats_ms(rate["compared"]["raw"])["p50"], "(BEGIN, the two statements, promise, COMMIT)")
    row("  floor: db.session(write=True) + commit, nothing in it", compared["empty"],
        stats_ms(rate["compared"]["empty"])["p50"], "(the session's own cost per transaction)")
    row(f"EVENTS: {args.group} per transaction, append_many + promises + commit", grouped_rate,
        stats_ms(grouped["total_s"])["p50"] / args.group,
        f"p50 per event; {grouped['events']:,} events; {grouped['timer_heads']:,} heads by the timer")
    say(f"    the final signer round after each run (the rest of the pending entries): "
        f"{rate['final_round_s'] * 1000:.1f} / {grouped['final_round_s'] * 1000:.1f} ms; every promised entry is under "
        "a signed head, sampled promises verify")
    say(f"    {'EVENT, one per transaction: where the time goes (ms)':<62} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} "
        f"{'mean':>8}   share of the mean")
    rate_mean = sum(rate["total_s"]) / len(rate["total_s"]) * 1000
    for key, name in (("append_s", "session + tlog.append (BEGIN, claim UPDATE … RETURNING, INSERT)"),
                      ("promise_s", "promise.issue (Ed25519 sign)"), ("commit_s", "commit + session close"),
                      ("total_s", "the event")):
        s = stats_ms(rate[key])
        say(ms_row(name, s, f"{s['mean'] / rate_mean * 100:5.1f}%"))

    say(f"\n  PROOFS AT N = {n:,} ({args.samples:,} random leaves; consistency from a random earlier size to N), "
        "ms per call")
    say(f"    {'call':<62} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'mean':>8}")
    rows = (("tlog_inclusion", "tlog.inclusion_proof (session: state read + cache check)"),
            ("tree_inclusion", "MerkleTree.inclusion_proof alone"),
            ("verify_inclusion", "merkle.verify_inclusion"),
            ("tlog_consistency", "tlog.consistency_proof (session)"),
            ("tree_consistency", "MerkleTree.consistency_proof alone"),
            ("verify_consistency", "merkle.verify_consistency"),
            ("tree_root", "MerkleTree.root(earlier size) (what a verifier is given)"),
            ("tlog_leaf", "tlog.leaf (the stored entry, by index)"))
    figures = {key: stats_ms(proofs[key]) for key, _ in rows}
    for key, name in rows:
        say(ms_row(name, figures[key]))
    say(f"    proof lengths: inclusion {proofs['inclusion_hashes']:.1f} hashes, consistency "
        f"{proofs['consistency_hashes']:.1f} hashes on average; every proof verified against the signed root")

    say("\n  COLD START AND CHECK")
    say(f"    first proof after tlog.forget_cache() (tree rebuilt from {n:,} stored leaf hashes): "
        f"{cold['cold_s']:,.2f} s; the next proof (one call) {cold['warm_s'] * 1000:.3f} ms")
    say(f"    the cached tree's Python objects: {proofs['tree_bytes'] / MiB:,.0f} MiB "
        f"({proofs['tree_bytes'] / n:,.0f} bytes per leaf)")
    say(f"    tlog.check (every entry re-hashed, {check['heads']:,} signed heads re-derived and verified): "
        f"{check['check_s']:,.1f} s, no problem found")

    publish = stats_ms(single["publish_s"])
    sign = stats_ms(signs["sign_s"])
    verify = stats_ms(signs["verify_s"])
    say("\n  SIGNING (ms per call)")
    say(f"    {'call':<62} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'mean':>8}")
    say(ms_row("tlog.publish (in the event's transaction)", publish))
    say(ms_row("RegistrySigner.sign alone (Ed25519)", sign))
    say(ms_row("tlog.verify_head (key parse + Ed25519 verify)", verify))
    say(f"    first publish after the bulk appends: {first_publish * 1000:.2f} ms (incl. commit)")

    say("\n  MEMORY AND STORAGE")
    say(f"    peak RSS {mem['peak_bytes'] / MiB:,.0f} MiB (ru_maxrss, the whole process; tlog.check's own tree and "
        f"rows included); RSS before the first append {before['rss_bytes'] / MiB:,.0f} MiB (the application's "
        f"modules), after the bulk appends {after_bulk['rss_bytes'] / MiB:,.0f} MiB, at the end "
        f"{mem['rss_bytes'] / MiB:,.0f} MiB")
    say(f"    database: {size_text}, {n:,} leaves and {check['heads']:,} signed heads")

    checks = [
        (f"append_many ≥ {GOAL_RATE:,.0f} appends/s: {bulk_rate:,.0f}/s", bulk_rate >= GOAL_RATE),
        (f"append + publish, one event per transaction ≥ {GOAL_RATE:,.0f}/s (the former path): {single_rate:,.0f}/s",
         single_rate >= GOAL_RATE),
        (f"append + promise, one event per transaction, heads on the timer ≥ {GOAL_RATE:,.0f}/s: {rate_rate:,.0f}/s "
         f"(the session's floor here: {compared['empty']:,.0f} empty transactions/s)", rate_rate >= GOAL_RATE),
        (f"append + promises, {args.group} events per transaction, heads on the timer ≥ {GOAL_RATE:,.0f}/s: "
         f"{grouped_rate:,.0f}/s", grouped_rate >= GOAL_RATE),
        (f"inclusion proof p95 < {GOAL_MS:g} ms: tlog {figures['tlog_inclusion']['p95']:.3f} ms "
         f"(tree alone {figures['tree_inclusion']['p95']:.3f} ms)", figures["tlog_inclusion"]["p95"] < GOAL_MS),
        (f"verification p95 < {GOAL_MS:g} ms: inclusion {figures['verify_inclusion']['p95']:.3f} ms, consistency "
         f"{figures['verify_consistency']['p95']:.3f} ms",
         max(figures["verify_inclusion"]["p95"], figures["verify_consistency"]["p95"]) < GOAL_MS),
        (f"consistency proof p95 < {GOAL_MS:g} ms: tlog {figures['tlog_consistency']['p95']:.3f} ms "
         f"(tree alone {figures['tree_consistency']['p95']:.3f} ms)", figures["tlog_consistency"]["p95"] < GOAL_MS),
    ]
    say(f"\n  GOALS [{SYNTHETIC}, N={n:,}] (baseline: plain sha256 {sha_rate:,.0f}/s; append_many "
        f"{sha_rate / bulk_rate:.1f}× slower, one event per transaction {sha_rate / single_rate:.1f}× slower)")
    for text, ok in checks:
        say(f"    {benchkit.verdict(ok)}  {text}")
    if n != GOAL_N:
        say(f"    (the proof goals are defined at N={GOAL_N:,}; at N={n:,} those verdicts are indicative only)")


def leaves_rate(bulk: dict, tenth: int) -> float:
    """Leaves per second over one tenth of the bulk transactions (does the rate fall as the log grows?)."""
    times = bulk["batch_s"]
    part = max(len(times) // 10, 1)
    chosen = times[tenth * part:(tenth + 1) * part] if tenth < 9 else times[9 * part:]
    per_batch = bulk["leaves"] / len(times)
    return len(chosen) * per_batch / sum(chosen) if chosen else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=GOAL_N, help=f"leaves in the log at the end ({GOAL_N})")
    parser.add_argument("--batch", type=int, default=1_000, help="entries per append_many transaction (1000)")
    parser.add_argument("--singles", type=int, default=3_000,
                        help="events appended one per transaction with a signed head each (3000)")
    parser.add_argument("--promised", type=int, default=5_000,
                        help="events appended with their promise, heads on the timer: once one per transaction, once "
                             "--group per transaction (5000 each)")
    parser.add_argument("--group", type=int, default=10, help="events per transaction in the grouped run (10)")
    parser.add_argument("--sign-ms", type=int, default=1_000, help="the log signer's timer, milliseconds (1000)")
    parser.add_argument("--samples", type=int, default=2_000, help="random leaves / sizes per proof figure (2000)")
    parser.add_argument("--seed", type=int, default=0, help="entry and sample seed (0)")
    parser.add_argument("--database-url", default=None,
                        help="a fresh, empty database (e.g. postgresql+psycopg://…); default a temporary SQLite file")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the SQLite file and the key go (default a temporary folder, removed)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--profile", action="store_true",
                        help="after the figures, cProfile both append paths (adds leaves; not timed in the figures)")
    parser.add_argument("--profile-events", type=int, default=1_000, help="events profiled one per transaction (1000)")
    parser.add_argument("--profile-batches", type=int, default=20, help="append_many batches profiled (20)")
    parser.add_argument("--profile-top", type=int, default=25, help="functions listed per profile (25)")
    parser.add_argument("--no-results", action="store_true", help=f"do not write {RESULTS}/tlog-<N>.txt")
    args = parser.parse_args(argv)
    if args.batch < 1 or args.samples < 2 or args.singles < 1 or args.promised < 1 or args.group < 1:
        parser.error("--batch, --singles, --promised and --group must be positive, --samples at least 2")
    if not 1 <= args.sign_ms <= 60_000:
        parser.error("--sign-ms must be between 1 and 60000")
    if args.n <= args.singles + 4 * args.promised + 1:
        parser.error("--n must exceed --singles + 4 × --promised + 1")
    signal.signal(signal.SIGTERM, interrupt)
    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="ipcity-tlog-bench-")) if temporary else args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    say = benchkit.Printer()
    say("=" * 110)
    say(f"TRANSPARENCY LOG BENCHMARK — {SYNTHETIC} (bench/tlog.py, seed {args.seed}); no real registration in them")
    say(f"{datetime.now().isoformat(timespec='seconds')}; command: python bench/tlog.py "
        f"{' '.join(sys.argv[1:]) if argv is None else ' '.join(argv)}")
    say(f"machine: {machine()}")
    say(f"code: {benchkit.code_version()}")
    try:
        status = run(args, say, workdir)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception:  # a step raised: show where, and fail
        traceback.print_exc()
        print("\nbench failed (traceback above)", file=sys.stderr)
        return 1
    finally:
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    say(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    say("=" * 110)
    if not args.no_results:
        RESULTS.mkdir(parents=True, exist_ok=True)
        prefix = "tlog-pg" if args.database_url and args.database_url.startswith("postgresql") else "tlog"
        target = RESULTS / (f"{prefix}.txt" if args.n == GOAL_N else f"{prefix}-{args.n}.txt")
        target.write_text("\n".join(say.lines) + "\n")
        print(f"written to {target.relative_to(ROOT)}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
