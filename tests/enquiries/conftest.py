"""Fixtures for the saved-enquiry tests: a calculator query, a client, a changed rule version."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from calculator.rules import registry
from calculator.rules.loader import DATA_DIR
from calculator.rules.params import Rate

# 武汉, two visits in 2024 (the 2023-04 优化方案): 539.00 + 255.00 from the fund.
QUERY = (
    "region=wuhan&status=employed&age=45"
    "&visits-0-date=2024-03-01&visits-0-level=3&visits-0-setting=clinic&visits-0-total=1000&visits-0-class_b=200"
    "&visits-1-date=2024-04-01&visits-1-level=1&visits-1-setting=pharmacy&visits-1-total=300"
)
REQUEST = {
    "region": "wuhan", "status": "employed", "age": 45,
    "visits": [
        {"date": "2024-03-01", "level": 3, "setting": "clinic", "total": "1000.00", "class_b": "200.00"},
        {"date": "2024-04-01", "level": 1, "setting": "pharmacy", "total": "300.00"},
    ],
}


@pytest.fixture
def web():
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def csrf_client():
    return Client(HTTP_HOST="localhost", enforce_csrf_checks=True)


def save_via_page(client: Client, query: str = QUERY) -> str:
    response = client.post("/e/save/", {"q": query})
    assert response.status_code == 302, response.content[:500]
    location = response["Location"]
    assert location.startswith("/e/") and location.endswith("/?saved=1")
    return location.split("/")[2]


def api_save(client: Client, body: dict | None = None):
    return client.post("/api/v1/enquiries", json.dumps(body or REQUEST), content_type="application/json")


def _with_ratio(version, ratio: str, **changes):
    """A copy of a version whose fund ratio for 三级 在职 is ``ratio``."""
    param = version.params["fund_ratio"]
    rates = {group: dict(levels) for group, levels in param.value.rates.items()}
    value = Decimal(ratio)
    rates["employed"][3] = Rate(value=value, num=int(value * 100), den=100, percent=f"{int(value * 100)}%", text=ratio)
    new_param = dataclasses.replace(param, value=dataclasses.replace(param.value, rates=rates))
    return dataclasses.replace(version, params={**version.params, "fund_ratio": new_param}, **changes)


def _patch_wuhan(monkeypatch, make_versions):
    original = registry.load_policies()
    wuhan = original["wuhan"]
    patched = dict(original)
    patched["wuhan"] = dataclasses.replace(wuhan, versions=tuple(make_versions(wuhan.versions)))
    monkeypatch.setattr(registry, "load_policies", lambda: patched)
    return patched


@pytest.fixture
def new_wuhan_version(monkeypatch, tmp_path: Path):
    """Install a test-only 武汉 version from 2024-01-01 (三级 在职 65 % instead of 55 %)."""

    def install():
        data = tmp_path / "wuhan-2024-test.yaml"
        data.write_text("# test-only rule version\n", encoding="utf-8")

        def versions(old):
            first, second = old
            ended = dataclasses.replace(second, effective_to=__import__("datetime").date(2023, 12, 31))
            new = _with_ratio(
                second, "0.65", id="wuhan-2024-test", title="武汉市测试用新规定（2024）",
                effective_from=__import__("datetime").date(2024, 1, 1), effective_to=None, path=str(data),
            )
            return [first, ended, new]

        return _patch_wuhan(monkeypatch, versions)

    return install


@pytest.fixture
def changed_wuhan_data(monkeypatch, tmp_path: Path):
    """The same 武汉 version id, its data file changed (三级 在职 65 %)."""

    def install():
        data = tmp_path / "2023-04-10.yaml"
        # The file says what the patched version holds: 三级 在职 0.65 (was 0.55).
        text = (DATA_DIR / "wuhan" / "2023-04-10.yaml").read_text(encoding="utf-8")
        changed = text.replace('employed: {1: "0.85", 2: "0.65", 3: "0.55"}', 'employed: {1: "0.85", 2: "0.65", 3: "0.65"}')
        assert changed != text
        data.write_text(changed, encoding="utf-8")

        def versions(old):
            first, second = old
            return [first, _with_ratio(second, "0.65", path=str(data))]

        return _patch_wuhan(monkeypatch, versions)

    return install


@pytest.fixture(autouse=True)
def _chinese_unless_a_test_says_otherwise():
    """Each test starts in the site's default language: a page requested in English leaves its
    language active in the test's thread, and messages made afterwards would be English."""
    from django.utils import translation

    with translation.override("zh-hans"):
        yield
