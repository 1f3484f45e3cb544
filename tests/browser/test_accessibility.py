"""Accessibility basics of the public pages (issue 15, item 16), checked by axe-core in the browser.

axe-core is the engine most accessibility checkers use (Deque, MPL-2.0). Its script comes from the PyPI
package `axe-playwright-python` (pinned in pyproject's test extra; it ships axe.min.js, here axe 4.12), read
from the package and evaluated in the page (Playwright's evaluate is not subject to the page's CSP).
Every public page, in Chinese and in English, on a desktop and on a phone, must have no serious or critical
violation; a page with a deliberately unlabelled field shows that the check can fail.
"""

from __future__ import annotations

from importlib.resources import files

import pytest

AXE_SOURCE = (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")
FAILING = ("serious", "critical")
PHONE = {"width": 390, "height": 844}

# What a visitor can open without an account (the public home lists them all), and the sign-in page.
PUBLIC = {
    "home": "/",
    "patent search": "/patents",
    "patent search results": "/patents?q=%E7%94%B5%E6%B1%A0",
    "pledge gazette": "/pledge/gazette",
    "data-IP registry": "/dataip/registry",
    "data-IP publicity": "/dataip/registry?state=in_publicity",
    "transparency log": "/dataip/log",
    "certificate verification": "/dataip/verify",
    "open licences": "/openlicense",
    "sign in": "/login",
}


def axe_violations(page) -> list[dict]:
    """axe's violations on the page as it is now: rule, impact, help and the first nodes' selectors."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
    }""")
    return result


def _failing(page, label: str) -> list[str]:
    return [f"{label}: {v['id']} ({v['impact']}) {v['help']} at {v['nodes']}"
            for v in axe_violations(page) if v["impact"] in FAILING]


def _public_pages(page, base: str) -> dict[str, str]:
    """The fixed public pages plus one real certificate's verification and one public registry record."""
    pages = dict(PUBLIC)
    page.goto(f"{base}/dataip/registry")
    cert = page.locator("a[href^='/dataip/verify/']").first
    if cert.count():
        pages["a certificate's verification"] = cert.get_attribute("href")
    record = page.locator("a[href^='/dataip/registry/']").first
    if record.count():
        pages["a public registry record"] = record.get_attribute("href")
    return pages


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_public_pages_have_no_serious_accessibility_violation(lang, new_page, base_url):
    page = new_page()
    pages = _public_pages(page, base_url)
    assert "a certificate's verification" in pages and "a public registry record" in pages  # the demo has both
    page.goto(f"{base_url}/lang/{lang}?next=/")
    problems: list[str] = []
    for name, path in pages.items():
        response = page.goto(base_url + path)
        assert response is not None and response.status == 200, (name, path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.lang") == ("zh-CN" if lang == "zh_Hans" else "en")
        problems += _failing(page, f"{lang} {name} {path}")
    assert problems == []


def test_public_pages_on_a_phone_have_no_serious_accessibility_violation(new_page, base_url):
    """At 390 px the menu is folded and wide tables scroll in their box (a focusable region): still clean,
    with the menu open too."""
    page = new_page()
    page.set_viewport_size(PHONE)
    problems: list[str] = []
    for name, path in PUBLIC.items():
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        problems += _failing(page, f"phone {name} {path}")
    page.goto(f"{base_url}/dataip/registry")
    page.click("summary.menu-button")
    problems += _failing(page, "phone, menu open, /dataip/registry")
    assert problems == []


def test_signed_in_menu_has_no_serious_accessibility_violation(new_page, base_url, live_server, login):
    """The grouped menu of an official, with a dropdown open, and the work queue with its table."""
    page = new_page()
    login(page, base_url, "sipa.reviewer", live_server.password)
    page.goto(f"{base_url}/queue")
    page.click("details.menu-group[data-group=public] > summary")
    assert page.is_visible("details.menu-group[data-group=public] a[href='/pledge/gazette']")
    assert _failing(page, "reviewer /queue, a group open") == []


def test_the_check_can_fail(new_page, base_url):
    """An input without a label, an image without a text and a link without a name are reported as
    serious or critical: the check above is live."""
    page = new_page()
    page.goto(f"{base_url}/pledge/gazette")
    assert _failing(page, "gazette") == []
    page.evaluate("""() => {
        const main = document.querySelector("main");
        const input = document.createElement("input"); input.name = "nolabel"; main.prepend(input);
        const img = document.createElement("img"); img.src = "/static/none.png"; main.prepend(img);
        const a = document.createElement("a"); a.href = "/patents"; main.prepend(a);
    }""")
    found = {v["id"] for v in axe_violations(page) if v["impact"] in FAILING}
    assert {"label", "image-alt", "link-name"} <= found
