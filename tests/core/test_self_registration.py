"""Self-registration (core/registration.py): the checks of each field, unconfirmed accounts with the least
privilege, single-use expiring links stored hashed, a reset that tells nobody which addresses exist, slow-downs,
and the notifiers that carry the links (core/notify.py)."""

from __future__ import annotations

import dataclasses
import logging
import re
import smtplib
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select
from stdnum.cn import uscc

from ipcity.core import accounts, registration
from ipcity.core.accounts import EmailNotConfirmed, TooManyAttempts
from ipcity.core.clock import now
from ipcity.core.config import SettingError, load_settings
from ipcity.core.errors import DomainError
from ipcity.core.notify import FileNotifier, MemoryNotifier, SmtpNotifier, stored_message, stored_messages
from ipcity.core.roles import APPLICANT_COMPANY, APPLICANT_INDIVIDUAL
from ipcity.core.security import token_digest
from ipcity.core.tables import AccountToken, AuditEntry, LoginThrottle, OutboxMessage, Unit, User, WebSession

CODE = "91310115MA1K4A2B3A"  # a well-formed 统一社会信用代码 (check character computed by GB 32100-2015)
PASSWORD = "Lantern-Orchid-58"
LINK = re.compile(r"https?://\S+\?token=([A-Za-z0-9_\-]+)")


def company(**changes) -> registration.Application:
    values = dict(kind=registration.COMPANY, username="acme.ip", password=PASSWORD, repeat_password=PASSWORD,
                  name="王小明", email="Wang@Acme.example.cn", phone="139 1234 5678",
                  company_name="上海某某科技有限公司", credit_code=CODE.lower(), consent=True)
    return registration.Application(**(values | changes))


def person(**changes) -> registration.Application:
    values = dict(kind=registration.INDIVIDUAL, username="li.hua", password=PASSWORD, repeat_password=PASSWORD,
                  name="李华", email="lihua@example.cn", phone="021-61234567", consent=True)
    return registration.Application(**(values | changes))


@pytest.fixture
def sent(session):
    notifier = session.info["notifier"] = MemoryNotifier()
    return notifier.sent


def token_in(message) -> str:
    return LINK.search(message.body).group(1)


# --- checks (no database) --------------------------------------------------------------------------------------

def test_the_credit_code_is_checked_as_gb_32100_defines_it():
    assert registration.credit_code_problem(CODE) is None
    assert registration.normal_credit_code(" 9131 0115ma1k4a2b3a ") == CODE
    wrong_check = CODE[:-1] + ("B" if CODE[-1] != "B" else "C")
    reasons = {
        "wrong check": registration.credit_code_problem(wrong_check),
        "too short": registration.credit_code_problem(CODE[:17]),
        "letter I": registration.credit_code_problem("91310115MA1K4I2B3" + uscc.calc_check_digit("91310115MA1K4A2B3")),
        "letters in the first 8": registration.credit_code_problem("9131O115MA1K4A2B3A"),
        "empty": registration.credit_code_problem(""),
    }
    texts = {k: v.render("en") for k, v in reasons.items()}
    assert "check character" in texts["wrong check"]
    assert "18 characters" in texts["too short"] and "17" in texts["too short"]
    assert "not I, O, S, V or Z" in texts["letter I"] and "not I, O, S, V or Z" in texts["letters in the first 8"]
    assert "required" in texts["empty"]


def test_e_mail_and_phone_checks():
    assert registration.email_problem("a.b@example.com.cn") is None
    for bad in ("ab", "a@b", "a b@example.com", "a@@example.com", "@example.com", "x" * 190 + "@example.com"):
        assert registration.email_problem(bad) is not None, bad
    for good in ("+86 139-1234-5678", "13912345678", "021-61234567", "0571 8765 4321", "(021) 61234567#801"):
        assert registration.phone_problem(registration.normal_phone(good)) is None, good
    for bad in ("12345678", "1391234567", "23912345678", "021-123", "phone"):
        assert registration.phone_problem(registration.normal_phone(bad)) is not None, bad


# --- registering ----------------------------------------------------------------------------------------------

