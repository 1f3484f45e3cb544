"""The ingest runner: stores and indexes, reports bad records with their line, is idempotent and resumable."""

from __future__ import annotations

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
    calls = {"n": 0}
    real_upsert = store.upsert

    def failing_upsert(s, records):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_upsert(s, records)

    monkeypatch.setattr(runner.store, "upsert", failing_upsert)
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
