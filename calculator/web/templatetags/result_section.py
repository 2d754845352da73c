"""``{% results_section %}``: the results section up to its actions, written in Python
(``calculator/web/result_html.py``) from the context's ``result``, ``request`` and
``page_url``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from calculator.web.result_html import results_section_html

register = template.Library()


@register.simple_tag(takes_context=True)
def results_section(context: Any) -> SafeString:
    request = context.get("request")
    address = f"{request.scheme}://{request.get_host()}" if request is not None else "://"
    return results_section_html(context["result"], address + str(context.get("page_url") or ""))
