"""Issue 10, point 9 (database part): the API and the ETL run as members of pf_api / pf_etl, not as the owner.

Each test logs in as a throw-away LOGIN role that is a member of one group role (created here, dropped
afterwards), runs the real query layer or ETL pipeline through it, and shows what it may not do.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.engine import Engine

# What each role may do on every relation at head: SELECT, INSERT, UPDATE, DELETE (r a w d); nobody may
# TRUNCATE. A new table fails test_every_relation_has_a_decision until its migration grants what it needs
# and this table says so.
ROLLUPS = ("post_stats", "influencer_stats", "portfolio_stats", "campaign_post_stats", "content_type_stats",
           "daily_stats", "daily_platform_stats", "audience_totals")
EXPECTED: dict[str, tuple[str, str]] = {  # relation: (pf_api, pf_etl)
    "alembic_version": ("r", "r"),
    "api_key": ("raw", ""),
    "app_user": ("raw", ""),  # Cognito users' role and disabled flag: the API only; the ETL may not read it (issue 14)
    "campaign": ("rawd", "rawd"),
    "campaign_influencer": ("rawd", "rawd"),
    "etl_load": ("r", "raw"),
    "etl_load_progress": ("r", "rawd"),  # a running load's rows processed: the ETL writes, the API reads (issue 13.9)
    "influencer": ("r", "rawd"),
    "influencer_snapshot": ("r", "rawd"),
    "post": ("r", "rawd"),
    "post_metric_daily": ("r", "rawd"),
    "audience_share": ("r", "rawd"),
    "conversion_daily": ("r", "rawd"),
    "model_version": ("r", "rawd"),
    "influencer_score": ("r", "rawd"),
    # scoring runs (issue 16.3): the ML functions (the ETL role) record runs, chunks and staged scores; the API reads
    **{table: ("r", "rawd") for table in ("score_run", "score_chunk", "score_run_influencer", "score_stage")},
    "column_mapping": ("rawd", "r"),  # saved header mappings: the API saves/deletes, the ETL reads
    "shortlist": ("rawd", "r"),  # shortlists: the API writes; the ETL reads, as every table by default (issue 13)
    "shortlist_item": ("rawd", "r"),
    "audit_event": ("ra", "r"),  # append-only: the API appends and reads; a trigger refuses UPDATE/DELETE (issue 14)
    # the rollup tables and their queue (issue 16.1): the ETL applies the queued keys after each batch; the
    # API only reads them (its writes are queued by the SECURITY DEFINER triggers, no grant needed)
    **{table: ("r", "rawd") for table in (*ROLLUPS, "rollup_dirty", "rollup_metric_delta")},
}
PRIVILEGES = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE"}


def sqlstate(error: BaseException) -> str | None:
    orig = getattr(error, "orig", None)
    return orig.args[0].get("C") if orig is not None and orig.args and isinstance(orig.args[0], dict) else None


@pytest.fixture()
def login_as(engine: Engine) -> Iterator[Callable[[str], Engine]]:
    """`login_as("pf_api")`: an engine for a new LOGIN role that is a member of the group role."""
    made: list[tuple[str, Engine]] = []

    def make(group: str) -> Engine:
        name = f"pf_test_{group.removeprefix('pf_')}_{uuid.uuid4().hex[:8]}"
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE ROLE "{name}" LOGIN IN ROLE {group}'))
        login = sa.create_engine(engine.url.set(username=name, password=None), poolclass=sa.pool.NullPool)
        made.append((name, login))
        return login

    yield make
    for name, login in made:
        login.dispose()
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP ROLE IF EXISTS "{name}"'))


@pytest.fixture()
def as_engine(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> Iterator[Callable[[Engine], None]]:
    """Make the process-wide engine (used by the query layer) `login` for the rest of the test."""
    from predictfluence.db import set_engine

    yield set_engine
    set_engine(engine)


def denied(login: Engine, statement: str) -> str | None:
    """The SQLSTATE of running `statement` as `login` (None: it succeeded, then rolled back)."""
    with login.connect() as conn:
        try:
            conn.execute(sa.text(statement))
        except sa.exc.DBAPIError as exc:
            return sqlstate(exc)
        finally:
            conn.rollback()
    return None


def seed_influencer(engine: Engine) -> int:
    with engine.begin() as conn:
        return conn.execute(sa.text("INSERT INTO influencer (platform, handle, name, followers) "
                                    "VALUES ('instagram', 'seeded', 'Seeded', 12000) RETURNING id")).scalar_one()


def test_roles_exist_and_cannot_log_in(db):
    with db.connect() as conn:
        roles = dict(conn.execute(sa.text(
            "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname IN ('pf_api', 'pf_etl')")).all())
    assert roles == {"pf_api": False, "pf_etl": False}


def test_every_relation_has_a_decision(db):
    with db.connect() as conn:
        relations = set(conn.execute(sa.text(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'm', 'v', 'p') "
            "AND NOT relispartition"  # the daily facts' monthly partitions: their parent's decision, below
        )).scalars())
        assert relations == set(EXPECTED), "a table without a privilege decision (or a stale entry)"
        # a partition is written through its parent (whose grants apply); by itself at most readable (issue 16.2)
        # — except that pf_etl may INSERT into post_metric_daily's month partitions, which carry the rollup
        # queue triggers: the fast path COPYs into them (migration 8e5b2d7c4f19); never into DEFAULT
        partitions = set(conn.execute(sa.text(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relispartition")).scalars())
        assert partitions, "post_metric_daily and conversion_daily have monthly and DEFAULT partitions"
        etl_inserts = {p for p in partitions if re.fullmatch(r"post_metric_daily_p\d{4}_\d\d", p)}
        assert etl_inserts, "the migration makes the current month's partition"
        wrong = [f"{role} {privilege} on partition {part}" for part in partitions for role in ("pf_api", "pf_etl")
                 for privilege in ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
                 if conn.execute(sa.text("SELECT has_table_privilege(:r, :t, :p)"),
                                 {"r": role, "t": f"public.{part}", "p": privilege}).scalar_one()
                 != (role == "pf_etl" and privilege == "INSERT" and part in etl_inserts)]
        for relation, (api, etl) in EXPECTED.items():
            for role, allowed in (("pf_api", api), ("pf_etl", etl)):
                for letter, privilege in [*PRIVILEGES.items(), ("D", "TRUNCATE")]:
                    has = conn.execute(sa.text("SELECT has_table_privilege(:r, :t, :p)"),
                                       {"r": role, "t": f"public.{relation}", "p": privilege}).scalar_one()
                    if has != (letter in allowed):
                        wrong.append(f"{role} {privilege} on {relation}: {has}")
        owner_of_objects = conn.execute(sa.text(
            "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relowner IN (SELECT oid FROM pg_roles WHERE rolname IN ('pf_api', 'pf_etl'))")).scalar_one()
    assert not wrong, wrong
    assert owner_of_objects == 0


def test_api_role_reads_and_writes_what_the_api_writes(db, login_as, as_engine):
    from predictfluence.api.auth import create_key
    from predictfluence.queries import api_keys, campaigns, etl_loads, influencers, rollups

    influencer_id = seed_influencer(db)
    rollups.refresh(db)
    api = login_as("pf_api")
    as_engine(api)

    items, total = influencers.list_influencers()
    assert total == 1 and items[0]["handle"] == "seeded"
    assert influencers.profile(influencer_id)["handle"] == "seeded"
    campaign = campaigns.create_campaign({"name": "least privilege", "budget": 1000})
    assert isinstance(campaigns.hire(campaign["id"], influencer_id, 100.0, "contracted", False), dict)
    assert campaigns.update_campaign(campaign["id"], {"budget": 2000})["budget"] == 2000
    key, row = create_key("viewer", "roles test")
    assert key.startswith("pfk_") and api_keys.revoke_key(str(row["id"]))["id"] == row["id"]
    assert etl_loads.list_loads()[1] == 0

    for statement in (
        "DROP TABLE influencer",
        "ALTER TABLE influencer ADD COLUMN x int",
        "TRUNCATE campaign",
        "CREATE TABLE mine (x int)",
        "INSERT INTO etl_load (file_key, checksum, kind, status) VALUES ('k', 'c', 'posts', 'loaded')",
        "UPDATE etl_load SET status = 'failed'",
        "DELETE FROM influencer",
        "INSERT INTO post_metric_daily (post_id, date) VALUES (1, current_date)",
        "DELETE FROM api_key",
        "DELETE FROM post_stats",
        "INSERT INTO rollup_dirty (kind, id) VALUES ('post', 1)",
        "DELETE FROM rollup_dirty",
    ):
        assert denied(api, statement) == "42501", statement  # insufficient_privilege / must be owner


def test_api_role_writes_are_queued_for_the_rollups_without_a_grant(db, login_as, as_engine):
    """Deleting a campaign (its posts lose it: ON DELETE SET NULL) as pf_api fires the post trigger, whose
    SECURITY DEFINER function queues the moved post; the ETL's next apply moves its figures (issue 16.1)."""
    from predictfluence.queries import campaigns, rollups

    influencer_id = seed_influencer(db)
    with db.begin() as conn:
        campaign_id = conn.execute(sa.text("INSERT INTO campaign (name, budget) VALUES ('gone', 10) RETURNING id"))\
            .scalar_one()
        post_id = conn.execute(sa.text(
            "INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, campaign_id) "
            "VALUES ('instagram', 'x1', :i, now(), 'reel', :c) RETURNING id"), {"i": influencer_id, "c": campaign_id})\
            .scalar_one()
    rollups.apply(db)
    as_engine(login_as("pf_api"))
    assert campaigns.delete_campaign(campaign_id) == "deleted"
    with db.connect() as conn:
        queued = set(conn.execute(sa.text("SELECT kind, id FROM rollup_dirty")).all())
    assert ("moved", post_id) in queued and ("post", post_id) in queued
    assert rollups.apply(login_as("pf_etl")) is True
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT campaign_id FROM post_stats")).one() == (None,)
        assert conn.execute(sa.text("SELECT count(*) FROM campaign_post_stats")).scalar_one() == 0
        assert conn.execute(sa.text("SELECT campaign_key FROM content_type_stats")).one() == (0,)


