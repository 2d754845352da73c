"""The engine: one date-ordered ledger over a member's visits, every figure explained.

Plain Python over the loaded policy data (no Django). Each visit goes through the
mechanics of ``POLICY_NOTES.md`` in order:

1. policy-range expense = total − excluded (目录外/全自费, paid by the member);
2. first self-pay (先行自付) where a rule has one (乙类, 异地未备案);
3. deductible (起付标准): annual running total, per visit, or none;
4. fund ratio by institution level (or Shanxi's price class) and status group;
5. annual cap on the fund's cumulative payment in the same year, shared across versions;
6. above the cap: the member pays, or (玉溪/云南) the amount is handed to inpatient rules;
7. the fund payment rounded to the fen; member share = total − fund payment;

then the personal account pays the member's share (Shanghai: the 当年账户 first, before
the 自负段). Every step carries the clause that produced it and a filled-in explanation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from calculator.rules import registry
from calculator.rules.contract import CalculationRequest, Visit
from calculator.rules.loader import Citation, Param, Region, Version
from calculator.rules.explain import yuan as fmt_yuan
from calculator.rules.money import ZERO, fmt_percent, to_fen

# Money in the engine is always in fen (two decimals): the contract and the loader quantize
# every amount, and every payment goes through to_fen. So the contract's "1200.00" strings
# are plain str(); tests/rules/test_properties.py checks every amount in random results.
fmt_money = str
_ZERO_TEXT = "0.00"


def _money_text(amount: Decimal) -> str:
    # Most of a visit's share reasons are the untouched ZERO: one shared string for them
    # means fewer objects to build and free in a 1,000-visit result (see scripts/bench.py).
    return _ZERO_TEXT if amount is ZERO else str(amount)

GROUP_NAMES = {
    "employed": "在职职工",
    "retired": "退休人员",
    "retired_by_2000": "2000年12月31日前退休人员",
    "retired_from_2001": "2001年1月1日后退休人员",
}
LEVEL_NAMES = {1: "一级及以下医疗机构", 2: "二级医疗机构", 3: "三级医疗机构"}
PRICE_CLASS_NAMES = {1: "一类收费价格医疗机构", 2: "二类收费价格医疗机构", 3: "三类收费价格及以下医疗机构"}
SHARE_REASONS = (
    "excluded",
    "first_self_pay",
    "account_segment",
    "deductible",
    "copay",
    "over_cap",
    "not_covered",
)


def _year_key(version: Version, day: dt.date) -> int:
    # Shanghai's 医保年度 runs 1 July – 30 June; it is named by the year it starts in.
    if version.july_june:
        return day.year if day.month >= 7 else day.year - 1
    return day.year


def _year_bounds(version: Version, key: int) -> tuple[dt.date, dt.date]:
    if version.params["benefit_year"].values["value"] == "july_june":
        return dt.date(key, 7, 1), dt.date(key + 1, 6, 30)
    return dt.date(key, 1, 1), dt.date(key, 12, 31)


def _retiree_start(version: Version, retired_on: dt.date) -> dt.date:
    """First day retiree rules apply: 武汉 第七条 "从次月起"; elsewhere the retirement date."""
    start_param = version.params.get("retiree_start")
    if start_param is not None and start_param.values["basis"] == "next_month":
        return dt.date(retired_on.year + (retired_on.month == 12), retired_on.month % 12 + 1, 1)
    return retired_on


def _year_label(version: Version, key: int) -> str:
    if version.params["benefit_year"].values["value"] == "july_june":
        return f"{key}医保年度（{key}年7月1日至{key + 1}年6月30日）"
    return f"{key}年度"


class _Run:
    """State of one calculation: the ledger, the warnings and the clauses used."""

    def __init__(self, request: CalculationRequest, region: Region):
        self.req = request
        self.region = region
        self.deductible_used: dict[int, Decimal] = {}
        self.fund_paid: dict[int, Decimal] = {}
        self.chronic_deductible_used: dict[int, Decimal] = {}
        self.chronic_fund_paid: dict[int, Decimal] = {}
        self.years: dict[int, dict[str, Any]] = {}
        self.year_labels: dict[int, str] = {}
        self.warnings: dict[str, dict[str, Any]] = {}
        self.clauses: dict[str, Citation] = {}
        self.versions_used: dict[str, Version] = {}
        self.current_year_key: int | None = None
        self.notices: list[dict[str, Any]] = []  # the notices of the visit being worked out
        self.today = dt.date.today()
        self.totals = dict.fromkeys(("total", "fund_paid", "member_paid", "account_paid", "cash_paid"), ZERO)
        # Shanghai keeps the 当年账户 and the 历年账户 apart; elsewhere there is one balance.
        self.account_current = request.account_balance
        self.account_prior = request.prior_years_balance

    # -- warnings and clauses ---------------------------------------------------------
    def warn(self, code: str, message: str, cite: Citation | None = None) -> dict[str, Any]:
        notice = self.warnings.get(code)
        if notice is None:
            if cite is not None:
                self.clauses[cite.ref] = cite
            notice = {"code": code, "message": message, "clause": cite.ref if cite else None}
            self.warnings[code] = notice
        return notice

    def step(self, steps: list, code: str, label: str, figure: Decimal | None, param: Param, text: str) -> None:
        """Append one explained figure. ``text`` is the clause's explanation filled in
        (``param.cite.render(...)``) or, for a figure the engine derives, its own sentence.
        A clause read with an assumption shows that assumption beside the visit."""
        cite = param.cite
        self.clauses[cite.ref] = cite
        if cite.assumption:
            notice = self.warn(cite.ref, cite.assumption, cite)
            if notice not in self.notices:  # identity check first: cheap on short lists
                self.notices.append(notice)
        steps.append(
            {"code": code, "label": label, "amount": None if figure is None else fmt_money(figure), "clause": cite.ref, "explanation": text}
        )

    def cite_in_notice(self, param: Param, code: str, message: str) -> None:
        """A clause that shapes the visit without a figure of its own: a notice cites it."""
        for notice in (
            self.warn(code, message, param.cite),
            self.warn(param.cite.ref, param.cite.assumption, param.cite) if param.cite.assumption else None,
        ):
            if notice is not None and notice not in self.notices:
                self.notices.append(notice)


def calculate(request: CalculationRequest) -> dict[str, Any]:
    region = registry.load_policies()[request.region]
    run = _Run(request, region)
    # Date order decides the ledger; ties keep the order the visits were given in.
    order = sorted(request.visits, key=lambda v: (v.date, v.index))
    results: dict[int, dict[str, Any]] = {}
    merged_account = False
    for visit in order:
        version = region.version_on(visit.date)
        assert version is not None, "parse_request refuses dates outside every version"
        run.versions_used.setdefault(version.id, version)
        if version.params["account_use"].values["order"] != "current_year_first" and not merged_account:
            # Outside Shanghai there is one account balance: both fields add up to it.
            run.account_current += run.account_prior
            run.account_prior = ZERO
            merged_account = True
            if request.prior_years_balance > 0:
                run.warn(
                    "prior-years-balance-merged",
                    f"{region.name}不区分当年账户和历年账户，您填写的两项余额合并计算。",
                )
        results[visit.index] = _visit(run, version, visit)

    visits_out = [results[v.index] for v in request.visits]
    totals = run.totals
    first = order[0]
    first_version = region.version_on(first.date)
    assert first_version is not None
    personal_account = _personal_account(run, first_version, first.date)
    return {
        "region": region.code,
        "region_name": region.name,
        "status": request.status,
        "visits": visits_out,
        "calculation_order": [v.index for v in order],
        "totals": {k: fmt_money(v) for k, v in totals.items()},
        "years": [
            {**y, "deductible_used": fmt_money(y["deductible_used"]), "fund_paid": fmt_money(y["fund_paid"])}
            for _, y in sorted(run.years.items())
        ],
        "personal_account": personal_account,
        "rules": [v.as_dict() for v in run.versions_used.values()],
        "clauses": {ref: cite.as_dict() for ref, cite in sorted(run.clauses.items())},
        "warnings": list(run.warnings.values()),
    }


def _group(run: _Run, version: Version, visit: Visit) -> tuple[str, Param | None]:
    """The status group whose figures apply on the day of the visit, and the cohort
    clause when the group was chosen by retirement date (上海)."""
    req = run.req
    if req.status == "employed" and req.retired_on is None:
        return "employed", None  # the common case, kept cheap
    if req.status == "employed":
        if req.retired_on is not None:
            run.notices.append(run.warn("retired-on-ignored", "您选择了在职，填写的退休日期不参与计算。"))
        return "employed", None
    start_param = version.params.get("retiree_start")
    if req.retired_on is not None:
        start = _retiree_start(version, req.retired_on)
        if visit.date < start:
            if start_param is not None:
                message = start_param.cite.render(retired_on=req.retired_on.isoformat(), start=start.isoformat())
                run.cite_in_notice(start_param, f"{version.id}-before-retirement", message)
            else:
                run.notices.append(
                    run.warn("before-retirement", f"退休日期为 {req.retired_on.isoformat()}，此前的就诊按在职职工待遇计算。")
                )
            return "employed", None
    elif start_param is not None:
        run.cite_in_notice(
            start_param,
            f"{version.id}-retired-on-missing",
            "未填写退休日期：所有就诊均按退休人员待遇计算；如在就诊期间才退休，请填写退休日期。",
        )
    cohorts = version.params.get("retiree_cohorts")
    if cohorts is not None:
        assert req.retired_on is not None, "parse_request requires retired_on here"
        group = cohorts.values["before"] if req.retired_on < cohorts.values["split_on"] else cohorts.values["on_or_after"]
        return group, cohorts
    return "retired", None


def _visit(run: _Run, version: Version, visit: Visit) -> dict[str, Any]:
    p = version.params
    notices: list[dict[str, Any]] = []
    run.notices = notices
    steps: list[dict[str, Any]] = []
    for n in version.notices:
        if (n.applies_from is None or visit.date >= n.applies_from) and (n.applies_to is None or visit.date <= n.applies_to):
            notices.append(run.warn(n.code, n.message, n.cite))
    if visit.date > run.today:
        notices.append(
            run.warn(
                "future-visit",
                "有就诊日期晚于今天：按现行规定估算，政策届时可能调整。",
            )
        )
    group, cohort_param = _group(run, version, visit)
    group_name = GROUP_NAMES[group]
    yk = _year_key(version, visit.date)
    year_label = run.year_labels.get(yk)
    new_year = year_label is None
    if new_year:
        year_label = run.year_labels[yk] = _year_label(version, yk)
    shanghai_style = p["account_use"].values["order"] == "current_year_first"
    if shanghai_style and run.current_year_key is not None and yk != run.current_year_key and run.account_current > 0:
        # A new 医保年度: what is left in the 当年账户 becomes 历年账户 money.
        run.account_prior += run.account_current
        run.account_current = ZERO
        notices.append(
            run.warn(
                "new-insurance-year",
                "就诊跨越医保年度：上一年度当年账户的余额转入历年账户；新年度当年账户的划入额未计入，请按实际余额另行计算。",
            )
        )
    run.current_year_key = yk

    benefit_year = p["benefit_year"]
    if new_year:
        # The first visit of a year says which year the running totals belong to.
        run.step(steps, "benefit_year", "待遇年度", None, benefit_year, benefit_year.cite.render(year_label=year_label))
    elif benefit_year.cite.assumption:
        notices.append(run.warn(benefit_year.cite.ref, benefit_year.cite.assumption, benefit_year.cite))
    if cohort_param is not None:
        run.step(steps, "retiree_cohort", "退休人员类别", None, cohort_param, cohort_param.cite.render(retired_on=run.req.retired_on.isoformat(), group_name=group_name))
    total, excluded = visit.total, visit.excluded
    policy_range = total - excluded
    share = dict.fromkeys(SHARE_REASONS, ZERO)
    share["excluded"] = excluded
    run.step(steps, "policy_range", "符合政策范围金额", policy_range, p["policy_range"], p["policy_range"].cite.render(total=total, excluded=excluded, policy_range=policy_range))
    fund = ZERO
    over_cap_handling = None
    year = run.years.get(yk)
    if year is None:
        start, end = _year_bounds(version, yk)
        year = run.years[yk] = {
            "year": yk, "label": year_label, "from": start.isoformat(), "to": end.isoformat(),
            "deductible_used": ZERO, "fund_paid": ZERO, "annual_cap": None, "chronic": None,
        }

    not_covered_param = None
    if visit.setting == "non_designated":
        not_covered_param = p["non_designated"]
    elif visit.inpatient_stay:
        if version.params.get("inpatient_stay") is not None:
            not_covered_param = p["inpatient_stay"]
        else:
            notices.append(
                run.warn(
                    f"{version.region}-inpatient-unspecified",
                    "本地区文件未规定住院期间的门诊费用如何处理，本次按普通门诊估算。",
                )
            )

    if not_covered_param is not None:
        share["not_covered"] = policy_range
        run.step(steps, "not_covered", "统筹基金不予支付", policy_range, not_covered_param, not_covered_param.cite.render(amount=policy_range))
        deductible_out, cap_out = _running_totals(run, version, group, yk)
    elif visit.category == "chronic":
        fund, chronic_out = _chronic(run, version, visit, policy_range, share, steps, yk, year_label)
        deductible_out, cap_out = chronic_out
        # 门诊慢性病 keeps its own running totals (玉溪细则 第十条), reported beside the year's.
        year["chronic"] = {
            "deductible_standard": deductible_out["standard"],
            "deductible_used": deductible_out["used_after"],
            "fund_paid": cap_out["used_after"],
            "annual_cap": cap_out["annual_cap"],
            "cap_remaining": cap_out["remaining"],
        }
        if share["over_cap"] > 0:
            over_cap_handling = "member"  # 第十条 gives no treatment above the chronic cap
    else:
        fund, deductible_out, cap_out, over_cap_handling = _general(
            run, version, visit, group, group_name, yk, year_label, policy_range, share, steps, notices, shanghai_style
        )
        year["deductible_used"] = run.deductible_used.get(yk, ZERO)
        year["fund_paid"] = run.fund_paid.get(yk, ZERO)
        if cap_out["annual_cap"] is not None:
            year["annual_cap"] = cap_out["annual_cap"]

    member_paid = total - fund
    # Personal account: pays the member's share after the fund (Shanghai: the 历年账户 now).
    use = p["account_use"]
    account_paid = share["account_segment"]
    payable = ZERO
    if visit.setting != "non_designated":
        payable = member_paid - share["account_segment"] - (ZERO if use.values["pays_excluded"] else excluded)
    pool = run.account_prior if shanghai_style else run.account_current
    from_account = min(pool, payable) if payable > 0 else ZERO
    if from_account > 0 or pool > 0:
        before = pool
        pool -= from_account
        if shanghai_style:
            run.account_prior = pool
        else:
            run.account_current = pool
        account_paid += from_account
        run.step(steps, "account", "历年账户支付" if shanghai_style else "个人账户支付", from_account, use, use.cite.render(paid=from_account, balance_before=before, balance_after=pool))
    cash = member_paid - account_paid
    t = run.totals
    t["total"] += total
    t["fund_paid"] += fund
    t["member_paid"] += member_paid
    t["account_paid"] += account_paid
    t["cash_paid"] += cash
    run.step(steps, "cash", "个人现金支付", cash, use, f"个人负担 {fmt_yuan(member_paid)} 元，扣除个人账户支付 {fmt_yuan(account_paid)} 元后，现金支付 {fmt_yuan(cash)} 元。")
    return {
        "index": visit.index,
        "date": visit.day,
        "version": version.id,
        "year": yk,
        "status_group": group,
        "setting": visit.setting,
        "level": visit.level,
        "category": visit.category,
        "total": fmt_money(total),
        "policy_range": fmt_money(policy_range),
        "fund_paid": fmt_money(fund),
        "member_paid": fmt_money(member_paid),
        "member_share": dict(zip(SHARE_REASONS, map(_money_text, share.values()))),
        "deductible": deductible_out,
        "cap": cap_out,
        "over_cap_handling": over_cap_handling,
        "account_paid": fmt_money(account_paid),
        "cash_paid": fmt_money(cash),
        "steps": steps,
        "notices": notices,
    }


def _running_totals(run: _Run, version: Version, group: str, yk: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Deductible and cap as they stand, for a visit that does not move them."""
    ded = version.params["deductible"].values
    used = run.deductible_used.get(yk, ZERO)
    standard = remaining = None
    if ded["basis"] == "annual":
        standard = ded["amounts"][group]
        remaining = fmt_money(max(ZERO, standard - used))
        standard = fmt_money(standard)
    deductible_out = {"basis": ded["basis"], "standard": standard, "applied": "0.00", "used_before": fmt_money(used), "used_after": fmt_money(used), "remaining": remaining}
    amounts = version.params["annual_cap"].values["amounts"]
    paid = run.fund_paid.get(yk, ZERO)
    if amounts is None:
        cap_out = {"annual_cap": None, "used_before": fmt_money(paid), "used_after": fmt_money(paid), "remaining": None}
    else:
        cap_amount = amounts[group]
        cap_out = {"annual_cap": fmt_money(cap_amount), "used_before": fmt_money(paid), "used_after": fmt_money(paid), "remaining": fmt_money(max(ZERO, cap_amount - paid))}
    return deductible_out, cap_out


