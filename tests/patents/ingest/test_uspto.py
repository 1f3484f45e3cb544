"""USPTO full-text XML reader on the real bulk-format samples (USPTO/PatentPublicData fixtures).

Expected values were read by hand from the fixture files (B110/B220/B511 …, <doc-number>, <claim> counts).
"""

from __future__ import annotations

import gzip
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import pytest

from ipcity.patents.ingest.base import Read, Rejected
from ipcity.patents.ingest.uspto import UsptoXmlReader
from ipcity.patents.record import DESIGN, INVENTION, Priority
from tests.conftest import shared_data
from tests.patents.ingest.tally import tally

READER = UsptoXmlReader()

# file → (publication number, number of <claim>/<CLM> elements in the file)
PATENT_FILES = {
    "sgml/US06336130.xml": ("US6336130B1", 22),
    "sgml/US06337117.xml": ("US6337117B1", 39),
    "sgml/USD435854S1.xml": ("USD435854S1", 1),
    "pap/US20010000044A1.xml": ("US20010000044A1", 21),
    "pap/US20010000943A1.xml": ("US20010000943A1", 13),
    "pap/US20010009014A1.xml": ("US20010009014A1", 55),
    "xml2004/US06859910.xml": ("US6859910B2", 2),
    "xml2004/US06970935.xml": ("US6970935B1", 30),
    "xml2006/US07272630B2.xml": ("US7272630B2", 17),
    "xml2014/US08926509.xml": ("US8926509B2", 31),
    "xml2014/US08927118.xml": ("US8927118B2", 45),
    "xml2014/US08930553.xml": ("US8930553B2", 8),
    "xmlApp2004/US20050004437A1.xml": ("US20050004437A1", 10),
    "xmlApp2004/US20050004974A1.xml": ("US20050004974A1", 21),
}


@pytest.fixture(scope="module")
def fixtures() -> Path:
    return shared_data("patent-parser-fixtures") / "uspto-xml"


def read_one(path: Path):
    items = list(READER.read(path))
    assert len(items) == 1 and isinstance(items[0], Read), items
    return items[0].record


@pytest.mark.parametrize("name", sorted(PATENT_FILES))
def test_every_sample_reads_with_its_number_and_all_claims(fixtures, name):
    assert READER.sniff(fixtures / name)
    record = read_one(fixtures / name)
    number, claim_count = PATENT_FILES[name]
    assert record.pub_number == number
    assert record.source == "uspto-xml" and record.office == "US" and record.lang == "en"
    assert record.title and record.pub_date and record.app_date and record.app_number.startswith("US")
    claims = record.claims.split("\n")
    assert len(claims) == claim_count
    assert all(line.startswith(f"{n}.") for n, line in enumerate(claims, start=1))


@pytest.mark.parametrize("name", ["cpcScheme/cpc-scheme-A01L.xml", "cpcMaster/cpcMaster.xml",
                                  "xml4ip/sample_XML4IP.ZIP"])
def test_classification_files_and_file_wrapper_zip_are_not_patents(fixtures, name):
    assert not READER.sniff(fixtures / name)
    items = list(READER.read(fixtures / name))
    assert items and all(isinstance(i, Rejected) and "not a patent publication" in i.reason for i in items)


def test_sgml_grant(fixtures):
    record = read_one(fixtures / "sgml/US06336130.xml")
    assert record.kind == "B1" and record.patent_type == INVENTION
    assert record.title == "Arrangement for improving availability of services in a communication system"
    assert record.app_number == "US09413215" and record.app_date == date(1999, 10, 5)
    assert record.pub_date == record.grant_date == date(2002, 1, 1)
    assert record.priorities == [Priority("971605", date(1997, 4, 8), "NO")]
    # B511 'G06F 1516', B512 'G06F 1300': subclass, main group in 3 places, subgroup.
    assert record.ipc == ["G06F 15/16", "G06F 13/00"] and record.ipc_main == "G06F 15/16"
    assert record.extra["ipc_edition"] == "7"
    assert record.inventors == ["Do, Thanh Van"]
    assert record.applicants == ["Telefonaktiebolaget LM Ericsson (publ)"]
    assert record.address == "Stockholm, SE"
    assert record.agency == "Nixon & Vanderhye P.C."
    assert record.citations == ["US5825759A", "US5974441A", "US6049819A", "US6076099A", "US6085086A", "WO9625012"]
    # ISO entities from the undeclared DTD (&lsquo; &rsquo;) become characters.
    assert "‘Intelligence on Demand’" in record.extra["npl_citations"][0]
    assert len(record.extra["npl_citations"]) == 3
    assert record.abstract.startswith("A communications systems, e.g., a telecommunications system")
    assert "FIELD OF THE INVENTION" in record.description.split("\n")