def test_etl_role_loads_but_cannot_drop_or_touch_keys(db, login_as, as_engine, tmp_path, monkeypatch):
    from etl_jobs.pipeline import load_path
    from predictfluence.config import reset_settings
    from predictfluence.queries import rollups

    monkeypatch.setenv("PF_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    etl = login_as("pf_etl")
    as_engine(etl)
    csv = tmp_path / "influencers.csv"
    csv.write_text("platform,handle,name,followers\ninstagram,a,A,15000\ntiktok,b,B,70000\n")
    outcome = load_path(etl, csv, kind="influencers")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 2), outcome.message
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM influencer")).scalar_one() == 2
        assert conn.execute(sa.text("SELECT status FROM etl_load")).scalar_one() == "loaded"

    # the rollups: the load applied the keys it queued (load_path → finish_batch → rollups.apply), and the
    # ETL's role can rebuild them from scratch
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM influencer_stats")).scalar_one() == 2
        assert conn.execute(sa.text("SELECT count(*) FROM rollup_dirty")).scalar_one() == 0
    rollups.rebuild(etl)
    assert rollups.apply(etl) is False
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT sum(followers) FROM influencer_stats")).scalar_one() == 85000
    # at scale a rebuild fills influencer_stats and post_stats beside the live tables and swaps them in
    # through the owner's functions (migration c5e2a8d4f7b1); the swapped tables keep the decisions above
    monkeypatch.setattr(rollups, "SWAP_ROWS", 0)
    rollups.rebuild(etl)
    assert rollups.LAST_APPLY["swapped"] == ["post_stats", "influencer_stats"]
    test_every_relation_has_a_decision(db)
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT sum(followers) FROM influencer_stats")).scalar_one() == 85000

    for statement in (
        "DROP TABLE influencer",
        "DROP TABLE post_stats",
        "TRUNCATE influencer_stats",
        "ALTER TABLE post ADD COLUMN x int",
        "TRUNCATE post_metric_daily",
        "CREATE TABLE mine (x int)",
        "INSERT INTO api_key (prefix, key_hash, role) VALUES ('p', 'h', 'admin')",
        "SELECT * FROM api_key",
        "DELETE FROM etl_load",
    ):
        assert denied(etl, statement) == "42501", statement
    api = login_as("pf_api")  # the swap's functions are the ETL's, not the API's
    assert denied(api, "SELECT pf_rollup_next('influencer_stats')") == "42501"
    assert denied(api, "SELECT pf_rollup_swap('influencer_stats', 1)") == "42501"


