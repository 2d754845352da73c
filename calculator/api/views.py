"""JSON API v1.

The views are thin: all validation and calculation happens in
``calculator.rules`` (``contract.run_contract`` and ``registry.regions_listing``).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)
OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.json"
_JSON_PARAMS = {"ensure_ascii": False}


def _method_not_allowed(request: HttpRequest, allowed: list[str]) -> JsonResponse:
    response = JsonResponse(
        {
            "errors": [
                {
                    "field": "",
                    "message": f"不支持的请求方法：{request.method}；请使用 {'、'.join(allowed)}。",
                }
            ]
        },
        status=405,
        json_dumps_params=_JSON_PARAMS,
    )
    response["Allow"] = ", ".join(allowed)
    return response


@csrf_exempt
def calculate(request: HttpRequest) -> JsonResponse:
    """POST /api/v1/calculate — run one calculation request."""
    if request.method != "POST":
        return _method_not_allowed(request, ["POST"])
    from calculator.rules.contract import run_contract

    try:
        status, body = run_contract(request.body)
    except Exception:  # never a debug page or a traceback for an API client
        logger.exception("calculation failed")
        status, body = 500, {"errors": [{"field": "(server)", "message": "服务器内部错误，请稍后再试或联系我们。"}]}
    return JsonResponse(body, status=status, json_dumps_params=_JSON_PARAMS)


def regions(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/regions — the regions (and their policy versions) we know."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request, ["GET"])
    from calculator.rules.registry import regions_listing

    return JsonResponse({"regions": regions_listing()}, json_dumps_params=_JSON_PARAMS)


@lru_cache(maxsize=1)
def _openapi_bytes() -> bytes:
    return OPENAPI_PATH.read_bytes()


def openapi(request: HttpRequest) -> HttpResponse:
    """GET /api/v1/openapi.json — the static OpenAPI 3.1 description."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request, ["GET"])
    return HttpResponse(_openapi_bytes(), content_type="application/json; charset=utf-8")
