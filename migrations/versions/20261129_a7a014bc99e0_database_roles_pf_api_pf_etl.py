"""database roles: pf_api and pf_etl, least privilege for the API and the ETL (migrations run as owner)

Why (issue 10, point 9): the API and the ETL connected as the owner of every table, so a bug or an
injection in either could DROP, ALTER or TRUNCATE the warehouse, and the ETL could mint API keys. Now
two NOLOGIN group roles carry exactly what each side needs; the login users of a deployment are made
members of them, and only the owner (the user that runs `predictfluence db upgrade`) owns objects.

pf_api (the REST API and the authorizer; derived from layers/core/predictfluence/queries/):
- SELECT on every table and rollup (warehouse, etl_load, model_version, influencer_score, api_key);
- INSERT, UPDATE, DELETE on campaign and campaign_influencer (campaigns and hires);
- INSERT, UPDATE on api_key (create, last_used_at, revoke: a revoked key is kept, never deleted);
- SELECT on the sequence rollup_version (the list-total cache reads last_value);
- nothing else: no TRUNCATE, no writes to the warehouse facts or etl_load, no DDL.

pf_etl (the ETL function, and the retraining/scoring batch, which writes model_version and
influencer_score):
- SELECT on every table and rollup except api_key (not even readable);
- INSERT, UPDATE, DELETE on the warehouse tables (influencer, influencer_snapshot, post,
  post_metric_daily, audience_share, conversion_daily, campaign, campaign_influencer) and on
  model_version and influencer_score; INSERT, UPDATE on etl_load;
- TEMPORARY on the database (the staging tables are ON COMMIT DROP temp tables);
- USAGE, SELECT on rollup_version (every refresh bumps it with nextval);
- EXECUTE on pf_refresh_rollup(view, concurrently). REFRESH MATERIALIZED VIEW needs ownership of the
  view in PostgreSQL (MAINTAIN exists only from 17; Aurora 16 has no such privilege), and making pf_etl
  an owner would also let it DROP the rollups. So the refresh goes through this SECURITY DEFINER function,
  owned by the owner, which refreshes only a materialized view of the public schema by name (search_path
  pinned, identifier quoted). `SELECT pf_refresh_rollup('post_stats', true)` = `REFRESH MATERIALIZED
  VIEW CONCURRENTLY post_stats`.

Both: USAGE on schema public, CONNECT on the database, USAGE on the identity sequences of the tables they
insert into. Default privileges: tables and rollups the owner creates later are readable (SELECT) by both;
any write grant on a new table belongs in the migration that creates it (tests/db_roles asserts a
decision for every table). PUBLIC loses CREATE on schema public (already the default from PostgreSQL 15).

Roles are cluster-wide (one server holds many databases, e.g. one per test session): CREATE ROLE only when
missing, tolerating a concurrent migration creating it first; downgrade revokes this database's grants and
leaves the roles (other databases may use them).

Mapping login users (run once per deployment, as the owner, who needs CREATEROLE or ADMIN on the roles):
    CREATE ROLE pf_api_login LOGIN PASSWORD '…' IN ROLE pf_api;   -- the API's Secrets Manager user
    CREATE ROLE pf_etl_login LOGIN PASSWORD '…' IN ROLE pf_etl;   -- the ETL's (and retrain's) user
or, for existing users, `GRANT pf_api TO api_user; GRANT pf_etl TO etl_user;`. On RDS/Aurora the master
user (in the cluster's master secret) owns the schema and runs the migrations; the functions' secrets hold
the member users. Members inherit the privileges (INHERIT is the default); `SET ROLE pf_api` also works.

Revision ID: a7a014bc99e0
Revises: e4a41d3922fa
Create Date: 2026-11-29 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "a7a014bc99e0"
down_revision: str | None = "e4a41d3922fa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

API_ROLE = "pf_api"
ETL_ROLE = "pf_etl"

# Every table at this revision and what each role may do beyond reading (None: not even SELECT).
TABLES: dict[str, dict[str, str | None]] = {
    "alembic_version": {API_ROLE: "SELECT", ETL_ROLE: "SELECT"},
    "api_key": {API_ROLE: "SELECT, INSERT, UPDATE", ETL_ROLE: None},
    "campaign": {API_ROLE: "SELECT, INSERT, UPDATE, DELETE", ETL_ROLE: "SELECT, INSERT, UPDATE, DELETE"},
    "campaign_influencer": {API_ROLE: "SELECT, INSERT, UPDATE, DELETE", ETL_ROLE: "SELECT, INSERT, UPDATE, DELETE"},
    "etl_load": {API_ROLE: "SELECT", ETL_ROLE: "SELECT, INSERT, UPDATE"},
    "influencer": {API_ROLE: "SELECT", ETL_ROLE: "SELECT, INSERT, UPDATE, DELETE"},
    "influencer_snapshot": {API_ROLE: "SELECT", ETL_ROLE: "SELECT, INSERT, UPDATE, DELETE"},
    "post": {API_ROLE: "SELECT", ETL_ROLE: "SELECT, INSERT, UPDATE, DELETE"},
    "post_metric_daily": {API_ROLE: "SELECT", ETL_ROLE: "SELECT, INSERT, UPDATE, DELETE"},
    "audience_share": {API_ROLE: "SELECT", ETL_ROLE: "SELECT, INSERT, UPDATE, DELETE"},
    "conversion_daily": {API_ROLE: "SELECT", ETL_ROLE: "SELECT, INSERT, UPDATE, DELETE"},
    "model_version": {API_ROLE: "SELECT", ETL_ROLE: "SELECT, INSERT, UPDATE, DELETE"},
    "influencer_score": {API_ROLE: "SELECT", ETL_ROLE: "SELECT, INSERT, UPDATE, DELETE"},
}
ROLLUPS = ("post_stats", "influencer_stats", "portfolio_stats", "campaign_post_stats", "content_type_stats",
           "daily_stats", "daily_platform_stats", "audience_totals")
# Identity sequences of the tables each role inserts into.
SEQUENCES: dict[str, tuple[str, ...]] = {
    API_ROLE: ("api_key_id_seq", "campaign_id_seq", "campaign_influencer_id_seq"),
    ETL_ROLE: ("campaign_id_seq", "campaign_influencer_id_seq", "etl_load_id_seq", "influencer_id_seq",
               "influencer_snapshot_id_seq", "model_version_id_seq", "post_id_seq"),
}

CREATE_ROLE = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
        BEGIN
            CREATE ROLE {role} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- another database's migration created it at the same moment
        END;
    END IF;
END
$$
"""

