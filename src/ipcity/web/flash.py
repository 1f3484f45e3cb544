"""A one-time message carried across a redirect: Post/Redirect/Get for refused steps.

A step form (approve, refuse, confirm…) that the engine refuses must not leave the browser on the answer to a
POST: reloading that page would post the step again. So a browser's refused step is answered with a redirect
to the record's page (303) and a *flash*: a short-lived cookie, signed with the installation's secret and bound
to the signed-in session, holding the refusal (its messages as message ids, so the page shows them in the
language it is read in), the form it belongs to and what was typed there. The record's page reads it once,
shows the error in that form, and deletes it.

Only a browser gets the redirect (a request that accepts `text/html`, as every browser's form submission does);
a script posting the form gets the refusal's own status and the page with the error, as before, so that a
refused step is never mistaken for a done one (a 303). A flash that cannot hold what was typed (a cookie is at
most about 4 KB) is not sent: the page is shown again under the POST, so nothing typed is lost.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from dataclasses import dataclass, field

from fastapi import Request
from starlette.responses import Response

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.web.deps import SESSION_COOKIE

FLASH_COOKIE = "ipcity_flash"
MAX_VALUE = 3500      # characters of the cookie's value: browsers keep cookies up to 4096 bytes with attributes
MAX_AGE = 120         # seconds: a flash the page never read (a lost redirect) does not turn up much later


@dataclass
class Flash:
    """A refusal carried to the page it redirects to."""

    error: DomainError
    form: str = ""
    posted: dict = field(default_factory=dict)


def wants_html(request: Request) -> bool:
    """A browser's request: it asks for HTML (a form submission, a link), not JSON."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not request.url.path.startswith("/api/")


def _msg_out(m: Msg) -> dict:
    params = {k: _msg_out(v) if isinstance(v, Msg) else v if isinstance(v, int | float | str) else str(v)
              for k, v in m.params.items()}
    return {"id": m.msgid, "p": params} if params else {"id": m.msgid}


def _msg_in(d) -> Msg:
    if not isinstance(d, dict) or not isinstance(d.get("id"), str):
        raise ValueError("not a message")
    msgid = d["id"]  # (a variable: the message extractor takes a literal inside Msg(...) for a message id)
    params = {k: _msg_in(v) if isinstance(v, dict) else v for k, v in (d.get("p") or {}).items()}
    return Msg(msgid, **params)


def _mac(request: Request, body: str) -> str:
    secret = request.app.state.services.settings.secret_key().encode()
    bound = f"{request.cookies.get(SESSION_COOKIE, '')}|{body}".encode()
    return hmac.new(secret, bound, hashlib.sha256).hexdigest()[:32]


def _encode(request: Request, payload: dict) -> str:
    raw = zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode())
    body = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{body}.{_mac(request, body)}"


def redirect_with_error(request: Request, to: str, error: DomainError, *, form: str = "",
                        posted: dict | None = None) -> Response | None:
    """A 303 to `to` carrying the refusal, or None where the flash cannot hold what was typed."""
    from fastapi.responses import RedirectResponse

    payload = {"to": to, "s": error.status, "m": _msg_out(error.message), "f": error.field,
               "p": [[f, _msg_out(m)] for f, m in error.problems], "form": form, "posted": posted or {}}
    value = _encode(request, payload)
    if len(value) > MAX_VALUE:
        return None
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(FLASH_COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="lax",
                        secure=request.app.state.services.settings.secure_cookies)
    return response


def read(request: Request) -> Flash | None:
    """The flash meant for this page and this session, or None (absent, forged, another page's)."""
    value = request.cookies.get(FLASH_COOKIE, "")
    body, _, mac = value.partition(".")
    if not body or not hmac.compare_digest(mac, _mac(request, body)):
        return None
    try:
        payload = json.loads(zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))
        if payload.get("to") != request.url.path:
            return None
        problems = [(f if isinstance(f, str) else None, _msg_in(m)) for f, m in payload.get("p") or []]
        error = DomainError(_msg_in(payload["m"]), field=payload.get("f"), problems=problems or None)
        error.status = int(payload.get("s") or 400)
        posted = payload.get("posted") or {}
        return Flash(error, str(payload.get("form") or ""), posted if isinstance(posted, dict) else {})
    except (ValueError, TypeError, KeyError, zlib.error, json.JSONDecodeError):
        return None


def status_in(value: str) -> int | None:
    """The refusal's status in a flash cookie's value (for tests and logs), without checking whose it is."""
    body = (value or "").partition(".")[0]
    try:
        return int(json.loads(zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))["s"])
    except (ValueError, TypeError, KeyError, zlib.error):
        return None


def clear(response: Response) -> Response:
    response.delete_cookie(FLASH_COOKIE)
    return response
