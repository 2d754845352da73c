"""Django entry point of the rules app (label ``rules``).

The policy data is read and checked when the app is ready, so a fault in a data file stops
the site (runserver, gunicorn's preload, any ``manage.py`` command) before it answers
anything: the message (the file's path under the data folder, the field, the problem) goes
to standard error, without a traceback, and the process exits with status 2.

``manage.py calculate`` is the exception: it reports the same message itself, as its usual
JSON error on standard output with exit status 2, so a script reading its output gets JSON.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.apps import AppConfig

EXIT_BAD_DATA = 2
# Management commands that report a data fault themselves (as their own JSON error).
COMMANDS_REPORTING_DATA_FAULTS = {"calculate"}


def _running_command() -> str | None:
    argv = sys.argv
    # manage.py, django-admin, python -m django (argv[0] is django/__main__.py)
    if len(argv) > 1 and Path(argv[0]).name in ("manage.py", "django-admin", "__main__.py"):
        return argv[1]
    return None


def stop_message(exc: Exception) -> str:
    return f"政策数据有误，无法启动 / Policy data error, not starting: {exc}"


class RulesConfig(AppConfig):
    name = "calculator.rules"
    label = "rules"
    verbose_name = "门诊共济报销规则"

    def ready(self) -> None:
        from calculator.rules import registry
        from calculator.rules.loader import PolicyDataError

        try:
            registry.load_policies()
        except PolicyDataError as exc:
            if _running_command() in COMMANDS_REPORTING_DATA_FAULTS:
                return  # nothing was cached: the command meets the same fault and reports it
            sys.stderr.write(stop_message(exc) + "\n")
            sys.stderr.flush()
            raise SystemExit(EXIT_BAD_DATA) from None
