"""The normalised patent record — one per publication — and its parts.

Plain dataclasses, no web and no SQL: readers produce them, the normaliser cleans them, the store
and the search backends consume them. The field layout follows the column layout of Chinese
commercial patent databases (申请号, 公开号, 专利类型, 主分类号, 分类号, 申请人地址, 国省代码, 法律状态 …).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ipcity.core.numbers import DESIGN, INVENTION, UTILITY

# 专利类型 (Patent Law Art 2): INVENTION, UTILITY, DESIGN live with the number rules in core.numbers.
PATENT_TYPES = (INVENTION, UTILITY, DESIGN)

# Normalised legal status (法律状态) buckets; the raw text is kept beside it.
VALID = "valid"  # 有效 / 有权
LAPSED = "lapsed"  # 失效 / 无权 (terminated, expired, withdrawn, rejected, invalidated)
PENDING = "pending"  # 审中 (published, under examination)
UNKNOWN = "unknown"
LEGAL_STATUSES = (VALID, LAPSED, PENDING, UNKNOWN)

# Kinds of legal event (rules.md §12.3), each with the CNIPA Chinese term it normalises.
EVENT_KINDS = {
    "publication": "公布",
    "examination": "实质审查的生效",
    "grant": "授权",
    "rejection": "驳回",
    "withdrawal": "撤回",
    "fee_lapse": "未缴年费专利权终止",
    "expiry": "专利权有效期届满",
    "surrender": "专利权的主动放弃",
    "invalidation": "专利权全部无效",
    "partial_invalidation": "专利权部分无效",
    "transfer": "专利申请权、专利权的转移",
    "name_change": "专利权人的姓名或者名称、地址的变更",
    "licence": "专利实施许可合同备案的生效、变更及注销",
    "pledge": "专利权质押合同登记的生效、变更及注销",
    "other": "其他",
}


@dataclass
class Priority:
    number: str
    date: date | None = None
    country: str = ""


@dataclass
class LegalEvent:
    kind: str  # a key of EVENT_KINDS
    date: date | None = None
    code: str = ""  # office code where the source gives one (e.g. INPADOC PB01, GR01)
    text: str = ""  # the source's own wording


@dataclass
class PatentRecord:
    pub_number: str  # normalised publication number with kind code, e.g. CN218751475U — the key
    office: str = ""  # publishing office, ISO 3166 alpha-2 or WO/EP
    kind: str = ""  # kind code, e.g. A, B, U, S, B2
    patent_type: str | None = None  # INVENTION / UTILITY / DESIGN
    app_number: str = ""  # normalised application number, e.g. CN202223220665.2
    app_date: date | None = None
    pub_date: date | None = None
    grant_date: date | None = None
    priorities: list[Priority] = field(default_factory=list)
    title: str = ""
    abstract: str = ""
    claims: str = ""
    description: str = ""
    lang: str = ""  # language of the text fields: zh / en / …
    ipc_main: str = ""  # normalised IPC symbol, e.g. H01M10/0525
    ipc: list[str] = field(default_factory=list)  # all IPC symbols, main first
    cpc: list[str] = field(default_factory=list)
    locarno: list[str] = field(default_factory=list)  # Locarno class-subclass for designs, e.g. 14-03
    applicants: list[str] = field(default_factory=list)  # as published
    inventors: list[str] = field(default_factory=list)
    address: str = ""  # first applicant's address (申请人地址)
    region_code: str = ""  # administrative division code: 2 (province), 4 (city) or 6 (district) digits
    agency: str = ""  # 专利代理机构
    agents: list[str] = field(default_factory=list)  # 专利代理人
    legal_status: str = UNKNOWN  # one of LEGAL_STATUSES
    legal_status_text: str = ""  # the source's wording, e.g. 有权-审定授权
    events: list[LegalEvent] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)  # publication numbers this one cites
    cited_by: int | None = None  # times cited, where the source counts it
    family: list[str] = field(default_factory=list)  # family members' publication numbers
    family_size: int | None = None
    source: str = ""  # reader that produced the record, e.g. uspto-xml, cn-table
    extra: dict[str, Any] = field(default_factory=dict)  # source fields with no column of their own

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings) — the documented JSONL format is exactly this."""
        # Field by field rather than dataclasses.asdict: asdict deep-copies, and ingest calls this per record.
        out: dict[str, Any] = {}
        for name in _FIELD_NAMES:
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            elif name == "priorities":
                value = [{"number": p.number, "date": p.date.isoformat() if p.date else None, "country": p.country}
                         for p in value]
            elif name == "events":
                value = [{"kind": e.kind, "date": e.date.isoformat() if e.date else None, "code": e.code,
                          "text": e.text} for e in value]
            elif isinstance(value, list):
                value = list(value)
            elif isinstance(value, dict):
                value = _jsonable(value)
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PatentRecord:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        values = dict(data)
        for name in ("app_date", "pub_date", "grant_date"):
            values[name] = _date(values.get(name))
        values["priorities"] = [Priority(p["number"], _date(p.get("date")), p.get("country", ""))
                                for p in values.get("priorities") or []]
        values["events"] = [LegalEvent(e["kind"], _date(e.get("date")), e.get("code", ""), e.get("text", ""))
                            for e in values.get("events") or []]
        return cls(**values)


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(PatentRecord))
