"""Fast pre-examination in a real browser: maker.demo registers with the protection centre and centre.handler
admits it; the company checks a case whose proposed IPC class lies outside the centre's fields (flagged), submits
it anyway; the centre accepts it and asks for a correction, which stops the clock; the company corrects the class;
centre.examiner passes it, and the pass notice downloads as a PDF that draws every glyph it contains."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ipcity.core import fonts
from tests.browser.conftest import DEMO_PASSWORD, answering

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CLAIMS = ("1. 一种储能电池用复合隔膜，其特征在于，包括聚烯烃基膜和陶瓷涂层。\n"
          "2. 根据权利要求1所述的复合隔膜，其特征在于，所述陶瓷涂层为氧化铝。")


def _file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _act(page, key: str, reason: str = "") -> None:
    form = page.locator(f"form#act-{key}")
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    with answering(page), page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_register_submit_correct_and_pass(new_page, live_server, login, screenshot):
    base = live_server.url
    maker, handler, examiner = new_page(), new_page(), new_page()

    # --- the company registers with the centre ---
    login(maker, base, "maker.demo", DEMO_PASSWORD)
    maker.goto(f"{base}/preexam/registrations/new")
    form = maker.locator("#registration-form")
    form.locator("#f-credit_code").fill("91310104MA1FR0002J")
    form.locator("#f-division_code").fill("310104")
    form.locator("#f-address").fill("上海市徐汇区漕宝路1号")
    form.locator("#f-business_scope").fill("新材料技术研发；电池隔膜、复合材料的研发与销售")
    form.locator("#f-contact_name").fill("知识产权专员")
    form.locator("#f-contact_phone").fill("13900000000")
    form.locator("#f-rd_evidence").set_input_files(_file("rd.pdf"))
    form.locator("#f-ip_management").set_input_files(_file("ip.pdf"))
    with maker.expect_navigation():
        form.locator("#submit-registration").click()
    expect(maker.locator("#registration-state")).to_have_attribute("data-state", "filed")
    registration_url = maker.url

    login(handler, base, "centre.handler", DEMO_PASSWORD)
    handler.goto(registration_url)
    _act(handler, "admit")
    expect(handler.locator("#registration-state")).to_have_attribute("data-state", "admitted")

    # --- a case with a class outside the centre's fields: flagged by the check, submitted anyway ---
    maker.goto(f"{base}/preexam/cases/new")
    case = maker.locator("#case-form")
    case.locator("#f-title").fill("一种储能电池用复合隔膜")
    case.locator("#f-abstract").fill("本发明公开了一种储能电池用复合隔膜，包括聚烯烃基膜和陶瓷涂层，耐热性好。")
    case.locator("#f-claims").fill(CLAIMS)
    case.locator("#f-description").fill("技术领域\n本发明涉及电池隔膜材料。\n具体实施方式\n实施例1。")
    case.locator("#f-ipc").fill("A01B 1/00")
    case.locator("#f-applicants").fill("演示制造有限公司（演示）")
    case.locator("#f-inventors").fill("王发明")
    case.locator("#f-waive_amendment").check()
    case.locator("#f-no_bibliographic_change").check()
    with maker.expect_navigation():
        case.locator("#check-case").click()
    expect(maker.locator("#field-outside")).to_be_visible()
    screenshot(maker, "preexam-check.png")
    with maker.expect_navigation():
        maker.locator("#submit-case").click()
    expect(maker.locator("#case-state")).to_have_attribute("data-state", "submitted")
    expect(maker.locator("#field-outside")).to_be_visible()
    case_url = maker.url

    # --- the centre accepts it and asks for a correction: the clock stops ---
    handler.goto(case_url)
    _act(handler, "accept")
    _act(handler, "request_correction", "IPC分类号A01B不属于本中心预审领域，请核实后补正。")
    expect(handler.locator("#case-state")).to_have_attribute("data-state", "correction")
    expect(handler.locator("#deadlines")).to_contain_text("暂停")

    # --- the company corrects the class ---
    maker.goto(case_url)
    reply = maker.locator("#reply-form")
    reply.locator("#f-ipc").fill("C08J 5/22")
    reply.locator("#f-waive_amendment").check()
    reply.locator("#f-no_bibliographic_change").check()
    reply.locator("textarea[name=reason]").fill("已更正IPC分类号")
    with maker.expect_navigation():
        reply.locator("#submit-reply").click()
    expect(maker.locator("#case-state")).to_have_attribute("data-state", "examining")
    expect(maker.locator("#field-ok")).to_be_visible()

    # --- the examiner passes it; the pass notice reads as written ---
    login(examiner, base, "centre.examiner", DEMO_PASSWORD)
    examiner.goto(case_url)
    expect(examiner.locator("#prior-art")).to_be_visible()
    screenshot(examiner, "preexam-case.png")
    _act(examiner, "pass", "符合预审要求")
    expect(examiner.locator("#case-state")).to_have_attribute("data-state", "passed")
    maker.goto(case_url)
    link = maker.locator("#notices a", has_text="专利预审合格通知书")
    expect(link).to_be_visible()
    pdf = maker.request.get(base + link.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert fonts.pdf_glyph_problems(pdf.body()) == []
