"""Landscape exports (WIPO manual data sets): PATENTSCOPE, WIPO landscape table, Lens, Lens TAC, Derwent, Thomson.

Expected values are cells of the data files themselves (first rows, hand-picked rows) and the row counts their
SOURCE.md gives. Each reader's sample is also counted through the runner's preparation (tally.py): accepted,
refused and warnings, so that a rise in refusals fails here. PATENTSCOPE, WIPO landscape and Lens are counted on
the shipped demo copies (always present); the others on ../shared/data.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from ipcity.core.numbers import parse_cn_application
from ipcity.patents.ingest.base import Read, Rejected
from ipcity.patents.ingest.exports import (
    DerwentReader,
    LensReader,
    LensTacReader,
    PatentscopeReader,
    ThomsonReader,
    WipoLandscapeReader,
    derwent_cn_application,
    ipc_from_compact,
    ipc_from_padded,
    lens_priority,
    patentscope_priority,
)
from ipcity.patents.ingest.sources import RecordError
from ipcity.patents.record import INVENTION, UTILITY, Priority
from tests.conftest import shared_data
from tests.patents.conftest import DEMO
from tests.patents.ingest.tally import tally


@pytest.fixture(scope="module")
def data() -> Path:
    return shared_data("patent-landscape-wipo-manual")


def read_all(reader, path: Path) -> list[Read]:
    items = list(reader.read(path))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert rejected == []
    return items


def by_number(items: list[Read]) -> dict:
    return {i.record.pub_number: i.record for i in items}


def gunzip_to(source: Path, target: Path, lines: int | None = None) -> list[str]:
    with gzip.open(source, "rt", encoding="utf-8", newline="") as stream:
        content = stream.read().split("\n")
    kept = content[:lines] if lines else content
    target.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return kept


# --- PATENTSCOPE ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def patentscope(data):
    return read_all(PatentscopeReader(), data / "pizza_patentscope_24294.tsv.gz")


def test_patentscope_reads_every_row(data, patentscope):
    assert PatentscopeReader().sniff(data / "pizza_patentscope_24294.tsv.gz")
    assert len(patentscope) == 24294  # repeated numbers are kept: readers do not de-duplicate
    # 3 rows repeat a number; 11 more numbers appear twice, once with a lower-case office (es2228454 / ES2228454).
    assert len(by_number(patentscope)) == 24294 - 3 - 11
    assert any(i.record.pub_number == "ES2228454" and i.record.extra.get("number_as_published") == "es2228454"
               for i in patentscope)
    assert patentscope[0].line == 2 and patentscope[-1].line == 24295


def test_patentscope_fields(patentscope):
    first = patentscope[0].record
    assert first.pub_number == "US20050286606" and first.office == "US" and first.kind == ""
    assert first.pub_date == date(2005, 12, 29)  # 29.12.2005
    assert first.priorities == [Priority("60582692", date(2004, 6, 24), "US")]
    # 'G01N 25/00;G01N 25/00;G01J 5/00;G01J 5/00;G01N 25/72;G01N 25/72': repeats dropped
    assert first.ipc == ["G01N 25/00", "G01J 5/00", "G01N 25/72"]
    assert first.applicants == ["Fluke Corporation"] and first.inventors == ["Ignatowicz Steven"]
    chiron = by_number(patentscope)["US20050287165"]
    assert [p.number for p in chiron.priorities] == ["9800760", "9819015", "9822143"]
    assert chiron.inventors == ["Scarlato Vincenzo", "Masignani Vega", "Rappuoli Rino", "Pizza Mariagrazia",
                                "Grandi Guido"]
    assert by_number(patentscope)["CN1688334"].applicants == ["Chiron SRL", "启龙有限公司"]


def test_patentscope_ipc_flags_are_cut(patentscope):
    # Some rows carry IPCR flags after the symbol: 'A47G 19/02 20060101AFI20061115BHGB'.
    assert all(len(symbol.split()) <= 2 for item in patentscope for symbol in item.record.ipc)


@pytest.mark.parametrize(("entry", "expected"), [
    ("9800760 1998-01-14T23:59:59.000Z GB", Priority("9800760", date(1998, 1, 14), "GB")),
    ("60/236,105 28.09.2000 US", Priority("60/236,105", date(2000, 9, 28), "US")),
    ("60/236 105  US", Priority("60/236 105", None, "US")),
    ("PA 2004 00824 25.05.2004 DK", Priority("PA 2004 00824", date(2004, 5, 25), "DK")),
    ("US 20030707 60/485,616", Priority("60/485,616", date(2003, 7, 7), "US")),
    ("US20020299537", Priority("US20020299537", None, "US")),
])
def test_patentscope_priority_forms(entry, expected):
    assert patentscope_priority(entry) == expected


def test_patentscope_bad_date_is_left_out_and_a_short_row_rejected(data, tmp_path):
    target = tmp_path / "patentscope.tsv"
    lines = gunzip_to(data / "pizza_patentscope_24294.tsv.gz", target, 6)
    cells = lines[3].split("\t")
    cells[1] = "31.02.2005"
    lines[3] = "\t".join(cells)
    lines[4] = "\t".join(lines[4].split("\t")[:5])  # a row cut short
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(PatentscopeReader().read(target))
    assert [(type(i), i.line) for i in items] == [(Read, 2), (Read, 3), (Read, 4), (Rejected, 5), (Read, 6)]
    kept = items[2]  # the date is left out, the record kept with a warning
    assert kept.record.pub_date is None and kept.record.title and kept.record.pub_number
    assert len(kept.warnings) == 1 and "publication_date" in kept.warnings[0] and "31.02.2005" in kept.warnings[0]
    assert "left out" in kept.warnings[0] and "已略去" in kept.warnings[0]
    assert all(i.warnings == () for i in (items[0], items[1], items[4]))
    assert "5 cells" in items[3].reason


def _peak_while_reading(reader, path: Path) -> int:
    tracemalloc.start()
    try:
        for _ in reader.read(path):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_patentscope_memory_does_not_grow_with_the_file(data, tmp_path):
    small, large = tmp_path / "small.tsv", tmp_path / "large.tsv"
    gunzip_to(data / "pizza_patentscope_24294.tsv.gz", small, 1001)
    gunzip_to(data / "pizza_patentscope_24294.tsv.gz", large, 5001)
    peak_small = _peak_while_reading(PatentscopeReader(), small)
    peak_large = _peak_while_reading(PatentscopeReader(), large)
    # Five times the rows, the same peak (one row at a time), and far below the 1.6 MB file.
    assert peak_large < peak_small * 1.2 + 64 * 1024, (peak_small, peak_large)
    assert peak_large < large.stat().st_size / 3


# --- WIPO landscape ------------------------------------------------------------------------------------

def test_wipo_landscape(data, tmp_path):
    path = data / "ritonavir_wipo_landscape_804.csv.gz"
    assert WipoLandscapeReader().sniff(path)
    items = read_all(WipoLandscapeReader(), path)
    assert len(items) == 804
    first = items[0].record
    assert first.pub_number == "AU2007202956B2" and first.kind == "B2" and first.office == "AU"
    assert first.title == "Polymorph of a pharmaceutical"
    assert first.priorities == [Priority("AU19990050037", date(1999, 7, 19), "AU")]
    assert first.app_date == date(2007, 6, 27) and first.pub_date == date(2007, 7, 19)
    assert first.ipc == ["C07D 417/00"]  # C07D41700
    assert first.inventors[:2] == ["SALEKI-GERHARDT AZITA", "ALLEN KIMBERLY A"] and len(first.inventors) == 8
    assert first.family == ["AU2003254711A1", "AU2007202943A1", "AU2003254711B2"] and first.family_size == 3
    xiamen = by_number(items)["CN101440091A"]
    assert xiamen.ipc == ["C07D 417/14", "A61P 31/18", "A61K 31/426"]  # C07D41714 | A61P03118 | A61K031426
    assert xiamen.inventors == ["JIANFENG ZHENG", "GUOZONG SHI"]  # 'JIANFENG ZHENG    CN  | GUOZONG SHI    CN'
    assert xiamen.family == [] and xiamen.patent_type == INVENTION
    # gzip and plain read the same
    plain = tmp_path / "ritonavir.csv"
    gunzip_to(path, plain)
    assert [(i.line, i.record) for i in WipoLandscapeReader().read(plain)] == [(i.line, i.record) for i in items]


@pytest.mark.parametrize(("compact", "symbol"), [("C07D41700", "C07D 417/00"), ("A61K031426", "A61K 31/426"),
                                                 ("H01J04900", "H01J 49/00"), ("G01N03072", "G01N 30/72"),
                                                 ("A61K000", "A61K"), ("A61K031", "A61K031")])
def test_compact_ipc(compact, symbol):
    assert ipc_from_compact(compact) == symbol


@pytest.mark.parametrize(("padded", "symbol"), [("A61K-0031/12", "A61K 31/12"), ("A63H-030/04", "A63H 30/04"),
                                                ("C12N-0015/867", "C12N 15/867"), ("B64C-000/00", "B64C")])
def test_padded_ipc(padded, symbol):
    assert ipc_from_padded(padded) == symbol


# --- Lens ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lens(data):
    return read_all(LensReader(), data / "drones_lens_families_5884.csv.gz")


def test_lens_families(data, lens):
    assert LensReader().sniff(data / "drones_lens_families_5884.csv.gz")
    assert len(lens) == 5884
    first, second = lens[0].record, lens[1].record
    assert first.pub_number == "AT399980B" and first.cited_by == 6 and first.family_size == 2
    assert first.app_number == "AT33585A" and first.app_date == date(1985, 2, 6)
    assert second.pub_number == "AT556755T" and second.pub_date == date(2012, 5, 15)
    assert second.priorities == [Priority("FR1051751A", date(2010, 3, 11), "FR"),
                                 Priority("FR1054449A", date(2010, 6, 7), "FR")]
    assert second.inventors == ["SEYDOUX HENRI", "D HAEYER FREDERIC"]
    assert len(second.cpc) == 8 and len(second.ipc) == 6 and second.ipc_main == "A63H30/04"
    assert second.family_size == 11 and second.extra["extended_family_size"] == 13
    # ';;' separates the names; a single ';' is part of a name in old US records.
    assert by_number(lens)["US5372337A"].applicants == ["KRESS; ROBERT W.", "STUMP; JOSEPH W."]


def test_lens_priority_with_spaced_number():
    assert lens_priority("JP 2005 123456 A 20050101") == Priority("JP2005123456A", date(2005, 1, 1), "JP")


def test_lens_short_row_is_rejected(data, tmp_path):
    target = tmp_path / "lens.csv"
    lines = gunzip_to(data / "drones_lens_families_5884.csv.gz", target, 4)
    lines[2] = ",".join(lines[2].split(",")[:10])
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(LensReader().read(target))
    assert [(type(i), i.line) for i in items] == [(Read, 2), (Rejected, 3), (Read, 4)]


def test_lens_tac(data):
    path = data / "drones_lens_tac_1606_cleaned.csv.gz"
    assert LensTacReader().sniff(path) and not LensReader().sniff(path)
    items = read_all(LensTacReader(), path)
    assert len(items) == 1606
    record = by_number(items)["AR075121A1"]
    assert record.pub_date == date(2011, 3, 9)  # '2011-3-9'
    assert record.applicants == ["MANIN MICHEL"] and record.cpc == ["G01V1/3808"]
    assert record.priorities == [Priority("FR0950012A", None, "FR")] and record.extra["priority_years"] == [2009]
    schiebel = by_number(items)["ATA12022004A"]
    assert schiebel.inventors == ["SCHIEBEL HANS-GEORG"] and schiebel.ipc == ["B64C39/02"]
    two = [i.record for i in items if len(i.record.priorities) == 2]
    assert two and all(len(r.extra["priority_years"]) <= 2 for r in two)


# --- Derwent -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def derwent(data):
    return read_all(DerwentReader(), data / "drones_derwent_2691.jsonl.gz")


def test_derwent_json_lines(data, derwent):
    assert DerwentReader().sniff(data / "drones_derwent_2691.jsonl.gz")
    assert len(derwent) == 2691 and derwent[0].line == 1
    first = derwent[0].record
    assert first.pub_number == "FR3027815A1" and first.kind == "A1" and first.office == "FR"
    assert first.pub_date == date(2016, 5, 6)  # 'FR3027815-A1   06 May 2016   A63H-030/04 …'
    assert first.app_number == "FR002466" and first.app_date == date(2014, 10, 31)
    assert first.priorities == [Priority("FR002466", date(2014, 10, 31), "FR")]
    assert first.applicants == ["GUIBOURD D L C"] and first.extra["assignee_codes"] == ["GUIB-Individual"]
    assert first.ipc == ["A63H 30/04", "H04H 20/53"]
    assert first.abstract.startswith("NOVELTY - The device has a memory")
    assert first.extra["publication_language"] == "French"
    assert derwent[1].record.family == ["WO2016071291A1"]


def _to_ciw(record: dict) -> str:
    """Render one Derwent JSON record in the Web of Science tagged layout, as the .ciw exports have it."""
    def tag(name: str, values: list[str]) -> list[str]:
        return [f"{name} {values[0]}"] + [f"   {v}" for v in values[1:]] if values else []
    lines = ["PT P"]
    lines += tag("PN", ["; ".join(record["publication_numbers"])])
    lines += tag("TI", [record["title"]])
    lines += tag("AU", record["inventors"]) + tag("AE", record["assignees"])
    lines += tag("GA", [record["derwent_accession"]])
    lines += tag("AB", record["abstract"].split("\n"))
    lines += tag("DC", [record["derwent_classes"]]) + tag("MC", [record["manual_codes"]])
    lines += tag("IP", ["; ".join(record["ipc"])])
    lines += tag("PD", record["publication_details"]) + tag("AD", record["application_details"])
    lines += tag("PI", record["priority"]) + tag("DS", [record["designated_states"]] if record["designated_states"]
                                                 else []) + tag("UT", [record["ut"]])
    return "\n".join(lines + ["ER", ""])


def test_derwent_tagged_export_reads_like_the_json_lines(data, derwent, tmp_path):
    with gzip.open(data / "drones_derwent_2691.jsonl.gz", "rt", encoding="utf-8") as stream:
        originals = [json.loads(next(stream)) for _ in range(25)]
    target = tmp_path / "export.ciw"
    target.write_text("FN Thomson Reuters Web of Science\nVR 1.0\n" + "\n".join(_to_ciw(r) for r in originals)
                      + "\nEF\n", encoding="utf-8")
    assert DerwentReader().sniff(target)
    items = list(DerwentReader().read(target))
    assert [i.record for i in items] == [i.record for i in derwent[:25]]
    assert items[0].line == 3


def test_derwent_tagged_cited_patents_and_bad_record(tmp_path):
    target = tmp_path / "sample.ciw"
    target.write_text("\n".join([
        "FN Thomson Reuters Web of Science", "VR 1.0",
        "PT P", "PN XX1000001-A1; XX1000002-B1", "TI Made-up record for the tagged format.", "AU DOE J", "   ROE R",
        "AE EXAMPLE CO (EXAM-C)", "GA 2099000001",
        "AB    (XX1000001-A1)   NOVELTY - A thing.", "   USE - For tests.",
        "IP B64C-039/02; G05D-001/00",
        "PD XX1000001-A1   02 Jan 2020   B64C-039/02   202001   Pages: 3   English",
        "   XX1000002-B1   03 Feb 2021   B64C-039/02   202110      English",
        "AD XX1000001-A1    XX000123    05 Mar 2019",
        "PI XX000123    05 Mar 2019",
        "CP    XX1000001-A1", "      YY2000003-A      ", "      ZZ3000004-B2   OTHER CO (OTHE)   SMITH A",
        "   XX1000002-B1", "      YY2000003-A      ",
        "UT DIIDW:2099000001", "ER", "",
        "PT P", "TI A record without PN.", "ER", "", "EF"]) + "\n", encoding="utf-8")
    items = list(DerwentReader().read(target))
    assert isinstance(items[0], Read) and items[0].line == 3
    record = items[0].record
    assert record.pub_number == "XX1000001A1" and record.family == ["XX1000002B1"]
    assert record.inventors == ["DOE J", "ROE R"] and record.applicants == ["EXAMPLE CO"]
    assert record.abstract == "NOVELTY - A thing.\nUSE - For tests."
    assert record.ipc == ["B64C 39/02", "G05D 1/00"]
    assert record.pub_date == date(2020, 1, 2) and record.app_date == date(2019, 3, 5)
    assert record.citations == ["YY2000003A", "ZZ3000004B2"]
    assert isinstance(items[1], Rejected) and items[1].line == 25 and "publication number" in items[1].reason


def test_derwent_bad_json_line(data, tmp_path):
    target = tmp_path / "derwent.jsonl"
    lines = gunzip_to(data / "drones_derwent_2691.jsonl.gz", target, 4)
    lines[1] = lines[1][:50]
    lines[2] = json.dumps({**json.loads(lines[2]), "inventors": 7})
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(DerwentReader().read(target))
    assert [(type(i), i.line) for i in items] == [(Read, 1), (Rejected, 2), (Read, 3), (Read, 4)]
    assert "invalid JSON" in items[1].reason
    # A field of the wrong JSON type is left out; the record keeps the rest.
    assert items[2].record.inventors == [] and items[2].record.title
    assert items[2].warnings == ("inventors 应为文本列表（已略去）/ inventors should be a list of text (left out)",)


# --- Thomson Innovation --------------------------------------------------------------------------------

def test_thomson(data):
    path = data / "synbio_thomson_645.tsv.gz"
    assert ThomsonReader().sniff(path)
    items = read_all(ThomsonReader(), path)
    assert len(items) == 644
    first = items[0].record
    assert first.pub_number == "EP784692A1" and first.pub_date == date(1997, 7, 23)
    assert first.app_number == "EP1995936339A" and first.app_date == date(1995, 10, 5)
    assert first.priorities == [Priority("US1994319974A", date(1994, 10, 7), "US"),
                                Priority("WO1995US13219A", date(1995, 10, 5), "WO")]
    assert first.title == "Attenuated Viruses And Method Of Making The Same"
    assert first.ipc[0] == "A61K 31/12" and len(first.ipc) == 9  # 'A61K-0031/12; …' nine codes
    assert len(first.cpc) == 6
    # 12 INPADOC members, the record itself among them
    assert first.family_size == 12 and len(first.family) == 11 and "EP784692A1" not in first.family
    assert first.applicants == ["EAST CAROLINA UNIVERSITY"] and first.agents == ["Horner, Martin Grenville"]
    assert first.claims.startswith("THAT WHICH IS CLAIMED IS: 1. An attenuated virus")
    second = items[1].record
    assert second.pub_number == "US5824316A" and second.cited_by == 9 and second.citations == []
    assert second.inventors == ["Grubman, Marvin J.", "Mason, Peter W.", "Piccone, Maria Elisa", "Rieder, Elizabeth"]


def test_utility_model_kinds(lens):
    utility = [i.record for i in lens if i.record.pub_number.startswith("CN2")]
    assert utility and all(r.patent_type == UTILITY for r in utility)


# --- what a load keeps: every sample counted through the runner's preparation ----------------------------------

# (reader, file, where, records, refused at most, warnings at most). Before readers kept what they could, Lens
# refused 357 (CN application numbers with a glued kind, CN200710063161A; EP 0259054 B9 20031217), Derwent 266
# (every Chinese record), Thomson 20; the warnings are IPC symbols that are none ('A21D 13/', '6 A').
SAMPLES = [
    (PatentscopeReader(), "pizza_patentscope_24294.tsv.gz", "demo", 24294, 0, 65),
    (WipoLandscapeReader(), "ritonavir_wipo_landscape_804.csv.gz", "demo", 804, 0, 15),
    (LensReader(), "drones_lens_families_5884.csv.gz", "demo", 5884, 0, 0),
    (LensTacReader(), "drones_lens_tac_1606_cleaned.csv.gz", "shared", 1606, 0, 0),
    (DerwentReader(), "drones_derwent_2691.jsonl.gz", "shared", 2691, 0, 1),
    (ThomsonReader(), "synbio_thomson_645.tsv.gz", "shared", 644, 0, 0),
]


@pytest.mark.parametrize(("reader", "name", "where", "records", "refused", "warnings"), SAMPLES,
                         ids=[s[0].name for s in SAMPLES])
def test_sample_is_kept_whole(reader, name, where, records, refused, warnings):
    path = DEMO / name if where == "demo" else shared_data("patent-landscape-wipo-manual") / name
    counted = tally(reader, path)
    assert counted.read == records
    assert len(counted.refused) <= refused, counted.refused[:5]
    assert len(counted.accepted) >= records - refused
    assert len(counted.warnings) <= warnings, counted.warnings[:5]


@pytest.fixture(scope="module")
def derwent_kept(data):
    return tally(DerwentReader(), data / "drones_derwent_2691.jsonl.gz")


def test_derwent_chinese_records_carry_their_full_application_number(derwent_kept):
    chinese = [r for r in derwent_kept.records().values() if r.office == "CN"]
    assert len(chinese) == 266 and derwent_kept.refused == []
    # 'CN10949974' filed 18 Dec 2015: year from the filing date, check character computed (rules.md §12.1).
    for record in chinese:
        number = parse_cn_application(record.app_number)  # raises on a wrong check character
        assert number.formatted == record.app_number and number.year == record.app_date.year
    records = derwent_kept.records()
    assert records["CN105449581A"].app_number == "CN201510949974.9"
    assert records["CN1565231A"].app_number == "CN03137707.6"  # 'CN137707', filed 2003-06-20: the 8-digit form
    assert records["CN105449581A"].priorities == [Priority("CN201510949974.9", date(2015, 12, 18), "CN")]


@pytest.fixture(scope="module")
def lens_kept():
    return tally(LensReader(), DEMO / "drones_lens_families_5884.csv.gz").records()


def test_derwent_and_lens_agree_on_chinese_application_numbers(derwent_kept, lens_kept):
    lens, derwent = lens_kept, derwent_kept.records()
    both = [n for n, r in derwent.items() if r.office == "CN" and n in lens]
    assert len(both) == 101  # Lens writes them whole (CN201510949974A), Derwent without year
    assert all(derwent[n].app_number == lens[n].app_number for n in both)


@pytest.mark.parametrize(("number", "filed", "expected"), [
    ("CN10949974", date(2015, 12, 18), "CN201510949974.9"),
    ("CN137707", date(2003, 6, 20), "CN03137707.6"),
    ("FR002466", date(2014, 10, 31), "FR002466"),  # not a CN short form: as given
    ("CN99811452", date(1999, 9, 1), "CN99811452"),  # the whole pre-2003 form: as given
    ("CN201510949974.9", date(2015, 12, 18), "CN201510949974.9"),
])
def test_derwent_cn_application(number, filed, expected):
    assert derwent_cn_application(number, filed) == expected


@pytest.mark.parametrize(("number", "filed", "why"), [
    ("CN10949974", None, "no filing date"),
    ("CN80012345", date(2016, 5, 1), "national-phase"),  # PCT: the year is the entry's, not the filing date's
    ("CN137707", date(2015, 1, 1), "does not fit"),  # 5-digit serial after 2003-10
    ("CN10949974", date(2001, 1, 1), "does not fit"),
    ("CN50949974", date(2015, 1, 1), "cannot be completed"),  # no type digit 5
])
def test_derwent_cn_application_that_cannot_be_completed(number, filed, why):
    with pytest.raises(RecordError, match=why):
        derwent_cn_application(number, filed)


def test_derwent_number_that_cannot_be_completed_is_left_out(data, tmp_path):
    target = tmp_path / "derwent.jsonl"
    lines = gunzip_to(data / "drones_derwent_2691.jsonl.gz", target, 1)
    record = json.loads(lines[0]) | {"publication_numbers": ["CN105449581-A"],
                                     "application_details": ["CN105449581-A    CN10949974"]}  # no date
    target.write_text(json.dumps(record) + "\n", encoding="utf-8")
    [item] = DerwentReader().read(target)
    assert isinstance(item, Read) and item.record.app_number == "" and item.record.title
    assert item.record.extra["unparsed_app_number"] == "CN10949974" and "CN10949974" in item.warnings[0]


def test_lens_numbers_with_a_glued_kind_or_a_date_are_kept(lens_kept):
    assert lens_kept["EP0259054B9"].extra["number_as_published"] == "EP 0259054 B9 20031217"
    # 'CN200710063161A', 'CN89103458A': the application kind glued on, the check character computed (§12.1)
    assert lens_kept["CN101025382A"].app_number == "CN200710063161.5"
    assert lens_kept["CN1047187A"].app_number == "CN89103458.7"


def test_derwent_record_without_a_readable_number_is_refused(tmp_path):
    target = tmp_path / "derwent.jsonl"
    target.write_text(json.dumps({"derwent_accession": "2016000001", "publication_numbers": "FR3027815-A1",
                                  "title": "A record whose numbers are not a list"}) + "\n", encoding="utf-8")
    [item] = DerwentReader().read(target)
    assert isinstance(item, Rejected) and "publication_numbers" in item.reason
