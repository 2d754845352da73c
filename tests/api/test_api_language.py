"""The API's language through the whole middleware stack (issue 6's contract): English with
``Accept-Language: en`` or ``"lang": "en"``, Chinese otherwise; the body's ``lang`` wins.

The calculator page ignores the browser's language (Chinese unless switched:
``tests/web/test_calculator_views.py``); the API must not, since a program has no switch.
"""

from __future__ import annotations

import json
import re

import pytest

CJK = re.compile(r"[\u3400-\u9fff]")
# A bracketed Chinese gloss after an English term, "Deductible (起付标准)", as the catalog has it.
GLOSS = re.compile(r"\s*[（(][\u3400-\u9fff\u3000-\u303f\uff00-\uffef·、/\s]+[)）]")

# 武汉 优化方案 (from 2023-04-10): no deductible, 二级 在职 65 %, 乙类 先行自付 10 %.
#   乙类 100.00 × 10 % = 10.00 paid first; 1000.00 − 10.00 = 990.00;
#   990.00 × 65 % = 643.50 from the fund; 990.00 − 643.50 = 346.50 at the member's rate;
#   member 1000.00 − 643.50 = 356.50.
BODY = {
    "region": "wuhan", "status": "employed", "age": 45,
    "visits": [{"date": "2024-03-01", "level": 2, "total": "1000.00", "class_b": "100.00"}],
}


