"""Rollups rebuilt beside the live table and swapped in (issue 16.8)

Why: a from-scratch rebuild (`rollups.rebuild`, and every apply that touched more than a quarter of all posts —
each big first load) emptied influencer_stats and re-inserted every row through its 25 indexes. At 1M
influencers that is ~2 GB of index maintained row by row in random order against 128 MB of shared_buffers:
sampled during the xl ETL run, the INSERT took ~90 s of the influencers load, ~304 s of the posts' 587 s and
~420 s of the metrics' 1,376 s, while its SELECT alone took 49 s (docs/benchmarks.md). Filling a bare table
and building each index once by sorting is the usual cure; the ETL role cannot do it itself because it does
not own the rollups (migration a7a014bc99e0), so two SECURITY DEFINER functions do the DDL and nothing else:

- `pf_rollup_next(rollup text) RETURNS text`: (re)creates the empty table `<rollup>_next` LIKE the rollup
  (columns, defaults, storage options such as post_stats' fillfactor; no index), and lets pf_etl SELECT and
  INSERT into it. Returns its name. The caller fills it with the rollup's from-scratch SELECT, with its own
  privileges.
- `pf_rollup_swap(rollup text, wait_ms integer DEFAULT 10000) RETURNS boolean`: builds every index of the
  rollup on `<rollup>_next` (same definitions, UNIQUE kept), its extended statistics objects and per-column statistics targets, gives it the
  rollup's grants exactly (the temporary pf_etl INSERT goes), ANALYZEs it, then takes the rollup's ACCESS
  EXCLUSIVE lock (waiting at most `wait_ms` for readers), drops it and renames the new table, its indexes and
  statistics objects to the old names. Returns true. When the lock is not granted in time the rollup is
  instead emptied and filled from `<rollup>_next` (DELETE + INSERT, as before: readers are never blocked),
  `<rollup>_next` is dropped and it returns false.
- Both accept only the eight rollup names and raise otherwise; EXECUTE is granted to pf_etl, not PUBLIC. The
  rollups have no constraints, triggers or dependent views (a DROP would refuse one).

Readers keep reading the old rows until the swap and wait only from the swap to the caller's commit; a
statement that waited on the dropped table resolves the name again and reads the new one. Callers:
`predictfluence.queries.rollups._rebuild_in`, for influencer_stats and post_stats when the warehouse holds at
least `SWAP_ROWS` of their source rows (docs/architecture.md, "Rollups").

Downgrade: the functions are dropped.

Revision ID: c5e2a8d4f7b1
Revises: e7b1d4a9c2f6
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "c5e2a8d4f7b1"
down_revision: str | None = "e7b1d4a9c2f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUPS = ("post_stats", "influencer_stats", "portfolio_stats", "campaign_post_stats", "content_type_stats",
           "daily_stats", "daily_platform_stats", "audience_totals")
_CHECK = f"""
    IF rollup IS NULL OR rollup NOT IN ({", ".join(f"'{name}'" for name in ROLLUPS)}) THEN
        RAISE EXCEPTION '%: % is not a rollup table', fn, rollup USING ERRCODE = 'invalid_parameter_value';
    END IF;"""
NEXT = """
CREATE FUNCTION pf_rollup_next(rollup text) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    fn constant text := 'pf_rollup_next';
    nxt constant text := rollup || '_next';
    options text[];
BEGIN{check}
    EXECUTE format('DROP TABLE IF EXISTS public.%I', nxt);
    EXECUTE format('CREATE TABLE public.%I (LIKE public.%I INCLUDING DEFAULTS INCLUDING STORAGE '
                   'INCLUDING COMPRESSION)', nxt, rollup);
    SELECT reloptions INTO options FROM pg_class WHERE oid = format('public.%I', rollup)::regclass;
    IF options IS NOT NULL THEN
        EXECUTE format('ALTER TABLE public.%I SET (%s)', nxt, array_to_string(options, ', '));
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pf_etl') THEN
        EXECUTE format('GRANT SELECT, INSERT ON public.%I TO pf_etl', nxt);
    END IF;
    RETURN nxt;
END
$$
""".replace("{check}", _CHECK)
SWAP = """
CREATE FUNCTION pf_rollup_swap(rollup text, wait_ms integer DEFAULT 10000) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET lock_timeout = '10s' AS $$
DECLARE
    fn constant text := 'pf_rollup_swap';
    nxt constant text := rollup || '_next';
    live regclass;
    r record;
    n integer := 0;
    made text[] := '{}';
    wanted text[] := '{}';
