"""Safe by default: DEBUG off, no key in the repository, `check --deploy` clean under TLS."""

from __future__ import annotations

import secrets
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.ops.conftest import PYTHON, REPO, production_env, run_manage

TLS = {
    "DJANGO_SECURE": "1",
    "DJANGO_ALLOWED_HOSTS": "calc.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://calc.example.org",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def _settings_value(name: str, env: dict[str, str]) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(repr(settings.{name}))"
    result = subprocess.run([PYTHON, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_debug_is_off_unless_asked_for():
    env = production_env()
    del env["DJANGO_DEBUG"]
    assert _settings_value("DEBUG", env) == "False"
    assert _settings_value("DEBUG", production_env(DJANGO_DEBUG="1")) == "True"


def test_without_any_key_start_up_stops_with_a_clear_message(tmp_path):
    env = production_env(DJANGO_SECRET_KEY_FILE=str(tmp_path / "missing"))
    del env["DJANGO_SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    assert "没有密钥" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_key_file_that_cannot_be_read_stops_start_up_with_a_message(tmp_path):
    (tmp_path / "latin1").write_bytes(b"cl\xe9")
    for path in (tmp_path, tmp_path / "latin1"):  # a folder, a file that is not UTF-8
        env = production_env(DJANGO_SECRET_KEY_FILE=str(path))
        del env["DJANGO_SECRET_KEY"]
        result = run_manage("check", env=env)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert f"无法读取密钥文件 {path}（DJANGO_SECRET_KEY_FILE）" in result.stderr


def test_the_calculate_command_needs_no_key(tmp_path):
    # It signs nothing: a script or a helpdesk system runs it without the site's key.
    (tmp_path / "req.json").write_text('{"region": "wuhan", "status": "employed", "age": 45, "visits": [{"date": "2024-03-01", "level": 2, "total": "300"}]}')
    env = production_env(DJANGO_SECRET_KEY_FILE=str(tmp_path / "missing"))
    del env["DJANGO_SECRET_KEY"]
    result = run_manage("calculate", str(tmp_path / "req.json"), env=env)
    # 武汉 2024, 二级, employed, no deductible (优化方案 报销比例: 在职二级 65%): 300 × 65 % = 195.00.
    assert result.returncode == 0, result.stderr
    assert '"fund_paid": "195.00"' in result.stdout
    assert run_manage("check", env=env).returncode != 0  # the site itself still stops without one


def test_an_empty_allowed_hosts_reads_as_unset():
    # Set but empty would refuse every request with 400; it reads as the default, as every
    # other setting here does.
    assert "'localhost'" in _settings_value("ALLOWED_HOSTS", production_env(DJANGO_ALLOWED_HOSTS=""))


def test_the_key_file_is_read_when_no_key_is_in_the_environment(tmp_path):
    key = secrets.token_urlsafe(50)
    (tmp_path / "key").write_text(key + "\n")
    env = production_env(DJANGO_SECRET_KEY_FILE=str(tmp_path / "key"))
    del env["DJANGO_SECRET_KEY"]
    assert _settings_value("SECRET_KEY", env) == repr(key)


def test_no_secret_key_is_committed():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split()
    assert ".secret_key" not in tracked
    settings_text = (REPO / "calculator" / "settings.py").read_text()
    assert "django-insecure" not in settings_text


def test_check_deploy_is_clean_under_tls_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**TLS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_with_debug_off_and_nothing_else_set():
    """Safe by default: DEBUG off (the default) brings the TLS settings with it (HTTPS redirect,
    HSTS, Secure cookies); only plain HTTP on loopback (`make run`) turns them off."""
    env = production_env()
    del env["DJANGO_DEBUG"], env["DJANGO_SECURE"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert _settings_value("SECURE_SSL_REDIRECT", env) == "True"
    assert _settings_value("CSRF_COOKIE_SECURE", env) == "True"
    assert int(_settings_value("SECURE_HSTS_SECONDS", env)) >= 31_536_000
    # Development (DEBUG on) stays on plain HTTP unless asked.
    dev = production_env(DJANGO_DEBUG="1")
    del dev["DJANGO_SECURE"]
    assert _settings_value("SECURE_SSL_REDIRECT", dev) == "False"


def test_check_deploy_complains_without_tls_so_the_clean_run_means_something():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W016"):
        assert warning in result.stderr
    # W012 (session cookie not Secure) no longer applies: the site keeps no session at all.
    assert "security.W012" not in result.stderr


def test_behind_a_tls_proxy_the_language_switch_works_with_hsts_and_secure_cookies(static_root):
    """The issue's probe: a TLS proxy in front, the language switch POST was refused."""
    script = textwrap.dedent(
        """
        import re, django
        django.setup()
        from django.test import Client
        from django.test.utils import setup_test_environment
        setup_test_environment()
        c = Client(enforce_csrf_checks=True, HTTP_HOST="calc.example.org", HTTP_X_FORWARDED_PROTO="https")
        page = c.get("/about/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        print("hsts", page.headers.get("Strict-Transport-Security"))
        r = c.post("/i18n/setlang/", {"language": "en", "next": "/about/", "csrfmiddlewaretoken": token},
                   HTTP_ORIGIN="https://calc.example.org", HTTP_REFERER="https://calc.example.org/about/")
        print("status", r.status_code, r.headers.get("Location"))
        print("csrf-secure", bool(page.cookies["csrftoken"]["secure"]))
        print("lang-secure", bool(r.cookies["django_language"]["secure"]))
        plain = Client(HTTP_HOST="calc.example.org").get("/about/")
        print("plain", plain.status_code, plain.headers.get("Location"))
        """
    )
    result = subprocess.run(
        [PYTHON, "-c", script],
        cwd=REPO,
        env=production_env(**TLS, DJANGO_STATIC_ROOT=str(static_root)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())
    assert lines["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert lines["status"].startswith("302 ")  # switched, not refused (403)
    assert lines["csrf-secure"] == "True"
    assert lines["lang-secure"] == "True"
    # Plain HTTP (no proxy header) is sent to HTTPS.
    assert lines["plain"] == "301 https://calc.example.org/about/"


BAD_SETTINGS = [
    # (variable, value, what the message must say is expected)
    ("DJANGO_DEBUG", "maybe", "1 or 0"),
    ("DJANGO_DB_CONN_MAX_AGE", "a minute", "whole number of at least 0"),
    ("DJANGO_MAX_FIELDS", "0", "whole number of at least 1"),  # 0 would refuse every form
    ("DJANGO_ENQUIRY_RETENTION_DAYS", "-5", "whole number of at least 1"),
    ("DJANGO_RATELIMIT_API", "300 per minute", "COUNT/SECONDS"),
    ("DJANGO_LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    ("DATABASE_URL", "mysqll://app:s3cret-pw@db/calc", "postgres://user:password@host:port/name"),
    ("DATABASE_URL", "postgres://app:s3cret-pw@db:port/calc", "postgres://user:password@host:port/name"),
    ("CACHE_URL", "redls://:s3cret-pw@cache:6379/0", "redis://host:port/db"),
    # A port that is not a number: rate limits would be skipped for good after start-up.
    ("CACHE_URL", "redis://u:s3cret-pw@127.0.0.1:abc/0", "redis://host:port/db"),
    # A scheme dj_database_url knows but this project neither installs nor tests.
    ("DATABASE_URL", "mysql://app:s3cret-pw@db/calc", "only PostgreSQL"),
    # A header with its value: no request would ever look like HTTPS (redirects without end).
    ("DJANGO_SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https", "a header name"),
]


@pytest.mark.parametrize(("name", "value", "expected"), BAD_SETTINGS)
def test_a_bad_environment_setting_stops_start_up_with_a_message(name, value, expected):
    """An operator's typo: the message names the variable and what it should be, in Chinese
    and English, with no traceback; a password in an address is never echoed."""
    result = run_manage("check", env=production_env(**{name: value}))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"环境变量 {name}" in result.stderr
    assert expected in result.stderr
    assert "s3cret-pw" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"), [("GUNICORN_THREADS", "two"), ("GUNICORN_TIMEOUT", "-1"), ("WEB_CONCURRENCY", "0"), ("GUNICORN_LOG_LEVEL", "verbose")]
)
def test_a_bad_server_setting_stops_gunicorn_with_a_message(name, value):
    result = subprocess.run(
        [str(Path(PYTHON).parent / "gunicorn"), "--check-config", "-c", "gunicorn.conf.py"],
        cwd=REPO, env=production_env(**{name: value}), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert f"{name}={value!r} is not valid" in result.stderr


def test_at_debug_level_the_loggers_that_quote_requests_stay_at_info():
    """DJANGO_LOG_LEVEL=DEBUG is for finding a fault, not for writing members' figures: Django's
    SQL log (a saved enquiry's parameters) and its template log (which quotes the request, query
    string and all) stay at INFO while the calculator's own DEBUG lines are written."""
    code = textwrap.dedent(
        """
        import logging, django
        django.setup()
        logging.getLogger("calculator").debug("calculator debug line")
        logging.getLogger("django.template").debug("Exception while resolving variable in <WSGIRequest: GET '/?age=73'>")
        logging.getLogger("django.db.backends").debug("(0.001) INSERT INTO enquiry VALUES (%s); args=('98765.43',)")
        """
    )
    env = production_env(DJANGO_LOG_LEVEL="DEBUG")
    result = subprocess.run([PYTHON, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "calculator debug line" in result.stderr  # DEBUG is on
    assert "age=73" not in result.stderr and "98765" not in result.stderr


def test_an_exception_quoting_a_request_is_logged_without_its_query_or_token():
    # Django's template errors quote the request: "<WSGIRequest: GET '/?…'>".
    import sys

    from calculator.ops.logging import _exception_fields

    try:
        raise ValueError("Failed lookup in <WSGIRequest: GET '/?region=wuhan&visits-0-note=knee'> and <WSGIRequest: GET '/e/DoENaWjKJSbNq/'>")
    except ValueError:
        traceback = _exception_fields(sys.exc_info())["traceback"]
    # Quoted values are masked whole (a repr may quote any input): the path is in the request's
    # access line, found by its request id.
    assert traceback.splitlines()[-1] == "ValueError: Failed lookup in <WSGIRequest: GET '…'> and <WSGIRequest: GET '…'>"


def test_a_plain_runserver_serves_plain_http_while_every_other_command_keeps_tls():
    """Issue 2: after setup a plain `manage.py runserver` serves the site. It serves plain HTTP
    only, so with DEBUG off it must not redirect to https:// nor mark cookies Secure (the
    language switch's CSRF cookie would never come back); gunicorn and check --deploy keep
    the TLS default (test_check_deploy_is_clean_with_debug_off_and_nothing_else_set)."""
    env = production_env()
    env.pop("DJANGO_SECURE", None)
    env.pop("DJANGO_DEBUG", None)
    code = "import sys; sys.argv = ['manage.py', '{}']; import django; django.setup(); from django.conf import settings; print(settings.SECURE_SSL_REDIRECT, settings.CSRF_COOKIE_SECURE, settings.DEBUG)"
    for command, expected in (("runserver", "False False False"), ("check", "True True False")):
        result = subprocess.run([PYTHON, "-c", code.format(command)], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == expected, command


def test_gunicorns_log_level_is_the_one_asked_for():
    # GUNICORN_LOG_LEVEL=warning: gunicorn's own logger at WARNING (its logconfig_dict fixed INFO).
    code = "import runpy; conf = runpy.run_path('gunicorn.conf.py'); print(conf['logconfig_dict']['loggers']['gunicorn.error']['level'])"
    result = subprocess.run([PYTHON, "-c", code], cwd=REPO, env=production_env(GUNICORN_LOG_LEVEL="warning"), capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "WARNING", result.stderr
