"""The Python side of the ``govform`` crispy-forms template pack (``templates/govform/``).

Two things live here:

``Details``
    A crispy layout object for a ``<details>`` disclosure around some fields (更多选项, 选填),
    open when the form says so (a method name, e.g. ``more_open``), so a section with
    something filled in or wrong is never hidden.

``FastWidgetRenderer``
    A form renderer that writes the few widget templates our forms use (text, date, select,
    checkbox, radio option) in Python, byte for byte what Django's own templates give
    (``tests/web/test_forms_rendering.py`` compares the two). A page of 50 visit rows
    renders about 600 widgets and 2,000 ``<option>``\\ s; through the template engine that was
    most of the page's render time. Any other widget falls back to Django's templates.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from crispy_forms.layout import Div as CrispyDiv, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK, flatatt
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.utils.translation import get_language, gettext
from django.utils.safestring import SafeString, mark_safe

TEMPLATE_PACK_NAME = "govform"


class Details(LayoutObject):
    """``<details class="css_class"><summary>summary</summary><div class="details-body …">fields``.

    ``open_if`` names a method of the form; the disclosure is rendered open when it returns
    true.
    """

    template = "%s/layout/details.html"

    def __init__(
        self,
        summary: Any,
        *fields: Any,
        open_if: str | None = None,
        css_class: str = "",
        body_class: str = "details-body",
        template: str | None = None,
    ) -> None:
        self.fields = list(fields)
        self.summary = summary
        self.open_if = open_if
        self.css_class = css_class
        self.body_class = body_class
        self.template = template or self.template

    def render(self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any) -> SafeString:
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        is_open = bool(getattr(form, self.open_if)()) if self.open_if else False
        # govform/layout/details.html, written in Python.
        css = f' class="{_esc(self.css_class)}"' if self.css_class else ""
        opened = " open" if is_open else ""
        return mark_safe(
            f'<details{css}{opened}>\n  <summary>{flex_text(marked(self.summary))}</summary>\n'
            f'  <div class="{_esc(self.body_class)}">{fields}\n  </div>\n</details>\n'
        )


class Fieldset(LayoutObject):
    """``<fieldset class="css_class"><legend class="legend_class">legend</legend>fields``.

    crispy's own Fieldset compiles its legend as a template on every render; ours is plain
    (translated) text.
    """

    template = "%s/layout/fieldset.html"

    def __init__(self, legend: Any, *fields: Any, css_class: str = "", legend_class: str = "", **attrs: Any) -> None:
        self.fields = list(fields)
        self.legend = legend
        self.css_class = css_class
        self.legend_class = legend_class
        self.flat_attrs = flatatt(attrs)

    def render(self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any) -> SafeString:
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        # govform/layout/fieldset.html, written in Python.
        css = f' class="{_esc(self.css_class)}"' if self.css_class else ""
        legend_css = f' class="{_esc(self.legend_class)}"' if self.legend_class else ""
        return mark_safe(f"<fieldset{css}{self.flat_attrs}>\n  <legend{legend_css}>{marked(self.legend)}</legend>{fields}\n</fieldset>\n")


class Field(LayoutObject):
    """One field of the pack, written in Python: the same markup as ``govform/field.html``
    (label, hint, error, input; a checkbox before its label), without a template render per
    field (the template engine was most of the page's render time)."""

    def __init__(self, name: str) -> None:
        self.fields = [name]
        self.name = name

    def render(self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any) -> SafeString:
        if self.name not in form.fields:  # an option this form does not ask
            return mark_safe("")
        return mark_safe(field_html(form[self.name]))


def field_html(bound: Any) -> str:
    """``govform/field.html`` for a text, select, checkbox or radio field."""
    errors = bound.errors
    auto_id = bound.auto_id
    help_text = bound.help_text
    hint = f'<p class="hint" id="{auto_id}_helptext">{marked(help_text)}</p>' if help_text else ""
    error = (
        f'<p class="error-message" id="{auto_id}_error"><span class="visually-hidden">{_esc(gettext("错误："))}</span>{marked(errors[0])}</p>'
        if errors
        else ""
    )
    css = " field-error" if errors else ""
    label = marked(bound.label)
    if bound.widget_type == "radioselect":
        described = " ".join(([f"{auto_id}_helptext"] if help_text else []) + ([f"{auto_id}_error"] if errors else []))
        described = f' aria-describedby="{described}"' if described else ""
        radios = "".join(
            f'<div class="radio">{radio.tag()}<label for="{radio.id_for_label}">{flex_text(marked(radio.choice_label))}</label></div>'
            for radio in bound
        )
        return (
            f'<fieldset class="field field-radios{css}" id="{auto_id}"{described}>\n<legend class="field-label">{label}</legend>'
            f'{hint}{error}\n<div class="radios">{radios}</div>\n</fieldset>\n'
        )
    if bound.widget_type == "checkbox":
        # The label is a flex box (app.css): its text and its marked Chinese one item.
        return f'<div class="field field-checkbox{css}">{bound}<label for="{auto_id}">{flex_text(label)}</label>{hint}{error}</div>\n'
    return f'<div class="field{css}"><label for="{auto_id}">{label}</label>{hint}{error}{bound}</div>\n'


# --- Widgets without the template engine ---------------------------------------------


_NEEDS_ESCAPE = re.compile(r"[&<>\"']").search


def _esc(value: Any) -> str:
    # What conditional_escape gives (Django's escape is html.escape), without its lazy-string
    # wrapper: this runs for every attribute and option of up to 50 visit rows. Most values
    # (names, ids, dates, amounts) hold nothing to escape: one C search tells.
    if value.__class__ is str:
        return html.escape(value) if _NEEDS_ESCAPE(value) else value
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


# Chinese inside an English page's text (the slip's terms kept beside their English: "Insured
# region (参保地区)"): marked as Chinese, so that a screen reader reading English says them as
# Chinese instead of spelling or skipping them (WCAG 3.1.2). Ideographs, CJK punctuation and
# full-width forms; a Chinese page needs no mark.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e]+")


def marked(value: Any) -> str:
    """``value`` escaped, its Chinese runs in ``<span lang="zh-Hans">`` on an English page."""
    text = _esc(value)
    if not _CJK.search(text) or not (get_language() or "").startswith("en"):
        return text
    return _CJK.sub(_zh_span, text)


_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_VOID = frozenset({"br", "img", "input", "meta", "link", "hr", "wbr", "source"})


def marked_html(html: str) -> str:
    """``marked`` for markup (a page's block): the Chinese runs of its text, not of its tags and
    attributes, marked on an English page; text inside an element marked Chinese already (a
    quote, a title) is left as it is."""
    if not _CJK.search(html) or not (get_language() or "").startswith("en"):
        return html
    parts = _TAG.split(html)
    inside: str | None = None  # the element marked Chinese already that the text is in
    depth = 0
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            name = _TAG_NAME.match(part)
            if name is None:
                continue
            closing, tag = name.group(1), name.group(2).lower()
            if inside is None:
                if not closing and 'lang="zh-Hans"' in part and tag not in _VOID:
                    inside, depth = tag, 1
            elif tag == inside:
                depth += -1 if closing else 1
                if depth == 0:
                    inside = None
        elif inside is None and _CJK.search(part):
            parts[i] = _CJK.sub(_zh_span, part)
    return "".join(parts)


def flex_text(html: str) -> str:
    """Text for a flex box (a ``<summary>``): with a marked Chinese part it is wrapped in one
    ``<span>``, else the part would be a flex item of its own ("More options ( 更多选项 )")."""
    return f"<span>{html}</span>" if "<span" in html else html


def _zh_span(match: re.Match[str]) -> str:
    return f'<span lang="zh-Hans">{match.group(0)}</span>'


def _attrs(attrs: dict[str, Any]) -> str:
    # django/forms/widgets/attrs.html
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_esc(name)}")
        else:
            out.append(f' {_esc(name)}="{_esc(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    # django/forms/widgets/input.html
    value = widget["value"]
    value_attr = f' value="{_esc(value)}"' if value is not None else ""
    return f'<input type="{_esc(widget["type"])}" name="{_esc(widget["name"])}"{value_attr}{_attrs(widget["attrs"])}>'


def _input_option(widget: dict[str, Any]) -> str:
    # django/forms/widgets/input_option.html
    if not widget.get("wrap_label"):
        return _input(widget)
    label_for = f' for="{_esc(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    return f"<label{label_for}>{_input(widget)} {_esc(widget['label'])}</label>"


def _option(option: dict[str, Any]) -> str:
    # django/forms/widgets/select_option.html
    return f'<option value="{_esc(option["value"])}"{_attrs(option["attrs"])}>{_esc(option["label"])}</option>'


def _select(widget: dict[str, Any]) -> str:
    # django/forms/widgets/select.html
    parts = [f'<select name="{_esc(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_esc(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != "django/forms/widgets/select_option.html":
                raise _Fallback
            # select_option.html ends with a newline, which the include keeps.
            parts.append(f"\n  {_option(option)}\n")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class _Fallback(Exception):
    """A widget context this module does not write: let Django's templates do it."""


_WRITERS: dict[str, Callable[[dict[str, Any]], str]] = {
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/text.html": _input,
    "django/forms/widgets/date.html": _input,
    "django/forms/widgets/checkbox.html": _input,
    "django/forms/widgets/radio_option.html": _input_option,
    "django/forms/widgets/select.html": _select,
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's default renderer, with the common widget templates written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        writer = _WRITERS.get(template_name)
        if writer is not None:
            try:
                return mark_safe(writer(context["widget"]).strip())
            except _Fallback:
                pass
        return super().render(template_name, context, request=request)


class Div(CrispyDiv):
    """crispy's ``Div`` written in Python (``govform/layout/div.html``)."""

    def render(self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any) -> SafeString:
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        css_id = f' id="{_esc(self.css_id)}"' if self.css_id else ""
        css = f' class="{_esc(self.css_class)}"' if self.css_class else ""
        return mark_safe(f"<div{css_id}{css}{self.flat_attrs}>{fields}\n</div>\n")


class Written(LayoutObject):
    """A layout object whose markup a Python function writes: ``write(form, context)``.

    The visit rows' layout is one of these (``calculator.web.visit_rows.row_html``): each row
    is still rendered through its form's ``FormHelper`` layout, as crispy renders any layout,
    without a template per field."""

    def __init__(self, write: Callable[[Any, Any], str]) -> None:
        self.write = write
        self.fields: list[Any] = []

    def render(self, form: Any, context: Any, template_pack: Any = TEMPLATE_PACK, **kwargs: Any) -> SafeString:
        return mark_safe(self.write(form, context))


def form_html(form: Any) -> SafeString:
    """``{% crispy form %}`` for a helper without a ``<form>`` tag (``govform/whole_uni_form.html``
    and ``errors.html``): the form's first non-field error, then its layout, written in Python
    by the layout objects above, without crispy's template node and its context copies."""
    errors = form.non_field_errors()
    error = (
        f'<div class="error-message" role="alert"><span class="visually-hidden">{_esc(gettext("错误："))}</span>{marked(errors[0])}</div>'
        if errors
        else ""
    )
    return mark_safe(f"{error}\n{form.helper.layout.render(form, Context())}\n")
