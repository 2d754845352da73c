"""Which rate applies is a rule: explained at the first visit it concerns, not at every one."""

import json

from calculator.rules.contract import run_contract
from tests.trace import step_variants


def _answer(body):
    status, result = run_contract(json.dumps(body))
    assert status == 200, result
    return result


def test_an_internet_visit_rule_is_explained_once_and_its_assumption_lists_every_visit():
    # 徐州 (徐政规〔2022〕8号): 互联网+ has no rate of its own; the engine rates it by the level
    # entered (an assumption of the internet clause). Three 互联网+ visits at 二级 and one at 三级,
    # employed, 2024, each 1000, nothing excluded:
    #   v1 二级 1000: 起付 700 → 300 × 65% = 195.00
    #   v2 二级 1000: 起付 met → 1000 × 65% = 650.00
    #   v3 三级 1000: 1000 × 60% = 600.00
    #   v4 二级 1000: 1000 × 65% = 650.00
    body = {
        "region": "xuzhou", "status": "employed", "age": 40,
        "visits": [
            {"date": "2024-03-01", "level": 2, "setting": "internet", "total": "1000"},
            {"date": "2024-03-02", "level": 2, "setting": "internet", "total": "1000"},
            {"date": "2024-03-03", "level": 3, "setting": "internet", "total": "1000"},
            {"date": "2024-03-04", "level": 2, "setting": "internet", "total": "1000"},
        ],
    }
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"]] == ["195.00", "650.00", "600.00", "650.00"]
    setting = [[s for s in v["steps"] if s["code"] == "setting"] for v in result["visits"]]
    # Said at the first 二级 visit and at the first 三级 visit, each naming its level.
    assert [len(s) for s in setting] == [1, 0, 1, 0]
    assert "二级医疗机构" in setting[0][0]["explanation"] and "三级医疗机构" in setting[2][0]["explanation"]
    # The fund sentence still names the level on every visit.
    for v, level in zip(result["visits"], ("二级", "二级", "三级", "二级")):
        (fund,) = [s for s in v["steps"] if s["code"] == "fund"]
        assert f"按{level}医疗机构在职职工比例" in fund["explanation"], fund["explanation"]
    # The assumption (rated by the level entered) concerns all four visits, and is listed once.
    (assumption,) = [w for w in result["warnings"] if w["code"] == "xuzhou-2023/internet"]
    assert assumption["kind"] == "assumption" and assumption["visits"] == [1, 2, 3, 4]
    assert all("xuzhou-2023/internet" in v["notices"] for v in result["visits"])


def test_an_inferred_price_class_is_explained_once_and_its_assumption_lists_every_visit():
    # 山西 (晋医保发〔2022〕12号): rates by price class; none entered, so it is inferred from
    # the level. Two 三级 clinic visits, employed, 2023: each is explained by the fund
    # sentence ("一类收费价格医疗机构"), the inference only at the first.
    body = {
        "region": "shanxi", "status": "employed", "age": 40,
        "visits": [
            {"date": "2023-03-01", "level": 3, "total": "500"},
            {"date": "2023-03-02", "level": 3, "total": "500"},
        ],
    }
    result = _answer(body)
    first, second = step_variants(body)
    assert ("price_class", "inferred") in first and ("price_class", "inferred") not in second
    (inferred,) = [w for w in result["warnings"] if w["code"] == "shanxi-2023/price_class_default"]
    assert inferred["visits"] == [1, 2]


def test_nothing_excluded_is_explained_at_the_first_visit_it_concerns_under_each_version():
    # 武汉: 2023-02-01 细则 and 2023-04-10 优化方案 are two versions, each with its own
    # policy_range clause. Visits (given out of date order), nothing 全自费 except the third:
    #   v1 2023-03-10 1000.00, v2 2023-03-01 500.00, v3 2023-03-20 800.00 − 100.00 全自费,
    #   v4 2023-05-01 300.00, v5 2023-05-02 400.00.
    # Date order: v2, v1, v3, v4, v5. The rule "no 全自费 → all policy range" is said at v2
    # (first under 细则) and v4 (first under 优化方案); v3 says its own subtraction
    # (800.00 − 100.00 = 700.00); v1 and v5 say nothing of it, and their policy range is the total.
    body = {
        "region": "wuhan", "status": "employed", "age": 40,
        "visits": [
            {"date": "2023-03-10", "level": 1, "total": "1000.00"},
            {"date": "2023-03-01", "level": 1, "total": "500.00"},
            {"date": "2023-03-20", "level": 1, "total": "800.00", "excluded": "100.00"},
            {"date": "2023-05-01", "level": 1, "total": "300.00"},
            {"date": "2023-05-02", "level": 1, "total": "400.00"},
        ],
    }
    result = _answer(body)
    policy = [[s for s in v["steps"] if s["code"] == "policy_range"] for v in result["visits"]]
    policy_variants = [[variant for code, variant in steps if code == "policy_range"] for steps in step_variants(body)]
    assert policy_variants == [[], ["all_in"], ["with_excluded"], ["all_in"], []]
    # One clause: the 优化方案 cites the 细则's 第十二条 in the same words, so its steps refer to the
    # clause the answer already lists (each clause text once per answer, issue 6).
    assert [p[0]["clause"] for p in policy if p] == ["wuhan-2023-02/policy_range"] * 3
    assert "wuhan-2023-04/policy_range" not in result["clauses"]
    assert "本次 500 元" in policy[1][0]["explanation"] and "本次 300 元" in policy[3][0]["explanation"]
    # The rule is said again at v4, so its sentence promises silence only under the same rules.
    assert all("同一规定下其他这样的就诊不再重复说明" in p[0]["explanation"] for p in (policy[1], policy[3]))
    assert policy[2][0]["amount"] == "700.00"
    assert [v["policy_range"] for v in result["visits"]] == ["1000.00", "500.00", "700.00", "300.00", "400.00"]


def test_a_clause_said_once_still_lists_every_visit_it_governs_in_its_assumption():
    # 上海 (policy range read as 医保目录内 费用: an assumption of its clause). Three 三级
    # visits in the 2023 医保年度, nothing excluded: the "no 全自费" rule is said at the first
    # visit only, yet the clause decides all three visits' policy range, so its assumption
    # lists [1, 2, 3]. The benefit year (1 July – 30 June, also an assumption) is said where
    # the year's running totals start, and its assumption is listed with that visit.
    body = {
        "region": "shanghai", "status": "employed", "age": 40,
        "account_balance": "300", "prior_years_balance": "1000",
        "visits": [
            {"date": "2024-03-01", "level": 3, "total": "3000"},
            {"date": "2024-03-05", "level": 3, "total": "500"},
            {"date": "2024-04-05", "level": 3, "total": "800"},
        ],
    }
    result = _answer(body)
    said = [[s["code"] for s in v["steps"]] for v in result["visits"]]
    assert [("benefit_year" in codes, "policy_range" in codes) for codes in said] == [(True, True), (False, False), (False, False)]
    by_code = {w["code"]: w for w in result["warnings"]}
    policy = by_code["shanghai-2023/policy_range"]
    assert policy["kind"] == "assumption" and policy["visits"] == [1, 2, 3], policy
    assert all("shanghai-2023/policy_range" in v["notices"] for v in result["visits"])
    assert by_code["shanghai-2023/benefit_year"]["visits"] == [1]


def test_the_personal_account_assumption_concerns_the_first_visit_in_date_order():
    # 武汉 优化方案: its personal-account clause carries an assumption (the re-posts say nothing
    # of the account, so the 细则's rule is kept). The allocation follows the rule in force on
    # the first visit's date: visit 2 (2024-03-01) comes before visit 1 (2024-03-15).
    body = {
        "region": "wuhan", "status": "employed", "age": 40,
        "visits": [
            {"date": "2024-03-15", "level": 3, "total": "500"},
            {"date": "2024-03-01", "level": 3, "total": "400"},
        ],
    }
    result = _answer(body)
    (assumption,) = [w for w in result["warnings"] if w["code"] == "wuhan-2023-04/personal_account"]
    assert assumption["visits"] == [2]
    assert "wuhan-2023-04/personal_account" in result["visits"][1]["notices"]
    assert "wuhan-2023-04/personal_account" not in result["visits"][0]["notices"]
    assert all(w["visits"] for w in result["warnings"])  # no warning concerns no visit


def test_a_chronic_visit_says_when_the_disease_count_was_not_entered():
    # 玉溪 细则 第十条: the chronic cap is 3000 for one disease, + 1000 for each more (max 5000).
    # Without chronic_disease_count the request counts 1 disease (cap 3000.00 after the visit:
    # 1000 − 300 deductible = 700 × 80 % = 560.00 paid, 3000 − 560 = 2440.00 left) and says so
    # for the chronic visits only; with the count given, nothing is said.
    visits = [
        {"date": "2023-02-01", "category": "chronic", "total": "1000.00"},
        {"date": "2023-03-02", "level": 1, "total": "130.00"},
        {"date": "2023-04-01", "category": "chronic", "total": "200.00"},
    ]
    body = {"region": "yuxi", "status": "employed", "age": 58, "visits": visits}
    result = _answer(body)
    assert result["visits"][0]["cap"]["annual_cap"] == "3000.00" and result["visits"][0]["cap"]["remaining"] == "2440.00"
    (said,) = [w for w in result["warnings"] if w["code"] == "chronic-count-assumed"]
    assert said["visits"] == [1, 3] and "按 1 种计算" in said["message"]
    status, given = run_contract(json.dumps({**body, "chronic_disease_count": 1}))
    assert status == 200 and not [w for w in given["warnings"] if w["code"] == "chronic-count-assumed"]


def test_the_years_totals_are_said_to_start_at_its_first_covered_visit():
    # 徐州 2024: a non-designated visit first (统筹基金不予支付: it counts toward neither the
    # deductible nor the cap), then a 一级 visit of 100. "本年度的起付标准和年度支付限额从这里开始
    # 累计" is untrue of the first; "这次计算中2024年度…的第一次就诊" would be untrue of the second
    # (an earlier visit of the year is in the calculation): the second is the year's first
    # *covered* visit, and says so.
    body = {"region": "xuzhou", "status": "employed", "age": 40, "visits": [
        {"date": "2024-08-05", "setting": "non_designated", "total": "100"},
        {"date": "2024-08-06", "level": 1, "total": "100"},
    ]}
    first, second = step_variants(body)
    assert "benefit_year" not in [code for code, _ in first]
    assert second[0] == ("benefit_year", "deductible_and_cap_covered")
    (step,) = [s for s in _answer(body)["visits"][1]["steps"] if s["code"] == "benefit_year"]
    assert "第一次统筹基金支付范围内的就诊" in step["explanation"]
    # The year's reading (自然年度) names the year both visits are in: it concerns both.
    reading = {w["code"]: w["visits"] for w in _answer(body)["warnings"]}["xuzhou-2023/benefit_year"]
    assert reading == [1, 2]
    # A covered first visit says it plainly.
    body["visits"] = body["visits"][1:]
    assert step_variants(body)[0][0] == ("benefit_year", "deductible_and_cap")
    # 玉溪 2025: a non-designated 门诊慢性病 visit, then a general one: the general one is the
    # year's first *general* visit (the pool's first, covered or not), and says so.
    body = {"region": "yuxi", "status": "employed", "age": 40, "chronic_disease_count": 1, "visits": [
        {"date": "2025-03-01", "setting": "non_designated", "category": "chronic", "total": "100"},
        {"date": "2025-03-02", "level": 1, "total": "100"},
    ]}
    first, second = step_variants(body)
    assert "benefit_year" not in [code for code, _ in first]
    assert [v for c, v in second if c == "benefit_year"] == ["cap_general"]


