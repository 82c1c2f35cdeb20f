"""influencer_score partitioned by scoring run: the last chunk swaps a partition, not the rows (issue 16.3)

Why: the transaction of a run's last chunk replaced influencer_score row by row (DELETE, then an INSERT …
SELECT of every staged row with every index maintained): 12.2 s at 100,000 influencers (300,000 rows), about
2 minutes at 1M, the one step of a run that grew with the warehouse (docs/benchmarks.md, "The scoring swap
after the per-tier indexes"). Each chunk now writes its complete rows straight into its run's own table,
and the swap only exchanges tables.

- `influencer_score` becomes `PARTITION BY LIST (run_id)` (new nullable column `run_id`) with exactly one
  partition, attached as DEFAULT: the champion run's table. DEFAULT, so that the rows written outside a run
  (seeds, tests, benches: no run_id) still land in it, and because a DEFAULT partition without siblings has
  no partition constraint, so ATTACH validates nothing (no scan). The existing table, with its rows, becomes
  that first partition (`influencer_score_initial`; its indexes renamed `influencer_score_initial_<suffix>`).
- The parent carries the indexes (partitioned indexes, same names as before), both foreign keys (ON DELETE
  CASCADE) and the follower_tier BEFORE trigger; it has no primary key (a partitioned table's key must
  include run_id, which may be NULL): each partition has its own `(influencer_id, content_type)` key.
- `pf_score_run_table(run)`: creates `influencer_score_run_<run>` (owned by the migrating owner) with the
  parent's columns and defaults, its key, the parent's foreign keys and indexes under the same definitions
  (so that ATTACH adopts them: no index build, no foreign key validation), and `CHECK (run_id = <run>)`;
  pf_etl may read and write it while it is detached.
- `pf_score_swap(run)`: ANALYZE the run's table unless autovacuum analysed it after most of its rows came
  (a sample of up to 30,000 pages: the new partition plans with statistics), DETACH
  the current DEFAULT partition, ATTACH the run's table as DEFAULT (pf_etl's writes revoked: a partition is
  written through its parent). In the caller's transaction; DETACH takes ACCESS EXCLUSIVE on
  influencer_score until that transaction commits (readers wait that long, then read the new run).
- `pf_score_drop_detached()`: drops the detached tables (the previous champion's, a superseded run's),
  never a running run's; called after the swap has committed — a DROP in the swap's transaction removed
  the old table's files at commit while the lock was still held.
- `pf_score_run_drop(run)`: drops a superseded run's table (never the attached partition).
- `pf_influencer_tier_to_scores()` (AFTER UPDATE of an influencer whose tier changed) also rewrites the
  tier in the tables of running runs, which are not partitions yet.

The four functions are SECURITY DEFINER (ATTACH, DETACH and DROP need the tables' owner), EXECUTE for
pf_etl only. Runs still running at upgrade are marked superseded (their staged rows were in score_stage,
which runs no longer use).

Downgrade: the partition becomes the plain table `influencer_score` again (detached, renamed, run_id dropped,
its key, index names, grants and trigger restored); run tables are dropped, running runs superseded.

Revision ID: b3d8e6f1a2c4
Revises: f5d9b2a7c3e1
Create Date: 2026-11-30 12:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "b3d8e6f1a2c4"
down_revision: str | None = "f5d9b2a7c3e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST = "influencer_score_initial"
INDEX_SUFFIXES = ("tier_er", "tier_engagements", "tier_per_dollar", "content_cost", "flagged")
FKS = {
    "fk_influencer_score_influencer_id_influencer": "FOREIGN KEY (influencer_id) REFERENCES influencer(id) "
    "ON DELETE CASCADE",
    "fk_influencer_score_model_version_id_model_version": "FOREIGN KEY (model_version_id) "
    "REFERENCES model_version(id) ON DELETE CASCADE",
}
TIER_TRIGGER = (
    "CREATE TRIGGER influencer_score_follower_tier BEFORE INSERT OR UPDATE OF influencer_id ON {table} "
    "FOR EACH ROW WHEN (NEW.follower_tier IS NULL) EXECUTE FUNCTION pf_score_follower_tier()"
)
RUN_TABLE = """
CREATE FUNCTION pf_score_run_table(run bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    name text := 'influencer_score_run_' || run;
    other text;
    item record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM score_run WHERE id = run AND status = 'running') THEN
        RAISE EXCEPTION 'no running scoring run %', run;
    END IF;
    IF to_regclass('public.' || name) IS NOT NULL THEN
        IF (SELECT relispartition FROM pg_class WHERE oid = to_regclass('public.' || name)) THEN
            -- the champion's table has this run's name (run ids restarted, as a test's TRUNCATE … RESTART
            -- IDENTITY does): renamed aside, indexes included
            other := name || '_' || txid_current();
            FOR item IN SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                        WHERE i.indrelid = to_regclass('public.' || name) LOOP
                EXECUTE format('ALTER INDEX public.%I RENAME TO %I', item.relname, replace(item.relname, name, other));
            END LOOP;
            EXECUTE format('ALTER TABLE public.%I RENAME TO %I', name, other);
        ELSE  -- a stale table of an id that is only now running
            EXECUTE format('DROP TABLE public.%I', name);
        END IF;
    END IF;
    EXECUTE format('CREATE TABLE public.%I (LIKE public.influencer_score INCLUDING DEFAULTS, '
                   'CONSTRAINT %I PRIMARY KEY (influencer_id, content_type), '
                   'CONSTRAINT %I CHECK (run_id = %s))', name, 'pk_' || name, name || '_run', run);
    FOR item IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                WHERE conrelid = 'public.influencer_score'::regclass AND contype = 'f' LOOP
        EXECUTE format('ALTER TABLE public.%I ADD CONSTRAINT %I %s', name, item.conname, item.def);
    END LOOP;
    FOR item IN SELECT c.relname, pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'public.influencer_score'::regclass LOOP
        EXECUTE format('CREATE INDEX %I ON public.%I %s', name || '_' || replace(item.relname, 'ix_influencer_score_', ''),
                       name, substring(item.def FROM ' USING .*$'));
    END LOOP;
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO pf_etl', name);
    RETURN name;