def _level_and_ratio(run: _Run, version: Version, visit: Visit, group: str, group_name: str, steps: list, notices: list) -> tuple[Decimal, int | None, str, Param]:
    """Which rate applies: by setting, then level or price class. Returns the ratio,
    the key used for per-visit deductibles, a display name and the cited param."""
    p = version.params
    ratio_param = p["fund_ratio"]
    level = visit.level
    setting_param = None
    if visit.setting == "pharmacy":
        setting_param = p["pharmacy"]
        if setting_param.values["basis"] == "own_ratio":
            # 武汉: pharmacies have a rate of their own, whatever the prescriber's level.
            ratio = setting_param.values["rates"][group]
            run.step(steps, "setting", "定点零售药店", None, setting_param, setting_param.cite.render(level_name="定点零售药店", ratio=fmt_percent(ratio), group_name=group_name))
            return ratio, level, "定点零售药店", setting_param
        if setting_param.values["basis"] == "level_one":
            level = 1  # 徐州: A级定点零售药店 at the level-1 rate
    elif visit.setting == "internet":
        setting_param = p["internet"]
    if ratio_param.values["keyed_by"] == "price_class":
        # 山西: rates follow the institution's price class; a class the member gives wins,
        # otherwise it is inferred from the level (shown as an assumption).
        if visit.price_class is not None:
            key = visit.price_class
        else:
            default = p["price_class_default"]
            key = default.values["map"][level]
            run.step(steps, "price_class", "收费类别", None, default, default.cite.render(level_name=LEVEL_NAMES[level], class_name=PRICE_CLASS_NAMES[key]))
        name = PRICE_CLASS_NAMES[key]
    else:
        key = level
        name = LEVEL_NAMES[level]
    ratio = ratio_param.values["rates"][group][key]
    if setting_param is not None:
        label = "定点零售药店" if visit.setting == "pharmacy" else "“互联网+”门诊"
        run.step(steps, "setting", label, None, setting_param, setting_param.cite.render(level_name=name, ratio=fmt_percent(ratio), group_name=group_name))
    return ratio, key, name, ratio_param


