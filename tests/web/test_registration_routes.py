"""Accounts a citizen can get, through the pages (issue 15, item 13): register, read the link from the outbox,
confirm, sign in; forgot password; and the identity verification an official performs on the applicant's
materials, with its role checks and CSRF."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from ipcity.core.tables import AuditEntry, IdentityRequest, OutboxMessage, User
from tests.support.people import PASSWORD, csrf_of, login

CODE = "91310104MA1FR5QK1F"  # a well-formed 统一社会信用代码
NEW_PASSWORD = "Lantern-Orchid-58"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LINK = re.compile(r"(/(?:register/confirm|password/reset)\?token=[A-Za-z0-9_\-]+)")


def _anon_token(client, page: str) -> str:
    assert client.get(page).status_code == 200
    return client.cookies.get("ipcity_csrf")


def _outbox(services, purpose: str) -> list[OutboxMessage]:
    with services.db.session() as s:
        return list(s.scalars(select(OutboxMessage).where(OutboxMessage.purpose == purpose)
                              .order_by(OutboxMessage.id)))


def _user(services, name: str) -> User:
    with services.db.session() as s:
        return s.scalar(select(User).where(User.username == name))


def _company_form(token: str, **changes) -> dict:
    return {"csrf_token": token, "company_name": "上海示例新材料有限公司", "credit_code": CODE, "name": "张经理",
            "email": "zhang@example-materials.cn", "phone": "13800138000", "username": "materials",
            "password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD, "consent": "1"} | changes


def _register_company(client, services) -> str:
    """Register and confirm a company through the pages; its user name."""
    token = _anon_token(client, "/register/company")
    done = client.post("/register/company", data=_company_form(token), follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/register/sent?what=confirm"
    link = LINK.search(_outbox(services, "account.confirm")[-1].body).group(1)
    page = client.get(link)
    token = client.cookies.get("ipcity_csrf")
    form_token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    assert client.post("/register/confirm", data={"csrf_token": token, "token": form_token},
                       follow_redirects=False).headers["location"] == "/login?confirmed=1"
    return "materials"


def test_the_login_page_leads_to_register_and_forgot_password(client):
    page = client.get("/login").text
    assert 'href="/register"' in page and 'href="/password/forgot"' in page
    choice = client.get("/register").text
    assert 'href="/register/company"' in choice and 'href="/register/individual"' in choice
    assert client.get("/register/nobody").status_code == 404


def test_register_read_the_outbox_confirm_and_sign_in(client, services, people):
    token = _anon_token(client, "/register/company")
    # Without the form's CSRF token: refused, nothing written.
    assert client.post("/register/company", data=_company_form("forged")).status_code == 403
    # Every wrong field named on the page, in the visitor's language; what was typed is kept.
    bad = client.post("/register/company?lang=en", data=_company_form(
        token, credit_code=CODE[:-1] + "X", email="zhang@", phone="12", repeat_password="different", consent=""))
    assert bad.status_code == 400
    for field in ("credit_code", "email", "phone", "repeat_password", "consent"):
        assert f'data-field="{field}"' in bad.text, field
    assert "check character" in bad.text and "上海示例新材料有限公司" in bad.text
    assert _user(services, "materials") is None and _outbox(services, "account.confirm") == []

    done = client.post("/register/company", data=_company_form(token), follow_redirects=False)
    assert done.status_code == 303
    assert "/register/resend" in client.get(done.headers["location"]).text
    user = _user(services, "materials")
    assert user.role == "applicant_company" and not user.email_confirmed and not user.identity_verified
    [message] = _outbox(services, "account.confirm")
    assert message.recipient == "zhang@example-materials.cn"
    link = LINK.search(message.body).group(1)

    # Not confirmed yet: the right password is refused, with a way to get a new link.
    refused = login(client, "materials", NEW_PASSWORD)
    assert refused.status_code == 403 and 'href="/register/resend"' in refused.text
    # The link shows a form and spends nothing until it is posted (a mail scanner may open links).
    page = client.get(link)
    assert page.status_code == 200 and page.headers["referrer-policy"] == "no-referrer"
    assert "no-store" in page.headers["cache-control"] and "materials" in page.text
    form_token = re.search(r'name="token" value="([^"]+)"', page.text).group(1)
    assert client.post("/register/confirm", data={"token": form_token}).status_code == 403  # no CSRF
    confirmed = client.post("/register/confirm", data={"csrf_token": client.cookies.get("ipcity_csrf"),
                                                       "token": form_token}, follow_redirects=False)
    assert confirmed.headers["location"] == "/login?confirmed=1"
    again = client.post("/register/confirm", data={"csrf_token": client.cookies.get("ipcity_csrf"),
                                                   "token": form_token})
    assert again.status_code == 400 and "/register/resend" in again.text  # single use
    assert login(client, "materials", NEW_PASSWORD).status_code == 303
    account = client.get("/account").text
    assert 'id="identity-form"' in account and "zhang@example-materials.cn" in account


def test_forgot_password_is_the_same_for_known_and_unknown_addresses(client, services, people):
    _register_company(client, services)
    client.cookies.clear()
    answers = []
    for email in ("zhang@example-materials.cn", "nobody@example.cn"):
        token = _anon_token(client, "/password/forgot")
        resp = client.post("/password/forgot", data={"csrf_token": token, "email": email}, follow_redirects=False)
        answers.append((resp.status_code, resp.headers["location"], client.get(resp.headers["location"]).text))
    assert answers[0] == answers[1]
    [message] = _outbox(services, "account.reset")
    assert message.recipient == "zhang@example-materials.cn"
    link = LINK.search(message.body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and 'name="new_password"' in page.text
    token, reset_token = client.cookies.get("ipcity_csrf"), re.search(r'name="token" value="([^"]+)"',
                                                                       page.text).group(1)
    weak = client.post("/password/reset", data={"csrf_token": token, "token": reset_token,
                                                "new_password": "1234567890", "repeat_password": "1234567890"})
    assert weak.status_code == 400 and 'data-field="new_password"' in weak.text and 'name="token"' in weak.text
    done = client.post("/password/reset", data={"csrf_token": token, "token": reset_token,
                                                "new_password": "Quiet-Harbour-91", "repeat_password":
                                                "Quiet-Harbour-91"}, follow_redirects=False)
    assert done.headers["location"] == "/login?reset=1"
    assert login(client, "materials", NEW_PASSWORD).status_code == 400
    assert login(client, "materials", "Quiet-Harbour-91").status_code == 303
    client.cookies.clear()
    dead = client.get(link)
    assert dead.status_code == 400 and 'name="new_password"' not in dead.text and "/password/forgot" in dead.text


def test_an_official_verifies_the_identity_on_the_materials(client, services, people):
    name = _register_company(client, services)
    login(client, name, NEW_PASSWORD)
    token = csrf_of(client)
    # A wrong file type is refused on the field; nothing is requested.
    wrong = client.post("/account/identity", data={"csrf_token": token},
                        files={"materials": ("licence.txt", b"not a scan", "text/plain")})
    assert wrong.status_code == 400 and 'data-field="materials"' in wrong.text
    nothing = client.post("/account/identity", data={"csrf_token": token})
    assert nothing.status_code == 400 and 'data-field="materials"' in nothing.text
    assert client.post("/account/identity", files={"materials": ("licence.pdf", PDF, "application/pdf")},
                       data={"csrf_token": "forged"}).status_code == 403
    sent = client.post("/account/identity", data={"csrf_token": token, "note": "法定代表人本人"},
                       files={"materials": ("营业执照.pdf", PDF, "application/pdf")}, follow_redirects=False)
    assert sent.status_code == 303
    page = client.get("/account").text
    assert 'id="identity-pending"' in page and "营业执照.pdf" in page
    with services.db.session() as s:
        request = s.scalar(select(IdentityRequest).where(IdentityRequest.user_id == _user(services, name).id))
    own = re.search(r'href="(/account/identity/\d+/files/\d+)"', page).group(1)
    assert client.get(own).content == PDF
    assert client.get("/identity/requests").status_code == 403  # an applicant does not decide
    again = client.post("/account/identity", data={"csrf_token": token},
                        files={"materials": ("licence.pdf", PDF, "application/pdf")})
    assert again.status_code == 409  # one request at a time

    # Another company may not read these materials.
    client.cookies.clear()
    login(client, "company")
    assert client.get(own).status_code == 404

    # An official of a district government may not decide; the IP office's may.
    client.cookies.clear()
    login(client, "pudong")
    assert client.get("/identity/requests").status_code == 403
    assert client.post(f"/identity/requests/{request.id}", data={"csrf_token": csrf_of(client), "decision": "verify",
                                                                 "text": "营业执照"}).status_code == 403
    client.cookies.clear()
    login(client, "reviewer")
    token = csrf_of(client)
    queue = client.get("/identity/requests").text
    assert f'href="/identity/requests/{request.id}"' in queue and "上海示例新材料有限公司" in queue and CODE in queue
    detail = client.get(f"/identity/requests/{request.id}").text
    material = re.search(r'href="(/identity/requests/\d+/files/\d+)"', detail).group(1)
    assert client.get(material).content == PDF and "法定代表人本人" in detail
    with services.db.session() as s:  # opening a person's identity document is on the record
        opened = s.scalars(select(AuditEntry).where(AuditEntry.action == "user.identity_material_opened")).all()
        assert [e.actor_name for e in opened] == [people["reviewer"].display_name]
    url = f"/identity/requests/{request.id}"
    assert client.post(url, data={"decision": "refuse", "text": "模糊"}).status_code == 403  # no CSRF
    no_reason = client.post(url, data={"csrf_token": token, "decision": "refuse", "text": " "})
    assert no_reason.status_code == 400 and 'data-field="reason"' in no_reason.text
    refused = client.post(url, data={"csrf_token": token, "decision": "refuse", "text": "营业执照扫描件不清晰"},
                          follow_redirects=False)
    assert refused.status_code == 303
    assert client.post(url, data={"csrf_token": token, "decision": "verify", "text": "x"}).status_code == 409
    [notice] = _outbox(services, "identity.decision")
    assert notice.recipient == "zhang@example-materials.cn" and "营业执照扫描件不清晰" in notice.body

    # The applicant sees the refusal with its reason and sends new materials.
    client.cookies.clear()
    login(client, name, NEW_PASSWORD)
    page = client.get("/account").text
    assert 'id="identity-refused"' in page and "营业执照扫描件不清晰" in page
    client.post("/account/identity", data={"csrf_token": csrf_of(client)},
                files={"materials": ("营业执照-清晰.pdf", PDF + b"\n", "application/pdf")})
    with services.db.session() as s:
        second = s.scalar(select(IdentityRequest).where(IdentityRequest.status == "pending"))
    client.cookies.clear()
    login(client, "reviewer")
    evidence = "营业执照（统一社会信用代码 91310104MA1FR5QK1F）扫描件，与国家企业信用信息公示系统一致"
    ok = client.post(f"/identity/requests/{second.id}", data={"csrf_token": csrf_of(client), "decision": "verify",
                                                              "text": evidence}, follow_redirects=False)
    assert ok.status_code == 303
    assert _user(services, name).identity_verified
    with services.db.session() as s:
        entries = {e.action: e for e in s.scalars(select(AuditEntry).where(AuditEntry.object_type == "user",
                                                                           AuditEntry.action.like("user.identity_%")))}
    assert set(entries) == {"user.identity_submitted", "user.identity_material_opened", "user.identity_refused",
                            "user.identity_verified"}
    assert json.loads(entries["user.identity_verified"].detail)["evidence"] == evidence
    assert entries["user.identity_verified"].actor_id == people["reviewer"].user_id
    assert entries["user.identity_refused"].reason == "营业执照扫描件不清晰"
    client.cookies.clear()
    login(client, name, NEW_PASSWORD)
    assert 'id="identity-verified"' in client.get("/account").text


def test_existing_demo_style_accounts_keep_working(client, services, people):
    """Accounts an administrator created (no e-mail confirmation) sign in as before; the admin's own
    verification page still verifies directly."""
    assert login(client, "company").status_code == 303
    assert 'id="identity-form"' in client.get("/account").text
    client.cookies.clear()
    login(client, "admin")
    company = _user(services, "company")
    assert client.post(f"/admin/users/{company.id}/identity", data={"csrf_token": csrf_of(client),
                                                                    "action": "verify", "text": "营业执照原件"},
                       follow_redirects=False).status_code == 303
    page = client.get(f"/admin/users/{company.id}/identity").text
    assert "营业执照原件" in page and 'href="/identity/requests"' in page
    assert login(client, "company", PASSWORD).status_code == 303
