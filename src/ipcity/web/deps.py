"""Per-request dependencies: the database session, the signed-in person, role checks and CSRF.

Every route either depends on `Access` (naming the roles allowed) or is marked public with
`@public`; tests/web/test_access.py walks all routes and proves both the rule and its enforcement.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator
from types import SimpleNamespace

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from ipcity.core import signins
from ipcity.core.roles import ALL_ROLES, Actor

SESSION_COOKIE = "ipcity_session"
ANON_CSRF_COOKIE = "ipcity_csrf"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def db_session(request: Request) -> AsyncIterator[Session]:
    # Opening a session does no I/O (the connection is taken on first use, in the thread that uses it),
    # so this runs on the event loop and saves a thread-pool round trip per request.
    # GET pages read only: on SQLite they then run beside the writer instead of queueing for the write lock
    # (core/db.py). A GET route that writes says so with `@writes`.
    endpoint = request.scope.get("endpoint")
    marker = getattr(endpoint, "__ipcity_writes__", None)
    write = request.method in UNSAFE or marker is True or (callable(marker) and bool(marker(request)))
    with request.app.state.services.db.session(write=write) as s:
        request.state.db_session = s
        request.state.read_only = not write
        yield s


def writes(when=None):
    """Mark a GET route that writes (an audited export, a document kept on first download); `when(request)`
    narrows it to the requests that do."""

    def mark(fn):
        fn.__ipcity_writes__ = when or True
        return fn

    return mark


def public(fn):
    """Mark a route as open to anonymous visitors (login page, health check, public registry)."""
    fn.__ipcity_public__ = True
    return fn


async def _form_token(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    ctype = request.headers.get("content-type", "")
    if "form" in ctype:
        form = await request.form()  # Starlette caches it: the endpoint's Form() fields still work
        return str(form.get("csrf_token") or "")
    return ""


async def check_anonymous_csrf(request: Request) -> None:
    """Login and other anonymous forms: double-submit token (cookie must equal the form field)."""
    cookie = request.cookies.get(ANON_CSRF_COOKIE, "")
    sent = await _form_token(request)
    if not cookie or not hmac.compare_digest(cookie, sent):
        raise HTTPException(403, "CSRF token missing or wrong")


def _signed_in(request: Request, session: Session) -> signins.SignedIn | None:
    """The session's person. A request that only reads takes the data version once, with the person's unread
    count (core/signins.py): the sign-in, the calendar and the other per-version caches are then served
    without queries, and every cached value it uses is at least as new as that version."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    version = None
    if getattr(request.state, "read_only", False):
        version = session.info.get("data_version")
        if version is None:
            version, request.state.unread = signins.request_stamp(session, token)
            session.info["data_version"] = version
    return signins.resolve(session, token, version)


def _end_unless_reading(request: Request, session: Session) -> None:
    """End a writing request's transaction here: on SQLite it holds the write lock, and it must not hold it
    while the request waits for a thread-pool thread to run its endpoint (with the pool full of requests
    waiting for that lock, nothing would move until their busy timeouts). A request that only reads keeps its
    snapshot: the endpoint goes on reading in it, at the data version the sign-in was checked at, without a
    second BEGIN."""
    if not getattr(request.state, "read_only", False):
        session.rollback()


class Access:
    """Allow a signed-in person whose role is in `roles`; refuse others (401 anonymous, 403 wrong role)."""

    def __init__(self, roles: frozenset[str] | set[str] | None = None):
        self.roles = frozenset(roles) if roles is not None else ALL_ROLES

    async def __call__(self, request: Request, session: Session = Depends(db_session)) -> Actor:
        # The form is read on the event loop; the database work runs in the thread pool, so that a
        # request waiting for a pooled connection never blocks the loop the other requests need.
        sent = await _form_token(request) if request.method in UNSAFE else None
        return await run_in_threadpool(self._check, request, session, sent)

    def _check(self, request: Request, session: Session, sent_token: str | None) -> Actor:
        found = _signed_in(request, session)
        if found is None:
            raise HTTPException(401, "Sign in first")
        actor = found.actor
        if actor.role not in self.roles:
            raise HTTPException(403, "Your role may not use this page")
        if sent_token is not None and not hmac.compare_digest(found.csrf_token, sent_token):
            raise HTTPException(403, "CSRF token missing or wrong")
        registry = request.app.state.services.registry
        request.state.actor = actor
        # Plain values, not ORM objects: error pages render after the session has closed.
        person = SimpleNamespace(username=actor.username, display_name=actor.display_name, role=actor.role,
                                 unit=SimpleNamespace(name_zh=actor.unit_name) if actor.unit_id else None)
        request.state.page_context = {
            "user": person, "actor": actor, "csrf_token": found.csrf_token,
            "menu": registry.menu_for(actor.role, found.unit_kind),
        }
        _end_unless_reading(request, session)
        return actor


def require(*roles: str) -> Access:
    return Access(frozenset(roles) if roles else None)


class OptionalAccess(Access):
    """For public pages: the signed-in person (with their menu) when there is one, else None.
    Routes using it must also be marked @public."""

    def _check(self, request: Request, session: Session, sent_token: str | None) -> Actor | None:
        if _signed_in(request, session) is None:
            request.state.page_context = {"menu": request.app.state.services.registry.menu_for(None)}
            _end_unless_reading(request, session)
            return None
        return super()._check(request, session, sent_token)


def signed_in_or_anonymous() -> OptionalAccess:
    return OptionalAccess()
