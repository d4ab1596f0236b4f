"""End-to-end fixtures: the app started with `make run`, driven by Debian's Chromium."""

from __future__ import annotations

import pytest

from tests.e2e.harness import chromium, serve_app


@pytest.fixture(scope="session")
def app_url(built):
    """The app on the project's build (`make run` builds it if missing).

    The configured store holds the same organisations, rebuilt by the `built` fixture.
    """
    with serve_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(autouse=True)
def _close_new_pages(request):
    """The browser contexts a test opened are closed after it (its report has read them).

    Left open, every page kept its app session and kept drawing: a run left a hundred
    Chromium renderers behind, busy on the suite's two cores.
    """
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before:
            context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """When an e2e test fails, what its open pages showed goes into the report.

    CI keeps only the log: the URL, Streamlit's status and the end of each open page's text
    say whether a message came, came in another language, or the app was still running.
    """
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    browser = item.funcargs.get("browser")
    if browser is None:
        return
    lines = []
    for context in browser.contexts:
        for page in context.pages:
            try:
                running = page.locator("[data-testid='stStatusWidget']").count()
                main = page.locator("[data-testid='stMain']")
                text = (main if main.count() else page.locator("body")).inner_text(timeout=5000)
            except Exception as exc:  # the page itself may be what failed
                lines.append(f"{page.url}: unreadable ({exc.__class__.__name__})")
                continue
            lines.append(f"{page.url} (status widget shown: {bool(running)}):\n"
                         f"{text[-3000:]}")
    if lines:
        report.sections.append(("open pages at failure", "\n\n".join(lines)))
