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
