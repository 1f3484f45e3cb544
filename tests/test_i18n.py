"""The Simplified Chinese catalogue covers every message the code and templates can show.

Extraction runs here exactly as `pybabel extract -F babel.cfg -k Msg -k _ -k gettext -k N_ src/ipcity`
does, so a new string without a translation fails the suite instead of showing up in English.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from ipcity.core import i18n
from ipcity.core.i18n import Msg

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "ipcity"
BABEL_CFG = ROOT / "babel.cfg"
PO_PATH = SRC / "locale" / "zh_Hans" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "Msg": None, "_": None, "gettext": None, "N_": None}

# English msgids whose Chinese is legitimately the same text (none needed so far).
# Messages that are only placeholders and punctuation: the Chinese differs only in full-width punctuation.
SAME_IN_CHINESE: frozenset[str] = frozenset({"{platform}: {what}", "{rule}; {also}"})

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
CJK = re.compile(r"[\u3400-\u9fff]")


@cache
def extracted() -> dict[str | tuple[str, str], list[str]]:
    """msgid (or (context, msgid) for a pgettext message) -> ['file:line', ...] for every message Babel extracts
    from src/ipcity."""
    with BABEL_CFG.open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(BABEL_CFG))
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        SRC, method_map, options_map, keywords=KEYWORDS
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                found.setdefault((context, msgid) if context else msgid, []).append(
                    f"src/ipcity/{filename}:{lineno}")
    return found


@cache
def catalogue() -> Catalog:
    with PO_PATH.open("rb") as fh:
        return read_po(fh, locale="zh")


def translated(key: str | tuple[str, str]) -> str:
    context, msgid = key if isinstance(key, tuple) else (None, key)
    message = catalogue().get(msgid, context=context)
    if message is None or message.fuzzy:
        return ""
    string = message.string
    return string[0] if isinstance(string, tuple) else string


def test_extraction_finds_the_interface_strings():
    found = extracted()
    # one message from each source the mapping must cover: Python Msg, templates, the N_ markers
    for msgid in ("Wrong user name or password", "Sign in", "Work plan", "queued",
                  "Case {number} awaits your action ({state})"):
        assert msgid in found, msgid
    assert len(found) > 100


def test_every_extracted_message_has_a_chinese_translation():
    missing = sorted(
        f"{msgid!r} ({', '.join(places[:2])})"
        for msgid, places in extracted().items()
        if not translated(msgid).strip()
    )
    assert not missing, (
        f"{len(missing)} message(s) without Chinese in {PO_PATH.relative_to(ROOT)} "
        "(run pybabel extract/update as described in babel.cfg, then translate):\n  " + "\n  ".join(missing)
    )


def test_catalogue_has_no_fuzzy_entries():
    fuzzy = [m.id for m in catalogue() if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries are ignored at run time: {fuzzy}"


def test_placeholders_match():
    wrong = []
    for message in catalogue():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != expected:
                wrong.append(f"{message.id!r} -> {string!r}")
    assert not wrong, "placeholders differ between msgid and msgstr:\n  " + "\n  ".join(wrong)


def test_english_messages_are_really_translated():
    untranslated = []
    for message in catalogue():
        if not message.id or not message.string or isinstance(message.id, tuple):
            continue
        if not message.id.isascii() or message.id in SAME_IN_CHINESE:
            continue
        if message.string == message.id or not CJK.search(message.string):
            untranslated.append(f"{message.id!r} -> {message.string!r}")
    assert not untranslated, "msgstr is not Chinese:\n  " + "\n  ".join(untranslated)


def test_a_word_in_context_reads_as_it_should_there():
    from ipcity.core import i18n

    token = i18n.current_locale.set("zh_Hans")
    try:
        assert i18n.pgettext("unit", "Name") == "单位名称"
        assert i18n.pgettext("person", "Name") == "姓名"
        assert i18n.gettext("Name") != i18n.pgettext("unit", "Name")
    finally:
        i18n.current_locale.reset(token)


def test_msg_renders_in_both_languages():
    assert Msg("Sign in").render("zh_Hans") == "登录"
    assert Msg("Sign in").render("en") == "Sign in"
    notice = Msg("Work point {n}", n=7)
    assert notice.render("zh_Hans") == "第7项工作要点"
    assert notice.render("en") == "Work point 7"


def test_default_locale_is_chinese():
    token = i18n.current_locale.set(i18n.DEFAULT_LOCALE)
    try:
        assert i18n.gettext("Sign out") == "退出"
        assert str(Msg("Submitted, awaiting review")) == "已提交，待审核"
    finally:
        i18n.current_locale.reset(token)
