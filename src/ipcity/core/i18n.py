"""Interface language: Simplified Chinese by default, English on request (gettext catalogues via Babel).

Message ids are English; `locale/zh_Hans/LC_MESSAGES/messages.po` holds the Chinese. The current
language lives in a context variable set per request, so one Jinja environment serves both.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = ("zh_Hans", "en")
DEFAULT_LOCALE = "zh_Hans"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> NullTranslations:
    """Compile the .po catalogue in memory (no build step, nothing generated in the tree)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale.replace("_Hans", ""))
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A word that reads differently by where it stands ("Name" of a person 姓名, of a unit 单位名称)."""
    return translations(current_locale.get()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).npgettext(context, singular, plural, n)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the conventional name of gettext_noop
    """Mark a message id for extraction where it is written; it is translated where it is shown."""
    return message


class Msg:
    """A message translated when shown, with named parameters (which may be Msgs themselves).

    Used for error messages, menu labels and state names that are declared once at import time.
    """

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = params

    def render(self, locale: str | None = None) -> str:
        tr = translations(locale or current_locale.get())
        params = {k: (v.render(locale) if isinstance(v, Msg | Bilingual) else v) for k, v in self.params.items()}
        text = tr.gettext(self.msgid)
        return text.format(**params) if params else text

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Msg) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash(self.msgid)


class Bilingual:
    """A text that arrives already written in both languages (a parser's or a number check's message): as a
    Msg parameter it shows in the reader's language."""

    __slots__ = ("en", "zh")

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en

    def render(self, locale: str | None = None) -> str:
        return self.zh if (locale or current_locale.get()).startswith("zh") else self.en

    def __str__(self) -> str:
        return self.render()

    def __eq__(self, other) -> bool:
        return isinstance(other, Bilingual) and (self.zh, self.en) == (other.zh, other.en)

    def __hash__(self) -> int:
        return hash((self.zh, self.en))


def pick_locale(requested: str | None, accept_language: str | None = None) -> str:
    if requested in LOCALES:
        return requested
    if requested and requested.lower().startswith("en"):
        return "en"
    if requested and requested.lower().startswith("zh"):
        return "zh_Hans"
    return DEFAULT_LOCALE
