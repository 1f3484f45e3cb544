"""Patent numbers: CN application numbers with their check character (rules.md §12.1, Appendix C) and
publication numbers of any office with kind codes (§12.2)."""

from __future__ import annotations

import csv
import gzip
import io

import pytest

from ipcity.core.numbers import (
    APPLICATION,
    CORRECTION,
    EXAMINED,
    GRANT,
    PARTIAL_INVALIDATION,
    NumberError,
    check_digit,
    parse_cn_application,
    parse_publication,
    patent_type_from_kind,
)
from ipcity.patents.record import DESIGN, INVENTION, UTILITY
from tests.conftest import shared_data

# rules.md Appendix C: number body and the check character CNIPA published with it.
APPENDIX_C = [
    ("201910067706", "2"),
    ("202211476956", "X"),
    ("202010714197", "0"),
    ("201811490544", "5"),
    ("201310304381", "8"),
    ("201310517820", "3"),
    ("201910218047", "8"),
    ("99811452", "9"),
]


@pytest.mark.parametrize(("body", "check"), APPENDIX_C)
def test_appendix_c_check_digits(body, check):
    assert check_digit(body) == check
    parsed = parse_cn_application(f"{body}.{check}")
    assert parsed.check == check
    assert parsed.formatted == f"CN{body}.{check}"
    assert parsed.compact == f"{body}{check}"
    assert parsed.patent_number == f"ZL{body}.{check}"


def test_check_digit_by_hand():
    # 2·2+3·0+4·1+5·9+6·1+7·0+8·0+9·6+2·7+3·7+4·0+5·6 = 178; 178 mod 11 = 2
    assert check_digit("201910067706") == "2"
    with pytest.raises(NumberError):
        check_digit("2019100677")
    with pytest.raises(NumberError):
        check_digit("20191006770A")


@pytest.mark.parametrize("body,check", APPENDIX_C)
def test_wrong_check_digits_are_rejected(body, check):
    for wrong in "0123456789X":
        if wrong == check:
            continue
        with pytest.raises(NumberError, match="校验位") as info:
            parse_cn_application(f"CN{body}.{wrong}")
        assert "check character" in str(info.value)
        assert f"expected {check}" in str(info.value)


@pytest.mark.parametrize("text", [
    "CN201910067706.2", "201910067706.2", "2019100677062", "ZL201910067706.2", "cn 2019 1006 7706.2",
    "ＣＮ２０１９１００６７７０６．２", "  zl201910067706.2 ",
])
def test_application_spellings(text):
    parsed = parse_cn_application(text)
    assert parsed.formatted == "CN201910067706.2"
    assert (parsed.year, parsed.type_digit, parsed.serial, parsed.check) == (2019, "1", "0067706", "2")
    assert parsed.patent_type == INVENTION and not parsed.pct


def test_lower_case_x_and_types():
    parsed = parse_cn_application("202211476956.x")
    assert parsed.check == "X" and parsed.formatted == "CN202211476956.X"
    assert parsed.patent_type == INVENTION  # 2022 1 1476956: type digit 1
    # The record.py sample CN202223220665.2, by hand: 2·2+3·0+4·2+5·2+6·2+7·3+8·2+9·2+2·0+3·6+4·6+5·5
    # = 156, 156 mod 11 = 2; type digit 2: a utility model.
    utility = parse_cn_application("CN202223220665.2")
    assert (utility.type_digit, utility.patent_type, utility.check) == ("2", UTILITY, "2")
    pct = parse_cn_application("99811452.9")  # pre-2003 form, type 8: PCT invention in the national phase
    assert (pct.year, pct.type_digit, pct.patent_type, pct.pct, pct.serial) == (1999, "8", INVENTION, True, "11452")
    assert pct.formatted == "CN99811452.9" and pct.compact == "998114529"


def test_round_trip():
    for body, check in APPENDIX_C:
        parsed = parse_cn_application(f"{body}{check}")
        assert parse_cn_application(parsed.formatted) == parsed
        assert parse_cn_application(parsed.compact) == parsed
        assert parse_cn_application(parsed.patent_number) == parsed


def test_check_character_may_be_computed_on_request():
    with pytest.raises(NumberError, match="check character missing"):
        parse_cn_application("201910067706")
    assert parse_cn_application("201910067706", require_check=False).formatted == "CN201910067706.2"
    # DOCDB-style export: no check character, an application kind letter after a space
    assert parse_cn_application("CN 200610167726 A", require_check=False).body == "200610167726"
    # a check character that is given is still verified
    with pytest.raises(NumberError):
        parse_cn_application("201910067706.3", require_check=False)


@pytest.mark.parametrize("text", [
    "", "CN", "20191006770.2", "201910067706.", "201910067706.22", "201940067706.4", "199910067706.1",
    "US201910067706.2", "2019100677O6.2", "ZL", "abc", "0481145X.1",
])
def test_malformed_applications(text):
    with pytest.raises(NumberError) as info:
        parse_cn_application(text)
    message = str(info.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message) and " / " in message  # Chinese, then English


