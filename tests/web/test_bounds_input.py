"""Unvalidated input answers 4xx, never 500 (issue 14, finding 11).

- integers in the path beyond the database's range (33 operations answered 500: SQLite's OverflowError,
  PostgreSQL's "integer out of range"), and numbers too long for Python to convert (Starlette's {id:int});
- integers in the query beyond 64 bits;
- a non-object `values` in the case API, and values a transition does not declare (a text "completion" sent
  with a work-plan report's "accept" reached int() in the service's after-hook);
- the first searches of a process, run at once, raced the Chinese tokenizer's dictionary load.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from ipcity.core.tables import AuditEntry
from ipcity.patents.search import analysis
from ipcity.services.workplan import service as workplan
from ipcity.web.params import _is_int
from ipcity.workflow.tables import Case, CaseEvent
from tests.support.clock import pin_today
from tests.support.people import csrf_of, login
from tests.web.test_access import _flat

HUGE = "99999999999999999999"  # beyond 64 bits
BEYOND_POSTGRES = str(2**31)  # a valid SQLite rowid, beyond PostgreSQL's integer
DIGITS_5000 = "9" * 5000  # beyond what Python converts from text


def _integer_path_routes(app):
    for route in _flat(app.routes):
        if isinstance(route, APIRoute):
            names = [f.name for f in route.dependant.path_params if _is_int(f.field_info.annotation)]
            if names:
                yield route, names


def _path(route: APIRoute, names: list[str], value: str) -> str:
    return re.sub(r"\{([^}:]+)(:[^}]+)?\}", lambda m: value if m.group(1) in names else "x", route.path)


def test_every_integer_path_parameter_beyond_range_is_a_404(app, client, people):
    login(client, "admin")
    headers = {"X-CSRF-Token": csrf_of(client), "accept": "application/json"}
    checked = []
    for route, names in _integer_path_routes(app):
        for method in sorted(route.methods - {"HEAD"}):
            for value in (HUGE, BEYOND_POSTGRES, DIGITS_5000):
                resp = client.request(method, _path(route, names, value), headers=headers, follow_redirects=False)
                assert resp.status_code == 404, (method, route.path, value[:24], resp.status_code, resp.text[:300])
                assert resp.json()["field"] in names
            checked.append(f"{method} {route.path}")
    assert len(checked) >= 33


def test_out_of_range_query_integers_are_refused_by_name(client, people):
    login(client, "admin")
    for url, field in ((f"/admin/audit?page={HUGE}", "page"), (f"/api/patents/search?page={DIGITS_5000}", "page"),
                       (f"/admin/users?unit_id={BEYOND_POSTGRES}", "unit_id")):  # PostgreSQL: integer out of range
        resp = client.get(url, headers={"accept": "application/json"})
        assert resp.status_code == 400 and resp.json()["field"] == field, (url, resp.text[:300])


def test_nul_characters_in_the_url_are_refused_by_name(client, people):
    """PostgreSQL text cannot hold NUL: search boxes answered 500 there (found by bench/fuzz.py on PostgreSQL)."""
    login(client, "reviewer")
    for url, status, field in (("/api/openlicense/declarations?q=%12%00", 400, "q"),
                               ("/dataip/registry?q=%00", 400, "q"), ("/api/navigation/topics?kind=a%00b", 400, "kind"),
                               ("/api/patents/CN1%00", 404, "pub_number")):
        resp = client.get(url, headers={"accept": "application/json"})
        assert resp.status_code == status and resp.json()["field"] == field, (url, resp.text[:300])


@pytest.fixture
def submitted_report(services, people, monkeypatch):
    pin_today(monkeypatch, "2026-11-24")
    with services.db.session() as s:
        form = workplan.ReportForm("2026年第四季度", "已完成阶段性工作，形成工作方案。", 60, [])
        case = workplan.file_report(s, services.files, people["pudong"], 5, form, [], submit=True)
        s.commit()
        return case.id


def _written(services, case_id: int) -> tuple:
    with services.db.session() as s:
        return (s.get(Case, case_id).state, s.get(Case, case_id).data,
                s.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id)),
                s.scalar(select(func.count()).select_from(AuditEntry)))


def test_case_api_values_must_be_an_object_and_declared(client, services, submitted_report):
    case_id = submitted_report
    login(client, "reviewer")
    headers = {"X-CSRF-Token": csrf_of(client)}
    before = _written(services, case_id)
    url = f"/api/cases/{case_id}/act/accept"
    for body in ({"values": ["completion", 5]}, {"values": "abc"}, {"values": 7}, {"reason": ["x"]}, ["values"]):
        resp = client.post(url, json=body, headers=headers)
        assert resp.status_code == 422, (body, resp.text)
        fields = [p["field"] for p in resp.json()["problems"]]
        assert fields and all(f in ("values", "reason", "") for f in fields), (body, fields)
    # A value "accept" does not declare: refused by name, nothing written (it reached int() in the service).
    resp = client.post(url, json={"values": {"completion": "abc"}}, headers=headers)
    assert resp.status_code == 400 and resp.json()["field"] == "completion"
    assert _written(services, case_id) == before
    ok = client.post(url, json={"values": {}, "reason": None}, headers=headers)
    assert ok.status_code == 200 and ok.json()["state"] == "accepted"


class _FakeJieba:
    """rjieba's shape and its borrow rule: cutting while a word is being added fails with "Already borrowed"."""

    def __init__(self):
        self.adding = 0
        self.added = 0
        self.errors = []

    def add_word(self, word, freq, tag):
        self.adding += 1
        time.sleep(0.0001)  # widens the window a real load has (1,600 terms)
        self.added += 1
        self.adding -= 1

    def cut(self, text):
        if self.adding:
            raise RuntimeError("Already borrowed")
        return list(text)


