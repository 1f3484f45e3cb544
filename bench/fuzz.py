"""Fuzz every route of the application from its OpenAPI document (schemathesis) and count server errors.

    .venv/bin/python bench/fuzz.py [--examples 25] [--prefix /] [--roles company,reviewer,admin]
                                   [--database-url URL] [--json bench/out/fuzz.json]

The larger run of tests/web/test_fuzz_api.py (same harness, tests/support/fuzz.py). What it does:

1. makes a temporary data directory with a fresh SQLite database (or uses `--database-url`, an empty
   PostgreSQL database it migrates), the test cast of tests/support/people.py and one data-IP filing, so that
   id 1 names real records;
2. builds the application in process and signs in as each of `--roles`;
3. for every operation of /api/openapi.json under `--prefix` (default: every route, pages included), sends
   `--examples` generated requests per generation mode (valid, schema-breaking) and principal (anonymous and
   each role), then the same with integer path parameters pinned to the existing records;
4. prints the operations, requests, requests per second, the answers by status, every server error (5xx or
   exception, with the request that caused it) and the slowest operations;
5. removes the temporary directory.

Exit status: 0 when no request caused a server error, 1 otherwise. Random generation (a different sample each
run) unless `--derandomize`; Hypothesis prints nothing, failures are collected rather than shrunk.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "src", Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchkit import finite, interrupt  # noqa: E402  (bench/benchkit.py)

from ipcity.bootstrap import default_registry  # noqa: E402
from ipcity.core.config import load_settings  # noqa: E402
from ipcity.core.db import Database  # noqa: E402
from ipcity.core.setup import initialise  # noqa: E402


def _setup(data_dir: Path, database_url: str | None):
    from ipcity.web.app import create_app
    from tests.support import dataip
    from tests.support.people import make_people

    url = database_url or f"sqlite:///{data_dir / 'ipcity.sqlite3'}"
    db = Database(url)
    initialise(db, default_registry())
    db.dispose()
    app = create_app(load_settings(data_dir=data_dir / "data", database_url=url, run_worker=False))
    people = make_people(app.state.services.db)
    with app.state.services.db.session() as s:
        dataip.verify_identity(s, people["company"])
        product = dataip.file(s, people["company"])
        s.commit()
        pinned = {"product_id": product.id, "case_id": product.case_id}
    return app, pinned


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=25, help="generated requests per operation, mode, principal")
    parser.add_argument("--prefix", default="/", help="only operations whose path starts with this (/api/: JSON)")
    parser.add_argument("--roles", default="company,reviewer,admin", help="signed-in accounts of the test cast")
    parser.add_argument("--database-url", default=None, help="an empty database to use instead of a SQLite file")
    parser.add_argument("--seed", type=int, default=None, help="repeat the sample of an earlier run (printed)")
    parser.add_argument("--derandomize", action="store_true", help="the same sample every run")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupt)
    random_seed = None if args.derandomize else args.seed if args.seed is not None else random.randrange(2**32)
    os.environ.setdefault("IPCITY_RUN_WORKER", "0")

    from schemathesis.python import asgi

    from ipcity.patents.engine import close_all
    from tests.support.fuzz import fuzz, principals

    data_dir = Path(tempfile.mkdtemp(prefix="ipcity-fuzz-"))
    try:
        app, pinned = _setup(data_dir, args.database_url)
        people = principals(app, tuple(r for r in args.roles.split(",") if r))
        print(f"fuzz: every operation under {args.prefix!r}, {args.examples} examples per mode and principal "
              f"({', '.join(p.name for p in people)}), database "
              f"{app.state.services.settings.database_url.split(':')[0]}, seed {random_seed}")

        def progress(label: str, report) -> None:
            print(f"  {report.operations:4d} {label:<60} {report.requests:7d} requests "
                  f"{len(report.failures):4d} server errors", flush=True)

        report = fuzz(app, people, examples=args.examples, prefix=args.prefix, pinned=pinned,
                      derandomize=args.derandomize, random_seed=random_seed, on_operation=progress)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 1
    finally:
        asgi.shutdown_lifespans()
        close_all()
        shutil.rmtree(data_dir, ignore_errors=True)

    rate = report.requests / report.seconds if report.seconds else float("nan")
    print()
    print(f"operations      {report.operations}")
    print(f"requests        {report.requests}")
    print(f"seconds         {report.seconds:.1f}")
    print(f"requests/s      {rate:.1f}")
    by_class: dict[str, int] = {}
    for status, count in sorted(report.statuses.items(), key=lambda kv: str(kv[0])):
        by_class[str(status)] = count
    print("answers         " + ", ".join(f"{k}: {v}" for k, v in by_class.items()))
    for name, counts in report.by_principal.items():
        print(f"  {name:<13} " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))))
    print(f"sessions lost and renewed (logout, deactivation by the fuzz): {report.revived}")
    print(f"server errors   {len(report.failures)}")
    for failure in report.failures[:50]:
        print(failure)
    print("slowest operations (seconds, all principals and modes):")
    for label, seconds in sorted(report.slowest.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  {seconds:7.1f}  {label}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(finite({
            "operations": report.operations, "requests": report.requests, "seconds": report.seconds,
            "requests_per_second": rate, "statuses": by_class, "revived": report.revived,
            "by_principal": {k: {str(s): n for s, n in v.items()} for k, v in report.by_principal.items()},
            "server_errors": len(report.failures), "failures": [str(f) for f in report.failures],
            "examples": args.examples, "prefix": args.prefix, "principals": [p.name for p in people],
            "seed": random_seed, "time": time.strftime("%Y-%m-%dT%H:%M:%S")}), indent=1))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
