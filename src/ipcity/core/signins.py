"""Who a session token belongs to, cached per process for one data version.

Every change that ends or alters a sign-in writes an audit entry in the same transaction (logout, password
change or reset, a user's status or role, a unit's name), so the newest audit sequence number
(core/cache.py) is a version that no stale entry survives, in this process or any other. An entry also ends
with its session's expiry, and this process forgets a token at once on logout.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from ipcity.core import accounts
from ipcity.core.clock import now
from ipcity.core.roles import Actor
from ipcity.core.security import token_digest
from ipcity.core.tables import AuditEntry, InboxItem, User, WebSession

MAX_ENTRIES = 4096  # sign-ins remembered by one process; past it the cache starts again


@dataclass(frozen=True)
class SignedIn:
    """Plain values of a valid session: usable after the database session has closed."""

    actor: Actor
    csrf_token: str
    unit_kind: str | None
    expires_at: datetime


_entries: dict[tuple[str, str], tuple[int, SignedIn]] = {}
_lock = threading.Lock()


def _key(session: Session, token: str) -> tuple[str, str]:
    return str(session.get_bind().url), token_digest(token)


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _stamp_query():
    holder = select(WebSession.user_id).where(WebSession.id == bindparam("digest")).scalar_subquery()
    unit = select(User.unit_id).where(User.id == holder).scalar_subquery()
    unread = select(func.count()).select_from(InboxItem).where(
        or_(InboxItem.user_id == holder, (InboxItem.unit_id == unit) & InboxItem.user_id.is_(None)),
        InboxItem.read_at.is_(None), InboxItem.closed_at.is_(None)).scalar_subquery()
    return select(func.coalesce(select(func.max(AuditEntry.seq)).scalar_subquery(), 0), unread)


_STAMP = _stamp_query()


def request_stamp(session: Session, token: str) -> tuple[int, int]:
    """The data version (core/cache.py) and the unread count of the token holder's inbox (core/inbox.py's
    rule: their own items and their unit's), in one statement: every page a person opens asks both."""
    version, unread = session.connection().execute(_STAMP, {"digest": token_digest(token)}).one()
    return int(version), int(unread or 0)


def resolve(session: Session, token: str | None, version: int | None = None) -> SignedIn | None:
    """The signed-in person of `token`, or None. With `version` (the data version this request read), an entry
    made at that version is used without a query."""
    if not token:
        return None
    key = _key(session, token)
    if version is not None:
        hit = _entries.get(key)
        if hit is not None and hit[0] == version and hit[1].expires_at > now():
            return hit[1]
    found = accounts.resolve_session(session, token)
    if found is None:
        _entries.pop(key, None)
        return None
    user, ws = found
    signed = SignedIn(Actor.of(user), ws.csrf_token, user.unit.kind if user.unit_id else None,
                      _aware(ws.expires_at))
    if version is not None:
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[key] = (version, signed)
    return signed


def forget(session: Session, token: str | None) -> None:
    """Drop a token at once (logout), before the version of the logout's audit entry is read."""
    if token:
        _entries.pop(_key(session, token), None)
