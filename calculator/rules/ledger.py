"""The date-ordered ledger over a member's visits: the mechanisms composed in order.

Plain Python over the typed policy data (no Django). Each visit goes through the
mechanics of ``POLICY_NOTES.md``:

1. policy-range expense = total − 全自费;
2. first self-pay (乙类, 异地未备案) where the version has a rate;
3. where the account pays first (上海), the 当年账户 before the 自负段;
4. deductible: annual running total, per visit, or none (门诊慢性病: its own pool);
5. fund share by group and level / price class / setting, limited by the annual cap
   (shared across the versions of one benefit year);
6. above the cap: the member pays, or the expense goes to inpatient treatment;
7. the personal account pays the member's share; the rest is cash.

The ledger knows no region by name: every difference between regions is a parameter of
the version in force on the visit's date. It records steps (figures, not sentences) and
notices (once per result, with the visits they concern); ``report.py`` renders text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from operator import itemgetter
from typing import Any, Final, NamedTuple

from calculator.rules import mechanisms as M
from calculator.rules import registry
from calculator.rules.loader import Citation, Param, Region, Version
from calculator.rules.policy import Notice as VersionNotice
from calculator.rules.messages import NOTICES, ages_during, rule_figures
from calculator.rules.model import (
    AccountAllocation,
    CalculationRequest,
    CalculationResult,
    Notice,
    Running,
    Step,
    Visit,
    VisitResult,
    YearTotals,
)
from calculator.rules.params import AccountUse, AnnualCap, BenefitYear, Chronic, Deductible, Rate

# Module-level tables are Final here and in report.py and mechanisms.py: compiled, a module
# name that is not is a look-up in the module's dict at every use (several a visit).
_ANNUAL_VARIANTS: Final = {v: f"annual_{v}" for v in ("within", "crossed", "already_met")}
def _annual_variant(outcome: str, used_before: int) -> str:
    """The annual deductible step's template: the year's first amount toward it has its own
    ("_first"), so that nothing counted before is not said as "此前已累计 0 元"."""
    if not used_before and outcome != "already_met":
        return _ANNUAL_VARIANTS[outcome] + "_first"
    return _ANNUAL_VARIANTS[outcome]


_PER_VISIT_VARIANTS: Final = {v: f"per_visit_{v}" for v in ("within", "crossed")}
# The reading of a year the first rule starts inside, by what runs over the year under the rule
# in force: (an annual deductible?, a cap?) → notice code (None: nothing counts up).
_MID_YEAR: Final = {
    (True, True): "first-rule-mid-year", (False, True): "first-rule-mid-year-cap",
    (True, False): "first-rule-mid-year-deductible", (False, False): None,
}
_record: Final = tuple.__new__  # a model NamedTuple made in one C call (fields in order)
# A visit's sort key, (date, index): model.Visit's fields 1 and 0, read in C (a lambda is a
# Python call per visit).
_DATE_THEN_INDEX: Final = itemgetter(1, 0)
SHARE_REASONS: Final = ("excluded", "first_self_pay", "account_segment", "deductible", "copay", "over_cap", "not_covered")
_NO_SHARE: Final = dict.fromkeys(SHARE_REASONS, 0)  # copied per visit (a copy is quicker than fromkeys)
CHRONIC_TERM: Final = "门诊慢性病起付标准"
# A visit neither the deductible nor the cap applies to (非定点, 住院期间): its blocks are null.
_NOT_APPLICABLE: Final = (Running(None, None, 0, None, None, None), Running(None, None, 0, None, None, None))


class _Rules(NamedTuple):
    """What a visit reads of its version's rules, looked up once per version (the ledger
    reads them on every visit: one unpacking instead of a dict look-up and an attribute each)."""

    benefit_year_param: Param
    benefit_year: BenefitYear
    year_kind: str  # "july_june" or "calendar", as ``years`` names it
    deductible_param: Param
    deductible: Deductible
    term: str | None  # what the document calls the deductible; None where the version has none
    cap_param: Param
    cap: AnnualCap
    account_param: Param
    account: AccountUse
    policy_range_param: Param
    price_keyed: bool  # the fund's rates follow price classes (a class given is used)
    stay_rule: bool  # the version says how a visit during a hospital stay is treated


def _rules_of(version: Version) -> _Rules:
    p = version.params
    ded = p["deductible"].value
    year = p["benefit_year"].value
    return _Rules(
        p["benefit_year"], year, "july_june" if year.july_june else "calendar", p["deductible"], ded,
        ded.term if ded.basis != "none" else None, p["annual_cap"], p["annual_cap"].value, p["account_use"],
        p["account_use"].value, p["policy_range"], p["fund_ratio"].value.keyed_by == "price_class", "inpatient_stay" in p,
    )


class _Ledger:
    # Slots: the ledger's attributes are read several times per visit (as Python, a slot is a
    # quicker look-up than an instance dict; compiled, the class is native and these its fields).
    __slots__ = (
        "req", "region", "today", "deductible_used", "fund_paid", "chronic_deductible_used", "chronic_fund_paid",
        "years", "pools_started", "pools_seen", "last_in_year", "notices", "clauses", "versions", "account_current",
        "account_prior", "accounts_merged", "merge_notice", "account_other_reading", "current_year_key", "cohort_explained", "no_deductible_said",
        "all_in_said", "rate_choices", "last_version", "rule_said", "split_on", "retiree_starts",
        "plainly_employed", "retired_groups", "number", "codes", "year_switch", "last_rules",
        "last_derived", "retired_in_year", "first_day", "total_sum", "fund_sum", "member_sum", "account_sum", "cash_sum",
        "nothing_covered", "days_before",
    )

    def __init__(self, request: CalculationRequest, region: Region, today: dt.date):
        self.req = request
        self.region = region
        self.today = today
        self.deductible_used: dict[int, int] = {}
        self.fund_paid: dict[int, int] = {}
        self.chronic_deductible_used: dict[int, int] = {}
        self.chronic_fund_paid: dict[int, int] = {}
        self.years: dict[int, YearTotals] = {}
        self.pools_started: set[int] = set()  # year × 2 (+1 for 门诊慢性病): pools said to start
        self.pools_seen: set[int] = set()  # the same, for any visit (covered or not)
        # What applied at the last visit of each benefit year: (version, group, cap, annual deductible).
        self.last_in_year: dict[int, tuple[Version, str, int | None, int | None]] = {}
        self.notices: dict[str, Notice] = {}
        # An assumption's text → the clause it was first listed under: two versions reading a
        # clause the same way (武汉's two account_use) give one caveat, not the same one twice.
        self.clauses: dict[str, Citation] = {}
        self.versions: dict[str, Version] = {}
        # The result's totals, summed as the ledger's own fields (a dict of them was a look-up,
        # an addition and a new int object each, five times a visit).
        self.total_sum = self.fund_sum = self.member_sum = self.account_sum = self.cash_sum = 0
        self.account_current = request.account_balance
        self.account_prior = request.prior_years_balance
        self.accounts_merged = False
        # The notice that the two balances entered were added up (its code), listed with each
        # visit the account pays: their figures rest on the sum.
        self.merge_notice: str | None = None
        # The balance as it would stand under the other reading of a clause letting the account
        # pay 全自费 (武汉 第八条（二）): the account pays the policy-range share only. None until
        # the account first pays toward 全自费 (up to then both readings give the same figures);
        # from then on a visit whose account payment differs between the two rests on the reading.
        self.account_other_reading: int | None = None
        self.current_year_key: int | None = None
        # 上海: the 医保年度 a visit switched to and the notice said there (its later visits too).
        self.year_switch: tuple[int, str] | None = None
        self.cohort_explained = False
        self.no_deductible_said: set[tuple[str, int]] = set()
        self.all_in_said: set[str] = set()  # versions whose "nothing excluded" rule was said
        self.rate_choices: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.last_version: Version | None = None
        self.last_rules: _Rules | None = None  # _rules_of(last_version)
        self.last_derived: dict[tuple[Any, ...], Any] = {}  # what last_version's rules decide (_derived)
        self.rule_said: set[tuple[Any, ...]] = set()  # rate choices explained already
        # Benefit year → the readings a retirement within it needed (notice code, its clause,
        # the figures its text names): listed with each covered visit of that year from then on.
        self.retired_in_year: dict[int, list[tuple[str, Param, dict[str, Any] | None]]] = {}
        self.first_day = region.versions[0].effective_from  # the first day any rule here covers
        self.split_on: dt.date | None = None  # 上海: the cohorts' dividing date
        self.days_before: dict[dt.date, dt.date] = {}  # a cohort's dividing date → the day before it
        self.retiree_starts: dict[str, dt.date] = {}  # version id → first day as a retiree
        self.plainly_employed = request.status == "employed" and request.retired_on is None
        # version id → (start, group, cohort, the start rule when its assumption decides visits here)
        self.retired_groups: dict[str, tuple[dt.date, str, Param | None, Param | None]] = {}
        # Per visit being worked out:
        self.number = 0
        self.codes: list[str] = []
        self.nothing_covered = False  # the visit being worked out is one the fund covers nothing of

    # -- notices and clauses ------------------------------------------------------------------
    def notice(self, code: str, text: str, clause: str | None = None, figures: dict[str, Any] | None = None, kind: str = "notice") -> None:
        """Raise a notice for the visit being worked out; each notice is listed once."""
        notice = self.notices.get(code)
        if notice is None:
            notice = self.notices[code] = Notice(code, text, clause, figures or {}, [], kind)
        number = self.number
        if number:  # number 0: the result as a whole
            codes = self.codes
            if code not in codes:
                notice.visits.append(number)
                codes.append(code)

    def merge_notice_said(self) -> None:
        """The balances entered were added up (outside 上海): said with the visit being worked
        out (one the account pays), or, at number 0, with the request as a whole."""
        code = self.merge_notice
        assert code is not None
        self.notice(code, NOTICES[code], None, {"region_name": self.region.name})

    def rounding(self, fen: int, rate: Rate) -> None:
        """``fen × rate`` rounded to the fen (POLICY_NOTES, mechanics 7; no document says so): a
        reading, listed with the visit where the rounding changed the amount."""
        if fen * rate.num % rate.den:
            self.notice("rounding", NOTICES["rounding"], kind="assumption")

    def _rounded_credit(self, *rules: Any) -> None:
        """A year of retirement credited period by period: each monthly share of the
        contribution base is rounded to the fen, as one rule's is."""
        base = self.req.contribution_base
        if base is not None:
            for rule in rules:
                if rule.kind == "monthly_share_of_base":
                    self.rounding(base, rule.rate)

    def same_day(self, earlier: list[Visit], later: Visit, codes_of: dict[int, list[str]], rules: _Rules) -> None:
        """Visits on one day in one pool: which comes first is the order given (POLICY_NOTES),
        a reading listed with each (their notice lists are their JSON's: added to after the
        fact)."""
        # Said in the words of the running totals the day's rule keeps (the later visit's
        # rule: ``rules``), and only where it keeps one: a per-visit deductible and no cap
        # leave each visit's figures the same in either order. Two 门诊慢性病 visits share
        # their own pool (玉溪细则 第十条: a deductible and a cap of its own).
        ded = rules.deductible
        if later.category == "chronic":  # ``earlier`` are the same pool's
            running_deductible = has_cap = True
        else:
            running_deductible = ded.basis == "annual"
            has_cap = rules.cap.by_group is not None
        if not (running_deductible or has_cap):
            return
        # One caveat per answer, code "same-day": a later day under other rules widens its words
        # to every running total any such day had (武汉: 2023-03 under the 细则, 2024 without a
        # deductible: "起付标准或年度限额").
        notice = self.notices.get("same-day")
        term = ded.term
        if notice is not None:
            running_deductible = running_deductible or notice.figures["deductible"]
            has_cap = has_cap or notice.figures["cap"]
            term = notice.figures["term"] or term
        key = "same-day" if running_deductible and has_cap else "same-day-deductible" if running_deductible else "same-day-cap"
        figures = {"term": term, "deductible": running_deductible, "cap": has_cap}
        if notice is not None:
            notice.text, notice.figures = NOTICES[key], figures
        number, codes = self.number, self.codes
        for v in (*earlier, later):
            self.number, self.codes = v.index + 1, codes_of[v.index]
            self.notice("same-day", NOTICES[key], None, figures, kind="assumption")
        self.number, self.codes = number, codes

    def _unlist(self, listed: list[str]) -> None:
        """Take back the notices just listed with the visit being worked out (``listed``, the
        last of its codes); one listed with no other visit is dropped."""
        number, codes = self.number, self.codes
        for code in listed:
            notice = self.notices[code]
            if notice.visits and notice.visits[-1] == number:
                notice.visits.pop()
                if not notice.visits:
                    del self.notices[code]
            codes.remove(code)

    def cite(self, param: Param, code: str | None = None) -> str:
        """Use a clause; a clause read with an assumption shows it beside the visit (an
        assumption about one situation, ``assumption_on``, only where ``code`` is it)."""
        cite = param.cite
        ref = cite.ref
        self.clauses[ref] = cite
        if cite.assumption and (cite.assumption_on is None or cite.assumption_on == code):
            self._list_assumption(cite)  # self.assume(param, code), spelt out
        return ref

    def assume(self, param: Param, code: str | None) -> None:
        """A clause said at an earlier visit that governs this one too: no step again, but
        its assumption (if any) lists this visit as well."""
        cite = param.cite
        if cite.assumption and (cite.assumption_on is None or cite.assumption_on == code):
            self._list_assumption(cite)

    def _list_assumption(self, cite: Citation) -> None:
        # Listed under its own clause: two clauses read in the same words (玉溪's 细则 and the
        # 云南办法 on the account) are one caveat in the answer, with both clauses and both's
        # visits (report._warnings_json merges same words), each visit naming its own clause.
        # (self.notice(ref, cite.assumption, ref, kind="assumption"), spelt out: an assumption
        # is listed several times a visit, nearly always one listed already.)
        text: str = cite.assumption  # type: ignore[assignment]  # called only for a clause with one
        ref = cite.ref
        notice = self.notices.get(ref)
        if notice is None:
            notice = self.notices[ref] = Notice(ref, text, ref, {}, [], "assumption")
        number = self.number
        if number:
            codes = self.codes
            if ref not in codes:
                notice.visits.append(number)
                codes.append(ref)

    def cite_notice(self, code: str, param: Param, figures: dict[str, Any] | None = None, *, reading: bool = True) -> None:
        """A clause that shapes the visit without a figure of its own: a notice cites it.
        Raised under another clause than the first time (玉溪's off-site clause is the 细则's
        before 2024-11-01, the 省办法's after), it is a notice of its own, ``code:ref``, so
        that each lists the visits its clause governs. ``reading=False``: the clause is named
        but the calculator's reading of it (its assumption) decided nothing here."""
        if reading:
            ref = self.cite(param)
        else:
            ref = param.cite.ref
            self.clauses[ref] = param.cite
        key = code
        first = self.notices.get(code)
        if first is not None and first.clause != ref:
            key = f"{code}:{ref}"
        self.notice(key, NOTICES[code], ref, figures)

    def step(self, steps: list[Step], code: str, variant: str, amount: int | None, figures: dict[str, Any], param: Param) -> None:
        cite = param.cite  # self.cite(param, code), spelt out: a step is made several times a visit
        self.clauses[cite.ref] = cite
        if cite.assumption and (cite.assumption_on is None or cite.assumption_on == code):
            self._list_assumption(cite)
        steps.append(Step(code, variant, amount, figures, cite.ref))

    def cite_or_notice(self, code: str, param: Param, step_code: str | None = None) -> None:
        """Cite a clause; its own assumption says what the engine's notice would, so the
        notice is raised only for a clause without one (each caveat once)."""
        cite = param.cite
        if cite.assumption and cite.assumption_on in (None, step_code):
            self.clauses[cite.ref] = cite  # self.cite(param, step_code), spelt out
            self._list_assumption(cite)
        else:
            self.cite_notice(code, param)

    # -- who the member is on the day --------------------------------------------------------
    def group(self, version: Version, visit: Visit) -> tuple[str, Param | None]:
        req = self.req
        if req.status == "employed":
            return "employed", None  # a retirement date entered is said of the request (calculate)
        params = version.params
        start_param = params.get("retiree_start")
        if req.retired_on is not None:
            start = self.retiree_starts.get(version.id)
            if start is None:
                start = self.retiree_starts[version.id] = self._retiree_start(version)
            if visit.date < start:
                figures = {"retired_on": req.retired_on, "start": start}
                if self.nothing_covered:
                    pass  # which group the member is in decides nothing the fund does not pay
                elif start_param is not None:
                    self.cite_notice("before-retirement", start_param, figures)
                else:
                    self.notice("before-retirement", NOTICES["before-retirement"], None, figures)
                return "employed", None
        elif start_param is not None:
            # No retirement date: the start rule is not applied (every visit a retiree's), so
            # its reading (武汉 优化方案 keeps 细则第七条's "次月起") concerns no visit.
            self.cite_notice("retired-on-missing", start_param, reading=False)
        else:
            # No retirement date and no start rule to cite: every visit is still a retiree's,
            # which is said (a retirement within these visits would change their figures).
            self.notice("retired-on-missing", NOTICES["retired-on-missing"])
        cohorts = params.get("retiree_cohorts")
        if cohorts is not None:
            assert req.retired_on is not None, "parse_request requires retired_on here"
            self.split_on = cohorts.value.split_on
            group, cohort_param = cohorts.value.group(req.retired_on), cohorts
        else:
            group, cohort_param = "retired", None
        if req.retired_on is not None:
            # From the first day as a retiree on, the answer under this version is the same
            # for every visit and raises no notice: visit() reuses it.
            start = self.retiree_starts[version.id]
            # Where the first day as a retiree falls inside this version, its start rule decided
            # which of its visits are a retiree's: a reading of that rule (武汉 优化方案 keeps
            # 细则第七条's "次月起") concerns each of them, as it does the visits before the start.
            reading = start_param if start_param is not None and start_param.cite.assumption and start >= version.effective_from else None
            self.retired_groups[version.id] = (start, group, cohort_param, reading)
            if reading is not None and not self.nothing_covered:
                self.cite(reading)  # this visit is on or after the start (earlier ones returned above)
        return group, cohort_param

    def _reading(self, code: str, param: Param, figures: dict[str, Any] | None) -> None:
        """One of the engine's own readings (NOTICES[code]), listed with the visit being worked
        out under ``param``'s clause."""
        ref = param.cite.ref
        self.clauses[ref] = param.cite
        self.notice(code, NOTICES[code], ref, figures, kind="assumption")

    def _year_switch_notice(self, code: str, account_param: Param) -> None:
        """上海's new 医保年度: the move of the balance into the 历年账户 is a reading of the
        account clause (which speaks of the account's 当年资金; its own reading quotes the
        table note's 历年结余资金), listed under it; that the new year's credit is missing is a
        plain notice."""
        if code == "new-insurance-year":
            self._reading(code, account_param, None)
        else:
            self.notice(code, NOTICES[code])

    def _carried_over(self, yk: int, code: str, param: Param, figures: dict[str, Any] | None) -> None:
        """A running total carried over — into the retiree's standard (a retirement in the year)
        or into a new rule version's cap: the reading is listed with this visit (whose change
        step says the carry-over, covered or not) and with each later visit of the year counted
        toward that total."""
        self.retired_in_year.setdefault(yk, []).append((code, param, figures))
        self._reading(code, param, figures)

    # -- one visit ------------------------------------------------------------------------------
    def visit(self, visit: Visit) -> VisitResult:
        version = self.last_version
        rules = self.last_rules
        # One unpacking instead of an attribute look-up per use (model.Visit is a NamedTuple).
        index, day, _level, setting, total, excluded, _class_b, _price_class, _offsite, inpatient_stay, category = visit
        if version is None or day < version.effective_from or (version.effective_to is not None and day > version.effective_to):
            version = self.last_version = self.region.version_on(day)
            assert version is not None, "parse_request refuses dates outside every version"
            self.versions.setdefault(version.id, version)
            derived = self.last_derived = _derived(version)
            rules = derived.get(("rules",))
            if rules is None:
                rules = derived[("rules",)] = _rules_of(version)
            self.last_rules = rules
        assert rules is not None
        (
            by_param, benefit_year, year_kind, ded_param, ded, _term, cap_param, cap_value, account_param, use,
            policy_range_param, price_keyed, stay_rule,
        ) = rules
        code: str | None
        variant: str | None
        figures: dict[str, Any] | None
        p = version.params
        self.number = index + 1  # visit.number, without the property call
        codes: list[str] = []
        self.codes = codes
        # Notices about what the fund pays (covered_only) and the member's rate do not concern
        # a visit the fund pays nothing of, nor does any running total.
        nothing_covered = self.nothing_covered = _covers_nothing(setting, inpatient_stay, total, excluded, stay_rule)
        # Readings that the fund may in fact pay less ("实际…可能更低"): listed once the visit's
        # payment is known, and only where it paid something (as general() does its own).
        account_missing: dict[str, Any] | None = None
        chronic_offsite: Param | None = None
        if version.notices:
            # A level counts only where the fund rates the visit by the level entered: a
            # pharmacy's rate is not the prescriber's everywhere (徐州: A级药店 at level 1).
            kinds = (not nothing_covered, _level if setting in ("clinic", "internet") and not nothing_covered else None, category)
            concerned = self.last_derived.get(kinds)
            if concerned is None:
                concerned = self.last_derived[kinds] = _concerning(version, *kinds)
            if concerned:
                self._list_version_notices(concerned, day, day)
        future = day > self.today
        if future:
            self.notice("future-visit", NOTICES["future-visit"])
        if visit[7] is not None and not price_keyed and setting in ("clinic", "internet") and not nothing_covered:
            # A price class given where the documents rate by level: said of the visits rated
            # by the level entered ("按医疗机构级别计算" is untrue of a pharmacy's own rate or of
            # a visit the fund does not cover).
            self.notice("price-class-ignored", NOTICES["price-class-ignored"], None, {"region_name": self.region.name})
        if not use.current_year_first and not self.accounts_merged:
            # Outside 上海 there is one account balance: both fields add up to it.
            self.account_current += self.account_prior
            self.account_prior = 0
            self.accounts_merged = True
            if self.req.prior_years_balance > 0:
                self.merge_notice = "prior-years-balance-merged" if self.req.account_balance > 0 else "prior-years-balance-as-account"

        if self.plainly_employed:
            group, cohort_param = "employed", None  # what group() says, without the call
        else:
            known = self.retired_groups.get(version.id)
            if known is not None and day >= known[0]:
                _start, group, cohort_param, reading = known  # what group() said for this version
                if reading is not None and not nothing_covered:  # the group decides nothing the fund does not pay
                    self.cite(reading)  # cited here too: group() did not where its visit was not covered
            else:
                group, cohort_param = self.group(version, visit)
            retired_on = self.req.retired_on
            if (
                group != "employed" and retired_on is not None and day.month == retired_on.month
                and day.year == retired_on.year and "retiree_start" not in p and not nothing_covered
            ):
                # A retiree's visit in the month of retirement: whether the retiree rules apply
                # from the day itself (as calculated) or from the next month (武汉 第七条's
                # "次月起", where a version says so) no document here says.
                self.notice("retiree-start-day", NOTICES["retiree-start-day"], None, {"retired_on": retired_on}, kind="assumption")
        # The benefit year, a key of several dicts a visit: one int object for all of them (an
        # int-typed local is a new object at every look-up in the compiled module).
        yk: Any = benefit_year.key(day)
        year = self.years.get(yk)
        new_year = year is None
        if year is None:
            start, end = benefit_year.bounds(yk)
            year = self.years[yk] = YearTotals(yk, year_kind, start, end)
        if use.current_year_first and not self.req.account_balance_given and not nothing_covered:
            account_missing = {"region_name": self.region.name, "term": ded.term or "起付标准"}
        if use.current_year_first and self.current_year_key is not None and yk != self.current_year_key and (
            self.req.account_balance or self.req.prior_years_balance
        ):
            # A new 医保年度: what is left in the 当年账户 becomes 历年账户 money (no document here
            # says so: the calculator's reading of the 历年账户 as "历年结余资金", an assumption
            # listed with the visits it pays); the new year's credit is never added (the balance
            # entered is the old year's), which is said whether or not anything was left.
            if self.account_current > 0:
                self.account_prior += self.account_current
                self.account_current = 0
                code = "new-insurance-year"
            else:
                code = "new-insurance-year-empty"
            self.year_switch = (yk, code)
            if not nothing_covered:
                self._year_switch_notice(code, account_param)
        elif self.year_switch is not None and self.year_switch[0] == yk and not nothing_covered:
            # The new year's later visits have no new year's credit either: the notice
            # concerns each of them (each with a share an account could pay).
            self._year_switch_notice(self.year_switch[1], account_param)
        self.current_year_key = yk

        steps: list[Step] = []
        cap_amounts = cap_value.by_group
        cap_amount = cap_amounts[group] if cap_amounts is not None else None
        ded_standard = ded.by_group[group] if ded.basis == "annual" else None  # type: ignore[index]  # the loader requires by_group with "annual"
        paid_before = self.fund_paid.get(yk, 0)
        # Where the year's running totals start: said at the first visit of each pool (general;
        # 门诊慢性病, 玉溪细则 第十条, with its own deductible and cap) that counts toward them. A
        # visit the fund does not cover counts toward nothing, so it is not said there; the
        # first covered one after it says it is the first *covered* visit ("这次计算中…的第一次
        # 就诊" would be untrue of it), which is where the totals do start.
        pool = yk * 2 + (category == "chronic")  # (year, 门诊慢性病?) as one int: no tuple per visit
        seen_before = pool in self.pools_seen
        general_after_chronic = category != "chronic" and yk * 2 + 1 in self.pools_seen
        self.pools_seen.add(pool)
        if nothing_covered and pool not in self.pools_started:
            # A visit all 全自费 has no policy-range expense: like an uncovered one it counts
            # toward nothing. The year's reading (自然年度 / 医保年度) names the year this visit
            # is in: it concerns the visit though its totals start at a later, covered one.
            self.cite(by_param, "benefit_year")
        elif pool not in self.pools_started:
            self.pools_started.add(pool)
            if category == "chronic":
                variant = "chronic"
            else:
                variant = ("deductible_and_cap" if cap_amount is not None else "deductible") if ded.basis == "annual" else ("cap" if cap_amount is not None else None)
                if variant is not None and general_after_chronic:
                    # 门诊慢性病 visits came first this year: this is the first general one.
                    variant += "_general"
            if variant is not None:
                if seen_before:
                    variant += "_covered"  # an uncovered visit of this pool came first
                # The year as the documents define it (自然年度 / 医保年度), as ``years`` gives
                # it, also where the calculator's first rule starts inside it (武汉 2023-02-01):
                # what counts "from here" is this calculation's visits, said by the sentence.
                self.step(steps, "benefit_year", variant, None, {"year": yk, "year_kind": year_kind, "start": year.start, "end": year.end, "term": ded.term}, by_param)
        if not new_year:
            last_version, last_group, last_cap, last_ded = self.last_in_year[yk]
            if last_cap is not None and cap_amount is not None and last_cap != cap_amount and category == "general":
                figures = {
                    "effective_from": version.effective_from, "group": group, "split_on": self.split_on, "old_cap": last_cap, "new_cap": cap_amount,
                    "paid_before": paid_before, "cap_room": max(0, cap_amount - paid_before), "year": yk, "year_kind": year_kind,
                }
                if last_group == group:
                    # The same group under a new version: its cap was raised (or lowered).
                    variant = "raised" if cap_amount > last_cap else "lowered"
                    if paid_before:  # the fund's payments carried over to the new rule's cap: a reading
                        self._carried_over(yk, "version-carried", cap_param, None)
                else:
                    # The member became a retiree between the two visits: the cap is the other
                    # group's (细则: one cap for employees, another for retirees), not a change
                    # of the retirees' cap; under a new version as well where that changed too.
                    figures["old_group"] = last_group
                    figures["group_from"] = self._retiree_start(version)
                    variant = "group" if last_version is version else "group_and_version"
                    if paid_before:  # something carried over: a reading (nothing to carry, none)
                        self._carried_over(yk, "retired-in-year-cap", cap_param, None)
                        if last_version is not version:  # and over to the new rule
                            self._carried_over(yk, "version-carried", cap_param, None)
                if not paid_before:
                    variant += "_nothing_paid"
                self.step(steps, "cap_change", variant, None, figures, cap_param)
            elif last_version is not version and category == "general":
                # Said at the first general visit under the new rules: its figure is the general
                # pool's (a 门诊慢性病 visit does not move what the year last applied, above).
                figures = {"effective_from": version.effective_from, "paid_before": paid_before, "year": yk, "year_kind": year_kind}
                if paid_before:
                    # What was paid counts on: the benefit-year clause says the year's totals run
                    # over the whole year (武汉: "支付限额在一个自然年度内有效"); that they run on
                    # across two rules is POLICY_NOTES' reading (5), said as one.
                    self.step(steps, "version_change", "plain", None, figures, by_param)
                    if cap_amount is not None:  # the payments count on toward the new rule's cap: a reading
                        self._carried_over(yk, "version-carried", cap_param, None)
                else:
                    # Nothing paid yet this year: no running total to carry over is worth saying,
                    # and the benefit-year clause would not support the bare date (no clause in
                    # the data states a version's start for every region): no 依据 link.
                    steps.append(Step("version_change", "nothing_paid", None, figures, None))
            if last_ded is not None and ded_standard is not None and last_ded != ded_standard and last_group != group and category == "general":
                # The member became a retiree in the year: the annual deductible is the other
                # group's from then on, and what was paid toward the first counts toward it
                # (the running total is the year's). Said where it first applies.
                used = self.deductible_used.get(yk, 0)
                remaining = max(0, ded_standard - used)
                figures = {
                    "group_from": self._retiree_start(version), "group": group, "old_group": last_group, "split_on": self.split_on,
                    "old_standard": last_ded, "new_standard": ded_standard, "used_before": used, "remaining": remaining,
                    "term": ded.term, "year": yk, "year_kind": year_kind,
                }
                variant = "group_nothing_counted" if not used else "group" if remaining else "group_met"
                self.step(steps, "deductible_change", variant, None, figures, ded_param)
                if used:
                    self._carried_over(yk, "retired-in-year-deductible", ded_param, {"term": ded.term})
        if new_year or (category == "general" and (
            last_version is not version or last_group != group or last_cap != cap_amount or last_ded != ded_standard
        )):
            # A change is said at the first general visit it concerns, so only such a visit
            # moves what the year last applied (a 门诊慢性病 visit has its own pool).
            self.last_in_year[yk] = (version, group, cap_amount, ded_standard)
        if year.start < self.first_day and not nothing_covered:
            # The year began before the first rule the calculator has: its running totals (an
            # annual deductible, the cap: whichever the rule in force has) start at zero on that
            # rule's first day (a reading; the earlier rules' payments are not here).
            code = _MID_YEAR[ded.basis == "annual", cap_amount is not None]
            # Earlier settlements counted would only have closed a total sooner: a visit that
            # found the cap used up (without a cap, the deductible met) has the same figures
            # either way, and the reading does not concern it.
            if code is not None and category == "general" and (
                paid_before >= cap_amount if cap_amount is not None
                else ded_standard is not None and self.deductible_used.get(yk, 0) >= ded_standard
            ):
                code = None
            if code is not None:
                self._reading(code, by_param, {"start": self.first_day, "year": yk, "year_kind": year_kind, "term": ded.term})
        if category == "general" and not nothing_covered and yk in self.retired_in_year:
            # The year's running totals were carried over into the retiree's standard: that
            # reading concerns every visit counted toward them from the change on.
            for code, param, figures in self.retired_in_year[yk]:
                if (ded.basis != "annual") if code == "retired-in-year-deductible" else cap_amount is None:
                    continue  # the version in force has no such running total (武汉 优化方案: no deductible)
                self._reading(code, param, figures)
        if cohort_param is not None:
            split_on = cohort_param.value.split_on
            if not self.cohort_explained:
                self.cohort_explained = True
                figures = {"retired_on": self.req.retired_on, "split_on": split_on, "group": group}
                self.step(steps, "retiree_cohort", "plain", None, figures, cohort_param)
            last_before = self.days_before.get(split_on)
            if last_before is None:
                # Once per request: a timedelta made at every visit was a tenth of a 上海 visit's calls.
                last_before = self.days_before[split_on] = split_on - dt.timedelta(days=1)
            # On a dividing day: a reading, of every visit it decides (the cohort sets the fund's
            # ratio: a visit the fund does not cover is decided by nothing here).
            if self.req.retired_on in (last_before, split_on) and not nothing_covered:
                self.notice("cohort-boundary", NOTICES["cohort-boundary"], cohort_param.cite.ref, {"split_on": split_on, "last_before": last_before}, kind="assumption")

        policy_range = M.policy_range(total, excluded)
        share = _NO_SHARE.copy()
        share["excluded"] = excluded
        if excluded:
            self.step(steps, "policy_range", "with_excluded", policy_range, {"total": total, "excluded": excluded, "amount": policy_range}, policy_range_param)
        elif policy_range and version.id not in self.all_in_said:
            # With no 全自费 amount the whole total is policy-range expense: a rule, said at
            # the first visit it concerns under each version (the figures beside every later
            # visit show it: 符合政策范围金额 = 医疗费总额), not repeated on every visit; not at a
            # visit of 0.00 (nothing to say of it: "本次 0 元" would be a nil said as an event).
            self.all_in_said.add(version.id)
            self.step(steps, "policy_range", "all_in", policy_range, {"total": total, "amount": policy_range}, policy_range_param)
        else:
            # Said at an earlier visit (or, for a visit of 0.00, at none yet): governs this one.
            self.cite(policy_range_param, "policy_range")

        not_covered: tuple[str, Param] | None = None
        if setting == "non_designated":
            not_covered = ("non_designated", p["non_designated"])
        elif inpatient_stay:
            stay = p.get("inpatient_stay")
            if stay is not None:
                not_covered = ("inpatient_stay", stay)
            elif category == "chronic":
                self.notice("inpatient-unspecified-chronic", NOTICES["inpatient-unspecified-chronic"])
            else:
                self.notice("inpatient-unspecified", NOTICES["inpatient-unspecified"])

        fund = 0
        handling = None
        if not_covered is not None:
            share["not_covered"] = policy_range
            if policy_range:
                self.step(steps, "not_covered", not_covered[0], policy_range, {"amount": policy_range}, not_covered[1])
            # Neither the deductible nor the cap applies to the visit: null, as the contract
            # says ("本次不适用"); the running totals stand in the year's figures.
            deductible, cap = _NOT_APPLICABLE
        elif category == "chronic":
            # The 门诊慢性病 rule (玉溪细则 第十条) says nothing of off-site care or 乙类 amounts:
            # said, not dropped unseen (a general visit's own rules for them do not apply).
            # Off-site care is the version's off-site clause where it has one (玉溪细则 第四条
            # counts 门诊慢性病 in the 门诊共济保障 whose off-site costs 第二十一条 settles), read
            # as for a general visit, except a first self-pay the chronic rule does not name.
            offsite_kind = visit[8]
            if offsite_kind != "none":
                offsite = p.get("offsite")
                if offsite is None or (offsite_kind == "unfiled" and offsite.value.unfiled_rate is not None):
                    self.notice("chronic-offsite-unspecified", NOTICES["chronic-offsite-unspecified"])
                elif offsite_kind == "filed":
                    self.cite_or_notice("offsite-filed", offsite, "offsite-filed")
                else:
                    chronic_offsite = offsite  # "实际可能更低": listed below, once the payment is known
            if visit[6] > 0:
                self.notice("chronic-class-b-unspecified", NOTICES["chronic-class-b-unspecified"])
            fund, deductible, cap = self.chronic(version, yk, year_kind, policy_range, share, steps)
            year.chronic = {
                "deductible_standard": deductible.standard,
                "deductible_used": deductible.used_after,
                "fund_paid": cap.used_after,
                "annual_cap": cap.standard,
                "cap_remaining": cap.remaining,
            }
            if share["over_cap"]:
                handling = "member"  # 第十条 gives no treatment above the chronic cap
        else:
            fund, deductible, cap, handling = self.general(version, rules, visit, group, yk, policy_range, cap_amount, share, steps)
            year.deductible_used = self.deductible_used.get(yk, 0)
            year.fund_paid = self.fund_paid.get(yk, 0)
        if fund > 0:
            if chronic_offsite is not None:
                self.cite_notice("offsite-unfiled-unspecified", chronic_offsite)
            if account_missing is not None:
                # Cites the account clause whose order of payment it states (the 分段 Q&A), not
                # its reading (which concerns the balances entered).
                self.cite_notice("current-year-account-missing", account_param, account_missing, reading=False)
            has_paid_only = self.last_derived.get(("paid_only",))
            if has_paid_only is None:
                has_paid_only = self.last_derived[("paid_only",)] = any(n.paid_only for n in version.notices)
            if has_paid_only:
                paid_kinds = ("paid", _level if setting in ("clinic", "internet") else None, category)
                concerned = self.last_derived.get(paid_kinds)
                if concerned is None:
                    concerned = self.last_derived[paid_kinds] = _concerning_paid(version, paid_kinds[1], category)
                if concerned:
                    self._list_version_notices(concerned, day, day)
        if cap_amount is not None:
            # The year's cap is the version's for the member's group, whatever the visit
            # (null would say the year has none, as in 上海).
            year.annual_cap = cap_amount
        if category == "general":
            year.deductible_basis = ded.basis  # the year's rule as it stands at this visit, covered or not
            year.deductible_standard = ded_standard

        member_paid = total - fund
        account_paid = share["account_segment"]
        payable = M.account_payable(member_paid, account_paid, excluded, use.pays_excluded, setting != "non_designated")
        pool = self.account_prior if use.current_year_first else self.account_current
        if payable > 0 and pool > 0:
            paid = M.account_payment(pool, payable)
            if use.current_year_first:
                self.account_prior = paid.balance_after
                variant = "prior_years"
            else:
                self.account_current = paid.balance_after
                # 全自费 is named (and the reading that lets the account pay it listed) only
                # where the payment reaches into it: up to the policy-range share, 第八条（一）
                # alone gives the same figure.
                variant = "single_with_excluded" if use.pays_excluded and paid.paid > payable - excluded else "single"
            account_paid += paid.paid
            if self.merge_notice is not None:
                self.merge_notice_said()
            figures = {"amount": paid.paid, "balance_before": paid.balance_before, "balance_after": paid.balance_after}
            self.step(steps, "account", variant if paid.balance_after else variant + "_used_up", paid.paid, figures, account_param)
            if variant == "single_with_excluded" and self.account_other_reading is None:
                self.account_other_reading = paid.balance_before
        other = self.account_other_reading
        if other is not None:
            # What the account would pay here had it paid only policy-range costs, from the
            # balance that reading would have left: where that differs from its payment (this
            # visit's 全自费, or a balance spent on 全自费 earlier that would still be there), the
            # figures rest on the reading, listed with the visit; once both balances are spent
            # the visits after do not depend on it.
            other_payable = payable - excluded
            other_paid = min(other, other_payable) if other_payable > 0 else 0
            if other_paid != account_paid - share["account_segment"]:
                self.assume(account_param, "account_excluded")  # a reading about paying 全自费 (武汉 第八条（二）)
            self.account_other_reading = other - other_paid
        if setting == "non_designated" and member_paid and (self.account_current > 0 or self.account_prior > 0):
            # The balance was left untouched: said, or the cash beside it has no reason given.
            self.notice("account-non-designated", NOTICES["account-non-designated"])
        if excluded and not use.pays_excluded and setting != "non_designated" and (self.account_current > 0 or self.account_prior > 0):
            # The 全自费 went to cash while an account still held money: that rests on the
            # clause's reading that the account pays only the policy-range share (上海: the
            # documents do not say which account pays 全自费, or where in the bands).
            self.cite(account_param)
        cash = member_paid - account_paid
        if account_paid:
            # Without an account payment the cash is the member's share as it stands.
            figures = {"member_paid": member_paid, "account_paid": account_paid, "amount": cash}
            self.step(steps, "cash", "with_account" if cash else "account_covers_all", cash, figures, account_param)
        self.total_sum += total
        self.fund_sum += fund
        self.member_sum += member_paid
        self.account_sum += account_paid
        self.cash_sum += cash
        return _record(VisitResult, (
            visit, version.id, yk, group, policy_range, fund, member_paid, share, deductible, cap, handling,
            account_paid, cash, steps, codes, future,
        ))

    def _retiree_start(self, version: Version) -> dt.date:
        start_param = version.params.get("retiree_start")
        retired_on = self.req.retired_on
        assert retired_on is not None
        return start_param.value.start(retired_on) if start_param is not None else retired_on

    def _standing(self, ded: Any, group: str, yk: int, cap_amount: int | None) -> tuple[Running, Running]:
        """Deductible and cap as they stand, for a visit that does not move them."""
        used = self.deductible_used.get(yk, 0)
        standard = remaining = None
        if ded.basis == "annual":
            standard = ded.by_group[group]
            remaining = max(0, standard - used)
        paid = self.fund_paid.get(yk, 0)
        cap_remaining = None if cap_amount is None else max(0, cap_amount - paid)
        return _record(Running, (ded.basis, standard, 0, used, used, remaining)), _record(Running, (None, cap_amount, 0, paid, paid, cap_remaining))

    # -- which rate applies ------------------------------------------------------------------------
    def rate(self, version: Version, visit: Visit, group: str, steps: list[Step], explain: bool = True) -> tuple[Rate, int | None, str, Param]:
        """The fund ratio by setting, then level or price class: (rate, key, kind, clause),
        with the steps that say why. The choice depends on a handful of codes only, so it
        is worked out once per combination and replayed. ``explain=False`` (a visit with no
        expense left to rate): nothing is said, only the rules' readings are listed."""
        cache_key = (version.id, visit[3], visit[2], visit[7], group)  # setting, level, price_class
        choice = self.rate_choices.get(cache_key)
        if choice is None:
            choice = self.rate_choices[cache_key] = _of_version(version, ("rate", *cache_key[1:]), lambda: _choose_rate(version, visit, group))
        # Typed locals: the compiled module then unpacks the choice and reads a clause's
        # fields directly (untyped, every reading was a generic attribute look-up a visit).
        rate: Rate
        key: int | None
        kind: str
        ratio_param: Param
        explained: tuple[tuple[tuple[Any, ...], str, str, dict[str, Any], Param], ...]
        rate, key, kind, ratio_param, explained = choice
        if not explained:
            return rate, key, kind, ratio_param
        rule_said = self.rule_said
        said: tuple[Any, ...]
        code: str
        variant: str
        figures: dict[str, Any]
        param: Param
        for said, code, variant, figures, param in explained:
            # Which rate applies (an inferred price class; a pharmacy or 互联网+ visit rated
            # by a level) is a rule, explained the first time it is used under a version:
            # the fund sentence names the level or class on every visit, the visit its
            # setting. The clause's assumption still concerns every such visit.
            if not explain:
                # A visit with nothing to rate (all 全自费): the choice decides none of its
                # figures, so it is neither said nor its reading listed with this visit; both
                # are left for the first visit it rates.
                continue
            if said in rule_said:
                # Cited when said; only its assumption gains this visit (self.assume, spelt out).
                cite = param.cite
                if cite.assumption and (cite.assumption_on is None or cite.assumption_on == code):
                    self.clauses[cite.ref] = cite
                    self._list_assumption(cite)
                continue
            rule_said.add(said)
            self.step(steps, code, variant, None, figures, param)
        return rate, key, kind, ratio_param

    # -- a general outpatient visit ---------------------------------------------------------------
    def general(
        self, version: Version, rules: _Rules, visit: Visit, group: str, yk: Any, policy_range: int,
        cap_amount: int | None, share: dict[str, int], steps: list[Step],
    ) -> tuple[int, Running, Running, str | None]:
        # Typed throughout: the compiled module then does the fen arithmetic on machine
        # integers and reads the dicts with their own calls (an untyped body is all objects).
        p = version.params
        _by_param, _benefit_year, year_kind, ded_param, ded, term, cap_param, cap_value, account_param, use, _pr, _pk, _sr = rules
        eligible = policy_range
        paid_first: str | None = None  # what came off before the deductible: self_pay, account, both
        # Readings that the fund may in fact pay less: listed only where it paid something.
        class_b_reading: Param | None = None
        offsite_reading: Param | None = None
        shared_total_reading: str | None = None
        _index, _day, _level, _setting, _total, _excluded, class_b_amount, _price_class, offsite_kind, _stay, _category = visit
        if class_b_amount > 0:
            class_b = p.get("class_b_first_self_pay")
            class_b_rate: Rate | None = None if class_b is None else class_b.value.rate
            if class_b is None:
                self.notice("class-b-no-rule", NOTICES["class-b-no-rule"])
            elif class_b_rate is None:
                # The reading (nothing deducted; the fund's payment may in fact be a little
                # lower) cannot concern a visit the fund pays nothing of whatever is deducted
                # (within a per-visit deductible, after the year's cap was used up): listed
                # below, once the payment is known.
                class_b_reading = class_b
            else:
                own = M.first_self_pay(class_b_amount, class_b_rate)
                self.rounding(class_b_amount, class_b_rate)
                if own:  # a share that rounds to nothing is not announced
                    eligible -= own
                    share["first_self_pay"] += own
                    paid_first = "self_pay"
                    self.step(steps, "first_self_pay", "class_b", own, {"class_b": class_b_amount, "rate": class_b_rate, "amount": own}, class_b)
        if offsite_kind != "none":
            offsite = p.get("offsite")
            unfiled_rate: Rate | None = None if offsite is None else offsite.value.unfiled_rate
            if offsite is None:
                self.notice("offsite-unspecified", NOTICES["offsite-unspecified"])
            elif offsite_kind == "filed":
                self.cite_or_notice("offsite-filed", offsite, "offsite-filed")
            elif unfiled_rate is None:
                offsite_reading = offsite  # "实际可能更低": listed below, once the payment is known
            else:
                own = M.first_self_pay(eligible, unfiled_rate)
                self.rounding(eligible, unfiled_rate)
                if own:
                    # Its base is what is left after a 乙类 self-payment, said so (490 of 500
                    # read as a figure from nowhere).
                    variant = "offsite_unfiled_after_class_b" if paid_first == "self_pay" else "offsite_unfiled"
                    self.step(steps, "first_self_pay", variant, own, {"base": eligible, "rate": unfiled_rate, "amount": own}, offsite)
                    eligible -= own
                    share["first_self_pay"] += own
                    paid_first = "self_pay"
                    if share["first_self_pay"] > own:  # the 乙类 share came off first
                        # The order the off-site clause sets, with its rate and article from the
                        # data (the clause quoted in 依据), not written into the text.
                        figures = {"rate": unfiled_rate, "offsite_article": offsite.cite.article}
                        self.cite_notice("first-self-pay-order", offsite, figures, reading=False)

        paid_before = self.fund_paid.get(yk, 0)
        # Once the year's cap is reached where the rules send the expense on to inpatient cover,
        # no outpatient rate applies to the visit: which one would have (a pharmacy's, 互联网+'s)
        # is not said, nor its reading listed, until a visit it does apply to.
        transferred = M.whole_visit_above_cap(cap_value.above_cap, cap_amount, paid_before)
        codes = self.codes
        rate_listed_from = len(codes)
        if not transferred:
            # ``explain`` passed by position: a call with a keyword is not specialised (3.11).
            rate, key, kind, ratio_param = self.rate(version, visit, group, steps, eligible > 0)
        rate_listed_to = len(codes)

        if use.current_year_first and eligible > 0 and self.account_current > 0:
            # The 当年账户 pays first, and that money does not count toward the 自负段.
            seg = M.account_segment(self.account_current, eligible)
            self.account_current = seg.balance_after
            eligible -= seg.paid
            share["account_segment"] = seg.paid
            paid_first = "both" if paid_first else "account"
            figures = {"balance_before": seg.balance_before, "amount": seg.paid, "balance_after": seg.balance_after, "term": term or "起付标准"}
            self.step(steps, "account_segment", seg.variant, seg.paid, figures, account_param)

        used_before = self.deductible_used.get(yk, 0)
        if transferred:
            # Once the fund's outpatient payments reach the cap, the whole policy-range
            # expense goes to inpatient treatment; no outpatient deductible is counted.
            if eligible:
                share["over_cap"] = eligible
                figures = {"amount": eligible, "cap": cap_amount, "year": yk, "year_kind": year_kind, "term": ded.term}
                self.step(steps, "over_cap", "inpatient_transfer_all", eligible, figures, cap_param)
                self.cite_or_notice("inpatient-transfer", cap_param, "over_cap")
            deductible, cap = self._standing(ded, group, yk, cap_amount)
            return 0, deductible, cap, "inpatient_transfer" if eligible else None

        if ded.basis == "annual":
            outcome = M.annual_deductible(ded.by_group[group], used_before, eligible)  # type: ignore[index]  # required with "annual"
            variant = _annual_variant(outcome.variant, used_before)
        elif ded.basis == "per_visit":
            outcome = M.per_visit_deductible(ded.by_key[key], eligible)  # type: ignore[index]  # required with "per_visit"; a level or class is known
            variant = _PER_VISIT_VARIANTS[outcome.variant]
        else:
            outcome = M.no_deductible(used_before)
            variant = "none_in_version"
        applied = outcome.applied
        self.deductible_used[yk] = used_before + applied
        deductible = _record(Running, (ded.basis, outcome.standard, applied, used_before, used_before + applied, outcome.remaining))
        share["deductible"] = applied
        if eligible and outcome.variant != "already_met":
            if outcome.variant == "none":
                # Said once per version and year: the fund sentence then speaks of the
                # whole policy-range expense, never of a deductible.
                if (version.id, yk) not in self.no_deductible_said:
                    self.no_deductible_said.add((version.id, yk))
                    self.step(steps, "deductible", variant, None, {"effective_from": version.effective_from}, ded_param)
                else:
                    self.assume(ded_param, "deductible")
            elif variant == "per_visit_crossed":
                # The figures its sentence and params read, and no more (山西: nearly every
                # visit; a figure made, then freed, unread, costs as much as one said).
                figures = {"amount": applied, "term": ded.term, "level": key, "level_kind": kind if kind != "pharmacy" else "level"}
                self.step(steps, "deductible", variant, applied, figures, ded_param)
            else:
                figures = {
                    "standard": outcome.standard, "used_before": used_before, "eligible": eligible, "amount": applied,
                    "remaining": outcome.remaining, "term": ded.term, "year": yk, "year_kind": year_kind,
                    "level": key, "level_kind": kind if kind != "pharmacy" else "level", "paid_first": paid_first,
                }
                self.step(steps, "deductible", variant, applied, figures, ded_param)

        if cap_amount is None:
            # Why there is no cap comes before the clause's assumption about the limit it
            # names (上海: "不检查这一总限额" speaks of the 总限额 this notice introduces).
            cite = cap_param.cite
            ref = cite.ref
            self.clauses[ref] = cite
            if cite.assumption and cite.assumption_on is None:
                # One caveat, not two adjacent ones on every visit: the reason, then the reading.
                # Why the visits have no cap is said of the request; that the shared total is
                # not checked concerns the visits the fund paid something of.
                # (Listed with this visit below, once its payment is known.)
                if ref not in self.notices:
                    number = self.number
                    self.number = 0
                    figures = {"reason": cap_value.none_reason, "reading": cite.assumption}
                    self.notice(ref, NOTICES["cap-none-reading"], ref, figures, kind="assumption")
                    self.number = number
                shared_total_reading = ref
            else:
                self.notice(f"{ref}-none", cap_value.none_reason, ref)  # type: ignore[arg-type]  # the loader requires a reason without a cap
                self.assume(cap_param, None)
        base = eligible - applied
        room = M.cap_room(cap_amount, paid_before)
        fund = 0
        handling = None
        if base > 0:
            share_out = M.fund_share(base, rate, room)
            fund = share_out.paid
            if share_out.variant == "plain":
                # Rounding decided a payment only where the fund paid its share at the rate:
                # capped, it paid the room left; used up, nothing (the member's payment is
                # the same either way; only the split of it into copay and over-cap moves).
                self.rounding(base, rate)
            copay = share_out.copay
            over = share_out.over_cap
            self.fund_paid[yk] = paid_before + fund
            if share_out.variant == "cap_used_up":
                # What the used-up sentence and its params read (the base and what it is, the
                # year; the figures the nil payment is recomputed from), not the rate's level
                # and group or the copay it no longer speaks of: after the cap ran out, nearly
                # every visit of a busy year.
                figures = {
                    "base": base, "ratio": rate, "ratio_amount": share_out.ratio_amount, "amount": fund,
                    "term": term, "paid_first": paid_first, "cap_room": room, "year": yk, "year_kind": year_kind,
                }
            else:
                figures = {
                    "base": base, "ratio": rate, "ratio_amount": share_out.ratio_amount, "amount": fund,
                    "copay": copay, "level": key, "level_kind": kind, "group": group, "split_on": self.split_on, "term": term,
                    "paid_first": paid_first, "cap_room": room,
                }
                if share_out.variant == "capped":
                    # The cap and its year, which only a payment the cap limited names (once a year).
                    figures["cap"] = cap_amount
                    figures["year"] = yk
                    figures["year_kind"] = year_kind
            # With the cap used up, the cap is what decides the (nil) payment.
            # (self.step(steps, "fund", ...), spelt out: a fund step is made at nearly every visit.)
            cite = (cap_param if share_out.variant == "cap_used_up" else ratio_param).cite
            self.clauses[cite.ref] = cite
            if cite.assumption and (cite.assumption_on is None or cite.assumption_on == "fund"):
                self._list_assumption(cite)
            steps.append(Step("fund", share_out.variant, fund, figures, cite.ref))
            if cap_amount is not None and fund:
                left = cap_amount - paid_before - fund
                figures = {"cap": cap_amount, "paid_before": paid_before, "paid_after": paid_before + fund, "amount": left, "year": yk, "year_kind": year_kind}
                self.step(steps, "annual_cap", "running" if left else "reached", left, figures, cap_param)
            handling = M.above_cap(cap_value.above_cap, share_out).handling
            # With nothing paid the fund sentence says the cap is used up: no step of its own.
            if over and fund:
                figures = {"ratio_amount": share_out.ratio_amount, "amount": over, "cap": cap_amount}
                self.step(steps, "over_cap", handling, over, figures, cap_param)  # type: ignore[arg-type]  # over > 0: a handling
                if handling == "inpatient_transfer":
                    self.cite_or_notice("inpatient-transfer", cap_param, "over_cap")
            share["over_cap"] = over
            share["copay"] = copay  # explained in the fund step's sentence
        if not fund and rate_listed_to > rate_listed_from and ded.basis != "per_visit":
            # The readings of which rate applies (a pharmacy's, 互联网+'s, an inferred price
            # class) decided nothing at a visit the fund paid nothing of, where the rate does not
            # also choose the deductible (a per-visit one by level or class: 山西, 玉溪, 云南).
            self._unlist(codes[rate_listed_from:rate_listed_to])
        if fund:
            if class_b_reading is not None:
                self.cite_or_notice("class-b-no-rate", class_b_reading)
            if offsite_reading is not None:
                self.cite_notice("offsite-unfiled-unspecified", offsite_reading)
            if shared_total_reading is not None:
                self.notice(shared_total_reading, NOTICES["cap-none-reading"], shared_total_reading, None, "assumption")
        paid_after = paid_before + fund
        cap = _record(Running, (None, cap_amount, fund, paid_before, paid_after, None if cap_amount is None else max(0, cap_amount - paid_after)))
        return fund, deductible, cap, handling

    # -- 门诊慢性病: its own deductible, ratio and cap ------------------------------------------
    def chronic(
        self, version: Version, yk: Any, year_kind: str, policy_range: int, share: dict[str, int], steps: list[Step],
    ) -> tuple[int, Running, Running]:
        param = version.params["chronic"]
        c: Chronic = param.value
        count = self.req.chronic_disease_count
        if not self.req.chronic_disease_count_given:
            self.notice("chronic-count-assumed", NOTICES["chronic-count-assumed"], None, {"count": count})
        cap_amount = c.cap_for(count)
        used_before = self.chronic_deductible_used.get(yk, 0)
        outcome = M.annual_deductible(c.deductible, used_before, policy_range)
        applied = outcome.applied
        self.chronic_deductible_used[yk] = used_before + applied
        share["deductible"] = applied
        if policy_range and outcome.variant != "already_met":
            figures = {
                "standard": c.deductible, "used_before": used_before, "eligible": policy_range, "amount": applied,
                "remaining": outcome.remaining, "term": CHRONIC_TERM, "year": yk, "year_kind": year_kind,
            }
            self.step(steps, "deductible", _annual_variant(outcome.variant, used_before), applied, figures, param)
        base = policy_range - applied
        paid_before = self.chronic_fund_paid.get(yk, 0)
        fund = 0
        if base > 0:
            share_out = M.fund_share(base, c.fund_ratio, M.cap_room(cap_amount, paid_before))
            fund = share_out.paid
            if share_out.variant == "plain":  # as for the general pool, above
                self.rounding(base, c.fund_ratio)
            figures = {
                "base": base, "ratio": c.fund_ratio, "ratio_amount": share_out.ratio_amount, "amount": fund,
                "copay": share_out.copay, "term": CHRONIC_TERM, "paid_first": None, "cap": cap_amount, "cap_room": share_out.room,
                "year": yk, "year_kind": year_kind,
            }
            self.step(steps, "fund", f"chronic_{share_out.variant}", fund, figures, param)
            if fund:
                left = cap_amount - paid_before - fund
                figures = {"cap": cap_amount, "count": count, "paid_before": paid_before, "paid_after": paid_before + fund, "amount": left, "year": yk, "year_kind": year_kind}
                self.step(steps, "annual_cap", "chronic_running" if left else "chronic_reached", left, figures, param)
            if share_out.over_cap and fund:
                figures = {"ratio_amount": share_out.ratio_amount, "amount": share_out.over_cap, "cap": cap_amount}
                # The pool's own cap (第十条), not the general annual cap: its own sentence.
                self.step(steps, "over_cap", "chronic_member", share_out.over_cap, figures, param)
            share["over_cap"] = share_out.over_cap
            share["copay"] = share_out.copay
        paid_after = paid_before + fund
        self.chronic_fund_paid[yk] = paid_after
        deductible = _record(Running, ("annual", c.deductible, applied, used_before, used_before + applied, outcome.remaining))
        cap = _record(Running, (None, cap_amount, fund, paid_before, paid_after, max(0, cap_amount - paid_after)))
        return fund, deductible, cap

    # -- the personal account's allocation -------------------------------------------------------
    def quietly(self, work: Callable[[], Any]) -> Any:
        """``work()`` with the result's clauses and notices copied: a trial leaves no trace."""
        saved = self.clauses, self.notices, self.codes, self.versions
        self.clauses = dict(self.clauses)
        self.notices = {code: replace(n, visits=list(n.visits)) for code, n in self.notices.items()}
        self.codes = list(self.codes)
        self.versions = dict(self.versions)  # an account trial lists the versions whose months it counts
        try:
            return work()
        finally:
            self.clauses, self.notices, self.codes, self.versions = saved

    def allocation(self, version: Version, first_day: dt.date) -> AccountAllocation:
        """The personal-account credit for the benefit year of the first visit, under the
        rule in force that day, counting only the months that rule covers in that year."""
        req = self.req
        param = version.params["personal_account"]
        ref = self.cite(param)
        rules = param.value.rules
        flexible = req.flexible_employment
        employed_key = "flexible_employed" if flexible and "flexible_employed" in rules else "employed"
        retired_key = "flexible_retired" if flexible and "flexible_retired" in rules else "retired"
        benefit_year = version.params["benefit_year"].value
        year_start, year_end = benefit_year.bounds(benefit_year.key(first_day))
        # The months of the year this rule covers: only they are credited, so only they
        # decide whether the member was in service, retired, or both.
        covered_from, covered_to = self._coverage(version, param, year_start, year_end)
        # The same rule may run on through neighbouring versions (武汉: the 优化方案 from
        # 2023-04-10 keeps the 细则's credits): where the months under them are credited, their
        # clause (with its reading), their version and its notices for those months are listed.
        continued = self._continued(version, param, covered_from, covered_to)
        key = employed_key
        if req.status == "retired":
            key = retired_key
            if req.retired_on is not None:
                start = self._retiree_start(version)
                if start > covered_to:
                    key = employed_key  # retired after the months covered: in service in all of them
                elif start > covered_from and not (rules[employed_key].kind == rules[retired_key].kind == "none"):
                    # Part of the year in service, part retired: the documents give the rule
                    # for each, but not how the year of retirement is split.
                    kinds = (rules[employed_key].kind, rules[retired_key].kind)
                    figures = {
                        "start": start,
                        "employed_rule": rule_figures(rules[employed_key], self._ages(covered_from, covered_to)),
                        "retired_rule": rule_figures(rules[retired_key], self._ages(covered_from, covered_to)),
                        # What keeps the year from one figure (said by the sentence): a rule
                        # without an amount; a yearly credit (上海) the documents do not split;
                        # else two monthly credits and no word on the month of retirement.
                        "split_gap": "amount" if "none" in kinds else "yearly" if not all(rules[k].monthly for k in (employed_key, retired_key)) else "month",
                    }
                    # Months of the same year under another version's rule (玉溪 2024: the 细则
                    # gives a retiree no amount, 云南省办法 106 a month from 2024-11-01): said with
                    # their dates and clause, as the rule for the shown months is, never left out.
                    others = self._other_rules(version, param, employed_key, retired_key, year_start, year_end)
                    if others:
                        # In another rule's months the member may be in service or retired
                        # throughout (玉溪: retired in August, a retiree in November–December):
                        # then only that holder's rule is said, with its sum where it has one.
                        figures.update(covered_from=covered_from, covered_to=covered_to, others=[self._with_holder(o, employed_key, retired_key) for o in others])
                    # Months under no rule the calculator has (云南 before 2024-11-01) are said
                    # to be outside, as for a year with one rule.
                    outside = _gaps(year_start, year_end, [(covered_from, covered_to)] + [(o[0], o[1]) for o in others])
                    if outside:
                        figures["outside"] = outside
                    start_rule = version.params.get("retiree_start")
                    if start_rule is not None:
                        # The version fixes the first day as a retiree (武汉 第七条: 次月起), so each
                        # month of the year is under one rule: credited month by month where both
                        # rules give a monthly figure, one version's rules all year (others: no).
                        split = None if others else _split_months(rules[employed_key], rules[retired_key], covered_from, covered_to, start, req.contribution_base)
                        if split is not None:
                            self._rounded_credit(rules[employed_key], rules[retired_key])
                            self.cite(start_rule)
                            figures.update(split)
                            annual = split["annual"]
                            if annual is None:  # no base for the employee's months
                                return AccountAllocation("split_months_base_missing", figures, ref, version.id, reason_variant="split_months_base_missing")
                            self._cite_joined(continued)
                            return AccountAllocation("split_months", figures, ref, version.id, annual, None)
                        return AccountAllocation("split_year_dated", figures, ref, version.id, reason_variant="split_year_dated")
                    # No start rule: the month of retirement is open, but the months before it
                    # are in service and those after it retired, each credited by its own rule
                    # where that rule is monthly: said with their sums where the rule gives a
                    # figure (the year itself still has none).
                    periods = _retirement_year_periods(
                        rules[employed_key], rules[retired_key], covered_from, covered_to, start, req.contribution_base, self._ages,
                    )
                    if periods is not None:
                        self._rounded_credit(rules[employed_key], rules[retired_key])
                        figures["periods"] = periods
                        kinds_said = {p["kind"] for p in periods}
                        if "none" in kinds_said:
                            figures["split_gap"] = "amount"  # a period's phrase names the rule without one
                        elif "open" in kinds_said:
                            # Both monthly, the month of retirement open ("都按月划入" only where
                            # both rules give an amount: a rule without one may not be monthly).
                            figures["split_gap"] = "month" if "none" not in kinds else "open"
                        elif not others and all("total" in p for p in periods):
                            # Retired on the 1st: every month under one rule (the calculator's
                            # reading: retiree rules from the retirement date itself), each with
                            # its figure: the sum of the months the rule covers (those outside
                            # it, 云南 before 2024-11-01, are said to be outside, never guessed).
                            annual = sum(p["total"] for p in periods)
                            figures.update(split_gap=None, annual=annual, months=sum(p["months"] for p in periods))
                            self._cite_joined(continued)
                            return AccountAllocation("split_year", figures, ref, version.id, annual, None)
                        else:
                            # Retired on the 1st: every month is under one rule (the calculator's
                            # reading: retiree rules from the retirement date itself); what keeps
                            # the year from a sum is a missing figure (the contribution base) or
                            # months under another rule or none: said as such, never as an open
                            # month of retirement.
                            figures["split_gap"] = "first_day"
                    return AccountAllocation("split_year", figures, ref, version.id, reason_variant="split_year")
        rule = rules[key]
        if rule.kind == "none":
            figures = {"holder": key, "reason": rule.reason}
            # Another version's rule in the same year may give a figure for its months (玉溪
            # 2024: none under the 细则, 106 a month under 云南省办法 from November): said, with
            # the rule for the member as they are in those months.
            others = self._other_rules(version, param, employed_key, retired_key, year_start, year_end)
            if others:
                figures["other_rules"] = [self._with_holder(other, employed_key, retired_key) for other in others]
            return AccountAllocation("none", figures, ref, version.id, reason_variant="none")

        # A neighbouring version whose rule differs elsewhere but gives this member the same
        # credit (玉溪: an employee's 2% under the 细则 and under 云南省办法 from 2024-11-01)
        # continues it: its months count too, under its own clause, said in the answer.
        joined = self._joined_months(version, key, rule, year_start, year_end, covered_from, covered_to)
        if joined and req.status == "retired" and req.retired_on is not None:
            # Only where the member's status is the same in the months added.
            start = self._retiree_start(version)
            first_added, last_added = min(j[0] for j in joined), max(j[1] for j in joined)
            if key == retired_key and start > min(first_added, covered_from):
                joined = []
            elif key == employed_key and start <= max(last_added, covered_to):
                joined = []
        joined_figures = []
        for start_day, end_day, _other_version, other in joined:
            joined_figures.append((start_day, end_day, other.cite))
            covered_from, covered_to = min(covered_from, start_day), max(covered_to, end_day)

        months = M.months_between((covered_from.year, covered_from.month), (covered_to.year, covered_to.month))
        figures = {"holder": key, "covered_from": covered_from, "covered_to": covered_to, "months": months, "first_day": first_day}
        if joined_figures:
            figures["joined"] = joined_figures
        # Months of the year under another version's rule (玉溪 2024: the 细则 for a retiree's
        # January–October, no figure; 云南省办法 for November–December): named with their clause
        # and the member's rule then, not only said to be outside this rule.
        others = self._other_rules(version, param, employed_key, retired_key, year_start, year_end, (covered_from, covered_to))
        if others:
            figures["other_rules"] = [self._with_holder(other, employed_key, retired_key) for other in others]
        outside = _gaps(year_start, year_end, [(covered_from, covered_to)] + [(o[0], o[1]) for o in others])
        if outside:
            figures["outside"] = outside
        if rule.kind == "monthly_share_of_base" and req.contribution_base is None:
            figures["rate"] = rule.rate
            figures.pop("joined", None)  # no figure: nothing counted under another clause
            return AccountAllocation("base_missing", figures, ref, version.id, reason_variant="base_missing")
        self._cite_joined(joined + continued)
        if rule.kind == "monthly_share_of_base":
            figures["rate"] = rule.rate
            base = req.contribution_base
            assert base is not None  # without one: base_missing, above
            monthly = rule.rate.apply(base)
            self.rounding(base, rule.rate)
            figures.update(base=base, monthly=monthly, annual=monthly * months)
            return AccountAllocation("share_of_base", figures, ref, version.id, monthly * months, monthly)
        # The age entered is that of one day (age_on; else today): in the months credited the
        # member may have been younger (or, for a future year, older), one of two ages on any
        # day. Where those ages fall in two bands of the rule (上海 75, 云南 70), the band, and so
        # the credit, is not known.
        ages: dict[str, int] = {}
        if rule.bands:
            low, high = self._ages(covered_from, covered_to)
            boundary = rule.band_boundary(low, high)
            if boundary is not None:
                figures.update(age_from=low, age_to=high, boundary=boundary)
                return AccountAllocation("by_age_unknown", figures, ref, version.id, reason_variant="by_age_unknown")
            ages = {"age_from": low, "age_to": high, **rule.band_of(high)}
        amount = rule.amount_for_age(ages.get("age_to", req.age))  # a month's or a year's, by the rule's kind
        if amount == 0:
            # 武汉细则 第六条: 灵活就业人员 "不计入个人账户" — nothing is credited, which the
            # answer says as such (0.00), not as "每月划入 0 元".
            return AccountAllocation("nothing", {"holder": key}, ref, version.id, 0, None)
        # A credit the document does not call 个人账户 is said by its own name (武汉 第六条).
        variant = rule.kind if rule.called is None else f"{rule.kind}_called"
        if rule.called is not None:
            figures["called"] = rule.called
        if rule.monthly:
            figures.update(monthly=amount, annual=amount * months, **ages)
            return AccountAllocation(variant, figures, ref, version.id, amount * months, amount)
        if outside:
            # Which year it is, by its dates (上海's 医保年度): "本年度" would read as the reader's own.
            figures.update(year_from=year_start, year_to=year_end)
            return AccountAllocation("yearly_part_year", figures, ref, version.id, reason_variant="yearly_part_year")
        annual = amount
        figures.update(annual=annual, **ages)
        return AccountAllocation(variant, figures, ref, version.id, annual, None)

    def version_notices(
        self, version: Version, first: dt.date, last: dt.date, covered: bool = True, level: int | None = None, category: str | None = None,
    ) -> None:
        """The version's own notices whose dates meet ``first``–``last``, listed for the
        current visit (``self.number``; its codes ``self.codes``); those marked
        ``covered_only`` only where the fund covers the visit, those with ``levels`` only
        where the visit is rated by one of them (``level``; None: not rated by a level), those
        with ``categories`` only on visits of one of them (``category``; None: not a visit)."""
        self._list_version_notices(_of_version(version, (covered, level, category), lambda: _concerning(version, covered, level, category)), first, last)

    def _list_version_notices(self, concerned: tuple[VersionNotice, ...], first: dt.date, last: dt.date) -> None:
        """version_notices, for the notices a visit of its kind may meet (_concerning)."""
        codes = self.codes
        n: VersionNotice  # typed: its fields read directly (untyped, a generic look-up each)
        for n in concerned:
            if (n.applies_from is None or last >= n.applies_from) and (n.applies_to is None or first <= n.applies_to):
                listed = self.notices.get(n.code)
                if listed is not None:
                    # Listed already (its clause with it): only this visit is added.
                    if n.code not in codes:
                        listed.visits.append(self.number)
                        codes.append(n.code)
                    continue
                if n.cite is not None:
                    self.clauses[n.cite.ref] = n.cite
                self.notice(n.code, n.message, n.cite.ref if n.cite else None)

    def _continued(self, version: Version, param: Param, covered_from: dt.date, covered_to: dt.date) -> list[tuple[dt.date, dt.date, Version, Param]]:
        """The other versions whose account rule is this one's (``_coverage`` counts their
        months as this rule's): (first day, last day, version, its param) within the months
        covered, in date order."""
        out = []
        for other in self._rule_run(version, param):
            if other is version:
                continue
            other_param = other.params["personal_account"]
            start = max(covered_from, other.effective_from)
            end = covered_to if other.effective_to is None else min(covered_to, other.effective_to)
            if start <= end:
                out.append((start, end, other, other_param))
        return out

    def _cite_joined(self, joined: list[tuple[dt.date, dt.date, Version, Param]]) -> None:
        """Months counted under another version: its clause is listed, the version among the
        rules used, and its notices that concern those months (e.g. 玉溪 from 2024-11-01: the
        reading that 玉溪 follows 云南省办法) with the first visit, as the allocation's are."""
        for start_day, end_day, other_version, other in joined:
            self.cite(other)
            self.versions.setdefault(other_version.id, other_version)
            self.version_notices(other_version, start_day, end_day)

    def _joined_months(
        self, version: Version, key: str, rule: Any, year_start: dt.date, year_end: dt.date, covered_from: dt.date, covered_to: dt.date
    ) -> list[tuple[dt.date, dt.date, Version, Param]]:
        """Whole months of the benefit year, outside ``covered_from``–``covered_to``, under
        neighbouring versions whose account rule is another but credits ``key`` the same
        (``rule``): (first day, last day, that version, its personal_account param), in order."""
        versions = self.region.versions
        i = versions.index(version)
        out: list[tuple[dt.date, dt.date, Version, Param]] = []
        for step in (-1, 1):
            j = i
            while 0 <= j + step < len(versions):
                j += step
                other = versions[j]
                param = other.params.get("personal_account")
                if param is None or param.value.rules.get(key) != rule:
                    break
                start = max(year_start, other.effective_from)
                end = year_end if other.effective_to is None else min(year_end, other.effective_to)
                if start > end:
                    break  # outside the benefit year
                if start.day != 1:  # a part month is not counted
                    start = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
                next_day = end + dt.timedelta(days=1)
                if next_day.day != 1:
                    end = dt.date(end.year, end.month, 1) - dt.timedelta(days=1)
                if end < covered_from or start > covered_to:  # months not yet counted
                    if (step == -1 and end == covered_from - dt.timedelta(days=1)) or (step == 1 and start == covered_to + dt.timedelta(days=1)):
                        out.append((start, end, other, param))
                        covered_from, covered_to = min(covered_from, start), max(covered_to, end)
                    else:
                        break  # not adjoining: a gap of months the calculator has no rule for
        return sorted(out, key=lambda joined: joined[0])

    def _ages(self, first: dt.date, last: dt.date) -> tuple[int, int]:
        """The ages the member may have between ``first`` and ``last`` (the age entered is
        counted on the request's age_on, else today)."""
        return ages_during(self.req.age, self.req.age_on or self.today, first, last)

    def _holder_in(self, first: dt.date, last: dt.date, employed_key: str, retired_key: str) -> str | None:
        """Which account holder the member is from ``first`` to ``last``: None where they
        retire within it (both rules then apply)."""
        req = self.req
        if req.status == "employed":
            return employed_key
        if req.retired_on is None:
            return retired_key
        version = self.region.version_on(first)
        start = self._retiree_start(version) if version is not None else req.retired_on
        if start <= first:
            return retired_key
        return employed_key if start > last else None

    def _with_holder(
        self, other: tuple[dt.date, dt.date, Citation, dict[str, Any], dict[str, Any]], employed_key: str, retired_key: str,
    ) -> tuple[Any, ...]:
        """Another rule's months (``_other_rules``) with the member's holder then (None: they
        retire within them) and, where that holder's rule credits a fixed monthly amount, the
        months and their sum (months × the monthly amount; None otherwise)."""
        start, end, _cite, employed_rule, retired_rule = other
        holder = self._holder_in(start, end, employed_key, retired_key)
        months = total = None
        if holder is not None:
            rule = retired_rule if holder.endswith("retired") else employed_rule
            monthly = rule.get("monthly")
            if monthly is not None:
                months = M.months_between((start.year, start.month), (end.year, end.month))
                total = monthly * months
        return (*other, holder, months, total)

    def _other_rules(
        self, version: Version, param: Param, employed_key: str, retired_key: str, year_start: dt.date, year_end: dt.date,
        outside_of: tuple[dt.date, dt.date] | None = None,
    ) -> list[tuple[dt.date, dt.date, Citation, dict[str, Any], dict[str, Any]]]:
        """Other account rules in force in whole months of the same benefit year: (first day,
        last day, clause, employee's rule, retiree's rule) for each, in date order; each
        clause cited and its version listed among the rules used. ``outside_of``: only rules
        whose months lie outside these days (those inside were credited, joined)."""
        out = []
        seen = [param.value]
        for other in self.region.versions:
            other_param = other.params.get("personal_account")
            if other_param is None or other_param.value in seen:
                continue
            if other.params["benefit_year"].value.bounds(other.params["benefit_year"].value.key(year_start)) != (year_start, year_end):
                continue
            start, end = self._coverage(other, other_param, year_start, year_end)
            if start > end:
                continue  # no whole month of this year
            if outside_of is not None and not (start > outside_of[1] or end < outside_of[0]):
                continue  # its months were credited with this rule's (the same credit, joined)
            seen.append(other_param.value)
            other_rules = other_param.value.rules
            self.cite(other_param)
            self.versions.setdefault(other.id, other)
            self.version_notices(other, start, end)  # as for months joined (_cite_joined)
            out.append((
                start, end, other_param.cite,
                rule_figures(other_rules[employed_key if employed_key in other_rules else "employed"], self._ages(start, end)),
                rule_figures(other_rules[retired_key if retired_key in other_rules else "retired"], self._ages(start, end)),
            ))
        return out

    def _coverage(self, version: Version, param: Param, year_start: dt.date, year_end: dt.date) -> tuple[dt.date, dt.date]:
        """The whole months of the benefit year in which this account rule is in force (the
        same rule may run on through later versions, as in 武汉's two)."""
        return _of_version(version, ("coverage", year_start, year_end), lambda: self._work_out_coverage(version, param, year_start, year_end))

    def _rule_run(self, version: Version, param: Param) -> tuple[Version, ...]:
        """The neighbouring versions, this one among them, that keep its account rule (武汉's
        two), in date order."""
        return _of_version(version, ("rule_run",), lambda: self._work_out_rule_run(version, param))

    def _work_out_rule_run(self, version: Version, param: Param) -> tuple[Version, ...]:
        versions = self.region.versions
        i = versions.index(version)
        first = last = i
        while first > 0 and versions[first - 1].params["personal_account"].value == param.value:
            first -= 1
        while last + 1 < len(versions) and versions[last + 1].params["personal_account"].value == param.value:
            last += 1
        return versions[first:last + 1]

    def _work_out_coverage(self, version: Version, param: Param, year_start: dt.date, year_end: dt.date) -> tuple[dt.date, dt.date]:
        run = self._rule_run(version, param)
        start = max(year_start, run[0].effective_from)
        if start.day != 1:  # a part month is not counted
            start = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        end_limit = run[-1].effective_to
        end = year_end if end_limit is None else min(year_end, end_limit)
        next_day = end + dt.timedelta(days=1)
        if next_day.day != 1:
            end = dt.date(end.year, end.month, 1) - dt.timedelta(days=1)
        return start, end


