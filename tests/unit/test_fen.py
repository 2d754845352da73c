"""Fen as text (calculator/rules/fen.py): the contract's two-decimal strings and a sentence's
yuan, whatever the amount, and the same whether remembered or made afresh."""

import pytest

from calculator.rules import fen

# (fen, contract text, sentence text), worked out by hand: 100 fen to the yuan; a sentence
# drops ".00" and groups thousands with commas.
CASES = [
    (0, "0.00", "0"),
    (5, "0.05", "0.05"),
    (99, "0.99", "0.99"),
    (100, "1.00", "1"),
    (18050, "180.50", "180.50"),
    (99999, "999.99", "999.99"),
    (100000, "1000.00", "1,000"),  # the first grouped amount
    (120000, "1200.00", "1,200"),
    (123456, "1234.56", "1,234.56"),
    (100000005, "1000000.05", "1,000,000.05"),  # a million yuan: grouped twice
    (99999999, "999999.99", "999,999.99"),
    (-1, "-0.01", "-0.01"),
    (-120050, "-1200.50", "-1,200.50"),
]


def forget(amount: int) -> None:
    """Make the next call build the text afresh: amounts from 0 to 999.99 元 are kept by
    position in a list (99999 the last slot), the others in a dict."""
    fen._MONEY_TEXT.pop(amount, None)
    fen._YUAN_TEXT.pop(amount, None)
    if 0 <= amount < fen._BELOW:
        fen._MONEY_BELOW[amount] = fen._YUAN_BELOW[amount] = None


@pytest.mark.parametrize(("amount", "contract_text", "sentence_text"), CASES)
def test_fen_as_text(amount, contract_text, sentence_text):
    forget(amount)
    assert fen.money(amount) == contract_text  # made
    assert fen.yuan(amount) == sentence_text
    made_money, made_yuan = fen.money(amount), fen.yuan(amount)
    assert made_money == contract_text and made_yuan == sentence_text  # remembered…
    assert fen.money(amount) is made_money and fen.yuan(amount) is made_yuan  # …the same text


def test_texts_agree_with_pythons_own_formatting_over_a_range():
    # The ready parts (".05", ",007") against format specs, on every 13th fen to 30,000 yuan
    # either side of zero and a few large amounts: a part off by one would show here.
    amounts = [*range(-3_000_000, 3_000_000, 13), 10**9 + 1, -(10**11) - 99]
    for amount in amounts:
        whole, cents = divmod(abs(amount), 100)
        sign = "-" if amount < 0 else ""
        assert fen.money(amount) == f"{sign}{whole}.{cents:02d}"
        assert fen.yuan(amount) == sign + (f"{whole:,}" if cents == 0 else f"{whole:,}.{cents:02d}")
