"""The compiled engine (scripts/build_engine.py) gives the pure-Python engine's answers, and is
never loaded from a build that no longer matches the sources."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import calculator.rules
from calculator.rules import compiled, contract, ledger, mechanisms, report
from calculator.rules.registry import load_policies

ROOT = Path(__file__).resolve().parents[2]


def _requests(count: int) -> list[dict]:
    """Deterministic varied requests over every region's covered dates: statuses and retirement
    dates, settings, levels, price classes, off-site and hospital-stay visits, 门诊慢性病,
    全自费 and 乙类 amounts, both accounts, flexible employment, big visits reaching the caps,
    half of them in English."""
    rng = random.Random(20261130)
    regions = load_policies()
    out = []
    for i in range(count):
        code = sorted(regions)[i % len(regions)]
        region = regions[code]
        first = region.versions[0].effective_from
        last = min(region.versions[-1].effective_to or dt.date(2026, 11, 1), dt.date(2026, 11, 1))
        visits = []
        for _ in range(rng.choice([1, 3, 8, 20])):
            total = rng.randint(0, 600000)
            visit = {
                "date": (first + dt.timedelta(days=rng.randint(0, (last - first).days))).isoformat(),
                "level": rng.randint(1, 3),
                "setting": rng.choice(["clinic", "clinic", "pharmacy", "internet", "non_designated"]),
                "total": f"{total / 100:.2f}",
                "offsite": rng.choice(["none", "none", "none", "filed", "unfiled"]),
            }
            excluded = rng.randint(0, total) if rng.random() < 0.4 else 0
            if excluded:
                visit["excluded"] = f"{excluded / 100:.2f}"
            if rng.random() < 0.4:  # 乙类 within the policy-range expense
                visit["class_b"] = f"{rng.randint(0, total - excluded) / 100:.2f}"
            if rng.random() < 0.15:
                visit["price_class"] = rng.randint(1, 3)
            if rng.random() < 0.1:
                visit["inpatient_stay"] = True
            if code == "yuxi" and rng.random() < 0.3:
                visit["category"] = "chronic"
            visits.append(visit)
        status = rng.choice(["employed", "retired"])
        request = {"region": code, "status": status, "age": rng.randint(45 if status == "retired" else 18, 90),
                   "age_on": "2026-11-30", "lang": rng.choice(["zh-hans", "en"]), "visits": visits}
        if rng.random() < 0.7:
            request["account_balance"] = f"{rng.randint(0, 300000) / 100:.2f}"
        if rng.random() < 0.4:
            request["prior_years_balance"] = f"{rng.randint(0, 300000) / 100:.2f}"
        if status == "retired":
            request["retired_on"] = rng.choice(["1999-05-01", "2010-01-15", "2023-03-10", "2024-06-30", "2024-11-15"])
        if rng.random() < 0.2:
            request["flexible_employment"] = True
        if rng.random() < 0.2:
            request["contribution_base"] = f"{rng.randint(100000, 3000000) / 100:.2f}"
        if code == "yuxi" and rng.random() < 0.3:
            request["chronic_disease_count"] = rng.randint(1, 4)
        out.append(request)
    return out


def _answers(requests: list[dict]) -> list[str]:
    from calculator.i18n import plain_translate_for

    return [
        json.dumps(contract.run_contract(json.dumps(r), plain_translate_for), ensure_ascii=False, sort_keys=True)
        for r in requests
    ]


ANSWERS_SCRIPT = """
import json, os, sys
import django
django.setup()
from calculator.rules import COMPILED
assert not COMPILED, "RULES_ENGINE=python must load the pure-Python modules"
sys.path.insert(0, "tests/unit")
from test_compiled_engine import _answers
print(json.dumps(_answers(json.load(sys.stdin))))
"""


@pytest.mark.skipif(not calculator.rules.COMPILED, reason="the engine is not compiled here (scripts/build_engine.py)")
def test_compiled_engine_answers_as_the_pure_python_engine():
    # The compiled modules are the ones loaded (their files are in the build, not the sources).
    for module in (ledger, report, mechanisms):
        assert not module.__file__.endswith(".py"), module.__file__
    requests = _requests(160)
    pure = subprocess.run(
        [sys.executable, "-c", ANSWERS_SCRIPT], input=json.dumps(requests), cwd=ROOT, capture_output=True, text=True,
        check=True, env={**os.environ, "RULES_ENGINE": "python", "DJANGO_SETTINGS_MODULE": "calculator.settings"},
    )
    compiled_answers = _answers(requests)
    statuses = [json.loads(a)[0] for a in compiled_answers]
    assert statuses.count(200) > 120  # the corpus calculates, not only refuses
    assert any('"lang": "en"' in a for a in compiled_answers)  # and in both languages
    assert compiled_answers == json.loads(pure.stdout)


def test_a_stale_or_missing_build_is_never_loaded(tmp_path, monkeypatch):
    # A copy of the package with a fake build: current while the sources are unchanged, stale
    # after any rules module is edited (the compiled modules rely on every module's types).
    package = tmp_path / "calculator" / "rules"
    package.mkdir(parents=True)
    for path in (ROOT / "calculator" / "rules").glob("*.py"):
        shutil.copy2(path, package / path.name)
    monkeypatch.delenv("RULES_ENGINE", raising=False)
    assert compiled.state(tmp_path) == "absent"
    built = compiled.build_dir(tmp_path)
    built.mkdir(parents=True)
    for name in (*compiled.MODULES, compiled.SHARED_LIBRARY):
        (built / f"{name}{compiled.EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    compiled.write_stamp(tmp_path)
    assert compiled.state(tmp_path) == "current"
    path: list[str] = []
    assert compiled.activate(path, tmp_path) and path == [str(built)]

    (package / "messages.py").write_text((package / "messages.py").read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert compiled.state(tmp_path) == "stale"
    path = []
    assert not compiled.activate(path, tmp_path) and path == []

    compiled.write_stamp(tmp_path)  # rebuilt
    (built / f"{compiled.SHARED_LIBRARY}{compiled.EXTENSION_SUFFIXES[0]}").unlink()  # an interrupted copy
    assert compiled.state(tmp_path) == "stale"

    # A stamp taken before an edit made during the build does not match the edited sources.
    before = compiled.fingerprint(tmp_path)
    (package / "ledger.py").write_text((package / "ledger.py").read_text(encoding="utf-8") + "\n# edited during the build\n", encoding="utf-8")
    (built / f"{compiled.SHARED_LIBRARY}{compiled.EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    compiled.write_stamp(tmp_path, before)
    assert compiled.state(tmp_path) == "stale"

    monkeypatch.setenv("RULES_ENGINE", "python")
    assert compiled.state(tmp_path) == "off"
