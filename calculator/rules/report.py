"""The calculation result as the contract's JSON, with every sentence rendered here.

``to_json(result, translate)``: ``translate`` is the identity for Chinese (the CLI and the
API by default); the edges pass Django's gettext for English. Money leaves the engine
here, as two-decimal strings ("1200.00").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from calculator.rules import messages as T
from calculator.rules.ledger import SHARE_REASONS
from calculator.rules.model import CalculationResult, Running, Step, VisitResult
from calculator.rules.params import Rate

money = T.money


def _param_value(name: str, value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if name in T.MONEY_FIGURES:
        return money(value)
    if isinstance(value, Rate):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if name == "outside":
        return [[a.isoformat(), b.isoformat()] for a, b in value]
    if isinstance(value, dict):
        return {k: _param_value(k, v) for k, v in value.items()}
    return value


# Figures that only steer the wording (which name, which term) and the step's own amount
# are not repeated in "params": the visit carries its level, group and year.
_WORDING_ONLY = frozenset({"amount", "year_kind", "level_kind", "term", "paid_first", "group", "year"})


def step_json(step: Step, translate: T.Translate) -> dict[str, Any]:
    figures = step.figures
    return {
        "code": step.code,
        "variant": step.variant,
        "label": T.step_label(step, translate),
        "amount": None if step.amount is None else money(step.amount),
        "clause": step.clause,
        "explanation": T.render_step(step, translate),
        "params": {k: _param_value(k, v) for k, v in figures.items() if k not in _WORDING_ONLY},
    }


def _running(r: Running, *, cap: bool) -> dict[str, Any]:
    if cap:
        return {
            "annual_cap": None if r.standard is None else money(r.standard),
            "used_before": money(r.used_before),
            "used_after": money(r.used_after),
            "remaining": None if r.remaining is None else money(r.remaining),
        }
    return {
        "basis": r.basis,
        "standard": None if r.standard is None else money(r.standard),
        "applied": money(r.applied),
        "used_before": money(r.used_before),
        "used_after": money(r.used_after),
        "remaining": None if r.remaining is None else money(r.remaining),
    }


def visit_json(v: VisitResult, translate: T.Translate) -> dict[str, Any]:
    visit = v.visit
    share = v.share
    return {
        "index": visit.index,
        "date": visit.date.isoformat(),
        "version": v.version_id,
        "year": v.year,
        "status_group": v.status_group,
        "setting": visit.setting,
        "level": visit.level,
        "category": visit.category,
        "total": money(visit.total),
        "policy_range": money(v.policy_range),
        "fund_paid": money(v.fund_paid),
        "member_paid": money(v.member_paid),
        "member_share": {k: money(share[k]) for k in SHARE_REASONS},
        "deductible": _running(v.deductible, cap=False),
        "cap": _running(v.cap, cap=True),
        "over_cap_handling": v.over_cap_handling,
        "account_paid": money(v.account_paid),
        "cash_paid": money(v.cash_paid),
        "future": v.future,
        "steps": [step_json(s, translate) for s in v.steps],
        "notices": v.notices,
    }


def _account_json(result: CalculationResult, translate: T.Translate) -> dict[str, Any]:
    a = result.account
    text = T.render_account(a, translate)
    return {
        "annual_allocation": None if a.annual is None else money(a.annual),
        "monthly_allocation": None if a.monthly is None else money(a.monthly),
        "months": a.figures.get("months") if a.annual is not None else None,
        "reason": text if a.annual is None else None,
        "variant": a.variant,
        "clause": a.clause,
        "version": a.version_id,
        "explanation": text,
        "params": {k: _param_value(k, v) for k, v in a.figures.items()},
    }


def year_label(kind: str, year: int, translate: T.Translate = T.identity) -> str:
    return translate(T.YEAR_LABELS[kind]).format(year=year)


def to_json(result: CalculationResult, translate: T.Translate = T.identity, lang: str = "zh-hans") -> dict[str, Any]:
    return {
        "region": result.region_code,
        "region_name": translate(result.region_name),
        "status": result.request.status,
        "lang": lang,
        "visits": [visit_json(v, translate) for v in result.visits],
        "calculation_order": result.order,
        "totals": {k: money(v) for k, v in result.totals.items()},
        "years": [
            {
                "year": y.year,
                "label": year_label(y.year_kind, y.year, translate),
                "from": y.start.isoformat(),
                "to": y.end.isoformat(),
                "deductible_used": money(y.deductible_used),
                "fund_paid": money(y.fund_paid),
                "annual_cap": None if y.annual_cap is None else money(y.annual_cap),
                "chronic": None if y.chronic is None else {k: None if x is None else money(x) for k, x in y.chronic.items()},
            }
            for y in result.years
        ],
        "personal_account": _account_json(result, translate),
        "rules": [v.as_dict() for v in result.versions],
        "clauses": {ref: _clause_json(cite) for ref, cite in sorted(result.clauses.items())},
        "warnings": [
            {
                "code": n.code,
                "kind": n.kind,
                "message": T.render_notice(n, translate),
                "clause": n.clause,
                "visits": n.visits,
            }
            for n in result.notices
        ],
    }


_CLAUSES: dict[int, dict[str, Any]] = {}


def _clause_json(cite: Any) -> dict[str, Any]:
    # Citations are loaded once per process and never change: their JSON is made once.
    out = _CLAUSES.get(id(cite))
    if out is None:
        out = _CLAUSES[id(cite)] = cite.as_dict()
    return out
