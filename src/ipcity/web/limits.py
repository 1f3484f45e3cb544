"""Request bodies are refused before anything reads them: unauthenticated ones on routes that need a
sign-in, and any larger than the route's ceiling (issue 14, finding 5).

A pure ASGI middleware, because Starlette reads a form (and spools its files to disk) as soon as a
dependency asks for it, before the route's role check has run. The middleware finds the route itself,
checks the session cookie and the declared Content-Length, and counts the bytes of bodies sent without
one (chunked), stopping the read at the ceiling.

Ceilings: `Settings.max_body_bytes` for JSON, urlencoded and other bodies; `Settings.max_multipart_bytes`
for multipart uploads; a route that takes larger uploads declares its own with `@body_limit(...)`.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ipcity.core import accounts
from ipcity.core.config import Settings
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.web.deps import SESSION_COOKIE, UNSAFE

Limit = int | Callable[[Settings], int]


def body_limit(limit: Limit):
    """Declare a route's body ceiling in bytes (or a function of the settings), for every content type."""

    def mark(fn):
        fn.__ipcity_body_limit__ = limit
        return fn

    return mark


class BodyTooLarge(Exception):
    """Raised from the counting `receive` when a body without Content-Length passes its ceiling."""


def _size(n: int) -> str:
    return f"{n / 1024**2:.0f} MB" if n >= 1024**2 else f"{max(n // 1024, 1)} KB"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _flat(routes, prefix: str):
    """(prefix, route) for every route, descending into included routers, which FastAPI keeps nested."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes, prefix + (getattr(getattr(route, "include_context", None), "prefix", "")
                                                     or ""))
        else:
            yield prefix, route


class BodyLimits:
    """ASGI middleware; `owner` is the FastAPI application (its routes and its services)."""

    def __init__(self, app: ASGIApp, owner) -> None:
        self.app = app
        self.owner = owner
        self._routes: list | None = None

    def _endpoint(self, scope: Scope):
        """The endpoint the request will reach (routes are looked up here, before routing reads anything)."""
        if self._routes is None:
            self._routes = list(_flat(self.owner.router.routes, ""))
        path = scope["path"]
        for prefix, route in self._routes:
            if not path.startswith(prefix):
                continue
            match, _ = route.matches({**scope, "path": path[len(prefix):], "root_path": ""} if prefix else scope)
            if match == Match.FULL:
                return getattr(route, "endpoint", None)
        return None

    def _limit(self, endpoint, scope: Scope, settings: Settings) -> int:
        declared = getattr(endpoint, "__ipcity_body_limit__", None)
        if declared is not None:
            return declared(settings) if callable(declared) else int(declared)
        ctype = dict(scope["headers"]).get(b"content-type", b"").lower()
        return settings.max_multipart_bytes if ctype.startswith(b"multipart/") else settings.max_body_bytes

    def _signed_in(self, request: Request) -> bool:
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return False
        with self.owner.state.services.db.session(write=False) as session:
            return accounts.resolve_session(session, token) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_length = headers.get(b"content-length")
        try:
            length = int(raw_length) if raw_length is not None else None
        except ValueError:
            length = None
        has_body = length is None and b"chunked" in headers.get(b"transfer-encoding", b"").lower() or bool(length)
        if not has_body:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        endpoint = self._endpoint(scope)
        # Routes that need a sign-in refuse an anonymous body unread (the route's own check would come
        # only after the form had been parsed and its files spooled to disk).
        needs_user = endpoint is not None and not getattr(endpoint, "__ipcity_public__", False)
        if needs_user and not await run_in_threadpool(self._signed_in, request):
            await self._sign_in_first(request)(scope, receive, send)
            return
        limit = self._limit(endpoint, scope, self.owner.state.services.settings)
        if length is not None and length > limit:
            await self._too_large(request, limit)(scope, receive, send)
            return
        await self._counted(scope, receive, send, request, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, request: Request, limit: int) -> None:
        """Pass the body through, counting it; past the ceiling stop reading and answer 413, whatever the
        route made of the interrupted read (FastAPI turns it into a 400)."""
        seen = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await self._too_large(request, limit)(scope, receive, send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except BodyTooLarge:
            if not started:
                started = True
                await self._too_large(request, limit)(scope, receive, send)

    def _sign_in_first(self, request: Request) -> Response:
        """A browser's form posted after its session ended gets the error page with a way to sign in."""
        if _wants_json(request) or "text/html" not in request.headers.get("accept", ""):
            return JSONResponse({"error": Msg("Sign in first").render(), "detail": "Sign in first"}, status_code=401)
        from ipcity.web.templating import render

        error = DomainError(Msg("Sign in first"))
        error.status = 401
        return render(request, "error.html", {"error": error, "status": 401, "title": error.message,
                                              "login_url": "/login"}, status_code=401, count_unread=False)

    def _too_large(self, request: Request, limit: int) -> Response:
        error = DomainError(Msg("The request is too large: at most {size} may be sent here", size=_size(limit)))
        error.status = 413
        if _wants_json(request):
            return JSONResponse(error.as_dict(), status_code=413)
        from ipcity.web.templating import render

        return render(request, "error.html", {"error": error}, status_code=413, count_unread=False)
