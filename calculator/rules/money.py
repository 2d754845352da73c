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
    """Two-decimal string used in the JSON contract ("1200.00").

    Money enters the engine already in fen (the contract and the loader quantize it), so
    the plain ``str`` is nearly always right; the check keeps it right regardless."""
    text = str(amount)
    if text[-3:-2] != ".":
        text = str(amount.quantize(FEN))
    return text


def fmt_yuan(amount: Decimal) -> str:
    """Human figure for explanations: "700", "180.5" → "180.50", "12,366.67"."""
    text = str(amount)
    if text[-3:-2] != ".":
        text = str(amount.quantize(FEN))
    if len(text) > 6:  # 1,000 and above: group the thousands
        text = f"{amount:,.2f}"
    return text[:-3] if text.endswith(".00") else text


_PERCENT: dict[Decimal, str] = {}


def fmt_percent(rate: Decimal) -> str:
    """0.6 → "60%", 0.845 → "84.5%". A handful of rates exist, so remember them."""
    text = _PERCENT.get(rate)
    if text is None:
        text = _PERCENT[rate] = f"{(rate * HUNDRED).normalize():f}%"
    return text
