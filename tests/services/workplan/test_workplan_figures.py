"""Plan supervision fed by the services: each service's own figures on the work point it serves, computed live
through the plugin registry, over the period asked, with the source named."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ipcity.core.clock import CHINA_TZ
from ipcity.core.i18n import Msg
from ipcity.core.plugins import Figure, Plugin, Registry
from ipcity.navigation.tables import NavRun, NavTopic
from ipcity.patents import usage
from ipcity.services.dataip import service as dataip
from ipcity.services.openlicense import service as openlicense
from ipcity.services.workplan import queries
from ipcity.services.workplan.queries import Period
from ipcity.workflow.tables import Case
from tests.support import casekit
from tests.support.clock import pin_today
from tests.support.dataip import file, to_publicity, verify_identity
from tests.support.people import login

TODAY = date(2026, 11, 24)
YEAR = Period(date(2026, 1, 1), TODAY)
# Filings and notices are stamped with the real time (clock.now), which a pinned today does not move: a period
# that surely holds it.
WIDE = Period(date(2026, 1, 1), max(datetime.now(CHINA_TZ).date(), TODAY) + timedelta(days=400))


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    pin_today(monkeypatch, TODAY.isoformat())


def values(services, session, item: int, period: Period = YEAR) -> dict[str, str]:
    """{figure label (English): value as shown} of plan item `item`."""
    groups = queries.figures(services.registry, session, item, period)
    return {f.label.render("en"): f.text() for g in groups for f in g.figures}


def test_every_service_with_a_plan_item_gives_figures_on_it(services):
    registry = services.registry
    assert registry.figure_items() == [2, 6, 7, 8, 9, 11, 12, 18, 21, 25]
    declared = {n for s in registry.services() for n in s.plan_items}
    assert declared == set(registry.figure_items())            # the catalogue's plan items, each fed
    assert list(registry.figures_for(12)) == ["pledge"] and registry.figures_for(3) == {}


def test_a_data_ip_registration_counts_on_item_2_in_its_period(session, services, people, monkeypatch):
    before = values(services, session, 2, WIDE)
    assert before == {"Data products registered": "0", "Applications for registration filed": "0"}
    verify_identity(session, people["company"])
    product = file(session, people["company"])
    assert values(services, session, 2, WIDE)["Applications for registration filed"] == "1"
    to_publicity(session, people, product)
    ends = dataip.publicity_ends(session, session.get(Case, product.case_id))
    day = ends + timedelta(days=1)
    pin_today(monkeypatch, day.isoformat())
    dataip.PRODUCTS.act(session, people["reviewer"], product, "register", {}, "")
    session.flush()
    assert values(services, session, 2, WIDE) == {"Data products registered": "1",
                                                  "Applications for registration filed": "1"}
    assert values(services, session, 2, Period(day, day))["Data products registered"] == "1"
    # a period that ends the day before the registration does not count it; a past year counts nothing
    assert values(services, session, 2, Period(TODAY, day - timedelta(days=1)))["Data products registered"] == "0"
    assert values(services, session, 2, Period(date(2025, 1, 1), date(2025, 12, 31))) == before


AMOUNT = "Secured amount of the pledges registered (10,000 yuan)"


def test_a_pledge_registered_counts_with_its_amount_on_item_12(session, services, people):
    assert values(services, session, 12) == {"Pledges registered": "0", AMOUNT: "0.00"}
    pledge = casekit._pledge(session, people)
    assert values(services, session, 12)["Pledges registered"] == "0"       # filed is not registered
    casekit._pledge_public(session, people, {"pledge": pledge})            # confirmed by the bank, registered
    session.flush()
    assert pledge.registered_on == TODAY
    assert values(services, session, 12) == {"Pledges registered": "1", AMOUNT: "500.00"}  # 5,000,000 yuan
    figure = queries.figures(services.registry, session, 12, YEAR)[0].figures[1]
    assert figure.value == Decimal("500.00") and figure.label.render("en").endswith("(10,000 yuan)")
    assert values(services, session, 12, Period(date(2026, 1, 1), TODAY - timedelta(days=1)))[
        "Pledges registered"] == "0"


def test_open_licences_declared_and_taken_count_on_item_11(session, services, people):
    assert values(services, session, 11, WIDE) == {"Open licences declared and published": "0",
                                                   "Licences taken under open licences": "0"}
    declaration = casekit._declaration(session, people)
    assert values(services, session, 11, WIDE)["Open licences declared and published"] == "0"   # not published
    openlicense.DECLARATIONS.act(session, people["lead_handler"], declaration, "publish")
    casekit._licence(session, people)                                       # a second one, published and taken
    session.flush()
    assert values(services, session, 11, WIDE) == {"Open licences declared and published": "2",
                                                   "Licences taken under open licences": "1"}
    assert values(services, session, 11, Period(TODAY, TODAY))["Open licences declared and published"] == "2"
    assert values(services, session, 11, Period(date(2025, 1, 1), date(2025, 12, 31))) == {
        "Open licences declared and published": "0", "Licences taken under open licences": "0"}


def test_navigation_reports_finished_count_on_item_9(session, services, people):
    topic = NavTopic(name="锂电池", nav_type="industry", kind="query", definition={})
    session.add(topic)
    session.flush()
    at = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    session.add_all([NavRun(topic_id=topic.id, status="done", finished_at=at),
                     NavRun(topic_id=topic.id, status="done", finished_at=at + timedelta(days=1)),
                     NavRun(topic_id=topic.id, status="failed", finished_at=at),
                     NavRun(topic_id=topic.id, status="running")])
    session.flush()
    assert values(services, session, 9) == {"Patent navigation reports completed": "2", "Topics analysed": "1"}
    assert values(services, session, 9, Period(date(2026, 3, 2), TODAY))["Patent navigation reports completed"] \
        == "1"


def test_patent_searches_are_counted_by_day_and_on_item_18(client, services):
    assert client.get("/patents?q=锂电池").status_code == 200
    assert client.get("/patents?q=锂电池&page=2").status_code in (200, 400)      # a further page: no new search
    assert client.get("/patents").status_code == 200                         # the newest patents: no search
    assert client.get("/api/patents/search?q=涂布").status_code == 200
    with services.db.session() as s:
        assert usage.searches(s, TODAY, TODAY) == 2
        assert usage.searches(s, TODAY + timedelta(days=1), TODAY + timedelta(days=9)) == 0
        assert values(services, s, 18) == {"Patent searches run": "2"}


def test_the_search_count_loses_nothing_with_many_searchers_at_once(services):
    threads, each = 6, 5
    errors = []

    def search_many():
        try:
            for _ in range(each):
                usage.count_search(services.db)
        except Exception as exc:  # noqa: BLE001 - the test reports whatever a thread met
            errors.append(exc)

    workers = [threading.Thread(target=search_many) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors
    with services.db.session() as s:
        assert usage.searches(s, TODAY, TODAY) == threads * each


def test_the_point_page_shows_the_figures_with_source_and_period(client, services, people):
    with services.db.session() as s:
        pledge = casekit._pledge(s, people)
        casekit._pledge_public(s, people, {"pledge": pledge})
        s.commit()
    login(client, "head")
    page = client.get("/workplan/points/12?lang=en").text
    assert 'id="service-figures"' in page
    assert "Source: Patent pledge registration system; period 2026-01-01 to date" in page
    assert '<td class="num" data-value="1">1' in page and "500.00" in page
    earlier = client.get("/workplan/points/12?lang=en&period_from=2025-01-01&period_to=2025-12-31").text
    assert "period 2025-01-01 to 2025-12-31" in earlier and '<td class="num" data-value="1">' not in earlier
    assert 'id="service-figures"' not in client.get("/workplan/points/3").text   # no service for point 3
    # every fed point on the figures page and its fragment (what the dashboard loads)
    for response in (client.get("/workplan/figures?lang=en"),
                     client.get("/workplan/figures?lang=en", headers={"HX-Request": "true"})):
        assert response.status_code == 200
        for n in (2, 9, 11, 12, 18):
            assert f'href="/workplan/points/{n}"' in response.text
    assert "<html" not in client.get("/workplan/figures", headers={"HX-Request": "true"}).text
    assert 'hx-get="/workplan/figures"' in client.get("/workplan/dashboard").text
    api = client.get("/api/workplan/figures?period_from=2026-01-01").json()
    pledges = next(p for p in api if p["point"] == 12)
    assert pledges["sources"][0]["figures"][0]["value"] == "1"
    assert client.get("/api/workplan/figures?period_to=soon").status_code == 400


def test_a_plugin_declares_its_figures_on_a_plan_item(session):
    """The hook itself: figures reach the work point from any plugin, grouped by source (plan supervision imports
    no service: the import contract holds it)."""
    registry = Registry()
    source = Figure(Msg("Counted"), 3, Msg("A system"))
    registry.register(Plugin(key="a", figures={7: lambda s, start, end: [source]}))
    registry.register(Plugin(key="b", figures={7: lambda s, start, end: [
        Figure(Msg("Also counted"), Decimal("1234.5"), Msg("A system")),
        Figure(Msg("Other"), 1, Msg("Another system"))]}))
    groups = queries.figures(registry, session, 7, YEAR)
    assert [(g.source.msgid, [f.text() for f in g.figures]) for g in groups] == [
        ("A system", ["3", "1,234.50"]), ("Another system", ["1"])]
    assert groups[0].caption.render("en") == "Source: A system; period 2026-01-01 to date"
    assert queries.figures(registry, session, 8, YEAR) == []
