"""daily facts partitioned by month: post_metric_daily and conversion_daily PARTITION BY RANGE (date)

Why (issue 16.2): at 30M+ daily metric rows, old months should leave the warehouse without a 30M-row
DELETE (and its vacuum), and date-bounded reads (the analytics trend) should touch only their months.
Both daily facts (primary keys already include `date`) become range-partitioned parents:
- one partition per calendar month, `<table>_pYYYY_MM` [first day, first day of the next month), for every
  month present, the current month and the next one; plus a DEFAULT partition `<table>_default` that
  takes any row no month partition covers (a backfill of a month without a partition, or a date the ETL
  would reject — before 2000-01-01 or after tomorrow — written by hand), so no write ever fails for want
  of a partition;
- the same columns, primary keys, CHECK constraints, index names (partitioned indexes), foreign keys
  (conversion_daily → campaign, influencer; ON DELETE CASCADE) and grants (pf_api SELECT; pf_etl SELECT,
  INSERT, UPDATE, DELETE) as the plain tables;
- the incremental-rollup triggers of migration 5f0c2e9a7d41 (AFTER INSERT/UPDATE/DELETE … FOR EACH
  STATEMENT with transition tables) are recreated on the parent: PostgreSQL (11+) allows statement-level
  triggers with transition tables on a partitioned table, and their transition tables hold the rows of
  every partition the statement routed to (a ROW trigger with transition tables is what it refuses);
- `pf_fact_partitions()` (SECURITY DEFINER, owned by the migrating owner; pf_etl may EXECUTE it) creates
  the current and next month's partitions and moves every in-range month found in the DEFAULT partitions
  into a partition of its own (rows moved with DML on the partitions themselves, which fires none of the
  parent's triggers: the facts, and so the rollups, do not change). Months before 2000-01 or after next
  month are never created (a year-9999 row stays in DEFAULT), so no input can create thousands of
  partitions. The ETL calls it once after each batch (etl_jobs.pipeline.finish_batch). Partitions are
  attached (ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE on the parent, not ACCESS EXCLUSIVE, so readers
  and loads go on), with lock_timeout 5 s: a busy moment leaves rows in DEFAULT for the next call.
Detaching old months is `predictfluence db partitions detach --before YYYY-MM` (predictfluence.queries.
partitions). The data are copied into the new parents (one pass; a migration for a 30M-row warehouse is a
maintenance window).

Downgrade: plain tables again (every partition's rows, DEFAULT included), the same indexes, keys, grants
and triggers; detached partitions (plain tables by then) are left alone.

Revision ID: 6a1d3e8f2b90
Revises: c5a8e1d4b207
Create Date: 2026-11-30 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "6a1d3e8f2b90"
down_revision: str | None = "c5a8e1d4b207"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table: (primary key, secondary index (name, columns), foreign keys)
FACTS: dict[str, tuple[str, tuple[str, str], tuple[str, ...]]] = {
    "post_metric_daily": ("post_id, date", ("ix_post_metric_daily_date", "date"), ()),
    "conversion_daily": (
        "campaign_id, influencer_id, date",
        ("ix_conversion_daily_influencer", "influencer_id"),
        (
            "fk_conversion_daily_campaign_id_campaign FOREIGN KEY (campaign_id) REFERENCES campaign(id) "
            "ON DELETE CASCADE",
            "fk_conversion_daily_influencer_id_influencer FOREIGN KEY (influencer_id) REFERENCES influencer(id) "
            "ON DELETE CASCADE",
        ),
    ),
}
# The rollup triggers of migration 5f0c2e9a7d41 on post_metric_daily.
TRIGGERS = {
    "insert": "NEW TABLE AS pf_new",
    "update": "OLD TABLE AS pf_old NEW TABLE AS pf_new",
    "delete": "OLD TABLE AS pf_old",
}

ENSURE_FUNCTION = """
CREATE FUNCTION pf_fact_partitions() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET lock_timeout = '5s' AS $$
DECLARE
    parent text;
    month date;
    part text;
    created integer := 0;
    first_month constant date := DATE '2000-01-01';  -- the ETL's earliest date (etl_jobs.type_checks)
    last_month constant date := (date_trunc('month', current_date) + interval '1 month')::date;
