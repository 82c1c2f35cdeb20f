"""The fast path for `post_metrics` (the largest kind): validate while streaming, COPY straight in.

A clean daily-metrics file (canonical header, unquoted cells, every row valid) loads at the speed of a
plain COPY into the warehouse table. Python reads the file in 1 MiB chunks; one C-level regex pass per
chunk validates every line's shape (`\\d{1,12}` counts: whole, non-negative, not absurd), the dates are
checked against the set of valid ISO days in range, and the post key is resolved from an in-memory map
(platform, post_id) → post.id of the file's posts only: a first, cheaper pass collects the file's distinct
keys, COPYs them into a temp table and resolves (and locks) them in one join, so the map's cost follows
the file, not the post dimension (issue 16.8). The rewritten rows (`post_id` resolved) stream into
`COPY post_metric_daily … FROM STDIN` while PostgreSQL writes the previous chunk (the two overlap).

- Rows of posts that have no metrics yet on a day the file covers (between its first and last day) cannot
  collide: they are COPYed straight into the table (a daily delta of a new day goes this way) — into
  their month's partition where it exists with the rollup queue triggers (`month_partitions`); the months
  the file's days need are made first, from the key pass's days (`partitions.ensure_months`), so a backfill
  of a month without a partition is COPYed into a new one, not through DEFAULT.
- Rows of posts that already have metrics on such a day (a reload, a late correction) go to a temp table
  (COPY); duplicates inside the file are checked set-based; then ONE `INSERT … SELECT … ON CONFLICT
  (post_id, date) DO UPDATE` writes only the rows that are new or changed (`IS DISTINCT FROM`), so an
  unchanged reload writes nothing. The first row decides the order: a file whose first post already has
  metrics streams everything to the temp table; otherwise the existing posts' rows are spooled to a
  temporary file and staged after the direct COPY.
- The referenced posts are locked `FOR KEY SHARE` when they are resolved (post_metric_daily carries no
  per-row foreign-key trigger: the map proved existence; the lock keeps the posts from being deleted
  until commit).

Anything unexpected — a line that does not match, an unknown post, a date out of range, a duplicate key
(unique violation), a non-canonical header, more distinct posts in the file than FAST_PATH_MAX_POSTS — rolls back
to a savepoint and the file goes through the exact set-based path (etl_jobs.staging), which reports every
bad row with its line and reason. The fast path never rejects a row itself, so both paths give the same
result for every file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import BinaryIO

from pg8000.exceptions import DatabaseError
from sqlalchemy.engine import Connection

from etl_jobs import progress
from etl_jobs.base import KindResult, SourceFile
from etl_jobs.reading import column_key, header_of
from etl_jobs.spec import KINDS, MAX_INT_DIGITS
from etl_jobs.staging import WORK_MEM, driver
from etl_jobs.type_checks import EARLIEST_DATE
from predictfluence.queries.partitions import ensure_months

CHUNK_CHARS = 1 << 20
FAST_PATH_MAX_POSTS = 3_000_000  # distinct posts in one file; the post map costs ~150 bytes per post
METRIC_COLUMNS = ("likes", "comments", "shares", "saves", "views", "reach", "impressions")
TARGET_COLUMNS = ("post_id", "date", *METRIC_COLUMNS)
_LINE = re.compile(
    r"^([a-z0-9_]+),([^,\"\s][^,\"\r\n]*),(\d{4}-\d\d-\d\d)"
    "(" + rf",\d{{1,{MAX_INT_DIGITS}}}" * 4 + rf",\d{{0,{MAX_INT_DIGITS}}}" * 3 + r")\r?$",  # unrolled: see docs/benchmarks.md
    re.MULTILINE,
)
_POISON = b"poison\n"  # not a bigint: makes the running COPY fail so that the savepoint rolls back
# the pre-pass: a line's (platform, post_id, date) as `_LINE` reads them; lines it skips fail `_LINE` later
_KEY = re.compile(r"^([a-z0-9_]+),([^,\"\s][^,\"\r\n]*),(\d{4}-\d\d-\d\d),", re.MULTILINE)


class NotClean(Exception):
    """The file needs the exact path (reason for the log)."""


def canonical_header(header: list[str]) -> bool:
    """The header names exactly the post_metrics columns in their order (no mapping applies)."""
    return [column_key(c) for c in header] == list(KINDS["post_metrics"].column_names)


def valid_days(conn: Connection) -> frozenset[str]:
    today = conn.exec_driver_sql("SELECT current_date").scalar_one()
    first = dt.date.fromisoformat(EARLIEST_DATE)
    return frozenset((first + dt.timedelta(days=d)).isoformat() for d in range((today - first).days + 2))


class _Stream:
    """Reads the file in chunks and yields rewritten rows for two COPY destinations."""

    def __init__(self, path: str, posts: dict[tuple[str, str], int], has_metrics: set[int],
                 days: frozenset[str]):
        self.path = path
        self.posts = posts
        self.has_metrics = has_metrics
        self.days = days
        self.rows = 0
        self.error: Exception | None = None

    def chunks(self) -> Iterator[list[tuple[str, str, str, str]]]:
        with open(self.path, encoding="utf-8-sig", newline="") as handle:
            handle.readline()  # the header (checked by the caller)
            carry = ""
            while True:
                block = handle.read(CHUNK_CHARS)
                if not block:
                    break
                block = carry + block
                cut = block.rfind("\n") + 1
                carry = block[cut:]
                if cut:
                    yield self._parse(block[:cut])
                    progress.report(self.rows)  # the rows encoded so far (etl_jobs.progress)
            if carry:
                yield self._parse(carry + "\n")

    def _parse(self, text: str) -> list[tuple[str, str, str, str]]:
        rows = _LINE.findall(text)
        if len(rows) != text.count("\n"):
            raise NotClean("a line needs the exact path")
        if not self.days.issuperset(map(itemgetter(2), rows)):
            raise NotClean("a date is out of range")
        return rows

    def encode(self, rows: list[tuple[str, str, str, str]], direct: bool | None) -> tuple[bytes, bytes]:
        """Rows → (bytes for the direct COPY, bytes for the staged upsert)."""
        posts = self.posts
        try:
            ids = [posts[p, e] for p, e, _, _ in rows]
        except KeyError as exc:
            raise NotClean(f"unknown post {exc}") from exc
        self.rows += len(rows)
        lines = [f"{i},{r[2]}{r[3]}\n" for i, r in zip(ids, rows, strict=True)]
        if direct is None:  # route per post
            if self.has_metrics.isdisjoint(ids):
                return "".join(lines).encode(), b""
            new = [line for i, line in zip(ids, lines, strict=True) if i not in self.has_metrics]
            old = [line for i, line in zip(ids, lines, strict=True) if i in self.has_metrics]
            return "".join(new).encode(), "".join(old).encode()
        data = "".join(lines).encode()
        return (data, b"") if direct else (b"", data)


def _copy(conn: Connection, table: str, data: Iterable[bytes]) -> None:
    """COPY the rewritten rows (one per line, no quotes) and check that COPY read every one of them."""
    sent = 0

    def counted() -> Iterator[bytes]:
        nonlocal sent
        for block in data:
            sent += block.count(b"\n")
            yield block

    cursor = driver(conn).cursor()
    cursor.execute(f"COPY {table} ({', '.join(TARGET_COLUMNS)}) FROM STDIN WITH (FORMAT csv)", stream=counted())
    if cursor.rowcount != sent:
        raise NotClean(f"COPY read {cursor.rowcount:,} of {sent:,} rows")


def try_fast_load(conn: Connection, source: SourceFile) -> KindResult | None:
    """Load a clean file the fast way, or return None (after rolling back) for the exact path."""
    if not canonical_header(header_of(source)):
        return None
    conn.exec_driver_sql("SET LOCAL timezone = 'UTC'")  # "tomorrow" as on the exact path
    conn.exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM}'")  # the upsert's hash join in memory
    savepoint = conn.begin_nested()
    try:
        result = _fast_load(conn, source)
    except (NotClean, DatabaseError):  # e.g. a duplicate key inside the file: the exact path reports it
        savepoint.rollback()
        return None
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return result


def _fast_load(conn: Connection, source: SourceFile) -> KindResult:
    days = valid_days(conn)
    keys, file_days = _file_keys(str(source.path), days)
    ensure_months(conn, "post_metric_daily", file_days)  # before anything reads the facts (its docstring)
    first_day, last_day = min(file_days, default=EARLIEST_DATE), max(file_days, default=EARLIEST_DATE)
    posts, has_metrics = _post_map(conn, keys, first_day, last_day)
    stream = _Stream(str(source.path), posts, has_metrics, days)
    chunks = stream.chunks()
    head = next((rows for rows in chunks if rows), [])
    if not head:
        return KindResult(rows_in=0, rows_loaded=0)
    first_id = posts.get((head[0][0], head[0][1]))
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE pf_fast ({', '.join(f'{c} bigint' if c != 'date' else 'date date' for c in TARGET_COLUMNS)}) "
        "ON COMMIT DROP"
    )
    if first_id in has_metrics:  # upsert mode: every row through the temp table
        def staged() -> Iterator[bytes]:
            yield stream.encode(head, direct=False)[1]
            for rows in chunks:
                yield stream.encode(rows, direct=False)[1]

        _run(conn, stream, "pf_fast", staged())
    else:
        months = {d[:7] for d in file_days}
        _copy_direct_then_spooled(conn, stream, head, chunks, month_partitions(conn, months), months)
    _upsert_staged(conn)
    return KindResult(rows_in=stream.rows, rows_loaded=stream.rows)


def _file_keys(path: str, valid: frozenset[str]) -> tuple[set[tuple[str, str]], set[str]]:
    """The file's distinct (platform, post_id) keys and days (one regex pass per chunk, no other
    validation)."""
    keys: set[tuple[str, str]] = set()
    days: set[str] = set()
    key_of, day_of = itemgetter(0, 1), itemgetter(2)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        handle.readline()  # the header
        carry = ""
        while block := handle.read(CHUNK_CHARS):
            block = carry + block
            cut = block.rfind("\n") + 1
            carry = block[cut:]
            found = _KEY.findall(block, 0, cut)
            keys.update(map(key_of, found))
            days.update(map(day_of, found))
            if len(keys) > FAST_PATH_MAX_POSTS:
                raise NotClean(f"more than {FAST_PATH_MAX_POSTS:,} posts in one file")
        found = _KEY.findall(carry + "\n")
        keys.update(map(key_of, found))
        days.update(map(day_of, found))
    if not days.issubset(valid):
        raise NotClean("a date is out of range")
    return keys, days


def _post_map(conn: Connection, keys: set[tuple[str, str]], first_day: str,
              last_day: str) -> tuple[dict[tuple[str, str], int], set[int]]:
    """The file's posts: (platform, post_id) → post.id, and those that already have metrics on a day
    between the file's first and last (only their rows can collide); locked `FOR KEY SHARE` until commit.

    One index probe per key (the LATERAL … LIMIT 1 keeps the planner from hashing the whole post table),
    and the metrics probe names the file's days, so a partitioned post_metric_daily is pruned to the
    months the file covers: the cost follows the file, not the warehouse (issue 16.8).
    """
    conn.exec_driver_sql("CREATE TEMP TABLE pf_keys (platform text, external_id text) ON COMMIT DROP")
    if keys:  # the keys hold no quote, comma or line break (_KEY): CSV lines as they are
        _copy_keys(conn, keys)
    conn.exec_driver_sql("ANALYZE pf_keys")
    posts: dict[tuple[str, str], int] = {}
    has_metrics: set[int] = set()
    for platform, external_id, post_id, seen in conn.exec_driver_sql(
        "SELECT k.platform, k.external_id, p.id, p.seen FROM pf_keys k CROSS JOIN LATERAL ("
        "SELECT p.id, EXISTS (SELECT 1 FROM post_metric_daily m WHERE m.post_id = p.id "
        "AND m.date BETWEEN %s::date AND %s::date) AS seen "
        "FROM post p WHERE p.platform = k.platform AND p.external_id = k.external_id LIMIT 1 FOR KEY SHARE) p",
        (first_day, last_day),
    ):
        posts[platform, external_id] = post_id
        if seen:
            has_metrics.add(post_id)
    conn.exec_driver_sql("DROP TABLE pf_keys")
    return posts, has_metrics


def _copy_keys(conn: Connection, keys: set[tuple[str, str]]) -> None:
    def blocks() -> Iterator[bytes]:
        batch: list[str] = []
        for platform, external_id in keys:
            batch.append(f"{platform},{external_id}\n")
            if len(batch) >= 50_000:
                yield "".join(batch).encode()
                batch = []
        yield "".join(batch).encode()

    driver(conn).cursor().execute("COPY pf_keys FROM STDIN WITH (FORMAT csv)", stream=blocks())


def _guarded(stream: _Stream, gen: Iterator[bytes]) -> Iterator[bytes]:
    """Never raise inside pg8000's COPY loop: stop with a poison line instead."""
    try:
        yield from gen
    except Exception as exc:  # re-raised by _run() once the COPY has failed on the poison line
        stream.error = exc
        yield _POISON


