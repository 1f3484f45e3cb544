"""The valuation formulas against hand-computed values: normalisers, weighted sums, redistribution of missing
weights, income approach, pledge rate, weights validation, field activity, history (claims parsing: the patent
engine, tests/patents/test_claims.py)."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.patents import position
from ipcity.patents.claims import parse_claims
from ipcity.patents.position import RegisterEntry
from ipcity.patents.record import LegalEvent, PatentRecord
from ipcity.services.pledge import domain as pledge_domain
from ipcity.services.valuation.domain import (
    BY_KEY,
    DEFAULT_SCENARIOS,
    ECONOMIC,
    FINANCE,
    GRACE,
    IN_FORCE,
    INDICATOR_KEYS,
    INDICATORS,
    LAPSED_STATUS,
    LEGAL,
    LEVELS,
    LICENSING,
    TECHNICAL,
    TRANSFER,
    Scenario,
)
from ipcity.services.valuation.field_activity import FieldActivity
from ipcity.services.valuation.history import history_of
from ipcity.services.valuation.income import IncomeInputs, income_value, validate_income
from ipcity.services.valuation.indicators import indicator_values
from ipcity.services.valuation.normalisers import Logistic, Piecewise
from ipcity.services.valuation.pledge_advice import pledge_advice, refusal_bars, refusal_reasons
from ipcity.services.valuation.scorecard import grade_of, score
from ipcity.services.valuation.weights import (
    DEFAULT_CONFIG,
    ValuationConfigError,
    load_config,
    parse_config,
    validate_scenario,
)

# --- normalisers -----------------------------------------------------------------------------------------


def test_piecewise_interpolates_and_is_flat_beyond_the_ends():
    f = Piecewise(((0, 0), (2, 20), (5, 50), (10, 80), (15, 100)))
    assert f(7.5) == pytest.approx(65.0)  # 50 + (80 − 50) × 2.5 / 5
    assert f(1) == pytest.approx(10.0)
    assert f(-3) == 0.0 and f(40) == 100.0
    decreasing = BY_KEY["first_claim_length"].normaliser
    assert decreasing(60) == 100 and decreasing(225) == pytest.approx(65.0)  # 80 + (50 − 80) × 75 / 150
    assert decreasing(30) == 100  # shorter than the first anchor: the broadest


def test_piecewise_refuses_bad_anchors():
    with pytest.raises(ValueError):
        Piecewise(((5, 0), (1, 100)))
    with pytest.raises(ValueError):
        Piecewise(((0, 0), (1, 120)))


def test_logistic_and_categories():
    f = Logistic(0.0, 0.08)
    assert f(0.0) == pytest.approx(50.0)
    assert f(0.08) == pytest.approx(100 / (1 + math.exp(-1)))  # 73.11
    assert f(-0.08) == pytest.approx(100 / (1 + math.exp(1)))  # 26.89
    status = BY_KEY["legal_status"].normaliser
    assert status(IN_FORCE) == 100 and status(GRACE) == 50 and status(LAPSED_STATUS) == 0
    assert status("something else") is None


def test_every_indicator_has_a_level_and_both_names():
    assert {i.level for i in INDICATORS} == set(LEVELS)
    assert all(i.name_zh and i.name_en for i in INDICATORS)
    assert len(set(INDICATOR_KEYS)) == len(INDICATORS)


# --- weighted sums and missing inputs ----------------------------------------------------------------------

SCENARIO = Scenario("test", "测试", "Test", {LEGAL: 0.5, TECHNICAL: 0.3, ECONOMIC: 0.2},
                      {"remaining_term": 0.6, "legal_status": 0.4, "cited_by": 1.0, "licences": 1.0})
VALUES = {"remaining_term": 7.5, "legal_status": IN_FORCE, "cited_by": 5, "licences": 1}


def test_weighted_sums_by_hand():
    card = score(VALUES, SCENARIO)
    levels = {lv.key: lv.score for lv in card.levels}
    assert levels[LEGAL] == pytest.approx(0.6 * 65 + 0.4 * 100)  # 79
    assert levels[TECHNICAL] == pytest.approx(60)  # cited_by 5 → 60
    assert levels[ECONOMIC] == pytest.approx(70)  # licences 1 → 70
    assert card.overall == pytest.approx(0.5 * 79 + 0.3 * 60 + 0.2 * 70)  # 71.5
    assert card.grade == "B"
    assert card.missing == ()


def test_a_missing_input_is_shown_missing_and_its_weight_redistributed_not_scored_zero():
    card = score(VALUES | {"legal_status": None}, SCENARIO)
    status = next(i for i in card.indicators if i.key == "legal_status")
    term = next(i for i in card.indicators if i.key == "remaining_term")
    assert status.missing and status.score is None and status.effective_weight == 0
    assert term.effective_weight == pytest.approx(1.0)  # 0.6 / 0.6
    legal = next(lv for lv in card.levels if lv.key == LEGAL)
    assert legal.score == pytest.approx(65.0)  # not 0.6 × 65 = 39, which scoring the missing input 0 would give
    assert legal.missing == ("legal_status",)
    assert card.overall == pytest.approx(0.5 * 65 + 0.3 * 60 + 0.2 * 70)  # 64.5
    assert card.missing == ("legal_status",)
    assert card.coverage == pytest.approx(1 - 0.5 * 0.4)  # the missing input carried 0.5 × 0.4 of the weight
    assert score(VALUES, SCENARIO).coverage == pytest.approx(1.0)


def test_a_level_with_every_input_missing_passes_its_weight_to_the_other_levels():
    card = score(VALUES | {"cited_by": None}, SCENARIO)
    technical = next(lv for lv in card.levels if lv.key == TECHNICAL)
    assert technical.score is None and technical.effective_weight == 0
    assert card.overall == pytest.approx((0.5 * 79 + 0.2 * 70) / 0.7)  # 76.43
    assert sum(lv.effective_weight for lv in card.levels) == pytest.approx(1.0)
    nothing = score({}, SCENARIO)
    assert nothing.overall is None and nothing.grade == "—"


def test_score_refuses_unknown_indicators():
    with pytest.raises(ValueError, match="unknown indicator"):
        score({"beauty": 3}, SCENARIO)


def test_grades():
    assert [grade_of(s) for s in (80, 79.9, 65, 50, 35, 10)] == ["A", "B", "B", "C", "D", "E"]


# --- scenarios and the weights file ------------------------------------------------------------------------

def test_built_in_scenarios_are_valid():
    assert set(DEFAULT_SCENARIOS) >= {FINANCE, LICENSING, TRANSFER}
    for scenario in DEFAULT_SCENARIOS.values():
        assert validate_scenario(scenario) == []


def test_weights_validation_names_each_fault():
    bad = Scenario("bad", "", "", {LEGAL: 0.5, TECHNICAL: 0.3, ECONOMIC: 0.3},
                     {"remaining_term": 0.7, "legal_status": 0.2, "cited_by": 1.0, "licences": 1.0})
    problems = validate_scenario(bad)
    assert any("first-level weights sum to 1.1" in p for p in problems)
    assert any("indicator weights of legal" in p and "0.9" in p for p in problems)
    negative = Scenario("neg", "", "", {LEGAL: 1.0}, {"remaining_term": 1.5, "legal_status": -0.5})
    assert any("legal_status must be a number ≥ 0" in p for p in validate_scenario(negative))
    unknown = Scenario("unk", "", "", {LEGAL: 1.0, "beauty": 0.0}, {"remaining_term": 1.0, "colour": 0.0})
    problems = validate_scenario(unknown)
    assert any("unknown indicator(s) colour" in p for p in problems)
    assert any("unknown first-level value(s) beauty" in p for p in problems)


def test_parse_config_refuses_a_bad_file_with_every_problem():
    with pytest.raises(ValuationConfigError) as err:
        parse_config({"scenarios": {"finance": {"levels": {"legal": 1.0},
                                                  "indicators": {"remaining_term": 1.0, "colour": 0.5}}},
                        "normalisers": {"size": {"kind": "piecewise", "points": [[0, 0], [1, 100]]},
                                        "cited_by": {"kind": "spline"}},
                        "extra": 1})
    text = str(err.value)
    assert "unknown indicator(s) colour" in text
    assert "normaliser for unknown indicator 'size'" in text
    assert "unknown normaliser kind 'spline'" in text
    assert "unknown section 'extra'" in text


FILE_WEIGHTS = {
    "scenarios": {
        "finance": {"levels": {"legal": 0.6, "technical": 0.2, "economic": 0.2},
                    "indicators": {"remaining_term": 0.5, "legal_status": 0.5, "cited_by": 1.0, "licences": 1.0}},
        "investment": {"name_zh": "出资", "name_en": "Capital contribution",
                       "levels": {"legal": 1.0, "technical": 0.0, "economic": 0.0},
                       "indicators": {"remaining_term": 1.0}},
    },
    "normalisers": {"cited_by": {"kind": "logistic", "midpoint": 5, "scale": 2}},
    "grades": {"good": 60, "poor": 0},
    "pledge_rates": [{"min_score": 50, "min_remaining_years": 1, "rate": 0.35}],
}


def test_weights_file_json_and_toml_override_the_defaults(tmp_path, monkeypatch):
    path = tmp_path / "weights.json"
    path.write_text(json.dumps(FILE_WEIGHTS), encoding="utf-8")
    config = load_config(path)
    assert config.source == str(path)
    assert config.scenario("finance").levels[LEGAL] == 0.6
    assert config.scenario("investment").name_zh == "出资"
    assert config.scenario("licensing") == DEFAULT_SCENARIOS["licensing"]  # untouched
    assert config.normalisers["cited_by"](5) == pytest.approx(50)
    card = score(VALUES, config.scenario("finance"), config)
    assert card.grade == "good"
    assert pledge_advice(55, 2, rules=config.pledge_rates).rate == 0.35
    toml = tmp_path / "weights.toml"
    toml.write_text('[scenarios.finance.levels]\nlegal = 1.0\ntechnical = 0\neconomic = 0\n'
                    '[scenarios.finance.indicators]\nremaining_term = 1.0\n', encoding="utf-8")
    assert load_config(toml).scenario("finance").weights == {"remaining_term": 1.0}
    toml.write_text('[scenarios.finance.levels]\nlegal = 0.5\n[scenarios.finance.indicators]\nremaining_term = 1\n',
                    encoding="utf-8")
    with pytest.raises(ValuationConfigError, match="first-level weights sum to 0.5"):
        load_config(toml)


def test_unknown_scenario_is_a_field_error():
    with pytest.raises(DomainError) as err:
        DEFAULT_CONFIG.scenario("gift")
    assert err.value.field == "scenario"


# --- income approach ----------------------------------------------------------------------------------------

def income(**kw) -> IncomeInputs:
    base = {"revenue": (1_000_000.0,), "royalty_rate": 0.05, "discount_rate": 0.10, "economic_life": 3.0,
            "tax_rate": 0.25}
    return IncomeInputs(**(base | kw))


def test_present_value_hand_worked():
    # cash = 1,000,000 × 5% × (1 − 25%) = 37,500 a year; PV = 37,500 × (1/1.1 + 1/1.21 + 1/1.331) = 93,256.95
    result = income_value(income(), remaining_years=12)
    assert [y.after_tax for y in result.years] == pytest.approx([37_500] * 3)
    assert result.present_value == pytest.approx(93_256.95, abs=0.01)
    assert not result.capped_by_term and result.life == 3


def test_growth_forecast_and_mid_year():
    grown = income_value(income(growth_rate=0.10), 12)  # growth equal to the discount rate: 34,090.91 each year
    assert grown.present_value == pytest.approx(3 * 37_500 / 1.1, abs=0.01)
    forecast = income_value(income(revenue=(1_000_000.0, 2_000_000.0), growth_rate=0.10, tax_rate=0.0), 12)
    assert [y.revenue for y in forecast.years] == pytest.approx([1_000_000, 2_000_000, 2_200_000])
    mid = income_value(income(economic_life=2.0, mid_year=True), 12)
    assert mid.present_value == pytest.approx(37_500 / 1.1 ** 0.5 + 37_500 / 1.1 ** 1.5)


def test_life_is_capped_by_the_remaining_legal_term():
    result = income_value(income(economic_life=8.0), remaining_years=2.5)
    assert result.capped_by_term and result.life == 2.5
    assert [y.fraction for y in result.years] == [1.0, 1.0, 0.5]
    assert result.present_value == pytest.approx(37_500 / 1.1 + 37_500 / 1.21 + 18_750 / 1.1 ** 2.5)
    assert income_value(income(), remaining_years=0).present_value == 0


def test_income_inputs_are_validated_field_by_field():
    with pytest.raises(DomainError) as err:
        validate_income({"revenue": "abc", "royalty_rate": "1.5", "discount_rate": "", "economic_life": "-2",
                           "tax_rate": "100%", "growth_rate": "x"})
    fields = {f for f, _ in err.value.problems}
    assert fields == {"revenue", "royalty_rate", "discount_rate", "economic_life", "tax_rate", "growth_rate"}
    labels = " ".join(str(m.params.get("label", "")) for _, m in err.value.problems)
    assert "提成率" in labels and "折现率" in labels and "所得税率" in labels


def test_income_inputs_accept_percentages_and_forecasts():
    got = validate_income({"revenue": "1,000,000 1200000；1500000", "royalty_rate": "5%",
                             "discount_rate": "0.12", "economic_life": "7.5", "mid_year": "on"})
    assert got.revenue == (1_000_000.0, 1_200_000.0, 1_500_000.0)
    assert got.royalty_rate == pytest.approx(0.05) and got.discount_rate == 0.12 and got.economic_life == 7.5
    assert got.mid_year and got.growth_rate == 0 and got.tax_rate == 0


# --- pledge rate ------------------------------------------------------------------------------------------

def test_pledge_rate_mapping():
    assert pledge_advice(82, 6).rate == 0.50
    assert pledge_advice(82, 4).rate == 0.40  # a short remaining term moves it down the table
    assert pledge_advice(70, 10, value=1_000_000).loan == pytest.approx(450_000)
    assert pledge_advice(40, 10).rate == 0.30
    low = pledge_advice(30, 10)
    assert low.rate == 0 and low.reasons
    thin = pledge_advice(95, 15, coverage=0.3)  # a high score from a few inputs is no basis for a loan
    assert thin.rate == 0 and "Too few inputs" in thin.reasons[0].msgid
    barred = pledge_advice(95, 15, refusals=[Msg("x")], value=100.0)
    assert barred.rate == 0 and barred.loan == 0


def _pos(record, entries=(), on=date(2026, 11, 24)):
    return position.derive(record, list(entries), on)


def rec(**kw) -> PatentRecord:
    base = {"pub_number": "CN110000001B", "kind": "B", "patent_type": "invention", "app_number": "CN202010000001.8",
            "app_date": date(2020, 3, 2), "grant_date": date(2022, 6, 7), "legal_status": "valid"}
    return PatentRecord(**(base | kw))


def test_refusal_grounds_give_a_rate_of_zero():
    pledged = RegisterEntry(position.PLEDGE, date(2025, 1, 1), date(2028, 1, 1), reference="P1")
    assert [b.key for b in refusal_bars(_pos(rec(), [pledged]))] == ["already_pledged"]
    lapsed = rec(legal_status="lapsed", events=[LegalEvent("fee_lapse", date(2024, 5, 1))])
    assert [b.ground for b in refusal_bars(_pos(lapsed))] == [2, 4]
    assert refusal_reasons(_pos(rec())) == [] and refusal_bars(_pos(rec())) == []


def test_an_unpaid_annual_fee_gets_no_pledge_rate_as_the_pledge_check_refuses_it():
    """Ground 4 (the demo's patent in its grace period): the valuation reads the pledge's own register check."""
    paid = RegisterEntry(position.ANNUAL_FEE, None, None, detail={"year": 6})  # year 7 began 2026-03-02
    pos = _pos(rec(applicants=["测试公司"]), [paid], on=date(2026, 5, 4))
    assert pos.in_force and pos.fees.unpaid  # in the six-month grace period: still in force, fee unpaid
    bars = refusal_bars(pos)
    advice = pledge_advice(95, 15, bars=bars, value=1_000_000.0)
    assert advice.barred and advice.rate == 0 and advice.loan == 0 and advice.rule is None
    [bar] = advice.bars
    assert (bar.key, bar.ground) == ("fees_unpaid", 4)
    assert bar.basis.render("en") == ("Measures for Patent Pledge Registration, refusal ground 4; "
                                      "Implementing Regulations of the Patent Law, Art 115")
    assert "year 7" in advice.reasons[0].render("en") and "ground 4" in advice.reasons[0].render("en")
    # The pledge registration refuses on the same ground, from the same check.
    facts = pledge_domain.PatentFacts(pledgor="测试公司", debt_end=date(2028, 1, 1))
    findings = pledge_domain.patent_findings(pos, facts)
    assert {f.ground for f in findings if f.stands_in_the_way} == {b.key for b in bars}
    assert pledge_advice(95, 15).rate == 0.50  # the same patent without the bar would get the top rate


# --- indicators from a record ------------------------------------------------------------------------------

ZH_CLAIMS = ("1. 一种固态电解质膜，其特征在于，颗粒的质量分数为20%~60%，厚度为1.5 mm。\n"
             "2、根据权利要求1所述的电解质膜，其特征在于，所述基体为聚环氧乙烷。\n"
             "3．如权利要求1或2所述的电解质膜，其特征在于，还包括涂层。\n"
             "4、一种权利要求1所述电解质膜的制备方法，包括流延和热压步骤。")
EN_CLAIMS = ("What is claimed is:\n1. A drone comprising a frame, four rotors and a camera.\n"
             "2. The drone of claim 1, wherein the camera is gimballed.\n"
             "3. A method of inspecting a power line using the drone of claim 1.")


def test_field_activity_percentiles_and_growth():
    rows = [("H01M", 2022, 30), ("H01M", 2023, 40), ("H01M", 2024, 50), ("H01M", 2019, 10), ("H01M", 2020, 10),
            ("H01M", 2021, 10), ("G06N", 2024, 5), ("A01B", 2023, 1), ("A01B", 2018, 99)]
    fa = FieldActivity.build(rows, last_year=2024)
    assert fa.recent("H01M") == 120 and fa.earlier("H01M") == 30
    assert fa.activity("H01M") == pytest.approx(100.0)  # the most active of 3 subclasses
    assert fa.activity("A01B") == pytest.approx(100 / 3)  # 1 of 3 has as many or fewer
    assert fa.activity("C07D") == 0.0  # none in the window: known, and the least active
    assert fa.growth("H01M") == pytest.approx(4 ** (1 / 3) - 1)  # (120 / 30)^(1/3) − 1 = 58.7 % a year
    assert fa.growth("G06N") is None  # under 10 earlier applications: not reliable, missing
    assert FieldActivity.build([], 2024).activity("H01M") is None


def test_history_counts_events_and_register_entries_once():
    record = rec(events=[LegalEvent("grant", date(2022, 6, 7)),
                         LegalEvent("licence", date(2023, 1, 5), "EE01", "专利实施许可合同备案的生效（独占许可）"),
                         LegalEvent("licence", date(2024, 1, 5), "EC01", "专利实施许可合同备案的注销"),
                         LegalEvent("pledge", date(2023, 3, 1), "PE01", "专利权质押合同登记的生效"),
                         LegalEvent("transfer", date(2023, 9, 1), "", "专利权的转移"),
                         LegalEvent("fee_lapse", date(2021, 9, 1), "CF01", "未缴年费专利权终止"),
                         LegalEvent("partial_invalidation", date(2024, 2, 1), "", "专利权部分无效")])
    entries = [RegisterEntry(position.PLEDGE, date(2023, 3, 1), reference="same as the event"),
               RegisterEntry(position.PLEDGE, date(2025, 5, 1), reference="P2"),
               RegisterEntry(position.LICENCE, date(2025, 1, 1), detail={"licence_type": "ordinary"}),
               RegisterEntry(position.PRESERVATION, date(2025, 2, 1), closed_on=date(2025, 8, 1)),
               RegisterEntry(position.INVALIDATION_REQUEST, date(2026, 1, 10))]
    h = history_of(record, entries)
    assert (h.transfers, h.licences, h.pledges) == (1, 3, 2)  # exclusive licence counts 2, ordinary 1
    assert (h.lapses, h.invalidations, h.disputes) == (1, 1, 2)
    values = indicator_values(record, _pos(record, entries), h, parse_claims(ZH_CLAIMS), None)
    assert values["licences"] == 3 and values["pledges"] == 2 and values["disputes"] == 2
    assert values["status_history"] == 2 and values["field_activity"] is None
    assert values["independent_claims"] == 2 and values["claim_count"] == 4


def test_a_record_without_events_or_entries_has_unknown_history_and_citations():
    record = rec(events=[], cited_by=None, family_size=None)
    values = indicator_values(record, _pos(record), history_of(record, []), None, None)
    for key in ("transfers", "licences", "pledges", "disputes", "status_history", "cited_by", "family_size",
                "claim_count"):
        assert values[key] is None, key
    assert values["remaining_term"] == pytest.approx((date(2040, 3, 1) - date(2026, 11, 24)).days / 365.25, abs=0.01)
    assert values["legal_status"] == IN_FORCE and values["patent_type"] == "invention"
    card = score(values, DEFAULT_SCENARIOS[FINANCE])
    assert "cited_by" in card.missing and card.overall is not None
    assert card.coverage == pytest.approx(0.45 * 0.25 + 0.45 * 0.20 + 0.25 * 0.15)  # term, status, type