def _general(run, version, visit, group, group_name, yk, year_label, policy_range, share, steps, notices, shanghai_style):
    p = version.params
    eligible = policy_range

    # 2. First self-pay (先行自付).
    if visit.class_b > 0:
        class_b = version.params.get("class_b_first_self_pay")
        if class_b is None:
            notices.append(run.warn(f"{version.id}-no-class-b-rule", "本地区文件未规定乙类先行自付比例，乙类费用与其他符合政策范围的费用一样计算。"))
        elif class_b.values["rate"] is None:
            run.step(steps, "first_self_pay", "先行自付（乙类）", None, class_b, class_b.cite.render(class_b=visit.class_b, rate="未规定", amount="0"))
            notices.append(run.warn(f"{class_b.cite.ref}-no-rate", class_b.cite.render(class_b=visit.class_b, rate="未规定", amount="0"), class_b.cite))
        else:
            own = to_fen(visit.class_b * class_b.values["rate"])
            eligible -= own
            share["first_self_pay"] += own
            run.step(steps, "first_self_pay", "先行自付（乙类）", own, class_b, class_b.cite.render(class_b=visit.class_b, rate=fmt_percent(class_b.values["rate"]), amount=own))
    if visit.offsite != "none":
        offsite = version.params.get("offsite")
        if offsite is None:
            notices.append(run.warn(f"{version.region}-offsite-unspecified", "本地区文件未对异地就医的普通门诊待遇作出规定，本次按本地标准估算。"))
        elif visit.offsite == "unfiled" and offsite.values["unfiled_first_self_pay"] is not None:
            rate = offsite.values["unfiled_first_self_pay"]
            own = to_fen(eligible * rate)
            run.step(steps, "first_self_pay", "先行自付（异地未备案）", own, offsite, offsite.cite.render(amount=own, rate=fmt_percent(rate), base=eligible))
            eligible -= own
            share["first_self_pay"] += own
        else:
            run.cite_in_notice(offsite, f"{offsite.cite.ref}-same-as-local", "已备案的异地就医按参保地本地标准计算。")

    ratio, level_key, level_name, ratio_param = _level_and_ratio(run, version, visit, group, group_name, steps, notices)

    # Shanghai: the 当年账户 pays first, and that money does not count toward the 自负段.
    if shanghai_style and eligible > 0 and run.account_current > 0:
        seg = min(run.account_current, eligible)
        before = run.account_current
        run.account_current -= seg
        eligible -= seg
        share["account_segment"] = seg
        run.step(steps, "account_segment", "当年账户支付", seg, p["account_use"], p["account_use"].cite.render(paid=seg, balance_before=before, balance_after=run.account_current))

    # 3. Deductible.
    ded = p["deductible"]
    cap = p["annual_cap"]
    used_before = run.deductible_used.get(yk, ZERO)
    cap_full = (
        cap.values["above_cap"] == "inpatient_transfer"
        and run.fund_paid.get(yk, ZERO) >= cap.values["amounts"][group]
    )
    if cap_full:
        # 玉溪 第九条 / 云南 第八条: once the fund's outpatient payments reach the cap, the
        # whole policy-range expense goes to inpatient treatment; no outpatient deductible.
        standard = applied = remaining = ZERO
        used_after = used_before
        deductible_out = {"basis": ded.values["basis"], "standard": "0.00", "applied": "0.00", "used_before": fmt_money(used_before), "used_after": fmt_money(used_before), "remaining": "0.00"}
        run.step(steps, "deductible", "起付标准", ZERO, cap, f"本{year_label}普通门诊统筹基金支付已达最高支付限额，本次符合政策范围的费用全部按规定转入住院待遇，不再计算普通门诊起付标准。")
    elif ded.values["basis"] == "annual":
        standard = ded.values["amounts"][group]
        remaining_before = max(ZERO, standard - used_before)
        applied = min(eligible, remaining_before)
        used_after = used_before + applied
        run.deductible_used[yk] = used_after
        remaining = remaining_before - applied
        deductible_out = {"basis": "annual", "standard": fmt_money(standard), "applied": fmt_money(applied), "used_before": fmt_money(used_before), "used_after": fmt_money(used_after), "remaining": fmt_money(remaining)}
    elif ded.values["basis"] == "per_visit":
        standard = ded.values["amounts"][level_key]
        applied = min(eligible, standard)
        remaining = standard - applied
        used_after = used_before + applied
        run.deductible_used[yk] = used_after
        deductible_out = {"basis": "per_visit", "standard": fmt_money(standard), "applied": fmt_money(applied), "used_before": fmt_money(used_before), "used_after": fmt_money(used_after), "remaining": fmt_money(remaining)}
    else:
        standard = applied = remaining = ZERO
        used_after = used_before
        deductible_out = {"basis": "none", "standard": "0.00", "applied": "0.00", "used_before": fmt_money(used_before), "used_after": fmt_money(used_before), "remaining": "0.00"}
    share["deductible"] = applied
    if not cap_full:
        run.step(steps, "deductible", "起付标准", applied, ded, ded.cite.render(standard=standard, used_before=used_before, applied=applied, remaining=remaining, eligible=eligible, level_name=level_name, year_label=year_label))

    # 4. and 5. Fund ratio, then the annual cap on the fund's cumulative payment.
    base = eligible - applied
    uncapped = to_fen(base * ratio)
    over = ZERO
    handling = None
    if cap.values["amounts"] is None:
        fund = uncapped
        paid_before = run.fund_paid.get(yk, ZERO)
        cap_out = {"annual_cap": None, "used_before": fmt_money(paid_before), "used_after": fmt_money(paid_before + fund), "remaining": None}
        run.cite_in_notice(cap, f"{cap.cite.ref}-none", cap.values["none_reason"])
    else:
        cap_amount = cap.values["amounts"][group]
        paid_before = run.fund_paid.get(yk, ZERO)
        room = max(ZERO, cap_amount - paid_before)
        fund = min(uncapped, room)
        if fund < uncapped:
            # Only the part of the expense the remaining room can carry is shared at the
            # ratio; the rest is above the cap (第九条/第八条 for 玉溪/云南, else the member).
            within = room / ratio if ratio else ZERO
            over = min(base, to_fen(base - within)) if room > 0 else base
            handling = cap.values["above_cap"]
        paid_after = paid_before + fund
        cap_left = cap_amount - paid_after if cap_amount > paid_after else ZERO
        cap_out = {"annual_cap": fmt_money(cap_amount), "used_before": fmt_money(paid_before), "used_after": fmt_money(paid_after), "remaining": fmt_money(cap_left)}
    run.fund_paid[yk] = run.fund_paid.get(yk, ZERO) + fund
    if ratio_param.name == "pharmacy":
        # Wuhan's own pharmacy rate: the pharmacy clause is the one that sets it.
        run.step(steps, "fund", "统筹基金支付", fund, ratio_param, f"起付标准以上的 {fmt_yuan(base)} 元，按定点零售药店{group_name}比例 {fmt_percent(ratio)} 由统筹基金支付 {fmt_yuan(fund)} 元。")
    else:
        run.step(steps, "fund", "统筹基金支付", fund, ratio_param, ratio_param.cite.render(base=base, ratio=fmt_percent(ratio), fund=fund, level_name=level_name, group_name=group_name))
    if cap.values["amounts"] is not None:
        run.step(steps, "annual_cap", "年度最高支付限额", cap_left, cap, cap.cite.render(cap=cap_amount, used_before=paid_before, used_after=paid_after, remaining=cap_left, over_cap=over, year_label=year_label))
    if over > 0:
        if handling == "inpatient_transfer":
            label = "转入住院待遇"
            text = (
                f"本{year_label}普通门诊统筹基金支付已达年度最高支付限额，超出部分 {fmt_yuan(over)} 元按规定转入职工医保住院待遇报销；"
                "现有文件未给出住院支付比例，本计算器不计算这部分的报销，暂列为个人负担。"
            )
            notices.append(run.warn(f"{cap.cite.ref}-inpatient-transfer", "超过普通门诊年度最高支付限额的政策范围内费用按住院待遇报销，但所收录文件未给出住院支付比例，本计算器未计算该部分报销，列为个人负担，实际负担可能更低。", cap.cite))
        else:
            label = "超过年度限额"
            text = f"本{year_label}统筹基金支付已达年度最高支付限额，超出部分 {fmt_yuan(over)} 元统筹基金不再支付，由个人负担。"
        run.step(steps, "over_cap", label, over, cap, text)
    copay = base - fund - over
    share["over_cap"] = over
    share["copay"] = copay
    if base > 0:
        run.step(steps, "copay", "个人自付（按比例）", copay, ratio_param, f"起付标准以上、限额以内的费用中，统筹基金支付后个人按比例自付 {fmt_yuan(copay)} 元。")
    return fund, deductible_out, cap_out, handling


