"""Request limits: bodies, Content-Length, form fields, methods, media types, rates. Never a 500."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.ops.samples import api_json, page_query

CALCULATE = "/api/v1/calculate"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _errors(response) -> list[dict[str, str]]:
    assert response["Content-Type"].startswith("application/json")
    return response.json()["errors"]


# --- bodies -----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [int(2.7 * 1024 * 1024), 10 * 1024 * 1024])
def test_api_refuses_an_oversized_body_with_413_json(client, size):
    body = b'{"visits": [' + b" " * size + b"]}"
    response = client.post(CALCULATE, data=body, content_type="application/json")
    assert response.status_code == 413
    [error] = _errors(response)
    assert error["field"] == "body"
    assert "请求体过大" in error["message"] and "1 MB" in error["message"]


@override_settings(API_MAX_BODY_BYTES=2048)
def test_api_body_limit_is_a_setting(client):
    assert client.post(CALCULATE, data=b"{" + b" " * 3000 + b"}", content_type="application/json").status_code == 413
    # Just under the limit: the contract answers (here 400, not a calculation request).
    assert client.post(CALCULATE, data=b"{" + b" " * 1000 + b"}", content_type="application/json").status_code == 400


def test_a_1000_visit_request_is_within_the_api_limit(client):
    body = api_json(visits=1000)
    assert len(body) < 1024 * 1024
    response = client.post(CALCULATE, data=body, content_type="application/json")
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize("value", ["abc", "-5", "1e3", " 12", "99999999999999999999"])
def test_malformed_content_length_is_400_on_the_api(client, value):
    response = client.generic("POST", CALCULATE, data=b"{}", content_type="application/json", CONTENT_LENGTH=value)
    assert response.status_code == 400
    [error] = _errors(response)
    assert error["field"] == "body" and "Content-Length" in error["message"]


def test_malformed_content_length_is_a_chinese_400_page_elsewhere(client):
    response = client.generic("POST", "/i18n/setlang/", data=b"language=en", CONTENT_LENGTH="abc")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Content-Length 无效" in html and 'class="site-header"' in html


def test_a_large_post_to_the_page_is_a_chinese_413_page(client):
    response = client.post("/", data=b"x" * (3 * 1024 * 1024), content_type="application/octet-stream")
    assert response.status_code == 413
    html = response.content.decode()
    assert "提交的内容太多" in html and "64 KB" in html
    assert "Traceback" not in html and "DATABASE" not in html


def test_too_many_form_fields_is_400_with_the_pages_message(client):
    query = "&".join(f"visits-{i}-total=1" for i in range(1200))
    response = client.get("/?region=xuzhou&" + query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "提交的字段太多（最多 1000 个）" in html and "分几次" not in html
    assert 'class="site-header"' in html  # in the site's layout


def test_the_page_writes_back_a_fields_value_at_most_100_characters_long(client):
    # Issue 9: fields are echoed back at most 100 characters long. 500 characters typed into
    # four fields: each field says it is too long (and nothing is calculated from a cut
    # value); no run of more than 100 of them is anywhere in the page (inputs, the language
    # switch's next, the summary).
    import re

    z = "Z" * 500
    response = client.get("/", {"region": z, "status": "employed", "age": z, "visits-0-date": z, "visits-0-total": z, "visits-0-level": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search("Z{101,}", html) is None and "Z" * 100 in html
    for label in ("参保地区", "年龄", "就诊日期", "费用总额"):
        assert f"{label}太长：最多 100 个字符，这里有 500 个。" in html
    assert 'id="results-title"' not in html  # no result from cut values


def test_a_long_value_whose_first_100_characters_would_be_valid_is_not_calculated(client):
    # "1000" then 496 spaces and "x": cut to 100 characters it would read 1000; the field
    # says it is too long instead of calculating 1000 (never a silently wrong figure).
    total = "1000" + " " * 496 + "x"
    response = client.get("/", {"region": "wuhan", "status": "employed", "age": "45", "visits-0-date": "2024-03-01", "visits-0-level": "3", "visits-0-total": total})
    html = response.content.decode()
    assert "费用总额太长：最多 100 个字符，这里有 501 个。" in html
    assert 'id="results-title"' not in html
    # The page's own links carry the value cut and marked with "…" (review: cut at 100 it
    # read as 1000 through the language switch's link): following it is refused again.
    import re
    from html import unescape

    following = unescape(re.search(r'id="language-next" name="next" type="hidden" value="([^"]*)"', html).group(1))
    assert "%E2%80%A6" in following  # the "…"
    again = client.get(following).content.decode()
    assert 'id="results-title"' not in again and "费用总额" in again
    # The same visit with its total as typed normally is calculated (the marker means a result).
    ok = client.get("/", {"region": "wuhan", "status": "employed", "age": "45", "visits-0-date": "2024-03-01", "visits-0-level": "3", "visits-0-total": "1000"})
    assert 'id="results-title"' in ok.content.decode()


# --- methods and media types ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/regions", "/api/v1/openapi.json"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_wrong_methods_on_the_api_get_json_405(client, path, method):
    response = client.generic(method, path, data=b"{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"  # HEAD answers too (an uptime monitor's probe)
    assert "不支持的请求方法" in _errors(response)[0]["message"]


def test_get_on_calculate_is_json_405(client):
    response = client.get(CALCULATE)
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert _errors(response)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_a_calculation_in_another_format_is_415(client, content_type):
    response = client.generic("POST", CALCULATE, data=api_json(1), content_type=content_type)
    assert response.status_code == 415
    [error] = _errors(response)
    assert "application/json" in error["message"]


def test_json_with_a_charset_is_accepted(client):
    response = client.post(CALCULATE, data=api_json(1), content_type="application/json; charset=utf-8")
    assert response.status_code == 200


def test_the_page_answers_a_wrong_method_with_a_chinese_405(client):
    response = client.post("/", data={"region": "xuzhou"})
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "不支持这种请求方式" in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/?region=wuhan", "/policies/", "/about/"])
def test_pages_answer_head_as_monitors_send_it(client, path):
    # An uptime monitor's HEAD gets the page's status and headers without a body (audit: 405).
    response = client.head(path)
    assert response.status_code == 200 and response.content == b""
    assert response["Cache-Control"] == "no-store"


def test_the_apis_own_refusals_are_english_when_the_client_prefers_english(client):
    # Every refusal the API makes before the contract (size, Content-Length, method, media
    # type, unknown address) follows Accept-Language as the calculation's errors do; Chinese
    # without the header (the tests above).
    en = {"Accept-Language": "en-US,en;q=0.9,zh-CN;q=0.5"}
    big = client.post(CALCULATE, data=b"{" + b" " * (2 * 1024 * 1024) + b"}", content_type="application/json", headers=en)
    length = client.generic("POST", CALCULATE, data=b"{}", content_type="application/json", CONTENT_LENGTH="abc", headers=en)
    method = client.generic("PUT", "/api/v1/regions", headers=en)
    media = client.generic("POST", CALCULATE, data=api_json(1), content_type="text/plain", headers=en)
    unknown = client.get("/api/v1/nothing-here", headers=en)
    said = {
        413: (big, "The request is too large: at most 1 MB."),
        400: (length, "Content-Length"),
        405: (method, "Method PUT is not supported; use GET."),
        415: (media, "Content-Type text/plain is not supported; use application/json."),
        404: (unknown, "There is nothing at this address."),
    }
    for status, (response, words) in said.items():
        assert response.status_code == status
        [error] = _errors(response)
        assert words in error["message"], (status, error)
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), (status, error)
        assert response["Content-Language"] == "en"
    # Chinese first in the header: Chinese.
    zh = client.generic("PUT", "/api/v1/regions", headers={"Accept-Language": "zh-CN,en;q=0.9"})
    assert _errors(zh)[0]["message"] == "不支持的请求方法：PUT；请使用 GET。" and zh["Content-Language"] == "zh-hans"


# --- rate limits -----------------------------------------------------------------------------------


@override_settings(RATELIMIT_ENABLED=True, RATELIMIT_API=(3, 60))
def test_the_api_answers_429_in_chinese_with_retry_after(client):
    statuses = [client.get("/api/v1/regions").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.post(CALCULATE, data=api_json(1), content_type="application/json")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    [error] = _errors(response)
    assert error["message"] == f"请求过于频繁：请在 {response['Retry-After']} 秒后再试。"
    # Another address has its own allowance.
    other = client.get("/api/v1/regions", REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


@override_settings(RATELIMIT_ENABLED=True, RATELIMIT_PAGE=(2, 60))
def test_the_calculator_page_answers_429_with_a_chinese_page(client):
    query = page_query(visits=2)
    assert [client.get("/?" + query).status_code for _ in range(2)] == [200, 200]
    response = client.get("/?" + query)
    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    html = response.content.decode()
    assert "请求过于频繁" in html and 'class="site-header"' in html
    # The blank form and the other pages are not counted.
    assert client.get("/").status_code == 200
    assert client.get("/about/").status_code == 200


@override_settings(RATELIMIT_ENABLED=True, RATELIMIT_API=(1, 60), TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_is_the_client(client):
    a = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    b = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "spoofed, 203.0.113.6"}
    assert client.get("/api/v1/regions", **a).status_code == 200
    assert client.get("/api/v1/regions", **b).status_code == 200  # another client, same proxy
    assert client.get("/api/v1/regions", **a).status_code == 429


@override_settings(RATELIMIT_ENABLED=False, RATELIMIT_API=(1, 60))
def test_rate_limits_can_be_turned_off(client):
    assert [client.get("/api/v1/regions").status_code for _ in range(3)] == [200, 200, 200]


@override_settings(
    RATELIMIT_ENABLED=True,
    RATELIMIT_API=(1, 60),
    CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}},
)
def test_an_unreachable_rate_limit_cache_does_not_take_the_api_down(client, caplog, monkeypatch):
    from calculator.ops import middleware

    monkeypatch.setattr(middleware, "_cache_down_until", [0.0])  # this test's own pause
    assert [client.get("/api/v1/regions").status_code for _ in range(3)] == [200, 200, 200]
    assert "rate-limit cache unavailable" in caplog.text
    assert caplog.text.count("rate-limit cache unavailable") == 1  # then paused, not retried per request


def test_a_hung_rate_limit_cache_costs_its_timeout_once(client, monkeypatch):
    """A Redis that accepts connections and never answers: each request waited 5 s for it.
    Now the first one waits the cache's short timeout, and the limits pause after it."""
    import socket
    import time
    from django.test import override_settings as override

    from calculator.ops import middleware
    from calculator.settings import _cache_from_url

    monkeypatch.setattr(middleware, "_cache_down_until", [0.0])
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts (the kernel does) and never replies
    port = silent.getsockname()[1]
    try:
        with override(RATELIMIT_ENABLED=True, RATELIMIT_API=(100, 60), CACHES={"default": _cache_from_url(f"redis://127.0.0.1:{port}/0")}):
            from django.core.cache import caches

            caches._settings = None  # noqa: SLF001 - a fresh handler for the overridden CACHES
            started = time.monotonic()
            assert [client.get("/api/v1/regions").status_code for _ in range(5)] == [200] * 5
            assert time.monotonic() - started < 2.5
    finally:
        silent.close()



