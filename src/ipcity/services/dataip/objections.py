"""What keeps the public objection form of data-IP registration from being used to fill the disk or to block
registrations: evidence limits, rate limits, and a verified contact for anonymous objectors.

Anyone may object to a product during its 15-day publicity (rules.md §1.2, Shanghai measures, still binding
per §14.11), so the form stays open to visitors without an account. What bounds it (limits in Settings):
- evidence: at most `objection_max_files` files and `objection_max_bytes` bytes, checked before any is stored;
- rate: objections per signed-in person, or per client address and per contact, and per product, within
  `objection_window_hours`;
- a confirmed contact: an anonymous objection waits until the code sent to the objector's e-mail address or
  mobile phone (core/notify.py) is entered; only then is it filed, logged and does it block registration.

The counts are read without a lock: concurrent requests may overshoot a limit by the number in flight.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from ipcity.core.clock import now
from ipcity.core.config import Settings
from ipcity.core.db import lock_for_append
from ipcity.core.errors import DomainError
from ipcity.core.files import FileStore, Upload
from ipcity.core.i18n import Msg
from ipcity.core.notify import Message, notifier_of
from ipcity.services.dataip.tables import ContactCode, Objection

PENDING, FILED = "pending", "filed"
PURPOSE = "dataip.objection_code"
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")  # mainland mobile numbers (an SMS must reach it)


class CodeRejected(DomainError):
    """A wrong code. The attempt was counted: the caller commits that count (the one write a refusal keeps,
    since it is what bounds guessing) and shows the error."""


# --- contact -----------------------------------------------------------------------------------------------

def contact_channel(contact: str) -> tuple[str, str]:
    """The channel a code can reach and the contact normalised: an e-mail address or a mobile number."""
    text = (contact or "").strip()
    if "@" in text:
        if len(text) <= 200 and EMAIL.match(text):
            return "email", text.lower()
    else:
        digits = re.sub(r"[\s\-()]", "", text)
        for prefix in ("+86", "0086"):
            digits = digits.removeprefix(prefix)
        if MOBILE.match(digits):
            return "sms", digits
    raise DomainError(Msg("Give an e-mail address or a mobile phone number: the confirmation code is sent to it"),
                      field="objector_contact")


# --- evidence and rate ---------------------------------------------------------------------------------------

def check_evidence(session: Session, store: FileStore, settings: Settings, uploads: list[Upload],
                   allowed: dict[str, set[str]]) -> None:
    """Refuse too many, too large, wrong or unstorable evidence files before any of them is stored."""
    if len(uploads) > settings.objection_max_files:
        raise DomainError(Msg("At most {n} evidence files per objection", n=settings.objection_max_files),
                          field="evidence")
    total = sum(store.precheck(u, field="evidence", allowed=allowed) for u in uploads)
    if total > settings.objection_max_bytes:
        raise DomainError(Msg("The evidence files together are larger than {limit} MB",
                              limit=settings.objection_max_bytes // (1024 * 1024)), field="evidence")
    store.ensure_room(session, total, field="evidence")


def _count(session: Session, *conditions) -> int:
    return session.scalar(select(func.count()).select_from(Objection).where(*conditions)) or 0


def check_rate(session: Session, settings: Settings, product_id: int, *, user_id: int | None, client: str,
               contact: str) -> None:
    # Count concurrent objections one at a time, or two at once could both pass the last free place
    # (PostgreSQL advisory locks to the end of the transaction, always product first, then the objector's
    # keys in order, so they cannot deadlock; on SQLite the request already holds the write lock).
    lock_for_append(session, f"objection:product:{product_id}")
    keys = [f"objection:user:{user_id}"] if user_id is not None else [f"objection:contact:{contact}"] + (
        [f"objection:client:{client}"] if client else [])
    for key in sorted(keys):
        lock_for_append(session, key)
    since = now() - timedelta(hours=settings.objection_window_hours)
    recent = Objection.filed_at >= since
    if user_id is not None:
        mine = Objection.objector_user_id == user_id
    else:  # the same address or the same contact, whichever is reached first
        mine = Objection.objector_user_id.is_(None) & or_(Objection.objector_contact == contact,
                                                          *([Objection.client_address == client] if client else []))
    if _count(session, recent, mine) >= settings.objection_limit_per_client:
        raise DomainError(Msg("You have filed {n} objections in the last {hours} hours; try again later",
                              n=settings.objection_limit_per_client, hours=settings.objection_window_hours))
    # An unconfirmed objection holds a place on the product only while its code is live.
    live = select(ContactCode.objection_id).where(ContactCode.expires_at > now(), ContactCode.used_at.is_(None))
    counted = or_(Objection.status == FILED, Objection.id.in_(live))
    if _count(session, recent, Objection.product_id == product_id, counted) >= settings.objection_limit_per_product:
        raise DomainError(Msg("This product has received {n} objections in the last {hours} hours; try again later",
                              n=settings.objection_limit_per_product, hours=settings.objection_window_hours))


# --- confirmation codes ----------------------------------------------------------------------------------------

def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _mac(ticket: str, code: str) -> str:
    # Keyed with the ticket, which is not stored: the table alone does not give the 10^6 codes to try.
    return hmac.new(ticket.encode(), code.encode(), hashlib.sha256).hexdigest()


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def issue_code(session: Session, settings: Settings, objection: Objection, channel: str, contact: str,
               number: str) -> str:
    """Send a 6-digit code to the contact; return the ticket the objector's browser keeps to confirm it."""
    ticket, code = secrets.token_urlsafe(24), f"{secrets.randbelow(10**6):06d}"
    session.add(ContactCode(objection_id=objection.id, channel=channel, contact=contact, ticket_hash=_sha(ticket),
                            code_hash=_mac(ticket, code), attempts=0,
                            expires_at=now() + timedelta(minutes=settings.contact_code_minutes)))
    subject = Msg("Confirm your objection to {number}", number=number)
    body = Msg("Your code to confirm the objection to {number} is {code}. It is valid for {minutes} minutes. If you "
               "did not file this objection, ignore this message.", number=number, code=code,
               minutes=settings.contact_code_minutes)
    notifier_of(session).send(session, Message(channel, contact, subject.render(), body.render(), PURPOSE))
    session.flush()
    return ticket