def test_a_chronic_visit_is_not_said_to_be_general_and_its_options_are_not_dropped_unseen():
    # 玉溪 2023 门诊慢性病 (细则第十条), during a hospital stay, off-site unfiled, with 乙类 50:
    # worked out under the chronic pool (起付 300; 700 × 80% = 560.00), and the notices say
    # so: "按门诊慢性病估算" (not 普通门诊), and the off-site and 乙类 amounts are named.
    body = {"region": "yuxi", "status": "employed", "age": 50, "chronic_disease_count": 1, "visits": [
        {"date": "2023-06-01", "category": "chronic", "total": "1000", "inpatient_stay": True, "offsite": "unfiled", "class_b": "50"},
    ]}
    result = _answer(body)
    assert result["visits"][0]["fund_paid"] == "560.00"
    messages = {w["code"]: w["message"] for w in result["warnings"]}
    assert messages["inpatient-unspecified-chronic"].endswith("这类就诊按门诊慢性病估算。")
    assert "inpatient-unspecified" not in messages
    # Off-site care under 玉溪细则 第二十一条 (门诊共济保障费用, which 第四条 says includes 门诊慢性病):
    # the clause's notice on unregistered care, with the clause, as for a general visit.
    clauses = {w["code"]: w["clause"] for w in result["warnings"]}
    assert clauses["offsite-unfiled-unspecified"] == "yuxi-2023/offsite"
    assert "未备案异地就医" in messages["offsite-unfiled-unspecified"] and "乙类" in messages["chronic-class-b-unspecified"]
    assert "chronic-offsite-unspecified" not in messages


def test_the_new_insurance_year_notice_concerns_every_visit_of_that_year():
    # 上海: a 当年账户 of 100 used up on 2024-06-05; the 2024 医保年度 starts 2024-07-01 with no
    # credit counted: "新年度的就诊没有当年账户可用" is true of the 07-05 and 08-05 visits both.
    body = {"region": "shanghai", "status": "employed", "age": 40, "account_balance": "100", "visits": [
        {"date": "2024-06-05", "level": 1, "total": "100"},
        {"date": "2024-07-05", "level": 1, "total": "100"},
        {"date": "2024-08-05", "level": 1, "total": "100"},
    ]}
    warnings = {w["code"]: w["visits"] for w in _answer(body)["warnings"]}
    assert warnings["new-insurance-year-empty"] == [2, 3]


def test_a_change_of_rules_is_said_once_at_the_first_general_visit_under_them():
    # 玉溪 2024: 10-15 普通门诊 (细则; 一级 起付 30, 470 × 60% = 282.00), 11-05 门诊慢性病 (省办法
    # from 11-01; its own pool), 11-10 普通门诊: the change of rules, with the general pool's
    # 282 carried over, is said once, at 11-10 (not also at the 门诊慢性病 visit).
    body = {"region": "yuxi", "status": "employed", "age": 50, "chronic_disease_count": 1, "visits": [
        {"date": "2024-10-15", "level": 1, "total": "500"},
        {"date": "2024-11-05", "category": "chronic", "level": 1, "total": "800"},
        {"date": "2024-11-10", "level": 1, "total": "300"},
    ]}
    changes = [[variant for code, variant in steps if code == "version_change"] for steps in step_variants(body)]
    assert changes == [[], [], ["plain"]]
    third = _answer(body)["visits"][2]
    (step,) = [s for s in third["steps"] if s["code"] == "version_change"]
    assert "282 元继续计入本年度" in step["explanation"]


def test_a_report_of_other_rates_is_not_listed_with_visits_the_fund_does_not_cover():
    # 山西 2024-08: the report of raised caps and rates (shanxi-2024-unverified, covered_only in
    # the data) concerns the covered 08-07 visit (一级 100: 三类 起付 30, 70 × 60% = 42.00), not
    # the hospital-stay visit (第十条: not paid by the outpatient pool) nor the non-designated one.
    body = {"region": "shanxi", "status": "employed", "age": 40, "visits": [
        {"date": "2024-08-05", "level": 1, "total": "100", "inpatient_stay": True},
        {"date": "2024-08-06", "setting": "non_designated", "total": "100"},
        {"date": "2024-08-07", "level": 1, "total": "100"},
    ]}
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"]] == ["0.00", "0.00", "42.00"]
    assert {w["code"]: w["visits"] for w in result["warnings"]}["shanxi-2024-unverified"] == [3]


def test_xuzhou_says_county_hospitals_count_as_level_two_with_the_visits_it_concerns():
    # 徐政规〔2022〕8号 二、（一）2: "在二级医疗机构(含县级医院,下同),按65%补助". The level the member
    # enters decides the rate (level 3: 60%, level 2: 65%): a county hospital graded 三级 is paid
    # at the 二级 rate, so the rule is said once, with the visits entered as 三级 only (not the
    # level-2 visit, not the pharmacy's, paid at the level-1 rate whatever the level, not the
    # non-designated one), and its clause is listed.
    # Visit 1 (level 3, 1000): 1000 − 700 起付 = 300 × 60% = 180.00; visit 2 (level 2, 200):
    # 200 × 65% = 130.00; visit 3 (pharmacy, 100): × 75% = 75.00; visit 5 (level 3, 100): × 60% = 60.00.
    body = {"region": "xuzhou", "status": "employed", "age": 40, "visits": [
        {"date": "2024-03-01", "level": 3, "total": "1000"},
        {"date": "2024-03-02", "level": 2, "total": "200"},
        {"date": "2024-03-03", "level": 3, "setting": "pharmacy", "total": "100"},
        {"date": "2024-03-04", "level": 3, "setting": "non_designated", "total": "100"},
        {"date": "2024-03-05", "level": 3, "total": "100"},
    ]}
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"]] == ["180.00", "130.00", "75.00", "0.00", "60.00"]
    (notice,) = [w for w in result["warnings"] if w["code"] == "xuzhou-county-hospital"]
    assert notice["visits"] == [1, 5]
    assert "县级医院" in notice["message"] and "二级" in notice["message"]
    assert "填为三级的就诊" in notice["message"]  # why it is listed with visits 1 and 5
    assert "含县级医院" in result["clauses"][notice["clause"]]["quote"]


def test_an_assumption_two_versions_share_is_listed_once_with_their_visits():
    # 武汉 细则 and 优化方案 read their account clauses the same way (the same assumption text):
    # one caveat, with both visits, not the same sentence twice. The reading is about the
    # account paying 全自费 (第八条（二）, "在实现信息系统支撑的前提下"): it concerns the visits where
    # the account pays toward a 全自费 amount (1 and 2), not visit 3, whose account payment is
    # policy-range self-pay (第八条（一）, unconditional).
    body = {"region": "wuhan", "status": "employed", "age": 40, "account_balance": "1000", "visits": [
        {"date": "2023-03-01", "level": 1, "total": "100", "excluded": "10"},
        {"date": "2023-04-20", "level": 1, "total": "100", "excluded": "10"},
        {"date": "2023-04-21", "level": 1, "total": "100"},
    ]}
    result = _answer(body)
    messages = [w["message"] for w in result["warnings"]]
    assert len(messages) == len(set(messages))
    (account,) = [w for w in result["warnings"] if w["code"].endswith("/account_use")]
    assert account["visits"] == [1, 2]
    assert [account["code"] in v["notices"] for v in result["visits"]] == [True, True, False]
    # The account paid the member's share each time: v1 (细则, 起付 700 not met: 90 counted) fund
    # 0, account 100.00 (10 of it 全自费); v2 (优化方案 from 04-10, no deductible) 90 × 85% = 76.50,
    # account 100 − 76.50 = 23.50 (10 of it 全自费); v3 100 × 85% = 85.00, account 15.00.
    assert [v["account_paid"] for v in result["visits"]] == ["100.00", "23.50", "15.00"]


def test_a_notice_lists_its_visits_in_the_order_they_were_given():
    # Visit 1 is later than visit 2: the caveat's visits are [1, 2] (request order), as the
    # schema says, not in the order the ledger met them.
    body = {"region": "yuxi", "status": "employed", "age": 40, "account_balance": "500", "visits": [
        {"date": "2024-10-25", "level": 1, "total": "100"},
        {"date": "2024-10-20", "level": 1, "total": "100"},
    ]}
    result = _answer(body)
    (account,) = [w for w in result["warnings"] if w["code"] == "yuxi-2023/account_use"]
    assert account["visits"] == [1, 2]


def test_only_a_prior_years_balance_is_not_called_two_balances():
    # 徐州 has one account: the 历年账户 field alone is its balance. A level-1 visit of 100 is all
    # deductible (700 a year), so the member owes 100, paid from the 200.
    body = {"region": "xuzhou", "status": "employed", "age": 60, "prior_years_balance": "200", "visits": [
        {"date": "2024-02-03", "level": 1, "total": "100"},
    ]}
    result = _answer(body)
    codes = {w["code"]: w["message"] for w in result["warnings"]}
    assert "prior-years-balance-merged" not in codes
    assert "两项余额" not in codes["prior-years-balance-as-account"]
    assert result["visits"][0]["account_paid"] == "100.00"  # 100 below the 700 deductible, from the 200


def test_the_two_balances_added_up_are_said_with_the_visits_the_account_pays():
    # 徐州, one account: 100 + 200 entered = 300. v1 (2024-11-20) total 0: nothing to pay.
    # v2 (2024-12-15) 一级 500, all within the 700 deductible: the member owes 500, the account
    # pays 300 (the sum) and cash 200. The notice concerns v2, not v1 (its figures do not rest
    # on the sum); with no visit the account pays, it is said of the request (visits []).
    body = {"region": "xuzhou", "status": "employed", "age": 60, "account_balance": "100", "prior_years_balance": "200",
            "visits": [{"date": "2024-11-20", "level": 1, "total": "0"}, {"date": "2024-12-15", "level": 1, "total": "500"}]}
    result = _answer(body)
    assert [v["account_paid"] for v in result["visits"]] == ["0.00", "300.00"]
    assert result["visits"][1]["cash_paid"] == "200.00"
    (merged,) = [w for w in result["warnings"] if w["code"] == "prior-years-balance-merged"]
    assert merged["visits"] == [2]
    assert "两项余额合并计算" in merged["message"]
    assert [("prior-years-balance-merged" in v["notices"]) for v in result["visits"]] == [False, True]
    nothing = _answer({**body, "visits": body["visits"][:1]})
    (merged,) = [w for w in nothing["warnings"] if w["code"] == "prior-years-balance-merged"]
    assert merged["visits"] == []


