"""Scoring chunks: the scoring queue → score one id-range chunk of a run (issue 16.3).

The retrain function starts a run (predictfluence_ml.scoring.start_run) and sends one message per chunk,
`{"run_id", "chunk", "types_by_platform"}`; parallel invocations of this handler score the chunks and the
one that completes the run swaps its scores into influencer_score. A failed chunk is reported in
`batchItemFailures`, so SQS redelivers it (after maxReceiveCount receives it goes to the dead-letter
queue and the run stays incomplete, its chunk `failed` with the error); a chunk delivered twice is
skipped. A message that is not a chunk (bad JSON, no run_id/chunk) is logged and dropped: retrying it
cannot help. The ML code is imported inside the handler (app.py is imported by every function).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from predictfluence.config import get_settings

log = logging.getLogger(__name__)
SCORE_QUEUE = get_settings().score_queue  # PF_SCORE_QUEUE, read when Chalice loads the app
SCORE_BATCH_SIZE = 1  # one chunk per invocation: chunks run in parallel, each well under a minute


def parse_chunk(body: str) -> dict[str, Any] | None:
    """The message's chunk reference, or None if the body is not one."""
    try:
        message = json.loads(body)
    except (TypeError, ValueError):
        return None
    if not isinstance(message, dict):
        return None
    run_id, chunk = message.get("run_id"), message.get("chunk")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (run_id, chunk)):
        return None
    return message


def handle_score_batch(records: Iterable[Any]) -> dict[str, list[dict[str, str]]]:
    """Score each record's chunk; report the ones to retry as `batchItemFailures`."""
    from predictfluence.db import get_engine
    from predictfluence_ml.scoring import StaleChunk, score_message

    failures = []
    for record in records:
        message_id = record.to_dict().get("messageId", "")
        message = parse_chunk(record.body)
        if message is None:
            log.error("scoring message %s is not a chunk reference; dropped: %.200s", message_id, record.body)
            continue
        try:
            result = score_message(get_engine(), message)
        except StaleChunk as exc:  # its run (or the model version) was deleted: nothing left to score
            log.warning("scoring message %s dropped: %s", message_id, exc)
            continue
        except Exception:  # retry this chunk; keep going with the others
            log.exception("scoring message %s failed", message_id)
            failures.append({"itemIdentifier": message_id})
            continue
        else:
            log.info("scoring run %s chunk %s: %s, %d rows in %.1f s%s", result.run_id, result.chunk,
                     result.status, result.rows, result.seconds, " (run complete)" if result.completed_run else "")
    return {"batchItemFailures": failures}
