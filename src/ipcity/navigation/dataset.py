"""The patents of a topic, read from the register as `NavRecord`s: one per application.

The register holds one row per publication; a CN application published as A and granted as B is one
application, and landscape counts are counts of applications (GB/T 39551.1 retrieval and data
processing step). The scan (patents.register_scan.stream) reads only the columns the analyses need, as plain
values: the database narrows the rows by IPC and period first, works out the years, and hands JSON columns over
as text, which is decoded here once, only where it says something (most family and priority lists are empty),
and once per distinct applicant list. So a topic of a million records fits in memory and time.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from ipcity.core.numbers import NumberError, parse_publication
from ipcity.navigation import gcpause, sei
from ipcity.navigation.domain import TopicDefinition
from ipcity.navigation.model import NavRecord
from ipcity.patents import register_scan
from ipcity.patents.ipc import CLASS, SECTION, SUBCLASS, parts
from ipcity.patents.names import applicant_key, normalise_applicant
from ipcity.patents.register_scan import json_text, year_of
from ipcity.patents.search.contract import SearchRequest
from ipcity.patents.search.query import parse
from ipcity.patents.tables import Patent

Progress = Callable[[int, int, str], None]
BATCH = 10_000
IN_CHUNK = 500  # values per IN (…) list: well under SQLite's and PostgreSQL's parameter limits
_APP_NUMBER = re.compile(r"^CN\d{8,12}\.[\dX]$")
# Distinct JSON texts remembered per column (applicant lists, event lists, IPC lists recur): past this many, the
# memo starts afresh, so that memory stays bounded whatever the register holds.
LIST_CACHE = 1 << 19

# The columns of the scan, in the order `_Builder.add` unpacks them. The publication date stays the driver's
# value (an ISO string on SQLite, a date on PostgreSQL): it is only compared, and those compare alike.
COLUMNS = (Patent.pub_number, Patent.app_number, year_of(Patent.app_date), year_of(Patent.pub_date),
           type_coerce(Patent.pub_date, String), Patent.patent_type, Patent.office, Patent.ipc_main,
           json_text(Patent.ipc), json_text(Patent.applicants), json_text(Patent.inventors), Patent.region_code,
           Patent.legal_status, Patent.cited_by, Patent.family_size, json_text(Patent.family),
           json_text(Patent.events), Patent.title, json_text(Patent.priorities))
TEXT_COLUMNS = (*COLUMNS, Patent.abstract)  # + the abstract, for the keyword check of an SEI topic
# Positions in a row of COLUMNS that a filter reads.
TITLE, ABSTRACT = 17, 19
_EMPTY = (None, "", "[]")  # JSON text of an empty (or absent) list: nothing to decode


@dataclass
class Selection:
    records: list[NavRecord]
    publications: int = 0  # register rows that matched, before publications were merged into applications
    data_date: date | None = None  # the newest publication date among them: "data as of"
    register_size: int = 0
    notes: list[str] = field(default_factory=list)


# A name of Chinese characters only (no space, bracket, punctuation, full-width or traditional legal form) is
# its own normalised form: most inventor names are, and normalising each of a million spellings cost seconds.
_PLAIN_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_TRADITIONAL_CHARS = frozenset("責團會")  # the characters of names.py's traditional legal forms (責任, 集團, 會社)


def normalised_name(raw: str) -> str:
    """patents.names.normalise_applicant, skipping the work for a name it would return unchanged."""
    if _PLAIN_HAN.fullmatch(raw) and _TRADITIONAL_CHARS.isdisjoint(raw):
        return raw
    return normalise_applicant(raw)


class _Names:
    """Applicant names grouped across spellings (applicant_key) and shown in one form: the first seen."""

    def __init__(self) -> None:
        self._display: dict[str, str] = {}
        self._by_key: dict[str, str] = {}

    def __call__(self, raw: str) -> str:
        found = self._display.get(raw)
        if found is None:
            name = normalised_name(raw)
            found = self._by_key.setdefault(applicant_key(name) or name, name) if name else ""
            self._display[raw] = found
        return found


class _Memo(dict):
    """raw JSON text -> what it decodes to, for values that recur; emptied when it reaches LIST_CACHE entries."""

    def __init__(self, work: Callable[[str | None], object]) -> None:
        super().__init__()
        self.work = work

    def __missing__(self, raw):
        if len(self) >= LIST_CACHE:
            self.clear()
        found = self[raw] = self.work(raw)
        return found


def _list(raw: str | None) -> list:
    return [] if raw in _EMPTY else json.loads(raw) or []


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


def _symbols(key: tuple[str, str | None], in_topic: Callable[[tuple[str, ...]], bool] | None) -> tuple:
    ipc = _ipc_tuple(key[0], _list(key[1]))
    return ipc, in_topic is None or in_topic(ipc)


def _as_date(value) -> date | None:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


class _Builder:
    """Turns register rows (COLUMNS) into NavRecords and merges the publications of one application."""

    def __init__(self, start_year: int | None, end_year: int | None) -> None:
        self.start, self.end = start_year, end_year
        self.names = _Names()
        self.inventors: dict[str, str] = {}
        # Decoded once per distinct list (they recur); equal tuples are then one object, shared by the records.
        self.applicants = _Memo(lambda raw: tuple(dict.fromkeys(n for n in map(self.names, _list(raw)) if n)))
        self.event_kinds: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple object per distinct list
        self.by_application: dict[str, NavRecord] = {}
        self.latest_date: dict[str, object] = {}
        self.publications = 0
        self.newest = None  # the newest publication date, as the driver gave it

    @property
    def data_date(self) -> date | None:
        return _as_date(self.newest)

    def _inventor(self, raw: str) -> str:
        found = self.inventors.get(raw)
        if found is None:  # normalise each spelling once: setdefault would normalise on every call
            found = self.inventors[raw] = normalised_name(raw)
        return found

    def _events(self, raw: str | None) -> tuple[str, ...]:
        """The kinds of a JSON list of legal events, in order, once each (the texts themselves rarely recur)."""
        if raw in _EMPTY:
            return ()
        kinds = tuple(dict.fromkeys(e.get("kind", "") for e in json.loads(raw) or () if isinstance(e, dict)))
        return self.event_kinds.setdefault(kinds, kinds)

    def add(self, row: Sequence, ipc: tuple[str, ...]) -> None:
        (pub, app, app_year, pub_year, pub_date, ptype, office, _main, _ipc, applicants, inventors, region, status,
         cited_by, family_size, family, events, title, priorities) = row[:19]
        year = app_year or pub_year
        if (self.start and (year is None or year < self.start)) or (self.end and (year is None or year > self.end)):
            return
        self.publications += 1
        if pub_date and (self.newest is None or pub_date > self.newest):
            self.newest = pub_date
        inventor_names = tuple(dict.fromkeys(self._inventor(n) for n in _list(inventors) if n))
        record = NavRecord(
            pub, app or "", app_year, pub_year, ptype, office or "", ipc, self.applicants[applicants],
            tuple(n for n in inventor_names if n), region or "", status or "unknown", cited_by, family_size,
            "" if family in _EMPTY else _family_id(pub, json.loads(family)), self._events(events), title or "",
            (office or "") if priorities in _EMPTY else _origin(json.loads(priorities), office))
        key = app or pub
        earlier = self.by_application.get(key)
        if earlier is None:
            self.by_application[key] = record
            self.latest_date[key] = pub_date
            return
        self.by_application[key] = self._merge(earlier, record, self.latest_date[key], pub_date)
        if pub_date and (self.latest_date[key] is None or pub_date > self.latest_date[key]):
            self.latest_date[key] = pub_date

    @staticmethod
    def _merge(old: NavRecord, new: NavRecord, old_date, new_date) -> NavRecord:
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


def _stream(session: Session, *where, text: bool = False) -> Iterator[Sequence]:
    """The scan's rows (COLUMNS, + the abstract with `text`) matching `where`, in register order."""
    for page in register_scan.stream(session, TEXT_COLUMNS if text else COLUMNS, *where, batch=BATCH):
        yield from page


