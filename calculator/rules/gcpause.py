"""Pause the cyclic garbage collector while one calculation runs.

A calculation allocates tens of thousands of small, acyclic objects (steps, figures, the
JSON result). With the collector on, every few hundred allocations it walks the young
objects, and now and then the whole half-built result again, which costs about as much as
building it (scripts/bench.py). Nothing here makes a reference cycle, and reference counting
frees it all, so the collector is paused for the calculation and resumed after it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    if not gc.isenabled():  # already paused by a caller (or by the embedding process)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
