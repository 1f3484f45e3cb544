"""Load test of one server process: a read mix and a read+write mix, on SQLite and on PostgreSQL.

    .venv/bin/python bench/load.py [--clients 50] [--seconds 60] [--db sqlite|postgresql|both] [--json out.json]

For each database:

1. a fresh data directory with the demo data: `ipcity demo --no-serve` (bench/web.py), or with `--no-corpus`
   the demo accounts and service data without the patent corpus (much quicker; the server then runs without
   its job worker, so that the queued corpus job does not start); for PostgreSQL a throwaway server
   (tests/support/postgres.py) and `IPCITY_DATABASE_URL` pointing at it;
2. `ipcity serve --workers 1` as a separate process;
3. three phases with `--clients` keep-alive clients each: `/healthz` (the baseline, static JSON), the read mix
   (registry, application list and page, dashboards, a case page) and the read+write mix (the same reads, plus
   data-IP filings through the HTML form, the next review step on filed applications, sign-ins with the right
   password);
4. the server is stopped and the database checked (tests/support/writemix.py): every acknowledged write (a
   filing answered with the redirect to its page, a review step or sign-in answered with its 303) is looked
   up, every case's state must equal its last history step and every data product its case, SQLite's
   integrity check must pass; then `ipcity audit verify` and `ipcity dataip check` give their verdicts.

An error is any response other than the operation's success (200 for a read, 303 for a write), a connection
error, or no answer within `--timeout`; the mix has no request that is expected to be refused. The goal: 0
errors and 0 lost writes on both databases. Exit status 0 when it is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import re
import shutil
import signal
import sys
import time
from collections import Counter, defaultdict, deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import web  # bench/web.py: the server, the demo setup, the asyncio client, CPU accounting (puts ROOT on sys.path)
from benchkit import Printer, code_version, finite, interrupt, machine, percentile

from tests.support import writemix
from tests.support.postgres import TempPostgres, find_pg_bin

BASELINE = "/healthz"
PRODUCT = 1  # a demo data product (company.demo's)
# (name, who, path): the reads of both mixes, picked with equal weight.
READS = (
    ("GET /dataip/registry", None, "/dataip/registry"),
    ("GET /dataip", "company", "/dataip"),
    ("GET /dataip/{id}", "company", f"/dataip/{PRODUCT}"),
    ("GET /workplan/dashboard", "head", "/workplan/dashboard"),
    ("GET /api/workplan/dashboard", "head", "/api/workplan/dashboard"),
    ("GET /cases/1", "head", "/cases/1"),
)
# The read+write mix: share of each operation; a review step falls back to a filing while none is waiting.
WRITE_MIX = {"read": 0.55, "file": 0.2, "act": 0.17, "login": 0.08}
ACCOUNTS = {"company": "company.demo", "handler": "sipa.handler", "reviewer": "sipa.reviewer", "head": "sipa.head"}
LOGIN_ACCOUNTS = ("company.demo", "maker.demo", "sipa.handler", "sipa.reviewer", "sipa.head", "bank.demo")


class BenchError(web.BenchError):
    pass


# --- the clients -------------------------------------------------------------------------------------------------

def raw_request(method: str, path: str, host: str, cookies: dict[str, str], body: bytes = b"",
                content_type: str = "") -> bytes:
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}", "User-Agent: ipcity-load", "Accept: */*"]
    if cookies:
        head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if method != "GET":
        head += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@dataclass
class MixShard:
    """What one load process measured, per operation, and the writes the server acknowledged."""

    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    acked: writemix.Acknowledged = field(default_factory=writemix.Acknowledged)
    cpu_s: float = 0.0


class MixClient:
    """One simulated person: a keep-alive connection and a random choice of operation per request."""

    def __init__(self, host: str, port: int, sessions: dict, writes: bool, shard: MixShard,
                 pending: deque, rng: random.Random, names):
        self.conn = web.Connection(host, port, b"")
        self.host = f"{host}:{port}"
        self.sessions, self.writes, self.shard, self.pending, self.rng, self.names = (
            sessions, writes, shard, pending, rng, names)
        self.current = "?"  # the operation in flight, for an error without a response

    def _cookies(self, who: str | None) -> dict:
        return dict(self.sessions[who][0]) if who else {}

    def pick(self) -> str:
        if not self.writes:
            return "read"
        x, total = self.rng.random(), 0.0
        for op, share in WRITE_MIX.items():
            total += share
            if x < total:
                return "file" if op == "act" and not self.pending else op
        return "read"

    async def once(self) -> tuple[str, str | None]:
        """One operation; (its name, None on success or the error's description)."""
        op = self.pick()
        if op == "read":
            name, who, path = self.rng.choice(READS)
            self.current = name
            status, *_ = await self.conn.exchange(raw_request("GET", path, self.host, self._cookies(who)))
            return name, None if status == 200 else f"HTTP {status}"
        if op == "file":
            cookies, csrf = self.sessions["company"]
            name = next(self.names)
            self.current = "POST /dataip/new"
            ctype, body = writemix.filing_body(name, csrf)
            status, headers, _, _ = await self.conn.exchange(
                raw_request("POST", "/dataip/new", self.host, dict(cookies), body, ctype))
            pid = writemix.product_id(status, headers.get("location"))
            if pid is None:
                return "POST /dataip/new", f"HTTP {status}"
            self.shard.acked.filings[pid] = name
            self.pending.append((pid, 0))
            return "POST /dataip/new", None
        if op == "act":
            pid, step = self.pending.popleft()
            key, role, _ = writemix.STEPS[step]
            cookies, csrf = self.sessions[role]
            self.current = "POST /dataip/{id}/act"
            ctype, body = writemix.act_body(key, csrf)
            status, *_ = await self.conn.exchange(
                raw_request("POST", f"/dataip/{pid}/act", self.host, dict(cookies), body, ctype))
            if status != 303:
                return "POST /dataip/{id}/act", f"HTTP {status} ({key})"
            self.shard.acked.transitions.append((pid, key))
            if step + 1 < len(writemix.STEPS):
                self.pending.append((pid, step + 1))
            return "POST /dataip/{id}/act", None
        self.current = "POST /login"
        csrf = "load-" + str(self.rng.getrandbits(64))
        ctype, body = writemix.login_body(self.rng.choice(LOGIN_ACCOUNTS), web.PASSWORD, csrf)
        status, _, cookies, _ = await self.conn.exchange(
            raw_request("POST", "/login", self.host, {"ipcity_csrf": csrf}, body, ctype))
        token = writemix.session_token(cookies) if status == 303 else None
        if token is None:
            return "POST /login", f"HTTP {status}"
        self.shard.acked.logins.append(token)
        return "POST /login", None


async def _mix(base: str, sessions: dict, writes: bool, clients: int, start_at: float, warmup: float,
               seconds: float, timeout: float, seed: int) -> MixShard:
    shard = MixShard()
    measure_from, measure_to = start_at + warmup, start_at + warmup + seconds
    url = httpx.URL(base)
    pending: deque = deque()  # this process's filed applications waiting for their next step
    counter = iter(range(1, 10**9))
    names = (f"负载测试数据集-{seed}-{n}" for n in counter)

    async def one_client(i: int) -> None:
        client = MixClient(url.host, url.port, sessions, writes, shard, pending, random.Random(seed * 1000 + i), names)
        try:
            while (now := time.time()) < measure_to:
                t0 = time.perf_counter()
                try:
                    name, outcome = await asyncio.wait_for(client.once(), timeout)
                except asyncio.CancelledError:
                    shard.errors[client.current][f"no response {timeout:g} s after the end"] += 1
                    raise
                except (OSError, ValueError, IndexError, asyncio.IncompleteReadError,
                        asyncio.LimitOverrunError) as exc:  # OSError includes TimeoutError
                    name, outcome = client.current, type(exc).__name__
                    client.conn.close()
                took = (time.perf_counter() - t0) * 1000
                done = now + took / 1000
                if outcome is None and measure_from <= done <= measure_to:
                    shard.latencies_ms[name].append(took)
                elif outcome is not None and done >= measure_from:
                    shard.errors[name][outcome] += 1
        finally:
            client.conn.close()

    await asyncio.sleep(max(0.0, start_at - time.time()))
    tasks = [asyncio.create_task(one_client(i)) for i in range(clients)]
    await asyncio.sleep(max(0.0, measure_from - time.time()))
    cpu0 = time.process_time()
    await asyncio.sleep(max(0.0, measure_to - time.time()))
    shard.cpu_s = time.process_time() - cpu0
    _, late = await asyncio.wait(tasks, timeout=timeout)
    for t in late:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    shard.latencies_ms, shard.errors = dict(shard.latencies_ms), {k: dict(v) for k, v in shard.errors.items()}
    return shard


def mix_process(args: tuple) -> MixShard:
    return asyncio.run(_mix(*args))


# --- one phase, one database -----------------------------------------------------------------------------------

@dataclass
class Row:
    name: str
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    error_kinds: dict = field(default_factory=dict)


@dataclass
class Phase:
    name: str
    total: Row
    rows: list[Row]
    server_cpu_pct: float
    load_cpu_pct: float


def _row(name: str, latencies: list[float], errors: Counter, seconds: float) -> Row:
    n_err = sum(errors.values())
    return Row(name, len(latencies) + n_err, n_err, len(latencies) / seconds, percentile(latencies, 50),
               percentile(latencies, 95), percentile(latencies, 99), dict(errors))


def run_mix(pool, server: web.Server, sessions: dict, writes: bool, args, procs: int,
            acked: writemix.Acknowledged) -> Phase:
    split = [args.clients // procs + (1 if i < args.clients % procs else 0) for i in range(procs)]
    start_at = time.time() + 0.5
    seed = random.randrange(10**6)
    pending = pool.map_async(mix_process, [(server.base, sessions, writes, n, start_at, args.warmup, args.seconds,
                                            args.timeout, seed * 10 + i) for i, n in enumerate(split) if n])
    pids = web.process_tree(server.proc.pid)
    time.sleep(max(0.0, start_at + args.warmup - time.time()))
    cpu0 = web.cpu_seconds(pids)
    time.sleep(max(0.0, start_at + args.warmup + args.seconds - time.time()))
    server_cpu = web.cpu_seconds(pids) - cpu0
    shards = pending.get(timeout=args.warmup + 2 * args.timeout + 120)
    by_name: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, Counter] = defaultdict(Counter)
    for s in shards:
        acked.merge(s.acked)
        for name, values in s.latencies_ms.items():
            by_name[name] += values
        for name, kinds in s.errors.items():
            errors[name].update(kinds)
    names = [r[0] for r in READS] + ["POST /dataip/new", "POST /dataip/{id}/act", "POST /login", "?"]
    rows = [_row(n, by_name.get(n, []), errors.get(n, Counter()), args.seconds) for n in names
            if n in by_name or n in errors]
    total = _row("all", [x for v in by_name.values() for x in v], sum(errors.values(), Counter()), args.seconds)
    return Phase("read+write mix" if writes else "read mix", total, rows, 100 * server_cpu / args.seconds,
                 100 * sum(s.cpu_s for s in shards) / args.seconds)


def baseline(pool, server: web.Server, args, procs: int) -> Phase:
    r = web.run_target(pool, server, BASELINE, {}, args.clients, procs, args.warmup, args.baseline_seconds,
                       args.timeout)
    row = Row(BASELINE, r.requests, r.errors, r.rps, r.p50_ms, r.p95_ms, r.p99_ms, r.error_kinds)
    return Phase(f"{BASELINE} (baseline)", row, [], r.server_cpu_pct, r.load_cpu_pct)


def signed_in(base: str, username: str) -> tuple[dict, str]:
    """The session cookie of `username` and the CSRF token its forms carry (read from a page)."""
    cookies = web.login(base, username)
    with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
        found = writemix.CSRF_FIELD.search(client.get("/account").text)
    if not found:
        raise BenchError(f"no CSRF token on /account for {username}")
    return {"ipcity_session": cookies["ipcity_session"]}, found.group(1)


FRAME = re.compile(r'^\s*File "([^"]*/ipcity/[^"]*)", line (\d+), in (\S+)')


def server_errors(log: str) -> Counter:
    """Every traceback in the server's log as "Exception: message  [innermost ipcity frame]", counted; a chain
    ("The above exception was the direct cause…") counts once, as its last exception."""
    found: Counter = Counter()
    group: list[tuple[str, str]] = []  # (exception line, innermost ipcity frame) of the chain being read
    frame, in_tb, chained = "", False, False

    def close() -> None:
        if group:
            where = next((f for _, f in reversed(group) if f), "no ipcity frame")
            found[f"{group[-1][0]}  [{where}]"] += 1
            group.clear()

    for line in log.splitlines():
        if line.startswith("Traceback"):
            if not chained:
                close()
            frame, in_tb, chained = "", True, False
        elif in_tb:
            if m := FRAME.match(line):
                path = m.group(1)
                frame = f"{path[path.rindex('/ipcity/') + 1:]}:{m.group(2)} in {m.group(3)}"
            elif line.strip() and not line[0].isspace():
                group.append((line.strip()[:160], frame))
                in_tb = False
        elif line.startswith(("The above exception", "During handling")):
            chained = True
    close()
    return found


def run_database(kind: str, args, pool, procs: int, say: Printer) -> dict:
    pg = None
    env: dict[str, str] = {}
    if args.no_corpus:
        env["IPCITY_RUN_WORKER"] = "0"
    if kind == "postgresql":
        bin_dir = find_pg_bin()
        if bin_dir is None:
            raise BenchError("PostgreSQL binaries not found (scripts/install-system-deps.sh)")
        pg = TempPostgres(bin_dir)
        pg.start()
        env["IPCITY_DATABASE_URL"] = pg.create_database("ipcity_load")
    server = web.Server(1, env)
    database_url = env.get("IPCITY_DATABASE_URL") or f"sqlite:///{server.data_dir / 'ipcity.sqlite3'}"
    try:
        say(f"\n== {kind}: setting up demo data in {server.data_dir} "
            f"({'without' if args.no_corpus else 'with'} the patent corpus) ...")
        t0 = time.monotonic()
        server.quick_setup(database_url) if args.no_corpus else server.setup()
        say(f"   setup took {time.monotonic() - t0:.0f} s; starting `ipcity serve --workers 1` on {server.base} ...")
        server.start(120)
        sessions = {role: signed_in(server.base, name) for role, name in ACCOUNTS.items()}
        with httpx.Client(base_url=server.base, timeout=60) as client:
            for name, who, path in READS:
                resp = client.get(path, cookies=sessions[who][0] if who else {})
                if resp.status_code != 200:
                    raise BenchError(f"{name} as {who}: {resp.status_code} {resp.text[:300]}")
        acked = writemix.Acknowledged()
        phases = []
        say(f"   {BASELINE}: {args.warmup:g} s warm-up + {args.baseline_seconds:g} s ...")
        phases.append(baseline(pool, server, args, procs))
        for writes in (False, True):
            say(f"   {'read+write' if writes else 'read'} mix: {args.warmup:g} s warm-up + {args.seconds:g} s ...")
            phases.append(run_mix(pool, server, sessions, writes, args, procs, acked))
            if not server.running:
                raise BenchError(f"server died during the run:\n{server.log_tail()}")
        server.halt()
        say("   server stopped; checking the database ...")
        report = writemix.check(database_url, server.env, acked)
        tracebacks = server_errors(server.log_text())
        return {"database": kind, "phases": phases, "acked": acked, "report": report, "tracebacks": tracebacks,
                "log_tail": server.log_tail(60) if tracebacks else ""}
    finally:
        if args.logs:
            args.logs.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(server.log_path, args.logs / f"server-{kind}.log") if server.log_path.exists() else None
        server.stop()
        if pg is not None:
            pg.stop()


# --- the report ----------------------------------------------------------------------------------------------------

def _fmt(x: float) -> str:
    return f"{x:.1f}" if x == x else "-"


def print_database(result: dict, say: Printer) -> None:
    head = f"{'':<30} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
    say(f"\n{result['database']}:  (server CPU% / load CPU% are of one core)")
    say(head + "\n" + "-" * len(head))
    for phase in result["phases"]:
        t = phase.total
        say(f"{phase.name:<30} {t.requests:>8} {t.rps:>8.1f} {_fmt(t.p50_ms):>8} {_fmt(t.p95_ms):>8} "
            f"{_fmt(t.p99_ms):>8} {t.errors:>6}   srv {phase.server_cpu_pct:.0f}% load {phase.load_cpu_pct:.0f}%")
        for r in phase.rows:
            say(f"  {r.name:<28} {r.requests:>8} {r.rps:>8.1f} {_fmt(r.p50_ms):>8} {_fmt(r.p95_ms):>8} "
                f"{_fmt(r.p99_ms):>8} {r.errors:>6}")
    for phase in result["phases"]:
        for r in [phase.total] if not phase.rows else phase.rows:
            if r.errors:
                say(f"errors in {phase.name}, {r.name}: {r.error_kinds}")
    acked, report = result["acked"], result["report"]
    say(f"acknowledged writes: {acked.total} (filings {len(acked.filings)}, review steps {len(acked.transitions)}, "
        f"sign-ins {len(acked.logins)}); stored: {report.stored}; lost: {len(report.lost)}")
    for line in report.lost[:10]:
        say(f"  lost: {line}")
    say(f"half-applied transitions: {len(report.half_applied)}")
    for line in report.half_applied[:10]:
        say(f"  {line}")
    if report.integrity:
        say("PRAGMA integrity_check: " + "; ".join(report.integrity[:5]))
    elif result["database"] == "sqlite":
        say("PRAGMA integrity_check: ok")
    for label, (code, output) in (("ipcity audit verify", report.audit), ("ipcity dataip check", report.log)):
        say(f"{label}: exit {code} — {verdict_line(output)}")
    if result["tracebacks"]:
        say("server log tracebacks (exception: count):")
        for line, n in result["tracebacks"].most_common(10):
            say(f"  {n:>5}  {line}")


def verdict_line(output: str) -> str:
    """The command's verdict: its first line with a check mark (or the last line)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    marked = [line for line in lines if line.startswith(("✓", "✗")) or "/ log intact" in line
              or "contradiction(s) found" in line]
    return (marked or lines or [""])[0 if marked else -1]


def errors_of(result: dict) -> int:
    return sum(p.total.errors for p in result["phases"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="concurrent keep-alive clients (50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds per mix (60)")
    parser.add_argument("--baseline-seconds", type=float, default=10.0, help=f"measured seconds of {BASELINE} (10)")
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per phase (2)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--no-corpus", action="store_true",
                        help="skip the demo patent corpus (quick setup; the server runs without its job worker)")
    parser.add_argument("--load-procs", type=int, default=1, help="processes the clients are spread over (1)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds a request may take before it counts as an error (30)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this path")
    parser.add_argument("--logs", type=Path, help="keep the server's log of each database in this folder")
    args = parser.parse_args(argv)
    if min(args.clients, args.load_procs) < 1 or min(args.seconds, args.baseline_seconds, args.timeout) <= 0:
        parser.error("--clients, --load-procs, --seconds, --baseline-seconds and --timeout must be positive")
    procs = min(args.load_procs, args.clients)
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]

    signal.signal(signal.SIGTERM, interrupt)
    say = Printer()
    info = {"machine": machine(("uvicorn", "sqlalchemy", "psycopg")), "code": code_version(),
            "clients": args.clients, "seconds": args.seconds, "baseline_seconds": args.baseline_seconds,
            "warmup": args.warmup, "load_procs": procs, "corpus": not args.no_corpus, "mix": WRITE_MIX}
    results = []
    pool = multiprocessing.get_context("spawn").Pool(procs, initializer=web._ignore_sigint)
    try:
        for kind in kinds:
            results.append(run_database(kind, args, pool, procs, say))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except (BenchError, web.BenchError) as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        pool.terminate()
        pool.join()

    m = info["machine"]
    say(f"\nmachine: {m['cores']} cores ({m['usable_cores']} usable), {m['ram_gb']} GB, Python {m['python']}, "
        f"SQLite {m['sqlite']}; code {info['code']}")
    say(f"load: {args.clients} keep-alive clients in {procs} process(es) on the same machine as the server; "
        f"{args.warmup:g} s warm-up, {args.baseline_seconds:g} s baseline, {args.seconds:g} s per mix; "
        f"write mix shares {WRITE_MIX}")
    for result in results:
        print_database(result, say)
    met = all(errors_of(r) == 0 and r["report"].ok for r in results)
    say("\ngoal: 0 errors and 0 lost writes on " + " and ".join(kinds) + ", the audit chain and the log verify")
    for r in results:
        say(f"  {r['database']}: {errors_of(r)} errors, {len(r['report'].lost)} lost writes, "
            f"{len(r['report'].half_applied)} half-applied, audit {'ok' if r['report'].audit[0] == 0 else 'FAILED'}, "
            f"log {'ok' if r['report'].log[0] == 0 else 'FAILED'}")
    say(f"  goal {'MET' if met else 'NOT MET'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        doc = {**info, "goal_met": met, "databases": [
            {"database": r["database"], "phases": [asdict(p) for p in r["phases"]],
             "acknowledged": {"filings": len(r["acked"].filings), "transitions": len(r["acked"].transitions),
                              "logins": len(r["acked"].logins)},
             "stored": r["report"].stored, "lost": r["report"].lost, "half_applied": r["report"].half_applied,
             "integrity": r["report"].integrity, "audit_verify": list(r["report"].audit),
             "dataip_check": list(r["report"].log), "server_tracebacks": dict(r["tracebacks"])} for r in results]}
        args.json.write_text(json.dumps(finite(doc), indent=1, ensure_ascii=False, allow_nan=False) + "\n")
        say(f"results written to {args.json}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
