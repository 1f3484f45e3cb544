"""Background jobs: queued, claimed once, progress persisted; leases, takeover of a dead worker's job, retries.

Every test runs on SQLite and PostgreSQL (the `database_url` fixture). The worker processes themselves, killed
mid-job, are tested in tests/integration/test_workers_postgres.py.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from ipcity.core import jobs
from ipcity.core.clock import now
from ipcity.core.config import SettingError, load_settings
from ipcity.core.errors import DomainError
from ipcity.core.plugins import Plugin, Registry
from ipcity.core.roles import Actor
from ipcity.core.tables import AuditEntry, Job

WAIT = 60  # seconds a test waits for something that takes milliseconds when nothing is wrong


def _registry(seen: list, gate: threading.Event | None = None, steps: list | None = None):
    def count_to(ctx, params):
        for i in range(params["n"]):
            ctx.progress(i + 1, params["n"], f"step {i + 1}")
            with ctx.db.session() as s:  # progress is visible to another session mid-job
                seen.append(s.get(Job, ctx.job_id).done)
        return {"counted": params["n"]}

    def explode(ctx, params):
        raise RuntimeError("boom")

    def refuse(ctx, params):
        raise DomainError("the input is refused")

    @jobs.attempts(1)
    def once(ctx, params):
        raise RuntimeError("not again")

    def wait(ctx, params):
        """Holds its job until the test opens the gate, then reports progress (where a lost lease shows)."""
        steps.append("started")
        assert gate.wait(WAIT), "the test never opened the gate"
        ctx.progress(1, 1, "after the gate")
        steps.append("finished")
        return {"waited": True}

    reg = Registry()
    reg.register(Plugin(key="t", jobs={"t.count": count_to, "t.explode": explode, "t.refuse": refuse,
                                       "t.once": once, "t.wait": wait}))
    return reg


@pytest.fixture
def qdb(database_url, tmp_path):
    """A database with short leases: heartbeat every second, lease 3 s; retries wait 30 s, doubled."""
    from ipcity.web.app import build_services

    settings = load_settings(data_dir=tmp_path / "data", database_url=database_url, run_worker=False,
                             job_heartbeat_seconds=1, job_lease_seconds=3, job_max_attempts=3, job_retry_seconds=30)
    svc = build_services(settings)
    yield svc.db
    svc.db.dispose()


def _enqueue(db, kind: str, params: dict | None = None) -> int:
    with db.session() as s:
        job = jobs.enqueue(s, Actor.system(), kind, params)
        s.commit()
        return job.id


def _job(db, job_id: int) -> Job:
    with db.session() as s:
        return s.get(Job, job_id)


def _actions(db, job_id: int) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "job",
                                                              AuditEntry.object_id == str(job_id))
                              .order_by(AuditEntry.seq)))


def _until(condition, what: str):
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.05)


def _utc(at: datetime) -> datetime:
    """SQLite gives the stored UTC times back without their zone."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _make_due(db, job_id: int) -> None:
    """As if the retry's wait had passed."""
    with db.session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(run_after=now() - timedelta(seconds=1)))
        s.commit()


def test_job_runs_with_progress(db):
    seen: list[int] = []
    reg = _registry(seen)
    job_id = _enqueue(db, "t.count", {"n": 3})
    assert jobs.run_pending(db, reg) == 1
    assert seen == [1, 2, 3]
    done = _job(db, job_id)
    assert (done.status, done.done, done.total, done.result) == ("done", 3, 3, {"counted": 3})
    assert done.finished_at is not None and done.attempts == 1 and done.worker_id == jobs.process_worker_id()
    assert jobs.claim_next(db) is None
    assert _actions(db, job_id) == ["job.enqueue", "job.done"]


def test_a_failing_job_is_retried_later_then_failed(qdb):
    reg = _registry([])
    bad, good = _enqueue(qdb, "t.explode"), _enqueue(qdb, "t.count", {"n": 1})
    before = now()
    assert jobs.run_pending(qdb, reg) == 2  # the failing one waits for its retry; the next one runs meanwhile
    first = _job(qdb, bad)
    assert (first.status, first.attempts, first.worker_id) == ("queued", 1, None)
    assert "RuntimeError: boom" in first.error
    assert before + timedelta(seconds=30) <= _utc(first.run_after) <= now() + timedelta(seconds=30)
    assert _job(qdb, good).status == "done"
    assert jobs.claim_next(qdb) is None  # not due yet

    _make_due(qdb, bad)
    before = now()
    assert jobs.run_pending(qdb, reg) == 1
    second = _job(qdb, bad)
    assert (second.status, second.attempts) == ("queued", 2)
    assert _utc(second.run_after) >= before + timedelta(seconds=60)  # the wait doubles

    _make_due(qdb, bad)
    assert jobs.run_pending(qdb, reg) == 1
    last = _job(qdb, bad)
    assert (last.status, last.attempts) == ("failed", 3) and last.finished_at is not None
    assert _actions(qdb, bad) == ["job.enqueue", "job.retry", "job.retry", "job.failed"]
    assert jobs.claim_next(qdb) is None


