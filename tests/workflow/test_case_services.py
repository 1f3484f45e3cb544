"""The case kit's generic pages, over every case service, on SQLite and PostgreSQL.

From each service's declarations (tests/support/casekit.py, read off its views module: its `RecordPage`s and
`ListPage`s) and a real record filed with the service's own use case, proves what every service gets from the
kit and must not lose:

1. the record page's own step form (`<path>/act`, and `<base>/amendments/{case}/act` for a request on the
   record) refuses every transition of the case type to a person the step does not admit — 403, never 500 —
   and every step declared `only_via` even to a person it admits (400); nothing is written either way: not the
   record, its requests or any case, and no row is added to any table (history, audit trail, files, register);
2. values a transition does not declare never reach the record: through the step form they are dropped, through
   the case JSON API (`/api/cases/{id}/act/{t}`) the step is refused and nothing is written;
3. the record page answers 200 to the parties, the officials who see the record and administrators, 403 to
   anyone else — exactly as `RecordKind.may_view` says, for everyone in the cast;
4. each list shows the record (page, CSV and Excel) to a party and not to a stranger; a public list answers
   anonymous visitors; every list takes its filter form's empty defaults and shows a malformed filter (a date,
   or what the list declares) as an error on the page (KNOWN_BUGS names the lists that do not yet);
5. a file of the record downloads for its parties and the officials who see it, not for anyone else.

Each service is one parameter (each list, for the filters): a test files the service's records once and walks
everything the service declares, signing each person in once (a web session opened as the sign-in opens it).
"""

from __future__ import annotations

import importlib
import io
import pkgutil
from dataclasses import dataclass, field, fields
from unittest.mock import patch
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, inspect, select

import ipcity.services
from ipcity.bootstrap import default_registry
from ipcity.core import accounts
from ipcity.core.accounts import create_unit, create_user
from ipcity.core.db import Base
from ipcity.core.files import attachments_of
from ipcity.core.roles import ADMIN, APPLICANT_COMPANY, Actor
from ipcity.core.security import token_digest
from ipcity.core.tables import User, WebSession
from ipcity.web.case_pages import ListPage, RecordPage
from ipcity.web.deps import SESSION_COOKIE
from ipcity.web.export import XLSX
from ipcity.workflow import engine
from ipcity.workflow.definition import CaseType
from ipcity.workflow.tables import Case, CaseEvent
from tests.support.casekit import OTHER_UNIT_OFFICIAL, OUTSIDER, SERVICES, TODAY, Listing, Record, Service
from tests.support.clock import pin_today
from tests.support.people import CAST, PASSWORD, _hash_once, make_people

REASON = "测试理由"
BAD_DATE = "2026-13-45"
ERROR_BOX = 'class="error-box"'  # how a page shows a refused filter (macros.html error_box)
EVERYONE = (*CAST, OUTSIDER)


# --- the world of one test: the cast, one service's records, a signed-in client ------------------------------

@dataclass
class Kit:
    client: object
    db: object
    people: dict[str, Actor]
    ids: dict[str, int]  # the record of each Record, by its key
    signed_in: dict[str, tuple[str, str]] = field(default_factory=dict)  # name: (session cookie, CSRF token)

    def record(self, session, rec: Record):
        return session.get(rec.page.kind.model, self.ids[rec.key])

    def as_(self, name: str | None) -> str:
        """Be `name` (None: an anonymous visitor) from the next request on; returns the CSRF token of its forms.
        Each person's web session is opened once, as the sign-in opens it (the sign-in form itself, with its
        password hashing, is tested elsewhere), and the client switches between them by the session cookie."""
        self.client.cookies.clear()
        if name is None:
            return ""
        if name not in self.signed_in:
            with self.db.session() as s:
                user = s.get(User, self.people[name].user_id)
                cookie = accounts.open_session(s, self.client.app.state.services.settings, user)
                s.commit()
                token = s.get(WebSession, token_digest(cookie)).csrf_token
            self.signed_in[name] = (cookie, token)
        cookie, token = self.signed_in[name]
        self.client.cookies.set(SESSION_COOKIE, cookie)
        return token


