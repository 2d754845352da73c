"""CSV and Excel: export (BOM, headers, numbers), the template, import (good and bad files),
the Excel round trip, and the command line's --csv and --format."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from html import unescape
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from calculator.enquiries import ledger_io
from tests.enquiries.conftest import QUERY, save_via_page

pytestmark = [pytest.mark.db, pytest.mark.django_db]
REPO = Path(__file__).resolve().parents[2]
# The files' ledger: the printed ledger's columns in issue 8's order (就诊日期 … 依据), then the
# inputs it does not show (乙类金额, the visit's options), so that a downloaded file imports back.
HEADERS = ["就诊日期", "医疗机构级别", "就诊类型", "医疗费总额", "全自费", "先行自付", "符合政策范围金额",
           "起付标准（本次）", "统筹基金支付", "个人账户支付", "个人现金支付", "依据", "乙类金额", "异地就医", "住院期间", "门诊慢性病", "收费类别"]
FUND = HEADERS.index("统筹基金支付")
TEMPLATE = ["就诊日期", "医疗机构级别", "就诊类型", "费用总额", "自费金额", "乙类金额", "异地就医", "住院期间", "门诊慢性病", "收费类别"]


def _csv(text: str, name: str = "visits.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _import(client, upload, **carry):
    return client.post("/e/import/", {"file": upload, **carry})


def _rows(html: str) -> list[dict[str, str]]:
    """The visit rows the calculator page shows (value of each text/select field)."""
    rows: dict[int, dict[str, str]] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        match = re.search(r'name="visits-(\d+)-(date|total|excluded|class_b)"', tag)
        if match:
            value = re.search(r'value="([^"]*)"', tag)
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = value.group(1) if value else ""
    for i, name, body in re.findall(r'<select name="visits-(\d+)-(level|setting)"[^>]*>(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        rows.setdefault(int(i), {})[name] = selected.group(1) if selected else ""
    return [rows[i] for i in sorted(rows)]


# --- export --------------------------------------------------------------------------------------------


def test_csv_export_opens_with_the_bom_and_has_the_slip_headers(web):
    response = web.get("/e/ledger.csv?" + QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="menzhen-mingxi-')
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    # Issue 8's columns first (先行自付 20.00: 10 % of the 乙类 200.00), then 乙类金额 200.00.
    assert rows[1][:11] == ["2024-03-01", "三级", "门诊", "1000.00", "0.00", "20.00", "1000.00", "0.00", "539.00", "0.00", "461.00"]
    assert rows[1][12] == "200.00"
    assert rows[1][13:] == ["", "", "", ""]  # 在参保地就医, not 住院期间, 普通门诊, class by level
    assert rows[2][:3] == ["2024-04-01", "一级及以下", "药店"] and rows[2][12] == "0.00" and rows[2][FUND] == "255.00"  # no 乙类: 0.00, as 全自费
    assert "武汉市职工医保普通门诊统筹优化方案" in rows[1][11]
    # 合计: 1000 + 300 = 1300.00; fund 539 + 255 = 794.00; cash 461 + 45 = 506.00; 乙类 200.00
    assert rows[3][0] == "合计" and rows[3][3] == "1300.00" and rows[3][FUND] == "794.00" and rows[3][10] == "506.00" and rows[3][12] == "200.00"
    assert len(rows) == 4


def test_excel_export_has_numbers_as_numbers(web):
    response = web.get("/e/ledger.xlsx?" + QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == ledger_io.XLSX_MEDIA_TYPE
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    ws = wb["明细"]
    values = list(ws.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS
    assert values[1][0] == dt.datetime(2024, 3, 1)
    assert values[1][3] == 1000 and isinstance(values[1][3], (int, float))
    assert values[1][FUND] == 539 and values[2][FUND] == 255
    assert values[3][0] == "合计" and values[3][FUND] == 794
    assert ws.cell(row=2, column=FUND + 1).data_type == "n" and ws.cell(row=2, column=FUND + 1).number_format == "#,##0.00"
    assert list(next(wb["就诊记录"].iter_rows(values_only=True))) == TEMPLATE


def test_saved_enquiry_exports_today_and_saved_figures(web):
    token = save_via_page(web)
    for suffix in ("", "?figures=saved"):
        csv_rows = list(csv.reader(io.StringIO(web.get(f"/e/{token}/ledger.csv{suffix}").content.decode("utf-8-sig"))))
        assert csv_rows[-1][FUND] == "794.00"
        assert web.get(f"/e/{token}/ledger.xlsx{suffix}").status_code == 200


def test_export_without_a_calculation_is_a_400_page_not_500(web):
    for path in ("/e/ledger.csv", "/e/ledger.xlsx?region=nowhere", "/e/ledger.csv?visits-0-total=abc"):
        response = web.get(path)
        assert response.status_code == 400 and "没有可以导出的结果" in response.content.decode()


# --- template ------------------------------------------------------------------------------------------


def test_templates_have_the_headers_and_one_example_row(web):
    rows = list(csv.reader(io.StringIO(web.get("/e/template.csv").content.decode("utf-8-sig"))))
    assert rows == [TEMPLATE, ["2025-03-01", "三级", "门诊", "1200.00", "100.00", "200.00", "", "", "", ""]]
    wb = openpyxl.load_workbook(io.BytesIO(web.get("/e/template.xlsx").content))
    values = list(wb.active.iter_rows(values_only=True))
    assert list(values[0]) == TEMPLATE and len(values) == 2 and values[1][3] == 1200


def test_the_calculator_page_has_the_import_field(web):
    html = web.get("/").content.decode()
    assert "导入就诊记录（CSV 或 Excel）" in html and ">导入</button>" in html and "下载模板" in html
    form = html[html.index('id="visit-import-form"'):]
    assert 'method="post"' in html[html.index('<form id="visit-import-form"'):][:200]
    assert 'enctype="multipart/form-data"' in html[html.index('<form id="visit-import-form"'):][:300]
    assert "csrfmiddlewaretoken" in form[: form.index("</form>")]


def test_without_javascript_the_import_says_which_person_fields_it_carries(web):
    # The import form is a second form: without JavaScript its hidden person fields hold what
    # the page was drawn with (the last 计算), not what was typed since. The form says so,
    # only where no script runs (<noscript>), in the page's language.
    html = web.get("/?region=wuhan&status=employed&age=45").content.decode()
    form = html[html.index('<form id="visit-import-form"'):]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="region" value="wuhan" data-carry="region">' in form
    hint = re.search(r"<noscript><p class=\"hint\">(.*?)</p></noscript>", form)
    # What to do first (计算), then why: only what the page last sent is carried.
    assert hint and hint.group(1).startswith("浏览器未运行 JavaScript：请先按“计算”，再导入文件。")
    assert "还没提交的参保地区、参保身份、年龄和就诊记录不会保留" in hint.group(1)
    web.cookies["django_language"] = "en"
    english = web.get("/").content.decode()
    assert "press “Calculate” first, then import the file. The import only takes along what the page last sent" in english


# --- import: good files --------------------------------------------------------------------------------


def test_import_a_csv_fills_the_rows_and_keeps_the_person(web):
    text = "就诊日期,医疗机构级别,就诊类型,医疗费总额,全自费金额,乙类金额\n2025/3/1,三级,门诊,1200,100,200\n2025-03-05,1,药店,80.5,,\n\n2025年3月9日,二级,互联网+,\"1,000.00\",,\n"
    response = _import(web, _csv(text), region="wuhan", status="employed", age="45")
    assert response.status_code == 200
    html = response.content.decode()
    assert "已从文件导入" in html and 'data-import-count="3"' in html
    assert _rows(html) == [
        {"date": "2025-03-01", "total": "1200.00", "excluded": "100.00", "class_b": "200.00", "level": "3", "setting": "clinic"},
        {"date": "2025-03-05", "total": "80.50", "excluded": "", "class_b": "", "level": "1", "setting": "pharmacy"},
        {"date": "2025-03-09", "total": "1000.00", "excluded": "", "class_b": "", "level": "2", "setting": "internet"},
    ]
    assert re.search(r'name="age"[^>]*value="45"', html)
    assert "计算结果" not in html  # nothing calculated until 计算
    # The answer says it in the title and takes the focus: the message is far below the top.
    assert "<title>已导入 · 门诊共济报销计算器</title>" in html
    assert re.search(r'<div class="import-feedback import-ok"[^>]*tabindex="-1" autofocus>', html)


def test_import_gbk_csv_and_tab_separated(web):
    # Headed with the names the template used before it took the slip's terms (费用总额,
    # 自费金额): files made from the old template still import.
    text = "就诊日期\t医疗机构级别\t就诊类型\t费用总额\t自费金额\n2025-03-01\t一级\t门诊\t300\t\n"
    html = _import(web, _csv(text, encoding="gb18030")).content.decode()
    assert _rows(html) == [{"date": "2025-03-01", "total": "300.00", "excluded": "", "class_b": "", "level": "1", "setting": "clinic"}]


def test_excel_round_trip_gives_the_same_visits(web):
    query = QUERY + "&visits-1-excluded=20"
    token = save_via_page(web, query)
    original = _rows(web.get("/?" + query).content.decode())
    workbook = web.get(f"/e/{token}/ledger.xlsx").content
    upload = SimpleUploadedFile("mingxi.xlsx", workbook, content_type=ledger_io.XLSX_MEDIA_TYPE)
    imported = _rows(_import(web, upload, region="wuhan", status="employed", age="45").content.decode())
    normal = lambda rows: [{k: (f"{float(v):.2f}" if k in ("total", "excluded", "class_b") and v else v) for k, v in r.items()} for r in rows]  # noqa: E731
    assert normal(imported) == normal(original)
    assert len(imported) == 2 and imported[0]["class_b"] == "200.00" and imported[1]["excluded"] == "20.00"


def test_an_exported_csv_imports_its_visits_back(web):
    exported = web.get("/e/ledger.csv?" + QUERY).content
    html = _import(web, SimpleUploadedFile("mingxi.csv", exported)).content.decode()
    rows = _rows(html)
    assert [(r["date"], r["level"], r["setting"], r["total"]) for r in rows] == [
        ("2024-03-01", "3", "clinic", "1000.00"), ("2024-04-01", "1", "pharmacy", "300.00")]


def test_more_than_50_rows_fill_50_and_say_how_to_compute_all(web):
    text = "就诊日期,医疗机构级别,就诊类型,医疗费总额\n" + "".join(f"2025-01-{1 + i % 28:02d},1,门诊,{10 + i}\n" for i in range(120))
    html = _import(web, _csv(text)).content.decode()
    assert 'data-import-count="120"' in html and len(_rows(html)) == 50
    assert "只填入了前 50 次" in html and "POST /api/v1/calculate" in html and "manage.py calculate --csv" in html
    assert "--status employed|retired" in html and "请网站管理员" in html  # not "在服务器上" to a member
    web.cookies["django_language"] = "en"
    html = _import(web, _csv(text)).content.decode()
    assert "only the first 50 were filled in above" in html and "by the site's administrator" in html


# --- import: bad files ---------------------------------------------------------------------------------

BAD_ROWS = [
    ("2025-03-01,三级,门诊,abc,,", "第 3 行：费用总额必须是金额（元）"),
    ("2025-02-30,三级,门诊,100,,", "第 3 行：就诊日期“2025-02-30”应写成 2025-03-01 或 2025/3/1"),
    ("03/01/2025,三级,门诊,100,,", "第 3 行：就诊日期“03/01/2025”应写成 2025-03-01 或 2025/3/1"),
    (",三级,门诊,100,,", "第 3 行：请填写就诊日期"),
    ("2025-03-01,四级,门诊,100,,", "第 3 行：医疗机构级别“四级”应为 1、2、3 或 一级、二级、三级"),
    ("2025-03-01,三级,住院,100,,", "第 3 行：就诊类型“住院”应为 门诊、药店、互联网+ 或 非定点"),
    ("2025-03-01,三级,门诊,,,", "第 3 行：请填写费用总额"),
    ("2025-03-01,三级,门诊,-5,,", "第 3 行：费用总额不能为负数"),
    ("2025-03-01,三级,门诊,99999999,,", "第 3 行：费用总额不能超过 10,000,000 元"),
    ("2025-03-01,三级,门诊,120 30,,", "第 3 行：费用总额中间有空格：请只填一个金额，例如 1200.50"),
    ("2025-03-01,三级,门诊,100.123,,", "第 3 行：费用总额最多保留两位小数（精确到分）"),
    ("2025-03-01,三级,门诊,100,x,", "第 3 行：自费金额必须是金额（元）"),
    ("2025-03-01,三级,门诊,100,,十元", "第 3 行：乙类金额必须是金额（元）"),
    ("2025-03-01,三级,门诊,100,150,", "第 3 行：自费金额不能大于费用总额"),
    ("2025-03-01,三级,门诊,100,50,60", "第 3 行：乙类金额加自费金额不能大于费用总额"),
]


@pytest.mark.parametrize("line, message", BAD_ROWS, ids=[m.split("：", 1)[1][:12] for _, m in BAD_ROWS])
def test_a_bad_row_is_refused_with_its_line_number_and_nothing_is_imported(web, line, message):
    text = f"就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n2025-03-01,三级,门诊,100,,\n{line}\n2025-03-02,二级,门诊,200,,\n"
    response = _import(web, _csv(text))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "文件没有导入" in html and "一条都没有导入" in html
    assert all(not r.get("date") and not r.get("total") for r in _rows(html))
    # The file field is marked and described by the errors (a screen reader on it hears why).
    field = re.search(r'<input type="file" id="id_import_file"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="import-feedback id_import_file_hint"' in field


def test_a_refused_file_leaves_the_rows_typed_before_as_they_were(web):
    # The rows typed on the page travel with the file (enquiries.js sends them); nothing of the
    # file is imported, so they come back as typed, with the person's fields.
    typed = {
        "region": "xuzhou", "status": "retired", "age": "66", "account_balance": "500",
        "visits-0-date": "2024-01-02", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "77",
    }
    html = _import(web, _csv("就诊日期,医疗费总额\n2025-03-01,abc\n"), **typed).content.decode()
    assert "文件没有导入" in html
    assert _rows(html) == [{"date": "2024-01-02", "total": "77", "excluded": "", "class_b": "", "level": "2", "setting": "clinic"}]
    assert re.search(r'name="age"[^>]*value="66"', html)
    # A file that is imported replaces them, as the field's hint says.
    html = _import(web, _csv("就诊日期,医疗机构级别,医疗费总额\n2025-03-01,三级,100\n"), **typed).content.decode()
    assert [(r["date"], r["total"]) for r in _rows(html)] == [("2025-03-01", "100.00")]


def test_an_amount_cell_is_told_what_is_wrong_with_it_as_the_form_does(web):
    # "100.123" has three decimals; "1,00.00" has a comma that separates no thousands: each is
    # told its own problem (the form's words), not only what an amount looks like.
    text = "就诊日期,医疗费总额\n2025-03-01,100.123\n2025-03-02,\"1,00.00\"\n2025-03-03,十元\n"
    html = _import(web, _csv(text)).content.decode()
    assert "第 2 行：医疗费总额最多保留两位小数（精确到分）。" in html
    assert "第 3 行：医疗费总额里的逗号只能作千位分隔，例如 1,200.50。" in html
    assert "第 4 行：医疗费总额必须是金额（元），例如 1200.00。" in html


def test_every_bad_row_is_listed(web):
    text = "就诊日期,医疗费总额\n2025-03-01,abc\n2025-03-02,100\nxx,\n"
    html = _import(web, _csv(text)).content.decode()
    assert "第 2 行：医疗费总额必须是金额（元）" in html
    assert "第 4 行：就诊日期“xx”应写成 2025-03-01 或 2025/3/1，且是真实存在的日期；请填写医疗费总额。" in html


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "只能导入 CSV 或 Excel（.xlsx）文件"),
        ("report.pdf", b"%PDF-1.4 ...", "只能导入 CSV 或 Excel（.xlsx）文件"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel 文件（.xls）"),
        ("broken.xlsx", b"PK\x03\x04garbage", "无法读取这个 Excel 文件"),
        ("empty.csv", b"", "文件是空的"),
        ("noheader.csv", "2025-03-01,100\n".encode(), "缺少列：就诊日期、费用总额"),
        ("onlyheader.csv", "就诊日期,医疗费总额\n".encode(), "只有表头"),
        ("binary.csv", b"\x00\x01\x02\xff\xfe\x00", "无法读取这个 CSV 文件的文字编码"),
    ],
)
def test_files_that_cannot_be_read_get_a_clear_message(web, name, content, message):
    response = _import(web, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_no_file_chosen(web):
    assert "请先选择要导入的 CSV 或 Excel 文件" in web.post("/e/import/", {}).content.decode()


def test_at_most_1000_rows(web):
    text = "就诊日期,医疗费总额\n" + "2025-03-01,10\n" * 1001
    html = _import(web, _csv(text)).content.decode()
    assert "文件里有 1001 行就诊记录，一次最多导入 1000 行" in html
    ok = _import(web, _csv("就诊日期,医疗费总额\n" + "2025-03-01,10\n" * 1000)).content.decode()
    assert 'data-import-count="1000"' in ok


@override_settings(SITE_MAX_BODY_BYTES=4 * 1_048_576)
def test_at_most_2_mb(web):
    text = "就诊日期,医疗费总额,备注\n" + ("2025-03-01,10," + "x" * 3000 + "\n") * 700
    assert len(text.encode()) > 2 * 1_048_576
    assert "文件太大：最多 2 MB" in _import(web, _csv(text)).content.decode()


def test_a_file_somewhat_over_the_limit_is_refused_next_to_the_field(web):
    # 2.7 MB (audit: anything over 2 MB + 64 KB got a page of its own, losing what was typed):
    # the import reads it and says so beside the file field, on the calculator page.
    text = "就诊日期,医疗费总额,备注\n" + ("2025-03-01,10," + "x" * 3000 + "\n") * 900
    assert 2.5 * 1_048_576 < len(text.encode()) < 4 * 1_048_576
    response = _import(web, _csv(text))
    assert response.status_code == 200
    html = response.content.decode()
    assert "文件太大：最多 2 MB" in html and 'id="calculator-form"' in html


def test_the_import_field_carries_its_limit_for_the_pages_script(web):
    # enquiries.js refuses a file over data-max-bytes before sending it, with this message.
    html = web.get("/").content.decode()
    assert 'data-max-bytes="2097152"' in html
    assert "这个文件太大：最多 2 MB。请分成几个文件导入（上面填写的内容都还在）。" in html


def test_a_file_over_the_upload_limit_gets_the_imports_own_page(web):
    # Over twice the import's limit plus the form (4 MB + 64 KB): refused before the body is
    # read, with the import's words, not "请求体过大".
    text = "就诊日期,医疗费总额,备注\n" + ("2025-03-01,10," + "x" * 3000 + "\n") * 1500
    response = _import(web, _csv(text))
    assert response.status_code == 413
    html = response.content.decode()
    assert "<title>文件太大 · 门诊共济报销计算器</title>" in html and "导入的文件太大：最多 2 MB。" in html
    assert "请把就诊记录分成几个文件分别导入" in html and "请求体" not in html


@override_settings(ENQUIRY_IMPORT_MAX_BYTES=524_288)
def test_a_limit_below_one_mb_is_said_as_it_is(web):
    text = "就诊日期,医疗费总额,备注\n" + ("2025-03-01,10," + "x" * 3000 + "\n") * 200  # ~600 KB
    html = _import(web, _csv(text)).content.decode()
    assert "最多 0.5 MB" in html and "最多 0 MB" not in html


def _workbook(sheet_rows: str, shared: str = "") -> bytes:
    """A minimal .xlsx whose sheet XML holds ``sheet_rows`` (hand-made: openpyxl would not
    write the hostile shapes below)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f"<worksheet {ns}><sheetData>"
        '<row r="1"><c r="A1" t="inlineStr"><is><t>就诊日期</t></is></c><c r="B1" t="inlineStr"><is><t>医疗费总额</t></is></c></row>'
        f"{sheet_rows}</sheetData></worksheet>",
        "xl/sharedStrings.xml": f'<sst {ns} count="1" uniqueCount="1"><si><t>{shared}</t></si></sst>',
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, sheet_rows, shared",
    [
        # 58 rows of 100,000 cells: ~170 KB as a file, ~100 MB of XML (a worker parsed it for a minute).
        ("wide rows", "".join(f'<row r="{i}">' + "<c><v>1</v></c>" * 100_000 + "</row>" for i in range(2, 60)), ""),
        # One shared string of 30 million characters (a worker kept gigabytes after it).
        ("huge shared string", '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', "a" * 30_000_000),
    ],
)
def test_a_workbook_that_unpacks_to_far_more_than_a_visit_list_is_refused_unread(web, name, sheet_rows, shared):
    import time

    workbook = _workbook(sheet_rows, shared)
    assert len(workbook) < 2 * 1_048_576  # small as a file: within the upload limit
    started = time.monotonic()
    html = _import(web, SimpleUploadedFile("bomb.xlsx", workbook, content_type=ledger_io.XLSX_MEDIA_TYPE)).content.decode()
    assert "这个 Excel 文件解压后超过 6 MB" in html
    assert time.monotonic() - started < 5  # refused from the zip's directory, nothing parsed


