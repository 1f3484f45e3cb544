"""What a load of a sample would keep: a reader's items through the runner's own preparation (normalise, field
limits), counted — accepted, refused, warnings — without a database.

Every reader's test counts its real sample with this and fails when the refusals or the warnings rise.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from ipcity.patents.ingest.runner import prepare
from ipcity.patents.record import PatentRecord


@dataclass
class Tally:
    accepted: list[tuple[int, PatentRecord, tuple[str, ...]]] = field(default_factory=list)  # line, record, warnings
    refused: list[tuple[int, str]] = field(default_factory=list)  # line, reason

    @property
    def read(self) -> int:
        return len(self.accepted) + len(self.refused)

    @property
    def warnings(self) -> list[str]:
        return [w for _, _, notes in self.accepted for w in notes]

    def records(self) -> dict[str, PatentRecord]:
        return {record.pub_number: record for _, record, _ in self.accepted}


def tally(reader, path: Path) -> Tally:
    out = Tally()
    items = reader.read(path)
    while batch := list(itertools.islice(items, 500)):
        for line, record, _, reason, warnings in prepare(batch):
            if record is None:
                out.refused.append((line, reason))
            else:
                out.accepted.append((line, record, warnings))
    return out
