"""One serial allocator: gapless, unique under concurrent filings, continuing numbers already issued."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from ipcity.core.clock import today
from ipcity.core.serials import max_serial, next_serial
from ipcity.core.tables import SerialCounter
from ipcity.workflow import engine
from ipcity.workflow.tables import Case
from tests.workflow.test_engine import TOY


def test_serials_count_up_per_key_and_a_rollback_gives_the_serial_back(db):
    with db.session() as s:
        assert [next_serial(s, "k:a") for _ in range(3)] == [1, 2, 3]
        assert next_serial(s, "k:b") == 1
        s.commit()
    with db.session() as s:
        assert next_serial(s, "k:a") == 4
        s.rollback()
    with db.session() as s:
        assert next_serial(s, "k:a") == 4  # the rolled-back serial was not lost: numbers stay gapless
        s.commit()


def test_the_first_use_continues_from_numbers_already_issued(db):
    with db.session() as s:
        assert next_serial(s, "k:old", lambda: 41) == 42
        assert next_serial(s, "k:old", lambda: 1000) == 43  # the seed is read only once
    assert max_serial(["TT2026000007", "TT2026000012", None, "TT2026x"], 6) == 12


def test_bad_keys_are_refused(db):
    with db.session() as s, pytest.raises(ValueError):
        next_serial(s, "x" * 101)


def test_concurrent_case_filings_get_unique_consecutive_numbers(db, people):
    """16 threads file 8 cases each at once: 128 cases, numbers 1..128, no failure (finding: count+1 collided)."""
    errors: list[BaseException] = []
    company = people["company"]

    def worker():
        for _ in range(8):
            try:
                with db.session() as s:
                    engine.open_case(s, TOY, company, title="并发", applicant_unit_id=company.unit_id,
                                     assigned_unit_id=None)
                    s.commit()
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    prefix = f"TT{today().year}"
    with db.session() as s:
        numbers = sorted(s.scalars(select(Case.number).where(Case.type_key == TOY.key)).all())
        assert numbers == [f"{prefix}{i:06d}" for i in range(1, 129)]
        assert s.get(SerialCounter, f"case:{prefix}").value == 128
