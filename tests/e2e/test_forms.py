"""Browser tests of the form (issue 7) at a 360px phone and a 1280px desktop: a result is
marked out of date by any edit, an impossible date is named and kept, the region list shows
names and the chosen region's periods, one 计算 button, and no console errors or failed
requests on any page. Screenshots of the form in test-output/screenshots/forms-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

WIDTHS = [360, 1280]


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def sized_page(request, browser: Browser) -> Iterator[Page]:
    width = request.param
    ctx = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": 780 if width == 360 else 900})
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.width = width  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    ctx.close()


def row(page: Page, n: int):
    return page.get_by_role("group", name=f"第 {n} 次就诊", exact=True)


def fill_xuzhou(page: Page, date: str = "2024-03-01", total: str = "1200") -> None:
    page.get_by_label("参保地区", exact=True).select_option("xuzhou")
    # A region change may redraw the rows (htmx): let it land before typing, as a person would.
    page.wait_for_load_state("networkidle")
    page.get_by_label("年龄", exact=True).fill("45")
    r = row(page, 1)
    r.get_by_label("就诊日期", exact=True).fill(date)
    r.get_by_label("医疗机构级别", exact=True).select_option(label="三级")
    r.get_by_label("费用总额", exact=True).fill(total)
    # What was typed holds (an element swapped in with autofocus was once focused twice, by the
    # browser and 20 ms later by htmx, taking the focus from the field being typed in: base.html).
    expect(page.get_by_label("年龄", exact=True)).to_have_value("45")
    expect(r.get_by_label("费用总额", exact=True)).to_have_value(total)


def calculate(page: Page) -> None:
    page.get_by_role("button", name="计算", exact=True).click()


def settled(page: Page) -> None:
    """Wait until htmx has settled a new result: its heading takes the focus (autofocus, a
    moment after the result is on screen). Typing before then races that focus move, which no
    person could do; a test that types next waits for it."""
    expect(page.locator("#results-title")).to_be_focused()


def calculated_xuzhou(page: Page, live_server, total: str = "1200") -> None:
    """The blank calculator, 徐州 filled in, calculated: a result on screen."""
    page.goto(live_server.url + "/")
    fill_xuzhou(page, total=total)
    calculate(page)
    expect(page.locator("#results")).to_be_visible()
    settled(page)


# --- Out of date ----------------------------------------------------------------------


def test_any_edit_marks_the_result_out_of_date_until_calculated_again(live_server, sized_page: Page, screenshot_dir: Path) -> None:
    page = sized_page
    page.goto(live_server.url + "/")
    fill_xuzhou(page)
    calculate(page)
    results = page.locator("#results")
    expect(results).to_be_visible()
    status = page.locator("#form-status")
    expect(status).to_have_text("")
    expect(page.locator(".stale-note")).to_have_count(0)

    # A typed change: the age.
    page.get_by_label("年龄", exact=True).fill("46")
    expect(status).to_contain_text("表单已更改")  # announced (role="status") ...
    note = page.locator("#results .stale-note:not(.stale-actions-note)")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("结果已过期")
    expect(note).to_be_visible()
    # ... and said to the eye once, by the note just below 计算: the status is not drawn as a
    # second note on top of it.
    box = status.bounding_box()
    assert box is not None and box["height"] <= 1 and box["width"] <= 1, box
    expect(results).to_have_class("results results-stale")
    # Beside the save and download buttons too: what they would keep is the result shown.
    beside = page.locator("#results .stale-actions-note + #result-actions")
    expect(beside).to_have_count(1)
    expect(page.locator(".stale-actions-note")).to_contain_text("请先按“计算”，再保存或下载")

    # 计算 again: a fresh result, no marks.
    calculate(page)
    expect(page.locator(".stale-note")).to_have_count(0)
    expect(page.locator("#form-status")).to_have_text("")
    expect(page.locator("#results")).not_to_have_class("results results-stale")

    # A chosen option (no typing) marks it too, and only once.
    row(page, 1).get_by_label("就诊类型", exact=True).select_option(label="药店")
    expect(page.locator("#results .stale-note")).to_have_count(2)
    page.get_by_role("group", name="参保身份").get_by_label("退休", exact=True).check()
    expect(page.locator("#results .stale-note")).to_have_count(2)  # each said once
    assert page.problems == []  # type: ignore[attr-defined]
    # (Screenshots last: Playwright's own caret-hiding style trips the page's CSP afterwards.)
    page.locator("#form-status").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"forms-stale-{page.width}.png"))  # type: ignore[attr-defined]
    page.locator("#results").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"forms-stale-results-{page.width}.png"))  # type: ignore[attr-defined]


def test_undoing_an_edit_clears_the_mark(live_server, sized_page: Page) -> None:
    """The mark says the form differs from what was calculated: typed back, it does not."""
    page = sized_page
    calculated_xuzhou(page, live_server)
    age = page.get_by_label("年龄", exact=True)
    age.fill("46")
    expect(page.locator("#results .stale-note:not(.stale-actions-note)")).to_have_count(1)
    age.fill("45")
    expect(page.locator("#results .stale-note")).to_have_count(0)
    expect(page.locator("#form-status")).to_have_text("")
    expect(page.locator("#results")).not_to_have_class("results results-stale")
    # A chosen option back to what it was: the same.
    kind = row(page, 1).get_by_label("就诊类型", exact=True)
    kind.select_option(label="药店")
    expect(page.locator("#results .stale-note:not(.stale-actions-note)")).to_have_count(1)
    kind.select_option(label="门诊")
    expect(page.locator("#results .stale-note")).to_have_count(0)
    assert page.problems == []  # type: ignore[attr-defined]


def test_back_to_an_earlier_result_is_not_marked_out_of_date(live_server, sized_page: Page) -> None:
    """Edit, calculate again, then Back: the earlier result comes back with the form it was
    calculated from, so it is not out of date (the page as left had the mark on it)."""
    page = sized_page
    calculated_xuzhou(page, live_server)
    page.get_by_label("年龄", exact=True).fill("46")
    expect(page.locator("#results .stale-note:not(.stale-actions-note)")).to_have_count(1)
    calculate(page)
    expect(page).to_have_url(re.compile(r"age=46"))
    expect(page.locator("#results .stale-note")).to_have_count(0)
    page.go_back()
    expect(page).to_have_url(re.compile(r"age=45"))
    expect(page.get_by_label("年龄", exact=True)).to_have_value("45")
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator("#results .stale-note")).to_have_count(0)
    expect(page.locator("#form-status")).to_have_text("")
    # And an edit there still marks it.
    page.get_by_label("年龄", exact=True).fill("47")
    expect(page.locator("#results .stale-note:not(.stale-actions-note)")).to_have_count(1)
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_field_gone_to_as_a_result_arrives_keeps_the_focus(live_server, sized_page: Page) -> None:
    """A new result's heading takes the focus once, as it arrives: with htmx's settle delay it
    was focused again 20 ms later, taking the focus from a field the person had gone to (the
    rest of what they typed went nowhere: "46" arrived as "4")."""
    page = sized_page
    page.goto(live_server.url + "/")
    fill_xuzhou(page)
    # The person goes to 年龄 the moment the result is on the page (the next task after the swap).
    page.evaluate("""() => document.body.addEventListener("htmx:afterSwap", (e) => {
        if (e.detail.target.id === "calculator") setTimeout(() => document.getElementById("id_age").focus(), 0);
    })""")
    calculate(page)
    expect(page.locator("#results")).to_be_visible()
    page.wait_for_timeout(200)  # well past htmx's default settle delay (20 ms)
    expect(page.locator("#id_age")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type("6")
    expect(page.locator("#id_age")).to_have_value("456")
    assert page.problems == []  # type: ignore[attr-defined]


def test_changing_the_region_draws_the_rows_for_it(live_server, sized_page: Page) -> None:
    """徐州's rows have no 门诊慢性病 option; after choosing 玉溪 they do, with what was typed
    kept, and the result for 徐州 gives way to a note saying the region changed."""
    page = sized_page
    calculated_xuzhou(page, live_server, total="1500")
    first = row(page, 1)
    expect(first.get_by_label("门诊慢性病", exact=True)).to_have_count(0)
    page.get_by_label("参保地区", exact=True).select_option("yuxi")
    expect(first.get_by_label("门诊慢性病", exact=True)).to_have_count(1)
    expect(first.get_by_label("费用总额", exact=True)).to_have_value("1500")
    expect(first.get_by_label("就诊日期", exact=True)).to_have_value("2024-03-01")
    expect(page.locator("#results")).to_contain_text("参保地区已更改")
    expect(page.locator("#results [data-figure]")).to_have_count(0)
    # 计算 then works out 玉溪's figures from the same rows.
    calculate(page)
    expect(page.locator("#results")).to_contain_text("玉溪")
    assert page.problems == []  # type: ignore[attr-defined]


def switch_to_english(page: Page) -> None:
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_switching_language_comes_back_to_the_same_place_on_the_page(live_server, sized_page: Page) -> None:
    """From /policies/#region-wuhan the switch comes back to 武汉's section, not the page's top."""
    page = sized_page
    page.goto(live_server.url + "/policies/#region-wuhan")
    switch_to_english(page)
    assert page.url.endswith("/policies/#region-wuhan"), page.url
    assert page.evaluate("window.scrollY") > 300  # the browser went to the section
    assert page.problems == []  # type: ignore[attr-defined]


