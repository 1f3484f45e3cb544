"""Reading and writing the patent register (the `patent` table) in batches.

The register is the source of truth; search indexes are derived from it and can be rebuilt from it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update
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


def content_hash(rec: PatentRecord, data: dict | None = None) -> str:
    payload = json.dumps(data or rec.to_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _row_values(rec: PatentRecord) -> dict:
    data = rec.to_dict()
    values = {name: getattr(rec, name) for name in _COLUMNS}
    values["events"] = data["events"]
    values["priorities"] = data["priorities"]
    values["content_hash"] = content_hash(rec, data)
    return values


def upsert(session: Session, records: Sequence[PatentRecord]) -> tuple[UpsertCounts, list[PatentRecord]]:
    """Insert new publications, update changed ones, leave identical ones alone.

    Returns the counts and what an index must see: the records inserted or changed, and the unchanged ones
    whose version the index has not committed yet (a load interrupted before its index commit).
    A publication appearing twice in one batch keeps its last version.
    """
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
    params = [{"p": pub, "h": digest} for pub, digest in committed]
    if params:
        table = Patent.__table__
        session.execute(update(table).where(table.c.pub_number == bindparam("p"),
                                            table.c.content_hash == bindparam("h"))
                        .values(index_pending=False), params)


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
    # events and priorities are stored as PatentRecord.to_dict gives them: from_dict reads them back.
    return PatentRecord.from_dict({name: getattr(row, name) for name in _COLUMNS}
                                  | {"events": row.events or [], "priorities": row.priorities or []})


def get(session: Session, pub_number: str) -> PatentRecord | None:
    row = session.scalar(select(Patent).where(Patent.pub_number == pub_number))
    return to_record(row) if row else None


def get_many(session: Session, pub_numbers: Sequence[str]) -> dict[str, PatentRecord]:
    if not pub_numbers:
        return {}
    rows = session.scalars(select(Patent).where(Patent.pub_number.in_(list(pub_numbers))))
    return {row.pub_number: to_record(row) for row in rows}


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
