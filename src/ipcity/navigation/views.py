"""HTML pages of patent navigation: topics, the topic form, runs with their dashboard and report."""

from __future__ import annotations

import json
import os

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipcity.core import documents as kept
from ipcity.core.errors import DomainError, NotFound
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.navigation import charts, documents, domain, sei, service
from ipcity.navigation.service import NAVIGATORS
from ipcity.patents.regions import regions
from ipcity.web.case_pages import posted_form
from ipcity.web.deps import db_session, require
from ipcity.web.export import csv_response, download_response
from ipcity.web.security_headers import SELF_CONTAINED_CSP
from ipcity.web.templating import render

router = APIRouter(prefix="/navigation")
NUMBER_FILE_TYPES = (".txt", ".csv")
MAX_NUMBER_FILE = 5 * 1024 * 1024
FORM_FIELDS = ("name", "description", "nav_type", "kind", "query", "ipc_codes", "sei_code", "sei_keywords",
               "numbers", "focus_region", "start_year", "end_year", "shared")


def _form_context(values: dict, error: DomainError | None = None, topic=None) -> dict:
    return {"values": values, "error": error, "topic": topic, "nav_types": domain.NAV_TYPES,
            "kinds": domain.TOPIC_KINDS, "industries": sei.industries(),
            "provinces": [(c, regions().name(c)) for c in regions().children("")]}


async def _posted(request: Request, numbers_file: UploadFile | None) -> dict:
    """The form as a dict of strings; an uploaded list of numbers is size- and type-checked and appended."""
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    if numbers_file is not None and numbers_file.filename:
        values["numbers"] = (values["numbers"] + "\n" + _read_numbers_file(numbers_file)).strip()
    return values


def _read_numbers_file(upload: UploadFile) -> str:
    name = upload.filename or ""
    if not name.lower().endswith(NUMBER_FILE_TYPES):
        raise DomainError(Msg("File type {ext} is not accepted; accepted: {allowed}",
                              ext=os.path.splitext(name)[1] or "?",
                              allowed=", ".join(NUMBER_FILE_TYPES)), field="numbers")
    content = upload.file.read(MAX_NUMBER_FILE + 1)
    if len(content) > MAX_NUMBER_FILE:
        raise DomainError(Msg("File {name} is larger than {limit} MB", name=name, limit=MAX_NUMBER_FILE >> 20),
                          field="numbers")
    if b"\x00" in content:
        raise DomainError(Msg("The content of {name} is not a {ext} file", name=name, ext="text"), field="numbers")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError(Msg("{name} is neither UTF-8 nor GB18030 text", name=name), field="numbers")


@router.get("")
def topics_page(request: Request, q: str = "", nav_type: str = "", kind: str = "", mine: str = "",
                format: str = "", actor: Actor = Depends(require(*NAVIGATORS)), session: Session = Depends(db_session)):
    rows = service.list_topics(session, actor, q=q, nav_type=nav_type, kind=kind, mine=bool(mine))
    if format == "csv":
        return csv_response("navigation-topics.csv",
                            ["id", "name", "nav_type", "kind", "shared", "runs", "last_run_status", "last_run_records",
                             "updated_at"],
                            [[r.topic.id, r.topic.name, r.topic.nav_type, r.topic.kind, r.topic.shared, r.runs,
                              r.last_run.status if r.last_run else "", r.last_run.records if r.last_run else "",
                              r.topic.updated_at.isoformat()] for r in rows])
    return render(request, "navigation/topics.html", {
        "rows": rows, "q": q, "nav_type": nav_type, "kind": kind, "mine": mine, "nav_types": domain.NAV_TYPES,
        "kinds": domain.TOPIC_KINDS, "statuses": service.RUN_STATUSES})


@router.get("/topics/new")
def new_topic_page(request: Request, actor: Actor = Depends(require(*NAVIGATORS))):
    return render(request, "navigation/topic_form.html",
                  _form_context({"kind": "query", "nav_type": "industry", "shared": "1"}))


