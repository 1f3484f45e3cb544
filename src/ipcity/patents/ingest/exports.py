"""Exports from the patent search services used in landscape work (WIPO Manual on Open Source Patent Analytics):
PATENTSCOPE, WIPO landscape-report tables, Lens (family export and the cleaned title/abstract/claims set),
Derwent Innovations Index (JSON lines, or the Web of Science tagged `.ciw` text it was parsed from) and
Thomson Innovation.

Each is a table (or tagged records) with its own column names, list separators and date forms; one reader
class per format turns its rows into PatentRecords, cleaning only what the format requires (compact or padded
IPC forms, separators, number spacing). Sniffing is by header: the column names of each export are distinctive.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

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

# --- shared cleaning ----------------------------------------------------------------------------------

_IPC_PADDED = re.compile(r"([A-H]\d{2}[A-Z])[\s-]*0*(\d+)\s*/\s*(\d+)")
_IPC_COMPACT = re.compile(r"([A-H]\d{2}[A-Z])(\d{3})(\d{2,})")


def ipc_from_padded(symbol: str) -> str:
    """Thomson/Derwent write IPC with a zero-padded main group: 'A61K-0031/12', 'A63H-030/04' → 'A61K 31/12'."""
    match = _IPC_PADDED.fullmatch(symbol.strip())
    return f"{match.group(1)} {match.group(2)}/{match.group(3)}" if match else symbol.strip()


def ipc_from_compact(symbol: str) -> str:
    """The WIPO landscape tables write IPC without separators, main group in 3 places: 'C07D41700' → 'C07D 417/00',
    'A61K031426' → 'A61K 31/426'."""
    match = _IPC_COMPACT.fullmatch(symbol.strip())
    if not match:
        return symbol.strip()
    return f"{match.group(1)} {int(match.group(2))}/{match.group(3)}"


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


def _table_read(path: Path, build: Callable[[Row], PatentRecord], *, tsv_quoting: int = csv.QUOTE_MINIMAL,
                limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
    for line, row in table_rows(path, keys=True, tsv_quoting=tsv_quoting, limits=limits):
        if isinstance(row, RecordError):
            yield Rejected(line, str(row))
            continue
        try:
            yield Read(build(row), line)
        except RecordError as exc:
            yield Rejected(line, str(exc))


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


def _patentscope_record(row: Row) -> PatentRecord:
    raw = clean(row.get("publication_number"))
    number = compact_number(raw.rstrip("*"))
    record = PatentRecord(pub_number=_require(number, "publication_number"), office=_office(number),
                          kind=_kind_of(number), lang="en", source="patentscope")
    if raw != number:  # PATENTSCOPE lists some documents twice, once with a lower-case office (es2228454)
        record.extra["number_as_published"] = raw
    record.pub_date = parse_date(row.get("publication_date"), "publication_date")
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

def _landscape_record(row: Row) -> PatentRecord:
    kind = clean(row.get("kind_code"))
    number = compact_number(row.get("publication_number", ""))
    record = PatentRecord(pub_number=_require(number + kind if number else "", "publication number"),
                          office=_office(number), kind=kind, lang="en", source="wipo-landscape")
    record.title = clean(row.get("title"))
    record.pub_date = parse_date(row.get("publication_date"), "publication date")
    record.app_date = parse_date(row.get("application_date"), "application date")
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
    record.family_size = to_int(row.get("family_size"), "family size")
    record.patent_type = _type_from(number, kind)
    second = to_int(row.get("family_size_2"), "family size")
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


def _lens_record(row: Row) -> PatentRecord:
    number = compact_number(row.get("publication_number", ""))
    kind = clean(row.get("kind"))
    record = PatentRecord(pub_number=_require(number, "Publication Number"),
                          office=clean(row.get("jurisdiction")) or _office(number), kind=kind, source="lens")
    record.pub_date = parse_date(row.get("publication_date"), "Publication Date")
    record.app_number = compact_number(row.get("application_number", ""))
    record.app_date = parse_date(row.get("application_date"), "Application Date")
    record.priorities = [p for p in (lens_priority(e) for e in split_list(row.get("priority_numbers"), ";;")) if p]
    record.title = clean(row.get("title"))
    record.applicants = split_list(row.get("applicants"), ";;")
    record.inventors = split_list(row.get("inventors"), ";;")
    record.cpc = split_list(row.get("cpc_classifications"), ";;")
    record.ipc = split_list(row.get("ipcr_classifications"), ";;")
    record.ipc_main = record.ipc[0] if record.ipc else ""
    record.cited_by = to_int(row.get("cited_count"), "Cited Count")
    record.family_size = to_int(row.get("simple_family_size"), "Simple Family Size")
    document_type = clean(row.get("type"))
    record.patent_type = _type_from(number, kind) or _LENS_TYPES.get(document_type.lower())
    extra = {
        "lens_id": clean(row.get("lens_id")),
        "url": clean(row.get("url")),
        "document_type": document_type,
        "extended_family_size": to_int(row.get("extended_family_size"), "Extended Family Size"),
        "sequence_count": to_int(row.get("sequence_count"), "Sequence Count") or None,
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


def _lens_tac_record(row: Row) -> PatentRecord:
    number = compact_number(row.get("publication_number", ""))
    record = PatentRecord(pub_number=_require(number, "publication_number"),
                          office=clean(row.get("publication_country_code")) or _office(number),
                          kind=_kind_of(number), source="lens-tac")
    record.pub_date = parse_date(row.get("publication_date"), "publication_date")
    record.title = clean(row.get("title"))
    record.applicants = split_list(row.get("applicants_use_me"), ";")
    record.inventors = split_list(row.get("inventors_useme"), ";")
    record.cpc = split_list(row.get("cpc_codes_useme"), ";")
    record.ipc = split_list(row.get("ipc_codes"), ";")
    record.ipc_main = record.ipc[0] if record.ipc else ""
    # priority_numbers is a '; '-list; only the years of the priorities are given, as a parallel list.
    record.priorities = [Priority(compact_number(n), None, _office(compact_number(n)))
                         for n in split_list(row.get("priority_numbers"), ";")]
    record.cited_by = to_int(row.get("cited_count"), "cited_count")
    record.patent_type = _type_from(number, record.kind)
    extra = {
        "organisations": split_list(row.get("applicants_organisations_only"), ";"),
        "priority_years": [to_int(y, "priority_year") for y in split_list(row.get("priority_year"), ";")],
        "extended_family_size": to_int(row.get("extended_family_size"), "extended_family_size"),
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


def _derwent_record(data: dict) -> PatentRecord:
    numbers = [n.strip() for n in data.get("publication_numbers") or [] if n and n.strip()]
    if not numbers:
        raise RecordError("缺少公开号（publication_numbers / PN 为空）",
                          "publication number missing (publication_numbers / PN is empty)")
    first = numbers[0]
    number = compact_number(first)
    record = PatentRecord(pub_number=number, office=_office(number), kind=first.rsplit("-", 1)[-1]
                          if "-" in first else _kind_of(number), lang="en", source="derwent")
    record.family = unique(compact_number(n) for n in numbers[1:])
    publication = _derwent_details(data.get("publication_details") or []).get(first, [])
    if publication:
        record.pub_date = parse_date(publication[0], "publication_details")
        language = publication[-1]
        if re.fullmatch(r"[A-Za-z]+", language):
            record.extra["publication_language"] = language
    application = _derwent_details(data.get("application_details") or []).get(first, [])
    if application:
        record.app_number = application[0]
        if len(application) > 1:
            record.app_date = parse_date(application[1], "application_details")
    for line in data.get("priority") or []:
        fields = re.split(r"\s{2,}", line.strip())
        if fields and fields[0]:
            day = parse_date_lenient(fields[1]) if len(fields) > 1 else None
            record.priorities.append(Priority(fields[0], day, _office(fields[0])))
    record.title = clean(data.get("title"))
    record.abstract = (data.get("abstract") or "").strip()
    record.inventors = unique(clean(i) for i in data.get("inventors") or [])
    codes = []
    applicants = []
    for assignee in data.get("assignees") or []:
        match = re.fullmatch(r"(.*?)\s*\(([^()]*)\)\s*", assignee)  # 'DISNEY ENTERPRISES INC (DISY-C)'
        applicants.append(match.group(1) if match else assignee.strip())
        if match:
            codes.append(match.group(2))
    record.applicants = unique(applicants)
    record.ipc = unique(ipc_from_padded(s) for s in data.get("ipc") or [])
    record.ipc_main = record.ipc[0] if record.ipc else ""
    record.citations = unique(compact_number(n) for n in data.get("cited_patents") or [])
    record.patent_type = _type_from(number, record.kind)
    extra = {
        "derwent_accession": clean(data.get("derwent_accession")),
        "assignee_codes": unique(codes),
        "derwent_classes": clean(data.get("derwent_classes")),
        "manual_codes": split_list(data.get("manual_codes"), ";"),
        "designated_states": clean(data.get("designated_states")),
        "ut": clean(data.get("ut")),
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
    try:
        return Read(_derwent_record(data), line)
    except RecordError as exc:
        return Rejected(line, str(exc))
    except (TypeError, AttributeError) as exc:  # a field of the wrong JSON type (a number where a list belongs …)
        return Rejected(line, f"字段类型不符：{exc} / a field has an unexpected type: {exc}")


# --- Thomson Innovation --------------------------------------------------------------------------------

def _semicolons(row: Row, column: str) -> list[str]:
    return split_list(row.get(column), ";")


def _thomson_record(row: Row) -> PatentRecord:
    number = compact_number(row.get("publication_number", ""))
    record = PatentRecord(pub_number=_require(number, "publication_number"),
                          office=clean(row.get("publication_country")) or _office(number), kind=_kind_of(number),
                          lang="en", source="thomson")
    record.pub_date = parse_date(row.get("publication_date"), "publication_date")
    applications = _semicolons(row, "application_numbers")
    record.app_number = applications[0] if applications else ""
    app_dates = _semicolons(row, "application_dates")
    record.app_date = parse_date(app_dates[0], "application_dates") if app_dates else None
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
    record.cited_by = to_int(row.get("citing_patent_count"), "citing_patent_count")
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
