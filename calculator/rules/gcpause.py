"""Pause the cyclic garbage collector while one calculation runs.

A calculation allocates tens of thousands of small, acyclic objects (steps, figures, the
JSON result). With the collector on, every few hundred allocations it walks the young
objects, and now and then the whole half-built result again, which costs about as much as
building it (scripts/bench.py). Nothing here makes a reference cycle, and reference counting
frees it all, so the collector is paused for the calculation and resumed after it.
"""

from __future__ import annotations

import gc


class collector_paused:  # noqa: N801 - used as ``with collector_paused():``
    """The collector off for the block, back on after it (unless a caller had it off
    already). A small class rather than ``@contextmanager``: a 10-visit request is short
    enough for the generator machinery to show."""

    __slots__ = ("resume",)

    def __enter__(self) -> None:
        self.resume = gc.isenabled()
        if self.resume:
            gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.resume:
            gc.enable()
