"""Use cases of the portal: what a person sees of cases, and adding documents to a case."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.errors import DomainError, PermissionDenied
from ipcity.core.files import FileStore, Upload
from ipcity.core.i18n import Msg
from ipcity.core.roles import Actor
from ipcity.workflow import engine
from ipcity.workflow.tables import Case


def visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    return ensure_visible(engine.get_case(session, case_id), actor)


def ensure_visible(case, actor: Actor):
    """The case (a row or its cached view) when the actor may see it; refused otherwise."""
    if not engine.may_view(case, actor):
        raise PermissionDenied(Msg("This case belongs to another person or unit"))
    return case


def may_see_case_file(session: Session, actor: Actor, owner_id: str) -> bool:
    case = session.get(Case, int(owner_id))
    return case is not None and engine.may_view(case, actor)


def may_see_job_file(session: Session, actor: Actor, owner_id: str) -> bool:
    from ipcity.core.jobs import may_see

    return may_see(session, actor, int(owner_id))


def add_documents(session: Session, files: FileStore, actor: Actor, case: Case, uploads: list[Upload]) -> list:
    """Attach documents to an open case; the applicant or the assigned unit may do it."""
    st = engine.standing(case, actor)
    if not (st.is_applicant or st.in_assigned_unit):
        raise PermissionDenied(Msg("Only the applicant or the assigned unit may add documents"))
    if case.closed_at is not None:
        raise DomainError(Msg("The case is closed; documents can no longer be added"), field="file")
    uploads = [u for u in uploads if u.filename]
    if not uploads:
        raise DomainError(Msg("Choose a file to upload"), field="file")
    added = [files.attach(session, u, engine.CASE_OWNER, case.id, actor.user_id) for u in uploads]
    for a in added:
        audit.record(session, actor, "case.document_add", "case", case.id, summary=a.filename,
                     detail={"sha256": a.sha256, "size": a.file.size})
    return added
