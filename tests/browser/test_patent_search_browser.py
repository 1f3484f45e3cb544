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


README_EXAMPLES = ["TI=电池 AND AD>=2020", "PA=申江*", "TI=(锂离子电池 OR 钠离子电池) AND RC=上海", "IPC=H01M",
                   '"unmanned aerial vehicle" NOT IPC=A63H', "无人机 喷洒农药", "drone spraying"]


def test_the_readme_examples_find_patents_on_the_demo(live_server):
    import httpx

    for q in README_EXAMPLES:
        data = httpx.get(f"{live_server.url}/api/patents/search", params={"q": q, "per_page": 1}, timeout=30).json()
        assert data["total"] > 0, q
    for number in ("ZL201919990001.5", "201919990001.5", "CN109990001B", "109990001"):
        page = httpx.get(f"{live_server.url}/patents/{number}", timeout=30, follow_redirects=True)
        assert page.status_code == 200 and "CN201919990001.5" in page.text, number


def test_a_visitor_describes_opens_by_number_saves_and_is_alerted(page, live_server, login):
    """Plain words are ranked (applicants, snippets), a ZL number opens its patent, a saved search alerts."""
    base = live_server.url
    page.goto(f"{base}/patents")
    page.fill("#q", "锂电池 正极材料 循环性能")
    with page.expect_navigation():
        page.click("#search-button")
    assert page.locator("#search-reading").get_attribute("data-understood") == "words"
    assert page.locator("li.hit").count() >= 10
    assert page.locator("li.hit .hit-applicants").count() > 0 and page.locator("li.hit .snippet mark").count() > 0
    assert page.locator("#synthetic-banner").is_visible()  # the synthetic Chinese set is marked as such

    page.fill("#q", "ZL201919990001.5")  # as printed on the open-licence list and the certificate
    with page.expect_navigation():
        page.click("#search-button")
    assert page.url.endswith("/patents/CN109990001B")
    assert "CN201919990001.5" in page.inner_text("#biblio")

    login(page, base, "company.demo", DEMO_PASSWORD)
    page.goto(f"{base}/patents?q=TI%3D石墨烯")
    with page.expect_navigation():
        page.click("#save-search")
    page.fill("#save-name", "石墨烯提醒")
    page.check("input[name=alert]")
    with page.expect_navigation():
        page.click("#save-button")
    assert "石墨烯提醒" in page.inner_text("main")

    _load_one_new_patent(live_server, "一种石墨烯导热膜的制备方法（浏览器测试）")
    for _ in range(60):  # the alert job runs in the server's worker after the load
        page.goto(f"{base}/inbox")
        if "石墨烯提醒" in page.inner_text("main"):
            break
        page.wait_for_timeout(500)
    assert "石墨烯提醒" in page.inner_text("main")


def _load_one_new_patent(live_server, title: str) -> None:
    """New data arrive as an ingest does: register, index, then the alert job is queued."""
    import json
    import tempfile

    from ipcity.core.roles import Actor
    from ipcity.patents import alerts
    from ipcity.patents.engine import engine_for
    from ipcity.patents.ingest.runner import ingest_file

    services = live_server.services
    record = {"pub_number": "CN199999001A", "office": "CN", "kind": "A", "patent_type": "invention",
              "title": title, "abstract": "石墨烯导热膜，导热系数高。", "lang": "zh", "app_date": "2026-10-01",
              "source": "synthetic-demo", "extra": {"synthetic": True}}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "new.jsonl"
        path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        ingest_file(services.db, engine_for(services.settings), path, Actor.system("tests"))
    with services.db.session(write=True) as s:
        alerts.after_ingest(s)
        s.commit()
    if services.worker:
        services.worker.wake()


def test_related_terms_arrive_after_the_results_and_search_for_more(page, live_server):
    """The results are shown first; the related terms (相关检索词) follow from the page's own best hits."""
    page.goto(f"{live_server.url}/patents?q=" + "无人机 喷洒农药")
    assert page.locator("li.hit").count() > 0
    chip = page.locator("#related-terms a.chip").first
    chip.wait_for(state="visible", timeout=15_000)
    term = chip.inner_text()
    with page.expect_navigation():
        chip.click()
    assert page.input_value("#q") == f"无人机 喷洒农药 {term}"
    assert page.locator("li.hit").count() > 0
