"""Arrange the engine's result for the results template: look-ups and labels, no arithmetic.

Every figure shown comes out of ``calculate()`` as it is; this module picks which figure goes
where (the answer sentence, the figure cards, one row per visit with its steps, the notices
once each, the clauses once each in the 依据 section) and adds the translated labels. Work
that would otherwise repeat in the template for every step (labels, clause look-ups,
translations) is done here once, so the page renders fast for 50 visits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from collections.abc import Callable
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext as _, gettext_noop, ngettext

from calculator.web import labels, region_facts, result_html
from calculator.web.chart import Chart, build_charts, cap_change_day
from calculator.web.policies import version_checked
from calculator.web.templatetags.yuan import yuan, yuan_formatter


@dataclass
class ClauseView:
    """One clause, shown once in the 依据 section; steps and notices link to ``anchor``."""

    number: int
    ref: str
    anchor: str
    title: str
    description: str  # English description of the Chinese title ("" in Chinese)
    issuer: str
    doc_no: str  # "" when the text gives none (the template says 所见原文未注明文号)
    article: str
    quote: str
    status: str
    status_label: str
    source: str | None  # the re-post's address, when there is one
    assumption: str  # the calculator's reading, in the page's language ("" when none)
    assumption_translated: bool
    link_text: str = ""  # "依据 3", the steps' link to it
    article_en: str = ""  # the article's English reference ("Article 8"); "" in Chinese or where none is known
    issuer_en: str = ""  # English description of the issuer's Chinese name ("" in Chinese)

    @property
    def document(self) -> tuple[Any, ...]:
        """What the 依据 section says once for all the passages of one document."""
        return (self.title, self.description, self.issuer, self.issuer_en, self.doc_no, self.status, self.source)


@dataclass
class Step:
    code: str
    label: str
    amount_text: str  # "" for a step without an amount
    explanation: str
    clause: ClauseView | None


def merged_warnings(warnings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The answer's warnings as a reader is shown them: a caveat with the same words raised
    under two clauses (玉溪's off-site caveat under the 细则 before 2024-11-01 and the 省办法
    after) is said once, with the visits of both and both clauses. The answer merges them
    itself (report._warnings_json, ``clauses``); a result saved before that has two entries. Each keeps ``codes`` (the answer's codes it stands for),
    ``clauses`` (references, in order) and ``visits`` (sorted)."""
    out: list[dict[str, Any]] = []
    by_text: dict[tuple[Any, str], dict[str, Any]] = {}
    for w in warnings:
        key = (w.get("kind"), w["message"])
        first = by_text.get(key)
        if first is None:
            first = by_text[key] = {
                **w, "visits": sorted(w.get("visits") or []), "codes": [w["code"]],
                # The answer merges such caveats itself now (report._warnings_json, with
                # ``clauses``); a result saved before that has one entry per clause.
                "clauses": list(w.get("clauses") or ([w["clause"]] if w.get("clause") else [])),
            }
            out.append(first)
            continue
        first["codes"].append(w["code"])
        first["visits"] = sorted(set(first["visits"]) | set(w.get("visits") or []))
        for clause in w.get("clauses") or ([w["clause"]] if w.get("clause") else []):
            if clause not in first["clauses"]:
                first["clauses"].append(clause)
    return out


def reposted_passages(rule_id: str, clauses: dict[str, Any]) -> bool:
    """Whether a passage cited under the rule comes from a re-post (its clauses' references
    start with the rule's id)."""
    return any(ref.startswith(rule_id + "/") and clause.get("status") != "official" for ref, clause in clauses.items())


def _notice_number(notice: "Notice") -> int:
    return notice.number


@dataclass
class Notice:
    number: int
    code: str
    kind: str
    message: str
    clause: ClauseView | None
    visits: list[int] = field(default_factory=list)  # the visits it concerns (1-based)
    link_text: str = ""  # "第 1 条", a visit's link to it
    more_clauses: list[ClauseView] = field(default_factory=list)  # the same caveat under other clauses

    @property
    def anchor(self) -> str:
        return f"notice-{self.number}"


