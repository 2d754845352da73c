"""`make run`'s server: gunicorn + WhiteNoise under the production settings, DEBUG off."""

from __future__ import annotations

import re


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_use_hashed_static_files_that_whitenoise_serves_compressed(production_server):
    page = production_server.request("GET", "/")
    assert page.status == 200
    urls = _static_urls(page.text)
    css = [u for u in urls if u.startswith("/static/css/app.") and u.endswith(".css")]
    js = [u for u in urls if u.startswith("/static/js/calculator.") and u.endswith(".js")]
    htmx = [u for u in urls if "/static/django_htmx/htmx" in u]
    assert css and js and htmx, urls
    for url in (css[0], js[0], htmx[0]):
        assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", url), url  # cache-busting name
        plain = production_server.request("GET", url)
        assert plain.status == 200 and len(plain.body) > 100
        assert "immutable" in plain.headers["cache-control"]
        assert "max-age=315360000" in plain.headers["cache-control"]
        gz = production_server.request("GET", url, headers={"Accept-Encoding": "gzip"})
        assert gz.headers.get("content-encoding") == "gzip"
        assert len(gz.body) < len(plain.body)


def test_debug_is_off_on_the_production_server(production_server):
    missing = production_server.request("GET", "/no-such-page/")
    assert missing.status == 404
    assert "找不到这个页面" in missing.text
    assert "URLconf" not in missing.text and "DEBUG = True" not in missing.text
    # The probe: a 3 MB POST to / gave the debug page with the environment.
    big = production_server.request("POST", "/", b"x" * (3 * 1024 * 1024), {"Content-Type": "text/plain"})
    assert big.status == 413
    assert "DATABASE_URL" not in big.text and "SECRET" not in big.text


def test_the_api_never_answers_500_to_hostile_bodies(production_server):
    cases = [
        (b"x" * int(2.7 * 1024 * 1024), {"Content-Type": "application/json"}, 413),
        (b"x" * (10 * 1024 * 1024), {"Content-Type": "application/json"}, 413),
        (b"{}", {"Content-Type": "text/plain"}, 415),
        (b"\xff\xfe{", {"Content-Type": "application/json"}, 400),
    ]
    for body, headers, status in cases:
        response = production_server.request("POST", "/api/v1/calculate", body, headers)
        assert response.status == status, (status, response.text[:200])
        assert response.json()["errors"][0]["field"] == "body" or status == 400


def test_a_malformed_content_length_never_reaches_django_as_a_500(production_server):
    import socket

    with socket.create_connection(("127.0.0.1", production_server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/calculate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: abc\r\nConnection: close\r\n\r\n{}"
        )
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 400")  # gunicorn itself refuses it, before Django


def test_every_answer_carries_the_security_headers(production_server):
    for path in ("/", "/about/", "/api/v1/regions", "/healthz", "/no-such-page/"):
        headers = production_server.request("GET", path).headers
        assert "script-src 'self'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY" or path.startswith("/api/") or path == "/healthz"
        assert headers["referrer-policy"] == "same-origin"
        assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])


def test_a_fifty_visit_page_as_a_browser_sends_it_is_answered(production_server):
    """The calculator is a GET form and a browser sends every field of every row (about 8 KB
    for the 50 rows the page allows): more than gunicorn's default request-line limit."""
    from urllib.parse import urlencode

    fields = {"region": "xuzhou", "status": "retired", "age": "67", "retired_on": "2015-06-30",
              "flexible_employment": "", "contribution_base": "", "account_balance": "", "prior_years_balance": ""}
    for i in range(50):
        fields.update({
            f"visits-{i}-date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", f"visits-{i}-level": "3",
            f"visits-{i}-setting": "clinic", f"visits-{i}-total": "1234.56", f"visits-{i}-excluded": "",
            f"visits-{i}-class_b": "", f"visits-{i}-offsite": "none", f"visits-{i}-price_class": "",
            f"visits-{i}-category": "general",
        })
    path = "/?" + urlencode(fields)
    assert len(path) > 8190  # over gunicorn's largest finite limit too
    page = production_server.request("GET", path)
    assert page.status == 200, page.text[:300]
    assert "第 50 次" in page.text and 'data-figure="fund_paid"' in page.text


def test_a_request_line_of_megabytes_is_refused_at_once(production_server):
    """gunicorn's C parser caps the request line at 1 MB (GUNICORN_LIMIT_REQUEST_LINE=0); the
    pure-Python one took 9 s for 5 MB and timed a worker out at 15 MB."""
    import socket
    import time

    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", production_server.port), timeout=20) as sock:
        try:
            sock.sendall(b"GET /?pad=" + b"1" * 5_000_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the whole line was sent: read the answer
        answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 431"), answer
    assert time.monotonic() - started < 3
    # A 50-row form (about 8 KB) still gets through: the calculator page answers.
    assert production_server.request("GET", "/?region=wuhan&pad=" + "1" * 20_000).status == 200


def test_a_chunked_calculation_through_gunicorn_is_411_not_a_json_error(production_server):
    import http.client
    import json

    conn = http.client.HTTPConnection("127.0.0.1", production_server.port, timeout=30)
    try:
        body = iter([b'{"region": "xuzhou", ', b'"status": "employed", "age": 40, "visits": []}'])
        conn.request("POST", "/api/v1/calculate", body=body, headers={"Content-Type": "application/json"}, encode_chunked=True)
        response = conn.getresponse()
        status, payload = response.status, json.loads(response.read())
    finally:
        conn.close()
    assert status == 411
    assert "Content-Length" in payload["errors"][0]["message"]
