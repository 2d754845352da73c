"""A per-address limit on saving, importing and exporting (the pages' POSTs and downloads).

``calculator.ops.middleware`` limits the API and the calculator page (``GET /?…``); the
enquiry pages are elsewhere, so they count here, in the same way (fixed windows in Django's
cache, per client address, failing open if the cache is down), under their own setting
``ENQUIRY_RATELIMIT`` (``DJANGO_RATELIMIT_ENQUIRY``, default 60 per 60 s).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from calculator.ops.middleware import over_limit


def refused(request: HttpRequest) -> HttpResponse | None:
    if not settings.RATELIMIT_ENABLED:
        return None
    limit, seconds = getattr(settings, "ENQUIRY_RATELIMIT", (60, 60))
    return over_limit(request, "enquiries", limit, seconds)


def limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return refused(request) or view(request, *args, **kwargs)

    return wrapper