@dataclass
class VisitView:
    number: int
    visit: dict[str, Any]
    description: str
    group_name: str
    year_label: str
    rule_title: str
    steps: list[Step]
    notices: list[Notice]
    # Sentences around the figures, made once here rather than by {% blocktranslate %} in the
    # template's loop (one per visit and sentence).
    heading: str = ""
    how_for: str = ""
    meta: str = ""
    rule_zh: str = ""  # on an English page, the Chinese title inside ``meta`` (marked zh-Hans)
    split: str = ""

    @property
    def anchor(self) -> str:
        return f"visit-{self.number}"


@dataclass
class YearView:
    year: int
    label: str
    deductible_used: str
    deductible_basis: str | None  # annual, per_visit, none, none_from (none after a rule with one)
    deductible_none_from: str | None
    deductible_term: str | None  # the deductible step's label (起付标准, 上海 自负段)
    deductible_standard: str | None
    deductible_remaining: str | None
    fund_paid: str
    annual_cap: str | None
    cap_remaining: str | None
    chronic: dict[str, str] | None = None  # 玉溪 门诊慢性病: its own deductible and cap
    general: bool = True  # any 普通门诊 visit this year (else only the chronic line is said)
    # The year's changes of its cap (a new rule; the member became a retiree), latest first:
    # (from, the cap before), from the engine's cap_change steps; None: one cap all year.
    cap_changed: tuple[tuple[str, str], ...] | None = None
    deductible_changed: tuple[tuple[str, str], ...] | None = None  # (from, the standard before), latest first


@dataclass
class Inputs:
    """What the result was calculated from, for the printed page."""

    region_name: str
    status_name: str
    age: int | None
    retired_on: str | None
    tiers: list[str]  # the retiree groups the visits were paid under (上海: by retirement date)
    account_entered: bool
    account_balance: str | None
    prior_years_balance: str | None


@dataclass
class RuleView:
    id: str
    title: str
    description: str
    period: str
    status: str
    status_label: str
    checked: str


@dataclass
class ResultView:
    raw: dict[str, Any]
    region_name: str
    status_name: str
    answer: SafeString
    totals: dict[str, str]
    years: list[YearView]
    visits: list[VisitView]  # date order
    warnings: list[Notice]
    personal_account: dict[str, Any]
    personal_account_clause: ClauseView | None
    rules: list[RuleView]
    clauses: list[ClauseView]
    inputs: Inputs
    labels: dict[str, str] = field(default_factory=dict)
    charts: list[Chart] = field(default_factory=list)
    any_future: bool = False
    # Clauses of other versions the account sentence names (params.joined, params.others).
    personal_account_joined: list[ClauseView] = field(default_factory=list)
    several_rules: bool = False  # more than one rule version: each visit names its own
    transfer_note: SafeString | str = ""  # the share going over to inpatient cover (transfer_note)
    new_year_note: SafeString | str = ""  # visits in a new 医保年度 without its account credit (new_year_note)

    @property
    def reordered(self) -> bool:
        """Whether the visits were entered out of date order (listed by date, numbered as entered)."""
        return self.raw["calculation_order"] != sorted(self.raw["calculation_order"])

    @property
    def secondary_rules(self) -> bool:
        """Whether a rule used, or a passage cited, comes from a re-post (not an official
        original): 上海's 医保年度 and 武汉's start date are read from re-posts under official rules."""
        return any(rule.status != "official" for rule in self.rules) or any(c.status != "official" for c in self.clauses)

    def cards_html(self) -> SafeString:
        """The visit cards, written in Python (``calculator/web/result_html.py``)."""
        return result_html.visit_cards_html(self)

    def charts_html(self) -> SafeString:
        return result_html.charts_html(self)

    def notices_html(self) -> SafeString:
        return result_html.notices_html(self)

    def clauses_html(self) -> SafeString:
        return result_html.clauses_html(self)


# A visit's description ("三级 门诊") by language, then (level, setting, category).
_DESCRIPTIONS: dict[str, dict[tuple[Any, ...], str]] = {}


def _english() -> bool:
    return not (get_language() or "zh-hans").lower().startswith("zh")


_GLOSS = re.compile(r"\s*[（(][\u3000-\u303f\u4e00-\u9fff\uff00-\uffef+]+[)）]")


def _group_name(region: str, visit: dict[str, Any]) -> str:
    """The visit's status group by name (上海's cohorts by the data's split date)."""
    from calculator.rules.registry import load_policies

    version = next((v for v in load_policies()[region].versions if v.id == visit["version"]), None)
    return plain(labels.group_name(visit["status_group"], version, in_sentence=True))  # said in view.meta


