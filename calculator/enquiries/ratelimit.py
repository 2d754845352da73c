"""A per-address limit on saving, importing and exporting (the pages' POSTs and downloads).

``calculator.ops.middleware`` limits the API and the calculator page (``GET /?…``); the
enquiry pages are elsewhere, so they count here, in the same way (fixed windows in Django's
cache, per client address, failing open if the cache is down), under their own setting
``ENQUIRY_RATELIMIT`` (``DJANGO_RATELIMIT_ENQUIRY``, default 60 per 60 s).
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from calculator.ops.middleware import client_address
from calculator.ops.responses import error_response

logger = logging.getLogger(__name__)


def refused(request: HttpRequest) -> HttpResponse | None:
    if not settings.RATELIMIT_ENABLED:
        return None
    limit, seconds = getattr(settings, "ENQUIRY_RATELIMIT", (60, 60))
    if limit <= 0:
        return None
    now = time.time()
    window = int(now // seconds)
    key = f"enquiries:rl:{client_address(request)}:{window}"
    try:
        cache.add(key, 0, timeout=seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=seconds + 1)
            count = 1
    except Exception:  # a cache outage must not stop members: fail open
        logger.warning("rate-limit cache unavailable", exc_info=True)
        return None
    if count <= limit:
        return None
    retry_after = max(1, math.ceil((window + 1) * seconds - now))
    response = error_response(request, status=429, field="", message=_("请求过于频繁：请在 %(seconds)s 秒后再试。") % {"seconds": retry_after})
    response["Retry-After"] = str(retry_after)
    response.rate_limited = True  # type: ignore[attr-defined]
    return response


def limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return refused(request) or view(request, *args, **kwargs)

    return wrapper
