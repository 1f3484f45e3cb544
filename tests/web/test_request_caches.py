"""What a page serves from the per-process caches of the web tier (issue 18) is never staler than the data.

A request that only reads takes the data version (the newest audit sequence number) once with the person's
unread count; the sign-in, the calendar and the case page's view are then served from caches made at that
version. Every change that matters writes an audit entry, so a sign-in ended by another process, a step
fired by another process and a document added are all seen on the very next page. The route index answers
every route exactly as FastAPI's full scan does.
"""

from __future__ import annotations

import dataclasses
import socket

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from starlette.routing import Match

from ipcity.bootstrap import default_registry
from ipcity.core import audit, inbox, signins
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Plugin
from ipcity.core.roles import APPLICANT_COMPANY
from ipcity.core.tables import Unit, WebSession
from ipcity.web import nodelay, route_index
from ipcity.web.app import create_app
from ipcity.workflow import engine
from ipcity.workflow.definition import APPLICANT, CaseType, State, Transition
from tests.support.people import login

STEPPED = CaseType(
    key="test.cached", label=Msg("Cached"), number_prefix="TC",
    states=(State("new", Msg("New")), State("filed", Msg("Filed"))), initial="new",
    transitions=(Transition("file", Msg("File"), ("new",), "filed", frozenset({APPLICANT_COMPANY}), APPLICANT),),
)


@pytest.fixture
def stepped_app(settings, people):
    registry = default_registry()
    registry.register(Plugin(key="test-cached", case_types=[STEPPED]))
    app = create_app(dataclasses.replace(settings), registry)
    yield app
    app.state.services.db.dispose()


def _user_id(app, username: str) -> int:
    from ipcity.core.tables import User

    with app.state.services.db.session() as s:
        return s.scalar(select(User.id).where(User.username == username))


def test_a_sign_in_ended_by_another_process_is_refused_on_the_next_page(stepped_app, people):
    with TestClient(stepped_app) as client:
        assert login(client, "head").status_code == 303
        assert client.get("/services").status_code == 200  # this process now holds the sign-in
        # Another process logs the person out: it deletes the session row and writes its audit entry; this
        # process is not told.
        with stepped_app.state.services.db.session(write=True) as s:
            s.execute(delete(WebSession).where(WebSession.user_id == _user_id(stepped_app, "head")))
            audit.record(s, people["head"], "logout", "user", people["head"].user_id)
            s.commit()
        answer = client.get("/services", follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_logout_forgets_the_token_in_this_process_at_once(stepped_app, people):
    with TestClient(stepped_app) as client:
        login(client, "company")
        token = client.cookies.get("ipcity_session")
        page = client.get("/account")
        csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        assert client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
        client.cookies.set("ipcity_session", token)  # the old cookie, replayed
        assert client.get("/account", follow_redirects=False).status_code == 303
    with stepped_app.state.services.db.session() as s:
        assert signins.resolve(s, token, version=10**9) is None


def test_a_case_page_shows_each_step_at_once(stepped_app, people):
    db = stepped_app.state.services.db
    with db.session(write=True) as s:
        lead = s.scalar(select(Unit.id).where(Unit.name_zh == "上海市知识产权局"))
        case = engine.open_case(s, STEPPED, people["company"], title="缓存测试案件",
                                applicant_unit_id=people["company"].unit_id, assigned_unit_id=lead)
        s.commit()
        case_id = case.id
    with TestClient(stepped_app) as client:
        login(client, "company")
        first = client.get(f"/cases/{case_id}?lang=en")
        assert 'id="case-state">New<' in first.text and "No documents" in first.text
        assert client.get(f"/cases/{case_id}?lang=en").text.count("缓存测试案件") >= 1  # served again, cached
        # Another process fires the step (engine.fire writes its audit entry).
        with db.session(write=True) as s:
            engine.fire(s, STEPPED, engine.get_case(s, case_id), "file", people["company"])
            s.commit()
        assert 'id="case-state">Filed<' in client.get(f"/cases/{case_id}?lang=en").text
        # The API reads through the same view.
        assert client.get(f"/api/cases/{case_id}").json()["state"] == "filed"
        # Another person of another unit is refused the cached view as they were the row.
        client.cookies.clear()
        login(client, "licensee")
        assert client.get(f"/cases/{case_id}", follow_redirects=False).status_code == 403


def test_the_unread_count_follows_the_inbox_without_an_audit_entry(stepped_app, people):
    """Marking read writes no audit entry: the count is read with the sign-in on every page, never cached."""
    db = stepped_app.state.services.db
    with db.session(write=True) as s:
        item = inbox.notify(s, user_id=people["company"].user_id, title="测试通知")
        s.commit()
        item_id = item.id
    with TestClient(stepped_app) as client:
        login(client, "company")
        before = _badge(client)
        assert before >= 1
        with db.session(write=True) as s:
            inbox.mark_read(s, people["company"], item_id)
            s.commit()
        assert _badge(client) == before - 1


def _badge(client) -> int:
    import re

    found = re.search(r'class="inbox-link">[^<]*<span class="badge">(\d+)<', client.get("/services").text)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_route_index_picks_the_route_the_full_scan_picks(stepped_app):
    routing = stepped_app.router.middleware_stack
    assert isinstance(routing, route_index.FirstSegmentRouting)
    routing._build()
    assert routing.enabled
    router = stepped_app.router
    checked = 0
    for route in _flat_routes(router.routes):
        path = route.path.replace("{", "").replace("}", "").replace(":path", "")
        path = "/".join("1" if part.endswith("_id") or part == "id" else part for part in path.split("/"))
        for method in sorted(route.methods or {"GET"}):
            scope = {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"",
                     "headers": []}
            full = _first_full(router.routes, scope)
            view = routing.views.get(path.lstrip("/").split("/", 1)[0], routing.rest)
            assert _first_full(view.routes, scope) is full, (method, path)
            checked += 1
    assert checked > 150


def _flat_routes(routes):
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                if isinstance(context.original_route, APIRoute):
                    yield context.original_route


def _first_full(routes, scope):
    for route in routes:
        match, _ = route.matches(dict(scope))
        if match == Match.FULL:
            return getattr(route, "original_router", route)
    return None


def test_accepted_connections_get_tcp_nodelay_even_from_a_handed_down_socket():
    """uvicorn's several workers accept on a socket rebuilt from a file descriptor (protocol number 0), on
    which asyncio leaves Nagle on; the protocol sets TCP_NODELAY itself."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    handed = socket.socket(fileno=listener.detach())  # as uvicorn's workers receive it
    client = socket.create_connection(handed.getsockname())
    conn, _ = handed.accept()
    try:
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0

        class Transport:
            def get_extra_info(self, name):
                return conn if name == "socket" else None

        nodelay.set_nodelay(Transport())
        assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        for s in (conn, client, handed):
            s.close()
