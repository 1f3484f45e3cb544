"""Benchmark of the rights-protection network (issue 20): the intake, the public tracking look-up, and the
dashboard and public report over many requests.

    .venv/bin/python bench/rights.py [--n 2000] [--lookups 1000] [--requests 100]

Everything runs on SYNTHETIC requests (a rotating mix of kinds, rights and districts) in a fresh SQLite database.

1. The intake: `--n` requests through the real use case (`service.submit`: the checks, routing by a six-row
   table, the keyed tracking number from the one serial allocator, the case with its first-response clock, the
   audit entry), each in its own transaction as the web form commits it; requests/s and p50/p95 per request.
   Baseline in the same run: the same number of audited no-op transactions (one audit entry each).
2. The look-up: `--lookups` tracking numbers (half issued, half mistyped or never issued) through
   `service.public_status`; p50/p95. Baseline: the same number of primary-key reads of a request.
3. The pages: `GET /rights/dashboard` (an official) and `GET /rights/report` (anonymous) through the application,
   the first request (figures computed) and `--requests` more, interleaved with `/healthz` (the baseline).
"""

from __future__ import annotations

import argparse
import os
import random
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
from search import say  # noqa: E402  (bench/search.py)

DISTRICTS = ("310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310115")
KINDS = (("consultation", "trademark"), ("assistance", "copyright"), ("complaint", "patent"),
         ("adjudication", "patent"), ("mediation", "patent"), ("overseas_guidance", "patent"))


def _ms(values: list[float]) -> dict:
    return {"p50": benchkit.percentile(values, 50) * 1000, "p95": benchkit.percentile(values, 95) * 1000,
            "mean": sum(values) / len(values) * 1000 if values else float("nan")}


def _values(i: int, rng: random.Random) -> dict:
    kind, right = KINDS[i % len(KINDS)]
    district = rng.choice(DISTRICTS)
    values = {"role": "right_holder", "right": right, "kind": kind, "where": "district", "division_code": district,
              "description": f"基准请求{i}：对方在网店销售涉嫌侵权产品，请求处理。",
              "respondent": f"基准对方公司{i % 97}",
              "patent_number": "ZL201910123456.X", "subject": "infringement", "matter": "damages",
              "contact_name": "基准联系人", "phone": "13800000000", "knew_on": "2026-06-01"}
    if kind == "overseas_guidance":
        values |= {"where": "online", "division_code": "", "country": rng.choice(("US", "DE", "JP"))}
    if kind in ("consultation", "assistance"):
        values["respondent"] = ""
    return values


def _setup(services):
    from ipcity.core.accounts import create_unit, create_user
    from ipcity.core.roles import APPLICANT_COMPANY, HANDLER, Actor
    from ipcity.services.rights.tables import RoutingRule

    system = Actor.system("bench")
    with services.db.session(write=True) as s:
        aid = create_unit(s, system, code="bench-aid", name_zh="基准维权援助中心", kind="assistance_centre")
        district = create_unit(s, system, code="bench-pd", name_zh="基准区知识产权局", kind="district_office")
        company = create_unit(s, system, code="bench-co", name_zh="基准企业", kind="company")
        table = (("patent", "*", "310115", district), ("*", "*", "district:*", aid), ("*", "*", "online", aid),
                 ("*", "mediation", "*", aid), ("*", "overseas_guidance", "*", aid), ("*", "*", "fair:*", aid))
        for i, (right, kind, area, unit) in enumerate(table, start=1):
            s.add(RoutingRule(position=i, right=right, kind=kind, area=area, unit_id=unit.id))
        applicant = create_user(s, system, username="bench.company", password="Bench-Pass-2026",
                                display_name="基准企业用户", role=APPLICANT_COMPANY, unit_id=company.id)
        official = create_user(s, system, username="bench.aid", password="Bench-Pass-2026",
                               display_name="基准经办", role=HANDLER, unit_id=aid.id)
        s.commit()
        return Actor.of(applicant), official.id


def stage_intake(services, applicant, n: int, seed: int) -> dict:
    from ipcity.core import audit
    from ipcity.core.roles import Actor
    from ipcity.services.rights import service

    rng = random.Random(seed)
    took, baseline, numbers = [], [], []
    system = Actor.system("bench")
    for i in range(n):
        values = _values(i, rng)
        t0 = time.perf_counter()
        with services.db.session(write=True) as s:
            req = service.submit(s, applicant, values, [])
            s.commit()
            numbers.append((req.id, req.tracking))
        took.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with services.db.session(write=True) as s:
            audit.record(s, system, "bench.noop", "bench", i)
            s.commit()
        baseline.append(time.perf_counter() - t0)
    return {"n": n, "intake": _ms(took), "baseline": _ms(baseline), "seconds": sum(took), "numbers": numbers}


