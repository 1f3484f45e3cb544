"""The column layout of Chinese commercial patent databases (申请号, 公开号, 专利类型, 主分类号, 国省代码, 法律状态 …),
in the three shapes those databases hand it out: a MySQL dump (`INSERT INTO … VALUES (…)`), a CSV/TSV export
(UTF-8 or GB18030, header row of the Chinese column names) and an XLSX export. One column table (`COLUMNS`)
serves all three; columns it does not know are kept in `record.extra` under their own name. A cell that cannot be
read (a date, a count) loses its column with a warning; only a row without 公开号 / 授权公告号 is refused.

The SQL values are tokenised here (quoted strings with MySQL escapes, numbers, NULL) — never evaluated.
Also home of the mapping from legal-status wording and legal-event codes/terms to the record's buckets
(rules.md §12.3), which the Google Patents reader shares.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ipcity.patents.ingest.base import Item, Read, Rejected
from ipcity.patents.ingest.limits import DEFAULT_LIMITS, Limits, SourceRefused
from ipcity.patents.ingest.sources import (
    RecordError,
    base_name,
    bounded_lines,
    check_zip,
    clean,
    first_line,
    head_text,
    is_zip,
    open_text,
    parse_date,
    record_too_long,
    table_rows,
    to_int,
    unique,
    warn,
)
from ipcity.patents.record import (
    DESIGN,
    INVENTION,
    LAPSED,
    PENDING,
    UNKNOWN,
    UTILITY,
    VALID,
    LegalEvent,
    PatentRecord,
    Priority,
)

NAME = "cn-table"

# --- legal status and events (rules.md §12.3) ---------------------------------------------------------

# Checked in this order: lapse words first, because 有效期届满 (term expired) contains 有效 (in force).
_STATUS_WORDS = (
    (LAPSED, ("无权", "失效", "无效", "届满", "期满", "终止", "驳回", "撤回", "放弃", "未缴", "expired", "ceased",
              "withdrawn", "abandoned", "revoked", "lapsed", "rejected", "not active", "inactive")),
    (PENDING, ("审中", "实审", "实质审查", "在审", "公开", "公布", "有效期内", "pending", "published")),
    (VALID, ("有权", "有效", "授权", "active", "granted", "in force")),
)


def legal_status_bucket(text: str) -> str:
    """法律状态 wording → VALID / LAPSED / PENDING / UNKNOWN: '有权-审定授权' → valid, '无权-未缴年费' → lapsed,
    '审中-实审' → pending; Google's 'Expired - Fee Related' → lapsed, 'Active' → valid."""
    lowered = text.lower()
    for bucket, words in _STATUS_WORDS:
        if any(word in lowered for word in words):
            return bucket
    return UNKNOWN


# INPADOC/CNIPA event codes. PB01, SE01, GR01 are sourced in rules.md §12.3; the others are marked there as
# memory and only decide when the wording alone does not.
_EVENT_CODES = {
    "PB01": "publication", "PB02": "publication", "SE01": "examination", "GR01": "grant", "GR02": "grant",
    "CF01": "fee_lapse", "RJ01": "rejection", "WD01": "withdrawal", "TR01": "transfer", "EE01": "licence",
    "PE01": "pledge", "PM01": "pledge", "PC01": "pledge", "PP01": "pledge", "CP01": "name_change",
    "CP02": "name_change", "CP03": "name_change",
}
# Wording → event kind, most specific first (许可合同…变更 must not read as a name change).
_EVENT_WORDS = (
    ("fee_lapse", ("未缴年费", "年费", "non-payment", "annual fee")),
    ("expiry", ("届满", "expiry of", "expiration of term", "lifetime")),
    ("surrender", ("放弃", "surrender", "abandon")),
    ("partial_invalidation", ("部分无效", "partial invalid", "partially invalid")),
    ("invalidation", ("无效", "invalidat", "revocation", "revoked")),
    ("rejection", ("驳回", "reject", "refus")),
    ("withdrawal", ("撤回", "withdraw")),
    ("pledge", ("质押", "pledge")),
    ("licence", ("许可", "licen")),
    ("transfer", ("转移", "转让", "transfer", "assignment")),
    ("name_change", ("变更", "change of", "name change", "changed")),
    ("examination", ("实质审查", "实审", "substantive examination")),
    ("grant", ("授权", "grant")),
    ("publication", ("公布", "公开", "publication", "published")),
)


