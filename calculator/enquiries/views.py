"""Pages of saved enquiries: save, reopen, print, QR code, CSV/Excel export and import.

Saving posts the calculator's query string (the inputs of the result on screen); the result is
calculated again from it on the server (never taken from the client), stored with the rule
versions it used, and the browser is sent to ``/e/<token>/``. A wrong or expired token is a
plain 404. With the database down, saving and reopening answer 503 with a plain Chinese
message; the calculator itself does not need the database.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from calculator.enquiries import ledger_io, services
from calculator.enquiries.models import Enquiry
from calculator.enquiries.ratelimit import limited
from calculator.ops.responses import megabytes, safe_only
from calculator.web.templatetags.yuan import grouped
from calculator.i18n import edge_translate, plain_translate_for
from calculator.rules.contract import parse_request
from calculator.rules.engine import calculate
from calculator.rules.messages import identity

logger = logging.getLogger(__name__)

TOP_FIELDS = (
    "region", "status", "age", "retired_on", "flexible_employment", "contribution_base",
    "account_balance", "prior_years_balance", "chronic_disease_count",
)
# The ledger's column names on the print page: short, for twelve columns on one A4 page (the
# files keep the Chinese names, ledger_io.LEDGER_HEADERS).
PRINT_HEADERS = {
    "就诊日期": pgettext_lazy("print ledger", "就诊日期"),
    "医疗机构级别": pgettext_lazy("print ledger", "医疗机构级别"),
    "就诊类型": pgettext_lazy("print ledger", "就诊类型"),
    "医疗费总额": pgettext_lazy("print ledger", "医疗费总额"),
    "全自费": pgettext_lazy("print ledger", "全自费"),
    "乙类金额": pgettext_lazy("print ledger", "乙类金额"),
    "先行自付": pgettext_lazy("print ledger", "先行自付"),
    "符合政策范围金额": pgettext_lazy("print ledger", "符合政策范围金额"),
    "起付标准（本次）": pgettext_lazy("print ledger", "起付标准（本次）"),
    "自负段（本次）": pgettext_lazy("print ledger", "自负段（本次）"),
    "统筹基金支付": pgettext_lazy("print ledger", "统筹基金支付"),
    "个人账户支付": pgettext_lazy("print ledger", "个人账户支付"),
    "个人现金支付": pgettext_lazy("print ledger", "个人现金支付"),
    "依据": pgettext_lazy("print ledger", "依据"),
}
# What the member said of a visit beyond its level and type, after its type on the print, in
# the order of the detail page and the files: where the region's rules use one it changes the
# figures (the off-site rules, 山西's hospital-stay rule and price class, 玉溪's 门诊慢性病 pool),
# so a printed row without them could not be checked against the sheet (where a rule does not
# use one, a notice says so).
PRINT_OPTIONS = {
    "chronic": pgettext_lazy("print ledger", "门诊慢性病"),
    "filed": pgettext_lazy("print ledger", "异地已备案"),
    "unfiled": pgettext_lazy("print ledger", "异地未备案"),
    "stay": pgettext_lazy("print ledger", "住院期间"),
    1: pgettext_lazy("print ledger", "一类收费"),
    2: pgettext_lazy("print ledger", "二类收费"),
    3: pgettext_lazy("print ledger", "三类收费及以下"),
}
UNAVAILABLE = gettext_lazy("暂时无法保存或打开查询链接：数据库暂时不可用。请稍后再试；计算器本身可以照常使用。")


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "enquiries/unavailable.html", {"message": UNAVAILABLE}, status=503)


def _page_lang() -> str:
    return "en" if (translation.get_language() or "").startswith("en") else "zh-hans"


def _answer_translate() -> Any:
    """The engine's translation for an answer in the page's language (Chinese: none)."""
    return plain_translate_for("en") if _page_lang() == "en" else identity


def _from_query(query: QueryDict) -> tuple[dict[str, Any] | None, Any]:
    """Canonical inputs and the parsed request for a calculator query string (None if invalid),
    in the page's language (a calculation saved on the English page is an English one)."""
    from calculator.web.forms import calculator_state

    state = calculator_state(query)
    if not state.submitted or state.too_many_rows or state.action is not None:
        return None, None
    data, _rows = state.contract_data()
    data["lang"] = _page_lang()
    request, errors = parse_request(data, form=True)
    if state.with_input_errors(errors) or request is None:
        return None, None
    return services.canonical_inputs(request), request


