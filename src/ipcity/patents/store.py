"""Reading and writing the patent register (the `patent` table) in batches.

The register is the source of truth; search indexes are derived from it and can be rebuilt from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

from sqlalchemy import JSON, Date, func, select, update
from sqlalchemy.orm import Session

from ipcity.core.clock import now
from ipcity.patents.record import PatentRecord
from ipcity.patents.tables import Patent

_COLUMNS = ("pub_number", "office", "kind", "patent_type", "app_number", "app_date", "pub_date", "grant_date",
            "title", "abstract", "claims", "description", "lang", "ipc_main", "ipc", "cpc", "locarno",
            "applicants", "inventors", "address", "region_code", "agency", "agents", "legal_status",
            "legal_status_text", "citations", "cited_by", "family", "family_size", "source", "extra")


@dataclass
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


# Encoders made once: json.dumps with options builds a new encoder per call. _HASH_JSON is content_hash's form;
# _COLUMN_JSON is the engine's json_serializer (core/db.py), so a bulk row stores the ORM's very JSON text.
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_COLUMN_JSON = json.JSONEncoder(ensure_ascii=False).encode
_JSON_COLUMNS = frozenset(c.name for c in Patent.__table__.columns if isinstance(c.type, JSON))


def content_hash(rec: PatentRecord, data: dict | None = None) -> str:
    payload = _HASH_JSON(data or rec.to_dict())
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _row_values(rec: PatentRecord) -> dict:
    data = rec.to_dict()
    values = {name: getattr(rec, name) for name in _COLUMNS}
    values["events"] = data["events"]
    values["priorities"] = data["priorities"]
    values["content_hash"] = content_hash(rec, data)
    return values


# -- the bulk path: rows prepared once, written with one statement per batch ------------------------------------

ROW_COLUMNS = (*_COLUMNS, "events", "priorities", "content_hash")  # the order of RegisterRow.values
_STAMPS = ("created_at", "updated_at", "index_pending")  # set by the writer, after ROW_COLUMNS
_WRITTEN = ROW_COLUMNS + _STAMPS
_UPDATED = tuple(c for c in _WRITTEN if c != "created_at")  # an update keeps the row's first stamp


class RegisterRow(NamedTuple):
    """One record as the register stores it: what `upsert_rows` writes without the ORM. JSON columns are already
    their JSON text; `values` follow ROW_COLUMNS. Made in the process that prepares the records (`register_row`)."""

    pub_number: str
    content_hash: str
    values: tuple


def register_row(rec: PatentRecord) -> RegisterRow:
    """`rec` (normalised) as a RegisterRow: the same values, JSON text and content hash the ORM path stores."""
    data = rec.to_dict()
    digest = content_hash(rec, data)
    values = []
    for name in _COLUMNS:
        value = getattr(rec, name)
        values.append(_COLUMN_JSON(data[name]) if name in _JSON_COLUMNS else value)
    values += (_COLUMN_JSON(data["events"]), _COLUMN_JSON(data["priorities"]), digest)
    return RegisterRow(rec.pub_number, digest, tuple(values))


def upsert_rows(session: Session, rows: Sequence[RegisterRow]) -> tuple[UpsertCounts, list[RegisterRow]]:
    """`upsert` of prepared rows: one SELECT of the batch's hashes, then the new and changed rows in one statement
    (executemany on SQLite; COPY into a staging table and one INSERT … ON CONFLICT on PostgreSQL). The
    statement is an upsert on both, so a row another writer inserted meanwhile is updated, not refused."""
    latest: dict[str, RegisterRow] = {}
    for row in rows:
        latest[row.pub_number] = row
    found = session.execute(select(Patent.pub_number, Patent.content_hash, Patent.index_pending)
                            .where(Patent.pub_number.in_(list(latest)))).all()
    existing = {pub: (digest, pending) for pub, digest, pending in found}
    counts = UpsertCounts()
    written, changed = [], []
    for pub, row in latest.items():
        before = existing.get(pub)
        if before is None:
            counts.inserted += 1
        elif before[0] != row.content_hash:
            counts.updated += 1
        else:
            counts.unchanged += 1
            if before[1]:
                changed.append(row)  # stored by a load that stopped before its index commit
            continue
        written.append(row)
        changed.append(row)
    counts.unchanged += len(rows) - len(latest)
    if written:
        connection = session.connection()
        if connection.dialect.name == "postgresql":
            _copy_upsert(connection, written, now())
        else:
            _executemany_upsert(connection, written, now())
    return counts, changed


def _on_conflict() -> str:
    return "ON CONFLICT (pub_number) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _UPDATED)


def _executemany_upsert(connection, rows: Sequence[RegisterRow], stamp) -> None:
    table = Patent.__table__
    dialect = connection.dialect
    # The column types' own bind processors: dates and stamps stored exactly as the ORM stores them.
    date_columns = [i for i, c in enumerate(ROW_COLUMNS) if isinstance(table.c[c].type, Date)]

    def processor(column: str):
        return table.c[column].type.dialect_impl(dialect).bind_processor(dialect) or (lambda v: v)

    to_date, to_stamp, to_bool = processor("app_date"), processor("created_at"), processor("index_pending")
    stamps = (to_stamp(stamp), to_stamp(stamp), to_bool(True))
    params = []
    for row in rows:
        values = list(row.values)
        for i in date_columns:
            values[i] = to_date(values[i])
        params.append((*values, *stamps))
    sql = (f"INSERT INTO patent ({', '.join(_WRITTEN)}) VALUES ({', '.join('?' * len(_WRITTEN))}) "
           + _on_conflict())
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def _copy_upsert(connection, rows: Sequence[RegisterRow], stamp) -> None:
    columns = ", ".join(_WRITTEN)
    raw = connection.connection.driver_connection  # psycopg 3, in the session's transaction
    with raw.cursor() as cursor:
        # A staging table per connection, emptied at each commit (and here, should a transaction write twice).
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS patent_stage ON COMMIT DELETE ROWS AS "
                       f"SELECT {columns} FROM patent WITH NO DATA")
        cursor.execute("TRUNCATE patent_stage")
        with cursor.copy(f"COPY patent_stage ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row.values, stamp, stamp, True))
        cursor.execute(f"INSERT INTO patent ({columns}) SELECT {columns} FROM patent_stage " + _on_conflict())


def upsert(session: Session, records: Sequence[PatentRecord] | Sequence[RegisterRow]
           ) -> tuple[UpsertCounts, list[PatentRecord]] | tuple[UpsertCounts, list[RegisterRow]]:
    """Insert new publications, update changed ones, leave identical ones alone.

    Returns the counts and what an index must see: the records inserted or changed, and the unchanged ones
    whose version the index has not committed yet (a load interrupted before its index commit).
    A publication appearing twice in one batch keeps its last version.

    `records` are PatentRecords, or RegisterRows (`register_row`, made where the records were prepared): those
    take the bulk path (`upsert_rows`) and come back as RegisterRows.
    """
    if records and isinstance(records[0], RegisterRow):
        return upsert_rows(session, records)
    latest: dict[str, PatentRecord] = {}
    for rec in records:
        latest[rec.pub_number] = rec
    found = session.execute(select(Patent.pub_number, Patent.content_hash, Patent.id, Patent.index_pending)
                            .where(Patent.pub_number.in_(list(latest)))).all()
    existing = {pub: digest for pub, digest, _, _ in found}
    ids = {pub: row_id for pub, _, row_id, _ in found}
    pending = {pub for pub, _, _, flag in found if flag}
    counts = UpsertCounts()
    inserts, updates, changed = [], [], []
    stamp = now()
    for pub, rec in latest.items():
        values = _row_values(rec)
        if pub not in existing:
            inserts.append(values | {"created_at": stamp, "updated_at": stamp, "index_pending": True})
            changed.append(rec)
        elif existing[pub] != values["content_hash"]:
            updates.append(values | {"id": ids[pub], "updated_at": stamp, "index_pending": True})
            changed.append(rec)
        else:
            counts.unchanged += 1
            if pub in pending:
                changed.append(rec)
    if inserts:
        session.execute(Patent.__table__.insert(), inserts)
        counts.inserted = len(inserts)
    if updates:
        session.execute(update(Patent), updates)
        counts.updated = len(updates)
    counts.unchanged += len(records) - len(latest)
    return counts, changed


def mark_indexed(session: Session, committed: Iterable[tuple[str, str]]) -> None:
    """Record that the search index has committed these (pub_number, content_hash) versions. A row changed
    since (another hash) stays pending."""
    params = list(committed)
    if not params:
        return
    connection = session.connection()
    # The driver's executemany (psycopg pipelines it): a load marks 20,000 rows a commit, and SQLAlchemy's
    # per-row parameter processing cost more than the UPDATEs.
    if connection.dialect.name == "postgresql":
        sql = "UPDATE patent SET index_pending = false WHERE pub_number = %s AND content_hash = %s"
    else:
        sql = "UPDATE patent SET index_pending = 0 WHERE pub_number = ? AND content_hash = ?"
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def mark_all_pending(session: Session) -> None:
    """Before the index is emptied for a rebuild: nothing is known to be indexed until it is again."""
    session.execute(update(Patent).values(index_pending=True))


def iterate_pending(session: Session, batch: int = 2000) -> Iterator[list[PatentRecord]]:
    """The records the index has not confirmed, in id order, a batch at a time (keyset paging)."""
    last = 0
    while True:
        rows = session.scalars(select(Patent).where(Patent.index_pending, Patent.id > last)
                               .order_by(Patent.id).limit(batch)).all()
        if not rows:
            return
        last = rows[-1].id
        yield [to_record(row) for row in rows]
        session.expunge_all()


def count_pending(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Patent).where(Patent.index_pending)) or 0


def to_record(row: Patent) -> PatentRecord:
    return _record(partial(getattr, row))


def _record(value: Callable[[str], object]) -> PatentRecord:
    """The record of a stored row, `value(column)` giving its columns (an ORM object's or a plain row's)."""
    # events and priorities are stored as PatentRecord.to_dict gives them: from_dict reads them back.
    return PatentRecord.from_dict({name: value(name) for name in _COLUMNS}
                                  | {"events": value("events") or [], "priorities": value("priorities") or []})


def get(session: Session, pub_number: str) -> PatentRecord | None:
    row = session.scalar(select(Patent).where(Patent.pub_number == pub_number))
    return to_record(row) if row else None


_RECORD_COLUMNS = [Patent.__table__.c[name] for name in (*_COLUMNS, "events", "priorities")]


def get_many(session: Session, pub_numbers: Sequence[str]) -> dict[str, PatentRecord]:
    """The records of `pub_numbers` that are stored. Read as plain rows, not ORM objects: a result page reads
    twenty, and the identity map and its states would cost more than the records."""
    if not pub_numbers:
        return {}
    rows = session.execute(select(*_RECORD_COLUMNS).where(Patent.pub_number.in_(list(pub_numbers))))
    return {row.pub_number: _record(row._mapping.__getitem__) for row in rows}


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Patent)) or 0


def iterate(session: Session, batch: int = 2000) -> Iterator[list[PatentRecord]]:
    """Every record in id order, a batch at a time (keyset paging: constant memory)."""
    last = 0
    while True:
        rows = session.scalars(select(Patent).where(Patent.id > last).order_by(Patent.id).limit(batch)).all()
        if not rows:
            return
        last = rows[-1].id
        yield [to_record(row) for row in rows]
        session.expunge_all()


def texts(records: Iterable[PatentRecord]) -> list[str]:
    """The text an encoder reads for each record: title, abstract and the first claim's worth."""
    return [f"{r.title}\n{r.abstract}\n{r.claims[:1000]}" for r in records]
