"""The calculation contract: JSON in, JSON out, the same for the CLI and the API.

``parse_request`` turns a decoded JSON object into a :class:`CalculationRequest` or a list
of field errors (Chinese messages, field paths such as ``visits[0].total``).
``run_contract`` does the whole round trip and never raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from typing import Any

import orjson

from calculator.rules import registry
from calculator.rules.gcpause import collector_paused
from calculator.rules.messages import Translate, identity
from calculator.rules.model import CalculationRequest, Visit
from calculator.rules.money import FEN, fmt_yuan
from calculator.rules.params import fen
from calculator.rules.report import result_json

MAX_VISITS = 1000
MAX_AMOUNT = Decimal("10000000")
MAX_UNKNOWN_REPORTED = 20  # unknown keys listed in one answer; the last one's message counts the rest
MAX_ECHO = 100  # characters of a typed value (key, region, date) quoted back in a message
SETTINGS = ("clinic", "pharmacy", "internet", "non_designated")
OFFSITE = ("none", "filed", "unfiled")
CATEGORIES = ("general", "chronic")
STATUSES = ("employed", "retired")
LANGS = ("zh-hans", "en")
LANG_NAMES = {"zh-hans": "中文", "en": "English"}

FIELD_LABELS = {
    "region": "参保地区",
    "status": "参保身份",
    "age": "年龄",
    "retired_on": "退休日期",
    "age_on": "年龄对应的日期",
    "flexible_employment": "灵活就业人员",
    "contribution_base": "月缴费基数",
    "account_balance": "个人账户余额",
    "prior_years_balance": "历年账户余额",
    "chronic_disease_count": "慢性病病种数",
    "visits": "就诊记录",
    "date": "就诊日期",
    "level": "医疗机构级别",
    "setting": "就诊类型",
    "total": "费用总额",
    "excluded": "自费金额",
    "class_b": "乙类金额",
    "price_class": "收费类别",
    "offsite": "异地就医",
    "inpatient_stay": "住院期间",
    "category": "门诊类别",
    "lang": "语言",
}
TOP_FIELDS = {
    "region", "status", "age", "age_on", "retired_on", "flexible_employment", "contribution_base",
    "account_balance", "prior_years_balance", "chronic_disease_count", "visits", "lang",
}
VISIT_FIELDS = {
    "date", "level", "setting", "total", "excluded", "class_b", "price_class", "offsite",
    "inpatient_stay", "category",
}
_AMOUNT_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


# Every message the contract can give, as a template. The API answers in Chinese; the web
# layer translates the template (calculator/web/errors.py lists the same texts for gettext).
MESSAGES = {
    "required": "请填写{label}。",
    "not_money": "{label}必须是金额（元），例如 1200.00。",
    "not_finite": "{label}必须是有限的金额，不能是 NaN 或无穷大。",
    "negative": "{label}不能为负数。",
    "too_large": "{label}不能超过 {limit} 元。",
    "too_precise": "{label}最多保留两位小数（精确到分）。",
    "date_format": "{label}格式应为 年-月-日，例如 2024-03-01。",
    "date_impossible": "{label} {value} 不是真实存在的日期，请检查月份和日。",
    "not_int": "{label}必须是整数，不能带小数或引号。",
    "null_choice": "{label}不能是 null：请写 {lo} 到 {hi} 的整数，或不写这个字段。",
    "form_not_int": "{label}必须是整数。",
    "out_of_range": "{label}应在 {lo} 到 {hi} 之间。",
    "choice": "{label}只能是：{options}。",
    "not_bool": "{label}只能是 true 或 false。",
    "unknown_field": "未知字段“{name}”。",
    "region_required": "请选择参保地区。",
    "region_type": "参保地区必须是地区代码，例如 wuhan。",
    "region_unknown": "暂不支持参保地区“{name}”。可选：{known}。",
    "status_required": "请选择参保身份（在职或退休）。",
    "visits_required": "请至少填写一次就诊。",
    "visits_type": "就诊记录必须是列表。",
    "visits_too_many": "一次最多计算 {limit} 次就诊，本次有 {count} 次。",
    "visit_type": "第 {number} 次就诊必须是一个对象。",
    "excluded_too_large": "自费金额（{excluded} 元）不能大于费用总额（{total} 元）。",
    "class_b_too_large": "乙类金额（{class_b} 元）不能大于费用总额减去自费金额（{limit} 元）。",
    "date_not_covered": "就诊日期 {date} 不在{region}已收录的政策期间内（{coverage}），无法计算。",
    "date_after_rules": "就诊日期 {date} 晚于{region}已收录规定的有效期（至 {end}）：此后适用的规定本计算器尚未收录，无法估算。",
    "retired_on_required": "{region}退休人员的待遇按退休日期在 {split_on} 之前或之后区分，请填写退休日期。",
    "chronic_unsupported": "{region}的门诊慢特病待遇不在本计算器范围内（目前收录门诊慢性病规定的地区：{supported}），请选择普通门诊。",
    "level_required": "请选择医疗机构级别（药店请选开具处方的医疗机构级别）。",
    "request_type": "请求必须是一个 JSON 对象。",
    "date_too_late": "{label}不能晚于 {last}（未来的就诊最多估算到明年 12 月 31 日）。",
    "retired_on_too_late": "退休日期不能晚于 {last}（本计算器最多估算到明年 12 月 31 日）。",
    "age_on_too_late": "年龄对应的日期不能晚于今天（{today}）。",
    "retired_too_young": "按年龄 {age} 岁推算，{retired_on} 退休时不到 {min_age} 岁，请检查年龄和退休日期。",
    "retiree_too_young": "退休人员的年龄不能小于 {min_age} 岁，请检查年龄和参保身份。",
}
# A retiree younger than the lowest legal working age (劳动法 第十五条: 16) is a typing mistake,
# not a case to compute (上海's cohort, and so the rate, follows the retirement date).
MIN_RETIREMENT_AGE = 16
# Said once, in the message of the last of the MAX_UNKNOWN_REPORTED unknown keys listed. Not in MESSAGES: the web form
# never sends unknown keys, so the page has nothing to translate.
MORE_UNKNOWN = "另有 {count} 个未知字段未列出（每次最多列出 {limit} 个）。"

# A key given in a JSON request with null (or "") where the schema lists the allowed values
# (an enum) is refused, not read as the default; a missing key keeps its default.
_MISSING: Any = object()


def _echo(text: Any) -> str:
    """A value typed by the client, as quoted back in a message or a field path: at most
    MAX_ECHO characters (the cut marked with …), so an answer never grows with the input."""
    text = str(text)
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 1] + "…"


echo_cut = _echo  # the web page writes a long value back the same way (cut, marked with …)


class _Errors:
    def __init__(self, form: bool = False) -> None:
        # form=True: the values come from an HTML form, where every value is text, so
        # whole numbers may arrive as digit strings. JSON requests must use JSON types.
        self.form = form
        self.items: list[dict[str, Any]] = []
        self._seen: set[str] = set()
        self._unknown = 0  # unknown keys met, listed or not
        self._unknown_listed = 0  # of them, listed with an entry of their own
        self._unknown_at = 0  # where the "more" line goes: after the last one listed

    def add(self, field: str, template: str, **params: Any) -> None:
        """Record the first problem of a field. ``template`` is one of MESSAGES' texts;
        the web layer translates it (the API gets the Chinese message)."""
        if field not in self._seen:
            self._seen.add(field)
            message = template.format(**params) if params else template
            self.items.append({"field": field, "message": message, "template": template, "params": params})

    def has(self, field: str) -> bool:
        return field in self._seen

    def unknown(self, prefix: str, key: Any) -> None:
        """An unknown key: the first MAX_UNKNOWN_REPORTED are listed (name cut to MAX_ECHO
        characters); finish() adds one line counting the rest."""
        self._unknown += 1
        if self._unknown_listed < MAX_UNKNOWN_REPORTED:
            name = _echo(key)
            # Two long keys cut to the same name are one entry: the other is counted with the
            # rest, so the count says how many keys were not listed.
            if not self.has(prefix + name):
                self.add(prefix + name, MESSAGES["unknown_field"], name=name)
                self._unknown_listed += 1
                self._unknown_at = len(self.items)

    def finish(self) -> list[dict[str, Any]]:
        more = self._unknown - self._unknown_listed
        if more > 0 and self._unknown_at:
            # The count of the rest goes into the last listed key's message, so that an answer
            # never holds more than MAX_UNKNOWN_REPORTED entries about unknown keys.
            last = self.items[self._unknown_at - 1]
            template = last["template"] + MORE_UNKNOWN
            params = {**last["params"], "count": more, "limit": MAX_UNKNOWN_REPORTED}
            last.update(message=template.format(**params), template=template, params=params)
            self._unknown = self._unknown_listed  # once
        return self.items


def _label(field: str) -> str:
    return FIELD_LABELS.get(field.rsplit(".", 1)[-1], field)


def _amount(raw: Any, field: str, errors: _Errors, *, default: Decimal | None = None, required: bool = False) -> Decimal | None:
    label = _label(field)
    if raw is None or (isinstance(raw, str) and not raw.strip() and (errors.form or required)):
        # null: not given (the schema marks optional amounts nullable). A blank string is
        # "not given" in the web form only; in JSON it is not an amount.
        if required:
            errors.add(field, MESSAGES["required"], label=label)
        return default
    if isinstance(raw, bool) or not isinstance(raw, (int, Decimal, str)):
        errors.add(field, MESSAGES["not_money"], label=label)
        return None
    if isinstance(raw, str):
        # The form's text is trimmed; JSON is read as the schema writes it ("1200.50": no
        # spaces around it, at most two decimals written, trailing zeros too).
        text = raw.strip() if errors.form else raw
        if text.lower().lstrip("+-") in ("nan", "snan", "inf", "infinity"):
            errors.add(field, MESSAGES["not_finite"], label=label)
            return None
        if not _AMOUNT_RE.fullmatch(text):
            errors.add(field, MESSAGES["not_money"], label=label)
            return None
        if not errors.form and len(text.partition(".")[2]) > 2:
            errors.add(field, MESSAGES["too_precise"], label=label)
            return None
        if text.startswith("-"):  # a typed amount has no sign ("-0" too; the schema's pattern has none)
            errors.add(field, MESSAGES["negative"], label=label)
            return None
        value = Decimal(text)
    else:
        value = Decimal(raw)  # a JSON number (ints and floats both arrive as Decimal)
        if not value.is_finite():
            errors.add(field, MESSAGES["not_finite"], label=label)
            return None
        if value < 0:
            errors.add(field, MESSAGES["negative"], label=label)
            return None
    # adjusted() is the power of ten of the leading digit: look before doing any arithmetic,
    # so a number with a million digits or an exponent of a million costs nothing.
    if value and value.adjusted() > 7:
        errors.add(field, MESSAGES["too_large"], label=label, limit=fmt_yuan(MAX_AMOUNT))
        return None
    if value and value.adjusted() < -3 or value != value.quantize(FEN):
        errors.add(field, MESSAGES["too_precise"], label=label)
        return None
    if value > MAX_AMOUNT:
        errors.add(field, MESSAGES["too_large"], label=label, limit=fmt_yuan(MAX_AMOUNT))
        return None
    # -0 is zero (the schema's minimum 0 admits it): carried as 0.00, never as a signed zero.
    return abs(value).quantize(FEN)  # money is carried in fen from here on


def _date(raw: Any, field: str, errors: _Errors, *, required: bool) -> dt.date | None:
    label = _label(field)
    if raw is None or (isinstance(raw, str) and not raw.strip() and (errors.form or required)):
        if required:
            errors.add(field, MESSAGES["required"], label=label)
        return None
    # The form's text is trimmed; JSON is read as the schema writes it ("2024-03-01").
    text = raw.strip() if isinstance(raw, str) and errors.form else raw
    if not isinstance(text, str) or not _DATE_RE.fullmatch(text):
        errors.add(field, MESSAGES["date_format"], label=label)
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.add(field, MESSAGES["date_impossible"], label=label, value=_echo(text))
        return None


def _int(
    raw: Any, field: str, errors: _Errors, *, lo: int, hi: int, required: bool, default: int | None = None,
    enum: bool = False,
) -> int | None:
    """A whole number. ``enum``: the schema lists its values (level, price_class), so in
    JSON a null is refused like any value outside the list; a missing key is not given."""
    label = _label(field)
    if raw is _MISSING:
        raw = None
    elif raw is None and enum and not errors.form:
        errors.add(field, MESSAGES["null_choice"], label=label, lo=lo, hi=hi)
        return None
    if raw is None or (isinstance(raw, str) and not raw.strip() and (errors.form or required)):
        if required:
            errors.add(field, MESSAGES["required"], label=label)
        return default
    not_int = MESSAGES["form_not_int"] if errors.form else MESSAGES["not_int"]
    if isinstance(raw, str) and errors.form and re.fullmatch(r"-?[0-9]+", raw.strip()):
        if len(raw.strip().lstrip("-")) > 9:
            # A whole number, only far too large (or small): out of range, not "not whole".
            errors.add(field, MESSAGES["out_of_range"], label=label, lo=lo, hi=hi)
            return None
        raw = int(raw.strip())
    elif isinstance(raw, Decimal):
        # A JSON number with no fraction: 45, 45.0 and 4.5e1 alike (the schema's "integer"
        # admits each); 45.5 is not a whole number.
        if not raw.is_finite():
            errors.add(field, not_int, label=label)
            return None
        if raw and raw.adjusted() > 6:
            errors.add(field, MESSAGES["out_of_range"], label=label, lo=lo, hi=hi)
            return None
        if raw != raw.to_integral_value():
            errors.add(field, not_int, label=label)
            return None
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        errors.add(field, not_int, label=label)
        return None
    if not lo <= raw <= hi:
        errors.add(field, MESSAGES["out_of_range"], label=label, lo=lo, hi=hi)
        return None
    return raw


def _choice(raw: Any, field: str, errors: _Errors, options: tuple, *, default: Any, names: dict | None = None) -> Any:
    """One of ``options`` (an enum in the schema). A missing key (``_MISSING``) gives the
    default; in JSON, null or "" is refused like any other value outside the list; in the
    web form an empty value is the default."""
    if raw is _MISSING or (errors.form and (raw is None or raw == "")):
        return default
    if raw not in options or isinstance(raw, bool) != isinstance(options[0], bool):
        shown = "、".join(f"{names[o]}（{o}）" if names else str(o) for o in options)
        # ``choices`` keeps the names and codes apart, for a message in another language.
        choices = [(names[o] if names else None, str(o)) for o in options]
        errors.add(field, MESSAGES["choice"], label=_label(field), options=shown, choices=choices)
        return None
    return raw


def _bool(raw: Any, field: str, errors: _Errors) -> bool:
    if raw is None:
        return False
    if not isinstance(raw, bool):
        errors.add(field, MESSAGES["not_bool"], label=_label(field))
        return False
    return raw


SETTING_NAMES = {"clinic": "门诊", "pharmacy": "药店", "internet": "互联网+", "non_designated": "非定点"}
OFFSITE_NAMES = {"none": "本地", "filed": "异地已备案", "unfiled": "异地未备案"}
CATEGORY_NAMES = {"general": "普通门诊", "chronic": "门诊慢性病"}
STATUS_NAMES = {"employed": "在职", "retired": "退休"}


def parse_request(data: Any, *, form: bool = False) -> tuple[CalculationRequest | None, list[dict[str, Any]]]:
    """Validate a decoded request. ``form=True`` for values typed into the web form (all
    text); the API and the CLI use JSON types strictly."""
    errors = _Errors(form)
    if not isinstance(data, dict):
        return None, [{"field": "(root)", "message": MESSAGES["request_type"], "template": MESSAGES["request_type"], "params": {}}]
    for key in data:
        if key not in TOP_FIELDS:
            errors.unknown("", key)

    region = None
    region_raw = data.get("region")
    if region_raw is None or (isinstance(region_raw, str) and not region_raw.strip()):
        errors.add("region", MESSAGES["region_required"])
    elif not isinstance(region_raw, str):
        errors.add("region", MESSAGES["region_type"])
    else:
        region = registry.find_region(region_raw)
        if region is None:
            regions = [(r.name, r.code) for r in registry.load_policies().values()]
            known = "、".join(f"{name}（{code}）" for name, code in regions)
            errors.add("region", MESSAGES["region_unknown"], name=_echo(region_raw.strip()), known=known, choices=regions)

    status = data.get("status")
    if status is None or status == "":
        errors.add("status", MESSAGES["status_required"])
        status = None
    else:
        status = _choice(status, "status", errors, STATUSES, default=None, names=STATUS_NAMES)
    age = _int(data.get("age"), "age", errors, lo=0, hi=120, required=True)
    retired_on = _date(data.get("retired_on"), "retired_on", errors, required=False)
    # The day ``age`` is counted on (a saved answer reopened later: the day it was saved);
    # today when not given.
    age_on = _date(data.get("age_on"), "age_on", errors, required=False)
    flexible = _bool(data.get("flexible_employment"), "flexible_employment", errors)
    base = _amount(data.get("contribution_base"), "contribution_base", errors)
    balance = _amount(data.get("account_balance"), "account_balance", errors, default=Decimal("0.00"))
    prior = _amount(data.get("prior_years_balance"), "prior_years_balance", errors, default=Decimal("0.00"))
    lang = _choice(data.get("lang", _MISSING), "lang", errors, LANGS, default="zh-hans", names=LANG_NAMES)
    chronic_count = _int(data.get("chronic_disease_count"), "chronic_disease_count", errors, lo=1, hi=20, required=False, default=1)

    visits_raw = data.get("visits")
    visits: list[Visit] = []
    partial: list[Visit] = []  # refused visits: checked against the rules too (dateless ones for the level)
    if visits_raw is None:
        errors.add("visits", MESSAGES["visits_required"])
    elif not isinstance(visits_raw, list):
        errors.add("visits", MESSAGES["visits_type"])
    elif not visits_raw:
        errors.add("visits", MESSAGES["visits_required"])
    elif len(visits_raw) > MAX_VISITS:
        errors.add("visits", MESSAGES["visits_too_many"], limit=MAX_VISITS, count=len(visits_raw))
    else:
        for i, raw in enumerate(visits_raw):
            visit = _fast_visit(i, raw) if not errors.form else None
            if visit is None:  # anything unusual gets the full check and its messages
                visit = _parse_visit(i, raw, errors, partial)
            if visit is not None:
                visits.append(visit)

    today = dt.date.today()
    horizon = last_visit_date(today)
    if age_on is not None and age_on > today:
        errors.add("age_on", MESSAGES["age_on_too_late"], today=today.isoformat())
        age_on = None
    _check_person(status, age, retired_on, age_on or today, horizon, errors)
    if region is not None:
        # Also when other fields are wrong (the status too: the dates and levels do not
        # depend on it): every problem is reported in one answer (a field keeps its first
        # problem only, so a bad level is not also "请选择医疗机构级别").
        checked = visits if not partial else sorted(visits + partial, key=lambda v: v.index)
        _check_against_rules(region, status, retired_on, checked, errors, horizon)
        if status == "retired" and retired_on is None and not errors.has("retired_on"):
            # No visit's date could be placed under a rule (refused, or outside every rule's
            # dates): whether the retirement date is needed is still known when every version
            # of the region splits retirees by it (上海), so it is said now, not in a second round.
            cohorts = [v.param("retiree_cohorts") for v in region.versions]
            if all(cohorts):
                errors.add("retired_on", MESSAGES["retired_on_required"], region=region.name, split_on=cohorts[0].value.split_on.isoformat())  # type: ignore[union-attr]  # all(cohorts)

    if errors.items:
        return None, errors.finish()
    assert region is not None and status is not None and age is not None
    assert balance is not None and prior is not None and chronic_count is not None
    return (
        CalculationRequest(
            region=region.code,
            status=status,
            age=age,
            retired_on=retired_on,
            age_on=age_on,
            flexible_employment=flexible,
            contribution_base=None if base is None else fen(base),
            account_balance=fen(balance),
            prior_years_balance=fen(prior),
            chronic_disease_count=chronic_count,
            chronic_disease_count_given=data.get("chronic_disease_count") not in (None, ""),
            account_balance_given=data.get("account_balance") not in (None, ""),
            visits=tuple(visits),
            lang=lang,
        ),
        [],
    )


_record = tuple.__new__  # Visit(...) in one C call: model.Visit is a NamedTuple
_LEVELS = {"1": 1, "2": 2, "3": 3}  # str() of the JSON integer
_DATES: dict[str, dt.date] = {}  # well-formed date texts already read
_FENS: dict[str, int] = {}  # well-formed amount texts already read, as fen


def _remember_fen(raw: Any) -> int | None:
    value = _plain_fen(raw)
    if value is not None:
        if len(_FENS) >= 50_000:
            _FENS.clear()  # bounded, and never frozen with the first texts a worker met
        _FENS[raw] = value
    return value


def _plain_fen(raw: Any) -> int | None:
    """A well-formed amount string ("1200", "1200.5", "1200.50": 1–8 ASCII digits, then at
    most two decimals) as fen; None otherwise."""
    if raw.__class__ is not str or not raw.isascii():
        return None
    whole, dot, cents = raw.partition(".")
    if not (0 < len(whole) <= 8 and whole.isdigit()):
        return None
    if dot:
        if not (0 < len(cents) <= 2 and cents.isdigit()):
            return None
        value = int(whole) * 100 + (int(cents) * 10 if len(cents) == 1 else int(cents))
    else:
        value = int(whole) * 100
    return value if value <= 1_000_000_000 else None  # MAX_AMOUNT, in fen


def _fast_visit(i: int, raw: Any) -> Visit | None:
    """The common, well-formed visit, read without building error context; None sends the
    visit through ``_parse_visit``, which gives every message. Accepts exactly what the full
    check accepts for these shapes (tests/api/test_contract.py compares the two)."""
    if raw.__class__ is not dict or not VISIT_FIELDS.issuperset(raw):
        return None
    date_text = raw.get("date")
    if date_text.__class__ is not str:
        return None
    date = _DATES.get(date_text)
    if date is None:
        if not _DATE_RE.fullmatch(date_text):
            return None
        try:
            date = dt.date.fromisoformat(date_text)
        except ValueError:
            return None
        if len(_DATES) < 20_000:
            _DATES[date_text] = date
    # Amount strings repeat (0, the same 全自费 or 乙类 figures): each is read once.
    fens = _FENS
    text = raw.get("total")
    total = fens.get(text) if text.__class__ is str else None
    if total is None:
        total = _remember_fen(text)
    text = raw.get("excluded", "0")
    excluded = fens.get(text) if text.__class__ is str else None
    if excluded is None:
        excluded = _remember_fen(text)
    text = raw.get("class_b", "0")
    class_b = fens.get(text) if text.__class__ is str else None
    if class_b is None:
        class_b = _remember_fen(text)
    if total is None or excluded is None or class_b is None or excluded > total or class_b > total - excluded:
        return None
    level = raw.get("level", _MISSING)
    if level is _MISSING:
        level = None
    else:  # null is refused in JSON (an enum): only the full check says so
        # 1, 2 or 3 written as a plain integer ("2.0", "-0", "2E0" take the full check).
        level = _LEVELS.get(str(level)) if level.__class__ is Decimal else None
        if level is None:
            return None
    setting = raw.get("setting", "clinic")
    offsite = raw.get("offsite", "none")
    category = raw.get("category", "general")
    inpatient = raw.get("inpatient_stay", False)
    if setting not in SETTINGS or offsite not in OFFSITE or category not in CATEGORIES or inpatient.__class__ is not bool:
        return None
    if "price_class" in raw:
        return None
    return _record(Visit, (i, date, level, setting, total, excluded, class_b, None, offsite, inpatient, category))


def _parse_visit(i: int, raw: Any, errors: _Errors, partial: list[Visit] | None = None) -> Visit | None:
    """The visit, or None with its problems in ``errors``; a refused visit whose date could
    be read goes into ``partial`` (its amounts zero), so that the checks against the rules
    (date covered, level needed) report their problems in the same answer, not the next;
    one whose date could not be read goes in too, dated None: its level is still needed where
    every version of the region needs it."""
    p = f"visits[{i}]"
    if not isinstance(raw, dict):
        errors.add(p, MESSAGES["visit_type"], number=i + 1)
        return None
    before = len(errors.items)
    for key in raw:
        if key not in VISIT_FIELDS:
            errors.unknown(f"{p}.", key)
    date = _date(raw.get("date"), f"{p}.date", errors, required=True)
    setting = _choice(raw.get("setting", _MISSING), f"{p}.setting", errors, SETTINGS, default="clinic", names=SETTING_NAMES)
    level = _int(raw.get("level", _MISSING), f"{p}.level", errors, lo=1, hi=3, required=False, enum=True)
    total = _amount(raw.get("total"), f"{p}.total", errors, required=True)
    excluded = _amount(raw.get("excluded"), f"{p}.excluded", errors, default=Decimal("0.00"))
    class_b = _amount(raw.get("class_b"), f"{p}.class_b", errors, default=Decimal("0.00"))
    price_class = _int(raw.get("price_class", _MISSING), f"{p}.price_class", errors, lo=1, hi=3, required=False, enum=True)
    offsite = _choice(raw.get("offsite", _MISSING), f"{p}.offsite", errors, OFFSITE, default="none", names=OFFSITE_NAMES)
    inpatient = _bool(raw.get("inpatient_stay"), f"{p}.inpatient_stay", errors)
    category = _choice(raw.get("category", _MISSING), f"{p}.category", errors, CATEGORIES, default="general", names=CATEGORY_NAMES)
    if total is not None and excluded is not None and excluded > total:
        errors.add(f"{p}.excluded", MESSAGES["excluded_too_large"], excluded=fmt_yuan(excluded), total=fmt_yuan(total))
    elif total is not None and excluded is not None and class_b is not None and class_b > total - excluded:
        errors.add(f"{p}.class_b", MESSAGES["class_b_too_large"], class_b=fmt_yuan(class_b), limit=fmt_yuan(total - excluded))
    if len(errors.items) > before:
        if partial is not None:
            partial.append(_record(Visit, (
                i, date, level, setting or "clinic", 0, 0, 0, price_class, offsite or "none", bool(inpatient), category or "general",
            )))
        return None
    assert date is not None and total is not None and excluded is not None and class_b is not None
    return Visit(
        index=i,
        date=date,
        level=level,
        setting=setting,
        total=fen(total),
        excluded=fen(excluded),
        class_b=fen(class_b),
        price_class=price_class,
        offsite=offsite,
        inpatient_stay=inpatient,
        category=category,
    )


def last_visit_date(today: dt.date) -> dt.date:
    """Visits after today are estimated with the current rules up to 31 December next year
    (the web form says the same); later dates are refused, not computed."""
    return dt.date(today.year + 1, 12, 31)


def _check_person(status: Any, age: int | None, retired_on: dt.date | None, today: dt.date, horizon: dt.date, errors: _Errors) -> None:
    """The person's fields against each other: a retirement date no later than the last date
    the calculator estimates, and not before the member was old enough to work. ``today``:
    the day the age is counted on (the request's age_on, else today)."""
    if retired_on is not None and retired_on > horizon:
        errors.add("retired_on", MESSAGES["retired_on_too_late"], last=horizon.isoformat())
        return
    if status != "retired" or age is None:
        return
    if age < MIN_RETIREMENT_AGE:  # the age is what is wrong, whatever the retirement date
        errors.add("age", MESSAGES["retiree_too_young"], min_age=MIN_RETIREMENT_AGE)
        return
    if retired_on is None:
        return
    # The age at retirement is at most today's age less the whole years since (a future
    # retirement date only makes it older).
    years_since = today.year - retired_on.year - ((today.month, today.day) < (retired_on.month, retired_on.day))
    if age - max(0, years_since) < MIN_RETIREMENT_AGE:
        errors.add("retired_on", MESSAGES["retired_too_young"], age=age, retired_on=retired_on.isoformat(), min_age=MIN_RETIREMENT_AGE)


def _check_against_rules(region, status: str | None, retired_on, visits: list[Visit], errors: _Errors, horizon: dt.date) -> None:
    """Checks that need the region's rules: dates covered, fields the rules need."""
    version = None
    for v in visits:
        if v.date is None:  # a refused date: the level is asked if no version could do without it
            if v.level is None and all(_needs_level(other, v) for other in region.versions):
                errors.add(f"visits[{v.index}].level", MESSAGES["level_required"])
            continue
        if v.date > horizon:
            errors.add(f"visits[{v.index}].date", MESSAGES["date_too_late"], label=_label("date"), last=horizon.isoformat())
            continue
        # Visits mostly come in date order: the version of the last visit usually covers this one.
        if version is None or not version.covers(v.date):
            version = region.version_on(v.date)
        if version is None:
            last_end = region.versions[-1].effective_to
            if last_end is not None and v.date > last_end:
                # After the last rule's own end (上海's 办法: 有效期至 2026-12-31): said as such,
                # not as a gap in what the calculator has (the next rules are not known yet).
                errors.add(f"visits[{v.index}].date", MESSAGES["date_after_rules"], date=v.date.isoformat(), region=region.name, end=last_end.isoformat())
            else:
                errors.add(
                    f"visits[{v.index}].date", MESSAGES["date_not_covered"],
                    date=v.date.isoformat(), region=region.name, coverage=region.coverage_text(),
                )
            # Its date will change: the level is asked now if every rule needs it (no second round).
            if v.level is None and all(_needs_level(other, v) for other in region.versions):
                errors.add(f"visits[{v.index}].level", MESSAGES["level_required"])
            continue
        if status == "retired" and retired_on is None:
            cohorts = version.param("retiree_cohorts")
            if cohorts:
                errors.add("retired_on", MESSAGES["retired_on_required"], region=region.name, split_on=cohorts.value.split_on.isoformat())
        if v.category == "chronic" and not version.param("chronic"):
            errors.add(f"visits[{v.index}].category", MESSAGES["chronic_unsupported"], region=region.name, supported=_chronic_regions())
            continue
        if v.level is None and _needs_level(version, v):
            errors.add(f"visits[{v.index}].level", MESSAGES["level_required"])


# What a translated error's parts are made from (the messages' own words are MESSAGES, each a
# msgid of the site's catalog): a name beside its code, and a period of a region's rules.
NAMED_CODE = "{name}（{code}）"
CHOICE_SEPARATOR = "、 "  # a msgid of its own: "; " in English, where names can hold a comma


def field_label(label: str, translate: Translate) -> str:
    """A field's label as an error message names it: its translation in the context "field"
    where the same Chinese word means something else in a sentence (灵活就业人员: the field
    "Flexible employment", the people "flexibly employed people"), else its own."""
    text = translate(f"field\x04{label}")
    if "\x04" not in text:
        return text
    return translate(label)


def error_text(error: dict[str, Any], translate: Translate, choice_list: Any = None) -> str:
    """An error's message in ``translate``'s language, its parts translated too: the field's
    label, the region's name and its periods, the names in a list of choices. The identity
    gives the Chinese message as made. ``choice_list(choices)`` writes a list of (name, code)
    choices its own way (the web page: names only); by default each name with its code."""
    if translate is identity:
        return error["message"]
    if not error.get("template"):
        return translate(error["message"])  # a fixed sentence: its own msgid
    params = dict(error.get("params") or {})
    t = translate
    if isinstance(params.get("label"), str):
        params["label"] = field_label(params["label"], t)
    if "choices" in params:
        if choice_list is not None:
            listed = choice_list(params["choices"])
        else:
            listed = t(CHOICE_SEPARATOR).join(t(NAMED_CODE).format(name=t(name), code=code) if name else code for name, code in params["choices"])
        params["options" if "options" in params else "known"] = listed
    region = None
    if isinstance(params.get("region"), str):
        region = next((r for r in registry.load_policies().values() if r.name == params["region"]), None)
        params["region"] = t(params["region"])
    if "coverage" in params and region is not None:
        params["coverage"] = region.coverage_text(t)
    if "supported" in params:
        params["supported"] = t("、").join(t(name) for name in chronic_region_names())
    template = error["template"]
    if template.endswith(MORE_UNKNOWN) and template != MORE_UNKNOWN:
        # The last unknown key listed, with the count of the rest: two msgids.
        first = template[: -len(MORE_UNKNOWN)]
        return t(first).format(**params) + t(MORE_UNKNOWN).format(**params)
    return t(template).format(**params)


def chronic_region_names() -> list[str]:
    """The regions whose data has a 门诊慢性病 rule, as the data says (no list in code)."""
    return [r.name for r in registry.load_policies().values() if any(v.param("chronic") for v in r.versions)]


def _chronic_regions() -> str:
    return "、".join(chronic_region_names())


def _needs_level(version, v: Visit) -> bool:
    if v.setting == "non_designated" or v.category == "chronic":
        return False
    if v.inpatient_stay and version.param("inpatient_stay"):
        return False
    if v.setting == "pharmacy" and version.params["pharmacy"].value.basis in ("level_one", "own_ratio"):
        return False
    if version.params["fund_ratio"].value.keyed_by == "price_class" and v.price_class is not None:
        return False
    return True


class _BadJson(ValueError):
    def __init__(self, field: str, template: str, **params: Any):
        message = template.format(**params) if params else template
        super().__init__(message)
        self.field = field
        self.message = message
        self.template = template
        self.params = params

    def error(self, field: str | None = None) -> dict[str, Any]:
        return {"field": field or self.field, "message": self.message, "template": self.template, "params": self.params}


# The request's own faults, before any field is read (each a msgid of the engine's catalog).
DECODE_MESSAGES = {
    "not_utf8": "请求体不是 UTF-8 编码的 JSON。",
    "repeated": "字段“{name}”出现了不止一次。",
    "bad_unicode": "请求中有无法识别的字符（无效的 Unicode 编码）。",
    "not_json": "请求不是合法的 JSON（第 {line} 行第 {column} 列）。",
    "too_deep": "请求的 JSON 嵌套层数过多。",
}


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            name = _echo(_printable(key))
            raise _BadJson(name, DECODE_MESSAGES["repeated"], name=name)
        out[key] = value
    return out


class _Marked(dict):
    """A JSON object as the second reading of a request with a repeated key makes it: the
    repeated key (``repeated``) and the values it repeated with (``extras``), kept to be searched."""

    repeated: str | None = None
    extras: list[tuple[str, Any]]


def _repeated_path(raw: str) -> str | None:
    """The path of the repeated key the parser met first, as the contract names fields
    ("visits[3].total"): the first object finished with a repeat (an object is finished after
    the ones inside it), found again in what the reading gave."""
    first: list[_Marked] = []

    def marking(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = _Marked()
        out.extras = []
        for key, value in pairs:
            if key in out:
                if out.repeated is None:
                    out.repeated = key
                out.extras.append((key, value))
                continue
            out[key] = value
        if out.repeated is not None and not first:
            first.append(out)
        return out

    data = json.loads(raw, parse_float=Decimal, parse_int=Decimal, parse_constant=lambda c: c, object_pairs_hook=marking)
    if not first:
        return None
    target = first[0]
    where = _path_to(data, target, "")
    if where is None:
        return None
    return f"{where}.{target.repeated}" if where else target.repeated


def _path_to(value: Any, target: Any, path: str) -> str | None:
    if value is target:
        return path
    if isinstance(value, dict):
        for key, item in [*value.items(), *getattr(value, "extras", ())]:
            found = _path_to(item, target, f"{path}.{key}" if path else key)
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _path_to(item, target, f"{path}[{i}]")
            if found is not None:
                return found
    return None


def _printable(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def _check_text(value: Any) -> None:
    """Refuse strings that cannot be written back out (lone surrogates such as \\ud800)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, list):
        for item in value:
            _check_text(item)
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise _BadJson("(root)", DECODE_MESSAGES["bad_unicode"]) from None


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def decode(raw: bytes | str) -> tuple[Any, list[dict[str, str]]]:
    """JSON text → Python. Numbers become Decimal (never float); NaN and Infinity are kept
    as text so the field check names them; duplicate keys and bad characters are refused."""
    # A lone surrogate can only come from a \\uD800–\\uDFFF escape, or from text handed over
    # as str; bytes decoded as UTF-8 have none. Without either, the walk is not needed.
    suspect = _SURROGATE_ESCAPE.search(raw) is not None if isinstance(raw, str) else False
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, [_BadJson("body", DECODE_MESSAGES["not_utf8"]).error()]
        suspect = _SURROGATE_ESCAPE.search(raw) is not None
    elif not suspect:
        suspect = not _encodes(raw)
    if raw.startswith("\ufeff"):
        # A byte-order mark (Notepad, PowerShell): RFC 8259 §8.1 lets a parser ignore it.
        raw = raw[1:]
    try:
        data = json.loads(
            raw, parse_float=Decimal, parse_int=Decimal, parse_constant=lambda c: c, object_pairs_hook=_object
        )
        if suspect:
            _check_text(data)
    except _BadJson as exc:
        if exc.template == DECODE_MESSAGES["repeated"]:
            # Named by its path ("visits[3].total"): in 1,000 visits, "total" alone says nothing.
            path = _repeated_path(raw)
            if path is not None:
                return None, [exc.error(_echo(_printable(path)))]
        return None, [exc.error()]
    except json.JSONDecodeError as exc:
        return None, [_BadJson("(root)", DECODE_MESSAGES["not_json"], line=exc.lineno, column=exc.colno).error()]
    except RecursionError:
        return None, [_BadJson("(root)", DECODE_MESSAGES["too_deep"]).error()]
    return data, []


def dumps(body: Any) -> bytes:
    """The contract's JSON as UTF-8 bytes, without padding (orjson: the answer of a
    1,000-visit request is serialised several times faster than by the json module)."""
    return orjson.dumps(body)


def run_contract(raw: bytes | str, translate_for: Any = None, lang: str | None = None) -> tuple[int, dict[str, Any]]:
    """The whole contract: (200, result) or (400, {"errors": [...]}).

    ``lang`` (e.g. from an Accept-Language header) applies when the body names none;
    ``translate_for(lang)`` gives the edge's translation function (Django's gettext for
    English); without it every sentence is Chinese."""
    status, body, _language = run_contract_in(raw, translate_for, lang)
    return status, body


def run_contract_in(raw: bytes | str, translate_for: Any = None, lang: str | None = None) -> tuple[int, dict[str, Any], str]:
    """run_contract, with the language the answer is in (for Content-Language): the result's
    ``lang``, or for errors English where the body's ``lang`` (or else ``lang``) asks for it
    and ``translate_for`` is given, else Chinese."""
    with collector_paused():
        return _run_contract(raw, translate_for, lang)


def wanted_language(data: Any, fallback: str | None, raw: bytes | str | None = None) -> str | None:
    """The language a refused request asked for: its "lang" where that is one the answer can
    be in; otherwise (no "lang", or one that is itself refused: "fr", null) ``fallback``, the
    header's (the client did ask, in Accept-Language). A body that could not be decoded
    (``data`` not an object) is read for the "lang" its text names (``raw``)."""
    if not isinstance(data, dict) and raw is not None:
        return language_in_text(raw, fallback)
    asked = data.get("lang") if isinstance(data, dict) else None
    if isinstance(asked, str) and asked.strip().lower()[:2] in ("en", "zh"):
        return asked
    return fallback


_LANG_IN_TEXT = re.compile(r'"lang"\s*:\s*"\s*((?:en|zh)[^"]{0,20})"', re.IGNORECASE)


def language_in_text(raw: bytes | str, fallback: str | None) -> str | None:
    """The "lang" a body that could not be decoded asks for (a repeated key, a lone surrogate,
    nesting too deep: the errors still speak the language it names), else ``fallback``."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    match = _LANG_IN_TEXT.search(text[:1_000_000])
    return match.group(1) if match else fallback


def answer_language(lang: Any) -> str:
    """The Content-Language of an answer asked for in ``lang``: "en" for English, else the
    default "zh-hans"."""
    return "en" if isinstance(lang, str) and lang.strip().lower().startswith("en") else "zh-hans"


def errors_in(errors: list[dict[str, Any]], translate_for: Any, wanted: Any) -> tuple[list[dict[str, str]], str]:
    """The errors as the answer gives them, in English where asked (the field names stay)."""
    if translate_for is not None and answer_language(wanted) == "en":
        translate, language = translate_for("en"), "en"
    else:
        translate, language = identity, "zh-hans"
    return [{"field": e["field"], "message": error_text(e, translate)} for e in errors], language


def _run_contract(raw: bytes | str, translate_for: Any, lang: str | None) -> tuple[int, dict[str, Any], str]:
    data, errors = decode(raw)
    if errors:
        listed, language = errors_in(errors, translate_for, wanted_language(None, lang, raw))  # the body unread
        return 400, {"errors": listed}, language
    if lang is not None and isinstance(data, dict) and "lang" not in data:
        data["lang"] = lang
    request, errors = parse_request(data)
    if errors or request is None:
        listed, language = errors_in(errors, translate_for, wanted_language(data, lang))
        return 400, {"errors": listed}, language
    translate = identity if translate_for is None or request.lang.startswith("zh") else translate_for(request.lang)
    body = result_json(request, translate)
    return 200, body, body["lang"]