def event_kind(text: str, code: str = "") -> str:
    """A key of record.EVENT_KINDS for an event's office code and/or wording; 'other' when neither says."""
    if code.upper() in _EVENT_CODES:
        return _EVENT_CODES[code.upper()]
    lowered = text.lower()
    for kind, words in _EVENT_WORDS:
        if any(word in lowered for word in words):
            return kind
    return "other"


# --- the column table ----------------------------------------------------------------------------------

Row = dict[str, Any]
Setter = Callable[[PatentRecord, Any, str], None]
LIST_SEPARATORS = re.compile(r"[;；]")


def _list(value: Any) -> list[str]:
    text = clean(value)
    return unique(item.strip() for item in LIST_SEPARATORS.split(text)) if text else []


def _text(field: str) -> Setter:
    def set_text(record: PatentRecord, value: Any, column: str) -> None:
        text = clean(value)
        if text and not getattr(record, field):
            setattr(record, field, text)
    return set_text


def _items(field: str) -> Setter:
    def set_items(record: PatentRecord, value: Any, column: str) -> None:
        setattr(record, field, unique(getattr(record, field) + _list(value)))
    return set_items


def _day(field: str) -> Setter:
    def set_day(record: PatentRecord, value: Any, column: str) -> None:
        day = parse_date(value, column)
        if day and not getattr(record, field):
            setattr(record, field, day)
    return set_day


def _extra(key: str, kind: str = "text") -> Setter:
    def set_extra(record: PatentRecord, value: Any, column: str) -> None:
        if kind in ("int", "positive"):
            number = to_int(value, column)
            # 审查时长 0 means "not examined" (utility models), not zero days.
            if number is not None and (kind == "int" or number > 0):
                record.extra[key] = number
        elif kind == "date":
            day = parse_date(value, column)
            if day:
                record.extra[key] = day.isoformat()
        elif kind == "list":
            items = _list(value)
            if items:
                record.extra[key] = items
        else:
            text = clean(value)
            if text:
                record.extra[key] = text
    return set_extra


def _events(kind: str, text: str) -> Setter:
    """A date column (or a ;-list of dates) that records when events of one kind happened."""
    def add_events(record: PatentRecord, value: Any, column: str) -> None:
        days = [parse_date(item, column) for item in (_list(value) if isinstance(value, str) else [value])]
        record.events.extend(LegalEvent(kind, day, "", text) for day in days if day)  # all or, on an error, none
    return add_events


def _ignore(record: PatentRecord, value: Any, column: str) -> None:
    """Derivable from other columns (序号, 第一发明人 …): nothing to keep."""


def _patent_type(record: PatentRecord, value: Any, column: str) -> None:
    text = clean(value)
    if text:
        record.extra["patent_type_text"] = text
    if "外观" in text:
        record.patent_type = DESIGN
    elif "实用新型" in text:
        record.patent_type = UTILITY
    elif "发明" in text:
        record.patent_type = INVENTION


def _legal_status(record: PatentRecord, value: Any, column: str) -> None:
    text = clean(value)
    if text:
        record.legal_status_text = text
        record.legal_status = legal_status_bucket(text)


def _region(record: PatentRecord, value: Any, column: str) -> None:
    """国省代码 '河南(41)' → region_code '41', province '河南'."""
    text = clean(value)
    match = re.search(r"[（(]\s*(\d{2,6})\s*[)）]", text)
    if match:
        record.region_code = match.group(1)
        province = text[:match.start()].strip()
        if province:
            record.extra["province"] = province
    elif re.fullmatch(r"\d{2,6}", text):
        record.region_code = text
    elif text:
        record.extra["province"] = text


