"""pf_fact_partitions(fact, months): the month partitions a load needs, made BEFORE it writes (issue 16.2)

Why: a backfill of a month without a partition went through the DEFAULT partition once — its rows written
there, then moved out by pf_fact_partitions() after the batch (written twice), and the post_metrics fast
path could not COPY straight into a month partition for it. The ETL knows a file's months before it
writes (the fast path's key pass; the staged path's typed rows), so it now asks for those months first.

- `pf_fact_partitions(fact text, months date[]) RETURNS integer` (SECURITY DEFINER, owned by the migrating
  owner; pf_etl may EXECUTE it, PUBLIC may not): for `fact` (post_metric_daily or conversion_daily; any
  other name raises), each distinct month of `months` in 2000-01 … next month (the same bounds as
  pf_fact_partitions(); others are ignored) that has no table `<fact>_pYYYY_MM` yet is made as
  pf_fact_partitions() makes one: CREATE TABLE … LIKE, its rows moved out of DEFAULT (normally none), ATTACH
  PARTITION, and on post_metric_daily the rollup queue triggers (migration d2c7f4a9e613). Returns the
  number created. When every month exists it returns 0 without taking any lock.
- Two loads asking for the same month: the advisory lock of pf_fact_partitions() (same key) serializes the
  creators; the second re-checks under the lock (after a relation lock, so it sees the first's commit)
  and skips the month; a CREATE TABLE that finds the name taken anyway (duplicate_table, unique_violation)
  counts the month as made.
- lock_timeout 5 s as pf_fact_partitions(): a busy moment (an operator's DETACH, a long transaction
  holding the DEFAULT partition) raises; the ETL then loads through the parent into DEFAULT as before and
  finish_batch's pf_fact_partitions() moves the rows — the DEFAULT partition stays the safety net.
- pf_etl may INSERT into the month partitions of post_metric_daily (not DEFAULT, whose rows carry no queue
  trigger; not conversion_daily's): the post_metrics fast path COPYs into them (migration d2c7f4a9e613),
  and without the grant the deployed ETL's COPY was refused and every such file fell back to the slow exact
  path. Granted on the existing month partitions here, and by both functions on each month they make;
  predictfluence.queries.partitions.detach_before revokes it from a detached month. The rows still pass
  the partition's range constraint and queue the rollups through its triggers.
- pf_fact_partitions() (no arguments) is otherwise unchanged.

Downgrade: the function is dropped, pf_fact_partitions() is d2c7f4a9e613's again and the grants are
revoked.

Revision ID: 8e5b2d7c4f19
Revises: d2c7f4a9e613
Create Date: 2026-11-30 06:00:00
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "8e5b2d7c4f19"
down_revision: str | None = "d2c7f4a9e613"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = "pf_fact_partitions(text, date[])"
# the fast path's COPY into a month partition of post_metric_daily, as pf_etl (`part`: the partition)
_GRANT = """{indent}IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pf_etl') THEN
{indent}    EXECUTE format('GRANT INSERT ON public.%I TO pf_etl', part);
{indent}END IF;
"""
_COUNTED = "            created := created + 1;\n"
# the month partitions of post_metric_daily (attached; not DEFAULT)
MONTH_PARTITIONS = """
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.post_metric_daily'::regclass AND NOT c.relpartbound IS NULL
  AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
