"""What a person meets in a real browser when something goes wrong or cannot be undone.

- An unknown address is the styled error page with the menu, in Chinese and in English; never `{"detail": …}`.
- The audit page's "verify the chain" opens a page that says whether the trail is intact, not raw JSON.
- A refused step comes back to the record's page with its message (Post/Redirect/Get): the address is the
  page's, and a reload shows the page without the message and posts nothing.
- A step that cannot be undone asks first; answering "no" posts nothing; a refusal looks unlike an approval.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ipcity.bootstrap import default_registry
from ipcity.core.i18n import Msg
from ipcity.services.pledge.tables import Pledge
from tests.browser.conftest import DEMO_PASSWORD, answering

pytestmark = pytest.mark.browser


def _no_json(page) -> None:
    body = page.locator("body").inner_text().strip()
    assert not body.startswith("{") and '"detail"' not in body, body[:200]


def test_an_unknown_address_is_a_page_in_either_language(page, base_url, login):
    response = page.goto(f"{base_url}/nonexistent")
    assert response.status == 404 and response.headers["content-type"].startswith("text/html")
    _no_json(page)
    expect(page.locator("#error-page")).to_have_attribute("data-status", "404")
    expect(page.locator("h1")).to_have_text(Msg("Page not found").render("zh_Hans"))
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.goto(f"{base_url}/lang/en?next=/no/such/page")
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator(".error-page .advice")).to_contain_text("Check the address")
    # The page leads on: home and back.
    with page.expect_navigation():
        page.locator(".error-links a", has_text="Home").click()
    assert page.url.rstrip("/") == base_url
    # Signed in, the error page keeps the person's header.
    login(page, base_url, "company.demo", DEMO_PASSWORD)
    page.goto(f"{base_url}/openlicense/nothing-here")
    expect(page.locator("#error-page")).to_have_attribute("data-status", "404")
    expect(page.locator(".user-name")).to_be_visible()
    # The README's address of the open-licence list leads to the list.
    response = page.goto(f"{base_url}/openlicense/list")
    assert response.status == 200 and page.url.endswith("/openlicense")


def test_the_audit_chain_check_is_a_page(page, base_url, login):
    login(page, base_url, "admin", DEMO_PASSWORD)
    page.goto(f"{base_url}/admin/audit")
    with page.expect_navigation():
        page.click("#audit-verify")
    assert page.url.endswith("/admin/audit/verify")
    _no_json(page)
    expect(page.locator("#audit-check")).to_have_attribute("data-ok", "yes")
    expect(page.locator("#audit-check .verdict-ok")).to_be_visible()
    checked = int(page.locator("#audit-checked").inner_text())
    assert checked > 10


def _submitted_demo_pledge(live_server) -> int:
    with live_server.services.db.session() as s:
        return s.scalar(select(Pledge.id).where(Pledge.state == "submitted").order_by(Pledge.id))


def test_a_refused_step_comes_back_with_its_message_and_a_reload_posts_nothing(page, base_url, login, live_server):
    pledge_id = _submitted_demo_pledge(live_server)
    assert pledge_id is not None, "the demo has a pledge awaiting the examiner"
    url = f"{base_url}/pledge/{pledge_id}"
    login(page, base_url, "sipa.reviewer", DEMO_PASSWORD)
    page.goto(url)
    refuse = page.locator("form#act-refuse")
    # Refusing needs grounds and a reason: sent without them, the step is refused and nothing changes.
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    with answering(page), page.expect_navigation():
        refuse.locator("button[type=submit]").click()
    assert page.url == url, page.url                  # back on the page's own address, not on …/act
    expect(page.locator("form#act-refuse .error-box")).to_be_visible()
    expect(page.locator("#pledge-state")).to_have_attribute("data-state", "submitted")
    assert len(posts) == 1
    page.reload()                                     # reloading asks nothing and posts nothing
    assert len(posts) == 1 and page.url == url
    expect(page.locator(".error-box")).to_have_count(0)
    expect(page.locator("#pledge-state")).to_have_attribute("data-state", "submitted")


def test_a_step_that_cannot_be_undone_asks_first(page, base_url, login, live_server):
    pledge_id = _submitted_demo_pledge(live_server)
    login(page, base_url, "sipa.reviewer", DEMO_PASSWORD)
    page.goto(f"{base_url}/pledge/{pledge_id}")
    register = page.locator("form#act-register button[type=submit]")
    refuse = page.locator("form#act-refuse button[type=submit]")
    correction = page.locator("form#act-request_correction button[type=submit]")
    # Registering and refusing ask; a correction request does not. The refusal is not styled as the approval.
    label = default_registry().case_type("pledge.registration").transition("register").label
    question = Msg("“{action}” cannot be undone. Go ahead?", action=label).render("zh_Hans")
    expect(register).to_have_attribute("data-confirm", question)
    assert refuse.get_attribute("data-confirm") and correction.get_attribute("data-confirm") is None
    assert "danger" in refuse.get_attribute("class") and "primary" in register.get_attribute("class")
    assert refuse.evaluate("b => getComputedStyle(b).backgroundColor") != \
        register.evaluate("b => getComputedStyle(b).backgroundColor")
    # Answering "no" posts nothing.
    asked, posts = [], []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    with answering(page, accept=False):
        page.once("dialog", lambda d: asked.append(d.message))
        register.click()
    assert asked == [question]
    assert posts == []
    expect(page.locator("#pledge-state")).to_have_attribute("data-state", "submitted")
