"""Personal-account allocation for the year of the first visit (POLICY_NOTES: personal account)."""

import datetime as dt
import json

from calculator.rules.contract import run_contract


def _account(**kw):
    body = {"status": "retired", "age": 60, "visits": [{"date": "2024-03-20", "level": 1, "total": "100"}], **kw}
    status, result = run_contract(json.dumps(body))
    assert status == 200, result
    return result["personal_account"]


def test_member_who_retires_after_the_year_is_employed_all_year():
    # 武汉 细则第五条: in service, 2% of the base monthly: 8000 × 2% = 160 × 12 = 1920.00
    pa = _account(region="wuhan", retired_on="2025-06-15", contribution_base="8000")
    assert pa["annual_allocation"] == "1920.00"


def test_year_of_retirement_is_credited_month_by_month_where_the_start_is_fixed():
    # 武汉 细则第七条: "办理退休手续后从次月起按退休人员政策执行": retired 2024-05-15 → retiree rules
    # from 2024-06-01, so each month is under one rule (第五条): Jan–May in service, 2% of the base
    # 8000 = 160 a month × 5 = 800.00; Jun–Dec retired, 83 a month × 7 = 581.00; 1,381.00 in all.
    pa = _account(region="wuhan", retired_on="2024-05-15", contribution_base="8000")
    assert (pa["variant"], pa["annual_allocation"], pa["months"]) == ("split_months", "1381.00", 12)
    assert pa["explanation"] == (
        "您的退休待遇自 2024-06-01 起执行，这一年按月分别计算：2024-01 至 2024-05 在职，每月按缴费基数 8,000 元的 2% 计入 160 元，"
        "5 个月 800 元；2024-06 至 2024-12 退休，每月划入 83 元，7 个月 581 元；合计 1,381 元。"
    )
    # The start rule (第七条) that decides the months is among the answer's clauses.
    body = {"region": "wuhan", "status": "retired", "age": 60, "retired_on": "2024-05-15", "contribution_base": "8000",
            "visits": [{"date": "2024-03-20", "level": 1, "total": "100"}]}
    status, result = run_contract(json.dumps(body))
    assert status == 200 and "wuhan-2023-04/retiree_start" in result["clauses"]
    # Without a base the employee's months have no figure: none for the year, the base asked for.
    pa = _account(region="wuhan", retired_on="2024-05-15")
    assert (pa["variant"], pa["annual_allocation"]) == ("split_months_base_missing", None)
    assert "请填写月缴费基数以估算" in pa["explanation"] and "7 个月 581 元" in pa["explanation"]


def test_flexible_employment_split_year_names_the_flexible_rules():
    # 第六条: flexible-employment workers get no allocation; after retirement 66 a month.
    # Retired 2024-05-15 → from 2024-06-01: 0 for Jan–May, 66 × 7 = 462.00 for Jun–Dec.
    pa = _account(region="wuhan", retired_on="2024-05-15", flexible_employment=True)
    assert pa["annual_allocation"] == "462.00"
    assert "66" in pa["explanation"] and "83" not in pa["explanation"]


def test_flexible_retirees_credit_is_called_what_the_document_calls_it():
    # 细则第六条: flexible-employment retirees "可给予门诊和购药补助…每月66元"; the document does
    # not call it 个人账户, so neither does the sentence. 2024: 12 months × 66 = 792.00.
    pa = _account(region="wuhan", retired_on="2015-06-30", flexible_employment=True)
    assert (pa["variant"], pa["monthly_allocation"], pa["annual_allocation"]) == ("monthly_called", "66.00", "792.00")
    assert pa["explanation"].startswith("灵活就业退休人员每月可获门诊和购药补助 66 元，12 个月共 792 元（文件称“门诊和购药补助”")
    assert "个人账户每月划入" not in pa["explanation"]
    # In the year of retirement the phrase names it too: "每月可获门诊和购药补助 66 元".
    split = _account(region="wuhan", retired_on="2024-05-15", flexible_employment=True)
    assert "2024-06 至 2024-12 退休，每月可获门诊和购药补助 66 元，7 个月 462 元" in split["explanation"]


def test_wuhan_retirement_on_first_of_january_starts_in_february():
    # 第七条 "从次月起": retired 2024-01-01 → retiree rules from 2024-02-01, so 2024 is split:
    # January in service 8000 × 2% = 160.00; Feb–Dec 83 × 11 = 913.00; 1,073.00.
    pa = _account(region="wuhan", retired_on="2024-01-01", contribution_base="8000")
    assert (pa["variant"], pa["annual_allocation"]) == ("split_months", "1073.00")