def _same_day_readings(ledger: _Ledger, counted: dict[str, list[tuple[Visit, VisitResult, _Rules]]], codes_of: dict[int, list[str]]) -> None:
    """A day's visits by pool (in the order calculated): the order is a reading of those whose
    figures it can change, said in the words of the last one's rule."""
    for entries in counted.values():
        if len(entries) > 1 and _order_matters(entries[0][1], entries[-1][1]):
            visits = [e[0] for e in entries]
            ledger.same_day(visits[:-1], visits[-1], codes_of, entries[-1][2])


def _order_matters(first: VisitResult, last: VisitResult) -> bool:
    """Could another order of a day's visits of one pool change their figures? Only where a
    running total crosses its limit that day: the annual deductible met (before it, each visit
    is all deductible; after it, each is paid at its own rate) or the cap reached (before it,
    each is paid at its rate; after it, nothing). Running sums: open at the day's first visit,
    closed after its last. A per-visit deductible and no cap leave no running total at all."""
    cap_in, cap_out = first.cap, last.cap
    if (
        cap_in.standard is not None and cap_out.standard is not None and cap_in.used_before is not None
        and cap_out.used_after is not None and cap_in.used_before < cap_in.standard and cap_out.used_after >= cap_out.standard
    ):
        return True
    ded_in, ded_out = first.deductible, last.deductible
    return (
        ded_in.basis == "annual" and ded_in.standard is not None and ded_out.standard is not None
        and ded_in.used_before is not None and ded_out.used_after is not None
        and ded_in.used_before < ded_in.standard and ded_out.used_after >= ded_out.standard
    )


