"""Service guides (办事指南): every service of the catalogue has one, open to everyone at /services/{key}/guide,
with this installation's time limits and numbers (never a number written into the guide), the legal basis by
name and article, the fees, the steps, the questions, the contact, and templates of the forms among its materials.

Pages are tested in English (the Chinese comes with the catalogue merge) and on SQLite only: a guide reads
settings and one unit, nothing a database could answer differently.
"""

from __future__ import annotations

import html
import io
import re
import shutil

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from ipcity.bootstrap import default_registry
from ipcity.core import accounts
from ipcity.core.accounts import create_unit
from ipcity.core.config import load_settings
from ipcity.core.guides import Guide, Material, TimeLimit
from ipcity.core.i18n import Msg, current_locale
from ipcity.core.roles import Actor
from ipcity.core.security import token_digest
from ipcity.core.tables import User, WebSession
from ipcity.portal.guides import amount, figures, text
from ipcity.web.deps import SESSION_COOKIE
from ipcity.web.export import XLSX
from tests.support.people import make_people

REGISTRY = default_registry()
GUIDED = [p for p in REGISTRY.plugins if p.service is not None]
KEYS = [p.service.key for p in GUIDED]
# What a citizen never reads (issue 15, item 5).
DEVELOPER_WORDS = re.compile(r"IPCITY_|rules\.md|unverified|configurable|\{[a-z_]+\}|\.py\b")


def _plain(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def make_client(tmp_path, sqlite_template):
    """A client of an app on a fresh SQLite copy, with these settings overridden."""
    made = []

    def make(**overrides) -> TestClient:
        from ipcity.web.app import create_app

        target = tmp_path / f"db{len(made)}.sqlite3"
        shutil.copy(sqlite_template, target)
        app = create_app(load_settings(data_dir=tmp_path / f"data{len(made)}", database_url=f"sqlite:///{target}",
                                       run_worker=False, **overrides))
        client = TestClient(app)
        client.__enter__()
        made.append(client)
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)
        client.app.state.services.db.dispose()


# --- the guides as data -----------------------------------------------------------------------------------------

def test_every_service_of_the_catalogue_declares_a_guide():
    assert sorted(KEYS) == ["dataip", "navigation", "openlicense", "patents", "pledge", "preexam", "rights",
                            "workplan"]
    assert all(isinstance(p.guide, Guide) for p in GUIDED), [p.key for p in GUIDED if p.guide is None]


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_every_guide_text_renders_with_the_installations_numbers(locale):
    """A text naming a setting in braces gets its value; a name that is no numeric setting fails here."""
    settings = load_settings(data_dir="/tmp/unused", database_url="sqlite://")
    token = current_locale.set(locale)
    try:
        for p in GUIDED:
            for msg in p.guide.texts():
                shown = text(msg, settings)
                assert shown.strip(), (p.key, msg.msgid)
                assert not DEVELOPER_WORDS.search(shown), (p.key, shown)
    finally:
        current_locale.reset(token)


def test_a_text_takes_numbers_only_never_a_text_setting():
    settings = load_settings(data_dir="/tmp/unused", database_url="sqlite://", dataip_relock_months=4)
    assert text(Msg("Wait {dataip_relock_months} months"), settings) == "Wait 4 months"
    assert "milvus_token" not in figures(settings) and "database_url" not in figures(settings)
    with pytest.raises(KeyError):
        text(Msg("Token {milvus_token}"), settings)


def test_every_time_limit_names_a_deadline_or_setting_that_exists():
    settings = load_settings(data_dir="/tmp/unused", database_url="sqlite://")
    for p in GUIDED:
        for limit in p.guide.time_limits:
            if limit.deadline:
                assert limit.case_type in {ct.key for ct in p.case_types}, (p.key, limit.case_type)
                keys = {d.key for d in REGISTRY.case_type(limit.case_type).deadlines}
                assert limit.deadline in keys, (p.key, limit.deadline)
            if limit.setting:
                assert isinstance(getattr(settings, limit.setting), int), (p.key, limit.setting)
            assert amount(REGISTRY, settings, limit)


def test_a_time_limit_has_exactly_one_source_and_a_known_unit():
    with pytest.raises(ValueError, match="exactly one"):
        TimeLimit(Msg("x"), None)
    with pytest.raises(ValueError, match="exactly one"):
        TimeLimit(Msg("x"), None, "pledge.registration", "decision", setting="pledge_decision_days")
    with pytest.raises(ValueError, match="unit"):
        TimeLimit(Msg("x"), None, setting="pledge_decision_days", unit="weeks")
    with pytest.raises(ValueError, match="material keys"):
        Guide((), (), (Material("a", Msg("A")), Material("a", Msg("B"))), (), (), ())


def test_a_time_limit_shows_the_amount_the_installation_sets():
    registry = REGISTRY
    limit = TimeLimit(Msg("Decision"), None, "pledge.registration", "decision")
    assert amount(registry, load_settings(data_dir="/tmp/u", database_url="sqlite://", pledge_decision_days=7),
                  limit) == Msg("{n} working days", n=7).render()
    publicity = TimeLimit(Msg("Publicity"), None, "dataip.registration", "publicity")
    settings = load_settings(data_dir="/tmp/u", database_url="sqlite://", dataip_publicity_days=10,
                             dataip_publicity_unit="working_days")
    assert amount(registry, settings, publicity) == Msg("{n} working days", n=10).render()


