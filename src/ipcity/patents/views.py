"""HTML pages of patent search: search with facets, result list, detail, and the data page."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit, i18n
from ipcity.core.errors import DomainError, NotFound
from ipcity.core.files import Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.patents import export, history, labels, saved_views, service, store, usage
from ipcity.patents.engine import engine_for
from ipcity.patents.ingest.formats import READERS
from ipcity.patents.plugin import DATA_MANAGERS
from ipcity.patents.related_terms import key_terms
from ipcity.patents.search import understand
from ipcity.patents.search.contract import FACETS, SORTS
from ipcity.patents.search.fields import FIELDS
from ipcity.patents.tables import IngestRun
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous, writes
from ipcity.web.export import csv_response, xlsx_response
from ipcity.web.limits import body_limit
from ipcity.web.templating import render

router = APIRouter(prefix="/patents")

# What a patent data file may be: text formats are checked to be UTF-8, archives by their magic bytes.
DATA_TYPES = {".xml": {"text/xml"}, ".jsonl": {"application/jsonl"}, ".csv": {"text/csv", "text/plain"},
              ".tsv": {"text/tab-separated-values"}, ".txt": {"text/plain"}, ".sql": {"text/plain"},
              ".ciw": {"text/plain"}, ".gz": {"application/gzip"}, ".zip": {"application/zip"},
              ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip"}}
MAX_DATA_BYTES = 512 * 1024 * 1024
DIRECT_EXPORT_ROWS = 1000  # an export this small downloads at once; a larger one is a background job


def _engine(request: Request):
    return engine_for(request.app.state.services.settings)


def _link(q: str, mode: str, sort: str, filters: dict[str, tuple[str, ...]], **extra) -> str:
    params = [("q", q), ("mode", mode), ("sort", sort)]
    params += [("f", f"{k}:{v}") for k, vs in filters.items() for v in vs]
    params += [(k, str(v)) for k, v in extra.items()]
    return "/patents?" + urlencode(params)


@router.get("")
@public
@writes(lambda request: request.query_params.get("format") in ("csv", "xlsx"))  # an export is audited
def search_page(request: Request, background: BackgroundTasks, q: str = "", mode: str = "lexical",
                sort: str = "relevance", page: int = 1, per_page: int = 20, f: list[str] = Query(default=[]),
                format: str = "", as_: str = Query(default="", alias="as"), tr: str | None = None, xl: str = "1",
                actor: Actor | None = Depends(signed_in_or_anonymous()), session: Session = Depends(db_session)):
    filters = service.parse_filters(f)
    # the other-language terms: the searcher's edited ones (tr=), or none at all (xl=0); kept on every link
    crossing = ({"xl": "0"} if xl == "0" else {}) | ({"tr": tr} if tr is not None and xl != "0" else {})
    strict = as_ == "expression"  # "run it as an expression": the language, strictly, whatever it looks like
    if format in ("csv", "xlsx"):
        if actor is None:  # exports are for signed-in users: they are heavy and traceable
            return RedirectResponse("/login?" + urlencode({"next": str(request.url.path) + "?" + request.url.query}),
                                    status_code=303)
        try:
            return _export(request, session, actor, q, mode, filters, sort, strict, format)
        except DomainError as exc:  # too many hits for an export, or a query that cannot run: said on the page
            session.rollback()
            export_error = exc
    else:
        export_error = None
    result, error = None, None
    searched = bool(q.strip() or filters)
    try:
        if searched:
            # The related terms come after the results (related_page): the page does not wait for them.
            result = service.search(session, _engine(request), q, mode=mode, filters=filters, sort=sort, page=page,
                                    per_page=per_page, strict=strict, lang=i18n.current_locale.get(),
                                    translate=xl != "0", tr=crossing.get("tr"), related=False)
            if result.family and not filters and page == 1:  # a number: straight to its patent
                return RedirectResponse("/patents/" + quote(result.family, safe=""), status_code=303)
        elif mode == "lexical":  # the newest patents, before anything is asked
            result = service.search(session, _engine(request), "", filters={}, sort="pub_date_desc",
                                    per_page=per_page, page=page)
    except DomainError as exc:  # a page beyond the result window, a bad page size: shown beside the form
        error = exc
    error = error or export_error
    if searched and error is None and page <= 1:  # a search asked (not its next pages), counted for plan item 18
        background.add_task(usage.count_search, request.app.state.services.db)
        if actor is not None and result is not None:  # the signed-in searcher's own history
            background.add_task(history.record_later, request.app.state.services.db, actor, q, mode, filters,
                                result.total)
    return render(request, "patents/search.html", labels.template_context() | {
        "q": q, "mode": mode, "sort": sort, "filters": filters, "result": result, "error": error, "strict": strict,
        "long_text": understand.is_long(q.strip()),
        "expression_link": _link(q, mode, sort, filters, **{"as": "expression"}),
        "words_link": _link(q, mode, sort, filters),
        "save_link": saved_views.save_link(q, mode, filters) if searched else "",
        "searched": searched, "sorts": SORTS, "facet_names": FACETS, "fields": FIELDS, "per_page": per_page,
        "link": _page_link(q, mode, sort, filters, strict, crossing),
        "related_link": _related_link(q, mode, sort, filters, strict, result) if searched and page <= 1 else "",
        "crossing": crossing, "untranslated_link": _link(q, mode, sort, filters, xl="0"),
        "toggle": lambda name, value: _toggle(filters, name, value),
    }, status_code=400 if error else 200)


def _page_link(q: str, mode: str, sort: str, filters: dict[str, tuple[str, ...]], strict: bool,
               crossing: dict[str, str]):
    """The page's `link(**changes)`: this search with some of its parameters changed."""
    return lambda **kw: _link(*_crossing_kept(crossing, q, kw), kw.pop("mode", mode), kw.pop("sort", sort),
                              kw.pop("filters", filters), **({"as": "expression"} if strict else {}) | kw)


