"""Shared pytest configuration.

pytest-django reads DJANGO_SETTINGS_MODULE from pyproject.toml; test folders:
  tests/unit   plain-Python unit tests
  tests/rules  rules-engine tests (policy data, worked examples, properties)
  tests/web    Django test-client tests of the web UI and API
  tests/e2e    Playwright browser tests (marked ``e2e``)
"""
