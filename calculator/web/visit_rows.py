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
from django.template import Context
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from calculator.web.govform import _attrs, _esc, flex_text, marked

if TYPE_CHECKING:
    from calculator.web.forms import VisitForm


class _Parts:
    """What a field writes the same on every row: made once per (shared) field object."""

    def __init__(self, field: forms.Field) -> None:
        widget = field.widget
        self.checkbox = isinstance(widget, forms.CheckboxInput)
        self.select = isinstance(widget, forms.Select)
        # Fields are made per language: the Chinese in an English label is marked once here.
        # A checkbox's label is a flex box (app.css): its text and its marks one item (flex_text).
        self.label = flex_text(marked(field.label)) if self.checkbox else marked(field.label)
        self.hint = marked(field.help_text) if field.help_text else ""
        self.attrs = _attrs(widget.attrs)  # the widget's own (class, inputmode, autofocus …)
        # A select's options, each unselected and selected; the first whose value matches the
        # typed one is selected, as Django's.
        self.options = [
            (str(value), f'<option value="{_esc(value)}">{_esc(label)}</option>', f'<option value="{_esc(value)}" selected>{_esc(label)}</option>')
            for value, label in (field.choices if self.select else ())
        ]


_PARTS: dict[int, tuple[forms.Field, _Parts]] = {}


def _parts(field: forms.Field) -> _Parts:
    cached = _PARTS.get(id(field))
    if cached is None or cached[0] is not field:
        cached = _PARTS[id(field)] = (field, _Parts(field))
    return cached[1]


def _control(visit: VisitForm, name: str, parts: _Parts, field: forms.Field, attrs: str) -> str:
    html_name = visit.add_prefix(name)
    value = visit.raw(name)
    if parts.checkbox:
        checked = " checked" if field.widget.check_test(value) else ""
        return f'<input type="checkbox" name="{html_name}"{checked}{attrs}>'
    if parts.select:
        chosen = "" if value is None else str(value)
        options = []
        for option, plain, selected in parts.options:
            if chosen is not None and option == chosen:
                options.append(selected)
                chosen = None  # one selected option, as Django's
            else:
                options.append(plain)
        return f'<select name="{html_name}"{attrs}>{"".join(options)}</select>'
    shown = "" if value in (None, "") else f' value="{_esc(value)}"'
    return f'<input name="{html_name}"{shown}{attrs}>'


def _field(visit: VisitForm, name: str, errors: Any, error_prefix: str) -> str:
    field = visit.fields[name]
    parts = _parts(field)
    auto_id = f"id_{visit.prefix}-{name}"
    described = ""
    hint = ""
    if parts.hint:
        hint = f'<p class="hint" id="{auto_id}_helptext">{parts.hint}</p>'
        described = f"{auto_id}_helptext"
    elif name in visit.shared_hints:
        described = visit.shared_hints[name]
    error = ""
    extra = ""
    if errors:
        error = f'<p class="error-message" id="{auto_id}_error">{error_prefix}{marked(errors[0])}</p>'
        described = f"{described} {auto_id}_error" if described else f"{auto_id}_error"
    if described:
        extra = f' aria-describedby="{described}"'
    if errors:
        extra += ' aria-invalid="true"'
    control = _control(visit, name, parts, field, f'{parts.attrs}{extra} id="{auto_id}"')
    # A row's fields are the <div>s of its .visit-fields (app.css gives them .field's style).
    if parts.checkbox:
        css = "field-checkbox field-error" if errors else "field-checkbox"
        return f'<div class="{css}">{control}<label for="{auto_id}">{parts.label}</label>{hint}{error}</div>'
    css = ' class="field-error"' if errors else ""
    return f'<div{css}><label for="{auto_id}">{parts.label}</label>{hint}{error}{control}</div>'


def _texts() -> dict[str, str]:
    return {
        "error": f'<span class="visually-hidden">{_esc(gettext("错误："))}</span>',
        "title": gettext("第 %(number)s 次就诊"),
        "remove": gettext("删除第 %(number)s 次就诊"),
        "more": flex_text(marked(gettext("更多选项"))),
    }


def visit_row_html(visit: VisitForm, *, can_remove: bool, home_url: str, texts: dict[str, str] | None = None) -> str:
    """One ``<fieldset class="visit-row">``: title, the main fields, 更多选项, 删除."""
    texts = texts or _texts()
    errors = visit.errors
    fields = visit.fields
    main = "".join(_field(visit, name, errors.get(name), texts["error"]) for name in visit.MAIN_FIELDS if name in fields)
    more = "".join(_field(visit, name, errors.get(name), texts["error"]) for name in visit.MORE_FIELDS if name in fields)
    number = {"number": visit.number}
    opened = " open" if visit.more_open() else ""
    remove = ""
    if can_remove:
        remove = (
            f'<button type="submit" name="remove_visit" value="{visit.row}" class="button button-remove"'
            f' hx-get="{home_url}">{_esc(texts["remove"] % number)}</button>'
        )
    css = " has-errors" if errors else ""
    return (
        f'<fieldset class="visit-row{css}" id="visit-row-{visit.row}"><legend>{_esc(texts["title"] % number)}</legend>'
        f'<div class="visit-fields">{main}</div>'
        f'<details class="more"{opened}><summary>{texts["more"]}</summary>'
        f'<div class="visit-fields">{more}</div></details>{remove}</fieldset>\n'
    )


def row_html(visit: VisitForm, context: Any) -> str:
    """``VisitForm.helper``'s layout: the row, with what every row of the page shares."""
    return visit_row_html(
        visit, can_remove=context["can_remove"], home_url=context["home_url"], texts=context["texts"]
    )


def visit_rows_html(visits: list[VisitForm], *, can_remove: bool) -> SafeString:
    """All the rows of the page, in order, each through its form's crispy layout."""
    context = Context({"can_remove": can_remove, "home_url": reverse("web:home"), "texts": _texts()})
    return mark_safe("".join(visit.helper.layout.render(visit, context) for visit in visits))
