"""The transparency log, stored: append entries, sign tree heads over them, serve proofs, check integrity.

The database holds every leaf (its canonical JSON and leaf hash), the signed tree heads, and one state row.
Appending is cheap and happens in the caller's transaction: one `UPDATE … SET size = size + k RETURNING size`
claims the next indexes (the row lock makes concurrent appenders queue, so indexes are dense and commit in
order) and one INSERT stores the leaves; no Merkle node is computed and nothing is signed. The caller gets the
index and leaf hash at once, and `promise.py` turns them into a signed inclusion promise. Those two statements
run on the session's own DB-API connection, in its transaction (through session.execute, SQLAlchemy's work per
statement was most of an event's time: bench/tlog.py); the session still begins, owns and commits it.

`publish` integrates: it extends the tree over the leaves appended since the newest signed head and signs a new
head. It runs in a step's own transaction (inline mode) or in the log signer (sequencer.py) on a timer. The
state row's `root_hash` is the root of the newest signed head and is the signers' compare-and-set token: a
signer writes its head only if the token is still the one it read, so of two racing signers one wins and the
other signs nothing (no fork, no head twice), on SQLite and PostgreSQL alike.

The Merkle tree itself is kept in memory per database and rebuilt from the leaves when needed: it is only
a cache. Before each use it is cut back to the newest signed head the caller's transaction sees (dropping the
leaves of a rolled-back transaction) and its root there is compared with the head's; on any difference it is
rebuilt from the stored leaves. `check` re-derives everything from the stored entries and the signatures,
which is how an edited row is found.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
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
    timestamp_ms: int  # the entry's own "at", in milliseconds: what its inclusion promise states


class _Cache:
    """One in-memory tree per database URL, guarded by a lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.trees: dict[str, merkle.MerkleTree] = {}


_cache = _Cache()


def _key(session: Session) -> str:
    return str(session.get_bind().url)


_STATE = LogState.__table__
_READ_STATE = select(LogState.size, LogState.root_hash).where(LogState.id == 1)
# The signers' compare-and-set: only the signer that read the current token writes its head.
_ADVANCE = update(_STATE).where(_STATE.c.id == 1, _STATE.c.root_hash == bindparam("token"))\
    .values(root_hash=bindparam("root"))
_LATEST_HEAD = select(TreeHead.size, TreeHead.root_hash, TreeHead.timestamp_ms)\
    .order_by(TreeHead.size.desc()).limit(1)


def _state(session: Session) -> tuple[int, str]:
    """(leaves appended, root of the newest signed head) as this transaction sees them."""
    row = session.execute(_READ_STATE).first()
    if row is None:  # the migration creates the row; a database built otherwise gets it here
        session.execute(insert(_STATE), {"id": 1, "size": 0, "root_hash": merkle.EMPTY_ROOT.hex()})
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


def _signed(session: Session) -> tuple[int, str, int]:
    """(size, root hex, timestamp ms) of the newest signed head this transaction sees; the empty tree if none."""
    row = session.execute(_LATEST_HEAD).first()
    return (row.size, row.root_hash, row.timestamp_ms) if row else (0, merkle.EMPTY_ROOT.hex(), 0)


def _synced_tree(session: Session, upto: int) -> merkle.MerkleTree:
    """The cached tree, checked against the newest signed head and holding the first `upto` leaves (at least
    the head's); the caller holds the cache lock."""
    size, root_hash, _ = _signed(session)
    key = _key(session)
    tree = _cache.trees.get(key)
    if tree is None:
        tree = _cache.trees[key] = merkle.MerkleTree()
    if len(tree) > size:
        tree.truncate(size)  # leaves past the head may be a rolled-back transaction's: read them again
    _load(session, tree, size)
    if tree.root().hex() != root_hash:
        tree = _cache.trees[key] = merkle.MerkleTree()  # another writer's history, or a rollback: start over
        _load(session, tree, size)
        if tree.root().hex() != root_hash:
            raise LogIntegrityError("the stored leaves do not give the root of the newest signed tree head")
    _load(session, tree, upto)
    return tree


def forget_cache() -> None:
    """Drop the in-memory trees (tests that rewrite the database behind the log's back)."""
    with _cache.lock:
        _cache.trees.clear()


def append(session: Session, kind: str, subject: str, fields: dict) -> Appended:
    return append_many(session, [(kind, subject, fields)])[0]


