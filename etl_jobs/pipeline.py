"""Load one CSV file: checksum, structural checks, kind, one transaction, `etl_load` row, report.

Semantics (docs/etl.md has the long form):

- **All-or-nothing per file.** The `etl_load` row and every data write happen in ONE transaction: a crash
  mid-file leaves nothing behind (no row, no `processing` load), so a retry simply loads.
- **Idempotent.** The `etl_load` row is claimed first with `INSERT … ON CONFLICT DO NOTHING` against the
  partial unique index `uq_etl_load_checksum_kind_done (checksum, kind) WHERE status <> 'failed'`. The
  same bytes delivered again load once; a concurrent second delivery blocks on the index until the
  first commits, then skips (or, when the first rolled back, loads). `force=True` re-runs the load and
  updates that same `etl_load` row.
- **Structural rejections** (empty file, no header, invalid UTF-8, NUL bytes, gzip bytes, truncated or
  unterminated CSV, missing required columns, unknown kind) reject the whole file: nothing is loaded
  and an `etl_load` row with status `rejected` and the reason is written in its own short transaction.
  A header-only file is not an error: it loads with 0 rows.
- **Row rejections** (bad values, unknown references, duplicates, …) are reported with their line in a
  JSON report next to the file (`raw/<kind>/x.csv` → `reports/<kind>/x.csv.json` in the same bucket;
  local files under `<PF_DATA_DIR>/reports/`), counted in `etl_load`; the good rows load.
- **Unexpected errors** (database down, a bug) roll back everything and record a `failed` load; the
  caller (SQS) retries and a retry is not blocked by the failed row.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import json
import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl_jobs.base import MAX_REPORT_REASON, FileRejected, KindResult, Rejection, SourceFile, clip
from etl_jobs.kinds import LOADER_MODULES, get_loader
from etl_jobs.staging import line_break

log = logging.getLogger(__name__)

CHUNK = 1 << 20
UNKNOWN_KIND = "unknown"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_LINE_BYTES = 1 << 20  # a longer physical line rejects the file in the first scan, before anything parses it
MAX_COLUMNS = 1_000  # as etl_jobs.staging.MAX_COLUMNS


@dataclass
class LoadOutcome:
    load_id: int | None
    kind: str
    status: str  # loaded | rejected | skipped_duplicate | failed
    rows_in: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    report_key: str | None = None
    message: str = ""
    checksum: str = ""
    rejections: list[Rejection] | None = None  # first rejections (at most the report's), for the CLI

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("rejections")
        return data


# --- structure -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    checksum: str
    size: int
    encoding: str  # utf-8 | utf-16


def scan(path: Path) -> Scan:
    """Stream the file once: sha256 of the bytes and the structural checks that need every byte, among
    them the length of every physical line (at most MAX_LINE_BYTES), which bounds what any later reader
    holds at once."""
    digest = hashlib.sha256()
    size = 0
    lines = 1
    run = 0  # bytes since the last line break
    eol = b"\n"
    decoder: Any = None
    encoding = "utf-8"
    error: str | None = None
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if size == 0:
                eol = line_break(chunk)[-1:]
                if chunk[:2] == b"\x1f\x8b":
                    error = "the file is gzip-compressed; upload the uncompressed CSV"
                elif chunk[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
                    encoding = "utf-16"
                elif chunk[:4] == b"PK\x03\x04":
                    error = "the file is a ZIP archive (e.g. an .xlsx workbook), not a CSV"
                decoder = codecs.getincrementaldecoder(encoding)("strict")
            size += len(chunk)
            if error:
                continue
            first_break = chunk.find(eol)
            longest = run + (len(chunk) if first_break < 0 else first_break)
            run = len(chunk) - chunk.rfind(eol) - 1 if first_break >= 0 else longest
            if max(longest, run) > MAX_LINE_BYTES:  # lines between two breaks of one chunk are shorter than CHUNK
                error = _long_line(lines if longest > MAX_LINE_BYTES else lines + chunk.count(eol))
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines + chunk.count(b"\n", 0, exc.start)
                error = (
                    f"the file is not valid {encoding.upper()} (byte 0x{chunk[exc.start]:02x} on line {line}); "
                    "save it as UTF-8"
                )
                continue
            if encoding == "utf-8" and b"\x00" in chunk:
                line = lines + chunk.count(b"\n", 0, chunk.index(b"\x00"))
                error = f"the file contains NUL bytes (line {line}): it is binary, not a CSV"
            lines += chunk.count(eol)
        if decoder is not None and not error:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                error = f"the file ends in the middle of a {encoding.upper()} character (truncated?)"
    result = Scan(digest.hexdigest(), size, encoding)
    if error:
        raise _Rejected(result, FileRejected(error))
    return result


def _long_line(line: int) -> str:
    limit = f"{MAX_LINE_BYTES // 1024:,} KiB"
    if line == 1:
        return f"the first line is longer than {limit}: not a CSV header row"
    return f"line {line:,} is longer than {limit}, the longest row a file may hold (docs/reliability.md)"


class _Rejected(Exception):
    def __init__(self, scanned: Scan, rejection: FileRejected):
        super().__init__(rejection.reason)
        self.scan = scanned
        self.rejection = rejection


@contextlib.contextmanager
def utf8_copy(source: SourceFile, scanned: Scan) -> Iterator[SourceFile]:
    """The source as UTF-8: UTF-16 files are transcoded (streaming) into a temporary file."""
    if scanned.encoding == "utf-8":
        yield source
        return
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="pf-utf8-")
    try:
        with open(source.path, encoding="utf-16", newline="") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            while block := src.read(CHUNK):
                dst.write(block)
        yield replace(source, path=Path(name))
    finally:
        os.unlink(name)


def _is_blank(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(CHUNK)
        if head.strip(b"\xef\xbb\xbf \t\r\n"):
            return False
        return not handle.read(1)


def read_header(source: SourceFile) -> list[str]:
    with open(source.path, encoding="utf-8-sig", newline="") as handle:
        try:
            for row in csv.reader(handle):
                if len(row) > MAX_COLUMNS:
                    raise FileRejected(f"the header has {len(row):,} columns; at most {MAX_COLUMNS:,} are supported")
                return row
        except csv.Error as exc:
            raise FileRejected(f"the header row is not valid CSV ({exc})") from exc
    return []


def _apply_mapping(header: list[str], mapping: dict[str, Any] | None) -> list[str]:
    if not mapping:
        return header
    from etl_jobs.staging import normalize_header

    renames = {normalize_header(k): v for k, v in mapping.items() if isinstance(v, str) and not v.startswith("@")}
    return [renames.get(normalize_header(cell), cell) for cell in header]


_DATA_CELL = re.compile(r"^\s*[-+]?[\d.,]+%?\s*$|^\s*\d{4}-\d{2}-\d{2}")


def _looks_like_data(header: list[str]) -> bool:
    cells = [c for c in header if c.strip()]
    return bool(cells) and sum(bool(_DATA_CELL.match(c)) for c in cells) * 2 >= len(cells)


_LOCAL_KIND = re.compile(r"(?:^|/)raw/([^/]+)/[^/]+$")


def kind_from_key(key: str) -> str | None:
    """The kind a file was uploaded as. An S3 key names it as the first segment after the raw prefix, at
    any depth below it (upload tickets issue `raw/<kind>/<date>/<random>-<name>.csv`); a local path as
    the folder `raw/<kind>/` holding the file."""
    from predictfluence.config import get_settings

    key = key.replace("\\", "/")
    prefix = get_settings().raw_prefix.rstrip("/") + "/"
    if key.startswith(prefix):
        kind, slash, _ = key[len(prefix):].partition("/")
        return kind if slash and kind else None
    found = _LOCAL_KIND.search(key)
    return found.group(1) if found else None


def detect_kind(source: SourceFile, explicit: str | None) -> str:
    """Explicit kind, else the key prefix `raw/<kind>/`, else the header. A chosen kind (explicit or
    from the key) whose header is plainly another kind's is rejected naming both."""
    known = ", ".join(LOADER_MODULES)
    if explicit:
        if explicit not in LOADER_MODULES:
            raise FileRejected(f"unknown kind {explicit!r}; known kinds: {known}")
        return _check_chosen_kind(source, explicit)
    from_key = kind_from_key(source.key)
    if from_key is not None:
        if from_key not in LOADER_MODULES:
            raise FileRejected(f"unknown kind {from_key!r} in the key {source.key!r}; known kinds: {known}")
        return _check_chosen_kind(source, from_key)
    header = _apply_mapping(read_header(source), source.mapping)
    if not header or not any(c.strip() for c in header):
        raise FileRejected("no header row: the first line is empty")
    candidates = []
    for name in LOADER_MODULES:
        try:
            loader = get_loader(name)
        except ImportError:  # a kind whose module is not installed in this package
            continue
        if loader.matches_header(list(header)):
            candidates.append(name)
    if not candidates:
        if _looks_like_data(header):
            raise FileRejected("no header row: the first line looks like data, not column names")
        raise FileRejected(
            f"unknown kind: the header ({', '.join(repr(c) for c in header[:8])}) matches no known kind; "
            f"known kinds: {known} (put the file under raw/<kind>/ or pass the kind)"
        )
    if len(candidates) > 1:
        from etl_jobs.spec import KINDS
        from etl_jobs.staging import normalize_header

        names = {normalize_header(c) for c in header}

        def score(kind: str) -> tuple[int, int]:
            spec = KINDS.get(kind)
            cols = set(spec.column_names) if spec else set()
            return (len(names & cols), -len(cols))

        candidates.sort(key=score, reverse=True)
    return candidates[0]


