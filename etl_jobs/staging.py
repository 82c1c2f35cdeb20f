"""Set-based loading for the warehouse CSV kinds: COPY into a text staging table, validate in SQL.

One loader run inside the caller's transaction:

1. **Header** (`map_header`): names are matched case/space-insensitively after the optional mapping
   renames them; any order is fine. Missing required columns reject the whole file (naming them); extra
   unknown columns are ignored with a note.
2. **Stage** (`copy_stage`): `COPY … FROM STDIN (FORMAT csv, HEADER true)` into a temporary table of
   text columns `c1..cN` plus `line`. `line` is the record's ordinal + 1 (the header is line 1); when a
   quoted cell holds a newline, the physical line in an editor is later than the reported one.
   A COPY error (ragged row, unterminated quote at EOF, invalid bytes) rejects the whole file.
3. **Type checks** (`check_types`, etl_jobs.type_checks): one scan records every bad cell with a reason (PostgreSQL 15
   compatible regexes, no `pg_input_is_valid`): wrong type, negative counts, absurdly large numbers
   (more than 12 integer digits), NaN/infinity, impossible dates, dates before 2000-01-01 or after
   tomorrow, over-long text, missing required values.
4. **Typed table** `pf_typed`: the rows without a bad cell, cast to their types.
5. The kind resolves its references into `pf_ready` (`resolve_sql`) and adds its own checks (unknown
   influencer/post/campaign, statuses, …); `reject_duplicates` rejects later rows repeating a key.
6. The kind's upsert reads `pf_ok` (the ready rows without a rejection).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from pg8000.exceptions import DatabaseError
from sqlalchemy.engine import Connection

from etl_jobs import progress
from etl_jobs.base import FileRejected, KindResult, Rejection, SourceFile
from etl_jobs.detect import header_matches
from etl_jobs.reading import MAX_COLUMNS, header_of, line_break, mapped_names
from etl_jobs.report import MAX_REPORT_REASON, MAX_REPORT_VALUE, MAX_REPORTED_REJECTIONS, clip
from etl_jobs.spec import KINDS, Kind
from etl_jobs.type_checks import check_types, lit, normalise_handles


@dataclass(frozen=True)
class HeaderMap:
    width: int  # number of cells in the header row (the staging table's text columns)
    positions: dict[str, int]  # canonical column -> 0-based position in the file
    notes: list[str] = field(default_factory=list)

    def stage_column(self, name: str) -> str | None:
        pos = self.positions.get(name)
        return None if pos is None else f"c{pos + 1}"


def map_header(kind: Kind, header: Sequence[str], mapping: dict[str, Any] | None) -> HeaderMap:
    if not header or all(not cell.strip() for cell in header):
        raise FileRejected("no header row: the first line is empty")
    if (
        len(header) > MAX_COLUMNS
    ):  # the staging table would exceed PostgreSQL's 1,600 columns: reject, not fail
        raise FileRejected(f"the header has {len(header):,} columns; at most {MAX_COLUMNS:,} are supported")
    names = mapped_names(header, mapping)
    known = set(kind.column_names)
    positions: dict[str, int] = {}
    notes: list[str] = []
    ignored: list[str] = []
    for pos, name in enumerate(names):
        if name in known and name not in positions:
            positions[name] = pos
        elif name in known:
            notes.append(f"column {header[pos]!r} repeats {name!r}; the first one is used")
        else:
            ignored.append(header[pos])
    if not positions:
        raise FileRejected(
            f"no header row: none of the first line's cells names a {kind.name} column "
            f"(expected {', '.join(kind.column_names)}; got {', '.join(repr(c) for c in header[:6])})",
            {"expected": list(kind.column_names)},
        )
    missing = [c for c in kind.required if c not in positions]
    if missing:
        raise FileRejected(
            f"missing required column{'s' if len(missing) > 1 else ''} for {kind.name}: {', '.join(missing)}",
            {"missing": missing, "header": list(header)},
        )
    if ignored:
        notes.append(f"ignored unknown column(s): {', '.join(repr(c) for c in ignored)}")
    return HeaderMap(width=len(header), positions=positions, notes=notes)


# --- staging -------------------------------------------------------------------------------------------


def driver(conn: Connection) -> Any:
    """The pg8000 DBAPI connection under SQLAlchemy's connection (for COPY)."""
    return conn.connection.driver_connection


