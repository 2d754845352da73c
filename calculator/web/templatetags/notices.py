"""``notice_text``: a notice (assumption or warning) in the active language.

``{% with shown=notice.message|notice_text %}`` gives ``shown.0``, the text to show, and
``shown.1``, whether it was translated (untranslated text is Chinese: mark it ``lang``)."""

from __future__ import annotations

from django import template

from calculator.web.notices import notice_text as _notice_text

register = template.Library()


@register.filter
def notice_text(message: str | None) -> tuple[str, bool]:
    return _notice_text(message or "")
