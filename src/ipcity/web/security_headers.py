"""Response headers every page gets: no sniffing or framing, and a Content-Security-Policy that allows
only the platform's own scripts and styles (issue 14, finding 12).

The pages carry no inline script, event handler or `javascript:` link (their behaviour lives in
web/static/*.js) and no inline `<style>` element or `style` attribute, so `'unsafe-inline'` is not needed.
`style-src-attr 'unsafe-inline'` is the one exception: ECharts builds its tooltips from HTML with style
attributes at run time; a style attribute cannot run script.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ipcity.core import i18n

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

# A standalone document meant to be saved and printed (the navigation report): its styles are inline by
# design, and it loads nothing and runs nothing.
SELF_CONTAINED_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
                      "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

# A response's own value wins (the navigation report's SELF_CONTAINED_CSP).
HEADERS = (("content-security-policy", CSP), ("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"),
           ("referrer-policy", "same-origin"))


def apply(response: Response) -> Response:
    for name, value in HEADERS:
        response.headers.setdefault(name, value)
    return response


class LanguageAndHeaders:
    """ASGI middleware: the person's language for the request (`?lang=`, else the language cookie) and the
    headers above on every response. Plain ASGI rather than `@app.middleware("http")`, whose per-request task
    and body streams cost more than many endpoints do."""

    def __init__(self, app: ASGIApp, cookie: str) -> None:
        self.app, self.cookie = app, cookie

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = i18n.current_locale.set(i18n.pick_locale(request.query_params.get("lang")
                                                         or request.cookies.get(self.cookie)))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS:
                    if name not in headers:
                        headers.append(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            i18n.current_locale.reset(token)
