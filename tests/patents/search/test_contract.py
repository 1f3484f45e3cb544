"""The search contract, run against every backend (tantivy embedded, Milvus through milvus-lite).

One small hand-made corpus (40 Chinese and English patents, below) is indexed once per backend. Every
expected result is worked out by hand from that table: which records contain a word, a name, an IPC
symbol, a date; how many records have each facet value; the date order.

What the contract promises on every backend, and so what these tests hold both to:
- the same matching set and `total` for every query (terms, phrases, fields, names, IPC, numbers, dates,
  AND/OR/NOT) and filter;
- facet counts over the matching set, largest first;
- date sorts in date order, both ways; paging that neither repeats nor skips a hit, `total` unchanged;
- relevance: hits that match the query's words come first, best first, with positive scores, and a
  word in the title outranks the same word in the abstract only (fields.BOOSTS);
- `similar`: the nearest documents by cosine, only documents that have a vector, restricted by a request;
- upsert replaces by publication number, delete removes, clear empties, count counts.
Not promised (and so not tested as equal): score values, and the order of hits that no query word
ranks (MatchAll, keyword-only matches): tantivy gives index order, Milvus newest publication first.
The differences are listed in docs/milvus.md.
"""

from __future__ import annotations

from datetime import date

import pytest

from ipcity.core.numbers import check_digit
from ipcity.patents import record
from ipcity.patents.record import PatentRecord
from ipcity.patents.search import milvus_backend
from ipcity.patents.search.ast import BestMatch, DateRange, Or, Phrase, Prefix, Term
from ipcity.patents.search.backends import BACKENDS, open_backend
from ipcity.patents.search.contract import SearchRequest
from ipcity.patents.search.document import index_doc
from ipcity.patents.search.keywords import normalise_keyword
from ipcity.patents.search.query import parse

DIM = 4
V, P, L = record.VALID, record.PENDING, record.LAPSED
CATL = "宁德时代新能源科技股份有限公司"
BYD = "比亚迪股份有限公司"
HUAWEI = "华为技术有限公司"
TOYOTA = "TOYOTA MOTOR CORP"
SHANGHAI_AOWEI = "上海奥威科技开发有限公司"
LONGI = "隆基绿能科技股份有限公司"
SIXTH_ELEMENT = "常州第六元素材料科技股份有限公司"
STATE_GRID = "国家电网有限公司"


def app_number(year: int, type_digit: str, serial: str) -> str:
    body = f"{year}{type_digit}{serial}"
    return f"CN{body}.{check_digit(body)}"


def patent(key: str, pub: str, title: str, abstract: str = "", claims: str = "", description: str = "", *,
           applicants: tuple[str, ...] = (), inventors: tuple[str, ...] = (), ipc: tuple[str, ...] = (),
           locarno: tuple[str, ...] = (), app: str = "", ad: str, pd: str | None, region: str = "",
           status: str = V, vector: tuple[float, ...] | None = None) -> tuple[str, PatentRecord, tuple | None]:
    office = pub[:2]
    kind = pub.rstrip("0123456789")[-1] if office == "US" else pub[-1]
    if office == "CN":
        patent_type = {"1": record.INVENTION, "2": record.UTILITY, "3": record.DESIGN}[pub[2]]
        app = app or app_number(int(ad[:4]), pub[2], pub[4:11])
    else:
        patent_type, kind = record.INVENTION, pub[-2:]
    rec = PatentRecord(pub_number=pub, office=office, kind=kind, patent_type=patent_type, app_number=app,
                       app_date=date.fromisoformat(ad), pub_date=date.fromisoformat(pd) if pd else None,
                       title=title, abstract=abstract, claims=claims, description=description,
                       lang="en" if office == "US" else "zh", ipc_main=ipc[0] if ipc else "", ipc=list(ipc),
                       locarno=list(locarno), applicants=list(applicants), inventors=list(inventors),
                       region_code=region, legal_status=status)
    return key, rec, vector


