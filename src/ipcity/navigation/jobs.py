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


def reissue_report(ctx: JobContext, params: dict) -> dict:
    """params: run_id, reason. The report rendered again in both languages and kept as a new edition, with the
    audit entry of the person who asked (navigation/documents.py); rendered outside any writing transaction."""
    from ipcity.core import documents as kept
    from ipcity.navigation import documents

    run_id = int(params["run_id"])
    ctx.progress(0, 1, LABELS["done"])
    done = kept.reissue_apart(ctx.db, ctx.services.files, documents.KIND, ctx.actor, run_id, str(params["reason"]))
    return {"run_id": run_id, "issued": [d["filename"] for d in done.issued]}
