"""The calculation contract through both doors: POST /api/v1/calculate and `manage.py calculate`.

The same request gives the same body; every refusal in the contract gives 400 (CLI: exit 2)
with a Chinese message naming the field; nothing ever produces a traceback.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from calculator.rules.contract import run_contract
from tests.trace import step_variants

ROOT = Path(__file__).resolve().parents[2]

# 武汉 2023-04-10 起（优化方案）：no deductible; in-service level 3 → 55%.
# Visit 1: 1000 at a level-3 hospital, 200 of it 乙类: 乙类先行自付 10% × 200 = 20;
#          (1000 − 20) × 55% = 539.00 fund; member 1000 − 539 = 461.00.
WUHAN = {
    "region": "wuhan",
    "status": "employed",
    "age": 45,
    "visits": [{"date": "2024-03-01", "level": 3, "total": "1000.00", "class_b": "200.00"}],
}


def _post(client, body, raw=False):
    data = body if raw else json.dumps(body, ensure_ascii=False)
    return client.post("/api/v1/calculate", data=data, content_type="application/json")


def _cli(payload: str) -> tuple[int, dict]:
    out = io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(payload.encode("utf-8")), encoding="utf-8")
    try:
        with pytest.raises(SystemExit) as exc:
            call_command("calculate", "-", stdout=out)
    finally:
        sys.stdin = stdin
    return exc.value.code, json.loads(out.getvalue())


def test_api_calculates_wuhan_hand_worked(client):
    response = _post(client, WUHAN)
    assert response.status_code == 200
    body = response.json()
    visit = body["visits"][0]
    assert visit["fund_paid"] == "539.00"
    assert visit["member_paid"] == "461.00"
    assert visit["member_share"]["first_self_pay"] == "20.00"
    assert visit["member_share"]["copay"] == "441.00"  # 980 − 539
    assert body["totals"]["fund_paid"] == "539.00"
    assert body["rules"][0]["id"] == "wuhan-2023-04"
    assert body["rules"][0]["status"] == "secondary"
    for step in visit["steps"]:
        assert {"label", "amount", "clause", "explanation"} <= set(step)
        if step["clause"]:
            assert step["clause"] in body["clauses"]


def test_cli_and_api_give_the_same_body(client):
    api = _post(client, WUHAN).json()
    code, cli = _cli(json.dumps(WUHAN))
    assert code == 0
    assert cli == api


def test_cli_reads_a_file_and_exits_2_on_bad_input(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(WUHAN), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"region": "wuhan",', encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "calculator.settings"}
    ok = subprocess.run([sys.executable, "manage.py", "calculate", str(good)], cwd=ROOT, capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["totals"]["fund_paid"] == "539.00"
    ko = subprocess.run([sys.executable, "manage.py", "calculate", str(bad)], cwd=ROOT, capture_output=True, text=True, env=env)
    assert ko.returncode == 2
    assert "Traceback" not in ko.stderr + ko.stdout
    assert json.loads(ko.stdout)["errors"][0]["field"] == "(root)"
    missing = subprocess.run([sys.executable, "manage.py", "calculate", str(tmp_path / "nope.json")], cwd=ROOT, capture_output=True, text=True, env=env)
    assert missing.returncode == 2
    assert "找不到文件" in missing.stdout


def _visit(**kw):
    return {"date": "2024-03-01", "level": 3, "total": "100.00", **kw}


def _req(**kw):
    base = {"region": "wuhan", "status": "employed", "age": 45, "visits": [_visit()]}
    base.update(kw)
    return base


REFUSALS = [
    ("unknown region", _req(region="beijing"), "region", "暂不支持"),
    ("alias is fine but typo is not", _req(region="jinchen"), "region", "暂不支持"),
    ("date before every version", _req(visits=[_visit(date="2022-12-31")]), "visits[0].date", "2023-02-01"),
    ("impossible date", _req(visits=[_visit(date="2024-02-30")]), "visits[0].date", "不是真实存在的日期"),
    ("badly written date", _req(visits=[_visit(date="2024/03/01")]), "visits[0].date", "格式"),
    ("missing total", _req(visits=[{"date": "2024-03-01", "level": 3}]), "visits[0].total", "请填写"),
    ("missing status", {"region": "wuhan", "age": 45, "visits": [_visit()]}, "status", "参保身份"),
    ("missing age", {"region": "wuhan", "status": "employed", "visits": [_visit()]}, "age", "年龄"),
    ("age out of range", _req(age=121), "age", "0 到 120"),
    ("age not whole", _req(age="forty"), "age", "整数"),
    ("age as bool", _req(age=True), "age", "整数"),
    ("wrong status", _req(status="student"), "status", "在职"),
    ("total as list", _req(visits=[_visit(total=[1])]), "visits[0].total", "金额"),
    ("negative amount", _req(visits=[_visit(total="-5")]), "visits[0].total", "负数"),
    ("three decimals", _req(visits=[_visit(total="10.001")]), "visits[0].total", "两位小数"),
    ("NaN string", _req(visits=[_visit(total="NaN")]), "visits[0].total", "NaN"),
    ("Infinity string", _req(visits=[_visit(total="Infinity")]), "visits[0].total", "无穷大"),
    ("too large", _req(visits=[_visit(total="10000000.01")]), "visits[0].total", "10,000,000"),
    ("excluded above total", _req(visits=[_visit(excluded="100.01")]), "visits[0].excluded", "不能大于"),
    ("class_b above policy range", _req(visits=[_visit(excluded="50", class_b="50.01")]), "visits[0].class_b", "不能大于"),
    ("no visits", _req(visits=[]), "visits", "至少"),
    ("visits not a list", _req(visits="x"), "visits", "列表"),
    ("too many visits", _req(visits=[_visit()] * 1001), "visits", "1000"),
    ("level out of range", _req(visits=[_visit(level=4)]), "visits[0].level", "1 到 3"),
    ("level missing", _req(visits=[{"date": "2024-03-01", "total": "10"}]), "visits[0].level", "医疗机构级别"),
    ("wrong setting", _req(visits=[_visit(setting="hospital")]), "visits[0].setting", "门诊"),
    ("unknown field", _req(visits=[_visit(totl="1")]), "visits[0].totl", "未知字段"),
    ("Shanghai retiree without retired_on", {**_req(region="shanghai", status="retired"), "visits": [_visit(date="2024-03-01")]}, "retired_on", "退休日期"),
    ("chronic outside Yuxi", _req(visits=[_visit(category="chronic")]), "visits[0].category", "玉溪"),
    ("bool as string", _req(visits=[_visit(inpatient_stay="yes")]), "visits[0].inpatient_stay", "true"),
    # Past the calculator's horizon (31 December next year): refused, not a 500 at year 9999.
    ("visit in year 9999", _req(visits=[_visit(date="9999-12-31")]), "visits[0].date", "不能晚于"),
    # Said of the retirement date, not of future visits.
    ("retired in December 9999", _req(status="retired", age=65, retired_on="9999-12-01"), "retired_on", "退休日期不能晚于"),
    # 30 today and retired 1999-01-01: under 16 then (上海 would have used the ≤2000 cohort's 80%).
    ("retired before working age", {**_req(region="shanghai", status="retired", age=30, retired_on="1999-01-01"),
                                    "visits": [_visit(date="2024-03-01")]}, "retired_on", "退休时不到 16 岁"),
    ("a retiree aged 0", _req(status="retired", age=0), "age", "不能小于 16 岁"),
    ("level null", _req(visits=[_visit(level=None)]), "visits[0].level", "不能是 null：请写 1 到 3 的整数"),
]


@pytest.mark.parametrize("name, body, field, fragment", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_name_the_field_in_chinese(client, name, body, field, fragment):
    response = _post(client, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    match = [e for e in errors if e["field"] == field]
    assert match, errors
    assert fragment in match[0]["message"]
    code, cli = _cli(json.dumps(body, ensure_ascii=False))
    assert code == 2
    assert cli == response.json()


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ('{"region": "wuhan",', "不是合法的 JSON"),
        ("", "不是合法的 JSON"),
        ("[1, 2]", "JSON 对象"),
        ('{"region":"wuhan","status":"employed","age":45,"visits":[{"date":"2024-03-01","level":3,"total":NaN}]}', "NaN"),
        ('{"region":"wuhan","status":"employed","age":45,"visits":[{"date":"2024-03-01","level":3,"total":Infinity}]}', "无穷大"),
    ],
)
def test_malformed_json_and_nonfinite_numbers(client, raw, fragment):
    response = _post(client, raw, raw=True)
    assert response.status_code == 400
    assert fragment in json.dumps(response.json(), ensure_ascii=False)


def test_numbers_are_accepted_as_amounts(client):
    body = _req(visits=[_visit(total=1000, class_b=200.5)])
    response = _post(client, body)
    assert response.status_code == 200
    # 乙类 200.50 × 10% = 20.05 (20.050 → 20.05); (1000 − 20.05) × 55% = 538.9725 → 538.97
    assert response.json()["visits"][0]["fund_paid"] == "538.97"


def test_get_is_not_allowed(client):
    assert client.get("/api/v1/calculate").status_code == 405


def test_regions_listing(client):
    body = client.get("/api/v1/regions").json()
    by_code = {r["code"]: r for r in body["regions"]}
    assert "jincheng" in by_code["shanxi"]["aliases"]
    wuhan = [(v["id"], v["effective_from"], v["effective_to"], v["status"]) for v in by_code["wuhan"]["versions"]]
    assert wuhan == [
        ("wuhan-2023-02", "2023-02-01", "2023-04-09", "official"),
        ("wuhan-2023-04", "2023-04-10", None, "secondary"),
    ]


def test_regions_listing_in_english_when_asked(client):
    # Names, provinces, periods and notices in English; document titles as issued; the
    # aliases stay the Chinese names a request may use. Chinese without the header.
    response = client.get("/api/v1/regions", headers={"Accept-Language": "en"})
    assert response["Content-Language"] == "en"
    wuhan = {r["code"]: r for r in response.json()["regions"]}["wuhan"]
    assert (wuhan["name"], wuhan["province"]) == ("Wuhan", "Hubei")
    assert wuhan["coverage"] == "2023-02-01 to 2023-04-09, from 2023-04-10"
    assert "武汉" in wuhan["aliases"]
    [notice] = wuhan["versions"][0]["notices"]
    assert notice.startswith("The text of the Wuhan rules this calculator holds gives no start date.")
    assert wuhan["versions"][0]["title"] == "武汉市职工基本医疗保险门诊共济保障实施细则"
    chinese = client.get("/api/v1/regions")
    assert chinese["Content-Language"] == "zh-hans"
    wuhan = {r["code"]: r for r in chinese.json()["regions"]}["wuhan"]
    assert (wuhan["name"], wuhan["coverage"]) == ("武汉市", "2023-02-01 至 2023-04-09、2023-04-10 起")


def test_alias_jincheng_computes_as_shanxi(client):
    # 晋城 → 山西. Level 3 → 一类收费价格 (inferred): deductible 80 per visit, in-service 50%.
    # (300 − 80) × 50% = 110.00
    body = {"region": "jincheng", "status": "employed", "age": 40, "visits": [_visit(total="300.00")]}
    result = _post(client, body).json()
    assert result["region"] == "shanxi"
    assert result["visits"][0]["fund_paid"] == "110.00"


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert {"/api/v1/calculate", "/api/v1/regions", "/api/v1/openapi.json"} <= set(doc["paths"])


# -- hostile and borderline input (found in review): always a 400 naming the field ---------


@pytest.mark.parametrize(
    "raw, field, fragment",
    [
        # A 5,000-digit JSON integer must not reach int → str conversion limits.
        ('{"region":"wuhan","status":"employed","age":45,"visits":[{"date":"2024-03-01","level":3,"total":' + "9" * 5000 + "}]}",
         "visits[0].total", "10,000,000"),
        # An exponent of a million must be refused without building the number.
        ('{"region":"wuhan","status":"employed","age":1e999999,"visits":[{"date":"2024-03-01","level":3,"total":"1"}]}', "age", "0 到 120"),
        ('{"region":"wuhan","status":"employed","age":45,"age":46,"visits":[]}', "age", "不止一次"),
        ('{"region":"\\ud800","status":"employed","age":45,"visits":[]}', "(root)", "Unicode"),
        ('{"region":"wuhan","status":"employed","age":45,"visits":[{"date":"2024-03-01","level":3,"total":"1"}],"x":' + "[" * 600 + "]" * 600 + "}",
         "x", "未知字段"),
        ('{"region":"wuhan","status":"employed","age":45,"visits":[{"date":"2024-03-01","level":3,"total":"1"}],"x":' + "[" * 5000 + "]" * 5000 + "}",
         "(root)", "嵌套"),
    ],
    ids=["huge-int", "huge-exponent", "duplicate-key", "lone-surrogate", "nested-600", "nested-5000"],
)
def test_hostile_json_is_refused_cleanly(client, raw, field, fragment):
    response = _post(client, raw, raw=True)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["field"] == field and fragment in e["message"] for e in errors), errors


def test_lone_surrogates_are_refused_however_they_come():
    """decode skips its walk over the decoded data when the text cannot hold a lone
    surrogate; every way one can come in is still refused."""
    from calculator.rules.contract import decode

    ok = '{"region":"wuhan","note":"%s"}'
    for text in (
        ok % "\\uDC00",  # upper-case escape
        '{"region":"wuhan","visits":[{"x":{"y":"a\\udfff"}}]}',  # deep inside
        '{"\\ud83d":1}',  # in a key
        ok % "\ud800",  # handed over as str, no escape at all
    ):
        for raw in (text, text.encode("utf-8", "surrogatepass")):
            if isinstance(raw, bytes) and "\\u" not in text:
                continue  # bytes with a raw surrogate are not UTF-8: refused earlier
            data, errors = decode(raw)
            assert data is None and errors and "Unicode" in errors[0]["message"], (raw, errors)
    # A surrogate pair, and an escaped backslash followed by "ud800", are fine.
    for text in (ok % "\\ud83d\\ude00", ok % "\\\\ud800"):
        data, errors = decode(text)
        assert errors == [] and data["note"] in ("\U0001f600", "\\ud800"), (text, data)


@pytest.mark.parametrize(
    "body, field, fragment",
    [
        (_req(age="45"), "age", "整数"),  # a JSON request uses JSON types
        (_req(age=45.5), "age", "整数"),
        (_req(visits=[_visit(level="2")]), "visits[0].level", "整数"),
        (_req(visits=[_visit(total="-0.01")]), "visits[0].total", "负数"),
        (_req(visits=[_visit(total="-0")]), "visits[0].total", "负数"),
        (_req(visits=[_visit(total="１２００")]), "visits[0].total", "金额"),
        (_req(visits=[_visit(date="２０２４-03-01")]), "visits[0].date", "格式"),
        (_req(visits=[_visit(total="1e3")]), "visits[0].total", "金额"),
    ],
    ids=["age-string", "age-fraction", "level-string", "negative", "minus-zero-text", "fullwidth-digits", "fullwidth-date", "exponent-string"],
)
def test_wrong_types_are_refused(client, body, field, fragment):
    response = _post(client, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["field"] == field and fragment in e["message"] for e in errors), errors


def test_numbers_the_schema_admits_are_read_as_the_same_numbers(client):
    # JSON Schema's "integer" admits 45.0 (and 4.5e1), and "minimum: 0" admits -0: each is
    # read as the number it equals, as 45 and 0 are. 武汉 2024 三级 在职 1000: 1000 × 55% = 550.00
    # either way; a total of -0 is 0.00 (nothing to pay), not "cannot be negative".
    same = _post(client, _req(age=45.0, visits=[_visit(date="2024-03-01", level=3.0, total="1000")])).json()
    assert same["visits"][0]["fund_paid"] == "550.00" and same["visits"][0]["level"] == 3
    zero = _post(client, _req(visits=[_visit(date="2024-03-01", level=3, total=0), _visit(date="2024-03-02", level=3, total="100")]), raw=False)
    assert zero.status_code == 200
    raw = '{"region":"wuhan","status":"employed","age":45,"visits":[{"date":"2024-03-01","level":3,"total":-0,"excluded":-0.0}]}'
    minus_zero = _post(client, raw, raw=True)
    assert minus_zero.status_code == 200, minus_zero.content
    assert (minus_zero.json()["visits"][0]["total"], minus_zero.json()["visits"][0]["member_share"]["excluded"]) == ("0.00", "0.00")


def test_json_number_with_exponent_is_an_amount(client):
    # 1e3 is the JSON number 1000: 武汉优化方案 level 3 in-service, (1000) × 55% = 550.00
    raw = '{"region":"wuhan","status":"employed","age":45,"visits":[{"date":"2024-03-01","level":3,"total":1e3}]}'
    response = _post(client, raw, raw=True)
    assert response.status_code == 200
    assert response.json()["visits"][0]["fund_paid"] == "550.00"


def test_open_ended_coverage_is_worded_once(client):
    body = _req(region="yunnan", visits=[_visit(date="2024-10-31")])
    message = _post(client, body).json()["errors"][0]["message"]
    assert "2024-11-01 起" in message and "至 至今" not in message


def test_form_values_out_of_range_say_so():
    from calculator.rules.contract import parse_request

    for age in ("999999", "-1"):
        _, errors = parse_request({"region": "wuhan", "status": "employed", "age": age, "visits": [_visit()]}, form=True)
        assert errors[0]["field"] == "age" and "0 到 120" in errors[0]["message"], errors


# -- limits on what an answer repeats (issue 9) -------------------------------------------


def test_unknown_keys_are_listed_at_most_20_then_counted(client):
    body = _req(**{f"extra{i:02d}": 1 for i in range(50)})
    response = _post(client, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    unknown = [e for e in errors if e["message"].startswith("未知字段")]
    assert [e["field"] for e in unknown] == [f"extra{i:02d}" for i in range(20)]
    # 50 unknown keys: 20 listed, and never more than 20 entries about them; the 20th says
    # how many more there are (50 − 20 = 30).
    assert len(errors) == 20, errors
    more = [e for e in errors if "另有" in e["message"]]
    assert more == [unknown[-1]], errors
    assert more[0]["message"] == "未知字段“extra19”。另有 30 个未知字段未列出（每次最多列出 20 个）。"
    code, cli = _cli(json.dumps(body))
    assert code == 2 and cli == response.json()


def test_unknown_keys_in_visits_count_toward_the_same_20(client):
    visits = [_visit(**{f"x{j}": 1 for j in range(10)}) for _ in range(5)]
    response = _post(client, _req(visits=visits, extra=1))
    errors = response.json()["errors"]
    assert len([e for e in errors if e["message"].startswith("未知字段")]) == 20
    # 1 + 5 × 10 = 51 unknown keys: 20 listed, the last of them counting 51 − 20 = 31 more.
    assert [e["message"] for e in errors if "另有" in e["message"]] == ["未知字段“x8”。另有 31 个未知字段未列出（每次最多列出 20 个）。"]
    assert errors[0]["field"] == "extra" and errors[1]["field"] == "visits[0].x0"


def test_long_unknown_keys_cut_to_one_name_are_counted_with_the_rest(client):
    # 30 keys of 150 characters that differ only after the 100th: echoed cut to 100 they are
    # one name, listed once; the other 29 are counted (30 − 1 = 29), not lost from the count.
    long = "k" * 120
    body = _req(**{f"{long}{i:02d}": 1 for i in range(30)})
    errors = _post(client, body).json()["errors"]
    unknown = [e for e in errors if e["message"].startswith("未知字段")]
    assert len(unknown) == 1
    assert unknown[0]["message"].endswith("另有 29 个未知字段未列出（每次最多列出 20 个）。")


def test_exactly_20_unknown_keys_need_no_count_line(client):
    errors = _post(client, _req(**{f"k{i}": 1 for i in range(20)})).json()["errors"]
    assert len(errors) == 20 and not any("另有" in e["message"] for e in errors)


@pytest.mark.parametrize("where", ["top", "visit"])
def test_a_long_unknown_key_is_echoed_at_most_100_characters(client, where):
    key = "k" * 5000
    body = _req(**{key: 1}) if where == "top" else _req(visits=[_visit(**{key: 1})])
    error = _post(client, body).json()["errors"][0]
    name = "k" * 99 + "…"
    assert error["field"] == (name if where == "top" else f"visits[0].{name}")
    assert error["message"] == f"未知字段“{name}”。"


def test_a_long_region_name_is_echoed_at_most_100_characters(client):
    error = _post(client, _req(region="北" * 3000)).json()["errors"][0]
    assert error["field"] == "region"
    assert "北" * 99 + "…" in error["message"] and "北" * 100 not in error["message"]


def test_a_long_duplicate_key_is_echoed_at_most_100_characters(client):
    key = "d" * 3000
    raw = '{"' + key + '": 1, "' + key + '": 2}'
    error = _post(client, raw, raw=True).json()["errors"][0]
    assert error["field"] == "d" * 99 + "…" and "d" * 100 not in error["message"]


def test_an_impossible_date_is_echoed_as_typed(client):
    error = _post(client, _req(visits=[_visit(date="2024-13-45")])).json()["errors"][0]
    assert error == {"field": "visits[0].date", "message": "就诊日期 2024-13-45 不是真实存在的日期，请检查月份和日。"}


def test_echo_cuts_at_100_characters():
    from calculator.rules.contract import MAX_ECHO, _echo

    assert MAX_ECHO == 100
    assert _echo("a" * 100) == "a" * 100
    assert _echo("a" * 101) == "a" * 99 + "…" and len(_echo("a" * 101)) == 100


# -- null in a JSON request: refused for enums, "not given" for optional values -----------

NULL_REFUSED = [
    ("category", _req(visits=[_visit(category=None)]), "visits[0].category", "普通门诊"),
    ("setting", _req(visits=[_visit(setting=None)]), "visits[0].setting", "门诊"),
    ("offsite", _req(visits=[_visit(offsite=None)]), "visits[0].offsite", "本地"),
    ("level", _req(visits=[_visit(level=None)]), "visits[0].level", "整数"),
    ("price_class", _req(visits=[_visit(price_class=None)]), "visits[0].price_class", "整数"),
    ("status", _req(status=None), "status", "参保身份"),
    ("lang", _req(lang=None), "lang", "中文"),
    ("region", _req(region=None), "region", "参保地区"),
    ("category-empty", _req(visits=[_visit(category="")]), "visits[0].category", "普通门诊"),
    ("setting-empty", _req(visits=[_visit(setting="")]), "visits[0].setting", "门诊"),
    ("offsite-empty", _req(visits=[_visit(offsite="")]), "visits[0].offsite", "本地"),
    ("lang-empty", _req(lang=""), "lang", "中文"),
    ("level-empty", _req(visits=[_visit(level="")]), "visits[0].level", "整数"),
    ("excluded-empty", _req(visits=[_visit(excluded="")]), "visits[0].excluded", "金额"),
    ("retired_on-empty", _req(retired_on=""), "retired_on", "格式"),
]


@pytest.mark.parametrize("name, body, field, fragment", NULL_REFUSED, ids=[r[0] for r in NULL_REFUSED])
def test_null_or_empty_for_an_enum_is_refused_in_json(client, name, body, field, fragment):
    response = _post(client, body)
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    match = [e for e in errors if e["field"] == field]
    assert match and fragment in match[0]["message"], errors
    code, cli = _cli(json.dumps(body, ensure_ascii=False))
    assert code == 2 and cli == response.json()


def test_missing_enum_keys_keep_their_defaults(client):
    # 武汉优化方案, level 3 in-service: setting clinic, offsite none, category general → 55 %.
    body = _req(visits=[{"date": "2024-03-01", "level": 3, "total": "100.00"}])
    response = _post(client, body)
    assert response.status_code == 200
    assert response.json()["visits"][0]["fund_paid"] == "55.00"


NULLABLE = {
    "retired_on": None, "flexible_employment": None, "contribution_base": None, "account_balance": None,
    "prior_years_balance": None, "chronic_disease_count": None,
}
NULLABLE_VISIT = {"excluded": None, "class_b": None, "inpatient_stay": None}


def test_null_for_an_optional_value_means_not_given(client):
    body = _req(**NULLABLE, visits=[_visit(**NULLABLE_VISIT)])
    response = _post(client, body)
    assert response.status_code == 200, response.json()
    assert response.json() == _post(client, _req()).json()


def test_the_web_form_keeps_empty_values_as_defaults():
    from calculator.rules.contract import parse_request

    for empty in ("", None):
        request, errors = parse_request(
            {"region": "wuhan", "status": "employed", "age": "45", "lang": empty, "retired_on": empty,
             "contribution_base": empty, "account_balance": empty, "chronic_disease_count": empty,
             "visits": [{"date": "2024-03-01", "level": "3", "total": "100", "setting": empty, "offsite": empty,
                         "category": empty, "price_class": empty, "excluded": empty, "class_b": empty}]},
            form=True,
        )
        assert not errors, errors
        visit = request.visits[0]
        assert (visit.setting, visit.offsite, visit.category, visit.price_class) == ("clinic", "none", "general", None)
        assert (visit.excluded, visit.class_b, request.lang, request.chronic_disease_count) == (0, 0, "zh-hans", 1)


# -- the fast path for well-formed visits accepts exactly what the full check accepts -----

_VALUES = {
    "date": ["2024-03-01", "2024-02-30", "2024/03/01", " 2024-03-01", "", None, 20240301],
    "level": ["MISSING", None, "", "2", True],
    "setting": ["MISSING", "clinic", "pharmacy", None, "", "hospital"],
    "total": ["MISSING", "100", "100.5", "100.50", "100.505", "0", "", None, "-1", "1e3", "10000000", "10000000.01", " 100",
              # read with str methods, not a regex: no other digits, no bare dot, no sign
              "１００", "100.", ".5", "+100", "100.0\n", "٣", "12345678.99", "123456789"],
    "excluded": ["MISSING", "0", "50", "100.01", "", None],
    "class_b": ["MISSING", "0", "10", "", None, "100"],
    "price_class": ["MISSING", None, ""],
    "offsite": ["MISSING", "none", "unfiled", None, "", "abroad"],
    "inpatient_stay": ["MISSING", False, True, None, "yes"],
    "category": ["MISSING", "general", "chronic", None, "", "acute"],
}


def _numbers(value):
    from decimal import Decimal

    return Decimal(value) if value in ("2",) else value


def test_fast_path_accepts_exactly_what_the_full_check_accepts():
    from decimal import Decimal

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from calculator.rules.contract import _Errors, _fast_visit, _parse_visit

    levels = st.sampled_from(["MISSING", None, "", "2", True, Decimal(1), Decimal(3), Decimal(4), Decimal("2.0"), Decimal("-0")])
    fields = {k: st.sampled_from(v) for k, v in _VALUES.items() if k != "level"}
    fields["level"] = levels
    fields["total"] = st.one_of(fields["total"], st.decimals(min_value=0, max_value=20_000_000, places=2).map(Decimal))

    @settings(max_examples=600, deadline=None)
    @given(st.fixed_dictionaries(fields), st.booleans())
    def check(values, unknown):
        raw = {k: v for k, v in values.items() if v != "MISSING"}
        if unknown:
            raw["note"] = "x"
        fast = _fast_visit(0, raw)
        errors = _Errors(form=False)
        full = _parse_visit(0, raw, errors)
        if fast is not None:
            assert not errors.items and full == fast, (raw, errors.items, full, fast)

    check()


def test_every_problem_is_reported_in_one_answer():
    # A bad amount on one visit no longer hides the checks against the rules on the others
    # (nor on itself): the date outside 武汉's rules, a level the rules need, all at once.
    body = {
        "region": "wuhan", "status": "retired", "age": 60, "retired_on": "bad",
        "visits": [
            {"date": "2020-01-01", "total": "x"},
            {"date": "2023-03-01", "total": ""},
            {"date": "2023-03-01", "level": 7, "total": "5"},
        ],
    }
    status, answer = run_contract(json.dumps(body))
    assert status == 400
    fields = [e["field"] for e in answer["errors"]]
    assert sorted(fields) == sorted([
        # visits[0]'s date is outside every rule: its level is asked now too (every 武汉 rule
        # needs one), not after the date is corrected.
        "retired_on", "visits[0].total", "visits[0].date", "visits[0].level", "visits[1].total", "visits[1].level", "visits[2].level",
    ]), fields
    # One problem per field: the bad level is "1 到 3", not also "请选择".
    (level,) = [e for e in answer["errors"] if e["field"] == "visits[2].level"]
    assert "1 到 3" in level["message"]


def test_the_rules_are_checked_also_when_the_status_is_wrong():
    # A missing or unknown status hid the checks against the rules (a second round for the
    # member): the date outside 武汉's rules and the missing level come in the same answer.
    for status in (None, "boss"):
        body = {"region": "wuhan", "age": 45, "visits": [{"date": "2020-01-01", "total": "100"}, {"date": "2024-03-01", "total": "100"}]}
        if status is not None:
            body["status"] = status
        code, answer = run_contract(json.dumps(body))
        assert code == 400
        assert sorted(e["field"] for e in answer["errors"]) == ["status", "visits[0].date", "visits[0].level", "visits[1].level"]


def test_shanghai_asks_for_the_retirement_date_when_no_visit_date_is_under_a_rule():
    # 上海 splits retirees by retirement date in every rule: asked at once even when the only
    # visit's date is outside the rules (it was asked only after the date was corrected).
    body = {"region": "shanghai", "status": "retired", "age": 70, "visits": [{"date": "2019-05-01", "level": 1, "total": "100"}]}
    code, answer = run_contract(json.dumps(body))
    assert code == 400
    assert sorted(e["field"] for e in answer["errors"]) == ["retired_on", "visits[0].date"]


def test_a_retirement_at_sixteen_and_a_future_one_are_accepted(client):
    # 40 today, retired on 1 January 24 years ago (24 whole years since): 16 at retirement, allowed.
    import datetime as dt

    today = dt.date.today()
    body = _req(status="retired", age=40, retired_on=f"{today.year - 24}-01-01")
    assert _post(client, body).status_code == 200, _post(client, body).content
    # Retiring next year (planning ahead): accepted, visits before it count as employee's.
    body = _req(status="retired", age=59, retired_on=f"{today.year + 1}-06-30")
    assert _post(client, body).status_code == 200


def test_a_repeated_key_inside_a_visit_is_named_by_its_path(client):
    raw = '{"region":"wuhan","status":"employed","age":45,"visits":[{"date":"2024-03-01","level":3,"total":"1"},' \
          '{"date":"2024-03-02","level":3,"total":"1000","total":"5"}]}'
    response = _post(client, raw, raw=True)
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "visits[1].total", "message": "字段“total”出现了不止一次。"}]
    code, cli = _cli(raw)
    assert code == 2 and cli == response.json()
    top = '{"region":"wuhan","region":"wuhan","status":"employed","age":45,"visits":[]}'
    assert _post(client, top, raw=True).json()["errors"][0]["field"] == "region"
    # A repeat in a visit and another at the top: the one the parser meets first (the visit's,
    # finished before the request) is named, by its path, with its own key in the message.
    both = '{"region":"wuhan","visits":[{"total":1,"total":2}],"region":"b"}'
    assert _post(client, both, raw=True).json()["errors"] == [{"field": "visits[0].total", "message": "字段“total”出现了不止一次。"}]
    inner = '{"status":1,"status":{"z":1,"z":2}}'
    assert _post(client, inner, raw=True).json()["errors"] == [{"field": "status.z", "message": "字段“z”出现了不止一次。"}]
    # A body asking for English is answered in English though it could not be decoded.
    english = '{"lang":"en","age":1,"age":2}'
    response = _post(client, english, raw=True)
    assert response.json()["errors"] == [{"field": "age", "message": "The field “age” appears more than once."}]
    assert response["Content-Language"] == "en"
    code, cli = _cli(english)
    assert code == 2 and cli == response.json()


def test_a_byte_order_mark_is_ignored(client):
    # Notepad and PowerShell save UTF-8 with a BOM; RFC 8259 lets a parser ignore it.
    body = "\ufeff" + json.dumps(_req(), ensure_ascii=False)
    response = client.post("/api/v1/calculate", data=body.encode("utf-8"), content_type="application/json")
    assert response.status_code == 200, response.content
    code, cli = _cli(body)
    assert code == 0 and cli == response.json()


def test_a_body_that_is_not_utf8_gets_the_same_answer_from_api_and_command(client):
    raw = json.dumps(_req(region="wuhén"), ensure_ascii=False).encode("latin-1")
    response = client.post("/api/v1/calculate", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "body", "message": "请求体不是 UTF-8 编码的 JSON。"}]}
    assert response["Content-Language"] == "zh-hans"  # errors are Chinese, whatever was asked


def test_errors_are_in_english_when_english_was_asked(client):
    """The same choice as the answer's: the body's "lang", else Accept-Language; the field
    names stay the contract's, the labels, region names and periods in the message are English."""
    response = client.post("/api/v1/calculate", data=json.dumps(_req(age=200)), content_type="application/json",
                           headers={"Accept-Language": "en"})
    assert response.status_code == 400 and response["Content-Language"] == "en"
    [error] = response.json()["errors"]
    assert error == {"field": "age", "message": "Age must be between 0 and 120."}
    ok = client.post("/api/v1/calculate", data=json.dumps(_req()), content_type="application/json", headers={"Accept-Language": "en"})
    assert ok["Content-Language"] == "en"
    # A visit date outside the region's rules: its name and periods in English, no Chinese left.
    body = {"region": "yunnan", "status": "employed", "age": 45, "lang": "en",
            "visits": [{"date": "2023-02-03", "level": 2, "total": "5"}], "colour": "blue"}
    errors = client.post("/api/v1/calculate", data=json.dumps(body), content_type="application/json").json()["errors"]
    messages = {e["field"]: e["message"] for e in errors}
    assert messages["colour"] == 'Unknown field "colour".'
    assert "outside the policy periods" in messages["visits[0].date"] and "from 2024-11-01" in messages["visits[0].date"]
    assert not [m for m in messages.values() if re.search(r"[\u3400-\u9fff]", m)]
    # Malformed JSON cannot say its language: the header does.
    bad = client.post("/api/v1/calculate", data="{bad", content_type="application/json", headers={"Accept-Language": "en"})
    assert bad.json()["errors"] == [{"field": "(root)", "message": "The request is not valid JSON (line 1, column 2)."}]
    # Without either, Chinese as before.
    zh = client.post("/api/v1/calculate", data=json.dumps(_req(age=200)), content_type="application/json")
    assert zh["Content-Language"] == "zh-hans" and zh.json()["errors"][0]["message"] == "年龄应在 0 到 120 之间。"


