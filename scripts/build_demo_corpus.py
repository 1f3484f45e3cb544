"""Build the shipped demo corpus (src/ipcity/patents/demo_data/) from ../shared/data.

Only sets whose licence allows redistribution are used (see ../shared/data/README.md, "ship"):
- cn-patent-titles-ipc (MIT; public patent record): converted to our JSONL format;
- PATENTSCOPE pizza export and the WIPO ritonavir landscape (WIPO public bibliographic data) and the
  Lens.org drones family export (Lens terms, attributed): copied as published, read by their readers;
- cn-patent-abstracts-kppatent (KPPatent-ZH, MIT): its real Chinese titles, abstracts and claims, dressed in a
  clearly marked *synthetic* bibliography (fictional applicants, addresses, dates, numbers, legal status; IPC
  from the project's own classifier) — see `synthetic_records` and demo_data/NOTICE.md.
Run: python scripts/build_demo_corpus.py [--data ../shared/data] [--only synthetic] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ipcity.core.numbers import (  # noqa: E402
    INVENTION,
    UTILITY,
    NumberError,
    check_digit,
    parse_cn_application,
    parse_publication,
)
from ipcity.patents.ingest.native import write_jsonl  # noqa: E402
from ipcity.patents.record import EVENT_KINDS, LAPSED, PENDING, VALID, LegalEvent, PatentRecord  # noqa: E402

OUT = ROOT / "src" / "ipcity" / "patents" / "demo_data"
COPIED = ("patent-landscape-wipo-manual/pizza_patentscope_24294.tsv.gz",
          "patent-landscape-wipo-manual/drones_lens_families_5884.csv.gz",
          "patent-landscape-wipo-manual/ritonavir_wipo_landscape_804.csv.gz")


def cn_titles(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            number = row["publication_numbers"].split("|")[0].strip()
            try:
                pub = parse_publication(number)
            except NumberError:
                continue
            yield PatentRecord(pub_number=pub.formatted, office="CN", kind=pub.kind, patent_type=pub.patent_type,
                               title=row["title_zh"].strip(), lang="zh",
                               ipc=[s for s in row["ipc_subclasses"].split("|") if s],
                               source="cn-patent-titles-ipc")


# =============================================================================================================
# The synthetic Chinese bibliographic set on KPPatent-ZH texts
#
# Real texts (KPPatent-ZH: titles, abstracts, claims of Chinese patents, MIT) carry no numbers, applicants or
# dates. Everything bibliographic below is invented, from one seeded random stream, so that the demo can show
# what a Chinese register supports (applicant and region facets, Shanghai against China, dates, legal status):
# every name ends in （演示）, numbers sit in ranges chosen to stand out (and checked against every shipped
# number), and every record says source="synthetic-demo", extra.synthetic = true.
# =============================================================================================================

KPPATENT = "cn-patent-abstracts-kppatent"
SYNTHETIC_FILE = "cn_synthetic_kppatent_3720.jsonl.gz"
SYNTHETIC_SOURCE = "synthetic-demo"
TEXT_SOURCE = "KPPatent-ZH"
SEED = 16  # issue 16
AS_OF = date(2026, 11, 27)  # "data as of": a gazette Friday; nothing is dated later
FIRST_FILING, LAST_FILING = date(2016, 1, 4), date(2026, 11, 6)
# Application serials (7 digits after year and type digit): 99…, just below the demo register's 9990001….
# Publication numbers: type digit, "99", 6 digits — CN199000001A onwards, far above today's CN12…, CN22….
APP_SERIALS = (9900001, 9989999)
PUB_MIDDLE = "99"
GAZETTE_DAYS = (1, 4)  # CNIPA publishes on Tuesdays and Fridays
COMPANY, UNIVERSITY, INSTITUTE, INDIVIDUAL = "company", "university", "institute", "individual"
MARK = "（演示）"

# Filing years of the whole set (weights): most since 2020.
YEAR_WEIGHTS = {2016: 4, 2017: 5, 2018: 6, 2019: 8, 2020: 10, 2021: 12, 2022: 13, 2023: 13, 2024: 12,
                2025: 10, 2026: 5}

# The recurring applicants: name, kind, district code, patents, IPC prefixes and title words that draw texts to
# them, first filing year. The names are invented (申江, an old name of the Huangpu, means no company here).
BIG_APPLICANTS = (
    ("申江新能源科技股份有限公司（演示）", COMPANY, "310114", 125,
     ("H01M", "H02J", "H02S", "B60L", "H02M", "H01G"), ("电池", "储能", "充电", "光伏", "锂"), 2018),
    ("青澜家电集团股份有限公司（演示）", COMPANY, "370211", 170,
     ("D06F", "F24F", "F25D", "A47L", "F26B", "A47J"), ("洗衣", "干衣", "空调", "冰箱", "衣物"), 2016),
    ("鹏湾通信技术有限公司（演示）", COMPANY, "440305", 150,
     ("H04L", "H04W", "H04N", "H04B", "G06F", "G06T", "G10L"), ("通信", "终端", "无线", "网络"), 2016),
    ("沪滨理工大学（演示）", UNIVERSITY, "310110", 130,
     ("G01N", "C01B", "B01J", "B82Y", "C22C", "C04B", "G06N", "C02F"), ("检测", "纳米", "催化"), 2016),
    ("京澄理工大学（演示）", UNIVERSITY, "110108", 100,
     ("G06F", "G06Q", "G06N", "G06V", "G06K", "G01R", "G08G"), ("算法", "数据", "识别"), 2016),
    ("浦岚智能装备有限公司（演示）", COMPANY, "310115", 90,
     ("B25J", "B23K", "B23Q", "B65G", "G05B", "B24B", "B21D", "B23P"), ("机器人", "焊接", "机床"), 2017),
    ("杭湾新材料研究院（演示）", INSTITUTE, "330108", 60,
     ("C08L", "C08K", "C08G", "C09D", "C09J", "B32B"), ("复合材料", "树脂", "涂料"), 2019),
    ("汇澜生物医药研究院（演示）", INSTITUTE, "310115", 55,
     ("A61K", "A61P", "C07D", "C07C", "C07K", "C12N", "C12Q", "A61B"), ("药物", "抗体", "细胞"), 2016),
    ("锦澜纺织科技有限公司（演示）", COMPANY, "320506", 55,
     ("D06B", "D06M", "D06P", "D01F", "D03D", "D04B", "D02G"), ("纺织", "纤维", "面料", "织物"), 2016),
    ("庐州储能科技有限公司（演示）", COMPANY, "340104", 55,
     ("H01M", "H02J", "H01G", "H02S"), ("电池", "储能", "电极"), 2019),
    ("川岳矿冶装备有限公司（演示）", COMPANY, "510107", 50,
     ("E21B", "E21D", "E21C", "C22B", "B03", "E02D"), ("矿", "钻", "井"), 2016),
)
# Shanghai districts and the other cities applicants sit in (weights). The smaller applicants are placed in
# Shanghai or elsewhere so that the whole set keeps close to SHANGHAI_SHARE of its records in Shanghai.
SHANGHAI_SHARE = 0.375
SHANGHAI_DISTRICTS = {"310115": 25, "310112": 12, "310114": 8, "310117": 8, "310110": 8, "310104": 8,
                      "310113": 6, "310118": 5, "310106": 5, "310105": 4, "310107": 4, "310120": 4,
                      "310101": 3, "310109": 3, "310116": 3, "310151": 1}
OTHER_CITIES = {"4403": 10, "1101": 10, "3301": 8, "3205": 6, "3201": 5, "4401": 5, "5101": 4, "4201": 4,
                "3401": 4, "3702": 3, "3701": 3, "4101": 3, "4301": 3, "6101": 3, "1201": 3, "5001": 3,
                "3202": 3, "3302": 3, "4406": 3, "3502": 2, "3501": 2, "2102": 2, "2101": 2, "3204": 2,
                "3303": 2, "2301": 1, "5301": 1, "4501": 1, "3601": 1, "1301": 1, "1401": 1, "6201": 1,
                "5201": 1, "2201": 1, "3206": 1}
ROADS = ("演示路", "示范路", "样例大道", "演示大街", "示例路", "虚构路")
# Invented trade names (字号) for the smaller applicants and the agencies.
_TRADE_NAMES = """澄岚 栖梧 青杳 星屿 沐禾 霁月 望舒 拾穗 曜辰 溪桥 檀溪 松筠 芷汀 墨川 棠樾 枫岚 桐溪 苇岸 澜庭
芸岫 砚池 鹭汀 汀兰 柘溪 蘅芜 杉屿 渟渊 霖川 峤南 璞岩 琢石 铎川 岚溪 穗禾 翎羽 筠竹 篁溪 棹歌 舸渡 潋滟
泠泉 淙溪 湄岸 漪澜 砺川 岑岭 崧岳 嵘峰 峦溪 岱屿 嶂川 蔚屿 薇汀 苒禾 莳光 萤川 蘅溪 芃野 荇川 藜禾 蓁川
菁芮 蕤川 芮溪 槿汀 榕屿 楠溪 椿禾 桦川 柞岭 栾屿 樾川 檀屿 榛岭 杪川 柚汀 梧川 桉屿"""
TRADE_NAMES = tuple(_TRADE_NAMES.split())
# Industry words by IPC class (3 characters) or section (1), for applicant names.
INDUSTRY = {"A01": "农业科技", "A23": "食品", "A47": "家居用品", "A61": "医疗科技", "A63": "文体用品",
            "B01": "环保设备", "B08": "清洁设备", "B21": "精密机械", "B22": "铸造", "B23": "精密制造",
            "B25": "智能装备", "B29": "塑料制品", "B60": "汽车零部件", "B62": "车辆", "B64": "航空科技",
            "B65": "物流装备", "B66": "起重机械", "C01": "化学", "C02": "水处理", "C04": "建材",
            "C07": "化学", "C08": "新材料", "C09": "化工", "C10": "能源化工", "C12": "生物技术",
            "C21": "钢铁", "C22": "冶金材料", "C23": "表面工程", "D01": "化纤", "D03": "纺织",
            "D04": "针织", "D06": "纺织", "D21": "纸业", "E01": "路桥工程", "E02": "岩土工程",
            "E04": "建筑科技", "E06": "门窗", "E21": "石油装备", "F01": "动力机械", "F02": "动力科技",
            "F04": "流体机械", "F16": "机械", "F21": "照明", "F24": "暖通设备", "F25": "制冷设备",
            "F26": "干燥设备", "F28": "换热设备", "G01": "仪器仪表", "G02": "光电", "G05": "自动化",
            "G06": "信息技术", "G08": "安防科技", "G09": "显示科技", "G10": "声学科技", "G16": "医疗信息",
            "H01": "电气", "H02": "电力科技", "H03": "电子", "H04": "通信", "H05": "电子科技",
            "A": "生活用品", "B": "机械", "C": "化工", "D": "纺织", "E": "工程", "F": "机电", "G": "科技",
            "H": "电子"}
COMPANY_FORMS = ("科技有限公司", "科技有限公司", "有限公司", "股份有限公司", "技术有限公司", "集团有限公司")
SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
                 "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力飞鹏宇浩凯健俊帆帅旭宁琳颖晨欣悦"
              "思涵博轩睿哲瑶雪琪嘉怡子梓晓冬岚卓越然彤昊铭远航川峰翔瀚泽清源")

# Legal events: (kind, CNIPA code).
_CODES = {"publication": "PB01", "examination": "SE01", "grant": "GR01", "rejection": "RJ01",
          "withdrawal": "WD01", "fee_lapse": "CF01", "expiry": "EXPY", "transfer": "TR01", "licence": "EE01",
          "pledge": "PE01"}
_STATUS_TEXT = {"grant": "有权-授权", "examination": "审中-实审", "publication": "审中-公开",
                "rejection": "无权-驳回", "withdrawal": "无权-视为撤回", "fee_lapse": "无权-未缴年费",
                "expiry": "无权-期限届满"}


# -- the texts ---------------------------------------------------------------------------------------------------

@dataclass
class KpText:
    text_id: str
    title: str
    abstract: str
    claims: str
    title_derived: bool


_LEAD = re.compile(r"^(?:通过)?(?:本(?:发明|申请|公开内容|公开|实用新型|文)|在此|在本文中)?"
                   r"(?:的?(?:示例性)?(?:一些|一个|第一)?(?:实施例|实施方式))?(?:提供)?的?(?:名称)?"
                   r"(?:是关于|有关于|主要涉及|涉及到?|公开了?|提供了?|提出了?|属于|描述了?|揭示了?|披露了?|展示的?是|为|是)?"
                   r"(?:了|的是)?")
_ONE_KIND = re.compile(r"一种(?!或)")
_REFERENCE = re.compile(r"[（(]\s*\d{1,4}[A-Za-z]?(?:\s*[、,，]\s*\d{1,4}[A-Za-z]?)*\s*[)）]")
_CLAUSE_END = re.compile(r"[，：:；;。]|,(?!\d)")
_PURPOSE = re.compile(r"^的?(?:课题|目的)(?:在于|是)(?:提供)?|分案申请|^根据|^这些|^以往|^通过")
_FIELD_THEN = re.compile(r"(?:尤其|特别|具体|更具体地|更特别地)?(?:涉及|提供了?|公开了?|是|为)(?=.)")
_INSIDE = re.compile(r"^在(.+?)(?:中|时|中时)$")
# "X具有：…", "X包括…": the subject X is the title, when it ends like a thing's name and the verb does not sit in
# a modifier (在…具有…的隔板).
_VERB = re.compile(r"(?:具有|具备|可以包括|可包括|包括|是由|是在|是一种)")
_THING_END = frozenset("器机置备统构件体板管头块池料法底子达元膜层线片物车架座箱阀具柜灯泵仪表屏端站网物剂杆轮门窗")


def _first_clause(text: str) -> str:
    return _CLAUSE_END.split(text, maxsplit=1)[0]


def derive_title(abstract: str) -> str:
    """A title for an abstract that comes without one: "本发明公开了一种X，…" → "一种X"; without 一种, the first
    clause with its "本发明涉及…" lead dropped ("…技术领域，尤其涉及X" → X; "在X中，…" → X; "X具有：…" → X); a clause
    that states a purpose or a parent application gives way to a "一种…" later in the abstract; long titles are cut
    at a list boundary (、 及 和) within 40 characters. Reference numerals "(13)" are dropped."""
    sentences = re.split(r"[。；;]", abstract)
    first = sentences[0]
    found = _ONE_KIND.search(first, 0, 40)
    if found:
        title = _first_clause(first[found.start():]).split("、一种", 1)[0]
    else:
        rest = _LEAD.sub("", first)
        title = _first_clause(rest)
        if title.endswith("领域"):
            later = _FIELD_THEN.search(rest, len(title))
            if later:
                title = _first_clause(rest[later.end():])
        inside = _INSIDE.match(title)
        if inside:
            title = inside[1] if len(inside[1]) >= 4 else _first_clause(rest[len(title) + 1:])
        purpose = _PURPOSE.search(title)
        if purpose or len(title) < 4:
            elsewhere = _ONE_KIND.search(abstract)
            if elsewhere:
                title = _first_clause(abstract[elsewhere.start():])
            elif title.startswith("根据"):
                title = _first_clause(_LEAD.sub("", rest[len(title) + 1:]))
            elif purpose and "目的" in purpose[0] or purpose and "课题" in purpose[0]:
                title = title[purpose.end():]
    title = _REFERENCE.sub("", title).strip(" 　.-")
    title = re.sub(r"的一个?(?:示例|实施例|实施方式)(?=具有|具备|可以包括|可包括|包括)", "", title)
    verb = _VERB.search(title, 2)
    if verb and title[verb.start() - 1] in _THING_END:
        after = title[verb.end():]
        if not after or "、" in after or "的" not in after:
            title = title[:verb.start()]
    if len(title) < 4:  # nothing sensible: the first clause, whatever it says
        title = re.split(r"[，,。；;]", abstract, maxsplit=1)[0].strip()
    if len(title) > 40:
        cut = max(title.rfind(sep, 0, 40) for sep in ("、", "及", "和", "包括", "的"))
        title = title[:cut] if cut >= 8 else title[:40]
    return title


def kppatent_texts(folder: Path) -> list[KpText]:
    """The 696 test rows (title, abstract, claims; the title derived where the row has none) and 3,024 train rows
    (abstract; title derived). The train rows' `keyphrases` (the data set's gold labels) are never read."""
    texts = []
    with gzip.open(folder / "test_title_abstract_claims.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            title, abstract = row["title"].strip(), row["abstract"].strip()
            derived = not title  # three rows have none
            texts.append(KpText(row["id"], derive_title(abstract) if derived else title, abstract,
                                row.get("claims", "").strip(), derived))
    with gzip.open(folder / "train_abstract_keyphrases.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            abstract = row["abstract"].strip()
            texts.append(KpText(row["id"], derive_title(abstract), abstract, "", True))
    return texts


# -- IPC ---------------------------------------------------------------------------------------------------------

_BRACKETED = re.compile(r"[（(\[][^（）()\[\]]*[)）\]]")


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


def _plain_title(title: str) -> str:
    """An IPC title without its references and notes in brackets (nested ones too)."""
    before = None
    while before != title:
        before, title = title, _BRACKETED.sub("", title)
    return title


class _GroupChooser:
    """Within a subclass, the main group whose Chinese IPC 2026.01 title (references in brackets left out) shares
    the most character pairs with the patent's title, if it shares at least MIN_SHARED; else the subclass itself.
    Deterministic: ties go to the first main group in scheme order."""

    MIN_SHARED = 3

    def __init__(self) -> None:
        from ipcity.patents.ipc import scheme

        self.scheme = scheme()
        self._groups: dict[str, list[tuple[str, set[str]]]] = {}

    def _of(self, subclass: str) -> list[tuple[str, set[str]]]:
        if subclass not in self._groups:
            mains = self.scheme.children(subclass) if self.scheme.exists(subclass) else []
            self._groups[subclass] = [(m, _bigrams(_plain_title(self.scheme.title(m, fallback=False))))
                                      for m in mains]
        return self._groups[subclass]

    def __call__(self, subclass: str, text: str) -> str:
        pairs = _bigrams(text)
        best, best_shared = subclass, self.MIN_SHARED - 1
        for code, own in self._of(subclass):
            shared = len(own & pairs)
            if shared > best_shared:
                best, best_shared = code, shared
        return best


def assign_ipc(titles: list[str], training_file: Path, most: int = 3) -> list[list[str]]:
    """IPC symbols for each title: subclasses from the project's classifier (ipcity.patents.semantic.classify,
    trained here on the shipped cn_titles_ipc.jsonl.gz: 9,740 real titles with their real subclasses) — the best
    one first, then up to `most`-1 more above its tuned threshold — each refined to a main group by
    `_GroupChooser` where the main group's title clearly matches."""
    import numpy as np

    from ipcity.patents.semantic.classify import IpcClassifier

    train_titles, train_labels = [], []
    with gzip.open(training_file, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["ipc"]:
                train_titles.append(row["title"])
                train_labels.append(row["ipc"])
    # ipc_definitions=False: the model the shipped demo file was built with, so the build stays byte-reproducible
    classifier = IpcClassifier(seed=0, ipc_definitions=False).fit(train_titles, train_labels)
    scores = classifier.decision(titles)
    choose = _GroupChooser()
    out = []
    for title, row in zip(titles, scores, strict=True):
        order = np.argsort(-row, kind="stable")
        picked = [order[0]] + [i for i in order[1:most] if row[i] > classifier.threshold]
        symbols = [choose(classifier.labels[i], title) for i in picked]
        out.append(list(dict.fromkeys(symbols)))
    return out


# -- applicants ----------------------------------------------------------------------------------------------------

@dataclass
class Agency:
    name: str
    city: str
    agents: list[str]


@dataclass
class Applicant:
    name: str
    kind: str
    region: str  # 6-digit district code
    address: str
    count: int
    first_year: int
    prefixes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    agency: Agency | None = None
    inventors: list[str] = field(default_factory=list)


def _region_table():
    from ipcity.patents.regions import regions

    return regions()


def _districts(city: str) -> list[str]:
    table = _region_table()
    codes = table.children(city)
    if len(codes) == 1 and table.is_grouping(codes[0]):
        codes = table.children(codes[0])
    urban = [c for c in codes if table.name(c).endswith("区")]
    return urban or codes or [city]


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class _Cast:
    """The fictional people and organisations, drawn from one random stream."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()
        self.people: set[str] = set()
        self.agencies: list[Agency] = []
        for city, n in (("3101", 6), ("1101", 3), ("4403", 2), ("3301", 2), ("4401", 1), ("3201", 1),
                        ("3205", 1), ("3702", 1), ("5101", 1), ("4201", 1), ("3401", 1), ("6101", 1)):
            for _ in range(n):
                form = rng.choice(("知识产权代理有限公司", "专利代理有限公司", "专利代理事务所有限公司"))
                name = self._unique(lambda city=city, form=form: f"{self.city_short(city)}{self.trade()}{form}{MARK}")
                self.agencies.append(Agency(name, city, [self.person() for _ in range(4)]))

    def _unique(self, make) -> str:
        for _ in range(1000):
            name = make()
            if name not in self.names and not name.startswith("申江"):
                self.names.add(name)
                return name
        raise RuntimeError("ran out of fictional names")

    def trade(self) -> str:
        return self.rng.choice(TRADE_NAMES)

    def person(self) -> str:
        """A fictional person's name (surname and one or two given characters), new to the set."""
        for _ in range(1000):
            given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.people:
                self.people.add(name)
                return name
        raise RuntimeError("ran out of fictional names")

    @staticmethod
    def city_short(code: str) -> str:
        table = _region_table()
        province = table.name(code[:2])
        if code[:2] in ("11", "12", "31", "50"):
            return province.removesuffix("市")
        name = table.name(code[:4])
        return name.removesuffix("市") if len(name) > 2 else name

    def region(self, shanghai: bool) -> str:
        if shanghai:
            return _weighted(self.rng, SHANGHAI_DISTRICTS)
        return self.rng.choice(_districts(_weighted(self.rng, OTHER_CITIES)))

    def address(self, region: str) -> str:
        return f"{_region_table().full_name(region)}{self.rng.choice(ROADS)}{self.rng.randint(1, 999)}号"

    def agency_for(self, region: str, kind: str) -> Agency | None:
        if self.rng.random() < (0.6 if kind == INDIVIDUAL else 0.12):
            return None
        city = region[:4]
        local = [a for a in self.agencies if a.city == city]
        return self.rng.choice(local) if local and self.rng.random() < 0.75 else self.rng.choice(self.agencies)

    def organisation(self, kind: str, region: str, ipc_class: str) -> str:
        city = self.city_short(region)
        industry = INDUSTRY.get(ipc_class) or INDUSTRY.get(ipc_class[:1], "科技")
        if kind == UNIVERSITY:
            school = self.rng.choice(("大学", "工业大学", "科技大学", "理工大学", "职业技术学院"))
            if ipc_class.startswith("A61"):
                school = "医科大学"
            elif ipc_class.startswith("A01"):
                school = "农业大学"
            return self._unique(lambda: f"{city}{self.trade()}{school}{MARK}")
        if kind == INSTITUTE:
            return self._unique(lambda: f"{city}{self.trade()}{industry}{self.rng.choice(('研究院', '研究所'))}{MARK}")
        def company() -> str:
            form = self.rng.choice(COMPANY_FORMS)
            if industry.endswith("科技") and form.startswith(("科技", "技术")):
                form = form[2:]
            return f"{city}{self.trade()}{industry}{form}{MARK}"

        return self._unique(company)

    def applicant(self, name: str, kind: str, region: str, count: int, first_year: int, **kw) -> Applicant:
        applicant = Applicant(name, kind, region, self.address(region), count, first_year, **kw)
        applicant.agency = self.agency_for(region, kind)
        pool = 1 if kind == INDIVIDUAL else max(3, min(60, round(count * 0.5) + 2))
        applicant.inventors = [name.removesuffix(MARK)] if kind == INDIVIDUAL else []
        applicant.inventors += [self.person() for _ in range(pool - len(applicant.inventors))]
        return applicant


# -- dates and legal status ----------------------------------------------------------------------------------------

def gazette_day(day: date, latest: date = AS_OF) -> date:
    """The first gazette day (Tuesday or Friday) on or after `day`; the last one up to `latest` if that is later."""
    while day.weekday() not in GAZETTE_DAYS:
        day += timedelta(1)
    if day > latest:
        day = latest
        while day.weekday() not in GAZETTE_DAYS:
            day -= timedelta(1)
    return day


def _months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    return date(day.year + year, month + 1, min(day.day, 28))


def filing_date(rng: random.Random, first_year: int) -> date:
    years = {y: w for y, w in YEAR_WEIGHTS.items() if y >= first_year}
    year = _weighted(rng, years)
    start = max(date(year, 1, 4), FIRST_FILING)
    end = min(date(year, 12, 28), LAST_FILING)
    span = (end - start).days
    # The last months of the set thin out, as a register's do while applications wait for publication.
    day = start + timedelta(int(span * rng.random() ** (1.6 if year == LAST_FILING.year else 1.0)))
    while day.weekday() >= 5:
        day -= timedelta(1)
    return day


@dataclass
class Life:
    patent_type: str
    filed: date
    published: date
    granted: date | None
    status: str
    status_text: str
    events: list[LegalEvent]


def _event(kind: str, day: date) -> LegalEvent:
    return LegalEvent(kind, day, _CODES[kind], EVENT_KINDS[kind])


def _after_grant(rng: random.Random, filed: date, granted: date, term: int, hazard: float) -> list[tuple[str, date]]:
    """What happens to a granted patent until AS_OF: perhaps a transfer, licence or pledge, then perhaps an unpaid
    annual fee (termination announced some 8 months after the fee fell due) or the end of its term."""
    expiry = _months(filed, 12 * term)
    end = min(expiry, AS_OF)
    events: list[tuple[str, date]] = []
    for year in range(granted.year - filed.year + 1, term):
        lapse = _months(filed, 12 * year + 8)
        if lapse >= end:
            break
        if lapse > granted + timedelta(60) and rng.random() < hazard:
            end = gazette_day(lapse)
            events.append(("fee_lapse", end))
            break
    if not events and expiry <= AS_OF:
        events.append(("expiry", expiry))
    span = (end - granted).days
    for kind, chance in (("transfer", 0.05), ("licence", 0.025), ("pledge", 0.03)):
        if span > 90 and rng.random() < chance:
            events.append((kind, gazette_day(granted + timedelta(rng.randint(60, span - 20)), end)))
    return events


def life_of(rng: random.Random, patent_type: str, filed: date, hazard: float) -> Life:
    """Publication, examination, decision and what follows, consistent with the dates: nothing after AS_OF,
    pending only for an invention still without a decision."""
    span = (AS_OF - filed).days
    steps: list[tuple[str, date]] = []
    granted = None
    if patent_type == UTILITY:
        offset = rng.randint(110, 300)
        if offset > span and span >= 75:
            offset = rng.randint(75, span)
        if offset <= span:
            granted = gazette_day(filed + timedelta(offset))
            steps.append(("grant", granted))
            steps += _after_grant(rng, filed, granted, 10, hazard * 1.3)
        else:
            patent_type = INVENTION  # filed too late to be granted by AS_OF: an invention application instead
    if granted is None:
        published = _months(filed, 18) + timedelta(rng.randint(0, 20))
        if rng.random() < 0.12 or published > AS_OF:  # early publication on request
            offset = rng.randint(75, 280)
            published = filed + timedelta(offset if offset <= span else rng.randint(min(14, span), span))
        published = gazette_day(published)
        steps.append(("publication", published))
        if rng.random() < 0.04:  # no request for examination within three years: deemed withdrawn
            withdrawn = gazette_day(_months(filed, 40), date.max)
            if withdrawn <= AS_OF:
                steps.append(("withdrawal", withdrawn))
        else:
            examined = gazette_day(published + timedelta(rng.randint(0, 200)), date.max)
            decided = filed + timedelta(rng.randint(560, 1550))
            decided = gazette_day(max(decided, examined + timedelta(rng.randint(90, 400))), date.max)
            if examined <= AS_OF:
                steps.append(("examination", examined))
            if decided <= AS_OF:
                outcome = rng.choices(("grant", "withdrawal", "rejection"), weights=(58, 25, 17))[0]
                if outcome == "grant":
                    granted = decided
                    steps.append(("grant", granted))
                    steps += _after_grant(rng, filed, granted, 20, hazard)
                else:
                    steps.append((outcome, decided))
    steps.sort(key=lambda step: (step[1], list(_CODES).index(step[0])))
    published = next(day for kind, day in steps if kind in ("publication", "grant"))
    final = [kind for kind, _ in steps if kind in _STATUS_TEXT][-1]
    status = {"grant": VALID, "examination": PENDING, "publication": PENDING}.get(final, LAPSED)
    return Life(patent_type, filed, published, granted, status, _STATUS_TEXT[final],
                [_event(kind, day) for kind, day in steps])


# -- the records ---------------------------------------------------------------------------------------------------

_NOT_UTILITY = re.compile("方法|工艺|用途|应用|组合物|制备|化合物|材料|药物|系统|程序|介质|涂料|合金|溶液|"
                          "剂|树脂|聚合|配方|菌|基因|抗体|算法")
_PRODUCT = re.compile("装置|结构|设备|机构|组件|器|机|架|座|箱|阀|夹|罩|板|盒|桌|柜|车|灯|泵|管|工具|模具|支架")


@dataclass
class _Draft:
    text: KpText
    ipc: list[str]
    applicants: list[Applicant] = field(default_factory=list)


def _matches(draft: _Draft, applicant: Applicant) -> bool:
    return (any(s.startswith(applicant.prefixes) for s in draft.ipc)
            or any(w in draft.text.title for w in applicant.words))


def _cast_applicants(rng: random.Random, cast: _Cast, drafts: list[_Draft]) -> None:
    """Give every draft its first applicant: the big ones take texts of their fields; then, draft by draft in a
    random order, a new mid-sized or small applicant (or an individual) takes it and further texts of its class."""
    order = list(range(len(drafts)))
    rng.shuffle(order)
    free = dict.fromkeys(order)  # an insertion-ordered set: the drafts still without an applicant, shuffled

    placed = Counter()  # records given so far: in Shanghai (True) or not

    def take(applicant: Applicant, wanted: int) -> None:
        chosen = [i for i in free if _matches(drafts[i], applicant)][:wanted]
        for i in chosen:
            drafts[i].applicants.append(applicant)
            del free[i]
        placed[applicant.region.startswith("31")] += len(chosen)

    for name, kind, region, count, prefixes, words, first in BIG_APPLICANTS:
        take(cast.applicant(name, kind, region, count, first, prefixes=prefixes, words=words), count)
    years = sorted(YEAR_WEIGHTS)
    while free:
        seed = next(iter(free))
        ipc_class = drafts[seed].ipc[0][:3]
        kind = rng.choices((COMPANY, UNIVERSITY, INSTITUTE, INDIVIDUAL), weights=(70, 12, 8, 10))[0]
        if kind == INDIVIDUAL:
            count = rng.choice((1, 1, 1, 2))
        elif rng.random() < 0.06:
            count = rng.randint(12, 35)  # mid-sized
        else:
            count = min(9, int(rng.paretovariate(1.4)))
        share = placed[True] / max(1, placed[True] + placed[False])
        region = cast.region(rng.random() < SHANGHAI_SHARE if abs(share - SHANGHAI_SHARE) < 0.01
                             else share < SHANGHAI_SHARE)
        first = FIRST_FILING.year if rng.random() < 0.85 else rng.choice(years[-5:-1])  # newcomers
        name = cast.person() + MARK if kind == INDIVIDUAL else cast.organisation(kind, region, ipc_class)
        applicant = cast.applicant(name, kind, region, count, first, prefixes=(ipc_class,))
        drafts[seed].applicants.append(applicant)
        del free[seed]
        placed[region.startswith("31")] += 1
        take(applicant, count - 1)


def _co_applicants(rng: random.Random, drafts: list[_Draft]) -> None:
    """About one company filing in twelve is shared with a university or institute, of its province if one has
    several patents there, else with a big one; some universities' filings are shared with a company."""
    academic = Counter(d.applicants[0].name for d in drafts if d.applicants[0].kind in (UNIVERSITY, INSTITUTE))
    companies = Counter(d.applicants[0].name for d in drafts if d.applicants[0].kind == COMPANY)
    by_name = {a.name: a for d in drafts for a in d.applicants}
    partners = [by_name[n] for n, c in academic.items() if c >= 5]
    firms = [by_name[n] for n, c in companies.items() if c >= 5]
    for draft in drafts:
        first = draft.applicants[0]
        if first.kind == COMPANY and rng.random() < 0.085:
            near = [p for p in partners if p.region[:2] == first.region[:2]]
            draft.applicants.append(rng.choice(near or partners))
        elif first.kind in (UNIVERSITY, INSTITUTE) and rng.random() < 0.08:
            near = [f for f in firms if f.region[:2] == first.region[:2]]
            draft.applicants.append(rng.choice(near or firms))


def _inventors(rng: random.Random, draft: _Draft) -> list[str]:
    first = draft.applicants[0]
    pool = first.inventors
    wanted = min(len(pool), rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6)))
    weights = [1 / (rank + 1) for rank in range(len(pool))]  # lead inventors recur
    names: list[str] = []
    while len(names) < wanted:
        name = rng.choices(pool, weights=weights)[0]
        if name not in names:
            names.append(name)
    for other in draft.applicants[1:]:
        names.append(rng.choice(other.inventors[:5]))
    return list(dict.fromkeys(names))


