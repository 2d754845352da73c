from decimal import Decimal

from calculator.rules.money import fmt_money, fmt_percent, fmt_yuan, to_fen


def test_to_fen_rounds_half_up_not_bankers():
    # 0.125 → 0.13 half-up (banker's rounding would give 0.12).
    assert to_fen(Decimal("0.125")) == Decimal("0.13")
    assert to_fen(Decimal("2.675")) == Decimal("2.68")
    assert to_fen(Decimal("1666.6666")) == Decimal("1666.67")


def test_formats():
    assert fmt_money(Decimal("7000")) == "7000.00"
    assert fmt_yuan(Decimal("12366.666")) == "12,366.67"
    assert fmt_yuan(Decimal("700.00")) == "700"
    assert fmt_percent(Decimal("0.60")) == "60%"
    assert fmt_percent(Decimal("0.845")) == "84.5%"
