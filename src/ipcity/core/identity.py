"""Verifying an applicant's identity (issue 14, finding 12): an administrator records who verified it, when
and on what evidence, and may revoke it with a reason.

`User.identity_verified` is the flag the services check (data-IP filing, pledge registration); the who,
when and evidence live in the audit trail (chained and anchored), so no column of their own is needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.errors import Conflict, DomainError
from ipcity.core.i18n import Msg
from ipcity.core.roles import PUBLIC_ROLES, Actor
from ipcity.core.tables import AuditEntry, User

VERIFIED = "user.identity_verified"
REVOKED = "user.identity_revoked"
MAX_EVIDENCE = 1000  # characters: what was seen (document kind and number, in person or online), not the document


@dataclass(frozen=True)
class IdentityEvent:
    action: str  # VERIFIED or REVOKED
    at: str
    by: str
    text: str  # the evidence, or the reason for revoking


def _text(value: str, field: str, label: Msg) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(Msg("{field} is required", field=label), field=field)
    if len(value) > MAX_EVIDENCE:
        raise DomainError(Msg("{field} is too long: at most {n} characters", field=label, n=MAX_EVIDENCE),
                          field=field)
    return value


def verify(session: Session, actor: Actor, user: User, evidence: str) -> None:
    """Mark the applicant's identity verified on the stated evidence; refused for officials' accounts."""
    evidence = _text(evidence, "evidence", Msg("Evidence"))
    if user.role not in PUBLIC_ROLES:
        raise DomainError(Msg("Only applicants' identities are verified here"), field="user")
    if user.identity_verified:
        raise Conflict(Msg("The identity of {name} is already verified", name=user.username))
    user.identity_verified = True
    audit.record(session, actor, VERIFIED, "user", user.id, summary=user.username, detail={"evidence": evidence})


def revoke(session: Session, actor: Actor, user: User, reason: str) -> None:
    reason = _text(reason, "reason", Msg("Reason"))
    if not user.identity_verified:
        raise Conflict(Msg("The identity of {name} is not verified", name=user.username))
    user.identity_verified = False
    audit.record(session, actor, REVOKED, "user", user.id, summary=user.username, reason=reason)


def history(session: Session, user: User) -> list[IdentityEvent]:
    """Every verification and revocation of the account, newest first, from the audit trail."""
    rows = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "user",
                                                    AuditEntry.object_id == str(user.id),
                                                    AuditEntry.action.in_((VERIFIED, REVOKED)))
                           .order_by(AuditEntry.seq.desc()))
    return [IdentityEvent(e.action, e.at, e.actor_name,
                          json.loads(e.detail or "{}").get("evidence", "") if e.action == VERIFIED else e.reason)
            for e in rows]