# key, publication number, title, abstract, claims, description, names, classes, dates, region, status, vector
CORPUS = [
    patent("C01", "CN111000001A", "磷酸铁锂正极材料及其制备方法",
           "本发明公开一种锂离子电池正极材料，以磷酸铁锂为主体并包覆碳层。",
           "一种正极材料，其特征在于包含磷酸铁锂和导电碳。", "采用喷雾干燥工艺制备前驱体。", applicants=(CATL,),
           inventors=("张伟", "李娜"), ipc=("H01M4/58", "H01M10/0525"), app="CN201910067706.2", ad="2019-03-01",
           pd="2019-09-10", region="350902", vector=(1, 0, 0, 0)),
    patent("C02", "CN111000002A", "一种固态电解质及锂离子电池", "固态电解质具有高离子电导率，可提高电池安全性。",
           "所述电解质包含硫化物。", applicants=(CATL,), inventors=("李娜",), ipc=("H01M10/0562", "H01M10/0525"),
           ad="2019-12-31", pd="2020-07-01", region="350902", status=P, vector=(0.9, 0.1, 0, 0)),
    patent("C03", "CN111000003A", "锂电池隔膜及其制备方法", "一种聚乙烯隔膜，用于锂电池，具有良好的热稳定性。",
           applicants=(BYD,), inventors=("王强",), ipc=("H01M50/403",), ad="2020-05-10", pd="2020-11-20",
           region="440307", vector=(0.8, 0.3, 0, 0)),
    patent("C04", "CN211000004U", "一种电池包散热结构", "电池包底部设有散热片与风道。", applicants=(BYD,),
           ipc=("H01M10/613",), ad="2020-08-01", pd="2021-03-02", region="440307", vector=(0.7, 0, 0.7, 0)),
    patent("C05", "US20200100005A1", "Solid state battery with sulfide electrolyte",
           "A solid state battery comprises a sulfide electrolyte layer between the cathode and the anode.",
           applicants=(TOYOTA,), ipc=("H01M10/0562",), app="US16/100005", ad="2018-06-15", pd="2020-01-02",
           status=P),
    patent("C06", "US20210100006A1", "Battery pack monitoring",
           "The monitor reads the state of each cell and keeps the solid electrolyte cool.",
           applicants=("LG ENERGY SOLUTION LTD",), ipc=("H01M10/48", "G01R31/36"), app="US16/100006",
           ad="2019-07-20", pd="2021-01-07"),
    patent("C07", "CN111000007A", "超级电容器电极材料", "以活性炭为电极材料的超级电容器，功率密度高。",
           applicants=(SHANGHAI_AOWEI,), ipc=("H01G11/32",), ad="2018-04-02", pd="2018-10-12", region="310115",
           status=L),
    patent("C08", "CN211000008U", "一种电容器外壳", "外壳采用铝合金，便于散热。", applicants=(SHANGHAI_AOWEI,),
           ipc=("H01G2/10",), ad="2021-02-03", pd="2021-09-14", region="310115"),
    patent("C09", "CN111000009A", "钙钛矿太阳能电池及其制备方法", "钙钛矿吸光层提高光电转换效率。", applicants=(LONGI,),
           ipc=("H01L31/0256",), ad="2021-05-06", pd="2021-11-16", region="610116", status=P),
    patent("C10", "CN211000010U", "一种光伏组件支架", "支架可调节倾角。", applicants=(LONGI,), ipc=("H02S20/30",),
           ad="2021-06-07", pd="2022-01-18", region="610116"),
    patent("C11", "CN111000011A", "基于深度学习的图像识别方法", "利用卷积神经网络对图像进行分类识别。",
           "一种图像识别方法，包括训练神经网络。", applicants=(HUAWEI,), inventors=("陈晨",),
           ipc=("G06V10/82", "G06N3/08"), ad="2020-01-15", pd="2020-06-30", region="440307", status=P,
           vector=(0, 1, 0, 0)),
    patent("C12", "CN111000012A", "一种人脸识别门禁系统", "门禁系统通过摄像头采集人脸图像并比对。",
           applicants=("杭州海康威视数字技术股份有限公司",), ipc=("G06V40/16", "G07C9/37"), ad="2019-09-09",
           pd="2020-03-17", region="330108", vector=(0, 0.9, 0.1, 0)),
    patent("C13", "US20220100013A1", "Image recognition with convolutional neural networks",
           "A convolutional neural network classifies images captured by a camera.",
           applicants=("INTERNATIONAL BUSINESS MACHINES CORP",), ipc=("G06V10/82",), app="US17/100013",
           ad="2020-11-11", pd="2022-05-19", status=P, vector=(0, 0.8, 0, 0.2)),
    patent("C14", "CN111000014A", "一种可降解心血管支架", "支架由聚乳酸制成，可在体内降解。",
           applicants=("上海微创医疗器械（集团）有限公司",), ipc=("A61F2/82",), ad="2017-03-03", pd="2017-09-22",
           region="310115", vector=(0, 0, 1, 0)),
    patent("C15", "CN211000015U", "一种医用输液架", "输液架高度可调，底部带有万向轮。",
           applicants=("山东威高集团医用高分子制品股份有限公司",), ipc=("A61M5/14",), ad="2018-08-08", pd="2019-02-26",
           region="371002", status=L),
    patent("C16", "CN311000016S", "手机外壳", "本外观设计产品用于保护手机。", applicants=(HUAWEI,), locarno=("14-03",),
           ad="2021-07-07", pd="2021-12-24", region="440307"),
    patent("C17", "CN311000017S", "电动汽车充电桩", "外观设计产品为充电桩。", applicants=(BYD,), locarno=("13-02",),
           ad="2022-02-22", pd="2022-08-09", region="440307"),
    patent("C18", "CN111000018A", "石墨烯导热膜", "一种导热膜，具有高导热系数和柔韧性。", applicants=(SIXTH_ELEMENT,),
           ipc=("C01B32/184",), ad="2018-01-10", pd="2018-07-20", region="320411"),
    patent("C19", "CN111000019A", "导热膜的制备方法", "一种导热膜，采用石墨烯作为导热填料，具有柔韧性。",
           applicants=(SIXTH_ELEMENT,), ipc=("C01B32/184",), ad="2018-02-11", pd="2018-08-21", region="320411"),
    patent("C20", "CN211000020U", "一种电动汽车电池管理系统", "电池管理系统实时监测电池电压和温度。",
           applicants=(BYD, "深圳市比亚迪锂电池有限公司"), inventors=("王强", "赵敏"), ipc=("H01M10/42", "B60L58/12"),
           app="CN202223220665.2", ad="2022-12-01", pd="2023-04-18", region="440307", status=P),
    patent("C21", "CN111000021A", "一种咖啡萃取装置", "萃取腔内设有滤网。", applicants=('ACME "QUOTE" \\ LAB',),
           ipc=("A47J31/06",), ad="2023-01-05", pd="2023-07-11", region="310113", status=P),
    patent("C22", "CN111000022A", "一种水稻种植方法", "通过合理密植提高水稻产量。", applicants=("中国农业大学",),
           ipc=("A01G22/22",), ad="2016-04-04", pd="2016-10-05", region="110108", status=L),
    patent("C23", "CN111000023A", "一种污水处理装置", "采用膜生物反应器处理生活污水。",
           applicants=("北京碧水源科技股份有限公司",),
           ipc=("C02F3/12", "C02F9/14"), ad="2017-05-05", pd="2017-11-06", region="110108", status=L),
    patent("C24", "CN211000024U", "一种节能路灯", "路灯由光伏板供电。",
           applicants=("浙江阳光照明电器集团股份有限公司",),
           ipc=("F21S9/03", "H02S40/38"), ad="2019-01-20", pd="2019-08-30", region="330108"),
    patent("C25", "CN111000025A", "一种电动汽车充电控制方法", "根据电网负荷调整充电功率。", applicants=(STATE_GRID,),
           ipc=("B60L53/62", "H02J7/00"), ad="2020-03-03", pd="2020-09-08", region="110102", status=P),
    patent("C26", "CN111000026A", "无人机避障方法", "无人机利用激光雷达检测障碍物。",
           applicants=("深圳市大疆创新科技有限公司",),
           ipc=("G05D1/10", "B64C39/02"), ad="2018-09-19", pd="2019-03-29", region="440305",
           vector=(0, 0.5, 0, 0.5)),
    patent("C27", "CN111000027A", "一种芯片封装结构", "芯片通过倒装焊与基板连接。", applicants=(HUAWEI,),
           ipc=("H01L23/48",), ad="2022-03-03", pd="2022-09-13", region="440307", status=P),
    patent("C28", "US11000028B2", "Lithium metal anode protection",
           "A protective coating on a lithium metal anode suppresses dendrites.", applicants=(TOYOTA,),
           ipc=("H01M4/134", "H01M4/62"), app="US15/100028", ad="2017-10-10", pd="2021-05-25"),
    patent("C29", "CN111000029A", "一种锂电池回收方法", "从废旧锂电池中回收钴和锂。",
           applicants=("格林美股份有限公司",),
           ipc=("H01M10/54", "C22B7/00"), ad="2022-06-06", pd="2022-12-16", region="440306", status=P),
    patent("C30", "CN111000030A", "一种基因检测试剂盒", "试剂盒用于检测肺癌相关基因突变。",
           applicants=("深圳华大基因股份有限公司",),
           ipc=("C12Q1/6886",), ad="2016-12-12", pd="2017-06-13", region="440308"),
    patent("C31", "CN111000031A", "一种智能手表", "手表可监测心率和血氧。", applicants=(HUAWEI,),
           ipc=("A61B5/024", "G04G21/02"), ad="2021-12-12", pd="2022-06-21", region="440307"),
    patent("C32", "CN111000032A", "一种新型混凝土", "混凝土中掺入钢纤维提高抗裂性能。",
           applicants=("中国建筑股份有限公司",),
           ipc=("C04B28/04",), ad="2015-05-15", pd="2015-11-25", region="110105", status=L),
    patent("C33", "CN111000033A", "一种高强度钢材的热处理方法", "钢材经淬火和回火处理。",
           applicants=("宝山钢铁股份有限公司",),
           ipc=("C21D1/18",), ad="2016-06-16", pd="2016-12-28", region="310113", status=L),
    patent("C34", "CN111000034A", "钠离子电池负极材料", "硬碳作为钠离子电池负极材料，循环稳定。", applicants=(CATL,),
           ipc=("H01M4/587",), ad="2021-08-18", pd="2022-02-25", region="350902", status=P, vector=(0.6, 0, 0, 0.8)),
    patent("C35", "CN111000035A", "一种语音识别方法", "基于循环神经网络的语音识别。",
           applicants=("科大讯飞股份有限公司",),
           ipc=("G10L15/16",), ad="2019-04-04", pd="2019-10-15", region="340104", vector=(0, 0.7, 0, 0.7)),
    patent("C36", "CN211000036U", "一种自行车锁", "车锁通过蓝牙解锁。", applicants=("永安行科技股份有限公司",),
           ipc=("B62H5/00",), ad="2017-07-07", pd="2018-01-16", region="320411", status=L),
    patent("C37", "CN111000037A", "一种燃料电池双极板", "双极板采用石墨复合材料。",
           applicants=("上海重塑能源科技有限公司",),
           ipc=("H01M8/0213",), ad="2020-10-10", pd="2021-04-20", region="310115", status=P),
    patent("C38", "CN111000038A", "一种显示面板", "有机发光二极管显示面板。",
           applicants=("京东方科技集团股份有限公司",),
           ipc=("G09F9/33",), ad="2018-11-11", pd="2019-05-21", region="110105"),
    patent("C39", "CN111000039A", "一种储能系统", "储能系统用于电网调峰。", applicants=(STATE_GRID,), ipc=("H02J3/32",),
           ad="2022-09-09", pd=None, region="110102", status=P),
    patent("C40", "CN111000040A", "一种用于电网的储能变流器", "变流器连接储能单元与电网。", applicants=(STATE_GRID,),
           ipc=("H02J3/32", "H02M7/48"), ad="2023-03-03", pd="2023-09-19", region="110102", status=P),
]
PUB = {key: rec.pub_number for key, rec, _ in CORPUS}
RECORDS = {key: rec for key, rec, _ in CORPUS}
VECTORS = {key: vec for key, _, vec in CORPUS if vec is not None}