def _address(record: PatentRecord, value: Any, column: str) -> None:
    """申请人地址 '450000河南省郑州市…' — the database prefixes the 6-digit postcode."""
    text = clean(value)
    match = re.match(r"(\d{6})\s*(.*)", text)
    if match:
        record.extra["postcode"] = match.group(1)
        text = match.group(2)
    if text and not record.address:
        record.address = text


def _ipc_main(record: PatentRecord, value: Any, column: str) -> None:
    record.ipc_main = clean(value) or record.ipc_main


def _cpc_main(record: PatentRecord, value: Any, column: str) -> None:
    main = clean(value)
    if main:
        record.cpc = unique([main] + record.cpc)


def _priorities(record: PatentRecord, value: Any, column: str) -> None:
    record.extra["_priority_numbers"] = _list(value)


def _priority_dates(record: PatentRecord, value: Any, column: str) -> None:
    record.extra["_priority_dates"] = _list(value) if isinstance(value, str) else [value]


def _legal_events(record: PatentRecord, value: Any, column: str) -> None:
    """法律事件: ';'-separated items, each an optional date followed by the event wording."""
    events = []
    for item in _list(value):
        match = re.match(r"(\d{4}[-./]?\d{1,2}[-./]?\d{1,2})\s*[:：]?\s*(.*)", item)
        day = parse_date(match.group(1), column) if match else None
        text = match.group(2) if match else item
        events.append(LegalEvent(event_kind(text), day, "", text))
    record.events.extend(events)  # all or, on an error, none


def _full_text_link(record: PatentRecord, value: Any, column: str) -> None:
    text = clean(value)
    if text.startswith(("http://", "https://")):
        record.extra["fulltext_url"] = text


def _cited_by(record: PatentRecord, value: Any, column: str) -> None:
    record.cited_by = to_int(value, column)


def _family_size(record: PatentRecord, value: Any, column: str) -> None:
    record.family_size = to_int(value, column)


def _invalidation(record: PatentRecord, value: Any, column: str) -> None:
    """无效宣告日期: kept as an event; whether the decision was partial shows in the status (still 有权 → partial)."""
    day = parse_date(value, column)
    if day:
        kind = "partial_invalidation" if record.legal_status == VALID else "invalidation"
        record.events.append(LegalEvent(kind, day, "", "无效宣告"))


def _lapse(record: PatentRecord, value: Any, column: str) -> None:
    """失效日期: the kind of lapse is in the status wording (无权-未缴年费 → fee_lapse)."""
    day = parse_date(value, column)
    if day:
        kind = event_kind(record.legal_status_text)
        kind = kind if kind in ("fee_lapse", "expiry", "surrender", "invalidation", "rejection",
                                "withdrawal") else "other"
        record.events.append(LegalEvent(kind, day, "", "失效"))


