"""Routes of the core: health, sign-in and out, language, password, files, jobs, audit trail, calendar."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import accounts, audit, identity, jobs, signins, throttle
from ipcity.core import calendar as cal
from ipcity.core.audit_labels import ACTION_LABELS, OBJECT_LABELS, action_label, object_label
from ipcity.core.clock import today
from ipcity.core.errors import DomainError, NotFound, PermissionDenied
from ipcity.core.i18n import LOCALES, Msg
from ipcity.core.roles import ADMIN, PUBLIC_ROLES, ROLES, Actor
from ipcity.core.tables import Attachment, AuditEntry, Job, User
from ipcity.web import identity_routes, registration_routes
from ipcity.web.deps import (
    ANON_CSRF_COOKIE,
    SESSION_COOKIE,
    check_anonymous_csrf,
    db_session,
    public,
    require,
)
from ipcity.web.export import csv_response
from ipcity.web.templating import fmt_dt, render

router = APIRouter()
KNOWN_DEVICE_COOKIE = "ipcity_known"
# Self-registration, e-mail links and identity verification live in their own modules; they are mounted here.
router.include_router(registration_routes.router)
router.include_router(identity_routes.router)


def _safe_next(target: str | None) -> str:
    """Only local paths (a query is kept): a login or language link must not send people to another site.
    Browsers read a backslash as a slash ("/\\evil.example" is "//evil.example") and drop tabs and newlines,
    so any of those, or another control character, sends the person home instead."""
    if not target or len(target) > 2000:
        return "/"
    parsed = urlparse(target)
    if (parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)):
        return "/"
    return target


@router.get("/healthz")
@public
def healthz():
    return {"status": "ok"}


@router.get("/login")
@public
def login_page(request: Request, next: str = "/"):
    token = request.cookies.get(ANON_CSRF_COOKIE) or secrets.token_urlsafe(24)
    settings = request.app.state.services.settings
    response = render(request, "login.html", {"next": _safe_next(next), "login_csrf": token,
                                              "self_registration": settings.self_registration})
    response.set_cookie(ANON_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.services.settings.secure_cookies)
    return response


@router.post("/login", dependencies=[Depends(check_anonymous_csrf)])
@public
def login(request: Request, username: str = Form(""), password: str = Form(""), next: str = Form("/"),
          session: Session = Depends(db_session)):
    settings = request.app.state.services.settings
    name = (username or "").strip().lower()
    secret = settings.secret_key()
    known = throttle.is_known_device(secret, name, request.cookies.get(KNOWN_DEVICE_COOKIE))
    try:
        user = accounts.authenticate(session, settings, username, password,
                                     address=request.client.host if request.client else "", known_device=known)
    except DomainError as exc:
        token = request.cookies.get(ANON_CSRF_COOKIE, "")
        return render(request, "login.html", {"error": exc, "next": _safe_next(next), "username": username[:64],
                                              "login_csrf": token, "self_registration": settings.self_registration,
                                              "unconfirmed": isinstance(exc, accounts.EmailNotConfirmed)},
                      status_code=exc.status)
    token = accounts.open_session(session, settings, user)
    session.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=settings.secure_cookies,
                        max_age=settings.session_hours * 3600)
    # This browser has proven it knows the password: a stranger's guessing will not slow it down.
    response.set_cookie(KNOWN_DEVICE_COOKIE, throttle.device_mark(secret, user.username), httponly=True,
                        samesite="strict", secure=settings.secure_cookies, max_age=180 * 86400)
    return response


@router.post("/logout")
def logout(request: Request, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    accounts.close_session(session, request.cookies.get(SESSION_COOKIE))
    audit.record(session, actor, "logout", "user", actor.user_id)
    session.commit()
    signins.forget(session, request.cookies.get(SESSION_COOKIE))  # other processes: by the audit entry's version
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
@public
def switch_language(request: Request, code: str, next: str = "/"):
    if code not in LOCALES:
        raise NotFound(Msg("Unknown language {code}", code=code))
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie("ipcity_lang", code, max_age=365 * 86400, samesite="lax",
                        secure=request.app.state.services.settings.secure_cookies)
    return response


def account_context(session: Session, actor: Actor) -> dict:
    """The account page's facts: the person's own row, and where their identity verification stands."""
    person = session.get(User, actor.user_id)
    latest = identity.latest_request(session, person.id)
    return {"roles": ROLES, "person": person, "applicant": person.role in PUBLIC_ROLES, "latest": latest,
            "materials": identity.materials(session, latest) if latest else [],
            "history": identity.history(session, person) if person.role in PUBLIC_ROLES else [],
            "may_verify": _may_verify(session, actor), "max_materials": identity.MAX_MATERIALS}


def _may_verify(session: Session, actor: Actor) -> bool:
    try:
        return actor.role in identity.REVIEWERS and identity.may_decide(session, actor)
    except DomainError:  # no unit verifies identities on this installation yet
        return False


def render_account(request: Request, session: Session, actor: Actor, status_code: int = 200, **extra):
    return render(request, "account.html", account_context(session, actor) | extra, status_code=status_code)


@router.get("/account")
def account_page(request: Request, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    return render_account(request, session, actor)


@router.post("/account/password")
def change_password(request: Request, old_password: str = Form(""), new_password: str = Form(""),
                    repeat_password: str = Form(""), actor: Actor = Depends(require()),
                    session: Session = Depends(db_session)):
    user = session.get(User, actor.user_id)
    try:
        accounts.change_password(session, user, old_password, new_password, repeat_password)
    except DomainError as exc:
        session.rollback()
        return render_account(request, session, actor, 400, error=exc)
    session.commit()
    response = RedirectResponse("/login?changed=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/files/{attachment_id}")
def download(request: Request, attachment_id: int, actor: Actor = Depends(require()),
             session: Session = Depends(db_session)):
    services = request.app.state.services
    att = session.get(Attachment, attachment_id)
    if att is None:
        raise NotFound(Msg("No such file"))
    check = services.registry.file_access(att.owner_type)
    if check is None or not check(session, actor, att.owner_id):
        raise PermissionDenied(Msg("You may not see this file"))
    return services.files.response(att)


def _jobs_visible(session: Session, actor: Actor, status: str | None):
    q = select(Job).where(jobs.visible_to(actor)).order_by(Job.id.desc()).limit(100)
    if status:
        q = q.where(Job.status == status)
    return list(session.scalars(q))


def _job_dict(job: Job) -> dict:
    return {"id": job.id, "kind": job.kind, "status": job.status, "done": job.done, "total": job.total,
            "message": job.message, "result": job.result, "error": job.error.splitlines()[0] if job.error else "",
            "created_at": job.created_at.isoformat(), "finished_at": job.finished_at.isoformat()
            if job.finished_at else None}


@router.get("/jobs")
def jobs_page(request: Request, status: str | None = None, actor: Actor = Depends(require()),
              session: Session = Depends(db_session)):
    template = "jobs_rows.html" if request.headers.get("hx-request") else "jobs.html"
    return render(request, template, {"jobs": _jobs_visible(session, actor, status), "status": status,
                                      "job_labels": request.app.state.services.registry.job_labels()})


@router.get("/api/jobs")
def jobs_api(status: str | None = None, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    return [_job_dict(j) for j in _jobs_visible(session, actor, status)]


@router.get("/api/jobs/{job_id}")
def job_api(job_id: int, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    if not jobs.may_see(session, actor, job_id):
        raise NotFound(Msg("No such job"))
    return _job_dict(session.get(Job, job_id))


AUDIT_EXPORT_LIMIT = 50_000
AUDIT_HEADER = (Msg("Entry"), Msg("When (Beijing time)"), Msg("Who"), Msg("Unit"), Msg("Action"), Msg("Object"),
                Msg("Number"), Msg("Summary"), Msg("Reason"))


@router.get("/admin/audit")
def audit_page(request: Request, action: str = "", object_type: str = "", q: str = "", page: int = 1,
               format: str = "", actor: Actor = Depends(require(ADMIN)), session: Session = Depends(db_session)):
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(AuditEntry.summary.like(like) | AuditEntry.actor_name.like(like)
                          | AuditEntry.reason.like(like))
    if format == "csv":  # the filtered trail, newest first, as the page shows it (bounded like every export)
        rows = session.scalars(stmt.limit(AUDIT_EXPORT_LIMIT))
        return csv_response("audit-trail.csv", [str(h) for h in AUDIT_HEADER], (
            [r.seq, fmt_dt(r.at), r.actor_name, r.unit_name, str(action_label(r.action)),
             str(object_label(r.object_type)), r.object_id, r.summary, r.reason] for r in rows))
    page = max(1, page)
    rows = list(session.scalars(stmt.offset((page - 1) * 50).limit(50)))
    return render(request, "audit.html", {"rows": rows, "action": action, "object_type": object_type, "q": q,
                                          "page": page, "action_labels": ACTION_LABELS,
                                          "object_labels": OBJECT_LABELS})


@router.get("/api/admin/audit/verify")
def audit_verify_api(actor: Actor = Depends(require(ADMIN)), session: Session = Depends(db_session)):
    result = audit.verify(session)
    return JSONResponse({"ok": result.ok, "checked": result.checked, "problems": result.problems})


# What the chain walk (core/audit.py, core/audit_anchor.py) reports, in words an administrator reads in either
# language; a line no pattern knows is shown as it is.
_AUDIT_PROBLEMS = [
    (r"entry (?P<seq>\d+): missing \(next entry found is (?P<next>\d+)\)",
     Msg("Entry {seq} is missing (the next entry found is {next}): deleted?")),
    (r"entry (?P<seq>\d+): link to previous entry broken",
     Msg("Entry {seq}: its link to the previous entry is broken")),
    (r"entry (?P<seq>\d+): content does not match its hash",
     Msg("Entry {seq}: its content does not match its hash: edited?")),
    (r"entry (?P<seq>\d+): differs from what checkpoint (?P<cp>\d+) signed",
     Msg("Entry {seq} differs from what checkpoint {cp} signed: rewritten or re-linked?")),
    (r"checkpoint (?P<cp>\d+): entry (?P<seq>\d+) is missing from the trail",
     Msg("Checkpoint {cp} signed entry {seq}, which is missing from the trail: deleted?")),
    (r"checkpoints (?P<first>\d+)–(?P<last>\d+) are missing", Msg("Checkpoints {first}–{last} are missing: deleted?")),
    (r"checkpoint (?P<cp>\d+): entry (?P<seq>\d+) is before the previous checkpoint's (?P<prev>\d+)",
     Msg("Checkpoint {cp} signs entry {seq}, before the previous checkpoint's entry {prev}")),
    (r"checkpoint (?P<cp>\d+): the signature does not verify",
     Msg("Checkpoint {cp}: its signature does not verify with this installation's audit key: forged or edited?")),
    (r"checkpoint (?P<cp>\d+): entry (?P<seq>\d+) was signed but the trail ends at (?P<head>\d+)",
     Msg("Checkpoint {cp} signed entry {seq}, but the trail ends at entry {head}: newest entries deleted?")),
    (r"(?P<n>\d+) entries after the last checkpoint \((?P<seq>\d+)\); one is signed at least every (?P<every>\d+)",
     Msg("{n} entries after the last checkpoint (entry {seq}), although one is signed at least every {every} "
         "entries: checkpoints deleted or entries forged?")),
    (r"the checkpoint kept outside the database cannot be read",
     Msg("The checkpoint kept outside the database cannot be read")),
    (r"checkpoint (?P<cp>\S+) \(entry (?P<seq>\S+)\), kept outside the database, is missing or different",
     Msg("Checkpoint {cp} (entry {seq}), kept outside the database, is missing or different in the database: "
         "entries or checkpoints deleted or rewritten?")),
]


def audit_problem(text: str) -> Msg | str:
    for pattern, msg in _AUDIT_PROBLEMS:
        found = re.match(pattern, text)
        if found:
            return Msg(msg.msgid, **found.groupdict())
    return text


@router.get("/admin/audit/verify")
def audit_verify_page(request: Request, actor: Actor = Depends(require(ADMIN)),
                      session: Session = Depends(db_session)):
    """The chain check as a page: intact or not, how far the signed checkpoints reach, and each problem."""
    result = audit.verify(session)
    head = session.execute(audit.head_query()).first()
    return render(request, "audit_verify.html", {
        "result": result, "head": head.seq if head else 0,
        "problems": [audit_problem(p) for p in result.problems]})


@router.get("/api/calendar/{day}")
def calendar_api(day: str, actor: Actor = Depends(require()), session: Session = Depends(db_session)):
    from datetime import date

    try:
        d = date.fromisoformat(day)
    except ValueError:
        raise DomainError(Msg("Dates are written YYYY-MM-DD"), field="day") from None
    calendar = cal.load(session)
    return {"date": d.isoformat(), "working_day": calendar.is_working_day(d), "holiday": calendar.holiday_name(d),
            "provisional": calendar.is_provisional(d), "today": today().isoformat()}
