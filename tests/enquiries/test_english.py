"""The saved-enquiry pages and messages in English (language cookie ``django_language=en``).

Chinese may remain only where it is quoted or named: policy titles and quotes (marked
``lang="zh-Hans"`` or in 《》), region names, the official slip terms shown in parentheses after
their English name, and the CSV/Excel column names (the files keep them in every language).
The Chinese pages themselves are covered, unchanged, by the other tests in this folder.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.enquiries.conftest import save_via_page

pytestmark = [pytest.mark.db, pytest.mark.django_db]

CJK = re.compile(r"[\u3400-\u9fff]")
COLUMN_NAMES = (
    "就诊日期", "医疗机构级别", "就诊类型", "医疗费总额", "全自费", "先行自付", "符合政策范围金额",
    "起付标准（本次）", "统筹基金支付", "个人账户支付", "个人现金支付", "依据", "费用总额", "自费金额", "乙类金额",
    "异地就医", "住院期间", "门诊慢性病", "收费类别",
)
IMPORT_VALUES = ("一级", "二级", "三级", "门诊", "药店", "互联网+", "非定点", "已备案", "未备案", "一类", "二类", "三类", "是")  # the values a file may hold
REGION_NAMES = ("武汉市",)


class _Text(HTMLParser):
    """The page's visible text, without scripts, styles, the language menu, the elements marked
    as Chinese (quotes and titles) and, if asked, one element by id."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, skip_id: str | None = None):
        super().__init__(convert_charrefs=True)
        self.skip_id = skip_id
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        a = dict(attrs)
        skip = (
            tag in ("script", "style", "select", "title")
            or (a.get("lang") or "").lower().startswith("zh")
            or (self.skip_id is not None and a.get("id") == self.skip_id)
        )
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self._skipping():
            self.parts.append(data)


def visible_text(html: str, skip_id: str | None = None) -> str:
    parser = _Text(skip_id)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _text(html: str) -> str:
    """The text of some markup, Chinese marked or not (its tags dropped)."""
    return re.sub(r"<[^>]+>", "", html)


def leftover_chinese(text: str) -> list[str]:
    """Chinese left after removing titles in 《》, glosses in parentheses, column and region names."""
    text = re.sub(r"《[^》]*》", " ", text)
    text = re.sub(r"[（(][^（()）]*[\u3400-\u9fff][^（()）]*[)）]", " ", text)  # "Visit date (就诊日期)"
    for name in sorted((*COLUMN_NAMES, *IMPORT_VALUES, *REGION_NAMES), key=len, reverse=True):
        text = text.replace(name, " ")
    return re.findall(r"\S*[\u3400-\u9fff]+\S*", text)


@pytest.fixture
def english(web):
    web.cookies["django_language"] = "en"
    return web


def test_the_saved_page_in_english(web):
    token = save_via_page(web)
    web.cookies["django_language"] = "en"
    html = web.get(f"/e/{token}/?saved=1").content.decode()
    assert '<html lang="en">' in html
    for phrase in (
        "<title>Saved estimate", ">Saved estimate</h1>", "<strong>Saved.</strong> Use the link below to reopen this estimate; how long it works is said under it.",
        ">Enquiry link</label>", ">Copy link</button>", "This link is kept for 180 days: it works until <strong>",
        ">Download CSV</a>", ">Download Excel</a>", ">Print (A4, with QR code)</a>",
        ">Open in the calculator to change</a>", ">What was entered</h2>", ">Visit 1</th>",
    ):
        assert phrase in html, phrase
    # The enquiry's own parts (the calculator's result below is the web app's, tested there).
    mine = visible_text(html, skip_id="results")
    assert leftover_chinese(mine) == [], leftover_chinese(mine)
    assert "Level 3" in mine and "Pharmacy" in mine


