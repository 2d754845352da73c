"""How the forms render (issue 7): through crispy-forms with the govform pack, the same
accessible structure as before, the region list by name, one 计算 button, a favicon, and a
widget renderer that writes exactly what Django's templates write."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.forms.renderers import DjangoTemplates
from django.http import QueryDict
from django.test import RequestFactory

from calculator.rules.registry import load_policies
from calculator.web import views
from calculator.web.forms import CalculatorForm, VisitForm, region_choices

pytestmark = pytest.mark.django_db


def page(client, params: dict[str, str] | None = None, **headers: str) -> str:
    response = client.get("/" + ("?" + urlencode(params) if params else ""), headers=headers)
    assert response.status_code == 200
    return response.content.decode("utf-8")


# --- crispy-forms, govform pack ---------------------------------------------------------


def test_the_person_renders_through_crispy_and_the_rows_in_one_form(client):
    assert CalculatorForm.helper.template_pack == "govform"
    assert CalculatorForm.helper.form_tag is False  # one <form> holds the person and the rows
    html = page(client, {"region": "xuzhou", "visits-0-total": "100", "visits-1-total": "200"})
    assert html.count("<form ") == 3  # language switch, calculator, file import
    form = html[html.index('<form id="calculator-form"'):html.index("</form>", html.index('<form id="calculator-form"'))]
    assert 'name="region"' in form and 'name="visits-0-total"' in form and 'name="visits-1-total"' in form
    # What every input had in common is said once, on the form (both are inherited).
    assert re.search(r'<form id="calculator-form"[^>]* autocomplete="off" spellcheck="false"', form)
    assert "autocomplete=" not in form.split(">", 1)[1] and "spellcheck=" not in form.split(">", 1)[1]


def test_a_field_with_hint_and_error_is_described_by_both(client):
    html = page(client, {"region": "xuzhou", "status": "employed", "age": "45", "visits-0-date": "2024-03-01", "visits-0-total": "-5"})
    block = re.search(r'<div class="field-error">\s*<label for="id_visits-0-total">.*?</div>', html, re.S)
    assert block, "the total's field block, marked as in error"
    block = block.group(0)
    # label, hint, error, input: in that order
    order = [block.index(s) for s in ("<label", 'id="id_visits-0-total_helptext"', 'id="id_visits-0-total_error"', "<input")]
    assert order == sorted(order)
    assert 'aria-describedby="id_visits-0-total_helptext id_visits-0-total_error"' in block
    assert 'aria-invalid="true"' in block
    assert '<span class="visually-hidden">错误：</span>费用总额不能为负数。' in block


def test_status_is_a_fieldset_of_radios_and_checkboxes_come_before_their_label(client):
    html = page(client)
    assert re.search(r'<fieldset class="field field-radios" id="id_status">\s*<legend class="field-label">参保身份</legend>', html)
    assert '<input type="checkbox" name="flexible_employment" aria-describedby="id_flexible_employment_helptext" id="id_flexible_employment"><label for="id_flexible_employment">灵活就业人员</label>' in html
    assert '<div data-retired-only>' in html  # the block the script hides for 在职


def test_optional_figures_a_regions_rules_never_use_are_not_asked(client):
    def names(params):
        return set(re.findall(r'name="(flexible_employment|prior_years_balance|chronic_disease_count)"', page(client, params)))

    every = {"flexible_employment", "prior_years_balance", "chronic_disease_count"}
    assert names(None) == every  # no region chosen yet
    assert names({"region": "shanxi", "visits-0-total": "100"}) == set()
    assert names({"region": "shanghai", "visits-0-total": "100"}) == {"prior_years_balance"}  # 当年/历年账户
    assert names({"region": "wuhan", "visits-0-total": "100"}) == {"flexible_employment"}
    assert names({"region": "yuxi", "visits-0-total": "100"}) == {"chronic_disease_count"}  # 门诊慢性病


def test_disclosures_open_when_something_in_them_is_set(client):
    closed = page(client)
    assert '<details class="optional">' in closed and '<details class="more">' in closed
    opened = page(client, {"region": "xuzhou", "status": "employed", "age": "45", "account_balance": "100",
                           "visits-0-date": "2024-03-01", "visits-0-total": "100", "visits-0-offsite": "filed"})
    assert '<details class="optional" open>' in opened and '<details class="more" open>' in opened


# --- The widget renderer: byte for byte Django's templates ---------------------------------


def _bound_forms(renderer):
    data = QueryDict(mutable=True)
    data.update({"region": "<no region>", "status": "retired", "age": "6<7", "retired_on": "2010-08-01", "flexible_employment": "on",
                 "account_balance": '1,2"00', "visits-0-date": "2025-02-30", "visits-0-level": "2",
                 "visits-0-setting": "pharmacy", "visits-0-total": "<b>", "visits-0-inpatient_stay": "on", "visits-0-price_class": "3"})
    person = CalculatorForm(data, renderer=renderer)
    person.add_error("age", "错误 & <x>")
    row = VisitForm(data, row=0, renderer=renderer, autofocus=True)
    row.add_error("total", "bad")
    return [CalculatorForm(renderer=renderer), person, VisitForm(row=1, renderer=renderer), row]


def test_fast_widget_renderer_writes_what_djangos_templates_write():
    django_forms = _bound_forms(DjangoTemplates())
    fast_forms = _bound_forms(None)  # the forms' default renderer
    compared = 0
    for slow, fast in zip(django_forms, fast_forms, strict=True):
        for name in slow.fields:
            assert str(fast[name]) == str(slow[name]), name
            compared += 1
        for slow_radio, fast_radio in zip(slow["status"] if "status" in slow.fields else [], fast["status"] if "status" in fast.fields else []):
            assert str(fast_radio.tag()) == str(slow_radio.tag())
    assert compared == 2 * (len(CalculatorForm.base_fields) + len(VisitForm.base_fields))


# --- The region list ------------------------------------------------------------------


def test_region_options_are_names_only_and_the_hint_says_the_periods(client):
    html = page(client)
    select = re.search(r'<select name="region".*?</select>', html, re.S).group(0)
    labels = [unescape(t) for t in re.findall(r"<option [^>]*>(.*?)</option>", select)]
    names = {region.name for region in load_policies().values()}
    assert set(labels[1:]) == names and labels[0] == "请选择参保地区"
    assert not any(re.search(r"\d", label) for label in labels)  # no dates in the closed list
    # Each option carries its periods for the script; with no region chosen the hint says so.
    assert 'data-hint="武汉市已收录的规定（按就诊日期适用）：2023-02-01 至 2023-04-09；2023-04-10 起。"' in select
    assert re.search(r'id="id_region_helptext">选择地区后，这里显示', html)


def test_the_chosen_regions_periods_are_in_the_hint_without_javascript(client):
    html = page(client, {"region": "wuhan", "status": "employed", "age": "", "visits-0-date": "2024-03-01"})
    hint = re.search(r'id="id_region_helptext">(.*?)</p>', html).group(1)
    assert hint == "武汉市已收录的规定（按就诊日期适用）：2023-02-01 至 2023-04-09；2023-04-10 起。"


def test_region_groups_keep_the_province_optgroups():
    groups, hints = region_choices()
    provinces = dict(groups)
    assert [code for code, _ in provinces["云南省"]] == ["yuxi", "yunnan"]
    assert set(hints) == set(load_policies())


# --- One button per action; favicon -----------------------------------------------------------


def test_one_calculate_button_in_the_page_text(client):
    html = page(client)
    assert len(re.findall(r">\s*计算\s*</button>", html)) == 1
    hidden = re.search(r'<button type="submit" class="default-submit"[^>]*>(.*?)</button>', html, re.S)
    assert hidden and hidden.group(1).strip() == ""  # the Enter-key default has no text
    assert 'aria-hidden="true"' in hidden.group(0)


def test_pages_link_the_favicon(client):
    for url in ("/", "/policies/", "/about/"):
        html = client.get(url).content.decode()
        assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg" type="image/svg\+xml">', html), url


def test_favicon_ico_view_serves_an_icon():
    response = views.favicon(RequestFactory().get("/favicon.ico"))
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header


def test_the_out_of_date_texts_are_in_the_page_for_the_script(client):
    # calculator.js fills the live region beside 计算 and puts the note above the results
    # when the form is edited after a result; the texts come translated with the page.
    html = page(client)
    status = re.search(r'<p id="form-status" class="form-status" role="status"\s+data-stale-text="([^"]+)"[^>]*></p>', html)
    assert status and status.group(1).startswith("表单已更改")
    # And what it says when a request fails (htmx swaps nothing then): a 429, another error, no network.
    assert 'data-busy-text="操作太频繁' in status.group(0) and 'data-error-text="出了点问题' in status.group(0)
    assert 'data-offline-text="没有连上网站' in status.group(0)
    assert '<template id="stale-note-template"><p class="stale-note"><strong>结果已过期：</strong>' in html
    client.cookies["django_language"] = "en"
    assert 'data-stale-text="The form has changed' in page(client)


def test_python_field_writes_what_the_field_template_writes():
    """govform.Field (Python) and govform/field.html give the same markup, errors and hints
    included, for every field of the person, the radios too."""
    from django.template.loader import render_to_string

    from calculator.web.govform import field_html

    data = {"region": "wuhan", "age": "abc", "retired_on": "2025-02-30", "flexible_employment": "on", "account_balance": "12,50"}
    form = CalculatorForm(data)
    form.add_error("age", "年龄必须是整数。")
    form.add_error("flexible_employment", "示例错误。")
    form.add_error("status", "请选择参保身份 & <身份>。")
    for name in form.fields:
        bound = form[name]
        assert field_html(bound) == render_to_string("govform/field.html", {"field": bound}), name
    unbound = CalculatorForm()
    assert field_html(unbound["status"]) == render_to_string("govform/field.html", {"field": unbound["status"]})


def test_python_fieldset_writes_what_its_template_writes():
    """govform.Fieldset (Python) against govform/layout/fieldset.html."""
    from django.template import Context
    from django.template.loader import render_to_string

    from calculator.web.govform import Fieldset

    form = CalculatorForm()
    form.crispy_field_template = None  # as FormHelper.render_layout sets it
    fieldset = Fieldset("参保人 & <人>", "age", css_class="panel", legend_class="panel-title", data_x="1")
    fields = fieldset.get_rendered_fields(form, Context({}), "govform")
    theirs = render_to_string("govform/layout/fieldset.html", {"fieldset": fieldset, "fields": fields})
    assert fieldset.render(form, Context({}), "govform") == theirs


def test_python_details_writes_what_its_template_writes():
    """govform.Details (Python) against govform/layout/details.html."""
    from django.template import Context
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from calculator.web.govform import Details

    form = CalculatorForm()
    form.crispy_field_template = None  # as FormHelper.render_layout sets it
    for is_open in (False, True):
        details = Details("选填", "account_balance", css_class="optional")
        fields = details.get_rendered_fields(form, Context({}), "govform")
        form.optional_open = lambda is_open=is_open: is_open
        details.open_if = "optional_open"
        theirs = render_to_string("govform/layout/details.html", {"details": details, "summary": details.summary, "is_open": is_open, "fields": mark_safe(fields)})
        assert details.render(form, Context({}), "govform") == theirs


# --- The visit rows, written in Python (calculator/web/visit_rows.py) ---------------------------


class _Controls(HTMLParser):
    """Each input and select of some HTML: its attributes, and a select's options."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: dict[str, dict] = {}
        self._select: dict | None = None
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.controls[attrs["name"]] = attrs
        elif tag == "select":
            self._select = self.controls[attrs["name"]] = {**attrs, "options": []}
        elif tag == "option" and self._select is not None:
            self._option = [attrs["value"], "selected" in attrs, ""]
            self._select["options"].append(self._option)

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None
        elif tag == "select":
            self._select = None


