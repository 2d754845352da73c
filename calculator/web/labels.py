"""Display names for the engine's codes, through gettext, and the region list for the form.

The engine speaks Chinese (its labels are the settlement-slip terms); the Chinese text is the
msgid, so the English catalogue translates it and an unknown label falls back to Chinese.
Policy quotes and the engine's filled-in explanations are quotations of Chinese sources and
are shown as they are, marked ``lang="zh-Hans"``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, pgettext_lazy

from calculator.rules.messages import chinese_number
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
    # (上海's cohorts are named from the data's split date where a version is at hand:
    # calculator/rules/messages.GROUP_NAMES; these are the fallback names of the group codes.)
    "retired_by_2000": gettext_lazy("2000年12月31日前退休人员"),
    "retired_from_2001": gettext_lazy("2001年1月1日后退休人员"),
}
STATUS_NAMES = {"employed": gettext_lazy("在职"), "retired": gettext_lazy("退休")}
SOURCE_STATUS = {"official": gettext_lazy("官方原文"), "secondary": gettext_lazy("转载（非官方）")}
SOURCE_STATUS_HINTS = {
    "official": gettext_lazy("引文出自政府发布的文件原文。"),
    "secondary": gettext_lazy("引文出自新闻或网站对官方通知的转载，不是官方发布的原文。"),
}

# A short English description of each Chinese document and rule title, shown after the
# title on English pages (titles and quotes stay Chinese). Keyed by the data's own title.
TITLE_DESCRIPTIONS_EN = {
    # Rule versions
    "徐州市职工基本医疗保险门诊共济保障机制实施细则": "Xuzhou implementing rules for employees' outpatient mutual-aid cover",
    "山西省职工基本医疗保险普通门诊统筹管理办法": "Shanxi measures for employees' general outpatient pooling",
    "上海市职工基本医疗保险门诊共济保障（2023医保年度起门急诊待遇）": "Shanghai employees' outpatient mutual-aid cover (outpatient and emergency benefits from the 2023 insurance year)",
    "武汉市职工基本医疗保险门诊共济保障实施细则": "Wuhan implementing rules for employees' outpatient mutual-aid cover",
    "武汉市职工医保普通门诊统筹优化方案（据转载）": "Wuhan's improved general outpatient pooling plan for employees (from re-posts)",
    "玉溪市职工基本医疗保险门诊共济保障实施细则": "Yuxi implementing rules for employees' outpatient mutual-aid cover",
    "云南省职工基本医疗保险门诊共济保障实施办法": "Yunnan measures for employees' outpatient mutual-aid cover",
    "云南省职工基本医疗保险门诊共济保障实施办法（玉溪市适用）": "Yunnan measures for employees' outpatient mutual-aid cover (as applied to Yuxi)",
    "内蒙古自治区本级及呼和浩特市职工基本医疗保险普通门诊统筹（据转载）": "Inner Mongolia (region level and Hohhot): employees' general outpatient pooling (from re-posts)",
    # Documents
    "2023医保年度职工医保待遇标准（转载）": "Shanghai employees' benefit standards for the 2023 insurance year (re-post)",
    "2023武汉职工医保门诊改革政策（转载）": "Wuhan 2023 employees' outpatient reform (re-post)",
    "7月起,上海在职职工门急诊自负段标准降低至500元（转载）": "Shanghai: employees' outpatient self-pay band lowered to 500 yuan from July (re-post)",
    "上海市职工基本医疗保险门诊共济保障机制实施办法（所存文本无标题）": "Shanghai measures for employees' outpatient mutual-aid cover (the text has no title)",
    "今年本市退休职工的门急诊待遇是多少?（转载）": "Shanghai: this year's outpatient benefits for retirees (re-post)",
    "关于印发《职工基本医疗保险普通门诊统筹管理办法》的通知": "Notice issuing the measures for employees' general outpatient pooling (Shanxi)",
    "内蒙古自治区人民政府办公厅关于建立完善职工基本医疗保险门诊共济保障机制的实施意见": "Inner Mongolia government office: opinions on employees' outpatient mutual-aid cover",
    "内蒙古自治区本级职工基本医疗保险门诊共济保障实施细则（转载）": "Inner Mongolia region-level implementing rules for employees' outpatient cover (re-post)",
    "南方周末关于武汉职工医保门诊“优化方案”的报道（转载）": "Southern Weekly report on Wuhan's improved outpatient plan (re-post)",
    "呼和浩特市建立完善职工基本医疗保险门诊共济保障实施细则（转载）": "Hohhot implementing rules for employees' outpatient mutual-aid cover (re-post)",
    "市政府关于印发徐州市职工基本医疗保险门诊共济保障机制实施细则的通知": "Xuzhou city government notice issuing the implementing rules for employees' outpatient cover",
    "最新标准!2024-2025武汉职工医保门诊报销比例（转载）": "Wuhan employees' outpatient reimbursement rates, 2024–2025 (re-post)",
    "武汉职工医保普通门诊统筹年度支付限额（转载）": "Wuhan employees' general outpatient annual payment caps (re-post)",
    "武汉职工医保门诊报销比例(最新)（转载）": "Wuhan employees' outpatient reimbursement rates (re-post)",
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


# Where a document's passage is not "第N条" (headings of re-posts, numbered sections): its
# English name. "第N条" and its parts are named by article_label_en.
ARTICLES_EN = {
    "二": "Section 2", "三": "Section 3", "四": "Section 4",
    "二、（一）1": "Section 2 (1), item 1", "二、（一）2": "Section 2 (1), item 2", "二、（三）": "Section 2 (3)",
    "二、（四）3": "Section 2 (4), item 3", "三、（二）": "Section 3 (2)", "七（一）": "Section 7 (1)",
    "三、关于统筹基金最高支付限额": "Section 3, on the pooling fund's maximum payment",
    "四、开放定点药店门诊统筹报销": "Section 4, outpatient pooling at designated pharmacies",
    "主要任务（一）": "Main tasks (1)", "主要任务（二）1、2": "Main tasks (2), items 1 and 2", "主要任务（二）2": "Main tasks (2), item 2",
    "主要任务（三）": "Main tasks (3)", "主要任务（六）": "Main tasks (6)",
    "门诊统筹待遇标准": "Outpatient pooling benefit standards", "普通门诊统筹待遇": "General outpatient pooling benefits",
    "门急诊费用支付分段": "Payment bands for outpatient and emergency costs",
    "药店凭处方购药": "Pharmacy purchases",
    "药店凭处方购药（2023年4月10日调整前）": "Pharmacy purchases (before 10 April 2023)",
    "施行日期": "Date of effect", "执行日期": "Date of effect", "报销比例": "Reimbursement rates", "年度支付限额": "Annual payment cap",
    "乙类先行自付": "Class B paid first", "2023年4月10日调整": "The change of 10 April 2023", "2023医保年度说明": "Notes on the 2023 insurance year",
}
def article_label_en(article: str) -> str:
    """A passage's reference in English: "第八条（一）（二）" → "Article 8 (1) (2)", "第五条、第六条"
    → "Articles 5 and 6"; a heading from the list above by its English name; "" where none is
    known (the page then shows the document's own words)."""
    if article in ARTICLES_EN:
        return ARTICLES_EN[article]
    parts = re.fullmatch(r"第([一二三四五六七八九十]+)条(?:、第([一二三四五六七八九十]+)条)?((?:（[一二三四五六七八九十]+）)*)(?:至（([一二三四五六七八九十]+)）)?", article)
    if not parts:
        return ""
    first, second, subs, until = parts.groups()
    numbers = [chinese_number(first)] + ([chinese_number(second)] if second else [])
    items = [chinese_number(s) for s in re.findall(r"（([一二三四五六七八九十]+)）", subs or "")]
    if None in numbers or None in items or (until and chinese_number(until) is None):
        return ""
    text = f"Articles {numbers[0]} and {numbers[1]}" if second else f"Article {numbers[0]}"
    if items:
        text += " " + " ".join(f"({n})" for n in items)
    if until:
        text += f" to ({chinese_number(until)})"
    return text


# The issuers' names in English; that a source is a re-post is said by its status label.
ISSUERS_EN = {
    "上海市医疗保障局（上海医保官网，经转载）": "Shanghai Healthcare Security Administration",
    "上海市医疗保障局（上海医保待遇表，经转载）": "Shanghai Healthcare Security Administration",
    "上海市医疗保障局（上海医保，经转载）": "Shanghai Healthcare Security Administration",
    "上海市医疗保障局（中国劳动关系网转载）": "Shanghai Healthcare Security Administration",
    "上海市（所存文本未载发文机关）": "Shanghai (issuer not named in the text)",
    "云南省人民政府办公厅": "General Office of the Yunnan Provincial Government",
    "内蒙古自治区人民政府办公厅": "General Office of the Inner Mongolia Autonomous Region Government",
    "内蒙古自治区医疗保障部门（经转载）": "Inner Mongolia healthcare security authorities",
    "南方周末（转载）": "Southern Weekly",
    "呼和浩特市医疗保障局（经转载）": "Hohhot Healthcare Security Administration",
    "山西省医疗保障局、山西省财政厅、山西省卫生健康委员会": "Shanxi Healthcare Security Administration, Department of Finance and Health Commission",
    "徐州市人民政府": "Xuzhou Municipal Government",
    "晋城市医疗保障局、晋城市财政局、晋城市卫生健康委员会": "Jincheng Healthcare Security Administration, Finance Bureau and Health Commission",
    "武汉市人民政府办公厅": "General Office of the Wuhan Municipal Government",
    "武汉市医疗保障局（武汉本地宝转载）": "Wuhan Healthcare Security Administration",
    "武汉市医疗保障局（经转载）": "Wuhan Healthcare Security Administration",
    "玉溪市人民政府办公室": "General Office of the Yuxi Municipal Government",
    "社保网（转载）": "Shebao.net",
}


def issuer_description(issuer: str) -> str:
    """The English description of an issuer's Chinese name ("" when there is none)."""
    return ISSUERS_EN.get(issuer, "")


def title_description(title: str) -> str:
    """The English description of a Chinese title ("" when there is none)."""
    return TITLE_DESCRIPTIONS_EN.get(title, "")


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


def group_name(group: str, version: Any = None) -> str:
    """A status group by name in the active language. 上海's cohorts are named by the split
    date of the version's ``retiree_cohorts`` (data), not by a date written into the code."""
    cohorts = version.param("retiree_cohorts") if version is not None else None
    if cohorts is not None and group in (cohorts.value.before, cohorts.value.on_or_after):
        from calculator.i18n import edge_translate
        from calculator.rules import messages

        return messages.fill(messages.GROUP_NAMES[group], {"group": group, "split_on": cohorts.value.split_on}, edge_translate())
    return str(GROUP_NAMES.get(group, group))
