"""Login, lockout, password rules and sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipcity.core import accounts
from ipcity.core.errors import DomainError
from ipcity.core.tables import User, WebSession
from tests.support.people import PASSWORD


def test_passwords_are_stored_as_argon2id(session, people):
    user = session.scalar(select(User).where(User.username == "reviewer"))
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_login_and_wrong_password(session, settings, people):
    assert accounts.authenticate(session, settings, "Reviewer ", PASSWORD).username == "reviewer"
    with pytest.raises(DomainError) as err:
        accounts.authenticate(session, settings, "reviewer", "wrong-password-1")
    assert err.value.field == "password"
    with pytest.raises(DomainError):
        accounts.authenticate(session, settings, "nobody", PASSWORD)


def test_weak_passwords_are_refused_with_the_reason(session, people):
    from ipcity.core.accounts import create_user
    from ipcity.core.roles import APPLICANT_INDIVIDUAL, Actor

    weak = ["password12", "aaaaaaaaa1", " " * 10 + "1", "qwertyuiop1", "abcdefghij12", "Password2024", "x" * 129,
            "1234567890", "iloveyou12", "newcomer-2026", "letmein123", "zhangwei1990",
            "woaini1314", "liuyang888888"]
    for pw in weak:
        with pytest.raises(DomainError) as err:
            create_user(session, Actor.system("t"), username="newcomer", password=pw, display_name="n",
                        role=APPLICANT_INDIVIDUAL, unit_id=None)
        assert err.value.field == "password", pw
    reasons = {}
    for pw in ("password12", "aaaaaaaaa1"):
        with pytest.raises(DomainError) as err:
            create_user(session, Actor.system("t"), username="newcomer", password=pw, display_name="n",
                        role=APPLICANT_INDIVIDUAL, unit_id=None)
        reasons[pw] = [m.render("zh_Hans") for _f, m in err.value.problems]
    assert any("常用" in r for r in reasons["password12"]), reasons
    assert any("重复" in r for r in reasons["aaaaaaaaa1"]), reasons
    user = create_user(session, Actor.system("t"), username="newcomer", password="Lantern-Orchid-58",
                       display_name="n", role=APPLICANT_INDIVIDUAL, unit_id=None)
    assert user.id


def test_password_change_rules_and_other_sessions_end(session, settings, people):
    user = session.scalar(select(User).where(User.username == "sheitc"))
    token = accounts.open_session(session, settings, user)
    session.commit()
    cases = [("wrong-old-pass1", "New-Pass-2027x", "New-Pass-2027x", "old_password"),
             (PASSWORD, "New-Pass-2027x", "Other-Pass-2027", "repeat_password"),
             (PASSWORD, "short1", "short1", "new_password"),
             (PASSWORD, "sheitc-2027-pw", "sheitc-2027-pw", "new_password"),
             (PASSWORD, PASSWORD, PASSWORD, "new_password")]
    for old, new, repeat, field in cases:
        with pytest.raises(DomainError) as err:
            accounts.change_password(session, user, old, new, repeat)
        assert err.value.field == field, (new, err.value.field)
    accounts.change_password(session, user, PASSWORD, "New-Pass-2027x", "New-Pass-2027x")
    session.commit()
    assert accounts.resolve_session(session, token) is None
    assert session.scalar(select(WebSession).where(WebSession.user_id == user.id)) is None
    assert accounts.authenticate(session, settings, "sheitc", "New-Pass-2027x").id == user.id


def test_unknown_role_and_taken_name_are_refused(session, people):
    from ipcity.core.roles import Actor

    with pytest.raises(DomainError) as err:
        accounts.create_user(session, Actor.system(), username="x1", password="Abcdef-12345", display_name="x",
                             role="emperor", unit_id=None)
    assert err.value.field == "role"
    with pytest.raises(DomainError) as err:
        accounts.create_user(session, Actor.system(), username="reviewer", password="Abcdef-12345",
                             display_name="x", role="handler", unit_id=None)
    assert err.value.field == "username"
