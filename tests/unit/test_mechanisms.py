"""Each mechanism of POLICY_NOTES on its own, with hand-worked figures (money in fen).

``calculator/rules/mechanisms.py`` holds one pure function per mechanism and
``calculator/rules/params.py`` the typed parameters they read; neither knows a region.
Every expected figure below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from calculator.rules import mechanisms as M
from calculator.rules.params import (
    AccountRule,
    AgeBand,
    BenefitYear,
    Chronic,
    FundRatio,
    Internet,
    Pharmacy,
    PriceClassDefault,
    Rate,
    RetireeCohorts,
    RetireeStart,
    fen,
)

# The module's source file: it may run compiled (scripts/build_engine.py), where inspect has none.
MECHANISMS_SOURCE = Path(__file__).resolve().parents[2] / "calculator" / "rules" / "mechanisms.py"


def r(text: str) -> Rate:
    return Rate.of(Decimal(text))


# -- Rate ---------------------------------------------------------------------------------------
class TestRate:
    def test_of_keeps_the_exact_fraction(self):
        # 0.845 = 845 / 1000; 0.85 = 85 / 100; 0.10 = 10 / 100 (trailing zero kept, same value).
        assert (r("0.845").num, r("0.845").den) == (845, 1000)
        assert (r("0.85").num, r("0.85").den) == (85, 100)
        assert (r("0.10").num, r("0.10").den) == (10, 100)
        assert (r("1").num, r("1").den) == (1, 1)
        assert (r("0").num, r("0").den) == (0, 1)
        assert r("0.845").value == Decimal("0.845")

    @pytest.mark.parametrize(
        ("rate", "text"),
        [("0.845", "84.5%"), ("0.85", "85%"), ("0.60", "60%"), ("0.1", "10%"), ("0.10", "10%"), ("1", "100%"), ("0.05", "5%")],
    )
    def test_percent(self, rate, text):
        # 0.845 × 100 = 84.5 → "84.5%"; 0.60 × 100 = 60.0 → "60%" (no trailing zero).
        assert r(rate).percent == text

    @pytest.mark.parametrize(
        ("fen_", "rate", "expected"),
        [
            (1, "0.5", 1),  # 0.01 × 50% = 0.005 → half-up 0.01
            (3, "0.5", 2),  # 0.03 × 50% = 0.015 → 0.02
            (5, "0.10", 1),  # 0.05 × 10% = 0.005 → 0.01
            (4, "0.10", 0),  # 0.04 × 10% = 0.004 → 0.00
            (15, "0.10", 2),  # 0.15 × 10% = 0.015 → 0.02 (banker's would also give 0.02)
            (25, "0.10", 3),  # 0.25 × 10% = 0.025 → 0.03 (banker's would give 0.02)
            (1, "0.845", 1),  # 0.01 × 84.5% = 0.00845 → 0.01
            (100, "0.845", 85),  # 1.00 × 84.5% = 0.845 → 0.85 (half-up of 84.5 fen)
            (300000, "0.65", 195000),  # 3000 × 65% = 1950.00
            (0, "0.85", 0),
            (12345, "1", 12345),
            (12345, "0", 0),
        ],
    )
    def test_apply_rounds_half_up_to_the_fen(self, fen_, rate, expected):
        assert r(rate).apply(fen_) == expected

    def test_apply_agrees_with_decimal_half_up(self):
        from decimal import ROUND_HALF_UP

        for rate in ("0.845", "0.65", "0.9", "0.1", "0.55", "0.875"):
            for amount in list(range(0, 400)) + [999_999, 1_000_001, 123_456_789]:
                exact = (Decimal(amount) * Decimal(rate)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
                assert r(rate).apply(amount) == int(exact), (amount, rate)

    def test_str_is_the_decimal(self):
        assert str(r("0.845")) == "0.845"

    def test_fen_of_yuan(self):
        assert fen(Decimal("1200.00")) == 120000
        assert fen(Decimal("0.05")) == 5
        assert fen(Decimal("180.5")) == 18050


# -- 1. Policy-range expense ------------------------------------------------------------------
class TestPolicyRange:
    def test_total_minus_excluded(self):
        # 1,200.00 total, 200.50 全自费 → 999.50 in the policy range.
        assert M.policy_range(120000, 20050) == 99950

    def test_no_excluded(self):
        assert M.policy_range(120000, 0) == 120000

    def test_all_excluded(self):
        assert M.policy_range(5000, 5000) == 0


# -- 2. First self-pay --------------------------------------------------------------------------
class TestFirstSelfPay:
    def test_class_b_ten_percent(self):
        # 武汉 乙类 10% of 1,000.00 = 100.00.
        assert M.first_self_pay(100000, r("0.10")) == 10000

    def test_half_up_on_an_odd_fen(self):
        # 0.05 × 10% = 0.005 yuan → 0.01 (half-up); 0.15 × 10% = 0.015 → 0.02; 0.04 × 10% → 0.
        assert M.first_self_pay(5, r("0.10")) == 1
        assert M.first_self_pay(15, r("0.1")) == 2
        assert M.first_self_pay(4, r("0.10")) == 0

    def test_offsite_unfiled_on_what_is_left(self):
        # 异地未备案 10% of 987.65 = 98.765 → 98.77.
        assert M.first_self_pay(98765, r("0.10")) == 9877

    def test_zero(self):
        assert M.first_self_pay(0, r("0.10")) == 0


# -- 3. 当年账户 before the 自负段 -----------------------------------------------------------
class TestAccountSegment:
    def test_covers_all(self):
        # Balance 1,000.00, eligible 300.00 → pays 300.00, 700.00 left.
        seg = M.account_segment(100000, 30000)
        assert (seg.balance_before, seg.paid, seg.balance_after, seg.variant) == (100000, 30000, 70000, "covers_all")

    def test_uses_up(self):
        # Balance 200.00, eligible 300.00 → pays 200.00, nothing left.
        seg = M.account_segment(20000, 30000)
        assert (seg.balance_before, seg.paid, seg.balance_after, seg.variant) == (20000, 20000, 0, "uses_up")

    def test_balance_equal_to_the_expense_covers_it_all(self):
        # 300.00 pays 300.00: the visit's expense is covered and the balance is spent; its own
        # variant, so that the sentence says 已用完, not "余额剩 0 元".
        seg = M.account_segment(30000, 30000)
        assert (seg.paid, seg.balance_after, seg.variant) == (30000, 0, "covers_all_used_up")


# -- 4. Deductible ------------------------------------------------------------------------------
class TestAnnualDeductible:
    def test_within(self):
        # 徐州 700.00; 200.00 counted before; this visit 300.00 → all of it, 200.00 left.
        o = M.annual_deductible(70000, 20000, 30000)
        assert (o.standard, o.used_before, o.applied, o.remaining, o.variant) == (70000, 20000, 30000, 20000, "within")

    def test_crossed(self):
        # 700.00; 500.00 before; this visit 1,000.00 → 200.00 counted, 0 left, 800.00 above it.
        o = M.annual_deductible(70000, 50000, 100000)
        assert (o.applied, o.remaining, o.variant) == (20000, 0, "crossed")

    def test_exactly_reaching_the_standard_meets_it(self):
        # 700.00; 500.00 before; this visit 200.00 → all 200.00 counted, 0 left, nothing above:
        # the standard is met here (said "后已累计满", not "尚余 0 元").
        o = M.annual_deductible(70000, 50000, 20000)
        assert (o.applied, o.remaining, o.variant) == (20000, 0, "crossed")

    def test_already_met(self):
        # 700.00 already counted: nothing more.
        o = M.annual_deductible(70000, 70000, 50000)
        assert (o.applied, o.remaining, o.variant) == (0, 0, "already_met")

    def test_used_before_above_the_standard(self):
        # Counted 800.00 under an older, larger standard; a 700.00 standard is met.
        o = M.annual_deductible(70000, 80000, 50000)
        assert (o.applied, o.remaining, o.variant) == (0, 0, "already_met")

    def test_zero_expense_is_within(self):
        o = M.annual_deductible(70000, 0, 0)
        assert (o.applied, o.remaining, o.variant) == (0, 70000, "within")


class TestPerVisitDeductible:
    def test_within(self):
        # 山西 一类 80.00 per visit; this visit 50.00 → all within, 30.00 of the standard unused.
        o = M.per_visit_deductible(8000, 5000)
        assert (o.standard, o.used_before, o.applied, o.remaining, o.variant) == (8000, 0, 5000, 3000, "within")

    def test_crossed(self):
        # 80.00 standard; visit 500.00 → 80.00 deducted, 420.00 above.
        o = M.per_visit_deductible(8000, 50000)
        assert (o.applied, o.remaining, o.variant) == (8000, 0, "crossed")

    def test_charged_again_every_visit(self):
        # No running total: two 100.00 visits each pay 30.00 (玉溪 level 1).
        assert M.per_visit_deductible(3000, 10000).applied == M.per_visit_deductible(3000, 10000).applied == 3000



class TestNoDeductible:
    def test_nothing_applied_and_the_years_total_stands(self):
        # 武汉 优化方案 (取消起付线): 300.00 counted toward the 细则's 700.00 before 2023-04-10
        # stays the year's total; nothing is applied, nothing remains to meet.
        o = M.no_deductible(30000)
        assert (o.standard, o.used_before, o.applied, o.remaining, o.variant) == (0, 30000, 0, 0, "none")


class TestChronicPool:
    """门诊慢性病 (玉溪细则 第十条) runs its own deductible and cap through the same units, on its
    own running totals: what the general pool counted does not reach it."""

    def test_the_chronic_deductible_runs_apart_from_the_general_one(self):
        # General pool: 90.00 per visit (三级), so its running total says nothing here. Chronic pool
        # (300.00 a year): 0 counted before; a 1,000.00 visit → 300.00 counted, met.
        o = M.annual_deductible(30000, 0, 100000)
        assert (o.applied, o.remaining, o.variant) == (30000, 0, "crossed")
        # The next chronic visit of the year: already met; 500.00 × 80 % = 400.00, within the room
        # its cap (3,000.00) leaves after 560.00 paid before.
        again = M.annual_deductible(30000, 30000, 50000)
        assert again.variant == "already_met"
        share = M.fund_share(50000, r("0.80"), M.cap_room(300000, 56000))
        assert (share.paid, share.copay, share.variant) == (40000, 10000, "plain")

    def test_the_chronic_cap_limits_through_the_general_unit(self):
        # One disease: cap 3,000.00; 2,900.00 paid before → 100.00 of room; 1,000.00 × 80 % =
        # 800.00 due → 100.00 paid, 700.00 above the cap, copay 1,000.00 − 800.00 = 200.00.
        cap = Chronic(30000, r("0.80"), 300000, 100000, 500000).cap_for(1)
        share = M.fund_share(100000, r("0.80"), M.cap_room(cap, 290000))
        assert (share.paid, share.over_cap, share.copay, share.variant) == (10000, 70000, 20000, "capped")


# -- 5a. Which ratio: by group, setting, level, price class ------------------------------------
LEVEL_RATES = FundRatio("level", {"employed": {1: r("0.75"), 2: r("0.65"), 3: r("0.60")}, "retired": {1: r("0.85"), 2: r("0.75"), 3: r("0.70")}})
CLASS_RATES = FundRatio("price_class", {"employed": {1: r("0.50"), 2: r("0.55"), 3: r("0.60")}, "retired": {1: r("0.55"), 2: r("0.60"), 3: r("0.65")}})
CLASS_OF_LEVEL = PriceClassDefault({1: 3, 2: 2, 3: 1})  # 三级 → 一类 (the highest price class)


class TestFundRate:
    def _choose(self, rates, group, setting, level, price_class=None, pharmacy=None, internet=None, default=None):
        c = M.fund_rate(rates, group, setting, level, price_class, pharmacy, internet, default)
        return c.rate.text, c.level, c.key, c.kind, c.setting_rule, c.inferred_class

    def test_by_group_and_level(self):
        # 徐州-like table: 在职 二级 65 %, 退休 二级 75 %.
        assert self._choose(LEVEL_RATES, "employed", "clinic", 2) == ("0.65", 2, 2, "level", None, False)
        assert self._choose(LEVEL_RATES, "retired", "clinic", 2)[0] == "0.75"

    def test_a_pharmacy_rated_as_level_one(self):
        # A 三级 prescription filled at a pharmacy paid at the level-1 rate: 75 %, read at level 1.
        choice = self._choose(LEVEL_RATES, "employed", "pharmacy", 3, pharmacy=Pharmacy("level_one"))
        assert choice == ("0.75", 1, 1, "level", "pharmacy_level_one", False)

    def test_a_pharmacy_with_its_own_rate(self):
        # A pharmacy rate of its own (在职 85 %, 退休 90 %), whatever the prescriber's level.
        own = Pharmacy("own_ratio", {"employed": r("0.85"), "retired": r("0.90")})
        assert self._choose(LEVEL_RATES, "retired", "pharmacy", 3, pharmacy=own) == ("0.90", 3, 3, "pharmacy", "pharmacy_own_ratio", False)

    def test_a_pharmacy_rated_as_its_prescriber_and_an_internet_visit_as_its_level(self):
        assert self._choose(LEVEL_RATES, "employed", "pharmacy", 3, pharmacy=Pharmacy("prescriber"))[:5] == ("0.60", 3, 3, "level", "pharmacy_prescriber")
        assert self._choose(LEVEL_RATES, "employed", "internet", 1, internet=Internet("physical_level"))[:5] == ("0.75", 1, 1, "level", "internet_physical_level")

    def test_by_price_class_given_or_inferred(self):
        # Rates by price class: a class given wins (二类 55 %); none given, 三级 is read as 一类 (50 %).
        assert self._choose(CLASS_RATES, "employed", "clinic", 3, price_class=2, default=CLASS_OF_LEVEL) == ("0.55", 3, 2, "price_class", None, False)
        assert self._choose(CLASS_RATES, "employed", "clinic", 3, default=CLASS_OF_LEVEL) == ("0.50", 3, 1, "price_class", None, True)
        # A retiree at a level-1 clinic: 三类, 65 %.
        assert self._choose(CLASS_RATES, "retired", "clinic", 1, default=CLASS_OF_LEVEL)[:3] == ("0.65", 1, 3)


# -- 5b. Above the cap: the member pays, or 转入住院待遇 ---------------------------------------
class TestAboveCap:
    def test_the_member_pays_what_the_cap_kept_from_the_fund(self):
        # Cap room 100.00; 1,000.00 × 60 % = 600.00 due → 100.00 paid; 500.00 above the cap,
        # borne by the member (the rule "member").
        share = M.fund_share(100000, r("0.60"), 10000)
        above = M.above_cap("member", share)
        assert (above.amount, above.handling) == (50000, "member")

    def test_nothing_above_the_cap_has_no_handling(self):
        share = M.fund_share(100000, r("0.60"), 100000)  # 600.00 due, 1,000.00 of room
        above = M.above_cap("inpatient_transfer", share)
        assert (above.amount, above.handling) == (0, None)

    def test_inpatient_transfer_of_what_the_cap_kept(self):
        # 玉溪-like: 6,000.00 cap, 5,900.00 paid → 100.00 room; 500.00 × 55 % = 275.00 due →
        # 100.00 paid; 175.00 goes over to inpatient cover.
        share = M.fund_share(50000, r("0.55"), M.cap_room(600000, 590000))
        above = M.above_cap("inpatient_transfer", share)
        assert (above.amount, above.handling) == (17500, "inpatient_transfer")

    def test_the_whole_visit_goes_over_only_once_the_cap_is_reached_under_inpatient_transfer(self):
        assert M.whole_visit_above_cap("inpatient_transfer", 600000, 600000) is True
        assert M.whole_visit_above_cap("inpatient_transfer", 600000, 599999) is False
        # The member pays above the cap: the visit is worked out as any other (nil fund share).
        assert M.whole_visit_above_cap("member", 700000, 700000) is False
        assert M.whole_visit_above_cap("not_applicable", None, 10**9) is False


# -- 6. What the account may pay after the fund ---------------------------------------------------
class TestAccountPayable:
    def test_the_members_share_less_the_current_year_account_and_excluded_costs(self):
        # 上海-like: member's share 700.00, of which the 当年账户 paid 200.00 before the 自负段,
        # 全自费 50.00 (the accounts pay only policy-range costs) → 700 − 200 − 50 = 450.00.
        assert M.account_payable(70000, 20000, 5000, pays_excluded=False, designated=True) == 45000

    def test_an_account_that_pays_excluded_costs_too(self):
        # 武汉-like: the account pays the member's whole share, 全自费 included → 700.00.
        assert M.account_payable(70000, 0, 5000, pays_excluded=True, designated=True) == 70000

    def test_nothing_at_a_non_designated_institution(self):
        assert M.account_payable(70000, 0, 0, pays_excluded=True, designated=False) == 0

# -- 5. Annual cap and fund share -----------------------------------------------------------------
class TestCapRoom:
    def test_no_cap(self):
        assert M.cap_room(None, 0) is None
        assert M.cap_room(None, 10**9) is None

    def test_room_left(self):
        # 4,000.00 cap, 3,670.00 paid → 330.00 left.
        assert M.cap_room(400000, 367000) == 33000

    def test_never_negative(self):
        # Paid 4,000.00 under a 4,000.00 cap, or more under an older larger cap → 0.
        assert M.cap_room(400000, 400000) == 0
        assert M.cap_room(350000, 400000) == 0


class TestFundShare:
    def test_plain_without_cap(self):
        # 上海: 自负段以上 3,000.00 × 75% = 2,250.00; no outpatient cap.
        o = M.fund_share(300000, r("0.75"), None)
        assert (o.base, o.ratio_amount, o.paid, o.room, o.variant) == (300000, 225000, 225000, None, "plain")
        # copay = 3,000.00 − 2,250.00 = 750.00; over_cap = 2,250.00 − 2,250.00 = 0.
        assert (o.copay, o.over_cap) == (75000, 0)

    def test_plain_within_the_cap(self):
        # 1,000.00 × 85% = 850.00 with 850.00 of room: the cap does not bite.
        o = M.fund_share(100000, r("0.85"), 85000)
        assert (o.ratio_amount, o.paid, o.variant, o.copay, o.over_cap) == (85000, 85000, "plain", 15000, 0)

    def test_capped(self):
        # The example: 3,000.00 × 65% = 1,950.00, room 1,750.00 → fund 1,750.00;
        # copay = 3,000.00 − 1,950.00 = 1,050.00; over_cap = 1,950.00 − 1,750.00 = 200.00.
        o = M.fund_share(300000, r("0.65"), 175000)
        assert (o.ratio_amount, o.paid, o.room, o.variant) == (195000, 175000, 175000, "capped")
        assert (o.copay, o.over_cap) == (105000, 20000)
        assert o.paid + o.copay + o.over_cap == o.base

    def test_capped_second_visit_of_the_day(self):
        # 4,000.00 × 85% = 3,400.00 with 3,330.00 of room → 3,330.00; over_cap 70.00; copay 600.00.
        o = M.fund_share(400000, r("0.85"), 333000)
        assert (o.paid, o.variant, o.copay, o.over_cap) == (333000, "capped", 60000, 7000)

    def test_cap_used_up(self):
        # 1,000.00 × 60% = 600.00, no room → fund 0; copay 400.00; over_cap 600.00.
        o = M.fund_share(100000, r("0.60"), 0)
        assert (o.ratio_amount, o.paid, o.variant, o.copay, o.over_cap) == (60000, 0, "cap_used_up", 40000, 60000)

    def test_over_cap_split_has_no_invented_decimals(self):
        # 9,000.00 × 65% = 5,850.00 with 1,800.00 of room: over_cap = 5,850.00 − 1,800.00 =
        # 4,050.00 and copay = 9,000.00 − 5,850.00 = 3,150.00 — never room ÷ ratio (2769.23).
        o = M.fund_share(900000, r("0.65"), 180000)
        assert (o.paid, o.over_cap, o.copay) == (180000, 405000, 315000)

    def test_half_up_ratio_amount(self):
        # 0.01 × 84.5% = 0.00845 → 0.01; copay = 0.01 − 0.01 = 0.
        o = M.fund_share(1, r("0.845"), None)
        assert (o.ratio_amount, o.paid, o.copay) == (1, 1, 0)
        # 1.01 × 50% = 0.505 → 0.51; copay 0.50.
        o = M.fund_share(101, r("0.5"), None)
        assert (o.ratio_amount, o.copay) == (51, 50)

    def test_room_exactly_the_ratio_amount_is_plain(self):
        o = M.fund_share(100000, r("0.85"), 85000)
        assert o.variant == "plain" and o.over_cap == 0

    def test_never_divides_by_a_ratio(self):
        # A zero ratio must not raise (a figure derived by dividing by the ratio would).
        o = M.fund_share(100000, r("0"), 5000)
        assert (o.ratio_amount, o.paid, o.copay, o.over_cap, o.variant) == (0, 0, 100000, 0, "plain")
        text = MECHANISMS_SOURCE.read_text(encoding="utf-8")
        source = "".join(
            ast.get_source_segment(text, node) or ""
            for node in ast.parse(text).body
            if getattr(node, "name", None) in ("FundOutcome", "fund_share")
        )
        assert "def fund_share" in source and "class FundOutcome" in source
        assert "/" not in source.replace("//", "")


# -- 6. Personal account ---------------------------------------------------------------------------
class TestAccountPayment:
    def test_balance_covers(self):
        # 500.00 balance, 120.00 to pay → 120.00 paid, 380.00 left.
        p = M.account_payment(50000, 12000)
        assert (p.balance_before, p.paid, p.balance_after) == (50000, 12000, 38000)

    def test_balance_runs_out(self):
        # 100.00 balance, 540.00 to pay → 100.00 paid, 0 left.
        p = M.account_payment(10000, 54000)
        assert (p.paid, p.balance_after) == (10000, 0)

    def test_nothing_payable(self):
        assert M.account_payment(10000, 0).paid == 0
        assert M.account_payment(10000, -5).paid == 0
        assert M.account_payment(10000, -5).balance_after == 10000


class TestMonthsBetween:
    def test_whole_year(self):
        assert M.months_between((2024, 1), (2024, 12)) == 12

    def test_one_month(self):
        assert M.months_between((2024, 11), (2024, 11)) == 1

    def test_part_year(self):
        # 云南 from 2024-11: Nov–Dec = 2; 武汉 细则 from 2023-02: Feb–Dec = 11.
        assert M.months_between((2024, 11), (2024, 12)) == 2
        assert M.months_between((2023, 2), (2023, 12)) == 11

    def test_across_a_year_end(self):
        # 上海 医保年度 2023-07 … 2024-06 = 12 months.
        assert M.months_between((2023, 7), (2024, 6)) == 12


# -- Parameters ------------------------------------------------------------------------------------
class TestBenefitYear:
    july_june = BenefitYear(july_june=True)
    calendar = BenefitYear(july_june=False)

    def test_july_june_key(self):
        # 上海 医保年度: 2024-06-30 belongs to 2023 (2023-07-01 … 2024-06-30); 2024-07-01 to 2024.
        assert self.july_june.key(dt.date(2024, 6, 30)) == 2023
        assert self.july_june.key(dt.date(2024, 7, 1)) == 2024
        assert self.july_june.key(dt.date(2024, 1, 1)) == 2023
        assert self.july_june.key(dt.date(2024, 12, 31)) == 2024

    def test_july_june_bounds(self):
        assert self.july_june.bounds(2023) == (dt.date(2023, 7, 1), dt.date(2024, 6, 30))

    def test_calendar(self):
        assert self.calendar.key(dt.date(2024, 1, 1)) == 2024
        assert self.calendar.key(dt.date(2024, 12, 31)) == 2024
        assert self.calendar.bounds(2024) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))

    def test_every_day_lies_in_the_bounds_of_its_key(self):
        for year in (self.july_june, self.calendar):
            day = dt.date(2023, 1, 1)
            while day < dt.date(2025, 1, 1):
                start, end = year.bounds(year.key(day))
                assert start <= day <= end
                day += dt.timedelta(days=1)


class TestRetireeStart:
    def test_next_month(self):
        # 武汉 第七条 从次月起: retired 2024-05-15 → 2024-06-01; 2024-01-01 → 2024-02-01.
        s = RetireeStart("next_month")
        assert s.start(dt.date(2024, 5, 15)) == dt.date(2024, 6, 1)
        assert s.start(dt.date(2024, 1, 1)) == dt.date(2024, 2, 1)

    def test_next_month_in_december_is_january_next_year(self):
        s = RetireeStart("next_month")
        assert s.start(dt.date(2024, 12, 1)) == dt.date(2025, 1, 1)
        assert s.start(dt.date(2024, 12, 31)) == dt.date(2025, 1, 1)

    def test_retirement_date(self):
        assert RetireeStart("retirement_date").start(dt.date(2024, 12, 31)) == dt.date(2024, 12, 31)


class TestRetireeCohorts:
    def test_split(self):
        # 上海: retired by 2000-12-31 vs from 2001-01-01.
        c = RetireeCohorts(dt.date(2001, 1, 1), "retired_by_2000", "retired_from_2001")
        assert c.group(dt.date(2000, 12, 31)) == "retired_by_2000"
        assert c.group(dt.date(2001, 1, 1)) == "retired_from_2001"


class TestChronicCap:
    # 玉溪细则 第十条: 3000 for one disease, +1000 for each more, at most 5000.
    chronic = Chronic(deductible=30000, fund_ratio=r("0.80"), cap_first=300000, cap_each_additional=100000, cap_max=500000)

    @pytest.mark.parametrize(("count", "cap"), [(1, 300000), (2, 400000), (3, 500000), (4, 500000), (20, 500000)])
    def test_cap_for(self, count, cap):
        # 1 → 3000; 2 → 3000 + 1000 = 4000; 3 → 5000; 4 → 6000 capped at 5000.
        assert self.chronic.cap_for(count) == cap


class TestAccountRule:
    def test_fixed_amount(self):
        # 武汉 retirees: 83.00 a month whatever the age.
        assert AccountRule("monthly", amount=8300).amount_for_age(99) == 8300

    def test_by_age(self):
        # 云南 第九条: under 70 106.00/month, 70 and over 142.00/month.
        rule = AccountRule("monthly_by_age", bands=(AgeBand(69, 10600), AgeBand(None, 14200)))
        assert rule.amount_for_age(60) == 10600
        assert rule.amount_for_age(69) == 10600
        assert rule.amount_for_age(70) == 14200
        assert rule.monthly

    def test_yearly_by_age(self):
        # 上海: 74 and under 1680.00 a year, 75 and over 1890.00.
        rule = AccountRule("yearly_by_age", bands=(AgeBand(74, 168000), AgeBand(None, 189000)))
        assert (rule.amount_for_age(74), rule.amount_for_age(75)) == (168000, 189000)
        assert not rule.monthly

    def test_monthly_kinds(self):
        assert AccountRule("monthly_share_of_base", rate=r("0.02")).monthly
        assert not AccountRule("yearly", amount=1).monthly
        assert not AccountRule("none", reason="…").monthly


def test_mechanisms_know_no_region():
    """No identifier or string value of the mechanisms names a region (comments and
    docstrings may cite one)."""
    tree = ast.parse(MECHANISMS_SOURCE.read_text(encoding="utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    words = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            words.append(node.name)
        elif isinstance(node, ast.arg):
            words.append(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            words.append(node.value)
    text = " ".join(words).lower()
    for name in ("shanghai", "wuhan", "yuxi", "yunnan", "xuzhou", "shanxi", "neimenggu", "上海", "武汉", "玉溪", "云南"):
        assert name not in text, name
