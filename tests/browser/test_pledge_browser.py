"""Pledge registration in a real browser: company.demo prepares a joint application on one of its demo register
patents and confirms it as pledgor, bank.demo confirms it as pledgee, sipa.reviewer sees the register check and
registers it, the company downloads the registration notice (专利权质押登记通知书) and the public gazette shows
the registration."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from ipcity.patents.demo_register import demo_records
from tests.browser.conftest import DEMO_PASSWORD, answering

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def act(page, transition: str, reason: str = "") -> None:
    form = page.locator(f"form#act-{transition}")
    expect(form).to_be_visible()
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    with answering(page), page.expect_navigation():
        form.locator("button[type=submit]").click()


def state(page) -> str:
    return page.locator("#pledge-state").get_attribute("data-state")


def test_joint_filing_bank_confirmation_registration_notice_and_gazette(new_page, live_server, login, screenshot,
                                                                         tmp_path):
    base = live_server.url
    lock = next(r for r in demo_records() if r.patent_type == "design")  # 智能门锁（演示款）, not pledged in the demo
    number = "ZL" + lock.app_number[2:]
    company, bank, reviewer = new_page(), new_page(), new_page()

    # --- the pledgor prepares and confirms ---
    login(company, base, "company.demo", DEMO_PASSWORD)
    company.goto(f"{base}/pledge")
    with company.expect_navigation():
        company.click("#new-application")
    form = company.locator("#pledge-form")
    expect(form).to_be_visible()
    expect(company.locator(".own-patents")).to_contain_text(number)
    form.locator("#f-pledgor_address").fill("上海市浦东新区张江路（浏览器测试）")
    form.locator("#f-pledgee_unit").select_option(label="演示银行上海分行（演示）")
    form.locator("#f-pledgee_address").fill("上海市浦东新区陆家嘴环路（浏览器测试）")
    form.locator("#f-claim_type").select_option("loan")
    form.locator("#f-amount").fill("2,000,000")
    start = date.today() + timedelta(days=3)
    form.locator("#f-debt_start").fill(start.isoformat())
    form.locator("#f-debt_end").fill((start + timedelta(days=730)).isoformat())
    form.locator("#f-guarantee_scope").fill("主债权本金、利息及实现质权的费用")
    form.locator("#f-patents").fill(number)
    form.locator("#f-contract").set_input_files(files=[{"name": "质押合同.pdf", "mimeType": "application/pdf",
                                                        "buffer": PDF}])
    form.locator("#f-commitment").set_input_files(files=[{"name": "承诺书.pdf", "mimeType": "application/pdf",
                                                          "buffer": PDF + b"c"}])
    with company.expect_navigation():
        form.locator("#submit").click()
    assert state(company) == "awaiting_pledgee"
    expect(company.locator("#patent-table")).to_contain_text("智能门锁")
    pledge_url = company.url

    # --- the pledgee confirms from its list ---
    login(bank, base, "bank.demo", DEMO_PASSWORD)
    bank.goto(f"{base}/pledge")
    pledge_id = pledge_url.rstrip("/").rsplit("/", 1)[1]
    with bank.expect_navigation():
        bank.click(f"#awaiting [data-pledge='{pledge_id}'] a")
    act(bank, "confirm", "已核对质押合同")
    assert state(bank) == "submitted"

    # --- the examiner sees the check and registers ---
    login(reviewer, base, "sipa.reviewer", DEMO_PASSWORD)
    reviewer.goto(pledge_url)
    expect(reviewer.locator("#check-summary")).to_have_attribute("data-standing", "0")  # no refusal ground
    screenshot(reviewer, "pledge-application.png")
    act(reviewer, "register")
    assert state(reviewer) == "registered"
    registration_number = reviewer.locator("#registration-number").inner_text().strip()

    # --- the pledgor downloads the notice ---
    company.goto(pledge_url)
    with company.expect_download() as download:
        company.click("#notice-download")
    path = tmp_path / "notice.pdf"
    download.value.save_as(path)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages).replace(" ", "")
    assert "专利权质押登记通知书" in text and registration_number in text and number in text

    # --- the public gazette shows it ---
    visitor = new_page()
    visitor.goto(f"{base}/pledge/gazette?q={number}")
    row = visitor.locator("#gazette tbody tr").first
    expect(row).to_contain_text(registration_number)
    expect(row).to_contain_text("演示银行上海分行（演示）")
