"""Draw a `ChartSpec` three ways: an ECharts option for the dashboard, an SVG for the HTML/PDF report, a CSV.

The SVG is drawn with matplotlib's object-oriented API only (Figure + FigureCanvasSVG): pyplot keeps global
state and is not thread-safe, and report jobs run in worker threads. Text stays text, laid out by matplotlib
with the platform's own font (core/fonts.py) and drawn by WeasyPrint with the same font; a label with a
character the font lacks is refused (fonts.MissingGlyphs) instead of drawn as a box. matplotlib's rcParams are
global, so one lock serialises drawing.
"""

from __future__ import annotations

import io
import logging
import math
import numbers
import re
import threading
import unicodedata
from typing import Any

import matplotlib
from lxml import etree
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.rcsetup import cycler

from ipcity.core import fonts
from ipcity.core.tabular import csv_text

from .model import ChartSpec

log = logging.getLogger(__name__)

# ECharts 6's default palette, used by both renderers so the dashboard and the PDF look alike.
PALETTE = ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4", "#ea7ccc"]
# Heatmap: light to dark blue, the same stops for ECharts' visualMap and matplotlib's colormap.
HEAT_COLOURS = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]

AXIS_KINDS = {"bar", "hbar", "line", "bar_line", "stacked"}
KINDS = AXIS_KINDS | {"pie", "heatmap", "graph", "scatter"}

CELL_LABEL_LIMIT = 120  # heatmap cells labelled with their value up to this many cells
GRAPH_LABEL_LIMIT = 30  # graph: label every node up to this many, else only the largest ones

_DRAW_LOCK = threading.Lock()  # rcParams (svg.fonttype, fonts) are process-global
_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_URL_REF = re.compile(r"url\(#([^)]+)\)")


# ---------------------------------------------------------------------------------------------- helpers


def _num(value: Any) -> float | int | None:
    """A JSON-safe number: None for missing or non-finite values (NaN is not valid JSON)."""
    if value is None or isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    value = float(value)
    return value if math.isfinite(value) else None


def _fmt_num(value: float | int | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.2f}".rstrip("0").rstrip(".")


def _display_width(text: str) -> int:
    """Width in half-width cells: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _shorten(text: str, max_width: int) -> str:
    text = str(text)
    if _display_width(text) <= max_width:
        return text
    out, width = [], 0
    for ch in text:
        width += _display_width(ch)
        if width > max_width - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def label_rotation(categories: list[str], budget: int) -> int:
    """Degrees to rotate category labels so they do not overlap: 0, 30 or 45.

    `budget` is roughly how many half-width characters fit side by side along the axis."""
    if not categories:
        return 0
    total = sum(_display_width(c) + 2 for c in categories)
    if total <= budget:
        return 0
    return 30 if total <= 2 * budget else 45


def _series_values(spec: ChartSpec) -> list[tuple[str, list[float | int | None]]]:
    """Each series padded or cut to one value per category."""
    n = len(spec.categories)
    return [(str(name), [_num(values[i]) if i < len(values) else None for i in range(n)])
            for name, values in spec.series]


def _scatter_points(values: list[Any]) -> list[tuple[float, float] | None]:
    points: list[tuple[float, float] | None] = []
    for v in values:
        if isinstance(v, list | tuple) and len(v) >= 2 and _num(v[0]) is not None and _num(v[1]) is not None:
            points.append((_num(v[0]), _num(v[1])))
        else:
            points.append(None)
    return points


def _scaled(value: float | None, high: float, out_low: float, out_high: float) -> float:
    """Map value in [0, high] to [out_low, out_high] by square root: a node's area grows with its value."""
    if value is None or high <= 0:
        return out_low
    return out_low + math.sqrt(min(1.0, max(0.0, value / high))) * (out_high - out_low)


# ---------------------------------------------------------------------------------------------- ECharts


