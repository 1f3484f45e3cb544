"""Fuzzing the HTTP API from its own OpenAPI document (schemathesis), as several principals at once.

Used by tests/web/test_fuzz_api.py (a small, deterministic run in the normal suite) and bench/fuzz.py (a
larger one). Every operation of /api/openapi.json whose path starts with `prefix` gets `examples` generated
requests in each generation mode (valid inputs, then inputs that break the schema: wrong types, out-of-range
numbers, missing fields), sent anonymously and as each signed-in principal. A second pass pins every integer
path parameter to an id that exists (`pinned`), so that handlers also run on real records. Signed-in
principals send their CSRF token and anonymous ones a matching double-submit pair, so that writes reach the
handlers instead of stopping at the CSRF check. The fuzz may sign a principal out (POST /logout) or the admin
may deactivate one (POST /admin/users/{id}/status): after each operation, a principal whose session no longer
works is reactivated and given a new one (counted in `Report.revived`).

A server error is any 5xx answer or an exception escaping the application; everything else (4xx included)
is an answer. The run records them all and never stops at the first.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable
from sqlalchemy import select

from ipcity.core import accounts
from ipcity.core.tables import User

MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
ANON_CSRF = "fuzz-anonymous-csrf-token"


@dataclass
class Principal:
    name: str
    cookies: dict[str, str]
    headers: dict[str, str]
    username: str | None = None  # None: anonymous


@dataclass
class Failure:
    principal: str
    operation: str
    mode: str
    status: int | str
    request: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.principal} {self.mode}] {self.operation} → {self.status}\n  {self.request}\n  {self.detail}"


@dataclass
class Report:
    operations: int = 0
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    slowest: dict[str, float] = field(default_factory=dict)  # operation → seconds spent on it, all principals
    by_principal: dict[str, Counter] = field(default_factory=dict)  # principal → statuses
    revived: int = 0


def principals(app, names: tuple[str, ...]) -> list[Principal]:
    """Anonymous first, then each named account of tests/support/people.py with a session of its own (opened
    as /login opens it, without its throttle: the fuzz also sends wrong passwords from the same address)."""
    found = [Principal("anonymous", {"ipcity_csrf": ANON_CSRF}, {"X-CSRF-Token": ANON_CSRF})]
    for name in names:
        who = Principal(name, {}, {}, username=name)
        _sign_in(app, who)
        found.append(who)
    return found


def _sign_in(app, who: Principal) -> None:
    services = app.state.services
    with services.db.session() as s:
        user = s.scalar(select(User).where(User.username == who.username))
        if user is None:
            raise RuntimeError(f"no account {who.username}")
        user.active = True
        token = accounts.open_session(s, services.settings, user)
        csrf = accounts.resolve_session(s, token)[1].csrf_token
        s.commit()
    who.cookies, who.headers = {"ipcity_session": token}, {"X-CSRF-Token": csrf}


def _revive(app, people: list[Principal], report: Report) -> None:
    with app.state.services.db.session() as s:
        lost = [w for w in people if w.username and accounts.resolve_session(s, w.cookies["ipcity_session"]) is None]
    for who in lost:
        _sign_in(app, who)
        report.revived += 1


def _describe(case) -> str:
    body = "" if type(case.body).__name__ == "NotSet" else f" body={case.body!r}"[:300]
    return f"{case.method} {case.formatted_path} query={case.query!r}{body}"


def fuzz(app, people: list[Principal], *, examples: int, prefix: str = "/api/", pinned: dict | None = None,
         derandomize: bool = False, random_seed: int | None = None, on_operation=None) -> Report:
    """Run the fuzz; `pinned` maps an integer path parameter's name to a value (None: no pinned pass).
    `derandomize` sends the same sample every run; otherwise `random_seed` (when given) reproduces a run."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    report = Report()
    started = time.perf_counter()
    config = settings(max_examples=examples, deadline=None, database=None, derandomize=derandomize,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    for result in schema.get_all_operations():
        op = result.ok()
        if not op.path.startswith(prefix):
            continue
        report.operations += 1
        op_started = time.perf_counter()
        passes = [({}, MODES)]
        ints = [p.name for p in op.path_parameters if p.definition.get("schema", {}).get("type") == "integer"]
        if pinned is not None and ints:
            passes.append(({name: pinned.get(name, 1) for name in ints}, (schemathesis.GenerationMode.POSITIVE,)))
        for path_parameters, modes in passes:
            for mode in modes:
                strategy = op.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)
                for who in people:
                    _run(strategy, config, random_seed, op, who, mode.value + ("+pinned" if path_parameters else ""),
                         report)
        report.slowest[op.label] = time.perf_counter() - op_started
        _revive(app, people, report)
        if on_operation:
            on_operation(op.label, report)
    report.seconds = time.perf_counter() - started
    return report


def _run(strategy, config, random_seed, op, who: Principal, mode: str, report: Report) -> None:
    @given(strategy)
    @config
    def one(case):
        report.requests += 1
        mine = report.by_principal.setdefault(who.name, Counter())
        try:
            response = case.call(cookies=who.cookies, headers=who.headers)
        except Exception as exc:  # an exception escaping the application is a server error too
            report.statuses["exception"] += 1
            mine["exception"] += 1
            report.failures.append(Failure(who.name, op.label, mode, "exception", _describe(case), repr(exc)[:500]))
            return
        report.statuses[response.status_code] += 1
        mine[response.status_code] += 1
        if response.status_code >= 500:
            report.failures.append(Failure(who.name, op.label, mode, response.status_code, _describe(case),
                                           response.text[:500]))

    if random_seed is not None:
        one = seed(random_seed)(one)
    with contextlib.suppress(Unsatisfiable):  # nothing to break (no parameters) or to generate: nothing to send
        one()