def test_a_visit_all_self_paid_counts_toward_nothing_so_the_years_totals_start_at_the_next():
    # 徐州 2024, employed, 二级: v1 300.00 all 全自费 (policy range 300 − 300 = 0) counts toward
    # neither the deductible nor the cap, so the year's totals are said to start at v2 (the
    # first visit within the fund's range), not at v1. v2 1000.00 with 全自费 entered as 0:
    # 起付 700 → (1000 − 700) × 65% = 195.00; its no-全自费 sentence says "未填或填为零".
    body = {
        "region": "xuzhou", "status": "employed", "age": 40,
        "visits": [
            {"date": "2024-03-01", "level": 2, "total": "300", "excluded": "300"},
            {"date": "2024-04-01", "level": 2, "total": "1000", "excluded": "0"},
        ],
    }
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"]] == ["0.00", "195.00"]
    first, second = step_variants(body)
    assert not [s for s in first if s[0] == "benefit_year"]
    assert ("benefit_year", "deductible_and_cap_covered") in second
    (all_in,) = [s for s in result["visits"][1]["steps"] if s["code"] == "policy_range"]
    assert all_in["explanation"].startswith("自费金额未填或填为零的就诊") and "本次 1,000 元" in all_in["explanation"]
    # The year's reading (自然年度) still names the year visit 1 is in.
    (reading,) = [w for w in result["warnings"] if w["code"] == "xuzhou-2023/benefit_year"]
    assert reading["visits"] == [1, 2]


def test_a_visit_crossing_the_cap_labels_its_unpaid_share_as_over_the_cap_not_as_transferred():
    # 云南省办法 第八条 (cap 6000; above it, policy-range expense goes over to inpatient cover),
    # employed, 一级 (起付 20/次, 60%). v1 9,820.00: (9820 − 20) × 60% = 5,880.00, 120.00 of
    # the cap left. v2 1,020.00: (1020 − 20) × 60% = 600.00 due, 120.00 paid; the 480.00
    # unpaid is the over-cap share (600 − 120, not divided back by the ratio), labelled
    # 超过年度限额; copay 1000 − 600 = 400.00. v3 500.00 after the cap is used up: all
    # 500.00 of policy-range expense goes over, labelled 转入住院待遇.
    body = {
        "region": "yunnan", "status": "employed", "age": 45,
        "visits": [
            {"date": "2025-03-01", "level": 1, "total": "9820.00"},
            {"date": "2025-04-01", "level": 1, "total": "1020.00"},
            {"date": "2025-05-01", "level": 1, "total": "500.00"},
        ],
    }
    result = _answer(body)
    v1, v2, v3 = result["visits"]
    assert [v["fund_paid"] for v in (v1, v2, v3)] == ["5880.00", "120.00", "0.00"]
    assert (v2["member_share"]["copay"], v2["member_share"]["over_cap"]) == ("400.00", "480.00")
    (crossing,) = [s for s in v2["steps"] if s["code"] == "over_cap"]
    assert (crossing["label"], crossing["amount"]) == ("超过年度限额", "480.00")
    assert "未支付的 480 元，对应的费用按规定转入住院待遇" in crossing["explanation"]
    (all_over,) = [s for s in v3["steps"] if s["code"] == "over_cap"]
    assert (all_over["label"], all_over["amount"]) == ("转入住院待遇", "500.00")


def test_the_chronic_deductibles_reading_is_said_once_across_玉溪s_two_versions():
    # 玉溪 keeps the 细则's 门诊慢性病 rule (第十条) after 2024-11-01: its reading of the deductible
    # (once a calendar year, 300) is one caveat listing the 门诊慢性病 visits under both versions;
    # that the 细则's rule is kept is said with the later 门诊慢性病 visit only, not with a general one.
    # 2023 retiree, 二级; chronic 500 on 2024-10-10: 300 to the deductible, 200 × 80% = 160.00;
    # chronic 500 on 2024-11-10: deductible met, 500 × 80% = 400.00.
    body = {
        "region": "yuxi", "status": "retired", "age": 66, "retired_on": "2015-01-01",
        "visits": [
            {"date": "2024-10-10", "level": 2, "total": "500", "category": "chronic"},
            {"date": "2024-11-10", "level": 2, "total": "500", "category": "chronic"},
            {"date": "2024-11-12", "level": 2, "total": "500"},
        ],
    }
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"][:2]] == ["160.00", "400.00"]
    readings = [w for w in result["warnings"] if "每个自然年度累计一次300元" in w["message"]]
    assert len(readings) == 1 and readings[0]["visits"] == [1, 2]
    (kept,) = [w for w in result["warnings"] if w["code"] == "yuxi-chronic-continues"]
    assert kept["visits"] == [2]


def test_wuhan_non_designated_care_after_the_optimisation_plan_is_read_from_the_rules_article_13():
    # 武汉 from 2023-04-10: the 优化方案's re-posts say nothing of non-designated institutions, so
    # 细则第十三条 (fund pays at 定点 institutions) still decides; its quote also names the
    # 起付标准 the plan cancelled, so the reading is said, with the non-designated visit only.
    # Visit 1 (non-designated, 300): fund 0.00; visit 2 (二级, 300, no deductible, 在职 65%):
    # 300 × 65% = 195.00.
    body = {"region": "wuhan", "status": "employed", "age": 40, "visits": [
        {"date": "2023-05-10", "level": 2, "total": "300.00", "setting": "non_designated"},
        {"date": "2023-05-12", "level": 2, "total": "300.00"},
    ]}
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"]] == ["0.00", "195.00"]
    warning = {w["code"]: w for w in result["warnings"]}["wuhan-2023-04/non_designated"]
    assert warning["kind"] == "assumption" and warning["visits"] == [1]
    assert "细则第十三条" in warning["message"] and "取消" in warning["message"]
    assert "wuhan-2023-04/non_designated" not in result["visits"][1]["notices"]


def test_off_site_chronic_care_follows_the_off_site_clause_of_the_rules_in_force():
    # 玉溪: registered off-site care, a 门诊慢性病 visit under the 细则 (2023-06) and a general one
    # under the 省办法 (2024-12); unregistered care on both sides of 2024-11-01. Each visit is
    # worked out by local standards (chronic: (800 − 300) × 80% = 400.00; general 2024, 二级:
    # (800 − 40) × 55% = 418.00), and each cites its own version's off-site clause: 细则第二十一条,
    # then 省办法第十六条 (its assumption: paid by the standards of the place insured).
    body = {"region": "yuxi", "status": "employed", "age": 40, "chronic_disease_count": 1, "visits": [
        {"date": "2023-06-01", "category": "chronic", "total": "800", "offsite": "filed"},
        {"date": "2023-06-02", "level": 2, "total": "800", "offsite": "unfiled"},
        {"date": "2024-12-10", "level": 2, "total": "800", "offsite": "filed"},
        {"date": "2024-12-11", "level": 2, "total": "800", "offsite": "unfiled"},
    ]}
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"]][0::2] == ["400.00", "418.00"]
    warnings = {w["code"]: w for w in result["warnings"]}
    assert warnings["yuxi-2023/offsite"]["visits"] == [1] and "第二十一条" in warnings["yuxi-2023/offsite"]["message"]
    assert warnings["yuxi-2024/offsite"]["visits"] == [3] and "第十六条" in warnings["yuxi-2024/offsite"]["message"]
    # The notice on unregistered care says the same words under both clauses: listed once,
    # with the visits of both and both clauses (the first as ``clause``); both visits name it.
    unfiled = warnings["offsite-unfiled-unspecified"]
    assert (unfiled["clause"], unfiled["clauses"], unfiled["visits"]) == ("yuxi-2023/offsite", ["yuxi-2023/offsite", "yuxi-2024/offsite"], [2, 4])
    assert not any(code.startswith("offsite-unfiled-unspecified:") for code in warnings)
    assert "offsite-unspecified" not in warnings and "chronic-offsite-unspecified" not in warnings
    assert [v["notices"].count("offsite-unfiled-unspecified") for v in result["visits"]] == [0, 1, 0, 1]
    assert len({w["message"] for w in result["warnings"]}) == len(result["warnings"])
    assert "第十六条" in result["clauses"]["yuxi-2024/offsite"]["article"]


def test_the_retiree_start_reading_is_said_only_where_a_retirement_date_applied_it():
    # 武汉 优化方案 (2023-04-10) is read as keeping 细则第七条's start ("次月起") for retirees. With
    # no retirement date the start is not applied (every visit a retiree's, which the
    # retired-on-missing notice says, citing the clause): the reading concerns no visit. With a
    # date inside the rule (2024-02-10 → from 2024-03-01) it decided the 2024-03-01 visit.
    visits = [{"date": "2024-03-01", "level": 2, "total": "500"}]
    without = _answer({"region": "wuhan", "status": "retired", "age": 70, "visits": visits})
    codes = {w["code"]: w for w in without["warnings"]}
    assert "retired-on-missing" in codes and codes["retired-on-missing"]["clause"] == "wuhan-2023-04/retiree_start"
    assert "wuhan-2023-04/retiree_start" not in codes and "wuhan-2023-04/retiree_start" in without["clauses"]
    dated = _answer({"region": "wuhan", "status": "retired", "age": 70, "retired_on": "2024-02-10", "visits": visits})
    assert {w["code"]: w["visits"] for w in dated["warnings"]}["wuhan-2023-04/retiree_start"] == [1]