def test_switching_language_keeps_what_was_typed(live_server, sized_page: Page) -> None:
    """A form filled in but not calculated, then the switch to English: everything typed is
    there on the English page (it used to come back empty)."""
    page = sized_page
    page.goto(live_server.url + "/")
    fill_xuzhou(page, date="2024-03-01", total="1500")
    switch_to_english(page)
    expect(page.get_by_label("Region", exact=False).first).to_have_value("xuzhou")
    expect(page.locator("#id_age")).to_have_value("45")
    expect(page.locator("#id_visits-0-date")).to_have_value("2024-03-01")
    expect(page.locator("#id_visits-0-total")).to_have_value("1500")
    expect(page.locator("#id_visits-0-level")).to_have_value("3")
    # Calculating in English gives the result of what was typed.
    page.locator("#calculator-form button.button-primary").click()
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator('[data-figure="total"]')).to_contain_text("1,500.00")
    assert page.problems == []  # type: ignore[attr-defined]


def test_switching_language_after_an_edit_keeps_it_and_the_mark(live_server, sized_page: Page) -> None:
    page = sized_page
    calculated_xuzhou(page, live_server)
    page.get_by_label("年龄", exact=True).fill("61")
    switch_to_english(page)
    expect(page.locator("#id_age")).to_have_value("61")
    # The result shown is still the one for 45: marked out of date, in English.
    expect(page.locator("#results .stale-note:not(.stale-actions-note)")).to_have_count(1)
    expect(page.locator("#form-status")).not_to_have_text("")
    assert page.problems == []  # type: ignore[attr-defined]