BEGIN{check}
    IF to_regclass(format('public.%I', nxt)) IS NULL THEN
        RAISE EXCEPTION '%: % does not exist (call pf_rollup_next first)', fn, nxt
            USING ERRCODE = 'undefined_table';
    END IF;
    live := format('public.%I', rollup)::regclass;
    -- the same indexes, built once over the filled table (temporary names: the live ones are taken)
    FOR r IN SELECT c.relname, x.indisunique, pg_get_indexdef(x.indexrelid) AS def
             FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = live ORDER BY c.relname
    LOOP
        n := n + 1;
        made := made || format('pf_next_%s_%s', rollup, n);
        wanted := wanted || r.relname::text;
        EXECUTE format('CREATE %sINDEX %I ON public.%I %s', CASE WHEN r.indisunique THEN 'UNIQUE ' ELSE '' END,
                       made[n], nxt, substring(r.def FROM ' (USING .*)$'));
    END LOOP;
    FOR r IN SELECT s.stxname, pg_get_statisticsobjdef(s.oid) AS def FROM pg_statistic_ext s
             WHERE s.stxrelid = live ORDER BY s.stxname
    LOOP
        n := n + 1;
        made := made || format('pf_next_%s_%s', rollup, n);
        wanted := wanted || r.stxname::text;
        EXECUTE format('CREATE STATISTICS public.%I %s FROM public.%I', made[n],
                       substring(r.def FROM '^CREATE STATISTICS \\S+ (.*) FROM \\S+$'), nxt);
    END LOOP;
    FOR r IN SELECT attname, attstattarget FROM pg_attribute
             WHERE attrelid = live AND attnum > 0 AND NOT attisdropped AND attstattarget >= 0
    LOOP
        EXECUTE format('ALTER TABLE public.%I ALTER COLUMN %I SET STATISTICS %s', nxt, r.attname, r.attstattarget);
    END LOOP;
    -- the rollup's grants, exactly (pf_rollup_next's INSERT for pf_etl goes unless the rollup has it)
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pf_etl') THEN
        EXECUTE format('REVOKE ALL ON public.%I FROM pf_etl', nxt);
    END IF;
    FOR r IN SELECT a.privilege_type, a.is_grantable,
                    CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.rolname) END AS grantee
             FROM pg_class c, aclexplode(c.relacl) a LEFT JOIN pg_roles g ON g.oid = a.grantee
             WHERE c.oid = live AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('GRANT %s ON public.%I TO %s%s', r.privilege_type, nxt, r.grantee,
                       CASE WHEN r.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    EXECUTE format('ANALYZE public.%I', nxt);
    PERFORM set_config('lock_timeout', greatest(coalesce(wait_ms, 10000), 1) || 'ms', true);  -- this function's
    BEGIN
        EXECUTE format('LOCK TABLE public.%I IN ACCESS EXCLUSIVE MODE', rollup);
    EXCEPTION WHEN lock_not_available THEN  -- long readers: fill the live table instead, as before
        EXECUTE format('DELETE FROM public.%I', rollup);
        EXECUTE format('INSERT INTO public.%I SELECT * FROM public.%I', rollup, nxt);
        EXECUTE format('DROP TABLE public.%I', nxt);
        EXECUTE format('ANALYZE public.%I', rollup);
        RETURN false;
    END;
    EXECUTE format('DROP TABLE public.%I', rollup);
    EXECUTE format('ALTER TABLE public.%I RENAME TO %I', nxt, rollup);
    FOR i IN 1 .. n LOOP
        IF to_regclass(format('public.%I', made[i])) IS NOT NULL THEN
            EXECUTE format('ALTER INDEX public.%I RENAME TO %I', made[i], wanted[i]);
        ELSE
            EXECUTE format('ALTER STATISTICS public.%I RENAME TO %I', made[i], wanted[i]);
        END IF;
    END LOOP;
    RETURN true;
END
$$
""".replace("{check}", _CHECK)


def upgrade() -> None:
    op.execute(NEXT)
    op.execute(SWAP)
    for signature in ("pf_rollup_next(text)", "pf_rollup_swap(text, integer)"):
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"""
            DO $$ BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pf_etl') THEN
                    GRANT EXECUTE ON FUNCTION {signature} TO pf_etl;
                END IF;
            END $$""")  # noqa: S608 - constant signatures


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS pf_rollup_swap(text, integer)")
    op.execute("DROP FUNCTION IF EXISTS pf_rollup_next(text)")
