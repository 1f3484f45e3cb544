"""Decompression bombs and oversized records (issue 14, finding 6): a small file that expands hugely is
refused with its file, line and reason after reading no more than the limit; an oversized record or field
is refused and the rest of the file goes on."""

from __future__ import annotations

import dataclasses
import json
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest

from ipcity.core.roles import Actor
from ipcity.patents import store
from ipcity.patents.engine import PatentEngine
from ipcity.patents.ingest.cn_table import CnTableReader
from ipcity.patents.ingest.formats import reader_for
from ipcity.patents.ingest.limits import Limits, SourceRefused
from ipcity.patents.ingest.native import CsvReader, JsonlReader
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.ingest.uspto import UsptoXmlReader
from ipcity.patents.tables import IngestRun

MiB = 1024 * 1024
LOW = Limits(expanded_bytes=8 * MiB, ratio=50, record_bytes=256 * 1024, text_chars=100_000, field_chars=1000)


def _record(n: int, **fields) -> str:
    data = {"pub_number": f"CN11500{n:04d}A", "app_date": "2022-01-05",
            "title": f"一种测试电池{n}", "legal_status": "pending", "source": "test"} | fields
    return json.dumps(data, ensure_ascii=False)


def _gzip(path: Path, head: bytes, filler: bytes, mib: int) -> Path:
    """`head`, then `mib` MiB of `filler`, gzipped a MiB at a time (the test never holds the bomb)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = filler * (MiB // len(filler))
    with open(path, "wb") as out:
        out.write(packer.compress(head))
        for _ in range(mib):
            out.write(packer.compress(chunk))
        out.write(packer.flush())
    return path


def _drain(reader, path: Path, limits: Limits) -> list:
    return list(reader.read(path, limits))


def test_a_gzip_bomb_is_refused_by_its_ratio_in_bounded_memory(tmp_path):
    bomb = _gzip(tmp_path / "bomb.jsonl.gz", (_record(1) + "\n").encode(), b"\0", 32)
    assert bomb.stat().st_size < 100_000  # 32 MiB of zeros in a few dozen KB
    tracemalloc.start()
    try:
        with pytest.raises(SourceRefused) as caught:
            _drain(JsonlReader(), bomb, dataclasses.replace(LOW, expanded_bytes=10**12))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MiB  # neither the 32 MiB nor the endless line was held
    message = str(caught.value)
    assert "bomb.jsonl.gz" in message and "times its compressed size" in message and "50" in message
    assert caught.value.line == 2  # the line it stopped in


def test_a_gzip_bomb_of_short_lines_is_refused_by_its_expanded_size(tmp_path):
    bomb = _gzip(tmp_path / "lines.jsonl.gz", b"", b"\n", 16)  # millions of (empty) lines
    with pytest.raises(SourceRefused) as caught:
        _drain(JsonlReader(), bomb, dataclasses.replace(LOW, ratio=10**6))
    assert "expands" in str(caught.value) and caught.value.line > 8 * MiB - 10


def test_a_small_compressed_file_is_not_a_bomb(tmp_path):
    lines = "\n".join(_record(n) for n in range(3)) + "\n" + "\n" * 200_000  # compresses >100:1, but small
    path = _gzip(tmp_path / "ok.jsonl.gz", lines.encode(), b"\n", 0)
    assert len(_drain(JsonlReader(), path, LOW)) == 3


def test_ingest_stops_at_a_bomb_reports_it_and_keeps_what_came_before(db, settings, session, tmp_path):
    head = "".join(_record(n) + "\n" for n in range(3)).encode()
    bomb = _gzip(tmp_path / "upload.jsonl.gz", head, b"\0", 24)
    engine = PatentEngine(dataclasses.replace(settings, ingest_max_ratio=50, ingest_max_record_bytes=256 * 1024))
    try:
        run_id = ingest_file(db, engine, bomb, Actor.system("tests"), batch_size=1)
        run = session.get(IngestRun, run_id)
        assert run.status == "failed"
        assert run.message.startswith("upload.jsonl.gz:4: ") and "times its compressed size" in run.message
        assert run.errors[-1]["line"] == 4 and "times its compressed size" in run.errors[-1]["reason"]
        assert (run.inserted, run.position) == (3, 3), run.errors  # what came before the bomb is stored and indexed
        assert engine.backend.count() == 3
        assert all(len(store.get(session, f"CN11500{n:04d}A").title) < 20 for n in range(3))
    finally:
        engine.close()


def test_an_oversized_line_is_skipped_with_a_report_and_the_rest_loads(db, settings, session, tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text("\n".join([_record(1), _record(2, title="长" * 300_000), _record(3)]) + "\n", encoding="utf-8")
    engine = PatentEngine(dataclasses.replace(settings, ingest_max_record_bytes=256 * 1024))
    try:
        run = session.get(IngestRun, ingest_file(db, engine, path, Actor.system("tests")))
        assert (run.status, run.inserted, run.rejected) == ("done", 2, 1)
        assert run.errors[0]["line"] == 2 and "longer than" in run.errors[0]["reason"]
        assert store.get(session, "CN115000002A") is None and store.get(session, "CN115000003A") is not None
    finally:
        engine.close()


def test_an_overlong_field_is_refused_naming_the_field(db, settings, session, tmp_path):
    path = tmp_path / "fields.jsonl"
    path.write_text("\n".join([_record(1, title="题" * 20_000), _record(2, address="地" * 400),
                               _record(3, abstract="摘" * 50_000)]) + "\n", encoding="utf-8")
    engine = PatentEngine(settings)
    try:
        run = session.get(IngestRun, ingest_file(db, engine, path, Actor.system("tests")))
    finally:
        engine.close()
    reasons = {e["line"]: e["reason"] for e in run.errors}
    assert "title" in reasons[1] and "10000" in reasons[1]  # IPCITY_INGEST_MAX_FIELD_CHARS
    assert "address" in reasons[2] and "300" in reasons[2]  # the register column's length
    assert (run.inserted, run.rejected) == (1, 2)  # a long abstract is normal


def test_an_oversized_csv_row_spanning_lines_is_skipped(tmp_path):
    path = tmp_path / "records.csv"
    cell = '"' + "\n".join(["长行" * 1000] * 100) + '"'  # one quoted cell of many lines, ~200 KB
    path.write_text("pub_number,title\nCN1A,一\nCN2A," + cell + "\nCN3A,三\n", encoding="utf-8")
    items = _drain(CsvReader(), path, dataclasses.replace(LOW, record_bytes=64 * 1024))
    read = [i.record.pub_number for i in items if hasattr(i, "record")]
    assert read[0] == "CN1A" and read[-1] == "CN3A"
    assert any("longer than" in getattr(i, "reason", "") for i in items)


def _zip(path: Path, member: str, mib: int, head: bytes = b"") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open(member, "w", force_zip64=True) as out:
        out.write(head)
        for _ in range(mib):
            out.write(b" " * MiB)
    return path


def test_an_xlsx_bomb_is_refused_before_openpyxl_reads_it(tmp_path):
    bomb = _zip(tmp_path / "专利.xlsx", "xl/sharedStrings.xml", 16)
    with pytest.raises(SourceRefused) as caught:
        _drain(CnTableReader(), bomb, dataclasses.replace(LOW, expanded_bytes=10**12))
    assert "xl/sharedStrings.xml" in str(caught.value) and "times its compressed size" in str(caught.value)
    with pytest.raises(SourceRefused):  # sniffing does not open it either
        reader_for(bomb)
    with pytest.raises(SourceRefused) as caught:  # the declared total beyond the expanded limit
        _drain(CnTableReader(), bomb, dataclasses.replace(LOW, ratio=10**6))
    assert "expands" in str(caught.value)


def test_a_zip_of_xml_is_refused_before_it_expands(tmp_path):
    # USPTO weekly files are ZIPs of XML: declared sizes are checked first, and each member's stream counts
    # what it expands to as well.
    bomb = _zip(tmp_path / "ipg.zip", "ipg.xml", 16, head=b'<?xml version="1.0"?>\n<us-patent-grant>\n')
    with pytest.raises(SourceRefused) as caught:
        _drain(UsptoXmlReader(), bomb, LOW)
    assert "ipg.zip" in str(caught.value)
