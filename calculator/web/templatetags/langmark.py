"""``{{ text|zh_parts }}``: govform.marked in templates (Chinese runs marked lang="zh-Hans" on an
English page), so the field templates write what govform's Python writes."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from calculator.web.govform import marked

register = template.Library()


@register.filter
def zh_parts(value: object) -> SafeString:
    return mark_safe(marked(value))  # noqa: S308 - marked() escapes the text first
