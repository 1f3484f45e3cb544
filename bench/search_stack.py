"""The search goal query through the whole platform stack (issue 18): the index alone, the search service, and the
JSON API through the application, on one register, interleaved.

    .venv/bin/python bench/search_stack.py [--workdir bench/out/preexam/register-1000000] [--queries 200]

The register is one built by bench/preexam.py (N SYNTHETIC records, bulk ingest, tantivy, encoder "none"); its
first records are regenerated with the same seed to draw the queries from (bench/search.py's sample_queries: 2–4
words of one record). The goal query is bench/search.py's (c): the words, application date from 2015, province 31
(Shanghai), 7 facets, top 20. Five readings of it, each query in turn, after a warm-up pass over as many other
queries (queries of their own: a warm-up over the measured ones would answer the measured pass from warm caches, the
related terms' key phrases among them, which no fresh search finds):

0. the index as it searched before commit 4b551fe: the ranked page, then the facet counts, one after the other
   (the baseline of the change that runs them side by side);
1. the index: `backend.search` of the parsed request (the baseline of the readings below: bench/search.py
   measures this one);
2. the service: `patents.service.search` as the pages and the API call it (reading of the query, facets, the
   register rows of the page, their positions, suggestions);
3. the API: `GET /api/patents/search?q=…&f=province:31` through the application in this process (routing, the
   middleware, the session, JSON; the test client's own work and the search counter's write are in it);
4. over HTTP: the same request to `ipcity serve` (uvicorn, one worker, a separate process on the same register)
   on one keep-alive connection, as a browser or the hotline's integration asks it: the whole platform stack;
5. the query's words alone (a best match, which offers related terms) through the service as the page asks it
   (the related terms after the results), then the same search with its related terms computed before the
   answer, as every plain-words search did before: the related terms' own cost on a fresh search.

With `--against SRC` (the `src` folder of another checkout, e.g. `git worktree add /tmp/before 616414c`), only
reading 4, twice: a server of this checkout and one of SRC (`PYTHONPATH=SRC`) on the same register, asked each
query in turn, alternating which goes first, with their totals, hit order and facets checked equal: the change
between two versions measured under the same load.

Goal (issue 18): p95 <= 10 ms through the full platform stack (reading 4) at N = 1,000,000. Exit status 0 when
it ran.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "src", Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import benchkit  # noqa: E402
from search import FILTER_PROVINCE, FILTER_SINCE, _requests, sample_queries, say  # noqa: E402

from tests.support.serve import ServeProcess  # noqa: E402

GOAL_MS = 10.0
DATA = ROOT.parent / "shared" / "data"


def _serve_env(folder: Path) -> dict[str, str]:
    """`ipcity serve`'s environment on the register in `folder` (as `run` opens it in this process)."""
    return {**os.environ, "IPCITY_DATA_DIR": str(folder / "data"),
            "IPCITY_DATABASE_URL": f"sqlite:///{folder / 'register.sqlite3'}", "IPCITY_ENCODER": "none",
            "IPCITY_SEARCH_BACKEND": "tantivy", "IPCITY_RUN_WORKER": "0"}


def _stats(values: list[float]) -> dict:
    return {"p50": benchkit.percentile(values, 50), "p95": benchkit.percentile(values, 95),
            "p99": benchkit.percentile(values, 99), "mean": sum(values) / len(values)}


def run(folder: Path, count: int, seed: int, data: Path) -> dict:
    from fastapi.testclient import TestClient

    from ipcity.core.config import load_settings
    from ipcity.patents.engine import engine_for
    from ipcity.web.app import create_app

    n = int((folder / "complete").read_text().split()[0])
    settings = load_settings(data_dir=folder / "data", database_url=f"sqlite:///{folder / 'register.sqlite3'}",
                             encoder="none", search_backend="tantivy", run_worker=False)
    queries = sample_queries(n, seed, str(data), 2 * count)  # the first half warms up, the second is measured
    app = create_app(settings)
    engine = engine_for(app.state.services.settings)
    backend = engine.backend
    since = FILTER_SINCE // 10000
    timings: dict[str, list[float]] = {"sequential": [], "index": [], "service": [], "api": [], "http": [],
                                       "words": [], "words_related": []}
    totals = {"index": 0, "api": 0, "http": 0}
    env = _serve_env(folder)
    server = ServeProcess(env, Path(tempfile.mkdtemp(prefix="ipcity-search-stack-")) / "serve.log")
    server.start()
    try:
        with TestClient(app) as client, httpx.Client(base_url=server.base, timeout=30) as http:
            _readings(queries, since, app, engine, backend, client, http, timings, totals)
    finally:
        server.stop()
    app.state.services.db.dispose()
    return {"n": n, "queries": len(queries) // 2, "timings": {k: _stats(v) for k, v in timings.items()},
            "totals": totals}