END
$$
"""
SWAP = """
CREATE FUNCTION pf_score_swap(run bigint) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    name text := 'influencer_score_run_' || run;
    rel regclass;
    old regclass;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = name AND relnamespace = 'public'::regnamespace
                   AND relkind = 'r' AND NOT relispartition) THEN
        RAISE EXCEPTION 'scoring run % has no table to swap in', run;
    END IF;
    -- statistics for the new partition's plans, unless autovacuum analysed it since most of its rows came
    -- (ANALYZE reads a sample: up to 30,000 pages; before the DETACH, so readers do not wait for it)
    rel := to_regclass('public.' || name);
    IF coalesce(pg_stat_get_last_analyze_time(rel), pg_stat_get_last_autoanalyze_time(rel)) IS NULL
       OR pg_stat_get_mod_since_analyze(rel) > 0.2 * greatest(pg_stat_get_live_tuples(rel), 1) THEN
        EXECUTE format('ANALYZE public.%I', name);
    END IF;
    SELECT partdefid::regclass INTO old FROM pg_partitioned_table
    WHERE partrelid = 'public.influencer_score'::regclass AND partdefid <> 0;
    IF old IS NOT NULL THEN
        EXECUTE format('ALTER TABLE public.influencer_score DETACH PARTITION %s', old);
    END IF;
    EXECUTE format('ALTER TABLE public.influencer_score ATTACH PARTITION public.%I DEFAULT', name);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON public.%I FROM pf_etl', name);
    -- the old table is dropped after this commits (pf_score_drop_detached): a DROP's files are removed at
    -- commit, while the lock is still held (0.3-0.7 s for the 3M rows at 1M)
    RETURN name;
END
$$
"""
DROP_RUN = """
CREATE FUNCTION pf_score_run_drop(run bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    name text := 'influencer_score_run_' || run;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_class WHERE relname = name AND relnamespace = 'public'::regnamespace
               AND relkind = 'r' AND NOT relispartition) THEN
        EXECUTE format('DROP TABLE public.%I', name);
        RETURN true;
    END IF;
    RETURN false;
END
$$
"""
DROP_DETACHED = """
CREATE FUNCTION pf_score_drop_detached() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    name text;
    dropped integer := 0;
BEGIN
    FOR name IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                AND NOT c.relispartition AND c.relname ~ '^influencer_score_(initial|run_[0-9]+(_[0-9]+)?)$'
                AND c.relname NOT IN (SELECT 'influencer_score_run_' || id FROM score_run WHERE status = 'running')
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS public.%I', name);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$
"""
TIER_TO_SCORES = """
CREATE OR REPLACE FUNCTION pf_influencer_tier_to_scores() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public AS $$
DECLARE
    part regclass;
BEGIN
    UPDATE influencer_score SET follower_tier = NEW.follower_tier WHERE influencer_id = NEW.id;{runs}
    RETURN NULL;