def copy_error_reason(exc: Exception) -> str:
    """PostgreSQL's message for a failed COPY, with its line (`CONTEXT: COPY pf_stage, line 3`)."""
    info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    message = info.get("M") or str(exc)
    where = info.get("W", "")
    found = re.search(r"line (\d+)", where)
    return f"line {found.group(1)}: {message}" if found else message


END_OF_DATA_REASON = (
    "a line holding only \\. is PostgreSQL's end-of-data marker, not a row "
    '(quote it as "\\." if it is a value)'
)
_MARKERS = {  # an unquoted `\.` line, by the file's line break (PostgreSQL takes it from the first line)
    b"\n": re.compile(rb"(?m)^\\\.\r?$"),
    b"\r": re.compile(rb"(?:(?<=\r)|\A)\\\.(?=\r|\Z)"),
}


class CsvFeed:
    """The bytes of a CSV file as COPY … (FORMAT csv) reads them, counted and made safe on the way.

    PostgreSQL (≤ 17, so Aurora too) ends CSV COPY data at an unquoted line holding only `\\.` and
    reports success for the rows before it. The feed counts the CSV records itself (line breaks outside
    double quotes, as PostgreSQL splits records) so that the caller can fail the file when COPY's count
    differs, and rewrites each unquoted `\\.` line into a row whose first cell is the quoted value `\\.`
    (padded to `width` cells), so that COPY reads on; `markers` holds those records' line numbers (the
    header is line 1) for the caller to reject.
    """

    def __init__(self, blocks: Iterable[bytes], width: int):
        self.blocks = blocks
        self.width = width
        self.records = 0
        self.markers: list[int] = []
        self._in_quote = False
        self._style = b""  # the line break: \n, \r\n or \r
        self._eol = b"\n"  # the byte that ends a record (\r only in CR files)

    def __iter__(self) -> Iterator[bytes]:
        carry = b""
        for block in self.blocks:
            if not self._style:
                self._style = line_break(block)
                self._eol = self._style[-1:]
            cut = block.rfind(self._eol) + 1
            if not cut:  # physical lines are bounded by the first scan (MAX_LINE_BYTES), so carry is too
                carry += block
                continue
            data, carry = carry + block[:cut], block[cut:]
            yield self._feed(data)
        if carry:  # the last record, without a line break
            yield self._feed(carry)
            self.records += 1

    def _feed(self, data: bytes) -> bytes:
        start_in_quote = self._in_quote
        if b"\\." in data:
            data = self._rewrite_markers(data, start_in_quote)
        parts = data.split(b'"')
        self.records += b"".join(parts[1::2] if start_in_quote else parts[0::2]).count(self._eol)
        self._in_quote = start_in_quote ^ bool((len(parts) - 1) & 1)
        return data

    def _rewrite_markers(self, data: bytes, in_quote: bool) -> bytes:
        out: list[bytes] = []
        done = 0
        for found in _MARKERS[self._eol].finditer(data):
            pos = found.start()
            if in_quote ^ bool(data.count(b'"', 0, pos) & 1):
                continue  # inside a quoted cell: a value, and PostgreSQL reads it as one
            before = data[:pos].split(b'"')
            self.markers.append(
                self.records + b"".join(before[1::2] if in_quote else before[0::2]).count(self._eol) + 1
            )
            cr = b"\r" if self._style == b"\r\n" else b""
            out += [data[done:pos], b'"\\."' + b"," * (self.width - 1) + cr]
            done = found.end()
        return b"".join(out) + data[done:] if out else data


