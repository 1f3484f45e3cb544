"""The pure rules of open licensing: every eligibility ground with its article (and all of them at once), the
terms and their caps, licence-taking and the annual-fee effect (15 %, not stacked)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ipcity.core.config import Settings
from ipcity.patents import fees
from ipcity.patents.position import (
    EXCLUSIVE,
    LICENCE,
    OPEN_LICENCE,
    ORDINARY,
    PLEDGE,
    PRESERVATION,
    SOLE,
    SUSPENSION,
    FeeStatus,
    Position,
    RegisterEntry,
)
from ipcity.services.openlicense import domain

TODAY = date(2026, 11, 24)
RULES = domain.Rules()


def position(**changes) -> Position:
    base = Position(pub_number="CN110000001B", app_number="CN202010000001.X", patent_type="invention",
                    title="一种锂电池极片涂布装置", owners=("测试公司",), app_date=date(2020, 3, 2),
                    grant_date=date(2022, 6, 7), term_end=date(2040, 3, 1), granted=True, in_force=True, ended_by="",
                    fees=FeeStatus(7, None, date(2026, 3, 1), False, date(2026, 9, 1), False), licences=(),
                    pledges=(), suspensions=(), invalidation_requests=(), open_licence=None, on=TODAY)
    return replace(base, **changes)


def terms(**changes) -> domain.Terms:
    base = domain.Terms(mode=domain.LUMP_SUM, lump_sum=Decimal(100000), term_start=date(2026, 12, 1),
                        term_end=date(2030, 11, 30), other_terms="按年结算", contact="021-1234")
    return replace(base, **changes)


ME = domain.Declarant("测试公司")


def keys(grounds) -> list[str]:
    return [g.key for g in grounds]


def test_a_clean_patent_with_sound_terms_has_no_ground():
    assert domain.eligibility(position(), terms(), ME, rules=RULES) == []


@pytest.mark.parametrize(("changes", "key", "field", "article"), [
    ({"granted": False, "grant_date": None}, "not_granted", "patent_number", "Art 85"),
    ({"in_force": False, "ended_by": "fee_lapse"}, "not_in_force", "patent_number", "unpaid annual fees"),
    ({"in_force": False, "ended_by": "invalidation"}, "not_in_force", "patent_number", "invalidated"),
    ({"owners": ("别的公司",)}, "not_patentee", "patent_number", "Art 50"),
    ({"licences": (RegisterEntry(LICENCE, date(2024, 1, 1), date(2028, 1, 1), None, "L1",
                                 {"licence_type": EXCLUSIVE}),)}, "exclusive_licence", "patent_number", "Art 86(1)"),
    ({"licences": (RegisterEntry(LICENCE, date(2024, 1, 1), None, None, "L2", {"licence_type": SOLE}),)},
     "exclusive_licence", "patent_number", "Art 86(1)"),
    ({"suspensions": (RegisterEntry(SUSPENSION, date(2026, 1, 5)),)}, "suspended", "patent_number", "Art 86(2)"),
    ({"suspensions": (RegisterEntry(PRESERVATION, date(2026, 1, 5)),)}, "suspended", "patent_number", "Art 86(2)"),
    ({"fees": FeeStatus(7, 6, date(2026, 3, 1), True, date(2026, 9, 1), True)}, "fees_unpaid", "patent_number",
     "Art 86(3)"),
    ({"pledges": (RegisterEntry(PLEDGE, date(2025, 1, 1), None, None, "P1", {"pledgee": "测试银行"}),)}, "pledged",
     "consents", "Art 86(4)"),
    ({"term_end": date(2030, 1, 1)}, "term_beyond_life", "term_end", "Art 42"),
    ({"open_licence": RegisterEntry(OPEN_LICENCE, date(2025, 1, 1), date(2029, 1, 1), None, "OLD2025000001")},
     "already_open", "patent_number", "Art 50"),
    ({"patent_type": "utility"}, "report_missing", "evaluation_report", "Art 50"),
    ({"patent_type": "design"}, "report_missing", "evaluation_report", "Art 50"),
])
def test_each_ground_is_named_with_its_field_and_article(changes, key, field, article):
    grounds = domain.eligibility(position(**changes), terms(), ME, rules=RULES)
    assert keys(grounds) == [key]
    assert grounds[0].field == field
    assert article in grounds[0].message.render("en")


def test_an_ordinary_licence_is_no_obstacle():
    licence = RegisterEntry(LICENCE, date(2024, 1, 1), None, None, "L3", {"licence_type": ORDINARY})
    assert domain.eligibility(position(licences=(licence,)), terms(), ME, rules=RULES) == []


def test_pledgee_consent_must_name_each_pledgee_in_force():
    pledges = (RegisterEntry(PLEDGE, date(2025, 1, 1), None, None, "P1", {"pledgee": "测试银行"}),
               RegisterEntry(PLEDGE, date(2025, 2, 1), None, None, "P2", {"pledgee": "另一银行"}))
    p = position(pledges=pledges)
    one = domain.Declarant("测试公司", consents=frozenset({"测试银行"}))
    grounds = domain.eligibility(p, terms(), one, rules=RULES)
    assert keys(grounds) == ["pledged"] and "另一银行" in grounds[0].message.render("en")
    both = domain.Declarant("测试公司", consents=frozenset({"测试银行", "另一银行"}))
    assert domain.eligibility(p, terms(), both, rules=RULES) == []


def test_the_report_uploaded_satisfies_art_50():
    me = domain.Declarant("测试公司", has_report=True)
    assert domain.eligibility(position(patent_type="utility"), terms(), me, rules=RULES) == []


@pytest.mark.parametrize(("t", "field"), [
    (terms(lump_sum=Decimal(20_000_001)), "lump_sum"),
    (terms(mode=domain.RUNNING, lump_sum=None, rate=Decimal("20.5"), rate_basis=domain.NET_SALES), "rate"),
    (terms(mode=domain.RUNNING, lump_sum=None, rate=Decimal(41), rate_basis=domain.PROFIT), "rate"),
    (terms(mode=domain.ENTRY_PLUS_RUNNING, lump_sum=None, entry_fee=Decimal(30_000_000), rate=Decimal(3)),
     "entry_fee"),
])
def test_royalties_above_the_caps_are_refused(t, field):
    grounds = domain.eligibility(position(), t, ME, rules=RULES)
    assert keys(grounds) == ["royalty_cap"] and grounds[0].field == field
    assert "国知发运字〔2024〕19号" in grounds[0].message.render("en")


def test_caps_are_inclusive_and_configurable():
    at_cap = [terms(lump_sum=Decimal(20_000_000)),
              terms(mode=domain.RUNNING, lump_sum=None, rate=Decimal(20)),
              terms(mode=domain.RUNNING, lump_sum=None, rate=Decimal(40), rate_basis=domain.PROFIT)]
    for t in at_cap:
        assert domain.eligibility(position(), t, ME, rules=RULES) == []
    configured = Settings(data_dir=Path("var"), database_url="sqlite://", openlicense_max_rate_profit=Decimal(30),
                          openlicense_ad_words=("特惠",))
    assert domain.Rules.from_settings(replace(configured, openlicense_ad_words=None)).ad_words == RULES.ad_words
    rules = domain.Rules.from_settings(configured)
    assert keys(domain.eligibility(position(), at_cap[2], ME, rules=rules)) == ["royalty_cap"]
    assert keys(domain.eligibility(position(), terms(other_terms="限时特惠"), ME, rules=rules)) == ["advertising"]
    assert domain.eligibility(position(), terms(other_terms="全网最佳"), ME, rules=rules) == []


def test_advertising_language_is_refused_naming_the_words():
    grounds = domain.eligibility(position(), terms(other_terms="全网最佳技术，错过不再"), ME, rules=RULES)
    assert keys(grounds) == ["advertising"] and grounds[0].field == "other_terms"
    text = grounds[0].message.render("en")
    assert "最佳" in text and "全网" in text and "Art 85" in text


def test_every_failing_ground_is_named_not_just_the_first():
    p = position(owners=("别的公司",), patent_type="utility", term_end=date(2028, 1, 1),
                 licences=(RegisterEntry(LICENCE, date(2024, 1, 1), None, None, "L", {"licence_type": EXCLUSIVE}),),
                 suspensions=(RegisterEntry(SUSPENSION, date(2026, 1, 5)),),
                 fees=FeeStatus(7, 6, date(2026, 3, 1), True, date(2026, 9, 1), True),
                 pledges=(RegisterEntry(PLEDGE, date(2025, 1, 1), None, None, "P", {"pledgee": "测试银行"}),),
                 open_licence=RegisterEntry(OPEN_LICENCE, date(2025, 1, 1), None, None, "OLD1"))
    t = terms(lump_sum=Decimal(30_000_000), other_terms="顶级")
    # Co-ownership is asked of a declarant who is a patentee; this one is not (not_patentee).
    assert set(keys(domain.eligibility(p, t, ME, rules=RULES))) == set(domain.GROUNDS) - {"not_granted",
                                                                                          "not_in_force", "co_owned"}
    assert keys(domain.eligibility(position(granted=False, grant_date=None), t, ME, rules=RULES))[:1] == \
        ["not_granted"]


def test_a_co_owned_patent_is_declared_jointly_by_all_its_co_owners():
    """Patent Law Art 14: beyond exploiting it oneself or an ordinary licence, a co-owned right is exercised with
    the consent of all co-owners — an open licence declaration needs every co-owner's joint declaration."""
    shared = position(owners=("测试公司", "上海某大学", "某研究院"))
    alone = domain.eligibility(shared, terms(), ME, rules=RULES)
    assert keys(alone) == ["co_owned"] and alone[0].field == "co_owners"
    text = alone[0].message.render("en")
    assert "上海某大学、某研究院" in text and "Art 14" in text and "joint declaration" in text
    assert "Art 14" in domain.GROUNDS["co_owned"].render("en")
    one_missing = replace(ME, co_declarants=frozenset({"上海某大学"}))
    [ground] = domain.eligibility(shared, terms(), one_missing, rules=RULES)
    assert "某研究院" in ground.message.render("en") and "上海某大学" not in ground.message.render("en")
    jointly = replace(ME, co_declarants=frozenset({"上海某大学 ", "某研究院"}))  # names as the register writes them
    assert domain.eligibility(shared, terms(), jointly, rules=RULES) == []
    stranger = replace(ME, co_declarants=frozenset({"上海某大学", "某研究院", "别的公司"}))
    [ground] = domain.eligibility(shared, terms(), stranger, rules=RULES)
    assert "别的公司 is not a co-owner" in ground.message.render("en")
    assert domain.other_co_owners(shared, "测试公司") == ["上海某大学", "某研究院"]
    assert domain.other_co_owners(position(), "测试公司") == []
    assert domain.eligibility(position(), terms(), ME, rules=RULES) == []  # one owner: nothing asked