@router.post("/topics")
async def create_topic(request: Request, numbers_file: UploadFile | None = File(None),
                       actor: Actor = Depends(require(*NAVIGATORS)), session: Session = Depends(db_session)):
    values: dict = {}
    try:
        values = await _posted(request, numbers_file)
        topic = service.create_topic(session, actor, values)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render(request, "navigation/topic_form.html", _form_context(values, exc), status_code=400)
    return RedirectResponse(f"/navigation/topics/{topic.id}", status_code=303)


@router.get("/topics/{topic_id}")
def topic_page(request: Request, topic_id: int, actor: Actor = Depends(require(*NAVIGATORS)),
               session: Session = Depends(db_session)):
    topic = service.get_topic(session, actor, topic_id)
    definition = domain.TopicDefinition.from_json(topic.definition)
    return render(request, "navigation/topic.html", {
        "topic": topic, "definition": definition, "runs": service.runs_of(session, topic.id),
        "may_edit": service.may_edit(actor, topic), "nav_types": domain.NAV_TYPES, "kinds": domain.TOPIC_KINDS,
        "statuses": service.RUN_STATUSES, "region_name": regions().full_name(definition.focus_region)
        if definition.focus_region in regions() else "", "sei_name": sei.name_of(definition.sei_code)})


@router.get("/topics/{topic_id}/edit")
def edit_topic_page(request: Request, topic_id: int, actor: Actor = Depends(require(*NAVIGATORS)),
                    session: Session = Depends(db_session)):
    topic = service.get_topic(session, actor, topic_id)
    d = domain.TopicDefinition.from_json(topic.definition)
    values = {"name": topic.name, "description": topic.description, "nav_type": d.nav_type, "kind": d.kind,
              "query": d.query, "ipc_codes": " ".join(d.ipc_codes), "sei_code": d.sei_code,
              "sei_keywords": "1" if d.sei_keywords else "", "numbers": "\n".join(d.numbers),
              "focus_region": d.focus_region, "start_year": d.start_year or "", "end_year": d.end_year or "",
              "shared": "1" if topic.shared else ""}
    return render(request, "navigation/topic_form.html", _form_context(values, topic=topic))


@router.post("/topics/{topic_id}")
async def update_topic(request: Request, topic_id: int, numbers_file: UploadFile | None = File(None),
                       actor: Actor = Depends(require(*NAVIGATORS)), session: Session = Depends(db_session)):
    topic = service.get_topic(session, actor, topic_id)
    values: dict = {}
    try:
        values = await _posted(request, numbers_file)
        service.update_topic(session, actor, topic_id, values)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render(request, "navigation/topic_form.html", _form_context(values, exc, topic=topic),
                      status_code=400)
    return RedirectResponse(f"/navigation/topics/{topic_id}", status_code=303)


@router.post("/topics/{topic_id}/delete")
def delete_topic(request: Request, topic_id: int, actor: Actor = Depends(require(*NAVIGATORS)),
                 session: Session = Depends(db_session)):
    service.delete_topic(session, actor, topic_id)
    session.commit()
    return RedirectResponse("/navigation", status_code=303)


@router.post("/topics/{topic_id}/run")
def run_topic(request: Request, topic_id: int, actor: Actor = Depends(require(*NAVIGATORS)),
              session: Session = Depends(db_session)):
    run = service.start_run(session, request.app.state.services, actor, topic_id)
    return RedirectResponse(f"/navigation/runs/{run.id}", status_code=303)


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: int, actor: Actor = Depends(require(*NAVIGATORS)),
             session: Session = Depends(db_session)):
    return _run_page(request, session, actor, service.get_run(session, actor, run_id))


