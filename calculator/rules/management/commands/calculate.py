"""``python manage.py calculate FILE|-``: run one calculation request from a JSON file.

Reads FILE (or standard input for ``-``) as bytes, hands it to
``calculator.rules.contract.run_contract`` and prints the JSON body to standard
output. Exit status: 0 when the request was calculated (200), 2 when it was
rejected (400, including an unreadable FILE) or the policy data has a fault (the
message names the data file and the field), 1 on an unexpected internal error.
No traceback is ever printed.

The visits can instead come from a CSV or Excel file (the web page's import template:
就诊日期, 医疗机构级别, 就诊类型, 费用总额, 自费金额, 乙类金额), with the person on the
command line::

    manage.py calculate --csv visits.csv --region wuhan --status employed --age 45

``--format csv|xlsx|json`` chooses the output: the JSON result (default), or the per-visit
ledger as CSV (UTF-8 with BOM) or Excel, to standard output or to ``--output FILE``.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext

_WHOLE = re.compile(r"[+-]?[0-9]{1,100}")  # a whole number of any sensible length: its range is the contract's to say
_FULL_WIDTH = re.compile(r"[+\-＋－]?[0-9０-９]{1,100}")  # "６６", "－６６", "6６" (full-width: a Chinese input method's)
_VISIT_PATH = re.compile(r"visits\[(\d+)\]")  # the contract's path of a visit's field
EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID = 2


class _Exit(Exception):
    def __init__(self, body: Any, code: int):
        self.body, self.code = body, code


def _refused(field: str, message: str, code: int = EXIT_INVALID) -> _Exit:
    """The command's own refusal as the contract's JSON error."""
    return _Exit({"errors": [{"field": field, "message": message}]}, code)


def _internal(exc: Exception) -> dict[str, Any]:
    """An unexpected failure, named for whoever runs the command (never a traceback)."""
    return {"errors": [{"field": "(server)", "message": gettext("内部错误：%(error)s") % {"error": f"{type(exc).__name__}: {exc}"}}]}


def _two_decimals(text: str) -> str:
    """A typed amount as the contract's JSON writes it ("5000.000" → "5000.00", as the page's
    form and the file's cells read it); anything else as typed, for the contract to name."""
    from decimal import Decimal

    if not re.fullmatch(r"[0-9]+\.[0-9]{3,}", text):
        return text
    value = Decimal(text)  # digits, a point, digits: always a number
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else text


