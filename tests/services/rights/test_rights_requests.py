"""The network's intake: checks, routing, tracking numbers, transfer, first response, the public look-up."""

from __future__ import annotations

import pytest

from ipcity.services.rights import domain, service
from tests.support import rights as net


@pytest.fixture
def officials(session):
    found = net.network(session)
    session.commit()
    return found


def test_a_request_is_routed_by_the_table_and_gets_a_tracking_number(session, people, officials):
    req = service.submit(session, people["company"], net.request_values(), net.pdf())
    session.commit()
    case = service.REQUESTS.case_of(session, req)
    assert case.assigned_unit_id == net.unit_id(session, net.DISTRICT)
    assert req.state == "received" and req.channel == domain.WEB and not req.routed_by_hand
    assert domain.parse_tracking(req.tracking, key=service.tracking_key(session)).serial == req.serial
    assert [d.rule_key for d in case.deadlines] == ["first_response"]
    assert len(service.evidence_of(session, req)) == 1