def to_echarts(spec: ChartSpec) -> dict:
    """A complete ECharts 6 option for the chart (plain JSON types only, no JS functions)."""
    if spec.kind not in KINDS:
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    option: dict[str, Any] = {
        "color": PALETTE,
        "title": {"text": spec.title, "left": "left", "textStyle": {"fontSize": 15}},
        "toolbox": {"right": 8, "feature": {"saveAsImage": {"name": spec.key, "pixelRatio": 2}}},
        "tooltip": {"trigger": "item", "confine": True},
    }
    builder = {"pie": _echarts_pie, "heatmap": _echarts_heatmap, "graph": _echarts_graph,
               "scatter": _echarts_scatter}.get(spec.kind, _echarts_axes)
    builder(spec, option)
    return option


def _legend(names: list[str]) -> dict:
    return {"type": "scroll", "bottom": 0, "data": names}


def _grid(*, legend: bool, right: int = 24) -> dict:
    # outerBoundsMode "same" + contain "all": axis labels and names stay inside the canvas (ECharts 6.1 layout).
    return {"left": 16, "right": right, "top": 64, "bottom": 40 if legend else 16,
            "outerBoundsMode": "same", "outerBoundsContain": "all"}


def _category_axis(spec: ChartSpec, *, vertical: bool) -> dict:
    axis: dict[str, Any] = {"type": "category", "data": list(map(str, spec.categories)), "name": spec.x_label}
    if vertical:
        # hbar: a ranking reads top first, so the category axis runs downwards.
        axis.update(inverse=True, nameLocation="start",
                    axisLabel={"interval": 0, "width": 160, "overflow": "truncate"})
    else:
        rotate = label_rotation(list(map(str, spec.categories)), budget=80)
        axis.update(nameLocation="middle", nameGap=28 if not rotate else 60,
                    axisLabel={"interval": "auto" if len(spec.categories) > 40 else 0, "rotate": rotate,
                               "width": 120, "overflow": "truncate"})
        if spec.kind == "line":
            axis["boundaryGap"] = False
    return axis


def _value_axis(name: str, **extra: Any) -> dict:
    return {"type": "value", "name": name, "nameTextStyle": {"align": "left"}, **extra}


def _echarts_axes(spec: ChartSpec, option: dict) -> None:
    series = _series_values(spec)
    names = [name for name, _ in series]
    several = len(series) > 1
    option["tooltip"] = {"trigger": "axis", "confine": True,
                         "axisPointer": {"type": "line" if spec.kind == "line" else "shadow"}}
    if several:
        option["legend"] = _legend(names)
    option["grid"] = _grid(legend=several, right=56 if spec.kind == "bar_line" else 24)
    category_axis = _category_axis(spec, vertical=spec.kind == "hbar")
    if spec.kind == "hbar":
        option["xAxis"] = _value_axis(spec.y_label, nameLocation="middle", nameGap=28)
        option["yAxis"] = category_axis
    else:
        option["xAxis"] = category_axis
        option["yAxis"] = _value_axis(spec.y_label)
    out = []
    for index, (name, values) in enumerate(series):
        item: dict[str, Any] = {"name": name, "data": values, "type": "line" if spec.kind == "line" else "bar"}
        if spec.kind == "stacked":
            item.update(stack="total", emphasis={"focus": "series"})
        elif spec.kind == "bar_line" and index > 0:
            item.update(type="line", yAxisIndex=1, symbolSize=6)
        elif spec.kind == "line":
            item.update(symbolSize=6)
        if spec.kind in {"bar", "hbar"} and not several and len(values) <= 20:
            item["label"] = {"show": True, "position": "right" if spec.kind == "hbar" else "top"}
        out.append(item)
    if spec.kind == "bar_line":
        option["yAxis"] = [_value_axis(spec.y_label),
                           _value_axis(spec.y2_label, position="right", splitLine={"show": False},
                                       nameTextStyle={"align": "right"})]
    option["series"] = out


