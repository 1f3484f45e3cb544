"""What a person meets when something goes wrong, and what a program meets.

A browser (a visit, or a form that accepts HTML) gets the styled error page — in the person's language, with
the menu, a heading that says what happened and what to do — for 404, 405, 403, 401, 422 and 500; the JSON API
and clients that ask for JSON get JSON. An empty integer in a query (the "all" option of a filter form) means
"all", not a 422. The audit trail's check is a page, not raw JSON. Every address the README names exists.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from starlette.routing import Match

from ipcity.core.tables import AuditEntry, Job
from ipcity.web.deps import public
from tests.support.people import CAST, csrf_of, login

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the pages, not the database

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}  # what a browser sends
JSON = {"accept": "application/json"}
README = Path(__file__).resolve().parents[2] / "README.md"


def _page(response, status: int) -> str:
    """The styled error page with this status: HTML, never JSON."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html"), response.headers["content-type"]
    assert f'id="error-page" data-status="{status}"' in response.text, response.text[:500]
    assert "Content-Security-Policy" in response.headers
    return response.text


def _h1(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


@SQLITE
def test_an_unknown_address_is_a_page_for_a_browser_and_json_for_a_program(client, people):
    html = _page(client.get("/nonexistent", headers=HTML), 404)
    assert _h1(html) == "Page not found" or _h1(html) == "页面不存在"
    assert '{"detail"' not in html and 'href="/login"' in html  # the anonymous visitor's header
    english = _page(client.get("/nonexistent?lang=en", headers=HTML), 404)
    assert _h1(english) == "Page not found" and "Check the address" in english
    assert client.get("/nonexistent", headers=JSON).json()["detail"] == "Not Found"
    api = client.get("/api/nonexistent", headers=HTML)  # the API answers JSON whatever is asked
    assert api.status_code == 404 and api.json()["error"]
    # Signed in, the page keeps the person's menu and name: they can go on from it.
    login(client, "company")
    html = _page(client.get("/no/such/page?lang=en", headers=HTML), 404)
    assert 'class="user-name"' in html and "/my/applications" in html


@SQLITE
def test_a_method_the_address_does_not_take_is_a_page_with_its_allow_header(client, people):
    response = client.get("/logout?lang=en", headers=HTML)
    html = _page(response, 405)
    assert response.headers["allow"] == "POST" and _h1(html) == "This address cannot be used this way"
    assert client.get("/logout", headers=JSON).status_code == 405


@SQLITE
def test_refusals_are_pages_for_a_browser_and_json_for_a_program(client, people):
    login(client, "company")
    wrong_role = client.get("/admin/users?lang=en", headers=HTML)
    assert _h1(_page(wrong_role, 403)) == "You may not do this"
    # A form posted without its token (an expired page, another site): the page says what to do.
    forged = client.post("/account/password?lang=en", data={"csrf_token": "forged"}, headers=HTML)
    assert "reload the page and try again" in _page(forged, 403)
    scripted = client.post("/account/password", data={"csrf_token": "forged"})
    assert scripted.status_code == 403 and scripted.json()["detail"] == "CSRF token missing or wrong"
    wrong_role_post = client.post("/admin/users", data={"csrf_token": csrf_of(client)}, headers=JSON)
    assert wrong_role_post.status_code == 403 and wrong_role_post.json()["error"]


@SQLITE
def test_signing_in_first(client, people):
    visit = client.get("/admin/audit?q=x", headers=HTML, follow_redirects=False)
    assert visit.status_code == 303 and visit.headers["location"] == "/login?next=/admin/audit%3Fq%3Dx"
    # A form posted after the session ended: the error page with a way to sign in (never a JSON body).
    posted = client.post("/admin/users?lang=en", data={"csrf_token": "x"}, headers=HTML)
    html = _page(posted, 401)
    assert 'id="error-login"' in html and _h1(html) == "Sign in first"
    assert client.post("/admin/users", data={"csrf_token": "x"}).json()["detail"] == "Sign in first"


@SQLITE
def test_malformed_values_are_a_page_naming_the_value(client, people):
    login(client, "admin")
    html = _page(client.get("/admin/calendar?year=abc&lang=en", headers=HTML), 422)
    assert "“year” in the address: write a whole number" in html and "Input should be" not in html
    out_of_range = _page(client.get("/admin/calendar?year=99999&lang=en", headers=HTML), 422)
    assert "“year” in the address: the number is out of range" in out_of_range
    program = client.get("/admin/calendar?year=abc", headers=JSON)
    assert program.status_code == 422 and program.json()["problems"][0]["field"] == "year"


@SQLITE
def test_an_empty_integer_in_a_query_means_all(client, people, services):
    """The "all" option of a filter form sends `unit_id=`: every integer query parameter takes it as absent."""
    login(client, "admin")
    everyone = client.get("/admin/users", headers=HTML)
    assert everyone.status_code == 200
    for query in ("unit_id=", "unit_id=&role=", "unit_id=%20", "unit_id=&unit_id="):
        response = client.get(f"/admin/users?{query}", headers=HTML)
        assert response.status_code == 200, (query, response.status_code)
        assert response.text.count("<tr") == everyone.text.count("<tr"), query
    # A value still filters, and a bad one is still refused.
    pudong = client.get(f"/admin/users?unit_id=&unit_id={people['pudong'].unit_id}&q=", headers=HTML)
    assert "pudong" in pudong.text and "company" not in re.sub(r"<option.*?</option>", "", pudong.text)
    assert client.get("/admin/users?unit_id=x", headers=JSON).status_code == 422
    assert client.get("/admin/audit?page=&q=", headers=HTML).status_code == 200
    assert client.get("/admin/calendar?year=", headers=HTML).status_code == 200


@SQLITE
def test_a_fault_is_a_page_with_a_reference(settings, people):
    from ipcity.web.app import create_app

    app = create_app(settings)

    @app.get("/boom")
    @app.get("/api/boom")
    @public
    def boom():
        raise RuntimeError("a fault of ours")

    with TestClient(app, raise_server_exceptions=False) as client:
        html = _page(client.get("/boom?lang=en", headers=HTML), 500)
        assert _h1(html) == "Something went wrong on our side" and "a fault of ours" not in html
        assert re.search(r'id="error-reference">[0-9a-f]{8}<', html)
        api = client.get("/api/boom")
        assert api.status_code == 500 and set(api.json()) == {"error", "reference"}
        assert "a fault of ours" not in api.text
    app.state.services.db.dispose()


# --- the audit trail's check ----------------------------------------------------------------------------------

@SQLITE
def test_the_audit_chain_check_is_a_page_in_either_language(client, services, people):
    login(client, "admin")
    trail = client.get("/admin/audit", headers=HTML).text
    assert 'href="/admin/audit/verify"' in trail and 'href="/api/admin/audit/verify"' not in trail
    page = client.get("/admin/audit/verify?lang=en", headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'data-ok="yes"' in page.text and "The audit trail is intact." in page.text
    # An entry edited behind the platform's back: the page says so, in words, naming the entry.
    with services.db.session() as s:
        seq = s.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
        s.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(summary="rewritten"))
        s.commit()
    broken = client.get("/admin/audit/verify?lang=en", headers=HTML).text
    assert 'data-ok="no"' in broken and "The audit trail has been altered or is incomplete." in broken
    assert f"Entry {seq}: its content does not match its hash: edited?" in broken
    assert client.get("/api/admin/audit/verify").json()["ok"] is False  # tools keep their JSON
    login(client, "reviewer")
    assert client.get("/admin/audit/verify", headers=HTML).status_code == 403


def test_audit_problem_lines_are_translated_or_kept():
    from ipcity.web.core_routes import audit_problem

    lines = ["entry 7: missing (next entry found is 9) — deleted?", "entry 3: link to previous entry broken",
             "checkpoint 2: the signature does not verify with the installation's audit key — forged or edited?",
             "12 entries after the last checkpoint (40); one is signed at least every 10 — checkpoints deleted "
             "or entries forged?"]
    rendered = [audit_problem(line).render("en") for line in lines]
    assert rendered[0] == "Entry 7 is missing (the next entry found is 9): deleted?"
    assert rendered[2].startswith("Checkpoint 2: its signature does not verify")
    assert "(entry 40)" in rendered[3] and "every 10 entries" in rendered[3]
    assert audit_problem("something new") == "something new"


# --- jobs -----------------------------------------------------------------------------------------------------

@SQLITE
def test_finished_jobs_say_when_they_finished_and_the_page_stops_asking(client, services, people):
    from ipcity.core.clock import now

    login(client, "admin")
    with services.db.session() as s:
        done = Job(kind="workplan.export", status="done", message="writing", done=2, total=2, finished_at=now(),
                   result={"attachment_id": 1, "filename": "export.xlsx"})
        failed = Job(kind="workplan.export", status="failed", message="writing", error="ValueError: boom\n...",
                     finished_at=now())
        s.add_all([done, failed])
        s.commit()
        done_id, failed_id = done.id, failed.id
    page = client.get("/jobs?lang=en", headers=HTML).text
    rows = {int(m.group(1)): m.group(0) for m in re.finditer(r'<tr data-job="(\d+)".*?</tr>', page, re.S)}
    assert "writing" not in rows[done_id] and "Finished " in rows[done_id] and "export.xlsx" in rows[done_id]
    assert "writing" not in rows[failed_id] and "Stopped " in rows[failed_id] and "ValueError" not in page
    assert 'data-polling="off"' in page and "hx-trigger" not in page
    with services.db.session() as s:
        running = Job(kind="workplan.export", status="running", message="writing", done=1, total=2)
        s.add(running)
        s.commit()
    page = client.get("/jobs?lang=en", headers=HTML).text
    assert 'data-polling="on"' in page and 'hx-trigger="every 1s"' in page and "<progress" in page
    fragment = client.get("/jobs?lang=en", headers=HTML | {"hx-request": "true"}).text
    assert fragment.lstrip().startswith("<tbody") and 'hx-swap="outerHTML"' in fragment
    assert "<html" not in fragment


# --- the README's addresses -----------------------------------------------------------------------------------

def _readme_paths() -> list[str]:
    """Every local address the README names in `code`: `/x/y`, and `GET /x` (not files such as docs/x.md)."""
    found = []
    for code in re.findall(r"`([^`\n]+)`", README.read_text()):
        for part in code.split(","):
            part = re.sub(r"<[^>]+>", "<x>", part.strip().removeprefix("GET ").removeprefix("POST ").strip())
            if part.startswith("/") and not part.startswith("//") and " " not in part.split("?")[0]:
                found.append(part.split("?")[0].split(" ")[0])
    return list(dict.fromkeys(found))


def _flat(routes):
    for r in routes:
        inner = getattr(r, "original_router", None)
        yield from _flat(inner.routes) if inner is not None else (r,)


def _placeholder(path: str) -> bool:
    return any(m in path for m in ("…", "<", "{")) or bool(re.search(r"/(N|ID)(/|$)", path))


def _routed(app, path: str) -> bool:
    """Some GET route of the app takes the address (placeholders filled in, `…` meaning anything below)."""
    if path.endswith("…"):
        prefix = path.removesuffix("…")
        return any(isinstance(r, APIRoute) and r.path.startswith(prefix) for r in _flat(app.routes))
    concrete = re.sub(r"<[^>]+>|\{[^}]+\}|/(N|ID)(?=/|$)", lambda m: "/1" if m.group(0).startswith("/") else "1",
                      path)
    scope = {"type": "http", "method": "GET", "path": concrete, "root_path": ""}
    return any(r.matches(scope)[0] == Match.FULL for r in app.router.routes)


@SQLITE
def test_every_address_the_readme_names_exists(app, client, people):
    paths = _readme_paths()
    assert {"/openlicense/list", "/admin/audit", "/jobs", "/pledge/gazette", "/dataip/registry"} <= set(paths)
    assert not [p for p in paths if not _routed(app, p)], "the README names addresses no route takes"
    wrong, answered = [], {}
    for name in (None, *CAST):
        client.cookies.clear()
        if name is not None:
            login(client, name)
        for path in (p for p in paths if not _placeholder(p)):
            response = client.get(path, headers=HTML, follow_redirects=True)
            if response.status_code == 404 or response.status_code >= 500:
                wrong.append(f"{path} as {name or 'a visitor'}: {response.status_code}")
            # A page opens for someone; an API address answers someone, or says which parameter it needs (400).
            if response.status_code < 300 or (path.startswith("/api/") and response.status_code == 400
                                              and response.json().get("field")):
                answered.setdefault(path, name or "a visitor")
    assert not wrong, "\n".join(wrong)
    assert sorted(p for p in paths if not _placeholder(p) and p not in answered) == []
