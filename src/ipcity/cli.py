"""The `ipcity` command: set up, run, demo, and operate the platform."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from ipcity.bootstrap import default_registry
from ipcity.core import runtime
from ipcity.documents_cli import documents_app, reissue_broken
from ipcity.patents.cli import search

app = typer.Typer(help="ipcity — IP-strong city public-service platform", no_args_is_help=True)
audit_app = typer.Typer(help="Audit trail")
jobs_app = typer.Typer(help="Background jobs")
calendar_app = typer.Typer(help="Working-day calendar")
user_app = typer.Typer(help="Accounts")
outbox_app = typer.Typer(help="Messages the platform sent or queued (e-mail links, codes): the outbox table and folder")
app.add_typer(audit_app, name="audit")
app.add_typer(jobs_app, name="jobs")
app.add_typer(calendar_app, name="calendar")
app.add_typer(user_app, name="user")
app.add_typer(documents_app, name="documents")  # issue stored documents again (core/documents.py)
app.add_typer(outbox_app, name="outbox")
console = Console()

runtime.provide(lambda: _services())
# Each plugin declares its own command groups (`ipcity patents …`, `ipcity dataip …`).
for _plugin in default_registry().plugins:
    for _name, _commands in _plugin.commands.items():
        app.add_typer(_commands, name=_name)
app.command("search")(search)


def _services():
    from ipcity.core.config import load_settings
    from ipcity.web.app import build_services

    return build_services(load_settings())


@app.command()
def init() -> None:
    """Create or upgrade the database and load reference data (calendar, the plan)."""
    from ipcity.core.setup import initialise

    svc = _services()
    initialise(svc.db, svc.registry)
    console.print(f"[green]ready[/green] {svc.db.url.split('@')[-1]}")


def _print_accounts(password: str, accounts) -> None:
    from ipcity.core.roles import ROLES

    table = Table(title="演示账号 Demo accounts (demo data only)")
    for col in ("user name", "name", "role", "unit"):
        table.add_column(col)
    for a in accounts:
        table.add_row(a.username, a.display_name, ROLES[a.role].render("en"), a.unit)
    console.print(table)
    if password:
        console.print(f"Password for every demo account: [bold]{password}[/bold]")


@app.command()
def demo(host: str = "127.0.0.1", port: int = 8000, serve_: bool = typer.Option(True, "--serve/--no-serve"),
         password: str = typer.Option("", help="demo password (random if empty)")) -> None:
    """Set up the embedded default with demo data, print the demo accounts, and serve."""
    import os

    from ipcity.core.setup import initialise, load_demo

    os.environ.setdefault("IPCITY_DEMO", "1")
    svc = _services()
    initialise(svc.db, svc.registry)
    pw, accounts = load_demo(svc.db, svc.registry, svc.files, password or None)
    saved = svc.settings.data_dir / "demo-password.txt"
    if pw:
        saved.write_text(pw + "\n")
        saved.chmod(0o600)
    elif saved.exists():
        pw = saved.read_text().strip()
    _print_accounts(pw, accounts)
    jobs_run(follow=True)  # the demo patent corpus is loaded by a job: run it now, with its progress
    # documents a demo made without fonts (before the platform shipped its own) are issued again, good
    issued, _refused = reissue_broken(svc, "演示文书重新出具：原文书缺少字形 / demo documents issued again")
    if issued:
        console.print(f"{issued} document(s) without their glyphs issued again")
    if serve_:
        serve(host, port)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          forwarded_allow_ips: Annotated[str, typer.Option(
              help="Proxies whose X-Forwarded-For is trusted (the client address the sign-in throttle and limits "
                   "count)")] = "127.0.0.1",
          job_worker: Annotated[bool, typer.Option(
              "--worker/--no-worker",
              help="Run background jobs in each web process too (--no-worker when `ipcity worker` processes run "
                   "them; the same as IPCITY_RUN_WORKER=0)")] = True) -> None:
    """Run the web server (initialise first)."""
    import os

    import uvicorn

    if not job_worker:  # read by each web process's settings, uvicorn's worker processes included
        os.environ["IPCITY_RUN_WORKER"] = "0"
    console.print(f"ipcity on http://{host}:{port}")
    from ipcity.web.nodelay import PROTOCOL

    uvicorn.run("ipcity.web.asgi:app", host=host, port=port, workers=workers, log_level="warning",
                access_log=False, proxy_headers=True, forwarded_allow_ips=forwarded_allow_ips, http=PROTOCOL)


def _worker_process(poll: float, grace: float, ready=None) -> None:
    """One worker process of `ipcity worker` (also the target of each spawned process)."""
    import logging

    from ipcity.core import job_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    job_worker.serve(_services(), poll_seconds=poll, grace=grace, ready=ready)


@app.command()
def worker(processes: Annotated[int, typer.Option(min=1, max=64, help="worker processes to run")] = 1,
           poll: Annotated[float, typer.Option(min=0.1, max=60, help="seconds between looks at an empty queue")] = 1.0,
           grace: Annotated[float, typer.Option(
               min=0, max=3600, help="on SIGTERM, seconds to let a running job end before it goes back to the "
                                     "queue")] = 30.0) -> None:
    """Run background jobs without the web server: any number of these, on any number of hosts, share the queue
    in the database (docs/operations.md, "Deployment shape")."""
    if processes == 1:
        _worker_process(poll, grace)
        return
    import logging

    from ipcity.core import job_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    raise typer.Exit(job_worker.supervise(processes, _worker_process, (poll, grace), grace))


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 if an entry was edited or deleted."""
    from ipcity.core import audit

    svc = _services()
    with svc.db.session() as s:
        result = audit.verify(s)
        head = s.execute(audit.head_query()).first()
    for p in result.problems:
        console.print(f"[red]✗[/red] {p}")
    if result.ok:
        console.print(f"[green]✓[/green] {result.checked} entries, chain intact; head {head.seq} {head.hash}"
                      if head else "[green]✓[/green] empty trail")
    for note in result.notes:
        console.print(f"! {note}")
    raise typer.Exit(0 if result.ok else 1)


