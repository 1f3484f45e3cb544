"""kill -9 during a burst of filings, review steps and sign-ins; restart; nothing acknowledged is lost and nothing
is half-applied (issue 14, "Checks that stay in the project").

A real `ipcity serve` process runs on a fresh database. Threads post data-IP filings, fire the next review step
on filed applications and sign in, through the HTML forms. At a seeded moment (the n-th request sent, so that
it is mid-burst however fast the machine is) the whole server process group gets SIGKILL while other requests
are in flight. The server is restarted on the same data and takes a filing again; then, with it stopped:
SQLite's `PRAGMA integrity_check`, `ipcity audit verify`, `ipcity dataip check`, every case's state equals
the to_state of its last history event, every data product agrees with its case, and every write that was
answered with its success redirect is stored.
"""

from __future__ import annotations

import itertools
import os
import random
import threading
from collections import deque

import httpx
import pytest
from sqlalchemy import update

from ipcity.core.db import Database
from ipcity.core.tables import User
from ipcity.services.dataip.tables import DataProduct
from ipcity.workflow.tables import Case
from tests.support import writemix
from tests.support.people import PASSWORD, make_people
from tests.support.serve import ServeProcess

SEED = 14
THREADS = 6
ROLES = {"company": "company", "handler": "lead_handler", "reviewer": "reviewer"}


class Burst:
    """The clients: one signed-in session per role, shared by the threads (as several tabs would)."""

    def __init__(self, server: ServeProcess, kill_at: int, seed: int):
        self.server, self.kill_at, self.seed = server, kill_at, seed
        self.sessions: dict[str, tuple[dict, str]] = {}
        self.acked = writemix.Acknowledged()
        self.pending: deque[tuple[int, int]] = deque()  # (product id, index of its next step in STEPS)
        self.sent = itertools.count(1)
        self.killed = threading.Event()
        self.lock = threading.Lock()
        self.unexpected: list[str] = []

    def sign_in(self) -> None:
        for role, username in ROLES.items():
            with httpx.Client(base_url=self.server.base, timeout=60) as client:
                token = self._login(client, username)
                assert token, f"sign-in as {username} failed"
                html = client.get("/account").text
                self.sessions[role] = ({"ipcity_session": token}, writemix.CSRF_FIELD.search(html).group(1))

    def _login(self, client: httpx.Client, username: str) -> str | None:
        csrf = "crash-test-" + username
        ctype, body = writemix.login_body(username, PASSWORD, csrf)
        resp = client.post("/login", content=body, headers={"content-type": ctype},
                           cookies={"ipcity_csrf": csrf})
        if resp.status_code != 303:
            self._refused("login", resp)
            return None
        return writemix.session_token(resp.headers.get_list("set-cookie"))

    def _refused(self, what: str, resp: httpx.Response) -> None:
        with self.lock:
            self.unexpected.append(f"{what}: HTTP {resp.status_code} {resp.text[:200]}")

    def file(self, client: httpx.Client, n: int) -> int | None:
        cookies, csrf = self.sessions["company"]
        name = f"崩溃测试数据集-{n}"
        ctype, body = writemix.filing_body(name, csrf)
        resp = client.post("/dataip/new", content=body, headers={"content-type": ctype}, cookies=cookies)
        pid = writemix.product_id(resp.status_code, resp.headers.get("location"))
        if pid is None:
            self._refused("filing", resp)
            return None
        with self.lock:
            self.acked.filings[pid] = name
            self.pending.append((pid, 0))
        return pid

    def advance(self, client: httpx.Client, pid: int, step: int) -> None:
        key, role, _ = writemix.STEPS[step]
        cookies, csrf = self.sessions[role]
        ctype, body = writemix.act_body(key, csrf)
        resp = client.post(f"/dataip/{pid}/act", content=body, headers={"content-type": ctype}, cookies=cookies)
        if resp.status_code != 303:
            self._refused(f"{key} on {pid}", resp)
            return
        with self.lock:
            self.acked.transitions.append((pid, key))
            if step + 1 < len(writemix.STEPS):
                self.pending.append((pid, step + 1))

    def client_loop(self, index: int) -> None:
        rng = random.Random(self.seed * 100 + index)
        with httpx.Client(base_url=self.server.base, timeout=60) as client:
            while not self.killed.is_set():
                n = next(self.sent)
                if n == self.kill_at:
                    self.killed.set()  # first, so that the threads whose requests die know why
                    self.server.kill()  # the other threads have requests in flight now
                    return
                try:
                    with self.lock:
                        job = self.pending.popleft() if self.pending and rng.random() < 0.6 else None
                    if job:
                        self.advance(client, *job)
                    elif rng.random() < 0.1:
                        token = self._login(client, ROLES[rng.choice(list(ROLES))])
                        if token:
                            with self.lock:
                                self.acked.logins.append(token)
                    else:
                        self.file(client, n)
                except httpx.TransportError as exc:
                    if not self.killed.is_set():
                        with self.lock:
                            self.unexpected.append(f"{type(exc).__name__}: {exc}")
                    return  # the server died under this request: not acknowledged, may or may not be stored


