"""Results cached until the data changes: every change writes an audit entry, so the newest audit
sequence number is a cheap, exact version stamp shared by all processes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipcity.core.tables import AuditEntry


def data_version(session: Session) -> int:
    """The newest audit sequence number; a request that only reads takes it once (web/deps.py keeps it in
    `session.info`), so all the caches it consults agree on one version."""
    memo = session.info.get("data_version")
    if memo is not None:
        return memo
    return session.connection().scalar(select(func.max(AuditEntry.seq))) or 0


class VersionedCache:
    """A small per-process cache: an entry is valid only for the data version it was computed at."""

    def __init__(self, max_entries: int = 64):
        self._entries: dict[Hashable, tuple[int, Any]] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get(self, key: Hashable, version: int, compute: Callable[[], Any]) -> Any:
        hit = self._entries.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = compute()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = (version, value)
        return value
