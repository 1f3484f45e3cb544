"""Messages to people outside the platform (an e-mail address or a phone number) through a pluggable notifier.

A notifier is anything with `send(session, message)`. No mail or SMS service is reachable from a default
installation, so the default (`OutboxNotifier`) queues each message in the outbox table, in the caller's
transaction, for an operator or a relay to deliver: a refused request leaves no message behind. Another
notifier is named by `Settings.notifier` or put in `session.info["notifier"]` (as tests do with
`MemoryNotifier`):

- "file" (`FileNotifier`, the demo's default): one RFC 5322 `.eml` file per message under
  `<data dir>/outbox/`, written once the caller's transaction commits, so that a person trying the platform can
  open the confirmation link they were sent (`ipcity outbox list` / `ipcity outbox show`, or any mail reader);
- "smtp" (`SmtpNotifier`): queued in the outbox table like the default, then sent through the configured mail
  server once the transaction commits, and marked sent; a message the server refuses stays unsent in the table;
- "package.module:factory": anything else.

Messages may carry single-use links or codes: no log line of this module contains a message's body.
"""

from __future__ import annotations

import importlib
import logging
import os
import secrets
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid, parsedate_to_datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ipcity.core.clock import now
from ipcity.core.config import Settings
from ipcity.core.context import settings_of
from ipcity.core.tables import OutboxMessage

log = logging.getLogger(__name__)
CHANNELS = ("email", "sms")


@dataclass(frozen=True)
class Message:
    channel: str  # "email" or "sms"
    to: str
    subject: str
    body: str
    purpose: str  # what the message is for, e.g. "dataip.objection_code"


class Notifier(Protocol):
    def send(self, session: Session, message: Message) -> None: ...


class OutboxNotifier:
    """Queue the message in `notify_outbox`; the log names it without its body (it may carry a code)."""

    def send(self, session: Session, message: Message) -> None:
        self.queue(session, message)

    def queue(self, session: Session, message: Message) -> OutboxMessage:
        row = OutboxMessage(channel=message.channel, recipient=message.to[:200], subject=message.subject[:300],
                            body=message.body, purpose=message.purpose[:64])
        session.add(row)
        session.flush()
        log.info("outbox message %s queued: %s to %s (%s)", row.id, message.channel, message.to, message.purpose)
        return row


# --- after the commit ----------------------------------------------------------------------------------------

_AFTER_COMMIT = "ipcity.notify.after_commit"  # session.info: what to do once the transaction has committed


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run `action` once the caller's transaction commits; nothing if it rolls back (a refused request sends
    nothing). A failing action is logged, never raised: the change it follows is committed already."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for action in session.info.pop(_AFTER_COMMIT, ()):
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - delivery must not turn a committed request into an error
            log.error("a message could not be delivered: %s", type(exc).__name__)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_AFTER_COMMIT, None)


# --- e-mail --------------------------------------------------------------------------------------------------

def sender_of(settings: Settings) -> str:
    return settings.mail_from or f"noreply@{urlparse(settings.public_url).hostname or 'localhost'}"


def as_email(message: Message, sender: str) -> EmailMessage:
    """The message as an RFC 5322 e-mail (UTF-8); a header with a line break is refused by the library."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(now())
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    mail["X-Ipcity-Channel"] = message.channel
    mail["X-Ipcity-Purpose"] = message.purpose
    mail.set_content(message.body)
    return mail


class FileNotifier:
    """Write each message as one `.eml` file under `directory` once the transaction commits (the demo's default).

    The files carry live links: the folder and the files are readable by their owner only.
    """

    def __init__(self, directory: Path, sender: str):
        self.directory = Path(directory)
        self.sender = sender

    def send(self, session: Session, message: Message) -> None:
        data = bytes(as_email(message, self.sender))  # built now: a malformed message fails the request
        name = f"{now().strftime('%Y%m%dT%H%M%S%fZ')}-{secrets.token_hex(4)}.eml"

        def write() -> None:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = self.directory / name
            tmp = target.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, target)
            log.info("outbox file %s written: %s to %s (%s)", name, message.channel, message.to, message.purpose)

        after_commit(session, write)


class SmtpNotifier(OutboxNotifier):
    """Queue the message in the outbox table (in the transaction), then send it through the mail server once
    the transaction commits and mark it sent. Text messages (SMS) stay queued for a relay."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def send(self, session: Session, message: Message) -> None:
        row = self.queue(session, message)
        if message.channel != "email":
            return
        mail = as_email(message, sender_of(self.settings))
        bind, row_id = session.get_bind(), row.id

        def deliver() -> None:
            smtp_send(self.settings, mail)
            with bind.begin() as conn:
                conn.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(sent_at=now()))
            log.info("outbox message %s sent to %s (%s)", row_id, message.to, message.purpose)

        after_commit(session, deliver)


