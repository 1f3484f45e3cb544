"""Searchable fields, their kinds, and the names a searcher may use for them.

The codes follow the field codes of the CNIPA patent search system and of the commercial databases
examiners use (TI, AB, CL, PA, IN, IPC, AN, PN, AD, PD …); the Chinese names are those of the CNIPA
advanced-search form (发明名称, 摘要, 申请（专利权）人 …). Both are accepted, case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT = "text"  # tokenised, ranked with BM25
KEYWORD = "keyword"  # exact value after normalisation (names, numbers, codes); `*` for prefix
DATE = "date"  # YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD; comparisons and ranges


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    aliases: tuple[str, ...]
    label_zh: str
    label_en: str


FIELDS: tuple[Field, ...] = (
    Field("title", TEXT, ("TI", "发明名称", "名称", "标题"), "发明名称", "Title"),
    Field("abstract", TEXT, ("AB", "摘要"), "摘要", "Abstract"),
    Field("claims", TEXT, ("CL", "权利要求", "权利要求书", "主权项"), "权利要求", "Claims"),
    Field("description", TEXT, ("DE", "DS", "说明书"), "说明书", "Description"),
    Field("tac", TEXT, ("TX", "TAC", "关键词", "标题摘要权利要求"), "标题、摘要、权利要求", "Title, abstract, claims"),
    Field("fulltext", TEXT, ("FT", "全文"), "全文", "Full text"),
    Field("applicant", KEYWORD, ("PA", "AP", "申请人", "申请（专利权）人", "申请(专利权)人", "专利权人", "权利人"),
          "申请（专利权）人", "Applicant"),
    Field("inventor", KEYWORD, ("IN", "发明人", "设计人"), "发明人", "Inventor"),
    Field("agency", KEYWORD, ("AGC", "代理机构", "专利代理机构"), "专利代理机构", "Patent agency"),
    Field("ipc", KEYWORD, ("IPC", "IC", "分类号", "IPC分类号"), "IPC分类号", "IPC"),
    Field("ipc_main", KEYWORD, ("MC", "MIPC", "主分类号"), "主分类号", "Main IPC"),
    Field("cpc", KEYWORD, ("CPC", "CPC分类号"), "CPC分类号", "CPC"),
    Field("locarno", KEYWORD, ("LOC", "外观设计分类号", "洛迦诺分类号"), "外观设计分类号", "Locarno class"),
    Field("app_number", KEYWORD, ("AN", "APN", "申请号"), "申请号", "Application number"),
    Field("pub_number", KEYWORD, ("PN", "公开号", "公告号", "公开（公告）号", "公开(公告)号"), "公开（公告）号",
          "Publication number"),
    Field("type", KEYWORD, ("PT", "专利类型"), "专利类型", "Patent type"),
    Field("status", KEYWORD, ("LS", "法律状态"), "法律状态", "Legal status"),
    Field("region", KEYWORD, ("RC", "国省代码", "地区", "区划代码"), "地区", "Region"),
    Field("office", KEYWORD, ("CC", "受理局", "国家"), "受理局", "Office"),
    Field("app_date", DATE, ("AD", "申请日"), "申请日", "Application date"),
    Field("pub_date", DATE, ("PD", "公开日", "公告日", "公开（公告）日", "公开(公告)日"), "公开（公告）日",
          "Publication date"),
    Field("grant_date", DATE, ("GD", "授权日", "授权公告日"), "授权公告日", "Grant date"),
)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
_ALIASES: dict[str, Field] = {}
for _f in FIELDS:
    _ALIASES[_f.name.upper()] = _f
    for _a in _f.aliases:
        _ALIASES[_a.upper()] = _f

# What a term without a field searches: title, abstract and claims.
DEFAULT_FIELD = "tac"
# What the text fields are made of, for "tac" and "fulltext" (each a field of its own in the index).
COMPOSITE = {"tac": ("title", "abstract", "claims"), "fulltext": ("title", "abstract", "claims", "description")}
# BM25 boosts when a composite field is searched: a hit in the title counts most.
BOOSTS = {"title": 3.0, "abstract": 1.5, "claims": 1.0, "description": 0.5}


def lookup(name: str) -> Field | None:
    """The field a searcher means by `name` (a code, a Chinese name or the canonical name)."""
    return _ALIASES.get(name.strip().upper())
