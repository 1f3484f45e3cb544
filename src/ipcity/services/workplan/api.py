"""JSON API of plan supervision."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from ipcity.core.roles import Actor
from ipcity.services.workplan import service
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
def points(section: int | None = None, status: str = "", unit_id: int | None = None, q: str = "",
           deadline: str = "", actor: Actor = Depends(require(*SUPERVISORS)), session: Session = Depends(db_session)):
    return [_point(v) for v in service.list_points(session, section=section, status=status, unit_id=unit_id, q=q,
                                                   deadline=deadline)]


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
    return JSONResponse(service.dashboard_cached(session))
