"""The pure rules of pledge registration: every refusal ground the register decides (rules.md §3.1, grounds
1–11) and every mandatory contract item (2010 Art 9, believed 2021 Art 8)."""

from __future__ import annotations

from datetime import date

import pytest

from ipcity.core.numbers import check_digit
from ipcity.patents.position import (
    ANNUAL_FEE,
    INVALIDATION_REQUEST,
    PLEDGE,
    PRESERVATION,
    SUSPENSION,
    RegisterEntry,
    derive,
)
from ipcity.patents.record import INVENTION, LAPSED, PENDING, UTILITY, VALID, LegalEvent, PatentRecord
from ipcity.services.pledge import domain

ON = date(2026, 11, 24)
OWNER = "测试公司"


def record(*, owners=(OWNER,), kind="B", patent_type=INVENTION, status=VALID, grant=date(2022, 6, 7), events=()):
    body = "202010000001"
    return PatentRecord(pub_number="CN111000001B", kind=kind, patent_type=patent_type,
                        app_number=f"CN{body}.{check_digit(body)}", app_date=date(2020, 3, 2), grant_date=grant,
                        title="一种装置", applicants=list(owners), legal_status=status, events=list(events))


def findings(rec=None, entries=(), on=ON, **facts):
    pos = derive(rec or record(), list(entries), on)
    return domain.patent_findings(pos, domain.PatentFacts(**({"pledgor": OWNER, "debt_end": date(2029, 1, 1)}
                                                             | facts)))


def grounds(found) -> list[str]:
    return [f.ground for f in found]


def test_a_clean_patent_has_no_finding():
    assert findings() == []


def test_ground_1_pledgor_not_the_recorded_patentee_at_filing():
    assert grounds(findings(pledgor="别人公司")) == [domain.NOT_PATENTEE]
    # judged at the time of application: owner then, even if the register changed since
    then = derive(record(), [], date(2026, 11, 1))
    found = domain.patent_findings(derive(record(owners=("新公司",)), [], ON),
                                   domain.PatentFacts(pledgor=OWNER, debt_end=None, at_filing=then))
    assert domain.NOT_PATENTEE not in grounds(found)
    assert grounds(findings(pledgor="测试公司 ")) == []  # spacing does not matter


def test_ground_2_terminated_or_invalidated():
    ended = record(status=LAPSED, events=(LegalEvent("invalidation", date(2025, 1, 1)),))
    assert grounds(findings(ended)) == [domain.TERMINATED]


def test_ground_3_not_granted():
    assert grounds(findings(record(kind="A", grant=None, status=PENDING))) == [domain.NOT_GRANTED]


def test_ground_4_annual_fee_unpaid():
    paid_to_6 = [RegisterEntry(ANNUAL_FEE, date(2025, 3, 1), detail={"year": 6})]
    # year 7 runs from 2026-03-02: unpaid in the six-month grace (Art 115), terminated after it
    assert grounds(findings(entries=paid_to_6, on=date(2026, 5, 1))) == [domain.FEES_UNPAID]
    assert grounds(findings(entries=paid_to_6)) == [domain.TERMINATED, domain.FEES_UNPAID]
    paid_to_7 = [RegisterEntry(ANNUAL_FEE, date(2026, 3, 1), detail={"year": 7})]
    assert findings(entries=paid_to_7) == []


@pytest.mark.parametrize("kind", [SUSPENSION, PRESERVATION])
def test_ground_5_suspension_or_preservation_freezes_pledges(kind):
    found = findings(entries=[RegisterEntry(kind, date(2026, 1, 1), reference="(2026)沪01民初1号")])
    assert grounds(found) == [domain.SUSPENDED] and "Art 105" in found[0].source
    lifted = [RegisterEntry(kind, date(2026, 1, 1), closed_on=date(2026, 6, 1))]
    assert findings(entries=lifted) == []


def test_ground_6_debt_period_beyond_the_patent_term():
    assert grounds(findings(debt_end=date(2040, 3, 2))) == [domain.DEBT_BEYOND_TERM]  # term ends 2040-03-01
    assert findings(debt_end=date(2040, 3, 1)) == []
    short = record(patent_type=UTILITY, kind="U")  # 10 years: ends 2030-03-01
    assert grounds(findings(short, debt_end=date(2031, 1, 1))) == [domain.DEBT_BEYOND_TERM]


