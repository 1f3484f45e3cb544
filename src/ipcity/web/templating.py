"""Jinja2 environment shared by the core and every service, with gettext bound to the request language."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ipcity.core import i18n
from ipcity.core.audit_labels import action_label, object_label
from ipcity.core.clock import local
from ipcity.core.plugins import current_entry, grouped
from ipcity.workflow.definition import choices_of, is_single_choice

WEB_TEMPLATES = Path(__file__).resolve().parent / "templates"


def fmt_dt(value: datetime | str | None) -> str:
    """Beijing time, to the minute; a stored ISO string (the audit trail's) is read as UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None
    dt = local(value)
    return dt.strftime("%Y-%m-%d %H:%M") if dt else ""


def _fmt_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def _tr(value) -> str:
    """Translate a Msg, or a stored msgid, into the current language; a message stored in both languages
    ({"zh": …, "en": …}) shows the reader's."""
    if isinstance(value, i18n.Msg):
        return value.render()
    if isinstance(value, dict) and "zh" in value and "en" in value:
        return value["zh"] if i18n.current_locale.get().startswith("zh") else value["en"]
    return i18n.gettext(value) if isinstance(value, str) and value else (value or "")


def _audit_action(action: str) -> str:
    return _tr(action_label(action))


def _audit_object(object_type: str) -> str:
    return _tr(object_label(object_type))


def _term(value: str, official_zh: str) -> str:
    """A label with its official Chinese term: the Chinese interface shows the term alone, the English one
    shows both ("Abstract 摘要"), never the term twice."""
    return official_zh if i18n.current_locale.get().startswith("zh") else f"{value} {official_zh}"


def _patent_link(number: str) -> Markup:
    """A patent number as a link to its page: the page opens at any spelling of any of its numbers (ZL…, CN…)."""
    if not number:
        return Markup("")
    return Markup('<a class="patent-link" href="/patents/{}">{}</a>').format(quote(str(number), safe=""), number)


def _tr_params(title: str, params: dict) -> str:
    return i18n.gettext(title).format(**{k: _tr(v) for k, v in (params or {}).items()})


def make_environment(extra_dirs: list[Path]) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader([str(WEB_TEMPLATES), *map(str, extra_dirs)])]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # compiled once per process: no stat of every template file on every page
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=False, pgettext=i18n.pgettext,
                                  npgettext=i18n.npgettext)
    env.filters.update(dt=fmt_dt, d=_fmt_date, tr=_tr, term=_term,
                       audit_action=_audit_action, audit_object=_audit_object, patent_link=_patent_link)
    env.globals.update(tr_params=_tr_params, menu_groups=grouped, menu_current=current_entry,
                       field_choices=choices_of, single_choice=is_single_choice)
    return env


def render(request: Request, template: str, context: dict | None = None, status_code: int = 200, *,
           count_unread: bool = True) -> HTMLResponse:
    """Render a page. Called from endpoint threads; error handlers on the event loop pass
    count_unread=False so that no query runs there."""
    services = request.app.state.services
    ctx = dict(request.state.page_context) if hasattr(request.state, "page_context") else {}
    if count_unread and "actor" in ctx:
        ctx["unread"] = getattr(request.state, "unread", None)  # read with the sign-in (web/deps.py)
        if ctx["unread"] is None and hasattr(request.state, "db_session"):
            from ipcity.core.inbox import unread_count

            ctx["unread"] = unread_count(request.state.db_session, ctx["actor"])
    ctx.update(request=request, locale=i18n.current_locale.get(), demo=services.settings.demo)
    ctx.update(context or {})
    html = services.templates.get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code)
