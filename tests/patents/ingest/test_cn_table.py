"""CN commercial-database column layout: the real 10-row MySQL dump, and the same layout as CSV/TSV/XLSX.

Expected values are the dump's own cells (cn/cn_patent_table_10_records.sql, rows 序号 1, 8 and 10).
"""

from __future__ import annotations

import csv
import gzip
from datetime import date
from pathlib import Path

import pytest

from ipcity.patents.ingest.base import Read, Rejected
from ipcity.patents.ingest.cn_table import CnTableReader, event_kind, legal_status_bucket
from ipcity.patents.record import INVENTION, LAPSED, PENDING, UNKNOWN, UTILITY, VALID
from tests.conftest import shared_data
from tests.patents.ingest.tally import tally

READER = CnTableReader()


@pytest.fixture(scope="module")
def dump() -> Path:
    return shared_data("patent-parser-fixtures") / "cn" / "cn_patent_table_10_records.sql"


@pytest.fixture(scope="module")
def records(dump):
    items = list(READER.read(dump))
    assert all(isinstance(i, Read) for i in items), [i for i in items if isinstance(i, Rejected)]
    return items


def insert_lines(path: Path) -> list[int]:
    with open(path, encoding="utf-8") as stream:
        return [n for n, line in enumerate(stream, start=1) if line.startswith("INSERT INTO")]


def test_dump_reads_all_ten_rows_at_their_lines(dump, records):
    assert READER.sniff(dump)
    assert len(records) == 10
    assert [i.line for i in records] == insert_lines(dump)


def test_utility_model_row(records):
    record = records[0].record
    assert record.pub_number == "CN218751475U" and record.kind == "U" and record.office == "CN"
    assert record.patent_type == UTILITY
    assert record.app_number == "CN202223220665.2"
    assert record.app_date == date(2022, 12, 2)
    assert record.pub_date == record.grant_date == date(2023, 3, 28)
    assert record.title == "一种无人机机载多功能盒"
    assert record.applicants == ["中科大数据研究院"]
    assert record.inventors == ["刘迪", "刘敏", "王煜伟", "付艳波", "王元卓"]
    assert record.ipc_main == "B64U20/80" and record.ipc == ["B64U20/80", "B64U101/30"]
    assert record.region_code == "41" and record.extra["province"] == "河南"
    assert record.address == "河南省郑州市郑东新区中道东路6号创意岛大厦8层"
    assert record.extra["postcode"] == "450000"
    assert record.agency == "郑州明华专利代理事务所（普通合伙）" and record.agents == ["袁艳丽"]
    assert record.legal_status == VALID and record.legal_status_text == "有权-审定授权"
    assert record.claims.startswith("1.一种无人机机载多功能盒，其特征在于")
    assert record.abstract.startswith("为解决目前无人机在实际的使用过程中")
    assert record.lang == "zh" and record.source == "cn-table"
    assert record.extra["applicant_type"] == "科研机构"
    assert "examination_days" not in record.extra  # 审查时长 0: utility models are not examined


def test_pending_invention_row(records):
    record = records[7].record
    assert record.pub_number == "CN116245100A" and record.patent_type == INVENTION
    assert record.grant_date is None  # 授权公告日 0
    assert record.legal_status == PENDING and record.legal_status_text == "审中-实质审查"
    assert [(e.kind, e.date) for e in record.events] == [("examination", date(2023, 6, 27))]  # 实质审查日


def test_granted_invention_row_keeps_both_numbers(records):
    record = records[9].record
    assert record.pub_number == "CN115883397A"
    assert record.extra["grant_number"] == "CN115883397B"
    assert record.pub_date == date(2023, 3, 31) and record.grant_date == date(2024, 4, 5)
    assert record.extra["patent_type_text"] == "发明公开;发明授权" and record.patent_type == INVENTION
    assert record.extra["examiner"] == "邓雪彬"
    assert record.extra["npl_citations"] == ["仇韫琦等.面向知识库问答的问句语义解析研究综述.《电子学报》.2022,"
                                             "第50卷（第09期）,2242-2264."]
    assert record.ipc == ["H04L43/02", "H04L9/40", "H04L67/025"]