def test_switching_language_keeps_a_row_added_but_not_calculated(live_server, sized_page: Page) -> None:
    page = sized_page
    calculated_xuzhou(page, live_server)
    # An edit made before the row is added becomes that row's drawn value: still kept.
    row(page, 1).get_by_label("费用总额", exact=True).fill("1250")
    page.get_by_role("button", name="添加一次就诊").click()
    second = row(page, 2)
    second.get_by_label("就诊日期", exact=True).fill("2024-05-02")
    second.get_by_label("费用总额", exact=True).fill("300")
    switch_to_english(page)
    expect(page.locator("#id_visits-1-date")).to_have_value("2024-05-02")
    expect(page.locator("#id_visits-1-total")).to_have_value("300")
    expect(page.locator("#id_visits-0-total")).to_have_value("1250")
    # The result on screen was for one visit: it gives way to a note that the visits changed.
    expect(page.locator("#results")).to_contain_text("The visits have changed")
    assert page.problems == []  # type: ignore[attr-defined]


def test_typing_while_rows_are_being_redrawn_is_kept(live_server, sized_page: Page) -> None:
    """添加一次就诊 sends the form and swaps in the rows the server draws from it: a figure typed
    while that answer is on its way is not replaced by the one sent."""
    page = sized_page
    page.goto(live_server.url + "/")
    fill_xuzhou(page)
    held = []
    page.route(re.compile(r".*add_visit=1.*"), lambda route: held.append(route))
    page.get_by_role("button", name="添加一次就诊").click()
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the add-row request was not seen"
    total = row(page, 1).get_by_label("费用总额", exact=True)
    total.fill("1777")  # typed while the request is held
    held[0].continue_()
    expect(row(page, 2)).to_be_visible()
    expect(row(page, 1).get_by_label("费用总额", exact=True)).to_have_value("1777")
    expect(row(page, 1).get_by_label("就诊日期", exact=True)).to_have_value("2024-03-01")
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_failed_request_is_said_beside_the_button(live_server, sized_page: Page) -> None:
    """htmx swaps nothing for an error answer or a lost connection: the live region beside 计算
    says what happened (429: wait a minute; otherwise try again), and the next request clears it."""
    page = sized_page
    page.goto(live_server.url + "/")
    fill_xuzhou(page)
    status = page.locator("#form-status")
    answers = iter([429, 500])
    page.route(re.compile(r".*add_visit=1.*"), lambda route: route.fulfill(status=next(answers), body="refused"))
    page.get_by_role("button", name="添加一次就诊").click()
    expect(status).to_have_text("操作太频繁，这次没有完成。请稍等一分钟再按一次。")
    page.get_by_role("button", name="添加一次就诊").click()
    expect(status).to_have_text("出了点问题，这次操作没有完成。请稍后再按一次；如果一直这样，请刷新页面。")
    page.unroute(re.compile(r".*add_visit=1.*"))
    page.route(re.compile(r".*add_visit=1.*"), lambda route: route.abort())
    page.get_by_role("button", name="添加一次就诊").click()
    expect(status).to_have_text("没有连上网站，这次操作没有完成。请检查网络后再按一次。")
    expect(row(page, 2)).to_have_count(0)  # nothing was added
    page.unroute(re.compile(r".*add_visit=1.*"))
    page.get_by_role("button", name="添加一次就诊").click()
    expect(row(page, 2)).to_be_visible()
    expect(status).to_have_text("")
    # The refused requests are the test's own (console errors of htmx's failed requests too).
    page.problems.clear()  # type: ignore[attr-defined]


