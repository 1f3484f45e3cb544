"""Accounts a company or a person opens themselves, their e-mail confirmation, and password reset by e-mail.

A company registers with its name and 统一社会信用代码 (unified social credit code, GB 32100-2015, checked with
python-stdnum's `stdnum.cn.uscc`: length, alphabet and check character), a contact person, an e-mail address and
a phone number; a person with their name, e-mail address and phone number (no identity number: identity is
verified later, on materials, by an official: core/identity.py). Both choose a user name and a password under the
platform's policy (core/security.py: argon2id, at least 10 characters, a zxcvbn estimate of 10^9 guesses).

The account starts with the least-privileged role the services know for its kind (applicant company or
individual), its identity not verified, and its e-mail address unconfirmed: it cannot sign in until its owner
opens the single-use link mailed to them (core/notify.py). Links are random 256-bit tokens; only their sha256 is
stored (`AccountToken`), each expires (Settings.email_confirm_hours, password_reset_minutes), works once, and a
newer link of the same purpose replaces the older.

Nothing here tells a stranger which e-mail addresses have accounts: "forgot password" and "send the link again"
answer the same whether or not the address exists, and registering with an address that already has an account
"succeeds" the same way while the address's owner is told by e-mail. Registrations, reset and resend requests are
counted per client address and per e-mail address (core/throttle.py) and slowed down past a few.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from ipcity.core import audit, throttle
from ipcity.core.accounts import TooManyAttempts, create_unit, create_user, username_problem
from ipcity.core.clock import now
from ipcity.core.config import Settings
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.notify import Message, notifier_of
from ipcity.core.roles import APPLICANT_COMPANY, APPLICANT_INDIVIDUAL, Actor
from ipcity.core.security import hash_password, new_token, password_problems, token_digest
from ipcity.core.tables import AccountToken, Unit, User, WebSession

COMPANY, INDIVIDUAL = "company", "individual"
KINDS = {COMPANY: APPLICANT_COMPANY, INDIVIDUAL: APPLICANT_INDIVIDUAL}
CONFIRM, RESET = "confirm", "reset"

PLATFORM = Msg("IP-strong city · one-stop services")
MAX_NAME = 100
MAX_COMPANY_NAME = 200
MAX_EMAIL = 200
# One "@", something on both sides, a dot in the domain, no spaces (the link itself proves the address works).
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
# Mainland mobile numbers (11 digits from 13x to 19x) and fixed lines (area code 0xx or 0xxx, 7–8 digits, an
# optional extension), with or without +86 and separators.
MOBILE = re.compile(r"1[3-9]\d{9}")
FIXED = re.compile(r"0\d{2,3}\d{7,8}(?:#\d{1,6})?")

# Slow-downs (core/throttle.py policies: pair, address, e-mail, longest delay). Registrations are counted when
# they succeed (a mistyped form costs nothing); link requests are counted every time, for every address.
REGISTER_POLICY = throttle.Policy(pair_failures=3, address_failures=5, account_failures=3, max_delay_s=3600)
LINK_POLICY = throttle.Policy(pair_failures=3, address_failures=10, account_failures=3, max_delay_s=3600)

SYSTEM = Actor.system("self-registration")


def _aware(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


# --- checks ---------------------------------------------------------------------------------------------------

def normal_email(value: str) -> str:
    return (value or "").strip().lower()


def email_problem(value: str) -> Msg | None:
    if not value:
        return Msg("{field} is required", field=Msg("E-mail address"))
    if len(value) > MAX_EMAIL or not EMAIL.fullmatch(value):
        return Msg("This is not an e-mail address: write it as name@example.com")
    return None


def normal_phone(value: str) -> str:
    digits = re.sub(r"[\s\-()]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def phone_problem(value: str) -> Msg | None:
    if not value:
        return Msg("{field} is required", field=Msg("Phone"))
    if not (MOBILE.fullmatch(value) or FIXED.fullmatch(value)):
        return Msg("This is not a phone number in mainland China: write an 11-digit mobile number, or a fixed line "
                   "with its area code (021-12345678)")
    return None


def credit_code_problem(value: str) -> Msg | None:
    """The 统一社会信用代码 checked as GB 32100-2015 defines it (stdnum.cn.uscc): 18 characters, the first 8
    digits, the rest digits or capital letters other than I, O, S, V and Z, the last the check character."""
    if not value:
        return Msg("{field} is required", field=Msg("Unified social credit code"))
    try:
        uscc.validate(value)
    except InvalidLength:
        return Msg("The unified social credit code has 18 characters; this one has {n}", n=len(value))
    except InvalidChecksum:
        return Msg("The check character (the last one) of this unified social credit code is wrong: copy the code "
                   "from the business licence again")
    except ValidationError:
        return Msg("The unified social credit code begins with 8 digits, followed by digits and capital letters "
                   "(not I, O, S, V or Z)")
    return None


def normal_credit_code(value: str) -> str:
    return uscc.compact(value or "")


@dataclass(frozen=True)
class Application:
    """What the registration form sends, as typed."""

    kind: str
    username: str = ""
    password: str = ""
    repeat_password: str = ""
    name: str = ""  # the person, or the company's contact person
    email: str = ""
    phone: str = ""
    company_name: str = ""
    credit_code: str = ""
    consent: bool = False


def problems_of(session: Session, app: Application) -> list[tuple[str, Msg]]:
    """Every problem of the form at once, each on its field (nothing is written)."""
    problems: list[tuple[str, Msg]] = []

    def need(field: str, value: str, label: Msg, most: int) -> None:
        if not value:
            problems.append((field, Msg("{field} is required", field=label)))
        elif len(value) > most:
            problems.append((field, Msg("{field} is too long: at most {n} characters", field=label, n=most)))

    if app.kind == COMPANY:
        need("company_name", app.company_name.strip(), Msg("Company name"), MAX_COMPANY_NAME)
        code = normal_credit_code(app.credit_code)
        wrong = credit_code_problem(code)
        if wrong:
            problems.append(("credit_code", wrong))
        elif session.scalar(select(Unit.id).where(Unit.credit_code == code)):
            problems.append(("credit_code", Msg("A company with this unified social credit code already has an "
                                                "account: ask the person who holds it, or the office")))
        need("name", app.name.strip(), Msg("Contact person"), MAX_NAME)
    else:
        need("name", app.name.strip(), Msg("Name"), MAX_NAME)
    wrong = email_problem(normal_email(app.email))
    if wrong:
        problems.append(("email", wrong))
    wrong = phone_problem(normal_phone(app.phone))
    if wrong:
        problems.append(("phone", wrong))
    username = app.username.strip().lower()
    wrong = username_problem(username)
    if wrong:
        problems.append(("username", wrong))
    elif session.scalar(select(User.id).where(User.username == username)):
        problems.append(("username", Msg("The user name {name} is taken", name=username)))
    if app.password != app.repeat_password:
        problems.append(("repeat_password", Msg("The two passwords differ")))
    problems += [("password", Msg(p)) for p in password_problems(app.password, username)]
    if not app.consent:
        problems.append(("consent", Msg("Agree to the processing of these data for your account to register")))
    return problems


# --- links ----------------------------------------------------------------------------------------------------

def issue_token(session: Session, user: User, purpose: str, lifetime: timedelta) -> str:
    """A new single-use link token for `user`; earlier unused ones of the same purpose stop working."""
    session.execute(delete(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
                                               AccountToken.used_at.is_(None)))
    token = new_token()
    session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=token_digest(token),
                             expires_at=now() + lifetime))
    session.flush()
    return token


def _live_token(session: Session, token: str, purpose: str) -> AccountToken:
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == token_digest(token or ""),
                                                    AccountToken.purpose == purpose)) if token else None
    if row is None or row.used_at is not None:
        raise DomainError(Msg("This link is not valid: it was used already, or a newer link replaced it. Ask for a "
                              "new link."), field="token")
    if _aware(row.expires_at) <= now():
        raise DomainError(Msg("This link has expired. Ask for a new link."), field="token")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise DomainError(Msg("This link is not valid: it was used already, or a newer link replaced it. Ask for a "
                              "new link."), field="token")
    return row


def _use(session: Session, row: AccountToken) -> User:
    """Spend the token: one conditional update, so two requests with the same link cannot both succeed."""
    spent = session.execute(update(AccountToken).where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
                            .values(used_at=now()))
    if spent.rowcount != 1:
        raise DomainError(Msg("This link is not valid: it was used already, or a newer link replaced it. Ask for a "
                              "new link."), field="token")
    return session.get(User, row.user_id)


def check_token(session: Session, token: str, purpose: str) -> User:
    """The account a live link belongs to (nothing is spent): for the page that shows the link's form."""
    return session.get(User, _live_token(session, token, purpose).user_id)