def test_yunnan_retiree_by_age():
    # 云南 第九条: under 70 106/month → 1272.00; 70 and over 142/month → 1704.00. The age entered
    # is today's (2026-11-30): in 2025 a member aged 60 today was 58–60, one aged 72 was 70–72.
    visits = [{"date": "2025-03-20", "level": 1, "total": "100"}]
    on = "2026-11-30"  # the day the ages are counted on (age_on), as worked out here
    assert _account(region="yunnan", retired_on="2015-01-01", visits=visits, age_on=on)["annual_allocation"] == "1272.00"
    assert _account(region="yunnan", age=72, retired_on="2015-01-01", visits=visits, age_on=on)["annual_allocation"] == "1704.00"
    # Aged 71 today: 69–71 in 2025, so some months may be at 70 and some not: no figure, and
    # the sentence says why with the ages it quotes.
    pa = _account(region="yunnan", age=71, retired_on="2015-01-01", visits=visits, age_on=on)
    assert (pa["variant"], pa["annual_allocation"], pa["months"]) == ("by_age_unknown", None, None)
    assert "70 周岁起为另一档" in pa["explanation"] and "2025-01 至 2025-12 期间您为 69–71 岁" in pa["explanation"]


def test_shanghai_split_uses_the_insurance_year():
    # 上海 医保年度 2023-07-01 → 2024-06-30. Retired 2023-06-30: retired for the whole year
    # of a 2024-03-20 visit → 1680 (74 and under).
    pa = _account(region="shanghai", retired_on="2023-06-30")
    assert pa["annual_allocation"] == "1680.00"
    # Retired 2023-09-01: inside that insurance year → split, no figure.
    assert _account(region="shanghai", retired_on="2023-09-01")["annual_allocation"] is None


def test_no_figure_where_the_documents_give_none():
    pa = _account(region="xuzhou", retired_on="2010-01-01")
    assert pa["annual_allocation"] is None
    assert "未给出具体金额" in pa["reason"]


def test_first_year_of_a_rule_counts_only_the_months_it_covers():
    # 云南 办法 from 2024-11-01 (issue 6): a retiree under 70 at 106.00/month, first visit
    # 2024-11-15 → November and December only: 2 × 106.00 = 212.00 (not 12 × 106 = 1272.00).
    pa = _account(region="yunnan", retired_on="2015-01-01", visits=[{"date": "2024-11-15", "level": 1, "total": "100"}])
    assert (pa["annual_allocation"], pa["monthly_allocation"], pa["months"]) == ("212.00", "106.00", 2)
    # The months outside the rule are named, not counted.
    assert "2024-01 至 2024-10" in pa["explanation"]


def test_wuhan_2023_counts_from_the_xize():
    # 武汉 细则 from 2023-02-01; the 优化方案 of 2023-04-10 keeps the same account rule, so the
    # rule covers February–December: 11 months. Retiree 83.00 × 11 = 913.00 (not 996.00);
    # in service, 2% of 8,000.00 = 160.00 × 11 = 1,760.00.
    visits = [{"date": "2023-03-15", "level": 1, "total": "100"}]
    pa = _account(region="wuhan", retired_on="2010-01-01", visits=visits)
    assert (pa["annual_allocation"], pa["months"]) == ("913.00", 11)
    assert "2023-01" in pa["explanation"]
    pa = _account(region="wuhan", status="employed", contribution_base="8000", visits=visits)
    assert (pa["annual_allocation"], pa["monthly_allocation"], pa["months"]) == ("1760.00", "160.00", 11)


def test_a_full_year_under_one_rule_counts_twelve_months():
    # 武汉 2024 lies wholly under the 2023 rules: 83.00 × 12 = 996.00.
    pa = _account(region="wuhan", retired_on="2010-01-01")
    assert (pa["annual_allocation"], pa["months"]) == ("996.00", 12)


def test_a_neighbouring_rule_that_credits_the_same_continues_the_months():
    # 玉溪 2024: the 细则 (第十五条, to 2024-10-31) and 云南省办法 (第九条, from 2024-11-01) both
    # credit an employee 2% of the base: 5,000.00 × 2% = 100.00 a month, January–December
    # 12 × 100.00 = 1,200.00, whichever rule the first visit falls under; the months under the
    # other document are said with its clause, which the answer lists.
    for first_visit, other_ref, other_months in (
        ("2024-03-01", "yuxi-2024/personal_account", ("2024-11-01", "2024-12-31")),
        ("2024-11-03", "yuxi-2023/personal_account", ("2024-01-01", "2024-10-31")),
    ):
        body = {"region": "yuxi", "status": "employed", "age": 40, "contribution_base": "5000.00",
                "visits": [{"date": first_visit, "level": 1, "total": "100"}]}
        status, result = run_contract(json.dumps(body))
        assert status == 200, result
        pa = result["personal_account"]
        assert (pa["annual_allocation"], pa["monthly_allocation"], pa["months"]) == ("1200.00", "100.00", 12)
        assert pa["params"]["joined"] == [{"from": other_months[0], "to": other_months[1], "clause": other_ref}]
        assert other_ref in result["clauses"]
        assert f"其中 {other_months[0][:7]} 至 {other_months[1][:7]} 适用《" in pa["explanation"]
        assert "不在本计算器收录的规定期间内" not in pa["explanation"]
        # The sentence's figures recompute its amount: 100 × 12 = 1,200.
        assert "计入 100 元，12 个月共 1,200 元" in pa["explanation"]
        # Both versions are among the rules used, and applying 云南省办法 to 玉溪 is a reading the
        # answer states (its notice, with the first visit) wherever its months are counted.
        assert {r["id"] for r in result["rules"]} == {"yuxi-2023", "yuxi-2024"}
        assert "yuxi-adopts-yunnan" in [w["code"] for w in result["warnings"]]
    # Without a contribution base there is no figure: nothing is said to come from another clause.
    body = {"region": "yuxi", "status": "employed", "age": 40, "visits": [{"date": "2024-03-01", "level": 1, "total": "100"}]}
    status, result = run_contract(json.dumps(body))
    assert "joined" not in result["personal_account"]["params"]
    assert "yuxi-2024/personal_account" not in result["clauses"]


