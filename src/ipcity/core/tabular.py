"""The one writer of CSV and Excel files: every export goes through it, so no cell can become a formula.

A cell that starts with = + - @ (or a tab or carriage return, which some spreadsheet programs skip
before such a sign) is read as a formula by Excel, WPS and LibreOffice, and a formula such as
`=HYPERLINK(…)` or `=cmd|…` runs when the file is opened (OWASP "CSV Injection"). Such a text cell is
written with a leading apostrophe, which spreadsheet programs show as text and which `unneutralise`
removes again for files the platform reads back. In Excel files the cell is also typed as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")  # full-width forms too
QUOTE = "'"


def neutralise(value):
    """The cell as it may be written: formula-like text (and text that starts with the quote) gets the quote."""
    if isinstance(value, str) and value.startswith((*FORMULA_START, QUOTE)):
        return QUOTE + value
    return value


def unneutralise(text):
    """The exact text of a cell this module wrote (for the platform's own files read back in)."""
    if isinstance(text, str) and text.startswith(QUOTE) and text[1:].startswith((*FORMULA_START, QUOTE)):
        return text[1:]
    return text


def csv_writer(stream):
    """A csv.writer whose rows are neutralised cell by cell."""
    inner = csv.writer(stream)

    class _Writer:
        def writerow(self, row):
            return inner.writerow([neutralise(c) for c in row])

        def writerows(self, rows):
            for row in rows:
                inner.writerow([neutralise(c) for c in row])

    return _Writer()


def csv_text(header: Sequence, rows: Iterable[Sequence], *, bom: bool = False) -> str:
    buf = io.StringIO()
    if bom:
        buf.write("\ufeff")  # so that Excel opens UTF-8 Chinese correctly
    writer = csv_writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def workbook_bytes(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> bytes:
    """An Excel file, one sheet per entry; text is always text, never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title[:31])
        ws.append([neutralise(h) for h in header])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row_number, row in enumerate(rows, start=2):
            values = [neutralise(c) for c in row]
            ws.append(values)
            # By position: ws.max_row scans every cell, which made a 10,000-row export take minutes.
            for column, value in enumerate(values, start=1):
                if isinstance(value, str):
                    # openpyxl would otherwise store text that starts with '=' as a formula
                    ws.cell(row=row_number, column=column).data_type = "s"
        for i, _ in enumerate(header, start=1):
            ws.column_dimensions[ws.cell(1, i).column_letter].width = 18
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
