"""Our own JSONL / CSV record format (docs/patent-format.md): round trips, refusals, streaming."""

from __future__ import annotations

import json
import tracemalloc
from datetime import date

import pytest

from ipcity.patents.ingest.base import Read, Rejected
from ipcity.patents.ingest.cn_table import CnTableReader
from ipcity.patents.ingest.exports import LensReader
from ipcity.patents.ingest.google_patents import GooglePatentsReader
from ipcity.patents.ingest.native import CsvReader, JsonlReader, join_items, split_items, write_csv, write_jsonl
from ipcity.patents.ingest.uspto import UsptoXmlReader
from ipcity.patents.record import LegalEvent, PatentRecord, Priority
from tests.conftest import shared_data
from tests.patents.conftest import DATA, DEMO
from tests.patents.ingest.tally import tally


@pytest.fixture(scope="module")
def sample_records() -> list[PatentRecord]:
    """Records from several real sources, so every field kind (events, priorities, extra, lists) occurs."""
    fixtures = shared_data("patent-parser-fixtures")
    landscape = shared_data("patent-landscape-wipo-manual")
    records = [i.record for i in CnTableReader().read(fixtures / "cn" / "cn_patent_table_10_records.sql")]
    page = fixtures / "cn" / "google_patents_CN101551481B_zh.html.gz"
    records += [i.record for i in GooglePatentsReader().read(page)]
    for name in ("sgml/US06336130.xml", "sgml/USD435854S1.xml", "xml2014/US08926509.xml"):
        records += [i.record for i in UsptoXmlReader().read(fixtures / "uspto-xml" / name)]
    lens = [i.record for i in LensReader().read(landscape / "drones_lens_families_5884.csv.gz")]
    records += [r for r in lens if r.pub_number == "US5372337A"]  # applicants with ';' inside the names
    assert len(records) == 15
    return records


@pytest.mark.parametrize("name", ["records.jsonl", "records.jsonl.gz"])
def test_jsonl_round_trip(sample_records, tmp_path, name):
    target = tmp_path / name
    assert write_jsonl(iter(sample_records), target) == len(sample_records)
    if name.endswith(".gz"):
        assert target.read_bytes()[:2] == b"\x1f\x8b"
    assert JsonlReader().sniff(target)
    items = list(JsonlReader().read(target))
    assert [i.line for i in items] == list(range(1, len(sample_records) + 1))
    assert [i.record for i in items] == sample_records


def test_jsonl_line_is_exactly_to_dict(sample_records, tmp_path):
    target = tmp_path / "one.jsonl"
    write_jsonl(sample_records[:1], target)
    assert json.loads(target.read_text(encoding="utf-8")) == sample_records[0].to_dict()


@pytest.mark.parametrize("name", ["records.csv", "records.csv.gz"])
def test_csv_round_trip(sample_records, tmp_path, name):
    target = tmp_path / name
    assert write_csv(sample_records, target) == len(sample_records)
    assert CsvReader().sniff(target) and not JsonlReader().sniff(target)
    items = list(CsvReader().read(target))
    assert all(isinstance(i, Read) for i in items)
    assert [i.record for i in items] == sample_records
    lens = next(i.record for i in items if i.record.pub_number == "US5372337A")
    assert lens.applicants == ["KRESS; ROBERT W.", "STUMP; JOSEPH W."]


def test_list_cell_escapes():
    items = ["KRESS; ROBERT W.", "A\\B", "plain"]
    assert join_items(items) == "KRESS\\; ROBERT W.; A\\\\B; plain"
    assert split_items(join_items(items)) == items
    assert split_items("H04L43/02; H04L9/40;H04L67/025") == ["H04L43/02", "H04L9/40", "H04L67/025"]


def test_bad_jsonl_values_are_left_out_and_lines_without_a_key_rejected(tmp_path):
    good = PatentRecord("CN109903198A", office="CN", kind="A", app_date=date(2019, 1, 24), source="cn-table",
                        priorities=[Priority("JP2018-000001", date(2018, 1, 5), "JP")],
                        events=[LegalEvent("publication", date(2019, 6, 14), "PB01", "公布")])
    lines = [
        json.dumps(good.to_dict(), ensure_ascii=False),
        '{"pub_number": "CN1", "title": ',  # cut short
        json.dumps({"pub_number": "CN2", "titel": "typo"}),
        json.dumps({"pub_number": "CN3", "app_date": "2019-13-01"}),
        json.dumps({"pub_number": "CN4", "events": [{"kind": "granted"}]}),
        json.dumps({"pub_number": "", "title": "no key"}),
        json.dumps({"pub_number": "CN5", "ipc": "H04L43/02"}),
        "",
        json.dumps({"pub_number": "CN6", "legal_status": "valid", "cited_by": 3}),
    ]
    target = tmp_path / "mixed.jsonl"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(JsonlReader().read(target))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Read", 1), ("Rejected", 2), ("Rejected", 3), ("Read", 4), ("Read", 5), ("Rejected", 6),
        ("Read", 7), ("Read", 9)]
    assert items[0].record == good and items[0].warnings == ()
    assert "invalid JSON" in items[1].reason
    assert "titel" in items[2].reason  # a field the format does not have: a typo must not drop data
    assert items[3].record.app_date is None and "2019-13-01" in items[3].warnings[0]
    assert items[4].record.events == [] and "granted" in items[4].warnings[0]
    assert "pub_number" in items[5].reason
    assert items[6].record.ipc == [] and "ipc" in items[6].warnings[0]
    assert all(len(i.warnings) == 1 and "left out" in i.warnings[0] for i in (items[3], items[4], items[6]))
    assert items[7].record.cited_by == 3 and items[7].record.source == "jsonl" and items[7].warnings == ()


