"""Ingest one file into the register and the search index: streaming, idempotent, resumable.

- Streaming: the reader yields one record at a time; we hold one batch.
- Idempotent: records are upserted by publication number; an identical record changes nothing.
- Resumable: the run remembers how many source items are stored *and* indexed (`position`); a run of
  the same file (same sha256 and format) that did not finish resumes there instead of starting over.
  The position and the register's "indexed" marks are saved in the transaction after the index commit,
  so a crash anywhere leaves the records the index may lack `index_pending`: re-reading them indexes
  them again (even when unchanged), and every load ends by indexing whatever is still pending.
- A bad record — one that cannot be read or identified, or breaks a record or field limit (limits.py) — is
  counted and reported with its line and reason (the first MAX_ERRORS are kept); the rest goes on.
- A bad field — one the reader or the normaliser could not read — is left out and the record kept; each is
  counted as a warning, and the first MAX_WARNINGS are kept beside the rejections in `errors`, marked
  `"warning": true`. A file that
  expands beyond its limits (a decompression bomb) stops there, reported the same way, and the run fails.
- Bulk (the default; bulk.py): each record is prepared once — normalised, checked, its register row, content hash
  and index document made — in a preparing process beside this one, which writes each batch to the register in
  one statement (store.upsert_rows) and hands the index prepared documents. `bulk=False` is the record-at-a-time
  path it replaced (the benchmark's baseline); both give the same register, index, counts and reports.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from sqlalchemy import select

from ipcity.core import audit
from ipcity.core.clock import now
from ipcity.core.db import Database
from ipcity.core.files import sha256_of
from ipcity.core.roles import Actor
from ipcity.patents import store
from ipcity.patents.engine import PatentEngine
from ipcity.patents.ingest.base import Item, Rejected
from ipcity.patents.ingest.bulk import BulkPrepared, prepared_batches
from ipcity.patents.ingest.bulk import batches as _batches
from ipcity.patents.ingest.formats import reader_for
from ipcity.patents.ingest.limits import DEFAULT_LIMITS, Limits, SourceRefused, check_record
from ipcity.patents.normalise import RecordError, normalise
from ipcity.patents.record import PatentRecord
from ipcity.patents.search.contract import IndexDoc
from ipcity.patents.search.document import index_doc
from ipcity.patents.tables import IngestRun

MAX_ERRORS = 1000
MAX_WARNINGS = 200  # kept apart from MAX_ERRORS: warnings must not crowd out the rejections
PARALLEL_FROM_BYTES = 8 * 1024 * 1024  # files smaller than this load in one process
MAX_PREPARERS = 4
Progress = Callable[[int, int, str], None]


def _start_run(db: Database, path: Path, fmt: str, actor: Actor, resume: bool) -> int:
    sha = sha256_of(path)
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


Prepared = tuple[int, PatentRecord | None, IndexDoc | None, str, tuple[str, ...]]


def prepare(items: list[Item], limits: Limits = DEFAULT_LIMITS) -> list[Prepared]:
    """Normalise, check against the field limits and analyse a batch: (line, record, index document, reason
    refused, warnings). Runs in the worker processes when the load is parallel — this is where the CPU time goes
    (jieba, names, IPC)."""
    out: list[Prepared] = []
    for item in items:
        if isinstance(item, Rejected):
            out.append((item.line, None, None, item.reason, ()))
            continue
        warnings = list(item.warnings)
        try:
            rec = check_record(normalise(item.record, warnings), limits)
        except RecordError as exc:
            out.append((item.line, None, None, str(exc), ()))
            continue
        out.append((item.line, rec, index_doc(rec), "", tuple(warnings)))
    return out


def default_workers(path: Path) -> int:
    """Worker processes for a record-at-a-time load: one for small files (starting workers costs a second or two)."""
    # Measured on 2 cores (bench/README.md): workers there compete with the main process and are
    # slower than one process, so parallel preparation starts at 4 cores.
    cores = os.cpu_count() or 1
    return 1 if path.stat().st_size < PARALLEL_FROM_BYTES or cores < 4 else min(cores - 1, 4)


def default_preparers(path: Path) -> int:
    """Preparing processes beside the writer for a bulk load: none for small files (starting one costs a second
    or two), else one per core, at most MAX_PREPARERS. The writer mostly waits for them (three quarters of its time
    with one preparer on 2 cores), so they share its core: bench/ingest.py on 2 cores, 50,000 records, 1,284
    records/s with two preparers against 894 with one."""
    cores = os.cpu_count() or 1
    return 0 if path.stat().st_size < PARALLEL_FROM_BYTES or cores < 2 else min(cores, MAX_PREPARERS)


@contextmanager
def _pool(workers: int):
    if workers <= 1:
        yield None
        return
    # spawn, not fork: the parent may run threads (web server, job worker, tantivy) that fork would copy.
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        yield pool


def ingest_file(db: Database, engine: PatentEngine, path: Path, actor: Actor, fmt: str | None = None, *,
                progress: Progress | None = None, batch_size: int = 500, commit_every: int = 20_000,
                resume: bool = True, workers: int | None = None, bulk: bool = True) -> int:
    """Ingest `path`; returns the IngestRun id. Raises only for a file that cannot be read at all; a file
    refused part-way (SourceRefused) ends its run "failed" with the line and reason instead. `workers`: processes
    preparing records (bulk: beside this one, 0 for none; record at a time: 1 for none); None chooses by size."""
    path = Path(path)
    reader = reader_for(path, fmt)
    limits = Limits.from_settings(engine.settings)
    run_id = _start_run(db, path, reader.name, actor, resume)
    with db.session() as s:
        run = s.get(IngestRun, run_id)
        skip, errors = run.position, list(run.errors or [])
        counts = {k: getattr(run, k) for k in ("read", "inserted", "updated", "unchanged", "rejected", "warnings")}
    consumed = committed = skip  # items read / stored and indexed as of the last checkpoint
    saved = (dict(counts), list(errors))  # counts as of the last checkpoint: what a resume starts from
    warned = sum(bool(e.get("warning")) for e in errors)
    kept = {"rejected": len(errors) - warned, "warnings": warned}  # entries of `errors`, each kind capped

    def reject(line: int, reason: str) -> None:
        counts["rejected"] += 1
        if kept["rejected"] < MAX_ERRORS:
            kept["rejected"] += 1
            errors.append({"line": line, "reason": reason})

    def warn(line: int, warnings: tuple[str, ...]) -> None:
        counts["warnings"] += len(warnings)
        for reason in warnings[:max(MAX_WARNINGS - kept["warnings"], 0)]:
            kept["warnings"] += 1
            errors.append({"line": line, "reason": reason, "warning": True})

    def store_batch(prepared: list[Prepared]) -> None:
        good, docs = [], {}
        for line, rec, doc, reason, warnings in prepared:
            if rec is None:
                reject(line, reason)
            else:
                warn(line, warnings)
                good.append(rec)
                docs[rec.pub_number] = doc
        if not good:
            return
        with db.session(write=True) as s:  # reads then writes: hold the write lock from the start (SQLite)
            upserted, changed = store.upsert(s, good)
            s.commit()
        for key in ("inserted", "updated", "unchanged"):
            counts[key] += getattr(upserted, key)
        engine.index(changed, [docs[r.pub_number] for r in changed])

    def store_rows(prepared: list[BulkPrepared]) -> None:
        rows, documents = [], {}
        for line, reason, warnings, row, document, text in prepared:
            if row is None:
                reject(line, reason)
            else:
                warn(line, warnings)
                rows.append(row)
                documents[row.pub_number] = (document, text)
        if not rows:
            return
        with db.session(write=True) as s:
            upserted, changed = store.upsert(s, rows)
            s.commit()
        for key in ("inserted", "updated", "unchanged"):
            counts[key] += getattr(upserted, key)
        engine.index_prepared([(r.pub_number, r.content_hash) for r in changed],
                              [documents[r.pub_number][0] for r in changed],
                              [documents[r.pub_number][1] for r in changed])

    def checkpoint(status: str = "running", message: str = "", index: bool = True) -> None:
        nonlocal committed, saved
        with db.session(write=True) as s:
            if index:
                # The index commits first; its marks and the position follow in one transaction (a crash
                # between the two leaves rows pending, which the resume re-indexes).
                engine.commit(s)
                committed, saved = consumed, (dict(counts), list(errors))
            if status == "done":
                s.commit()
                engine.sync(s)  # what earlier crashes left unindexed
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

    since_commit = 0

    def load(results, store_one) -> None:
        nonlocal consumed, since_commit
        for prepared in results:
            consumed += len(prepared)
            counts["read"] += len(prepared)
            store_one(prepared)
            since_commit += len(prepared)
            if since_commit >= commit_every:
                checkpoint()
                since_commit = 0
            if progress:
                progress(consumed, 0, path.name)  # the number of records is unknown until the end

    try:
        if bulk:
            preparers = default_preparers(path) if workers is None else workers
            with_texts = engine.encoder is not None
            with prepared_batches(reader.name, path, skip, batch_size, limits, engine.settings.search_backend,
                                  with_texts, preparers) as results:
                load(results, store_rows)
        else:
            with _pool(default_workers(path) if workers is None else workers) as pool:
                batches = _batches(reader, path, skip, batch_size, limits)
                work = partial(prepare, limits=limits)
                load(pool.imap(work, batches) if pool else map(work, batches), store_batch)
        checkpoint("done")
    except SourceRefused as exc:
        # A bomb: what was read before it stays (stored and indexed); the file stops here.
        if kept["rejected"] < MAX_ERRORS:
            errors.append({"line": exc.line, "reason": str(exc)})  # line 0: the file as a whole
        checkpoint("failed", f"{path.name}:{exc.line}: {exc}" if exc.line else f"{path.name}: {exc}")
        return run_id
    except Exception as exc:
        checkpoint("failed", f"{type(exc).__name__}: {exc}", index=False)
        raise
    if progress:
        progress(consumed, consumed, path.name)
    return run_id
