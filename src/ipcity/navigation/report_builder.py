"""A run's results as a report: sections, charts and tables in the order of a GB/T 39551 report.

GB/T 39551 (rules.md §7) describes a navigation report as: background and scope → data and search
strategy → landscape → analysis modules → conclusions → recommendations and paths. The same ReportDoc
drives the dashboard (ECharts) and the HTML/PDF report (report.py), so both always show the same figures.
The report is written in one language (`lang`); the texts are kept here side by side (zh, en) because a
report is a document in the language asked for, whatever the interface language is.
"""

from __future__ import annotations

from ipcity.navigation import domain, sei
from ipcity.navigation.analyses import gap as gap_mod
from ipcity.navigation.analyses.technology import ipc_title
from ipcity.navigation.analyses.trend import STAGE_LABELS
from ipcity.navigation.model import ChartSpec, ReportDoc, Section, Table
from ipcity.navigation.pipeline import Results
from ipcity.patents import record
from ipcity.patents.names import APPLICANT_KINDS
from ipcity.patents.regions import regions

KIND_LABELS = {"company": ("企业", "Companies"), "university": ("高校", "Universities"),
               "institute": ("科研院所", "Research institutes"), "individual": ("个人", "Individuals"),
               "government": ("机关团体", "Government bodies"), "other": ("其他", "Other")}
STATUS_LABELS = {record.VALID: ("有效", "Valid"), record.LAPSED: ("失效", "Lapsed"),
                 record.PENDING: ("审中", "Pending"), record.UNKNOWN: ("未知", "Unknown")}
TYPE_LABELS = {record.INVENTION: ("发明", "Invention"), record.UTILITY: ("实用新型", "Utility model"),
               record.DESIGN: ("外观设计", "Design"), "unknown": ("未知", "Unknown")}
VERDICT_LABELS = {gap_mod.STRONG: ("优势", "Strong"), gap_mod.PAR: ("持平", "At par"),
                  gap_mod.WEAK: ("薄弱", "Weak"), gap_mod.ABSENT: ("空白", "Absent")}
NAV_TYPE_LABELS = {"regional": ("区域规划类专利导航", "Regional-planning navigation"),
                   "industry": ("产业规划类专利导航", "Industry-planning navigation"),
                   "enterprise": ("企业经营类专利导航", "Enterprise-operation navigation"),
                   "rnd": ("研发活动类专利导航", "R&D navigation"),
                   "talent": ("人才管理类专利导航", "Talent-management navigation")}
# HHI bands as competition authorities read them (below 1,500 unconcentrated; above 2,500 highly concentrated).
HHI_LOW, HHI_HIGH = 1500, 2500


class _Writer:
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def label(self, pair: tuple[str, str]) -> str:
        return pair[0] if self.lang == "zh" else pair[1]

    def pct(self, share: float | None) -> str:
        return "—" if share is None else f"{share * 100:.1f}%"


def _region_name(code: str, lang: str) -> str:
    if domain.is_country(code):
        return code
    return regions().full_name(code) if code in regions() else code


def build(results: Results, definition: domain.TopicDefinition, *, title: str, lang: str = "zh",
          description: str = "", demo: bool = False) -> ReportDoc:
    w = _Writer(lang)
    nav = w.label(NAV_TYPE_LABELS.get(definition.nav_type, NAV_TYPE_LABELS["industry"]))
    doc = ReportDoc(title=title, subtitle=w.t(f"{nav}报告", f"{nav} report"), lang=lang, demo=demo)
    doc.cover_facts = [
        (w.t("导航类型", "Kind of navigation"), nav),
        (w.t("专利选取", "Selection"), _selection_text(definition, w)),
        (w.t("分析对象", "Analysed"), w.t(f"{results.records:,} 件专利申请（{results.publications:,} 篇公开文献）",
                                          f"{results.records:,} applications ({results.publications:,} publications)")),
        (w.t("数据截至", "Data as of"), results.data_date or "—"),
        (w.t("关注地区", "Focus region"),
         _region_name(definition.focus_region, lang) if definition.focus_region else w.t("无", "none")),
        (w.t("依据标准", "Standard"), "GB/T 39551-2020"),
    ]
    sections = [_background(results, definition, w, description, nav), _data(results, definition, w),
                _landscape(results, w), _applicants(results, w), _regions(results, definition, w),
                _technology(results, w), _key_patents(results, w), _inventors(results, w)]
    if results.gap is not None:
        sections.append(_gap(results, definition, w))
    sections += [_conclusions(results, definition, w), _method(results, w)]
    doc.sections = sections
    return doc


