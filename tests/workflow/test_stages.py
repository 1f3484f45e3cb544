"""The stage indicator of a case (受理 → 审查 → 公示 → 办结): derived from the case type's declaration
(workflow/definition.py: a state's `stage`, else the derivation of `CaseType.stage_of`), and shown on every
service's record page and the generic case page (web/templates/cases/_stages.html).

The pure part needs no database; the pages are rendered on SQLite only (they read what the engine wrote; the
engine's own tests run on both databases).
"""

from __future__ import annotations

import re

import pytest

from ipcity.bootstrap import default_registry
from ipcity.core import accounts
from ipcity.core.i18n import Msg
from ipcity.core.roles import HANDLER
from ipcity.core.security import token_digest
from ipcity.core.tables import User, WebSession
from ipcity.web.deps import SESSION_COOKIE
from ipcity.workflow.definition import (
    ACCEPTANCE,
    APPLICANT,
    ASSIGNED_UNIT,
    CONCLUSION,
    FILING,
    PUBLICITY,
    REVIEW,
    STAGES,
    CaseType,
    State,
    Transition,
)
from ipcity.workflow.tables import Case
from tests.support.casekit import SERVICES, TODAY
from tests.support.clock import pin_today
from tests.support.people import make_people

OFFICE = frozenset({HANDLER})


def _type(initial_actor: str = ASSIGNED_UNIT, **stages: str) -> CaseType:
    """A registration: filed → review (↔ correction) → publicity → registered (not final), or refused."""
    return CaseType(
        key="test.stages", label=Msg("Test"), number_prefix="T",
        states=(State("filed", Msg("Filed"), stage=stages.get("filed", "")),
                State("review", Msg("Review")),
                State("correction", Msg("Correction")),
                State("publicity", Msg("Publicity"), stage=PUBLICITY),
                State("registered", Msg("Registered"), stage=stages.get("registered", CONCLUSION)),
                State("refused", Msg("Refused"), final=True)),
        initial="filed",
        transitions=(Transition("accept", Msg("Accept"), ("filed",), "review", OFFICE, initial_actor),
                     Transition("correct", Msg("Ask"), ("review",), "correction", OFFICE, ASSIGNED_UNIT),
                     Transition("publish", Msg("Publish"), ("review",), "publicity", OFFICE, ASSIGNED_UNIT),
                     Transition("register", Msg("Register"), ("publicity",), "registered", OFFICE, ASSIGNED_UNIT),
                     Transition("refuse", Msg("Refuse"), ("review",), "refused", OFFICE, ASSIGNED_UNIT)),
    )


def _statuses(ct: CaseType, state: str, visited=()) -> dict[str, str]:
    return {s.key: s.status for s in ct.progress(state, visited)}


# --- the declaration --------------------------------------------------------------------------------------------

def test_a_state_belongs_to_its_declared_stage_else_to_the_derived_one():
    ct = _type()
    assert [ct.stage_of(s.key) for s in ct.states] == [ACCEPTANCE, REVIEW, REVIEW, PUBLICITY, CONCLUSION,
                                                       CONCLUSION]
    assert ct.stages() == (ACCEPTANCE, REVIEW, PUBLICITY, CONCLUSION)
    # an initial state in which the office has nothing to do yet (the applicant's or a third party's step) is filing
    assert _type(initial_actor=APPLICANT).stage_of("filed") == FILING
    # a declaration wins over the derivation
    assert _type(filed=REVIEW).stages() == (REVIEW, PUBLICITY, CONCLUSION)


def test_an_unknown_stage_is_refused_when_the_case_type_is_declared():
    with pytest.raises(ValueError, match="unknown stage 'approval'"):
        _type(registered="approval")


def test_progress_marks_each_stage_done_current_ahead_or_skipped():
    ct = _type()
    assert _statuses(ct, "filed") == {ACCEPTANCE: "current", REVIEW: "ahead", PUBLICITY: "ahead",
                                      CONCLUSION: "ahead"}
    assert _statuses(ct, "correction", ["filed", "review"]) == {ACCEPTANCE: "done", REVIEW: "current",
                                                                 PUBLICITY: "ahead", CONCLUSION: "ahead"}
    # registered after publicity: every stage done (registered is no final state, yet it concludes)
    assert set(_statuses(ct, "registered", ["filed", "review", "publicity", "registered"]).values()) == {"done"}
    # refused in review: publicity was never entered, so it is skipped, not done
    assert _statuses(ct, "refused", ["filed", "review", "refused"]) == {ACCEPTANCE: "done", REVIEW: "done",
                                                                        PUBLICITY: "skipped", CONCLUSION: "done"}
    # the current stage carries the state's label; the others none
    steps = ct.progress("correction", ["filed", "review"])
    assert [s.state.msgid if s.state else None for s in steps] == [None, "Correction", None, None]
    assert [s.label for s in steps] == [STAGES[k] for k in ct.stages()]


