"""JSON API of patent navigation: topics, runs, results and chart options."""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Request
from sqlalchemy.orm import Session

from ipcity.core.roles import Actor
from ipcity.navigation import charts, service
from ipcity.navigation.service import NAVIGATORS
from ipcity.navigation.tables import NavRun, NavTopic
from ipcity.web.deps import db_session, require

router = APIRouter(prefix="/api/navigation")


def _topic(t: NavTopic) -> dict:
    return {"id": t.id, "name": t.name, "description": t.description, "nav_type": t.nav_type, "kind": t.kind,
            "definition": t.definition, "shared": t.shared, "unit_id": t.unit_id, "owner_id": t.owner_id,
            "updated_at": t.updated_at.isoformat()}


def _run(r: NavRun) -> dict:
    return {"id": r.id, "topic_id": r.topic_id, "status": r.status, "records": r.records,
            "publications": r.publications, "data_date": r.data_date.isoformat() if r.data_date else None,
            "timings": r.timings, "message": r.message, "created_at": r.created_at.isoformat(),
            "finished_at": r.finished_at.isoformat() if r.finished_at else None,
            "report_pdf": f"/navigation/runs/{r.id}/report.pdf" if r.status == "done" else None}


@router.get("/topics")
def topics(q: str = "", nav_type: str = "", kind: str = "", mine: bool = False,
           actor: Actor = Depends(require(*NAVIGATORS)), session: Session = Depends(db_session)):
    return [_topic(row.topic) | {"runs": row.runs, "last_run": _run(row.last_run) if row.last_run else None}
            for row in service.list_topics(session, actor, q=q, nav_type=nav_type, kind=kind, mine=mine)]


@router.post("/topics")
def create_topic(payload: dict = Body(...), actor: Actor = Depends(require(*NAVIGATORS)),
                 session: Session = Depends(db_session)):
    topic = service.create_topic(session, actor, payload)
    session.commit()
    return _topic(topic)


@router.get("/topics/{topic_id}")
def topic(topic_id: int, actor: Actor = Depends(require(*NAVIGATORS)), session: Session = Depends(db_session)):
    t = service.get_topic(session, actor, topic_id)
    return _topic(t) | {"runs": [_run(r) for r in service.runs_of(session, t.id)]}


@router.put("/topics/{topic_id}")
def update_topic(topic_id: int, payload: dict = Body(...), actor: Actor = Depends(require(*NAVIGATORS)),
                 session: Session = Depends(db_session)):
    t = service.update_topic(session, actor, topic_id, payload)
    session.commit()
    return _topic(t)


@router.post("/topics/{topic_id}/runs")
def start_run(request: Request, topic_id: int, actor: Actor = Depends(require(*NAVIGATORS)),
              session: Session = Depends(db_session)):
    return _run(service.start_run(session, request.app.state.services, actor, topic_id))


@router.get("/runs/{run_id}")
def run(run_id: int, results: bool = False, actor: Actor = Depends(require(*NAVIGATORS)),
        session: Session = Depends(db_session)):
    r = service.get_run(session, actor, run_id)
    out = _run(r) | {"definition": r.definition}
    if results and r.status == "done":
        out["results"] = r.results
    return out


@router.get("/runs/{run_id}/charts")
def run_charts(run_id: int, actor: Actor = Depends(require(*NAVIGATORS)), session: Session = Depends(db_session)):
    """Every chart of the run: its ECharts option and its data rows."""
    r = service.get_run(session, actor, run_id)
    doc = service.report_doc(session, r, service.report_lang())
    out = []
    for c in doc.charts():
        header, rows = charts.table_rows(c)
        out.append({"key": c.key, "title": c.title, "kind": c.kind, "option": charts.to_echarts(c),
                    "header": header, "rows": rows})
    return out
