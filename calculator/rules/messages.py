"""Every sentence the engine can say, in Chinese, keyed by step code and variant.

The engine produces steps as data (``model.Step``); text is made here, at the edge, by
``render_step(step, translate)``. ``translate`` is the identity for Chinese; the web layer
and the API pass Django's ``gettext`` for the active language (each template below is a
msgid, marked with ``N_`` so ``makemessages --keyword=N_`` finds it, and
``locale/en`` translates it). Nothing ever parses a rendered sentence back.

No template carries a figure of the policy data (a rate, a date, a region's name): those
come from the step's figures, so one template is true for every region.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable
from typing import Any

# Fen as text (fen.py, compiled with the engine), named here too: the templates' own formatters.
from calculator.rules.fen import _MONEY_TEXT, _YUAN_TEXT, money, yuan  # noqa: F401
from calculator.rules.params import Rate


def N_(message: str) -> str:
    """Marks a Chinese source string for translation (see the module docstring)."""
    return message


def P_(context: str, message: str) -> str:
    """A name used inside a sentence, translated with a context (``makemessages
    --keyword=P_:1c,2``): the same Chinese word is a capitalised label elsewhere."""
    return f"{context}\x04{message}"


_NAMES: dict[tuple[Any, str], str] = {}


def _name(translate: "Translate", key: str) -> str:
    """Translate a context-marked name; without a translation, the Chinese name."""
    text = _NAMES.get((translate, key))
    if text is None:
        text = translate(key)
        text = _NAMES[translate, key] = text.split("\x04", 1)[1] if "\x04" in text else text
    return text


Translate = Callable[[str], str]


def identity(text: str) -> str:
    return text


# -- Names the templates use -----------------------------------------------------------------
LEVEL_NAMES = {1: P_("in a sentence", "一级及以下医疗机构"), 2: P_("in a sentence", "二级医疗机构"), 3: P_("in a sentence", "三级医疗机构")}
PRICE_CLASS_NAMES = {
    1: P_("in a sentence", "一类收费价格医疗机构"),
    2: P_("in a sentence", "二类收费价格医疗机构"),
    3: P_("in a sentence", "三类收费价格及以下医疗机构"),
}
# The 上海 cohorts are named by the split date the data gives (retiree_cohorts.split_on). The
# leading space parts the date from the word before it, as every figure in a sentence is
# parted ("按一级及以下医疗机构 2001-01-01 起退休人员比例", "按 2001-01-01 起退休人员的标准"); the
# name shown on its own (web labels) is stripped.
GROUP_NAMES = {
    "employed": P_("in a sentence", "在职职工"),
    "retired": P_("in a sentence", "退休人员"),
    "retired_by_2000": N_(" {split_on} 前退休人员"),
    "retired_from_2001": N_(" {split_on} 起退休人员"),
}
ACCOUNT_HOLDERS = {
    "employed": P_("in a sentence", "在职职工"),
    "retired": P_("in a sentence", "退休人员"),
    "flexible_employed": P_("in a sentence", "灵活就业人员"),
    "flexible_retired": P_("in a sentence", "灵活就业退休人员"),
}
TERMS = {
    "起付标准": P_("in a sentence", "起付标准"),
    "自负段": P_("in a sentence", "自负段"),
    "门诊慢性病起付标准": P_("in a sentence", "门诊慢性病起付标准"),
}
YEAR_LABELS = {"calendar": N_("{year}年度"), "july_june": N_("{year}医保年度")}
PHARMACY_NAME = P_("in a sentence", "定点零售药店")

# What the fund's base is, by what came off the policy-range expense before it.
BASE_DESCRIPTIONS = {
    (False, None): N_("本次符合政策范围的"),
    (True, None): N_("{term}以上的"),
    (False, "self_pay"): N_("扣除先行自付后的"),
    (True, "self_pay"): N_("扣除先行自付后、{term}以上的"),
    (False, "account"): N_("扣除当年账户支付后的"),
    (True, "account"): N_("扣除当年账户支付后、{term}以上的"),
    (False, "both"): N_("扣除先行自付和当年账户支付后的"),
    (True, "both"): N_("扣除先行自付和当年账户支付后、{term}以上的"),
}

# What of the visit counts toward the deductible, by what came off before it (paid_first): the
# amount is the policy-range expense less those, so the sentence says so.
ELIGIBLE_DESCRIPTIONS = {
    None: P_("in a sentence", "本次"),
    "self_pay": P_("in a sentence", "本次扣除先行自付后的"),
    "account": P_("in a sentence", "本次扣除当年账户支付后的"),
    "both": P_("in a sentence", "本次扣除先行自付和当年账户支付后的"),
}

# -- Step labels (the settlement slip's terms where one exists) ----------------------------
STEP_LABELS = {
    "benefit_year": N_("待遇年度"),
    "retiree_cohort": N_("退休人员类别"),
    "version_change": N_("政策调整"),
    "cap_change": N_("年度限额调整"),
    "deductible_change": N_("起付标准调整"),
    "policy_range": N_("符合政策范围金额"),
    "not_covered": N_("统筹基金不予支付"),
    "first_self_pay": N_("先行自付"),
    "setting": N_("就诊类型"),
    "price_class": N_("收费类别"),
    "account_segment": N_("当年账户支付"),
    "deductible": N_("起付标准"),
    "fund": N_("统筹基金支付"),
    # The amount beside it is what is left of the cap (the cap itself is in the sentence).
    "annual_cap": N_("年度限额尚余"),
    "over_cap": N_("超过年度限额"),
    "account": N_("个人账户支付"),
    "cash": N_("个人现金支付"),
}
# A few steps are named after what they are in this situation.
STEP_LABEL_VARIANTS = {
    ("first_self_pay", "class_b"): N_("先行自付（乙类）"),
    ("first_self_pay", "offsite_unfiled"): N_("先行自付（异地未备案）"),
    ("first_self_pay", "offsite_unfiled_after_class_b"): N_("先行自付（异地未备案）"),
    ("account", "prior_years"): N_("历年账户支付"),
    ("account", "prior_years_used_up"): N_("历年账户支付"),
    # The whole visit's policy-range expense goes over to inpatient cover: named so. A visit
    # that crosses the cap keeps the code's label (超过年度限额): its amount is the fund share
    # left unpaid, and its sentence says the corresponding expense goes over.
    ("over_cap", "inpatient_transfer_all"): N_("转入住院待遇"),
    # The 门诊慢性病 pool's own cap (玉溪细则 第十条), not the general annual cap.
    ("annual_cap", "chronic_running"): N_("门诊慢性病限额尚余"),
    ("annual_cap", "chronic_reached"): N_("门诊慢性病限额尚余"),
    ("over_cap", "chronic_member"): N_("超过门诊慢性病限额"),
    ("deductible", "none_in_version"): N_("不设起付线"),
}

# -- Step sentences ----------------------------------------------------------------------------
STEPS: dict[tuple[str, str], str] = {
    ("benefit_year", "deductible_and_cap"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）的第一次就诊：本年度的{term}和年度支付限额从这里开始累计。"
    ),
    ("benefit_year", "deductible"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）的第一次就诊：本年度的{term}从这里开始累计。"
    ),
    ("benefit_year", "cap"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）的第一次就诊：本年度的年度支付限额从这里开始累计。"
    ),
    # After 门诊慢性病 visits in the same year (玉溪): the first general outpatient visit.
    ("benefit_year", "deductible_and_cap_general"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）的第一次普通门诊就诊：本年度的{term}和年度支付限额从这里开始累计。"
    ),
    ("benefit_year", "deductible_general"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）的第一次普通门诊就诊：本年度的{term}从这里开始累计。"
    ),
    ("benefit_year", "cap_general"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）的第一次普通门诊就诊：本年度的年度支付限额从这里开始累计。"
    ),
    ("benefit_year", "chronic"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）的第一次门诊慢性病就诊：本年度的门诊慢性病起付标准和限额从这里开始累计。"
    ),
    # The first visit of the pool that the fund covers, after one it does not (非定点, 住院期间):
    # the earlier visit counted toward nothing, so the totals start here.
    ("benefit_year", "deductible_and_cap_covered"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）第一次统筹基金支付范围内的就诊：本年度的{term}和年度支付限额从这里开始累计。"
    ),
    ("benefit_year", "deductible_covered"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）第一次统筹基金支付范围内的就诊：本年度的{term}从这里开始累计。"
    ),
    ("benefit_year", "cap_covered"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）第一次统筹基金支付范围内的就诊：本年度的年度支付限额从这里开始累计。"
    ),
    ("benefit_year", "deductible_and_cap_general_covered"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）第一次统筹基金支付范围内的普通门诊就诊：本年度的{term}和年度支付限额从这里开始累计。"
    ),
    ("benefit_year", "deductible_general_covered"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）第一次统筹基金支付范围内的普通门诊就诊：本年度的{term}从这里开始累计。"
    ),
    ("benefit_year", "cap_general_covered"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）第一次统筹基金支付范围内的普通门诊就诊：本年度的年度支付限额从这里开始累计。"
    ),
    ("benefit_year", "chronic_covered"): N_(
        "本次是这次计算中{year_label}（{start} 至 {end}）第一次统筹基金支付范围内的门诊慢性病就诊：本年度的门诊慢性病起付标准和限额从这里开始累计。"
    ),
    ("retiree_cohort", "plain"): N_("您的退休日期是 {retired_on}，以 {split_on} 为界，按{group_name}的标准计算。"),
    ("version_change", "nothing_paid"): N_("自 {effective_from} 起执行新的规定。"),
    ("version_change", "plain"): N_(
        "自 {effective_from} 起执行新的规定；{year_label}此前普通门诊统筹已支付的 {paid_before} 元继续计入本年度。"
    ),
    ("cap_change", "raised"): N_(
        "自 {effective_from} 起，{group_name}年度限额由 {old_cap} 元提高到 {new_cap} 元，{year_label}普通门诊统筹已支付 {paid_before} 元，年度限额还剩 {cap_room} 元。"
    ),
    ("cap_change", "lowered"): N_(
        "自 {effective_from} 起，{group_name}年度限额由 {old_cap} 元降低到 {new_cap} 元，{year_label}普通门诊统筹已支付 {paid_before} 元，年度限额还剩 {cap_room} 元。"
    ),
    ("cap_change", "group"): N_(
        "自 {group_from} 起按{group_name}待遇，年度限额由{old_group_name}的 {old_cap} 元变为{group_name}的 {new_cap} 元，{year_label}普通门诊统筹已支付 {paid_before} 元，年度限额还剩 {cap_room} 元。"
    ),
    ("cap_change", "group_and_version"): N_(
        "自 {group_from} 起按{group_name}待遇，自 {effective_from} 起执行新的规定：年度限额由{old_group_name}的 {old_cap} 元变为{group_name}的 {new_cap} 元，{year_label}普通门诊统筹已支付 {paid_before} 元，年度限额还剩 {cap_room} 元。"
    ),
    # Nothing paid toward the cap yet this year: the new cap is all there is to say (its room is
    # the cap itself), not "已支付 0 元" said as an event.
    ("cap_change", "raised_nothing_paid"): N_("自 {effective_from} 起，{group_name}年度限额由 {old_cap} 元提高到 {new_cap} 元。"),
    ("cap_change", "lowered_nothing_paid"): N_("自 {effective_from} 起，{group_name}年度限额由 {old_cap} 元降低到 {new_cap} 元。"),
    ("cap_change", "group_nothing_paid"): N_(
        "自 {group_from} 起按{group_name}待遇，年度限额由{old_group_name}的 {old_cap} 元变为{group_name}的 {new_cap} 元。"
    ),
    ("cap_change", "group_and_version_nothing_paid"): N_(
        "自 {group_from} 起按{group_name}待遇，自 {effective_from} 起执行新的规定：年度限额由{old_group_name}的 {old_cap} 元变为{group_name}的 {new_cap} 元。"
    ),
    # Nothing counted toward the deductible yet this year: likewise.
    ("deductible_change", "group_nothing_counted"): N_(
        "自 {group_from} 起按{group_name}待遇，{term}由{old_group_name}的 {old_standard} 元变为{group_name}的 {new_standard} 元。"
    ),
    ("deductible_change", "group"): N_(
        "自 {group_from} 起按{group_name}待遇，{term}由{old_group_name}的 {old_standard} 元变为{group_name}的 {new_standard} 元；{year_label}已累计 {used_before} 元，距{term}累计满还差 {remaining} 元。"
    ),
    ("deductible_change", "group_met"): N_(
        "自 {group_from} 起按{group_name}待遇，{term}由{old_group_name}的 {old_standard} 元变为{group_name}的 {new_standard} 元；{year_label}已累计 {used_before} 元，已达到，本次起不再扣除。"
    ),
    ("policy_range", "all_in"): N_("自费金额未填或填为零的就诊，医疗费总额全部按符合政策范围金额计算（本次 {total} 元）；同一规定下其他这样的就诊不再重复说明。"),
    ("policy_range", "with_excluded"): N_(
        "医疗费总额 {total} 元减全自费 {excluded} 元，为 {amount} 元。"
    ),
    ("not_covered", "non_designated"): N_("在非定点医疗机构就医，符合政策范围的 {amount} 元统筹基金不予支付，由个人负担。"),
    ("not_covered", "inpatient_stay"): N_("住院期间发生的 {amount} 元门诊费用不由普通门诊统筹支付，由个人负担。"),
    ("first_self_pay", "class_b"): N_("乙类药品和项目 {class_b} 元先行自付 {rate}，即 {amount} 元。"),
    ("first_self_pay", "offsite_unfiled"): N_("异地就医未备案：符合政策范围的 {base} 元先行自付 {rate}，即 {amount} 元。"),
    ("first_self_pay", "offsite_unfiled_after_class_b"): N_("异地就医未备案：扣除乙类先行自付后的 {base} 元先由个人支付 {rate}，即 {amount} 元。"),
    ("setting", "pharmacy_level_one"): N_("在定点零售药店购药，按{level_name}的标准计算。"),
    ("setting", "pharmacy_prescriber"): N_("在定点零售药店凭处方购药，按开具处方的{level_name}的标准计算。"),
    ("setting", "pharmacy_own_ratio"): N_("在定点零售药店凭处方购药，按药店比例 {ratio} 计算，与医疗机构级别无关。"),
    ("setting", "internet_physical_level"): N_("“互联网+”门诊按其实体医疗机构（{level_name}）的标准计算。"),
    ("setting", "internet_not_specified"): N_("“互联网+”门诊暂按您填写的{level_name}估算。"),
    ("price_class", "inferred"): N_("{level_name}按{class_name}计算（由医院级别推定，可以在“收费类别”中改）。"),
    ("account_segment", "covers_all"): N_(
        "当年账户余额 {balance_before} 元先支付本次符合政策范围的 {amount} 元（不计入{term}），当年账户余额剩 {balance_after} 元。"
    ),
    # The balance was exactly the visit's expense: paid in full, and nothing left ("剩 0 元" would
    # say a nil as an event).
    ("account_segment", "covers_all_used_up"): N_(
        "当年账户余额 {balance_before} 元先支付本次符合政策范围的 {amount} 元（不计入{term}），当年账户已用完。"
    ),
    ("account_segment", "uses_up"): N_(
        "当年账户余额 {balance_before} 元先全部用于本次，支付 {amount} 元（不计入{term}），当年账户已用完。"
    ),
    ("deductible", "annual_within"): N_(
        "{year_label}{term} {standard} 元，此前已累计 {used_before} 元；{eligible_description} {eligible} 元全部计入{term}，由个人负担，距{term}累计满还差 {remaining} 元。"
    ),
    ("deductible", "annual_crossed"): N_(
        "{year_label}{term} {standard} 元，此前已累计 {used_before} 元；本次计入 {amount} 元（由个人负担）后已累计满。"
    ),
    # The year's first amount toward it: nothing counted before is not said ("此前已累计 0 元").
    ("deductible", "annual_within_first"): N_(
        "{year_label}{term} {standard} 元；{eligible_description} {eligible} 元全部计入{term}，由个人负担，距{term}累计满还差 {remaining} 元。"
    ),
    ("deductible", "annual_crossed_first"): N_(
        "{year_label}{term} {standard} 元；本次计入 {amount} 元（由个人负担）后已累计满。"
    ),
    ("deductible", "per_visit_within"): N_(
        "{level_name}每次就诊{term} {standard} 元；{eligible_description} {eligible} 元全部在{term}以内，由个人负担。"
    ),
    ("deductible", "per_visit_crossed"): N_("{level_name}每次就诊{term} {amount} 元，由个人负担。"),
    # In the document's own words (武汉 优化方案: "取消门诊报销起付线"): a version without a
    # deductible has no sentence that speaks of its 起付标准.
    ("deductible", "none_in_version"): N_("自 {effective_from} 起的规定取消了普通门诊报销起付线，本次不扣。"),
    ("fund", "plain"): N_("{base_description} {base} 元，按{level_name}{group_name}比例 {ratio} 由统筹基金支付 {amount} 元。"),
    ("fund", "capped"): N_(
        "{base_description} {base} 元，统筹基金按{level_name}{group_name}比例 {ratio} 本应支付 {ratio_amount} 元；"
        "{year_label}统筹基金限额 {cap} 元尚余 {cap_room} 元，统筹基金支付 {amount} 元。"
    ),
    # The cap used up before this visit: the whole base is the member's, and that is all the
    # sentence says. Not the level and group whose ratio no longer pays anything, nor how the
    # base splits into the share at the ratio and what the fund would have paid: those figures
    # are in the step's params and the visit's member_share (said on every visit after the cap
    # ran out, they were a fifth of the sentences of a 1,000-visit answer).
    ("fund", "cap_used_up"): N_("{year_label}限额已用完，{base_description} {base} 元由个人负担。"),
    ("fund", "chronic_plain"): N_("{base_description} {base} 元，按门诊慢性病比例 {ratio} 由统筹基金支付 {amount} 元。"),
    ("fund", "chronic_capped"): N_(
        "{base_description} {base} 元，统筹基金按门诊慢性病比例 {ratio} 本应支付 {ratio_amount} 元；"
        "{year_label}门诊慢性病限额 {cap} 元尚余 {cap_room} 元，统筹基金支付 {amount} 元。"
    ),
    ("fund", "chronic_cap_used_up"): N_("{year_label}门诊慢性病限额已用完，{base_description} {base} 元由个人负担。"),
    ("annual_cap", "running"): N_(
        "{year_label}统筹基金年度限额 {cap} 元：本次后累计支付 {paid_after} 元，尚余 {amount} 元。"
    ),
    ("annual_cap", "reached"): N_("{year_label}统筹基金年度限额 {cap} 元：本次后累计支付 {paid_after} 元，限额已用完。"),
    ("annual_cap", "chronic_running"): N_(
        "{year_label}门诊慢性病限额 {cap} 元（{count} 种慢性病）：本次后累计支付 {paid_after} 元，尚余 {amount} 元。"
    ),
    ("annual_cap", "chronic_reached"): N_(
        "{year_label}门诊慢性病限额 {cap} 元（{count} 种慢性病）：本次后累计支付 {paid_after} 元，限额已用完。"
    ),
    ("over_cap", "member"): N_("统筹基金按比例本应支付的 {ratio_amount} 元中，超过年度限额、统筹基金未支付的 {amount} 元由个人负担。"),
    ("over_cap", "chronic_member"): N_(
        "统筹基金按比例本应支付的 {ratio_amount} 元中，超过门诊慢性病限额、统筹基金未支付的 {amount} 元由个人负担。"
    ),
    ("over_cap", "inpatient_transfer"): N_(
        "统筹基金按比例本应支付 {ratio_amount} 元，其中超过年度限额、未支付的 {amount} 元，对应的费用按规定转入住院待遇；"
        "本计算器不计算住院报销，这 {amount} 元暂列为个人负担。"
    ),
    ("over_cap", "inpatient_transfer_all"): N_(
        # Not "本计算器不计算住院报销" on every visit: the cap's notice (once, with its visits)
        # says what the calculator leaves out.
        "{year_label}普通门诊统筹基金支付已达年度限额 {cap} 元，本次符合政策范围的 {amount} 元全部按规定转入住院待遇，"
        "不再计算门诊{term}，暂列为个人负担。"
    ),
    ("account", "single"): N_(
        "政策范围内个人负担的部分由个人账户支付 {amount} 元，账户余额由 {balance_before} 元变为 {balance_after} 元。"
    ),
    ("account", "single_with_excluded"): N_(
        "个人负担（含全自费）由个人账户支付 {amount} 元，账户余额由 {balance_before} 元变为 {balance_after} 元。"
    ),
    ("account", "prior_years"): N_(
        # Not "统筹基金支付后": a visit within the 自负段 has no fund payment at all.
        "自负段和共付段中个人负担的部分，由历年账户支付 {amount} 元，历年账户余额由 {balance_before} 元变为 {balance_after} 元。"
    ),
    # The balance used up: said so, not as a balance that "becomes 0 元".
    ("account", "single_used_up"): N_("政策范围内个人负担的部分由个人账户支付 {amount} 元，账户余额 {balance_before} 元已用完。"),
    ("account", "single_with_excluded_used_up"): N_("个人负担（含全自费）由个人账户支付 {amount} 元，账户余额 {balance_before} 元已用完。"),
    ("account", "prior_years_used_up"): N_(
        "自负段和共付段中个人负担的部分，由历年账户支付 {amount} 元，历年账户余额 {balance_before} 元已用完。"
    ),
    ("cash", "with_account"): N_("个人负担 {member_paid} 元，扣除个人账户支付 {account_paid} 元后，现金支付 {amount} 元。"),
    ("cash", "account_covers_all"): N_("个人负担 {member_paid} 元，全部由个人账户支付，无需现金支付。"),
}

# Appended to a fund sentence: the member's share at the ratio (base − ratio amount).
FUND_COPAY = N_("按比例由个人负担 {copay} 元。")
# After a payment the cap cut short the share names its base: "其余" or a bare figure there
# reads as what was left after the fund paid (5,000 − 1,250), not base − ratio amount.
FUND_COPAY_NAMED = N_("{base} 元中按比例由个人负担 {copay} 元。")
FUND_COPAY_NAMED_VARIANTS = frozenset({"capped", "chronic_capped"})
# With the cap used up the sentence has given the whole base to the member: no tail.
FUND_COPAY_NONE_VARIANTS = frozenset({"cap_used_up", "chronic_cap_used_up"})


def fund_copay(variant: str) -> str | None:
    """The fund sentence's tail for the member's share at the ratio, by the sentence's
    variant; None where the sentence has none."""
    if variant in FUND_COPAY_NONE_VARIANTS:
        return None
    return FUND_COPAY_NAMED if variant in FUND_COPAY_NAMED_VARIANTS else FUND_COPAY

# -- The engine's own notices --------------------------------------------------------------
NOTICES: dict[str, str] = {
    # The calculator's first rule starts inside a benefit year (内蒙古 2022-10-01, 武汉 2023-02-01,
    # 云南 2024-11-01): what the earlier rules settled that year is not here, and no document says
    # whether it counts toward this rule's deductible and cap. A reading, shown.
    "first-rule-mid-year": N_(
        "本计算器收录的规定自 {start} 起执行，{year_label}此前的门诊按原办法结算，未收录；此后的就诊按收录规定的起付标准和年度限额从零累计，文件未规定此前的费用是否计入。"
    ),
    # The same, under a rule whose deductible is per visit or none (only the cap runs over the year).
    "first-rule-mid-year-cap": N_(
        "本计算器收录的规定自 {start} 起执行，{year_label}此前的门诊按原办法结算，未收录；此后的就诊按收录规定的年度限额从零累计，文件未规定此前的统筹基金支付是否计入。"
    ),
    # Under a rule with an annual deductible and no outpatient cap.
    "first-rule-mid-year-deductible": N_(
        "本计算器收录的规定自 {start} 起执行，{year_label}此前的门诊按原办法结算，未收录；此后的就诊按收录规定的{term}从零累计，文件未规定此前的费用是否计入。"
    ),
    "future-visit": N_("就诊日期晚于今天：按现行规定估算，政策届时可能调整。"),
    # POLICY_NOTES, mechanics 7: an amount worked out at a rate is rounded half-up to the fen; no
    # document says so. Listed with the visits where the rounding changed an amount.
    "rounding": N_("按比例算出的金额（统筹基金支付、先行自付、个人账户按缴费基数的每月划入额）每项四舍五入到分；文件没有写明舍入方法，实际结算每项可能相差 0.01 元。"),
    # POLICY_NOTES, mechanics: visits in date order, ties in the order given; no document says
    # which of two visits on one day comes first.
    # Worded by the running totals the day's rule has (上海: 自负段, no cap; 武汉 from
    # 2023-04-10: a cap, no deductible); a rule with neither leaves no order to matter.
    "same-day": N_("同一天有多次就诊时，本计算器按填写的先后计算；文件没有规定同一天就诊的先后。如果{term}或年度限额在这一天累计达到，实际结算的先后不同，各次和合计的金额就可能不同。"),
    "same-day-deductible": N_("同一天有多次就诊时，本计算器按填写的先后计算；文件没有规定同一天就诊的先后。如果{term}在这一天累计达到，实际结算的先后不同，各次和合计的金额就可能不同。"),
    "same-day-cap": N_("同一天有多次就诊时，本计算器按填写的先后计算；文件没有规定同一天就诊的先后。如果年度限额在这一天累计达到，实际结算的先后不同，各次和合计的金额就可能不同。"),
    # 上海: the document names retirees "…12月31日前" and "…1月1日后" the dividing day; which
    # side the two days themselves are on it does not say: the calculator's reading, shown to a
    # member who retired on one of them.
    "cohort-boundary": N_("文件把退休人员分为 {last_before} 前和 {split_on} 后退休的两类，没有写明这两天当天退休的属于哪一类；本计算器把 {last_before} 及以前退休的算作前一类，{split_on} 及以后退休的算作后一类。"),
    # POLICY_NOTES 5: in one year, versions share one cap running total (the deductible: where
    # both have an annual one, none does in the data).
    "version-carried": N_("本年度在新规定执行前统筹基金已支付的金额，本计算器继续计入新规定的年度限额（同一年度连续累计）；所收录的文件没有写明前后两项规定如何衔接，实际以医保结算为准。"),
    "retired-on-ignored": N_("您选择了在职，填写的退休日期不参与计算。"),
    # No cap, and the clause's reading of the limit its reason names (上海: the 统筹基金 total
    # is shared with inpatient care; not checked): one caveat, the reason then the reading.
    "cap-none-reading": N_("{reason}{reading}"),
    # 上海 without a 当年账户 balance entered: the calculation has none, and one would have paid
    # first, outside the 自负段 (listed with the visits the fund paid something of).
    "current-year-account-missing": N_(
        "{region_name}的当年账户资金先于{term}支付，且不计入{term}：您没有填写当年账户余额，本计算器按没有余额计算；"
        "如果当年账户还有余额，统筹基金实际支付可能更低。"
    ),
    "account-non-designated": N_("在非定点医疗机构就医的费用，本计算器不用个人账户支付，全部计入个人现金支付。"),
    "retiree-start-day": N_("文件没有规定退休人员待遇从哪一天起执行：本计算器从退休日期（{retired_on}）当天起按退休人员的标准计算；如果从次月起执行，同一个月内退休以后的就诊会按在职职工的标准计算。"),
    "before-retirement": N_("您于 {retired_on} 退休，从 {start} 起按退休人员标准计算，此前的就诊按在职职工标准计算。"),
    "chronic-count-assumed": N_("未填写慢性病病种数：门诊慢性病的年度限额按 {count} 种计算；如患有多种，请填写病种数。"),
    # Retiring within a benefit year: what was counted before carries over to the retiree's
    # standard (ledger: one running total a year). No document says so: a reading, shown.
    "retired-in-year-deductible": N_(
        "年内由在职转为退休：文件未规定退休前已累计的{term}是否计入退休人员的{term}；本计算器按同一年度连续累计。"
    ),
    "retired-in-year-cap": N_(
        "年内由在职转为退休：文件未规定退休前统筹基金已支付的金额是否计入退休人员的年度限额；本计算器按同一年度连续累计。"
    ),
    "retired-on-missing": N_("未填写退休日期：所有就诊均按退休人员待遇计算；如在就诊期间才退休，请填写退休日期。"),
    "prior-years-balance-merged": N_("{region_name}的文件没有区分当年账户和历年账户，您填写的两项余额合并计算。"),
    # Only the 历年账户 field was filled in: there are no "two balances" to add.
    "prior-years-balance-as-account": N_("{region_name}的文件没有区分当年账户和历年账户，您填写的历年账户余额按个人账户余额计算。"),
    # A field the region's documents have no use for: said, not silently dropped.
    "price-class-ignored": N_("{region_name}的文件不按收费价格类别区分待遇：填写的收费类别未使用，按医疗机构级别计算。"),
    "flexible-employment-ignored": N_("{region_name}的文件没有单独规定灵活就业人员的个人账户：填写的“灵活就业人员”未使用，个人账户一栏按一般职工的规定给出。"),
    "chronic-count-ignored": N_("{region_name}的文件没有给出门诊慢性病的起付标准、支付比例和限额：填写的慢性病病种数未使用，本计算器只计算普通门诊。"),
    "new-insurance-year-empty": N_(
        "就诊跨越医保年度：本计算器没有计入新年度的当年账户划入额，新年度的就诊因此没有当年账户可用；请另行计算新年度的就诊，并填写新年度的当年账户余额。"
    ),
    "new-insurance-year": N_(
        "就诊跨越医保年度：文件没有写明年度末当年账户余额的去向；本计算器按所依据条文的解读（见“依据”）中的“历年结余资金”，"
        "把上一年度当年账户的余额转入历年账户。本计算器没有计入新年度的当年账户划入额：请另行计算新年度的就诊，并填写新年度的当年账户余额。"
    ),
    "inpatient-unspecified": N_("本地区文件未规定住院期间的门诊费用如何处理，这类就诊按普通门诊估算。"),
    "inpatient-unspecified-chronic": N_("本地区文件未规定住院期间的门诊费用如何处理，这类就诊按门诊慢性病估算。"),
    "chronic-offsite-unspecified": N_("门诊慢性病的规定未对异地就医另作规定，这类就诊按门诊慢性病的本地标准估算，实际可能不同。"),
    "chronic-class-b-unspecified": N_("门诊慢性病的规定未规定乙类先行自付，乙类费用与其他符合政策范围的费用一样计算。"),
    "class-b-no-rule": N_("本地区文件未规定乙类先行自付比例，乙类费用与其他符合政策范围的费用一样计算。"),
    "class-b-no-rate": N_("文件规定乙类药品和项目先由个人支付一部分，但未给出比例；本计算器未扣这部分先行自付，实际统筹基金支付可能略低。"),
    "offsite-unspecified": N_("本地区文件未对异地就医的普通门诊待遇作出规定，这类就诊按本地标准估算。"),
    "offsite-filed": N_("已备案的异地就医按参保地（本地）的标准计算。"),
    # What the documents say of registered care differs (山西 第十六条: 按参保地政策结算; 玉溪细则
    # 第二十一条: only 联网结算): the notice says only what is true of both.
    "offsite-unfiled-unspecified": N_("文件未规定未备案异地就医的待遇；这类就诊按本地标准估算，实际可能更低。"),
    "first-self-pay-order": N_(
        # The two orders (the shares compound: a × b + (E − a × b) × r) give the same total when
        # the 乙类 share is taken of what the off-site share leaves; more by 乙类 × both rates when
        # of the whole. The rate and the article are the data's (武汉: 第十七条, 10%).
        "就诊同时有乙类先行自付和异地未备案先行自付时：{offsite_article}规定未备案异地就医个人先支付 {rate}，余额再按本地规定（乙类先行自付是其中之一）执行（条文见“依据”）；本计算器先扣乙类先行自付，再对余下的符合政策范围费用计算异地未备案先行自付，与{offsite_article}的先后相反。若乙类先行自付按异地先行自付后的余额计算，两种先后结果相同（分位舍入可能差 0.01 元）；若按乙类费用全额计算，个人先行自付还要多出乙类费用乘以两个先行自付比例的积。"
    ),
    "inpatient-transfer": N_(
        "超过普通门诊年度限额的政策范围内费用按规定转入住院待遇，但所收录文件未给出住院支付比例，本计算器未计算该部分报销，列为个人负担，实际负担可能更低。"
    ),
}

# -- The personal account's allocation ------------------------------------------------------
ACCOUNT: dict[str, str] = {
    "none": N_("{holder}：{reason}"),
    "base_missing": N_("{holder}个人账户每月按缴费基数的 {rate} 计入；请填写月缴费基数以估算。"),
    "share_of_base": N_("{holder}个人账户每月按缴费基数 {base} 元的 {rate} 计入 {monthly} 元，{months} 个月共 {annual} 元。"),
    "monthly": N_("{holder}个人账户每月划入 {monthly} 元，{months} 个月共 {annual} 元。"),
    "monthly_by_age": N_("{holder}个人账户每月划入 {monthly} 元（{band}；这期间您 {age} 岁），{months} 个月共 {annual} 元。"),
    "yearly": N_("{holder}个人账户每年划入 {annual} 元。"),
    "nothing": N_("{holder}不计入个人账户，没有划入额。"),
    # A credit the document names otherwise (武汉 第六条: 门诊和购药补助), listed with the account.
    "monthly_called": N_("{holder}每月可获{called} {monthly} 元，{months} 个月共 {annual} 元（文件称“{called}”，未称个人账户；本计算器将其列在个人账户一栏）。"),
    "yearly_called": N_("{holder}每年可获{called} {annual} 元（文件称“{called}”，未称个人账户；本计算器将其列在个人账户一栏）。"),
    # The year the credit is for named (上海: a 医保年度, July to June), not "这期间".
    "yearly_by_age": N_("{holder}个人账户每年划入 {annual} 元（{band}；{covered_from} 至 {covered_to} 您 {age} 岁）。"),
    "yearly_part_year": N_(
        "{holder}个人账户按年划入；本计算器收录的规定只覆盖 {year_from} 至 {year_to} 这一年度中的 {covered_from} 至 {covered_to}，文件未规定不足一年如何折算，本计算器不估算这一年度的划入额。"
    ),
    # Today's age, carried back (or on) to the months credited, spans two bands of the rule.
    "by_age_unknown": N_(
        "{holder}个人账户按年龄分档划入，{boundary} 周岁起为另一档；按您填写的年龄，{covered_from} 至 {covered_to} 期间您为 {age} 岁，可能跨过这一年龄，本计算器不知道出生日期，不估算划入额。"
    ),
    "split_year": N_(
        "您的退休待遇自 {start} 起执行，该年度在职期间和退休后适用不同的个人账户划入规定，文件未规定年内如何折算，本计算器不估算全年划入额。"
    ),
    # The version fixes the first day as a retiree (武汉 第七条: 次月起): month by month.
    "split_months": N_("您的退休待遇自 {start} 起执行，这一年按月分别计算："),
    "split_months_base_missing": N_("您的退休待遇自 {start} 起执行，这一年按月分别计算："),
    "split_year_dated": N_(
        "您的退休待遇自 {start} 起执行，该年度在职期间和退休后适用不同的个人账户划入规定，本计算器不估算这一年的合计划入额。"
    ),
}
# The year of retirement's first sentence where a yearly credit is not what keeps it from one
# figure (ACCOUNT["split_year"] says that the documents do not split a yearly credit): a rule
# without an amount (its period's phrase says which), or two monthly credits.
SPLIT_YEAR_HEADS = {
    "amount": N_("您的退休待遇自 {start} 起执行，该年度在职期间和退休后适用不同的个人账户划入规定，其中一项文件未给出金额，本计算器不估算全年划入额。"),
    "month": N_(
        "您的退休待遇自 {start} 起执行，该年度在职期间和退休后的个人账户都按月划入，但文件没有写明退休当月按哪项规定划入，本计算器不估算全年划入额。"
    ),
    "open": N_(
        "您的退休待遇自 {start} 起执行，该年度在职期间和退休后适用不同的个人账户划入规定，文件没有写明退休当月按哪项规定划入，本计算器不估算全年划入额。"
    ),
}
# Retired on the 1st where no document fixes the first day as a retiree: that month is counted
# as a retiree's, the calculator's reading (said), and the year is summed month by month.
SPLIT_YEAR_SUMMED = N_("您的退休待遇自 {start} 起执行（文件没有写明从退休当天还是次月起，本计算器从退休当天起算），这一年按月分别计算：")
# The year of retirement month by month (split_months): each period, then the sum.
SPLIT_PERIODS = {
    "employed": N_("{covered_from} 至 {covered_to} 在职，{rule}，{months} 个月 {total} 元"),
    "retired": N_("{covered_from} 至 {covered_to} 退休，{rule}，{months} 个月 {total} 元"),
}
SPLIT_PERIOD_BASE_MISSING = N_("{covered_from} 至 {covered_to} 在职，每月按缴费基数的 {rate} 计入（{months} 个月），请填写月缴费基数以估算")
# The year of retirement where no rule fixes the first month as a retiree (split_year with
# ``periods``): the months before the month of retirement, that month, the months after it;
# a period of one month is named by its month alone.
RETIREMENT_PERIODS = {
    ("employed", True, False): SPLIT_PERIODS["employed"],
    ("retired", True, False): SPLIT_PERIODS["retired"],
    ("employed", True, True): N_("{covered_from} 在职，{rule}，{months} 个月 {total} 元"),
    ("retired", True, True): N_("{covered_from} 退休，{rule}，{months} 个月 {total} 元"),
    ("employed", False, False): N_("{covered_from} 至 {covered_to} 在职，{rule}"),
    ("retired", False, False): N_("{covered_from} 至 {covered_to} 退休，{rule}"),
    ("employed", False, True): N_("{covered_from} 在职，{rule}"),
    ("retired", False, True): N_("{covered_from} 退休，{rule}"),
}
RETIREMENT_PERIOD_BASE_MISSING_MONTH = N_("{covered_from} 在职，每月按缴费基数的 {rate} 计入（{months} 个月），请填写月缴费基数以估算")
RETIREMENT_MONTH = N_("{covered_from} 为退休当月，文件没有写明按哪项规定划入")
SPLIT_SEPARATOR = N_("；")
SPLIT_TOTAL = N_("；合计 {annual} 元。")
SPLIT_END = N_("。")
# One account rule inside a sentence (the year of retirement names both).
ACCOUNT_RULES = {
    "monthly_share_of_base": N_("每月按缴费基数的 {rate} 计入"),
    "monthly": N_("每月划入 {monthly} 元"),
    "yearly": N_("每年划入 {annual} 元"),
    "monthly_by_age": N_("每月按年龄划入（{band}：{monthly} 元；这期间您 {age} 岁）"),
    "yearly_by_age": N_("每年按年龄划入（{band}：{annual} 元；这期间您 {age} 岁）"),
    "by_age_unknown": N_("按年龄分档划入（{age} 岁，{boundary} 周岁起为另一档，无法确定适用哪一档）"),
    "none": N_("文件未给出金额"),
    "nothing": N_("不计入个人账户"),
    "monthly_called": N_("每月可获{called} {monthly} 元"),
    "yearly_called": N_("每年可获{called} {annual} 元"),
}
# A rule's phrase in a period of the year of retirement (split_months): its monthly figure too.
SPLIT_RULES = {**ACCOUNT_RULES, "monthly_share_of_base": N_("每月按缴费基数 {base} 元的 {rate} 计入 {monthly} 元")}
ACCOUNT_SPLIT_RULES = N_("在职期间{employed_rule}；退休后{retired_rule}。")
# The year of retirement under two rules (玉溪 2024): each period with its own rules.
ACCOUNT_SPLIT_RULES_DATED = N_("{covered_from} 至 {covered_to}：在职期间{employed_rule}；退休后{retired_rule}。")
# A year whose rule gives the member no figure, and another version's rule that does.
ACCOUNT_OTHER_RULE = N_("{covered_from} 至 {covered_to} 适用{title}{article}：{holder}{rule}。")
# The same, where the holder's rule credits a fixed monthly amount: the months' sum (months × it).
ACCOUNT_OTHER_RULE_TOTAL = N_("{covered_from} 至 {covered_to} 适用{title}{article}：{holder}{rule}，{months} 个月共 {total} 元。")
ACCOUNT_SPLIT_RULES_OTHER = N_("{covered_from} 至 {covered_to} 适用{title}{article}：在职期间{employed_rule}；退休后{retired_rule}。")
ACCOUNT_PERIOD = N_("按 {first_day} 就诊时适用的规定，计算 {covered_from} 至 {covered_to} 的划入额。")
ACCOUNT_OUTSIDE = N_("{outside_from} 至 {outside_to} 不在本计算器收录的规定期间内，未计入本估算。")
# Months under a neighbouring version's clause that credits the member the same (玉溪 2024).
ACCOUNT_JOINED = N_("其中 {joined_from} 至 {joined_to} 适用{joined_title}{joined_article}，计入标准相同。")
ACCOUNT_JOINED_MONTH = N_("其中 {joined_from} 适用{joined_title}{joined_article}，计入标准相同。")
ACCOUNT_OUTSIDE_MONTH = N_("{outside_from} 不在本计算器收录的规定期间内，未计入本估算。")
# The visit's own marker.
FUTURE_VISIT = N_("未来日期，按现行规定估算")


# -- Rendering ------------------------------------------------------------------------------------
def month_text(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


MONEY_FIGURES = frozenset(
    {
        "amount", "total", "excluded", "class_b", "base", "eligible", "standard", "used_before", "remaining",
        "ratio_amount", "cap", "cap_room", "paid_before", "paid_after", "balance_before", "balance_after",
        "member_paid", "account_paid", "old_cap", "new_cap", "old_standard", "new_standard", "monthly", "annual", "copay",
    }
)


# -- Compiled templates ---------------------------------------------------------------------
# A template is parsed once (per language) into literal text and one formatter per
# placeholder; rendering is then a call and a few concatenations, not a ``format_map``.


# Names made from a few codes repeat on every visit: each is made once per language.
_MADE: dict[tuple[Any, ...], str] = {}


def _year_label(f: dict[str, Any], t: Translate) -> str:
    key = (t, "year", f["year_kind"], f["year"])
    text = _MADE.get(key)
    if text is None:
        text = _MADE[key] = t(YEAR_LABELS[f["year_kind"]]).format(year=f["year"])
    return text


def _level_name(f: dict[str, Any], t: Translate) -> str:
    kind = f.get("level_kind", "level")
    if kind == "pharmacy":
        return _name(t, PHARMACY_NAME)
    if kind == "price_class":
        return _name(t, PRICE_CLASS_NAMES[f["level"]])
    return _name(t, LEVEL_NAMES[f["level"]])


def _group_name(f: dict[str, Any], t: Translate) -> str:
    group = f["group"]
    if group in ("retired_by_2000", "retired_from_2001"):
        key = (t, "group", group, f["split_on"])
        text = _MADE.get(key)
        if text is None:
            text = _MADE[key] = t(GROUP_NAMES[group]).format(split_on=f["split_on"].isoformat())
        return text
    return _name(t, GROUP_NAMES[group])


def _base_description(f: dict[str, Any], t: Translate) -> str:
    term = f.get("term")
    key = (t, "base", term, f.get("paid_first"))
    text = _MADE.get(key)
    if text is None:
        text = t(BASE_DESCRIPTIONS[(term is not None, f.get("paid_first"))])
        text = _MADE[key] = text.format(term=_name(t, TERMS[term])) if term is not None else text
    return text


_NAMED = {
    "year_label": _year_label,
    "level_name": _level_name,
    "group_name": _group_name,
    # The group a member was in before (cap_change): named as group_name names a group.
    "old_group_name": lambda f, t: _group_name({"group": f["old_group"], "split_on": f.get("split_on")}, t),
    "base_description": _base_description,
    "eligible_description": lambda f, t: _name(t, ELIGIBLE_DESCRIPTIONS[f.get("paid_first")]),
    "class_name": lambda f, t: _name(t, PRICE_CLASS_NAMES[f["price_class"]]),
    "holder": lambda f, t: _name(t, ACCOUNT_HOLDERS[f["holder"]]),
    "term": lambda f, t: _name(t, TERMS[f["term"]]),
    "region_name": lambda f, t: t(f["region_name"]),
    "reason": lambda f, t: t(f["reason"]),
    "reading": lambda f, t: t(f["reading"]),  # a clause's assumption from the policy data
    "called": lambda f, t: t(f["called"]),  # a name from the policy data, translated like a reason
    # The ages the member may have had in the months spoken of (today's age is what is entered).
    "age": lambda f, t: str(f["age_from"]) if f["age_from"] == f["age_to"] else f"{f['age_from']}–{f['age_to']}",
    "band": lambda f, t: _band_text(f, t),
    # A clause's article from the data, as a sentence names it ("Article 17" in English).
    "offsite_article": lambda f, t: article_text(f["offsite_article"], t),
}
# An age band of a rule, its ages inclusive (the documents word them differently: 云南 "70周岁以下"
# and "70周岁及以上", 上海 "74岁以下" and "75岁以上"; their quotes are in the 依据).
BAND_UPTO = N_("{band_to} 周岁及以下")
BAND_FROM = N_("{band_from} 周岁及以上")
BAND_BETWEEN = N_("{band_from}–{band_to} 周岁")


def _band_text(f: dict[str, Any], t: Translate) -> str:
    low, high = f["band_from"], f["band_to"]
    template = BAND_BETWEEN if low is not None and high is not None else BAND_UPTO if high is not None else BAND_FROM
    return t(template).format(band_from=low, band_to=high)


def _plain(name: str) -> Callable[[dict[str, Any], Translate], str]:
    def text(f: dict[str, Any], t: Translate) -> str:
        value = f[name]
        if isinstance(value, Rate):
            return value.percent
        if isinstance(value, dt.date):
            return month_text(value) if name.startswith(("covered_", "outside_")) else value.isoformat()
        return str(value)

    return text


def _formatter(name: str) -> Callable[[dict[str, Any], Translate], str]:
    if name in MONEY_FIGURES:
        return lambda f, t: yuan(f[name])
    if name in ("ratio", "rate"):
        return lambda f, t: f[name].percent
    return _NAMED.get(name) or _plain(name)


def _compile(template: str) -> Callable[[dict[str, Any], Translate], str]:
    parts: list[str] = []
    env: dict[str, Any] = {"__builtins__": {}}
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        if literal:
            parts.append(repr(literal))
        if name is not None:
            key = f"F{len(env)}"
            env[key] = _formatter(name)
            parts.append(f"{key}(f, t)")
    # The source is built only from repr() literals and generated names.
    return eval("lambda f, t: " + (" + ".join(parts) or "''"), env)  # noqa: S307


_COMPILED: dict[Any, dict[str, Callable[[dict[str, Any], Translate], str]]] = {}


def _compiled(template: str, translate: Translate) -> Callable[[dict[str, Any], Translate], str]:
    by_template = _COMPILED.get(translate)
    if by_template is None:
        by_template = _COMPILED[translate] = {}
    fn = by_template.get(template)
    if fn is None:
        fn = by_template[template] = _compile(translate(template))
    return fn


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# The figures a step's JSON "params" carries: those its sentence quotes (names resolved to
# the figures they are made from), and for the fund step every figure its amount is
# recomputed from: amount = min(round_half_up(base × ratio), cap_room).
# A cohort's name quotes its split date (split_on is None for the other groups).
_DERIVED = {"level_name": ("level",), "class_name": ("price_class",), "group_name": ("split_on",), "old_group_name": ("old_group",)}
_WORDING = {"year_label", "term", "base_description", "eligible_description", "amount"}
# Figures a step carries whatever its sentence quotes (an account used up still says its
# balance after: 0.00). The fund step's copay (base − ratio amount) is carried where its
# sentence can say it (the tail, fund_copay); with the cap used up the sentence gives the
# whole base to the member, and the split is the visit's member_share (copay, over_cap).
_ALWAYS = {"fund": ("base", "ratio", "ratio_amount", "cap_room"), "account": ("amount", "balance_after", "balance_before")}


def _param_names(code: str, variant: str, template: str) -> tuple[str, ...]:
    names: list[str] = list(_ALWAYS.get(code, ()))
    if code == "fund" and fund_copay(variant) is not None:
        names.append("copay")
    for name in sorted(_placeholders(template)):
        for figure in _DERIVED.get(name, (name,)):
            if figure not in _WORDING and figure not in names:
                names.append(figure)
    return tuple(names)


PARAM_NAMES = {key: _param_names(key[0], key[1], template) for key, template in STEPS.items()}


def fill(template: str, figures: dict[str, Any], translate: Translate = identity) -> str:
    return _compiled(template, translate)(figures, translate)


def render_step(step: Any, translate: Translate = identity) -> str:
    figures = step.figures
    text = _compiled(STEPS[step.code, step.variant], translate)(figures, translate)
    tail = fund_copay(step.variant) if step.code == "fund" else None
    if tail is not None and figures["copay"]:
        text += _compiled(tail, translate)(figures, translate)
    return text


class Step_key:  # noqa: N801 - a stand-in step for label look-ups
    __slots__ = ("code", "variant", "figures")

    def __init__(self, code: str, variant: str, figures: dict[str, Any] | None = None):
        self.code = code
        self.variant = variant
        self.figures = figures or {}


# The deductible step is labelled with what the document calls it (上海: 自负段).
TERM_LABELS = {"自负段": N_("自负段"), "门诊慢性病起付标准": N_("门诊慢性病起付标准")}
TERM_CHANGE_LABELS = {"自负段": N_("自负段调整")}  # deductible_change, by the document's term


def label_key(step: Any) -> tuple[str, ...]:
    """What a step's label (and its renderer) depends on."""
    if step.code == "deductible":
        term = step.figures.get("term")
        if term in TERM_LABELS:
            return (step.code, step.variant, term)
    elif step.code == "deductible_change":
        term = step.figures.get("term")
        if term in TERM_CHANGE_LABELS:
            return (step.code, step.variant, term)
    return (step.code, step.variant)