def _controls(html: str) -> dict[str, dict]:
    parser = _Controls()
    parser.feed(html)
    return parser.controls


# The attributes said once on the <form>, and text, an input's default type.
_ON_THE_FORM = {"autocomplete": "off", "spellcheck": "false"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_visit_rows_hold_what_djangos_widgets_hold(language):
    """Every control of a row, typed values, errors and autofocus included, has the attributes,
    options and selection Django's own widget rendering gives it; later rows' inputs also
    point to the first row's hints."""
    from django.utils import translation

    from calculator.web.visit_rows import visit_rows_html

    data = QueryDict(mutable=True)
    data.update({"visits-0-date": "2025-02-30", "visits-0-level": "2", "visits-0-setting": "pharmacy",
                 "visits-0-total": '<b>"1', "visits-0-inpatient_stay": "on", "visits-0-price_class": "3",
                 "visits-1-date": "2024-03-01", "visits-1-total": "12,50", "visits-1-offsite": "filed", "visits-1-chronic": "on"})
    with translation.override(language):
        rows = [VisitForm(data, row=0, autofocus=True), VisitForm(data, row=1), VisitForm(row=2)]
        rows[0].add_error("total", "费用总额必须是金额（元）。")
        rows[1].add_error("offsite", "示例 & <错误>")
        ours = _controls(visit_rows_html(rows, can_remove=True))
        compared = 0
        for row in rows:
            for name in row.fields:
                bound = row[name]
                theirs = _controls(str(bound))[bound.html_name]
                mine = ours[bound.html_name]
                if theirs.get("type") == "text":
                    assert "type" not in mine
                    theirs = {k: v for k, v in theirs.items() if k != "type" and not (k in _ON_THE_FORM and _ON_THE_FORM[k] == v)}
                described = mine.pop("aria-describedby", ""), theirs.pop("aria-describedby", "")
                assert mine == theirs, bound.html_name
                if row.row == 0 or not rows[0].fields[name].help_text:
                    assert described[0] == described[1], bound.html_name
                else:  # the hint shown once, on the first row
                    assert described[0].split()[0] == f"id_visits-0-{name}_helptext", bound.html_name
                compared += 1
    assert compared == 3 * len(VisitForm.base_fields)
    assert ours["visits-0-date"]["autofocus"] is None and "autofocus" not in ours["visits-1-date"]
    assert ours["visits-0-total"]["value"] == '<b>"1' and ours["visits-0-total"]["aria-invalid"] == "true"
    assert [o[0] for o in ours["visits-1-offsite"]["options"] if o[1]] == ["filed"]


def test_a_visit_row_reads_as_before(client):
    html = page(client, {"region": "shanxi", "status": "employed", "age": "45", "visits-0-total": "-5",
                         "visits-0-date": "2024-03-01", "visits-1-date": "2024-03-02", "visits-1-total": "9"})
    row = re.search(r'<fieldset class="visit-row has-errors" id="visit-row-0">.*?</fieldset>', html, re.S).group(0)
    assert '<legend>第 1 次就诊</legend>' in row
    total = re.search(r'<div class="field-error"><label for="id_visits-0-total">费用总额</label>(.*?)</div>', row).group(1)
    assert '<p class="hint" id="id_visits-0-total_helptext">单位：元。结算单上的“医疗费总额”。</p>' in total
    assert '<p class="error-message" id="id_visits-0-total_error"><span class="visually-hidden">错误：</span>费用总额不能为负数。</p>' in total
    assert 'value="-5"' in total
    assert '<details class="more" open><summary>更多选项</summary>' not in row  # nothing set in it
    assert '<label for="id_visits-0-price_class">山西收费类别</label>' in row  # a 山西 option
    # Its hint names the regions whose rates go by price class from the data (山西's versions:
    # fund_ratio keyed by price_class), not from a sentence written for 山西.
    assert '<p class="hint" id="id_visits-0-price_class_helptext">仅山西省（晋城市等）：支付比例和起付标准按医疗机构的收费类别区分；不清楚就按级别推定。</p>' in row
    assert '<button type="submit" name="remove_visit" value="0" class="button button-remove" hx-get="/">删除第 1 次就诊</button>' in row
    second = re.search(r'<fieldset class="visit-row has-errors" id="visit-row-1">.*?</fieldset>', html, re.S).group(0)
    assert 'class="hint"' not in second  # hints once, on the first row
    # The second row's missing level (山西 rates by level) is reported in the same answer as
    # the first row's amount, not after it is corrected.
    assert "请选择医疗机构级别" in second


def test_each_visit_row_is_its_forms_crispy_layout(client):
    # A visit row has a FormHelper (govform pack) whose layout writes the row; {% crispy %} on a
    # row form gives the same row the page shows.
    from django.template import engines

    assert VisitForm.helper.template_pack == "govform" and VisitForm.helper.form_tag is False
    query = {"region": "wuhan", "visits-0-date": "2024-03-01", "visits-0-level": "2", "visits-0-total": "120", "visits-1-total": "x"}
    html = page(client, query)
    data = QueryDict(urlencode(query))
    for row in (0, 1):
        form = VisitForm(data, row=row, region="wuhan")
        form.shared_hints = {} if row == 0 else {"date": "id_visits-0-date_helptext"}
        theirs = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}").render(
            {"form": form, "can_remove": True, "home_url": "/", "texts": None}
        )
        assert f'id="visit-row-{row}"' in theirs and 'name="visits-%d-total"' % row in theirs
        if row == 0:  # no error on it: the very row the page shows
            assert theirs.strip() in html


