"""Benchmark of fast pre-examination (issue 19): the platform's checks of a submitted case against a large register,
and the centre's dashboard over many cases.

    .venv/bin/python bench/preexam.py [--n 1000000] [--cases 200] [--dashboard-cases 100000]
                                      [--workdir bench/out/preexam] [--rebuild] [--skip-checks] [--skip-dashboard]

Everything runs on SYNTHETIC data (bench/synthetic.py: real IPC titles, recombined real abstracts, invented
applicants), so every figure is a figure on synthetic data.

1. The register: N synthetic records loaded by the real bulk ingest (SQLite register + tantivy index, encoder
   "none") into `--workdir`/register-N; kept between runs (a marker file says it is complete), rebuilt with
   --rebuild. Building 1,000,000 takes long: the ingest's own benchmark gives its rate.
2. The checks of one case (`service.run_checks`: the field check with the classes the nearest documents suggest,
   the exclusions against the company's cases and the register, the formal checklist, and the prior-art hint
   with its passages), for `--cases` cases made from synthetic records of another seed (title, abstract, claims,
   IPC), one warm-up pass then a measured one; p50/p95/max per case. Baseline in the same run: the search box's
   plain-words search of the case's title (`patents.service.search`, lexical, 20 results). Goal: p95 <= 500 ms.
3. The dashboard: `--dashboard-cases` cases (with their case rows and time limits) written straight into a fresh
   SQLite database, then the centre's dashboard page (`GET /preexam/dashboard`, signed in as the centre's
   examiner) through the application in this process: the first request (figures computed), then `--requests`
   requests, and as many of the static `/healthz` (the baseline) interleaved. The figures are cached per data
   version, as the page serves them. Goal: the page within 3x the static page. The figures computed without the
   cache (`stats.dashboard`) are timed too.

Exit status 0 when every stage ran, 1 otherwise, 2 when the real data for the corpus is missing.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "src", Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import benchkit  # noqa: E402
import synthetic  # noqa: E402
from search import say  # noqa: E402  (bench/search.py)

GOAL_CHECK_MS = 500.0
GOAL_DASHBOARD_RATIO = 3.0
DATA = ROOT.parent / "shared" / "data"


def _ms(values: list[float]) -> dict:
    return {"p50": benchkit.percentile(values, 50) * 1000, "p95": benchkit.percentile(values, 95) * 1000,
            "max": max(values) * 1000 if values else float("nan"),
            "mean": sum(values) / len(values) * 1000 if values else float("nan")}


# --- 1. the register ----------------------------------------------------------------------------------------

def build_register(folder: Path, n: int, seed: int, data: Path | None, rebuild: bool) -> dict:
    """The register and index of N synthetic records in `folder` (reused when complete)."""
    from ipcity.core.config import load_settings
    from ipcity.core.db import Database
    from ipcity.core.roles import Actor
    from ipcity.patents.engine import PatentEngine
    from ipcity.patents.ingest import runner
    from ipcity.patents.ingest.native import write_jsonl

    marker = folder / "complete"
    if marker.exists() and not rebuild:
        return {"built": False, "seconds": 0.0}
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    corpus = folder / "corpus.jsonl"
    write_jsonl(synthetic.generate(n, seed, vocabulary=synthetic.Vocabulary(data, seed)), corpus)
    settings = load_settings(data_dir=folder / "data", database_url=f"sqlite:///{folder / 'register.sqlite3'}",
                             encoder="none", search_backend="tantivy")
    db = Database(settings.database_url)
    db.migrate()
    engine = PatentEngine(settings)
    runner.ingest_file(db, engine, corpus, Actor.system("bench"), fmt="jsonl")
    engine.close()
    db.dispose()
    corpus.unlink()
    marker.write_text(f"{n} {seed}\n")
    return {"built": True, "seconds": time.perf_counter() - t0}


def _settings(folder: Path):
    from ipcity.core.config import load_settings

    return load_settings(data_dir=folder / "data", database_url=f"sqlite:///{folder / 'register.sqlite3'}",
                         encoder="none", search_backend="tantivy", run_worker=False)


# --- 2. the checks of one case ------------------------------------------------------------------------------

def case_values(rec) -> dict:
    claims = rec.claims or f"1. {rec.title}，其特征在于……"
    return {"patent_type": "invention", "title": rec.title[:40], "abstract": (rec.abstract or rec.title)[:300],
            "claims": claims[:3000], "description": (rec.abstract or "")[:3000], "ipc": ", ".join(rec.ipc[:3]),
            "applicants": "基准测试公司", "inventors": "张三", "waive_amendment": "1", "no_bibliographic_change": "1"}


def stage_checks(folder: Path, cases: int, seed: int, data: Path | None) -> dict:
    from ipcity.patents import service as patent_search
    from ipcity.patents.engine import engine_for
    from ipcity.services.preexam import service
    from ipcity.web.app import build_services

    services = build_services(_settings(folder))
    engine = engine_for(services.settings)
    records = list(synthetic.generate(cases, seed + 7919, vocabulary=synthetic.Vocabulary(data, seed + 7919)))
    values = [service.submission_values(case_values(r)) for r in records]
    checks, baseline, hint_hits, flagged, mismatched = [], [], 0, 0, 0
    with services.db.session() as s:
        for rounds in (0, 1):  # a warm-up pass, then the measured one
            for v in values:
                t0 = time.perf_counter()
                patent_search.search(s, engine, v["title"], mode="lexical", per_page=20, translate=False)
                t1 = time.perf_counter()
                found = service.run_checks(s, v, {}, unit_id=0)
                t2 = time.perf_counter()
                if rounds:
                    baseline.append(t1 - t0)
                    checks.append(t2 - t1)
                    hint_hits += len(found["hint"]["hits"]) > 0
                    flagged += service.is_flagged(found)
                    mismatched += found["field"]["mismatch"]
    services.db.dispose()
    return {"cases": len(values), "checks": _ms(checks), "baseline": _ms(baseline), "with_hits": hint_hits,
            "flagged": flagged, "mismatched": mismatched}


# --- 3. the dashboard at many cases -------------------------------------------------------------------------

FIELDS = ("new_materials", "energy_environment", "design", "high_end_equipment", "biomedicine", "new_generation_it")
DISTRICTS = ("310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310114",
             "310115", "310116", "310117", "310118", "310120", "310151")
STATES = (("granted", 30), ("filed", 15), ("passed", 10), ("not_passed", 12), ("examining", 10), ("correction", 5),
          ("submitted", 8), ("withdrawn", 5), ("not_accepted", 5))


def fill_cases(db, k: int, seed: int) -> None:
    """k pre-examination cases over two years, with their case rows and time limits, written in bulk."""
    from ipcity.core.accounts import create_unit
    from ipcity.core.roles import Actor
    from ipcity.core.tables import Unit

    rng = random.Random(seed)
    system = Actor.system("bench")
    with db.session() as s:
        centre = s.query(Unit).filter(Unit.kind == "protection_centre").first()
        companies = [create_unit(s, system, code=f"bench-co-{i}", name_zh=f"基准企业{i}", kind="company").id
                     for i in range(200)]
        s.commit()
        centre_id = centre.id
    weights = [w for _, w in STATES]
    start = date(2025, 1, 1)
    stamp = "2026-12-01 00:00:00.000000"  # as SQLAlchemy writes a DateTime to SQLite
    with db.engine.begin() as conn:
        raw = conn.connection.driver_connection
        cur = raw.cursor()
        regs = [(i + 1, i + 1, f"PRB2025{i + 1:06d}", "admitted", companies[i], centre_id, f"基准企业{i}",
                 "91310115MA1FL0001N", "company", rng.choice(DISTRICTS), "上海市", "新材料研发", "[]", "[]", "", "",
                 "2025-01-02", "2027-01-01", 0, stamp, stamp) for i in range(len(companies))]
        cases, deadlines, subs = [], [], []
        for i in range(k):
            state = rng.choices([s for s, _ in STATES], weights)[0]
            day = start + timedelta(days=rng.randrange(700))
            passed = day + timedelta(days=rng.randrange(10, 40)) if state in ("granted", "filed", "passed") else None
            filed = passed + timedelta(days=rng.randrange(1, 40)) if passed and state != "passed" else None
            granted = filed + timedelta(days=rng.randrange(20, 120)) if filed and state == "granted" else None
            decided = passed or (day + timedelta(days=rng.randrange(10, 40)) if state == "not_passed" else None)
            cid = len(regs) + i + 1
            reg = rng.randrange(len(companies))
            cases.append((cid, "preexam.submission", f"PRE2025{i + 1:06d}", "基准案件", state, companies[reg],
                          centre_id, "preexam.submission", str(i + 1), "{}", stamp, stamp))
            subs.append((i + 1, cid, f"PRE2025{i + 1:06d}", state, reg + 1, companies[reg], centre_id,
                         regs[reg][9], rng.choice(("invention", "invention", "utility", "design")), "基准案件",
                         rng.choice(FIELDS), "[]", "[]", "{}", "{}", f"{day.isoformat()} 02:00:00.000000",
                         day.isoformat(), decided.isoformat() if decided else None,
                         passed.isoformat() if passed else None,
                         (passed + timedelta(days=30)).isoformat() if passed else None,
                         '["novelty"]' if state == "not_passed" else "[]", filed.isoformat() if filed else None,
                         granted.isoformat() if granted else None, stamp))
            accept = day + timedelta(days=rng.randrange(1, 4))
            deadlines.append((cid, "acceptance", day.isoformat(), (day + timedelta(days=3)).isoformat(),
                              accept.isoformat()))
            if decided:
                deadlines.append((cid, "examination", accept.isoformat(), (accept + timedelta(days=21)).isoformat(),
                                  decided.isoformat()))
        reg_cases = [(r[0], "preexam.registration", r[2], r[6], "admitted", r[4], centre_id, "preexam.registration",
                      str(r[0]), "{}", stamp, stamp) for r in regs]
        cur.executemany("INSERT INTO wf_case (id, type_key, number, title, state, applicant_unit_id, assigned_unit_id,"
                        " subject_type, subject_id, data, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        reg_cases + cases)
        cur.executemany("INSERT INTO preexam_registration (id, case_id, number, state, unit_id, centre_unit_id, name,"
                        " credit_code, entity_kind, division_code, address, business_scope, fields, contacts,"
                        " agency_name, agency_code, admitted_on, admitted_until, abnormal, filed_at, updated_at)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", regs)
        cur.executemany("INSERT INTO preexam_submission (id, case_id, number, state, registration_id, unit_id,"
                        " centre_unit_id, district_code, patent_type, title, field_key, ipc, locarno, declarations,"
                        " checks, submitted_at, submitted_on, decided_on, passed_on, filing_deadline, reasons,"
                        " filed_on, granted_on, updated_at, abstract, claims, description, brief_description,"
                        " applicants, inventors, agency_name, is_pct, is_divisional, flagged, cnipa_app_number,"
                        " corrections) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                        " '', '', '', '', '[]', '[]', '', 0, 0, 0, '', 0)", subs)
        cur.executemany("INSERT INTO wf_deadline (case_id, rule_key, started_on, due_on, stopped_on, paused)"
                        " VALUES (?,?,?,?,?,0)", deadlines)


def stage_dashboard(k: int, requests: int, seed: int) -> dict:
    from fastapi.testclient import TestClient

    from ipcity.core import accounts
    from ipcity.core.accounts import create_unit, create_user
    from ipcity.core.config import load_settings
    from ipcity.core.roles import REVIEWER, Actor
    from ipcity.core.security import token_digest
    from ipcity.core.tables import User, WebSession
    from ipcity.services.preexam import stats
    from ipcity.web.app import create_app
    from ipcity.web.deps import SESSION_COOKIE

    work = Path(tempfile.mkdtemp(prefix="ipcity-preexam-bench-"))
    try:
        settings = load_settings(data_dir=work / "data", database_url=f"sqlite:///{work / 'db.sqlite3'}",
                                 run_worker=False)
        app = create_app(settings)
        services = app.state.services
        services.db.migrate()
        system = Actor.system("bench")
        with services.db.session() as s:
            centre = create_unit(s, system, code="bench-ippc", name_zh="基准保护中心", kind="protection_centre")
            user = create_user(s, system, username="bench.examiner", password="Bench-Pass-2026",
                               display_name="基准审查员", role=REVIEWER, unit_id=centre.id)
            s.commit()
            user_id = user.id
        t0 = time.perf_counter()
        fill_cases(services.db, k, seed)
        fill_s = time.perf_counter() - t0
        with services.db.session() as s:
            t0 = time.perf_counter()
            board = stats.dashboard(s, stats.Filters())
            compute_s = time.perf_counter() - t0
            received = sum(r.received for r in board.tables[0].rows) if board.tables else 0
            cookie = accounts.open_session(s, settings, s.get(User, user_id))
            s.commit()
            assert s.get(WebSession, token_digest(cookie)) is not None
        with TestClient(app) as client:
            client.cookies.set(SESSION_COOKIE, cookie)
            t0 = time.perf_counter()
            first = client.get("/preexam/dashboard")
            first_s = time.perf_counter() - t0
            if first.status_code != 200:
                raise RuntimeError(f"dashboard answered {first.status_code}")
            page, static = [], []
            for _ in range(requests):
                t0 = time.perf_counter()
                ok = client.get("/preexam/dashboard").status_code == 200
                t1 = time.perf_counter()
                ok = client.get("/healthz").status_code == 200 and ok
                t2 = time.perf_counter()
                if not ok:
                    raise RuntimeError("a request failed")
                page.append(t1 - t0)
                static.append(t2 - t1)
        services.db.dispose()
        return {"cases": k, "fill_s": fill_s, "compute_s": compute_s, "received": received, "first_s": first_s,
                "page": _ms(page), "static": _ms(static), "requests": requests}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- the report ---------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="register records (1000000)")
    parser.add_argument("--cases", type=int, default=200, help="cases checked (200)")
    parser.add_argument("--dashboard-cases", type=int, default=100_000, help="cases on the dashboard (100000)")
    parser.add_argument("--requests", type=int, default=200, help="dashboard and static requests each (200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=DATA, help="the shared real data the corpus is built from")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "preexam")
    parser.add_argument("--rebuild", action="store_true", help="build the register again even when complete")
    parser.add_argument("--skip-checks", action="store_true")
    parser.add_argument("--skip-dashboard", action="store_true")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        say(f"the real data for the corpus is missing: {args.data}")
        return 2
    say(f"machine: {os.cpu_count()} cores · load {os.getloadavg()[0]:.2f}")
    status = 0
    if not args.skip_checks:
        folder = args.workdir / f"register-{args.n}"
        say(f"[1/3] the register: {args.n:,} SYNTHETIC records in {folder} ...")
        built = build_register(folder, args.n, args.seed, args.data, args.rebuild)
        say(f"      built in {built['seconds']:.0f} s" if built["built"] else "      reused (complete)")
        say(f"[2/3] the checks of {args.cases} cases ...")
        r = stage_checks(folder, args.cases, args.seed, args.data)
        c, b = r["checks"], r["baseline"]
        verdict = "MET" if c["p95"] <= GOAL_CHECK_MS else "MISSED"
        say(f"\n  CHECKS OF ONE CASE [SYNTHETIC register, N={args.n:,}; {r['cases']} cases] (ms)")
        say(f"    {'':52s} {'p50':>8s} {'p95':>8s} {'max':>8s} {'mean':>8s}")
        say(f"    {'service.run_checks (field, exclusions, checklist, hint)':52s} {c['p50']:8.1f} {c['p95']:8.1f} "
            f"{c['max']:8.1f} {c['mean']:8.1f}")
        say(f"    {'baseline: plain-words search of the title (top 20)':52s} {b['p50']:8.1f} {b['p95']:8.1f} "
            f"{b['max']:8.1f} {b['mean']:8.1f}")
        say(f"    p95 ratio to the baseline: {c['p95'] / b['p95']:.1f}x; cases with prior art found: "
            f"{r['with_hits']}/{r['cases']}; flagged: {r['flagged']}; class mismatch: {r['mismatched']}")
        say(f"  GOAL p95 <= {GOAL_CHECK_MS:.0f} ms per case: {verdict} ({c['p95']:.1f} ms)")
    if not args.skip_dashboard:
        say(f"\n[3/3] the dashboard at {args.dashboard_cases:,} cases ...")
        d = stage_dashboard(args.dashboard_cases, args.requests, args.seed)
        ratio = d["page"]["mean"] / d["static"]["mean"]
        verdict = "MET" if ratio <= GOAL_DASHBOARD_RATIO else "MISSED"
        say(f"  cases written in {d['fill_s']:.1f} s; the figures computed without the cache: {d['compute_s']:.2f} s "
            f"({d['received']:,} cases counted); first page (figures computed): {d['first_s'] * 1000:.0f} ms")
        say(f"    {'':40s} {'p50':>8s} {'p95':>8s} {'mean':>8s}   ({d['requests']} requests each, interleaved)")
        say(f"    {'GET /preexam/dashboard (cached figures)':40s} {d['page']['p50']:8.2f} {d['page']['p95']:8.2f} "
            f"{d['page']['mean']:8.2f}")
        say(f"    {'GET /healthz (static, the baseline)':40s} {d['static']['p50']:8.2f} {d['static']['p95']:8.2f} "
            f"{d['static']['mean']:8.2f}")
        say(f"  GOAL dashboard within {GOAL_DASHBOARD_RATIO:.0f}x a static page: {verdict} ({ratio:.1f}x by mean "
            f"latency)")
    say(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return status


if __name__ == "__main__":
    sys.exit(main())
