"""Step forms in a browser: a refused step redirects back with its message (Post/Redirect/Get), and a step that
cannot be undone asks first and looks unlike its opposite — for every case service (tests/support/casekit.py).

A browser's refused step (the form accepts HTML) is answered 303 to the record's page with a one-time flash
(web/flash.py): the page shows the refusal once, in the form it came from; reloading posts nothing. A client that
does not ask for HTML still gets the refusal's status (tests/workflow/test_case_services.py walks those).
"""

from __future__ import annotations

import random
import re
from unittest.mock import patch

import pytest
from sqlalchemy import func, select

from ipcity.core import accounts
from ipcity.core.accounts import create_unit, create_user
from ipcity.core.errors import DomainError
from ipcity.core.i18n import Msg
from ipcity.core.roles import APPLICANT_COMPANY, Actor
from ipcity.core.security import token_digest
from ipcity.core.tables import AuditEntry, User, WebSession
from ipcity.web import flash
from ipcity.web.deps import SESSION_COOKIE
from ipcity.workflow import engine
from ipcity.workflow.tables import Case, CaseEvent
from tests.support.casekit import OUTSIDER, SERVICES, TODAY
from tests.support.clock import pin_today
from tests.support.people import PASSWORD, _hash_once, make_people

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ERROR_BOX = 'class="error-box"'
REASON = "浏览器里写下的理由"


class Kit:
    def __init__(self, client, svc):
        self.client, self.svc = client, svc
        self.db = client.app.state.services.db
        self.people = make_people(self.db) | {OUTSIDER: self._outsider()}
        self.ids: dict[str, int] = {}
        self.tokens: dict[str, tuple[str, str]] = {}
        with self.db.session() as s:
            for rec in svc.records:
                record = rec.make(s, self.people)
                s.flush()
                self.ids[rec.key] = record.id
            s.commit()

    def _outsider(self) -> Actor:
        with patch.object(accounts, "hash_password", _hash_once), self.db.session() as s:
            unit = create_unit(s, Actor.system("tests"), code="test-outsider", name_zh="局外测试公司", kind="company")
            user = create_user(s, Actor.system("tests"), username=OUTSIDER, password=PASSWORD,
                               display_name=OUTSIDER, role=APPLICANT_COMPANY, unit_id=unit.id)
            s.commit()
            return Actor.of(user)

    def as_(self, name: str) -> str:
        """Be `name` from the next request on (a web session opened as the sign-in opens it); its CSRF token."""
        self.client.cookies.clear()
        if name not in self.tokens:
            with self.db.session() as s:
                cookie = accounts.open_session(s, self.client.app.state.services.settings, s.get(
                    User, self.people[name].user_id))
                s.commit()
                self.tokens[name] = (cookie, s.get(WebSession, token_digest(cookie)).csrf_token)
        cookie, token = self.tokens[name]
        self.client.cookies.set(SESSION_COOKIE, cookie)
        return token

    def written(self, rec) -> tuple:
        with self.db.session() as s:
            record = s.get(rec.page.kind.model, self.ids[rec.key])
            return (record.state, s.scalar(select(func.count()).select_from(CaseEvent)),
                    s.scalar(select(func.count()).select_from(AuditEntry)),
                    [(c.id, c.state) for c in s.scalars(select(Case).order_by(Case.id))])

    def refused_step(self, rec) -> tuple[str, str, int]:
        """(who, transition, case id): someone who sees the record and a step of its first state the engine
        refuses them (their role or standing), not a service-only one."""
        with self.db.session() as s:
            case = rec.page.kind.case_of(s, s.get(rec.page.kind.model, self.ids[rec.key]))
            for who in (*rec.parties, rec.official):
                for t in rec.page.kind.case_type.from_state(case.state):
                    if t.only_via is None and not engine.standing(case, self.people[who]).may(t):
                        return who, t.key, case.id
        raise AssertionError(f"{rec.key}: no step to refuse")


@pytest.fixture
def kits(client, monkeypatch):
    pin_today(monkeypatch, TODAY)
    return lambda svc: Kit(client, svc)


