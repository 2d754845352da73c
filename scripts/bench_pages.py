"""Page weight and server render time of the results page, in-process (not a test).

Django's test client, no JavaScript, no network: each round renders back to back, in a
rotating order, the about page (the yardstick), the calculator with a 10-visit result and
the calculator with a 50-visit result (the most the page holds). It prints the HTML size of
each page, the median render time over the rounds and the median of the per-round ratios to
the about page: on a shared machine only figures measured together mean anything.

Then the weight of the heaviest 10-visit request of every region, in Chinese and in English:
the query a browser sends when the form is submitted (every field of the region's form, the
empty ones too), with 乙类 and 全自费 amounts on every other visit.

    .venv/bin/python scripts/bench_pages.py [--rounds 30] [--region wuhan] [--lang zh-hans|en]
    .venv/bin/python scripts/bench_pages.py --sizes          # only the weights of every region
    .venv/bin/python scripts/bench_pages.py --profile        # where the 10-visit render goes

Targets (issue 7): 10 visits ≤ 80 KiB (every region and language) and ≤ 5× the about page;
50 visits ≤ 300 KiB.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calculator.settings")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-pages-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
# Plain HTTP in-process, as `make run` serves loopback: without it every page is a 301 to https.
os.environ.setdefault("DJANGO_SECURE", "0")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("calculator.request").setLevel(logging.WARNING)  # one JSON line per request

from django.forms import BooleanField  # noqa: E402
from django.test import Client  # noqa: E402

TARGET_KIB_10 = 80
TARGET_KIB_50 = 300
TARGET_RATIO_10 = 5.0
perf = time.perf_counter

# A retiree with a 乙类 amount, pharmacy visits and the annual cap reached: the page's
# busiest shape (steps, notices, the chart) for each region.
PEOPLE = {
    "wuhan": {"region": "wuhan", "status": "retired", "age": "68", "retired_on": "2015-06-30"},
    "xuzhou": {"region": "xuzhou", "status": "employed", "age": "45"},
    "shanghai": {"region": "shanghai", "status": "retired", "age": "70", "retired_on": "2010-08-01",
                 "account_balance": "300"},
    "shanxi": {"region": "shanxi", "status": "employed", "age": "45"},
    "yunnan": {"region": "yunnan", "status": "retired", "age": "66"},
    "neimenggu": {"region": "neimenggu", "status": "employed", "age": "45"},
    "yuxi": {"region": "yuxi", "status": "retired", "age": "66"},
}
YEARS = {"shanghai": 2024, "yunnan": 2025, "yuxi": 2025}
SETTINGS = ("clinic", "pharmacy", "clinic", "internet", "clinic")


def results_query(region: str, visits: int) -> str:
    query: dict[str, str] = dict(PEOPLE[region])
    year = YEARS.get(region, 2024)
    for i in range(visits):
        month = 1 + (i * 11) // max(visits, 1)
        day = 1 + (i * 7) % 27
        query[f"visits-{i}-date"] = f"{year}-{month:02d}-{day:02d}"
        query[f"visits-{i}-level"] = str(1 + i % 3)
        query[f"visits-{i}-setting"] = SETTINGS[i % len(SETTINGS)]
        query[f"visits-{i}-total"] = str(300 + (i * 137) % 900)
        if i % 2 == 0:
            query[f"visits-{i}-class_b"] = "80"
    return "/?" + urlencode(query)


def browser_query(region: str, visits: int) -> str:
    """``results_query`` as a browser sends it: every field of the region's form, empty or
    not (a checkbox left unticked is not sent), and 全自费 amounts on the visits with 乙类."""
    from calculator.web.forms import CalculatorForm, VisitForm
    from calculator.web.region_facts import unused_person_options, unused_visit_options

    given = dict(parse_qsl(results_query(region, visits)[2:]))
    query = [(name, given.get(name, "")) for name, field in CalculatorForm.base_fields.items()
             if name not in unused_person_options(region) and not isinstance(field, BooleanField)]
    unused = unused_visit_options(region)
    for i in range(visits):
        if f"visits-{i}-class_b" in given:
            given[f"visits-{i}-excluded"] = "50"
        for name, field in VisitForm.base_fields.items():
            if name not in unused and not isinstance(field, BooleanField):
                default = "none" if name == "offsite" else ""
                query.append((f"visits-{i}-{name}", given.get(f"visits-{i}-{name}", default)))
    return "/?" + urlencode(query)


def weights() -> list[tuple[str, str, float, bool]]:
    """(region, language, KiB, calculated) of the heaviest 10-visit request of each region."""
    out = []
    for region in PEOPLE:
        for lang in ("zh-hans", "en"):
            client = Client()
            client.cookies["django_language"] = lang
            response = client.get(browser_query(region, 10))
            assert response.status_code == 200, (region, lang, response.status_code)
            out.append((region, lang, len(response.content) / 1024, b'id="results"' in response.content))
    return out


def print_weights() -> bool:
    rows = weights()
    print(f"heaviest 10-visit request (as a browser sends it, 乙类 and 全自费 on every other visit), limit {TARGET_KIB_10} KiB:")
    for region, lang, kib, calculated in rows:
        verdict = "ok" if kib <= TARGET_KIB_10 and calculated else ("OVER" if calculated else "NO RESULT")
        print(f"  {region:10s} {lang:8s} {kib:6.1f} KiB  {verdict}")
    heaviest = max(rows, key=lambda row: row[2])
    print(f"  heaviest: {heaviest[0]} {heaviest[1]} {heaviest[2]:.1f} KiB")
    return all(kib <= TARGET_KIB_10 and calculated for _region, _lang, kib, calculated in rows)


def fetch(client: Client, path: str) -> tuple[float, int]:
    start = perf()
    response = client.get(path)
    elapsed = perf() - start
    assert response.status_code == 200, (path, response.status_code)
    return elapsed, len(response.content)


def run(rounds: int, region: str, lang: str) -> dict[str, Any]:
    client = Client()
    client.cookies["django_language"] = lang
    pages = {
        "about": "/about/",
        "results10": results_query(region, 10),
        "results50": results_query(region, 50),
        # The same form with its rows but no result (添加一次就诊 does not calculate): what
        # the form alone costs, so the results' share can be told apart.
        "form10": results_query(region, 10) + "&add_visit=1",
        "form50": results_query(region, 49) + "&add_visit=1",
    }
    body = client.get(pages["results10"]).content.decode()
    assert 'id="results"' in body, "the 10-visit request did not calculate (form errors?)"
    for path in pages.values():  # warm up: templates, catalogues, rules
        fetch(client, path)
    times: dict[str, list[float]] = {name: [] for name in pages}
    sizes: dict[str, int] = {}
    ratios10: list[float] = []
    ratios50: list[float] = []
    names = list(pages)
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        this: dict[str, float] = {}
        for name in order:
            elapsed, size = fetch(client, pages[name])
            this[name] = elapsed
            times[name].append(elapsed)
            sizes[name] = size
        ratios10.append(this["results10"] / this["about"])
        ratios50.append(this["results50"] / this["about"])
    return {
        "sizes": sizes,
        "median_ms": {name: statistics.median(t) * 1000 for name, t in times.items()},
        "ratio10": statistics.median(ratios10),
        "ratio50": statistics.median(ratios50),
        "ratios10": ratios10,
    }


def profile(region: str, lang: str) -> None:
    client = Client()
    client.cookies["django_language"] = lang
    path = results_query(region, 10)
    fetch(client, path)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(20):
        client.get(path)
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(35)
    print(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--region", default="wuhan", choices=sorted(PEOPLE))
    parser.add_argument("--lang", default="zh-hans", choices=("zh-hans", "en"))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sizes", action="store_true", help="only the weights of every region and language")
    args = parser.parse_args()
    if args.profile:
        profile(args.region, args.lang)
        return 0
    if args.sizes:
        return 0 if print_weights() else 1
    out = run(args.rounds, args.region, args.lang)
    kib = {name: size / 1024 for name, size in out["sizes"].items()}
    print(f"region {args.region}, language {args.lang}, {args.rounds} rounds (medians; ratios per round)")
    print(f"  about page         {kib['about']:6.1f} KiB  {out['median_ms']['about']:7.2f} ms")
    print(f"  results, 10 visits {kib['results10']:6.1f} KiB  {out['median_ms']['results10']:7.2f} ms"
          f"  {out['ratio10']:5.2f}× about  (targets ≤ {TARGET_KIB_10} KiB, ≤ {TARGET_RATIO_10:g}×)")
    print(f"  results, 50 visits {kib['results50']:6.1f} KiB  {out['median_ms']['results50']:7.2f} ms"
          f"  {out['ratio50']:5.2f}× about  (target ≤ {TARGET_KIB_50} KiB)")
    spread = sorted(out["ratios10"])
    print(f"  10-visit ratio per round: min {spread[0]:.2f}, median {out['ratio10']:.2f}, max {spread[-1]:.2f}")
    print(f"  the form alone, 11 rows {kib['form10']:6.1f} KiB  {out['median_ms']['form10']:7.2f} ms"
          f"  ({out['median_ms']['form10'] / out['median_ms']['about']:.2f}× about)")
    print(f"  the form alone, 50 rows {kib['form50']:6.1f} KiB  {out['median_ms']['form50']:7.2f} ms")
    met = kib["results10"] <= TARGET_KIB_10 and kib["results50"] <= TARGET_KIB_50 and out["ratio10"] <= TARGET_RATIO_10
    print()
    met = print_weights() and met
    print("targets met" if met else "TARGETS NOT MET")
    return 0


if __name__ == "__main__":
    sys.exit(main())
