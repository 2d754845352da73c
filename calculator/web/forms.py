"""Forms of the calculator page: they render fields and hold what was typed, nothing more.

Validation belongs to the calculation contract (``calculator.rules.contract.parse_request``),
so the web page and the JSON API give the same Chinese messages. These forms therefore never
run Django's own field validation: ``full_clean`` is replaced, the forms build the contract's
request dict from the raw values (light syntactic cleaning only: full-width digits, thousands
separators, a trailing 元) and the contract's errors are put back on the fields they name.
Two rules are the form's own, because they are about what a person types, not about the
contract: a comma in an amount must be a thousands separator ("1,200", not "12,50" or
"1.000,00"), and a visit may be at most until 31 December of next year. Their messages take
the place of the contract's for the same field (``CalculatorState.with_input_errors``).

The person's fields are laid out with django-crispy-forms: ``CalculatorForm`` has a
``FormHelper`` whose layout is made of the ``govform`` pack's objects
(``calculator/web/govform.py``), which write their markup in Python; ``govform.form_html``
writes the layout as ``{% crispy %}`` with the pack's templates (``templates/govform/``) did,
without crispy's template node, so the markup of a field (label, hint, error, input and their
aria-describedby) is written once. The fields are prepared once per language and chosen region
and shared by every form (``_person_fields``). The visit rows, up to 50 of them, go through
crispy the same way: ``VisitForm.helper``'s layout is one govform object (``Written``) that
writes the row in Python with the same structure (``calculator/web/visit_rows.py``).

A visit row is a form with the prefix ``visits-<i>``, so its inputs are named
``visits-0-total`` and have the id ``id_visits-0-total``; rows are read back from the query
string by that prefix, which is what lets the page add and remove rows without JavaScript.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from functools import lru_cache
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from calculator.rules.contract import MAX_ECHO, echo_cut, last_visit_date
from calculator.rules.registry import load_policies
from calculator.web import typed
from calculator.web import region_facts
from calculator.web.errors import translated
from calculator.web.visit_rows import row_html, visit_rows_html
from calculator.web.govform import TEMPLATE_PACK_NAME, Details, Div, FastWidgetRenderer, Fieldset, Written, form_html
from calculator.web.govform import Field as GovField

MAX_ROWS = 50
_ROW_KEY = re.compile(r"^visits-(\d{1,3})-([a-z_]+)$")

# autocomplete="off" and spellcheck="false" are said once, on the calculator's <form> (both
# are inherited), not on every input of up to 50 rows.
AMOUNT_ATTRS = {"inputmode": "decimal"}  # app.css sizes amounts by their inputmode
# Dates are typed as text ("2024-03-01", "2024/3/1", "2024年3月1日", "20240301"): a browser's
# date input sends nothing at all for an impossible date such as 2025-02-30, so the page
# could neither name the problem nor give back what was typed.
DATE_ATTRS = {"class": "input-date", "maxlength": "16"}


def _helper(layout: Layout) -> FormHelper:
    """A crispy helper for a part of the calculator's one <form> (no <form> tag of its own)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.form_method = "get"
    helper.disable_csrf = True
    helper.template_pack = TEMPLATE_PACK_NAME
    helper.layout = layout
    return helper


def last_accepted_visit_date(today: dt.date | None = None) -> dt.date:
    """Visits after today are estimated with the current rules up to 31 December next year."""
    return last_visit_date(today or timezone.localdate())  # the contract's limit, for the API too