def test_fields_a_region_has_no_use_for_are_said_not_dropped(client):
    # 武汉's documents rate by level, not by price class, and have no 门诊慢性病 rule: the
    # answer says both fields went unused (the figures are the level's: 三级 在职 55 %,
    # 1000 × 55 % = 550.00 under the 优化方案).
    body = _req(chronic_disease_count=2, visits=[_visit(total="1000.00", price_class=1)])
    result = _post(client, body).json()
    warnings = {w["code"]: w for w in result["warnings"]}
    assert warnings["price-class-ignored"]["visits"] == [1]
    assert warnings["price-class-ignored"]["message"] == "武汉市的文件不按收费价格类别区分待遇：填写的收费类别未使用，按医疗机构级别计算。"
    # Not of a pharmacy visit (its own rate, not a level's) nor of a non-designated one (no
    # rate at all): "按医疗机构级别计算" is untrue of both (audit).
    others = _post(client, _req(visits=[
        _visit(total="100.00", price_class=1, setting="pharmacy"), _visit(total="100.00", price_class=1, setting="non_designated"),
    ])).json()
    assert "price-class-ignored" not in {w["code"] for w in others["warnings"]}
    assert warnings["chronic-count-ignored"]["visits"] == []
    assert result["visits"][0]["fund_paid"] == "550.00"
    english = client.post("/api/v1/calculate", data=json.dumps({**body, "lang": "en"}), content_type="application/json").json()
    messages = {w["code"]: w["message"] for w in english["warnings"]}
    assert messages["price-class-ignored"].startswith("The documents of Wuhan do not distinguish price classes")
    # 徐州's documents have no rule for flexible-employment workers (武汉's do: 细则第六条): said.
    xuzhou = _post(client, _req(region="xuzhou", flexible_employment=True, contribution_base="5000",
                                visits=[_visit(date="2025-09-01", total="100.00")])).json()
    ignored = next(w for w in xuzhou["warnings"] if w["code"] == "flexible-employment-ignored")
    assert ignored["message"] == "徐州市的文件没有单独规定灵活就业人员的个人账户：填写的“灵活就业人员”未使用，个人账户一栏按一般职工的规定给出。"
    # The estimate shown is the employees' rule: 5000 × 2% = 100 a month, 12 months 1,200.
    assert xuzhou["personal_account"]["annual_allocation"] == "1200.00"
    wuhan = _post(client, _req(flexible_employment=True, visits=[_visit(total="100.00")])).json()
    assert "flexible-employment-ignored" not in {w["code"] for w in wuhan["warnings"]}
    # 山西 does use it: no notice.
    shanxi = _post(client, _req(region="shanxi", visits=[_visit(total="1000.00", price_class=1)])).json()
    assert "price-class-ignored" not in {w["code"] for w in shanxi["warnings"]}


