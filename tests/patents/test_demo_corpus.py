"""The synthetic Chinese demo set (demo_data/cn_synthetic_kppatent_3720.jsonl.gz, demo_data/NOTICE.md): every record
reads, is marked synthetic, carries numbers that sit in the synthetic ranges and collide with nothing shipped, holds
dates and legal statuses that agree, and makes the searches of a Chinese register find something once loaded
through the real ingest path. Only the last tests need ../shared/data (the KPPatent-ZH texts it was built from)."""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from ipcity.core.numbers import INVENTION, UTILITY, parse_cn_application, parse_publication
from ipcity.core.roles import Actor
from ipcity.patents import service, store
from ipcity.patents.demo import DEMO_DIR, DEMO_FILES, SYNTHETIC_FILE
from ipcity.patents.demo_register import demo_records
from ipcity.patents.ingest.base import Read
from ipcity.patents.ingest.formats import reader_for
from ipcity.patents.ingest.native import FIELDS
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.record import EVENT_KINDS, LAPSED, PENDING, VALID
from ipcity.patents.regions import regions
from ipcity.patents.tables import IngestRun
from tests.conftest import shared_data

PATH = DEMO_DIR / SYNTHETIC_FILE
RECORDS = 3720
AS_OF = date(2026, 11, 27)  # the build's "data as of" day
APP_SERIALS = range(9900001, 9990000)
MARK = "（演示）"
BIG = "申江新能源科技股份有限公司（演示）"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lines() -> list[dict]:
    with gzip.open(PATH, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def records():
    items = list(reader_for(PATH, "jsonl").read(PATH))
    assert all(isinstance(item, Read) for item in items), [i for i in items if not isinstance(i, Read)][:3]
    assert [item.warnings for item in items if getattr(item, "warnings", ())] == []
    return [item.record for item in items]


def test_the_set_is_loaded_first_and_small():
    assert DEMO_FILES[0] == (SYNTHETIC_FILE, "jsonl")
    assert PATH.stat().st_size < 4 * 1024 * 1024


def test_every_record_reads_and_is_marked_synthetic(records):
    assert len(records) == RECORDS
    assert len({r.pub_number for r in records}) == RECORDS
    for rec in records:
        assert rec.source == "synthetic-demo", rec.pub_number
        assert rec.extra["synthetic"] is True and rec.extra["text_source"] == "KPPatent-ZH", rec.pub_number
        assert rec.office == "CN" and rec.lang == "zh" and rec.title and (rec.abstract or rec.claims)
        assert rec.applicants and all(name.endswith(MARK) for name in rec.applicants), rec.applicants
        assert not rec.agency or rec.agency.endswith(MARK)
        assert rec.inventors and rec.ipc and rec.ipc_main == rec.ipc[0]
        assert len(rec.region_code) == 6 and rec.address.startswith(regions().full_name(rec.region_code))
    # titles derived from the abstract (train split) are said to be
    assert {r.extra.get("title_derived", False) for r in records if r.extra["text_id"].startswith("kp-train")} == {True}
    assert sum(bool(r.extra.get("title_derived")) for r in records if r.extra["text_id"].startswith("kp-test")) <= 3


def test_numbers_parse_and_sit_in_the_synthetic_ranges(records):
    keys = set()
    for rec in records:
        app = parse_cn_application(rec.app_number)  # the check character is verified
        pub = parse_publication(rec.pub_number)
        assert int(app.serial) in APP_SERIALS, rec.app_number
        assert app.year == rec.app_date.year and app.patent_type == rec.patent_type and not app.pct
        assert re.fullmatch(r"[12]99\d{6}", pub.serial) and pub.kind == rec.kind, rec.pub_number
        assert pub.patent_type == rec.patent_type
        assert rec.kind == ("A" if rec.patent_type == INVENTION else "U")
        grant = rec.extra.get("grant_number")
        if grant:
            assert rec.patent_type == INVENTION and rec.grant_date
            assert parse_publication(grant).key_without_kind == pub.key_without_kind and grant.endswith("B")
        keys.update((f"CN{app.body}", pub.key_without_kind))
    assert len(keys) == 2 * RECORDS


def test_no_number_collides_with_the_demo_register_or_the_shipped_sets(records):
    ours = {parse_publication(r.pub_number).key_without_kind for r in records}
    ours |= {f"CN{parse_cn_application(r.app_number).body}" for r in records}
    taken = set()
    for rec in demo_records():
        taken |= {parse_publication(rec.pub_number).key_without_kind,
                  f"CN{parse_cn_application(rec.app_number).body}"}
    for name, _ in DEMO_FILES[1:]:
        with gzip.open(DEMO_DIR / name, "rt", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                for digits in re.findall(r"CN\s?(\d{8,13})", line):
                    taken |= {f"CN{digits}", f"CN{digits[:12]}"}
    assert ours.isdisjoint(taken)


def test_dates_statuses_and_events_agree(records):
    for rec in records:
        dates = [rec.app_date, rec.pub_date, *(e.date for e in rec.events)]
        assert date(2016, 1, 1) <= rec.app_date <= date(2026, 11, 30), rec.pub_number
        assert all(d <= AS_OF for d in dates), rec.pub_number
        assert rec.app_date < rec.pub_date
        kinds = [e.kind for e in rec.events]
        assert set(kinds) <= set(EVENT_KINDS)
        assert [e.date for e in rec.events] == sorted(e.date for e in rec.events)
        if rec.grant_date:
            assert rec.pub_date <= rec.grant_date and "grant" in kinds
        if rec.patent_type == UTILITY:
            assert rec.pub_date == rec.grant_date and kinds[0] == "grant"
        else:
            assert kinds[0] == "publication" and rec.events[0].date == rec.pub_date
        ends = {"rejection", "withdrawal", "fee_lapse", "expiry"} & set(kinds)
        if rec.legal_status == VALID:
            assert rec.grant_date and not ends, rec.pub_number
        elif rec.legal_status == LAPSED:
            assert len(ends) == 1, rec.pub_number
        else:
            assert rec.legal_status == PENDING and rec.patent_type == INVENTION, rec.pub_number
            assert rec.grant_date is None and not ends and rec.app_date >= date(2022, 1, 1), rec.pub_number
    statuses = Counter(r.legal_status for r in records)
    assert min(statuses[VALID], statuses[LAPSED], statuses[PENDING]) > RECORDS // 5


def test_the_set_compares_shanghai_with_china(records):
    shanghai = sum(r.region_code.startswith("31") for r in records) / len(records)
    assert 0.30 <= shanghai <= 0.45
    assert len({r.region_code[:2] for r in records}) >= 15
    years = Counter(r.app_date.year for r in records)
    assert years[2016] and years[2026] and sum(n for y, n in years.items() if y >= 2020) > 0.7 * RECORDS
    types = Counter(r.patent_type for r in records)
    assert types[INVENTION] > 0.75 * RECORDS and types[UTILITY] > 0.05 * RECORDS
    applicants = Counter(name for r in records for name in r.applicants)
    assert sum(1 for n in applicants.values() if n >= 50) >= 5
    assert applicants[BIG] >= 50
    assert {r.region_code[:2] for r in records if BIG in r.applicants[:1]} == {"31"}
    assert sum(1 for r in records if any(a.startswith("申江") for a in r.applicants)) == applicants[BIG]


def test_no_keyphrases_are_shipped(lines):
    assert all(set(line) <= set(FIELDS) for line in lines)
    with gzip.open(PATH, "rt", encoding="utf-8") as handle:
        assert "keyphrase" not in handle.read()


def test_loaded_through_ingest_it_keeps_its_marks_and_answers_register_searches(db, engine, records):
    run_id = ingest_file(db, engine, PATH, Actor.system("tests"))
    with db.session() as s:
        run = s.get(IngestRun, run_id)
        assert (run.inserted, run.rejected) == (RECORDS, 0)
        sample = records[123]
        stored = store.get(s, sample.pub_number)
        assert stored.source == "synthetic-demo"  # the native reader keeps the source it finds
        assert stored.extra["synthetic"] is True and stored.extra["text_source"] == "KPPatent-ZH"
        assert (stored.region_code, stored.app_number, stored.legal_status) == \
            (sample.region_code, sample.app_number, sample.legal_status)
        assert [e.kind for e in stored.events] == [e.kind for e in sample.events]

        batteries = service.search(s, engine, "TI=电池 AND AD>=2020", per_page=50)
        assert batteries.total >= 10
        assert all("电池" in row.record.title and row.record.app_date >= date(2020, 1, 1) for row in batteries.rows)

        company = service.search(s, engine, "PA=申江*", per_page=50)
        assert company.total == sum(BIG in r.applicants for r in records)
        assert all(BIG in row.record.applicants for row in company.rows)

        shanghai = service.search(s, engine, "RC=31", per_page=1)
        assert shanghai.total == sum(r.region_code.startswith("31") for r in records)


# -- against the texts it was built from (../shared/data) --------------------------------------------------------

def _build_script():
    """scripts/build_demo_corpus.py as a module (registered first: its dataclasses look their module up)."""
    name = "build_demo_corpus"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "build_demo_corpus.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def test_the_texts_are_kppatents_own(records):
    folder = shared_data("cn-patent-abstracts-kppatent")
    build = _build_script()
    texts = {t.text_id: t for t in build.kppatent_texts(folder)}
    assert len(texts) == RECORDS
    assert sorted(r.extra["text_id"] for r in records) == sorted(texts)
    for rec in records:
        text = texts[rec.extra["text_id"]]
        assert rec.title == text.title
        if text.title_derived:
            assert rec.title == build.derive_title(text.abstract)
        expected = text.abstract.replace("本发明", "本实用新型") if rec.patent_type == UTILITY else text.abstract
        assert (rec.abstract, rec.claims) == (expected, text.claims), rec.pub_number


def test_the_build_is_reproducible(tmp_path):
    data = shared_data("cn-patent-abstracts-kppatent").parent
    build = _build_script()
    (tmp_path / "cn_titles_ipc.jsonl.gz").write_bytes((DEMO_DIR / "cn_titles_ipc.jsonl.gz").read_bytes())
    for name, _ in DEMO_FILES[2:]:
        (tmp_path / name).symlink_to(DEMO_DIR / name)
    figures = build.build_synthetic(data, tmp_path)
    assert figures["records"] == RECORDS
    assert (tmp_path / SYNTHETIC_FILE).read_bytes() == PATH.read_bytes()