def _covers_nothing(setting: str, inpatient_stay: bool, total: int, excluded: int, stay_rule: bool) -> bool:
    """The fund pays nothing of the visit: at a non-designated institution, during a hospital
    stay where the rules say so, or all 全自费 (no policy-range expense). Such a visit counts
    toward neither the deductible nor the cap."""
    return setting == "non_designated" or (inpatient_stay and stay_rule) or total == excluded


def _gaps(start: dt.date, end: dt.date, covered: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """The stretches of ``start``–``end`` outside every (first, last) day range of ``covered``."""
    out = []
    day = start
    for first, last in sorted(covered):
        if first > day:
            out.append((day, first - dt.timedelta(days=1)))
        day = max(day, last + dt.timedelta(days=1))
    if day <= end:
        out.append((day, end))
    return out



# What a version's rules decide by themselves (which rate applies to a combination of codes,
# the months an account rule covers), worked out once per process: the policy data load
# once and are frozen. Keyed by the version object itself (a reload makes new ones).
_DERIVED: Final[dict[int, tuple[Version, dict[tuple[Any, ...], Any]]]] = {}


def _derived(version: Version) -> dict[tuple[Any, ...], Any]:
    """What this version's rules decide by themselves, as far as worked out (keyed as
    _of_version's callers key it)."""
    entry = _DERIVED.get(id(version))
    if entry is None or entry[0] is not version:
        entry = _DERIVED[id(version)] = (version, {})
    return entry[1]


def _retirement_year_periods(
    employed: Any, retired: Any, covered_from: dt.date, covered_to: dt.date, start: dt.date, base: int | None,
    ages: Callable[[dt.date, dt.date], tuple[int, int]],
) -> list[dict[str, Any]] | None:
    """The year of retirement where no rule fixes the first month as a retiree: the whole
    months before the month of retirement under the employee's rule, that month (which rule
    credits it no document says), the months after it under the retiree's rule, each within
    ``covered_from``–``covered_to``. A period's figures: its rule's (``rule_figures``) with
    its ``months`` and ``total`` where the rule credits a monthly figure; ``base_missing``
    where a share of the base has no base. None where a rule is yearly (上海: a yearly credit
    is not split by months in any document)."""
    if not (employed.monthly or employed.kind == "none") or not (retired.monthly or retired.kind == "none"):
        return None
    month_first = dt.date(start.year, start.month, 1)
    month_last = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1) - dt.timedelta(days=1)
    parts: tuple[tuple[str, Any, dt.date, dt.date], ...]
    if start.day == 1:
        # Retired on the 1st: the whole month is after the retirement date (the calculator's
        # reading for visits too: retiree rules from that day), so no month is open.
        parts = (("employed", employed, covered_from, start - dt.timedelta(days=1)), ("retired", retired, start, covered_to))
    else:
        parts = (
            ("employed", employed, covered_from, month_first - dt.timedelta(days=1)),
            ("retirement_month", None, max(covered_from, month_first), min(covered_to, month_last)),
            ("retired", retired, month_last + dt.timedelta(days=1), covered_to),
        )
    out: list[dict[str, Any]] = []
    for name, rule, first, last in parts:
        if first > last:
            continue
        months = M.months_between((first.year, first.month), (last.year, last.month))
        period: dict[str, Any] = {"name": name, "from": first, "to": last, "months": months}
        if rule is None:
            period["kind"] = "open"
        elif rule.kind == "monthly_share_of_base":
            if base is None:
                period.update(kind="base_missing", rate=rule.rate)
            else:
                monthly = rule.rate.apply(base)
                period.update(kind=rule.kind, rate=rule.rate, base=base, monthly=monthly, total=monthly * months)
        else:
            figures = rule_figures(rule, ages(first, last))
            period.update(figures)
            if "monthly" in figures:
                period["total"] = figures["monthly"] * months
        out.append(period)
    return out