def _echarts_pie(spec: ChartSpec, option: dict) -> None:
    name, values = _series_values(spec)[0] if spec.series else ("", [])
    option["tooltip"]["formatter"] = "{b}: {c} ({d}%)"
    option["legend"] = _legend(list(map(str, spec.categories)))
    option["series"] = [{
        "type": "pie", "name": name, "radius": ["30%", "62%"], "center": ["50%", "52%"],
        "avoidLabelOverlap": True, "label": {"formatter": "{b}\n{d}%"},
        "data": [{"name": str(cat), "value": v} for cat, v in zip(spec.categories, values, strict=False)],
    }]


def _heat_range(matrix: list[list[Any]]) -> tuple[float, float]:
    values = [v for row in matrix for v in map(_num, row) if v is not None]
    return (min(values), max(values)) if values else (0, 0)


def _echarts_heatmap(spec: ChartSpec, option: dict) -> None:
    low, high = _heat_range(spec.matrix)
    data = [[x, y, _num(v)] for y, row in enumerate(spec.matrix) for x, v in enumerate(row)
            if x < len(spec.categories) and y < len(spec.y_categories)]
    rotate = label_rotation(list(map(str, spec.categories)), budget=80)
    option["tooltip"] = {"position": "top", "confine": True}
    option["grid"] = {**_grid(legend=True), "bottom": 64}
    option["xAxis"] = {"type": "category", "data": list(map(str, spec.categories)), "name": spec.x_label,
                       "nameLocation": "middle", "nameGap": 28 if not rotate else 60, "splitArea": {"show": True},
                       "axisLabel": {"interval": 0, "rotate": rotate, "width": 120, "overflow": "truncate"}}
    # Row 0 of the matrix on top, as in a table.
    option["yAxis"] = {"type": "category", "data": list(map(str, spec.y_categories)), "name": spec.y_label,
                       "inverse": True, "nameLocation": "start", "splitArea": {"show": True},
                       "axisLabel": {"interval": 0, "width": 160, "overflow": "truncate"}}
    option["visualMap"] = {"min": low, "max": high if high > low else low + 1, "calculable": True,
                           "orient": "horizontal", "left": "center", "bottom": 0,
                           "inRange": {"color": HEAT_COLOURS}}
    option["series"] = [{"type": "heatmap", "name": spec.title, "data": data,
                         "label": {"show": len(data) <= CELL_LABEL_LIMIT},
                         "emphasis": {"itemStyle": {"shadowBlur": 8, "shadowColor": "rgba(0,0,0,0.4)"}}}]


def _echarts_graph(spec: ChartSpec, option: dict) -> None:
    values = [_num(n.get("value")) for n in spec.nodes]
    known = [v for v in values if v is not None]
    high = max(known, default=0)
    link_values = [_num(link.get("value", 1)) for link in spec.links]
    known_links = [v for v in link_values if v is not None]
    link_high = max(known_links, default=0)
    categories = sorted({str(n["category"]) for n in spec.nodes if n.get("category") is not None})
    big = sorted(known, reverse=True)[GRAPH_LABEL_LIMIT - 1] if len(known) > GRAPH_LABEL_LIMIT else None
    nodes = []
    for node, value in zip(spec.nodes, values, strict=True):
        item: dict[str, Any] = {"id": str(node["id"]), "name": str(node.get("name", node["id"])),
                                "value": value, "symbolSize": round(_scaled(value, high, 8, 48), 1)}
        if categories and node.get("category") is not None:
            item["category"] = categories.index(str(node["category"]))
        if big is not None and (value is None or value < big):
            item["label"] = {"show": False}
        nodes.append(item)
    links = [{"source": str(link["source"]), "target": str(link["target"]), "value": value,
              "lineStyle": {"width": round(_scaled(value, link_high, 1, 6), 1)}}
             for link, value in zip(spec.links, link_values, strict=True)]
    series: dict[str, Any] = {
        "type": "graph", "name": spec.title, "layout": "force", "roam": True, "draggable": True,
        "force": {"repulsion": 220, "edgeLength": [40, 160], "gravity": 0.08},
        "label": {"show": True, "position": "right"}, "labelLayout": {"hideOverlap": True},
        "lineStyle": {"color": "source", "opacity": 0.6, "curveness": 0.1},
        "emphasis": {"focus": "adjacency", "lineStyle": {"width": 6}},
        "data": nodes, "links": links,
    }
    if categories:
        series["categories"] = [{"name": c} for c in categories]
        option["legend"] = _legend(categories)
    option["series"] = [series]


