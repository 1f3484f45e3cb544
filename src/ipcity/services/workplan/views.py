"""HTML pages of plan supervision."""

from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core.cache import data_version
from ipcity.core.clock import today
from ipcity.core.errors import DomainError
from ipcity.core.files import Upload, attachments_of
from ipcity.core.i18n import current_locale
from ipcity.core.roles import Actor
from ipcity.core.tables import Unit
from ipcity.services.workplan import service
from ipcity.services.workplan.access import SUPERVISORS
from ipcity.web.deps import db_session, require
from ipcity.web.export import csv_response, xlsx_response
from ipcity.web.templating import render
from ipcity.workflow import engine

router = APIRouter(prefix="/workplan")


def _units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.kind.in_(("ip_office", "municipal_dept", "district_gov")))
                                .order_by(Unit.name_zh)))


@router.get("")
def points_page(request: Request, section: int | None = None, status: str = "", unit_id: int | None = None,
                q: str = "", deadline: str = "", mine: str = "", format: str = "",
                actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    if mine and actor.unit_id:
        unit_id = actor.unit_id
    views = service.list_points(session, section=section, status=status, unit_id=unit_id, q=q, deadline=deadline)
    if format == "csv":
        return csv_response("workplan-points.csv", ["number", "section", "content", "deadline", "status",
                                                    "completion", "days_overdue", "units"],
                            [[v.point.number, v.point.section_number, v.point.content, v.point.deadline_label,
                              str(v.status), v.point.completion, v.days_overdue,
                              "、".join(r.unit_name for r in v.point.responsibilities)] for v in views])
    return render(request, "workplan/points.html", {
        "views": views, "section": section, "status": status, "unit_id": unit_id, "q": q, "deadline": deadline,
        "mine": mine, "units": _units(session), "status_labels": service.STATUS_LABELS})


@router.get("/points/{number}")
def point_page(request: Request, number: int, actor: Actor = Depends(require(*SUPERVISORS)),
               session: Session = Depends(db_session)):
    return render(request, "workplan/point.html", _point_context(session, actor, service.get_point(session, number)))


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


def _point_context(session: Session, actor: Actor, point, **extra) -> dict:
    unit = session.get(Unit, actor.unit_id) if actor.unit_id else None
    return {"v": service.view(session, point), "reports": service.reports_of(session, point),
            "report_type": service.REPORT,
            "may_report": actor.is_official and service.is_responsible(point, unit),
            "status_labels": service.STATUS_LABELS, "form": {}, **extra}


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
        ctx = _point_context(session, actor, service.get_point(session, number), error=exc, form=post.form)
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

