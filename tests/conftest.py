"""Shared fixtures: every database test runs twice, on SQLite and on a real PostgreSQL server.

The PostgreSQL server is started by the tests themselves from the installed binaries in a temporary
directory (tests/support/postgres.py). Each test gets a fresh database cloned from a template that was
migrated and seeded once, so tests are independent and fast.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ipcity.bootstrap import default_registry
from ipcity.core import clock
from ipcity.core.config import load_settings
from ipcity.core.db import Database
from ipcity.core.setup import initialise
from tests.support.postgres import TempPostgres, find_pg_bin

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(name: str) -> Path:
    """A data set from ../shared/data, or a clean skip where the checkout has none beside it."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"shared data set {name} is not beside this checkout")
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.sqlite3"
    db = Database(f"sqlite:///{path}")
    initialise(db, default_registry())
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_server():
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL binaries not found: run scripts/install-system-deps.sh")
    server = TempPostgres(bin_dir)
    url = server.start()
    server.create_database("ipcity_template")
    db = Database(url.rsplit("/", 1)[0] + "/ipcity_template")
    initialise(db, default_registry())
    db.dispose()
    yield server
    server.stop()


_counter = iter(range(1, 10**9))


@pytest.fixture(autouse=True)
def _today_as_before():
    """Services built with a pinned today (Settings.today, IPCITY_TODAY) pin it for the process: not past the test."""
    before = clock.pinned_today
    yield
    clock.pin(before)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "ipcity.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database(f"t{next(_counter)}", template="ipcity_template")


@pytest.fixture
def settings(database_url, tmp_path):
    return load_settings(data_dir=tmp_path / "data", database_url=database_url, run_worker=False)


@pytest.fixture
def services(settings):
    from ipcity.web.app import build_services

    svc = build_services(settings)
    yield svc
    svc.db.dispose()


@pytest.fixture
def db(services):
    return services.db


@pytest.fixture
def session(db):
    with db.session() as s:
        yield s


@pytest.fixture
def app(settings):
    from ipcity.web.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c
    app.state.services.db.dispose()


@pytest.fixture
def people(services):
    """A small cast: the lead unit's officials, a district handler, a department handler, a company, admin."""
    from tests.support.people import make_people

    return make_people(services.db)