def _selection_text(d: domain.TopicDefinition, w: _Writer) -> str:
    if d.kind == "query":
        return w.t(f"检索式：{d.query}", f"Query: {d.query}")
    if d.kind == "ipc":
        return w.t(f"IPC 分类号：{' '.join(d.ipc_codes)}", f"IPC codes: {' '.join(d.ipc_codes)}")
    if d.kind == "sei":
        name = sei.name_of(d.sei_code)
        extra = w.t("（另要求关键词）", " (keywords required)") if d.sei_keywords else ""
        return w.t(f"战略性新兴产业 {d.sei_code} {name}{extra}", f"Strategic emerging industry {d.sei_code} {name}{extra}")
    return w.t(f"公开号清单（{len(d.numbers)} 个号码）", f"List of {len(d.numbers)} publication numbers")


# -- 1 background ---------------------------------------------------------------------------------------
def _background(r: Results, d: domain.TopicDefinition, w: _Writer, description: str, nav: str) -> Section:
    period = f"{d.start_year or '…'}–{d.end_year or '…'}"
    paragraphs = [w.t(f"本报告为{nav}，依据 GB/T 39551-2020《专利导航指南》的工作流程（需求分析、方案设计、信息检索、"
                      "数据处理、分析评估、成果应用）编制，以专利数据为核心，分析产业技术发展态势、竞争格局和区域定位，"
                      "为决策提供参考。",
                      f"This is a report of {nav.lower()}, prepared along the process of GB/T 39551-2020 "
                      "(needs analysis, scheme design, retrieval, data processing, analysis and evaluation, application "
                      "of results). It uses patent data to show the technology trend, the competition and the position "
                      "of the focus region, as a basis for decisions."),
                  w.t(f"分析范围：{_selection_text(d, w)}；申请年份 {period}。",
                      f"Scope: {_selection_text(d, w)}; application years {period}.")]
    if description:
        paragraphs.insert(0, description)
    return Section("background", w.t("项目背景与范围", "Background and scope"), paragraphs)


# -- 2 data ---------------------------------------------------------------------------------------------
def _data(r: Results, d: domain.TopicDefinition, w: _Writer) -> Section:
    paragraphs = [
        w.t(f"数据来源：本平台专利数据库（共 {r.register_size:,} 篇公开文献），数据截至 {r.data_date or '—'}。",
            f"Source: the platform's patent register ({r.register_size:,} publications), data as of "
            f"{r.data_date or '—'}."),
        w.t(f"检索结果 {r.publications:,} 篇公开文献，按申请合并为 {r.records:,} 件专利申请（同一申请的公开文本与授权文本计为一件）。"
            "除另有说明外，各项统计均以专利申请件数计。",
            f"The selection found {r.publications:,} publications, merged into {r.records:,} applications (the "
            "published application and the granted patent of one application count once). Counts are "
            "applications unless stated otherwise."),
    ]
    if r.trend.incomplete_from:
        paragraphs.append(w.t(
            f"发明专利申请自申请日起满 18 个月公布（《专利法》第三十四条），{r.trend.incomplete_from} 年以后的申请数据尚不完整。",
            f"Invention applications are published 18 months after filing (Patent Law art. 34): counts from "
            f"{r.trend.incomplete_from} on are not yet complete."))
    if d.kind == "sei":
        paragraphs.append(w.t(
            "产业范围依据国家知识产权局《战略性新兴产业分类与国际专利分类参照关系表（2021）（试行）》，按每件专利自身的 IPC 分类号匹配；"
            "未要求关键词时，仅按 IPC 归属统计可能偏多。",
            "The industry follows CNIPA's concordance between strategic emerging industries and the IPC (2021, "
            "trial), applied to each patent's own IPC symbols; without the keyword condition, IPC membership "
            "alone may over-count."))
    table = Table(w.t("数据概况", "Data overview"), [w.t("项目", "Item"), w.t("数值", "Value")], [
        [w.t("专利申请", "Applications"), r.records],
        [w.t("公开文献", "Publications"), r.publications],
        [w.t("有申请年的申请", "Applications with a filing year"), r.trend.total - r.trend.without_app_year],
        [w.t("有中国申请人地址的申请", "Applications with a Chinese applicant address"), r.cn_records],
        [w.t("聚类分析样本", "Texts clustered"), r.clusters.n_docs],
    ])
    return Section("data", w.t("数据来源与检索策略", "Data and search strategy"), paragraphs, tables=[table])