def test_a_neighbouring_rule_that_credits_differently_is_not_joined():
    # 玉溪 retirees: the 细则 and 云南省办法 differ (106.00 a month under 70 from 2024-11-01):
    # a first visit on 2024-11-15 counts November and December only, 2 × 106.00 = 212.00.
    pa = _account(region="yuxi", retired_on="2015-01-01", visits=[{"date": "2024-11-15", "level": 1, "total": "100"}])
    assert (pa["annual_allocation"], pa["months"]) == ("212.00", 2)
    assert "joined" not in pa["params"]
    # January–October are under the 细则, whose rule gives a retiree no figure: said by name
    # (not "outside any rule", which a member could read as nothing credited).
    assert "2024-01 至 2024-10 适用《玉溪市职工基本医疗保险门诊共济保障实施细则》第十五条：退休人员文件未给出金额。" in pa["explanation"]
    assert "不在本计算器收录的规定期间内" not in pa["explanation"]


def test_one_month_under_a_neighbouring_rule_is_said_as_one_month():
    # The sentence of months counted under another rule names one month once ("2024-12", not
    # "2024-12 至 2024-12"), as the months outside a rule are. No version in the data ends or
    # starts so that one month is joined: the 玉溪 account above, with its joined months cut to
    # December 2024, rendered in both languages.
    import dataclasses
    import datetime as dt

    from calculator.rules import ledger, messages
    from calculator.rules.contract import parse_request

    body = {"region": "yuxi", "status": "employed", "age": 40, "contribution_base": "5000.00",
            "visits": [{"date": "2024-03-01", "level": 1, "total": "100"}]}
    request, errors = parse_request(body)
    assert not errors
    account = ledger.calculate(request).account
    [(_start, _end, cite)] = account.figures["joined"]
    one = dataclasses.replace(account, figures={**account.figures, "joined": [(dt.date(2024, 12, 1), dt.date(2024, 12, 31), cite)]})
    text = messages.render_account(one)
    assert "其中 2024-12 适用《" in text and "2024-12 至 2024-12" not in text
    from calculator.i18n import plain_translate_for

    english = messages.render_account(one, plain_translate_for("en"))
    assert "Of these, 2024-12 falls under" in english and "2024-12 to 2024-12" not in english


def test_shanxi_account_pays_the_members_whole_share_and_says_it_is_a_reading():
    # 晋医保发〔2022〕12号 第九条: "个人支付部分可由医保个人账户…按规定支付", which costs not listed:
    # POLICY_NOTES reads an entered balance as paying the member's share after the fund (total −
    # fund, 全自费 included), an assumption of the clause listed with the visit the account paid.
    # 2023, employed, 三级 → 一类收费价格 (第八条 起付 80 元/次; 第九条（一）在职 50%), total 1000.00
    # of which 全自费 100.00, balance 2000.00:
    #   policy range 1000 − 100 = 900; fund (900 − 80) × 50% = 410.00;
    #   member 1000 − 410 = 590.00; the account pays all 590.00 (全自费 included), balance 1410.00;
    #   cash 0.00.
    body = {
        "region": "shanxi", "status": "employed", "age": 40, "account_balance": "2000",
        "visits": [{"date": "2023-03-01", "level": 3, "total": "1000", "excluded": "100"}],
    }
    status, result = run_contract(json.dumps(body))
    assert status == 200, result
    (visit,) = result["visits"]
    assert (visit["fund_paid"], visit["member_paid"], visit["account_paid"], visit["cash_paid"]) == ("410.00", "590.00", "590.00", "0.00")
    account = next(s for s in visit["steps"] if s["code"] == "account")
    assert account["explanation"] == "个人负担（含全自费）由个人账户支付 590 元，账户余额由 2,000 元变为 1,410 元。"
    (reading,) = [w for w in result["warnings"] if w["code"] == "shanxi-2023/account_use"]
    assert reading["kind"] == "assumption" and reading["visits"] == [1]
    assert "个人负担的全部费用计算（含起付标准、超过限额的部分和全自费部分）" in reading["message"]


