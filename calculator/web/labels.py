"""Display names for the engine's codes, through gettext, and the region list for the form.

The engine speaks Chinese (its labels are the settlement-slip terms); the Chinese text is the
msgid, so the English catalogue translates it and an unknown label falls back to Chinese.
Policy quotes and the engine's filled-in explanations are quotations of Chinese sources and
are shown as they are, marked ``lang="zh-Hans"``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from calculator.rules.citations_en import article_label_en, issuer_description, title_description  # noqa: F401 - named from here by the pages
from calculator.rules.registry import load_policies

# Region and province names from regions.yaml, so that makemessages finds them.
REGION_NAMES = (
    gettext_noop("徐州市"),
    gettext_noop("山西省（晋城市等）"),
    gettext_noop("上海市"),
    gettext_noop("武汉市"),
    gettext_noop("玉溪市"),
    gettext_noop("云南省（其他州市）"),
    gettext_noop("内蒙古（自治区本级、呼和浩特市）"),
    gettext_noop("江苏省"),
    gettext_noop("山西省"),
    gettext_noop("湖北省"),
    gettext_noop("云南省"),
    gettext_noop("内蒙古自治区"),
)

# The engine's step labels (the settlement slip's terms).
STEP_LABELS = (
    gettext_noop("待遇年度"),
    gettext_noop("退休人员类别"),
    gettext_noop("符合政策范围金额"),
    gettext_noop("统筹基金不予支付"),
    gettext_noop("门诊慢性病"),
    gettext_noop("先行自付（乙类）"),
    gettext_noop("先行自付（异地未备案）"),
    gettext_noop("定点零售药店"),
    gettext_noop("“互联网+”门诊"),
    gettext_noop("收费类别"),
    gettext_noop("当年账户支付"),
    gettext_noop("起付标准"),
    gettext_noop("统筹基金支付"),
    gettext_noop("年度最高支付限额"),
    gettext_noop("转入住院待遇"),
    gettext_noop("超过年度限额"),
    gettext_noop("个人自付（按比例）"),
    gettext_noop("历年账户支付"),
    gettext_noop("个人账户支付"),
    gettext_noop("个人现金支付"),
)

SETTING_NAMES = {
    "clinic": pgettext_lazy("就诊类型", "门诊"),
    "pharmacy": gettext_lazy("药店"),
    "internet": gettext_lazy("互联网+"),
    "non_designated": gettext_lazy("非定点"),
}
LEVEL_NAMES = {
    1: gettext_lazy("一级及以下"),
    2: gettext_lazy("二级"),
    3: gettext_lazy("三级"),
}
GROUP_NAMES = {
    "employed": gettext_lazy("在职职工"),
    "retired": gettext_lazy("退休人员"),
    # Cohorts by retirement date are named from the data's split date where a version is at
    # hand (calculator/rules/messages.GROUP_NAMES, group_name below); these fallback names of
    # the group codes name no date: a date written here would be a region's fact in the code.
    "retired_by_2000": gettext_lazy("退休人员（较早退休的一档）"),
    "retired_from_2001": gettext_lazy("退休人员（较晚退休的一档）"),
}
STATUS_NAMES = {"employed": gettext_lazy("在职"), "retired": gettext_lazy("退休")}
SOURCE_STATUS = {"official": gettext_lazy("官方原文"), "secondary": gettext_lazy("转载（非官方）")}
# An official rule some of whose passages the calculator cites from re-posts (上海: the 医保年度
# and the overall cap): said so beside it, as the print does.
OFFICIAL_PARTLY_REPOSTED = gettext_lazy("官方原文（部分条文引自转载）")
SOURCE_STATUS_HINTS = {
    "official": gettext_lazy("引文出自政府发布的文件原文。"),
    "secondary": gettext_lazy("引文出自新闻或网站对官方通知的转载，不是官方发布的原文。"),
}

DEDUCTIBLE_BASIS = {
    "annual": gettext_lazy("按年度累计"),
    "per_visit": gettext_lazy("每次就诊"),
    "none": gettext_lazy("不设起付标准"),
}
ABOVE_CAP = {
    "member": gettext_lazy("超过部分由个人负担"),
    "inpatient_transfer": gettext_lazy("超过部分转入住院待遇"),
    "not_applicable": gettext_lazy("不设门诊单独限额"),
}
PRICE_CLASS_NAMES = {
    1: gettext_lazy("一类收费"),
    2: gettext_lazy("二类收费"),
    3: gettext_lazy("三类收费及以下"),
}


def data_text(message: str) -> tuple[str, bool]:
    """A policy data sentence in the page's language, and whether it was translated."""
    from calculator.web.notices import notice_text

    return notice_text(message)


def region_name(code_or_name: str) -> str:
    return _(code_or_name)


def period_text(start: dt.date, end: dt.date | None) -> str:
    if end is None:
        return _("%(start)s 起") % {"start": start.isoformat()}
    return _("%(start)s 至 %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}


def region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Regions grouped by province (for ``<optgroup>``), each with its rule versions' dates."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for region in load_policies().values():
        periods = _("；").join(period_text(v.effective_from, v.effective_to) for v in region.versions)
        label = _("%(name)s · %(periods)s") % {"name": _(region.name), "periods": periods}
        groups.setdefault(_(region.province), []).append((region.code, label))
    return list(groups.items())


def describe_visit(visit: dict[str, Any]) -> str:
    """第 1 次就诊 · 三级 门诊, for headings and the ledger."""
    setting = str(SETTING_NAMES.get(visit["setting"], visit["setting"]))
    if visit.get("level"):
        # "三级 门诊"; English "Level 3 · Outpatient clinic" (two names, each capitalised).
        level = str(LEVEL_NAMES.get(visit["level"], visit["level"]))
        text = _("%(level)s %(setting)s") % {"level": level, "setting": setting}
    else:
        text = setting
    if visit.get("category") == "chronic":
        # "二级 门诊（门诊慢性病）"; English "Level 2 · Outpatient clinic (chronic-disease…)".
        text = _("%(visit)s（%(category)s）") % {"visit": text, "category": _("门诊慢性病")}
    return text


def group_name(group: str, version: Any = None, in_sentence: bool = False) -> str:
    """A status group by name in the active language. 上海's cohorts are named by the split
    date of the version's ``retiree_cohorts`` (data), not by a date written into the code.
    ``in_sentence``: the name as a sentence quotes it, the date parted by a space from the
    word before it ("按 2001-01-01 起退休人员待遇"); on its own it is stripped."""
    cohorts = version.param("retiree_cohorts") if version is not None else None
    if cohorts is not None and group in (cohorts.value.before, cohorts.value.on_or_after):
        from calculator.i18n import edge_translate
        from calculator.rules import messages

        name = messages.fill(messages.GROUP_NAMES[group], {"group": group, "split_on": cohorts.value.split_on}, edge_translate())
        return name if in_sentence else name.strip()
    return str(GROUP_NAMES.get(group, group))
