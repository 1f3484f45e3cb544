"""JSON API of the portal."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ipcity.core import inbox
from ipcity.core.roles import OFFICIAL_ROLES, Actor
from ipcity.portal import cases as case_views
from ipcity.web.deps import db_session, public, require
from ipcity.workflow import engine

router = APIRouter(prefix="/api")


@router.get("/services")
@public
def services_api(request: Request):
    return [{"key": s.key, "name": s.name.render(), "description": s.description.render(),
             "who_may_apply": s.who_may_apply.render(), "time_limit": s.time_limit.render(), "path": s.path,
             "plan_items": list(s.plan_items)} for s in request.app.state.services.registry.services()]


def _brief(c) -> dict:
    return {"id": c.id, "number": c.number, "type": c.type_key, "title": c.title, "state": c.state,
            "updated_at": c.updated_at.isoformat()}


@router.get("/my/applications")
def my_applications_api(actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    return [_brief(c) for c in engine.my_cases(session, actor)]


@router.get("/queue")
def queue_api(request: Request, actor: Actor = Depends(require(*OFFICIAL_ROLES)),
              session: Session = Depends(db_session)):
    return [_brief(c) for c in engine.work_queue(session, request.app.state.services.registry, actor)]


@router.get("/inbox")
def inbox_api(actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    from ipcity.web.templating import _tr_params

    return [{"id": i.id, "kind": i.kind, "title": _tr_params(i.title, i.params), "link": i.link,
             "read": i.read_at is not None, "closed": i.closed_at is not None, "created_at": i.created_at.isoformat()}
            for i in inbox.items_for(session, actor)]


@router.get("/cases/{case_id}")
def case_api(request: Request, case_id: int, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    return case_views.case_json(case_views.case_context(request, session, actor, case_id))


class ActPayload(BaseModel):
    """What a transition carries: `values` by field name (an object), and a `reason`. A value of another shape
    is a 422 naming the field, before anything runs."""

    values: dict[str, Any] | None = None
    reason: str | None = None


@router.post("/cases/{case_id}/act/{transition}")
def case_act_api(request: Request, case_id: int, transition: str, payload: ActPayload = Body(default=None),
                 actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    payload = payload or ActPayload()
    case_views.act(request, session, actor, case_id, transition, payload.values or {}, payload.reason or "")
    session.commit()
    return case_views.case_json(case_views.case_context(request, session, actor, case_id))