def test_a_visit_sent_whole_to_inpatient_cover_says_no_rate_would_have_applied():
    # 云南省办法 (2025, employed): visit 1, 一级 10,020: 起付 20 → 10,000 × 60% = 6,000.00, the
    # whole annual cap (第八条: 6,000). Visit 2, a pharmacy visit on a 三级 prescription, 80.00:
    # the cap is reached, so its whole policy-range expense goes to inpatient cover (no
    # outpatient deductible, no rate). Nothing may say it was "按开具处方的三级医疗机构的标准计算",
    # and the pharmacy rule is not said there. Visit 3, a pharmacy visit on a 一级 prescription
    # in 2026 (a new year: cap room again): 100 − 20 起付 = 80 × 60% = 48.00; the pharmacy rule is
    # said there, where it applies.
    body = {
        "region": "yunnan", "status": "employed", "age": 50,
        "visits": [
            {"date": "2025-03-01", "level": 1, "total": "10020.00"},
            {"date": "2025-04-01", "level": 3, "setting": "pharmacy", "total": "80.00"},
            {"date": "2026-03-01", "level": 1, "setting": "pharmacy", "total": "100.00"},
        ],
    }
    result = _answer(body)
    first, second, third = result["visits"]
    assert (first["fund_paid"], second["fund_paid"], third["fund_paid"]) == ("6000.00", "0.00", "48.00")
    assert second["over_cap_handling"] == "inpatient_transfer" and second["member_share"]["over_cap"] == "80.00"
    assert [s["code"] for s in second["steps"] if s["code"] in ("setting", "price_class")] == []
    (setting,) = [s for s in third["steps"] if s["code"] == "setting"]
    assert "一级及以下医疗机构" in setting["explanation"], setting


def test_a_visit_of_nothing_does_not_take_the_all_in_sentence():
    # 玉溪细则 (2024, employed): visit 2 is entered with a total of 0.00. "全部按符合政策范围金额计算
    # （本次 0 元）" would announce a nil, and use up the one-time sentence, so that visit 3 (140.00,
    # no 全自费) got none. Visit 3 says it: 二级 140 − 起付 60 = 80 × 55% = 44.00 (细则: 二级 60, 55%).
    body = {
        "region": "yuxi", "status": "employed", "age": 40,
        "visits": [
            {"date": "2024-02-01", "level": 1, "total": "30.00", "excluded": "30.00"},
            {"date": "2024-02-02", "level": 2, "total": "0.00"},
            {"date": "2024-02-03", "level": 2, "total": "140.00"},
        ],
    }
    result = _answer(body)
    _first, nothing, third = result["visits"]
    assert [s["code"] for s in nothing["steps"]] == [], nothing["steps"]
    (all_in,) = [s for s in third["steps"] if s["code"] == "policy_range"]
    assert "（本次 140 元）" in all_in["explanation"], all_in
    assert third["fund_paid"] == "44.00"


def test_retiring_within_a_year_lists_the_carried_over_totals_as_a_reading():
    # 徐州 (徐政规〔2022〕8号): 起付标准 700 employed, 350 retired; no document says whether what was
    # counted before retirement counts toward the retiree's 350. The ledger carries it over (one
    # running total a year): a reading, listed with each visit counted toward it from the change
    # on (2 and 4), not with the employee's visit (1) nor the non-designated one (3).
    #   v1 02-10 三级 600 (employed): 600 toward 700; fund 0.00
    #   v2 07-10 三级 1000 (retired from 06-15): 350, 600 counted → met; 1000 × 70% = 700.00
    #   v3 08-10 non-designated 1000: not covered
    #   v4 09-10 三级 1000: 1000 × 70% = 700.00
    body = {
        "region": "xuzhou", "status": "retired", "age": 60, "retired_on": "2024-06-15",
        "visits": [
            {"date": "2024-02-10", "level": 3, "total": "600.00"},
            {"date": "2024-07-10", "level": 3, "total": "1000.00"},
            {"date": "2024-08-10", "level": 3, "setting": "non_designated", "total": "1000.00"},
            {"date": "2024-09-10", "level": 3, "total": "1000.00"},
        ],
    }
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"]] == ["0.00", "700.00", "0.00", "700.00"]
    (reading,) = [w for w in result["warnings"] if w["code"] == "retired-in-year-deductible"]
    assert reading["kind"] == "assumption" and reading["visits"] == [2, 4]
    assert reading["clause"] == "xuzhou-2023/deductible" and reading["clause"] in result["clauses"]
    assert "退休前已累计的起付标准是否计入退休人员的起付标准" in reading["message"]
    # 山西: its cap changes (1,800 → 2,000), its deductible is per visit: only the cap's reading.
    body = {
        "region": "shanxi", "status": "retired", "age": 60, "retired_on": "2024-06-15",
        "visits": [{"date": "2024-02-10", "level": 3, "total": "600.00"}, {"date": "2024-07-10", "level": 3, "total": "1000.00"}],
    }
    codes = {w["code"]: w["visits"] for w in _answer(body)["warnings"]}
    assert codes.get("retired-in-year-cap") == [2] and "retired-in-year-deductible" not in codes


def test_a_year_the_first_rule_starts_inside_says_its_totals_start_at_zero():
    # 内蒙古 (呼和浩特细则, from 2022-10-01): 2022's earlier outpatient care was settled under the
    # earlier rules, not in the calculator; the 1,000 deductible and the cap count from zero on
    # 2022-10-01 (no document says whether the earlier costs count): a reading, listed with the
    # covered 2022 visits (1), not the non-designated one (2) nor 2023's (3), whose year is whole.
    #   v1 2022-10-05 一级 1500: 1000 deductible → 500 × 80% = 400.00
    body = {
        "region": "neimenggu", "status": "employed", "age": 40,
        "visits": [
            {"date": "2022-10-05", "level": 1, "total": "1500"},
            {"date": "2022-12-05", "level": 1, "setting": "non_designated", "total": "100"},
            {"date": "2023-01-05", "level": 1, "total": "1500"},
        ],
    }
    result = _answer(body)
    assert result["visits"][0]["fund_paid"] == "400.00"
    (reading,) = [w for w in result["warnings"] if w["code"] == "first-rule-mid-year"]
    assert reading["kind"] == "assumption" and reading["visits"] == [1]
    assert reading["clause"] in result["clauses"]
    assert reading["message"].startswith("本计算器收录的规定自 2022-10-01 起执行，2022年度此前的门诊按原办法结算")
    assert "起付标准和年度限额从零累计" in reading["message"]  # 内蒙古: an annual deductible and a cap
    # A year the rules cover from its first day (徐州 2024) says nothing of the kind.
    xuzhou = _answer({"region": "xuzhou", "status": "employed", "age": 40, "visits": [{"date": "2024-03-01", "level": 1, "total": "900"}]})
    assert "first-rule-mid-year" not in {w["code"] for w in xuzhou["warnings"]}


def test_a_part_year_reading_names_only_the_running_totals_the_rule_has():
    # 云南 (from 2024-11-01): a per-visit deductible (二级 40), so only the 6,000 cap counts up over
    # the year: 500 − 40 = 460 × 55% = 253.00. Its reading says the cap, not a deductible.
    result = _answer({"region": "yunnan", "status": "employed", "age": 50, "visits": [{"date": "2024-11-05", "level": 2, "total": "500"}]})
    assert result["visits"][0]["fund_paid"] == "253.00"
    codes = {w["code"]: w for w in result["warnings"]}
    assert "first-rule-mid-year" not in codes
    assert codes["first-rule-mid-year-cap"]["visits"] == [1]
    assert "年度限额从零累计" in codes["first-rule-mid-year-cap"]["message"] and "起付标准" not in codes["first-rule-mid-year-cap"]["message"]
    # 武汉 2023: the 细则 (700 deductible and the cap) from 2023-02-01, then 优化方案 (no deductible):
    # each visit's reading names what its own rule counts up.
    result = _answer({"region": "wuhan", "status": "employed", "age": 50, "visits": [
        {"date": "2023-03-05", "level": 2, "total": "400"}, {"date": "2023-05-05", "level": 2, "total": "400"},
    ]})
    codes = {w["code"]: w["visits"] for w in result["warnings"]}
    assert codes["first-rule-mid-year"] == [1] and codes["first-rule-mid-year-cap"] == [2]


def test_a_retirement_reading_only_where_something_was_carried_over_and_with_the_visit_that_says_it():
    # 上海, retired 2024-03-01 (from the 2001 cohort): before it only a non-designated visit, so
    # nothing counted toward the 自负段: the change is said without a carry-over, and no reading.
    result = _answer({"region": "shanghai", "status": "retired", "age": 60, "retired_on": "2024-03-01", "visits": [
        {"date": "2024-01-05", "level": 2, "setting": "non_designated", "total": "200"},
        {"date": "2024-04-05", "level": 2, "total": "400"},
    ]})
    assert not [w for w in result["warnings"] if w["code"].startswith("retired-in-year")]
    # 内蒙古, retired 2023-06-10: v1 三级 3000 (employed): 1000 deductible → 2000 × 60% = 1,200.00;
    # v2 non-designated (not covered) carries the cap change "已支付 1,200 元，尚余 4,800 元" (5,000 →
    # 6,000): the carry-over reading is listed with it, and with v3 (二级 400 × 85% = 340.00).
    result = _answer({"region": "neimenggu", "status": "retired", "age": 60, "retired_on": "2023-06-10", "visits": [
        {"date": "2023-02-05", "level": 3, "total": "3000"},
        {"date": "2023-07-06", "level": 2, "setting": "non_designated", "total": "200"},
        {"date": "2023-08-01", "level": 2, "total": "400"},
    ]})
    assert [v["fund_paid"] for v in result["visits"]] == ["1200.00", "0.00", "340.00"]
    (reading,) = [w for w in result["warnings"] if w["code"] == "retired-in-year-cap"]
    assert reading["visits"] == [2, 3]
    assert "cap_change" in [s["code"] for s in result["visits"][1]["steps"]]


def test_a_visit_of_nothing_does_not_take_the_rate_rules_sentence():
    # 山西 2024: a 0.00 visit at 二级, then 二级 500. The inferred price class (二级 → 二类) is said at
    # the visit it rates (2), not at the 0.00 one; its reading concerns only the visit it rates
    # (the 0.00 visit has nothing the class decides: audit). 500 − 50 = 450 × 55% = 247.50 (二类:
    # deductible 50, employed 55%).
    result = _answer({"region": "shanxi", "status": "employed", "age": 50, "visits": [
        {"date": "2024-08-01", "level": 2, "total": "0"}, {"date": "2024-08-02", "level": 2, "total": "500"},
    ]})
    nothing, second = result["visits"]
    assert nothing["steps"] == [] and "price_class" in [s["code"] for s in second["steps"]]
    assert second["fund_paid"] == "247.50"
    (reading,) = [w for w in result["warnings"] if w["code"] == "shanxi-2023/price_class_default"]
    assert reading["visits"] == [2]
    assert "shanxi-2023/price_class_default" not in nothing["notices"]