@override_settings(RATELIMIT_ENABLED=True, RATELIMIT_PAGE=(1, 60), RATELIMIT_API=(1, 60))
def test_every_answer_of_the_limits_carries_the_strict_csp(client):
    """The limits answer before any view (400, 405, 413, 429); their pages and JSON errors carry
    the same Content-Security-Policy as every other page."""
    csp = client.get("/about/")["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    answers = {
        "400 page": client.generic("POST", "/i18n/setlang/", data=b"language=en", CONTENT_LENGTH="abc"),
        "400 api": client.generic("POST", CALCULATE, data=b"{}", content_type="application/json", CONTENT_LENGTH="abc"),
        "405 page": client.post("/about/"),
        "413 page": client.post("/", data=b"x" * (3 * 1024 * 1024), content_type="application/octet-stream"),
    }
    query = page_query(visits=1)
    client.get("/?" + query)
    answers["429 page"] = client.get("/?" + query)
    client.get("/api/v1/regions")
    answers["429 api"] = client.get("/api/v1/regions")
    for name, response in answers.items():
        assert str(response.status_code) == name.split()[0], (name, response.status_code)
        assert response.get("Content-Security-Policy") == csp, name
        assert response.get("X-Frame-Options") == "DENY", name  # answered before Django's own middleware


def test_a_chunked_calculation_is_told_it_needs_a_content_length(client):
    # Without a Content-Length WSGI reads no body: the request would be "not valid JSON at line 1".
    response = client.generic("POST", CALCULATE, data=b"", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked")
    assert response.status_code == 411
    [error] = _errors(response)
    assert error["field"] == "body" and "Content-Length" in error["message"] and "分块" in error["message"]


def test_json_in_another_charset_is_415(client):
    # JSON is UTF-8 (RFC 8259): a body declared as Latin-1 would be read as something it is not.
    response = client.generic("POST", CALCULATE, data=api_json(1), content_type="application/json; charset=latin-1")
    assert response.status_code == 415
    [error] = _errors(response)
    assert "UTF-8" in error["message"] and "latin-1" in error["message"]