def _outsider(db) -> Actor:
    system = Actor.system("tests")
    with patch.object(accounts, "hash_password", _hash_once), db.session() as s:
        unit = create_unit(s, system, code="test-outsider", name_zh="局外测试公司", kind="company")
        user = create_user(s, system, username=OUTSIDER, password=PASSWORD, display_name=OUTSIDER,
                           role=APPLICANT_COMPANY, unit_id=unit.id)
        s.commit()
        return Actor.of(user)


@pytest.fixture
def kit(client, svc: Service, monkeypatch) -> Kit:
    pin_today(monkeypatch, TODAY)
    db = client.app.state.services.db
    people = make_people(db) | {OUTSIDER: _outsider(db)}
    ids = {}
    with db.session() as s:
        for rec in svc.records:
            record = rec.make(s, people)
            s.flush()
            assert record.state == rec.page.kind.case_type.initial, (rec.key, record.state)
            ids[rec.key] = record.id
        s.commit()
    return Kit(client, db, people, ids)


def _request_type(page: RecordPage) -> CaseType | None:
    """The case type of the requests on a page's record (`RecordPage.amendment`: their record kind, or the case
    type itself)."""
    return getattr(page.amendment, "case_type", page.amendment)


def _columns(row) -> dict:
    return {a.key: getattr(row, a.key) for a in inspect(type(row)).column_attrs}


def _written(kit: Kit, rec: Record) -> tuple:
    """Everything a step could write: the record's columns, every case and every request on the record, and the
    rows of every table (history, audit, files, register entries, gazette, inbox, outbox, log...)."""
    model = rec.page.kind.model
    requests = _request_type(rec.page).record if rec.page.amendment is not None else None
    with kit.db.session() as s:
        columns = _columns(s.get(model, kit.ids[rec.key]))
        cases = [(c.id, c.state, c.data, c.closed_at) for c in s.scalars(select(Case).order_by(Case.id))]
        others = [_columns(r) for r in s.scalars(select(requests).order_by(requests.id))] if requests else []
        counts = {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    return columns, cases, others, counts


def _post(client, url: str, **kwargs) -> tuple[int, str]:
    """The answer's status and the start of its text; an exception in the app is a 500 (not raised here)."""
    try:
        response = client.post(url, follow_redirects=False, **kwargs)
    except Exception as exc:  # the TestClient re-raises what the app did not handle
        return 500, f"{type(exc).__name__}: {exc}"[:300]
    return response.status_code, response.text[:300]


def _get(client, url: str):
    try:
        return client.get(url, follow_redirects=False)
    except Exception as exc:
        pytest.fail(f"GET {url}: 500 ({type(exc).__name__}: {exc})")


SERVICE_IDS = [s.name for s in SERVICES]


# --- the declarations cover every service -----------------------------------------------------------------

def test_every_record_page_and_list_of_every_service_is_declared():
    """A views module that declares a RecordPage or a ListPage no declaration names fails here: add the
    service to tests/support/casekit.py, and the tests below walk it."""
    declared = {id(r.page) for s in SERVICES for r in s.records} | {id(li.page) for s in SERVICES for li in s.lists}
    found = {}
    for module in pkgutil.iter_modules(ipcity.services.__path__):
        package = importlib.import_module(f"ipcity.services.{module.name}")
        # a service's pages: its views module and any other *_views module (one per part of a larger service)
        names = [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)
                 if m.name == "views" or m.name.endswith("_views")]
        for name in names:
            views = importlib.import_module(name)
            found |= {f"{name}.{attr}": value for attr, value in vars(views).items()
                      if isinstance(value, RecordPage | ListPage)}
    assert found, "no service declares a case-kit page"
    assert sorted(k for k, v in found.items() if id(v) not in declared) == []
    registry = default_registry()
    for svc in SERVICES:
        assert {id(v) for v in vars(svc.views).values()} >= {id(r.page) for r in svc.records}
        for rec in svc.records:
            ct = rec.page.kind.case_type
            transition, who, _ = rec.step
            assert ct.initial in ct.transition(transition).sources, (svc.name, rec.key, transition)
            assert who in EVERYONE and rec.official in EVERYONE and rec.stranger in EVERYONE
            assert rec.parties and set(rec.parties) <= set(EVERYONE)
            assert registry.file_access(rec.file_owner) is not None, (svc.name, rec.file_owner)
            assert (rec.request is None) == (rec.page.amendment is None), (svc.name, rec.key)
        for listing in svc.lists:
            assert svc.record(listing.record) is not None
            assert set(listing.malformed) <= {f.name for f in fields(listing.page.filters)}
    only_via = {(r.page.kind.case_type.key, t.key) for s in SERVICES for r in s.records
                for t in r.page.kind.case_type.transitions if t.only_via is not None}
    assert {("dataip.registration", "object"), ("pledge.registration", "cancel"),
            ("openlicense.declaration", "resubmit")} <= only_via


