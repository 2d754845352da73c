"""``{{ text|zh_parts }}``: govform.marked in templates (Chinese runs marked lang="zh-Hans" on an
English page), so the field templates write what govform's Python writes."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from calculator.web.govform import flex_text, marked, marked_html

register = template.Library()


@register.filter
def zh_parts(value: object) -> SafeString:
    return mark_safe(marked(value))  # noqa: S308 - marked() escapes the text first


@register.filter
def zh_parts_html(value: object) -> SafeString:
    """``{% filter zh_parts_html %}…{% endfilter %}``: a block's rendered markup, its Chinese text
    marked on an English page (policy library, about page: region names, glossed terms)."""
    return mark_safe(marked_html(str(value)))  # noqa: S308 - the block was rendered (escaped) already


@register.filter
def zh_parts_flex(value: object) -> SafeString:
    """``zh_parts`` for the text of a flex box (a ``<summary>``): one item, marks and all."""
    return mark_safe(flex_text(marked(value)))  # noqa: S308 - marked() escapes the text first