# -- 3 landscape ----------------------------------------------------------------------------------------
def _landscape(r: Results, w: _Writer) -> Section:
    t = r.trend
    trend_chart = ChartSpec("trend", w.t("专利申请与公开趋势", "Applications and publications by year"), "line",
                            categories=[str(y) for y in t.years],
                            series=[(w.t("申请量", "Applications"), t.applications),
                                    (w.t("公开量", "Publications"), t.publications)],
                            x_label=w.t("年份", "Year"), y_label=w.t("件", "Count"),
                            note=_incomplete_note(t.incomplete_from, w))
    growth_table = Table(w.t("年度申请量及增长率", "Applications and growth by year"),
                         [w.t("年份", "Year"), w.t("申请量", "Applications"), w.t("公开量", "Publications"),
                          w.t("增长率", "Growth")],
                         [[str(y), a, p, w.pct(g)] for y, a, p, g in zip(t.years, t.applications, t.publications,
                                                                    t.growth, strict=False)][-10:])
    trend_text = w.t(f"{t.cagr_start}–{t.cagr_end} 年申请量年均复合增长率为 {w.pct(t.cagr)}。",
                     f"Applications grew by {w.pct(t.cagr)} a year (compound) from {t.cagr_start} to {t.cagr_end}."
                     ) if t.cagr is not None else w.t("年份数据不足，无法计算年均增长率。",
                                                      "Too few years to compute a growth rate.")
    peak = max(zip(t.applications, t.years, strict=False), default=(0, None))
    if peak[1] is not None and peak[0]:
        trend_text += w.t(f"申请量最高的年份为 {peak[1]} 年（{peak[0]:,} 件）。",
                          f" The peak year is {peak[1]} ({peak[0]:,} applications).")
    life = r.life_cycle
    stage = w.label(STAGE_LABELS[life.stage]) if life.stage else w.t("无法判断", "undetermined")
    life_chart = ChartSpec("life_cycle", w.t("技术生命周期（申请人数与申请量）", "Technology life cycle (applicants and applications)"),
                           "line", categories=[str(y) for y in life.years],
                           series=[(w.t("申请量", "Applications"), life.applications),
                                   (w.t("申请人数", "Applicants"), life.applicants)],
                           x_label=w.t("年份", "Year"), y_label=w.t("数量", "Count"))
    window = f"{life.window[0]}–{life.window[-1]}" if life.window else "—"
    life_text = w.t(f"以 {window} 年申请量与申请人数的变化判断，该技术处于{stage}。",
                    f"Judged by applications and applicants over {window}, the technology is in the {stage.lower()} stage.")
    return Section("landscape", w.t("专利态势", "Patent landscape"), children=[
        Section("trend", w.t("申请趋势", "Filing trend"), [trend_text], charts=[trend_chart], tables=[growth_table]),
        Section("life_cycle", w.t("技术生命周期", "Technology life cycle"), [life_text], charts=[life_chart]),
    ])


def _year(year: int | None) -> str | None:
    """A year as text, so that tables do not print it with a thousands separator (2,007)."""
    return str(year) if year else None


def _in_window(rows: list, r: Results) -> list:
    """Rows (with a .year) within the years the trend shows, so every chart over time has the same axis."""
    if not r.trend.years:
        return rows
    first, last = r.trend.years[0], r.trend.years[-1]
    return [row for row in rows if first <= row.year <= last]


def _incomplete_note(year: int | None, w: _Writer) -> str:
    return w.t(f"{year} 年起数据不完整", f"counts from {year} incomplete") if year else ""