def test_unregistered_care_elsewhere_gets_only_its_own_notice(client):
    # 玉溪细则 第二十一条 speaks of registered care only: its assumption concerns the registered
    # visit, the unregistered one gets the notice that the documents set nothing for it.
    body = _req(region="yuxi", status="retired", age=66, visits=[
        _visit(date="2023-05-10", level=1, total="300.00", offsite="unfiled"),
        _visit(date="2023-05-11", level=1, total="300.00", offsite="filed"),
    ])
    warnings = {w["code"]: w["visits"] for w in _post(client, body).json()["warnings"]}
    assert warnings["offsite-unfiled-unspecified"] == [1]
    assert warnings["yuxi-2023/offsite"] == [2]


def test_a_new_shanghai_insurance_year_is_said_also_when_the_current_account_was_used_up(client):
    # 上海: 当年账户 300 is spent by 06-10 (800 visit); the 2024医保年度 starts 07-01 and its
    # credit is never added: said on the 07-01 visit, though nothing was left to carry over.
    body = _req(region="shanghai", account_balance="300", prior_years_balance="2000", visits=[
        _visit(date="2024-06-10", level=3, total="800"), _visit(date="2024-07-01", level=3, total="900"),
    ])
    warnings = {w["code"]: w for w in _post(client, body).json()["warnings"]}
    assert warnings["new-insurance-year-empty"]["visits"] == [2]
    assert "new-insurance-year" not in warnings
    # With 当年账户 money left at 30 June, the other notice says it moves to the 历年账户.
    body = _req(region="shanghai", account_balance="300", prior_years_balance="2000", visits=[
        _visit(date="2024-06-10", level=3, total="100"), _visit(date="2024-07-01", level=3, total="900"),
    ])
    answer = _post(client, body).json()
    warnings = {w["code"]: w for w in answer["warnings"]}
    assert "new-insurance-year" in warnings and "new-insurance-year-empty" not in warnings
    # No document says where the balance goes at the year's end: the move is the calculator's
    # reading (the 历年账户 as "历年结余资金"), listed as an assumption with the visit it pays.
    # 06-10: 当年账户 pays the 100 (300 → 200). 07-01, employed, 三级: 自负段 500 + 共付段
    # (900 − 500) × 30% = 120 member's share, all paid by the 历年账户 (2000 + 200 moved = 2200):
    # 620.00 from the account, 0.00 cash.
    moved = warnings["new-insurance-year"]
    assert moved["kind"] == "assumption" and moved["visits"] == [2] and "历年结余资金" in moved["message"]
    # Listed under the account clause the reading is of (a 依据 link beside it), and it says what
    # to do: work out the new year's visits separately, with the new year's balance.
    assert moved["clause"] == "shanghai-2023/account_use" and "shanghai-2023/account_use" in answer["clauses"]
    assert "请另行计算新年度的就诊" in moved["message"]
    assert (answer["visits"][1]["account_paid"], answer["visits"][1]["cash_paid"]) == ("620.00", "0.00")


