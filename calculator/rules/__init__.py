"""The rules app: policy data files and the pure-Python engine that applies them.

Nothing under this package imports Django except ``apps.py`` and ``management/``,
which are the app's thin entry points; ``tests/unit/test_engine_is_plain_python.py``
proves the engine modules load without Django.
"""