@pytest.mark.parametrize("svc", SERVICES, ids=[s.name for s in SERVICES])
def test_a_refused_step_redirects_back_and_shows_its_message_once(kits, svc):
    kit = kits(svc)
    client = kit.client
    for rec in svc.records:
        who, key, _case_id = kit.refused_step(rec)
        token = kit.as_(who)
        url = rec.page.path.format(id=kit.ids[rec.key])
        plain = client.get(url, headers=HTML)
        assert plain.status_code == 200
        boxes = plain.text.count(ERROR_BOX)
        before = kit.written(rec)

        posted = client.post(f"{url}/act", headers=HTML, follow_redirects=False,
                             data={"csrf_token": token, "transition": key, "reason": REASON})
        assert posted.status_code == 303 and posted.headers["location"] == url, (rec.key, posted.status_code)
        assert flash.status_in(client.cookies.get(flash.FLASH_COOKIE)) == 403, rec.key
        assert kit.written(rec) == before, f"{rec.key}: a refused step wrote something"

        shown = client.get(url, headers=HTML)  # the redirect's target: the message, once
        assert shown.status_code == 200 and shown.text.count(ERROR_BOX) == boxes + 1, rec.key
        assert client.cookies.get(flash.FLASH_COOKIE) is None, f"{rec.key}: the flash outlived its page"
        assert client.get(url, headers=HTML).text.count(ERROR_BOX) == boxes, rec.key  # a reload: nothing again

        # An unknown step the same way (its message names it); a client that did not ask for HTML gets the status.
        unknown = client.post(f"{url}/act", headers=HTML, follow_redirects=False,
                              data={"csrf_token": token, "transition": "no_such_step", "reason": ""})
        assert unknown.status_code == 303 and flash.status_in(client.cookies.get(flash.FLASH_COOKIE)) == 400
        assert "Unknown action no_such_step" in client.get(f"{url}?lang=en", headers=HTML).text, rec.key
        scripted = client.post(f"{url}/act", follow_redirects=False,
                               data={"csrf_token": token, "transition": key, "reason": REASON})
        assert scripted.status_code == 403 and flash.FLASH_COOKIE not in scripted.headers.get("set-cookie", "")
        assert kit.written(rec) == before, rec.key


@pytest.mark.parametrize("svc", SERVICES[:1], ids=[SERVICES[0].name])
def test_a_flash_is_for_its_page_and_its_session_only(kits, svc):
    kit = kits(svc)
    client = kit.client
    rec = svc.records[0]
    who, key, _case_id = kit.refused_step(rec)
    token = kit.as_(who)
    url = rec.page.path.format(id=kit.ids[rec.key])
    boxes = client.get(url, headers=HTML).text.count(ERROR_BOX)
    client.post(f"{url}/act", headers=HTML, data={"csrf_token": token, "transition": key, "reason": REASON},
                follow_redirects=False)
    value = client.cookies.get(flash.FLASH_COOKIE)
    body, _, mac = value.partition(".")
    kit.as_(who)
    client.cookies.set(flash.FLASH_COOKIE, value)  # the genuine one, set as the forged ones are set below
    assert client.get(url, headers=HTML).text.count(ERROR_BOX) == boxes + 1
    for forged in (f"{body}x.{mac}", f"{body}.{'0' * len(mac)}", "garbage", f"{body}"):
        kit.as_(who)
        client.cookies.set(flash.FLASH_COOKIE, forged)
        assert client.get(url, headers=HTML).text.count(ERROR_BOX) == boxes, forged
    # Another person's browser (another session) does not show it, even with the cookie copied over.
    other = next(n for n in (*rec.parties, rec.official, "admin") if n != who)
    kit.as_(other)
    client.cookies.set(flash.FLASH_COOKIE, value)
    other_boxes = client.get(url, headers=HTML).text.count(ERROR_BOX)
    kit.as_(other)
    assert client.get(url, headers=HTML).text.count(ERROR_BOX) == other_boxes


@pytest.mark.parametrize("svc", SERVICES, ids=[s.name for s in SERVICES])
def test_the_generic_case_page_redirects_a_refused_step_back(kits, svc):
    kit = kits(svc)
    client = kit.client
    rec = svc.records[0]
    who, key, case_id = kit.refused_step(rec)
    token = kit.as_(who)
    before = kit.written(rec)
    posted = client.post(f"/cases/{case_id}/act/{key}?lang=en", headers=HTML, follow_redirects=False,
                         data={"csrf_token": token, "reason": REASON})
    assert posted.status_code == 303 and posted.headers["location"] == f"/cases/{case_id}"
    assert kit.written(rec) == before
    page = client.get(f"/cases/{case_id}", headers=HTML)
    assert page.status_code == 200 and ERROR_BOX in page.text
    assert ERROR_BOX not in client.get(f"/cases/{case_id}", headers=HTML).text
    assert client.post(f"/cases/{case_id}/act/{key}", data={"csrf_token": token, "reason": REASON},
                       follow_redirects=False).status_code == 403