def test_concurrent_first_searches_wait_for_the_dictionary(monkeypatch):
    fake = _FakeJieba()
    monkeypatch.setattr(analysis, "rjieba", fake)
    monkeypatch.setattr(analysis, "_loaded", None)  # a fresh process: nothing loaded yet
    barrier = threading.Barrier(8)

    def first_search():
        barrier.wait()
        try:
            for _ in range(20):
                analysis.query_tokens("锂离子电池")
        except RuntimeError as exc:
            fake.errors.append(exc)

    threads = [threading.Thread(target=first_search) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert fake.errors == []
    terms = analysis._loaded
    assert terms > 1000 and fake.added == terms  # loaded once, not once per thread


def test_admin_calendar_refuses_impossible_years_and_schedules_that_are_not_objects(client, people):
    """Found by bench/fuzz.py: a year `date` cannot hold, and a schedule file whose JSON is not an object."""
    login(client, "admin")
    headers = {"X-CSRF-Token": csrf_of(client), "accept": "application/json"}
    for year in ("99387", "0", "-1"):
        resp = client.get(f"/admin/calendar?year={year}", headers=headers)
        assert resp.status_code == 422 and resp.json()["problems"][0]["field"] == "year", resp.text[:300]
    for content in (b"-6.79e16", b"[1, 2]", b'{"days": 5}', b'"days"'):
        resp = client.post("/admin/calendar", files={"schedule": ("s.json", content, "application/json")},
                           headers=headers)
        assert resp.status_code == 400 and resp.json()["field"] == "schedule", (content, resp.text[:300])


def test_shared_paging_clamps_the_page_and_its_size(session, people):
    from sqlalchemy import select as sql_select

    from ipcity.core.tables import User
    from ipcity.web.paging import MAX_PAGE_SIZE, paged

    for page, size in ((10**30, 10**9), (-(10**30), 0), (2**63, 1)):
        result = paged(session, sql_select(User).order_by(User.id), page, size)
        assert 1 <= result.page <= result.pages and 0 < len(result.rows) <= MAX_PAGE_SIZE