_LABELS: dict[Any, dict[tuple[str, ...], str]] = {}


def step_label(step: Any, translate: Translate = identity) -> str:
    key = label_key(step)
    by_key = _LABELS.get(translate)
    if by_key is None:
        by_key = _LABELS[translate] = {}
    label = by_key.get(key)
    if label is None:
        if len(key) == 3:
            text = (TERM_CHANGE_LABELS if key[0] == "deductible_change" else TERM_LABELS)[key[2]]
        else:
            text = STEP_LABEL_VARIANTS.get(key) or STEP_LABELS[step.code]  # type: ignore[arg-type]  # a (code, variant) key
        label = by_key[key] = translate(text)
    return label


def render_notice(notice: Any, translate: Translate = identity) -> str:
    if notice.figures:
        return fill(notice.text, notice.figures, translate)
    return translate(notice.text)


def ages_during(age: int, today: dt.date, first: dt.date, last: dt.date) -> tuple[int, int]:
    """The youngest and oldest a member ``age`` years old today may be between ``first`` and
    ``last``: without a date of birth, a day other than today allows two ages."""

    def whole_years(earlier: dt.date, later: dt.date) -> int:
        return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))

    def possible(day: dt.date) -> tuple[int, int]:
        if (day.month, day.day) == (today.month, today.day):  # a whole number of years away
            years = day.year - today.year
            return age + years, age + years
        if day < today:
            years = whole_years(day, today)
            return age - years - 1, age - years
        years = whole_years(today, day)
        return age + years, age + years + 1

    return max(0, possible(first)[0]), max(0, possible(last)[1])


