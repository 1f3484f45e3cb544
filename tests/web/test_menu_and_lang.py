"""The menu by what people do (issue 15, item 11), the public home page's entries (item 10) and the language
switch that keeps the page and its query (item 14a) without becoming an open redirect."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest

from ipcity.bootstrap import builtin_plugins
from ipcity.core.i18n import Msg
from ipcity.core.plugins import MENU_GROUPS, PUBLIC, MenuEntry, Registry, current_entry, grouped
from ipcity.core.roles import ALL_ROLES
from tests.support.people import login


def _registry() -> Registry:
    registry = Registry()
    for plugin in builtin_plugins():
        registry.register(plugin)
    return registry


# --- declarations (no database) ---------------------------------------------------------------------------

def test_every_menu_entry_names_a_known_group():
    entries = [m for p in _registry().plugins for m in p.menu]
    assert entries and all(m.group in MENU_GROUPS for m in entries)
    with pytest.raises(ValueError, match="unknown group"):
        MenuEntry(Msg("Somewhere"), "/somewhere", ALL_ROLES, group="elsewhere")


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_signed_in_menu_is_grouped_in_the_fixed_order(role):
    menu = _registry().menu_for(role)
    groups = grouped(menu)
    keys = [g.key for g in groups]
    assert keys == [k for k in MENU_GROUPS if k in keys]            # 办事, 查询公示, 工作台, 管理: in that order
    assert sum(len(g.entries) for g in groups) == len(menu)          # nothing lost, nothing twice
    assert all(g.entries for g in groups)                            # no empty group
    assert len(groups) >= 2 and all(len(g.entries) <= 9 for g in groups)


def test_an_office_only_page_is_in_the_menu_of_that_office_only(client, people):
    """The IP office's statistics and identity queue are refused to a district's officials: their menu does
    not offer them (a menu that leads to a refusal is a broken promise)."""
    registry = _registry()
    office_only = {"/openlicense/stats", "/identity/requests"}
    assert office_only <= {m.path for m in registry.menu_for("reviewer", "ip_office")}
    assert not office_only & {m.path for m in registry.menu_for("reviewer", "district_gov")}
    assert office_only <= {m.path for m in registry.menu_for("admin", None)}
    login(client, "pudong")
    page = client.get("/services").text
    assert 'href="/openlicense/stats"' not in page
    assert client.get("/openlicense/stats").status_code == 403       # the page's own rule, unchanged
    client.cookies.clear()
    login(client, "reviewer")
    assert 'href="/openlicense/stats"' in client.get("/services").text


def test_the_public_pages_are_in_the_anonymous_menu_with_a_line_each():
    registry = _registry()
    public = registry.menu_for(None)
    paths = {m.path for m in public}
    assert {"/patents", "/pledge/gazette", "/dataip/registry", "/dataip/registry?state=in_publicity",
            "/dataip/log", "/dataip/verify", "/openlicense"} <= paths
    assert all(m.group == PUBLIC and m.summary for m in public)
    home = [m.path for _service, entries in registry.public_pages() for m in entries]
    assert sorted(home) == sorted(paths)                             # the home page lists each once
    # Every signed-in person sees the public pages too, under 查询公示.
    for role in ALL_ROLES:
        assert paths <= {m.path for m in registry.menu_for(role) if m.group == PUBLIC}


def test_current_entry_prefers_the_exact_address_then_the_longest_prefix():
    menu = _registry().menu_for("reviewer")
    assert current_entry(menu, "/dataip/registry", "state=in_publicity").path == "/dataip/registry?state=in_publicity"
    assert current_entry(menu, "/dataip/registry", "state=registered").path == "/dataip/registry"
    assert current_entry(menu, "/patents/data/runs/3").path == "/patents/data"
    assert current_entry(menu, "/patents/CN123456789A").path == "/patents"
    assert current_entry(menu, "/pledgeX") is None
    assert current_entry(menu, "/") is None


# --- pages ----------------------------------------------------------------------------------------------

def _menu_groups(html: str) -> list[str]:
    return re.findall(r'<details class="menu-group[^"]*" data-group="(\w+)">', html)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_public_home_lists_every_public_page(client):
    resp = client.get("/", params={"lang": "en"})
    assert resp.status_code == 200
    html = resp.text
    for path in ("/patents", "/pledge/gazette", "/dataip/registry", "/dataip/registry?state=in_publicity",
                 "/dataip/log", "/dataip/verify", "/openlicense"):
        assert f'<li data-path="{path}"><a href="{path}">' in html
        assert f'<a href="{path}"' in html.split('<main', 1)[0]     # in the menu too
    assert "Data products in their publicity period" in html         # each entry says what it is
    assert 'data-service="dataip"' in html and 'data-service="pledge"' in html
    # Every public page answers a visitor (none sends them to sign in).
    for path in ("/patents", "/pledge/gazette", "/dataip/registry", "/dataip/registry?state=in_publicity",
                 "/dataip/log", "/dataip/verify", "/openlicense"):
        assert client.get(path, follow_redirects=False).status_code == 200, path


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_signed_in_menu_renders_grouped_dropdowns(client, people):
    login(client, "reviewer")
    html = client.get("/services", params={"lang": "en"}).text
    assert _menu_groups(html) == ["apply", "public", "work", "admin"]   # the patent data are managed under 管理
    assert '<nav class="menu" id="site-menu" aria-label="Main menu">' in html
    assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html
    client.cookies.clear()
    login(client, "company")
    assert _menu_groups(client.get("/services").text) == ["apply", "public", "work"]
    client.cookies.clear()
    login(client, "admin")
    html = client.get("/admin/users").text
    assert _menu_groups(html)[-1] == "admin"
    assert '<a href="/admin/users" aria-current="page">' in html     # where one is, marked
    assert 'class="menu-group current" data-group="admin"' in html


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_verification_by_certificate_number(client):
    page = client.get("/dataip/verify")
    assert page.status_code == 200 and 'name="number"' in page.text and 'for="certificate-number"' in page.text
    missing = client.get("/dataip/verify", params={"number": "209901310000999", "lang": "en"})
    assert missing.status_code == 404
    assert "No registration has the certificate number 209901310000999" in missing.text
    assert 'value="209901310000999"' in missing.text                 # the number stays in the form


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_language_switch_keeps_the_page_and_its_query(client):
    here = quote("/patents?" + urlencode({"q": "电池", "mode": "semantic"}), safe="/")
    page = client.get("/patents", params={"q": "电池", "mode": "semantic"})
    link = re.search(r'href="(/lang/en\?next=[^"]+)" id="lang-switch"', page.text).group(1)
    assert link == "/lang/en?next=" + here
    # A ?lang= in the address would undo the switch: it is left out of the way back.
    page = client.get("/patents", params={"q": "电池", "lang": "zh_Hans"})
    assert 'href="/lang/en?next=' + quote("/patents?" + urlencode({"q": "电池"}), safe="/") + '"' in page.text
    back = client.get(link.replace("&amp;", "&"), follow_redirects=False)
    assert back.status_code == 303
    assert back.headers["location"] == "/patents?q=%E7%94%B5%E6%B1%A0&mode=semantic"
    assert back.cookies.get("ipcity_lang") == "en"
    english = client.get(back.headers["location"])
    assert f'href="/lang/zh_Hans?next={here}"' in english.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
                                    "/%5Cevil.example", "javascript:alert(1)", "/\tevil", "evil.example",
                                    "/" + "a" * 2100])
def test_language_switch_never_leaves_the_site(client, target):
    resp = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert resp.status_code == 303
    location = resp.headers["location"]
    assert location == "/" or (target == "/%5Cevil.example" and location == "/%5Cevil.example")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unknown_language_is_refused(client):
    assert client.get("/lang/xx", params={"next": "/patents"}, follow_redirects=False).status_code == 404


def test_the_catalogue_links_only_the_services_one_may_use(client, people):
    login(client, "company")
    page = client.get("/services").text
    assert 'href="/pledge"' in page and 'href="/workplan"' not in page and 'href="/navigation"' not in page
    assert 'href="/services/workplan/guide"' in page          # what it is stays readable
    client.cookies.clear()
    login(client, "reviewer")
    assert 'href="/workplan"' in client.get("/services").text
