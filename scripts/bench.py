"""Benchmark the engine in-process, with full explanations (not a test; run `make bench`).

Prints visits per second on a 1,000-visit request (target ≥ 50,000 on one core) and the
time of a 10-visit request (target < 1 ms). Rules are loaded once, before timing.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from calculator.rules.contract import parse_request  # noqa: E402
from calculator.rules.engine import calculate  # noqa: E402
from calculator.rules.registry import load_policies  # noqa: E402


def make_request(region: str, n: int, start: dt.date, status: str = "retired") -> dict:
    visits = []
    for i in range(n):
        visits.append(
            {
                "date": (start + dt.timedelta(days=i % 360)).isoformat(),
                "level": 1 + i % 3,
                "setting": ("clinic", "pharmacy", "clinic", "internet")[i % 4],
                "total": f"{100 + (i * 37) % 900}.{i % 100:02d}",
                "excluded": "10.00",
                "class_b": "20.00",
            }
        )
    data = {"region": region, "status": status, "age": 66, "retired_on": "2015-06-30",
            "account_balance": "500.00", "visits": visits}
    request, errors = parse_request(data)
    assert not errors, errors
    return request


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    t0 = time.perf_counter()
    load_policies()
    print(f"rules loaded once in {(time.perf_counter() - t0) * 1000:.1f} ms")
    cases = [("xuzhou", dt.date(2024, 1, 1)), ("wuhan", dt.date(2024, 1, 1)),
             ("shanghai", dt.date(2024, 7, 1)), ("yunnan", dt.date(2025, 1, 1)), ("shanxi", dt.date(2024, 1, 1))]
    for region, start in cases:
        big = make_request(region, 1000, start)
        small = make_request(region, 10, start)
        best, median = best_of(lambda big=big: calculate(big), 15)
        s_best, s_median = best_of(lambda small=small: calculate(small), 300)
        print(
            f"{region:10s} 1,000 visits: {1000 / best:>9,.0f} visits/s (best), {1000 / median:>9,.0f} (median)"
            f" | 10 visits: {s_best * 1000:.3f} ms (best), {s_median * 1000:.3f} ms (median)"
        )
    print("targets: ≥ 50,000 visits/s on a 1,000-visit request; < 1 ms for a 10-visit request")


if __name__ == "__main__":
    main()