def _link(request: HttpRequest, enquiry: Enquiry) -> str:
    return request.build_absolute_uri(reverse("enquiries:detail", args=[enquiry.token]))


def _live(token: str) -> Enquiry:
    enquiry = services.find_enquiry(token)
    if enquiry is None:
        raise Http404("no such enquiry")
    return enquiry


# --- Save and reopen --------------------------------------------------------------------------


@require_POST
@limited
def save(request: HttpRequest) -> HttpResponse:
    query_string = request.POST.get("q", "")[: settings.SITE_MAX_BODY_BYTES]
    query = QueryDict(query_string)
    inputs, calc_request = _from_query(query)
    if inputs is None:
        # Nothing valid to save (the inputs changed or were tampered with): back to the form,
        # which names the problem.
        return HttpResponseRedirect(reverse("web:home") + ("?" + query.urlencode() if query else ""))
    # Stored as the API would store it for this language (plain English: no Chinese glosses).
    translate = identity if calc_request.lang.startswith("zh") else plain_translate_for(calc_request.lang)
    result = calculate(calc_request, translate)
    try:
        enquiry = services.save_enquiry(inputs, result, source="web")
    except services.DatabaseUnavailable as exc:
        # The cause's kind (OperationalError: unreachable; ProgrammingError: not migrated).
        logger.warning("enquiry not saved: database unavailable (%s)", type(exc.__cause__).__name__)
        return _unavailable(request)
    return HttpResponseRedirect(reverse("enquiries:detail", args=[enquiry.token]) + "?saved=1")


def _today(enquiry: Enquiry) -> tuple[dict[str, Any] | None, list[dict[str, Any]], Any]:
    """Today's result in the page's language, the contract's errors, the parsed request."""
    request, errors = parse_request({**services.dated_inputs(enquiry), "lang": _page_lang()})
    if request is None:
        # Why today's rules cannot recompute it, in the page's language (a date no rule
        # covers any more was said in Chinese on the English page).
        return None, services.translated_errors(errors, edge_translate()), None
    return calculate(request, edge_translate()), [], request


def _person(inputs: dict[str, Any]) -> list[tuple[str, str]]:
    from calculator.rules.registry import load_policies

    regions = load_policies()
    region = regions.get(inputs.get("region"))
    status = {"employed": _("在职"), "retired": _("退休")}.get(inputs.get("status"), str(inputs.get("status")))
    rows = [
        (_("参保地区"), _(region.name) if region else str(inputs.get("region"))),
        (_("参保身份"), status),
        (_("年龄"), _("%(age)s 岁") % {"age": inputs.get("age")}),
    ]
    if inputs.get("retired_on"):
        rows.append((_("退休日期"), inputs["retired_on"]))
    if inputs.get("flexible_employment"):
        rows.append((_("灵活就业人员"), _("是")))
    # Where the region keeps two accounts (上海: the 当年账户 pays first), the first balance is
    # the 当年账户's, beside the 历年账户's (audit: both read as personal-account balances).
    from calculator.web.region_facts import two_accounts

    balance_label = _("当年账户余额") if two_accounts(inputs.get("region")) else _("个人账户余额")
    for key, label in (("contribution_base", _("月缴费基数")), ("account_balance", balance_label), ("prior_years_balance", _("历年账户余额"))):
        if inputs.get(key):
            rows.append((label, _("%(amount)s 元") % {"amount": grouped(inputs[key])}))
    if inputs.get("chronic_disease_count"):
        rows.append((_("慢性病病种数"), str(inputs["chronic_disease_count"])))
    return rows


def _level(level: Any) -> str:
    """A level's name in the page's language ("" when unknown)."""
    name = ledger_io.LEVEL_NAMES.get(level)
    return _(name) if name else ""


def _print_setting(setting: Any) -> str:
    """A visit type as the printed ledger names it: short, the column being narrow on A4 ("Clinic",
    not the page's "Outpatient clinic (门诊)")."""
    name = ledger_io.SETTING_NAMES.get(setting)
    return pgettext("print ledger", name) if name else (setting or "")