def test_sgml_positional_ipc_keeps_its_spacing(fixtures):
    record = read_one(fixtures / "sgml/US06337117.xml")
    assert record.ipc == ["B32B 3/02"]  # B511 'B32B  302'
    assert [p.country for p in record.priorities] == ["JP"] * 4
    assert record.priorities[0] == Priority("10-186098", date(1998, 7, 1), "JP")


def test_sgml_design_patent_has_locarno_not_ipc(fixtures):
    record = read_one(fixtures / "sgml/USD435854S1.xml")
    assert record.patent_type == DESIGN and record.kind == "S1" and record.extra["kind_as_published"] == "S"
    assert record.title == "Disc cartridge"
    assert record.locarno == ["14-02"] and record.ipc == []
    assert record.extra["locarno_edition"] == "7"
    assert record.app_number == "US29116510" and record.app_date == date(1999, 1, 6)
    assert record.applicants == ["Hitachi Maxell, Ltd.", "Sanyo Electric Co.,Ltd.", "Olympus Optical Co., Ltd."]
    assert len(record.citations) == 10 and record.citations[0] == "USD271298"
    assert record.claims == "1. The ornamental design for a disc cartridge, as shown and described."


def test_st36_v40_grant(fixtures):
    record = read_one(fixtures / "xml2004/US06859910.xml")
    assert record.title == "Methods and systems for transactional tunneling"
    assert record.app_number == "US09832323" and record.app_date == date(2001, 4, 10)
    assert record.grant_date == date(2005, 2, 22)
    assert record.ipc == ["G06F015/00", "G06F017/00", "G06F017/21", "G06F017/24"]
    assert record.priorities == [Priority("US60195933", date(2000, 4, 10), "US")]  # provisional
    assert record.family == ["US20010037361A1"]  # the application's own pre-grant publication
    assert len(record.citations) == 8 and "US20020055909A1" in record.citations
    assert record.inventors == ["Croy, John Charles"]
    assert record.extra["number_of_claims"] == 2


def test_st36_v45_grant_with_ipcr_and_cpc(fixtures):
    record = read_one(fixtures / "xml2014/US08926509.xml")
    assert record.title == "Wireless physiological sensor patches and systems"
    assert len(record.ipc) == 14 and record.ipc_main == "A61B 5/00"  # symbol-position F
    assert record.cpc[0] == "A61B 5/0205"  # main-cpc
    assert "H04W 84/18" in record.cpc  # only in a combination set
    # 130 <patcit>, one of them (WO 03/015838 A3) cited twice.
    assert len(record.citations) == 129 and "WO03015838A3" in record.citations
    assert record.applicants == ["Hmicro, Inc."]
    assert "Magar, Surendar" in record.inventors
    assert record.family == ["US20090054737A1"]


def test_st36_v45_parties(fixtures):
    record = read_one(fixtures / "xml2014/US08930553.xml")
    assert record.applicants == ["International Business Machines Corporation"]
    assert record.address == "Armonk, NY, US"
    assert record.inventors == ["Nissim, Nitzan", "Pulito, Brian", "Zinger, Asaf"]
    assert record.agency == "Cuenot, Forsythe & Kim, LLC"
    assert record.extra["examiners"] == ["Meky, Moustafa M", "Williams, Clayton R"]
    assert len(record.citations) == 16 and len(record.extra["npl_citations"]) == 5
    assert record.extra["term_extension_days"] == 129


def test_pre_grant_publication_v15(fixtures):
    record = read_one(fixtures / "pap/US20010000943A1.xml")
    assert record.kind == "A1" and record.grant_date is None
    assert record.pub_date == date(2001, 5, 10) and record.app_date == date(2000, 12, 4)
    assert record.priorities == [Priority("11-097727", date(1999, 4, 5), "JP")]
    assert record.ipc == ["H01J001/62"] and record.extra["ipc_edition"] == "07"
    assert record.applicants == ["IDEMITSU KOSAN CO., LTD."]
    assert record.inventors == ["Fukuoka, Kenichi", "Eida, Mitsura"]
    assert record.extra["related_applications"][0]["number"] == "PCT/JP00/02182"
    # &minus; &lt; &plus; &emsp; in the formula are characters, not entity names.
    assert "Min−20 nm<t<Min+20 nm" in record.abstract


def test_xml_application_2004(fixtures):
    record = read_one(fixtures / "xmlApp2004/US20050004437A1.xml")
    assert record.title == "Simulation device for playful evaluation and display of blood sugar levels"
    assert record.priorities == [Priority("1974/01", date(2001, 10, 26), "CH")]
    assert record.inventors == ["Kaufmann, Heiner", "Vering, Thomas"]
    assert record.applicants == record.inventors  # no assignee: the inventors applied
    assert record.ipc == ["A61B005/00"]


def _concatenated(fixtures: Path, names: list[str], target: Path) -> list[int]:
    """A weekly-file look-alike: the documents one after another; returns each document's first line."""
    starts, line = [], 1
    with open(target, "wb") as out:
        for name in names:
            data = (fixtures / name).read_bytes()
            if not data.endswith(b"\n"):
                data += b"\n"
            starts.append(line)
            line += data.count(b"\n")
            out.write(data)
    return starts