def test_corrupted_rows_are_rejected_with_their_line(dump, tmp_path):
    lines = dump.read_text(encoding="utf-8").split("\n")
    inserts = [n for n, line in enumerate(lines) if line.startswith("INSERT INTO")]
    # Row 3: drop its first value (60 values for 61 columns). Row 6: cut the row inside a quoted string.
    lines[inserts[2]] = lines[inserts[2]].replace("VALUES (3, ", "VALUES (", 1)
    lines[inserts[5]] = lines[inserts[5]][:200]
    broken = tmp_path / "broken.sql"
    broken.write_text("\n".join(lines), encoding="utf-8")
    items = list(READER.read(broken))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert [i.line for i in rejected] == [inserts[2] + 1, inserts[5] + 1]
    assert "60 values" in rejected[0].reason and "61 columns" in rejected[0].reason
    assert "cannot be read" in rejected[1].reason
    numbers = [i.record.pub_number for i in items if isinstance(i, Read)]
    assert len(numbers) == 8  # rows 1, 2, 4, 5 and 7–10: the cut row does not swallow the rows after it
    assert numbers[0] == "CN218751475U" and numbers[-1] == "CN115883397A"


def test_bad_date_loses_its_column_with_a_warning_naming_it(dump, records, tmp_path):
    text = dump.read_text(encoding="utf-8").replace("VALUES (1, 20221202,", "VALUES (1, 20221332,", 1)
    broken = tmp_path / "date.sql"
    broken.write_text(text, encoding="utf-8")
    items = list(READER.read(broken))
    assert all(isinstance(i, Read) for i in items) and len(items) == 10
    [warning] = items[0].warnings
    assert "申请日" in warning and "20221332" in warning and "left out" in warning
    assert items[0].record.app_date is None and items[0].record.app_number == "CN202223220665.2"
    assert all(i.warnings == () for i in items[1:])


def test_the_dump_is_kept_whole(dump):
    counted = tally(READER, dump)
    assert (len(counted.accepted), len(counted.refused), len(counted.warnings)) == (10, 0, 0)


def test_bad_cells_lose_their_column_and_the_row_is_kept(tmp_path):
    target = tmp_path / "cells.csv"
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["申请号", "公开号", "优先权号", "优先权日", "被引证次数", "转让日期", "法律事件"])
        writer.writerow(["CN201910067706.3", "CN109903198A", "JP2018-000001;JP2018-000002", "2018-01-05;2018-02-30",
                         "many", "20200105;20201332", "2019-06-14 公布;2019-13-01 实质审查的生效"])
    [item] = CnTableReader().read(target)
    record = item.record
    # The second priority date is not a date: the priority stays, without its date.
    assert [(p.number, p.date) for p in record.priorities] == [("JP2018-000001", date(2018, 1, 5)),
                                                                ("JP2018-000002", None)]
    assert record.cited_by is None and record.events == []  # a bad date loses the whole column, not half of it
    assert len(item.warnings) == 4 and all("left out" in w for w in item.warnings)
    assert any("被引证次数" in w for w in item.warnings) and any("法律事件" in w for w in item.warnings)
    # The application number's check character is wrong (…706.2): the normaliser leaves the number out.
    counted = tally(CnTableReader(), target)
    [(_, kept, warnings)] = counted.accepted
    assert kept.app_number == "" and kept.extra["unparsed_app_number"] == "CN201910067706.3"
    assert len(warnings) == 5 and "CN201910067706.3" in warnings[-1]


def test_gzipped_dump_reads_the_same(dump, records, tmp_path):
    packed = tmp_path / "table.sql.gz"
    packed.write_bytes(gzip.compress(dump.read_bytes()))
    assert READER.sniff(packed)
    assert [(i.line, i.record) for i in READER.read(packed)] == [(i.line, i.record) for i in records]


def _rows(dump: Path) -> tuple[list[str], list[list]]:
    """Header and cells of the dump, taken from the SQL text with the csv module (values are quoted ',' lists)."""
    text = dump.read_text(encoding="utf-8")
    header = [line.split("`")[1] for line in text.split("\n") if line.startswith("  `")]
    rows = []
    for line in text.split("\n"):
        if line.startswith("INSERT INTO"):
            body = line[line.index("VALUES (") + 8:-2]
            cells = next(csv.reader([body], quotechar="'", skipinitialspace=True))
            rows.append(cells)
    return header, rows


@pytest.mark.parametrize(("name", "encoding", "delimiter"), [
    ("export.csv", "utf-8-sig", ","), ("export.tsv", "gb18030", "\t"), ("export.csv.gz", "utf-8", ",")])