# --- 1. the step form refuses every step to a person it does not admit, and every service-only step ----------

def _chosen(case: Case, t, people: dict[str, Actor], viewers: tuple[str, ...]) -> str:
    """Who posts the step: for a service-only step someone the step admits (so that only `only_via` refuses
    it); else someone who sees the record but whose role or standing the step does not admit; failing that, an
    official of another unit."""
    admitted = [n for n in viewers if engine.standing(case, people[n]).may(t)]
    if t.only_via is not None:
        return admitted[0] if admitted else viewers[0]
    refused = [n for n in viewers if n not in admitted]
    return refused[0] if refused else OTHER_UNIT_OFFICIAL


def _put(kit: Kit, rec: Record, states: dict[int, str], record_state: str) -> None:
    with kit.db.session() as s:
        for case_id, state in states.items():
            case = s.get(Case, case_id)
            case.state, case.closed_at = state, None
        kit.record(s, rec).state = record_state
        s.commit()


@pytest.mark.parametrize("svc", SERVICES, ids=SERVICE_IDS)
def test_the_step_form_refuses_every_step_to_a_person_it_does_not_admit_and_writes_nothing(kit, svc):
    failures = []
    for rec in svc.records:
        page, kind = rec.page, rec.page.kind
        ct, viewers = kind.case_type, (*rec.parties, rec.official, ADMIN)
        base = page.path.removesuffix("/{id}")
        with kit.db.session() as s:
            record = kit.record(s, rec)
            case = kind.case_of(s, record)
            # (who, url, transition, the states to put the cases in first, the state to put the record in)
            plan = [(_chosen(case, t, kit.people, viewers), page.path.format(id=record.id) + "/act", t,
                     {case.id: t.sources[0]}, t.sources[0]) for t in ct.transitions]
            if page.amendment is not None:  # a request on the record, through the service's use case
                request = rec.request(s, kit.people, record)
                plan += [(_chosen(request, t, kit.people, viewers), f"{base}/amendments/{request.id}/act", t,
                          {case.id: record.state, request.id: t.sources[0]}, record.state)
                         for t in _request_type(page).transitions]
            s.commit()
        for who in dict.fromkeys(p[0] for p in plan):  # one sign-in per person
            token = kit.as_(who)
            for _who, url, t, states, record_state in (p for p in plan if p[0] == who):
                _put(kit, rec, states, record_state)
                before = _written(kit, rec)
                status, text = _post(kit.client, url, data={"csrf_token": token, "transition": t.key,
                                                            "reason": REASON})
                expected = 400 if t.only_via is not None else 403
                changed = _written(kit, rec) != before
                if status != expected or changed:
                    failures.append(f"{rec.key}: {who} {t.key}@{t.sources[0]} via {url}: {status} (expected "
                                    f"{expected}){', WROTE' if changed else ''} {text!r}")
    assert not failures, "\n".join(failures)


# --- 2. undeclared values never reach the record --------------------------------------------------------------

def _injected(rec: Record, stranger: Actor) -> dict:
    """What an attacker adds to a step: every id column of the record (the stranger's unit and user, another
    row) and its number."""
    out = {}
    for attr in inspect(rec.page.kind.model).column_attrs:
        if attr.key.endswith("_unit_id"):
            out[attr.key] = stranger.unit_id
        elif attr.key.endswith("_user_id"):
            out[attr.key] = stranger.user_id
        elif attr.key.endswith("_id"):
            out[attr.key] = 999_999
    return out | {rec.page.kind.case_type.record_number: "FORGED-000001"}