def keys(*names: str) -> set[str]:
    return {PUB[n] for n in names}


# -- backends: each built once for the module (milvus-lite takes seconds to start) ----------------------------
# "milvus-arrays" is milvus-lite compiling queries the way the adapter does for a Milvus server
# (array_contains on the token and keyword arrays), so that both filter styles are held to the contract.
KINDS = (*BACKENDS, "milvus-arrays")


def open_kind(kind: str, path):
    engine = open_backend(kind.split("-")[0], path, dim=DIM)
    if kind == "milvus-arrays":
        engine.filter_style = milvus_backend.ARRAYS
    return engine


@pytest.fixture(scope="module", params=KINDS)
def backend(request, tmp_path_factory):
    engine = open_kind(request.param, tmp_path_factory.mktemp(request.param))
    engine.upsert(index_doc(rec, list(vec) if vec else None) for _, rec, vec in CORPUS)
    engine.commit()
    yield engine
    engine.close()


@pytest.fixture(scope="module", params=KINDS)
def scratch(request, tmp_path_factory):
    """A second, small index per backend for the tests that write."""
    engine = open_kind(request.param, tmp_path_factory.mktemp(f"{request.param}-scratch"))
    yield engine
    engine.close()


def found(backend, query, **request) -> set[str]:
    """Every publication number `query` (text for parse(), or a tree) finds, checked against `total`."""
    node = parse(query) if isinstance(query, str) else query
    page = backend.search(SearchRequest(query=node, limit=100, **request))
    assert page.total == len(page.hits)
    numbers = [h.pub_number for h in page.hits]
    assert len(numbers) == len(set(numbers))
    return set(numbers)


