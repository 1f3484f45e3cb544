"""The public home page and the menu in a real browser (issue 15, items 10, 11, 14a and 16).

A visitor finds every public page from the home page and the menu, each page opens without an account; signed
in, the menu is four groups of dropdowns that work by keyboard; on a 390 px phone the menu folds behind a
button and wide tables scroll inside their box, not the page; the language switch keeps the page and its
query; the skip link and the focus outline are there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect

PUBLIC_PATHS = ["/patents", "/openlicense", "/pledge/gazette", "/dataip/registry",
                "/dataip/registry?state=in_publicity", "/dataip/verify", "/dataip/log",
                "/rights/track"]
PHONE = {"width": 390, "height": 844}


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_visitor_finds_every_public_page_from_the_home_page(page, base_url, screenshot):
    page.goto(f"{base_url}/")
    screenshot(page, "public-home.png")
    page.goto(f"{base_url}/services/pledge/guide")
    screenshot(page, "service-guide.png")
    page.goto(f"{base_url}/lang/en?next=/")
    assert _local(page.url) == "/"
    home = page.locator("#public")
    for path in PUBLIC_PATHS:
        item = home.locator(f"li[data-path='{path}']")
        assert item.count() == 1, path
        assert item.locator("p").inner_text().strip(), path                 # a line saying what it is
        assert page.locator(f"nav.menu a[href='{path}']").count() == 1, path   # and in the visitor's menu
    assert home.locator("section.card h3").count() >= 4                       # grouped by the service
    # Each entry opens its page, for a visitor, from the home page.
    for path in PUBLIC_PATHS:
        page.goto(f"{base_url}/")
        with page.expect_navigation():
            home.locator(f"li[data-path='{path}'] > a").click()
        assert _local(page.url) == path
        assert page.locator("main h1").count() == 1, path
        current = page.locator("nav.menu a[aria-current=page]")
        assert current.count() == 1 and current.get_attribute("href") == path   # the menu says where one is
    # The visitor's menu is the public pages only, flat: no dropdown to open.
    assert page.locator("details.menu-group").count() == 0
    assert sorted(page.eval_on_selector_all("nav.menu a", "els => els.map(e => e.getAttribute('href'))")) \
        == sorted(PUBLIC_PATHS)


def test_certificate_verification_by_number(page, base_url):
    page.goto(f"{base_url}/dataip/registry?state=registered")
    number = page.locator("a[href^='/dataip/verify/']").first.inner_text().strip()
    page.goto(f"{base_url}/dataip/verify")
    page.get_by_label("证书编号").fill(number)           # the field is labelled
    with page.expect_navigation():
        page.click("#verify-form button")
    assert page.url.endswith(f"/dataip/verify/{number}")
    assert page.locator("#verdict").count() == 1


def test_signed_in_menu_is_four_groups_of_dropdowns_that_work_by_keyboard(page, base_url, live_server, login):
    login(page, base_url, "admin", live_server.password)
    page.goto(f"{base_url}/lang/en?next=/admin/users")
    groups = page.locator("nav.menu > details.menu-group")
    assert [g.get_attribute("data-group") for g in groups.all()] == ["apply", "public", "work", "admin"]
    assert page.locator("nav.menu").get_attribute("aria-label") == "Main menu"
    assert page.locator("details.menu-group.current").get_attribute("data-group") == "admin"
    # Closed, the groups take one row: the menu's links are not shown until a group is opened.
    assert page.locator("nav.menu").bounding_box()["height"] < 60
    link = page.locator("details[data-group=public] a[href='/pledge/gazette']")
    assert not link.is_visible()
    # Keyboard: Tab to the group, Enter opens it, Tab reaches its links, Escape closes it again.
    summary = page.locator("details[data-group=public] > summary")
    summary.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"  # focus is visible
    page.keyboard.press("Enter")
    assert link.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('details')?.dataset.group") == "public"
    page.keyboard.press("Escape")
    assert not link.is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    # One group open at a time; a click elsewhere closes it.
    page.click("details[data-group=public] > summary")
    page.click("details[data-group=admin] > summary")
    assert page.evaluate("[...document.querySelectorAll('details.menu-group[open]')].map(d => d.dataset.group)") \
        == ["admin"]
    page.click("main h1")
    assert page.locator("details.menu-group[open]").count() == 0
    with page.expect_navigation():
        page.click("details[data-group=public] > summary")
        page.click("details[data-group=public] a[href='/pledge/gazette']")
    assert _local(page.url) == "/pledge/gazette"


def test_on_a_phone_the_menu_folds_and_tables_scroll_in_their_box(page, base_url, live_server, login):
    page.set_viewport_size(PHONE)
    login(page, base_url, "sipa.reviewer", live_server.password)
    page.goto(f"{base_url}/dataip/registry")
    button = page.locator("summary.menu-button")
    assert button.is_visible()
    assert not page.locator("nav.menu").is_visible()
    header = page.locator("header.top").bounding_box()["height"]
    assert header < PHONE["height"] / 4, header                            # the first screen shows the page
    # The page itself does not scroll sideways; the wide table scrolls inside its box, which the keyboard
    # can reach.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = page.locator(".table-scroll:has(#registry)")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    # The menu button opens the groups, stacked; a group opens in place.
    button.click()
    assert page.locator("nav.menu").is_visible()
    page.click("details[data-group=public] > summary")
    assert page.locator("details[data-group=public] a[href='/dataip/log']").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    assert not page.locator("nav.menu").is_visible()
    # Back on a wide screen the menu is there again, without the button.
    page.set_viewport_size({"width": 1360, "height": 900})
    expect(page.locator("nav.menu")).to_be_visible()
    assert not button.is_visible()


def test_language_switch_keeps_the_page_and_its_query(page, base_url):
    page.goto(f"{base_url}/pledge/gazette?q=%E7%94%B5%E6%B1%A0&kind=registration")
    with page.expect_navigation():
        page.click("#lang-switch")
    assert _local(page.url) == "/pledge/gazette?q=%E7%94%B5%E6%B1%A0&kind=registration"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.input_value("input[name=q]") == "电池"
    with page.expect_navigation():
        page.click("#lang-switch")
    assert _local(page.url) == "/pledge/gazette?q=%E7%94%B5%E6%B1%A0&kind=registration"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    # A link that would leave the site only brings the person home.
    page.goto(f"{base_url}/lang/en?next=%2F%5Cexample.org%2F")
    assert urlsplit(page.url).netloc == urlsplit(base_url).netloc and _local(page.url) == "/"


def test_skip_link_is_the_first_stop_and_moves_to_the_content(page, base_url):
    page.goto(f"{base_url}/lang/en?next=/dataip/registry")
    skip = page.locator("a.skip-link")
    assert not skip.is_visible() or skip.bounding_box()["y"] < 0              # out of sight until focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.bounding_box()["y"] >= 0 and skip.inner_text() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")                                                # the next stop is in the page
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
