"""Ingest one file into the register and the search index: streaming, idempotent, resumable.

- Streaming: the reader yields one record at a time; we hold one batch.
- Idempotent: records are upserted by publication number; an identical record changes nothing.
- Resumable: the run remembers how many source items are stored *and* indexed (`position`); a run of
  the same file (same sha256 and format) that did not finish resumes there instead of starting over.
- A bad record is counted and reported with its line and reason (the first MAX_ERRORS are kept);
  the rest goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from ipcity.core import audit
from ipcity.core.clock import now
from ipcity.core.db import Database
from ipcity.core.roles import Actor
from ipcity.patents import store
from ipcity.patents.engine import PatentEngine
from ipcity.patents.ingest.base import Rejected
from ipcity.patents.ingest.formats import reader_for
from ipcity.patents.normalise import RecordError, normalise
from ipcity.patents.tables import IngestRun

MAX_ERRORS = 1000
Progress = Callable[[int, int, str], None]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _start_run(db: Database, path: Path, fmt: str, actor: Actor, resume: bool) -> int:
    sha = file_sha256(path)
    with db.session() as s:
        previous = s.scalar(select(IngestRun).where(IngestRun.file_sha256 == sha, IngestRun.format == fmt,
                                                    IngestRun.status.in_(("running", "failed")))
                            .order_by(IngestRun.id.desc()))
        if previous is not None and resume:
            previous.status, previous.message = "running", ""
            s.commit()
            return previous.id
        run = IngestRun(file_name=path.name, file_sha256=sha, file_size=path.stat().st_size, format=fmt,
                        user_id=actor.user_id)
        s.add(run)
        s.flush()
        audit.record(s, actor, "patents.ingest.start", "patent_ingest_run", run.id,
                     summary=f"{path.name} ({fmt})")
        s.commit()
        return run.id


def ingest_file(db: Database, engine: PatentEngine, path: Path, actor: Actor, fmt: str | None = None, *,
                progress: Progress | None = None, batch_size: int = 500, commit_every: int = 20_000,
                resume: bool = True) -> int:
    """Ingest `path`; returns the IngestRun id. Raises only for a file that cannot be read at all."""
    path = Path(path)
    reader = reader_for(path, fmt)
    run_id = _start_run(db, path, reader.name, actor, resume)
    with db.session() as s:
        run = s.get(IngestRun, run_id)
        skip, errors = run.position, list(run.errors or [])
        counts = {k: getattr(run, k) for k in ("read", "inserted", "updated", "unchanged", "rejected")}
    pending: list = []
    since_commit = 0
    consumed = 0
    committed = skip  # items stored and indexed as of the last checkpoint

    def reject(line: int, reason: str) -> None:
        counts["rejected"] += 1
        if len(errors) < MAX_ERRORS:
            errors.append({"line": line, "reason": reason})

    def flush() -> None:
        nonlocal pending
        if not pending:
            return
        good = []
        for item in pending:
            try:
                good.append(normalise(item.record))
            except RecordError as exc:
                reject(item.line, str(exc))
        with db.session() as s:
            upserted, changed = store.upsert(s, good)
            s.commit()
        for key in ("inserted", "updated", "unchanged"):
            counts[key] += getattr(upserted, key)
        engine.index(changed)
        pending = []

    saved = (dict(counts), list(errors))  # counts as of the last checkpoint: what a resume starts from

    def checkpoint(status: str = "running", message: str = "") -> None:
        nonlocal committed, saved
        if status != "failed":
            engine.commit()
            committed, saved = consumed, (dict(counts), list(errors))
        with db.session() as s:
            run = s.get(IngestRun, run_id)
            run.position = committed
            run.status, run.message = status, message
            run.errors = saved[1]
            for key, value in saved[0].items():
                setattr(run, key, value)
            if status != "running":
                run.finished_at = now()
                audit.record(s, actor, f"patents.ingest.{status}", "patent_ingest_run", run_id,
                             summary=f"{path.name}: {counts['inserted']} new, {counts['updated']} updated, "
                                     f"{counts['unchanged']} unchanged, {counts['rejected']} rejected")
            s.commit()

    try:
        for item in reader.read(path):
            consumed += 1
            if consumed <= skip:
                continue
            counts["read"] += 1
            if isinstance(item, Rejected):
                reject(item.line, item.reason)
            else:
                pending.append(item)
            if len(pending) >= batch_size:
                flush()
            since_commit += 1
            if since_commit >= commit_every:
                flush()
                checkpoint()
                since_commit = 0
            if progress and consumed % batch_size == 0:
                progress(consumed, 0, path.name)  # the number of records is unknown until the end
        flush()
        checkpoint("done")
    except Exception as exc:
        pending = []
        checkpoint("failed", f"{type(exc).__name__}: {exc}")
        raise
    if progress:
        progress(consumed, consumed, path.name)
    return run_id