def _related_link(q: str, mode: str, sort: str, filters: dict[str, tuple[str, ...]], strict: bool,
                  result: service.SearchResult | None) -> str:
    """Where the page fetches its related terms once it is shown: "" when the search offers none."""
    if result is None or not result.rows or not service.offers_related(result.understood):
        return ""
    params = [("q", q), ("mode", mode), ("sort", sort), ("understood", result.understood)]
    params += [("f", f"{k}:{v}") for k, vs in filters.items() for v in vs]
    params += [("as", "expression")] if strict else []
    params += [("p", row.record.pub_number) for row in result.rows[:service.RELATED_RECORDS]]
    return "/patents/related?" + urlencode(params)


@router.get("/related")
@public
def related_page(request: Request, q: str = "", mode: str = "lexical", sort: str = "relevance",
                 understood: str = "", f: list[str] = Query(default=[]), as_: str = Query(default="", alias="as"),
                 p: list[str] = Query(default=[]), actor: Actor | None = Depends(signed_in_or_anonymous()),
                 session: Session = Depends(db_session)):
    """The related terms of a search whose best hits are `p` (at most ten are read): the part of the results
    page that comes after it (htmx), so that the results do not wait for the key phrases."""
    filters = service.parse_filters(f)
    wanted = q.strip() and service.offers_related(understood)
    terms = service.related_for(session, _engine(request), q, p, mode=mode, sort=sort, filters=filters) \
        if wanted else []
    return render(request, "patents/related_terms.html", {
        "related": terms, "q": q, "understood": understood, "mode": mode,
        "link": _page_link(q, mode, sort, filters, as_ == "expression", {})})


def _crossing_kept(crossing: dict[str, str], q: str, kw: dict) -> tuple[str]:
    """The words of a link, with the translation choice (tr=, xl=0) kept in `kw` when they are the same words
    (a suggestion's new words get their own translation)."""
    words = kw.pop("q", q)
    if words == q:
        for name, value in crossing.items():
            kw.setdefault(name, value)
    return (words,)


def _export(request: Request, session: Session, actor: Actor, q: str, mode: str,
            filters: dict[str, tuple[str, ...]], sort: str, strict: bool, fmt: str):
    """A result of up to DIRECT_EXPORT_ROWS downloads at once; a larger one (up to the configured ceiling) is
    written by a background job whose file appears on the jobs page. Both have the API's fields."""
    engine = _engine(request)
    count = export.total(session, engine, q, mode=mode, filters=filters, strict=strict)
    if count > DIRECT_EXPORT_ROWS:
        export.check_size(count, engine.settings.search_export_max_rows)
        audit.record(session, actor, "patents.export", "patent_search", q[:100] or "*",
                     summary=f"{count} rows, {fmt}, background job")
        job = request.app.state.services.start_job(session, actor, "patents.export", {
            "q": q, "mode": mode, "filters": {k: list(v) for k, v in filters.items()}, "sort": sort,
            "strict": strict, "format": fmt})
        return RedirectResponse(f"/jobs#job-{job.id}", status_code=303)
    rows = [export.row(r) for r in export.records(session, engine, q, mode=mode, filters=filters, sort=sort,
                                                  strict=strict, limit=DIRECT_EXPORT_ROWS)]
    audit.record(session, actor, "patents.export", "patent_search", q[:100] or "*", summary=f"{len(rows)} rows, {fmt}")
    session.commit()
    if fmt == "csv":
        return csv_response("patents.csv", export.HEADER, rows)
    return xlsx_response("patents.xlsx", {"patents": (export.HEADER, rows)})


