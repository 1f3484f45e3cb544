"""What every reader needs from a source file: opening it (plain, gzip or zip), guessing its text
encoding, and turning the date forms patent exports use into `datetime.date`.

Kept apart from the readers so that each reader module only says how its format maps onto
`PatentRecord`.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO, TextIO

from ipcity.patents.ingest.limits import DEFAULT_LIMITS, Limits, SourceRefused

csv.field_size_limit(2**31 - 1)  # full-text cells (说明书, claims) run to hundreds of kB

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 64 * 1024
EMPTY_VALUES = frozenset({"", "0", "NA", "N/A", "None", "NULL", "null", "nan", "-"})


class RecordError(ValueError):
    """One source record — or one field of it — cannot be read; the message names the field and why (Chinese
    first)."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


def left_out(exc: RecordError) -> str:
    """The warning for a field that could not be read and was left out (the record is kept)."""
    return f"{exc.zh}（已略去）/ {exc.en} (left out)"


def warn(warnings: list[str] | None, exc: RecordError) -> None:
    """Record a field left out in `warnings`; without a list (strict callers) the error stands."""
    if warnings is None:
        raise exc
    warnings.append(left_out(exc))


RATIO_FLOOR = 1024 * 1024  # below this many expanded bytes no ratio is suspicious (small files compress well)
READ_CHUNK = 64 * 1024


class _Expansion(io.RawIOBase):
    """A decompressing stream that counts what it gives out and stops at the limits: the expanded size, and
    the ratio of expanded to compressed size once past RATIO_FLOOR (a decompression bomb is refused after
    reading at most the limit, never held)."""

    def __init__(self, inner: BinaryIO, name: str, compressed: int, limits: Limits):
        self.inner, self.name_, self.compressed, self.limits, self.expanded = inner, name, compressed, limits, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.inner.readinto(buffer)
        self.expanded += count
        limits = self.limits
        if self.expanded > limits.expanded_bytes:
            raise SourceRefused(
                f"{self.name_} 解压后超过 {limits.expanded_bytes} 字节（本机构设定的上限）",
                f"{self.name_} expands beyond {limits.expanded_bytes} bytes (the office's limit)")
        if self.expanded > RATIO_FLOOR and self.expanded > limits.ratio * max(self.compressed, 1):
            raise SourceRefused(
                f"{self.name_} 的解压比超过 {limits.ratio}:1（本机构设定的上限）",
                f"{self.name_} expands more than {limits.ratio} times its compressed size (the office's limit)")
        return count

    def close(self) -> None:
        self.inner.close()
        super().close()


def guarded(inner: BinaryIO, name: str, compressed: int, limits: Limits) -> BinaryIO:
    """`inner` (a gzip stream or a zip member) bounded by `limits`, buffered so that lines can be read."""
    return io.BufferedReader(_Expansion(inner, name, compressed, limits), READ_CHUNK)  # type: ignore[return-value]


def open_binary(path: Path, limits: Limits = DEFAULT_LIMITS) -> BinaryIO:
    """The file's bytes, gunzipped on the fly when it is gzip (recognised by its magic bytes, not its name) and
    then bounded by `limits`."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == GZIP_MAGIC:
        return guarded(gzip.open(path, "rb"), path.name, path.stat().st_size, limits)  # type: ignore[arg-type]
    return open(path, "rb")  # noqa: SIM115 - the caller closes the returned stream


def head_bytes(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first `size` bytes of the (decompressed) file, or b"" when it cannot be read."""
    try:
        with open_binary(path) as stream:
            return stream.read(size)
    except (OSError, EOFError, gzip.BadGzipFile, SourceRefused):
        return b""


def is_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as stream:
            return stream.read(4) == ZIP_MAGIC
    except OSError:
        return False


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as UTF-8, else GB18030 — the encodings Chinese
    commercial databases export — or UTF-16 where a BOM says so. The sample may end inside a character, hence
    the incremental decoder."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # Excel's "Unicode text" export
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def open_text(path: Path, encoding: str | None = None, limits: Limits = DEFAULT_LIMITS) -> TextIO:
    """The file as text (gzip transparent), newline='' so the csv module sees quoted line breaks. A byte that
    does not decode becomes U+FFFD rather than stopping the whole file (the encoding is guessed from its start)."""
    encoding = encoding or detect_encoding(head_bytes(path))
    return io.TextIOWrapper(open_binary(path, limits), encoding=encoding, errors="replace", newline="")


class RecordTooLong(Exception):
    def __init__(self, line: int, limit: int):
        super().__init__(line)
        self.line, self.limit = line, limit

    def error(self) -> RecordError:
        return record_too_long(self.limit)