# --- messages -------------------------------------------------------------------------------------------------

def _both(parts: list[Msg | str]) -> str:
    """The text in Chinese, then in English (the recipient's language is not known); a str (a link) as it is."""
    def render(locale: str) -> str:
        return "\n\n".join(p.render(locale) if isinstance(p, Msg) else p for p in parts)

    return f"{render('zh_Hans')}\n\n——\n\n{render('en')}\n"


def send_mail(session: Session, to: str, subject: Msg, parts: list[Msg | str], purpose: str) -> None:
    """An e-mail in both languages through the installation's notifier (core/notify.py)."""
    subject = Msg("{platform}: {what}", platform=PLATFORM, what=subject)
    notifier_of(session).send(session, Message("email", to, f"{subject.render('zh_Hans')} / {subject.render('en')}",
                                               _both(parts), purpose))


def _send_confirmation(session: Session, settings: Settings, user: User) -> None:
    token = issue_token(session, user, CONFIRM, timedelta(hours=settings.email_confirm_hours))
    send_mail(session, user.email, Msg("confirm your e-mail address"), [
        Msg("Hello {name},", name=user.display_name),
        Msg("the account {username} was opened with this e-mail address. To confirm the address and start using "
            "the account, open this link within {hours} hours:", username=user.username,
            hours=settings.email_confirm_hours),
        f"{settings.public_url}/register/confirm?token={token}",
        Msg("The link works once. If you did not register, ignore this message: the account cannot be used "
            "without it.")], "account.confirm")


