"""Response headers every page gets: no sniffing or framing, and a Content-Security-Policy that allows
only the platform's own scripts and styles (issue 14, finding 12).

The pages carry no inline script, event handler or `javascript:` link (their behaviour lives in
web/static/*.js) and no inline `<style>` element or `style` attribute, so `'unsafe-inline'` is not needed.
`style-src-attr 'unsafe-inline'` is the one exception: ECharts builds its tooltips from HTML with style
attributes at run time; a style attribute cannot run script.
"""

from __future__ import annotations

from starlette.responses import Response

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


def apply(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
