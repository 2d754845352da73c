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
from calculator.rules import compiled, contract, ledger
from calculator.rules.registry import load_policies

ROOT = Path(__file__).resolve().parents[2]


def _requests(count: int) -> list[dict]:
    """Deterministic varied requests over every region's covered dates: statuses, settings,
    levels, 全自费 and 乙类 amounts, account balances, big visits reaching the caps."""
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
            }
            excluded = rng.randint(0, total) if rng.random() < 0.4 else 0
            if excluded:
                visit["excluded"] = f"{excluded / 100:.2f}"
            if rng.random() < 0.4:  # 乙类 within the policy-range expense
                visit["class_b"] = f"{rng.randint(0, total - excluded) / 100:.2f}"
            visits.append(visit)
        request = {"region": code, "status": rng.choice(["employed", "retired"]), "age": rng.randint(30, 80),
                   "age_on": "2026-11-30", "account_balance": f"{rng.randint(0, 300000) / 100:.2f}", "visits": visits}
        if request["status"] == "retired":
            request["retired_on"] = "2015-06-30"
        out.append(request)
    return out


def _answers(requests: list[dict]) -> list[str]:
    return [json.dumps(contract.run_contract(json.dumps(r)), ensure_ascii=False, sort_keys=True) for r in requests]


ANSWERS_SCRIPT = """
import json, sys
from calculator.rules import COMPILED, contract
assert not COMPILED, "RULES_ENGINE=python must load the pure-Python modules"
requests = json.load(sys.stdin)
print(json.dumps([json.dumps(contract.run_contract(json.dumps(r)), ensure_ascii=False, sort_keys=True) for r in requests]))
"""


@pytest.mark.skipif(not calculator.rules.COMPILED, reason="the engine is not compiled here (scripts/build_engine.py)")
def test_compiled_engine_answers_as_the_pure_python_engine():
    assert ledger.__file__.endswith(tuple(compiled.EXTENSION_SUFFIXES))  # the compiled module is the one loaded
    requests = _requests(140)
    pure = subprocess.run(
        [sys.executable, "-c", ANSWERS_SCRIPT], input=json.dumps(requests), cwd=ROOT, capture_output=True, text=True,
        check=True, env={**os.environ, "RULES_ENGINE": "python"},
    )
    statuses = [json.loads(a)[0] for a in _answers(requests)]
    assert statuses.count(200) > 120  # the corpus calculates, not only refuses
    assert _answers(requests) == json.loads(pure.stdout)


def test_the_build_is_loaded_exactly_when_it_matches_the_sources():
    # make setup builds the engine where a C compiler is present; either way what is loaded
    # is what the stamp says.
    assert calculator.rules.COMPILED == (compiled.state() == "current")


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
    for name in compiled.MODULES:
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
    (built / f"ledger{compiled.EXTENSION_SUFFIXES[0]}").unlink()  # an interrupted copy
    assert compiled.state(tmp_path) == "stale"

    monkeypatch.setenv("RULES_ENGINE", "python")
    assert compiled.state(tmp_path) == "off"
