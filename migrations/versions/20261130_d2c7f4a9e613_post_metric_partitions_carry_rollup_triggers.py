"""post_metric_daily's month partitions carry the rollup queue triggers too (issue 16.2 follow-up)

Why: a COPY into the PARTITIONED post_metric_daily whose INSERT trigger has a transition table (the rollup
queue, migration 5f0c2e9a7d41) inserts one row at a time (PostgreSQL's copyfrom.c refuses multi-inserts
when routing with such a trigger); a COPY into the month partition itself uses multi-inserts. The ETL's
post_metrics fast path (etl_jobs.fast_metrics) therefore COPYs each month's rows straight into that month's
partition when the partition exists and carries the queue triggers. A statement trigger fires only for the
table the statement names: the parent's for rows routed through it, the partition's for rows written to it,
never both — so each row is queued exactly once either way (tests/etl/test_partition_copy.py).

- the three triggers of the parent (AFTER INSERT/UPDATE/DELETE … FOR EACH STATEMENT, transition tables,
  pf_rollup_mark_metrics()) are created, with the parent's names, on every existing month partition of
  post_metric_daily — not on the DEFAULT partition, whose rows pf_fact_partitions() moves out with DML
  that must queue nothing;
- pf_fact_partitions() creates them on each post_metric_daily month partition it creates, after moving
  the DEFAULT rows in (the move queues nothing, as before);
- predictfluence.queries.partitions.detach_before drops them from a detached partition (an archived table
  must not queue rollups).

Downgrade: the triggers leave every partition; pf_fact_partitions() as migration 6a1d3e8f2b90 made it.

Revision ID: d2c7f4a9e613
Revises: b3e9d7a41c62
Create Date: 2026-11-30 05:00:00
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from alembic import op

revision: str = "d2c7f4a9e613"
down_revision: str | None = "b3e9d7a41c62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGERS = {
    "insert": "NEW TABLE AS pf_new",
    "update": "OLD TABLE AS pf_old NEW TABLE AS pf_new",
    "delete": "OLD TABLE AS pf_old",
}
# the month partitions of post_metric_daily (attached; not DEFAULT)
MONTH_PARTITIONS = """
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.post_metric_daily'::regclass AND NOT c.relpartbound IS NULL
  AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
"""
_CREATE = "".join(
    f"EXECUTE format('CREATE TRIGGER trg_post_metric_daily_rollup_{event} AFTER {event.upper()} ON public.%I "
    f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION pf_rollup_mark_metrics()', part);\n"
    for event, transition in TRIGGERS.items()
)
_ATTACH = ("            EXECUTE format('ALTER TABLE public.%I ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',\n"
           "                           parent, part, month, (month + interval '1 month')::date);\n")


def _previous_function() -> str:
    """pf_fact_partitions() as migration 6a1d3e8f2b90 defines it (one definition, not a copy)."""
    path = next(Path(__file__).parent.glob("*_6a1d3e8f2b90_*.py"))
    spec = importlib.util.spec_from_file_location("pf_migration_6a1d3e8f2b90", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ENSURE_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _function_with_triggers() -> str:
    previous = _previous_function()
    assert _ATTACH in previous, "pf_fact_partitions() of 6a1d3e8f2b90 changed: update this migration"
    return previous.replace(_ATTACH, _ATTACH + "            IF parent = 'post_metric_daily' THEN\n"
                            + _CREATE + "            END IF;\n", 1)


def _each_partition(statement: str) -> None:
    op.execute(f"""
        DO $$
        DECLARE part text;
        BEGIN
            FOR part IN {MONTH_PARTITIONS} LOOP
                {statement}
            END LOOP;
        END
        $$
    """)


def upgrade() -> None:
    _each_partition(_CREATE)
    op.execute(_function_with_triggers())


def downgrade() -> None:
    op.execute(_previous_function())
    _each_partition("".join(f"EXECUTE format('DROP TRIGGER IF EXISTS trg_post_metric_daily_rollup_{event} "
                            "ON public.%I', part);\n" for event in TRIGGERS))