def test_jsonl_units_parsed_one_by_one_are_exactly_what_read_yields(tmp_path):
    """The bulk ingest's preparing processes cut the file into unparsed lines and parse only their own: each unit
    parsed must be the item `read` yields there, blank lines skipped, an over-long line refused by its number."""
    from ipcity.patents.ingest.base import SplitReader
    from ipcity.patents.ingest.limits import Limits

    good = json.dumps({"pub_number": "CN115000001A", "title": "一种电池"}, ensure_ascii=False)
    long = json.dumps({"pub_number": "CN115000002A", "title": "字" * 2000}, ensure_ascii=False)
    lines = ["", good, "   ", '{"pub_number": ', long, "\t", json.dumps({"title": "无号"}), good]
    path = tmp_path / "units.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    limits = Limits(record_bytes=1024)
    reader = JsonlReader()
    assert isinstance(reader, SplitReader)
    units = list(reader.units(path, limits))
    assert [line for line, _ in units] == [2, 4, 5, 7, 8]  # the non-blank lines, by their numbers
    assert units[2][1] is None  # longer than the limit: not held
    items = list(reader.read(path, limits))
    assert [reader.parse(unit, limits) for unit in units] == items
    assert [type(item) for item in items] == [Read, Rejected, Rejected, Rejected, Read]
    assert "invalid JSON" in items[1].reason and "1024" in items[2].reason


def test_csv_with_unknown_column_is_refused_at_the_header(tmp_path):
    target = tmp_path / "odd.csv"
    target.write_text("pub_number,title,colour\nCN1,x,red\n", encoding="utf-8")
    assert not CsvReader().sniff(target)
    items = list(CsvReader().read(target))
    assert len(items) == 1 and isinstance(items[0], Rejected) and items[0].line == 1 and "colour" in items[0].reason


def test_csv_bad_cells_are_left_out_and_the_rows_kept(tmp_path):
    target = tmp_path / "partial.csv"
    target.write_text(
        "pub_number,app_date,cited_by,ipc,events\n"
        "CN1A,2020-01-02,3,H04L9/40; G06F16/33,\n"
        "CN2A,2020-02-30,,,\n"
        "CN3A,,many,,\n"
        "CN4A,,,,\"[{\"\"kind\"\": \"\"grant\"\", \"\"date\"\": \"\"2021-05-04\"\"}]\"\n"
        "CN5A,,,,[not json\n", encoding="utf-8")
    items = list(CsvReader().read(target))
    assert [(type(i).__name__, i.line) for i in items] == [("Read", 2), ("Read", 3), ("Read", 4), ("Read", 5),
                                                          ("Read", 6)]
    assert items[0].record.ipc == ["H04L9/40", "G06F16/33"] and items[0].record.cited_by == 3
    assert items[1].record.app_date is None and "2020-02-30" in items[1].warnings[0]
    assert items[2].record.cited_by is None and "cited_by" in items[2].warnings[0]
    assert items[4].record.events == [] and "events" in items[4].warnings[0]
    assert [len(i.warnings) for i in items] == [0, 1, 1, 0, 1]
    assert items[3].record.events == [LegalEvent("grant", date(2021, 5, 4))]


@pytest.mark.parametrize(("path", "accepted", "refused"), [
    (DEMO / "cn_titles_ipc.jsonl.gz", 9740, 0),
    (DATA / "sample.jsonl", 4, 2),  # 'not a number' and a line without pub_number: nothing to identify them by
])
def test_samples_are_counted(path, accepted, refused):
    counted = tally(JsonlReader(), path)
    assert (len(counted.accepted), len(counted.refused), len(counted.warnings)) == (accepted, refused, 0)


def test_jsonl_reader_streams_50000_lines(tmp_path):
    target = tmp_path / "big.jsonl"
    template = PatentRecord("CN100000000A", office="CN", kind="A", title="一种测试装置",
                            abstract="本发明公开了一种装置。" * 4, ipc=["H04L9/40", "G06F16/33"],
                            applicants=["中科大数据研究院"], pub_date=date(2023, 1, 1)).to_dict()
    with open(target, "w", encoding="utf-8") as out:
        for n in range(50_000):
            out.write(json.dumps({**template, "pub_number": f"CN{100000000 + n}A"}, ensure_ascii=False) + "\n")
    size = target.stat().st_size
    tracemalloc.start()
    try:
        count = sum(type(item) is Read for item in JsonlReader().read(target))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 50_000
    # The file is ~35 MB; reading holds one line and one record at a time.
    assert size > 30_000_000 and peak < 1_000_000, (size, peak)