def test_another_declaration_being_examined_counts_as_already_open():
    grounds = domain.eligibility(position(), terms(), ME, rules=RULES, other_declaration="OLD2026000003")
    assert keys(grounds) == ["already_open"] and "OLD2026000003" in grounds[0].message.render("en")


def test_declarant_name_is_compared_without_spacing_or_bracket_width():
    p = position(owners=("演示科技有限公司（演示）",))
    assert domain.eligibility(p, terms(), domain.Declarant("演示科技有限公司(演示)"), rules=RULES) == []


# --- terms --------------------------------------------------------------------------------------------------

def test_parse_terms_names_every_bad_field():
    t, problems = domain.parse_terms({"mode": "", "lump_sum": "abc", "rate": "-1", "term_start": "2026-13-01",
                                      "term_end": "", "contact": "", "small_entity": "x"}, TODAY)
    assert t.mode == "" and t.lump_sum is None and t.term_start is None
    assert {f for f, _ in problems} == {"mode", "lump_sum", "rate", "term_start", "term_end", "contact",
                                        "small_entity"}


def test_parse_terms_requires_the_standard_of_the_mode_and_keeps_only_it():
    values = {"mode": domain.ENTRY_PLUS_RUNNING, "lump_sum": "5", "term_start": "2026-12-01",
              "term_end": "2027-12-01", "contact": "x"}
    t, problems = domain.parse_terms(values, TODAY)
    assert {f for f, _ in problems} == {"rate", "entry_fee"}
    t, problems = domain.parse_terms(values | {"rate": "3.5", "entry_fee": "1,000"}, TODAY)
    assert problems == [] and t.lump_sum is None and t.entry_fee == Decimal(1000) and t.rate == Decimal("3.5")
    assert t.fixed_fee == Decimal(1000)


