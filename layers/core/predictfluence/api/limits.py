"""The API's limits in one place (docs/reliability.md, "API limits and cache TTLs", lists them with what a
client sees when each is hit).

Request bodies (checked in `predictfluence.api.routing` before any JSON decoding, for every route that
takes a body):
- MAX_BODY_BYTES: a larger body is 413 `payload_too_large` (the largest real body, a campaign with a
  2,000-character description, is ~3 KB);
- MAX_JSON_DEPTH: deeper nesting of arrays/objects is 400 `bad_request` (the models nest 1 level);
- MAX_NUMBER_CHARS: a longer number literal is 400 (no field takes more than 20 digits), and a float
  that overflows (1e400) or NaN/Infinity is 400.

API keys (revocation takes effect within AUTHORIZER_TTL_SECONDS + KEY_CACHE_SECONDS everywhere, and at
once on admin routes, which re-check the key against the database uncached):
- AUTHORIZER_TTL_SECONDS: how long API Gateway caches the authorizer's answer per token;
- KEY_CACHE_SECONDS: how long one process (a warm authorizer or API Lambda) trusts a verified key.

ETL loads (`GET /etl/loads`, `GET /etl/loads/{id}`):
- MAX_LOAD_ERROR_CHARS: `error` is clipped to this many characters (and to its first line);
- REPORT_MAX_ITEMS / REPORT_MAX_STRING: the inline report keeps at most this many entries per list (the
  first rejections) and characters per string; REPORT_MAX_NODES bounds the whole inline report;
- REPORT_MAX_READ_BYTES: a larger report object is not read at all (only linked);
- REPORT_URL_SECONDS: lifetime of the presigned GET for the full report.
"""

from __future__ import annotations

MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
MAX_NUMBER_CHARS = 40

AUTHORIZER_TTL_SECONDS = 5
KEY_CACHE_SECONDS = 5.0

MAX_LOAD_ERROR_CHARS = 300
REPORT_MAX_ITEMS = 100
REPORT_MAX_STRING = 200
REPORT_MAX_NODES = 5_000
REPORT_MAX_READ_BYTES = 8 * 1024 * 1024
REPORT_URL_SECONDS = 300
