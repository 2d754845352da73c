"""Golden cases: YAML files a policy expert can read, each figure worked out by hand.

Every file in ``tests/rules/cases/`` is a list of cases:

    - name: 在职，三级医院，一次就诊跨过起付标准      # a sentence saying what is tested
      request: {...}                                # the API request, as YAML
      expect:                                       # only the figures named are checked
        visits:
          - {fund_paid: "300.00", deductible.applied: "700.00"}
        totals: {fund_paid: "300.00"}
        steps_cite: [xuzhou-2023/deductible]        # clauses that must appear in the steps
        warnings: [shanxi-2024-unverified]          # warning codes that must be present
        absent_warnings: [wuhan-2023-04/account_use]  # ... and codes that must not be
        sentences:                                  # a step's exact Chinese explanation
          - {visit: 2, code: fund, text: "起付标准以上的 …"}   # visit number as given (1-based)
      # or, for a refusal:
      errors: [visits[0].date]

Keys inside a visit or totals may be dotted paths into the result (``deductible.applied``).
The hand arithmetic sits in a comment beside each case.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from calculator.rules.contract import run_contract

CASES_DIR = Path(__file__).parent / "cases"


def _cases():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for i, case in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            yield pytest.param(case, id=f"{path.stem}-{i + 1:02d}")


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(repr(value))


def _dig(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _check_mapping(actual: dict, expected: dict, where: str) -> list[str]:
    problems = []
    for key, want in expected.items():
        got = _dig(actual, key)
        if str(got) != str(want):
            problems.append(f"{where}.{key}: expected {want}, got {got}")
    return problems


@pytest.mark.parametrize("case", list(_cases()))
def test_golden_case(case):
    assert set(case) <= {"name", "request", "expect", "errors"}, case.keys()
    status, body = run_contract(json.dumps(case["request"], default=_json_default))
    if "errors" in case:
        assert status == 400, body
        assert sorted(e["field"] for e in body["errors"]) == sorted(case["errors"]), body
        return
    assert status == 200, body
    expect = case["expect"]
    problems: list[str] = []
    for i, want in enumerate(expect.get("visits", [])):
        if want:
            problems += _check_mapping(body["visits"][i], want, f"visits[{i}]")
    problems += _check_mapping(body["totals"], expect.get("totals", {}), "totals")
    for key, want in (expect.get("personal_account") or {}).items():
        if str(body["personal_account"][key]) != str(want):
            problems.append(f"personal_account.{key}: expected {want}, got {body['personal_account'][key]}")
    cited = {s["clause"] for v in body["visits"] for s in v["steps"]}
    for ref in expect.get("steps_cite", []):
        if ref not in cited:
            problems.append(f"clause {ref} not cited in any step")
    for want in expect.get("sentences", []):
        steps = [s for s in body["visits"][want["visit"] - 1]["steps"] if s["code"] == want["code"]]
        texts = [s["explanation"] for s in steps]
        if want["text"] not in texts:
            problems.append(f"visit {want['visit']} {want['code']}: expected sentence {want['text']!r}, got {texts}")
    codes = {w["code"] for w in body["warnings"]}
    for code in expect.get("warnings", []):
        if code not in codes:
            problems.append(f"warning {code} missing (have {sorted(codes)})")
    for code in expect.get("absent_warnings", []):
        if code in codes:
            problems.append(f"warning {code} listed, but it concerns no visit here")
    # Every visit must balance, whatever the case checks.
    for v in body["visits"]:
        assert Decimal(v["fund_paid"]) >= 0
        assert sum(Decimal(x) for x in v["member_share"].values()) == Decimal(v["member_paid"]), v
    assert not problems, f"{case['name']}:\n" + "\n".join(problems)


def test_every_region_version_has_at_least_eight_cases():
    from calculator.rules.registry import load_policies

    counts: dict[str, int] = {}
    for param in _cases():
        case = param.values[0]
        if "errors" in case:
            continue
        status, body = run_contract(json.dumps(case["request"], default=_json_default))
        for version_id in {v["version"] for v in body["visits"]}:
            counts[version_id] = counts.get(version_id, 0) + 1
    all_versions = {v.id for r in load_policies().values() for v in r.versions}
    short = {v: counts.get(v, 0) for v in all_versions if counts.get(v, 0) < 8}
    assert not short, f"versions with fewer than 8 golden cases: {short}"
