"""The strict CSP holds in a real browser: no inline script or style is refused on any page.

Chromium (Debian's, as the e2e suite uses) loads the pages from the production server
(gunicorn + WhiteNoise, the CSP of the production settings) and reports every violation on
its console.
"""

from __future__ import annotations

import pytest

from tests.ops.samples import page_query

pytestmark = pytest.mark.e2e
pytest.importorskip("playwright.sync_api")


def test_no_page_breaks_the_content_security_policy(production_server, browser):
    violations: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        base = f"http://127.0.0.1:{production_server.port}"
        for path in ("/", "/?" + page_query(3), "/policies/", "/about/", "/no-such-page/"):
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            # htmx and the page script ran (they are what would need inline code).
            assert page.evaluate("typeof window.htmx") == "object", path
            assert page.evaluate("document.documentElement.classList.contains('js')"), path
    finally:
        context.close()
    assert violations == []
