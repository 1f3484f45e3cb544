"""Hand-built NavRecords for the analysis tests, and the JSON round trip every result type must survive."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from ipcity.navigation.model import NavRecord


def rec(n: int, **fields: Any) -> NavRecord:
    """Record number `n`: pub_number CN1000000{n:02}A, so numbers sort like n. Tuple fields may be given as
    lists, or as a string of one-letter names ("AB" → ("A", "B"))."""
    for key in ("ipc", "applicants", "inventors", "events"):
        if key in fields:
            fields[key] = tuple(fields[key])
    return NavRecord(pub_number=f"CN1000000{n:02}A", **fields)


def series(by_year: dict[int, tuple[int, int]], start: int = 0) -> list[NavRecord]:
    """For each year, (applications, applicants): applications spread over that many names of its own
    ("2019-0", "2019-1" …), so the year has exactly min(applications, applicants) distinct applicants."""
    records = []
    n = start
    for year, (apps, names) in by_year.items():
        for i in range(apps):
            records.append(NavRecord(pub_number=f"CN{n:09}A", app_year=year, applicants=(f"{year}-{i % names}",)))
            n += 1
    return records


def round_trip(result_type: Any, value: Any) -> Any:
    """Dump `value` to JSON with pydantic, check it is plain JSON, validate it back and compare."""
    adapter = TypeAdapter(result_type)
    data = adapter.dump_json(value)
    json.loads(data)  # plain JSON: no NaN, no non-string keys
    back = adapter.validate_json(data)
    assert back == value
    return back
