"""Verifying an applicant's identity (issue 14, finding 12; issue 15, item 13).

An applicant asks for it on their account page with materials (a company its business licence, a person their
identity document; uploaded through core/files.py and attached to an `IdentityRequest`). An official of the unit
that verifies identities (Settings.identity_unit, else the IP office) or an administrator sees the requests
waiting, examines the materials and verifies (stating the evidence) or refuses (stating the reason); an
administrator may also verify directly and revoke with a reason. The applicant is told by e-mail and sees the
state on their account page. Identity proofs are among the documents a pledge registration needs
(《专利权质押登记办法》 2021, the documents: identity proofs), and a data-IP registration needs an identified holder.

`User.identity_verified` is the flag the services check (data-IP filing, pledge registration); the who,
when and evidence live in the audit trail (chained and anchored) and on the request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import audit
from ipcity.core.clock import now
from ipcity.core.context import office_unit, settings_of
from ipcity.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from ipcity.core.files import ALLOWED, FileStore, Upload, attachments_of
from ipcity.core.i18n import Msg
from ipcity.core.registration import send_mail
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, OFFICIAL_ROLES, PUBLIC_ROLES, Actor
from ipcity.core.tables import Attachment, AuditEntry, IdentityRequest, User

VERIFIED = "user.identity_verified"
REVOKED = "user.identity_revoked"
MATERIAL_OPENED = "user.identity_material_opened"  # an official opened an applicant's identity document
SUBMITTED = "user.identity_submitted"
REFUSED = "user.identity_refused"
MAX_EVIDENCE = 1000  # characters: what was seen (document kind and number, in person or online), not the document
PENDING, DONE, NOT_DONE = "pending", "verified", "refused"  # IdentityRequest.status
OWNER = "identity_request"  # Attachment.owner_type of the materials
MAX_MATERIALS = 5
MATERIAL_TYPES = {ext: ALLOWED[ext] for ext in (".pdf", ".png", ".jpg", ".jpeg")}
REVIEWERS = frozenset({ADMIN, *OFFICIAL_ROLES})  # the roles a route may let in; may_decide narrows to the unit


@dataclass(frozen=True)
class IdentityEvent:
    action: str  # VERIFIED, REVOKED, SUBMITTED or REFUSED
    at: datetime
    by: str
    text: str  # the evidence, the reason for revoking or refusing, or the applicant's remark
    request_id: int | None = None


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
    # A request waiting for a decision is decided by this verification.
    request_ids = []
    for request in session.scalars(select(IdentityRequest).where(IdentityRequest.user_id == user.id,
                                                                 IdentityRequest.status == PENDING)):
        request.status, request.decided_at, request.decided_by = DONE, now(), actor.user_id
        request.decision_text = evidence
        request_ids.append(request.id)
    detail = {"evidence": evidence} | ({"request_id": request_ids[-1]} if request_ids else {})
    audit.record(session, actor, VERIFIED, "user", user.id, summary=user.username, detail=detail)


def revoke(session: Session, actor: Actor, user: User, reason: str) -> None:
    reason = _text(reason, "reason", Msg("Reason"))
    if not user.identity_verified:
        raise Conflict(Msg("The identity of {name} is not verified", name=user.username))
    user.identity_verified = False
    audit.record(session, actor, REVOKED, "user", user.id, summary=user.username, reason=reason)


def history(session: Session, user: User) -> list[IdentityEvent]:
    """Every request, verification, refusal and revocation of the account, newest first, from the audit trail."""
    rows = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "user",
                                                    AuditEntry.object_id == str(user.id),
                                                    AuditEntry.action.in_((VERIFIED, REVOKED, SUBMITTED, REFUSED)))
                           .order_by(AuditEntry.seq.desc()))
    events = []
    for e in rows:
        detail = json.loads(e.detail or "{}")
        text = {VERIFIED: detail.get("evidence", ""), SUBMITTED: detail.get("note", "")}.get(e.action, e.reason)
        events.append(IdentityEvent(e.action, datetime.fromisoformat(e.at), e.actor_name, text,
                                    detail.get("request_id")))
    return events


# --- requests with materials ------------------------------------------------------------------------------------

def may_decide(session: Session, actor: Actor) -> bool:
    """Administrators, and the officials of the unit that verifies identities (Settings.identity_unit, else the
    IP office)."""
    if actor.role == ADMIN:
        return True
    if actor.role not in OFFICIAL_ROLES or actor.unit_id is None:
        return False
    return actor.unit_id == office_unit(session, "identity_unit").id


def check_may_decide(session: Session, actor: Actor) -> None:
    if not may_decide(session, actor):
        raise PermissionDenied(Msg("Only the officials of the unit that verifies identities may do this"))


def latest_request(session: Session, user_id: int) -> IdentityRequest | None:
    return session.scalar(select(IdentityRequest).where(IdentityRequest.user_id == user_id)
                          .order_by(IdentityRequest.id.desc()).limit(1))


def submit(session: Session, actor: Actor, files: FileStore, uploads: list[Upload], note: str = "") -> IdentityRequest:
    """The applicant asks for verification with their materials; refused whole (nothing stored) when anything
    is wrong."""
    user = session.get(User, actor.user_id) if actor.user_id else None
    if user is None or user.role not in PUBLIC_ROLES:
        raise DomainError(Msg("Only applicants' identities are verified here"), field="materials")
    if user.identity_verified:
        raise Conflict(Msg("Your identity is verified already"), field="materials")
    if session.scalar(select(IdentityRequest.id).where(IdentityRequest.user_id == user.id,
                                                       IdentityRequest.status == PENDING)):
        raise Conflict(Msg("Your request is waiting for the office's decision already"), field="materials")
    note = (note or "").strip()
    if len(note) > MAX_EVIDENCE:
        raise DomainError(Msg("{field} is too long: at most {n} characters", field=Msg("Remark"), n=MAX_EVIDENCE),
                          field="note")
    uploads = [u for u in uploads if (u.filename or "").strip()]
    if not uploads:
        what = Msg("the business licence") if user.role == APPLICANT_COMPANY else Msg("your identity document")
        raise DomainError(Msg("Upload {what} (PDF, PNG or JPG)", what=what), field="materials")
    if len(uploads) > MAX_MATERIALS:
        raise DomainError(Msg("At most {n} files", n=MAX_MATERIALS), field="materials")
    total = sum(files.precheck(u, field="materials", allowed=MATERIAL_TYPES) for u in uploads)
    files.ensure_room(session, total, field="materials")
    request = IdentityRequest(user_id=user.id, status=PENDING, note=note, submitted_at=now())
    session.add(request)
    session.flush()
    names = [files.attach(session, u, OWNER, request.id, user.id, field="materials",
                          allowed=MATERIAL_TYPES).filename for u in uploads]
    audit.record(session, actor, SUBMITTED, "user", user.id, summary=user.username,
                 detail={"request_id": request.id, "files": names, "note": note})
    return request


def get_request(session: Session, request_id: int) -> IdentityRequest:
    request = session.get(IdentityRequest, request_id)
    if request is None:
        raise NotFound(Msg("No identity verification request number {id}", id=request_id))
    return request


def materials(session: Session, request: IdentityRequest) -> list[Attachment]:
    return attachments_of(session, OWNER, request.id)


def queue(session: Session, status: str = PENDING, limit: int = 200) -> list[IdentityRequest]:
    """Requests in one state: those waiting oldest first (the order they are handled in), decided ones newest
    first."""
    q = select(IdentityRequest).where(IdentityRequest.status == status).limit(limit)
    return list(session.scalars(q.order_by(IdentityRequest.submitted_at if status == PENDING
                                           else IdentityRequest.decided_at.desc())))


def decide(session: Session, actor: Actor, request: IdentityRequest, decision: str, text: str) -> None:
    """Verify (`text` = the evidence examined) or refuse (`text` = the reason) a waiting request; audited, and
    the applicant is told by e-mail."""
    check_may_decide(session, actor)
    if request.status != PENDING:
        raise Conflict(Msg("This request was decided already"), field="decision")
    user = request.user
    if decision == "verify":
        verify(session, actor, user, text)  # decides the request too
        subject = Msg("your identity is verified")
        said = [Msg("the office has verified the identity of the account {username}. You may now use the services "
                    "that require it.", username=user.username)]
    elif decision == "refuse":
        reason = _text(text, "reason", Msg("Reason"))
        request.status, request.decided_at, request.decided_by = NOT_DONE, now(), actor.user_id
        request.decision_text = reason
        audit.record(session, actor, REFUSED, "user", user.id, summary=user.username, reason=reason,
                     detail={"request_id": request.id})
        subject = Msg("your identity could not be verified")
        said = [Msg("the office could not verify the identity of the account {username}, for this reason:",
                    username=user.username), reason, Msg("You may send new materials from your account page.")]
    else:
        raise DomainError(Msg("Choose whether to verify or to refuse"), field="decision")
    if user.email:
        send_mail(session, user.email, subject, [Msg("Hello {name},", name=user.display_name), *said,
                                                 f"{settings_of(session).public_url}/account"], "identity.decision")
