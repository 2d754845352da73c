"""The mechanisms of POLICY_NOTES, one small unit each, in fen, knowing no region.

Each function takes plain figures and returns a typed outcome that says which situation
it met (``variant``), so the step that explains it picks the sentence that is true of the
numbers. ``ledger.py`` composes them in the order the notes give.
"""

from __future__ import annotations

from typing import NamedTuple

from calculator.rules.params import Rate

# Outcomes are NamedTuples: immutable like a frozen dataclass, and made without a Python
# ``__init__`` that sets each field through ``object.__setattr__`` (a visit makes several).
_record = tuple.__new__  # an outcome in one C call (fields in order)


# -- 1. Policy-range expense --------------------------------------------------------------
def policy_range(total: int, excluded: int) -> int:
    """符合政策范围金额 = 医疗费总额 − 全自费 (the contract refuses excluded > total)."""
    return total - excluded


# -- 2. First self-pay (先行自付) ----------------------------------------------------------
def first_self_pay(amount: int, rate: Rate) -> int:
    """The part the member pays first (乙类, or 异地未备案), half-up to the fen."""
    return rate.apply(amount)


# -- 3. 上海: the 当年账户 pays before the 自负段 -------------------------------------------
class Segment(NamedTuple):
    balance_before: int
    paid: int
    balance_after: int
    variant: str  # "covers_all": the visit's eligible expense; "uses_up": the whole balance


def account_segment(balance: int, eligible: int) -> Segment:
    paid = min(balance, eligible)
    return _record(Segment, (balance, paid, balance - paid, "covers_all" if paid == eligible else "uses_up"))


# -- 4. Deductible (起付标准 / 自负段) -----------------------------------------------------
class DeductibleOutcome(NamedTuple):
    standard: int
    used_before: int
    applied: int
    remaining: int  # of the standard, after this visit
    variant: str  # within, crossed, already_met


def annual_deductible(standard: int, used_before: int, eligible: int) -> DeductibleOutcome:
    """A running total over the benefit year, consumed in date order."""
    remaining_before = max(0, standard - used_before)
    applied = min(eligible, remaining_before)
    if remaining_before == 0:
        variant = "already_met"
    elif applied < remaining_before:
        variant = "within"  # all of the visit counts toward it, and some is still to go
    else:
        variant = "crossed"  # met at this visit (exactly, or with expense above it)
    return _record(DeductibleOutcome, (standard, used_before, applied, remaining_before - applied, variant))


def per_visit_deductible(standard: int, eligible: int) -> DeductibleOutcome:
    """A deductible charged again at every visit (by level or price class)."""
    applied = min(eligible, standard)
    return _record(DeductibleOutcome, (standard, 0, applied, standard - applied, "within" if applied == eligible else "crossed"))


# -- 5. Fund share, limited by the annual cap ------------------------------------------------
def cap_room(cap: int | None, paid_before: int) -> int | None:
    """What the fund may still pay this benefit year; None where there is no cap."""
    return None if cap is None else max(0, cap - paid_before)


class FundOutcome(NamedTuple):
    base: int
    ratio_amount: int  # base × ratio, half-up: what the fund pays without a cap
    paid: int  # min(ratio_amount, cap room)
    room: int | None
    variant: str  # plain, capped, cap_used_up
    copay: int  # 个人按比例自付: base − ratio amount (never derived by dividing by a ratio)
    over_cap: int  # what the cap kept the fund from paying: ratio amount − fund paid


def fund_share(base: int, ratio: Rate, room: int | None) -> FundOutcome:
    ratio_amount = ratio.apply(base)
    copay = base - ratio_amount
    if room is None or room >= ratio_amount:
        return _record(FundOutcome, (base, ratio_amount, ratio_amount, room, "plain", copay, 0))
    return _record(FundOutcome, (base, ratio_amount, room, room, "capped" if room > 0 else "cap_used_up", copay, ratio_amount - room))


# -- 6. Personal account -------------------------------------------------------------------
class AccountPayment(NamedTuple):
    balance_before: int
    paid: int
    balance_after: int


def account_payment(balance: int, payable: int) -> AccountPayment:
    """The account pays what it may of the member's share, as far as the balance goes."""
    paid = min(balance, payable) if payable > 0 else 0
    return _record(AccountPayment, (balance, paid, balance - paid))


def months_between(first: tuple[int, int], last: tuple[int, int]) -> int:
    """Whole months from ``first`` to ``last`` inclusive, each given as (year, month)."""
    return (last[0] - first[0]) * 12 + last[1] - first[1] + 1
