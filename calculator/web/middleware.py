"""Chinese by default, whatever the browser says.

The calculator's users read Chinese first (the brief: zh-hans by default, English second), and
many phones and test browsers send ``Accept-Language: en``. So the browser's language is not
used: the page is Chinese unless the member chose English with the language switch (the
``django_language`` cookie) — Django's LocaleMiddleware then falls back to LANGUAGE_CODE.

The JSON API is the exception: a program asks for English answers with ``Accept-Language: en``
(the contract's documented alternative to ``"lang": "en"`` in the body), so the header is kept
for ``/api/`` requests, and for ``/healthz`` (a JSON probe for programs, whose refusal of a
wrong method speaks the client's language as the API's do).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from calculator.ops.middleware import is_api


class IgnoreBrowserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request) and request.path_info != "/healthz":
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