def test_rows_changed_under_a_result_are_said_in_the_live_region(live_server, sized_page: Page) -> None:
    """Adding a row under a result replaces the figures by a note; the live region beside 计算
    says it as well (a region inserted with its text is often not read out)."""
    page = sized_page
    calculated_xuzhou(page, live_server)
    page.get_by_role("button", name="添加一次就诊").click()
    expect(row(page, 2)).to_be_visible()
    expect(page.locator("#form-status")).to_have_text("表单已更改，下面的结果尚未更新。请按“计算”。")
    assert page.problems == []  # type: ignore[attr-defined]


def test_editing_before_any_result_marks_nothing(live_server, sized_page: Page) -> None:
    page = sized_page
    page.goto(live_server.url + "/")
    fill_xuzhou(page)
    expect(page.locator("#form-status")).to_have_text("")
    expect(page.locator("#results")).to_have_count(0)


# --- Impossible date -------------------------------------------------------------------


def test_an_impossible_date_is_named_and_kept(live_server, sized_page: Page, screenshot_dir: Path) -> None:
    page = sized_page
    page.goto(live_server.url + "/")
    fill_xuzhou(page, date="2025-02-30", total="12,50")
    calculate(page)
    date = row(page, 1).get_by_label("就诊日期", exact=True)
    expect(date).to_have_value("2025-02-30")
    expect(date).to_have_attribute("aria-invalid", "true")
    message = page.locator("#id_visits-0-date_error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("就诊日期 2025-02-30 不是真实存在的日期，请检查月份和日。")
    expect(page.get_by_text("请填写就诊日期")).to_have_count(0)
    # The comma is refused with its own message, and what was typed stays.
    expect(row(page, 1).get_by_label("费用总额", exact=True)).to_have_value("12,50")
    expect(page.locator("#id_visits-0-total_error")).to_contain_text("逗号只能作千位分隔")
    # Summarised at the top; its link takes the user to the field.
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="第 1 次就诊：就诊日期 2025-02-30 不是真实存在的日期，请检查月份和日。")
    link.click()
    expect(date).to_be_focused()
    expect(page.locator("#results")).to_have_count(0)
    assert page.problems == []  # type: ignore[attr-defined]
    page.screenshot(path=str(screenshot_dir / f"forms-errors-{page.width}.png"), full_page=True)  # type: ignore[attr-defined]
    row(page, 1).screenshot(path=str(screenshot_dir / f"forms-errors-row-{page.width}.png"))  # type: ignore[attr-defined]


def test_deleting_the_row_in_error_takes_its_summary_with_it(live_server, sized_page: Page) -> None:
    # Two rows, the second with an impossible date: summarised at the top. Deleting that row
    # in place brings the rows back without messages (as without JavaScript): the summary,
    # whose link named a field now gone, goes too.
    page = sized_page
    query = (
        "region=xuzhou&status=employed&age=60&visits-0-date=2025-01-10&visits-0-level=2&visits-0-total=800"
        "&visits-1-date=2025-02-30&visits-1-level=1&visits-1-total=900"
    )
    page.goto(live_server.url + "/?" + query)
    expect(page.locator(".error-summary")).to_contain_text("第 2 次就诊")
    row(page, 2).get_by_role("button", name="删除第 2 次就诊").click()
    expect(page.locator("fieldset.visit-row")).to_have_count(1)
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(row(page, 1).get_by_label("费用总额", exact=True)).to_have_value("800")
    assert page.problems == []  # type: ignore[attr-defined]