def append_many(session: Session, items: list[tuple[str, str, dict]]) -> list[Appended]:
    """Append entries in the caller's transaction; each gets the next index. Two statements whatever the count (one
    on PostgreSQL for one entry), on the session's DB-API connection; nothing committed. Included under a signed
    head by the next `publish` (sequencer.py), never here."""
    if not items:
        return []
    at = now()
    stamp = at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    timestamp_ms = int(at.timestamp()) * 1000  # the stamp's second: the promise states what the entry says
    entries = [canonical({**fields, "v": ENTRY_VERSION, "kind": kind, "subject": subject, "at": stamp})
               for kind, subject, fields in items]
    hashes = [merkle.leaf_hash(e) for e in entries]
    if session.autoflush:
        session.flush()  # as session.execute would: the caller's pending rows are written (and locked) first
    connection = session.connection()  # the caller's transaction, begun here if it was not
    sql = _driver_sql(connection.dialect)
    stamped = sql.appended_at(at)
    rows = [(kind, subject, e.decode("utf-8"), h.hex(), stamped)
            for (kind, subject, _), e, h in zip(items, entries, hashes, strict=True)]
    driver_error = connection.dialect.loaded_dbapi.Error
    cursor = connection.connection.driver_connection.cursor()
    try:
        if len(rows) == 1 and sql.claim_insert is not None:
            first = _claim_insert(session, cursor, sql, rows[0])
        else:
            first = _claim(session, cursor, sql, len(rows))
            cursor.executemany(sql.insert, [(first + i, *row) for i, row in enumerate(rows)])
    except driver_error as exc:  # raised as session.execute raises it (sqlalchemy.exc.IntegrityError, …)
        raise DBAPIError.instance(None, None, exc, driver_error, hide_parameters=True,
                                  dialect=connection.dialect) from exc
    finally:
        cursor.close()
    return [Appended(first + i, h, e, timestamp_ms) for i, (e, h) in enumerate(zip(entries, hashes, strict=True))]


@dataclass(frozen=True)
class _DriverSQL:
    """append_many's statements in the driver's own parameter style, and how it stores `appended_at`."""
    claim: str
    insert: str
    claim_insert: str | None  # both in one statement for one entry (PostgreSQL: one round trip fewer)
    appended_at: Callable[[datetime], object]


_driver_sqls: dict[tuple[str, str], _DriverSQL] = {}
_COLUMNS = ("idx", "kind", "subject", "entry", "leaf_hash", "appended_at")


def _driver_sql(dialect) -> _DriverSQL:
    sql = _driver_sqls.get((dialect.name, dialect.driver))
    if sql is None:
        mark = "?" if dialect.paramstyle == "qmark" else "%s"  # sqlite3: qmark; psycopg: format
        claim = f"UPDATE {_STATE.name} SET size = size + {{k}} WHERE id = 1 RETURNING size"
        into = f"INSERT INTO {LogLeaf.__tablename__} ({', '.join(_COLUMNS)})"
        # SQLite has no UPDATE in a WITH clause, and its statements cost no round trip.
        claim_insert = None if dialect.name == "sqlite" else (
            f"WITH claimed AS ({claim.format(k=1)}) "
            f"{into} SELECT size - 1, {', '.join([mark] * (len(_COLUMNS) - 1))} FROM claimed RETURNING idx")
        claim = claim.format(k=mark)
        # The value SQLAlchemy itself would bind (SQLite: its text form), so rows read back exactly as before.
        process = LogLeaf.__table__.c.appended_at.type.dialect_impl(dialect).bind_processor(dialect)
        sql = _driver_sqls[(dialect.name, dialect.driver)] = _DriverSQL(
            claim=claim, insert=f"{into} VALUES ({', '.join([mark] * len(_COLUMNS))})", claim_insert=claim_insert,
            appended_at=process or (lambda value: value))
    return sql


def _claim(session: Session, cursor, sql: _DriverSQL, k: int) -> int:
    """The first of the k indexes claimed (the state row stays locked until the transaction ends)."""
    cursor.execute(sql.claim, (k,))
    row = cursor.fetchone()
    if row is None:  # no state row yet: make it, then claim
        _state(session)
        cursor.execute(sql.claim, (k,))
        row = cursor.fetchone()
    cursor.fetchall()  # step the statement to its end (SQLite): the UPDATE is complete, the cursor reusable
    return row[0] - k


def _claim_insert(session: Session, cursor, sql: _DriverSQL, row: tuple) -> int:
    """One entry's index claimed and its leaf stored by one statement; the index."""
    cursor.execute(sql.claim_insert, row)
    stored = cursor.fetchone()
    if stored is None:  # no state row yet, so nothing claimed or stored: make it, then again
        _state(session)
        cursor.execute(sql.claim_insert, row)
        stored = cursor.fetchone()
    return stored[0]