@pytest.mark.parametrize("svc", SERVICES, ids=SERVICE_IDS)
def test_values_a_step_does_not_declare_never_reach_the_record(kit, svc):
    for rec in svc.records:
        key, who, reason = rec.step
        t = rec.page.kind.case_type.transition(key)
        injected = _injected(rec, kit.people[OUTSIDER])
        assert not set(injected) & {f.name for f in t.fields}
        with kit.db.session() as s:
            case = rec.page.kind.case_of(s, kit.record(s, rec))
            case_id, sees_case = case.id, engine.may_view(case, kit.people[who])
        token = kit.as_(who)
        before = _written(kit, rec)
        # the case API: the step is refused, naming the value (or the case is not theirs to see)
        status, text = _post(kit.client, f"/api/cases/{case_id}/act/{key}", headers={"x-csrf-token": token},
                             json={"values": injected, "reason": reason})
        assert status == (400 if sees_case else 403), (rec.key, status, text)
        assert _written(kit, rec) == before, rec.key
        # the record's step form: the step is taken with the declared fields only
        form = {name: str(value) for name, value in injected.items()}
        status, text = _post(kit.client, rec.page.path.format(id=kit.ids[rec.key]) + "/act",
                             data=form | {"csrf_token": token, "transition": key, "reason": reason})
        assert status == 303, (rec.key, status, text)
        columns, cases, _requests, _counts = _written(kit, rec)
        assert columns["state"] == t.target, rec.key
        assert {k: columns[k] for k in injected} == {k: before[0][k] for k in injected}, rec.key
        assert not any(set(injected) & set(data or {}) for _id, _state, data, _closed in cases), rec.key
        with kit.db.session() as s:
            event = s.scalar(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq.desc()))
            assert event.transition == key and not set(event.values) & set(injected), rec.key


# --- 3. the record page answers as RecordKind.may_view says ----------------------------------------------------

@pytest.mark.parametrize("svc", SERVICES, ids=SERVICE_IDS)
def test_the_record_page_answers_exactly_whom_may_view_admits(kit, svc):
    expected, may = {}, {}
    with kit.db.session() as s:
        for rec in svc.records:
            record = kit.record(s, rec)
            expected[rec.key] = {p: 200 for p in rec.parties} | {rec.official: 200, ADMIN: 200,
                                                                 OTHER_UNIT_OFFICIAL: 403, rec.stranger: 403}
            may |= {(rec.key, n): rec.page.kind.may_view(s, kit.people[n], record) for n in EVERYONE}
    wrong = []
    for name in EVERYONE:
        kit.as_(name)
        for rec in svc.records:
            status = _get(kit.client, rec.page.path.format(id=kit.ids[rec.key])).status_code
            if status != (200 if may[(rec.key, name)] else 403):
                wrong.append(f"{rec.key}: {name} got {status}, may_view says {may[(rec.key, name)]}")
            if name in expected[rec.key] and status != expected[rec.key][name]:
                wrong.append(f"{rec.key}: {name} got {status}, expected {expected[rec.key][name]}")
    assert not wrong, "\n".join(wrong)


# --- 4. lists and their exports ------------------------------------------------------------------------------

def _cells(content: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
            if v is not None}


def _shows(kit: Kit, url: str, number: str) -> dict[str, bool]:
    """Whether the list's page, CSV and Excel export show `number` (each answering 200 as what it is)."""
    page = _get(kit.client, url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), (url, page.status_code)
    exported = _get(kit.client, f"{url}?format=csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv"), url
    excel = _get(kit.client, f"{url}?format=xlsx")
    assert excel.status_code == 200 and excel.headers["content-type"] == XLSX, url
    return {"page": number in page.text, "csv": number in exported.content.decode("utf-8-sig"),
            "xlsx": number in _cells(excel.content)}


def _number(svc: Service, listing: Listing, record) -> str:
    """The record's number as the list shows it: the case number the record carries, unless declared."""
    if listing.number is not None:
        return listing.number(record)
    return getattr(record, svc.record(listing.record).page.kind.case_type.record_number)


def _reader(svc: Service, listing: Listing) -> str | None:
    return None if listing.public else (listing.who[0] or svc.record(listing.record).parties[0])


