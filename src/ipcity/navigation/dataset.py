"""The patents of a topic, read from the register as `NavRecord`s: one per application.

The register holds one row per publication; a CN application published as A and granted as B is one
application, and landscape counts are counts of applications (GB/T 39551.1 retrieval and data
processing step). Rows are streamed with only the columns the analyses need, so that a topic of a
million records fits in memory.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ipcity.core.numbers import NumberError, parse_publication
from ipcity.navigation import sei
from ipcity.navigation.domain import TopicDefinition
from ipcity.navigation.model import NavRecord
from ipcity.patents.ipc import CLASS, SECTION, SUBCLASS, parts
from ipcity.patents.names import applicant_key, normalise_applicant
from ipcity.patents.search.contract import SearchRequest
from ipcity.patents.search.query import parse
from ipcity.patents.tables import Patent

Progress = Callable[[int, int, str], None]
BATCH = 10_000
IN_CHUNK = 500  # values per IN (…) list: well under SQLite's and PostgreSQL's parameter limits
_APP_NUMBER = re.compile(r"^CN\d{8,12}\.[\dX]$")

_COLUMNS = (Patent.pub_number, Patent.app_number, Patent.app_date, Patent.pub_date, Patent.patent_type,
            Patent.office, Patent.ipc_main, Patent.ipc, Patent.applicants, Patent.inventors, Patent.region_code,
            Patent.legal_status, Patent.cited_by, Patent.family_size, Patent.family, Patent.events, Patent.title,
            Patent.priorities)


@dataclass
class Selection:
    records: list[NavRecord]
    publications: int = 0  # register rows that matched, before publications were merged into applications
    data_date: date | None = None  # the newest publication date among them: "data as of"
    register_size: int = 0
    notes: list[str] = field(default_factory=list)


class _Names:
    """Applicant names grouped across spellings (applicant_key) and shown in one form: the first seen."""

    def __init__(self) -> None:
        self._display: dict[str, str] = {}
        self._by_key: dict[str, str] = {}

    def __call__(self, raw: str) -> str:
        found = self._display.get(raw)
        if found is None:
            name = normalise_applicant(raw)
            found = self._by_key.setdefault(applicant_key(name) or name, name) if name else ""
            self._display[raw] = found
        return found


def _ipc_tuple(main: str, codes: list | None) -> tuple[str, ...]:
    ordered = [main] if main else []
    ordered += [c for c in codes or () if c and c != main]
    return tuple(dict.fromkeys(ordered))


def _origin(priorities: list | None, office: str) -> str:
    """The country of the earliest priority claim; without one the application is its own first filing."""
    dated = [(p.get("date") or "9999", p.get("country") or "") for p in priorities or () if isinstance(p, dict)]
    dated = [d for d in dated if d[1]]
    return min(dated)[1] if dated else (office or "")


def _family_id(pub: str, family: list | None) -> str:
    return min([pub, *family]) if family else ""


class _Builder:
    """Turns register rows into NavRecords and merges the publications of one application."""

    def __init__(self, start_year: int | None, end_year: int | None) -> None:
        self.start, self.end = start_year, end_year
        self.names = _Names()
        self.inventors: dict[str, str] = {}
        self.by_application: dict[str, NavRecord] = {}
        self.latest_date: dict[str, date | None] = {}
        self.publications = 0
        self.data_date: date | None = None

    def _inventor(self, raw: str) -> str:
        found = self.inventors.get(raw)
        if found is None:  # normalise each spelling once: setdefault would normalise on every call
            found = self.inventors[raw] = normalise_applicant(raw)
        return found

    def add(self, row, ipc: tuple[str, ...]) -> None:
        app_year = row.app_date.year if row.app_date else None
        pub_year = row.pub_date.year if row.pub_date else None
        year = app_year or pub_year
        if (self.start and (year is None or year < self.start)) or (self.end and (year is None or year > self.end)):
            return
        self.publications += 1
        if row.pub_date and (self.data_date is None or row.pub_date > self.data_date):
            self.data_date = row.pub_date
        inventors = tuple(dict.fromkeys(self._inventor(n) for n in row.inventors or () if n))
        record = NavRecord(
            pub_number=row.pub_number, app_number=row.app_number or "", app_year=app_year, pub_year=pub_year,
            patent_type=row.patent_type, office=row.office or "", ipc=ipc,
            applicants=tuple(dict.fromkeys(n for n in map(self.names, row.applicants or ()) if n)),
            inventors=tuple(n for n in inventors if n), region_code=row.region_code or "",
            legal_status=row.legal_status or "unknown", cited_by=row.cited_by, family_size=row.family_size,
            family_id=_family_id(row.pub_number, row.family),
            events=tuple(dict.fromkeys(e.get("kind", "") for e in row.events or () if isinstance(e, dict))),
            title=row.title or "", origin=_origin(row.priorities, row.office))
        key = row.app_number or row.pub_number
        earlier = self.by_application.get(key)
        if earlier is None:
            self.by_application[key] = record
            self.latest_date[key] = row.pub_date
            return
        self.by_application[key] = self._merge(earlier, record, self.latest_date[key], row.pub_date)
        if row.pub_date and (self.latest_date[key] is None or row.pub_date > self.latest_date[key]):
            self.latest_date[key] = row.pub_date

    @staticmethod
    def _merge(old: NavRecord, new: NavRecord, old_date: date | None, new_date: date | None) -> NavRecord:
        """The latest publication describes the application (its status, owners after grant); the first
        publication year and every legal event of every publication are kept."""
        newer = new_date is not None and (old_date is None or new_date > old_date)
        base, other = (new, old) if newer else (old, new)
        years = [y for y in (old.pub_year, new.pub_year) if y]
        cited = [c for c in (old.cited_by, new.cited_by) if c is not None]
        sizes = [s for s in (old.family_size, new.family_size) if s is not None]
        return NavRecord(
            pub_number=base.pub_number, app_number=base.app_number, app_year=base.app_year or other.app_year,
            pub_year=min(years) if years else None, patent_type=base.patent_type or other.patent_type,
            office=base.office, ipc=base.ipc or other.ipc, applicants=base.applicants or other.applicants,
            inventors=base.inventors or other.inventors, region_code=base.region_code or other.region_code,
            legal_status=base.legal_status, cited_by=max(cited) if cited else None,
            family_size=max(sizes) if sizes else None, family_id=base.family_id or other.family_id,
            events=tuple(dict.fromkeys(old.events + new.events)), title=base.title or other.title,
            origin=base.origin or other.origin)


def _stream(session: Session, *where, text: bool = False) -> Iterator:
    columns = (*_COLUMNS, Patent.abstract) if text else _COLUMNS
    yield from session.execute(select(*columns).where(*where).order_by(Patent.id).execution_options(yield_per=BATCH))


def ipc_matcher(codes: Iterable[str]) -> Callable[[tuple[str, ...]], bool]:
    """Whether a patent's IPC symbols fall under any of `codes`: a section, class or subclass covers every
    symbol below it; a main group (H01M10/00) covers its subgroups; a subgroup is matched exactly."""
    prefixes: list[str] = []
    exact: set[str] = set()
    for code in codes:
        p = parts(code)
        if p.level in (SECTION, CLASS, SUBCLASS):
            prefixes.append(p.full)
        elif p.full == p.main_group:
            prefixes.append(p.full.split("/")[0] + "/")
        else:
            exact.add(p.full)
    prefix_tuple = tuple(prefixes)
    return lambda symbols: any(s in exact or s.startswith(prefix_tuple) for s in symbols)


def select_records(session: Session, definition: TopicDefinition, *, engine=None,
                   progress: Progress | None = None) -> Selection:
    """Every application of the topic, in the topic's period. `engine` (the patent search engine) is needed
    for a query topic only."""
    builder = _Builder(definition.start_year, definition.end_year)
    register_size = session.scalar(select(func.count()).select_from(Patent)) or 0
    notes: list[str] = []
    report = progress or (lambda done, total, label: None)

    def scan(keep: Callable | None, *where, text: bool = False) -> None:
        """Every row matching `where` for which keep(row, ipc) holds; ipc: the row's symbols, main first
        (computed once per row, for the filter and the record)."""
        for done, row in enumerate(_stream(session, *where, text=text), 1):
            ipc = _ipc_tuple(row.ipc_main, row.ipc)
            if keep is None or keep(row, ipc):
                builder.add(row, ipc)
            if done % BATCH == 0:
                report(done, register_size, "records read")

    if definition.kind == "query":
        if engine is None:
            raise ValueError("a query topic needs the patent search engine")
        numbers = sorted(engine.matching(SearchRequest(query=parse(definition.query))))
        for start in range(0, len(numbers), IN_CHUNK):
            scan(None, Patent.pub_number.in_(numbers[start:start + IN_CHUNK]))
            report(min(start + IN_CHUNK, len(numbers)), len(numbers), "records read")
    elif definition.kind == "ipc":
        matches = ipc_matcher(definition.ipc_codes)
        scan(lambda row, ipc: matches(ipc))
    elif definition.kind == "sei":
        code = definition.sei_code
        if definition.sei_keywords:
            scan(lambda row, ipc: sei.fits(ipc, f"{row.title} {row.abstract}", code),
                 text=True)
            notes.append("keywords")
        else:
            scan(lambda row, ipc: sei.in_industry(ipc, code))
    elif definition.kind == "numbers":
        _scan_numbers(definition.numbers, scan)
    else:
        raise ValueError(f"unknown topic kind {definition.kind!r}")
    return Selection(records=list(builder.by_application.values()), publications=builder.publications,
                     data_date=builder.data_date, register_size=register_size, notes=notes)


def _scan_numbers(numbers: list[str], scan) -> None:
    """Publication numbers with a kind code match exactly; without one, every kind of that number
    (CN112345678 finds both A and B); CN application numbers match the application."""
    applications = [n for n in numbers if _APP_NUMBER.match(n)]
    exact: list[str] = []
    without_kind: set[str] = set()
    for number in numbers:
        if number in applications:
            continue
        parsed = parse_publication(number)
        if parsed.kind:
            exact.append(parsed.formatted)
        else:
            without_kind.add(parsed.key_without_kind)
    for start in range(0, len(exact), IN_CHUNK):
        scan(None, Patent.pub_number.in_(exact[start:start + IN_CHUNK]))
    for start in range(0, len(applications), IN_CHUNK):
        scan(None, Patent.app_number.in_(applications[start:start + IN_CHUNK]))
    keys = sorted(without_kind)
    for start in range(0, len(keys), 100):
        chunk = keys[start:start + 100]
        wanted = set(chunk)
        scan(lambda row, ipc, wanted=wanted: _key_without_kind(row.pub_number) in wanted,
             or_(*[Patent.pub_number.like(f"{k}%") for k in chunk]))


def _key_without_kind(pub: str) -> str:
    try:
        return parse_publication(pub).key_without_kind
    except NumberError:
        return pub


def sample_texts(session: Session, records: list[NavRecord], limit: int, seed: int = 0) -> list[tuple[int | None, str]]:
    """(application year, title + abstract) of at most `limit` records drawn at random (fixed seed), for the
    text clusters: clustering a sample keeps a million-record topic within time and memory."""
    chosen = records if len(records) <= limit else random.Random(seed).sample(records, limit)
    years = {r.pub_number: r.app_year for r in chosen}
    numbers = sorted(years)
    texts: list[tuple[int | None, str]] = []
    for start in range(0, len(numbers), IN_CHUNK):
        rows = session.execute(select(Patent.pub_number, Patent.title, Patent.abstract)
                               .where(Patent.pub_number.in_(numbers[start:start + IN_CHUNK])))
        texts.extend((years[pub], f"{title or ''}。{abstract or ''}") for pub, title, abstract in rows)
    return texts
