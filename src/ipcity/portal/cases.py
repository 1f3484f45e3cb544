"""What a case page and the case API show, and firing a transition on behalf of a person."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from ipcity.core.files import attachments_of
from ipcity.core.roles import Actor
from ipcity.core.tables import Unit
from ipcity.portal import services
from ipcity.workflow import engine


def case_context(request: Request, session: Session, actor: Actor, case_id: int) -> dict:
    registry = request.app.state.services.registry
    case = services.visible_case(session, actor, case_id)
    ct = registry.case_type(case.type_key)
    units = {u.id: u for u in session.query(Unit).filter(Unit.id.in_(
        [i for i in (case.applicant_unit_id, case.assigned_unit_id) if i]))}
    return {
        "case": case, "type": ct, "state": ct.state(case.state),
        "deadlines": engine.deadlines(session, ct, case),
        "actions": engine.available_actions(ct, case, actor),
        "documents": attachments_of(session, engine.CASE_OWNER, case.id),
        "applicant_unit": units.get(case.applicant_unit_id), "assigned_unit": units.get(case.assigned_unit_id),
        "subject_link": ct.link(case) if ct.link else "",
        "may_add_documents": case.closed_at is None and (engine.standing(case, actor).is_applicant
                                                         or engine.standing(case, actor).in_assigned_unit),
    }


def act(request: Request, session: Session, actor: Actor, case_id: int, transition: str, values: dict,
        reason: str):
    registry = request.app.state.services.registry
    case = services.visible_case(session, actor, case_id)
    ct = registry.case_type(case.type_key)
    return engine.fire(session, ct, case, transition, actor, values=values, reason=reason)


def case_json(ctx: dict) -> dict:
    case, ct = ctx["case"], ctx["type"]
    return {
        "id": case.id, "number": case.number, "type": ct.key, "title": case.title, "state": case.state,
        "state_label": ctx["state"].label.render(), "data": case.data,
        "applicant_unit": ctx["applicant_unit"].name_zh if ctx["applicant_unit"] else None,
        "assigned_unit": ctx["assigned_unit"].name_zh if ctx["assigned_unit"] else None,
        "actions": [t.key for t in ctx["actions"]],
        "deadlines": [{"label": d.label.render(), "basis": d.basis, "started_on": d.started_on.isoformat(),
                       "due_on": d.due_on.isoformat(), "stopped_on": d.stopped_on.isoformat() if d.stopped_on else None,
                       "working_days_left": d.working_days_left, "overdue": d.overdue, "provisional": d.provisional}
                      for d in ctx["deadlines"]],
        "history": [{"seq": e.seq, "transition": e.transition, "from": e.from_state, "to": e.to_state,
                     "actor": e.actor_name, "unit": e.unit_name, "at": e.at.isoformat(), "reason": e.reason}
                    for e in case.events],
        "documents": [{"id": a.id, "filename": a.filename, "sha256": a.sha256, "size": a.file.size}
                      for a in ctx["documents"]],
    }
