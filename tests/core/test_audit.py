"""The hash-chained audit trail detects edited and deleted entries."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from typer.testing import CliRunner

from ipcity.core import audit
from ipcity.core.roles import Actor
from ipcity.core.tables import AuditEntry


def _fill(session, n=5):
    actor = Actor(1, "alice", "Alice", "handler", None, "")
    for i in range(n):
        audit.record(session, actor, "thing.change", "thing", i, summary=f"变更 {i}", reason="因为", detail={"i": i})
    session.commit()


def test_chain_verifies_and_links(session):
    _fill(session)
    result = audit.verify(session)
    assert result.ok, result.problems
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    for prev, cur in zip(entries, entries[1:], strict=False):
        assert cur.prev_hash == prev.hash
        assert cur.seq == prev.seq + 1
    assert entries[-1].summary == "变更 4"


def test_an_edited_entry_is_detected(session):
    _fill(session)
    seq = session.scalar(select(func.max(AuditEntry.seq))) - 2
    session.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(reason="篡改"))
    session.commit()
    result = audit.verify(session)
    assert not result.ok
    assert any(f"entry {seq}" in p and "edited" in p for p in result.problems)


def test_a_deleted_entry_is_detected(session):
    _fill(session)
    seq = session.scalar(select(func.max(AuditEntry.seq))) - 1
    session.execute(delete(AuditEntry).where(AuditEntry.seq == seq))
    session.commit()
    result = audit.verify(session)
    assert not result.ok
    assert any("missing" in p for p in result.problems)


def test_rollback_leaves_no_entry(session):
    before = session.scalar(select(func.count()).select_from(AuditEntry))
    audit.record(session, Actor.system(), "x", "y", 1)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_cli_verify_exit_codes(session, settings, monkeypatch):
    from ipcity.cli import app

    monkeypatch.setenv("IPCITY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IPCITY_DATA_DIR", str(settings.data_dir))
    _fill(session)
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "chain intact" in ok.output
    session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor_name="Mallory"))
    session.commit()
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "entry 2" in bad.output
