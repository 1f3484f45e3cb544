"""`ipcity patents …` (load, index, encoder, loads) and `ipcity search` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

patents_app = typer.Typer(help="Patent data engine: load files, rebuild the index, train the encoder")
console = Console()


def _services():
    from ipcity.core.runtime import services

    return services()


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}"),
                    TimeElapsedColumn(), console=console)


@patents_app.command("formats")
def formats() -> None:
    """List the data formats the loader reads."""
    from ipcity.patents.ingest.formats import READERS

    table = Table("format", "description")
    for key, reader in READERS.items():
        table.add_row(key, reader.description)
    console.print(table)


@patents_app.command("ingest")
def ingest(paths: list[Path], fmt: str = typer.Option("", "--format", help="reader name (see `formats`)"),
           resume: bool = typer.Option(True, "--resume/--restart", help="resume an unfinished load of the same file"),
           batch: int = 500,
           commit_every: int = typer.Option(20_000, min=1, help="records between index commits (resume points)"),
           workers: int = typer.Option(0, help="processes preparing records beside the one writing them "
                                               "(0: automatic, by file size)")) -> None:
    """Load patent files into the register and the search index (idempotent, resumable)."""
    from ipcity.core.roles import Actor
    from ipcity.patents import alerts
    from ipcity.patents.engine import engine_for
    from ipcity.patents.ingest.limits import SourceRefused
    from ipcity.patents.ingest.runner import ingest_file
    from ipcity.patents.tables import IngestRun

    svc = _services()
    engine = engine_for(svc.settings)
    failed = False
    for path in paths:
        with _bar() as bar:
            task = bar.add_task(path.name, total=None)
            try:
                run_id = ingest_file(svc.db, engine, path, Actor.system("cli"), fmt or None, resume=resume,
                                     batch_size=batch, commit_every=commit_every, workers=workers or None,
                                     progress=lambda done, total, msg, task=task: bar.update(task, completed=done))
            except SourceRefused as exc:  # refused before a run began (e.g. an XLSX bomb while sniffing)
                console.print(f"[red]{path.name}: {exc}[/red]", markup=True, highlight=False)
                failed = True
                continue
        with svc.db.session() as s:
            run = s.get(IngestRun, run_id)
            console.print(f"[bold]{path.name}[/bold] ({run.format}): {run.read} read, {run.inserted} new, "
                          f"{run.updated} updated, {run.unchanged} unchanged, [red]{run.rejected} rejected[/red], "
                          f"{run.warnings} fields left out")
            refused = [e for e in run.errors if not e.get("warning")]
            for error in refused[:20]:
                console.print(f"  {path.name}:{error['line']}: {error['reason']}", markup=False)
            for warning in [e for e in run.errors if e.get("warning")][:5]:
                console.print(f"  {path.name}:{warning['line']}: {warning['reason']}", markup=False)
            if run.status == "failed":
                console.print(f"[red]stopped: {run.message}[/red]")
            failed |= run.rejected > 0 or run.status == "failed"
    with svc.db.session(write=True) as s:  # saved searches with an alert look at what came in (a server runs it)
        alerts.after_ingest(s)
        s.commit()
    engine.close()
    raise typer.Exit(1 if failed else 0)


@patents_app.command("reindex")
def reindex() -> None:
    """Rebuild the search index (and embeddings) from the register."""
    from ipcity.patents.engine import engine_for

    svc = _services()
    engine = engine_for(svc.settings)
    with _bar() as bar, svc.db.session() as s:
        task = bar.add_task("index", total=None)
        done = engine.rebuild(s, progress=lambda d, t, m: bar.update(task, completed=d, total=t))
    console.print(f"indexed {done} patents ({engine.backend.name})")
    engine.close()


@patents_app.command("check")
def check(repair: bool = typer.Option(False, "--repair", help="re-index what the index lacks, delete what the "
                                                             "register lacks"),
          batch: int = typer.Option(1000, min=1, max=50_000, help="ids compared at a time")) -> None:
    """Compare the search index with the register (counts and ids, a batch at a time); exit 1 on a difference."""
    from ipcity.patents.engine import engine_for
    from ipcity.patents.index_check import check as run_check

    svc = _services()
    engine = engine_for(svc.settings)
    with svc.db.session() as s:
        report = run_check(s, engine, repair=repair, batch=batch)
        _print_check(report)
        if repair and report.differences:
            console.print(f"repaired {report.repaired} (re-indexed or deleted); checking again:")
            report = run_check(s, engine, batch=batch)
            _print_check(report)
    engine.close()
    raise typer.Exit(1 if report.differences else 0)


def _print_check(report) -> None:
    console.print(f"register {report.register}, index {report.indexed}: {report.differences} differences "
                  f"({report.missing} missing, {report.extra} extra, {report.duplicates} duplicated, "
                  f"{report.pending} unconfirmed)")
    for kind, ids in report.samples.items():
        if ids:
            console.print(f"  {kind}: {', '.join(ids)}", markup=False)


@patents_app.command("train-encoder")
def train_encoder(max_docs: int = 200_000) -> None:
    """Train the corpus encoder (semantic search) on the register, then re-embed every patent."""
    from ipcity.patents.engine import engine_for

    svc = _services()
    engine = engine_for(svc.settings)
    with _bar() as bar, svc.db.session() as s:
        task = bar.add_task("train + index", total=None)
        engine.train_encoder(s, progress=lambda d, t, m: bar.update(task, completed=d, total=t), max_docs=max_docs)
    console.print(f"encoder {engine.encoder.name} ({engine.encoder.dim} dimensions)")
    engine.close()


def search(query: str = typer.Argument("", help="query: words, or field codes such as TI=电池 AND AD>=2020"),
           mode: str = typer.Option("lexical", help="lexical, semantic or hybrid"),
           sort: str = "relevance", limit: int = 20, page: int = 1,
           filter_: list[str] = typer.Option([], "--filter", "-f", help="facet:value, e.g. year:2020"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """Search the patent register, as the search page does."""
    from ipcity.core.errors import DomainError
    from ipcity.patents import service
    from ipcity.patents.api import result_json
    from ipcity.patents.engine import engine_for

    svc = _services()
    engine = engine_for(svc.settings)
    with svc.db.session() as s:
        try:
            result = service.search(s, engine, query, mode=mode, sort=sort, page=page, per_page=limit,
                                    filters=service.parse_filters(filter_))
        except DomainError as exc:
            console.print(f"[red]{exc.message}[/red]")
            for _, problem in exc.problems:
                console.print(str(problem), markup=False)
            raise typer.Exit(2) from exc
    if as_json:
        print(json.dumps(result_json(result), ensure_ascii=False, indent=1))
        return
    console.print(f"{result.total} patents · {result.took_ms} ms")
    table = Table("#", "publication", "title", "applicants", "filed", "IPC")
    for i, row in enumerate(result.rows, start=(page - 1) * limit + 1):
        r = row.record
        table.add_row(str(i), r.pub_number, r.title[:60], "; ".join(r.applicants[:2])[:40], str(r.app_date or ""),
                      r.ipc_main)
    console.print(table)
    for name, counts in result.facets.items():
        if counts:
            console.print(f"[bold]{name}[/bold]: " + ", ".join(f"{c.value} ({c.count})" for c in counts[:8]))