def _numbered(records: list[PatentRecord], rng: random.Random) -> None:
    """Application numbers per (year, type) in filing order, publication numbers per type in publication order,
    both with random gaps, in the synthetic ranges; check characters per rules.md §12.1."""
    serials: dict[tuple[int, str], int] = {}
    for rec in sorted(records, key=lambda r: (r.app_date, r.extra["text_id"])):
        digit = "1" if rec.patent_type == INVENTION else "2"
        key = (rec.app_date.year, digit)
        serials[key] = serials.get(key, APP_SERIALS[0] - 1) + rng.randint(1, 25)
        if serials[key] > APP_SERIALS[1]:
            raise RuntimeError("application serials ran out of the synthetic range")
        body = f"{rec.app_date.year}{digit}{serials[key]:07d}"
        rec.app_number = f"CN{body}.{check_digit(body)}"
    published: dict[str, int] = {}
    for rec in sorted(records, key=lambda r: (r.pub_date, r.app_number)):
        digit = "1" if rec.patent_type == INVENTION else "2"
        published[digit] = published.get(digit, 0) + rng.randint(1, 120)
        if published[digit] > 999_999:
            raise RuntimeError("publication serials ran out of the synthetic range")
        number = f"CN{digit}{PUB_MIDDLE}{published[digit]:06d}"
        rec.pub_number = number + rec.kind
        if rec.patent_type == INVENTION and rec.grant_date:
            rec.extra["grant_number"] = number + "B"


