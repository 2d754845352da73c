"""The engine's trace for a request, for tests that look at which situation a step is in.

The API's step carries its code, figures and sentence; the template variant that chose the
sentence (``fund``: ``plain``, ``capped``, ``cap_used_up`` …) is the trace's, read here from
``ledger.calculate``'s steps.
"""

from __future__ import annotations

import json
from typing import Any

from calculator.rules import ledger
from calculator.rules.contract import parse_request


def step_variants(body: dict[str, Any] | str) -> list[list[tuple[str, str]]]:
    """(code, variant) of each step, per visit in the answer's order (the request's)."""
    data = json.loads(body) if isinstance(body, str) else body
    request, errors = parse_request(data)
    assert not errors, errors
    result = ledger.calculate(request)
    return [[(s.code, s.variant) for s in v.steps] for v in result.visits]