def _sequential(backend, request):
    """`TantivyBackend.search` as it was before the facet counts ran on a thread of their own."""
    from ipcity.patents.search.contract import Hit, SearchPage

    query = backend._with_filters(backend.compile(request.query), request.filters, request.within)
    searcher = backend.index.searcher()
    result = searcher.search(query, max(request.limit, 1), count=True)
    hits = [Hit(searcher.doc(address)["pub_number"][0], float(key)) for key, address in result.hits][:request.limit]
    return SearchPage(total=result.count, hits=hits, facets=backend._facets(searcher, query, request))


def _readings(queries, since, app, engine, backend, client, http, timings, totals) -> None:
    """Each query in turn through the five readings: the first half of `queries` warms up, the second half is
    measured."""
    from ipcity.patents import service

    half = len(queries) // 2
    for measured, part in ((False, queries[:half]), (True, queries[half:])):
        for q in part:
            expression = f"{q['text']} AD>={since}"
            request = _requests(q["text"], q["passage"])["c"]
            ts = time.perf_counter()
            former = _sequential(backend, request)
            t0 = time.perf_counter()
            page = backend.search(request)
            t1 = time.perf_counter()
            if (former.total, former.hits, former.facets) != (page.total, page.hits, page.facets):
                raise RuntimeError(f"{expression}: the page and facets differ from the sequential search's")
            with app.state.services.db.session() as s:  # as the page and the API ask it: related terms after
                service.search(s, engine, expression, filters={"province": (FILTER_PROVINCE,)}, related=False)
            t2 = time.perf_counter()
            params = {"q": expression, "f": f"province:{FILTER_PROVINCE}"}
            answer = client.get("/api/patents/search", params=params)
            t3 = time.perf_counter()
            over_http = http.get("/api/patents/search", params=params)
            t4 = time.perf_counter()
            for got in (answer, over_http):
                if got.status_code != 200:
                    raise RuntimeError(f"{expression}: {got.status_code} {got.text[:200]}")
            with app.state.services.db.session() as s:  # the words alone: first without, then with related terms
                t5 = time.perf_counter()
                plain = service.search(s, engine, q["text"], related=False)
                t6 = time.perf_counter()
                related = service.search(s, engine, q["text"])
                t7 = time.perf_counter()
            if [r.record.pub_number for r in plain.rows] != [r.record.pub_number for r in related.rows]:
                raise RuntimeError(f"{q['text']}: the related terms changed the hits")
            if measured:
                timings["words"].append((t6 - t5) * 1000)
                timings["words_related"].append((t7 - t6) * 1000)
                timings["sequential"].append((t0 - ts) * 1000)
                timings["index"].append((t1 - t0) * 1000)
                timings["service"].append((t2 - t1) * 1000)
                timings["api"].append((t3 - t2) * 1000)
                timings["http"].append((t4 - t3) * 1000)
                totals["index"] += page.total
                totals["api"] += answer.json().get("total", 0)
                totals["http"] += over_http.json().get("total", 0)