def test_wuhans_reading_of_the_retiree_start_concerns_the_visits_it_decides(client):
    # Retired 2023-04-20 → retiree rules from 2023-05-01 (细则第七条 "次月起", kept by the
    # 优化方案 as an assumption): the 05-10 and 09-12 visits are a retiree's because of it.
    body = _req(status="retired", age=60, retired_on="2023-04-20", visits=[
        _visit(date="2023-02-10", total="3000"), _visit(date="2023-05-10", total="6000"), _visit(date="2023-09-12", total="2000"),
    ])
    warnings = {w["code"]: w["visits"] for w in _post(client, body).json()["warnings"]}
    assert warnings["wuhan-2023-04/retiree_start"] == [2, 3]
    assert warnings["before-retirement"] == [1]


def test_each_pool_of_a_year_says_where_it_starts(client):
    # 玉溪 2024: a 门诊慢性病 visit first (its own deductible and cap start there), then a general
    # visit: the general cap starts at the general visit, and each says so once.
    body = _req(region="yuxi", chronic_disease_count=1, visits=[
        _visit(date="2024-03-01", level=2, total="2000", category="chronic"),
        _visit(date="2024-04-01", level=2, total="300"),
        _visit(date="2024-05-01", level=2, total="300"),
    ])
    visits = _post(client, body).json()["visits"]
    starts = [[variant for code, variant in steps if code == "benefit_year"] for steps in step_variants(body)]
    # The general one is the year's first general visit, not its first visit.
    assert starts == [["chronic"], ["cap_general"], []]
    assert "第一次普通门诊就诊" in [s for s in visits[1]["steps"] if s["code"] == "benefit_year"][0]["explanation"]