# -- 4 applicants ---------------------------------------------------------------------------------------
def _applicants(r: Results, w: _Writer) -> Section:
    top = r.ranking
    rank_chart = ChartSpec("applicants", w.t("主要申请人排名", "Top applicants"), "hbar",
                           categories=[a.name for a in top], series=[(w.t("申请量", "Applications"),
                                                                      [a.count for a in top])],
                           x_label=w.t("申请人", "Applicant"), y_label=w.t("件", "Count"))
    rank_table = Table(w.t("主要申请人", "Top applicants"),
                       [w.t("申请人", "Applicant"), w.t("类型", "Kind"), w.t("申请量", "Applications"),
                        w.t("占比", "Share"), w.t("有效", "Valid"), w.t("首次申请", "First"), w.t("最近申请", "Last")],
                       [[a.name, w.label(KIND_LABELS.get(a.kind, KIND_LABELS["other"])), a.count, w.pct(a.share),
                         a.valid, _year(a.first_year), _year(a.last_year)] for a in top[:15]])
    c = r.concentration
    level = (w.t("竞争分散", "unconcentrated") if c.hhi < HHI_LOW else
             w.t("中度集中", "moderately concentrated") if c.hhi <= HHI_HIGH else w.t("高度集中", "highly concentrated"))
    conc_text = w.t(f"前 4 位申请人占 {w.pct(c.cr4)}（CR4），前 8 位占 {w.pct(c.cr8)}（CR8），HHI 指数 {c.hhi:,.0f}，"
                    f"市场{level}（共 {c.applicants:,} 个申请人）。",
                    f"The top 4 applicants hold {w.pct(c.cr4)} (CR4), the top 8 {w.pct(c.cr8)} (CR8); HHI "
                    f"{c.hhi:,.0f}: the field is {level} ({c.applicants:,} applicants).")
    newcomers = _in_window(r.newcomers, r)
    newcomer_chart = ChartSpec("newcomers", w.t("新进入申请人", "New applicants by year"), "bar_line",
                               categories=[str(n.year) for n in newcomers],
                               series=[(w.t("新进入者", "Newcomers"), [n.newcomers for n in newcomers]),
                                       (w.t("活跃申请人", "Active applicants"), [n.active for n in newcomers])],
                               x_label=w.t("年份", "Year"), y_label=w.t("个", "Count"), y2_label=w.t("个", "Count"))
    types = r.applicant_types
    kinds = [k for k in APPLICANT_KINDS if types.by_kind.get(k)]
    type_chart = ChartSpec("applicant_types", w.t("申请人类型", "Applicant kinds"), "pie",
                           categories=[w.label(KIND_LABELS[k]) for k in kinds],
                           series=[(w.t("申请量", "Applications"), [types.by_kind[k] for k in kinds])])
    joint = types.joint / types.with_applicants if types.with_applicants else None
    type_text = w.t(f"联合申请占 {w.pct(joint)}。", f"Joint applications: {w.pct(joint)}.")
    net = r.network
    network_chart = ChartSpec("network", w.t("申请人合作网络", "Co-applicant network"), "graph",
                              nodes=[{"id": n.id, "name": n.id, "value": n.count} for n in net.nodes],
                              links=[{"source": li.source, "target": li.target, "value": li.value} for li in net.links],
                              note=w.t("节点为前 30 位申请人，连线为共同申请件数", "nodes: top 30 applicants; links: joint applications"))
    network_text = (w.t(f"前 30 位申请人之间有 {len(net.links)} 对合作关系。", f"{len(net.links)} pairs of the top 30 applicants "
                        "file together.") if net.links else
                    w.t("主要申请人之间没有共同申请。", "The top applicants do not file together."))
    return Section("applicants", w.t("申请人分析", "Applicants"), children=[
        Section("ranking", w.t("申请人排名", "Ranking"), charts=[rank_chart], tables=[rank_table]),
        Section("concentration", w.t("市场集中度", "Concentration"), [conc_text], tables=[Table(
            w.t("集中度指标", "Concentration measures"), ["CR4", "CR8", "HHI", w.t("申请人数", "Applicants")],
            [[w.pct(c.cr4), w.pct(c.cr8), round(c.hhi), c.applicants]])]),
        Section("newcomers", w.t("新进入者", "Newcomers"), charts=[newcomer_chart]),
        Section("applicant_types", w.t("申请人类型", "Kinds of applicant"), [type_text], charts=[type_chart]),
        Section("network", w.t("合作网络", "Co-applicant network"), [network_text], charts=[network_chart]),
    ])


# -- 5 regions ------------------------------------------------------------------------------------------
def _regions(r: Results, d: domain.TopicDefinition, w: _Writer) -> Section:
    children = []
    origins = r.origins
    children.append(Section("origin", w.t("技术来源国（地区）", "Countries of origin"),
                            [w.t(f"按最早优先权国家统计（无优先权时按首次申请受理局），共 {len(origins.rows)} 个来源国。",
                                 f"By the country of the earliest priority (else the office of first filing); "
                                 f"{len(origins.rows)} countries shown.")],
                            charts=[ChartSpec("origins", w.t("技术来源国（地区）", "Countries of origin"), "hbar",
                                              categories=[c.code for c in origins.rows],
                                              series=[(w.t("申请量", "Applications"), [c.count for c in origins.rows])])]))
    offices = r.offices
    children.append(Section("office", w.t("目标市场（受理局）", "Filing offices (target markets)"),
                            charts=[ChartSpec("offices", w.t("受理局分布", "Applications by office"), "bar",
                                              categories=[c.code for c in offices.rows],
                                              series=[(w.t("申请量", "Applications"), [c.count for c in offices.rows])])]))
    if r.cn_records:
        rows = r.provinces.rows[:20]
        children.append(Section("provinces", w.t("国内省市分布", "Chinese provinces"),
                                [w.t(f"{r.cn_records:,} 件申请有中国申请人地址。", f"{r.cn_records:,} applications have a "
                                     "Chinese applicant address.")],
                                charts=[ChartSpec("provinces", w.t("各省（区、市）申请量", "Applications by province"), "hbar",
                                                  categories=[x.name or x.code for x in rows],
                                                  series=[(w.t("申请量", "Applications"), [x.count for x in rows])])]))
    else:
        children.append(Section("provinces", w.t("国内省市分布", "Chinese provinces"),
                                [w.t("数据中没有中国申请人地址，无法按省市统计。",
                                     "The data has no Chinese applicant addresses: no provincial breakdown.")]))
    if d.focus_region:
        children.append(_focus(r, d, w))
    return Section("regions", w.t("区域分析", "Regions"), children=children)


