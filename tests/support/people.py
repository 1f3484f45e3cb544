"""Accounts for tests, in the units the plan names (the plan itself is seeded in every test database)."""

from __future__ import annotations

from functools import cache
from unittest.mock import patch

from sqlalchemy import select

from ipcity.core import accounts
from ipcity.core.accounts import create_unit, create_user
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, BANK, HANDLER, HEAD, REVIEWER, Actor
from ipcity.core.security import hash_password as _real_hash
from ipcity.core.tables import Unit

PASSWORD = "Test-Pass-2026"

CAST = {
    "reviewer": (REVIEWER, "上海市知识产权局"),
    "head": (HEAD, "上海市知识产权局"),
    "lead_handler": (HANDLER, "上海市知识产权局"),
    "pudong": (HANDLER, "浦东新区人民政府"),
    "sheitc": (HANDLER, "市经济信息化委"),
    "commerce": (HANDLER, "市商务委"),
    "company": (APPLICANT_COMPANY, "测试公司"),
    "licensee": (APPLICANT_COMPANY, "测试制造公司"),
    "bank": (BANK, "测试银行"),
    "centre_handler": (HANDLER, "测试知识产权保护中心"),
    "centre_examiner": (REVIEWER, "测试知识产权保护中心"),
    "admin": (ADMIN, None),
}
EXTRA_UNITS = (("test-company", "测试公司", "company"), ("test-maker", "测试制造公司", "company"),
               ("test-bank", "测试银行", "bank"), ("test-ippc", "测试知识产权保护中心", "protection_centre"))


@cache
def _hash_once(password: str) -> str:
    return _real_hash(password)


def make_people(db) -> dict[str, Actor]:
    """The cast, with the one password hashed once per test session (argon2 is slow on purpose)."""
    system = Actor.system("tests")
    out = {}
    with patch.object(accounts, "hash_password", _hash_once), db.session() as s:
        for code, name_zh, kind in EXTRA_UNITS:
            if not s.scalar(select(Unit.id).where(Unit.name_zh == name_zh)):
                create_unit(s, system, code=code, name_zh=name_zh, kind=kind)
        for name, (role, unit_name) in CAST.items():
            unit_id = s.scalar(select(Unit.id).where(Unit.name_zh == unit_name)) if unit_name else None
            user = create_user(s, system, username=name, password=PASSWORD, display_name=name, role=role,
                               unit_id=unit_id)
            out[name] = Actor.of(user)
        s.commit()
    return out


def login(client, username: str, password: str = PASSWORD):
    client.get("/login")
    token = client.cookies.get("ipcity_csrf")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": "/services"}, follow_redirects=False)


def csrf_of(client) -> str:
    """The signed-in person's CSRF token, read from a page as the browser would."""
    import re

    html = client.get("/account").text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