def _split_months(
    employed: Any, retired: Any, covered_from: dt.date, covered_to: dt.date, start: dt.date, base: int | None,
) -> dict[str, Any] | None:
    """The year of retirement month by month, where the first day as a retiree opens a month:
    the months before it under the employee's rule, the rest under the retiree's, each a
    monthly figure (a share of the contribution base, a fixed amount, or nothing). None where a
    rule gives no monthly figure (a yearly credit, bands by age, none). Without a base, the
    employee's months have no figure: ``annual`` is None, and the base is asked for."""
    if start.day != 1:
        return None
    last_employed = start - dt.timedelta(days=1)
    periods = {}
    for name, rule, first, last in (("employed", employed, covered_from, last_employed), ("retired", retired, start, covered_to)):
        months = M.months_between((first.year, first.month), (last.year, last.month))
        if rule.kind == "monthly_share_of_base":
            if base is None:
                periods[name] = {"kind": "base_missing", "rate": rule.rate, "months": months, "from": first, "to": last}
                continue
            monthly = rule.rate.apply(base)
            periods[name] = {"kind": rule.kind, "rate": rule.rate, "base": base, "monthly": monthly}
        elif rule.kind == "monthly" and not rule.bands and rule.amount is not None:
            monthly = rule.amount
            periods[name] = {"kind": "nothing"} if monthly == 0 else (
                {"kind": "monthly_called", "called": rule.called, "monthly": monthly} if rule.called is not None else {"kind": "monthly", "monthly": monthly}
            )
        else:
            return None
        periods[name].update(months=months, total=monthly * months, **{"from": first, "to": last})
    if any(p["kind"] == "base_missing" for p in periods.values()):
        return {"employed_period": periods["employed"], "retired_period": periods["retired"], "annual": None}
    annual = periods["employed"]["total"] + periods["retired"]["total"]
    return {"employed_period": periods["employed"], "retired_period": periods["retired"], "annual": annual, "months": periods["employed"]["months"] + periods["retired"]["months"]}


