"""HTML pages of plan supervision."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from ipcity.core.cache import data_version
from ipcity.core.clock import today
from ipcity.core.errors import DomainError
from ipcity.core.files import Upload, attachments_of
from ipcity.core.i18n import current_locale
from ipcity.core.roles import Actor
from ipcity.core.tables import Unit
from ipcity.services.workplan import domain, queries, service
from ipcity.services.workplan.access import SUPERVISORS
from ipcity.web.deps import db_session, require
from ipcity.web.export import csv_response, xlsx_response
from ipcity.web.templating import render
from ipcity.workflow import engine

router = APIRouter(prefix="/workplan")


@router.get("")
def points_page(request: Request, actor: Actor = Depends(require(*SUPERVISORS)),
                session: Session = Depends(db_session)):
    """The work points, narrowed by the form (empty fields: all), or as CSV with the same filters. A value that
    names nothing is shown beside the form, the form kept."""
    filters = queries.PointFilters.from_query(request.query_params)
    error, found = None, None
    try:
        found = queries.points(session, actor, filters)
        if request.query_params.get("format") == "csv":
            return csv_response("workplan-points.csv", queries.EXPORT_HEADER, queries.export_rows(found.views))
    except DomainError as exc:
        error = exc
    if found is None:  # the options of the form still come from the plan
        found = queries.points(session, actor, queries.PointFilters())
        found.views = []
    return render(request, "workplan/points.html", {
        "views": found.views, "filters": filters, "error": error, "sections": found.sections,
        "deadlines": found.deadlines, "section": found.section, "unit_id": found.unit_id,
        "units": queries.listed_units(session), "status_labels": service.STATUS_LABELS,
        "unit_names": service.unit_names, "remarks": service.remarks})


@router.get("/points/{number}")
def point_page(request: Request, number: int, actor: Actor = Depends(require(*SUPERVISORS)),
               session: Session = Depends(db_session)):
    return render(request, "workplan/point.html",
                  _point_context(request, session, actor, service.get_point(session, number)))


def _figures_context(request: Request, session: Session, items: list[int] | None) -> dict:
    """The services' figures on the work points `items` (None: every point some service gives figures on) for the
    period the query asks (this year to date by default); a period that is no period is shown beside its form."""
    registry = request.app.state.services.registry
    filters = queries.PeriodFilters.from_query(request.query_params)
    error, groups = None, []
    if items is not None and not any(registry.figures_for(n) for n in items):
        return {"figure_groups": groups, "period_filters": filters, "figures_error": error}
    try:
        period = queries.period_of(filters)
        if items is None:
            groups = queries.all_figures(registry, session, period)
        else:
            groups = [(None, queries.figures(registry, session, n, period)) for n in items if registry.figures_for(n)]
    except DomainError as exc:
        error = exc
    return {"figure_groups": groups, "period_filters": filters, "figures_error": error}


@router.get("/figures")
def figures_page(request: Request, actor: Actor = Depends(require(*SUPERVISORS)),
                 session: Session = Depends(db_session)):
    """What the platform's own services count on the work points they serve, computed now; the dashboard loads
    it as a fragment."""
    ctx = _figures_context(request, session, None)
    if request.headers.get("hx-request"):
        return render(request, "workplan/_figures_all.html", ctx)
    return render(request, "workplan/figures.html", ctx)


@dataclass
class ReportPost:
    """The report form as posted: values, attachments and whether to submit (or keep as a draft)."""

    form: service.ReportForm
    uploads: list[Upload]
    submit: bool


def report_post(period: str = Form(""), summary: str = Form(""), completion: str = Form(""),
                indicator_name: list[str] = Form(default=[]), indicator_value: list[str] = Form(default=[]),
                indicator_unit: list[str] = Form(default=[]), action: str = Form("submit"),
                files: list[UploadFile] = File(default=[])) -> ReportPost:
    indicators = [{"name": n, "value": v, "unit": u}
                  for n, v, u in zip(indicator_name, indicator_value, indicator_unit, strict=False)
                  if n.strip() or v.strip()]
    form = service.ReportForm(period, summary, service.parse_completion(completion), indicators)
    return ReportPost(form, [Upload(f.filename or "", f.file) for f in files], action == "submit")


def _point_context(request: Request, session: Session, actor: Actor, point, **extra) -> dict:
    unit = session.get(Unit, actor.unit_id) if actor.unit_id else None
    return {"v": service.view(session, point), "reports": service.reports_of(session, point),
            "report_type": service.REPORT,
            "may_report": actor.is_official and service.is_responsible(point, unit),
            "status_labels": service.STATUS_LABELS, "form": {},
            "municipal": service.unit_names(point), "national": service.unit_names(point, domain.NATIONAL),
            "districts": service.district_names(point), "remarks": service.remarks(point),
            "lead": next((r.unit_name for r in point.responsibilities if r.lead), ""),
            **_figures_context(request, session, [point.number]), **extra}


@router.post("/points/{number}/reports")
def file_report(request: Request, number: int, post: ReportPost = Depends(report_post),
                actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    try:
        case = service.file_report(session, request.app.state.services.files, actor, number, post.form, post.uploads,
                                   submit=post.submit)
    except DomainError as exc:
        session.rollback()
        if exc.status != 400:
            raise
        ctx = _point_context(request, session, actor, service.get_point(session, number), error=exc, form=post.form)
        return render(request, "workplan/point.html", ctx, 400)
    session.commit()
    return RedirectResponse(f"/workplan/reports/{case.id}", status_code=303)


def _report_context(request: Request, session: Session, actor: Actor, case_id: int, **extra) -> dict:
    case, point = service.report(session, actor, case_id)
    st = engine.standing(case, actor)
    return {"case": case, "point": point, "type": service.REPORT, "state": service.REPORT.state(case.state),
            "deadlines": engine.deadlines(session, service.REPORT, case),
            "documents": attachments_of(session, engine.CASE_OWNER, case.id),
            "may_edit": st.is_applicant and case.state in ("draft", "returned") and actor.is_official,
            "may_review": case.state == "submitted" and any(
                t.key == "accept" for t in engine.available_actions(service.REPORT, case, actor)),
            "form": extra.pop("form", None) or case.data, **extra}


@router.get("/reports/{case_id}")
def report_page(request: Request, case_id: int, actor: Actor = Depends(require(*SUPERVISORS)),
                session: Session = Depends(db_session)):
    return render(request, "workplan/report.html", _report_context(request, session, actor, case_id))


@router.post("/reports/{case_id}")
def revise_report(request: Request, case_id: int, post: ReportPost = Depends(report_post),
                  actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    try:
        service.revise_report(session, request.app.state.services.files, actor, case_id, post.form, post.uploads,
                              submit=post.submit)
    except DomainError as exc:
        session.rollback()
        if exc.status != 400:
            raise
        ctx = _report_context(request, session, actor, case_id, error=exc, form=post.form.__dict__)
        return render(request, "workplan/report.html", ctx, 400)
    session.commit()
    return RedirectResponse(f"/workplan/reports/{case_id}", status_code=303)


@router.post("/reports/{case_id}/review")
def review_report(request: Request, case_id: int, decision: str = Form(""), reason: str = Form(""),
                  actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    try:
        service.review(session, actor, case_id, decision, reason)
    except DomainError as exc:
        session.rollback()
        if exc.status != 400:
            raise
        return render(request, "workplan/report.html",
                      _report_context(request, session, actor, case_id, error=exc, reason=reason), 400)
    session.commit()
    return RedirectResponse(f"/workplan/reports/{case_id}", status_code=303)


@router.get("/dashboard")
def dashboard_page(request: Request, actor: Actor = Depends(require(*SUPERVISORS)),
                   session: Session = Depends(db_session)):
    templates = request.app.state.services.templates

    def body() -> Markup:
        data = service.dashboard_cached(session)
        labels = {str(k): v.render() for k, v in service.STATUS_LABELS.items()}
        chart_json = json.dumps({"data": data, "labels": labels}, ensure_ascii=False).replace("</", "<\\/")
        return Markup(templates.get_template("workplan/dashboard_body.html").render(
            data=data, labels=labels, chart_json=chart_json))

    html = service.CACHE.get(("dashboard.html", str(session.get_bind().url), today(), current_locale.get()),
                             data_version(session), body)
    return render(request, "workplan/dashboard.html", {"body": html})


@router.get("/dashboard/export.xlsx")
def dashboard_export(actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    return xlsx_response(f"workplan-{today().isoformat()}.xlsx", service.export_sheets(session))


@router.post("/exports")
def start_export(request: Request, actor: Actor = Depends(require(*SUPERVISORS)),
                 session: Session = Depends(db_session)):
    request.app.state.services.start_job(session, actor, "workplan.export")
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": "/jobs"})
    return RedirectResponse("/jobs", status_code=303)