def test_every_registered_case_type_ends_in_conclusion_and_shows_the_stages_of_its_workflow():
    registry = default_registry()
    for ct in registry.case_types():
        stages = ct.stages()
        assert stages[-1] == CONCLUSION, ct.key
        assert len(stages) >= 2, ct.key
        for s in ct.states:
            if s.final:
                assert ct.stage_of(s.key) == CONCLUSION, (ct.key, s.key)
    assert registry.case_type("dataip.registration").stages() == (ACCEPTANCE, REVIEW, PUBLICITY, CONCLUSION)
    # a pledge waits for the bank's confirmation before the office has anything to do: filing first
    assert registry.case_type("pledge.registration").stages() == (FILING, REVIEW, CONCLUSION)
    assert registry.case_type("pledge.registration").stage_of("registered") == CONCLUSION
    assert registry.case_type("workplan.progress_report").stage_of("draft") == FILING


# --- the pages --------------------------------------------------------------------------------------------------

@pytest.fixture
def database_url(tmp_path, sqlite_template) -> str:
    import shutil

    target = tmp_path / "ipcity.sqlite3"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


def _sign_in(client, db, actor) -> None:
    with db.session() as s:
        cookie = accounts.open_session(s, client.app.state.services.settings, s.get(User, actor.user_id))
        s.commit()
        assert s.get(WebSession, token_digest(cookie)) is not None
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie)


def _shown(html: str) -> list[tuple[str, str]]:
    block = html.split('id="case-stages"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'data-stage="([a-z]+)" data-status="([a-z]+)"', block)


@pytest.mark.parametrize("svc", SERVICES, ids=lambda s: s.name)
def test_every_record_page_and_its_case_page_show_the_stages_of_the_case(client, svc, monkeypatch):
    pin_today(monkeypatch, TODAY)
    db = client.app.state.services.db
    people = make_people(db)
    for rec in svc.records:
        with db.session() as s:
            record = rec.make(s, people)
            s.flush()
            record_id, case = record.id, s.get(Case, record.case_id)
            ct = rec.page.kind.case_type
            # a new record is in the first stage of its case type: that stage current, every other ahead
            assert ct.stages()[0] == ct.stage_of(ct.initial), rec.key
            expected = [(k, "current" if i == 0 else "ahead") for i, k in enumerate(ct.stages())]
            case_id = case.id
            s.commit()
        _sign_in(client, db, people[rec.parties[0]])
        page = client.get(rec.page.path.format(id=record_id) + "?lang=en")
        assert page.status_code == 200, (rec.key, page.status_code)
        assert _shown(page.text) == expected, rec.key
        assert 'aria-current="step"' in page.text
        generic = client.get(f"/cases/{case_id}?lang=en")
        assert generic.status_code == 200
        assert _shown(generic.text) == expected, rec.key


def test_the_case_page_follows_the_case_through_its_stages(client, monkeypatch):
    """A data-IP application in publicity: acceptance and review done, publicity current, conclusion ahead."""
    from tests.support import dataip as dataip_support

    pin_today(monkeypatch, TODAY)
    db = client.app.state.services.db
    people = make_people(db)
    dataip = next(svc for svc in SERVICES if svc.name == "dataip")
    with db.session() as s:
        product = dataip.record("product").make(s, people)
        s.flush()
        dataip_support.to_publicity(s, people, product)
        s.commit()
        product_id = product.id
    _sign_in(client, db, people["company"])
    page = client.get(f"/dataip/{product_id}?lang=en")
    assert _shown(page.text) == [(ACCEPTANCE, "done"), (REVIEW, "done"), (PUBLICITY, "current"),
                                 (CONCLUSION, "ahead")]
    assert '<span class="stage-state">In publicity (公示)</span>' in page.text


def test_a_work_plan_report_shows_its_stages(client):
    """Plan supervision's report page (a service without a RecordPage) includes the same indicator."""
    from tests.support.people import csrf_of, login

    make_people(client.app.state.services.db)
    assert login(client, "pudong").status_code == 303
    resp = client.post("/workplan/points/5/reports", data={
        "csrf_token": csrf_of(client), "period": "2026年第四季度", "summary": "浦东新区保护示范区建设评估已完成。",
        "completion": "80", "action": "submit"}, follow_redirects=False)
    assert resp.status_code == 303, resp.text
    page = client.get(resp.headers["location"] + "?lang=en")
    assert _shown(page.text) == [(FILING, "done"), (REVIEW, "current"), (CONCLUSION, "ahead")]
