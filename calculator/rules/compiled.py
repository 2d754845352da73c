"""Where the engine's compiled modules are, and whether they may be loaded (standard library only).

``scripts/build_engine.py`` compiles ``MODULES`` with mypyc from their unchanged source into
``build/engine/calculator/rules/`` and writes a stamp: the interpreter it was built for and a
hash of every module of this package. ``activate`` (called by the package's ``__init__``) puts
that folder first on the package's search path only while the stamp still matches: after an
edit to any rules module, or under another interpreter, the pure-Python modules are imported
(a stale build is never run). ``RULES_ENGINE=python`` always imports the pure-Python ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

MODULES = ("params", "model", "policy", "fen", "mechanisms", "ledger", "report", "steps_zh")  # where a calculation spends its time
PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parents[1]
STAMP = "stamp.json"
SHARED_LIBRARY = "_engine__mypyc"  # scripts/build_engine.py's group_name "calculator.rules._engine"


def build_root(root: Path = ROOT) -> Path:
    return root / "build" / "engine"


def build_dir(root: Path = ROOT) -> Path:
    return build_root(root) / "calculator" / "rules"


def fingerprint(root: Path = ROOT) -> dict[str, object]:
    """What a build is valid for: this interpreter's extension ABI and every module's source
    (the compiled modules rely on the others' types, so any edit here makes a build stale)."""
    package = root / "calculator" / "rules"
    sources = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(package.glob("*.py"))
    }
    return {"abi": EXTENSION_SUFFIXES[0], "python": sys.version.split()[0], "sources": sources}


def write_stamp(root: Path = ROOT, built_from: dict[str, object] | None = None) -> None:
    """Stamp the build with the fingerprint of the sources it was compiled from (taken before
    compiling: an edit made meanwhile then leaves the build stale, not current)."""
    stamp = fingerprint(root) if built_from is None else built_from
    (build_root(root) / STAMP).write_text(json.dumps(stamp, indent=1), encoding="utf-8")


def state(root: Path = ROOT) -> str:
    """"current" (the build matches), "stale" (built from other sources or for another
    interpreter), "absent" (never built) or "off" (RULES_ENGINE=python)."""
    if os.environ.get("RULES_ENGINE") == "python":
        return "off"
    try:
        stamp = json.loads((build_root(root) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "absent"
    directory = build_dir(root)
    # Each module and the library they share (mypyc's group), all for this interpreter.
    built = all(any((directory / f"{name}{suffix}").exists() for suffix in EXTENSION_SUFFIXES) for name in (*MODULES, SHARED_LIBRARY))
    return "current" if built and stamp == fingerprint(root) else "stale"


def activate(package_path: list[str], root: Path = ROOT) -> bool:
    """Load the compiled modules (first on the package's ``__path__``) if the build is current."""
    if state(root) != "current":
        return False
    package_path.insert(0, str(build_dir(root)))
    return True
