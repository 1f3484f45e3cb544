"""JSON API of plan supervision."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ipcity.core.roles import Actor
from ipcity.services.workplan import queries, service
from ipcity.services.workplan.access import SUPERVISORS
from ipcity.web.deps import db_session, require

router = APIRouter(prefix="/api/workplan")


def _point(v: service.PointView) -> dict:
    p = v.point
    return {"number": p.number, "section": p.section_number, "section_title": p.section_title,
            "content": p.content, "deadline": p.deadline_label, "due_on": p.due_on.isoformat() if p.due_on else None,
            "status": str(v.status), "days_overdue": v.days_overdue, "completion": p.completion,
            "last_accepted_on": p.last_accepted_on.isoformat() if p.last_accepted_on else None,
            "units": [{"name": r.unit_name, "level": r.level, "lead": r.lead, "collective": r.collective}
                      for r in p.responsibilities]}


@router.get("/points")
def points(request: Request, actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    """The page's filters (queries.PointFilters: q, section, status, deadline, unit_id, mine), empty meaning all;
    a value that names nothing answers 400 naming the field."""
    found = queries.points(session, actor, queries.PointFilters.from_query(request.query_params))
    return [_point(v) for v in found.views]


@router.get("/figures")
def figures(request: Request, actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    """What the platform's services count on the work points they serve over `period_from`..`period_to` (this
    year to date by default)."""
    period = queries.period_of(queries.PeriodFilters.from_query(request.query_params))
    out = []
    for point, groups in queries.all_figures(request.app.state.services.registry, session, period):
        out.append({"point": point.number, "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
                    "sources": [{"source": g.source.render(), "caption": g.caption.render(),
                                 "figures": [{"label": f.label.render(), "value": str(f.value),
                                              "unit": f.unit.render() if f.unit else None} for f in g.figures]}
                                for g in groups]})
    return out


@router.get("/points/{number}")
def point(number: int, actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    p = service.get_point(session, number)
    out = _point(service.view(session, p))
    out["reports"] = [{"id": c.id, "number": c.number, "state": c.state, "data": c.data}
                      for c in service.reports_of(session, p)]
    return out


@router.post("/points/{number}/reports")
def file_report(request: Request, number: int, payload: dict = Body(...),
                actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    form = service.ReportForm(str(payload.get("period") or ""), str(payload.get("summary") or ""),
                              service.parse_completion(payload.get("completion")),
                              list(payload.get("indicators") or []))
    case = service.file_report(session, request.app.state.services.files, actor, number, form, [],
                               submit=bool(payload.get("submit", True)))
    session.commit()
    return {"id": case.id, "number": case.number, "state": case.state}


@router.post("/reports/{case_id}/review")
def review(case_id: int, payload: dict = Body(...), actor: Actor = Depends(require(*SUPERVISORS)),
           session: Session = Depends(db_session)):
    case = service.review(session, actor, case_id, str(payload.get("decision") or ""),
                          str(payload.get("reason") or ""))
    session.commit()
    return {"id": case.id, "number": case.number, "state": case.state}


@router.get("/dashboard")
def dashboard(actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    return Response(service.dashboard_json(session), media_type="application/json")
