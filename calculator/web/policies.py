"""The policy library: every region's rule versions and clauses, and a comparison table.

Display only: the figures are the loaded policy data, formatted (``fmt_percent`` and the
``yuan`` filter), never computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calculator.rules.loader import Citation, Region, Version
from calculator.rules.messages import money
from calculator.rules.registry import load_policies
from calculator.web import labels
from calculator.web.templatetags.yuan import yuan

PARAM_NAMES = {
    "benefit_year": gettext_lazy("医保年度"),
    "policy_range": gettext_lazy("符合政策范围的费用"),
    "deductible": gettext_lazy("起付标准"),
    "fund_ratio": gettext_lazy("统筹基金支付比例"),
    "annual_cap": gettext_lazy("年度最高支付限额"),
    "pharmacy": gettext_lazy("定点零售药店"),
    "internet": gettext_lazy("“互联网+”医疗服务"),
    "non_designated": gettext_lazy("非定点机构"),
    "account_use": gettext_lazy("个人账户支付"),
    "personal_account": gettext_lazy("个人账户划入"),
    "class_b_first_self_pay": gettext_lazy("乙类先行自付"),
    "offsite": gettext_lazy("异地就医"),
    "inpatient_stay": gettext_lazy("住院期间的门诊费用"),
    "chronic": gettext_lazy("门诊慢性病"),
    "retiree_start": gettext_lazy("退休待遇起始时间"),
    "retiree_cohorts": gettext_lazy("按退休时间区分待遇"),
    "price_class_default": gettext_lazy("收费类别推定"),
}


# When each rule version's sources were last checked. The policy data carries no date, so
# this says what the project's research notes (shared/research/policy-sources.md) found:
# the newest source seen, and whether it showed a change. Nothing here is a guess.
VERSION_CHECKED = {
    "xuzhou-2023": gettext_lazy("核对情况：所见最新资料为 2025 年 5 月的网页，未见调整。"),
    "shanxi-2023": gettext_lazy("核对情况：所见最新资料为 2025 年的报道，称 2024 年 7 月起已提高待遇，尚未见官方原文（见“请注意”）。"),
    "shanghai-2023": gettext_lazy("核对情况：2024 医保年度门急诊标准未调整；未见 2025 医保年度（2025 年 7 月起）的调整。"),
    "wuhan-2023-02": gettext_lazy("核对情况：2023 年 4 月 10 日起由优化方案取代。"),
    "wuhan-2023-04": gettext_lazy("核对情况：所见最新资料为 2025 年 1 月的转载，未见调整。"),
    "yuxi-2023": gettext_lazy("核对情况：2024 年 11 月 1 日起按云南省办法计算（推断，见“请注意”）。"),
    "yuxi-2024": gettext_lazy("核对情况：所见资料只有 2024 年 11 月 1 日起施行的省办法，未查到之后的调整。"),
    "yunnan-2024": gettext_lazy("核对情况：所见资料只有 2024 年 11 月 1 日起施行的省办法，未查到之后的调整。"),
    "neimenggu-2022": gettext_lazy("核对情况：所见最新资料为 2025 年 7 月；有报道称 2024 年起调整，尚未见官方原文（见“请注意”）。"),
}


def version_checked(version_id: str) -> str:
    text = VERSION_CHECKED.get(version_id)
    return str(text) if text else ""


@dataclass
class Clause:
    name: str
    cite: Citation

    @property
    def doc_no(self) -> str:
        from calculator.web.results import doc_no

        return doc_no(self.cite.document.doc_no)

    @property
    def title(self) -> str:
        from calculator.web.results import reader_text

        return reader_text(self.cite.document.title)

    @property
    def issuer(self) -> str:
        from calculator.web.results import reader_text

        return reader_text(self.cite.document.issuer)

    @property
    def description(self) -> str:
        return labels.title_description(self.cite.document.title) if _english() else ""

    @property
    def article_en(self) -> str:
        """The passage named in English ("Article 16"), as on the results page; "" in Chinese."""
        return labels.article_label_en(self.cite.article) if _english() else ""

    @property
    def issuer_en(self) -> str:
        """The issuer named in English; "" in Chinese or where no English name is known."""
        return labels.issuer_description(self.cite.document.issuer) if _english() else ""


def _english() -> bool:
    from django.utils.translation import get_language

    return not (get_language() or "zh-hans").lower().startswith("zh")


@dataclass
class VersionView:
    version: Version
    period: str
    clauses: list[Clause]
    notices: list[Any]
    checked: str = ""
    description: str = ""

    @property
    def anchor(self) -> str:
        return f"rule-{self.version.id}"


def _names_province(name: str, province: str) -> bool:
    short = name.split("（", 1)[0]
    return name.startswith(province) or province.startswith(short)


@dataclass
class RegionView:
    region: Region
    name: str
    province: str
    versions: list[VersionView]


@dataclass
class ComparisonRow:
    region: str
    version: VersionView
    deductible: list[str]
    ratios: list[str]
    cap: list[str]
    # Whether the figures in each column rest on a re-post (not an official text).
    deductible_secondary: bool = False
    ratios_secondary: bool = False
    cap_secondary: bool = False


def _pair(label: str, value: str) -> str:
    return _("%(label)s：%(value)s") % {"label": label, "value": value}


def _group(name: str, v: Version | None = None) -> str:
    return labels.group_name(name, v)


def _keyed(key: int, keyed_by: str) -> str:
    names = labels.PRICE_CLASS_NAMES if keyed_by == "price_class" else labels.LEVEL_NAMES
    return str(names[key])


def _deductible(v: Version) -> list[str]:
    d = v.params["deductible"].value
    basis = str(labels.DEDUCTIBLE_BASIS[d.basis])
    if d.basis == "none":
        return [basis]
    if d.basis == "annual":
        return [basis] + [_pair(_group(g, v), yuan(money(a))) for g, a in d.by_group.items()]
    return [basis] + [_pair(_keyed(k, d.keyed_by), yuan(money(a))) for k, a in sorted(d.by_key.items())]


def _ratios(v: Version) -> list[str]:
    r = v.params["fund_ratio"].value
    lines = [
        _pair(_group(g, v), _("，").join(f"{_keyed(k, r.keyed_by)} {x.percent}" for k, x in sorted(rates.items())))
        for g, rates in r.rates.items()
    ]
    pharmacy = v.params["pharmacy"].value
    line = None
    if pharmacy.basis == "own_ratio":
        line = _("定点零售药店：%(rates)s") % {"rates": _("，").join(f"{_group(g, v)} {x.percent}" for g, x in pharmacy.rates.items())}
    elif pharmacy.basis == "prescriber":
        line = _("定点零售药店：与开具处方的医疗机构相同")
    if line is not None:
        if _secondary(v, "pharmacy") and not _secondary(v, "fund_ratio"):
            # Only this line rests on a re-post (上海: the ratios are the 办法's own): marked
            # here, not the whole cell (audit: the official ratios read as a re-post's).
            line = _("%(line)s（据转载）") % {"line": line}
        lines.append(line)
    return lines


def _cap(v: Version) -> list[str]:
    c = v.params["annual_cap"].value
    if c.by_group is None:
        return [str(labels.ABOVE_CAP["not_applicable"])]
    return [_pair(_group(g, v), yuan(money(a))) for g, a in c.by_group.items()] + [str(labels.ABOVE_CAP[c.above_cap])]


def _secondary(v: Version, name: str) -> bool:
    param = v.params.get(name)
    return param is not None and param.cite.document.status != "official"


def library() -> dict[str, Any]:
    regions = []
    rows = []
    for region in load_policies().values():
        versions = []
        for v in region.versions:
            view = VersionView(
                version=v,
                period=labels.period_text(v.effective_from, v.effective_to),
                clauses=[Clause(str(PARAM_NAMES.get(name, name)), p.cite) for name, p in v.params.items()],
                notices=list(v.notices),
                checked=version_checked(v.id),
                description=labels.title_description(v.title) if _english() else "",
            )
            versions.append(view)
            rows.append(
                ComparisonRow(
                    region=labels.region_name(region.name),
                    version=view,
                    deductible=_deductible(v),
                    ratios=_ratios(v),
                    cap=_cap(v),
                    deductible_secondary=_secondary(v, "deductible"),
                    ratios_secondary=_secondary(v, "fund_ratio"),
                    cap_secondary=_secondary(v, "annual_cap"),
                )
            )
        regions.append(
            RegionView(
                region=region,
                name=labels.region_name(region.name),
                # Not where the region's name already names it (上海市, 山西省（晋城市等）, 内蒙古（…）
                # of 内蒙古自治区): it would be said twice.
                province="" if _names_province(region.name, region.province) else labels.region_name(region.province),
                versions=versions,
            )
        )
    return {"regions": regions, "rows": rows}