def _run_page(request: Request, session: Session, actor: Actor, run, *, error: DomainError | None = None,
              status_code: int = 200):
    context = {"run": run, "statuses": service.RUN_STATUSES, "doc": None, "chart_data": Markup("{}"),
               "error": error, "report_editions": kept.editions_marked(
                   session, documents.KIND_KEY, run.id, documents.pdf_editions(session, run.id)),
               "may_reissue": documents.may_reissue(session, actor, run.id),
               "reissuing": documents.reissuing(session, run.id)}
    if run.status == "done":
        doc = service.report_doc(session, run, service.report_lang())
        options = {c.key: charts.to_echarts(c) for c in doc.charts()}
        # </ inside the JSON cannot close the script element that carries it.
        context |= {"doc": doc, "chart_data": Markup(json.dumps(options, ensure_ascii=False).replace("</", "<\\/"))}
    return render(request, "navigation/run.html", context, status_code=status_code)


@router.get("/runs/{run_id}/status")
def run_status(request: Request, run_id: int, actor: Actor = Depends(require(*NAVIGATORS)),
               session: Session = Depends(db_session)):
    run = service.get_run(session, actor, run_id)
    return render(request, "navigation/run_status.html", {"run": run, "statuses": service.RUN_STATUSES,
                                                          "job": service.job_of(session, run)})


@router.get("/runs/{run_id}/charts/{key}.csv")
def chart_csv(request: Request, run_id: int, key: str, actor: Actor = Depends(require(*NAVIGATORS)),
              session: Session = Depends(db_session)):
    run = service.get_run(session, actor, run_id)
    doc = service.report_doc(session, run, service.report_lang())
    for chart in doc.charts():
        if chart.key == key:
            header, rows = charts.table_rows(chart)
            return csv_response(f"navigation-{run_id}-{key}.csv", header, rows)
    raise NotFound(Msg("No such chart"))


@router.get("/runs/{run_id}/report.html")
def report_html(request: Request, run_id: int, lang: str = "", actor: Actor = Depends(require(*NAVIGATORS)),
                session: Session = Depends(db_session)):
    """The report page as the run kept it (navigation/documents.py), in either language."""
    run = service.get_run(session, actor, run_id)
    services = request.app.state.services
    content = service.report_file(session, services.db, services.files, run, _lang(lang), "html")
    return HTMLResponse(content.decode("utf-8"), headers={"Content-Security-Policy": SELF_CONTAINED_CSP})


@router.get("/runs/{run_id}/report.pdf")
def report_pdf(request: Request, run_id: int, lang: str = "", actor: Actor = Depends(require(*NAVIGATORS)),
               session: Session = Depends(db_session)):
    """The PDF as the run kept it, in either language."""
    run = service.get_run(session, actor, run_id)
    services = request.app.state.services
    content = service.report_file(session, services.db, services.files, run, _lang(lang), "pdf")
    name = f"navigation-{run_id}-{_lang(lang)}.pdf"
    return download_response(name, content, "application/pdf")


@router.post("/runs/{run_id}/reissue")
def reissue_report(request: Request, run_id: int, form: FormData = Depends(posted_form),
                   actor: Actor = Depends(require(*documents.REISSUERS)), session: Session = Depends(db_session)):
    """Issue the run's report again: a job renders both languages anew (navigation/documents.py); the earlier
    editions stay listed on the run's page."""
    run = service.get_run(session, actor, run_id)
    try:
        reason = kept.checked_reason(str(form.get("reason") or ""))
        kept.check_may_reissue(session, documents.KIND, actor, run.id)
    except DomainError as exc:
        session.rollback()
        return _run_page(request, session, actor, run, error=exc, status_code=exc.status)
    request.app.state.services.start_job(session, actor, documents.REISSUE_JOB, {"run_id": run.id, "reason": reason})
    return RedirectResponse(f"/navigation/runs/{run.id}#report-editions", status_code=303)


def _lang(lang: str) -> str:
    return lang if lang in ("zh", "en") else service.report_lang()