def _echarts_scatter(spec: ChartSpec, option: dict) -> None:
    several = len(spec.series) > 1
    if several:
        option["legend"] = _legend([str(name) for name, _ in spec.series])
    option["grid"] = _grid(legend=several)
    # scale: the axes fit the data, not zero; a 5 % margin keeps the extreme points off the axis lines
    option["xAxis"] = _value_axis(spec.x_label, nameLocation="middle", nameGap=28, scale=True,
                                  boundaryGap=["5%", "5%"])
    option["yAxis"] = _value_axis(spec.y_label, scale=True, boundaryGap=["5%", "5%"])
    out = []
    for name, values in spec.series:
        named = len(spec.categories) == len(values)  # categories name the points of a single series
        data = []
        for i, point in enumerate(_scatter_points(values)):
            if point is None:
                continue
            data.append({"name": str(spec.categories[i]), "value": list(point)} if named else list(point))
        out.append({"type": "scatter", "name": str(name), "data": data, "symbolSize": 10})
    option["series"] = out


# ---------------------------------------------------------------------------------------------- SVG


def _rc() -> dict[str, Any]:
    return {
        # Text stays text (WeasyPrint draws it with the same shipped font): half the SVG size and a third
        # less PDF time than glyph outlines, and chart labels can be searched and copied in the PDF.
        "svg.fonttype": "none",
        "svg.hashsalt": "ipcity",  # stable ids from run to run
        "text.parse_math": False,  # applicant names may contain "$"
        "font.family": [fonts.matplotlib_family()],  # the shipped font only: what it lacks is refused
        "font.size": 8,
        "axes.titlesize": 10,
        "axes.prop_cycle": cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#888888",
        "axes.grid": False,
        "grid.color": "#e5e5e5",
        "legend.frameon": False,
        "figure.facecolor": "white",
    }


def to_svg(spec: ChartSpec, width_cm: float = 16, height_cm: float = 8, *, show_title: bool = True,
           id_prefix: str | None = None) -> str:
    """The chart as inline-ready SVG markup (no XML prolog), with a viewBox so that it scales.

    show_title: the report draws the title in its figure caption instead. id_prefix: prefix for every id
    in the SVG (default: the chart key), so that several charts inlined in one HTML page do not clash.
    """
    if spec.kind not in KINDS:
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    with _DRAW_LOCK, matplotlib.rc_context(_rc()), fonts.matplotlib_glyph_guard(spec.title):
        fig = _OnePassFigure(figsize=(width_cm / 2.54, height_cm / 2.54), layout="constrained")
        FigureCanvasSVG(fig)
        if show_title and spec.title:
            fig.suptitle(spec.title, fontsize=10)
        ax = fig.add_subplot()
        drawer = {"pie": _draw_pie, "heatmap": _draw_heatmap, "graph": _draw_graph,
                  "scatter": _draw_scatter, "hbar": _draw_hbar}.get(spec.kind, _draw_columns)
        drawer(spec, fig, ax, width_cm)
        fig.detach_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    prefix = id_prefix if id_prefix is not None else re.sub(r"[^A-Za-z0-9_-]", "_", spec.key) + "-"
    return _inline_svg(buffer.getvalue(), prefix)


