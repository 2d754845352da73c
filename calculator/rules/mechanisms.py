"""The mechanisms of POLICY_NOTES, one small unit each, in fen, knowing no region.

Each function takes plain figures and returns a typed outcome that says which situation
it met (``variant``), so the step that explains it picks the sentence that is true of the
numbers. ``ledger.py`` composes them in the order the notes give.
"""

from __future__ import annotations

from calculator.rules.params import FundRatio, Internet, Pharmacy, PriceClassDefault, Rate


# Outcomes are plain classes with slots, never changed once made. Compiled
# (scripts/build_engine.py) each is a native class: made without a tuple of its fields or an
# int object for each amount (as NamedTuples, each was a Python call to ``tuple.__new__``,
# several a visit). They are read by field, never compared whole.


# -- 1. Policy-range expense --------------------------------------------------------------
def policy_range(total: int, excluded: int) -> int:
    """符合政策范围金额 = 医疗费总额 − 全自费 (the contract refuses excluded > total)."""
    return total - excluded


# -- 2. First self-pay (先行自付) ----------------------------------------------------------
def first_self_pay(amount: int, rate: Rate) -> int:
    """The part the member pays first (乙类, or 异地未备案), half-up to the fen."""
    return rate.apply(amount)


# -- 3. 上海: the 当年账户 pays before the 自负段 -------------------------------------------
class Segment:
    __slots__ = ('balance_before', 'paid', 'balance_after', 'variant',)

    def __init__(self, balance_before: int, paid: int, balance_after: int, variant: str) -> None:
        self.balance_before = balance_before
        self.paid = paid
        self.balance_after = balance_after
        # "covers_all": the visit's eligible expense ("covers_all_used_up": which was the whole
        # balance); "uses_up": the whole balance, short of the expense
        self.variant = variant


def account_segment(balance: int, eligible: int) -> Segment:
    paid = min(balance, eligible)
    variant = ("covers_all_used_up" if paid == balance else "covers_all") if paid == eligible else "uses_up"
    return Segment(balance, paid, balance - paid, variant)


# -- 4. Deductible (起付标准 / 自负段) -----------------------------------------------------
class DeductibleOutcome:
    __slots__ = ('standard', 'used_before', 'applied', 'remaining', 'variant',)

    def __init__(self, standard: int, used_before: int, applied: int, remaining: int, variant: str) -> None:
        self.standard = standard
        self.used_before = used_before
        self.applied = applied
        self.remaining = remaining  # of the standard, after this visit
        self.variant = variant  # within, crossed, already_met


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
    return DeductibleOutcome(standard, used_before, applied, remaining_before - applied, variant)


def per_visit_deductible(standard: int, eligible: int) -> DeductibleOutcome:
    """A deductible charged again at every visit (by level or price class)."""
    applied = min(eligible, standard)
    return DeductibleOutcome(standard, 0, applied, standard - applied, "within" if applied == eligible else "crossed")


def no_deductible(used_before: int) -> DeductibleOutcome:
    """A version without a deductible (武汉 优化方案: 取消起付线): nothing is applied, and the
    year's running total (from an earlier version) stands."""
    return DeductibleOutcome(0, used_before, 0, 0, "none")


