"""Background jobs: the `job` table is the queue, shared by any number of worker processes and machines.

- **Claim.** On PostgreSQL a worker takes the oldest due job with `SELECT … FOR UPDATE SKIP LOCKED` and marks it
  running in the same transaction, so concurrent workers skip each other's rows instead of waiting on them; on
  SQLite (one writer at a time) the claim is a conditional update inside a `BEGIN IMMEDIATE` transaction. Plain
  SQL on the platform's own table, not a queue library: procrastinate, for one, would bring its own schema and
  an asyncio worker beside ours for what one indexed query does.
- **Lease.** A claim records the worker (`worker_id`, host:pid:random) and `heartbeat_at`; a side thread
  refreshes the heartbeat while the job runs (`IPCITY_JOB_HEARTBEAT_SECONDS`). A running job whose heartbeat is
  older than the lease (`IPCITY_JOB_LEASE_SECONDS`) belonged to a worker that died: any worker puts it back in
  the queue (or marks it failed when its attempts are spent), with an audit entry. Nothing else touches a
  running job: a process that starts never takes the live jobs of the others.
- **Retries.** Every claim counts an attempt, so a run killed half-way counts too. A run that raises is retried
  after a growing wait (`IPCITY_JOB_RETRY_SECONDS`, doubled each time) up to `IPCITY_JOB_MAX_ATTEMPTS` (a kind may
  declare its own with `@attempts(n)`); a `DomainError` (a refusal: the same input will be refused again) fails
  at once.

A job function must therefore be safe to run again from the start: a retry, or a takeover after its worker
died, runs it once more, possibly after part of its work was committed.

Progress is persisted, so the web page and `ipcity jobs` show it while the job runs and after a restart.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select, true, update
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.clock import now
from ipcity.core.errors import DomainError
from ipcity.core.roles import ADMIN, Actor
from ipcity.core.tables import Job

if TYPE_CHECKING:
    from ipcity.core.db import Database
    from ipcity.core.plugins import Registry

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 3600  # the longest wait before a retry, however many attempts came before
TAKEOVER_BATCH = 20  # stale jobs taken over in one transaction (the rest at the next sweep)
SYSTEM = Actor.system("jobs")


@dataclass(frozen=True)
class Policy:
    """Heartbeat, lease and retries (Settings.job_*); the defaults are the settings' defaults."""

    heartbeat_seconds: float = 10
    lease_seconds: float = 60
    max_attempts: int = 3
    retry_seconds: float = 30

    @classmethod
    def of(cls, settings: Any) -> Policy:
        if settings is None:
            return cls()
        return cls(settings.job_heartbeat_seconds, settings.job_lease_seconds, settings.job_max_attempts,
                   settings.job_retry_seconds)

    def backoff(self, attempts: int) -> timedelta:
        """The wait before the next run after `attempts` runs failed: retry_seconds, doubled for each further one."""
        return timedelta(seconds=min(self.retry_seconds * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def policy_of(db: Database, services: Any = None) -> Policy:
    settings = getattr(services, "settings", None) or db.info.get("settings")
    return Policy.of(settings)


def attempts(n: int) -> Callable[[Callable], Callable]:
    """Decorator for a job function: its kind's own number of attempts (1: never run again automatically)."""
    if n < 1:
        raise ValueError("a job needs at least one attempt")

    def mark(fn: Callable) -> Callable:
        fn.max_attempts = n
        return fn

    return mark


def max_attempts_of(registry: Registry | None, kind: str, policy: Policy) -> int:
    try:
        fn = registry.job(kind) if registry is not None else None
    except KeyError:
        fn = None
    return getattr(fn, "max_attempts", policy.max_attempts)


def new_worker_id() -> str:
    """host:pid:random — unique per worker, readable in `ipcity jobs list` and the audit trail."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


_process_ids: dict[int, str] = {}


def process_worker_id() -> str:
    """The worker id of callers that name none (`ipcity jobs run`, run_pending); a forked child gets its own."""
    return _process_ids.setdefault(os.getpid(), new_worker_id())


class LeaseLost(BaseException):  # noqa: N818 - a signal to stop, like KeyboardInterrupt, not an error
    """The running job is no longer this worker's (taken over after a missed lease, or released at a stop).

    A BaseException, so that a job's own `except Exception` (which may record a failure on its records) does
    not catch it: the job stops and leaves its records to the worker that holds it now."""


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
    worker_id: str | None = None  # the worker holding the job; None: no lease is checked

    def progress(self, done: int, total: int, message: str = "") -> None:
        """Own short transaction, so the progress is visible to others while the job runs. Raises LeaseLost
        when the job is no longer this worker's: it stops instead of working on beside its new holder."""
        query = update(Job).where(Job.id == self.job_id)
        if self.worker_id is not None:
            query = query.where(Job.worker_id == self.worker_id, Job.status == "running")
        with self.db.session() as s:
            res = s.execute(query.values(done=done, total=total, message=message))
            s.commit()
        if self.worker_id is not None and res.rowcount == 0:
            raise LeaseLost(f"job {self.job_id} is no longer held by {self.worker_id}")


def _due():
    return (Job.status == "queued") & (Job.run_after.is_(None) | (Job.run_after <= now()))


def claim_next(db: Database, worker_id: str | None = None) -> int | None:
    """Take the oldest due job for `worker_id`: mark it running, count the attempt, start its lease."""
    worker_id = worker_id or process_worker_id()
    if db.dialect == "postgresql":
        with db.session() as s:
            # SKIP LOCKED: a row another worker is claiming right now is passed over, not waited for.
            job_id = s.scalar(select(Job.id).where(_due()).order_by(Job.id).limit(1)
                              .with_for_update(skip_locked=True))
            if job_id is not None:
                s.execute(_claim(job_id, worker_id))
                s.commit()
            return job_id
    with db.session() as s:  # a poll that finds nothing takes no write lock
        if s.scalar(select(Job.id).where(_due()).limit(1)) is None:
            return None
    with db.session(write=True) as s:  # BEGIN IMMEDIATE: nobody else writes between the choice and the claim
        job_id = s.scalar(select(Job.id).where(_due()).order_by(Job.id).limit(1))
        if job_id is None:
            return None
        res = s.execute(_claim(job_id, worker_id).where(Job.status == "queued"))
        s.commit()
        return job_id if res.rowcount == 1 else None


def _claim(job_id: int, worker_id: str):
    at = now()
    return (update(Job).where(Job.id == job_id)
            .values(status="running", worker_id=worker_id, started_at=at, heartbeat_at=at, run_after=None,
                    attempts=Job.attempts + 1))


class _Heartbeat:
    """Refreshes the lease of one running job from a side thread; notices when the job is no longer ours."""

    def __init__(self, db: Database, job_id: int, worker_id: str, every: float):
        self.db, self.job_id, self.worker_id, self.every = db, job_id, worker_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"ipcity-heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with self.db.session() as s:
                    res = s.execute(update(Job).where(Job.id == self.job_id, Job.worker_id == self.worker_id,
                                                      Job.status == "running").values(heartbeat_at=now()))
                    s.commit()
            except Exception:  # a database blip: the next beat tries again (the lease outlasts a few misses)
                log.warning("heartbeat of job %s failed", self.job_id, exc_info=True)
                continue
            if res.rowcount == 0:  # taken over or released: the job stops at its next progress report
                log.warning("job %s is no longer held by %s", self.job_id, self.worker_id)
                return


def _actor_of(session: Session, kind: str, created_by: int | None) -> Actor:
    if created_by:
        from ipcity.core.tables import User

        user = session.get(User, created_by)
        if user:
            return Actor.of(user)
    return Actor.system(f"job:{kind}")


def run_job(db: Database, registry: Registry, job_id: int, services: Any = None) -> Job:
    """Run one claimed job to its end: done, queued again for a retry, or failed. Its lease is kept alive while it
    runs; when the job was taken over meanwhile, this run's outcome is dropped (the new holder's run counts)."""
    policy = policy_of(db, services)
    with db.session() as s:
        job = s.get(Job, job_id)
        kind, params, worker_id = job.kind, dict(job.params), job.worker_id
        actor = _actor_of(s, kind, job.created_by)
    ctx = JobContext(db, job_id, actor, services, worker_id)
    result: dict = {}
    error, permanent = "", False
    try:
        fn = registry.job(kind)
    except KeyError:
        fn, error, permanent = None, f"unknown job kind {kind!r}", True
    if fn is not None:
        with _Heartbeat(db, job_id, worker_id, policy.heartbeat_seconds) if worker_id else nullcontext():
            try:
                result = fn(ctx, params) or {}
            except LeaseLost:
                log.warning("job %s stopped: it is no longer held by %s", job_id, worker_id)
            except Exception as exc:  # a failing job is recorded, never kills the worker
                log.exception("job %s failed", job_id)
                error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
                permanent = isinstance(exc, DomainError)  # a refusal: the same input is refused again
    return _finish(db, registry, policy, job_id, worker_id, actor, result, error, permanent)


def _finish(db: Database, registry: Registry, policy: Policy, job_id: int, worker_id: str | None, actor: Actor,
            result: dict, error: str, permanent: bool) -> Job:
    with db.session(write=True) as s:  # reads the row, then writes it: the write lock from the start (SQLite)
        job = s.get(Job, job_id, with_for_update=True)  # PostgreSQL: no takeover between this check and the write
        if job.status != "running" or (worker_id is not None and job.worker_id != worker_id):
            log.warning("job %s was taken over from %s while it ran: this run's outcome is dropped", job_id, worker_id)
            s.expunge(job)  # readable after the session ends; nothing was changed
            return job
        at = now()
        limit = max_attempts_of(registry, job.kind, policy)
        if not error:
            job.status, job.result, job.error, job.finished_at = "done", result, "", at
            if job.total:
                job.done = job.total
        elif permanent or job.attempts >= limit:
            job.status, job.result, job.error, job.finished_at = "failed", {}, error, at
        else:
            job.status, job.error, job.worker_id, job.heartbeat_at = "queued", error, None, None
            job.run_after = at + policy.backoff(job.attempts)
        action = {"done": "job.done", "failed": "job.failed", "queued": "job.retry"}[job.status]
        audit.record(s, actor, action, "job", job_id, summary=job.kind,
                     detail={"error": error[:500], "attempt": job.attempts, "of": limit, "worker": worker_id,
                             **({"run_after": job.run_after.isoformat()} if job.status == "queued" else {})})
        s.commit()
        return job


def take_over_stale(db: Database, registry: Registry | None = None, policy: Policy | None = None) -> list[int]:
    """Running jobs whose heartbeat is older than the lease: their worker died (killed, its machine lost). Each goes
    back to the queue at once, or is marked failed when its attempts are spent; the audit trail names the worker
    that lost it. Returns the ids taken over."""
    policy = policy or policy_of(db)
    # A job of a release before heartbeats has none: its start (or creation) stands in for it.
    stale = (Job.status == "running") & (func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
                                         < now() - timedelta(seconds=policy.lease_seconds))
    with db.session() as s:  # the common case, nothing stale, takes no write lock
        if s.scalar(select(Job.id).where(stale).limit(1)) is None:
            return []
    taken = []
    with db.session(write=True) as s:
        query = select(Job).where(stale).order_by(Job.id).limit(TAKEOVER_BATCH)
        if db.dialect == "postgresql":  # a row whose heartbeat is being written now is not stale: skip it
            query = query.with_for_update(skip_locked=True)
        for job in s.scalars(query):
            limit = max_attempts_of(registry, job.kind, policy)
            last = job.heartbeat_at or job.started_at
            lost = f"worker {job.worker_id} stopped answering (last heartbeat {last}) on attempt {job.attempts}"
            detail = {"worker": job.worker_id, "heartbeat_at": last, "attempt": job.attempts, "of": limit}
            if job.attempts >= limit:
                job.status, job.error, job.finished_at = "failed", lost, now()
            else:
                job.status, job.error, job.worker_id, job.heartbeat_at, job.run_after = "queued", lost, None, None, None
            audit.record(s, SYSTEM, "job.takeover", "job", job.id, summary=job.kind,
                         detail={**detail, "now": job.status})
            log.warning("job %s (%s) taken over: %s; now %s", job.id, job.kind, lost, job.status)
            taken.append(job.id)
        s.commit()
    return taken


def release(db: Database, job_id: int, worker_id: str) -> bool:
    """Give a running job back to the queue at an orderly stop (its run is not counted as an attempt)."""
    with db.session(write=True) as s:
        res = s.execute(update(Job).where(Job.id == job_id, Job.worker_id == worker_id, Job.status == "running")
                        .values(status="queued", worker_id=None, heartbeat_at=None,
                                attempts=case((Job.attempts > 0, Job.attempts - 1), else_=0)))
        if res.rowcount:
            audit.record(s, SYSTEM, "job.release", "job", job_id, detail={"worker": worker_id})
        s.commit()
        return res.rowcount == 1


def run_pending(db: Database, registry: Registry, services: Any = None, limit: int | None = None) -> int:
    """Run due jobs in this thread until none is left (or `limit` ran); stale ones are taken over first."""
    take_over_stale(db, registry, policy_of(db, services))
    n = 0
    while limit is None or n < limit:
        job_id = claim_next(db)
        if job_id is None:
            break
        run_job(db, registry, job_id, services)
        n += 1
    return n


class Worker:
    """A thread that takes over stale jobs and runs due ones until stopped, as one worker of the queue."""

    def __init__(self, db: Database, registry: Registry, services: Any = None, poll_seconds: float = 0.5,
                 worker_id: str | None = None):
        self.db, self.registry, self.services, self.poll = db, registry, services, poll_seconds
        self.worker_id = worker_id or new_worker_id()
        self.policy = policy_of(db, services)
        self.current: int | None = None  # the job running now
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="ipcity-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    @property
    def busy(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, grace: float = 10) -> bool:
        """Take no more jobs; wait up to `grace` seconds for the running one, then give it back to the queue.
        True when the thread ended (False: a released job's function is still running in it)."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=grace)
        current = self.current
        if self.busy and current is not None and release(self.db, current, self.worker_id):
            log.warning("job %s given back to the queue: the worker stopped before it ended", current)
        return not self.busy

    def _loop(self) -> None:
        next_sweep = 0.0
        while not self._stop.is_set():
            job_id = None
            try:
                if time.monotonic() >= next_sweep:  # every heartbeat interval: a lease cannot end sooner
                    take_over_stale(self.db, self.registry, self.policy)
                    next_sweep = time.monotonic() + self.policy.heartbeat_seconds
                job_id = claim_next(self.db, self.worker_id)
                if job_id is not None:
                    self.current = job_id
                    run_job(self.db, self.registry, job_id, self.services)
            except Exception:
                log.exception("worker loop")
            finally:
                self.current = None
            if job_id is None:
                self._wake.wait(self.poll)
                self._wake.clear()