def _of_version(version: Version, key: tuple[Any, ...], work_out: Any) -> Any:
    made = _derived(version)
    value = made.get(key)
    if value is None:
        value = made[key] = work_out()
    return value


def _concerning(version: Version, covered: bool, level: int | None, category: str | None) -> tuple[VersionNotice, ...]:
    """The version's notices that a visit of this kind may meet, whatever its date: those
    marked ``covered_only`` only where the fund covers it, ``levels`` only where it is rated
    by one of them, ``categories`` only for one of them."""
    return tuple(n for n in version.notices if not n.paid_only and not (n.covered_only and not covered) and _of_kind(n, level, category))


def _concerning_paid(version: Version, level: int | None, category: str | None) -> tuple[VersionNotice, ...]:
    """The version's ``paid_only`` notices that a visit of this kind the fund paid something
    of may meet (listed once its payment is known: of a nil payment, "实际可能更少" is untrue)."""
    return tuple(n for n in version.notices if n.paid_only and _of_kind(n, level, category))


def _of_kind(n: VersionNotice, level: int | None, category: str | None) -> bool:
    """A notice's ``levels`` and ``categories`` admit a visit rated by ``level`` (None: not
    rated by a level) of ``category``."""
    return (n.levels is None or level in n.levels) and (n.categories is None or category in n.categories)


