"""IPC distribution and the code × year matrix."""

from __future__ import annotations

import pytest

from ipcity.navigation.analyses.technology import IpcCount, IpcYearMatrix, ipc_distribution, ipc_title, ipc_year_matrix
from tests.navigation.fixtures import rec, round_trip

H01M_ZH = "用于直接转变化学能为电能的方法或装置，例如电池组"


@pytest.fixture
def records():
    return [
        rec(1, ipc=["H01M10/0525", "H01M4/13", "H02J7/00"], app_year=2019),
        rec(2, ipc=["H01M10/054"], app_year=2020),
        rec(3, ipc=["H02J7/00", "H01M10/0525"], app_year=2020),
        rec(4, ipc=["G06N3/08"], app_year=2019),
        rec(5, app_year=2019),  # no IPC
        rec(6, ipc=["not-ipc"]),  # malformed, no year
        rec(7, ipc=["H01M"], app_year=2018),  # a subclass only
    ]


def counts(rows):
    return [(r.code, r.count, r.share) for r in rows]


def test_subclass(records):
    rows = ipc_distribution(records)
    # H01M on 1,2,3,7 (once for record 1 although it has two H01M symbols); H02J on 1,3; G06N on 4.
    # 5 records have a subclass (5 and 6 have none): shares 4/5, 2/5, 1/5
    assert counts(rows) == [("H01M", 4, 0.8), ("H02J", 2, 0.4), ("G06N", 1, 0.2)]
    assert rows[0].title == H01M_ZH
    assert ipc_distribution(records, lang="en")[0].title.startswith("PROCESSES OR MEANS, e.g. BATTERIES")


def test_main_group_and_ties(records):
    rows = ipc_distribution(records, level="main_group")
    # H01M10/00: 1,2,3; H02J7/00: 1,3; G06N3/00: 4; H01M4/00: 1. Record 7 (H01M) has no main group → 4 records.
    # G06N3/00 and H01M4/00 tie at 1: code ascending
    assert counts(rows) == [("H01M10/00", 3, 0.75), ("H02J7/00", 2, 0.5), ("G06N3/00", 1, 0.25),
                            ("H01M4/00", 1, 0.25)]
    assert rows[0].title == "二次电池；及其制造"
    # English titles stop at subclass: a main group falls back to its own Chinese title, not H01M's English one
    assert ipc_distribution(records, level="main_group", lang="en")[0].title == "二次电池；及其制造"


def test_main_only_section_class(records):
    # main symbols: H01M (1), H01M (2), H02J (3), G06N (4), H01M (7) → H01M 3; G06N and H02J 1 (code ascending)
    assert counts(ipc_distribution(records, main_only=True)) == [("H01M", 3, 0.6), ("G06N", 1, 0.2), ("H02J", 1, 0.2)]
    assert counts(ipc_distribution(records, level="section")) == [("H", 4, 0.8), ("G", 1, 0.2)]
    assert [(r.code, r.count) for r in ipc_distribution(records, level="class")] == [("H01", 4), ("H02", 2),
                                                                                      ("G06", 1)]


def test_top_and_bad_arguments(records):
    assert len(ipc_distribution(records, top=1)) == 1
    assert len(ipc_distribution(records, level="main_group", top=None)) == 4
    assert ipc_distribution([]) == [] and ipc_distribution([rec(1)]) == []
    with pytest.raises(ValueError):
        ipc_distribution(records, level="subgroup")
    with pytest.raises(ValueError):
        ipc_distribution(records, lang="fr")


def test_titles():
    assert ipc_title("H01M") == H01M_ZH
    assert ipc_title("H", "en") == "ELECTRICITY"
    assert ipc_title("H01L", "zh").startswith("SEMICONDUCTOR DEVICES")  # gone from 2026.01: only an English title


def test_year_matrix(records):
    m = ipc_year_matrix(records, top=2)
    # years of classified records with a year: 2018 (7), 2019 (1, 4), 2020 (2, 3)
    # H01M: 2018 1 (7), 2019 1 (1), 2020 2 (2, 3) = 4; H02J: 2019 1, 2020 1 = 2; G06N 1 is cut by top=2
    assert m == IpcYearMatrix("subclass", ["H01M", "H02J"], [2018, 2019, 2020], [[1, 1, 2], [0, 1, 1]])
    assert m.count("H02J", 2020) == 1
    chosen = ipc_year_matrix(records, top=2, years=[2020, 2019])
    assert (chosen.years, chosen.matrix) == ([2019, 2020], [[1, 2], [1, 1]])
    assert ipc_year_matrix(records, years=[2016]) == IpcYearMatrix("subclass", [], [2016], [])
    assert ipc_year_matrix([]) == IpcYearMatrix("subclass", [], [], [])


def test_round_trips(records):
    round_trip(list[IpcCount], ipc_distribution(records))
    round_trip(IpcYearMatrix, ipc_year_matrix(records))
