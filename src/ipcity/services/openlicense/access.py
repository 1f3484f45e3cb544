"""Who may do what in open licensing: the role sets of its pages and API, the statistics rule, and who may
download its files (the plugin's file_access hooks)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipcity.core.errors import PermissionDenied
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, OFFICIAL_ROLES, Actor
from ipcity.services.openlicense import service
from ipcity.services.openlicense.tables import Declaration, Licence, Payment

USERS = frozenset({APPLICANT_COMPANY}) | OFFICIAL_ROLES | {ADMIN}  # declarations, licences, fees, matchmaking
AUDITORS = OFFICIAL_ROLES | {ADMIN}


def ensure_office(session: Session, actor: Actor) -> None:
    """Statistics: administrators and the officials of the office that checks declarations."""
    if actor.role == ADMIN:
        return
    if actor.role not in OFFICIAL_ROLES or actor.unit_id != service.office_unit(session).id:
        raise PermissionDenied(Msg("Statistics are for the officials of the IP office"))


def may_see_declaration_file(session: Session, actor: Actor, owner_id: str) -> bool:
    """Evaluation reports and pledgees' consents: the declarant, the office checking it, administrators."""
    d = session.get(Declaration, int(owner_id))
    return d is not None and service.DECLARATIONS.may_view(session, actor, d)


def may_see_licence_file(session: Session, actor: Actor, owner_id: str) -> bool:
    """The written proof of a licence: the two parties, the office, administrators."""
    lic = session.get(Licence, int(owner_id))
    return lic is not None and service.LICENCES.may_view(session, actor, lic)


def may_see_payment_file(session: Session, actor: Actor, owner_id: str) -> bool:
    payment = session.get(Payment, int(owner_id))
    lic = session.get(Licence, payment.licence_id) if payment is not None else None
    return lic is not None and service.LICENCES.may_view(session, actor, lic)
