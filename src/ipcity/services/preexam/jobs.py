"""Background jobs of fast pre-examination."""

from __future__ import annotations

from ipcity.core.i18n import N_
from ipcity.core.jobs import JobContext
from ipcity.services.preexam import service

SWEEP_JOB = "preexam.sweep"


def sweep(ctx: JobContext, params: dict) -> dict:
    """Correction periods that ran out (deemed withdrawn) and filed cases the register shows granted."""
    with ctx.db.session(write=True) as s:  # reads, then writes: the write lock from the start (SQLite)
        result = service.follow_register(s)
        s.commit()
    ctx.progress(1, 1, N_("pre-examination cases followed"))
    return result