def ordered(backend, query, **request) -> list[str]:
    node = parse(query) if isinstance(query, str) else query
    return [h.pub_number for h in backend.search(SearchRequest(query=node, limit=100, **request)).hits]


# -- count, terms and Boolean operators -------------------------------------------------------------------------
def test_count_is_the_corpus_size(backend):
    assert backend.count() == 40


def test_match_all_finds_everything(backend):
    assert found(backend, "") == set(PUB.values())


BATTERY_ZH = ("C01", "C02", "C03", "C04", "C09", "C20", "C29", "C34", "C37")  # 电池 in title, abstract or claims


@pytest.mark.parametrize(("query", "expected"), [
    ("电池", BATTERY_ZH),
    ("电池 隔膜", ("C03",)),  # adjacent words are AND
    ("电池 AND 隔膜", ("C03",)),
    ("隔膜 OR 电容器", ("C03", "C07", "C08")),
    ("电池 NOT 正极", ("C02", "C03", "C04", "C09", "C20", "C29", "C34", "C37")),
    ("(隔膜 OR 电容器) AND NOT 外壳", ("C03", "C07")),
    ("NOT 电池", tuple(k for k in PUB if k not in BATTERY_ZH)),
    ("battery", ("C05", "C06")),
    ("batteries", ("C05", "C06")),  # English words are stemmed on both sides
    ("BATTERY", ("C05", "C06")),
    ("neural networks", ("C13",)),
    ("神经网络", ("C11", "C35")),  # inside 卷积神经网络 and 循环神经网络
    ("不存在的词语组合", ()),
])
def test_terms_and_boolean_operators(backend, query, expected):
    assert found(backend, query) == keys(*expected)


@pytest.mark.parametrize("query", ["电池", "电池 NOT 正极", "", "不存在的词语组合"])
def test_matching_gives_every_match_without_a_limit(backend, query):
    # what a navigation topic covers: the same set a ranked search finds, however many there are
    request = SearchRequest(query=parse(query))
    assert backend.matching(request) == found(backend, query)
    assert backend.matching(SearchRequest(query=parse(query), filters={"type": ("no-such-type",)})) == set()


def test_a_term_of_several_words_needs_every_word(backend):
    # one Term whose value the analyzer cuts into several words: all of them, anywhere in title/abstract/claims
    assert found(backend, Term("tac", "sulfide battery")) == keys("C05")
    assert found(backend, Term("tac", "state solid")) == keys("C05", "C06")


# -- phrases ----------------------------------------------------------------------------------------------------
def test_phrase_needs_the_words_adjacent_and_in_order(backend):
    assert found(backend, '"solid state"') == keys("C05")
    assert found(backend, "solid state") == keys("C05", "C06")  # C06 has both words, apart
    assert found(backend, '"state solid"') == set()
    assert found(backend, '"正极材料"') == keys("C01")
    assert found(backend, Phrase("tac", "材料 正极")) == set()


def test_phrase_holds_within_one_field(backend):
    # C05: "... sulfide electrolyte" ends the title, "a solid state battery" starts the abstract
    assert found(backend, Phrase("title", "sulfide electrolyte")) == keys("C05")
    assert found(backend, Phrase("abstract", "sulfide electrolyte")) == keys("C05")
    assert found(backend, Phrase("abstract", "electrolyte cool")) == keys("C06")
    assert found(backend, Phrase("title", "electrolyte cool")) == set()


def test_one_word_phrase_is_a_term(backend):
    assert found(backend, '"隔膜"') == found(backend, "隔膜") == keys("C03")


