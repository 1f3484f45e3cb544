"""The register position of a patent (patents/position.py): pure derivation from a record and its entries."""

from __future__ import annotations

from datetime import date

from ipcity.patents import position as pos
from ipcity.patents.position import RegisterEntry, derive
from ipcity.patents.record import DESIGN, INVENTION, LAPSED, UTILITY, VALID, LegalEvent, PatentRecord

ON = date(2026, 11, 24)


def granted(**kw) -> PatentRecord:
    values = dict(pub_number="CN111111111B", office="CN", kind="B", patent_type=INVENTION,
                  app_number="CN202010001234.3", app_date=date(2020, 3, 2), grant_date=date(2022, 6, 7),
                  applicants=["甲公司"], legal_status=VALID, title="测试")
    values.update(kw)
    return PatentRecord(**values)


def test_a_granted_patent_in_force_with_its_term_and_patent_number():
    p = derive(granted(), [], ON)
    assert p.granted and p.in_force and p.ended_by == ""
    assert p.term_end == date(2040, 3, 1)  # Art 42: 20 years from filing, last day before the anniversary
    assert p.patent_number == "ZL202010001234.3"
    assert 13.2 < p.remaining_years < 13.3
    assert not p.licences and not p.pledges and not p.suspended and p.open_licence is None


def test_an_application_is_not_granted_and_has_no_fee_status():
    p = derive(granted(kind="A", grant_date=None, legal_status="pending"), [], ON)
    assert not p.granted and not p.in_force and p.fees is None


def test_terms_of_utility_models_and_designs_before_and_after_the_design_cut_off():
    assert derive(granted(patent_type=UTILITY, kind="U"), [], ON).term_end == date(2030, 3, 1)
    assert derive(granted(patent_type=DESIGN, kind="S"), [], ON).term_end == date(2030, 3, 1)
    late = granted(patent_type=DESIGN, kind="S", app_date=date(2021, 6, 1), app_number="CN202130001234.1")
    assert derive(late, [], ON).term_end == date(2036, 5, 31)


def test_expired_term_ends_the_patent_even_without_an_event():
    old = granted(app_date=date(2005, 1, 10), grant_date=date(2008, 1, 1))
    p = derive(old, [], ON)
    assert not p.in_force and p.ended_by == "expiry" and p.remaining_years == 0


def test_lapsed_status_names_the_latest_ending_event():
    rec = granted(legal_status=LAPSED, events=[LegalEvent("grant", date(2022, 6, 7)),
                                               LegalEvent("invalidation", date(2025, 1, 2))])
    p = derive(rec, [], ON)
    assert not p.in_force and p.ended_by == "invalidation"


def test_fee_status_from_payments_running_year_unpaid_is_in_grace_then_lapses():
    paid = RegisterEntry(pos.ANNUAL_FEE, date(2025, 2, 20), detail={"year": 6})
    # 2026-11-24 falls in patent year 7 (from 2026-03-02); its fee was due 2026-03-01.
    p = derive(granted(), [paid], ON)
    assert p.fees.current_year == 7 and p.fees.paid_through == 6 and p.fees.unpaid
    assert p.fees.due_on == date(2026, 3, 1) and p.fees.grace_ends == date(2026, 9, 1)
    # past the six-month grace period of Implementing Regulations Art 115 the patent has terminated
    assert not p.in_force and p.ended_by == "fee_lapse"
    in_grace = derive(granted(), [paid], date(2026, 5, 5))
    assert in_grace.in_force and in_grace.fees.unpaid
    paid7 = RegisterEntry(pos.ANNUAL_FEE, date(2026, 2, 20), detail={"year": 7})
    assert not derive(granted(), [paid, paid7], ON).fees.unpaid


def test_without_payment_records_fees_follow_the_legal_status():
    assert not derive(granted(), [], ON).fees.unpaid
    lapsed = granted(legal_status=LAPSED, events=[LegalEvent("fee_lapse", date(2025, 4, 1))])
    p = derive(lapsed, [], ON)
    assert p.fees.unpaid and not p.fees.from_payments and p.ended_by == "fee_lapse"


def test_licences_pledges_and_suspensions_count_only_while_in_force():
    entries = [
        RegisterEntry(pos.LICENCE, date(2023, 1, 1), date(2027, 1, 1), detail={"licence_type": pos.EXCLUSIVE}),
        RegisterEntry(pos.LICENCE, date(2023, 1, 1), date(2025, 1, 1), detail={"licence_type": pos.SOLE}),
        RegisterEntry(pos.LICENCE, date(2024, 1, 1), None, detail={"licence_type": pos.ORDINARY}),
        RegisterEntry(pos.PLEDGE, date(2024, 1, 1), date(2026, 1, 1), detail={"pledgee": "乙银行"}),
        RegisterEntry(pos.PLEDGE, date(2025, 6, 1), date(2028, 6, 1), date(2026, 2, 1), detail={"pledgee": "丙银行"}),
        RegisterEntry(pos.PLEDGE, date(2026, 3, 1), date(2029, 3, 1), detail={"pledgee": "丁银行"}),
        RegisterEntry(pos.PRESERVATION, date(2026, 10, 1)),
        RegisterEntry(pos.SUSPENSION, date(2025, 1, 1), closed_on=date(2025, 6, 1)),
        RegisterEntry(pos.INVALIDATION_REQUEST, date(2026, 12, 1)),
    ]
    p = derive(granted(), entries, ON)
    assert len(p.licences) == 2 and [e.detail["licence_type"] for e in p.exclusive_licences] == [pos.EXCLUSIVE]
    assert [e.detail["pledgee"] for e in p.pledges] == ["丁银行"]
    assert p.suspended and [e.kind for e in p.suspensions] == [pos.PRESERVATION]
    assert p.invalidation_requests == ()  # starts after the day


def test_pledges_and_licences_from_the_publication_events():
    events = [LegalEvent("pledge", date(2023, 5, 1), "PE01", "专利权质押合同登记的生效"),
              LegalEvent("pledge", date(2024, 5, 1), "PC01", "专利权质押合同登记的注销"),
              LegalEvent("pledge", date(2025, 5, 1), "PE01", "专利权质押合同登记的生效"),
              LegalEvent("licence", date(2024, 2, 1), "EE01", "专利实施许可合同备案的生效 独占许可")]
    p = derive(granted(events=events), [], ON)
    assert [e.start for e in p.pledges] == [date(2025, 5, 1)]
    assert p.exclusive_licences and p.exclusive_licences[0].detail["licence_type"] == pos.EXCLUSIVE


def test_co_owned_and_open_licence():
    entry = RegisterEntry(pos.OPEN_LICENCE, date(2026, 1, 1), date(2030, 1, 1), reference="OL1")
    p = derive(granted(applicants=["甲公司", "乙大学"]), [entry], ON)
    assert p.co_owned and p.open_licence.reference == "OL1"
