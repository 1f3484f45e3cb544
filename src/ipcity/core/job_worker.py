"""Worker processes without the web server (`ipcity worker`): one process per job at a time, N of them per host.

Each process is one `jobs.Worker` of the shared queue (core/jobs.py: claims, leases, retries). SIGTERM or SIGINT
stops it in order: it takes no further job, waits up to `grace` seconds for the running one, then gives that one
back to the queue and exits. A process killed outright (SIGKILL, a lost machine) leaves its job to the lease.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from ipcity.core import jobs

log = logging.getLogger(__name__)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def serve(services: Any, *, poll_seconds: float = 1.0, grace: float = 30.0, ready: Any = None) -> None:
    """Run one worker in this process until SIGTERM or SIGINT (must be called from the main thread); `ready`, an
    event set once the worker runs (how `supervise` tells a process that cannot start from one that died later)."""
    stop = _stop_on_signals()
    worker = jobs.Worker(services.db, services.registry, services, poll_seconds=poll_seconds)
    services.worker = worker  # jobs that queue others wake it (patents.ingest queues the alerts)
    worker.start()
    print(f"worker {worker.worker_id} ready", flush=True)
    if ready is not None:
        ready.set()
    while not stop.wait(1.0):
        if not worker.busy:  # the loop catches everything: only a bug ends it
            log.error("worker %s stopped unexpectedly", worker.worker_id)
            break
    ended = worker.stop(grace)
    services.db.dispose()
    print(f"worker {worker.worker_id} stopped", flush=True)
    if not ended:  # a released job's function still runs in a thread: end the process without waiting for it
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def supervise(processes: int, target: Callable[..., None], args: tuple = (), grace: float = 30.0) -> int:
    """Run `target(*args, ready)` in `processes` fresh processes (spawned: nothing shared with this one), replace
    one that dies, and pass SIGTERM/SIGINT on to them. A process that dies before it was ready (a malformed
    setting, a plugin that fails to load) stops them all: a restart would not cure it. Returns the exit status."""
    context = multiprocessing.get_context("spawn")
    stop = _stop_on_signals()

    def start(index: int):
        ready = context.Event()
        proc = context.Process(target=target, args=(*args, ready), name=f"ipcity-worker-{index}")
        proc.start()
        return proc, ready

    running = [start(i) for i in range(processes)]
    status = 0
    while not stop.wait(1.0):
        for i, (proc, ready) in enumerate(running):
            if proc.is_alive():
                continue
            if not ready.is_set():
                log.error("worker process %s exited with %s before it was ready: stopping", proc.pid, proc.exitcode)
                status = proc.exitcode if proc.exitcode and proc.exitcode > 0 else 1
                stop.set()
                break
            log.warning("worker process %s exited with %s: starting another", proc.pid, proc.exitcode)
            running[i] = start(i)
    for proc, _ in running:
        if proc.is_alive():
            proc.terminate()  # SIGTERM: each finishes or gives back its job
    for proc, _ in running:
        proc.join(grace + 15)
        if proc.is_alive():
            log.error("worker process %s did not stop in time: killed (its job waits for the lease)", proc.pid)
            proc.kill()
            proc.join()
    return status
