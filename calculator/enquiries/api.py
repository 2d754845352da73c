"""The enquiries API: ``POST /api/v1/enquiries`` saves, ``GET /api/v1/enquiries/<token>`` reads.

JSON only, the same error shape as ``/api/v1/calculate``. No cookies, no CSRF token (like the
rest of the API). Rate limited with the API by ``calculator.ops.middleware``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.csrf import csrf_exempt

from calculator.api.views import JSON_MEDIA_TYPE, _error, _header_lang, _method_not_allowed, read_json_body
from calculator.enquiries import services
from calculator.ops.views import SERVER_ERROR
from calculator.ops.responses import asked_language
from calculator.rules.contract import (
    answer_language, decode, dumps, errors_in, parse_request, wanted_language,
)

logger = logging.getLogger(__name__)
UNAVAILABLE = gettext_noop("暂时无法保存或读取查询：数据库暂时不可用。请稍后再试；计算接口 /api/v1/calculate 可以照常使用。")


def _json(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(dumps(body), status=status, content_type=JSON_MEDIA_TYPE)


def _url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("enquiries:detail", args=[token]))


@csrf_exempt
def enquiries(request: HttpRequest) -> HttpResponse:
    """POST /api/v1/enquiries — calculate and save; 201 with the link."""
    if request.method != "POST":
        return _method_not_allowed(request, ["POST"])
    # A database write: counted under the enquiries' own limit too, not only the API's.
    from calculator.enquiries.ratelimit import refused

    too_many = refused(request)
    if too_many is not None:
        return too_many
    raw = read_json_body(request)
    if isinstance(raw, HttpResponse):
        return raw
    try:
        from calculator.i18n import plain_translate_for as translate_for  # the API's plain English
        from calculator.rules.engine import calculate
        from calculator.rules.messages import identity

        data, errors = decode(raw)
        lang = _header_lang(request)
        if not errors:
            if lang is not None and isinstance(data, dict) and "lang" not in data:
                data["lang"] = lang
            calc_request, errors = parse_request(data)
        if errors or calc_request is None:
            # English where asked, as calculate's (an unusable body "lang": the header's).
            listed, language = errors_in(errors, translate_for, wanted_language(data, lang, raw))
            response = _json({"errors": listed}, 400)
            response["Content-Language"] = language
            return response
        translate = identity if calc_request.lang.startswith("zh") else translate_for(calc_request.lang)
        result = calculate(calc_request, translate)
        inputs = services.canonical_inputs(calc_request)
    except Exception:  # never a traceback for an API client
        logger.exception("enquiry calculation failed")
        return _error(request, 500, "(server)", lambda: gettext(SERVER_ERROR))
    try:
        enquiry = services.save_enquiry(inputs, result, source="api")
    except services.DatabaseUnavailable as exc:
        # The cause's kind (OperationalError: unreachable; ProgrammingError: not migrated).
        logger.warning("enquiry not saved: database unavailable (%s)", type(exc.__cause__).__name__)
        return _error(request, 503, "(server)", lambda: gettext(UNAVAILABLE))
    body = {
        "token": enquiry.token,
        "url": _url(request, enquiry.token),
        "expires_on": enquiry.expires_on.isoformat(),
        "result": result,
    }
    response = _json(body, 201)
    response["Content-Language"] = answer_language(calc_request.lang)  # the result's
    return response


@csrf_exempt
def enquiry(request: HttpRequest, token: str) -> HttpResponse:
    """GET /api/v1/enquiries/<token> — saved inputs and result, today's result, differences."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request, ["GET"])
    # It recomputes today's figures, as reopening the page does: counted under the same limit.
    from calculator.enquiries.ratelimit import refused

    too_many = refused(request)
    if too_many is not None:
        return too_many
    try:
        found = services.find_enquiry(token)
    except services.DatabaseUnavailable:
        return _error(request, 503, "(server)", lambda: gettext(UNAVAILABLE))
    if found is None:
        return _error(request, 404, "token", lambda: gettext("没有这个查询链接，或它已过期。"))
    try:
        from calculator.i18n import plain_translate_for as translate_for  # the API's plain English

        # A language the header asks for (Chinese too), else the one the enquiry was saved in.
        lang = asked_language(request) or found.inputs.get("lang")
        today, today_errors = services.recompute(services.dated_inputs(found), translate_for(lang), lang=lang)
        # The differences' labels and messages in the language of today's result.
        with translation.override(answer_language(lang)):
            comparison = services.compare(found.rules, found.result, today)
    except Exception:
        logger.exception("enquiry recalculation failed")
        return _error(request, 500, "(server)", lambda: gettext(SERVER_ERROR))
    body = {
        "token": found.token,
        "url": _url(request, found.token),
        "saved_at": timezone.localtime(found.created_at).isoformat(),
        "expires_on": found.expires_on.isoformat(),
        "inputs": found.inputs,
        "rules": found.rules,
        "saved_result": found.result,
        "today_result": today,
        "today_errors": [{"field": e["field"], "message": e["message"]} for e in today_errors],
        "changed": comparison.changed or bool(today_errors),
        "rule_changes": [c.as_dict() for c in comparison.rule_changes],
        # A figure's label in plain English for a program (the pages gloss the slip's terms in
        # Chinese: "Paid in cash (个人现金支付)"), as the answer's own step labels are.
        "differences": [_plain_difference(d.as_dict(), lang) for d in comparison.differences],
    }
    response = _json(body)
    response["Content-Language"] = answer_language(lang)  # today's result's
    return response


def _plain_difference(difference: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """A difference as the API gives it: in an English answer, its label without the pages'
    bracketed Chinese glosses (a Chinese label is left as it is: its brackets are its own)."""
    from calculator.i18n import strip_glosses

    if answer_language(lang).startswith("zh"):
        return difference
    return {**difference, "label": strip_glosses(difference["label"])}
