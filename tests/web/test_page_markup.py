"""Whole pages are, byte for byte, what the templates they replaced gave: the frame rendered
once per language ({% once %} in base.html and home.html), the person's fields written in
Python, the results section written in Python. The replaced templates are kept under
``tests/web/reference/`` and put first in the template search path for the comparison."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.template import engines

from scripts.bench_pages import results_query

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).parent / "reference"
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"x-csrftoken": ")[^"]*"')
HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}

PAGES = {
    "about": ("/about/", {}),
    "policies": ("/policies/", {}),
    "blank calculator": ("/", {}),
    "a missing page": ("/no-such-page/", {}),
    "wuhan, 10 visits": (results_query("wuhan", 10), {}),
    "xuzhou, 10 visits": (results_query("xuzhou", 10), {}),
    "shanghai, optional figures open": (results_query("shanghai", 3), {}),
    "errors": ("/?" + urlencode({
        "region": "xuzhou", "status": "employed", "age": "abc", "account_balance": "-5",
        "visits-0-date": "2024-13-01", "visits-0-level": "1", "visits-0-setting": "clinic", "visits-0-total": "x",
    }), {}),
    # A year whose general visits the fund does not cover; a year of uncovered 门诊慢性病 visits only.
    "uncovered years": ("/?" + urlencode({
        "region": "yuxi", "status": "employed", "age": "50", "chronic_disease_count": "1",
        "visits-0-date": "2023-03-01", "visits-0-level": "2", "visits-0-setting": "non_designated", "visits-0-total": "500",
        "visits-1-date": "2024-03-01", "visits-1-level": "2", "visits-1-setting": "non_designated", "visits-1-total": "500",
        "visits-1-chronic": "on",
    }), {}),
    "no region yet": ("/?" + urlencode({"status": "employed", "visits-0-date": "2024-03-01"}), {}),
    "a row added": (results_query("yunnan", 2) + "&add_visit=1", {}),
    "htmx calculation": (results_query("xuzhou", 3), {**HX, "HTTP_HX_TARGET": "calculator"}),
    "htmx rows": (results_query("xuzhou", 3) + "&add_visit=1", {**HX, "HTTP_HX_TARGET": "visits"}),
}


def _engine():
    return engines["django"].engine


def _reset(engine) -> None:
    for loader in engine.template_loaders:
        if hasattr(loader, "reset"):
            loader.reset()


@pytest.fixture
def reference_first() -> Iterator[callable]:
    """Call it to render with the replaced templates first in the search path; restored after."""
    engine = _engine()
    dirs = list(engine.dirs)

    def use(reference: bool) -> None:
        engine.dirs = [REFERENCE, *dirs] if reference else dirs
        _reset(engine)

    yield use
    use(False)


def _get(client, path: str, headers: dict, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(path, **headers)
    return _TOKEN.sub(r"\1…", response.content.decode())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_is_the_replaced_templates_markup(client, reference_first, name, language):
    path, headers = PAGES[name]
    ours = _get(client, path, headers, language)
    ours_again = _get(client, path, headers, language)  # from what was rendered once
    reference_first(True)
    theirs = _get(client, path, headers, language)
    assert ours == theirs
    assert ours_again == theirs


def test_a_language_switch_renders_each_language_its_own_frame(client):
    chinese = _get(client, "/about/", {}, "zh-hans")
    english = _get(client, "/about/", {}, "en")
    assert '<html lang="zh-Hans">' in chinese and "跳到主要内容" in chinese
    assert '<html lang="en">' in english and "跳到主要内容" not in english
    assert '<option value="en" selected' in english


def test_the_current_page_is_marked_in_the_menu_of_each_page(client):
    for path, label in (("/", "计算器"), ("/policies/", "政策库"), ("/about/", "关于本计算器")):
        html = _get(client, path, {}, "zh-hans")
        assert re.findall(r'aria-current="page">([^<]*)<', html) == [label], path


def test_a_region_heading_names_its_province_only_where_it_is_another(client):
    # 上海市 is its own province: its heading was "上海市 上海市" (read twice in a screen reader's
    # list of headings); 武汉市 keeps 湖北省 beside it.
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/policies/").content.decode()
    headings = dict(re.findall(r'<h2 id="region-([a-z]+)-title">(.*?)</h2>', html))
    assert headings["shanghai"] == "上海市" and headings["wuhan"] == '武汉市 <span class="province">湖北省</span>'
    assert headings["shanxi"] == "山西省（晋城市等）" and headings["neimenggu"].startswith("内蒙古（") and "province" not in headings["neimenggu"]


@pytest.mark.parametrize("path", ["/policies/", "/about/"])
def test_english_library_and_about_pages_mark_every_chinese_text_as_chinese(client, path):
    # WCAG 3.1.2: region names ("Xuzhou (徐州市)"), the slip's glossed terms and titles are
    # marked lang="zh-Hans" on the English pages (quotes and titles were already); the Chinese
    # pages need no marks beyond those.
    client.cookies["django_language"] = "en"
    html = client.get(path).content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    unmarked = re.sub(r'<(span|blockquote|q|cite|p|li|a|strong|td|th|h\d)[^>]*lang="zh-Hans"[^>]*>.*?</\1>', "", main, flags=re.S)
    left = [t for t in re.split(r"<[^>]+>", unmarked) if re.search(r"[\u4e00-\u9fff]", t)]
    assert left == [], left[:5]
    assert '<span lang="zh-Hans"><span lang="zh-Hans">' not in html  # text in a Chinese element is left as it is

def test_chinese_text_is_marked_only_on_english_pages():
    from django.utils import translation

    from calculator.web.govform import marked_html

    block = '<p>Xuzhou (徐州市) <q lang="zh-Hans">起付标准</q></p>'
    with translation.override("zh-hans"):
        assert marked_html(block) == block
    with translation.override("en"):
        assert marked_html(block) == '<p>Xuzhou (<span lang="zh-Hans">徐州市</span>) <q lang="zh-Hans">起付标准</q></p>'


def test_english_radio_and_checkbox_labels_keep_their_gloss_in_one_flex_item(client):
    # A radio's or checkbox's label is a flex box (app.css): "Flexibly employed (", the marked
    # "灵活就业人员" and ")" were three items, and at 390 px the gloss stood apart on the right of
    # a broken line. Wrapped in one span, the label wraps as one text (the form's rows too).
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    for label_for, text in (
        ("id_status_1", 'Retired (<span lang="zh-Hans">退休</span>)'),
        ("id_flexible_employment", 'Flexibly employed (<span lang="zh-Hans">灵活就业人员</span>)'),
        ("id_visits-0-inpatient_stay", 'During a hospital stay (<span lang="zh-Hans">住院期间</span>)'),
    ):
        assert f'<label for="{label_for}"><span>{text}</span></label>' in html, label_for
    client.cookies["django_language"] = "zh-hans"
    assert '<label for="id_flexible_employment">灵活就业人员</label>' in client.get("/").content.decode()


def test_amounts_keep_their_unit_on_a_narrow_screen(client):
    # Audit: "在职职工：7,000.00 / 元" in the library's cap column at 1280 px and "7,000 / yuan"
    # in its English notes on a phone. An amount and its unit are joined by a no-break space
    # in the library's cells, notes and readings (as the results' sentences and notices are).
    client.cookies["django_language"] = "zh-hans"
    zh = client.get("/policies/").content.decode()
    assert "7,000.00\u00a0元" in zh and re.search(r"\d 元", zh) is None
    client.cookies["django_language"] = "en"
    en = client.get("/policies/").content.decode()
    notes = "".join(re.findall(r'<div class="notices".*?</div>', en, re.S))
    assert "\u00a0yuan" in notes and re.search(r"\d yuan", notes) is None