@pytest.mark.parametrize("svc", SERVICES, ids=SERVICE_IDS)
def test_each_list_and_its_exports_show_a_record_to_its_parties_and_not_to_strangers(kit, svc):
    with kit.db.session() as s:
        records = {rec.key: kit.record(s, rec) for rec in svc.records}
        svc.publish(s, kit.people, records)
        s.commit()
        numbers = {listing.url: _number(svc, listing, records[listing.record]) for listing in svc.lists}
    assert all(numbers.values()), numbers
    # (who, list, whether they see the record): anonymous visitors on public lists, a party and a stranger on
    # the others
    checks = []
    for listing in svc.lists:
        rec = svc.record(listing.record)
        if listing.public:
            checks.append((None, listing, True))
        else:
            checks += [(_reader(svc, listing), listing, True), (listing.who[1] or rec.stranger, listing, False)]
    wrong = []
    for who in dict.fromkeys(c[0] for c in checks):
        kit.as_(who)
        for _who, listing, sees in (c for c in checks if c[0] == who):
            shown = _shows(kit, listing.url, numbers[listing.url])
            if shown != dict.fromkeys(shown, sees):
                wrong.append(f"{listing.url} as {who or 'anonymous'}: {shown}, expected {sees} everywhere")
    assert not wrong, "\n".join(wrong)


def _bad_filters(listing: Listing) -> dict[str, str]:
    dates = {f.name: BAD_DATE for f in fields(listing.page.filters) if f.name.endswith(("_from", "_to"))}
    return dates | listing.malformed


# Lists whose page does not yet do what every list must, each with the bug it shows (strict: a fix turns it green).
KNOWN_BUGS: dict[str, str] = {}  # list url -> a bug found and not fixed yet (the test is a strict xfail)
LISTINGS = [pytest.param(svc, listing, id=f"{svc.name}:{listing.url}",
                         marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[listing.url])]
                         if listing.url in KNOWN_BUGS else [])
            for svc in SERVICES for listing in svc.lists]


@pytest.mark.parametrize(("svc", "listing"), LISTINGS)
def test_a_list_takes_its_empty_filter_form_and_shows_a_malformed_filter_as_an_error(kit, svc, listing):
    kit.as_(_reader(svc, listing))
    empty = {f.name: "" for f in fields(listing.page.filters)}
    for extra in ({}, {"format": "csv"}, {"format": "xlsx"}):
        response = _get(kit.client, f"{listing.url}?{urlencode(empty | extra)}")
        assert response.status_code == 200, (listing.url, extra, response.status_code)
    wrong = []
    for name, value in _bad_filters(listing).items():
        response = _get(kit.client, f"{listing.url}?{urlencode({name: value})}")
        if response.status_code != 200 or ERROR_BOX not in response.text:
            wrong.append(f"{listing.url}?{name}={value}: {response.status_code}, error shown: "
                         f"{ERROR_BOX in response.text}")
    assert not wrong, "\n".join(wrong)


# --- 5. a record's files --------------------------------------------------------------------------------------

@pytest.mark.parametrize("svc", SERVICES, ids=SERVICE_IDS)
def test_a_records_files_download_for_its_parties_and_officials_only(kit, svc):
    files, may, expected = {}, {}, {}
    with kit.db.session() as s:
        for rec in svc.records:
            record = kit.record(s, rec)
            files[rec.key] = [a.id for a in attachments_of(s, rec.file_owner, record.id)]
            assert files[rec.key], (rec.key, rec.file_owner)
            expected[rec.key] = {p: True for p in (*rec.parties, rec.official)} | {
                rec.stranger: False, OTHER_UNIT_OFFICIAL: False}
            may |= {(rec.key, n): rec.page.kind.may_view(s, kit.people[n], record) for n in expected[rec.key]}
    wrong = []
    for name in dict.fromkeys(n for e in expected.values() for n in e):
        kit.as_(name)
        for rec in svc.records:
            if name not in expected[rec.key]:
                continue
            for attachment_id in files[rec.key]:
                status = _get(kit.client, f"/files/{attachment_id}").status_code
                ok = status == 200
                if ok != expected[rec.key][name] or ok != may[(rec.key, name)] or status not in (200, 403, 404):
                    wrong.append(f"{rec.key}: /files/{attachment_id} as {name}: {status}")
    assert not wrong, "\n".join(wrong)