def test_neimenggu_outpatient_cap_within_the_overall_cap_is_said_with_the_visits_it_concerns():
    # 内政办发〔2021〕82号 一（三）: "门诊保障年度最高支付限额纳入住院统筹基金年度最高支付限额计算".
    # Retired, 2024, 三级 6000: 1000 起付, 5000 × 65% = 3,250.00 within the 6,000 cap; a 非定点
    # visit is one the fund does not cover: the notice does not concern it.
    result = _answer({"region": "neimenggu", "status": "retired", "age": 68, "retired_on": "2015-06-30", "visits": [
        {"date": "2024-02-01", "level": 3, "total": "6000"},
        {"date": "2024-02-02", "level": 3, "setting": "non_designated", "total": "300"},
    ]})
    assert result["visits"][0]["fund_paid"] == "3250.00"
    notice = next(w for w in result["warnings"] if w["code"] == "neimenggu-overall-cap")
    assert notice["visits"] == [1]
    assert "计入住院统筹基金的年度最高支付限额" in notice["message"] and "可能更少" in notice["message"]
    clause = result["clauses"][notice["clause"]]
    assert (clause["article"], clause["quote"]) == ("一（三）", "门诊保障年度最高支付限额纳入住院统筹基金年度最高支付限额计算")


def test_the_day_retiree_rules_start_is_said_as_a_reading_where_no_document_fixes_it():
    # 山西 (晋医保发〔2022〕12号) sets no start for retiree rules: the calculator applies them from
    # the retirement day. Retired 2025-05-20; 一级 → 三类收费价格 (起付 30), 130.00 each:
    #   05-10 在职 60%: 100 × 60% = 60.00; 05-25 退休 65%: 100 × 65% = 65.00; 06-02: 65.00.
    # Only the visit after the retirement day in the same month is decided by that reading.
    body = {"region": "shanxi", "status": "retired", "age": 60, "retired_on": "2025-05-20", "visits": [
        {"date": "2025-05-10", "level": 1, "total": "130.00"},
        {"date": "2025-05-25", "level": 1, "total": "130.00"},
        {"date": "2025-06-02", "level": 1, "total": "130.00"},
    ]}
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"]] == ["60.00", "65.00", "65.00"]
    reading = next(w for w in result["warnings"] if w["code"] == "retiree-start-day")
    assert reading["kind"] == "assumption" and reading["visits"] == [2]
    assert "2025-05-20" in reading["message"] and "次月" in reading["message"]
    # 武汉 细则第七条 fixes it ("次月起"): no such reading.
    wuhan = _answer({**body, "region": "wuhan", "retired_on": "2024-05-20", "visits": [{"date": "2024-05-25", "level": 1, "total": "130.00"}]})
    assert "retiree-start-day" not in {w["code"] for w in wuhan["warnings"]}


def test_a_balance_left_untouched_at_a_non_designated_institution_is_said():
    # 徐州, employed, balance 500: a 300.00 visit at a non-designated institution: the fund pays
    # nothing and the account is not used (cash 300.00, balance still 500); the answer says so.
    # A second, designated visit (二级 1000: 起付 700, 300 × 65% = 195.00, member 805.00) is paid
    # from the account as far as it goes (500.00, cash 305.00): the notice concerns visit 1 only.
    result = _answer({"region": "xuzhou", "status": "employed", "age": 40, "account_balance": "500", "visits": [
        {"date": "2024-03-01", "level": 2, "setting": "non_designated", "total": "300"},
        {"date": "2024-03-02", "level": 2, "total": "1000"},
    ]})
    assert [(v["fund_paid"], v["account_paid"], v["cash_paid"]) for v in result["visits"]] == [
        ("0.00", "0.00", "300.00"), ("195.00", "500.00", "305.00")]
    notice = next(w for w in result["warnings"] if w["code"] == "account-non-designated")
    assert notice["visits"] == [1] and "不用个人账户支付" in notice["message"]
    # Without a balance there is nothing left untouched to explain.
    result = _answer({"region": "xuzhou", "status": "employed", "age": 40, "visits": [
        {"date": "2024-03-01", "level": 2, "setting": "non_designated", "total": "300"}]})
    assert "account-non-designated" not in {w["code"] for w in result["warnings"]}


def test_a_retiree_without_a_retirement_date_is_told_every_visit_counts_as_a_retirees():
    # 山西 has no retiree start rule to cite, yet every visit is paid at the retiree's rate: 一级
    # (三类) 100 − 30 = 70 × 65% = 45.50. A retirement within the visits would change that, so
    # the answer says the date was not given (audit: said only where 武汉's start rule applies).
    result = _answer({"region": "shanxi", "status": "retired", "age": 60, "visits": [
        {"date": "2024-03-01", "level": 1, "total": "100"}, {"date": "2024-03-05", "level": 1, "total": "100"},
    ]})
    assert [v["fund_paid"] for v in result["visits"]] == ["45.50", "45.50"]
    (missing,) = [w for w in result["warnings"] if w["code"] == "retired-on-missing"]
    assert missing["visits"] == [1, 2] and missing["message"].startswith("未填写退休日期")


def test_caveats_about_rates_skip_visits_the_fund_pays_nothing_for():
    # 徐州, retired 2025-03-10: a 二级 visit that day (a retiree's: the 150 falls within the
    # retirees' 350 deductible; the reading that the retiree rules start on the retirement date
    # itself concerns it, as a retiree's deductible is not an employee's 700); then a non-designated visit
    # and a visit all 全自费 in the same month: the fund pays neither whatever the start day, so
    # the reading does not list them (audit), nor is a pharmacy's reading listed for a pharmacy
    # visit all 全自费.
    result = _answer({"region": "xuzhou", "status": "retired", "age": 60, "retired_on": "2025-03-10", "visits": [
        {"date": "2025-03-10", "level": 2, "total": "150"},
        {"date": "2025-03-20", "level": 1, "setting": "non_designated", "total": "300"},
        {"date": "2025-03-21", "level": 3, "total": "300", "excluded": "300"},
        {"date": "2025-03-22", "level": 3, "setting": "pharmacy", "total": "300", "excluded": "300"},
    ]})
    warnings = {w["code"]: w["visits"] for w in result["warnings"]}
    assert warnings["retiree-start-day"] == [1]
    assert "xuzhou-2023/pharmacy" not in warnings
    assert [v["fund_paid"] for v in result["visits"]] == ["0.00"] * 4  # 150 is within the 350 deductible
    # 山西 2024's notice for covered visits only (its source unverified) skips a visit all 全自费.
    result = _answer({"region": "shanxi", "status": "employed", "age": 50, "visits": [
        {"date": "2024-08-01", "level": 2, "total": "200", "excluded": "200"}, {"date": "2024-08-02", "level": 2, "total": "500"},
    ]})
    assert {w["code"]: w["visits"] for w in result["warnings"]}["shanxi-2024-unverified"] == [2]



def test_a_caveat_with_the_same_words_under_two_clauses_is_one_warning():
    # Audit: 武汉 retiree without a retirement date, visits on both sides of 2023-04-10: the
    # retired-on-missing caveat was listed twice with the same words (under the 细则's 第七条
    # and the 优化方案's reading of it). One warning, visits [1, 2], both clauses; each visit's
    # notices name it once; every code a visit names is a warning's.
    body = {"region": "wuhan", "status": "retired", "age": 65, "visits": [
        {"date": "2023-03-01", "level": 3, "total": "6000.00", "class_b": "200"},
        {"date": "2023-05-01", "level": 3, "total": "2000.00"},
    ]}
    result = _answer(body)
    missing = [w for w in result["warnings"] if w["code"].startswith("retired-on-missing")]
    assert len(missing) == 1
    assert (missing[0]["code"], missing[0]["visits"]) == ("retired-on-missing", [1, 2])
    assert missing[0]["clauses"] == ["wuhan-2023-02/retiree_start", "wuhan-2023-04/retiree_start"]
    assert all(v["notices"].count("retired-on-missing") == 1 for v in result["visits"])
    codes = {w["code"] for w in result["warnings"]}
    assert all(code in codes for v in result["visits"] for code in v["notices"])
    assert len({(w["kind"], w["message"]) for w in result["warnings"]}) == len(result["warnings"])


def test_the_rounding_of_the_fund_share_is_a_reading_listed_with_the_visits_it_changed():
    # POLICY_NOTES, mechanics 7 (no document says it): the fund's share at its rate is rounded
    # half-up to the fen, shown as an assumption beside the visits where it changed the amount.
    # 徐州 employed, 2024, 二级 (65 %), deductible 700:
    #   v1 800.10: 800.10 − 700 = 100.10 × 65 % = 65.065 → 65.07 (rounded: listed)
    #   v2 100.00: 100.00 × 65 % = 65.00 exactly (not listed)
    #   v3 333.33 (三级, 60 %): 333.33 × 60 % = 199.998 → 200.00 (rounded: listed)
    body = {
        "region": "xuzhou", "status": "employed", "age": 40,
        "visits": [
            {"date": "2024-03-01", "level": 2, "total": "800.10"},
            {"date": "2024-03-02", "level": 2, "total": "100.00"},
            {"date": "2024-03-03", "level": 3, "total": "333.33"},
        ],
    }
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"]] == ["65.07", "65.00", "200.00"]
    (rounding,) = [w for w in result["warnings"] if w["code"] == "rounding"]
    # A calculator-wide reading, under no one clause (POLICY_NOTES, not a document).
    assert rounding["kind"] == "assumption" and rounding["visits"] == [1, 3] and rounding["clause"] is None
    assert "四舍五入到分" in rounding["message"] and "文件没有写明舍入方法" in rounding["message"]
    assert ["rounding" in v["notices"] for v in result["visits"]] == [True, False, True]
    from calculator.i18n import plain_translate_for  # English at the edge, as the API gives it

    status, english = run_contract(json.dumps({**body, "lang": "en"}), plain_translate_for)
    assert status == 200
    (rounding,) = [w for w in english["warnings"] if w["code"] == "rounding"]
    assert rounding["message"].startswith("Amounts worked out at a rate (the pooling fund's share, a first self-payment")


def test_a_rounded_first_self_payment_is_listed_too():
    # 武汉 优化方案, employed, 2024, 一级 (85 %, no deductible), total 212.35 with 乙类 123.45:
    #   乙类先行自付 123.45 × 10 % = 12.345 → 12.35 (rounded: listed)
    #   fund (212.35 − 12.35) × 85 % = 200 × 0.85 = 170.00 exactly (so only the 先行自付 was rounded)
    # and a visit of 乙类 100 and total 200: 10.00 exactly, fund 190 × 85 % = 161.50 exactly.
    result = _answer({
        "region": "wuhan", "status": "employed", "age": 45,
        "visits": [
            {"date": "2024-03-05", "level": 1, "total": "212.35", "class_b": "123.45"},
            {"date": "2024-03-06", "level": 1, "total": "200.00", "class_b": "100.00"},
        ],
    })
    assert [v["member_share"]["first_self_pay"] for v in result["visits"]] == ["12.35", "10.00"]
    assert [v["fund_paid"] for v in result["visits"]] == ["170.00", "161.50"]
    (rounding,) = [w for w in result["warnings"] if w["code"] == "rounding"]
    assert rounding["visits"] == [1]


