"""Exports of any list as downloads: CSV (UTF-8 with BOM, so Excel opens Chinese correctly) and Excel.

The files themselves come from core/tabular.py, the one writer that keeps cells from becoming formulas.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote

from fastapi.responses import Response

from ipcity.core.tabular import csv_text, workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _disposition(filename: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def download_response(filename: str, content: bytes, media_type: str) -> Response:
    """A generated file (a report PDF) offered for download under `filename`."""
    return Response(content, media_type=media_type, headers={"Content-Disposition": _disposition(filename)})


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    return Response(csv_text(header, rows, bom=True).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": _disposition(filename)})


def xlsx_response(filename: str, sheets: dict[str, tuple[Sequence[str], Iterable[Sequence]]]) -> Response:
    return Response(workbook_bytes(sheets), media_type=XLSX, headers={"Content-Disposition": _disposition(filename)})