def test_shanxi_account_reading_is_not_listed_where_the_account_paid_nothing():
    # No balance entered: the account pays nothing, so how it would pay does not concern the visit.
    body = {"region": "shanxi", "status": "employed", "age": 40, "visits": [{"date": "2023-03-01", "level": 3, "total": "1000"}]}
    status, result = run_contract(json.dumps(body))
    assert status == 200, result
    assert not [w for w in result["warnings"] if w["code"] == "shanxi-2023/account_use"]


def _yuxi_retiree(*dates):
    body = {
        "region": "yuxi", "status": "retired", "age": 69, "retired_on": "2015-01-01",
        "visits": [{"date": d, "level": 2, "total": "100"} for d in dates],
    }
    status, result = run_contract(json.dumps(body))
    assert status == 200, result
    return result


def test_a_later_rule_of_the_year_credits_its_months_where_the_first_visits_rule_gives_no_figure():
    # 玉溪: the 细则 (第十五条) gives a retiree's credit no amount; from 2024-11-01 the 云南省办法
    # 第九条 credits 106 a month under 70. First visit 2024-10-15 (细则), second 2024-11-15
    # (云南省办法): 2024's credit is Nov–Dec, 2 × 106 = 212.00, shown for the second visit;
    # Jan–Oct are said to be under the 细则, whose rule gives no figure (not guessed, not a full
    # year, and not said to be under no rule).
    result = _yuxi_retiree("2024-10-15", "2024-11-15")
    pa = result["personal_account"]
    assert (pa["annual_allocation"], pa["monthly_allocation"], pa["clause"]) == ("212.00", "106.00", "yuxi-2024/personal_account")
    assert "outside" not in pa["params"] and pa["params"]["months"] == 2
    assert [(o["from"], o["to"], o["clause"]) for o in pa["params"]["other_rules"]] == [("2024-01-01", "2024-10-31", "yuxi-2023/personal_account")]
    assert "2 个月共 212 元" in pa["explanation"] and "2024-01 至 2024-10 适用《玉溪市职工基本医疗保险门诊共济保障实施细则》第十五条" in pa["explanation"]
    # Both rules the sentence names are listed as its basis.
    assert "yuxi-2024/personal_account" in result["clauses"] and "yuxi-2023/personal_account" in result["clauses"]


def test_without_a_visit_under_the_later_rule_the_first_visits_rule_answers():
    # Only October (细则): no figure, with the 细则's reason. A visit in 2025 is another
    # year's: the first visit's year (2024) still has no figure.
    for dates in (("2024-10-15",), ("2024-10-15", "2025-01-15")):
        pa = _yuxi_retiree(*dates)["personal_account"]
        assert pa["annual_allocation"] is None and pa["clause"] == "yuxi-2023/personal_account", dates
        assert "未给出具体金额，无法据此计算" in pa["explanation"]


def test_wuhan_reading_on_paying_excluded_costs_concerns_the_later_visits_it_leaves_short_and_no_more():
    # 武汉 优化方案, employed, 二级 65%, balance 100. Visit 1: total 100, 全自费 50: fund 50 × 65% =
    # 32.50, member 67.50 = 自付 17.50 + 全自费 50; the account pays all 67.50 (第八条（二）, a
    # reading), 32.50 left. Visit 2: total 100: fund 65.00, member 35.00; the account pays 32.50,
    # cash 2.50. Visits 3–5: the same, the account is empty: cash 35.00 each. Without the
    # reading visit 1 would leave 100 − 17.50 = 82.50, and visits 2 and 3 would be paid 35.00
    # each from it (12.50 left), visit 4 the last 12.50: the reading concerns visits 1–4, and
    # says so. Visit 5 finds both balances spent: its figures are the same either way, and it
    # is not said to rest on the reading.
    body = {"region": "wuhan", "status": "employed", "age": 45, "account_balance": "100.00", "visits": [
        {"date": "2024-03-01", "level": 2, "total": "100.00", "excluded": "50.00"},
        {"date": "2024-03-05", "level": 2, "total": "100.00"},
        {"date": "2024-03-06", "level": 2, "total": "100.00"},
        {"date": "2024-03-07", "level": 2, "total": "100.00"},
        {"date": "2024-03-08", "level": 2, "total": "100.00"},
    ]}
    status, result = run_contract(json.dumps(body))
    assert status == 200, result
    assert [(v["account_paid"], v["cash_paid"]) for v in result["visits"]] == [
        ("67.50", "0.00"), ("32.50", "2.50"), ("0.00", "35.00"), ("0.00", "35.00"), ("0.00", "35.00"),
    ]
    # (The 优化方案 cites the 细则's 第八条 with the same reading: one clause, the 细则's reference.)
    reading = next(w for w in result["warnings"] if w["code"] == "wuhan-2023-02/account_use")
    assert reading["visits"] == [1, 2, 3, 4]
    assert [("wuhan-2023-02/account_use" in v["notices"]) for v in result["visits"]] == [True, True, True, True, False]
    # With a balance that never pays toward 全自费 (10 < 17.50), the reading concerns no visit.
    status, result = run_contract(json.dumps({**body, "account_balance": "10.00"}))
    assert not any(w["code"].endswith("/account_use") for w in result["warnings"])