@audit_app.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign a checkpoint of the audit head now (they are also made automatically; see docs/configuration.md)."""
    from ipcity.core import audit

    svc = _services()
    with svc.db.session(write=True) as s:
        cp = audit.checkpoint(s, svc.settings)
        s.commit()
    console.print(f"[green]✓[/green] checkpoint {cp.id}: entry {cp.seq} {cp.entry_hash}" if cp
                  else "empty trail: nothing to sign")


def _job_row(j) -> dict:
    return {"id": j.id, "kind": j.kind, "status": j.status, "done": j.done, "total": j.total, "message": j.message,
            "result": j.result, "error": (j.error or "").splitlines()[0] if j.error else "",
            "attempts": j.attempts, "worker": j.worker_id or "",
            "run_after": j.run_after.isoformat() if j.run_after else None}


@jobs_app.command("list")
def jobs_list(status: str = "", as_json: bool = typer.Option(False, "--json")) -> None:
    from sqlalchemy import select

    from ipcity.core.tables import Job

    svc = _services()
    with svc.db.session() as s:
        q = select(Job).order_by(Job.id.desc()).limit(50)
        if status:
            q = q.where(Job.status == status)
        rows = [_job_row(j) for j in s.scalars(q)]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table()
    for col in ("id", "kind", "status", "progress", "attempts", "worker", "message"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["id"]), r["kind"], r["status"], f"{r['done']}/{r['total']}", str(r["attempts"]),
                      r["worker"], r["message"] or r["error"])
    console.print(table)


@jobs_app.command("enqueue")
def jobs_enqueue(kind: str, params: str = "{}") -> None:
    from ipcity.core import jobs
    from ipcity.core.roles import Actor

    svc = _services()
    svc.registry.job(kind)  # unknown kinds fail here, not in the worker
    with svc.db.session(write=True) as s:
        job = jobs.enqueue(s, Actor.system("cli"), kind, json.loads(params))
        s.commit()
    console.print(f"queued job {job.id}")


@jobs_app.command("run")
def jobs_run(follow: bool = typer.Option(True, help="show progress bars")) -> None:
    """Run every queued job in this process, with a progress bar each."""
    import threading

    from ipcity.core import jobs
    from ipcity.core.tables import Job

    svc = _services()
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("{task.fields[msg]}"), console=console, disable=not follow) as bar:
        while (job_id := jobs.claim_next(svc.db)) is not None:
            with svc.db.session() as s:
                kind = s.get(Job, job_id).kind
            task = bar.add_task(f"#{job_id} {kind}", total=None, msg="")
            t = threading.Thread(target=jobs.run_job, args=(svc.db, svc.registry, job_id, svc))
            t.start()
            while t.is_alive():
                t.join(0.2)
                with svc.db.session() as s:
                    j = s.get(Job, job_id)
                    bar.update(task, completed=j.done, total=j.total or None, msg=j.message)
            with svc.db.session() as s:
                j = s.get(Job, job_id)
                bar.update(task, completed=j.total or 1, total=j.total or 1, msg=j.status)


@calendar_app.command("import")
def calendar_import(path: Path) -> None:
    """Load a year's schedule (holiday-cn JSON shape) published by the State Council."""
    from ipcity.core import calendar as cal

    svc = _services()
    try:
        days = cal.parse_schedule(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, json.JSONDecodeError) as exc:
        console.print(f"[red]{path}: {exc}[/red]")
        raise typer.Exit(2) from None
    with svc.db.session(write=True) as s:
        n = cal.seed(s, days, source=str(path.name))
        from ipcity.core import audit
        from ipcity.core.roles import Actor

        audit.record(s, Actor.system("cli"), "calendar.import", "calendar", path.name, summary=f"{n} days")
        s.commit()
    console.print(f"{n} days loaded")


