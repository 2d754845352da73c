"""The engine's input and output types, shared by the contract, the ledger and the edges.

Money is integer fen everywhere in here (``120000`` is 1,200.00 yuan): the contract converts
the request's two-decimal amounts once, and the edges format fen back to "1200.00".
A :class:`Step` is data, not a sentence: its code and variant pick a message template
(``messages.py``), its figures fill it, so a sentence cannot say what its figures do not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, NamedTuple


class Visit(NamedTuple):
    index: int  # type: ignore[assignment]  # (shadows tuple.index, as NamedTuple allows) position in the request (0-based); the visit's number is index + 1
    date: dt.date
    level: int | None
    setting: str  # clinic, pharmacy, internet, non_designated
    total: int  # fen
    excluded: int  # fen, 全自费
    class_b: int  # fen, 乙类
    price_class: int | None
    offsite: str  # none, filed, unfiled
    inpatient_stay: bool
    category: str  # general, chronic

    @property
    def number(self) -> int:
        return self.index + 1


@dataclass(frozen=True, slots=True)
class CalculationRequest:
    region: str
    status: str  # employed, retired
    age: int
    retired_on: dt.date | None
    flexible_employment: bool
    contribution_base: int | None  # fen
    account_balance: int  # fen; 上海: 当年账户
    prior_years_balance: int  # fen; 上海: 历年账户
    chronic_disease_count: int
    visits: tuple[Visit, ...]
    lang: str = "zh-hans"
    # False when the request left chronic_disease_count out (it then counts as 1): a 门诊慢性病
    # visit says so, since the chronic cap depends on the count.
    chronic_disease_count_given: bool = True
    # False when the request left account_balance out (上海: the 当年账户 pays before the 自负段,
    # so a balance left out changes the fund's figures, which is said).
    account_balance_given: bool = True
    # The day ``age`` is counted on; None: today (the ledger's).
    age_on: dt.date | None = None


class Step:
    """One explained figure of a visit, never changed once made.

    ``figures`` holds every number the sentence may quote: money in fen (int), rates as
    ``params.Rate``, dates, years, and codes (level, group, term) that the renderer turns
    into names. ``amount`` is the step's own figure in fen, or None for a step that
    explains a choice (which rate applies, which year) rather than a payment.
    ``clause``: None for a step said without a clause to link (version_change nothing_paid).

    A plain class with slots: compiled (scripts/build_engine.py) it is a native one, made
    without a tuple of its fields or an int object for its amount; a visit makes three or so,
    and as a NamedTuple each was a Python call (``tuple.__new__``) and a tenth of a visit's
    time."""

    __slots__ = ("code", "variant", "amount", "figures", "clause")

    def __init__(self, code: str, variant: str, amount: int | None, figures: dict[str, Any], clause: str | None) -> None:
        self.code = code
        self.variant = variant
        self.amount = amount
        self.figures = figures
        self.clause = clause

    def __repr__(self) -> str:
        return f"Step({self.code!r}, {self.variant!r}, {self.amount!r}, {self.figures!r}, {self.clause!r})"


@dataclass(slots=True)
class Notice:
    """A notice or an assumption, listed once per result with the visits it concerns.

    ``text`` is a Chinese message (a template of ``messages.NOTICES`` filled from
    ``figures``, or a sentence of the policy data); ``visits`` are visit numbers (1-based)."""

    code: str
    text: str
    clause: str | None
    figures: dict[str, Any] = field(default_factory=dict)
    visits: list[int] = field(default_factory=list)
    kind: str = "notice"  # "notice" or "assumption"


class Running(NamedTuple):
    """A running total as it stood before and after a visit (deductible or cap)."""

    basis: str | None
    standard: int | None
    applied: int
    used_before: int | None  # None: the visit is one the total does not apply to
    used_after: int | None  # None: the visit is one the total does not apply to
    remaining: int | None


class VisitResult(NamedTuple):
    visit: Visit
    version_id: str
    year: int
    status_group: str
    policy_range: int
    fund_paid: int
    member_paid: int
    share: dict[str, int]  # the member's share by reason; adds up to member_paid
    deductible: Running
    cap: Running  # standard = the annual cap (None: no cap); applied = fund paid
    over_cap_handling: str | None
    account_paid: int
    cash_paid: int
    steps: list[Step]
    notices: list[str]  # codes of the notices that concern this visit
    future: bool = False


@dataclass(slots=True)
class YearTotals:
    year: int
    year_kind: str  # calendar or july_june
    start: dt.date
    end: dt.date
    deductible_used: int = 0
    fund_paid: int = 0
    annual_cap: int | None = None
    chronic: dict[str, int | None] | None = None
    # How the rule in force at the year's last general visit counts a deductible (annual,
    # per_visit, none): a year can end under a rule without one (武汉 from 2023-04-10).
    deductible_basis: str | None = None
    # That rule's annual deductible for the member's group then (basis "annual"; else None):
    # a retirement in the year changes it at a visit the fund may not cover.
    deductible_standard: int | None = None


@dataclass(slots=True)
class AccountAllocation:
    """The personal account's credit for the benefit year of the first visit."""

    variant: str
    figures: dict[str, Any]
    clause: str
    version_id: str
    annual: int | None = None
    monthly: int | None = None
    reason_variant: str | None = None  # why there is no annual figure


@dataclass(slots=True)
class CalculationResult:
    request: CalculationRequest
    region_code: str
    region_name: str
    visits: list[VisitResult]  # in the order given
    order: list[int]  # indexes in calculation (date) order
    totals: dict[str, int]
    years: list[YearTotals]
    account: AccountAllocation
    versions: list[Any]  # loader.Version, in order of first use
    clauses: dict[str, Any]  # ref → loader.Citation
    notices: list[Notice]
