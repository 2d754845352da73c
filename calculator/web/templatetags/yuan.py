"""Formatting of the engine's money strings for display ("1200.00" → "1,200.00 元")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
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
    language = get_language() or ""
    unit = _UNITS.get(language)
    if unit is None:
        unit = _UNITS[language] = _("%(amount)s 元")
    return unit % {"amount": grouped}


@register.filter
def amount(value: Any) -> str:
    """An amount without its unit, for table cells whose heading names the unit."""
    grouped = _grouped(value)
    return "—" if grouped is None else grouped


@register.filter
def nonzero(value: Any) -> bool:
    """True when an amount string is present and not zero (for optional slip lines)."""
    if value is None or value == "":
        return False
    try:
        return Decimal(str(value)) != 0
    except InvalidOperation:
        return False


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
