"""The log signer: integrates appended entries under a new signed tree head on a short timer, as CT logs do.

Two modes, from the Settings:
- deferred (`dataip_log_sign_ms` > 0 in a process that runs background work, `run_worker`): a step only appends
  its entries (each gets its signed inclusion promise at once) and this process's signer thread signs a head
  over whatever is pending every `dataip_log_sign_ms` milliseconds. Entries committed together land under one
  head; many steps within one period share one signature.
- inline (`dataip_log_sign_ms` = 0, or a process without background work: tests, the command line): every step
  signs a head over its entries in its own transaction, so no entry waits for a signer that may not run.

Several processes (uvicorn workers) each run a signer; `tlog.publish`'s compare-and-set on the state row lets
one of them win each head. A crash between an append and the next head loses nothing: the leaf is committed,
and the next signer in any process (or `ipcity dataip check`, which signs now) integrates it.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from ipcity.core.config import Settings
from ipcity.core.context import settings_of
from ipcity.core.db import READ_ONLY
from ipcity.services.dataip import signing, tlog
from ipcity.services.dataip.tables import TreeHead

log = logging.getLogger(__name__)
SIGN_NOW_ROUNDS = 5  # a round lost to another signer is retried: its head then covers the rest


def deferred(settings: Settings) -> bool:
    """Whether steps leave signing to this process's log signer (see the module's docstring)."""
    return settings.run_worker and settings.dataip_log_sign_ms > 0


def pending(session: Session) -> int:
    """Entries appended and not yet under a signed head, as this transaction sees them."""
    return tlog.size(session) - tlog.signed_size(session)


def sign_now(session: Session, signer: signing.RegistrySigner) -> TreeHead | None:
    """A signed head over every entry this transaction sees, signed here if needed (the caller commits);
    None for an empty log. On PostgreSQL a concurrent signer may win a round: its head is extended next."""
    for _ in range(SIGN_NOW_ROUNDS):
        if tlog.size(session) == 0:
            return None
        if pending(session) == 0:
            return tlog.latest_head(session)
        head = tlog.publish(session, signer)
        if head is not None and head.size >= tlog.size(session):
            return head
    raise tlog.LogIntegrityError(f"no head covering the log after {SIGN_NOW_ROUNDS} rounds of signing")


class LogSigner:
    """A daemon thread of one process that signs a head whenever entries are pending, every `interval_s`."""

    def __init__(self, write_sessions: sessionmaker, read_sessions: sessionmaker, signer: signing.RegistrySigner,
                 interval_s: float) -> None:
        self.write_sessions, self.read_sessions = write_sessions, read_sessions
        self.signer, self.interval_s = signer, interval_s
        self.heads = 0  # heads this signer wrote (what its rounds won)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> LogSigner:
        self._thread = threading.Thread(target=self._loop, name="ipcity-dataip-log-signer", daemon=True)
        self._thread.start()
        return self

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def round(self) -> TreeHead | None:
        """One round: nothing if nothing is pending. The tree is synced and the head signed in a read
        transaction, so appenders never wait for it; the write lock is held only for the compare-and-set that
        writes the head (tlog.write_head), which loses cleanly to another signer."""
        with self.read_sessions() as s:
            if pending(s) == 0:
                return None
            prepared = tlog.prepare_head(s, self.signer)
        if isinstance(prepared, TreeHead):
            return prepared
        with self.write_sessions() as s:  # SQLite: the write lock from BEGIN, so the read-then-write cannot fail
            head, wrote = tlog.write_head(s, prepared)
            s.commit()
        self.heads += wrote
        return head

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.round()
            except Exception:  # a failed round (database away, lock timeout) is retried on the next tick
                log.exception("dataip log signer round failed")


APPLICATION_INFO = ("settings", "files")  # what core/db.py's Database puts in every session's info
_signers: dict[str, LogSigner] = {}
_signers_lock = threading.Lock()


def ensure(session: Session, signer: signing.RegistrySigner) -> LogSigner | None:
    """This process's signer for the session's database, started on first use in deferred mode; None inline."""
    settings = settings_of(session)
    if not deferred(settings):
        return None
    bind = session.get_bind()
    key = str(bind.url)
    with _signers_lock:
        running = _signers.get(key)
        if running is None or not running.alive:
            # The application's own keys only: the caller's session.info also holds what its open transaction
            # carries (audit entries waiting to be chained, a head for the anchor file), which the signer's
            # sessions would otherwise share and commit a second time.
            info = {key: session.info[key] for key in APPLICATION_INFO if key in session.info}
            running = _signers[key] = LogSigner(
                sessionmaker(bind.execution_options(**{READ_ONLY: False}), info=info, expire_on_commit=False),
                sessionmaker(bind.execution_options(**{READ_ONLY: True}), info=info, expire_on_commit=False),
                signer, settings.dataip_log_sign_ms / 1000).start()
        return running


def stop_all() -> None:
    """Stop every signer of this process (tests; a process shutting down lets the daemon threads die)."""
    with _signers_lock:
        signers = list(_signers.values())
        _signers.clear()
    for s in signers:
        s.stop()
