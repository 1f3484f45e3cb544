"""Accounts: units, users, login with lockout, server-side sessions, password change.

Companies and individuals may also open their own accounts (core/registration.py); such an account signs in
only once its e-mail address is confirmed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ipcity.core import audit, throttle
from ipcity.core.clock import now
from ipcity.core.config import Settings
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.roles import ROLES, UNIT_KINDS, Actor
from ipcity.core.security import (
    hash_password,
    needs_rehash,
    new_token,
    password_problems,
    token_digest,
    verify_password,
)
from ipcity.core.tables import Unit, User, WebSession

# argon2 work done even for unknown user names, so response time does not reveal which names exist.
_DUMMY_HASH = hash_password("not-a-real-password-0")


def _aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=UTC) if dt is not None and dt.tzinfo is None else dt


def create_unit(session: Session, actor: Actor, *, code: str, name_zh: str, kind: str, name_en: str = "",
                level: str = "municipal", parent_id: int | None = None, is_demo: bool = False) -> Unit:
    if kind not in UNIT_KINDS:
        raise DomainError(Msg("Unknown unit kind {kind}", kind=kind), field="kind")
    if not name_zh.strip():
        raise DomainError(Msg("The unit needs a Chinese name"), field="name_zh")
    if session.scalar(select(Unit.id).where(Unit.code == code)):
        raise DomainError(Msg("A unit with code {code} already exists", code=code), field="code")
    unit = Unit(code=code, name_zh=name_zh.strip(), name_en=name_en, kind=kind, level=level, parent_id=parent_id,
                is_demo=is_demo)
    session.add(unit)
    session.flush()
    audit.record(session, actor, "unit.create", "unit", unit.id, summary=name_zh)
    return unit


MAX_USERNAME = 64  # core/tables.py User.username


def username_problem(username: str) -> Msg | None:
    """What is wrong with a (stripped, lower-case) user name, or None."""
    if not username:
        return Msg("{field} is required", field=Msg("User name"))
    if len(username) > MAX_USERNAME:
        return Msg("{field} is too long: at most {n} characters", field=Msg("User name"), n=MAX_USERNAME)
    if not username.isascii() or not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        return Msg("User names use letters, digits, '.', '-' and '_' only")
    return None


def create_user(session: Session, actor: Actor, *, username: str, password: str, display_name: str, role: str,
                unit_id: int | None, email: str = "", is_demo: bool = False,
                identity_verified: bool = False, phone: str = "", email_confirmed: bool = True) -> User:
    username = username.strip().lower()
    if not username or not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise DomainError(Msg("User names use letters, digits, '.', '-' and '_' only"), field="username")
    if role not in ROLES:
        raise DomainError(Msg("Unknown role {role}", role=role), field="role")
    if session.scalar(select(User.id).where(User.username == username)):
        raise DomainError(Msg("The user name {name} is taken", name=username), field="username")
    problems = password_problems(password, username)
    if problems:
        raise DomainError(Msg(problems[0]), field="password", problems=[("password", Msg(p)) for p in problems])
    user = User(username=username, display_name=display_name.strip() or username, role=role, unit_id=unit_id,
                email=email, password_hash=hash_password(password), password_changed_at=now(), is_demo=is_demo,
                identity_verified=identity_verified, phone=phone, email_confirmed=email_confirmed)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, summary=username, detail={"role": role,
                                                                                          "unit_id": unit_id})
    return user


class TooManyAttempts(DomainError):
    status = 429


class EmailNotConfirmed(DomainError):
    """The right password for an account whose owner has not yet opened the confirmation link."""

    status = 403


def authenticate(session: Session, settings: Settings, username: str, password: str, *, address: str = "",
                 known_device: bool = False) -> User:
    """Check a sign-in. Failures slow down the guesser (core/throttle.py); every outcome on an account is audited.

    Unknown, inactive and throttled names get the same answers as real ones, so nothing tells which exist.
    The failure is committed at once: it must count even though the request fails.
    """
    username = (username or "").strip().lower()[:throttle.MAX_NAME]
    wait = throttle.wait_seconds(session, username, address, known_device=known_device)
    if wait:
        session.rollback()
        raise TooManyAttempts(Msg("Too many failed sign-ins; try again in {m} minutes", m=max(1, -(-wait // 60))),
                              field="password")
    user = session.scalar(select(User).where(User.username == username))
    known = user is not None and user.active
    stored = user.password_hash if known else _DUMMY_HASH
    session.rollback()  # no transaction stays open (or holds a lock) during the deliberately slow hash check
    if not verify_password(stored, password or "") or not known:
        started = throttle.record_failure(session, username, address, settings.login_policy)
        if known:
            audit.record(session, Actor.of(user), "login.throttled" if started else "login.failed", "user", user.id,
                         detail={"address": address})
        session.commit()
        raise DomainError(Msg("Wrong user name or password"), field="password")
    if not user.email_confirmed:
        # Said only to whoever knows the password: it tells a stranger nothing.
        raise EmailNotConfirmed(Msg("Confirm your e-mail address first: open the link we sent to it when you "
                                    "registered"), field="username")
    throttle.record_success(session, username, address)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, Actor.of(user), "login", "user", user.id, detail={"address": address})
    return user


def open_session(session: Session, settings: Settings, user: User) -> str:
    token = new_token()
    session.add(WebSession(id=token_digest(token), user_id=user.id, csrf_token=new_token(),
                           expires_at=now() + timedelta(hours=settings.session_hours)))
    session.flush()
    return token


def resolve_session(session: Session, token: str | None) -> tuple[User, WebSession] | None:
    if not token:
        return None
    row = session.execute(select(User, WebSession).join(WebSession, WebSession.user_id == User.id)
                          .where(WebSession.id == token_digest(token))).first()
    if row is None:
        return None
    user, ws = row
    if _aware(ws.expires_at) <= now() or not user.active:
        return None
    return user, ws


def close_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.id == token_digest(token)))


def change_password(session: Session, user: User, old: str, new: str, repeat: str) -> None:
    if not verify_password(user.password_hash, old or ""):
        raise DomainError(Msg("The current password is wrong"), field="old_password")
    if new != repeat:
        raise DomainError(Msg("The two new passwords differ"), field="repeat_password")
    if new == old:
        raise DomainError(Msg("The new password must differ from the current one"), field="new_password")
    problems = password_problems(new, user.username)
    if problems:
        raise DomainError(Msg(problems[0]), field="new_password",
                          problems=[("new_password", Msg(p)) for p in problems])
    user.password_hash = hash_password(new)
    user.password_changed_at = now()
    # Other sessions of this person end: a changed password must lock out whoever knew the old one.
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    audit.record(session, Actor.of(user), "user.password_change", "user", user.id)