def _choose_rate(version: Version, visit: Visit, group: str) -> tuple[Rate, int | None, str, Param | None, tuple[Any, ...]]:
    """Which rate applies (mechanisms.fund_rate), and the (figure-less) steps that explain the
    choice: a pharmacy's own rate; an inferred price class (the clause carries the
    assumption); how a pharmacy or 互联网+ visit was rated."""
    p = version.params
    pharmacy, internet, class_default = p.get("pharmacy"), p.get("internet"), p.get("price_class_default")
    choice = M.fund_rate(
        p["fund_ratio"].value, group, visit.setting, visit.level, visit.price_class,
        pharmacy.value if pharmacy is not None else None, internet.value if internet is not None else None,
        class_default.value if class_default is not None else None,
    )
    rate, level, key, kind, setting_rule = choice.rate, choice.level, choice.key, choice.kind, choice.setting_rule
    if kind == "pharmacy":
        # The pharmacy has a rate of its own, whatever the prescriber's level.
        said = ((version.id, "setting", setting_rule, rate), "setting", setting_rule, {"ratio": rate}, pharmacy)
        return rate, key, kind, pharmacy, (said,)
    explained: list[tuple[tuple[Any, ...], str, str, dict[str, Any], Param | None]] = []
    if choice.inferred_class:
        explained.append(((version.id, "price_class", level), "price_class", "inferred", {"level": level, "price_class": key}, class_default))
    if setting_rule is not None:
        setting_param = pharmacy if visit.setting == "pharmacy" else internet
        explained.append(((version.id, "setting", setting_rule, kind, key), "setting", setting_rule, {"level": key, "level_kind": kind}, setting_param))
    return rate, key, kind, p["fund_ratio"], tuple(explained)