def test_the_term_must_end_after_it_starts_and_not_be_over():
    base = {"mode": domain.LUMP_SUM, "lump_sum": "1", "contact": "x"}
    _, problems = domain.parse_terms(base | {"term_start": "2027-01-01", "term_end": "2026-12-31"}, TODAY)
    assert [f for f, _ in problems] == ["term_end"]
    _, problems = domain.parse_terms(base | {"term_start": "2020-01-01", "term_end": "2021-01-01"}, TODAY)
    assert [f for f, _ in problems] == ["term_end"]


# --- taking a licence and paying ----------------------------------------------------------------------------

def test_licence_notice_follows_the_published_terms():
    t = terms()
    ok = {"mode": domain.LUMP_SUM, "start_on": "2026-12-05", "products": "涂布设备", "contact": "x"}
    start, problems = domain.licence_problems(ok, terms=t, published_on=TODAY, today=TODAY, licensee="测试制造公司",
                                              owners=("测试公司",))
    assert problems == [] and start == date(2026, 12, 5)
    _, problems = domain.licence_problems(ok | {"mode": domain.RUNNING, "start_on": "2026-11-01", "products": ""},
                                          terms=t, published_on=TODAY, today=TODAY, licensee="测试制造公司",
                                          owners=("测试公司",))
    assert {f for f, _ in problems} == {"mode", "start_on", "products"}
    _, problems = domain.licence_problems(ok, terms=t, published_on=TODAY, today=TODAY, licensee="测试公司",
                                          owners=("测试公司",))
    assert problems and problems[0][0] is None
    _, problems = domain.licence_problems(ok | {"start_on": "2031-01-01"}, terms=t, published_on=TODAY, today=TODAY,
                                          licensee="测试制造公司", owners=("测试公司",))
    assert [f for f, _ in problems] == ["start_on"]


