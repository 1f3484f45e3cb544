"""Pages a visitor uses without an account: register a company or oneself, confirm the e-mail address, ask for
a new confirmation link, and reset a forgotten password (core/registration.py).

Every form carries the anonymous double-submit CSRF token (as the sign-in form does). The pages a mailed link
opens show a form and spend the link only when it is posted, so a mail scanner that follows links spends
nothing; they are not cached and send no referrer.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipcity.core import registration
from ipcity.core.errors import Conflict, DomainError, NotFound
from ipcity.core.i18n import Msg
from ipcity.web.deps import ANON_CSRF_COOKIE, check_anonymous_csrf, db_session, public
from ipcity.web.templating import render

router = APIRouter()
KINDS = (registration.COMPANY, registration.INDIVIDUAL)


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


def _page(request: Request, template: str, context: dict, status_code: int = 200, *, private: bool = False):
    """A page with an anonymous form: the CSRF cookie is set (or kept) and the token put in the form."""
    token = request.cookies.get(ANON_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = render(request, template, {**context, "anon_csrf": token}, status_code=status_code)
    response.set_cookie(ANON_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.services.settings.secure_cookies)
    if private:  # a page whose address carries a live link
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _open(request: Request) -> None:
    if not request.app.state.services.settings.self_registration:
        raise NotFound(Msg("Accounts are opened by the office here; ask the administrator for one"))


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound(Msg("Not found"))
    return kind


@router.get("/register")
@public
def register_choice(request: Request):
    _open(request)
    return render(request, "register_choice.html", {})


@router.get("/register/sent")
@public
def register_sent(request: Request, what: str = "confirm"):
    return render(request, "register_sent.html", {"what": what if what in ("confirm", "reset") else "confirm"})


@router.get("/register/confirm")
@public
def confirm_page(request: Request, token: str = "", session: Session = Depends(db_session)):
    try:
        user = registration.check_token(session, token, registration.CONFIRM)
    except DomainError as exc:
        return _page(request, "register_confirm.html", {"error": exc}, exc.status, private=True)
    return _page(request, "register_confirm.html", {"token": token, "username": user.username}, private=True)


@router.post("/register/confirm", dependencies=[Depends(check_anonymous_csrf)])
@public
def confirm(request: Request, token: str = Form(""), session: Session = Depends(db_session)):
    try:
        registration.confirm_email(session, token)
    except DomainError as exc:
        session.rollback()
        return _page(request, "register_confirm.html", {"error": exc}, exc.status, private=True)
    session.commit()
    return RedirectResponse("/login?confirmed=1", status_code=303)


@router.get("/register/resend")
@public
def resend_page(request: Request):
    return _page(request, "register_resend.html", {"email": ""})


@router.post("/register/resend", dependencies=[Depends(check_anonymous_csrf)])
@public
def resend(request: Request, email: str = Form(""), session: Session = Depends(db_session)):
    return _send_link(request, session, registration.resend_confirmation, email, "register_resend.html", "confirm")


def _send_link(request: Request, session: Session, use_case, email: str, template: str, what: str):
    """A form that mails a link to an address: the same answer whether or not the address has an account."""
    settings = request.app.state.services.settings
    try:
        use_case(session, settings, email, address=_address(request))
    except DomainError as exc:
        session.rollback()
        return _page(request, template, {"error": exc, "email": email[:200]}, exc.status)
    session.commit()
    return RedirectResponse(f"/register/sent?what={what}", status_code=303)


@router.get("/register/{kind}")
@public
def register_page(request: Request, kind: str):
    _open(request)
    return _page(request, "register.html", {"kind": _kind(kind), "form": {}})


@router.post("/register/{kind}", dependencies=[Depends(check_anonymous_csrf)])
@public
def register(request: Request, kind: str, username: str = Form(""), password: str = Form(""),
             repeat_password: str = Form(""), name: str = Form(""), email: str = Form(""), phone: str = Form(""),
             company_name: str = Form(""), credit_code: str = Form(""), consent: str = Form(""),
             session: Session = Depends(db_session)):
    _open(request)
    settings = request.app.state.services.settings
    app = registration.Application(kind=_kind(kind), username=username, password=password,
                                   repeat_password=repeat_password, name=name, email=email, phone=phone,
                                   company_name=company_name, credit_code=credit_code, consent=bool(consent))
    try:
        try:
            registration.register(session, settings, app, address=_address(request))
            session.commit()
        except IntegrityError as clash:  # another registration took the name or the code a moment before
            session.rollback()
            raise Conflict(Msg("The user name or the unified social credit code was taken a moment ago by "
                               "another registration; check them and send the form again"),
                           field="username") from clash
    except DomainError as exc:
        session.rollback()
        form = {"username": username[:64], "name": name[:200], "email": email[:200], "phone": phone[:40],
                "company_name": company_name[:300], "credit_code": credit_code[:40], "consent": bool(consent)}
        return _page(request, "register.html", {"kind": kind, "form": form, "error": exc}, exc.status)
    return RedirectResponse("/register/sent?what=confirm", status_code=303)


@router.get("/password/forgot")
@public
def forgot_page(request: Request):
    return _page(request, "password_forgot.html", {"email": ""})


@router.post("/password/forgot", dependencies=[Depends(check_anonymous_csrf)])
@public
def forgot(request: Request, email: str = Form(""), session: Session = Depends(db_session)):
    return _send_link(request, session, registration.request_password_reset, email, "password_forgot.html", "reset")


@router.get("/password/reset")
@public
def reset_page(request: Request, token: str = "", session: Session = Depends(db_session)):
    try:
        user = registration.check_token(session, token, registration.RESET)
    except DomainError as exc:
        return _page(request, "password_reset.html", {"error": exc, "dead": True}, exc.status, private=True)
    return _page(request, "password_reset.html", {"token": token, "username": user.username}, private=True)


@router.post("/password/reset", dependencies=[Depends(check_anonymous_csrf)])
@public
def reset(request: Request, token: str = Form(""), new_password: str = Form(""), repeat_password: str = Form(""),
          session: Session = Depends(db_session)):
    try:
        registration.reset_password(session, token, new_password, repeat_password)
    except DomainError as exc:
        session.rollback()
        dead = exc.field == "token"
        username = "" if dead else registration.check_token(session, token, registration.RESET).username
        return _page(request, "password_reset.html", {"error": exc, "dead": dead, "token": "" if dead else token,
                                                      "username": username}, exc.status, private=True)
    session.commit()
    return RedirectResponse("/login?reset=1", status_code=303)