def _check_chosen_kind(source: SourceFile, kind: str) -> str:
    """A warehouse kind chosen at upload whose header is not its own but exactly another warehouse kind's
    (every required column there, every cell one of its columns) is a wrong choice, not a file to load
    half of: e.g. an influencers file uploaded as hires."""
    from etl_jobs.spec import KINDS
    from etl_jobs.staging import header_matches

    if kind not in KINDS:
        return kind
    header = read_header(source)
    if header_matches(KINDS[kind], header, source.mapping):
        return kind
    others = [k for k in KINDS if k != kind and header_matches(KINDS[k], header, source.mapping)]
    if others:
        raise FileRejected(
            f"the file was uploaded as {kind}, but its header ({', '.join(header[:8])}) is the header of the {others[0]} kind; "
            f"upload it as {others[0]}, or give it the {kind} columns ({', '.join(KINDS[kind].column_names)})",
            {"chosen_kind": kind, "header_kind": others[0]},
        )
    return kind


# --- reports -------------------------------------------------------------------------------------------


def neutralise(value: str | None) -> str | None:
    """A cell that a spreadsheet would run as a formula gets a leading `'` (CSV/formula injection)."""
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def report_location(source: SourceFile, kind: str, bucket: str | None) -> str:
    from predictfluence.config import get_settings

    settings = get_settings()
    if bucket:
        key = source.key
        if key.startswith(settings.raw_prefix):
            key = key[len(settings.raw_prefix):]
        return f"{settings.reports_prefix}{key}.json"
    return str(settings.data_dir / "reports" / kind / f"{PurePosixPath(source.key.replace(os.sep, '/')).name}.json")