class _OnePassFigure(Figure):
    """A figure laid out by its layout engine at the start of the one draw that writes it, with that draw's renderer.

    With a layout engine set, `print_figure` draws the whole figure twice: once without output only to run the
    layout, then for real. `detach_layout` takes the engine off (so savefig draws once) and `draw` runs it first,
    the way the dry draw would: the same engine, with an SVG renderer at the 72 dpi `print_svg` sets. Being the
    renderer that then draws, it also measures each label once (matplotlib keeps text metrics per renderer)."""

    _engine = None

    def detach_layout(self) -> None:
        engine = self.get_layout_engine()
        self.set_layout_engine(None)  # None, not "none": a placeholder engine would still make savefig draw twice
        if self.get_layout_engine() is None:
            self._engine = engine
        else:  # rcParams asked for another engine: leave it to savefig as it was
            self.set_layout_engine(engine)

    def draw(self, renderer):
        if self._engine is not None and self.axes:
            self._get_renderer = lambda: renderer  # what the engine measures text with (Figure._get_renderer)
            try:
                self._engine.execute(self)
            finally:
                del self._get_renderer
        super().draw(renderer)


def _inline_svg(raw: bytes, prefix: str) -> str:
    """Strip prolog, comments (they repeat the labels) and metadata; make ids unique; keep the viewBox."""
    parser = etree.XMLParser(remove_comments=True, resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(raw, parser)
    for element in list(root.iter(f"{{{_SVG_NS}}}metadata", f"{{{_SVG_NS}}}style")):
        element.getparent().remove(element)
    # What matplotlib's <style> said ("*{stroke-linejoin: round; stroke-linecap: butt}"), scoped to this SVG:
    # both properties inherit, and a "*" rule inlined into HTML would reach every element of the page.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    _unwrap_bare_groups(root)
    for element in root.iter(etree.Element):
        _style_to_attributes(element)
        if element.get("font-family"):  # the family the PDF renderer knows the shipped font by; browsers fall back
            element.set("font-family", fonts.SANS_STACK.replace('"', "'"))
        if element.get("id"):
            element.set("id", prefix + element.get("id"))
        for name, value in element.attrib.items():
            if name in (_XLINK_HREF, "href") and value.startswith("#"):
                element.set(name, "#" + prefix + value[1:])
            elif "url(#" in value:
                element.set(name, _URL_REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", value))
    return etree.tostring(root, encoding="unicode")


def _unwrap_bare_groups(root: etree._Element) -> None:
    """Replace each <g> that has no attribute but an id nothing refers to by its children, and drop empty <defs>.

    matplotlib wraps every artist in a group named after it (figure_1 > axes_1 > xtick_3 > line2d_5 > …): more
    than half the elements of a chart, none of which changes what is drawn. The PDF renderer handles each element
    of an SVG in turn, so the chart draws the same with fewer of them to go through."""
    referred = set()
    for element in root.iter(etree.Element):
        for name, value in element.attrib.items():
            if name in (_XLINK_HREF, "href") and value.startswith("#"):
                referred.add(value[1:])
            elif "url(#" in value:
                referred.update(_URL_REF.findall(value))
    for group in list(root.iter(f"{{{_SVG_NS}}}g")):
        if set(group.attrib) - {"id"} or group.get("id") in referred:
            continue
        parent = group.getparent()
        at = parent.index(group)
        parent[at:at + 1] = list(group)
    for defs in list(root.iter(f"{{{_SVG_NS}}}defs")):
        if not len(defs):
            defs.getparent().remove(defs)
    # the indentation between elements, now of groups that are gone (inside <text> every character stays)
    text_content = {f"{{{_SVG_NS}}}text", f"{{{_SVG_NS}}}tspan", f"{{{_SVG_NS}}}textPath"}
    for element in root.iter(etree.Element):
        if element.tag not in text_content and element.text is not None and not element.text.strip():
            element.text = None
        if element.getparent() is not None and element.getparent().tag not in text_content \
                and element.tail is not None and not element.tail.strip():
            element.tail = None


def _style_to_attributes(element: etree._Element) -> None:
    """style="fill: none; stroke: #888" → fill="none" stroke="#888": the same presentation in SVG, and an HTML
    renderer (WeasyPrint) that reads inline SVG's style attributes as HTML CSS no longer warns about them."""
    style = element.attrib.pop("style", None)
    for declaration in (style or "").split(";"):
        name, _, value = declaration.partition(":")
        if name.strip() and value.strip():
            element.set(name.strip(), value.strip())


def _legend_below(fig: Figure, handles: list, labels: list[str]) -> None:
    if len(handles) > 1:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 5), frameon=False)


