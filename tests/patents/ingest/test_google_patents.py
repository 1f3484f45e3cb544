"""Google Patents page reader on the saved page of CN101551481B (滤色片制造方法); values read off the page."""

from __future__ import annotations

import gzip
import re
from datetime import date
from pathlib import Path

import pytest

from ipcity.patents.ingest.base import Read, Rejected
from ipcity.patents.ingest.google_patents import GooglePatentsReader
from ipcity.patents.record import INVENTION, LAPSED, Priority
from tests.conftest import shared_data
from tests.patents.ingest.tally import tally

READER = GooglePatentsReader()


@pytest.fixture(scope="module")
def page() -> Path:
    return shared_data("patent-parser-fixtures") / "cn" / "google_patents_CN101551481B_zh.html.gz"


@pytest.fixture(scope="module")
def record(page):
    items = list(READER.read(page))
    assert len(items) == 1 and isinstance(items[0], Read) and items[0].line == 1
    return items[0].record


def test_numbers_dates_and_parties(page, record):
    assert READER.sniff(page)
    assert record.pub_number == "CN101551481B" and record.kind == "B" and record.office == "CN"
    assert record.patent_type == INVENTION and record.lang == "zh" and record.source == "google-patents"
    # Google writes CN2009101277538A (check digit and an application kind); CNIPA writes CN200910127753.8.
    assert record.app_number == "CN200910127753.8"
    assert record.app_date == date(2009, 3, 25)
    assert record.pub_date == record.grant_date == date(2012, 11, 21)
    # Three spellings of one JP priority on the page (JP2008-091425, JP2008091425A, JP2008091425).
    assert record.priorities == [Priority("JP2008-091425", date(2008, 3, 31), "JP")]
    assert record.title == "滤色片制造方法"
    assert record.inventors == ["竹田明彦", "中泽隆浩"]
    assert record.applicants == ["Fujifilm Corp"]


def test_texts(page, record):
    html = gzip.decompress(page.read_bytes()).decode("utf-8")
    assert record.abstract.startswith("本发明提供下述滤色片制造方法及利用该方法得到的滤色片以及液晶显示装置")
    assert "10μL/m2以下" in record.abstract  # <sup>2</sup> joined, no stray spaces between Chinese characters
    paragraphs = record.description.split("\n")
    # 738 description paragraphs on the page, 9 of which hold only an image (patent-image / image-not-available).
    assert html.count('class="description-paragraph"') == 738
    assert html.count('<span class="patent-image-not-available">') + html.count('<div class="patent-image">') == 9
    assert len(paragraphs) == 729
    assert paragraphs[0] == "技术领域"
    claims = record.claims.split("\n")
    assert len(claims) == 3
    assert claims[0].startswith("1.一种滤色片的制造方法，其为在基板上")
    assert claims[2] == ("3.根据权利要求1所述的滤色片的制造方法，其特征在于，"
                         "所述预烘烤温度为60℃以上、140℃以下，预烘烤时间为30秒以上、300秒以下。")


def test_citations_family_and_status(record):
    assert record.citations == ["CN1542067A", "CN101081941A"]
    assert record.extra["family_citations"] == ["JP2005181859A", "JP4571087B2"]
    assert record.cited_by == 0 and record.extra["cited_by_families"] == 2
    assert record.family == ["JP2009244619A", "CN101551481A"]
    assert record.extra["family_id"] == "41155820"
    assert len(record.extra["npl_citations"]) == 3
    assert record.legal_status == LAPSED and record.legal_status_text == "Expired - Fee Related"
    assert record.extra["anticipated_expiration"] == "2029-03-25"


def test_legal_events(record):
    assert [(e.code, e.kind, e.date) for e in record.events] == [
        ("C06", "publication", date(2009, 10, 7)),
        ("PB01", "publication", date(2009, 10, 7)),
        ("C10", "examination", date(2011, 4, 27)),
        ("SE01", "examination", date(2011, 4, 27)),
        ("C14", "grant", date(2012, 11, 21)),
        ("GR01", "grant", date(2012, 11, 21)),
        ("CF01", "fee_lapse", date(2016, 5, 11)),
        ("EXPY", "other", date(2016, 5, 11)),
    ]
    assert "Termination date: 20150325" in record.events[6].text


def test_gzip_and_plain_read_the_same(page, record, tmp_path):
    plain = tmp_path / "CN101551481B.html"
    plain.write_bytes(gzip.decompress(page.read_bytes()))
    assert READER.sniff(plain)
    assert [i.record for i in READER.read(plain)] == [record]


def test_cpc_leaves_first_code_first(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("""<html><body><article>
<dd itemprop="publicationNumber">US1234567B2</dd><dd itemprop="countryCode">US</dd>
<ul itemprop="classifications"><li itemprop="classifications"><span itemprop="Code">H04L</span></li>
<li itemprop="classifications"><span itemprop="Code">H04L65/403</span><meta itemprop="Leaf" content="true"></li></ul>
<ul itemprop="classifications"><li itemprop="classifications"><span itemprop="Code">G06F3/01</span>
<meta itemprop="Leaf" content="true"><meta itemprop="FirstCode" content="true"></li></ul>
</article></body></html>""", encoding="utf-8")
    record = next(READER.read(page)).record
    assert record.cpc == ["G06F3/01", "H04L65/403"]


def test_page_without_a_number_is_rejected(tmp_path, page):
    html = gzip.decompress(page.read_bytes()).decode("utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(re.sub(r'itemprop="publicationNumber"', 'itemprop="x"', html), encoding="utf-8")
    items = list(READER.read(broken))
    assert len(items) == 1 and isinstance(items[0], Rejected) and items[0].line == 1
    assert "publicationNumber" in items[0].reason


def test_the_page_is_kept_whole(page):
    counted = tally(READER, page)
    assert (len(counted.accepted), len(counted.refused), len(counted.warnings)) == (1, 0, 0)


def test_a_bad_filing_date_is_left_out_and_the_page_kept(tmp_path, page):
    html = gzip.decompress(page.read_bytes()).replace(b'itemprop="filingDate" datetime="2009-03-25"',
                                                      b'itemprop="filingDate" datetime="2009-02-30"', 1)
    broken = tmp_path / "CN101551481B.html"
    broken.write_bytes(html)
    [item] = READER.read(broken)
    assert isinstance(item, Read) and item.record.app_date is None and item.record.app_number == "CN200910127753.8"
    assert len(item.warnings) == 1 and "filingDate" in item.warnings[0] and "2009-02-30" in item.warnings[0]
