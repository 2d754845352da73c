"""Browser tests of the calculator: fill the form by its labels, add and remove rows, read the
figures, open a 依据, switch to English, see the error messages, all with and without
JavaScript; axe on every page in both languages; screenshots at 390px and 1280px.

Every expected figure is worked by hand from the policy figures in the comment above it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from calculator.rules.contract import parse_request


@dataclass
class Visit:
    date: str
    level: str | None  # 一级及以下 / 二级 / 三级
    setting: str = "门诊"
    total: str = ""
    excluded: str = ""
    class_b: str = ""
    more: dict[str, str] = field(default_factory=dict)


LEVEL_VALUES = {"一级及以下": "1", "二级": "2", "三级": "3"}
SETTING_VALUES = {"门诊": "clinic", "药店": "pharmacy", "互联网+": "internet", "非定点": "non_designated"}


def row(page: Page, n: int) -> Locator:
    """The fieldset of visit n (1-based), found by its legend."""
    return page.get_by_role("group", name=f"第 {n} 次就诊", exact=True)


def fill_visit(page: Page, n: int, visit: Visit) -> None:
    r = row(page, n)
    r.get_by_label("就诊日期", exact=True).fill(visit.date)
    if visit.level:
        r.get_by_label("医疗机构级别", exact=True).select_option(label=visit.level)
    r.get_by_label("就诊类型", exact=True).select_option(label=visit.setting)
    r.get_by_label("费用总额", exact=True).fill(visit.total)
    r.get_by_label("自费金额", exact=True).fill(visit.excluded)
    r.get_by_label("乙类金额", exact=True).fill(visit.class_b)


def fill_person(page: Page, region: str, status: str, age: str) -> None:
    page.get_by_label("参保地区", exact=True).select_option(region)
    page.get_by_role("group", name="参保身份").get_by_label(status, exact=True).check()
    page.get_by_label("年龄", exact=True).fill(age)


def add_visit(page: Page) -> None:
    count = page.locator("fieldset.visit-row").count()
    page.get_by_role("button", name="添加一次就诊", exact=True).click()
    expect(page.locator("fieldset.visit-row")).to_have_count(count + 1)


def calculate(page: Page) -> Locator:
    page.get_by_role("button", name="计算", exact=True).click()
    results = page.locator("#results")
    expect(results).to_be_visible()
    if page.locator("html.js").count() and page.locator("#results-title").count():
        # htmx settles the result a moment after it is on screen, moving the focus to its
        # heading (autofocus): typing before then races that move, which no person could do.
        expect(page.locator("#results-title")).to_be_focused()
    return results


def summary(page: Page) -> dict[str, str]:
    figures = {}
    for name in ("total", "fund_paid", "member_paid", "account_paid", "cash_paid"):
        figures[name] = page.locator(f"#summary [data-figure='{name}']").inner_text().strip()
    return figures


def ledger_fund(page: Page) -> list[str]:
    """The fund payment of each visit row, in the rows' (date) order."""
    return [t.strip() for t in page.locator(".visit-list .visit-figures [data-figure='fund_paid']").all_inner_texts()]


def ledger_order(page: Page) -> list[str]:
    return page.locator(".visit-list > li.visit-card").evaluate_all("rows => rows.map(r => r.dataset.visit)")


def open_how(page: Page, n: int) -> None:
    """Open visit n's 怎么算的 (its steps)."""
    page.locator(f"#visit-{n} details.how > summary").click()
    expect(page.locator(f"#visit-{n} ol.steps")).to_be_visible()


# --- 徐州: add and remove rows, the figures, a 依据, a bookmarkable URL -------------


