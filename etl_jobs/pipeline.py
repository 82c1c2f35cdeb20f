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
- **Progress.** While the file loads, the rows processed so far go to `etl_load_progress` on a second
  connection (etl_jobs.progress), once per COPY block or batch; `GET /etl/loads` shows them.
- **After a batch** (`finish_batch`): the daily facts' month partitions (`partitions.ensure`, issue 16.2:
  the current and next month, and the months a backfill put in the DEFAULT partition moved out), the API's
  rollups updated for the keys the batch touched (`rollups.apply`, issue 16.1), then the retraining trigger.

Reading the file is etl_jobs.reading's (scan, header, mapping), the kind etl_jobs.detect's and the report
etl_jobs.report's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl_jobs.base import FileRejected, Rejection, SourceFile
from etl_jobs.detect import chosen_kind, detect_kind, kind_from_key
from etl_jobs.kinds import LOADER_MODULES, get_loader
from etl_jobs.progress import Progress
from etl_jobs.reading import Scan, ScanRejected, read_header, scan, utf8_copy
from etl_jobs.report import MAX_REPORT_REASON, clip, report_body, report_location, write_report

log = logging.getLogger(__name__)

UNKNOWN_KIND = "unknown"


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


# --- the load ------------------------------------------------------------------------------------------

_CLAIM = sa.text(
    "INSERT INTO etl_load (file_key, checksum, kind, status) VALUES (:key, :checksum, :kind, :status) "
    "ON CONFLICT (checksum, kind) WHERE status <> 'failed' DO NOTHING RETURNING id"
)
_EXISTING = sa.text(
    "SELECT id, status FROM etl_load WHERE checksum = :checksum AND kind = :kind AND status <> 'failed'"
)