def test_a_young_retiree_is_told_about_the_age_and_shanghai_asks_for_the_date_at_once(client):
    # Age 0 as a retiree: the age is wrong, also when a retirement date is given.
    errors = _post(client, _req(status="retired", age=0, retired_on="2020-01-01")).json()["errors"]
    assert [e["field"] for e in errors] == ["age"]
    # 上海 retiree without 退休日期 and with no readable visit date: both said in one answer.
    body = {**_req(region="shanghai", status="retired", age=66), "visits": [_visit(date="2024-02-30")]}
    fields = {e["field"] for e in _post(client, body).json()["errors"]}
    assert fields == {"retired_on", "visits[0].date"}


def test_a_missing_level_is_said_with_an_unreadable_date_where_every_version_needs_one(client):
    # 徐州 (one version) rates a clinic visit by its level: with the date unreadable the level
    # is still needed, so both are said in one answer, not the level in a second round.
    visit = {"date": "2024-02-30", "total": "100.00"}
    fields = [e["field"] for e in _post(client, {**_req(region="xuzhou"), "visits": [visit]}).json()["errors"]]
    assert fields == ["visits[0].date", "visits[0].level"]
    # 徐州 pays an A级 pharmacy at the level-1 rate whatever the level: nothing more to ask.
    pharmacy = {**visit, "setting": "pharmacy"}
    fields = [e["field"] for e in _post(client, {**_req(region="xuzhou"), "visits": [pharmacy]}).json()["errors"]]
    assert fields == ["visits[0].date"]
    # 武汉 pharmacies have their own rate under both versions: no level asked either.
    fields = [e["field"] for e in _post(client, {**_req(region="wuhan"), "visits": [pharmacy]}).json()["errors"]]
    assert fields == ["visits[0].date"]


