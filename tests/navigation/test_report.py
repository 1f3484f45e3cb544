"""Report rendering: numbered HTML with a table of contents, and an A4 PDF with embedded CJK fonts, vector charts."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from ipcity.navigation.model import ChartSpec, ReportDoc, Section, Table
from ipcity.navigation.report import css_string, format_cell, render_html, render_pdf

TITLE = "上海市新能源汽车产业专利导航报告"
EVIL = "<script>alert(1)</script>"
YEARS = ["2019", "2020", "2021", "2022"]


def make_doc(lang: str = "zh", demo: bool = True) -> ReportDoc:
    """Two sections with subsections (one three levels deep), four kinds of chart, a short and a long table."""
    trend = ChartSpec("trend", "申请趋势", "bar_line", categories=YEARS,
                      series=[("申请量", [10, 12, 15, 11]), ("增长率", [None, 20.0, 25.0, -26.7])],
                      x_label="申请年", y_label="件数", y2_label="%", note="来源：专利检索系统")
    ranking = ChartSpec("top", "申请人排名", "hbar", categories=["宁德时代", "比亚迪", EVIL],
                        series=[("申请量", [30, 20, 10])], x_label="申请人", y_label="件数")
    heat = ChartSpec("tech_year", "技术分支-年份", "heatmap", categories=YEARS[:3], y_categories=["电池", "电机"],
                     matrix=[[1, 2, 3], [4, 5, 9]])
    pie = ChartSpec("status", "法律状态", "pie", categories=["有效", "失效"], series=[("件数", [6, 3])])
    applicants = Table("重点申请人", ["申请人名称", "申请量", "发明占比"],
                       [["宁德时代", 1200, 0.8123], [EVIL, 30, 0.5]], note="按申请量排序")
    # 70 rows cannot fit on one A4 page: the header row must repeat on the next
    long_table = Table("申请人明细", ["长表申请人", "件数"], [[f"企业{i}", i] for i in range(70)])
    return ReportDoc(
        title=TITLE, subtitle="产业规划类专利导航（演示）", lang=lang, demo=demo,
        cover_facts=[("检索截止日", "2025-06-30"), ("专利申请", "1,234 件")],
        sections=[
            Section("background", "项目概述", ["本报告依据 GB/T 39551 开展产业规划类专利导航。"], children=[
                Section("scope", "研究范围", ["范围说明。"], charts=[trend], tables=[applicants]),
                Section("method", "检索策略", ["检索式说明。"], children=[
                    Section("sources", "数据来源", ["数据库说明。"])]),
            ]),
            Section("landscape", "专利态势", ["态势概述。"], charts=[pie], children=[
                Section("players", "创新主体", ["主体分析。"], charts=[ranking, heat], tables=[long_table]),
            ]),
        ],
    )


# ---------------------------------------------------------------------------------------------- HTML


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(make_doc())


def test_toc_lists_sections_and_subsections(html):
    toc = html[html.index('<nav class="toc">'):html.index("</nav>")]
    assert "目录" in toc
    entries = [("sec-1", "1", "项目概述"), ("sec-1-1", "1.1", "研究范围"), ("sec-1-2", "1.2", "检索策略"),
               ("sec-2", "2", "专利态势"), ("sec-2-1", "2.1", "创新主体")]
    for anchor, number, title in entries:
        assert f'<a href="#{anchor}"><span class="secnum">{number}</span>{title}</a>' in toc
    assert "数据来源" not in toc  # third level: numbered in the text, not listed


def test_headings_are_numbered_in_the_html(html):
    headings = re.findall(r'<(h\d) id="(sec-[\d-]+)"><span class="secnum">([\d.]+)</span>([^<]+)</\1>', html)
    assert [(tag, number, title) for tag, _, number, title in headings] == [
        ("h2", "1", "项目概述"), ("h3", "1.1", "研究范围"), ("h3", "1.2", "检索策略"), ("h4", "1.2.1", "数据来源"),
        ("h2", "2", "专利态势"), ("h3", "2.1", "创新主体")]


def test_figures_and_tables_are_numbered_in_reading_order(html):
    # reading order: 1.1 (trend, applicants), 2 (pie), 2.1 (ranking, heatmap, long table)
    captions = re.findall(r"<figcaption>([^<]+)</figcaption>", html)
    assert captions == ["图1  申请趋势", "图2  法律状态", "图3  申请人排名", "图4  技术分支-年份"]
    assert re.findall(r"<caption>([^<]+)</caption>", html) == ["表1  重点申请人", "表2  申请人明细"]
    assert '<p class="note">来源：专利检索系统</p>' in html
    assert html.count("<svg") == 4


def test_data_is_escaped(html):
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the table cell, shown as text


def test_cover_and_demo_banner(html):
    assert f"<h1>{TITLE}</h1>" in html
    assert "<th scope=\"row\">检索截止日</th><td>2025-06-30</td>" in html
    assert '<div class="demo-strip" role="note">演示数据</div>' in html  # on screen: a strip that stays on top
    assert '<p class="demo-banner">演示数据：' in html
    assert "演示数据" not in render_html(make_doc(demo=False))


def test_html_is_self_contained_with_unique_ids(html):
    references = re.findall(r'\b(?:src|href)="([^"]*)"', html)
    assert references and all(ref.startswith("#") for ref in references)  # only in-page links
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "<link" not in html and "@import" not in html


def test_paged_media_css_only_for_pdf(html):
    assert "target-counter" not in html and "@page" not in html
    pdf_html = render_html(make_doc(), for_pdf=True)
    assert "target-counter(attr(href), page)" in pdf_html
    assert '"第 " counter(page) " 页 / 共 " counter(pages) " 页"' in pdf_html


def test_pdf_html_carries_charts_as_svg_data_uris():
    pdf_html = render_html(make_doc(), for_pdf=True)
    sources = re.findall(r'<img class="chart-img" src="data:image/svg\+xml;base64,([^"]+)"', pdf_html)
    assert len(sources) == 4 and "<svg" not in pdf_html
    first = base64.b64decode(sources[0]).decode()
    assert first.startswith("<svg") and 'id="fig1-' in first
    references = re.findall(r'\b(?:src|href)="([^"]*)"', pdf_html)
    assert all(ref.startswith(("#", "data:image/svg+xml;base64,")) for ref in references)


def test_english_labels():
    html = render_html(make_doc(lang="en"), for_pdf=True)
    assert '<html lang="en">' in html
    assert "<h2>Contents</h2>" in html
    assert "<figcaption>Figure 1  申请趋势</figcaption>" in html
    assert "<caption>Table 1  重点申请人</caption>" in html
    assert '"Page " counter(page) " of " counter(pages)' in html
    assert '<p class="demo-banner">Demo data:' in html and "目录" not in html


def test_format_cell():
    assert format_cell(1200) == ("1,200", True)
    assert format_cell(12.0) == ("12", True)
    assert format_cell(0.8123) == ("0.81", True)
    assert format_cell(None) == ("", False)
    assert format_cell(True) == ("True", False)
    assert format_cell("CN1234") == ("CN1234", False)


def test_css_string_cannot_close_the_style_element():
    assert css_string('a"</style>') == '"a\\22 \\3c /style\\3e "'


# ---------------------------------------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(make_doc())


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_opens_with_cover_toc_and_sections(pdf, pages):
    assert pdf.startswith(b"%PDF-")
    assert len(pages) >= 3  # cover, contents, and one page per top-level section at least
    assert TITLE in pages[0]
    assert "目录" in pages[1]
    assert all("演示数据" in text for text in pages)  # demo data: every page says so


def test_pdf_running_header_and_page_footer(pages):
    total = len(pages)
    for number, text in enumerate(pages[1:], start=2):
        assert TITLE in text
        assert f"第 {number} 页 / 共 {total} 页" in text
    assert "第 1 页" not in pages[0]  # the cover has no footer


def test_toc_page_numbers_point_at_the_headings(pages):
    for title in ("项目概述", "专利态势", "创新主体"):
        match = re.search(rf"{title}\s*\.+\s*(\d+)", pages[1])
        assert match, title
        number = int(match.group(1))
        assert number > 2 and title in pages[number - 1]


def test_long_table_repeats_its_header_row(pages):
    assert sum("长表申请人" in text for text in pages) >= 2
    assert any("企业69" in text for text in pages)


def test_pdf_embeds_the_shipped_font(pdf, tmp_path):
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    # columns end with: emb sub uni object-id generation
    embedded = [f[0] for f in fonts if "IPCity-Sans" in f[0] and f[-5] == "yes"]
    assert embedded and all("IPCity-" in f[0] for f in fonts), listing  # the platform's own font only


def test_pdf_holds_no_raster_images(pdf):
    reader = PdfReader(io.BytesIO(pdf))

    def subtypes(resources) -> list[str]:
        found = []
        xobjects = resources.get("/XObject") if resources else None
        for xobject in (xobjects.get_object().values() if xobjects else []):
            xobject = xobject.get_object()
            found.append(xobject.get("/Subtype"))
            if "/Resources" in xobject:
                found += subtypes(xobject["/Resources"].get_object())
        return found

    for page in reader.pages:
        assert "/Image" not in subtypes(page.get("/Resources").get_object())
