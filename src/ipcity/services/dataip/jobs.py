"""Background jobs of data-IP registration."""

from __future__ import annotations

from ipcity.core.i18n import N_
from ipcity.core.jobs import JobContext
from ipcity.services.dataip import service


def sweep(ctx: JobContext, params: dict) -> dict:
    """Register what finished publicity without an open objection; expire lapsed registrations."""
    with ctx.db.session(write=True) as s:  # reads, then writes: the write lock from the start (SQLite)
        result = service.sweep(s)
        s.commit()
    ctx.progress(1, 1, N_("registrations swept"))
    return result