def test_the_print_page_in_english(web):
    token = save_via_page(web)
    web.cookies["django_language"] = "en"
    html = web.get(f"/e/{token}/print/").content.decode()
    assert '<html lang="en">' in html
    answer = re.search(r'id="print-answer">(.*?)</p>', html, re.S).group(1)
    assert answer.startswith("Estimated under the rules for employees in ")
    assert "2 outpatient visits" in answer and "¥794.00" in answer and "¥1,300.00" in answer  # grouped as on the results page
    for phrase in ("Outpatient reimbursement estimate</h1>", "Enquiry link: http://localhost/e/", "Scan to open the enquiry",
                   "Policies the calculation is based on", "Visit by visit (in date order)",
                   "(concerns the visits of 2024-03-01, 2024-04-01)"):
        assert phrase in html, phrase
    text = visible_text(html)
    assert leftover_chinese(text) == [], leftover_chinese(text)
    # The 依据 column names each basis by its number; below the table each is said once, the
    # titles followed by their English descriptions and the article named in English; the
    # rules table describes each title in English too.
    bases = re.search(r'<ol class="bases-print"[^>]*>(.*?)</ol>', html, re.S).group(1)
    assert bases.startswith("<li>[1] ") and "(Wuhan&#x27;s improved general outpatient pooling plan for employees (from re-posts))" in bases
    assert re.search(r"</span> \([^)]*\) Article \d+|\) (Reimbursement rates|Pharmacy purchases)", bases), bases
    assert "；" not in bases and "; <span" in bases  # the rule and its document, an English separator
    rules = re.search(r'<table id="print-rules">(.*?)</table>', html, re.S).group(1)
    assert "(Wuhan&#x27;s improved general outpatient pooling plan for employees (from re-posts))" in rules


def test_a_printed_rows_options_in_english(web):
    query = (
        "region=shanxi&status=employed&age=45"
        "&visits-0-date=2024-03-01&visits-0-level=3&visits-0-setting=clinic&visits-0-total=1000"
        "&visits-0-price_class=3&visits-0-offsite=unfiled&visits-0-inpatient_stay=on"
    )
    token = save_via_page(web, query)
    web.cookies["django_language"] = "en"
    html = web.get(f"/e/{token}/print/").content.decode()
    ledger = html[html.index('id="print-ledger"'):]
    row = ledger[ledger.index("<tbody>"):].split("</tr>")[0]
    options = re.findall(r'<span class="option">(.*?)</span>', re.findall(r"<td[^>]*>(.*?)</td>", row)[2])
    assert options == ["off-site, not registered", "during a hospital stay", "price class 3 or below"]


def test_changed_rules_in_english(web, new_wuhan_version):
    token = save_via_page(web)
    new_wuhan_version()
    web.cookies["django_language"] = "en"
    html = web.get(f"/e/{token}/").content.decode()
    assert "The rules this estimate used have changed since it was saved" in html
    assert "Visits 1, 2 now come under a new rule version, 《武汉市测试用新规定（2024）》" in _text(html)
    # The changes, the side-by-side figures' names and the print's note: Chinese read as Chinese.
    for path in (f"/e/{token}/", f"/e/{token}/print/"):
        page = web.get(path).content.decode()
        assert _unmarked_chinese(page) == [], (path, _unmarked_chinese(page)[:5])
    row = re.search(r'data-figure="visits\[0\]\.fund_paid">(.*?)</tr>', html, re.S).group(1)
    assert "Visit 1 (2024-03-01) · " in row and "¥539.00" in row and "¥637.00" in row
    mine = visible_text(html, skip_id="results")
    assert leftover_chinese(mine) == [], leftover_chinese(mine)


