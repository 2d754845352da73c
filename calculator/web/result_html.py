"""The results page's repeated parts, written in Python: the visit cards, the notices, the
charts, the clauses.

A 10-visit result has some 70 steps and a chart point per visit; through the template
engine each step's half-dozen look-ups were a visible share of the page's render time. The
markup is what ``web/_results.html`` had; every word in it is the engine's (steps, figures)
or ``calculator/web/results.py``'s labels, escaped here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone
from django.utils.translation import get_language, gettext, ngettext

from calculator.rules.messages import inner_title
from calculator.web.govform import _esc, marked
from calculator.web.templatetags.yuan import amount, yuan, yuan_formatter

if TYPE_CHECKING:
    from calculator.web.chart import Chart
    from calculator.web.results import ClauseView, ResultView, VisitView, YearView


def _meta(v: VisitView) -> str:
    """The visit's group, year and rule; on an English page the rule's Chinese title is marked
    as Chinese (a screen reader then reads it in a Chinese voice)."""
    meta = _esc(v.meta)
    if v.rule_zh:
        title = _esc(v.rule_zh)
        meta = meta.replace(title, f'<span lang="zh-Hans">{title}</span>', 1)
    return meta


def _card(v: VisitView, labels: dict[str, str], yuan: Callable[[Any], str]) -> str:
    visit = v.visit
    future = f' <span class="visit-future">{_esc(labels["future"])}</span>' if visit.get("future") else ""
    member = _esc(yuan(visit["member_paid"]))
    parts = [
        f'<li class="visit-card" id="{v.anchor}" data-visit="{v.number}">\n'
        f'<p class="visit-head"><strong>{_esc(v.heading)}</strong> <span class="visit-date">{_esc(visit["date"])}</span>'
        f' <span class="visit-kind">{_esc(v.description)}</span>{future}</p>\n'
        f'<dl class="visit-figures"><div><dt>{labels["total"]}</dt><dd>{_esc(yuan(visit["total"]))}</dd></div>'
        f'<div><dt>{labels["fund"]}</dt><dd data-figure="fund_paid">{_esc(yuan(visit["fund_paid"]))}</dd></div>'
        f'<div><dt>{labels["member"]}</dt><dd data-figure="visit_member_paid">{member}</dd></div></dl>\n'
        f'<details class="how"><summary>{labels["how"]}<span class="visually-hidden">{_esc(v.how_for)}</span></summary>\n'
        f'<p class="visit-meta">{_meta(v)}</p>\n<ol class="steps">'
    ]
    for step in v.steps:
        figure = f" <b>{_esc(step.amount_text)}</b>" if step.amount_text else ""  # app.css: .steps b + b
        link = f' <a href="#{step.clause.anchor}">{_esc(step.clause.link_text)}</a>' if step.clause else ""
        parts.append(f'\n<li class="step-{_esc(step.code)}"><b>{_esc(step.label)}</b>{figure}<br>{_sentence(step.explanation)}{link}</li>')
    parts.append(f'\n<li class="step-split"><b>{labels["member"]}</b> <b>{member}</b>{"<br>" + _sentence(v.split) if v.split else ""}</li>\n</ol>')
    if v.notices:
        links = labels["comma"].join(f'<a href="#{n.anchor}">{_esc(n.link_text)}</a>' for n in v.notices)
        parts.append(f'\n<p class="visit-notices">{labels["notes"]}{links}</p>')
    parts.append("\n</details></li>\n")
    return "".join(parts)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _sentence(text: str) -> str:
    """A step's sentence, escaped, its figures kept with their unit and its dates whole on a
    narrow screen: a no-break space before 元/yuan ("340 元" was "340 / 元" at 360 px) and a
    date in a span that does not wrap ("2023-04-/10")."""
    html = marked(text).replace(" 元", "\u00a0元").replace(" yuan", "\u00a0yuan")
    return _whole_dates(html) if "-" in html else html


def _whole_date(match: re.Match[str]) -> str:
    return f'<span class="nw">{match.group(0)}</span>'


def _whole_dates(html: str) -> str:
    """A line's dates kept whole on a narrow screen, as a step's are (_sentence)."""
    return _DATE.sub(_whole_date, html)


def visit_cards_html(result: ResultView) -> SafeString:
    """The ``<li>`` of each visit, in date order: head, figures, and 怎么算的 with its steps."""
    labels = {key: _esc(text) for key, text in result.labels.items()}
    money = yuan_formatter()
    return mark_safe("".join(_card(v, labels, money) for v in result.visits))


def visit_numbers(numbers: list[int], separator: str) -> str:
    """Visit numbers as a reader takes them in: a run of four or more as its ends, "1–40"
    (a notice that concerns all 40 visits was eight lines of numbers on a phone); shorter
    runs one by one, "1、2、3". In ascending order (the engine lists them in date order, and
    a visit's number is its row in the form)."""
    numbers = sorted(set(numbers))
    parts: list[str] = []
    start = 0
    for i in range(1, len(numbers) + 1):
        if i == len(numbers) or numbers[i] != numbers[i - 1] + 1:
            run = numbers[start:i]
            parts.extend([f"{run[0]}–{run[-1]}"] if len(run) >= 4 else map(str, run))
            start = i
    return separator.join(parts)


def notices_html(result: ResultView) -> SafeString:
    """The notices and assumptions, once each, with the visits they concern and a link to the
    clause behind them (in the 依据 section). Their text comes in the page's language from
    the engine."""
    parts = ['<ol class="notice-list">\n']
    for notice in result.warnings:
        visits = link = ""
        if notice.visits:
            count = len(notice.visits)
            text = ngettext("（涉及第 %(numbers)s 次就诊）", "（涉及第 %(numbers)s 次就诊）", count)
            numbers = visit_numbers(notice.visits, gettext("、"))  # ", " in English
            visits = f'\n<span class="notice-visits">{_esc(text % {"numbers": numbers})}</span>'
        if notice.clause:
            link = gettext("、").join(
                f'<a href="#{c.anchor}">{_esc(c.link_text)}</a>' for c in (notice.clause, *notice.more_clauses)
            )
            link = f"\n{link}"
        parts.append(f'<li id="{notice.anchor}"><span>{_sentence(notice.message)}</span>{visits}{link}</li>\n')
    parts.append("</ol>\n")
    return mark_safe("".join(parts))


def chart_html(chart: Chart) -> SafeString:
    """One ``<figure>``: the SVG (title and description for screen readers) and its legend."""
    key = _esc(chart.key)
    cap_label = (gettext("门诊慢性病限额 %(cap)s") if chart.chronic else gettext("年度限额 %(cap)s")) % {"cap": yuan(chart.cap)}
    parts = [
        f'<figure class="chart">\n<svg viewBox="0 0 {chart.width} {chart.height}" role="img"'
        f' aria-labelledby="chart-{key}-title chart-{key}-desc" focusable="false">\n'
        f'<title id="chart-{key}-title">{_esc(chart.title)}</title>\n'
        f'<desc id="chart-{key}-desc">{_esc(chart.description)}</desc>\n'
        f'<line class="chart-axis" x1="{chart.left}" y1="{chart.base_y:.1f}" x2="{chart.right_x}" y2="{chart.base_y:.1f}"/>\n'
        f'<polyline class="chart-cap" points="{chart.cap_line}"/>\n'
        f'<text class="chart-cap-label" x="{chart.cap_label_x}" y="{chart.cap_label_y:.1f}"'
        f' text-anchor="{chart.cap_label_anchor}">{_esc(cap_label)}</text>\n'
        f'<polyline class="chart-line" points="{chart.polyline}"/>'
    ]
    legend = []
    for p in chart.points:
        if p.marker:
            parts.append(f'\n<circle cx="{p.x:.1f}" cy="{p.y:.1f}" r="4"/>')
            if p.number and p.number_drawn:
                parts.append(f'<text class="chart-number" x="{p.number_x:.1f}" y="{p.number_y:.1f}">{p.number}</text>')
            if p.show_label:
                parts.append(f'<text class="chart-x" x="{p.x:.1f}" y="{chart.x_label_y:.1f}" text-anchor="{p.x_anchor}">{_esc(p.label)}</text>')
        if p.number:
            legend.append(f'<li><b>{p.number}</b> {_esc(p.label)} <span class="money">{_esc(amount(p.amount))}</span></li>')
    parts.append(
        f'\n</svg>\n<figcaption>{_esc(chart.title)}\n<ol class="chart-legend" aria-hidden="true">{"".join(legend)}</ol></figcaption>\n</figure>\n'
    )
    return mark_safe("".join(parts))


def charts_html(result: ResultView) -> SafeString:
    return mark_safe("".join(chart_html(chart) for chart in result.charts))


def _document(first: ClauseView, texts: dict[str, str]) -> str:
    """A document's name, status, issuer, number and re-post link (once for its passages)."""
    description = f' <span class="title-en">({_esc(first.description)})</span>' if first.description else ""
    # In English the issuer is named in English (a body, not a title: no Chinese is needed).
    issuer = _esc(first.issuer_en) if first.issuer_en else f'<span lang="zh-Hans">{_esc(first.issuer)}</span>'
    doc_no = f'<span lang="zh-Hans">{_esc(first.doc_no)}</span>' if first.doc_no else texts["no_doc_no"]
    source = ""
    if first.source:
        source = (
            f' · <a href="{_esc(first.source)}" rel="noopener noreferrer">{texts["source"]}'
            f'<span class="visually-hidden" lang="zh-Hans">（《{_esc(inner_title(first.title))}》）</span></a>'
        )
    return (
        f'<li class="clause-doc"><p class="clause-doc-title"><span lang="zh-Hans">《{_esc(inner_title(first.title))}》</span>{description}'
        f' <span class="source-status source-{_esc(first.status)}">{_esc(first.status_label)}</span></p>\n'
        f'<p class="clause-meta">{issuer} · {doc_no}{source}</p>\n<ol class="clause-articles">\n'
    )


def _clause(clause: ClauseView, texts: dict[str, str], excerpt: bool = False) -> str:
    assumption = ""
    opening = ""
    if excerpt:
        # Several passages of one article (徐州 二、（一）2): the heading alone would not tell
        # them apart, so each shows how its quote begins (an English heading is longer: the
        # opening is shorter, so that the line fits a phone).
        size = 7 if clause.article_en else 10
        words = clause.quote[:size] + ("…" if len(clause.quote) > size else "")
        opening = f' <span class="clause-opening" lang="zh-Hans">{_esc(words)}</span>'

    # In English the passage is named in English ("Article 8"); in Chinese, or where no English
    # name is known, as the document has it.
    article = _esc(clause.article_en) if clause.article_en else f'<span lang="zh-Hans">{_esc(clause.article)}</span>'
    if clause.assumption:
        lang = "" if clause.assumption_translated else ' lang="zh-Hans"'
        assumption = f'\n<p class="assumption"><strong>{texts["reading"]}</strong><span{lang}>{marked(clause.assumption) if clause.assumption_translated else _esc(clause.assumption)}</span></p>'
    return (
        f'<li class="clause-item"><details class="clause">\n<summary><span class="clause-number">{clause.number}</span>'
        f' {article}{opening}</summary>\n'
        f'<div class="clause-body" id="{clause.anchor}">\n<blockquote class="quote" lang="zh-Hans">{_esc(clause.quote)}</blockquote>'
        f"{assumption}\n</div>\n</details></li>\n"
    )


def clauses_html(result: ResultView) -> SafeString:
    """The 依据 section's clauses, each once, under their document (named once): the quote and
    the calculator's reading of it. (When the sources were last checked is said once per rule
    version, in the list of rules above them.)"""
    texts = {
        "no_doc_no": _esc(gettext("所见原文未注明文号")),
        "source": _esc(gettext("转载页面")),
        "reading": _esc(gettext("本计算器的理解：")),
    }
    parts = []
    document = None
    articles = Counter((clause.document, clause.article) for clause in result.clauses)
    for clause in result.clauses:  # numbered document by document
        if clause.document != document:
            if document is not None:
                parts.append("</ol></li>\n")
            parts.append(_document(clause, texts))
            document = clause.document
        parts.append(_clause(clause, texts, articles[clause.document, clause.article] > 1))
    if document is not None:
        parts.append("</ol></li>\n")
    return mark_safe("".join(parts))


# --- The whole results section ----------------------------------------------------------

# The section's own words, msgids as ``web/_results.html`` had them (``{% translate %}`` and
# ``{% blocktranslate %}``, whose ``{{ name }}`` is ``%(name)s`` in the catalogue).
# The line under the heading (a plural: "1 visit" in English), as web/_results.html's
# {% blocktranslate count counter=… %} had it.
_META = "%(region)s · %(status)s · 共 %(counter)s 次就诊"
_SECTION_TEXTS = {
    "title": "计算结果",
    "stop": "。",
    "estimate": "以下是按政策文件估算的结果。",
    # Where a rule used comes from a re-post (武汉 优化方案): "按政策文件" alone would overstate it.
    "estimate_secondary": "以下是按政策规定估算的结果；其中部分规定来自转载（非官方），见下方“依据”。",
    "not_entered": "未填",
    "printed_on": "打印日期",
    "address": "本页地址",
    "visits": "逐次明细（按就诊日期先后）",
    # Visits entered out of date order: "第 2 次" listed first would read as the second visit.
    "visits_reordered": "逐次明细（按就诊日期先后排列；“第几次”是填写的顺序）",
    # Neutral: 上海 has a 自负段 and no outpatient cap; each line names its own terms.
    "years": "各年度累计",
    "deductible": "起付标准：",
    "annual": '已累计 <span class="money" data-figure="deductible_used">%(used)s</span>（年度标准 <span class="money">%(standard)s</span>，还差 <span class="money">%(remaining)s</span>）',
    # The standard changed in the year (a retirement): from when, and what the visits before came under.
    "annual_changed": '已累计 <span class="money" data-figure="deductible_used">%(used)s</span>（%(date)s 起年度标准 <span class="money">%(standard)s</span>，此前的就诊适用 <span class="money">%(old)s</span>%(earlier)s；还差 <span class="money">%(remaining)s</span>）',
    # Met: said so, as the step says it (已累计满), not "还差 0.00 元".
    "annual_met": '已累计 <span class="money" data-figure="deductible_used">%(used)s</span>（年度标准 <span class="money">%(standard)s</span>，已累计满）',
    "annual_changed_met": '已累计 <span class="money" data-figure="deductible_used">%(used)s</span>（%(date)s 起年度标准 <span class="money">%(standard)s</span>，此前的就诊适用 <span class="money">%(old)s</span>%(earlier)s；已累计满）',
    "per_visit": '按次计算，本年度共计 <span class="money" data-figure="deductible_used">%(used)s</span>',
    "no_deductible": "不设起付标准",
    "none_from": '已累计 <span class="money" data-figure="deductible_used">%(used)s</span>；%(date)s 起不设起付标准',
    "term_heading": "%(term)s：",
    "cap": "年度最高支付限额：",
    "cap_line": '<span class="money">%(cap)s</span>，已支付 <span class="money">%(paid)s</span>，<strong>尚余 <span class="money" data-figure="cap_remaining">%(remaining)s</span></strong>',
    # The cap changed in the year (武汉 2023-04-10: 4,000 → 4,500 for retirees): the line's cap is
    # the later one, and what it was before is said (the chart follows the paid visits).
    "cap_line_changed": '<span class="money">%(cap)s</span>（%(date)s 起；此前的就诊适用 <span class="money">%(old)s</span>%(earlier)s），已支付 <span class="money">%(paid)s</span>，<strong>尚余 <span class="money" data-figure="cap_remaining">%(remaining)s</span></strong>',
    # A second change in the year, before the one above (latest first): "，2023-03-01 前的适用 3,500.00 元".
    "cap_line_earlier": '，%(date)s 前的适用 <span class="money">%(old)s</span>',
    "no_cap": "无门诊单独的年度限额",
    "no_general": "本年度没有普通门诊就诊（门诊慢性病另行累计，见下）。",
    # Every general visit of the year outside the fund (非定点, 住院期间): nothing was counted, and
    # a deductible line ("起付标准：0.00 元") would name a deductible the version may not have.
    "none_covered": "本年度的普通门诊就诊都不由统筹基金支付，不计入年度累计。",
    # Only 门诊慢性病 visits, none of them covered: there is no chronic line below to point to.
    "none_covered_chronic": "本年度只有门诊慢性病就诊，都不由统筹基金支付，不计入年度累计。",
    "chronic": "门诊慢性病：",
    "chronic_line": '起付标准已累计 <span class="money">%(used)s</span>（年度标准 <span class="money">%(standard)s</span>）；统筹基金限额 <span class="money">%(cap)s</span>，已支付 <span class="money">%(paid)s</span>，<strong>尚余 <span class="money" data-figure="chronic_cap_remaining">%(remaining)s</span></strong>',
    "account_title": "个人账户划入（供参考）",
    "annual_allocation": '估算每年划入 <span class="money">%(annual)s</span>',
    "monthly_allocation": '（每月 <span class="money">%(monthly)s</span>）',
    "basis_link": "依据 %(number)s",
}


@lru_cache(maxsize=8)
def _section_texts(language: str) -> dict[str, str]:
    """The section's words in ``language`` (the active one), translated once per process.
    Plain texts come escaped, as ``{% translate %}`` gives them; the sentences with figures
    are markup (``{% blocktranslate %}``'s), their figures escaped when filled in."""
    texts = {key: gettext(msgid) for key, msgid in _SECTION_TEXTS.items()}
    for key, msgid in _SECTION_TEXTS.items():
        if "<" not in msgid and "%(" not in msgid:  # a plain text (no markup, no figures)
            texts[key] = _esc(texts[key])
    return texts


@lru_cache(maxsize=8)
def _policies_url(script_prefix: str) -> str:
    return _esc(reverse("web:policies"))


def _fill(text: str, **figures: Any) -> str:
    """A ``{% blocktranslate %}`` sentence with its figures (escaped) filled in."""
    return text % {name: _esc(value) for name, value in figures.items()}


def _changed_line(t: dict[str, str], key: str, changes: tuple[tuple[str, str], ...], **figures: str) -> str:
    """A year's line for a standard that changed in the year (``changes``: (from, the figure
    before), latest first): the latest change in the line's own words, each earlier one as a
    fragment of its own (markup, its figures escaped by _fill); dates kept whole."""
    (date, old), *earlier_changes = changes
    earlier = "".join(_fill(t["cap_line_earlier"], date=day, old=yuan(before)) for day, before in earlier_changes)
    filled = {name: _esc(value) for name, value in {**figures, "date": date, "old": yuan(old)}.items()}
    return _whole_dates(t[key] % {**filled, "earlier": earlier})


def _year_html(year: YearView, t: dict[str, str]) -> str:
    chronic = ""
    if year.chronic:
        c = year.chronic
        line = _fill(t["chronic_line"], used=yuan(c.get("deductible_used")), standard=yuan(c.get("deductible_standard")),
                     cap=yuan(c.get("annual_cap")), paid=yuan(c.get("fund_paid")), remaining=yuan(c.get("cap_remaining")))
        chronic = f'\n<span class="year-line" data-figure-group="chronic">{t["chronic"]}\n{line}\n</span>\n'
    if not year.general:
        # Only 门诊慢性病 visits this year: the general deductible and cap were not touched, and
        # a line of them ("起付标准：0.00 元", "尚余 —") would say nothing true.
        line = t["no_general"] if year.chronic else t["none_covered_chronic"]
        return (
            f'\n<li data-year="{_esc(year.year)}">\n<strong>{_esc(year.label)}</strong>\n'
            f'<span class="year-line">{line}</span>\n{chronic}\n</li>\n'
        )
    met = year.deductible_remaining is not None and not Decimal(year.deductible_remaining)
    if year.deductible_basis == "annual" and year.deductible_changed:
        deductible = _changed_line(t, "annual_changed_met" if met else "annual_changed", year.deductible_changed,
                                   used=yuan(year.deductible_used), standard=yuan(year.deductible_standard),
                                   remaining=yuan(year.deductible_remaining))
    elif year.deductible_basis == "annual":
        deductible = _fill(t["annual_met" if met else "annual"], used=yuan(year.deductible_used),
                           standard=yuan(year.deductible_standard), remaining=yuan(year.deductible_remaining))
    elif year.deductible_basis == "per_visit":
        deductible = _fill(t["per_visit"], used=yuan(year.deductible_used))
    elif year.deductible_basis == "none":
        deductible = t["no_deductible"]
    elif year.deductible_basis == "none_from":
        deductible = _whole_dates(_fill(t["none_from"], used=yuan(year.deductible_used), date=year.deductible_none_from))
    else:
        deductible = None
    if year.annual_cap and year.cap_changed is not None:
        cap = _changed_line(t, "cap_line_changed", year.cap_changed, cap=yuan(year.annual_cap), paid=yuan(year.fund_paid),
                            remaining=yuan(year.cap_remaining))
    elif year.annual_cap:
        cap = _fill(t["cap_line"], cap=yuan(year.annual_cap), paid=yuan(year.fund_paid), remaining=yuan(year.cap_remaining))
    else:
        cap = t["no_cap"]
    heading = _fill(t["term_heading"], term=year.deductible_term) if year.deductible_term else t["deductible"]
    if deductible is None:
        deductible_line = f'<span class="year-line">{t["none_covered"]}</span>\n'
    else:
        deductible_line = f'<span class="year-line">{heading}\n\n{deductible}\n\n</span>\n'
    return (
        f'\n<li data-year="{_esc(year.year)}">\n<strong>{_esc(year.label)}</strong>\n'
        + deductible_line +
        f'<span class="year-line">{t["cap"]}\n\n{cap}\n\n</span>\n{chronic}\n</li>\n'
    )


def _personal_account_html(result: ResultView, t: dict[str, str]) -> str:
    pa = result.personal_account
    out = ""
    if pa.get("annual_allocation") and not pa.get("explanation"):
        out = _fill(t["annual_allocation"], annual=yuan(pa.get("annual_allocation")))
        if pa.get("monthly_allocation"):
            out += _fill(t["monthly_allocation"], monthly=yuan(pa.get("monthly_allocation")))
        out += "。"
    out += marked(pa.get("explanation") or "")
    clause = result.personal_account_clause
    if clause:
        out += f' <a href="#{_esc(clause.anchor)}">{_fill(t["basis_link"], number=clause.number)}</a>'
    for joined in result.personal_account_joined:
        out += f' <a href="#{_esc(joined.anchor)}">{_fill(t["basis_link"], number=joined.number)}</a>'
    return out


def _rules_html(result: ResultView) -> str:
    url = _policies_url(get_script_prefix())
    parts = []
    for rule in result.rules:
        rid = _esc(rule.id)
        description = f' <span class="title-en">({_esc(rule.description)})</span>' if rule.description else ""
        checked = f'<span class="checked">{_esc(rule.checked)}</span>' if rule.checked else ""
        parts.append(
            f'\n<li id="rule-{rid}"><a href="{url}#rule-{rid}" lang="zh-Hans">{_esc(rule.title)}</a>{description}\n'
            f'<span class="rule-meta">{_esc(rule.period)} · <span class="source-status source-{_esc(rule.status)}">'
            f"{_esc(rule.status_label)}</span></span>\n{checked}</li>\n"
        )
    return "".join(parts)


def _print_inputs_html(result: ResultView, page_address: str, t: dict[str, str]) -> str:
    labels = {key: _esc(text) for key, text in result.labels.items()}
    inputs = result.inputs
    tiers = (gettext("（%(tiers)s）") % {"tiers": gettext("、").join(_esc(tier) for tier in inputs.tiers)}) if inputs.tiers else ""
    age = f'<div><dt>{labels["age"]}</dt><dd>{_esc(inputs.age)}</dd></div>' if inputs.age is not None else ""
    retired = f'<div><dt>{labels["retired_on"]}</dt><dd>{_esc(inputs.retired_on)}</dd></div>' if inputs.retired_on else ""
    balance = _esc(yuan(inputs.account_balance)) if inputs.account_balance else t["not_entered"]
    prior = ""
    if inputs.prior_years_balance:
        prior = f'<div><dt>{labels["prior_years_balance"]}</dt><dd>{_esc(yuan(inputs.prior_years_balance))}</dd></div>'
    today = dt.datetime.now(tz=get_current_timezone() if settings.USE_TZ else None).strftime("%Y-%m-%d")
    return (
        f'<dl class="print-only print-inputs" aria-hidden="true">\n'
        f'<div><dt>{labels["region"]}</dt><dd>{_esc(inputs.region_name)}</dd></div>\n'
        f'<div><dt>{labels["status"]}</dt><dd>{_esc(inputs.status_name)}{tiers}</dd></div>\n'
        f"{age}\n{retired}\n"
        f'<div><dt>{labels["account_balance"]}</dt><dd>{balance}</dd></div>\n{prior}\n'
        f'<div><dt>{t["printed_on"]}</dt><dd>{today}</dd></div>\n'
        f'<div><dt>{t["address"]}</dt><dd class="print-url">{_esc(page_address)}</dd></div>\n</dl>'
    )


def results_section_html(result: ResultView, page_address: str) -> SafeString:
    """``web/_results.html`` up to the result's actions: the answer, the figures, the notices,
    the printed inputs, the visit cards, the years, the charts, the personal account and the
    依据 section. ``page_address`` is the page's full address, for the printed page."""
    t = _section_texts(get_language() or "")
    labels = {key: _esc(text) for key, text in result.labels.items()}
    totals = {key: _esc(yuan(value)) for key, value in result.totals.items()}
    count = len(result.visits)  # English says "1 visit", "4 visits"
    meta = _fill(ngettext(_META, _META, count), region=result.region_name, status=result.status_name, counter=count)
    estimate = t["estimate_secondary"] if result.secondary_rules else t["estimate"]
    notices = ""
    if result.warnings:
        count = len(result.warnings)
        title = ngettext("请注意（%(counter)s 条）", "请注意（%(counter)s 条）", count) % {"counter": count}
        notices = (
            f'\n<details class="notices" id="notices">\n<summary class="notices-title">{title}</summary>\n'
            f"{notices_html(result)}\n</details>\n"
        )
    # Without a cap (上海) there is no chart; why is said once, in 请注意, not again here.
    charts = f'\n<div class="charts">\n{charts_html(result)}    </div>\n' if result.charts else ""
    years = "".join(_year_html(year, t) for year in result.years)
    return mark_safe(
        f'\n<section id="results" class="results" aria-labelledby="results-title">\n'
        f'<h2 id="results-title" class="results-title" tabindex="-1" autofocus>{t["title"]}</h2>\n'
        f'<p class="answer" id="answer">{_esc(result.answer)}</p>\n\n'
        f'<dl class="summary" id="summary">\n<div class="summary-item">\n<dt>{labels["total"]}</dt>\n'
        f'<dd class="money" data-figure="total">{totals["total"]}</dd>\n</div>\n'
        f'<div class="summary-item summary-fund">\n<dt>{labels["fund"]}</dt>\n'
        f'<dd class="money" data-figure="fund_paid">{totals["fund_paid"]}</dd>\n</div>\n'
        f'<div class="summary-item summary-member">\n<dt>{labels["member"]}</dt>\n'
        f'<dd class="money" data-figure="member_paid">{totals["member_paid"]}</dd>\n'
        f'<dd class="summary-split">{labels["account"]} <span class="money" data-figure="account_paid">{totals["account_paid"]}</span>'
        f' · {labels["cash"]} <span class="money" data-figure="cash_paid">{totals["cash_paid"]}</span></dd>\n</div>\n</dl>\n'
        + (f'<p class="answer-note" id="transfer-note">{result.transfer_note}</p>\n' if result.transfer_note else "")
        + (f'<p class="answer-note" id="new-year-note">{result.new_year_note}</p>\n' if result.new_year_note else "")
        + f'<p class="results-meta">{meta}{t["stop"]}{estimate}</p>\n\n{notices}\n\n'
        f"{_print_inputs_html(result, page_address, t)}\n\n"
        f'<h3 id="visits-title">{t["visits_reordered"] if result.reordered else t["visits"]}</h3>\n<ol class="visit-list" aria-labelledby="visits-title">\n'
        f"{visit_cards_html(result)}</ol>\n\n"
        f'<h3 id="years-title">{t["years"]}</h3>\n<ul class="year-summary" aria-labelledby="years-title">\n'
        f"{years}\n</ul>\n\n{charts}\n\n"
        f'<div class="personal-account">\n<h3>{t["account_title"]}</h3>\n'
        f"<p>{_personal_account_html(result, t)}</p>\n</div>\n\n"
        f'<section class="basis" id="basis" aria-labelledby="basis-title">\n<h3 id="basis-title">{labels["basis"]}</h3>\n'
        f'<ul class="rules-used">\n{_rules_html(result)}\n</ul>\n<ol class="clause-index">\n{clauses_html(result)}\n</ol>\n</section>\n\n'
    )