def against(folder: Path, count: int, seed: int, data: Path, other_src: Path) -> dict:
    """Reading 4 of this checkout and of `other_src`, two servers on one register, alternating query by query."""
    n = int((folder / "complete").read_text().split()[0])
    queries = sample_queries(n, seed, str(data), 2 * count)  # the first half warms up, the second is measured
    env = _serve_env(folder)
    logs = Path(tempfile.mkdtemp(prefix="ipcity-search-against-"))
    servers = {"this checkout": ServeProcess(env, logs / "this.log"),
               str(other_src): ServeProcess({**env, "PYTHONPATH": str(other_src)}, logs / "other.log")}
    timings: dict[str, list[float]] = {name: [] for name in servers}
    for server in servers.values():
        server.start()
    try:
        clients = {name: httpx.Client(base_url=server.base, timeout=60) for name, server in servers.items()}
        for measured, part in ((False, queries[:count]), (True, queries[count:])):
            for i, q in enumerate(part):
                params = {"q": f"{q['text']} AD>={FILTER_SINCE // 10000}", "f": f"province:{FILTER_PROVINCE}"}
                answers = {}
                for name in (list(clients) if i % 2 else list(clients)[::-1]):
                    t0 = time.perf_counter()
                    got = clients[name].get("/api/patents/search", params=params)
                    took = (time.perf_counter() - t0) * 1000
                    if got.status_code != 200:
                        raise RuntimeError(f"{name}: {params['q']}: {got.status_code} {got.text[:200]}")
                    body = got.json()
                    answers[name] = (body["total"], [h["pub_number"] for h in body["hits"]], body["facets"])
                    if measured:
                        timings[name].append(took)
                if len(set(map(repr, answers.values()))) != 1:
                    raise RuntimeError(f"{params['q']}: the two versions answer differently")
        for client in clients.values():
            client.close()
    finally:
        for server in servers.values():
            server.stop()
    return {"n": n, "queries": count, "timings": {k: _stats(v) for k, v in timings.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "preexam" / "register-1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0, help="the seed the register was built with (0)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--against", type=Path, default=None,
                        help="the src folder of another checkout: reading 4 of both, alternating")
    args = parser.parse_args(argv)
    if not (args.workdir / "complete").exists():
        say(f"no complete register in {args.workdir}: build one with bench/preexam.py --n N --skip-dashboard")
        return 1
    say(f"machine: {os.cpu_count()} cores · load {os.getloadavg()[0]:.2f} · speed probe "
        f"{benchkit.speed_probe():.0f} ms (benchkit.speed_probe: lower is faster)")
    if args.against is not None:
        r = against(args.workdir, args.queries, args.seed, args.data, args.against.resolve())
        say(f"\n  OVER HTTP, TWO VERSIONS ALTERNATING [SYNTHETIC register, N={r['n']:,}; {r['queries']} goal queries; "
            f"same answers] (ms)")
        say(f"    {'':58s} {'p50':>7s} {'p95':>7s} {'p99':>7s} {'mean':>7s}")
        for name, t in r["timings"].items():
            say(f"    {name[:58]:58s} {t['p50']:7.2f} {t['p95']:7.2f} {t['p99']:7.2f} {t['mean']:7.2f}")
        return 0
    r = run(args.workdir, args.queries, args.seed, args.data)
    say(f"\n  THE GOAL QUERY [SYNTHETIC register, N={r['n']:,}; {r['queries']} queries: 2–4 words, AD>=2015, "
        f"province 31, 7 facets, top 20] (ms)")
    say(f"    {'':58s} {'p50':>7s} {'p95':>7s} {'p99':>7s} {'mean':>7s}")
    names = {"sequential": "the index, page then facets (before 4b551fe)",
             "index": "the index alone: backend.search (the baseline)",
             "service": "the service: patents.service.search",
             "api": "the API: GET /api/patents/search (application, in process)",
             "http": "over HTTP: ipcity serve, one keep-alive connection",
             "words": "the words alone, service, related terms after (the page)",
             "words_related": "the same with the related terms before the answer"}
    for key, label in names.items():
        t = r["timings"][key]
        say(f"    {label:58s} {t['p50']:7.2f} {t['p95']:7.2f} {t['p99']:7.2f} {t['mean']:7.2f}")
    http, index = r["timings"]["http"], r["timings"]["index"]
    say(f"    over HTTP, p95 over the index's: {http['p95'] / index['p95']:.1f}x; hits counted: index "
        f"{r['totals']['index']:,}, API {r['totals']['api']:,}, HTTP {r['totals']['http']:,}")
    verdict = "MET" if http["p95"] <= GOAL_MS else "MISSED"
    say(f"  GOAL p95 <= {GOAL_MS:.0f} ms through the full platform stack: {verdict} ({http['p95']:.1f} ms over HTTP)")
    say(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
