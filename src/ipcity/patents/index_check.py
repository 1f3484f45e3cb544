"""`ipcity patents check`: does the search index hold exactly the register, and the current versions?

The register is the source of truth. Compared in bounded memory, a batch at a time, on any register size:

1. the register in id order: which of its publications the index lacks (missing), holds more than
   once (duplicates), or holds in a version it has not confirmed (pending: `Patent.index_pending`);
2. documents matched by register ids against the index's own count: any surplus are documents of
   publications no longer in the register (extra), found by walking the index ids.

With `repair`, missing, duplicate and pending records are indexed again and extra documents deleted,
committed as it goes. Run it while no load is writing: a load in flight shows as pending.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.patents import store
from ipcity.patents.engine import PatentEngine
from ipcity.patents.tables import Patent

SAMPLES = 20  # ids kept per kind of difference, for the report
Progress = Callable[[int, int, str], None]


@dataclass
class CheckReport:
    register: int = 0  # rows in the register
    indexed: int = 0  # documents in the index (before any repair)
    missing: int = 0  # register rows without an index document
    duplicates: int = 0  # register rows with more than one index document
    pending: int = 0  # rows in the index whose current version the index has not confirmed
    extra: int = 0  # index documents without a register row
    repaired: int = 0  # records re-indexed plus documents deleted
    samples: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in
                                                                   ("missing", "duplicates", "pending", "extra")})

    @property
    def differences(self) -> int:
        return self.missing + self.duplicates + self.pending + self.extra

    def _note(self, kind: str, ids: list[str]) -> None:
        setattr(self, kind, getattr(self, kind) + len(ids))
        room = SAMPLES - len(self.samples[kind])
        if room > 0:
            self.samples[kind] += ids[:room]


def check(session: Session, engine: PatentEngine, *, repair: bool = False, batch: int = 1000,
          progress: Progress | None = None) -> CheckReport:
    report = CheckReport(register=store.count(session))
    backend = engine.backend
    report.indexed = backend.count()
    matched = 0  # index documents whose id is in the register
    last = 0
    while True:
        rows = session.execute(select(Patent.id, Patent.pub_number, Patent.index_pending)
                               .where(Patent.id > last).order_by(Patent.id).limit(batch)).all()
        if not rows:
            break
        last = rows[-1].id
        found = Counter(backend.present([row.pub_number for row in rows]))
        matched += sum(found.values())
        missing = [r.pub_number for r in rows if r.pub_number not in found]
        duplicates = [r.pub_number for r in rows if found[r.pub_number] > 1]
        pending = [r.pub_number for r in rows if r.index_pending and found[r.pub_number] == 1]
        report._note("missing", missing)
        report._note("duplicates", duplicates)
        report._note("pending", pending)
        if repair and (missing or duplicates or pending):
            records = store.get_many(session, missing + duplicates + pending)
            engine.index(list(records.values()))  # an upsert: one document per id again
            engine.commit(session)
            session.commit()
            report.repaired += len(records)
        if progress:
            progress(last, 0, "register")
    surplus = report.indexed - matched
    if surplus > 0:
        _extra(session, engine, report, repair, batch)
    return report


def _extra(session: Session, engine: PatentEngine, report: CheckReport, repair: bool, batch: int) -> None:
    """Walk the index's ids (a snapshot: deletions made here do not disturb the walk)."""
    doomed: list[str] = []
    for ids in engine.backend.ids(batch):
        known = set(session.scalars(select(Patent.pub_number).where(Patent.pub_number.in_(ids))))
        extra = [pub for pub in ids if pub not in known]
        report._note("extra", extra)
        if repair and extra:
            engine.delete(extra)
            report.repaired += len(extra)
            doomed += extra
            if len(doomed) >= batch:
                engine.commit()
                doomed = []
    if repair:
        engine.commit()