def redeem(session: Session, settings: Settings, ticket: str, code: str) -> Objection:
    """The pending objection whose code this is; the code is spent. Expired, spent and over-tried codes are
    refused, and every wrong code counts toward `contact_code_attempts`."""
    row = session.scalar(select(ContactCode).where(ContactCode.ticket_hash == _sha(ticket or "")))
    if row is None:
        raise DomainError(Msg("This confirmation is unknown; file the objection again"), field="code")
    if row.used_at is not None:
        raise DomainError(Msg("This objection has been confirmed already"), field="code")
    if _aware(row.expires_at) <= now():
        raise DomainError(Msg("The code has expired; file the objection again"), field="code")
    # Count the attempt atomically before comparing, so that concurrent guesses cannot exceed the limit.
    counted = session.execute(update(ContactCode).where(
        ContactCode.id == row.id, ContactCode.used_at.is_(None),
        ContactCode.attempts < settings.contact_code_attempts).values(attempts=ContactCode.attempts + 1)
        .execution_options(synchronize_session=False))
    if counted.rowcount != 1:
        raise DomainError(Msg("Too many wrong codes; file the objection again"), field="code")
    session.refresh(row)
    if not hmac.compare_digest(row.code_hash, _mac(ticket, (code or "").strip())):
        left = settings.contact_code_attempts - row.attempts
        if left <= 0:
            raise CodeRejected(Msg("Too many wrong codes; file the objection again"), field="code")
        raise CodeRejected(Msg("The code is wrong; {n} attempts left", n=left), field="code")
    spent = session.execute(update(ContactCode).where(ContactCode.id == row.id, ContactCode.used_at.is_(None))
                            .values(used_at=now()).execution_options(synchronize_session=False))
    if spent.rowcount != 1:  # a concurrent request confirmed it first: single use
        raise DomainError(Msg("This objection has been confirmed already"), field="code")
    return session.get(Objection, row.objection_id)
