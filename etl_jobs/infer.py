"""Content inference for other tools' exports (docs/etl-profiles.md, "Inference"): the public face.

- `preview(head, file_name, kind, mapping)`: what the Data page shows before a load (the contract of
  issue 12: kind and candidates, each column's target with samples and confidence, the ambiguities, the
  mapping in the mapping-file format, `ready`).
- `header_signature(header)`: the key saved mappings are stored under.
- `SAVED_MAPPING_LOOKUP`: the hook the saved-mapping store sets (signature → mapping or None); the
  profiles loader applies a saved mapping when the file came with no explicit one.

Scoring and assignment are etl_jobs.infer_assign's, the value traits etl_jobs.infer_values'.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from etl_jobs import headers as hdr
from etl_jobs.header_aliases import COLUMN_TYPES
from etl_jobs.infer_assign import (
    LOW,
    SAMPLE_ROWS,
    Column,
    Inference,
    aliases_trusted,
    completed_aliases,
    infer_columns,
    kind_scores,
    parse_head,
)
from etl_jobs.infer_checks import Broken, broken_columns, prefer_exact_copies
from etl_jobs.reading import alias_key

__all__ = [
    "LOW",
    "SAMPLE_ROWS",
    "SAVED_MAPPING_LOOKUP",
    "Column",
    "Inference",
    "Broken",
    "aliases_trusted",
    "prefer_exact_copies",
    "broken_columns",
    "completed_aliases",
    "header_signature",
    "infer_columns",
    "kind_scores",
    "parse_head",
    "preview",
    "saved_mapping",
]

SAVED_MAPPING_LOOKUP: Callable[[str], dict[str, object] | None] | None = None  # signature → saved mapping


def header_signature(header: Sequence[str]) -> str:
    """sha256 (hex) of the header's normalised cells (etl_jobs.reading.alias_key), order-INSENSITIVE:
    sorted, empty cells dropped, joined by U+001F. A re-export with the columns moved keeps its mapping
    (mappings name headers, not positions)."""
    cells = sorted({alias_key(h) for h in header} - {""})
    return hashlib.sha256("\x1f".join(cells).encode("utf-8")).hexdigest()


def saved_mapping(header: Sequence[str]) -> dict[str, object] | None:
    """The saved mapping of this header's signature, when a lookup is set and has one."""
    lookup = SAVED_MAPPING_LOOKUP
    return lookup(header_signature(header)) if lookup is not None else None


def preview(head: bytes, file_name: str, kind: str | None = None, mapping: dict | None = None) -> dict:
    """What the Data page shows before a load (the contract in docs/etl-profiles.md)."""
    header, rows = parse_head(head)
    candidates = kind_scores(header, rows, file_name)
    best = kind or (candidates[0]["kind"] if candidates and candidates[0]["score"] > 0 else None)
    confidence = next((c["score"] for c in candidates if c["kind"] == best), 0.0)
    inference = infer_columns(header, rows, file_name, mapping)
    if mapping is None:
        mapping = saved_mapping(header)
    used = dict(mapping) if mapping else (_alias_mapping(header, rows) or inference.mapping)
    if inference.platform and "@platform" not in used and inference.platform_source != "column":
        used["@platform"] = inference.platform
    ready = inference.ready if not mapping and used is inference.mapping else _mapping_ready(header, used)
    if ready:
        _apply_broken(header, rows, used, inference)
    targets = {k: v for k, v in used.items() if not k.startswith("@")}
    columns = [_column_json(c, targets) for c in inference.columns]
    return {
        "kind": best,
        "kind_confidence": confidence,
        "kind_candidates": candidates,
        "platform": used.get("@platform") or inference.platform,
        "platform_source": inference.platform_source,
        "header_signature": header_signature(header),
        "rows_sampled": len(rows),
        "columns": columns,
        "ambiguous": [
            {k: v for k, v in a.items() if k != "required"}
            for a in inference.ambiguous
            if not ready or not a.get("required")
        ],
        "mapping": used,
        "ready": ready,
    }


def _apply_broken(
    header: Sequence[str], rows: Sequence[Sequence[str]], used: dict[str, Any], inference: Inference
) -> None:
    """The optional columns the load would drop (or take as the country) shown as such, and the mapping
    saying so (`ignore` / `country`), so that saving it and loading again gives the same result."""
    resolution = hdr.resolve(list(header), used)
    for broken in broken_columns(resolution, rows):
        column = inference.columns[broken.index]
        column.note = broken.note
        column.dropped = broken.target is None
        used[column.header] = broken.target or "ignore"


def _alias_mapping(header: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[str, str] | None:
    resolution = hdr.resolve(list(header))
    if not aliases_trusted(resolution, rows):
        return None
    return completed_aliases(header, rows) or {spec.header: spec.target for spec in resolution.specs}


def _mapping_ready(header: Sequence[str], mapping: dict[str, Any]) -> bool:
    try:
        return not hdr.resolve(list(header), mapping).missing()
    except hdr.MappingError:
        return False


def _column_json(c: Column, targets: dict[str, Any]) -> dict[str, Any]:
    target = targets.get(c.header, c.target)
    ranked = sorted(c.scores.items(), key=lambda kv: -kv[1])
    return {
        "index": c.index + 1,
        "header": c.header,
        "target": target,
        "confidence": c.scores.get(str(target), c.confidence),
        "samples": c.traits.samples,
        "why": c.why or c.note or "",
        "alternatives": [{"target": t, "confidence": s} for t, s in ranked if t != target and s >= 0.2][:3],
        "dropped": c.dropped,
        "note": c.note,
        "type": COLUMN_TYPES.get(str(target)),
    }