def _account_visit(ledger: _Ledger, order: list[Visit], first_version: Version) -> Visit | None:
    """The first visit, in the first visit's benefit year, under a later rule that credits
    the member a figure where the first visit's rule gives none (玉溪: the 细则 gives a
    retiree's credit no amount; 云南省办法 does from 2024-11-01); None where there is none.
    Each rule is tried quietly (its clause and caveats are not listed for a rule not used)."""
    year = first_version.params["benefit_year"].value
    key = year.key(order[0].date)
    rules = first_version.params["personal_account"].value.rules
    later = {
        v.id for v in ledger.versions.values()
        if v.effective_from > first_version.effective_from and v.params["personal_account"].value.rules != rules
        and v.params["benefit_year"].value.bounds(key) == year.bounds(key)
    }
    if not later or ledger.quietly(lambda: ledger.allocation(first_version, order[0].date)).variant != "none":
        return None
    tried: set[str] = set()
    for visit in order:
        version = ledger.region.version_on(visit.date)
        if version is not None and version.id in later and version.id not in tried and year.key(visit.date) == key:
            tried.add(version.id)
            if ledger.quietly(lambda: ledger.allocation(version, visit.date)).variant != "none":
                return visit
    return None


def calculate(request: CalculationRequest, today: dt.date | None = None, each: Callable[[VisitResult], Any] | None = None) -> CalculationResult:
    """The ledger over the request's visits, in date order.

    ``each``, when given, turns each visit's result into what the result keeps (its JSON):
    called as soon as the visit is calculated, so the visit's records are dropped while they
    are still in the processor's cache instead of all together at the end (report.result_json;
    about 4 % of a 1,000-visit calculation, scripts/bench.py). ``visits`` then holds what
    ``each`` returned."""
    region = registry.load_policies()[request.region]
    ledger = _Ledger(request, region, today or dt.date.today())
    # Date order decides the ledger; ties keep the order the visits were given in.
    order = sorted(request.visits, key=_DATE_THEN_INDEX)
    results: dict[int, Any] = {}
    if request.chronic_disease_count_given and not any(v.param("chronic") for v in region.versions):
        ledger.notice("chronic-count-ignored", NOTICES["chronic-count-ignored"], None, {"region_name": region.name})
    if request.flexible_employment and not any(v.flexible_account_rules for v in region.versions):
        # Said, not dropped: the documents give employees' and retirees' rules only.
        ledger.notice("flexible-employment-ignored", NOTICES["flexible-employment-ignored"], None, {"region_name": region.name})
    if request.status == "employed" and request.retired_on is not None:
        # A field entered and not used: said of the request, as the two above, not of
        # every visit (no visit's figures depend on it).
        ledger.notice("retired-on-ignored", NOTICES["retired-on-ignored"])
    first = order[0]
    codes_of: dict[int, list[str]] = {}  # each visit's notice codes (the list its JSON holds)
    # The day's visits that count toward a pool's running totals, by pool (general, 门诊慢性病).
    # A visit the fund does not cover (non-designated, a hospital stay the rules exclude, all
    # 全自费) counts toward nothing and is not listed. Their order is a reading only where they
    # take a running total across its limit that day (the deductible met, the cap reached):
    # otherwise each has the same figures in any order (_order_matters).
    day: dt.date | None = None
    counted: dict[str, list[tuple[Visit, VisitResult, _Rules]]] = {}
    for visit in order:
        if visit.date != day:
            _same_day_readings(ledger, counted, codes_of)
            day, counted = visit.date, {}
        done = ledger.visit(visit)
        codes_of[visit.index] = done.notices
        results[visit.index] = done if each is None else each(done)
        rules = ledger.last_rules
        assert rules is not None
        if _covers_nothing(visit.setting, visit.inpatient_stay, visit.total, visit.excluded, rules.stay_rule):
            continue
        counted.setdefault(visit.category, []).append((visit, done, rules))
    _same_day_readings(ledger, counted, codes_of)
    first_version = region.version_on(first.date)
    assert first_version is not None
    # The allocation follows the rule in force on the first visit's date: a clause assumption
    # it raises concerns that visit (listed with it, and among its notice codes).
    # Where that rule gives the member no figure but a later rule of the same benefit year
    # does, that rule's months are credited as its first visit shows them, and the months
    # before it are said to be outside the estimate (issue: never a guessed full year).
    shown_for = _account_visit(ledger, order, first_version) or first
    shown_version = region.version_on(shown_for.date)
    assert shown_version is not None
    if ledger.merge_notice is not None and ledger.merge_notice not in ledger.notices:
        # The account paid at no visit: the sum changed no figure, but the field entered was
        # still not used as such, which is said (of the request, no visit).
        ledger.number = 0
        ledger.merge_notice_said()
    ledger.number = shown_for.index + 1
    ledger.codes = codes_of[shown_for.index]  # the same list as the visit's (and its JSON's) notices
    account = ledger.allocation(shown_version, shown_for.date)
    for notice in ledger.notices.values():
        notice.visits.sort()  # listed as the visits were calculated (by date); said in request order
    return CalculationResult(
        request=request,
        region_code=region.code,
        region_name=region.name,
        visits=[results[v.index] for v in request.visits],
        order=[v.index for v in order],
        totals={
            "total": ledger.total_sum, "fund_paid": ledger.fund_sum, "member_paid": ledger.member_sum,
            "account_paid": ledger.account_sum, "cash_paid": ledger.cash_sum,
        },
        years=[ledger.years[k] for k in sorted(ledger.years)],
        account=account,
        versions=list(ledger.versions.values()),
        clauses=ledger.clauses,
        notices=list(ledger.notices.values()),
    )
