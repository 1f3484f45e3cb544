"""Our own exchange format for patent records (docs/patent-format.md): JSON lines, each line exactly
`PatentRecord.to_dict()`, and the same fields as a CSV table. Both read back into the identical record.

CSV cells: dates ISO (YYYY-MM-DD); the string lists (ipc, cpc, applicants …) '; '-separated, a ';' or '\\' inside
an item escaped with a backslash; `priorities`, `events` and `extra` — structured — as JSON, as in the JSONL
form; empty cell = empty / None.

A value that breaks this (a date that is not ISO, a count that is not a number, an event of no known kind) is left
out with a warning and the record kept; a record without `pub_number`, or with a field the format does not have,
is refused.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
from collections.abc import Iterable, Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from ipcity.core.tabular import csv_writer, unneutralise
from ipcity.patents.ingest.base import Item, Read, Rejected
from ipcity.patents.ingest.limits import DEFAULT_LIMITS, Limits
from ipcity.patents.ingest.sources import (
    RecordError,
    base_name,
    bounded_lines,
    first_line,
    head_text,
    left_out,
    open_text,
    record_too_long,
    table_rows,
    warn,
)
from ipcity.patents.record import EVENT_KINDS, LEGAL_STATUSES, PATENT_TYPES, UNKNOWN, PatentRecord

FIELDS = [f.name for f in dataclasses.fields(PatentRecord)]
LIST_FIELDS = ("ipc", "cpc", "locarno", "applicants", "inventors", "agents", "citations", "family")
JSON_FIELDS = ("priorities", "events", "extra")
INT_FIELDS = ("cited_by", "family_size")
DATE_FIELDS = ("app_date", "pub_date", "grant_date")
LIST_SEPARATOR = "; "


STR_FIELDS = tuple(f.name for f in dataclasses.fields(PatentRecord) if f.type == "str")


def _strings(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _bad(warnings: list[str] | None, zh: str, en: str) -> None:
    """A value that breaks the format: RecordError for strict callers, else a warning (the field is left out)."""
    warn(warnings, RecordError(zh, en))


def validate(record: PatentRecord, warnings: list[str] | None = None) -> PatentRecord:
    """The checks `from_dict` does not make: a key, known buckets and kinds, the right value types. Without a key
    RecordError; any other value that breaks them is RecordError too — or, given `warnings`, left out (set to
    its empty value) with a warning."""
    if type(record.pub_number) is not str or not record.pub_number.strip():
        raise RecordError("pub_number 为空", "pub_number is empty")
    if record.patent_type is not None and record.patent_type not in PATENT_TYPES:
        _bad(warnings, f"patent_type 取值无效：{record.patent_type!r}",
             f"patent_type {record.patent_type!r} is not one of {', '.join(PATENT_TYPES)}")
        record.patent_type = None
    if record.legal_status not in LEGAL_STATUSES:
        _bad(warnings, f"legal_status 取值无效：{record.legal_status!r}",
             f"legal_status {record.legal_status!r} is not one of {', '.join(LEGAL_STATUSES)}")
        record.legal_status = UNKNOWN
    for event in [e for e in record.events if e.kind not in EVENT_KINDS]:
        _bad(warnings, f"events 中的事件类型无效：{event.kind!r}", f"events: unknown event kind {event.kind!r}")
        record.events.remove(event)
    values = record.__dict__
    for name in LIST_FIELDS:
        if not _strings(values[name]):
            _bad(warnings, f"{name} 应为字符串列表", f"{name} must be a list of strings")
            values[name] = []
    for name in STR_FIELDS:
        if type(values[name]) is not str:
            _bad(warnings, f"{name} 应为字符串", f"{name} must be a string")
            values[name] = ""
    for name in INT_FIELDS:
        value = values[name]
        if value is not None and type(value) is not int:
            _bad(warnings, f"{name} 应为整数", f"{name} must be an integer")
            values[name] = None
    if type(record.extra) is not dict:
        _bad(warnings, "extra 应为 JSON 对象", "extra must be a JSON object")
        record.extra = {}
    return record


def _iso_date(value: Any) -> bool:
    if value in (None, ""):
        return True
    try:
        date.fromisoformat(str(value)[:10])  # as PatentRecord.from_dict reads it
        return True
    except ValueError:
        return False


def _salvage(data: dict, warnings: list[str]) -> dict:
    """`data` with the values `from_dict` would fail on left out, each with a warning: dates that are not ISO,
    priorities without a number, events of no known kind."""
    data = dict(data)
    for name in DATE_FIELDS:
        if not _iso_date(data.get(name)):
            warnings.append(left_out(RecordError(f"{name}：{data[name]!r} 不是 ISO 日期",
                                                 f"{name}: {data[name]!r} is not an ISO date")))
            data[name] = None
    for name, required, known in (("priorities", "number", None), ("events", "kind", EVENT_KINDS)):
        items = data.get(name)
        if items is None:
            continue
        if type(items) is not list:
            warnings.append(left_out(RecordError(f"{name} 应为列表", f"{name} must be a list")))
            data[name] = []
            continue
        kept = []
        for item in items:
            if type(item) is not dict or type(item.get(required)) is not str or (known and item[required] not in known):
                shown = item.get(required) if type(item) is dict else item
                warnings.append(left_out(RecordError(f"{name} 中的一项无效：{shown!r}",
                                                     f"{name}: an item is not valid: {shown!r}")))
                continue
            if not _iso_date(item.get("date")):
                warnings.append(left_out(RecordError(f"{name} 中的日期 {item['date']!r} 不是 ISO 日期",
                                                     f"{name}: date {item['date']!r} is not an ISO date")))
                item = {**item, "date": None}
            kept.append(item)
        data[name] = kept
    return data


def record_from_dict(data: Any, warnings: list[str] | None = None) -> PatentRecord:
    """A JSONL line's object as a validated record; RecordError says which field is wrong. Given `warnings`, a
    value that cannot be read is left out with a warning instead; a record without a key, or with a field the
    format does not have, is RecordError either way (a typo must not drop data)."""
    if not isinstance(data, dict):
        raise RecordError("该行不是 JSON 对象", "the line is not a JSON object")
    if warnings is not None:
        data = _salvage(data, warnings)
    try:
        record = PatentRecord.from_dict(data)
    except KeyError as exc:
        raise RecordError(f"priorities/events 中缺少字段 {exc}", f"priorities/events: an item lacks {exc}") from None
    except (TypeError, AttributeError) as exc:
        raise RecordError(f"字段类型不符：{exc}", f"a field has an unexpected type: {exc}") from None
    except ValueError as exc:  # unknown fields, or a date that is not ISO
        raise RecordError(f"字段无效：{exc}", f"invalid field: {exc}") from None
    return validate(record, warnings)


def _stamped(record: PatentRecord, reader: str) -> PatentRecord:
    """A record keeps the source it was first read from; only records without one get this reader's name."""
    record.source = record.source or reader
    return record


