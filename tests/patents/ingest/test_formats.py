"""The reader registry: names, explicit choice, sniffing every real sample to the right reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from ipcity.patents.ingest.formats import READERS, reader_for
from tests.conftest import shared_data

EXPECTED = {
    "patent-parser-fixtures/uspto-xml/sgml/US06336130.xml": "uspto-xml",
    "patent-parser-fixtures/uspto-xml/sgml/USD435854S1.xml": "uspto-xml",
    "patent-parser-fixtures/uspto-xml/pap/US20010000044A1.xml": "uspto-xml",
    "patent-parser-fixtures/uspto-xml/xml2004/US06859910.xml": "uspto-xml",
    "patent-parser-fixtures/uspto-xml/xml2006/US07272630B2.xml": "uspto-xml",
    "patent-parser-fixtures/uspto-xml/xml2014/US08926509.xml": "uspto-xml",
    "patent-parser-fixtures/uspto-xml/xmlApp2004/US20050004437A1.xml": "uspto-xml",
    "patent-parser-fixtures/cn/cn_patent_table_10_records.sql": "cn-table",
    "patent-parser-fixtures/cn/google_patents_CN101551481B_zh.html.gz": "google-patents",
    "patent-landscape-wipo-manual/pizza_patentscope_24294.tsv.gz": "patentscope",
    "patent-landscape-wipo-manual/ritonavir_wipo_landscape_804.csv.gz": "wipo-landscape",
    "patent-landscape-wipo-manual/drones_lens_families_5884.csv.gz": "lens",
    "patent-landscape-wipo-manual/drones_lens_tac_1606_cleaned.csv.gz": "lens-tac",
    "patent-landscape-wipo-manual/drones_derwent_2691.jsonl.gz": "derwent",
    "patent-landscape-wipo-manual/synbio_thomson_645.tsv.gz": "thomson",
}


def test_registry_names():
    assert set(READERS) == {"uspto-xml", "cn-table", "google-patents", "patentscope", "wipo-landscape", "lens",
                            "lens-tac", "derwent", "thomson", "jsonl", "csv"}
    for name, reader in READERS.items():
        assert reader.name == name and reader.description


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_each_sample_sniffs_to_exactly_its_reader(relative):
    data_set, rest = relative.split("/", 1)
    path = shared_data(data_set) / rest
    assert reader_for(path).name == EXPECTED[relative]
    assert [name for name, reader in READERS.items() if reader.sniff(path)] == [EXPECTED[relative]]


def test_explicit_name_wins_over_sniffing():
    path = shared_data("patent-parser-fixtures") / "cn" / "cn_patent_table_10_records.sql"
    assert reader_for(path, "jsonl") is READERS["jsonl"]


def test_unknown_name_and_unknown_file_list_the_formats(tmp_path):
    with pytest.raises(ValueError, match="known formats: uspto-xml, cn-table") as error:
        reader_for(Path("x.csv"), "espacenet")
    assert "espacenet" in str(error.value)
    scheme = shared_data("patent-parser-fixtures") / "uspto-xml" / "cpcScheme" / "cpc-scheme-A01L.xml"
    with pytest.raises(ValueError, match="cannot tell the format of cpc-scheme-A01L.xml") as error:
        reader_for(scheme)
    assert "lens-tac" in str(error.value) and "jsonl" in str(error.value)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ValueError):
        reader_for(empty)
