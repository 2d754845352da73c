"""The results page, answer first (issue 7): the answer sentence quotes the engine's totals and
they add up, each notice is listed once with its visits, every clause is quoted once, sources
say what they are, and the page weight limits."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db

WUHAN = {
    "region": "wuhan", "status": "retired", "age": "68", "retired_on": "2015-06-30",
    "visits-0-date": "2024-03-05", "visits-0-level": "3", "visits-0-setting": "clinic", "visits-0-total": "1000",
    "visits-0-class_b": "200",
    "visits-1-date": "2024-04-01", "visits-1-setting": "pharmacy", "visits-1-total": "300",
    "visits-2-date": "2024-02-01", "visits-2-level": "2", "visits-2-setting": "clinic", "visits-2-total": "5000",
}
SHANGHAI = {
    "region": "shanghai", "status": "retired", "age": "70", "retired_on": "2010-08-01", "account_balance": "100",
    "visits-0-date": "2024-08-01", "visits-0-level": "1", "visits-0-setting": "clinic", "visits-0-total": "250",
    "visits-1-date": "2024-09-01", "visits-1-level": "3", "visits-1-setting": "clinic", "visits-1-total": "1000",
}


def page(client, params, language=None):
    if language:
        client.cookies["django_language"] = language
    response = client.get("/?" + urlencode(params))
    assert response.status_code == 200
    return response.content.decode()


def answer(html: str) -> str:
    match = re.search(r'<p class="answer" id="answer">(.*?)</p>', html, re.S)
    assert match, "no answer sentence"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def amounts(sentence: str) -> list[Decimal]:
    """The money in a sentence, in order ("1,150.00 元" or "¥1,150.00")."""
    return [Decimal(m.replace(",", "")) for m in re.findall(r"¥?(\d[\d,]*\.\d\d)", sentence)]


def card(html: str, name: str) -> Decimal:
    text = re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)
    return Decimal(re.sub(r"[^\d.]", "", text))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_answer_sentence_quotes_the_totals_and_they_add_up(client, language):
    html = page(client, WUHAN, language)
    sentence = answer(html)
    total, fund, member = amounts(sentence)  # no balance entered: "all counted as cash"
    # The sentence quotes the figure cards (the engine's totals)…
    assert [total, fund, member] == [card(html, "total"), card(html, "fund_paid"), card(html, "member_paid")]
    # …and they recompute: fund + member = total; all of the member's share is cash.
    assert fund + member == total
    assert (card(html, "account_paid"), card(html, "cash_paid")) == (0, member)
    # 武汉 优化方案, retired, in date order: 3,750.00 + 637.00 + 113.00 (cap 4,500 reached).
    assert (total, fund, member) == (Decimal("6300.00"), Decimal("4500.00"), Decimal("1800.00"))
    if language == "zh-hans":
        assert sentence.startswith("这 3 次就诊共 6,300.00 元：统筹基金支付 4,500.00 元，您个人负担 1,800.00 元")
    else:
        assert sentence.startswith("These 3 visits cost ¥6,300.00 in all")
        assert not re.search(r"[\u4e00-\u9fff]", sentence)


def test_answer_says_when_the_account_balance_was_left_empty(client):
    # No balance entered: all counted as cash, without a nil "个人账户 0.00 元" beside it.
    sentence = answer(page(client, WUHAN))
    assert sentence.endswith("（未填个人账户余额，全部按现金计算）。") and len(amounts(sentence)) == 3
    sentence = answer(page(client, SHANGHAI))
    assert "未填个人账户余额" not in sentence
    total, fund, member, account, cash = amounts(sentence)
    assert account == Decimal("100.00") and account + cash == member and fund + member == total
    assert "（个人账户 100.00 元，现金" in sentence


def test_one_visit_reads_as_one(client):
    params = {k: v for k, v in WUHAN.items() if not k.startswith(("visits-1", "visits-2"))}
    assert answer(page(client, params)).startswith("这 1 次就诊共")
    assert answer(page(client, params, "en")).startswith("This visit cost ¥")


def test_answer_comes_right_under_the_heading_then_the_cards(client):
    html = page(client, WUHAN)
    results = html[html.index('id="results"'):]
    heading = results.index('id="results-title"')
    assert heading < results.index('id="answer"') < results.index('id="summary"') < results.index('id="notices"')
    between = results[results.index("</h2>"):results.index('id="answer"')]
    assert re.sub(r"\s+", "", between) == '</h2><pclass="answer"', "nothing between the heading and the answer"


YUNNAN_OVER_CAP = {
    "region": "yunnan", "status": "employed", "age": "45",
    "visits-0-date": "2025-01-10", "visits-0-level": "3", "visits-0-setting": "clinic", "visits-0-total": "8000",
    "visits-1-date": "2025-02-10", "visits-1-level": "3", "visits-1-setting": "clinic", "visits-1-total": "9000",
    "visits-2-date": "2025-03-10", "visits-2-level": "1", "visits-2-setting": "clinic", "visits-2-total": "500",
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_share_going_over_to_inpatient_cover_is_said_beside_the_answer(client, language):
    # 云南省办法, employed: 起付 60/次 at 三级, 20 at 一级; 50% / 60%; cap 6000 (第八条: above
    # it, policy-range expense goes over to inpatient cover, which no document here prices).
    #   v1 8000 三级: (8000 − 60) × 50% = 3,970.00 paid; 2,030.00 of the cap left.
    #   v2 9000 三级: (9000 − 60) × 50% = 4,470.00 due, 2,030.00 paid: 2,440.00 over the cap.
    #   v3 500 一级, cap used up: all 500.00 goes over.
    # Member 17,500 − 6,000 = 11,500.00, of which 2,440 + 500 = 2,940.00 is counted as the
    # member's for now: said beside the answer, with the visits it comes from.
    html = page(client, YUNNAN_OVER_CAP, language)
    assert card(html, "member_paid") == Decimal("11500.00")
    note = re.search(r'<p class="answer-note" id="transfer-note">(.*?)</p>', html, re.S)
    assert note, "no note beside the answer"
    text = unescape(re.sub(r"<[^>]+>", "", note.group(1)))
    assert amounts(text) == [Decimal("2940.00")]
    assert html.index('id="summary"') < html.index('id="transfer-note"') < html.index('id="notices"')
    if language == "zh-hans":
        assert text.startswith("其中 2,940.00 元暂列为个人负担（第 2、3 次就诊）")
        # Each visit's own sentence calls its share the same (暂列为个人负担), with its figure.
        # (A figure and its 元 are joined by a no-break space on the page: never split on a phone.)
        assert "这 2,440\u00a0元暂列为个人负担" in html and "本次符合政策范围的 500\u00a0元全部按规定转入住院待遇" in html
    else:
        assert "(visits 2, 3)" in text and not re.search(r"[\u4e00-\u9fff]", text)
    # Where nothing goes over, nothing is said.
    assert 'id="transfer-note"' not in page(client, WUHAN, language)


def test_each_notice_is_listed_once_with_its_visits(client):
    html = page(client, WUHAN)
    notices = re.findall(r'<li id="(notice-\d+)"><span>(.*?)</span>(.*?)</li>', html, re.S)
    assert len(notices) >= 1
    summary = re.search(r'<summary class="notices-title">请注意（(\d+) 条）</summary>', html)
    assert summary and int(summary.group(1)) == len(notices)
    for anchor, message, _rest in notices:
        assert html.count(message) == 1, f"{anchor} is shown more than once"
    # The re-post notice concerns all three visits, and each visit links to it.
    repost = next(a for a, m, _ in notices if "优化方案" in m and "转载" in m)
    body = {a: rest for a, _, rest in notices}[repost]
    assert "（涉及第 1、2、3 次就诊）" in body
    for n in (1, 2, 3):
        visit = html.split(f'id="visit-{n}"')[1].split("</details></li>")[0]
        assert f'href="#{repost}"' in visit
    # The notices sit in one collapsible block, closed.
    assert html.count('<details class="notices" id="notices">') == 1


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_notice_on_many_visits_names_a_run_of_them_by_its_ends(client, language):
    """Eight 武汉 visits, rows 1–8, the re-post notice on each: "第 1–8 次", not eight numbers
    (forty of them were eight lines on a phone). Rows entered out of date order change nothing:
    the numbers are the rows, in ascending order."""
    params = {"region": "wuhan", "status": "employed", "age": "45"}
    for i, day in enumerate(["03-05", "01-10", "02-01", "04-01", "05-06", "06-07", "07-08", "08-09"]):
        params |= {f"visits-{i}-date": f"2024-{day}", f"visits-{i}-level": "2", f"visits-{i}-total": "300"}
    html = page(client, params, language)
    notices = re.findall(r'<li id="(notice-\d+)"><span>(.*?)</span>(.*?)</li>', html, re.S)
    repost = next(rest for _, m, rest in notices if ("优化方案" in m or "optimisation plan" in m))
    assert ("（涉及第 1–8 次就诊）" if language == "zh-hans" else "(concerns visits 1–8)") in repost


def test_every_clause_is_quoted_once_and_every_link_has_its_target(client):
    html = page(client, WUHAN)
    quotes = re.findall(r'<blockquote class="quote" lang="zh-Hans">(.*?)</blockquote>', html, re.S)
    assert quotes and len(quotes) == len(set(quotes))
    basis = html[html.index('id="basis"'):]
    assert len(re.findall(r"<blockquote", basis)) == len(quotes), "quotes only in the 依据 section"
    for target in set(re.findall(r'href="#((?:clause|notice|visit)-\d+)"', html)):
        assert html.count(f'id="{target}"') == 1, target


def test_the_account_links_each_clause_its_months_come_from(client):
    """玉溪 2024, an employee: January–October under the 细则 第十五条, November–December under
    云南省办法 第九条, both 2% of the base: 5,000 × 2% = 100 × 12 = 1,200. The sentence names
    the second document and both clauses are linked and quoted in 依据."""
    params = {
        "region": "yuxi", "status": "employed", "age": "40", "contribution_base": "5000",
        "visits-0-date": "2024-03-01", "visits-0-level": "1", "visits-0-setting": "clinic", "visits-0-total": "100",
    }
    html = page(client, params)
    account = html[html.index('<div class="personal-account">'):]
    account = account[:account.index("</div>")]
    assert "12 个月共 1,200 元" in account
    assert "其中 2024-11 至 2024-12 适用《云南省职工基本医疗保险门诊共济保障实施办法》第九条，计入标准相同。" in account
    links = re.findall(r'href="#(clause-\d+)"', account)
    assert len(links) == 2
    basis = html[html.index('id="basis"'):]
    for target in links:
        item = basis[basis.index(f'id="{target}"'):]
        assert "个人账户" in item[:item.index("</li>")]


def test_each_document_is_named_once_with_its_passages_numbered_in_order(client):
    html = page(client, WUHAN)
    index = html[html.index('<ol class="clause-index">'):html.index("</section>", html.index('id="basis"'))]
    titles = re.findall(r'<p class="clause-doc-title"><span lang="zh-Hans">(《[^<]*》)</span>', index)
    assert titles and len(titles) == len(set(titles))
    assert "《武汉市职工基本医疗保险门诊共济保障实施细则》" in titles
    numbers = [int(n) for n in re.findall(r'<span class="clause-number">(\d+)</span>', index)]
    assert numbers == list(range(1, len(numbers) + 1))
    # A passage's summary is its article; the document, its issuer and status are above it.
    first = index[index.index('<li class="clause-doc">'):index.index("</ol></li>")]
    assert first.index("clause-meta") < first.index('<li class="clause-item">')


def test_visit_rows_are_compact_with_steps_behind_a_disclosure(client):
    html = page(client, WUHAN)
    cards = re.findall(r'<li class="visit-card" id="visit-(\d+)" data-visit="\d+">(.*?)</details></li>', html, re.S)
    assert [n for n, _ in cards] == ["3", "1", "2"]  # date order
    for _, body in cards:
        head = body.split('<details class="how">')[0]
        assert re.search(r"\d{4}-\d\d-\d\d", head)  # the date
        assert len(re.findall(r"<dd[^>]*>[\d,.]+ 元</dd>", head)) == 3  # total, fund, member
        assert '<summary>怎么算的' in body and "<ol class=\"steps\">" in body


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_sources_say_what_they_are(client, language):
    html = page(client, WUHAN, language)
    assert "权威转载" not in html and "Authoritative" not in html
    assert "所存文本" not in html and "转载未载文号" not in html
    basis = html[html.index('id="basis"'):]
    if language == "zh-hans":
        assert "转载（非官方）" in basis and "官方原文" in basis and "原文未注明文号" in basis
        assert "核对情况：所见最新资料为 2025 年 1 月的转载，未见调整。" in basis
    else:
        assert "Re-post (not official)" in basis and "Official text" in basis
        assert "no document number in the text found" in basis
        # Chinese titles, each followed by an English description.
        assert re.search(r'<span lang="zh-Hans">《[^<]*》[^<]*</span> <span class="title-en">\([A-Za-z]', basis)
        assert "Last checked:" in basis


def test_english_results_carry_chinese_only_in_titles_and_quotes(client):
    html = page(client, WUHAN, "en")
    results = html[html.index('id="results"'):html.index("</section>", html.index('id="basis"'))]
    # Take out what may be Chinese: quotes, titles and issuers (marked lang="zh-Hans"), and
    # the link texts of the policy titles.
    stripped = re.sub(r'<(span|blockquote|a)[^>]*lang="zh-Hans"[^>]*>.*?</\1>', "", results, flags=re.S)
    text = unescape(re.sub(r"<[^>]+>", " ", stripped))
    text = re.sub(r"《[^》]*》", "", text)  # titles named inside an English sentence
    chinese = re.findall(r"[\u4e00-\u9fff]+", text)
    assert not chinese, chinese[:20]


SHANGHAI_NEW_YEAR = {
    "region": "shanghai", "status": "retired", "age": "72", "retired_on": "2012-06-01",
    "account_balance": "300", "prior_years_balance": "2000",
    "visits-0-date": "2025-01-15", "visits-0-level": "3", "visits-0-total": "1800",
    "visits-1-date": "2025-03-20", "visits-1-level": "1", "visits-1-total": "450",
    "visits-2-date": "2025-07-08", "visits-2-level": "2", "visits-2-total": "900",
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_visits_in_a_new_insurance_year_are_qualified_beside_the_answer(client, language):
    """上海 visits of 2025-01 and 2025-03 (the 2024 医保年度) and 2025-07-08 (2025's): the last is
    worked out with no 当年账户, the new year's credit being unknown. Said beside the answer,
    before 请注意 (audit: only in the closed list, under totals a member takes as theirs)."""
    html = page(client, SHANGHAI_NEW_YEAR, language)
    note = re.search(r'<p class="answer-note" id="new-year-note">(.*?)</p>', html, re.S)
    assert note, "no note beside the answer"
    text = unescape(re.sub(r"<[^>]+>", "", note.group(1)))
    if language == "zh-hans":
        assert text.startswith("第 3 次就诊在新的医保年度：")
    else:
        assert text.startswith("Visit 3 falls in a new insurance year:") and not re.search(r"[\u4e00-\u9fff]", text)
    assert html.index('id="summary"') < html.index('id="new-year-note"') < html.index('id="notices"')
    # One visit year: nothing to say.
    one_year = {k: v for k, v in SHANGHAI_NEW_YEAR.items() if not k.startswith("visits-2-")}
    assert 'id="new-year-note"' not in page(client, one_year, language)


def test_the_new_year_note_says_which_way_the_figures_would_move():
    """The note says the fund's payment and the cash could only be lower with the new year's
    当年账户. Visit 3 (二级, 900) as worked out, with no 当年账户: 自负段 300, then 80% of
    900 − 300 = 600 → fund 480.00; the member's 300 + 120 = 420 from the 历年账户 (1,332.50 of
    it left), cash 0.00. Worked out again as the first visit of its year with a 当年账户 of 1,680
    (上海's yearly credit for a retiree of 74 or under): the account pays the 900 first and none
    of it counts toward the 自负段, so fund 0.00 ≤ 480.00 and cash 0.00 ≤ 0.00."""
    import json

    from calculator.rules.contract import run_contract

    visits = [{"date": "2025-01-15", "level": 3, "total": "1800"}, {"date": "2025-03-20", "level": 1, "total": "450"},
              {"date": "2025-07-08", "level": 2, "total": "900"}]
    person = {"region": "shanghai", "status": "retired", "age": 72, "retired_on": "2012-06-01"}
    status, combined = run_contract(json.dumps(person | {"account_balance": "300", "prior_years_balance": "2000", "visits": visits}))
    assert status == 200
    status, alone = run_contract(json.dumps(person | {"account_balance": "1680", "visits": visits[2:]}))
    assert status == 200
    with_account, without = alone["visits"][0], combined["visits"][2]
    assert with_account["fund_paid"] == "0.00" and with_account["cash_paid"] == "0.00"  # 900 from the account
    assert Decimal(with_account["fund_paid"]) <= Decimal(without["fund_paid"])
    assert Decimal(with_account["cash_paid"]) <= Decimal(without["cash_paid"])


def test_print_block_has_the_inputs_tier_date_and_address(client):
    html = page(client, SHANGHAI)
    block = re.search(r'<dl class="print-only print-inputs"[^>]*>(.*?)</dl>', html, re.S).group(1)
    text = unescape(re.sub(r"<[^>]+>", " ", block))
    assert "上海市" in text and "退休" in text and "70" in text and "2010-08-01" in text
    assert "2001-01-01 起退休人员" in text  # the retiree tier applied
    # Each visit says whose rules it was worked out under: the cohort's date parted from 按.
    assert "按 2001-01-01 起退休人员待遇，2024医保年度" in unescape(re.sub(r"<[^>]+>", " ", html))
    assert "100.00 元" in text
    assert re.search(r"打印日期\s+\d{4}-\d\d-\d\d", text)
    assert "http://testserver/?region=shanghai" in text


def test_chart_numbers_every_visit(client):
    html = page(client, WUHAN)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert sorted(re.findall(r'<text class="chart-number"[^>]*>(\d+)</text>', svg)) == ["1", "2", "3"]
    assert svg.count("<circle ") == 3
    legend = re.search(r'<ol class="chart-legend".*?</ol>', html, re.S).group(0)
    assert re.findall(r"<b>(\d+)</b>", legend) == ["3", "1", "2"]
    assert "4,500.00" in legend


def test_a_crowded_chart_never_writes_one_number_over_another(client):
    """Forty 武汉 visits a week apart: numbers of close points go on staggered lines, and where
    no line has room the number is left off the chart (the legend lists every visit); two
    numbers on one line are never closer than the wider one's width (8px a digit, and 3px
    clear): the audit found "3133 3537" run together."""
    params = {"region": "wuhan", "status": "retired", "age": "68", "retired_on": "2015-06-30"}
    start = date(2025, 1, 1)
    for i in range(40):
        params |= {f"visits-{i}-date": (start + timedelta(days=7 * i)).isoformat(), f"visits-{i}-level": "2",
                   f"visits-{i}-total": "700"}
    html = page(client, params)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    drawn = [(float(x), float(y), n) for x, y, n in re.findall(r'<text class="chart-number" x="([\d.]+)" y="([\d.]+)">(\d+)</text>', svg)]
    assert len(drawn) >= 10  # most still numbered on the chart
    by_line: dict[float, list[tuple[float, str]]] = {}
    for x, y, n in drawn:
        by_line.setdefault(y, []).append((x, n))
    for numbers in by_line.values():
        numbers.sort()
        for (x1, _n1), (x2, n2) in zip(numbers, numbers[1:]):
            assert x2 - x1 >= 8 * len(n2) + 3, (x1, x2, n2)  # texts end at x, anchored at the end
    legend = re.search(r'<ol class="chart-legend".*?</ol>', html, re.S).group(0)
    assert sorted(int(n) for n in re.findall(r"<b>(\d+)</b>", legend)) == list(range(1, 41))


def test_regions_table_marks_figures_from_re_posts(client):
    html = client.get("/policies/").content.decode()
    rows = re.findall(r'<tr>\s*<th scope="row"[^>]*><a href="#rule-([\w-]+)">(.*?)</tr>', html, re.S)
    marked = {rule: "据转载" in body for rule, body in rows}
    assert marked["wuhan-2023-04"] is True  # the 优化方案's figures are re-posted
    assert marked["xuzhou-2023"] is False
    # 上海's ratios are the 办法's own (official); only its pharmacy line rests on a re-post and
    # says so itself, not the whole cell (audit).
    shanghai = dict((rule, body) for rule, body in rows)["shanghai-2023"]
    ratios = re.findall(r'<td data-label="统筹基金支付比例">(.*?)</td>', shanghai, re.S)[0]
    assert '<span class="repost-mark">' not in ratios
    assert re.search(r"<li>定点零售药店：[^<]*（据转载）</li>", ratios), ratios
    assert "权威转载" not in html and "所存文本未载文号" not in html


def typed_visits(visits: int, year: int = 2024, *, excluded: bool = False) -> dict[str, str]:
    """``visits`` visits through the year, levels and settings in turn, a 乙类 amount (and a
    全自费 one with ``excluded``) on every other one."""
    typed: dict[str, str] = {}
    for i in range(visits):
        typed.update({
            f"visits-{i}-date": f"{year}-{1 + (i * 11) // visits:02d}-{1 + (i * 7) % 27:02d}",
            f"visits-{i}-level": str(1 + i % 3),
            f"visits-{i}-setting": ("clinic", "pharmacy", "clinic", "internet", "clinic")[i % 5],
            f"visits-{i}-total": str(300 + (i * 137) % 900),
        })
        if i % 2 == 0:
            typed[f"visits-{i}-class_b"] = "80"
            if excluded:
                typed[f"visits-{i}-excluded"] = "50"
    return typed


def results_query(visits: int) -> str:
    query = {"region": "wuhan", "status": "retired", "age": "68", "retired_on": "2015-06-30"}
    return "/?" + urlencode({**query, **typed_visits(visits)})


def results_section(html: str) -> str:
    return html[html.index('<section id="results"'):html.index("</section>", html.index('id="basis"'))]


@pytest.mark.parametrize(("visits", "limit_kib"), [(10, 40), (50, 125)])
def test_results_section_weight(client, visits, limit_kib):
    """The results section alone (this page's answer, rows, chart and 依据)."""
    html = client.get(results_query(visits)).content.decode()
    size = len(results_section(html).encode()) / 1024
    assert size <= limit_kib, f"{visits} visits: results section {size:.1f} KiB"


@pytest.mark.parametrize(
    ("visits", "limit_kib"),
    [
        (10, 80),
        (50, 300),
    ],
)
def test_whole_page_weight_limits_of_issue_7(client, visits, limit_kib):
    html = client.get(results_query(visits)).content
    assert len(html) / 1024 <= limit_kib


# The busiest person of each region (a retiree where the rules have retiree tiers) and a year
# its rules cover.
PEOPLE = {
    "wuhan": ({"status": "retired", "age": "68", "retired_on": "2015-06-30"}, 2024),
    "xuzhou": ({"status": "employed", "age": "45"}, 2024),
    "shanghai": ({"status": "retired", "age": "70", "retired_on": "2010-08-01", "account_balance": "300"}, 2024),
    "shanxi": ({"status": "employed", "age": "45"}, 2024),
    "yunnan": ({"status": "retired", "age": "66"}, 2025),
    "neimenggu": ({"status": "employed", "age": "45"}, 2024),
    "yuxi": ({"status": "retired", "age": "66"}, 2025),
}


def as_a_browser_sends_it(html: str, typed: dict[str, str]) -> list[tuple[str, str]]:
    """The calculator form of ``html`` submitted with ``typed`` filled in: every text field
    and select, empty ones too, with its value (an unticked checkbox is not sent)."""
    form = html[html.index('<form id="calculator-form"'):]
    form = form[:form.index("</form>")]
    sent = []
    for tag, name in re.findall(r'<(input|select) (?:type="(?:text|radio)" )?name="([^"]+)"', form):
        if name in typed:
            sent.append((name, typed[name]))
        elif tag == "select":
            select = re.search(rf'<select name="{re.escape(name)}".*?</select>', form, re.S).group(0)
            chosen = re.search(r'<option value="([^"]*)"[^>]* selected', select) or re.search(r'<option value="([^"]*)"', select)
            sent.append((name, unescape(chosen.group(1))))
        elif name != "status":
            sent.append((name, ""))
    return list(dict.fromkeys(sent))


def heaviest_ten_visits(region: str) -> dict[str, str]:
    """Ten visits, 乙类 and 全自费 amounts on every other one."""
    person, year = PEOPLE[region]
    return {"region": region, **person, **typed_visits(10, year, excluded=True)}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("region", sorted(PEOPLE))
def test_every_regions_heaviest_ten_visit_page_is_within_80_kib(client, region, language):
    """Issue 7's limit for every region and language, with the query a browser sends (every
    field of the region's form, empty ones too)."""
    client.cookies["django_language"] = language
    typed = heaviest_ten_visits(region)
    blank = client.get("/?" + urlencode(typed)).content.decode()  # the region's own form
    html = client.get("/?" + urlencode(as_a_browser_sends_it(blank, typed))).content
    assert b'id="results"' in html and html.count(b'<li class="visit-card"') == 10
    assert len(html) / 1024 <= 80, f"{region} {language}: {len(html) / 1024:.1f} KiB"


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _year_line(html: str, year: int) -> str:
    """The text of the year's entry in 各年度累计."""
    return _text(html[html.index(f'<li data-year="{year}">'):].split("</li>")[0])


def test_a_year_whose_visits_the_fund_does_not_cover_names_no_deductible(client):
    # 武汉 2024 (优化方案: no deductible), one visit at a non-designated institution: nothing was
    # counted; "起付标准：0.00 元" would name a deductible this version does not have. The cap
    # line stays: all of 3500 is left (employed, 优化方案's cap), as nothing was paid.
    html = page(client, {
        "region": "wuhan", "status": "employed", "age": "40",
        "visits-0-date": "2024-03-01", "visits-0-level": "2", "visits-0-setting": "non_designated", "visits-0-total": "500",
    })
    year = _year_line(html, 2024)
    assert "本年度的普通门诊就诊都不由统筹基金支付，不计入年度累计。" in year
    assert "起付标准" not in year
    assert "尚余 3,500.00 元" in year


def _one_chronic_visit(client, setting: str) -> tuple[str, str]:
    """玉溪 2024, a retiree's one 门诊慢性病 visit of 3000: the page and its year's line."""
    html = page(client, {
        "region": "yuxi", "status": "retired", "age": "70", "chronic_disease_count": "2",
        "visits-0-date": "2024-10-10", "visits-0-level": "2", "visits-0-setting": setting, "visits-0-total": "3000",
        "visits-0-chronic": "on",
    })
    return html, _year_line(html, 2024)


def test_a_year_of_only_chronic_visits_says_so_instead_of_empty_general_lines(client):
    # The general deductible and cap were never touched.
    html, year = _one_chronic_visit(client, "clinic")
    assert "本年度没有普通门诊就诊" in year and "尚余 —" not in year and "起付标准：" not in year
    assert "门诊慢性病：" in year
    # The visit's cap step is named for the pool it counts (not 年度最高支付限额), and so is the chart.
    # (The visit's card: the caveats above may quote a document's own 年度最高支付限额.)
    assert "年度最高支付限额" not in _text(html[html.index('id="visit-1"'):html.index('id="years-title"')])
    # At a non-designated institution no chronic line follows: the year does not say
    # "门诊慢性病另行累计，见下".
    _, year = _one_chronic_visit(client, "non_designated")
    assert "本年度只有门诊慢性病就诊，都不由统筹基金支付，不计入年度累计。" in year
    assert "见下" not in year


def test_a_shanghai_year_without_a_deductible_step_is_headed_by_its_term(client):
    # 上海: the 2023医保年度 visit's 自负段 is paid by the 当年账户 (no deductible step that year);
    # the year line still says 自负段 (the document's term), as the next year's does.
    html = page(client, {
        "region": "shanghai", "status": "employed", "age": "40", "account_balance": "300", "prior_years_balance": "2000",
        "visits-0-date": "2024-06-10", "visits-0-level": "3", "visits-0-setting": "clinic", "visits-0-total": "100",
        "visits-1-date": "2024-07-01", "visits-1-level": "3", "visits-1-setting": "clinic", "visits-1-total": "900",
    })
    panel = _text(html[html.index('id="years-title"'):].split("</ul>")[0])
    assert panel.count("自负段：") == 2 and "起付标准：" not in panel, panel


# 徐州: the 2025 visit meets the off-site notice (new, listed late) before the cap's assumption
# (listed at the first visit): its links once read "第 5 条、第 2 条".
XUZHOU_OFFSITE = {
    "region": "xuzhou", "status": "retired", "age": "66", "retired_on": "2015-01-01",
    "visits-0-date": "2023-05-10", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "2129",
    "visits-1-date": "2025-02-16", "visits-1-level": "1", "visits-1-setting": "clinic", "visits-1-total": "2098",
    "visits-1-offsite": "unfiled",
    "visits-2-date": "2023-01-05", "visits-2-level": "3", "visits-2-setting": "pharmacy", "visits-2-total": "1190",
    "visits-2-class_b": "20",
    "visits-3-date": "2023-07-29", "visits-3-level": "2", "visits-3-setting": "clinic", "visits-3-total": "191",
    "visits-3-offsite": "filed",
}


@pytest.mark.parametrize("params", [WUHAN, SHANGHAI, XUZHOU_OFFSITE], ids=["wuhan", "shanghai", "xuzhou offsite"])
def test_a_visits_links_to_its_notices_are_in_the_lists_order(client, params):
    html = page(client, params)
    for notes in re.findall(r'<p class="visit-notices">(.*?)</p>', html, re.S):
        numbers = [int(n) for n in re.findall(r'href="#notice-(\d+)"', notes)]
        assert numbers == sorted(numbers), notes


def test_a_passage_quoted_in_part_and_in_whole_is_shown_once(client):
    # 玉溪 from 2024-11-01 follows the 云南 办法: its 第六条 is quoted whole by the deductible and
    # in part (up to "起付标准为:") by another parameter: the 依据 section shows it once.
    html = page(client, {
        "region": "yuxi", "status": "retired", "age": "70",
        "visits-0-date": "2024-11-10", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "3000",
        "visits-1-date": "2024-12-10", "visits-1-level": "3", "visits-1-setting": "clinic", "visits-1-total": "9000",
    })
    articles = re.findall(r'<span class="clause-number">\d+</span> <span lang="zh-Hans">([^<]*)</span>', html)
    yunnan = html[html.index("云南省职工基本医疗保险门诊共济保障实施办法"):]
    yunnan_articles = re.findall(r'<span class="clause-number">\d+</span> <span lang="zh-Hans">([^<]*)</span>', yunnan)
    assert yunnan_articles.count("第六条") == 1, articles


def test_a_cap_raised_in_the_year_is_drawn_and_said_as_a_step(client):
    # 武汉 retirees: 4,000 under the 细则, 4,500 from the 优化方案 (2023-04-10). Visit 2 uses up
    # the 4,000 (1,500 + 2,500); visit 3 gets the 500 the rise adds. The chart's line steps up
    # at 2023-04-10 instead of standing at 4,500 all year (visit 2 looked under a cap it had hit).
    html = page(client, {
        "region": "wuhan", "status": "retired", "age": "66",
        "visits-0-date": "2023-02-10", "visits-0-level": "3", "visits-0-setting": "clinic", "visits-0-total": "3000",
        "visits-1-date": "2023-03-10", "visits-1-level": "3", "visits-1-setting": "clinic", "visits-1-total": "6000",
        "visits-2-date": "2023-04-12", "visits-2-level": "3", "visits-2-setting": "clinic", "visits-2-total": "2000",
    })
    (desc,) = re.findall(r'<desc id="chart[^>]*>(.*?)</desc>', html)
    assert desc.startswith("年度最高支付限额 4,000.00 元（2023-04-10 起 4,500.00 元）。")
    (line,) = re.findall(r'<polyline class="chart-cap" points="([^"]*)"', html)
    ys = [float(point.split(",")[1]) for point in line.split()]
    assert len(ys) == 4 and ys[0] == ys[1] > ys[2] == ys[3]  # flat, up (smaller y), flat


def test_a_general_year_line_never_takes_the_chronic_pools_term(client):
    # 玉溪 2024: a 门诊慢性病 visit (its deductible is the 门诊慢性病起付标准) and a general visit at a
    # non-designated institution (no deductible step): the general line is not headed by the
    # chronic pool's term; it says the year's general visit counted toward nothing.
    html = page(client, {
        "region": "yuxi", "status": "employed", "age": "50", "chronic_disease_count": "1",
        "visits-0-date": "2024-03-01", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "2000",
        "visits-0-chronic": "on",
        "visits-1-date": "2024-04-01", "visits-1-level": "2", "visits-1-setting": "non_designated", "visits-1-total": "300",
    })
    panel = _text(html[html.index('id="years-title"'):].split("</ul>")[0])
    assert "门诊慢性病起付标准：" not in panel, panel
    assert "本年度的普通门诊就诊都不由统筹基金支付，不计入年度累计。" in panel


def test_the_year_section_heading_uses_no_term_a_region_lacks(client):
    # 上海 has a 自负段, not a 起付标准, and no outpatient cap: the heading names neither.
    html = page(client, SHANGHAI)
    heading = re.search(r'<h3 id="years-title">([^<]*)</h3>', html).group(1)
    assert heading == "各年度累计"
    years = html[html.index('id="years-title"'):html.index('<div class="personal-account">')]
    assert "自负段：" in years and "起付标准" not in years


def test_the_results_say_when_a_rule_used_comes_from_a_re_post(client):
    # 武汉 2024 is calculated under the 优化方案, known from re-posts (status secondary): the
    # opening does not claim the figures come from policy documents alone. 徐州's rule is official.
    wuhan = page(client, {
        "region": "wuhan", "status": "employed", "age": "40",
        "visits-0-date": "2024-03-01", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "500",
    })
    assert "其中部分规定来自转载（非官方）" in wuhan and "以下是按政策文件估算的结果。" not in wuhan
    xuzhou = page(client, {
        "region": "xuzhou", "status": "employed", "age": "40",
        "visits-0-date": "2024-03-01", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "500",
    })
    assert "以下是按政策文件估算的结果。" in xuzhou and "来自转载" not in xuzhou


def test_visits_entered_out_of_date_order_are_said_to_keep_their_numbers(client):
    # Listed by date (the ledger's order), numbered as entered: "第 2 次" first would read as the
    # second visit, so the heading says what the numbers are; in date order it says nothing more.
    later_first = page(client, {
        "region": "xuzhou", "status": "employed", "age": "40",
        "visits-0-date": "2024-05-01", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "500",
        "visits-1-date": "2024-03-01", "visits-1-level": "2", "visits-1-setting": "clinic", "visits-1-total": "500",
    })
    assert "逐次明细（按就诊日期先后排列；“第几次”是填写的顺序）" in unescape(later_first)
    in_order = page(client, {
        "region": "xuzhou", "status": "employed", "age": "40",
        "visits-0-date": "2024-03-01", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "500",
    })
    assert "逐次明细（按就诊日期先后）" in in_order and "填写的顺序" not in unescape(in_order)


def test_passages_of_one_article_are_told_apart_in_the_basis_list(client):
    # 徐州: the deductible, the rates and the cap are three passages of 二、（一）2; each heading
    # shows how its quote begins, so "二、（一）2" three times is not all a reader sees.
    html = page(client, {
        "region": "xuzhou", "status": "employed", "age": "40",
        "visits-0-date": "2024-03-01", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "1000",
    })
    headings = [_text(h) for h in re.findall(r"<summary><span class=\"clause-number\">.*?</summary>", html)]
    same_article = [h for h in headings if "二、（一）2" in h]
    assert len(same_article) >= 2 and len(set(same_article)) == len(same_article), headings
    assert all(h.endswith("…") for h in same_article), headings



def test_a_passage_from_a_re_post_under_an_official_rule_is_said_at_the_opening(client):
    # 上海's rule is official, but its 医保年度 (7月1日至次年6月30日) is read from a re-post: the
    # opening does not say the figures come from policy documents alone.
    html = page(client, {
        "region": "shanghai", "status": "employed", "age": "40",
        "visits-0-date": "2024-03-01", "visits-0-level": "2", "visits-0-setting": "clinic", "visits-0-total": "500",
    })
    assert "其中部分规定来自转载（非官方）" in html


def test_a_title_with_its_own_book_title_marks_nests_them_as_chinese_typesetting_does(client):
    # 晋医保发〔2022〕12号 is titled 关于印发《职工基本医疗保险普通门诊统筹管理办法》的通知: put inside
    # 《》 its own marks become 〈〉, on the results page and in the policy library.
    params = {
        "region": "shanxi", "status": "employed", "age": "45",
        "visits-0-date": "2024-03-01", "visits-0-level": "3", "visits-0-setting": "clinic", "visits-0-total": "500",
    }
    for html in (page(client, params), client.get("/policies/").content.decode()):
        assert "《关于印发〈职工基本医疗保险普通门诊统筹管理办法〉的通知》" in html
        assert "《关于印发《" not in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_caveat_speaks_of_stored_texts(client, language):
    # Issue 7: internal phrases ("所存…文本", "the stored text") become what a reader understands:
    # the text this calculator holds. 上海's caveats (its year, policy range, 互联网+) and 武汉's
    # start date said it that way.
    shanghai = {
        "region": "shanghai", "status": "retired", "age": "70", "retired_on": "2005-06-30",
        "visits-0-date": "2024-03-01", "visits-0-level": "3", "visits-0-setting": "internet", "visits-0-total": "1200",
    }
    wuhan = {"region": "wuhan", "status": "employed", "age": "40", "visits-0-date": "2023-03-01", "visits-0-level": "2", "visits-0-total": "300"}
    for query in (shanghai, wuhan):
        html = page(client, query, language)
        assert "所存" not in html and "stored" not in html.lower()
    assert "本计算器收录的上海办法文本" in page(client, shanghai, "zh-hans") and "本计算器收录的武汉细则文本" in page(client, wuhan, "zh-hans")


def test_english_basis_names_articles_and_issuers_in_english(client):
    # Issue 7: English results carry Chinese only in titles and quotes. 玉溪 across 2024-11-01:
    # two rules, so each visit names its rule, with the title's English description; the 依据
    # passages are "Article 8", the issuers named in English.
    query = {
        "region": "yuxi", "status": "retired", "age": "66", "retired_on": "2015-06-30",
        "visits-0-date": "2024-10-20", "visits-0-level": "2", "visits-0-total": "800",
        "visits-1-date": "2024-11-05", "visits-1-level": "1", "visits-1-total": "600",
    }
    html = page(client, query, "en")
    basis = html[html.index('id="basis"'):]
    summaries = re.findall(r'<summary><span class="clause-number">\d+</span> (.*?)</summary>', basis)
    assert summaries and all(s.startswith("Article ") for s in summaries), summaries
    assert '<p class="clause-meta">General Office of the Yuxi Municipal Government · ' in basis and "玉溪市人民政府办公室" not in basis
    assert 'rules applied: <span lang="zh-Hans">玉溪市职工基本医疗保险门诊共济保障实施细则</span> (Yuxi implementing rules for employees&#x27; outpatient mutual-aid cover)' in html
    # In Chinese the passages are named as the documents have them.
    chinese = page(client, query, "zh-hans")
    assert '<span lang="zh-Hans">第八条</span>' in chinese and "Article" not in chinese


def test_every_article_in_the_data_has_an_english_name():
    from calculator.rules.registry import load_policies
    from calculator.web.labels import article_label_en

    missing = {
        param.cite.article
        for region in load_policies().values() for version in region.versions for param in version.params.values()
        if not article_label_en(param.cite.article)
    }
    # The clauses notices cite too (内蒙古 82号 一（三）, the overall cap: an audit found its
    # English answer without article_en).
    missing |= {
        notice.cite.article
        for region in load_policies().values() for version in region.versions for notice in version.notices
        if notice.cite is not None and notice.cite.article and not article_label_en(notice.cite.article)
    }
    assert not missing, missing


def test_a_visits_heading_names_off_site_care_and_a_hospital_stay(client):
    # Audit: an off-site visit and one during a hospital stay read "三级 门诊" like any other in
    # their card's heading; only their notes said why their figures differ. 武汉 2024 在职.
    query = {"region": "wuhan", "status": "employed", "age": "45",
             "visits-0-date": "2024-03-01", "visits-0-level": "3", "visits-0-total": "1000", "visits-0-offsite": "filed",
             "visits-1-date": "2024-03-02", "visits-1-level": "2", "visits-1-total": "500", "visits-1-inpatient_stay": "on",
             "visits-2-date": "2024-03-03", "visits-2-level": "1", "visits-2-total": "300"}
    client.cookies["django_language"] = "zh-hans"
    kinds = re.findall(r'<span class="visit-kind">(.*?)</span>', client.get("/?" + urlencode(query)).content.decode())
    assert kinds == ["三级 门诊 · 异地就医，已备案", "二级 门诊 · 住院期间", "一级及以下 门诊"]
    client.cookies["django_language"] = "en"
    kinds = re.findall(r'<span class="visit-kind">(.*?)</span>', client.get("/?" + urlencode(query)).content.decode())
    assert kinds == ["Level 3 · Outpatient clinic · Elsewhere, registered", "Level 2 · Outpatient clinic · During a hospital stay",
                     "Level 1 or below · Outpatient clinic"]


def test_an_official_rule_with_reposted_passages_says_so_in_the_basis(client):
    # 上海's 办法 is official, but the 医保年度 and the overall cap are cited from re-posts: the
    # rule is "官方原文（部分条文引自转载）" in 依据, as on the print (it said 官方原文 alone).
    html = page(client, SHANGHAI)
    rule = re.search(r'<li id="rule-shanghai-2023">.*?</li>', html, re.S).group(0)
    assert "官方原文（部分条文引自转载）" in rule
    # A rule cited only from its own official text keeps the plain label (徐州).
    xuzhou = page(client, {"region": "xuzhou", "status": "employed", "age": "45", "visits-0-date": "2024-03-05",
                           "visits-0-level": "1", "visits-0-total": "800"})
    rule = re.search(r'<li id="rule-xuzhou-2023">.*?</li>', xuzhou, re.S).group(0)
    assert "官方原文</span>" in rule and "部分条文" not in rule


def test_the_line_under_the_heading_counts_visits_in_english_words(client):
    # It read "visits: 3"; a plural now: "1 visit", "3 visits" (Chinese: 共 N 次就诊).
    one = {"region": "xuzhou", "status": "employed", "age": "45", "visits-0-date": "2024-01-05", "visits-0-level": "1", "visits-0-total": "800"}
    three = {**one, "visits-1-date": "2024-02-05", "visits-1-level": "1", "visits-1-total": "800",
             "visits-2-date": "2024-03-05", "visits-2-level": "1", "visits-2-total": "800"}
    meta = lambda html: re.search(r'<p class="results-meta">(.*?)[.。]', html).group(1)  # noqa: E731
    assert meta(page(client, one, "en")) == "Xuzhou · Employed · 1 visit"
    assert meta(page(client, three, "en")) == "Xuzhou · Employed · 3 visits"
    assert meta(page(client, three, "zh-hans")) == "徐州市 · 在职 · 共 3 次就诊"


def test_the_cap_steps_amount_is_labelled_as_what_is_left(client):
    # The label beside the amount said 年度最高支付限额 (read as the cap); the page added 尚余
    # before the amount. Now the label says it (the API's too) and the page says it once.
    # 武汉 2024 retired (优化方案, no deductible, cap 4500), in date order: 二级 5000 × 75 % =
    # 3750.00, left 750.00; 三级 1000 with 乙类 200: 200 × 10 % = 20 first, 980 × 65 % = 637.00,
    # left 113.00; a pharmacy 300 × 90 % = 270 > 113: the fund pays 113.00, left 0.00.
    html = page(client, WUHAN)
    left = re.findall(r"年度限额尚余(?:<[^>]+>|\s)*([0-9,.]+) 元", html)
    assert left == ["750.00", "113.00", "0.00"], left
    assert "尚余 尚余" not in html and "年度最高支付限额 尚余" not in html
