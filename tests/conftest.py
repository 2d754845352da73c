"""Shared pytest configuration.

pytest-django reads DJANGO_SETTINGS_MODULE from pyproject.toml; test folders:
  tests/unit   plain-Python unit tests
  tests/rules  rules-engine tests (policy data, worked examples, properties)
  tests/api    the calculation contract through the API and the CLI
  tests/web    Django test-client tests of the web UI
  tests/e2e    Playwright browser tests (marked ``e2e``)
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# synchronous ORM calls made from it (e.g. live_server setup).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# CI runs the property tests on a fixed sequence of examples, so a run is repeatable;
# locally Hypothesis explores new examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _database_failures_forgotten() -> Iterator[None]:
    """A test that makes the database fail must not leave the next one skipping it
    (calculator.ops.dbguard remembers a failure for a while, per process)."""
    yield
    from calculator.ops import dbguard

    dbguard.reset()


# --- One Playwright and one browser for the whole run (tests/e2e, tests/ops) -------------------
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def playwright() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: object) -> Iterator[object]:
    """Debian's /usr/bin/chromium when present, otherwise Playwright's own Chromium."""
    launch_kwargs: dict[str, object] = {"headless": True, "args": CHROMIUM_ARGS}
    if SYSTEM_CHROMIUM.exists():
        launch_kwargs["executable_path"] = str(SYSTEM_CHROMIUM)
    browser = playwright.chromium.launch(**launch_kwargs)  # type: ignore[attr-defined]
    yield browser
    browser.close()
