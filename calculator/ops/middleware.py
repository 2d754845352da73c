"""Request id and access log; request limits (rate, body size, malformed Content-Length).

``RequestLogMiddleware`` is the outermost middleware: it gives every request an id (the
proxy's ``X-Request-ID`` when it is a plain token, else a new one), answers with it in
``X-Request-ID``, logs one JSON line per request (method, path without the query string,
status, duration) and marks every answer that did not choose its own caching ``no-store``:
pages and API answers carry a member's figures and must stay out of shared caches.

``RequestLimitsMiddleware`` refuses, before a view reads anything:
- a client over its rate (per address, through Django's cache): 429 and ``Retry-After``;
- a malformed ``Content-Length``: 400;
- a body over the limit (the API's, or the site's): 413.
API paths get the API's JSON error shape, pages a Chinese page in the site's layout.
"""

from __future__ import annotations

import logging
import math
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext, ngettext

from calculator.ops.logging import mask_tokens, request_id_var
from calculator.ops.responses import error_response, human_bytes, megabytes, page_error

access_log = logging.getLogger("calculator.request")
logger = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CONTENT_LENGTH = re.compile(r"[0-9]{1,15}")
API_PREFIX = "/api/"



IMPORT_PATH = "/e/import/"  # calculator/enquiries/urls.py: the visit-list upload

def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        # Reset when the response is finished (``request_finished``), not here: Django logs a
        # 5xx answer (``django.request``) after the middleware has returned.
        request_id_var.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and not request.path_info.startswith(
            self.static_prefix
        ):
            patch_cache_control(response, no_store=True)
        response["X-Request-ID"] = request_id
        # Also on the answers refused before Django's own clickjacking middleware runs (413,
        # 429, 400, 405): every answer, as docs/production.md says.
        if "X-Frame-Options" not in response:
            response["X-Frame-Options"] = "DENY"
        fields = {
            "event": "request",
            "method": (request.method or "")[:16],
            "path": mask_tokens(request.path_info[:200]),  # never the query string, nor a saved link's token
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        }
        if getattr(response, "rate_limited", False):
            fields["rate_limited"] = True
        access_log.info("request", extra={"ops": fields})
        return response


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the entry a trusted proxy added to X-Forwarded-For."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if forwarded:
            return forwarded[-min(proxies, len(forwarded))][:64]
    return request.META.get("REMOTE_ADDR", "")[:64] or "unknown"


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = self._rate_limited(request) or self._body_refused(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method != "HEAD"
            and not is_api(request)
            and not getattr(response, "content", b"x")
        ):
            # Django's bare 405 (require_GET): the Chinese page, keeping its Allow header.
            page = page_error(request, 405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response

    # --- rate limits ----------------------------------------------------------------------
    def _scope(self, request: HttpRequest) -> tuple[str, tuple[int, int]] | None:
        if is_api(request):
            return "api", settings.RATELIMIT_API
        if request.path_info == "/" and request.META.get("QUERY_STRING"):
            return "page", settings.RATELIMIT_PAGE  # a calculation (or a row added/removed)
        return None

    def _rate_limited(self, request: HttpRequest) -> HttpResponse | None:
        if not settings.RATELIMIT_ENABLED:
            return None
        scope = self._scope(request)
        if scope is None:
            return None
        name, (limit, seconds) = scope
        return over_limit(request, name, limit, seconds)

    # --- bodies ---------------------------------------------------------------------------
    def _body_refused(self, request: HttpRequest) -> HttpResponse | None:
        raw = request.META.get("CONTENT_LENGTH")
        if raw is None or raw == "":
            return None
        if not _CONTENT_LENGTH.fullmatch(raw):
            return error_response(
                request,
                status=400,
                field="body",
                message=lambda: gettext("请求头 Content-Length 无效：应为请求体的字节数。"),
            )
        if is_api(request):
            limit = settings.API_MAX_BODY_BYTES
        elif request.path == IMPORT_PATH:
            # A visit list uploaded as CSV or Excel: the file's own limit plus the form around it.
            # Twice the file's limit gets through, so that a file somewhat over it is refused
            # by the import itself, next to the field, keeping what was typed (audit: 2.1 MB
            # got a page of its own); the page's script refuses it before sending anyway.
            limit = 2 * settings.ENQUIRY_IMPORT_MAX_BYTES + settings.SITE_MAX_BODY_BYTES
        else:
            limit = settings.SITE_MAX_BODY_BYTES
        if int(raw) > limit:
            if request.path == IMPORT_PATH:
                # Said as the import says it (the file, not "the request body"); the body is
                # never read, so the page cannot keep the form's fields.
                mb = megabytes(settings.ENQUIRY_IMPORT_MAX_BYTES)
                return error_response(
                    request, status=413, field="file", message=lambda: gettext("导入的文件太大：最多 %(mb)s MB。") % {"mb": mb}, import_file=True
                )
            return error_response(
                request,
                status=413,
                field="body",
                message=lambda: gettext("请求体过大：最多 %(size)s。") % {"size": human_bytes(limit)},
            )
        return None


CACHE_RETRY_SECONDS = 30
_cache_down_until = [0.0]  # per process: when to ask the cache again after it failed


def over_limit(request: HttpRequest, name: str, limit: int, seconds: int) -> HttpResponse | None:
    """Count the request in its client's fixed window of ``seconds`` for ``name``; past
    ``limit`` answer 429 with a message (Chinese unless the client asks for English) and Retry-After. Counts live in Django's cache
    (shared by all servers with Redis); a cache outage lets requests through."""
    if limit <= 0:
        return None
    now = time.time()
    if now < _cache_down_until[0]:
        return None  # the cache failed a moment ago: not asked again until the pause is over
    window = int(now // seconds)
    key = f"ops:rl:{name}:{client_address(request)}:{window}"
    try:
        try:
            count = cache.incr(key)  # the usual case: the window's counter exists (one call)
        except ValueError:  # the first request of the window (or the counter just expired)
            if cache.add(key, 1, timeout=seconds + 1):
                count = 1
            else:  # another server or thread made it in between: count on it
                try:
                    count = cache.incr(key)
                except ValueError:  # and it expired already: this request opens the window
                    count = 1
    except Exception as exc:  # a cache outage must not take the calculator down: fail open
        # ... and not slow every request down either: a cache that hangs costs its timeout
        # (1 s) once, then the limits are skipped for CACHE_RETRY_SECONDS (one warning per pause).
        _cache_down_until[0] = time.time() + CACHE_RETRY_SECONDS
        logger.warning("rate-limit cache unavailable (%s); limits skipped for %s s", type(exc).__name__, CACHE_RETRY_SECONDS)
        return None
    if count <= limit:
        return None
    retry_after = max(1, math.ceil((window + 1) * seconds - now))
    # On the API in the language its Accept-Language prefers (Chinese by default); the page in
    # the visitor's language.
    response = error_response(
        request, status=429, field="", message=lambda: ngettext(
            "请求过于频繁：请在 %(seconds)s 秒后再试。", "请求过于频繁：请在 %(seconds)s 秒后再试。", retry_after
        ) % {"seconds": retry_after}
    )
    response["Retry-After"] = str(retry_after)
    response.rate_limited = True  # type: ignore[attr-defined]
    return response