# -- fields -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "expected"), [
    ("TI=硫化物", ()),
    ("AB=硫化物", ()),
    ("CL=硫化物", ("C02",)),  # only in C02's claims
    ("TX=硫化物", ("C02",)),  # title + abstract + claims
    ("FT=硫化物", ("C02",)),
    ("TX=喷雾干燥", ()),  # only in C01's description
    ("DE=喷雾干燥", ("C01",)),
    ("FT=喷雾干燥", ("C01",)),  # full text includes the description
    ("TI=隔膜", ("C03",)),
    ("AB=风道", ("C04",)),
    ("TI=电容器 OR CL=硫化物", ("C02", "C07", "C08")),
    ("TI=sulfide", ("C05",)),
    ("AB=sulfide", ("C05",)),
])
def test_every_text_field(backend, query, expected):
    assert found(backend, query) == keys(*expected)


# -- names: word by word unless exact ---------------------------------------------------------------------------
@pytest.mark.parametrize(("node", "expected"), [
    (Term("applicant", "宁德时代"), ("C01", "C02", "C34")),  # words of 宁德时代新能源科技股份有限公司
    (Term("applicant", "比亚迪"), ("C03", "C04", "C17", "C20")),  # C20 also has 深圳市比亚迪锂电池有限公司
    (Term("applicant", "TOYOTA"), ("C05", "C28")),
    (Term("applicant", "toyota motor"), ("C05", "C28")),
    (Term("applicant", "MOTOR TOYOTA"), ()),  # the words in the name's order
    (Phrase("applicant", BYD), ("C03", "C04", "C17", "C20")),  # exact name
    (Phrase("applicant", "比亚迪"), ()),  # exact: a part of a name is not the name
    (Phrase("applicant", "深圳市比亚迪锂电池有限公司"), ("C20",)),
    (Term("inventor", "李娜"), ("C01", "C02")),
    (Term("inventor", "王强"), ("C03", "C20")),
])
def test_names_match_word_by_word_or_exactly(backend, node, expected):
    assert found(backend, node) == keys(*expected)


def test_quotes_and_backslashes_in_values_are_searchable(backend):
    name = 'ACME "QUOTE" \\ LAB'
    assert found(backend, Phrase("applicant", name)) == keys("C21")
    assert found(backend, Phrase("applicant", 'ACME "QUOTE')) == set()
    assert found(backend, Prefix("applicant", normalise_keyword("applicant", 'ACME "QU'))) == keys("C21")


def test_parsed_name_queries(backend):
    assert found(backend, "PA=宁德时代 AND TI=电池") == keys("C02", "C34")
    assert found(backend, "PA=比亚迪 NOT IPC=H01M") == keys("C17")


# -- IPC and numbers --------------------------------------------------------------------------------------------
H01M = ("C01", "C02", "C03", "C04", "C05", "C06", "C20", "C28", "C29", "C34", "C37")


@pytest.mark.parametrize(("query", "expected"), [
    ("IPC=H01M", H01M),  # a subclass means every symbol under it (CNIPA usage)
    ("IPC=h01m", H01M),
    ("IPC=H01M10*", ("C01", "C02", "C04", "C05", "C06", "C20", "C29")),  # explicit prefix
    ("IPC=H01M10/0525", ("C01", "C02")),  # a full symbol is exact
    ("IPC=\"H01M 10/0525\"", ("C01", "C02")),
    ("IPC=H01", H01M + ("C07", "C08", "C09", "C27")),  # a class
    ("IPC=H02J", ("C25", "C39", "C40")),
    ("IPC=G06V AND NOT IPC=G06N", ("C12", "C13")),
    ("MC=H01M10*", ("C02", "C04", "C05", "C06", "C20", "C29")),  # main classification only (C01's is H01M4/58)
    ("LOC=14-03", ("C16",)),
])
def test_ipc_subclass_prefix_and_exact(backend, query, expected):
    assert found(backend, query) == keys(*expected)


@pytest.mark.parametrize("spelling", ["CN201910067706.2", "201910067706.2", "2019100677062", "ZL201910067706.2",
                                      "cn 201910067706.2", "ＣＮ２０１９１００６７７０６．２"])
def test_application_number_in_any_spelling(backend, spelling):
    assert found(backend, Term("app_number", spelling)) == keys("C01")


@pytest.mark.parametrize("spelling", ["CN111000001A", "CN111000001", "cn111000001a", "CN 111000001 A"])
def test_publication_number_in_any_spelling(backend, spelling):
    assert found(backend, Term("pub_number", spelling)) == keys("C01")


def test_numbers_parsed_from_the_query_language(backend):
    assert found(backend, "AN=CN202223220665.2 OR PN=US2020/0100005A1") == keys("C20", "C05")
    assert found(backend, "PN=CN11100000*") == keys(*(f"C0{i}" for i in (1, 2, 3, 7, 9)))


def test_other_keyword_fields(backend):
    assert found(backend, "PT=实用新型") == keys("C04", "C08", "C10", "C15", "C20", "C24", "C36")
    assert found(backend, "PT=外观设计") == keys("C16", "C17")
    assert found(backend, "LS=失效") == keys("C07", "C15", "C22", "C23", "C32", "C33", "C36")
    assert found(backend, "CC=US") == keys("C05", "C06", "C13", "C28")
    assert found(backend, "RC=440307") == keys("C03", "C04", "C11", "C16", "C17", "C20", "C27", "C31")
    assert found(backend, "RC=4403") == keys("C03", "C04", "C11", "C16", "C17", "C20", "C26", "C27", "C29", "C30",
                                             "C31")