def stage_lookups(services, numbers: list, lookups: int, seed: int) -> dict:
    from ipcity.core.errors import NotFound
    from ipcity.services.rights import domain, service
    from ipcity.services.rights.tables import RightsRequest

    rng = random.Random(seed)
    took, baseline, found = [], [], 0
    with services.db.session() as s:
        for i in range(lookups):
            req_id, number = rng.choice(numbers)
            text = number if i % 2 == 0 else number[:-1] + ("0" if number[-1] != "0" else "1")
            t0 = time.perf_counter()
            try:
                service.public_status(s, text)
                found += 1
            except (domain.TrackingError, NotFound):
                pass
            took.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            s.get(RightsRequest, req_id)
            s.expire_all()
            baseline.append(time.perf_counter() - t0)
    return {"lookups": lookups, "found": found, "lookup": _ms(took), "baseline": _ms(baseline)}


def stage_pages(app, official_id: int, requests: int) -> dict:
    from fastapi.testclient import TestClient

    from ipcity.core import accounts
    from ipcity.core.tables import User
    from ipcity.web.deps import SESSION_COOKIE

    services = app.state.services
    with services.db.session(write=True) as s:
        cookie = accounts.open_session(s, services.settings, s.get(User, official_id))
        s.commit()
    out = {}
    with TestClient(app) as client:
        for path, signed_in in (("/rights/dashboard", True), ("/rights/report", False)):
            client.cookies.clear()
            if signed_in:
                client.cookies.set(SESSION_COOKIE, cookie)
            t0 = time.perf_counter()
            first = client.get(path)
            first_s = time.perf_counter() - t0
            if first.status_code != 200:
                raise RuntimeError(f"{path} answered {first.status_code}")
            page, static = [], []
            for _ in range(requests):
                t0 = time.perf_counter()
                ok = client.get(path).status_code == 200
                t1 = time.perf_counter()
                ok = client.get("/healthz").status_code == 200 and ok
                static.append(time.perf_counter() - t1)
                page.append(t1 - t0)
                if not ok:
                    raise RuntimeError("a request failed")
            out[path] = {"first_s": first_s, "page": _ms(page), "static": _ms(static)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="requests filed (2000)")
    parser.add_argument("--lookups", type=int, default=1000, help="tracking look-ups (1000)")
    parser.add_argument("--requests", type=int, default=100, help="page and static requests each (100)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from ipcity.core.config import load_settings
    from ipcity.web.app import create_app

    say(f"machine: {os.cpu_count()} cores · load {os.getloadavg()[0]:.2f} · code {benchkit.code_version()}")
    work = Path(tempfile.mkdtemp(prefix="ipcity-rights-bench-"))
    try:
        settings = load_settings(data_dir=work / "data", database_url=f"sqlite:///{work / 'db.sqlite3'}",
                                 run_worker=False)
        app = create_app(settings)
        services = app.state.services
        services.db.migrate()
        applicant, official_id = _setup(services)
        say(f"[1/3] the intake: {args.n:,} SYNTHETIC requests through service.submit, one transaction each ...")
        r = stage_intake(services, applicant, args.n, args.seed)
        i, b = r["intake"], r["baseline"]
        say(f"    {'':48s} {'p50':>8s} {'p95':>8s} {'mean':>8s}  (ms)")
        say(f"    {'service.submit + commit':48s} {i['p50']:8.2f} {i['p95']:8.2f} {i['mean']:8.2f}")
        say(f"    {'baseline: an audited no-op transaction':48s} {b['p50']:8.2f} {b['p95']:8.2f} {b['mean']:8.2f}")
        say(f"    {r['n'] / r['seconds']:.0f} requests/s; {i['mean'] / b['mean']:.1f}x the baseline by mean")
        say(f"[2/3] {args.lookups:,} tracking look-ups (half issued, half mistyped) ...")
        k = stage_lookups(services, r["numbers"], args.lookups, args.seed)
        lk, lb = k["lookup"], k["baseline"]
        say(f"    {'service.public_status':48s} {lk['p50']:8.2f} {lk['p95']:8.2f} {lk['mean']:8.2f}  "
            f"({k['found']} found)")
        say(f"    {'baseline: a request read by its key':48s} {lb['p50']:8.2f} {lb['p95']:8.2f} {lb['mean']:8.2f}")
        say(f"[3/3] the dashboard and the public report at {args.n:,} requests ...")
        for path, p in stage_pages(app, official_id, args.requests).items():
            say(f"    {path:20s} first {p['first_s'] * 1000:7.0f} ms · then mean {p['page']['mean']:6.2f} ms, "
                f"p95 {p['page']['p95']:6.2f} ms · /healthz mean {p['static']['mean']:5.2f} ms · "
                f"{p['page']['mean'] / p['static']['mean']:.1f}x")
        services.db.dispose()
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