@pytest.mark.parametrize("error", [None, "参保信息有误 <请核对>"])
def test_person_fields_written_in_python_are_what_crispy_gave(error):
    # The page writes CalculatorForm through govform.form_html instead of {% crispy %}:
    # the same markup, with a form-wide error first when there is one.
    from django.template import engines

    from calculator.web.forms import CalculatorForm

    form = CalculatorForm({"region": "shanghai", "status": "retired", "age": "x", "account_balance": "5"})
    form.full_clean()
    if error:
        form.add_error(None, error)
    theirs = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}").render({"form": form})
    assert form.fields_html() == theirs
    assert ('role="alert"' in theirs) == bool(error)


def test_the_person_fields_shared_between_pages_carry_nothing_from_one_page_to_the_next(client):
    # _person_fields shares prepared fields between forms: a chosen region's hint, a region's
    # unasked options and a page's errors must stay on that page.
    from calculator.web.forms import CalculatorForm

    blank = CalculatorForm().fields_html()
    shanghai = CalculatorForm({"region": "shanghai", "status": "retired", "age": "x"})
    shanghai.add_error("age", "年龄有误")
    chosen = shanghai.fields_html()
    assert "年龄有误" in chosen and chosen != blank
    assert "prior_years_balance" in chosen
    xuzhou = CalculatorForm({"region": "xuzhou"}).fields_html()
    assert "prior_years_balance" not in xuzhou  # 历年账户: 上海 only
    assert CalculatorForm().fields_html() == blank
