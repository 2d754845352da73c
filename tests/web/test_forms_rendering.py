"""How the forms render (issue 7): through crispy-forms with the govform pack, the same
accessible structure as before, the region list by name, one 计算 button, a favicon, and a
widget renderer that writes exactly what Django's templates write."""

from __future__ import annotations

import re
from html import unescape
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


def test_both_forms_render_through_their_crispy_helper_with_the_govform_pack():
    for form_class in (CalculatorForm, VisitForm):
        assert form_class.helper.template_pack == "govform"
        assert form_class.helper.form_tag is False  # one <form> holds the person and the rows


def test_a_field_with_hint_and_error_is_described_by_both(client):
    html = page(client, {"region": "xuzhou", "status": "employed", "age": "45", "visits-0-date": "2024-03-01", "visits-0-total": "-5"})
    block = re.search(r'<div class="field field-error">\s*<label class="field-label" for="id_visits-0-total">.*?</div>', html, re.S)
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


def test_disclosures_open_when_something_in_them_is_set(client):
    closed = page(client)
    assert '<details class="optional">' in closed and '<details class="more">' in closed
    opened = page(client, {"region": "xuzhou", "status": "employed", "age": "45", "account_balance": "100",
                           "visits-0-date": "2024-03-01", "visits-0-total": "100", "visits-0-offsite": "filed"})
    assert '<details class="optional" open>' in opened and '<details class="more" open>' in opened


# --- The widget renderer: byte for byte Django's templates ---------------------------------


def _bound_forms(renderer):
    data = QueryDict(mutable=True)
    data.update({"region": "wuhan", "status": "retired", "age": "6<7", "retired_on": "2010-08-01", "flexible_employment": "on",
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
    status = re.search(r'<p id="form-status" class="form-status" role="status"\s+data-stale-text="([^"]+)"></p>', html)
    assert status and status.group(1).startswith("表单已更改")
    assert '<template id="stale-note-template"><p class="stale-note"><strong>结果已过期：</strong>' in html
    client.cookies["django_language"] = "en"
    assert 'data-stale-text="The form has changed' in page(client)


def test_python_field_writes_what_the_field_template_writes():
    """govform.Field (Python) and govform/field.html give the same markup, errors and
    shared hints included, for every field of a visit row."""
    from django.template.loader import render_to_string

    from calculator.web.forms import VisitForm
    from calculator.web.govform import field_html

    data = {"visits-1-date": "2025-02-30", "visits-1-level": "3", "visits-1-total": "12,50", "visits-1-inpatient_stay": "on"}
    for row in (0, 1):
        form = VisitForm(data, row=row)
        form.add_error("total", "费用总额必须是金额（元）。")
        form.add_error("inpatient_stay", "示例错误。")
        for name in form.fields:
            bound = form[name]
            assert field_html(bound) == render_to_string("govform/field.html", {"field": bound}), name


def test_python_layout_objects_write_what_their_templates_write():
    """govform.Div and govform.Details (Python) against govform/layout/div.html and details.html."""
    from crispy_forms.layout import Div as CrispyDiv
    from django.template import Context
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from calculator.web.forms import VisitForm
    from calculator.web.govform import Details, Div

    form = VisitForm(row=0)
    form.crispy_field_template = None  # as FormHelper.render_layout sets it
    ours = Div("date", css_class="visit-fields").render(form, Context({}), "govform")
    fields = Div("date", css_class="visit-fields").get_rendered_fields(form, Context({}), "govform")
    theirs = render_to_string("govform/layout/div.html", {"div": CrispyDiv("date", css_class="visit-fields"), "fields": fields})
    assert ours == theirs
    for is_open in (False, True):
        details = Details("更多选项", "offsite", css_class="more", body_class="details-body visit-fields")
        fields = details.get_rendered_fields(form, Context({}), "govform")
        form.more_open = lambda is_open=is_open: is_open
        details.open_if = "more_open"
        theirs = render_to_string("govform/layout/details.html", {"details": details, "summary": details.summary, "is_open": is_open, "fields": mark_safe(fields)})
        assert details.render(form, Context({}), "govform") == theirs
