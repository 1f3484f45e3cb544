"""Exports from the patent search services used in landscape work (WIPO Manual on Open Source Patent Analytics):
PATENTSCOPE, WIPO landscape-report tables, Lens (family export and the cleaned title/abstract/claims set),
Derwent Innovations Index (JSON lines, or the Web of Science tagged `.ciw` text it was parsed from) and
Thomson Innovation.

Each is a table (or tagged records) with its own column names, list separators and date forms; one reader
class per format turns its rows into PatentRecords, cleaning only what the format requires (compact or padded
IPC forms, separators, number spacing). Sniffing is by header: the column names of each export are distinctive.
A cell that cannot be read (a date, a count, a wrongly typed JSON value) loses that field with a warning; only a
row without a publication number is refused.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from ipcity.core.numbers import NumberError, check_digit, parse_cn_application
from ipcity.patents.ingest.base import Item, Read, Rejected
from ipcity.patents.ingest.limits import DEFAULT_LIMITS, Limits
from ipcity.patents.ingest.sources import (
    RecordError,
    base_name,
    bounded_lines,
    clean,
    compact_number,
    first_line,
    head_text,
    header_key,
    left_out,
    open_text,
    parse_date,
    parse_date_lenient,
    record_too_long,
    split_list,
    table_rows,
    to_int,
    unique,
)
from ipcity.patents.record import DESIGN, INVENTION, UTILITY, PatentRecord, Priority

Row = dict[str, str]
Notes = list[str]  # warnings of one record: the fields left out

# --- shared cleaning ----------------------------------------------------------------------------------

_IPC_PADDED = re.compile(r"([A-H]\d{2}[A-Z])[\s-]*0*(\d+)\s*/\s*(\d+)")
_IPC_COMPACT = re.compile(r"([A-H]\d{2}[A-Z])(\d{3})(\d{2,})?")


def _ipc(subclass: str, group: int, subgroup: str) -> str:
    # Main group 0 ('B64C-000/00', 'A61K000') is how these exports write a symbol known to its subclass only.
    return subclass if group == 0 and not subgroup.strip("0") else f"{subclass} {group}/{subgroup}"


def ipc_from_padded(symbol: str) -> str:
    """Thomson/Derwent write IPC with a zero-padded main group: 'A61K-0031/12', 'A63H-030/04' → 'A61K 31/12';
    'B64C-000/00' → 'B64C'."""
    match = _IPC_PADDED.fullmatch(symbol.strip())
    return _ipc(match.group(1), int(match.group(2)), match.group(3)) if match else symbol.strip()


def ipc_from_compact(symbol: str) -> str:
    """The WIPO landscape tables write IPC without separators, main group in 3 places: 'C07D41700' → 'C07D 417/00',
    'A61K031426' → 'A61K 31/426', 'A61K000' → 'A61K'."""
    match = _IPC_COMPACT.fullmatch(symbol.strip())
    if not match or (match.group(3) is None and int(match.group(2))):
        return symbol.strip()
    return _ipc(match.group(1), int(match.group(2)), match.group(3) or "")


def _office(number: str) -> str:
    return number[:2] if number[:2].isalpha() else ""


def _kind_of(number: str) -> str:
    match = re.search(r"\d([A-Z]\d?)$", number)
    return match.group(1) if match else ""


def _type_from(number: str, kind: str) -> str | None:
    """Patent type where the number or kind code says it: CN type digit (rules.md §12.2), utility-model kinds
    U/Y, US design kind S."""
    match = re.match(r"CN([123])\d{5,}", number)
    if match:
        return {"1": INVENTION, "2": UTILITY, "3": DESIGN}[match.group(1)]
    if kind[:1] in ("U", "Y") and _office(number) not in ("US",):
        return UTILITY
    if kind[:1] == "S" and _office(number) == "US":
        return DESIGN
    return None


def _bool(value: str) -> bool | None:
    text = clean(value).lower()
    return True if text in ("yes", "true", "y", "1") else (False if text in ("no", "false", "n") else None)


def _table_read(path: Path, build: Callable[[Row, Notes], PatentRecord], *, tsv_quoting: int = csv.QUOTE_MINIMAL,
                limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
    for line, row in table_rows(path, keys=True, tsv_quoting=tsv_quoting, limits=limits):
        if isinstance(row, RecordError):
            yield Rejected(line, str(row))
            continue
        notes: Notes = []
        try:
            record = build(row, notes)
        except RecordError as exc:  # no publication number: nothing to keep the other cells under
            yield Rejected(line, str(exc))
            continue
        yield Read(record, line, tuple(notes))


def _header_keys(path: Path) -> set[str]:
    line = first_line(path)
    separator = max(("\t", ","), key=line.count)
    return {header_key(cell.strip().strip('"')) for cell in line.split(separator)}


def _require(number: str, column: str) -> str:
    if not number:
        raise RecordError(f"缺少公开号（{column} 为空）", f"publication number missing ({column} is empty)")
    return number


# --- PATENTSCOPE ---------------------------------------------------------------------------------------

_PS_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T[\d:.]+Z?|\d{1,2}\.\d{1,2}\.\d{4}")


def patentscope_priority(entry: str) -> Priority | None:
    """One item of PATENTSCOPE's priority_data list. Seen forms: '9800760 1998-01-14T23:59:59.000Z GB',
    '60/236,105 28.09.2000 US', '60/236 105  US' (no date), 'US 20030707 60/485,616' (country, YYYYMMDD,
    number), 'US20020299537' (number only)."""
    tokens = entry.split()
    if not tokens:
        return None
    if len(tokens) >= 3 and re.fullmatch(r"[A-Z]{2}", tokens[0]) and re.fullmatch(r"\d{8}", tokens[1]):
        return Priority(" ".join(tokens[2:]), parse_date_lenient(tokens[1]), tokens[0])
    country = tokens.pop() if len(tokens) > 1 and re.fullmatch(r"[A-Z]{2}", tokens[-1]) else ""
    day = None
    for index, token in enumerate(tokens):
        if _PS_DATE.fullmatch(token):
            day = parse_date_lenient(token)
            tokens = tokens[:index]
            break
    number = " ".join(tokens)
    return Priority(number, day, country or _office(number)) if number else None


def _patentscope_record(row: Row, notes: Notes) -> PatentRecord:
    raw = clean(row.get("publication_number"))
    number = compact_number(raw.rstrip("*"))
    record = PatentRecord(pub_number=_require(number, "publication_number"), office=_office(number),
                          kind=_kind_of(number), lang="en", source="patentscope")
    if raw != number:  # PATENTSCOPE lists some documents twice, once with a lower-case office (es2228454)
        record.extra["number_as_published"] = raw
    record.pub_date = parse_date(row.get("publication_date"), "publication_date", notes)
    record.title = clean(row.get("title"))
    priorities = clean(row.get("priority_data")).strip("[]")
    record.priorities = [p for p in (patentscope_priority(e) for e in priorities.split(", ")) if p]
    # IPC items may carry IPCR flags after the symbol ('A47G 19/02 20060101AFI20061115BHGB'); the list repeats.
    record.ipc = unique(" ".join(item.split()[:2]) for item in split_list(row.get("ipc"), ";"))
    record.ipc_main = record.ipc[0] if record.ipc else ""
    record.applicants = split_list(row.get("applicants"), ";")
    record.inventors = split_list(row.get("inventors"), ";")
    record.patent_type = _type_from(number, record.kind)
    if clean(row.get("source_file")):
        record.extra["source_file"] = clean(row.get("source_file"))
    return record


class PatentscopeReader:
    name = "patentscope"
    description = "PATENTSCOPE 检索结果导出 / WIPO PATENTSCOPE result export (TSV/CSV)"
    _columns = {"publication_number", "publication_date", "priority_data", "ipc", "applicants"}

    def sniff(self, path: Path) -> bool:
        return self._columns <= _header_keys(path)

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        return _table_read(path, _patentscope_record, tsv_quoting=csv.QUOTE_NONE, limits=limits)


# --- WIPO patent landscape report table ----------------------------------------------------------------

def _landscape_record(row: Row, notes: Notes) -> PatentRecord:
    kind = clean(row.get("kind_code"))
    number = compact_number(row.get("publication_number", ""))
    record = PatentRecord(pub_number=_require(number + kind if number else "", "publication number"),
                          office=_office(number), kind=kind, lang="en", source="wipo-landscape")
    record.title = clean(row.get("title"))
    record.pub_date = parse_date(row.get("publication_date"), "publication date", notes)
    record.app_date = parse_date(row.get("application_date"), "application date", notes)
    priority = compact_number(row.get("priority_document", ""))
    if priority:
        record.priorities = [Priority(priority, parse_date_lenient(row.get("earliest_priority_date")),
                                      _office(priority))]
    record.applicants = split_list(row.get("applicant"), "|")
    # Inventors are 'NAME    CC' (name, run of spaces, country code) or just the name.
    record.inventors = unique(re.split(r"\s{2,}", item)[0] for item in split_list(row.get("inventors"), "|"))
    record.ipc = unique(ipc_from_compact(s) for s in split_list(row.get("ipc_classes"), "|"))
    record.ipc_main = record.ipc[0] if record.ipc else ""
    record.family = split_list(row.get("family_members"), "|")
    record.family_size = to_int(row.get("family_size"), "family size", notes)
    record.patent_type = _type_from(number, kind)
    second = to_int(row.get("family_size_2"), "family size", notes)
    if second is not None:
        record.extra["family_size_2"] = second  # the table repeats the column; its meaning is not documented
    for key, column in (("wo_in_family", "wo_in_family"), ("granted", "granted_patent")):
        flag = _bool(row.get(column, ""))
        if flag is not None:
            record.extra[key] = flag
    family_type = clean(row.get("grant_or_application_type_families"))
    if family_type:
        record.extra["family_type"] = family_type
    return record


class WipoLandscapeReader:
    name = "wipo-landscape"
    description = "WIPO 专利态势报告数据表 / WIPO patent landscape report table (CSV)"
    _columns = {"publication_number", "kind_code", "priority_document", "ipc_classes", "family_members"}

    def sniff(self, path: Path) -> bool:
        return self._columns <= _header_keys(path)

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        return _table_read(path, _landscape_record, limits=limits)


# --- Lens ----------------------------------------------------------------------------------------------

def lens_priority(entry: str) -> Priority | None:
    """'FR 1051751 A 20100311' (country, number — may contain spaces —, kind, YYYYMMDD)."""
    tokens = entry.split()
    if len(tokens) < 2:
        return None
    day = parse_date_lenient(tokens[-1]) if re.fullmatch(r"\d{8}", tokens[-1]) else None
    body = tokens[:-1] if day else tokens
    return Priority("".join(body), day, _office(body[0]))


_LENS_TYPES = {"design right": DESIGN, "granted patent": INVENTION, "patent application": INVENTION,
               "limited patent": INVENTION, "ammended patent": INVENTION, "amended patent": INVENTION,
               "statutory invention registration": INVENTION}


# Lens appends the date to corrections: 'EP 0259054 B9 20031217'.
_LENS_DATED = re.compile(r"(.*\S)\s+(?:19|20)\d{6}")


def _lens_record(row: Row, notes: Notes) -> PatentRecord:
    raw = clean(row.get("publication_number"))
    dated = _LENS_DATED.fullmatch(raw)
    number = compact_number(dated.group(1) if dated else raw)
    kind = clean(row.get("kind"))
    record = PatentRecord(pub_number=_require(number, "Publication Number"),
                          office=clean(row.get("jurisdiction")) or _office(number), kind=kind, source="lens")
    record.pub_date = parse_date(row.get("publication_date"), "Publication Date", notes)
    record.app_number = compact_number(row.get("application_number", ""))
    record.app_date = parse_date(row.get("application_date"), "Application Date", notes)
    record.priorities = [p for p in (lens_priority(e) for e in split_list(row.get("priority_numbers"), ";;")) if p]
    record.title = clean(row.get("title"))
    record.applicants = split_list(row.get("applicants"), ";;")
    record.inventors = split_list(row.get("inventors"), ";;")
    record.cpc = split_list(row.get("cpc_classifications"), ";;")
    record.ipc = split_list(row.get("ipcr_classifications"), ";;")
    record.ipc_main = record.ipc[0] if record.ipc else ""
    record.cited_by = to_int(row.get("cited_count"), "Cited Count", notes)
    record.family_size = to_int(row.get("simple_family_size"), "Simple Family Size", notes)
    document_type = clean(row.get("type"))
    record.patent_type = _type_from(number, kind) or _LENS_TYPES.get(document_type.lower())
    extra = {
        "lens_id": clean(row.get("lens_id")),
        "url": clean(row.get("url")),
        "document_type": document_type,
        "number_as_published": raw if dated else None,
        "extended_family_size": to_int(row.get("extended_family_size"), "Extended Family Size", notes),
        "sequence_count": to_int(row.get("sequence_count"), "Sequence Count", notes) or None,
        "uspc": split_list(row.get("us_classifications"), ";;"),
        "pubmed_ids": split_list(row.get("pubmed_id_s"), ";;"),
        "dois": split_list(row.get("doi_s"), ";;"),
        "npl_citations": split_list(row.get("non_patent_citations"), ";;"),
    }
    record.extra = {k: v for k, v in extra.items() if v not in (None, "", [])}
    return record


class LensReader:
    name = "lens"
    description = "Lens 专利（同族）导出 / The Lens patent (family) export (CSV, ;;-separated lists)"
    _columns = {"jurisdiction", "kind", "publication_number", "lens_id", "priority_numbers"}

    def sniff(self, path: Path) -> bool:
        return self._columns <= _header_keys(path)

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        return _table_read(path, _lens_record, limits=limits)


def _lens_tac_record(row: Row, notes: Notes) -> PatentRecord:
    number = compact_number(row.get("publication_number", ""))
    record = PatentRecord(pub_number=_require(number, "publication_number"),
                          office=clean(row.get("publication_country_code")) or _office(number),
                          kind=_kind_of(number), source="lens-tac")
    record.pub_date = parse_date(row.get("publication_date"), "publication_date", notes)
    record.title = clean(row.get("title"))
    record.applicants = split_list(row.get("applicants_use_me"), ";")
    record.inventors = split_list(row.get("inventors_useme"), ";")
    record.cpc = split_list(row.get("cpc_codes_useme"), ";")
    record.ipc = split_list(row.get("ipc_codes"), ";")
    record.ipc_main = record.ipc[0] if record.ipc else ""
    # priority_numbers is a '; '-list; only the years of the priorities are given, as a parallel list.
    record.priorities = [Priority(compact_number(n), None, _office(compact_number(n)))
                         for n in split_list(row.get("priority_numbers"), ";")]
    record.cited_by = to_int(row.get("cited_count"), "cited_count", notes)
    record.patent_type = _type_from(number, record.kind)
    years = (to_int(y, "priority_year", notes) for y in split_list(row.get("priority_year"), ";"))
    extra = {
        "organisations": split_list(row.get("applicants_organisations_only"), ";"),
        "priority_years": [y for y in years if y is not None],
        "extended_family_size": to_int(row.get("extended_family_size"), "extended_family_size", notes),
        "ipc_short": split_list(row.get("ipc_short"), ";"),
        "title_phrases": split_list(row.get("title_phrases"), ";"),
        "dois": split_list(row.get("dois"), ";"),
        "npl_citations": split_list(row.get("non_patent_citations"), ";"),
        "url": clean(row.get("url")),
    }
    record.extra = {k: v for k, v in extra.items() if v not in (None, "", [])}
    return record


class LensTacReader:
    name = "lens-tac"
    description = "Lens 题录摘要权利要求集（名称已清洗）/ Lens title-abstract-claims set with cleaned names (CSV)"
    _columns = {"applicants_use_me", "inventors_useme", "cpc_codes_useme", "publication_number"}

    def sniff(self, path: Path) -> bool:
        return self._columns <= _header_keys(path)

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        return _table_read(path, _lens_tac_record, limits=limits)


# --- Derwent Innovations Index -------------------------------------------------------------------------

def _derwent_details(lines: list[str]) -> dict[str, list[str]]:
    """PD/AD lines ('US2016129363-A1   12 May 2016   A63H-037/00 …') keyed by their publication number."""
    out = {}
    for line in lines:
        fields = re.split(r"\s{2,}", line.strip())
        if fields and fields[0]:
            out.setdefault(fields[0], fields[1:])
    return out


def _texts(data: dict, key: str, notes: Notes) -> list[str]:
    """A list-of-text field of a Derwent JSON record; another JSON type loses the field with a warning."""
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, list) and all(isinstance(v, str) or v is None for v in value):
        return [v for v in value if v]
    notes.append(left_out(RecordError(f"{key} 应为文本列表", f"{key} should be a list of text")))
    return []


def _text(data: dict, key: str, notes: Notes) -> str:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value or ""
    notes.append(left_out(RecordError(f"{key} 应为文本", f"{key} should be text")))
    return ""


# Derwent writes CN application numbers without year and check character: type digit + 7-digit serial
# (CN10949974), or + 5-digit serial before 2003-10-01 (CN137707).
_DERWENT_CN_APP = re.compile(r"CN([0-9])(\d{7}|\d{5})")
_TWELVE_DIGITS_FROM = date(2003, 10, 1)  # rules.md §12.1: the 12-digit form since 2003-10-01


def derwent_cn_application(number: str, filed: date | None) -> str:
    """The full CN application number (rules.md §12.1: year, type digit, serial, check character) of Derwent's
    short form, the year taken from the filing date: CN10949974 filed 2015-12-18 → CN201510949974 + its check
    character. The number as given where it is not Derwent's short form; RecordError where the year cannot be
    recovered."""
    match = _DERWENT_CN_APP.fullmatch(number)
    if not match:
        return number
    type_digit, serial = match.groups()
    if filed and filed < _TWELVE_DIGITS_FROM and len(serial) == 7 and number[2:4] == f"{filed.year % 100:02d}":
        return number  # the whole pre-2003 form (yy, type digit, 5-digit serial): nothing to complete
    if filed is None:
        raise RecordError(f"申请号 {number} 缺少年份，且记录中没有申请日可补",
                          f"application number {number} lacks its year and the record has no filing date")
    if type_digit in "89":
        # PCT national phase (§12.1 types 8, 9): the filing date given is the international one, and the number's
        # year need not be its year — guessing it would make a plausible but wrong number.
        raise RecordError(f"申请号 {number} 缺少年份（PCT 进入国家阶段的年份无从得知）",
                          f"application number {number} lacks its year (the PCT national-phase entry year is unknown)")
    if (len(serial) == 7) != (filed >= _TWELVE_DIGITS_FROM):
        raise RecordError(f"申请号 {number} 的位数与申请日 {filed} 不符",
                          f"application number {number} does not fit its filing date {filed}")
    body = f"{filed.year}{type_digit}{serial}" if len(serial) == 7 else f"{filed.year % 100:02d}{type_digit}{serial}"
    try:
        return parse_cn_application(f"{body}.{check_digit(body)}").formatted
    except NumberError as exc:
        raise RecordError(f"申请号 {number} 无法补全：{exc.zh}", f"application number {number} cannot be "
                          f"completed: {exc.en}") from None


def _derwent_record(data: dict, notes: Notes) -> PatentRecord:
    if not isinstance(data.get("publication_numbers") or [], list):
        raise RecordError("publication_numbers 应为文本列表", "publication_numbers should be a list of text")
    numbers = [n.strip() for n in data.get("publication_numbers") or [] if isinstance(n, str) and n.strip()]
    if not numbers:
        raise RecordError("缺少公开号（publication_numbers / PN 为空）",
                          "publication number missing (publication_numbers / PN is empty)")
    first = numbers[0]
    number = compact_number(first)
    record = PatentRecord(pub_number=number, office=_office(number), kind=first.rsplit("-", 1)[-1]
                          if "-" in first else _kind_of(number), lang="en", source="derwent")
    record.family = unique(compact_number(n) for n in numbers[1:])
    publication = _derwent_details(_texts(data, "publication_details", notes)).get(first, [])
    if publication:
        record.pub_date = parse_date(publication[0], "publication_details", notes)
        language = publication[-1]
        if re.fullmatch(r"[A-Za-z]+", language):
            record.extra["publication_language"] = language
    application = _derwent_details(_texts(data, "application_details", notes)).get(first, [])
    if application:
        if len(application) > 1:
            record.app_date = parse_date(application[1], "application_details", notes)
        try:
            record.app_number = derwent_cn_application(application[0], record.app_date)
        except RecordError as exc:
            notes.append(left_out(exc))
            record.extra["unparsed_app_number"] = application[0]
    for line in _texts(data, "priority", notes):
        fields = re.split(r"\s{2,}", line.strip())
        if fields and fields[0]:
            day = parse_date_lenient(fields[1]) if len(fields) > 1 else None
            try:
                priority = derwent_cn_application(fields[0], day)
            except RecordError:
                priority = fields[0]  # priority numbers are kept as given
            record.priorities.append(Priority(priority, day, _office(fields[0])))
    record.title = clean(_text(data, "title", notes))
    record.abstract = _text(data, "abstract", notes).strip()
    record.inventors = unique(clean(i) for i in _texts(data, "inventors", notes))
    codes = []
    applicants = []
    for assignee in _texts(data, "assignees", notes):
        match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)\s*", assignee)  # 'DISNEY ENTERPRISES INC (DISY-C)'
        applicants.append(match.group(1) if match else assignee.strip())
        if match:
            codes.append(match.group(2))
    record.applicants = unique(applicants)
    record.ipc = unique(ipc_from_padded(s) for s in _texts(data, "ipc", notes))
    record.ipc_main = record.ipc[0] if record.ipc else ""
    record.citations = unique(compact_number(n) for n in _texts(data, "cited_patents", notes))
    record.patent_type = _type_from(number, record.kind)
    extra = {
        "derwent_accession": clean(_text(data, "derwent_accession", notes)),
        "assignee_codes": unique(codes),
        "derwent_classes": clean(_text(data, "derwent_classes", notes)),
        "manual_codes": split_list(_text(data, "manual_codes", notes), ";"),
        "designated_states": clean(_text(data, "designated_states", notes)),
        "ut": clean(_text(data, "ut", notes)),
    }
    record.extra.update({k: v for k, v in extra.items() if v not in (None, "", [])})
    return record


# Web of Science tags → the keys the JSON-lines form uses (poldham/drones_data parsed the .ciw the same way).
_CIW_LIST_TAGS = {"AU": "inventors", "AE": "assignees", "PD": "publication_details", "AD": "application_details",
                  "PI": "priority"}
_CIW_TEXT_TAGS = {"TI": "title", "GA": "derwent_accession", "DC": "derwent_classes", "MC": "manual_codes",
                  "DS": "designated_states", "UT": "ut"}
_CIW_TAG = re.compile(r"([A-Z][A-Z0-9])(?: (.*))?$")
_PATENT_NUMBER = re.compile(r"\b([A-Z]{2}[A-Z0-9]*\d-[A-Z]\d?)\b")


def _ciw_record(fields: dict[str, list[str]]) -> dict:
    data: dict = {key: [v.strip() for v in fields.get(tag, []) if v.strip()] for tag, key in _CIW_LIST_TAGS.items()}
    for tag, key in _CIW_TEXT_TAGS.items():
        data[key] = " ".join(v.strip() for v in fields.get(tag, []) if v.strip())
    data["publication_numbers"] = [n.strip() for n in " ".join(fields.get("PN", [])).split(";") if n.strip()]
    data["ipc"] = [s.strip() for s in " ".join(fields.get("IP", [])).split(";") if s.strip()]
    abstract = "\n".join(v.strip() for v in fields.get("AB", []))
    data["abstract"] = re.sub(r"^\([A-Z]{2}[^)]*\)\s*", "", abstract)  # '(AT200401202-A)   NOVELTY - …'
    own = {n.strip() for n in data["publication_numbers"]}
    cited = (_PATENT_NUMBER.findall(line) for line in fields.get("CP", []))
    data["cited_patents"] = unique(n for found in cited for n in found if n not in own)
    return data


def _ciw_records(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[int, dict | RecordError]]:
    """(first line, fields) of each record of a Web of Science tagged file: 'PT P' … 'ER'; continuation lines
    start with spaces (or tabs) and belong to the tag above them. A record longer than the record limit is
    (first line, RecordError), its lines dropped as they come."""
    fields: dict[str, list[str]] = {}
    tag, start, size, too_long = "", 0, 0, False
    with open_text(path, limits=limits) as stream:
        for number, raw in bounded_lines(stream, limits.record_bytes):
            if raw is None:
                start = start if fields or too_long else number
                fields, too_long = {}, True
                continue
            line = raw.rstrip("\r\n")
            match = _CIW_TAG.match(line) if line[:1].strip() else None
            if match:
                tag = match.group(1)
                if tag == "ER":
                    if too_long:
                        yield start, record_too_long(limits.record_bytes)
                    elif fields:
                        yield start, fields
                    fields, tag, size, too_long = {}, "", 0, False
                    continue
                if tag in ("FN", "VR", "EF"):
                    continue
                if not fields and not too_long:
                    start = number
                value = match.group(2) or ""
            elif tag and line.strip():
                value = line[3:] if line.startswith("   ") else line.strip()
            else:
                continue
            size += len(value)
            if size > limits.record_bytes:
                fields, too_long = {}, True
            if not too_long:
                fields.setdefault(tag, []).append(value)
    if too_long:
        yield start, record_too_long(limits.record_bytes)
    elif fields:
        yield start, fields


class DerwentReader:
    name = "derwent"
    description = "德温特创新索引（JSON Lines 或 .ciw 标签格式）/ Derwent Innovations Index (JSON lines or .ciw tagged)"

    def sniff(self, path: Path) -> bool:
        head = head_text(path, 16 * 1024)
        if head.startswith("FN ") or head.startswith("\ufeffFN "):
            return "\nPT P" in head
        first = head.split("\n", 1)[0]
        if not first.lstrip().startswith("{"):
            return False
        try:
            keys = json.loads(first)
        except ValueError:
            return False
        return isinstance(keys, dict) and "derwent_accession" in keys

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        if self._is_tagged(path):
            for line, fields in _ciw_records(path, limits):
                if isinstance(fields, RecordError):
                    yield Rejected(line, str(fields))
                else:
                    yield _derwent_item(line, _ciw_record(fields))
            return
        with open_text(path, limits=limits) as stream:
            for line, text in bounded_lines(stream, limits.record_bytes):
                if text is None:
                    yield Rejected(line, str(record_too_long(limits.record_bytes)))
                    continue
                if not text.strip():
                    continue
                try:
                    data = json.loads(text)
                except ValueError as exc:
                    yield Rejected(line, f"JSON 无法解析：{exc} / invalid JSON: {exc}")
                    continue
                yield _derwent_item(line, data)

    @staticmethod
    def _is_tagged(path: Path) -> bool:
        return base_name(path).endswith(".ciw") or head_text(path, 64).lstrip("\ufeff").startswith("FN ")


def _derwent_item(line: int, data: object) -> Item:
    if not isinstance(data, dict):
        return Rejected(line, "该行不是 JSON 对象 / the line is not a JSON object")
    notes: Notes = []
    try:
        return Read(_derwent_record(data, notes), line, tuple(notes))
    except RecordError as exc:
        return Rejected(line, str(exc))
    except (TypeError, AttributeError) as exc:  # a structure none of the checks foresees costs one record
        return Rejected(line, f"字段类型不符：{exc} / a field has an unexpected type: {exc}")


# --- Thomson Innovation --------------------------------------------------------------------------------

def _semicolons(row: Row, column: str) -> list[str]:
    return split_list(row.get(column), ";")


def _thomson_record(row: Row, notes: Notes) -> PatentRecord:
    number = compact_number(row.get("publication_number", ""))
    record = PatentRecord(pub_number=_require(number, "publication_number"),
                          office=clean(row.get("publication_country")) or _office(number), kind=_kind_of(number),
                          lang="en", source="thomson")
    record.pub_date = parse_date(row.get("publication_date"), "publication_date", notes)
    applications = _semicolons(row, "application_numbers")
    record.app_number = applications[0] if applications else ""
    app_dates = _semicolons(row, "application_dates")
    record.app_date = parse_date(app_dates[0], "application_dates", notes) if app_dates else None
    days = _semicolons(row, "priority_dates")
    for index, priority in enumerate(_semicolons(row, "priority_numbers")):
        record.priorities.append(Priority(priority, parse_date_lenient(days[index]) if index < len(days) else None,
                                          _office(priority)))
    record.title = clean(row.get("title_original_english_cleaned")) or clean(row.get("title_original_cleaned"))
    record.abstract = clean(row.get("abstract"))
    record.claims = clean(row.get("claims_first"))
    record.ipc = unique(ipc_from_padded(s) for s in _semicolons(row, "international_classifications_codes"))
    record.ipc_main = record.ipc[0] if record.ipc else ""
    record.cpc = _semicolons(row, "cpc_codes")
    record.applicants = _semicolons(row, "patent_assignees_original_no_address")
    record.inventors = _semicolons(row, "inventors_original")
    record.agents = _semicolons(row, "attorney_agent")
    record.citations = _semicolons(row, "cited_patent_numbers")
    record.cited_by = to_int(row.get("citing_patent_count"), "citing_patent_count", notes)
    record.family = [n for n in _semicolons(row, "inpadoc_family_member_numbers") if n != number]
    members = _semicolons(row, "inpadoc_family_member_numbers")
    record.family_size = len(members) if members else None
    record.patent_type = _type_from(number, record.kind)
    extra = {
        "claims_first_only": bool(record.claims) or None,  # the export carries the first claim only
        "assignees_cleaned": _semicolons(row, "patent_assignees_cleaned"),
        "assignee_sector": clean(row.get("patent_assignees_cleaned_sector")),
        "inventors_cleaned": _semicolons(row, "inventors_original_cleaned"),
        "inventors_with_address": _semicolons(row, "inventors_with_address"),
        "citing_patents": _semicolons(row, "citing_patent_numbers"),
        "inpadoc_first_member": clean(row.get("inpadoc_first_family_member_number")),
        "title_original": clean(row.get("title_original_cleaned")),
        "government_interest": clean(row.get("government_interest_us_group")),
        "litigation_us": clean(row.get("litigation_us")),
        "species": _semicolons(row, "tac_species_names"),
    }
    record.extra = {k: v for k, v in extra.items() if v not in (None, "", [])}
    return record


class ThomsonReader:
    name = "thomson"
    description = "Thomson Innovation 导出 / Thomson Innovation export (TSV, synbio code-book columns)"
    _columns = {"publication_number", "inpadoc_family_member_numbers", "international_classifications_codes"}

    def sniff(self, path: Path) -> bool:
        return self._columns <= _header_keys(path)

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        return _table_read(path, _thomson_record, tsv_quoting=csv.QUOTE_NONE, limits=limits)
