"""Bulk reads of the patent register for analyses over many patents (valuation, statistics).

The one place outside the patent engine's own modules that reads the register's tables for many rows at
once: keyset pages of the columns an analysis needs, application counts per field and year, and the register
entries of many patent rights. Services call these; they never read the tables themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from sqlalchemy import Integer, Text, and_, cast, distinct, func, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ipcity.patents.position import RegisterEntry
from ipcity.patents.record import LegalEvent, PatentRecord
from ipcity.patents.register import entry_of
from ipcity.patents.tables import Patent, PatentRegisterEntry

# The columns valuation reads (and the baseline pass of bench/valuation.py reads, doing nothing else).
COLUMNS = (Patent.id, Patent.pub_number, Patent.app_number, Patent.kind, Patent.patent_type, Patent.app_date,
           Patent.grant_date, Patent.title, Patent.claims, Patent.ipc_main, Patent.applicants, Patent.legal_status,
           Patent.events, Patent.cited_by, Patent.family, Patent.family_size)



def activity_rows(session: Session, first_year: int, last_year: int) -> list[tuple[str, int, int]]:
    """(main IPC subclass, application year, applications) for years first_year..last_year: one GROUP BY query
    (applications counted by distinct application number, or publication number for a record without one — an
    empty application number must not fold a whole corpus into one application)."""
    sub = func.substr(Patent.ipc_main, 1, 4).label("subclass")
    year = func.extract("year", Patent.app_date).label("app_year")
    application = func.coalesce(func.nullif(Patent.app_number, ""), Patent.pub_number)
    stmt = (select(sub, year, func.count(distinct(application)))
            .where(Patent.app_date >= date(first_year, 1, 1), Patent.app_date <= date(last_year, 12, 31),
                   Patent.ipc_main != "")
            .group_by(literal_column("subclass"), literal_column("app_year")))
    return [(s, int(y), int(n)) for s, y, n in session.execute(stmt)]


def entries_many(session: Session, keys: Sequence[str]) -> dict[str, list[RegisterEntry]]:
    """Every register entry (open and closed) of each patent right, one query per 900 keys (register.entries for
    many keys at once)."""
    out: dict[str, list[RegisterEntry]] = {k: [] for k in keys}
    keys = list(dict.fromkeys(keys))
    for at in range(0, len(keys), 900):
        stmt = (select(PatentRegisterEntry).where(PatentRegisterEntry.app_number.in_(keys[at:at + 900]))
                .order_by(PatentRegisterEntry.id))
        for row in session.scalars(stmt):
            out[row.app_number].append(entry_of(row))
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


def json_text(column) -> ColumnElement:
    """A JSON column as its text on both databases (psycopg would otherwise decode every value in Python, the
    SQLite driver returns text anyway): the caller decodes only what it needs, once."""
    return cast(column, Text)


def year_of(column) -> ColumnElement:
    """The year of a date column as an integer, worked out by the database (NULL for NULL)."""
    return cast(func.extract("year", column), Integer)


def ipc_prefilter(prefixes: Iterable[str]) -> ColumnElement:
    """Rows whose main IPC or whose IPC list may hold a symbol starting with one of `prefixes`: a superset (LIKE
    is case-insensitive on SQLite, `_` matches any character), for the caller to check exactly; it spares the
    caller the rows of other fields."""
    terms = []
    for prefix in dict.fromkeys(prefixes):
        terms += [Patent.ipc_main.like(f"{prefix}%"), json_text(Patent.ipc).like(f'%"{prefix}%')]
    return or_(*terms) if terms else Patent.id.is_(None)


def year_filter(start_year: int | None, end_year: int | None) -> ColumnElement | None:
    """Rows whose application year (or, without an application date, publication year) lies within
    start_year..end_year (either open); None when both are open. Compares the indexed date columns."""
    if start_year is None and end_year is None:
        return None

    def within(column) -> ColumnElement:
        bounds = [column.is_not(None)]
        if start_year is not None:
            bounds.append(column >= date(start_year, 1, 1))
        if end_year is not None:
            bounds.append(column <= date(end_year, 12, 31))
        return and_(*bounds)

    return or_(within(Patent.app_date), and_(Patent.app_date.is_(None), within(Patent.pub_date)))


def stream(session: Session, columns: Sequence, *where, batch: int = 10_000) -> Iterator[Sequence]:
    """The rows of `columns` matching `where`, in id order, `batch` at a time, streamed from the cursor (a
    server-side one on PostgreSQL, so memory holds one batch), with no ORM objects and no result processing: at a
    million rows SQLAlchemy's per-row processing of JSON and date columns cost more than reading the rows.
    Values are the driver's own (dates are ISO strings on SQLite and `date`s on PostgreSQL): select JSON columns
    through `json_text` and years through `year_of`. Rows unpack like tuples. The result is closed when the
    iteration ends or is abandoned; the session runs nothing else meanwhile."""
    stmt = select(*columns).where(*where).order_by(Patent.id)
    result = session.connection().execution_options(stream_results=True).execute(stmt)
    try:
        yield from result.partitions(batch)
    finally:
        result.close()


def newest_id(session: Session) -> int:
    """The id of the newest patent row (0 when the register is empty): part of a cache's data version."""
    return session.scalar(select(func.max(Patent.id))) or 0
