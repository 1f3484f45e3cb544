"""Indicator inputs for patent valuation from the register and the corpus (scorecard.py scores them).

- Field activity: one aggregate query over the patent table — applications (distinct application numbers, the
  publication number where a record has none) per main IPC subclass and application year, up to the last year
  of the window — built once per run and cached per process until the data change (the newest audit entry and
  the newest patent row, ipcity.core.cache). The window is the six years ending two years before the valuation
  year, or ending where the corpus ends when that is earlier (field_activity.corpus_end).
- Register history: the legal events of the record and every register entry, open or closed, of the patent
  right (licences, pledges, preservation orders, suspensions, invalidation requests).
- Claims: the record's claims text, read by the patent engine (ipcity.patents.claims).
- Streaming: `register_scan.rows` pages over the patent table by id (keyset), reading only the columns valuation
  uses, so a full-corpus scoring run (bench/valuation.py) holds one batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ipcity.core.cache import VersionedCache, data_version
from ipcity.core.clock import today
from ipcity.patents import position as positions
from ipcity.patents import register
from ipcity.patents.claims import Claims, parse_claims
from ipcity.patents.position import Position, RegisterEntry
from ipcity.patents.record import PatentRecord
from ipcity.patents.register_scan import activity_rows, entries_many, newest_id, record_of, rows
from ipcity.services.valuation.field_activity import FieldActivity
from ipcity.services.valuation.history import History, history_of
from ipcity.services.valuation.indicators import indicator_values

PUBLICATION_LAG_YEARS = 2  # the window ends two years before the valuation year (18-month publication lag)
FIRST_YEAR = 1900  # applications from this year on place the corpus's end (field_activity.corpus_end)
_cache = VersionedCache(max_entries=16)


def window_end(on: date) -> int:
    return on.year - PUBLICATION_LAG_YEARS


def field_activity(session: Session, on: date | None = None, *, cached: bool = True) -> FieldActivity:
    """The field-activity table for valuations on `on` (computed once, then cached until the data change)."""
    last = window_end(on or today())

    def compute() -> FieldActivity:
        return FieldActivity.build(activity_rows(session, FIRST_YEAR, last), last)

    if not cached:
        return compute()
    version = (data_version(session), newest_id(session))
    return _cache.get((str(session.get_bind().url), last), version, compute)


@dataclass(frozen=True)
class Inputs:
    """What the valuation of one patent reads: the record, its position, its history and the raw indicator values."""

    record: PatentRecord
    position: Position
    entries: tuple[RegisterEntry, ...]
    history: History
    claims: Claims | None
    values: dict
    activity: FieldActivity | None = None  # the field-activity table the values were read from (its window)


def inputs_of(record: PatentRecord, entries: list[RegisterEntry], on: date,
              activity: FieldActivity | None) -> Inputs:
    pos = positions.derive(record, entries, on)
    history = history_of(record, entries)
    claims = parse_claims(record.claims)
    return Inputs(record, pos, tuple(entries), history, claims,
                  indicator_values(record, pos, history, claims, activity), activity)


def inputs_for(session: Session, records: Sequence[PatentRecord], on: date | None = None,
               activity: FieldActivity | None = None) -> list[Inputs]:
    """Inputs of many records with one query for their register entries."""
    on = on or today()
    activity = activity if activity is not None else field_activity(session, on)
    by_key = entries_many(session, [register.key_of(r) for r in records])
    return [inputs_of(r, by_key[register.key_of(r)], on, activity) for r in records]


def stream_inputs(session: Session, on: date, activity: FieldActivity, *, batch: int = 2000,
                  limit: int | None = None) -> Iterator[list[Inputs]]:
    """Inputs of every patent row, a batch at a time (bounded memory): one entries query per batch."""
    for page in rows(session, batch, limit=limit):
        records = [record_of(r) for r in page]
        by_key = entries_many(session, [register.key_of(r) for r in records])
        yield [inputs_of(r, by_key[register.key_of(r)], on, activity) for r in records]
