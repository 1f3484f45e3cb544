"""Worker processes on PostgreSQL (issue 18 item 5): real `ipcity worker` processes share one queue; none runs a
job twice, none loses one, and when one is killed with SIGKILL mid-job another takes the job over after its lease.

The job kind under test comes from a plugin installed the way any third-party service is: a package on the path
with an `ipcity.plugins` entry point (a `.dist-info` folder beside its module). Each run of its job appends
"start JOB PID" and "end JOB PID" to a file (O_APPEND: whole lines from concurrent writers), independently of the
job table, so double runs and lost jobs show there.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from ipcity.core import jobs
from ipcity.core.db import Database
from ipcity.core.roles import Actor
from ipcity.core.tables import AuditEntry, Job
from tests.support.serve import ipcity_command

WAIT = 180  # seconds for what takes a few when nothing is wrong (process starts on a loaded machine)
KIND = "probe.run"
PLUGIN = '''
import os, time

from ipcity.core.plugins import Plugin


def _note(path, line):
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\\n").encode())
    finally:
        os.close(fd)


def probe(ctx, params):
    _note(params["log"], f"start {ctx.job_id} {os.getpid()}")
    end = time.monotonic() + params.get("seconds", 0)
    while time.monotonic() < end:
        time.sleep(0.05)
    _note(params["log"], f"end {ctx.job_id} {os.getpid()}")
    return {"pid": os.getpid()}


def plugin():
    return Plugin(key="jobprobe", jobs={"probe.run": probe})
'''


@pytest.fixture
def queue(postgres_server, tmp_path):
    """A fresh PostgreSQL database, the probe plugin on the path, and the environment of the workers."""
    url = postgres_server.create_database(f"workers{os.getpid()}{time.monotonic_ns()}", template="ipcity_template")
    site = tmp_path / "site"
    (site / "ipcity_jobprobe-1.0.dist-info").mkdir(parents=True)
    (site / "ipcity_jobprobe.py").write_text(PLUGIN)
    (site / "ipcity_jobprobe-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ipcity-jobprobe\nVersion: 1.0\n")
    (site / "ipcity_jobprobe-1.0.dist-info" / "entry_points.txt").write_text(
        "[ipcity.plugins]\njobprobe = ipcity_jobprobe:plugin\n")
    env = {**os.environ, "IPCITY_DATABASE_URL": url, "IPCITY_DATA_DIR": str(tmp_path / "data"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
           "IPCITY_JOB_HEARTBEAT_SECONDS": "1", "IPCITY_JOB_LEASE_SECONDS": "3", "IPCITY_ENCODER": "none"}
    db = Database(url)
    yield db, env, tmp_path
    db.dispose()


class WorkerProcess:
    """`ipcity worker …` in its own session, its output in a file."""

    def __init__(self, env: dict, log: Path, *args: str):
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen([*ipcity_command(), "worker", "--poll", "0.2", *args], env=env,
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, count: int = 1) -> None:
        _until(lambda: self.text().count(" ready") >= count or self.proc.poll() is not None, "the workers to start")
        assert self.proc.poll() is None, f"the worker exited:\n{self.text()[-3000:]}"

    def end(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)


def _until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.1)


def _enqueue(db: Database, log: Path, n: int, seconds: float) -> list[int]:
    with db.session() as s:
        ids = [jobs.enqueue(s, Actor.system("test"), KIND, {"log": str(log), "seconds": seconds}).id for _ in range(n)]
        s.commit()
    return ids


def _jobs(db: Database, ids: list[int]) -> dict[int, Job]:
    with db.session() as s:
        return {j.id: j for j in s.scalars(select(Job).where(Job.id.in_(ids)))}


def _runs(log: Path) -> tuple[collections.Counter, collections.Counter, dict[int, set[int]]]:
    """Starts and ends per job, and the pids that started each one, from the probe's own record."""
    starts, ends, pids = collections.Counter(), collections.Counter(), collections.defaultdict(set)
    for line in log.read_text().splitlines():
        what, job_id, pid = line.split()
        (starts if what == "start" else ends)[int(job_id)] += 1
        if what == "start":
            pids[int(job_id)].add(int(pid))
    return starts, ends, pids


