"""CSV and Excel in and out.

Export: the per-visit ledger of a result under the settlement slip's terms, in date order,
then a totals row. CSV is UTF-8 with a BOM (Excel then reads the Chinese correctly); the
Excel workbook (openpyxl) has amounts as numbers and dates as dates, and a second sheet
"就诊记录" with the visits as entered (the import template's columns), so an exported
workbook imports back to the same visits.

Import: a CSV or Excel file with the template's columns (就诊日期, 医疗机构级别, 就诊类型,
费用总额, 自费金额, 乙类金额, and the optional 异地就医, 住院期间, 门诊慢性病, 收费类别; the
export's 医疗费总额 and 全自费 are read too). The exports carry every one of these input columns, so
a downloaded file (CSV or Excel) imports back to the same visits and the same figures. Every row is
checked; one bad row refuses the whole file, with a Chinese message per problem naming its
line ("第 3 行：费用总额必须是金额（元）").

Languages: the files' contents (headers, level and visit-type names, 合计) are Chinese in every
language: they are the settlement slip's terms and the import reads them. They are marked with
``gettext_noop`` so that a page showing them (the print view) can translate them. The import's
messages are in the page's language (``gettext``); a column name inside a message stays Chinese,
as it is in the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from calculator.ops.responses import megabytes
from calculator.rules.messages import inner_title
from calculator.web import typed

LEDGER_HEADERS = [
    gettext_noop("就诊日期"), gettext_noop("医疗机构级别"), gettext_noop("就诊类型"), gettext_noop("医疗费总额"),
    gettext_noop("全自费"), gettext_noop("先行自付"), gettext_noop("符合政策范围金额"), gettext_noop("起付标准（本次）"),
    gettext_noop("统筹基金支付"), gettext_noop("个人账户支付"), gettext_noop("个人现金支付"), gettext_noop("依据"),
]
# The visit's options beyond the amounts (the calculator's 更多选项), optional in a file: blank
# means the default (在参保地就医, not 住院期间, 普通门诊, class inferred from the level).
# Where the documents call the deductible 自负段 (上海), the printed ledger names the column as
# they do; the files keep issue 8's slip headers (a script reading them finds 起付标准（本次）
# in every region) and their 说明 sheet says what the column is called there.
DEDUCTIBLE_HEADER = "起付标准（本次）"
SELF_PAY_BAND_HEADER = gettext_noop("自负段（本次）")
OPTION_HEADERS = ["异地就医", "住院期间", "门诊慢性病", "收费类别"]
TEMPLATE_HEADERS = ["就诊日期", "医疗机构级别", "就诊类型", "费用总额", "自费金额", "乙类金额", *OPTION_HEADERS]
TEMPLATE_EXAMPLE = ["2025-03-01", "三级", "门诊", "1200.00", "100.00", "200.00", "", "", "", ""]
TEMPLATE_WIDTHS = [12, 12, 10, 12, 10, 10, 10, 8, 10, 8]
CLASS_B_HEADER = "乙类金额"
OFFSITE_NAMES = {"filed": "已备案", "unfiled": "未备案"}  # "none": blank
PRICE_CLASS_NAMES = {1: "一类", 2: "二类", 3: "三类"}
YES = "是"
INPUT_SHEET = "就诊记录"
LEDGER_SHEET = "明细"

LEVEL_NAMES = {1: gettext_noop("一级及以下"), 2: gettext_noop("二级"), 3: gettext_noop("三级")}
SETTING_NAMES = {
    "clinic": gettext_noop("门诊"), "pharmacy": gettext_noop("药店"),
    "internet": gettext_noop("互联网+"), "non_designated": gettext_noop("非定点"),
}
TOTALS_LABEL = gettext_noop("合计")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


# --- Export -------------------------------------------------------------------------------------


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal("0.00")


def _deductible_terms(region: Any) -> Any:
    from calculator.web.region_facts import deductible_terms

    return deductible_terms(region)


def ledger_headers(result: dict[str, Any]) -> list[str]:
    """The printed ledger's column names for this result: 上海's 自负段 by its own name, as its
    page says (the files keep LEDGER_HEADERS, the contract's slip terms)."""
    band = "自负段" in _deductible_terms(result.get("region"))
    return [SELF_PAY_BAND_HEADER if band and h == DEDUCTIBLE_HEADER else h for h in LEDGER_HEADERS]


def fund_clause(visit: dict[str, Any], result: dict[str, Any]) -> dict[str, Any] | None:
    """The clause a visit's fund share came from (its fund step's), or None."""
    clauses = result.get("clauses") or {}
    for step in visit.get("steps") or []:
        if step.get("code") == "fund" and step.get("clause") in clauses:
            return clauses[step["clause"]]
    return None


def _basis(visit: dict[str, Any], result: dict[str, Any]) -> str:
    titles = {r["id"]: r.get("title") or r["id"] for r in result.get("rules") or []}
    rule = titles.get(visit.get("version"), visit.get("version") or "")
    clause = fund_clause(visit, result)
    if clause is None:
        return rule
    return f"{rule}；《{inner_title(clause.get('title') or '')}》{clause.get('article') or ''}".strip()


MONEY_COLUMNS = range(3, 11)  # 医疗费总额 … 个人现金支付 (0-based)


def ledger_rows(result: dict[str, Any]) -> tuple[list[list[Any]], list[Any]]:
    """The ledger (date order) and its totals row; amounts as Decimal, dates as date."""
    by_index = {v["index"]: v for v in result.get("visits") or []}
    order = result.get("calculation_order") or sorted(by_index)
    rows = []
    for index in order:
        v = by_index[index]
        share = v.get("member_share") or {}
        rows.append(
            [
                _input_date(v.get("date")),
                LEVEL_NAMES.get(v.get("level"), ""),
                SETTING_NAMES.get(v.get("setting"), v.get("setting") or ""),
                _money(v.get("total")),
                _money(share.get("excluded")),
                _money(share.get("first_self_pay")),
                _money(v.get("policy_range")),
                _money((v.get("deductible") or {}).get("applied")),
                _money(v.get("fund_paid")),
                _money(v.get("account_paid")),
                _money(v.get("cash_paid")),
                _basis(v, result),
            ]
        )
    totals = result.get("totals") or {}
    sums = [sum((row[i] for row in rows), Decimal("0.00")) for i in MONEY_COLUMNS]
    # The engine's own totals where it has them (they equal the sums; the engine is the source).
    for i, key in ((3, "total"), (8, "fund_paid"), (9, "account_paid"), (10, "cash_paid")):
        if key in totals:
            sums[i - 3] = _money(totals[key])
    totals_row = [TOTALS_LABEL, "", "", *sums, ""]
    return rows, totals_row


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _options(v: dict[str, Any]) -> list[str]:
    """A visit's options (contract names) as the files write them: 异地就医, 住院期间, 门诊慢性病, 收费类别."""
    return [
        OFFSITE_NAMES.get(v.get("offsite") or "none", ""),
        YES if v.get("inpatient_stay") else "",
        YES if v.get("category") == "chronic" else "",
        PRICE_CLASS_NAMES.get(_int_or_none(v.get("price_class")), ""),
    ]


def _class_b(v: dict[str, Any]) -> Decimal | None:
    return _money(v.get("class_b")) if v.get("class_b") else None


def _input_date(value: Any) -> Any:
    """A visit date as entered, as a date where it reads as one (the contract accepts
    " 2025-03-01 " too); else the text as entered."""
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return str(value)


def input_rows(inputs: dict[str, Any]) -> list[list[Any]]:
    """The visits as entered, under the import template's headers (for the round trip)."""
    rows = []
    for v in inputs.get("visits") or []:
        rows.append(
            [
                _input_date(v.get("date")),
                LEVEL_NAMES.get(_int_or_none(v.get("level")), ""),
                SETTING_NAMES.get(v.get("setting") or "clinic", ""),
                _money(v.get("total")),
                _money(v.get("excluded")) if v.get("excluded") else None,
                _class_b(v),
                *_options(v),
            ]
        )
    return rows


def entered_visit(given: list[Any], index: Any) -> dict[str, Any]:
    """The visit of the inputs at a result's visit ``index`` ({} where the inputs have none)."""
    return given[index] if isinstance(index, int) and 0 <= index < len(given) and isinstance(given[index], dict) else {}


def _file_ledger(result: dict[str, Any], inputs: dict[str, Any] | None) -> tuple[list[str], list[list[Any]], list[Any]]:
    """The ledger as the files have it: the printed ledger's columns first, as issue 8 lists
    them (就诊日期 … 依据), then the inputs it does not show (乙类金额, the options), so that the
    file imports back to the same visits. Rows are in date order (calculation_order); the inputs
    are matched by index."""
    rows, totals = ledger_rows(result)
    given = (inputs or {}).get("visits") or []
    by_index = {v["index"]: v for v in result.get("visits") or []}
    order = result.get("calculation_order") or sorted(by_index)
    out = []
    for index, row in zip(order, rows):
        v = entered_visit(given, index)
        # 0.00 for none, as the ledger writes 全自费 (the import reads either as no 乙类 amount).
        out.append([*row, _class_b(v) or Decimal("0.00"), *_options(v)])
    at = len(LEDGER_HEADERS)  # the 乙类金额 column
    class_b_total = sum((r[at] for r in out if r[at] is not None), Decimal("0.00"))
    totals = [*totals, class_b_total, "", "", "", ""]
    headers = [*LEDGER_HEADERS, CLASS_B_HEADER, *OPTION_HEADERS]
    return headers, out, totals


def _csv_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def _csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_csv(result: dict[str, Any], inputs: dict[str, Any] | None = None) -> bytes:
    headers, rows, totals = _file_ledger(result, inputs)
    return _csv_bytes(headers, [*rows, totals])


def _sheet(wb: Any, title: str, header: list[str], rows: list[list[Any]], widths: list[int], *, first: bool = False) -> Any:
    from openpyxl.styles import Font

    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
            elif isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "yyyy-mm-dd"
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    ws.freeze_panes = "A2"
    return ws


def export_xlsx(result: dict[str, Any], inputs: dict[str, Any] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    headers, rows, totals = _file_ledger(result, inputs)
    wb = Workbook()
    widths = [12, 12, 10, 12, 10, 10, 16, 14, 12, 12, 12, 60, 10, 10, 8, 10, 8]
    ws = _sheet(wb, LEDGER_SHEET, headers, [*rows, totals], widths, first=True)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    if inputs is not None:
        _sheet(wb, INPUT_SHEET, TEMPLATE_HEADERS, input_rows(inputs), TEMPLATE_WIDTHS)
        # Who and what the figures are for, and the result's caveats: a helpdesk reading the file
        # later sees the region and rules that produced them (the import reads 就诊记录 only).
        english = str(result.get("lang") or "").startswith("en")
        headers = [_ABOUT_EN[h] for h in ABOUT_HEADERS] if english else ABOUT_HEADERS
        _sheet(wb, ABOUT_SHEET, headers, about_rows(result, inputs), [16, 100])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ABOUT_SHEET = "说明"
ABOUT_HEADERS = ["项目", "内容"]
STATUS_NAMES = {"employed": "在职", "retired": "退休"}


# The 说明 sheet is in the language of the result it describes: a result saved from the English
# page carries English notices (audit: Chinese labels beside English values). The ledger's own
# columns stay Chinese in every language (the slip's terms; the import reads them).
_ABOUT_EN = {
    "项目": "Item", "内容": "Content", "参保地区": "Insured region", "参保身份": "Status", "年龄": "Age",
    "退休日期": "Retirement date", "月缴费基数": "Monthly contribution base",
    "个人账户余额": "Personal account balance", "当年账户余额": "Current-year account balance",
    "历年账户余额": "Prior-years account balance", "慢性病病种数": "Number of chronic diseases",
    "灵活就业人员": "Flexibly employed", "适用规定": "Rules applied", "个人账户划入": "Personal account credit",
    "导出日期": "Exported on", "请注意": "Please note", "在职": "employed", "退休": "retired", YES: "yes",
    "起付标准（本次）": "起付标准（本次） column",
}
_SELF_PAY_BAND_NOTE = {
    "zh": "本地区文件称“自负段”：明细表“起付标准（本次）”一列即本次就诊的自负段金额。",
    "en": "This region's documents call the deductible the self-pay band (自负段): the ledger's 起付标准（本次） column is this visit's self-pay band.",
}


def _about_value(key: str, raw: Any) -> Any:
    """An entry as the 说明 sheet's cell: a whole number for a count (70, not "70.00"), an
    amount as a number (money format), a date as a date; as given where it reads otherwise."""
    try:
        if key in ("age", "chronic_disease_count"):
            return int(Decimal(str(raw)))
        if key in ("contribution_base", "account_balance", "prior_years_balance"):
            return Decimal(str(raw))
        if key == "retired_on":
            return dt.date.fromisoformat(str(raw))
    except (ArithmeticError, ValueError):
        pass
    return raw


NOTICE_DATES = 8  # a caveat about more visits names the first few dates and the count (as the print)


def about_rows(result: dict[str, Any], inputs: dict[str, Any]) -> list[list[Any]]:
    """The 说明 sheet: the person's entries, the rules used, the day of the export and every
    notice with the visits it concerns (in the result's own words and language)."""
    english = str(result.get("lang") or "").startswith("en")

    def t(text: Any) -> Any:
        return _ABOUT_EN.get(text, text) if english else text

    rows: list[list[Any]] = [
        [t("参保地区"), result.get("region_name") or inputs.get("region")],
        [t("参保身份"), t(STATUS_NAMES.get(str(inputs.get("status")), inputs.get("status")))],
        [t("年龄"), _about_value("age", inputs.get("age"))],
    ]
    from calculator.web.region_facts import two_accounts

    # 上海's balance is its 当年账户 (it has a 历年账户 too); elsewhere there is one account.
    balance_label = "当年账户余额" if two_accounts(result.get("region")) else "个人账户余额"
    for key, label in (
        ("retired_on", "退休日期"), ("contribution_base", "月缴费基数"), ("account_balance", balance_label),
        ("prior_years_balance", "历年账户余额"), ("chronic_disease_count", "慢性病病种数"),
    ):
        if inputs.get(key) not in (None, ""):
            rows.append([t(label), _about_value(key, inputs[key])])
    if inputs.get("flexible_employment"):
        rows.append([t("灵活就业人员"), t(YES)])
    for rule in result.get("rules") or []:
        rows.append([t("适用规定"), rule.get("title") or rule.get("id")])
    account = result.get("personal_account") or {}
    if account.get("explanation"):
        rows.append([t("个人账户划入"), account["explanation"]])
    if "自负段" in _deductible_terms(result.get("region")):
        rows.append([t("起付标准（本次）"), _SELF_PAY_BAND_NOTE["en" if english else "zh"]])
    rows.append([t("导出日期"), timezone.localdate()])
    # Which visits a caveat concerns, by date: the 明细 sheet is in date order without the
    # visits' numbers, so "第 2 次就诊" (the order entered) pointed at another row (audit).
    date_of = {v["index"] + 1: v["date"] for v in result.get("visits") or []}
    for warning in result.get("warnings") or []:
        numbers = warning.get("visits") or []
        dates = sorted({date_of[n] for n in numbers if n in date_of})
        shown = dates[:NOTICE_DATES]
        if not dates:
            concerns = ""
        elif english:
            more = f" and others, {len(numbers)} visits in all" if len(dates) > NOTICE_DATES else ""
            concerns = f" (concerns the visits of {', '.join(shown)}{more})"
        elif len(dates) > NOTICE_DATES:
            concerns = f"（涉及 {'、'.join(shown)} 等 {len(numbers)} 次就诊）"
        else:
            concerns = f"（涉及 {'、'.join(shown)} 的就诊）"
        rows.append([t("请注意"), f"{warning.get('message')}{concerns}"])
    return rows



def template_csv() -> bytes:
    return _csv_bytes(TEMPLATE_HEADERS, [TEMPLATE_EXAMPLE])


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    example = [dt.date(2025, 3, 1), "三级", "门诊", Decimal("1200.00"), Decimal("100.00"), Decimal("200.00"), "", "", "", ""]
    _sheet(wb, INPUT_SHEET, TEMPLATE_HEADERS, [example], TEMPLATE_WIDTHS, first=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- Import -------------------------------------------------------------------------------------

# Column name (normalised) → visit field. The export's names are read too.
COLUMNS = {
    "就诊日期": "date", "日期": "date",
    "医疗机构级别": "level", "级别": "level", "机构级别": "level",
    "就诊类型": "setting", "类型": "setting",
    "费用总额": "total", "医疗费总额": "total",
    # 医疗费总额/全自费: the export's columns; 全自费金额: a name the template used for a few hours.
    "自费金额": "excluded", "全自费": "excluded", "全自费金额": "excluded",
    "乙类金额": "class_b", "乙类": "class_b",
    "异地就医": "offsite", "住院期间": "inpatient_stay", "门诊慢性病": "chronic", "慢性病": "chronic",
    "收费类别": "price_class", "山西收费类别": "price_class", "收费价格类别": "price_class",
}
# A column's English gloss, beside the name the file gives it in an English message whose column
# varies ("医疗费总额 (total medical expenses) must be an amount in yuan"); the messages naming one
# column carry theirs in the translation.
_GLOSSES = {
    "total": gettext_noop("总额（列的英文说明）"), "excluded": gettext_noop("自费（列的英文说明）"),
    "class_b": gettext_noop("乙类（列的英文说明）"), "inpatient_stay": gettext_noop("住院期间（列的英文说明）"),
    "chronic": gettext_noop("门诊慢性病（列的英文说明）"),
}


def _column(named: dict[str, str], key: str) -> str:
    """The column as the file names it; on an English page with its English gloss after it."""
    if not (get_language() or "").startswith("en") or key not in _GLOSSES:
        return named[key]
    return f"{named[key]} ({_(_GLOSSES[key])})"


# A header column the file lacks, said by its template name (glossed on an English page).
_MISSING_GLOSSES = {"date": gettext_noop("就诊日期（列的英文说明）"), "total": _GLOSSES["total"]}


LABELS = {
    "date": "就诊日期", "level": "医疗机构级别", "setting": "就诊类型", "total": "费用总额", "excluded": "自费金额", "class_b": "乙类金额",
    "offsite": "异地就医", "inpatient_stay": "住院期间", "chronic": "门诊慢性病", "price_class": "收费类别",
}
OFFSITE = {
    "": "none", "否": "none", "无": "none", "本地": "none", "在参保地就医": "none", "none": "none",
    "已备案": "filed", "异地已备案": "filed", "异地就医,已备案": "filed", "filed": "filed",
    "未备案": "unfiled", "异地未备案": "unfiled", "异地就医,未备案": "unfiled", "unfiled": "unfiled",
}
FLAGS = {"": False, "否": False, "no": False, "n": False, "0": False, "false": False,
         "是": True, "yes": True, "y": True, "1": True, "true": True, "√": True, "✓": True}
PRICE_CLASSES = {
    "": "", "1": "1", "2": "2", "3": "3", "一类": "1", "二类": "2", "三类": "3",
    "一类收费价格医疗机构": "1", "二类收费价格医疗机构": "2", "三类收费价格医疗机构": "3", "三类收费价格及以下医疗机构": "3",
}
LEVELS = {
    "1": "1", "2": "2", "3": "3",
    "一级": "1", "一级及以下": "1", "一级以下": "1", "二级": "2", "三级": "3",
    "一": "1", "二": "2", "三": "3",
}
SETTINGS = {
    "": "clinic", "门诊": "clinic", "clinic": "clinic",
    "药店": "pharmacy", "pharmacy": "pharmacy", "定点药店": "pharmacy",
    "互联网+": "internet", "互联网": "internet", "internet": "internet",
    "非定点": "non_designated", "non_designated": "non_designated",
}
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_AMOUNT = Decimal("10000000")


class ImportRefused(Exception):
    """The file as a whole cannot be read (not CSV/Excel, too big, no header, too many rows)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportResult:
    visits: list[dict[str, str]] = field(default_factory=list)  # the calculator's row fields
    lines: list[int] = field(default_factory=list)  # each visit's line in the file (visits[i] is on lines[i])
    errors: list[str] = field(default_factory=list)  # "第 3 行：…"
    # Header cells that are neither an input column nor one the export writes (统筹基金支付…):
    # their column is not read, which is said (a misspelt 全自费金额 would otherwise be 0 unseen).
    unread_columns: list[str] = field(default_factory=list)
    # Rows read as two amounts that look like one amount split by an unquoted thousands comma
    # ("1,200.00" typed into a text file: 自费金额 "1", 乙类金额 "200.00"): imported as read,
    # and said, so the member checks them (never silently one way or the other).
    maybe_split: list[str] = field(default_factory=list)


_norm = typed.text  # a cell as typed: NFKC, outer spaces removed ("" for an empty one)


def _header_key(value: Any) -> str:
    text = _norm(value).replace(" ", "")
    text = re.sub(r"[（(].*?[)）]$", "", text)  # "费用总额（元）" → "费用总额"
    return text


def _cell_date(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = typed.date(value)  # as the calculator's form reads a date (a time after it dropped)
    try:
        return dt.date.fromisoformat(text).isoformat() if _ISO_DATE.match(text) else None
    except ValueError:
        return None


_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")  # ASCII digits: "١٢٣" is no amount, as on the form


def _read_amount(value: Any) -> tuple[str | None, str | None]:
    """A cell as an amount in yuan: ("1200.50", None), or (None, what is wrong with it, a
    template with ``%(column)s``), as the calculator's form reads and says it (the text rules
    are calculator/web/typed.py's: "1,200.50 元", "１２００。５" are read; "120 30" is not)."""
    if isinstance(value, bool):
        return None, _("%(column)s必须是金额（元），例如 1200.00")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, _("%(column)s必须是金额（元），例如 1200.00")
        # A number cell shown as "1,234.51" under a 0.00 format may hold 1234.505: the hidden
        # decimals are said, never rounded away unseen (a formula's 0.30000000000000004 is 0.30).
        exact = Decimal(repr(value))
        text = f"{value:.2f}" if abs(exact - Decimal(f"{value:.2f}")) <= Decimal("0.00000001") else f"{exact:f}"
    else:
        text, problem = typed.amount(value)
        if problem == "comma":
            return None, _("%(column)s里的逗号只能作千位分隔，例如 1,200.50")
        if problem == "space":
            return None, _("%(column)s中间有空格：请只填一个金额，例如 1200.50")
    if not _NUMBER.match(text):
        return None, _("%(column)s必须是金额（元），例如 1200.00")
    amount = Decimal(text)
    if amount < 0 or text.startswith("-"):  # "-0" too, as the form and the API say
        return None, _("%(column)s不能为负数")
    if amount > MAX_AMOUNT:
        return None, _("%(column)s不能超过 10,000,000 元")
    if amount != amount.quantize(Decimal("0.01")):  # "1234.500" is 1234.50; "1234.505" is not
        return None, _("%(column)s最多保留两位小数（精确到分）")
    return f"{amount:.2f}", None


def detect_kind(name: str, head: bytes) -> str | None:
    """"csv", "xlsx" or None, from the file's first bytes (and its name for CSV)."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary .xls
        return "xls"
    lower = name.lower()
    if lower.endswith((".csv", ".txt")) or not lower.rsplit(".", 1)[-1:] or "." not in lower:
        return "csv"
    return None


def _csv_under_another_name(raw: bytes) -> bool:
    """Text whose first line names a column the import reads ("就诊日期"): a CSV, whatever the
    file is called."""
    head = raw[:4096]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            # A multi-byte character cut at 4,096 bytes: decode what is whole.
            try:
                text = head[: head.rfind(b"\n") + 1].decode(encoding)
            except UnicodeDecodeError:
                continue
        if "\x00" in text:
            return False
        # The first line with something in it; a header's cells may be quoted ("就诊日期").
        first = next((line for line in text.splitlines() if line.strip(" ,;\t")), "")
        cells = [_header_key(c.strip().strip('"')) for c in re.split(r"[,\t;]", first)]
        return any(COLUMNS.get(c) == "date" for c in cells)
    return False


def _decode_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise ImportRefused(_("无法读取这个 CSV 文件的文字编码：请在 Excel 或 WPS 中“另存为”CSV UTF-8 格式，或直接上传 Excel 文件（.xlsx）。"))


def _csv_rows(raw: bytes, max_rows: int = 1000) -> list[tuple[int, list[Any]]]:
    text = _decode_csv(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        # newline="": lines end at \r\n, \n or a lone \r (an old Mac's CSV was refused as
        # "引号不成对"), as the csv module asks of a file it reads.
        return _filled_rows(csv.reader(io.StringIO(text, newline=""), dialect), max_rows)
    except csv.Error:
        raise ImportRefused(_("这个 CSV 文件的格式有误（引号不成对等），无法读取。请用本页的“下载模板”重新整理。")) from None


def _filled_rows(rows: Any, max_rows: int) -> list[tuple[int, list[Any]]]:
    """The non-blank rows with their line numbers (blank ones anywhere, a gap between visits or
    thousands of formatted empty rows, count toward nothing and are not kept), at most the
    header, ``max_rows`` visits and an export's 合计 row; beyond that the rows are only counted,
    so that the refusal says how many visits there are. (What is read is bounded by the file's
    size, or a workbook's unpacked size; a blank row costs next to nothing.)"""
    kept: list[tuple[int, list[Any]]] = []
    filled = 0
    last: list[Any] = []  # the last filled row, kept or not (an export's 合计 row is not a visit)
    for number, row in enumerate(rows, start=1):
        # An empty row (a reader's padding: a tuple of None) is told in one C call.
        if not row or (row.__class__ is tuple and row.count(None) == len(row)) or _blank(row):
            continue
        filled += 1
        last = list(row)
        if filled <= max_rows + 2:
            kept.append((number, last))
    # 合计 stands in the date column (wherever the header puts it).
    date_column = next((i for i, cell in enumerate(kept[0][1]) if COLUMNS.get(_header_key(cell)) == "date"), 0) if kept else 0
    totals_row = 1 if filled > 1 and date_column < len(last) and _norm(last[date_column]) == TOTALS_LABEL else 0
    visits = filled - 1 - totals_row
    if visits > max_rows:
        raise ImportRefused(
            _("文件里有 %(rows)s 行就诊记录，一次最多导入 %(max_rows)s 行。请分成几个文件。") % {"rows": visits, "max_rows": max_rows}
        )
    return kept


# What a workbook of 1,000 visits unpacks to is about 1.2 MB (a downloaded ledger; a hospital's
# export with 20–40 more columns, unread, 2–4 MB); a file that unpacks to far more (a "zip
# bomb", or rows of 100,000 cells) would hold a server worker for minutes and gigabytes. Parsing
# costs about 0.5 s a MB of cells (empty ones too); rows missing from the sheet, which the
# reader pads, next to nothing.
XLSX_MAX_UNPACKED = 6 * 1_048_576  # formatted empty rows or cells up to it: about 3 s of a worker
XLSX_MAX_COLUMNS = 50  # the template has 10; a few extra columns are ignored


def _unpacked_parts(raw: bytes) -> dict[str, bytes]:
    """The workbook's parts, unpacked once, or a refusal: more than XLSX_MAX_UNPACKED in all
    (the sizes are the zip directory's own: checked before anything is unpacked), or a part
    that declares its own XML entities, which could expand far past that size inside the XML
    parser (review: a 7 KB file, one 5.5 MB entity used 99 times, took 1.1 GB and was
    accepted; Excel, WPS and LibreOffice never write a DTD)."""
    unreadable = _("无法读取这个 Excel 文件：它可能已损坏，或不是 .xlsx 格式。请另存为 .xlsx 或 CSV 后再导入。")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > XLSX_MAX_UNPACKED:
                raise ImportRefused(
                    _("这个 Excel 文件解压后超过 %(mb)s MB，远大于就诊记录所需，无法导入。请只保留就诊记录这一张表，另存为 CSV 后再导入。")
                    % {"mb": XLSX_MAX_UNPACKED // 1_048_576}
                )
            parts = {info.filename: archive.read(info) for info in infos}
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        raise ImportRefused(unreadable) from None
    for data in parts.values():
        bare = data.replace(b"\x00", b"")  # UTF-16 parts too
        if b"<!DOCTYPE" in bare or b"<!ENTITY" in bare:
            raise ImportRefused(_("这个 Excel 文件含有 Excel 不会写入的 XML 声明（DTD），无法导入。请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再导入。"))
    return parts


def _xlsx_rows(raw: bytes, max_rows: int) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    parts = _unpacked_parts(raw)
    try:
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:  # noqa: F841
        raise ImportRefused(_("无法读取这个 Excel 文件：它可能已损坏，或不是 .xlsx 格式。请另存为 .xlsx 或 CSV 后再导入。")) from None
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ImportRefused(_("无法读取这个 Excel 文件：它可能已损坏，或不是 .xlsx 格式。请另存为 .xlsx 或 CSV 后再导入。")) from None
    try:
        ws = wb[INPUT_SHEET] if INPUT_SHEET in wb.sheetnames else wb.worksheets[0]
        sheet_path = getattr(ws, "_worksheet_path", None)  # the sheet's part in the archive
        rows = _filled_rows(ws.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS), max_rows)
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001
        raise ImportRefused(_("无法读取这个 Excel 文件的内容。请另存为 .xlsx 或 CSV 后再导入。")) from None
    finally:
        wb.close()
    if sheet_path:
        _refuse_formulas_without_values(parts, sheet_path, rows)
    return rows


# A cell with a formula (<f>) and no saved value: no <v>, or an empty one on a cell that is not
# text (openpyxl writes <v />). Excel, WPS and LibreOffice save the result (an empty <v></v> on a
# text cell, t="str", for a formula whose result is ""); a file written by a script or a
# converter may not.
_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]+)$")
_TEXT_TYPES = frozenset({"str", "s", "inlineStr"})


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + (ord(letter) - 64)
    return index - 1


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _formulas_without_values(xml: bytes, computed_on_open: bool = False) -> Any:
    """(row, column, formula) of each cell with a formula and no saved value, reading the sheet's
    XML as a stream (rows and cells without a reference counted on from the previous one; each
    row and cell dropped once read, so memory stays flat). ``computed_on_open``: the workbook
    asks to be calculated when opened (fullCalcOnLoad: XlsxWriter and pandas write 0 for every
    formula and leave it to the program): a formula's 0 is no result then."""
    import xml.etree.ElementTree as ET

    row_number = 0
    column = -1
    parents: list[Any] = []
    for event, element in ET.iterparse(io.BytesIO(xml), events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                r = element.get("r")
                row_number = int(r) if r and r.isdigit() else row_number + 1
                column = -1
            elif tag == "c":
                ref = _CELL_REF.match(element.get("r") or "")
                column = _column_index(ref.group(1)) if ref else column + 1
            parents.append(element)
            continue
        parents.pop()
        if tag == "c":
            formula = value = inline = None
            for child in element:
                name = _local(child.tag)
                if name == "f":
                    formula = child
                elif name == "v":
                    value = child
                elif name == "is":
                    inline = child
            if formula is not None:
                kind = element.get("t")
                if kind == "inlineStr":
                    # openpyxl reads an inline string's <is>, not its <v>.
                    saved = inline is not None and "".join(inline.itertext()).strip() != ""
                    empty_text = inline is not None
                else:
                    saved = value is not None and (value.text or "").strip() != ""
                    empty_text = value is not None and kind in _TEXT_TYPES
                # Calculated on opening: a 0 is what the writer put for every formula (a file
                # a spreadsheet program saved again holds real results, kept; our own template,
                # written by openpyxl, carries the flag into a WPS or Excel edit).
                placeholder = computed_on_open and kind != "inlineStr" and (value is None or (value.text or "").strip() in ("", "0"))
                if placeholder or not (saved or empty_text):
                    yield row_number, column, formula.text or ""
        if tag in ("c", "row") and parents:
            element.clear()
            parents[-1].remove(element)  # its parent's only child by now: nothing else is kept


def _refuse_formulas_without_values(parts: dict[str, bytes], sheet_path: str, rows: list[tuple[int, list[Any]]]) -> None:
    """A formula cell is read as the value the spreadsheet program saved with it; a file that
    carries the formula alone would read as an empty cell, and an empty 自费金额 silently counts
    as policy-range money (audit). Such a cell in a column the import reads, on a row it
    imports, is refused, naming its row and column. Only the sheet's own XML is read, and only
    where it holds a formula at all; XML it cannot read leaves the file as openpyxl read it."""
    if not rows:
        return
    xml = parts.get(sheet_path.lstrip("/"), b"")
    if not _HAS_FORMULA.search(xml):
        return
    workbook = parts.get("xl/workbook.xml", b"")
    computed_on_open = re.search(rb'fullCalcOnLoad\s*=\s*"(?:1|true)"', workbook) is not None
    header = rows[0][1]
    data_rows = {number for number, _row in rows[1:]}
    try:
        for row, column, formula in _formulas_without_values(xml, computed_on_open):
            if row not in data_rows or column >= len(header) or COLUMNS.get(_header_key(header[column])) is None:
                continue
            raise ImportRefused(
                _("第 %(row)s 行“%(column)s”是公式（%(formula)s），文件里没有保存它算出的数值，无法读取。请在 Excel 或 WPS 中打开这个文件并保存一次后再导入，或把公式换成数字。")
                % {"row": row, "column": header[column], "formula": "=" + (formula[:40] or "…")}
            )
    except ImportRefused:
        raise
    except Exception:  # noqa: BLE001 - malformed XML: openpyxl read it; nothing more to say
        return


def read_visits(name: str, raw: bytes, *, max_rows: int = 1000, max_bytes: int = 2 * 1_048_576) -> ImportResult:
    """Read a CSV or Excel file into calculator rows, or refuse it (ImportRefused or errors)."""
    if len(raw) > max_bytes:
        raise ImportRefused(_("文件太大：最多 %(mb)s MB。请分成几个文件导入。") % {"mb": megabytes(max_bytes)})
    if not raw.strip():
        raise ImportRefused(_("文件是空的：请选择填好就诊记录的 CSV 或 Excel 文件。"))
    kind = detect_kind(name, raw[:8])
    if kind == "xls":
        raise ImportRefused(_("这是旧版 Excel 文件（.xls），无法读取：请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后再导入。"))
    if kind is None and _csv_under_another_name(raw):
        kind = "csv"  # a CSV saved or renamed as .xlsx (audit: called "neither format")
    if kind is None:
        raise ImportRefused(_("只能导入 CSV 或 Excel（.xlsx）文件：这个文件不是这两种格式。可以先“下载模板”，按模板填写。"))
    lines = _xlsx_rows(raw, max_rows) if kind == "xlsx" else _csv_rows(raw, max_rows)
    return read_lines(lines, max_rows=max_rows)


# What the export writes besides the input columns: read back without a word (a round trip).
_EXPORT_ONLY = frozenset(
    _header_key(h) for h in [*LEDGER_HEADERS, SELF_PAY_BAND_HEADER, CLASS_B_HEADER, *OPTION_HEADERS] if _header_key(h) not in COLUMNS
)


def unread_columns_note(columns: list[str]) -> str:
    """The sentence saying which columns of an imported file were not read."""
    return _("表头中的%(columns)s不是导入模板中的列，这些列没有读取（模板的列：就诊日期、医疗机构级别、就诊类型、费用总额、自费金额、乙类金额，以及异地就医、住院期间、门诊慢性病、收费类别）。") % {
        "columns": _("、").join(f"“{column}”" for column in columns[:10])
    }


def maybe_split_notes(rows: list[str], shown: int = 10) -> list[str]:
    """The rows that may hold an amount split at an unquoted comma, the first ``shown`` of them."""
    notes = rows[:shown]
    if len(rows) > shown:
        notes.append(_("另有 %(more)s 行也是这样，请一并核对。") % {"more": len(rows) - shown})
    return notes


_SPLIT_HEAD = re.compile(r"[0-9]{1,3}")
_SPLIT_TAIL = re.compile(r"[0-9]{3}(?:\.[0-9]{1,2})?")


def _split_amount(row: list[Any], columns: dict[str, int], *, longer: bool = True) -> bool:
    """Whether an amount column holds what an unquoted thousands comma leaves: "1" then "000.00".
    In a row no longer than the header only a tail that starts with 0 ("1,050.00" → "1",
    "050.00") is taken for one: no amount is typed "050.00", while "900" then "100.00" may be
    a 费用总额 and its 自费金额."""
    for key in ("total", "excluded", "class_b"):
        i = columns.get(key)
        if i is None or i + 1 >= len(row):
            continue
        head, tail = _norm(row[i]), _norm(row[i + 1])
        if _SPLIT_HEAD.fullmatch(head) and _SPLIT_TAIL.fullmatch(tail) and (longer or tail.startswith("0")):
            return True
    return False


_SPLIT_DECIMAL_HEAD = re.compile(r"[1-9][0-9]{0,2}")
_SPLIT_DECIMAL_TAIL = re.compile(r"[0-9]{3}\.[0-9]{1,2}")


def _looks_split(row: list[Any], columns: dict[str, int], width: int) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """Two neighbouring amount cells of a text file that read like one amount cut at an unquoted
    comma: a whole number of 1–3 digits not starting with 0, then three digits with decimals
    ("1" and "200.00"), written unlike each other (an amount typed with decimals has them in both
    cells), the cells after them to the header's width empty (the cut moved them one to the
    right), and the amount joined no larger than the visit's total. (Under 费用总额 a split leaves
    自费金额 larger than the total, refused with its likely cause; "500" and "120.50" there are a
    total and its 自费, an outpatient total of 500,120.50 being no likely reading.)"""
    i, j = columns.get("excluded"), columns.get("class_b")
    if i is None or j != i + 1 or j >= len(row) or not isinstance(row[i], str) or not isinstance(row[j], str):
        return None
    head, tail = _norm(row[i]), _norm(row[j])
    if not (_SPLIT_DECIMAL_HEAD.fullmatch(head) and _SPLIT_DECIMAL_TAIL.fullmatch(tail)):
        return None
    if any(_norm(v) != "" for v in row[j + 1:width]):
        return None
    total = _read_amount(row[columns["total"]])[0] if columns["total"] < len(row) else None
    if total is None or Decimal(head + tail) > Decimal(total):
        return None
    return ("excluded", head), ("class_b", tail)


def _blank(row: list[Any]) -> bool:
    return all(_norm(v) == "" for v in row)


def read_lines(lines: list[tuple[int, list[Any]]], *, max_rows: int = 1000) -> ImportResult:
    """The file's non-blank rows with their line numbers (the first is the header) as visits."""
    result = ImportResult()
    lines = list(lines)
    if not lines:
        raise ImportRefused(_("文件里没有就诊记录：第一行应是表头（就诊日期、医疗机构级别、就诊类型、费用总额、自费金额、乙类金额）。"))
    header_line, header = lines.pop(0)
    columns: dict[str, int] = {}
    named = dict(LABELS)  # a column as the file names it (an export's 医疗费总额, the template's 费用总额)
    for i, cell in enumerate(header):
        name = _header_key(cell)
        key = COLUMNS.get(name)
        if key and key in columns:
            # Two columns for one figure (自费金额 and 全自费; 费用总额 and 医疗费总额): which one
            # holds the amount is not guessed (the second was dropped without a word).
            raise ImportRefused(
                _("第 %(line)s 行（表头）中“%(first)s”和“%(second)s”是同一项，请只保留一列。")
                % {"line": header_line, "first": named[key], "second": _norm(cell)[:30]}
            )
        if key:
            columns[key] = i
            named[key] = name
        elif name and name not in _EXPORT_ONLY:
            result.unread_columns.append(_norm(cell)[:30])
    english = (get_language() or "").startswith("en")
    missing = [f"{LABELS[k]} ({_(_MISSING_GLOSSES[k])})" if english else LABELS[k] for k in ("date", "total") if k not in columns]
    if missing:
        raise ImportRefused(
            _("第 %(line)s 行应是表头，缺少列：%(columns)s。表头应为：就诊日期、医疗机构级别、就诊类型、费用总额、自费金额、乙类金额（可先“下载模板”）。")
            % {"line": header_line, "columns": _("、").join(missing)}
        )
    data = [(n, row) for n, row in lines if not _blank(row)]
    # The export's totals row is not a visit.
    data = [(n, row) for n, row in data if _norm(row[columns["date"]] if columns["date"] < len(row) else "") != TOTALS_LABEL]
    if not data:
        raise ImportRefused(_("文件里只有表头，没有就诊记录。"))
    if len(data) > max_rows:
        raise ImportRefused(_("文件里有 %(rows)s 行就诊记录，一次最多导入 %(max_rows)s 行。请分成几个文件。") % {"rows": len(data), "max_rows": max_rows})

    def cell(row: list[Any], key: str) -> Any:
        i = columns.get(key)
        return row[i] if i is not None and i < len(row) else None

    for number, row in data:
        problems = []
        visit: dict[str, str] = {}
        extra = next(((i, _norm(v)) for i, v in enumerate(row) if i >= len(header) and _norm(v) != ""), None)
        if extra is None and _split_amount(row, columns, longer=len(row) > len(header)):
            # An amount cell of 1–3 digits followed by one of three digits, in a row longer than
            # the header (its extra cells empty) or with a tail "0xx": "1,000.00" typed without
            # quotes moved its "000.00" into the next column and left 1.00 as the amount.
            # Refused: never a figure read from a split amount. (A trailing empty cell alone, a
            # spreadsheet's habit, is fine.)
            problems.append(
                _("这一行比表头多出 %(count)s 格：如果是金额里的千位分隔逗号把一个金额拆成了两格，请去掉逗号或给金额加引号（例如 \"1,000.00\"）；如果是行末多打的逗号，请删去")
                % {"count": len(row) - len(header)}
            )
        if extra is not None:
            # A cell beyond the header's columns: an unquoted thousands separator ("1,000.00")
            # splits an amount in two, and the columns after it are read shifted or cut off:
            # refused, never calculated from a misread figure.
            problems.append(
                _("第 %(column)s 列“%(value)s”没有表头：如果是金额里的千位分隔逗号把一个金额拆成了两格，请去掉逗号或给金额加引号")
                % {"column": extra[0] + 1, "value": extra[1][:20]}
            )
        raw_date = cell(row, "date")
        date = _cell_date(raw_date)
        if _norm(raw_date) == "":
            problems.append(_("请填写就诊日期"))
        elif date is None:
            problems.append(_("就诊日期“%(value)s”应写成 2025-03-01 或 2025/3/1，且是真实存在的日期") % {"value": _norm(raw_date)[:20]})
        else:
            visit["date"] = date
        raw_level = _norm(cell(row, "level")).replace(" ", "")
        if raw_level:
            level = LEVELS.get(raw_level.removesuffix("医院").removesuffix("医疗机构"))
            if level is None:
                problems.append(_("医疗机构级别“%(value)s”应为 1、2、3 或 一级、二级、三级") % {"value": raw_level[:20]})
            else:
                visit["level"] = level
        raw_setting = _norm(cell(row, "setting")).replace(" ", "")
        setting = SETTINGS.get(raw_setting.lower())
        if setting is None:
            problems.append(_("就诊类型“%(value)s”应为 门诊、药店、互联网+ 或 非定点") % {"value": raw_setting[:20]})
        else:
            visit["setting"] = setting
        raw_offsite = _norm(cell(row, "offsite")).replace(" ", "")
        offsite = OFFSITE.get(raw_offsite.lower())
        if offsite is None:
            problems.append(_("异地就医“%(value)s”应为 已备案、未备案，或留空（在参保地就医）") % {"value": raw_offsite[:20]})
        elif offsite != "none":
            visit["offsite"] = offsite
        for key in ("inpatient_stay", "chronic"):
            raw_flag = _norm(cell(row, key)).replace(" ", "")
            flag = FLAGS.get(raw_flag.lower())
            if flag is None:
                problems.append(_("%(column)s“%(value)s”应为 是，或留空") % {"column": _column(named, key), "value": raw_flag[:20]})
            elif flag:
                visit[key] = "on"
        raw_class = _norm(cell(row, "price_class")).replace(" ", "")
        price_class = PRICE_CLASSES.get(raw_class)
        if price_class is None:
            problems.append(_("收费类别“%(value)s”应为 一类、二类、三类，或留空（按级别推定）") % {"value": raw_class[:20]})
        elif price_class:
            visit["price_class"] = price_class
        for key in ("total", "excluded", "class_b"):
            raw = cell(row, key)
            if _norm(raw) == "":
                if key == "total":
                    problems.append(_("请填写%(total)s") % {"total": named["total"]})
                continue
            amount, problem = _read_amount(raw)
            if amount is None:
                problems.append(problem % {"column": _column(named, key)})
            else:
                visit[key] = amount
        if not problems:
            total = Decimal(visit["total"])
            if Decimal(visit.get("excluded", "0")) > total:
                problems.append(_("%(excluded)s不能大于%(total)s") % {"excluded": named["excluded"], "total": named["total"]})
                if _split_amount(row, {"total": columns["total"]}, longer=True):
                    # "1,234.50" unquoted under 费用总额: 1 and 234.50 — the likely cause, said.
                    problems.append(_("如果是%(total)s里的千位分隔逗号把金额拆成了两格，请去掉逗号或给金额加引号（例如 \"1,234.50\"）") % {"total": named["total"]})
            elif Decimal(visit.get("class_b", "0")) + Decimal(visit.get("excluded", "0")) > total:
                problems.append(_("%(class_b)s加%(excluded)s不能大于%(total)s") % {"class_b": named["class_b"], "excluded": named["excluded"], "total": named["total"]})
        if problems:
            result.errors.append(_("第 %(line)s 行：%(problems)s。") % {"line": number, "problems": _("；").join(problems)})
        elif (pair := _looks_split(row, columns, len(header))) is not None:
            (head_key, head), (tail_key, tail) = pair
            result.maybe_split.append(
                _("第 %(line)s 行：%(head_column)s %(head)s、%(tail_column)s %(tail)s 按两个金额导入；如果这原本是一个金额 %(head)s,%(tail)s（千位分隔的逗号没加引号），请改正后重新导入。")
                % {"line": number, "head_column": _column(named, head_key), "head": head, "tail_column": _column(named, tail_key), "tail": tail}
            )
        if not problems:
            result.visits.append(visit)
            result.lines.append(number)
    if result.errors:
        result.visits, result.lines = [], []  # nothing half-imported
    return result


def visits_query(visits: list[dict[str, str]]) -> list[tuple[str, str]]:
    query = []
    for i, visit in enumerate(visits):
        for name in ("date", "level", "setting", "total", "excluded", "class_b"):
            query.append((f"visits-{i}-{name}", visit.get(name, "")))
        for name in ("offsite", "inpatient_stay", "chronic", "price_class"):
            if visit.get(name):  # the form's defaults need no field
                query.append((f"visits-{i}-{name}", visit[name]))
    return query


def visits_contract(visits: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Imported rows as the contract's visits (for the command line)."""
    out = []
    for visit in visits:
        item: dict[str, Any] = {"date": visit["date"], "setting": visit.get("setting", "clinic"), "total": visit["total"]}
        if visit.get("level"):
            item["level"] = int(visit["level"])
        for name in ("excluded", "class_b"):
            if visit.get(name):
                item[name] = visit[name]
        if visit.get("offsite"):
            item["offsite"] = visit["offsite"]
        if visit.get("inpatient_stay"):
            item["inpatient_stay"] = True
        if visit.get("chronic"):
            item["category"] = "chronic"
        if visit.get("price_class"):
            item["price_class"] = int(visit["price_class"])
        out.append(item)
    return out