def _run(conn: Connection, stream: _Stream, copy_target: str, gen: Iterator[bytes]) -> None:
    try:
        _copy(conn, copy_target, _guarded(stream, gen))
    except DatabaseError:
        if stream.error is not None:
            raise stream.error from None
        raise
    if stream.error is not None:  # never keep a partial file, whatever happened to the poison
        raise stream.error


# The month partitions the direct COPY may write to: attached to post_metric_daily and carrying the rollup
# queue's INSERT trigger (migration d2c7f4a9e613), so their rows are queued by the partition's trigger, and
# writable by this role (pf_etl: granted by migration 8e5b2d7c4f19; a partition without the grant would fail
# the COPY and send the whole file to the exact path).
_MONTH_PARTITIONS = """
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'post_metric_daily'::regclass AND c.relname = ANY(%s) AND has_table_privilege(c.oid, 'INSERT')
  AND EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgenabled <> 'D'
              AND t.tgname = 'trg_post_metric_daily_rollup_insert')
"""


def month_partitions(conn: Connection, months: set[str]) -> dict[str, str]:
    """Month 'YYYY-MM' → the partition the direct COPY writes that month's rows into (issue 16.2 follow-up).

    A COPY through the partitioned parent inserts row by row (its INSERT trigger has a transition table:
    copyfrom.c refuses multi-inserts when routing); a COPY into the month partition uses multi-inserts and
    fires the partition's own statement trigger instead of the parent's (never both). Months without such a
    partition (none yet: the rows go to DEFAULT; or the plain table before migration 6a1d3e8f2b90) are not
    in the map and go through the parent. The partitions stay attached until commit: _post_map's read
    of post_metric_daily holds the parent's lock, which DETACH PARTITION waits for.
    """
    names = {f"post_metric_daily_p{m.replace('-', '_')}": m for m in months}
    found = conn.exec_driver_sql(_MONTH_PARTITIONS, (list(names),)).scalars()
    return {names[name]: name for name in found}


