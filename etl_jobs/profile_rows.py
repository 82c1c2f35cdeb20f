"""One row of a `profiles` file: its cells parsed by their column's type (etl_jobs.values), the row
completed with the file's defaults and checked, and the notes the report gets about the cells.

A bad value rejects the row naming the column, the value and the reason (the first of several, the
others appended); an extra column's bad value is kept as text with a note. Formula-looking text is kept
as data, flagged in ``extra.formula_like``, and neutralised where it is exported.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from etl_jobs import headers as hdr
from etl_jobs import normalise as norm
from etl_jobs import values as val
from etl_jobs.base import Rejection
from etl_jobs.header_aliases import LOCALISED_ERRORS

MAX_NOTES = 300
# Columns whose bad value rejects the row: the required ones and the snapshot's date (a wrong date would
# file the figures under another day); any other column's bad value is left empty with a note.
ROW_REQUIRED: tuple[str, ...] = (*hdr.REQUIRED, "as_of")
PER_CELL_NOTES = 20
EARLIEST_AS_OF = dt.date(2004, 1, 1)
TEXT_LIMITS: dict[str, int] = {"handle": 255, "name": 10_000, "category": 64, "country": 64}
PLATFORM_ALIASES = norm.PLATFORM_ALIASES  # one alias table: etl_jobs.normalise
# File-name tokens that name a platform (short ambiguous ones such as "x" and "tt" are column-only).
FILENAME_PLATFORMS: dict[str, str] = {k: v for k, v in PLATFORM_ALIASES.items() if k not in ("x", "tt")}


def normalize_platform(raw: str) -> str | None:
    return norm.platform(raw)


def platform_from_filename(key: str) -> str | None:
    stem = PurePosixPath(key.replace("\\", "/")).name.lower()
    for token in re.split(r"[^a-z0-9]+", stem):
        if token in FILENAME_PLATFORMS:
            return FILENAME_PLATFORMS[token]
    return None


def _json_number(value: Decimal | float | int) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class Notes:
    """Notes for the report. Per-cell notes are grouped by (what, column): the first
    PER_CELL_NOTES of a group are listed with their line, the rest summarised with a count."""

    def __init__(self, notes: list[str]):
        self.notes = notes
        self.dropped = 0
        self.groups: dict[tuple[str, str], int] = {}

    def add(self, text: str) -> None:
        if len(self.notes) < MAX_NOTES:
            self.notes.append(text)
        else:
            self.dropped += 1

    def cell(self, what: str, column: str, text: str) -> None:
        seen = self.groups.get((what, column), 0)
        self.groups[(what, column)] = seen + 1
        if seen < PER_CELL_NOTES:
            self.add(text)

    def close(self) -> None:
        for (what, column), count in self.groups.items():
            if count > PER_CELL_NOTES:
                self.add(f"column {column!r}: {count - PER_CELL_NOTES} more cell(s) with {what}")
        if self.dropped:
            self.notes.append(f"… and {self.dropped} more notes")


def parse_row(
    line: int, row: list[str], plan: list[tuple[hdr.ColumnSpec, str | None]], notes: Notes
) -> dict[str, Any] | Rejection:
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    formula_like: list[str] = []
    errors: list[tuple[str, str, str]] = []  # (column, value, reason)
    for spec, extra_key in plan:
        raw = row[spec.index]
        column = extra_key or spec.target
        try:
            value = _cell(raw, line, spec, extra_key, notes)
        except ValueError as exc:
            if column in ROW_REQUIRED:
                errors.append((column, raw, str(exc)))
            else:  # a bad optional cell costs a note, not the row (issue 12.2)
                _optional_left_empty(line, spec, raw, str(exc), notes)
                out[column] = None
            continue
        if spec.target == "handle" and value is not None:
            value = value.lstrip("@").strip() or None
        if isinstance(value, str) and val.looks_like_formula(value):
            formula_like.append(column)
            notes.cell(
                "formula-like text",
                spec.header,
                f"line {line}, column {spec.header!r}: text {value!r} looks like a spreadsheet formula; "
                "kept as data, neutralise it in exports",
            )
        if extra_key:
            if value is not None:
                extra[extra_key] = value
        else:
            out[spec.target] = value
    if errors:
        column, raw, reason = errors[0]
        if len(errors) > 1:
            reason += "; also " + "; ".join(f"{c}: {r}" for c, _, r in errors[1:])
        return Rejection(line, reason, column, raw)
    for what, column, text in norm.profile_row(out, extra):
        notes.cell(what, column, f"line {line}: {text}")
    if formula_like:
        extra["formula_like"] = formula_like
    out["extra"] = extra or None
    return out


def _optional_left_empty(line: int, spec: hdr.ColumnSpec, raw: str, reason: str, notes: Notes) -> None:
    notes.cell(
        "bad optional values left empty",
        spec.header,
        f"line {line}, column {spec.header!r}: {reason}; {raw!r} left empty (an optional column)",
    )


def cell_fails(raw: str, spec: hdr.ColumnSpec) -> bool:
    """Whether a non-empty cell fails its column's type (etl_jobs.infer drops a column where most do)."""
    try:
        _parse_value(val.clean(raw), spec)
    except ValueError:
        return True
    return False


