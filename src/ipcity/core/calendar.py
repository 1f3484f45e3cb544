"""Working days on the official Chinese calendar: weekends, public holidays and make-up working days (调休).

The State Council publishes each year's schedule (国务院办公厅关于放假安排的通知) late in the previous
year, so the schedule lives in the `holiday` table: seeded from the shipped NateScarlet/holiday-cn data
(2007–2026, MIT) and extended by an administrator (`ipcity calendar import`). For a year with no
published schedule the calendar falls back to Monday–Friday and says so (`is_provisional`), so that a
deadline shown to a user is marked provisional instead of silently wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core.tables import Holiday


@dataclass(frozen=True)
class SpecialDay:
    day: date
    name: str
    is_off_day: bool


@dataclass
class WorkCalendar:
    """Pure calendar arithmetic over a set of special days."""

    special: dict[date, SpecialDay] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    @classmethod
    def from_days(cls, days: Iterable[SpecialDay]) -> WorkCalendar:
        special = {d.day: d for d in days}
        return cls(special, frozenset(d.year for d in special))

    def is_provisional(self, day: date) -> bool:
        return day.year not in self.years

    def is_working_day(self, day: date) -> bool:
        sd = self.special.get(day)
        if sd is not None:
            return not sd.is_off_day
        return day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        sd = self.special.get(day)
        return sd.name if sd and sd.is_off_day else None

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (start itself not counted, as 自…之日起 N 个工作日内)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day, left = start, n
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end is before start)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=i)))

    def next_working_day(self, day: date) -> date:
        """A deadline that falls on a rest day moves to the next working day (Patent Rules r.5 practice)."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


def shipped_days() -> list[SpecialDay]:
    """The schedules shipped with the platform (State Council notices 2007–2026)."""
    days: list[SpecialDay] = []
    folder = resources.files("ipcity.core") / "data" / "cn-holidays"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".json"):
            days.extend(parse_schedule(json.loads(item.read_text(encoding="utf-8"))))
    return days


def parse_schedule(doc: dict) -> list[SpecialDay]:
    """Read one year in the holiday-cn JSON shape: {year, papers, days: [{name, date, isOffDay}]}."""
    if not isinstance(doc, dict) or not isinstance(doc.get("days", []), list):
        raise ValueError("not a schedule: an object with a list of days is expected")
    out = []
    for i, d in enumerate(doc.get("days", [])):
        try:
            out.append(SpecialDay(date.fromisoformat(d["date"]), str(d["name"]), bool(d["isOffDay"])))
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"days[{i}]: {exc}") from exc
    return out


def seed(session: Session, days: Iterable[SpecialDay], source: str = "") -> int:
    """Insert or replace special days; returns how many were written."""
    n = 0
    for d in days:
        row = session.get(Holiday, d.day)
        if row is None:
            session.add(Holiday(day=d.day, name=d.name, is_off_day=d.is_off_day, source=source))
        else:
            row.name, row.is_off_day, row.source = d.name, d.is_off_day, source
        n += 1
    session.flush()
    invalidate()
    return n


_cache: dict[str, tuple[tuple, WorkCalendar, int | None]] = {}


def load(session: Session) -> WorkCalendar:
    """The calendar from the database, cached until the holiday table changes.

    The stamp is the number of special days and how many of them are days off: another process (`ipcity
    calendar import` beside the server) that adds a day or turns a day off into a working day changes it.
    A request that only reads and carries a data version (core/cache.py) skips the stamp when the calendar
    was checked at that version: every import writes an audit entry."""
    from sqlalchemy import case, func

    key = str(session.get_bind().url)
    version = session.info.get("data_version")
    cached = _cache.get(key)
    if cached and version is not None and cached[2] == version:
        return cached[1]
    days_off = func.coalesce(func.sum(case((Holiday.is_off_day, 1), else_=0)), 0)
    stamp = tuple(session.execute(select(func.count(), days_off).select_from(Holiday)).one())
    if cached and cached[0] == stamp:
        _cache[key] = (stamp, cached[1], version)
        return cached[1]
    cal = WorkCalendar.from_days(
        SpecialDay(h.day, h.name, h.is_off_day) for h in session.scalars(select(Holiday))
    )
    _cache[key] = (stamp, cal, version)
    return cal


def invalidate() -> None:
    _cache.clear()