def rule_figures(rule: Any, ages: tuple[int, int]) -> dict[str, Any]:
    """The figures an account rule's phrase quotes, for a member of ``ages`` (youngest,
    oldest) in the months it speaks of."""
    if rule.kind == "monthly_share_of_base":
        return {"kind": rule.kind, "rate": rule.rate}
    if rule.kind == "none":
        return {"kind": rule.kind}
    low, high = ages
    boundary = rule.band_boundary(low, high)
    if boundary is not None:
        return {"kind": "by_age_unknown", "age_from": low, "age_to": high, "boundary": boundary}
    amount = rule.amount_for_age(high)
    if amount == 0:
        return {"kind": "nothing"}
    if rule.called is not None:
        return {"kind": f"{rule.kind}_called", "called": rule.called, "monthly" if rule.monthly else "annual": amount}
    figures = {"kind": rule.kind, "monthly" if rule.monthly else "annual": amount}
    if rule.bands:
        figures.update(age_from=low, age_to=high, **rule.band_of(high))
    return figures


def inner_title(title: str) -> str:
    """A document title to be put inside 《》: book-title marks inside it become 〈〉, as Chinese
    typesetting nests them (《关于印发〈职工基本医疗保险普通门诊统筹管理办法〉的通知》)."""
    return title.replace("《", "〈").replace("》", "〉")


