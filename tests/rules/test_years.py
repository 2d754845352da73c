"""The per-year running totals in the result, which the summary shows."""

import json

from calculator.rules.contract import run_contract
from tests.trace import step_variants


def test_yuxi_chronic_pool_is_reported_beside_the_general_one():
    # 玉溪 2024-11 起 (云南办法), retired, 2 chronic diseases.
    # 03-01 门诊慢性病 5000 (玉溪细则 第十条): 起付 300 → 4700 × 80% = 3760.00;
    #       cap 3000 + 1000 = 4000 → 240.00 left.
    # 12-01 二级 300000: 起付 40 → 299960 × 65% = 194974 > 6000 cap → fund 6000.00.
    body = {
        "region": "yuxi", "status": "retired", "age": 66, "retired_on": "2015-01-01", "chronic_disease_count": 2,
        "visits": [
            {"date": "2024-03-01", "category": "chronic", "total": "5000"},
            {"date": "2024-12-01", "level": 2, "total": "300000"},
        ],
    }
    status, result = run_contract(json.dumps(body))
    assert status == 200, result
    assert result["totals"]["fund_paid"] == "9760.00"
    (year,) = result["years"]
    assert (year["deductible_used"], year["fund_paid"], year["annual_cap"]) == ("40.00", "6000.00", "6000.00")
    assert year["chronic"] == {
        "deductible_standard": "300.00",
        "deductible_used": "300.00",
        "fund_paid": "3760.00",
        "annual_cap": "4000.00",
        "cap_remaining": "240.00",
    }


def test_years_without_chronic_visits_say_none():
    body = {"region": "xuzhou", "status": "employed", "age": 40, "visits": [{"date": "2024-03-01", "level": 1, "total": "100"}]}
    _, result = run_contract(json.dumps(body))
    assert result["years"][0]["chronic"] is None


def test_wuhan_cap_rise_inside_2023_is_one_year_with_the_new_cap():
    # 武汉 2023, retired since 2010: one calendar year across two versions.
    # 03-01 (细则) 一级 6000: 起付 500 → 5500 × 84% = 4620 > cap 4000 → fund 4000.00.
    # 05-01 (优化方案, no deductible, cap 4500): 300 × 90% = 270 ≤ 4500 − 4000 = 500 → 270.00.
    # Year: fund 4270.00 under the cap in force at its last visit (4500.00); deductible 500.00.
    body = {
        "region": "wuhan", "status": "retired", "age": 65, "retired_on": "2010-01-15",
        "visits": [
            {"date": "2023-03-01", "level": 1, "total": "6000"},
            {"date": "2023-05-01", "level": 1, "total": "300"},
        ],
    }
    status, result = run_contract(json.dumps(body))
    assert status == 200, result
    assert [v["fund_paid"] for v in result["visits"]] == ["4000.00", "270.00"]
    (year,) = result["years"]
    assert (year["deductible_used"], year["fund_paid"], year["annual_cap"]) == ("500.00", "4270.00", "4500.00")
    # The rise is a step of its own on the first visit that meets it.
    (change,) = [s for s in result["visits"][1]["steps"] if s["code"] == "cap_change"]
    assert ("cap_change", "raised") in step_variants(body)[1]
    assert (change["params"]["old_cap"], change["params"]["new_cap"], change["params"]["cap_room"]) == ("4000.00", "4500.00", "500.00")


def test_a_year_with_only_a_non_designated_visit_keeps_its_cap_and_the_visit_says_not_applicable():
    # 武汉 优化方案, employed: the year's cap is 3,500 (细则/优化方案 在职); a visit to a
    # non-designated institution is paid by the member in full (100.00), and neither the
    # deductible nor the cap applies to it: its blocks are null ("本次不适用"), the year's
    # cap stays 3500.00 (null in `years` would say the year has no cap, as in 上海).
    body = {
        "region": "wuhan", "status": "employed", "age": 40,
        "visits": [{"date": "2023-05-01", "setting": "non_designated", "total": "100"}],
    }
    status, result = run_contract(json.dumps(body))
    assert status == 200, result
    (visit,) = result["visits"]
    assert (visit["fund_paid"], visit["member_paid"], visit["member_share"]["not_covered"]) == ("0.00", "100.00", "100.00")
    assert visit["deductible"] == {"basis": None, "standard": None, "applied": "0.00", "used_before": None, "used_after": None, "remaining": None}
    assert visit["cap"] == {"annual_cap": None, "used_before": None, "used_after": None, "remaining": None}
    (year,) = result["years"]
    assert (year["annual_cap"], year["fund_paid"], year["deductible_used"]) == ("3500.00", "0.00", "0.00")
