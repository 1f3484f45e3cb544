"""How much one source file may expand to and how big one of its records and fields may be.

A compressed file is a promise about its size that its sender controls: a 400 KB `.jsonl.gz` of zeros
expands to gigabytes, and a line without a newline is read whole. Readers therefore read through
`sources.open_binary`/`open_text` (which count what a gz or zip member expands to), read lines with a
bound (`sources.bounded_lines`), and the runner checks every normalised record (`check_record`).

A record that breaks a record or field limit is refused and the file goes on; a file that breaks an
expansion limit is a bomb and stops (`SourceRefused`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import String

from ipcity.patents.normalise import RecordError  # the runner's refusal of a normalised record
from ipcity.patents.record import PatentRecord

LONG_TEXT = ("abstract", "claims", "description")
LIST_FIELDS = ("ipc", "cpc", "locarno", "applicants", "inventors", "agents", "citations", "family")


@dataclass(frozen=True)
class Limits:
    expanded_bytes: int = 8 * 1024**3
    ratio: int = 100
    record_bytes: int = 16 * 1024**2
    text_chars: int = 2_000_000
    field_chars: int = 10_000

    @classmethod
    def from_settings(cls, settings) -> Limits:
        return cls(expanded_bytes=settings.ingest_max_expanded_bytes, ratio=settings.ingest_max_ratio,
                   record_bytes=settings.ingest_max_record_bytes, text_chars=settings.ingest_max_text_chars,
                   field_chars=settings.ingest_max_field_chars)


DEFAULT_LIMITS = Limits()


def _column_lengths() -> dict[str, int]:
    # The register's VARCHAR columns: PostgreSQL refuses a longer value, and with it the whole batch.
    from ipcity.patents.tables import Patent

    return {c.name: c.type.length for c in Patent.__table__.columns
            if isinstance(c.type, String) and c.type.length}


_COLUMNS: dict[str, int] = {}


class SourceRefused(ValueError):
    """A file that stops being read: it expands beyond a limit (a decompression bomb). `line` is where reading
    stopped (0 before the first line); the message names the limit (as the office's limit, never a setting name)."""

    def __init__(self, zh: str, en: str, line: int = 0):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en, self.line = zh, en, line

    def at(self, line: int) -> SourceRefused:
        self.line = self.line or line
        return self


def _too_long(name: str, size: int, limit: int) -> RecordError:
    return RecordError(f"{name} 长 {size} 字符，超过上限 {limit} / {name} has {size} characters, more than {limit}")


def check_record(rec: PatentRecord, limits: Limits = DEFAULT_LIMITS) -> PatentRecord:
    """`rec` (normalised) when every field fits the limits and its register column; RecordError naming the
    first that does not."""
    if not _COLUMNS:
        _COLUMNS.update(_column_lengths())
    for name, value in rec.__dict__.items():
        if isinstance(value, str):
            limit = limits.text_chars if name in LONG_TEXT else min(limits.field_chars,
                                                                     _COLUMNS.get(name, limits.field_chars))
            if len(value) > limit:
                raise _too_long(name, len(value), limit)
    for name in LIST_FIELDS:
        for item in getattr(rec, name):
            if len(item) > limits.field_chars:
                raise _too_long(name, len(item), limits.field_chars)
    for event in rec.events:
        if len(event.text) > limits.field_chars or len(event.code) > limits.field_chars:
            raise _too_long("events", max(len(event.text), len(event.code)), limits.field_chars)
    if rec.extra:
        size = len(json.dumps(rec.extra, ensure_ascii=False, default=str))
        if size > limits.text_chars:
            raise _too_long("extra", size, limits.text_chars)
    return rec
