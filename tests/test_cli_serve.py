"""`ipcity demo` serves by calling `serve` as a plain function: every parameter needs a plain default there."""

from __future__ import annotations

import uvicorn

from ipcity import cli


def test_serve_called_as_a_function_passes_plain_values_to_uvicorn(monkeypatch):
    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs, app=app))
    cli.serve("127.0.0.1", 8123)  # as `ipcity demo` does after loading the demo
    assert seen["app"] == "ipcity.web.asgi:app" and seen["port"] == 8123
    assert seen["forwarded_allow_ips"] == "127.0.0.1" and seen["proxy_headers"] is True
