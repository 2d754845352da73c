"""Issue 6: "a 1,000-visit response is at most 1.5 MiB" (the answer as POST /api/v1/calculate
sends it: clause texts once in ``clauses``, steps referring to them).

Two requests a member or a helpdesk script sends: the plain one (date, level and total only)
in every region, and the request the issue's first benchmark used (retired, 全自费 10 元 and
乙类 20 元 on every visit, clinic / pharmacy / clinic / 互联网+ in turn, 360 days from a start
date, the annual cap used up early), in Chinese and in English in every region. The closest
are 上海 in English (1.484 MiB: its fund sentence names the cohort), 武汉 and 山西 (1.465–1.470
MiB in both languages: every visit carries a 乙类 or 起付标准 step); the test names the regions so
a change that grows an answer shows here.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

LIMIT = int(1.5 * 1024 * 1024)
START = {"xuzhou": "2024-01-01", "shanxi": "2024-01-01", "shanghai": "2024-07-01", "wuhan": "2024-01-01",
         "yuxi": "2024-01-01", "yunnan": "2025-01-01", "neimenggu": "2024-01-01"}


def first_bench_request(region: str, status: str) -> dict:
    start = dt.date.fromisoformat(START[region])
    visits = [
        {
            "date": (start + dt.timedelta(days=i % 360)).isoformat(),
            "level": 1 + i % 3,
            "setting": ("clinic", "pharmacy", "clinic", "internet")[i % 4],
            "total": f"{100 + (i * 37) % 900}.{i % 100:02d}",
            "excluded": "10.00",
            "class_b": "20.00",
        }
        for i in range(1000)
    ]
    return {"region": region, "status": status, "age": 66 if status == "retired" else 45, "retired_on": "2015-06-30" if status == "retired" else None,
            "account_balance": "500.00", "visits": visits}


def plain_request(region: str) -> dict:
    start = dt.date.fromisoformat(START[region])
    visits = [{"date": (start + dt.timedelta(days=i % 360)).isoformat(), "level": 1 + i % 3, "total": f"{100 + (i * 37) % 900}.{i % 100:02d}"}
              for i in range(1000)]
    return {"region": region, "status": "employed", "age": 45, "visits": visits}


def answer(client, payload: dict) -> bytes:
    payload = {k: v for k, v in payload.items() if v is not None}
    response = client.post("/api/v1/calculate", data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 200, response.content[:300]
    body = response.content
    assert len(json.loads(body)["visits"]) == 1000
    return body


@pytest.mark.parametrize("region", sorted(START))
def test_a_plain_1000_visit_answer_is_within_1_5_mib(client, region):
    body = answer(client, plain_request(region))
    assert len(body) <= LIMIT, f"{region}: {len(body) / 1024 / 1024:.3f} MiB"


@pytest.mark.parametrize("status", ["retired", "employed"])
@pytest.mark.parametrize("region", sorted(START))
def test_the_first_bench_requests_answer_is_within_1_5_mib(client, region, status):
    body = answer(client, first_bench_request(region, status))
    assert len(body) <= LIMIT, f"{region} {status}: {len(body) / 1024 / 1024:.3f} MiB"


@pytest.mark.parametrize("status", ["retired", "employed"])
@pytest.mark.parametrize("region", sorted(START))
def test_the_first_bench_requests_answer_in_english_is_within_1_5_mib(client, region, status):
    # English sentences are longer in letters, shorter in bytes (a Chinese character is three).
    body = answer(client, {**first_bench_request(region, status), "lang": "en"})
    assert json.loads(body)["lang"] == "en"
    assert len(body) <= LIMIT, f"{region} {status} en: {len(body) / 1024 / 1024:.3f} MiB"
