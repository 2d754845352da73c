"""Browser: calculate, save, open the link in a new browser context and see the same figures;
the print view with its QR code; import a CSV through the file field. Screenshots."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = [pytest.mark.db]

QUERY = (
    "region=wuhan&status=employed&age=45"
    "&visits-0-date=2024-03-01&visits-0-level=3&visits-0-setting=clinic&visits-0-total=1000&visits-0-class_b=200"
    "&visits-1-date=2024-04-01&visits-1-level=1&visits-1-setting=pharmacy&visits-1-total=300"
)


def _figures(page: Page) -> list[tuple[str, str]]:
    cells = page.locator("#results [data-figure]")
    return [(cells.nth(i).get_attribute("data-figure") or "", cells.nth(i).inner_text().strip()) for i in range(cells.count())]


def _no_csp_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_calculate_save_and_open_the_link_elsewhere(live_server, transactional_db, page: Page, browser: Browser, screenshot_dir: Path) -> None:
    errors = _no_csp_errors(page)
    page.goto(live_server.url + "/?" + QUERY)
    before = _figures(page)
    assert ("fund_paid", "794.00 元") in before or any(v.startswith("794") for _, v in before), before
    page.get_by_role("button", name="保存并生成链接").click()
    page.wait_for_url(re.compile(r"/e/[A-Za-z0-9_-]{32}/\?saved=1$"))
    link = page.get_by_role("textbox", name="查询链接")
    url = link.input_value()
    assert re.fullmatch(re.escape(live_server.url) + r"/e/[A-Za-z0-9_-]{32}/", url)
    assert link.get_attribute("readonly") is not None
    assert page.get_by_role("button", name="复制链接").is_visible()
    # Copying says so and leaves the focus on the button (not in the long link it selected).
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="复制链接").click()
    expect(page.get_by_text("链接已复制。")).to_be_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "复制链接"
    assert "到 " in page.locator("#enquiry-expiry").inner_text() and "180 天" in page.locator("#enquiry-expiry").inner_text()
    page.screenshot(path=str(screenshot_dir / "enquiry-saved-1280.png"), full_page=True)

    other = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844})
    try:
        fresh = other.new_page()
        fresh.goto(url)
        assert fresh.get_by_role("heading", name="保存的估算").is_visible()
        assert _figures(fresh) == before
        assert "保存以后" not in fresh.content()
        fresh.screenshot(path=str(screenshot_dir / "enquiry-reopened-390.png"), full_page=True)
        from axe_playwright_python.sync_playwright import Axe

        report = Axe().run(fresh)
        assert report.violations_count == 0, report.generate_report()
    finally:
        other.close()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def test_print_view_with_its_qr_code(live_server, transactional_db, page: Page, screenshot_dir: Path) -> None:
    errors = _no_csp_errors(page)
    page.goto(live_server.url + "/?" + QUERY)
    page.get_by_role("button", name="保存并生成链接").click()
    page.wait_for_url(re.compile(r"/e/[A-Za-z0-9_-]{32}/\?saved=1$"))
    page.get_by_role("link", name="打印（A4，含二维码）").click()
    page.wait_for_url(re.compile(r"/print/$"))
    qr = page.locator("#print-qr")
    assert qr.is_visible()
    assert page.evaluate("document.getElementById('print-qr').naturalWidth") > 0  # the SVG loaded
    assert "统筹基金支付 794.00 元" in page.locator("#print-answer").inner_text()
    page.screenshot(path=str(screenshot_dir / "enquiry-print.png"), full_page=True)
    from axe_playwright_python.sync_playwright import Axe

    report = Axe().run(page)
    assert report.violations_count == 0, report.generate_report()
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 1
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the print view must fit one A4 page"
    # On paper the total comes once, after the last visit (a footer group would be repeated at
    # the foot of every page of a longer ledger), and a visit's setting stays on one line.
    page.emulate_media(media="print")
    assert page.evaluate("getComputedStyle(document.querySelector('.ledger-print tfoot')).display") == "table-row-group"
    assert page.evaluate("getComputedStyle(document.querySelector('.ledger-print tbody td:nth-child(3)')).whiteSpace") == "nowrap"
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def _import_file(page: Page, path: Path) -> None:
    """Send ``path`` with the page's import form and wait for the answer."""
    page.get_by_label("导入就诊记录（CSV 或 Excel）").set_input_files(str(path))
    page.get_by_role("button", name="导入", exact=True).click()
    page.wait_for_url(re.compile(r"/e/import/$"))


def test_import_a_csv_by_the_file_field(live_server, page: Page, tmp_path: Path, screenshot_dir: Path) -> None:
    path = tmp_path / "visits.csv"
    path.write_text("就诊日期,医疗机构级别,就诊类型,医疗费总额,全自费金额,乙类金额\n2024/3/1,三级,门诊,1000,,200\n2024-04-01,一级,药店,300,,\n", encoding="utf-8-sig")
    page.goto(live_server.url + "/")
    page.get_by_label("参保地区").select_option("wuhan")
    page.get_by_label("年龄").fill("45")
    _import_file(page, path)
    assert "已从文件导入 2 次就诊" in page.locator("#import-feedback").inner_text()
    # The message far below the top is where the browser shows the answer: it has the focus.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'import-feedback'")
    assert page.evaluate("(() => { const r = document.getElementById('import-feedback').getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; })()")
    assert page.title().startswith("已导入")
    assert page.locator("#id_visits-0-date").input_value() == "2024-03-01"
    assert page.locator("#id_visits-1-total").input_value() == "300.00"
    assert page.locator("#id_age").input_value() == "45"  # carried by the script from the live form
    page.screenshot(path=str(screenshot_dir / "enquiry-import-1280.png"), full_page=True)
    page.get_by_role("button", name="计算", exact=True).click()
    page.wait_for_selector("#results")
    assert any(v.startswith("794") for _, v in _figures(page))