def _toggle(filters: dict[str, tuple[str, ...]], name: str, value: str) -> dict[str, tuple[str, ...]]:
    """The filters with `name:value` switched on or off (what a facet link does)."""
    current = set(filters.get(name, ()))
    current ^= {value}
    out = {k: v for k, v in filters.items() if k != name}
    if current:
        out[name] = tuple(sorted(current))
    return out


@router.get("/data")
def data_page(request: Request, status: str = "", actor: Actor = Depends(require(*DATA_MANAGERS)),
              session: Session = Depends(db_session)):
    return render(request, "patents/data.html", _data_context(request, session, status))


def _data_context(request: Request, session: Session, status: str = "", error: DomainError | None = None) -> dict:
    runs_q = select(IngestRun).order_by(IngestRun.id.desc()).limit(100)
    if status:
        runs_q = runs_q.where(IngestRun.status == status)
    engine = _engine(request)
    return {"runs": list(session.scalars(runs_q)), "status": status, "readers": READERS,
            "register_count": store.count(session), "index_count": engine.backend.count(),
            "backend": engine.backend.name, "encoder": engine.encoder, "error": error}


@router.get("/data/runs/{run_id}")
def run_page(request: Request, run_id: int, actor: Actor = Depends(require(*DATA_MANAGERS)),
             session: Session = Depends(db_session)):
    run = session.get(IngestRun, run_id)
    if run is None:
        raise NotFound(Msg("No ingest run {id}", id=run_id))
    return render(request, "patents/run.html", {"run": run})


@router.post("/data/ingest")
@body_limit(MAX_DATA_BYTES + 1024**2)  # one data file and the form around it
def ingest_upload(request: Request, format: str = Form(""), file: UploadFile = File(...),
                  actor: Actor = Depends(require(*DATA_MANAGERS)), session: Session = Depends(db_session)):
    files = request.app.state.services.files
    try:
        if format and format not in READERS:
            raise DomainError(Msg("Unknown data format {value}", value=format), field="format")
        stored = files.put(session, Upload(file.filename or "", file.file), allowed=DATA_TYPES,
                           max_bytes=MAX_DATA_BYTES)
    except DomainError as exc:
        session.rollback()
        return render(request, "patents/data.html", _data_context(request, session, error=exc), status_code=400)
    job = request.app.state.services.start_job(session, actor, "patents.ingest",
                                               {"sha256": stored.sha256, "filename": file.filename, "format": format})
    return RedirectResponse(f"/jobs#job-{job.id}", status_code=303)


@router.post("/data/{action}")
def data_action(request: Request, action: str, actor: Actor = Depends(require(*DATA_MANAGERS)),
                session: Session = Depends(db_session)):
    kinds = {"rebuild": "patents.rebuild", "train": "patents.train_encoder"}
    if action not in kinds:
        raise NotFound(Msg("No such action {value}", value=action))
    job = request.app.state.services.start_job(session, actor, kinds[action])
    return RedirectResponse(f"/jobs#job-{job.id}", status_code=303)


@router.get("/{pub_number:path}")
@public
def detail_page(request: Request, pub_number: str, actor: Actor | None = Depends(signed_in_or_anonymous()),
                session: Session = Depends(db_session)):
    try:
        view = service.detail(session, _engine(request), pub_number)
    except NotFound:  # any other spelling of any number of it: its canonical page
        canonical = service.resolve_number(session, _engine(request), pub_number)
        if not canonical:
            raise
        return RedirectResponse("/patents/" + quote(canonical, safe=""), status_code=302)
    return render(request, "patents/detail.html", labels.template_context() | {
        "view": view, "rec": view.record, "synthetic": service.synthetic(view.record),
        "key_terms": key_terms(view.record)})
