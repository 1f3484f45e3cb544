"""The write mix of the crash test and the load benchmark (bench/load.py), and the checks that follow it.

Writes go through the same HTTP forms a browser posts: a data-IP filing (`POST /dataip/new`, multipart with a
data file and a sample), the next review step on a filed application (`POST /dataip/{id}/act`) and a sign-in
with the right password (`POST /login`). A write counts as *acknowledged* when the server answered it with its
success redirect (303); `check` then proves that every acknowledged write is stored and that nothing is
half-applied, whatever happened to the server in between (kill -9 included).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from sqlalchemy import func, select, text

from tests.support.dataip import FORM

# The review steps a load client fires on a filed application: (transition, role that fires it, state after).
STEPS = (("pass_formal", "handler", "substantive_review"), ("approve_publicity", "reviewer", "in_publicity"))
PRODUCT_PATH = re.compile(r"^/dataip/(\d+)$")
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Acknowledged:
    """Writes the server acknowledged (303): what must be in the database afterwards."""

    filings: dict[int, str] = field(default_factory=dict)  # product id -> the unique name it was filed under
    transitions: list[tuple[int, str]] = field(default_factory=list)  # (product id, transition key)
    logins: list[str] = field(default_factory=list)  # session tokens handed out

    def merge(self, other: Acknowledged) -> None:
        self.filings.update(other.filings)
        self.transitions += other.transitions
        self.logins += other.logins

    @property
    def total(self) -> int:
        return len(self.filings) + len(self.transitions) + len(self.logins)


# --- request bodies -------------------------------------------------------------------------------------------

def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[str, bytes]:
    """(content type, body) of a multipart/form-data post (RFC 7578)."""
    boundary = "ipcity" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                     + str(value).encode() + b"\r\n")
    for name, (filename, content, ctype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {ctype}\r\n\r\n".encode() + content + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


def filing_body(name: str, csrf: str) -> tuple[str, bytes]:
    """A complete filing under `name`, with its own data file (so each filing fixes a distinct hash)."""
    data = f"station_id,window_start,kwh\n{name},2025-01-01T00:00,{secrets.randbelow(10**6)}\n".encode()
    return multipart({**FORM, "name": name, "csrf_token": csrf},
                     {"data_files": ("data.csv", data, "text/csv"), "sample": ("sample.csv", data, "text/csv")})


def act_body(transition: str, csrf: str) -> tuple[str, bytes]:
    return "application/x-www-form-urlencoded", urlencode({"transition": transition, "csrf_token": csrf}).encode()


def login_body(username: str, password: str, csrf: str) -> tuple[str, bytes]:
    """The sign-in form; `csrf` must also be sent as the `ipcity_csrf` cookie (double submit)."""
    return "application/x-www-form-urlencoded", urlencode(
        {"username": username, "password": password, "csrf_token": csrf, "next": "/"}).encode()


def product_id(status: int, location: str | None) -> int | None:
    """The new application's id when a filing was acknowledged (303 to its page), else None."""
    if status != 303 or not location:
        return None
    found = PRODUCT_PATH.match(urlsplit(location).path)
    return int(found.group(1)) if found else None


def session_token(set_cookies: list[str]) -> str | None:
    for header in set_cookies:
        name, _, rest = header.partition("=")
        if name.strip() == "ipcity_session":
            return rest.split(";", 1)[0]
    return None


# --- the checks afterwards --------------------------------------------------------------------------------------

