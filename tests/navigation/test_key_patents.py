"""Most cited, largest families, legal status mix and patent operations."""

from __future__ import annotations

import pytest

from ipcity.core.numbers import DESIGN, INVENTION, UTILITY
from ipcity.navigation.analyses.key_patents import (
    UNKNOWN_TYPE,
    KeyPatent,
    Operations,
    OperationYear,
    StatusMix,
    largest_families,
    legal_status_mix,
    most_cited,
    operations,
)
from ipcity.patents.record import LAPSED, PENDING, UNKNOWN, VALID
from tests.navigation.fixtures import rec, round_trip


@pytest.fixture
def records():
    return [
        rec(1, cited_by=10, family_id="F1", family_size=5, app_year=2018, title="电池", applicants=["A"],
            legal_status=VALID, patent_type=INVENTION, events=["transfer", "licence", "transfer"]),
        rec(2, cited_by=10, family_id="F1", family_size=5, app_year=2018, legal_status=VALID, patent_type=INVENTION),
        rec(3, cited_by=3, family_size=7, app_year=2017, legal_status=LAPSED, patent_type=UTILITY, events=["pledge"]),
        rec(4, family_id="F2", family_size=2, app_year=2019, legal_status=PENDING, patent_type=INVENTION,
            events=["grant"]),
        rec(5, cited_by=0, family_id="F2", family_size=3, legal_status="weird", events=["transfer"]),
        rec(6, cited_by=25, app_year=2019, legal_status=VALID, patent_type=DESIGN, events=["licence", "pledge"]),
    ]


def pubs(rows):
    return [(r.pub_number[-4:], r.value) for r in rows]


def test_most_cited(records):
    # 6: 25; 1 and 2 tie at 10 (pub_number ascending); 3: 3. 4 (None) and 5 (0) are left out
    assert pubs(most_cited(records)) == [("006A", 25), ("001A", 10), ("002A", 10), ("003A", 3)]
    assert most_cited(records, top=2)[1] == KeyPatent("CN100000001A", "电池", ["A"], 2018, 10)
    assert most_cited([]) == [] and most_cited(records, top=0) == []


def test_largest_families(records):
    # F1: 1 and 2 both 5 → 1; F2: 5 (size 3) over 4 (size 2); 3 has no family_id: its own row; 6 has no size
    assert pubs(largest_families(records)) == [("003A", 7), ("001A", 5), ("005A", 3)]
    assert largest_families(records, top=1)[0].year == 2017
    assert largest_families([]) == []


def test_legal_status_mix(records):
    mix = legal_status_mix(records)
    # valid 1, 2, 6; lapsed 3; pending 4; "weird" (5) counts as unknown
    assert mix.overall == {VALID: 3, LAPSED: 1, PENDING: 1, UNKNOWN: 1} and mix.total == 6
    assert mix.by_type[INVENTION] == {VALID: 2, LAPSED: 0, PENDING: 1, UNKNOWN: 0}
    assert mix.by_type[UTILITY][LAPSED] == 1 and mix.by_type[DESIGN][VALID] == 1
    assert mix.by_type[UNKNOWN_TYPE] == {VALID: 0, LAPSED: 0, PENDING: 0, UNKNOWN: 1}  # 5 has no type
    empty = legal_status_mix([])
    assert empty.overall == dict.fromkeys((VALID, LAPSED, PENDING, UNKNOWN), 0)
    assert set(empty.by_type) == {INVENTION, UTILITY, DESIGN}


def test_operations(records):
    ops = operations(records)
    # transfer: 1 (twice, counted once), 5; licence: 1, 6; pledge: 3, 6; any: 1, 3, 5, 6 ("grant" is no operation)
    assert (ops.applications, ops.transfer, ops.licence, ops.pledge, ops.any) == (6, 2, 2, 2, 4)
    # by app_year: 2017 {3}; 2018 {1, 2}; 2019 {4, 6}; 5 has no year (totals only)
    assert ops.by_year == [OperationYear(2017, 1, 0, 0, 1, 1), OperationYear(2018, 2, 1, 1, 0, 1),
                           OperationYear(2019, 2, 0, 1, 1, 1)]
    assert operations([]) == Operations(0, 0, 0, 0, 0, [])


def test_round_trips(records):
    round_trip(list[KeyPatent], most_cited(records))
    round_trip(list[KeyPatent], largest_families(records))
    round_trip(StatusMix, legal_status_mix(records))
    round_trip(Operations, operations(records))
