"""`ipcity documents …`: the documents the platform issued and keeps (core/documents.py) — find those whose text
a glyph is missing from, and issue them again as new editions (the old ones kept, each re-issue audited).

    ipcity documents kinds
    ipcity documents check pledge.notice
    ipcity documents reissue pledge.notice --broken --reason "重新出具：原文书缺少中文字体"
    ipcity documents reissue dataip.certificate 3 7 --reason "…"
    ipcity documents reissue navigation.report --all --reason "…"
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from ipcity.core import documents, runtime
from ipcity.core.errors import DomainError
from ipcity.core.roles import Actor

documents_app = typer.Typer(help="Documents the platform issued and keeps: check them, issue them again",
                            no_args_is_help=True)
console = Console()


def _kind(services, key: str) -> documents.DocumentKind:
    kinds = services.registry.document_kinds()
    if key not in kinds:
        console.print(f"[red]unknown kind {key!r}[/red]; kinds: {', '.join(sorted(kinds))}")
        raise typer.Exit(2)
    return kinds[key]


def _subjects(services, kind: documents.DocumentKind, ids: list[int] | None) -> list[int]:
    with services.db.session() as s:
        known = kind.subjects(s)
    if not ids:
        return known
    unknown = sorted(set(ids) - set(known))
    if unknown:
        console.print(f"[red]no {kind.key} document for {', '.join(map(str, unknown))}[/red]")
        raise typer.Exit(2)
    return list(ids)


def reissue_broken(services, reason: str) -> tuple[int, int]:
    """Issue again every document in force, of every kind, whose text a glyph is missing from (a demo made
    before the platform shipped its font): (issued again, refused)."""
    actor = Actor.system("documents")
    issued = refused = 0
    for kind in services.registry.document_kinds().values():
        with services.db.session() as s:
            subjects = [i for i in kind.subjects(s) if documents.broken(s, services.files, kind, i)]
        for subject in subjects:
            try:
                documents.reissue_apart(services.db, services.files, kind, actor, subject, reason)
                issued += 1
            except DomainError as exc:
                refused += 1
                console.print(f"[red]✗[/red] {kind.key} {subject}: {exc.message.render('en')}")
    return issued, refused


@documents_app.command("kinds")
def kinds() -> None:
    """The kinds of documents kept, with how many subjects hold one."""
    services = runtime.services()
    for key, kind in sorted(services.registry.document_kinds().items()):
        with services.db.session() as s:
            count = len(kind.subjects(s))
        console.print(f"{key}\t{kind.label.render('en')} / {kind.label.render('zh_Hans')}\t{count}")


@documents_app.command("check")
def check(kind: str, ids: Annotated[list[int] | None, typer.Argument(help="subject ids (default: all)")] = None
          ) -> None:
    """List the documents in force whose text a glyph is missing from; exit 1 if there is one."""
    services = runtime.services()
    found = _kind(services, kind)
    bad = 0
    for subject in _subjects(services, found, ids):
        with services.db.session() as s:
            problems = documents.broken(s, services.files, found, subject)
        for name, chars in problems.items():
            bad += 1
            shown = " ".join(f"U+{ord(c):04X}" for c in chars[:10]) + (" …" if len(chars) > 10 else "")
            console.print(f"[red]✗[/red] {kind} {subject} {name}: {len(chars)} character(s) without a glyph: {shown}")
    console.print(f"{bad} document(s) missing glyphs" if bad else "[green]✓[/green] every document draws its text")
    if bad:
        raise typer.Exit(1)


@documents_app.command("reissue")
def reissue(kind: str,
            ids: Annotated[list[int] | None, typer.Argument(help="subject ids (or --all, or --broken)")] = None,
            all_: Annotated[bool, typer.Option("--all", help="every subject holding such a document")] = False,
            broken: Annotated[bool, typer.Option("--broken", help="only documents missing glyphs")] = False,
            reason: Annotated[str, typer.Option(help="why, for the audit trail")] = "") -> None:
    """Issue documents again as new editions (the old ones kept), audited as done by the platform."""
    services = runtime.services()
    found = _kind(services, kind)
    if not (ids or all_ or broken):
        console.print("[red]name the subjects, or give --all or --broken[/red]")
        raise typer.Exit(2)
    try:
        reason = documents.checked_reason(reason)
    except DomainError as exc:
        console.print(f"[red]{exc.message.render('en')}[/red] (--reason)")
        raise typer.Exit(2) from None
    actor = Actor.system("documents")
    issued = refused = 0
    for subject in _subjects(services, found, ids):
        if broken:
            with services.db.session() as s:
                if not documents.broken(s, services.files, found, subject):
                    continue
        try:
            done = documents.reissue_apart(services.db, services.files, found, actor, subject, reason)
        except DomainError as exc:
            refused += 1
            console.print(f"[red]✗[/red] {kind} {subject}: {exc.message.render('en')}")
            continue
        issued += 1
        console.print(f"[green]✓[/green] {kind} {subject}: " + ", ".join(d["filename"] for d in done.issued))
    console.print(f"{issued} issued again, {refused} refused")
    if refused:
        raise typer.Exit(1)