ARTICLE = N_("第{number}条")
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int | None:
    """一 … 九十九 (an article number), or None for anything else."""
    if text and all(ch in _CN_DIGITS for ch in text) and len(text) == 1:
        return _CN_DIGITS[text]
    tens, sep, units = text.partition("十")
    if not sep or len(tens) > 1 or len(units) > 1 or any(ch not in _CN_DIGITS for ch in tens + units):
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _chinese(translate: Translate) -> bool:
    """Whether ``translate`` gives Chinese (the templates' own words)."""
    return translate(ARTICLE) == ARTICLE


def title_text(document: Any, translate: Translate = identity) -> str:
    """A document named inside a sentence: 《title》 in Chinese; in English its description with
    the title beside it ("Yunnan measures for … (《云南省…》)"), as the English pages name it."""
    title = f"《{inner_title(document.title)}》"
    if _chinese(translate):
        return title
    from calculator.rules.citations_en import title_description  # it reads this module's numbers

    described = title_description(document.title)
    return f"{described} ({title})" if described else title


def article_text(article: str, translate: Translate = identity) -> str:
    """An article as a sentence names it: "第九条" in Chinese, "Article 9" in English. Other
    forms of reference (二、（四）3) stay as the document has them."""
    template = translate(ARTICLE)
    if template == ARTICLE or not (article.startswith("第") and article.endswith("条")):
        return article
    number = chinese_number(article[1:-1])
    return article if number is None else template.format(number=number)