def _insert_head(session: Session, values: dict) -> bool:
    """Insert a head unless one of its size exists (a size is signed once); whether it was inserted."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}.get(session.get_bind().dialect.name)
    table = TreeHead.__table__
    if dialect is None:
        session.execute(insert(table), values)
        return True
    # RETURNING, not rowcount: psycopg reports no row count for this statement.
    stmt = dialect.insert(table).values(values).on_conflict_do_nothing(index_elements=["size"])\
        .returning(table.c.size)
    return session.execute(stmt).scalar() is not None


def publish(session: Session, signer: signing.RegistrySigner) -> TreeHead:
    """Integrate every leaf this transaction sees and sign a head over them (RFC 6962 §3.5); the newest head
    when nothing is new, or when another signer advanced the log first (its head, which the caller's next
    round extends)."""
    return integrate(session, signer)[0]


def integrate(session: Session, signer: signing.RegistrySigner) -> tuple[TreeHead, bool]:
    """`publish`, and whether this call wrote the head it returns."""
    prepared = prepare_head(session, signer)
    if isinstance(prepared, TreeHead):
        return prepared, False
    return write_head(session, prepared)


@dataclass(frozen=True)
class PreparedHead:
    """A head signed over the leaves one transaction saw, and the state token it must still find to be written."""

    values: dict
    token: str


def prepare_head(session: Session, signer: signing.RegistrySigner) -> PreparedHead | TreeHead:
    """Sign a head over every leaf this transaction sees, without writing: the newest head instead when nothing
    is new. The log signer does this in a read transaction, so appenders do not wait while the tree is synced
    and the head signed; `write_head` then takes the write lock only for the compare-and-set."""
    # The head before the state: a head is committed with its state row, so on PostgreSQL (a snapshot per
    # statement) the state read second is never behind the head read first.
    head_size, _, head_ms = _signed(session)
    size, token = _state(session)
    if size == head_size:
        existing = latest_head(session)
        if existing is not None:
            return existing
    if size < head_size:
        raise LogIntegrityError(f"the log state says {size} leaves but a head of size {head_size} is signed")
    with _cache.lock:
        tree = _synced_tree(session, size)
        root_hash = tree.root(size).hex()
    ts = max(int(now().timestamp() * 1000), head_ms)  # heads never go back in time
    sig = signer.sign(signing.tree_head_message(size, ts, bytes.fromhex(root_hash)))
    return PreparedHead({"size": size, "root_hash": root_hash, "timestamp_ms": ts, "signature": sig.hex(),
                         "key_id": signer.key_id}, token)


def write_head(session: Session, prepared: PreparedHead) -> tuple[TreeHead, bool]:
    """Write a prepared head if no other head was signed since its leaves were read (the state's token is the
    newest head's root): leaves appended meanwhile do not matter, the head covers a prefix of the log, and a
    later round covers them. (the head written, or the newest head, and whether this call wrote it)"""
    values = prepared.values
    if session.execute(_ADVANCE, {"token": prepared.token, "root": values["root_hash"]}).rowcount != 1:
        return latest_head(session), False  # another signer won this round
    if not _insert_head(session, values):
        return latest_head(session), False  # the same size was signed by a signer that read a newer token first
    directory = _anchor_dir(session)
    if directory is not None:
        session.info.setdefault(_ANCHOR, {})[directory] = values
    return TreeHead(**values), True  # not attached: the row is written; this is its value


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
    """Leaves appended (signed or not): the next index."""
    return _state(session)[0]


def signed_size(session: Session) -> int:
    """Leaves under the newest signed head; those from here to `size` are promised and not yet included."""
    return _signed(session)[0]


def inclusion_proof(session: Session, index: int, tree_size: int) -> list[bytes]:
    with _cache.lock:
        tree = _synced_tree(session, min(tree_size, size(session)))
        return tree.inclusion_proof(index, tree_size)


def consistency_proof(session: Session, first: int, second: int) -> list[bytes]:
    with _cache.lock:
        tree = _synced_tree(session, min(second, size(session)))
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
    head_size = _signed(session)[0]
    if state_size != len(tree):
        problems.append(f"the log state says {state_size} leaves; {len(tree)} are stored")
    elif head_size <= len(tree) and state_root not in (tree.root(head_size).hex(), tree.root().hex()):
        # The root of the newest signed head (a log written before heads were signed on a timer kept the root
        # of every leaf there, which is the same whenever the newest head covers them all).
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