def _focus(r: Results, d: domain.TopicDefinition, w: _Writer) -> Section:
    name = _region_name(d.focus_region, w.lang)
    charts, paragraphs = [], []
    if r.focus_country is not None:
        f = r.focus_country
        paragraphs.append(w.t(f"{name} 来源的申请 {f.count:,} 件，占 {w.pct(f.share)}，在 {f.countries} 个来源国中排第 {f.rank or '—'} 位。",
                              f"{f.count:,} applications come from {name}: {w.pct(f.share)}, rank {f.rank or '—'} of "
                              f"{f.countries} countries."))
    elif r.focus is not None:
        f = r.focus
        paragraphs.append(w.t(f"{f.name or name} 的申请 {f.count:,} 件，占国内有地址申请的 {w.pct(f.share)}，"
                              f"在同级 {f.peers_with_filings} 个地区中排第 {f.rank or '—'} 位。",
                              f"{f.name or name} has {f.count:,} applications, {w.pct(f.share)} of those with a Chinese "
                              f"address, rank {f.rank or '—'} of {f.peers_with_filings} divisions of its level."))
        if r.subregions is not None and r.subregions.rows:
            rows = r.subregions.rows[:20]
            charts.append(ChartSpec("subregions", w.t(f"{name}内部分布", f"Within {name}"), "hbar",
                                    categories=[x.name or x.code for x in rows],
                                    series=[(w.t("申请量", "Applications"), [x.count for x in rows])]))
    return Section("focus", w.t(f"关注地区：{name}", f"Focus region: {name}"), paragraphs, charts=charts)


# -- 6 technology ---------------------------------------------------------------------------------------
def _technology(r: Results, w: _Writer) -> Section:
    lang = w.lang
    sections_chart = ChartSpec("ipc_sections", w.t("IPC 部分布", "IPC sections"), "pie",
                               categories=[f"{x.code} {ipc_title(x.code, lang)}"[:24] for x in r.ipc_sections],
                               series=[(w.t("申请量", "Applications"), [x.count for x in r.ipc_sections])])
    sub = r.ipc_subclasses
    sub_chart = ChartSpec("ipc_subclasses", w.t("主要 IPC 小类", "Top IPC subclasses"), "hbar",
                          categories=[x.code for x in sub], series=[(w.t("申请量", "Applications"), [x.count for x in sub])])
    sub_table = Table(w.t("主要 IPC 小类及含义", "Top IPC subclasses"),
                      [w.t("小类", "Subclass"), w.t("含义", "Title"), w.t("申请量", "Applications"), w.t("占比", "Share")],
                      [[x.code, ipc_title(x.code, lang), x.count, w.pct(x.share)] for x in sub])
    class_table = Table(w.t("主要 IPC 大类", "Top IPC classes"),
                        [w.t("大类", "Class"), w.t("含义", "Title"), w.t("申请量", "Applications"), w.t("占比", "Share")],
                        [[x.code, ipc_title(x.code, lang), x.count, w.pct(x.share)] for x in r.ipc_classes[:10]])
    group_table = Table(w.t("主要 IPC 大组", "Top IPC main groups"),
                        [w.t("大组", "Main group"), w.t("含义", "Title"), w.t("申请量", "Applications")],
                        [[x.code, ipc_title(x.code, lang), x.count] for x in r.ipc_groups[:15]])
    m = r.ipc_year
    heat = ChartSpec("ipc_year", w.t("主要 IPC 小类年度申请量", "Top subclasses by year"), "heatmap",
                     categories=[str(y) for y in m.years], y_categories=m.codes, matrix=m.matrix,
                     x_label=w.t("年份", "Year"), y_label="IPC")
    technology = [Section("ipc", w.t("技术构成（IPC）", "Technology composition (IPC)"),
                          charts=[sections_chart, sub_chart], tables=[class_table, sub_table, group_table]),
                  Section("ipc_year", w.t("技术演进", "Technology over time"), charts=[heat])]
    technology.append(_clusters(r, w))
    return Section("technology", w.t("技术分析", "Technology"), children=technology)


