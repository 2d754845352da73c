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


@dataclass
class Clause:
    name: str
    cite: Citation


@dataclass
class VersionView:
    version: Version
    period: str
    clauses: list[Clause]
    notices: list[Any]

    @property
    def anchor(self) -> str:
        return f"rule-{self.version.id}"


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


def _pair(label: str, value: str) -> str:
    return _("%(label)s：%(value)s") % {"label": label, "value": value}


def _group(name: str) -> str:
    return str(labels.GROUP_NAMES.get(name, name))


def _keyed(key: int, keyed_by: str) -> str:
    names = labels.PRICE_CLASS_NAMES if keyed_by == "price_class" else labels.LEVEL_NAMES
    return str(names[key])


def _deductible(v: Version) -> list[str]:
    d = v.params["deductible"].value
    basis = str(labels.DEDUCTIBLE_BASIS[d.basis])
    if d.basis == "none":
        return [basis]
    if d.basis == "annual":
        return [basis] + [_pair(_group(g), yuan(money(a))) for g, a in d.by_group.items()]
    return [basis] + [_pair(_keyed(k, d.keyed_by), yuan(money(a))) for k, a in sorted(d.by_key.items())]


def _ratios(v: Version) -> list[str]:
    r = v.params["fund_ratio"].value
    lines = [
        _pair(_group(g), _("，").join(f"{_keyed(k, r.keyed_by)} {x.percent}" for k, x in sorted(rates.items())))
        for g, rates in r.rates.items()
    ]
    pharmacy = v.params["pharmacy"].value
    if pharmacy.basis == "own_ratio":
        lines.append(
            _("定点零售药店：%(rates)s")
            % {"rates": _("，").join(f"{_group(g)} {x.percent}" for g, x in pharmacy.rates.items())}
        )
    return lines


def _cap(v: Version) -> list[str]:
    c = v.params["annual_cap"].value
    if c.by_group is None:
        return [str(labels.ABOVE_CAP["not_applicable"])]
    return [_pair(_group(g), yuan(money(a))) for g, a in c.by_group.items()] + [str(labels.ABOVE_CAP[c.above_cap])]


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
            )
            versions.append(view)
            rows.append(
                ComparisonRow(
                    region=labels.region_name(region.name),
                    version=view,
                    deductible=_deductible(v),
                    ratios=_ratios(v),
                    cap=_cap(v),
                )
            )
        regions.append(
            RegionView(
                region=region,
                name=labels.region_name(region.name),
                province=labels.region_name(region.province),
                versions=versions,
            )
        )
    return {"regions": regions, "rows": rows}