def record_too_long(limit: int) -> RecordError:
    return RecordError(f"记录超过 {limit} 字节（本机构设定的上限），已跳过",
                       f"record longer than {limit} bytes (the office's limit), skipped")


class LineSource:
    """The lines of a text or binary stream, none read whole when it is longer than `limit` (readline with a
    bound, never an unbounded readline): an over-long line is skipped a chunk at a time and `__next__` raises
    RecordTooLong for it — and goes on with the next line when called again (the csv module does). `mark()`
    starts a record that spans lines (a quoted CSV cell): the lines since then count against the limit too.
    A stream that expands beyond its limits raises SourceRefused with the line it stopped in."""

    def __init__(self, stream, limit: int):
        self.stream, self.limit, self.number, self.since_mark = stream, limit, 0, 0

    def __iter__(self) -> LineSource:
        return self

    def mark(self) -> None:
        self.since_mark = 0

    def _read(self, size: int):
        try:
            return self.stream.readline(size)
        except SourceRefused as exc:
            raise exc.at(self.number) from None

    def __next__(self):
        self.number += 1  # the line being read, for a SourceRefused raised inside it
        text = self._read(self.limit + 1)
        if not text:
            self.number -= 1
            raise StopIteration
        ends = ("\n", "\r") if isinstance(text, str) else (b"\n", b"\r")
        if len(text) > self.limit and not text.endswith(ends):
            while text and not text.endswith(ends):  # skip the rest of the line, a chunk at a time
                text = self._read(READ_CHUNK)
            self.since_mark = 0
            raise RecordTooLong(self.number, self.limit)
        self.since_mark += len(text)
        if self.since_mark > self.limit:
            self.since_mark = 0
            raise RecordTooLong(self.number, self.limit)
        return text


def bounded_lines(stream, limit: int) -> Iterator[tuple[int, str | bytes | None]]:
    """(number, line) of each line of `stream`; (number, None) for a line longer than `limit`, not held."""
    source = LineSource(stream, limit)
    while True:
        try:
            text = next(source)
        except StopIteration:
            return
        except RecordTooLong as exc:
            yield exc.line, None
            continue
        source.mark()
        yield source.number, text


def check_zip(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Refuse a ZIP (or XLSX) whose members declare more than the expanded limit in all, or a member that
    declares more than the ratio allows, before anything is decompressed. Python's zipfile never gives out more
    than a member declares (and checks the CRC), so the declared sizes bound what reading it (openpyxl
    included) can expand to; members read here go through `guarded` as well."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    total = sum(m.file_size for m in members)
    if total > limits.expanded_bytes:
        raise SourceRefused(
            f"{path.name} 解压后共 {total} 字节，超过本机构设定的上限 {limits.expanded_bytes} 字节",
            f"{path.name} expands to {total} bytes, more than the office's limit of {limits.expanded_bytes}")
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > limits.ratio * max(member.compress_size, 1):
            raise SourceRefused(
                f"{path.name} 中的 {member.filename} 解压比超过 {limits.ratio}:1（本机构设定的上限）",
                f"{member.filename} in {path.name} expands more than {limits.ratio} times its compressed size "
                f"(the office's limit)")


def open_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, path: Path, limits: Limits) -> BinaryIO:
    return guarded(archive.open(member), f"{path.name}:{member.filename}", member.compress_size, limits)


def head_text(path: Path, size: int = SNIFF_BYTES) -> str:
    sample = head_bytes(path, size)
    return sample.decode(detect_encoding(sample), errors="replace")


def first_line(path: Path) -> str:
    return head_text(path).lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")


def base_name(path: Path) -> str:
    """Lower-case file name without a trailing .gz, e.g. 'export.csv' for 'Export.CSV.gz'."""
    name = path.name.lower()
    return name[:-3] if name.endswith(".gz") else name


def zip_members(path: Path, suffixes: tuple[str, ...]) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as archive:
        return [m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(suffixes)]


# --- values ------------------------------------------------------------------------------------

def is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in EMPTY_VALUES)


def clean(value: object) -> str:
    """The cell as a stripped string; export placeholders for 'nothing' (NA, None, 0, NULL) become ''."""
    if value is None:
        return ""
    text = str(value).strip()
    return "" if text in EMPTY_VALUES else text


def split_list(value: object, separator: str) -> list[str]:
    """A separated list cell as its non-empty, stripped items, in order, without repeats."""
    text = clean(value)
    if not text:
        return []
    return unique(item.strip() for item in text.split(separator))


def unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def to_int(value: object, field: str, warnings: list[str] | None = None) -> int | None:
    """The cell as an integer. One that is not: RecordError, or — given `warnings` — None and a warning."""
    text = clean(value) if not isinstance(value, int) else str(value)
    if text == "" and value not in (0, "0"):
        return None
    try:
        return int(float(text or "0"))
    except ValueError:
        warn(warnings, RecordError(f"{field}：'{text}' 不是整数", f"{field}: '{text}' is not an integer"))
        return None