def synthetic_records(folder: Path, training_file: Path) -> list[PatentRecord]:
    """The 3,720 KPPatent-ZH texts as synthetic Chinese publications (see the section comment above)."""
    rng = random.Random(SEED)
    texts = kppatent_texts(folder)
    ipc = assign_ipc([t.title for t in texts], training_file)
    drafts = [_Draft(t, symbols) for t, symbols in zip(texts, ipc, strict=True)]
    cast = _Cast(rng)
    _cast_applicants(rng, cast, drafts)
    _co_applicants(rng, drafts)
    hazards = {COMPANY: 0.07, UNIVERSITY: 0.16, INSTITUTE: 0.12, INDIVIDUAL: 0.25}
    records = []
    for draft in drafts:
        first = draft.applicants[0]
        text = draft.text
        utility_share = 0.55 if first.kind in (COMPANY, INDIVIDUAL) else 0.2
        wanted = UTILITY if (_PRODUCT.search(text.title) and not _NOT_UTILITY.search(text.title)
                             and rng.random() < utility_share) else INVENTION
        life = life_of(rng, wanted, filing_date(rng, first.first_year), hazards[first.kind])
        abstract = text.abstract
        if life.patent_type == UTILITY:  # the texts are inventions': a utility model speaks of itself so
            abstract = abstract.replace("本发明", "本实用新型")
        agency = first.agency
        extra = {"synthetic": True, "text_source": TEXT_SOURCE, "text_id": text.text_id}
        if text.title_derived:
            extra["title_derived"] = True
        records.append(PatentRecord(
            pub_number="", office="CN", kind="A" if life.patent_type == INVENTION else "U",
            patent_type=life.patent_type, app_date=life.filed, pub_date=life.published, grant_date=life.granted,
            title=text.title, abstract=abstract, claims=text.claims, lang="zh", ipc_main=draft.ipc[0],
            ipc=list(draft.ipc), applicants=[a.name for a in draft.applicants], inventors=_inventors(rng, draft),
            address=first.address, region_code=first.region, agency=agency.name if agency else "",
            agents=rng.sample(agency.agents, rng.choice((1, 2, 2))) if agency else [],
            legal_status=life.status, legal_status_text=life.status_text, events=life.events,
            source=SYNTHETIC_SOURCE, extra=extra))
    _numbered(records, rng)
    records.sort(key=lambda r: r.app_number)
    return records


