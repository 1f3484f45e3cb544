"""Chart renderers: ECharts options, SVG (matplotlib, text as paths) and CSV for every ChartSpec kind."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree

from ipcity.core import fonts as core_fonts
from ipcity.navigation import charts
from ipcity.navigation.charts import to_csv, to_echarts, to_svg
from ipcity.navigation.model import ChartSpec

SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"
YEARS = ["2019", "2020", "2021", "2022"]


def make(kind: str) -> ChartSpec:
    """One small chart of each kind, Chinese labels and a hostile applicant name where there are names."""
    if kind == "heatmap":
        return ChartSpec("tech_year", "技术分支-年份", "heatmap", categories=YEARS[:3], y_categories=["电池", "电机"],
                         matrix=[[1, 2, 3], [4, 5, 9]], x_label="申请年", y_label="技术分支")
    if kind == "graph":
        return ChartSpec("network", "合作网络", "graph",
                         nodes=[{"id": "a", "name": "宁德时代", "value": 16, "category": "企业"},
                                {"id": "b", "name": EVIL, "value": 4, "category": "高校"},
                                {"id": "c", "name": "比亚迪", "value": 1, "category": "企业"}],
                         links=[{"source": "a", "target": "b", "value": 3}, {"source": "b", "target": "c", "value": 1}])
    if kind == "scatter":
        return ChartSpec("quality", "数量与质量", "scatter", categories=["甲公司", "乙公司", EVIL],
                         series=[("申请人", [[10, 2.5], [4, 8], [7, 1]])], x_label="申请量", y_label="篇均被引")
    if kind == "pie":
        return ChartSpec("status", "法律状态", "pie", categories=["有效", "失效", "审中"], series=[("件数", [6, 3, 1])])
    if kind == "hbar":
        return ChartSpec("top", "申请人排名", "hbar",
                         categories=["宁德时代新能源科技股份有限公司", "比亚迪股份有限公司", EVIL],
                         series=[("申请量", [30, 20, 10])], x_label="申请人", y_label="件数")
    if kind == "bar_line":
        return ChartSpec("growth", "申请量与增长率", "bar_line", categories=YEARS,
                         series=[("申请量", [10, 12, 15, 11]), ("增长率", [None, 20.0, 25.0, -26.7])],
                         x_label="申请年", y_label="件数", y2_label="%")
    if kind in {"line", "stacked"}:
        return ChartSpec(f"types_{kind}", "专利类型", kind, categories=YEARS,
                         series=[("发明", [5, 6, 7, 8]), ("实用新型", [1, 2, 3, 4])], x_label="申请年", y_label="件数")
    return ChartSpec("trend", "申请趋势", "bar", categories=YEARS, series=[("申请量", [3, 5, 8, 13])],
                     x_label="申请年", y_label="件数", note="来源：演示数据")


ALL_KINDS = ["bar", "hbar", "line", "bar_line", "stacked", "pie", "heatmap", "graph", "scatter"]


def test_every_kind_is_covered():
    assert set(ALL_KINDS) == charts.KINDS


# ---------------------------------------------------------------------------------------------- ECharts


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_echarts_option_is_complete_json(kind):
    spec = make(kind)
    option = to_echarts(spec)
    json.dumps(option, allow_nan=False)  # strict JSON: no NaN, no numpy types, no functions
    assert option["title"]["text"] == spec.title
    assert option["toolbox"]["feature"]["saveAsImage"]["name"] == spec.key
    assert "tooltip" in option
    expected_types = {"bar": ["bar"], "hbar": ["bar"], "line": ["line", "line"], "bar_line": ["bar", "line"],
                      "stacked": ["bar", "bar"], "pie": ["pie"], "heatmap": ["heatmap"], "graph": ["graph"],
                      "scatter": ["scatter"]}[kind]
    assert [s["type"] for s in option["series"]] == expected_types


@pytest.mark.parametrize("kind", ["bar", "hbar", "line", "bar_line", "stacked"])
def test_axis_charts_have_one_point_per_category(kind):
    spec = make(kind)
    option = to_echarts(spec)
    category_axis = option["yAxis"] if kind == "hbar" else option["xAxis"]
    assert category_axis["type"] == "category"
    assert category_axis["data"] == spec.categories
    assert category_axis["name"] == spec.x_label
    for series in option["series"]:
        assert len(series["data"]) == len(spec.categories)


def test_legend_only_where_several_series():
    assert "legend" not in to_echarts(make("bar"))
    assert to_echarts(make("line"))["legend"]["data"] == ["发明", "实用新型"]


def test_bar_line_draws_lines_on_a_second_axis():
    option = to_echarts(make("bar_line"))
    assert [axis["name"] for axis in option["yAxis"]] == ["件数", "%"]
    assert option["yAxis"][1]["position"] == "right"
    assert "yAxisIndex" not in option["series"][0]
    assert option["series"][1]["yAxisIndex"] == 1
    assert option["series"][1]["data"] == [None, 20.0, 25.0, -26.7]


def test_stacked_bars_share_one_stack():
    assert {s["stack"] for s in to_echarts(make("stacked"))["series"]} == {"total"}


def test_hbar_ranks_top_first_on_a_category_y_axis():
    option = to_echarts(make("hbar"))
    assert option["yAxis"]["inverse"] is True  # ECharts draws the first category at the bottom otherwise
    assert option["xAxis"]["type"] == "value"
    assert option["xAxis"]["name"] == "件数"
    assert option["series"][0]["data"] == [30, 20, 10]


def test_pie_data_pairs_names_with_values():
    data = to_echarts(make("pie"))["series"][0]["data"]
    assert data == [{"name": "有效", "value": 6}, {"name": "失效", "value": 3}, {"name": "审中", "value": 1}]


def test_heatmap_has_visual_map_and_xy_value_triples():
    option = to_echarts(make("heatmap"))
    # matrix [[1, 2, 3], [4, 5, 9]]: smallest 1, largest 9; 2 rows x 3 columns = 6 cells
    assert (option["visualMap"]["min"], option["visualMap"]["max"]) == (1, 9)
    data = option["series"][0]["data"]
    assert len(data) == 6
    assert [2, 1, 9] in data  # column 2, row 1 holds matrix[1][2] = 9
    assert option["yAxis"]["data"] == ["电池", "电机"]
    assert option["xAxis"]["data"] == YEARS[:3]


def test_graph_uses_force_layout_and_sizes_nodes_by_value():
    series = to_echarts(make("graph"))["series"][0]
    assert series["layout"] == "force"
    assert [n["id"] for n in series["data"]] == ["a", "b", "c"]
    assert [(link["source"], link["target"]) for link in series["links"]] == [("a", "b"), ("b", "c")]
    sizes = {n["id"]: n["symbolSize"] for n in series["data"]}
    # sqrt scale to [8, 48]: a (16 = max) → 48; b (4) → 8 + sqrt(4/16) * 40 = 28; c (1) → 8 + sqrt(1/16) * 40 = 18
    assert sizes == {"a": 48.0, "b": 28.0, "c": 18.0}
    assert [c["name"] for c in series["categories"]] == ["企业", "高校"]
    assert series["data"][1]["category"] == 1


def test_scatter_points_are_pairs_named_by_category():
    data = to_echarts(make("scatter"))["series"][0]["data"]
    assert data[0] == {"name": "甲公司", "value": [10, 2.5]}
    assert len(data) == 3


def test_long_category_labels_are_rotated():
    years = to_echarts(make("bar"))["xAxis"]["axisLabel"]["rotate"]
    ipc = ChartSpec("ipc", "IPC", "bar", categories=[f"H01M10/05{i:02d}" for i in range(12)],
                    series=[("n", list(range(12)))])
    assert years == 0
    assert to_echarts(ipc)["xAxis"]["axisLabel"]["rotate"] > 0


def test_nan_becomes_null():
    spec = ChartSpec("k", "t", "line", categories=["a", "b"], series=[("s", [float("nan"), 2])])
    assert to_echarts(spec)["series"][0]["data"] == [None, 2]


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        to_echarts(ChartSpec("k", "t", "radar"))
    with pytest.raises(ValueError):
        to_svg(ChartSpec("k", "t", "radar"))


# ---------------------------------------------------------------------------------------------- SVG


def parse(svg: str) -> etree._Element:
    return etree.fromstring(svg.encode())


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_svg_is_well_formed_vector_with_text_as_text(kind):
    svg = to_svg(make(kind))
    assert svg.startswith("<svg")  # no XML prolog or doctype: ready to inline into HTML
    root = parse(svg)
    assert root.tag == SVG + "svg"
    assert len(root.get("viewBox").split()) == 4
    assert root.findall(f".//{SVG}path")
    assert not root.findall(f".//{SVG}image")  # nothing rasterised
    assert not root.findall(f".//{SVG}path[@d='']")
    assert not root.findall(f".//{SVG}style")  # a "*" rule must not leak into the page it is inlined in
    assert "<!--" not in svg
    assert "<script" not in svg


def test_svg_size_follows_centimetres():
    root = parse(to_svg(make("bar"), width_cm=10, height_cm=5))
    # 10 cm = 10 / 2.54 in = 283.46 pt; 5 cm = 141.73 pt
    _, _, width, height = map(float, root.get("viewBox").split())
    assert width == pytest.approx(283.46, abs=0.01)
    assert height == pytest.approx(141.73, abs=0.01)


def test_svg_ids_are_prefixed_and_references_resolve():
    svg = to_svg(make("bar"), id_prefix="fig7-")
    root = parse(svg)
    ids = [el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")]
    assert ids and all(i.startswith("fig7-") for i in ids)
    assert len(ids) == len(set(ids))
    refs = re.findall(r'href="#([^"]+)"', svg) + re.findall(r"url\(#([^)]+)\)", svg)
    assert refs and set(refs) <= set(ids)


def test_two_charts_inlined_together_share_no_id():
    a, b = (parse(to_svg(make(kind))) for kind in ("bar", "line"))
    ids = [{el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")} for root in (a, b)]
    assert ids[0] and ids[1] and not ids[0] & ids[1]


def test_chinese_labels_are_drawn_with_the_shipped_font():
    root = parse(to_svg(make("bar")))
    # svg.fonttype 'none': labels are <text> elements naming the shipped family, which the report's PDF embeds
    texts = [el for el in root.iter(f"{SVG}text")]
    assert texts and any(re.search("[\u4e00-\u9fff]", "".join(el.itertext())) for el in texts)
    families = {el.get("font-family") for el in root.iter() if isinstance(el.tag, str) and el.get("font-family")}
    assert families == {core_fonts.SANS_STACK.replace('"', "'")}


def test_svg_is_deterministic_and_thread_safe():
    spec = make("heatmap")
    expected = to_svg(spec)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: to_svg(spec), range(8)))
    assert results == [expected] * 8


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_svg_is_drawn_once_with_the_constrained_layout(kind, monkeypatch):
    spec = make(kind)
    draws = []
    draw = charts._OnePassFigure.draw
    monkeypatch.setattr(charts._OnePassFigure, "draw", lambda fig, renderer: draws.append(1) or draw(fig, renderer))
    once = to_svg(spec)
    assert len(draws) == 1  # not a dry draw for the layout, then the real one
    # matplotlib's own way: the engine left on the figure, savefig lays it out in a draw of its own first
    monkeypatch.setattr(charts._OnePassFigure, "detach_layout", lambda fig: None)
    assert once == to_svg(spec)
    assert len(draws) == 3


def test_groups_that_only_name_an_artist_are_unwrapped():
    raw = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs>\n</defs>'
           b'<g id="figure_1">\n <g id="axes_1"><path id="a" d="M 0 0"/>\n <g><use xlink:href="#m1"/></g></g>'
           b'<g id="clip" clip-path="url(#c1)"><path d="M 1 1"/></g><g id="named"/><use xlink:href="#named"/>'
           b'<text x="1"> a <tspan> b </tspan> c </text></g>'
           b'<defs><clipPath id="c1"><rect/></clipPath><path id="m1" d="M 2 2"/></defs></svg>')
    root = etree.fromstring(charts._inline_svg(raw, "p-").encode())
    assert [(el.tag.removeprefix(SVG), el.get("id")) for el in root] == [
        ("path", "p-a"), ("use", None), ("g", "p-clip"), ("g", "p-named"), ("use", None), ("text", None),
        ("defs", None)]  # in drawing order; a group with an attribute or that is referred to stays
    assert "".join(root.find(f"{SVG}text").itertext()) == " a  b  c "  # text keeps its spaces


def test_empty_charts_do_not_crash():
    for kind in ALL_KINDS:
        root = parse(to_svg(ChartSpec("empty", "空", kind)))
        assert root.tag == SVG + "svg"
    zero_pie = ChartSpec("z", "零", "pie", categories=["a"], series=[("n", [0])])
    assert parse(to_svg(zero_pie)).tag == SVG + "svg"


def test_a_label_the_font_cannot_draw_is_refused():
    spec = ChartSpec("pua", "趋势", "bar", categories=["上海", "私用\ue000"], series=[("n", [1, 2])])
    with pytest.raises(core_fonts.MissingGlyphs) as refused:
        to_svg(spec)
    assert refused.value.chars == ["\ue000"] and "U+E000" in refused.value.message.render("en")
    # the lock and the warning filters are left as they were: the next chart draws
    assert parse(to_svg(make("bar"))).tag == SVG + "svg"


def test_pyplot_is_never_imported():
    code = ("import sys; from ipcity.navigation.charts import to_svg; from ipcity.navigation.model import ChartSpec; "
            "to_svg(ChartSpec('k', '标题', 'bar', categories=['a'], series=[('s', [1])])); "
            "print('matplotlib.pyplot' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------- CSV


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_round_trips_awkward_names():
    spec = ChartSpec("top", "排名", "hbar", categories=['比亚迪, 股份', 'say "hi"', "两行\n名称", EVIL],
                     series=[("申请量", [30, 20.5, None, 1])], x_label="申请人")
    text = to_csv(spec)
    assert not text.startswith("\ufeff")
    assert read_csv(text) == [["申请人", "申请量"], ["比亚迪, 股份", "30"], ['say "hi"', "20.5"], ["两行\n名称", ""],
                              [EVIL, "1"]]


def test_csv_of_heatmap_graph_and_scatter():
    assert read_csv(to_csv(make("heatmap"))) == [["技术分支", "2019", "2020", "2021"], ["电池", "1", "2", "3"],
                                                 ["电机", "4", "5", "9"]]
    assert read_csv(to_csv(make("graph"))) == [["source", "target", "value"], ["宁德时代", EVIL, "3"],
                                               [EVIL, "比亚迪", "1"]]
    # scatter: one row per point, x and y in their own columns
    assert read_csv(to_csv(make("scatter"))) == [["series", "name", "申请量", "篇均被引"],
                                                 ["申请人", "甲公司", "10", "2.5"], ["申请人", "乙公司", "4", "8"],
                                                 ["申请人", EVIL, "7", "1"]]


def test_csv_neutralises_spreadsheet_formulas():
    spec = ChartSpec("f", "f", "bar", categories=["=HYPERLINK(\"x\")", "@SUM(1)", "-1+2", "普通"],
                     series=[("n", [-1, 2, 3, 4])])
    rows = read_csv(to_csv(spec))
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(\"x\")", "'@SUM(1)", "'-1+2", "普通"]
    assert rows[1][1] == "-1"  # numbers stay numbers
