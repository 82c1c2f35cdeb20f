"""The `profiles` kind: external profile-level data → `influencer` + `influencer_snapshot`.

Sources: public lists such as the top-200 Instagram dataset and CSV exports of other influencer tools,
one platform per file, each with its own headers (resolved by etl_jobs.headers) and value forms
(parsed by etl_jobs.values). See docs/etl-profiles.md.

Per row: the handle is required (a leading ``@`` is dropped); bad values reject the row with its line,
column, value and reason; a handle seen earlier in the file rejects the later row. Good rows:

- upsert ``influencer`` on (platform, handle); name, category, country and followers are set when the
  row has them, never blanked by an empty cell;
- upsert ``influencer_snapshot`` on (influencer_id, as_of, source) with followers, posts, avg_likes,
  avg_views, engagement_rate and ``extra`` (rank, influence score, … and unrecognised columns).

``as_of`` is the row's as_of/date column, else the mapping's ``@as_of``, else the load date (UTC).
``source`` is ``file:<file name without extension>`` (or the mapping's ``@source``), so reloading a
corrected file on the same day replaces its snapshots, and each file is its own source.

Writes are batched: one statement per 5,000 rows (the rows as one JSON parameter → jsonb_to_recordset
→ INSERT … ON CONFLICT into both tables). The loader reads the file in one streaming pass; memory holds
one batch plus the set of keys seen.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from etl_jobs import headers as hdr
from etl_jobs import values as val
from etl_jobs.base import FileRejected, KindResult, Rejection, SourceFile
from etl_jobs.reading import (
    MappingError,
    alias_key,
    mapping_paths_beside,
    open_text,
    read_mapping_file,
    records,
)

BATCH_ROWS = 5_000
MAX_NOTES = 300
PER_CELL_NOTES = 20
EARLIEST_AS_OF = dt.date(2004, 1, 1)
DEFAULT_PLATFORM = "instagram"
TEXT_LIMITS: dict[str, int] = {"handle": 255, "name": 10_000, "category": 64, "country": 64}
PLATFORM_ALIASES: dict[str, str] = {
    "instagram": "instagram",
    "insta": "instagram",
    "ig": "instagram",
    "tiktok": "tiktok",
    "tt": "tiktok",
    "youtube": "youtube",
    "yt": "youtube",
    "twitter": "twitter",
    "x": "twitter",
    "facebook": "facebook",
    "fb": "facebook",
    "twitch": "twitch",
    "snapchat": "snapchat",
    "pinterest": "pinterest",
    "linkedin": "linkedin",
    "threads": "threads",
}
# File-name tokens that name a platform (short ambiguous ones such as "x" and "tt" are column-only).
FILENAME_PLATFORMS: dict[str, str] = {k: v for k, v in PLATFORM_ALIASES.items() if k not in ("x", "tt")}
_PLATFORM_VALUE = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")
_METRICS = ("posts", "avg_likes", "avg_views", "engagement_rate")
# The canonical `influencers` kind header must not be mistaken for a profiles file.
_INFLUENCERS_HEADER = ("platform", "handle", "name", "category", "country", "language", "followers")


def normalize_platform(raw: str) -> str | None:
    key = re.sub(r"[\W_]+", "", raw.casefold())
    if key in PLATFORM_ALIASES:
        return PLATFORM_ALIASES[key]
    candidate = raw.strip().lower()
    return candidate if _PLATFORM_VALUE.match(candidate) else None


def platform_from_filename(key: str) -> str | None:
    stem = PurePosixPath(key.replace("\\", "/")).name.lower()
    for token in re.split(r"[^a-z0-9]+", stem):
        if token in FILENAME_PLATFORMS:
            return FILENAME_PLATFORMS[token]
    return None


def default_source(key: str) -> str:
    name = PurePosixPath(key.replace("\\", "/")).name
    stem = name.split(".", 1)[0] if not name.startswith(".") else name
    return f"file:{stem}"[:128]


def _json_number(value: Decimal | float | int) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


class _Notes:
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


class ProfilesLoader:
    kind = "profiles"

    def matches_header(self, header: list[str]) -> bool:
        normalised = tuple(alias_key(h) for h in header)
        if normalised == _INFLUENCERS_HEADER:
            return False
        resolution = hdr.resolve(header)
        return not resolution.missing() and any(m in resolution.columns for m in _METRICS)

    def load(self, conn: Connection, source: SourceFile) -> KindResult:
        result = KindResult(rows_in=0, rows_loaded=0)
        notes = _Notes(result.notes)
        try:
            with open_text(source) as text:
                self._load(conn, source, text, result, notes)
        except UnicodeDecodeError as exc:
            raise FileRejected(
                f"the file is not valid UTF-8 text ({exc.reason}); save it as CSV UTF-8"
            ) from exc
        notes.close()
        result.note_unlisted()
        return result

    # -- one file ----------------------------------------------------------------------------------

    def _load(
        self, conn: Connection, source: SourceFile, text: io.TextIOWrapper, result: KindResult, notes: _Notes
    ) -> None:
        rows = records(text)
        try:
            _, header = next(rows)
        except StopIteration:
            raise FileRejected("empty file: no header row") from None
        if not any(cell.strip() for cell in header):
            raise FileRejected("the first row is empty: no header row")
        mapping = source.mapping
        if mapping is None:
            mapping = self._mapping_beside(source, notes)
        try:
            resolution = hdr.resolve(header, mapping)
        except hdr.MappingError as exc:
            raise FileRejected(
                f"bad header mapping: {exc}", {"headers": [hdr.display(h) for h in header]}
            ) from exc
        missing = resolution.missing()
        if missing:
            found = [h for h in resolution.headers if h]
            raise FileRejected(
                f"missing required column(s) {', '.join(missing)}; headers found: {', '.join(found) or '(none)'}. "
                "Add the column or map a header to it with a mapping file (--map mapping.json or "
                "<file>.mapping.json).",
                {"missing": missing, "headers": found},
            )
        for note in resolution.notes:
            notes.add(note)

        platform_default = self._platform_default(source, resolution, notes)
        as_of_default = self._as_of_default(resolution)
        src = resolution.defaults.get("source", default_source(source.key))[:128]
        today = dt.datetime.now(dt.UTC).date()

        plan = [(spec, spec.extra_key) for spec in resolution.specs]  # computed once, used per row
        seen: dict[tuple[str, str, dt.date], int] = {}
        batch: list[dict[str, Any]] = []
        blank = 0
        width = len(header)
        for line, row in rows:
            if not any(cell.strip() for cell in row):
                blank += 1
                continue
            result.rows_in += 1
            if len(row) < width or any(cell.strip() for cell in row[width:]):
                result.reject(
                    Rejection(line, f"row has {len(row)} cells; the header has {width}", None, None)
                )
                continue
            parsed = self._parse_row(line, row, plan, notes)
            if isinstance(parsed, Rejection):
                result.reject(parsed)
                continue
            problem = self._complete(line, parsed, platform_default, as_of_default, today)
            if problem:
                result.reject(problem)
                continue
            key = (parsed["platform"], parsed["handle"], parsed["as_of"])
            if key in seen:
                result.reject(
                    Rejection(
                        line,
                        f"duplicate of line {seen[key]} ({key[0]}/{key[1]} as of {key[2]})",
                        "handle",
                        parsed["handle"],
                    )
                )
                continue
            seen[key] = line
            batch.append(parsed)
            if len(batch) >= BATCH_ROWS:
                result.rows_loaded += self._write(conn, batch, src)
                batch = []
        if batch:
            result.rows_loaded += self._write(conn, batch, src)
        if blank:
            notes.add(f"{blank} blank line(s) skipped")
        if result.rows_in == 0:
            notes.add("the file has a header but no data rows")

    @staticmethod
    def _mapping_beside(source: SourceFile, notes: _Notes) -> dict[str, object] | None:
        """A local file's `<file>.mapping.json` when the caller passed no mapping (S3 callers fetch it)."""
        for candidate in mapping_paths_beside(source.path):
            if candidate.is_file():
                try:
                    mapping = read_mapping_file(candidate)
                except MappingError as exc:
                    raise FileRejected(str(exc)) from exc
                notes.add(f"header mapping read from {candidate.name}")
                return mapping
        return None

    def _platform_default(self, source: SourceFile, resolution: hdr.HeaderResolution, notes: _Notes) -> str:
        if "platform" in resolution.defaults:
            platform = normalize_platform(resolution.defaults["platform"])
            if platform is None:
                raise FileRejected(f"bad @platform in the mapping: {resolution.defaults['platform']!r}")
            return platform
        from_name = platform_from_filename(source.key)
        if from_name:
            if "platform" not in resolution.columns:
                notes.add(f"platform {from_name!r} taken from the file name")
            return from_name
        if "platform" not in resolution.columns:
            notes.add(
                f"no platform column, mapping default or platform in the file name: assuming {DEFAULT_PLATFORM!r}"
            )
        return DEFAULT_PLATFORM

    def _as_of_default(self, resolution: hdr.HeaderResolution) -> dt.date:
        if "as_of" in resolution.defaults:
            try:
                parsed = val.parse_date(resolution.defaults["as_of"])
            except ValueError as exc:
                raise FileRejected(f"bad @as_of in the mapping: {exc}") from exc
            if parsed is not None:
                return parsed
        return dt.datetime.now(dt.UTC).date()

    # -- one row -----------------------------------------------------------------------------------

    def _parse_row(
        self, line: int, row: list[str], plan: list[tuple[hdr.ColumnSpec, str | None]], notes: _Notes
    ) -> dict[str, Any] | Rejection:
        out: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        formula_like: list[str] = []
        errors: list[tuple[str, str, str]] = []  # (column, value, reason)
        for spec, extra_key in plan:
            raw = row[spec.index]
            text = val.clean(raw)
            column = extra_key or spec.target
            value: Any = None
            if not text:
                pass
            elif text[0] == "#" and text.upper() in val.SPREADSHEET_ERRORS:
                notes.cell(
                    "spreadsheet errors treated as empty",
                    spec.header,
                    f"line {line}, column {spec.header!r}: spreadsheet error {text.upper()} treated as empty",
                )
            elif spec.type == "text":
                value = self._text(text, line, spec, notes)
            else:
                try:
                    value = self._parse_value(text, spec)
                except ValueError as exc:
                    if not extra_key:
                        errors.append((column, raw, str(exc)))
                        continue
                    # Extras are free-form: keep the text rather than lose the row.
                    notes.cell(
                        "values kept as text",
                        spec.header,
                        f"line {line}, column {spec.header!r}: {exc}; kept as text",
                    )
                    value = self._text(text, line, spec, notes)
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
        if formula_like:
            extra["formula_like"] = formula_like
        out["extra"] = extra or None
        return out

    @staticmethod
    def _text(text: str, line: int, spec: hdr.ColumnSpec, notes: _Notes) -> str | None:
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

    @staticmethod
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

    def _complete(
        self, line: int, row: dict[str, Any], platform: str, as_of: dt.date, today: dt.date
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

    # -- writes ------------------------------------------------------------------------------------

    def _write(self, conn: Connection, batch: list[dict[str, Any]], source: str) -> int:
        payload = json.dumps(
            [
                {
                    "platform": r["platform"],
                    "handle": r["handle"],
                    "name": r.get("name"),
                    "category": r.get("category"),
                    "country": r.get("country"),
                    "as_of": r["as_of"].isoformat(),
                    "followers": r.get("followers"),
                    "posts": r.get("posts"),
                    "avg_likes": r.get("avg_likes"),
                    "avg_views": r.get("avg_views"),
                    "engagement_rate": r.get("engagement_rate"),
                    "extra": r.get("extra"),
                }
                for r in batch
            ],
            ensure_ascii=False,
        )
        conn.execute(_UPSERT, {"rows": payload, "source": source})
        return len(batch)


# One statement (one round trip, one bound parameter) per batch: the rows travel as a JSON array,
# `jsonb_to_recordset` types them, the influencer upsert returns the ids the snapshot upsert joins on.
# A file may hold several dates of one handle: the dimension takes the latest date's row (PostgreSQL
# refuses to upsert one key twice in a statement), the snapshots keep every date.
_UPSERT = sa.text(
    """
    WITH r AS (
        SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
            platform text, handle text, name text, category text, country text, as_of date,
            followers bigint, posts bigint, avg_likes double precision, avg_views double precision,
            engagement_rate double precision, extra jsonb)
    ),
    d AS (
        SELECT DISTINCT ON (platform, handle) platform, handle, name, category, country, followers
        FROM r ORDER BY platform, handle, as_of DESC
    ),
    i AS (
        INSERT INTO influencer AS t (platform, handle, name, category, country, followers)
        SELECT platform, handle, name, category, country, followers FROM d
        ON CONFLICT (platform, handle) DO UPDATE SET
            name = COALESCE(EXCLUDED.name, t.name),
            category = COALESCE(EXCLUDED.category, t.category),
            country = COALESCE(EXCLUDED.country, t.country),
            followers = COALESCE(EXCLUDED.followers, t.followers),
            updated_at = now()
        RETURNING t.id, t.platform, t.handle
    )
    INSERT INTO influencer_snapshot AS s
        (influencer_id, as_of, source, followers, posts, avg_likes, avg_views, engagement_rate, extra)
    SELECT i.id, r.as_of, :source, r.followers, r.posts, r.avg_likes, r.avg_views, r.engagement_rate,
           CASE WHEN jsonb_typeof(r.extra) = 'object' THEN r.extra END
    FROM r JOIN i ON i.platform = r.platform AND i.handle = r.handle
    ON CONFLICT (influencer_id, as_of, source) DO UPDATE SET
        followers = EXCLUDED.followers,
        posts = EXCLUDED.posts,
        avg_likes = EXCLUDED.avg_likes,
        avg_views = EXCLUDED.avg_views,
        engagement_rate = EXCLUDED.engagement_rate,
        extra = EXCLUDED.extra
    """
)


loader = ProfilesLoader()
