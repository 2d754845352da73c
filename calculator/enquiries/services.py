"""Save, reopen and compare enquiries.

- ``canonical_inputs``: the parsed request written back as the contract's JSON (amounts as
  two-decimal strings), so a saved enquiry can always be recalculated through the contract.
- ``rule_identity``: for every rule version a result used, its id and the sha256 of its data
  file (``calculator/rules/data/<path>``) at the time of saving.
- ``save_enquiry``: a new row with a fresh token (``secrets.token_urlsafe``, 192 random bits);
  a collision (never expected) is retried with a new token.
- ``compare``: the saved figures (stored) against today's (recomputed): which rule versions
  changed (a new version for a visit's date, a changed data file, a version gone) and each
  figure that differs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from calculator.enquiries.models import Enquiry
from calculator.ops import dbguard
from calculator.rules import registry
from calculator.rules.contract import parse_request
from calculator.rules.loader import DATA_DIR
from calculator.rules.model import CalculationRequest

TOKEN_BYTES = 24  # 192 random bits; token_urlsafe gives 32 characters
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
SAVE_ATTEMPTS = 5


class DatabaseUnavailable(Exception):
    """The database did not answer: saving or reopening is not possible right now."""


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def retention_days() -> int:
    return int(getattr(settings, "ENQUIRY_RETENTION_DAYS", 180))


# --- Inputs -----------------------------------------------------------------------------------


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def canonical_inputs(request: CalculationRequest) -> dict[str, Any]:
    """The parsed request as the contract's JSON (valid for ``parse_request`` as it is)."""
    data: dict[str, Any] = {
        "region": request.region,
        "status": request.status,
        "age": request.age,
    }
    if request.retired_on is not None:
        data["retired_on"] = request.retired_on.isoformat()
    if request.flexible_employment:
        data["flexible_employment"] = True
    if request.contribution_base is not None:
        data["contribution_base"] = _yuan(request.contribution_base)
    if request.account_balance:
        data["account_balance"] = _yuan(request.account_balance)
    if request.prior_years_balance:
        data["prior_years_balance"] = _yuan(request.prior_years_balance)
    if request.chronic_disease_count_given:
        # Kept whenever it was given, 1 included: left out, the reopened result would add
        # "未填写慢性病病种数" to what the member did fill in.
        data["chronic_disease_count"] = request.chronic_disease_count
    data["lang"] = request.lang
    visits = []
    for v in request.visits:
        visit: dict[str, Any] = {"date": v.date.isoformat()}
        if v.level is not None:
            visit["level"] = v.level
        visit["setting"] = v.setting
        visit["total"] = _yuan(v.total)
        if v.excluded:
            visit["excluded"] = _yuan(v.excluded)
        if v.class_b:
            visit["class_b"] = _yuan(v.class_b)
        if v.price_class is not None:
            visit["price_class"] = v.price_class
        if v.offsite != "none":
            visit["offsite"] = v.offsite
        if v.inpatient_stay:
            visit["inpatient_stay"] = True
        if v.category != "general":
            visit["category"] = v.category
        visits.append(visit)
    data["visits"] = visits
    return data