def test_shanghai_reading_that_the_accounts_leave_excluded_costs_to_cash_is_listed_where_it_moves_money():
    # 上海, employed, 当年账户 1000, 历年账户 100. Visit 1: 300 all 全自费: no policy-range expense,
    # the accounts pay nothing (the reading: the documents do not say which account pays 全自费),
    # cash 300 while 1,100 stays in the accounts: the reading concerns this visit.
    body = {"region": "shanghai", "status": "employed", "age": 40, "account_balance": "1000", "prior_years_balance": "100",
            "visits": [{"date": "2025-08-01", "level": 2, "total": "300", "excluded": "300"}]}
    status, result = run_contract(json.dumps(body))
    assert status == 200, result
    visit = result["visits"][0]
    assert (visit["account_paid"], visit["cash_paid"]) == ("0.00", "300.00")
    reading = next(w for w in result["warnings"] if w["code"] == "shanghai-2023/account_use")
    assert reading["visits"] == [1] and "shanghai-2023/account_use" in visit["notices"]
    # The reading says what the clause allows and what the calculator does instead.
    assert "允许自2022年7月1日起用个人账户支付" in reading["message"] and "全部计入现金支付" in reading["message"]
    # With both accounts empty the 全自费 goes to cash whatever the reading: not listed.
    status, result = run_contract(json.dumps({**body, "account_balance": "0", "prior_years_balance": "0"}))
    assert not any(w["code"] == "shanghai-2023/account_use" for w in result["warnings"])


def test_ages_in_the_months_credited_from_the_age_given_on_a_day():
    # Born any day from 1954-01-02 to 1955-01-01, a member is 72 on 2027-01-01: on 2025-01-01
    # (exactly two years before) 70, on 2025-12-31 70 or 71. 70 and over all year: 142 × 12.
    from calculator.rules.messages import ages_during

    assert ages_during(72, dt.date(2027, 1, 1), dt.date(2025, 1, 1), dt.date(2025, 12, 31)) == (70, 71)
    # 70 on 2026-11-30: on 2024-11-01 67 or 68, on 2024-12-31 68 or 69.
    assert ages_during(70, dt.date(2026, 11, 30), dt.date(2024, 11, 1), dt.date(2024, 12, 31)) == (67, 69)
    # In a future year: 60 on 2026-11-30 (born 1965-12-01 … 1966-11-30) is 60 or 61 on 2027-01-01
    # and 61 or 62 on 2027-12-31.
    assert ages_during(60, dt.date(2026, 11, 30), dt.date(2027, 1, 1), dt.date(2027, 12, 31)) == (60, 62)


def test_age_on_after_today_is_refused_by_name():
    body = {"region": "yunnan", "status": "retired", "age": 72, "age_on": (dt.date.today() + dt.timedelta(days=1)).isoformat(),
            "visits": [{"date": "2025-03-20", "level": 1, "total": "100"}]}
    status, result = run_contract(json.dumps(body))
    assert status == 400 and [e["field"] for e in result["errors"]] == ["age_on"], result


def test_months_credited_under_a_later_version_with_the_same_rule_list_its_reading_and_notices():
    # 武汉: the 细则 (from 2023-02-01) and the 优化方案 (from 2023-04-10) credit a retiree alike,
    # 83 a month (细则第五条): a visit on 2023-03-01 gets 2023-02 … 2023-12, 11 × 83 = 913.00, of
    # which April–December fall under the 优化方案. Its reading that the account rule is kept
    # ("优化方案的转载没有提到个人账户…") and its secondary-source notice concern those months
    # (audit: they were counted without either being said); the version is among the rules used.
    body = {"region": "wuhan", "status": "retired", "age": 66, "retired_on": "2020-01-01",
            "visits": [{"date": "2023-03-01", "level": 2, "total": "300.00"}]}
    status, result = run_contract(json.dumps(body))
    assert status == 200
    pa = result["personal_account"]
    assert (pa["annual_allocation"], pa["months"]) == ("913.00", 11)
    warnings = {w["code"]: w for w in result["warnings"]}
    kept = warnings["wuhan-2023-04/personal_account"]
    assert kept["kind"] == "assumption" and kept["visits"] == [1] and "个人账户" in kept["message"]
    assert warnings["wuhan-optimisation-secondary"]["visits"] == [1]
    assert [r["id"] for r in result["rules"]] == ["wuhan-2023-02", "wuhan-2023-04"]
    # A visit under the 优化方案 itself names it as before; the 细则's months before it (Feb–Mar)
    # are the same clause and list the 细则's own notice (its effective date from a repost).
    body["visits"] = [{"date": "2023-06-01", "level": 2, "total": "300.00"}]
    status, result = run_contract(json.dumps(body))
    codes = {w["code"] for w in result["warnings"]}
    assert result["personal_account"]["annual_allocation"] == "913.00"
    assert {"wuhan-2023-04/personal_account", "wuhan-effective-date"} <= codes