# --- Region list ------------------------------------------------------------------------


def test_region_list_shows_names_and_the_chosen_regions_periods(live_server, sized_page: Page, screenshot_dir: Path) -> None:
    page = sized_page
    page.goto(live_server.url + "/")
    select = page.get_by_label("参保地区", exact=True)
    options = select.locator("option").all_inner_texts()
    assert "武汉市" in options and "徐州市" in options
    assert not [o for o in options if any(ch.isdigit() for ch in o)]  # no dates in the list
    hint = page.locator("#id_region_helptext")
    expect(hint).to_contain_text("选择地区后")

    select.select_option("wuhan")
    expect(hint).to_have_text("武汉市已收录的规定（按就诊日期适用）：2023-02-01 至 2023-04-09；2023-04-10 起。")
    # The closed select shows the name in full and fits the screen.
    box = select.bounding_box()
    assert box is not None and box["x"] + box["width"] <= page.width  # type: ignore[attr-defined]
    assert select.evaluate("s => s.options[s.selectedIndex].text") == "武汉市"
    assert select.evaluate("s => s.scrollWidth <= s.clientWidth + 1")  # nothing cut off

    select.select_option("")
    expect(hint).to_contain_text("选择地区后")
    assert page.problems == []  # type: ignore[attr-defined]
    select.select_option("wuhan")
    page.locator(".panel").first.screenshot(path=str(screenshot_dir / f"forms-region-{page.width}.png"))


# --- One button per action; no console errors ------------------------------------------------


def test_one_calculate_button(live_server, sized_page: Page) -> None:
    page = sized_page
    page.goto(live_server.url + "/")
    expect(page.get_by_role("button", name="计算", exact=True)).to_have_count(1)
    expect(page.get_by_text("计算", exact=True)).to_have_count(1)
    # Enter in a field still calculates (the hidden default button has no text, not no job).
    fill_xuzhou(page)
    row(page, 1).get_by_label("费用总额", exact=True).press("Enter")
    expect(page.locator("#results")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/policies/", "/about/"])
def test_no_console_errors_or_failed_requests(live_server, sized_page: Page, path: str) -> None:
    page = sized_page
    page.goto(live_server.url + path)
    page.wait_for_load_state("networkidle")
    if path == "/":
        # Adding and removing a row before any result: nothing to retire, nothing reported.
        page.get_by_role("button", name="添加一次就诊", exact=True).click()
        expect(page.locator("fieldset.visit-row")).to_have_count(2)
        page.get_by_role("button", name="删除第 2 次就诊", exact=True).click()
        expect(page.locator("fieldset.visit-row")).to_have_count(1)
        # After a result, adding a row still retires the old figures.
        fill_xuzhou(page)
        calculate(page)
        expect(page.locator("#results")).to_be_visible()
        page.get_by_role("button", name="添加一次就诊", exact=True).click()
        expect(page.locator("#results")).to_contain_text("就诊记录已更改")
        page.wait_for_load_state("networkidle")
    assert page.problems == []  # type: ignore[attr-defined]


def test_form_screenshots(live_server, sized_page: Page, screenshot_dir: Path) -> None:
    page = sized_page
    page.goto(live_server.url + "/")
    page.get_by_text("选填：灵活就业、缴费基数和个人账户余额").click()
    row(page, 1).get_by_text("更多选项").click()
    page.screenshot(path=str(screenshot_dir / f"forms-blank-{page.width}.png"), full_page=True)  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.width  # type: ignore[attr-defined]


def test_a_checkbox_sits_beside_its_label_in_english_too(live_server, sized_page: Page) -> None:
    # "During a hospital stay (住院期间)" is long: it wraps beside its box, not below it.
    page = sized_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/?region=shanxi")
    page.locator("details.more summary").first.click()
    box = page.locator("#id_visits-0-inpatient_stay").bounding_box()
    label = page.locator("label[for='id_visits-0-inpatient_stay']").bounding_box()
    assert box and label
    assert label["x"] > box["x"] + box["width"], (box, label)  # to its right
    assert label["y"] < box["y"] + box["height"], (box, label)  # on the same line
