"""Form hints that name regions, made from the policy data (never written into the code).

Which regions split retirees by retirement date, start retiree rules the month after
retirement, have a 乙类 first self-pay (and at what rate), a separate 当年账户, a 门诊慢性病 rule,
or no pooling during a hospital stay: all of it is read from the loaded rule versions, so a
new region or policy year changes these hints with its data file.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.utils.translation import get_language, gettext

from calculator.rules.registry import find_region, load_policies


def _names(predicate: Callable[[Any], Any]) -> list[str]:
    """The (translated) names of the regions with a version for which ``predicate`` holds."""
    return [gettext(region.name) for region in load_policies().values() if any(predicate(v) for v in region.versions)]


def _join(names: list[str]) -> str:
    return gettext("、").join(names)


def _class_b_rates() -> str:
    parts = []
    for region in load_policies().values():
        rates = []
        for version in region.versions:
            param = version.param("class_b_first_self_pay")
            if param is not None and param.value.rate is not None and param.value.rate.percent not in rates:
                rates.append(param.value.rate.percent)
        if rates:
            parts.append(f"{gettext(region.name)} {'/'.join(rates)}")
    return _join(parts)


@lru_cache(maxsize=4)
def _hints(language: str) -> dict[str, str]:
    cohorts = _join(_names(lambda v: v.param("retiree_cohorts")))
    next_month = _join(_names(lambda v: v.param("retiree_start") and v.param("retiree_start").value.basis == "next_month"))
    flexible = _join(_names(lambda v: v.flexible_account_rules))
    two_accounts = _join(_names(lambda v: v.params["account_use"].value.current_year_first))
    chronic = _join(_names(lambda v: v.param("chronic")))
    no_pooling_in_hospital = _join(_names(lambda v: v.param("inpatient_stay")))
    price_classes = _join(_names(lambda v: v.params["fund_ratio"].value.keyed_by == "price_class"))
    return {
        "retired_on": gettext(
            "退休人员填写，格式：年-月-日，例如 2010-08-01。{cohorts}退休人员必填（待遇按退休日期区分）；"
            "{next_month}退休人员从退休次月起按退休人员待遇计算。"
        ).format(cohorts=cohorts, next_month=next_month),
        "flexible_employment": gettext("只影响个人账户划入额的估算（{regions}）。").format(regions=flexible),
        "account_balance": gettext(
            "单位：元。个人负担部分先由个人账户支付，余下的才用现金。{regions}请填当年账户余额。"
        ).format(regions=two_accounts),
        "prior_years_balance": gettext(
            "仅{regions}：个人账户分为当年账户和历年账户。当年账户先支付，且不计入自负段；"
            "当年账户用完后，自负段和个人自付部分由历年账户支付。其他地区两项余额合并计算。"
        ).format(regions=two_accounts),
        "chronic_disease_count": gettext("仅{regions}门诊慢性病：年度限额随病种数增加。不填按 1 种计算。").format(regions=chronic),
        "class_b": gettext("单位：元。乙类药品和项目的金额（要先行自付的地区：{rates}）；不清楚就留空。").format(rates=_class_b_rates()),
        "inpatient_stay": gettext("住院期间发生的门诊费用（{regions}不予支付）。").format(regions=no_pooling_in_hospital),
        "chronic": gettext("仅{regions}：按门诊慢性病待遇计算（单独的起付标准、比例和限额）。").format(regions=chronic),
        "price_class": gettext("仅{regions}：支付比例和起付标准按医疗机构的收费类别区分；不清楚就按级别推定。").format(regions=price_classes),
    }


def hints() -> dict[str, str]:
    """The hints for the active language."""
    return _hints(get_language() or "zh-hans")


def apply(form: Any) -> None:
    """Set the data-made hints on a form's fields (before any BoundField exists)."""
    made = hints()
    for name, field in form.fields.items():
        if name in made:
            field.help_text = made[name]


def region_code(raw: str | None) -> str | None:
    """The region code a form value names (code or alias), or None."""
    if not raw or not isinstance(raw, str):
        return None
    region = find_region(raw)
    return region.code if region is not None else None


@lru_cache(maxsize=32)
def two_accounts(raw: str | None) -> bool:
    """Whether the region keeps a 当年账户 that pays first and a 历年账户 (上海): its first
    balance is then the 当年账户's."""
    code = region_code(raw)
    return code is not None and any(v.params["account_use"].value.current_year_first for v in load_policies()[code].versions)


@lru_cache(maxsize=32)
def deductible_terms(raw: str | None) -> frozenset[str]:
    """What the region's documents call the deductible (上海: 自负段)."""
    code = region_code(raw)
    return frozenset() if code is None else frozenset(v.params["deductible"].value.term for v in load_policies()[code].versions)


@lru_cache(maxsize=32)
def unused_person_options(code: str | None) -> tuple[str, ...]:
    """The person's optional fields the region's rules never use (none before a region is
    chosen): the 历年账户 balance, the number of chronic diseases, flexible employment."""
    if code is None:
        return ()
    versions = load_policies()[code].versions
    unused = []
    if not any(v.flexible_account_rules for v in versions):
        unused.append("flexible_employment")
    if not two_accounts(code):
        unused.append("prior_years_balance")
    if not any(v.param("chronic") for v in versions):
        unused.append("chronic_disease_count")
    return tuple(unused)


# The visit options only some regions' rules use.
REGION_VISIT_OPTIONS = ("price_class", "chronic", "inpatient_stay")


@lru_cache(maxsize=32)
def unused_visit_options(code: str | None) -> tuple[str, ...]:
    """The visit options the region's rules never use (none before a region is chosen)."""
    if code is None:
        return ()
    versions = load_policies()[code].versions
    unused = []
    if not any(v.params["fund_ratio"].value.keyed_by == "price_class" for v in versions):
        unused.append("price_class")
    if not any(v.param("chronic") for v in versions):
        unused.append("chronic")
    if not any(v.param("inpatient_stay") for v in versions):
        unused.append("inpatient_stay")
    return tuple(unused)