def inputs_query(inputs: dict[str, Any]) -> list[tuple[str, str]]:
    """The calculator page's query fields for saved inputs (to open them in the calculator)."""
    query: list[tuple[str, str]] = [
        ("region", str(inputs.get("region", ""))),
        ("status", str(inputs.get("status", ""))),
        ("age", str(inputs.get("age", ""))),
    ]
    for name in ("retired_on", "contribution_base", "account_balance", "prior_years_balance", "chronic_disease_count"):
        if inputs.get(name) not in (None, ""):
            query.append((name, str(inputs[name])))
    if inputs.get("flexible_employment"):
        query.append(("flexible_employment", "on"))
    for i, visit in enumerate(inputs.get("visits") or []):
        prefix = f"visits-{i}-"
        query.append((prefix + "date", str(visit.get("date", ""))))
        query.append((prefix + "level", str(visit.get("level") or "")))
        query.append((prefix + "setting", str(visit.get("setting") or "clinic")))
        query.append((prefix + "total", str(visit.get("total", ""))))
        for name in ("excluded", "class_b"):
            if visit.get(name) not in (None, ""):
                query.append((prefix + name, str(visit[name])))
        if visit.get("offsite") not in (None, "", "none"):
            query.append((prefix + "offsite", str(visit["offsite"])))
        if visit.get("inpatient_stay"):
            query.append((prefix + "inpatient_stay", "on"))
        if visit.get("category") == "chronic":
            query.append((prefix + "chronic", "on"))
        if visit.get("price_class") not in (None, ""):
            query.append((prefix + "price_class", str(visit["price_class"])))
    return query


# --- Rule versions ----------------------------------------------------------------------------


def _version(version_id: str, region: str | None = None):
    regions = registry.load_policies()
    candidates = [regions[region]] if region in regions else list(regions.values())
    for reg in candidates:
        for version in reg.versions:
            if version.id == version_id:
                return version
    return None


def data_file_hash(path: str) -> str:
    """sha256 of a rule version's data file (path relative to calculator/rules/data/)."""
    return _hashes(DATA_DIR / Path(path))[0]


# A version's dates move when a newer version is added after it (its effective_to): that
# changes no figure of the visits it still governs (visits it no longer governs are named as
# "now under a new version"). Comments and layout change nothing either.
_NOT_CONTENT = ("effective_from", "effective_to")


def data_content_hash(path: str) -> str:
    """sha256 of what a rule version's data file says (its parsed content, without comments,
    layout or its dates): a saved link is told its rules changed only when this did."""
    return _hashes(DATA_DIR / Path(path))[1]


# Both hashes of a data file, worked out once per file as it stands (its size and modification
# time): parsing the YAML again for every saved link reopened cost 50 ms of a 75 ms page.
_HASHES: dict[tuple[str, int, int], tuple[str, str]] = {}


def _hashes(file: Path) -> tuple[str, str]:
    import json

    import yaml

    stat = file.stat()
    key = (str(file), stat.st_mtime_ns, stat.st_size)
    made = _HASHES.get(key)
    if made is None:
        raw = file.read_bytes()
        data = yaml.safe_load(raw.decode("utf-8"))
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in _NOT_CONTENT}
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
        made = (hashlib.sha256(raw).hexdigest(), hashlib.sha256(text.encode("utf-8")).hexdigest())
        if len(_HASHES) > 256:
            _HASHES.clear()
        _HASHES[key] = made
    return made


