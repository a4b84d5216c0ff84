"""A served app and Debian's Chromium for the page tests (Playwright)."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import uvicorn

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def base_url(trained_dir, tmp_path_factory):
    from kbio_match.service.app import create_app
    from kbio_match.service.settings import Settings

    from tests.live import free_port

    home = tmp_path_factory.mktemp("web")
    models = home / "models"
    shutil.copytree(trained_dir, models)
    app = create_app(Settings(database_url=f"sqlite:///{home / 'db.sqlite3'}", model_dir=models))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "the browser tests need Debian's chromium: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url, request):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 1600})
    page = context.new_page()
    requests_outside = []
    page.on("request", lambda r: None if r.url.startswith(base_url) else requests_outside.append(r.url))
    page.goto(base_url + getattr(request, "param", "/"))
    page.wait_for_selector("body[data-ready=true]")
    yield page
    assert not requests_outside, f"the page fetched outside the service: {requests_outside}"
    context.close()