def _category_ticks(ax, spec: ChartSpec, width_cm: float) -> None:
    labels = [_shorten(c, 24) for c in map(str, spec.categories)]
    rotation = label_rotation(labels, budget=int(width_cm * 5))
    ax.set_xticks(range(len(labels)), labels, rotation=rotation, ha="right" if rotation else "center",
                  rotation_mode="anchor" if rotation else "default")
    if len(labels) > 40:  # too many to read one by one: keep every k-th
        step = math.ceil(len(labels) / 40)
        for i, tick in enumerate(ax.get_xticklabels()):
            tick.set_visible(i % step == 0)


def _nan(values: list[float | int | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _draw_columns(spec: ChartSpec, fig: Figure, ax, width_cm: float) -> None:
    """bar, line, bar_line and stacked: categories along x."""
    series = _series_values(spec)
    positions = list(range(len(spec.categories)))
    handles, labels = [], []
    ax.yaxis.grid(True)
    ax.set_axisbelow(True)
    if spec.kind == "line":
        for i, (name, values) in enumerate(series):
            (line,) = ax.plot(positions, _nan(values), marker="o", markersize=3, color=PALETTE[i % len(PALETTE)])
            handles.append(line)
            labels.append(name)
    elif spec.kind == "stacked":
        bottoms = [0.0] * len(positions)
        for i, (name, values) in enumerate(series):
            heights = [v or 0.0 for v in values]
            bars = ax.bar(positions, heights, bottom=bottoms, width=0.7, color=PALETTE[i % len(PALETTE)])
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
            handles.append(bars)
            labels.append(name)
    else:  # bar, bar_line: grouped bars (bar_line: only the first series as bars)
        bar_series = series[:1] if spec.kind == "bar_line" else series
        width = 0.8 / max(1, len(bar_series))
        for i, (name, values) in enumerate(bar_series):
            offset = (i - (len(bar_series) - 1) / 2) * width
            bars = ax.bar([p + offset for p in positions], [v or 0.0 for v in values], width=width * 0.95,
                          color=PALETTE[i % len(PALETTE)])
            if len(bar_series) == 1 and spec.kind == "bar" and len(positions) <= 20:
                ax.bar_label(bars, labels=[_fmt_num(v) for v in values], padding=2, fontsize=7)
            handles.append(bars)
            labels.append(name)
        if spec.kind == "bar_line" and len(series) > 1:
            ax2 = ax.twinx()
            ax2.spines["right"].set_visible(True)
            for i, (name, values) in enumerate(series[1:], start=1):
                (line,) = ax2.plot(positions, _nan(values), marker="o", markersize=3,
                                   color=PALETTE[i % len(PALETTE)])
                handles.append(line)
                labels.append(name)
            ax2.set_ylabel(spec.y2_label)
    _category_ticks(ax, spec, width_cm)
    ax.set_xlim(-0.6, max(len(positions) - 0.4, 0.6))
    ax.set_xlabel(spec.x_label)
    ax.set_ylabel(spec.y_label)
    _legend_below(fig, handles, labels)


def _draw_hbar(spec: ChartSpec, fig: Figure, ax, width_cm: float) -> None:
    """A ranking: first category on top."""
    series = _series_values(spec)
    positions = list(range(len(spec.categories)))
    height = 0.8 / max(1, len(series))
    handles, labels = [], []
    for i, (name, values) in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * height
        bars = ax.barh([p + offset for p in positions], [v or 0.0 for v in values], height=height * 0.95,
                       color=PALETTE[i % len(PALETTE)])
        if len(series) == 1 and len(positions) <= 20:
            ax.bar_label(bars, labels=[_fmt_num(v) for v in values], padding=2, fontsize=7)
        handles.append(bars)
        labels.append(name)
    ax.set_yticks(positions, [_shorten(c, 36) for c in map(str, spec.categories)])
    ax.set_ylim(max(len(positions) - 0.4, 0.6), -0.6)  # inverted: rank 1 at the top
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    ax.set_xlabel(spec.y_label)
    ax.set_ylabel(spec.x_label)
    _legend_below(fig, handles, labels)


def _draw_pie(spec: ChartSpec, fig: Figure, ax, width_cm: float) -> None:
    _, values = _series_values(spec)[0] if spec.series else ("", [])
    slices = [(str(c), v) for c, v in zip(spec.categories, values, strict=False) if v is not None and v > 0]
    ax.set_aspect("equal")
    ax.axis("off")
    if not slices:
        return
    total = sum(v for _, v in slices)
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(slices))]
    wedges, *_ = ax.pie([v for _, v in slices], colors=colours, startangle=90, counterclock=False,
                        wedgeprops={"width": 0.55, "edgecolor": "white", "linewidth": 1},
                        autopct=lambda pct: f"{pct:.1f}%" if pct >= 4 else "", pctdistance=0.72,
                        textprops={"fontsize": 7})
    labels = [f"{_shorten(name, 28)}  {_fmt_num(v)} ({v / total:.1%})" for name, v in slices]
    ax.legend(wedges, labels, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=7)