# Column → setter. Aliases cover the spellings the big commercial databases use for the same column.
COLUMNS: dict[str, Setter] = {
    "序号": _ignore,
    "申请号": _text("app_number"),
    "申请日": _day("app_date"),
    "公开号": _text("pub_number"), "公开(公告)号": _text("pub_number"), "公开（公告）号": _text("pub_number"),
    "公告号": _text("pub_number"),
    "公开日": _day("pub_date"), "公开(公告)日": _day("pub_date"), "公开（公告）日": _day("pub_date"),
    "授权公告号": _extra("grant_number"),
    "授权公告日": _day("grant_date"), "授权日": _day("grant_date"),
    "专利类型": _patent_type,
    "专利名称": _text("title"), "发明名称": _text("title"), "标题": _text("title"), "名称": _text("title"),
    "授权名称": _extra("grant_title"),
    "申请摘要": _text("abstract"), "摘要": _text("abstract"),
    "主权项": _text("claims"), "权利要求": _text("claims"), "权利要求书": _text("claims"),
    "说明书": _text("description"),
    "申请人": _items("applicants"), "申请(专利权)人": _items("applicants"), "专利权人": _items("applicants"),
    "发明人": _items("inventors"), "发明人/设计人": _items("inventors"), "设计人": _items("inventors"),
    "申请人地址": _address, "地址": _address,
    "法律状态": _legal_status, "当前法律状态": _legal_status,
    "主分类号": _ipc_main, "IPC主分类号": _ipc_main, "IPC主分类": _ipc_main,
    "分类号": _items("ipc"), "IPC分类号": _items("ipc"), "IPC": _items("ipc"),
    "洛迦诺分类号": _items("locarno"), "外观设计洛迦诺分类号": _items("locarno"),
    "国省代码": _region,
    "专利代理人": _items("agents"), "代理人": _items("agents"),
    "专利代理机构": _text("agency"), "代理机构": _text("agency"),
    "优先权": _priorities, "优先权号": _priorities,
    "优先权日": _priority_dates,
    "优先权数量": _ignore,
    "全文链接": _full_text_link,
    "第一发明人": _ignore, "第一权利人": _ignore, "第一申请人": _ignore,
    "申请人类型": _extra("applicant_type"),
    "当前发明人": _extra("current_inventors", "list"),
    "当前权利人": _extra("current_owners", "list"),
    "当前著录项联系人通讯地址": _extra("contact_address"),
    "当前专利代理人": _extra("current_agents", "list"),
    "当前专利代理机构": _extra("current_agency"),
    "变更前代理机构": _extra("previous_agency"),
    "法律事件": _legal_events,
    "引证专利": _items("citations"),
    "非专利引证": _extra("npl_citations", "list"),
    "引证数": _extra("citation_count", "int"),
    "被引证次数": _cited_by, "被引用次数": _cited_by,
    "同族专利": _items("family"),
    "简单同族数量": _family_size, "同族数量": _family_size,
    "专利转移次数": _extra("transfer_count", "int"),
    "许可次数": _extra("licence_count", "int"),
    "质押次数": _extra("pledge_count", "int"),
    "转让日期": _events("transfer", "转让"),
    "质押日期": _events("pledge", "质押"),
    "许可日期": _events("licence", "许可"),
    "失效日期": _lapse,
    "无效宣告日期": _invalidation,
    "实质审查日": _events("examination", "实质审查的生效"),
    "CPC主分类号": _cpc_main,
    "CPC分类号": _items("cpc"), "CPC": _items("cpc"),
    "FI主分类号": _extra("fi_main"),
    "FI分类号": _extra("fi", "list"),
    "国际申请号": _extra("pct_app_number"),
    "国际申请日": _extra("pct_app_date", "date"),
    "国际公开号": _extra("pct_pub_number"),
    "国际公开日": _extra("pct_pub_date", "date"),
    "进入国家日期": _extra("national_phase_date", "date"),
    "颁证日": _extra("certificate_date", "date"),
    "审查员": _extra("examiner"),
    "审查时长": _extra("examination_days", "positive"),
}
# Applied after the columns they depend on (the lapse and invalidation kinds read the legal status).
_LATE = ("失效日期", "无效宣告日期", "CPC主分类号")
KEY_COLUMNS = ("申请号", "公开号", "公开(公告)号", "公开（公告）号", "公告号")


def _number_type(number: str) -> str | None:
    """CN publication number type digit (rules.md §12.2): 1 invention, 2 utility model, 3 design."""
    match = re.match(r"CN([123])\d{5,}", number)
    return {"1": INVENTION, "2": UTILITY, "3": DESIGN}[match.group(1)] if match else None


