"""/healthz reports the database; with the database unreachable the calculator keeps working."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from tests.ops.samples import api_json, page_query


@pytest.mark.db
@pytest.mark.django_db
def test_healthz_reports_the_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"status": "ok", "database": {"status": "ok", "vendor": connection.vendor}}


@pytest.mark.db
@pytest.mark.django_db
def test_the_database_is_the_one_database_url_names():
    """`make test-postgres` sets DATABASE_URL to a throwaway cluster: this run really is on it."""
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_sessions_round_trip_through_the_database_from_many_threads():
    """The tables the project has today (Django's sessions) under 20 concurrent writers
    (PostgreSQL; SQLite's in-memory test database takes one writer at a time)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connections

    def save(i: int) -> str:
        try:
            store = SessionStore()
            store["n"] = i
            store.create()
            return store.session_key
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20 if connection.vendor == "postgresql" else 1) as pool:
        keys = list(pool.map(save, range(200)))
    assert len(set(keys)) == 200
    assert sorted(SessionStore(session_key=k)["n"] for k in keys) == list(range(200))


def test_healthz_refuses_other_methods_in_json(client):
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["errors"][0]["message"].startswith("不支持的请求方法")


def test_healthz_refusal_follows_accept_language_as_the_apis_do(client):
    # A program asking in English gets the refusal in English (the pages ignore the header).
    response = client.post("/healthz", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert response["Content-Language"] == "en"
    assert response.json()["errors"][0]["message"] == "Method POST is not supported; use GET, HEAD."


def test_with_the_database_unreachable_healthz_says_so_and_the_calculator_works(server_factory):
    # A PostgreSQL address where nothing listens (loopback, port 9).
    server = server_factory(DATABASE_URL="postgres://calc:calc@127.0.0.1:9/calc")
    health = server.request("GET", "/healthz")
    assert health.status == 503
    assert health.json() == {"status": "degraded", "database": {"status": "unavailable", "vendor": "postgresql"}}
    page = server.request("GET", "/?" + page_query(3))
    assert page.status == 200 and "data-figure=" in page.text
    api = server.request("POST", "/api/v1/calculate", api_json(3), {"Content-Type": "application/json"})
    assert api.status == 200 and "totals" in api.json()
    for path in ("/policies/", "/about/"):
        assert server.request("GET", path).status == 200
    assert '"database": "unavailable"' in server.log()


def test_a_database_that_never_answers_holds_the_server_once_a_while_not_every_request(server_factory):
    # A listener that takes the connection and never answers (a dead host behind a firewall
    # that accepts): each try costs the connect timeout (1 s here) and a sync worker answers
    # nothing else meanwhile. After one failure the next requests are told at once
    # (DJANGO_DB_RETRY_SECONDS; calculator.ops.dbguard); the calculator never waits on it.
    import socket
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)  # never accepted, never answered
        port = silent.getsockname()[1]
        server = server_factory(DATABASE_URL=f"postgres://calc:calc@127.0.0.1:{port}/calc", DJANGO_DB_CONNECT_TIMEOUT="1")
        started = time.monotonic()
        assert server.request("GET", "/healthz").status == 503
        first = time.monotonic() - started
        started = time.monotonic()
        health = server.request("GET", "/healthz")
        saved = server.request("POST", "/api/v1/enquiries", api_json(2), {"Content-Type": "application/json"})
        api = server.request("POST", "/api/v1/calculate", api_json(3), {"Content-Type": "application/json"})
        after = time.monotonic() - started
    assert first >= 0.9  # it did try (and wait)
    assert health.status == 503 and saved.status == 503 and api.status == 200
    assert after < 0.9, after  # three answers in less than one connect timeout


def test_an_unmigrated_database_is_not_healthy(server_factory, tmp_path):
    # A fresh SQLite file with no tables: it answers "SELECT 1", but every save would fail.
    server = server_factory(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    health = server.request("GET", "/healthz")
    assert health.status == 503
    assert health.json() == {"status": "degraded", "database": {"status": "not_migrated", "vendor": "sqlite"}}
    assert "run manage.py migrate" in server.log()
    saved = server.request("POST", "/api/v1/enquiries", api_json(2), {"Content-Type": "application/json"})
    assert saved.status == 503
    assert "database unavailable (" in server.log()  # with the cause's kind, for the operator
