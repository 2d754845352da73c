"""Exact money: Decimal only, rounded half-up to the fen where a payment is made."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def to_fen(amount: Decimal) -> Decimal:
    """Round a payment to 0.01 yuan, half-up (POLICY_NOTES: mechanics step 7)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def fmt_money(amount: Decimal) -> str:
    """Two-decimal string used in the JSON contract ("1200.00")."""
    return str(amount.quantize(FEN))


def fmt_yuan(amount: Decimal) -> str:
    """Human figure for explanations: "700", "180.5" → "180.50", "12,366.67"."""
    q = amount.quantize(FEN)
    if q == q.to_integral_value():
        return f"{q:,.0f}"
    return f"{q:,.2f}"


def fmt_percent(rate: Decimal) -> str:
    """0.6 → "60%", 0.845 → "84.5%"."""
    pct = (rate * HUNDRED).normalize()
    return f"{pct:f}%"
