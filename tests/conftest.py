"""Shared pytest configuration.

pytest-django reads DJANGO_SETTINGS_MODULE from pyproject.toml; test folders:
  tests/unit   plain-Python unit tests
  tests/rules  rules-engine tests (policy data, worked examples, properties)
  tests/api    the calculation contract through the API and the CLI
  tests/web    Django test-client tests of the web UI
  tests/e2e    Playwright browser tests (marked ``e2e``)
"""

import os

from hypothesis import settings

# CI runs the property tests on a fixed sequence of examples, so a run is repeatable;
# locally Hypothesis explores new examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