def test_a_refusal_and_a_kind_of_one_attempt_fail_at_once(qdb):
    reg = _registry([])
    refused, once = _enqueue(qdb, "t.refuse"), _enqueue(qdb, "t.once")
    assert jobs.run_pending(qdb, reg) == 2
    assert [(j.status, j.attempts) for j in (_job(qdb, refused), _job(qdb, once))] == [("failed", 1), ("failed", 1)]
    assert "the input is refused" in _job(qdb, refused).error


def test_an_unknown_kind_fails_without_retries(qdb):
    job_id = _enqueue(qdb, "t.nothing")
    assert jobs.run_pending(qdb, _registry([])) == 1
    assert (_job(qdb, job_id).status, _job(qdb, job_id).error) == ("failed", "unknown job kind 't.nothing'")


def test_a_job_is_claimed_once_and_a_dead_workers_job_is_taken_over(qdb):
    reg = _registry([])
    job_id = _enqueue(qdb, "t.count", {"n": 1})
    assert jobs.claim_next(qdb, "host:1:dead") == job_id
    assert jobs.claim_next(qdb, "host:2:alive") is None
    claimed = _job(qdb, job_id)
    assert (claimed.status, claimed.worker_id, claimed.attempts) == ("running", "host:1:dead", 1)
    assert claimed.heartbeat_at is not None
    policy = jobs.Policy(heartbeat_seconds=1, lease_seconds=3, max_attempts=2)
    assert jobs.take_over_stale(qdb, reg, policy) == []  # its lease runs: nobody takes it

    with qdb.session() as s:  # the worker died: its heartbeat stops
        s.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=now() - timedelta(seconds=4)))
        s.commit()
    assert jobs.take_over_stale(qdb, reg, policy) == [job_id]
    back = _job(qdb, job_id)
    assert (back.status, back.worker_id, back.attempts) == ("queued", None, 1)  # the killed run counted
    assert "host:1:dead" in back.error
    assert jobs.take_over_stale(qdb, reg, policy) == []

    assert jobs.claim_next(qdb, "host:2:alive") == job_id
    assert _job(qdb, job_id).attempts == 2
    with qdb.session() as s:  # the second worker dies too: no attempt is left
        s.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=now() - timedelta(seconds=4)))
        s.commit()
    assert jobs.take_over_stale(qdb, reg, policy) == [job_id]
    assert (_job(qdb, job_id).status, _job(qdb, job_id).attempts) == ("failed", 2)
    assert _actions(qdb, job_id) == ["job.enqueue", "job.takeover", "job.takeover"]


def test_a_job_running_before_heartbeats_existed_is_taken_over_by_its_start_time(qdb):
    job_id = _enqueue(qdb, "t.count", {"n": 1})
    with qdb.session() as s:  # as a release without leases left it
        s.execute(update(Job).where(Job.id == job_id).values(status="running", attempts=0,
                                                             started_at=now() - timedelta(minutes=5)))
        s.commit()
    assert jobs.take_over_stale(qdb, _registry([])) == [job_id]
    assert _job(qdb, job_id).status == "queued"


def test_the_heartbeat_keeps_a_long_job_from_being_taken_over(qdb):
    gate, steps = threading.Event(), []
    reg = _registry([], gate, steps)
    job_id = _enqueue(qdb, "t.wait")
    assert jobs.claim_next(qdb, "host:1:busy") == job_id
    claimed_at = _utc(_job(qdb, job_id).heartbeat_at)
    runner = threading.Thread(target=jobs.run_job, args=(qdb, reg, job_id))
    runner.start()
    try:
        # Run past the lease (3 s) since the claim: only the heartbeats keep the job its worker's.
        _until(lambda: now() - claimed_at > timedelta(seconds=4), "the lease to pass")
        assert _utc(_job(qdb, job_id).heartbeat_at) > claimed_at
        assert jobs.take_over_stale(qdb, reg) == []
        assert jobs.claim_next(qdb, "host:2:idle") is None
    finally:
        gate.set()
        runner.join(WAIT)
    done = _job(qdb, job_id)
    assert (done.status, done.attempts, done.worker_id, steps) == ("done", 1, "host:1:busy", ["started", "finished"])