def test_the_count_of_unlisted_unknown_keys_is_english_too(client):
    # 30 unknown keys: 20 listed, the last with the count of the other 10, in English when asked.
    body = {**_req(), "lang": "en", **{f"k{i}": 1 for i in range(30)}}
    errors = client.post("/api/v1/calculate", data=json.dumps(body), content_type="application/json").json()["errors"]
    assert len(errors) == 20
    assert errors[-1]["message"] == 'Unknown field "k19". Unknown fields not listed: 10 more (at most 20 are listed at a time).'


def test_a_retirement_date_too_late_is_not_explained_by_future_visits(client):
    # The limit is the calculator's (31 December next year); the reason names no visit.
    errors = _post(client, _req(status="retired", age=65, retired_on="9999-12-01")).json()["errors"]
    (error,) = [e for e in errors if e["field"] == "retired_on"]
    assert error["message"].startswith("退休日期不能晚于") and "就诊" not in error["message"]


@pytest.mark.parametrize(
    "argv, lang, fragment",
    [
        (["--format", "pdf"], None, "命令参数有误：argument --format: invalid choice: 'pdf'"),
        (["--bogus", "--lang", "en"], "en", "The command's arguments are wrong: unrecognized arguments: --bogus"),
    ],
)
def test_a_mistake_in_the_commands_arguments_is_a_json_error_with_exit_2(tmp_path, argv, lang, fragment):
    # From the command line (as a script runs it), not call_command: argparse's usage text on
    # stderr would be the only answer a script gets otherwise.
    import subprocess
    from pathlib import Path

    request = tmp_path / "request.json"
    request.write_text(json.dumps(WUHAN), encoding="utf-8")
    repo = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "manage.py", "calculate", str(request), *argv], cwd=repo, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2, result.stderr
    [error] = json.loads(result.stdout)["errors"]
    assert error["field"] == "(arguments)" and error["message"].startswith(fragment), error
    assert "Traceback" not in result.stderr


