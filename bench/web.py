"""Benchmark of the web tier on the embedded default (SQLite, demo data, uvicorn).

    .venv/bin/python bench/web.py [--seconds 10] [--clients 20] [--workers 1] [--json bench/out/web.json]

What it does:

1. makes a fresh temporary data directory and runs `ipcity demo --no-serve` into it (SQLite + demo data);
2. starts `ipcity serve --port <free port> --workers N` as a separate process and waits for /healthz;
3. signs in as the demo account `sipa.head`;
4. for each target, runs `--clients` concurrent keep-alive clients for a 1 s warm-up and then `--seconds`
   of measurement, recording every response's status and latency;
5. prints a table (requests, req/s, latency percentiles, errors, slowdown vs /healthz) and the goal;
6. stops the server and removes the temporary directory, also on Ctrl-C and on errors.

The load generator runs in its own process(es) (a minimal asyncio HTTP/1.1 client), but on a small machine it
competes with the server for the same cores: the table shows how much CPU each side used so that the numbers
can be read honestly.  Exit status: 0 when the run completed, 1 when more than 1% of responses were not
200 (or the setup failed), whatever the goal's verdict.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, Path(__file__).resolve().parent):  # tests/support/serve.py; bench/benchkit.py
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchkit import finite, interrupt, percentile  # noqa: E402

from tests.support.serve import ServeError, ServeProcess, ipcity_command  # noqa: E402

PASSWORD = "Bench-Pass-2026"
USERNAME = "sipa.head"
BASELINE = "/healthz"
TARGETS = [BASELINE, "/workplan/dashboard", "/api/workplan/dashboard", "/cases/1"]
# The ratios to /healthz (req/s): the dashboards within 3x (issue 14, again issue 18), a case page 5x.
GOALS = {"/workplan/dashboard": 3.0, "/api/workplan/dashboard": 3.0, "/cases/1": 5.0}
MAX_ERROR_RATE = 0.01
CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    pass


# --- the server ------------------------------------------------------------------------------------------


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants (uvicorn with --workers N spawns worker processes)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the given processes (Linux /proc), 0 for ones that are gone."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


class Server(ServeProcess):
    """`ipcity serve` on a fresh temporary data directory (tests/support/serve.py), with the demo data."""

    def __init__(self, workers: int, env: dict[str, str] | None = None):
        self.data_dir = Path(tempfile.mkdtemp(prefix="ipcity-bench-"))
        super().__init__({**os.environ, "IPCITY_DATA_DIR": str(self.data_dir), "IPCITY_DEMO": "1", **(env or {})},
                         self.data_dir / "server.log", workers)

    def setup(self) -> None:
        cmd = [*ipcity_command(), "demo", "--no-serve", "--password", PASSWORD]
        done = subprocess.run(cmd, env=self.env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BenchError(f"`ipcity demo` failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")

    def quick_setup(self, database_url: str = "") -> None:
        """Demo accounts and service data without the patent corpus, in this process (seconds instead of
        minutes); its corpus job stays queued, so run the server without its job worker (IPCITY_RUN_WORKER=0)."""
        from ipcity.core.config import load_settings
        from ipcity.core.setup import initialise, load_demo
        from ipcity.web.app import build_services

        options = {"database_url": database_url} if database_url else {}
        svc = build_services(load_settings(data_dir=self.data_dir, run_worker=False, **options))
        try:
            initialise(svc.db, svc.registry)
            load_demo(svc.db, svc.registry, svc.files, PASSWORD)
        finally:
            svc.db.dispose()

    def start(self, timeout: float = 60.0) -> None:
        try:
            super().start(timeout)
        except ServeError as exc:
            raise BenchError(str(exc)) from None

    def halt(self) -> None:
        """Stop the server and keep its data (to check them afterwards)."""
        super().stop()

    def stop(self) -> None:
        """Stop the server and remove the data directory."""
        super().stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def login(base: str, username: str = USERNAME) -> dict[str, str]:
    """Sign in as a demo account (the head of unit); returns the cookies a browser would send afterwards."""
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login")
        csrf = page.cookies.get("ipcity_csrf") or client.cookies.get("ipcity_csrf")
        if page.status_code != 200 or not csrf:
            raise BenchError(f"GET /login: {page.status_code}, csrf cookie {'set' if csrf else 'missing'}")
        resp = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf,
                                           "next": "/"})
        session = client.cookies.get("ipcity_session")
        if resp.status_code != 303 or not session:
            raise BenchError(f"POST /login as {username}: {resp.status_code} {resp.text[:300]}")
        return {"ipcity_session": session, "ipcity_csrf": csrf}


# --- the load --------------------------------------------------------------------------------------------


@dataclass
class Shard:
    """What one load process measured."""
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    cpu_s: float = 0.0


class Connection:
    """A minimal HTTP/1.1 keep-alive client for one GET request, sent over and over.

    httpx costs about as much CPU per request as the server's /healthz does; on two cores that would cap the
    baseline at the client's speed and flatter every ratio.  This reads the status line, the headers and a
    Content-Length or chunked body, and nothing else.
    """

    def __init__(self, host: str, port: int, request: bytes):
        self.host, self.port, self.request = host, port, request
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self) -> int:
        return (await self.exchange(self.request))[0]

    async def exchange(self, request: bytes) -> tuple[int, dict[str, str], list[str], bytes]:
        """Send one request; returns the status, the headers (lower-case names), the Set-Cookie values, the body."""
        if self.reader is not None and self.reader.at_eof():
            self.close()  # the server closed it since (as uvicorn does after an unhandled error): as httpcore does
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        pairs = [line.partition(":") for line in lines[1:] if line]
        headers = {k.strip().lower(): v.strip() for k, _, v in pairs}
        cookies = [v.strip() for k, _, v in pairs if k.strip().lower() == "set-cookie"]
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append((await self.reader.readexactly(size + 2))[:-2])
            await self.reader.readuntil(b"\r\n")  # no trailers are expected
            body = b"".join(chunks)
        else:
            body = await self.reader.read()  # body until the server closes
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, cookies, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _clients(url: str, cookies: dict, clients: int, start_at: float, warmup: float, seconds: float,
                   timeout: float) -> Shard:
    shard = Shard()
    measure_from = start_at + warmup
    measure_to = measure_from + seconds
    parsed = httpx.URL(url)
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request = (f"GET {parsed.raw_path.decode()} HTTP/1.1\r\nHost: {parsed.host}:{parsed.port}\r\n"
               f"User-Agent: ipcity-bench\r\nAccept: */*\r\nCookie: {cookie}\r\n\r\n").encode()

    async def one_client() -> None:
        conn = Connection(parsed.host, parsed.port, request)
        try:
            while (now := time.time()) < measure_to:
                t0 = time.perf_counter()
                try:
                    status = await asyncio.wait_for(conn.get(), timeout)
                    outcome = None if status == 200 else f"HTTP {status}"
                except asyncio.CancelledError:
                    shard.errors[f"no response {timeout:g} s after the end"] += 1
                    raise
                except (OSError, ValueError, IndexError, asyncio.IncompleteReadError,
                        asyncio.LimitOverrunError) as exc:  # OSError includes TimeoutError
                    outcome = type(exc).__name__
                    conn.close()
                took = (time.perf_counter() - t0) * 1000
                done = now + took / 1000
                # A request counts in the window it completed in; a failure also counts when it comes late.
                if outcome is None and measure_from <= done <= measure_to:
                    shard.latencies_ms.append(took)
                elif outcome is not None and done >= measure_from:
                    shard.errors[outcome] += 1
        finally:
            conn.close()

    await asyncio.sleep(max(0.0, start_at - time.time()))
    tasks = [asyncio.create_task(one_client()) for _ in range(clients)]
    await asyncio.sleep(max(0.0, measure_from - time.time()))
    cpu0 = time.process_time()
    await asyncio.sleep(max(0.0, measure_to - time.time()))
    shard.cpu_s = time.process_time() - cpu0
    # requests still in flight get `timeout` seconds more; then they are counted as errors and dropped
    _, late = await asyncio.wait(tasks, timeout=timeout)
    for t in late:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return shard


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and terminates the pool


def load_process(args: tuple) -> Shard:
    return asyncio.run(_clients(*args))


@dataclass
class Result:
    target: str
    requests: int  # responses (and failures) that completed in the measured window
    errors: int
    error_kinds: dict
    seconds: float
    rps: float  # 200 responses per second
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    server_cpu_pct: float  # % of one core, all server processes together
    server_cpu_ms_per_req: float
    load_cpu_pct: float  # % of one core, all load processes together
    rps_ratio: float | None = None  # /healthz req/s divided by this target's (how many times slower)
    p95_ratio: float | None = None  # this target's p95 divided by /healthz's




def run_target(pool, server: Server, path: str, cookies: dict, clients: int, procs: int, warmup: float,
               seconds: float, timeout: float) -> Result:
    url = server.base + path
    split = [clients // procs + (1 if i < clients % procs else 0) for i in range(procs)]
    start_at = time.time() + 0.5  # lets every load process get going before the clock starts
    pending = pool.map_async(load_process, [(url, cookies, n, start_at, warmup, seconds, timeout)
                                              for n in split if n])
    pids = process_tree(server.proc.pid)
    time.sleep(max(0.0, start_at + warmup - time.time()))
    server_cpu0 = cpu_seconds(pids)
    time.sleep(max(0.0, start_at + warmup + seconds - time.time()))
    server_cpu = cpu_seconds(pids) - server_cpu0
    shards = pending.get(timeout=warmup + 2 * timeout + 60)
    latencies = sorted(x for s in shards for x in s.latencies_ms)
    errors = sum((s.errors for s in shards), Counter())
    n_err = sum(errors.values())
    total = len(latencies) + n_err
    return Result(
        target=path, requests=total, errors=n_err, error_kinds=dict(errors), seconds=seconds,
        rps=len(latencies) / seconds,  # successful (200) responses only
        p50_ms=percentile(latencies, 50), p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99),
        mean_ms=sum(latencies) / len(latencies) if latencies else float("nan"),
        server_cpu_pct=100 * server_cpu / seconds,
        server_cpu_ms_per_req=1000 * server_cpu / total if total else float("nan"),
        load_cpu_pct=100 * sum(s.cpu_s for s in shards) / seconds)


# --- the report ------------------------------------------------------------------------------------------


def machine() -> dict:
    return {"cores": os.cpu_count(), "python": platform.python_version(),
            "implementation": platform.python_implementation(), "platform": platform.platform()}


def print_report(results: list[Result], info: dict, goal: dict) -> None:
    m = info["machine"]
    print(f"\nmachine: {m['cores']} cores, {m['implementation']} {m['python']} ({m['platform']})")
    print(f"server: ipcity serve --workers {info['workers']} (uvicorn, embedded SQLite, demo data); "
          f"load: {info['clients']} keep-alive clients in {info['load_procs']} process(es), "
          f"{info['warmup']:g} s warm-up + {info['seconds']:g} s per target, signed in as {USERNAME}")
    head = (f"{'target':<26} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'errors':>6} {'x slower':>8} {'p95 x':>6} {'srv CPU%':>8} {'srv ms/req':>10} {'load CPU%':>9}")
    print("\n" + head + "\n" + "-" * len(head))
    for r in results:
        ratio = f"{r.rps_ratio:.2f}" if r.rps_ratio is not None else "-"
        p95r = f"{r.p95_ratio:.2f}" if r.p95_ratio is not None else "-"
        print(f"{r.target:<26} {r.requests:>8} {r.rps:>8.1f} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} "
              f"{r.p99_ms:>8.1f} {r.errors:>6} {ratio:>8} {p95r:>6} {r.server_cpu_pct:>8.0f} "
              f"{r.server_cpu_ms_per_req:>10.2f} {r.load_cpu_pct:>9.0f}")
    print("\n'x slower' = /healthz req/s / the target's req/s (the goal's ratio); "
          "'p95 x' = target p95 / /healthz p95;\n"
          "CPU% is of one core (100% = one full core); 'srv ms/req' = server CPU time per request.")
    cores = m["cores"] or 1
    print(f"note: the load generator runs on the same {cores} core(s) as the server and competes with it; "
          "when server + load CPU%\nadds up to about all the cores, req/s is bounded by the machine, "
          "not by the server alone.")
    for e in (r for r in results if r.errors):
        print(f"errors on {e.target}: {e.error_kinds}")
    print("\ngoal: each target within its ratio of the health endpoint (req/s)")
    for path, row in goal["targets"].items():
        print(f"  {path}: ratio {row['rps_ratio']:.2f} (goal <= {row['max_ratio']:g}) -> "
              f"{'met' if row['met'] else 'NOT met'}")
    print(f"  goal {'MET' if goal['met'] else 'NOT MET'}")


# --- main ------------------------------------------------------------------------------------------------






def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per target (10)")
    parser.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per target (1)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent keep-alive clients (20)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (1)")
    parser.add_argument("--load-procs", type=int, default=1,
                        help="processes the clients are spread over (1: leaves the other core to the server)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds a request may take before it counts as an error (10)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this path")
    parser.add_argument("--no-corpus", action="store_true",
                        help="the demo without its patent corpus (set up in seconds; no target reads patents)")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.timeout <= 0 or args.clients < 1 or args.workers < 1 or args.load_procs < 1:
        parser.error("--seconds, --timeout, --clients, --workers and --load-procs must be positive")
    load_procs = min(args.load_procs, args.clients)

    # SIGTERM (e.g. from a CI timeout) takes the same path as Ctrl-C: stop the server, remove the data.
    signal.signal(signal.SIGTERM, interrupt)
    # No job worker in the server: the demo's queued jobs (the patent corpus load) would run during the
    # measurement and take a core from it; no target reads patents.
    server = Server(args.workers, env={"IPCITY_RUN_WORKER": "0"})
    pool = None
    try:
        print(f"setting up demo data in {server.data_dir} ...", flush=True)
        server.quick_setup() if args.no_corpus else server.setup()
        print(f"starting server on {server.base} with {args.workers} worker(s) ...", flush=True)
        server.start()
        cookies = login(server.base)
        with httpx.Client(base_url=server.base, cookies=cookies, timeout=30) as client:
            for path in TARGETS:  # every target must answer 200 when signed in, before any load
                resp = client.get(path)
                if resp.status_code != 200:
                    raise BenchError(f"GET {path} as {USERNAME}: {resp.status_code} {resp.text[:300]}")
        pool = multiprocessing.get_context("spawn").Pool(load_procs, initializer=_ignore_sigint)
        results = []
        for path in TARGETS:
            print(f"  {path}: {args.warmup:g} s warm-up + {args.seconds:g} s ...", flush=True)
            results.append(run_target(pool, server, path, cookies, args.clients, load_procs, args.warmup,
                                      args.seconds, args.timeout))
        if server.proc.poll() is not None:
            raise BenchError(f"server died during the run:\n{server.log_tail()}")
        server_log = server.log_tail(12) if any(r.errors for r in results) else ""
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"\nbench failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        server.stop()

    base = results[0]
    for r in results[1:]:
        r.rps_ratio = base.rps / r.rps if r.rps else float("inf")
        r.p95_ratio = r.p95_ms / base.p95_ms if base.p95_ms else float("nan")
    goal_rows = {r.target: {"rps_ratio": r.rps_ratio, "max_ratio": GOALS[r.target],
                            "met": r.rps_ratio <= GOALS[r.target]} for r in results if r.target in GOALS}
    goal = {"text": "each target within its ratio of the health endpoint (req/s)", "targets": goal_rows,
            "met": all(g["met"] for g in goal_rows.values())}
    info = {"machine": machine(), "workers": args.workers, "clients": args.clients, "load_procs": load_procs,
            "warmup": args.warmup, "seconds": args.seconds}
    print_report(results, info, goal)
    if server_log:
        print("\nlast lines of the server's log:\n" + server_log)

    bad = [r for r in results if r.requests and r.errors / r.requests > MAX_ERROR_RATE]
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        doc = finite({**info, "results": [asdict(r) for r in results], "goal": goal, "failed": bool(bad)})
        args.json.write_text(json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False) + "\n")
        print(f"results written to {args.json}")
    if bad:
        print(f"\nFAILED: more than {MAX_ERROR_RATE:.0%} errors on "
              + ", ".join(f"{r.target} ({r.errors}/{r.requests})" for r in bad), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
