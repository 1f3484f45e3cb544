"""tlog.append on the transaction's DB-API connection (SQLite and PostgreSQL): the rows are the ones SQLAlchemy
would write, the caller's transaction (and savepoint) owns them, pending rows are flushed first, a database
error is SQLAlchemy's exception as before, and a database without the state row gets one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, insert, select, text
from sqlalchemy.exc import IntegrityError

from ipcity.core.tables import InboxItem
from ipcity.services.dataip import merkle, signing, tlog
from ipcity.services.dataip.tables import LogLeaf, LogState

AT = datetime(2026, 3, 4, 5, 6, 7, 89_000, tzinfo=UTC)  # with microseconds: the stored text keeps them


@pytest.fixture
def signer(tmp_path):
    return signing.load_signer(tmp_path / "keys" / "k.pem")


def test_an_append_stores_the_row_sqlalchemy_would_store(db, monkeypatch):
    monkeypatch.setattr(tlog, "now", lambda: AT)
    with db.session(write=True) as s:
        appended = tlog.append(s, "registration", "SHDA2026", {"name": "数据集", "n": 1})
        # A reference row written through SQLAlchemy with the same values (rolled back below).
        s.execute(insert(LogLeaf.__table__), {"idx": 10_000, "kind": "registration", "subject": "SHDA2026",
                                              "entry": appended.entry.decode(), "leaf_hash": appended.leaf_hash.hex(),
                                              "appended_at": AT})
        raw = dict(s.execute(text("SELECT idx, appended_at FROM dataip_log_leaf WHERE idx IN (0, 10000)")).all())
        assert raw[0] == raw[10_000]  # byte for byte on SQLite (its text form), the same instant on PostgreSQL
        stored, reference = s.get(LogLeaf, 0), s.get(LogLeaf, 10_000)
        assert stored.appended_at == reference.appended_at
        assert (stored.kind, stored.subject, stored.entry, stored.leaf_hash) == \
            ("registration", "SHDA2026", appended.entry.decode(), appended.leaf_hash.hex())
        assert merkle.leaf_hash(stored.entry.encode()) == appended.leaf_hash
        assert appended.timestamp_ms == int(AT.replace(microsecond=0).timestamp()) * 1000
        s.rollback()


def test_an_append_belongs_to_the_callers_transaction_and_savepoint(db, signer):
    with db.session(write=True) as s:
        first = tlog.append(s, "filing", "A", {"n": 0})
        with db.session() as other:  # another connection: nothing is committed by append
            assert tlog.size(other) == 0 and other.get(LogLeaf, 0) is None
        savepoint = s.begin_nested()
        tlog.append_many(s, [("filing", "B", {"n": 1}), ("filing", "C", {"n": 2})])
        assert tlog.size(s) == 3
        savepoint.rollback()  # the savepoint's leaves and its claim go; the first append stays
        again = tlog.append(s, "filing", "D", {"n": 3})
        s.commit()
    assert (first.index, again.index) == (0, 1)
    with db.session(write=True) as s:
        assert [leaf.subject for leaf in tlog.entries(s, 0, 5)] == ["A", "D"]
        tlog.publish(s, signer)
        s.commit()
        assert tlog.check(s, signer.public_raw) == []


def test_pending_rows_are_written_before_the_log_is_claimed(db):
    # As session.execute would autoflush: the caller's row locks come before the log's (the lock order that
    # service._log and core/test_concurrent_writes rely on), not at commit after it.
    with db.session(write=True) as s:
        item = InboxItem(kind="notice", title="before the log")
        s.add(item)
        tlog.append(s, "filing", "A", {"n": 0})
        assert item not in s.new and item.id is not None
        s.commit()
    with db.session(write=True) as s:
        with s.no_autoflush:  # and a caller that turned autoflush off keeps its rows pending
            late = InboxItem(kind="notice", title="after")
            s.add(late)
            tlog.append(s, "filing", "B", {"n": 1})
            assert late in s.new
        s.commit()
        assert tlog.size(s) == 2


def test_a_database_without_the_state_row_gets_one_at_the_first_append(db, signer):
    with db.session(write=True) as s:
        s.execute(delete(LogState))
        s.commit()
    with db.session(write=True) as s:
        alone = tlog.append(s, "filing", "A", {"n": 0})  # one entry: one statement on PostgreSQL
        s.rollback()
    with db.session(write=True) as s:
        assert s.scalar(select(LogState.size)) is None  # the rollback took the new state row too
        appended = tlog.append_many(s, [("filing", "B", {"n": 1}), ("filing", "C", {"n": 2})])  # several
        s.commit()
    assert alone.index == 0 and [a.index for a in appended] == [0, 1]
    with db.session(write=True) as s:
        assert s.scalar(select(LogState.size).where(LogState.id == 1)) == 2
        assert tlog.append(s, "filing", "D", {"n": 3}).index == 2
        tlog.publish(s, signer)
        s.commit()
        assert tlog.check(s, signer.public_raw) == []


@pytest.mark.parametrize("count", [1, 3])  # one entry (one statement on PostgreSQL) and several
def test_a_database_error_is_raised_as_sqlalchemys_and_stores_nothing(db, count):
    with db.session(write=True) as s:
        tlog.append(s, "filing", "A", {"n": 0})
        # A row at the next index behind the log's back: the append's INSERT collides with it.
        s.execute(insert(LogLeaf.__table__), {"idx": count, "kind": "x", "subject": "x", "entry": "{}",
                                              "leaf_hash": "0" * 64, "appended_at": AT})
        s.commit()
    with db.session(write=True) as s:
        with pytest.raises(IntegrityError):
            tlog.append_many(s, [("filing", f"B{i}", {"n": i}) for i in range(count)])
        s.rollback()
        assert tlog.size(s) == 1 and [leaf.subject for leaf in tlog.entries(s, 0, 5)] == ["A", "x"]  # no B
