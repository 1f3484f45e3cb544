"""Headers and defaults (issue 14, finding 12): the Content-Security-Policy header, secure cookies whenever
the public URL is https, and an administrator's page and command to verify an applicant's identity."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from ipcity.core.config import load_settings
from ipcity.core.tables import AuditEntry, User
from ipcity.web.app import create_app
from ipcity.web.security_headers import CSP
from tests.support.people import csrf_of, login


def _user(services, name: str) -> User:
    with services.db.session() as s:
        return s.scalar(select(User).where(User.username == name))


def _audits(services, action: str) -> list[AuditEntry]:
    with services.db.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_pages_carry_the_policy(client):
    page = client.get("/login")
    assert page.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "'unsafe-inline'" not in CSP.split("style-src-attr")[0]
    assert "<script>" not in page.text and "javascript:" not in page.text


def test_secure_cookies_follow_an_https_public_url(tmp_path, database_url, monkeypatch, people):
    monkeypatch.delenv("IPCITY_SECURE_COOKIES", raising=False)
    assert load_settings(data_dir=tmp_path, public_url="http://127.0.0.1:8000").secure_cookies is False
    https = load_settings(data_dir=tmp_path / "d", database_url=database_url, run_worker=False,
                          public_url="https://ip.example.gov.cn")
    assert https.secure_cookies is True
    monkeypatch.setenv("IPCITY_SECURE_COOKIES", "0")                # the explicit setting wins
    assert load_settings(data_dir=tmp_path, public_url="https://ip.example.gov.cn").secure_cookies is False
    with TestClient(create_app(https), base_url="https://testserver") as client:
        assert "secure" in client.get("/login").headers["set-cookie"].lower()
        token = client.cookies.get("ipcity_csrf")
        resp = client.post("/login", data={"username": "company", "password": "Test-Pass-2026", "csrf_token": token},
                           follow_redirects=False)
        session_cookie = [c for c in resp.headers.get_list("set-cookie") if c.startswith("ipcity_session=")]
        assert session_cookie and "secure" in session_cookie[0].lower()


def test_admin_verifies_and_revokes_an_identity(client, services, people):
    company = _user(services, "company")
    assert not company.identity_verified
    login(client, "admin")
    token = csrf_of(client)
    url = f"/admin/users/{company.id}/identity"
    assert "identity-verify" in client.get(url).text
    # No evidence: refused with the field named, nothing written.
    empty = client.post(url, data={"csrf_token": token, "action": "verify", "text": "  "})
    assert empty.status_code == 400 and 'data-field="evidence"' in empty.text
    assert not _user(services, "company").identity_verified and _audits(services, "user.identity_verified") == []
    # Without the CSRF token: refused.
    assert client.post(url, data={"action": "verify", "text": "licence"}).status_code == 403

    evidence = "营业执照（统一社会信用代码 91310000XXXXXXXX）原件，现场核验"
    ok = client.post(url, data={"csrf_token": token, "action": "verify", "text": evidence}, follow_redirects=False)
    assert ok.status_code == 303 and _user(services, "company").identity_verified
    [entry] = _audits(services, "user.identity_verified")
    assert entry.actor_name and entry.actor_id == people["admin"].user_id and entry.at
    assert json.loads(entry.detail)["evidence"] == evidence
    page = client.get(url).text
    assert evidence in page and "identity-revoke" in page
    again = client.post(url, data={"csrf_token": token, "action": "verify", "text": "again"})
    assert again.status_code == 409

    no_reason = client.post(url, data={"csrf_token": token, "action": "revoke", "text": ""})
    assert no_reason.status_code == 400 and 'data-field="reason"' in no_reason.text
    revoked = client.post(url, data={"csrf_token": token, "action": "revoke", "text": "执照已吊销"},
                          follow_redirects=False)
    assert revoked.status_code == 303 and not _user(services, "company").identity_verified
    assert _audits(services, "user.identity_revoked")[0].reason == "执照已吊销"

    official = _user(services, "pudong")
    refused = client.post(f"/admin/users/{official.id}/identity",
                          data={"csrf_token": token, "action": "verify", "text": "ID card"})
    assert refused.status_code == 400 and not _user(services, "pudong").identity_verified


def test_only_administrators_verify(client, services, people):
    company = _user(services, "company")
    login(client, "reviewer")
    token = csrf_of(client)
    assert client.get(f"/admin/users/{company.id}/identity").status_code == 403
    resp = client.post(f"/admin/users/{company.id}/identity",
                       data={"csrf_token": token, "action": "verify", "text": "licence"})
    assert resp.status_code == 403 and not _user(services, "company").identity_verified


def test_cli_verifies_and_revokes(services, settings, people, monkeypatch):
    from ipcity.cli import app

    monkeypatch.setenv("IPCITY_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("IPCITY_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    done = runner.invoke(app, ["user", "verify-identity", "company", "--evidence", "营业执照原件", "--by", "张三"])
    assert done.exit_code == 0, done.output
    assert _user(services, "company").identity_verified
    [entry] = _audits(services, "user.identity_verified")
    assert entry.actor_name == "cli:张三" and json.loads(entry.detail)["evidence"] == "营业执照原件"
    assert runner.invoke(app, ["user", "verify-identity", "company", "--evidence", "x", "--by", "张三"]).exit_code == 2
    assert runner.invoke(app, ["user", "revoke-identity", "company", "--reason", "", "--by", "张三"]).exit_code == 2
    assert runner.invoke(app, ["user", "revoke-identity", "company", "--reason", "过期", "--by", "张三"]).exit_code == 0
    assert not _user(services, "company").identity_verified
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.action.like("user.identity_%"))) == 2