def test_a_refused_import_keeps_the_rows_typed(live_server, page: Page, tmp_path: Path) -> None:
    # A row typed, then a file with a bad amount: nothing is imported, and the row comes back
    # as typed (the script sends the live rows with the file), with the person's fields.
    path = tmp_path / "bad.csv"
    path.write_text("就诊日期,医疗费总额\n2025-03-01,abc\n", encoding="utf-8")
    page.goto(live_server.url + "/")
    page.get_by_label("参保地区").select_option("xuzhou")
    page.get_by_label("年龄").fill("66")
    page.locator("#id_visits-0-date").fill("2024-01-02")
    page.locator("#id_visits-0-level").select_option("2")
    page.locator("#id_visits-0-total").fill("77")
    _import_file(page, path)
    assert "文件没有导入" in page.locator("#import-feedback").inner_text()
    assert page.locator("#id_visits-0-date").input_value() == "2024-01-02"
    assert page.locator("#id_visits-0-level").input_value() == "2"
    assert page.locator("#id_visits-0-total").input_value() == "77"
    assert page.locator("#id_age").input_value() == "66"


from tests.enquiries.conftest import new_wuhan_version  # noqa: E402,F401 - the fixture


def test_changed_rules_are_shown_side_by_side(live_server, transactional_db, page: Page, new_wuhan_version, screenshot_dir: Path) -> None:  # noqa: F811
    page.goto(live_server.url + "/?" + QUERY)
    page.get_by_role("button", name="保存并生成链接").click()
    page.wait_for_url(re.compile(r"/e/[A-Za-z0-9_-]{32}/\?saved=1$"))
    new_wuhan_version()
    page.reload()
    notice = page.locator("#enquiry-changed")
    assert notice.is_visible()
    assert "武汉市测试用新规定（2024）" in notice.inner_text()
    row = page.locator('#compare-differences tr[data-figure="visits[0].fund_paid"]')
    assert "539.00" in row.inner_text() and "637.00" in row.inner_text()
    page.screenshot(path=str(screenshot_dir / "enquiry-changed-1280.png"), full_page=False)


def test_the_saved_page_in_english(live_server, transactional_db, browser: Browser, screenshot_dir: Path) -> None:
    """The saved page with the English switch (the language cookie), on a phone and a desktop."""
    ctx = browser.new_context(locale="en-GB", timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 800})
    try:
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        ctx.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page.goto(live_server.url + "/?" + QUERY)
        page.get_by_role("button", name="Save and get a link").click()
        page.wait_for_url(re.compile(r"/e/[A-Za-z0-9_-]{32}/\?saved=1$"))
        assert page.get_by_role("heading", name="Saved estimate").is_visible()
        assert page.get_by_role("textbox", name="Enquiry link").get_attribute("readonly") is not None
        assert page.get_by_role("button", name="Copy link").is_visible()
        assert "This link is kept for 180 days" in page.locator("#enquiry-expiry").inner_text()
        page.screenshot(path=str(screenshot_dir / "enquiry-saved-en-1280.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        page.screenshot(path=str(screenshot_dir / "enquiry-saved-en-390.png"), full_page=True)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"the page scrolls sideways at 390 px ({wide} px)"
        page.get_by_role("link", name="Print (A4, with QR code)").click()
        page.wait_for_url(re.compile(r"/print/$"))
        page.screenshot(path=str(screenshot_dir / "enquiry-print-en.png"), full_page=True)
        assert "paid by the pooling fund ¥794.00" in page.locator("#print-answer").inner_text()
        pdf = page.pdf(format="A4", print_background=False)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the English print view must fit one A4 page too"
    finally:
        ctx.close()


def test_a_ten_visit_enquiry_prints_on_one_a4_page_in_english(live_server, transactional_db, browser: Browser) -> None:
    # 玉溪 retiree, ten visits on both sides of 2024-11-01 (two rules, four bases, eight caveats):
    # the 依据 column, a few characters wide, made each row many lines tall (two pages in
    # Chinese, four in English). The rows now name each basis by its number, listed once below.
    import json

    dates = ["2024-09-01", "2024-10-20", "2024-11-05", "2025-02-01", "2025-06-01", "2024-09-02", "2024-10-21", "2024-11-06", "2025-02-02", "2025-06-02"]
    body = {
        "region": "yuxi", "status": "retired", "age": 66, "retired_on": "2015-06-30", "account_balance": "300.00", "chronic_disease_count": 1,
        "visits": [
            {"date": d, "level": 1 + i % 3, "total": f"{800 + i}.00", "excluded": "50.50", "class_b": "80.25", **({"category": "chronic"} if i % 2 else {})}
            for i, d in enumerate(dates)
        ],
    }
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        saved = page.request.post(live_server.url + "/api/v1/enquiries", data=json.dumps(body), headers={"Content-Type": "application/json"})
        assert saved.status == 201, saved.text()
        token = saved.json()["token"]
        for language in ("zh-hans", "en"):
            ctx.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            page.goto(f"{live_server.url}/e/{token}/print/")
            bases = page.locator(".bases-print li")
            assert bases.count() >= 2 and bases.first.inner_text().startswith("[1] ")
            assert page.locator("#print-ledger tbody td:last-child").first.inner_text() == "[1]"
            pdf = page.pdf(format="A4", print_background=False)
            assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, language
    finally:
        ctx.close()