def row_to_record(row: Row, warnings: list[str] | None = None) -> PatentRecord:
    """One table row (column name → cell) as a PatentRecord. A cell that cannot be read loses its column: with
    `warnings`, a warning naming the column; without, RecordError naming it. A row without a publication number
    is RecordError either way."""
    record = PatentRecord(pub_number="")
    names = [name for name in row if name not in _LATE] + [name for name in _LATE if name in row]
    for name in names:
        value = row[name]
        setter = COLUMNS.get(name)
        if setter is not None:
            try:
                setter(record, value, name)  # setters read the cell whole before they set anything
            except RecordError as exc:
                warn(warnings, exc)
        elif clean(value):
            record.extra[name] = value if isinstance(value, int | float) else clean(value)
    if not record.pub_number:
        record.pub_number = record.extra.get("grant_number", "")
    if not record.pub_number:
        raise RecordError("缺少公开号（公开号 / 授权公告号 均为空）",
                          "publication number missing (公开号 and 授权公告号 are both empty)")
    record.pub_number = re.sub(r"\s+", "", record.pub_number).upper()
    # Some databases leave out the office of their own (Chinese) numbers: 218751475U, 202223220665.2.
    if record.pub_number[:1].isdigit():
        record.pub_number = "CN" + record.pub_number
    if re.fullmatch(r"\d{8}(\d{4})?\.[\dX]", record.app_number):
        record.app_number = "CN" + record.app_number
    if record.extra.get("grant_number") == record.pub_number:
        del record.extra["grant_number"]
    if record.extra.get("grant_title") == record.title:
        del record.extra["grant_title"]
    record.office = re.match(r"[A-Z]*", record.pub_number).group(0)[:2]
    kind = re.search(r"[A-Z]\d?$", record.pub_number[2:])
    record.kind = kind.group(0) if kind else ""
    record.patent_type = record.patent_type or _number_type(record.pub_number)
    record.lang = "zh"
    record.source = NAME
    _assemble_priorities(record, warnings)
    if record.ipc_main:
        record.ipc = unique([record.ipc_main] + record.ipc)
    elif record.ipc:
        record.ipc_main = record.ipc[0]
    return record


def _assemble_priorities(record: PatentRecord, warnings: list[str] | None) -> None:
    numbers = record.extra.pop("_priority_numbers", [])
    days = record.extra.pop("_priority_dates", [])
    for index, number in enumerate(numbers):
        day = parse_date(days[index], "优先权日", warnings) if index < len(days) else None  # the number stays
        country = re.match(r"[A-Z]{2}", number)
        record.priorities.append(Priority(number, day, country.group(0) if country else ""))


# --- SQL dump -------------------------------------------------------------------------------------------

_CREATE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[`\"]?([^`\"\s(]+)[`\"]?\s*\(", re.I)
_INSERT = re.compile(r"INSERT\s+(?:IGNORE\s+)?INTO\s+[`\"]?([^`\"\s(]+)[`\"]?\s*(\(([^)]*)\))?\s*VALUES\s*", re.I)
_NEW_STATEMENT = re.compile(r"INSERT\s+(?:IGNORE\s+)?INTO\s", re.I)
_COLUMN_DEF = re.compile(r"^\s*`([^`]+)`", re.M)
_SPECIAL = re.compile(r"\\.|'|;", re.S)
_VALUE = re.compile(r"""\s*(?:
      '(?P<str>(?:[^'\\]+|\\.|'')*)'
    | (?P<num>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<null>NULL)\b
    | (?P<hex>0x[0-9A-Fa-f]+)
    )\s*""", re.X | re.S | re.I)
_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "%": "\\%", "_": "\\_"}


def _unescape(text: str) -> str:
    """MySQL string escapes: \\n, \\t, \\', \\\\, … and a doubled quote."""
    text = text.replace("''", "'")
    if "\\" not in text:
        return text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text, flags=re.S)


