"""Django settings for the 门诊共济报销计算器 project.

Safe by default: DEBUG is off unless ``DJANGO_DEBUG=1``, and the secret key comes from
``DJANGO_SECRET_KEY`` or from a local file that ``make run`` generates (never from the
repository). Everything that differs between a developer machine and a deployment is read
from the environment; ``docs/production.md`` lists every setting.

The test suite uses ``calculator.settings_test`` (these settings plus a fixed test key,
plain static storage and no rate limits unless a test turns them on).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bad_setting(name: str, raw: str, expected_zh: str, expected_en: str) -> SystemExit:
    """Stop start-up with the message alone, as for a missing key: an operator with a typo in
    one environment setting reads what to fix, not a traceback through Django's set-up."""
    return SystemExit(
        f"环境变量 {name}={raw!r} 无效，无法启动：应为{expected_zh}。\n"
        f"{name}={raw!r} is not valid, not starting: expected {expected_en}."
    )


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise _bad_setting(name, raw, " 1 或 0", "1 or 0")


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole number, at least ``minimum`` (every count, size and timeout here is)."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise _bad_setting(name, raw, f"不小于 {minimum} 的整数", f"a whole number of at least {minimum}")
    return value


def _env_list(name: str, default: str) -> list[str]:
    # Set but empty reads as unset, as for every other setting here (an empty
    # DJANGO_ALLOWED_HOSTS would refuse every request with 400).
    return [item.strip() for item in (os.environ.get(name, "").strip() or default).split(",") if item.strip()]