@pytest.mark.parametrize(("text", "formatted", "office", "kind", "ptype"), [
    ("CN 218751475 U", "CN218751475U", "CN", "U", UTILITY),
    ("CN218751475U", "CN218751475U", "CN", "U", UTILITY),
    ("US 2005/0286606 A1", "US20050286606A1", "US", "A1", INVENTION),
    ("US20050286606", "US20050286606", "US", "", INVENTION),
    ("WO2016071291-A1", "WO2016071291A1", "WO", "A1", INVENTION),
    ("WO 2016/071291 A1", "WO2016071291A1", "WO", "A1", INVENTION),
    ("WO 96/04186", "WO1996004186", "WO", "", None),
    ("AT 399980 B", "AT399980B", "AT", "B", INVENTION),
    ("US06336130", "US6336130", "US", "", INVENTION),
    ("USD435854S1", "USD435854S1", "US", "S1", DESIGN),
    ("US D435,854 S", "USD435854S", "US", "S", DESIGN),
    ("EP 0631111 B1", "EP0631111B1", "EP", "B1", INVENTION),
    ("EP 0259054 B9 20031217", "EP0259054B9", "EP", "B9", INVENTION),  # Lens appends the correction date
    ("DE 202015001234 U1", "DE202015001234U1", "DE", "U1", UTILITY),
    ("KR 20150071694 A", "KR20150071694A", "KR", "A", INVENTION),
    ("TW M415289 U", "TWM415289U", "TW", "U", UTILITY),
    ("JPH05123456A", "JPH05123456A", "JP", "A", INVENTION),
    ("cn109903198a", "CN109903198A", "CN", "A", INVENTION),
    ("ＣＮ１１２０６１９１６Ｂ", "CN112061916B", "CN", "B", INVENTION),
])
def test_publication_samples(text, formatted, office, kind, ptype):
    parsed = parse_publication(text)
    assert parsed.formatted == formatted
    assert (parsed.office, parsed.kind, parsed.patent_type) == (office, kind, ptype)
    assert parsed.key_without_kind == (formatted[: -len(kind)] if kind else formatted)
    assert parse_publication(parsed.formatted) == parsed  # round trip


def test_cn_kind_code_meanings():
    """rules.md §12.2, including the 1993–2004 and 1985–1992 codes."""
    meaning = {n: parse_publication(n).kind_meaning for n in (
        "CN109903198A", "CN112061916B", "CN218751475U", "CN305123456S", "CN109903198A8", "CN112061916B9",
        "CN1247554C", "CN1247554C3", "CN2890826Y", "CN2890826Y1", "CN3123456D", "CN305123456S2", "CN85100001B",
        "CN87210123U")}
    assert meaning["CN109903198A"].stage == APPLICATION
    assert meaning["CN112061916B"].stage == GRANT and "授权" in meaning["CN112061916B"].zh
    assert meaning["CN218751475U"].stage == GRANT and meaning["CN305123456S"].stage == GRANT
    assert meaning["CN109903198A8"].stage == CORRECTION and meaning["CN112061916B9"].stage == CORRECTION
    assert meaning["CN1247554C"].stage == GRANT  # 1993–2004: C is the invention grant
    assert meaning["CN1247554C3"].stage == PARTIAL_INVALIDATION  # since 2004: C1–C7 partial invalidation
    assert meaning["CN2890826Y"].stage == GRANT and meaning["CN2890826Y1"].stage == PARTIAL_INVALIDATION
    assert meaning["CN3123456D"].stage == GRANT  # 1993–2004 design
    assert meaning["CN305123456S2"].stage == PARTIAL_INVALIDATION
    assert meaning["CN85100001B"].stage == EXAMINED  # 1985–1992: B was the examined application
    assert meaning["CN87210123U"].stage == APPLICATION  # 1985–1992: U before grant
    assert parse_publication("CN87210123U").patent_type == UTILITY  # type digit is the third in 1985–1992
    assert parse_publication("US6336130B1").kind_meaning is None  # only CN kind codes are interpreted


@pytest.mark.parametrize("text", [
    "", "garbage", "CN", "12345678", "XX1234567A", "CN218751475A",  # kind A with a utility-model number
    "CN118751475U", "CN12345A", "CN4123456A", "CN109903198Q", "CN305123456S8", "CN109903198B1",
    "US 2005/0286606/1 A1", "USX123456", "US123456S",  # US designs carry D
    "CN201910067706.2",
])
def test_garbage_publications(text):
    with pytest.raises(NumberError) as info:
        parse_publication(text)
    assert " / " in str(info.value)


def test_patent_type_from_kind():
    assert patent_type_from_kind("CN", "A") == INVENTION
    assert patent_type_from_kind("CN", "C2") == INVENTION
    assert patent_type_from_kind("CN", "Y") == UTILITY
    assert patent_type_from_kind("CN", "D") == DESIGN
    assert patent_type_from_kind("cn", "s") == DESIGN
    assert patent_type_from_kind("DE", "U1") == UTILITY
    assert patent_type_from_kind("KR", "S") == DESIGN
    assert patent_type_from_kind("US", "B2") == INVENTION
    assert patent_type_from_kind("EP", "D0") is None


def test_cn_titles_data_set_numbers_parse():
    """Real CN publication numbers (A / B / U kinds): each parses, and its type matches its first digit."""
    path = shared_data("cn-patent-titles-ipc") / "cn_titles_ipc_subclasses.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read()), delimiter="\t"))
    numbers = [r["publication_numbers"] for r in rows[:600]]
    assert len(numbers) == 600
    by_digit = {"1": INVENTION, "2": UTILITY, "3": DESIGN}
    kinds = set()
    for number in numbers:
        parsed = parse_publication(number)
        assert parsed.formatted == number
        assert parsed.kind in ("A", "B", "U")
        assert parsed.patent_type == by_digit[parsed.serial[0]]
        kinds.add(parsed.kind)
    assert kinds == {"A", "B", "U"}