def _ipc_codes(codes: Iterable[str]) -> tuple[list[str], set[str]]:
    """The prefixes (section, class, subclass; "H01M10/" for a main group) and exact subgroups of `codes`."""
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
    return prefixes, exact


def ipc_matcher(codes: Iterable[str]) -> Callable[[tuple[str, ...]], bool]:
    """Whether a patent's IPC symbols fall under any of `codes`: a section, class or subclass covers every
    symbol below it; a main group (H01M10/00) covers its subgroups; a subgroup is matched exactly."""
    prefixes, exact = _ipc_codes(codes)
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
    period = register_scan.year_filter(definition.start_year, definition.end_year)
    in_period = () if period is None else (period,)

    def scan(in_topic: Callable[[tuple[str, ...]], bool] | None, keep: Callable | None, *where,
             text: bool = False) -> None:
        """Every row matching `where` (and the period) whose symbols (main first) pass `in_topic` and for which
        keep(row, symbols) holds."""
        # (main IPC, IPC list text) -> (symbols, in the topic?): symbol lists recur, and in_topic reads nothing else.
        by_ipc = _Memo(lambda key: _symbols(key, in_topic))
        add = builder.add
        with gcpause.paused():
            for done, row in enumerate(_stream(session, *where, *in_period, text=text), 1):
                ipc, fits = by_ipc[row[7], row[8]]
                if fits and (keep is None or keep(row, ipc)):
                    add(row, ipc)
                if done % BATCH == 0:
                    report(done, register_size, "records read")

    if definition.kind == "query":
        if engine is None:
            raise ValueError("a query topic needs the patent search engine")
        numbers = sorted(engine.matching(SearchRequest(query=parse(definition.query))))
        for start in range(0, len(numbers), IN_CHUNK):
            scan(None, None, Patent.pub_number.in_(numbers[start:start + IN_CHUNK]))
            report(min(start + IN_CHUNK, len(numbers)), len(numbers), "records read")
    elif definition.kind == "ipc":
        prefixes, exact = _ipc_codes(definition.ipc_codes)
        # The database leaves out the rows of other fields (a superset; the matcher decides).
        scan(ipc_matcher(definition.ipc_codes), None, register_scan.ipc_prefilter([*prefixes, *sorted(exact)]))
    elif definition.kind == "sei":
        code = definition.sei_code
        if definition.sei_keywords:
            scan(None, lambda row, ipc: sei.fits(ipc, f"{row[TITLE]} {row[ABSTRACT]}", code), text=True)
            notes.append("keywords")
        else:
            scan(lambda ipc: sei.in_industry(ipc, code), None)
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
        scan(None, None, Patent.pub_number.in_(exact[start:start + IN_CHUNK]))
    for start in range(0, len(applications), IN_CHUNK):
        scan(None, None, Patent.app_number.in_(applications[start:start + IN_CHUNK]))
    keys = sorted(without_kind)
    for start in range(0, len(keys), 100):
        chunk = keys[start:start + 100]
        wanted = set(chunk)
        scan(None, lambda row, ipc, wanted=wanted: _key_without_kind(row[0]) in wanted,
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
