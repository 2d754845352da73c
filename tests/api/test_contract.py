"""The calculation contract through both doors: POST /api/v1/calculate and `manage.py calculate`.

The same request gives the same body; every refusal in the contract gives 400 (CLI: exit 2)
with a Chinese message naming the field; nothing ever produces a traceback.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

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


@pytest.mark.parametrize(
    "body, field, fragment",
    [
        (_req(age="45"), "age", "整数"),  # a JSON request uses JSON types
        (_req(age=45.0), "age", "整数"),
        (_req(visits=[_visit(level="2")]), "visits[0].level", "整数"),
        (_req(visits=[_visit(total="-0")]), "visits[0].total", "负数"),
        (_req(visits=[_visit(total="１２００")]), "visits[0].total", "金额"),
        (_req(visits=[_visit(date="２０２４-03-01")]), "visits[0].date", "格式"),
        (_req(visits=[_visit(total="1e3")]), "visits[0].total", "金额"),
    ],
    ids=["age-string", "age-float", "level-string", "minus-zero", "fullwidth-digits", "fullwidth-date", "exponent-string"],
)
def test_wrong_types_are_refused(client, body, field, fragment):
    response = _post(client, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(e["field"] == field and fragment in e["message"] for e in errors), errors


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