def _draw_heatmap(spec: ChartSpec, fig: Figure, ax, width_cm: float) -> None:
    rows, cols = len(spec.y_categories), len(spec.categories)
    if not rows or not cols:
        ax.axis("off")
        return
    grid = [[math.nan] * cols for _ in range(rows)]
    for y, row in enumerate(spec.matrix[:rows]):
        for x, value in enumerate(row[:cols]):
            v = _num(value)
            grid[y][x] = math.nan if v is None else float(v)
    low, high = _heat_range(spec.matrix)
    # 24 discrete levels: a colour bar below matplotlib's 50-colour threshold is drawn as vector patches, never
    # rasterised into an <image>.
    cmap = LinearSegmentedColormap.from_list("ipcity_heat", HEAT_COLOURS, N=24)
    mesh = ax.pcolormesh(grid, cmap=cmap, vmin=low, vmax=high if high > low else low + 1,
                         edgecolors="white", linewidth=0.5)
    colorbar = fig.colorbar(mesh, ax=ax, shrink=0.85, pad=0.02)
    colorbar.solids.set_rasterized(False)
    colorbar.outline.set_visible(False)
    ax.set_xticks([i + 0.5 for i in range(cols)], [_shorten(c, 24) for c in map(str, spec.categories)])
    rotation = label_rotation([_shorten(c, 24) for c in map(str, spec.categories)], budget=int(width_cm * 4))
    if rotation:
        for tick in ax.get_xticklabels():
            tick.set(rotation=rotation, ha="right", rotation_mode="anchor")
    ax.set_yticks([i + 0.5 for i in range(rows)], [_shorten(c, 24) for c in map(str, spec.y_categories)])
    ax.set_xlim(0, max(cols, 1))
    ax.set_ylim(max(rows, 1), 0)  # row 0 on top
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(spec.x_label)
    ax.set_ylabel(spec.y_label)
    if 0 < rows * cols <= CELL_LABEL_LIMIT:
        span = (high - low) or 1
        for y in range(rows):
            for x in range(cols):
                if not math.isnan(grid[y][x]):
                    dark = (grid[y][x] - low) / span > 0.6
                    ax.text(x + 0.5, y + 0.5, _fmt_num(grid[y][x]), ha="center", va="center", fontsize=6.5,
                            color="white" if dark else "#333333")


