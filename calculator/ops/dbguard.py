"""A database that could not be reached is remembered for a while, per process.

A database that drops connections silently (a firewall, a dead host) costs each attempt the
whole connect timeout (``DJANGO_DB_CONNECT_TIMEOUT``), and a sync worker answers nothing
else meanwhile: a few saves or health probes at once would hold every worker and stall the
calculator, which never needs the database (issue 9: it keeps working with the database
unreachable). After a failed connection, saving, reopening and /healthz answer "unavailable"
at once for ``DJANGO_DB_RETRY_SECONDS`` (15 by default) before one request tries again. Only
connecting counts: a query refused or two saves in conflict on an open connection do not.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DatabaseError, connections

_down_until = [0.0]  # time.monotonic() until which the database is taken as unreachable


def connected() -> bool:
    """The default database's connection, made if need be; False (at once while a failure is
    remembered) when it cannot be made."""
    return unreachable() is None


def unreachable() -> str | None:
    """None when the default database is connected (the connection made if need be); else
    why not, for the log: the failure's kind, or that one was remembered (not tried again)."""
    if time.monotonic() < _down_until[0]:
        return "unreachable a moment ago, not tried again yet"
    try:
        connections["default"].ensure_connection()
    except DatabaseError as exc:
        _down_until[0] = time.monotonic() + settings.DB_RETRY_SECONDS
        return type(exc).__name__
    return None


def reset() -> None:
    """Forget a failure (tests)."""
    _down_until[0] = 0.0
