"""Open licensing in a real browser: company.demo declares an open licence on one of its demo register patents,
sipa.handler publishes it after the formal check, maker.demo finds it in the public list and through matchmaking,
takes a licence on the published terms and records it with the written proof."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ipcity.core.clock import today
from ipcity.patents.demo_register import demo_records
from tests.browser.conftest import DEMO_PASSWORD, answering

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_declare_publish_find_and_take_a_licence(new_page, live_server, login, screenshot):
    base = live_server.url
    stent = next(r for r in demo_records() if "镁合金" in r.title)  # co-owned: declared jointly (Patent Law Art 14)
    co_owner = next(a for a in stent.applicants if a != "演示科技有限公司（演示）")
    company, handler, maker = new_page(), new_page(), new_page()

    # --- the patentee declares ---
    login(company, base, "company.demo", DEMO_PASSWORD)
    company.goto(f"{base}/openlicense/declarations/new")
    form = company.locator("#declaration-form")
    expect(form).to_be_visible()
    form.locator("#f-patent_number").fill(stent.app_number)
    form.locator("#mode-lump_sum").check()
    form.locator("#f-lump_sum").fill("500000")
    start = today()  # the platform's day (China), as the live server sees it
    form.locator("#f-term_start").fill(start.isoformat())
    form.locator("#f-term_end").fill((start + timedelta(days=3 * 365)).isoformat())
    form.locator("#f-other_terms").fill("一次性付清后许可使用，浏览器测试。")
    form.locator("#f-contact").fill("许可专员 021-12345678")
    form.locator("#f-co_owner_1").fill(co_owner)
    form.locator("#f-co_declaration_1").set_input_files(
        {"name": "joint-declaration.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with company.expect_navigation():
        form.locator("#submit-declaration").click()
    expect(company.locator("#declaration-state")).to_have_attribute("data-state", "filed")
    expect(company.locator("#eligible")).to_be_visible()
    declaration_url = company.url

    # --- the IP office publishes ---
    login(handler, base, "sipa.handler", DEMO_PASSWORD)
    handler.goto(declaration_url)
    with answering(handler), handler.expect_navigation():
        handler.locator("form#act-publish button[type=submit]").click()
    expect(handler.locator("#declaration-state")).to_have_attribute("data-state", "published")
    number = handler.locator("#declaration-number").inner_text().split()[0]

    # --- a manufacturer finds it and takes a licence ---
    login(maker, base, "maker.demo", DEMO_PASSWORD)
    maker.goto(f"{base}/openlicense")
    expect(maker.locator(f"#declarations tr[data-number='{number}']")).to_be_visible()
    screenshot(maker, "openlicense-list.png")
    maker.goto(f"{base}/openlicense?q=镁合金&mode=lump_sum")
    expect(maker.locator("#declarations tr[data-number]")).to_have_count(1)
    expect(maker.locator(f"#declarations tr[data-number='{number}']")).to_be_visible()
    maker.goto(f"{base}/openlicense/match")
    maker.locator("#f-need").fill("我们生产心血管介入器械，需要可降解的血管支架材料")
    with maker.expect_navigation():
        maker.locator("#submit-match").click()
    hit = maker.locator(f"#matches li[data-number='{number}']")
    expect(hit).to_be_visible()
    expect(hit.locator("mark").first).to_be_visible()
    with maker.expect_navigation():
        hit.locator("a.take-link").click()
    take = maker.locator("#take-form")
    take.locator("#f-products").fill("可降解冠脉支架（浏览器测试）")
    take.locator("#f-contact").fill("采购部 021-87654321")
    with maker.expect_navigation():
        take.locator("#submit-take").click()
    expect(maker.locator("#licence-state")).to_have_attribute("data-state", "notified")
    maker.locator("#f-proof").set_input_files(files=[{"name": "licence.pdf", "mimeType": "application/pdf",
                                                      "buffer": PDF}])
    with maker.expect_navigation():
        maker.locator("#submit-record").click()
    expect(maker.locator("#licence-state")).to_have_attribute("data-state", "recorded")
    expect(maker.locator("#recorded-on")).to_have_text(today().isoformat())

    # the patentee sees the licence on the declaration page
    company.goto(declaration_url)
    expect(company.locator("#licences tr[data-licence]")).to_have_count(1)