class JsonlReader:
    name = "jsonl"
    description = "ipcity 专利记录 JSON Lines（每行一个 PatentRecord.to_dict()）/ our JSONL record format"

    def sniff(self, path: Path) -> bool:
        if not base_name(path).endswith((".jsonl", ".ndjson", ".json")):
            return False
        try:
            data = json.loads(head_text(path).split("\n", 1)[0])
        except ValueError:
            return False
        return isinstance(data, dict) and "pub_number" in data and set(data) <= set(FIELDS)

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        return map(partial(self.parse, limits=limits), self.units(path, limits))

    def units(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[int, str | None]]:
        """The file's non-blank lines, unparsed (a SplitReader: base.py)."""
        with open_text(path, "utf-8-sig", limits) as stream:
            for line, text in bounded_lines(stream, limits.record_bytes):
                if text is None or text.strip():
                    yield line, text

    def parse(self, unit: tuple[int, str | None], limits: Limits = DEFAULT_LIMITS) -> Item:
        line, text = unit
        if text is None:
            return Rejected(line, str(record_too_long(limits.record_bytes)))
        warnings: list[str] = []
        try:
            record = _stamped(record_from_dict(json.loads(text), warnings), self.name)
        except ValueError as exc:  # RecordError, or JSON that does not parse
            reason = str(exc) if isinstance(exc, RecordError) else f"JSON 无法解析 / invalid JSON: {exc}"
            return Rejected(line, reason)
        return Read(record, line, tuple(warnings))