def _visit_texts() -> dict[str, str]:
    """The sentences around each visit's figures, translated once per page (not per visit)."""
    return {
        "heading": _("第 %(number)s 次"),
        "how_for": _("（第 %(number)s 次就诊）"),
        "meta_rule": _("按%(group)s待遇，%(year)s；适用政策：%(rule)s"),
        "meta": _("按%(group)s待遇，%(year)s"),
        "split": _("其中个人账户支付 %(account)s，现金支付 %(cash)s。"),
        # One of the two nil: the share is paid one way (no "个人账户支付 0.00 元" as an event).
        "split_cash": _("全部为现金支付。"),
        "split_account": _("全部由个人账户支付。"),
    }


def _visit_view(*, several_rules: bool, texts: dict[str, str], money: Callable[[Any], str], **fields: Any) -> VisitView:

    view = VisitView(**fields)
    number = {"number": view.number}
    view.heading = texts["heading"] % number
    view.how_for = texts["how_for"] % number
    if several_rules:
        view.meta = texts["meta_rule"] % {"group": view.group_name, "year": view.year_label, "rule": view.rule_title}
    else:
        view.meta = texts["meta"] % {"group": view.group_name, "year": view.year_label}
    account, cash = view.visit["account_paid"], view.visit["cash_paid"]
    if account == "0.00":
        view.split = texts["split_cash"] if cash != "0.00" else ""  # nothing to pay: nothing to split
    elif cash == "0.00":
        view.split = texts["split_account"]
    else:
        view.split = texts["split"] % {"account": money(account), "cash": money(cash)}
    return view


def plain(text: str, english: bool | None = None) -> str:
    """English text without its Chinese gloss ("Paid by the pooling fund (统筹基金支付)" →
    "Paid by the pooling fund"): the results page is English throughout, Chinese only in
    policy titles and quotes. Chinese text is returned as it is. (``english``: whether the
    page is in English, when the caller knows.)"""
    if not text or not (_english() if english is None else english):
        return text
    return _GLOSS.sub("", text)


# The results page's own labels (msgids shared with the form, whose English keeps a gloss).
_LABELS = {
    "total": "医疗费总额",
    "fund": "统筹基金支付",
    "member": "个人负担",
    "account": "个人账户",
    "cash": "现金",
    "basis": "依据",
    "how": "怎么算的",
    "notes": "请注意：",
    "comma": "、",
    "future": "未来日期，按现行规定估算",
    "region": "参保地区",
    "status": "参保身份",
    "age": "年龄",
    "retired_on": "退休日期",
    "account_balance": "个人账户余额",
    "prior_years_balance": "历年账户余额",
}


def _labels_for(region_code: str) -> dict[str, str]:
    """The page's labels for a result of this region: where it keeps two accounts (上海: the
    当年账户 pays first, the 历年账户 after), the first balance is the 当年账户's."""
    made = dict(_page_labels(get_language() or ""))
    if region_facts.two_accounts(region_code):
        made["account_balance"] = plain(_("当年账户余额"))
    return made


@lru_cache(maxsize=4)
def _page_labels(language: str) -> dict[str, str]:
    """The page's labels in ``language`` (the active one), translated once."""
    return {key: plain(_(msgid)) for key, msgid in _LABELS.items()}


def _money(value: str | None) -> SafeString:
    return format_html('<span class="money">{}</span>', yuan(value))


def answer_sentence(totals: dict[str, str], count: int, account_entered: bool) -> SafeString:
    """The answer in one sentence, every figure the engine's total as it is."""
    figures = {
        "count": count,
        "total": _money(totals["total"]),
        "fund": _money(totals["fund_paid"]),
        "member": _money(totals["member_paid"]),
        "account": _money(totals["account_paid"]),
        "cash": _money(totals["cash_paid"]),
    }
    opening = ngettext(
        "这 {count} 次就诊共 {total}：统筹基金支付 {fund}，您个人负担 {member}",
        "这 {count} 次就诊共 {total}：统筹基金支付 {fund}，您个人负担 {member}",
        count,
    )
    if account_entered:
        split = _("（个人账户 {account}，现金 {cash}）。")
    else:
        # Nothing from an account nobody entered: said as such, not as "个人账户 0.00 元".
        split = _("（未填个人账户余额，全部按现金计算）。")
    return format_html(opening + split, **figures)


