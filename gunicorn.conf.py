"""gunicorn settings for `make run`, `scripts/load.py` and production (read from the current folder).

Every value can be changed from the environment (see docs/production.md): GUNICORN_BIND,
WEB_CONCURRENCY (worker processes), GUNICORN_THREADS, GUNICORN_TIMEOUT, GUNICORN_LIMIT_REQUEST_LINE,
GUNICORN_LOG_LEVEL.
"""

import os

from gunicorn.glogging import Logger

wsgi_app = "calculator.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# The calculation is CPU-bound: about one worker per core plus one (measured: docs/production.md).


def _whole(name: str, default: int, minimum: int) -> int:
    """A whole-number setting from the environment; a typo stops start-up with a message, not
    a traceback (as calculator/settings.py does). (gunicorn itself reads WEB_CONCURRENCY
    before this file and fails on a non-number there with its own traceback.)"""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise SystemExit(
            f"环境变量 {name}={raw!r} 无效，无法启动：应为不小于 {minimum} 的整数。\n"
            f"{name}={raw!r} is not valid, not starting: expected a whole number of at least {minimum}."
        )
    return value


workers = _whole("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1, 1)
threads = _whole("GUNICORN_THREADS", 1, 1)
timeout = _whole("GUNICORN_TIMEOUT", 30, 0)  # 0: no worker timeout (gunicorn's meaning)
# The calculator is a GET form (results are bookmarkable and work without JavaScript): a browser
# sends every field of every row, about 8 KB for the 50 rows the page allows, over gunicorn's
# default request-line limit (4094) and its largest finite one (8190). With the C parser
# (gunicorn_h1c, a dependency) 0 means "up to 1 MB", parsed in linear time; Django then refuses
# more than its field limit with the page's own 400. The pure-Python parser reads 0 as
# "unlimited" and is quadratic in the line's length, so without the C parser the limit is
# gunicorn's largest finite one (forms of about 50 rows still fit).
try:
    import gunicorn_h1c  # noqa: F401

    http_parser = "fast"
    _line_default = "0"
except ImportError:  # pragma: no cover - the dependency is installed by make
    _line_default = "8190"
limit_request_line = _whole("GUNICORN_LIMIT_REQUEST_LINE", int(_line_default), 0)
graceful_timeout = 20
keepalive = 5
# Policy data is read once, in the master, before the workers fork: a fault in it stops start-up.
preload_app = True
# Recycle workers now and then (bounded memory over weeks of uptime).
max_requests = 20_000
max_requests_jitter = 2_000
# No control socket (gunicorn 23+): nothing here uses it, and two servers on one machine
# (`make run` beside the tests or scripts/load.py) would fight over its default path.
control_socket_disable = True
# No access log from gunicorn (it would carry query strings): the app logs each request as JSON.
accesslog = None


class NoAccessLogger(Logger):
    """gunicorn's logger without the access line. With a ``logconfig_dict`` gunicorn still builds
    every access-log field of each request (about 5 % of a worker's time under load, measured
    with py-spy) and hands them to a logger that has no handler; this skips that work."""

    def access(self, resp, req, environ, request_time):  # noqa: D102 - see the class
        return None


logger_class = NoAccessLogger
errorlog = "-"
_LOG_LEVELS = ("debug", "info", "warning", "error", "critical")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "").strip().lower() or "info"
if loglevel not in _LOG_LEVELS:
    raise SystemExit(
        f"环境变量 GUNICORN_LOG_LEVEL={loglevel!r} 无效，无法启动：应为 {'、'.join(_LOG_LEVELS)} 之一。\n"
        f"GUNICORN_LOG_LEVEL={loglevel!r} is not valid, not starting: expected one of {', '.join(_LOG_LEVELS)}."
    )
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "calculator.ops.logging.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
    },
    "loggers": {
        # gunicorn's own messages at the level asked for (the dict would otherwise fix them at INFO).
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}
