"""Time this checkout's engine and another checkout's (e.g. the code before a rebuild) on the
same requests, each against the same floor in its own process (not a test).

    git worktree add /tmp/before c13f7bc        # the engine before issue 6's rebuild
    .venv/bin/python scripts/bench_checkout.py /tmp/before [--region shanxi] [--alternations 3]

Two engines cannot be imported into one process (both are ``calculator.rules``), so for each
region the script starts a process in the other checkout, then one in this one, and again,
``--alternations`` times: what the host does then falls on both alike. Each process times,
back to back in every round, the floor (``scripts/floor.py``, the same code in both), the
engine (``calculator.rules.engine.calculate`` on a parsed request: both checkouts have it)
and the API path (``contract.run_contract`` on the JSON text, then the answer's bytes), on
``scripts/bench.py``'s heavy requests with each round's request one not met before. It prints
the median of the per-round ratios to the floor (never best runs) and their quartiles.

Each process runs with this interpreter; a checkout with a compiled build runs compiled
unless ``RULES_ENGINE=python`` is set (the other checkout may have no build).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def child(path: str, region: str, rounds: int) -> None:
    """Run in a checkout (cwd): time its engine and API path against the floor; print JSON."""
    import gc
    import time

    sys.path.insert(0, os.getcwd())  # this checkout's calculator, not the one the script is in
    sys.path.insert(1, str(HERE))
    from floor import floor_ledger, floor_visits

    import calculator.rules
    from calculator.rules import contract
    from calculator.rules.engine import calculate

    # Before contract.dumps (orjson) the API sent json.dumps' text, encoded.
    dumps = getattr(contract, "dumps", None) or (lambda body: json.dumps(body, ensure_ascii=False).encode("utf-8"))
    payloads = json.loads(Path(path).read_text(encoding="utf-8"))[region]
    # Two requests a round (engine, API) and one for the warm-up, none met twice.
    requests = [contract.parse_request(p)[0] for p in payloads[:rounds]]
    texts = [json.dumps(p, ensure_ascii=False) for p in payloads[rounds: 2 * rounds]]
    floors = [floor_visits(p) for p in payloads[:rounds]]
    warm = payloads[-1]
    calculate(contract.parse_request(warm)[0])
    dumps(contract.run_contract(json.dumps(warm, ensure_ascii=False))[1])
    floor_ledger(floor_visits(warm))
    perf = time.perf_counter
    engine_ratios, api_ratios = [], []
    for r in range(rounds):
        gc.collect()
        t0 = perf()
        for _ in range(10):
            floor_ledger(floors[r])
        floor = (perf() - t0) / 10
        t0 = perf()
        calculate(requests[r])
        engine = perf() - t0
        t0 = perf()
        dumps(contract.run_contract(texts[r])[1])
        api = perf() - t0
        engine_ratios.append(floor / engine)
        api_ratios.append(floor / api)
    compiled = getattr(calculator.rules, "COMPILED", False)
    print(json.dumps({"engine": engine_ratios, "api": api_ratios, "compiled": compiled}))


def quartiles(xs: list[float]) -> str:
    if len(xs) < 2:
        return f"{xs[0]:.3f}× [one round]"
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return f"{q[1]:.3f}× [{q[0]:.3f}–{q[2]:.3f}]"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("other", nargs="?", help="the other checkout's folder")
    ap.add_argument("--region", action="append", help="only these regions (repeatable)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds per process (default 5)")
    ap.add_argument("--alternations", type=int, default=3, help="processes per checkout and region (default 3)")
    ap.add_argument("--visits", type=int, default=1000)
    ap.add_argument("--child", nargs=3, metavar=("REQUESTS", "REGION", "ROUNDS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    if not args.other:
        ap.error("name the other checkout's folder")
    other = Path(args.other).resolve()
    if not (other / "calculator" / "rules" / "engine.py").exists():
        ap.error(f"{other} is not a checkout of this project (no calculator/rules/engine.py)")

    sys.path.insert(0, str(ROOT))
    sys.path.insert(1, str(HERE))
    import bench

    regions = args.region or list(bench.REGIONS)
    per_process = 2 * args.rounds + 1
    with tempfile.TemporaryDirectory(prefix="bench-checkout-") as tmp:
        requests = Path(tmp) / "requests.json"
        # Every process gets requests it has not met (totals a fen apart: bench.make_payload's shift).
        requests.write_text(json.dumps({
            region: [bench.make_payload(region, args.visits, shift=s + 1) for s in range(per_process)]
            for region in regions
        }, ensure_ascii=False), encoding="utf-8")
        print(f"{'region':10s} {'checkout':>8s} {'engine/floor [quartiles]':>26s} {'API/floor [quartiles]':>26s}")
        for region in regions:
            got: dict[str, dict[str, list[float]]] = {}
            for _ in range(args.alternations):
                for name, tree in (("other", other), ("this", ROOT)):
                    done = subprocess.run(
                        [sys.executable, str(Path(__file__).resolve()), "--child", str(requests), region, str(args.rounds)],
                        cwd=tree, capture_output=True, text=True, timeout=900,
                    )
                    if done.returncode != 0:
                        print(done.stderr[-2000:], file=sys.stderr)
                        return 1
                    out = json.loads(done.stdout.strip().splitlines()[-1])
                    mine = got.setdefault(name, {"engine": [], "api": []})
                    mine["engine"] += out["engine"]
                    mine["api"] += out["api"]
                    mine["compiled"] = out["compiled"]
            for name in ("other", "this"):
                label = f"{name}{' (c)' if got[name]['compiled'] else ''}"
                print(f"{region:10s} {label:>8s} {quartiles(got[name]['engine']):>26s} {quartiles(got[name]['api']):>26s}")
    print(f"(other: {other}; this: {ROOT}; (c): compiled build; {args.alternations} processes × {args.rounds} rounds each)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