def _by_target(data: bytes, targets: dict[str, str]) -> dict[str, list[bytes]]:
    """Split rewritten rows (`post_id,YYYY-MM-DD,…`) by the table their month goes to."""
    out: dict[str, list[bytes]] = {}
    for line in data.splitlines(keepends=True):
        month = line[line.index(b",") + 1:][:7].decode()
        out.setdefault(targets.get(month, "post_metric_daily"), []).append(line)
    return out


def _copy_direct_then_spooled(conn: Connection, stream: _Stream, head: list[tuple[str, str, str, str]],
                              chunks: Iterator[list[tuple[str, str, str, str]]],
                              partitions: dict[str, str], months: set[str]) -> None:
    """Rows of posts without metrics COPY straight into the table — into their month's partition where
    `partitions` names one; the others are spooled to a temporary file and staged in `pf_fast` after.

    One month (a daily delta), or no month with a partition: a single COPY streams while the file is
    read. Several targets: the parent (or the last month's partition if every month has one) streams,
    the other targets' rows are spooled per target and COPYed after."""
    main, targets = "post_metric_daily", partitions
    if partitions.keys() == months:
        main = partitions[max(months)]
    split = len(targets) > 1 or bool(targets) and main == "post_metric_daily"
    spools: dict[str, tuple[str, BinaryIO]] = {}
    try:
        def spool(target: str) -> BinaryIO:
            if target not in spools:
                fd, name = tempfile.mkstemp(prefix="pf-spool-", suffix=".csv")
                spools[target] = (name, os.fdopen(fd, "wb"))
            return spools[target][1]

        def direct() -> Iterator[bytes]:
            for rows in itertools.chain([head], chunks):
                new, old = stream.encode(rows, direct=None)
                if old:
                    spool("pf_fast").write(old)
                if new and split:
                    parts = _by_target(new, targets)
                    for target, lines in parts.items():
                        if target != main:
                            spool(target).write(b"".join(lines))
                    new = b"".join(parts.get(main, []))
                if new:
                    yield new

        _run(conn, stream, main, direct())
        # the spooled direct targets first (they cannot collide), the staged upsert rows last
        for target in sorted(spools, key=lambda t: t == "pf_fast"):
            name, handle = spools[target]
            handle.close()
            with open(name, "rb") as spooled:
                _copy(conn, target, iter(lambda f=spooled: f.read(CHUNK_CHARS), b""))
    finally:
        for name, handle in spools.values():
            handle.close()
            os.unlink(name)