class Command(BaseCommand):
    help = (
        "按 JSON 请求计算门诊共济报销（FILE 为 - 时读标准输入），把结果 JSON 打印到标准输出；"
        "或用 --csv 从 CSV/Excel 文件读就诊记录（参保人信息用 --region、--status、--age 等给出）。"
        "--format csv|xlsx|json 选择输出格式。"
        "退出码：0 有结果；2 输入或选项有误（JSON 错误）；1 内部错误（JSON 错误，字段为 (server)）。"
    )

    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", metavar="FILE", nargs="?", help="请求 JSON 文件路径；用 - 读标准输入")
        parser.add_argument("--csv", dest="visits_file", metavar="VISITS", help="就诊记录文件（CSV 或 Excel .xlsx，按网页的导入模板）")
        parser.add_argument("--region", help="参保地区（代码或名称，例如 wuhan、武汉）")
        parser.add_argument("--status", help="参保身份：employed（在职）或 retired（退休）")
        parser.add_argument("--age", help="年龄（周岁）")
        parser.add_argument("--retired-on", dest="retired_on", help="退休日期，例如 2010-08-01")
        parser.add_argument("--flexible-employment", dest="flexible_employment", action="store_true", help="灵活就业人员")
        parser.add_argument("--contribution-base", dest="contribution_base", help="月缴费基数（元）")
        parser.add_argument("--account-balance", dest="account_balance", help="个人账户余额（元；上海：当年账户）")
        parser.add_argument("--prior-years-balance", dest="prior_years_balance", help="历年账户余额（元，仅上海）")
        parser.add_argument("--chronic-disease-count", dest="chronic_disease_count", help="慢性病病种数（仅玉溪）")
        parser.add_argument("--lang", help="结果语言：zh-hans（默认）或 en；请求 JSON 里的 lang 优先")
        parser.add_argument("--format", dest="output_format", choices=["json", "csv", "xlsx"], default="json", help="输出格式（默认 json）")
        parser.add_argument("--output", "-o", dest="output", help="写入这个文件，而不是标准输出")

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        """A mistake in the command's arguments (an unknown option, --format pdf) is answered as
        every other error is: the JSON error on standard output, exit 2, in the language of
        --lang where the command line names one (it is not parsed yet); Chinese otherwise."""
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        refuse = parser.error

        def error(message: str) -> None:
            if not getattr(parser, "called_from_command_line", False):
                refuse(message)  # call_command(): Django's CommandError, as for any command
                return
            argv = sys.argv
            asked = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--lang"), None)
            asked = asked or next((a.split("=", 1)[1] for a in argv if a.startswith("--lang=")), None)
            from calculator.rules.contract import answer_language

            with translation.override(answer_language(asked)):
                text = gettext("命令参数有误：%(detail)s。用 --help 查看用法。") % {"detail": message}
            self._emit({"errors": [{"field": "(arguments)", "message": text}]}, EXIT_INVALID)

        parser.error = error
        return parser

    def _emit(self, body: Any, code: int) -> None:
        text = json.dumps(body, ensure_ascii=False, indent=2)
        self.stdout.write(text)
        self.stdout.flush()
        sys.exit(code)

    def _check_policy_data(self) -> None:
        """A fault in the policy data (calculator/rules/apps.py lets this command report it):
        the start-up message, naming the file under the data folder and the field, as the
        usual JSON error; exit 2, no traceback."""
        from calculator.rules import registry
        from calculator.rules.apps import stop_message
        from calculator.rules.loader import PolicyDataError

        try:
            registry.load_policies()
        except PolicyDataError as exc:
            self._emit({"errors": [{"field": "(policy data)", "message": stop_message(exc)}]}, EXIT_INVALID)

    def handle(self, *args: Any, **options: Any) -> None:
        self._check_policy_data()
        # The command's own messages (files, arguments, the import's rows) in the language
        # --lang asks for, as the calculation's errors are; Chinese otherwise.
        from calculator.rules.contract import answer_language

        with translation.override(answer_language(options.get("lang"))):
            lang = options.get("lang")
            if lang:
                # Read as the API reads Accept-Language ("en-US", "EN", "zh-CN"); a language the
                # calculator does not have is the option's fault, not a field of the request.
                tag = str(lang).strip().lower()
                if tag.startswith("en"):
                    options["lang"] = "en"
                elif tag.startswith("zh"):
                    options["lang"] = "zh-hans"
                else:
                    self._emit({"errors": [{"field": "--lang", "message": gettext("--lang 只能是 zh-hans（中文）或 en（英文）。")}]}, EXIT_INVALID)
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        try:
            if options.get("visits_file"):
                if options.get("file"):
                    raise _refused("FILE", gettext("请只给出一种输入：请求 JSON 文件，或 --csv 就诊记录文件。"))
                raw = self._request_from_visits(options)
            elif options.get("file"):
                from calculator.rules.contract import FIELD_LABELS, TOP_FIELDS

                # The person's fields, in the contract's order (its labels'): all but the visits and lang.
                person = [f"--{name.replace('_', '-')}" for name in FIELD_LABELS if name in TOP_FIELDS - {"visits", "lang"} and options.get(name) not in (None, "", False)]
                if person:
                    # The request file carries the person: a --region beside it would be
                    # silently ignored, and the figures be for someone else.
                    raise _refused(person[0], gettext("%(options)s 只用于 --csv；请求 JSON 文件里已有参保人信息，请在文件中修改。") % {"options": gettext("、").join(person)})
                raw = self._read(options["file"])
            else:
                raise _refused("FILE", gettext("请给出请求 JSON 文件（或 - 读标准输入），或用 --csv 给出就诊记录文件。"))
        except _Exit as exit_:
            self._emit(exit_.body, exit_.code)

        try:
            from calculator.i18n import plain_translate_for
            from calculator.rules.contract import run_contract

            # A request may ask for English ("lang": "en"); --lang does for a request that
            # names no language (as the API's Accept-Language header); Chinese otherwise.
            # Errors follow the same choice.
            status, body = run_contract(raw, translate_for=plain_translate_for, lang=options.get("lang") or None)
        except Exception as exc:  # noqa: BLE001 - the CLI promises never to show a traceback
            # The API's field; the message keeps what the person running the command needs.
            self._emit(_internal(exc), EXIT_INTERNAL)

        if status == 200:
            if options.get("output_format", "json") != "json" or options.get("output"):
                try:
                    self._write_output(body, raw, options)
                except Exception as exc:  # noqa: BLE001 - never a traceback (SystemExit passes)
                    self._emit(_internal(exc), EXIT_INTERNAL)
            self._emit(body, EXIT_OK)
        elif status == 400:
            self._emit(self._on_file_lines(body), EXIT_INVALID)
        else:
            self._emit(body, EXIT_INTERNAL)

    def _on_file_lines(self, body: Any) -> Any:
        """A refusal of a visit read from --csv names the visit's line in the file as the import's
        own messages do ("第 4 行：…"), beside the contract's field path (``visits[1].date``: the
        second visit read, which blank lines or a header further down make another line)."""
        lines = getattr(self, "visit_lines", None)
        if not lines or not isinstance(body, dict):
            return body
        for error in body.get("errors", []):
            found = _VISIT_PATH.match(str(error.get("field", "")))
            if found and int(found.group(1)) < len(lines):
                line = lines[int(found.group(1))]
                error["line"] = line
                error["message"] = gettext("第 %(line)s 行：%(message)s") % {"line": line, "message": error["message"]}
        return body

    # --- input -----------------------------------------------------------------------------------

    def _read(self, path: str) -> bytes:
        try:
            if path == "-":
                return sys.stdin.buffer.read()
            with open(path, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            raise _refused("FILE", gettext("找不到文件：%(path)s") % {"path": path}) from None
        except IsADirectoryError:
            raise _refused("FILE", gettext("这是一个目录，不是文件：%(path)s") % {"path": path}) from None
        except OSError as exc:
            raise _refused("FILE", gettext("无法读取文件：%(path)s（%(reason)s）") % {"path": path, "reason": exc.strerror or exc}) from None

    def _request_from_visits(self, options: dict[str, Any]) -> bytes:
        from django.conf import settings

        from calculator.enquiries import ledger_io

        path = options["visits_file"]
        try:
            raw = self._read(path)
        except _Exit as exit_:
            exit_.body["errors"][0]["field"] = "--csv"
            raise
        max_rows = getattr(settings, "ENQUIRY_IMPORT_MAX_ROWS", 1000)
        max_bytes = getattr(settings, "ENQUIRY_IMPORT_MAX_BYTES", 2 * 1_048_576)
        try:
            read = ledger_io.read_visits(path, raw, max_rows=max_rows, max_bytes=max_bytes)
        except ledger_io.ImportRefused as exc:
            raise _refused("--csv", exc.message) from None
        if read.errors:
            raise _Exit({"errors": [{"field": "--csv", "message": m} for m in read.errors]}, EXIT_INVALID)
        if read.unread_columns:
            # Said beside the answer (standard error), as the page's import says it.
            self.stderr.write(ledger_io.unread_columns_note(read.unread_columns))
        for note in ledger_io.maybe_split_notes(read.maybe_split):
            self.stderr.write(note)  # beside the answer, as the page's import says it
        from calculator.web import typed

        request: dict[str, Any] = {}
        for name in ("region", "status", "retired_on", "contribution_base", "account_balance", "prior_years_balance", "lang"):
            if options.get(name) not in (None, ""):
                request[name] = options[name]
        # The person's figures are read as the file's rows are (and the page's form): "1,000",
        # "１０００元", "2010/8/1" as typed by a person; what is still not a figure is the
        # contract's to name.
        for name in ("contribution_base", "account_balance", "prior_years_balance"):
            if name in request:
                amount, problem = typed.amount(request[name])
                if problem:
                    # "120 30", "12,50": what the page's form says beside the field.
                    from calculator.rules.contract import FIELD_LABELS

                    raise _refused(name, typed.problem_message(problem, gettext(FIELD_LABELS[name]), request[name]))
                request[name] = _two_decimals(amount)
        if "retired_on" in request:
            request["retired_on"] = typed.date(request["retired_on"])
        for name in ("age", "chronic_disease_count"):
            value = options.get(name)
            if value not in (None, ""):
                # A whole number typed on the command line is a JSON number (its range is the
                # contract's to check: -1 is "0 to 120", not "not a whole number"); anything
                # else goes as text and gets the contract's message. Full-width digits ("６６",
                # a Chinese input method's) are read as the page's form reads them; otherwise
                # ASCII digits only: "²" is a digit to str.isdigit but not to int().
                text = str(value).strip()
                if _FULL_WIDTH.fullmatch(text):
                    text = typed.text(text)
                request[name] = int(text) if _WHOLE.fullmatch(text) else value
        if options.get("flexible_employment"):
            request["flexible_employment"] = True
        request["visits"] = ledger_io.visits_contract(read.visits)
        self.visit_lines = read.lines
        return json.dumps(request, ensure_ascii=False).encode("utf-8")

    # --- output ----------------------------------------------------------------------------------

    def _write_output(self, body: dict[str, Any], raw: bytes, options: dict[str, Any]) -> None:
        from calculator.enquiries import ledger_io
        from calculator.rules.contract import decode

        kind = options.get("output_format", "json")
        if kind in ("csv", "xlsx"):
            data, _errors = decode(raw)
            inputs = data if isinstance(data, dict) else None
            content = ledger_io.export_csv(body, inputs) if kind == "csv" else ledger_io.export_xlsx(body, inputs)
        else:
            content = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
        target = options.get("output")
        try:
            if target:
                with open(target, "wb") as fh:
                    fh.write(content)
            else:
                self.stdout.flush()
                sys.stdout.buffer.write(content)
                sys.stdout.buffer.flush()
        except OSError as exc:
            refused = _refused("--output", gettext("无法写入文件：%(path)s（%(reason)s）") % {"path": target, "reason": exc.strerror or exc})
            self._emit(refused.body, refused.code)
        sys.exit(EXIT_OK)