def test_csv_and_tsv_exports_read_like_the_dump(dump, records, tmp_path, name, encoding, delimiter):
    header, rows = _rows(dump)
    assert len(header) == 61 and all(len(r) == 61 for r in rows)
    target = tmp_path / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(target, "wt", encoding=encoding, newline="") as out:
        writer = csv.writer(out, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    assert READER.sniff(target)
    items = list(READER.read(target))
    assert [i.line for i in items] == list(range(2, 12))
    assert [i.record for i in items] == [i.record for i in records]


def test_xlsx_export_reads_like_the_dump(dump, records, tmp_path):
    from openpyxl import Workbook

    header, rows = _rows(dump)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([int(c) if c.isdigit() else c for c in row])  # dates as the integers the database stores
    target = tmp_path / "export.xlsx"
    workbook.save(target)
    assert READER.sniff(target)
    items = list(READER.read(target))
    assert [i.line for i in items] == list(range(2, 12))
    assert [i.record for i in items] == [i.record for i in records]


def test_event_date_columns_become_events(tmp_path):
    target = tmp_path / "events.csv"
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["申请号", "公开号", "法律状态", "转让日期", "质押日期", "许可日期", "失效日期", "同族专利",
                         "简单同族数量", "专利转移次数", "国省代码"])
        writer.writerow(["CN201910067706.2", "CN109903198A", "无权-未缴年费", "20200105;20210210", "2020-03-01",
                         "", "20230301", "US2020123456A1;EP3700000A1", "3", "2", "上海(31)"])
        writer.writerow(["CN202010714197.0", "", "", "", "", "", "", "", "", "", ""])  # no 公开号
    items = list(CnTableReader().read(target))
    record = items[0].record
    assert record.legal_status == LAPSED
    assert [(e.kind, e.date) for e in record.events] == [
        ("transfer", date(2020, 1, 5)), ("transfer", date(2021, 2, 10)), ("pledge", date(2020, 3, 1)),
        ("fee_lapse", date(2023, 3, 1))]
    assert record.family == ["US2020123456A1", "EP3700000A1"] and record.family_size == 3
    assert record.extra["transfer_count"] == 2 and record.region_code == "31"
    assert isinstance(items[1], Rejected) and items[1].line == 3 and "公开号" in items[1].reason


@pytest.mark.parametrize(("text", "bucket"), [
    ("有权-审定授权", VALID), ("无权-未缴年费", LAPSED), ("审中-实审", PENDING), ("审中-实质审查", PENDING),
    ("无权-期限届满", LAPSED), ("专利权有效期届满", LAPSED), ("无权-视为撤回", LAPSED), ("有效", VALID),
    ("Expired - Fee Related", LAPSED), ("Active", VALID), ("Pending", PENDING), ("", UNKNOWN)])
def test_legal_status_buckets(text, bucket):
    assert legal_status_bucket(text) == bucket


@pytest.mark.parametrize(("text", "code", "kind"), [
    ("专利实施许可合同备案的生效、变更及注销", "", "licence"),
    ("专利权人的姓名或者名称、地址的变更", "", "name_change"),
    ("专利权质押合同登记的生效、变更及注销", "", "pledge"),
    ("未缴年费专利权终止", "", "fee_lapse"),
    ("专利权有效期届满", "", "expiry"),
    ("专利权部分无效", "", "partial_invalidation"),
    ("发明专利申请公布后的视为撤回", "", "withdrawal"),
    ("实质审查的生效", "", "examination"),
    ("Publication", "PB01", "publication"),
    ("Termination of patent right or utility model", "EXPY", "other")])
def test_event_kinds(text, code, kind):
    assert event_kind(text, code) == kind


def test_utf16_tab_export_without_office_prefix(tmp_path):
    """Excel's 'Unicode text' export (UTF-16, tabs); numbers written without 'CN'."""
    target = tmp_path / "export.txt"
    target.write_text("申请号\t公开(公告)号\t发明名称\t申请日\n202211359874.7\t115883397A\t一种web端数据通用采集方法\t2022-11-02\n",
                      encoding="utf-16")
    assert READER.sniff(target)
    record = next(READER.read(target)).record
    assert record.pub_number == "CN115883397A" and record.app_number == "CN202211359874.7"
    assert record.title == "一种web端数据通用采集方法" and record.app_date == date(2022, 11, 2)
    assert record.patent_type == INVENTION  # CN publication type digit 1 (rules.md §12.2)