def test_ground_8_co_owned_needs_every_other_co_owner_consent():
    co = record(owners=(OWNER, "某大学", "某研究所"))
    found = findings(co, consents=frozenset({"某大学"}))
    assert grounds(found) == [domain.NO_CO_OWNER_CONSENT] and "某研究所" in found[0].message.render("en")
    assert findings(co, consents=frozenset({"某大学", "某研究所"})) == []


def test_ground_9_already_pledged_but_not_by_itself():
    entry = RegisterEntry(PLEDGE, date(2025, 1, 1), date(2027, 1, 1), reference="Y20253100000001",
                          detail={"pledgee": "某银行"})
    assert grounds(findings(entries=[entry])) == [domain.ALREADY_PLEDGED]
    assert findings(entries=[entry], own_reference="Y20253100000001") == []
    ended = RegisterEntry(PLEDGE, date(2020, 1, 1), date(2025, 1, 1), reference="old")
    assert findings(entries=[ended]) == []  # out of its pledge period


def test_ground_10_same_day_filing_is_a_warning_the_parties_may_insist_on():
    found = findings(same_day_other=("ZL202020000001.2",))
    assert grounds(found) == [domain.SAME_DAY_DOUBLE] and found[0].severity == domain.WARNING
    assert domain.blocking(found) == found
    insisted = findings(same_day_other=("ZL202020000001.2",), insist_same_day=True)
    assert insisted[0].confirmed and domain.blocking(insisted) == []
    assert domain.other_type(UTILITY) == INVENTION and domain.other_type("design") is None


def test_ground_11_invalidation_pending_is_a_warning_the_parties_may_insist_on():
    entry = RegisterEntry(INVALIDATION_REQUEST, date(2026, 9, 1), reference="4W112233")
    found = findings(entries=[entry])
    assert grounds(found) == [domain.INVALIDATION_PENDING] and domain.blocking(found) == found
    assert domain.blocking(findings(entries=[entry], insist_invalidation=True)) == []


def test_every_ground_has_a_number_a_label_and_cites_its_source():
    assert [n for n, _l in domain.GROUNDS.values()] == list(range(1, 13))
    assert domain.grounds_check(["other", "already_pledged"]) is None
    assert domain.grounds_check(["nonsense"]) is not None


CONTRACT = {"pledgor_name": "测试公司", "pledgor_address": "上海", "pledgee_name": "测试银行",
            "pledgee_address": "上海",
            "claim_type": "loan", "amount": "5,000,000.00", "debt_start": "2026-12-01", "debt_end": "2029-11-30",
            "patents": "ZL202010000001.X", "guarantee_scope": "本金及利息"}


def test_a_complete_contract_has_no_problem():
    assert domain.contract_problems(CONTRACT) == []
    assert domain.contract_findings(CONTRACT) == []


@pytest.mark.parametrize("item", list(domain.CONTRACT_ITEMS))
def test_ground_7_each_mandatory_contract_item_is_required(item):
    problems = domain.contract_problems(CONTRACT | {item: ""})
    assert [f for f, _m in problems] == [item]
    assert [f.ground for f in domain.contract_findings(CONTRACT | {item: ""})] == [domain.CONTRACT_INCOMPLETE]


@pytest.mark.parametrize(("field", "value"), [("amount", "abc"), ("amount", "0"), ("amount", "1.234"),
                                              ("debt_start", "2026-13-01"), ("debt_end", "2026-11-30"),
                                              ("claim_type", "gift"), ("annual_fee_payer", "nobody"),
                                              ("transfer_allowed", "maybe")])
def test_malformed_contract_items_are_named(field, value):
    assert field in {f for f, _m in domain.contract_problems(CONTRACT | {field: value})}


def test_amounts_numbers_and_changes():
    assert domain.to_fen(domain.parse_amount("5,000,000.5")) == 500000050
    assert domain.yuan(500000050) == "5,000,000.50"
    assert domain.split_numbers("ZL1, ZL2；zl1\nZL3") == ["ZL1", "ZL2", "ZL3"]
    wanted, problems = domain.change_problems(CONTRACT, {"amount": "6000000", "pledgee_name": "测试银行"}, [])
    assert wanted == {"amount": "6000000"} and problems == []
    _w, problems = domain.change_problems(CONTRACT, {"debt_end": "2041-01-01"}, [date(2040, 3, 1)])
    assert [f for f, _m in problems] == ["debt_end"]
    assert domain.change_problems(CONTRACT, {}, [])[1][0][0] == "changes"
