"""Jinja2 environment shared by the core and every service, with gettext bound to the request language."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from ipcity.core import i18n
from ipcity.core.clock import local

WEB_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _fmt_dt(value: datetime | None) -> str:
    dt = local(value)
    return dt.strftime("%Y-%m-%d %H:%M") if dt else ""


def _fmt_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _tr(value) -> str:
    """Translate a Msg, or a stored msgid, into the current language."""
    if isinstance(value, i18n.Msg):
        return value.render()
    return i18n.gettext(value) if isinstance(value, str) and value else (value or "")


def _tr_params(title: str, params: dict) -> str:
    return i18n.gettext(title).format(**{k: _tr(v) for k, v in (params or {}).items()})


def make_environment(extra_dirs: list[Path]) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader([str(WEB_TEMPLATES), *map(str, extra_dirs)])]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=False)
    env.filters.update(dt=_fmt_dt, d=_fmt_date, tr=_tr)
    env.globals.update(tr_params=_tr_params)
    return env


def render(request: Request, template: str, context: dict | None = None, status_code: int = 200, *,
           count_unread: bool = True) -> HTMLResponse:
    """Render a page. Called from endpoint threads; error handlers on the event loop pass
    count_unread=False so that no query runs there."""
    services = request.app.state.services
    ctx = dict(request.state.page_context) if hasattr(request.state, "page_context") else {}
    if count_unread and "actor" in ctx and hasattr(request.state, "db_session"):
        from ipcity.core.inbox import unread_count

        ctx["unread"] = unread_count(request.state.db_session, ctx["actor"])
    ctx.update(request=request, locale=i18n.current_locale.get(), demo=services.settings.demo)
    ctx.update(context or {})
    html = services.templates.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code)
