"""The transparency log, stored: append entries, publish signed tree heads, serve proofs, check integrity.

The database holds every leaf (its canonical JSON and leaf hash), the signed tree heads, and one state row
with the current size and root. Appends lock that row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one
writer anyway), so concurrent appends queue up instead of claiming the same index.

The Merkle tree itself is kept in memory per database and rebuilt from the leaves when needed: it is only
a cache. Before each use it is brought to what the caller's transaction sees (truncated after a rolled-back
append, extended with leaves committed elsewhere) and its root is compared with the state row; on any
difference it is rebuilt from the stored leaves. `check` re-derives everything from the stored entries and
the signatures, which is how an edited row is found.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from ipcity.core import audit_anchor
from ipcity.core.clock import now
from ipcity.services.dataip import merkle, signing
from ipcity.services.dataip.tables import LogLeaf, LogState, TreeHead

ENTRY_VERSION = 1
LOAD_CHUNK = 50_000


def canonical(obj) -> bytes:
    """The one byte form of an entry: sorted keys, no spaces, UTF-8 (what is hashed and what is served)."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Appended:
    index: int
    leaf_hash: bytes
    entry: bytes


class _Cache:
    """One in-memory tree per database URL, guarded by a lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.trees: dict[str, merkle.MerkleTree] = {}


_cache = _Cache()


def _key(session: Session) -> str:
    return str(session.get_bind().url)


_READ_STATE = select(LogState.size, LogState.root_hash).where(LogState.id == 1)
_INSERT_LEAF = insert(LogLeaf.__table__)
_UPDATE_STATE = update(LogState.__table__).where(LogState.__table__.c.id == 1)
_INSERT_HEAD = insert(TreeHead.__table__)


def _state(session: Session, *, lock: bool = False) -> tuple[int, str]:
    """(size, root hex) of the log as this transaction sees it; prebuilt Core statements keep appends cheap."""
    row = session.execute(_READ_STATE.with_for_update() if lock else _READ_STATE).first()
    if row is None:
        session.execute(insert(LogState.__table__), {"id": 1, "size": 0, "root_hash": merkle.EMPTY_ROOT.hex()})
        return 0, merkle.EMPTY_ROOT.hex()
    return row.size, row.root_hash


def _load(session: Session, tree: merkle.MerkleTree, upto: int) -> None:
    while len(tree) < upto:
        # Through the connection, not the ORM: plain rows, without the ORM's per-row result processing.
        rows = session.connection().execute(select(LogLeaf.idx, LogLeaf.leaf_hash)
                                            .where(LogLeaf.idx >= len(tree), LogLeaf.idx < upto)
                                            .order_by(LogLeaf.idx).limit(LOAD_CHUNK)).all()
        if not rows:
            raise LogIntegrityError(f"the log state says {upto} leaves but leaf {len(tree)} is missing")
        for idx, h in rows:
            if idx != len(tree):
                raise LogIntegrityError(f"leaf {len(tree)} is missing from the log")
            tree.append_hash(bytes.fromhex(h))


class LogIntegrityError(RuntimeError):
    """The stored log contradicts itself (a missing leaf, a root that does not match)."""


def _synced_tree(session: Session, state: tuple[int, str]) -> merkle.MerkleTree:
    """The cached tree, made equal to the leaves the session sees; caller holds the cache lock."""
    size, root_hash = state
    key = _key(session)
    tree = _cache.trees.get(key)
    if tree is None:
        tree = _cache.trees[key] = merkle.MerkleTree()
    if len(tree) > size:
        tree.truncate(size)
    _load(session, tree, size)
    if tree.root().hex() != root_hash:
        tree = _cache.trees[key] = merkle.MerkleTree()  # another writer's history, or a rollback: start over
        _load(session, tree, size)
        if tree.root().hex() != root_hash:
            raise LogIntegrityError("the stored leaves do not give the root recorded in the log state")
    return tree


def forget_cache() -> None:
    """Drop the in-memory trees (tests that rewrite the database behind the log's back)."""
    with _cache.lock:
        _cache.trees.clear()


def append(session: Session, kind: str, subject: str, fields: dict) -> Appended:
    return append_many(session, [(kind, subject, fields)])[0]


def append_many(session: Session, items: list[tuple[str, str, dict]]) -> list[Appended]:
    """Append entries in the caller's transaction; each gets the next index. Not signed until `publish`."""
    at = now()
    stamp = at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    # The state row is locked before the in-process cache lock, never while holding it: a thread holding the
    # cache lock must not wait for a row lock whose owner may need the cache lock before it can commit.
    state = _state(session, lock=True)
    with _cache.lock:
        tree = _synced_tree(session, state)
        out, rows = [], []
        for kind, subject, fields in items:
            entry = canonical({**fields, "v": ENTRY_VERSION, "kind": kind, "subject": subject, "at": stamp})
            h = merkle.leaf_hash(entry)
            index = tree.append_hash(h)
            rows.append({"idx": index, "kind": kind, "subject": subject, "entry": entry.decode("utf-8"),
                         "leaf_hash": h.hex(), "appended_at": at})
            out.append(Appended(index, h, entry))
        try:
            session.execute(_INSERT_LEAF, rows)
            session.execute(_UPDATE_STATE, {"size": len(tree), "root_hash": tree.root().hex()})
        except Exception:
            tree.truncate(state[0])
            raise
    return out


def publish(session: Session, signer: signing.RegistrySigner) -> TreeHead:
    """Sign the log as it stands in this transaction (RFC 6962 §3.5); returns the existing head if current."""
    size, root_hash = _state(session, lock=True)  # heads of one size are signed one at a time
    existing = session.execute(select(TreeHead).where(TreeHead.size == size)).scalar()
    if existing is not None:
        return existing
    ts = int(now().timestamp() * 1000)
    sig = signer.sign(signing.tree_head_message(size, ts, bytes.fromhex(root_hash)))
    values = {"size": size, "root_hash": root_hash, "timestamp_ms": ts, "signature": sig.hex(),
              "key_id": signer.key_id}
    session.execute(_INSERT_HEAD, values)
    directory = _anchor_dir(session)
    if directory is not None:
        session.info.setdefault(_ANCHOR, {})[directory] = values
    return TreeHead(**values)  # not attached: the row is written; this is its value


# --- the newest signed head, kept outside the database ----------------------------------------------------
# Truncating the log's tail, deleting the heads that cover it and rewriting the state row leaves a database
# that agrees with itself; the copy of the newest head in the data directory does not.

ANCHOR_FILE = "dataip-log-head.json"
_ANCHOR = "ipcity.dataip.tlog.anchor"


def _anchor_dir(session: Session) -> Path | None:
    settings = session.info.get("settings")
    return audit_anchor.anchor_dir(settings) if settings is not None else None


@event.listens_for(Session, "after_commit")
def _copy_head(session: Session) -> None:
    for directory, values in session.info.pop(_ANCHOR, {}).items():
        audit_anchor.write_anchor(directory / ANCHOR_FILE, values, "size")


@event.listens_for(Session, "after_soft_rollback")
def _forget_head(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_ANCHOR, None)


def anchor_problems(session: Session, public_raw: bytes, directory: Path | None) -> list[str]:
    """Where the log disagrees with the newest signed head kept outside the database (empty: agrees)."""
    held = audit_anchor.read_anchor(directory / ANCHOR_FILE) if directory is not None else None
    if held is None:
        return []
    if "unreadable" in held:
        return [f"the signed head kept outside the database cannot be read: {held['unreadable']}"]
    try:
        verify_head({"tree_size": held["size"], "timestamp": held["timestamp_ms"], "root_hash": held["root_hash"],
                     "signature": held["signature"]}, public_raw)
    except (KeyError, TypeError, ValueError) as exc:  # signing.SignatureError is a ValueError
        return [f"the signed head kept outside the database is not valid: {exc}"]
    stored = session.get(TreeHead, held["size"])
    if stored is None or stored.root_hash != held["root_hash"]:
        return [f"the signed head of size {held['size']} kept outside the database is missing or different in "
                "the database: the log was truncated or rewritten"]
    return []


def latest_head(session: Session) -> TreeHead | None:
    return session.scalar(select(TreeHead).order_by(TreeHead.size.desc()).limit(1))


def size(session: Session) -> int:
    return _state(session)[0]


def inclusion_proof(session: Session, index: int, tree_size: int) -> list[bytes]:
    with _cache.lock:
        tree = _synced_tree(session, _state(session))
        return tree.inclusion_proof(index, tree_size)


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    with _cache.lock:
        tree = _synced_tree(session, _state(session))
        return tree.consistency_proof(first, second)


def leaf(session: Session, index: int) -> LogLeaf | None:
    return session.get(LogLeaf, index)


def entries(session: Session, start: int, end: int) -> list[LogLeaf]:
    return list(session.scalars(select(LogLeaf).where(LogLeaf.idx >= start, LogLeaf.idx < end)
                                .order_by(LogLeaf.idx)))


def head_json(head: TreeHead, public_raw: bytes | None = None) -> dict:
    out = {"tree_size": head.size, "root_hash": head.root_hash, "timestamp": head.timestamp_ms,
           "signature": head.signature, "key_id": head.key_id,
           "time": datetime.fromtimestamp(head.timestamp_ms / 1000, UTC).isoformat(timespec="seconds")}
    if public_raw is not None:
        out["public_key"] = public_raw.hex()
    return out


def verify_head(head: dict, public_raw: bytes) -> None:
    """Raise signing.SignatureError unless `head` (as head_json gives it) is signed by `public_raw`."""
    message = signing.tree_head_message(int(head["tree_size"]), int(head["timestamp"]),
                                        bytes.fromhex(head["root_hash"]))
    signing.verify(public_raw, bytes.fromhex(head["signature"]), message, "tree head")


def check(session: Session, public_raw: bytes, anchor_dir: Path | None = None) -> list[str]:
    """Re-derive the whole log from its stored entries; every contradiction found, in words (empty: intact).

    Finds an edited entry (its hash no longer matches), an edited or deleted leaf hash (the roots of the
    signed heads no longer match), a rewritten state row, and a forged or edited tree head.
    """
    problems: list[str] = []
    tree = merkle.MerkleTree()
    last = -1
    for row in session.execute(select(LogLeaf.idx, LogLeaf.entry, LogLeaf.leaf_hash).order_by(LogLeaf.idx))\
            .yield_per(LOAD_CHUNK):
        idx, entry, stored = row
        if idx != last + 1:
            problems.append(f"leaves {last + 1}–{idx - 1} are missing")
        last = idx
        actual = merkle.leaf_hash(entry.encode("utf-8"))
        if actual.hex() != stored:
            problems.append(f"leaf {idx}: its entry does not hash to its stored leaf hash (the entry was edited)")
        while len(tree) < idx:  # keep later positions right even after a gap
            tree.append_hash(b"\0" * 32)
        tree.append_hash(actual)
    state_size, state_root = _state(session)
    if state_size != len(tree):
        problems.append(f"the log state says {state_size} leaves; {len(tree)} are stored")
    elif tree.root().hex() != state_root:
        problems.append("the log state's root does not match the stored entries")
    for head in session.scalars(select(TreeHead).order_by(TreeHead.size)):
        if head.size > len(tree):
            problems.append(f"signed head of size {head.size}: the log has only {len(tree)} leaves")
            continue
        if tree.root(head.size).hex() != head.root_hash:
            problems.append(f"signed head of size {head.size}: the stored entries give another root")
        try:
            verify_head(head_json(head), public_raw)
        except signing.SignatureError as exc:
            problems.append(f"signed head of size {head.size}: {exc}")
    return problems + anchor_problems(session, public_raw, anchor_dir)