def _draw_graph(spec: ChartSpec, fig: Figure, ax, width_cm: float) -> None:
    """A circular layout (deterministic, unlike a force layout), nodes in the given order clockwise from top."""
    ax.set_aspect("equal")
    ax.axis("off")
    n = len(spec.nodes)
    if n == 0:
        return
    position = {}
    for i, node in enumerate(spec.nodes):
        angle = math.pi / 2 - 2 * math.pi * i / n
        position[str(node["id"])] = (math.cos(angle), math.sin(angle))
    values = [_num(node.get("value")) for node in spec.nodes]
    known = [v for v in values if v is not None]
    high = max(known, default=0)
    segments, widths = [], []
    link_values = [_num(link.get("value", 1)) for link in spec.links]
    known_links = [v for v in link_values if v is not None]
    link_high = max(known_links, default=0)
    for link, value in zip(spec.links, link_values, strict=True):
        a, b = position.get(str(link["source"])), position.get(str(link["target"]))
        if a and b:
            segments.append([a, b])
            widths.append(_scaled(value, link_high, 0.4, 4.0))
    ax.add_collection(LineCollection(segments, linewidths=widths, colors="#8c9bb5", alpha=0.6, zorder=1))
    categories = sorted({str(node["category"]) for node in spec.nodes if node.get("category") is not None})
    colours = [PALETTE[categories.index(str(node["category"])) % len(PALETTE)]
               if node.get("category") is not None else PALETTE[0] for node in spec.nodes]
    xs = [position[str(node["id"])][0] for node in spec.nodes]
    ys = [position[str(node["id"])][1] for node in spec.nodes]
    sizes = [_scaled(v, high, 4.0, 16.0) ** 2 for v in values]  # marker area in pt²
    ax.scatter(xs, ys, s=sizes, c=colours, edgecolors="white", linewidths=0.6, zorder=2)
    shown = sorted(range(n), key=lambda i: -(values[i] or 0))[:GRAPH_LABEL_LIMIT]
    for i in shown:
        x, y = xs[i], ys[i]
        ax.text(x * 1.12, y * 1.12, _shorten(spec.nodes[i].get("name", spec.nodes[i]["id"]), 20), fontsize=6.5,
                ha="left" if x > 0.05 else "right" if x < -0.05 else "center",
                va="bottom" if y > 0.05 else "top" if y < -0.05 else "center")
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.25, 1.25)
    if categories:
        handles = [ax.scatter([], [], s=30, c=PALETTE[i % len(PALETTE)]) for i in range(len(categories))]
        _legend_below(fig, handles, categories)


def _draw_scatter(spec: ChartSpec, fig: Figure, ax, width_cm: float) -> None:
    handles, labels = [], []
    ax.grid(True)
    ax.set_axisbelow(True)
    for i, (name, values) in enumerate(spec.series):
        points = _scatter_points(values)
        kept = [(j, p) for j, p in enumerate(points) if p is not None]
        dots = ax.scatter([p[0] for _, p in kept], [p[1] for _, p in kept], s=22, alpha=0.85,
                          color=PALETTE[i % len(PALETTE)], edgecolors="white", linewidths=0.4)
        handles.append(dots)
        labels.append(str(name))
        if len(spec.categories) == len(values) and len(kept) <= GRAPH_LABEL_LIMIT:
            for j, (x, y) in kept:
                ax.annotate(_shorten(spec.categories[j], 16), (x, y), xytext=(3, 3), textcoords="offset points",
                            fontsize=6)
    ax.set_xlabel(spec.x_label)
    ax.set_ylabel(spec.y_label)
    _legend_below(fig, handles, labels)


# ---------------------------------------------------------------------------------------------- CSV


def table_rows(spec: ChartSpec) -> tuple[list[str], list[list[Any]]]:
    """spec.rows(), except for scatter, whose points are [x, y] pairs: one row per point."""
    if spec.kind != "scatter":
        return spec.rows()
    rows = []
    for name, values in spec.series:
        named = len(spec.categories) == len(values)
        for i, point in enumerate(_scatter_points(values)):
            if point is not None:
                rows.append([str(name), str(spec.categories[i]) if named else "", point[0], point[1]])
    return ["series", "name", spec.x_label or "x", spec.y_label or "y"], rows


def to_csv(spec: ChartSpec) -> str:
    """The chart's data as CSV text (RFC 4180, CRLF line ends, no BOM: the web layer adds one for Excel)."""
    header, rows = table_rows(spec)
    return csv_text(header, ([("" if cell is None else cell) for cell in row] for row in rows))
