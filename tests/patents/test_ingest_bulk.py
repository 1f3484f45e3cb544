"""The bulk ingest path (issue 18 item 1) gives exactly what the record-at-a-time path gives — register rows, index
terms, counts, rejections and warnings — on SQLite and PostgreSQL, stays idempotent, and resumes exactly after a
crash, with or without preparing processes."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import random
import unicodedata
import zlib

import pytest
import tantivy
from sqlalchemy import select, text

from ipcity.core.roles import Actor
from ipcity.patents import store
from ipcity.patents.engine import PatentEngine
from ipcity.patents.ingest import runner
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.search import tantivy_backend
from ipcity.patents.search.analysis import normalise_text
from ipcity.patents.search.document import index_doc
from ipcity.patents.tables import IngestRun, Patent
from tests.patents.conftest import DATA
from tests.support.register import fail_upsert_on

ACTOR = Actor.system("tests")
STAMPS = ("id", "created_at", "updated_at")
JSON_COLUMNS = ("ipc", "cpc", "applicants", "inventors", "events", "priorities", "extra")


def _mixed(tmp_path, copies: int = 3, repeat: bool = True):
    """sample.jsonl (4 good records, 2 refused) `copies` times under new numbers, with fields left out (a date
    that is not one, an application number with a wrong check character, an IPC symbol that is not one), names
    to fold, full-width text, a publication repeated with another title, an oversized field, blank lines (no
    record) and a line that is not JSON."""
    lines = [json.loads(line) for line in (DATA / "sample.jsonl").read_text(encoding="utf-8").splitlines()]
    out = []
    for copy in range(copies):
        for n, line in enumerate(lines):
            rec = dict(line)
            if copy and "pub_number" in rec and rec["pub_number"].startswith("CN"):
                rec["pub_number"] = f"CN{117000000 + copy * 10 + n}A"
            if n == 0:
                rec |= {"app_date": "2022-02-30", "app_number": "CN202210000001.9", "ipc": ["H01M 4/58", "not-ipc"]}
            if n == 1:
                rec |= {"title": "一种ＡＢＣ锂电池（改进型），℃ x²",
                        "applicants": ["  华为技术有限公司 ", "华为技术有限公司"]}
            out.append(json.dumps(rec, ensure_ascii=False))
        out.append("  ")  # a blank line between copies: skipped, not counted
    if repeat:  # a second version of one publication, in a later batch
        out.append(json.dumps(json.loads(out[0]) | {"title": "同一公开号的新版本"}, ensure_ascii=False))
    out.append(json.dumps({"pub_number": "CN119999999A", "title": "字" * 20_000}, ensure_ascii=False))
    out.append('{"pub_number": "CN119999998A", "title": ')  # cut off: not JSON
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _register(session) -> list[dict]:
    rows = session.execute(select(Patent.__table__).order_by(Patent.pub_number)).mappings().all()
    return [{k: v for k, v in row.items() if k not in STAMPS} for row in rows]


def _json_text(session) -> list[tuple]:
    """The JSON columns as stored (text), not as parsed: the bulk path writes the ORM's very JSON."""
    columns = ", ".join(f"CAST({c} AS TEXT)" for c in JSON_COLUMNS)
    return [tuple(r) for r in session.execute(text(f"SELECT pub_number, {columns} FROM patent ORDER BY pub_number"))]


def _run(session, run_id) -> dict:
    run = session.get(IngestRun, run_id)
    return {k: getattr(run, k) for k in ("status", "read", "inserted", "updated", "unchanged", "rejected",
                                         "warnings", "errors", "position")}


def _index_terms(engine, session) -> dict:
    """Every term of every register record's document, with the number of index documents holding it: equal
    for two indexes exactly when they hold the same terms in the same documents (for these records)."""
    backend = engine.backend
    searcher = backend.index.searcher()
    terms = {}
    for rec in [r for batch in store.iterate(session) for r in batch]:
        values = tantivy_backend.TantivyBackend.document_values(index_doc(rec))
        for field, value in values.items():
            if field in tantivy_backend.DATE_FIELDS:
                continue
            words = value if isinstance(value, list) else (
                [value] if field == "pub_number" or field in tantivy_backend.KEYWORD_FIELDS else value.split())
            for word in words:  # live documents (doc_freq would count deleted ones until a merge)
                query = tantivy.Query.term_query(backend.schema, field, word)
                terms[(field, word)] = searcher.search(query, 1, count=True).count
    return {"count": backend.count(), "ids": [i for batch in backend.ids() for i in batch], "terms": terms}


def _snapshot(db, engine, run_id) -> dict:
    with db.session() as s:
        return {"register": _register(s), "json": _json_text(s), "run": _run(s, run_id),
                "index": _index_terms(engine, s), "pending": store.count_pending(s)}


def _empty(db, engine) -> None:
    with db.session(write=True) as s:
        s.execute(Patent.__table__.delete())
        s.commit()
    engine.backend.clear()


