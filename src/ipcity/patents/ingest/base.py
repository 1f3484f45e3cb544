"""What every reader yields: one item per source record, either a record or a reason it was refused.

Readers stream (constant memory: they never hold the whole file, nor one line beyond the record limit) and
never raise for one bad record;
they yield `Rejected` with the file, the line (or record ordinal where the format has no lines) and
the reason, and go on. Readers keep what they can: a field that cannot be read (a date, a number, a
wrongly typed value) is left out with a warning in `Read.warnings`, and only a record that cannot be read
at all or has no publication number to identify it is `Rejected`. They do not normalise numbers, IPC codes
or names beyond what the format needs: `ipcity.patents.normalise` does that once for every reader.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from ipcity.patents.ingest.limits import DEFAULT_LIMITS, Limits
from ipcity.patents.record import PatentRecord


@dataclass(frozen=True)
class Read:
    record: PatentRecord
    line: int  # 1-based line in the file where the record starts (or ordinal of the record)
    warnings: tuple[str, ...] = ()  # fields left out because they could not be read (Chinese / English)


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


Item = Read | Rejected


class Reader(Protocol):
    name: str  # format key used on the command line, e.g. "uspto-xml"
    description: str

    def sniff(self, path: Path) -> bool:
        """True when this reader recognises the file (by name and first bytes)."""

    def read(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
        """Yield every record of the file in order. A record longer than `limits.record_bytes` is Rejected;
        a file that expands beyond `limits` raises SourceRefused (limits.py)."""


@runtime_checkable
class SplitReader(Reader, Protocol):
    """A reader whose records can be cut apart before they are parsed (one JSON line each): the bulk ingest's
    preparing processes each parse only the records they prepare, not every record of the file.
    `read(path, limits)` is exactly `parse(unit)` of every `units(path, limits)`."""

    def units(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[tuple[int, str | None]]:
        """(line, the record's unparsed text, or None when it is longer than the limit), one per item `read`
        yields, in order; SourceRefused as `read` raises it."""

    def parse(self, unit: tuple[int, str | None], limits: Limits = DEFAULT_LIMITS) -> Item:
        """The item `read(path, limits)` yields for this unit."""
