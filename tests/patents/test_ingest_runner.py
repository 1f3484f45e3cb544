"""The ingest runner: stores and indexes, reports bad records with their line and fields left out as warnings, is
idempotent and resumable."""

from __future__ import annotations

import gzip
import json

import pytest
from sqlalchemy import func, select

from ipcity.core.audit import verify
from ipcity.core.roles import Actor
from ipcity.patents import store
from ipcity.patents.ingest import runner
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.search.contract import SearchRequest
from ipcity.patents.search.query import parse
from ipcity.patents.tables import IngestRun, Patent
from tests.conftest import shared_data
from tests.patents.conftest import DATA
from tests.support.people import login
from tests.support.register import fail_upsert_on

ACTOR = Actor.system("tests")


def _run(session, run_id) -> IngestRun:
    return session.get(IngestRun, run_id)


def test_records_are_stored_normalised_and_searchable(db, engine, session):
    run_id = ingest_file(db, engine, DATA / "sample.jsonl", ACTOR)
    run = _run(session, run_id)
    assert (run.status, run.read, run.inserted, run.rejected) == ("done", 6, 4, 2)
    rec = store.get(session, "CN115000001A")
    assert rec.patent_type == "invention" and rec.office == "CN"
    assert rec.region_code == "310115"  # 上海市浦东新区 from the address
    assert rec.lang == "zh"
    assert engine.search(SearchRequest(parse("TI=石墨烯"))).hits[0].pub_number == "CN115000001A"
    assert engine.backend.count() == 4


def test_bad_records_are_reported_with_line_and_reason(db, engine, session):
    run = _run(session, ingest_file(db, engine, DATA / "sample.jsonl", ACTOR))
    lines = {e["line"]: e["reason"] for e in run.errors}
    assert set(lines) == {5, 6}
    assert "公开号" in lines[5] and "publication number" in lines[5]


def test_reingesting_changes_nothing_and_never_duplicates(db, engine, session):
    ingest_file(db, engine, DATA / "sample.jsonl", ACTOR)
    again = _run(session, ingest_file(db, engine, DATA / "sample.jsonl", ACTOR, resume=False))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    assert session.scalar(select(func.count()).select_from(Patent)) == 4
    assert engine.backend.count() == 4


def test_a_changed_record_is_updated_in_the_register_and_the_index(db, engine, session, tmp_path):
    ingest_file(db, engine, DATA / "sample.jsonl", ACTOR)
    lines = (DATA / "sample.jsonl").read_text(encoding="utf-8").splitlines()[:4]
    first = json.loads(lines[0]) | {"title": "一种钙钛矿太阳能电池"}
    changed = tmp_path / "changed.jsonl"
    changed.write_text("\n".join([json.dumps(first, ensure_ascii=False), *lines[1:]]) + "\n", encoding="utf-8")
    run = _run(session, ingest_file(db, engine, changed, ACTOR))
    assert (run.inserted, run.updated, run.unchanged) == (0, 1, 3)
    assert store.get(session, "CN115000001A").title == "一种钙钛矿太阳能电池"
    assert [h.pub_number for h in engine.search(SearchRequest(parse("TI=钙钛矿"))).hits] == ["CN115000001A"]
    assert engine.search(SearchRequest(parse("TI=石墨烯"))).total == 0
    assert engine.backend.count() == 4


def test_an_interrupted_load_resumes_where_it_stopped(db, engine, session, tmp_path, monkeypatch):
    source = DATA / "sample.jsonl"
    real_upsert = store.upsert
    fail_upsert_on(monkeypatch, 2)
    with pytest.raises(OSError):
        ingest_file(db, engine, source, ACTOR, batch_size=2, commit_every=2)
    first = session.scalars(select(IngestRun)).one()
    assert first.status == "failed" and "disk full" in first.message
    assert first.position == 2  # the first two records were stored and indexed before the failure
    session.rollback()  # end this session's read: the resumed run is read afresh below
    monkeypatch.setattr(runner.store, "upsert", real_upsert)
    resumed = _run(session, ingest_file(db, engine, source, ACTOR, batch_size=2, commit_every=2))
    assert resumed.id == first.id and resumed.status == "done", resumed.message
    assert (resumed.read, resumed.inserted, resumed.rejected) == (6, 4, 2)
    assert session.scalar(select(func.count()).select_from(Patent)) == 4
    assert engine.backend.count() == 4


def test_every_load_is_in_the_audit_trail(db, engine, session):
    ingest_file(db, engine, DATA / "sample.jsonl", ACTOR)
    assert verify(session).ok
    from ipcity.core.tables import AuditEntry

    actions = list(session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "patent_ingest_run")))
    assert actions == ["patents.ingest.start", "patents.ingest.done"]


def test_the_cn_commercial_layout_loads_with_region_and_status(db, engine, session):
    path = shared_data("patent-parser-fixtures") / "cn" / "cn_patent_table_10_records.sql"
    run = _run(session, ingest_file(db, engine, path, ACTOR))
    assert (run.inserted, run.rejected) == (10, 0)
    rec = store.get(session, "CN218751475U")
    assert rec.app_number == "CN202223220665.2" and rec.patent_type == "utility"
    assert rec.region_code.startswith("41") and rec.legal_status == "valid"
    page = engine.search(SearchRequest(parse("PA=中科大数据研究院 AND TI=无人机"), facets=("province",)))
    assert page.total >= 1 and page.facets["province"][0].value == "41"


