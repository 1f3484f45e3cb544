"""Query-count baselines of the main pages (as NetBox keeps them): an N+1 query shows up as a failing test.

Each page is rendered on the demo data as the person who uses it, counting the SQL statements the request
runs. A page that issues one query per row of a list grows with the demo data and passes its ceiling; the
ceilings are today's counts plus two (the demo lists have more rows than that), so raise one only with a
reason in the commit.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from ipcity.core.setup import load_demo
from ipcity.workflow.tables import Case
from tests.support.people import login

PASSWORD = "Demo-Count-2026x"

# (who, page, ceiling of SQL statements for the whole request: session check, page, menu counters)
PAGES = [
    (None, "/dataip/registry", 5),
    ("company.demo", "/dataip", 7),
    ("sipa.reviewer", "/dataip", 7),
    ("company.demo", "/pledge", 7),
    ("bank.demo", "/pledge", 9),
    (None, "/pledge/gazette", 4),
    (None, "/openlicense", 4),
    ("company.demo", "/openlicense/declarations", 6),
    ("sipa.head", "/workplan", 7),
    ("sipa.head", "/workplan/dashboard", 9),
    ("sipa.head", "/cases/{case}", 10),
    ("company.demo", "/my/applications", 9),  # was 16: the calendar was loaded once per listed case
    ("sipa.handler", "/queue", 9),
    ("company.demo", "/inbox", 5),
]


@pytest.fixture
def demo_client(client):
    services = client.app.state.services
    load_demo(services.db, services.registry, services.files, password=PASSWORD)
    return client


def _count(client, path: str) -> tuple[int, int]:
    statements = []
    engine = client.app.state.services.db.engine

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        status = client.get(path).status_code
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return status, len([s for s in statements if not s.startswith(("BEGIN", "SAVEPOINT", "RELEASE"))])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_main_pages_stay_within_their_query_baselines(demo_client):
    with demo_client.app.state.services.db.session() as s:
        case_id = s.scalar(select(Case.id).where(Case.type_key == "workplan.progress_report").order_by(Case.id))
    counts = {}
    for who, page, ceiling in PAGES:
        demo_client.cookies.clear()
        if who:
            assert login(demo_client, who, PASSWORD).status_code == 303
        path = page.format(case=case_id)
        status, n = _count(demo_client, path)
        assert status == 200, (who, path, status)
        counts[(who, path)] = (n, ceiling)
    over = {k: v for k, v in counts.items() if v[0] > v[1]}
    assert not over, f"pages over their query baseline (count, ceiling): {over}"
