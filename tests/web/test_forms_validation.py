"""What a person types that the form itself judges (issue 7): impossible dates, commas in
amounts, visits too far ahead. Test-client tests: the message next to the field and in the
summary at the top, what was typed given back, and no figures from a misread value."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from calculator.web.forms import last_accepted_visit_date

pytestmark = pytest.mark.django_db

PERSON = {"region": "xuzhou", "status": "employed", "age": "45"}


def visit(i: int = 0, **values: str) -> dict[str, str]:
    row = {"date": "2024-03-01", "level": "3", "setting": "clinic", "total": "1200"} | values
    return {f"visits-{i}-{name}": value for name, value in row.items()}


def page(client, params: dict[str, str], language: str | None = None) -> str:
    if language:
        client.cookies["django_language"] = language
    response = client.get("/?" + urlencode(params))
    assert response.status_code == 200
    return response.content.decode("utf-8")


def field_error(html: str, field_id: str) -> str | None:
    """The error message shown next to the field (without the hidden 错误： prefix)."""
    match = re.search(rf'<p class="error-message" id="{re.escape(field_id)}_error">(.*?)</p>', html, re.S)
    if match is None:
        return None
    return unescape(re.sub(r'<span class="visually-hidden">.*?</span>', "", match.group(1))).strip()


def summary_lines(html: str) -> list[str]:
    """The lines of the error summary at the top of the page."""
    block = re.search(r'<div class="error-summary".*?</ul>', html, re.S)
    if block is None:
        return []
    return [unescape(re.sub(r"<[^>]+>", "", li)).strip() for li in re.findall(r"<li>(.*?)</li>", block.group(0), re.S)]


def input_tag(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, name
    return match.group(0)


def input_value(html: str, name: str) -> str:
    value = re.search(r'value="([^"]*)"', input_tag(html, name))
    return unescape(value.group(1)) if value else ""


def has_results(html: str) -> bool:
    return 'id="results"' in html


# --- Impossible dates ---------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2025-02-30", "2025/2/30", "2025年2月30日", "20250230"])
def test_an_impossible_visit_date_is_named_and_kept(client, typed):
    html = page(client, PERSON | visit(date=typed))
    message = field_error(html, "id_visits-0-date")
    assert message == "就诊日期 2025-02-30 不是真实存在的日期，请检查月份和日。"
    assert "请填写就诊日期" not in html
    assert input_value(html, "visits-0-date") == typed  # what was typed, not a blank field
    assert 'aria-invalid="true"' in input_tag(html, "visits-0-date")
    # The message names its field: the summary does not say the label twice.
    assert any(line.startswith("第 1 次就诊：就诊日期 2025-02-30 不是真实存在的日期") for line in summary_lines(html))
    assert not has_results(html)


def test_an_impossible_retirement_date_is_named_and_kept(client):
    params = PERSON | {"status": "retired", "region": "shanghai", "retired_on": "2010-04-31"} | visit(date="2024-08-01")
    html = page(client, params)
    assert field_error(html, "id_retired_on") == "退休日期 2010-04-31 不是真实存在的日期，请检查月份和日。"
    assert input_value(html, "retired_on") == "2010-04-31"


def test_date_fields_are_text_so_a_browser_cannot_blank_an_impossible_date(client):
    # A type="date" input sends "" for 2025-02-30; the page could then only say 请填写.
    html = page(client, {})
    for name in ("visits-0-date", "retired_on"):
        tag = input_tag(html, name)
        assert 'type="text"' in tag or "type=" not in tag  # text is an input's default type
    assert "年-月-日，例如 2024-03-01。" in html  # the format is said in the hint


def test_an_impossible_date_in_english(client):
    html = page(client, PERSON | visit(date="2025-02-30"), language="en")
    assert "2025-02-30 is not a real date" in field_error(html, "id_visits-0-date")
    assert input_value(html, "visits-0-date") == "2025-02-30"


# --- Commas in amounts ---------------------------------------------------------------


def fund_paid(html: str) -> list[str]:
    found = re.findall(r'data-figure="fund_paid"[^>]*>(.*?)</(?:dd|td|span)>', html, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", f)).strip() for f in found]


@pytest.mark.parametrize(("typed", "plain"), [("1,200", "1200"), ("12,345.60", "12345.60"), ("１，２００ 元", "1200"), ("1,000,000", "1000000")])
def test_thousands_separators_are_read_as_such(client, typed, plain):
    with_commas = page(client, PERSON | visit(total=typed))
    without = page(client, PERSON | visit(total=plain))
    assert field_error(with_commas, "id_visits-0-total") is None
    assert has_results(with_commas)
    assert fund_paid(with_commas) == fund_paid(without) != []
    assert input_value(with_commas, "visits-0-total") == typed


@pytest.mark.parametrize("typed", ["12,50", "1.000,00", "1,2345", ",100", "1,20,000", "１２，５０"])
def test_a_comma_that_is_not_a_thousands_separator_is_refused(client, typed):
    html = page(client, PERSON | visit(total=typed))
    message = field_error(html, "id_visits-0-total")
    assert message is not None and message.startswith("费用总额“")
    assert "逗号只能作千位分隔" in message and "1,200" in message  # says what is meant, with an example
    assert "必须是金额" not in html  # the contract's generic message gives way to the precise one
    assert input_value(html, "visits-0-total") == typed
    assert not has_results(html)  # never read as 1250 or 1.00
    assert any(line.startswith("第 1 次就诊：费用总额“") for line in summary_lines(html))


def test_comma_rule_applies_to_every_amount_field(client):
    params = PERSON | {"account_balance": "1.000,00"} | visit(total="2,000", excluded="12,5", class_b="3,00")
    html = page(client, params)
    assert "逗号只能作千位分隔" in field_error(html, "id_account_balance")
    assert "逗号只能作千位分隔" in field_error(html, "id_visits-0-excluded")
    assert "逗号只能作千位分隔" in field_error(html, "id_visits-0-class_b")
    assert field_error(html, "id_visits-0-total") is None  # 2,000 is fine
    # The summary lists them in page order, each message naming its field once.
    lines = summary_lines(html)
    assert [line.split("“")[0] for line in lines] == ["个人账户余额", "第 1 次就诊：自费金额", "第 1 次就诊：乙类金额"]


def test_a_decimal_comma_is_explained_in_english(client):
    html = page(client, PERSON | visit(total="12,50"), language="en")
    assert "a comma may only separate thousands" in field_error(html, "id_visits-0-total")


# --- Visits after today ---------------------------------------------------------------


def test_the_last_accepted_date_is_the_end_of_next_year():
    assert last_accepted_visit_date(dt.date(2026, 11, 29)) == dt.date(2027, 12, 31)
    assert last_accepted_visit_date(dt.date(2026, 1, 1)) == dt.date(2027, 12, 31)


def test_a_visit_after_the_end_of_next_year_is_refused_naming_the_last_date(client):
    last = last_accepted_visit_date(timezone.localdate())
    too_late = (last + dt.timedelta(days=1)).isoformat()
    html = page(client, {**PERSON, "region": "wuhan"} | visit(date=too_late))
    message = field_error(html, "id_visits-0-date")
    assert message is not None and message.startswith(f"就诊日期不能晚于 {last.isoformat()}")
    assert input_value(html, "visits-0-date") == too_late
    assert not has_results(html)


def test_a_visit_up_to_the_end_of_next_year_is_accepted(client):
    # 武汉's current rules have no end date, so the contract computes a future visit.
    last = last_accepted_visit_date(timezone.localdate())
    soon = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    params = {**PERSON, "region": "wuhan"} | visit(0, date=last.isoformat()) | visit(1, date=soon, total="300")
    html = page(client, params)
    assert field_error(html, "id_visits-0-date") is None and field_error(html, "id_visits-1-date") is None
    assert "不能晚于" not in html
    assert has_results(html)


def test_a_far_future_date_in_a_second_row_points_at_that_row(client):
    params = PERSON | visit(0) | visit(1, date="2999-01-01")
    html = page(client, params)
    assert field_error(html, "id_visits-0-date") is None
    assert field_error(html, "id_visits-1-date").startswith("就诊日期不能晚于")
    assert re.search(r'<a href="#id_visits-1-date">第 2 次就诊：就诊日期不能晚于', html)


# --- Hints that name regions come from the policy data -----------------------------------


def test_region_hints_are_made_from_the_policy_data(client, monkeypatch):
    from calculator.rules.registry import load_policies
    from calculator.web import region_facts

    # 武汉's 乙类 first self-pay rate is data (wuhan/*.yaml: class_b_first_self_pay.rate "0.10").
    rate = load_policies()["wuhan"].versions[-1].params["class_b_first_self_pay"].value.rate
    hints = region_facts.hints()
    assert f"武汉市 {rate.percent}" in hints["class_b"]
    # Only the regions whose data splits retirees by retirement date are named (上海).
    assert "上海市" in hints["retired_on"] and "徐州市" not in hints["retired_on"]
    # A region whose data has a 门诊慢性病 rule is named; one without it is not.
    assert "玉溪市" in hints["chronic"] and "武汉市" not in hints["chronic"]
    html = client.get("/").content.decode("utf-8")
    assert hints["class_b"] in html


def test_english_choice_errors_list_names_in_english(client):
    """A bookmarked or edited address with values outside the lists: the English page names
    the choices in English (with the slip's Chinese as a gloss), not the Chinese list."""
    client.cookies["django_language"] = "en"
    query = ("/?region=beijing&status=x&age=45&visits-0-date=2024-03-01&visits-0-level=1"
             "&visits-0-setting=hospital&visits-0-total=100&visits-0-offsite=mars")
    # (The Chinese glosses are marked lang="zh-Hans": read without the marks.)
    html = unescape(re.sub(r'<span lang="zh-Hans">(.*?)</span>', r"\1", client.get(query).content.decode()))
    assert "Available: Xuzhou (徐州市); " in html
    assert "must be one of: Employed (在职); Retired (退休)." in html
    assert "must be one of: In your insured region (本地); Off-site, registered; " in html
    assert "（xuzhou）" not in html and "在职（employed）" not in html


# --- Options the region's rules do not use ------------------------------------------------


def test_an_option_ticked_before_the_region_was_chosen_is_not_dropped_silently(client):
    # The blank page offers every region's options; 门诊慢性病 ticked for 徐州 (whose rules have
    # no 门诊慢性病 pool) is asked again at the row with the contract's refusal, not calculated as
    # an ordinary visit without a word.
    html = page(client, PERSON | visit(chronic="on"))
    assert not has_results(html)
    message = field_error(html, "id_visits-0-chronic")
    assert message is not None and "徐州市的门诊慢特病待遇不在本计算器范围内" in message
    # The page has no 普通门诊 option to pick: it says what to do there (untick the box).
    assert message.endswith("请取消勾选“门诊慢性病”，按普通门诊计算。") and "请选择普通门诊" not in message
    assert any("门诊慢特病" in line for line in summary_lines(html))
    assert 'checked' in input_tag(html, "visits-0-chronic")


def test_a_hospital_stay_ticked_where_the_rules_say_nothing_of_it_is_said_with_the_result(client):
    # 徐州's rules say nothing of outpatient costs during a hospital stay: the visit is estimated
    # as an ordinary one (1200 − 700 = 500 × 60% = 300.00), and the notice says so.
    html = page(client, PERSON | visit(inpatient_stay="on"))
    assert has_results(html)
    assert "本地区文件未规定住院期间的门诊费用如何处理，这类就诊按普通门诊估算。" in html
    assert fund_paid(html)[0] in ("300.00 元", "300.00")


def test_the_summary_names_a_field_once_in_english_and_chinese(client):
    # The messages name their field ("Age (年龄): please fill this in."): the summary line is the
    # message, not the label and then the message saying it again.
    html = page(client, {"region": "xuzhou", "status": "employed"} | visit(total="-5"), language="en")
    lines = summary_lines(html)
    assert any(line.startswith("Age (年龄): please fill this in.") for line in lines), lines
    assert any(line.startswith("Visit 1: Total medical expenses (费用总额)") for line in lines), lines
    assert not any(line.count("Age (年龄)") > 1 or line.count("Total medical expenses") > 1 for line in lines), lines
    client.cookies.pop("django_language")
    html = page(client, {"region": "xuzhou", "status": "employed"} | visit(total="-5"))
    lines = summary_lines(html)
    assert not any(line.count("年龄") > 1 or line.count("费用总额") > 1 for line in lines), lines
    # A message naming its field in its own words ("The visit date … is outside…") reads as the
    # others do: "Visit 1: message", not "Visit 1 · Visit date (就诊日期): The visit date…".
    html = page(client, {"region": "xuzhou", "status": "employed", "age": "40"} | visit(date="2020-01-01"), language="en")
    lines = summary_lines(html)
    assert any(line.startswith("Visit 1: The visit date 2020-01-01 is outside") for line in lines), lines


def test_a_prior_years_balance_filled_in_before_the_region_was_chosen_is_used_and_said(client):
    # 徐州 has one account: a 历年账户 balance of 200 sent with the form is its balance (as the
    # API reads it), not dropped: the level-1 visit of 100 is all deductible (700 a year), so the
    # member's 100 is paid from it, and the notice says how the balance was read.
    html = page(client, PERSON | {"prior_years_balance": "200"} | visit(level="1", total="100"))
    assert has_results(html)
    assert "您填写的历年账户余额按个人账户余额计算" in html
    assert re.search(r'data-figure="account_paid">100\.00', html)


def test_options_asked_again_keep_the_rows_order_in_the_summary(client):
    # A 徐州 row with a 门诊慢性病 tick and a bad 收费类别: the summary lists them in the row's
    # order (门诊慢性病 comes before 收费类别 under 更多选项).
    html = page(client, PERSON | visit(chronic="on", price_class="9"))
    lines = summary_lines(html)
    chronic = next(i for i, line in enumerate(lines) if "门诊慢特病" in line)
    price = next(i for i, line in enumerate(lines) if "收费类别" in line)
    assert chronic < price, lines


def test_a_far_too_large_whole_age_is_out_of_range_not_not_whole(client):
    # "99999999999999999999999" is a whole number: the message is the range's (0 to 120), not
    # "must be a whole number".
    html = page(client, PERSON | {"age": "99999999999999999999999"} | visit())
    assert field_error(html, "id_age") == "年龄应在 0 到 120 之间。"


def test_amounts_and_dates_typed_with_a_chinese_input_method_are_read_or_refused_plainly(client):
    # "1234。50" (the IME's full stop), "1 234.50" (spaces grouping thousands) and a date with a
    # time after it ("2024-03-05 10:30", copied from a slip's 结算时间) are read; "120 30" is two
    # figures or a typo: refused at the field, never read as 12,030. (What the form reads is
    # checked on the visit's 费用总额 card: 1,234.50 for both visits.)
    html = page(client, PERSON | visit(total="1234。50", date="2024-03-05 10:30") | visit(1, total="1 234.50", date="2024年3月6号"))
    assert field_error(html, "id_visits-0-total") is None and field_error(html, "id_visits-1-total") is None
    assert field_error(html, "id_visits-0-date") is None and field_error(html, "id_visits-1-date") is None
    assert html.count("<dd>1,234.50 元</dd>") == 2, re.findall(r"<dd>[^<]*元</dd>", html)
    html = page(client, PERSON | visit(total="120 30"))
    assert field_error(html, "id_visits-0-total") == "费用总额“120 30”中间有空格：请只填一个金额，例如 1200.50。"
    assert 'id="results"' not in html
    assert input_value(html, "visits-0-total") == "120 30"  # what was typed, given back
    html = page(client, PERSON | visit(total="120 30"), language="en")
    assert "has a space inside it: enter one amount, e.g. 1200.50." in unescape(html)


def test_chinese_in_english_labels_hints_and_errors_is_marked_as_chinese(client):
    # WCAG 3.1.2: an English screen reader reads "(参保地区)" as Chinese only when it is marked.
    # The English page marks the slip's terms in labels, hints, legends and errors (the field's
    # and the summary's); the Chinese page has no such marks (its language is the page's).
    params = PERSON | visit(total="12,50")
    html = page(client, params, language="en")
    assert '<label for="id_region">Insured region (<span lang="zh-Hans">参保地区</span>)</label>' in html
    assert '<label for="id_visits-0-total">Total medical expenses (<span lang="zh-Hans">费用总额</span>)</label>' in html
    error = field_error(html, "id_visits-0-total")
    assert error is not None and error.startswith('Total medical expenses (<span lang="zh-Hans">费用总额</span>) “12,50”: a comma')
    assert re.search(r'<li><a href="#id_visits-0-total">[^<]*\(<span lang="zh-Hans">费用总额</span>\)', html)
    assert '<span lang="zh-Hans">' not in page(client, params, language="zh-hans")
