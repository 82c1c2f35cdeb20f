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
from etl_jobs.base import KindResult, Rejection
from etl_jobs.header_aliases import LOCALISED_ERRORS
from etl_jobs.spec import MAX_INT_DIGITS

MAX_NOTES = 300
# Distinct cell texts whose parsed value parse_row keeps per column (a file repeats its platforms,
# categories, countries, dates and rates on every row; issue 16.8). A column of unique values stops
# filling its cache at this size.
CACHE_CELLS = 4096
_MISS = object()
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
        self.cells = 0  # per-cell notes so far: parse_row caches only a value that cost no note

    def add(self, text: str) -> None:
        if len(self.notes) < MAX_NOTES:
            self.notes.append(text)
        else:
            self.dropped += 1

    def cell(self, what: str, column: str, text: str) -> None:
        self.cells += 1
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


class FileRows:
    """The data rows of one file, checked and parsed in order: `parse(line, row)` gives the row to write, or
    None when it was rejected into `result` (wrong cell count, a bad value, a duplicate of an earlier
    row's platform/handle/as_of). Keeps the keys seen and parse_row's caches for the whole file."""

    def __init__(
        self,
        width: int,
        plan: list[tuple[hdr.ColumnSpec, str | None]],
        platform: str,
        as_of: dt.date,
        result: KindResult,
        notes: Notes,
    ) -> None:
        self.width, self.plan, self.platform, self.as_of = width, plan, platform, as_of
        self.result, self.notes = result, notes
        self.latest = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)  # a later as_of is in the future
        self.seen: dict[tuple[str, str, dt.date], int] = {}
        self.columns = columns_of(plan)

    def parse(self, line: int, row: list[str]) -> dict[str, Any] | None:
        width = self.width
        if len(row) < width or (len(row) > width and "".join(row[width:]).strip()):
            self.result.reject(Rejection(line, f"row has {len(row)} cells; the header has {width}", None, None))
            return None
        parsed = parse_row(line, row, self.columns, self.notes)
        if isinstance(parsed, Rejection):
            self.result.reject(parsed)
            return None
        problem = _complete(line, parsed, self.platform, self.as_of, self.latest)
        if problem:
            self.result.reject(problem)
            return None
        key = (parsed["platform"], parsed["handle"], parsed["as_of"])
        if key in self.seen:
            reason = f"duplicate of line {self.seen[key]} ({key[0]}/{key[1]} as of {key[2]})"
            self.result.reject(Rejection(line, reason, "handle", parsed["handle"]))
            return None
        self.seen[key] = line
        return parsed


# One column of a file as parse_row reads it: (spec, extra key, name in the row or extra, the column's cache
# of parsed cell texts, 1 / 2 when a plain whole number is a count / an amount else 0).
Column = tuple[hdr.ColumnSpec, str | None, str, dict[str, Any], int]


def columns_of(plan: list[tuple[hdr.ColumnSpec, str | None]]) -> list[Column]:
    """The plan's columns with an empty cache each and whether their plain whole numbers take the fast path:
    an unscaled count or amount column of the row (extras keep their own number forms)."""
    columns: list[Column] = []
    for spec, extra_key in plan:
        whole = 0 if extra_key or spec.scale != 1 else {"count": 1, "amount": 2}.get(spec.type, 0)
        columns.append((spec, extra_key, extra_key or spec.target, {}, whole))
    return columns


def parse_row(
    line: int,
    row: list[str],
    plan: list[tuple[hdr.ColumnSpec, str | None]] | list[Column],
    notes: Notes,
) -> dict[str, Any] | Rejection:
    """The row's cells parsed; a Rejection for a bad value of a required column. With the `columns_of`
    list of a file as `plan` (FileRows), each column's cache remembers a cell text's value when parsing it
    cost no note and no error: the next cell with that text is a dict lookup. A cell of ASCII digits in a
    count or amount column is read with int() — the value parse_count / parse_amount give it."""
    columns: list[Column] = plan if plan and len(plan[0]) == 5 else columns_of(plan)  # type: ignore[assignment, arg-type]
    out: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    formula_like: list[str] = []
    errors: list[tuple[str, str, str]] = []  # (column, value, reason)
    for spec, extra_key, column, cache, whole in columns:
        raw = row[spec.index]
        value = cache.get(raw, _MISS)
        if value is _MISS and whole and raw.isdigit() and raw.isascii() and len(raw) <= MAX_INT_DIGITS:
            value = int(raw) if whole == 1 else float(int(raw))
        if value is not _MISS:
            if not extra_key:
                out[column] = value
            elif value is not None:
                extra[extra_key] = value
            continue
        cells = notes.cells
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
        if notes.cells == cells and len(cache) < CACHE_CELLS:
            cache[raw] = value
        if extra_key:
            if value is not None:
                extra[extra_key] = value
        else:
            out[column] = value
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
    if text.isascii() and text.isprintable() and "  " not in text:
        return text  # no mojibake marker and no space to collapse: what the lines below return
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
    return _complete(line, row, platform, as_of, today + dt.timedelta(days=1))


def _complete(line: int, row: dict[str, Any], platform: str, as_of: dt.date, latest: dt.date) -> Rejection | None:
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
    if snapshot_date > latest:
        return Rejection(line, f"as_of {snapshot_date} is in the future", "as_of", str(snapshot_date))
    if snapshot_date < EARLIEST_AS_OF:
        return Rejection(
            line, f"as_of {snapshot_date} is before {EARLIEST_AS_OF}", "as_of", str(snapshot_date)
        )
    row["as_of"] = snapshot_date
    return None
