"""Forms of the calculator page: they render fields and hold what was typed, nothing more.

Validation belongs to the calculation contract (``calculator.rules.contract.parse_request``),
so the web page and the JSON API give the same Chinese messages. These forms therefore never
run Django's own field validation: ``full_clean`` is replaced, the forms build the contract's
request dict from the raw values (light syntactic cleaning only: full-width digits, thousands
separators, a trailing 元) and the contract's errors are put back on the fields they name.

A visit row is a form with the prefix ``visits-<i>``, so its inputs are named
``visits-0-total`` and have the id ``id_visits-0-total``; rows are read back from the query
string by that prefix, which is what lets the page add and remove rows without JavaScript.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calculator.web import labels
from calculator.web.errors import translated

MAX_ROWS = 50
_ROW_KEY = re.compile(r"^visits-(\d{1,3})-([a-z_]+)$")

TEXT_WIDGET = {"autocomplete": "off", "spellcheck": "false"}
AMOUNT_ATTRS = {**TEXT_WIDGET, "inputmode": "decimal", "class": "input-amount"}


class _RenderOnlyForm(forms.Form):
    """A form whose only errors are the ones the contract reports (see the module doc)."""

    def full_clean(self) -> None:
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def raw(self, name: str) -> Any:
        """What the user typed or chose for ``name`` (the bound value, uncleaned)."""
        return self[name].value()

    def has_any_error(self, *names: str) -> bool:
        return any(name in self.errors for name in names)


def _clean_text(value: Any) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


_LOOSE_DATE = re.compile(r"^(\d{4})\s*[./年-]\s*(\d{1,2})\s*[./月-]\s*(\d{1,2})\s*日?$")


def _clean_date(value: Any) -> str:
    """"2024/3/1" or "2024年3月1日" → "2024-03-01" (browsers without a date picker)."""
    text = _clean_text(value)
    match = _LOOSE_DATE.match(text)
    if match:
        year, month, day = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text


def _clean_amount(value: Any) -> str:
    """"１,２００ 元" → "1200": full-width digits, separators, spaces and 元 removed."""
    text = _clean_text(value)
    text = text.replace(",", "").replace(" ", "")
    if text.endswith("元"):
        text = text[:-1]
    return text


class CalculatorForm(_RenderOnlyForm):
    """The person: region, status, age and the optional account figures."""

    region = forms.ChoiceField(label=_("参保地区"), required=False)
    status = forms.ChoiceField(
        label=_("参保身份"),
        required=False,
        choices=[("employed", _("在职")), ("retired", _("退休"))],
        widget=forms.RadioSelect,
        initial="employed",
    )
    age = forms.CharField(
        label=_("年龄"),
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={**TEXT_WIDGET, "inputmode": "numeric", "class": "input-short"}),
        help_text=_("周岁。部分地区退休人员个人账户划入额按年龄分档。"),
    )
    retired_on = forms.CharField(
        label=_("退休日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input-date"}),
        help_text=_("退休人员填写。上海市退休人员必填（按退休时间区分待遇）；武汉市退休人员次月起享受退休待遇。"),
    )
    flexible_employment = forms.BooleanField(
        label=_("灵活就业人员"),
        required=False,
        help_text=_("只影响个人账户划入额的估算（武汉市）。"),
    )
    contribution_base = forms.CharField(
        label=_("月缴费基数"),
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
        help_text=_("单位：元。用来估算在职职工每月划入个人账户的金额；不影响报销。"),
    )
    account_balance = forms.CharField(
        label=_("个人账户余额"),
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
        help_text=_("单位：元。个人负担部分先由个人账户支付，余下的才用现金。上海市请填当年账户余额。"),
    )
    prior_years_balance = forms.CharField(
        label=_("历年账户余额"),
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
        help_text=_(
            "仅上海市：个人账户分为当年账户和历年账户。当年账户先支付，且不计入自负段；"
            "当年账户用完后，自负段和个人自付部分由历年账户支付。其他地区两项余额合并计算。"
        ),
    )
    chronic_disease_count = forms.CharField(
        label=_("慢性病病种数"),
        required=False,
        max_length=2,
        widget=forms.TextInput(attrs={**TEXT_WIDGET, "inputmode": "numeric", "class": "input-short"}),
        help_text=_("仅玉溪市门诊慢性病：年度限额随病种数增加。不填按 1 种计算。"),
    )

    OPTIONAL_FIELDS = (
        "flexible_employment",
        "contribution_base",
        "account_balance",
        "prior_years_balance",
        "chronic_disease_count",
    )

    def __init__(self, *args: Any, region_choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("请选择参保地区")), *region_choices]

    def optional_open(self) -> bool:
        """Open the optional section when something in it was filled in or is wrong."""
        if self.has_any_error(*self.OPTIONAL_FIELDS):
            return True
        if not self.is_bound:
            return False
        return any(self.raw(name) not in (None, "", False) for name in self.OPTIONAL_FIELDS)

    def contract_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "region": _clean_text(self.raw("region")),
            "status": _clean_text(self.raw("status")),
            "age": _clean_text(self.raw("age")),
            "flexible_employment": bool(self.raw("flexible_employment")),
        }
        retired_on = _clean_date(self.raw("retired_on"))
        if retired_on:
            data["retired_on"] = retired_on
        for name in ("contribution_base", "account_balance", "prior_years_balance"):
            amount = _clean_amount(self.raw(name))
            if amount:
                data[name] = amount
        count = _clean_text(self.raw("chronic_disease_count"))
        if count:
            data["chronic_disease_count"] = count
        return data


class VisitForm(_RenderOnlyForm):
    """One visit: the settlement slip's figures plus the less common options."""

    date = forms.CharField(
        label=_("就诊日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "input-date"}),
    )
    level = forms.ChoiceField(
        label=_("医疗机构级别"),
        required=False,
        choices=[
            ("", _("请选择")),
            ("1", _("一级及以下")),
            ("2", _("二级")),
            ("3", _("三级")),
        ],
        help_text=_("一级及以下包括社区卫生服务中心、乡镇卫生院、诊所。在药店购药，请选开具处方的医疗机构的级别。"),
    )
    setting = forms.ChoiceField(
        label=_("就诊类型"),
        required=False,
        choices=[
            ("clinic", pgettext_lazy("就诊类型", "门诊")),
            ("pharmacy", _("药店")),
            ("internet", _("互联网+")),
            ("non_designated", _("非定点")),
        ],
        initial="clinic",
    )
    total = forms.CharField(
        label=_("费用总额"),
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
        help_text=_("单位：元。结算单上的“医疗费总额”。"),
    )
    excluded = forms.CharField(
        label=_("自费金额"),
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
        help_text=_("单位：元。医保目录外、全部由个人支付的部分（结算单上的“全自费”）；没有就留空。"),
    )
    class_b = forms.CharField(
        label=_("乙类金额"),
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
        help_text=_("单位：元。乙类药品和项目的金额（武汉市要先行自付 10%）；不清楚就留空。"),
    )
    offsite = forms.ChoiceField(
        label=_("异地就医"),
        required=False,
        choices=[
            ("none", _("在参保地就医")),
            ("filed", _("异地就医，已备案")),
            ("unfiled", _("异地就医，未备案")),
        ],
        initial="none",
    )
    inpatient_stay = forms.BooleanField(
        label=_("住院期间"),
        required=False,
        help_text=_("住院期间发生的门诊费用（山西省不予支付）。"),
    )
    chronic = forms.BooleanField(
        label=_("门诊慢性病"),
        required=False,
        help_text=_("仅玉溪市：按门诊慢性病待遇计算（单独的起付标准、比例和限额）。"),
    )
    price_class = forms.ChoiceField(
        label=_("山西收费类别"),
        required=False,
        choices=[
            ("", _("按医疗机构级别推定")),
            ("1", _("一类收费价格医疗机构")),
            ("2", _("二类收费价格医疗机构")),
            ("3", _("三类收费价格及以下医疗机构")),
        ],
        help_text=_("仅山西省：支付比例和起付标准按医疗机构的收费类别区分；不清楚就按级别推定。"),
    )

    MAIN_FIELDS = ("date", "level", "setting", "total", "excluded", "class_b")
    MORE_FIELDS = ("offsite", "inpatient_stay", "chronic", "price_class")
    # The contract's name for a field when it differs from ours.
    CONTRACT_NAMES = {"chronic": "category"}

    def __init__(self, *args: Any, row: int, autofocus: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"visits-{row}", **kwargs)
        self.row = row
        self.number = row + 1
        if autofocus:
            self.fields["date"].widget.attrs["autofocus"] = True

    def more_open(self) -> bool:
        """Open 更多选项 when one of its options is set or has an error."""
        if self.has_any_error(*self.MORE_FIELDS):
            return True
        if not self.is_bound:
            return False
        return (
            self.raw("offsite") not in (None, "", "none")
            or bool(self.raw("inpatient_stay"))
            or bool(self.raw("chronic"))
            or self.raw("price_class") not in (None, "")
        )

    def is_blank(self) -> bool:
        """Nothing typed in the row's text fields (the selects always have a value)."""
        return not any(_clean_text(self.raw(name)) for name in ("date", "total", "excluded", "class_b"))

    def contract_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "date": _clean_date(self.raw("date")),
            "setting": _clean_text(self.raw("setting")) or "clinic",
            "total": _clean_amount(self.raw("total")),
            "offsite": _clean_text(self.raw("offsite")) or "none",
            "inpatient_stay": bool(self.raw("inpatient_stay")),
            "category": "chronic" if self.raw("chronic") else "general",
        }
        for name in ("excluded", "class_b"):
            amount = _clean_amount(self.raw(name))
            if amount:
                data[name] = amount
        for name in ("level", "price_class"):
            value = _clean_text(self.raw(name))
            if value:
                data[name] = value
        return data


