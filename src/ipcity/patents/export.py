"""Search results as the API gives them and as files: one field list for both, and full exports as a job.

A page of results downloads at once; a whole result set (up to Settings.search_export_max_rows) is written by
the background job `patents.export`, which walks the result with a cursor — the ranked pages while they last
(the result window), then the rest of the matching set in publication-number order, a batch at a time.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from urllib.parse import quote

from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError
from ipcity.core.files import Upload
from ipcity.core.i18n import N_, Msg
from ipcity.core.jobs import JobContext
from ipcity.core.tabular import workbook_bytes
from ipcity.patents import service, store
from ipcity.patents.engine import PatentEngine, engine_for
from ipcity.patents.record import PatentRecord
from ipcity.patents.search.contract import SearchRequest
from ipcity.patents.search.understand import understand

# (API key, column header): the fields of a hit in the JSON API and the columns of every export, in this order.
FIELDS = (
    ("pub_number", "公开（公告）号 Publication number"), ("app_number", "申请号 Application number"),
    ("type", "专利类型 Type"), ("title", "发明名称 Title"), ("applicants", "申请（专利权）人 Applicants"),
    ("inventors", "发明人 Inventors"), ("app_date", "申请日 Filing date"),
    ("pub_date", "公开（公告）日 Publication date"),
    ("grant_date", "授权公告日 Grant date"), ("ipc_main", "主分类号 Main IPC"), ("ipc", "IPC分类号 IPC"),
    ("region_code", "地区代码 Region"), ("legal_status", "法律状态 Legal status"), ("abstract", "摘要 Abstract"),
    ("synthetic", "数据性质 Data"), ("url", "链接 Link"),
)
HEADER = tuple(h for _, h in FIELDS)
BATCH = 1000
SYNTHETIC_MARK = "合成演示数据，非真实专利 Synthetic demo data, not a real patent"
FILE_TYPES = {".csv": {"text/csv", "text/plain"},
              ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"}}


def brief(rec: PatentRecord) -> dict:
    """A hit as the API returns it (and as every export writes it)."""
    def day(value):
        return value and value.isoformat()

    return {"pub_number": rec.pub_number, "app_number": rec.app_number, "type": rec.patent_type,
            "title": rec.title, "applicants": rec.applicants, "inventors": rec.inventors,
            "app_date": day(rec.app_date), "pub_date": day(rec.pub_date), "grant_date": day(rec.grant_date),
            "ipc_main": rec.ipc_main, "ipc": rec.ipc,
            "region_code": rec.region_code, "legal_status": rec.legal_status, "abstract": rec.abstract,
            "synthetic": service.synthetic(rec), "url": f"/patents/{quote(rec.pub_number, safe='')}"}


def row(rec: PatentRecord) -> list:
    values = brief(rec)
    out = []
    for key, _ in FIELDS:
        value = values[key]
        if key == "synthetic":
            value = SYNTHETIC_MARK if value else ""
        elif isinstance(value, list):
            value = "; ".join(value)
        out.append("" if value is None else value)
    return out


def total(session: Session, engine: PatentEngine, q: str, *, mode: str, filters: dict, strict: bool) -> int:
    return service.search(session, engine, q, mode=mode, filters=filters, per_page=1, facets=(), strict=strict).total


def check_size(count: int, ceiling: int) -> None:
    if count > ceiling:
        raise DomainError(Msg("This search finds {n} patents; an export holds at most {max}. Narrow the search "
                              "with more words, a date range or filters.", n=count, max=ceiling), field="q")


def records(session: Session, engine: PatentEngine, q: str, *, mode: str = "lexical", filters: dict | None = None,
            sort: str = "relevance", strict: bool = False, limit: int | None = None) -> Iterator[PatentRecord]:
    """Every record of the search, at most `limit`: ranked pages through the result window, then (a lexical
    search with more hits than the window) the remaining matches in publication-number order."""
    filters = filters or {}
    limit = engine.settings.search_export_max_rows if limit is None else limit
    window = engine.settings.search_max_results
    per_page = min(service.MAX_PER_PAGE, window)
    seen: set[str] = set()
    page, result = 1, None
    while len(seen) < limit and page * per_page <= window:
        result = service.search(session, engine, q, mode=mode, filters=filters, sort=sort, page=page,
                                per_page=per_page, facets=(), strict=strict)
        for r in result.rows:
            if r.record.pub_number not in seen and len(seen) < limit:
                seen.add(r.record.pub_number)
                yield r.record
        if page >= result.pages or not result.rows:
            break
        page += 1
    if result is None or len(seen) >= limit or result.ranking != "lexical" or result.total <= len(seen):
        return
    rest = engine.matching(SearchRequest(query=understand(q, strict=strict).node, filters=filters))
    remaining = sorted(rest - seen)[:limit - len(seen)]
    for start in range(0, len(remaining), BATCH):
        chunk = remaining[start:start + BATCH]
        found = store.get_many(session, chunk)
        yield from (found[p] for p in chunk if p in found)


def run(ctx: JobContext, params: dict) -> dict:
    """The job `patents.export`: params q, mode, filters {name: [values]}, sort, strict, format (csv|xlsx)."""
    engine = engine_for(ctx.services.settings)
    ceiling = engine.settings.search_export_max_rows
    filters = {k: tuple(v) for k, v in (params.get("filters") or {}).items()}
    q, mode, strict = params.get("q", ""), params.get("mode", "lexical"), bool(params.get("strict"))
    fmt = "xlsx" if params.get("format") == "xlsx" else "csv"
    with ctx.db.session() as s:
        count = min(total(s, engine, q, mode=mode, filters=filters, strict=strict), ceiling)
    ctx.progress(0, count, N_("rows written"))
    rows: list[list] = []
    with ctx.db.session() as s:
        for rec in records(s, engine, q, mode=mode, filters=filters, sort=params.get("sort", "relevance"),
                           strict=strict, limit=ceiling):
            rows.append(row(rec))
            if len(rows) % BATCH == 0:
                ctx.progress(len(rows), count, N_("rows written"))
    content = _csv_bytes(rows) if fmt == "csv" else workbook_bytes({"patents": (HEADER, rows)})
    name = f"patents.{fmt}"
    with ctx.db.session(write=True) as s:
        att = ctx.services.files.attach(s, Upload(name, io.BytesIO(content)), "job", ctx.job_id, ctx.actor.user_id,
                                        allowed=FILE_TYPES, max_bytes=max(len(content), 1))
        s.commit()
        return {"attachment_id": att.id, "filename": name, "rows": len(rows), "bytes": len(content)}


def _csv_bytes(rows: list[list]) -> bytes:
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024, mode="w+b") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(HEADER)
        writer.writerows(rows)
        text.flush()
        raw.seek(0)
        return raw.read()
