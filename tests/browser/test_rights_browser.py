"""The rights-protection network in a real browser.

A right holder (company.demo) asks for administrative adjudication of a patent infringement in Pudong; the
routing table sends it to the district office (pudong.ipo), which takes it on as a case and sends one correction
notice; the company corrects; the office files the case with a panel of three, serves it and holds a hearing;
the head (pudong.ipohead) extends the decision period once with the department head's approval and decides
within the clock; the decision downloads as a PDF that draws every glyph. Anyone holding the tracking number sees
the status without signing in.

At a fair, the company complains of an exhibitor; the desk (aid.handler) notifies the respondent; the measures
are refused while the respondent's 24 hours run; once they have run out with no written statement the desk covers
the exhibits and takes the links down. A clock of hours cannot be waited for in a test: the notice time is moved
back 25 hours in the database, as the passing of time would leave it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from ipcity.core import fonts
from ipcity.services.rights.tables import FairComplaint
from tests.browser.conftest import DEMO_PASSWORD, answering

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _file(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def _act(page, key: str, reason: str = "", **fields) -> None:
    form = page.locator(f"form#act-{key}")
    for name, value in fields.items():
        target = form.locator(f"[name={name}]")
        if isinstance(value, list):
            for v in value:
                form.locator(f"input[name={name}][value={v}]").check()
        elif target.first.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    with answering(page), page.expect_navigation():
        form.locator("button[type=submit]").click()


def _submit(page, form_id: str, button_id: str) -> None:
    with answering(page), page.expect_navigation():
        page.locator(f"#{form_id} #{button_id}").click()


def _request(page, base: str, **fields) -> None:
    page.goto(f"{base}/rights/requests/new")
    form = page.locator("#request-form")
    for name, value in fields.items():
        field = form.locator(f"#f-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("#f-evidence").set_input_files(_file("evidence.pdf"))
    with page.expect_navigation():
        form.locator("#submit-request").click()


def test_an_adjudication_decided_within_the_clock_and_a_fair_complaint_measured(new_page, live_server, login,
                                                                               screenshot):  # noqa: PLR0915
    base = live_server.url
    company, office, head, desk, anyone = new_page(), new_page(), new_page(), new_page(), new_page()

    # --- the right holder asks; the table routes the request to the district office ---
    login(company, base, "company.demo", DEMO_PASSWORD)
    company.goto(f"{base}/rights/requests/new")
    screenshot(company, "rights-request-form.png")
    _request(company, base, kind="adjudication", right="patent", role="right_holder", where="district",
             division_code="310115", respondent="上海某某电子有限公司", patent_number="ZL201910123456.X",
             description="被请求人在其门店销售的固态电池产品落入本公司发明专利权利要求1的保护范围，请求责令停止侵权。",
             knew_on="2026-09-01", contact_name="王专员", phone="13800000000")
    expect(company.locator("#request-state")).to_have_attribute("data-state", "received")
    expect(company.locator("#request-unit")).to_contain_text("浦东新区知识产权局")
    tracking = company.locator("#tracking").inner_text()
    request_url = company.url.split("?")[0]

    # --- anyone holding the tracking number sees the status, not the parties ---
    anyone.goto(f"{base}/rights/track?number={tracking}")
    expect(anyone.locator("#track-state")).to_be_visible()
    expect(anyone.locator("#track-result")).not_to_contain_text("上海某某电子有限公司")
    screenshot(anyone, "rights-track.png")

    # --- the office takes it on as an adjudication and sends one complete correction notice ---
    login(office, base, "pudong.ipo", DEMO_PASSWORD)
    office.goto(request_url)
    _submit(office, "refer-form", "submit-refer")
    expect(office.locator("#case-state")).to_have_attribute("data-state", "received")
    case_url = office.url
    _act(office, "request_correction", "请补充专利登记簿副本及侵权产品购买凭证。")
    expect(office.locator("#case-state")).to_have_attribute("data-state", "correction")

    company.goto(case_url)
    company.locator("#f-correct-reason").fill("已补充专利登记簿副本和购买发票。")
    company.locator("#correct-form input[name=evidence]").set_input_files(_file("register-extract.pdf"))
    _submit(company, "correct-form", "submit-correct")
    expect(company.locator("#case-state")).to_have_attribute("data-state", "received")

    # --- one complete correction notice only (Art 16): a second is refused; then filed with a panel of three,
    # served, heard ---
    office.goto(case_url)
    _act(office, "request_correction", "再次补正")
    expect(office.locator("#case-state")).to_have_attribute("data-state", "received")
    expect(office.locator(".error-box")).to_contain_text("补正")
    office.locator("#f-panel").fill("吴承办（演示）\n郑科长（演示）\n王技术调查官（演示）")
    office.locator("#f-presiding").fill("郑科长（演示）")
    _submit(office, "file-form", "submit-file")
    expect(office.locator("#case-state")).to_have_attribute("data-state", "filed")
    due_before = office.locator("#decision-clock").get_attribute("data-due")
    today = office.evaluate("() => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)")  # Beijing
    office.locator("#f-served_on").fill(today)
    office.locator("#f-received_on").fill(today)
    _submit(office, "serve-form", "submit-serve")
    office.locator("#f-held_on").fill(today)
    office.locator("#f-record").fill("双方到庭，请求人出示购买凭证，被请求人对产品来源无异议。")
    _submit(office, "hearing-form", "submit-hearing")
    expect(office.locator("#record-of-proceedings")).to_contain_text("双方到庭")

    # --- the head extends once (the department head's approval) and decides within the clock ---
    login(head, base, "pudong.ipohead", DEMO_PASSWORD)
    head.goto(case_url)
    _act(head, "extend", "需要进行技术比对", level="head", approver="郑科长（演示）")
    expect(head.locator("#extensions")).to_be_visible()
    due_after = head.locator("#decision-clock").get_attribute("data-due")
    assert due_after > due_before
    screenshot(head, "rights-adjudication.png")
    head.locator("#f-outcome").select_option("infringes")
    head.locator("#decide-form input[name=acts][value=sell]").check()
    head.locator("#f-decision_text").fill("经审理，被请求人销售的产品落入涉案专利权利要求1的保护范围，构成侵权。")
    _submit(head, "decide-form", "submit-decide")
    expect(head.locator("#case-state")).to_have_attribute("data-state", "decided")
    assert today <= due_after  # decided within the (extended) clock
    company.goto(case_url)
    link = company.locator("#documents a[data-kind=decision]")
    expect(link).to_be_visible()
    pdf = company.request.get(base + link.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    assert fonts.pdf_glyph_problems(pdf.body()) == []

    # --- a complaint at the fair: the respondent's 24 hours, then the measures ---
    _request(company, base, kind="complaint", right="patent", role="right_holder", where="fair", fair="ciie-demo",
             booth="4.1-B088", respondent="某参展商有限公司", patent_number="ZL201910123456.X",
             description="展位4.1-B088展出的储能电池样品涉嫌侵犯本公司发明专利权，请求现场处理。",
             contact_name="王专员", phone="13800000000")
    complaint_request = company.url.split("?")[0]
    login(desk, base, "aid.handler", DEMO_PASSWORD)
    desk.goto(complaint_request)
    _submit(desk, "refer-form", "submit-refer")
    complaint_url = desk.url
    _act(desk, "notify", "已向被投诉人送达投诉通知")
    expect(desk.locator("#case-state")).to_have_attribute("data-state", "notified")
    _act(desk, "take_measures", "现场处置", measures=["cover"])
    expect(desk.locator("#case-state")).to_have_attribute("data-state", "notified")  # refused: 24 hours run
    with live_server.services.db.session(write=True) as s:
        complaint = s.scalar(select(FairComplaint).where(FairComplaint.fair_id.is_not(None))
                             .order_by(FairComplaint.id.desc()).limit(1))
        complaint.notified_at = complaint.notified_at - timedelta(hours=25)
        s.commit()
    desk.goto(complaint_url)
    expect(desk.locator("#measures-due")).to_be_visible()
    screenshot(desk, "rights-fair-complaint.png")
    _act(desk, "take_measures", "被投诉人24小时内未提交书面说明，依《指引》第14条处置",
         measures=["cover", "take_down"])
    expect(desk.locator("#case-state")).to_have_attribute("data-state", "measures")
    expect(desk.locator("#measures")).to_contain_text("遮盖")
