"""A throwaway PostgreSQL server for the test suite.

PostgreSQL refuses to run as root, and CI runs the suite as root, so when the
effective uid is 0 every ``initdb``/``pg_ctl`` call goes through
``runuser -u postgres --`` and the temporary directory is handed to that user.

Usage::

    bin_dir = find_pg_bin()
    with TempPostgres(bin_dir) as pg:
        engine = sqlalchemy.create_engine(pg.url)
        other_url = pg.create_database("other", template="template0")
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

PG_SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
_TIMEOUT_S = 120


def _has_tools(path: Path) -> bool:
    return (path / "initdb").is_file() and (path / "pg_ctl").is_file()


def _version_key(path: Path) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin -> numeric sort on <version>
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (-1,)


def find_pg_bin() -> Path | None:
    """Directory holding ``initdb`` and ``pg_ctl``, or None when PostgreSQL is absent.

    Order: ``$IPCITY_PG_BIN``; ``pg_config --bindir`` if it has initdb; the newest
    ``/usr/lib/postgresql/*/bin`` (Debian's layout, not on PATH).
    """
    env = os.environ.get("IPCITY_PG_BIN")
    if env:
        path = Path(env)
        if not _has_tools(path):
            raise RuntimeError(f"IPCITY_PG_BIN={env!r} does not contain both initdb and pg_ctl")
        return path

    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True
            ).stdout.strip()
            if out and _has_tools(Path(out)):
                return Path(out)

    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if _has_tools(p)]
    if candidates:
        return max(candidates, key=_version_key)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TempPostgres:
    """A PostgreSQL cluster in a fresh temporary directory, listening on 127.0.0.1."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = Path(bin_dir)
        self.tmp_dir: Path | None = None
        self.port: int | None = None
        self.url: str | None = None
        self._as_root = os.geteuid() == 0

    # -- paths ---------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        assert self.tmp_dir is not None, "server not started"
        return self.tmp_dir / "data"

    @property
    def log_file(self) -> Path:
        assert self.tmp_dir is not None, "server not started"
        return self.tmp_dir / "server.log"

    # -- process helpers -----------------------------------------------------
    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin_dir / tool), *args]
        if self._as_root:
            cmd = ["runuser", "-u", PG_SYSTEM_USER, "--", *cmd]
        env = {**os.environ, "LC_MESSAGES": "C"}
        for var in ("PGDATA", "PGPORT", "PGHOST", "PGUSER", "PGDATABASE", "PGOPTIONS"):
            env.pop(var, None)
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=_TIMEOUT_S,
                # the postgres user may not be able to enter the caller's cwd (e.g. /root)
                cwd=self.tmp_dir,
                env=env,
            )
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(
                f"{tool} timed out after {_TIMEOUT_S}s: {' '.join(cmd)}{self._log_tail()}"
            ) from exc
        if proc.returncode != 0:
            raise RuntimeError(
                f"{tool} failed (exit {proc.returncode}): {' '.join(cmd)}\n"
                f"--- stderr ---\n{proc.stderr.strip()}\n--- stdout ---\n{proc.stdout.strip()}"
                f"{self._log_tail() if tool == 'pg_ctl' else ''}"
            )
        return proc

    def _log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except (OSError, AssertionError):
            return ""
        return "\n--- server log (tail) ---\n" + "\n".join(text.splitlines()[-lines:])

    def _prepare_dir(self) -> None:
        self.tmp_dir = Path(tempfile.mkdtemp(prefix="ipcity-pg-"))
        if self._as_root:
            try:
                pw = pwd.getpwnam(PG_SYSTEM_USER)
            except KeyError:
                shutil.rmtree(self.tmp_dir, ignore_errors=True)
                self.tmp_dir = None
                raise RuntimeError(
                    f"running as root but there is no {PG_SYSTEM_USER!r} system user to run PostgreSQL as "
                    "(install Debian's postgresql package, or run the tests as a non-root user)"
                ) from None
            if shutil.which("runuser") is None:
                raise RuntimeError("running as root but `runuser` (util-linux) is not available")
            os.chown(self.tmp_dir, pw.pw_uid, pw.pw_gid)
        os.chmod(self.tmp_dir, 0o755)

    def _initdb(self) -> None:
        common = ["-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8", "--no-sync"]
        try:
            self._run("initdb", *common, "--locale=C.UTF-8")
        except RuntimeError:
            # No C.UTF-8 locale on this system: fall back to the built-in C locale.
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self._run("initdb", *common, "--no-locale")
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.tmp_dir}'",
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
            "log_min_messages": "warning",
        }
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# ipcity test settings\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    # -- public API ----------------------------------------------------------
    def start(self) -> str:
        """initdb + start; returns the SQLAlchemy URL of the ``postgres`` database."""
        if self.url is not None:
            return self.url
        self._prepare_dir()
        try:
            self.port = _free_port()
            self._initdb()
            self._run("pg_ctl", "start", "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60")
        except BaseException:
            self._cleanup_dir()
            raise
        atexit.register(self.stop)
        self.url = self._url("postgres")
        return self.url

    def stop(self) -> None:
        """Stop the server (immediate mode) and remove the temporary directory. Idempotent."""
        atexit.unregister(self.stop)
        if self.tmp_dir is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                try:
                    self._run("pg_ctl", "stop", "-D", str(self.data_dir), "-m", "immediate", "-w", "-t", "60")
                except RuntimeError:
                    self._kill_postmaster()
                    raise
        finally:
            self._cleanup_dir()
            self.url = None
            self.port = None

    def _kill_postmaster(self) -> None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            pid = int((self.data_dir / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGKILL)

    def _cleanup_dir(self) -> None:
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
            self.tmp_dir = None

    def _url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """CREATE DATABASE (optionally from a template) and return its SQLAlchemy URL.

        The template must have no open connections: dispose engines on it first.
        """
        import psycopg
        from psycopg import sql

        if self.url is None:
            raise RuntimeError("TempPostgres.create_database() called before start()")
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            stmt += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(stmt)
        return self._url(name)

    def __enter__(self) -> TempPostgres:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