def _without_trailing_blank_lines(stream: BinaryIO, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The file's bytes up to its last non-blank line (blank lines at the very end are not rows; a blank
    line inside the file still fails the COPY)."""
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    tail_start = max(0, size - 65536)
    stream.seek(tail_start)
    tail = stream.read()
    kept = tail.rstrip(b"\r\n")
    rest = tail[len(kept) :]
    end = tail_start + len(kept) + (2 if rest.startswith(b"\r\n") else 1 if rest else 0)  # the last row's EOL
    stream.seek(0)
    remaining = end
    while remaining > 0:
        block = stream.read(min(chunk, remaining))
        if not block:
            break
        remaining -= len(block)
        yield block


# The file goes to COPY in blocks of this size; the load's progress (etl_jobs.progress) is reported per block.
COPY_BLOCK_BYTES = 1 << 20


def _reporting(feed: CsvFeed) -> Iterator[bytes]:
    """The feed's blocks; after each one has been sent, the data records sent so far as the load's progress."""
    for block in feed:
        yield block
        progress.report(feed.records - 1)  # less the header


def copy_stage(conn: Connection, source: SourceFile, width: int) -> int:
    """COPY the file into `pf_stage` (text columns c1..c<width>, `line` = record ordinal + 1) and create
    `pf_rej`. Returns the number of data records. A record that is an end-of-data marker (`CsvFeed`) is
    rejected with its line; when COPY's count differs from the feed's own, the file is rejected whole."""
    cols = ", ".join(f"c{i} text" for i in range(1, width + 1))
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE pf_stage (line bigint GENERATED ALWAYS AS IDENTITY (START WITH 2), {cols}) "
        "ON COMMIT DROP"
    )
    conn.exec_driver_sql(
        "CREATE TEMP TABLE pf_rej (line bigint NOT NULL, reason text NOT NULL, col text, val text) "
        "ON COMMIT DROP"
    )
    names = ", ".join(f"c{i}" for i in range(1, width + 1))
    cursor = driver(conn).cursor()
    try:
        with open(source.path, "rb") as stream:
            feed = CsvFeed(_without_trailing_blank_lines(stream, COPY_BLOCK_BYTES), width)
            cursor.execute(
                f"COPY pf_stage ({names}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')",
                stream=_reporting(feed),
            )
    except DatabaseError as exc:  # the file does not parse as CSV
        raise FileRejected(f"the file is not well-formed CSV ({copy_error_reason(exc)})") from exc
    expected = max(feed.records - 1, 0)  # less the header
    if cursor.rowcount != expected:
        raise FileRejected(
            f"PostgreSQL's COPY read {cursor.rowcount:,} rows where the file holds {expected:,} records; "
            "nothing was loaded"
        )
    if feed.markers:
        conn.exec_driver_sql(
            "WITH gone AS (DELETE FROM pf_stage WHERE line = ANY(%s::bigint[]) RETURNING line) "
            "INSERT INTO pf_rej (line, reason, col, val) SELECT line, %s, NULL, '\\.' FROM gone",
            ("{" + ",".join(map(str, feed.markers)) + "}", END_OF_DATA_REASON),
        )
    return expected


def reject_where(
    conn: Connection, table: str, condition: str, reason: str, col: str | None, val: str
) -> None:
    """Reject the rows of `table` (not yet rejected) matching `condition`; `reason`/`val` are SQL."""
    conn.exec_driver_sql(
        f"INSERT INTO pf_rej (line, reason, col, val) SELECT t.line, {reason}, "  # noqa: S608 - identifiers from the kind spec; cell values are never interpolated
        f"{lit(col) if col else 'NULL'}, ({val})::text FROM {table} t "
        f"WHERE ({condition}) AND NOT EXISTS (SELECT 1 FROM pf_rej r WHERE r.line = t.line)"
    )


def reject_duplicates(conn: Connection, key: Sequence[str], label: str) -> None:
    """Within `pf_ready`, a key seen on an earlier (not rejected) line rejects the later lines. A hash aggregate
    first asks whether any key repeats; only then the window (a sort of every row) names each one's first line."""
    cols = ", ".join(key)
    pending = "FROM pf_ready t WHERE NOT EXISTS (SELECT 1 FROM pf_rej r WHERE r.line = t.line)"
    repeats = f"SELECT EXISTS (SELECT {pending} GROUP BY {cols} HAVING count(*) > 1)"  # noqa: S608 - identifiers from the kind spec
    if not conn.exec_driver_sql(repeats).scalar():
        return
    conn.exec_driver_sql(
        "INSERT INTO pf_rej (line, reason, col, val) "  # noqa: S608 - identifiers from the kind spec; cell values are never interpolated
        f"SELECT d.line, 'duplicate {label} (first on line ' || d.first_line || ')', NULL, d.k FROM ("
        f"  SELECT t.line, min(t.line) OVER (PARTITION BY {cols}) AS first_line, "
        f"         concat_ws(' / ', {cols}) AS k {pending}) d "
        "WHERE d.line <> d.first_line"
    )


