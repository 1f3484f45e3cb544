"""`ipcity dataip …`: data-IP registration from the command line. `verify` needs no database and no network."""

from __future__ import annotations

from pathlib import Path

import typer

dataip_app = typer.Typer(help="Data-IP registration (数据知识产权登记): verify certificates, check the log",
                         no_args_is_help=True)


def _unreadable(zh: str, en: str, path: Path, exc: Exception) -> typer.Exit:
    typer.echo(f"✗ 无法读取{zh} / cannot read the {en}: {path}: {exc}", err=True)
    return typer.Exit(2)


@dataip_app.command("verify")
def verify(cert: Path = typer.Argument(..., help="the certificate PDF", show_default=False),
           data: Path | None = typer.Argument(None, help="a data file to check against the registered hashes",
                                              show_default=False),
           key: Path | None = typer.Option(None, "--key", help="the registry's published public key (PEM or hex): "
                                           "pins it instead of trusting the key inside the certificate")) -> None:
    """Check a certificate offline: document signature, evidence, signed tree head, inclusion proof, data file.

    Exits 0 when every check passes, 1 when any fails, 2 when a file cannot be read."""
    from ipcity.services.dataip import signing
    from ipcity.services.dataip.verify import verify_certificate

    try:
        pdf = cert.read_bytes()
    except OSError as exc:
        raise _unreadable("证书", "certificate", cert, exc) from None
    if data is not None:
        try:
            data.open("rb").close()
        except OSError as exc:
            raise _unreadable("数据文件", "data file", data, exc) from None
    public_key = None
    if key is not None:
        try:
            public_key = signing.load_public_key(key)
        except (OSError, ValueError) as exc:  # signing.SignatureError is a ValueError
            raise _unreadable("公钥", "public key", key, exc) from None

    report = verify_certificate(pdf, data_path=data, public_key=public_key)
    facts = report.facts or {}
    if facts:
        typer.echo(f"证书 Certificate {facts.get('certificate_number', '?')}  {facts.get('name', '')}  "
                   f"{facts.get('holder_name', '')}")
    for check in report.checks:
        typer.echo(f"{'✓' if check.ok else '✗'} {check.name}: {check.detail_zh}")
        typer.echo(f"    {check.detail_en}")
    for zh, en in report.notes:
        typer.echo(f"! {zh}\n    {en}")
    typer.echo("通过：证书有效 / VALID: every check passed" if report.ok
               else "未通过：证书无效 / NOT VALID: see the failed checks (✗)")
    raise typer.Exit(0 if report.ok else 1)


def _services():
    from ipcity.core.runtime import services

    return services()


@dataip_app.command("check")
def check() -> None:
    """Sign a head over any entry still pending, then re-derive the transparency log from its stored entries and
    compare every registry record with it.

    Exits 0 when the log, its signed tree heads and the registry agree; 1 with every contradiction otherwise."""
    from ipcity.core import audit
    from ipcity.core.roles import Actor
    from ipcity.services.dataip import evidence, sequencer, service, tlog

    svc = _services()
    with svc.db.session(write=True) as session:
        sequencer.sign_now(session, service.signer_of(session))  # promised entries are checked under a head too
        problems = evidence.integrity_problems(session)
        head = tlog.latest_head(session)
        audit.record(session, Actor.system("cli"), "dataip.check", "dataip.log", str(head.size if head else 0),
                     summary=f"{len(problems)} problem(s)",
                     detail={"problems": [p.render("en") for p in problems[:50]]})
        session.commit()
    for p in problems:
        typer.echo(f"✗ {p.render('zh_Hans')}\n    {p.render('en')}")
    size = head.size if head else 0
    typer.echo(f"日志完整 / log intact: {size} entries, registry matches" if not problems
               else f"发现 {len(problems)} 处不一致 / {len(problems)} contradiction(s) found")
    raise typer.Exit(0 if not problems else 1)


@dataip_app.command("sweep")
def sweep() -> None:
    """Register the products whose publicity ended without an open objection; expire lapsed registrations."""
    from ipcity.services.dataip import service

    svc = _services()
    with svc.db.session(write=True) as session:
        result = service.sweep(session)
        session.commit()
    typer.echo(f"registered {result['registered']}, expired {result['expired']}")