def render_account(account: Any, translate: Translate = identity) -> str:
    f = account.figures
    head = ACCOUNT[account.variant]
    # Retired on the 1st: every month under one rule, summed where each has its figure (else
    # the periods say which lacks one: the contribution base, another rule's months).
    first_day = account.variant == "split_year" and (account.annual is not None or f.get("split_gap") == "first_day")
    if first_day:
        head = SPLIT_YEAR_SUMMED
    elif account.variant == "split_year" and f.get("split_gap") in SPLIT_YEAR_HEADS:
        head = SPLIT_YEAR_HEADS[f["split_gap"]]
    text = fill(head, f, translate)
    if account.variant in ("split_year", "split_year_dated"):
        employed = fill(ACCOUNT_RULES[f["employed_rule"]["kind"]], f["employed_rule"], translate)
        retired = fill(ACCOUNT_RULES[f["retired_rule"]["kind"]], f["retired_rule"], translate)
        others = f.get("others")
        periods = f.get("periods")
        if periods:
            # The months before, of and after the month of retirement, each with its rule and
            # sum where it has one; the year's sum where every month has one.
            # (A new sentence: English puts a space after the one before; Chinese does not; after
            # the summed head's colon neither does.)
            summed = account.annual is not None
            gap = "" if first_day or _chinese(translate) else " "  # after the head's colon, none
            end = fill(SPLIT_TOTAL, f, translate) if summed else translate(SPLIT_END)
            own = gap + translate(SPLIT_SEPARATOR).join(_retirement_period_text(period, translate) for period in periods) + end
        else:
            own = None
        if not others:
            text += own if own is not None else translate(ACCOUNT_SPLIT_RULES).format(employed_rule=employed, retired_rule=retired)
        else:
            # Each period with its rules, in date order; the other rules under their own clause.
            texts = [(f["covered_from"], own if own is not None else fill(ACCOUNT_SPLIT_RULES_DATED, {
                "covered_from": f["covered_from"], "covered_to": f["covered_to"], "employed_rule": employed, "retired_rule": retired,
            }, translate))]
            texts += [
                (start, _other_rule_text(start, end, cite, employed_rule, retired_rule, holder, months, total, translate))
                for start, end, cite, employed_rule, retired_rule, holder, months, total in others
            ]
            # Each part without the space its sentence may start or end with, joined as the
            # language joins sentences (English: one space; Chinese: none).
            space = "" if _chinese(translate) else " "
            text = text.rstrip() + space + space.join(t.strip() for _start, t in sorted(texts, key=lambda period: period[0]))
        text += _outside_text(f, translate)
    elif account.variant in ("split_months", "split_months_base_missing"):
        text += translate(SPLIT_SEPARATOR).join(_split_period_text(name, f[f"{name}_period"], translate) for name in ("employed", "retired"))
        text += fill(SPLIT_TOTAL, f, translate) if account.annual is not None else translate(SPLIT_END)
        text += _outside_text(f, translate)
    others = "".join(
        _other_rule_text(start, end, cite, employed_rule, retired_rule, holder, months, total, translate)
        for start, end, cite, employed_rule, retired_rule, holder, months, total in f.get("other_rules", ())
    )
    if account.annual is None or account.monthly is None:
        text += others
    else:
        # The months credited first, then the year's other months: another rule's, or none's.
        text += fill(ACCOUNT_PERIOD, f, translate)
        for start, end, cite in f.get("joined", ()):
            # The document's title stays as the document has it (Chinese); its article is said
            # in the answer's language ("Article 9").
            # One month is said as one ("2024-11", not "2024-11 至 2024-11"), as for the months outside.
            template = ACCOUNT_JOINED_MONTH if (start.year, start.month) == (end.year, end.month) else ACCOUNT_JOINED
            text += translate(template).format(
                joined_from=month_text(start), joined_to=month_text(end), joined_title=title_text(cite.document, translate), joined_article=article_text(cite.article, translate),
            )
        text += others + _outside_text(f, translate)
    return text