def half_applied(session) -> list[str]:
    """Cases whose state is not the last step of their history; data products that disagree with their case."""
    from ipcity.services.dataip.tables import DataProduct
    from ipcity.workflow.tables import Case, CaseEvent

    problems = []
    last_seq = (select(CaseEvent.case_id, func.max(CaseEvent.seq).label("seq"))
                .group_by(CaseEvent.case_id).subquery())
    rows = session.execute(
        select(Case.id, Case.number, Case.state, CaseEvent.to_state)
        .outerjoin(last_seq, last_seq.c.case_id == Case.id)
        .outerjoin(CaseEvent, (CaseEvent.case_id == Case.id) & (CaseEvent.seq == last_seq.c.seq)))
    for case_id, number, state, last in rows:
        if last != state:
            problems.append(f"case {number} (id {case_id}) is {state!r}, its last history event leads to {last!r}")
    for pid, number, pstate, cstate in session.execute(
            select(DataProduct.id, DataProduct.application_number, DataProduct.state, Case.state)
            .join(Case, Case.id == DataProduct.case_id)):
        if pstate != cstate:
            problems.append(f"data product {number} (id {pid}) is {pstate!r}, its case is {cstate!r}")
    return problems


def lost_writes(session, acked: Acknowledged) -> list[str]:
    """Acknowledged writes that are not in the database."""
    from ipcity.core.security import token_digest
    from ipcity.core.tables import WebSession
    from ipcity.services.dataip.tables import DataProduct
    from ipcity.workflow.tables import CaseEvent

    lost = []
    names = dict(session.execute(select(DataProduct.id, DataProduct.name)
                                 .where(DataProduct.id.in_(list(acked.filings) or [-1]))).all())
    lost += [f"filing {pid} ({name}) acknowledged, not stored" for pid, name in acked.filings.items()
             if names.get(pid) != name]
    fired = set(session.execute(select(DataProduct.id, CaseEvent.transition)
                                .join(CaseEvent, CaseEvent.case_id == DataProduct.case_id)).all())
    lost += [f"transition {key} on product {pid} acknowledged, not stored" for pid, key in acked.transitions
             if (pid, key) not in fired]
    digests = [token_digest(t) for t in acked.logins]
    stored = set()
    for i in range(0, len(digests), 500):
        stored |= set(session.scalars(select(WebSession.id).where(WebSession.id.in_(digests[i:i + 500]))))
    lost += [f"sign-in {n} acknowledged, its session not stored" for n, d in enumerate(digests) if d not in stored]
    return lost


def sqlite_integrity(session) -> list[str]:
    if session.get_bind().dialect.name != "sqlite":
        return []
    result = [row[0] for row in session.execute(text("PRAGMA integrity_check"))]
    return [] if result == ["ok"] else [f"PRAGMA integrity_check: {r}" for r in result]


def run_cli(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """An `ipcity` command in this process, with `env` as its environment: (exit code, output)."""
    from typer.testing import CliRunner

    from ipcity.cli import app

    result = CliRunner().invoke(app, args, env=env)
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += f"\n{type(result.exception).__name__}: {result.exception}"
    return result.exit_code, output


@dataclass
class Report:
    stored: int
    lost: list[str]
    half_applied: list[str]
    integrity: list[str]
    audit: tuple[int, str]  # `ipcity audit verify`: exit code, output
    log: tuple[int, str]  # `ipcity dataip check`: exit code, output

    @property
    def ok(self) -> bool:
        return not (self.lost or self.half_applied or self.integrity) and self.audit[0] == 0 and self.log[0] == 0

    def problems(self) -> list[str]:
        out = self.integrity + self.half_applied + self.lost
        if self.audit[0]:
            out.append(f"ipcity audit verify exited {self.audit[0]}:\n{self.audit[1]}")
        if self.log[0]:
            out.append(f"ipcity dataip check exited {self.log[0]}:\n{self.log[1]}")
        return out


def check(database_url: str, env: dict[str, str], acked: Acknowledged) -> Report:
    """Everything that must hold after the run (the server must be stopped): see the module's note."""
    from ipcity.core.db import Database

    db = Database(database_url)
    try:
        with db.session() as s:
            integrity = sqlite_integrity(s)
            lost = lost_writes(s, acked)
            half = half_applied(s)
            s.rollback()
    finally:
        db.dispose()
    return Report(acked.total - len(lost), lost, half, integrity, run_cli(["audit", "verify"], env),
                  run_cli(["dataip", "check"], env))
