"""The ETL trigger: S3 ObjectCreated → SQS → this handler → etl_jobs.pipeline.load_file.

Each SQS message body is an S3 event notification (one or more records); `s3:TestEvent` messages (sent
when the notification is configured) are skipped. Keys arrive URL-encoded (`raw/posts/a+b.csv`,
`%2F`): they are decoded with `unquote_plus`. Each object is streamed to a temporary file (memory stays
bounded) and loaded; a `<key>.mapping.json` object beside it is its header mapping.

Partial batch failures: one failing file must not fail the others. Chalice 1.34's `on_sqs_message`
returns the handler's return value to Lambda unchanged but has no option for the event source mapping's
`FunctionResponseTypes`, so the deployment template sets `ReportBatchItemFailures` on the Etl function's
SQS event (infra/resources.json, merged into `chalice package`). The handler processes every record and
returns `{"batchItemFailures": [{"itemIdentifier": <messageId>}, …]}` for the messages whose load
*failed* (database or S3 error: worth a retry; after maxReceiveCount the DLQ keeps them). Loaded,
rejected and already-loaded files succeed: a broken file is not retried forever, and a redelivered
good file is skipped by its checksum.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote_plus

from etl_jobs.base import SourceFile
from etl_jobs.pipeline import LoadOutcome, finish_batch, load_file
from etl_jobs.reading import MAPPING_SUFFIX, MAX_MAPPING_BYTES, MappingError, parse_mapping
from predictfluence.config import get_settings

log = logging.getLogger(__name__)

ETL_QUEUE = get_settings().etl_queue  # PF_ETL_QUEUE, read when Chalice loads the app
ETL_BATCH_SIZE = 5


# A record is started only while the invocation has at least this long left (the function's timeout is
# 900 s; a full-size upload loads well within it, docs/benchmarks.md): the rest are reported as batch item
# failures and SQS delivers them again, instead of Lambda killing the whole batch at its timeout.
# docs/reliability.md
MIN_REMAINING_MS = get_settings().etl_min_remaining_ms  # PF_ETL_MIN_REMAINING_MS


@dataclass(frozen=True)
class ObjectRef:
    bucket: str
    key: str
    force: bool = False  # a re-run (POST /etl/loads/{id}/rerun): reload even if this checksum was loaded
    version_id: str | None = None  # the version the event names (the raw bucket is versioned)


def s3_objects(body: str) -> list[ObjectRef]:
    """The created objects named by one SQS message body (an S3 event notification); [] for a TestEvent."""
    message = json.loads(body)
    if message.get("Event") == "s3:TestEvent":
        return []
    force = message.get("force") is True  # set only by the API's re-run message (S3 never sends it)
    refs = []
    for record in message.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record["s3"]
        refs.append(ObjectRef(s3["bucket"]["name"], unquote_plus(s3["object"]["key"]), force,
                              s3["object"].get("versionId") or None))
    return refs


def wanted(key: str) -> bool:
    """CSV uploads only: mapping files, reports and folder markers are not loads."""
    return not (key.endswith("/") or key.endswith(MAPPING_SUFFIX) or key.startswith(get_settings().reports_prefix))


def read_mapping(s3: Any, ref: ObjectRef) -> dict[str, Any] | None:
    """The `<key>.mapping.json` object beside the upload, None when there is none. A malformed one raises
    MappingError, which the load records as the file's rejection (not a retry into the dead-letter queue)."""
    try:
        body = s3.get_object(Bucket=ref.bucket, Key=ref.key + MAPPING_SUFFIX)["Body"].read(MAX_MAPPING_BYTES + 1)
    except s3.exceptions.NoSuchKey:
        return None
    return parse_mapping(body, PurePosixPath(ref.key).name + MAPPING_SUFFIX)


def load_object(ref: ObjectRef) -> LoadOutcome:
    from etl_jobs import infer
    from predictfluence.db import get_engine
    from predictfluence.queries.mappings import saved_mapping_lookup
    from predictfluence.storage import client

    # a file without its own mapping loads with the saved mapping of its header signature, if any
    infer.SAVED_MAPPING_LOOKUP = saved_mapping_lookup(get_engine())

    s3 = client("s3")
    mapping, mapping_error = None, None
    try:
        mapping = read_mapping(s3, ref)
    except MappingError as exc:
        mapping_error = str(exc)
    suffix = PurePosixPath(ref.key).suffix or ".csv"
    with tempfile.TemporaryDirectory(prefix="pf-etl-") as folder:
        path = Path(folder) / f"object{suffix}"
        extra = {"VersionId": ref.version_id} if ref.version_id else None
        s3.download_file(ref.bucket, ref.key, str(path), ExtraArgs=extra)
        source = SourceFile(path=path, key=ref.key, mapping=mapping, mapping_error=mapping_error)
        return load_file(get_engine(), source, bucket=ref.bucket, refresh_rollups=False, force=ref.force)


def handle_message(body: str) -> list[LoadOutcome]:
    outcomes = []
    for ref in s3_objects(body):
        if not wanted(ref.key):
            log.info("skipping s3://%s/%s", ref.bucket, ref.key)
            continue
        outcome = load_object(ref)
        log.info("s3://%s/%s: %s %s", ref.bucket, ref.key, outcome.status, outcome.message)
        outcomes.append(outcome)
    return outcomes


def handle_sqs_batch(records: Iterable[Any], remaining_ms: Callable[[], float] | None = None,
                     ) -> dict[str, list[dict[str, str]]]:
    """Process every record; report the ones to retry as `batchItemFailures`. The post-load work
    (`finish_batch`: the API's rollups, the retraining trigger) runs once after the batch, not per file. `remaining_ms` is the Lambda context's
    `get_remaining_time_in_millis`: records not yet started when less than MIN_REMAINING_MS is left are
    reported as failures, so SQS redelivers them (they are not retries of a broken file). The guard needs
    an invocation long enough to keep that reserve (more than twice it at the start, as the deployed
    ETL's 900 s); shorter contexts (Chalice's local 3 s one) run every record."""
    failures = []
    loaded: list[LoadOutcome] = []
    guarded = remaining_ms is not None and remaining_ms() > 2 * MIN_REMAINING_MS
    for record in records:
        message_id = record.to_dict().get("messageId", "")
        if guarded and remaining_ms() < MIN_REMAINING_MS:
            log.warning("SQS message %s not started: %.0f ms left in this invocation", message_id, remaining_ms())
            failures.append({"itemIdentifier": message_id})
            continue
        try:
            outcomes = handle_message(record.body)
            loaded += outcomes
            ok = all(o.status != "failed" for o in outcomes)
        except Exception:  # a bad message or an S3 error: retry this one, keep going with the others
            log.exception("SQS message %s failed", message_id)
            ok = False
        if not ok:
            failures.append({"itemIdentifier": message_id})
    if loaded:
        from predictfluence.db import get_engine

        finish_batch(get_engine(), loaded)
    return {"batchItemFailures": failures}