def test_which_of_two_visits_on_one_day_comes_first_is_a_reading_listed_with_both():
    # 徐州 employed, 2024, deductible 700, both visits on 2024-03-01, each 800 (POLICY_NOTES:
    # ties in the order given; no document says which comes first):
    #   三级 first: 800 − 700 = 100 × 60 % = 60.00; then 一级 800 × 75 % = 600.00 → 660.00
    #   一级 first: 100 × 75 % = 75.00; then 三级 800 × 60 % = 480.00 → 555.00
    third = {"date": "2024-03-01", "level": 3, "total": "800.00"}
    first = {"date": "2024-03-01", "level": 1, "total": "800.00"}
    later = {"date": "2024-03-09", "level": 1, "total": "100.00"}
    one = _answer({"region": "xuzhou", "status": "employed", "age": 45, "visits": [third, first, later]})
    other = _answer({"region": "xuzhou", "status": "employed", "age": 45, "visits": [first, third, later]})
    assert one["totals"]["fund_paid"] == "735.00" and other["totals"]["fund_paid"] == "630.00"  # + 75.00 each
    for result in (one, other):
        (same_day,) = [w for w in result["warnings"] if w["code"] == "same-day"]
        assert same_day["kind"] == "assumption" and same_day["visits"] == [1, 2]
        assert "同一天有多次就诊" in same_day["message"] and "金额就可能不同" in same_day["message"]
        assert ["same-day" in v["notices"] for v in result["visits"]] == [True, True, False]


def test_a_years_running_totals_carried_over_to_new_rules_is_a_reading():
    # 武汉: 细则 until 2023-04-09, 优化方案 from 2023-04-10 (POLICY_NOTES 5: one cap and one
    # deductible running total in a year, across versions). Employed, 二级:
    #   2023-03-01 900: 细则 deductible 700 → 200 × 60 % = 120.00 (paid under the 细则)
    #   2023-05-01 300: 优化方案, no deductible → 300 × 65 % = 195.00; the 120.00 counts on
    # toward the year's cap: the reading listed with the visit under the new rules.
    result = _answer({
        "region": "wuhan", "status": "employed", "age": 45,
        "visits": [
            {"date": "2023-03-01", "level": 2, "total": "900.00"},
            {"date": "2023-05-01", "level": 2, "total": "300.00"},
        ],
    })
    assert [v["fund_paid"] for v in result["visits"]] == ["120.00", "195.00"]
    assert result["visits"][1]["cap"]["used_before"] == "120.00"
    (carried,) = [w for w in result["warnings"] if w["code"] == "version-carried"]
    assert carried["kind"] == "assumption" and carried["visits"] == [2]
    assert carried["clause"] == "wuhan-2023-04/annual_cap" and "年度限额" in carried["message"]
    assert "起付标准" not in carried["message"]  # the 优化方案 has none: nothing said of one
    # Nothing carried (the year's first visit under the new rules): not said.
    alone = _answer({"region": "wuhan", "status": "employed", "age": 45, "visits": [{"date": "2023-05-01", "level": 2, "total": "300.00"}]})
    assert not [w for w in alone["warnings"] if w["code"] == "version-carried"]
    # Only deductible counted before (500 < 700: the fund paid nothing): nothing carried into the
    # new cap, and the change of rules is still said as a step at the first visit under it.
    none_paid = _answer({"region": "wuhan", "status": "employed", "age": 45, "visits": [
        {"date": "2023-03-01", "level": 2, "total": "500.00"}, {"date": "2023-05-01", "level": 2, "total": "300.00"},
    ]})
    assert not [w for w in none_paid["warnings"] if w["code"] == "version-carried"]
    assert [s["code"] for s in none_paid["visits"][1]["steps"]].count("version_change") == 1
    # Listed with every later visit the carried total counts toward (a non-designated visit not):
    #   03-01 一级 4500: 4500 − 700 = 3800 × 80 % = 3040.00 (细则; cap 3500)
    #   05-01 非定点 300: nothing; 05-02 二级 300: 300 × 65 % = 195.00; 06-02 二级 2000: 1300 ×
    #   65 % = 845 > 3500 − 3040 − 195 = 265.00 left: 265.00
    later = _answer({"region": "wuhan", "status": "employed", "age": 45, "visits": [
        {"date": "2023-03-01", "level": 1, "total": "4500.00"},
        {"date": "2023-05-01", "level": 2, "setting": "non_designated", "total": "300.00"},
        {"date": "2023-05-02", "level": 2, "total": "300.00"},
        {"date": "2023-06-02", "level": 2, "total": "2000.00"},
    ]})
    assert [v["fund_paid"] for v in later["visits"]] == ["3040.00", "0.00", "195.00", "265.00"]
    (carried,) = [w for w in later["warnings"] if w["code"] == "version-carried"]
    assert carried["visits"] == [2, 3, 4]


def test_a_retirement_on_a_dividing_day_of_shanghais_cohorts_is_a_reading():
    # 上海 (主要任务（二）2): "2001年1月1日后退休人员" 自负段 300, 一级 85 %;
    # "2000年12月31日前退休人员" 自负段 200, 一级 90 %. The two days themselves are not placed:
    #   retired 2001-01-01 → later group: 500 − 300 = 200 × 85 % = 170.00
    #   retired 2000-12-31 → earlier group: 500 − 200 = 300 × 90 % = 270.00
    #   retired 2001-01-02: no doubt, no caveat.
    def answer(retired_on):
        return _answer({
            "region": "shanghai", "status": "retired", "age": 80, "retired_on": retired_on,
            "visits": [{"date": "2024-03-01", "level": 1, "total": "500.00"}, {"date": "2024-03-08", "level": 1, "total": "100.00"}],
        })

    for retired_on, first_fund in (("2001-01-01", "170.00"), ("2000-12-31", "270.00")):
        result = answer(retired_on)
        assert result["visits"][0]["fund_paid"] == first_fund
        (reading,) = [w for w in result["warnings"] if w["code"] == "cohort-boundary"]
        assert reading["kind"] == "assumption" and reading["visits"] == [1, 2]
        assert reading["clause"] == "shanghai-2023/retiree_cohorts"
        assert "2000-12-31 前和 2001-01-01 后" in reading["message"]
    assert not [w for w in answer("2001-01-02")["warnings"] if w["code"] == "cohort-boundary"]
    # A visit the fund does not cover (non-designated) is decided by no cohort: not listed.
    result = _answer({
        "region": "shanghai", "status": "retired", "age": 80, "retired_on": "2001-01-01",
        "visits": [{"date": "2024-03-01", "level": 1, "total": "500.00"}, {"date": "2024-03-08", "level": 1, "setting": "non_designated", "total": "100.00"}],
    })
    (reading,) = [w for w in result["warnings"] if w["code"] == "cohort-boundary"]
    assert reading["visits"] == [1]


def test_the_account_paying_after_the_fund_is_a_reading_where_the_document_gives_no_order():
    # 云南 (云南办法 第十条: the account "主要用于支付…政策范围内自付费用…还可以用于支付…由个人负担的
    # 医疗费用", no order with the fund). Employed, 2025, 二级 (per-visit deductible 40, 55 %):
    #   total 900, 全自费 100 → policy range 800; 800 − 40 = 760 × 55 % = 418.00 from the fund
    #   the member's 482.00 (100 全自费 + 40 + 342) from the account's 500.00; cash 0.00
    result = _answer({
        "region": "yunnan", "status": "employed", "age": 45, "account_balance": "500.00",
        "visits": [{"date": "2025-03-01", "level": 2, "total": "900.00", "excluded": "100.00"}],
    })
    (visit,) = result["visits"]
    assert (visit["fund_paid"], visit["account_paid"], visit["cash_paid"]) == ("418.00", "482.00", "0.00")
    (reading,) = [w for w in result["warnings"] if w["code"] == "yunnan-2024/account_use"]
    assert reading["kind"] == "assumption" and reading["visits"] == [1]
    assert "没有写明与统筹基金结算的先后" in reading["message"] and "含全自费部分" in reading["message"]


def test_a_rounded_monthly_credit_in_a_year_of_retirement_is_listed_too():
    # 武汉 (retirees' rules from the next month, 第七条), retired 2024-06-15, base 8000.25:
    #   2024-01 … 06 in service: 8000.25 × 2 % = 160.005 → 160.01 a month (rounded: listed)
    #   2024-07 … 12 retired: 83 a month (a fixed amount)
    # and with a base of 8000.00: 160.00 exactly, nothing rounded.
    def answer(base):
        return _answer({
            "region": "wuhan", "status": "retired", "age": 60, "retired_on": "2024-06-15", "contribution_base": base,
            "visits": [{"date": "2024-08-01", "level": 2, "total": "300.00"}],
        })

    rounded = answer("8000.25")
    assert "160.01" in rounded["personal_account"]["explanation"]
    assert [w["visits"] for w in rounded["warnings"] if w["code"] == "rounding"] == [[1]]
    assert not [w for w in answer("8000.00")["warnings"] if w["code"] == "rounding"]


