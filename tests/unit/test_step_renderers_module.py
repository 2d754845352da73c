"""``calculator/rules/steps_zh.py`` (the Chinese step renderers written out to be compiled with
the engine, scripts/gen_step_renderers.py) is current, and renders every step exactly as the
renderer the report executes from the same source."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from calculator.rules import contract, ledger, report, steps_zh
from calculator.rules import messages as T

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _generator():
    spec = importlib.util.spec_from_file_location("gen_step_renderers", ROOT / "scripts" / "gen_step_renderers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_module_is_what_the_generator_writes_now():
    # A template or the renderer source changed without running the script: the module's
    # renderers would be skipped (slower, never wrong); this says to run it.
    written = (ROOT / "calculator" / "rules" / "steps_zh.py").read_text(encoding="utf-8")
    assert written == _generator().renderer_module(), "run scripts/gen_step_renderers.py"


def test_every_chinese_template_has_a_current_renderer_in_the_module():
    assert set(steps_zh.CURRENT) == set(T.STEPS)


def test_a_renderer_whose_source_changed_is_not_used(monkeypatch):
    # The module checks each renderer's source against the one it was written from: a
    # template edited since (here the fund's plain sentence) makes _env answer None, and the
    # report executes the new source instead.
    edited = {**T.STEPS, ("fund", "plain"): T.STEPS["fund", "plain"] + "（改）"}
    monkeypatch.setattr(T, "STEPS", edited)
    assert steps_zh._env("fund", "plain", _digest_of("fund", "plain")) is None
    assert steps_zh._env("fund", "capped", _digest_of("fund", "capped")) is not None


def _digest_of(code: str, variant: str) -> str:
    line = next(line for line in (ROOT / "calculator" / "rules" / "steps_zh.py").read_text(encoding="utf-8").splitlines()
                if line.startswith("_E") and f"{code!r}, {variant!r}" in line)
    return line.split("'")[-2]


def test_the_modules_renderers_give_the_executed_renderers_json():
    # The golden-case-like requests of the compiled-engine test, every step of each visit
    # rendered both ways (the module's function and the source executed as the report does
    # for other languages), the JSON compared whole.
    from test_compiled_engine import _requests

    compared = set()
    for request in _requests(120):
        if request.get("lang") == "en":
            continue
        parsed, _errors = contract.parse_request(json.loads(json.dumps(request)))
        if parsed is None:
            continue
        result = ledger.calculate(parsed)
        for visit in result.visits:
            for step in visit.steps:
                key = (step.code, step.variant)
                executed = report._build_step_renderer(step.code, step.variant, T.identity)
                assert steps_zh.CURRENT[key](step, T.identity) == executed(step, T.identity), key
                compared.add(key)
    assert len(compared) >= 30, sorted(compared)
