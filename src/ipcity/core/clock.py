"""One source of "now", so that deadlines can be computed for any day (IPCITY_TODAY pins it)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def now() -> datetime:
    """Current time in UTC (stored); shown in China Standard Time."""
    return datetime.now(UTC)


def today() -> date:
    """Today in China; IPCITY_TODAY=YYYY-MM-DD overrides it for demos and tests."""
    pinned = os.environ.get("IPCITY_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(CHINA_TZ).date()


def local(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(CHINA_TZ)
