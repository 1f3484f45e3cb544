"""The audit trail: every create, change and state transition, hash-chained so edits are detectable.

Each entry's hash is sha256 over its canonical JSON and the previous entry's hash; `verify` walks the
chain and reports the first entry whose content, link or sequence number is wrong, and checks the signed
checkpoints that anchor the chain (core/audit_anchor.py) against it.

Concurrency: `record` only prepares the entry. Its place in the chain (seq, previous hash) is fixed when the
transaction commits, in `before_commit`, after the transaction's last flush: the chain lock is the last lock
a writing transaction takes, and after it the transaction only inserts its own new entries and commits. A
holder of the chain lock therefore never waits for another lock, so the chain lock is never part of a
deadlock cycle (PostgreSQL), whatever row locks the business work took before, in whatever order. On SQLite
writing transactions hold the write lock from BEGIN (core/db.py), so reading the head cannot go stale.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from ipcity.core import audit_anchor
from ipcity.core.clock import now
from ipcity.core.db import lock_for_append
from ipcity.core.roles import Actor
from ipcity.core.tables import AuditEntry

GENESIS = "0" * 64
LOCK = "ipcity.audit"
_PENDING = "ipcity.audit.pending"  # session.info: [(entry, the transaction it was recorded in)]
_ANCHOR = "ipcity.audit.anchor"  # session.info: the checkpoint to copy outside the database after commit


def _canonical(entry: AuditEntry) -> bytes:
    body = {
        "seq": entry.seq, "at": entry.at, "actor_id": entry.actor_id, "actor_name": entry.actor_name,
        "unit_id": entry.unit_id, "unit_name": entry.unit_name, "action": entry.action,
        "object_type": entry.object_type, "object_id": entry.object_id, "summary": entry.summary,
        "reason": entry.reason, "detail": entry.detail, "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def record(session: Session, actor: Actor, action: str, object_type: str, object_id, *,
           summary: str = "", reason: str = "", detail: dict | None = None) -> AuditEntry:
    """Add one entry to the caller's transaction: it commits or rolls back with the change itself.

    The entry gets its `seq` and hashes when the transaction commits (see the module's note)."""
    entry = AuditEntry(
        at=now().isoformat(timespec="microseconds"),
        actor_id=actor.user_id, actor_name=actor.display_name or actor.username,
        unit_id=actor.unit_id, unit_name=actor.unit_name,
        action=action, object_type=object_type, object_id=str(object_id),
        summary=summary, reason=reason,
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
    )
    tx = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((entry, tx))
    return entry


def pending(session: Session) -> list[AuditEntry]:
    """Entries recorded in this session's open transaction, not yet chained."""
    return [e for e, _ in session.info.get(_PENDING, ())]


@event.listens_for(Session, "before_commit")
def _chain(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its entries go on with the enclosing transaction
    entries = session.info.pop(_PENDING, None)
    if not entries:
        return
    session.flush()  # every row lock the work needs is taken now, before the chain lock
    lock_for_append(session, LOCK)
    last = session.execute(head_query()).first()
    seq, prev = (last.seq, last.hash) if last else (0, GENESIS)
    for entry, _ in entries:
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = entry_hash(entry)
        session.add(entry)
    settings = session.info.get("settings")
    if settings is not None:
        newest = audit_anchor.latest(session)
        if audit_anchor.due(settings, newest, seq):
            session.info[_ANCHOR] = (settings, audit_anchor.make(session, settings, seq, prev, newest))


@event.listens_for(Session, "after_commit")
def _copy_anchor(session: Session) -> None:
    made = session.info.pop(_ANCHOR, None)
    if made is not None:
        settings, cp = made
        path = audit_anchor.anchor_dir(settings) / audit_anchor.ANCHOR_FILE
        audit_anchor.write_anchor(path, audit_anchor.as_dict(cp), "id")


def _within(tx: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while tx is not None:
        if tx is ended:
            return True
        tx = tx.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    session.info.pop(_ANCHOR, None)
    entries = session.info.get(_PENDING)
    if entries:
        session.info[_PENDING] = [(e, tx) for e, tx in entries if not _within(tx, previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended (committed, rolled back or closed)
        session.info.pop(_PENDING, None)


def checkpoint(session: Session, settings) -> audit_anchor.AuditCheckpoint | None:
    """Sign a checkpoint of the current head now (`ipcity audit checkpoint`); None when the trail is empty.
    The checkpoint is written when the caller commits."""
    lock_for_append(session, LOCK)
    last = session.execute(head_query()).first()
    if last is None:
        return None
    newest = audit_anchor.latest(session)
    if newest is not None and newest.seq == last.seq:
        return newest
    cp = audit_anchor.make(session, settings, last.seq, last.hash, newest)
    session.info[_ANCHOR] = (settings, cp)
    return cp


@dataclass
class VerifyResult:
    checked: int
    problems: list[str]
    anchored: int = 0  # the newest entry a checkpoint signed; entries after it are not yet anchored
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_entries(entries: Iterable[AuditEntry], checkpoints: audit_anchor.Checkpoints | None = None
                   ) -> VerifyResult:
    problems: list[str] = []
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for e in entries:
        count += 1
        if e.seq != expected_seq:
            problems.append(f"entry {expected_seq}: missing (next entry found is {e.seq}) — deleted?")
            expected_seq = e.seq
        if e.prev_hash != expected_prev:
            problems.append(f"entry {e.seq}: link to previous entry broken")
        if entry_hash(e) != e.hash:
            problems.append(f"entry {e.seq}: content does not match its hash — edited?")
        if checkpoints is not None:
            problems += checkpoints.check_entry(e.seq, e.hash)
        expected_prev, expected_seq = e.hash, e.seq + 1
    return VerifyResult(count, problems)


def verify(session: Session) -> VerifyResult:
    """The chain, and the signed checkpoints (with the key and the anchor file of the session's settings)."""
    checkpoints = audit_anchor.Checkpoints(session, session.info.get("settings"))
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000))
    result = verify_entries(rows.scalars(), checkpoints)
    head = session.execute(head_query()).first()
    head_seq = head.seq if head else 0
    result.problems += checkpoints.unseen(head_seq) + checkpoints.problems(head_seq)
    if checkpoints.rows:
        result.anchored = checkpoints.rows[-1].seq
    if head_seq > result.anchored:
        result.notes.append(f"entries {result.anchored + 1}–{head_seq} are after the last checkpoint: until the next "
                            "one, deleting them would not show")
    return result


def head_query():
    return select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)


def history(session: Session, object_type: str, object_id) -> list[AuditEntry]:
    """The entries of one object, oldest first, with those this transaction recorded and has not committed."""
    stored = list(session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.seq)
    ))
    return stored + [e for e in pending(session) if e.object_type == object_type and e.object_id == str(object_id)]