def test_what_was_typed_comes_back_and_what_does_not_fit_is_shown_under_the_post(kits):
    svc = next(s for s in SERVICES if s.name == "dataip")
    kit = kits(svc)
    client = kit.client
    rec = svc.records[0]
    token = kit.as_(rec.official)
    url = rec.page.path.format(id=kit.ids[rec.key])
    # "request_expert" needs a reason: refused without one, the experts typed come back in the form.
    posted = client.post(f"{url}/act", headers=HTML, follow_redirects=False,
                         data={"csrf_token": token, "transition": "pass_formal", "reason": ""})
    assert posted.status_code == 303  # the reviewer takes the formal check (no reason needed)
    refused = client.post(f"{url}/act", headers=HTML, follow_redirects=False,
                          data={"csrf_token": token, "transition": "request_expert", "experts": "专家委员会第3组",
                                "reason": ""})
    assert refused.status_code == 303 and flash.status_in(client.cookies.get(flash.FLASH_COOKIE)) == 400
    page = client.get(url + "?lang=en", headers=HTML).text
    form = re.search(r'<form[^>]*id="act-request_expert".*?</form>', page, re.S).group(0)
    assert ERROR_BOX in form and "专家委员会第3组" in form and 'data-field="reason"' in form
    # More than a cookie holds (a long text that does not compress): the page comes back under the POST, keeping it.
    rng = random.Random(7)
    long_text = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(2500))
    kept = client.post(f"{url}/act", headers=HTML, follow_redirects=False,
                       data={"csrf_token": token, "transition": "request_expert", "experts": long_text,
                             "reason": ""})
    assert kept.status_code == 400 and long_text in kept.text
    assert flash.FLASH_COOKIE not in kept.headers.get("set-cookie", "")


def test_a_flash_renders_in_the_language_of_the_page_that_shows_it(client, people):
    from starlette.requests import Request

    app = client.app
    scope = {"type": "http", "method": "GET", "path": "/pledge/1", "headers": [(b"cookie", b"ipcity_session=s1")],
             "query_string": b"", "app": app}
    error = DomainError(Msg("{field} is required", field=Msg("Reason")), field="reason")
    response = flash.redirect_with_error(Request(scope), "/pledge/1", error, form="refuse",
                                         posted={"reason": "", "grounds": ["2", "4"]})
    value = re.search(r"ipcity_flash=([^;]+)", response.headers["set-cookie"]).group(1)
    cookie = f"ipcity_session=s1; ipcity_flash={value}".encode()
    read = flash.read(Request(scope | {"headers": [(b"cookie", cookie)]}))
    assert read.form == "refuse" and read.posted == {"reason": "", "grounds": ["2", "4"]}
    assert read.error.message.render("en") == "Reason is required" and read.error.problems[0][0] == "reason"
    assert read.error.message.render("zh_Hans") != "Reason is required"
    elsewhere = {"path": "/pledge/2", "headers": [(b"cookie", cookie)]}
    assert flash.read(Request(scope | elsewhere)) is None  # another page's flash
    stranger = {"headers": [(b"cookie", f"ipcity_session=s2; ipcity_flash={value}".encode())]}
    assert flash.read(Request(scope | stranger)) is None  # another session's


# --- irreversible steps -----------------------------------------------------------------------------------------

BUTTON = re.compile(r'<button type="submit" class="(?P<cls>\w+)" data-step="(?P<key>\w+)"(?P<rest>[^>]*)>')


@pytest.mark.parametrize("svc", SERVICES, ids=[s.name for s in SERVICES])
def test_steps_that_cannot_be_undone_ask_first_and_refusals_look_unlike_their_opposite(kits, svc):
    kit = kits(svc)
    client = kit.client
    seen = []
    for rec in svc.records:
        ct = rec.page.kind.case_type
        url = rec.page.path.format(id=kit.ids[rec.key])
        with kit.db.session() as s:
            case_id = rec.page.kind.case_of(s, s.get(rec.page.kind.model, kit.ids[rec.key])).id
        for who in (*rec.parties, rec.official):
            kit.as_(who)
            for page in (url, f"/cases/{case_id}"):
                for m in BUTTON.finditer(client.get(page, headers=HTML).text):
                    t = ct.transition(m.group("key"))
                    final = ct.state(t.target).final
                    asks = "data-confirm=" in m.group("rest")
                    assert asks == (t.irreversible or final), (rec.key, page, t.key)
                    assert m.group("cls") == ("danger" if final and t.reason_required else "primary"), (page, t.key)
                    seen.append((t.key, asks, m.group("cls")))
    assert any(cls == "danger" for _k, _a, cls in seen), seen          # a refusal (or a decline) was shown
    declared = {t.key for r in svc.records for t in r.page.kind.case_type.from_state(r.page.kind.case_type.initial)
                if t.irreversible}
    if declared:  # an approval that cannot be taken back (publish, a pledgee's confirmation): asks, not red
        assert {k for k, asks, cls in seen if asks and cls == "primary"} >= declared, seen
    ordinary = {t.key for r in svc.records for t in r.page.kind.case_type.from_state(r.page.kind.case_type.initial)
                if not t.irreversible and not r.page.kind.case_type.state(t.target).final and t.only_via is None}
    if ordinary:  # an ordinary step (a correction request, a formal check) neither asks nor is red
        assert any(not asks for _k, asks, _c in seen), seen