def rule_identity(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every rule version the result used, with the content hash of its data file."""
    out = []
    for rule in result.get("rules") or []:
        version = _version(rule["id"], rule.get("region"))
        path = version.path if version is not None else ""
        out.append(
            {
                "id": rule["id"],
                "region": rule.get("region"),
                "title": rule.get("title"),
                "status": rule.get("status"),
                "effective_from": rule.get("effective_from"),
                "effective_to": rule.get("effective_to"),
                "path": path,
                "sha256": data_file_hash(path) if path else "",
                "content_sha256": data_content_hash(path) if path else "",
            }
        )
    return out


# --- Save and fetch ---------------------------------------------------------------------------


def save_enquiry(inputs: dict[str, Any], result: dict[str, Any], *, source: str = "web") -> Enquiry:
    """Store a new enquiry. Raises DatabaseUnavailable when the database does not answer."""
    from django.db import DatabaseError

    rules = rule_identity(result)
    now = timezone.now()
    # The age entered is that day's: reopened later, the answer counts it on the day it was
    # saved (an account allocation set by age band reads the ages in the months credited).
    if not inputs.get("age_on"):
        inputs = {**inputs, "age_on": dt.date.today().isoformat()}
    # Valid through the whole of its last day (the page says "到 <date> 为止有效"): it ends at
    # the local midnight after it (audit: it ended at the time of day it was saved).
    last_day = timezone.localdate(now) + dt.timedelta(days=retention_days())
    expires = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
    if not dbguard.connected():  # unreachable (or was a moment ago): at once, calculator.ops.dbguard
        raise DatabaseUnavailable()
    last_error: Exception | None = None
    try:
        for _ in range(SAVE_ATTEMPTS):
            enquiry = Enquiry(
                token=new_token(), created_at=now, expires_at=expires,
                inputs=inputs, result=result, rules=rules, source=source,
            )
            try:
                with transaction.atomic():
                    enquiry.save(force_insert=True)
                _sweep_expired(now)
                return enquiry
            except IntegrityError as exc:  # the same token twice: astronomically rare, try another
                last_error = exc
    except DatabaseError as exc:
        raise DatabaseUnavailable() from exc
    raise DatabaseUnavailable() from last_error


def find_enquiry(token: str) -> Enquiry | None:
    """The live enquiry for a token; None for a malformed, unknown or expired token."""
    from django.db import DatabaseError

    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    if not dbguard.connected():
        raise DatabaseUnavailable()
    try:
        enquiry = Enquiry.objects.filter(token=token, expires_at__gt=timezone.now()).first()
    except DatabaseError as exc:
        raise DatabaseUnavailable() from exc
    return enquiry


def delete_expired(now: dt.datetime | None = None) -> int:
    deleted, _ = Enquiry.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


SWEEP_EVERY = dt.timedelta(hours=1)
_last_sweep: dt.datetime | None = None


def _sweep_expired(now: dt.datetime) -> None:
    """Expired enquiries are deleted by saving too, at most once an hour per process, so that
    the saved page's "到期后自动删除" holds where nobody scheduled ``delete_expired_enquiries``
    (an expired link answers 404 either way). A failure here never fails the save."""
    from django.db import DatabaseError

    global _last_sweep
    if _last_sweep is not None and now - _last_sweep < SWEEP_EVERY:
        return
    _last_sweep = now
    try:
        delete_expired(now)
    except DatabaseError:
        pass  # the next sweep (or the daily command) deletes them


# --- Recompute and compare --------------------------------------------------------------------


def dated_inputs(enquiry: Enquiry) -> dict[str, Any]:
    """The saved inputs with the day their age was given (``age_on``): saved with them since
    2026-11-30; for an enquiry saved before, the day it was saved."""
    if enquiry.inputs.get("age_on"):
        return enquiry.inputs
    return {**enquiry.inputs, "age_on": timezone.localtime(enquiry.created_at).date().isoformat()}


def recompute(inputs: dict[str, Any], translate: Any = None, lang: str | None = None) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Today's result for saved inputs (None and the contract's errors if today's rules
    refuse them, e.g. a visit date no rule covers any more)."""
    from calculator.rules.engine import calculate
    from calculator.rules.messages import identity

    data = dict(inputs)
    if lang:
        data["lang"] = lang
    request, errors = parse_request(data)
    if request is None:
        return None, translated_errors(errors, translate or identity)
    return calculate(request, translate or identity), []


def translated_errors(errors: list[dict[str, Any]], translate: Any) -> list[dict[str, Any]]:
    """Why today's rules refuse saved inputs, in ``translate``'s language (as the result would
    have been)."""
    from calculator.rules.contract import error_text

    return [{**e, "message": error_text(e, translate)} for e in errors]


# The figures' labels are msgids (gettext_noop): translate them where they are shown.
FIGURES = (
    ("total", gettext_noop("医疗费总额")),
    ("policy_range", gettext_noop("符合政策范围金额")),
    ("member_share.first_self_pay", gettext_noop("先行自付")),
    ("deductible.applied", gettext_noop("起付标准（本次）")),
    ("fund_paid", gettext_noop("统筹基金支付")),
    ("member_paid", gettext_noop("个人负担")),
    ("account_paid", gettext_noop("个人账户支付")),
    ("cash_paid", gettext_noop("个人现金支付")),
)
TOTAL_FIGURES = (
    ("total", gettext_noop("医疗费总额")),
    ("fund_paid", gettext_noop("统筹基金支付")),
    ("member_paid", gettext_noop("个人负担")),
    ("account_paid", gettext_noop("个人账户支付")),
    ("cash_paid", gettext_noop("个人现金支付")),
)
# A rule change may move only these (a higher cap leaves this year's payments as they were but
# more room; a new allocation moves the account figure alone): compared too, so that a reopened
# link never says nothing changed while one of them did (audit).
YEAR_FIGURES = (
    ("annual_cap", gettext_noop("年度最高支付限额")),
    ("cap_remaining", gettext_noop("年度限额尚余")),
)
ACCOUNT_FIGURES = (
    ("annual_allocation", gettext_noop("个人账户划入（全年）")),
    ("monthly_allocation", gettext_noop("个人账户每月划入")),
)


def _get(mapping: dict[str, Any], dotted: str) -> Any:
    value: Any = mapping
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _same(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except Exception:  # noqa: BLE001 - None or text: compare as they are
        return a == b


@dataclass
class RuleChange:
    kind: str  # "new_version" | "data_changed" | "removed"
    rule_id: str
    title: str
    new_rule_id: str | None
    new_title: str | None
    visits: list[int]  # visit numbers (1-based) concerned
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "rule_id": self.rule_id, "title": self.title,
            "new_rule_id": self.new_rule_id, "new_title": self.new_title,
            "visits": self.visits, "message": self.message,
        }


@dataclass
class Difference:
    figure: str  # "totals.fund_paid" or "visits[0].fund_paid"
    label: str
    visit: int | None  # visit number (1-based)
    saved: Any
    today: Any
    rule: str  # the rule that changed (title), or "" when no rule version changed

    def as_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure, "label": self.label, "visit": self.visit,
            "saved": self.saved, "today": self.today, "rule": self.rule,
        }


