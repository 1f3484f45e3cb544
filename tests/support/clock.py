"""Pinning the platform's "today" in a test, as IPCITY_TODAY (Settings.today) does for a process at start-up."""

from __future__ import annotations

from datetime import date

from ipcity.core import clock


def pin_today(monkeypatch, day: str | date) -> None:
    """`clock.today()` answers `day` (YYYY-MM-DD or a date) until the test ends."""
    monkeypatch.setattr(clock, "pinned_today", date.fromisoformat(day) if isinstance(day, str) else day)
