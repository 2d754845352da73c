"""Benchmark the engine against a floor, in-process (not a test; run `make bench`).

Per region, on a deliberately heavy 1,000-visit request (pharmacy and 互联网+ visits, 乙类 and
全自费 amounts on most visits, the annual cap reached early, dates spread over the region's
covered dates), each round times back to back, in a rotating order:

  FLOOR   a bare Decimal ledger over the same visits (total − excluded, a running deductible,
          a ratio, a running cap, half-up rounding with Decimal.quantize) that builds one
          explanation string per visit: the simplest code doing the same arithmetic;
  ENGINE  ledger.calculate + report.to_json (structured trace, rendered Chinese sentences),
          on a request already parsed, rules already loaded;
  API     run_contract(json_text) + contract.dumps(body) (orjson bytes): the whole API
          path minus HTTP (decode, validate, engine, JSON).

The body size printed is those bytes: the answer as POST /api/v1/calculate sends it.

and a batch of 10-visit engine runs. Every timed run is of a request this process has not met
before (each visit's total a fen higher per run; the engine and the API each get their own):
what the engine remembers between requests (money texts, standing totals, shared steps) then
helps only as it would a new member's request, never by replaying an earlier round's figures.
It prints medians over the rounds (never best runs) and the median of the per-round ratios
(engine/floor and API/floor throughput): on a shared machine only figures measured together
mean anything.

    .venv/bin/python scripts/bench.py [--rounds 15] [--region xuzhou ...]
    .venv/bin/python scripts/bench.py --profile [--region wuhan]   # where the time goes

No Django is needed: the rules modules are plain Python.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import io
import json
import pstats
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(1, str(Path(__file__).resolve().parent))  # scripts/floor.py

import calculator.rules  # noqa: E402
from calculator.rules import compiled, contract, engine, ledger, report  # noqa: E402
from calculator.rules.registry import load_policies  # noqa: E402
from floor import floor_ledger, floor_visits  # noqa: E402  (scripts/floor.py: no engine import)

REGIONS = ("xuzhou", "shanxi", "shanghai", "wuhan", "yuxi", "yunnan", "neimenggu")
TARGET_ENGINE = 0.20  # × floor throughput
TARGET_API = 0.12  # × floor throughput
TARGET_SMALL_MS = 0.3  # a 10-visit request, engine
TARGET_BODY_KIB = 1.5 * 1024  # a 1,000-visit answer, as sent
SETTINGS_CYCLE = ("clinic", "pharmacy", "clinic", "internet", "pharmacy", "clinic", "internet")
perf = time.perf_counter


def engine_kind() -> str:
    """Which engine the figures are of: compiled (scripts/build_engine.py) or pure Python."""
    if calculator.rules.COMPILED:
        return "engine compiled with mypyc (" + ", ".join(compiled.MODULES) + "); RULES_ENGINE=python for the pure-Python one"
    return f"pure-Python engine (compiled build: {compiled.state()})"


# -- the request ------------------------------------------------------------------------------
def covered_dates(region_code: str) -> tuple[dt.date, dt.date]:
    """First and last covered day of the region's data, never later than yesterday (a
    future visit would add a notice that a real request rarely has)."""
    region = load_policies()[region_code]
    first = region.versions[0].effective_from
    last = region.versions[-1].effective_to
    yesterday = dt.date.today() - dt.timedelta(days=1)
    last = yesterday if last is None else min(last, yesterday)
    return first, last


def make_payload(region: str, n: int, max_days: int | None = None, shift: int = 0) -> dict[str, Any]:
    """The request as the API receives it (JSON types; amounts as two-decimal strings),
    dates spread evenly from the first covered day over the covered dates (at most
    ``max_days`` of them). ``shift``: fen added to every visit's total, so that each timed
    run meets amounts (and so running totals and sentences) it has not met before."""
    first, last = covered_dates(region)
    span = (last - first).days
    if max_days is not None:
        span = min(span, max_days)
    visits = []
    for i in range(n):
        day = first + dt.timedelta(days=(i * span) // max(1, n - 1))
        total = Decimal(100 + (i * 37) % 900) + Decimal(i % 100) / 100 + Decimal(shift) / 100
        if i % 9 == 0:
            total += 2000  # a few big visits: the annual cap is reached early in each year
        excluded = Decimal(10 + (i * 13) % 60) if i % 3 else Decimal(0)  # 全自费 on 2 of 3
        class_b = Decimal(15 + (i * 7) % 40) + Decimal("0.50") if i % 2 == 0 else Decimal(0)  # 乙类 on 1 of 2
        visit: dict[str, Any] = {
            "date": day.isoformat(),
            "level": 1 + i % 3,
            "setting": SETTINGS_CYCLE[i % len(SETTINGS_CYCLE)],
            "total": f"{total:.2f}",
        }
        if excluded:
            visit["excluded"] = f"{excluded:.2f}"
        if class_b:
            visit["class_b"] = f"{class_b:.2f}"
        visits.append(visit)
    return {
        "region": region,
        "status": "retired",
        "age": 66,
        "retired_on": "2015-06-30",
        "account_balance": "500.00",
        "visits": visits,
    }


def plain_payload(region: str, n: int) -> dict[str, Any]:
    """A plain request of ``n`` visits, as most members would send one: a date (spread over
    the covered dates), a level and a total, nothing else; employed. Only weighed."""
    first, last = covered_dates(region)
    span = (last - first).days
    visits = [
        {
            "date": (first + dt.timedelta(days=(i * span) // max(1, n - 1))).isoformat(),
            "level": 1 + i % 3,
            "total": f"{200 + (i * 37) % 500}.00",
        }
        for i in range(n)
    ]
    return {"region": region, "status": "employed", "age": 45, "visits": visits}


def body_size(payload: dict[str, Any]) -> int:
    """The bytes POST /api/v1/calculate sends for ``payload`` (compact UTF-8 JSON)."""
    status, body = contract.run_contract(json.dumps(payload, ensure_ascii=False))
    if status != 200:
        raise SystemExit(f"{payload['region']}: run_contract answered {status}: {str(body)[:300]}")
    return len(contract.dumps(body))


def parse(payload: dict[str, Any]):
    request, errors = contract.parse_request(payload)
    if errors:
        raise SystemExit(f"bench request refused by parse_request: {errors[:3]}")
    return request


# -- the three measured paths -----------------------------------------------------------------
class Case:
    """One request, ready to be timed. ``parsed``: parsed here for the engine (the API parses
    its own text when timed); ``checked``: run once here through the whole API path (its
    answer's size and steps; its figures then met before, so only for a case not timed, or
    for --profile)."""

    def __init__(self, region: str, n: int, max_days: int | None = None, shift: int = 0, *, parsed: bool = True, checked: bool = False):
        self.region = region
        self.payload = make_payload(region, n, max_days, shift)
        self.n = len(self.payload["visits"])
        self.request = parse(self.payload) if parsed else None
        self.text = json.dumps(self.payload, ensure_ascii=False)
        self.floor_input = floor_visits(self.payload)
        self.body_bytes = self.steps = 0
        if checked:
            status, body = contract.run_contract(self.text)
            if status != 200:
                raise SystemExit(f"{region}: run_contract answered {status}: {str(body)[:300]}")
            # The body as POST /api/v1/calculate sends it (contract.dumps: compact UTF-8 JSON).
            self.body_bytes = len(contract.dumps(body))
            self.steps = sum(len(v["steps"]) for v in body["visits"])

    def floor(self) -> Any:
        return floor_ledger(self.floor_input)

    def engine(self) -> Any:
        # engine.calculate: the ledger and its JSON with every sentence rendered, as the
        # web page and the API run it (collector paused for the calculation).
        return engine.calculate(self.request)

    def api(self) -> bytes:
        # What POST /api/v1/calculate does minus HTTP: decode, parse, engine, JSON bytes.
        status, body = contract.run_contract(self.text)
        return contract.dumps(body)


def timed(fn: Callable[[], Any], reps: int = 1) -> float:
    """Seconds per call, over ``reps`` calls back to back."""
    t0 = perf()
    for _ in range(reps):
        fn()
    return (perf() - t0) / reps


def quartiles(xs: list[float]) -> tuple[float, float, float]:
    if len(xs) < 4:
        m = statistics.median(xs)
        return min(xs), m, max(xs)
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[1], q[2]


def bench_region(region: str, rounds: int, n: int, small_reps: int) -> dict[str, Any]:
    big = Case(region, n, checked=True)  # its answer weighed; the warm-up
    small = Case(region, 10, max_days=90)  # a realistic small request: one quarter
    # Every timed run is of a request not met before in this process (its totals shifted by
    # a fen per run): the engine's remembered texts (money, running totals, shared steps) then
    # help only as far as they would for a new member's request, never by replaying a result
    # made in an earlier round. The engine and the API get requests of their own.
    engine_cases = [Case(region, n, shift=2 * r + 1) for r in range(rounds)]
    api_cases = [Case(region, n, shift=2 * r + 2, parsed=False) for r in range(rounds)]
    small_cases = [Case(region, 10, max_days=90, shift=k + 1) for k in range(rounds * small_reps)]
    # The floor takes ~1/50 of the engine's time: repeat it within a round so that one
    # scheduler hiccup does not decide its figure (it remembers nothing between runs).
    floor_reps = 10
    for fn in (big.floor, big.engine, big.api, small.engine):  # warm up
        fn()
    samples: dict[str, list[float]] = {"floor": [], "engine": [], "api": []}
    ratios: dict[str, list[float]] = {"engine": [], "api": []}
    small_times: list[float] = []
    small_ratios: list[float] = []
    for r in range(rounds):
        gc.collect()
        got = {}
        case, api_case = engine_cases[r], api_cases[r]
        order = [("floor", case.floor, floor_reps), ("engine", case.engine, 1), ("api", api_case.api, 1)]
        for name, fn, reps in order[r % 3:] + order[: r % 3]:  # rotate who goes first
            got[name] = timed(fn, reps)
        for name, t in got.items():
            samples[name].append(t)
        ratios["engine"].append(got["floor"] / got["engine"])
        ratios["api"].append(got["floor"] / got["api"])
        for j in range(small_reps):
            one = small_cases[r * small_reps + j]
            f = timed(one.floor)
            e = timed(one.engine)
            small_times.append(e)
            small_ratios.append(f / e)
    med = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "region": region,
        "visits": big.n,
        "steps": big.steps,
        "body_kib": big.body_bytes / 1024,
        "plain_kib": body_size(plain_payload(region, n)) / 1024,
        "vps": {k: big.n / t for k, t in med.items()},
        "ratio": {k: statistics.median(v) for k, v in ratios.items()},
        "ratio_iqr": {k: quartiles(v) for k, v in ratios.items()},
        "small_ms": statistics.median(small_times) * 1000,
        "small_iqr": tuple(x * 1000 for x in quartiles(small_times)),
        "small_ratio": statistics.median(small_ratios),
    }


def mark(ok: bool) -> str:
    return "ok" if ok else "BELOW"


def print_table(rows: list[dict[str, Any]], rounds: int, small_reps: int) -> None:
    print()
    print(
        f"medians over {rounds} rounds (floor, engine, API timed back to back each round; ratios are "
        f"medians of per-round ratios, [quartiles]); 10-visit: median of {rounds * small_reps} runs"
    )
    head = (
        f"{'region':10s} {'visits':>6s} {'steps':>6s} {'body':>8s} {'plain':>8s} | {'floor v/s':>10s} {'engine v/s':>10s} "
        f"{'API v/s':>9s} | {'engine/floor':>22s} {'API/floor':>22s} | {'10-visit ms':>18s} {'/floor':>7s}"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        v, r, q = row["vps"], row["ratio"], row["ratio_iqr"]
        e_q, a_q = q["engine"], q["api"]
        s_q = row["small_iqr"]
        print(
            f"{row['region']:10s} {row['visits']:>6d} {row['steps']:>6d} {row['body_kib']:>5.0f}KiB {row['plain_kib']:>5.0f}KiB | "
            f"{v['floor']:>10,.0f} {v['engine']:>10,.0f} {v['api']:>9,.0f} | "
            f"{r['engine']:>5.3f}× [{e_q[0]:.3f}–{e_q[2]:.3f}] {mark(r['engine'] >= TARGET_ENGINE):>2s}"
            f" {r['api']:>5.3f}× [{a_q[0]:.3f}–{a_q[2]:.3f}] {mark(r['api'] >= TARGET_API):>2s} | "
            f"{row['small_ms']:>6.3f} [{s_q[0]:.2f}–{s_q[2]:.2f}] {mark(row['small_ms'] < TARGET_SMALL_MS)}"
            f" {row['small_ratio']:>6.3f}×"
        )
    print(
        f"targets: engine ≥ {TARGET_ENGINE}× floor, API ≥ {TARGET_API}× floor (1,000-visit request); "
        f"10-visit engine < {TARGET_SMALL_MS} ms; a 1,000-visit answer ≤ {TARGET_BODY_KIB:.0f} KiB\n"
        "(body: the bench's heavy request; plain: date, level and total only, employed; both as the API sends them)\n"
        "(10-visit /floor: median of the per-run ratio to the floor on the same 10 visits, timed back to back:"
        " steadier than the ms figure when the machine is busy)"
    )


# -- --profile: where the time goes -----------------------------------------------------------
def phase_breakdown(case: Case, rounds: int) -> None:
    """The API path cut into its phases, each timed without a profiler (median over rounds,
    phases interleaved in each round)."""
    from calculator.rules.messages import identity

    text = case.text
    data, _ = contract.decode(text)
    request = parse(case.payload)
    result = ledger.calculate(request)
    body = report.to_json(result, identity, request.lang)

    def loads_hooks():
        return json.loads(
            text, parse_float=Decimal, parse_int=Decimal, parse_constant=lambda c: c,
            object_pairs_hook=contract._object,
        )

    phases: list[tuple[str, Callable[[], Any]]] = [
        ("decode (hooked json.loads; surrogate walk only if needed)", lambda: contract.decode(text)),
        ("parse_request (validate → CalculationRequest)", lambda: contract.parse_request(data)),
        ("ledger.calculate (trace)", lambda: ledger.calculate(request)),
        ("report.to_json (sentences, JSON dict)", lambda: report.to_json(result, identity, request.lang)),
        ("contract.dumps(body) (orjson bytes, as the API sends)", lambda: contract.dumps(body)),
    ]
    extras: list[tuple[str, Callable[[], Any]]] = [
        ("  json.loads with the contract's hooks", loads_hooks),
        ("  _check_text walk (a text that may hold a lone surrogate)", lambda: contract._check_text(data)),
        ("  json.dumps(body, ensure_ascii=False)", lambda: json.dumps(body, ensure_ascii=False)),
        ("  json.loads, no hooks at all", lambda: json.loads(text)),
        ("  json.loads, only object_pairs_hook", lambda: json.loads(text, object_pairs_hook=contract._object)),
        ("  json.loads, only parse_int/float=Decimal", lambda: json.loads(text, parse_float=Decimal, parse_int=Decimal)),
        ("  json.dumps(body) + .encode('utf-8') (JsonResponse does both)",
         lambda: json.dumps(body, ensure_ascii=False).encode("utf-8")),
        ("  whole API path: run_contract + dumps", case.api),
        ("  floor", case.floor),
    ]
    try:
        import orjson  # type: ignore[import-not-found]

        extras += [
            (f"  orjson.loads (orjson {orjson.__version__})", lambda: orjson.loads(text)),
            (f"  orjson.dumps(body) → bytes (orjson {orjson.__version__})", lambda: orjson.dumps(body)),
        ]
    except ImportError:
        orjson = None
    everything = phases + extras
    for _, fn in everything:
        fn()
    times: dict[str, list[float]] = {name: [] for name, _ in everything}
    for r in range(rounds):
        gc.collect()
        k = r % len(everything)
        for name, fn in everything[k:] + everything[:k]:
            times[name].append(timed(fn))
    med = {name: statistics.median(ts) for name, ts in times.items()}
    total = sum(med[name] for name, _ in phases)
    print(f"\nAPI path by phase, {case.region}, {case.n} visits, {case.steps} steps, body {case.body_bytes / 1024:.0f} KiB "
          f"(medians over {rounds} rounds, no profiler; % of the sum of phases = {total * 1000:.1f} ms)")
    for name, _ in phases:
        print(f"  {name:58s} {med[name] * 1000:8.2f} ms  {100 * med[name] / total:5.1f}%")
    for name, _ in extras:
        print(f"  {name:58s} {med[name] * 1000:8.2f} ms")
    if orjson is not None:
        std_dumps = med["  json.dumps(body, ensure_ascii=False)"]
        std_dumps_enc = med["  json.dumps(body) + .encode('utf-8') (JsonResponse does both)"]
        or_dumps = med[f"  orjson.dumps(body) → bytes (orjson {orjson.__version__})"]
        std_loads = med["  json.loads with the contract's hooks"]
        or_loads = med[f"  orjson.loads (orjson {orjson.__version__})"]
        print(f"  orjson.dumps is {std_dumps / or_dumps:.1f}× json.dumps (str), {std_dumps_enc / or_dumps:.1f}× json.dumps+encode;"
              f" orjson.loads is {std_loads / or_loads:.1f}× the hooked json.loads (but gives floats, keeps the last"
              " duplicate key: the contract's checks would need another home)")


def run_profile(label: str, fn: Callable[[], Any], reps: int, top: int = 25) -> None:
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    for _ in range(reps):
        fn()
    profiler.disable()
    for sort in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(sort).print_stats(top)
        print(f"\n=== {label}: top {top} by {sort} ({reps} runs under cProfile) ===")
        lines = out.getvalue().splitlines()
        # Skip pstats' preamble up to the column header.
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print("\n".join(line for line in lines[start:] if line.strip()))


def profile(region: str, n: int, rounds: int, reps: int) -> None:
    case = Case(region, n, checked=True)  # the same request timed again and again: remembered texts help here
    phase_breakdown(case, rounds)
    run_profile(f"ENGINE ledger.calculate + report.to_json, {region}", case.engine, reps)
    run_profile(f"API PATH run_contract + json.dumps, {region}", case.api, reps)


# -- main ---------------------------------------------------------------------------------
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=15, help="rounds per region (default 15)")
    ap.add_argument("--region", action="append", choices=REGIONS, help="only these regions (repeatable)")
    ap.add_argument("--visits", type=int, default=1000, help="visits in the heavy request (default 1000)")
    ap.add_argument("--small-reps", type=int, default=40, help="10-visit runs per round (default 40)")
    ap.add_argument("--profile", action="store_true", help="phase timings and cProfile for one region")
    ap.add_argument("--profile-reps", type=int, default=5, help="runs under cProfile (default 5)")
    ap.add_argument("--no-pages", action="store_true", help="skip the results-page figures (scripts/bench_pages.py)")
    args = ap.parse_args()

    t0 = perf()
    load_policies()
    print(f"rules loaded once in {(perf() - t0) * 1000:.1f} ms; python {sys.version.split()[0]}; {engine_kind()}")
    if args.profile:
        profile((args.region or ["xuzhou"])[0], args.visits, args.rounds, args.profile_reps)
        return
    rows = []
    for region in args.region or REGIONS:
        row = bench_region(region, args.rounds, args.visits, args.small_reps)
        rows.append(row)
        print(
            f"  {region:10s} done: engine {row['ratio']['engine']:.3f}× floor, API {row['ratio']['api']:.3f}× floor,"
            f" 10-visit {row['small_ms']:.3f} ms",
            flush=True,
        )
    print_table(rows, args.rounds, args.small_reps)
    if not args.no_pages:
        # The results page's weight and render time against the about page (issue 7), in a
        # process of its own: it needs Django, the engine figures above do not.
        print("\nresults page (scripts/bench_pages.py):", flush=True)
        import subprocess

        subprocess.run([sys.executable, str(Path(__file__).with_name("bench_pages.py")), "--rounds", "12"], check=False)


if __name__ == "__main__":
    main()
