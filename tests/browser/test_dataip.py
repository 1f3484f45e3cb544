"""Data-IP registration in a real browser, the whole road: a company files (one data file uploaded, one hashed in
the browser and only declared), the handler passes formal review, the reviewer approves publicity, an anonymous
visitor objects from the public registry, the reviewer dismisses the objection, the product is registered after
its publicity (the live server runs in this process, so IPCITY_TODAY set here pins its date too), the company
downloads the certificate, and the public verification page shows the green match and checks a data file in
the browser."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import DEMO_PASSWORD, answering
from tests.support.clock import pin_today
from tests.support.dataip import code_from_outbox

pytestmark = pytest.mark.browser

NAME = "浦江沿岸共享单车骑行轨迹数据集（浏览器测试）"
DATA = b"trip_id,start,end,minutes\n" + b"".join(f"T{n:05},{n % 97},{n % 89},{n % 41}\n".encode()
                                                          for n in range(1, 400))
LOCAL = b"PAR1" + bytes(range(256)) * 8 + b"PAR1"  # a "parquet" that stays on the applicant's machine
SAMPLE = b"trip_id,start,end,minutes\nT00001,1,1,1\n"
EVIDENCE = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def act(page, transition: str, reason: str = "") -> None:
    form = page.locator(f"form#act-{transition}")
    expect(form).to_be_visible()
    if reason:
        form.locator("textarea[name=reason]").fill(reason)
    with answering(page), page.expect_navigation():
        form.locator("button[type=submit]").click()


def state(page) -> str:
    return page.locator("#product-state").get_attribute("data-state")


def test_filing_review_objection_registration_and_verification(new_page, live_server, login, screenshot,
                                                               monkeypatch, tmp_path):
    base = live_server.url
    company, handler, reviewer, visitor = new_page(), new_page(), new_page(), new_page()

    # --- the company files ---
    login(company, base, "company.demo", DEMO_PASSWORD)
    company.goto(f"{base}/dataip")
    with company.expect_navigation():
        company.click("#new-application")
    form = company.locator("#filing-form")
    expect(form).to_be_visible()
    form.locator("#f-name").fill(NAME)
    form.locator("#f-category").select_option("collection")
    form.locator("#f-industry_code").fill("I6450 互联网数据服务")
    form.locator("#f-scenario").fill("慢行交通规划与共享单车投放调度")
    form.locator("#f-summary").fill("汇集浦江沿岸2025年共享单车脱敏骑行轨迹，按起讫站点与时段聚合。")
    form.locator("#f-source_kind").select_option("self_collected")
    form.locator("#f-source_description").fill("自有运营平台采集，用户协议授权。")
    form.locator("#f-lawful_statement").fill("浏览器测试：数据依法采集，已去标识化处理。")
    form.locator("#f-processing_rules").fill("去标识化、轨迹抽稀、按站点与15分钟窗口聚合。")
    form.locator("#f-structure").fill("trip_id 字符串; start 整数; end 整数; minutes 整数")
    form.locator("#f-data_format").fill("CSV / Parquet")
    form.locator("#f-scale").fill("399条（测试）")
    form.locator("#f-update_frequency").select_option("monthly")
    form.locator("#f-holder_type").select_option("legal_person")
    form.locator("#f-data_files").set_input_files(files=[{"name": "trips.csv", "mimeType": "text/csv",
                                                          "buffer": DATA}])
    # hashed in the browser, added to the declared box, never uploaded
    company.locator("#local-hash-files").set_input_files(files=[{"name": "trips-full.parquet",
                                                                 "mimeType": "application/octet-stream",
                                                                 "buffer": LOCAL}])
    local_hash = hashlib.sha256(LOCAL).hexdigest()
    expect(form.locator("#f-declared_hashes")).to_have_value(re.compile(rf"^{local_hash}  trips-full\.parquet\n$"))
    assert company.locator("#local-hash-files").evaluate("e => e.files.length") == 0
    form.locator("#f-sample").set_input_files(files=[{"name": "sample.csv", "mimeType": "text/csv",
                                                      "buffer": SAMPLE}])
    form.locator("#f-accept_undertaking").check()
    screenshot(company, "dataip-filing.png")
    with company.expect_navigation():
        company.click("#submit-filing")
    assert re.search(r"/dataip/\d+$", company.url), company.locator("main").inner_text()[:500]
    product_url = company.url
    assert state(company) == "submitted"
    evidence = company.locator("#evidence")
    expect(evidence).to_contain_text(hashlib.sha256(DATA).hexdigest())
    expect(evidence).to_contain_text(local_hash)
    expect(evidence).to_contain_text("trips-full.parquet")
    number = company.locator("#application-number").inner_text().split()[0]

    # --- formal review, then publicity ---
    login(handler, base, "sipa.handler", DEMO_PASSWORD)
    handler.goto(product_url)
    expect(handler.locator("form#act-approve_publicity")).to_have_count(0)  # not a handler's decision
    act(handler, "pass_formal")
    assert state(handler) == "substantive_review"

    login(reviewer, base, "sipa.reviewer", DEMO_PASSWORD)
    reviewer.goto(product_url)
    act(reviewer, "approve_publicity")
    assert state(reviewer) == "in_publicity"
    ends = date.fromisoformat(reviewer.locator("#publicity-ends").inner_text().strip())

    # --- an anonymous visitor objects from the public registry ---
    visitor.goto(f"{base}/dataip/registry?q={number}")
    with visitor.expect_navigation():
        visitor.locator(f"#registry tr[data-application='{number}'] a").first.click()
    expect(visitor.locator("#public-facts")).to_contain_text(NAME)
    expect(visitor.locator("body")).not_to_contain_text("浏览器测试：数据依法采集")  # the lawful statement is private
    with visitor.expect_navigation():
        visitor.click("#object-button")
    objection = visitor.locator("#objection-form")
    objection.locator("input[name=objector_name]").fill("某出行数据公司")
    objection.locator("input[name=objector_contact]").fill("objector@example.cn")
    objection.locator("input[name=grounds][value=ownership]").check()
    objection.locator("textarea[name=statement]").fill("部分轨迹数据来自我司合作站点，权属需要核实。")
    objection.locator("input[name=evidence]").set_input_files(files=[{"name": "合作协议.pdf",
                                                                      "mimeType": "application/pdf",
                                                                      "buffer": EVIDENCE}])
    with visitor.expect_navigation():
        visitor.click("#submit-objection")
    # anonymous: the objection is filed once the code sent to the contact (the outbox here) is entered
    expect(visitor.locator("#objection-pending")).to_be_visible()
    visitor.locator("#confirm-form input[name=code]").fill(code_from_outbox(live_server.services.db, number))
    with visitor.expect_navigation():
        visitor.click("#confirm-objection")
    expect(visitor.locator("#objection-received")).to_be_visible()
    # its log entry: the inclusion proof once a signed head covers it, the signed promise until then (the log
    # signer signs on a timer: docs/dataip.md)
    expect(visitor.locator("#objection-proof, #objection-promise")).to_be_visible()

    # --- the reviewer dismisses it, and registers once the publicity is over ---
    reviewer.goto(product_url)
    assert state(reviewer) == "objection_review"
    expect(reviewer.locator("#objections")).to_contain_text("某出行数据公司")
    act(reviewer, "dismiss_objection", "合作协议约定数据归申请人所有，异议不成立。")
    assert state(reviewer) == "in_publicity"
    pin_today(monkeypatch, (ends + timedelta(days=1)).isoformat())
    act(reviewer, "register", "公示期满，异议已处理。")
    assert state(reviewer) == "registered"

    # --- the company downloads its certificate ---
    company.goto(product_url)
    certificate_number = company.locator("#certificate-number").inner_text().split()[0]
    assert len(certificate_number) == 17
    with company.expect_download() as download:
        company.click("#certificate-download")
    pdf = (tmp_path / "certificate.pdf")
    download.value.save_as(pdf)
    content = pdf.read_bytes()
    assert content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert certificate_number in text.replace(" ", "")

    # --- the QR target: the public verification page ---
    visitor.goto(f"{base}/dataip/verify/{certificate_number}")
    verdict = visitor.locator("#verdict")
    expect(verdict).to_have_attribute("data-ok", "1")
    expect(verdict).to_have_class(re.compile(r"\bverdict-ok\b"))
    expect(visitor.locator("#verify-state")).to_have_attribute("data-state", "registered")
    expect(visitor.locator(".problem")).to_have_count(0)
    visitor.locator("#check-file").set_input_files(files=[{"name": "trips.csv", "mimeType": "text/csv",
                                                           "buffer": DATA}])
    result = visitor.locator("#check-result")
    expect(result).to_have_class(re.compile(r"\bverdict-ok\b"))
    expect(result).to_contain_text(hashlib.sha256(DATA).hexdigest())
    visitor.locator("#check-file").set_input_files(files=[{"name": "other.csv", "mimeType": "text/csv",
                                                           "buffer": DATA + b"T99999,0,0,0\n"}])
    expect(result).to_have_class(re.compile(r"\bverdict-bad\b"))
    visitor.locator("#check-file").set_input_files(files=[{"name": "trips.csv", "mimeType": "text/csv",
                                                           "buffer": DATA}])
    expect(result).to_have_class(re.compile(r"\bverdict-ok\b"))
    screenshot(visitor, "dataip-verify.png")
