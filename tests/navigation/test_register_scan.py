"""The navigation scan (issue 18): the database narrows the rows by IPC and period and hands plain values over;
the topic's applications, and every analysis of them, must come out exactly as from the ORM scan it replaced.
Run on SQLite and on PostgreSQL (the `db` fixture)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from ipcity.navigation import dataset, pipeline
from ipcity.navigation.analyses import gap, technology
from ipcity.navigation.domain import TopicDefinition
from ipcity.navigation.model import NavRecord
from ipcity.patents import register_scan, store
from ipcity.patents.ipc import IpcError, parts
from ipcity.patents.names import normalise_applicant
from ipcity.patents.record import LegalEvent, PatentRecord, Priority
from ipcity.patents.tables import Patent

# -- the scan before issue 18, kept as the reference: ORM-typed rows of every register row, filtered in Python -----
_ORM_COLUMNS = (Patent.pub_number, Patent.app_number, Patent.app_date, Patent.pub_date, Patent.patent_type,
                Patent.office, Patent.ipc_main, Patent.ipc, Patent.applicants, Patent.inventors, Patent.region_code,
                Patent.legal_status, Patent.cited_by, Patent.family_size, Patent.family, Patent.events, Patent.title,
                Patent.priorities)


def _reference(session, definition: TopicDefinition) -> dataset.Selection:
    """select_records as it was for IPC and SEI topics: every row, JSON decoded by SQLAlchemy, filters in Python."""
    from ipcity.navigation import sei

    names, inventors = dataset._Names(), {}
    by_application: dict[str, NavRecord] = {}
    latest: dict[str, date | None] = {}
    publications, newest = 0, None
    if definition.kind == "ipc":
        matches = dataset.ipc_matcher(definition.ipc_codes)
    else:
        def matches(ipc):
            return sei.in_industry(ipc, definition.sei_code)
    for row in session.execute(select(*_ORM_COLUMNS).order_by(Patent.id)):
        ipc = dataset._ipc_tuple(row.ipc_main, row.ipc)
        if not matches(ipc):
            continue
        app_year = row.app_date.year if row.app_date else None
        pub_year = row.pub_date.year if row.pub_date else None
        year = app_year or pub_year
        start, end = definition.start_year, definition.end_year
        if (start and (year is None or year < start)) or (end and (year is None or year > end)):
            continue
        publications += 1
        if row.pub_date and (newest is None or row.pub_date > newest):
            newest = row.pub_date
        found = tuple(dict.fromkeys(inventors.setdefault(n, normalise_applicant(n)) for n in row.inventors or () if n))
        record = NavRecord(
            pub_number=row.pub_number, app_number=row.app_number or "", app_year=app_year, pub_year=pub_year,
            patent_type=row.patent_type, office=row.office or "", ipc=ipc,
            applicants=tuple(dict.fromkeys(n for n in map(names, row.applicants or ()) if n)),
            inventors=tuple(n for n in found if n), region_code=row.region_code or "",
            legal_status=row.legal_status or "unknown", cited_by=row.cited_by, family_size=row.family_size,
            family_id=dataset._family_id(row.pub_number, row.family),
            events=tuple(dict.fromkeys(e.get("kind", "") for e in row.events or () if isinstance(e, dict))),
            title=row.title or "", origin=dataset._origin(row.priorities, row.office))
        key = row.app_number or row.pub_number
        if key not in by_application:
            by_application[key], latest[key] = record, row.pub_date
            continue
        by_application[key] = dataset._Builder._merge(by_application[key], record, latest[key], row.pub_date)
        if row.pub_date and (latest[key] is None or row.pub_date > latest[key]):
            latest[key] = row.pub_date
    return dataset.Selection(list(by_application.values()), publications, newest)


# -- rows the fixture register lacks: no application date, spellings to normalise, events without a kind ----------
def _odd_records() -> list[PatentRecord]:
    return [
        PatentRecord(pub_number="CN119000001A", office="CN", kind="A", app_number="", app_date=None,
                     pub_date=date(2019, 6, 1), ipc_main="H01M4/58", ipc=["H01M4/58", "C01B25/45"],
                     applicants=["  上海丙电池有限責任公司 ", "ＡＢＣ　Ｃｏｒｐ．"],
                     inventors=["王 五", "王五", "赵六"],
                     region_code="310104", legal_status="pending", title="无申请日的公开",
                     family=["US2020123456A1", "CN119000001A"], family_size=2,
                     priorities=[Priority("JP2018-000001", date(2018, 6, 1), "JP"),
                                 Priority("US62/000001", date(2018, 3, 1), "US")],
                     events=[LegalEvent("licence", date(2021, 1, 1), "EE01", "许可"),
                             LegalEvent("licence", date(2022, 1, 1), "EE01", "许可")]),
        PatentRecord(pub_number="CN119000002A", office="CN", kind="A", app_number="CN201810000002.1",
                     app_date=date(2018, 12, 31), pub_date=date(2019, 7, 1), ipc_main="H01M10/0525", ipc=[],
                     applicants=["上海丙电池有限责任公司"], inventors=["赵六"], region_code="",
                     legal_status="valid", title="年末的申请"),
    ]


@pytest.fixture
def scanned(db, register):
    with db.session() as s:
        store.upsert(s, _odd_records())
        s.commit()
    return register


TOPICS = [
    {"kind": "ipc", "ipc_codes": list("ABCDEFGH")},
    {"kind": "ipc", "ipc_codes": ["H01M", "A61K31/00", "C07D"], "start_year": 2015, "end_year": 2020},
    {"kind": "ipc", "ipc_codes": ["H01M10/0525"], "start_year": 2019},  # an exact subgroup, an open period
    {"kind": "ipc", "ipc_codes": ["C01B"], "end_year": 2019},  # a row without an application date, by its pub year
    {"kind": "ipc", "ipc_codes": ["H01M"], "start_year": 2018, "end_year": 2018},  # the last day of a year
    {"kind": "sei", "sei_code": "5"},
]


@pytest.mark.parametrize("topic", TOPICS)
def test_the_scan_selects_what_the_orm_scan_selected(db, scanned, topic):
    definition = TopicDefinition(**topic)
    with db.session() as s:
        chosen = dataset.select_records(s, definition)
        expected = _reference(s, definition)
    assert chosen.records, "every topic here selects something"
    assert chosen.records == expected.records
    assert (chosen.publications, chosen.data_date) == (expected.publications, expected.data_date)
    assert isinstance(chosen.data_date, date)


def test_rows_the_fixture_lacks_come_out_as_before(db, scanned):
    with db.session() as s:
        chosen = dataset.select_records(s, TopicDefinition(kind="ipc", ipc_codes=["C01B", "H01M"]))
    odd = {r.pub_number: r for r in chosen.records}
    first = odd["CN119000001A"]
    assert (first.app_year, first.pub_year) == (None, 2019)
    assert first.applicants == ("上海丙电池有限责任公司", "ABC Corp")  # full-width folded, edge dot dropped
    assert first.inventors == ("王五", "赵六")  # 王 五 and 王五 are one spelling
    assert (first.origin, first.family_id, first.events) == ("US", "CN119000001A", ("licence",))
    assert odd["CN119000002A"].ipc == ("H01M10/0525",) and odd["CN119000002A"].app_year == 2018


def test_the_analyses_of_the_new_scan_are_those_of_the_old(db, scanned):
    """Every analysis, from the records of each scan: the results stored for a run are the same."""
    definition = TopicDefinition(kind="ipc", ipc_codes=list("ABCDEFGH"), focus_region="31")
    with db.session() as s:
        new, old = dataset.select_records(s, definition), _reference(s, definition)
        texts = dataset.sample_texts(s, new.records, 200)
    dumped = [json.dumps(pipeline.dump(pipeline.analyse(sel.records, texts, definition, data_date=sel.data_date)),
                         ensure_ascii=False, sort_keys=True) for sel in (new, old)]
    assert dumped[0] == dumped[1]


def test_the_database_leaves_out_rows_of_other_fields(db, scanned):
    """The IPC prefilter is a superset of the topic (main symbol or any symbol of the list), and narrower than
    the register."""
    with db.session() as s:
        every = s.scalar(select(func.count()).select_from(Patent))
        kept = [row[0] for page in register_scan.stream(s, [Patent.pub_number],
                                                        register_scan.ipc_prefilter(["C01B"])) for row in page]
    assert "CN119000001A" in kept  # C01B25/45 is its second symbol only
    assert "CN119000002A" not in kept and 0 < len(kept) < every


def test_a_stream_reads_its_snapshot_while_another_connection_writes(db, scanned):
    """A job's progress commits on another connection while the scan streams (SQLite: WAL readers and a writer;
    PostgreSQL: a server-side cursor): the writes succeed and the scan reads every row it started with."""
    with db.session() as s:
        total = s.scalar(select(func.count()).select_from(Patent))
    read = 0
    with db.session() as s:
        for i, page in enumerate(register_scan.stream(s, [Patent.pub_number, register_scan.json_text(Patent.ipc)],
                                                      batch=100)):
            read += len(page)
            assert all(isinstance(text, str) for _, text in page)  # JSON as its text on both databases
            with db.session(write=True) as w:
                w.add(Patent(pub_number=f"CN11900{i:04d}9A", content_hash="x", title="written meanwhile"))
                w.commit()
    assert read == total


def test_an_abandoned_stream_frees_its_session(db, scanned):
    with db.session() as s:
        pages = register_scan.stream(s, [Patent.pub_number], batch=10)
        first = next(pages)
        pages.close()
        assert len(first) == 10
        assert s.scalar(select(Patent.pub_number).where(Patent.pub_number == first[0][0])) == first[0][0]


@pytest.mark.parametrize("name", ["王五", "华为技术有限公司", "有限責任公司", "集團", "會社", "王 五", " 王五",
                                  "华为(深圳)", "ＡＢＣ", "ABC Corp.", "株式会社ア", "丨", "𠀀王", "上海·甲", "",
                                  "王五。"])
def test_the_quick_path_for_names_agrees_with_normalise_applicant(name):
    assert dataset.normalised_name(name) == normalise_applicant(name)


def _parsed(symbol: str, attribute: str) -> str:
    try:
        return getattr(parts(symbol), attribute)
    except IpcError:
        return ""


def test_symbols_parsed_once_per_process_count_as_parsed_per_record():
    """The IPC analyses look each symbol's levels up in one cache for all levels and passes: the counts are those
    of parsing every symbol of every record, malformed symbols and records without IPC among them."""
    records = [NavRecord(f"CN1000000{i:02}A", app_year=2018 + i % 3, region_code=("3101" if i % 2 else "11"),
                         ipc=ipc)
               for i, ipc in enumerate([("H01M10/0525", "H01M4/58"), ("H01M4/58",), (), ("bad symbol", "C07D"),
                                        ("H01M10/0525", "H01M4/58"), ("G06F16/00", "H01M"), ("H01M",)] * 3)]
    for level, attribute in (("section", "section"), ("class", "ipc_class"), ("subclass", "subclass"),
                             ("main_group", "main_group")):
        expected = Counter(c for r in records for c in {_parsed(s, attribute) for s in r.ipc} - {""})
        shown = technology.ipc_distribution(records, level=level, top=None)
        assert {row.code: row.count for row in shown} == expected
    result = gap.gap_analysis(records, "3101", min_count=1)
    focus = Counter(c for r in records if r.region_code.startswith("3101")
                    for c in {_parsed(s, "subclass") for s in r.ipc} - {""})
    assert {row.code: row.focus_count for row in result.rows} == {c: focus.get(c, 0) for c in ("H01M", "C07D", "G06F")}