REFRESH_FUNCTION = """
CREATE FUNCTION pf_refresh_rollup(view_name text, use_concurrently boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_matviews WHERE schemaname = 'public' AND matviewname = view_name) THEN
        RAISE EXCEPTION 'not a rollup: %', view_name USING ERRCODE = 'undefined_table';
    END IF;
    IF use_concurrently THEN
        EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY public.%I', view_name);
    ELSE
        EXECUTE format('REFRESH MATERIALIZED VIEW public.%I', view_name);
    END IF;
END
$$
"""


def upgrade() -> None:
    roles = f"{API_ROLE}, {ETL_ROLE}"
    for role in (API_ROLE, ETL_ROLE):
        op.execute(CREATE_ROLE.format(role=role))
    op.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    op.execute(f"GRANT USAGE ON SCHEMA public TO {roles}")
    op.execute(f"""
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {roles}', current_database());
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO {ETL_ROLE}', current_database());
END
$$
""")
    for table, grants in TABLES.items():
        for role, privileges in grants.items():
            if privileges:
                op.execute(f"GRANT {privileges} ON TABLE {table} TO {role}")
    for view in ROLLUPS:
        op.execute(f"GRANT SELECT ON TABLE {view} TO {roles}")
    for role, sequences in SEQUENCES.items():
        op.execute(f"GRANT USAGE ON SEQUENCE {', '.join(sequences)} TO {role}")
    op.execute(f"GRANT SELECT ON SEQUENCE rollup_version TO {API_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON SEQUENCE rollup_version TO {ETL_ROLE}")
    op.execute(REFRESH_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION pf_refresh_rollup(text, boolean) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION pf_refresh_rollup(text, boolean) TO {ETL_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {roles}")


def downgrade() -> None:
    roles = f"{API_ROLE}, {ETL_ROLE}"
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT ON TABLES FROM {roles}")  # noqa: S608 - role names are constants
    op.execute("DROP FUNCTION IF EXISTS pf_refresh_rollup(text, boolean)")
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {roles}")
    op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {roles}")
    op.execute(f"REVOKE ALL ON SCHEMA public FROM {roles}")
    op.execute(f"""
DO $$
BEGIN
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM {roles}', current_database());
END
$$
""")
    # The roles stay: they are cluster-wide and other databases on the server may still use them.
