"""Visibility across services, on the demo data: what one company files, another company never sees — not in a
list, not in a CSV export, not on the record's page or in the JSON API, not among the files it may download.

company.demo files in every service; maker.demo is another company (a licensee, but no party to the others'
applications). Each private list is read as both through its JSON API; every record only the first sees is
then requested by the second through every door.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipcity.core.setup import load_demo
from ipcity.core.tables import Attachment, User
from tests.support.people import login

PASSWORD = "Demo-Sight-2026x"

# (service, JSON list, key of the id in an item, page of one record, JSON of one record, CSV of the list)
PRIVATE_LISTS = [
    ("dataip", "/api/dataip/applications", "id", "/dataip/{id}", "/api/dataip/applications/{id}", "/dataip?format=csv"),
    ("pledge", "/api/pledge/applications", "id", "/pledge/{id}", "/api/pledge/applications/{id}", "/pledge?format=csv"),
    ("cases", "/api/my/applications", "id", "/cases/{id}", "/api/cases/{id}", "/my/applications?format=csv"),
]


def _items(payload):
    return payload["items"] if isinstance(payload, dict) else payload


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_one_company_never_sees_another_companys_records(client):
    services = client.app.state.services
    load_demo(services.db, services.registry, services.files, password=PASSWORD)
    seen: dict[str, dict[str, list]] = {}
    for who in ("company.demo", "maker.demo"):
        client.cookies.clear()
        assert login(client, who, PASSWORD).status_code == 303
        seen[who] = {}
        for name, api, *_ in PRIVATE_LISTS:
            response = client.get(api)
            assert response.status_code == 200, (who, api, response.text[:200])
            seen[who][name] = _items(response.json())
    # The other company, through every door, for each record only the first one sees.
    client.cookies.clear()
    assert login(client, "maker.demo", PASSWORD).status_code == 303
    checked = 0
    for name, _api, key, page, one, csv_url in PRIVATE_LISTS:
        own = {item[key] for item in seen["company.demo"][name]}
        others = {item[key] for item in seen["maker.demo"][name]}
        only_first = own - others
        assert only_first, f"the demo gives company.demo no {name} record of its own to test with"
        export = client.get(csv_url)
        assert export.status_code == 200
        for item in seen["company.demo"][name]:
            if item[key] not in only_first:
                continue
            for url in (page.format(id=item[key]), one.format(id=item[key])):
                assert client.get(url).status_code in (403, 404), (name, url)
            number = item.get("application_number") or item.get("number")
            if number:
                assert number not in export.text, (name, number)
            checked += 1
    assert checked >= 3
    # Files: nothing the first company uploaded to its own applications downloads for the other one.
    with services.db.session() as s:
        uploader = s.scalar(select(User.id).where(User.username == "company.demo"))
        uploaded = s.scalars(select(Attachment.id).where(Attachment.uploaded_by == uploader)).all()
    client.cookies.clear()
    assert login(client, "company.demo", PASSWORD).status_code == 303
    own_files = [i for i in uploaded if client.get(f"/files/{i}").status_code == 200]
    client.cookies.clear()
    assert login(client, "maker.demo", PASSWORD).status_code == 303
    leaked = [i for i in own_files if client.get(f"/files/{i}").status_code == 200]
    assert own_files and not leaked
