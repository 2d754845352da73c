"""The results page in a browser (issue 7): answer first at 360px and 1280px in both
languages, the member's total in the first screen, the whole result within six phone
screens with the disclosures closed, no amount broken across lines, axe with no violations,
and screenshots of the new page (test-output/screenshots/results-answer-*.png)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

# 武汉, a 68-year-old retiree, three visits (the example of a new user).
QUERY = {
    "region": "wuhan", "status": "retired", "age": "68", "retired_on": "2015-06-30",
    "visits-0-date": "2024-03-05", "visits-0-level": "3", "visits-0-setting": "clinic", "visits-0-total": "1000",
    "visits-0-class_b": "200",
    "visits-1-date": "2024-04-01", "visits-1-setting": "pharmacy", "visits-1-total": "300",
    "visits-2-date": "2024-02-01", "visits-2-level": "2", "visits-2-setting": "clinic", "visits-2-total": "5000",
}
# Amounts whose lines a narrow screen might break: the answer sentence, the cards, the rows.
BROKEN_AMOUNTS = """() => [...document.querySelectorAll('#results .money')]
  .filter(e => e.getClientRects().length > 0)
  .filter(e => {
    const lineHeight = parseFloat(getComputedStyle(e).lineHeight) || parseFloat(getComputedStyle(e).fontSize) * 1.6;
    return e.getClientRects().length > 1 || e.getBoundingClientRect().height > lineHeight * 1.5;
  })
  .map(e => e.textContent)"""


def open_results(browser: Browser, live_server, width: int, height: int, language: str):
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    ctx.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/?" + urlencode(QUERY))
    expect(page.locator("#answer")).to_be_visible()
    return ctx, page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_answer_first(live_server, browser: Browser, screenshot_dir: Path, width: int, language: str) -> None:
    height = 780 if width == 360 else 800
    ctx, page = open_results(browser, live_server, width, height, language)
    try:
        geometry = page.evaluate(
            """() => {
              const top = el => el.getBoundingClientRect().top + scrollY;
              const bottom = el => el.getBoundingClientRect().bottom + scrollY;
              const r = document.querySelector('#results');
              return {
                heading: bottom(document.querySelector('#results-title')),
                answer: top(document.querySelector('#answer')),
                member: bottom(document.querySelector('#summary [data-figure=member_paid]')),
                notices: top(document.querySelector('#notices')),
                visits: top(document.querySelector('.visit-list')),
                height: r.getBoundingClientRect().height,
              };
            }"""
        )
        # Right under the heading, the answer; then the cards; then the notices and the rows.
        assert geometry["answer"] - geometry["heading"] < 40
        assert geometry["answer"] < geometry["member"] < geometry["notices"] < geometry["visits"]
        # The member's total is within the first screen below the results heading.
        assert geometry["member"] - geometry["heading"] <= height, geometry
        if width == 360:
            # With the disclosures closed, the whole result is at most six screens.
            assert geometry["height"] <= 6 * height, f"{geometry['height'] / height:.1f} screens"
        # Every notice is listed once, closed in one 请注意 block.
        expect(page.locator("details.notices")).to_have_count(1)
        expect(page.locator("details.notices")).not_to_have_attribute("open", "")
        # No amount breaks across lines, with the disclosures closed and open.
        assert page.evaluate(BROKEN_AMOUNTS) == []
        page.locator("#results details").evaluate_all("ds => ds.forEach(d => d.open = true)")
        assert page.evaluate(BROKEN_AMOUNTS) == []
        page.locator("#results details").evaluate_all("ds => ds.forEach(d => d.open = false)")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        page.locator("#results").scroll_into_view_if_needed()
        page.evaluate("document.querySelector('#results').scrollIntoView()")
        name = "zh" if language == "zh-hans" else "en"
        page.locator("#results").screenshot(path=str(screenshot_dir / f"results-answer-{name}-{width}.png"))
    finally:
        ctx.close()


@pytest.mark.parametrize("width", [320, 390])
def test_no_amount_breaks_on_narrow_phones(live_server, browser: Browser, width: int) -> None:
    for language in ("zh-hans", "en"):
        ctx, page = open_results(browser, live_server, width, 780, language)
        try:
            page.locator("#results details").evaluate_all("ds => ds.forEach(d => d.open = true)")
            assert page.evaluate(BROKEN_AMOUNTS) == [], f"{language} at {width}px"
        finally:
            ctx.close()


def test_a_step_link_opens_its_clause(live_server, browser: Browser) -> None:
    ctx, page = open_results(browser, live_server, 360, 780, "zh-hans")
    try:
        page.locator("#visit-1 details.how > summary").click()
        link = page.locator("#visit-1 li.step-fund a[href^='#clause-']")
        target = link.get_attribute("href")
        link.click()
        expect(page.locator(f"{target} blockquote")).to_be_visible()
        expect(page.locator(f"{target} blockquote")).to_be_in_viewport()
        # A visit's notice link opens the 请注意 block at that notice.
        page.locator("#visit-1 .visit-notices a").first.click()
        expect(page.locator("details.notices")).to_have_attribute("open", "")
    finally:
        ctx.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("width", [360, 1280])
def test_axe_on_the_results(live_server, browser: Browser, width: int, language: str) -> None:
    ctx, page = open_results(browser, live_server, width, 800, language)
    try:
        axe = Axe()
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()
        page.locator("#results details").evaluate_all("ds => ds.forEach(d => d.open = true)")
        results = axe.run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        ctx.close()


@pytest.mark.parametrize("width", [360, 390, 414])
def test_six_digit_amounts_stay_inside_their_boxes_on_a_phone(live_server, browser: Browser, width: int) -> None:
    # 123,456.78 and 12,000.00 (武汉 retiree): a figure in a fixed third of the card, or a summary
    # card half the screen wide, ran into its neighbour or past its border (an amount does not
    # wrap). Every figure must fit its box, and no two figures of a visit may overlap.
    query = {
        "region": "wuhan", "status": "retired", "age": "68", "retired_on": "2015-06-30",
        "visits-0-date": "2024-03-05", "visits-0-level": "3", "visits-0-total": "123456.78",
        "visits-1-date": "2024-04-01", "visits-1-level": "2", "visits-1-total": "12000",
    }
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(live_server.url + "/?" + urlencode(query))
        expect(page.locator("#answer")).to_be_visible()
        spilling = page.evaluate(
            """() => [...document.querySelectorAll('.visit-figures dd, .summary-item > dd')]
              .filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > e.closest('.visit-card, .summary-item').getBoundingClientRect().right)
              .map(e => e.textContent.trim())"""
        )
        assert spilling == []
        overlapping = page.evaluate(
            """() => [...document.querySelectorAll('.visit-figures')].flatMap(dl => {
              const boxes = [...dl.querySelectorAll('dd')].map(e => e.getBoundingClientRect());
              return boxes.flatMap((a, i) => boxes.slice(i + 1).filter(b => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom).map(() => dl.textContent.trim()));
            })"""
        )
        assert overlapping == []
    finally:
        ctx.close()
