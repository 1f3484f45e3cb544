"""Topic definitions: every check names its field, and a valid form comes back cleaned."""

from __future__ import annotations

import pytest

from ipcity.core.errors import DomainError
from ipcity.navigation import domain
from ipcity.navigation.service import validate_definition


def problems(form: dict) -> dict[str, str]:
    with pytest.raises(DomainError) as info:
        validate_definition(form)
    return {field: msg.render("en") for field, msg in info.value.problems}


def test_query_topic_is_cleaned():
    d = validate_definition({"kind": "query", "query": "  TI=锂电池 AND AD>=2015 ", "nav_type": "regional",
                             "focus_region": "31", "start_year": "2015", "end_year": "2024"})
    assert (d.kind, d.query, d.nav_type, d.focus_region, d.start_year, d.end_year) == (
        "query", "TI=锂电池 AND AD>=2015", "regional", "31", 2015, 2024)


def test_query_syntax_error_names_the_position():
    found = problems({"kind": "query", "query": "TI=(电池"})
    assert "query" in found and "position" in found["query"]


def test_ipc_codes_are_normalised_and_bad_ones_named():
    d = validate_definition({"kind": "ipc", "ipc_codes": "h01m  H01M 10/0525, G06N"})
    assert d.ipc_codes == ["H01M", "H01M10/0525", "G06N"]
    assert "XYZ" in problems({"kind": "ipc", "ipc_codes": "H01M XYZ"})["ipc_codes"]


def test_sei_code_must_exist():
    assert validate_definition({"kind": "sei", "sei_code": "5.3", "sei_keywords": "on"}).sei_keywords is True
    assert "sei_code" in problems({"kind": "sei", "sei_code": "99.9"})


def test_numbers_accept_publication_and_application_numbers_in_any_spelling():
    d = validate_definition({"kind": "numbers",
                             "numbers": "CN 218751475 U\nUS20050286606A1, CN201910067706.2\nCN218751475U\nCN112345678"})
    assert d.numbers == ["CN218751475U", "US20050286606A1", "CN201910067706.2", "CN112345678"]


def test_unreadable_numbers_are_counted_and_shown():
    message = problems({"kind": "numbers", "numbers": "CN218751475U\nnot-a-number\n12"})["numbers"]
    assert "2 numbers" in message and "not-a-number" in message


def test_every_problem_is_reported_at_once():
    found = problems({"kind": "ipc", "ipc_codes": "", "focus_region": "999999", "start_year": "1800",
                      "nav_type": "nonsense"})
    assert set(found) == {"ipc_codes", "focus_region", "start_year", "nav_type"}


def test_period_must_not_end_before_it_starts():
    assert "end_year" in problems({"kind": "query", "query": "电池", "start_year": "2020", "end_year": "2010"})


def test_focus_may_be_a_division_or_a_country():
    assert validate_definition({"kind": "query", "query": "x", "focus_region": "310115"}).focus_region == "310115"
    assert validate_definition({"kind": "query", "query": "x", "focus_region": "FR"}).focus_region == "FR"
    assert "focus_region" in problems({"kind": "query", "query": "x", "focus_region": "fr"})


def test_kind_is_required():
    assert "kind" in problems({"query": "电池"})


def test_definition_round_trips_through_json():
    d = domain.TopicDefinition(kind="ipc", ipc_codes=["H01M"], focus_region="31", start_year=2010)
    assert domain.TopicDefinition.from_json(d.to_json() | {"unknown_key": 1}) == d
