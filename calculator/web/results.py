"""Arrange the engine's result for the results template: look-ups and labels, no arithmetic.

Every figure shown comes out of ``calculate()`` as it is; this module picks which figure goes
where (the summary, the ledger in date order, each visit's steps with its clause) and adds the
translated labels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from calculator.web import labels
from calculator.web.chart import Chart, build_charts


@dataclass
class Step:
    code: str
    label: str
    amount: str | None
    explanation: str
    gloss: str
    clause: dict[str, Any] | None


@dataclass
class Notice:
    code: str
    message: str
    clause: dict[str, Any] | None
    visits: list[int] = field(default_factory=list)  # the visits it concerns (1-based)
    kind: str = "notice"


@dataclass
class VisitView:
    number: int
    visit: dict[str, Any]
    description: str
    group_name: str
    year_label: str
    rule_title: str
    steps: list[Step]
    notices: list[Notice]  # the notices that concern this visit (listed once, in warnings)

    @property
    def anchor(self) -> str:
        return f"visit-{self.number}"


@dataclass
class YearView:
    year: int
    label: str
    deductible_used: str
    deductible_basis: str | None
    deductible_standard: str | None
    deductible_remaining: str | None
    fund_paid: str
    annual_cap: str | None
    cap_remaining: str | None
    chronic: dict[str, str] | None = None  # 玉溪 门诊慢性病: its own deductible and cap


@dataclass
class ResultView:
    raw: dict[str, Any]
    region_name: str
    status_name: str
    totals: dict[str, str]
    years: list[YearView]
    visits: list[VisitView]  # date order
    warnings: list[Notice]
    personal_account: dict[str, Any]
    personal_account_clause: dict[str, Any] | None
    rules: list[dict[str, Any]]
    charts: list[Chart] = field(default_factory=list)
    no_cap_notice: Notice | None = None


def _notice(raw: dict[str, Any], clauses: dict[str, Any]) -> Notice:
    clause = clauses.get(raw["clause"]) if raw.get("clause") else None
    return Notice(raw["code"], raw["message"], clause, list(raw.get("visits") or []), raw.get("kind", "notice"))


def present(result: dict[str, Any]) -> ResultView:
    clauses = result["clauses"]
    by_index = {v["index"]: v for v in result["visits"]}
    rule_titles = {r["id"]: r["title"] for r in result["rules"]}
    # The engine's sentences and labels come rendered in the active language (report.py).
    year_labels = {y["year"]: y["label"] for y in result["years"]}
    warnings = [_notice(w, clauses) for w in result["warnings"]]
    by_code = {n.code: n for n in warnings}

    visits = []
    for index in result["calculation_order"]:
        visit = by_index[index]
        steps = [
            Step(
                code=s["code"],
                label=s["label"],
                amount=s["amount"],
                explanation=s["explanation"],
                gloss="",
                clause=clauses.get(s["clause"]) if s.get("clause") else None,
            )
            for s in visit["steps"]
        ]
        notices = [by_code[code] for code in visit["notices"]]
        visits.append(
            VisitView(
                number=index + 1,
                visit=visit,
                description=labels.describe_visit(visit),
                group_name=str(labels.GROUP_NAMES.get(visit["status_group"], visit["status_group"])),
                year_label=year_labels[visit["year"]],
                rule_title=rule_titles.get(visit["version"], visit["version"]),
                steps=steps,
                notices=notices,
            )
        )

    years = []
    for year in result["years"]:
        in_year = [v.visit for v in visits if v.visit["year"] == year["year"] and v.visit["category"] == "general"]
        with_deductible = [v for v in in_year if v["deductible"]["basis"]]
        with_cap = [v for v in in_year if v["cap"]["remaining"] is not None]
        last_ded = with_deductible[-1]["deductible"] if with_deductible else None
        years.append(
            YearView(
                year=year["year"],
                label=year_labels.get(year["year"], str(year["year"])),
                deductible_used=year["deductible_used"],
                deductible_basis=last_ded["basis"] if last_ded else None,
                deductible_standard=last_ded["standard"] if last_ded else None,
                deductible_remaining=last_ded["remaining"] if last_ded else None,
                fund_paid=year["fund_paid"],
                annual_cap=year["annual_cap"],
                cap_remaining=with_cap[-1]["cap"]["remaining"] if with_cap else None,
                chronic=year.get("chronic"),
            )
        )

    pa = result["personal_account"]
    charts = build_charts(result, year_labels)
    no_cap = None
    if not charts:
        for n in warnings:
            if n.clause and n.clause["ref"].endswith("/annual_cap") and n.code.endswith("-none"):
                no_cap = n
    return ResultView(
        raw=result,
        region_name=labels.region_name(result["region_name"]),
        status_name=str(labels.STATUS_NAMES.get(result["status"], result["status"])),
        totals=result["totals"],
        years=years,
        visits=visits,
        warnings=warnings,
        personal_account=pa,
        personal_account_clause=clauses.get(pa["clause"]) if pa.get("clause") else None,
        rules=[
            {**r, "period": labels.period_text(dt.date.fromisoformat(r["effective_from"]), _date(r["effective_to"]))}
            for r in result["rules"]
        ],
        charts=charts,
        no_cap_notice=no_cap,
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
