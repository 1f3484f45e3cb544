"""The audit trail: every create, change and state transition, hash-chained so edits are detectable.

Each entry's hash is sha256 over its canonical JSON and the previous entry's hash; `verify` walks the
chain and reports the first entry whose content, link or sequence number is wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core.clock import now
from ipcity.core.db import lock_for_append
from ipcity.core.roles import Actor
from ipcity.core.tables import AuditEntry

GENESIS = "0" * 64


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
    """Append one entry in the caller's transaction: it commits or rolls back with the change itself."""
    lock_for_append(session, "ipcity.audit")
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=now().isoformat(timespec="microseconds"),
        actor_id=actor.user_id, actor_name=actor.display_name or actor.username,
        unit_id=actor.unit_id, unit_name=actor.unit_name,
        action=action, object_type=object_type, object_id=str(object_id),
        summary=summary, reason=reason,
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass
class VerifyResult:
    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_entries(entries: Iterable[AuditEntry]) -> VerifyResult:
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
        expected_prev, expected_seq = e.hash, e.seq + 1
    return VerifyResult(count, problems)


def verify(session: Session) -> VerifyResult:
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000))
    return verify_entries(rows.scalars())


def head_query():
    return select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)


def history(session: Session, object_type: str, object_id) -> list[AuditEntry]:
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == object_type, AuditEntry.object_id == str(object_id))
        .order_by(AuditEntry.seq)
    ))
