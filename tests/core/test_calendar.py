"""The working-day calendar on real State Council schedules (no database)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ipcity.core.calendar import SpecialDay, WorkCalendar, parse_schedule, shipped_days
from tests.conftest import shared_data


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.from_days(shipped_days())


def test_weekends_and_holidays(cal):
    assert cal.is_working_day(date(2025, 1, 2))          # an ordinary Thursday
    assert not cal.is_working_day(date(2025, 1, 4))      # an ordinary Saturday
    assert not cal.is_working_day(date(2025, 1, 29))     # 春节, a Wednesday
    assert cal.holiday_name(date(2025, 1, 29)) == "春节"
    assert cal.is_working_day(date(2025, 1, 26))         # Sunday made a working day (调休)
    assert not cal.is_working_day(date(2025, 10, 1))     # 国庆节
    assert cal.is_working_day(date(2025, 9, 28))         # Sunday before National Day, worked


def test_add_working_days_across_national_day_2025(cal):
    # 2025: 10-01..10-08 off, 09-28 (Sun) and 10-11 (Sat) worked.
    # From Fri 2025-09-26: 09-28, 09-29, 09-30, 10-09, 10-10, 10-11, 10-13 -> 7th working day is 10-13.
    assert cal.add_working_days(date(2025, 9, 26), 7) == date(2025, 10, 13)
    assert cal.add_working_days(date(2025, 9, 26), 0) == date(2025, 9, 26)
    with pytest.raises(ValueError):
        cal.add_working_days(date(2025, 9, 26), -1)


def test_working_days_between_is_inverse_of_add(cal):
    start = date(2024, 12, 20)
    for n in (1, 5, 10, 15, 30):
        due = cal.add_working_days(start, n)
        assert cal.working_days_between(start, due) == n
        assert cal.working_days_between(due, start) == -n


def test_next_working_day_moves_off_a_holiday(cal):
    assert cal.next_working_day(date(2025, 10, 3)) == date(2025, 10, 9)
    assert cal.next_working_day(date(2025, 10, 9)) == date(2025, 10, 9)


def test_years_without_a_published_schedule_are_provisional(cal):
    assert not cal.is_provisional(date(2026, 6, 1))
    assert cal.is_provisional(date(2027, 1, 4))
    # Weekday rule meanwhile: 2027-01-01 is a Friday and counts as a working day until the schedule is loaded.
    assert cal.is_working_day(date(2027, 1, 1))
    later = WorkCalendar.from_days([*shipped_days(), SpecialDay(date(2027, 1, 1), "元旦", True)])
    assert not later.is_working_day(date(2027, 1, 1))


def test_shipped_schedules_equal_the_published_data():
    folder = shared_data("cn-holidays")
    expected = set()
    for f in sorted(folder.glob("20*.json")):
        expected.update(parse_schedule(json.loads(f.read_text(encoding="utf-8"))))
    assert set(shipped_days()) == expected
    assert len(expected) > 600


def test_parse_schedule_names_the_bad_entry():
    with pytest.raises(ValueError, match=r"days\[1\]"):
        parse_schedule({"days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": True},
                                 {"name": "x", "date": "2027-13-01", "isOffDay": True}]})


def test_a_day_changed_by_another_process_is_seen(session):
    """A day turned from a holiday into a working day elsewhere (no in-process invalidation) is seen at once."""
    from datetime import date

    from sqlalchemy import update

    from ipcity.core import calendar as calmod
    from ipcity.core.tables import Holiday

    day = date(2025, 10, 1)  # National Day, off
    assert not calmod.load(session).is_working_day(day)
    session.execute(update(Holiday).where(Holiday.day == day).values(is_off_day=False))  # bypasses seed()
    session.commit()
    assert calmod.load(session).is_working_day(day)
