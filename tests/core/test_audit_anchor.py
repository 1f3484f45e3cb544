"""Signed checkpoints anchor the audit chain (issue 14, finding 9): every kind of edit before the newest
checkpoint is detected, including the ones the hash chain alone let through (deleting the newest entries,
re-linking a rewritten chain, forging appended entries)."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from ipcity.core import audit, audit_anchor
from ipcity.core.roles import Actor
from ipcity.core.tables import AuditCheckpoint, AuditEntry

ACTOR = Actor(1, "alice", "Alice", "handler", None, "")


@pytest.fixture
def trail(db):
    """25 entries, one per transaction (checkpoints made on the way), a checkpoint on demand, then 2 more."""
    for i in range(25):
        with db.session() as s:
            audit.record(s, ACTOR, "thing.change", "thing", i, summary=f"变更 {i}", detail={"i": i})
            s.commit()
    with db.session() as s:
        audit.checkpoint(s, s.info["settings"])
        s.commit()
    for i in range(2):
        with db.session() as s:
            audit.record(s, ACTOR, "thing.change", "thing", 100 + i)
            s.commit()
    with db.session() as s:
        result = audit.verify(s)
        assert result.ok, result.problems
        assert result.anchored == _max(s) - 2 and "after the last checkpoint" in result.notes[0]
    return db


def _max(s) -> int:
    return s.scalar(select(func.max(AuditEntry.seq)))


def _anchored(s) -> int:
    return s.scalar(select(func.max(AuditCheckpoint.seq)))


def _relink(s, start: int) -> None:
    """What an attacker with the database does after changing entry `start`: recompute every later link."""
    prev = s.scalar(select(AuditEntry.hash).where(AuditEntry.seq == start - 1)) or audit.GENESIS
    for e in s.scalars(select(AuditEntry).where(AuditEntry.seq >= start).order_by(AuditEntry.seq)):
        e.prev_hash = prev
        e.hash = prev = audit.entry_hash(e)
    s.flush()


def _forge(s, seq: int, prev: str) -> AuditEntry:
    e = AuditEntry(seq=seq, at="2026-01-01T00:00:00+08:00", actor_id=1, actor_name="Alice", unit_id=None,
                   unit_name="", action="user.status", object_type="user", object_id="1", summary="admin",
                   reason="", detail="{}", prev_hash=prev)
    e.hash = audit.entry_hash(e)
    s.add(e)
    s.flush()
    return e


def edit_content(s):
    s.execute(update(AuditEntry).where(AuditEntry.seq == _anchored(s) - 3).values(reason="篡改"))


def delete_middle(s):
    s.execute(delete(AuditEntry).where(AuditEntry.seq == _anchored(s) - 5))


def delete_newest_past_checkpoint(s):
    s.execute(delete(AuditEntry).where(AuditEntry.seq >= _anchored(s) - 1))


def delete_newest_and_their_checkpoints(s):
    cut = _anchored(s) - 4
    s.execute(delete(AuditEntry).where(AuditEntry.seq > cut))
    s.execute(delete(AuditCheckpoint).where(AuditCheckpoint.seq > cut))


def rewrite_and_relink(s):
    seq = _anchored(s) - 6
    s.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(actor_name="Mallory"))
    _relink(s, seq)


def forge_into_the_middle_and_relink(s):
    seq = _anchored(s) - 2
    s.execute(update(AuditEntry).where(AuditEntry.seq >= seq).values(seq=AuditEntry.seq + 1000))
    s.execute(update(AuditEntry).where(AuditEntry.seq >= seq + 1000).values(seq=AuditEntry.seq - 999))
    _forge(s, seq, s.scalar(select(AuditEntry.hash).where(AuditEntry.seq == seq - 1)))
    _relink(s, seq)


def forge_appended_entries(s):
    last = s.execute(audit.head_query()).first()
    seq, prev = last.seq, last.hash
    for _ in range(s.info["settings"].audit_checkpoint_every):
        seq += 1
        prev = _forge(s, seq, prev).hash


def edit_a_checkpoint(s):
    cp = s.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    cp.entry_hash = "0" * 64


def delete_a_middle_checkpoint(s):
    s.execute(delete(AuditCheckpoint).where(AuditCheckpoint.id == 2))


def delete_every_checkpoint(s):
    s.execute(delete(AuditCheckpoint))


def checkpoint_signed_with_another_key(s):
    """Rewrite, re-link, and re-sign the newest checkpoint with a key of the attacker's."""
    rewrite_and_relink(s)
    cp = s.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))
    cp.entry_hash = s.scalar(select(AuditEntry.hash).where(AuditEntry.seq == cp.seq))
    cp.signature = Ed25519PrivateKey.generate().sign(audit_anchor.message(audit_anchor.as_dict(cp))).hex()


EDITS = [edit_content, delete_middle, delete_newest_past_checkpoint, delete_newest_and_their_checkpoints,
         rewrite_and_relink, forge_into_the_middle_and_relink, forge_appended_entries, edit_a_checkpoint,
         delete_a_middle_checkpoint, delete_every_checkpoint, checkpoint_signed_with_another_key]


@pytest.mark.parametrize("edit", EDITS, ids=[e.__name__ for e in EDITS])
def test_every_edit_before_the_last_checkpoint_is_detected(trail, edit):
    with trail.session() as s:
        edit(s)
        s.commit()
    with trail.session() as s:
        result = audit.verify(s)
    assert not result.ok, f"{edit.__name__} went unnoticed"


def test_the_unanchored_tail_is_the_known_window(trail):
    """Said plainly, not hidden: the entries after the newest checkpoint can be deleted unseen until the next
    checkpoint, which comes within `audit_checkpoint_every` entries."""
    with trail.session() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq > _anchored(s)))
        s.commit()
    with trail.session() as s:
        assert audit.verify(s).ok


def test_checkpoints_come_every_n_entries_and_are_copied_outside_the_database(trail, settings):
    with trail.session() as s:
        cps = list(s.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))
        gaps = [b.seq - a.seq for a, b in zip(cps, cps[1:], strict=False)]
        assert all(g <= settings.audit_checkpoint_every for g in gaps)
        held = json.loads((settings.data_dir / "anchors" / audit_anchor.ANCHOR_FILE).read_text())
        assert held == audit_anchor.as_dict(cps[-1])
        assert (settings.data_dir / "keys" / "audit-ed25519.pem").stat().st_mode & 0o777 == 0o600


def test_a_rolled_back_savepoint_leaves_no_entry(db):
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
        audit.record(s, ACTOR, "kept", "thing", 1)
        nested = s.begin_nested()
        audit.record(s, ACTOR, "dropped", "thing", 1)
        nested.rollback()
        assert [e.action for e in audit.history(s, "thing", 1)] == ["kept"]  # pending entries are visible
        s.commit()
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before + 1


def test_cli_checkpoint_and_verify(trail, settings, monkeypatch):
    from ipcity.cli import app

    monkeypatch.setenv("IPCITY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IPCITY_DATA_DIR", str(settings.data_dir))
    runner = CliRunner()
    made = runner.invoke(app, ["audit", "checkpoint"])
    assert made.exit_code == 0 and "checkpoint" in made.output, made.output
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "chain intact" in ok.output, ok.output
    with trail.session() as s:
        s.execute(delete(AuditEntry).where(AuditEntry.seq == _max(s)))  # now anchored: deleting it shows
        s.commit()
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and "deleted" in bad.output, bad.output