def _outside_text(f: dict[str, Any], translate: Translate) -> str:
    """The months of the year no rule the calculator has covers, said to be outside it."""
    text = ""
    for start, end in f.get("outside", ()):
        template = ACCOUNT_OUTSIDE_MONTH if (start.year, start.month) == (end.year, end.month) else ACCOUNT_OUTSIDE
        text += fill(template, {"outside_from": start, "outside_to": end}, translate)
    return text


def _retirement_period_text(period: dict[str, Any], translate: Translate) -> str:
    """One period of a year of retirement without a start rule (split_year ``periods``)."""
    first, last = period["from"], period["to"]
    one_month = (first.year, first.month) == (last.year, last.month)
    words: dict[str, Any] = {"covered_from": first, "covered_to": last, "months": period["months"]}
    if period["kind"] == "open":
        return fill(RETIREMENT_MONTH, words, translate)
    if period["kind"] == "base_missing":
        template = RETIREMENT_PERIOD_BASE_MISSING_MONTH if one_month else SPLIT_PERIOD_BASE_MISSING
        return fill(template, {**words, "rate": period["rate"]}, translate)
    # A rule that credits nothing says so; its months' "0 元" would announce a zero as a sum.
    has_total = "total" in period and period["kind"] != "nothing"
    rule = fill((SPLIT_RULES if has_total else ACCOUNT_RULES)[period["kind"]], period, translate)
    if has_total:
        words["total"] = period["total"]
    return fill(RETIREMENT_PERIODS[period["name"], has_total, one_month], {**words, "rule": rule}, translate)


