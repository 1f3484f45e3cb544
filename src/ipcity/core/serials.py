"""One allocator for every serial number the platform hands out (case numbers, certificate and register serials).

A counter row per key is incremented with one atomic statement inside the caller's transaction, so two
concurrent filings can never draw the same serial (the row lock on PostgreSQL and the single writer on
SQLite order them), and a rolled-back filing gives its serial back: numbers stay gapless, as a register's
numbers must. The first use of a key starts from `seed()` — the highest serial already issued the old
way — so an existing installation continues its series.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ipcity.core.tables import SerialCounter

MAX_KEY = 100


def next_serial(session: Session, key: str, seed: Callable[[], int] | None = None) -> int:
    """The next serial under `key`, reserved in the caller's transaction."""
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"serial key must have 1..{MAX_KEY} characters: {key!r}")
    bumped = session.execute(update(SerialCounter).where(SerialCounter.key == key)
                             .values(value=SerialCounter.value + 1).returning(SerialCounter.value)).scalar()
    if bumped is not None:
        return int(bumped)
    start = int(seed()) if seed is not None else 0
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # Two first uses at once: one inserts, the other finds the row and increments it.
    stmt = (dialect.insert(SerialCounter).values(key=key, value=start + 1)
            .on_conflict_do_update(index_elements=[SerialCounter.key], set_={"value": SerialCounter.value + 1})
            .returning(SerialCounter.value))
    return int(session.execute(stmt).scalar_one())


def serial_after_issued(session: Session, key: str, column, *where, start: int = 0, end: int | None = None) -> int:
    """The next serial under `key`; a new series continues after the highest serial already stored in `column`
    (rows matching `where`; a text number's serial is its slice [start:end], an integer column is the serial)."""
    return next_serial(session, key, lambda: max_serial(session.scalars(select(column).where(*where)), start, end))


def max_serial(numbers, start: int = 0, end: int | None = None) -> int:
    """The highest serial among issued numbers, read from the slice [start:end] of each (a seed helper)."""
    best = 0
    for n in numbers:
        if isinstance(n, int):
            best = max(best, n)
            continue
        part = (n or "")[start:end]
        if part.isdigit():
            best = max(best, int(part))
    return best
