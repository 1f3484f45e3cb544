"""Who may use patent valuation (rules.md §3.2; the pledge pages' users): banks, officials and administrators
value any patent in the register, a company only the patents its unit holds; the filed reports are seen by whoever
may value the patent (the plugin's file_access hook); the panel on a pledge application page is for the pledgee
bank, the registering body and administrators."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ipcity.core.errors import DomainError, PermissionDenied
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, BANK, OFFICIAL_ROLES, Actor
from ipcity.patents import register
from ipcity.patents.record import PatentRecord

USERS = frozenset({BANK, APPLICANT_COMPANY, ADMIN}) | OFFICIAL_ROLES
ANY_PATENT = frozenset({BANK, ADMIN}) | OFFICIAL_ROLES
PANEL_READERS = ANY_PATENT  # who sees the valuation panel on a pledge application page


def ensure_user(actor: Actor) -> None:
    if actor.role not in USERS:
        raise PermissionDenied(Msg("Patent valuation is for banks, officials, companies (their own patents) and "
                                   "administrators"))


def may_value(actor: Actor, record: PatentRecord) -> bool:
    if actor.role in ANY_PATENT:
        return True
    return actor.role == APPLICANT_COMPANY and bool(actor.unit_name) and actor.unit_name in record.applicants


def may_see_report(session: Session, actor: Actor, owner_id: str) -> bool:
    """file_access hook for REPORT_OWNER attachments: whoever may value the patent."""
    if actor.role not in USERS:
        return False
    try:
        return may_value(actor, register.find(session, owner_id))
    except DomainError:
        return False
