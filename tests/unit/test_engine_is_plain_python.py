"""The rules engine is plain Python: importing it must not import Django."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

ENGINE_MODULES = [
    "calculator.rules.money",
    "calculator.rules.loader",
    "calculator.rules.registry",
    "calculator.rules.contract",
    "calculator.rules.engine",
    "calculator.rules.params",
    "calculator.rules.model",
    "calculator.rules.policy",
    "calculator.rules.fen",
    "calculator.rules.mechanisms",
    "calculator.rules.ledger",
    "calculator.rules.messages",
    "calculator.rules.report",
]


def test_engine_modules_import_without_django():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in ENGINE_MODULES)
        + "import calculator.rules.registry as r; r.load_policies()\n"
        + "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout.strip() == "", f"engine imported Django modules: {out.stdout}"


def test_no_django_import_in_engine_sources():
    # apps.py and management/ are the Django entry points of the app; nothing else may be.
    rules = ROOT / "calculator" / "rules"
    offenders = []
    for path in rules.rglob("*.py"):
        rel = path.relative_to(rules)
        if rel.parts[0] == "management" or rel.name == "apps.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "import django" in text or "from django" in text:
            offenders.append(str(rel))
    assert offenders == []