def test_a_company_gets_an_unconfirmed_least_privileged_account_and_a_link(session, settings, sent, people):
    user = registration.register(session, settings, company(), address="203.0.113.5")
    session.commit()
    assert user.role == APPLICANT_COMPANY and not user.identity_verified and not user.email_confirmed
    assert user.email == "wang@acme.example.cn" and user.phone == "13912345678" and user.display_name == "王小明"
    unit = session.get(Unit, user.unit_id)
    assert unit.kind == "company" and unit.name_zh == "上海某某科技有限公司" and unit.credit_code == CODE
    assert user.password_hash.startswith("$argon2id$")
    [message] = sent
    assert message.to == "wang@acme.example.cn" and message.purpose == "account.confirm"
    token = token_in(message)
    # Only the hash of the link is kept.
    [row] = session.scalars(select(AccountToken).where(AccountToken.user_id == user.id)).all()
    assert row.token_hash == token_digest(token) and token not in row.token_hash and row.purpose == "confirm"
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(user.id))).all()
    assert "user.register" in actions
    # The right password, but not yet confirmed: refused, and said so only to who knows the password.
    with pytest.raises(EmailNotConfirmed):
        accounts.authenticate(session, settings, "acme.ip", PASSWORD)
    session.rollback()
    with pytest.raises(DomainError) as wrong:
        accounts.authenticate(session, settings, "acme.ip", "Wrong-Password-77")
    assert not isinstance(wrong.value, EmailNotConfirmed)
    registration.confirm_email(session, token)
    session.commit()
    assert accounts.authenticate(session, settings, "acme.ip", PASSWORD).id == user.id


def test_an_individual_needs_no_company_and_no_identity_number(session, settings, sent):
    user = registration.register(session, settings, person())
    assert user.role == APPLICANT_INDIVIDUAL and user.unit_id is None and not user.identity_verified


def test_every_problem_is_named_on_its_field_and_nothing_is_written(session, settings, sent, people):
    users, units = session.scalar(select(func.count(User.id))), session.scalar(select(func.count(Unit.id)))
    bad = company(company_name=" ", credit_code="91310115MA1K4A2B3C", name="", email="not-an-address",
                  phone="12345", username="bad name!", password="password12", repeat_password="other",
                  consent=False)
    with pytest.raises(DomainError) as err:
        registration.register(session, settings, bad)
    fields = {f for f, _m in err.value.problems}
    assert fields == {"company_name", "credit_code", "name", "email", "phone", "username", "password",
                      "repeat_password", "consent"}
    session.rollback()
    assert session.scalar(select(func.count(User.id))) == users and session.scalar(select(func.count(Unit.id))) == units
    assert sent == []
    # A taken user name and an already registered credit code are refused on their fields.
    registration.register(session, settings, company())
    session.commit()
    with pytest.raises(DomainError) as err:
        registration.register(session, settings, company(email="other@acme.example.cn", username="company"))
    assert {f for f, _m in err.value.problems} == {"credit_code", "username"}


def test_an_address_that_has_an_account_is_told_and_no_account_is_opened(session, settings, sent):
    first = registration.register(session, settings, person())
    session.commit()
    again = registration.register(session, settings, person(username="li.hua2", email="LIHUA@example.cn"))
    assert again is None
    assert session.scalar(select(func.count(User.id)).where(User.username == "li.hua2")) == 0
    assert [m.purpose for m in sent] == ["account.confirm", "account.duplicate"]
    assert first.username in sent[-1].body and "token=" not in sent[-1].body


def test_registration_can_be_closed(session, settings, sent):
    closed = dataclasses.replace(settings, self_registration=False)
    with pytest.raises(DomainError):
        registration.register(session, closed, person())


# --- links ----------------------------------------------------------------------------------------------------

def test_a_link_works_once_expires_and_a_newer_one_replaces_it(session, settings, sent, monkeypatch):
    registration.register(session, settings, person())
    session.commit()
    old = token_in(sent[-1])
    registration.resend_confirmation(session, settings, "lihua@example.cn", address="203.0.113.6")
    session.commit()
    new = token_in(sent[-1])
    assert new != old
    with pytest.raises(DomainError, match="not valid"):
        registration.confirm_email(session, old)
    # Expired: the clock moves past the link's lifetime.
    later = now() + timedelta(hours=settings.email_confirm_hours, minutes=1)
    monkeypatch.setattr(registration, "now", lambda: later)
    with pytest.raises(DomainError, match="expired"):
        registration.confirm_email(session, new)
    monkeypatch.undo()
    registration.confirm_email(session, new)
    session.commit()
    with pytest.raises(DomainError, match="not valid"):
        registration.confirm_email(session, new)  # single use
    with pytest.raises(DomainError):
        registration.confirm_email(session, "")
    with pytest.raises(DomainError):
        registration.check_token(session, new, registration.RESET)  # a confirmation link resets nothing