@dataclass
class Comparison:
    rule_changes: list[RuleChange] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    today_errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.rule_changes or self.differences or self.today_errors)

    def as_dict(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "rule_changes": [c.as_dict() for c in self.rule_changes],
            "differences": [d.as_dict() for d in self.differences],
        }


def compare(saved_rules: list[dict[str, Any]], saved: dict[str, Any], today: dict[str, Any] | None) -> Comparison:
    comparison = Comparison()
    if today is None:
        return comparison
    saved_visits = {v["index"]: v for v in saved.get("visits") or []}
    today_visits = {v["index"]: v for v in today.get("visits") or []}
    by_id = {r["id"]: r for r in saved_rules}
    today_titles = {r["id"]: r.get("title") or r["id"] for r in today.get("rules") or []}

    # 1. Which rule versions changed, and for which visits.
    changed_for_visit: dict[int, str] = {}  # visit index → title of the rule that changed
    new_versions: dict[tuple[str, str], list[int]] = {}
    for index, visit in saved_visits.items():
        now_visit = today_visits.get(index)
        if now_visit is not None and now_visit.get("version") != visit.get("version"):
            new_versions.setdefault((visit.get("version"), now_visit.get("version")), []).append(index + 1)
            changed_for_visit[index] = today_titles.get(now_visit.get("version"), now_visit.get("version"))
    for (old_id, new_id), numbers in new_versions.items():
        old_title = (by_id.get(old_id) or {}).get("title") or old_id
        new_title = today_titles.get(new_id, new_id)
        comparison.rule_changes.append(
            RuleChange(
                "new_version", old_id, old_title, new_id, new_title, numbers,
                ngettext(
                    "第 %(numbers)s 次就诊现在适用新的规定版本《%(new_title)s》（保存时为《%(old_title)s》）。",
                    "第 %(numbers)s 次就诊现在适用新的规定版本《%(new_title)s》（保存时为《%(old_title)s》）。",
                    len(numbers),
                ) % {"numbers": _numbers(numbers), "new_title": new_title, "old_title": old_title},
            )
        )
    for rule in saved_rules:
        version = _version(rule["id"], rule.get("region"))
        title = rule.get("title") or rule["id"]
        if version is None:
            numbers = [i + 1 for i, v in saved_visits.items() if v.get("version") == rule["id"]]
            comparison.rule_changes.append(
                RuleChange("removed", rule["id"], title, None, None, numbers,
                           _("保存时用到的规定《%(title)s》已不再收录。") % {"title": title})
            )
            continue
        # The visits this version still governs today (those now under another are named above).
        numbers = [
            i + 1 for i, v in saved_visits.items()
            if v.get("version") == rule["id"] and (today_visits.get(i) or {}).get("version", rule["id"]) == rule["id"]
        ]
        if not numbers:
            continue
        try:
            # What the data says (links saved before content_sha256 existed: the file itself).
            if rule.get("content_sha256"):
                current, saved_hash = data_content_hash(version.path), rule["content_sha256"]
            else:
                current, saved_hash = data_file_hash(version.path), rule.get("sha256")
        except (OSError, ValueError):
            current, saved_hash = "", rule.get("content_sha256") or rule.get("sha256")
        if current != saved_hash:
            comparison.rule_changes.append(
                RuleChange("data_changed", rule["id"], title, rule["id"], version.title, numbers,
                           _("规定《%(title)s》的数据（比例、标准或条文）在保存后有更新。") % {"title": version.title})
            )
            for number in numbers:
                changed_for_visit.setdefault(number - 1, version.title)
    all_changed = _("、").join(sorted({c.new_title or c.title for c in comparison.rule_changes}))

    # 2. Each figure that differs: totals, then visit by visit.
    for key, label in TOTAL_FIGURES:
        a, b = _get(saved.get("totals") or {}, key), _get(today.get("totals") or {}, key)
        if not _same(a, b):
            comparison.differences.append(Difference(f"totals.{key}", _("合计 · %(figure)s") % {"figure": _(label)}, None, a, b, all_changed))
    for index in sorted(saved_visits):
        visit, now_visit = saved_visits[index], today_visits.get(index)
        if now_visit is None:
            continue
        for key, label in FIGURES:
            a, b = _get(visit, key), _get(now_visit, key)
            if not _same(a, b):
                comparison.differences.append(
                    Difference(
                        f"visits[{index}].{key}",
                        _("第 %(number)s 次就诊（%(date)s）· %(figure)s") % {"number": index + 1, "date": visit.get("date"), "figure": _(label)},
                        index + 1, a, b, changed_for_visit.get(index, ""),
                    )
                )
    # 3. Each year's cap and what is left of it, then the personal account.
    saved_years = {y.get("year"): y for y in saved.get("years") or []}
    for year in today.get("years") or []:
        saved_year = saved_years.get(year.get("year"))
        if saved_year is None:
            continue
        for key, label in YEAR_FIGURES:
            a, b = saved_year.get(key), year.get(key)
            if not _same(a, b):
                comparison.differences.append(
                    Difference(
                        f"years[{year.get('year')}].{key}",
                        _("%(year)s · %(figure)s") % {"year": year.get("label") or year.get("year"), "figure": _(label)},
                        None, a, b, all_changed,
                    )
                )
    saved_account, today_account = saved.get("personal_account") or {}, today.get("personal_account") or {}
    for key, label in ACCOUNT_FIGURES:
        a, b = saved_account.get(key), today_account.get(key)
        if not _same(a, b):
            comparison.differences.append(Difference(f"personal_account.{key}", _(label), None, a, b, all_changed))
    return comparison


def _numbers(numbers: list[int]) -> str:
    return _("、").join(str(n) for n in numbers)
