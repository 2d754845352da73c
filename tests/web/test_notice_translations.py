"""The policy data's own sentences (assumptions, notices) are translated in English mode;
the engine's sentences come rendered in the page's language; policy quotes stay Chinese."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.utils import translation
from django.utils.translation import gettext

from calculator.rules.registry import load_policies
from calculator.web.notices import NOTICE_TEXTS, notice_text

CJK = re.compile(r"[\u3400-\u9fff]")
GLOSSES = re.compile(r"\([^)]*\)|（[^）]*）|《[^》]*》|“[^”]*”|\S*〔\d{4}〕\d+号")


def data_notice_texts() -> list[tuple[str, str]]:
    """(where, text) for every sentence of the policy data shown to users as a notice."""
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
                if name == "annual_cap" and p.value.none_reason:
                    found.append((f"{v.id}/annual_cap none_reason", p.value.none_reason))
                if name == "personal_account":
                    for who, rule in p.value.rules.items():
                        if rule.reason:
                            found.append((f"{v.id}/personal_account.{who}.none", rule.reason))
                        if rule.called:
                            found.append((f"{v.id}/personal_account.{who}.called", rule.called))
    return found


DATA_TEXTS = data_notice_texts()


def test_the_data_has_notice_texts():
    assert len(DATA_TEXTS) > 40


@pytest.mark.parametrize(("where", "text"), DATA_TEXTS, ids=[w for w, _ in DATA_TEXTS])
def test_every_data_notice_is_translated(where, text):
    with translation.override("en"):
        shown, translated = notice_text(text)
    assert translated, f"{where}: no English translation (add it to a locale catalogue)"
    # Chinese may remain only where English names a document or glosses a term in brackets.
    residue = GLOSSES.sub("", shown)
    assert not CJK.search(residue), f"{where}: English text still has Chinese: {shown}"


def test_notice_text_is_the_message_in_chinese():
    text = DATA_TEXTS[0][1]
    with translation.override("zh-hans"):
        assert notice_text(text) == (text, False)
    with translation.override("en"):
        # A sentence nobody translated stays Chinese, and says so.
        assert notice_text("某某：一句没有译文的理由。") == ("某某：一句没有译文的理由。", False)


@pytest.mark.django_db
def test_english_results_show_the_english_assumption_once(client):
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
        "visits-1-date": "2024-03-08",
        "visits-1-level": "3",
        "visits-1-setting": "clinic",
        "visits-1-total": "1200",
    }
    client.cookies["django_language"] = "en"
    html = client.get("/?" + urlencode(params)).content.decode("utf-8")
    assert '<html lang="en">' in html
    notices = [unescape(n).replace("\u00a0", " ") for n in re.findall(r"<li id=\"notice-[^\"]*\"><span>([^<]*)</span>", html)]  # (a no-break space keeps 7,000 yuan whole)
    # Listed once for the two visits it concerns, not once per visit, with English separators.
    assert notices.count(english) == 1
    visits = [unescape(v) for v in re.findall(r'<span class="notice-visits">([^<]*)</span>', html)]
    assert "(concerns visits 1, 2)" in visits, visits
    assert not any("、" in v for v in visits)
    # The quote behind it stays Chinese and marked so.
    assert '<blockquote class="quote" lang="zh-Hans">' in html
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/?" + urlencode(params)).content.decode("utf-8")
    notices = [unescape(n) for n in re.findall(r"<li id=\"notice-[^\"]*\"><span>([^<]*)</span>", html)]
    assert notices.count(assumption) == 1
    assert "（涉及第 1、2 次就诊）" in html