# --- dates -------------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_YMD = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:$|[T ])")
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})$")
_TEXT = re.compile(r"(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{4})$")


def parse_date(value: object, field: str, warnings: list[str] | None = None) -> date | None:
    """A date in any unambiguous form exports use: 20221202, 2022-12-02[T..], 2011-3-9, 2022/12/02,
    29.12.2005 (day first, as PATENTSCOPE writes it), 06 May 2016. Empty placeholders give None; anything
    else raises RecordError naming the field — or, given `warnings`, gives None and a warning (the record keeps
    its other fields)."""
    try:
        return _parse_date(value, field)
    except RecordError as exc:
        warn(warnings, exc)
        return None


def _parse_date(value: object, field: str) -> date | None:
    if isinstance(value, datetime):  # spreadsheet cells
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value))
    text = clean(value)
    if not text:
        return None
    for pattern, order in ((_COMPACT, "ymd"), (_YMD, "ymd"), (_DMY, "dmy")):
        match = pattern.match(text)
        if match:
            a, b, c = (int(g) for g in match.groups())
            y, m, d = (a, b, c) if order == "ymd" else (c, b, a)
            return _make_date(y, m, d, text, field)
    match = _TEXT.match(text)
    if match and match.group(2).lower() in _MONTHS:
        return _make_date(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)), text, field)
    raise RecordError(f"{field}：'{text}' 不是可识别的日期", f"{field}: '{text}' is not a recognisable date")


def _make_date(y: int, m: int, d: int, text: str, field: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise RecordError(f"{field}：'{text}' 不是有效日期", f"{field}: '{text}' is not a valid date") from None


def parse_date_lenient(value: object) -> date | None:
    """For secondary dates (priorities, citations) where a partial date such as 19981000 is normal: None
    instead of an error."""
    try:
        return parse_date(value, "")
    except RecordError:
        return None


# --- tables ------------------------------------------------------------------------------------

def header_key(name: str) -> str:
    """A header cell as a comparable key: 'Publication Number' and ' publication_number' → 'publication_number'."""
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", "_", name.strip().lstrip("\ufeff").lower()).strip("_")


def delimiter_of(header_line: str) -> str:
    return max(("\t", ",", ";", "|"), key=header_line.count)


def table_rows(path: Path, *, keys: bool = False, tsv_quoting: int = csv.QUOTE_MINIMAL,
               limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[int, dict[str, str] | RecordError]]:
    """(first line, header → cell) of each row of a CSV/TSV file, or (line, RecordError) for a row whose cell
    count differs from the header's or that is longer than the record limit. With `keys`, header names become
    `header_key`s; a repeated name gets '_2', '_3' … (exports do repeat columns). Tab-separated files use
    `tsv_quoting` (QUOTE_NONE for exports that never quote but may contain stray quotes)."""
    delimiter = delimiter_of(first_line(path))
    quoting = tsv_quoting if delimiter == "\t" else csv.QUOTE_MINIMAL
    with open_text(path, limits=limits) as stream:
        source = LineSource(stream, limits.record_bytes)
        reader = csv.reader(source, delimiter=delimiter, quoting=quoting, skipinitialspace=delimiter != "\t")
        try:
            names = [h.strip().lstrip("\ufeff") for h in next(reader, [])]
        except RecordTooLong as exc:
            yield exc.line, exc.error()
            return
        if keys:
            names = [header_key(h) for h in names]
        header: list[str] = []
        for name in names:
            repeat, candidate = 1, name
            while candidate in header:
                repeat += 1
                candidate = f"{name}_{repeat}"
            header.append(candidate)
        while True:
            source.mark()
            line = source.number + 1
            try:
                cells = next(reader)
            except StopIteration:
                return
            except RecordTooLong as exc:  # the csv reader starts afresh at the next line
                yield exc.line, exc.error()
                continue
            except csv.Error as exc:
                yield line, RecordError(f"CSV 格式错误：{exc}", f"malformed CSV: {exc}")
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield line, RecordError(f"有 {len(cells)} 列，表头有 {len(header)} 列",
                                        f"row has {len(cells)} cells, the header has {len(header)}")
                continue
            yield line, dict(zip(header, cells, strict=True))


def compact_number(text: str) -> str:
    """A publication/application number in one piece, office letters upper-case: 'AT 556755 T' → AT556755T,
    'FR3027815-A1' → FR3027815A1, 'za2005/02132' → ZA2005/02132."""
    number = re.sub(r"[\s\-]", "", clean(text))
    return number[:2].upper() + number[2:] if number[:2].isalpha() else number