def write_report(location: str, bucket: str | None, body: dict[str, Any]) -> None:
    data = json.dumps(body, indent=1, ensure_ascii=False, default=str).encode()
    if bucket:
        from predictfluence.storage import client

        client("s3").put_object(Bucket=bucket, Key=location, Body=data, ContentType="application/json")
        return
    path = Path(location)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _report_body(source: SourceFile, outcome: LoadOutcome, result: KindResult | None, reason: str | None) -> dict:
    rejections = result.rejections if result else []
    return {
        "file": source.key,
        "kind": outcome.kind,
        "load_id": outcome.load_id,
        "checksum": outcome.checksum,
        "status": outcome.status,
        "error": clip(reason, MAX_REPORT_REASON),
        "rows_in": outcome.rows_in,
        "rows_loaded": outcome.rows_loaded,
        "rows_rejected": outcome.rows_rejected,
        "reasons": dict(Counter(r.reason for r in rejections).most_common()),
        "rejections_listed": len(rejections),
        "notes": [clip(note, MAX_REPORT_REASON) for note in result.notes] if result else [],
        "rejections": [
            {"line": r.line, "reason": r.reason, "column": r.column, "value": neutralise(r.value)}
            for r in rejections
        ],
    }


# --- the load ------------------------------------------------------------------------------------------

_CLAIM = sa.text(
    "INSERT INTO etl_load (file_key, checksum, kind, status) VALUES (:key, :checksum, :kind, :status) "
    "ON CONFLICT (checksum, kind) WHERE status <> 'failed' DO NOTHING RETURNING id"
)
_EXISTING = sa.text(
    "SELECT id, status FROM etl_load WHERE checksum = :checksum AND kind = :kind AND status <> 'failed'"
)