# -- dates ------------------------------------------------------------------------------------------------------
def test_date_ranges_include_both_bounds(backend):
    assert found(backend, "AD=[2019-03-01 TO 2019-12-31]") == keys("C01", "C02", "C06", "C12", "C35")
    assert found(backend, DateRange("app_date", date(2019, 3, 2), date(2019, 12, 30))) == keys("C06", "C12",
                                                                                                 "C35")
    assert found(backend, "PD>=2022-12-16") == keys("C20", "C21", "C29", "C40")
    assert found(backend, "AD<2016") == keys("C32")
    assert found(backend, "AD=2016") == keys("C22", "C30", "C33")
    assert found(backend, "电池 AND AD>=2021") == keys("C09", "C20", "C29", "C34")


def test_an_unknown_date_is_outside_a_range_that_starts_somewhere(backend):
    assert found(backend, DateRange("grant_date", date(2000, 1, 1), None)) == set()


# -- facets and filters -----------------------------------------------------------------------------------------
def facets(backend, query, names, size=10, **request):
    node = parse(query) if isinstance(query, str) else query
    page = backend.search(SearchRequest(query=node, facets=tuple(names), facet_size=size, **request))
    return {name: [(f.value, f.count) for f in values] for name, values in page.facets.items()}


def test_facet_counts_of_the_whole_corpus(backend):
    got = facets(backend, "", ["type", "status", "office", "province"], size=20)
    assert dict(got["type"]) == {"invention": 31, "utility": 7, "design": 2}
    assert dict(got["status"]) == {"valid": 19, "pending": 14, "lapsed": 7}
    assert dict(got["office"]) == {"CN": 36, "US": 4}
    assert dict(got["province"]) == {"44": 11, "11": 7, "31": 6, "35": 3, "32": 3, "61": 2, "33": 2, "37": 1,
                                     "34": 1}
    assert [count for _, count in got["type"]] == [31, 7, 2]  # largest first


def test_facet_counts_of_a_query(backend):
    got = facets(backend, "IPC=H01M", ["ipc_subclass", "year", "applicant"])
    assert dict(got["ipc_subclass"]) == {"H01M": 11, "G01R": 1, "B60L": 1, "C22B": 1}
    assert got["ipc_subclass"][0] == ("H01M", 11)
    assert dict(got["year"]) == {"2017": 1, "2018": 1, "2019": 3, "2020": 3, "2021": 1, "2022": 2}
    applicants = dict(got["applicant"])
    assert applicants[normalise_keyword("applicant", CATL)] == 3
    assert applicants[normalise_keyword("applicant", BYD)] == 3
    assert applicants[normalise_keyword("applicant", TOYOTA)] == 2


def test_facet_size_keeps_the_largest(backend):
    got = facets(backend, "", ["province"], size=2)
    assert got["province"] == [("44", 11), ("11", 7)]


def test_facets_of_nothing_are_empty(backend):
    assert facets(backend, "不存在的词语组合", ["type"]) == {"type": []}


def test_filters_restrict_the_query(backend):
    assert found(backend, "电池", filters={"type": ("utility",)}) == keys("C04", "C20")
    assert found(backend, "", filters={"ipc_subclass": ("H01G", "H01L")}) == keys("C07", "C08", "C09", "C27")
    assert found(backend, "", filters={"province": ("44",), "status": ("valid",)}) == keys(
        "C03", "C04", "C16", "C17", "C26", "C30", "C31")
    assert found(backend, "", filters={"type": ()}) == set(PUB.values())  # no value: no restriction


def test_facets_count_within_the_filters(backend):
    got = facets(backend, "", ["status"], filters={"applicant": (normalise_keyword("applicant", HUAWEI),)})
    assert dict(got["status"]) == {"valid": 2, "pending": 2}


def test_unknown_filter_is_refused(backend):
    with pytest.raises(ValueError):
        backend.search(SearchRequest(filters={"colour": ("red",)}))


# -- sorting and paging -----------------------------------------------------------------------------------------
def by_date(field: str, descending: bool, which=None) -> list[str]:
    def value(rec):
        d = getattr(rec, field)
        return d.toordinal() if d else 0
    recs = [RECORDS[k] for k in (which or RECORDS)]
    return [r.pub_number for r in sorted(recs, key=value, reverse=descending)]


@pytest.mark.parametrize(("sort", "field", "descending"), [
    ("pub_date_desc", "pub_date", True), ("pub_date_asc", "pub_date", False),
    ("app_date_desc", "app_date", True), ("app_date_asc", "app_date", False)])
def test_sort_by_date_both_ways(backend, sort, field, descending):
    # every date in the corpus is different, so the order is unique; C39 has no publication date (0)
    assert ordered(backend, "", sort=sort) == by_date(field, descending)
    assert ordered(backend, "IPC=H01M", sort=sort) == by_date(field, descending, H01M)


def test_date_sorted_hits_carry_no_score(backend):
    assert {h.score for h in backend.search(SearchRequest(sort="pub_date_desc")).hits} == {0.0}


def test_paging_neither_repeats_nor_skips(backend):
    everything = by_date("pub_date", True)
    pages = []
    for offset in range(0, 42, 7):
        page = backend.search(SearchRequest(sort="pub_date_desc", offset=offset, limit=7))
        assert page.total == 40
        pages += [h.pub_number for h in page.hits]
    assert pages == everything


def test_paging_by_relevance(backend):
    whole = ordered(backend, "电池")
    pages = []
    for offset in (0, 4, 8):
        page = backend.search(SearchRequest(query=parse("电池"), offset=offset, limit=4))
        assert page.total == len(BATTERY_ZH)
        pages += [h.pub_number for h in page.hits]
    assert pages == whole
    assert set(pages) == keys(*BATTERY_ZH)


