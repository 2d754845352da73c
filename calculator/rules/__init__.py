"""The rules app: policy data files and the pure-Python engine that applies them.

Nothing under this package imports Django except ``apps.py`` and ``management/``,
which are the app's thin entry points; ``tests/unit/test_engine_is_plain_python.py``
proves the engine modules load without Django.
"""

from calculator.rules import compiled as _compiled

# True where the engine's hot modules run compiled (scripts/build_engine.py; same source, same
# answers); False where the pure-Python modules run (no build, a stale one, RULES_ENGINE=python).
COMPILED = _compiled.activate(__path__)