def _split_period_text(name: str, period: dict[str, Any], translate: Translate) -> str:
    """One period of the year of retirement (split_months): its months, rule and sum, worded
    as a year of retirement's period is (one month named by its month alone; a rule that
    credits nothing without a "0 元")."""
    return _retirement_period_text({**period, "name": name}, translate)


def _other_rule_text(
    start: dt.date, end: dt.date, cite: Any, employed_rule: dict[str, Any], retired_rule: dict[str, Any], holder: str | None,
    months: int | None, total: int | None, translate: Translate,
) -> str:
    """Another version's account rule for its months of the year, under its own clause: the
    member's (``holder``) with the months' sum where it has one (``total``), or both rules
    where they retire within those months (None)."""
    words: dict[str, Any] = {
        "covered_from": start, "covered_to": end, "title": title_text(cite.document, translate), "article": article_text(cite.article, translate),
    }
    if holder is None:
        words.update(employed_rule=fill(ACCOUNT_RULES[employed_rule["kind"]], employed_rule, translate),
                     retired_rule=fill(ACCOUNT_RULES[retired_rule["kind"]], retired_rule, translate))
        return fill(ACCOUNT_SPLIT_RULES_OTHER, words, translate)
    rule = retired_rule if holder.endswith("retired") else employed_rule
    words.update(holder=holder, rule=fill(ACCOUNT_RULES[rule["kind"]], rule, translate))
    if total is None:
        return fill(ACCOUNT_OTHER_RULE, words, translate)
    words.update(months=months, total=total)
    return fill(ACCOUNT_OTHER_RULE_TOTAL, words, translate)