# --- the pages ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", KEYS)
def test_anyone_reads_every_guide_with_each_of_its_parts(make_client, key):
    client = make_client()
    page = client.get(f"/services/{key}/guide?lang=en")
    assert page.status_code == 200
    plugin = next(p for p in GUIDED if p.service.key == key)
    guide = plugin.guide
    for section in ("who", "materials", "fees", "basis", "time-limits", "steps", "contact"):
        assert f'id="{section}"' in page.text, section
    shown = _plain(page.text)
    assert not DEVELOPER_WORDS.search(shown), DEVELOPER_WORDS.search(shown)
    assert "Free of charge" in shown if guide.free else "Free of charge" not in shown
    for b in guide.basis:
        assert _plain(b.law.render("en")) in shown
    assert shown.count("Set by this office") == sum(1 for t in guide.time_limits if t.basis is not None
                                                    and t.basis.msgid == "Set by this office")
    assert len(re.findall(r'<details class="guide-question">', page.text)) == len(guide.questions)
    assert f'href="{plugin.service.path}"' in page.text
    assert "上海市知识产权局" in shown  # the acting unit: the IP office, as seeded


def test_the_guide_shows_the_time_limits_and_numbers_the_office_sets(make_client):
    client = make_client(pledge_decision_days=9, dataip_relock_months=4, dataip_publicity_days=20)
    pledge = client.get("/services/pledge/guide?lang=en").text
    rows = re.findall(r'<tr data-limit="decision"><td>(.*?)</td><td class="limit-amount">(.*?)</td>', pledge)
    assert [amount for _label, amount in rows] == ["9 working days", "9 working days"]
    dataip = _plain(client.get("/services/dataip/guide?lang=en").text)
    assert "within 4 months of a voluntary withdrawal" in dataip
    assert "refused for 4 months" in dataip
    assert re.search(r"Publicity \(公示\) — objections may be filed 20 days", dataip)


def test_the_guide_names_the_acting_unit_and_the_offices_contact(make_client):
    client = make_client(service_contact="咨询电话：021-12345678（工作日 9:00–17:00）", pledge_unit="test-registry")
    with client.app.state.services.db.session() as s:
        create_unit(s, Actor.system("tests"), code="test-registry", name_zh="测试登记机构", kind="ip_office")
        s.commit()
    pledge = client.get("/services/pledge/guide?lang=en").text
    assert re.search(r'id="acting-unit">测试登记机构<', pledge)
    assert "咨询电话：021-12345678（工作日 9:00–17:00）" in pledge
    dataip = client.get("/services/dataip/guide?lang=en").text
    assert re.search(r'id="acting-unit">上海市知识产权局<', dataip)


def test_an_unknown_service_has_no_guide(make_client):
    client = make_client()
    page = client.get("/services/nothing/guide?lang=en", headers={"accept": "text/html"})
    assert page.status_code == 404
    assert "There is no service guide for nothing" in page.text
    assert page.headers["content-type"].startswith("text/html")


# --- the templates of the materials --------------------------------------------------------------------------------

def _forms() -> list[tuple[str, Material]]:
    return [(p.service.key, m) for p in GUIDED for m in p.guide.materials if m.fields]


def test_every_guide_that_asks_for_materials_offers_a_template():
    asking = {p.service.key for p in GUIDED if p.guide.materials}
    assert asking == set(KEYS) - {"patents"}
    assert {key for key, _m in _forms()} == asking


@pytest.mark.parametrize("key,material", _forms(), ids=lambda x: x if isinstance(x, str) else x.key)
def test_a_template_is_generated_from_the_materials_items(make_client, key, material):
    client = make_client()
    guide = client.get(f"/services/{key}/guide?lang=en").text
    link = f"/services/{key}/guide/materials/{material.key}"
    assert f'href="{link}?format=xlsx"' in guide and f'href="{link}"' in guide
    xlsx = client.get(f"{link}?format=xlsx&lang=en")
    assert xlsx.status_code == 200 and xlsx.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(xlsx.content))
    form = book.worksheets[0]
    assert [r[0] for r in form.iter_rows(min_row=2, values_only=True)] == [f.render("en") for f in material.fields]
    about = {r[0]: r[1] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert about["Material"] == material.name.render("en")
    printable = client.get(f"{link}?lang=en")
    assert printable.status_code == 200
    rows = re.findall(r'<th scope="row">(.*?)</th>', printable.text)
    assert len(rows) == len(material.fields)


def test_a_material_without_items_or_an_unknown_one_has_no_template_and_a_bad_format_is_refused(make_client):
    client = make_client()
    assert client.get("/services/pledge/guide/materials/contract?lang=en").status_code == 404
    assert client.get("/services/pledge/guide/materials/nothing?format=xlsx&lang=en").status_code == 404
    bad = client.get("/services/pledge/guide/materials/application-form?format=docx&lang=en",
                     headers={"accept": "text/html"})
    assert bad.status_code == 400
    assert "not as docx" in bad.text


# --- where the guides are linked from -----------------------------------------------------------------------------

def _sign_in(client, name: str) -> None:
    db = client.app.state.services.db
    people = make_people(db)
    with db.session() as s:
        cookie = accounts.open_session(s, client.app.state.services.settings, s.get(User, people[name].user_id))
        s.commit()
        assert s.get(WebSession, token_digest(cookie)) is not None
    client.cookies.set(SESSION_COOKIE, cookie)


def test_the_catalogue_and_the_filing_forms_link_to_the_guides(make_client):
    client = make_client()
    _sign_in(client, "company")
    catalogue = client.get("/services?lang=en").text
    for key in KEYS:
        assert f'href="/services/{key}/guide"' in catalogue, key
    for form in ("/pledge/new", "/openlicense/declarations/new", "/dataip/new"):
        page = client.get(f"{form}?lang=en")
        assert page.status_code == 200, form
        assert re.search(r'href="/services/[a-z]+/guide"', page.text), form
