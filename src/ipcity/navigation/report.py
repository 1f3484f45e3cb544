"""A `ReportDoc` as one self-contained HTML document, and as a PDF printed from it with WeasyPrint.

Section, figure and table numbers are computed here, not by CSS counters, so that the HTML view and the PDF
agree. The PDF's page numbers (table of contents, footer) come from CSS paged media: target-counter() and
counter(page) in @page margin boxes. Charts are vector SVG (text as paths), so the PDF holds no raster image:
inline <svg> elements in the HTML view; in the HTML made for the PDF, the same SVG as an <img> data: URI, which
WeasyPrint draws identically in about half the time (inline SVG goes through its HTML parser and CSS cascade,
element by element). Report structure: GB/T 39551 (../shared/domain/rules.md §7).
"""

from __future__ import annotations

import base64
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ipcity.core import fonts

from . import gcpause
from .charts import to_svg
from .model import ChartSpec, ReportDoc, Section, Table

TEMPLATES = Path(__file__).resolve().parent / "report_templates"
TOC_DEPTH = 2  # sections and subsections

# The report's own labels, by doc.lang. The CSS strings are fixed text, never data.
LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "contents": "目录",
        "figure": "图{n}",
        "table": "表{n}",
        "demo": "演示数据",
        "demo_banner": "演示数据：本报告基于演示数据生成，不代表真实情况。",
        "page_css": '"第 " counter(page) " 页 / 共 " counter(pages) " 页"',
    },
    "en": {
        "html_lang": "en",
        "contents": "Contents",
        "figure": "Figure {n}",
        "table": "Table {n}",
        "demo": "Demo data",
        "demo_banner": "Demo data: this report was generated from demonstration data and describes no real situation.",
        "page_css": '"Page " counter(page) " of " counter(pages)',
    },
}


def labels_for(lang: str) -> dict[str, str]:
    """"en", "en-GB" … → English; anything else (zh, zh_Hans, zh-CN, "") → Chinese, the default."""
    return LABELS["en"] if (lang or "").lower().startswith("en") else LABELS["zh"]


# ---------------------------------------------------------------------------------------------- view model


@dataclass
class FigureView:
    number: int
    anchor: str
    caption: str
    svg: Markup  # inline <svg> (HTML view), or empty
    src: str  # data:image/svg+xml URI (HTML for the PDF), or empty
    note: str


@dataclass
class TableView:
    number: int
    anchor: str
    caption: str
    header: list[str]
    rows: list[list[tuple[str, bool]]]  # (text, is_number) per cell
    note: str


@dataclass
class SectionView:
    number: str  # "1", "1.2", "1.2.3"
    anchor: str
    level: int  # 1 for top-level sections
    title: str
    paragraphs: list[str]
    figures: list[FigureView]
    tables: list[TableView]
    children: list[SectionView] = field(default_factory=list)


def format_cell(value: Any) -> tuple[str, bool]:
    """A table cell's text, and whether it is a number (right-aligned)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "", False
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value), False
    if isinstance(value, numbers.Integral) or float(value).is_integer():
        return f"{int(value):,}", True
    return f"{float(value):,.2f}", True


def chart_size_cm(spec: ChartSpec) -> tuple[float, float]:
    """Width and height of a chart on an A4 page (17 cm of text width): taller for long rankings and big grids."""
    if spec.kind == "hbar":
        return 16.0, max(6.0, min(18.0, 2.0 + 0.55 * len(spec.categories)))
    if spec.kind == "heatmap":
        return 16.0, max(6.0, min(18.0, 3.0 + 0.6 * len(spec.y_categories)))
    if spec.kind in {"graph", "pie"}:
        return 16.0, 9.0
    return 16.0, 8.0


class _Numberer:
    """Walks the sections in reading order and hands out section, figure and table numbers."""

    def __init__(self, labels: dict[str, str], *, for_pdf: bool):
        self.labels = labels
        self.for_pdf = for_pdf
        self.figures = 0
        self.tables = 0

    def sections(self, sections: list[Section], prefix: tuple[int, ...] = ()) -> list[SectionView]:
        views = []
        for index, section in enumerate(sections, start=1):
            path = (*prefix, index)
            number = ".".join(map(str, path))
            view = SectionView(number=number, anchor="sec-" + "-".join(map(str, path)), level=len(path),
                               title=section.title, paragraphs=list(section.paragraphs),
                               figures=[self.figure(chart) for chart in section.charts],
                               tables=[self.table(table) for table in section.tables])
            view.children = self.sections(section.children, path)
            views.append(view)
        return views

    def figure(self, chart: ChartSpec) -> FigureView:
        self.figures += 1
        width, height = chart_size_cm(chart)
        svg = to_svg(chart, width, height, show_title=False, id_prefix=f"fig{self.figures}-")
        if self.for_pdf:
            inline, src = Markup(""), "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
        else:
            # Markup: the SVG was re-serialised by lxml (charts._inline_svg); its text is drawn as paths.
            inline, src = Markup(svg), ""
        return FigureView(number=self.figures, anchor=f"fig-{self.figures}",
                          caption=f"{self.labels['figure'].format(n=self.figures)}  {chart.title}",
                          svg=inline, src=src, note=chart.note)

    def table(self, table: Table) -> TableView:
        self.tables += 1
        return TableView(number=self.tables, anchor=f"tab-{self.tables}",
                         caption=f"{self.labels['table'].format(n=self.tables)}  {table.title}",
                         header=[str(h) for h in table.header],
                         rows=[[format_cell(cell) for cell in row] for row in table.rows], note=table.note)


def _toc(sections: list[SectionView]) -> list[SectionView]:
    entries: list[SectionView] = []
    for section in sections:
        entries.append(section)
        if section.level < TOC_DEPTH:
            entries.extend(_toc(section.children))
    return entries


# ---------------------------------------------------------------------------------------------- rendering


def css_string(text: str) -> Markup:
    """A quoted CSS string: backslash, quotes, line breaks and < > & become CSS escapes (nothing ends the <style>)."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '\\"\'<>&\n\r' else ch for ch in str(text))
    return Markup(f'"{escaped}"')


_ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
_ENV.filters["css_string"] = css_string


def render_html(doc: ReportDoc, *, for_pdf: bool = False) -> str:
    """The report as one HTML document with inline CSS and inline SVG charts; it requests nothing external.

    for_pdf adds the paged-media CSS (A4, running header and footer, TOC page numbers) WeasyPrint reads;
    without it the page is laid out for a screen and the TOC entries are plain links."""
    labels = labels_for(doc.lang)
    sections = _Numberer(labels, for_pdf=for_pdf).sections(doc.sections)
    return _ENV.get_template("report.html").render(
        doc=doc, labels=labels, sections=sections, toc=_toc(sections), for_pdf=for_pdf,
        page_css=Markup(labels["page_css"]),
    )


def render_pdf(doc: ReportDoc) -> bytes:
    """The report as PDF bytes (A4) in the platform's own font (core/fonts.py), a subset of it embedded;
    fonts.MissingGlyphs where a character has no glyph in it, before anything is kept.

    Self-contained: only the charts' data: URIs are read; any other URL would be refused, never fetched.

    The cyclic garbage collector waits (gcpause): drawing the charts and laying out and painting the pages make
    millions of short-lived objects, and its passes over them, and over everything a run keeps alive, were some
    0.5 s of the 5 s this took for a 40,000-record report (bench/navigation.py)."""
    with gcpause.paused():
        return fonts.html_to_pdf(render_html(doc, for_pdf=True), what=doc.title)