def finish(conn: Connection) -> None:
    """`pf_ok`: the ready rows that no check rejected."""
    conn.exec_driver_sql(
        "CREATE TEMP TABLE pf_ok ON COMMIT DROP AS SELECT t.* FROM pf_ready t "
        "WHERE NOT EXISTS (SELECT 1 FROM pf_rej r WHERE r.line = t.line)"
    )
    # Temp tables get no statistics from autovacuum: without them the upsert's joins against the
    # warehouse table are planned for a guessed size (sort-merge anti-joins spilling to disk on 1M rows).
    conn.exec_driver_sql("ANALYZE pf_ok")


def collect(conn: Connection, rows_in: int) -> KindResult:
    rejected, entries = conn.exec_driver_sql("SELECT count(DISTINCT line), count(*) FROM pf_rej").one()
    rows = conn.exec_driver_sql(
        f"SELECT line, left(reason, {MAX_REPORT_REASON}), length(reason), col, left(val, {MAX_REPORT_VALUE}), "  # noqa: S608 - constants; cell values are never interpolated
        f"length(val) FROM pf_rej ORDER BY line, col LIMIT {MAX_REPORTED_REJECTIONS}"
    ).all()
    result = KindResult(rows_in=rows_in, rows_loaded=rows_in - rejected, unlisted=entries - len(rows))
    result.rejections = [  # clipped here: the database cut the strings, it also gave their full lengths
        Rejection(
            line,
            clip(reason, MAX_REPORT_REASON, reason_length) or "",
            col,
            clip(val, MAX_REPORT_VALUE, val_length),
        )
        for line, reason, reason_length, col, val, val_length in rows
    ]
    result.note_unlisted()
    return result


# The load's sorts and hashes (duplicate keys, anti-joins, the upsert's join) over a 1M-row file stay in
# memory instead of spilling (the default 4MB spilled a 100k-row file's sort to disk); one ETL
# connection at a time per load, so the server's memory budget holds.
WORK_MEM = "64MB"


