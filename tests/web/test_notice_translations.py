"""The calculator's own notices (assumptions and warnings) are translated in English mode;
policy quotes stay Chinese."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.utils import translation
from django.utils.translation import gettext

from calculator.rules.explain import placeholders
from calculator.rules.registry import load_policies
from calculator.web.notices import ACCOUNT_RULES, NOTICE_TEMPLATES, NOTICE_TEXTS, notice_text

TEMPLATES = [template for template, _ in NOTICE_TEMPLATES + ACCOUNT_RULES]


def data_notice_texts() -> list[tuple[str, str]]:
    """(where, text) for every notice text in the policy data; texts with placeholders are
    templates the engine fills in."""
    found = []
    for region in load_policies().values():
        for v in region.versions:
            for n in v.notices:
                found.append((f"{v.id} notices[{n.code}].message", n.message))
                if n.cite is not None and n.cite.assumption:
                    found.append((f"{v.id} notices[{n.code}].cite.assumption", n.cite.assumption))
            for name, p in v.params.items():
                if p.cite.assumption:
                    found.append((f"{v.id}/{name} cite.assumption", p.cite.assumption))
                if name == "annual_cap" and p.values.get("none_reason"):
                    found.append((f"{v.id}/annual_cap none_reason", p.values["none_reason"]))
                if name == "personal_account":
                    for who, rule in p.values.items():
                        if "none" in rule:
                            found.append((f"{v.id}/personal_account.{who}.none", rule["none"]))
                # Explanations the engine shows as a notice: retiree_start always, and the
                # 乙类 clause when the document gives no rate.
                if name == "retiree_start" or (name == "class_b_first_self_pay" and p.values["rate"] is None):
                    found.append((f"{v.id}/{name} cite.explanation", p.cite.explanation))
    return found


DATA_TEXTS = data_notice_texts()


def test_the_data_has_notice_texts():
    assert len(DATA_TEXTS) > 40


@pytest.mark.parametrize(("where", "text"), DATA_TEXTS, ids=[w for w, _ in DATA_TEXTS])
def test_every_data_notice_is_listed_and_translated(where, text):
    if placeholders(text):
        assert text in TEMPLATES, f"{where}: add this template to NOTICE_TEMPLATES"
    else:
        assert text in NOTICE_TEXTS, f"{where}: add this text to NOTICE_TEXTS"
    with translation.override("en"):
        assert gettext(text) != text, f"{where}: no English translation"


@pytest.mark.parametrize("text", NOTICE_TEXTS + TEMPLATES)
def test_every_listed_text_has_an_english_translation(text):
    with translation.override("en"):
        english = gettext(text)
    assert english != text
    # Short Chinese terms in brackets help; a document title in 《》 may stay as it is.
    assert not re.search(r"[\u4e00-\u9fff]{12,}", re.sub(r"《[^》]*》", "", english)), "Chinese left in the English"
    if text in TEMPLATES:
        assert placeholders(english) == placeholders(text)


def test_notice_text_in_each_language():
    text = "您选择了在职，填写的退休日期不参与计算。"
    with translation.override("zh-hans"):
        assert notice_text(text) == (text, False)
    with translation.override("en"):
        assert notice_text(text) == ("You chose “employed”, so the retirement date you entered is not used.", True)
        assert notice_text("一句没有译文的提示。") == ("一句没有译文的提示。", False)


def test_notices_with_figures_are_translated_through_their_templates():
    with translation.override("en"):
        shown, ok = notice_text("退休日期为 2024-03-01，此前的就诊按在职职工待遇计算。")
        assert ok and shown == "Your retirement date is 2024-03-01; visits before it are calculated under the benefits for employees."
        shown, ok = notice_text("您于2024-03-15退休，从2024-04-01起按退休人员标准计算，此前按在职人员标准计算。")
        assert ok and "2024-03-15" in shown and "2024-04-01" in shown
        shown, ok = notice_text("徐州市不区分当年账户和历年账户，您填写的两项余额合并计算。")
        assert ok and shown.startswith("Xuzhou")
        reason = load_policies()["xuzhou"].versions[0].params["personal_account"].values["retired"]["none"]
        shown, ok = notice_text(f"退休人员：{reason}")
        assert ok and shown == f"For retirees: {gettext(reason)}"
        shown, ok = notice_text("退休人员（62 岁）个人账户每月划入 100 元，全年 12 个月共 1200 元。按首次就诊日（2024-03-01）适用的规定估算。")
        assert ok and "(age 62)" in shown and "1200 yuan" in shown
        shown, ok = notice_text("在职期间每月按缴费基数的 2% 计入；退休后每月划入 83 元。")
        assert ok and shown == "While employed: 2% of the monthly contribution base (缴费基数); after retiring: 83 yuan a month."
        # A part without a translation keeps the whole notice Chinese.
        assert notice_text("某某：一句没有译文的理由。") == ("某某：一句没有译文的理由。", False)


def test_engine_notices_with_figures_match_a_template():
    """The engine's own sentences, as it writes them, are recognised."""
    from calculator.rules.contract import parse_request
    from calculator.rules.engine import calculate

    base = {"region": "xuzhou", "age": 62, "visits": [{"date": "2024-03-01", "level": 3, "setting": "clinic", "total": "1200"}]}
    employed, errors = parse_request({**base, "status": "employed", "prior_years_balance": "100"})
    assert not errors
    retired, errors = parse_request({**base, "status": "retired"})
    assert not errors
    result, result_retired = calculate(employed), calculate(retired)
    messages = [w["message"] for w in result["warnings"]] + [result_retired["personal_account"]["explanation"]]
    with translation.override("en"):
        for message in messages:
            assert notice_text(message)[1], message


@pytest.mark.django_db
def test_english_results_show_the_english_assumption(client):
    assumption = load_policies()["xuzhou"].versions[0].params["annual_cap"].cite.assumption
    with translation.override("en"):
        english = gettext(assumption)
    assert english != assumption
    params = {
        "region": "xuzhou",
        "status": "employed",
        "age": "45",
        "visits-0-date": "2024-03-01",
        "visits-0-level": "3",
        "visits-0-setting": "clinic",
        "visits-0-total": "1200",
    }
    client.cookies["django_language"] = "en"
    html = client.get("/?" + urlencode(params)).content.decode("utf-8")
    assert '<html lang="en">' in html
    notices = [unescape(n) for n in re.findall(r"<li><span>([^<]*)</span>", html)]
    assert english in notices
    # The quote behind it stays Chinese and marked so.
    assert '<blockquote class="quote" lang="zh-Hans">' in html
    # In Chinese the same notice is shown as it is.
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/?" + urlencode(params)).content.decode("utf-8")
    assert f'<li><span lang="zh-Hans">{assumption}</span>' in html