def _chronic(run, version, visit, policy_range, share, steps, yk, year_label):
    """玉溪 门诊慢性病 (2023 细则 第十条): its own deductible, ratio and cap."""
    c = version.params["chronic"]
    count = run.req.chronic_disease_count
    cap_amount = min(c.values["cap_max"], c.values["cap_first"] + c.values["cap_each_additional"] * (count - 1))
    used_before = run.chronic_deductible_used.get(yk, ZERO)
    remaining_before = max(ZERO, c.values["deductible"] - used_before)
    applied = min(policy_range, remaining_before)
    run.chronic_deductible_used[yk] = used_before + applied
    base = policy_range - applied
    ratio = c.values["fund_ratio"]
    uncapped = to_fen(base * ratio)
    paid_before = run.chronic_fund_paid.get(yk, ZERO)
    room = max(ZERO, cap_amount - paid_before)
    fund = min(uncapped, room)
    over = ZERO
    if fund < uncapped:
        over = min(base, to_fen(base - room / ratio)) if room > 0 else base
    run.chronic_fund_paid[yk] = paid_before + fund
    share["deductible"] = applied
    share["over_cap"] = over
    share["copay"] = base - fund - over
    run.step(steps, "chronic", "门诊慢性病", fund, c, c.cite.render(standard=c.values["deductible"], used_before=used_before, applied=applied, remaining=remaining_before - applied, base=base, ratio=fmt_percent(ratio), fund=fund, cap=cap_amount, count=str(count)))
    if over > 0:
        run.step(steps, "over_cap", "超过年度限额", over, c, f"门诊慢性病统筹基金支付已达本{year_label}限额 {fmt_yuan(cap_amount)} 元，超出部分 {fmt_yuan(over)} 元由个人负担。")
    deductible_out = {"basis": "annual", "standard": fmt_money(c.values["deductible"]), "applied": fmt_money(applied), "used_before": fmt_money(used_before), "used_after": fmt_money(used_before + applied), "remaining": fmt_money(remaining_before - applied)}
    paid_after = paid_before + fund
    cap_out = {"annual_cap": fmt_money(cap_amount), "used_before": fmt_money(paid_before), "used_after": fmt_money(paid_after), "remaining": fmt_money(max(ZERO, cap_amount - paid_after))}
    return fund, (deductible_out, cap_out)


