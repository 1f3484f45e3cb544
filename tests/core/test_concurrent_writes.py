"""Many writers at once (issue 14, finding 2): the audit chain and the transparency log stay whole, no
transaction fails, on SQLite and on PostgreSQL.

The failures this reproduces: on SQLite a transaction that read first could not upgrade to the write lock
(SQLITE_BUSY, which busy_timeout cannot cure); on PostgreSQL the audit lock, taken in the middle of a
transaction, deadlocked with row locks taken in the other order.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, text, update

from ipcity.core import audit
from ipcity.core.roles import Actor
from ipcity.core.tables import AuditCheckpoint, AuditEntry, InboxItem
from ipcity.services.dataip import service, tlog

THREADS, ROUNDS, HOT = 16, 12, 4
ACTOR = Actor(None, "load", "load", "admin", None, "")


def _run(workers) -> list[BaseException]:
    errors: list[BaseException] = []

    def guard(fn, *args):
        try:
            fn(*args)
        except BaseException as exc:  # noqa: BLE001 — every failure is collected and reported
            errors.append(exc)

    threads = [threading.Thread(target=guard, args=(fn, *args)) for fn, *args in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a writer hung (deadlock between locks?)"
    return errors


def test_many_writers_lose_nothing_and_the_chain_and_log_verify(db):
    with db.session(write=True) as s:
        hot = [InboxItem(kind="notice", title=f"hot {i}") for i in range(HOT)]
        s.add_all(hot)
        s.commit()
        hot_ids = [h.id for h in hot]
        entries_before = s.scalar(select(func.count()).select_from(AuditEntry))
        leaves_before = tlog.size(s)

    def writer(n: int) -> None:
        for r in range(ROUNDS):
            with db.session(write=True) as s:
                s.scalar(select(func.count()).select_from(InboxItem))  # a read before the first write
                row = hot_ids[(n + r) % HOT]
                bump = update(InboxItem).where(InboxItem.id == row).values(body=f"{n}/{r}")
                if n % 2:  # half lock the hot row before recording, half after: both orders at once
                    s.execute(bump)
                audit.record(s, ACTOR, "load.write", "inbox", row, detail={"n": n, "r": r})
                if not n % 2:
                    s.execute(bump)
                s.add(InboxItem(kind="notice", title=f"w{n}-{r}"))
                tlog.append(s, "load", f"W{n}", {"r": r})  # after the row locks: the log's lock order
                if r % 3 == 0:
                    tlog.publish(s, service.signer_of(s))
                s.commit()

    errors = _run([(writer, n) for n in range(THREADS)])
    assert errors == [], errors[:3]
    with db.session(write=True) as s:
        assert s.scalar(select(func.count()).select_from(InboxItem).where(InboxItem.title.like("w%"))) \
            == THREADS * ROUNDS
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == entries_before + THREADS * ROUNDS
        result = audit.verify(s)
        assert result.ok, result.problems
        assert s.scalar(select(func.count()).select_from(AuditCheckpoint)) >= THREADS * ROUNDS // 10
        assert tlog.size(s) == leaves_before + THREADS * ROUNDS
        tlog.publish(s, service.signer_of(s))
        s.commit()
        assert tlog.check(s, service.signer_of(s).public_raw) == []


def test_a_transaction_that_reads_first_waits_for_the_writer_instead_of_failing(db):
    """SQLite: A reads, B writes and commits, A writes. A deferred A could not upgrade its stale snapshot
    (SQLITE_BUSY at once); with BEGIN IMMEDIATE, B waits for A instead. Same outcome asserted on PostgreSQL."""
    a_read, b_done, errors = threading.Event(), threading.Event(), []

    def b() -> None:
        a_read.wait(30)
        try:
            with db.session(write=True) as s:
                audit.record(s, ACTOR, "b", "x", 1)
                s.add(InboxItem(kind="notice", title="b"))
                s.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        b_done.set()

    other = threading.Thread(target=b)
    other.start()
    with db.session(write=True) as s:
        s.scalar(select(func.count()).select_from(InboxItem))
        a_read.set()
        if db.dialect == "postgresql":
            b_done.wait(30)  # no write lock to wait for there: let B commit in between
        audit.record(s, ACTOR, "a", "x", 1)
        s.add(InboxItem(kind="notice", title="a"))
        s.commit()
    other.join(30)
    assert errors == []
    with db.session(write=True) as s:
        assert {i.title for i in s.scalars(select(InboxItem))} >= {"a", "b"}
        assert audit.verify(s).ok


def test_read_only_sessions_do_not_wait_for_the_writer(db):
    with db.session(write=True) as writer:
        writer.add(InboxItem(kind="notice", title="uncommitted"))
        writer.flush()  # the writer holds the write lock (SQLite) or the row (PostgreSQL)
        with db.session(write=False) as reader:
            assert reader.scalar(select(func.count()).select_from(InboxItem).where(
                InboxItem.title == "uncommitted")) == 0
        writer.rollback()


def _waiting_on_lock(db, pid: int) -> bool:
    with db.engine.connect() as c:
        return c.execute(text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :p"),
                         {"p": pid}).scalar() is True


def test_no_deadlock_between_the_audit_lock_and_row_locks(db):
    """PostgreSQL, step by step: A locks a row; B records an audit entry and then wants A's row; A records
    and commits. With the audit lock taken at `record`, B held it while waiting for A, and A waited for it:
    a deadlock. With the lock taken at commit, A commits, then B does."""
    if db.dialect != "postgresql":
        pytest.skip("row locks and advisory locks are PostgreSQL's")
    with db.session(write=True) as s:
        row = InboxItem(kind="notice", title="contended")
        s.add(row)
        s.commit()
        row_id = row.id
    b_pid, errors = [], []
    b_started = threading.Event()

    def b() -> None:
        try:
            with db.session(write=True) as s:
                b_pid.append(s.execute(text("SELECT pg_backend_pid()")).scalar())
                audit.record(s, ACTOR, "b", "inbox", row_id)
                s.flush()
                b_started.set()
                s.execute(update(InboxItem).where(InboxItem.id == row_id).values(body="b"))
                s.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            b_started.set()

    with db.session(write=True) as a:
        a.execute(update(InboxItem).where(InboxItem.id == row_id).values(body="a"))
        other = threading.Thread(target=b)
        other.start()
        b_started.wait(30)
        for _ in range(3000):  # until B is blocked on A's row (a condition, not a duration)
            if errors or _waiting_on_lock(db, b_pid[0]):
                break
        audit.record(a, ACTOR, "a", "inbox", row_id)
        a.commit()
    other.join(60)
    assert errors == []
    with db.session(write=True) as s:
        assert s.get(InboxItem, row_id).body == "b"
        assert [e.action for e in audit.history(s, "inbox", row_id)] == ["a", "b"]
        assert audit.verify(s).ok