"""
_TRIGGERS = "".join(
    f"                EXECUTE format('CREATE TRIGGER trg_post_metric_daily_rollup_{event} AFTER {event.upper()} "
    f"ON public.%I REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION pf_rollup_mark_metrics()', part);\n"
    for event, transition in {
        "insert": "NEW TABLE AS pf_new",
        "update": "OLD TABLE AS pf_old NEW TABLE AS pf_new",
        "delete": "OLD TABLE AS pf_old",
    }.items()
)
FUNCTION = """
CREATE FUNCTION pf_fact_partitions(fact text, months date[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET lock_timeout = '5s' AS $$
DECLARE
    month date;
    part text;
    locked boolean := false;
    created integer := 0;
    first_month constant date := DATE '2000-01-01';  -- the ETL's earliest date (etl_jobs.type_checks)
    last_month constant date := (date_trunc('month', current_date) + interval '1 month')::date;
BEGIN
    IF fact IS NULL OR fact NOT IN ('post_metric_daily', 'conversion_daily') THEN
        RAISE EXCEPTION 'pf_fact_partitions: % is not a month-partitioned daily fact', fact
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR month IN
        SELECT DISTINCT date_trunc('month', m)::date FROM unnest(months) m
        WHERE m >= first_month AND m < last_month + interval '1 month' ORDER BY 1
    LOOP
        part := format('%s_p%s', fact, to_char(month, 'YYYY_MM'));
        CONTINUE WHEN to_regclass('public.' || part) IS NOT NULL;  -- attached, or detached and kept
        IF NOT locked THEN
            PERFORM pg_advisory_xact_lock(1610116002);  -- pf_fact_partitions()'s: one creator at a time
            -- a relation lock processes the catalog changes committed while we waited (another creator's)
            EXECUTE format('LOCK TABLE public.%I IN SHARE UPDATE EXCLUSIVE MODE', fact);
            locked := true;
            CONTINUE WHEN to_regclass('public.' || part) IS NOT NULL;
        END IF;
        BEGIN
            EXECUTE format('CREATE TABLE public.%I (LIKE public.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
                           'INCLUDING STORAGE)', part, fact);
        EXCEPTION WHEN duplicate_table OR unique_violation THEN  -- made meanwhile: count it as there
            CONTINUE;
        END;
        EXECUTE format('WITH moved AS (DELETE FROM public.%I WHERE date >= %L AND date < %L RETURNING *) '
                       'INSERT INTO public.%I SELECT * FROM moved',
                       fact || '_default', month, (month + interval '1 month')::date, part);
        EXECUTE format('ALTER TABLE public.%I ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',
                       fact, part, month, (month + interval '1 month')::date);
        IF fact = 'post_metric_daily' THEN
{triggers}{grant}        END IF;
        created := created + 1;
    END LOOP;
    RETURN created;
END
$$
""".replace("{triggers}", _TRIGGERS).replace("{grant}", _GRANT.replace("{indent}", " " * 16))


def _previous_function() -> str:
    """pf_fact_partitions() as migration d2c7f4a9e613 defines it (one definition, not a copy)."""
    path = next(Path(__file__).parent.glob("*_d2c7f4a9e613_*.py"))
    spec = importlib.util.spec_from_file_location("pf_migration_d2c7f4a9e613", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._function_with_triggers()


def _function_with_grant() -> str:
    previous = _previous_function()
    assert previous.count(_COUNTED) == 1, (
        "pf_fact_partitions() of d2c7f4a9e613 changed: update this migration"
    )
    grant = "            IF parent = 'post_metric_daily' THEN\n" + _GRANT.replace("{indent}", " " * 16)
    return previous.replace(_COUNTED, grant + "            END IF;\n" + _COUNTED, 1)


def _each_month_partition(statement: str) -> None:
    op.execute(f"""
        DO $$
        DECLARE part text;
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pf_etl') THEN
                FOR part IN {MONTH_PARTITIONS} LOOP
                    EXECUTE format('{statement}', part);
                END LOOP;
            END IF;
        END
        $$
    """)  # noqa: S608 - constants of this migration


def upgrade() -> None:
    op.execute(_function_with_grant())
    _each_month_partition("GRANT INSERT ON public.%I TO pf_etl")
    op.execute(FUNCTION)
    op.execute(f"REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC")
    op.execute(f"""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pf_etl') THEN
                GRANT EXECUTE ON FUNCTION {SIGNATURE} TO pf_etl;
            END IF;
        END
        $$
    """)  # noqa: S608 - constants


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
    op.execute(_previous_function())
    _each_month_partition("REVOKE INSERT ON public.%I FROM pf_etl")
