"""Formatting of the engine's money strings for display ("1200.00" → "1,200.00 元")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from collections.abc import Callable
from typing import Any

from django import template
from django.utils.translation import get_language, gettext as _

register = template.Library()


def _grouped(value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return f"{number:,.2f}"


_UNITS: dict[str, str] = {}  # "%(amount)s 元" in each language (a results page formats ~100 amounts)


@register.filter
def yuan(value: Any) -> str:
    """An amount with its unit; an empty value shows as a dash."""
    grouped = _grouped(value)
    if grouped is None:
        return "—"
    return _unit() % {"amount": grouped}


def _unit() -> str:
    language = get_language() or ""
    unit = _UNITS.get(language)
    if unit is None:
        unit = _UNITS[language] = _("%(amount)s 元")
    return unit


def yuan_formatter() -> Callable[[Any], str]:
    """``yuan`` for one page: the unit in the active language looked up once, not for each of
    the page's ~100 amounts."""
    unit = _unit()

    def money(value: Any) -> str:
        grouped = _grouped(value)
        return "—" if grouped is None else unit % {"amount": grouped}

    return money


@register.filter
def amount(value: Any) -> str:
    """An amount without its unit, for table cells whose heading names the unit."""
    grouped = _grouped(value)
    return "—" if grouped is None else grouped


@register.filter
def grouped(value: Any) -> Any:
    """``amount`` where the value is an amount ("2400.00" → "2,400.00"); anything else (None, "")
    as it is, for the caller's own default."""
    text = _grouped(value)
    return value if text is None else text


@register.filter
def units_kept(text: Any) -> str:
    """Text (escaped) whose amounts keep their unit and whose dates stay whole on a narrow
    screen, as the results' sentences do (result_html._sentence): "7,000 元" never "7,000 / 元"."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    from calculator.web.result_html import _whole_dates

    html = str(escape(text)).replace(" 元", "\u00a0元").replace(" yuan", "\u00a0yuan")
    return mark_safe(_whole_dates(html) if "-" in html else html)