def test_the_same_day_reading_names_only_the_running_totals_the_rule_has():
    # 上海: an annual 自负段 and no outpatient cap; 武汉 from 2023-04-10: a cap and no deductible.
    two = [{"date": "2024-03-01", "level": 2, "total": "300.00"}, {"date": "2024-03-01", "level": 2, "total": "400.00"}]
    shanghai = _answer({"region": "shanghai", "status": "employed", "age": 40, "visits": two})
    (w,) = [w for w in shanghai["warnings"] if w["code"] == "same-day"]
    assert "如果自负段在这一天累计达到" in w["message"] and "起付标准" not in w["message"] and "限额" not in w["message"]
    assert w["visits"] == [1, 2]
    # (上海 employed, 自负段 500: the 300 and 400 of that day meet it, so their order matters.)
    # 武汉 2024, 二级: 6,000 × 65 % = 3,900.00 reaches the 3,500 cap that day.
    big = [{"date": "2024-03-01", "level": 2, "total": "6000.00"}, {"date": "2024-03-01", "level": 2, "total": "400.00"}]
    wuhan = _answer({"region": "wuhan", "status": "employed", "age": 40, "visits": big})
    (w,) = [w for w in wuhan["warnings"] if w["code"] == "same-day"]
    assert "如果年度限额在这一天累计达到" in w["message"] and "起付标准" not in w["message"]
    # The same two visits of 300 and 400 are 195.00 and 260.00 in either order (no deductible,
    # 455.00 of a 3,500 cap): the order is no reading of theirs.
    assert "same-day" not in {w["code"] for w in _answer({"region": "wuhan", "status": "employed", "age": 40, "visits": two})["warnings"]}
    # In English, the 自负段 is named as such too.
    from calculator.i18n import plain_translate_for

    status, english = run_contract(json.dumps({"region": "shanghai", "status": "employed", "age": 40, "visits": two, "lang": "en"}), plain_translate_for)
    assert status == 200
    (w,) = [w for w in english["warnings"] if w["code"] == "same-day"]
    assert "Where the self-pay band is reached that day" in w["message"]
    # 玉溪 门诊慢性病 (细则 第十条): the pool's own 300 deductible and cap, retired 80 %. 200 then
    # 1000: the 200 goes to the deductible (fund 0.00), then 1000 − 100 = 900 × 80 % = 720.00;
    # the other order: 1000 − 300 = 700 × 80 % = 560.00, then 200 × 80 % = 160.00.
    chronic = [{"date": "2024-03-01", "level": 2, "total": t, "category": "chronic"} for t in ("200.00", "1000.00")]
    yuxi = _answer({"region": "yuxi", "status": "retired", "age": 66, "retired_on": "2015-06-30", "chronic_disease_count": 1, "visits": chronic})
    assert [v["fund_paid"] for v in yuxi["visits"]] == ["0.00", "720.00"]
    other = _answer({"region": "yuxi", "status": "retired", "age": 66, "retired_on": "2015-06-30", "chronic_disease_count": 1, "visits": chronic[::-1]})
    assert [v["fund_paid"] for v in other["visits"]] == ["560.00", "160.00"]
    (w,) = [w for w in yuxi["warnings"] if w["code"] == "same-day"]
    assert "如果起付标准或年度限额在这一天累计达到" in w["message"] and w["visits"] == [1, 2]
    # One caveat across days under other rules, worded for all of them (武汉 2023-03 under the
    # 细则, with a deductible; 2024 under the 优化方案, without).
    # 2024-03-01: 200 × 65 % + 6,000 × 65 % reach the 3,500 cap; 2023-03-01: 200 + 1,000 meet the
    # 细则's 700 deductible.
    days = [{"date": d, "level": 2, "total": t} for d, ts in (("2024-03-01", ("200.00", "6000.00")), ("2023-03-01", ("200.00", "1000.00"))) for t in ts]
    both = _answer({"region": "wuhan", "status": "employed", "age": 40, "visits": days})
    (w,) = [w for w in both["warnings"] if w["code"].startswith("same-day")]
    assert w["code"] == "same-day" and w["visits"] == [1, 2, 3, 4] and "起付标准或年度限额" in w["message"]


def test_an_english_answer_describes_each_rules_title_in_english():
    # rules[].title is the calculator's name for the rule, with its own note (（据转载）): an
    # English answer adds title_en (as its clauses do); a Chinese one keeps the title alone.
    from calculator.i18n import plain_translate_for

    body = {"region": "wuhan", "status": "employed", "age": 40, "visits": [{"date": "2023-03-01", "level": 2, "total": "300.00"}, {"date": "2024-03-01", "level": 2, "total": "300.00"}]}
    status, english = run_contract(json.dumps({**body, "lang": "en"}), plain_translate_for)
    assert status == 200
    titles = {r["id"]: r["title_en"] for r in english["rules"]}
    assert titles["wuhan-2023-04"] == "Wuhan's improved general outpatient pooling plan for employees (from re-posts)"
    assert all(t and not any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in titles.values())
    chinese = _answer(body)
    assert all("title_en" not in r for r in chinese["rules"])


def test_the_same_day_reading_lists_only_visits_whose_order_can_matter():
    # 徐州 2024-03-01: 三级 800, a non-designated 500 (the fund pays nothing: it counts toward
    # no running total), 一级 800: the first and third still interact (660.00 or 555.00 as in
    # the test above), the second in neither order; a 门诊慢性病 pool is not 徐州's.
    visits = [
        {"date": "2024-03-01", "level": 3, "total": "800.00"},
        {"date": "2024-03-01", "level": 1, "setting": "non_designated", "total": "500.00"},
        {"date": "2024-03-01", "level": 1, "total": "800.00"},
    ]
    result = _answer({"region": "xuzhou", "status": "employed", "age": 45, "visits": visits})
    (w,) = [w for w in result["warnings"] if w["code"] == "same-day"]
    assert w["visits"] == [1, 3]
    assert ["same-day" in v["notices"] for v in result["visits"]] == [True, False, True]
    # 玉溪: a general and a 门诊慢性病 visit on one day are in different pools: no reading.
    mixed = [{"date": "2024-03-01", "level": 2, "total": "500.00"}, {"date": "2024-03-01", "level": 2, "total": "500.00", "category": "chronic"}]
    yuxi = _answer({"region": "yuxi", "status": "retired", "age": 66, "retired_on": "2015-06-30", "visits": mixed})
    assert not [w for w in yuxi["warnings"] if w["code"] == "same-day"]


def test_a_shanghai_cohorts_name_is_parted_from_the_words_around_it():
    # 上海 2024 医保年度, retired 2010-05-01 (2001年1月1日后退休人员): 自负段 300, 一级 85 %.
    #   900 − 300 = 600 × 85 % = 510.00 from the fund; the share at the ratio 600 − 510 = 90.00.
    # The cohort is named by its split date, a figure: parted by a space from the word before
    # it, as every figure in a sentence is ("按一级及以下医疗机构2001-01-01 起…" ran them together).
    result = _answer({"region": "shanghai", "status": "retired", "age": 70, "retired_on": "2010-05-01",
                      "visits": [{"date": "2024-08-01", "level": 1, "total": "900.00"}]})
    (visit,) = result["visits"]
    assert visit["fund_paid"] == "510.00"
    sentences = {s["code"]: s["explanation"] for s in visit["steps"]}
    assert "按一级及以下医疗机构 2001-01-01 起退休人员比例 85% 由统筹基金支付 510 元" in sentences["fund"]
    assert "按 2001-01-01 起退休人员的标准计算" in sentences["retiree_cohort"]


def test_the_order_of_two_first_self_pays_is_said_with_the_clause_s_own_rate_and_article():
    # 武汉 2024, 二级, 1000 with 乙类 200, off-site and not filed: 乙类 200 × 10% = 20.00 first,
    # then (1000 − 20) × 10% = 98.00 (细则第十七条); the order is the calculator's, the reverse
    # of 第十七条's, and said once with the clause it concerns. Its rate and article are the
    # data's (the issue: no message repeats a figure that is in the data, such as 武汉's 10%).
    from calculator.rules import messages

    result = _answer({"region": "wuhan", "status": "employed", "age": 40, "visits": [
        {"date": "2024-03-01", "level": 2, "total": "1000", "class_b": "200", "offsite": "unfiled"},
    ]})
    shares = [s["amount"] for s in result["visits"][0]["steps"] if s["code"] == "first_self_pay"]
    assert shares == ["20.00", "98.00"]
    (notice,) = [w for w in result["warnings"] if w["code"] == "first-self-pay-order"]
    assert notice["visits"] == [1]
    clause = result["clauses"][notice["clause"]]
    assert clause["article"] == "第十七条" and "个人先支付10%后" in clause["quote"]
    assert notice["message"].startswith("就诊同时有乙类先行自付和异地未备案先行自付时：第十七条规定未备案异地就医个人先支付 10%，")
    template = messages.NOTICES["first-self-pay-order"]
    assert "10%" not in template and "第十七条" not in template and "{rate}" in template


def test_readings_of_order_and_rounding_skip_visits_whose_payments_they_cannot_change():
    # 徐州 employed, 2024: deductible 700, cap 7,000; 一级 75 %, 二级 65 %.
    #   v1 03-01 一级 10,000.00: (10,000 − 700) × 75 % = 6,975.00 exactly; 25.00 of the cap left
    #   v2 03-02 二级 100.10: 100.10 × 65 % = 65.065 → 65.07 at the rate, but the fund pays the
    #      25.00 of the cap left: the rounding decided no payment (not listed)
    #   v3 03-02 二级 100.10: the cap used up → 0.00. Which of v2 and v3 gets the 25.00 is the
    #      order of the day: the same-day reading lists both.
    #   v4, v5 03-05 二级 300.00 each: the cap was used up before that day, each pays 0.00 in
    #      any order: no same-day reading for them, nor rounding (300 × 65 % = 195.00 anyway).
    visits = [
        {"date": "2024-03-01", "level": 1, "total": "10000.00"},
        {"date": "2024-03-02", "level": 2, "total": "100.10"},
        {"date": "2024-03-02", "level": 2, "total": "100.10"},
        {"date": "2024-03-05", "level": 2, "total": "300.00"},
        {"date": "2024-03-05", "level": 2, "total": "300.00"},
    ]
    result = _answer({"region": "xuzhou", "status": "employed", "age": 45, "visits": visits})
    assert [v["fund_paid"] for v in result["visits"]] == ["6975.00", "25.00", "0.00", "0.00", "0.00"]
    assert result["visits"][1]["member_share"]["over_cap"] == "40.07"  # 65.07 − 25.00
    warnings = {w["code"]: w["visits"] for w in result["warnings"]}
    assert warnings["same-day"] == [2, 3]
    assert "rounding" not in warnings
    assert [("same-day" in v["notices"], "rounding" in v["notices"]) for v in result["visits"]] == [
        (False, False), (True, False), (True, False), (False, False), (False, False),
    ]


def test_a_retirement_date_entered_for_an_employee_is_said_of_the_request_not_each_visit():
    # 山西, 在职 with a retirement date: the date is not used (employees' rules), which is said
    # once of the request; no visit's figures rest on it, so no visit lists it.
    result = _answer({"region": "shanxi", "status": "employed", "age": 50, "retired_on": "2015-06-30", "visits": [
        {"date": "2024-03-01", "level": 2, "total": "300.00"}, {"date": "2024-03-05", "level": 3, "total": "200.00"},
    ]})
    (ignored,) = [w for w in result["warnings"] if w["code"] == "retired-on-ignored"]
    assert ignored["visits"] == [] and ignored["message"] == "您选择了在职，填写的退休日期不参与计算。"
    assert not any("retired-on-ignored" in v["notices"] for v in result["visits"])


def test_the_reading_of_a_class_b_share_without_a_rate_skips_visits_after_the_cap_is_used_up():
    # 山西 在职 2024 (晋医保发〔2022〕12号): 三级 read as 一类 收费价格, deductible 80 per visit,
    # 50 %, cap 1,800. 第七条 names a 乙类 first self-payment without a rate: nothing is deducted,
    # and the reading says the fund's payment may in fact be a little lower.
    #   v1 5,000.00 (乙类 100): (5,000 − 80) × 50 % = 2,460.00 → the cap's 1,800.00: listed
    #   v2 500.00 (乙类 100): the cap used up → 0.00 whatever is deducted: not listed
    result = _answer({"region": "shanxi", "status": "employed", "age": 50, "visits": [
        {"date": "2024-03-01", "level": 3, "total": "5000.00", "class_b": "100.00"},
        {"date": "2024-03-05", "level": 3, "total": "500.00", "class_b": "100.00"},
    ]})
    assert [v["fund_paid"] for v in result["visits"]] == ["1800.00", "0.00"]
    (reading,) = [w for w in result["warnings"] if w["code"] == "shanxi-2023/class_b_first_self_pay"]
    assert reading["visits"] == [1] and "可能略低" in reading["message"]
    assert ["shanxi-2023/class_b_first_self_pay" in v["notices"] for v in result["visits"]] == [True, False]


