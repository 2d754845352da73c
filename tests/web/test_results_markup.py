"""The results section written in Python (``result_html.results_section_html``) gives, byte for
byte, what the template it replaced gave (kept as ``tests/web/reference/web/_results.html``), for
pages that use each of its branches: notices, tiers, an account balance, a retirement date,
the 玉溪 chronic pool, several years, no cap, both languages, and a saved enquiry's page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import translation

from scripts.bench_pages import results_query

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).parent / "reference" / "web" / "_results.html"

QUERIES = {
    "wuhan, 10 visits": results_query("wuhan", 10)[2:],
    "xuzhou, 10 visits": results_query("xuzhou", 10)[2:],
    "shanghai, tiers and balance": results_query("shanghai", 6)[2:],
    "yunnan": results_query("yunnan", 4)[2:],
    "shanxi": results_query("shanxi", 3)[2:],
    "neimenggu": results_query("neimenggu", 3)[2:],
    "yuxi chronic pool": urlencode({
        "region": "yuxi", "status": "retired", "age": "66", "retired_on": "2015-01-01", "chronic_disease_count": "2",
        "visits-0-date": "2024-03-01", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "5000",
        "visits-0-chronic": "on",
        "visits-1-date": "2025-03-01", "visits-1-level": "1", "visits-1-setting": "clinic", "visits-1-total": "800",
    }),
    "wuhan, prior years and two years": urlencode({
        "region": "wuhan", "status": "employed", "age": "40", "account_balance": "500", "prior_years_balance": "80",
        "visits-0-date": "2023-12-20", "visits-0-level": "1", "visits-0-setting": "clinic", "visits-0-total": "90",
        "visits-1-date": "2024-01-05", "visits-1-level": "3", "visits-1-setting": "pharmacy", "visits-1-total": "4000",
    }),
}


def _both(client, query: str, language: str, extra: dict | None = None) -> tuple[str, str]:
    client.cookies["django_language"] = language
    response = client.get("/?" + query)
    assert response.status_code == 200
    context = {key: response.context[key] for key in ("result", "page_url", "page_query")}
    assert context["result"] is not None, "no result: the query did not calculate"
    for key, value in (extra or {}).items():  # None: not in the context at all
        context.pop(key) if value is None else context.update({key: value})
    request = response.wsgi_request
    with translation.override(language):
        ours = render_to_string("web/_results.html", context, request=request)
        theirs = engines["django"].from_string(REFERENCE.read_text()).render(context, request=request)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')  # masked anew each time
    return token.sub("csrf", ours), token.sub("csrf", theirs)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("name", list(QUERIES))
def test_results_section_is_the_templates_markup(client, name, language):
    ours, theirs = _both(client, QUERIES[name], language)
    assert ours == theirs


def test_results_section_on_a_saved_enquirys_page_is_the_templates_markup(client):
    # detail.html includes the section with enquiry_page (no actions) and without page_url.
    ours, theirs = _both(client, QUERIES["wuhan, 10 visits"], "zh-hans", {"enquiry_page": True, "page_url": None})
    assert ours == theirs
    assert 'class="result-actions"' not in ours


def test_chinese_glosses_in_english_sentences_are_marked_chinese(client):
    # 上海 in English: the engine's sentences gloss the settlement slip's terms ("the self-pay band
    # (自负段)", "current-year account (当年账户)"); a screen reader reads them as Chinese only if
    # they are marked so, in the steps and the notices alike.
    client.cookies["django_language"] = "en"
    html = client.get("/?" + QUERIES["shanghai, tiers and balance"]).content.decode()
    steps = "".join(re.findall(r'<ol class="steps">.*?</ol>', html, re.S))
    notices = re.search(r'<ol class="notice-list">.*?</ol>', html, re.S).group(0)
    assert re.search(r'<span lang="zh-Hans">[\u3400-\u9fff]+</span>', notices), notices[:400]
    for part in (steps, notices):
        unmarked = re.sub(r"<[^>]*>", "", re.sub(r'<span lang="zh-Hans">[^<]*</span>', "", part))
        assert not re.search(r"[\u3400-\u9fff]", unmarked), re.findall(r".{0,40}[\u3400-\u9fff]+.{0,10}", unmarked)
