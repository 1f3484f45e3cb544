"""Background jobs of patent navigation."""

from __future__ import annotations

from ipcity.core.i18n import N_
from ipcity.core.jobs import JobContext
from ipcity.navigation import service
from ipcity.patents.engine import engine_for

# Progress labels the pipeline reports, marked for translation here (the pipeline passes plain keys).
LABELS = {"records read": N_("records read"), "trend": N_("filing trend"), "applicants": N_("applicants"),
          "regions": N_("regions"), "technology": N_("technology"), "key patents": N_("key patents"),
          "inventors": N_("inventors"), "clusters": N_("technology clusters"), "done": N_("writing the report")}


def run_topic(ctx: JobContext, params: dict) -> dict:
    """params: run_id (a NavRun created by service.start_run)."""
    engine = engine_for(ctx.services.settings)
    return service.execute_run(ctx.db, engine, ctx.services.files, int(params["run_id"]),
                               progress=lambda done, total, label: ctx.progress(done, total, LABELS.get(label, label)))