def test_forgot_password_answers_the_same_whether_or_not_the_address_exists(session, settings, sent):
    user = registration.register(session, settings, person())
    session.commit()
    sent.clear()
    outcomes = []
    for email in ("lihua@example.cn", "nobody@example.cn"):
        before = session.scalar(select(func.count()).select_from(LoginThrottle))
        outcomes.append(registration.request_password_reset(session, settings, email, address="198.51.100.1"))
        counted = session.scalar(select(func.count()).select_from(LoginThrottle)) - before
        assert counted >= 2, email  # the unknown address is counted exactly like the known one
    session.commit()
    assert outcomes == [None, None]
    assert [m.to for m in sent] == ["lihua@example.cn"] and sent[0].purpose == "account.reset"
    token = token_in(sent[0])
    # A weak password leaves the link usable; a good one spends it and ends the sessions.
    ws = accounts.open_session(session, settings, user)
    session.commit()
    with pytest.raises(DomainError) as weak:
        registration.reset_password(session, token, "password12", "password12")
    assert weak.value.field == "new_password"
    session.rollback()
    with pytest.raises(DomainError) as differ:
        registration.reset_password(session, token, "Quiet-Harbour-91", "Quiet-Harbour-92")
    assert differ.value.field == "repeat_password"
    session.rollback()
    registration.reset_password(session, token, "Quiet-Harbour-91", "Quiet-Harbour-91")
    session.commit()
    assert accounts.resolve_session(session, ws) is None
    assert session.scalar(select(func.count()).select_from(WebSession).where(WebSession.user_id == user.id)) == 0
    # The link came through the mailbox: the address counts as confirmed.
    assert accounts.authenticate(session, settings, "li.hua", "Quiet-Harbour-91").id == user.id
    with pytest.raises(DomainError, match="not valid"):
        registration.reset_password(session, token, "Other-Harbour-93", "Other-Harbour-93")
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(user.id))).all()
    assert "user.password_reset_requested" in actions and "user.password_reset" in actions


def test_registrations_and_link_requests_are_slowed_down(session, settings, sent):
    for i in range(registration.REGISTER_POLICY.address_failures):
        registration.register(session, settings, person(username=f"p{i}", email=f"p{i}@example.cn"),
                              address="192.0.2.1")
        session.commit()
    with pytest.raises(TooManyAttempts) as err:
        registration.register(session, settings, person(username="p99", email="p99@example.cn"), address="192.0.2.1")
    assert err.value.status == 429
    session.rollback()
    # Another address is not slowed down by this one.
    assert registration.register(session, settings, person(username="q1", email="q1@example.cn"),
                                 address="192.0.2.2") is not None
    session.commit()
    # Reset links for one address, asked from many places, are slowed down too (known or unknown alike).
    for email in ("q1@example.cn", "nobody@example.cn"):
        for i in range(registration.LINK_POLICY.account_failures):
            registration.request_password_reset(session, settings, email, address=f"198.51.100.{i}")
            session.commit()
        with pytest.raises(TooManyAttempts):
            registration.request_password_reset(session, settings, email, address="198.51.100.200")
        session.rollback()


# --- notifiers ------------------------------------------------------------------------------------------------

def test_the_file_notifier_writes_after_commit_only_and_logs_no_link(session, settings, caplog):
    session.info["notifier"] = FileNotifier(settings.outbox_dir, "noreply@example.gov.cn")
    caplog.set_level(logging.DEBUG)
    registration.register(session, settings, person())
    assert not settings.outbox_dir.exists() or not list(settings.outbox_dir.glob("*.eml"))  # not before commit
    session.commit()
    [path] = settings.outbox_dir.glob("*.eml")
    assert path.stat().st_mode & 0o077 == 0  # the link is for its owner only
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    body = mail.get_body(("plain",)).get_content()
    token = LINK.search(body).group(1)
    assert mail["To"] == "lihua@example.cn" and mail["From"] == "noreply@example.gov.cn"
    assert token not in caplog.text and "lihua@example.cn" in caplog.text
    # A refused request leaves no file.
    registration.register(session, settings, person(username="li.hua9", email="li9@example.cn"))
    session.rollback()
    assert len(list(settings.outbox_dir.glob("*.eml"))) == 1
    # What `ipcity outbox list` / `show` read.
    [listed] = stored_messages(session, settings)
    assert listed.key == path.name and listed.to == "lihua@example.cn" and listed.sent is None
    assert token in stored_message(session, settings, path.name).body
    assert stored_message(session, settings, "../secret.key") is None


