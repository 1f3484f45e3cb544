"""Indicator inputs for patent valuation from the register and the corpus (valuation.py scores them).

- Field activity: one aggregate query over the patent table — applications (distinct application numbers) per
  main IPC subclass and application year over the six years of the window — built once per run and cached per
  process until the data change (the newest audit entry and the newest patent row, ipcity.core.cache).
- Register history: the legal events of the record and every register entry, open or closed, of the patent
  right (licences, pledges, preservation orders, suspensions, invalidation requests).
- Streaming: `rows` pages over the patent table by id (keyset), reading only the columns valuation uses, so a
  full-corpus scoring run (bench/valuation.py) holds one batch at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import distinct, func, literal_column, select
from sqlalchemy.orm import Session

from ipcity.core.cache import VersionedCache, data_version
from ipcity.core.clock import today
from ipcity.patents import position as positions
from ipcity.patents import register
from ipcity.patents.position import Position, RegisterEntry
from ipcity.patents.record import LegalEvent, PatentRecord
from ipcity.patents.tables import Patent, PatentRegisterEntry
from ipcity.services.pledge import valuation

PUBLICATION_LAG_YEARS = 2  # the window ends two years before the valuation year (18-month publication lag)
_cache = VersionedCache(max_entries=16)

# The columns valuation reads (and the baseline pass of bench/valuation.py reads, doing nothing else).
COLUMNS = (Patent.id, Patent.pub_number, Patent.app_number, Patent.kind, Patent.patent_type, Patent.app_date,
           Patent.grant_date, Patent.title, Patent.claims, Patent.ipc_main, Patent.applicants, Patent.legal_status,
           Patent.events, Patent.cited_by, Patent.family, Patent.family_size)


def window_end(on: date) -> int:
    return on.year - PUBLICATION_LAG_YEARS


def activity_rows(session: Session, first_year: int, last_year: int) -> list[tuple[str, int, int]]:
    """(subclass, year, applications) for application years first_year..last_year: one GROUP BY query."""
    sub = func.substr(Patent.ipc_main, 1, 4).label("subclass")
    year = func.extract("year", Patent.app_date).label("app_year")
    stmt = (select(sub, year, func.count(distinct(Patent.app_number)))
            .where(Patent.app_date >= date(first_year, 1, 1), Patent.app_date <= date(last_year, 12, 31),
                   Patent.ipc_main != "")
            .group_by(literal_column("subclass"), literal_column("app_year")))
    return [(s, int(y), int(n)) for s, y, n in session.execute(stmt)]


def field_activity(session: Session, on: date | None = None, *, cached: bool = True) -> valuation.FieldActivity:
    """The field-activity table for valuations on `on` (computed once, then cached until the data change)."""
    last = window_end(on or today())

    def compute() -> valuation.FieldActivity:
        return valuation.FieldActivity.build(activity_rows(session, last - 5, last), last)

    if not cached:
        return compute()
    version = (data_version(session), session.scalar(select(func.max(Patent.id))) or 0)
    return _cache.get((str(session.get_bind().url), last), version, compute)


def entries_many(session: Session, keys: Sequence[str]) -> dict[str, list[RegisterEntry]]:
    """Every register entry (open and closed) of each patent right, one query per 900 keys.

    Reads patent_register_entry as register.entries does, for many keys at once; to move into
    ipcity.patents.register as `entries_many` (asked of the lead), so that services only call the register."""
    out: dict[str, list[RegisterEntry]] = {k: [] for k in keys}
    keys = list(dict.fromkeys(keys))
    for at in range(0, len(keys), 900):
        stmt = (select(PatentRegisterEntry).where(PatentRegisterEntry.app_number.in_(keys[at:at + 900]))
                .order_by(PatentRegisterEntry.id))
        for row in session.scalars(stmt):
            out[row.app_number].append(register._entry(row))
    return out


def record_of(row) -> PatentRecord:
    """A PatentRecord carrying the columns valuation reads (a row of `rows`)."""
    events = [LegalEvent(e.get("kind", "other"), _day(e.get("date")), e.get("code", ""), e.get("text", ""))
              for e in (row.events or [])]
    return PatentRecord(pub_number=row.pub_number, kind=row.kind or "", patent_type=row.patent_type,
                        app_number=row.app_number or "", app_date=row.app_date, grant_date=row.grant_date,
                        title=row.title or "", claims=row.claims or "", ipc_main=row.ipc_main or "",
                        applicants=list(row.applicants or []), legal_status=row.legal_status or "unknown",
                        events=events, cited_by=row.cited_by, family=list(row.family or []),
                        family_size=row.family_size)


def _day(value) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def rows(session: Session, batch: int = 2000, *, after: int = 0, limit: int | None = None) -> Iterator[list]:
    """The valuation columns of every patent row in id order, `batch` rows at a time (keyset paging)."""
    last, seen = after, 0
    while limit is None or seen < limit:
        size = batch if limit is None else min(batch, limit - seen)
        page = session.execute(select(*COLUMNS).where(Patent.id > last).order_by(Patent.id).limit(size)).all()
        if not page:
            return
        last = page[-1].id
        seen += len(page)
        yield page


@dataclass(frozen=True)
class Inputs:
    """What the valuation of one patent reads: the record, its position, its history and the raw indicator values."""

    record: PatentRecord
    position: Position
    entries: tuple[RegisterEntry, ...]
    history: valuation.History
    claims: valuation.Claims | None
    values: dict


def inputs_of(record: PatentRecord, entries: list[RegisterEntry], on: date,
              activity: valuation.FieldActivity | None) -> Inputs:
    pos = positions.derive(record, entries, on)
    history = valuation.history_of(record, entries)
    claims = valuation.parse_claims(record.claims)
    return Inputs(record, pos, tuple(entries), history, claims,
                  valuation.indicator_values(record, pos, history, claims, activity))


def inputs_for(session: Session, records: Sequence[PatentRecord], on: date | None = None,
               activity: valuation.FieldActivity | None = None) -> list[Inputs]:
    """Inputs of many records with one query for their register entries."""
    on = on or today()
    activity = activity if activity is not None else field_activity(session, on)
    by_key = entries_many(session, [register.key_of(r) for r in records])
    return [inputs_of(r, by_key[register.key_of(r)], on, activity) for r in records]


def stream_inputs(session: Session, on: date, activity: valuation.FieldActivity, *, batch: int = 2000,
                  limit: int | None = None) -> Iterator[list[Inputs]]:
    """Inputs of every patent row, a batch at a time (bounded memory): one entries query per batch."""
    for page in rows(session, batch, limit=limit):
        records = [record_of(r) for r in page]
        by_key = entries_many(session, [register.key_of(r) for r in records])
        yield [inputs_of(r, by_key[register.key_of(r)], on, activity) for r in records]