def _upsert_staged(conn: Connection) -> None:
    if not conn.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM pf_fast)").scalar_one():
        return
    conn.exec_driver_sql("ANALYZE pf_fast")
    if conn.exec_driver_sql(
        "SELECT EXISTS (SELECT 1 FROM pf_fast GROUP BY post_id, date HAVING count(*) > 1)"
    ).scalar_one():
        raise NotClean("duplicate keys inside the file")
    metrics = ", ".join(METRIC_COLUMNS)
    conn.exec_driver_sql(
        f"INSERT INTO post_metric_daily ({', '.join(TARGET_COLUMNS)}) "  # noqa: S608 - identifiers from the kind spec; cell values are never interpolated
        f"SELECT s.post_id, s.date, {', '.join(f's.{c}' for c in METRIC_COLUMNS)} FROM pf_fast s "
        "LEFT JOIN post_metric_daily t ON t.post_id = s.post_id AND t.date = s.date "
        f"WHERE t.post_id IS NULL OR ({', '.join(f't.{c}' for c in METRIC_COLUMNS)}) "
        f"IS DISTINCT FROM ({', '.join(f's.{c}' for c in METRIC_COLUMNS)}) "
        f"ON CONFLICT (post_id, date) DO UPDATE SET ({metrics}) = "
        f"({', '.join(f'excluded.{c}' for c in METRIC_COLUMNS)})"
    )
