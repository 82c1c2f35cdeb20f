"""The checks after a profiles file's mapping is chosen (etl_jobs.infer): an optional column whose
sampled values mostly fail its type is dropped for the file (or taken as the country), and a metric given
twice under one header is read from its exact copy. Both return notes for the load report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from etl_jobs import headers as hdr
from etl_jobs import values as val
from etl_jobs.infer_assign import REQUIRED, sample_columns
from etl_jobs.infer_values import is_missing, traits
from etl_jobs.reading import alias_key


@dataclass(frozen=True)
class Broken:
    """An optional column `broken_columns` took out: its index, its new target (None: dropped), the note."""

    index: int
    target: str | None
    note: str


def broken_columns(resolution: hdr.HeaderResolution, rows: Sequence[Sequence[str]]) -> list[Broken]:
    """Drop from `resolution` each optional profiles column most of whose sampled non-empty values (more
    than half, at least 3) fail its type; a dropped column whose values are countries becomes the country
    column when the file has none. Returns what changed, each with the note naming the column and a sample
    of its values."""
    from etl_jobs.profile_rows import cell_fails

    notes: list[Broken] = []
    columns = sample_columns(resolution.headers, rows)
    for target, spec in list(resolution.columns.items()):
        if target in REQUIRED or spec.type == "text":
            continue
        values = [v for v in columns[spec.index] if not is_missing(v)]
        bad = [v for v in values if cell_fails(v, spec)]
        if len(bad) < 3 or len(bad) * 2 <= len(values):
            continue
        del resolution.columns[target]
        sample = ", ".join(repr(v) for v in list(dict.fromkeys(bad))[:3])
        t = traits(columns[spec.index])
        if "country" not in resolution.columns and t["country"] >= 0.8:
            resolution.columns["country"] = hdr.ColumnSpec(spec.index, spec.header, "country", "text")
            note = (
                f"column {spec.header!r} holds countries, not {target} ({len(bad)} of {len(values)} "
                f"sampled values, e.g. {sample}): loaded as the country"
            )
            notes.append(Broken(spec.index, "country", note))
        else:
            note = (
                f"column {spec.header!r} dropped for this file: {len(bad)} of {len(values)} sampled "
                f"values are not {spec.type} for {target} (e.g. {sample}); the rows load without it"
            )
            notes.append(Broken(spec.index, None, note))
    return notes


def _number(raw: str) -> float | None:
    try:
        value = val.parse_decimal_count(raw)
    except ValueError:
        return None
    return float(value) if value is not None else None


def prefer_exact_copies(
    resolution: hdr.HeaderResolution, header: Sequence[str], rows: Sequence[Sequence[str]]
) -> list[str]:
    """A metric given twice under the same header (`22.2M`, then `22213456`): the later copy, ignored by
    the header rules as a repeat, is used instead when its sampled values are plain integers, the used
    column's are not, and the two agree within 5 % on at least 80 % of the rows where both have a value.
    Returns the notes."""
    notes: list[str] = []
    keys = [alias_key(h) for h in header]
    columns = sample_columns(header, rows)
    for target, spec in list(resolution.columns.items()):
        if spec.type not in ("count", "amount") or spec.scale != 1:
            continue
        for other in range(spec.index + 1, len(header)):
            if keys[other] != keys[spec.index]:
                continue
            used, copy = traits(columns[spec.index]), traits(columns[other])
            if copy.present == 0 or copy["int"] < 0.99 or used["int"] >= 0.99:
                continue
            pairs = [
                (_number(a), _number(b)) for a, b in zip(columns[spec.index], columns[other], strict=True)
            ]
            both = [(a, b) for a, b in pairs if a is not None and b is not None]
            close = sum(abs(a - b) <= 0.05 * max(a, b, 1.0) for a, b in both)
            if both and close >= 0.8 * len(both):
                resolution.columns[target] = replace(spec, index=other)
                notes.append(
                    f"header {spec.header!r} appears twice with the same figures; column {other + 1} "
                    f"(exact numbers) is used for {target}, column {spec.index + 1} (rounded) ignored"
                )
                break
    return notes
