"""A patent right's history as counts: transfers, licences, pledges, lapses, invalidations and disputes, from the
legal events of its publication and the register entries (open and closed) the platform holds.

Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from ipcity.patents.position import INVALIDATION_REQUEST, LICENCE, PLEDGE, PRESERVATION, SUSPENSION, RegisterEntry
from ipcity.patents.record import PatentRecord


@dataclass(frozen=True)
class History:
    """Counts from the legal events and the register entries (open and closed) of one patent right."""

    known: bool  # False: the source gave no legal events and the register holds nothing — counts unknown
    transfers: int = 0
    licences: int = 0  # exclusive and sole licences count double
    pledges: int = 0
    lapses: int = 0  # terminations for unpaid fees (a restored patent keeps its lapse here)
    invalidations: int = 0  # partial or full invalidation decisions
    preservations: int = 0
    suspensions: int = 0
    invalidation_requests: int = 0

    @property
    def disputes(self) -> int:
        return self.preservations + self.suspensions + self.invalidation_requests

    @property
    def adverse(self) -> int:
        return self.lapses + self.invalidations


def history_of(record: PatentRecord, entries: Iterable[RegisterEntry]) -> History:
    """Licences and pledges from the publication's events (生效 opens one; 变更/注销 are not new ones) and from the
    platform's register entries; a register entry that repeats an event (same kind and start) counts once."""
    entries = list(entries)
    events = record.events or []
    counts = {"transfer": 0, LICENCE: 0, PLEDGE: 0, "fee_lapse": 0, "invalidation": 0}
    seen: set[tuple[str, date | None]] = set()
    for e in events:
        text, code = e.text or "", e.code or ""
        if e.kind in (LICENCE, PLEDGE):
            if "注销" in text or "变更" in text or code in ("PC01", "PM01", "EC01", "EM01"):
                continue
            seen.add((e.kind, e.date))
            weight = 2 if e.kind == LICENCE and ("独占" in text or "排他" in text) else 1
            counts[e.kind] += weight
        elif e.kind == "transfer":
            counts["transfer"] += 1
        elif e.kind == "fee_lapse":
            counts["fee_lapse"] += 1
        elif e.kind in ("invalidation", "partial_invalidation"):
            counts["invalidation"] += 1
    kinds = {PRESERVATION: 0, SUSPENSION: 0, INVALIDATION_REQUEST: 0}
    for entry in entries:
        if entry.kind in (LICENCE, PLEDGE):
            if (entry.kind, entry.start) in seen:
                continue
            exclusive = entry.detail.get("licence_type") in ("exclusive", "sole")
            counts[entry.kind] += 2 if entry.kind == LICENCE and exclusive else 1
        elif entry.kind in kinds:
            kinds[entry.kind] += 1
    return History(bool(events) or bool(entries), counts["transfer"], counts[LICENCE], counts[PLEDGE],
                   counts["fee_lapse"], counts["invalidation"], kinds[PRESERVATION], kinds[SUSPENSION],
                   kinds[INVALIDATION_REQUEST])
