"""Requests with distinctive values, to look for in logs (they must never be there)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

# Values that appear nowhere else (not in timestamps, ids or durations of a log line).
SECRET_AMOUNTS = ["98765.43", "87654.21", "7654.32"]
SECRET_DATES = ["2024-03-17", "2024-07-29"]


def api_body(visits: int = 20, amounts: list[str] | None = None) -> dict[str, object]:
    amounts = amounts or SECRET_AMOUNTS
    return {
        "region": "wuhan",
        "status": "employed",
        "age": 47,
        "visits": [
            {
                "date": f"2024-{1 + i % 12:02d}-{1 + i % 27:02d}" if i >= 2 else SECRET_DATES[i],
                "level": 1 + i % 3,
                "total": amounts[i % len(amounts)],
                "class_b": "123.45",
            }
            for i in range(visits)
        ],
    }


def api_json(visits: int = 20) -> bytes:
    return json.dumps(api_body(visits)).encode()


def page_query(visits: int = 10) -> str:
    params: dict[str, str] = {"region": "xuzhou", "status": "employed", "age": "47"}
    for i in range(visits):
        params[f"visits-{i}-date"] = SECRET_DATES[i] if i < 2 else f"2024-{1 + i:02d}-05"
        params[f"visits-{i}-level"] = str(1 + i % 3)
        params[f"visits-{i}-setting"] = "clinic"
        params[f"visits-{i}-total"] = SECRET_AMOUNTS[i % len(SECRET_AMOUNTS)]
    return urlencode(params)
