"""Routes of the core: health, sign-in and out, language, password, files, jobs, audit trail, calendar."""

from __future__ import annotations

import secrets
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipcity.core import accounts, audit, jobs, throttle
from ipcity.core import calendar as cal
from ipcity.core.clock import today
from ipcity.core.errors import DomainError, NotFound, PermissionDenied
from ipcity.core.i18n import LOCALES, Msg
from ipcity.core.roles import ADMIN, ROLES, Actor
from ipcity.core.tables import Attachment, AuditEntry, Job, User
from ipcity.web.deps import (
    ANON_CSRF_COOKIE,
    SESSION_COOKIE,
    check_anonymous_csrf,
    db_session,
    public,
    require,
)
from ipcity.web.templating import render

router = APIRouter()
KNOWN_DEVICE_COOKIE = "ipcity_known"


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not send people to another site."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
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
    response = render(request, "login.html", {"next": _safe_next(next), "login_csrf": token})
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
                                              "login_csrf": token}, status_code=exc.status)
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


@router.get("/account")
def account_page(request: Request, actor: Actor = Depends(require())):
    return render(request, "account.html", {"roles": ROLES})


@router.post("/account/password")
def change_password(request: Request, old_password: str = Form(""), new_password: str = Form(""),
                    repeat_password: str = Form(""), actor: Actor = Depends(require()),
                    session: Session = Depends(db_session)):
    user = session.get(User, actor.user_id)
    try:
        accounts.change_password(session, user, old_password, new_password, repeat_password)
    except DomainError as exc:
        session.rollback()
        return render(request, "account.html", {"roles": ROLES, "error": exc}, status_code=400)
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
    return FileResponse(services.files.path_for(att.sha256), media_type=att.file.mime, filename=att.filename)


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


@router.get("/admin/audit")
def audit_page(request: Request, action: str = "", object_type: str = "", q: str = "", page: int = 1,
               actor: Actor = Depends(require(ADMIN)), session: Session = Depends(db_session)):
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(AuditEntry.summary.like(like) | AuditEntry.actor_name.like(like)
                          | AuditEntry.reason.like(like))
    page = max(1, page)
    rows = list(session.scalars(stmt.offset((page - 1) * 50).limit(50)))
    return render(request, "audit.html", {"rows": rows, "action": action, "object_type": object_type, "q": q,
                                          "page": page})


@router.get("/api/admin/audit/verify")
def audit_verify_api(actor: Actor = Depends(require(ADMIN)), session: Session = Depends(db_session)):
    result = audit.verify(session)
    return JSONResponse({"ok": result.ok, "checked": result.checked, "problems": result.problems})


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