def _env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate limit written ``COUNT/SECONDS`` (``0`` turns that limit off)."""
    raw = os.environ.get(name, default).strip()
    count, _, seconds = raw.partition("/")
    try:
        rate = (int(count), int(seconds or "60"))
    except ValueError:
        rate = (-1, 0)
    if rate[0] < 0 or rate[1] <= 0:
        raise _bad_setting(name, raw, "“次数/秒数”，如 300/60", "COUNT/SECONDS, e.g. 300/60")
    return rate


DEBUG = _env_bool("DJANGO_DEBUG", False)

# --- Secret key: the environment, else a local untracked file, else stop -------------------
SECRET_KEY_FILE = Path(os.environ.get("DJANGO_SECRET_KEY_FILE") or BASE_DIR / ".secret_key")
# Commands that sign nothing and serve nothing run without a key (a throwaway one): the
# calculation from a script or a helpdesk system needs none (`manage.py calculate`).
_SIGNS_NOTHING = len(sys.argv) > 1 and Path(sys.argv[0]).name == "manage.py" and sys.argv[1] in {"calculate"}


def _secret_key() -> str:
    key = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if key:
        return key
    try:
        key = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        key = ""
    except (OSError, UnicodeError):  # a folder, no permission, not text: said, not a traceback
        raise SystemExit(
            f"无法读取密钥文件 {SECRET_KEY_FILE}（DJANGO_SECRET_KEY_FILE），无法启动：应为一个可读的 UTF-8 文本文件。\n"
            f"Cannot read the secret key file {SECRET_KEY_FILE} (DJANGO_SECRET_KEY_FILE), not starting: "
            "expected a readable UTF-8 text file."
        ) from None
    if key:
        return key
    if DEBUG or _SIGNS_NOTHING:
        # Development only: a fresh key per process (sessions do not survive a restart).
        from django.core.management.utils import get_random_secret_key

        return get_random_secret_key()
    # Stop start-up with the message alone (no traceback to read through).
    raise SystemExit(
        "没有密钥（secret key），无法启动：请设置环境变量 DJANGO_SECRET_KEY，"
        f"或把密钥写入 {SECRET_KEY_FILE}（`make run` 会自动生成）。\n"
        "No secret key, not starting: set DJANGO_SECRET_KEY, or put one in "
        f"{SECRET_KEY_FILE} (`make run` generates it); DJANGO_DEBUG=1 is for development only."
    )


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

# --- TLS: on by default with DEBUG off (production is served over HTTPS, usually by a proxy); -----
# DJANGO_SECURE=0 for plain HTTP on loopback (`make run`, scripts/load.py). Django's runserver is
# never a production server and serves plain HTTP only: there the default is off, so that a plain
# `manage.py runserver` serves the site (issue 2) instead of redirecting to an https:// it cannot
# answer. (gunicorn, `check --deploy` and every other command keep the TLS default.)
_RUNSERVER = len(sys.argv) > 1 and sys.argv[1] == "runserver"
SECURE = _env_bool("DJANGO_SECURE", not DEBUG and not _RUNSERVER)
_proxy_header = os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip()
if _proxy_header and not re.fullmatch(r"[A-Za-z0-9-]+", _proxy_header):
    # "X-Forwarded-Proto: https" would name no header the proxy sends: every request would
    # look like plain HTTP and be redirected to HTTPS without end.
    raise _bad_setting("DJANGO_SECURE_PROXY_SSL_HEADER", _proxy_header, "请求头的名称，例如 X-Forwarded-Proto（不带冒号和值）", "a header name, e.g. X-Forwarded-Proto (no colon, no value)")
if _proxy_header:
    # e.g. X-Forwarded-Proto: only when the proxy in front always sets (overwrites) it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = SECURE and _env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load-balancer probes may use plain HTTP
SECURE_HSTS_SECONDS = _env_int("DJANGO_HSTS_SECONDS", 31_536_000) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE and _env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = SECURE and _env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # result URLs carry a member's figures: never to others
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django_htmx",
    "template_partials",
    "crispy_forms",
    "calculator.ops",
    "calculator.rules",
    "calculator.web",
    "calculator.api",
    "calculator.enquiries",
]

# No session, authentication or messages middleware: nothing signs in yet (the helpdesk console
# will bring them back), the language choice and the CSRF token are cookies of their own, and
# each of them cost every request a little (measured with py-spy under scripts/load.py).
MIDDLEWARE = [
    # Request id, one JSON log line per request, malformed/oversized bodies, rate limits and
    # Cache-Control: before everything else, so every answer (also 400/413/429) is covered.
    "calculator.ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp (policy string built once): outside the limits, so that the pages they answer
    # (400, 405, 413, 429) carry the policy too.
    "calculator.ops.csp.CachedPolicyCSPMiddleware",
    "calculator.ops.middleware.RequestLimitsMiddleware",
    "calculator.web.middleware.IgnoreBrowserLanguageMiddleware",  # Chinese unless switched
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "calculator.urls"
CSRF_FAILURE_VIEW = "calculator.ops.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        # template_partials' AppConfig replaces APP_DIRS with its own
        # (cached) loader chain, which also includes the app-directories loader.
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "calculator.wsgi.application"
ASGI_APPLICATION = "calculator.asgi.application"

# --- Database: SQLite by default, PostgreSQL (psycopg 3) through DATABASE_URL -------------------
try:
    DATABASES = {
        "default": dj_database_url.parse(
            # Set but empty reads as unset (SQLite), as for every other setting here.
            os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
            conn_max_age=_env_int("DJANGO_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
except ValueError:  # dj_database_url's UnknownSchemeError, or a port that is not a number
    # The address is not echoed: it may carry the database password.
    raise SystemExit(
        "环境变量 DATABASE_URL 无效，无法启动：应为 postgres://用户:密码@主机:端口/库名 或 sqlite:///文件路径。\n"
        "DATABASE_URL is not valid, not starting: expected postgres://user:password@host:port/name or sqlite:///path."
    ) from None
if DATABASES["default"]["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
    # mysql://, oracle://…: dj_database_url knows them, this project neither installs nor tests them.
    raise SystemExit(
        "环境变量 DATABASE_URL 无效，无法启动：只支持 PostgreSQL（postgres://用户:密码@主机:端口/库名）或 SQLite（sqlite:///文件路径）。\n"
        "DATABASE_URL is not valid, not starting: only PostgreSQL (postgres://user:password@host:port/name) or SQLite (sqlite:///path) is supported."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable database must not hang requests (or /healthz) for long.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", _env_int("DJANGO_DB_CONNECT_TIMEOUT", 3, minimum=1)
    )
# After a connection failure, saving, reopening and /healthz skip the database for this long
# (per process: calculator.ops.dbguard), so a database that never answers cannot hold workers.
DB_RETRY_SECONDS = _env_int("DJANGO_DB_RETRY_SECONDS", 15)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []

# --- Cache (rate limits): local memory by default, Redis through CACHE_URL -------------------------
CACHE_URL = os.environ.get("CACHE_URL", "").strip()


def _cache_from_url(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    scheme = parts.scheme
    try:
        parts.port  # a port that is not a number: refused now, not at the first request
    except ValueError:
        scheme = "bad port"
    if scheme in {"redis", "rediss", "unix"}:
        # Short timeouts: the cache only holds rate-limit counters, and a Redis that accepts
        # connections but never answers must not hold each request for seconds (the limits
        # then pause, calculator.ops.middleware.over_limit).
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    if scheme in {"locmem", ""}:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    # The address is not echoed: a Redis address may carry its password.
    raise SystemExit(
        "环境变量 CACHE_URL 无效，无法启动：应为 redis://主机:端口/库号 或 locmem://。\n"
        "CACHE_URL is not valid, not starting: expected redis://host:port/db or locmem://."
    )


CACHES = {"default": _cache_from_url(CACHE_URL)}

# --- Limits -----------------------------------------------------------------------------------
# Bodies: the API's JSON (1,000 visits with every optional field is ~250 KB) and the rest of the
# site (only the language switch posts). Over the limit: 413; a malformed Content-Length: 400.
API_MAX_BODY_BYTES = _env_int("DJANGO_API_MAX_BODY_BYTES", 1_048_576, minimum=1)
SITE_MAX_BODY_BYTES = _env_int("DJANGO_MAX_BODY_BYTES", 65_536, minimum=1)
# Django's own check, behind ours (calculator.ops.middleware answers first, with 413).
DATA_UPLOAD_MAX_MEMORY_SIZE = max(API_MAX_BODY_BYTES, SITE_MAX_BODY_BYTES)
DATA_UPLOAD_MAX_NUMBER_FIELDS = _env_int("DJANGO_MAX_FIELDS", 1000, minimum=1)
# Requests per client address: COUNT/SECONDS; a busy helpdesk shares one address, so generous.
RATELIMIT_ENABLED = _env_bool("DJANGO_RATELIMIT", True)
RATELIMIT_API = _env_rate("DJANGO_RATELIMIT_API", "300/60")
RATELIMIT_PAGE = _env_rate("DJANGO_RATELIMIT_PAGE", "300/60")
# How many proxies in front append to X-Forwarded-For (0: the client is REMOTE_ADDR).
TRUSTED_PROXY_COUNT = _env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)

# --- Content-Security-Policy (django-csp): only our own files, nothing inline ----------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Internationalisation: Simplified Chinese first, English second ----------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]

# Forms render through crispy-forms with our own template pack (templates/govform/), not Bootstrap.
CRISPY_ALLOWED_TEMPLATE_PACKS = ("govform",)
CRISPY_TEMPLATE_PACK = "govform"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

# --- Static files: collected by `make setup`, served by WhiteNoise with hashed, compressed names ----
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Logging: one JSON object per line on stderr; never a query string, body or amount -------------
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise _bad_setting("DJANGO_LOG_LEVEL", os.environ["DJANGO_LOG_LEVEL"], " DEBUG、INFO、WARNING、ERROR 或 CRITICAL", "DEBUG, INFO, WARNING, ERROR or CRITICAL")
# At DEBUG two of Django's loggers write what a request carried: SQL with its parameters (a saved
# enquiry's figures) and template errors quoting the request. They never go below INFO.
QUIET_LOG_LEVEL = "INFO" if LOG_LEVEL == "DEBUG" else LOG_LEVEL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "calculator.ops.logging.RequestIdFilter"},
        "client_fault": {"()": "calculator.ops.logging.ClientFaultFilter"},
    },
    "formatters": {"json": {"()": "calculator.ops.logging.JsonFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id", "client_fault"],
        },
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL},
    "loggers": {
        # runserver's access line carries the full query string: our request log replaces it.
        "django.server": {"handlers": ["null"], "propagate": False},
        "django": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "calculator": {"handlers": ["stderr"], "level": LOG_LEVEL, "propagate": False},
        "django.db.backends": {"level": QUIET_LOG_LEVEL},
        "django.template": {"level": QUIET_LOG_LEVEL},
    },
}

# --- Saved enquiries (issue 8): how long a link works, import limits, saves per address --------
ENQUIRY_RETENTION_DAYS = _env_int("DJANGO_ENQUIRY_RETENTION_DAYS", 180, minimum=1)
ENQUIRY_IMPORT_MAX_BYTES = _env_int("DJANGO_ENQUIRY_IMPORT_MAX_BYTES", 2 * 1_048_576, minimum=1)
ENQUIRY_IMPORT_MAX_ROWS = 1000
ENQUIRY_RATELIMIT = _env_rate("DJANGO_RATELIMIT_ENQUIRY", "60/60")
