"""What a case page and the case API show, and firing a transition on behalf of a person."""

from __future__ import annotations

from types import SimpleNamespace

from fastapi import Request
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ipcity.core.cache import VersionedCache, data_version
from ipcity.core.files import attachments_of
from ipcity.core.roles import Actor
from ipcity.core.tables import Unit
from ipcity.portal import services
from ipcity.workflow import engine

_VIEWS = VersionedCache(max_entries=512)


def _plain(row) -> SimpleNamespace:
    """A row's column values, usable after its session has closed and by any thread."""
    return SimpleNamespace(**{attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs})


def _case_view(session: Session, registry, case_id: int) -> SimpleNamespace:
    """The case with its history, deadlines, documents, units and subject link, as plain values."""
    case = engine.get_case(session, case_id)
    ct = registry.case_type(case.type_key)
    view = _plain(case)
    view.events, view.deadlines = [_plain(e) for e in case.events], [_plain(d) for d in case.deadlines]
    view.documents = [SimpleNamespace(id=a.id, filename=a.filename, sha256=a.sha256,
                                      file=SimpleNamespace(size=a.file.size))
                      for a in attachments_of(session, engine.CASE_OWNER, case.id)]
    ids = [i for i in (case.applicant_unit_id, case.assigned_unit_id) if i]
    units = {u.id: SimpleNamespace(name_zh=u.name_zh, name_en=u.name_en)
             for u in session.scalars(select(Unit).where(Unit.id.in_(ids)))} if ids else {}
    view.applicant_unit, view.assigned_unit = units.get(case.applicant_unit_id), units.get(case.assigned_unit_id)
    view.subject_link = ct.link(case) if ct.link else ""
    return view


def case_view(request: Request, session: Session, case_id: int) -> SimpleNamespace:
    """A request that only reads gets the view cached at its data version (every change to a case, its
    documents or its deadlines writes an audit entry: core/cache.py); one that writes reads it afresh."""
    registry = request.app.state.services.registry
    if not getattr(request.state, "read_only", False):
        return _case_view(session, registry, case_id)
    return _VIEWS.get((str(session.get_bind().url), case_id), data_version(session),
                      lambda: _case_view(session, registry, case_id))


def case_context(request: Request, session: Session, actor: Actor, case_id: int) -> dict:
    registry = request.app.state.services.registry
    case = services.ensure_visible(case_view(request, session, case_id), actor)
    ct = registry.case_type(case.type_key)
    standing = engine.standing(case, actor)
    return {
        "case": case, "type": ct, "state": ct.state(case.state),
        "deadlines": engine.deadlines(session, ct, case),
        "actions": engine.available_actions(ct, case, actor),
        "documents": case.documents,
        "applicant_unit": case.applicant_unit, "assigned_unit": case.assigned_unit,
        "subject_link": case.subject_link,
        "may_add_documents": case.closed_at is None and (standing.is_applicant or standing.in_assigned_unit),
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
                       "working_days_left": d.working_days_left, "overdue": d.overdue, "provisional": d.provisional,
                       "paused": d.paused, "resumed": d.resumed}
                      for d in ctx["deadlines"]],
        "history": [{"seq": e.seq, "transition": e.transition, "from": e.from_state, "to": e.to_state,
                     "actor": e.actor_name, "unit": e.unit_name, "at": e.at.isoformat(), "reason": e.reason}
                    for e in case.events],
        "documents": [{"id": a.id, "filename": a.filename, "sha256": a.sha256, "size": a.file.size}
                      for a in ctx["documents"]],
    }