def test_an_import_error_in_english(english):
    upload = SimpleUploadedFile(
        "visits.csv",
        "就诊日期,医疗机构级别,就诊类型,医疗费总额,全自费金额,乙类金额\n2024-03-01,三级,门诊,1000,,\n2024-03-02,三级,门诊,abc,,\n".encode("utf-8-sig"),
        content_type="text/csv",
    )
    html = english.post("/e/import/", {"file": upload, "region": "wuhan", "age": "45"}).content.decode()
    feedback = html[html.index('id="import-feedback"'):]
    feedback = feedback[: feedback.index("</div>")]
    assert "The file was not imported" in feedback
    assert "Line 3: 医疗费总额 (total medical expenses) must be an amount in yuan, e.g. 1200.00." in _text(feedback)
    assert leftover_chinese(visible_text(feedback)) == []
    assert _unmarked_chinese("<main>" + feedback + "</main>") == []  # 医疗费总额 read as Chinese
    # The import form itself: English, with the column names kept as the file must have them.
    form = html[html.index('id="visit-import-title"'):]
    form = form[: form.index("</form>")]
    assert "Import visits (CSV or Excel)" in form and ">Import</button>" in form
    assert "就诊日期, 医疗机构级别, 就诊类型, 费用总额, 自费金额, 乙类金额" in _text(form)
    assert '<span lang="zh-Hans">就诊日期</span>, <span lang="zh-Hans">医疗机构级别</span>' in form  # read as Chinese
    assert leftover_chinese(visible_text(form)) == [], leftover_chinese(visible_text(form))


def test_a_file_that_is_not_csv_or_excel_in_english(english):
    upload = SimpleUploadedFile("visits.pdf", b"%PDF-1.4 not a table", content_type="application/pdf")
    html = english.post("/e/import/", {"file": upload}).content.decode()
    assert "Only CSV or Excel (.xlsx) files can be imported, and this file is neither." in html