def check_synthetic(records: list[PatentRecord], taken: set[str]) -> dict:
    """Refuse a build whose numbers do not parse, leave their ranges or collide with `taken` (the numbers, without
    kind code or check character, of the other shipped sets and of the demo register); returns the figures the
    build prints."""
    seen: set[str] = set()
    for rec in records:
        app = parse_cn_application(rec.app_number)
        pub = parse_publication(rec.pub_number)
        if not APP_SERIALS[0] <= int(app.serial) <= APP_SERIALS[1] or pub.serial[1:3] != PUB_MIDDLE:
            raise RuntimeError(f"{rec.pub_number}: number outside the synthetic ranges")
        if app.patent_type != rec.patent_type or pub.patent_type != rec.patent_type:
            raise RuntimeError(f"{rec.pub_number}: number and patent type disagree")
        for key in (f"CN{app.body}", pub.key_without_kind):
            if key in taken or key in seen:
                raise RuntimeError(f"{key} collides with another number")
            seen.add(key)
    shanghai = sum(r.region_code.startswith("31") for r in records)
    share = shanghai / len(records)
    if not 0.35 <= share <= 0.40:
        raise RuntimeError(f"Shanghai share {share:.1%} is outside 35–40 %")
    applicants = Counter(name for r in records for name in r.applicants)
    return {"records": len(records), "shanghai": shanghai, "shanghai_share": round(share, 3),
            "types": dict(Counter(r.patent_type for r in records)),
            "statuses": dict(Counter(r.legal_status for r in records)),
            "filing_years": dict(sorted(Counter(r.app_date.year for r in records).items())),
            "first_filing": min(r.app_date for r in records).isoformat(),
            "last_filing": max(r.app_date for r in records).isoformat(),
            "last_publication": max(r.pub_date for r in records).isoformat(),
            "applicants": len(applicants), "top_applicants": applicants.most_common(12),
            "derived_titles": sum(bool(r.extra.get("title_derived")) for r in records)}


