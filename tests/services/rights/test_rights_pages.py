"""The network's pages: the intake form (a company's and an official's), the request page with its transfer and
referral forms, the public tracking look-up (throttled), the routing table, the adjudication pages."""

from __future__ import annotations

import re

import pytest

from ipcity.services.rights import adjudication, service
from ipcity.services.rights.tables import RightsRequest
from tests.support import rights as net
from tests.support.people import csrf_of, login


@pytest.fixture
def officials(services):
    with services.db.session(write=True) as s:
        found = net.network(s)
        s.commit()
    return found


_post = net.post


def test_a_company_files_a_request_and_sees_its_tracking_number(client, people, officials, services):
    login(client, "company")
    assert client.get("/rights/requests/new").status_code == 200
    bad = _post(client, "/rights/requests/new", {**net.request_values(), "description": "短"})
    assert bad.status_code == 400 and 'data-field="description"' in bad.text
    done = _post(client, "/rights/requests/new", net.request_values(),
                 files=[("evidence", ("e.pdf", net.PDF, "application/pdf"))])
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    tracking = re.search(r'id="tracking">([^<]+)<', page.text).group(1)
    assert tracking.startswith("WQ") and "测试浦东新区知识产权局" in page.text
    listed = client.get("/rights/requests")
    assert tracking not in listed.text and "上海某某贸易有限公司" in listed.text
    assert client.get("/rights/requests?format=csv").status_code == 200


def test_the_tracking_look_up_tells_status_only_and_slows_a_guesser(client, people, officials, services):
    with services.db.session(write=True) as s:
        req = service.submit(s, net.network(s)["pd_handler"] and people["company"], net.request_values(), [])
        s.commit()
        tracking = req.tracking
    anonymous = client.get("/rights/track", params={"number": tracking})
    assert anonymous.status_code == 200 and 'id="track-state"' in anonymous.text
    assert "上海某某贸易有限公司" not in anonymous.text and "王专员" not in anonymous.text
    assert client.get("/rights/track", params={"number": tracking[:-1] + "0"}).status_code in (400, 404)
    statuses = [client.get("/rights/track", params={"number": "WQ2026-000001-0000-00000"}).status_code
                for _ in range(35)]
    assert statuses[-1] == 429 and 429 not in statuses[:29]


def test_an_official_takes_a_phone_request_and_transfers_it(client, people, officials, services):
    login(client, "aid_handler")
    page = client.get("/rights/requests/new")
    assert 'name="channel"' in page.text
    done = _post(client, "/rights/requests/new", {**net.request_values("consultation", right="trademark",
                                                                      where="online", division_code=""),
                                                  "channel": "phone"})
    assert done.status_code == 303
    req_id = int(done.headers["location"].split("/")[-1].split("?")[0])
    moved = _post(client, f"/rights/requests/{req_id}/transfer",
                  {"unit_id": str(net_unit(services, net.DISTRICT)), "reason": "属地管辖"})
    assert moved.status_code == 303
    assert client.get(f"/rights/requests/{req_id}").status_code == 403  # no longer its unit's
    login(client, "pd_handler")
    page = client.get(f"/rights/requests/{req_id}")
    assert page.status_code == 200 and "属地管辖" in page.text


def net_unit(services, name):
    with services.db.session() as s:
        return net.unit_id(s, name)


def test_the_adjudication_pages_file_and_decide(client, people, officials, services):
    with services.db.session(write=True) as s:
        req = service.submit(s, people["company"], net.request_values(), [])
        s.commit()
        req_id = req.id
    login(client, "pd_handler")
    referred = _post(client, f"/rights/requests/{req_id}/refer", {"reason": "符合条件"})
    assert referred.status_code == 303 and "/rights/adjudications/" in referred.headers["location"]
    adj_url = referred.headers["location"]
    bad = _post(client, adj_url + "/file", {"panel": "张\n李"})
    assert bad.status_code == 400 and 'data-field="panel"' in bad.text  # the page again, the error in its form
    assert _post(client, adj_url + "/file", {"panel": "张审理\n李审理\n王审理"}).status_code == 303
    page = client.get(adj_url)
    assert 'id="decision-clock"' in page.text and "专利纠纷行政裁决立案通知书" in page.text
    login(client, "pd_head")
    decided = _post(client, adj_url + "/decide", {"outcome": "infringes", "acts": "sell",
                                                  "decision_text": "经审理，被请求人销售的产品构成侵权。"})
    assert decided.status_code == 303
    with services.db.session() as s:
        adj = s.get(adjudication.Adjudication, int(adj_url.split("/")[-1]))
        assert adj.state == "decided" and adj.acts == ["sell"]
        assert s.get(RightsRequest, req_id).state == "referred"
    login(client, "company")
    assert client.get(adj_url).status_code == 200
    assert client.get("/rights/adjudications?format=xlsx").status_code == 200


def test_routing_table_is_edited_by_an_administrator_only(client, people, officials, services):
    login(client, "pd_handler")
    assert client.get("/rights/routing").status_code == 200
    assert _post(client, "/rights/routing", {"right": "*", "kind": "*", "area": "online"}).status_code == 403
    login(client, "admin")
    bad = _post(client, "/rights/routing", {"right": "*", "kind": "*", "area": "999999", "unit_id": ""})
    assert bad.status_code == 400 and 'data-field="area"' in bad.text
    unit = net_unit(services, net.ASSISTANCE)
    assert _post(client, "/rights/routing", {"right": "copyright", "kind": "*", "area": "online",
                                             "unit_id": str(unit)}).status_code == 303
    trial = client.get("/rights/routing", params={"right": "copyright", "kind": "complaint", "area": "online"})
    assert net.ASSISTANCE in trial.text.split('id="trial-result"')[1]


def test_the_json_api_lists_files_and_tracks(client, people, officials, services):
    login(client, "aid_handler")
    token = csrf_of(client)
    filed = client.post("/api/rights/requests", json=net.request_values("consultation", right="copyright",
                                                                        where="online", division_code="")
                        | {"channel": "phone"}, headers={"X-CSRF-Token": token})
    assert filed.status_code == 201 and filed.json()["tracking"].startswith("WQ")
    refused = client.post("/api/rights/requests", json={"kind": "adjudication"}, headers={"X-CSRF-Token": token})
    assert refused.status_code == 400
    listed = client.get("/api/rights/requests", params={"kind": "consultation"}).json()
    assert listed["total"] == 1 and listed["items"][0]["right"] == "copyright"
    one = client.get(f"/api/rights/requests/{listed['items'][0]['id']}").json()
    assert one["deadlines"][0]["key"] == "first_response" and "take" in one["actions"]
    client.cookies.clear()
    tracked = client.get("/api/rights/track", params={"number": filed.json()["tracking"]})
    assert tracked.status_code == 200 and tracked.json()["unit"] == net.ASSISTANCE
    assert "requester" not in tracked.json()
    assert client.get("/api/rights/track", params={"number": "WQ12"}).status_code == 400
