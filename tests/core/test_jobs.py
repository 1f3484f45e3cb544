"""Background jobs: queued, claimed once, progress persisted, failures recorded."""

from __future__ import annotations

from ipcity.core import jobs
from ipcity.core.plugins import Plugin, Registry
from ipcity.core.roles import Actor
from ipcity.core.tables import Job


def _registry(seen: list):
    def count_to(ctx, params):
        for i in range(params["n"]):
            ctx.progress(i + 1, params["n"], f"step {i + 1}")
            with ctx.db.session() as s:  # progress is visible to another session mid-job
                seen.append(s.get(Job, ctx.job_id).done)
        return {"counted": params["n"]}

    def explode(ctx, params):
        raise RuntimeError("boom")

    reg = Registry()
    reg.register(Plugin(key="t", jobs={"t.count": count_to, "t.explode": explode}))
    return reg


def test_job_runs_with_progress(db):
    seen: list[int] = []
    reg = _registry(seen)
    with db.session() as s:
        job = jobs.enqueue(s, Actor.system(), "t.count", {"n": 3})
        s.commit()
    assert jobs.run_pending(db, reg) == 1
    assert seen == [1, 2, 3]
    with db.session() as s:
        done = s.get(Job, job.id)
        assert (done.status, done.done, done.total, done.result) == ("done", 3, 3, {"counted": 3})
        assert done.finished_at is not None
    assert jobs.claim_next(db) is None


def test_failed_job_is_recorded_and_the_worker_goes_on(db):
    reg = _registry([])
    with db.session() as s:
        bad = jobs.enqueue(s, Actor.system(), "t.explode")
        good = jobs.enqueue(s, Actor.system(), "t.count", {"n": 1})
        s.commit()
    assert jobs.run_pending(db, reg) == 2
    with db.session() as s:
        assert s.get(Job, bad.id).status == "failed"
        assert "RuntimeError: boom" in s.get(Job, bad.id).error
        assert s.get(Job, good.id).status == "done"


def test_a_job_is_claimed_once_and_interrupted_jobs_requeue(db):
    with db.session() as s:
        job = jobs.enqueue(s, Actor.system(), "t.count", {"n": 1})
        s.commit()
    assert jobs.claim_next(db) == job.id
    assert jobs.claim_next(db) is None
    assert jobs.requeue_interrupted(db) == 1
    assert jobs.claim_next(db) == job.id


def test_worker_thread_runs_queued_jobs(db):
    import time

    reg = _registry([])
    worker = jobs.Worker(db, reg, poll_seconds=0.05)
    worker.start()
    try:
        with db.session() as s:
            job = jobs.enqueue(s, Actor.system(), "t.count", {"n": 2})
            s.commit()
        worker.wake()
        deadline = time.monotonic() + 10
        status = "queued"
        while time.monotonic() < deadline and status != "done":
            time.sleep(0.05)
            with db.session() as s:
                status = s.get(Job, job.id).status
        assert status == "done"
    finally:
        worker.stop()


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
