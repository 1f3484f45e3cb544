"""Background jobs of the patent engine: ingest a file, rebuild the index, train the encoder."""

from __future__ import annotations

import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from ipcity.core.i18n import N_
from ipcity.core.jobs import JobContext
from ipcity.core.tables import StoredFile
from ipcity.patents import alerts
from ipcity.patents.engine import engine_for
from ipcity.patents.ingest.runner import ingest_file
from ipcity.patents.tables import IngestRun


def ingest(ctx: JobContext, params: dict) -> dict:
    """params: `path` (a file the server can read: CLI, demo) or `sha256` + `filename` (an upload)."""
    engine = engine_for(ctx.services.settings)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stored:
        if "sha256" in params:
            with ctx.db.session() as s:
                if s.get(StoredFile, params["sha256"]) is None:
                    raise ValueError(f"no stored file {params['sha256']}")
            # Readers recognise a format by the file's name: give the stored file its uploaded name back.
            path = Path(tmp) / os.path.basename(params["filename"])
            path.symlink_to(stored.enter_context(ctx.services.files.local_path(params["sha256"])))
        else:
            path = Path(params["path"])
        run_id = ingest_file(ctx.db, engine, path, ctx.actor, params.get("format") or None,
                             progress=lambda done, total, msg: ctx.progress(done, total, N_("records read")))
    with ctx.db.session(write=True) as s:  # saved searches with an alert look at what came in
        queued = alerts.after_ingest(s)
        s.commit()
    if queued is not None and getattr(ctx.services, "worker", None):
        ctx.services.worker.wake()
    with ctx.db.session() as s:
        run = s.get(IngestRun, run_id)
        return {"run_id": run_id, "inserted": run.inserted, "updated": run.updated, "unchanged": run.unchanged,
                "rejected": run.rejected}


def rebuild(ctx: JobContext, params: dict) -> dict:
    engine = engine_for(ctx.services.settings)
    with ctx.db.session() as s:
        done = engine.rebuild(s, progress=lambda d, t, m: ctx.progress(d, t, N_("records indexed")))
    return {"indexed": done}


def train_encoder(ctx: JobContext, params: dict) -> dict:
    engine = engine_for(ctx.services.settings)
    ctx.progress(0, 0, N_("training the encoder"))
    with ctx.db.session() as s:
        engine.train_encoder(s, progress=lambda d, t, m: ctx.progress(d, t, N_("records indexed")))
    encoder = engine.encoder
    return {"encoder": encoder.name if encoder else "", "dim": encoder.dim if encoder else 0}


def load_demo(ctx: JobContext, params: dict) -> dict:
    """Ingest the shipped demo corpus, then train the corpus encoder so that semantic search works."""
    from ipcity.patents.demo import DEMO_DIR, DEMO_FILES

    engine = engine_for(ctx.services.settings)
    counts = {}
    for name, fmt in DEMO_FILES:
        run_id = ingest_file(ctx.db, engine, DEMO_DIR / name, ctx.actor, fmt,
                             progress=lambda done, total, msg, name=name: ctx.progress(done, 0, name))
        with ctx.db.session() as s:
            counts[name] = s.get(IngestRun, run_id).inserted
    if engine.settings.encoder == "corpus":
        ctx.progress(0, 0, N_("training the encoder"))
        with ctx.db.session() as s:
            engine.train_encoder(s, progress=lambda d, t, m: ctx.progress(d, t, N_("records indexed")))
    return counts