def test_a_page_past_the_end_is_empty_with_the_total(backend):
    page = backend.search(SearchRequest(query=parse("IPC=H01M"), offset=50, limit=10))
    assert (page.total, page.hits) == (11, [])


def test_limit_zero_gives_the_total_and_facets_only(backend):
    page = backend.search(SearchRequest(query=parse("IPC=H01M"), limit=0, facets=("type",)))
    assert (page.total, page.hits) == (11, [])
    assert [(f.value, f.count) for f in page.facets["type"]] == [("invention", 9), ("utility", 2)]


@pytest.mark.parametrize(("query", "filters"), [
    ("电池", {}), ("电池 OR 隔膜", {"type": ("invention",)}), ("不存在的词语组合", {}), ("", {}),
    ("IPC=H01M", {"type": ("utility",)}), ("电池 NOT 正极", {"type": ("design",)})])
def test_counts_and_facets_only_agree_with_the_full_search(backend, query, filters):
    """A request for counts and facets only (tantivy: one aggregation counting the matches beside the facets)
    gives the very total and facets of the same search with hits."""
    facets = ("type", "ipc_subclass", "applicant", "year")
    counted = backend.search(SearchRequest(query=parse(query), filters=filters, limit=0, facets=facets))
    full = backend.search(SearchRequest(query=parse(query), filters=filters, limit=50, facets=facets))
    assert counted.hits == [] and counted.total == full.total == len(backend.matching(
        SearchRequest(query=parse(query), filters=filters)))
    assert counted.facets == full.facets


# -- relevance --------------------------------------------------------------------------------------------------
def test_title_hit_outranks_abstract_only_hit(backend):
    # C18 has 石墨烯 in its title, C19 only in its abstract; otherwise alike
    assert ordered(backend, "石墨烯") == [PUB["C18"], PUB["C19"]]
    assert ordered(backend, "导热膜 AND 石墨烯")[0] == PUB["C18"]