class StagedLoader:
    """A warehouse kind loaded set-based. Subclasses give `kind`, `resolve_sql`, `checks` and `upsert`."""

    kind: str = ""
    duplicate_label = "key"
    # (condition on pf_ready t, reason SQL, column, value SQL)
    checks: tuple[tuple[str, str, str | None, str], ...] = ()
    resolve_sql: str = "SELECT t.* FROM pf_typed t"

    @property
    def spec(self) -> Kind:
        return KINDS[self.kind]

    def matches_header(self, header: list[str]) -> bool:
        return header_matches(self.spec, header)

    def load(self, conn: Connection, source: SourceFile) -> KindResult:
        hmap = map_header(self.spec, header_of(source), source.mapping)
        conn.exec_driver_sql("SET LOCAL timezone = 'UTC'")
        conn.exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM}'")
        rows_in = copy_stage(conn, source, hmap.width)
        check_types(conn, self.spec, hmap)
        if "handle" in hmap.positions:
            normalise_handles(conn)
        conn.exec_driver_sql(f"CREATE TEMP TABLE pf_ready ON COMMIT DROP AS {self.resolve_sql}")
        for condition, reason, col, val in self.checks:
            reject_where(conn, "pf_ready", condition, reason, col, val)
        reject_duplicates(conn, self.key_columns(), self.duplicate_label)
        self.group_checks(conn)
        finish(conn)
        self.upsert(conn, hmap)
        result = collect(conn, rows_in)
        result.notes[:0] = hmap.notes
        return result

    def key_columns(self) -> tuple[str, ...]:
        return self.spec.key

    def group_checks(self, conn: Connection) -> None:
        """Checks over groups of rows (audience shares); none by default."""

    def upsert(self, conn: Connection, hmap: HeaderMap) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Target:
    """A warehouse column written from `pf_ok o`.

    `src` is the SQL over `o`; `default` fills an empty cell of a new row; `keep` makes an empty cell
    keep the stored value of an existing row (otherwise the default, or NULL, is written); `file_column`
    names the CSV column it comes from — when the file lacks it, existing rows keep their value.
    """

    name: str
    src: str
    default: str | None = None
    keep: bool = True
    file_column: str | None = None


def upsert(
    conn: Connection,
    table: str,
    key: Sequence[str],
    key_src: Sequence[str],
    targets: Sequence[Target],
    hmap: HeaderMap,
    touch: str | None = None,
) -> None:
    """Update existing rows (only when a value changes), then insert new ones with ON CONFLICT.

    UPDATE first gives exact semantics for empty cells (keep or default, per `Target`); the INSERT's
    ON CONFLICT DO UPDATE covers a row inserted by a concurrent load in between. New rows are sorted (file order)
    first: the anti-join ends before the table grows (docs/etl.md, "How it loads (and why it is fast)").
    """
    written = [t for t in targets if t.file_column is None or t.file_column in hmap.positions]
    match = " AND ".join(f"t.{k} = {s}" for k, s in zip(key, key_src, strict=True))
    if written:

        def upd(t: Target) -> str:
            if t.keep:
                return f"COALESCE({t.src}, t.{t.name})"
            return f"COALESCE({t.src}, {t.default})" if t.default else t.src

        new = ", ".join(upd(t) for t in written)
        old = ", ".join(f"t.{t.name}" for t in written)
        sets = ", ".join(f"{t.name} = {upd(t)}" for t in written)
        if touch:
            sets += f", {touch} = now()"
        conn.exec_driver_sql(
            f"UPDATE {table} t SET {sets} FROM pf_ok o WHERE {match} AND ({old}) IS DISTINCT FROM ({new})"  # noqa: S608 - identifiers from the kind spec; cell values are never interpolated
        )
    names = list(key) + [t.name for t in targets]
    values = list(key_src) + [f"COALESCE({t.src}, {t.default})" if t.default else t.src for t in targets]
    conflict_sets = ", ".join(
        f"{t.name} = COALESCE(excluded.{t.name}, {table}.{t.name})"
        if t.keep
        else f"{t.name} = excluded.{t.name}"
        for t in written
    )
    on_conflict = f"DO UPDATE SET {conflict_sets}" if conflict_sets else "DO NOTHING"
    conn.exec_driver_sql(
        f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(values)} FROM pf_ok o "  # noqa: S608 - identifiers from the kind spec; cell values are never interpolated
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {match}) ORDER BY o.line "
        f"ON CONFLICT ({', '.join(key)}) {on_conflict}"
    )
