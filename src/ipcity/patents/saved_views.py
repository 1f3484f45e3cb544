"""Pages around patent search: the advanced search form, the IPC browser, the pickers' suggestions, a person's
search history and their saved searches with alerts.

The advanced form, the IPC browser and the suggestions are public like the search itself; history and saved
searches need an account, and every one of their routes reaches only the person's own rows (someone else's
number is "not found"). This router is included before the search pages' router, whose `/patents/{pub_number}`
would otherwise take these addresses.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg, current_locale
from ipcity.core.roles import Actor
from ipcity.patents import advanced, history, labels, saved
from ipcity.patents.engine import engine_for
from ipcity.patents.ipc import IpcError, normalise_ipc, scheme
from ipcity.patents.search import fields
from ipcity.patents.search.contract import SearchRequest
from ipcity.patents.search.query import describe
from ipcity.web.case_pages import EXPORTS
from ipcity.web.deps import db_session, public, require, signed_in_or_anonymous
from ipcity.web.export import csv_response, xlsx_response
from ipcity.web.paging import Page, paged, to_int
from ipcity.web.templating import render

router = APIRouter(prefix="/patents")

OPERATOR_LABELS = {"AND": Msg("AND (and)"), "OR": Msg("OR (or)"), "NOT": Msg("NOT (not)")}
SUGGEST_FIELDS = ("applicant", "region", "ipc")
HISTORY_PAGE = SAVED_PAGE = 50
BROWSER_PARAMS = ("code", "q", "lang", "go")  # the IPC browser's own parameters; the rest is the form's state


def _engine(request: Request):
    return engine_for(request.app.state.services.settings)


def _max_chars(request: Request) -> int:
    return request.app.state.services.settings.search_max_query_chars


def _lang() -> str:
    return "zh" if current_locale.get().startswith("zh") else "en"


def _field_label(f: fields.Field) -> str:
    return f.label_zh if _lang() == "zh" else f"{f.label_en} {f.label_zh}"


# --- the advanced search form -------------------------------------------------------------------------------

def _top_applicants(request: Request) -> list[advanced.Suggestion]:
    """The applicants with the most patents: the applicant list's choices before anything is typed."""
    page = _engine(request).search(SearchRequest(facets=("applicant",), facet_size=advanced.MAX_SUGGESTIONS,
                                                 limit=0))
    return [advanced.Suggestion(c.value, c.value, c.count) for c in page.facets.get("applicant", [])]


def _advanced_context(request: Request, criteria: advanced.Criteria, wanted_rows: int, *, error=None,
                      expression: str = "") -> dict:
    return labels.template_context() | {
        "criteria": criteria, "rows": criteria.shown_rows(wanted_rows), "max_rows": advanced.MAX_ROWS,
        "operators": advanced.OPERATORS, "operator_labels": OPERATOR_LABELS, "field_groups": advanced.FIELD_GROUPS,
        "field_of": fields.lookup, "field_label": _field_label, "error": error, "expression": expression,
        "reading": describe(advanced.describe_node(expression), _lang()) if expression else "",
        "search_link": advanced.search_url(expression, strict=True) if expression else "",
        "type_values": advanced.TYPE_VALUES, "status_values": advanced.STATUS_VALUES,
        "applicants": _top_applicants(request), "regions": advanced.region_choices(),
        "browse_link": "/patents/ipc?" + urlencode(_form_state(request)),
    }


def _form_state(request: Request) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.query_params.multi_items() if k not in BROWSER_PARAMS]


