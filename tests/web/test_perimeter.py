"""Bodies are refused before they are read (issue 14, finding 5): anonymous bodies on routes that need a
sign-in, and bodies over the route's ceiling, declared or streamed; stored free text has field lengths.

The ASGI app is called directly with a `receive` that counts the chunks it hands out and fails the test
past a bound, so "refused before reading" is proved by the number of chunks read, not by timing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ipcity.bootstrap import default_registry
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Plugin
from ipcity.core.roles import APPLICANT_COMPANY
from ipcity.core.tables import AuditEntry, Unit
from ipcity.web.app import create_app
from ipcity.web.limits import BodyLimits
from ipcity.workflow import engine
from ipcity.workflow.definition import APPLICANT, MAX_REASON, MAX_TEXT, CaseType, FieldSpec, State, Transition
from ipcity.workflow.tables import Case, CaseEvent
from tests.support.people import login

TOY = CaseType(
    key="test.perimeter", label=Msg("Toy"), number_prefix="TP",
    states=(State("new", Msg("New")), State("filed", Msg("Filed"))), initial="new",
    transitions=(Transition("file", Msg("File"), ("new",), "filed", frozenset({APPLICANT_COMPANY}), APPLICANT,
                            fields=(FieldSpec("note", Msg("Note"), max_length=50),
                                    FieldSpec("items", Msg("Items"), required=False))),),
)


class Body:
    """`receive` for a request body of endless chunks; reading more than `allowed` of them fails the test."""

    def __init__(self, chunk: bytes = b"x" * 1024, allowed: int = 0, head: bytes = b""):
        self.chunk, self.allowed, self.head, self.reads = chunk, allowed, head, 0

    async def __call__(self):
        self.reads += 1
        if self.reads > self.allowed:
            raise AssertionError(f"body read past {self.allowed} chunks")
        return {"type": "http.request", "body": self.head + self.chunk if self.reads == 1 else self.chunk,
                "more_body": True}


def call(app, path: str, body: Body, *, headers: dict[str, str]) -> tuple[int, dict, bytes]:
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "state": {}}
    out: dict = {"body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"], out["headers"] = message["status"], dict(message["headers"])
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    # In a thread of its own: an event loop may already run in this one (the browser tests' Playwright).
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, body, send)).result()
    return out["status"], out["headers"], out["body"]


MULTIPART = "multipart/form-data; boundary=xyz"


@pytest.fixture
def small_app(settings, people):
    """The app with small ceilings: 4 KB for plain bodies, 64 KB for multipart."""
    registry = default_registry()
    registry.register(Plugin(key="test-perimeter", case_types=[TOY]))
    return create_app(dataclasses.replace(settings, max_body_bytes=4096, max_multipart_bytes=65536), registry)


def signed_in(app, username: str) -> str:
    with TestClient(app) as client:
        assert login(client, username).status_code == 303
        return f"ipcity_session={client.cookies.get('ipcity_session')}"


def test_anonymous_upload_is_refused_unread(small_app, settings):
    """The 300 MB anonymous multipart of the finding: 401 with not one chunk read, nothing spooled."""
    files_before = sorted(settings.files_dir.rglob("*")) if settings.files_dir.exists() else []
    for headers in ({"content-type": MULTIPART, "content-length": str(300 * 1024**2)},
                    {"content-type": MULTIPART, "transfer-encoding": "chunked"},
                    {"content-type": MULTIPART, "content-length": str(300 * 1024**2),
                     "cookie": "ipcity_session=forged"}):
        body = Body()
        status, _, payload = call(small_app, "/cases/1/documents", body, headers=headers)
        assert status == 401 and b"error" in payload
        assert body.reads == 0
    assert (sorted(settings.files_dir.rglob("*")) if settings.files_dir.exists() else []) == files_before


def test_declared_body_over_ceiling_is_refused_unread(small_app):
    cookie = signed_in(small_app, "company")
    body = Body()
    status, headers, payload = call(small_app, "/api/cases/1/act/file", body, headers={
        "content-type": "application/json", "content-length": str(200 * 1024**2), "cookie": cookie})
    assert status == 413 and body.reads == 0
    assert headers[b"content-type"].startswith(b"application/json") and b"4 KB" in payload
    # A page (not /api/) answers with the error page; a public route (sign-in) is limited too.
    status, headers, payload = call(small_app, "/login", Body(), headers={
        "content-type": "application/x-www-form-urlencoded", "content-length": "100000", "accept": "text/html"})
    assert status == 413 and headers[b"content-type"].startswith(b"text/html") and b"error-box" in payload


def test_streamed_body_is_cut_at_the_ceiling(small_app):
    """Chunked bodies carry no length: reading stops at the ceiling (4 KB = 4 chunks) and the answer is 413."""
    cookie = signed_in(small_app, "company")
    body = Body(allowed=5)
    status, _, payload = call(small_app, "/api/cases/1/act/file", body, headers={
        "content-type": "application/json", "transfer-encoding": "chunked", "cookie": cookie})
    assert status == 413 and body.reads == 5 and b"4 KB" in payload
    # A well-formed file part that never ends, against the 64 KB multipart ceiling.
    part = b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n'
    body = Body(chunk=b"x" * 16384, allowed=5, head=part)
    status, _, _ = call(small_app, "/cases/1/documents", body, headers={
        "content-type": MULTIPART, "transfer-encoding": "chunked", "cookie": cookie})
    assert status == 413 and body.reads == 4  # the header and 4 × 16 KB pass 64 KB at the 4th chunk


def test_uploads_get_the_multipart_ceiling_and_routes_their_own(small_app):
    with TestClient(small_app) as client:
        login(client, "admin")
        day = b'{"name": "x", "date": "2027-01-01", "isOffDay": true}'
        schedule = b'{"year": 2027, "days": [' + b",".join([day] * 150) + b"]}"
        assert len(schedule) > 4096
        resp = client.post("/admin/calendar", data={"csrf_token": _csrf(client)},
                           files={"schedule": ("2027.json", schedule, "application/json")}, follow_redirects=False)
        assert resp.status_code != 413
    limits = BodyLimits(small_app, small_app)
    settings = small_app.state.services.settings
    scope = {"type": "http", "method": "POST", "path": "/patents/data/ingest", "root_path": "",
             "headers": [(b"content-type", MULTIPART.encode())], "query_string": b""}
    assert limits._limit(limits._endpoint(scope), scope, settings) > 500 * 1024**2  # declared by the route


def _csrf(client) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text).group(1)


def _toy_case(session, people) -> Case:
    lead = session.scalar(select(Unit.id).where(Unit.name_zh == "上海市知识产权局"))
    case = engine.open_case(session, TOY, people["company"], title="t", applicant_unit_id=people["company"].unit_id,
                            assigned_unit_id=lead)
    session.commit()
    return case


@pytest.mark.parametrize(("values", "reason", "field"), [
    ({"note": "x" * 51}, "", "note"),                         # the field's own ceiling
    ({"note": "ok", "items": "x" * (MAX_TEXT + 1)}, "", "items"),  # a field without its own: the default ceiling
    ({"note": "ok", "items": ["x" * 1000] * 11}, "", "items"),     # text inside lists counts
    ({"note": "ok"}, "x" * (MAX_REASON + 1), "reason"),
])
def test_too_long_transition_text_is_refused_and_nothing_written(session, people, values, reason, field):
    case = _toy_case(session, people)
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    with pytest.raises(DomainError) as err:
        engine.fire(session, TOY, case, "file", people["company"], values=values, reason=reason)
    assert err.value.field == field and "too long" in err.value.message.render("en")
    session.rollback()
    assert session.get(Case, case.id).state == "new"
    assert session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id)) == 1
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_too_long_value_through_the_api(small_app, people):
    services = small_app.state.services
    with services.db.session() as s:
        case_id = _toy_case(s, people).id
    with TestClient(small_app) as client:
        login(client, "company")
        resp = client.post(f"/api/cases/{case_id}/act/file", json={"values": {"note": "x" * 60}},
                           headers={"X-CSRF-Token": _csrf(client)})
        assert resp.status_code == 400 and resp.json()["field"] == "note"
        ok = client.post(f"/api/cases/{case_id}/act/file", json={"values": {"note": "fine"}},
                         headers={"X-CSRF-Token": _csrf(client)})
        assert ok.status_code == 200 and ok.json()["state"] == "filed"