def _personal_account(run: _Run, version: Version, first_day: dt.date) -> dict[str, Any]:
    """The year's personal-account allocation under the rule in force on the first visit."""
    req = run.req
    pa = version.params["personal_account"]
    run.clauses[pa.cite.ref] = pa.cite
    if pa.cite.assumption:
        run.warn(pa.cite.ref, pa.cite.assumption, pa.cite)
    employed_key = "flexible_employed" if req.flexible_employment and "flexible_employed" in pa.values else "employed"
    retired_key = "flexible_retired" if req.flexible_employment and "flexible_retired" in pa.values else "retired"
    key = employed_key
    if req.status == "retired":
        key = retired_key
        if req.retired_on is not None:
            start = _retiree_start(version, req.retired_on)
            year_start, year_end = _year_bounds(version, _year_key(version, first_day))
            if start > year_end:
                key = employed_key  # retired after this year: in service all year
            elif start > year_start:
                # Part of the year in service, part retired: the documents give the rule
                # for each, but not how the year of retirement is split.
                rules = [
                    f"{who}{_account_rule_text(*next(iter(pa.values[k].items())))}"
                    for k, who in ((employed_key, "在职期间"), (retired_key, "退休后"))
                ]
                return {
                    "annual_allocation": None,
                    "monthly_allocation": None,
                    "reason": (
                        f"您的退休待遇自 {start.isoformat()} 起执行，该年度在职和退休期间的个人账户划入标准不同，"
                        "文件未规定年内如何折算，本计算器不估算全年划入额。"
                    ),
                    "clause": pa.cite.ref,
                    "version": version.id,
                    "explanation": "；".join(rules) + "。",
                }
    who = {"employed": "在职职工", "retired": "退休人员", "flexible_employed": "灵活就业人员", "flexible_retired": "灵活就业退休人员"}[key]
    (kind, value), = pa.values[key].items()
    out: dict[str, Any] = {"annual_allocation": None, "monthly_allocation": None, "reason": None, "clause": pa.cite.ref, "version": version.id, "explanation": ""}
    if kind == "none":
        out["reason"] = value
        out["explanation"] = f"{who}：{value}"
        return out
    if kind == "monthly_share_of_base":
        if req.contribution_base is None:
            out["reason"] = "未填写月缴费基数，无法估算个人账户划入额。"
            out["explanation"] = f"{who}个人账户按月缴费基数的 {fmt_percent(value)} 计入；请填写月缴费基数以估算。"
            return out
        monthly = to_fen(req.contribution_base * value)
        annual = monthly * 12
        out["explanation"] = f"{who}个人账户每月按缴费基数 {fmt_yuan(req.contribution_base)} 元的 {fmt_percent(value)} 计入 {fmt_yuan(monthly)} 元，全年 12 个月共 {fmt_yuan(annual)} 元。"
    elif kind in ("monthly", "monthly_by_age"):
        monthly = value if kind == "monthly" else _band(value, req.age)
        annual = monthly * 12
        age_note = f"（{req.age} 岁）" if kind == "monthly_by_age" else ""
        out["explanation"] = f"{who}{age_note}个人账户每月划入 {fmt_yuan(monthly)} 元，全年 12 个月共 {fmt_yuan(annual)} 元。"
    else:
        annual = value if kind == "yearly" else _band(value, req.age)
        monthly = None
        age_note = f"（{req.age} 岁）" if kind == "yearly_by_age" else ""
        out["explanation"] = f"{who}{age_note}个人账户每年划入 {fmt_yuan(annual)} 元。"
    out["annual_allocation"] = fmt_money(annual)
    out["monthly_allocation"] = fmt_money(monthly) if monthly is not None else None
    out["explanation"] += f"按首次就诊日（{first_day.isoformat()}）适用的规定估算。"
    return out


def _account_rule_text(kind: str, value: Any) -> str:
    if kind == "monthly_share_of_base":
        return f"每月按缴费基数的 {fmt_percent(value)} 计入"
    if kind == "monthly":
        return f"每月划入 {fmt_yuan(value)} 元"
    if kind == "yearly":
        return f"每年划入 {fmt_yuan(value)} 元"
    if kind in ("monthly_by_age", "yearly_by_age"):
        unit = "每月" if kind == "monthly_by_age" else "每年"
        parts = [f"{up_to} 岁及以下{unit} {fmt_yuan(amount)} 元" if up_to is not None else f"以上{unit} {fmt_yuan(amount)} 元" for up_to, amount in value]
        return "按年龄划入：" + "，".join(parts)
    return f"文件未给出金额（{value}）"


def _band(bands: list[tuple[int | None, Decimal]], age: int) -> Decimal:
    for up_to, amount in bands:
        if up_to is None or age <= up_to:
            return amount
    raise AssertionError("the loader requires an open-ended last band")
