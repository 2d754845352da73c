"""The calculator's visit rows, written in Python: one string per row, no template per field.

A page holds up to 50 rows of up to 10 fields; rendered through crispy-forms and Django's
widget templates (a BoundField, a widget context and a template per field) the rows were
most of the results page's render time. This writes the same accessible structure as the
person's fields (``govform/field.html``) with lighter markup:

* each field is a ``<div>`` (styled as ``.field``) with its ``<label for>``, its hint (first row only;
  later rows point to it with aria-describedby), its error (``aria-invalid`` and
  aria-describedby on the input) and the input; a checkbox comes before its label;
* what every input had in common is said once on the ``<form>``: ``autocomplete="off"`` and
  ``spellcheck="false"`` (both inherited), and ``type="text"`` is the default.

The values kept after errors are what was typed (the bound data, as Django's widgets would
show it); the options, labels and hints are the form's fields' (``VisitForm``).
``tests/web/test_forms_rendering.py`` compares each control with Django's own rendering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from calculator.web.govform import _attrs, _esc

if TYPE_CHECKING:
    from calculator.web.forms import VisitForm


def _control(visit: VisitForm, name: str, field: forms.Field, attrs: dict[str, Any]) -> str:
    html_name = visit.add_prefix(name)
    value = visit.raw(name)
    widget = field.widget
    if isinstance(widget, forms.CheckboxInput):
        checked = " checked" if widget.check_test(value) else ""
        return f'<input type="checkbox" name="{html_name}"{checked}{_attrs(attrs)}>'
    if isinstance(widget, forms.Select):
        chosen = "" if value is None else str(value)
        parts = [f'<select name="{html_name}"{_attrs(attrs)}>']
        for option, label in field.choices:
            selected = ""
            if chosen is not None and str(option) == chosen:
                selected, chosen = " selected", None  # one selected option, as Django's
            parts.append(f'<option value="{_esc(option)}"{selected}>{_esc(label)}</option>')
        parts.append("</select>")
        return "".join(parts)
    shown = "" if value in (None, "") else f' value="{_esc(value)}"'
    return f'<input name="{html_name}"{shown}{_attrs(attrs)}>'


def _field(visit: VisitForm, name: str, error_prefix: str) -> str:
    field = visit.fields[name]
    auto_id = f"id_{visit.add_prefix(name)}"
    errors = visit.errors.get(name)
    described = []
    hint = ""
    if field.help_text:
        hint = f'<p class="hint" id="{auto_id}_helptext">{_esc(field.help_text)}</p>'
        described.append(f"{auto_id}_helptext")
    elif name in visit.shared_hints:
        described.append(visit.shared_hints[name])
    error = ""
    if errors:
        error = f'<p class="error-message" id="{auto_id}_error">{error_prefix}{_esc(errors[0])}</p>'
        described.append(f"{auto_id}_error")
    attrs = dict(field.widget.attrs)
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if errors:
        attrs["aria-invalid"] = "true"
    attrs["id"] = auto_id
    control = _control(visit, name, field, attrs)
    label = _esc(field.label)
    # A row's fields are the <div>s of its .visit-fields (app.css gives them .field's style).
    if isinstance(field.widget, forms.CheckboxInput):
        css = "field-checkbox field-error" if errors else "field-checkbox"
        return f'<div class="{css}">{control}<label for="{auto_id}">{label}</label>{hint}{error}</div>'
    css = ' class="field-error"' if errors else ""
    return f'<div{css}><label for="{auto_id}">{label}</label>{hint}{error}{control}</div>'


def visit_row_html(visit: VisitForm, *, can_remove: bool, home_url: str, error_prefix: str = "") -> str:
    """One ``<fieldset class="visit-row">``: title, the main fields, 更多选项, 删除."""
    if not error_prefix:
        error_prefix = f'<span class="visually-hidden">{_esc(gettext("错误："))}</span>'
    main = "".join(_field(visit, name, error_prefix) for name in visit.MAIN_FIELDS if name in visit.fields)
    more = "".join(_field(visit, name, error_prefix) for name in visit.MORE_FIELDS if name in visit.fields)
    title = gettext("第 %(number)s 次就诊") % {"number": visit.number}
    opened = " open" if visit.more_open() else ""
    remove = ""
    if can_remove:
        text = gettext("删除第 %(number)s 次就诊") % {"number": visit.number}
        remove = (
            f'<button type="submit" name="remove_visit" value="{visit.row}" class="button button-remove"'
            f' hx-get="{home_url}">{_esc(text)}</button>'
        )
    css = " has-errors" if visit.errors else ""
    return (
        f'<fieldset class="visit-row{css}" id="visit-row-{visit.row}"><legend>{_esc(title)}</legend>'
        f'<div class="visit-fields">{main}</div>'
        f'<details class="more"{opened}><summary>{_esc(gettext("更多选项"))}</summary>'
        f'<div class="visit-fields">{more}</div></details>{remove}</fieldset>\n'
    )


def visit_rows_html(visits: list[VisitForm], *, can_remove: bool) -> SafeString:
    """All the rows of the page, in order."""
    home_url = reverse("web:home")
    error_prefix = f'<span class="visually-hidden">{_esc(gettext("错误："))}</span>'
    return mark_safe(
        "".join(visit_row_html(v, can_remove=can_remove, home_url=home_url, error_prefix=error_prefix) for v in visits)
    )