class FakeSMTP:
    delivered: list = []
    refuse = False

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        self.tls = True

    def login(self, user, password):
        self.user = user

    def send_message(self, mail):
        if FakeSMTP.refuse:
            raise smtplib.SMTPRecipientsRefused({mail["To"]: (550, b"no")})
        FakeSMTP.delivered.append(mail)


def test_the_smtp_notifier_sends_after_commit_and_marks_the_message_sent(session, settings, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.delivered = []
    smtp = dataclasses.replace(settings, notifier="smtp", smtp_host="mail.example.gov.cn", smtp_user="ipcity",
                               mail_from="ip@example.gov.cn")
    session.info["notifier"] = SmtpNotifier(smtp)
    registration.register(session, smtp, person())
    assert FakeSMTP.delivered == []
    session.commit()
    [mail] = FakeSMTP.delivered
    assert mail["To"] == "lihua@example.cn" and mail["From"] == "ip@example.gov.cn"
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.purpose == "account.confirm"))
    session.refresh(row)
    assert row.sent_at is not None
    # A refusing server leaves the message unsent in the table; the request itself succeeded.
    FakeSMTP.refuse = True
    try:
        registration.request_password_reset(session, smtp, "lihua@example.cn")
        session.commit()
    finally:
        FakeSMTP.refuse = False
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.purpose == "account.reset"))
    session.refresh(row)
    assert row.sent_at is None


def test_mail_settings_are_checked(monkeypatch, tmp_path):
    for name in [n for n in __import__("os").environ if n.startswith("IPCITY_")]:
        monkeypatch.delenv(name)
    assert load_settings(data_dir=tmp_path).notifier == "outbox"
    monkeypatch.setenv("IPCITY_DEMO", "1")
    assert load_settings(data_dir=tmp_path).notifier == "file"  # the demo's mail can be read from files
    monkeypatch.delenv("IPCITY_DEMO")
    monkeypatch.setenv("IPCITY_NOTIFIER", "smtp")
    with pytest.raises(SettingError, match="IPCITY_SMTP_HOST"):
        load_settings(data_dir=tmp_path)
    monkeypatch.setenv("IPCITY_SMTP_HOST", "mail.example.gov.cn")
    monkeypatch.setenv("IPCITY_SMTP_PORT", "70000")
    with pytest.raises(SettingError, match="IPCITY_SMTP_PORT"):
        load_settings(data_dir=tmp_path)
    monkeypatch.setenv("IPCITY_SMTP_PORT", "465")
    monkeypatch.setenv("IPCITY_SMTP_SECURITY", "ssl")
    loaded = load_settings(data_dir=tmp_path)
    assert (loaded.notifier, loaded.smtp_port, loaded.smtp_security) == ("smtp", 465, "ssl")
    for name, value in (("IPCITY_NOTIFIER", "pigeon"), ("IPCITY_SMTP_SECURITY", "tls1"),
                        ("IPCITY_MAIL_FROM", "not an address")):
        monkeypatch.setenv(name, value)
        with pytest.raises(SettingError, match=name):
            load_settings(data_dir=tmp_path)
        monkeypatch.delenv(name)


def test_the_outbox_command_lists_and_shows_the_messages(session, services, settings, monkeypatch):
    from typer.testing import CliRunner

    from ipcity.cli import app

    session.info["notifier"] = FileNotifier(settings.outbox_dir, "noreply@example.gov.cn")
    registration.register(session, settings, person())
    session.commit()
    monkeypatch.setenv("IPCITY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("IPCITY_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    listed = runner.invoke(app, ["outbox", "list"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    [path] = settings.outbox_dir.glob("*.eml")
    assert path.name in listed.output and "lihua@example.cn" in listed.output
    shown = runner.invoke(app, ["outbox", "show", path.name])
    assert shown.exit_code == 0 and LINK.search(shown.output) and "account.confirm" in shown.output
    assert runner.invoke(app, ["outbox", "show", "../secret.key"]).exit_code == 2
