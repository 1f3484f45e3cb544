"""A SYNTHETIC corpus of Chinese patent-like records, built from the vocabulary of real public data.

    .venv/bin/python bench/synthetic.py N out.jsonl.gz [--seed 0] [--data ../shared/data]

Nothing here is a real patent. The records only look like the ones Chinese databases export, so that
indexing and search can be measured at scale with realistic term statistics:

- IPC: a subclass per record drawn with the skew of real Chinese filings (subclass counts of the 9,740
  patents in cn-patent-titles-ipc, smoothed, when that set is present; otherwise Zipf), then a group of
  that subclass (Zipf) from the Chinese IPC 2026.01 titles (ipc-zh-2026); 0–2 further symbols.
- Title: "一种" + a phrase of that group's Chinese title (+ the main group's where the subgroup is a
  qualifier such as 带齿的) + a suffix that suits the patent type.
- Abstract (~300 characters) and first claim (~150): sentences of the real abstracts and claims of
  cn-patent-abstracts-kppatent, recombined; each IPC subclass prefers its own small pool of source
  abstracts, so that words cluster by technology as they do in real data.
- Applicants: a Zipf-distributed pool of invented company / university names made of real place names
  (cn-admin-divisions) and industry words (上海瑞科电子科技有限公司); each has a real district code and
  an address on a real street; Shanghai is over-represented (20 % of applicants).
- Dates 2005–2025 growing ~13 % a year; CN application numbers with valid check characters
  (rules.md §12.1) and publication numbers whose kind codes match the type (§12.2: A/B invention,
  U utility model, S design); a legal-status mix that depends on type and age.

Every record has `source="synthetic"` and `extra={"synthetic": True}`. The stream is deterministic for a
seed (the first k records do not depend on N), holds only the vocabulary in memory, and runs at tens of
thousands of records a second.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import itertools
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from ipcity.core.numbers import check_digit  # noqa: E402
from ipcity.patents.record import (  # noqa: E402
    DESIGN,
    INVENTION,
    LAPSED,
    PENDING,
    UTILITY,
    VALID,
    LegalEvent,
    PatentRecord,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data"
NEEDED = ("ipc-zh-2026", "cn-patent-abstracts-kppatent", "cn-admin-divisions")
FIRST_YEAR, LAST_YEAR = 2005, 2025
TODAY = date(2026, 6, 30)  # "now" of the synthetic world: nothing is published after it
YEARLY_GROWTH = 1.13
NEW_SERIALS = date(2007, 8, 1)  # CN publication serials have 8 digits after the type digit since then (§12.2)
TYPE_SHARES = ((INVENTION, 0.42), (UTILITY, 0.48), (DESIGN, 0.10))
APPLICANT_POOL = 60_000
APPLICANT_ZIPF = 0.8  # the biggest applicant gets ~2 % of the records
AGENCY_POOL = 3_000
SHANGHAI_SHARE = 0.20
# Approximate shares of Chinese patent filings by province (the rest is spread over the others).
PROVINCE_SHARES = {"44": 0.17, "32": 0.14, "33": 0.11, "37": 0.06, "11": 0.06, "34": 0.04, "51": 0.03,
                   "42": 0.03, "35": 0.03, "41": 0.03, "43": 0.02, "61": 0.02, "12": 0.02, "50": 0.02}
ABSTRACT_CHARS = 300
CLAIM_CHARS = 150
OWN_POOL = 12  # source abstracts a subclass prefers
OWN_SHARE = 0.7  # share of the sentences taken from that pool

_PARENS = re.compile(r"（[^（）]*）|\([^()]*\)")
_REFERENCE = re.compile(r"入\s*[A-H]\d\d[A-Z]?[\d/，,\s]*")  # "…入A01C5/00": a pointer to another place
_FRAGMENT_SPLIT = re.compile(r"[；;，,、：:]|即|或")
# Title fragments that read as classification notes rather than as a product: 例如…, 以…为特征, 其他…
_NOTE_WORDS = re.compile(r"例如|为特征|其他|不包括|专门|所述|本小类|本组|以上|此外|特别是|一般的|仅")
_CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+")
_SENTENCE = re.compile(r"[^。！？]+[。！？]?")
_CLAUSE = re.compile(r"[^；;，,。]+[；;，,。]?")
_CLAIM_HEAD = re.compile(r"^\s*\d+\s*[.、．]\s*")
_TITLE_SUFFIXES = {INVENTION: ("", "", "", "及其制备方法", "的制备方法", "方法", "系统", "装置", "及其应用",
                               "的控制方法"),
                   UTILITY: ("", "", "装置", "结构", "组件", "设备", "机构"),
                   DESIGN: ("",)}
_OPENINGS = {INVENTION: ("本发明公开了一种{t}。", "本发明涉及一种{t}。", "本发明提供了一种{t}。"),
             UTILITY: ("本实用新型公开了一种{t}。", "本实用新型涉及一种{t}。"),
             DESIGN: ("本外观设计产品的名称：{t}。", )}
_TRADE_CHARS = "华科创新达瑞恒联中兴星光宏远博正鑫通源泰金信德安盛海天汇特锐云思智美嘉佳宇航力合丰隆伟精诚明睿"
_INDUSTRIES = ("科技", "电子科技", "机械", "新材料", "生物科技", "医药", "电气", "智能科技", "汽车零部件", "精密机械",
               "化工", "光电", "能源科技", "信息技术", "环保科技", "自动化设备", "半导体", "通信技术", "建筑工程",
               "食品", "医疗器械", "纺织", "电力设备", "软件", "新能源")
_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")
_UNIVERSITIES = ("{p}大学", "{c}理工大学", "{c}科技大学", "{p}工业大学", "{c}师范大学", "{p}农业大学",
                 "{c}交通大学", "{p}医科大学", "中国科学院{c}研究所", "{p}电力科学研究院")
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
             "肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石")
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国文斌宇浩凯鹏辉晨欣怡佳琪俊峰志海波雪梅红亮"


class DataMissing(RuntimeError):
    pass


def resolve_data(data: Path | None) -> Path:
    """The shared data folder; raises DataMissing (with what is missing) when it is not there."""
    folder = Path(data) if data else DEFAULT_DATA
    missing = [name for name in NEEDED if not (folder / name).is_dir()]
    if missing:
        raise DataMissing("找不到合成语料所需的真实数据 / the real data the synthetic corpus is built from "
                          f"is missing: {', '.join(str(folder / m) for m in missing)} (pass --data DIR)")
    return folder


class Weighted:
    """Draws from a fixed list with fixed weights in O(log n) (random.choices re-sums every call)."""

    def __init__(self, items: Sequence, weights: Sequence[float]):
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def draw(self, rng: Random):
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def _pick(rng: Random, items: Sequence):
    """rng.choice without its rejection sampling (5× faster; the tiny bias does not matter here)."""
    return items[int(rng.random() * len(items))]


def _between(rng: Random, low: int, high: int) -> int:
    """rng.randint(low, high), the same way."""
    return low + int(rng.random() * (high - low + 1))


def zipf_weights(n: int, exponent: float) -> list[float]:
    return [1.0 / (rank ** exponent) for rank in range(1, n + 1)]


# --- vocabulary from the real data ---------------------------------------------------------------------


def _fragments(title: str) -> list[str]:
    text = title
    while True:  # nested parentheses: remove the inner ones first
        stripped = _PARENS.sub("", text)
        if stripped == text:
            break
        text = stripped
    fragments = (f.strip() for f in _FRAGMENT_SPLIT.split(_REFERENCE.sub("", text)))
    return [f for f in fragments if 2 <= len(f) <= 18 and _CJK_ONLY.fullmatch(f) and not _NOTE_WORDS.search(f)
            and not f.startswith(("以", "由", "在")) and not f.endswith(("与", "和", "及", "或", "用", "来"))]


@dataclass
class Group:
    code: str  # IPC symbol, e.g. H01M10/0525
    fragments: list[str]  # usable phrases of its title
    main_fragments: list[str]  # and of its main group's title


def load_ipc(folder: Path, rng: Random) -> tuple[Weighted, dict[str, Weighted], list[str]]:
    """Subclasses (weighted) and, per subclass, its groups (Zipf over a seeded shuffle)."""
    titles: dict[str, str] = {}
    codes_of: dict[str, list[str]] = {}
    with gzip.open(folder / "ipc-zh-2026" / "ipc_zh_2026.tsv.gz", "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            titles[row["code"]] = row["title_zh"]
            if row["level"] in ("主组", "分组"):
                codes_of.setdefault(row["code"][:4], []).append(row["code"])
    groups: dict[str, Weighted] = {}
    for subclass in sorted(codes_of):
        entries = []
        for code in codes_of[subclass]:
            own = _fragments(titles.get(code, ""))
            main = _fragments(titles.get(code.split("/")[0] + "/00", ""))
            if own or main:
                entries.append(Group(code, own or main, main))
        rng.shuffle(entries)
        if entries:
            groups[subclass] = Weighted(entries, zipf_weights(len(entries), 0.9))
    subclasses = sorted(groups)
    counts = _real_subclass_counts(folder)
    if counts:  # the skew of real Chinese filings, smoothed so that every subclass can occur
        weights = [counts.get(s, 0) + 0.5 for s in subclasses]
    else:
        order = subclasses[:]
        rng.shuffle(order)
        rank = {s: i + 1 for i, s in enumerate(order)}
        weights = [1.0 / rank[s] for s in subclasses]
    return Weighted(subclasses, weights), groups, subclasses


def _real_subclass_counts(folder: Path) -> Counter:
    path = folder / "cn-patent-titles-ipc" / "cn_titles_ipc_subclasses.tsv.gz"
    counts: Counter = Counter()
    if not path.exists():
        return counts
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            counts.update(s for s in row["ipc_subclasses"].split("|") if s)
    return counts


def load_texts(folder: Path) -> tuple[list[list[str]], list[str]]:
    """Sentences of each real abstract (one list per abstract) and clauses of the real claims."""
    base = folder / "cn-patent-abstracts-kppatent"
    abstracts: list[list[str]] = []
    clauses: list[str] = []
    for name in ("test_title_abstract_claims.jsonl.gz", "train_abstract_keyphrases.jsonl.gz"):
        with gzip.open(base / name, "rt", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                sentences = [s.strip() for s in _SENTENCE.findall(row.get("abstract", "")) if len(s.strip()) >= 8]
                if sentences:
                    abstracts.append(sentences)
                for claim in (row.get("claims") or "").split("\n")[:3]:
                    claim = _CLAIM_HEAD.sub("", claim)
                    clauses += [c.strip() for c in _CLAUSE.findall(claim) if 6 <= len(c.strip()) <= 80
                                and "权利要求" not in c and "说明书" not in c]
    if not abstracts or not clauses:
        raise DataMissing(f"没有可用的摘要 / no usable abstracts in {base}")
    return abstracts, clauses


@dataclass
class Place:
    code: str  # 6-digit district code
    province: str  # full names, for addresses
    city: str
    district: str
    short: str  # the place part of a company name: 上海, 苏州
    province_short: str


def _province_short(name: str) -> str:
    for prefix in ("内蒙古", "黑龙江"):
        if name.startswith(prefix):
            return prefix
    if name.endswith("自治区"):
        return name[:2]
    return name.removesuffix("省").removesuffix("市")


def load_places(folder: Path) -> tuple[Weighted, dict[str, list[str]]]:
    """Districts weighted by province share (Shanghai over-represented), and street names per district."""
    base = folder / "cn-admin-divisions"

    def rows(name: str) -> list[dict]:
        opener = gzip.open if name.endswith(".gz") else open
        with opener(base / name, "rt", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    provinces = {r["code"]: r["name"] for r in rows("provinces.csv")}
    cities = {r["code"]: r["name"] for r in rows("cities.csv")}
    places: list[Place] = []
    for r in rows("areas.csv"):
        province = provinces.get(r["provinceCode"], "")
        city = cities.get(r["cityCode"], "")
        municipal = city in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")
        short = _province_short(province) if municipal or not city.endswith("市") else city.removesuffix("市")
        places.append(Place(r["code"], province, "" if municipal else city, r["name"], short,
                            _province_short(province)))
    places.sort(key=lambda p: p.code)
    by_province: dict[str, list[Place]] = {}
    for p in places:
        by_province.setdefault(p.code[:2], []).append(p)
    rest = [c for c in by_province if c not in PROVINCE_SHARES and c != "31"]
    left = 1.0 - SHANGHAI_SHARE - sum(PROVINCE_SHARES.values())
    share = {**PROVINCE_SHARES, **{c: left / len(rest) for c in rest}, "31": SHANGHAI_SHARE}
    items, weights = [], []
    for code, members in by_province.items():
        # urban districts (区) file more than county-level cities (市), which file more than counties (县)
        local = [3.0 if p.district.endswith("区") else 2.0 if p.district.endswith("市") else 1.0 for p in members]
        total = sum(local)
        items += members
        weights += [share.get(code, 0.0) * w / total for w in local]
    streets: dict[str, list[str]] = {}
    for r in rows("streets.csv.gz"):
        streets.setdefault(r["areaCode"], []).append(r["name"])
    return Weighted(items, weights), streets


# --- the generator -------------------------------------------------------------------------------------


@dataclass
class Applicant:
    name: str
    place: Place
    address: str


class Vocabulary:
    """Everything the generator draws from; built once from the data folder (a few seconds)."""

    def __init__(self, data: Path | None = None, seed: int = 0):
        folder = resolve_data(data)
        rng = Random(f"vocabulary-{seed}")
        self.subclasses, self.groups, subclass_list = load_ipc(folder, rng)
        self.abstracts, self.clauses = load_texts(folder)
        self.places, self.streets = load_places(folder)
        n_abs = len(self.abstracts)
        # each subclass prefers a window of OWN_POOL source abstracts (seeded, so reproducible)
        self.own_pool = {s: [(start + k) % n_abs for k in range(OWN_POOL)]
                         for s, start in zip(subclass_list, (rng.randrange(n_abs) for _ in subclass_list),
                                             strict=True)}
        self.applicant_ranks = Weighted(range(APPLICANT_POOL), zipf_weights(APPLICANT_POOL, APPLICANT_ZIPF))
        self.agency_ranks = Weighted(range(AGENCY_POOL), zipf_weights(AGENCY_POOL, 1.0))
        self.years = Weighted(range(FIRST_YEAR, LAST_YEAR + 1),
                              [YEARLY_GROWTH ** (y - FIRST_YEAR) for y in range(FIRST_YEAR, LAST_YEAR + 1)])
        self.types = Weighted([t for t, _ in TYPE_SHARES], [w for _, w in TYPE_SHARES])
        self.surnames = Weighted(list(_SURNAMES), zipf_weights(len(_SURNAMES), 0.7))
        self.seed = seed
        self._applicants: dict[int, Applicant] = {}
        self._agencies: dict[int, str] = {}

    def applicant(self, rank: int) -> Applicant:
        """The applicant of a pool rank: a pure function of (seed, rank), cached."""
        found = self._applicants.get(rank)
        if found is None:
            rng = Random(f"applicant-{self.seed}-{rank}")
            place = self.places.draw(rng)
            if rng.random() < 0.12:
                name = _pick(rng, _UNIVERSITIES).format(p=place.province_short, c=place.short)
            else:
                trade = _pick(rng, _TRADE_CHARS) + _pick(rng, _TRADE_CHARS)
                name = f"{place.short}{trade}{_pick(rng, _INDUSTRIES)}{_pick(rng, _FORMS)}"
            streets = self.streets.get(place.code)
            street = _pick(rng, streets) if streets else ""
            address = f"{place.province}{place.city}{place.district}{street}{_between(rng, 1, 999)}号"
            found = self._applicants[rank] = Applicant(name, place, address)
        return found

    def agency(self, rank: int) -> str:
        found = self._agencies.get(rank)
        if found is None:
            rng = Random(f"agency-{self.seed}-{rank}")
            place = self.places.draw(rng)
            trade = _pick(rng, _TRADE_CHARS) + _pick(rng, _TRADE_CHARS)
            kind = _pick(rng, ("专利代理事务所（普通合伙）", "知识产权代理有限公司", "专利代理有限公司"))
            found = self._agencies[rank] = f"{place.short}{trade}{kind}"
        return found


class _Numbers:
    """Unique, chronologically plausible CN numbers from per-(type, year) counters (deterministic)."""

    _TYPE_DIGIT = {INVENTION: "1", UTILITY: "2", DESIGN: "3"}

    def __init__(self):
        self.app_counters: Counter = Counter()
        self.pub_counters: Counter = Counter()

    def application(self, patent_type: str, year: int) -> str:
        digit = self._TYPE_DIGIT[patent_type]
        self.app_counters[(digit, year)] += 1
        serial = 10_000 + self.app_counters[(digit, year)]
        if serial > 9_999_999:
            raise OverflowError("too many synthetic applications in one year")
        body = f"{year}{digit}{serial:07d}"
        return f"CN{body}.{check_digit(body)}"  # rules.md §12.1

    def publication(self, patent_type: str, published: date, kind: str) -> str:
        digit = self._TYPE_DIGIT[patent_type]
        if published < NEW_SERIALS:  # type digit + 6 digits until August 2007 (§12.2)
            self.pub_counters[(digit, "old")] += 1
            serial = self.pub_counters[(digit, "old")]
            if serial > 999_999:
                raise OverflowError("too many synthetic publications before 2007-08")
            return f"CN{digit}{serial:06d}{kind}"
        yy = published.year - 2000
        self.pub_counters[(digit, yy)] += 1
        count = self.pub_counters[(digit, yy)]
        block, serial = divmod(count, 1_000_000)
        if block > 1:
            raise OverflowError("too many synthetic publications in one year")
        return f"CN{digit}{yy + 50 * block:02d}{serial:06d}{kind}"


def _day_in(rng: Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=int(rng.random() * 365))


def _later(rng: Random, start: date, low: int, high: int) -> date:
    return start + timedelta(days=_between(rng, low, high))


def _person(rng: Random, vocab: Vocabulary) -> str:
    given = _pick(rng, _GIVEN) + (_pick(rng, _GIVEN) if rng.random() < 0.7 else "")
    return vocab.surnames.draw(rng) + given


def _title(rng: Random, group: Group, patent_type: str) -> str:
    fragment = _pick(rng, group.fragments)
    main = group.main_fragments
    qualifier = fragment.endswith("的") or len(fragment) <= 2  # 带齿的, 锹: needs its main group's noun
    core = fragment + _pick(rng, main) if qualifier and main else fragment
    core = core.removeprefix("一种")
    if patent_type == DESIGN:
        return core
    suffix = _pick(rng, _TITLE_SUFFIXES[patent_type])
    if suffix and core.endswith(suffix):
        suffix = ""
    return f"一种{core}{suffix}"


def _abstract(rng: Random, vocab: Vocabulary, subclass: str, title: str, patent_type: str) -> str:
    parts = [_pick(rng, _OPENINGS[patent_type]).format(t=title.removeprefix("一种"))]
    if patent_type == DESIGN:
        parts.append(f"本外观设计产品的用途：用于{title}。本外观设计的设计要点：在于形状。")
        return "".join(parts)
    length = len(parts[0])
    own = vocab.own_pool[subclass]
    own_word = "本实用新型" if patent_type == UTILITY else "本发明"
    while length < ABSTRACT_CHARS:
        source = vocab.abstracts[_pick(rng, own)] if rng.random() < OWN_SHARE else _pick(rng, vocab.abstracts)
        sentence = _pick(rng, source)
        if patent_type == UTILITY and "本发明" in sentence:
            sentence = sentence.replace("本发明", own_word)
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)


def _claims(rng: Random, vocab: Vocabulary, title: str, patent_type: str) -> str:
    if patent_type == DESIGN:
        return ""
    parts = [f"1.{title}，其特征在于，"]
    length = len(parts[0])
    while length < CLAIM_CHARS:
        clause = _pick(rng, vocab.clauses)
        parts.append(clause)
        length += len(clause)
    text = "".join(parts)
    return text.rstrip("；;，,") + ("" if text.endswith("。") else "。")


def _ipc_list(rng: Random, vocab: Vocabulary, subclass: str, main: Group) -> list[str]:
    symbols = [main.code]
    for _ in range(_pick(rng, (0, 0, 1, 1, 2))):
        other = vocab.subclasses.draw(rng) if rng.random() < 0.3 else subclass
        code = vocab.groups[other].draw(rng).code
        if code not in symbols:
            symbols.append(code)
    return symbols


def _status(rng: Random, patent_type: str, app: date) -> tuple[str, str, str, date, date | None, list[LegalEvent]]:
    """(kind, legal_status, status text, publication date, grant date, events) for the type and age."""
    age_years = (TODAY - app).days / 365.25
    events: list[LegalEvent] = []
    if patent_type == INVENTION:
        published = min(_later(rng, app, 90, 540), TODAY - timedelta(days=_between(rng, 1, 60)))
        events.append(LegalEvent("publication", published, "PB01", "公布"))
        exam = _later(rng, published, 20, 120)
        if exam < TODAY:
            events.append(LegalEvent("examination", exam, "SE01", "实质审查的生效"))
        decided = _later(rng, app, 600, 1500)
        if decided >= TODAY:
            return "A", PENDING, "审中-实审", published, None, events
        if rng.random() < 0.55:
            events.append(LegalEvent("grant", decided, "GR01", "授权"))
            return _granted("B", rng, app, decided, age_years, 20, events)
        kind, text = _pick(rng, (("rejection", "失效-驳回"), ("withdrawal", "失效-视为撤回")))
        events.append(LegalEvent(kind, decided, "", text.split("-")[1]))
        return "A", LAPSED, text, published, None, events
    low, high, term = (120, 330, 10) if patent_type == UTILITY else (90, 240, 15 if app.year >= 2021 else 10)
    granted = min(_later(rng, app, low, high), TODAY - timedelta(days=_between(rng, 1, 30)))
    events.append(LegalEvent("grant", granted, "GR01", "授权"))
    return _granted("U" if patent_type == UTILITY else "S", rng, app, granted, age_years, term, events)


def _granted(kind: str, rng: Random, app: date, granted: date, age_years: float, term: int,
             events: list[LegalEvent]) -> tuple[str, str, str, date, date, list[LegalEvent]]:
    if age_years >= term:
        events.append(LegalEvent("expiry", date(app.year + term, app.month, min(app.day, 28)), "",
                                 "专利权有效期届满"))
        return kind, LAPSED, "失效-期限届满", granted, granted, events
    if rng.random() < min(0.6, 0.06 * age_years):  # annual fees stop being paid as patents age
        lapse = min(_later(rng, granted, 365, 3650), TODAY - timedelta(days=1))
        events.append(LegalEvent("fee_lapse", lapse, "CF01", "未缴年费专利权终止"))
        return kind, LAPSED, "失效-未缴年费", granted, granted, events
    return kind, VALID, "有权-审定授权", granted, granted, events


def _locarno(rng: Random) -> str:
    cls = _between(rng, 1, 32)
    return "32-00" if cls == 32 else f"{cls:02d}-{_pick(rng, ('01', '01', '02', '99'))}"


def generate(n: int, seed: int = 0, *, data: Path | None = None, vocabulary: Vocabulary | None = None
             ) -> Iterator[PatentRecord]:
    """`n` synthetic records, deterministic for `seed`; streaming (the vocabulary is all it holds)."""
    vocab = vocabulary or Vocabulary(data, seed)
    rng = Random(seed)
    numbers = _Numbers()
    for _ in range(n):
        patent_type = vocab.types.draw(rng)
        app = _day_in(rng, vocab.years.draw(rng))
        subclass = vocab.subclasses.draw(rng)
        group = vocab.groups[subclass].draw(rng)
        title = _title(rng, group, patent_type)
        kind, status, status_text, published, granted, events = _status(rng, patent_type, app)
        app_number = numbers.application(patent_type, app.year)
        if kind == "B":  # the grant keeps the number of its earlier A publication (events[0]), kind B (§12.2)
            pub_number = numbers.publication(patent_type, events[0].date, "A")[:-1] + "B"
        else:
            pub_number = numbers.publication(patent_type, published, kind)
        first = vocab.applicant(vocab.applicant_ranks.draw(rng))
        applicants = [first.name]
        if rng.random() < 0.15:
            applicants.append(vocab.applicant(vocab.applicant_ranks.draw(rng)).name)
        if rng.random() < 0.06:  # individual applicants (个人申请)
            applicants = [_person(rng, vocab)]
        inventors = list(dict.fromkeys(_person(rng, vocab) for _ in range(_pick(rng, (1, 2, 2, 3, 3, 4, 5)))))
        yield PatentRecord(
            pub_number=pub_number, office="CN", kind=kind, patent_type=patent_type, app_number=app_number,
            app_date=app, pub_date=published, grant_date=granted,
            title=title, abstract=_abstract(rng, vocab, subclass, title, patent_type),
            claims=_claims(rng, vocab, title, patent_type), lang="zh",
            ipc_main="" if patent_type == DESIGN else group.code,
            ipc=[] if patent_type == DESIGN else _ipc_list(rng, vocab, subclass, group),
            locarno=[_locarno(rng)] if patent_type == DESIGN else [],
            applicants=applicants, inventors=inventors, address=first.address, region_code=first.place.code,
            agency=vocab.agency(vocab.agency_ranks.draw(rng)) if rng.random() < 0.6 else "",
            legal_status=status, legal_status_text=status_text, events=events,
            source="synthetic", extra={"synthetic": True},
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a SYNTHETIC patent-like corpus as ipcity JSONL.")
    parser.add_argument("n", type=int, help="number of records")
    parser.add_argument("out", type=Path, help="output file (.jsonl or .jsonl.gz)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=None, help=f"the shared data folder (default {DEFAULT_DATA})")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be >= 0")
    from ipcity.patents.ingest.native import write_jsonl

    try:
        vocab = Vocabulary(args.data, args.seed)
    except DataMissing as exc:
        print(exc, file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    write_jsonl(generate(args.n, args.seed, vocabulary=vocab), args.out)
    took = time.perf_counter() - started
    print(f"wrote {args.n:,} SYNTHETIC records to {args.out} in {took:.1f} s "
          f"({args.n / took if took else 0:,.0f} records/s); seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
