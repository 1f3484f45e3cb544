"""Walk every page a visitor, a company, a bank and an official can reach, in Chinese and in English.

From the home page the walker follows every same-site link the person is shown (two addresses per route
shape, so /pledge/3 and /pledge/4 count once), opens pages in the browser and fetches downloads, and records
what a person must never meet: a 4xx/5xx from a link, raw JSON instead of a page, a message id left
untranslated in the Chinese interface, an English code (a case state, a role, a unit level) in the Chinese
interface, or the name of a file or setting. All findings are reported together.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Error as PlaywrightError

from ipcity.core.roles import ALL_ROLES

CATALOGUE = Path(__file__).resolve().parents[2] / "src/ipcity/locale/zh_Hans/LC_MESSAGES/messages.po"
PERSONAS = {"visitor": None, "company": "company.demo", "bank": "bank.demo", "official": "sipa.reviewer"}
MAX_PAGES = 90  # route shapes walked per person and language: the demo has fewer, so all are reached
PER_SHAPE = 2
DOWNLOAD_TIMEOUT_MS = 120_000  # a report rendered on request, an export of a large result set
SKIP = ("/logout", "/lang/", "/static/", "/healthz")
# Downloads (and the machine-readable /api/ data the public pages offer as files) are fetched, not shown.
DOWNLOAD = re.compile(r"^/api/|^/files/|\.(pdf|csv|xlsx|png|svg|json|zip|txt|eml|html\.gz)(\?|$)"
                      r"|[?&]format=(csv|xlsx|pdf)")
DEVELOPER_WORDS = re.compile(r"IPCITY_[A-Z_]+|rules\.md|\b[a-z_]+\.(?:py|md|toml)\b|\bunverified\b|未经核实"
                             r"|built-in defaults?|Traceback|\{\{|\}\}|%\(\w+\)s")
RAW_JSON = re.compile(r"^\s*[\[{]\s*\"")
# The page's own words: text marked as another language (a patent's English abstract) and what a person typed
# back into a form are content, not the interface.
OWN_WORDS = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('[lang]:not([lang^="zh"]), script, style, textarea, input, select').forEach(e => e.remove());
  return copy.innerText;
}"""


@cache
def translated_msgids() -> tuple[str, ...]:
    """Message ids whose Chinese differs from the English and that read as English prose (two words or
    more): seeing one on a Chinese page means a text escaped translation."""
    with CATALOGUE.open("rb") as fh:
        cat = read_po(fh)
    out = []
    for m in cat:
        if not m.id or not m.string or isinstance(m.id, tuple):
            continue
        if m.string != m.id and re.fullmatch(r"[A-Z][A-Za-z'’,\- ]{10,}", m.id) and " " in m.id:
            out.append(m.id)
    return tuple(sorted(out, key=len, reverse=True))


@cache
def english_codes(registry_keys: tuple[str, ...]) -> re.Pattern:
    words = sorted({w for w in registry_keys if re.fullmatch(r"[a-z][a-z_.]{3,}", w)}, key=len, reverse=True)
    return re.compile(r"(?<![A-Za-z_./-])(" + "|".join(map(re.escape, words)) + r")(?![A-Za-z_./-])")


def codes_of(services) -> tuple[str, ...]:
    """Every code a Chinese reader must never see: case states, transitions, roles, unit kinds and levels,
    audit actions."""
    from sqlalchemy import select

    from ipcity.core.tables import Unit

    codes = set(ALL_ROLES)
    for ct in services.registry.case_types():
        codes.update(state.key for state in ct.states)
        codes.update(t.key for t in ct.transitions)
    with services.db.session() as s:
        for kind, level in s.execute(select(Unit.kind, Unit.level)).all():
            codes.update(x for x in (kind, level) if x)
    # Words that are also ordinary English or Chinese-page content (a state "open" is not a code on a page).
    return tuple(sorted(c for c in codes if c not in {"open", "closed", "final", "admin", "draft"}))


def shape(path: str, query: str) -> str:
    keys = ",".join(sorted({k for k, _ in parse_qsl(query, keep_blank_values=True)}))
    return re.sub(r"\d+", "#", path) + "?" + keys


def page_findings(text: str, lang: str, codes: re.Pattern) -> list[str]:
    found = [f"developer word {m.group(0)!r}" for m in DEVELOPER_WORDS.finditer(text)]
    if lang == "zh":
        found += [f"untranslated {msgid!r}" for msgid in translated_msgids() if msgid in text]
        found += [f"English code {m.group(1)!r}" for m in codes.finditer(text)]
    return found


def walk(page, base_url: str, lang: str, codes: re.Pattern) -> tuple[list[str], int]:
    problems: list[str] = []
    seen_shapes: dict[str, int] = {}
    seen: set[str] = set()
    came_from: dict[str, str] = {}
    queue = ["/"]
    visited = 0
    while queue and visited < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        parts = urlsplit(url)
        key = shape(parts.path, parts.query)
        if seen_shapes.get(key, 0) >= PER_SHAPE:
            continue
        seen_shapes[key] = seen_shapes.get(key, 0) + 1
        if DOWNLOAD.search(url):
            resp = page.request.get(base_url + url, timeout=DOWNLOAD_TIMEOUT_MS)
            if resp.status >= 400:
                problems.append(f"{lang} {url}: download answered {resp.status}")
            continue
        visited += 1
        try:
            resp = page.goto(base_url + url)
        except PlaywrightError as exc:  # a link that turns out to be a file: fetched like the others
            if "Download is starting" not in str(exc):
                raise
            resp = page.request.get(base_url + url, timeout=DOWNLOAD_TIMEOUT_MS)
            if resp.status >= 400:
                problems.append(f"{lang} {url}: download answered {resp.status}")
            continue
        if resp is None:
            continue
        if resp.status >= 400:
            problems.append(f"{lang} {url} (from {came_from.get(url, '-')}): {resp.status}")
            continue
        ctype = resp.headers.get("content-type", "")
        if "html" not in ctype:
            body = resp.text()
            if "json" in ctype or RAW_JSON.match(body):
                problems.append(f"{lang} {url}: raw JSON instead of a page")
            continue
        text = page.evaluate(OWN_WORDS)
        problems += [f"{lang} {url} (from {came_from.get(url, '-')}): {p}" for p in page_findings(text, lang, codes)]
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlsplit(urljoin(page.url, href))
            if target.netloc != urlsplit(base_url).netloc or target.scheme not in ("http", "https"):
                continue
            local = target.path + (f"?{target.query}" if target.query else "")
            if not local.startswith(SKIP) and local not in seen:
                queue.append(local)
                came_from.setdefault(local, url)
    return problems, visited


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_reachable_page_reads_well_in_both_languages(persona, new_page, base_url, live_server, login):
    page = new_page()
    if PERSONAS[persona]:
        login(page, base_url, PERSONAS[persona], live_server.password)
    codes = english_codes(codes_of(live_server.services))
    problems, visited_zh = walk(page, base_url, "zh", codes)
    page.goto(f"{base_url}/lang/en?next=/")
    en_problems, visited_en = walk(page, base_url, "en", codes)
    page.goto(f"{base_url}/lang/zh_Hans?next=/")
    assert visited_zh > 3 and visited_en > 3, "the walker reached almost nothing: is the home page linked?"
    problems += en_problems
    assert not problems, f"{persona}: {len(problems)} problems\n" + "\n".join(sorted(set(problems)))