def test_each_year_says_what_is_left_of_its_cap_and_how_its_last_rule_counts_the_deductible():
    # 武汉, retired, no date: 2023-03-01 under the 细则 (二级 1,000 − 500 deductible = 500 × 68% =
    # 340.00 paid, cap 4,000), 2023-06-01 non-designated under 优化方案 (not covered; its cap for
    # retirees 4,500, no deductible). The year ends under 优化方案: cap 4,500 − 340 = 4,160.00
    # left, deductible basis "none". 2024 (一级 300, 优化方案, no deductible: 300 × 90% = 270.00):
    # 4,500 − 270 = 4,230.00.
    status, body = run_contract(json.dumps({"region": "wuhan", "status": "retired", "age": 70, "visits": [
        {"date": "2023-03-01", "level": 2, "total": "1000"},
        {"date": "2023-06-01", "level": 2, "setting": "non_designated", "total": "500"},
        {"date": "2024-05-01", "level": 1, "total": "300"},
    ]}))
    assert status == 200, body
    assert [(y["year"], y["fund_paid"], y["annual_cap"], y["cap_remaining"], y["deductible_basis"]) for y in body["years"]] == [
        (2023, "340.00", "4500.00", "4160.00", "none"),
        (2024, "270.00", "4500.00", "4230.00", "none"),
    ]
    # 上海 has no outpatient cap: nothing left to say.
    status, body = run_contract(json.dumps({"region": "shanghai", "status": "employed", "age": 40, "visits": [{"date": "2024-03-01", "level": 1, "total": "300"}]}))
    assert body["years"][0]["cap_remaining"] is None and body["years"][0]["deductible_basis"] == "annual"