def load_file(
    engine: Engine,
    source: SourceFile,
    kind: str | None = None,
    force: bool = False,
    bucket: str | None = None,
    refresh_rollups: bool = True,
) -> LoadOutcome:
    """Load one CSV file (see the module docstring). `bucket` is the S3 bucket of `source.key`, if any:
    the report is written there; local files get a local report. `refresh_rollups=False` leaves the
    refresh of the API's rollups to the caller (the SQS handler refreshes once per batch, see
    `refresh_rollups_after`)."""
    key_kind = kind_from_key(source.key)
    label = kind or (key_kind if key_kind in LOADER_MODULES else None) or UNKNOWN_KIND  # for rejections
    try:
        scanned = scan(source.path)
    except _Rejected as rejected:
        return _record_rejection(engine, source, label, rejected.scan.checksum, rejected.rejection.reason, bucket)
    with utf8_copy(source, scanned) as utf8:
        try:
            if source.mapping_error:
                raise FileRejected(source.mapping_error)
            if _is_blank(utf8.path):
                raise FileRejected("the file is empty")
            kind = detect_kind(utf8, kind)
        except FileRejected as exc:
            return _record_rejection(engine, source, label, scanned.checksum, exc.reason, bucket)
        outcome = _load(engine, utf8, source, kind, scanned.checksum, force, bucket)
    if refresh_rollups:
        refresh_rollups_after(engine, [outcome])
    return outcome


def refresh_rollups_after(engine: Engine, outcomes: list[LoadOutcome]) -> None:
    """One refresh of the API's rollups when any of `outcomes` committed rows of a kind that feeds them."""
    if any(o.status == "loaded" and o.rows_loaded and o.kind in ROLLUP_KINDS for o in outcomes):
        _refresh_rollups(engine)


# Kinds whose rows feed the API's rollups (predictfluence.queries.rollups).
ROLLUP_KINDS = frozenset({"influencers", "posts", "post_metrics", "audience", "profiles"})


def _refresh_rollups(engine: Engine) -> None:
    """Refresh the API's materialized rollups after a committed load. A failure here must not turn the
    committed load into a retry (the retry would be skipped as a duplicate): it is logged, and the next
    load's refresh catches up."""
    from predictfluence.queries import rollups

    try:
        rollups.refresh(engine)
    except Exception:  # noqa: BLE001
        log.exception("refreshing the rollups after a load failed; they catch up on the next load")


def _load(engine: Engine, utf8: SourceFile, source: SourceFile, kind: str, checksum: str, force: bool,
          bucket: str | None) -> LoadOutcome:
    outcome = LoadOutcome(load_id=None, kind=kind, status="loaded", checksum=checksum)
    try:
        with engine.connect() as conn, conn.begin():
            params = {"key": source.key, "checksum": checksum, "kind": kind, "status": "processing"}
            load_id = conn.execute(_CLAIM, params).scalar()
            if load_id is None:
                existing = conn.execute(_EXISTING, params).first()
                if not force:
                    outcome.status = "skipped_duplicate"
                    outcome.load_id = existing.id if existing else None
                    outcome.message = (
                        f"already {existing.status if existing else 'loaded'} as load {outcome.load_id} "
                        "(same checksum and kind); use force to reload"
                    )
                    return outcome
                load_id = conn.execute(
                    sa.text("SELECT id FROM etl_load WHERE id = :id FOR UPDATE"), {"id": existing.id}
                ).scalar_one()
            outcome.load_id = load_id
            result = get_loader(kind).load(conn, utf8)
            outcome.rows_in = result.rows_in
            outcome.rows_loaded = result.rows_loaded
            outcome.rows_rejected = result.rows_in - result.rows_loaded
            outcome.rejections = result.rejections
            outcome.report_key = report_location(source, kind, bucket)
            write_report(outcome.report_key, bucket, _report_body(source, outcome, result, None))
            conn.execute(
                sa.text(
                    "UPDATE etl_load SET status = 'loaded', file_key = :key, rows_in = :rows_in, "
                    "rows_loaded = :rows_loaded, rows_rejected = :rows_rejected, report_key = :report_key, "
                    "error = NULL, started_at = now(), finished_at = clock_timestamp() WHERE id = :id"
                ),
                {"key": source.key, "rows_in": outcome.rows_in, "rows_loaded": outcome.rows_loaded,
                 "rows_rejected": outcome.rows_rejected, "report_key": outcome.report_key, "id": load_id},
            )
            outcome.message = (
                f"loaded {outcome.rows_loaded:,} of {outcome.rows_in:,} rows"
                + (f"; {outcome.rows_rejected:,} rejected (see {outcome.report_key})" if outcome.rows_rejected else "")
            )
            if result.notes:
                outcome.message += "; notes: " + "; ".join(result.notes)
            return outcome
    except FileRejected as exc:
        return _record_rejection(engine, source, kind, checksum, exc.reason, bucket)
    except Exception as exc:  # anything else: nothing was committed; record the failure, let the caller retry
        log.exception("load of %s failed", source.key)
        return _record_failure(engine, source, kind, checksum, exc)


