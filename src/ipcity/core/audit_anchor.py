"""Signed checkpoints of the audit chain's head, so that truncating, rewriting or re-linking the chain shows.

The hash chain (core/audit.py) alone proves nothing against someone who can write the database: they can
delete the newest entries, or rewrite entries and re-link everything after them. A checkpoint is the head's
sequence number and hash, signed with an Ed25519 key kept outside the database (`Settings.audit_key_file`).
Checkpoints are made in the committing transaction, automatically (every `audit_checkpoint_every` entries, and
on the first entry after `audit_checkpoint_minutes` without one) and on demand (`ipcity audit checkpoint`).
The newest checkpoint is also written to a file outside the database (`<data dir>/anchors/`), so deleting the
newest entries together with the newest checkpoints shows as well.

What stays undetectable: entries after the newest checkpoint can be deleted, and entries appended after it
can be forged, until the next checkpoint — a window of fewer than `audit_checkpoint_every` entries (a longer
unanchored tail is itself reported). Someone holding the key file can forge anything.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import keys
from ipcity.core.clock import now
from ipcity.core.config import Settings
from ipcity.core.tables import AuditCheckpoint

CONTEXT = b"ipcity/audit/checkpoint/v1\n"  # domain separation from every other signature of the installation
ANCHOR_FILE = "audit-checkpoint.json"
_file_lock = threading.Lock()


def key_path(settings: Settings) -> Path:
    return settings.audit_key_file or settings.data_dir / "keys" / "audit-ed25519.pem"


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    return keys.load_private_key(key_path(settings))


def message(cp: dict) -> bytes:
    body = {"id": cp["id"], "seq": cp["seq"], "entry_hash": cp["entry_hash"], "at": cp["at"]}
    return CONTEXT + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def as_dict(cp: AuditCheckpoint) -> dict:
    return {"id": cp.id, "seq": cp.seq, "entry_hash": cp.entry_hash, "at": cp.at, "signature": cp.signature,
            "key_id": cp.key_id}


def latest(session: Session) -> AuditCheckpoint | None:
    return session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1))


def due(settings: Settings, last: AuditCheckpoint | None, head_seq: int) -> bool:
    if last is None:
        return True
    if head_seq - last.seq >= max(1, settings.audit_checkpoint_every):
        return True
    return head_seq > last.seq and now() - datetime.fromisoformat(last.at) >= timedelta(
        minutes=settings.audit_checkpoint_minutes)


def make(session: Session, settings: Settings, head_seq: int, head_hash: str,
         last: AuditCheckpoint | None) -> AuditCheckpoint:
    """A signed checkpoint of the head, added to the session; the caller holds the audit lock."""
    key = signing_key(settings)
    values = {"id": (last.id + 1) if last else 1, "seq": head_seq, "entry_hash": head_hash,
              "at": now().isoformat(timespec="microseconds")}
    cp = AuditCheckpoint(**values, signature=key.sign(message(values)).hex(),
                         key_id=keys.public_raw(key).hex()[:16])
    session.add(cp)
    return cp


# --- the copy outside the database -------------------------------------------------------------------------

def anchor_dir(settings: Settings) -> Path:
    return settings.data_dir / "anchors"


def read_anchor(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"unreadable": str(path)}


def write_anchor(path: Path, record: dict, order: str) -> None:
    """Replace the file at `path` by `record` unless it already holds a newer one (compared on `order`)."""
    with _file_lock:
        current = read_anchor(path)
        if current and isinstance(current.get(order), int) and current[order] >= record[order]:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record, sort_keys=True))
        os.replace(tmp, path)  # atomic: a reader sees the old or the new anchor, never half of one


# --- checking -----------------------------------------------------------------------------------------------

class Checkpoints:
    """The stored checkpoints and what the chain walk must find at their sequence numbers."""

    def __init__(self, session: Session, settings: Settings | None):
        self.rows = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))
        self.settings = settings
        self.by_seq: dict[int, list[AuditCheckpoint]] = {}
        for cp in self.rows:
            self.by_seq.setdefault(cp.seq, []).append(cp)
        self.found: set[int] = set()
        self.public = keys.public_raw(signing_key(settings)) if settings is not None else None

    def problems(self, head_seq: int) -> list[str]:
        out: list[str] = []
        verifier = Ed25519PublicKey.from_public_bytes(self.public) if self.public else None
        expected_id, last_seq = 1, 0
        for cp in self.rows:
            if cp.id != expected_id:
                out.append(f"checkpoints {expected_id}–{cp.id - 1} are missing — deleted?")
            if cp.seq < last_seq:
                out.append(f"checkpoint {cp.id}: entry {cp.seq} is before the previous checkpoint's {last_seq}")
            expected_id, last_seq = cp.id + 1, max(last_seq, cp.seq)
            if verifier is not None:
                try:
                    verifier.verify(bytes.fromhex(cp.signature), message(as_dict(cp)))
                except (InvalidSignature, ValueError):
                    out.append(f"checkpoint {cp.id}: the signature does not verify with the installation's "
                               "audit key — forged or edited?")
            if cp.seq > head_seq:
                out.append(f"checkpoint {cp.id}: entry {cp.seq} was signed but the trail ends at {head_seq} — "
                           "newest entries deleted?")
        out += self._outside(head_seq)
        if self.rows and self.settings is not None:
            tail = head_seq - self.rows[-1].seq
            if tail >= max(1, self.settings.audit_checkpoint_every):
                out.append(f"{tail} entries after the last checkpoint ({self.rows[-1].seq}); one is signed at least "
                           f"every {self.settings.audit_checkpoint_every} — checkpoints deleted or entries forged?")
        return out

    def _outside(self, head_seq: int) -> list[str]:
        if self.settings is None:
            return []
        held = read_anchor(anchor_dir(self.settings) / ANCHOR_FILE)
        if held is None:
            return []
        if "unreadable" in held:
            return [f"the checkpoint kept outside the database cannot be read: {held['unreadable']}"]
        stored = next((cp for cp in self.rows if cp.id == held.get("id")), None)
        if stored is None or as_dict(stored) != held:
            return [f"checkpoint {held.get('id')} (entry {held.get('seq')}), kept outside the database, is "
                    "missing or different in the database — entries or checkpoints deleted or rewritten?"]
        return []

    def check_entry(self, seq: int, entry_hash: str) -> list[str]:
        """Called by the chain walk for every entry; notes the checkpointed ones it passes."""
        cps = self.by_seq.get(seq)
        if not cps:
            return []
        self.found.add(seq)
        return [f"entry {seq}: differs from what checkpoint {cp.id} signed — rewritten or re-linked?"
                for cp in cps if cp.entry_hash != entry_hash]

    def unseen(self, head_seq: int) -> list[str]:
        return [f"checkpoint {cp.id}: entry {cp.seq} is missing from the trail — deleted?"
                for seq, cps in self.by_seq.items() if seq not in self.found and seq <= head_seq for cp in cps]
