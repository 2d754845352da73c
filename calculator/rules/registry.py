"""The loaded policy data, once per process.

``load_policies()`` reads and validates every data file the first time it is called (the
Django app calls it at start-up, so a bad data file stops the site from starting) and
returns the same object afterwards. A fault in the data raises
:class:`~calculator.rules.loader.PolicyDataError` (nothing is cached then), whose message
names the file by its path under the data folder and the field.

``CALCULATOR_DATA_DIR`` (environment) points the process at another data folder, e.g. a
copy with a deliberate fault in the tests; unset, the packaged ``calculator/rules/data/``
is read. The policy texts are always read from ``calculator/rules/sources/``.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from calculator.rules.loader import DATA_DIR, Loader, Region

DATA_DIR_ENV = "CALCULATOR_DATA_DIR"


def data_dir() -> Path:
    """The data folder this process reads: ``$CALCULATOR_DATA_DIR`` or the packaged one."""
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(configured) if configured else DATA_DIR


@lru_cache(maxsize=1)
def load_policies() -> dict[str, Region]:
    regions = Loader(data_dir=data_dir()).load_all()
    # The policy data (and everything imported so far) lives as long as the process: move
    # it out of the cyclic collector's way, so collections during a calculation only walk
    # the objects that calculation made (scripts/bench.py: about 15-25 % of engine time).
    gc.freeze()
    return regions


def region_index() -> dict[str, Region]:
    """Region by code and by every alias, lower-cased for codes."""
    return _alias_index()


@lru_cache(maxsize=1)
def _alias_index() -> dict[str, Region]:
    index: dict[str, Region] = {}
    for region in load_policies().values():
        index[region.code] = region
        for alias in region.aliases:
            index[alias.lower()] = region
    return index


def find_region(name: str) -> Region | None:
    return _alias_index().get(name.strip().lower())


def regions_listing(translate: Callable[[str], str] = str) -> list[dict[str, Any]]:
    """What ``GET /api/v1/regions`` serves: regions, their versions, dates and status; names,
    periods and notices in ``translate``'s language (document titles stay as issued, and the
    aliases are the Chinese names a request may use)."""
    t = translate
    out = []
    for region in load_policies().values():
        out.append(
            {
                "code": region.code,
                "name": t(region.name),
                "province": t(region.province),
                "aliases": list(region.aliases),
                "coverage": region.coverage_text(t),
                "versions": [
                    {
                        **version.as_dict(),
                        "documents": sorted(
                            {p.cite.document.title for p in version.params.values()}
                        ),
                        "notices": [t(n.message) for n in version.notices],
                    }
                    for version in region.versions
                ],
            }
        )
    return out
