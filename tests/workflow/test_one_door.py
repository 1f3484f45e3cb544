"""One door, over every case type of every registered service: the generic routes cannot take a step that only
the service's own use case may take, and no door stores a value the transition does not declare.

Walks every transition from every source state of every case type the registry knows, with a signed-in person
whose role and standing permit the step, through the engine and both generic doors (the portal's case page
and the case JSON API), and proves that a refusal writes nothing: case state, case data, history and audit.
"""

from __future__ import annotations

from itertools import count

import pytest
from sqlalchemy import func, select

from ipcity.bootstrap import default_registry
from ipcity.core.accounts import create_unit, create_user
from ipcity.core.errors import DomainError
from ipcity.core.roles import ROLES, Actor
from ipcity.core.tables import AuditEntry
from ipcity.workflow import engine
from ipcity.workflow.tables import Case, CaseEvent
from tests.support.people import PASSWORD, csrf_of, login

UNDECLARED = "injected_holder_unit_id"  # what the attacker sent: a value no transition declares


def _steps():
    """(case type key, transition key, source state, a real role allowed to take it) for every step."""
    out = []
    for ct in default_registry().case_types():
        for t in ct.transitions:
            roles = sorted(r for r in t.roles if r in ROLES)  # pseudo-roles (system, public) cannot sign in
            for source in t.sources:
                out.append((ct.key, t.key, source, roles[0] if roles else None))
    return out


STEPS = _steps()
_names = count(1)


def _case_in(session, ct, state: str, role: str) -> tuple[Case, Actor, str]:
    """A case of type `ct` in `state` whose applicant unit and assigned unit are the actor's own unit."""
    n = next(_names)
    system = Actor.system("tests")
    unit = create_unit(session, system, code=f"door-{n}", name_zh=f"一门测试单位{n}", kind="company")
    user = create_user(session, system, username=f"door{n}", password=PASSWORD, display_name=f"door{n}",
                       role=role, unit_id=unit.id)
    actor = Actor.of(user)
    case = engine.open_case(session, ct, actor, title="一门测试", applicant_unit_id=unit.id, assigned_unit_id=unit.id)
    case.state = state
    session.commit()
    return case, actor, user.username


def _written(session, case_id: int) -> tuple:
    session.expire_all()
    case = session.get(Case, case_id)
    return (case.state, dict(case.data),
            session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id)),
            session.scalar(select(func.count()).select_from(AuditEntry)))


def test_the_walk_covers_every_service_and_its_service_only_steps():
    types = {key.split(".")[0] for key, *_ in STEPS}
    assert {"dataip", "openlicense", "pledge", "workplan"} <= types
    only_via = {(k, t) for k, t, *_ in STEPS
                if default_registry().case_type(k).transition(t).only_via is not None}
    assert {("pledge.registration", "cancel"), ("dataip.registration", "object"),
            ("openlicense.declaration", "resubmit")} <= only_via


@pytest.mark.parametrize(("type_key", "transition", "source", "role"), STEPS,
                         ids=[f"{k}:{t}@{s}" for k, t, s, _ in STEPS])
def test_the_engine_refuses_undeclared_values_and_generic_service_only_steps(session, type_key, transition,
                                                                            source, role):
    if role is None:
        pytest.skip("only a pseudo-role (the system, the anonymous public) takes this step")
    ct = default_registry().case_type(type_key)
    case, actor, _ = _case_in(session, ct, source, role)
    before = _written(session, case.id)
    with pytest.raises(DomainError) as err:
        engine.fire(session, ct, case, transition, actor, values={UNDECLARED: 7})
    session.rollback()
    expected = "transition" if ct.transition(transition).only_via is not None else UNDECLARED
    assert err.value.field == expected
    assert _written(session, case.id) == before


def test_both_generic_doors_refuse_and_write_nothing(client, people):
    """Through HTTP, for one step of each service-only kind and one ordinary step with an injected value."""
    registry = client.app.state.services.registry
    db = client.app.state.services.db
    checks = [(k, t, s, r) for k, t, s, r in STEPS if r is not None
              and (registry.case_type(k).transition(t).only_via is not None
                   or (k, t) in {("workplan.progress_report", "accept"), ("dataip.amendment", "approve")})]
    assert len(checks) >= 4
    for type_key, transition, source, role in checks:
        ct = registry.case_type(type_key)
        with db.session() as s:
            case, _actor, username = _case_in(s, ct, source, role)
        client.cookies.clear()
        assert login(client, username).status_code == 303  # (the sign-in is audited: count after it)
        token = csrf_of(client)
        with db.session() as s:
            before = _written(s, case.id)
        api = client.post(f"/api/cases/{case.id}/act/{transition}", headers={"x-csrf-token": token},
                          json={"values": {UNDECLARED: 7, "completion": 100}, "reason": "理由"})
        assert api.status_code in (400, 409), (type_key, transition, api.text)
        if ct.transition(transition).only_via is not None:  # the page door takes declared fields only anyway
            page = client.post(f"/cases/{case.id}/act/{transition}", data={"csrf_token": token, "reason": "理由"})
            assert page.status_code == 400, (type_key, transition, page.status_code)
        with db.session() as s:
            assert _written(s, case.id) == before, (type_key, transition)
