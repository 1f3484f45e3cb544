"""Administration pages: people, units and the holiday calendar (administrators only)."""

from __future__ import annotations

import json
from datetime import date

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from ipcity.core import accounts, audit, identity, throttle
from ipcity.core import calendar as cal
from ipcity.core.errors import DomainError, NotFound
from ipcity.core.i18n import Msg
from ipcity.core.roles import ADMIN, ROLES, UNIT_KINDS, UNIT_LEVELS, Actor
from ipcity.core.tables import Holiday, Unit, User
from ipcity.web.deps import db_session, require
from ipcity.web.export import csv_response
from ipcity.web.templating import render

router = APIRouter(prefix="/admin")


def _users(session: Session, q: str, role: str, unit_id: int | None) -> list[User]:
    stmt = select(User).order_by(User.username)
    if q:
        stmt = stmt.where(User.username.contains(q) | User.display_name.contains(q))
    if role:
        stmt = stmt.where(User.role == role)
    if unit_id:
        stmt = stmt.where(User.unit_id == unit_id)
    return list(session.scalars(stmt))


def _units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.kind, Unit.name_zh)))


@router.get("/users")
def users_page(request: Request, q: str = "", role: str = "", unit_id: int | None = None, format: str = "",
               actor: Actor = Depends(require(ADMIN)), session: Session = Depends(db_session)):
    users = _users(session, q, role, unit_id)
    if format == "csv":
        return csv_response("users.csv", ["username", "name", "role", "unit", "active", "locked_until"],
                            [[u.username, u.display_name, u.role, u.unit.name_zh if u.unit else "", u.active,
                              u.locked_until.isoformat() if u.locked_until else ""] for u in users])
    return render(request, "admin_users.html", {"users": users, "q": q, "role": role, "unit_id": unit_id,
                                                "roles": ROLES, "units": _units(session), "form": {}})


@router.post("/users")
def create_user(request: Request, username: str = Form(""), display_name: str = Form(""), role: str = Form(""),
                unit_id: str = Form(""), password: str = Form(""), actor: Actor = Depends(require(ADMIN)),
                session: Session = Depends(db_session)):
    try:
        accounts.create_user(session, actor, username=username, password=password, display_name=display_name,
                             role=role, unit_id=int(unit_id) if unit_id.isdigit() else None)
    except DomainError as exc:
        session.rollback()
        return render(request, "admin_users.html", {
            "users": _users(session, "", "", None), "q": "", "role": "", "unit_id": None, "roles": ROLES,
            "units": _units(session), "error": exc,
            "form": {"username": username, "display_name": display_name, "role": role, "unit_id": unit_id}}, 400)
    session.commit()
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{user_id}/status")
def set_user_status(user_id: int, active: str = Form(""), unlock: str = Form(""),
                    actor: Actor = Depends(require(ADMIN)), session: Session = Depends(db_session)):
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(Msg("No such user"))
    if user.id == actor.user_id and active == "0":
        raise DomainError(Msg("You cannot deactivate your own account"), field="active")
    changes = {}
    if active in ("0", "1"):
        user.active = active == "1"
        changes["active"] = user.active
    if unlock:
        user.locked_until, user.failed_logins = None, 0
        throttle.clear_account(session, user.username)
        changes["unlocked"] = True
    audit.record(session, actor, "user.status", "user", user.id, summary=user.username, detail=changes)
    session.commit()
    return RedirectResponse("/admin/users", status_code=303)


