"""Plan supervision as people use it, in a real browser against a live server with the demo data.

A district handler reports on work point 5, the lead unit returns the report, the head watches the
dashboard move, exports it as a background job; the interface is Chinese by default and English on
request. Everything is asserted on what the page shows.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ipcity.core.i18n import LOCALE_DIR, Msg

pytestmark = pytest.mark.browser

CATALOGUE = LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po"
CJK = re.compile(r"[\u4e00-\u9fff]")


def zh(msgid: str, **params) -> str:
    """What the page shows in Chinese for an English message id (the catalogue decides the wording)."""
    return Msg(msgid, **params).render("zh_Hans")


def assert_chinese(text: str) -> None:
    """The interface text is Chinese, not the English message id (the zh_Hans catalogue is in use)."""
    assert CATALOGUE.exists(), f"the Chinese catalogue {CATALOGUE} is missing"
    assert CJK.search(text), f"expected Chinese text, got {text!r}"


def minimal_pdf(text: str = "ipcity browser test") -> bytes:
    """A small but well-formed one-page PDF (correct xref offsets), so content sniffing sees a PDF."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def kpi(page, ident: str) -> int:
    return int(page.locator(f"#{ident}").inner_text().strip().rstrip("%"))


def open_dashboard(page, base_url: str) -> int:
    """The dashboard with its charts drawn; returns the 'reports awaiting review' figure."""
    page.goto(f"{base_url}/workplan/dashboard")
    expect(page.locator("h1")).to_have_text(zh("Plan supervision dashboard"))
    expect(page.locator("#chart-status svg").first).to_be_attached()
    expect(page.locator("#chart-sections svg").first).to_be_attached()
    return kpi(page, "kpi-review")


# --- sign-in and language ------------------------------------------------------------------------------

