"""Background jobs of plan supervision."""

from __future__ import annotations

import io
from datetime import date

from ipcity.core.files import Upload
from ipcity.core.i18n import N_
from ipcity.core.jobs import JobContext
from ipcity.core.tabular import workbook_bytes
from ipcity.services.workplan import domain, service


def import_plan(ctx: JobContext, params: dict) -> dict:
    points = domain.load_shipped_plan()
    ctx.progress(0, len(points), N_("parsed"))
    with ctx.db.session(write=True) as s:
        result = service.import_plan(s, ctx.actor, points)
        s.commit()
    ctx.progress(len(points), len(points), N_("loaded"))
    return result


def export_workbook(ctx: JobContext, params: dict) -> dict:
    on = date.fromisoformat(params["on"]) if params.get("on") else None
    ctx.progress(0, 2, N_("collecting"))
    # Read, then write in a transaction of its own: on SQLite a transaction that read before the progress
    # update was committed could not write afterwards (its snapshot would be stale).
    with ctx.db.session() as s:
        content = workbook_bytes(service.export_sheets(s, on))
    ctx.progress(1, 2, N_("writing"))
    name = f"workplan-{(on or service.today()).isoformat()}.xlsx"
    with ctx.db.session(write=True) as s:
        att = ctx.services.files.attach(s, Upload(name, io.BytesIO(content)), "job", ctx.job_id, ctx.actor.user_id)
        s.commit()
        return {"attachment_id": att.id, "filename": name, "bytes": len(content)}


def sweep(ctx: JobContext, params: dict) -> dict:
    with ctx.db.session(write=True) as s:
        sent = service.sweep(s)
        s.commit()
    ctx.progress(1, 1, N_("notices sent"))
    return {"notices": sent}
