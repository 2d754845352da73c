"""Template helpers for the enquiry parts of the calculator page."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from calculator.ops.responses import megabytes

register = template.Library()


CARRIED = (
    "region", "status", "age", "retired_on", "flexible_employment", "contribution_base",
    "account_balance", "prior_years_balance", "chronic_disease_count",
)


@register.simple_tag
def retention_days() -> int:
    return int(getattr(settings, "ENQUIRY_RETENTION_DAYS", 180))


@register.simple_tag(takes_context=True)
def import_carry(context: Any) -> list[tuple[str, str]]:
    """The person's fields to keep when visits are imported (the page's last submitted inputs;
    enquiries.js sends the live ones, and the rows as typed)."""
    carried = context.get("import_carry")
    if carried is not None:
        return carried
    request = context.get("request")
    if request is None:
        return []
    return [(name, request.GET.get(name, "")[:100]) for name in CARRIED if request.GET.get(name, "")]


@register.simple_tag
def import_limits() -> dict[str, int]:
    from calculator.web.forms import MAX_ROWS

    return {
        "rows": settings.ENQUIRY_IMPORT_MAX_ROWS,
        "mb": megabytes(settings.ENQUIRY_IMPORT_MAX_BYTES),
        "bytes": settings.ENQUIRY_IMPORT_MAX_BYTES,
        "page_rows": MAX_ROWS,
    }
