"""A live ipcity server (uvicorn in a thread, SQLite, demo data, job worker on) and a headless chromium.

The server runs once per test session with the real date (no pinned today) and the demo accounts,
all with the password ``DEMO_PASSWORD``. Chromium is Debian's, driven through Playwright's sync API
(tests/support/browser.py); nothing is downloaded.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from ipcity.core import clock, jobs
from ipcity.core.config import load_settings
from ipcity.core.setup import initialise, load_demo
from ipcity.web.app import Services, create_app
from tests.support.browser import launch

DEMO_PASSWORD = "Demo-Browser-2026"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    services: Services
    password: str
    data_dir: Path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    pinned = clock.pinned_today  # the scenario needs the real date, whatever IPCITY_TODAY says
    clock.pin(None)
    data_dir = tmp_path_factory.mktemp("browser-data")
    settings = load_settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'ipcity.sqlite3'}",
                             run_worker=True, demo=True, today=None)
    app = create_app(settings)
    services: Services = app.state.services
    initialise(services.db, services.registry)
    load_demo(services.db, services.registry, services.files, password=DEMO_PASSWORD)
    # The demo patent corpus is loaded by a job: run it here, as `ipcity demo` does, so that the
    # search scenario finds it and no later job waits behind it.
    jobs.run_pending(services.db, services.registry, services)

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="ipcity-live-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the live server did not answer {url}/healthz within 30 s")
        time.sleep(0.1)
    try:
        yield LiveServer(url, services, DEMO_PASSWORD, data_dir)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        clock.pin(pinned)


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


def _new_context(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1360, "height": 900})
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh browser context (its own cookies): Chinese locale, 1360x900."""
    context = _new_context(browser)
    yield context.new_page()
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """``new_page()``: another page in its own context, for a second or third person in one test."""
    contexts = []

    def make():
        contexts.append(_new_context(browser))
        return contexts[-1].new_page()

    yield make
    for context in contexts:
        context.close()


def do_login(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the form; waits for the page that follows the submission."""
    if "/login" not in page.url:
        page.goto(f"{base_url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")


@contextmanager
def answering(page, accept: bool = True):
    """Answer the confirmation a step that cannot be undone asks (data-confirm, web/static/app.js) while the
    block runs: yes, or no with accept=False. Playwright would otherwise dismiss it, and the step not post."""

    def answer(dialog) -> None:
        dialog.accept() if accept else dialog.dismiss()

    page.on("dialog", answer)
    try:
        yield
    finally:
        page.remove_listener("dialog", answer)


def take_screenshot(page, name: str) -> Path | None:
    """Full-page PNG into docs/screenshots/, only when IPCITY_SCREENSHOTS=1 (a normal run writes nothing)."""
    if os.environ.get("IPCITY_SCREENSHOTS") != "1":
        return None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # let ECharts finish its entry animation
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def login():
    """``login(page, base_url, username, password)``: sign in through the form."""
    return do_login


@pytest.fixture(scope="session")
def screenshot():
    """``screenshot(page, name)``: docs/screenshots/<name> when IPCITY_SCREENSHOTS=1, else nothing."""
    return take_screenshot
