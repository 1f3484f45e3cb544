"""The pages satisfy their Content-Security-Policy (issue 14, finding 12): loading the main pages, anonymous
and signed in, raises no CSP violation, and an injected inline script is refused (the policy is live)."""

from __future__ import annotations

from tests.browser.conftest import DEMO_PASSWORD

# Recorded before any page script runs (Playwright's init scripts are not subject to the page's CSP).
RECORDER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "")
                    + ":" + e.lineNumber);
});
"""

ANONYMOUS = ["/", "/login", "/services", "/patents", "/patents?q=%E7%94%B5%E6%B1%A0", "/dataip/registry",
             "/pledge/gazette", "/openlicense", "/patents/CN000000000X"]
SIGNED_IN = {"sipa.head": ["/workplan/dashboard", "/navigation", "/jobs", "/inbox", "/account"],
             "company.demo": ["/dataip/new", "/pledge", "/openlicense/declarations/new", "/cases/mine"],
             "admin": ["/admin/users", "/admin/calendar"]}


def _visit(page, url: str, seen: dict[str, list[str]]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    found = page.evaluate("window.__csp || []")
    if found:
        seen[url] = found


def _menu_and_first_links(page, base: str) -> list[str]:
    links = page.eval_on_selector_all("nav.menu a", "els => els.map(e => e.getAttribute('href'))")
    return [f"{base}{href}" for href in links if href and href.startswith("/")]


def test_main_pages_raise_no_csp_violation(new_page, live_server, login):
    base = live_server.url
    seen: dict[str, list[str]] = {}
    console: list[str] = []

    visitor = new_page()
    visitor.context.add_init_script(RECORDER)
    visitor.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    for path in ANONYMOUS:
        _visit(visitor, f"{base}{path}", seen)
    # The first patent of a search: the detail page with its "back" link.
    visitor.goto(f"{base}/patents?q=%E7%94%B5%E6%B1%A0")
    hit = visitor.locator("a.hit-title").first
    if hit.count():
        _visit(visitor, f"{base}{hit.get_attribute('href')}", seen)

    for user, paths in SIGNED_IN.items():
        page = new_page()
        page.context.add_init_script(RECORDER)
        page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
        login(page, base, user, DEMO_PASSWORD)
        urls = [f"{base}{p}" for p in paths] + _menu_and_first_links(page, base)
        for url in dict.fromkeys(urls):
            _visit(page, url, seen)

    assert seen == {} and console == []

    # The check above can see a violation: an injected inline script is refused and reported.
    visitor.goto(f"{base}/")
    visitor.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';
                               document.body.appendChild(s); }""")
    visitor.wait_for_timeout(200)
    assert visitor.evaluate("window.__ran") is None
    assert any("script-src" in v for v in visitor.evaluate("window.__csp"))


def test_moved_handlers_still_work(new_page, live_server, login):
    """The inline handlers that moved to /static/app.js: auto-submitting select, opening the syntax help,
    the error page's back link, and the confirmation before deleting a topic."""
    base = live_server.url
    page = new_page()
    page.goto(f"{base}/patents?q=%E7%94%B5%E6%B1%A0")
    with page.expect_navigation():
        page.select_option("#mode", "semantic")          # data-autosubmit
    assert "mode=semantic" in page.url
    page.click("a[data-open=syntax]")
    assert page.evaluate("document.getElementById('syntax').open") is True

    page.goto(f"{base}/patents?q=%E7%94%B5%E6%B1%A0")
    page.goto(f"{base}/patents/CN000000000X")             # not found: the error page
    with page.expect_navigation():
        page.click("a[data-back]")                       # back to the search, not to the fallback "/"
    assert "/patents" in page.url

    login(page, base, "sipa.head", DEMO_PASSWORD)
    page.goto(f"{base}/navigation")
    page.locator("#topics a").first.click()
    page.wait_for_load_state()
    form = page.locator("form[data-confirm]")
    if form.count():                                      # only the topic's owner may delete it
        topic_url = page.url
        page.once("dialog", lambda d: d.dismiss())        # answering "no" keeps the topic
        form.locator("button").click()
        page.wait_for_timeout(300)
        assert page.url == topic_url