class _RenderOnlyForm(forms.Form):
    """A form whose only errors are the ones the contract reports (see the module doc)."""

    default_renderer = FastWidgetRenderer()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Each subclass sets its own ``fields`` (prepared once and shared: _person_fields,
        # _row_fields), so Django's deep copy of the class's fields for every form (eleven forms
        # on a 10-visit page) would only be thrown away: give it nothing to copy.
        self.base_fields = {}
        # Labels are written without Django's suffix (govform): skip its gettext(":") per form.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        # Problems found while building the contract's request: {field name: message}.
        self.input_errors: dict[str, str] = {}
        self._raw: dict[str, Any] = {}  # raw() of each field, read once (a row reads its fields ~20 times)

    def full_clean(self) -> None:
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def _widget_data_value(self, widget: Any, html_name: str) -> Any:
        # What a field shows when rendered by Django (the person's fields): cut as raw() cuts it.
        value = super()._widget_data_value(widget, html_name)
        return echo_cut(value) if value.__class__ is str else value

    def raw(self, name: str) -> Any:
        """What the user typed or chose for ``name`` (the bound value, uncleaned; None for a
        field this form does not ask): ``BoundField.value()`` for our fields, whose
        ``prepare_value`` and ``bound_data`` give the value back as it is."""
        try:
            return self._raw[name]
        except KeyError:
            pass
        field = self.fields.get(name)
        if field is None:
            return None
        if self.is_bound:
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if value.__class__ is str and len(value) > MAX_ECHO:
                # No field's answer is this long: said at the field, and only the first
                # characters are written back into the page (issue 9: fields are echoed at most
                # 100 characters long), the cut marked with "…": sent again as shown, or
                # through a link that carries it, it is still refused, never calculated.
                self.input_errors[name] = gettext("%(label)s太长：最多 %(limit)s 个字符，这里有 %(count)s 个。") % {
                    "label": field.label, "limit": MAX_ECHO, "count": len(value),
                }
                value = echo_cut(value)
        else:
            value = self.get_initial_for_field(field, name)
        self._raw[name] = value
        return value

    def has_any_error(self, *names: str) -> bool:
        return any(name in self.errors for name in names)

    def _amount(self, name: str) -> str:
        if name not in self.fields:  # not asked for this region
            return ""
        amount, problem = _clean_amount(self.raw(name), self.fields[name].label)
        if problem:
            self.input_errors.setdefault(name, problem)  # "too long" (raw) is said first
        return amount

    def _date(self, name: str, *, latest: dt.date | None = None) -> str:
        text = _clean_date(self.raw(name))
        if latest is not None and _ISO_DATE.match(text):
            try:
                date = dt.date.fromisoformat(text)
            except ValueError:
                return text  # impossible dates are the contract's (date_impossible)
            if date > latest and name not in self.input_errors:
                self.input_errors[name] = gettext("%(label)s不能晚于 %(last)s（未来的就诊最多估算到明年 12 月 31 日）。") % {
                    "label": self.fields[name].label,
                    "last": latest.isoformat(),
                }
        return text


_clean_text = typed.text


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_clean_date = typed.date  # "2024/3/1", "2024年3月1日", "2024-03-01 10:30" → "2024-03-01"


def _clean_amount(value: Any, label: Any = "") -> tuple[str, str | None]:
    """"１,２００ 元" → ("1200", None) (calculator/web/typed.py: the import reads alike). A comma
    or space that is not a thousands separator gives (text, message): "120 30" is not 12030."""
    amount, problem = typed.amount(value)
    return amount, (typed.problem_message(problem, label, value) if problem else None)


def _period_text(start: dt.date, end: dt.date | None) -> str:
    if end is None:
        return gettext("%(start)s 起") % {"start": start.isoformat()}
    return gettext("%(start)s 至 %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}


def region_choices() -> tuple[list[tuple[str, list[tuple[str, str]]]], dict[str, str]]:
    """Regions grouped by province (for ``<optgroup>``), by name only, and for each region the
    hint that says which visit dates its rules on file cover (shown once a region is chosen:
    in the closed list on a phone, "徐州市 · 2023-01-01 至 2027-12-31" cut short read as if the
    policy had ended). Made once per language and loaded policy data."""
    policies = load_policies()
    language = get_language() or ""
    cached = _REGION_CHOICES.get(language)
    if cached is not None and cached[0] is policies:
        return cached[1]
    groups: dict[str, list[tuple[str, str]]] = {}
    hints: dict[str, str] = {}
    for region in policies.values():
        name = gettext(region.name)
        groups.setdefault(gettext(region.province), []).append((region.code, name))
        periods = gettext("；").join(_period_text(v.effective_from, v.effective_to) for v in region.versions)
        hints[region.code] = gettext("%(region)s已收录的规定（按就诊日期适用）：%(periods)s。") % {
            "region": name,
            "periods": periods,
        }
    made = (list(groups.items()), hints)
    _REGION_CHOICES[language] = (policies, made)
    return made


_REGION_CHOICES: dict[str, tuple[Any, Any]] = {}  # language: (the policy data, region_choices())


class RegionSelect(forms.Select):
    """The region list; each option carries its hint for the script to show when chosen."""

    hints: dict[str, str] = {}
    empty_hint: Any = None  # the hint while no region is chosen

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int, subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        hint = self.hints.get(str(value)) if value else self.empty_hint
        if hint:
            option["attrs"]["data-hint"] = hint
        if value:
            # The visit options this region's rules use (calculator.js draws the rows again
            # when one of them is missing from the rows on the page).
            unused = region_facts.unused_visit_options(str(value))
            option["attrs"]["data-row-options"] = " ".join(o for o in region_facts.REGION_VISIT_OPTIONS if o not in unused)
        return option


class CalculatorForm(_RenderOnlyForm):
    """The person: region, status, age and the optional account figures."""

    region = forms.ChoiceField(
        label=_("参保地区"),
        required=False,
        widget=RegionSelect,
        help_text=_("选择地区后，这里显示本计算器已收录的该地区规定适用于哪些就诊日期。"),
    )
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
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-short"}),
        help_text=_("今天的周岁。部分地区退休人员个人账户划入额按年龄分档（按就诊年份推算当时的年龄）。"),
    )
    retired_on = forms.CharField(
        label=_("退休日期"),
        required=False,
        widget=forms.TextInput(attrs=DATE_ATTRS),
        help_text="",  # region_facts.apply: made from the policy data
    )
    flexible_employment = forms.BooleanField(
        label=_("灵活就业人员"),
        required=False,
        help_text="",  # region_facts.apply
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
        help_text="",  # region_facts.apply
    )
    prior_years_balance = forms.CharField(
        label=_("历年账户余额"),
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_ATTRS),
        help_text="",  # region_facts.apply
    )
    chronic_disease_count = forms.CharField(
        label=_("慢性病病种数"),
        required=False,
        max_length=2,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input-short"}),
        help_text="",  # region_facts.apply
    )

    OPTIONAL_FIELDS = (
        "flexible_employment",
        "contribution_base",
        "account_balance",
        "prior_years_balance",
        "chronic_disease_count",
    )

    helper = _helper(
        Layout(
            Fieldset(
                _("参保人"),
                GovField("region"),
                GovField("status"),
                GovField("age"),
                Div(GovField("retired_on"), data_retired_only=True),
                Details(
                    _("选填：灵活就业、缴费基数和个人账户余额"),
                    *map(GovField, OPTIONAL_FIELDS),
                    open_if="optional_open",
                    css_class="optional",
                ),
                css_class="panel",
                legend_class="panel-title",
            )
        )
    )

    def __init__(self, *args: Any, choices: tuple[list[Any], dict[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = choices or region_choices()
        chosen = _clean_text(self.data.get(self.add_prefix("region"))) if self.is_bound else ""
        code = region_facts.region_code(chosen)
        language = get_language() or ""
        self.fields = dict(_person_fields(language, choices, chosen if chosen in choices[1] else "", code))
        if self.is_bound and code is not None:
            # A figure the region's rules do not ask for, filled in before the region was chosen
            # (a 历年账户 balance, a number of chronic diseases): kept and asked again, so the
            # answer says what the rules make of it (merged into the one account; not used),
            # instead of a page that silently leaves it out.
            every = _person_fields(language, choices, chosen if chosen in choices[1] else "", None)
            _readd_set_fields(self, every, region_facts.unused_person_options(code))

    def fields_html(self) -> SafeString:
        """The person's fields as ``{% crispy form %}`` gave them (govform, in Python)."""
        return form_html(self)

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
        retired_on = self._date("retired_on")
        if retired_on:
            data["retired_on"] = retired_on
        for name in ("contribution_base", "account_balance", "prior_years_balance"):
            amount = self._amount(name)
            if amount:
                data[name] = amount
        count = _clean_text(self.raw("chronic_disease_count"))
        if count:
            data["chronic_disease_count"] = count
        return data


_PERSON_FIELDS: dict[tuple[str, str, str | None], tuple[Any, dict[str, forms.Field]]] = {}


def _person_fields(
    language: str, choices: tuple[list[Any], dict[str, str]], chosen: str, code: str | None
) -> dict[str, forms.Field]:
    """The person's fields for a language, the region list and the region chosen (by its
    code, or "" when none or an alias), made once and shared by every form alike (never
    changed once made: a form's errors and values live on the form and its BoundFields)."""
    key = (language, chosen, code)
    cached = _PERSON_FIELDS.get(key)
    if cached is not None and cached[0] is choices:
        return cached[1]
    fields: dict[str, forms.Field] = {}
    for name, base in CalculatorForm.base_fields.items():
        field = copy.copy(base)
        field.widget = copy.copy(base.widget)
        field.widget.attrs = dict(base.widget.attrs)
        field.error_messages = dict(base.error_messages)
        field.validators = list(base.validators)
        fields[name] = field
    groups, hints = choices
    region = fields["region"]
    region.choices = [("", _("请选择参保地区")), *groups]
    region.widget.hints = hints
    region.widget.empty_hint = region.help_text
    made = region_facts.hints()  # hints naming regions come from the policy data
    for name, field in fields.items():
        if name in made:
            field.help_text = made[name]
    # Once a region is chosen, optional figures its rules never use are not asked (as the
    # visit rows' options): a 历年账户 balance outside 上海, say.
    for name in region_facts.unused_person_options(code):
        del fields[name]
    if chosen:
        region.help_text = hints[chosen]
    # In this language as plain strings: a lazy text is translated again each time it is shown.
    for field in fields.values():
        field.label = str(field.label)
        field.help_text = str(field.help_text)
        if isinstance(field, forms.ChoiceField):
            field.choices = _plain_choices(field.choices)
    region.widget.empty_hint = str(region.widget.empty_hint)
    if len(_PERSON_FIELDS) < 256:  # languages × regions: a bound, not a policy
        _PERSON_FIELDS[key] = (choices, fields)
    return fields


def _plain_choices(choices: list[Any]) -> list[Any]:
    return [
        (value, _plain_choices(label) if isinstance(label, (list, tuple)) else str(label)) for value, label in choices
    ]


@lru_cache(maxsize=4)
def _visit_texts(language: str) -> dict[str, tuple[str, str, list[tuple[str, str]] | None]]:
    """Each visit field's label, hint and option names as plain strings, for ``language``."""
    out = {}
    for name, field in VisitForm.base_fields.items():
        choices = [(value, str(label)) for value, label in field.choices] if hasattr(field, "choices") else None
        out[name] = (str(field.label), str(field.help_text), choices)
    return out


class VisitForm(_RenderOnlyForm):
    """One visit: the settlement slip's figures plus the less common options."""

    date = forms.CharField(
        label=_("就诊日期"),
        required=False,
        widget=forms.TextInput(attrs=DATE_ATTRS),
        help_text=_("年-月-日，例如 2024-03-01。"),
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
        help_text="",  # region_facts.apply
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
        help_text="",  # region_facts.apply
    )
    chronic = forms.BooleanField(
        # The field's label carries the Chinese term in English, as the other labels do.
        label=pgettext_lazy("visit field", "门诊慢性病"),
        required=False,
        help_text="",  # region_facts.apply
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
        help_text="",  # region_facts.apply: the regions whose rates go by price class, from the data
    )

    MAIN_FIELDS = ("date", "level", "setting", "total", "excluded", "class_b")
    MORE_FIELDS = ("offsite", "inpatient_stay", "chronic", "price_class")
    # Rendered through crispy like the person's fields: the layout is one govform object that
    # writes the row (MAIN_FIELDS, then MORE_FIELDS under 更多选项) in Python; see visit_rows.py.
    helper = _helper(Layout(Written(row_html)))
    # The contract's name for a field when it differs from ours.
    CONTRACT_NAMES = {"chronic": "category"}

    def __init__(self, *args: Any, row: int, autofocus: bool = False, region: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"visits-{row}", **kwargs)
        self.row = row
        self.number = row + 1
        language = get_language() or "zh-hans"
        fields, shared = _row_fields(language, region, row == 0, autofocus)
        self.fields = dict(fields)  # shared with the other rows alike: never changed
        if self.is_bound and region is not None:
            # An option the region's rules do not use, set all the same (ticked on the page
            # before the region was chosen, or without JavaScript): asked again, so that what
            # the rules say of it (a refusal at the field, or a notice) is shown, not dropped.
            _readd_set_fields(self, _row_fields(language, None, row == 0, False)[0], region_facts.REGION_VISIT_OPTIONS)
        # Hints are shown on the first visit row only; later rows point to them (page weight:
        # each row would otherwise repeat ~1.5 KB of the same sentences).
        self.shared_hints: dict[str, str] = dict(shared)

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

    def contract_data(self, latest: dt.date | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "date": self._date("date", latest=latest or last_accepted_visit_date()),
            "setting": _clean_text(self.raw("setting")) or "clinic",
            "total": self._amount("total"),
            "offsite": _clean_text(self.raw("offsite")) or "none",
            "inpatient_stay": bool(self.raw("inpatient_stay")),
            "category": "chronic" if self.raw("chronic") else "general",
        }
        for name in ("excluded", "class_b"):
            amount = self._amount(name)
            if amount:
                data[name] = amount
        for name in ("level", "price_class"):
            value = _clean_text(self.raw(name))
            if value:
                data[name] = value
        return data


@lru_cache(maxsize=128)  # languages × regions × first row × autofocus
def _row_fields(language: str, region: str | None, first: bool, autofocus: bool) -> tuple[dict[str, forms.Field], dict[str, str]]:
    """A visit row's fields, made once per language, region, first row or not, and autofocus,
    and shared by every row alike (a page of 50 rows of 10 fields copied and translated each
    field 50 times). Returns the fields and, for a later row, the first row's hint ids."""
    texts = _visit_texts(language)
    made = region_facts.hints()  # hints naming regions come from the policy data
    # Once a region is chosen, options its rules never use are not asked (a 山西 price class,
    # a 门诊慢性病 visit, the hospital-stay rule): one question per idea, and a lighter page.
    unused = region_facts.unused_visit_options(region)
    fields: dict[str, forms.Field] = {}
    shared: dict[str, str] = {}
    for name, base in VisitForm.base_fields.items():
        if name in unused:
            continue
        field = copy.copy(base)
        field.widget = copy.copy(base.widget)
        field.widget.attrs = dict(base.widget.attrs)
        label, help_text, choices = texts[name]
        field.label = label
        field.help_text = made.get(name, help_text)
        if choices is not None:
            field.choices = choices
        if not first and field.help_text:
            shared[name] = f"id_visits-0-{name}_helptext"
            field.help_text = ""
        fields[name] = field
    if autofocus:
        fields["date"].widget.attrs["autofocus"] = True
    return fields, shared


def _readd_set_fields(form: forms.Form, every: dict[str, forms.Field], names: tuple[str, ...]) -> None:
    """Put back, in the form's own field order (the page's, and so the error summary's), the
    fields among ``names`` the form does not ask but whose value was sent set: a ticked box
    as its widget reads it, a text or choice not blank."""
    added = False
    for name in names:
        if name in form.fields or name not in every:
            continue
        value = every[name].widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        if value not in (None, "", False):
            form.fields[name] = every[name]
            added = True
    if added:
        order = list(type(form).base_fields)
        form.fields = dict(sorted(form.fields.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


def _no_copy(self: forms.Field, memo: dict[int, Any]) -> forms.Field:
    # Django deep-copies a form's base fields for each form; a visit row and the person's
    # form replace them at once with their prepared ones (_row_fields, _person_fields), so
    # the copy would be thrown away.
    return self


for _field in (*VisitForm.base_fields.values(), *CalculatorForm.base_fields.values()):
    _field.__class__ = type(f"Shared{type(_field).__name__}", (type(_field),), {"__deepcopy__": _no_copy})
del _field


_GLOSS = re.compile(r"\s*[（(][^（）()]*[）)]$")  # an English label's Chinese term: "Visit date (就诊日期)"


def _unless_named(label: Any, message: str) -> str:
    """A field's label for its summary line, or "" where the message names the field itself
    ("年龄：请填写年龄", "Age (年龄): please fill this in.", "The visit date 2020-01-01 is
    outside…" for "Visit date (就诊日期)"): the label is said once, and every line of the
    summary reads "Visit 2: message" alike."""
    text = str(label)
    bare = _GLOSS.sub("", text)
    return "" if text in message or (bare and bare.casefold() in message.casefold()) else text


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
    action: str | None  # "add" | "remove" | "redraw" (the region changed: rows drawn for it) | "restore" | None
    summary: list[SummaryError]
    rows_given: int = 0  # visit rows in the request, before the page's limit

    @property
    def too_many_rows(self) -> bool:
        return self.rows_given > MAX_ROWS

    def refuse_too_many_rows(self) -> None:
        """More rows than the page holds: say so instead of silently dropping the rest."""
        message = _("网页一次最多计算 %(limit)s 次就诊，您填写了 %(count)s 次，超出部分没有显示。全部一起计算请用 API / 命令行（一次最多 1000 次）：分批计算时起付标准和年度限额会各自重新累计，合计不对。") % {
            "limit": MAX_ROWS,
            "count": self.rows_given,
        }
        self.summary.append(SummaryError(self.visits[0]["date"].auto_id, str(_("就诊记录")), str(message)))

    @property
    def can_remove(self) -> bool:
        return len(self.visits) > 1

    def rows_html(self) -> SafeString:
        """The visit rows' markup (``calculator.web.visit_rows``: written in Python)."""
        return visit_rows_html(self.visits, can_remove=self.can_remove)

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
        latest = last_accepted_visit_date()  # today's date looked up once, not per row
        data["visits"] = [v.contract_data(latest) for v in rows]
        self._sent_rows = rows
        return data, [v.row for v in rows]

    def with_input_errors(self, errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The contract's errors with the form's own (commas, dates too far ahead) in place of
        the contract's message for the same field. Call after ``contract_data``."""
        ours = [{"field": name, "message": message} for name, message in self.form.input_errors.items()]
        for i, visit in enumerate(getattr(self, "_sent_rows", [])):
            ours += [
                {"field": f"visits[{i}].{VisitForm.CONTRACT_NAMES.get(name, name)}", "message": message}
                for name, message in visit.input_errors.items()
            ]
        taken = {error["field"] for error in ours}
        return ours + [error for error in errors if error["field"] not in taken]

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
                field_label = _unless_named(visit.fields[name].label, message)
                if field_label:
                    label = _("第 %(number)s 次就诊 · %(label)s") % {"number": visit.number, "label": field_label}
                else:
                    label = _("第 %(number)s 次就诊") % {"number": visit.number}
                summary.append(SummaryError(visit[name].auto_id, str(label), message))
            elif field in self.form.fields:
                self.form.add_error(field, message)
                summary.append(SummaryError(top_ids[field], _unless_named(self.form.fields[field].label, message), message))
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


# Buttons (and calculator.js's redraw when the region changes) that change the rows instead of
# calculating.
ACTION_KEYS = ("add_visit", "remove_visit", "redraw_visits", "restore_visits")


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
    choices = region_choices()
    top_names = set(CalculatorForm.base_fields)
    submitted = any(key in top_names or _ROW_KEY.match(key) for key in query)
    if not submitted:
        form = CalculatorForm(choices=choices)
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
    elif "redraw_visits" in query:
        # The region changed (calculator.js): the same rows, with the options of the new
        # region (门诊慢性病 only in 玉溪, 收费类别 and 住院期间 only in 山西).
        action = "redraw"
    elif "restore_visits" in query:
        # Rows typed before a language switch, drawn again on the new page (calculator.js).
        action = "restore"
    if not rows:
        rows = [{}]
    row_data = _row_data(rows)
    region_code = region_facts.region_code(query.get("region"))
    form = CalculatorForm(query, choices=choices)
    visits = [
        VisitForm(row_data if row else None, row=i, autofocus=(i == focus_row), region=region_code)
        for i, row in enumerate(rows)
    ]
    return CalculatorState(form, visits, submitted=True, action=action, summary=[], rows_given=rows_given)
