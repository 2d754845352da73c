"""Where the API path's time goes, component by component, without a profiler.

cProfile (``scripts/bench.py --profile``) inflates code that makes many small calls; this
script times the pieces of the path directly instead, on the same heavy 1,000-visit request
as the benchmark, interleaved in each round, and prints medians with their share of the
whole path and the floor measured in the same rounds.

It reaches into private helpers of ``contract``, ``report`` and ``messages`` to cut the path
into pieces; a piece whose helper has been renamed is skipped with a note, the rest still run.

    .venv/bin/python scripts/profile_engine.py [--region xuzhou] [--rounds 9]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import re
import statistics
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench  # noqa: E402
from calculator.rules import contract, ledger, report  # noqa: E402
from calculator.rules import messages as T  # noqa: E402
from calculator.rules.fen import money as money_text  # noqa: E402
from calculator.rules.params import fen  # noqa: E402
from calculator.rules.registry import load_policies  # noqa: E402


_AMOUNT = re.compile(r"-?\d+\.\d\d")


def count_money_calls(body: Any) -> int:
    """The contract's amounts in the answer ("1200.00"): one fen.money call made each. (Counted
    in the answer, not by patching the function: the compiled engine calls it directly.)"""
    if isinstance(body, dict):
        return sum(count_money_calls(v) for v in body.values())
    if isinstance(body, list):
        return sum(count_money_calls(v) for v in body)
    return 1 if isinstance(body, str) and _AMOUNT.fullmatch(body) else 0


def pieces(case: bench.Case) -> tuple[list[tuple[str, str, Callable[[], Any]]], list[str]]:
    """(group, name, fn) for every piece that can still be cut out of the current code."""
    out: list[tuple[str, str, Callable[[], Any]]] = []
    skipped: list[str] = []
    text = case.text
    data, _ = contract.decode(text)
    raw_visits = data["visits"]
    request = bench.parse(case.payload)
    result = ledger.calculate(request)
    steps = [s for v in result.visits for s in v.steps]
    body = report.to_json(result)

    def add(group: str, name: str, make: Callable[[], Callable[[], Any]]) -> None:
        try:
            fn = make()
            fn()
        except (AttributeError, TypeError, KeyError, NameError) as exc:
            skipped.append(f"{name}: {type(exc).__name__}: {exc}")
            return
        out.append((group, name, fn))

    # Whole path and floor.
    add("total", "API path: run_contract + json.dumps", lambda: case.api)
    add("total", "floor (1,000 visits)", lambda: case.floor)
    # Decode.
    add("decode", "decode() as a whole (loads + hooks + _check_text)", lambda: (lambda: contract.decode(text)))
    add("decode", "  json.loads, no hooks", lambda: (lambda: json.loads(text)))
    add("decode", "  json.loads with the contract's hooks", lambda: (lambda: json.loads(
        text, parse_float=Decimal, parse_int=Decimal, parse_constant=lambda c: c, object_pairs_hook=contract._object)))

    def dict_then_count(pairs):
        out = dict(pairs)
        if len(out) != len(pairs):
            raise ValueError("duplicate key")
        return out
    add("decode", "    alternative: object_pairs_hook = dict(pairs) + length check", lambda: (lambda: json.loads(
        text, parse_float=Decimal, parse_int=Decimal, parse_constant=lambda c: c, object_pairs_hook=dict_then_count)))
    add("decode", "  _check_text walk", lambda: (lambda: contract._check_text(data)))
    surrogate_escape = re.compile(r"\\u[dD][89a-fA-F]")
    add("decode", "    alternative: text.encode('utf-8') + regex for \\uD8xx escapes",
        lambda: (lambda: (text.encode("utf-8"), surrogate_escape.search(text))))
    # Parse.
    add("parse", "parse_request as a whole", lambda: (lambda: contract.parse_request(data)))

    def visits_only():
        def run():
            errors = contract._Errors()
            return [contract._parse_visit(i, raw, errors) for i, raw in enumerate(raw_visits)]
        return run
    add("parse", "  _parse_visit × 1,000", visits_only)

    def amounts():
        fields = [(raw.get("total"), raw.get("excluded"), raw.get("class_b")) for raw in raw_visits]
        def run():
            errors = contract._Errors()
            amount = contract._amount
            for i, (t, e, b) in enumerate(fields):
                p = f"visits[{i}]"
                amount(t, f"{p}.total", errors, required=True)
                amount(e, f"{p}.excluded", errors, default=Decimal("0.00"))
                amount(b, f"{p}.class_b", errors, default=Decimal("0.00"))
        return run
    add("parse", "    _amount × 3,000 (regex, Decimal, adjusted, quantize ×2)", amounts)

    def bare_decimal():
        texts = [x for raw in raw_visits for x in (raw.get("total"), raw.get("excluded"), raw.get("class_b")) if x]
        fen_q = Decimal("0.01")
        def run():
            return [Decimal(x).quantize(fen_q) for x in texts]
        return run
    add("parse", "      bare Decimal(text).quantize for the same amounts", bare_decimal)

    def bare_int_fen():
        texts = [x for raw in raw_visits for x in (raw.get("total"), raw.get("excluded"), raw.get("class_b")) if x]
        def run():
            out = []
            for x in texts:
                whole, _, cents = x.partition(".")
                out.append(int(whole) * 100 + int((cents + "00")[:2]))
            return out
        return run
    add("parse", "      str → int fen by partition (no Decimal), same amounts", bare_int_fen)

    def dates():
        raws = [raw.get("date") for raw in raw_visits]
        def run():
            errors = contract._Errors()
            return [contract._date(d, f"visits[{i}].date", errors, required=True) for i, d in enumerate(raws)]
        return run
    add("parse", "    _date × 1,000", dates)

    def fens():
        decimals = [Decimal(x) for raw in raw_visits for x in (raw.get("total"), raw.get("excluded", "0"), raw.get("class_b", "0"))]
        return lambda: [fen(d) for d in decimals]
    add("parse", "    params.fen(Decimal) × 3,000 (scaleb + to_integral + int)", fens)

    def check_rules():
        region = load_policies()[request.region]
        visits = list(request.visits)
        horizon = contract.last_visit_date(dt.date.today())  # as parse_request works it out

        def run():
            return contract._check_against_rules(region, request.status, request.retired_on, visits, contract._Errors(), horizon)
        return run
    add("parse", "  _check_against_rules (version_on per visit)", check_rules)
    # Engine.
    add("engine", "ledger.calculate", lambda: (lambda: ledger.calculate(request)))
    add("engine", "report.to_json as a whole", lambda: (lambda: report.to_json(result)))
    add("engine", "  render_step × every step (format_map + _Figures)", lambda: (lambda: [T.render_step(s) for s in steps]))
    add("engine", "  step params dicts × every step (_param_value)",
        lambda: (lambda: [{k: report._param_value(k, v) for k, v in s.figures.items()} for s in steps]))
    add("engine", "  step_label × every step", lambda: (lambda: [T.step_label(s) for s in steps]))
    add("engine", "  step_json × every step (the three above + dict)", lambda: (lambda: [report.step_json(s, T.identity) for s in steps]))

    calls = count_money_calls(body)
    amounts = [s.amount or 0 for s in steps] or [0]
    values = (amounts * (calls // len(amounts) + 1))[:calls]
    add("engine", f"  money() × {calls:,} (the amounts in the answer)",
        lambda: (lambda: [money_text(x) for x in values]))

    def money_memo():
        memo: dict[int, str] = {}

        def money(x: int) -> str:
            text = memo.get(x)
            if text is None:
                whole, cents = divmod(x, 100)
                text = memo[x] = f"{whole}.{cents:02d}"
            return text
        return lambda: [money(x) for x in values]
    add("engine", "    alternative: money() memoised in a dict, same calls", money_memo)
    # JSON out.
    add("dumps", "json.dumps(body, ensure_ascii=False)", lambda: (lambda: json.dumps(body, ensure_ascii=False)))
    try:
        import orjson  # type: ignore[import-not-found]

        add("dumps", f"  orjson.dumps(body) (orjson {orjson.__version__})", lambda: (lambda: orjson.dumps(body)))
        add("decode", f"  orjson.loads(text) (orjson {orjson.__version__})", lambda: (lambda: orjson.loads(text)))
    except ImportError:
        skipped.append("orjson not installed")
    return out, skipped


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--region", default="xuzhou", choices=bench.REGIONS)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--visits", type=int, default=1000)
    args = ap.parse_args()
    load_policies()
    case = bench.Case(args.region, args.visits, checked=True)
    todo, skipped = pieces(case)
    # Repeat short pieces within a round (about 20 ms a measurement) so that one scheduler
    # hiccup does not decide their figure.
    reps = {name: max(1, min(50, round(0.02 / bench.timed(fn)))) for _, name, fn in todo}
    times: dict[str, list[float]] = {name: [] for _, name, _ in todo}
    ratio: dict[str, list[float]] = {name: [] for _, name, _ in todo}
    for r in range(args.rounds):
        gc.collect()
        k = r % len(todo)
        got = {}
        for _, name, fn in todo[k:] + todo[:k]:
            got[name] = bench.timed(fn, reps[name])
        whole = got["API path: run_contract + json.dumps"]
        for name, t in got.items():
            times[name].append(t)
            ratio[name].append(t / whole)
    print(f"{case.region}, {case.n} visits, {case.steps} steps; medians over {args.rounds} rounds; "
          "'% of API' is the median of per-round shares of the whole API path")
    group = None
    for g, name, _ in todo:
        if g != group:
            print(f"[{g}]")
            group = g
        print(f"  {name:66s} {statistics.median(times[name]) * 1000:8.2f} ms {100 * statistics.median(ratio[name]):6.1f}%")
    for note in skipped:
        print(f"skipped: {note}")


if __name__ == "__main__":
    main()