def _person(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(Msg("No such user"))
    return user


@router.get("/users/{user_id}/identity")
def identity_page(request: Request, user_id: int, actor: Actor = Depends(require(ADMIN)),
                  session: Session = Depends(db_session)):
    user = _person(session, user_id)
    return render(request, "admin_identity.html", {"person": user, "roles": ROLES,
                                                   "history": identity.history(session, user)})


@router.post("/users/{user_id}/identity")
def identity_action(request: Request, user_id: int, action: str = Form(""), text: str = Form(""),
                    actor: Actor = Depends(require(ADMIN)), session: Session = Depends(db_session)):
    """Verify an applicant's identity on stated evidence, or revoke it with a reason (both audited)."""
    user = _person(session, user_id)
    try:
        if action == "verify":
            identity.verify(session, actor, user, text)
        elif action == "revoke":
            identity.revoke(session, actor, user, text)
        else:
            raise DomainError(Msg("Unknown action {action}", action=action), field="action")
    except DomainError as exc:
        session.rollback()
        user = _person(session, user_id)
        return render(request, "admin_identity.html", {"person": user, "roles": ROLES, "error": exc, "text": text,
                                                       "history": identity.history(session, user)}, exc.status)
    session.commit()
    return RedirectResponse(f"/admin/users/{user_id}/identity", status_code=303)


@router.get("/units")
def units_page(request: Request, kind: str = "", q: str = "", actor: Actor = Depends(require(ADMIN)),
               session: Session = Depends(db_session)):
    units = [u for u in _units(session) if (not kind or u.kind == kind) and (not q or q in u.name_zh)]
    return render(request, "admin_units.html", {"units": units, "kinds": UNIT_KINDS, "levels": UNIT_LEVELS,
                                                "kind": kind, "q": q, "form": {}})


@router.post("/units")
def create_unit(request: Request, code: str = Form(""), name_zh: str = Form(""), name_en: str = Form(""),
                kind: str = Form(""), level: str = Form("municipal"), actor: Actor = Depends(require(ADMIN)),
                session: Session = Depends(db_session)):
    try:
        if not code.strip():
            raise DomainError(Msg("{field} is required", field=Msg("Code")), field="code")
        accounts.create_unit(session, actor, code=code.strip(), name_zh=name_zh, name_en=name_en, kind=kind,
                             level=level)
    except DomainError as exc:
        session.rollback()
        return render(request, "admin_units.html", {
            "units": _units(session), "kinds": UNIT_KINDS, "levels": UNIT_LEVELS, "kind": "", "q": "", "error": exc,
            "form": {"code": code, "name_zh": name_zh, "name_en": name_en, "kind": kind}}, 400)
    session.commit()
    return RedirectResponse("/admin/units", status_code=303)


@router.get("/calendar")
def calendar_page(request: Request, year: int | None = Query(None, ge=1, le=9999),  # a year `date` can hold
                  actor: Actor = Depends(require(ADMIN)),
                  session: Session = Depends(db_session)):
    from ipcity.core.clock import today

    year = year or today().year
    days = list(session.scalars(select(Holiday).where(extract("year", Holiday.day) == year).order_by(Holiday.day)))
    return render(request, "admin_calendar.html", {"year": year, "days": days,
                                                   "provisional": cal.load(session).is_provisional(date(year, 6, 1))})


@router.post("/calendar")
def calendar_upload(request: Request, schedule: UploadFile = File(...), actor: Actor = Depends(require(ADMIN)),
                    session: Session = Depends(db_session)):
    """Load a State Council schedule in the holiday-cn JSON shape; refused whole if any entry is wrong."""
    raw = schedule.file.read(1024 * 1024 + 1)
    try:
        if len(raw) > 1024 * 1024:
            raise ValueError("larger than 1 MB")
        days = cal.parse_schedule(json.loads(raw.decode("utf-8")))
        if not days:
            raise ValueError("no days")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DomainError(Msg("The schedule file is not valid: {why}", why=str(exc)), field="schedule") from None
    n = cal.seed(session, days, source=schedule.filename or "upload")
    audit.record(session, actor, "calendar.import", "calendar", schedule.filename or "upload", summary=f"{n} days")
    session.commit()
    return RedirectResponse(f"/admin/calendar?year={days[0].day.year}", status_code=303)