END
$$
"""
RUNS_TOO = """
    -- the running runs' tables are not partitions yet: their rows get the new tier too
    FOR part IN SELECT c.oid::regclass FROM score_run r JOIN pg_class c
                ON c.relname = 'influencer_score_run_' || r.id AND c.relnamespace = 'public'::regnamespace
                WHERE r.status = 'running' AND NOT c.relispartition LOOP
        EXECUTE format('UPDATE %s SET follower_tier = $1 WHERE influencer_id = $2', part)
        USING NEW.follower_tier, NEW.id;
    END LOOP;"""
FUNCTIONS = (
    "pf_score_run_table(bigint)",
    "pf_score_swap(bigint)",
    "pf_score_run_drop(bigint)",
    "pf_score_drop_detached()",
)
RUNNING_TABLES = """
DO $$
DECLARE name text;
BEGIN
    FOR name IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                AND c.relname ~ '^influencer_score_run_[0-9]+$' AND NOT c.relispartition LOOP
        EXECUTE format('DROP TABLE public.%I', name);
    END LOOP;
END
$$
"""
SUPERSEDE = (
    "UPDATE score_run SET status = 'superseded', finished_at = now() WHERE status = 'running'",
    "DELETE FROM score_stage",
    "DELETE FROM score_run_influencer WHERE run_id NOT IN (SELECT id FROM score_run WHERE status = 'running')",
)


def upgrade() -> None:
    for statement in SUPERSEDE:
        op.execute(statement)
    op.execute("ALTER TABLE influencer_score ADD COLUMN run_id bigint")
    op.execute("DROP TRIGGER influencer_score_follower_tier ON influencer_score")  # the parent's is cloned
    op.execute(f"ALTER TABLE influencer_score RENAME TO {FIRST}")
    op.execute(f"ALTER INDEX pk_influencer_score RENAME TO pk_{FIRST}")
    for suffix in INDEX_SUFFIXES:
        op.execute(f"ALTER INDEX ix_influencer_score_{suffix} RENAME TO {FIRST}_{suffix}")
    op.execute(f"CREATE TABLE influencer_score (LIKE {FIRST} INCLUDING DEFAULTS) PARTITION BY LIST (run_id)")
    for name, definition in FKS.items():
        op.execute(f"ALTER TABLE influencer_score ADD CONSTRAINT {name} {definition}")
    for suffix in INDEX_SUFFIXES:  # on the empty parent; ATTACH adopts the partition's equivalent ones
        op.execute(_index_on_parent(suffix))
    op.execute(TIER_TRIGGER.format(table="influencer_score"))
    op.execute("GRANT SELECT ON influencer_score TO pf_api")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON influencer_score TO pf_etl")
    op.execute(f"ALTER TABLE influencer_score ATTACH PARTITION {FIRST} DEFAULT")
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON {FIRST} FROM pf_etl")
    op.execute(TIER_TO_SCORES.replace("{runs}", RUNS_TOO))
    for sql in (RUN_TABLE, SWAP, DROP_RUN, DROP_DETACHED):
        op.execute(sql)
    for signature in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO pf_etl")


def _index_on_parent(suffix: str) -> str:
    """CREATE INDEX of the parent's index `suffix`, from the first partition's definition."""
    return f"""
DO $$
BEGIN
    EXECUTE format('CREATE INDEX ix_influencer_score_{suffix} ON influencer_score %s',
                   substring(pg_get_indexdef('{FIRST}_{suffix}'::regclass) FROM ' USING .*$'));
END
$$"""


def downgrade() -> None:
    op.execute("UPDATE score_run SET status = 'superseded', finished_at = now() WHERE status = 'running'")
    op.execute(RUNNING_TABLES)
    op.execute("DELETE FROM score_run_influencer")
    for signature in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")
    op.execute(TIER_TO_SCORES.replace("{runs}", ""))
    part = "(SELECT partdefid::regclass::text FROM pg_partitioned_table WHERE partrelid = 'influencer_score'::regclass)"
    op.execute(f"""
DO $$
DECLARE
    part text := {part};
    suffix text;
BEGIN
    EXECUTE format('ALTER TABLE influencer_score DETACH PARTITION %s', part);
    DROP TABLE influencer_score;
    EXECUTE format('ALTER TABLE %s RENAME TO influencer_score', part);
    FOR suffix IN SELECT unnest(ARRAY{list(INDEX_SUFFIXES)}) LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', part || '_' || suffix, 'ix_influencer_score_' || suffix);
    END LOOP;
    EXECUTE format('ALTER INDEX %I RENAME TO pk_influencer_score', 'pk_' || part);
END
$$""")
    op.execute("ALTER TABLE influencer_score DROP COLUMN run_id")
    op.execute(TIER_TRIGGER.format(table="influencer_score"))
    op.execute("GRANT SELECT ON influencer_score TO pf_api")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON influencer_score TO pf_etl")