def test_files_keep_their_chinese_headers_in_english(english):
    token = save_via_page(english)
    csv_text = english.get(f"/e/{token}/ledger.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("就诊日期,医疗机构级别,就诊类型,医疗费总额,全自费,先行自付")
    assert "合计" in csv_text and "三级" in csv_text
    template = english.get("/e/template.csv").content.decode("utf-8-sig")
    assert template.splitlines()[0] == "就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额,异地就医,住院期间,门诊慢性病,收费类别"


def test_the_503_page_in_english(english, monkeypatch):
    from calculator.enquiries import services

    def down(*args, **kwargs):
        raise services.DatabaseUnavailable()

    monkeypatch.setattr(services, "find_enquiry", down)
    response = english.get("/e/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/")
    assert response.status_code == 503
    html = response.content.decode()
    assert "the database is unavailable" in html and "Temporarily unavailable" in html
    assert leftover_chinese(visible_text(html)) == []


def test_the_chinese_page_is_still_chinese(web):
    token = save_via_page(web)
    html = web.get(f"/e/{token}/print/").content.decode()
    assert '<html lang="zh-Hans">' in html and "逐次明细（按就诊日期先后）" in html
    assert "统筹基金支付 794.00 元" in html and 'lang="zh-Hans">武汉' not in html


def test_a_calculation_saved_on_the_english_page_is_english(english):
    # Saved with the English page: the stored inputs say "en", so the API's reading of the
    # enquiry (no Accept-Language) answers in English like the page did.
    from calculator.enquiries.models import Enquiry

    token = save_via_page(english)
    enquiry = Enquiry.objects.get(token=token)
    assert enquiry.inputs["lang"] == "en" and enquiry.result["lang"] == "en"
    english.cookies.pop("django_language")
    body = english.get(f"/api/v1/enquiries/{token}").json()
    fund = body["today_result"]["visits"][0]["steps"]
    assert not any(CJK.search(s["explanation"]) for s in fund)


def test_the_copy_button_carries_its_messages_in_english(english):
    html = english.get(f"/e/{save_via_page(english)}/").content.decode()
    assert 'data-copied="Link copied."' in html
    assert 'data-copy-failed="The link could not be copied automatically: select it and copy it by hand."' in html


def test_saving_through_the_api_answers_errors_in_english_when_asked(client):
    body = {"region": "wuhan", "status": "employed", "age": 200, "lang": "en",
            "visits": [{"date": "2024-03-01", "level": 1, "total": "100"}]}
    response = client.post("/api/v1/enquiries", json.dumps(body), content_type="application/json")
    assert response.status_code == 400 and response["Content-Language"] == "en"
    assert response.json()["errors"] == [{"field": "age", "message": "Age must be between 0 and 120."}]


def test_the_enquiry_api_says_the_language_its_answer_is_in(client):
    # Saved with "lang": "en" and no header: the result is English and Content-Language says
    # so (it followed only the header). Reading it back with a header asking for Chinese gives
    # today's result in Chinese (the saved language was winning), and says zh-hans.
    body = {"region": "wuhan", "status": "employed", "age": 45, "lang": "en",
            "visits": [{"date": "2024-03-01", "level": 1, "total": "100"}]}
    saved = client.post("/api/v1/enquiries", json.dumps(body), content_type="application/json")
    assert saved.status_code == 201 and saved["Content-Language"] == "en"
    assert saved.json()["result"]["region_name"] == "Wuhan"
    token = saved.json()["token"]
    chinese = client.get(f"/api/v1/enquiries/{token}", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert chinese["Content-Language"] == "zh-hans" and chinese.json()["today_result"]["region_name"] == "武汉市"
    english = client.get(f"/api/v1/enquiries/{token}")  # no header: the saved language
    assert english["Content-Language"] == "en" and english.json()["today_result"]["region_name"] == "Wuhan"


def test_an_unusable_body_lang_leaves_the_headers_language_for_the_errors(client):
    # "lang": "fr" is itself refused; the client asked for English in its header: the errors
    # are English (they were Chinese), on calculate and on saving alike.
    body = {"region": "wuhan", "status": "employed", "age": "x", "lang": "fr",
            "visits": [{"date": "2024-03-01", "level": 1, "total": "100"}]}
    for path in ("/api/v1/calculate", "/api/v1/enquiries"):
        response = client.post(path, json.dumps(body), content_type="application/json", headers={"Accept-Language": "en"})
        assert response.status_code == 400 and response["Content-Language"] == "en", path
        fields = {e["field"]: e["message"] for e in response.json()["errors"]}
        assert set(fields) == {"age", "lang"} and not any("\u4e00" <= ch <= "\u9fff" for m in fields.values() for ch in m), fields


def test_a_link_todays_rules_cannot_recompute_says_why_in_english(web, monkeypatch):
    # Saved with 2024 visits under 武汉's 2023-04-10 version; if that version ended 2023-12-31
    # with none after it, today's rules cover no 2024 date: the English page says why in
    # English (it was the contract's Chinese message).
    import dataclasses
    import datetime as dt

    from calculator.rules import registry
    from tests.enquiries.conftest import _patch_wuhan

    token = save_via_page(web)
    patched = _patch_wuhan(monkeypatch, lambda old: [old[0], dataclasses.replace(old[1], effective_to=dt.date(2023, 12, 31))])
    index = {key: patched[region.code] for key, region in registry._alias_index().items()}
    monkeypatch.setattr(registry, "_alias_index", lambda: index)  # names resolve to the patched region
    web.cookies["django_language"] = "en"
    html = web.get(f"/e/{token}/").content.decode()
    assert "2024-03-01" in html and "Wuhan" in html
    assert "不在武汉市已收录的政策期间内" not in html


def test_the_print_of_a_link_todays_rules_cannot_recompute_says_it_prints_the_saved_figures(web, monkeypatch):
    # As above: the print page printed the saved figures under "the figures on this page use
    # today's rules"; it now says they are the saved ones, and why.
    import dataclasses
    import datetime as dt

    from calculator.rules import registry
    from tests.enquiries.conftest import _patch_wuhan

    token = save_via_page(web)
    patched = _patch_wuhan(monkeypatch, lambda old: [old[0], dataclasses.replace(old[1], effective_to=dt.date(2023, 12, 31))])
    index = {key: patched[region.code] for key, region in registry._alias_index().items()}
    monkeypatch.setattr(registry, "_alias_index", lambda: index)
    html = web.get(f"/e/{token}/print/").content.decode()
    assert "按今天收录的规定已无法重新计算这次查询，本页数字是保存时的结果。" in html
    assert "本页数字按今天的规定计算" not in html
    web.cookies["django_language"] = "en"
    english = web.get(f"/e/{token}/print/").content.decode()
    assert "the figures on this page are those saved" in english and "use today's rules" not in english
    # Why, and the saved answer, with their Chinese glosses read as Chinese (WCAG 3.1.2).
    for path in (f"/e/{token}/print/", f"/e/{token}/"):
        html = web.get(path).content.decode()
        assert _unmarked_chinese(html) == [], (path, _unmarked_chinese(html)[:5])


def test_import_notes_in_english_gloss_the_columns(english):
    # A header without 就诊日期/费用总额: the missing columns and the template's header are named
    # as the file must have them, each with its English gloss. An unquoted "1,200.00" read as
    # 自费金额 "1" and 乙类金额 "200.00": the note to check glosses both columns too.
    upload = SimpleUploadedFile("visits.csv", "备注,医疗机构级别\n门诊,三级\n".encode(), content_type="text/csv")
    html = english.post("/e/import/", {"file": upload, "region": "wuhan", "age": "45"}).content.decode()
    feedback = html[html.index('id="import-feedback"'):]
    feedback = feedback[: feedback.index("</div>")]
    assert "lacks the columns 就诊日期 (visit date), 费用总额 (total medical expenses)." in _text(feedback), feedback
    assert "费用总额 (total medical expenses), 自费金额 (fully self-paid amount)" in _text(feedback)
    upload = SimpleUploadedFile(
        "visits.csv",
        "就诊日期,医疗机构级别,就诊类型,费用总额,自费金额,乙类金额\n2025-03-01,三级,门诊,1500,1,200.00\n".encode(),
        content_type="text/csv",
    )
    html = english.post("/e/import/", {"file": upload, "region": "wuhan", "age": "45"}).content.decode()
    assert (
        "Line 2: 自费金额 (fully self-paid amount) 1 and 乙类金额 (Class B amount) 200.00 were imported as two amounts"
        in _text(html).replace("&quot;", '"')
    ), html[html.find("Line 2"):][:300]


def _unmarked_chinese(html: str) -> list[str]:
    """Chinese text of an English page's <main> not inside an element marked lang="zh-Hans"
    (WCAG 3.1.2); an <option> can hold no mark-up, so its glosses are left out."""
    main = html[html.index("<main"):html.index("</main>")]
    main = re.sub(r"<option[^>]*>.*?</option>", "", main, flags=re.S)
    main = re.sub(r"<script.*?</script>", "", main, flags=re.S)
    unmarked = re.sub(r'<(span|blockquote|q|cite|p|li|a|strong|td|th|h\d|figcaption)[^>]*lang="zh-Hans"[^>]*>.*?</\1>', "", main, flags=re.S)
    return [t for t in re.split(r"<[^>]+>", unmarked) if re.search(r"[\u4e00-\u9fff]", t)]


def test_the_chinese_glosses_of_the_english_enquiry_and_print_pages_are_marked_chinese(web):
    # "Insured region (参保地区)", "Shanxi Province incl. Jincheng (山西省（晋城市等）)": a screen reader
    # reading English says the Chinese in Chinese only where it is marked so. 云南: a reading of
    # a clause (over the cap, "moved to inpatient (住院) benefits") translated with a gloss.
    query = (
        "region=yunnan&status=retired&age=66&retired_on=2015-06-30&account_balance=300"
        "&visits-0-date=2025-03-01&visits-0-level=3&visits-0-setting=clinic&visits-0-total=1000&visits-0-class_b=40"
    )
    token = save_via_page(web, query)
    web.cookies["django_language"] = "en"
    for path in (f"/e/{token}/", f"/e/{token}/print/", "/?" + query):
        html = web.get(path).content.decode()
        assert _unmarked_chinese(html) == [], (path, _unmarked_chinese(html)[:5])
        assert '<span lang="zh-Hans"><span lang="zh-Hans">' not in html
    html = web.get(f"/e/{token}/").content.decode()
    assert '<dt>Insured region (<span lang="zh-Hans">参保地区</span>)</dt>' in html
