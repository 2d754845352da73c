"""The page frame's parts that are the same for every request in a language, rendered once.

``{% once "name" key… %}…{% endonce %}`` renders its content the first time it is met in a
language (and for the given keys, e.g. which menu item is the current page) and gives the same
markup afterwards: the site's header and footer, the calculator's headings and buttons are
some thirty ``{% translate %}``, ``{% url %}`` and ``{% static %}`` look-ups a page. What is
inside must not depend on the request beyond the language and its keys (never a member's
figures, the CSRF token or the page's address): the cache lives as long as the process.

``{% nav_page as current %}`` names the menu item of this page (``home``, ``policies``,
``about`` or ``""``), a key with few values for the header's ``once``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

_RENDERED: dict[tuple[Any, ...], SafeString] = {}
_MAX_ENTRIES = 512  # the keys are few (name × language × a handful of values): a bound, not a policy


class OnceNode(template.Node):
    def __init__(self, nodelist: template.NodeList, keys: list[template.base.FilterExpression]) -> None:
        self.nodelist = nodelist
        self.keys = keys

    def render(self, context: template.Context) -> SafeString:
        # The language and script prefix are looked up once per rendering (each is a
        # context-local read in Django), not at each of the page's dozen {% once %} blocks.
        head = getattr(context, "once_head", None)
        if head is None:
            head = context.once_head = (get_language(), get_script_prefix())
        key = (*head, *(k.resolve(context) for k in self.keys))
        html = _RENDERED.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context))
            if len(_RENDERED) < _MAX_ENTRIES:
                _RENDERED[key] = html
        return html


@register.tag
def once(parser: template.base.Parser, token: template.base.Token) -> OnceNode:
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% once %} needs a name: {% once \"header\" %}")
    keys = [parser.compile_filter(bit) for bit in bits]
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist, keys)


_NAV = ("home", "policies", "about")
_NAV_PATHS: dict[str, dict[str, str]] = {}


@register.simple_tag(takes_context=True)
def nav_page(context: Any) -> str:
    request = context.get("request")
    if request is None:
        return ""
    prefix = get_script_prefix()
    paths = _NAV_PATHS.get(prefix)
    if paths is None:
        paths = _NAV_PATHS[prefix] = {reverse(f"web:{name}"): name for name in _NAV}
    return paths.get(request.path, "")


@receiver(setting_changed)
def _forget(**kwargs: Any) -> None:
    """A test that changes a setting (static files, debug, languages) gets a fresh frame."""
    _RENDERED.clear()
    _NAV_PATHS.clear()