def _send_reset(session: Session, settings: Settings, user: User) -> None:
    token = issue_token(session, user, RESET, timedelta(minutes=settings.password_reset_minutes))
    send_mail(session, user.email, Msg("choose a new password"), [
        Msg("Hello {name},", name=user.display_name),
        Msg("a new password was asked for the account {username}. To choose it, open this link within {minutes} "
            "minutes:", username=user.username, minutes=settings.password_reset_minutes),
        f"{settings.public_url}/password/reset?token={token}",
        Msg("The link works once. If you did not ask for it, ignore this message: your password stays as it is.")],
        "account.reset")


def _send_already_registered(session: Session, settings: Settings, email: str, users: list[User]) -> None:
    send_mail(session, email, Msg("someone tried to register with your e-mail address"), [
        Msg("Someone tried to open a new account with this e-mail address, which already belongs to the account "
            "{usernames}. If it was you, sign in with that account, or choose a new password here:",
            usernames=", ".join(u.username for u in users)),
        f"{settings.public_url}/password/forgot",
        Msg("If it was not you, ignore this message: nothing was changed.")], "account.duplicate")


# --- use cases ------------------------------------------------------------------------------------------------

def _email_hash(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()[:32]


def _throttle_keys(what: str, email: str, address: str) -> tuple[str, str]:
    """Throttle keys of their own: a ':' never occurs in a user name, so they cannot meet the sign-in counts."""
    return f"{what}:{_email_hash(email)}", f"{what}:{address or 'unknown'}"


def _wait(session: Session, what: str, email: str, address: str) -> None:
    name, addr = _throttle_keys(what, email, address)
    wait = throttle.wait_seconds(session, name, addr, known_device=False)
    if wait:
        raise TooManyAttempts(Msg("Too many requests from here; try again in {m} minutes", m=max(1, -(-wait // 60))),
                              field="email")


def _count(session: Session, what: str, email: str, address: str, policy: throttle.Policy) -> None:
    name, addr = _throttle_keys(what, email, address)
    throttle.record_failure(session, name, addr, policy)


def _users_with_email(session: Session, email: str) -> list[User]:
    return list(session.scalars(select(User).where(func.lower(User.email) == email, User.active.is_(True))
                                .order_by(User.id)))


def register(session: Session, settings: Settings, app: Application, *, address: str = "") -> User | None:
    """Open an account (unconfirmed, identity not verified) and mail its confirmation link.

    Refused whole, with every problem on its field, before anything is written. An e-mail address that already
    has an account gets a notice instead and no account is opened; the caller answers the same either way
    (None is returned then).
    """
    if not settings.self_registration:
        raise DomainError(Msg("Accounts are opened by the office here; ask the administrator for one"))
    if app.kind not in KINDS:
        raise DomainError(Msg("Choose whether you register a company or yourself"), field="kind")
    email = normal_email(app.email)
    _wait(session, "register", email, address)
    problems = problems_of(session, app)
    if problems:
        raise DomainError(problems[0][1], field=problems[0][0], problems=problems)
    _count(session, "register", email, address, REGISTER_POLICY)
    existing = _users_with_email(session, email)
    if existing:
        _send_already_registered(session, settings, email, existing)
        audit.record(session, SYSTEM, "user.register_duplicate", "user", existing[0].id,
                     detail={"address": address})
        return None
    unit_id = None
    if app.kind == COMPANY:
        code = normal_credit_code(app.credit_code)
        unit = create_unit(session, SYSTEM, code=f"uscc-{code}", name_zh=app.company_name.strip(), kind="company")
        unit.credit_code = code
        unit_id = unit.id
    user = create_user(session, SYSTEM, username=app.username, password=app.password, display_name=app.name.strip(),
                       role=KINDS[app.kind], unit_id=unit_id, email=email, phone=normal_phone(app.phone),
                       email_confirmed=False)
    audit.record(session, Actor.of(user), "user.register", "user", user.id, summary=user.username,
                 detail={"kind": app.kind, "address": address})
    _send_confirmation(session, settings, user)
    return user


def confirm_email(session: Session, token: str) -> User:
    """Spend a confirmation link: the account may sign in from now on."""
    user = _use(session, _live_token(session, token, CONFIRM))
    if not user.email_confirmed:
        user.email_confirmed = True
        audit.record(session, Actor.of(user), "user.email_confirmed", "user", user.id, summary=user.username)
    return user


def _link_request(session: Session, settings: Settings, what: str, email: str, address: str) -> list[User]:
    email = normal_email(email)
    wrong = email_problem(email)
    if wrong:
        raise DomainError(wrong, field="email")
    _wait(session, what, email, address)
    _count(session, what, email, address, LINK_POLICY)  # known or not, every request counts the same
    return _users_with_email(session, email)


def request_password_reset(session: Session, settings: Settings, email: str, *, address: str = "") -> None:
    """Mail a reset link to every active account with this address; the same answer (none) when there is none."""
    for user in _link_request(session, settings, "reset", email, address):
        _send_reset(session, settings, user)
        audit.record(session, Actor.of(user), "user.password_reset_requested", "user", user.id,
                     summary=user.username, detail={"address": address})


def resend_confirmation(session: Session, settings: Settings, email: str, *, address: str = "") -> None:
    """Mail a new confirmation link to the unconfirmed accounts with this address; the same answer otherwise."""
    for user in _link_request(session, settings, "confirm", email, address):
        if not user.email_confirmed:
            _send_confirmation(session, settings, user)


def reset_password(session: Session, token: str, new: str, repeat: str) -> User:
    """Set a new password through a reset link. A weak password leaves the link usable; a good one spends it,
    ends the account's sessions and sign-in delays, and confirms the e-mail address (the link came through it)."""
    row = _live_token(session, token, RESET)
    user = session.get(User, row.user_id)
    if new != repeat:
        raise DomainError(Msg("The two new passwords differ"), field="repeat_password")
    problems = password_problems(new, user.username)
    if problems:
        raise DomainError(Msg(problems[0]), field="new_password",
                          problems=[("new_password", Msg(p)) for p in problems])
    user = _use(session, row)
    user.password_hash = hash_password(new)
    user.password_changed_at = now()
    user.email_confirmed = True
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    throttle.clear_account(session, user.username)
    audit.record(session, Actor.of(user), "user.password_reset", "user", user.id, summary=user.username)
    return user
