"""The patent register as other services read and write it: find a patent right by any of its numbers, record
and close register entries, and derive its position (position.py) on a day.

Open licensing and pledge registration go through these functions, never through the tables, so that both
see one register (ARCHITECTURE §2: a service talks to another only through service functions). Every write
is audited and happens in the caller's transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Text, func, or_, select
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.clock import today
from ipcity.core.errors import DomainError, NotFound
from ipcity.core.i18n import Msg
from ipcity.core.numbers import NumberError, parse_cn_application, parse_publication
from ipcity.core.roles import Actor
from ipcity.patents import store
from ipcity.patents.position import ENTRY_KINDS, Position, RegisterEntry, derive
from ipcity.patents.record import PatentRecord
from ipcity.patents.tables import Patent, PatentRegisterEntry

# Kind codes of granted publications (rules.md §12.2): a patent right is read from its grant publication.
GRANT_KINDS = ("B", "C", "U", "Y", "S", "B1", "B2")


def _app_key(number: str) -> str | None:
    try:
        return parse_cn_application(number).formatted
    except NumberError:
        return None


def find(session: Session, number: str) -> PatentRecord:
    """The record of a patent right from its patent number (ZL…), application number or publication number;
    the grant publication where there is one. NotFound says which number was not found."""
    text = (number or "").strip()
    if not text:
        raise DomainError(Msg("Give the patent number"), field="patent_number")
    app = _app_key(text)
    if app is not None:
        rows = session.scalars(select(Patent).where(Patent.app_number == app)).all()
    else:
        raw = "".join(text.split()).upper()
        try:
            pub = parse_publication(text).formatted
        except (NumberError, ValueError):
            pub = raw  # not a number we can parse: look it up as written
        rows = session.scalars(select(Patent).where(or_(Patent.pub_number == pub, Patent.pub_number == raw))).all()
        if rows and rows[0].app_number:
            rows = session.scalars(select(Patent).where(Patent.app_number == rows[0].app_number)).all()
    if not rows:
        raise NotFound(Msg("No patent {number} in the register", number=text[:40]))
    granted = [r for r in rows if r.grant_date is not None or r.kind in GRANT_KINDS]
    best = max(granted or rows, key=lambda r: (r.pub_date or date.min, r.id))
    return store.to_record(best)


def granted_naming(session: Session, name: str, *, limit: int = 100) -> list[PatentRecord]:
    """Granted records (a grant date, or a grant kind code) whose applicants mention `name` as text, newest
    application first, at most `limit`: "the granted patents of my unit" that filing forms suggest. A text
    match only: the caller decides whether `name` really is an owner."""
    if not name:
        return []
    rows = session.scalars(select(Patent).where(or_(Patent.grant_date.is_not(None), Patent.kind.in_(GRANT_KINDS)),
                                                Patent.app_number != "", Patent.applicants.is_not(None),
                                                func.cast(Patent.applicants, Text).contains(name, autoescape=True))
                           .order_by(Patent.app_date.desc(), Patent.app_number.desc()).limit(limit))
    return [store.to_record(r) for r in rows]


def filed_on(session: Session, day: date, patent_type: str, *, excluding: str = "") -> list[PatentRecord]:
    """Records of `patent_type` applied for on `day`, other than application `excluding` (a pledge's
    same-day utility model / invention check)."""
    rows = session.scalars(select(Patent).where(Patent.app_date == day, Patent.patent_type == patent_type,
                                                Patent.app_number != excluding))
    return [store.to_record(r) for r in rows]


def filed_naming(session: Session, day: date, names: list[str], patent_types: tuple[str, ...], *,
                 limit: int = 50) -> list[PatentRecord]:
    """Records of `patent_types` applied for on `day` whose applicants mention one of `names` as text, at most
    `limit` (a pre-examination's same-day invention and utility model check). A text match only: the caller
    compares the names."""
    named = [func.cast(Patent.applicants, Text).contains(n, autoescape=True) for n in names[:10] if n]
    if not named:
        return []
    rows = session.scalars(select(Patent).where(Patent.app_date == day, Patent.patent_type.in_(patent_types),
                                                or_(*named)).order_by(Patent.app_number).limit(limit))
    return [store.to_record(r) for r in rows]


def filings_naming(session: Session, names: list[str], since: date, patent_type: str, *,
                   limit: int = 50) -> list[PatentRecord]:
    """Records of `patent_type` applied for on or after `since` whose applicants mention one of `names` as text,
    oldest first, at most `limit` (a passed pre-examination case looked for among the filings)."""
    named = [func.cast(Patent.applicants, Text).contains(n, autoescape=True) for n in names[:10] if n]
    if not named:
        return []
    rows = session.scalars(select(Patent).where(Patent.app_date >= since, Patent.patent_type == patent_type,
                                                Patent.app_number != "", or_(*named))
                           .order_by(Patent.app_date, Patent.app_number).limit(limit))
    return [store.to_record(r) for r in rows]


def grant_date_of(session: Session, app_number: str) -> date | None:
    """The grant date the register gives the application `app_number` (CN201910067706.2), None before grant."""
    return session.scalar(select(func.min(Patent.grant_date)).where(Patent.app_number == app_number,
                                                                    Patent.grant_date.is_not(None)))


def key_of(record: PatentRecord) -> str:
    """The register key of a patent right: its application number (the publication number if it has none)."""
    return record.app_number or record.pub_number


def entry_of(row: PatentRegisterEntry) -> RegisterEntry:
    return RegisterEntry(row.kind, row.start_on, row.end_on, row.closed_on, row.reference,
                         dict(row.detail or {}) | {"entry_id": row.id, "source": row.source})


def entries(session: Session, key: str, kinds: tuple[str, ...] = ENTRY_KINDS) -> list[RegisterEntry]:
    rows = session.scalars(select(PatentRegisterEntry).where(PatentRegisterEntry.app_number == key,
                                                             PatentRegisterEntry.kind.in_(kinds))
                           .order_by(PatentRegisterEntry.id))
    return [entry_of(r) for r in rows]


def position(session: Session, number: str | PatentRecord, on: date | None = None) -> Position:
    record = number if isinstance(number, PatentRecord) else find(session, number)
    return derive(record, entries(session, key_of(record)), on or today())


def positions(session: Session, records: list[PatentRecord], on: date | None = None) -> dict[str, Position]:
    """Positions of many records with one query for their entries (lists, valuation): by register key."""
    keys = [key_of(r) for r in records]
    by_key: dict[str, list[RegisterEntry]] = {k: [] for k in keys}
    for chunk in range(0, len(keys), 900):
        rows = session.scalars(select(PatentRegisterEntry)
                               .where(PatentRegisterEntry.app_number.in_(keys[chunk:chunk + 900]))
                               .order_by(PatentRegisterEntry.id))
        for row in rows:
            by_key[row.app_number].append(entry_of(row))
    on = on or today()
    return {key_of(r): derive(r, by_key[key_of(r)], on) for r in records}


def record_entry(session: Session, actor: Actor, key: str, kind: str, *, start: date | None,
                 end: date | None = None, reference: str = "", detail: dict | None = None,
                 source: str = "platform") -> PatentRegisterEntry:
    if kind not in ENTRY_KINDS:
        raise ValueError(f"unknown register entry kind {kind!r}")
    row = PatentRegisterEntry(app_number=key, kind=kind, start_on=start, end_on=end, reference=reference,
                              detail=dict(detail or {}), source=source, created_by=actor.username)
    session.add(row)
    session.flush()
    audit.record(session, actor, "patent.register.entry", "patent_register_entry", row.id,
                 summary=f"{key} {kind} {reference}".strip(), detail={"start": str(start), "end": str(end)})
    return row


def close_entries(session: Session, actor: Actor, key: str, kind: str, reference: str, *, on: date | None = None,
                  reason: str = "") -> int:
    """Close the open entries of `kind` made under `reference` (a pledge cancelled, a declaration withdrawn)."""
    rows = session.scalars(select(PatentRegisterEntry).where(
        PatentRegisterEntry.app_number == key, PatentRegisterEntry.kind == kind,
        PatentRegisterEntry.reference == reference, PatentRegisterEntry.closed_on.is_(None))).all()
    day = on or today()
    for row in rows:
        row.closed_on, row.closed_by, row.close_reason = day, actor.username, reason
        audit.record(session, actor, "patent.register.close", "patent_register_entry", row.id,
                     summary=f"{key} {kind} {reference}", reason=reason)
    session.flush()
    return len(rows)


def update_entry(session: Session, actor: Actor, key: str, kind: str, reference: str, *, end: date | None = None,
                 detail: dict | None = None, reason: str = "") -> int:
    """Change the open entries made under `reference` (a pledge's debt term or amount changed)."""
    rows = session.scalars(select(PatentRegisterEntry).where(
        PatentRegisterEntry.app_number == key, PatentRegisterEntry.kind == kind,
        PatentRegisterEntry.reference == reference, PatentRegisterEntry.closed_on.is_(None))).all()
    for row in rows:
        if end is not None:
            row.end_on = end
        if detail:
            row.detail = {**(row.detail or {}), **detail}
        audit.record(session, actor, "patent.register.change", "patent_register_entry", row.id,
                     summary=f"{key} {kind} {reference}", reason=reason, detail={"end": str(end), **(detail or {})})
    session.flush()
    return len(rows)
