"""One source of "now", so that deadlines can be computed for any day (Settings.today, IPCITY_TODAY, pins it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
# The day `today()` answers instead of the real one: set once at start-up from Settings.today (the web
# application's and the command line's build_services; see pin); None follows the calendar.
pinned_today: date | None = None


def pin(day: date | None) -> None:
    """Make `today()` answer `day` from now on in this process (None: the real date again)."""
    global pinned_today
    pinned_today = day


def now() -> datetime:
    """Current time in UTC (stored); shown in China Standard Time."""
    return datetime.now(UTC)


def today() -> date:
    """Today in China, or the pinned day (IPCITY_TODAY=YYYY-MM-DD at start-up, for demos and tests)."""
    if pinned_today is not None:
        return pinned_today
    return datetime.now(CHINA_TZ).date()


def local(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(CHINA_TZ)
