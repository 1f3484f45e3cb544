"""Who may use data-IP registration's signed-in pages (its role sets) and who may download its files (the
plugin's file_access hooks)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipcity.core.roles import ADMIN, OFFICIAL_ROLES, Actor
from ipcity.services.dataip import casetypes, service
from ipcity.services.dataip.tables import DataProduct, Objection
from ipcity.workflow.tables import Case

USERS = casetypes.APPLICANTS | OFFICIAL_ROLES | {ADMIN}  # the signed-in pages: applicants, officials, administrators
AUDITORS = OFFICIAL_ROLES | {ADMIN}                     # the integrity check of the log


def may_see_product_file(session: Session, actor: Actor, owner_id: str) -> bool:
    """Samples and certificates: the holder, the registration body, administrators."""
    product = session.get(DataProduct, int(owner_id))
    return product is not None and service.PRODUCTS.may_view(session, actor, product)


def may_see_objection_file(session: Session, actor: Actor, owner_id: str) -> bool:
    """Objection evidence: the objector, the registration body and administrators (not the public)."""
    objection = session.get(Objection, int(owner_id))
    if objection is None:
        return False
    if actor.role == ADMIN or (actor.user_id is not None and objection.objector_user_id == actor.user_id):
        return True
    if objection.status != "filed":  # an anonymous objection whose contact is not confirmed is nobody's yet
        return False
    case = session.get(Case, session.get(DataProduct, objection.product_id).case_id)
    return actor.role in OFFICIAL_ROLES and case.assigned_unit_id == actor.unit_id