def test_relevance_scores_are_positive_and_descending(backend):
    hits = backend.search(SearchRequest(query=parse("电池 OR 隔膜"), limit=50)).hits
    scores = [h.score for h in hits]
    assert all(s > 0 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_more_matching_words_rank_higher(backend):
    # C03 matches both words; the others only 电池
    assert ordered(backend, "电池 OR 隔膜")[0] == PUB["C03"]


# -- similar ----------------------------------------------------------------------------------------------------
def test_similar_orders_by_cosine(backend):
    hits = backend.similar([1, 0, 0, 0], 3)
    assert [h.pub_number for h in hits] == [PUB["C01"], PUB["C02"], PUB["C03"]]
    # cosines by hand: 1, 0.9/√0.82, 0.8/√0.73
    assert [round(h.score, 3) for h in hits] == [1.0, 0.994, 0.936]


def test_similar_returns_only_documents_with_vectors(backend):
    assert {h.pub_number for h in backend.similar([0, 0, 0, 1], 40)} == keys(*VECTORS)


def test_similar_within_a_query_and_filters(backend):
    by_catl = SearchRequest(query=parse("PA=宁德时代"))
    assert [h.pub_number for h in backend.similar([1, 0, 0, 0], 5, by_catl)] == [PUB["C01"], PUB["C02"],
                                                                                  PUB["C34"]]
    utility = SearchRequest(filters={"type": ("utility",)})
    assert [h.pub_number for h in backend.similar([1, 0, 0, 0], 5, utility)] == [PUB["C04"]]
    assert [h.pub_number for h in backend.similar([0, 1, 0, 0], 2, SearchRequest(query=parse("神经网络")))] == [
        PUB["C11"], PUB["C35"]]


# -- writing: upsert, delete, clear -----------------------------------------------------------------------------
def small(key: str, title: str, vector=None):
    rec = RECORDS[key]
    changed = PatentRecord.from_dict({**rec.to_dict(), "title": title})
    return index_doc(changed, vector)


def test_upsert_replaces_delete_removes_clear_empties(scratch):
    scratch.clear()
    scratch.commit()
    assert scratch.count() == 0
    assert scratch.upsert([small("C01", "旧标题甲"), small("C02", "旧标题乙", [0, 1, 0, 0])]) == 2
    scratch.commit()
    assert scratch.count() == 2
    assert found(scratch, "旧标题甲") == keys("C01")

    scratch.upsert([small("C01", "新标题丙", [1, 0, 0, 0])])  # same publication number: replaced
    scratch.commit()
    assert scratch.count() == 2
    assert found(scratch, "旧标题甲") == set()
    assert found(scratch, "新标题丙") == keys("C01")
    assert [h.pub_number for h in scratch.similar([1, 0, 0, 0], 5)] == [PUB["C01"], PUB["C02"]]

    scratch.delete([PUB["C02"], "CN999999999A"])  # an unknown number is no error
    scratch.commit()
    assert scratch.count() == 1
    assert found(scratch, "旧标题乙") == set()
    assert [h.pub_number for h in scratch.similar([0, 1, 0, 0], 5)] == [PUB["C01"]]

    scratch.clear()
    assert scratch.count() == 0
    assert found(scratch, "") == set()
    assert scratch.similar([1, 0, 0, 0], 5) == []


# -- the Milvus adapter's own guarantees --------------------------------------------------------------------------
def test_milvus_lite_file_keeps_the_index_across_reopening(tmp_path):
    first = open_backend("milvus", tmp_path, dim=DIM)
    first.upsert([index_doc(RECORDS["C18"], [0, 0, 0, 1])])
    first.commit()
    first.close()
    again = open_backend("milvus", tmp_path)  # dim taken from the stored collection
    assert again.count() == 1
    assert [h.pub_number for h in again.similar([0, 0, 0, 1], 1)] == [PUB["C18"]]
    again.close()
    with pytest.raises(ValueError, match="rebuild"):
        open_backend("milvus", tmp_path, dim=DIM + 1)


def test_milvus_refuses_vectors_without_a_dimension(tmp_path):
    engine = open_backend("milvus", tmp_path)
    with pytest.raises(ValueError, match="dim"):
        engine.upsert([index_doc(RECORDS["C18"], [0, 0, 0, 1])])
    assert engine.similar([0, 0, 0, 1], 3) == []
    engine.close()


@pytest.mark.parametrize("backend", ["milvus", "milvus-arrays"], indirect=True)
def test_milvus_ranks_keyword_only_matches_after_text_matches_newest_first(backend):
    # tantivy scores keyword matches too, so the order of mixed hits is Milvus's own (docs/milvus.md)
    hits = ordered(backend, Or((Term("title", "隔膜"), Term("applicant", "国家电网"))))
    assert hits == [PUB["C03"], PUB["C40"], PUB["C25"], PUB["C39"]]  # C39 has no publication date


@pytest.mark.parametrize("backend", ["milvus", "milvus-arrays"], indirect=True)
def test_milvus_large_result_paths_give_the_same_answers(backend, monkeypatch):
    # At scale a date-sorted page first narrows the date range (binary search on count(*)) and facets
    # read the matches through query_iterator; shrink both thresholds so this corpus takes those paths.
    monkeypatch.setattr(milvus_backend, "DIRECT_SCAN", 3)
    monkeypatch.setattr(milvus_backend, "ONE_QUERY_ROWS", 4)
    everything = by_date("pub_date", True)
    for offset in (0, 7, 35):
        page = backend.search(SearchRequest(sort="pub_date_desc", offset=offset, limit=7))
        assert [h.pub_number for h in page.hits] == everything[offset:offset + 7]
    assert ordered(backend, "IPC=H01M", sort="app_date_asc") == by_date("app_date", False, H01M)
    got = facets(backend, "", ["type"], size=5)
    assert got["type"] == [("invention", 31), ("utility", 7), ("design", 2)]


def test_milvus_schema_fits_a_default_milvus_server(tmp_path):
    # milvus-lite does not enforce these server limits (docs: Milvus Limits, Array Field, proxy config)
    engine = open_backend("milvus", tmp_path, dim=DIM)
    fields = engine.client.describe_collection(milvus_backend.COLLECTION)["fields"]
    engine.close()
    vector_types = {"FLOAT_VECTOR", "SPARSE_FLOAT_VECTOR"}
    assert len(fields) <= 64  # proxy.maxFieldNum
    assert sum(f["type"].name in vector_types for f in fields) <= 4  # proxy.maxVectorFieldNum
    for f in fields:
        params = f.get("params", {})
        assert int(params.get("max_length", 0)) <= 65_535
        assert int(params.get("max_capacity", 1)) <= 4_096


# -- best match (plain words and pasted text, understand.py) and `within` -----------------------------------------
def best(text: str, coordinate: bool = True) -> BestMatch:
    return BestMatch("tac", text, coordinate=coordinate)


def test_best_match_finds_any_word_and_ranks_every_word_first(backend):
    # strict AND of these words finds only C02; best match also finds every battery and every electrolyte patent
    strict = found(backend, "固态 电解质 电池")
    loose = ordered(backend, best("固态 电解质 电池"))
    assert strict == {PUB["C02"]}
    assert loose[0] == PUB["C02"]  # the only one with every word is first
    assert set(loose) >= {PUB[k] for k in BATTERY_ZH} and len(loose) > len(strict)


def test_best_match_ranks_by_how_many_words_match(backend):
    # C05 holds solid, state, sulfide, electrolyte and battery; C06 only solid and electrolyte
    hits = ordered(backend, best("solid sulfide electrolyte battery"))
    assert hits.index(PUB["C05"]) < hits.index(PUB["C06"])


def test_best_match_of_words_found_nowhere_is_empty_not_an_error(backend):
    assert found(backend, best("量子纠缠 zeppelin")) == set()
    assert found(backend, best("")) == set()


def test_best_match_of_a_long_pasted_text_finds_its_subject(backend):
    pasted = ("NOVELTY - A convolutional neural network (CNN) classifies images: the camera captures images, "
              "the network - trained on labelled data - recognises them. USE - image recognition.")
    hits = ordered(backend, best(pasted, coordinate=False))
    assert hits and hits[0] in {PUB["C13"], PUB["C11"]}


def test_within_restricts_to_the_given_publications(backend):
    some = (PUB["C01"], PUB["C03"], PUB["C11"])
    assert found(backend, "电池", within=some) == {PUB["C01"], PUB["C03"]}
    assert found(backend, "", within=some) == set(some)
    assert found(backend, best("电池 识别"), within=some) == set(some)


def test_vector_of_gives_the_stored_embedding_for_more_like_this(backend):
    stored = backend.vector_of(PUB["C11"])
    assert stored is not None and len(stored) == DIM
    assert [h.pub_number for h in backend.similar(stored, 2)][0] == PUB["C11"]  # nearest to itself
    assert backend.vector_of(PUB["C05"]) is None  # indexed without a vector
    assert backend.vector_of("CN000000000A") is None
