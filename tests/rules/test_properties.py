"""Property tests over random requests in every region.

- fund + member = total for every visit, and the member share splits exactly by reason;
- the fund never pays more than a visit's policy-range expense, nor more than the cap in a year;
- raising one visit's amount never lowers the year's total fund payment;
- the result does not depend on the order in which visits with different dates are listed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.rules.contract import parse_request
from calculator.rules.engine import calculate
from calculator.rules.registry import load_policies

REGIONS = load_policies()
SETTINGS = ["clinic", "clinic", "pharmacy", "internet", "non_designated"]


def _span(region):
    first = region.versions[0].effective_from
    last = region.versions[-1].effective_to or dt.date(2026, 12, 31)
    return first, last


amounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("20000"), places=2, allow_nan=False, allow_infinity=False)


@st.composite
def requests(draw, distinct_dates=False):
    code = draw(st.sampled_from(sorted(REGIONS)))
    region = REGIONS[code]
    first, last = _span(region)
    status = draw(st.sampled_from(["employed", "retired"]))
    n = draw(st.integers(min_value=1, max_value=8))
    if distinct_dates:
        days = draw(st.lists(st.integers(0, (last - first).days), min_size=n, max_size=n, unique=True))
    else:
        days = draw(st.lists(st.integers(0, (last - first).days), min_size=n, max_size=n))
    visits = []
    for d in days:
        total = draw(amounts)
        excluded = draw(st.decimals(min_value=0, max_value=total, places=2))
        class_b = draw(st.decimals(min_value=0, max_value=total - excluded, places=2))
        visits.append(
            {
                "date": (first + dt.timedelta(days=d)).isoformat(),
                "level": draw(st.sampled_from([1, 2, 3])),
                "setting": draw(st.sampled_from(SETTINGS)),
                "total": str(total),
                "excluded": str(excluded),
                "class_b": str(class_b),
                "offsite": draw(st.sampled_from(["none", "none", "filed", "unfiled"])),
            }
        )
    data = {
        "region": code,
        "status": status,
        # A retiree at least 45: retired in 1999 they were 16 or older then (the contract
        # refuses a retirement before the member could work).
        "age": draw(st.integers(45 if status == "retired" else 18, 100)),
        "account_balance": str(draw(st.decimals(min_value=0, max_value=3000, places=2))),
        "prior_years_balance": str(draw(st.decimals(min_value=0, max_value=3000, places=2))),
        "visits": visits,
    }
    if status == "retired":
        data["retired_on"] = draw(st.sampled_from(["1999-05-01", "2010-01-15", "2023-05-20"]))
    return data


def _run(data):
    request, errors = parse_request(data)
    assert not errors, errors
    return calculate(request)


COMMON = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@COMMON
@given(requests())
def test_every_visit_balances(data):
    result = _run(data)
    for v in result["visits"]:
        fund, member, total = Decimal(v["fund_paid"]), Decimal(v["member_paid"]), Decimal(v["total"])
        assert fund + member == total
        assert sum(Decimal(x) for x in v["member_share"].values()) == member
        assert Decimal(v["account_paid"]) + Decimal(v["cash_paid"]) == member
        assert min(Decimal(x) for x in v["member_share"].values()) >= 0
        assert Decimal(v["cash_paid"]) >= 0
        # The fund never pays more than the policy-range expense of the visit.
        assert 0 <= fund <= Decimal(v["policy_range"])
        # Each notice is listed once beside a visit (by its code; its text is in "warnings"),
        # and every cited clause is in "clauses".
        codes = v["notices"]
        assert all(isinstance(c, str) for c in codes), codes
        assert len(codes) == len(set(codes)), codes
        warning_codes = {w["code"] for w in result["warnings"]}
        assert set(codes) <= warning_codes, (codes, warning_codes)
        for step in v["steps"]:
            # Only a bare change of rules with nothing to carry over cites no clause (no
            # clause in the data states a version's start; its visits' version says it).
            if step["clause"] is None:
                assert step["code"] == "version_change" and step["amount"] is None, step
                continue
            assert step["clause"] in result["clauses"], step


_MONEY_KEYS = {"total", "policy_range", "fund_paid", "member_paid", "account_paid", "cash_paid"}


@COMMON
@given(requests())
def test_every_amount_in_the_result_is_yuan_with_two_decimals(data):
    """The contract promises two-decimal strings; the engine relies on carrying money in fen."""
    import re

    pattern = re.compile(r"^\d+\.\d{2}$")
    result = _run(data)
    amounts = list(result["totals"].values())
    for v in result["visits"]:
        amounts += [v[k] for k in _MONEY_KEYS]
        amounts += list(v["member_share"].values())
        amounts += [x for x in v["deductible"].values() if x not in (None, "annual", "per_visit", "none")]
        amounts += [x for x in v["cap"].values() if x is not None]
        amounts += [s["amount"] for s in v["steps"] if s["amount"] is not None]
    for amount in amounts:
        assert pattern.match(amount), amount


@COMMON
@given(requests())
def test_fund_never_exceeds_the_annual_cap(data):
    # Per benefit year, the general fund payments never exceed the largest cap that applied
    # to a visit of that year (a cap may rise inside a year: 武汉 2023-04-10, or retirement).
    result = _run(data)
    paid: dict[int, Decimal] = {}
    caps: dict[int, Decimal] = {}
    for v in result["visits"]:
        if v["category"] == "general":
            paid[v["year"]] = paid.get(v["year"], Decimal(0)) + Decimal(v["fund_paid"])
            if v["cap"]["annual_cap"] is not None:
                caps[v["year"]] = max(caps.get(v["year"], Decimal(0)), Decimal(v["cap"]["annual_cap"]))
    for year, amount in paid.items():
        if year in caps:
            assert amount <= caps[year], (year, amount, caps[year])
    # …and no version's cap is larger than the largest the region's data gives.
    region = REGIONS[result["region"]]
    largest = [max(c.values()) for c in (ver.params["annual_cap"].value.by_group for ver in region.versions) if c]
    if largest:
        for year, amount in paid.items():
            assert amount * 100 <= max(largest), (year, amount)


@COMMON
@given(requests(), st.data())
def test_raising_a_visit_never_lowers_the_years_fund_payment(data, more):
    before = _run(data)
    i = more.draw(st.integers(0, len(data["visits"]) - 1))
    extra = more.draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2))
    raised = {**data, "visits": [dict(v) for v in data["visits"]]}
    raised["visits"][i]["total"] = str(Decimal(raised["visits"][i]["total"]) + extra)
    after = _run(raised)
    year = before["visits"][i]["year"]

    def year_fund(result):
        return sum(Decimal(v["fund_paid"]) for v in result["visits"] if v["year"] == year)

    assert year_fund(after) >= year_fund(before)


@COMMON
@given(requests(distinct_dates=True), st.randoms(use_true_random=False))
def test_order_of_visits_with_different_dates_does_not_matter(data, rnd):
    shuffled = {**data, "visits": list(data["visits"])}
    rnd.shuffle(shuffled["visits"])
    a, b = _run(data), _run(shuffled)
    by_date_a = {v["date"]: (v["fund_paid"], v["member_paid"], v["account_paid"]) for v in a["visits"]}
    by_date_b = {v["date"]: (v["fund_paid"], v["member_paid"], v["account_paid"]) for v in b["visits"]}
    assert by_date_a == by_date_b
    assert a["totals"] == b["totals"]