def _statements(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[int, str | RecordError]]:
    """(first line, text) of each SQL statement, splitting at ';' outside quoted strings; comments skipped.
    A line that begins a new INSERT also ends an unfinished statement: dumps escape line breaks inside strings,
    so this only happens after a broken row, and it keeps one broken row from swallowing the rest of the file.
    A statement longer than the record limit is (first line, RecordError), its text dropped as it comes."""
    buffer: list[str] = []
    start, in_quote, in_comment = 0, False, False
    size, too_long = 0, None  # too_long: the first line of a statement being dropped
    with open_text(path, limits=limits) as stream:
        for number, line in bounded_lines(stream, limits.record_bytes):
            if line is None:  # a line beyond the limit: its statement is lost (quotes inside it unknown)
                too_long = too_long or (start if buffer else number)
                buffer, in_quote = [], False
                continue
            if too_long is not None and not buffer and _NEW_STATEMENT.match(line):
                yield too_long, record_too_long(limits.record_bytes)
                too_long, size = None, 0
            if buffer and _NEW_STATEMENT.match(line):
                yield start, "".join(buffer)
                buffer, in_quote, size = [], False, 0
            if not buffer:
                stripped = line.lstrip()
                if in_comment or stripped.startswith("/*"):
                    in_comment = "*/" not in stripped
                    continue
                if not stripped or stripped.startswith(("--", "#")):
                    continue
                start = number
            position = 0
            for match in _SPECIAL.finditer(line):
                token = match.group(0)
                if token == "'":
                    in_quote = not in_quote
                elif token == ";" and not in_quote:
                    buffer.append(line[position:match.end()])
                    if too_long is not None:
                        yield too_long, record_too_long(limits.record_bytes)
                        too_long = None
                    else:
                        yield start, "".join(buffer)
                    buffer, position, start, size = [], match.end(), number, 0
            rest = line[position:]
            if rest.strip() or buffer:
                buffer.append(rest)
                size += len(rest)
                if size > limits.record_bytes:
                    too_long = too_long or start
                    buffer = [" "]  # keep "inside a statement", drop its text
    if too_long is not None:
        yield too_long, record_too_long(limits.record_bytes)
    elif buffer and "".join(buffer).strip():
        yield start, "".join(buffer)


def _tuples(statement: str, start: int) -> Iterator[tuple[int, list[Any] | RecordError]]:
    """(line, values) of each `( … )` after VALUES, or (line, RecordError) where a tuple cannot be read."""
    insert = _INSERT.search(statement)
    position = insert.end() if insert else len(statement)
    line = start + statement.count("\n", 0, position)
    while position < len(statement):
        while position < len(statement) and statement[position] in " \t\r\n,":
            if statement[position] == "\n":
                line += 1
            position += 1
        if position >= len(statement) or statement[position] == ";":
            return
        if statement[position] != "(":
            yield line, RecordError(f"第 {line} 行：VALUES 后应为 '('", f"line {line}: expected '(' after VALUES")
            return
        values, end, error = _read_tuple(statement, position + 1)
        yield line, error if error else values
        if error:
            return
        line += statement.count("\n", position, end)
        position = end


def _read_tuple(statement: str, position: int) -> tuple[list[Any], int, RecordError | None]:
    values: list[Any] = []
    while True:
        match = _VALUE.match(statement, position)
        if not match:
            snippet = statement[position:position + 30].strip()
            return values, position, RecordError(
                f"第 {len(values) + 1} 个值无法解析（未闭合的字符串或非法字面量）：{snippet}",
                f"value {len(values) + 1} cannot be read (unterminated string or bad literal): {snippet}")
        if match.group("str") is not None:
            values.append(_unescape(match.group("str")))
        elif match.group("num") is not None:
            number = match.group("num")
            values.append(int(number) if re.fullmatch(r"[-+]?\d+", number) else float(number))
        elif match.group("hex") is not None:
            values.append(match.group("hex"))
        else:
            values.append(None)
        position = match.end()
        if position < len(statement) and statement[position] == ",":
            position += 1
            continue
        if position < len(statement) and statement[position] == ")":
            return values, position + 1, None
        return values, position, RecordError("值之间缺少 ',' 或 ')'", "expected ',' or ')' between values")