@pytest.fixture
def crash_setup(database_url, tmp_path):
    """A fresh database with the test cast (the company's identity verified) and a data directory."""
    db = Database(database_url)
    people = make_people(db)
    with db.session() as s:
        s.execute(update(User).where(User.id == people["company"].user_id).values(identity_verified=True))
        s.commit()
    db.dispose()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {**os.environ, "IPCITY_DATA_DIR": str(data_dir), "IPCITY_DATABASE_URL": database_url,
           "IPCITY_RUN_WORKER": "0"}
    return env, data_dir


def test_kill_9_mid_burst_loses_nothing_acknowledged(crash_setup, database_url):
    env, data_dir = crash_setup
    rng = random.Random(SEED)
    kill_at = rng.randint(12, 30)
    server = ServeProcess(env, data_dir / "server.log")
    try:
        server.start()
        burst = Burst(server, kill_at, SEED)
        burst.sign_in()
        threads = [threading.Thread(target=burst.client_loop, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert burst.killed.is_set(), "the burst ended before the server was killed"
        assert not burst.unexpected, f"refused before the kill: {burst.unexpected}"
        assert burst.acked.filings, "nothing was acknowledged before the kill: the kill came too early"

        server.start()  # restart on the same data: it must come up and take writes again
        with httpx.Client(base_url=server.base, timeout=60) as client:
            pid = burst.file(client, 0)
            assert pid is not None, burst.unexpected
            burst.advance(client, pid, 0)
        assert not burst.unexpected, f"refused after the restart: {burst.unexpected}"
        server.stop()
        assert "Traceback" not in server.log_text(), server.log_tail(80)

        report = writemix.check(database_url, env, burst.acked)
        assert report.ok, (f"seed {SEED}, killed at request {kill_at}:\n" + "\n".join(report.problems()))
        assert report.stored == burst.acked.total
    finally:
        server.kill()


def test_the_checks_see_a_lost_write_and_a_half_applied_step(services, people):
    """The crash test's checks are not vacuous: a missing acknowledged write and a case whose record or state
    disagrees with its history are reported."""
    from tests.support.dataip import file, verify_identity

    with services.db.session() as s:
        verify_identity(s, people["company"])
        product = file(s, people["company"], name="完整数据集")
        s.commit()
        acked = writemix.Acknowledged(filings={product.id: "完整数据集", product.id + 1000: "从未保存"},
                                      transitions=[(product.id, "pass_formal")], logins=["no-such-token"])
        lost = writemix.lost_writes(s, acked)
        assert lost == [f"filing {product.id + 1000} (从未保存) acknowledged, not stored",
                        f"transition pass_formal on product {product.id} acknowledged, not stored",
                        "sign-in 0 acknowledged, its session not stored"]
        assert writemix.half_applied(s) == []
        s.execute(update(DataProduct).where(DataProduct.id == product.id).values(state="in_publicity"))
        s.execute(update(Case).where(Case.id == product.case_id).values(state="registered"))
        problems = writemix.half_applied(s)
        assert any(product.application_number in p and "last history event" in p for p in problems)
        assert any(product.application_number in p and "its case is 'registered'" in p for p in problems)
        assert writemix.sqlite_integrity(s) == []
