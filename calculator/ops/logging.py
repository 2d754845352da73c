"""Structured logs: one JSON object per line, with the request id of the request being served.

What a line may carry is fixed here, not by the caller: the message, the logger, the level, the
request id, and the whitelisted fields of ``extra={"ops": {...}}`` (method, path, status,
duration). Nothing else of a log record is written, so a ``request`` object passed by Django
(``django.request`` does) never reaches the output. Exception messages can quote the input that
caused them (``invalid literal for int(): '98765.43'``), so their digits are masked; the
traceback's frames (file, line, function, source line) are kept as they are.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import traceback
from datetime import UTC, datetime
from typing import Any

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Fields a log line may carry from ``extra={"ops": {...}}``.
OPS_FIELDS = ("event", "method", "path", "status", "duration_ms", "rate_limited", "database")
_DIGITS = re.compile(r"\d")
# Exceptions whose messages quote the program's own names ("'NoneType' object has no attribute
# 'x'", "No module named 'x'", "Invalid block tag … 'x'"), never a request's values: an operator
# needs those names. (Database errors stay masked: they may quote a row's values.)
_NAMES_IN_MESSAGE = frozenset({
    "AttributeError", "ImportError", "ModuleNotFoundError", "NameError", "UnboundLocalError",
    "TemplateSyntaxError", "TemplateDoesNotExist", "NoReverseMatch", "ImproperlyConfigured",
})
_CODE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,80}")
_QUOTED_VALUE = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
# CJK ideographs and punctuation, full-width forms: a member's words in a message.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_MAX_MESSAGE = 300


def mask(text: str, names_kept: bool = False) -> str:
    """An exception message without the values it may quote (and not too long): figures,
    quoted values (a repr: KeyError: 'a cell of an imported file') and Chinese text (a name, a
    diagnosis typed into a cell), whatever the code that failed put into it. What is left says
    what went wrong and where; the traceback's lines say the rest. ``names_kept``: a message
    whose quotes name code (an attribute, a module, a template tag) keeps quoted names."""
    text = _QUOTED_VALUE.sub(lambda m: m.group(0) if names_kept and _CODE_NAME.fullmatch(m.group(0)[1:-1]) else m.group(0)[0] + "…" + m.group(0)[0], text)
    text = _CJK.sub("…", text)
    text = _DIGITS.sub("#", text)
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE] + "…"


class RequestIdFilter(logging.Filter):
    """Adds ``record.request_id`` (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class ClientFaultFilter(logging.Filter):
    """Django logs a refused request's ``SuspiciousOperation`` (a Host not in ALLOWED_HOSTS,
    more form fields than allowed, a malformed upload) on ``django.security.*`` at ERROR with
    its traceback. The client is at fault and the answer is a 400: such a record becomes a
    WARNING without the traceback, so an ERROR in the log always means the site failed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.security.") and record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def _exception_fields(exc_info: Any) -> dict[str, Any]:
    _, exc, _ = exc_info
    if exc is None:
        return {}
    tb = traceback.TracebackException.from_exception(exc, capture_locals=False)
    for part in _chain(tb):
        # The exception's message: a request's repr in it (Django's template errors quote
        # "<WSGIRequest: GET '/?age=…'>") carries the query string and a saved link's token.
        names_kept = getattr(part, "exc_type_str", None) in _NAMES_IN_MESSAGE or getattr(getattr(part, "exc_type", None), "__name__", None) in _NAMES_IN_MESSAGE
        part._str = mask(_QUERY_IN_TEXT.sub("?…", mask_tokens(str(getattr(part, "_str", "")))), names_kept)
        # Syntax errors carry the offending text; drop it with the rest of the message.
        if getattr(part, "text", None):
            part.text = mask(part.text)
    return {
        "exc_type": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "traceback": "".join(tb.format()),
    }


def _chain(tb: traceback.TracebackException) -> list[traceback.TracebackException]:
    seen: list[traceback.TracebackException] = []
    todo = [tb]
    while todo:
        part = todo.pop()
        if any(part is s for s in seen):
            continue
        seen.append(part)
        for nxt in (part.__cause__, part.__context__):
            if nxt is not None:
                todo.append(nxt)
        todo.extend(getattr(part, "exceptions", None) or [])
    return seen


# gunicorn's own lines quote what it refused ("Invalid request from ip=…: Invalid HTTP request
# line: 'GET /?age=67&visits-0-total=…'", "Error handling request /?…"): the query string may
# carry a member's figures and the address is the member's. Both are masked.
# Everything after the first "?": a malformed request line ("GET /?age=71 &visits-0-total=…")
# has spaces and quotes inside what would be the query string.
_QUERY = re.compile(r"\?.*", re.S)
# A query string inside an exception's message: up to the quote or space that ends the path.
_QUERY_IN_TEXT = re.compile(r"\?[^'\"\s>]*")
_PEER = re.compile(r"\bip=\S+?(?=:?\s|:?$)")


# A saved enquiry's token opens the member's figures: paths that carry one are logged without it.
# Also in the spellings that do not resolve but that a reader can correct by hand: "//e/",
# "/e//", "/e/./", "/E/" (all 404, and the token in them still opens the enquiry).
# ("/e/../e/<token>" and percent-escapes, "/e/%41bc…", which Django decodes, too.)
_TOKEN_PATH = re.compile(
    r"(/+e/+(?:(?:\.{1,2}|e)/+)*|/+api/+v1/+enquiries/+(?:(?:\.{1,2}|enquiries)/+)*)"
    r"(?!(?:save|import)/|ledger\.|template\.)[A-Za-z0-9_%-]+",
    re.IGNORECASE,
)


def mask_tokens(text: str) -> str:
    """``/e/AbC123/print/`` → ``/e/…/print/`` (the fixed pages under /e/ are kept)."""
    low = text.lower()
    return _TOKEN_PATH.sub(r"\1…", text) if ("/e/" in low or "/enquiries/" in low) else text


# What gunicorn quotes is what a client sent (a refused method, version or request line):
# "Invalid HTTP Version: '&visits-0-total=11111.11 HTTP/1.1'" carries figures without any "?".
_QUOTED = re.compile(r"'[^\n]*'|\"[^\n]*\"")


def server_message(message: str) -> str:
    """A gunicorn log message without query strings, quoted client input or client addresses."""
    return _PEER.sub("ip=…", _QUERY.sub("?…", _QUOTED.sub("'…'", message)))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = mask_tokens(record.getMessage())
        if record.name.startswith("gunicorn"):
            message = server_message(message)
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
            "message": message,
        }
        ops = getattr(record, "ops", None)
        if isinstance(ops, dict):
            line.update({key: ops[key] for key in OPS_FIELDS if key in ops})
        if record.exc_info:
            line.update(_exception_fields(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)