def test_json_amounts_and_dates_are_read_as_the_schema_writes_them():
    # The schema's pattern is ^\d+(\.\d{1,2})?$ and dates are YYYY-MM-DD: "10.500" (three
    # decimals written), " 100 " and " 2024-03-01 " were accepted though the schema refuses
    # them. The web form still trims what is typed (calculator/web/typed.py).
    def errors(visit):
        code, answer = run_contract(json.dumps({"region": "wuhan", "status": "employed", "age": 45, "visits": [visit]}))
        assert code == 400
        return {e["field"]: e["message"] for e in answer["errors"]}

    assert errors({"date": "2024-03-01", "level": 2, "total": "10.500"}) == {"visits[0].total": "费用总额最多保留两位小数（精确到分）。"}
    assert errors({"date": "2024-03-01", "level": 2, "total": " 100 "}) == {"visits[0].total": "费用总额必须是金额（元），例如 1200.00。"}
    assert list(errors({"date": " 2024-03-01 ", "level": 2, "total": "100"})) == ["visits[0].date"]
    # A newline after it too ($ matched before a final "\n": "100\n" was accepted, "10.50\n"
    # called over-precise, "2024-03-01\n" an impossible date).
    assert errors({"date": "2024-03-01", "level": 2, "total": "100\n"}) == {"visits[0].total": "费用总额必须是金额（元），例如 1200.00。"}
    assert errors({"date": "2024-03-01", "level": 2, "total": "10.50\n"}) == {"visits[0].total": "费用总额必须是金额（元），例如 1200.00。"}
    assert errors({"date": "2024-03-01\n", "level": 2, "total": "100"}) == {"visits[0].date": "就诊日期格式应为 年-月-日，例如 2024-03-01。"}
    code, _ = run_contract(json.dumps({"region": "wuhan", "status": "employed", "age": 45, "visits": [{"date": "2024-03-01", "level": 2, "total": "10.50"}]}))
    assert code == 200


def test_a_step_carries_the_figures_its_sentence_and_amount_need_and_no_more():
    # 武汉 2024 (优化方案), retired: 一级 90%, cap 4,500, no deductible.
    # Visit 1: 6,000 × 90% = 5,400 → the cap's 4,500 is paid. Visit 2: 300 with the cap used up:
    # ratio amount 300 × 90% = 270.00, room 0.00 → fund 0.00; the member's share splits into
    # copay 300 − 270 = 30.00 and over_cap 270 − 0 = 270.00 (member_share, not the step's params).
    status, body = run_contract(json.dumps({"region": "wuhan", "status": "retired", "age": 70, "visits": [
        {"date": "2024-03-01", "level": 1, "total": "6000"},
        {"date": "2024-04-01", "level": 1, "total": "300"},
    ]}))
    assert status == 200, body
    second = body["visits"][1]
    fund = [s for s in second["steps"] if s["code"] == "fund"][0]
    assert fund["amount"] == "0.00"
    assert fund["params"] == {"base": "300.00", "ratio": "0.90", "ratio_amount": "270.00", "cap_room": "0.00"}
    assert (second["member_share"]["copay"], second["member_share"]["over_cap"]) == ("30.00", "270.00")
    assert "2024年度限额已用完" in fund["explanation"] and "300 元由个人负担" in fund["explanation"]
    assert "4,500" not in fund["explanation"]  # the cap's figure is the visit's cap.annual_cap
    assert second["cap"]["annual_cap"] == "4500.00"
    # 山西 2024, employed, 一级 (推定三类收费价格及以下): 每次就诊起付标准 30 元, met in full by 200:
    # the step's amount is the standard, said once, not repeated in its params.
    status, body = run_contract(json.dumps({"region": "shanxi", "status": "employed", "age": 40, "visits": [
        {"date": "2024-03-01", "level": 1, "total": "200"}]}))
    deductible = [s for s in body["visits"][0]["steps"] if s["code"] == "deductible"][0]
    assert deductible["amount"] == "30.00" and deductible["params"] == {"level": 3}
    assert deductible["explanation"] == "三类收费价格及以下医疗机构每次就诊起付标准 30 元，由个人负担。"


def test_only_a_visit_after_today_says_it_is_in_the_future():
    import datetime as dt

    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    status, body = run_contract(json.dumps({"region": "wuhan", "status": "employed", "age": 40, "visits": [
        {"date": "2024-03-01", "level": 1, "total": "100"}, {"date": later, "level": 1, "total": "100"}]}))
    assert status == 200, body
    past, future = body["visits"]
    assert "future" not in past and "future-visit" not in past["notices"]
    assert future["future"] is True and "future-visit" in future["notices"]
