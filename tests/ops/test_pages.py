"""Headers every answer carries, and the Chinese error pages in the site's layout."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from tests.ops.samples import api_json, page_query


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}


@pytest.mark.parametrize("path", ["/", "/about/", "/policies/", "/nope/"])
def test_every_page_has_a_strict_csp(client, path):
    csp = _csp(client.get(path))
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in client.get(path)["Content-Security-Policy"]
    assert "'unsafe-eval'" not in client.get(path)["Content-Security-Policy"]


def test_policy_built_once_is_django_csp_own_and_follows_a_settings_change(client):
    """The header is built once (calculator.ops.csp), yet it is exactly what django-csp builds
    from the settings, and a changed policy is not hidden by the cached string."""
    from csp.utils import build_policy

    assert client.get("/about/")["Content-Security-Policy"] == build_policy()
    stricter = {"DIRECTIVES": {"default-src": ["'none'"], "img-src": ["'self'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=stricter):
        assert _csp(client.get("/about/")) == {"default-src": ["'none'"], "img-src": ["'self'"]}
    with override_settings(
        CONTENT_SECURITY_POLICY_REPORT_ONLY={"DIRECTIVES": {"default-src": ["'self'"]}}
    ):
        assert client.get("/about/")["Content-Security-Policy-Report-Only"] == "default-src 'self'"
    assert "img-src 'self'" in client.get("/about/")["Content-Security-Policy"]
    assert "script-src 'self'" in client.get("/about/")["Content-Security-Policy"]


def test_results_page_and_api_answers_are_not_stored(client):
    page = client.get("/?" + page_query(visits=2))
    assert page.status_code == 200 and b"data-figure=" in page.content
    assert page["Cache-Control"] == "no-store"
    api = client.post("/api/v1/calculate", data=api_json(2), content_type="application/json")
    assert api.status_code == 200
    assert api["Cache-Control"] == "no-store"
    errors = client.post("/api/v1/calculate", data=b"{}", content_type="application/json")
    assert errors.status_code == 400 and errors["Cache-Control"] == "no-store"


def test_request_id_is_echoed_or_made(client):
    given = client.get("/about/", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert given["X-Request-ID"] == "lb-7f3a.42"
    made = client.get("/about/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert made["X-Request-ID"] != "<script>alert(1)</script>"
    assert len(made["X-Request-ID"]) == 32 and made["X-Request-ID"].isalnum()


def test_404_is_a_chinese_page_in_the_sites_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "找不到这个页面" in html
    assert 'class="site-header"' in html and "政策库" in html  # the site's navigation
    assert 'lang="zh-Hans"' in html
    assert "URLconf" not in html and "urlpatterns" not in html


def test_api_404_is_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"field": "", "message": "找不到这个地址。"}]}


@override_settings(ROOT_URLCONF="tests.ops.boom_urls")
def test_500_is_a_chinese_page_and_json_on_the_api():
    client = Client(raise_request_exception=False)
    page = client.get("/boom/?total=98765.43")
    assert page.status_code == 500
    html = page.content.decode()
    assert "服务器内部错误" in html and 'class="site-header"' in html
    assert "could not read" not in html and "Traceback" not in html  # no exception details
    api = client.get("/api/v1/boom?total=98765.43")
    assert api.status_code == 500
    assert api.json()["errors"][0]["message"].startswith("服务器内部错误")
    english = client.get("/api/v1/boom?total=98765.43", headers={"Accept-Language": "en"})
    assert english.status_code == 500 and english["Content-Language"] == "en"
    assert english.json() == {"errors": [{"field": "(server)", "message": "Internal server error: please try again later or contact us."}]}


def test_csrf_failure_is_a_chinese_403_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "无法完成请求" in html and "刷新后再试" in html and 'class="site-header"' in html


def test_broken_error_template_falls_back_to_a_plain_chinese_page(client, monkeypatch):
    from calculator.ops import responses

    def broken(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(responses, "render_to_string", broken)
    response = responses.page_error(None, 500)
    assert response.status_code == 500
    assert "服务器内部错误" in response.content.decode()


def test_error_pages_follow_the_switch_to_english(client):
    # Chinese by default (issue 9); after the language switch, in English like every other page,
    # with the lang attribute saying so. (The API's own refusals follow Accept-Language.)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/about/").content.decode()
    page = client.get("/no-such-page/")
    html = page.content.decode()
    assert page.status_code == 404
    assert '<html lang="en">' in html and "Page not found" in html and "Back to the calculator" in html
    assert "找不到这个页面" not in html
    wrong_method = client.post("/about/")
    assert wrong_method.status_code == 405 and '<html lang="en">' in wrong_method.content.decode()
    # An expired saved link says what happens to saved links, in English.
    expired = client.get("/e/NoSuchToken123/").content.decode()
    assert "Saved calculations are deleted automatically after 180 days" in expired
    assert client.get("/api/v1/no-such-thing").json()["errors"][0]["message"] == "找不到这个地址。"
    # Without the cookie: Chinese.
    fresh = Client().get("/no-such-page/").content.decode()
    assert '<html lang="zh-Hans">' in fresh and "找不到这个页面" in fresh


@override_settings(RATELIMIT_ENABLED=True, RATELIMIT_API=(1, 60))
def test_a_429_answer_is_chinese_unless_the_client_prefers_english(client):
    # Chinese by default (no Accept-Language, or Chinese first); English when the client's
    # Accept-Language prefers it, as the calculation's own errors are.
    body = api_json(1)
    assert client.post("/api/v1/calculate", data=body, content_type="application/json").status_code == 200
    refused = client.post("/api/v1/calculate", data=body, content_type="application/json")
    assert refused.status_code == 429 and refused["Content-Language"] == "zh-hans"
    assert refused.json()["errors"][0]["message"].startswith("请求过于频繁：请在 ")
    chinese_first = client.post("/api/v1/calculate", data=body, content_type="application/json", headers={"Accept-Language": "zh-CN,en;q=0.8"})
    assert chinese_first.json()["errors"][0]["message"].startswith("请求过于频繁")
    english = client.post("/api/v1/calculate", data=body, content_type="application/json", headers={"Accept-Language": "en-GB,zh;q=0.5"})
    assert english.status_code == 429 and english["Content-Language"] == "en"
    seconds = english["Retry-After"]
    # One second is said as one (the window may be about to end when the test runs).
    unit = "second" if seconds == "1" else "seconds"
    assert english.json()["errors"][0]["message"] == f"Too many requests: please try again in {seconds} {unit}."
