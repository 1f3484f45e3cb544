"""The inbox gives a task only to the party a case waits on, closes it when they have acted or the case has moved
on, tells the others with a notice (never the one who acted), counts only open unread items, and lets a person
mark everything read — in the case engine, on real services, and through the web client."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipcity.bootstrap import builtin_plugins
from ipcity.core import inbox
from ipcity.core.i18n import Msg
from ipcity.core.roles import APPLICANT_COMPANY, HANDLER, REVIEWER
from ipcity.core.tables import InboxItem, Unit
from ipcity.services.openlicense import service as openlicense
from ipcity.services.pledge import service as pledge
from ipcity.workflow import engine
from ipcity.workflow.definition import (
    APPLICANT,
    ASSIGNED_UNIT,
    WORKING_DAYS,
    CaseType,
    DeadlineRule,
    State,
    Transition,
)
from ipcity.workflow.waits import waits_on
from tests.support import casekit
from tests.support.clock import pin_today
from tests.support.people import csrf_of, login

COMPANY = frozenset({APPLICANT_COMPANY})
OFFICE = frozenset({REVIEWER, HANDLER})

# Filed → examined by the office (a time limit runs), returned for correction, granted; the applicant may
# withdraw at any time before a decision, and the granted right may be revoked by the office.
TOY = CaseType(
    key="test.inbox", label=Msg("Toy"), number_prefix="TI",
    states=(State("filed", Msg("Filed")), State("correction", Msg("Returned for correction")),
            State("granted", Msg("Granted")), State("withdrawn", Msg("Withdrawn"), final=True),
            State("revoked", Msg("Revoked"), final=True)),
    initial="filed",
    transitions=(
        Transition("return", Msg("Return"), ("filed",), "correction", OFFICE, ASSIGNED_UNIT),
        Transition("grant", Msg("Grant"), ("filed",), "granted", OFFICE, ASSIGNED_UNIT),
        Transition("resubmit", Msg("Resubmit"), ("correction",), "filed", COMPANY, APPLICANT),
        Transition("withdraw", Msg("Withdraw"), ("filed", "correction"), "withdrawn", COMPANY, APPLICANT),
        Transition("revoke", Msg("Revoke"), ("granted",), "revoked", OFFICE, ASSIGNED_UNIT),
    ),
    deadlines=(DeadlineRule("decide", Msg("Decision"), frozenset({"create", "resubmit"}),
                            frozenset({"return", "grant", "withdraw"}), 10, WORKING_DAYS, "Test rule art. 1"),),
)


def _case_types() -> dict[str, CaseType]:
    return {ct.key: ct for p in builtin_plugins() for ct in p.case_types}


def _items(session, case_id, kind=None):
    q = select(InboxItem).where(InboxItem.case_id == case_id)
    if kind:
        q = q.where(InboxItem.kind == kind)
    return list(session.scalars(q.order_by(InboxItem.id)))


def _open_tasks(session, case_id) -> list[tuple[int | None, int | None]]:
    return [(t.user_id, t.unit_id) for t in _items(session, case_id, "task") if t.closed_at is None]


@pytest.fixture
def office(session) -> int:
    return session.scalar(select(Unit.id).where(Unit.name_zh == "上海市知识产权局"))


def _open(session, people, office):
    return engine.open_case(session, TOY, people["company"], title="收件箱测试",
                            applicant_unit_id=people["company"].unit_id, assigned_unit_id=office)


# --- who a state waits on, from the declarations -------------------------------------------------------------

def test_a_case_waits_on_the_party_who_must_act_next():
    assert waits_on(TOY, "filed", {"decide"}) == {ASSIGNED_UNIT}  # withdrawing is an option, not a task
    assert waits_on(TOY, "correction", set()) == {APPLICANT}
    assert waits_on(TOY, "granted", set()) == set()  # a revocation is nobody's to-do
    assert waits_on(TOY, "withdrawn", {"decide"}) == set()
    assert waits_on(TOY, "filed", set()) == set()  # no time limit of the office runs


@pytest.mark.parametrize("key, state, running, expected", [
    ("dataip.registration", "submitted", {"formal_review"}, {ASSIGNED_UNIT}),
    ("dataip.registration", "formal_correction", {"formal_correction"}, {APPLICANT}),
    ("dataip.registration", "in_publicity", {"publicity"}, set()),  # a waiting period: the daily sweep registers
    ("dataip.registration", "registered", set(), set()),
    ("dataip.registration", "refused", set(), set()),
    ("openlicense.declaration", "correction", set(), {APPLICANT}),
    ("openlicense.declaration", "published", set(), set()),  # requesting withdrawal is the patentee's choice
    ("openlicense.declaration", "withdrawal_requested", {"withdrawal"}, {ASSIGNED_UNIT}),
    ("pledge.registration", "awaiting_pledgee", set(), set()),  # the pledgee bank's: the service tells it
    ("pledge.registration", "submitted", {"decision"}, {ASSIGNED_UNIT}),
    ("pledge.registration", "registered", set(), set()),
    ("workplan.progress_report", "returned", {"resubmit"}, {APPLICANT}),
])
def test_the_services_case_types_wait_on_the_right_party(key, state, running, expected):
    assert waits_on(_case_types()[key], state, running) == expected


# --- the engine --------------------------------------------------------------------------------------------

def test_tasks_follow_the_case_and_notices_go_to_the_others(session, people, office):
    company, reviewer = people["company"], people["reviewer"]
    case = _open(session, people, office)
    # Filed: the office has the task; the company, whose case waits on the examiner, has none and no notice.
    assert _open_tasks(session, case.id) == [(None, office)]
    assert inbox.items_for(session, company) == []

    engine.fire(session, TOY, case, "return", reviewer)
    assert _open_tasks(session, case.id) == [(company.user_id, None)]  # the office's task closed with its step
    [task] = inbox.items_for(session, company, open_only=True)
    assert task.kind == "task" and task.params["state"] == "Returned for correction"
    assert not [i for i in inbox.items_for(session, company) if i.kind == "notice"]  # the task says it all
    assert inbox.items_for(session, reviewer, kind="notice") == []  # the office acted: no notice of its own step

    engine.fire(session, TOY, case, "resubmit", company)
    assert _open_tasks(session, case.id) == [(None, office)]
    assert inbox.items_for(session, company, open_only=True) == []  # acted: done
    assert inbox.items_for(session, company, kind="notice") == []  # no notice of one's own step

    engine.fire(session, TOY, case, "grant", reviewer)
    assert _open_tasks(session, case.id) == []  # granted: nobody's to-do, not even the office's revocation
    [notice] = inbox.items_for(session, company, kind="notice")
    assert notice.params == {"number": case.number, "action": "Grant", "state": "Granted"}
    assert inbox.unread_count(session, company) == 1


def test_a_withdrawal_closes_the_office_task_and_tells_the_office(session, people, office):
    case = _open(session, people, office)
    engine.fire(session, TOY, case, "withdraw", people["company"])
    assert _open_tasks(session, case.id) == []
    assert case.closed_at is not None
    [notice] = inbox.items_for(session, people["reviewer"], kind="notice")
    assert notice.case_id == case.id and notice.params["state"] == "Withdrawn"
    assert inbox.items_for(session, people["company"]) == []


def test_the_counter_counts_only_open_unread_items_and_all_can_be_marked_read(session, people, office):
    company, reviewer = people["company"], people["reviewer"]
    case = _open(session, people, office)
    other = _open(session, people, office)
    assert inbox.unread_count(session, reviewer) == 2  # two cases wait on the office
    engine.fire(session, TOY, case, "grant", reviewer)
    assert inbox.unread_count(session, reviewer) == 1  # the task done is no longer counted
    engine.fire(session, TOY, other, "return", reviewer)
    assert inbox.unread_count(session, reviewer) == 0
    assert inbox.unread_count(session, company) == 2  # a notice (granted) and a task (correction)
    assert inbox.mark_all_read(session, company) == 2
    assert inbox.unread_count(session, company) == 0
    assert inbox.mark_all_read(session, company) == 0
    # Another person's items are untouched.
    assert all(i.read_at is None for i in _items(session, case.id) if i.unit_id == reviewer.unit_id
               and i.kind == "notice")


# --- real services -------------------------------------------------------------------------------------------

def test_an_open_licence_declaration_gives_tasks_only_to_whoever_acts(session, people, monkeypatch):
    pin_today(monkeypatch, casekit.TODAY)
    company, handler = people["company"], people["lead_handler"]
    d = casekit._declaration(session, people)
    assert inbox.items_for(session, company) == []  # awaiting the office's formal check: not the company's
    assert [(i.unit_id, i.kind) for i in _items(session, d.case_id)] == [(handler.unit_id, "task")]

    openlicense.DECLARATIONS.act(session, handler, d, "return", reason="联系方式不完整")
    [task] = inbox.items_for(session, company, open_only=True)
    assert task.kind == "task" and task.case_id == d.case_id

    openlicense.resubmit(session, company, d, {**casekit.TERMS, "contact": "021-5555 转 8"})
    assert inbox.items_for(session, company, open_only=True) == []
    openlicense.DECLARATIONS.act(session, handler, d, "publish")
    assert _open_tasks(session, d.case_id) == []  # published: it waits on nobody
    assert [i.params["state"] for i in inbox.items_for(session, company, kind="notice")] == [
        "Published (in effect)"]


def test_a_pledge_waits_on_the_bank_then_the_office_never_on_the_pledgor(session, people, monkeypatch):
    pin_today(monkeypatch, casekit.TODAY)
    company, bank, reviewer = people["company"], people["bank"], people["reviewer"]
    p = casekit._pledge(session, people)
    assert inbox.items_for(session, company, kind="task") == []
    [bank_task] = inbox.items_for(session, bank, open_only=True)
    pledge.PLEDGES.act(session, bank, p, "confirm")
    session.refresh(bank_task)
    assert bank_task.closed_at is not None  # the bank acted
    assert _open_tasks(session, p.case_id) == [(None, reviewer.unit_id)]
    assert inbox.items_for(session, company, kind="task") == []
    pledge.PLEDGES.act(session, reviewer, p, "register")
    assert _open_tasks(session, p.case_id) == []
    assert inbox.items_for(session, company, open_only=True, kind="task") == []


# --- the web client ------------------------------------------------------------------------------------------

def test_the_inbox_page_marks_all_read_with_csrf_and_opens_items(client, people, db):
    with db.session() as s:
        office = s.scalar(select(Unit.id).where(Unit.name_zh == "上海市知识产权局"))
        case = _open(s, people, office)
        engine.fire(s, TOY, case, "return", people["reviewer"])
        inbox.notify(s, user_id=people["company"].user_id, title="Hello", link="https://example.org/phish")
        s.commit()
    login(client, "company")
    page = client.get("/inbox")
    assert page.status_code == 200 and 'id="read-all"' in page.text and 'id="unread-count"' in page.text
    with db.session() as s:
        task, outside = inbox.items_for(s, people["company"])[1], inbox.items_for(s, people["company"])[0]
    assert f'href="/inbox/{task.id}/open"' in page.text

    # Following an item marks it read and goes to its page; a link off the site is never followed.
    opened = client.get(f"/inbox/{task.id}/open", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/cases/{case.id}"
    assert client.get(f"/inbox/{outside.id}/open", follow_redirects=False).headers["location"] == "/inbox"

    login(client, "reviewer")
    assert client.get(f"/inbox/{task.id}/open", follow_redirects=False).status_code == 404  # not theirs

    login(client, "company")
    with db.session() as s:
        inbox.notify(s, user_id=people["company"].user_id, title="Another")
        s.commit()
    refused = client.post("/inbox/read-all", follow_redirects=False)
    assert refused.status_code == 403
    with db.session() as s:
        assert inbox.unread_count(s, people["company"]) == 1
    done = client.post("/inbox/read-all", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/inbox"
    with db.session() as s:
        assert inbox.unread_count(s, people["company"]) == 0
    assert 'id="read-all"' not in client.get("/inbox").text
