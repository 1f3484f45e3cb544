"""Tables of the core: units, users, sessions, audit trail, holidays, files, jobs, inbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipcity.core.clock import now
from ipcity.core.db import Base


class Unit(Base):
    """An organisation a person belongs to: office, division, district, centre, bank, agency, company."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200), index=True)
    name_en: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(32), index=True)
    level: Mapped[str] = mapped_column(String(16), default="municipal")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # 统一社会信用代码 (GB 32100-2015) of a company that registered itself (core/registration.py); one unit per code.
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True, index=True)


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # False only for a self-registered account whose owner has not yet opened the link mailed to them
    # (core/registration.py); accounts an administrator creates need no confirmation.
    email_confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    identity_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    unit: Mapped[Unit | None] = relationship(lazy="joined")


class WebSession(Base):
    """Server-side session; the cookie carries only a random token whose hash is the key."""

    __tablename__ = "web_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """One hash-chained line of the audit trail (see core/audit.py)."""

    __tablename__ = "audit_entry"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    unit_id: Mapped[int | None] = mapped_column(Integer)
    unit_name: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_object", "object_type", "object_id"),)


class Holiday(Base):
    """A day that differs from the Monday–Friday rule: a public holiday or a make-up working day (调休)."""

    __tablename__ = "holiday"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    is_off_day: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(300), default="")


class StoredFile(Base):
    __tablename__ = "stored_file"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class Attachment(Base):
    """A stored file attached to an object of some service; the service decides who may see it."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    owner_type: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    file: Mapped[StoredFile] = relationship(lazy="joined")

    __table_args__ = (Index("ix_attachment_owner", "owner_type", "owner_id"),)


class Job(Base):
    __tablename__ = "job"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    params: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The queue's bookkeeping (core/jobs.py): runs claimed so far (the running one included), when a retry may
    # start, who holds the running job (host:pid:random) and when it last said it is alive.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    worker_id: Mapped[str | None] = mapped_column(String(100))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class InboxItem(Base):
    """A task (something to do) or a notice, addressed to a person or to a whole unit."""

    __tablename__ = "inbox_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))  # an English msgid, shown in the reader's language
    params: Mapped[dict] = mapped_column(default=dict)
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SerialCounter(Base):
    """The last serial handed out under one key (a case type and year, a register and year): core/serials.py."""

    __tablename__ = "serial_counter"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class LoginThrottle(Base):
    """Failed sign-ins counted per account, per client address and per pair of both: core/throttle.py.

    Times are POSIX seconds so that the atomic upsert compares plain numbers on both databases.
    """

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[float] = mapped_column(Float)
    blocked_until: Mapped[float] = mapped_column(Float, default=0.0)


class OutboxMessage(Base):
    """A message to someone outside the platform (an e-mail address, a phone), queued by core/notify.py.

    The default installation reaches no mail or SMS service: an operator or a relay reads the unsent rows,
    delivers them and sets `sent_at`.
    """

    __tablename__ = "notify_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # "email" or "sms"
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class AuditCheckpoint(Base):
    """A signed checkpoint of the audit chain's head (core/audit_anchor.py): entry `seq` had hash `entry_hash`.

    Ids are consecutive; each signature is Ed25519 over the checkpoint with the installation's key, kept outside
    the database, so the chain up to the last checkpoint cannot be truncated, rewritten or extended unseen.
    """

    __tablename__ = "audit_checkpoint"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))
    signature: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(64))


class AccountToken(Base):
    """A single-use link mailed to a person: e-mail confirmation or password reset (core/registration.py).

    Only the sha256 of the token is kept; the token itself exists in the message and nowhere else.
    """

    __tablename__ = "account_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # "confirm" or "reset"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IdentityRequest(Base):
    """An applicant's request to have their identity verified, with materials attached (owner type
    "identity_request"), and the official's decision (core/identity.py)."""

    __tablename__ = "identity_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending, verified, refused
    note: Mapped[str] = mapped_column(Text, default="")  # the applicant's remark
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_text: Mapped[str] = mapped_column(Text, default="")  # evidence examined, or the reason for refusing
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
