"""The rights-protection network for tests: its units (a district office, the rights-assistance centre, a mediation
body, the overseas guidance sub-centre) with their officials, a routing table, a fair, and the values of requests
that pass every intake check."""

from __future__ import annotations

import io
from datetime import timedelta
from functools import cache
from unittest.mock import patch

from sqlalchemy import select

from ipcity.core import accounts
from ipcity.core.accounts import create_unit, create_user
from ipcity.core.clock import today
from ipcity.core.files import Upload
from ipcity.core.roles import HANDLER, HEAD, MEDIATOR, REVIEWER, Actor
from ipcity.core.security import hash_password as _real_hash
from ipcity.core.tables import Unit, User
from ipcity.services.rights.tables import Fair, RoutingRule

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
DISTRICT = "测试浦东新区知识产权局"
ASSISTANCE = "测试知识产权维权援助中心"
MEDIATION = "测试知识产权纠纷调解中心"
OVERSEAS = "测试海外知识产权纠纷应对指导分中心"
MUNICIPAL = "上海市知识产权局"  # seeded with the plan (kind ip_office)
UNITS = (("test-pudong-ipo", DISTRICT, "district_office"), ("test-rights-aid", ASSISTANCE, "assistance_centre"),
         ("test-mediation", MEDIATION, "mediation_body"), ("test-overseas", OVERSEAS, "assistance_centre"))
OFFICIALS = {  # username: (role, unit)
    "pd_handler": (HANDLER, DISTRICT), "pd_reviewer": (REVIEWER, DISTRICT), "pd_head": (HEAD, DISTRICT),
    "aid_handler": (HANDLER, ASSISTANCE), "mediator": (MEDIATOR, MEDIATION),
    "overseas_handler": (HANDLER, OVERSEAS), "sipa_handler": (HANDLER, MUNICIPAL),
}
FAIR_KEY = "ciie-test"


@cache
def _hash_once(password: str) -> str:
    return _real_hash(password)


def pdf(name: str = "evidence.pdf") -> list[Upload]:
    return [Upload(name, io.BytesIO(PDF))]


def unit_id(session, name: str) -> int:
    return session.scalar(select(Unit.id).where(Unit.name_zh == name))


def network(session) -> dict[str, Actor]:
    """The units, their officials, the routing table and a fair running today; returns the officials."""
    system = Actor.system("tests")
    for code, name, kind in UNITS:
        if unit_id(session, name) is None:
            create_unit(session, system, code=code, name_zh=name, kind=kind)
    out = {}
    with patch.object(accounts, "hash_password", _hash_once):
        for username, (role, unit) in OFFICIALS.items():
            user = session.scalar(select(User).where(User.username == username)) or create_user(
                session, system, username=username, password="Test-Pass-2026", display_name=username, role=role,
                unit_id=unit_id(session, unit))
            out[username] = Actor.of(user)
    if not session.scalar(select(RoutingRule.id).limit(1)):
        table = [("patent", "*", "310115", DISTRICT), ("*", "*", "district:*", ASSISTANCE),
                 ("*", "*", "online", ASSISTANCE), ("*", "mediation", "*", MEDIATION),
                 ("*", "overseas_guidance", "*", OVERSEAS), ("*", "*", "fair:*", ASSISTANCE)]
        for i, (right, kind, area, unit) in enumerate(table, start=1):
            session.add(RoutingRule(position=i, right=right, kind=kind, area=area, unit_id=unit_id(session, unit)))
    if not session.scalar(select(Fair.id).where(Fair.key == FAIR_KEY)):
        session.add(Fair(key=FAIR_KEY, series="ciie", edition=9, name="第九届中国国际进口博览会（测试）",
                         venue="国家会展中心（上海）", first_day=today() - timedelta(days=1),
                         last_day=today() + timedelta(days=4), unit_id=unit_id(session, ASSISTANCE),
                         desks=[{"name": "知识产权服务站", "place": "1.1馆", "phone": "021-00000000"}]))
    session.flush()
    return out


def request_values(kind: str = "adjudication", **changes) -> dict:
    """A request that passes every intake check: by default a patentee's request for adjudication of an
    infringement in Pudong (routed to the district office)."""
    values = {"role": "right_holder", "right": "patent", "kind": kind, "where": "district",
              "division_code": "310115",
              "description": "被请求人在其网店销售的产品落入本公司专利权保护范围，请求处理。",
              "respondent": "上海某某贸易有限公司", "patent_number": "ZL201910123456.X", "subject": "infringement",
              "contact_name": "王专员", "phone": "13800000000", "knew_on": (today() - timedelta(days=30)).isoformat()}
    if kind == "mediation":
        values |= {"matter": "damages"}
    if kind == "overseas_guidance":
        values |= {"country": "US", "where": "online", "division_code": ""}
    if kind in ("consultation", "assistance"):
        values |= {"respondent": ""}
    return values | changes


def as_(client, name: str):
    """The test client signed in as `name` (cookies of anyone before cleared)."""
    from tests.support.people import login

    client.cookies.clear()
    assert login(client, name).status_code == 303
    return client


def post(client, url: str, data: dict, files=None):
    """A form posted as a browser does (the page's CSRF token), not following the redirect."""
    from tests.support.people import csrf_of

    return client.post(url, data={**data, "csrf_token": csrf_of(client)}, files=files, follow_redirects=False)