def test_another_rules_months_give_their_sum_for_the_member_as_they_are_then():
    # 玉溪 2024, retired 2024-08-10: the 细则 (Jan–Oct) gives a retiree no amount, so the year has
    # no figure; in November–December (云南省办法第九条) the member is retired throughout, so only
    # the retiree's rule is said, with its sum: 106 × 2 = 212.00 (ages 57–59, under 70) (audit:
    # the sentence gave the in-service rule for months after retirement, and no sum).
    body = {"region": "yuxi", "status": "retired", "age": 60, "age_on": "2026-11-30", "retired_on": "2024-08-10",
            "contribution_base": "7000", "visits": [{"date": "2024-07-05", "level": 1, "total": "100.00"}]}
    status, result = run_contract(json.dumps(body))
    assert status == 200
    pa = result["personal_account"]
    assert (pa["variant"], pa["annual_allocation"]) == ("split_year", None)
    (other,) = pa["params"]["others"]
    assert (other["holder"], other["months"], other["total"]) == ("retired", 2, "212.00")
    assert pa["explanation"].endswith("第九条：退休人员每月按年龄划入（69 周岁及以下：106 元；这期间您 57–59 岁），2 个月共 212 元。")
    assert "在职期间每月按缴费基数的 2% 计入；退休后每月按年龄划入" not in pa["explanation"]
    # The year's first sentence names what keeps it from one figure: a rule without an amount.
    assert "其中一项文件未给出金额" in pa["explanation"] and "文件未规定年内如何折算" not in pa["explanation"]


def test_the_year_of_retirement_says_what_the_documents_leave_open():
    # 云南 2025, retired 2025-06-15: both credits are monthly (第九条: 2% of the base in service,
    # 106 a month retired), and nothing says which one credits June: that is what is said, not
    # that the documents do not split the year. 上海's retiree credit is yearly (1,680 a year,
    # 二、（三）): there the documents indeed do not say how the year splits.
    yunnan = _account(region="yunnan", retired_on="2025-06-15", contribution_base="5000",
                      visits=[{"date": "2025-03-01", "level": 1, "total": "500"}])
    assert yunnan["annual_allocation"] is None
    assert "都按月划入，但文件没有写明退休当月按哪项规定划入" in yunnan["explanation"]
    shanghai = _account(region="shanghai", retired_on="2024-10-15", contribution_base="5000",
                        visits=[{"date": "2024-09-01", "level": 1, "total": "500"}])
    assert "文件未规定年内如何折算" in shanghai["explanation"]


def test_the_year_of_retirement_without_a_start_rule_gives_the_months_it_can():
    # 云南 2025, retired 2025-06-15, base 5000 (第九条: 2% in service, 106 a month retired under
    # 70): January–May in service, 5000 × 2% = 100 × 5 = 500.00; June is the month of retirement,
    # which no document assigns; July–December retired, 106 × 6 = 636.00. No figure for the
    # year (UI audit: the base entered gave no figure at all).
    pa = _account(region="yunnan", retired_on="2025-06-15", contribution_base="5000", age_on="2026-11-30",
                  visits=[{"date": "2025-03-01", "level": 1, "total": "500"}])
    assert (pa["variant"], pa["annual_allocation"]) == ("split_year", None)
    periods = pa["params"]["periods"]
    assert [(p["name"], p["from"], p["to"], p.get("total")) for p in periods] == [
        ("employed", "2025-01-01", "2025-05-31", "500.00"),
        ("retirement_month", "2025-06-01", "2025-06-30", None),
        ("retired", "2025-07-01", "2025-12-31", "636.00"),
    ]
    assert "2025-01 至 2025-05 在职，每月按缴费基数 5,000 元的 2% 计入 100 元，5 个月 500 元" in pa["explanation"]
    assert "2025-06 为退休当月，文件没有写明按哪项规定划入" in pa["explanation"]
    assert "2025-07 至 2025-12 退休，每月按年龄划入（69 周岁及以下：106 元；这期间您 58–60 岁），6 个月 636 元。" in pa["explanation"]
    # 徐州 2024, retired 2024-02-15, no base: January in service asks for the base, February is
    # the month of retirement, March–December retired with no amount in the document.
    pa = _account(region="xuzhou", retired_on="2024-02-15", visits=[{"date": "2024-03-01", "level": 1, "total": "500"}])
    assert [(p["name"], p["kind"]) for p in pa["params"]["periods"]] == [
        ("employed", "base_missing"), ("retirement_month", "open"), ("retired", "none"),
    ]
    assert "2024-01 在职，每月按缴费基数的 2% 计入（1 个月），请填写月缴费基数以估算" in pa["explanation"]
    # 上海's retiree credit is yearly: no months are said, as no document splits it.
    pa = _account(region="shanghai", retired_on="2024-10-15", contribution_base="5000",
                  visits=[{"date": "2024-09-01", "level": 1, "total": "500"}])
    assert "periods" not in pa["params"]


