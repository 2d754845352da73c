"""Fixtures for the operations tests: a real gunicorn server under the production settings.

``production_server`` runs ``collectstatic`` into a temporary folder and starts gunicorn with
``gunicorn.conf.py`` on a free loopback port, DEBUG off, exactly as ``make run`` does (only the
port, the key, the database file and the static folder differ). Its stderr (the JSON log) is
kept in a file the tests read.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of `make run`: no DJANGO_* or database settings from the caller's shell."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "GUNICORN_", "PG")) and k not in {"DATABASE_URL", "CACHE_URL", "WEB_CONCURRENCY"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="calculator.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECURE="0",  # `make run` serves plain HTTP on loopback; TLS tests set it to 1
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def run_manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Server:
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]
    _log_offset: int = field(default=0)

    def request(
        self, method: str, path: str, body: bytes | str | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            if isinstance(body, str):
                body = body.encode()
            try:
                conn.request(method, path, body=body, headers=headers or {})
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered (413) before taking the whole body: read that answer
            raw = conn.getresponse()
            return Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
        finally:
            conn.close()

    def log(self) -> str:
        """Everything the server wrote to stderr so far."""
        time.sleep(0.2)  # let the worker flush its last line
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_server(tmp: Path, **env_overrides: str) -> Server:
    port = free_port()
    defaults = {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
    }
    env = production_env(**{**defaults, **env_overrides})
    log_path = tmp / f"gunicorn-{port}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [GUNICORN, "--config", "gunicorn.conf.py"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    server = Server(port, log_path, process)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited {process.returncode}:\n{log_path.read_text()}")
        try:
            server.request("GET", "/robots-probe")
            return server
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"gunicorn did not start:\n{log_path.read_text()}") from None
            time.sleep(0.1)


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("staticfiles")
    result = run_manage("collectstatic", "--noinput", "-v", "0", env=production_env(DJANGO_STATIC_ROOT=str(root)))
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="session")
def server_factory(
    tmp_path_factory: pytest.TempPathFactory, static_root: Path
) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def factory(**env_overrides: str) -> Server:
        tmp = tmp_path_factory.mktemp("server")
        server = start_server(tmp, DJANGO_STATIC_ROOT=str(static_root), **env_overrides)
        started.append(server)
        return server

    yield factory
    for server in started:
        stop_server(server)


@pytest.fixture(scope="session")
def production_server(server_factory: Callable[..., Server]) -> Server:
    """gunicorn + WhiteNoise as `make run` serves, rate limits high enough for the tests."""
    return server_factory(DJANGO_RATELIMIT_API="100000/60", DJANGO_RATELIMIT_PAGE="100000/60")