_MARK_LOADED = sa.text(
    "UPDATE etl_load SET status = 'loaded', file_key = :key, rows_in = :rows_in, rows_loaded = :rows_loaded, "
    "rows_rejected = :rows_rejected, report_key = :report_key, error = NULL, started_at = now(), "
    "finished_at = clock_timestamp() WHERE id = :id"
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
    post-load work to the caller (the SQS handler calls `finish_batch` once per batch); otherwise the
    rollups are refreshed after this one load.

    The file is opened twice (a UTF-16 file once more, to transcode it): the scan (checksum, checks and
    the header row) and the loader's own pass over the rows."""
    key_kind = kind_from_key(source.key)
    label = kind or (key_kind if key_kind in LOADER_MODULES else None) or UNKNOWN_KIND  # for rejections
    try:
        scanned = scan(source.path)
    except ScanRejected as rejected:
        return _record_rejection(
            engine, source, label, rejected.scan.checksum, rejected.rejection.reason, bucket
        )
    with utf8_copy(source, scanned) as utf8:
        try:
            kind, header = _kind_and_header(utf8, scanned, kind)
        except FileRejected as exc:
            return _record_rejection(engine, source, label, scanned.checksum, exc.reason, bucket)
        outcome = _load(
            engine, replace(utf8, header=tuple(header)), source, kind, scanned.checksum, force, bucket
        )
    if refresh_rollups:
        finish_batch(engine, [outcome], retrain=False)
    return outcome


def _kind_and_header(utf8: SourceFile, scanned: Scan, explicit: str | None) -> tuple[str, list[str]]:
    """The structural checks after the scan, in order: the mapping, an empty file, the kind's name, the
    header row, the kind against the header."""
    if utf8.mapping_error:
        raise FileRejected(utf8.mapping_error)
    if scanned.blank:
        raise FileRejected("the file is empty")
    chosen = chosen_kind(utf8.key, explicit)
    header = read_header(utf8.path, scanned)
    return detect_kind(header, utf8.mapping, chosen, scanned.head), header


# Kinds whose rows feed the API's rollups (predictfluence.queries.rollups).
ROLLUP_KINDS = frozenset({"influencers", "posts", "post_metrics", "audience", "profiles"})
# Kinds written to the month-partitioned daily facts (post_metric_daily, conversion_daily; issue 16.2).
FACT_KINDS = frozenset({"post_metrics", "conversions"})


def finish_batch(engine: Engine, outcomes: Iterable[LoadOutcome], retrain: bool = True) -> None:
    """The work after a batch of loads has committed: one update of the API's rollups when any load
    committed rows of a kind that feeds them, then (`retrain`, the deployed ETL) a retraining started
    when enough new daily metrics have arrived. A local load (`load_file`, the CLI) refreshes the
    rollups only: retraining is started there by hand (`predictfluence ml retrain`). Neither failure
    turns committed loads into a retry: both are logged."""
    outcomes = list(outcomes)
    if any(o.status == "loaded" and o.rows_loaded and o.kind in FACT_KINDS for o in outcomes):
        _ensure_partitions(engine)
    if any(o.status == "loaded" and o.rows_loaded and o.kind in ROLLUP_KINDS for o in outcomes):
        _refresh_rollups(engine)
    if retrain:
        start_retraining_if_due(outcomes)


def _ensure_partitions(engine: Engine) -> None:
    """Once per batch, after its loads committed: month partitions for the months the facts now need (a row of
    a month without one went to the DEFAULT partition: always written, moved here). Best effort: a failure
    (e.g. lock_timeout while an operator detaches) leaves rows in DEFAULT, where they are read as usual."""
    from predictfluence.queries import partitions

    try:
        with engine.begin() as conn:
            partitions.ensure(conn)
    except Exception:  # noqa: BLE001
        log.exception("creating the daily facts' month partitions failed; the next batch retries")


def _refresh_rollups(engine: Engine) -> None:
    """Update the API's rollups for the keys the committed loads queued (their triggers did; `rollups.apply`
    recomputes only those). A failure here must not turn the committed load into a retry (the retry would be
    skipped as a duplicate): it is logged, the keys stay queued, and the next batch's apply catches up."""
    from predictfluence.queries import rollups

    try:
        rollups.apply(engine)
    except Exception:  # noqa: BLE001
        log.exception("updating the rollups after a load failed; the next batch catches up")


def start_retraining_if_due(outcomes: Iterable[LoadOutcome]) -> None:
    """Enough new daily metrics since the last training start a retrain (asynchronously). A failure to
    start one is logged, never turned into a retry of loads that already committed."""
    from predictfluence.retraining import maybe_retrain_after_load

    metric_rows = sum(o.rows_loaded for o in outcomes if o.kind == "post_metrics" and o.status == "loaded")
    if not metric_rows:
        return
    try:
        maybe_retrain_after_load(metric_rows)
    except Exception:  # noqa: BLE001
        log.exception("could not start retraining after loading %s metric rows", metric_rows)


def _load(
    engine: Engine,
    utf8: SourceFile,
    source: SourceFile,
    kind: str,
    checksum: str,
    force: bool,
    bucket: str | None,
) -> LoadOutcome:
    outcome = LoadOutcome(load_id=None, kind=kind, status="loaded", checksum=checksum)
    try:
        # the progress row (etl_jobs.progress) is deleted after the load's transaction has ended
        with Progress(engine, source.key, kind) as progress, engine.connect() as conn, conn.begin():
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
            progress.start(load_id)
            result = get_loader(kind).load(conn, utf8)
            outcome.rows_in = result.rows_in
            outcome.rows_loaded = result.rows_loaded
            outcome.rows_rejected = result.rows_in - result.rows_loaded
            outcome.rejections = result.rejections
            outcome.report_key = report_location(source, kind, bucket)
            write_report(outcome.report_key, bucket, report_body(source, outcome, result, None))
            counts = {"rows_in": outcome.rows_in, "rows_loaded": outcome.rows_loaded, "rows_rejected": outcome.rows_rejected}
            conn.execute(_MARK_LOADED, {"key": source.key, **counts, "report_key": outcome.report_key, "id": load_id})
            outcome.message = f"loaded {outcome.rows_loaded:,} of {outcome.rows_in:,} rows" + (
                f"; {outcome.rows_rejected:,} rejected (see {outcome.report_key})"
                if outcome.rows_rejected
                else ""
            )
            if result.notes:
                outcome.message += "; notes: " + "; ".join(result.notes)
            return outcome
    except FileRejected as exc:
        return _record_rejection(engine, source, kind, checksum, exc.reason, bucket)
    except Exception as exc:  # anything else: nothing was committed; record the failure, let the caller retry
        log.exception("load of %s failed", source.key)
        return _record_failure(engine, source, kind, checksum, exc)


def _record_rejection(
    engine: Engine, source: SourceFile, kind: str, checksum: str, reason: str, bucket: str | None
) -> LoadOutcome:
    outcome = LoadOutcome(
        load_id=None, kind=kind, status="rejected", checksum=checksum, message=f"file rejected: {reason}"
    )
    with engine.connect() as conn, conn.begin():
        params = {"key": source.key, "checksum": checksum, "kind": kind[:32], "status": "rejected"}
        outcome.load_id = conn.execute(_CLAIM, params).scalar()
        if outcome.load_id is None:
            existing = conn.execute(_EXISTING, params).first()
            outcome.load_id = existing.id if existing else None
        outcome.report_key = report_location(source, kind, bucket)
        write_report(outcome.report_key, bucket, report_body(source, outcome, None, reason))
        conn.execute(
            sa.text(
                "UPDATE etl_load SET error = :error, report_key = :report_key, finished_at = clock_timestamp() "
                "WHERE id = :id AND status = 'rejected'"
            ),
            {
                "error": clip(reason, MAX_REPORT_REASON),
                "report_key": outcome.report_key,
                "id": outcome.load_id,
            },
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


def _record_failure(
    engine: Engine, source: SourceFile, kind: str, checksum: str, exc: Exception
) -> LoadOutcome:
    message = failure_message(exc)
    outcome = LoadOutcome(
        load_id=None,
        kind=kind,
        status="failed",
        checksum=checksum,
        message=f"load failed, nothing was loaded: {message}",
    )
    try:
        with engine.connect() as conn, conn.begin():
            outcome.load_id = conn.execute(
                sa.text(
                    "INSERT INTO etl_load (file_key, checksum, kind, status, error, finished_at) "
                    "VALUES (:key, :checksum, :kind, 'failed', :error, clock_timestamp()) RETURNING id"
                ),
                {"key": source.key, "checksum": checksum, "kind": kind[:32], "error": message},
            ).scalar_one()
    except Exception:  # the database itself may be what failed
        log.exception("could not record the failed load of %s", source.key)
    return outcome


def load_path(
    engine: Engine,
    path: Path,
    kind: str | None = None,
    mapping: dict[str, Any] | None = None,
    force: bool = False,
) -> LoadOutcome:
    """Load a local file (the CLI and the dev stack): key = the path as given."""
    return load_file(engine, SourceFile(path=path, key=str(path), mapping=mapping), kind=kind, force=force)