@dataclass(frozen=True)
class SummaryError:
    """One line of the error summary: where the field is and what is wrong."""

    target_id: str
    label: str
    message: str


@dataclass
class CalculatorState:
    """Everything on the calculator page: the person, the visit rows, and the action."""

    form: CalculatorForm
    visits: list[VisitForm]
    submitted: bool
    action: str | None  # "add" | "remove" | None
    summary: list[SummaryError]
    rows_given: int = 0  # visit rows in the request, before the page's limit

    @property
    def too_many_rows(self) -> bool:
        return self.rows_given > MAX_ROWS

    def refuse_too_many_rows(self) -> None:
        """More rows than the page holds: say so instead of silently dropping the rest."""
        message = _("网页一次最多计算 %(limit)s 次就诊，您填写了 %(count)s 次，超出部分没有显示。请分批计算，或使用 API / 命令行（一次最多 1000 次）。") % {
            "limit": MAX_ROWS,
            "count": self.rows_given,
        }
        self.summary.append(SummaryError(self.visits[0]["date"].auto_id, str(_("就诊记录")), str(message)))

    @property
    def can_remove(self) -> bool:
        return len(self.visits) > 1

    @property
    def can_add(self) -> bool:
        return len(self.visits) < MAX_ROWS

    def contract_data(self) -> tuple[dict[str, Any], list[int]]:
        """The contract's request dict, and for each of its visits the row it came from.

        Rows left completely blank are skipped when another row has something in it, so an
        extra row added by mistake does not stop the calculation.
        """
        data = self.form.contract_data()
        rows = [v for v in self.visits if not v.is_blank()] or self.visits
        data["visits"] = [v.contract_data() for v in rows]
        return data, [v.row for v in rows]

    def apply_errors(self, errors: list[dict[str, str]], rows: list[int]) -> None:
        """Put the contract's messages on the fields and into the summary, in page order."""
        top_ids = {name: self.form[name].auto_id for name in self.form.fields}
        top_ids["status"] = f"{self.form['status'].auto_id}_0"
        by_row = {v.row: v for v in self.visits}
        summary: list[SummaryError] = []
        for error in errors:
            field, message = error["field"], translated(error)
            match = re.match(r"^visits\[(\d+)\](?:\.(\w+))?$", field)
            if match:
                visit = by_row.get(rows[int(match.group(1))]) if int(match.group(1)) < len(rows) else None
                name = _our_name(match.group(2) or "date")
                if visit is None or name not in visit.fields:
                    summary.append(SummaryError("visits", str(_("就诊记录")), message))
                    continue
                visit.add_error(name, message)
                label = _("第 %(number)s 次就诊 · %(label)s") % {"number": visit.number, "label": visit.fields[name].label}
                summary.append(SummaryError(visit[name].auto_id, str(label), message))
            elif field in self.form.fields:
                self.form.add_error(field, message)
                summary.append(SummaryError(top_ids[field], str(self.form.fields[field].label), message))
            elif field == "visits" and self.visits:
                self.visits[0].add_error("date", message)
                summary.append(SummaryError(self.visits[0]["date"].auto_id, str(_("就诊记录")), message))
            else:
                summary.append(SummaryError("calculator-form", str(_("表单")), message))
        order = [top_ids[name] for name in self.form.fields] + [
            v[name].auto_id for v in self.visits for name in v.fields
        ]
        position = {target: i for i, target in enumerate(order)}
        self.summary = sorted(summary, key=lambda s: position.get(s.target_id, len(order)))


