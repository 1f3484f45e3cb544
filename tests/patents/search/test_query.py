"""The patent query language: operators, fields, values, dates, errors, canonical text, descriptions.

Expected trees, dates and error offsets are worked out by hand from the query text (offsets are 0-based
character counts; a CJK character is one character).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipcity.patents.search import analysis, fields
from ipcity.patents.search.ast import And, DateRange, MatchAll, Not, Or, Phrase, Prefix, Term
from ipcity.patents.search.query import (
    MAX_DEPTH,
    QuerySyntaxError,
    describe,
    parse,
    pointer,
    simplify,
    strip_positions,
    terms_for_highlight,
    to_text,
)


def p(query: str):
    """The tree of `query` without positions, to compare with a hand-written tree."""
    return strip_positions(parse(query))


def tac(value: str) -> Term:
    return Term("tac", value)


def error_of(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    return caught.value


# ----------------------------------------------------------------------------------- empty and bare words

@pytest.mark.parametrize("query", ["", " ", "   \t\n", "\u3000\u3000"])
def test_empty_query_matches_all(query):
    assert parse(query) == MatchAll()


def test_bare_chinese_word_is_one_term_in_the_default_field_kept_as_typed():
    assert fields.DEFAULT_FIELD == "tac"
    assert parse("锂离子电池") == Term("tac", "锂离子电池", 0)


def test_bare_words_are_joined_by_and_with_their_offsets():
    assert parse("锂 电池  正极") == And((Term("tac", "锂", 0), Term("tac", "电池", 2), Term("tac", "正极", 6)))


def test_field_value_positions_point_at_the_value():
    assert parse("TI=电池 AND PA=华为") == And((Term("title", "电池", 3), Term("applicant", "华为", 13)))


# ----------------------------------------------------------------------------------- operators and precedence

@pytest.mark.parametrize(("query", "tree"), [
    ("a AND b", And((tac("a"), tac("b")))),
    ("a OR b", Or((tac("a"), tac("b")))),
    ("a && b", And((tac("a"), tac("b")))),
    ("a&&b", And((tac("a"), tac("b")))),
    ("a || b", Or((tac("a"), tac("b")))),
    ("a||b", Or((tac("a"), tac("b")))),
    ("NOT a", Not(tac("a"))),
    ("-a", Not(tac("a"))),
    ("!a", Not(tac("a"))),
    ("！a", Not(tac("a"))),
    ("a -b", And((tac("a"), Not(tac("b"))))),
    ("a NOT b", And((tac("a"), Not(tac("b"))))),
    ("a AND NOT b", And((tac("a"), Not(tac("b"))))),
    ("NOT a b", And((Not(tac("a")), tac("b")))),
    ("NOT (a b)", Not(And((tac("a"), tac("b"))))),
    ("-(a OR b)", Not(Or((tac("a"), tac("b"))))),
    ("a OR b c", Or((tac("a"), And((tac("b"), tac("c")))))),
    ("a b OR c", Or((And((tac("a"), tac("b"))), tac("c")))),
    ("a OR b AND c", Or((tac("a"), And((tac("b"), tac("c")))))),
    ("a OR NOT b", Or((tac("a"), Not(tac("b"))))),
    ("a OR b NOT c", Or((tac("a"), And((tac("b"), Not(tac("c"))))))),
    ("(a OR b) c", And((Or((tac("a"), tac("b"))), tac("c")))),
    ("a AND (b OR c)", And((tac("a"), Or((tac("b"), tac("c")))))),
    ("（a 或 b） c", And((Or((tac("a"), tac("b"))), tac("c")))),
    ("NOT NOT a", tac("a")),
    ("--a", tac("a")),
    ("a-b", tac("a-b")),  # a hyphen inside a word is text
    ("USB-C!", tac("USB-C!")),
])
def test_operators_and_precedence(query, tree):
    assert p(query) == tree


@pytest.mark.parametrize(("query", "tree"), [
    ("(a AND b) AND c", And((tac("a"), tac("b"), tac("c")))),
    ("a AND (b AND (c AND d))", And((tac("a"), tac("b"), tac("c"), tac("d")))),
    ("a OR (b OR c) OR d", Or((tac("a"), tac("b"), tac("c"), tac("d")))),
    ("((a))", tac("a")),
    ("(a OR b) AND (c OR d)", And((Or((tac("a"), tac("b"))), Or((tac("c"), tac("d")))))),
])
def test_nested_and_or_of_one_kind_are_flattened(query, tree):
    assert p(query) == tree


@pytest.mark.parametrize(("query", "tree"), [
    ("电池 与 电极", And((tac("电池"), tac("电极")))),
    ("电池 和 电极", And((tac("电池"), tac("电极")))),
    ("电池 或 电极", Or((tac("电池"), tac("电极")))),
    ("电池 非 电极", And((tac("电池"), Not(tac("电极"))))),
    ("非 电极", Not(tac("电极"))),
    ("(电池 或 电极)非 钠", And((Or((tac("电池"), tac("电极"))), Not(tac("钠"))))),
    # Inside a word they are text: 锂和钠 is one word, 或者 is not 或.
    ("锂和钠", tac("锂和钠")),
    ("电池或电极", tac("电池或电极")),
    ("或者 电池", And((tac("或者"), tac("电池")))),
])
def test_chinese_operator_words_only_stand_alone(query, tree):
    assert p(query) == tree


@pytest.mark.parametrize(("query", "tree"), [
    # A plain-text query: English words in any case but upper are words.
    ("salt and pepper", And((tac("salt"), tac("and"), tac("pepper")))),
    ("salt or pepper", And((tac("salt"), tac("or"), tac("pepper")))),
    ("does not rust", And((tac("does"), tac("not"), tac("rust")))),
    ("battery OR charger", Or((tac("battery"), tac("charger")))),
    ("battery NOT charger", And((tac("battery"), Not(tac("charger"))))),
    # A query with a field expression: and / or / not in any case are operators.
    ("TI=salt or AB=pepper", Or((Term("title", "salt"), Term("abstract", "pepper")))),
    ("TI=salt and not pepper", And((Term("title", "salt"), Not(tac("pepper"))))),
    ("TI=(salt Or pepper)", Or((Term("title", "salt"), Term("title", "pepper")))),
])
def test_lower_case_english_operators_only_in_queries_with_fields(query, tree):
    assert p(query) == tree


def test_uppercase_operator_words_inside_other_words_are_text():
    assert p("ANDROID ORACLE NOTE") == And((tac("ANDROID"), tac("ORACLE"), tac("NOTE")))
    assert p("电池AND电极") == tac("电池AND电极")


# ----------------------------------------------------------------------------------- fields

def _sample_value(field: fields.Field):
    if field.kind == fields.DATE:
        return "2020-05-01", DateRange(field.name, date(2020, 5, 1), date(2020, 5, 1))
    return "X1", Term(field.name, "X1")


@pytest.mark.parametrize("field", fields.FIELDS, ids=lambda f: f.name)
def test_every_alias_of_every_field_is_accepted_in_any_case(field):
    value, tree = _sample_value(field)
    for alias in (*field.aliases, field.name):
        for spelling in {alias, alias.lower(), alias.upper()}:
            for op in ("=", ":", "＝", "："):
                assert p(f"{spelling}{op}{value}") == tree, f"{spelling}{op}{value}"


@pytest.mark.parametrize(("query", "tree"), [
    ("TI=电池", Term("title", "电池")),
    ("ti=电池", Term("title", "电池")),
    ("发明名称=电池", Term("title", "电池")),
    ("title=电池", Term("title", "电池")),
    ("AB=电池", Term("abstract", "电池")),
    ("摘要：电池", Term("abstract", "电池")),
    ("CL=电池", Term("claims", "电池")),
    ("权利要求书=电池", Term("claims", "电池")),
    ("说明书=电池", Term("description", "电池")),
    ("TX=电池", Term("tac", "电池")),
    ("FT=电池", Term("fulltext", "电池")),
    ("全文=电池", Term("fulltext", "电池")),
    ("PA=华为", Term("applicant", "华为")),
    ("申请人=华为", Term("applicant", "华为")),
    ("申请（专利权）人=华为", Term("applicant", "华为")),
    ("申请(专利权)人=华为", Term("applicant", "华为")),
    ("申请（专利权）人 = 华为", Term("applicant", "华为")),
    ("IN=张三", Term("inventor", "张三")),
    ("发明人=张三", Term("inventor", "张三")),
    ("AGC=某某代理", Term("agency", "某某代理")),
    ("IPC=H01M10/0525", Term("ipc", "H01M10/0525")),
    ("分类号=H01M", Term("ipc", "H01M")),
    ("MC=H01M", Term("ipc_main", "H01M")),
    ("CPC=Y02E60/10", Term("cpc", "Y02E60/10")),
    ("LOC=12-08", Term("locarno", "12-08")),
    ("AN=CN202010123456.7", Term("app_number", "CN202010123456.7")),
    ("申请号=202010123456.7", Term("app_number", "202010123456.7")),
    ("PN=CN218751475U", Term("pub_number", "CN218751475U")),
    ("公开（公告）号=CN218751475U", Term("pub_number", "CN218751475U")),
    ("PT=发明", Term("type", "发明")),
    ("LS=有效", Term("status", "有效")),
    ("RC=310115", Term("region", "310115")),
    ("CC=CN", Term("office", "CN")),
    ("AD=2020", DateRange("app_date", date(2020, 1, 1), date(2020, 12, 31))),
    ("申请日=2020", DateRange("app_date", date(2020, 1, 1), date(2020, 12, 31))),
    ("PD=2021", DateRange("pub_date", date(2021, 1, 1), date(2021, 12, 31))),
    ("公开（公告）日=2021", DateRange("pub_date", date(2021, 1, 1), date(2021, 12, 31))),
    ("GD=2022", DateRange("grant_date", date(2022, 1, 1), date(2022, 12, 31))),
    ("授权公告日=2022", DateRange("grant_date", date(2022, 1, 1), date(2022, 12, 31))),
])
def test_field_codes_and_chinese_names(query, tree):
    assert p(query) == tree


@pytest.mark.parametrize("query", ["TI=电池", "TI:电池", "TI＝电池", "TI：电池", "TI = 电池", "TI =电池", "TI= 电池",
                                   "ＴＩ＝电池", "ti : 电池"])
def test_field_operator_spellings(query):
    assert p(query) == Term("title", "电池")


@pytest.mark.parametrize(("query", "tree"), [
    ("TI=(电池 OR 电极)", Or((Term("title", "电池"), Term("title", "电极")))),
    ("TI=（电池 或 电极）", Or((Term("title", "电池"), Term("title", "电极")))),
    ("TI=(电池 电极)", And((Term("title", "电池"), Term("title", "电极")))),
    ("TI=(电池 NOT 钠)", And((Term("title", "电池"), Not(Term("title", "钠"))))),
    ("TI=(电池 (正极 OR 负极))",
     And((Term("title", "电池"), Or((Term("title", "正极"), Term("title", "负极")))))),
    ("PA=(华为 OR \"ABBOTT LAB\")", Or((Term("applicant", "华为"), Phrase("applicant", "ABBOTT LAB")))),
    ("IPC=(H01M* OR H01G*)", Or((Prefix("ipc", "H01M"), Prefix("ipc", "H01G")))),
    ("TI=(电池 AB=电极)", And((Term("title", "电池"), Term("abstract", "电极")))),  # a field inside overrides
    ("AD=(2020 OR 2022-05)", Or((DateRange("app_date", date(2020, 1, 1), date(2020, 12, 31)),
                                 DateRange("app_date", date(2022, 5, 1), date(2022, 5, 31))))),
    ("TI=(电池) AND 钠", And((Term("title", "电池"), tac("钠")))),
    ("NOT TI=(电池 OR 电极)", Not(Or((Term("title", "电池"), Term("title", "电极"))))),
])
def test_field_groups(query, tree):
    assert p(query) == tree


@pytest.mark.parametrize(("query", "tree"), [
    # A colon after a word that is not a field is text, so pasted sentences still search.
    ("技术方案：一种电池", tac("技术方案：一种电池")),
    ("method: battery", And((tac("method:"), tac("battery")))),
    ("10:30", tac("10:30")),
    # Comparisons after a word that is not a field are text too.
    ("温度>100℃", tac("温度>100℃")),
    ("ratio 3=1", And((tac("ratio"), tac("3=1")))),
])
def test_colons_and_comparisons_after_non_fields_are_text(query, tree):
    assert p(query) == tree


# ----------------------------------------------------------------------------------- text and keyword values

@pytest.mark.parametrize(("query", "tree"), [
    ('TI="锂 电池"', Phrase("title", "锂 电池")),
    ("TI=“锂离子 电池”", Phrase("title", "锂离子 电池")),
    ('"lithium ion battery"', Phrase("tac", "lithium ion battery")),
    ("“石墨烯 负极”", Phrase("tac", "石墨烯 负极")),
    ('＂石墨烯＂', Phrase("tac", "石墨烯")),
    ('TI="say \\"hi\\""', Phrase("title", 'say "hi"')),
    ('"a" "b"', And((Phrase("tac", "a"), Phrase("tac", "b")))),
    ('一种“电池”', And((tac("一种"), Phrase("tac", "电池")))),
])
def test_quotes_make_phrases_on_text_fields(query, tree):
    assert p(query) == tree


@pytest.mark.parametrize(("query", "tree"), [
    ("TI=AND", Term("title", "AND")),  # a value attached to "=" is always a value
    ("TI=not", Term("title", "not")),
    ("TI=-5", Term("title", "-5")),
    ("TI=!x", Term("title", "!x")),
    ("TI=a\\ b", Term("title", "a b")),
    ("TI=\\(x\\)", Term("title", "(x)")),
    ("TI=x\\*", Term("title", "x*")),
    ("\\AND", tac("AND")),
    ("\\-a", tac("-a")),
    ("TI=E=mc2", Term("title", "E=mc2")),
])
def test_attached_and_escaped_values_are_literal(query, tree):
    assert p(query) == tree


@pytest.mark.parametrize(("query", "tree"), [
    ('PA="ABBOTT LAB"', Phrase("applicant", "ABBOTT LAB")),  # quoted: the exact name
    ('PA=“华为技术有限公司”', Phrase("applicant", "华为技术有限公司")),
    ("PA=huawei", Term("applicant", "huawei")),  # kept as typed: the backend normalises
    ("IPC=h01m10/0525", Term("ipc", "h01m10/0525")),
    ("IPC=H01M*", Prefix("ipc", "H01M")),
    ("IPC=H01M10/05*", Prefix("ipc", "H01M10/05")),
    ("PN=CN2187*", Prefix("pub_number", "CN2187")),
    ("PA=华为*", Prefix("applicant", "华为")),
    ('PA="ABBOTT LAB"*', Prefix("applicant", "ABBOTT LAB")),
    ('PA="A*B"', Phrase("applicant", "A*B")),  # inside quotes a star is a character
    ("PA=AT&T", Term("applicant", "AT&T")),
])
def test_keyword_values(query, tree):
    assert p(query) == tree


# ----------------------------------------------------------------------------------- dates

D = date


@pytest.mark.parametrize(("query", "low", "high"), [
    ("AD=2020", D(2020, 1, 1), D(2020, 12, 31)),
    ("AD=2020-05", D(2020, 5, 1), D(2020, 5, 31)),
    ("AD=2020-04", D(2020, 4, 1), D(2020, 4, 30)),
    ("AD=2020-02", D(2020, 2, 1), D(2020, 2, 29)),  # leap year
    ("AD=2021-02", D(2021, 2, 1), D(2021, 2, 28)),
    ("AD=1900-02", D(1900, 2, 1), D(1900, 2, 28)),  # century, not a leap year
    ("AD=2000-02", D(2000, 2, 1), D(2000, 2, 29)),  # divisible by 400: a leap year
    ("AD=2020-12", D(2020, 12, 1), D(2020, 12, 31)),
    ("AD=2020-05-01", D(2020, 5, 1), D(2020, 5, 1)),
    ("AD=2020-02-29", D(2020, 2, 29), D(2020, 2, 29)),
    ("AD=20200501", D(2020, 5, 1), D(2020, 5, 1)),
    ("AD=2020/5/1", D(2020, 5, 1), D(2020, 5, 1)),
    ("AD=2020.05.01", D(2020, 5, 1), D(2020, 5, 1)),
    ("AD=2020-5", D(2020, 5, 1), D(2020, 5, 31)),
    ("AD=2020年5月1日", D(2020, 5, 1), D(2020, 5, 1)),
    ("AD=2020年5月", D(2020, 5, 1), D(2020, 5, 31)),
    ("AD=2020年", D(2020, 1, 1), D(2020, 12, 31)),
    ("AD=２０２０－０５", D(2020, 5, 1), D(2020, 5, 31)),  # full-width digits and hyphen
    ('AD="2020-05-01"', D(2020, 5, 1), D(2020, 5, 1)),
    ("AD = 2020", D(2020, 1, 1), D(2020, 12, 31)),
    # comparisons: inclusive bounds of the whole period
    ("AD>=2020-01-01", D(2020, 1, 1), None),
    ("AD>=2020", D(2020, 1, 1), None),
    ("AD>2019", D(2020, 1, 1), None),
    ("AD>2020-02", D(2020, 3, 1), None),
    ("AD>2020-12-31", D(2021, 1, 1), None),
    ("AD>2020-02-28", D(2020, 2, 29), None),
    ("AD<2021", None, D(2020, 12, 31)),
    ("AD<2020-03", None, D(2020, 2, 29)),
    ("AD<2021-03-01", None, D(2021, 2, 28)),
    ("AD<=2020-05", None, D(2020, 5, 31)),
    ("AD<=2020", None, D(2020, 12, 31)),
    ("AD≥2020", D(2020, 1, 1), None),
    ("AD＞2019", D(2020, 1, 1), None),
    ("AD≤2020-06", None, D(2020, 6, 30)),
    ("AD＜＝2020-06", None, D(2020, 6, 30)),
    ("AD >= 2020", D(2020, 1, 1), None),
    # ranges
    ("AD=[2020-01-01 TO 2022-12-31]", D(2020, 1, 1), D(2022, 12, 31)),
    ("AD=[2020 TO 2022]", D(2020, 1, 1), D(2022, 12, 31)),
    ("AD=[2020 to 2022-06]", D(2020, 1, 1), D(2022, 6, 30)),
    ("AD=[2020-02 TO 2020-02]", D(2020, 2, 1), D(2020, 2, 29)),
    ("AD=[2020 TO *]", D(2020, 1, 1), None),
    ("AD=[* TO 2020-06]", None, D(2020, 6, 30)),
    ("AD=[ 2020 TO 2021 ]", D(2020, 1, 1), D(2021, 12, 31)),
    ("AD=[2020~2021]", D(2020, 1, 1), D(2021, 12, 31)),
    ("AD=2020~2022", D(2020, 1, 1), D(2022, 12, 31)),
    ("AD=2020～2022", D(2020, 1, 1), D(2022, 12, 31)),
    ("AD=2020..2022", D(2020, 1, 1), D(2022, 12, 31)),
    ("AD=2020.01..2020.02", D(2020, 1, 1), D(2020, 2, 29)),
    ("AD=2019-12-31~2020-01-01", D(2019, 12, 31), D(2020, 1, 1)),
    ("AD=2020~*", D(2020, 1, 1), None),
    ("AD=*~2020", None, D(2020, 12, 31)),
])
def test_dates(query, low, high):
    assert p(query) == DateRange("app_date", low, high)


def test_date_positions_are_those_of_the_value():
    assert parse("TI=x AD>=2020").children[1] == DateRange("app_date", D(2020, 1, 1), None, 9)
    assert parse("AD=[2020 TO 2021]") == DateRange("app_date", D(2020, 1, 1), D(2021, 12, 31), 3)


# ----------------------------------------------------------------------------------- errors

@pytest.mark.parametrize(("query", "kind", "pos"), [
    # parentheses: the unmatched one
    ("(a OR b", "unbalanced_parenthesis", 0),
    ("a OR b)", "unbalanced_parenthesis", 6),
    ("((a)", "unbalanced_parenthesis", 0),
    ("(a))", "unbalanced_parenthesis", 3),
    ("a AND (b OR (c)", "unbalanced_parenthesis", 6),
    ("TI=(a OR b", "unbalanced_parenthesis", 3),
    ("TI=(a OR b))", "unbalanced_parenthesis", 11),
    ("（电池", "unbalanced_parenthesis", 0),
    ("()", "empty_parentheses", 0),
    ("a ( ) b", "empty_parentheses", 2),
    ("TI=()", "empty_parentheses", 3),
    # quotes and brackets
    ('"abc', "unterminated_quote", 0),
    ('TI="锂 电池', "unterminated_quote", 3),
    ("a “abc", "unterminated_quote", 2),
    ('"a\\"', "unterminated_quote", 0),
    ("AD=[2020 TO 2022", "unterminated_range", 3),
    # fields
    ("XX=1", "unknown_field", 0),
    ("a E=mc2", "unknown_field", 2),
    ("TTI=电池", "unknown_field", 0),
    ("=电池", "missing_field", 0),
    ("a ＝ b", "missing_field", 2),
    # operators without operands
    ("TI=电池 AND", "missing_operand", 6),
    ("电池 OR", "missing_operand", 3),
    ("AND 电池", "missing_operand", 0),
    ("OR", "missing_operand", 0),
    ("AND", "missing_operand", 0),
    ("a AND OR b", "missing_operand", 2),
    ("(a AND) b", "missing_operand", 3),
    ("(OR a)", "missing_operand", 1),
    ("a ||", "missing_operand", 2),
    ("&& a", "missing_operand", 0),
    ("电池 或", "missing_operand", 3),
    ("和", "missing_operand", 0),
    ("NOT", "missing_operand", 0),
    ("a NOT", "missing_operand", 2),
    ("非", "missing_operand", 0),
    ("a AND NOT", "missing_operand", 6),
    ("-", "missing_operand", 0),
    ("a - b", "missing_operand", 2),
    ("(a !)", "missing_operand", 3),
    # empty values
    ("TI=", "empty_value", 3),
    ("TI= ", "empty_value", 3),
    ("TI=)", "empty_value", 3),
    ("(TI=)", "empty_value", 4),
    ("TI= AND b", "empty_value", 3),
    ("TI=&&b", "empty_value", 3),
    ("TI= PA=华为", "empty_value", 3),
    ('TI=""', "empty_value", 3),
    ('PA="  "', "empty_value", 3),
    ("PA=\\ ", "empty_value", 3),
    ("TI=\\\u3000", "empty_value", 3),
    ("AD>=", "empty_value", 4),
    # dates
    ("AD=2020-13-01", "bad_date", 3),
    ("AD=2020-00", "bad_date", 3),
    ("AD=2021-02-29", "bad_date", 3),
    ("AD=2020-04-31", "bad_date", 3),
    ("AD=2020-01-00", "bad_date", 3),
    ("AD=0000", "bad_date", 3),
    ("AD=abc", "bad_date", 3),
    ("AD=202005", "bad_date", 3),
    ("AD=2020-2022", "bad_date", 3),
    ("AD>9999-12-31", "bad_date", 3),
    ("AD<0001-01-01", "bad_date", 3),
    ("AD=[2020-13 TO 2022]", "bad_date", 4),
    ("AD=[2020 TO 2022-02-30]", "bad_date", 12),
    ("AD=2020~2021-13", "bad_date", 8),
    # ranges
    ("AD=[2022 TO 2020]", "bad_range", 3),
    ("AD=2022-05-02~2022-05-01", "bad_range", 3),
    ("AD=[2020 2022]", "bad_range", 3),
    ("AD=[2020 TO]", "bad_range", 3),
    ("AD=[* TO *]", "bad_range", 3),
    ("AD=2020~", "bad_range", 8),
    ("AD=~2020", "bad_range", 3),
    ("AD=2020 TO 2022", "bad_range", 8),
    ("AD>=2020~2021", "bad_range", 4),
    ("AD>=[2020 TO 2021]", "bad_range", 4),
    ("AD>=(2020)", "bad_range", 4),
    ("TI>=2020", "not_a_date_field", 0),
    ("PA<华为", "not_a_date_field", 0),
    ("PA=[a TO b]", "not_a_date_field", 3),
    ("[2020 TO 2021]", "not_a_date_field", 0),
    # wildcards
    ("TI=电池*", "bad_wildcard", 5),
    ("电池*", "bad_wildcard", 2),
    ("TI=(电池* OR 电极)", "bad_wildcard", 6),
    ('TI="锂 电池"*', "bad_wildcard", 9),
    ("IPC=*", "bad_wildcard", 4),
    ("IPC=H0*1", "bad_wildcard", 6),
    ("IPC=**", "bad_wildcard", 4),
    ("AD=2020*", "bad_wildcard", 7),
    ('AD="2020"*', "bad_wildcard", 9),
])
def test_errors_point_at_the_problem(query, kind, pos):
    error = error_of(query)
    assert (error.kind, error.pos) == (kind, pos)
    assert error.message_zh and error.message_en
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh)
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in error.message_en if ch not in query)
    assert error.message_zh in str(error) and error.message_en in str(error)
    assert str(error).index(error.message_zh) < str(error).index(error.message_en)  # Chinese first


def test_nesting_is_limited_instead_of_exhausting_the_stack():
    assert p("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH) == tac("a")
    assert (error_of("(" * 2000 + "a" + ")" * 2000).kind, error_of("(" * 2000 + "a").pos) == ("too_deep", MAX_DEPTH)
    assert error_of("NOT " * 2000 + "a").kind == "too_deep"
    assert error_of("-" * 2000 + "a").pos == MAX_DEPTH


def test_error_is_a_value_error_with_both_languages():
    error = error_of("(a OR b")
    assert isinstance(error, ValueError)
    assert error.message_zh == "括号不配对：这个“(”没有对应的“)”"
    assert error.message_en == "Unbalanced parentheses: this '(' is never closed"
    assert error.message("zh-CN") == error.message_zh and error.message("en") == error.message_en
    assert str(error) == ("括号不配对：这个“(”没有对应的“)”（第 1 个字符）/ "
                          "Unbalanced parentheses: this '(' is never closed (character 1)")


@pytest.mark.parametrize(("query", "suggested"), [
    ("ABS=电池", "AB"),
    ("TTI=电池", "TI"),
    ("IPCC=H01M", "IPC"),
    ("发明名城=电池", "发明名称"),
    ("申请人名=华为", "申请人"),
])
def test_unknown_field_suggests_close_codes(query, suggested):
    error = error_of(query)
    assert suggested in error.suggestions
    assert suggested in error.message_zh and suggested in error.message_en


def test_unknown_field_without_close_match_lists_common_codes():
    error = error_of("QQQQQQ=1")
    assert error.suggestions == ()
    assert "TI" in error.message_zh and "PA" in error.message_en


def test_messages_name_the_problem():
    assert "AND" in error_of("TI=电池 AND").message_en
    assert error_of("TI=电池 AND").message_zh == "“AND”后面缺少检索项"
    assert "2020-13-01" in error_of("AD=2020-13-01").message_zh
    assert "month" in error_of("AD=2020-13-01").message_en
    assert "28" in error_of("AD=2021-02-29").message_en
    assert "发明名称" in error_of("TI=电池*").message_zh and "Title" in error_of("TI=电池*").message_en
    assert "引号" in error_of("TI= AND b").message_zh  # tells how to search for the word itself


# ----------------------------------------------------------------------------------- pointer

def test_pointer_puts_the_caret_under_the_character():
    assert pointer("a OR b)", error_of("a OR b)")) == "a OR b)\n      ^"


def test_pointer_counts_wide_characters_as_two_columns():
    # "TI=" is 3 columns, "电池" 4, the space 1: AND begins at column 8.
    assert pointer("TI=电池 AND", error_of("TI=电池 AND")) == "TI=电池 AND\n        ^"


def test_pointer_at_the_end_and_with_line_breaks():
    assert pointer("TI=", error_of("TI=")) == "TI=\n   ^"
    assert pointer("a\n(b", 2) == "a (b\n  ^"


# ----------------------------------------------------------------------------------- canonical text

@pytest.mark.parametrize(("query", "text"), [
    ("", ""),
    ("锂离子电池", "锂离子电池"),
    ("ti=电池 and pa=华为", "TI=电池 AND PA=华为"),
    ("发明名称：电池", "TI=电池"),
    ("a b OR c", "(a AND b) OR c"),
    ("a OR b c", "a OR (b AND c)"),
    ("a -b", "a AND NOT b"),
    ("NOT (a OR b) c", "NOT (a OR b) AND c"),
    ("TI=(电池 或 电极)", "TI=(电池 OR 电极)"),
    ("TI=(电池 OR 电极) AND PA=华为", "TI=(电池 OR 电极) AND PA=华为"),
    ("NOT TI=(电池 OR 电极)", "NOT TI=(电池 OR 电极)"),
    ('PA="ABBOTT LAB"*', 'PA="ABBOTT LAB"*'),
    ("IPC=H01M*", "IPC=H01M*"),
    ("“锂 电池”", '"锂 电池"'),
    ("salt and pepper", "salt AND TX=and AND pepper"),
    ("AD=2020", "AD=2020"),
    ("AD=2020-02", "AD=2020-02"),
    ("AD=20200501", "AD=2020-05-01"),
    ("AD<2021", "AD<=2020-12-31"),
    ("AD>2019", "AD>=2020-01-01"),
    ("AD=2020~2022-06", "AD=[2020-01-01 TO 2022-06-30]"),
    ("申请日=[2020 TO 2022]", "AD=[2020-01-01 TO 2022-12-31]"),
])
def test_to_text_is_canonical(query, text):
    assert to_text(parse(query)) == text


ROUND_TRIP = [
    "锂离子电池", "锂 电池 正极", "TI=电池 AND PA=华为", "a OR b c NOT d", "(a OR b) (c OR d)",
    "NOT (a b) OR c", "TI=(电池 OR 电极) AND AB=(正极 NOT 负极)", "PA=(华为 OR \"ABBOTT LAB\"*)",
    'TI="锂 电池" OR "graphene anode"', "IPC=H01M* -IPC=H01M10/0525", "AN=CN202010123456.7",
    "AD=[2020-01-01 TO 2022-12-31] PD>=2021-06 GD<2023", "AD=(2020 OR 2021-02)", "salt and pepper",
    "Or not and", "TI=AND", "TI=-5", "TI=a\\ b\\(c\\)", "TI=x\\*", 'TI="say \\"hi\\" \\\\ ok"', "PA=AT&T",
    "TX=E=mc2", "电池 和 电极 或 钠 非 锂", "TI=（电池 或 电极）", "申请（专利权）人=华为", "\\AND", "\\[0001\\]",
]


@pytest.mark.parametrize("query", ROUND_TRIP)
def test_round_trip(query):
    tree = p(query)
    text = to_text(tree)
    assert p(text) == tree
    assert to_text(p(text)) == text  # canonical text is a fixed point


@pytest.mark.parametrize("tree", [
    Term("title", 'a b(c)"d"*\\'),
    Term("tac", "AND"),
    Term("tac", "和"),
    Term("tac", "-x"),
    Term("tac", "E=mc2"),
    Term("tac", "[0001]"),
    Term("tac", "&&"),
    Term("tac", " lead"),
    Term("abstract", "||x"),
    Prefix("applicant", "AT&&T"),
    Prefix("applicant", "ab*"),
    Term("applicant", 'say "hi"'),
    Term("applicant", "OR"),
    Phrase("abstract", 'x"y”z\\'),
    Or((Term("ipc", "H01M"), Prefix("ipc", "H01G"), Term("ipc", "A B"))),
    Or((Term("title", "x"), Term("title", "and"))),  # "and" cannot be bare inside a group
    And((Or((Term("title", "a"), Term("title", "b"))), Term("abstract", "x)"))),
    Not(And((Term("title", "a"), Term("title", "b")))),
])
def test_round_trip_of_awkward_trees(tree):
    assert p(to_text(tree)) == tree


def test_to_text_simplifies_first():
    tree = And((And((tac("a"), tac("b"))), Not(Not(tac("c")))))
    assert to_text(tree) == "a AND b AND c"
    assert simplify(tree) == And((tac("a"), tac("b"), tac("c")))


@pytest.mark.parametrize("tree", [
    Phrase("applicant", ""),
    Term("app_date", "2020"),
    DateRange("app_date", None, None),
    And((MatchAll(), tac("a"))),
])
def test_to_text_refuses_trees_parse_cannot_make(tree):
    with pytest.raises(ValueError):
        to_text(tree)


# ----------------------------------------------------------------------------------- highlight terms

def test_highlight_terms_are_analysed_tokens_of_positive_text_terms():
    # Snowball stems "Batteries" to "batteri"; the excluded, keyword and date parts give none.
    assert terms_for_highlight(parse("TI=Batteries NOT AB=charger PA=battery AD=2020")) == {"batteri"}
    assert terms_for_highlight(parse('"lithium batteries" OR anode')) == {"lithium", "batteri", "anod"}
    assert terms_for_highlight(parse("NOT (charger NOT battery)")) == {"batteri"}  # excluded twice
    assert terms_for_highlight(parse("")) == set()


def test_highlight_terms_of_chinese_use_query_tokens():
    assert terms_for_highlight(parse("锂离子电池 -钠")) == set(analysis.query_tokens("锂离子电池"))
    assert "钠" not in terms_for_highlight(parse("锂离子电池 -钠"))


# ----------------------------------------------------------------------------------- descriptions

def test_describe_in_chinese_and_english():
    tree = parse("发明名称=锂离子电池 AND AD=[2020-01-01 TO 2022-12-31]")
    assert describe(tree, "zh") == '发明名称 包含 "锂离子电池" 且 申请日 2020-01-01 至 2022-12-31'
    assert describe(tree, "en") == 'Title contains "锂离子电池" and Application date from 2020-01-01 to 2022-12-31'
    assert describe(tree, "zh-CN") == describe(tree, "zh")


@pytest.mark.parametrize(("query", "zh", "en"), [
    ("", "全部专利", "all patents"),
    ("电池", '标题、摘要、权利要求 包含 "电池"', 'Title, abstract, claims contains "电池"'),
    ('AB="锂 电池"', '摘要 包含短语 "锂 电池"', 'Abstract contains the phrase "锂 电池"'),
    ("PA=华为", '申请（专利权）人 为 "华为"', 'Applicant is "华为"'),
    ("IPC=H01M*", 'IPC分类号 以 "H01M" 开头', 'IPC starts with "H01M"'),
    ("PD>=2021", "公开（公告）日 不早于 2021-01-01", "Publication date on or after 2021-01-01"),
    ("GD<2021", "授权公告日 不晚于 2020-12-31", "Grant date on or before 2020-12-31"),
    ("AD=2020-05-01", "申请日 为 2020-05-01", "Application date on 2020-05-01"),
    ("TI=a OR TI=b NOT PA=c",
     '发明名称 包含 "a" 或 （发明名称 包含 "b" 且 非 申请（专利权）人 为 "c"）',
     'Title contains "a" or (Title contains "b" and not Applicant is "c")'),
    ("NOT (TI=a OR TI=b)", '非 （发明名称 包含 "a" 或 发明名称 包含 "b"）',
     'not (Title contains "a" or Title contains "b")'),
])
def test_describe(query, zh, en):
    tree = parse(query)
    assert describe(tree, "zh") == zh
    assert describe(tree, "en") == en


# ----------------------------------------------------------------------------------- properties

_TEXT_FIELDS = [f.name for f in fields.FIELDS if f.kind == fields.TEXT]
_KEYWORD_FIELDS = [f.name for f in fields.FIELDS if f.kind == fields.KEYWORD]
_DATE_FIELDS = [f.name for f in fields.FIELDS if f.kind == fields.DATE]
_AWKWARD = st.sampled_from(["a", "Z", "电", "池", "和", "或", "非", " ", "(", ")", "（", "）", '"', "“", "”", "\\", "*",
                            "-", "!", "=", ":", "：", "[", "]", "~", ".", "&", "|", "AND", "or", "Not", "TI", "2020",
                            "\u3000", "\n"])
_VALUE = st.lists(_AWKWARD, min_size=1, max_size=6).map("".join)
_NON_BLANK = _VALUE.filter(str.strip)
_DAY = st.dates(min_value=date(1, 1, 2), max_value=date(9999, 12, 30))


@st.composite
def _date_range(draw):
    low, high = draw(st.one_of(st.none(), _DAY)), draw(st.one_of(st.none(), _DAY))
    if low is None and high is None:
        low = draw(_DAY)
    if low and high and low > high:
        low, high = high, low
    return DateRange(draw(st.sampled_from(_DATE_FIELDS)), low, high)


_LEAF = st.one_of(
    st.builds(Term, st.sampled_from(_TEXT_FIELDS), _NON_BLANK),
    st.builds(Phrase, st.sampled_from(_TEXT_FIELDS), _NON_BLANK),
    st.builds(Term, st.sampled_from(_KEYWORD_FIELDS), _NON_BLANK),
    st.builds(Prefix, st.sampled_from(_KEYWORD_FIELDS), _NON_BLANK),
    _date_range(),
)
_TREE = st.recursive(_LEAF, lambda children: st.one_of(
    st.builds(Not, children),
    st.lists(children, min_size=2, max_size=4).map(lambda c: And(tuple(c))),
    st.lists(children, min_size=2, max_size=4).map(lambda c: Or(tuple(c))),
), max_leaves=8)

_PROPERTY = settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@_PROPERTY
@given(_TREE)
def test_property_to_text_parses_back_to_the_same_tree(tree):
    text = to_text(tree)
    assert p(text) == simplify(tree)
    assert to_text(p(text)) == text


@_PROPERTY
@given(st.one_of(st.lists(_AWKWARD | st.sampled_from(["AD=", "PA=", "IPC=", "H01M*", "XX=", ">=", "2020-05", " TO ",
                                                         "NOT ", " OR ", "申请（专利权）人="]),
                          max_size=12).map("".join),
                 st.text(max_size=30)))
def test_property_any_text_parses_or_fails_cleanly(query):
    try:
        tree = parse(query)
    except QuerySyntaxError as error:
        assert 0 <= error.pos <= len(query)
        assert error.message_zh and error.message_en
        assert pointer(query, error).count("\n") == 1
    else:
        text = to_text(tree)  # everything parse makes can be written back
        assert p(text) == strip_positions(tree)
