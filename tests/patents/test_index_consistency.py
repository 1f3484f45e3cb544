"""The register and the search index agree after any crash (issue 14, finding 7).

Before: records stored by a load killed before its index commit were "unchanged" on resume and on
`--restart`, so they were never indexed (32,000 of 60,000 missing). Now the register marks what the
index has committed, a resume re-indexes the rest, and `ipcity patents check` finds and repairs any
difference.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ipcity.cli import app
from ipcity.core.roles import Actor
from ipcity.patents import store
from ipcity.patents.engine import PatentEngine
from ipcity.patents.index_check import check
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.search.contract import IndexDoc, SearchRequest
from ipcity.patents.search.query import parse
from ipcity.patents.tables import IngestRun, Patent
from tests.patents.conftest import DATA

ACTOR = Actor.system("tests")
WORDS = ["电池", "电极", "石墨烯", "无人机", "传感器", "芯片", "光伏", "涂层", "催化剂", "机器人", "阀门", "齿轮"]


def _records(path: Path, count: int) -> Path:
    rng = random.Random(7)
    with open(path, "w", encoding="utf-8") as out:
        for n in range(count):
            title = "一种" + "".join(rng.sample(WORDS, 3)) + f"装置{n}"
            out.write(json.dumps({"pub_number": f"CN1{n:08d}A", "app_date": "2021-03-04", "title": title,
                                  "legal_status": "pending", "source": "test"}, ensure_ascii=False) + "\n")
    return path


def _check(db, engine, **kwargs):
    with db.session() as s:
        return check(s, engine, **kwargs)


# --- the check, on both databases ---------------------------------------------------------------------

def test_check_finds_and_repairs_every_kind_of_difference(db, engine):
    ingest_file(db, engine, DATA / "sample.jsonl", ACTOR)
    assert _check(db, engine, batch=2).differences == 0
    backend = engine.backend
    backend.delete(["CN115000002A"])  # lost from the index
    backend.upsert([IndexDoc(pub_number="CN999999999A", title="幽灵")])  # not in the register
    backend.commit()
    with db.session() as s:  # stored, but the index still has the old version (a crash before its commit)
        record = store.get(s, "CN115000001A")
        record.title = "一种钙钛矿太阳能电池"
        store.upsert(s, [record])
        s.commit()

    report = _check(db, engine, batch=2)  # batches of 2: the paging over both sides is exercised
    assert (report.register, report.indexed) == (4, 4)
    assert (report.missing, report.extra, report.pending, report.duplicates) == (1, 1, 1, 0)
    assert report.samples["missing"] == ["CN115000002A"] and report.samples["extra"] == ["CN999999999A"]

    repaired = _check(db, engine, repair=True, batch=2)
    assert repaired.repaired == 3
    after = _check(db, engine, batch=2)
    assert (after.differences, after.indexed) == (0, 4)
    assert [h.pub_number for h in engine.search(SearchRequest(parse("TI=钙钛矿"))).hits] == ["CN115000001A"]


def test_a_load_interrupted_before_its_index_commit_is_indexed_on_resume(db, settings):
    engine = PatentEngine(settings)
    real_commit = engine.backend.commit

    def crash():
        raise KeyboardInterrupt  # the process dies here: the register has the rows, the index does not

    engine.backend.commit = crash
    with pytest.raises(KeyboardInterrupt):
        ingest_file(db, engine, DATA / "sample.jsonl", ACTOR)
    engine.backend.commit = real_commit
    engine.close()  # what the index writer held is lost with the process

    engine = PatentEngine(settings)
    try:
        assert engine.backend.count() == 0
        with db.session() as s:
            assert store.count_pending(s) == 4
        run_id = ingest_file(db, engine, DATA / "sample.jsonl", ACTOR, resume=False)  # --restart
        with db.session() as s:
            run = s.get(IngestRun, run_id)
            assert (run.inserted, run.unchanged) == (0, 4)  # unchanged in the register ...
            assert store.count_pending(s) == 0
        assert engine.backend.count() == 4  # ... and indexed all the same
        assert _check(db, engine).differences == 0
    finally:
        engine.close()


def test_a_rebuild_leaves_nothing_pending(db, engine):
    ingest_file(db, engine, DATA / "sample.jsonl", ACTOR)
    with db.session() as s:
        assert engine.rebuild(s) == 4
    assert _check(db, engine).differences == 0


# --- kill -9 during a load (SQLite) -------------------------------------------------------------------

def _ingest_command(path: Path) -> list[str]:
    return [sys.executable, "-c", "import sys; from ipcity.cli import app; sys.argv[0] = 'ipcity'; app()",
            "patents", "ingest", str(path), "--batch", "40", "--commit-every", "200", "--workers", "1"]


def _stored(db_file: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=0.1) as conn:
            return conn.execute("select count(*) from patent").fetchone()[0]
    except sqlite3.OperationalError:  # busy: the loader is writing
        return -1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_kill_9_at_random_points_then_resume_leaves_register_and_index_agreeing(settings, db, tmp_path,
                                                                              monkeypatch):
    source = _records(tmp_path / "load.jsonl", 1500)
    db_file = Path(settings.database_url.split("///", 1)[1])
    env = os.environ | {"IPCITY_DATA_DIR": str(settings.data_dir), "IPCITY_DATABASE_URL": settings.database_url,
                        "IPCITY_RUN_WORKER": "0", "IPCITY_ENCODER": "none"}
    rng = random.Random(14)
    for _ in range(2):
        loader = subprocess.Popen(_ingest_command(source), env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        target, deadline = _stored(db_file) + rng.randint(50, 400), time.monotonic() + 60
        while _stored(db_file) < target and loader.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.random() * 0.3)  # anywhere: between the register write and the index commit, or in it
        loader.send_signal(signal.SIGKILL)
        loader.wait()
    finished = subprocess.run(_ingest_command(source), env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stdout + finished.stderr

    for name, value in env.items():
        if name.startswith("IPCITY_"):
            monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["patents", "check"])
    assert result.exit_code == 0, result.output
    assert "register 1500, index 1500: 0 differences" in result.output

    # A deliberately desynchronised index: documents lost, one extra, one indexed twice.
    from ipcity.patents.engine import engine_for

    engine = engine_for(settings)
    backend = engine.backend
    with db.session() as s:
        doomed = list(s.scalars(select(Patent.pub_number).order_by(Patent.id).limit(7)))
    backend.delete(doomed)
    backend.upsert([IndexDoc(pub_number="ZZ0000001A")])
    writer = backend._writing()  # a second document for one id, behind the upsert's back
    writer.add_document(backend._document(IndexDoc(pub_number="CN100001000A")))
    backend.commit()

    result = CliRunner().invoke(app, ["patents", "check", "--batch", "500"])
    assert result.exit_code == 1
    assert "7 missing, 1 extra, 1 duplicated" in result.output
    result = CliRunner().invoke(app, ["patents", "check", "--repair"])
    assert result.exit_code == 0, result.output
    fresh = PatentEngine(settings)  # the command's engine (IPCITY_ENCODER=none) is not the fixture's
    try:
        assert _check(db, fresh).differences == 0 and fresh.backend.count() == 1500
    finally:
        fresh.close()


# --- what both backends give the check -------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["tantivy", "milvus"])
def test_both_backends_list_their_ids_in_bounded_batches(kind, tmp_path):
    from ipcity.patents.search.backends import open_backend

    backend = open_backend(kind, tmp_path / kind)
    try:
        ids = [f"CN1{n:08d}A" for n in range(25)] + ["US9", "中国1", "EP1"]
        backend.upsert([IndexDoc(pub_number=pub) for pub in ids])
        backend.commit()
        assert sorted(backend.present(["CN100000003A", "US9", "CN199999999A"])) == ["CN100000003A", "US9"]
        batches = list(backend.ids(batch=4))
        assert all(len(b) <= 4 for b in batches)
        assert sorted(pub for b in batches for pub in b) == sorted(ids)
    finally:
        backend.close()