def split_items(cell: str) -> list[str]:
    """A list cell's items: split at ';' not escaped by a backslash, escapes removed, items stripped."""
    if "\\" not in cell:
        return [item.strip() for item in cell.split(";") if item.strip()]
    items, current, escaped = [], [], False
    for char in cell:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def join_items(items: list[str]) -> str:
    return LIST_SEPARATOR.join(item.replace("\\", "\\\\").replace(";", "\\;") for item in items)


def _csv_value(name: str, cell: str, warnings: list[str] | None = None) -> Any:
    try:
        return _csv_cell_value(name, cell)
    except RecordError as exc:
        warn(warnings, exc)
        return {} if name == "extra" else ([] if name in JSON_FIELDS else None)


def _csv_cell_value(name: str, cell: str) -> Any:
    if name in LIST_FIELDS:
        return split_items(cell)
    if name in JSON_FIELDS:
        if not cell.strip():
            return {} if name == "extra" else []
        try:
            return json.loads(cell)
        except ValueError as exc:
            raise RecordError(f"{name} 不是有效的 JSON：{exc}", f"{name} is not valid JSON: {exc}") from None
    if name in INT_FIELDS:
        if not cell.strip():
            return None
        try:
            return int(cell)
        except ValueError:
            raise RecordError(f"{name}：'{cell}' 不是整数", f"{name}: '{cell}' is not an integer") from None
    if name == "patent_type":
        return cell.strip() or None
    if name == "legal_status":
        return cell.strip() or "unknown"
    return cell


class CsvReader:
    name = "csv"
    description = "ipcity 专利记录 CSV（表头为 PatentRecord 字段名）/ our CSV record format"

    def sniff(self, path: Path) -> bool:
        if not base_name(path).endswith(".csv"):
            return False
        header = [h.strip().strip('"').lstrip("\ufeff") for h in first_line(path).split(",")]
        return "pub_number" in header and set(header) <= set(FIELDS)

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        rows = table_rows(path, limits=limits)
        for line, row in rows:
            if isinstance(row, RecordError):
                yield Rejected(line, str(row))
                continue
            unknown = sorted(set(row) - set(FIELDS))
            if unknown:
                yield Rejected(1, f"表头含未知字段：{', '.join(unknown)} / unknown columns in the header: "
                                  f"{', '.join(unknown)}")
                return
            warnings: list[str] = []
            try:
                data = {name: _csv_value(name, unneutralise(cell), warnings) for name, cell in row.items()}
                record = _stamped(record_from_dict(data, warnings), self.name)
            except RecordError as exc:
                yield Rejected(line, str(exc))
                continue
            yield Read(record, line, tuple(warnings))


# --- writing ------------------------------------------------------------------------------------------

def _open_for_writing(path: Path) -> TextIO:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "wb", compresslevel=6), encoding="utf-8", newline="")
    return open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed by the caller's with


def write_jsonl(records: Iterable[PatentRecord], path: Path) -> int:
    """Write one `to_dict()` line per record (gzip when the name ends in .gz); returns the count. Streams."""
    count = 0
    with _open_for_writing(Path(path)) as stream:
        for record in records:
            stream.write(json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":")))
            stream.write("\n")
            count += 1
    return count


def _csv_cell(name: str, value: Any) -> str:
    if name in LIST_FIELDS:
        return join_items(value)
    if name in JSON_FIELDS:
        return json.dumps(value, ensure_ascii=False) if value else ""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_csv(records: Iterable[PatentRecord], path: Path) -> int:
    """The same records as CSV (docs/patent-format.md); returns the count. Streams."""
    count = 0
    with _open_for_writing(Path(path)) as stream:
        writer = csv_writer(stream)  # formula-like cells are neutralised; the reader undoes it
        writer.writerow(FIELDS)
        for record in records:
            data = record.to_dict()
            writer.writerow([_csv_cell(name, data[name]) for name in FIELDS])
            count += 1
    return count
