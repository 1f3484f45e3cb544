"""Walk every route: each is either declared public or guarded, and the guard really refuses.

Anonymous requests are sent to sign in (401 / redirect); a signed-in person with a role the route does
not allow gets 403, even with a valid CSRF token; a POST without the CSRF token gets 403.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from ipcity.core.roles import ALL_ROLES
from ipcity.web.deps import Access
from tests.support.people import CAST, csrf_of, login

# FastAPI's own documentation routes (not APIRoutes) are the only other public paths.
DOCS = {"/api/docs", "/api/openapi.json"}


def _flat(routes):
    """Routes of the app, descending into included routers (FastAPI keeps them nested)."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield r


def _access(route: APIRoute) -> Access | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Access):
            return dep.call
        stack.extend(dep.dependencies)
    return None


def _routes(app):
    for r in _flat(app.routes):
        if isinstance(r, APIRoute):
            for m in sorted(r.methods - {"HEAD"}):
                yield r, m, re.sub(r"\{[^}]+\}", "1", r.path)


def test_every_route_is_public_or_guarded(app):
    unguarded = [f"{m} {r.path}" for r, m, _ in _routes(app) if _access(r) is None and not _public(r)]
    assert unguarded == []
    others = [r.path for r in _flat(app.routes) if not isinstance(r, APIRoute)]
    assert set(others) - DOCS - {"/static"} == set()


def _public(route: APIRoute) -> bool:
    return getattr(route.endpoint, "__ipcity_public__", False)


def test_anonymous_is_refused_everywhere(app, client):
    checked = 0
    for r, method, path in _routes(app):
        if _access(r) is None or _public(r):  # public pages may know who is signed in, but need nobody
            continue
        resp = client.request(method, path, follow_redirects=False)
        checked += 1
        if resp.status_code == 303:
            assert resp.headers["location"].startswith("/login?next="), (method, path)
        else:
            assert resp.status_code == 401, (method, path, resp.status_code)
    assert checked > 20


def _outsider(roles: frozenset[str]) -> str:
    for name, (role, _unit) in CAST.items():
        if role not in roles:
            return name
    raise AssertionError("no outsider")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_wrong_role_is_refused_everywhere(app, client, people):
    checked = 0
    for r, method, path in _routes(app):
        access = _access(r)
        if access is None or access.roles == ALL_ROLES:
            continue
        client.cookies.clear()
        assert login(client, _outsider(access.roles)).status_code == 303
        headers = {"X-CSRF-Token": csrf_of(client)} if method != "GET" else {}
        resp = client.request(method, path, headers=headers, follow_redirects=False)
        assert resp.status_code == 403, (method, path, resp.status_code)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_posts_need_the_csrf_token(app, client, people):
    checked = 0
    for r, method, path in _routes(app):
        access = _access(r)
        if access is None or method == "GET":
            continue
        client.cookies.clear()
        name = next(n for n, (role, _u) in CAST.items() if role in access.roles)
        login(client, name)
        resp = client.request(method, path, data={"csrf_token": "forged"}, follow_redirects=False)
        assert resp.status_code == 403, (method, path, resp.status_code)
        checked += 1
    assert checked >= 5


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_login_form_needs_its_csrf_cookie(client, people):
    resp = client.post("/login", data={"username": "reviewer", "password": "x", "csrf_token": "x"},
                       follow_redirects=False)
    assert resp.status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_login_next_cannot_leave_the_site(client, people):
    client.get("/login")
    resp = client.post("/login", data={"username": "reviewer", "password": "Test-Pass-2026",
                                       "csrf_token": client.cookies.get("ipcity_csrf"),
                                       "next": "https://evil.example/"}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/"
