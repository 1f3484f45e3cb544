"""Administrative divisions of the PRC: codes, names, and the division an applicant's address names.

Codes follow the National Bureau of Statistics 统计用区划代码 (GB/T 2260 layout), shortened to the
level they denote as in `PatentRecord.region_code`: 2 digits for a province (41), 4 for a
prefecture-level city (4101), 6 for a county-level district (410105). The tables are shipped in
ipcity/patents/data (see NOTICE.md); `regions()` loads them once per process.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

PROVINCE, CITY, DISTRICT = "province", "city", "district"
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})  # 北京, 天津, 上海, 重庆: no named city level
# GB/T 2260 codes of Taiwan, Hong Kong and Macao, which the statistical tables leave out; Chinese
# patent databases use them in the 国省代码 field.
_EXTRA_PROVINCES = (("71", "台湾省"), ("81", "香港特别行政区"), ("82", "澳门特别行政区"))
# City-level rows that are groupings, not places (市辖区, 县, 省直辖县级行政区划 …): never matched by name.
_PLACEHOLDER = re.compile(r"^(?:市辖区|县|省直辖县级行政区划|自治区直辖县级行政区划)$")

_ETHNIC = ("蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|"
           "纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|"
           "鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺")
_PROVINCE_SUFFIX = re.compile(r"(?:壮族|回族|维吾尔)?自治区$|特别行政区$|省$|市$")
_LOCAL_SUFFIX = re.compile(rf"(?:(?:{_ETHNIC})族?)*(?:自治州|自治县|自治旗)$|新区$|地区$|林区$|[市区县旗盟]$")
# A short name (浦东 for 浦东新区) followed by one of these is part of a street or place name (浦东大道),
# or of another division's full name (朝阳 in 朝阳区, which is not 朝阳市).
_NOT_AFTER_SHORT = frozenset("路街道巷弄里号村镇乡大桥园省市区县旗盟")
_LEADING_NOISE = re.compile(r"^(?:\d{6})?[\s,，:：;；]*(?:中华人民共和国|中国)?")
_SEPARATORS = " ,，、:：;；-—()（）"


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    level: str  # PROVINCE / CITY / DISTRICT
    parent: str  # the code one level up, "" for a province


def _short(name: str, level: str) -> str:
    """The name without its administrative suffix (河南省 → 河南, 浦东新区 → 浦东), "" if that leaves < 2 chars."""
    pattern = _PROVINCE_SUFFIX if level == PROVINCE else _LOCAL_SUFFIX
    short = pattern.sub("", name)
    return short if len(short) >= 2 and short != name else ""


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


@dataclass(frozen=True)
class _Name:
    text: str
    code: str
    short: bool  # a short form (河南 for 河南省)
    shared: bool  # borne by several divisions of its level (朝阳区, 鼓楼区)


class Regions:
    """The division tables with lookups by code, by name and by address."""

    def __init__(self, divisions: Iterable[Division]):
        self._by_code: dict[str, Division] = {}
        self._children: dict[str, list[str]] = {}
        for division in divisions:
            self._by_code[division.code] = division
            self._children.setdefault(division.parent, []).append(division.code)
        codes_named: dict[tuple[str, bool, str], list[str]] = {}  # (level, short, name) -> codes
        for division in self._by_code.values():
            if division.level == CITY and _PLACEHOLDER.match(division.name):
                continue
            codes_named.setdefault((division.level, False, division.name), []).append(division.code)
            short = _short(division.name, division.level)
            if short:
                codes_named.setdefault((division.level, True, short), []).append(division.code)
        self._named: dict[tuple[str, bool, str], list[str]] = codes_named
        # (level, enclosing code or "") -> names of that level inside it; a name is indexed under "",
        # its province and (for a district) its city.
        self._names: dict[tuple[str, str], list[_Name]] = {}
        for (level, short, text), codes in codes_named.items():
            for code in codes:
                entry = _Name(text, code, short, len(codes) > 1)
                for within in {"", code[:2], code[:4] if level == DISTRICT else ""}:
                    self._names.setdefault((level, within), []).append(entry)
        for entries in self._names.values():
            entries.sort(key=lambda e: (-len(e.text), e.short, e.code))  # longest first, full before short

    # -- by code ---------------------------------------------------------------------------------

    def __contains__(self, code: str) -> bool:
        return code in self._by_code

    def division(self, code: str) -> Division:
        """The division with this code; KeyError if there is none."""
        return self._by_code[code]

    def name(self, code: str) -> str:
        """The official name of the division (河南省, 郑州市, 金水区; 市辖区 for a municipality's city level)."""
        return self._by_code[code].name

    def is_grouping(self, code: str) -> bool:
        """A city-level row that groups districts or counties rather than being a city (北京 1101 市辖区,
        河南 4190 省直辖县级行政区划); False for an unknown code."""
        division = self._by_code.get(code)
        return division is not None and _PLACEHOLDER.match(division.name) is not None

    def full_name(self, code: str) -> str:
        """Province, city and district names joined, grouping rows left out: 上海市浦东新区, 河南省郑州市."""
        names = [self._by_code[c].name for c in self.levels(code) if c and c in self._by_code]
        names = [n for n in names if not _PLACEHOLDER.match(n)]
        return "".join(n for i, n in enumerate(names) if i == 0 or n != names[i - 1])  # 东莞市 once

    def levels(self, code: str) -> tuple[str, str, str]:
        """(province, city, district) codes of a 2-, 4- or 6-digit code; "" for levels below it.

        ("", "", "") for anything that is not such a code."""
        code = (code or "").strip()
        if not code.isdigit() or len(code) not in (2, 4, 6):
            return "", "", ""
        return code[:2], code[:4] if len(code) >= 4 else "", code if len(code) == 6 else ""

    def province_of(self, code: str) -> str:
        """The province code of any division code, "" if unknown."""
        province = self.levels(code)[0]
        return province if province in self._by_code else ""

    def children(self, code: str = "") -> list[str]:
        """Codes one level down ("" → provinces), in table order."""
        return list(self._children.get(code, []))

    # -- by name ---------------------------------------------------------------------------------

    def code_of(self, name: str) -> str | None:
        """The code of a division named exactly `name`, full or short (上海, 河南省, 郑州, 浦东新区).

        Provinces win over cities, cities over districts; a district name borne by several districts
        (朝阳区, 鼓楼区) gives None. A known code is returned as it is.
        """
        name = _fold(name)
        if name in self._by_code:
            return name
        for level in (PROVINCE, CITY, DISTRICT):
            for short in (False, True):
                codes = self._named.get((level, short, name), [])
                if len(codes) == 1:
                    return codes[0]
        return None

    def from_cn_province_field(self, text: str) -> str | None:
        """The province code of a 国省代码 field as Chinese databases export it: 河南(41) → 41, also 41 or 河南."""
        folded = _fold(text)
        bracketed = re.search(r"[(（](\d{2})[)）]", folded)
        if bracketed:
            code = bracketed.group(1)
            return code if code in self._by_code else None
        if folded.isdigit():
            return folded if len(folded) == 2 and folded in self._by_code else None
        code = self.code_of(folded)
        return code if code and len(code) == 2 else None

    def from_address(self, address: str) -> str | None:
        """The deepest division an address names: a 6-digit district, else 4-digit city, else province code.

        Reads the address from its start as Chinese addresses are written (province, city, district),
        after a leading postcode and 中国; short names are accepted (上海浦东, 广东深圳). A district the
        tables do not know (郑东新区) leaves the city: 450000河南省郑州市郑东新区… → 4101. None if nothing is found.
        """
        text = _LEADING_NOISE.sub("", _fold(address)).lstrip(_SEPARATORS)
        if not text:
            return None
        top = self._match(text, 0, (PROVINCE, CITY), "") or self._search(text, 0, (PROVINCE, CITY), "")
        if top is None:  # no province or city named: a district whose name is unique in the country
            district = self._match(text, 0, (DISTRICT,), "")
            return district[0] if district else None
        code, start, end = top
        province, city = code[:2], code if len(code) == 4 else ""
        if not city:
            below = self._match(text, end, (CITY,), province) or self._search(text, end, (CITY,), province)
            if below:
                city, start, end = below
        within = city or province
        district = self._match(text, end, (DISTRICT,), within) or self._search(text, start, (DISTRICT,), within)
        return district[0] if district else city or province

    def _match(self, text: str, pos: int, levels: tuple[str, ...], within: str) -> tuple[str, int, int] | None:
        """The longest name of `levels` inside `within` at `pos` (after separators): (code, start, end)."""
        while pos < len(text) and text[pos] in _SEPARATORS:
            pos += 1
        best: tuple[int, int, str] | None = None  # (length, -level index, code)
        for rank, level in enumerate(levels):
            for entry in self._names.get((level, within), ()):
                if best is not None and len(entry.text) < best[0]:
                    break
                if (entry.shared and not within) or not text.startswith(entry.text, pos):
                    continue  # a shared name is only decided by the province or city above it
                end = pos + len(entry.text)
                if entry.short and end < len(text) and text[end] in _NOT_AFTER_SHORT:
                    continue
                if best is None or (len(entry.text), -rank) > best[:2]:
                    best = (len(entry.text), -rank, entry.code)
        return (best[2], pos, pos + best[0]) if best else None

    def _search(self, text: str, pos: int, levels: tuple[str, ...], within: str) -> tuple[str, int, int] | None:
        """The earliest full name of `levels` inside `within` anywhere from `pos`: (code, start, end)."""
        best: tuple[int, int, str] | None = None  # (start, -length, code)
        for level in levels:
            for entry in self._names.get((level, within), ()):
                if entry.short or (entry.shared and not within):
                    continue
                at = text.find(entry.text, pos)
                if at >= 0 and (best is None or (at, -len(entry.text)) < best[:2]):
                    best = (at, -len(entry.text), entry.code)
        return (best[2], best[0], best[0] - best[1]) if best else None


def _rows(name: str) -> list[dict[str, str]]:
    data = resources.files("ipcity.patents") / "data" / name
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8", newline="") as text:
        return list(csv.DictReader(io.StringIO(text.read())))


@cache
def regions() -> Regions:
    """The shipped division tables (NBS 2023 release), loaded once per process."""
    divisions = [Division(r["code"], r["name"], PROVINCE, "") for r in _rows("provinces.csv.gz")]
    divisions += [Division(code, name, PROVINCE, "") for code, name in _EXTRA_PROVINCES]
    divisions += [Division(r["code"], r["name"], CITY, r["provinceCode"]) for r in _rows("cities.csv.gz")]
    divisions += [Division(r["code"], r["name"], DISTRICT, r["cityCode"]) for r in _rows("areas.csv.gz")]
    return Regions(divisions)


def place_name(code: str) -> str:
    """The full name of a division code for a page or an export (上海市浦东新区); the code itself where the table
    has no name for it, "" for no code."""
    if not code:
        return ""
    try:
        return regions().full_name(code) or code
    except Exception:  # the shipped table could not be read: the code still says where
        return code