def _setting(setting: Any) -> str:
    """A visit type's name in the page's language (the code itself when unknown)."""
    name = ledger_io.SETTING_NAMES.get(setting)
    if name is None:
        return setting or ""
    # 门诊 as a visit type has its own context in the web app's catalogue.
    return pgettext("就诊类型", name) if setting == "clinic" else _(name)


def _visit_inputs(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for i, v in enumerate(inputs.get("visits") or []):
        extras = []
        if v.get("offsite") == "filed":
            extras.append(_("异地已备案"))
        elif v.get("offsite") == "unfiled":
            extras.append(_("异地未备案"))
        if v.get("inpatient_stay"):
            extras.append(_("住院期间"))
        if v.get("category") == "chronic":
            extras.append(_("门诊慢性病"))
        if v.get("price_class"):
            extras.append(_("山西收费类别 %(price_class)s") % {"price_class": v["price_class"]})
        out.append(
            {
                "number": i + 1,
                "date": v.get("date"),
                "level": _level(v.get("level")) or "—",
                "setting": _setting(v.get("setting") or "clinic"),
                "total": grouped(v.get("total")),
                "excluded": grouped(v.get("excluded")) or "",
                "class_b": grouped(v.get("class_b")) or "",
                "extras": _("、").join(extras),
            }
        )
    return out


def answer_sentence(result: dict[str, Any], inputs: dict[str, Any] | None = None) -> str:
    """The answer in one sentence, from the result's totals; with the inputs, said also when
    no account balance was entered (the account's 0.00 is then the form's blank, as the
    results page says)."""
    sentence = _answer_sentence(result)
    if inputs is not None and not (inputs.get("account_balance") or inputs.get("prior_years_balance")):
        sentence += _("未填个人账户余额，按现金计算。")
    return sentence


def _answer_sentence(result: dict[str, Any]) -> str:
    t = result.get("totals") or {}
    count = len(result.get("visits") or [])
    region = result.get("region_name", "")
    figures = {
        "region": _(region) if region else "", "count": count, "total": grouped(t.get("total")),
        "fund_paid": grouped(t.get("fund_paid")), "member_paid": grouped(t.get("member_paid")),
        "account_paid": grouped(t.get("account_paid")), "cash_paid": grouped(t.get("cash_paid")),
    }
    # Whose rules the visits were worked out under, as the visits say (a member who retired
    # during the year has visits under both: then neither group is named).
    groups = {v.get("status_group") for v in result.get("visits") or []}
    status = "employed" if groups == {"employed"} else "retired" if groups and "employed" not in groups else None
    if status == "employed":
        return ngettext(
            "按%(region)s在职职工的规定估算，这 %(count)s 次门诊医疗费总额 %(total)s 元，统筹基金支付 %(fund_paid)s 元，个人负担 %(member_paid)s 元（其中个人账户支付 %(account_paid)s 元，个人现金支付 %(cash_paid)s 元）。",
            "按%(region)s在职职工的规定估算，这 %(count)s 次门诊医疗费总额 %(total)s 元，统筹基金支付 %(fund_paid)s 元，个人负担 %(member_paid)s 元（其中个人账户支付 %(account_paid)s 元，个人现金支付 %(cash_paid)s 元）。",
            count,
        ) % figures
    if status == "retired":
        return ngettext(
            "按%(region)s退休人员的规定估算，这 %(count)s 次门诊医疗费总额 %(total)s 元，统筹基金支付 %(fund_paid)s 元，个人负担 %(member_paid)s 元（其中个人账户支付 %(account_paid)s 元，个人现金支付 %(cash_paid)s 元）。",
            "按%(region)s退休人员的规定估算，这 %(count)s 次门诊医疗费总额 %(total)s 元，统筹基金支付 %(fund_paid)s 元，个人负担 %(member_paid)s 元（其中个人账户支付 %(account_paid)s 元，个人现金支付 %(cash_paid)s 元）。",
            count,
        ) % figures
    return ngettext(
        "按%(region)s的规定估算，这 %(count)s 次门诊医疗费总额 %(total)s 元，统筹基金支付 %(fund_paid)s 元，个人负担 %(member_paid)s 元（其中个人账户支付 %(account_paid)s 元，个人现金支付 %(cash_paid)s 元）。",
        "按%(region)s的规定估算，这 %(count)s 次门诊医疗费总额 %(total)s 元，统筹基金支付 %(fund_paid)s 元，个人负担 %(member_paid)s 元（其中个人账户支付 %(account_paid)s 元，个人现金支付 %(cash_paid)s 元）。",
        count,
    ) % figures


def _context(request: HttpRequest, enquiry: Enquiry) -> dict[str, Any]:
    today, today_errors, parsed = _today(enquiry)
    comparison = services.compare(enquiry.rules, enquiry.result, today)
    comparison.today_errors = today_errors
    presented = None
    if today is not None:
        from calculator.web.results import present

        presented = present(today, parsed, enquiry.inputs)
    query = services.inputs_query(enquiry.inputs)
    visits_count = len(enquiry.inputs.get("visits") or [])
    return {
        "enquiry": enquiry,
        "link": _link(request, enquiry),
        "just_saved": request.GET.get("saved") == "1",
        "retention_days": services.retention_days(),
        "expires_on": enquiry.expires_on,
        "saved_on": timezone.localtime(enquiry.created_at).date(),
        "person": _person(enquiry.inputs),
        "visit_inputs": _visit_inputs(enquiry.inputs),
        "saved": enquiry.result,
        "saved_answer": answer_sentence(enquiry.result),
        "today": today,
        "today_answer": answer_sentence(today) if today else "",
        "today_errors": today_errors,
        "result": presented,
        "comparison": comparison,
        "totals_side_by_side": [
            (_(label), (enquiry.result.get("totals") or {}).get(key), ((today or {}).get("totals") or {}).get(key))
            for key, label in services.TOTAL_FIGURES
        ],
        "calculator_url": (reverse("web:home") + "?" + urlencode(query)) if visits_count <= 50 else "",
        "page_url": request.path,
    }


@safe_only
@limited  # each recomputes today's figures: counted like saving and exporting
def detail(request: HttpRequest, token: str) -> HttpResponse:
    try:
        enquiry = _live(token)
    except services.DatabaseUnavailable:
        return _unavailable(request)
    return render(request, "enquiries/detail.html", _context(request, enquiry))


@safe_only
@limited  # each recomputes today's figures: counted like saving and exporting
def print_view(request: HttpRequest, token: str) -> HttpResponse:
    from calculator.web.results import merged_warnings

    try:
        enquiry = _live(token)
    except services.DatabaseUnavailable:
        return _unavailable(request)
    context = _context(request, enquiry)
    result = context["today"] or enquiry.result
    rows, totals = ledger_io.ledger_rows(result)
    # On the page the slip's terms are shown in the page's language; the files keep them Chinese.
    levels = {name: code for code, name in ledger_io.LEVEL_NAMES.items()}
    settings_by_name = {name: code for code, name in ledger_io.SETTING_NAMES.items()}
    # Amounts as the results page writes them ("2,400.00").
    rows = [[row[0], _level(levels.get(row[1])), _print_setting(settings_by_name.get(row[2], row[2])), *map(grouped, row[3:11]), *row[11:]] for row in rows]
    totals = [_(totals[0]), *totals[1:3], *map(grouped, totals[3:11]), *totals[11:]]
    # 依据: each rule and clause once, under the table, the rows naming it by its number (on
    # one A4 page a column of full titles is a few characters wide and many lines tall); in
    # English each title followed by its English description, the article named in English.
    bases: list[dict[str, str]] = []
    by_index = {v["index"]: v for v in result.get("visits") or []}
    order = result.get("calculation_order") or sorted(by_index)
    for index, row in zip(order, rows):
        basis = _print_basis(by_index[index], result)
        if basis is None:
            continue
        if basis not in bases:
            bases.append(basis)
        row[11] = f"[{bases.index(basis) + 1}]"
    # The 乙类 amount entered, after 全自费 (the inputs on the sheet: 先行自付 20.00 came from
    # a 乙类 amount of 200.00 printed nowhere; audit): a column of its own, blank where none.
    given = enquiry.inputs.get("visits") or []
    for index, row in zip(order, rows):
        options = _print_options(by_index[index], ledger_io.entered_visit(given, index))
        if options:
            # Each option a whole (print.css), the row breaking between them where the column
            # is narrow (all on one line, the amounts were pushed off the A4 page).
            row[2] = format_html('<span class="type">{}</span> {}', row[2], format_html_join(" ", '<span class="option">{}</span>', ((o,) for o in options)))
    class_b_total = Decimal("0.00")
    for index, row in zip(order, rows):
        amount = ledger_io._class_b(ledger_io.entered_visit(given, index))
        if amount:
            class_b_total += amount
        row.insert(5, grouped(f"{amount:.2f}") if amount else "")
    totals.insert(5, grouped(f"{class_b_total:.2f}") if class_b_total else "")
    headers = ledger_io.ledger_headers(result)
    headers.insert(5, "乙类金额")
    context.update(
        {
            "printed_on": timezone.localdate(),
            "print_result": result,
            "print_answer": answer_sentence(result, enquiry.inputs),
            "ledger_headers": [PRINT_HEADERS.get(header, header) for header in headers],
            "ledger_rows": rows,
            "ledger_totals": totals,
            "ledger_bases": bases,
            "print_rules": _print_rules(result),
            # A caveat with the same words under two clauses: once (as on the results page).
            "print_notices": [{**w, "concerns": _notice_dates(result, w["visits"])} for w in merged_warnings(result.get("warnings") or [])],
        }
    )
    return render(request, "enquiries/print.html", context)


def _print_options(visit: dict[str, Any], entered: dict[str, Any]) -> list[str]:
    """The options a printed row's type is followed by: the category the engine used, and
    what was entered (off-site, a hospital stay, a price class; none where left blank)."""
    options = []
    if entered.get("offsite") in ("filed", "unfiled"):
        options.append(str(PRINT_OPTIONS[entered["offsite"]]))
    if entered.get("inpatient_stay") is True:
        options.append(str(PRINT_OPTIONS["stay"]))
    if visit.get("category") == "chronic":
        options.append(str(PRINT_OPTIONS["chronic"]))
    price_class = ledger_io._int_or_none(entered.get("price_class"))
    if price_class in PRINT_OPTIONS:
        options.append(str(PRINT_OPTIONS[price_class]))
    return options


def _print_basis(visit: dict[str, Any], result: dict[str, Any]) -> dict[str, str] | None:
    """A visit's 依据 on the print page: the rule version applied, and the clause its fund
    share came from (ledger_io's file column says the same, in Chinese)."""
    from calculator.web import labels
    from calculator.web.results import reader_text

    english = _page_lang() == "en"
    rules = {r["id"]: r for r in result.get("rules") or []}
    rule = rules.get(visit.get("version"))
    if rule is None:
        return None
    out = {"rule": reader_text(rule["title"]), "rule_en": labels.title_description(rule["title"]) if english else "", "doc": "", "doc_en": "", "article": ""}
    clause = ledger_io.fund_clause(visit, result)
    if clause is not None:
        article = clause.get("article") or ""
        out.update(
            doc=reader_text(clause.get("title") or ""),
            doc_en=labels.title_description(clause.get("title") or "") if english else "",
            article=(labels.article_label_en(article) or article) if english else article,
        )
    if out["doc"] == out["rule"]:
        # The fund's clause is in the rule's own document: the title once.
        out["rule"] = out["rule_en"] = ""
    return out


def _print_rules(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The rules used, each saying whether a passage cited under it is a re-post (上海's
    official rules, with the 医保年度 and the overall cap read from re-posts): the source
    column then says so, as the results page does."""
    from calculator.web import labels

    clauses = result.get("clauses") or {}
    english = _page_lang() == "en"
    from calculator.web.results import reposted_passages

    return [
        {**rule, "description": labels.title_description(rule["title"]) if english else "", "reposted_passages": reposted_passages(rule["id"], clauses)}
        for rule in result.get("rules") or []
    ]


PRINT_NOTICE_DATES = 8  # a notice about more visits names the first few dates and the count


def _notice_dates(result: dict[str, Any], numbers: list[int]) -> str:
    """Which visits a notice concerns, by date: the printed ledger is in date order without
    the visits' numbers, so "第 3 次就诊" could not be found on paper."""
    by_number = {v["index"] + 1: v["date"] for v in result.get("visits") or []}
    dates = sorted({by_number[n] for n in numbers if n in by_number})
    if not dates:
        return ""
    count = len(numbers)
    if len(dates) > PRINT_NOTICE_DATES:
        listed = _("、").join(dates[:PRINT_NOTICE_DATES])
        return ngettext("（涉及 %(dates)s 等 %(count)s 次就诊）", "（涉及 %(dates)s 等 %(count)s 次就诊）", count) % {"dates": listed, "count": count}
    return ngettext("（涉及 %(dates)s 的就诊）", "（涉及 %(dates)s 的就诊）", count) % {"dates": _("、").join(dates)}


@safe_only
@limited  # a database look-up each: counted like reopening the link (the print page shows one)
def qr_svg(request: HttpRequest, token: str) -> HttpResponse:
    import segno

    try:
        enquiry = _live(token)
    except services.DatabaseUnavailable:
        return _unavailable(request)
    out = io.BytesIO()
    segno.make(_link(request, enquiry), error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, title=_("查询链接二维码"), unit=None
    )
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


# --- Export -----------------------------------------------------------------------------------


def _filename(stem: str, ext: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.{ext}"


def _download(content: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export(result: dict[str, Any], inputs: dict[str, Any], kind: str, stem: str) -> HttpResponse:
    if kind == "xlsx":
        return _download(ledger_io.export_xlsx(result, inputs), ledger_io.XLSX_MEDIA_TYPE, _filename(stem, "xlsx"))
    return _download(ledger_io.export_csv(result, inputs), ledger_io.CSV_MEDIA_TYPE, _filename(stem, "csv"))


@require_http_methods(["GET", "POST"])
@limited
def export_current(request: HttpRequest, kind: str) -> HttpResponse:
    """The ledger of the calculator's current inputs, not saved: the query string (a link),
    or the page's query string posted as ``q`` by the result's download buttons."""
    query = QueryDict(request.POST.get("q", "")[: settings.SITE_MAX_BODY_BYTES]) if request.method == "POST" else request.GET
    inputs, calc_request = _from_query(query)
    if inputs is None:
        return render(
            request, "enquiries/unavailable.html",
            {"message": _("没有可以导出的结果：请先在计算器里填好并按“计算”，再下载。"), "title": _("无法导出")},
            status=400,
        )
    # The ledger's columns are the slip's Chinese terms in every language (the import reads
    # them); the 说明 sheet's caveats and labels follow the page's language, as the result does.
    return _export(calculate(replace(calc_request, lang=_page_lang()), _answer_translate()), inputs, kind, "menzhen-mingxi")


@safe_only
@limited  # each recomputes today's figures: counted like saving and exporting
def export_saved(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """A saved enquiry's ledger: today's figures, or the saved ones with ?figures=saved."""
    try:
        enquiry = _live(token)
    except services.DatabaseUnavailable:
        return _unavailable(request)
    if request.GET.get("figures") == "saved":
        return _export(enquiry.result, enquiry.inputs, kind, "menzhen-mingxi-saved")
    # In the page's language, as above (the saved figures keep the language they were saved in).
    today, _errors = services.recompute(services.dated_inputs(enquiry), _answer_translate(), lang=_page_lang())
    return _export(today or enquiry.result, enquiry.inputs, kind, "menzhen-mingxi")


@safe_only
def template_download(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == "xlsx":
        return _download(ledger_io.template_xlsx(), ledger_io.XLSX_MEDIA_TYPE, "jiuzhen-muban.xlsx")
    return _download(ledger_io.template_csv(), ledger_io.CSV_MEDIA_TYPE, "jiuzhen-muban.csv")


# --- Import -----------------------------------------------------------------------------------


def _render_calculator(request: HttpRequest, query: QueryDict, feedback: dict[str, Any], carry: list[tuple[str, str]]) -> HttpResponse:
    from calculator.web.forms import calculator_state

    state = calculator_state(query)
    context = {
        "state": state,
        "result": None,
        "page_url": reverse("web:home") + ("?" + query.urlencode() if query else ""),
        "oob_language_next": False,
        "import_feedback": feedback,
        "import_carry": carry,
    }
    return render(request, "web/home.html", context)


# A visit row's fields (calculator.web.forms.VisitForm), as the calculator form names them.
VISIT_FIELD = re.compile(r"visits-(\d{1,3})-(date|level|setting|total|excluded|class_b|offsite|inpatient_stay|chronic|price_class)")


def carried_fields(data: Any, max_rows: int) -> list[tuple[str, str]]:
    """The person's fields and the visit rows' in ``data`` (a QueryDict), each at most 100
    characters: what an import keeps (the person always; the rows where nothing is imported)."""
    carried = [(name, data.get(name, "")[:100]) for name in TOP_FIELDS if data.get(name, "")]
    for key in data:
        match = VISIT_FIELD.fullmatch(key)
        if match and int(match.group(1)) < max_rows and data.get(key, ""):
            carried.append((key, data.get(key, "")[:100]))
    return carried


@require_POST
@limited
def import_visits(request: HttpRequest) -> HttpResponse:
    from calculator.web.forms import MAX_ROWS

    sent = carried_fields(request.POST, MAX_ROWS)
    carry = [(name, value) for name, value in sent if name in TOP_FIELDS]
    base = QueryDict(mutable=True)
    for name, value in carry:
        base[name] = value
    upload = request.FILES.get("file")
    max_bytes = settings.ENQUIRY_IMPORT_MAX_BYTES
    max_rows = settings.ENQUIRY_IMPORT_MAX_ROWS
    errors: list[str] = []
    imported: list[dict[str, str]] = []
    if upload is None:
        errors = [_("请先选择要导入的 CSV 或 Excel 文件。")]
    elif upload.size is not None and upload.size > max_bytes:
        errors = [_("文件太大：最多 %(mb)s MB。请分成几个文件导入。") % {"mb": megabytes(max_bytes)}]
    else:
        try:
            raw = upload.read(max_bytes + 1)
            read = ledger_io.read_visits(upload.name or "", raw, max_rows=max_rows, max_bytes=max_bytes)
            errors, imported = read.errors, read.visits
        except ledger_io.ImportRefused as exc:
            errors = [exc.message]
    if errors:
        # Nothing was imported: the rows typed before stay as they were (enquiries.js sends
        # them with the file; without it only the person's fields travel).
        query = QueryDict(mutable=True)
        for name, value in sent:
            query[name] = value
        feedback = {"ok": False, "errors": errors[:50], "more_errors": max(0, len(errors) - 50)}
        return _render_calculator(request, query, feedback, carry)
    shown = imported[:MAX_ROWS]
    query = base.copy()
    # What the region's rows do not offer is said (feedback "ignored") and left out of the
    # rows, as that note says: the rows would otherwise ask it again (forms.VisitForm).
    unused = _unused_options(base.get("region"))
    for name, value in ledger_io.visits_query(shown):
        if name.rsplit("-", 1)[-1] not in unused:
            query[name] = value
    feedback = {
        "ok": True, "count": len(imported), "shown": len(shown), "limit": MAX_ROWS, "more": len(imported) > MAX_ROWS,
        "ignored": _options_not_offered(shown, base.get("region"))
        + ([ledger_io.unread_columns_note(read.unread_columns)] if read.unread_columns else []),
        # Rows imported as read that may hold an amount split at a comma: to check, set apart.
        "check": ledger_io.maybe_split_notes(read.maybe_split),
    }
    return _render_calculator(request, query, feedback, carry)


def _unused_options(region: str | None) -> tuple[str, ...]:
    from calculator.web import region_facts

    code = region_facts.region_code(region)
    return () if code is None else region_facts.unused_visit_options(code)


def _options_not_offered(visits: list[dict[str, str]], region: str | None) -> list[str]:
    """What the file said that the chosen region's rows do not offer (门诊慢性病 outside 玉溪,
    收费类别 and 住院期间 outside 山西): the rows are drawn without it, so it is said, not
    dropped unseen. With no region chosen every option is offered."""
    from calculator.rules.registry import load_policies
    from calculator.web import region_facts

    code = region_facts.region_code(region)
    if code is None:
        return []
    unused = region_facts.unused_visit_options(code)
    region_name = _(load_policies()[code].name)
    notes = []
    for name in ("chronic", "inpatient_stay", "price_class"):
        numbers = [str(i + 1) for i, visit in enumerate(visits) if name in unused and visit.get(name)]
        if numbers:
            notes.append(
                ngettext(
                    "第 %(visits)s 次就诊在文件中填了“%(column)s”：%(region)s不适用，计算时不考虑。",
                    "第 %(visits)s 次就诊在文件中填了“%(column)s”：%(region)s不适用，计算时不考虑。",
                    len(numbers),
                )
                % {"visits": _("、").join(numbers), "column": _(ledger_io.LABELS[name]), "region": region_name}
            )
    return notes