@calendar_app.command("add")
def calendar_add(start: str, days: int) -> None:
    """The date `days` working days after `start` (YYYY-MM-DD)."""
    from ipcity.core import calendar as cal

    svc = _services()
    with svc.db.session() as s:
        c = cal.load(s)
    due = c.add_working_days(date.fromisoformat(start), days)
    console.print(f"{due.isoformat()}{' (provisional)' if c.is_provisional(due) else ''}")


@user_app.command("create")
def user_create(username: str, role: str, unit_code: str = "", display_name: str = "",
                password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True)) -> None:
    from sqlalchemy import select

    from ipcity.core.accounts import create_user
    from ipcity.core.errors import DomainError
    from ipcity.core.roles import Actor
    from ipcity.core.tables import Unit

    svc = _services()
    with svc.db.session(write=True) as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.code == unit_code)) if unit_code else None
        if unit_code and unit_id is None:
            console.print(f"[red]no unit with code {unit_code}[/red]")
            raise typer.Exit(2)
        try:
            create_user(s, Actor.system("cli"), username=username, password=password,
                        display_name=display_name or username, role=role, unit_id=unit_id)
        except DomainError as exc:
            console.print(f"[red]{exc.field}: {exc.message.render()}[/red]")
            raise typer.Exit(2) from None
        s.commit()
    console.print(f"user {username} created")


