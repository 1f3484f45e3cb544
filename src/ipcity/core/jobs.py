"""Background jobs: a job table and an in-process worker; progress is persisted, so the web page
and `ipcity jobs` show it while the job runs and after a restart."""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, true, update
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.clock import now
from ipcity.core.roles import ADMIN, Actor
from ipcity.core.tables import Job

if TYPE_CHECKING:
    from ipcity.core.db import Database
    from ipcity.core.plugins import Registry

log = logging.getLogger(__name__)


def enqueue(session: Session, actor: Actor, kind: str, params: dict | None = None) -> Job:
    job = Job(kind=kind, params=params or {}, created_by=actor.user_id, unit_id=actor.unit_id)
    session.add(job)
    session.flush()
    audit.record(session, actor, "job.enqueue", "job", job.id, summary=kind, detail=params or {})
    return job


def visible_to(actor: Actor):
    """Who sees a job and its output: whoever started it, their unit, and administrators."""
    if actor.role == ADMIN:
        return true()
    return (Job.created_by == actor.user_id) | ((Job.unit_id == actor.unit_id) & Job.unit_id.is_not(None))


def may_see(session: Session, actor: Actor, job_id: int) -> bool:
    return session.scalar(select(Job.id).where(Job.id == job_id, visible_to(actor))) is not None


@dataclass
class JobContext:
    """What a job function receives: its database, its id, and a way to report progress."""

    db: Database
    job_id: int
    actor: Actor
    services: Any = None  # the application's service container (file store, settings, registry)

    def progress(self, done: int, total: int, message: str = "") -> None:
        # Own short transaction, so the progress is visible to others while the job runs.
        with self.db.session() as s:
            s.execute(update(Job).where(Job.id == self.job_id).values(done=done, total=total, message=message))
            s.commit()


def claim_next(db: Database) -> int | None:
    """Take the oldest queued job; the conditional update makes two workers never take the same one."""
    with db.session() as s:  # a poll that finds nothing takes no write lock
        candidates = list(s.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(5)))
    for job_id in candidates:
        with db.session() as s:  # begins with its write: no stale read to upgrade (SQLite)
            res = s.execute(update(Job).where(Job.id == job_id, Job.status == "queued")
                            .values(status="running", started_at=now()))
            s.commit()
        if res.rowcount == 1:
            return job_id
    return None


def run_job(db: Database, registry: Registry, job_id: int, services: Any = None) -> Job:
    with db.session() as s:
        job = s.get(Job, job_id)
        kind, params, created_by = job.kind, dict(job.params), job.created_by
        actor = Actor.system(f"job:{kind}")
        if created_by:
            from ipcity.core.tables import User

            user = s.get(User, created_by)
            if user:
                actor = Actor.of(user)
    ctx = JobContext(db, job_id, actor, services)
    try:
        result = registry.job(kind)(ctx, params) or {}
        status, error = "done", ""
    except Exception as exc:  # a failing job is recorded, never kills the worker
        log.exception("job %s failed", job_id)
        result, status, error = {}, "failed", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
    with db.session(write=True) as s:  # reads the row, then writes it: the write lock from the start
        job = s.get(Job, job_id)
        job.status, job.result, job.error, job.finished_at = status, result, error, now()
        if status == "done" and job.total:
            job.done = job.total
        audit.record(s, actor, f"job.{status}", "job", job_id, summary=kind, detail={"error": error[:500]})
        s.commit()
        return job


def run_pending(db: Database, registry: Registry, services: Any = None, limit: int | None = None) -> int:
    n = 0
    while limit is None or n < limit:
        job_id = claim_next(db)
        if job_id is None:
            break
        run_job(db, registry, job_id, services)
        n += 1
    return n


def requeue_interrupted(db: Database) -> int:
    """Jobs left 'running' by a stopped process are put back in the queue at start-up."""
    with db.session() as s:
        res = s.execute(update(Job).where(Job.status == "running").values(status="queued", started_at=None))
        s.commit()
        return res.rowcount


class Worker:
    """A thread that runs queued jobs until stopped."""

    def __init__(self, db: Database, registry: Registry, services: Any = None, poll_seconds: float = 0.5):
        self.db, self.registry, self.services, self.poll = db, registry, services, poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="ipcity-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ran = run_pending(self.db, self.registry, self.services, limit=1)
            except Exception:
                log.exception("worker loop")
                ran = 0
            if not ran:
                self._wake.wait(self.poll)
                self._wake.clear()