def _record_rejection(engine: Engine, source: SourceFile, kind: str, checksum: str, reason: str,
                      bucket: str | None) -> LoadOutcome:
    outcome = LoadOutcome(load_id=None, kind=kind, status="rejected", checksum=checksum,
                          message=f"file rejected: {reason}")
    with engine.connect() as conn, conn.begin():
        params = {"key": source.key, "checksum": checksum, "kind": kind[:32], "status": "rejected"}
        outcome.load_id = conn.execute(_CLAIM, params).scalar()
        if outcome.load_id is None:
            existing = conn.execute(_EXISTING, params).first()
            outcome.load_id = existing.id if existing else None
        outcome.report_key = report_location(source, kind, bucket)
        write_report(outcome.report_key, bucket, _report_body(source, outcome, None, reason))
        conn.execute(
            sa.text("UPDATE etl_load SET error = :error, report_key = :report_key, finished_at = clock_timestamp() "
                    "WHERE id = :id AND status = 'rejected'"),
            {"error": clip(reason, MAX_REPORT_REASON), "report_key": outcome.report_key, "id": outcome.load_id},
        )
    return outcome


def failure_message(exc: BaseException) -> str:
    """What `etl_load.error` keeps of an unexpected error, which every viewer reads through `/etl/loads`:
    a short message and, for a database error, its SQLSTATE — never the statement, its bound rows or the
    server's source file (the full error is in the ETL's log)."""
    orig = getattr(exc, "orig", exc)
    info = orig.args[0] if getattr(orig, "args", None) and isinstance(orig.args[0], dict) else None
    if info is not None and info.get("C"):
        first_line = str(info.get("M", "")).splitlines()[0] if info.get("M") else "database error"
        return f"database error SQLSTATE {info['C']}: {clip(first_line, 200)} (details in the ETL's log)"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return clip(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, 200) or ""


def _record_failure(engine: Engine, source: SourceFile, kind: str, checksum: str, exc: Exception) -> LoadOutcome:
    message = failure_message(exc)
    outcome = LoadOutcome(load_id=None, kind=kind, status="failed", checksum=checksum,
                          message=f"load failed, nothing was loaded: {message}")
    try:
        with engine.connect() as conn, conn.begin():
            outcome.load_id = conn.execute(
                sa.text("INSERT INTO etl_load (file_key, checksum, kind, status, error, finished_at) "
                        "VALUES (:key, :checksum, :kind, 'failed', :error, clock_timestamp()) RETURNING id"),
                {"key": source.key, "checksum": checksum, "kind": kind[:32], "error": message},
            ).scalar_one()
    except Exception:  # the database itself may be what failed
        log.exception("could not record the failed load of %s", source.key)
    return outcome


def recent_loads(engine: Engine, limit: int = 20) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT id, file_key, kind, status, rows_in, rows_loaded, rows_rejected, report_key, error, "
                    "started_at, finished_at FROM etl_load ORDER BY id DESC LIMIT :limit"),
            {"limit": limit},
        ).mappings().all()
    return [dict(r) for r in rows]


def load_path(engine: Engine, path: Path, kind: str | None = None, mapping: dict[str, Any] | None = None,
              force: bool = False) -> LoadOutcome:
    """Load a local file (the CLI and the dev stack): key = the path as given."""
    return load_file(engine, SourceFile(path=path, key=str(path), mapping=mapping), kind=kind, force=force)
