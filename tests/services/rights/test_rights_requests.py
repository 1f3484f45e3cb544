"""The network's intake: checks, routing, tracking numbers, transfer, first response, the public look-up."""

from __future__ import annotations

import pytest

from ipcity.core.errors import DomainError, NotFound, PermissionDenied
from ipcity.services.rights import domain, service
from ipcity.services.rights.tables import Transfer
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


def test_an_adjudication_out_of_time_or_without_its_day_is_refused_on_its_field(session, people, officials):
    from datetime import timedelta

    from ipcity.core.clock import today

    for changes, field in (({"knew_on": ""}, "knew_on"),
                           ({"knew_on": (today() - timedelta(days=3 * 366 + 10)).isoformat()}, "knew_on"),
                           ({"court_action": "1"}, "court_action"),
                           ({"role": "ordinary_licensee"}, "authorised"),
                           ({"right": "trademark"}, "right")):
        with pytest.raises(DomainError) as err:
            service.submit(session, people["company"], net.request_values(**changes), [])
        assert err.value.field == field or field in {f for f, _ in err.value.problems}, (changes, err.value.field)
        session.rollback()
    later = (today() - timedelta(days=3 * 366 + 10)).isoformat()
    req = service.submit(session, people["company"], net.request_values(knew_on=later, continuing="1"), [])
    assert req.details["continuing"] is True  # a continuing infringement is accepted (Art 19)


def test_transfer_restarts_the_first_response_clock_at_the_new_unit(session, people, officials):
    req = service.submit(session, people["company"], net.request_values("consultation", right="trademark",
                                                                        where="online", division_code=""), [])
    session.commit()
    case = service.REQUESTS.case_of(session, req)
    assert case.assigned_unit_id == net.unit_id(session, net.ASSISTANCE)
    with pytest.raises(PermissionDenied):  # only the unit it is with
        service.transfer(session, officials["pd_handler"], req, net.unit_id(session, net.DISTRICT), "属地")
    session.rollback()
    with pytest.raises(DomainError) as err:
        service.transfer(session, officials["aid_handler"], req, case.assigned_unit_id, "同一单位")
    assert err.value.field == "unit_id"
    session.rollback()
    service.transfer(session, officials["aid_handler"], req, net.unit_id(session, net.DISTRICT), "属地管辖")
    session.commit()
    runs = [d for d in case.deadlines if d.rule_key == "first_response"]
    assert len(runs) == 2 and runs[0].stopped_on is not None and runs[1].stopped_on is None
    assert session.query(Transfer).filter_by(request_id=req.id).one().reason == "属地管辖"
    assert req.first_response_on is None  # a transfer is not the first response of the unit that answers
    service.REQUESTS.act(session, officials["pd_handler"], req, "take")
    session.commit()
    assert req.first_response_on is not None and req.state == "handling"
    service.REQUESTS.act(session, officials["pd_handler"], req, "close", {"outcome": "answered"}, "已电话答复")
    session.commit()
    assert req.state == "closed" and req.outcome == "answered"


def test_the_public_status_names_no_party_and_refuses_a_forged_number(session, people, officials):
    req = service.submit(session, people["company"], net.request_values(), [])
    session.commit()
    status = service.public_status(session, req.tracking.lower().replace("-", " "))
    assert status.tracking == req.tracking and status.unit == net.DISTRICT
    assert req.respondent not in repr(status) and req.phone not in repr(status)
    forged = domain.tracking_number(req.serial, req.year, key=b"another installation")
    with pytest.raises(domain.TrackingError):
        service.public_status(session, forged)
    with pytest.raises(NotFound):  # a valid number of this installation, never issued
        service.public_status(session, domain.tracking_number(req.serial + 1, req.year,
                                                              key=service.tracking_key(session)))


def test_concurrent_requests_get_distinct_serials(services, officials, people):
    import threading

    errors, numbers = [], []

    def file():
        try:
            with services.db.session(write=True) as s:
                req = service.submit(s, people["company"], net.request_values("consultation", right="trademark",
                                                                              where="online", division_code=""), [])
                s.commit()
                numbers.append((req.serial, req.tracking))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=file) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len({n for n, _ in numbers}) == 8 and len({t for _, t in numbers}) == 8
