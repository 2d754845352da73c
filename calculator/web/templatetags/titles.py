"""Document titles inside 《》 (book-title marks nested as 〈〉)."""

from django import template

from calculator.rules.messages import inner_title as _inner_title

register = template.Library()


@register.filter
def inner_title(title: str) -> str:
    """``《{{ title|inner_title }}》``: the title's own 《》 become 〈〉."""
    return _inner_title(str(title or ""))
