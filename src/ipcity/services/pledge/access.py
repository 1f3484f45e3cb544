"""Who uses pledge registration (its role set), and who may download its files (the plugin's file_access
hooks): the contract, the identity proofs or commitment letter, the power of attorney, the valuation report,
co-owners' consents, change agreements and the notices are seen by the two parties, the registering body and
administrators — never the public (the gazette shows only what rules.md §3.1 says it publishes)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipcity.core.roles import ADMIN, OFFICIAL_ROLES, Actor
from ipcity.services.pledge import casetypes, service
from ipcity.services.pledge.tables import Pledge

USERS = casetypes.PLEDGORS | casetypes.PLEDGEES | OFFICIAL_ROLES | {ADMIN}  # pledgors, banks, the registering body


def may_see_pledge_file(session: Session, actor: Actor, owner_id: str) -> bool:
    try:
        pledge = session.get(Pledge, int(owner_id))
    except (TypeError, ValueError):
        return False
    return pledge is not None and service.PLEDGES.may_view(session, actor, pledge)


FILE_ACCESS = {owner: may_see_pledge_file for owner in service.FILE_OWNERS}