def transfer_note(visits: list[dict[str, Any]]) -> SafeString | str:
    """What of the member's share is counted as theirs only for now (玉溪, 云南: above the
    annual cap, the expense goes over to inpatient cover), said beside the answer it
    qualifies: the sum of those visits' over-cap shares, the figure each of their sentences
    calls 暂列为个人负担 (the fund share left unpaid where a visit crosses the cap, the whole
    policy-range expense where the cap was used up before it: not one kind of amount, so the
    note names neither, only what both are)."""
    over = [(v["index"] + 1, Decimal(v["member_share"]["over_cap"])) for v in visits if v["over_cap_handling"] == "inpatient_transfer"]
    amount = sum((a for _n, a in over), Decimal("0"))
    if not amount:
        return ""
    numbers = [n for n, a in sorted(over) if a]
    text = ngettext(
        "其中 {amount}暂列为个人负担（第 {numbers} 次就诊）：超过年度限额的费用按规定转入住院待遇，本计算器不计算住院报销，实际个人负担可能更低。",
        "其中 {amount}暂列为个人负担（第 {numbers} 次就诊）：超过年度限额的费用按规定转入住院待遇，本计算器不计算住院报销，实际个人负担可能更低。",
        len(numbers),
    )
    return format_html(text, amount=_money(f"{amount:.2f}"), numbers=_("、").join(map(str, numbers)))


# The engine's notices that a request crossed into a new 医保年度 without that year's 当年账户
# credit (上海: the balance entered is the old year's; ledger.py).
NEW_YEAR_NOTICES = ("new-insurance-year", "new-insurance-year-empty")


def new_year_note(warnings: list[dict[str, Any]]) -> SafeString | str:
    """Said beside the answer, where the figures it qualifies are: visits in a new 医保年度 were
    worked out with no 当年账户 (its credit is not known to the calculator). That account would
    pay first and what it pays does not count toward the 自负段, so for those visits the fund's
    payment and the cash can only be lower in fact, never higher (audit: said only in the closed
    请注意 list, under totals a member would take as theirs). The notice itself, with the reading
    it rests on, stays in 请注意."""
    numbers = [n for w in warnings if w["code"] in NEW_YEAR_NOTICES for n in w["visits"]]
    if not numbers:
        return ""
    text = ngettext(
        "第 {numbers} 次就诊在新的医保年度：本计算器没有新年度的当年账户划入额，按没有当年账户计算。当年账户先支付，且不计入自负段，所以实际的统筹基金支付和现金支付都可能比这里的少；请另行计算新年度的就诊。",
        "第 {numbers} 次就诊在新的医保年度：本计算器没有新年度的当年账户划入额，按没有当年账户计算。当年账户先支付，且不计入自负段，所以实际的统筹基金支付和现金支付都可能比这里的少；请另行计算新年度的就诊。",
        len(set(numbers)),
    )
    # Said as 请注意 says a notice's visits (a run of four or more by its ends).
    return format_html(text, numbers=result_html.visit_numbers(numbers, _("、")))


_NO_DOC_NO = ("所存文本未载文号", "转载未载文号")
_CJK = re.compile(r"[\u3400-\u9fff]")
_INTERNAL_PHRASES = (
    # What the policy data says about its own copy of a text, in words a reader understands
    # (inside Chinese titles and issuers, which stay Chinese in both languages).
    # The copy found starts mid-document (上海: at "主要任务"): the document surely has an
    # issuer and a title; the copy shows neither, and the title shown is the calculator's own
    # (audit: "原文未注明标题" beside a title said the document has none).
    ("所存文本未载发文机关", "所见原文未载发文机关"),
    ("所存文本无标题", "标题据所见原文内容拟定"),
)


def reader_text(text: str | None) -> str:
    """A title or issuer with the data's internal phrases replaced."""
    if not text:
        return ""
    for internal, shown in _INTERNAL_PHRASES:
        text = text.replace(internal, shown)
    return text


_NO_DOC_NO_SHOWN: dict[str, frozenset[str]] = {}  # by language: those texts as translated


