"""Messages to people outside the platform (an e-mail address or a phone number) through a pluggable notifier.

A notifier is anything with `send(session, message)`. No mail or SMS service is reachable from a default
installation, so the default (`OutboxNotifier`) queues each message in the outbox table, in the caller's
transaction, for an operator or a relay to deliver: a refused request leaves no message behind. Another
notifier is named by `Settings.notifier` ("package.module:factory") or put in `session.info["notifier"]`
(as tests do with `MemoryNotifier`).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session

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
        row = OutboxMessage(channel=message.channel, recipient=message.to[:200], subject=message.subject[:300],
                            body=message.body, purpose=message.purpose[:64])
        session.add(row)
        session.flush()
        log.info("outbox message %s queued: %s to %s (%s)", row.id, message.channel, message.to, message.purpose)


@dataclass
class MemoryNotifier:
    """A test double: keeps what it was asked to send."""

    sent: list[Message] = field(default_factory=list)

    def send(self, session: Session, message: Message) -> None:
        self.sent.append(message)


def _load(name: str) -> Notifier:
    if name in ("", "outbox"):
        return OutboxNotifier()
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)()


def notifier_of(session: Session) -> Notifier:
    found = session.info.get("notifier")
    if found is None:
        found = session.info["notifier"] = _load(settings_of(session).notifier)
    return found
