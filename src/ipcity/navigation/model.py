"""The plain data the navigation analyses work on, and the plain pieces a report is made of.

Analyses (analyses/) take a sequence of `NavRecord` and return plain dataclasses; the report builder
turns those into `Section`s of paragraphs, `ChartSpec`s and `Table`s, which the renderers draw as an
ECharts dashboard (charts.to_echarts) and as HTML/PDF (report.py, charts.to_svg).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class NavRecord:
    """One patent application of a topic, as the analyses need it (one per application, not per publication:
    a CN application published as A and then granted as B counts once, with its latest publication)."""

    pub_number: str  # latest publication, e.g. CN112345678B
    app_number: str = ""  # "" where the source has none (then pub_number identifies the application)
    app_year: int | None = None  # 申请年
    pub_year: int | None = None  # 公开(公告)年 of the first publication
    patent_type: str | None = None  # core.numbers INVENTION / UTILITY / DESIGN, None if unknown
    office: str = ""  # CN, US, WO, EP …
    ipc: tuple[str, ...] = ()  # normalised full symbols, main classification first, e.g. ("H01M10/0525", …)
    applicants: tuple[str, ...] = ()  # normalised names (patents.names.normalise_applicant)
    inventors: tuple[str, ...] = ()
    region_code: str = ""  # NBS division code of the first applicant's address: 2, 4 or 6 digits, "" if unknown
    legal_status: str = "unknown"  # patents.record VALID / LAPSED / PENDING / UNKNOWN
    cited_by: int | None = None  # citations received, None where the source does not say
    family_size: int | None = None
    family_id: str = ""  # a family identifier where the source has one
    events: tuple[str, ...] = ()  # legal event kinds (patents.record.EVENT_KINDS keys): transfer, licence, pledge …
    title: str = ""
    # 技术来源国: the country of the earliest priority, else the office of first filing ("" if unknown).
    origin: str = ""


@dataclass
class ChartSpec:
    """One chart, independent of how it is drawn.

    kind: "bar" (vertical), "hbar" (horizontal ranking), "line", "bar_line" (bars = first series,
    lines = the rest on a second axis), "stacked" (stacked bars), "pie", "heatmap" (categories = x,
    y_categories = y, matrix[y][x]), "graph" (nodes/links, a network), "scatter" (series values are
    [x, y] pairs).
    `series` is a list of (name, values) with one value per category (for bar/hbar/line/stacked/bar_line/pie).
    """

    key: str  # stable id, used in URLs (/charts/{key}.csv) and element ids
    title: str  # already translated
    kind: str
    categories: list[str] = field(default_factory=list)
    series: list[tuple[str, list[float]]] = field(default_factory=list)
    x_label: str = ""
    y_label: str = ""
    y2_label: str = ""  # bar_line: the axis of the lines
    y_categories: list[str] = field(default_factory=list)  # heatmap rows
    matrix: list[list[float]] = field(default_factory=list)  # heatmap: matrix[row][col]
    nodes: list[dict[str, Any]] = field(default_factory=list)  # graph: {"id", "name", "value"}
    links: list[dict[str, Any]] = field(default_factory=list)  # graph: {"source", "target", "value"}
    note: str = ""  # a sentence under the chart (source, method)

    def rows(self) -> tuple[list[str], list[list[Any]]]:
        """The chart's data as a table (header, rows), for CSV download and for the report's data tables."""
        if self.kind == "heatmap":
            header = [self.y_label or "", *self.categories]
            return header, [[label, *row] for label, row in zip(self.y_categories, self.matrix, strict=False)]
        if self.kind == "graph":
            names = {n["id"]: n.get("name", n["id"]) for n in self.nodes}
            return (["source", "target", "value"],
                    [[names.get(link["source"], link["source"]), names.get(link["target"], link["target"]),
                      link.get("value", 1)] for link in self.links])
        header = [self.x_label or "", *[name for name, _ in self.series]]
        return header, [[cat, *[values[i] if i < len(values) else None for _, values in self.series]]
                        for i, cat in enumerate(self.categories)]


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class Section:
    """A numbered section of the report; `children` are its subsections."""

    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


@dataclass
class ReportDoc:
    """A whole report: cover facts, then sections in order (GB/T 39551 structure, see report_builder)."""

    title: str
    subtitle: str = ""
    lang: str = "zh"
    cover_facts: list[tuple[str, str]] = field(default_factory=list)  # (label, value) on the cover page
    sections: list[Section] = field(default_factory=list)
    demo: bool = False  # demo data: every page says so

    def charts(self) -> list[ChartSpec]:
        found: list[ChartSpec] = []

        def walk(sections: list[Section]) -> None:
            for s in sections:
                found.extend(s.charts)
                walk(s.children)

        walk(self.sections)
        return found
