"""The engine's entry point: the ledger's result as the contract's JSON.

The mechanisms live in ``mechanisms.py``, their composition in ``ledger.py``, the sentences
in ``messages.py`` and the JSON in ``report.py``. ``calculate`` is kept for callers that
want the contract's JSON for a parsed request (Chinese unless given ``translate``).
"""

from __future__ import annotations

from typing import Any

from calculator.rules.gcpause import collector_paused
from calculator.rules.messages import Translate, identity
from calculator.rules.model import CalculationRequest
from calculator.rules.report import result_json


def calculate(request: CalculationRequest, translate: Translate = identity) -> dict[str, Any]:
    with collector_paused():
        return result_json(request, translate)
