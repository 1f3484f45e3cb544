"""Patent search in a real browser over the demo corpus: query, facet, page, detail, describe an invention."""

from __future__ import annotations

import re
from pathlib import Path

from tests.browser.conftest import DEMO_PASSWORD


def test_search_facet_detail_and_semantic(page, live_server, login, screenshot):
    base = live_server.url
    page.goto(f"{base}/patents")
    page.fill("#q", "TI=(锂离子电池 OR 钠离子电池)")
    with page.expect_navigation():
        page.click("#search-button")
    summary = page.inner_text("#result-summary")
    total = int(re.search(r"\d+", summary).group())
    assert total > 10
    assert page.locator("ol.hits mark").count() > 0
    screenshot(page, "patent-search.png")

    # A facet narrows the list and shows as a removable chip.
    facet = page.locator('[data-facet="ipc_subclass"] a').first
    value = facet.get_attribute("data-value")
    with page.expect_navigation():
        facet.click()
    narrowed = int(re.search(r"\d+", page.inner_text("#result-summary")).group())
    assert 0 < narrowed <= total
    assert page.locator("a.chip").count() == 1 and value

    # The detail page: bibliographic data, IPC titles in Chinese, similar patents from the encoder.
    first = page.locator("a.hit-title").first
    title = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert page.inner_text("#patent-title") == title
    assert page.locator("#ipc-titles td").count() >= 2
    assert page.locator("#similar li").count() > 0
    screenshot(page, "patent-detail.png")

    # Describe an invention in plain words.
    page.goto(f"{base}/patents?mode=semantic")
    page.fill("#q", "一种无人机，带有摄像头和避障传感器，用于电力线路巡检")
    with page.expect_navigation():
        page.click("#search-button")
    assert page.locator("li.hit").count() > 0


def test_a_syntax_error_points_at_the_error(page, live_server):
    page.goto(f"{live_server.url}/patents")
    page.fill("#q", "TI=(电池 AND")
    with page.expect_navigation():
        page.click("#search-button")
    box = page.inner_text("#query-error")
    assert "^" in box and "TI=(电池 AND" in box


def test_signed_in_user_exports_csv(page, live_server, login):
    login(page, live_server.url, "company.demo", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/patents?q=PA%3DNESTEC*")
    with page.expect_download() as download:
        page.click("#export-csv")
    path = download.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("公开（公告）号") and "NESTEC" in text
