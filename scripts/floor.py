"""The benchmark's floor: the simplest code doing the engine's core arithmetic (standard library only).

A module of its own, importing nothing of the calculator, so that ``scripts/bench.py`` and
``scripts/bench_checkout.py`` (which times another checkout's engine, in that checkout's own
process) measure the same floor.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

FEN = Decimal("0.01")
ZERO = Decimal("0")
FLOOR_DEDUCTIBLE = Decimal("700")
FLOOR_RATIO = Decimal("0.6")
FLOOR_CAP = Decimal("3000")


def floor_visits(payload: dict[str, Any]) -> list[tuple[dt.date, Decimal, Decimal]]:
    """The same visits, as the floor takes them (converted once, outside the timing)."""
    return [
        (dt.date.fromisoformat(v["date"]), Decimal(v["total"]), Decimal(v.get("excluded", "0")))
        for v in payload["visits"]
    ]


def floor_ledger(visits: list[tuple[dt.date, Decimal, Decimal]]) -> list[tuple[Decimal, Decimal, str]]:
    """The simplest straightforward code doing the engine's core arithmetic, one sentence
    per visit."""
    out = []
    year = None
    deductible_used = fund_paid = ZERO
    for date, total, excluded in visits:
        if date.year != year:
            year = date.year
            deductible_used = fund_paid = ZERO
        policy_range = total - excluded
        deductible = min(policy_range, max(ZERO, FLOOR_DEDUCTIBLE - deductible_used))
        deductible_used += deductible
        base = policy_range - deductible
        ratio_amount = (base * FLOOR_RATIO).quantize(FEN, rounding=ROUND_HALF_UP)
        fund = min(ratio_amount, max(ZERO, FLOOR_CAP - fund_paid))
        fund_paid += fund
        member = total - fund
        text = (
            f"{date}：符合政策范围 {policy_range} 元，起付标准 {deductible} 元，"
            f"按 {FLOOR_RATIO} 由统筹基金支付 {fund} 元（年度累计 {fund_paid} 元），个人支付 {member} 元"
        )
        out.append((fund, member, text))
    return out
