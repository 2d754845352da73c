"""Many saves at once never collide: 20 threads × 50 saves, every token unique and readable."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from calculator.enquiries import services
from calculator.enquiries.models import Enquiry
from calculator.rules.contract import parse_request
from calculator.rules.engine import calculate
from tests.enquiries.conftest import REQUEST

THREADS, SAVES = 20, 50


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_20_threads_times_50_saves_all_distinct_and_read_back():
    """On PostgreSQL (make test-postgres) 20 real concurrent writers; SQLite's test database
    takes one writer at a time, so there the same 1,000 saves run from one thread."""
    request, errors = parse_request(REQUEST)
    assert not errors
    inputs = services.canonical_inputs(request)
    result = calculate(request)
    workers = THREADS if connection.vendor == "postgresql" else 1

    def save_many(n: int) -> list[str]:
        try:
            return [services.save_enquiry({**inputs, "age": 20 + n}, result).token for _ in range(SAVES)]
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        tokens = [t for batch in pool.map(save_many, range(THREADS)) for t in batch]
    assert len(tokens) == THREADS * SAVES == len(set(tokens))
    assert Enquiry.objects.count() == THREADS * SAVES
    ages = dict(Enquiry.objects.values_list("token", "inputs__age"))
    assert sorted(ages.values()) == sorted(20 + n for n in range(THREADS) for _ in range(SAVES))
    assert services.find_enquiry(tokens[-1]).result["totals"]["fund_paid"] == "794.00"
