"""JSON API v1.

The views are thin: all validation and calculation happens in
``calculator.rules`` (``contract.run_contract`` and ``registry.regions_listing``).

Every answer is JSON, errors included: a wrong method is 405 (with ``Allow``), a calculation
that is not ``Content-Type: application/json`` is 415, an oversized body 413 (usually answered
before the view by ``calculator.ops.middleware``), a malformed ``Content-Length`` 400; in
English when the client's Accept-Language prefers it, as the calculation's own errors. No view
needs a CSRF token: the API takes no cookies and changes nothing.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.request import UnreadablePostError
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt

from calculator.ops.responses import Message, accepts_english, api_refusal, human_bytes, method_not_allowed
from calculator.ops.views import SERVER_ERROR

logger = logging.getLogger(__name__)
OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.json"
_JSON_PARAMS = {"ensure_ascii": False, "separators": (",", ":")}
JSON_MEDIA_TYPE = "application/json"


def _error(request: HttpRequest, status: int, field: str, message: Message) -> JsonResponse:
    """The API's own refusal, in the language the client's Accept-Language asks for."""
    return api_refusal(request, status, field, message)


def _method_not_allowed(request: HttpRequest, allowed: list[str]) -> JsonResponse:
    # A GET endpoint answers HEAD too: said in Allow (monitors probe with it), the message
    # names GET only.
    return method_not_allowed(request, allowed, "GET, HEAD" if allowed == ["GET"] else None)


def _header_lang(request: HttpRequest) -> str | None:
    """"en" when the client's Accept-Language prefers English to Chinese; None (Chinese, the
    default) otherwise. A body's "lang" wins."""
    return "en" if accepts_english(request) else None


def read_json_body(request: HttpRequest) -> bytes | HttpResponse:
    """The request body of a JSON POST, or the JSON error to answer instead: 415 for a
    payload in another format (an empty body is the contract's own 400), 413 over the API's
    size limit, 400 for a malformed Content-Length or a client that went away, 411 for a
    chunked body (no Content-Length), 415 for a charset other than UTF-8."""
    has_body = request.META.get("CONTENT_LENGTH", "") not in ("", "0")
    if not has_body and "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        # A chunked body has no Content-Length, and WSGI reads none without one: the body
        # would be taken as empty ("not valid JSON at line 1"). Said as what it is.
        return _error(request, 411, "body", lambda: gettext("请求需要 Content-Length：不接受分块传输（Transfer-Encoding: chunked）。"))
    charset = request.content_params.get("charset", "utf-8").strip().lower() if request.content_params else "utf-8"
    if has_body and request.content_type == JSON_MEDIA_TYPE and charset not in ("utf-8", "utf8"):
        # JSON is UTF-8 (RFC 8259); a body said to be in another encoding would be misread.
        return _error(request, 415, "body", lambda: gettext("请求体须为 UTF-8 编码的 JSON（收到 charset=%(charset)s）。") % {"charset": charset[:40]})
    if has_body and request.content_type != JSON_MEDIA_TYPE:
        given = request.content_type

        def unsupported() -> str:
            return gettext("不支持的 Content-Type：%(given)s；请使用 %(expected)s。") % {
                "given": given[:100] if given else gettext("（未提供）"), "expected": JSON_MEDIA_TYPE,
            }

        return _error(request, 415, "body", unsupported)
    try:
        return request.body
    except RequestDataTooBig:
        limit = settings.API_MAX_BODY_BYTES
        return _error(request, 413, "body", lambda: gettext("请求体过大：最多 %(size)s。") % {"size": human_bytes(limit)})
    except (ValueError, UnreadablePostError):  # malformed Content-Length, client went away
        return _error(request, 400, "body", lambda: gettext("无法读取请求体：请检查 Content-Length。"))


@csrf_exempt
def calculate(request: HttpRequest) -> JsonResponse:
    """POST /api/v1/calculate — run one calculation request."""
    if request.method != "POST":
        return _method_not_allowed(request, ["POST"])
    from calculator.i18n import plain_translate_for
    from calculator.rules.contract import dumps as contract_dumps
    from calculator.rules.contract import run_contract_in
    from calculator.rules.gcpause import collector_paused

    raw = read_json_body(request)
    if isinstance(raw, HttpResponse):
        return raw
    try:  # the contract decodes the bytes (and says so when they are not UTF-8), as for the command
        # The collector stays paused until the answer is bytes and its objects are freed:
        # resumed earlier, its first pass would walk every object of the answer (gcpause.py).
        with collector_paused():
            status, body, language = run_contract_in(raw, translate_for=plain_translate_for, lang=_header_lang(request))
            # orjson: the same JSON as json.dumps(ensure_ascii=False), compact, several times faster.
            content = contract_dumps(body)
            del body
    except Exception:  # never a debug page or a traceback for an API client
        logger.exception("calculation failed")
        return _error(request, 500, "(server)", lambda: gettext(SERVER_ERROR))
    response = HttpResponse(content, status=status, content_type=JSON_MEDIA_TYPE)
    # The language the answer is in (the body's "lang", else Accept-Language), not only what
    # LocaleMiddleware would guess from the header; errors too (Chinese unless English is asked).
    response["Content-Language"] = language
    return response


@csrf_exempt
def regions(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/regions — the regions (and their policy versions) we know."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request, ["GET"])
    from calculator.i18n import plain_translate_for
    from calculator.rules.registry import regions_listing

    # Names, periods and notices in English when Accept-Language prefers it (as a
    # calculation's); the documents' titles as issued.
    lang = _header_lang(request)
    response = JsonResponse({"regions": regions_listing(plain_translate_for(lang))}, json_dumps_params=_JSON_PARAMS)
    response["Content-Language"] = lang or "zh-hans"
    return response


@lru_cache(maxsize=1)
def _openapi_bytes() -> bytes:
    return OPENAPI_PATH.read_bytes()


@csrf_exempt
def openapi(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/openapi.json — the static OpenAPI 3.1 description."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request, ["GET"])
    response = HttpResponse(_openapi_bytes(), content_type="application/json; charset=utf-8")
    response["Content-Language"] = "zh-hans"  # the document is written in Chinese, whatever is asked
    return response
