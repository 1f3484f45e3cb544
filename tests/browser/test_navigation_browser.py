"""Patent navigation in a real browser: create a topic, run it, watch the job, read the dashboard, get the PDF."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.browser.conftest import DEMO_PASSWORD

TOPIC = "无人机巡检专利导航（浏览器测试）"


def test_topic_run_dashboard_and_pdf(page, live_server, login, screenshot):
    base = live_server.url
    login(page, base, "sipa.handler", DEMO_PASSWORD)
    page.goto(f"{base}/navigation")
    # The demo topic was run when the demo was loaded: its dashboard is there already.
    assert page.locator("#topics tr[data-topic]").count() >= 1
    assert page.locator("#topics a.status-done").count() >= 1, page.inner_text("#topics")
    with page.expect_navigation():
        page.click("#new-topic")

    # A wrong form first: the problems are named next to their fields and nothing is saved.
    page.fill("input[name=name]", TOPIC)
    page.check("input[name=kind][value=ipc]")
    page.fill("input[name=ipc_codes]", "B64C ZZZ")
    with page.expect_navigation():
        page.click("#topic-form button[type=submit]")
    assert "ZZZ" in page.inner_text('.field-error[data-field="ipc_codes"]')

    page.check("input[name=kind][value=query]")
    page.fill("input[name=query]", "drone OR UAV OR 无人机")
    page.fill("input[name=ipc_codes]", "")
    page.fill("input[name=focus_region]", "FR")
    with page.expect_navigation():
        page.click("#topic-form button[type=submit]")
    assert page.inner_text("h1").startswith(TOPIC)

    # Run: the page polls the job until the dashboard is ready.
    with page.expect_navigation():
        page.click("#run-topic")
    page.wait_for_selector("#dashboard", timeout=120_000)
    page.wait_for_selector('#chart-trend[data-ready="1"]', timeout=20_000)
    assert page.locator("#chart-trend svg").count() == 1  # ECharts drew it
    assert page.locator("figure.nav-chart").count() >= 10
    assert "PARROT" in page.inner_text("#sec-applicants")
    screenshot(page, "navigation-dashboard.png")

    # One chart's data as CSV, then the report as PDF.
    with page.expect_download() as csv_download:
        page.click('figure[data-chart="applicants"] a.chart-csv')
    with open(csv_download.value.path(), encoding="utf-8-sig") as fh:
        assert "PARROT" in fh.read()
    with page.expect_download() as pdf_download:
        page.click("#download-pdf")
    with open(pdf_download.value.path(), "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    assert len(reader.pages) >= 5
    assert TOPIC in reader.pages[0].extract_text()
