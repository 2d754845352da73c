"""``python manage.py calculate FILE|-``: run one calculation request from a JSON file.

Reads FILE (or standard input for ``-``) as bytes, hands it to
``calculator.rules.contract.run_contract`` and prints the JSON body to standard
output. Exit status: 0 when the request was calculated (200), 2 when it was
rejected (400, including an unreadable FILE) or the policy data has a fault (the message
names the data file and the field), 1 on an unexpected internal error.
No traceback is ever printed.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INVALID = 2


class Command(BaseCommand):
    help = "按 JSON 请求计算门诊共济报销（FILE 为 - 时读标准输入），把结果 JSON 打印到标准输出。"

    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", metavar="FILE", help="请求 JSON 文件路径；用 - 读标准输入")

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
        path = options["file"]
        try:
            if path == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(path, "rb") as fh:
                    raw = fh.read()
        except FileNotFoundError:
            self._emit({"errors": [{"field": "FILE", "message": f"找不到文件：{path}"}]}, EXIT_INVALID)
        except IsADirectoryError:
            self._emit({"errors": [{"field": "FILE", "message": f"这是一个目录，不是文件：{path}"}]}, EXIT_INVALID)
        except OSError as exc:
            self._emit(
                {"errors": [{"field": "FILE", "message": f"无法读取文件：{path}（{exc.strerror or exc}）"}]},
                EXIT_INVALID,
            )

        try:
            from calculator.i18n import translate_for
            from calculator.rules.contract import run_contract

            # A request may ask for English ("lang": "en"); Chinese otherwise.
            status, body = run_contract(raw, translate_for=translate_for)
        except Exception as exc:  # noqa: BLE001 - the CLI promises never to show a traceback
            self._emit(
                {"errors": [{"field": "", "message": f"内部错误：{type(exc).__name__}: {exc}"}]},
                EXIT_INTERNAL,
            )

        if status == 200:
            self._emit(body, EXIT_OK)
        elif status == 400:
            self._emit(body, EXIT_INVALID)
        else:
            self._emit(body, EXIT_INTERNAL)
