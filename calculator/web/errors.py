"""The contract's error messages, translated for the page.

The rules engine is Django-free, so it cannot call gettext; its messages come with the
template they were made from (``calculator.rules.contract.MESSAGES``). This module lists the
same Chinese texts for gettext, so ``makemessages`` finds them and ``locale/en`` translates
them; ``tests/web/test_error_translations.py`` checks the two lists never drift apart.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_lazy as _, gettext_noop, pgettext

from calculator.rules.contract import MESSAGES, error_text

TEMPLATES = {
    "required": _("请填写{label}。"),
    "not_money": _("{label}必须是金额（元），例如 1200.00。"),
    "not_finite": _("{label}必须是有限的金额，不能是 NaN 或无穷大。"),
    "negative": _("{label}不能为负数。"),
    "too_large": _("{label}不能超过 {limit} 元。"),
    "too_precise": _("{label}最多保留两位小数（精确到分）。"),
    "date_format": _("{label}格式应为 年-月-日，例如 2024-03-01。"),
    "date_impossible": _("{label} {value} 不是真实存在的日期，请检查月份和日。"),
    "not_int": _("{label}必须是整数，不能带小数或引号。"),
    "form_not_int": _("{label}必须是整数。"),
    "out_of_range": _("{label}应在 {lo} 到 {hi} 之间。"),
    "choice": _("{label}只能是：{options}。"),
    "not_bool": _("{label}只能是 true 或 false。"),
    "unknown_field": _("未知字段“{name}”。"),
    "region_required": _("请选择参保地区。"),
    "region_type": _("参保地区必须是地区代码，例如 wuhan。"),
    "region_unknown": _("暂不支持参保地区“{name}”。可选：{known}。"),
    "status_required": _("请选择参保身份（在职或退休）。"),
    "visits_required": _("请至少填写一次就诊。"),
    "visits_type": _("就诊记录必须是列表。"),
    "visits_too_many": _("一次最多计算 {limit} 次就诊，本次有 {count} 次。"),
    "visit_type": _("第 {number} 次就诊必须是一个对象。"),
    "excluded_too_large": _("自费金额（{excluded} 元）不能大于费用总额（{total} 元）。"),
    "class_b_too_large": _("乙类金额（{class_b} 元）不能大于费用总额减去自费金额（{limit} 元）。"),
    "date_not_covered": _("就诊日期 {date} 不在{region}已收录的政策期间内（{coverage}），无法计算。"),
    "date_after_rules": _("就诊日期 {date} 晚于{region}已收录规定的有效期（至 {end}）：此后适用的规定本计算器尚未收录，无法估算。"),
    "retired_on_required": _("{region}退休人员的待遇按退休日期在 {split_on} 之前或之后区分，请填写退休日期。"),
    "chronic_unsupported": _(
        "{region}的门诊慢特病待遇不在本计算器范围内（目前收录门诊慢性病规定的地区：{supported}），请选择普通门诊。"
    ),
    "level_required": _("请选择医疗机构级别（药店请选开具处方的医疗机构级别）。"),
    "request_type": _("请求必须是一个 JSON 对象。"),
    "null_choice": _("{label}不能是 null：请写 {lo} 到 {hi} 的整数，或不写这个字段。"),
    "date_too_late": _("{label}不能晚于 {last}（未来的就诊最多估算到明年 12 月 31 日）。"),
    "retired_on_too_late": _("退休日期不能晚于 {last}（本计算器最多估算到明年 12 月 31 日）。"),
    "age_on_too_late": _("年龄对应的日期不能晚于今天（{today}）。"),
    "retired_too_young": _("按年龄 {age} 岁推算，{retired_on} 退休时不到 {min_age} 岁，请检查年龄和退休日期。"),
    "retiree_too_young": _("退休人员的年龄不能小于 {min_age} 岁，请检查年龄和参保身份。"),
}
# A field only the API and saved answers send (the page's form has no such field): its label
# as an error message names it in English.
API_ONLY_LABELS = (gettext_noop("年龄对应的日期"),)
# Where the page asks differently from the API: an API caller writes category "general"; on
# the page the visit is general once its 门诊慢性病 box is unticked (there is no option to pick).
PAGE_WORDING = {
    MESSAGES["chronic_unsupported"]: gettext_noop(
        "{region}的门诊慢特病待遇不在本计算器范围内（目前收录门诊慢性病规定的地区：{supported}），请取消勾选“门诊慢性病”，按普通门诊计算。"
    ),
}


def translated(error: dict[str, Any]) -> str:
    """The error's message in the active language, made as the API's English is
    (``contract.error_text``: label, region, periods, chronic regions), but its lists of choices
    by name only (the codes are for API callers), and in the page's words where they differ."""
    page = PAGE_WORDING.get(error.get("template") or "")
    if page is not None:
        error = {**error, "template": page}
    return error_text(error, gettext, choice_list=_page_choices)


def _page_choices(choices: list[tuple[str | None, str]]) -> str:
    # "; " in English: some names hold a comma ("Off-site, registered").
    return pgettext("between choices", "、").join(gettext(name) if name else code for name, code in choices)
