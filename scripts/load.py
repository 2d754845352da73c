#!/usr/bin/env python3
"""Load test: the production server (gunicorn + WhiteNoise, the settings of `make run`) on
loopback, driven by N concurrent clients for a bounded time.

    .venv/bin/python scripts/load.py                   # 20 clients, 15 s per phase
    .venv/bin/python scripts/load.py --clients 20 --seconds 20 --workers 3

Phases, one after the other, each ``--seconds`` long (and at most ``--max-requests``):
  mix      API 20-visit calculations, 10-visit results pages, saved links, /healthz and static
           files together
  saved    only GET /e/<token>/ (a saved 10-visit result reopened: recalculated with today's rules)
  api      only POST /api/v1/calculate with 20 visits
  page     only GET / with a 10-visit query (the results page)
  healthz  only GET /healthz (the ceiling: the cheapest dynamic answer)
For each phase and kind it prints requests/s, p50/p95/p99/max latency in ms and errors by kind,
then the targets of issue 9 (20-visit API p99 < 50 ms, API ≥ half the /healthz throughput, page
p99 < 150 ms). Each client is a thread with its own connection per request (gunicorn's sync
workers close the connection after each answer), so latency includes connecting; clients
send prepared requests over plain sockets to leave the server as much of the CPU as they can.

Only 127.0.0.1 is ever contacted. The rate limits stay on, raised so that one loopback address can
drive the server (DJANGO_RATELIMIT_API/PAGE); everything else is `make run`'s configuration.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # loopback only, never anything else


def api_body(visits: int) -> bytes:
    return json.dumps(
        {
            "region": "wuhan",
            "status": "employed",
            "age": 45,
            "visits": [
                {
                    "date": f"2024-{1 + i * 12 // visits:02d}-{1 + (i * 7) % 28:02d}",
                    "level": 1 + i % 3,
                    "total": f"{300 + 37 * i}.50",
                    "class_b": "40.00" if i % 2 else "0",
                }
                for i in range(visits)
            ],
        }
    ).encode()


def page_query(visits: int) -> str:
    params = {"region": "xuzhou", "status": "employed", "age": "45"}
    for i in range(visits):
        params[f"visits-{i}-date"] = f"2024-{1 + i:02d}-10"
        params[f"visits-{i}-level"] = str(1 + i % 3)
        params[f"visits-{i}-setting"] = "clinic"
        params[f"visits-{i}-total"] = str(400 + 55 * i)
    return "/?" + urlencode(params)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def raw_request(port: int, data: bytes) -> tuple[int, bytes]:
    """Send one prepared HTTP/1.1 request (``Connection: close``) and read the answer to EOF.

    Plain sockets, not http.client: the clients share the server's two cores, and a request
    costs http.client about 0.5–0.8 ms of the client's CPU (measured: 20–40 % of a core at
    these rates), which would be taken from the server under test. An answer shorter than its
    Content-Length counts as an error."""
    with socket.create_connection((HOST, port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            chunk = sock.recv(262144)
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    head, sep, body = answer.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1."):
        raise http.client.BadStatusLine(head[:40].decode("latin-1"))
    status = int(head[9:12])
    length = re.search(rb"\r\ncontent-length:\s*(\d+)", head, re.IGNORECASE)
    if length and int(length.group(1)) != len(body):
        raise http.client.IncompleteRead(body)
    return status, body


def prepare(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def request(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
    return raw_request(port, prepare(port, method, path, body, headers))


class Kind:
    def __init__(self, name: str, method: str, path: str, body: bytes | None = None, headers=None):
        self.name, self.method, self.path, self.body = name, method, path, body
        self.headers = headers or {}


def start_server(port: int, workers: int, log_path: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    env.update(
        DJANGO_SETTINGS_MODULE="calculator.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECURE="0",  # plain HTTP on loopback, as `make run`
        GUNICORN_BIND=f"{HOST}:{port}",
        WEB_CONCURRENCY=str(workers),
        DJANGO_RATELIMIT_API=env.get("DJANGO_RATELIMIT_API", "10000000/60"),
        DJANGO_RATELIMIT_PAGE=env.get("DJANGO_RATELIMIT_PAGE", "10000000/60"),
        DJANGO_RATELIMIT_ENQUIRY=env.get("DJANGO_RATELIMIT_ENQUIRY", "10000000/60"),
        DJANGO_LOG_LEVEL=env.get("DJANGO_LOG_LEVEL", "WARNING"),  # the access lines would cost I/O
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = log_path.open("wb")
    process = subprocess.Popen(
        [str(gunicorn), "--config", "gunicorn.conf.py"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited ({process.returncode}); see {log_path}")
        try:
            if request(port, "GET", "/healthz", None, {})[0] in (200, 503):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit(f"gunicorn did not start in 30 s; see {log_path}")


def run_phase(port: int, kinds: list[tuple[Kind, int]], clients: int, seconds: float, max_requests: int):
    """Closed loop: each client sends its next request as soon as the last one is answered."""
    population = [(k, prepare(port, k.method, k.path, k.body, k.headers)) for k, weight in kinds for _ in range(weight)]
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, Counter[str]] = defaultdict(Counter)
    lock = threading.Lock()
    sent = [0]
    stop_at = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            kind, data = rng.choice(population)
            started = time.perf_counter()
            try:
                status, _ = raw_request(port, data)
                problem = None if 200 <= status < 300 else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                problem = type(exc).__name__
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if problem:
                    errors[kind.name][problem] += 1
                else:
                    latencies[kind.name].append(elapsed)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 15)
    wall = time.monotonic() - began
    return latencies, errors, wall


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarise(phase: str, latencies, errors, wall) -> dict[str, dict[str, float]]:
    rows = {}
    names = sorted(set(latencies) | set(errors))
    total = sum(len(v) for v in latencies.values())
    print(f"\n== {phase}: {total} answered in {wall:.1f} s = {total / wall:.0f} requests/s")
    print(f"{'kind':<9}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  errors")
    for name in names:
        values = sorted(latencies.get(name, []))
        row = {
            "count": len(values),
            "rps": len(values) / wall,
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "p99": percentile(values, 99),
            "max": values[-1] if values else float("nan"),
            "errors": dict(errors.get(name, {})),
        }
        rows[name] = row
        errs = ", ".join(f"{k}: {v}" for k, v in row["errors"].items()) or "none"
        print(
            f"{name:<9}{row['count']:>8}{row['rps']:>9.0f}{row['p50']:>9.1f}{row['p95']:>9.1f}"
            f"{row['p99']:>9.1f}{row['max']:>9.1f}  {errs}"
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each phase (at most 120)")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per phase")
    parser.add_argument("--phases", default="mix,api,page,healthz")
    parser.add_argument("--json", type=Path, default=REPO / "test-output" / "load.json")
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), 120.0)
    clients = min(max(args.clients, 1), 200)
    workers = args.workers or (os.cpu_count() or 1) + 1

    manifest = REPO / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        print("collectstatic (staticfiles/ has no manifest yet) ...")
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=REPO, check=True,
                       env={**os.environ, "DJANGO_DEBUG": "0"})

    args.json.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = args.json.with_suffix(".server.log")
    server = start_server(port, workers, log_path)
    try:
        status, home = request(port, "GET", "/", None, {})
        assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', home.decode())
        if status != 200 or not assets:
            sys.exit(f"the home page did not load its static files (HTTP {status})")
        api = Kind("api", "POST", "/api/v1/calculate", api_body(20), {"Content-Type": "application/json"})
        page = Kind("page", "GET", page_query(10))
        health = Kind("healthz", "GET", "/healthz")
        # A saved link: one 10-visit result saved through the API (a row in the database the
        # server uses), then reopened by every client (the page recalculates it with today's rules).
        status, saved_body = request(port, "POST", "/api/v1/enquiries", api_body(10), {"Content-Type": "application/json"})
        if status != 201:
            sys.exit(f"saving a result for the saved-link requests: HTTP {status} (is the database migrated? "
                     f"`make setup`): {saved_body[:300]!r}")
        saved = Kind("saved", "GET", f"/e/{json.loads(saved_body)['token']}/")
        static = [Kind("static", "GET", a, headers={"Accept-Encoding": "gzip"}) for a in assets]
        for kind in (api, page, saved, health):  # each kind answers correctly before we time it
            status, body = request(port, kind.method, kind.path, kind.body, kind.headers)
            if status != 200:
                sys.exit(f"{kind.name}: HTTP {status}: {body[:300]!r}")
        run_phase(port, [(api, 1), (page, 1), (saved, 1), (health, 1)] + [(s, 1) for s in static], clients, 2.0, 5000)  # warm-up

        phases = {
            "mix": [(api, 4), (page, 3), (saved, 2), (health, 1)] + [(s, 1) for s in static],
            "api": [(api, 1)],
            "page": [(page, 1)],
            "saved": [(saved, 1)],
            "healthz": [(health, 1)],
        }
        print(f"gunicorn workers: {workers}; clients: {clients}; {seconds:.0f} s per phase; "
              f"cores: {os.cpu_count()}; server and clients on this one machine; "
              f"load average before: {os.getloadavg()[0]:.1f}")
        results = {}
        for name in [p.strip() for p in args.phases.split(",") if p.strip()]:
            results[name] = summarise(name, *run_phase(port, phases[name], clients, seconds, args.max_requests))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    print(f"\nload average after: {os.getloadavg()[0]:.1f} (other work on the machine skews the figures)")
    print("\nTargets (issue 9, 20 clients on this 2-core machine):")
    checks = []
    if "api" in results and "api" in results["api"]:
        p99 = results["api"]["api"]["p99"]
        checks.append((f"20-visit API p99 {p99:.1f} ms < 50 ms", p99 < 50))
        errs = sum(sum(r.get("errors", {}).values()) for r in results["api"].values())
        checks.append((f"20-visit API errors: {errs}", errs == 0))
    if "api" in results and "healthz" in results:
        ratio = results["api"]["api"]["rps"] / results["healthz"]["healthz"]["rps"]
        checks.append((f"API throughput {ratio:.0%} of /healthz's (≥ 50 %)", ratio >= 0.5))
    if "page" in results and "page" in results["page"]:
        p99 = results["page"]["page"]["p99"]
        checks.append((f"10-visit results page p99 {p99:.1f} ms < 150 ms", p99 < 150))
    for text, ok in checks:
        print(f"  [{'met' if ok else 'NOT met'}] {text}")
    args.json.write_text(json.dumps({"workers": workers, "clients": clients, "seconds": seconds,
                                     "results": results}, indent=2, default=str))
    print(f"\n(figures also in {args.json}; server log in {log_path})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
