"""The mechanisms of POLICY_NOTES, one small unit each, in fen, knowing no region.

Each function takes plain figures and returns a typed outcome that says which situation
it met (``variant``), so the step that explains it picks the sentence that is true of the
numbers. ``ledger.py`` composes them in the order the notes give.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from calculator.rules.params import FundRatio, Internet, Pharmacy, PriceClassDefault, Rate

# Outcomes are NamedTuples: immutable like a frozen dataclass, and made without a Python
# ``__init__`` that sets each field through ``object.__setattr__`` (a visit makes several).
_record: Final = tuple.__new__  # an outcome in one C call (fields in order)


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
    # "covers_all": the visit's eligible expense ("covers_all_used_up": which was the whole
    # balance); "uses_up": the whole balance, short of the expense
    variant: str


def account_segment(balance: int, eligible: int) -> Segment:
    paid = min(balance, eligible)
    variant = ("covers_all_used_up" if paid == balance else "covers_all") if paid == eligible else "uses_up"
    return _record(Segment, (balance, paid, balance - paid, variant))


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


def no_deductible(used_before: int) -> DeductibleOutcome:
    """A version without a deductible (武汉 优化方案: 取消起付线): nothing is applied, and the
    year's running total (from an earlier version) stands."""
    return _record(DeductibleOutcome, (0, used_before, 0, 0, "none"))


# -- 5a. Which fund ratio applies: by status group, then setting, level or price class ------
class RateChoice(NamedTuple):
    rate: Rate
    level: int | None  # the level the rate was read by (a pharmacy rated as level 1: 1; one with a rate of its own: the visit's, if any)
    key: int | None  # the level or price class the rate table was read at (a pharmacy's own rate: as level)
    kind: str  # "level", "price_class", or "pharmacy" (a pharmacy rate of its own)
    setting_rule: str | None  # pharmacy_<basis> or internet_<basis>; None at a clinic
    inferred_class: bool  # the price class was inferred from the level (none was given)


def fund_rate(
    fund_ratio: FundRatio, group: str, setting: str, level: int | None, price_class: int | None,
    pharmacy: Pharmacy | None, internet: Internet | None, class_default: PriceClassDefault | None,
) -> RateChoice:
    """The ratio the fund pays at: a pharmacy with a rate of its own pays that; a pharmacy
    rated as level 1 reads the table at level 1; otherwise the table is read at the visit's
    level, or at its price class where the rates follow price classes (the class given, or
    the one the level implies)."""
    setting_rule = None
    if setting == "pharmacy":
        assert pharmacy is not None, "the loader requires a pharmacy rule"
        if pharmacy.basis == "own_ratio":
            assert pharmacy.rates is not None
            return _record(RateChoice, (pharmacy.rates[group], level, level, "pharmacy", "pharmacy_own_ratio", False))
        if pharmacy.basis == "level_one":
            level = 1
        setting_rule = f"pharmacy_{pharmacy.basis}"
    elif setting == "internet":
        assert internet is not None, "the loader requires an internet rule"
        setting_rule = f"internet_{internet.basis}"
    if fund_ratio.keyed_by != "price_class":
        return _record(RateChoice, (fund_ratio.rates[group][level], level, level, "level", setting_rule, False))  # type: ignore[index]  # a level is required there (contract)
    if price_class is not None:
        return _record(RateChoice, (fund_ratio.rates[group][price_class], level, price_class, "price_class", setting_rule, False))
    assert class_default is not None, "the loader requires price_class_default with rates by price class"
    key = class_default.by_level[level]  # type: ignore[index]
    return _record(RateChoice, (fund_ratio.rates[group][key], level, key, "price_class", setting_rule, True))


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


# -- 5b. Above the annual cap ----------------------------------------------------------------
def whole_visit_above_cap(rule: str, cap: int | None, paid_before: int) -> bool:
    """转入住院待遇: once the fund's outpatient payments have reached the cap, the visit's whole
    policy-range expense goes over to inpatient cover (no outpatient deductible is counted).
    Where the member pays above the cap, the visit is worked out as any other (the fund's
    share is then nil)."""
    return rule == "inpatient_transfer" and cap is not None and paid_before >= cap


class AboveCap(NamedTuple):
    amount: int  # what the cap kept the fund from paying (ratio amount − fund paid)
    handling: str | None  # the rule: "member" pays it, or "inpatient_transfer"; None: nothing above


def above_cap(rule: str, fund: FundOutcome) -> AboveCap:
    """What the cap kept the fund from paying, and who takes it over under the rule."""
    over = fund.over_cap
    return _record(AboveCap, (over, rule if over else None))


# -- 6. Personal account -------------------------------------------------------------------
class AccountPayment(NamedTuple):
    balance_before: int
    paid: int
    balance_after: int


def account_payable(member_paid: int, paid_before_deductible: int, excluded: int, pays_excluded: bool, designated: bool) -> int:
    """What the account may pay after the fund: the member's share of the visit, less what
    the 当年账户 already paid before the 自负段, less 全自费 where the account pays only
    policy-range costs; nothing at a non-designated institution (the fund's rules do not
    reach it)."""
    if not designated:
        return 0
    return member_paid - paid_before_deductible - (0 if pays_excluded else excluded)


def account_payment(balance: int, payable: int) -> AccountPayment:
    """The account pays what it may of the member's share, as far as the balance goes."""
    paid = min(balance, payable) if payable > 0 else 0
    return _record(AccountPayment, (balance, paid, balance - paid))


def months_between(first: tuple[int, int], last: tuple[int, int]) -> int:
    """Whole months from ``first`` to ``last`` inclusive, each given as (year, month)."""
    return (last[0] - first[0]) * 12 + last[1] - first[1] + 1
