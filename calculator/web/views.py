"""Web UI views: thin function views over the calculation contract and the engine.

The calculator is a GET form, so every result has a URL that can be bookmarked and the page
works without JavaScript. With htmx the same requests come back as partials of the same
template (``web/home.html#calculator`` or ``#visits``); ``Vary: HX-Request`` keeps caches
from mixing the two.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.vary import vary_on_headers
from django_htmx.middleware import HtmxDetails

from calculator.rules.contract import echo_cut, parse_request
from calculator.rules.engine import calculate
from calculator.i18n import edge_translate
from calculator.ops.responses import safe_only
from calculator.web import policies
from calculator.web.forms import ACTION_KEYS, calculator_state
from calculator.web.results import present


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _partial(request: HtmxHttpRequest) -> str | None:
    """Which part of the page an htmx request asked for (None: the whole page)."""
    if not request.htmx or request.htmx.history_restore_request:
        return None
    return "visits" if request.htmx.target == "visits" else "calculator"


# A visit's options whose absence reads the same as their first choice (VisitForm.contract_data).
_ROW_DEFAULTS = {"setting": "clinic", "offsite": "none"}


def _page_query(request: HttpRequest) -> str:
    """This page's query string as short as it means the same: without the add/remove
    buttons, the fields left empty (a browser sends every field of the form; an absent field
    reads as an empty one) and a visit's options left at their default. A row keeps its
    date, so no row is lost."""
    query = []
    for key, values in request.GET.lists():
        if key in ACTION_KEYS:
            continue
        default = _ROW_DEFAULTS.get(key.rsplit("-", 1)[-1]) if key.startswith("visits-") else None
        # A value longer than any answer (an error at its field) is written back cut and
        # marked, as the fields show it (issue 9: at most 100 characters echoed): the language
        # switch's link refuses it again rather than calculating the cut value.
        query += [(key, echo_cut(v)) for v in values if (v != "" and v != default) or key.endswith("-date")]
    return urlencode(query)


def _page_url(request: HttpRequest, query: str) -> str:
    """This page's URL, for bookmarks, the printed page and the language switch."""
    return request.path + ("?" + query if query else "")


@safe_only
@vary_on_headers("HX-Request", "HX-Target", "HX-History-Restore-Request")
def home(request: HtmxHttpRequest) -> HttpResponse:
    state = calculator_state(request.GET)
    result = None
    if state.too_many_rows:
        state.refuse_too_many_rows()
    elif state.submitted and state.action is None:
        data, rows = state.contract_data()
        calc_request, errors = parse_request(data, form=True)
        errors = state.with_input_errors(errors)
        if errors:
            state.apply_errors(errors, rows)
        elif calc_request is not None:
            result = present(calculate(calc_request, edge_translate()), calc_request, data)
    partial = _partial(request)
    query = _page_query(request)
    context: dict[str, Any] = {
        "state": state,
        "result": result,
        "page_query": query,  # what 保存 and the downloads send (web/_result_actions.html)
        "page_url": _page_url(request, query),
        # After an htmx calculation the address bar shows the new URL; the language switch
        # must come back to it, so the partial updates the switch's ``next`` out of band.
        "oob_language_next": partial == "calculator",
    }
    template = "web/home.html"
    if partial:
        template += f"#{partial}"
    return render(request, template, context)


@safe_only
def policy_library(request: HttpRequest) -> HttpResponse:
    return render(request, "web/policies.html", {"library": policies.library()})


@safe_only
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "web/about.html", {"library": policies.library()})


@safe_only
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico, for what asks for it without reading the page's <link rel="icon">."""
    return FileResponse((settings.BASE_DIR / "static" / "favicon.ico").open("rb"), content_type="image/x-icon")
