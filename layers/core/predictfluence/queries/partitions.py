"""The daily facts' monthly partitions (issue 16.2, migration 6a1d3e8f2b90): list, create, detach.

`post_metric_daily` and `conversion_daily` are partitioned by RANGE (date): `<table>_pYYYY_MM` per month
and `<table>_default` for any row no month covers. `ensure()` runs `pf_fact_partitions()` (SECURITY
DEFINER; the ETL calls it once per batch): the current and next month, and every month (2000-01 … next
month) found in DEFAULT moved into a partition of its own. `detach_before()` detaches — never drops — the
month partitions that end on or before a month: the detached tables keep their rows under their names
(`DROP TABLE` them, or archive them, by hand). The rollups (predictfluence.queries.rollups) must then equal
a recomputation over the remaining facts: a DETACH fires no DELETE trigger, so the detached months' posts
and days are queued in `rollup_dirty` in the same transaction as the DETACH, and the caller applies the
queue (`rollups.apply`) right after, like after a load. The month partitions of post_metric_daily carry
the rollup queue triggers too (migration d2c7f4a9e613: the ETL's fast path COPYs into them); a detached
month's are dropped and pf_etl's INSERT on it revoked, so an archived table queues nothing and takes no
ETL rows. `ensure_months()` runs `pf_fact_partitions(table,
months)` (migration 8e5b2d7c4f19) before a load writes: the months of the file's rows get their partitions
first, so a backfill goes straight into its month, not through DEFAULT.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.engine import Connection

log = logging.getLogger(__name__)

FACT_TABLES = ("post_metric_daily", "conversion_daily")
_BOUND = re.compile(r"FROM \('(\d{4}-\d\d)-01'\) TO")

_LIST = """
SELECT parent.relname, c.relname, pg_get_expr(c.relpartbound, c.oid),
       greatest(c.reltuples::bigint, pg_stat_get_live_tuples(c.oid), 0), pg_total_relation_size(c.oid)
FROM pg_inherits i
JOIN pg_class c ON c.oid = i.inhrelid
JOIN pg_class parent ON parent.oid = i.inhparent
JOIN pg_namespace n ON n.oid = parent.relnamespace AND n.nspname = current_schema()
WHERE parent.relname = ANY(%s)
ORDER BY parent.relname, c.relname
"""
# What a detached post_metric_daily month held, queued for the rollups (kinds of rollup_dirty, see rollups).
_QUEUE_DETACHED = """
INSERT INTO rollup_dirty (kind, id)
SELECT 'post', post_id FROM (SELECT DISTINCT post_id FROM {part}) p
UNION ALL
SELECT 'day', d - DATE '1970-01-01' FROM (SELECT DISTINCT date AS d FROM {part}) d
"""

_REVOKE_ETL_INSERT = """
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pf_etl') THEN REVOKE INSERT ON {part} FROM pf_etl; END IF;
END $$
"""


@dataclass(frozen=True)
class Partition:
    table: str
    name: str
    month: str | None  # 'YYYY-MM'; None for the DEFAULT partition
    rows: int  # the planner's estimate or the live-row counter, whichever is larger
    bytes: int


def partitions(conn: Connection, tables: tuple[str, ...] = FACT_TABLES) -> list[Partition]:
    """Every partition of the daily facts, months in order, DEFAULT last per table (an unmigrated database
    fails here with undefined_table, which the CLI explains)."""
    conn.exec_driver_sql(f"SELECT 1 FROM {', '.join(_quoted(t) for t in tables)} LIMIT 0")  # noqa: S608 - catalog names
    found = []
    for table, name, bound, rows, size in conn.exec_driver_sql(_LIST, (list(tables),)):
        month = _BOUND.search(bound)
        found.append(Partition(table, name, month.group(1) if month else None, int(rows), int(size)))
    return sorted(found, key=lambda p: (p.table, p.month is None, p.month or ""))


def ensure(conn: Connection) -> int:
    """Create the month partitions the facts need now (see the module docstring); the number created."""
    return int(conn.exec_driver_sql("SELECT pf_fact_partitions()").scalar_one())


def ensure_months(conn: Connection, table: str, days: Iterable[dt.date | str]) -> int:
    """Before a load writes `table`: create the month partitions that the months of `days` (dates or
    'YYYY-MM-DD' strings) lack, so that the load's rows go straight into their months (issue 16.2). The number
    created.

    The partitions are made in a short transaction of their own on another connection of `conn`'s engine,
    committed at once: the load's (long) transaction never holds what ATTACH PARTITION locks (SHARE UPDATE
    EXCLUSIVE on the parent, ACCESS EXCLUSIVE on DEFAULT), and an empty partition left by a load that rolls
    back is harmless. Call it before `conn`'s transaction reads or writes `table` (the ATTACH would wait for
    its lock on DEFAULT until lock_timeout). Best effort: a failure (lock_timeout, a database migrated before
    8e5b2d7c4f19) is logged and the rows go through DEFAULT as before, moved out after the batch (`ensure`).
    When every month exists, one catalog query on `conn` and nothing else."""
    months = sorted({f"{table}_p{str(d)[:4]}_{str(d)[5:7]}": str(d)[:7] + "-01" for d in days}.items())
    if not months:
        return 0
    missing = set(conn.exec_driver_sql(
        "SELECT n FROM unnest(%s::text[]) n WHERE to_regclass('public.' || n) IS NULL", ([n for n, _ in months],)
    ).scalars())
    if not missing:
        return 0
    wanted = "{" + ",".join(first for name, first in months if name in missing) + "}"
    try:
        with conn.engine.connect() as own, own.begin():
            return int(own.exec_driver_sql("SELECT pf_fact_partitions(%s, %s::date[])", (table, wanted)).scalar_one())
    except Exception:  # noqa: BLE001 - best effort: DEFAULT takes the rows, finish_batch moves them
        log.warning("creating %s partitions for %s before the load failed; the rows go through DEFAULT",
                    table, wanted, exc_info=True)
        return 0


def parse_month(text: str) -> dt.date:
    """'YYYY-MM' → its first day; ValueError with a readable reason otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1:
        raise ValueError(f"not a month: {text!r} (expected YYYY-MM, e.g. 2025-01)")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def detach_before(conn: Connection, before: dt.date, tables: tuple[str, ...] = FACT_TABLES) -> list[Partition]:
    """Detach every month partition of `tables` whose month starts before `before` (its rows end on or before
    the day before); post_metric_daily's detached posts and days are queued for the rollups first. The caller
    commits, then applies the rollup queue. Returns what was detached."""
    month = before.strftime("%Y-%m")
    detached = [p for p in partitions(conn, tables) if p.month is not None and p.month < month]
    for part in detached:
        if part.table == "post_metric_daily":
            conn.exec_driver_sql(_QUEUE_DETACHED.format(part=_quoted(part.name)))
        conn.exec_driver_sql(f"ALTER TABLE {_quoted(part.table)} DETACH PARTITION {_quoted(part.name)}")
        if part.table == "post_metric_daily":  # its own rollup triggers (d2c7f4a9e613): an archive queues nothing
            for event in ("insert", "update", "delete"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS trg_post_metric_daily_rollup_{event} ON {_quoted(part.name)}")
            conn.exec_driver_sql(_REVOKE_ETL_INSERT.format(part=_quoted(part.name)))  # the ETL's COPY (8e5b2d7c4f19)
    return detached


def _quoted(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):  # names come from the catalog; never from input
        raise ValueError(f"unexpected relation name {name!r}")
    return f'"{name}"'
