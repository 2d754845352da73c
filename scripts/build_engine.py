"""Compile the engine's hot modules with mypyc (optional: the pure-Python engine is the same code).

    .venv/bin/python scripts/build_engine.py          # build if the sources changed (make setup runs it)
    .venv/bin/python scripts/build_engine.py --check  # say whether a build matches the sources

The modules in ``calculator.rules.compiled.MODULES`` (the ledger, the mechanisms and the
report, where a calculation spends its time) are compiled from their unchanged Python source
into ``build/engine/`` with a stamp of the sources' hashes. ``calculator/rules/__init__.py``
loads them from there only while the stamp matches the sources and the interpreter, so an
edited module is never run as a stale build: it is run as Python until the next build.
Nothing else changes: the answers are the same (tests/unit/test_compiled_engine.py compares
them), and ``RULES_ENGINE=python`` runs the pure-Python engine whatever is built.

A machine without a C compiler or Python's headers keeps the pure-Python engine: the build
says why and exits 0 (``--strict``: exits 1), so setting up never fails on it.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from calculator.rules import compiled  # noqa: E402  (stdlib-only module: no engine import)

# Run by a child process so that setuptools' output can be kept out of sight unless it fails.
# mypyc writes its C sources into ``target_dir`` (the build's own temporary folder, not build/).
SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify
out, tmp, *modules = sys.argv[1:]
setup(
    name="calculator-rules-engine",
    # The other modules are type-checked as they are imported, not compiled.
    ext_modules=mypycify(["--follow-imports=silent", "--ignore-missing-imports", *modules], opt_level="3",
                         group_name="calculator.rules._engine", target_dir=tmp + "/c"),
    script_args=["build_ext", "--build-lib", out, "--build-temp", tmp],
)
"""


def build(strict: bool) -> int:
    try:
        import mypyc  # noqa: F401
        import setuptools  # noqa: F401
    except ImportError as exc:
        return _skip(f"{exc.name} is not installed (pip install -e '.[build]')", strict)
    root = compiled.build_root(ROOT)
    try:
        root.parent.mkdir(exist_ok=True)
        with open(root.parent / ".engine.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time (two `make setup` at once)
            return _build_locked(strict)
    except OSError as exc:  # a build folder that cannot be written or cleared
        return _skip(f"{type(exc).__name__}: {exc}", strict)


def _build_locked(strict: bool) -> int:
    # The sources as they are before compiling: the stamp says what the binary was built from.
    # An edit during the build (seen only afterwards) leaves no stamp: never a stale binary
    # stamped as current.
    before = compiled.fingerprint(ROOT)
    target = compiled.build_dir(ROOT)
    with tempfile.TemporaryDirectory(prefix="engine-build-") as tmp:
        out = Path(tmp) / "lib"
        sources = [str(Path("calculator/rules") / f"{name}.py") for name in compiled.MODULES]
        proc = subprocess.run(
            [sys.executable, "-c", SETUP, str(out), str(Path(tmp) / "tmp"), *sources],
            cwd=ROOT, capture_output=True, text=True,
        )
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            return _skip(f"mypyc failed:\n{tail}", strict)
        built = out / "calculator" / "rules"
        if not built.is_dir():
            return _skip("mypyc produced no modules", strict)
        if compiled.fingerprint(ROOT) != before:
            return _skip("a rules module changed during the build; run it again", strict)
        if compiled.build_root(ROOT).exists():
            shutil.rmtree(compiled.build_root(ROOT))  # the old build and its stamp first
        target.mkdir(parents=True)
        for library in built.iterdir():
            shutil.copy2(library, target / library.name)
    # The stamp last: a build interrupted before it is never loaded.
    compiled.write_stamp(ROOT, before)
    print(f"engine compiled with mypyc: {', '.join(compiled.MODULES)} → {target.relative_to(ROOT)}")
    return 0


def _skip(why: str, strict: bool) -> int:
    runs = "an earlier build, which still matches the sources, runs" if compiled.state(ROOT) == "current" else "the pure-Python engine runs"
    print(f"engine not compiled ({why}); {runs}", file=sys.stderr)
    return 1 if strict else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say whether the build matches the sources")
    parser.add_argument("--force", action="store_true", help="build even if the build matches the sources")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the engine cannot be compiled")
    args = parser.parse_args()
    state = compiled.state(ROOT)
    if args.check:
        print(state)
        return 0 if state == "current" else 1
    if state == "current" and not args.force:
        print("engine build matches the sources")
        return 0
    if os.environ.get("RULES_ENGINE") == "python":
        print("RULES_ENGINE=python: not compiling")
        return 0
    return build(args.strict)


if __name__ == "__main__":
    raise SystemExit(main())