_CN_NUMBER = re.compile(r"CN\s?(\d{8,13})")


def shipped_numbers(folder: Path, skip: str) -> set[str]:
    """CN + the digits of every CN-looking number (application body, publication serial) in the other shipped
    files, read as raw text whatever their format, and in the demo register."""
    from ipcity.patents.demo_register import demo_records

    found: set[str] = set()
    for path in sorted(folder.glob("*.gz")):
        if path.name != skip:
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    for digits in _CN_NUMBER.findall(line):
                        found.add(f"CN{digits}")
                        if len(digits) == 13:  # an application body followed by its check digit
                            found.add(f"CN{digits[:12]}")
    for rec in demo_records():
        found.add(parse_publication(rec.pub_number).key_without_kind)
        found.add(f"CN{parse_cn_application(rec.app_number).body}")
    return found


def write_jsonl_stable(records: Iterable[PatentRecord], path: Path) -> int:
    """write_jsonl's lines in a gzip file without a time stamp, so that a rebuild gives the same bytes."""
    count = 0
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped, \
            io.TextIOWrapper(zipped, encoding="utf-8", newline="") as stream:
        for rec in records:
            stream.write(json.dumps(rec.to_dict(), ensure_ascii=False, separators=(",", ":")))
            stream.write("\n")
            count += 1
    return count


def build_synthetic(data: Path, out: Path) -> dict:
    records = synthetic_records(data / KPPATENT, out / "cn_titles_ipc.jsonl.gz")
    figures = check_synthetic(records, shipped_numbers(out, SYNTHETIC_FILE))
    write_jsonl_stable(records, out / SYNTHETIC_FILE)
    figures["bytes"] = (out / SYNTHETIC_FILE).stat().st_size
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--only", choices=("all", "synthetic"), default="all",
                        help="synthetic: rebuild only the synthetic set (from the shipped cn_titles_ipc.jsonl.gz)")
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"no data folder at {args.data}")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only == "all":
        count = write_jsonl(cn_titles(args.data / "cn-patent-titles-ipc" / "cn_titles_ipc_subclasses.tsv.gz"),
                            args.out / "cn_titles_ipc.jsonl.gz")
        print(f"cn_titles_ipc.jsonl.gz: {count} records")
        for rel in COPIED:
            shutil.copyfile(args.data / rel, args.out / Path(rel).name)
            print(f"{Path(rel).name}: copied")
    figures = build_synthetic(args.data, args.out)
    print(f"{SYNTHETIC_FILE}: {json.dumps(figures, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
