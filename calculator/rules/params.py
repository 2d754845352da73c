"""Typed policy parameters: one frozen class per parameter kind, validated once at load.

The loader turns each ``parameters.<name>`` mapping of a data file into one of these (see
``PARSERS`` in ``loader.py``); the ledger, the contract, the results page and the policy
library read attributes, never string keys. Money is integer fen; rates are :class:`Rate`
(an exact fraction, so half-up rounding needs no Decimal in the hot loop).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Union

GROUPS = ("employed", "retired", "retired_by_2000", "retired_from_2001")
LEVELS = (1, 2, 3)


@dataclass(frozen=True, slots=True)
class Rate:
    """A payment ratio such as 0.845, kept exact as numerator / denominator."""

    value: Decimal
    num: int
    den: int
    percent: str  # 0.85 → "85%", 0.845 → "84.5%"
    text: str  # the contract's form: "0.85"

    @classmethod
    def of(cls, value: Decimal) -> "Rate":
        sign, digits, exponent = value.as_tuple()
        assert isinstance(exponent, int) and not sign
        num = int("".join(map(str, digits)) or "0")
        den = 1
        if exponent < 0:
            den = 10 ** (-exponent)
        else:
            num *= 10**exponent
        return cls(value, num, den, f"{(value * 100).normalize():f}%", str(value))

    def apply(self, fen: int) -> int:
        """``fen × rate`` rounded half-up to the fen (POLICY_NOTES, mechanics step 7)."""
        return (2 * fen * self.num + self.den) // (2 * self.den)

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class BenefitYear:
    july_june: bool  # 上海 医保年度 1 July – 30 June; otherwise the calendar year

    def key(self, day: dt.date) -> int:
        if self.july_june:
            return day.year if day.month >= 7 else day.year - 1
        return day.year

    def bounds(self, key: int) -> tuple[dt.date, dt.date]:
        if self.july_june:
            return dt.date(key, 7, 1), dt.date(key + 1, 6, 30)
        return dt.date(key, 1, 1), dt.date(key, 12, 31)


@dataclass(frozen=True, slots=True)
class PolicyRange:
    pass


@dataclass(frozen=True, slots=True)
class Deductible:
    basis: str  # "annual" (running total in the benefit year), "per_visit", "none"
    by_group: dict[str, int] | None = None  # annual: fen per status group
    by_key: dict[int, int] | None = None  # per_visit: fen per level or price class
    keyed_by: str | None = None  # per_visit: "level" or "price_class"
    term: str = "起付标准"  # what the document calls it (上海: 自负段)


@dataclass(frozen=True, slots=True)
class FundRatio:
    keyed_by: str  # "level" or "price_class"
    rates: dict[str, dict[int, Rate]]  # group → level/price class → rate


@dataclass(frozen=True, slots=True)
class AnnualCap:
    by_group: dict[str, int] | None  # fen; None: no outpatient cap of its own
    above_cap: str  # "member", "inpatient_transfer", "not_applicable"
    none_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Pharmacy:
    basis: str  # "level_one" (徐州), "prescriber", "own_ratio" (武汉)
    rates: dict[str, Rate] | None = None


@dataclass(frozen=True, slots=True)
class Internet:
    basis: str  # "physical_level", "not_specified"


@dataclass(frozen=True, slots=True)
class NonDesignated:
    pass


@dataclass(frozen=True, slots=True)
class AccountUse:
    pays_excluded: bool
    order: str  # "after_fund", or "current_year_first" (上海: 当年账户 before the 自负段)
    # order == "current_year_first", worked out once (the ledger asks several times a visit).
    current_year_first: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "current_year_first", self.order == "current_year_first")


@dataclass(frozen=True, slots=True)
class AgeBand:
    up_to_age: int | None
    amount: int  # fen


@dataclass(frozen=True, slots=True)
class AccountRule:
    """How a personal account is credited for one kind of member."""

    kind: str  # monthly_share_of_base, monthly, yearly, monthly_by_age, yearly_by_age, none
    rate: Rate | None = None
    amount: int | None = None  # fen
    bands: tuple[AgeBand, ...] = ()
    reason: str | None = None  # kind "none": why no figure can be given
    # What the document calls the credit where it does not call it 个人账户 (武汉细则 第六条:
    # flexible-employment retirees get a 门诊和购药补助 "参照…个人账户计入金额的80%").
    called: str | None = None

    def amount_for_age(self, age: int) -> int:
        if self.amount is not None:
            return self.amount
        for band in self.bands:
            if band.up_to_age is None or age <= band.up_to_age:
                return band.amount
        raise AssertionError("the loader requires an open-ended last band")

    def band_of(self, age: int) -> dict[str, int | None]:
        """The rule's band for ``age``: its first and last age (None: from the youngest; no
        upper end), both inclusive, as a sentence names it ("69 周岁及以下", "70 周岁及以上")."""
        start: int | None = None
        for band in self.bands:
            if band.up_to_age is None or age <= band.up_to_age:
                return {"band_from": start, "band_to": band.up_to_age}
            start = band.up_to_age + 1
        raise AssertionError("the loader requires an open-ended last band")

    def band_boundary(self, low_age: int, high_age: int) -> int | None:
        """The first age from which another band applies, between ``low_age`` and ``high_age``
        (None: one band covers them all)."""
        for band in self.bands:
            if band.up_to_age is not None and low_age <= band.up_to_age < high_age:
                return band.up_to_age + 1
        return None

    @property
    def monthly(self) -> bool:
        return self.kind in ("monthly_share_of_base", "monthly", "monthly_by_age")


@dataclass(frozen=True, slots=True)
class PersonalAccount:
    rules: dict[str, AccountRule]  # employed, retired, flexible_employed, flexible_retired


@dataclass(frozen=True, slots=True)
class FirstSelfPay:
    """乙类先行自付: a rate, or None where the document names it without one (山西)."""

    rate: Rate | None


@dataclass(frozen=True, slots=True)
class Offsite:
    filed: str  # "same_as_local"
    unfiled_rate: Rate | None  # 异地未备案 先行自付; None: not stated


@dataclass(frozen=True, slots=True)
class InpatientStay:
    covered: bool


@dataclass(frozen=True, slots=True)
class Chronic:
    """玉溪 门诊慢性病 (细则 第十条): its own deductible, ratio and cap by disease count."""

    deductible: int
    fund_ratio: Rate
    cap_first: int
    cap_each_additional: int
    cap_max: int

    def cap_for(self, count: int) -> int:
        return min(self.cap_max, self.cap_first + self.cap_each_additional * (count - 1))


@dataclass(frozen=True, slots=True)
class RetireeStart:
    basis: str  # "next_month" (武汉 第七条 从次月起) or "retirement_date"

    def start(self, retired_on: dt.date) -> dt.date:
        if self.basis == "next_month":
            return dt.date(retired_on.year + (retired_on.month == 12), retired_on.month % 12 + 1, 1)
        return retired_on


@dataclass(frozen=True, slots=True)
class RetireeCohorts:
    split_on: dt.date
    before: str
    on_or_after: str

    def group(self, retired_on: dt.date) -> str:
        return self.before if retired_on < self.split_on else self.on_or_after


@dataclass(frozen=True, slots=True)
class PriceClassDefault:
    by_level: dict[int, int]


ParamValue = Union[
    BenefitYear, PolicyRange, Deductible, FundRatio, AnnualCap, Pharmacy, Internet, NonDesignated,
    AccountUse, PersonalAccount, FirstSelfPay, Offsite, InpatientStay, Chronic, RetireeStart,
    RetireeCohorts, PriceClassDefault,
]


def fen(amount: Decimal) -> int:
    """A two-decimal yuan amount as integer fen."""
    return int(amount.scaleb(2).to_integral_value())