def test_an_age_band_is_named_apart_from_the_members_own_ages():
    # 云南 第九条: "70周岁以下退休人员每月划入106元, 70周岁及以上…142元". Aged 66 on 2026-11-30,
    # the member was 64–66 in 2025: the band is 69 or under, 106 × 12 = 1,272.00. The sentence
    # names the band the credit comes from and, apart, the ages the member may have had (audit:
    # "（64–66 岁：106 元）" read as if the document set that bracket).
    pa = _account(region="yunnan", age=66, age_on="2026-11-30", retired_on="2015-06-30",
                  visits=[{"date": "2025-03-01", "level": 1, "total": "500"}])
    assert (pa["annual_allocation"], pa["params"]["band_from"], pa["params"]["band_to"]) == ("1272.00", None, 69)
    assert pa["explanation"].startswith("退休人员个人账户每月划入 106 元（69 周岁及以下；这期间您 64–66 岁），12 个月共 1,272 元。")
    # 上海 主要任务（一）: "74岁以下1680元/年,75岁以上1890元/年": aged 80 → 75 and over, 1,890.00.
    pa = _account(region="shanghai", age=80, age_on="2026-11-30", retired_on="2005-06-30",
                  visits=[{"date": "2024-03-01", "level": 1, "total": "500"}])
    assert pa["annual_allocation"] == "1890.00"
    # The credit's year is named (2023-07 to 2024-06, the 医保年度 of the visit): aged 80 on
    # 2026-11-30, born 1945-12-01 to 1946-11-30, the member was 76–78 in it.
    assert pa["explanation"] == "退休人员个人账户每年划入 1,890 元（75 周岁及以上；2023-07 至 2024-06 您 76–78 岁）。"


def test_review_edge_cases_of_the_year_of_retirement_and_continued_rules():
    # Retired on the 1st (云南 2025-02-01, base 5000): February is wholly after the retirement
    # date, a retiree's month as the calculator reads it (said in the sentence), so every month
    # has a figure: 2025-01 in service 5000 × 2% = 100; February–December 11 × 106 = 1,166;
    # 1,266.00 for the year (review: February was left open, though 1 January was not).
    pa = _account(region="yunnan", retired_on="2025-02-01", contribution_base="5000", age_on="2026-11-30",
                  visits=[{"date": "2025-03-01", "level": 2, "total": "100"}])
    assert (pa["variant"], pa["annual_allocation"], pa["months"]) == ("split_year", "1266.00", 12)
    assert "本计算器从退休当天起算" in pa["explanation"] and pa["explanation"].endswith("合计 1,266 元。")
    # A December retirement in 徐州 (no amount for retirees): no month after it, so the sentence
    # does not say a rule gives no amount without naming it; it says the month is open.
    pa = _account(region="xuzhou", retired_on="2024-12-15", contribution_base="6000",
                  visits=[{"date": "2024-11-01", "level": 2, "total": "100"}])
    assert "其中一项文件未给出金额" not in pa["explanation"]
    assert "文件没有写明退休当月按哪项规定划入" in pa["explanation"] and "11 个月 1,320 元" in pa["explanation"]
    # 武汉 employed without a base: nothing is credited, so the 优化方案's months are not cited
    # (review: its reading and version were listed beside a visit it does not govern).
    body = {"region": "wuhan", "status": "employed", "age": 45, "visits": [{"date": "2023-03-01", "level": 3, "total": "1000.00"}]}
    status, result = run_contract(json.dumps(body))
    assert result["personal_account"]["variant"] == "base_missing"
    assert [r["id"] for r in result["rules"]] == ["wuhan-2023-02"]
    assert "wuhan-2023-04/personal_account" not in {w["code"] for w in result["warnings"]}