def _clusters(r: Results, w: _Writer) -> Section:
    c = r.clusters
    if not c.clusters:
        return Section("clusters", w.t("技术主题聚类", "Technology clusters"),
                       [w.t("文本不足，未做聚类。", "Too little text to cluster.")])
    labels = [f"{k.id + 1}: {' '.join(k.terms[:3])}" for k in c.clusters]
    size_chart = ChartSpec("clusters", w.t("技术主题规模", "Cluster sizes"), "hbar", categories=labels,
                           series=[(w.t("文献数", "Documents"), [k.size for k in c.clusters])], note=c.method)
    table = Table(w.t("技术主题及关键词", "Clusters and their keywords"),
                  [w.t("主题", "Cluster"), w.t("关键词", "Keywords"), w.t("文献数", "Documents"), w.t("占比", "Share"),
                   w.t("近期增长", "Recent growth")],
                  [[k.id + 1, "、".join(k.terms) if w.lang == "zh" else ", ".join(k.terms), k.size, w.pct(k.share),
                    w.pct(k.growth)] for k in c.clusters])
    paragraphs = [c.method]
    if "cluster_sample" in r.notes:
        paragraphs.append(w.t(f"聚类基于随机抽取的 {c.n_docs:,} 件申请的标题和摘要。",
                              f"Clusters come from the titles and abstracts of a random sample of {c.n_docs:,} applications."))
    growing = [k for k in c.clusters if k.growth is not None]
    if growing:
        best = max(growing, key=lambda k: k.growth)
        paragraphs.append(w.t(f"增长最快的主题为「{'、'.join(best.terms[:3])}」（{w.pct(best.growth)}）。",
                              f"The fastest-growing cluster is “{', '.join(best.terms[:3])}” ({w.pct(best.growth)})."))
    return Section("clusters", w.t("技术主题聚类", "Technology clusters"), paragraphs, charts=[size_chart], tables=[table])


# -- 7 key patents --------------------------------------------------------------------------------------
def _key_patents(r: Results, w: _Writer) -> Section:
    def patent_table(name: tuple[str, str], rows, value: tuple[str, str]) -> Table:
        return Table(w.label(name), [w.t("公开号", "Publication"), w.t("标题", "Title"), w.t("申请人", "Applicants"),
                                     w.t("申请年", "Year"), w.label(value)],
                     [[k.pub_number, k.title[:60], "; ".join(k.applicants[:3]), _year(k.year), k.value] for k in rows])

    status = r.status_mix
    statuses = [s for s in STATUS_LABELS if status.overall.get(s)]
    status_chart = ChartSpec("legal_status", w.t("法律状态", "Legal status"), "pie",
                             categories=[w.label(STATUS_LABELS[s]) for s in statuses],
                             series=[(w.t("申请量", "Applications"), [status.overall[s] for s in statuses])])
    types = [t for t in TYPE_LABELS if t in status.by_type and sum(status.by_type[t].values())]
    by_type_chart = ChartSpec("status_by_type", w.t("各类型专利法律状态", "Legal status by type"), "stacked",
                              categories=[w.label(TYPE_LABELS[t]) for t in types],
                              series=[(w.label(STATUS_LABELS[s]), [status.by_type[t].get(s, 0) for t in types])
                                      for s in STATUS_LABELS])
    ops = r.operations
    by_year = _in_window(ops.by_year, r)
    ops_chart = ChartSpec("operations", w.t("专利运营（转让、许可、质押）", "Transfers, licences and pledges"), "line",
                          categories=[str(o.year) for o in by_year],
                          series=[(w.t("转让", "Transfers"), [o.transfer for o in by_year]),
                                  (w.t("许可", "Licences"), [o.licence for o in by_year]),
                                  (w.t("质押", "Pledges"), [o.pledge for o in by_year])],
                          x_label=w.t("申请年", "Application year"))
    ops_text = (w.t(f"发生转让的 {ops.transfer:,} 件，许可 {ops.licence:,} 件，质押 {ops.pledge:,} 件。",
                    f"{ops.transfer:,} applications were transferred, {ops.licence:,} licensed, {ops.pledge:,} pledged.")
                if ops.any else w.t("数据中没有转让、许可或质押记录。",
                                    "The data records no transfers, licences or pledges."))
    cited = [k for k in r.most_cited if k.value]
    families = [k for k in r.largest_families if k.value]
    children = [Section("status", w.t("法律状态", "Legal status"), charts=[status_chart, by_type_chart]),
                Section("operations", w.t("专利运营", "Operations"), [ops_text], charts=[ops_chart] if ops.any else [])]
    children.append(Section("cited", w.t("高被引专利", "Most cited"),
                            [] if cited else [w.t("数据中没有被引次数。", "The data has no citation counts.")],
                            tables=[patent_table(("高被引专利", "Most cited patents"), cited, ("被引次数", "Cited by"))]
                            if cited else []))
    children.append(Section("families", w.t("同族规模最大的专利", "Largest families"),
                            [] if families else [w.t("数据中没有同族信息。", "The data has no family sizes.")],
                            tables=[patent_table(("同族规模最大的专利", "Largest families"), families,
                                                 ("同族数", "Family size"))] if families else []))
    return Section("key_patents", w.t("重点专利", "Key patents"), children=children)


