"""The results page's repeated parts, written in Python: the visit cards, the notices, the
charts, the clauses.

A 10-visit result has some 70 steps and a chart point per visit; through the template
engine each step's half-dozen look-ups were a visible share of the page's render time. The
markup is what ``web/_results.html`` had; every word in it is the engine's (steps, figures)
or ``calculator/web/results.py``'s labels, escaped here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from calculator.web.govform import _esc
from calculator.web.templatetags.yuan import amount, yuan

if TYPE_CHECKING:
    from calculator.web.chart import Chart
    from calculator.web.results import ClauseView, ResultView, VisitView


def _card(v: VisitView, labels: dict[str, str]) -> str:
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
        f'<p class="visit-meta">{_esc(v.meta)}</p>\n<ol class="steps">'
    ]
    for step in v.steps:
        figure = f" <b>{_esc(step.amount_text)}</b>" if step.amount_text else ""  # app.css: .steps b + b
        link = f' <a href="#{step.clause.anchor}">{_esc(step.clause.link_text)}</a>' if step.clause else ""
        parts.append(f'\n<li class="step-{_esc(step.code)}"><b>{_esc(step.label)}</b>{figure}<br>{_esc(step.explanation)}{link}</li>')
    parts.append(f'\n<li class="step-split"><b>{labels["member"]}</b> <b>{member}</b><br>{_esc(v.split)}</li>\n</ol>')
    if v.notices:
        links = labels["comma"].join(f'<a href="#{n.anchor}">{_esc(n.link_text)}</a>' for n in v.notices)
        parts.append(f'\n<p class="visit-notices">{labels["notes"]}{links}</p>')
    parts.append("\n</details></li>\n")
    return "".join(parts)


def visit_cards_html(result: ResultView) -> SafeString:
    """The ``<li>`` of each visit, in date order: head, figures, and 怎么算的 with its steps."""
    labels = {key: _esc(text) for key, text in result.labels.items()}
    return mark_safe("".join(_card(v, labels) for v in result.visits))


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
            visits = f'\n<span class="notice-visits">{_esc(text % {"numbers": "、".join(map(str, notice.visits))})}</span>'
        if notice.clause:
            link = f'\n<a href="#{notice.clause.anchor}">{_esc(notice.clause.link_text)}</a>'
        parts.append(f'<li id="{notice.anchor}"><span>{_esc(notice.message)}</span>{visits}{link}</li>\n')
    parts.append("</ol>\n")
    return mark_safe("".join(parts))


def chart_html(chart: Chart) -> SafeString:
    """One ``<figure>``: the SVG (title and description for screen readers) and its legend."""
    key = _esc(chart.key)
    cap_label = gettext("年度限额 %(cap)s") % {"cap": yuan(chart.cap)}
    parts = [
        f'<figure class="chart">\n<svg viewBox="0 0 {chart.width} {chart.height}" role="img"'
        f' aria-labelledby="chart-{key}-title chart-{key}-desc" focusable="false">\n'
        f'<title id="chart-{key}-title">{_esc(chart.title)}</title>\n'
        f'<desc id="chart-{key}-desc">{_esc(chart.description)}</desc>\n'
        f'<line class="chart-axis" x1="{chart.left}" y1="{chart.base_y:.1f}" x2="{chart.right_x}" y2="{chart.base_y:.1f}"/>\n'
        f'<line class="chart-cap" x1="{chart.left}" y1="{chart.cap_y:.1f}" x2="{chart.right_x}" y2="{chart.cap_y:.1f}"/>\n'
        f'<text class="chart-cap-label" x="{chart.cap_label_x}" y="{chart.cap_label_y:.1f}"'
        f' text-anchor="{chart.cap_label_anchor}">{_esc(cap_label)}</text>\n'
        f'<polyline class="chart-line" points="{chart.polyline}"/>'
    ]
    legend = []
    for p in chart.points:
        if p.marker:
            parts.append(f'\n<circle cx="{p.x:.1f}" cy="{p.y:.1f}" r="4"/>')
            if p.number:
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
    doc_no = f'<span lang="zh-Hans">{_esc(first.doc_no)}</span>' if first.doc_no else texts["no_doc_no"]
    source = ""
    if first.source:
        source = (
            f' · <a href="{_esc(first.source)}" rel="noopener noreferrer">{texts["source"]}'
            f'<span class="visually-hidden">（《{_esc(first.title)}》）</span></a>'
        )
    return (
        f'<li class="clause-doc"><p class="clause-doc-title"><span lang="zh-Hans">《{_esc(first.title)}》</span>{description}'
        f' <span class="source-status source-{_esc(first.status)}">{_esc(first.status_label)}</span></p>\n'
        f'<p class="clause-meta"><span lang="zh-Hans">{_esc(first.issuer)}</span> · {doc_no}{source}</p>\n<ol class="clause-articles">\n'
    )


def _clause(clause: ClauseView, texts: dict[str, str]) -> str:
    assumption = ""
    if clause.assumption:
        lang = "" if clause.assumption_translated else ' lang="zh-Hans"'
        assumption = f'\n<p class="assumption"><strong>{texts["reading"]}</strong><span{lang}>{_esc(clause.assumption)}</span></p>'
    return (
        f'<li class="clause-item"><details class="clause">\n<summary><span class="clause-number">{clause.number}</span>'
        f' <span lang="zh-Hans">{_esc(clause.article)}</span></summary>\n'
        f'<div class="clause-body" id="{clause.anchor}">\n<blockquote class="quote" lang="zh-Hans">{_esc(clause.quote)}</blockquote>'
        f"{assumption}\n</div>\n</details></li>\n"
    )


def clauses_html(result: ResultView) -> SafeString:
    """The 依据 section's clauses, each once, under their document (named once): the quote and
    the calculator's reading of it. (When the sources were last checked is said once per rule
    version, in the list of rules above them.)"""
    texts = {
        "no_doc_no": _esc(gettext("原文未注明文号")),
        "source": _esc(gettext("转载页面")),
        "reading": _esc(gettext("本计算器的理解：")),
    }
    parts = []
    document = None
    for clause in result.clauses:  # numbered document by document
        if clause.document != document:
            if document is not None:
                parts.append("</ol></li>\n")
            parts.append(_document(clause, texts))
            document = clause.document
        parts.append(_clause(clause, texts))
    if document is not None:
        parts.append("</ol></li>\n")
    return mark_safe("".join(parts))
