"""Who may do what in fast pre-examination: the role sets of its pages and API, the dashboard rule, and who may
download its files (the plugin's file_access hooks)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipcity.core.errors import PermissionDenied
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, OFFICIAL_ROLES, Actor
from ipcity.services.preexam import service
from ipcity.services.preexam.tables import Registration, Submission

USERS = frozenset({APPLICANT_COMPANY}) | OFFICIAL_ROLES | {ADMIN}
CENTRE = OFFICIAL_ROLES | {ADMIN}


def ensure_centre(session: Session, actor: Actor) -> None:
    """The dashboard: administrators and the officials of the protection centre."""
    if actor.role == ADMIN:
        return
    if actor.role not in OFFICIAL_ROLES or actor.unit_id != service.centre_unit(session).id:
        raise PermissionDenied(Msg("The dashboard is for the officials of the protection centre"))


def may_see_evidence(session: Session, actor: Actor, owner_id: str) -> bool:
    """A registration's evidence: the company, the centre, administrators."""
    reg = session.get(Registration, int(owner_id))
    return reg is not None and service.REGISTRATIONS.may_view(session, actor, reg)


def may_see_case_file(session: Session, actor: Actor, owner_id: str) -> bool:
    """A case's documents and notices: the company, the centre, administrators."""
    sub = session.get(Submission, int(owner_id))
    return sub is not None and service.SUBMISSIONS.may_view(session, actor, sub)
