"""Patent search pages, JSON API and the data page, through the real application."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from ipcity.core import jobs
from tests.patents.conftest import DATA
from tests.support.people import csrf_of, login


@pytest.fixture
def searchable(app, client, loaded):
    return client


def test_anyone_may_search_and_see_facets(searchable):
    resp = searchable.get("/patents", params={"q": "TI=电池"})
    assert resp.status_code == 200
    assert 'data-pub="CN115000001A"' in resp.text and 'data-pub="CN115000002A"' in resp.text
    assert 'data-facet="applicant"' in resp.text and "<mark>" in resp.text


def test_facet_filter_links_narrow_the_result(searchable):
    resp = searchable.get("/patents", params=[("q", "TI=电池"), ("f", "district:310115")])
    assert resp.text.count('class="hit"') == 2
    resp = searchable.get("/patents", params=[("q", "TI=ritonavir OR TI=电池"), ("f", "office:CN")])
    assert 'data-pub="CN115000001A"' in resp.text
    assert 'data-pub="WO' not in resp.text and 'data-pub="US' not in resp.text


def test_a_new_query_emptied_by_a_facet_still_on_says_so_and_offers_to_clear_it(searchable):
    resp = searchable.get("/patents", params=[("q", "TI=ritonavir"), ("f", "district:310115")])
    assert 'class="hit"' not in resp.text
    assert 'id="filters-still-on"' in resp.text
    cleared = resp.text.split('id="clear-filters"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "f=" not in cleared and "ritonavir" in cleared
    assert 'class="hit"' in searchable.get(cleared).text
    # without a filter on, an empty result offers nothing to clear
    assert 'id="filters-still-on"' not in searchable.get("/patents", params={"q": "TI=qqqqnothing"}).text


def test_a_syntax_error_is_shown_with_its_place(searchable):
    resp = searchable.get("/patents", params={"q": "TI=(电池 AND"})
    assert resp.status_code == 400
    assert 'id="query-error"' in resp.text and "^" in resp.text


def test_detail_page_shows_bibliography_and_ipc_titles(searchable):
    resp = searchable.get("/patents/CN115000001A")
    assert resp.status_code == 200
    # the Chinese page names each field once (the official term), never "摘要 摘要"
    assert "摘要 摘要" not in resp.text and "申请号 申请号" not in resp.text
    assert "CN202210000001" in resp.text and "上海示例新能源科技有限公司" in resp.text
    assert 'id="ipc-titles"' in resp.text and "锂离子电池" in resp.text
    assert searchable.get("/patents/CN000000000A").status_code == 404


def test_json_api_search_detail_and_errors(searchable):
    data = searchable.get("/api/patents/search", params={"q": "PA=上海示例*", "per_page": 1}).json()
    assert data["total"] == 3 and len(data["hits"]) == 1 and data["pages"] == 3
    assert {c["value"] for c in data["facets"]["type"]} == {"invention"}
    detail = searchable.get("/api/patents/CN215000003U").json()
    assert detail["app_number"].startswith("CN20212") and detail["ipc_titles"][0]["code"] == "B64D47/00"
    bad = searchable.get("/api/patents/search", params={"q": "XX=1"})
    assert bad.status_code == 400 and bad.json()["problems"][0]["field"] == "q"


def test_export_needs_an_account_and_gives_the_result_set(searchable, people):
    anonymous = searchable.get("/patents", params={"q": "IPC=H01M*", "format": "csv"}, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    login(searchable, "company")
    resp = searchable.get("/patents", params={"q": "IPC=H01M*", "format": "csv"})
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert sorted(r[0] for r in rows[1:]) == ["CN115000001A", "CN115000002A"]
    xlsx = searchable.get("/patents", params={"q": "IPC=H01M*", "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"


def test_data_page_loads_an_uploaded_file_as_a_job(app, client, people, session):
    login(client, "admin")
    token = csrf_of(client)
    with open(DATA / "sample.jsonl", "rb") as handle:
        resp = client.post("/patents/data/ingest", data={"csrf_token": token, "format": "jsonl"},
                           files={"file": ("sample.jsonl", handle, "application/jsonl")}, follow_redirects=False)
    assert resp.status_code == 303
    services = app.state.services
    assert jobs.run_pending(services.db, services.registry, services) == 1
    page = client.get("/patents/data")
    assert 'data-run="1"' in page.text
    run = client.get("/patents/data/runs/1")
    assert "坏记录" not in run.text and ">5<" in run.text  # the rejected line numbers are listed
    assert client.get("/api/patents/search", params={"q": "TI=无人机"}).json()["total"] == 1


def test_a_wrong_upload_is_refused_with_the_field_named(client, people):
    login(client, "admin")
    resp = client.post("/patents/data/ingest", data={"csrf_token": csrf_of(client)},
                       files={"file": ("notes.exe", b"MZ\x90\x00", "application/octet-stream")})
    assert resp.status_code == 400 and 'data-field="file"' in resp.text


def test_companies_cannot_load_data(client, people):
    login(client, "company")
    assert client.get("/patents/data").status_code == 403


def test_detail_page_key_terms_are_the_patents_phrases_and_search_for_them(searchable):
    resp = searchable.get("/patents/CN115000001A")
    assert 'id="key-terms"' in resp.text
    line = resp.text.split('id="key-terms"', 1)[1].split("</p>", 1)[0]
    links = [href.replace("&amp;", "&") for href in line.split('href="')[1:]]
    links = [href.split('"', 1)[0] for href in links]
    assert 2 <= len(links) <= 8
    terms = [parse_qs(urlsplit(href).query)["q"][0] for href in links]
    assert all(urlsplit(href).path == "/patents" for href in links)
    title_and_abstract = ("一种石墨烯改性锂离子电池负极材料及其制备方法。"
                          "本发明公开了一种石墨烯改性的锂离子电池负极材料，循环性能好。")
    assert all(term in title_and_abstract for term in terms), terms  # phrases of this patent, not boilerplate
    assert any("锂离子" in term or "石墨烯" in term for term in terms), terms
    assert not {"一种", "本发明", "制备", "方法"} & set(terms)
    assert unquote(links[0].split("q=", 1)[1]) == terms[0]  # each link searches for its term …
    found = searchable.get(links[[i for i, t in enumerate(terms) if "锂离子" in t or "石墨烯" in t][0]])
    assert found.status_code == 200 and 'data-pub="CN115000001A"' in found.text  # … and finds this patent


def test_the_related_terms_come_after_the_results_and_match_the_apis(searchable):
    """The results page does not wait for the related terms (key phrases of its best hits, the slowest part of a
    fresh search): it fetches them once shown, from its own best hits; the API gives them when asked."""
    q = "ritonavir"
    page = searchable.get("/patents", params={"q": q})
    assert page.status_code == 200
    pubs = re.findall(r'data-pub="([^"]+)"', page.text)
    placeholder = re.search(r'<p id="related-terms"[^>]*hx-get="([^"]+)"', page.text)
    assert placeholder and pubs, "the page asks for its related terms after the results"
    link = placeholder.group(1).replace("&amp;", "&")
    asked = parse_qs(urlsplit(link).query)
    assert asked["p"] == pubs[:10] and asked["q"] == [q] and asked["understood"] == ["words"]
    fragment = searchable.get(link)
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<p id="related-terms">')
    hrefs = [h.replace("&amp;", "&") for h in re.findall(r'class="chip" href="([^"]+)"', fragment.text)]
    searches = [parse_qs(urlsplit(h).query)["q"][0] for h in hrefs]  # each chip searches the words and its term
    assert searches and all(s.startswith(q + " ") and len(s) > len(q) + 1 for s in searches)
    terms = [s[len(q) + 1:] for s in searches]

    api = searchable.get("/api/patents/search", params={"q": q}).json()
    assert "related" not in api and [h["pub_number"] for h in api["hits"]][:10] == pubs[:10]
    assert searchable.get("/api/patents/search", params={"q": q, "related": "1"}).json()["related"] == terms


def test_related_terms_read_at_most_ten_records_and_none_for_an_expression(searchable):
    pubs = re.findall(r'data-pub="([^"]+)"', searchable.get("/patents", params={"q": "ritonavir"}).text)
    many = searchable.get("/patents/related", params=[("q", "ritonavir"), ("understood", "words")]
                          + [("p", p) for p in pubs * 3])
    first_ten = searchable.get("/patents/related", params=[("q", "ritonavir"), ("understood", "words")]
                               + [("p", p) for p in pubs[:10]])
    assert many.status_code == first_ten.status_code == 200 and many.text == first_ten.text
    expression = searchable.get("/patents/related", params=[("q", "TI=ritonavir"), ("understood", "expression")]
                                + [("p", p) for p in pubs[:10]])
    assert expression.status_code == 200 and "chip" not in expression.text
    unknown = searchable.get("/patents/related", params=[("q", "ritonavir"), ("understood", "words"),
                                                          ("p", "CN000000000A")])
    assert unknown.status_code == 200 and "chip" not in unknown.text
    too_long = searchable.get("/patents/related", params=[("q", "电" * 2_001), ("understood", "words")]
                              + [("p", p) for p in pubs[:10]])
    assert too_long.status_code == 400 and "2000" in too_long.text.replace(",", "")  # refused before any work
