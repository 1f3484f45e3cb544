"""Who may download the files of open licensing (the plugin's file_access hooks)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipcity.core.roles import Actor
from ipcity.services.openlicense import service
from ipcity.services.openlicense.tables import Declaration, Licence, Payment


def may_see_declaration_file(session: Session, actor: Actor, owner_id: str) -> bool:
    """Evaluation reports and pledgees' consents: the declarant, the office checking it, administrators."""
    d = session.get(Declaration, int(owner_id))
    return d is not None and service.may_view_declaration(session, actor, d)


def may_see_licence_file(session: Session, actor: Actor, owner_id: str) -> bool:
    """The written proof of a licence: the two parties, the office, administrators."""
    lic = session.get(Licence, int(owner_id))
    return lic is not None and service.may_view_licence(session, actor, lic)


def may_see_payment_file(session: Session, actor: Actor, owner_id: str) -> bool:
    payment = session.get(Payment, int(owner_id))
    lic = session.get(Licence, payment.licence_id) if payment is not None else None
    return lic is not None and service.may_view_licence(session, actor, lic)
