"""Who may do what in the rights-protection network: the role sets of its pages, and who may download its files
(the plugin's file_access hooks)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipcity.core.roles import ADMIN, MEDIATOR, OFFICIAL_ROLES, PUBLIC_ROLES, Actor
from ipcity.services.rights import adjudication, service
from ipcity.services.rights.tables import Adjudication, RightsRequest

USERS = PUBLIC_ROLES | OFFICIAL_ROLES | {ADMIN, MEDIATOR}
OFFICIALS = OFFICIAL_ROLES | {ADMIN}
REQUESTERS = PUBLIC_ROLES


def may_see_evidence(session: Session, actor: Actor, owner_id: str) -> bool:
    """A request's evidence: the requester, the unit the request is with, administrators."""
    req = session.get(RightsRequest, int(owner_id))
    return req is not None and service.REQUESTS.may_view(session, actor, req)


def may_see_notice(session: Session, actor: Actor, owner_id: str) -> bool:
    """An adjudication's documents: the requester, the adjudicating office, administrators."""
    adj = session.get(Adjudication, int(owner_id))
    return adj is not None and adjudication.ADJUDICATIONS.may_view(session, actor, adj)
