"""The OpenAPI document describes what the API really answers: responses validate against it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from calculator.rules.contract import run_contract

OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "calculator" / "api" / "openapi.json").read_text(encoding="utf-8"))


def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": OPENAPI["components"]})


REQUESTS = [
    {"region": "xuzhou", "status": "retired", "age": 70, "account_balance": "300", "visits": [
        {"date": "2024-01-05", "level": 3, "total": "900", "excluded": "50"},
        {"date": "2024-02-05", "setting": "pharmacy", "total": "120"},
        {"date": "2024-03-05", "setting": "non_designated", "total": "80"}]},
    {"region": "shanghai", "status": "retired", "age": 76, "retired_on": "1999-12-31", "account_balance": "100",
     "prior_years_balance": "1000", "visits": [{"date": "2024-06-30", "level": 1, "total": "600"},
                                               {"date": "2024-07-01", "level": 2, "total": "600"}]},
    {"region": "jincheng", "status": "employed", "age": 50, "visits": [
        {"date": "2024-08-01", "level": 2, "total": "300", "class_b": "100", "inpatient_stay": True},
        {"date": "2024-08-02", "level": 2, "total": "300", "price_class": 3}]},
    {"region": "wuhan", "status": "retired", "age": 61, "retired_on": "2023-03-15", "flexible_employment": True, "visits": [
        {"date": "2023-03-20", "level": 2, "total": "800", "offsite": "unfiled", "class_b": "100"},
        {"date": "2023-04-10", "setting": "pharmacy", "total": "300"}]},
    {"region": "yuxi", "status": "employed", "age": 40, "contribution_base": "6000", "chronic_disease_count": 2, "visits": [
        {"date": "2024-10-31", "level": 3, "total": "20000"},
        {"date": "2024-11-01", "level": 3, "total": "500", "category": "chronic"},
        {"date": "2024-11-02", "setting": "internet", "level": 1, "total": "100"}]},
    {"region": "neimenggu", "status": "employed", "age": 30, "visits": [{"date": "2023-05-01", "level": 2, "total": "1500", "offsite": "filed"}]},
]


@pytest.mark.parametrize("request_body", REQUESTS, ids=[r["region"] for r in REQUESTS])
def test_responses_validate_against_openapi(request_body):
    status, body = run_contract(json.dumps(request_body))
    assert status == 200, body
    errors = sorted(_validator("CalculateResponse").iter_errors(body), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_error_response_validates_against_openapi():
    status, body = run_contract('{"region": "x"}')
    assert status == 400
    assert not list(_validator("ErrorResponse").iter_errors(body))


def test_requests_validate_against_openapi():
    for body in REQUESTS:
        assert not list(_validator("CalculateRequest").iter_errors(body)), body


# -- every answer the API gives, errors included, is in the document (issue 9) ---------------

import json as _json  # noqa: E402

from django.core.cache import cache  # noqa: E402
from django.test import override_settings  # noqa: E402

GOOD = _json.dumps(REQUESTS[0])


def _documented(path: str, method: str, response) -> None:
    """The status is listed for the operation and the body validates against its schema."""
    responses = OPENAPI["paths"][path][method]["responses"]
    status = str(response.status_code)
    assert status in responses, (path, method, status, sorted(responses))
    spec = responses[status]
    if "$ref" in spec:
        spec = OPENAPI["components"]["responses"][spec["$ref"].rsplit("/", 1)[-1]]
    schema = spec["content"]["application/json"]["schema"]
    assert response["Content-Type"].startswith("application/json")
    validator = Draft202012Validator({**schema, "components": OPENAPI["components"]})
    errors = list(validator.iter_errors(response.json()))
    assert not errors, [e.message for e in errors]
    for header in spec.get("headers", {}):
        assert response.has_header(header), header


@pytest.fixture()
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_field_errors_are_documented(client):
    response = client.post("/api/v1/calculate", data='{"region": "x"}', content_type="application/json")
    assert response.status_code == 400
    _documented("/api/v1/calculate", "post", response)


def test_many_unknown_keys_and_long_echoes_are_documented(client):
    body = {**REQUESTS[0], **{f"k{i}" * 60: 1 for i in range(30)}, "region": "r" * 500}
    response = client.post("/api/v1/calculate", data=_json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    _documented("/api/v1/calculate", "post", response)
    errors = response.json()["errors"]
    assert len(errors) <= 22 and all(len(e["field"]) <= 100 for e in errors)


def test_malformed_content_length_is_documented(client):
    response = client.generic("POST", "/api/v1/calculate", data=b"{}", content_type="application/json", CONTENT_LENGTH="abc")
    assert response.status_code == 400
    _documented("/api/v1/calculate", "post", response)


def test_a_body_that_is_not_utf8_is_documented(client):
    response = client.post("/api/v1/calculate", data="{\"region\": \"武汉\"}".encode("gb18030"), content_type="application/json")
    assert response.status_code == 400
    _documented("/api/v1/calculate", "post", response)


@override_settings(API_MAX_BODY_BYTES=64)
def test_too_large_is_documented(client):
    response = client.post("/api/v1/calculate", data=GOOD, content_type="application/json")
    assert response.status_code == 413
    _documented("/api/v1/calculate", "post", response)


def test_wrong_media_type_is_documented(client):
    response = client.post("/api/v1/calculate", data=GOOD, content_type="text/plain")
    assert response.status_code == 415
    _documented("/api/v1/calculate", "post", response)


@pytest.mark.parametrize(
    "path, method, documented",
    [("/api/v1/calculate", "get", "post"), ("/api/v1/regions", "post", "get"), ("/api/v1/openapi.json", "delete", "get")],
)
def test_wrong_methods_are_documented(client, path, method, documented):
    response = client.generic(method.upper(), path)
    assert response.status_code == 405
    _documented(path, documented, response)


@pytest.mark.parametrize("path, method", [("/api/v1/calculate", "post"), ("/api/v1/regions", "get"), ("/api/v1/openapi.json", "get")])
@override_settings(RATELIMIT_ENABLED=True, RATELIMIT_API=(1, 60))
def test_rate_limited_answers_are_documented(client, fresh_cache, path, method):
    send = (lambda: client.post(path, data=GOOD, content_type="application/json")) if method == "post" else (lambda: client.get(path))
    assert send().status_code == 200
    response = send()
    assert response.status_code == 429
    _documented(path, method, response)


# -- nullable or not: the document says what the contract accepts ------------------------------


def test_null_for_optional_values_is_in_the_schema_and_accepted():
    body = {**REQUESTS[0], "retired_on": None, "flexible_employment": None, "contribution_base": None,
            "account_balance": None, "prior_years_balance": None, "chronic_disease_count": None,
            "visits": [{**REQUESTS[0]["visits"][0], "excluded": None, "class_b": None, "inpatient_stay": None}]}
    assert not list(_validator("CalculateRequest").iter_errors(body))
    status, _ = run_contract(_json.dumps(body))
    assert status == 200


@pytest.mark.parametrize("where, key", [
    ("top", "status"), ("top", "lang"),
    ("visit", "category"), ("visit", "setting"), ("visit", "offsite"), ("visit", "level"), ("visit", "price_class"),
])
@pytest.mark.parametrize("value", [None, ""])
def test_null_or_empty_enum_is_outside_the_schema_and_refused(where, key, value):
    body = _json.loads(GOOD)
    if where == "top":
        body[key] = value
    else:
        body["visits"][0][key] = value
    assert list(_validator("CalculateRequest").iter_errors(body)), "the schema must refuse it"
    status, answer = run_contract(_json.dumps(body))
    assert status == 400, answer
    assert not list(_validator("ErrorResponse").iter_errors(answer))