def test_two_workers_share_the_queue_and_take_over_the_job_of_a_killed_one(queue):
    db, env, tmp = queue
    record = tmp / "runs.log"
    workers = [WorkerProcess(env, tmp / f"worker{i}.log") for i in range(2)]
    try:
        for w in workers:
            w.wait_ready()

        # 1. Sixty short jobs: every one runs exactly once, and both workers take part.
        short = _enqueue(db, record, 60, 0.05)
        _until(lambda: all(j.status == "done" for j in _jobs(db, short).values()), "the sixty jobs to finish")
        starts, ends, pids = _runs(record)
        assert all(starts[j] == 1 and ends[j] == 1 for j in short), (starts, ends)
        assert set(starts) == set(short)
        assert {j.attempts for j in _jobs(db, short).values()} == {1}
        assert len({j.worker_id for j in _jobs(db, short).values()}) == 2, "one worker ran everything"

        # 2. A slow job (longer than the lease) and more short ones; the slow job's worker is killed mid-run.
        (slow,) = _enqueue(db, record, 1, 6)
        more = _enqueue(db, record, 20, 0.05)
        _until(lambda: _runs(record)[0][slow] == 1, "the slow job to start")
        holder = _jobs(db, [slow])[slow].worker_id
        victim = next(w for w in workers if f":{w.proc.pid}:" in holder)
        survivor = next(w for w in workers if w is not victim)
        victim.end()  # SIGKILL: no shutdown code runs, the job stays "running" with a heartbeat that stops

        _until(lambda: all(j.status == "done" for j in _jobs(db, [slow, *more]).values()),
               "the slow job to be taken over and finish")
        starts, ends, pids = _runs(record)
        assert all(starts[j] == 1 and ends[j] == 1 for j in short + more), (starts, ends)
        assert (starts[slow], ends[slow]) == (2, 1)  # started twice (killed once), finished once
        assert pids[slow] == {victim.proc.pid, survivor.proc.pid}
        taken = _jobs(db, [slow])[slow]
        assert taken.attempts == 2 and f":{survivor.proc.pid}:" in taken.worker_id
        with db.session() as s:
            takeovers = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "job.takeover")))
        assert [e.object_id for e in takeovers] == [str(slow)] and holder in takeovers[0].detail

        # 3. SIGTERM stops the survivor in order.
        survivor.proc.send_signal(signal.SIGTERM)
        assert survivor.proc.wait(60) == 0
        assert "stopped" in survivor.text() and "Traceback" not in survivor.text(), survivor.text()[-3000:]
    finally:
        for w in workers:
            w.end()


def test_one_command_runs_several_worker_processes(queue):
    db, env, tmp = queue
    record = tmp / "runs.log"
    supervisor = WorkerProcess(env, tmp / "workers.log", "--processes", "2")
    try:
        supervisor.wait_ready(2)
        ids = _enqueue(db, record, 20, 0.1)
        _until(lambda: all(j.status == "done" for j in _jobs(db, ids).values()), "the jobs to finish")
        starts, ends, _ = _runs(record)
        assert all(starts[j] == 1 and ends[j] == 1 for j in ids)
        assert len({j.worker_id for j in _jobs(db, ids).values()}) == 2, "one process ran everything"
        supervisor.proc.send_signal(signal.SIGTERM)  # passed on to both processes
        assert supervisor.proc.wait(90) == 0
        assert supervisor.text().count(" stopped") == 2, supervisor.text()[-3000:]
    finally:
        supervisor.end()



def test_a_worker_process_that_cannot_start_stops_the_command(queue):
    _, env, tmp = queue
    supervisor = WorkerProcess({**env, "IPCITY_JOB_LEASE_SECONDS": "1"}, tmp / "bad.log", "--processes", "2")
    try:
        assert supervisor.proc.wait(WAIT) == 1  # not restarted for ever: the setting stays wrong
        assert "before it was ready" in supervisor.text() and "IPCITY_JOB_LEASE_SECONDS" in supervisor.text()
    finally:
        supervisor.end()