@pytest.mark.parametrize(
    "name, content",
    [
        # A million blank lines before the header: 1 MB, within the upload limit. Popping them one
        # by one held a worker until gunicorn killed it (30 s, a 500).
        ("blank.csv", b"\n" * 1_000_000 + "就诊日期,费用总额\n2024-03-17,100.00\n".encode()),
        # A 5 KB workbook whose header is at row 1,048,575: the reader pads every row above it
        # (made in the test: _far_workbook is defined below).
        ("far.xlsx", None),
        # 20 visits, then 12,000 formatted empty rows (what Excel writes for a bordered range).
        ("formatted.csv", ("就诊日期,费用总额\n" + "".join(f"2024-03-{d:02d},100.00\n" for d in range(1, 21)) + ",,,,,\n" * 12_000).encode()),
    ],
)
def test_blank_lines_cost_next_to_nothing_and_count_toward_nothing(web, name, content):
    import time

    if content is None:
        content = _far_workbook()
        assert len(content) < 10_000
    started = time.monotonic()
    html = unescape(_import(web, SimpleUploadedFile(name, content)).content.decode())
    assert "已从文件导入" in html, html[-2000:]
    assert time.monotonic() - started < 5
    assert len([r for r in _rows(html) if r.get("total")]) == (20 if name == "formatted.csv" else 1)