def doc_no(text: str | None) -> str:
    """The document number, or "" when the text carries none (the answer says so in its own
    language: the English answer translates the data's "所存文本未载文号")."""
    if not text or text in _NO_DOC_NO:
        return ""
    language = get_language() or ""
    shown = _NO_DOC_NO_SHOWN.get(language)
    if shown is None:
        shown = _NO_DOC_NO_SHOWN[language] = frozenset(_(t) for t in _NO_DOC_NO)
    return "" if text in shown else text


def _said(assumption: str, shown: set[str]) -> bool:
    """A clause's reading is said already where a notice says it, alone or after what it
    reads (上海's 总限额 reading follows the reason there is no outpatient cap)."""
    return any(assumption in message for message in shown)  # equal to a message: in it too


def clause_views(
    clauses: dict[str, dict[str, Any]], refs: list[str], shown: set[str]
) -> dict[str, ClauseView]:
    """One view per quoted passage: references that quote the same words of the same
    document share it, so each quote is on the page once. ``shown`` are the notices' texts:
    an assumption already listed as a notice (which links here) is not repeated.

    The passages are numbered by document (each document is named once in the 依据 section,
    its passages under it), documents in the order the page first uses them."""
    english = _english()
    out: dict[str, ClauseView] = {}
    by_quote: dict[tuple[str, str, str], ClauseView] = {}
    for ref in refs:
        c = clauses[ref]
        key = (c["title"], c["article"], c["quote"])
        unsaid = bool(c.get("assumption")) and not _said(c["assumption"], shown)
        if key in by_quote and not unsaid:
            out[ref] = by_quote[key]
            continue
        assumption, translated = ("", False)
        if unsaid:
            # The answer gives the calculator's own reading in its language already.
            assumption, translated = labels.data_text(c["assumption"])
            # An English reading may quote a Chinese term ("(住院)"): it is English when Chinese
            # characters are a small part of it, and is marked so (lang), not as Chinese.
            translated = translated or (english and len(_CJK.findall(assumption)) * 4 < len(assumption))
        out[ref] = by_quote[key] = ClauseView(
            number=0,
            ref=ref,
            anchor="",
            title=reader_text(c["title"]),
            description=labels.title_description(c["title"]) if english else "",
            issuer=reader_text(c["issuer"]),
            doc_no=doc_no(c["doc_no"]),
            article=c["article"],
            quote=c["quote"],
            status=c["status"],
            status_label=plain(str(labels.SOURCE_STATUS.get(c["status"], c["status"])), english),
            source=c["source"] if str(c.get("source") or "").startswith("http") else None,
            assumption=assumption,
            assumption_translated=translated,
            article_en=labels.article_label_en(c["article"]) if english else "",
            issuer_en=labels.issuer_description(c["issuer"]) if english else "",
        )
    # A passage that is part of another quoted passage of the same article (one parameter quotes
    # "第六条 …起付标准为:", another the whole article) is shown once, the longer; a part with a
    # reading of its own to show stays (the reading belongs to that use of the clause).
    unique = list({id(v): v for v in out.values()}.values())
    for part in unique:
        if part.assumption:
            continue
        whole = next(
            (v for v in unique if v is not part and v.title == part.title and v.article == part.article
             and len(v.quote) > len(part.quote) and part.quote in v.quote),
            None,
        )
        if whole is not None:
            for ref, view in out.items():
                if view is part:
                    out[ref] = whole
    documents: dict[tuple[Any, ...], list[ClauseView]] = {}
    for view in {id(v): v for v in out.values()}.values():
        documents.setdefault(view.document, []).append(view)
    number = 0
    for views in documents.values():
        for view in views:
            number += 1
            view.number = number
            view.anchor = f"clause-{number}"
            view.link_text = _("依据 %(number)s") % {"number": number}
    return out


def _titled(title: str, english: bool) -> str:
    """A rule's Chinese title, followed in English by its English description (issue 7)."""
    description = labels.title_description(title) if english else ""
    return f"{title} ({description})" if description else title


def _changes(
    visits: list[dict[str, Any]], code: str, old_name: str, new_name: str, final: Any, day_of: Any,
) -> tuple[tuple[str, str], ...] | None:
    """A year's changes of one standard (the cap, the annual deductible), latest first, down to
    the one that set ``final``: (from, the figure before) from the engine's ``code`` steps, each
    dated by ``day_of(visit, params)``; None where the year had one figure throughout."""
    changes = [
        (day_of(v, s["params"]), s["params"][old_name], s["params"].get(new_name))
        for v in visits for s in v["steps"] if s["code"] == code and s["params"].get(old_name) is not None
    ]
    while changes and changes[-1][2] != final:
        changes.pop()
    return tuple((day, old) for day, old, _new in reversed(changes)) or None


