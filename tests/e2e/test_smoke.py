"""Browser smoke test: the home page renders in Chromium, in Chinese, accessibly."""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page


def test_home_page_loads(live_server, page: Page, screenshot_dir: Path) -> None:
    response = page.goto(live_server.url + "/")
    assert response is not None and response.ok
    assert "门诊共济报销计算器" in page.title()
    assert page.locator("h1").inner_text() == "门诊共济报销计算器"
    page.screenshot(path=str(screenshot_dir / "smoke.png"), full_page=True)


def test_home_page_has_no_axe_violations(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