def test_xuzhou_add_remove_rows_and_figures(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    fill_person(page, "xuzhou", "在职", "45")
    page.get_by_text("选填：灵活就业、缴费基数和个人账户余额").click()
    page.get_by_label("个人账户余额", exact=True).fill("200")

    fill_visit(page, 1, Visit("2024-03-01", "三级", total="1200"))
    add_visit(page)
    expect(row(page, 2).get_by_label("就诊日期", exact=True)).to_be_focused()
    fill_visit(page, 2, Visit("2024-04-01", "二级", total="999"))
    add_visit(page)
    fill_visit(page, 3, Visit("2024-05-01", "一级及以下", total="800", excluded="100"))

    # Remove row 2: row 3 moves up with what was typed in it.
    row(page, 2).get_by_role("button", name="删除第 2 次就诊").click()
    expect(page.locator("fieldset.visit-row")).to_have_count(2)
    expect(row(page, 2).get_by_label("费用总额", exact=True)).to_have_value("800")
    expect(row(page, 2).get_by_label("自费金额", exact=True)).to_have_value("100")
    expect(row(page, 1).get_by_label("费用总额", exact=True)).to_have_value("1200")
    expect(page.get_by_label("年龄", exact=True)).to_have_value("45")

    add_visit(page)
    fill_visit(page, 3, Visit("2024-06-10", "二级", total="500"))
    calculate(page)

    # 徐州, employed: deductible 700 a year, 75/65/60% at levels 1/2/3, cap 7000.
    # 03-01 level 3, 1200: 700 to the deductible, (1200 − 700) × 60% = 300.00
    # 05-01 level 1, 800 − 100 自费 = 700, deductible used up: 700 × 75% = 525.00
    # 06-10 level 2, 500: 500 × 65% = 325.00
    # Fund 1150.00 of 2500.00; member 1350.00, of which the account pays 200.00 (first
    # visit's share 900 ≥ 200), cash 1150.00. Cap left 7000 − 1150 = 5850.00.
    assert summary(page) == {
        "total": "2,500.00 元",
        "fund_paid": "1,150.00 元",
        "member_paid": "1,350.00 元",
        "account_paid": "200.00 元",
        "cash_paid": "1,150.00 元",
    }
    assert ledger_fund(page) == ["300.00 元", "525.00 元", "325.00 元"]
    expect(page.locator("[data-figure='deductible_used']")).to_have_text("700.00 元")
    expect(page.locator("[data-figure='cap_remaining']")).to_have_text("5,850.00 元")
    expect(page.locator("#results-title")).to_be_focused()

    # The 依据 behind the first visit's deductible: document, 文号, article, verbatim quote,
    # reached from the step's link (the clause is quoted once, at the end of the result).
    open_how(page, 1)
    link = page.locator("#visit-1 li.step-deductible a[href^='#clause-']")
    clause = page.locator("#results li.clause-item").filter(has=page.locator(link.get_attribute("href")))
    expect(clause.locator("blockquote")).to_be_hidden()
    link.click()
    expect(clause.locator("blockquote")).to_be_visible()
    expect(clause.locator("blockquote")).to_contain_text("一个统筹年度内门诊统筹起付标准为700元")
    expect(clause).to_contain_text("二、（一）2")
    # The document is named once, above its quoted passages.
    document = page.locator("#results li.clause-doc").filter(has=page.locator(link.get_attribute("href")))
    expect(document).to_contain_text("徐政规〔2022〕8号")
    expect(document).to_contain_text("官方原文")

    # The results came in place, and the tab's title says so, as after a full page load.
    expect(page).to_have_title("计算结果 · 门诊共济报销计算器")

    # The pushed URL is the bookmark: loading it again gives the same results.
    assert "region=xuzhou" in page.url and "visits-2-total=500" in page.url
    page.goto(page.url)
    assert summary(page)["fund_paid"] == "1,150.00 元"

    # Adding a row in place: the old figures would no longer match, so they give way to a note.
    add_visit(page)
    expect(page.locator("#results")).to_contain_text("就诊记录已更改")
    expect(page.locator("[data-figure='fund_paid']")).to_have_count(0)


def test_back_after_changing_the_form_shows_the_earlier_result_as_it_was(live_server, page: Page) -> None:
    # 徐州, employed, one 二级 visit of 1000 on 2024-03-01: 700 to the deductible,
    # (1000 − 700) × 65% = 195.00. Then the region is changed and the form calculated again;
    # Back must bring the 徐州 result back whole (not the page as it was left, with the
    # region's hint for 山西 and a note that the region changed).
    page.goto(live_server.url + "/")
    fill_person(page, "xuzhou", "在职", "45")
    fill_visit(page, 1, Visit("2024-03-01", "二级", total="1000"))
    calculate(page)
    assert summary(page)["fund_paid"] == "195.00 元"
    first_url = page.url
    page.get_by_label("参保地区", exact=True).select_option("shanxi")
    expect(page.locator("#results")).to_contain_text("参保地区已更改")
    page.get_by_role("button", name="计算", exact=True).click()
    page.wait_for_url(re.compile(r"region=shanxi"))
    expect(page.locator("#results")).not_to_contain_text("参保地区已更改")
    page.go_back()
    page.wait_for_url(first_url)
    expect(page.locator("#summary [data-figure='fund_paid']")).to_have_text("195.00 元")
    expect(page.get_by_label("参保地区", exact=True)).to_have_value("xuzhou")
    expect(page.locator("#results")).not_to_contain_text("参保地区已更改")
    # Nothing of the member's is kept in the tab's storage by htmx.
    assert page.evaluate("sessionStorage.getItem('htmx-history-cache')") is None


# --- 武汉: date order decides who reaches the cap ------------------------------------


def test_wuhan_retired_cap_reached_in_date_order(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    fill_person(page, "wuhan", "退休", "68")
    page.get_by_label("退休日期", exact=True).fill("2015-06-30")
    fill_visit(page, 1, Visit("2024-03-05", "三级", total="1000", class_b="200"))
    add_visit(page)
    fill_visit(page, 2, Visit("2024-04-01", None, setting="药店", total="300"))
    add_visit(page)
    fill_visit(page, 3, Visit("2024-02-01", "二级", total="5000"))
    calculate(page)

    # 武汉 优化方案 (from 2023-04-10), retired: no deductible, 90/75/65% at levels 1/2/3,
    # pharmacy 90%, cap 4500; 乙类 10% paid first. In date order:
    # 02-01 level 2, 5000 × 75% = 3750.00 (cap left 750.00)
    # 03-05 level 3, 1000 − 200 × 10% = 980 × 65% = 637.00 (cap left 113.00)
    # 04-01 pharmacy, 300 × 90% = 270, but only 113.00 is left under the cap.
    # Fund 4500.00 of 6300.00; member 1800.00, all cash.
    assert summary(page) == {
        "total": "6,300.00 元",
        "fund_paid": "4,500.00 元",
        "member_paid": "1,800.00 元",
        "account_paid": "0.00 元",
        "cash_paid": "1,800.00 元",
    }
    assert ledger_order(page) == ["3", "1", "2"]
    assert ledger_fund(page) == ["3,750.00 元", "637.00 元", "113.00 元"]
    expect(page.locator("[data-figure='cap_remaining']")).to_have_text("0.00 元")
    # The first self-pay sits in visit 1's steps; its notices are listed once for the whole
    # result and the visit links to them; the re-posted sources say so in the 依据.
    open_how(page, 1)
    expect(page.locator("#visit-1 li.step-first_self_pay")).to_contain_text("20.00 元")
    expect(page.locator("#visit-1 .visit-notices")).to_be_visible()
    expect(page.locator("#basis")).to_contain_text("转载（非官方）")


# --- 上海: the retirement date appears for retirees; 当年账户 first -------------------


def test_shanghai_retiree_insurance_year_and_account(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    retired_on = page.get_by_label("退休日期", exact=True)
    expect(retired_on).to_be_hidden()  # 在职 is chosen: no retirement date to give
    fill_person(page, "shanghai", "退休", "70")
    expect(retired_on).to_be_visible()
    retired_on.fill("2010-08-01")
    page.get_by_text("选填：灵活就业、缴费基数和个人账户余额").click()
    page.get_by_label("个人账户余额", exact=True).fill("100")
    fill_visit(page, 1, Visit("2024-08-01", "一级及以下", total="250"))
    add_visit(page)
    fill_visit(page, 2, Visit("2024-09-01", "三级", total="1000"))
    add_visit(page)
    fill_visit(page, 3, Visit("2025-03-01", "二级", total="400"))
    calculate(page)

    # 上海, retired from 2001: 自负段 300 a 医保年度 (1 July – 30 June), then 85/80/75%.
    # The 当年账户 (100) pays first and does not count toward the 自负段.
    # 2024-08-01 level 1, 250: account 100, then 150 into the 自负段 (150 left); fund 0.00
    # 2024-09-01 level 3, 1000: 150 completes the 自负段, 850 × 75% = 637.50
    # 2025-03-01 (same insurance year) level 2, 400 × 80% = 320.00
    # Fund 957.50 of 1650.00; member 692.50 = account 100.00 + cash 592.50.
    assert summary(page) == {
        "total": "1,650.00 元",
        "fund_paid": "957.50 元",
        "member_paid": "692.50 元",
        "account_paid": "100.00 元",
        "cash_paid": "592.50 元",
    }
    assert ledger_fund(page) == ["0.00 元", "637.50 元", "320.00 元"]
    expect(page.locator(".year-summary")).to_contain_text("2024医保年度")
    expect(page.locator("[data-figure='deductible_used']")).to_have_text("300.00 元")


# --- 云南 and 玉溪: per-visit deductibles and rounding --------------------------------


def test_yunnan_then_yuxi_per_visit_deductibles(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    fill_person(page, "yunnan", "在职", "50")
    fill_visit(page, 1, Visit("2024-12-01", "一级及以下", total="120.50"))
    add_visit(page)
    fill_visit(page, 2, Visit("2025-01-10", "三级", total="333.33"))
    calculate(page)

    # 云南 from 2024-11-01, employed: per-visit deductible 20/40/60, 60/55/50%, cap 6000.
    # 2024-12-01 level 1: (120.50 − 20) × 60% = 60.30
    # 2025-01-10 level 3: (333.33 − 60) × 50% = 136.665 → 136.67 (half-up to the fen)
    # Fund 196.97 of 453.83; member 256.86.
    assert summary(page) == {
        "total": "453.83 元",
        "fund_paid": "196.97 元",
        "member_paid": "256.86 元",
        "account_paid": "0.00 元",
        "cash_paid": "256.86 元",
    }
    assert ledger_fund(page) == ["60.30 元", "136.67 元"]

    # The same form, now 玉溪 in 2023 for a retiree: change the region, status and rows.
    fill_person(page, "yuxi", "退休", "66")
    fill_visit(page, 1, Visit("2023-06-01", "二级", total="500"))
    fill_visit(page, 2, Visit("2023-07-15", "一级及以下", total="101.11"))
    calculate(page)
    expect(page.locator(".results-meta")).to_contain_text("玉溪市")

    # 玉溪 2023 细则, retired: per-visit deductible 30/60/90, 60/55/50% + 5 = 65/60/55%, cap 6000.
    # 2023-06-01 level 2: (500 − 60) × 60% = 264.00
    # 2023-07-15 level 1: (101.11 − 30) × 65% = 46.2215 → 46.22
    # Fund 310.22 of 601.11; member 290.89.
    assert summary(page) == {
        "total": "601.11 元",
        "fund_paid": "310.22 元",
        "member_paid": "290.89 元",
        "account_paid": "0.00 元",
        "cash_paid": "290.89 元",
    }
    assert ledger_fund(page) == ["264.00 元", "46.22 元"]
    expect(page.locator("[data-figure='cap_remaining']")).to_have_text("5,689.78 元")


# --- Keyboard, English, errors ------------------------------------------------------


def test_keyboard_enter_calculates_and_details_open_by_keyboard(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    fill_person(page, "xuzhou", "在职", "45")
    fill_visit(page, 1, Visit("2024-03-01", "三级", total="1200"))
    add_visit(page)
    fill_visit(page, 2, Visit("2024-05-01", "一级及以下", total="800", excluded="100"))
    # Enter in a text field submits with the default button (计算), never 删除.
    row(page, 1).get_by_label("费用总额", exact=True).press("Enter")
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator("fieldset.visit-row")).to_have_count(2)
    assert summary(page)["fund_paid"] == "825.00 元"
    # Enter opens a visit's 怎么算的; its step's 依据 link opens that clause at the end.
    page.locator("#visit-1 details.how > summary").focus()
    page.keyboard.press("Enter")
    link = page.locator("#visit-1 li.step-fund a[href^='#clause-']")
    expect(link).to_be_visible()
    target = link.get_attribute("href")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"{target} blockquote")).to_be_visible()
    # The add button works from the keyboard too.
    page.get_by_role("button", name="添加一次就诊").focus()
    page.keyboard.press("Enter")
    expect(page.locator("fieldset.visit-row")).to_have_count(3)


def test_switch_to_english_keeps_the_results(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    fill_person(page, "xuzhou", "在职", "45")
    fill_visit(page, 1, Visit("2024-03-01", "三级", total="1200"))
    calculate(page)
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    # 1200 at level 3: (1200 − 700) × 60% = 300.00
    expect(page.locator("#summary [data-figure='fund_paid']")).to_have_text("¥300.00")
    expect(page.get_by_label("Total medical expenses (费用总额)")).to_have_value("1200")
    # Quotes stay in Chinese.
    expect(page.locator("#basis blockquote").first).to_have_attribute("lang", "zh-Hans")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")


def check_error_flow(page: Page, *, javascript: bool = True) -> None:
    """Bad input: the summary names each field and links to it; the message repeats at
    the field; what was typed stays."""
    fill_person(page, "xuzhou", "在职", "abc")
    fill_visit(page, 1, Visit("2024-03-01", "三级", total="12x", excluded="5"))
    page.get_by_role("button", name="计算", exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert.get_by_role("heading")).to_have_text("请更正以下问题")
    # The messages are the contract's own (the API gives the same ones).
    _, errors = parse_request(
        {"region": "xuzhou", "status": "employed", "age": "abc",
         "visits": [{"date": "2024-03-01", "level": "3", "total": "12x", "excluded": "5"}]},
        form=True,
    )
    messages = {e["field"]: e["message"] for e in errors}
    assert set(messages) == {"age", "visits[0].total"}
    expect(alert).to_contain_text(messages["age"])
    expect(alert).to_contain_text(messages["visits[0].total"])
    alert.get_by_role("link", name=re.compile("费用总额")).click()
    total = row(page, 1).get_by_label("费用总额", exact=True)
    if javascript:
        expect(total).to_be_focused()
    else:
        assert page.url.endswith("#id_visits-0-total")
    expect(total).to_have_attribute("aria-invalid", "true")
    expect(total).to_have_value("12x")
    expect(page.locator("#id_visits-0-total_error")).to_contain_text(messages["visits[0].total"])
    expect(page.get_by_label("年龄", exact=True)).to_have_value("abc")
    expect(page.locator("#results")).to_have_count(0)


def test_bad_input_shows_messages(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    check_error_flow(page)


# --- Without JavaScript --------------------------------------------------------------


@pytest.fixture
def nojs_page(browser: Browser) -> Iterator[Page]:
    ctx: BrowserContext = browser.new_context(
        java_script_enabled=False, locale="zh-CN", viewport={"width": 1280, "height": 800}
    )
    pg = ctx.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    ctx.close()


def test_without_javascript_rows_results_errors(live_server, nojs_page: Page) -> None:
    page = nojs_page
    page.goto(live_server.url + "/")
    # Without JavaScript the retirement date is always there, with its hint.
    expect(page.get_by_label("退休日期", exact=True)).to_be_visible()
    fill_person(page, "wuhan", "在职", "40")
    fill_visit(page, 1, Visit("2024-03-05", "三级", total="1000", class_b="200"))
    page.get_by_role("button", name="添加一次就诊").click()  # a full page load
    expect(page.locator("fieldset.visit-row")).to_have_count(2)
    expect(row(page, 1).get_by_label("乙类金额", exact=True)).to_have_value("200")
    expect(page.get_by_label("参保地区", exact=True)).to_have_value("wuhan")
    fill_visit(page, 2, Visit("2024-04-01", "二级", total="777"))
    page.get_by_role("button", name="添加一次就诊").click()
    fill_visit(page, 3, Visit("2024-05-01", "一级及以下", total="400"))
    page.get_by_role("button", name="删除第 2 次就诊").click()
    expect(page.locator("fieldset.visit-row")).to_have_count(2)
    expect(row(page, 2).get_by_label("费用总额", exact=True)).to_have_value("400")
    calculate(page)

    # 武汉 优化方案, employed: no deductible, 85/65/55% at levels 1/2/3, 乙类 10% first.
    # 03-05 level 3: (1000 − 200 × 10%) × 55% = 980 × 55% = 539.00
    # 05-01 level 1: 400 × 85% = 340.00
    # Fund 879.00 of 1400.00; member 521.00.
    assert summary(page) == {
        "total": "1,400.00 元",
        "fund_paid": "879.00 元",
        "member_paid": "521.00 元",
        "account_paid": "0.00 元",
        "cash_paid": "521.00 元",
    }
    assert ledger_fund(page) == ["539.00 元", "340.00 元"]
    # 怎么算的 and a 依据 open without JavaScript (they are <details>; the link opens it).
    page.locator("#visit-1 details.how > summary").click()
    link = page.locator("#visit-1 li.step-fund a[href^='#clause-']")
    target = link.get_attribute("href")
    link.click()
    expect(page.locator(f"{target} blockquote")).to_be_visible()

    # The language switch is a plain form: it works without JavaScript and keeps the results.
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.locator("#summary [data-figure='fund_paid']")).to_have_text("¥879.00")
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()

    page.goto(live_server.url + "/")
    check_error_flow(page, javascript=False)


# --- Print ---------------------------------------------------------------------------


RESULTS_QUERY = {
    "region": "wuhan",
    "status": "retired",
    "age": "68",
    "retired_on": "2015-06-30",
    "account_balance": "300",
    "visits-0-date": "2024-03-05",
    "visits-0-level": "3",
    "visits-0-setting": "clinic",
    "visits-0-total": "1000",
    "visits-0-class_b": "200",
    "visits-1-date": "2024-04-01",
    "visits-1-setting": "pharmacy",
    "visits-1-total": "300",
    "visits-2-date": "2024-02-01",
    "visits-2-level": "2",
    "visits-2-setting": "clinic",
    "visits-2-total": "5000",
}
ERROR_QUERY = {"region": "", "status": "retired", "age": "200", "visits-0-date": "2019-01-01", "visits-0-total": "-5"}


def test_results_print_on_one_a4_page(live_server, page: Page) -> None:
    page.goto(live_server.url + "/?" + urlencode(RESULTS_QUERY))
    pdf = page.pdf(format="A4", print_background=False)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    # On paper: the inputs (with the retiree tier applied), the notices, the date, the address.
    page.emulate_media(media="print")
    inputs = page.locator(".print-inputs")
    expect(inputs).to_be_visible()
    for text in ("武汉市", "退休", "68", "2015-06-30", "300.00 元", "打印日期", page.url.split("//", 1)[1].split("?")[0]):
        expect(inputs).to_contain_text(text)
    # The printed address is this page's, without what reads the same when left out (a
    # visit's default options).
    address = inputs.locator(".print-url").inner_text()
    assert address.startswith(live_server.url + "/?")
    printed, shown = parse_qsl(urlsplit(address).query), parse_qsl(urlsplit(page.url).query)
    assert set(printed) <= set(shown) and set(shown) - set(printed) <= {(f"visits-{i}-setting", "clinic") for i in range(3)}
    expect(page.locator("#notices li").first).to_be_visible()
    expect(page.locator("#calculator-form")).to_be_hidden()
    # No sentence about buttons that are not printed; the caveat that it is an estimate is.
    expect(page.locator(".result-actions")).to_be_hidden()
    expect(page.get_by_text("本计算器只作估算，实际报销以医保经办机构结算为准。")).to_be_visible()


# --- axe, screenshots, no sideways scrolling -----------------------------------------


PAGES = {
    "home": "/",
    "results": "/?" + urlencode(RESULTS_QUERY),
    "errors": "/?" + urlencode(ERROR_QUERY),
    "policies": "/policies/",
    "about": "/about/",
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_axe_finds_no_violations(live_server, context: BrowserContext, language: str) -> None:
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    axe = Axe()
    for name, path in PAGES.items():
        page.goto(live_server.url + path)
        if name == "results":
            # Check the disclosures open too.
            page.locator("#results details").evaluate_all("ds => ds.forEach(d => d.open = true)")
        results = axe.run(page)
        assert results.violations_count == 0, f"{name} ({language}):\n{results.generate_report()}"


@pytest.mark.parametrize("width", [320, 360, 390, 1280])  # 320: WCAG reflow (400 % zoom)
def test_screenshots_and_no_horizontal_scroll(live_server, browser: Browser, screenshot_dir: Path, width: int) -> None:
    ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = ctx.new_page()
    try:
        for name, path in PAGES.items():
            page.goto(live_server.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
            if width not in (320, 360):
                page.screenshot(path=str(screenshot_dir / f"{name}-{width}.png"), full_page=True)
        if width not in (320, 360):
            ctx.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
            page.goto(live_server.url + PAGES["results"])
            page.screenshot(path=str(screenshot_dir / f"results-en-{width}.png"), full_page=True)
    finally:
        ctx.close()


# Results heavier than the one above, which spilt onto a second A4 page (the audit of issue 3):
# 上海 with two accounts (six caveats, long in English) and ten 徐州 visits.
SHANGHAI_TWO_ACCOUNTS = {
    "region": "shanghai", "status": "retired", "age": "70", "retired_on": "2005-06-30",
    "account_balance": "100", "prior_years_balance": "500",
    "visits-0-date": "2024-03-01", "visits-0-level": "3", "visits-0-total": "1200", "visits-0-excluded": "100",
    "visits-1-date": "2024-08-01", "visits-1-level": "1", "visits-1-setting": "pharmacy", "visits-1-total": "500",
}
TEN_VISITS = {"region": "xuzhou", "status": "employed", "age": "45"} | {
    f"visits-{i}-{key}": value
    for i in range(10)
    for key, value in (("date", f"2024-0{1 + i % 9}-1{i % 9}"), ("level", str(1 + i % 3)), ("total", str(500 + 37 * i)), ("excluded", "20"))
}


@pytest.mark.parametrize("width", [320, 360])
def test_an_english_result_with_long_badges_does_not_scroll_sideways(live_server, browser: Browser, width: int) -> None:
    """上海's basis in English carries "Official text (some passages from re-posts)": kept on one
    line it was 373px wide and panned the page on 320–360px phones (audit, 2026-12-01)."""
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    ctx.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = ctx.new_page()
    try:
        page.goto(live_server.url + "/?" + urlencode(SHANGHAI_TWO_ACCOUNTS))
        expect(page.locator(".source-status", has_text="some passages from re-posts").first).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"scrolls sideways by {overflow}px at {width}px"
    finally:
        ctx.close()


@pytest.mark.parametrize("query", [SHANGHAI_TWO_ACCOUNTS, TEN_VISITS], ids=["shanghai-two-accounts", "ten-visits"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_heavier_results_still_print_on_one_a4_page(live_server, page: Page, query, language) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(live_server.url + "/?" + urlencode(query))
    expect(page.locator("#answer")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=False)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_phone_the_answer_comes_to_the_top_of_the_screen(live_server, browser: Browser, javascript: bool) -> None:
    # After 计算 on a 360 px screen the answer's heading is put at the top of the screen (the
    # browser's own scroll to a focused heading left it halfway down, under the end of the
    # form: UI audit), with JavaScript (htmx swap) and without (the form's address ends in #results).
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, java_script_enabled=javascript)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/")
        fill_person(page, "wuhan", "退休", "66")
        fill_visit(page, 1, Visit("2023-06-01", "三级", total="5000"))
        calculate(page)
        if javascript:
            # The heading takes the focus (without JavaScript the address's #results puts the
            # reading position there instead: a page opened at a fragment skips autofocus).
            expect(page.locator("#results-title")).to_be_focused()
        page.wait_for_function("Math.abs(document.getElementById('results-title').getBoundingClientRect().top) < 40")
        # The member's own figure is on that first screen.
        share = page.locator("#summary [data-figure='member_paid']")
        assert share.bounding_box()["y"] + share.bounding_box()["height"] < 740
    finally:
        ctx.close()