# -- 8 inventors ----------------------------------------------------------------------------------------
def _inventors(r: Results, w: _Writer) -> Section:
    s = r.inventors
    top_chart = ChartSpec("inventors", w.t("主要发明人", "Top inventors"), "hbar", categories=[i.name for i in s.top],
                          series=[(w.t("申请量", "Applications"), [i.count for i in s.top])])
    team_chart = ChartSpec("team_sizes", w.t("发明团队规模", "Team sizes"), "bar", categories=list(s.team_sizes),
                           series=[(w.t("申请量", "Applications"), list(s.team_sizes.values()))],
                           x_label=w.t("发明人数", "Inventors per application"))
    team_years = _in_window(s.by_year, r)
    team_year = ChartSpec("team_by_year", w.t("平均团队规模变化", "Mean team size by year"), "line",
                          categories=[str(t.year) for t in team_years],
                          series=[(w.t("平均发明人数", "Mean inventors"), [t.mean_team_size for t in team_years])])
    text = w.t(f"共有发明人 {s.distinct_inventors:,} 人，平均每件申请 {s.mean_team_size or 0:.1f} 人。",
               f"{s.distinct_inventors:,} inventors; {s.mean_team_size or 0:.1f} per application on average.")
    table = Table(w.t("主要发明人及所属申请人", "Top inventors and their applicant"),
                  [w.t("发明人", "Inventor"), w.t("申请量", "Applications"), w.t("主要申请人", "Main applicant")],
                  [[i.name, i.count, i.main_applicant] for i in s.top])
    return Section("inventors", w.t("发明人分析", "Inventors"), [text], charts=[top_chart, team_chart, team_year],
                   tables=[table])


# -- 9 gap ----------------------------------------------------------------------------------------------
def _gap(r: Results, d: domain.TopicDefinition, w: _Writer) -> Section:
    g = r.gap
    name = _region_name(d.focus_region, w.lang)
    counts = g.counts
    text = w.t(f"以显示性技术优势指数（RTA）比较 {name} 与全部数据：优势领域 {counts.get('strong', 0)} 个，持平 "
               f"{counts.get('par', 0)} 个，薄弱 {counts.get('weak', 0)} 个，空白 {counts.get('absent', 0)} 个"
               f"（{name} 共 {g.focus_applications:,} 件申请）。",
               f"Revealed technological advantage (RTA) of {name} against the whole: {counts.get('strong', 0)} strong, "
               f"{counts.get('par', 0)} at par, {counts.get('weak', 0)} weak, {counts.get('absent', 0)} absent fields "
               f"({g.focus_applications:,} applications of {name}).")
    shown = g.rows[:25]
    chart = ChartSpec("gap", w.t(f"{name} 技术优势指数（RTA）", f"RTA of {name} by subclass"), "hbar",
                      categories=[x.code for x in shown], series=[("RTA", [round(x.rta, 2) for x in shown])],
                      note=w.t("RTA>1.2 为优势，<0.8 为薄弱，0 为空白", "RTA > 1.2 strong, < 0.8 weak, 0 absent"))
    table = Table(w.t("技术差距分析", "Gap analysis"),
                  [w.t("小类", "Subclass"), w.t("含义", "Title"), w.t("全部", "Whole"), name, w.t("占比", "Share"),
                   "RTA", w.t("判断", "Verdict")],
                  [[x.code, ipc_title(x.code, w.lang)[:40], x.whole_count, x.focus_count, w.pct(x.focus_share),
                    round(x.rta, 2), w.label(VERDICT_LABELS[x.verdict])] for x in g.rows[:40]])
    return Section("gap", w.t("差距分析", "Gap analysis"), [text], charts=[chart], tables=[table])