def test_a_job_taken_from_its_worker_stops_and_its_outcome_is_dropped(qdb):
    gate, steps = threading.Event(), []
    reg = _registry([], gate, steps)
    job_id = _enqueue(qdb, "t.wait")
    assert jobs.claim_next(qdb, "host:1:slow") == job_id
    runner = threading.Thread(target=jobs.run_job, args=(qdb, reg, job_id))
    runner.start()
    try:
        _until(lambda: steps == ["started"], "the job to start")
        with qdb.session() as s:  # meanwhile its lease ran out and another worker holds it
            s.execute(update(Job).where(Job.id == job_id).values(worker_id="host:2:new", attempts=2))
            s.commit()
    finally:
        gate.set()
        runner.join(WAIT)
    assert steps == ["started"]  # its next progress report stopped it
    after = _job(qdb, job_id)
    assert (after.status, after.worker_id, after.attempts, after.done) == ("running", "host:2:new", 2, 0)


def test_workers_on_threads_claim_every_job_exactly_once(db):
    ids = {_enqueue(db, "t.count", {"n": 1}) for _ in range(40)}
    claimed: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def claim_all(worker_id: str) -> None:
        mine = claimed.setdefault(worker_id, [])
        try:
            while (job_id := jobs.claim_next(db, worker_id)) is not None:
                mine.append(job_id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claim_all, args=(f"host:{i}:t",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert not errors
    everything = [j for mine in claimed.values() for j in mine]
    assert sorted(everything) == sorted(ids)  # none twice, none left
    with db.session() as s:
        rows = {j.id: j.worker_id for j in s.scalars(select(Job).where(Job.id.in_(ids)))}
    assert all(rows[j] == w for w, mine in claimed.items() for j in mine)


def test_a_stopping_worker_gives_its_running_job_back(qdb):
    gate, steps = threading.Event(), []
    reg = _registry([], gate, steps)
    job_id = _enqueue(qdb, "t.wait")
    worker = jobs.Worker(qdb, reg, poll_seconds=0.05)
    worker.start()
    try:
        _until(lambda: steps == ["started"], "the worker to start the job")
        assert worker.stop(grace=0.1) is False  # the job outlived the grace: given back
        back = _job(qdb, job_id)
        assert (back.status, back.worker_id, back.attempts) == ("queued", None, 0)
        assert _actions(qdb, job_id)[-1] == "job.release"
    finally:
        gate.set()
    _until(lambda: not worker.busy, "the released job's thread to end")
    assert steps == ["started"] and _job(qdb, job_id).status == "queued"  # it stopped; nobody's outcome written


def test_worker_thread_runs_queued_jobs(db):
    reg = _registry([])
    worker = jobs.Worker(db, reg, poll_seconds=0.05)
    worker.start()
    try:
        job_id = _enqueue(db, "t.count", {"n": 2})
        worker.wake()
        _until(lambda: _job(db, job_id).status == "done", "the worker to run the job")
        assert _job(db, job_id).worker_id == worker.worker_id
    finally:
        assert worker.stop()


def test_backoff_doubles_up_to_an_hour():
    policy = jobs.Policy(retry_seconds=30)
    assert [policy.backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert policy.backoff(40).total_seconds() == jobs.MAX_BACKOFF_SECONDS


def test_a_lease_shorter_than_two_heartbeats_is_refused(tmp_path):
    with pytest.raises(SettingError, match="IPCITY_JOB_LEASE_SECONDS"):
        load_settings(data_dir=tmp_path, job_heartbeat_seconds=10, job_lease_seconds=15)


def test_job_visibility(session, people):
    from ipcity.core.jobs import may_see

    system_job = jobs.enqueue(session, Actor.system(), "t.count", {"n": 1})   # no person, no unit
    mine = jobs.enqueue(session, people["pudong"], "t.count", {"n": 1})
    session.commit()
    individual = Actor(people["company"].user_id, "ind", "ind", "applicant_individual", None)
    assert not may_see(session, individual, system_job.id)                    # no unit must not match "no unit"
    assert not may_see(session, people["company"], system_job.id)
    assert may_see(session, people["admin"], system_job.id)
    assert may_see(session, people["pudong"], mine.id)
    assert not may_see(session, people["reviewer"], mine.id)