def test_sign_in_wrong_then_right_password_in_chinese(page, live_server, login):
    base = live_server.url
    page.goto(f"{base}/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("main h1")).to_have_text(zh("Sign in"))
    assert_chinese(page.locator("main h1").inner_text())
    expect(page.locator("#lang-switch")).to_have_text("English")
    expect(page.locator("[role=alert]")).to_have_count(0)

    login(page, base, "sipa.handler", "not-the-password")
    assert "/login" in page.url
    alert = page.locator("[role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(zh("Wrong user name or password"))
    assert_chinese(alert.inner_text())
    expect(page.locator("input[name=username]")).to_have_value("sipa.handler")
    expect(page.locator("input[name=password]")).to_have_value("")

    login(page, base, "sipa.handler", live_server.password)
    assert "/login" not in page.url
    expect(page.locator("[role=alert]")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator(".user-name")).to_contain_text("赵经办（演示）")
    expect(page.locator("nav.menu")).to_contain_text(zh("Work plan"))
    assert_chinese(page.locator("nav.menu").inner_text())
    expect(page.locator("header form[action='/logout'] button")).to_have_text(zh("Sign out"))


def test_language_switch_to_english_and_back(page, live_server, login):
    base = live_server.url
    page.goto(f"{base}/workplan/dashboard")  # asks for a sign-in first, then comes back here
    assert "/login?next=" in page.url
    login(page, base, "sipa.head", live_server.password)
    assert page.url.endswith("/workplan/dashboard")
    sign_out = page.locator("header form[action='/logout'] button")
    expect(sign_out).to_have_text(zh("Sign out"))

    page.click("#lang-switch")
    page.wait_for_url("**/workplan/dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(sign_out).to_have_text("Sign out")
    expect(page.locator("h1")).to_have_text("Plan supervision dashboard")
    expect(page.locator("#lang-switch")).to_have_text("中文")

    page.click("#lang-switch")
    page.wait_for_url("**/workplan/dashboard")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(sign_out).to_have_text(zh("Sign out"))
    expect(page.locator("#lang-switch")).to_have_text("English")
    assert_chinese(page.locator("h1").inner_text())


# --- a progress report: filed with an attachment, returned, seen on the dashboard ---------------------------

def test_progress_report_filed_returned_and_counted(new_page, live_server, login, screenshot):
    base, password = live_server.url, live_server.password
    head, handler, reviewer = new_page(), new_page(), new_page()

    # The head's view before: the charts draw, point 5 is overdue (deadline 2025年12月底 has passed).
    login(head, base, "sipa.head", password)
    waiting_before = open_dashboard(head, base)
    assert kpi(head, "kpi-overdue") >= 1
    head.goto(f"{base}/workplan")
    row = head.locator("tr[data-point='5']")
    expect(row).to_have_attribute("data-status", "overdue")
    expect(row.locator(".status")).to_have_class(re.compile(r"\bstatus-overdue\b"))
    expect(row.locator(".status")).to_have_text(zh("overdue"))
    expect(row).to_contain_text("2025年12月底")

    # 浦东新区政府 answers for point 5 through the collective 各区政府: it files a report with a PDF.
    handler.goto(f"{base}/workplan/points/5")
    login(handler, base, "pudong.handler", password)
    assert handler.url.endswith("/workplan/points/5")
    expect(handler.locator("#point-status")).to_have_class(re.compile(r"\bstatus-overdue\b"))
    form = handler.locator("#report-form")
    expect(form).to_be_visible()
    pdf = minimal_pdf()
    form.locator("input[name=period]").fill("2026年第四季度")
    form.locator("textarea[name=summary]").fill("浦东新区国家知识产权保护示范区建设有序推进，已完成年度自评估并形成整改清单。")
    form.locator("input[name=completion]").fill("55")
    form.locator("input[name=indicator_name]").first.fill("示范区建设任务完成数")
    form.locator("input[name=indicator_value]").first.fill("12")
    form.locator("input[name=indicator_unit]").first.fill("项")
    form.locator("input[name=files]").set_input_files(
        files=[{"name": "pudong-progress.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    with handler.expect_navigation():
        form.locator("button[name=action][value=submit]").click()
    assert re.search(r"/workplan/reports/\d+$", handler.url), (
        f"not on a report page: {handler.url}: {handler.locator('body').inner_text()[:300]}")
    report_url = handler.url
    state = handler.locator("#report-state")
    expect(state).to_have_class(re.compile(r"\bstatus-submitted\b"))
    expect(state).to_have_text(zh("Submitted, awaiting review"))
    facts = handler.locator("dl.facts")
    expect(facts).to_contain_text("2026年第四季度")
    expect(facts).to_contain_text("55%")
    expect(facts).to_contain_text("示范区建设任务完成数: 12 项")
    link = handler.locator("a.attachment")
    expect(link).to_have_count(1)
    expect(link).to_have_text("pudong-progress.pdf")
    download = handler.request.get(base + link.get_attribute("href"))
    assert download.status == 200
    assert download.headers["content-type"].startswith("application/pdf")
    assert download.body() == pdf

    # The dashboard counts one more report awaiting review.
    assert open_dashboard(head, base) == waiting_before + 1

    # The lead unit's reviewer returns it: first without a reason (refused), then with one.
    login(reviewer, base, "sipa.reviewer", password)
    reviewer.goto(report_url)
    review = reviewer.locator("#review")
    expect(review).to_be_visible()
    expect(reviewer.locator("#report-state")).to_have_class(re.compile(r"\bstatus-submitted\b"))
    with reviewer.expect_navigation():
        review.locator("button[name=decision][value=return]").click()
    alert = reviewer.locator("#review [role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(zh("Give the reason for '{action}'", action=Msg("Return for revision")))
    assert_chinese(alert.inner_text())
    expect(reviewer.locator("#report-state")).to_have_class(re.compile(r"\bstatus-submitted\b"))
    reviewer.goto(report_url)  # a fresh look: still submitted, nothing recorded
    expect(reviewer.locator("#report-state")).to_have_class(re.compile(r"\bstatus-submitted\b"))
    expect(reviewer.locator(".history li")).to_have_count(2)  # opened, submitted

    reason = "请补充保护示范区建设的量化成效及佐证材料。"
    review = reviewer.locator("#review")
    review.locator("textarea[name=reason]").fill(reason)
    with reviewer.expect_navigation():
        review.locator("button[name=decision][value=return]").click()
    assert reviewer.url == report_url
    state = reviewer.locator("#report-state")
    expect(state).to_have_class(re.compile(r"\bstatus-returned\b"))
    expect(state).to_have_text(zh("Returned for revision"))
    expect(reviewer.locator("#review")).to_have_count(0)
    expect(reviewer.locator(".history li").last.locator(".reason")).to_have_text(reason)
    expect(reviewer.locator(".history")).to_contain_text("王审核（演示）")
    screenshot(reviewer, "report.png")

    # The handler sees the return and may revise.
    handler.reload()
    expect(handler.locator("#report-state")).to_have_class(re.compile(r"\bstatus-returned\b"))
    expect(handler.locator("#revise")).to_be_visible()
    expect(handler.locator(".history")).to_contain_text(reason)

    # Back to where it was on the dashboard; point 5 is still overdue (a returned report changes nothing).
    assert open_dashboard(head, base) == waiting_before
    screenshot(head, "dashboard.png")
    head.goto(f"{base}/workplan")
    expect(head.locator("tr[data-point='5']")).to_have_attribute("data-status", "overdue")


# --- a background job ------------------------------------------------------------------------------------

def test_dashboard_export_as_background_job(page, live_server, login):
    base = live_server.url
    login(page, base, "sipa.head", live_server.password)
    open_dashboard(page, base)
    with page.expect_navigation():
        page.locator("#export-job").click()
    assert page.url.endswith("/jobs")
    row = page.locator("#job-rows tr[data-job]").first
    expect(row).to_be_attached()
    # htmx refreshes the rows every second until the worker is done.
    expect(row).to_have_attribute("data-status", "done", timeout=30_000)
    link = row.locator("a[href^='/files/']")
    expect(link).to_have_text(re.compile(r"^workplan-\d{4}-\d{2}-\d{2}\.xlsx$"))
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    content = Path(download.path()).read_bytes()
    assert content[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert "xl/workbook.xml" in z.namelist()
