"""Settings for the test suite: the production settings, plus what a test run needs.

- A fixed key when none is configured, so ``pytest`` runs from a fresh checkout with no
  environment (the production settings stop without one; ``tests/ops`` checks that).
- Plain static storage: the pages' ``{% static %}`` names need no ``collectstatic`` and the
  live server of the browser tests finds the files (``tests/ops`` checks the hashed,
  compressed names through gunicorn and WhiteNoise under the production settings).
- Plain HTTP (no redirect to HTTPS, no HSTS, cookies not Secure): see below.
- Rate limits off: the whole suite comes from one address. ``tests/ops`` turns them on with
  ``override_settings``.
"""

import os
from pathlib import Path

_KEY = "DJANGO_SECRET_KEY"
_had_key = bool(os.environ.get(_KEY)) or (
    Path(os.environ.get("DJANGO_SECRET_KEY_FILE") or Path(__file__).resolve().parent.parent / ".secret_key")
).is_file()
if not _had_key:
    os.environ[_KEY] = "tests-only-not-secret-" + "x" * 40
try:
    from calculator.settings import *  # noqa: E402,F403
finally:
    if not _had_key:
        del os.environ[_KEY]  # subprocesses started by tests see the environment as it was

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Django's test client and the browser tests' live server speak plain HTTP: the TLS defaults of
# the production settings (redirect to HTTPS, HSTS, Secure cookies) are off here. ``tests/ops``
# checks them in a subprocess under the production settings, with and without TLS.
SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
RATELIMIT_ENABLED = False
STATIC_ROOT = None  # nothing collected in tests; WhiteNoise serves from the finders
