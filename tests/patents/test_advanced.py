"""The advanced search form: the expression it builds (always one the parser reads back as the form meant, whatever
a value holds), the form page, the IPC browser and the pickers' suggestions."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, urlparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ipcity.core.i18n import Msg
from ipcity.patents import advanced
from ipcity.patents.advanced import FormProblems, Row, build_expression
from ipcity.patents.search import fields
from ipcity.patents.search.ast import And, DateRange, Not, Or, Phrase, Prefix, Term
from ipcity.patents.search.query import parse, strip_positions

HOSTILE = ['"', "(", ")", "-", "=", "a\"b", "AND", "OR", "NOT", "\\", "x\\", "[2020", "&&", "||", "：", "”", "“",
           "TI=x", "-x", "x)", "(x", "a OR b", "E=mc2", "非", "或", "!", "~", "..", "'", "＂", "a b  c", "*x",
           "x*y", "PA:华为", ">=2020", "\\\"", "一种(电池)", '"ABBOTT" LAB', "[2020 TO 2021]", "a\tb"]


def tree(text: str):
    return strip_positions(parse(text))


def problems_of(exc: FormProblems) -> dict[str | None, str]:
    return {f: m.render("en") for f, m in exc.problems}


# --- the builder (no database) -----------------------------------------------------------------------------

@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("code", ["TX", "TI", "PA", "IN", "AN", "PN", "CPC"])
def test_a_hostile_value_is_text_that_parses_back_to_itself(code, value):
    f = fields.lookup(code)
    expression = build_expression([Row(code, value)])
    node = tree(expression)
    assert isinstance(node, (Term, Phrase, Prefix)) and node.field == f.name
    expected = value.strip()
    if f.kind == fields.KEYWORD and expected.endswith("*"):
        assert isinstance(node, Prefix)
        expected = expected.rstrip("*").strip()
    if len(expected) >= 2 and expected[0] in '"“＂' and expected[-1] in '"”＂':
        assert isinstance(node, (Phrase, Prefix))
        expected = expected[1:-1].strip()
    assert node.value == expected


_PROPERTY = settings(max_examples=300, deadline=None, database=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow])
_AWKWARD = st.sampled_from(list('"“”＂()（）[]=＝:：*\\-!！&|<>~～ 　\t') + ["AND", "OR", "NOT", "&&", "||", " TO "])
_VALUES = st.lists(st.one_of(_AWKWARD, st.text(min_size=1, max_size=4)), min_size=1, max_size=8).map("".join)


@_PROPERTY
@given(st.lists(st.tuples(st.sampled_from(["TX", "TI", "AB", "PA", "IN", "IPC", "AN", "PN", "AD", "PD"]), _VALUES,
                          st.sampled_from(["AND", "OR", "NOT"])), min_size=1, max_size=5))
def test_whatever_is_typed_the_expression_parses_or_the_form_says_why(rows):
    try:
        expression = build_expression([Row(f, v, o) for f, v, o in rows])
    except FormProblems as exc:
        assert exc.problems and all(f and f.startswith(("value-", "field-", "op-")) or f is None
                                    for f, _ in exc.problems)
        return
    node = parse(expression)  # never raises
    assert parse(expression) == node


def test_rows_join_from_top_to_bottom():
    a, b, c = Row("TI", "电池"), Row("PA", "华为", "OR"), Row("IPC", "H01M", "AND")
    assert tree(build_expression([a, b, c])) == And((Or((Term("title", "电池"), Term("applicant", "华为"))),
                                                     Term("ipc", "H01M")))
    assert tree(build_expression([a, Row("TI", "钠", "NOT")])) == And((Term("title", "电池"), Not(Term("title", "钠"))))
    assert tree(build_expression([Row("TI", "钠", "NOT")])) == Not(Term("title", "钠"))
    # empty rows are left out; the expression groups a field's values as people write them
    assert build_expression([Row("TI", "电池"), Row("TI", " "), Row("TI", "电极", "OR")]) == "TI=(电池 OR 电极)"


def test_quotes_make_a_phrase_and_a_trailing_star_a_prefix():
    assert tree(build_expression([Row("TI", '"锂离子电池"')])) == Phrase("title", "锂离子电池")
    assert tree(build_expression([Row("PA", "“ABBOTT LAB”")])) == Phrase("applicant", "ABBOTT LAB")
    assert tree(build_expression([Row("PA", '"ABBOTT LAB"*')])) == Prefix("applicant", "ABBOTT LAB")
    assert tree(build_expression([Row("IPC", "H01M10/*")])) == Prefix("ipc", "H01M10/")
    # a star on a text field is text, not a wildcard
    assert tree(build_expression([Row("TI", "电池*")])) == Term("title", "电池*")


def test_dates_pickers_checkboxes_applicant_region_and_ipc():
    expression = build_expression([Row("TX", "无人机")], app_from="2020-01-01", app_to="2022-12-31",
                                  pub_from="2021-03-01", types=["invention", "utility"], statuses=["valid"],
                                  applicant="北京示例航空技术有限公司", region="浦东新区", ipc="B64D47/00")
    assert tree(expression) == And((
        Term("tac", "无人机"), DateRange("app_date", date(2020, 1, 1), date(2022, 12, 31)),
        DateRange("pub_date", date(2021, 3, 1), None), Or((Term("type", "发明"), Term("type", "实用新型"))),
        Term("status", "有效"), Term("applicant", "北京示例航空技术有限公司"), Term("ipc", "B64D47/00"),
        Term("region", "310115")))
    assert "AD=[2020-01-01 TO 2022-12-31]" in expression and "PD>=2021-03-01" in expression
    # every type ticked is no condition at all
    assert build_expression([Row("TI", "x")], types=list(advanced.TYPE_VALUES)) == "TI=x"
    assert tree(build_expression(region="310115 上海市浦东新区")) == Term("region", "310115")


def test_date_rows_read_dates_ranges_and_comparisons():
    assert tree(build_expression([Row("AD", "2020")])) == DateRange("app_date", date(2020, 1, 1), date(2020, 12, 31))
    assert tree(build_expression([Row("PD", ">=2021-05")])) == DateRange("pub_date", date(2021, 5, 1), None)
    assert tree(build_expression([Row("AD", "2019~2020")])) == DateRange("app_date", date(2019, 1, 1),
                                                                          date(2020, 12, 31))
    with pytest.raises(FormProblems) as caught:
        build_expression([Row("AD", "2020 OR TI=x")])
    assert set(problems_of(caught.value)) == {"value-1"}


def test_every_problem_is_named_by_its_field():
    with pytest.raises(FormProblems) as caught:
        build_expression([Row("XX", "a"), Row("TI", "b", "XOR"), Row("IPC", "H" * 80), Row("AD", "2020-13")],
                         app_from="2022-01-01", app_to="2021-01-01", pub_from="yesterday", types=["patent"],
                         region="Atlantis")
    found = problems_of(caught.value)
    assert set(found) == {"field-1", "op-2", "value-3", "value-4", "app_to", "pub_from", "types", "region"}
    assert "before the start date" in found["app_to"] and "Atlantis" in found["region"]
    # Chinese and English both: the parser's own messages carry both languages
    assert "/" in found["value-3"] and "字符" in found["value-3"]
    with pytest.raises(FormProblems) as caught:
        build_expression([Row("TI", "  ")])
    assert caught.value.message == Msg("Fill in at least one condition")


def test_the_whole_expression_is_bounded_by_the_search_limit():
    rows = [Row("TI", "很长的检索词" * 30, "OR") for _ in range(advanced.MAX_ROWS)]
    with pytest.raises(FormProblems) as caught:
        build_expression(rows, max_chars=2000)
    assert "2000" in caught.value.message.render("en")
    with pytest.raises(FormProblems):
        build_expression([Row("TI", "x" * (advanced.MAX_VALUE_CHARS + 1))])


def test_criteria_keep_rows_in_order_and_bounded():
    criteria = advanced.criteria_from(["TI", "PA", "IN"], ["", "华为", "  "], ["AND", "OR", "AND"],
                                      types=["invention"], junk="x")
    assert criteria.rows == [Row("PA", "华为", "OR")] and criteria.types == ["invention"]
    shown = criteria.shown_rows()
    assert shown[0] == Row("PA", "华为", "OR") and len(shown) == advanced.DEFAULT_ROWS
    many = advanced.criteria_from(["TI"] * 100, ["x"] * 100, ["AND"] * 100)
    assert len(many.rows) == advanced.MAX_ROWS + 1 and len(many.shown_rows()) == advanced.MAX_ROWS
    with pytest.raises(FormProblems) as caught:
        build_expression(many.rows)
    assert set(problems_of(caught.value)) == {f"value-{advanced.MAX_ROWS + 1}"}


def test_region_suggestions_and_codes():
    assert advanced.region_code("上海") == "31" and advanced.region_code("310115") == "310115"
    assert advanced.region_code("999999") is None and advanced.region_code("") is None
    found = advanced.suggest_regions("浦东")
    assert [s.value for s in found] == ["310115"] and found[0].label == "上海市浦东新区"
    assert len(advanced.suggest_regions("1")) == advanced.MAX_SUGGESTIONS
    assert [s.value for s in advanced.suggest_regions("上海")][:1] == ["31"]  # the province first


def test_ipc_reading():
    assert advanced.ipc_code("h01m 10/0525") == "H01M10/0525" and advanced.ipc_code("Z99") is None
    assert [e.code for e in advanced.ipc_path("H01M10/0525")] == ["H", "H01", "H01M", "H01M10/00", "H01M10/0525"]
    sections = advanced.ipc_children("")
    assert [e.code for e in sections] == list("ABCDEFGH") and sections[7].title_zh and sections[7].title_en
    found = advanced.ipc_search("锂离子 电池")
    assert "H01M10/0525" in [e.code for e in found]
    assert advanced.ipc_search("BATTERIES") and advanced.ipc_search("  ") == []
    assert [s.value for s in advanced.suggest_ipc("h01m10/052")][:1] == ["H01M10/052"]


# --- the pages (through the application) -------------------------------------------------------------------

@pytest.fixture
def searchable(app, client, loaded):
    return client


def _field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'class="field-error" data-field="([^"]+)">([^<]*)<', html))


def test_the_form_works_without_an_account(searchable):
    page = searchable.get("/patents/advanced")
    assert page.status_code == 200 and page.text.count('name="value"') == advanced.DEFAULT_ROWS
    assert 'type="date" name="app_from"' in page.text and 'list="region-options"' in page.text
    assert "<script>" not in page.text and "onclick" not in page.text  # the CSP allows no inline script
    assert '<option value="310115">' not in page.text and '<option value="3101">' not in page.text  # a grouping
    assert '<option value="31">上海市</option>' in page.text and '<option value="ABBOTT LAB">' in page.text
    more = searchable.get("/patents/advanced", params={"rows": 8})
    assert more.text.count('name="value"') == 8


def test_searching_redirects_to_the_search_page_with_the_expression(searchable):
    params = [("field", "TI"), ("value", "电池"), ("op", "AND"), ("field", "PA"), ("value", '上海示例"(x'),
              ("op", "NOT"), ("type", "invention"), ("go", "search")]
    resp = searchable.get("/patents/advanced", params=params, follow_redirects=False)
    assert resp.status_code == 303
    target = urlparse(resp.headers["location"])
    q = parse_qs(target.query)["q"][0]
    assert target.path == "/patents" and tree(q) == And((Term("title", "电池"),
                                                          Not(Term("applicant", '上海示例"(x')),
                                                          Term("type", "发明")))
    results = searchable.get(resp.headers["location"])
    assert results.status_code == 200 and 'data-pub="CN115000001A"' in results.text


def test_preview_shows_the_expression_and_its_reading(searchable):
    resp = searchable.get("/patents/advanced", params=[("field", "IPC"), ("value", "H01M*"), ("op", "AND"),
                                                       ("go", "preview"), ("lang", "en")])
    assert resp.status_code == 200
    assert re.search(r'id="expression-text">IPC=H01M\*<', resp.text)
    assert "starts with" in resp.text and 'href="/patents?q=IPC%3DH01M%2A&amp;as=expression"' in resp.text
    # the form keeps what was typed
    assert 'value="H01M*"' in resp.text


def test_problems_are_shown_beside_their_fields_not_as_a_server_error(searchable):
    resp = searchable.get("/patents/advanced", params=[
        ("field", "AD"), ("value", "2020-02-30"), ("op", "AND"), ("app_from", "2022-01-01"),
        ("app_to", "2021-01-01"), ("region", "Atlantis"), ("go", "search")], follow_redirects=False)
    assert resp.status_code == 400
    errors = _field_errors(resp.text)
    assert {"value-1", "app_to", "region"} <= set(errors)
    assert "2 月只有 29 天" in errors["value-1"] and "has 29 days" in errors["value-1"]
    assert searchable.get("/patents/advanced", params={"go": "search"}).status_code == 400
    # empty rows before it: the problem is named by the row as the page shows it again (the first)
    resp = searchable.get("/patents/advanced", params=[("field", "TI"), ("value", ""), ("op", "AND"),
                                                       ("field", "AD"), ("value", "20x"), ("op", "AND"),
                                                       ("go", "preview")])
    assert set(_field_errors(resp.text)) == {"value-1"}
    assert re.search(r'id="value-1" value="20x"', resp.text)


def test_the_ipc_browser_walks_the_scheme_and_hands_a_code_to_the_form(searchable):
    top = searchable.get("/patents/ipc")
    assert top.status_code == 200 and top.text.count('class="use-code"') == 8
    form_state = [("field", "TI"), ("value", "电池"), ("op", "AND"), ("applicant", "华为")]
    page = searchable.get("/patents/ipc", params=[("code", "h01m 10/00")] + form_state)
    assert page.status_code == 200 and 'data-code="H01M10/00"' in page.text and "锂" in page.text
    assert 'id="ipc-path"' in page.text and page.text.count('class="use-code"') > 50
    use = re.search(r'href="([^"]+)" id="use-current"', page.text).group(1).replace("&amp;", "&")
    params = parse_qs(urlparse(use).query)
    assert params["field"] == ["TI", "IPC"] and params["value"] == ["电池", "H01M10/00"]
    assert params["applicant"] == ["华为"]
    form = searchable.get(use)
    assert 'value="H01M10/00"' in form.text and 'value="电池"' in form.text
    ran = searchable.get(use + "&go=search", follow_redirects=False)
    assert tree(parse_qs(urlparse(ran.headers["location"]).query)["q"][0]) == And((
        Term("title", "电池"), Term("ipc", "H01M10/00"), Term("applicant", "华为")))
    # a group offers itself with its subgroups too
    assert 'id="use-with-subgroups"' in page.text and "H01M10%2F%2A" in page.text


def test_the_ipc_browser_searches_titles_and_refuses_what_is_not_a_code(searchable):
    found = searchable.get("/patents/ipc", params={"q": "锂离子 电池"})
    assert found.status_code == 200 and 'data-code="H01M10/0525"' in found.text
    by_code = searchable.get("/patents/ipc", params={"q": "H01M"})
    assert re.search(r'<tr data-code="H01M">', by_code.text)
    assert searchable.get("/patents/ipc", params={"code": "Z99"}).status_code == 404
    assert searchable.get("/patents/ipc", params={"code": "ZZZ"}).status_code == 404
    assert searchable.get("/patents/ipc", params={"q": "电" * 101}).status_code == 400


def test_suggestions_are_bounded_json_or_options(searchable):
    data = searchable.get("/patents/suggest", params={"field": "applicant", "prefix": "上海示例"}).json()
    assert data["field"] == "applicant" and data["values"][0] == {
        "value": "上海示例新能源科技有限公司", "label": "上海示例新能源科技有限公司", "count": 2}
    assert all(v["value"].startswith("上海示例") for v in data["values"])
    regions = searchable.get("/patents/suggest", params={"field": "region", "prefix": "1"}).json()["values"]
    assert len(regions) == advanced.MAX_SUGGESTIONS
    assert searchable.get("/patents/suggest", params={"field": "ipc", "prefix": ""}).json()["values"] == []
    too_long = searchable.get("/patents/suggest", params={"field": "applicant", "prefix": "x" * 51})
    assert too_long.status_code == 400 and too_long.json()["field"] == "prefix"
    assert searchable.get("/patents/suggest", params={"field": "password"}).status_code == 400
    # htmx sends the picker's own value under its name, and gets options for the datalist
    html = searchable.get("/patents/suggest", params={"field": "region", "region": "浦东"},
                          headers={"HX-Request": "true"})
    assert html.text == '<option value="310115">上海市浦东新区</option>'
    escaped = searchable.get("/patents/suggest", params={"field": "applicant", "applicant": "<b>"},
                             headers={"HX-Request": "true"})
    assert escaped.status_code == 200 and "<b>" not in escaped.text