BEGIN
    PERFORM pg_advisory_xact_lock(1610116002);  -- two batches finishing at once: one creates, the other sees it
    FOREACH parent IN ARRAY ARRAY['post_metric_daily', 'conversion_daily'] LOOP
        FOR month IN
            SELECT m FROM (
                SELECT date_trunc('month', current_date)::date AS m UNION SELECT last_month
                UNION
                SELECT DISTINCT date_trunc('month', d.date)::date
                FROM (SELECT date FROM public.post_metric_daily_default WHERE parent = 'post_metric_daily'
                      UNION ALL
                      SELECT date FROM public.conversion_daily_default WHERE parent = 'conversion_daily') d
                WHERE d.date >= first_month AND d.date < last_month + interval '1 month'
            ) months ORDER BY m
        LOOP
            part := format('%s_p%s', parent, to_char(month, 'YYYY_MM'));
            CONTINUE WHEN to_regclass('public.' || part) IS NOT NULL;  -- attached, or detached and kept
            EXECUTE format('CREATE TABLE public.%I (LIKE public.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
                           'INCLUDING STORAGE)', part, parent);
            EXECUTE format('WITH moved AS (DELETE FROM public.%I WHERE date >= %L AND date < %L RETURNING *) '
                           'INSERT INTO public.%I SELECT * FROM moved',
                           parent || '_default', month, (month + interval '1 month')::date, part);
            EXECUTE format('ALTER TABLE public.%I ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)',
                           parent, part, month, (month + interval '1 month')::date);
            created := created + 1;
        END LOOP;
    END LOOP;
    RETURN created;
END
$$
"""


def _grant(privileges: dict[str, str], relations: str) -> None:
    """GRANT to the roles of migration a7a014bc99e0 that exist (they always do after it; kept safe)."""
    for role, what in privileges.items():
        op.execute(f"""
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                    GRANT {what} ON {relations} TO {role};
                END IF;
            END
            $$
        """)  # noqa: S608 - role names and relations are constants


def _rollup_triggers(create: bool) -> None:
    for event, transition in TRIGGERS.items():
        name = f"trg_post_metric_daily_rollup_{event}"
        if create:
            op.execute(f"CREATE TRIGGER {name} AFTER {event.upper()} ON post_metric_daily REFERENCING {transition} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION pf_rollup_mark_metrics()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON post_metric_daily")


def _rebuild(partitioned: bool) -> None:
    """Move each fact table's rows into a new table of the other shape with the same names."""
    _rollup_triggers(create=False)
    for table, (key, (index, index_columns), foreign_keys) in FACTS.items():
        op.execute(f"ALTER TABLE {table} RENAME TO {table}__old")
        op.execute(f"ALTER TABLE {table}__old RENAME CONSTRAINT pk_{table} TO pk_{table}__old")
        op.execute(f"ALTER INDEX {index} RENAME TO {index}__old")
        op.execute(f"CREATE TABLE {table} (LIKE {table}__old INCLUDING ALL EXCLUDING INDEXES)"
                   + (" PARTITION BY RANGE (date)" if partitioned else ""))
        if partitioned:
            op.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
            op.execute(f"""
                DO $$
                DECLARE month date;
                BEGIN
                    FOR month IN
                        SELECT DISTINCT date_trunc('month', date)::date FROM {table}__old
                        WHERE date >= DATE '2000-01-01'
                          AND date < date_trunc('month', current_date) + interval '2 months'
                    LOOP
                        EXECUTE format('CREATE TABLE %I PARTITION OF {table} FOR VALUES FROM (%L) TO (%L)',
                                       '{table}_p' || to_char(month, 'YYYY_MM'), month,
                                       (month + interval '1 month')::date);
                    END LOOP;
                END
                $$
            """)  # noqa: S608 - table names are the constants of FACTS
        op.execute(f"INSERT INTO {table} SELECT * FROM {table}__old")  # noqa: S608 - constants
        op.execute(f"DROP TABLE {table}__old")
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({key})")
        op.execute(f"CREATE INDEX {index} ON {table} ({index_columns})")
        for foreign_key in foreign_keys:
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {foreign_key}")
        op.execute(f"ANALYZE {table}")
    _rollup_triggers(create=True)
    _grant({"pf_api": "SELECT", "pf_etl": "SELECT, INSERT, UPDATE, DELETE"}, ", ".join(FACTS))


def upgrade() -> None:
    _rebuild(partitioned=True)
    op.execute(ENSURE_FUNCTION)
    op.execute("SELECT pf_fact_partitions()")  # the current and next month
    op.execute("REVOKE ALL ON FUNCTION pf_fact_partitions() FROM PUBLIC")
    _grant({"pf_etl": "EXECUTE"}, "FUNCTION pf_fact_partitions()")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS pf_fact_partitions()")
    _rebuild(partitioned=False)
