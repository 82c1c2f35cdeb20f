"""Which database a request reads: GET requests read from the reader (`predictfluence.db`), everything
else and reads that must see the caller's own latest write use the writer.

Read-your-writes: a replica lags the writer by milliseconds to (rarely) seconds, so a manager who just
created a campaign and reloads the list could miss it. The site sends `X-Read-Your-Writes: 1` on every
request for `READ_YOUR_WRITES_SECONDS` after one of its writes succeeded (frontend_static/js/api.js), and
such a GET reads the writer. API clients do the same when they need it. Without a configured reader every
request uses the writer and the header changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from predictfluence.db import answering_requests, reading_from_reader

READ_YOUR_WRITES_HEADER = "X-Read-Your-Writes"
READ_YOUR_WRITES_SECONDS = 10  # the site's window; Aurora's replica lag is normally well under a second


def reads_from_reader(method: str, headers: Any) -> bool:
    """True when a request may read from the reader: a GET (or HEAD) without the read-your-writes header."""
    if method.upper() not in ("GET", "HEAD"):
        return False
    return not (headers or {}).get(READ_YOUR_WRITES_HEADER.lower())


def route_reads(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Chalice HTTP middleware (registered in app.py): runs the request with the right engine, its sessions
    without JIT (`answering_requests`)."""
    with reading_from_reader(reads_from_reader(event.method, event.headers)), answering_requests():
        return get_response(event)