def _rewritten(raw: bytes, parts: dict[str, Any]) -> bytes:
    """The workbook ``raw`` with some of its parts rewritten: {part name: bytes → bytes}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename in parts:
                data = parts[item.filename](data)
            target.writestr(item, data)
    return buffer.getvalue()


def _far_workbook() -> bytes:
    """_workbook with its header row moved to row 1,048,575 and one visit below it."""
    def far(data: bytes) -> bytes:
        data = data.replace(b'<row r="1"><c r="A1"', b'<row r="1048575"><c r="A1048575"').replace(b'r="B1"', b'r="B1048575"')
        return data.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>2024-03-17</t></is></c><c r="B1048576"><v>100</v></c></row></sheetData>')

    return _rewritten(_workbook(""), {"xl/worksheets/sheet1.xml": far})


def test_a_few_blank_lines_between_visits_are_still_read():
    # Gaps are normal (rows deleted in Excel): 3 visits with 2,000 blank lines between them import.
    from calculator.enquiries import ledger_io

    text = "就诊日期,费用总额\n2024-03-17,100.00\n" + "\n" * 2000 + "2024-03-18,200.00\n" + ",,\n" * 2000 + "2024-03-19,300.00\n"
    read = ledger_io.read_visits("gaps.csv", text.encode())
    assert [v["total"] for v in read.visits] == ["100.00", "200.00", "300.00"] and read.lines == [2, 2003, 4004]


def test_only_the_first_50_columns_of_a_row_are_read():
    # A row of 300 cells (extra columns are ignored): the reader keeps 50.
    workbook = _workbook('<row r="2"><c r="A2" t="inlineStr"><is><t>2025-03-01</t></is></c><c r="B2"><v>100</v></c>'
                         + "<c><v>1</v></c>" * 300 + "</row>")
    read = ledger_io.read_visits("wide.xlsx", workbook)
    assert read.errors == [] and read.visits == [{"date": "2025-03-01", "setting": "clinic", "total": "100.00"}]


def test_import_needs_the_csrf_token(csrf_client):
    assert csrf_client.post("/e/import/", {"file": _csv("就诊日期,医疗费总额\n2025-03-01,10\n")}).status_code == 403


# --- the command line ----------------------------------------------------------------------------------


def _manage(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "manage.py", "calculate", *args], cwd=REPO, capture_output=True, input=stdin, timeout=120,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "calculator.settings_test"},
    )


@pytest.fixture
def visits_csv(tmp_path: Path) -> Path:
    path = tmp_path / "visits.csv"
    path.write_text("就诊日期,医疗机构级别,就诊类型,医疗费总额,全自费金额,乙类金额\n2024-03-01,三级,门诊,1000,,200\n2024/4/1,一级,药店,300,,\n", encoding="utf-8")
    return path


def test_command_reads_visits_from_csv(visits_csv):
    done = _manage("--csv", str(visits_csv), "--region", "wuhan", "--status", "employed", "--age", "45")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["totals"]["fund_paid"] == "794.00"
    assert b"Traceback" not in done.stderr


def test_command_writes_csv_and_xlsx(visits_csv, tmp_path):
    done = _manage("--csv", str(visits_csv), "--region", "wuhan", "--status", "employed", "--age", "45", "--format", "csv")
    assert done.returncode == 0 and done.stdout.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(done.stdout.decode("utf-8-sig"))))
    assert rows[0] == HEADERS and rows[-1][FUND] == "794.00"
    out = tmp_path / "out.xlsx"
    done = _manage("--csv", str(visits_csv), "--region", "wuhan", "--status", "employed", "--age", "45", "--format", "xlsx", "--output", str(out))
    assert done.returncode == 0 and done.stdout == b""
    assert list(openpyxl.load_workbook(out)["明细"].iter_rows(values_only=True))[-1][FUND] == 794
    request = json.dumps({"region": "wuhan", "status": "employed", "age": 45, "visits": [{"date": "2024-03-01", "level": 3, "total": "100"}]})
    done = _manage("-", "--format", "csv", stdin=request.encode())
    assert done.returncode == 0 and list(csv.reader(io.StringIO(done.stdout.decode("utf-8-sig"))))[0] == HEADERS


def test_command_refuses_bad_input_with_exit_2_and_no_traceback(visits_csv, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("就诊日期,医疗费总额\n2024-03-01,abc\n", encoding="utf-8")
    cases = [
        ("--csv", str(bad), "--region", "wuhan", "--status", "employed", "--age", "45"),
        ("--csv", str(visits_csv), "--status", "employed", "--age", "45"),
        ("--csv", str(tmp_path / "missing.csv"), "--region", "wuhan", "--status", "employed", "--age", "45"),
        ("--csv", str(visits_csv), "--region", "wuhan", "--status", "employed", "--age", "abc"),
        (),
    ]
    for args in cases:
        done = _manage(*args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert json.loads(done.stdout)["errors"] and b"Traceback" not in done.stderr
    assert "第 2 行：医疗费总额必须是金额（元）" in json.loads(_manage(*cases[0]).stdout)["errors"][0]["message"]


def test_command_odd_numbers_and_mixed_inputs_get_true_messages(visits_csv, tmp_path):
    person = ("--region", "wuhan", "--status", "employed")

    def answer(*args):
        done = _manage(*args)
        assert b"Traceback" not in done.stderr, done.stderr
        return done.returncode, json.loads(done.stdout) if done.stdout.strip().startswith(b"{") else None

    # "²" is a digit to str.isdigit, not to int(): a message, not a traceback.
    code, body = answer("--csv", str(visits_csv), *person, "--age", "²")
    assert code == 2 and body["errors"][0]["field"] == "age"
    # -1 is a whole number out of range: the range message, not "not a whole number".
    code, body = answer("--csv", str(visits_csv), *person, "--age", "-1")
    assert code == 2 and body["errors"] == [{"field": "age", "message": "年龄应在 0 到 120 之间。"}]
    # So is a whole number far too large (it was "必须是整数，不能带小数或引号").
    code, body = answer("--csv", str(visits_csv), *person, "--age", "99999999999999999999999")
    assert code == 2 and body["errors"] == [{"field": "age", "message": "年龄应在 0 到 120 之间。"}]
    # A request file carries the person: a --region beside it is refused, not ignored.
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"region": "wuhan", "status": "employed", "age": 45, "visits": [{"date": "2025-03-01 ", "level": 3, "total": "1200"}]}), encoding="utf-8")
    code, body = answer(str(request), "--region", "shanghai", "--age", "99")
    assert code == 2 and body["errors"][0]["field"] == "--region" and "--region、--age 只用于 --csv" in body["errors"][0]["message"]
    code, body = answer(str(request), "--csv", str(visits_csv), *person, "--age", "45")
    assert code == 2 and body["errors"][0]["field"] == "FILE"
    # JSON is read as the schema writes it: a date with a space after it is refused by field
    # (exit 2, no traceback, no file); written plainly, it makes an Excel file.
    out = tmp_path / "out.xlsx"
    done = _manage(str(request), "--format", "xlsx", "--output", str(out))
    assert done.returncode == 2 and b"Traceback" not in done.stderr, done.stderr
    assert json.loads(done.stdout)["errors"][0]["field"] == "visits[0].date" and not out.exists()
    request.write_text(request.read_text(encoding="utf-8").replace("2025-03-01 ", "2025-03-01"), encoding="utf-8")
    done = _manage(str(request), "--format", "xlsx", "--output", str(out))
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert out.stat().st_size > 0


def test_a_negative_number_cell_is_said_to_be_negative(tmp_path):
    # An Excel number cell of -100.5 under 医疗费总额: "不能为负数" (the form's words), not "全自费
    # 金额不能大于医疗费总额" (there is no 全自费 column at all).
    from calculator.enquiries import ledger_io

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["就诊日期", "医疗机构级别", "医疗费总额"])
    ws.append(["2025-03-02", 3, -100.5])
    buffer = io.BytesIO()
    wb.save(buffer)
    read = ledger_io.read_visits("visits.xlsx", buffer.getvalue(), max_rows=100, max_bytes=2_000_000)
    assert read.errors == ["第 2 行：医疗费总额不能为负数。"], read.errors


def test_a_number_cell_with_hidden_decimals_is_said_not_rounded(tmp_path):
    # 1234.505 in a cell formatted 0.00 shows as 1,234.51: the import says it has more than two
    # decimals (never rounds it unseen); a formula's 0.1 × 3 = 0.30000000000000004 is 0.30.
    from calculator.enquiries import ledger_io

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["就诊日期", "医疗机构级别", "医疗费总额"])
    ws.append(["2025-03-02", 3, 1234.505])
    ws.append(["2025-03-03", 3, 0.1 * 3])
    buffer = io.BytesIO()
    wb.save(buffer)
    read = ledger_io.read_visits("visits.xlsx", buffer.getvalue(), max_rows=100, max_bytes=2_000_000)
    assert read.errors == ["第 2 行：医疗费总额最多保留两位小数（精确到分）。"], read.errors
    ws.delete_rows(2)
    buffer = io.BytesIO()
    wb.save(buffer)
    read = ledger_io.read_visits("visits.xlsx", buffer.getvalue(), max_rows=100, max_bytes=2_000_000)
    assert [v["total"] for v in read.visits] == ["0.30"]


def test_the_import_reads_amounts_and_dates_as_the_form_does():
    # What a helpdesk worker pastes from a settlement slip: a 结算时间 after the date, an IME's
    # "。" for the decimal point, spaces grouping thousands, "1234.500" (exactly 1234.50).
    from calculator.enquiries import ledger_io

    text = (
        "就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n"
        "2024-03-05 10:30:00,三级,门诊,1234。50,,\n"
        "2024/3/6 9:05,二级,门诊,1 234.50,,\n"
        "2024年3月7号,一级,门诊,1234.500,,\n"
    )
    read = ledger_io.read_visits("visits.csv", text.encode("utf-8"))
    assert read.errors == [] and read.maybe_split == []
    assert [(v["date"], v["total"]) for v in read.visits] == [("2024-03-05", "1234.50"), ("2024-03-06", "1234.50"), ("2024-03-07", "1234.50")]


def test_two_amounts_that_may_be_one_split_at_a_comma_are_imported_and_said(web):
    # "1,200.00" typed unquoted into a text file under 自费金额, 乙类金额 left empty: the row reads
    # 自费金额 "1" and 乙类金额 "200.00" — two amounts a member may really have. Imported as read,
    # but said beside the import (line 2), so that a 自费 of 1.00 is not taken unseen.
    text = "就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n2025-03-01,三级,门诊,1500,1,200.00\n2025-03-02,三级,门诊,1500,100.00,200.00\n"
    html = unescape(_import(web, _csv(text)).content.decode())
    assert "已从文件导入" in html
    assert "第 2 行：自费金额 1、乙类金额 200.00 按两个金额导入；如果这原本是一个金额 1,200.00" in html
    # Set apart from the success message, as something to check.
    assert re.search(r'<div class="import-check"><p><strong>请核对：</strong></p><p>第 2 行：自费金额 1', html)
    assert "第 3 行" not in html  # both written with decimals: two amounts as typed
    # Under 费用总额 the split leaves 自费金额 larger than the total: refused, with the likely cause.
    text = "就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n2025-03-01,三级,门诊,1,234.50,\n"
    html = unescape(_import(web, _csv(text)).content.decode())
    assert "第 2 行：自费金额不能大于费用总额；如果是费用总额里的千位分隔逗号把金额拆成了两格" in html


@pytest.mark.django_db
def test_result_download_buttons_post_the_inputs_once(web):
    """The result's 下载 CSV / 下载 Excel buttons post the page's query string (carried once
    in the save form), and get the same file as the link does."""
    html = web.get("/?" + QUERY).content.decode("utf-8")
    actions = html[html.index('id="result-actions"'):]
    actions = actions[: actions.index("</div>")]
    assert actions.count('name="q"') == 1 and 'formaction="/e/ledger.csv"' in actions
    posted = web.post("/e/ledger.csv", {"q": QUERY})
    assert posted.status_code == 200
    assert posted.content == web.get("/e/ledger.csv?" + QUERY).content
    # The files keep the Chinese column names (the import's): said beside the buttons, which
    # matters most on the English page.
    web.cookies["django_language"] = "en"
    html = web.get("/?" + QUERY).content.decode("utf-8")
    hint = html[html.index('class="hint result-actions-hint"'):]
    assert "are in Chinese, as the settlement slip is (column names such as 就诊日期), and can be imported again" in re.sub(r"<[^>]+>", "", hint[: hint.index("</p>")])
    assert '(column names such as <span lang="zh-Hans">就诊日期</span>)' in hint  # read as Chinese


# --- the round trip keeps every input, so the figures ----------------------------------------------

ROUND_TRIPS = {
    # 乙类 on a 细则 visit, a visit 异地未备案 under the 优化方案, a 互联网+ visit: the helpdesk's
    # re-imported file once lost 乙类 and 异地 (fund 2460.00 → 2665.00).
    "wuhan": "region=wuhan&status=retired&age=66&retired_on=2023-03-15"
    "&visits-0-date=2023-02-15&visits-0-level=3&visits-0-setting=clinic&visits-0-total=1000&visits-0-class_b=200"
    "&visits-1-date=2023-04-09&visits-1-level=2&visits-1-setting=clinic&visits-1-total=500"
    "&visits-2-date=2023-04-10&visits-2-level=3&visits-2-setting=clinic&visits-2-total=3000&visits-2-offsite=unfiled"
    "&visits-3-date=2025-01-01&visits-3-level=2&visits-3-setting=internet&visits-3-total=250",
    # 山西: a 三级 hospital of the 一类 price class, and a visit 住院期间 (the fund pays nothing).
    "shanxi": "region=shanxi&status=employed&age=50"
    "&visits-0-date=2024-03-01&visits-0-level=3&visits-0-setting=clinic&visits-0-total=800&visits-0-price_class=1"
    "&visits-1-date=2024-03-08&visits-1-level=2&visits-1-setting=clinic&visits-1-total=400&visits-1-inpatient_stay=on",
    # 玉溪: a 门诊慢性病 visit (its own deductible and cap), next to a 普通门诊 one.
    "yuxi": "region=yuxi&status=employed&age=50&chronic_disease_count=2"
    "&visits-0-date=2024-02-10&visits-0-level=2&visits-0-setting=clinic&visits-0-total=1200&visits-0-chronic=on"
    "&visits-1-date=2024-02-11&visits-1-level=2&visits-1-setting=clinic&visits-1-total=600",
}


def _person(query: str) -> str:
    return "&".join(part for part in query.split("&") if not part.startswith("visits-"))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("region", sorted(ROUND_TRIPS))
def test_a_downloaded_ledger_imports_back_to_the_same_figures(web, region, kind):
    from urllib.parse import urlencode

    query = ROUND_TRIPS[region]
    exported = web.get(f"/e/ledger.{kind}?{query}").content
    read = ledger_io.read_visits(f"mingxi.{kind}", exported)
    assert read.errors == [] and len(read.visits) == query.count("-date=")
    again = _person(query) + "&" + urlencode(ledger_io.visits_query(read.visits))
    # The same inputs give the same file: every figure, every option column (the dates stay in
    # calculation order, which here is the order entered).
    first = list(csv.reader(io.StringIO(web.get(f"/e/ledger.csv?{query}").content.decode("utf-8-sig"))))
    second = list(csv.reader(io.StringIO(web.get(f"/e/ledger.csv?{again}").content.decode("utf-8-sig"))))
    assert second == first
    options = [row[13:] for row in first[1:-1]]
    assert options == {
        "wuhan": [["", "", "", ""], ["", "", "", ""], ["未备案", "", "", ""], ["", "", "", ""]],
        "shanxi": [["", "", "", "一类"], ["", "是", "", ""]],
        "yuxi": [["", "", "是", ""], ["", "", "", ""]],
    }[region]


def test_imported_options_fill_the_rows_more_options(web):
    text = (
        "就诊日期,医疗机构级别,就诊类型,医疗费总额,全自费金额,乙类金额,异地就医,住院期间,门诊慢性病,收费类别\n"
        "2024-03-01,三级,门诊,800,,,异地已备案,,,一类\n"
        "2024-03-08,二级,门诊,400,,,,是,是,\n"
    )
    html = _import(web, _csv(text), region="shanxi", status="employed", age="50").content.decode()
    assert 'data-import-count="2"' in html
    assert re.search(r'<select name="visits-0-offsite"[^>]*>.*?<option value="filed"[^>]*selected', html, re.S)
    assert re.search(r'<select name="visits-0-price_class"[^>]*>.*?<option value="1"[^>]*selected', html, re.S)
    assert re.search(r'<input[^>]*name="visits-1-inpatient_stay"[^>]*checked', html)
    assert "第 2 次就诊在文件中填了“门诊慢性病”：山西省（晋城市等）不适用，计算时不考虑。" in html
    # 门诊慢性病 is an option of 玉溪's page only (the other regions' documents have none).
    html = _import(web, _csv(text), region="yuxi", status="employed", age="50").content.decode()
    assert re.search(r'<input[^>]*name="visits-1-chronic"[^>]*checked', html)
    assert "第 2 次就诊在文件中填了“住院期间”：玉溪市不适用，计算时不考虑。" in html
    assert "第 1 次就诊在文件中填了“收费类别”：玉溪市不适用，计算时不考虑。" in html


def test_imported_options_the_region_does_not_offer_are_said_not_dropped_unseen(web):
    """A file saying 门诊慢性病 and 收费类别 imported under 徐州: its rows have neither option,
    so the import says which visits lose what, instead of a silent general-outpatient visit."""
    text = (
        "就诊日期,医疗机构级别,就诊类型,医疗费总额,全自费金额,乙类金额,异地就医,住院期间,门诊慢性病,收费类别\n"
        "2024-03-01,三级,门诊,800,,,,,是,一类\n"
        "2024-03-08,二级,门诊,400,,,,,,\n"
        "2024-03-09,二级,门诊,400,,,,是,是,\n"
    )
    html = _import(web, _csv(text), region="xuzhou", status="employed", age="50").content.decode()
    assert 'data-import-count="3"' in html
    assert "第 1、3 次就诊在文件中填了“门诊慢性病”：徐州市不适用，计算时不考虑。" in html
    assert "第 3 次就诊在文件中填了“住院期间”：徐州市不适用，计算时不考虑。" in html
    assert "第 1 次就诊在文件中填了“收费类别”：徐州市不适用，计算时不考虑。" in html
    assert 'name="visits-0-chronic"' not in html
    # Under 玉溪 the 门诊慢性病 rows keep it and only what 玉溪 lacks is said.
    html = _import(web, _csv(text), region="yuxi", status="employed", age="50").content.decode()
    assert re.search(r'<input[^>]*name="visits-0-chronic"[^>]*checked', html)
    assert "填了“门诊慢性病”" not in html and "第 1 次就诊在文件中填了“收费类别”：玉溪市不适用" in html
    # With no region chosen every option is on the rows: nothing to say.
    html = _import(web, _csv(text)).content.decode()
    assert "计算时不考虑" not in html


@pytest.mark.parametrize(
    "column, value, message",
    [
        ("异地就医", "外地", "异地就医“外地”应为 已备案、未备案，或留空"),
        ("住院期间", "也许", "住院期间“也许”应为 是，或留空"),
        ("收费类别", "四类", "收费类别“四类”应为 一类、二类、三类，或留空"),
    ],
)
def test_a_bad_option_is_named_with_its_line(web, column, value, message):
    text = f"就诊日期,医疗费总额,{column}\n2024-03-01,100,{value}\n"
    html = _import(web, _csv(text)).content.decode()
    assert f"第 2 行：{message}" in html


def test_command_says_its_own_errors_in_english_with_lang_en(tmp_path):
    # --lang en: the command's own messages (a missing file, a bad line of the visits file)
    # are English too, as the calculation's errors are; Chinese without it.
    done = _manage(str(tmp_path / "nope.json"), "--lang", "en")
    assert done.returncode == 2 and json.loads(done.stdout)["errors"][0]["message"].startswith("File not found: ")
    bad = tmp_path / "bad.csv"
    bad.write_text("就诊日期,医疗费总额\n2025-02-30,10\n", encoding="utf-8")
    done = _manage("--csv", str(bad), "--region", "wuhan", "--status", "employed", "--age", "45", "--lang", "en")
    assert json.loads(done.stdout)["errors"][0]["message"].startswith("Line 2: ")
    done = _manage(str(tmp_path / "nope.json"))
    assert json.loads(done.stdout)["errors"][0]["message"].startswith("找不到文件：")


def test_a_cell_beyond_the_header_is_refused_not_read_shifted(web):
    # "1,000.00" unquoted is two cells: the total would be read as 1.00 and the rest dropped. The
    # line is refused with what to do; a trailing empty cell (a spreadsheet's habit) is fine.
    read = ledger_io.read_visits("visits.csv", "就诊日期,医疗机构级别,就诊类型,医疗费总额\n2024-03-01,三级,门诊,1,000.00\n".encode())
    assert read.visits == []
    assert read.errors == ["第 2 行：第 5 列“000.00”没有表头：如果是金额里的千位分隔逗号把一个金额拆成了两格，请去掉逗号或给金额加引号。"]
    read = ledger_io.read_visits("visits.csv", "就诊日期,医疗机构级别,就诊类型,医疗费总额\n2024-03-01,三级,门诊,\"1,000.00\",\n".encode())
    assert read.errors == [] and read.visits[0]["total"] == "1000.00"
    # The page's import says the same.
    html = _import(web, _csv("就诊日期,医疗费总额\n2024-03-01,1,000.00\n")).content.decode()
    assert "第 3 列“000.00”没有表头" in html


def test_a_column_the_template_does_not_have_is_said_not_read(web):
    # "全自费额" (a misspelt 全自费金额) is not read: said, as its 200 would otherwise be 0 unseen;
    # the export's own computed columns (统筹基金支付) are read back without a word.
    text = "就诊日期,医疗机构级别,就诊类型,医疗费总额,全自费额,统筹基金支付\n2024-03-01,三级,门诊,1000,200,\n"
    read = ledger_io.read_visits("visits.csv", text.encode())
    assert read.errors == [] and read.unread_columns == ["全自费额"]
    html = _import(web, _csv(text), region="xuzhou", status="employed", age="40").content.decode()
    assert "表头中的“全自费额”不是导入模板中的列，这些列没有读取" in html
    assert "统筹基金支付”不是" not in html


@pytest.mark.parametrize("header, row", [
    ("就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,全自费", "2024-03-05,三级,门诊,1000,300,100"),
    ("就诊日期,医疗机构级别,就诊类型,费用总额,医疗费总额", "2024-03-05,三级,门诊,1000,1200"),
])
def test_two_columns_for_one_figure_are_refused_not_one_dropped(web, header, row):
    # 自费金额 300 and 全自费 100: the second was dropped without a word (300 used); which one
    # holds the amount is not guessed.
    with pytest.raises(ledger_io.ImportRefused) as refused:
        ledger_io.read_visits("visits.csv", (header + "\n" + row + "\n").encode())
    assert "第 1 行（表头）中" in str(refused.value) and "是同一项，请只保留一列" in str(refused.value)
    html = _import(web, _csv(header + "\n" + row + "\n"), region="xuzhou", status="employed", age="40").content.decode()
    assert "是同一项，请只保留一列" in html


def test_an_unquoted_thousands_comma_before_empty_columns_is_refused_not_read_as_one_yuan():
    # "1,000.00" typed without quotes in a row ending ",,": the comma splits it into "1" and
    # "000.00", the "000.00" lands in 自费金额, and the row has one cell more than the header:
    # read as is it would be 费用总额 1.00 (fund 0.55 under 武汉). Refused, with its line.
    text = "就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n2024-03-04,3,门诊,1,000.00,,\n"
    read = ledger_io.read_visits("visits.csv", text.encode())
    assert len(read.errors) == 1 and read.errors[0].startswith("第 2 行：这一行比表头多出 1 格")


def _xlsx_bytes(rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_blank_rows_in_a_workbook_neither_lose_visits_nor_count_toward_the_limit():
    # The header, 100 empty rows, then 1,000 visits (a blank row after each): all 1,000 read.
    header = ["就诊日期", "医疗机构级别", "就诊类型", "费用总额"]
    rows: list[list[Any]] = [header] + [[None] * 4] * 100
    for i in range(1000):
        rows += [[f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", 1, "门诊", 10 + i % 7], [None] * 4]
    read = ledger_io.read_visits("visits.xlsx", _xlsx_bytes(rows))
    assert read.errors == [] and len(read.visits) == 1000
    # 1,100 visits: refused, saying how many there are.
    more = rows + [["2024-06-01", 1, "门诊", 10]] * 100
    with pytest.raises(ledger_io.ImportRefused, match="文件里有 1100 行就诊记录，一次最多导入 1000 行"):
        ledger_io.read_visits("visits.xlsx", _xlsx_bytes(more))


def test_a_split_amount_is_refused_in_a_row_no_longer_than_the_header_when_its_tail_starts_with_zero():
    # "1,050.00" unquoted in a 6-column file whose row has 5 cells: "1" in 费用总额, "050.00" in
    # 自费金额: refused. A legitimate 900 with 100.00 of 自费金额 is read as typed.
    header = "就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n"
    read = ledger_io.read_visits("visits.csv", (header + "2024-03-04,3,门诊,1,050.00\n").encode())
    assert read.visits == [] and read.errors[0].startswith("第 2 行：这一行比表头多出")
    read = ledger_io.read_visits("visits.csv", (header + "2024-03-04,3,门诊,900,100.00,\n").encode())
    assert read.errors == [] and (read.visits[0]["total"], read.visits[0]["excluded"]) == ("900.00", "100.00")


def test_command_names_the_file_line_of_a_visit_the_calculation_refuses(tmp_path):
    # The file reads cleanly (the import's own checks pass), but 武汉's data start 2023-02-01:
    # the second visit (2019-03-05) is refused by the calculation. It is on line 4 of the file
    # (header on 1, a visit on 2, a blank line 3): the message says so, beside the contract's
    # field path visits[1].date, in the language asked for.
    visits = tmp_path / "gap.csv"
    visits.write_text("就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n2024-01-05,1,门诊,300,,\n\n2019-03-05,2,门诊,300,,\n", encoding="utf-8")
    person = ("--region", "wuhan", "--status", "employed", "--age", "45")
    done = _manage("--csv", str(visits), *person)
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    (error,) = json.loads(done.stdout)["errors"]
    assert error["field"] == "visits[1].date" and error["line"] == 4
    assert error["message"].startswith("第 4 行：就诊日期 2019-03-05 不在武汉市已收录的政策期间内")
    (error,) = json.loads(_manage("--csv", str(visits), *person, "--lang", "en").stdout)["errors"]
    assert error["line"] == 4 and error["message"].startswith("Line 4: The visit date 2019-03-05 is outside")
    # A request file has no lines to name: its errors are as the API gives them.
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"region": "wuhan", "status": "employed", "age": 45, "visits": [{"date": "2019-03-05", "level": 2, "total": "300"}]}), encoding="utf-8")
    (error,) = json.loads(_manage(str(request)).stdout)["errors"]
    assert "line" not in error and error["message"].startswith("就诊日期 2019-03-05")


def test_command_reads_the_persons_figures_as_the_file_rows_are_read(visits_csv):
    # --age ６６ (full-width, a Chinese input method's), --retired-on 2010/8/1 and
    # --account-balance "1,000" are read as the page's form and the file's rows read them:
    # the answer is the one for 66, 2010-08-01 and 1000.00.
    typed = _manage("--csv", str(visits_csv), "--region", "wuhan", "--status", "retired", "--age", "６６", "--retired-on", "2010/8/1", "--account-balance", "1,000")
    plain = _manage("--csv", str(visits_csv), "--region", "wuhan", "--status", "retired", "--age", "66", "--retired-on", "2010-08-01", "--account-balance", "1000")
    assert typed.returncode == plain.returncode == 0, typed.stdout
    assert json.loads(typed.stdout) == json.loads(plain.stdout)
    # A space inside an amount is not a figure: the contract names the field.
    done = _manage("--csv", str(visits_csv), "--region", "wuhan", "--status", "retired", "--age", "66", "--account-balance", "100 0")
    assert done.returncode == 2 and json.loads(done.stdout)["errors"][0]["field"] == "account_balance"


@pytest.mark.parametrize(
    "row, note",
    [
        ("500,0,150.00", False),  # 自费 0 and a 乙类 with decimals: no thousands group starts with 0
        ("500,5,120.50", False),  # 5,120.50 would be more than the 500 total
        ("999,100.00,0", False),  # both written with decimals
        ("1500,1,200.00", True),  # 1,200.00 fits the total: said, by line
    ],
)
def test_the_split_comma_note_is_given_only_where_it_may_be_one(row, note):
    from calculator.enquiries import ledger_io

    text = f"就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n2025-03-01,三级,门诊,{row}\n"
    read = ledger_io.read_visits("visits.csv", text.encode())
    assert read.errors == [] and bool(read.maybe_split) is note, read.maybe_split


def test_the_import_refuses_minus_zero_and_other_digits_as_the_form_does():
    from calculator.enquiries import ledger_io

    text = "就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n2024-03-01,1,门诊,100,-0,0\n2024-03-02,1,门诊,١٢٣,,\n"
    read = ledger_io.read_visits("visits.csv", text.encode())
    assert read.errors == ["第 2 行：自费金额不能为负数。", "第 3 行：费用总额必须是金额（元），例如 1200.00。"]


def test_command_says_what_is_wrong_with_a_persons_amount_as_the_form_does(visits_csv):
    done = _manage("--csv", str(visits_csv), "--region", "wuhan", "--status", "retired", "--age", "66", "--account-balance", "120 30")
    assert done.returncode == 2
    assert json.loads(done.stdout)["errors"] == [{"field": "account_balance", "message": "个人账户余额“120 30”中间有空格：请只填一个金额，例如 1200.50。"}]


def test_a_hospital_export_with_many_unread_columns_imports():
    # 1,000 visits with 40 more text columns (a hospital system's export): over 3 MB unpacked,
    # within the 6 MB a workbook may unpack to; the extra columns are not read (and said).
    from calculator.enquiries import ledger_io

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["就诊日期", "医疗机构级别", "费用总额", *(f"备注{i}" for i in range(40))])
    for i in range(1000):
        ws.append([f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", 1 + i % 3, 100 + i, *(f"说明文字说明文字说明文字{i}" for _ in range(40))])
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        assert sum(item.file_size for item in archive.infolist()) > 3 * 1_048_576  # (a 3 MB limit refused it)
    read = ledger_io.read_visits("export.xlsx", buffer.getvalue())
    assert read.errors == [] and len(read.visits) == 1000 and read.visits[-1]["total"] == "1099.00"
    assert read.unread_columns[:2] == ["备注0", "备注1"]


def test_command_errors_validate_against_the_openapi_document_line_included(tmp_path):
    # The CLI's --csv errors carry "line" (issue 6's contract: one error shape for API and CLI).
    from jsonschema import Draft202012Validator

    from calculator.api.views import OPENAPI_PATH

    document = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    schema = Draft202012Validator({"$ref": "#/components/schemas/ErrorResponse", "components": document["components"]})
    visits = tmp_path / "gap.csv"
    visits.write_text("就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n2024-01-05,1,门诊,300,,\n\n2019-03-05,2,门诊,300,,\n", encoding="utf-8")
    body = json.loads(_manage("--csv", str(visits), "--region", "wuhan", "--status", "employed", "--age", "45").stdout)
    assert body["errors"][0]["line"] == 4 and not list(schema.iter_errors(body))


def test_command_english_import_errors_gloss_every_column(tmp_path):
    # Each Chinese column name in an English message has its English beside it.
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额,异地就医,住院期间,门诊慢性病,收费类别\n"
        "2024-03-01,三级,门诊,1000.00,x,,外地,maybe,maybe,四类\n2024-03-02,1,门诊,abc,,,,,,\n",
        encoding="utf-8",
    )
    done = _manage("--csv", str(bad), "--region", "wuhan", "--status", "employed", "--age", "45", "--lang", "en")
    messages = " ".join(e["message"] for e in json.loads(done.stdout)["errors"])
    for glossed in ("异地就医 (care outside your region)", "住院期间 (during a hospital stay)", "门诊慢性病 (chronic-disease outpatient care)",
                    "收费类别 (price class)", "自费金额 (fully self-paid amount) must be", "费用总额 (total medical expenses) must be"):
        assert glossed in messages, (glossed, messages)


def test_command_reads_lang_as_the_api_reads_accept_language():
    request = json.dumps({"region": "wuhan", "status": "employed", "age": 45, "visits": [{"date": "2024-03-01", "level": 3, "total": "1000.00"}]})
    for tag in ("en-US", "EN"):
        done = _manage("-", "--lang", tag, stdin=request.encode())
        assert done.returncode == 0 and json.loads(done.stdout)["lang"] == "en"
    done = _manage("-", "--lang", "fr", stdin=request.encode())
    assert done.returncode == 2 and json.loads(done.stdout)["errors"][0]["field"] == "--lang"


def test_an_exports_totals_row_is_no_visit_wherever_the_date_column_is():
    # 5 visits and a 合计 row with 就诊日期 as the second column: at the limit of 5, imported; 6
    # visits and 合计 over the limit of 5: "6 行" (the 合计 row counted as no visit).
    from calculator.enquiries import ledger_io

    rows = "".join(f"1,2024-03-0{d},100\n" for d in range(1, 6))
    read = ledger_io.read_visits("t.csv", ("医疗机构级别,就诊日期,费用总额\n" + rows + ",合计,500\n").encode(), max_rows=5)
    assert len(read.visits) == 5 and read.errors == []
    with pytest.raises(ledger_io.ImportRefused, match="文件里有 6 行就诊记录"):
        ledger_io.read_visits("t.csv", ("医疗机构级别,就诊日期,费用总额\n" + rows + "1,2024-03-06,100\n,合计,600\n").encode(), max_rows=5)


def test_shanghais_files_keep_the_slip_header_and_say_it_is_the_self_pay_band():
    # Issue 8 lists the files' headers (起付标准（本次） among them) for every region: 上海's
    # files keep it (a script reads the same column everywhere) and the Excel 说明 sheet says
    # that 上海's documents call it 自负段; the printed ledger names it as the page does.
    # Retired after 2000, 三级 1200: 自负段 300, then (1200 − 300) × 75% = 675.00 from the fund.
    from openpyxl import load_workbook

    from calculator.rules.contract import run_contract

    request = {"region": "shanghai", "status": "retired", "age": 70, "retired_on": "2005-06-30",
               "visits": [{"date": "2024-03-01", "level": 3, "total": "1200.00"}]}
    status, result = run_contract(json.dumps(request))
    text = ledger_io.export_csv(result, request).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))[:2]
    assert header[:12] == ledger_io.LEDGER_HEADERS and "自负段（本次）" not in header
    assert (row[header.index("起付标准（本次）")], row[header.index("统筹基金支付")]) == ("300.00", "675.00")
    read = ledger_io.read_visits("visits.csv", text.encode())
    assert read.errors == [] and read.unread_columns == [] and read.visits[0]["total"] == "1200.00"
    about = dict(load_workbook(io.BytesIO(ledger_io.export_xlsx(result, request)))[ledger_io.ABOUT_SHEET].iter_rows(values_only=True))
    assert "自负段" in about["起付标准（本次）"]
    assert "起付标准（本次）" not in dict(ledger_io.about_rows({"region": "wuhan"}, {"region": "wuhan"}))
    # The printed ledger says 自负段 for 上海, 起付标准 elsewhere.
    assert "自负段（本次）" in ledger_io.ledger_headers(result)
    assert "起付标准（本次）" in ledger_io.ledger_headers({"region": "wuhan"})


def test_a_file_exported_with_the_self_pay_band_header_still_imports():
    # Files exported on 2026-12-01 named 上海's column 自负段（本次）: read back silently.
    text = "就诊日期,医疗机构级别,就诊类型,医疗费总额,自负段（本次）\n2024-03-01,三级,门诊,1200.00,300.00\n"
    read = ledger_io.read_visits("old.csv", text.encode())
    assert read.errors == [] and read.unread_columns == [] and read.visits[0]["total"] == "1200.00"


def test_a_formula_without_a_saved_value_is_refused_naming_its_cell():
    # openpyxl writes a formula without the value a spreadsheet program would save with it: its
    # cell reads as empty, and an empty 自费金额 would count the 100 as policy-range money
    # (audit: imported silently). Refused, naming row 2 and the column.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["就诊日期", "医疗机构级别", "就诊类型", "费用总额", "自费金额", "乙类金额"])
    ws.append(["2025-03-01", "三级", "门诊", 1200, "=50*2", 200])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ledger_io.ImportRefused, match="第 2 行“自费金额”是公式（=50\\*2），文件里没有保存它算出的数值"):
        ledger_io.read_visits("visits.xlsx", out.getvalue())


def test_a_formula_with_its_saved_value_is_read_as_that_value():
    # A file saved by Excel, WPS or LibreOffice carries <f>50*2</f><v>100</v>: read as 100.
    sheet_row = '<row r="2"><c r="A2" t="inlineStr"><is><t>2025-03-01</t></is></c><c r="B2"><f>1000+200</f><v>1200</v></c></row>'
    read = ledger_io.read_visits("visits.xlsx", _workbook(sheet_row))
    assert read.errors == [] and read.visits[0]["total"] == "1200.00"
    # The same without its <v>: refused (a required cell that is not empty said as a formula).
    bare = '<row r="2"><c r="A2" t="inlineStr"><is><t>2025-03-01</t></is></c><c r="B2"><f>1000+200</f></c></row>'
    with pytest.raises(ledger_io.ImportRefused, match="第 2 行“医疗费总额”是公式"):
        ledger_io.read_visits("visits.xlsx", _workbook(bare))


def test_a_csv_saved_under_an_excel_name_is_read_as_csv():
    # Audit: an exported CSV renamed .xlsx was called "neither CSV nor Excel". Its text names
    # the import's columns: read as the CSV it is (UTF-8 with BOM and GBK alike).
    text = "就诊日期,医疗机构级别,费用总额\n2025-03-01,三级,1200\n"
    quoted = '\n"就诊日期","医疗机构级别","费用总额"\n"2025-03-01","三级","1200"\n'  # a blank line first
    for raw in (text.encode("utf-8-sig"), text.encode("gbk"), quoted.encode()):
        read = ledger_io.read_visits("visits.xlsx", raw)
        assert read.errors == [] and read.visits[0]["total"] == "1200.00"
    # Text that is not a visit list still gets the plain refusal.
    with pytest.raises(ledger_io.ImportRefused, match="只能导入 CSV 或 Excel"):
        ledger_io.read_visits("notes.xlsx", "会议记录\n第一项\n".encode())


def test_what_spreadsheet_programs_save_with_formulas_is_read_without_a_refusal():
    # Review: an empty text result (Excel's <c t="str"><f>…</f><v></v></c> for IF(…,"",…)), a
    # formula in a column the import does not read, and a shared formula written without cell
    # references are no reason to refuse a file.
    empty_text = ('<row r="2"><c r="A2" t="inlineStr"><is><t>2025-03-01</t></is></c><c r="B2"><v>1200</v></c>'
                  '<c r="C2" t="str"><f>IF(B2&gt;5000,"x","")</f><v></v></c></row>')
    read = ledger_io.read_visits("visits.xlsx", _workbook(empty_text))
    assert read.errors == [] and read.visits[0]["total"] == "1200.00"
    unread = '<row r="2"><c r="A2" t="inlineStr"><is><t>2025-03-01</t></is></c><c r="B2"><v>1200</v></c><c r="C2"><f>B2*2</f></c></row>'
    read = ledger_io.read_visits("visits.xlsx", _workbook(unread))
    assert read.errors == [] and read.visits[0]["total"] == "1200.00"
    shared = ('<row r="2"><c t="inlineStr"><is><t>2025-03-01</t></is></c><c><f t="shared" ref="B2:B3" si="0">A1+1</f><v>1200</v></c></row>')
    read = ledger_io.read_visits("visits.xlsx", _workbook(shared))
    assert read.errors == [] and read.visits[0]["total"] == "1200.00"


def test_a_workbook_whose_first_sheet_is_a_chart_reads_its_first_worksheet():
    # Review: the first sheet of the list may be a chart sheet: the visits are on the first
    # worksheet (就诊日期 2025-03-01, 费用总额 1200).
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["就诊日期", "医疗机构级别", "费用总额"])
    ws.append(["2025-03-01", "三级", 1200])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=2), titles_from_data=True)
    wb.create_chartsheet("图表", 0).add_chart(chart)
    out = io.BytesIO()
    wb.save(out)
    read = ledger_io.read_visits("visits.xlsx", out.getvalue())
    assert read.errors == [] and read.visits[0]["total"] == "1200.00"


def test_the_about_sheet_is_in_the_language_of_the_result_it_describes():
    # Audit: a result saved from the English page gave the 说明 sheet Chinese labels beside
    # English values. 武汉 2024 employed, 三级 1000 with 乙类 200: one visit, English.
    from openpyxl import load_workbook

    from calculator.i18n import plain_translate_for
    from calculator.rules.contract import run_contract

    request = {"region": "wuhan", "status": "employed", "age": 45, "lang": "en",
               "visits": [{"date": "2024-03-01", "level": 3, "total": "1000.00", "class_b": "200.00"}]}
    status, result = run_contract(json.dumps(request), plain_translate_for)
    assert status == 200 and result["lang"] == "en"
    sheet = load_workbook(io.BytesIO(ledger_io.export_xlsx(result, request)))[ledger_io.ABOUT_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Item", "Content")
    about = dict(rows[1:])
    assert about["Insured region"] == "Wuhan" and about["Status"] == "employed" and about["Age"] == 45
    notes = [value for label, value in rows[1:] if label == "Please note"]
    assert notes and all("涉及" not in n for n in notes)
    # By date (the 明细 sheet is in date order without visit numbers).
    assert any(n.endswith("(concerns the visits of 2024-03-01)") for n in notes), notes
    # A Chinese result keeps the Chinese sheet.
    request["lang"] = "zh-hans"
    status, result = run_contract(json.dumps(request))
    rows = list(load_workbook(io.BytesIO(ledger_io.export_xlsx(result, request)))[ledger_io.ABOUT_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("项目", "内容") and dict(rows[1:])["参保身份"] == "在职"


def test_the_formula_check_reads_cells_one_by_one():
    # Review: a pattern over the sheet's XML ran a formatted empty cell (<c r="C2" s="1"/>) into
    # the next cell: it named the wrong column, refused a formula in an unread column and missed
    # one in a read column. Headers: 就诊日期, 医疗机构级别, 费用总额, 自费金额, 备注.
    head = ('<row r="1"><c r="A1" t="inlineStr"><is><t>就诊日期</t></is></c><c r="B1" t="inlineStr"><is><t>医疗机构级别</t></is></c>'
            '<c r="C1" t="inlineStr"><is><t>费用总额</t></is></c><c r="D1" t="inlineStr"><is><t>自费金额</t></is></c>'
            '<c r="E1" t="inlineStr"><is><t>备注</t></is></c></row>')
    date = '<c r="A2" t="inlineStr"><is><t>2025-03-01</t></is></c><c r="B2" t="inlineStr"><is><t>三级</t></is></c>'

    def workbook(cells: str) -> bytes:
        def rows(data: bytes) -> bytes:
            start, end = data.index(b"<sheetData>") + len(b"<sheetData>"), data.index(b"</sheetData>")
            return data[:start] + (head + f'<row r="2">{date}{cells}</row>').encode() + data[end:]

        return _rewritten(_workbook(""), {"xl/worksheets/sheet1.xml": rows})

    # A formatted empty 备注 before nothing, the 自费金额 a formula with no value: refused, named.
    with pytest.raises(ledger_io.ImportRefused, match="第 2 行“自费金额”是公式（=C2/2）"):
        ledger_io.read_visits("v.xlsx", workbook('<c r="C2"><v>1200</v></c><c r="D2"><f>C2/2</f></c><c r="E2" s="1"/>'))
    # A formatted empty 自费金额 and a formula in the unread 备注: read (1200, nothing excluded).
    read = ledger_io.read_visits("v.xlsx", workbook('<c r="C2"><v>1200</v></c><c r="D2" s="1"/><c r="E2"><f>C2*2</f></c>'))
    assert read.errors == [] and read.visits[0]["total"] == "1200.00"
    # The refusal shows the formula as written (not its XML escapes).
    with pytest.raises(ledger_io.ImportRefused, match=re.escape('（=IF(C2>1000,"100","0")）')):
        ledger_io.read_visits("v.xlsx", workbook('<c r="C2"><v>1200</v></c><c r="D2"><f>IF(C2&gt;1000,"100","0")</f><v /></c>'))


def test_a_download_from_the_english_page_has_its_about_sheet_in_english(web):
    # Review: the download computed Chinese text but said lang "en", so the 说明 sheet put
    # English labels beside Chinese notes; then files were Chinese throughout, while the saved
    # figures' file (saved from the English page) was English (audit). The 说明 sheet follows
    # the page's language, labels and notes alike; the ledger's columns stay the slip's terms.
    from openpyxl import load_workbook

    web.cookies["django_language"] = "en"
    response = web.get("/e/ledger.xlsx?" + QUERY)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book[ledger_io.ABOUT_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("Item", "Content")
    about = dict(rows[1:])
    assert about["Insured region"] == "Wuhan" and about["Status"] == "employed"
    notes = [value for label, value in rows[1:] if label == "Please note"]
    assert notes and all("涉及" not in n for n in notes)
    assert next(book[ledger_io.LEDGER_SHEET].iter_rows(values_only=True))[0] == "就诊日期"
    # A saved enquiry's download follows the page's language the same way.
    token = save_via_page(web)
    saved = load_workbook(io.BytesIO(web.get(f"/e/{token}/ledger.xlsx").content))[ledger_io.ABOUT_SHEET]
    assert next(saved.iter_rows(values_only=True)) == ("Item", "Content")
    web.cookies["django_language"] = "zh-hans"
    saved = load_workbook(io.BytesIO(web.get(f"/e/{token}/ledger.xlsx").content))[ledger_io.ABOUT_SHEET]
    assert next(saved.iter_rows(values_only=True)) == ("项目", "内容")


def test_a_workbook_with_its_own_xml_entities_is_refused_unread():
    # Review: a 7 KB file whose sheet declares one 5.5 MB entity and uses it 99 times took
    # 1.1 GB inside the XML parser and was accepted. Excel never writes a DTD: refused unread.
    bomb = '<!DOCTYPE worksheet [<!ENTITY big "' + "x" * 1000 + '">]>'
    raw = _workbook('<row r="2"><c r="A2" t="inlineStr"><is><t>2025-03-01</t></is></c><c r="B2"><v>1200</v></c></row>')
    raw = _rewritten(raw, {"xl/worksheets/sheet1.xml": lambda data: bomb.encode() + data})
    with pytest.raises(ledger_io.ImportRefused, match="XML 声明（DTD）"):
        ledger_io.read_visits("v.xlsx", raw)


def test_formulas_a_program_left_to_be_calculated_on_opening_are_refused():
    # Review: XlsxWriter (and pandas through it) writes 0 as every formula's value and asks the
    # program to calculate on opening (fullCalcOnLoad): 自费金额 =C2/2 read as 0.00 silently.
    # An inline string's formula is read from its <is>, as openpyxl reads it.
    sheet = ('<row r="2"><c r="A2" t="inlineStr"><is><t>2025-03-01</t></is></c><c r="B2"><v>1200</v></c></row>')
    raw = _rewritten(_workbook(sheet), {
        "xl/workbook.xml": lambda data: data.replace(b"</workbook>", b'<calcPr calcId="0" fullCalcOnLoad="1"/></workbook>'),
        "xl/worksheets/sheet1.xml": lambda data: data.replace(b'<c r="B2"><v>1200</v></c>', b'<c r="B2"><f>600*2</f><v>0</v></c>'),
    })
    with pytest.raises(ledger_io.ImportRefused, match="第 2 行“医疗费总额”是公式（=600\\*2）"):
        ledger_io.read_visits("v.xlsx", raw)
    inline = ('<row r="2"><c r="A2" t="inlineStr"><is><t>2025-03-01</t></is></c>'
              '<c r="B2" t="inlineStr"><f>"1200"</f><is><t>1200</t></is></c></row>')
    read = ledger_io.read_visits("v.xlsx", _workbook(inline))
    assert read.errors == [] and read.visits[0]["total"] == "1200.00"


def test_a_template_edited_in_a_spreadsheet_program_keeps_its_computed_formulas():
    # Our template is written by openpyxl, which asks for calculation on opening; a helpdesk
    # fills it in WPS with a formula for 自费金额 (=C2*0.1 → 120 saved): read as 120.00, not refused.
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["就诊日期", "医疗机构级别", "费用总额", "自费金额"])
    ws.append(["2025-03-01", "三级", 1200, "=C2*0.1"])
    out = io.BytesIO()
    wb.save(out)
    edited = _rewritten(out.getvalue(), {"xl/worksheets/sheet1.xml": lambda data: data.replace(b"<f>C2*0.1</f><v />", b"<f>C2*0.1</f><v>120</v>")})
    assert b'fullCalcOnLoad="1"' in zipfile.ZipFile(io.BytesIO(edited)).read("xl/workbook.xml")
    read = ledger_io.read_visits("v.xlsx", edited)
    assert read.errors == [] and (read.visits[0]["total"], read.visits[0]["excluded"]) == ("1200.00", "120.00")


def test_the_about_sheets_caveats_name_their_visits_by_date():
    # 徐州, entered 2025-03-01 门诊 then 2025-02-10 药店: the pharmacy's reading concerns the
    # second visit entered, which is the 明细 sheet's first row (date order, no numbers): it
    # said "涉及第 2 次就诊", pointing at the clinic's row.
    from openpyxl import load_workbook

    from calculator.rules.contract import run_contract

    request = {"region": "xuzhou", "status": "employed", "age": 45, "visits": [
        {"date": "2025-03-01", "level": 3, "total": "500.00"},
        {"date": "2025-02-10", "level": 1, "setting": "pharmacy", "total": "80.00"},
    ]}
    status, result = run_contract(json.dumps(request))
    assert status == 200
    pharmacy = [w for w in result["warnings"] if w["visits"] == [2]]
    assert pharmacy, result["warnings"]
    rows = list(load_workbook(io.BytesIO(ledger_io.export_xlsx(result, request)))[ledger_io.ABOUT_SHEET].iter_rows(values_only=True))
    notes = [value for label, value in rows[1:] if label == "请注意"]
    assert any(n == pharmacy[0]["message"] + "（涉及 2025-02-10 的就诊）" for n in notes), notes
    assert not any("第 2 次" in n for n in notes)


def test_the_about_sheets_entries_are_cells_of_their_kind():
    # The command's workbook showed the age as "70.00" (money format), balances as text, the
    # retirement date as text beside a date cell; and "（上海：当年账户）" in every region.
    from openpyxl import load_workbook

    from calculator.rules.contract import run_contract

    for region, label in (("xuzhou", "个人账户余额"), ("shanghai", "当年账户余额")):
        request = {"region": region, "status": "retired", "age": 70, "retired_on": "2010-08-01", "account_balance": "200",
                   "visits": [{"date": "2024-09-05", "level": 1, "total": "500.00"}]}
        status, result = run_contract(json.dumps(request))
        assert status == 200
        sheet = load_workbook(io.BytesIO(ledger_io.export_xlsx(result, request)))[ledger_io.ABOUT_SHEET]
        cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
        assert cells["年龄"].value == 70 and cells["年龄"].number_format != "#,##0.00"
        assert cells[label].value == 200 and cells[label].number_format == "#,##0.00"
        assert cells["退休日期"].is_date and cells["退休日期"].value.date().isoformat() == "2010-08-01"
        assert not any("（上海" in str(key) for key in cells)


def test_a_csv_with_old_mac_line_endings_is_read():
    # Lines ending in a lone \r were refused as "格式有误（引号不成对等）".
    text = "就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\r2024-03-05,三级,门诊,1000,100,50\r2024-03-06,一级,门诊,200,,\r"
    read = ledger_io.read_visits("visits.csv", text.encode())
    assert read.errors == []
    assert [(v["date"], v["total"], v.get("excluded")) for v in read.visits] == [("2024-03-05", "1000.00", "100.00"), ("2024-03-06", "200.00", None)]


def test_command_person_amounts_with_trailing_zeros_are_read_as_the_form_reads_them(tmp_path):
    # "5000.000" (the page's form and a file's cell read it as 5000.00) was refused as over-
    # precise once the JSON became strict; 5000.005 still is. 武汉 细则第五条, employed: 2 % of
    # 5000 = 100 a month, 12 months in 2024 = 1,200.00.
    visits = tmp_path / "v.csv"
    visits.write_text("就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n2024-03-05,三级,门诊,1000,,\n", encoding="utf-8")
    person = ("--region", "wuhan", "--status", "employed", "--age", "45")
    for typed_base in ("5000.000", "5,000.000"):
        done = _manage("--csv", str(visits), *person, "--contribution-base", typed_base)
        assert done.returncode == 0, done.stdout
        assert json.loads(done.stdout)["personal_account"]["annual_allocation"] == "1200.00"
    done = _manage("--csv", str(visits), *person, "--contribution-base", "5000.005")
    assert done.returncode == 2 and json.loads(done.stdout)["errors"][0]["field"] == "contribution_base"