def smtp_send(settings: Settings, mail: EmailMessage) -> None:
    """One message through the configured server (Settings.smtp_*)."""
    context = ssl.create_default_context()
    timeout = settings.smtp_timeout_seconds
    if settings.smtp_security == "ssl":
        server = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
    with server:
        if settings.smtp_security == "starttls":
            server.starttls(context=context)
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password)
        server.send_message(mail)


@dataclass
class MemoryNotifier:
    """A test double: keeps what it was asked to send."""

    sent: list[Message] = field(default_factory=list)

    def send(self, session: Session, message: Message) -> None:
        self.sent.append(message)


def load(settings: Settings) -> Notifier:
    name = settings.notifier
    if name in ("", "outbox"):
        return OutboxNotifier()
    if name == "file":
        return FileNotifier(settings.outbox_dir, sender_of(settings))
    if name == "smtp":
        return SmtpNotifier(settings)
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)()


def notifier_of(session: Session) -> Notifier:
    found = session.info.get("notifier")
    if found is None:
        found = session.info["notifier"] = load(settings_of(session))
    return found


# --- reading what was sent (`ipcity outbox list` / `show`) ---------------------------------------------------

@dataclass(frozen=True)
class Stored:
    key: str  # the row id in the outbox table, or the file name in the outbox folder
    at: datetime
    channel: str
    to: str
    subject: str
    purpose: str
    sent: bool | None  # sent by the platform (table rows); None for files, which nobody marks
    body: str


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def _from_row(row: OutboxMessage) -> Stored:
    return Stored(str(row.id), _aware(row.created_at), row.channel, row.recipient, row.subject, row.purpose,
                  row.sent_at is not None, row.body)


def _from_file(path: Path) -> Stored:
    with path.open("rb") as fh:
        mail = BytesParser(policy=policy.default).parse(fh)
    try:
        at = _aware(parsedate_to_datetime(mail["Date"]))
    except (TypeError, ValueError):
        at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    body = mail.get_body(("plain",))
    return Stored(path.name, at, str(mail["X-Ipcity-Channel"] or "email"), str(mail["To"] or ""),
                  str(mail["Subject"] or ""), str(mail["X-Ipcity-Purpose"] or ""), None,
                  body.get_content() if body is not None else "")


def stored_messages(session: Session, settings: Settings, *, unsent_only: bool = False,
                    limit: int = 50) -> list[Stored]:
    """The newest messages, from the outbox table and the outbox folder together, newest first."""
    q = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if unsent_only:
        q = q.where(OutboxMessage.sent_at.is_(None))
    found = [_from_row(r) for r in session.scalars(q)]
    folder = settings.outbox_dir
    if folder.is_dir():
        files = sorted(folder.glob("*.eml"), reverse=True)[:limit]
        found += [_from_file(p) for p in files]
    return sorted(found, key=lambda m: m.at, reverse=True)[:limit]


def stored_message(session: Session, settings: Settings, key: str) -> Stored | None:
    """One message by its key: a table row's id, or a file name in the outbox folder (nothing outside it)."""
    if key.isdigit():
        row = session.get(OutboxMessage, int(key))
        return _from_row(row) if row is not None else None
    name = Path(key).name
    path = settings.outbox_dir / name
    if name != key or not name.endswith(".eml") or not path.is_file():
        return None
    return _from_file(path)