def _our_name(contract_name: str) -> str:
    for ours, theirs in VisitForm.CONTRACT_NAMES.items():
        if theirs == contract_name:
            return ours
    return contract_name


ACTION_KEYS = ("add_visit", "remove_visit")


def read_rows(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The visit rows in the query string, in row order, each as {field: value}."""
    rows: dict[int, dict[str, str]] = {}
    for key in data:
        match = _ROW_KEY.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = data[key]
    return [rows[i] for i in sorted(rows)]


def _row_data(rows: list[dict[str, str]]) -> QueryDict:
    out = QueryDict(mutable=True)
    for i, row in enumerate(rows):
        for name, value in row.items():
            out[f"visits-{i}-{name}"] = value
    return out


def calculator_state(query: QueryDict) -> CalculatorState:
    """Read the page's state from the query string, applying an add or remove action."""
    region_choices = labels.region_choices()
    top_names = set(CalculatorForm.base_fields)
    submitted = any(key in top_names or _ROW_KEY.match(key) for key in query)
    if not submitted:
        form = CalculatorForm(region_choices=region_choices)
        return CalculatorState(form, [VisitForm(row=0)], submitted=False, action=None, summary=[])

    rows = read_rows(query)
    rows_given = len(rows)
    rows = rows[:MAX_ROWS]
    action = None
    focus_row: int | None = None
    if "add_visit" in query and len(rows) < MAX_ROWS:
        action = "add"
        rows.append({})
        focus_row = len(rows) - 1
    elif "remove_visit" in query:
        action = "remove"
        try:
            index = int(query["remove_visit"])
        except ValueError:
            index = -1
        if 0 <= index < len(rows) and len(rows) > 1:
            del rows[index]
            focus_row = min(index, len(rows) - 1)
    if not rows:
        rows = [{}]
    row_data = _row_data(rows)
    form = CalculatorForm(query, region_choices=region_choices)
    visits = [
        VisitForm(row_data if row else None, row=i, autofocus=(i == focus_row))
        for i, row in enumerate(rows)
    ]
    return CalculatorState(form, visits, submitted=True, action=action, summary=[], rows_given=rows_given)
