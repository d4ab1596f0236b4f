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
