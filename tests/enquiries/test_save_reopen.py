"""Save → reopen → the same figures; changed rules side by side; expiry; wrong tokens; API."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import override_settings
from django.utils import timezone
from jsonschema import Draft202012Validator

from calculator.api.views import OPENAPI_PATH
from calculator.enquiries import services
from calculator.enquiries.models import Enquiry
from tests.enquiries.conftest import QUERY, REQUEST, api_save, save_via_page

pytestmark = [pytest.mark.db, pytest.mark.django_db]
OPENAPI = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))


def _schema(name: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": OPENAPI["components"]})


def _html(response) -> str:
    return response.content.decode()


# --- the calculator page offers saving -----------------------------------------------------------


def test_results_offer_save_and_downloads(web):
    html = _html(web.get("/?" + QUERY))
    assert "保存并生成链接" in html and "下载 CSV" in html and "下载 Excel" in html
    assert 'action="/e/save/"' in html and "csrfmiddlewaretoken" in html


def test_save_then_reopen_shows_the_same_figures(web):
    calculated = web.get("/?" + QUERY)
    token = save_via_page(web)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
    enquiry = Enquiry.objects.get(token=token)
    assert enquiry.result["totals"] == {
        "total": "1300.00", "fund_paid": "794.00", "member_paid": "506.00", "account_paid": "0.00", "cash_paid": "506.00",
    }
    assert enquiry.inputs["visits"][0] == {"date": "2024-03-01", "level": 3, "setting": "clinic", "total": "1000.00", "class_b": "200.00"}
    assert [r["id"] for r in enquiry.rules] == ["wuhan-2023-04"]
    assert re.fullmatch(r"[0-9a-f]{64}", enquiry.rules[0]["sha256"])
    assert enquiry.rules[0]["path"] == "wuhan/2023-04-10.yaml"

    page = web.get(f"/e/{token}/?saved=1")
    assert page.status_code == 200
    html = _html(page)
    assert "查询链接" in html and "复制链接" in html and f"http://localhost/e/{token}/" in html
    assert "保存以后" not in html  # nothing changed
    # The figures on the saved page are the calculator's figures.
    figures = lambda text: re.findall(r'data-figure="(\w+)"[^>]*>(.*?)<', text)  # noqa: E731
    assert figures(html) == figures(_html(calculated))
    assert "794" in html


def test_the_page_says_how_long_the_link_works(web):
    token = save_via_page(web)
    html = _html(web.get(f"/e/{token}/"))
    expires = (timezone.localdate() + dt.timedelta(days=180)).isoformat()
    assert f"此链接保存 180 天，到 <strong>{expires}</strong> 为止有效" in html
    # Just saved, the confirmation no longer says "随时" (any time) a line above the expiry.
    saved = _html(web.get(f"/e/{token}/?saved=1"))
    assert "<strong>已保存。</strong>用下面的链接可以重新打开这次估算，有效期见链接下方。" in saved and "随时" not in saved


@override_settings(ENQUIRY_RETENTION_DAYS=30)
def test_retention_is_configurable(web):
    token = save_via_page(web)
    enquiry = Enquiry.objects.get(token=token)
    assert enquiry.expires_on == timezone.localdate(enquiry.created_at + dt.timedelta(days=30))
    assert "此链接保存 30 天" in _html(web.get(f"/e/{token}/"))


@pytest.mark.django_db
def test_a_link_works_through_the_whole_of_its_last_day(settings):
    # Saved 2026-12-01 10:28 Beijing time, kept 180 days: "到 2027-05-30 为止有效" holds until
    # 2027-05-30 23:59:59 local (audit: it ended at 10:28 that day).
    import zoneinfo
    from unittest import mock

    from calculator.enquiries import services

    saved_at = dt.datetime(2026, 12, 1, 10, 28, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with mock.patch("django.utils.timezone.now", return_value=saved_at):
        enquiry = services.save_enquiry({"region": "wuhan"}, {"rules": []})
    assert enquiry.expires_on == dt.date(2027, 5, 30)
    local = timezone.localtime(enquiry.expires_at)
    assert (local.date(), local.time()) == (dt.date(2027, 5, 31), dt.time(0, 0))
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2027, 5, 30, 23, 59, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))):
        assert not enquiry.is_expired and services.find_enquiry(enquiry.token) is not None
    with mock.patch("django.utils.timezone.now", return_value=dt.datetime(2027, 5, 31, 0, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))):
        assert enquiry.is_expired and services.find_enquiry(enquiry.token) is None


def test_tokens_are_random_and_never_sequential(web):
    tokens = [save_via_page(web) for _ in range(5)]
    assert len(set(tokens)) == 5
    assert all(len(t) >= 22 for t in tokens)  # ≥ 128 bits in URL-safe base64
    assert sorted(tokens) != tokens or len({t[:4] for t in tokens}) == 5


@pytest.mark.parametrize(
    "path",
    [
        "/e/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/",
        "/e/short/",
        "/e/" + "x" * 150 + "/",
        "/e/1/",
        "/e/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/print/",
        "/e/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/qr.svg",
        "/e/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/ledger.csv",
    ],
)
def test_a_wrong_token_is_a_plain_404(web, path):
    save_via_page(web)
    response = web.get(path)
    assert response.status_code == 404
    assert "找不到这个页面" in _html(response)


def test_an_expired_link_is_404_and_the_command_deletes_it(web):
    old, live = save_via_page(web), save_via_page(web)
    Enquiry.objects.filter(token=old).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = web.get(f"/e/{old}/")
    assert expired.status_code == 404
    # The page says what happens to saved links (deleted after the retention period), not
    # "地址可能输错了" alone.
    assert "保存的计算在 180 天后自动删除，这个链接可能已经过期" in _html(expired)
    assert "地址可能输错了" not in _html(expired)
    assert web.get(f"/api/v1/enquiries/{old}").status_code == 404
    assert web.get(f"/e/{live}/").status_code == 200
    from io import StringIO

    out = StringIO()
    call_command("delete_expired_enquiries", "--dry-run", stdout=out)
    assert "有 1 条" in out.getvalue() and Enquiry.objects.count() == 2
    out = StringIO()
    call_command("delete_expired_enquiries", stdout=out)
    assert "已删除 1 条" in out.getvalue()
    assert list(Enquiry.objects.values_list("token", flat=True)) == [live]


def test_saving_deletes_expired_links_at_most_once_an_hour(web, monkeypatch):
    # The saved page promises deletion after the retention period: a site where nobody scheduled
    # delete_expired_enquiries still deletes expired enquiries, when someone saves (at most once
    # an hour per process), and keeps the live ones.
    old, live = save_via_page(web), save_via_page(web)
    Enquiry.objects.filter(token=old).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    monkeypatch.setattr(services, "_last_sweep", None)
    third = save_via_page(web)
    assert set(Enquiry.objects.values_list("token", flat=True)) == {live, third}
    # Within the hour another expired one waits for the next sweep (or the daily command).
    Enquiry.objects.filter(token=live).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    save_via_page(web)
    assert Enquiry.objects.filter(token=live).exists()


# --- rules changed since saving ------------------------------------------------------------------


def test_a_new_rule_version_shows_saved_and_today_side_by_side(web, new_wuhan_version):
    token = save_via_page(web)
    new_wuhan_version()
    html = _html(web.get(f"/e/{token}/"))
    top = html.index("保存以后，计算用到的规定有变化")
    assert top < html.index("查询链接") < html.index("保存的填写内容")
    assert "第 1、2 次就诊现在适用新的规定版本《武汉市测试用新规定（2024）》" in html
    diffs = html[html.index('id="compare-differences"'):]
    diffs = diffs[: diffs.index("</table>")]
    # 三级 在职 65 % of 980 = 637.00 instead of 539.00; the pharmacy visit (一级 85 %) is unchanged.
    row = re.search(r'data-figure="visits\[0\]\.fund_paid">(.*?)</tr>', diffs, re.S).group(1)
    assert "第 1 次就诊（2024-03-01）· 统筹基金支付" in row
    assert "539.00 元" in row and "637.00 元" in row and "武汉市测试用新规定（2024）" in row
    assert 'data-figure="totals.fund_paid"' in diffs
    assert 'data-figure="visits[1].fund_paid"' not in diffs
    # The saved figures are the stored ones, not recomputed.
    assert Enquiry.objects.get(token=token).result["totals"]["fund_paid"] == "794.00"
    totals = html[html.index('id="compare-totals"'):]
    assert "794.00 元" in totals and "892.00 元" in totals


def test_a_changed_data_file_of_the_same_version_is_named(web, changed_wuhan_data):
    token = save_via_page(web)
    changed_wuhan_data()
    html = _html(web.get(f"/e/{token}/"))
    assert "规定《武汉市职工医保普通门诊统筹优化方案（据转载）》的数据（比例、标准或条文）在保存后有更新" in html
    assert 'data-figure="visits[0].fund_paid"' in html


def test_the_api_lists_the_differences(web, new_wuhan_version):
    token = api_save(web).json()["token"]
    new_wuhan_version()
    body = web.get(f"/api/v1/enquiries/{token}").json()
    assert body["changed"] is True
    assert body["rule_changes"][0]["kind"] == "new_version"
    assert body["rule_changes"][0]["new_rule_id"] == "wuhan-2024-test"
    fund = [d for d in body["differences"] if d["figure"] == "visits[0].fund_paid"][0]
    assert (fund["saved"], fund["today"]) == ("539.00", "637.00")
    assert body["saved_result"]["totals"]["fund_paid"] == "794.00"
    assert body["today_result"]["totals"]["fund_paid"] == "892.00"
    assert not list(_schema("EnquiryResponse").iter_errors(body))


def test_a_changed_cap_room_or_account_credit_is_named_not_said_unchanged(web):
    # 武汉, retired: 三级 1000 with 乙类 200 → (1000 − 20) × 65% = 637.00; pharmacy 一级 300 ×
    # 90% = 270.00; the 2024 cap 4,500 − 907 = 3,593.00 left; the account 83 × 12 = 996.00.
    # A rule that only raised the cap or the credit would move those figures and no payment:
    # imitated by changing what was saved, the page and the API name them (audit: they said
    # "各项数字没有变化").
    body = {**REQUEST, "status": "retired", "age": 66, "retired_on": "2015-06-30"}
    token = api_save(web, body).json()["token"]
    enquiry = Enquiry.objects.get(token=token)
    result = enquiry.result
    assert (result["years"][0]["cap_remaining"], result["personal_account"]["annual_allocation"]) == ("3593.00", "996.00")
    result["years"][0]["cap_remaining"] = "3093.00"
    result["personal_account"].update(annual_allocation="1200.00", monthly_allocation="100.00")
    enquiry.result = result
    enquiry.save()
    html = _html(web.get(f"/e/{token}/"))
    assert "各项数字没有变化" not in html
    for figure in ("years[2024].cap_remaining", "personal_account.annual_allocation", "personal_account.monthly_allocation"):
        assert f'data-figure="{figure}"' in html
    assert "2024年度 · 年度限额尚余" in html
    api = web.get(f"/api/v1/enquiries/{token}").json()
    changed = {d["figure"]: (d["saved"], d["today"]) for d in api["differences"]}
    assert changed == {
        "years[2024].cap_remaining": ("3093.00", "3593.00"),
        "personal_account.annual_allocation": ("1200.00", "996.00"),
        "personal_account.monthly_allocation": ("100.00", "83.00"),
    }
    assert not list(_schema("EnquiryResponse").iter_errors(api))
    # In English the API's labels are plain English, without the pages' Chinese glosses.
    english = web.get(f"/api/v1/enquiries/{token}", HTTP_ACCEPT_LANGUAGE="en").json()
    labels = [d["label"] for d in english["differences"]]
    assert labels == ["2024 benefit year · Annual cap left", "Personal-account credit for the year", "Personal-account credit a month"]


def test_shanghais_saved_balances_are_named_by_their_accounts(web):
    # 上海 keeps a 当年账户 (paid first) and a 历年账户: the saved inputs name both, not the
    # first as a plain 个人账户余额 (audit); 武汉 has one account, named as such.
    body = {"region": "shanghai", "status": "retired", "age": 70, "retired_on": "2005-06-30",
            "account_balance": "100.00", "prior_years_balance": "500.00",
            "visits": [{"date": "2024-03-01", "level": 3, "total": "1200.00"}]}
    html = _html(web.get(f"/e/{api_save(web, body).json()['token']}/"))
    assert "当年账户余额" in html and "历年账户余额" in html and "个人账户余额" not in html
    html = _html(web.get(f"/e/{api_save(web, {**REQUEST, 'account_balance': '300.00'}).json()['token']}/"))
    assert "个人账户余额" in html and "当年账户余额" not in html


# --- the API ---------------------------------------------------------------------------------------


def test_api_save_answers_201_and_fetch_returns_it(web):
    response = api_save(web)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "url", "expires_on", "result"}
    assert body["url"] == f"http://localhost/e/{body['token']}/"
    assert body["expires_on"] == (timezone.localdate() + dt.timedelta(days=180)).isoformat()
    assert body["result"]["totals"]["fund_paid"] == "794.00"
    assert not list(_schema("EnquiryCreated").iter_errors(body))

    fetched = web.get(f"/api/v1/enquiries/{body['token']}")
    assert fetched.status_code == 200
    got = fetched.json()
    assert got["inputs"]["visits"][0]["total"] == "1000.00"
    assert got["saved_result"] == body["result"]
    assert got["today_result"]["totals"] == body["result"]["totals"]
    assert got["differences"] == [] and got["changed"] is False
    assert not list(_schema("EnquiryResponse").iter_errors(got))
    # The same enquiry opens on the page.
    assert web.get(f"/e/{body['token']}/").status_code == 200


def test_api_refuses_bad_requests_without_saving(web):
    bad = web.post("/api/v1/enquiries", json.dumps({"region": "x"}), content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"]
    assert not list(_schema("ErrorResponse").iter_errors(bad.json()))
    assert web.post("/api/v1/enquiries", "{", content_type="application/json").status_code == 400
    assert web.post("/api/v1/enquiries", "a=1", content_type="text/plain").status_code == 415
    assert web.get("/api/v1/enquiries").status_code == 405
    assert web.delete("/api/v1/enquiries/AAAAAAAAAAAAAAAAAAAAAAAA").status_code == 405
    missing = web.get("/api/v1/enquiries/AAAAAAAAAAAAAAAAAAAAAAAA")
    assert missing.status_code == 404 and missing.json()["errors"][0]["field"] == "token"
    assert Enquiry.objects.count() == 0


# --- failures ----------------------------------------------------------------------------------------


def test_with_the_database_down_saving_is_503_and_the_calculator_works(web, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(Enquiry, "save", down)
    monkeypatch.setattr(Enquiry.objects, "filter", down)
    page = web.post("/e/save/", {"q": QUERY})
    assert page.status_code == 503
    assert "数据库暂时不可用" in _html(page) and "计算器本身可以照常使用" in _html(page)
    api = api_save(web)
    assert api.status_code == 503 and "数据库暂时不可用" in api.json()["errors"][0]["message"]
    assert web.get("/e/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/").status_code == 503
    assert web.get("/api/v1/enquiries/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status_code == 503
    assert web.get("/?" + QUERY).status_code == 200
    assert web.post("/api/v1/calculate", json.dumps(REQUEST), content_type="application/json").status_code == 200


def test_a_database_that_could_not_be_reached_is_left_alone_for_a_while(web, monkeypatch, settings):
    # A database that drops connections costs each try the connect timeout, holding a worker:
    # after one failed connection, saving, reopening and /healthz answer "unavailable" at once
    # for DB_RETRY_SECONDS, then try again (calculator.ops.dbguard).
    from django.db import connections

    tries = []

    def unreachable():
        tries.append(1)
        raise OperationalError("connection timed out")

    monkeypatch.setattr(connections["default"], "ensure_connection", unreachable)
    assert api_save(web).status_code == 503
    assert api_save(web).status_code == 503 and web.post("/e/save/", {"q": QUERY}).status_code == 503
    assert web.get("/e/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/").status_code == 503
    health = web.get("/healthz")
    assert health.status_code == 503 and health.json()["database"]["status"] == "unavailable"
    assert len(tries) == 1  # the later requests did not try
    assert web.post("/api/v1/calculate", json.dumps(REQUEST), content_type="application/json").status_code == 200
    # The retry period over (here: none), the next request tries again.
    settings.DB_RETRY_SECONDS = 0
    from calculator.ops import dbguard

    dbguard.reset()
    assert api_save(web).status_code == 503 and len(tries) == 2
    monkeypatch.undo()
    assert web.get("/healthz").status_code == 200 and api_save(web).status_code == 201


def test_a_failed_query_on_an_open_connection_does_not_stop_the_next_save(web, monkeypatch):
    # Two saves in conflict, a query refused: the database answered, so the next request tries.
    def refused(*args, **kwargs):
        raise OperationalError("could not serialize access")

    monkeypatch.setattr(Enquiry, "save", refused)
    assert api_save(web).status_code == 503
    monkeypatch.undo()
    assert api_save(web).status_code == 201


def test_a_token_collision_is_retried(web, monkeypatch):
    first = save_via_page(web)
    tokens = iter([first, first, "B" * 32])
    monkeypatch.setattr(services, "new_token", lambda: next(tokens))
    second = save_via_page(web)
    assert second == "B" * 32 and Enquiry.objects.count() == 2


def test_saving_needs_the_csrf_token(csrf_client):
    assert csrf_client.post("/e/save/", {"q": QUERY}).status_code == 403
    page = csrf_client.get("/?" + QUERY)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _html(page)).group(1)
    assert csrf_client.post("/e/save/", {"q": QUERY, "csrfmiddlewaretoken": token}).status_code == 302


@pytest.mark.parametrize("q", ["", "region=nowhere&age=x", "visits-0-total=abc", "%ff%fe=\x00", "region=wuhan&" + "visits-0-date=2024-01-01&" * 3])
def test_bad_inputs_to_save_go_back_to_the_form_never_500(web, q):
    response = web.post("/e/save/", {"q": q})
    assert response.status_code == 302 and response["Location"].startswith("/")
    assert Enquiry.objects.count() == 0


@override_settings(RATELIMIT_ENABLED=True, ENQUIRY_RATELIMIT=(2, 60))
def test_saving_is_rate_limited(web):
    from django.core.cache import cache

    cache.clear()
    assert web.post("/e/save/", {"q": QUERY}).status_code == 302
    assert web.post("/e/save/", {"q": QUERY}).status_code == 302
    third = web.post("/e/save/", {"q": QUERY})
    assert third.status_code == 429 and third["Retry-After"]
    cache.clear()


@override_settings(RATELIMIT_ENABLED=True, ENQUIRY_RATELIMIT=(3, 60))
def test_reopening_printing_exporting_and_the_api_save_share_the_enquiry_limit(web):
    # Each of these recomputes today's figures or writes to the database: one count for all.
    from django.core.cache import cache

    cache.clear()
    token = save_via_page(web)  # 1
    assert web.get(f"/e/{token}/").status_code == 200  # 2
    assert web.get(f"/e/{token}/ledger.csv").status_code == 200  # 3
    for path in (f"/e/{token}/", f"/e/{token}/print/", f"/e/{token}/ledger.xlsx", f"/e/{token}/qr.svg"):
        refused = web.get(path)
        assert refused.status_code == 429 and refused["Retry-After"], path
    api = api_save(web)
    assert api.status_code == 429 and api["Content-Type"].startswith("application/json")
    assert api.json()["errors"][0]["message"]
    assert web.get(f"/api/v1/enquiries/{token}").status_code == 429  # recomputes like the page
    cache.clear()


def test_no_figures_in_the_log(web, caplog):
    # A figure no duration or request id would contain by chance (4321 could: "43.21 ms").
    query = QUERY.replace("total=1000", "total=98765.43")
    with caplog.at_level(logging.DEBUG):
        token = save_via_page(web, query)
        web.get(f"/e/{token}/")
        web.get(f"/e/{token}/print/")
        api_save(web, {**REQUEST, "age": 77})
    text = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "98765" not in text and token not in text.replace(f"/e/{token}/", "")


# --- print and QR ------------------------------------------------------------------------------------


def test_print_page_has_everything_on_one_sheet(web):
    token = save_via_page(web)
    response = web.get(f"/e/{token}/print/")
    assert response.status_code == 200
    html = _html(response)
    assert "size: A4" in (OPENAPI_PATH.parents[1] / "enquiries" / "static" / "enquiries" / "print.css").read_text()
    assert f'src="/e/{token}/qr.svg"' in html
    assert "这 2 次门诊医疗费总额 1,300.00 元，统筹基金支付 794.00 元，个人负担 506.00 元" in html
    # No balance was entered: the account's 0.00 is said to be the blank, as the results page says.
    assert "个人现金支付 506.00 元）。未填个人账户余额，按现金计算。" in html
    assert "参保地区：武汉市" in html and "年龄：45 岁" in html
    assert "武汉市职工医保普通门诊统筹优化方案（据转载）" in html and "转载（非官方）" in html
    assert f"http://localhost/e/{token}/" in html
    assert "打印日期：" + timezone.localdate().isoformat() in html
    assert "2024-03-01" in html and "539.00" in html and "合计" in html
    assert "style=" not in html and "<script" not in html
    # The printed ledger is in date order without visit numbers: a notice names its visits' dates.
    notices = html[html.index('class="notices-print"'):]
    notices = notices[:notices.index("</ol>")]
    assert "（涉及 2024-03-01、2024-04-01 的就诊）" in notices
    assert "第 1 次就诊" not in notices
    # The inputs include each visit's 乙类 amount (audit: 先行自付 20.00 printed, the 200 it
    # came from nowhere): a column after 全自费; 200 × 10 % = 20.00 先行自付 beside it.
    ledger = html[html.index('id="print-ledger"'):]
    headers = re.findall(r'<th scope="col">(.*?)</th>', ledger[: ledger.index("</thead>")])
    assert headers[4:7] == ["全自费", "乙类金额", "先行自付"]
    first = re.findall(r"<td[^>]*>(.*?)</td>", ledger[ledger.index("<tbody>"):].split("</tr>")[0])
    assert (first[0], first[5], first[6]) == ("2024-03-01", "200.00", "20.00")
    second = re.findall(r"<td[^>]*>(.*?)</td>", ledger[ledger.index("<tbody>"):].split("</tr>")[1])
    assert (second[0], second[5]) == ("2024-04-01", "")


def test_print_page_says_when_an_official_rule_cites_re_posted_passages(web):
    # 上海's rules are official, but its 医保年度 and overall cap are read from re-posts: the
    # source column says so, as the results page's opening does.
    query = (
        "region=shanghai&status=employed&age=45&visits-0-date=2024-09-01&visits-0-level=3"
        "&visits-0-setting=clinic&visits-0-total=1000"
    )
    html = _html(web.get(f"/e/{save_via_page(web, query)}/print/"))
    rules = html[html.index('id="print-rules"'):]
    rules = rules[:rules.index("</table>")]
    assert "官方原文（部分条文引自转载）" in rules
    # 武汉's re-posted 优化方案 is said as a re-post, its official 细则 as official.
    html = _html(web.get(f"/e/{save_via_page(web)}/print/"))
    rules = html[html.index('id="print-rules"'):]
    assert "转载（非官方）" in rules[:rules.index("</table>")]


def test_a_printed_notice_about_many_visits_names_the_first_dates_and_the_count():
    from calculator.enquiries.views import _notice_dates

    result = {"visits": [{"index": i, "date": f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}"} for i in range(12)]}
    # Visits numbered 1–12 (index + 1), listed out of order: dates come sorted, the first 8 named.
    text = _notice_dates(result, [12, 3, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11])
    assert text == "（涉及 2024-01-01、2024-01-02、2024-01-03、2024-01-04、2024-01-05、2024-01-06、2024-01-07、2024-01-08 等 12 次就诊）"
    assert _notice_dates(result, []) == ""


def test_qr_code_is_an_svg_of_the_link(web):
    token = save_via_page(web)
    response = web.get(f"/e/{token}/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith("<svg") and "<path" in svg and "style=" not in svg and "<script" not in svg
    import segno

    expected = segno.make(f"http://localhost/e/{token}/", error="m")
    assert f'width="{(expected.symbol_size(scale=4, border=2)[0])}"' in svg


def test_a_chronic_disease_count_of_one_is_kept(client):
    # 玉溪 细则第十条: one disease → cap 3000. Given as 1, it stays given: reopening must not add
    # "未填写慢性病病种数" to a calculation where the member filled it in.
    body = {"region": "yuxi", "status": "employed", "age": 50, "chronic_disease_count": 1,
            "visits": [{"date": "2024-03-01", "level": 2, "total": "5000.00", "category": "chronic"}]}
    saved = api_save(client, body)
    assert saved.status_code == 201, saved.content
    token = saved.json()["token"]
    found = client.get(f"/api/v1/enquiries/{token}").json()
    assert found["inputs"]["chronic_disease_count"] == 1
    codes = [w["code"] for w in found["today_result"]["warnings"]]
    assert "chronic-count-assumed" not in codes
    assert [w["code"] for w in found["saved_result"]["warnings"]] == codes


def test_the_answer_names_whose_rules_only_when_every_visit_was_under_them(web):
    # 武汉, retired 2024-05-15 → retiree rules from 2024-06-01 (第七条): the March visit is an
    # employee's, the July one a retiree's. The print's sentence names neither group.
    from tests.enquiries.conftest import save_via_page

    mixed = ("region=wuhan&status=retired&age=60&retired_on=2024-05-15"
             "&visits-0-date=2024-03-01&visits-0-level=3&visits-0-setting=clinic&visits-0-total=1000"
             "&visits-1-date=2024-07-01&visits-1-level=3&visits-1-setting=clinic&visits-1-total=1000")
    html = web.get(f"/e/{save_via_page(web, mixed)}/print/").content.decode()
    assert "按武汉市的规定估算，这 2 次门诊" in html and "退休人员的规定估算" not in html
    retired = mixed.replace("visits-0-date=2024-03-01", "visits-0-date=2024-06-03")
    html = web.get(f"/e/{save_via_page(web, retired)}/print/").content.decode()
    assert "按武汉市退休人员的规定估算，这 2 次门诊" in html


def test_the_reopened_page_shows_the_result_before_what_was_entered(web):
    from tests.enquiries.conftest import save_via_page

    html = web.get(f"/e/{save_via_page(web)}/").content.decode()
    assert html.index('id="results"') < html.index('id="enquiry-inputs-title"')
    assert html.index('id="enquiry-link"') < html.index('id="results"')


def test_a_data_file_change_that_says_nothing_new_is_not_a_rule_change(web, monkeypatch, tmp_path):
    # A comment added, or the version's end date set because a newer version follows it (none
    # of the saved visits under it): the figures it gives are the same, and the reopened link
    # does not say its rules changed (it compared the whole file's bytes).
    import dataclasses

    from calculator.enquiries import services
    from calculator.rules.loader import DATA_DIR
    from tests.enquiries.conftest import _patch_wuhan

    token = save_via_page(web)
    data = tmp_path / "2023-04-10.yaml"
    text = (DATA_DIR / "wuhan" / "2023-04-10.yaml").read_text(encoding="utf-8")
    data.write_text("# a comment\n" + text.replace("effective_from: 2023-04-10", "effective_from: 2023-04-10\neffective_to: 2099-12-31"), encoding="utf-8")

    def versions(old):
        first, second = old
        return [first, dataclasses.replace(second, path=str(data))]

    _patch_wuhan(monkeypatch, versions)
    html = _html(web.get(f"/e/{token}/"))
    assert "在保存后有更新" not in html and "保存以后，计算用到的规定有变化" not in html
    assert services.data_content_hash(str(data)) == services.data_content_hash("wuhan/2023-04-10.yaml")


def test_the_print_page_says_how_to_print_on_a_phone_too(web):
    # A phone has no Ctrl+P: the on-screen line names the browser's menu (and Ctrl+P for computers);
    # it is not printed (screen-only).
    token = save_via_page(web)
    html = _html(web.get(f"/e/{token}/print/"))
    nav = html[html.index('<nav class="screen-only"'):]
    nav = nav[: nav.index("</nav>")]
    assert "用浏览器菜单里的“打印”打印本页（手机在“分享”或菜单中，电脑可按 Ctrl+P），纸张 A4。" in nav


@pytest.mark.parametrize("token", ["bad!tok", "a" * 101, "abc."])
def test_a_malformed_token_gets_the_apis_own_404(web, token):
    # Not the site's 404 for an unknown address: the answer for a token that is no saved link.
    answer = web.get(f"/api/v1/enquiries/{token}")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("application/json")
    assert answer.json() == {"errors": [{"field": "token", "message": "没有这个查询链接，或它已过期。"}]}


def test_a_saved_age_is_counted_on_the_day_it_was_saved():
    # 云南 第九条: retirees under 70 get 106 a month, 70 and over 142. Saved on 2026-11-30 by a
    # member aged 72 that day, with a visit in 2025: in 2025 they were 70–72 (142 × 12 = 1,704.00).
    # Reopened later (here: an enquiry saved before the inputs carried the day), the age is still
    # counted on the day it was saved, not on the day it is reopened (on 2027-01-01 the member would
    # otherwise seem 69–71 in 2025 and get no figure).
    inputs = {"region": "yunnan", "status": "retired", "age": 72, "retired_on": "2015-01-01",
              "visits": [{"date": "2025-03-20", "level": 1, "total": "100.00"}]}
    saved = services.save_enquiry(inputs, {"totals": {}}, source="api")
    assert saved.inputs["age_on"] == dt.date.today().isoformat()
    older = Enquiry(token="x" * 32, created_at=timezone.make_aware(dt.datetime(2026, 11, 30, 12)),
                    expires_at=timezone.now(), inputs=inputs, result={}, rules=[], source="api")
    assert services.dated_inputs(older)["age_on"] == "2026-11-30"
    today, errors = services.recompute(services.dated_inputs(older))
    assert not errors and today["personal_account"]["annual_allocation"] == "1704.00"


@pytest.mark.django_db(transaction=True)
def test_links_saved_before_the_whole_day_rule_are_moved_to_the_midnight_after_their_last_day():
    # Migration 0002: a link saved 2026-11-30 10:28 (Beijing) that ended 2027-05-29 10:28 now ends
    # 2027-05-30 00:00, so "到 2027-05-29 为止有效" holds all day; one already at midnight is kept.
    import importlib
    import zoneinfo

    from django.apps import apps

    migration = importlib.import_module("calculator.enquiries.migrations.0002_links_work_through_their_last_day")
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    old = Enquiry.objects.create(token="o" * 32, created_at=timezone.now(), expires_at=dt.datetime(2027, 5, 29, 10, 28, tzinfo=shanghai),
                                 inputs={}, result={}, rules=[], source="web")
    new = Enquiry.objects.create(token="n" * 32, created_at=timezone.now(), expires_at=dt.datetime(2027, 5, 31, 0, 0, tzinfo=shanghai),
                                 inputs={}, result={}, rules=[], source="web")
    migration.to_midnight(apps, None)
    old.refresh_from_db()
    new.refresh_from_db()
    assert timezone.localtime(old.expires_at) == dt.datetime(2027, 5, 30, 0, 0, tzinfo=shanghai)
    assert old.expires_on == dt.date(2027, 5, 29)
    assert timezone.localtime(new.expires_at) == dt.datetime(2027, 5, 31, 0, 0, tzinfo=shanghai)


def test_a_printed_row_says_the_options_its_figures_depend_on(web):
    # Options change the figures (山西's price class and hospital-stay rule, off-site care,
    # 玉溪's 门诊慢性病 pool): a printed row without them could not be checked against the sheet.
    # Entered out of date order: the print's rows are in date order, each with its own options.
    shanxi = (
        "region=shanxi&status=employed&age=45"
        "&visits-0-date=2024-05-01&visits-0-level=2&visits-0-setting=clinic&visits-0-total=300"
        "&visits-1-date=2024-03-01&visits-1-level=3&visits-1-setting=clinic&visits-1-total=1000"
        "&visits-1-price_class=1&visits-1-offsite=filed"
        "&visits-2-date=2024-04-01&visits-2-level=2&visits-2-setting=clinic&visits-2-total=300"
        "&visits-2-inpatient_stay=on"
    )
    html = _html(web.get(f"/e/{save_via_page(web, shanxi)}/print/"))
    body = html[html.index('id="print-ledger"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in body.split("</tr>")[:3]]
    assert [c[0] for c in cells] == ["2024-03-01", "2024-04-01", "2024-05-01"]
    types = [c[2] for c in cells]
    # Each option kept whole, the cell breaking between them (print.css), not widening the column.
    assert types == [
        '<span class="type">门诊</span> <span class="option">异地已备案</span> <span class="option">一类收费</span>',
        '<span class="type">门诊</span> <span class="option">住院期间</span>',
        "门诊",
    ]

    yuxi = (
        "region=yuxi&status=employed&age=45&chronic_disease_count=1"
        "&visits-0-date=2024-03-01&visits-0-level=2&visits-0-setting=clinic&visits-0-total=500&visits-0-chronic=on"
    )
    html = _html(web.get(f"/e/{save_via_page(web, yuxi)}/print/"))
    body = html[html.index('id="print-ledger"'):]
    row = body[body.index("<tbody>"):].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>(.*?)</td>", row)[2] == '<span class="type">门诊</span> <span class="option">门诊慢性病</span>'