@router.get("/advanced")
@public
def advanced_page(request: Request, field: list[str] = Query(default=[]), value: list[str] = Query(default=[]),
                  op: list[str] = Query(default=[]), app_from: str = "", app_to: str = "", pub_from: str = "",
                  pub_to: str = "", types: list[str] = Query(default=[], alias="type"),
                  statuses: list[str] = Query(default=[], alias="status"), applicant: str = "", region: str = "",
                  ipc: str = "", rows: int = advanced.DEFAULT_ROWS, go: str = "",
                  actor: Actor | None = Depends(signed_in_or_anonymous())):
    """The form; `go=preview` shows the expression it makes, `go=search` runs it (a redirect to the search page,
    where the expression stands in the search box). Problems are shown beside their fields."""
    criteria = advanced.criteria_from(field, value, op, app_from=app_from, app_to=app_to, pub_from=pub_from,
                                      pub_to=pub_to, types=types, statuses=statuses, applicant=applicant,
                                      region=region, ipc=ipc)
    wanted = min(max(rows, 1), advanced.MAX_ROWS)
    if go not in ("preview", "search"):
        return render(request, "patents/advanced.html", _advanced_context(request, criteria, wanted))
    try:
        expression = advanced.build_expression(
            criteria.rows, app_from=criteria.app_from, app_to=criteria.app_to, pub_from=criteria.pub_from,
            pub_to=criteria.pub_to, types=criteria.types, statuses=criteria.statuses, applicant=criteria.applicant,
            region=criteria.region, ipc=criteria.ipc, max_chars=_max_chars(request))
    except DomainError as exc:
        return render(request, "patents/advanced.html", _advanced_context(request, criteria, wanted, error=exc),
                      status_code=400)
    if go == "search":
        return RedirectResponse(advanced.search_url(expression, strict=True), status_code=303)
    return render(request, "patents/advanced.html",
                  _advanced_context(request, criteria, wanted, expression=expression))


# --- the IPC browser ----------------------------------------------------------------------------------------

@router.get("/ipc")
@public
def ipc_page(request: Request, code: str = "", q: str = "",
             actor: Actor | None = Depends(signed_in_or_anonymous())):
    """Section → class → subclass → group, Chinese titles first and English beside (where the scheme has them,
    down to subclass); a search of the titles; "use this code" puts IPC=<code> into the advanced form, keeping
    what the form held (its state travels in the other query parameters)."""
    back = _form_state(request)
    error, current, status = None, None, 200
    q = q.strip()
    if len(code) > 40 or len(q) > advanced.MAX_IPC_QUERY:
        error, status, code, q = DomainError(Msg("The text is too long")), 400, "", ""
    if code:
        try:
            code = normalise_ipc(code)
        except IpcError:
            code = ""
            error, status = DomainError(Msg("No IPC symbol {value} in the scheme", value=request.query_params
                                            .get("code", "")[:40]), field="code"), 404
        if code and not scheme().exists(code):
            error, status = DomainError(Msg("No IPC symbol {value} in the scheme", value=code), field="code"), 404
            code = ""
    found = []
    if q:
        exact = advanced.ipc_code(q)
        found = ([advanced.ipc_entry(exact)] if exact else []) + [
            e for e in advanced.ipc_search(q) if e.code != exact]
    if code:
        current = advanced.ipc_entry(code)

    def browse(to: str) -> str:
        return "/patents/ipc?" + urlencode(([("code", to)] if to else []) + back)

    def use(symbol: str) -> str:
        return "/patents/advanced?" + urlencode(back + [("field", "IPC"), ("value", symbol), ("op", "AND")])

    return render(request, "patents/ipc.html", {
        "code": code, "q": q, "ipc_here": current, "path": advanced.ipc_path(code) if code else [],
        "children": advanced.ipc_children(code), "found": found, "back": back, "browse": browse, "use": use,
        "error": error, "back_link": "/patents/advanced?" + urlencode(back),
    }, status_code=status)


# --- the pickers' suggestions -------------------------------------------------------------------------------

