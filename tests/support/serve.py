"""`ipcity serve` as a separate process, for the crash tests and the load benchmark (bench/load.py, bench/web.py).

The server runs in its own session (process group), so that `kill()` takes it down the way a power cut or
the OOM killer would (SIGKILL, no shutdown code runs) and `stop()` ends it cleanly, uvicorn workers included.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

HEALTH = "/healthz"


def ipcity_command() -> list[str]:
    """The `ipcity` console script of this interpreter's environment, or the same through `python -c`."""
    script = Path(sys.executable).parent / "ipcity"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from ipcity.cli import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeError(RuntimeError):
    pass


class ServeProcess:
    """`ipcity serve --port P --workers N` with the given environment; its output goes to `log_path`."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 1, port: int | None = None):
        self.env = env
        self.log_path = Path(log_path)
        self.workers = workers
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90.0) -> None:
        """Start and wait until /healthz answers 200 (the log is appended to, so restarts keep the history)."""
        cmd = [*ipcity_command(), "serve", "--port", str(self.port), "--workers", str(self.workers)]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if httpx.get(self.base + HEALTH, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise ServeError(f"server not healthy after {timeout:.0f} s:\n{self.log_tail()}")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def kill(self) -> None:
        """SIGKILL to the whole process group: no shutdown handler, no commit, no flush runs."""
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        """SIGTERM (uvicorn finishes the requests in flight), SIGKILL after 15 s."""
        if self.running:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            except ProcessLookupError:
                pass
        self.proc = None