def test_no_outpatient_cap_and_the_reading_of_the_shared_total_are_one_caveat():
    # 上海 (2023医保年度 standards, 三): no outpatient-only cap; the 统筹基金 total (61万元) is
    # shared with inpatient care and the calculator cannot check it. Said as one caveat, the
    # reason first, listed once with each visit (they were two adjacent ones on every visit).
    result = _answer({"region": "shanghai", "status": "employed", "age": 40, "visits": [
        {"date": "2024-09-01", "level": 2, "total": "600.00"}, {"date": "2024-09-08", "level": 1, "total": "300.00"},
    ]})
    caveats = [w for w in result["warnings"] if w["code"].startswith("shanghai-2023/annual_cap")]
    assert [(w["code"], w["kind"], w["visits"]) for w in caveats] == [("shanghai-2023/annual_cap", "assumption", [1, 2])]
    message = caveats[0]["message"]
    assert message.startswith("上海没有单独的门急诊年度支付限额") and message.endswith("因此不检查这一总限额。")
    assert [v["notices"].count("shanghai-2023/annual_cap") for v in result["visits"]] == [1, 1]
    assert all(v["cap"]["annual_cap"] is None for v in result["visits"])


def test_readings_that_the_fund_may_pay_less_are_listed_only_where_it_paid_something():
    # Audit: "实际…可能更低/更少" is untrue of a nil payment (inside the deductible, after the cap
    # was used up, paid by the 当年账户): such readings are listed where the fund paid something.
    def warnings(body):
        result = _answer({"status": "employed", "age": 40, **body})
        return [v["fund_paid"] for v in result["visits"]], {w["code"]: w["visits"] for w in result["warnings"]}

    # 内蒙古 2023, employed: deductible 1,000, 一级 80 %, cap 5,000. 500 → inside the deductible;
    # 9,000: (9,000 − 500) × 80 % = 6,800.00 → the cap's 5,000.00; 300 → the cap used up.
    paid, listed = warnings({"region": "neimenggu", "visits": [
        {"date": "2023-03-05", "level": 1, "total": "500"}, {"date": "2023-03-06", "level": 1, "total": "9000"},
        {"date": "2023-03-07", "level": 1, "total": "300"},
    ]})
    assert paid == ["0.00", "5000.00", "0.00"] and listed["neimenggu-overall-cap"] == [2]
    # 徐州 2023, employed: deductible 700, 三级 60 %, 一级 75 %, cap 7,000. 三级 500 → inside the
    # deductible; 三级 1,000: (1,000 − 200) × 60 % = 480.00; 一级 20,000: 15,000.00 at the rate,
    # the 6,520.00 of the cap left; 三级 300 → 0.00. Enter 二级 for a county hospital: only the
    # 480.00 would change.
    paid, listed = warnings({"region": "xuzhou", "visits": [
        {"date": "2023-03-05", "level": 3, "total": "500"}, {"date": "2023-03-06", "level": 3, "total": "1000"},
        {"date": "2023-03-07", "level": 1, "total": "20000"}, {"date": "2023-03-08", "level": 3, "total": "300"},
    ]})
    assert paid == ["0.00", "480.00", "6520.00", "0.00"] and listed["xuzhou-county-hospital"] == [2]
    # 山西 2023: 三级 read as 一类, deductible 80 a visit: a 60.00 visit with 乙类 50 is all
    # deductible, so the 乙类 reading without a rate concerns no visit and is not given.
    paid, listed = warnings({"region": "shanxi", "visits": [{"date": "2023-03-05", "level": 3, "total": "60", "class_b": "50"}]})
    assert paid == ["0.00"] and "shanxi-2023/class_b_first_self_pay" not in listed
    # 上海 2023医保年度, employed (自负段 500, 二级 75 %), 当年账户 300: 300 paid by the 当年账户; 200
    # into the 自负段; 100 all 全自费; 1,000: 300 more to the 自负段, (1,000 − 300) × 75 % = 525.00.
    # Why there is no outpatient cap is said of the request; that the shared total is not
    # checked concerns only the visit the fund paid.
    paid, listed = warnings({"region": "shanghai", "account_balance": "300", "visits": [
        {"date": "2023-08-01", "level": 2, "total": "300"}, {"date": "2023-08-02", "level": 2, "total": "200"},
        {"date": "2023-08-03", "level": 2, "total": "100", "excluded": "100"}, {"date": "2023-08-04", "level": 2, "total": "1000"},
    ]})
    assert paid == ["0.00", "0.00", "0.00", "525.00"] and listed["shanghai-2023/annual_cap"] == [4]
    paid, listed = warnings({"region": "shanghai", "visits": [{"date": "2023-08-02", "level": 2, "total": "200"}]})
    assert paid == ["0.00"] and listed["shanghai-2023/annual_cap"] == []


def test_readings_about_running_totals_skip_visits_that_found_them_closed():
    # 武汉 细则 from 2023-02-01 (the calculator's first rule, inside the year): employed, 一级
    # 6,000: (6,000 − 700 deductible) × 80 % = 4,240.00 at the rate, the 3,500 cap paid
    # (第十五条（一）, 第十四条). Whether the year's earlier
    # settlements count toward the totals (first-rule-mid-year) cannot change the 03-05 visit:
    # the cap was used up before it either way.
    result = _answer({"region": "wuhan", "status": "employed", "age": 40, "visits": [
        {"date": "2023-02-05", "level": 1, "total": "6000"}, {"date": "2023-03-05", "level": 1, "total": "100"},
    ]})
    assert [v["fund_paid"] for v in result["visits"]] == ["3500.00", "0.00"]
    assert {w["code"]: w["visits"] for w in result["warnings"]}["first-rule-mid-year"] == [1]
    # A retiree from 2023-06-01 (retired 2023-05-15; 细则第七条 "次月起", kept by the 优化方案):
    # the reading decides the 一级 visit's rate (retirees' 90 %: 90.00), not a non-designated
    # visit the fund pays nothing of.
    result = _answer({"region": "wuhan", "status": "retired", "age": 60, "retired_on": "2023-05-15", "visits": [
        {"date": "2023-06-22", "level": 1, "total": "100"}, {"date": "2023-06-23", "setting": "non_designated", "total": "100"},
    ]})
    assert [v["fund_paid"] for v in result["visits"]] == ["90.00", "0.00"]
    assert {w["code"]: w["visits"] for w in result["warnings"]}["wuhan-2023-04/retiree_start"] == [1]


def test_a_shanghai_answer_without_a_current_year_balance_says_the_fund_may_pay_less():
    # 上海 (2022 分段 Q&A): the 当年账户 pays first and does not count toward the 自负段. With no
    # balance entered there is none in the calculation: 200 into the 自负段 (500, employed),
    # then (1,000 − 300) × 75 % = 525.00. Had the account held money, it would have paid first
    # and the 自负段 been met later: the fund's 525.00 may be too high, said with that visit.
    visits = [{"date": "2023-08-02", "level": 2, "total": "200"}, {"date": "2023-08-04", "level": 2, "total": "1000"}]
    body = {"region": "shanghai", "status": "employed", "age": 40, "visits": visits}
    result = _answer(body)
    assert [v["fund_paid"] for v in result["visits"]] == ["0.00", "525.00"]
    (missing,) = [w for w in result["warnings"] if w["code"] == "current-year-account-missing"]
    assert missing["visits"] == [2] and missing["clause"] == "shanghai-2023/account_use"
    assert missing["message"] == "上海市的当年账户资金先于自负段支付，且不计入自负段：您没有填写当年账户余额，本计算器按没有余额计算；如果当年账户还有余额，统筹基金实际支付可能更低。"
    # A balance entered, even 0.00, is the member's figure: nothing to say.
    entered = _answer({**body, "account_balance": "0.00"})
    assert "current-year-account-missing" not in {w["code"] for w in entered["warnings"]}
    # Elsewhere there is one account, paid after the fund: no such notice.
    assert "current-year-account-missing" not in {w["code"] for w in _answer({**body, "region": "xuzhou"})["warnings"]}
    from calculator.i18n import plain_translate_for

    status, english = run_contract(json.dumps({**body, "lang": "en"}), plain_translate_for)
    assert status == 200
    (missing,) = [w for w in english["warnings"] if w["code"] == "current-year-account-missing"]
    assert missing["message"].startswith("In Shanghai the current-year account pays before the self-pay band")


def test_a_reading_of_which_rate_applies_is_listed_only_where_a_rate_paid_something():
    # 武汉 细则 (2023), employed: deductible 700 by the year (第十四条), pharmacy 60 % (a re-post's
    # figure: the clause's reading says so), cap 3,500.
    #   v1 pharmacy 100: all deductible (100 of 700) → 0.00: the pharmacy rate decided nothing
    #   v2 pharmacy 1,000: 600 more to the deductible, (1,000 − 600) × 60 % = 240.00: it did
    #   v3 一级 6,000: 6,000 × 80 % = 4,800.00 at the rate, the 3,260.00 of the cap left
    #   v4 pharmacy 100: the cap used up → 0.00: not listed
    result = _answer({"region": "wuhan", "status": "employed", "age": 40, "visits": [
        {"date": "2023-02-05", "setting": "pharmacy", "total": "100"}, {"date": "2023-02-06", "setting": "pharmacy", "total": "1000"},
        {"date": "2023-02-07", "level": 1, "total": "6000"}, {"date": "2023-02-08", "setting": "pharmacy", "total": "100"},
    ]})
    assert [v["fund_paid"] for v in result["visits"]] == ["0.00", "240.00", "3260.00", "0.00"]
    assert {w["code"]: w["visits"] for w in result["warnings"]}["wuhan-2023-02/pharmacy"] == [2]
    # The rule is still explained where first used (visit 1), citing its clause.
    assert [s["clause"] for s in result["visits"][0]["steps"] if s["code"] == "setting"] == ["wuhan-2023-02/pharmacy"]
    # 山西 rates by price class and takes a deductible per visit by it: the inferred class
    # decides a visit's deductible even where the fund pays nothing (三级 → 一类: 80 a visit, so
    # the 60.00 all goes to it; 三类 would take 30 and leave 30 × 60 % = 18.00 to the fund), so
    # its reading is listed there too.
    shanxi = _answer({"region": "shanxi", "status": "employed", "age": 40, "visits": [{"date": "2023-03-05", "level": 3, "total": "60"}]})
    assert {w["code"]: w["visits"] for w in shanxi["warnings"]}["shanxi-2023/price_class_default"] == [1]