def test_shanghai_new_year_reading_lists_only_visits_an_account_could_pay():
    # 上海, employed: 2024-06-15 100 (当年账户 300 → 200); 2024-07-15 500 (new 医保年度: the 200
    # moves to the 历年账户); 2024-08-15 0.00 and 2024-09-15 all 全自费: no account pays either,
    # so the reading concerns visit 2 only (review).
    body = {"region": "shanghai", "status": "employed", "age": 45, "account_balance": "300.00", "prior_years_balance": "100.00",
            "visits": [{"date": "2024-06-15", "level": 3, "total": "100.00"}, {"date": "2024-07-15", "level": 3, "total": "500.00"},
                       {"date": "2024-08-15", "level": 3, "total": "0.00"},
                       {"date": "2024-09-15", "level": 3, "total": "50.00", "excluded": "50.00"}]}
    status, result = run_contract(json.dumps(body))
    assert {w["code"]: w["visits"] for w in result["warnings"]}["new-insurance-year"] == [2]


def test_retired_on_the_first_without_a_base_does_not_blame_the_month_of_retirement():
    # 云南 第九条, retired 2025-06-01: every month is wholly in service (Jan–May) or retired
    # (Jun–Dec; retiree rules from the date itself, the calculator's reading, said). No base:
    # Jan–May has no figure, Jun–Dec 106 × 7 = 742; the year has no sum because the base is
    # missing, not because of a month of retirement the documents leave open (there is none).
    pa = _account(region="yunnan", age=64, retired_on="2025-06-01", visits=[{"date": "2025-05-01", "level": 1, "total": "400"}])
    assert pa["annual_allocation"] is None
    assert "退休当月" not in pa["explanation"]
    assert pa["explanation"].startswith("您的退休待遇自 2025-06-01 起执行（文件没有写明从退休当天还是次月起，本计算器从退休当天起算），这一年按月分别计算：")
    assert "请填写月缴费基数以估算" in pa["explanation"] and "7 个月 742 元。" in pa["explanation"]
    # With the base 5000: 5000 × 2% = 100 × 5 = 500; + 742 = 1,242.
    pa = _account(region="yunnan", age=64, retired_on="2025-06-01", contribution_base="5000",
                  visits=[{"date": "2025-05-01", "level": 1, "total": "400"}])
    assert pa["annual_allocation"] == "1242.00" and pa["explanation"].endswith("合计 1,242 元。")


def test_a_period_of_one_month_is_said_as_a_month_and_nothing_credited_has_no_sum():
    # 武汉 第七条 (次月起): retired 2023-11-10 → retiree from 2023-12-01. 细则 from 2023-02-01:
    # Feb–Nov in service, 5000 × 2% = 100 × 10 = 1,000; December retired, 83 × 1 = 83; 1,083.
    pa = _account(region="wuhan", retired_on="2023-11-10", contribution_base="5000", visits=[{"date": "2023-12-20", "level": 2, "total": "600"}])
    assert pa["annual_allocation"] == "1083.00"
    assert "2023-12 退休，每月划入 83 元，1 个月 83 元；合计 1,083 元。" in pa["explanation"]
    assert "2023-12 至 2023-12" not in pa["explanation"]
    # 第六条: a flexibly employed member in service gets nothing: said, without "11 个月 0 元".
    pa = _account(region="wuhan", retired_on="2025-11-04", flexible_employment=True, visits=[{"date": "2025-12-02", "level": 2, "total": "600"}])
    assert "2025-01 至 2025-11 在职，不计入个人账户；2025-12 退休，每月可获门诊和购药补助 66 元，1 个月 66 元；合计 66 元。" in pa["explanation"]
    assert " 0 元" not in pa["explanation"]


def test_retired_on_the_first_in_a_rules_first_year_sums_the_months_it_covers():
    # 云南 from 2024-11-01, retired 2024-12-01, base 5000: November in service 5000 × 2 % = 100;
    # December retired 106 (69 or under); 206 for the two months the rule covers, January–
    # October said to be outside (as 武汉 2023 sums its months after 2023-02-01).
    pa = _account(region="yunnan", age=64, retired_on="2024-12-01", contribution_base="5000",
                  visits=[{"date": "2024-11-15", "level": 1, "total": "400"}])
    assert (pa["annual_allocation"], pa["months"]) == ("206.00", 2)
    assert pa["explanation"].endswith("1 个月 106 元；合计 206 元。2024-01 至 2024-10 不在本计算器收录的规定期间内，未计入本估算。")


def test_english_periods_under_two_rules_are_spaced_as_sentences():
    # 玉溪, retired 2024-12-01: January–October under the 细则, November–December under the
    # 省办法: the parts ran together in English ("each month.2024-11", ":  From").
    from calculator.i18n import plain_translate_for

    body = {"region": "yuxi", "status": "retired", "age": 64, "retired_on": "2024-12-01", "contribution_base": "5000", "lang": "en",
            "visits": [{"date": "2024-12-15", "level": 1, "total": "400"}]}
    status, result = run_contract(json.dumps(body), plain_translate_for)
    assert status == 200
    text = result["personal_account"]["explanation"]
    assert "  " not in text and "month by month: From 2024-01 to 2024-10" in text
    assert "each month. 2024-11 in service" in text