@router.get("/suggest")
@public
def suggest(request: Request, field: str = "", prefix: str = ""):
    """Suggestions for the applicant, region and IPC pickers: JSON `{"field", "prefix", "values": [{"value",
    "label", "count"}]}`, at most 20, for a prefix of at most 50 characters; `<option>`s for htmx (HX-Request),
    which sends the picker's own value under its name instead of `prefix`."""
    prefix = prefix or request.query_params.get(field, "")
    if field not in SUGGEST_FIELDS:
        error = DomainError(Msg("Unknown field {value}", value=field[:40]), field="field")
        return JSONResponse(error.as_dict(), status_code=400)
    if len(prefix) > advanced.MAX_PREFIX_CHARS:
        error = DomainError(Msg("At most {max} characters", max=advanced.MAX_PREFIX_CHARS), field="prefix")
        return JSONResponse(error.as_dict(), status_code=400)
    if field == "applicant":
        values = advanced.suggest_applicants(_engine(request), prefix)
    elif field == "region":
        values = advanced.suggest_regions(prefix)
    else:
        values = advanced.suggest_ipc(prefix)
    if request.headers.get("hx-request"):
        options = Markup("").join(Markup('<option value="{}">{}</option>').format(v.value, v.label)
                                  if v.label != v.value else Markup('<option value="{}">').format(v.value)
                                  for v in values)
        return HTMLResponse(str(options))
    return {"field": field, "prefix": prefix,
            "values": [{"value": v.value, "label": v.label, "count": v.count} for v in values]}


# --- lists: history and saved searches ----------------------------------------------------------------------

def _list(request: Request, session: Session, stmt_of, filters, page_size: int, export_name: str, header,
          rows_of) -> tuple[Page, DomainError | None, Response | None]:
    """A page of the person's rows, or the export (`format=csv|xlsx`) of them all; a malformed filter is shown."""
    try:
        stmt = stmt_of(filters)
        export = request.query_params.get("format", "")
        if export in EXPORTS:
            rows = rows_of(session, list(session.scalars(stmt)))
            if export == "csv":
                return Page([], 0, 1, 1), None, csv_response(f"{export_name}.csv", header, rows)
            return Page([], 0, 1, 1), None, xlsx_response(f"{export_name}.xlsx", {export_name: (header, rows)})
        return paged(session, stmt, to_int(request.query_params.get("page", "1")), page_size), None, None
    except DomainError as exc:
        return Page([], 0, 1, 1), exc, None


def _history_page(request: Request, session: Session, actor: Actor, status: int = 200, **extra) -> Response:
    filters = history.HistoryFilters.from_query(request.query_params)
    result, error, download = _list(request, session, lambda f: history.history_query(actor, f), filters,
                                    HISTORY_PAGE, "patent-search-history", history.EXPORT_HEADER,
                                    history.export_rows)
    if download is not None:
        return download
    return render(request, "patents/history.html", labels.template_context() | {
        "result": result, "filters": filters, "error": error, "search_url": advanced.search_url,
        "keep": history.KEEP, "save_link": save_link} | extra, status_code=400 if error else status)


def save_link(q: str, mode: str, filters: dict) -> str:
    params = [("q", q), ("mode", mode)] + [("f", f"{k}:{v}") for k, vs in (filters or {}).items() for v in vs]
    return "/patents/saved/new?" + urlencode(params)


