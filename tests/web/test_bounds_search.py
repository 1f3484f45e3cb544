"""Patent search sizes no work by an unbounded input (issue 14, finding 1 and the prefix part of finding 11).

`/api/patents/search?page=100000000` made tantivy allocate offset + limit hits (tens of GB: the process
aborted). Every page is now checked against the result window (page × per_page ≤ search_max_results) before
the engine is asked; the engine's search is replaced here by one that fails the test if a refused request
reaches it, so that a regression fails cleanly instead of aborting the test process.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ipcity.core.errors import DomainError
from ipcity.core.roles import Actor
from ipcity.patents import export, service
from ipcity.patents.engine import close_all, engine_for
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.search.query import MAX_PATTERN_CHARS, QuerySyntaxError, parse
from tests.support.people import login

SAMPLE = Path(__file__).resolve().parents[1] / "patents" / "data" / "sample.jsonl"  # 4 patents
WINDOW = 3


@pytest.fixture
def small(settings):
    """Settings with a result window of 3, and the engine and app built on them (the sample register)."""
    return dataclasses.replace(settings, search_max_results=WINDOW, search_max_query_chars=300)


@pytest.fixture
def engine(small, db):
    engine = engine_for(small)
    ingest_file(db, engine, SAMPLE, Actor.system("tests"))
    yield engine
    close_all()


@pytest.fixture
def guarded(engine, monkeypatch):
    """The engine, with every backend search recorded; one past the window fails the test."""
    asked = []
    real = engine.search

    def search(request):
        asked.append(request)
        assert request.offset + request.limit <= WINDOW, f"the engine was asked for {request}"
        return real(request)

    monkeypatch.setattr(engine, "search", search)
    return engine, asked


def test_a_page_beyond_the_window_is_refused_before_the_engine_runs(session, guarded):
    engine, asked = guarded
    for page, per_page in ((100_000_000, 20), (2, 2), (1, 5), (10**30, 1)):
        with pytest.raises(DomainError) as caught:
            service.search(session, engine, "", page=page, per_page=per_page)
        problem = dict(caught.value.problems)["page"].render("en")
        assert f"Only the first {WINDOW} results" in problem
    assert asked == []


def test_the_last_page_in_the_window_is_served_and_the_pager_stops_there(session, guarded):
    engine, asked = guarded
    result = service.search(session, engine, "", page=3, per_page=1)
    assert result.total == 4 and len(result.rows) == 1
    assert result.pages == 3  # 4 results, but only 3 can be paged through
    assert [(r.offset, r.limit) for r in asked] == [(2, 1)]


def test_an_export_pages_to_the_window_then_walks_the_rest_by_cursor(session, guarded):
    engine, _ = guarded  # no page the engine is asked for goes past the window
    assert len(list(export.records(session, engine, ""))) == 4  # the three ranked, then the fourth by number
    assert len(list(export.records(session, engine, "", limit=2))) == 2
    ceiling = dataclasses.replace(engine.settings, search_export_max_rows=3)
    with pytest.raises(DomainError):
        export.check_size(export.total(session, engine, "", mode="lexical", filters={}, strict=False),
                          ceiling.search_export_max_rows)


def test_other_sizes_are_bounded_by_name(session, guarded):
    engine, asked = guarded
    cases = [({"q": "电池" * 151}, "q"), ({"q": "", "per_page": 101}, "per_page"), ({"q": "", "page": 0}, "page"),
             ({"q": "", "filters": {"year": tuple(str(y) for y in range(1900, 1951))}}, "f")]
    for kwargs, field in cases:
        with pytest.raises(DomainError) as caught:
            service.search(session, engine, **kwargs)
        assert field in dict(caught.value.problems), (kwargs, caught.value.problems)
    with pytest.raises(DomainError) as caught:
        service.search(session, engine, "电池" * 151, mode="semantic")
    assert caught.value.field is None and "q" in dict(caught.value.problems)
    assert asked == []


def test_long_prefixes_are_refused_by_the_parser_and_allowed_ones_compile(session, guarded):
    engine, _ = guarded
    for query in ("PA=" + "华" * (MAX_PATTERN_CHARS + 1) + "*", 'PA="' + "x " * 40 + '"*',
                  "IPC=" + "H" * (MAX_PATTERN_CHARS + 1)):
        with pytest.raises(QuerySyntaxError) as caught:
            parse(query)
        assert caught.value.kind == "too_long" and caught.value.pos == query.index("=") + 1
    # The longest allowed prefix, in 3- and 4-byte characters, stays within tantivy's automaton limit.
    for value in ("华" * MAX_PATTERN_CHARS, "\U0001F600" * MAX_PATTERN_CHARS, "上海示例"):
        service.search(session, engine, f'PA="{value}"*', per_page=1)
        service.search(session, engine, f"IPC={value}", per_page=1)
    assert service.search(session, engine, "PA=上海示例*", per_page=1).total > 0


def test_the_api_and_the_page_answer_a_deep_page_with_a_message(small, engine, guarded, people):
    from ipcity.web.app import create_app

    app = create_app(small)
    with TestClient(app) as client:
        resp = client.get("/api/patents/search", params={"page": 100_000_000, "per_page": 1, "lang": "en"})
        assert resp.status_code == 400
        assert [p["field"] for p in resp.json()["problems"]] == ["page"]
        assert f"Only the first {WINDOW} results" in resp.json()["problems"][0]["message"]
        resp = client.get("/api/patents/search", params={"page": 10**40, "per_page": 1})
        assert resp.status_code == 400 and resp.json()["field"] == "page"
        resp = client.get("/api/patents/search", params={"q": "PA=" + "华" * 100 + "*", "per_page": 1})
        assert resp.status_code == 400 and resp.json()["field"] == "q"
        ok = client.get("/api/patents/search", params={"page": 3, "per_page": 1}).json()
        assert ok["total"] == 4 and ok["pages"] == 3 and len(ok["hits"]) == 1
        for params in ({"q": "x", "page": 100_000_000}, {"page": 100_000_000}):
            page = client.get("/patents", params={**params, "lang": "en"})
            assert page.status_code == 400 and f"Only the first {WINDOW} results" in page.text
        login(client, "company")
        export = client.get("/patents", params={"format": "csv"})
        # past the window of ranked pages the export walks the rest of the matches: all 4
        assert export.status_code == 200 and len(export.text.strip().splitlines()) == 1 + 4
