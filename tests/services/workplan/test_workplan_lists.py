"""Every list form of plan supervision, through the web client as a browser sends it: the defaults ("all" is an
empty value), the CSV export with the same filters, the "my unit's points" checkbox, and a value that names
nothing, shown beside the form (never a bare 422)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest

from tests.support.clock import pin_today
from tests.support.people import login

TODAY = date(2026, 11, 24)
ALL = list(range(1, 26))
PUDONG = [1, 2, 3, 5, 6, 16]     # named in 1 and 2; through 各区政府 / 各有关区政府 in 3, 5, 6 and 16
ERROR_BOX = 'class="error-box"'


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    pin_today(monkeypatch, TODAY.isoformat())


class _Forms(HTMLParser):
    """The GET forms of a page with what a browser submits untouched: each field's default value."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict] = {}
        self._form = self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "get":
            self._form = {"action": a.get("action", ""), "fields": []}
            self.forms[a.get("id", f"form{len(self.forms)}")] = self._form
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = {"name": a["name"], "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["selected"] = value

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None and self._form is not None:
            s = self._select
            self._form["fields"].append((s["name"], s["selected"] if s["selected"] is not None else s["first"]))
            self._select = None
        elif tag == "form":
            self._form = None


def forms_of(html: str) -> dict[str, dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def submit(client, page_url: str, form: dict, **changes):
    fields = [(k, v) for k, v in form["fields"] if k not in changes] + list(changes.items())
    return client.get((form["action"] or page_url.split("?")[0]) + "?" + urlencode(fields))


def listed(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-point="(\d+)"', html)]


def csv_numbers(text: str) -> list[int]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["number", "section"]
    return [int(r[0]) for r in rows[1:]]


def test_the_work_point_form_works_from_its_defaults(client, people):
    login(client, "pudong")
    page = client.get("/workplan")
    assert page.status_code == 200 and listed(page.text) == ALL
    form = forms_of(page.text)["points-filter"]
    names = [k for k, _ in form["fields"]]
    assert names == ["q", "section", "status", "deadline", "unit_id"]      # the checkbox is off
    sent = submit(client, "/workplan", form)                                # "all" everywhere: empty values
    assert sent.status_code == 200, sent.text[:300]
    assert ERROR_BOX not in sent.text and listed(sent.text) == ALL
    # the export link carries the same (empty) filters and answers CSV
    href = re.search(r'href="(\?[^"]*format=csv[^"]*)"', sent.text).group(1).replace("&amp;", "&")
    assert href == "?format=csv"
    exported = client.get("/workplan" + href)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert csv_numbers(exported.text) == ALL
    # the form's defaults with the export asked, as "section=&unit_id=&format=csv"
    exported = submit(client, "/workplan", form, format="csv")
    assert exported.status_code == 200 and csv_numbers(exported.text) == ALL


def test_the_my_unit_checkbox_lists_the_points_of_the_unit_and_exports_them(client, people):
    login(client, "pudong")
    form = forms_of(client.get("/workplan").text)["points-filter"]
    mine = submit(client, "/workplan", form, mine="1")                      # with unit_id= (all) beside it
    assert mine.status_code == 200 and ERROR_BOX not in mine.text
    assert listed(mine.text) == PUDONG
    assert re.search(r'name="mine" value="1" checked', mine.text)           # the box stays ticked
    href = re.search(r'href="(\?[^"]*format=csv[^"]*)"', mine.text).group(1).replace("&amp;", "&")
    assert "mine=1" in href
    assert csv_numbers(client.get("/workplan" + href).text) == PUDONG
    # narrowing further still works: my unit's overdue points of section 1
    narrowed = submit(client, "/workplan", form, mine="1", section="1")
    assert listed(narrowed.text) == [1, 2, 3]


def test_filters_narrow_the_list(client, people):
    login(client, "head")
    form = forms_of(client.get("/workplan").text)["points-filter"]
    assert listed(submit(client, "/workplan", form, section="5").text) == [22, 23, 24, 25]
    assert listed(submit(client, "/workplan", form, deadline="2024年12月底").text) == [2, 22]
    assert listed(submit(client, "/workplan", form, status="stale").text) == [1, 4, 7, 9, 14, 17, 18, 21, 23, 25]
    assert listed(submit(client, "/workplan", form, q="数据知识产权").text) == [2]
    unit = re.search(r'<option value="(\d+)"[^>]*>崇明区人民政府</option>', client.get("/workplan").text).group(1)
    assert listed(submit(client, "/workplan", form, unit_id=unit).text) == [3, 5, 6, 16]
    # the units offered are accountable bodies only: no group, every district
    page = client.get("/workplan").text
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', page)
    assert "各区政府" not in options and "各有关部门" not in options
    assert sum(o.endswith("区人民政府") for o in options) == 16
    # the units column shows the 16 district governments as one entry, and a group as what it is
    english = client.get("/workplan?lang=en&section=1").text
    row3 = re.search(r'<tr data-point="3".*?</tr>', english, re.S).group(0)
    assert "The governments of all 16 districts" in row3 and "黄浦区人民政府" not in row3
    row1 = re.search(r'<tr data-point="1".*?</tr>', english, re.S).group(0)
    assert "浦东新区人民政府" in row1 and "and 各有关部门 (no particular unit named)" in row1


@pytest.mark.parametrize(("field", "value"), [
    ("section", "9"), ("section", "abc"), ("status", "bogus"), ("deadline", "2030年底"),
    ("unit_id", "999999"), ("unit_id", "x1"), ("unit_id", "9" * 30),
])
def test_a_value_that_names_nothing_is_shown_beside_the_form(client, people, field, value):
    login(client, "head")
    for extra in ({}, {"format": "csv"}):
        response = client.get("/workplan?" + urlencode({field: value} | extra))
        assert response.status_code == 200, response.text[:300]
        assert response.headers["content-type"].startswith("text/html")
        assert ERROR_BOX in response.text and f'data-field="{field}"' in response.text
        assert listed(response.text) == []
        assert 'id="points-filter"' in response.text                     # the form is there to correct it


def test_the_checkbox_for_an_account_of_no_unit_says_so(client, people):
    login(client, "admin")
    response = client.get("/workplan?" + urlencode({"q": "", "section": "", "unit_id": "", "mine": "1"}))
    assert response.status_code == 200 and 'data-field="mine"' in response.text
    assert client.get("/workplan").status_code == 200


def test_the_api_takes_the_same_filters(client, people):
    login(client, "pudong")
    everything = client.get("/api/workplan/points?section=&status=&unit_id=&deadline=&q=")
    assert everything.status_code == 200 and [p["number"] for p in everything.json()] == ALL
    mine = client.get("/api/workplan/points?mine=1&unit_id=")
    assert [p["number"] for p in mine.json()] == PUDONG
    bad = client.get("/api/workplan/points?section=abc")
    assert bad.status_code == 400 and bad.json()["field"] == "section"


def test_the_period_forms_work_from_their_defaults(client, people):
    login(client, "head")
    for url in ("/workplan/points/12", "/workplan/figures"):
        page = client.get(url)
        assert page.status_code == 200
        form = forms_of(page.text)["period-form"]
        assert [k for k, _ in form["fields"]] == ["period_from", "period_to"]
        sent = submit(client, url, form)
        assert sent.status_code == 200 and ERROR_BOX not in sent.text and 'class="list figures"' in sent.text
        for field, value in (("period_from", "2026-13-01"), ("period_to", "yesterday")):
            bad = submit(client, url, form, **{field: value})
            assert bad.status_code == 200 and ERROR_BOX in bad.text and f'data-field="{field}"' in bad.text
        backwards = submit(client, url, form, period_from="2026-06-01", period_to="2026-05-01")
        assert backwards.status_code == 200 and 'data-field="period_to"' in backwards.text
        late_start = submit(client, url, form, period_from="2027-01-01")    # to: today, before it
        assert late_start.status_code == 200 and 'data-field="period_from"' in late_start.text
