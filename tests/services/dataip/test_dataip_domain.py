"""Pure rules of data-IP registration: numbers, dates, declared hashes, filing validation, the case type."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ipcity.core.config import Settings
from ipcity.services.dataip import casetypes, domain, numbering
from ipcity.workflow.definition import CALENDAR_DAYS, WORKING_DAYS


def settings(**values) -> Settings:
    return Settings(data_dir=Path("var"), database_url="sqlite://", **values)


def test_certificate_number_is_17_characters_year_month_body_serial():
    fmt = numbering.NumberFormat()
    assert fmt.certificate_number(2026, 3, 42) == "20260331000000042"
    with pytest.raises(ValueError):
        fmt.certificate_number(2026, 3, 10**7)


def test_a_body_code_of_another_width_keeps_17_characters():
    fmt = numbering.NumberFormat.from_settings(settings(dataip_body_code="44000"))
    assert len(fmt.certificate_number(2026, 12, 1)) == 17
    assert numbering.NumberFormat.from_settings(settings()) == numbering.NumberFormat()


def test_registration_number_has_16_characters_and_a_check_character():
    fmt = numbering.NumberFormat()
    number = fmt.registration_number(2026, "purchased", "natural_person", 123)
    assert len(number) == 16 and number[:4] == "2026" and number[4:6] == "03" and number[6] == "3"
    assert fmt.registration_serial(number) == 123
    assert numbering.is_valid_registration_number(number)
    for i in range(15):  # every single-character change is caught by MOD 37,36
        other = "0" if number[i] != "0" else "1"
        assert not numbering.is_valid_registration_number(number[:i] + other + number[i + 1:])
    assert not numbering.is_valid_registration_number(number[:15])


def test_a_format_that_cannot_give_16_characters_is_refused():
    with pytest.raises(ValueError):
        numbering.NumberFormat(registration_serial_width=9)


def test_validity_is_three_years_less_a_day_and_leap_days_fold():
    assert domain.validity_end(date(2026, 1, 10), 3) == date(2029, 1, 9)
    assert domain.validity_end(date(2028, 2, 29), 3) == date(2031, 2, 27)


def test_relock_ends_three_months_later_at_month_ends_too():
    assert domain.relock_ends(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert domain.relock_ends(date(2026, 5, 15), 3) == date(2026, 8, 15)


def test_renewal_opens_before_expiry():
    assert domain.renewal_opens(date(2029, 1, 9), 90) == date(2028, 10, 11)


def test_declared_hashes_accept_sha256sum_output_and_name_bad_lines():
    good = "A" * 64
    hashes, problems = domain.parse_declared(f"{good}  *data.parquet\n\n{'b' * 64}\nxyz file.csv\n")
    assert [(h.sha256, h.filename) for h in hashes] == [("a" * 64, "data.parquet"), ("b" * 64, "declared-3")]
    assert len(problems) == 1 and problems[0].params["n"] == 4


def test_validation_names_each_problem():
    ok = {"name": "n", "summary": "s", "scenario": "s", "source_description": "s", "lawful_statement": "s",
          "processing_rules": "p", "structure": "s", "data_format": "csv", "scale": "1", "category": "algorithm",
          "source_kind": "licensed", "update_frequency": "daily", "holder_type": "unincorporated",
          "industry_code": "c3963 智能无人飞行器制造", "accept_undertaking": "1"}
    assert domain.validate_filing(ok, evidence_count=1, has_sample=True) == []
    problems = dict(domain.validate_filing({**ok, "name": "x" * 101, "industry_code": "C9999"}, evidence_count=0,
                                           has_sample=False))
    assert set(problems) == {"name", "industry_code", "data_files", "sample"}


def test_industries_are_the_2017_edition():
    table = domain.industries()
    assert len(table) == 1971
    assert table["I6450"].name == "互联网数据服务" and table["M7520"].level == "小类"


def test_the_registration_case_type_uses_the_configured_limits():
    ct = casetypes.registration_type()
    defaults = {d.key: (d.amount, d.unit) for d in ct.deadlines}
    assert defaults["publicity"] == (15, CALENDAR_DAYS) and defaults["formal_review"] == (5, WORKING_DAYS)
    configured = settings(dataip_publicity_days=10, dataip_publicity_unit=WORKING_DAYS, dataip_objection_days=30)
    limits = {d.key: (r.amount, r.unit) for d in ct.deadlines for r in [d.in_force(configured)]}
    assert limits["publicity"] == (10, WORKING_DAYS)
    assert limits["objection_decision"] == (30, CALENDAR_DAYS)
    assert limits["formal_review"] == (5, WORKING_DAYS)
    assert {d.key: d.in_force(settings()).amount for d in ct.deadlines} == {k: a for k, (a, _u) in defaults.items()}
    assert {s.key for s in ct.states if s.final} == {"refused", "withdrawn", "cancelled", "revoked", "expired"}
    # withdrawal is possible from every state before registration and from none after
    assert set(ct.transition("withdraw").sources) == set(casetypes.BEFORE_REGISTRATION)


def test_rules_come_from_the_settings():
    rules = domain.Rules.from_settings(settings(dataip_publicity_days=10, dataip_relock_months=6))
    assert (rules.publicity_days, rules.relock_months, rules.validity_years) == (10, 6, 3)
    assert domain.Rules.from_settings(settings()) == domain.Rules()  # the settings' defaults are the rules' own
