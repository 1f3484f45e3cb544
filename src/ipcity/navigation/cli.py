"""`ipcity navigation …`: run an analysis from the command line and write its report."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

navigation_app = typer.Typer(help="Patent navigation (专利导航): analyse a topic and write its report")
console = Console()


@navigation_app.command("run")
def run(query: str = typer.Option("", help="a search query (TI=… AND AD>=2015)"),
        ipc: str = typer.Option("", help="IPC codes, e.g. 'H01M B60L'"),
        sei: str = typer.Option("", help="a strategic emerging industry code, e.g. 5.3"),
        numbers: Path = typer.Option(None, help="a file of publication numbers, one per line"),
        focus: str = typer.Option("", help="focus region: a division code (31) or a country (FR)"),
        start: str = typer.Option("", help="first application year"), end: str = typer.Option("", help="last year"),
        title: str = typer.Option("专利导航报告", help="report title"), lang: str = typer.Option("zh", help="zh or en"),
        pdf: Path = typer.Option(None, help="write the PDF report here"),
        html: Path = typer.Option(None, help="write the HTML report here"),
        json_out: Path = typer.Option(None, "--json", help="write the results as JSON here")) -> None:
    """Select the topic's patents from the register, run every analysis, write the report."""
    from ipcity.core.errors import DomainError
    from ipcity.core.runtime import services as build_services
    from ipcity.navigation import pipeline, report, report_builder, service
    from ipcity.patents.engine import engine_for

    kind = "query" if query else "ipc" if ipc else "sei" if sei else "numbers" if numbers else ""
    form = {"kind": kind, "query": query, "ipc_codes": ipc, "sei_code": sei, "focus_region": focus,
            "numbers": numbers.read_text(encoding="utf-8") if numbers else "", "start_year": start, "end_year": end}
    try:
        definition = service.validate_definition(form)
    except DomainError as exc:
        for field, message in exc.problems:
            console.print(f"[red]{field or ''}: {message.render(lang if lang == 'en' else 'zh_Hans')}[/red]")
        raise typer.Exit(2) from exc
    svc = build_services()
    stages = pipeline.Stages()
    with svc.db.session() as session, console.status("analysing…"):
        results = pipeline.run(session, definition, engine=engine_for(svc.settings), stages=stages)
    doc = report_builder.build(results, definition, title=title, lang=lang)
    stages.done("report")
    if html:
        html.write_text(report.render_html(doc), encoding="utf-8")
    if pdf:
        pdf.write_bytes(report.render_pdf(doc))
        stages.done("pdf")
    if json_out:
        json_out.write_text(json.dumps(pipeline.dump(results), ensure_ascii=False, indent=1), encoding="utf-8")
    table = Table("stage", "seconds")
    for name, seconds in stages.seconds.items():
        table.add_row(name, f"{seconds:.2f}")
    console.print(f"{results.records:,} applications ({results.publications:,} publications), "
                  f"peak memory {pipeline.peak_memory_mb():.0f} MB")
    console.print(table)