# -- 5a. Which fund ratio applies: by status group, then setting, level or price class ------
class RateChoice:
    __slots__ = ('rate', 'level', 'key', 'kind', 'setting_rule', 'inferred_class',)

    def __init__(self, rate: Rate, level: int | None, key: int | None, kind: str, setting_rule: str | None, inferred_class: bool) -> None:
        self.rate = rate
        self.level = level  # the level the rate was read by (a pharmacy rated as level 1: 1; one with a rate of its own: the visit's, if any)
        self.key = key  # the level or price class the rate table was read at (a pharmacy's own rate: as level)
        self.kind = kind  # "level", "price_class", or "pharmacy" (a pharmacy rate of its own)
        self.setting_rule = setting_rule  # pharmacy_<basis> or internet_<basis>; None at a clinic
        self.inferred_class = inferred_class  # the price class was inferred from the level (none was given)


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
            return RateChoice(pharmacy.rates[group], level, level, "pharmacy", "pharmacy_own_ratio", False)
        if pharmacy.basis == "level_one":
            level = 1
        setting_rule = f"pharmacy_{pharmacy.basis}"
    elif setting == "internet":
        assert internet is not None, "the loader requires an internet rule"
        setting_rule = f"internet_{internet.basis}"
    if fund_ratio.keyed_by != "price_class":
        return RateChoice(fund_ratio.rates[group][level], level, level, "level", setting_rule, False)  # type: ignore[index]  # a level is required there (contract)
    if price_class is not None:
        return RateChoice(fund_ratio.rates[group][price_class], level, price_class, "price_class", setting_rule, False)
    assert class_default is not None, "the loader requires price_class_default with rates by price class"
    key = class_default.by_level[level]  # type: ignore[index]
    return RateChoice(fund_ratio.rates[group][key], level, key, "price_class", setting_rule, True)


# -- 5. Fund share, limited by the annual cap ------------------------------------------------
def cap_room(cap: int | None, paid_before: int) -> int | None:
    """What the fund may still pay this benefit year; None where there is no cap."""
    return None if cap is None else max(0, cap - paid_before)


class FundOutcome:
    __slots__ = ('base', 'ratio_amount', 'paid', 'room', 'variant', 'copay', 'over_cap',)

    def __init__(self, base: int, ratio_amount: int, paid: int, room: int | None, variant: str, copay: int, over_cap: int) -> None:
        self.base = base
        self.ratio_amount = ratio_amount  # base × ratio, half-up: what the fund pays without a cap
        self.paid = paid  # min(ratio_amount, cap room)
        self.room = room
        self.variant = variant  # plain, capped, cap_used_up
        self.copay = copay  # 个人按比例自付: base − ratio amount (never derived by dividing by a ratio)
        self.over_cap = over_cap  # what the cap kept the fund from paying: ratio amount − fund paid


def fund_share(base: int, ratio: Rate, room: int | None) -> FundOutcome:
    ratio_amount = ratio.apply(base)
    copay = base - ratio_amount
    if room is None or room >= ratio_amount:
        return FundOutcome(base, ratio_amount, ratio_amount, room, "plain", copay, 0)
    return FundOutcome(base, ratio_amount, room, room, "capped" if room > 0 else "cap_used_up", copay, ratio_amount - room)


# -- 5b. Above the annual cap ----------------------------------------------------------------
def whole_visit_above_cap(rule: str, cap: int | None, paid_before: int) -> bool:
    """转入住院待遇: once the fund's outpatient payments have reached the cap, the visit's whole
    policy-range expense goes over to inpatient cover (no outpatient deductible is counted).
    Where the member pays above the cap, the visit is worked out as any other (the fund's
    share is then nil)."""
    return rule == "inpatient_transfer" and cap is not None and paid_before >= cap


class AboveCap:
    __slots__ = ('amount', 'handling',)

    def __init__(self, amount: int, handling: str | None) -> None:
        self.amount = amount  # what the cap kept the fund from paying (ratio amount − fund paid)
        self.handling = handling  # the rule: "member" pays it, or "inpatient_transfer"; None: nothing above


def above_cap(rule: str, fund: FundOutcome) -> AboveCap:
    """What the cap kept the fund from paying, and who takes it over under the rule."""
    over = fund.over_cap
    return AboveCap(over, rule if over else None)


# -- 6. Personal account -------------------------------------------------------------------
class AccountPayment:
    __slots__ = ('balance_before', 'paid', 'balance_after',)

    def __init__(self, balance_before: int, paid: int, balance_after: int) -> None:
        self.balance_before = balance_before
        self.paid = paid
        self.balance_after = balance_after


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
    return AccountPayment(balance, paid, balance - paid)


def months_between(first: tuple[int, int], last: tuple[int, int]) -> int:
    """Whole months from ``first`` to ``last`` inclusive, each given as (year, month)."""
    return (last[0] - first[0]) * 12 + last[1] - first[1] + 1
