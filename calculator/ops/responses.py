"""Error answers in the shape the client expects: JSON on the API (in English when the client's
Accept-Language prefers it, Chinese otherwise), a page in the visitor's language elsewhere (Chinese
unless they switched to English)."""

from __future__ import annotations

from typing import Any, Callable, Union

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
ERROR_TEMPLATES = {400, 403, 404, 405, 413, 429, 500}

# The last resort when even the error template cannot be rendered (e.g. a broken base.html).
FALLBACK_HTML = (
    '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
    "<title>服务器内部错误 — 门诊共济报销计算器</title></head><body>"
    "<h1>服务器内部错误</h1><p>出了点问题，我们已经记录下来。请稍后再试。</p>"
    '<p><a href="/">返回计算器</a></p></body></html>'
)


def megabytes(size: int) -> str:
    """A byte limit in MB for a sentence that says "MB": "2", "0.5" (never "0")."""
    return f"{size / 1_048_576:.2f}".rstrip("0").rstrip(".")


def human_bytes(size: int) -> str:
    if size >= 1_048_576 and size % 1_048_576 == 0:
        return f"{size // 1_048_576} MB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size // 1024} KB"
    return gettext("%(size)s 字节") % {"size": size}


def api_error(status: int, field: str, message: str, lang: str = "zh-hans") -> JsonResponse:
    response = JsonResponse(
        {"errors": [{"field": field, "message": message}]},
        status=status,
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
    response["Content-Language"] = lang  # spelt as the contract's "lang"
    return response


def asked_language(request: HttpRequest) -> str | None:
    """The language an API client's Accept-Language prefers of those the answer can be in:
    "en" or "zh-hans", the first by q-value (q=0 means "not this one"); None when it names
    neither (or is absent). (A calculation body's "lang" wins over the header.)"""
    from django.utils.translation.trans_real import parse_accept_lang_header

    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, quality in parse_accept_lang_header(header[:500]):
        if quality <= 0:
            continue
        if code == "en" or code.startswith("en-"):
            return "en"
        if code == "zh" or code.startswith("zh-"):
            return "zh-hans"
    return None


def accepts_english(request: HttpRequest) -> bool:
    """Whether the client's Accept-Language prefers English (Chinese, the default, otherwise)."""
    return asked_language(request) == "en"


# A message made in the answer's language: ``lambda: gettext(...)`` (or a plain str, said as is).
Message = Union[str, Callable[[], str]]


def api_refusal(request: HttpRequest, status: int, field: str, message: Message) -> JsonResponse:
    """The API's own refusal (wrong method or media type, size, rate, server error) as its
    JSON error, in the language the client asks for as the calculation's errors are."""
    lang = "en" if accepts_english(request) else "zh-hans"
    with translation.override(lang):
        return api_error(status, field, _text(message), lang)


def page_language(request: HttpRequest | None) -> str:
    """The language of an error page: the visitor's language cookie (set by the switch), as
    every page of the site; Chinese without one. Not the active language: a refusal made
    before LocaleMiddleware would find the previous request's."""
    from django.conf import settings

    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "") if request is not None else ""
    codes = {code for code, _name in settings.LANGUAGES}
    return chosen if chosen in codes else settings.LANGUAGE_CODE


def _text(message: Message) -> str:
    return message() if callable(message) else message


def page_error(request: HttpRequest | None, status: int, message: Message = "", **context: Any) -> HttpResponse:
    template = f"{status}.html" if status in ERROR_TEMPLATES else "400.html"
    try:
        # In the visitor's language (Chinese unless they switched to English); the page's lang
        # attribute says which.
        with translation.override(page_language(request)):
            html = render_to_string(template, {**context, "message": _text(message), "status": status}, request=request)
    except Exception:
        logger.exception("error page %s could not be rendered", status)
        html = FALLBACK_HTML
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def method_not_allowed(request: HttpRequest, allowed: list[str], allow_header: str | None = None) -> JsonResponse:
    """405 with ``Allow``, the JSON error naming the method and the ones to use."""

    def message() -> str:
        return gettext("不支持的请求方法：%(method)s；请使用 %(allowed)s。") % {
            "method": (request.method or "")[:20], "allowed": gettext("、").join(allowed),
        }

    response = api_refusal(request, 405, "", message)
    response["Allow"] = allow_header or ", ".join(allowed)
    return response


def error_response(request: HttpRequest, *, status: int, field: str, message: Message, **context: Any) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        return api_refusal(request, status, field, message)
    return page_error(request, status, message, **context)


def safe_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET and HEAD only (``require_safe``), without the CSRF check: a page that changes
    nothing answers PUT/DELETE/POST with 405 (the site's page, middleware), not with the
    CSRF failure page ("页面已过期") that would tell the member to reload it."""
    from django.views.decorators.csrf import csrf_exempt
    from django.views.decorators.http import require_safe

    return csrf_exempt(require_safe(view))
