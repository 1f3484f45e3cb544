"""Settings are read once, in core/config.py: defaults, and a clear error naming the variable when malformed."""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ipcity.core import clock
from ipcity.core.config import SettingError, Settings, load_settings

DERIVED = {"data_dir", "database_url", "secure_cookies"}  # from other settings, or resolved


@pytest.fixture
def clean_env(monkeypatch):
    for name in [n for n in os.environ if n.startswith("IPCITY_")]:
        monkeypatch.delenv(name)
    return monkeypatch


def test_an_empty_environment_gives_the_documented_defaults(clean_env, tmp_path):
    loaded = load_settings(data_dir=tmp_path)
    defaults = Settings(data_dir=tmp_path, database_url="")
    for f in dataclasses.fields(Settings):
        if f.name not in DERIVED:
            assert getattr(loaded, f.name) == getattr(defaults, f.name), f.name


def test_values_are_read_and_typed(clean_env, tmp_path):
    for name, value in {"IPCITY_TODAY": "2026-11-24", "IPCITY_DB_POOL_SIZE": "4", "IPCITY_DATAIP_PUBLICITY_UNIT":
                        "working_days", "IPCITY_OPENLICENSE_MAX_RATE_PROFIT": "30.5",
                        "IPCITY_OPENLICENSE_AD_WORDS": "特惠, 限时 ,", "IPCITY_DATAIP_KEY_FILE": "/keys/k.pem",
                        "IPCITY_VALUATION_MIN_COVERAGE": "0.5", "IPCITY_PLEDGE_NUMBER_FORMAT": "ZY{year}{serial:05d}",
                        "IPCITY_WORKPLAN_REVIEW_DAYS": " 7 "}.items():
        clean_env.setenv(name, value)
    s = load_settings(data_dir=tmp_path)
    assert s.today == date(2026, 11, 24) and s.db_pool_size == 4 and s.dataip_publicity_unit == "working_days"
    assert s.openlicense_max_rate_profit == Decimal("30.5") and s.openlicense_ad_words == ("特惠", "限时")
    assert s.dataip_key_file == Path("/keys/k.pem") and s.valuation_min_coverage == 0.5
    assert s.pledge_number_format == "ZY{year}{serial:05d}" and s.workplan_review_days == 7
    clean_env.setenv("IPCITY_OPENLICENSE_AD_WORDS", "")
    assert load_settings(data_dir=tmp_path).openlicense_ad_words == ()  # set but empty: no words at all


@pytest.mark.parametrize("name, value", [
    ("IPCITY_WORKPLAN_REVIEW_DAYS", "ten"),
    ("IPCITY_PLEDGE_DECISION_DAYS", "-1"),
    ("IPCITY_DB_POOL_SIZE", "0"),
    ("IPCITY_TODAY", "24/11/2026"),
    ("IPCITY_DATAIP_PUBLICITY_UNIT", "weeks"),
    ("IPCITY_DATAIP_BODY_CODE", "31-00"),
    ("IPCITY_OPENLICENSE_MAX_FIXED_YUAN", "lots"),
    ("IPCITY_OPENLICENSE_MAX_RATE_NET_SALES", "0"),
    ("IPCITY_VALUATION_MIN_COVERAGE", "1.5"),
    ("IPCITY_PLEDGE_NUMBER_FORMAT", "Y{year}{number}"),
    ("IPCITY_PLEDGE_NUMBER_FORMAT", "Y{year}"),
])
def test_a_malformed_value_stops_the_start_naming_the_variable(clean_env, tmp_path, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(SettingError, match=name):
        load_settings(data_dir=tmp_path)


def test_the_pinned_today_is_the_settings_and_is_set_at_start_up(clean_env, tmp_path):
    from ipcity.web.app import build_services

    pinned = date(2026, 11, 24)
    services = build_services(load_settings(data_dir=tmp_path, today=pinned, run_worker=False))
    try:
        assert clock.today() == pinned
    finally:
        services.db.dispose()
    clean_env.setenv("IPCITY_TODAY", "2020-01-01")  # read at start-up only: the environment later changes nothing
    assert clock.today() == pinned