def test_payment_needs_an_amount_and_a_past_date():
    _, problems = domain.payment_problems({"amount": "0", "paid_on": "2026-12-01"}, TODAY)
    assert {f for f, _ in problems} == {"amount", "paid_on"}
    parsed, problems = domain.payment_problems({"amount": "12,500.50", "paid_on": "2026-11-20"}, TODAY)
    assert problems == [] and parsed == (Decimal("12500.50"), date(2026, 11, 20))


# --- annual fees (财税〔2024〕23号) ----------------------------------------------------------------------------

def test_open_licence_years_are_the_years_that_begin_while_it_is_in_effect():
    filed = date(2020, 3, 2)
    years = domain.open_licence_years(filed, [(date(2026, 1, 1), date(2028, 12, 31))], 20)
    assert years == {7, 8, 9}  # years starting 2026-03-02, 2027-03-02, 2028-03-02


def test_the_open_licence_15_percent_does_not_stack_with_small_entity_reductions():
    p = position()
    periods = [(date(2026, 1, 1), date(2040, 3, 1))]
    plain = domain.fee_schedule(p, "none", periods)
    year7 = next(y for y in plain if y.year == 7)
    assert year7.reduction == fees.OPEN_LICENCE and year7.payable == round(year7.full * 0.85)
    year5 = next(y for y in plain if y.year == 5)  # before the open licence
    assert year5.reduction is None and year5.payable == year5.full
    small = domain.fee_schedule(p, "single", periods)
    y7 = next(y for y in small if y.year == 7)
    assert y7.reduction == fees.SINGLE_SMALL and y7.payable == round(y7.full * 0.15)  # 85 % beats 15 %, no 100 %
    late = [y for y in small if y.reduction == fees.OPEN_LICENCE]
    assert late and all(y.starts >= date(2032, 6, 7) for y in late)  # after the 10 years of 费减, 15 % remains
    several = domain.fee_schedule(p, "several", periods)
    assert next(y for y in several if y.year == 7).reduction == fees.SEVERAL_SMALL


def test_no_schedule_without_a_grant():
    assert domain.fee_schedule(position(grant_date=None, granted=False), "none", []) == []