def test_cli_names_a_missing_privilege_in_one_line(db, login_as, as_engine):
    from predictfluence_tools.cli import main
    from predictfluence_tools.cli.errors import EX_CONFIG

    as_engine(login_as("pf_etl"))
    result = CliRunner().invoke(main, ["keys", "create", "--role", "admin"])
    assert result.exit_code == EX_CONFIG
    assert result.output.startswith("Error: permission denied at ") and "api_key" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_migration_documents_the_mapping():
    text = next((Path(__file__).resolve().parents[2] / "migrations" / "versions").glob("*_database_roles_*.py")).read_text()
    assert "GRANT pf_api TO" in text and "IN ROLE pf_etl" in text


def test_api_role_appends_to_the_audit_log_and_cannot_rewrite_it(db, login_as, as_engine):
    """issue 14.5: pf_api appends and reads audit_event; UPDATE, DELETE and TRUNCATE are refused (privilege),
    and the owner's UPDATE/DELETE by the append-only trigger."""
    from predictfluence.queries import audit

    api = login_as("pf_api")
    as_engine(api)
    event_id = audit.record("key:1", "manager", "campaign.create", "campaign", "7", {"name": "x"}, "10.0.0.1", "r-1")

    class Everything:
        actor = action = target_type = target_id = start = end = None
        page, page_size = 1, 50

    items, total = audit.list_events(Everything())
    assert total == 1 and (items[0]["id"], items[0]["actor_label"], items[0]["source_ip"]) == (event_id, "key 1", "10.0.0.1")
    for statement in ("UPDATE audit_event SET actor = 'key:2'", "DELETE FROM audit_event", "TRUNCATE audit_event"):
        assert denied(api, statement) == "42501", statement
    for statement in ("UPDATE audit_event SET actor = 'key:2'", "DELETE FROM audit_event"):
        assert denied(db, statement) == "42501", statement  # the owner too: the trigger