def _identity(username: str, by: str, change) -> None:
    """Verify or revoke an applicant's identity as `cli:<by>` (audited like the administrator's page)."""
    from sqlalchemy import select

    from ipcity.core.errors import DomainError
    from ipcity.core.roles import Actor
    from ipcity.core.tables import User

    if not by.strip():
        console.print("[red]--by: say who checked the evidence[/red]")
        raise typer.Exit(2)
    svc = _services()
    with svc.db.session(write=True) as s:
        user = s.scalar(select(User).where(User.username == username))
        if user is None:
            console.print(f"[red]no user {username}[/red]")
            raise typer.Exit(2)
        try:
            change(s, Actor.system(f"cli:{by.strip()}"), user)
        except DomainError as exc:
            console.print(f"[red]{exc.field}: {exc.message.render()}[/red]")
            raise typer.Exit(2) from None
        s.commit()


@user_app.command("verify-identity")
def user_verify_identity(username: str, evidence: str = typer.Option(..., help="what was examined"),
                         by: str = typer.Option(..., help="who examined it")) -> None:
    """Record an applicant's identity as verified, with the evidence examined."""
    from ipcity.core import identity

    _identity(username, by, lambda s, actor, user: identity.verify(s, actor, user, evidence))
    console.print(f"identity of {username} verified")


@user_app.command("revoke-identity")
def user_revoke_identity(username: str, reason: str = typer.Option(...),
                         by: str = typer.Option(..., help="who decided")) -> None:
    """Withdraw an applicant's identity verification, with the reason."""
    from ipcity.core import identity

    _identity(username, by, lambda s, actor, user: identity.revoke(s, actor, user, reason))
    console.print(f"identity verification of {username} revoked")


@outbox_app.command("list")
def outbox_list(unsent: bool = typer.Option(False, "--unsent", help="only table rows not yet delivered"),
                limit: int = typer.Option(20, min=1, max=1000)) -> None:
    """The newest messages, from the outbox table and the outbox folder (IPCITY_NOTIFIER=file)."""
    from ipcity.core.clock import local
    from ipcity.core.notify import stored_messages

    svc = _services()
    with svc.db.session() as s:
        found = stored_messages(s, svc.settings, unsent_only=unsent, limit=limit)
    table = Table(title=f"发件箱 outbox ({svc.settings.outbox_dir})")
    for col in ("key", "time (Beijing)", "to", "subject", "purpose", "sent"):
        table.add_column(col)
    for m in found:
        table.add_row(m.key, local(m.at).strftime("%Y-%m-%d %H:%M:%S"), m.to, m.subject, m.purpose,
                      {True: "yes", False: "no", None: "file"}[m.sent])
    console.print(table)
    if found:
        console.print(f"read one: ipcity outbox show {found[0].key}")


@outbox_app.command("show")
def outbox_show(key: str = typer.Argument(..., help="the key `ipcity outbox list` shows")) -> None:
    """One message in full (it may hold a live link: do not paste it anywhere)."""
    from ipcity.core.clock import local
    from ipcity.core.notify import stored_message

    svc = _services()
    with svc.db.session() as s:
        m = stored_message(s, svc.settings, key)
    if m is None:
        console.print(f"[red]no message {key}[/red]")
        raise typer.Exit(2)
    print(f"To: {m.to}\nSubject: {m.subject}\nDate: {local(m.at).strftime('%Y-%m-%d %H:%M:%S')} (Beijing)\n"
          f"Purpose: {m.purpose}\n\n{m.body}")


@app.command()
def workplan(as_json: bool = typer.Option(False, "--json")) -> None:
    """The state of every work point today."""
    from ipcity.services.workplan import service

    svc = _services()
    with svc.db.session() as s:
        rows = [{"number": v.point.number, "deadline": v.point.deadline_label, "status": str(v.status),
                 "completion": v.point.completion, "days_overdue": v.days_overdue}
                for v in service.list_points(s)]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(title="工作要点 work points")
    for col in ("no.", "deadline", "status", "completion", "days overdue"):
        table.add_column(col)
    for r in rows:
        table.add_row(str(r["number"]), r["deadline"], r["status"], str(r["completion"] or "—"),
                      str(r["days_overdue"] or ""))
    console.print(table)


def main() -> None:  # pragma: no cover
    app(sys.argv[1:])
