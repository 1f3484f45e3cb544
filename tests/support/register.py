"""Granted patents in the register for the tests of open licensing, pledges and valuation."""

from __future__ import annotations

from datetime import date

from ipcity.core.numbers import check_digit
from ipcity.patents import store
from ipcity.patents.record import INVENTION, VALID, LegalEvent, PatentRecord

KIND = {"invention": "B", "utility": "U", "design": "S"}
TYPE_DIGIT = {"invention": "1", "utility": "2", "design": "3"}


def app_number(year: int, patent_type: str, serial: int) -> str:
    body = f"{year}{TYPE_DIGIT[patent_type]}{serial:07d}"
    return f"CN{body}.{check_digit(body)}"


def add_patent(session, serial: int, *, patent_type: str = INVENTION, app_date: date = date(2020, 3, 2),
               grant_date: date | None = date(2022, 6, 7), owners: tuple[str, ...] = ("测试公司",),
               title: str = "一种锂电池极片涂布装置", abstract: str = "", claims: str = "",
               ipc: tuple[str, ...] = ("H01M4/04",), legal_status: str = VALID,
               events: tuple[LegalEvent, ...] = (), cited_by: int | None = None,
               family_size: int | None = None, region_code: str = "310115") -> PatentRecord:
    """A grant publication (B/U/S) with a valid application number; returns the stored record."""
    number = app_number(app_date.year, patent_type, serial)
    kind = KIND[patent_type]
    rec = PatentRecord(
        pub_number=f"CN{serial + 110000000}{kind}", office="CN", kind=kind, patent_type=patent_type,
        app_number=number, app_date=app_date, pub_date=grant_date, grant_date=grant_date, title=title,
        abstract=abstract or f"{title}，提高效率。", claims=claims or f"1. {title}，其特征在于……",
        lang="zh", ipc_main=ipc[0] if ipc else "", ipc=list(ipc), applicants=list(owners),
        region_code=region_code, legal_status=legal_status, events=list(events), cited_by=cited_by,
        family_size=family_size, source="test")
    store.upsert(session, [rec])
    session.flush()
    return rec


def fail_upsert_on(monkeypatch, call: int, error: Exception | None = None) -> None:
    """Make the register's upsert raise on its `call`-th call (a disk that fills during a load); the monkeypatch
    undoes it, or `monkeypatch.undo()` / setting store.upsert back."""
    from ipcity.patents.ingest import runner

    real_upsert, calls = store.upsert, {"n": 0}

    def failing_upsert(s, rows):
        calls["n"] += 1
        if calls["n"] == call:
            raise error or OSError("disk full")
        return real_upsert(s, rows)

    monkeypatch.setattr(runner.store, "upsert", failing_upsert)
