"""Applicant ranking, concentration, newcomers, kinds and the co-applicant network."""

from __future__ import annotations

import pytest

from ipcity.navigation.analyses.applicants import (
    ApplicantRank,
    ApplicantTypes,
    Concentration,
    Network,
    NetworkLink,
    YearNewcomers,
    applicant_types,
    co_applicant_network,
    concentration,
    newcomers,
    ranking,
)
from ipcity.patents.names import COMPANY, INDIVIDUAL, INSTITUTE, UNIVERSITY, applicant_kind
from ipcity.patents.record import LAPSED, PENDING, VALID
from tests.navigation.fixtures import rec, round_trip

A, B, C, D = "甲科技有限公司", "乙大学", "张三", "丙研究所"  # company, university, individual, institute


@pytest.fixture
def records():
    return [
        rec(1, applicants=[A, B], app_year=2018, legal_status=VALID),
        rec(2, applicants=[A], app_year=2019, legal_status=LAPSED),
        rec(3, applicants=[A, A], app_year=2020, legal_status=VALID),  # A listed twice: one application, not joint
        rec(4, applicants=[B, C], app_year=2019, legal_status=PENDING),
        rec(5, applicants=[C], legal_status=VALID),  # no year
        rec(6, app_year=2020),  # no applicant
        rec(7, applicants=[D], app_year=2017, legal_status=VALID),
    ]


def test_premise_kinds():
    assert [applicant_kind(n) for n in (A, B, C, D)] == [COMPANY, UNIVERSITY, INDIVIDUAL, INSTITUTE]


def test_ranking(records):
    rows = ranking(records)
    # A: records 1,2,3 → 3 of 7; valid 1,3; years 2018–2020
    assert rows[0] == ApplicantRank(A, 3, 3 / 7, 2018, 2020, COMPANY, 2)
    # B and C tie at 2: name ascending, 乙 (U+4E59) before 张 (U+5F20)
    assert rows[1] == ApplicantRank(B, 2, 2 / 7, 2018, 2019, UNIVERSITY, 1)
    assert rows[2] == ApplicantRank(C, 2, 2 / 7, 2019, 2019, INDIVIDUAL, 1)  # record 5 has no year
    assert rows[3] == ApplicantRank(D, 1, 1 / 7, 2017, 2017, INSTITUTE, 1)
    assert len(rows) == 4
    assert [r.name for r in ranking(records, top=2)] == [A, B]
    assert ranking(records, top=0) == [] and ranking([]) == []


def test_concentration(records):
    c = concentration(records)
    # credits A3 B2 C2 D1 = 8; shares .375 .25 .25 .125; HHI 37.5² + 25² + 25² + 12.5² = 2812.5
    assert c == Concentration(1.0, 1.0, pytest.approx(2812.5), 4, 8)
    # shares 0.5 / 0.25 / 0.25 → HHI 2500 + 625 + 625 = 3750
    three = concentration([rec(1, applicants=["X"]), rec(2, applicants=["X"]), rec(3, applicants=["Y"]),
                           rec(4, applicants=["Z"])])
    assert three.hhi == pytest.approx(3750) and three.cr4 == 1.0 and three.credits == 4
    # ten applicants with one credit each: CR4 0.4, CR8 0.8, HHI 10 × 10² = 1000
    ten = concentration([rec(i, applicants=[f"N{i}"]) for i in range(10)])
    assert (ten.cr4, ten.cr8, ten.hhi, ten.applicants) == (pytest.approx(0.4), pytest.approx(0.8),
                                                           pytest.approx(1000), 10)
    assert concentration([]) == Concentration(0.0, 0.0, 0.0, 0, 0)
    assert concentration([rec(1)]).credits == 0


def test_newcomers(records):
    # 2017 {D}; 2018 {A, B}; 2019 {A, B, C}; 2020 {A} (record 6 has nobody, record 5 no year)
    # first years: D 2017, A and B 2018, C 2019
    assert newcomers(records) == [YearNewcomers(2017, 1, 1), YearNewcomers(2018, 2, 2), YearNewcomers(2019, 1, 3),
                                  YearNewcomers(2020, 0, 1)]
    gap = newcomers([rec(1, applicants=["X"], app_year=2015), rec(2, applicants=["X", "Y"], app_year=2017)])
    assert gap == [YearNewcomers(2015, 1, 1), YearNewcomers(2016, 0, 0), YearNewcomers(2017, 1, 2)]
    assert newcomers([]) == []


def test_applicant_types(records):
    t = applicant_types(records)
    # company: 1, 2, 3; university: 1, 4; individual: 4, 5; institute: 7
    assert t.by_kind == {COMPANY: 3, UNIVERSITY: 2, "institute": 1, INDIVIDUAL: 2, "government": 0, "other": 0}
    assert (t.joint, t.with_applicants, t.total) == (2, 6, 7)  # joint: 1 and 4 (3 is A twice)
    # two companies on one application count once for company
    two = applicant_types([rec(1, applicants=[A, "乙科技有限公司"])])
    assert two.by_kind[COMPANY] == 1 and two.joint == 1


@pytest.fixture
def network_records():
    return [rec(1, applicants="AB"), rec(2, applicants="BA"), rec(3, applicants="AC"), rec(4, applicants="ABC"),
            rec(5, applicants="D"), rec(6, applicants="D"), rec(7, applicants="DE"), rec(8, applicants="CC")]


def test_network(network_records):
    # counts A4 B3 C3 D3 E1; top 3: A, then B, C, D tie at 3 → B, C
    net = co_applicant_network(network_records, top=3)
    assert [(n.id, n.count) for n in net.nodes] == [("A", 4), ("B", 3), ("C", 3)]
    # A–B on 1, 2, 4; A–C on 3, 4; B–C on 4; C–C (record 8) is no link; D–E is outside the top
    assert net.links == [NetworkLink("A", "B", 3), NetworkLink("A", "C", 2), NetworkLink("B", "C", 1)]
    two = co_applicant_network(network_records, top=2)
    assert [n.id for n in two.nodes] == ["A", "B"] and two.links == [NetworkLink("A", "B", 3)]
    four = co_applicant_network(network_records, top=4)
    assert [n.id for n in four.nodes][-1] == "D" and len(four.links) == 3  # D co-files only with E
    assert co_applicant_network([]) == Network([], [])


def test_round_trips(records, network_records):
    round_trip(list[ApplicantRank], ranking(records))
    round_trip(Concentration, concentration(records))
    round_trip(list[YearNewcomers], newcomers(records))
    round_trip(ApplicantTypes, applicant_types(records))
    round_trip(Network, co_applicant_network(network_records))