@router.get("/history")
def history_page(request: Request, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    return _history_page(request, session, actor)


@router.post("/history/clear")
def history_clear(actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    history.clear(session, actor)
    session.commit()
    return RedirectResponse("/patents/history", status_code=303)


@router.post("/history/{entry_id}/delete")
def history_delete(entry_id: int, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    history.remove(session, actor, entry_id)
    session.commit()
    return RedirectResponse("/patents/history", status_code=303)


def _saved_page(request: Request, session: Session, actor: Actor, *, status: int = 200, new: dict | None = None,
                filters: saved.SavedFilters | None = None, **extra) -> Response:
    filters = filters if filters is not None else saved.SavedFilters.from_query(request.query_params)
    result, error, download = _list(request, session, lambda f: saved.saved_query(actor, f), filters, SAVED_PAGE,
                                    "patent-saved-searches", saved.EXPORT_HEADER, saved.export_rows)
    if download is not None:
        return download
    return render(request, "patents/saved.html", labels.template_context() | {
        "result": result, "filters": filters, "error": error, "new": new, "form_error": None, "error_for": "",
        "run_url": saved.run_url, "max_saved": saved.MAX_SAVED, "max_name": saved.MAX_NAME,
        "count": saved.count(session, actor), "modes": saved.MODES, "alert_modes": saved.ALERT_MODES,
        "mode_labels": MODE_LABELS} | extra, status_code=400 if error else status)


MODE_LABELS = {"lexical": Msg("Words and field codes"), "semantic": Msg("Describe your invention (semantic)"),
               "hybrid": Msg("Both, fused (hybrid)")}


@router.get("/saved")
def saved_list(request: Request, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    return _saved_page(request, session, actor)


@router.get("/saved/new")
def saved_new(request: Request, q: str = "", mode: str = "lexical", f: list[str] = Query(default=[]),
              name: str = "", actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    """The form that keeps a search (the search page and the history link here with the search's q, mode, f)."""
    new = {"q": q, "mode": mode, "f": f, "filters": saved.parse_filters(f), "name": name or q.strip()[:saved.MAX_NAME],
           "alert": False}
    return _saved_page(request, session, actor, new=new, filters=saved.SavedFilters())


@router.post("/saved")
def saved_create(request: Request, q: str = Form(""), mode: str = Form("lexical"), f: list[str] = Form(default=[]),
                 name: str = Form(""), alert: str = Form(""), actor: Actor = Depends(require()),
                 session: Session = Depends(db_session)):
    try:
        created = saved.create(session, actor, name=name, q=q, mode=mode, filters=saved.parse_filters(f),
                               alert=bool(alert), max_chars=_max_chars(request))
        session.commit()
    except DomainError as exc:
        session.rollback()
        new = {"q": q, "mode": mode, "f": f, "filters": saved.parse_filters(f), "name": name, "alert": bool(alert)}
        return _saved_page(request, session, actor, new=new, filters=saved.SavedFilters(), status=exc.status,
                           form_error=exc, error_for="new")
    return RedirectResponse(f"/patents/saved#saved-{created.id}", status_code=303)


@router.get("/saved/{saved_id}/run")
def saved_run(saved_id: int, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    return RedirectResponse(saved.run_url(saved.owned(session, actor, saved_id)), status_code=303)


def _change(request: Request, session: Session, actor: Actor, saved_id: int, call) -> Response:
    """A change of one saved search: back to the list; a refusal is shown beside that search's forms."""
    try:
        call()
        session.commit()
    except DomainError as exc:
        session.rollback()
        if exc.status == 404:
            raise
        return _saved_page(request, session, actor, filters=saved.SavedFilters(), status=exc.status,
                           form_error=exc, error_for=str(saved_id))
    return RedirectResponse(f"/patents/saved#saved-{saved_id}", status_code=303)


@router.post("/saved/{saved_id}/rename")
def saved_rename(request: Request, saved_id: int, name: str = Form(""), actor: Actor = Depends(require()),
                 session: Session = Depends(db_session)):
    return _change(request, session, actor, saved_id, lambda: saved.rename(session, actor, saved_id, name))


@router.post("/saved/{saved_id}/alert")
def saved_alert(request: Request, saved_id: int, on: str = Form(""), actor: Actor = Depends(require()),
                session: Session = Depends(db_session)):
    return _change(request, session, actor, saved_id,
                   lambda: saved.set_alert(session, actor, saved_id, on in ("1", "on", "true"),
                                                    max_chars=_max_chars(request)))


@router.post("/saved/{saved_id}/delete")
def saved_delete(request: Request, saved_id: int, actor: Actor = Depends(require()),
                 session: Session = Depends(db_session)):
    return _change(request, session, actor, saved_id, lambda: saved.remove(session, actor, saved_id))
