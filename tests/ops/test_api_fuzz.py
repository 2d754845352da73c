"""API fuzz run (schemathesis) against /api/v1/openapi.json: no 500 and no answer outside the
schema, for requests that fit the schema and for requests that break it. In process, through the
WSGI app; bounded by example count (derandomised: the same sequence on every run) and in time
(each mode stops sending requests after SECONDS, should a slow machine make the count take long).

schemathesis's own pytest plugin does not work with pytest 9 here, so each operation's Hypothesis
strategy is driven directly.
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 40
SECONDS = 60  # per mode; the 40 examples take a few seconds on this machine
# The real WSGI handler (not the test client) closes old connections on each request.
pytestmark = pytest.mark.django_db


def _operations():
    from calculator.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_the_api_never_answers_500_nor_outside_its_schema(mode):
    operations = _operations()
    stop_at = time.monotonic() + SECONDS
    sent = 0
    assert {op.path for op in operations} >= {"/api/v1/calculate", "/api/v1/regions"}
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and operation.method.upper() == "GET":
            continue  # nothing to break: the GET operations take no parameters

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case):
            nonlocal sent
            if time.monotonic() > stop_at:
                return  # the time bound: the remaining examples are not sent
            case.call_and_validate(checks=CHECKS)
            sent += 1

        run()
    assert sent > 0  # the bound never leaves a run that checked nothing