@pytest.mark.parametrize("workers", [0, 2, 3])  # preparing processes parse only the lines they prepare
def test_the_bulk_path_gives_exactly_what_the_record_at_a_time_path_gives(db, engine, tmp_path, workers):
    path = _mixed(tmp_path)
    before = _snapshot(db, engine, ingest_file(db, engine, path, ACTOR, bulk=False, batch_size=4, commit_every=8))
    _empty(db, engine)
    after = _snapshot(db, engine, ingest_file(db, engine, path, ACTOR, resume=False, batch_size=4, commit_every=8,
                                              workers=workers))
    assert before["run"]["read"] == 21 and before["run"]["rejected"] == 8 and before["run"]["warnings"] >= 6
    assert "invalid JSON" in before["run"]["errors"][-1]["reason"]
    assert before["run"]["inserted"] == 12 and before["run"]["updated"] == 1
    assert after["run"] == before["run"]  # counts, rejections and warnings with their lines, in order
    assert after["register"] == before["register"] and len(after["register"]) == 12
    assert after["json"] == before["json"]
    assert after["index"] == before["index"] and after["index"]["count"] == 12
    assert len(after["index"]["terms"]) > 150 and all(after["index"]["terms"].values())
    assert after["pending"] == before["pending"] == 0


def test_a_second_bulk_load_of_the_same_file_changes_nothing(db, engine, tmp_path):
    path = _mixed(tmp_path, repeat=False)  # a file with two versions of one record updates it each time
    first = _snapshot(db, engine, ingest_file(db, engine, path, ACTOR, batch_size=4, workers=1))
    with db.session() as s:
        stamps = dict(s.execute(select(Patent.pub_number, Patent.updated_at)).all())
    second = _snapshot(db, engine, ingest_file(db, engine, path, ACTOR, resume=False, batch_size=4, workers=1))
    assert (second["run"]["inserted"], second["run"]["updated"], second["run"]["unchanged"]) == (0, 0, 12)
    assert second["register"] == first["register"] and second["index"] == first["index"]
    with db.session() as s:
        assert dict(s.execute(select(Patent.pub_number, Patent.updated_at)).all()) == stamps  # not even touched


@pytest.mark.parametrize("workers", [0, 1])
def test_a_bulk_load_that_crashes_mid_file_resumes_exactly(db, engine, tmp_path, monkeypatch, workers):
    path = _mixed(tmp_path)
    expected = _snapshot(db, engine, ingest_file(db, engine, path, ACTOR, bulk=False, batch_size=4,
                                                 commit_every=4))
    _empty(db, engine)
    real_upsert = store.upsert
    fail_upsert_on(monkeypatch, 3)
    with pytest.raises(OSError):
        ingest_file(db, engine, path, ACTOR, resume=False, batch_size=4, commit_every=4, workers=workers)
    assert not multiprocessing.active_children()  # the preparing process went with the failed load
    with db.session() as s:
        failed = s.scalars(select(IngestRun).order_by(IngestRun.id.desc())).first()
        assert failed.status == "failed" and "disk full" in failed.message
        assert failed.position == 8  # two batches stored and indexed, the third failed before its commit
    monkeypatch.setattr(runner.store, "upsert", real_upsert)
    resumed = _snapshot(db, engine, ingest_file(db, engine, path, ACTOR, batch_size=4, commit_every=4,
                                                workers=workers))
    assert resumed["run"]["status"] == "done"
    assert {k: resumed["run"][k] for k in ("read", "inserted", "updated", "rejected", "warnings", "errors")} == \
        {k: expected["run"][k] for k in ("read", "inserted", "updated", "rejected", "warnings", "errors")}
    assert resumed["register"] == expected["register"] and resumed["index"] == expected["index"]


def test_a_bomb_read_by_a_preparing_process_stops_the_load_as_one_read_here_does(db, settings, session, tmp_path):
    head = "".join(json.dumps({"pub_number": f"CN11500{n:04d}A", "title": f"一种测试电池{n}"}, ensure_ascii=False)
                   + "\n" for n in range(3)).encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = tmp_path / "upload.jsonl.gz"
    with open(bomb, "wb") as out:
        out.write(packer.compress(head))
        for _ in range(24):
            out.write(packer.compress(b"\0" * 1024 * 1024))
        out.write(packer.flush())
    engine = PatentEngine(dataclasses.replace(settings, ingest_max_ratio=50, ingest_max_record_bytes=256 * 1024))
    try:
        run = session.get(IngestRun, ingest_file(db, engine, bomb, ACTOR, batch_size=1, workers=1))
        assert run.status == "failed" and run.message.startswith("upload.jsonl.gz:4: ")
        assert (run.inserted, run.position) == (3, 3) and engine.backend.count() == 3
    finally:
        engine.close()


def test_register_rows_hash_as_the_records_do():
    from ipcity.patents.ingest.native import record_from_dict
    from ipcity.patents.normalise import normalise

    for line in (DATA / "sample.jsonl").read_text(encoding="utf-8").splitlines()[:4]:
        rec = normalise(record_from_dict(json.loads(line), []))
        row = store.register_row(rec)
        assert row.content_hash == store.content_hash(rec) and row.pub_number == rec.pub_number
        assert len(row.values) == len(store.ROW_COLUMNS)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_fast_text_folding_is_exactly_nfkc_and_lower_case(database_url):
    rng = random.Random(18)
    tricky = "ae\u0301\u0300\u3099\u1100\u1161\u11a8가\uff0c\uff21\u3000 \u2103\u00b2\u0915\u093c\ufb01\u212b"
    samples = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    for _ in range(20_000):
        samples.append("".join(rng.choice(tricky) if rng.random() < 0.6 else chr(rng.randrange(0x20, 0x30000))
                               for _ in range(rng.randint(1, 10))))
    samples = [s for s in samples if not any(0xD800 <= ord(c) <= 0xDFFF for c in s)]
    wrong = [s for s in samples if normalise_text(s) != unicodedata.normalize("NFKC", s).lower()]
    assert not wrong, [ascii(s) for s in wrong[:5]]
