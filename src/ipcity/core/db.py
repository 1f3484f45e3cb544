"""Database engine and sessions: SQLite (WAL) by default, PostgreSQL in production; Alembic migrations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import JSON, MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict: JSON, list: JSON}


# How long a SQLite writer waits in the queue for the write lock before its request fails. Writers queue
# rather than fail (BEGIN IMMEDIATE, below); at 50 concurrent clients on 2 cores the queue reached 10 s
# (bench/load.py), so the wait is a generous 30 s, as long as a client waits for an answer.
SQLITE_BUSY_SECONDS = 30
READ_ONLY = "ipcity_read_only"  # execution option of the read-only engine (Database.session(write=False))


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # The driver must not open transactions itself: `_sqlite_begin` does (SQLAlchemy's documented recipe).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cur.close()


def _sqlite_begin(conn) -> None:
    """Writing transactions take SQLite's write lock at BEGIN, before their first read.

    A deferred transaction that reads and then writes must upgrade its read snapshot to the write lock; when
    another connection committed in between, SQLite refuses the upgrade with SQLITE_BUSY at once (busy_timeout
    cannot help: waiting would not make the snapshot current). Taking the lock first (BEGIN IMMEDIATE) makes
    writers queue on busy_timeout instead. Taking it "at the first flush" would be too late: the reads that
    the write depends on (the audit head, a counter) have happened by then. Read-only sessions keep a plain
    deferred BEGIN, so pages that only read run beside the writer (WAL) and never serialise.
    """
    # On the driver's connection: the begin of every transaction need not pass SQLAlchemy's statement events
    # (bench/tlog.py measured +11 % on one-event transactions).
    conn.connection.driver_connection.execute("BEGIN" if conn.get_execution_options().get(READ_ONLY)
                                              else "BEGIN IMMEDIATE")


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int = 30) -> Engine:
    """`pool_size` and `max_overflow` are the PostgreSQL pool's (Settings.db_pool_size, db_pool_overflow)."""
    kwargs: dict = {"json_serializer": lambda v: json.dumps(v, ensure_ascii=False)}
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
        # One connection per server thread (the thread pool has 40): SQLite connections are cheap.
        kwargs.update(pool_size=8, max_overflow=40)
    else:
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


class Database:
    """The engine and its session factory; one per application."""

    def __init__(self, url: str, info: dict | None = None):
        self.url = url
        settings = (info or {}).get("settings")
        pool = {"pool_size": settings.db_pool_size, "max_overflow": settings.db_pool_overflow} if settings else {}
        self.engine = make_engine(url, **pool)
        # `info` reaches every session (session.info): how case hooks find the settings of their application.
        self.info = dict(info or {})
        self.sessions = sessionmaker(self.engine, expire_on_commit=False, info=dict(self.info))
        # Same pool; on SQLite its transactions begin deferred (see _sqlite_begin). For requests that only read.
        self.read_sessions = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}),
                                          expire_on_commit=False, info=dict(info or {}))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session. `write=True` for a unit of work that reads and then writes while others write too (a web
        request that changes something): on SQLite it takes the write lock at BEGIN, so it queues instead of
        failing. The default begins deferred: long jobs and scripts then hold no write lock while they read
        and compute (a job that held it for minutes would make every web write wait and fail); their writes
        take the lock when they flush."""
        with (self.sessions if write else self.read_sessions)() as s:
            try:
                yield s
            except BaseException:
                s.rollback()
                raise

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        from alembic import command

        command.upgrade(alembic_config(self.url), "head")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent.parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def lock_for_append(session: Session, name: str) -> None:
    """Serialise appends to a chained table (PostgreSQL advisory lock held to the end of the transaction;
    SQLite's writing transactions hold the database's write lock from BEGIN anyway).

    Deadlock-freedom needs the caller to take it last: after it, the transaction may only insert rows no one
    else can touch and commit (core/audit.py takes it in `before_commit`, after the final flush)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": name})
