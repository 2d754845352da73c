"""The strict CSP holds in a real browser: no inline script or style is refused on any page.

Chromium (Debian's, as the e2e suite uses) loads the pages from the production server
(gunicorn + WhiteNoise, the CSP of the production settings) and reports every violation on
its console.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ops.samples import page_query

pytestmark = pytest.mark.e2e
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")


def test_no_page_breaks_the_content_security_policy(production_server):
    violations: list[str] = []
    with sync_api.sync_playwright() as pw:
        kwargs: dict[str, object] = {"headless": True, "args": ["--no-sandbox", "--disable-gpu"]}
        if SYSTEM_CHROMIUM.exists():
            kwargs["executable_path"] = str(SYSTEM_CHROMIUM)
        browser = pw.chromium.launch(**kwargs)
        try:
            page = browser.new_page()
            page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
            base = f"http://127.0.0.1:{production_server.port}"
            for path in ("/", "/?" + page_query(3), "/policies/", "/about/", "/no-such-page/"):
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                # htmx and the page script ran (they are what would need inline code).
                assert page.evaluate("typeof window.htmx") == "object", path
                assert page.evaluate("document.documentElement.classList.contains('js')"), path
        finally:
            browser.close()
    assert violations == []