def _sql_rows(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[int, Row | RecordError]]:
    tables: dict[str, list[str]] = {}
    for start, statement in _statements(path, limits):
        if isinstance(statement, RecordError):
            yield start, statement
            continue
        create = _CREATE.match(statement.lstrip())
        if create:
            body = statement[create.end():]
            tables[create.group(1)] = _COLUMN_DEF.findall(body)
            continue
        insert = _INSERT.match(statement.lstrip())
        if not insert:
            continue
        table = insert.group(1)
        columns = ([c.strip().strip("`\"") for c in insert.group(3).split(",")] if insert.group(3)
                   else tables.get(table))
        for line, values in _tuples(statement, start):
            if isinstance(values, RecordError):
                yield line, values
            elif columns is None:
                yield line, RecordError(f"表 {table} 的列名未知（缺少 CREATE TABLE）",
                                        f"columns of table {table} unknown (no CREATE TABLE before the INSERT)")
            elif len(values) != len(columns):
                yield line, RecordError(f"有 {len(values)} 个值，表 {table} 有 {len(columns)} 列",
                                        f"row has {len(values)} values, table {table} has {len(columns)} columns")
            else:
                yield line, dict(zip(columns, values, strict=True))


# --- CSV / TSV and XLSX ---------------------------------------------------------------------------------

def _xlsx_rows(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[int, Row | RecordError]]:
    from openpyxl import load_workbook  # only XLSX input needs it

    check_zip(path, limits)  # an XLSX is a ZIP: openpyxl would expand a bomb (shared strings) in memory
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        header: list[str] | None = None
        for line, cells in enumerate(workbook.active.iter_rows(values_only=True), start=1):
            if header is None:
                if any(c is not None for c in cells):
                    header = [str(c).strip() if c is not None else "" for c in cells]
                continue
            if all(c is None or str(c).strip() == "" for c in cells):
                continue
            row = {name: value for name, value in zip(header, cells, strict=False) if name}
            yield line, {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
    finally:
        workbook.close()


def _xlsx_header(path: Path) -> list[str]:
    from openpyxl import load_workbook

    try:
        check_zip(path)  # a bomb is refused (SourceRefused), not sniffed
        workbook = load_workbook(path, read_only=True, data_only=True)
    except SourceRefused:
        raise
    except Exception:  # noqa: BLE001 - any unreadable workbook simply is not ours
        return []
    try:
        for cells in workbook.active.iter_rows(values_only=True, max_row=5):
            if any(c is not None for c in cells):
                return [str(c).strip() for c in cells if c is not None]
        return []
    finally:
        workbook.close()


def _has_key_columns(names: list[str] | str) -> bool:
    return "申请号" in names and any(key in names for key in KEY_COLUMNS[1:])


class CnTableReader:
    name = NAME
    description = "中国商业专利数据库字段表（MySQL 导出 .sql、CSV/TSV、XLSX）/ CN commercial-database column layout"

    def sniff(self, path: Path) -> bool:
        name = base_name(path)
        if name.endswith(".xlsx"):
            return is_zip(path) and _has_key_columns(_xlsx_header(path))
        if name.endswith(".sql"):
            head = head_text(path)
            return bool(re.search(r"INSERT\s+INTO|CREATE\s+TABLE", head, re.I)) and _has_key_columns(head)
        if name.endswith((".csv", ".tsv", ".txt")):
            return _has_key_columns(first_line(path))
        return False

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        name = base_name(path)
        rows = _xlsx_rows(path, limits) if name.endswith(".xlsx") else (
            _sql_rows(path, limits) if name.endswith(".sql") else table_rows(path, limits=limits))
        for line, row in rows:
            if isinstance(row, RecordError):
                yield Rejected(line, str(row))
                continue
            warnings: list[str] = []
            try:
                record = row_to_record(row, warnings)
            except RecordError as exc:
                yield Rejected(line, str(exc))
                continue
            yield Read(record, line, tuple(warnings))