def _post(client, body, **headers):
    response = client.post("/api/v1/calculate", data=json.dumps(body), content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content
    return response.json()


def _steps(result):
    return {s["code"]: s for s in result["visits"][0]["steps"]}


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9", "en-GB"])
def test_accept_language_en_gives_english_explanations_and_labels(client, header):
    result = _post(client, BODY, **{"Accept-Language": header})
    assert result["lang"] == "en"
    assert result["visits"][0]["fund_paid"] == "643.50" and result["visits"][0]["member_paid"] == "356.50"
    steps = _steps(result)
    assert steps["first_self_pay"]["explanation"] == (
        # 乙类 100 × 10% = 10.
        "Class B items 100 yuan: you pay 10% first, 10 yuan."
    )
    assert "643.50" in steps["fund"]["explanation"] and "346.50" in steps["fund"]["explanation"]
    assert "65%" in steps["fund"]["explanation"]
    for step in steps.values():
        for text in (step["label"], step["explanation"]):
            assert not CJK.search(GLOSS.sub("", text)), text
    assert not CJK.search(GLOSS.sub("", result["region_name"]))


@pytest.mark.parametrize("header", [None, "zh-CN", "zh-CN,en;q=0.5", "fr"])
def test_without_an_english_preference_the_api_answers_in_chinese(client, header):
    headers = {} if header is None else {"Accept-Language": header}
    result = _post(client, BODY, **headers)
    assert result["lang"] == "zh-hans"
    assert _steps(result)["first_self_pay"]["explanation"] == "乙类药品和项目 100 元先行自付 10%，即 10 元。"


def test_the_body_lang_wins_over_the_header(client):
    assert _post(client, {**BODY, "lang": "zh-hans"}, **{"Accept-Language": "en"})["lang"] == "zh-hans"
    english = _post(client, {**BODY, "lang": "en"}, **{"Accept-Language": "zh-CN"})
    assert english["lang"] == "en" and _steps(english)["first_self_pay"]["explanation"].startswith("Class B items 100 yuan")


def test_the_calculator_page_still_ignores_the_browser_language(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="zh-Hans">' in page.content.decode()


def _cli(payload: dict, *args: str) -> tuple[int, dict]:
    """``manage.py calculate [args] -`` with ``payload`` on standard input."""
    import io
    import sys

    from django.core.management import call_command

    out = io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(json.dumps(payload).encode("utf-8")), encoding="utf-8")
    try:
        with pytest.raises(SystemExit) as exc:
            call_command("calculate", *args, "-", stdout=out)
    finally:
        sys.stdin = stdin
    return exc.value.code, json.loads(out.getvalue())


def test_the_command_takes_lang_from_its_option_unless_the_request_names_one():
    # The same contract as the API: --lang plays the Accept-Language header's part.
    code, english = _cli(BODY, "--lang", "en")
    assert code == 0 and english["lang"] == "en"
    assert _steps(english)["first_self_pay"]["explanation"].startswith("Class B items 100 yuan")
    code, chinese = _cli({**BODY, "lang": "zh-hans"}, "--lang", "en")
    assert code == 0 and chinese["lang"] == "zh-hans"
    code, default = _cli(BODY)
    assert code == 0 and default["lang"] == "zh-hans"
    # A language the calculator does not have is refused, naming the option (the request has no lang).
    code, refused = _cli(BODY, "--lang", "fr")
    assert code == 2 and refused["errors"][0]["field"] == "--lang"


@pytest.mark.parametrize(
    "header, lang",
    [
        ("fr, en;q=0.8", "en"),  # French cannot be had: English is the next accepted
        ("en;q=0", "zh-hans"),  # q=0: "not English"
        ("zh;q=0.1, en;q=0.2", "en"),  # English preferred by q-value
        ("de, zh-TW;q=0.9, en;q=0.5", "zh-hans"),  # Chinese before English
        ("*", "zh-hans"),
    ],
)
def test_accept_language_is_read_by_q_value_and_content_language_says_what_was_given(client, header, lang):
    response = client.post("/api/v1/calculate", data=json.dumps(BODY), content_type="application/json", headers={"Accept-Language": header})
    assert response.status_code == 200
    assert response.json()["lang"] == lang
    assert response["Content-Language"] == lang
    # The body's own lang decides both.
    response = client.post("/api/v1/calculate", data=json.dumps({**BODY, "lang": "en"}), content_type="application/json", headers={"Accept-Language": header})
    assert response.json()["lang"] == "en" and response["Content-Language"] == "en"


def test_an_english_answer_gives_the_calculators_own_words_in_english_and_the_documents_as_they_are(client):
    # 玉溪 2024-03 off-site (filed) visit: the off-site clause carries an assumption (the
    # 细则 sets no rates for it); 山西 employed: no personal-account rule, with a reason.
    yuxi = {"region": "yuxi", "status": "retired", "age": 66, "lang": "en",
            "visits": [{"date": "2024-03-01", "level": 2, "total": "100", "offsite": "filed"}]}
    result = _post(client, yuxi)
    clause = result["clauses"]["yuxi-2023/offsite"]
    assert clause["assumption"].startswith("Article 21 of the rules says only")
    assert not CJK.search(clause["assumption"])
    assert all(c["explanation_template"] is None for c in result["clauses"].values())
    assert CJK.search(clause["quote"]) and CJK.search(clause["title"])  # the document's words stay
    shanxi = {"region": "shanxi", "status": "employed", "age": 40, "lang": "en",
              "visits": [{"date": "2023-03-01", "level": 1, "total": "100"}]}
    account = _post(client, shanxi)["personal_account"]
    assert account["params"]["reason"] and not CJK.search(account["params"]["reason"])
    assert account["params"]["reason"] in account["explanation"]
    # In Chinese the same clause's reading is the data's own sentence.
    chinese = _post(client, {**yuxi, "lang": "zh-hans"})["clauses"]["yuxi-2023/offsite"]
    assert chinese["assumption"].startswith("细则第二十一条只写明备案后异地就医实行联网结算")


TITLE = re.compile(r"《[^》]*》")  # a policy title quoted in a sentence (the issue allows titles)
DOCUMENT_FIELDS = {"title", "issuer", "quote", "article", "source", "doc_no"}  # the documents' own words


def _chinese_outside_documents(value, path=()):
    """Strings of an answer that hold Chinese, leaving out the documents' own words (titles,
    issuers, quotes, articles, 文号 of the clauses and rules)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in DOCUMENT_FIELDS and path and path[0] in ("clauses", "rules"):
                continue
            yield from _chinese_outside_documents(item, (*path, key))
    elif isinstance(value, list):
        for item in value:
            yield from _chinese_outside_documents(item, path)
    elif isinstance(value, str) and CJK.search(TITLE.sub("", value)):
        # (A 文号 outside the documents' fields is Chinese too: an English notice names the
        # document in English; audit.)
        yield "/".join(map(str, path)), value


@pytest.mark.parametrize(
    "body",
    [
        BODY,
        {"region": "shanghai", "status": "retired", "age": 70, "retired_on": "2005-03-01",
         "account_balance": "300", "prior_years_balance": "1000",
         "visits": [{"date": "2024-03-01", "level": 3, "total": "3000"}, {"date": "2024-08-05", "level": 1, "total": "500", "excluded": "50"}]},
        {"region": "shanxi", "status": "retired", "age": 66, "retired_on": "2015-06-30",
         "visits": [{"date": "2023-03-01", "level": 3, "total": "900", "setting": "pharmacy"}, {"date": "2023-04-01", "level": 2, "total": "300", "offsite": "filed"}]},
        {"region": "neimenggu", "status": "employed", "age": 40,
         "visits": [{"date": "2023-03-01", "level": 2, "total": "3000", "class_b": "100"}]},
        # Notices that named a document by its 文号 in the English text (audit): 山西 from
        # 2024-07 (the re-posted 2024 changes) and 玉溪 门诊慢性病 under the 省办法.
        {"region": "shanxi", "status": "employed", "age": 40,
         "visits": [{"date": "2024-08-01", "level": 2, "total": "600"}]},
        {"region": "yuxi", "status": "retired", "age": 66, "retired_on": "2015-06-30", "chronic_disease_count": 1,
         "visits": [{"date": "2024-12-10", "total": "800", "category": "chronic"}]},
    ],
    ids=["wuhan", "shanghai", "shanxi", "neimenggu", "shanxi-2024", "yuxi-chronic-2024"],
)
def test_an_english_api_answer_holds_no_chinese_but_the_documents_own_words(client, body):
    # The page glosses the slip's terms for people holding a Chinese slip ("Deductible (起付标准)");
    # a program asking for English gets the plain terms.
    result = _post(client, {**body, "lang": "en"})
    assert list(_chinese_outside_documents(result)) == []
    assert not CJK.search(result["region_name"])
    assert all(s["label"] and not CJK.search(s["label"]) for v in result["visits"] for s in v["steps"])


def test_english_step_labels_are_labels(client):
    # A label starts with a capital ("Deductible"), unlike the term inside a sentence
    # ("Per-visit deductible at …"). 山西 三级 (price class 1) deductible 80 per visit.
    body = {"region": "shanxi", "status": "employed", "age": 40, "lang": "en",
            "visits": [{"date": "2023-03-01", "level": 3, "total": "200.00"}]}
    steps = _steps(_post(client, body))
    assert steps["deductible"]["label"] == "Deductible"
    assert steps["deductible"]["explanation"] == "Per-visit deductible at price-class-1 institutions: 80 yuan, paid by you."
    assert all(s["label"][0].isupper() for s in steps.values()), [s["label"] for s in steps.values()]


def test_flexible_retirees_allowance_in_english_keeps_the_documents_name(client):
    # 武汉细则第六条: 门诊和购药补助 66 a month for flexible-employment retirees, 12 × 66 = 792.
    body = {
        "region": "wuhan", "status": "retired", "age": 66, "retired_on": "2015-06-30", "flexible_employment": True,
        "lang": "en", "visits": [{"date": "2024-03-01", "level": 3, "total": "1000.00"}],
    }
    pa = _post(client, body)["personal_account"]
    assert pa["explanation"].startswith(
        "Credit for retired flexibly employed members: the outpatient and medicine allowance of 66 yuan a month; "
        "12 months come to 792 yuan in total (the document calls it “the outpatient and medicine allowance”"
    )
    assert pa["params"]["called"] == "the outpatient and medicine allowance"
    assert not CJK.search(pa["explanation"])


def test_english_errors_name_every_field_in_english(client):
    # Every field's label has English as an error names it: 门诊类别 was left in Chinese, and
    # 灵活就业人员 read "flexibly employed people must be true or false."
    body = {"region": "wuhan", "status": "employed", "age": 45, "flexible_employment": "x", "lang": "en",
            "visits": [{"date": "2024-03-01", "level": 1, "total": "100", "category": "x"}, {"level": 1, "total": "1"}]}
    response = client.post("/api/v1/calculate", json.dumps(body), content_type="application/json")
    messages = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert messages["flexible_employment"] == "Flexible employment must be true or false."
    assert messages["visits[0].category"].startswith("Outpatient category must be one of: ")
    assert messages["visits[1].date"] == "Visit date: please fill this in."


def test_an_english_account_sentence_names_the_article_in_english_and_the_title_as_it_is(client):
    # 玉溪 employed, base 5,000, first visit 2024-01-28: 5,000 × 2 % = 100 a month, 12 months
    # 1,200 under the 细则; from 2024-11 the 省办法 第九条 credits the same 2 %, said as its own
    # months. In English the article is "Article 9"; the document's title stays Chinese, with its
    # English description before it (as the English pages and the clauses' title_en describe it).
    body = {"region": "yuxi", "status": "employed", "age": 40, "contribution_base": "5000", "lang": "en",
            "visits": [{"date": "2024-01-28", "level": 3, "total": "300"}]}
    account = _post(client, body)["personal_account"]
    assert account["annual_allocation"] == "1200.00"
    assert ("fall under Article 9 of the Yunnan measures for employees' outpatient mutual-aid cover"
            " (《云南省职工基本医疗保险门诊共济保障实施办法》)") in account["explanation"]
    assert not CJK.search(re.sub(r"《[^》]*》", "", account["explanation"]))
    chinese = _post(client, {**body, "lang": "zh-hans"})["personal_account"]["explanation"]
    assert "适用《云南省职工基本医疗保险门诊共济保障实施办法》第九条，计入标准相同。" in chinese


def test_an_english_answer_names_each_clauses_issuer_and_article_in_english(client):
    # The clause keeps the document's own words (issuer, title, article, quote: Chinese); an
    # English answer adds their English names, as the English page shows them beside the
    # Chinese: 武汉 优化方案's cap "年度支付限额" (a heading of the re-post) and 细则 "第八条（一）（二）".
    body = {
        "region": "wuhan", "status": "retired", "age": 66, "retired_on": "2015-06-30", "account_balance": "500.00",
        "visits": [{"date": "2023-03-05", "level": 1, "total": "1200.00"}, {"date": "2023-05-05", "level": 1, "total": "1200.00"}],
    }
    english = _post(client, {**body, "lang": "en"})["clauses"]
    cap = english["wuhan-2023-04/annual_cap"]
    assert cap["article"] == "年度支付限额" and cap["article_en"] == "Annual payment cap"
    assert CJK.search(cap["issuer"]) and cap["issuer_en"] == "Wuhan Healthcare Security Administration"
    assert cap["title_en"] and not CJK.search(cap["title_en"])
    account = english["wuhan-2023-02/account_use"]
    assert account["article"] == "第八条（一）（二）" and account["article_en"] == "Article 8 (1) (2)"
    assert all(not CJK.search(c[k] or "") for c in english.values() for k in ("issuer_en", "title_en", "article_en"))
    # A Chinese answer has the document's own words only.
    chinese = _post(client, body)["clauses"]
    assert not any({"issuer_en", "title_en", "article_en"} & set(c) for c in chinese.values())