def _cell(raw: str, line: int, spec: hdr.ColumnSpec, extra_key: str | None, notes: Notes) -> Any:
    """One cell's value (None when empty); ValueError for a bad value of a profiles column."""
    text = val.clean(raw)
    if not text:
        return None
    if text[0] == "#" and (text.upper() in val.SPREADSHEET_ERRORS or text.upper() in LOCALISED_ERRORS):
        notes.cell(
            "spreadsheet errors treated as empty",
            spec.header,
            f"line {line}, column {spec.header!r}: spreadsheet error {text.upper()} treated as empty",
        )
        return None
    if spec.type == "text":
        return _text(text, line, spec, notes)
    try:
        return _parse_value(text, spec)
    except ValueError as exc:
        if not extra_key:
            raise
        # Extras are free-form: keep the text rather than lose the row.
        notes.cell(
            "values kept as text", spec.header, f"line {line}, column {spec.header!r}: {exc}; kept as text"
        )
        return _text(text, line, spec, notes)


def _text(text: str, line: int, spec: hdr.ColumnSpec, notes: Notes) -> str | None:
    """A cleaned text cell: None for null tokens, mojibake repaired (with a note), spaces collapsed."""
    if val.is_empty(text):
        return None
    repaired = val.repair_mojibake(text)
    value = val.collapse_spaces(repaired)
    if repaired is not text:
        notes.cell(
            "mis-encoded text repaired",
            spec.header,
            f"line {line}, column {spec.header!r}: repaired mis-encoded text {text!r} → {value!r}",
        )
    return value


def _parse_value(raw: str, spec: hdr.ColumnSpec) -> Any:
    if spec.type == "count":
        if spec.extra_key:
            number = val.parse_decimal_count(raw, spec.scale)
            return None if number is None else _json_number(number)
        return val.parse_count(raw, spec.scale)
    if spec.type == "amount":
        if spec.extra_key:
            number = val.parse_decimal_count(raw, spec.scale)
            return None if number is None else _json_number(number)
        return val.parse_amount(raw, spec.scale)
    if spec.type == "rate":
        return val.parse_rate(raw, spec.percent)
    if spec.type == "date":
        return val.parse_date(raw)
    return val.parse_text(raw)


def complete_row(
    line: int, row: dict[str, Any], platform: str, as_of: dt.date, today: dt.date
) -> Rejection | None:
    """Fill defaults and check the whole row; a Rejection when it cannot load."""
    handle = row.get("handle")
    if isinstance(handle, str):
        handle = handle.lstrip("@").strip() or None
    if not handle:
        return Rejection(line, "missing handle", "handle", None)
    row["handle"] = handle
    if row.get("platform"):
        normalised = normalize_platform(row["platform"])
        if normalised is None:
            return Rejection(line, f"unknown platform {row['platform']!r}", "platform", row["platform"])
        row["platform"] = normalised
    else:
        row["platform"] = platform
    for column, limit in TEXT_LIMITS.items():
        text = row.get(column)
        if isinstance(text, str) and len(text) > limit:
            return Rejection(line, f"{column} longer than {limit} characters", column, text[:80])
    snapshot_date = row.get("as_of") or as_of
    if snapshot_date > today + dt.timedelta(days=1):
        return Rejection(line, f"as_of {snapshot_date} is in the future", "as_of", str(snapshot_date))
    if snapshot_date < EARLIEST_AS_OF:
        return Rejection(
            line, f"as_of {snapshot_date} is before {EARLIEST_AS_OF}", "as_of", str(snapshot_date)
        )
    row["as_of"] = snapshot_date
    return None