def test_a_parallel_load_gives_the_same_register(db, engine, session):
    run = _run(session, ingest_file(db, engine, DATA / "sample.jsonl", ACTOR, workers=2, batch_size=2))
    assert (run.read, run.inserted, run.rejected) == (6, 4, 2)
    assert {e["line"] for e in run.errors} == {5, 6}
    assert engine.search(SearchRequest(parse("TI=无人机"))).hits[0].pub_number == "CN215000003U"


# --- fields left out: warnings -------------------------------------------------------------------------------

def _with_bad_fields(tmp_path, copies: int = 1):
    """sample.jsonl's four good lines, the first with a date that is not one and an application number whose check
    character is wrong — `copies` times, under new numbers after the first."""
    lines = [json.loads(line) for line in (DATA / "sample.jsonl").read_text(encoding="utf-8").splitlines()[:4]]
    lines[0] |= {"app_date": "2022-02-30", "app_number": "CN202210000001.9"}
    out = []
    for copy in range(copies):
        for n, line in enumerate(lines):
            number = line["pub_number"] if copy == 0 else f"CN{116000000 + copy * 10 + n}A"
            out.append(json.dumps(line | {"pub_number": number}, ensure_ascii=False))
    path = tmp_path / "fields.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_a_field_that_cannot_be_read_is_left_out_with_a_warning(db, engine, session, tmp_path):
    run = _run(session, ingest_file(db, engine, _with_bad_fields(tmp_path), ACTOR))
    assert (run.read, run.inserted, run.rejected, run.warnings) == (4, 4, 0, 2)
    warnings = [e for e in run.errors if e.get("warning")]
    assert [e["line"] for e in warnings] == [1, 1] and len(run.errors) == 2
    assert "2022-02-30" in warnings[0]["reason"] and "CN202210000001.9" in warnings[1]["reason"]
    rec = store.get(session, "CN115000001A")
    assert rec.app_date is None and rec.app_number == "" and rec.extra["unparsed_app_number"] == "CN202210000001.9"
    assert rec.title == "一种石墨烯改性锂离子电池负极材料及其制备方法"  # the rest of the record is kept


def test_only_the_first_warnings_are_kept_and_a_resume_counts_on(db, engine, session, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "MAX_WARNINGS", 3)
    path = _with_bad_fields(tmp_path, copies=3)  # 12 records, 6 warnings
    real_upsert = store.upsert
    fail_upsert_on(monkeypatch, 3)
    with pytest.raises(OSError):
        ingest_file(db, engine, path, ACTOR, batch_size=4, commit_every=4)
    session.rollback()
    monkeypatch.setattr(runner.store, "upsert", real_upsert)
    run = _run(session, ingest_file(db, engine, path, ACTOR, batch_size=4, commit_every=4))
    assert (run.status, run.read, run.inserted, run.rejected, run.warnings) == ("done", 12, 12, 0, 6)
    assert [e["line"] for e in run.errors if e.get("warning")] == [1, 1, 5]


def test_every_chinese_derwent_record_is_stored_with_its_application_number(db, engine, session, tmp_path):
    source = shared_data("patent-landscape-wipo-manual") / "drones_derwent_2691.jsonl.gz"
    with gzip.open(source, "rt", encoding="utf-8") as stream:
        chinese = [line for line in stream if '"publication_numbers": ["CN' in line][:40]
    path = tmp_path / "derwent_cn.jsonl"
    path.write_text("".join(chinese), encoding="utf-8")
    run = _run(session, ingest_file(db, engine, path, ACTOR, fmt="derwent"))
    assert (run.read, run.rejected, run.inserted) == (40, 0, 40)
    rec = store.get(session, "CN105449581A")
    assert rec.app_number == "CN201510949974.9"  # 'CN10949974' filed 18 Dec 2015 (rules.md §12.1)


def test_the_run_page_shows_the_warnings_apart_from_the_rejections(app, client, people, db, engine, tmp_path):
    lines = _with_bad_fields(tmp_path).read_text(encoding="utf-8") + '{"pub_number": "not a number"}\n'
    path = tmp_path / "mixed.jsonl"
    path.write_text(lines, encoding="utf-8")
    run_id = ingest_file(db, engine, path, ACTOR)
    login(client, "admin")
    page = client.get(f"/patents/data/runs/{run_id}").text
    assert 'id="warning-count">2<' in page
    rejections, warnings = page.split('id="rejections"')[1].split('id="warnings"')
    assert "not a number" in rejections and "2022-02-30" not in rejections
    assert "2022-02-30" in warnings and "CN202210000001.9" in warnings and "not a number" not in warnings


def test_a_file_past_2_gib_starts_its_run(db, session, tmp_path, monkeypatch):
    """A national register file passes 2 GiB: its size is stored whole (PostgreSQL's INTEGER refused it)."""
    big = tmp_path / "register.jsonl"
    with big.open("wb") as f:
        f.truncate(5 * 1024**3 + 7)  # sparse: no disk used
    monkeypatch.setattr(runner, "sha256_of", lambda path: "0" * 64)  # reading 5 GiB is not what is tested
    run_id = runner._start_run(db, big, "jsonl", ACTOR, resume=False)
    assert _run(session, run_id).file_size == 5 * 1024**3 + 7
