"""Every list works from its defaults, for everyone, in a real browser.

Signed in as each demo account (and as an anonymous visitor), open every page the menu leads to; on each, submit
every GET form (the list filters) with the values it shows by default — and once more with each of its
checkboxes ticked — and follow every export link (CSV, Excel). Each answer must be a page (or the file), never a
4xx/5xx and never a JSON body: the "all" option of a select sends an empty value (`section=&unit_id=`), which
must mean "all" (web/params.py), not a raw 422.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ipcity.core.setup import DEMO_ACCOUNTS
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

PEOPLE = [None, *(a.username for a in DEMO_ACCOUNTS)]

# The header's links: the menu, whatever its layout (grouped, folded), read from the DOM, not clicked.
MENU_JS = """() => Array.from(document.querySelectorAll("header a[href^='/']"))
    .map(a => a.getAttribute("href"))"""

# Each GET form of the page: where it goes, the query its defaults make, and its unticked checkboxes.
FORMS_JS = """() => Array.from(document.querySelectorAll("main form"))
  .filter(f => (f.getAttribute("method") || "get").toLowerCase() === "get")
  .map(f => {
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(f)) if (typeof v === "string") params.append(k, v);
    const boxes = Array.from(f.querySelectorAll("input[type=checkbox]:not(:checked)"))
      .filter(b => b.name && !b.disabled).map(b => [b.name, b.value || "on"]);
    const action = f.getAttribute("action") ? new URL(f.getAttribute("action"), location.href) : new URL(location.href);
    return {path: action.pathname, query: params.toString(), boxes: boxes};
  })"""

EXPORTS_JS = """() => Array.from(document.querySelectorAll(
    "main a[href*='format=csv'], main a[href*='format=xlsx'], main a[href$='.csv'], main a[href$='.xlsx']"))
  .map(a => new URL(a.getAttribute("href"), location.href).href)"""


def _menu(page) -> list[str]:
    hrefs = [h for h in page.evaluate(MENU_JS) if not h.startswith(("/lang/", "/logout", "/static/"))]
    return list(dict.fromkeys(urlsplit(h).path for h in hrefs))


def _page_problem(response, url: str) -> str | None:
    if response is None:
        return f"{url}: no answer"
    ctype = response.headers.get("content-type", "")
    if response.status >= 400:
        return f"{url}: {response.status}"
    if "json" in ctype or response.text().lstrip().startswith("{"):
        return f"{url}: a JSON body ({response.text()[:120]!r})"
    return None


@pytest.mark.parametrize("who", PEOPLE, ids=[p or "visitor" for p in PEOPLE])
def test_every_list_form_and_export_works_from_its_defaults(page, base_url, login, who):
    if who is not None:
        login(page, base_url, who, DEMO_PASSWORD)
    page.goto(f"{base_url}/")
    menu = _menu(page)
    assert menu, "the menu leads nowhere"
    problems, submitted, exported = [], 0, 0
    for path in menu:
        response = page.goto(f"{base_url}{path}")
        problem = _page_problem(response, path)
        if problem:
            problems.append(problem)
            continue
        forms = page.evaluate(FORMS_JS)
        exports = page.evaluate(EXPORTS_JS)
        for link in exports:
            answer = page.request.get(link)
            ctype = answer.headers.get("content-type", "")
            if answer.status >= 400 or "json" in ctype or "html" in ctype:
                problems.append(f"{path}: export {link}: {answer.status} {ctype}")
            exported += 1
        for form in forms:
            queries = [form["query"]] + ["&".join(q for q in (form["query"], f"{name}={value}") if q)
                                         for name, value in form["boxes"]]
            for query in queries:
                url = f"{base_url}{form['path']}?{query}"
                problem = _page_problem(page.goto(url), f"{path} → {form['path']}?{query}")
                if problem:
                    problems.append(problem)
                submitted += 1
    assert not problems, "\n".join(problems)
    if who is not None and who != "admin":
        assert submitted, f"{who}: no filter form was found behind the menu {menu}"