OFFSITE_SAID = {"filed": gettext_noop("异地就医，已备案"), "unfiled": gettext_noop("异地就医，未备案")}


def present(result: dict[str, Any], request: Any = None, entered: dict[str, Any] | None = None) -> ResultView:
    """The view of one result. ``request`` is the parsed CalculationRequest and ``entered``
    the form's contract data (to know which optional fields were filled in)."""
    clauses = result["clauses"]
    by_index = {v["index"]: v for v in result["visits"]}
    rule_titles = {r["id"]: r["title"] for r in result["rules"]}
    year_labels = {y["year"]: y["label"] for y in result["years"]}
    english = _english()

    # The clauses in the order the page first uses them: steps in date order, then notices,
    # then the personal account. Each is shown once, in the 依据 section.
    order: dict[str, None] = {}
    for index in result["calculation_order"]:
        for s in by_index[index]["steps"]:
            if s.get("clause") in clauses:
                order.setdefault(s["clause"], None)
    for w in result["warnings"]:
        for ref in w.get("clauses") or ([w["clause"]] if w.get("clause") else []):
            if ref in clauses:
                order.setdefault(ref, None)
    pa = result["personal_account"]
    if pa.get("clause") in clauses:
        order.setdefault(pa["clause"], None)
    # Clauses the account sentence names beside its own: months joined under a neighbouring
    # version (params.joined), another version's rules in the year of retirement (params.others)
    # or where the member's own rule gives no figure (params.other_rules).
    pa_params = pa.get("params") or {}
    joined_refs = list(dict.fromkeys(
        j["clause"] for j in [*(pa_params.get("joined") or []), *(pa_params.get("others") or []), *(pa_params.get("other_rules") or [])]
        if j.get("clause") in clauses
    ))
    for ref in joined_refs:
        order.setdefault(ref, None)
    checked = {r["id"]: version_checked(r["id"]) for r in result["rules"]}
    shown = {w["message"] for w in result["warnings"]}
    cviews = clause_views(clauses, list(order), shown)

    warnings = []
    by_code = {}
    for n, w in enumerate(merged_warnings(result["warnings"]), start=1):
        # Two versions quoting one clause share its view (one 依据 entry): linked once.
        refs = list({id(cviews[ref]): cviews[ref] for ref in w["clauses"] if ref in cviews}.values())
        notice = Notice(
            n, w["code"], w.get("kind", "notice"), w["message"], refs[0] if refs else None,
            w["visits"], _("第 %(number)s 条") % {"number": n}, refs[1:],
        )
        warnings.append(notice)
        for code in w["codes"]:
            by_code[code] = notice
    label_cache: dict[str, str] = {}

    visits = []
    visit_texts = _visit_texts()
    money = yuan_formatter()
    descriptions = _DESCRIPTIONS.setdefault(get_language() or "", {})

    # What the member said of a visit beyond its level and type (off-site care, a hospital
    # stay): in its heading too, so a card says which visit it is (audit: an off-site visit read
    # "三级 门诊" like any other; only its notes gave it away).
    circumstances: dict[int, tuple[str, ...]] = {}
    for v in getattr(request, "visits", None) or ():
        said = ((OFFSITE_SAID[v.offsite],) if v.offsite in OFFSITE_SAID else ()) + (("住院期间",) if v.inpatient_stay else ())
        if said:
            circumstances[v.index] = said

    def describe(visit: dict[str, Any]) -> str:  # "三级 门诊", once per kind of visit and language
        said = circumstances.get(visit["index"], ())
        key = (visit.get("level"), visit["setting"], visit.get("category"), said)
        text = descriptions.get(key)
        if text is None:
            text = labels.describe_visit(visit)
            for item in said:
                text = _("%(visit)s · %(circumstance)s") % {"visit": text, "circumstance": _(item)}
            text = plain(text, english)
            if len(descriptions) < 200:  # levels × settings × categories: a bound, not a policy
                descriptions[key] = text
        return text
    group_names: dict[tuple[str, str], str] = {}
    for index in result["calculation_order"]:
        visit = by_index[index]
        group_key = (visit["version"], visit["status_group"])
        group_name = group_names.get(group_key)
        if group_name is None:
            group_name = group_names[group_key] = _group_name(result["region"], visit)
        steps = []
        for s in visit["steps"]:
            if s["code"] == "cash":
                # The card's last line says the same split (个人负担 X：其中个人账户支付 A，现金支付 C),
                # under the member's own figure: said once, there (the API keeps the step).
                continue
            amount = s["amount"]
            if amount is None or (amount == "0.00" and s["code"] == "fund"):
                # The fund paying nothing (the cap used up) is what its sentence says, not a
                # payment of ¥0.00 in bold beside it.
                amount_text = ""
            else:  # the cap step's amount is what is left of it: its label says so (年度限额尚余)
                amount_text = money(amount)
            label = label_cache.get(s["label"])
            if label is None:
                label = label_cache[s["label"]] = plain(s["label"], english)
            steps.append(Step(s["code"], label, amount_text, s["explanation"], cviews.get(s.get("clause") or "")))
        visits.append(
            _visit_view(
                number=index + 1,
                visit=visit,
                description=describe(visit),
                group_name=group_name,
                year_label=year_labels[visit["year"]],
                rule_title=_titled(rule_titles.get(visit["version"], visit["version"]), english),
                rule_zh=rule_titles.get(visit["version"], "") if english else "",
                steps=steps,
                # In the list's order ("第 1 条、第 3 条"), not the order the engine met them.
                # (Two codes of one caveat said once: a single link.)
                notices=sorted({by_code[code].number: by_code[code] for code in visit["notices"] if code in by_code}.values(), key=_notice_number),
                several_rules=len(result["rules"]) > 1,
                texts=visit_texts,
                money=money,
            )
        )

    years = []
    rule_starts = {r["id"]: r["effective_from"] for r in result["rules"]}
    # The document's own term for the deductible (上海: 自负段), by rule version, from any visit's
    # deductible step: a year without such a step is still headed by its version's term.
    terms_by_version: dict[str, str] = {}
    for v in visits:
        if v.visit["category"] != "general":
            continue  # a 门诊慢性病 visit's deductible is its pool's (门诊慢性病起付标准)
        for s in v.steps:
            if s.code == "deductible" and s.amount_text:  # not the step saying there is none
                terms_by_version.setdefault(v.visit["version"], s.label)
    for year in result["years"]:
        in_year_views = [v for v in visits if v.visit["year"] == year["year"] and v.visit["category"] == "general"]
        in_year = [v.visit for v in in_year_views]  # in date order
        with_deductible = [v for v in in_year if v["deductible"]["basis"]]
        last_ded = with_deductible[-1]["deductible"] if with_deductible else None
        basis = last_ded["basis"] if last_ded else None
        none_from = None
        if basis not in (None, "none") and in_year and in_year[-1]["version"] != with_deductible[-1]["version"] and (
            year.get("deductible_basis") == "none"
        ):
            # The year's last visits, under a rule without a deductible (武汉 from 2023-04-10), were
            # ones the fund does not cover (非定点): the year still ends under that rule.
            basis = "none_from"
            none_from = rule_starts.get(in_year[-1]["version"])
        elif basis == "none" and any(v["deductible"]["basis"] != "none" for v in with_deductible):
            # The year began under a rule with a deductible and a later one has none (武汉
            # 2023-04-10): the line says both, not "不设" for a year in which one was paid.
            first_none = len(with_deductible)  # the first of the year's last run of "none"
            while with_deductible[first_none - 1]["deductible"]["basis"] == "none":
                first_none -= 1
            basis = "none_from"
            none_from = rule_starts.get(with_deductible[first_none]["version"])
        # The line is headed by the document's own term (上海: 自负段), as the steps are.
        # (Not the label of the step saying a version has none: "不设起付线".)
        term_label = next((s.label for v in in_year_views for s in v.steps if s.code == "deductible" and s.amount_text), None)
        if term_label is None and in_year:
            term_label = terms_by_version.get(in_year[-1]["version"])
        # What is left of the year's cap, as the engine gives it: the cap of the rule in force at the
        # year's last visit less what the fund paid. (The last visit the fund paid may have been
        # under an earlier rule's cap: its 4,000 − 340 beside a 4,500 cap read as a wrong sum.)
        cap_remaining = year.get("cap_remaining")
        # The year's cap changes, latest first, down to the one that set the year's cap: each
        # from the later of a new rule's first day and the first day as a retiree, as the chart
        # says it. Two in a year (武汉 2023: a retiree from 03-01, 优化方案 from 04-10) are both
        # said: "此前的就诊适用 4,000" alone is untrue of a visit before 03-01 (3,500).
        cap_changed = _changes(in_year, "cap_change", "old_cap", "new_cap", year["annual_cap"], lambda v, p: cap_change_day(v))
        # The annual deductible as the engine leaves it at the year's last general visit (a
        # retirement may change it at a visit the fund does not cover: the line then says the
        # retiree's standard, as that visit's own step does); an answer saved before the engine
        # gave it falls back on the last covered visit's. Its changes in the year, latest first,
        # as for the cap (each from the first day as a retiree).
        ded_standard, ded_remaining = (last_ded["standard"], last_ded["remaining"]) if last_ded else (None, None)
        if basis == "annual" and year.get("deductible_standard") is not None:
            ded_standard, ded_remaining = year["deductible_standard"], year["deductible_remaining"]
        deductible_changed = _changes(
            in_year, "deductible_change", "old_standard", "new_standard", ded_standard, lambda v, p: p.get("group_from") or v["date"],
        )
        years.append(
            YearView(
                year=year["year"],
                label=year_labels.get(year["year"], str(year["year"])),
                deductible_used=year["deductible_used"],
                deductible_basis=basis,
                deductible_none_from=none_from,
                deductible_term=term_label,
                deductible_standard=ded_standard,
                deductible_remaining=ded_remaining,
                deductible_changed=deductible_changed if basis == "annual" else None,
                fund_paid=year["fund_paid"],
                annual_cap=year["annual_cap"],
                cap_remaining=cap_remaining,
                chronic=year.get("chronic"),
                general=bool(in_year),
                cap_changed=cap_changed,
            )
        )

    charts = build_charts(result, year_labels)

    entered = entered or {}
    account_entered = bool(entered.get("account_balance") or entered.get("prior_years_balance"))
    region_name = plain(labels.region_name(result["region_name"]), english)
    status_name = plain(str(labels.STATUS_NAMES.get(result["status"], result["status"])), english)
    tiers = []
    if result["status"] == "retired":
        # The retiree tier applied, where the rules have tiers (上海: by retirement date).
        for v in visits:
            if v.visit["status_group"] not in ("retired", "employed") and v.group_name not in tiers:
                tiers.append(v.group_name)
    inputs = Inputs(
        region_name=region_name,
        status_name=status_name,
        age=getattr(request, "age", None),
        retired_on=request.retired_on.isoformat() if getattr(request, "retired_on", None) else None,
        tiers=tiers,
        account_entered=account_entered,
        account_balance=entered.get("account_balance"),
        prior_years_balance=entered.get("prior_years_balance"),
    )
    rules = [
        RuleView(
            id=r["id"],
            title=r["title"],
            description=labels.title_description(r["title"]) if english else "",
            period=labels.period_text(dt.date.fromisoformat(r["effective_from"]), _date(r["effective_to"])),
            status=r["status"],
            status_label=plain(str(
                labels.OFFICIAL_PARTLY_REPOSTED if r["status"] == "official" and reposted_passages(r["id"], result["clauses"])
                else labels.SOURCE_STATUS.get(r["status"], r["status"])
            ), english),
            checked=checked.get(r["id"], ""),
        )
        for r in result["rules"]
    ]
    return ResultView(
        raw=result,
        region_name=region_name,
        status_name=status_name,
        answer=answer_sentence(result["totals"], len(visits), account_entered),
        transfer_note=transfer_note(result["visits"]),
        new_year_note=new_year_note(result["warnings"]),
        totals=result["totals"],
        years=years,
        visits=visits,
        warnings=warnings,
        personal_account=pa,
        personal_account_clause=cviews.get(pa.get("clause") or ""),
        personal_account_joined=[cviews[ref] for ref in joined_refs if ref in cviews],
        rules=rules,
        clauses=sorted({id(c): c for c in cviews.values()}.values(), key=lambda c: c.number),
        inputs=inputs,
        labels=_labels_for(result["region"]),
        charts=charts,
        any_future=any(v.visit.get("future") for v in visits),
        several_rules=len(result["rules"]) > 1,
    )


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