WEEKLY = ["xml2014/US08930553.xml", "xml2014/US08927118.xml", "xml2006/US07272630B2.xml"]


def test_concatenated_weekly_file_is_split_at_declarations(fixtures, tmp_path):
    target = tmp_path / "ipg150106.xml"
    starts = _concatenated(fixtures, WEEKLY, target)
    items = list(READER.read(target))
    assert [i.line for i in items] == starts
    assert [i.record.pub_number for i in items] == ["US8930553B2", "US8927118B2", "US7272630B2"]


def test_broken_document_is_rejected_and_the_others_read(fixtures, tmp_path):
    target = tmp_path / "weekly.xml"
    starts = _concatenated(fixtures, WEEKLY, target)
    data = target.read_bytes()
    # Break the second document only: its title element loses its end tag.
    broken = data.replace(b"using the same</invention-title>", b"using the same", 1)
    assert broken != data
    target.write_bytes(broken)
    items = list(READER.read(target))
    assert [type(i) for i in items] == [Read, Rejected, Read]
    assert items[1].line == starts[1]
    assert "malformed XML" in items[1].reason
    assert items[2].record.pub_number == "US7272630B2"


def test_missing_number_is_refused_and_a_bad_date_left_out(fixtures, tmp_path):
    data = (fixtures / "xml2014/US08930553.xml").read_bytes()
    no_number = data.replace(b"<doc-number>08930553</doc-number>", b"<doc-number></doc-number>", 1)
    bad_date = data.replace(b"<date>20121009</date>", b"<date>20121309</date>", 1)
    target = tmp_path / "two.xml"
    target.write_bytes(no_number + bad_date)
    items = list(READER.read(target))
    assert [type(i) for i in items] == [Rejected, Read]
    assert "publication number" in items[0].reason
    kept = items[1]
    assert kept.record.pub_number == "US8930553B2" and kept.record.app_date is None and kept.record.claims
    [warning] = kept.warnings
    assert "application date" in warning and "20121309" in warning and "left out" in warning


def test_every_sample_is_counted(fixtures):
    """The 14 publications are kept whole; the CPC scheme, the CPC master file and the 13 documents of the file
    wrapper ZIP are not publications and are refused."""
    accepted = refused = warnings = 0
    for path in sorted(p for p in fixtures.rglob("*") if p.is_file()):
        counted = tally(READER, path)
        accepted, refused = accepted + len(counted.accepted), refused + len(counted.refused)
        warnings += len(counted.warnings)
    assert (accepted, refused, warnings) == (14, 15, 0)


def test_gzip_and_zip_read_the_same_as_plain(fixtures, tmp_path):
    plain = tmp_path / "weekly.xml"
    _concatenated(fixtures, WEEKLY, plain)
    packed = tmp_path / "weekly.xml.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    archive = tmp_path / "ipg150106.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(plain, "ipg150106.xml")
    expected = [(i.line, i.record) for i in READER.read(plain)]
    assert READER.sniff(packed) and READER.sniff(archive)
    assert [(i.line, i.record) for i in READER.read(packed)] == expected
    assert [(i.line, i.record) for i in READER.read(archive)] == expected


def test_reader_streams_one_document_at_a_time(fixtures, tmp_path):
    document = (fixtures / "xml2014/US08930553.xml").read_bytes()
    target = tmp_path / "big.xml"
    copies = 100
    with open(target, "wb") as out:
        for _ in range(copies):
            out.write(document)
    size = target.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for item in READER.read(target) if isinstance(item, Read))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == copies
    # One 40 kB document at a time: the peak stays far below the 4 MB file and does not grow with it.
    assert peak < 1_000_000 and peak < size / 4, (peak, size)


def test_st36_design_grant_takes_locarno(fixtures, tmp_path):
    """No ST.36 design grant is among the samples; the v4.5 utility grant is turned into one the way design
    files differ (kind S1, appl-type design, classification-locarno instead of IPCR)."""
    data = (fixtures / "xml2014/US08930553.xml").read_bytes()
    start, end = data.index(b"<classifications-ipcr>"), data.index(b"</classifications-ipcr>") + 23
    design = (data[:start] + b"<classification-locarno><edition>10</edition>"
              b"<main-classification>1402</main-classification></classification-locarno>" + data[end:])
    design = design.replace(b"<doc-number>08930553</doc-number>\n<kind>B2</kind>",
                            b"<doc-number>D0712345</doc-number>\n<kind>S1</kind>", 1)
    design = design.replace(b'appl-type="utility"', b'appl-type="design"', 1)
    target = tmp_path / "design.xml"
    target.write_bytes(design)
    record = read_one(target)
    assert record.pub_number == "USD712345S1" and record.patent_type == DESIGN
    assert record.locarno == ["14-02"] and record.extra["locarno_edition"] == "10" and record.ipc == []
