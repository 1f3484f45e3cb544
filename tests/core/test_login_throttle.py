"""Failed sign-ins slow the guesser, are all counted under concurrency, and never lock the owner out."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from sqlalchemy import select

from ipcity.core import accounts, throttle
from ipcity.core.accounts import TooManyAttempts
from ipcity.core.errors import DomainError
from ipcity.core.tables import AuditEntry, LoginThrottle
from tests.support.people import PASSWORD, login


def _fail(session, settings, name, address, password="wrong-password-1", known=False):
    with pytest.raises(DomainError) as err:
        accounts.authenticate(session, settings, name, password, address=address, known_device=known)
    return err.value


def test_delays_start_at_the_threshold_and_double():
    assert throttle.delay_after(4, 5, 900) == 0
    assert [throttle.delay_after(n, 5, 900) for n in (5, 6, 7, 8, 9)] == [60, 120, 240, 480, 900]
    assert throttle.delay_after(10**6, 5, 900) == 900  # no overflow, capped


def test_guessing_from_one_address_delays_that_address_not_the_owner(session, settings, people):
    for _ in range(settings.lockout_failures):
        err = _fail(session, settings, "pudong", "203.0.113.9")
        assert not isinstance(err, TooManyAttempts)
    err = _fail(session, settings, "pudong", "203.0.113.9", password=PASSWORD)  # even the right password waits
    assert isinstance(err, TooManyAttempts) and err.status == 429
    # The owner, elsewhere, still signs in: a stranger cannot lock a person out.
    assert accounts.authenticate(session, settings, "pudong", PASSWORD, address="198.51.100.7").username == "pudong"
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "user")).all()
    assert "login.throttled" in actions and actions.count("login.failed") == settings.lockout_failures - 1


def test_unknown_and_throttled_accounts_get_the_same_answers(session, settings, people):
    answers = {}
    for name in ("pudong", "no-such-person"):
        first = _fail(session, settings, name, "203.0.113.10")
        for _ in range(settings.lockout_failures - 1):
            _fail(session, settings, name, "203.0.113.10")
        blocked = _fail(session, settings, name, "203.0.113.10")
        answers[name] = (type(first), first.message.render("en"), type(blocked), blocked.message.render("en"))
    assert answers["pudong"] == answers["no-such-person"]
    assert "locked" not in answers["pudong"][3] and "exist" not in answers["pudong"][3]


def test_a_distributed_guess_delays_the_account_but_not_a_known_browser(session, settings, people):
    for i in range(settings.login_account_failures):
        _fail(session, settings, "reviewer", f"10.0.{i // 200}.{i % 200}")
    assert isinstance(_fail(session, settings, "reviewer", "10.9.9.9", password=PASSWORD), TooManyAttempts)
    user = accounts.authenticate(session, settings, "reviewer", PASSWORD, address="10.9.9.9", known_device=True)
    assert user.username == "reviewer"


def test_spraying_many_accounts_from_one_address_delays_it(session, settings, people):
    for i in range(settings.login_address_failures):
        _fail(session, settings, f"user{i}", "192.0.2.50")
    assert isinstance(_fail(session, settings, "company", "192.0.2.50", password=PASSWORD), TooManyAttempts)
    assert accounts.authenticate(session, settings, "company", PASSWORD, address="192.0.2.51").username == "company"


def test_failures_are_forgotten_a_day_after_the_last(session, settings, people, monkeypatch):
    for _ in range(settings.lockout_failures):
        _fail(session, settings, "head", "203.0.113.20")
    later = time.time() + throttle.FORGET_AFTER_S + 60
    monkeypatch.setattr(throttle.time, "time", lambda: later)
    _fail(session, settings, "head", "203.0.113.20")  # counted as the first of a new series, not the sixth
    row = session.get(LoginThrottle, "pair:head|203.0.113.20")
    session.refresh(row)
    assert row.failures == 1


def test_concurrent_failures_are_all_counted(db, settings, people):
    """120 wrong passwords at once, 12 threads: every one counted (no lost update)."""
    settings = dataclasses.replace(settings, login_account_failures=1000)  # count them all, delay none
    errors: list[BaseException] = []

    def worker(k: int):
        for j in range(10):
            with db.session() as s:
                try:
                    accounts.authenticate(s, settings, "sheitc", "wrong-password-1", address=f"172.16.{k}.{j}")
                except DomainError:
                    pass
                except BaseException as exc:  # a database error would be a lost count
                    errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with db.session() as s:
        assert s.get(LoginThrottle, "acct:sheitc").failures == 120
        failed = select(AuditEntry.seq).where(AuditEntry.action.in_(["login.failed", "login.throttled"]))
        assert len(s.scalars(failed).all()) == 120


def test_admin_unlock_clears_every_count_of_the_account(session, settings, people):
    for _ in range(settings.lockout_failures):
        _fail(session, settings, "lead_handler", "203.0.113.30")
    _fail(session, settings, "lead_handle", "203.0.113.30")  # a name that is a LIKE-prefix must survive
    throttle.clear_account(session, "lead_handler")
    session.commit()
    keys = set(session.scalars(select(LoginThrottle.key)).all())
    assert not any(k.startswith(("pair:lead_handler|", "acct:lead_handler")) for k in keys)
    assert "acct:lead_handle" in keys
    assert accounts.authenticate(session, settings, "lead_handler", PASSWORD, address="203.0.113.30")


def test_the_login_page_sets_a_known_device_cookie_that_passes_the_account_delay(client, settings, people):
    response = login(client, "bank")
    assert response.status_code == 303
    mark = client.cookies.get("ipcity_known")
    assert mark and throttle.is_known_device(settings.secret_key(), "bank", mark)
    assert not throttle.is_known_device(settings.secret_key(), "admin", mark)
    client.cookies.clear()
    response = login(client, "bank", "wrong-password-1")
    assert response.status_code == 400 and "Test-Pass" not in response.text