# -- 10 conclusions and recommendations -----------------------------------------------------------------
def _conclusions(r: Results, d: domain.TopicDefinition, w: _Writer) -> Section:
    findings, paths = [], []
    life = r.life_cycle
    if life.stage:
        findings.append(w.t(f"技术处于{w.label(STAGE_LABELS[life.stage])}。", f"The technology is in the "
                            f"{w.label(STAGE_LABELS[life.stage]).lower()} stage."))
        if life.stage in ("emerging", "growth", "recovery"):
            paths.append(w.t("技术仍在扩张，宜加快布局核心专利、支持研发立项，抢占技术制高点。",
                             "The field is expanding: build core patents early and fund R&D projects in it."))
        else:
            paths.append(w.t("技术趋于成熟或衰退，宜通过许可、转让和并购获取成熟技术，关注替代技术方向。",
                             "The field is mature or declining: acquire technology by licence, transfer or acquisition, "
                             "and watch substitute technologies."))
    if r.ranking:
        leaders = "、".join(a.name for a in r.ranking[:3]) if w.lang == "zh" else "; ".join(a.name for a in r.ranking[:3])
        findings.append(w.t(f"主要申请人为 {leaders}；CR4 为 {w.pct(r.concentration.cr4)}。",
                            f"The leading applicants are {leaders}; CR4 is {w.pct(r.concentration.cr4)}."))
        if r.concentration.hhi > HHI_HIGH:
            paths.append(w.t("市场高度集中，宜关注龙头企业专利风险，开展规避设计和自由实施（FTO）分析。",
                             "The market is highly concentrated: watch the leaders' patents, design around and run "
                             "freedom-to-operate analyses."))
        else:
            paths.append(w.t("竞争格局较为分散，宜培育本地骨干企业、推动产学研合作。",
                             "Competition is spread: grow local lead firms and university–industry cooperation."))
    growing = [k for k in r.clusters.clusters if k.growth is not None and k.growth > 0]
    if growing:
        names = "；".join("、".join(k.terms[:3]) for k in sorted(growing, key=lambda k: -k.growth)[:3])
        findings.append(w.t(f"增长较快的技术主题：{names}。", f"Growing technology clusters: {names}."))
    if r.gap is not None:
        strong = [x.code for x in r.gap.rows if x.verdict == gap_mod.STRONG][:5]
        weak = [x.code for x in r.gap.rows if x.verdict in (gap_mod.WEAK, gap_mod.ABSENT)][:5]
        name = _region_name(d.focus_region, w.lang)
        if strong:
            findings.append(w.t(f"{name} 的优势领域：{'、'.join(strong)}。", f"{name} is strong in {', '.join(strong)}."))
            paths.append(w.t(f"巩固 {'、'.join(strong)} 等优势领域，培育高价值专利组合。",
                             f"Consolidate the strong fields ({', '.join(strong)}) into high-value portfolios."))
        if weak:
            findings.append(w.t(f"{name} 的薄弱或空白领域：{'、'.join(weak)}。",
                                f"{name} is weak or absent in {', '.join(weak)}."))
            paths.append(w.t(f"针对 {'、'.join(weak)} 等薄弱环节，招引相关企业和人才团队，开展联合攻关。",
                             f"For the weak fields ({', '.join(weak)}), attract firms and inventor teams and run joint "
                             "projects."))
    if r.inventors.top:
        paths.append(w.t("依据主要发明人名单开展人才引进与评价（GB/T 39551.6）。",
                         "Use the list of leading inventors to attract and evaluate talent (GB/T 39551.6)."))
    if not findings:
        findings.append(w.t("数据不足，无法形成结论。", "Too little data for conclusions."))
    return Section("conclusions", w.t("结论与建议", "Conclusions and recommendations"), children=[
        Section("findings", w.t("主要结论", "Findings"), findings),
        Section("paths", w.t("发展路径建议", "Recommended paths"), paths or [w.t("暂无。", "None.")]),
    ])


# -- appendix -------------------------------------------------------------------------------------------
def _method(r: Results, w: _Writer) -> Section:
    return Section("method", w.t("附录：方法说明", "Appendix: method"), [
        w.t("计数：以专利申请为单位，同一申请的多个公开文本合并计为一件；年份为申请年。",
            "Counting: one application counts once however many times it was published; years are filing years."),
        w.t("集中度：每件申请的每个申请人各计一次（全计数）；CRn 为前 n 位申请人份额之和；HHI 为各申请人份额（百分数）平方和，"
            "低于 1,500 为分散，高于 2,500 为高度集中。",
            "Concentration: each applicant of an application gets one credit (full counting); CRn is the share of the "
            "top n; HHI is the sum of squared percentage shares (below 1,500 unconcentrated, above 2,500 highly "
            "concentrated)."),
        w.t("技术生命周期：比较最近若干完整年份申请量与申请人数的相对斜率，判断萌芽、发展、成熟、衰退或复苏。",
            "Life cycle: the relative slopes of applications and applicants over the last complete years decide "
            "between emerging, growth, maturity, decline and recovery."),
        w.t("差距分析：RTA =（关注地区某领域申请量 / 关注地区总量）÷（全部数据该领域申请量 / 全部总量），按 IPC 小类计算，"
            "仅统计全部数据中不少于 5 件的小类。",
            "Gap analysis: RTA = (focus applications in the field / all focus applications) ÷ (all applications in "
            "the field / all applications), per IPC subclass with at least 5 applications in the whole."),
        r.clusters.method,
        w.t("图表数据可在仪表板中逐图下载（CSV）。", "Every chart's data can be downloaded (CSV) from the dashboard."),
    ])
