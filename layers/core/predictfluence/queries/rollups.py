"""The API's rollups: tables maintained incrementally from the keys each write touched (issue 16.1).

- `post_stats`: one row per post with its metrics summed over its daily rows and its engagement rate
  ((likes+comments+shares+saves) / the influencer's followers);
- `influencer_stats`: the influencer's columns plus posts, avg engagement rate, avg likes, avg views, growth
  and `audience` ({dimension: {lower(bucket): share}}: the discovery filters read it from the row);
- `content_type_stats`: post sums and counts per content type × platform × campaign (0: none);
- `daily_stats`: daily metric sums and the sum/count of per-post daily ER per date × platform × campaign;
- `audience_totals`: follower-weighted audience per dimension and bucket over all influencers;
- `portfolio_stats` (one row), `campaign_post_stats` (per campaign), `daily_platform_stats` (date × platform).
Their definitions (the SQL of the materialized views they were until migration 5f0c2e9a7d41) are in
`rollup_sql`.

How they stay right: statement triggers on the warehouse tables (post_metric_daily, post, influencer,
influencer_snapshot, audience_share; SECURITY DEFINER, so every role's writes are caught, foreign-key
cascades and SET NULL included) append the keys a statement touched to the queue table `rollup_dirty`
(kind, id): 'post', 'day' (days since 1970-01-01), 'influencer', 'followers' (an influencer whose follower
count changed: its posts' ERs and days change), 'moved' (a post whose platform, campaign or influencer
changed: its days change), 'audience' (an influencer whose audience shares changed; migration a9c4e2f71d35).
`apply()` drains the queue in one transaction and recomputes: post_stats for the touched posts,
influencer_stats for the touched influencers (and those of the touched posts; of an influencer whose
audience alone changed, only the `audience` column), daily_stats and daily_platform_stats for the touched
days, content_type_stats, campaign_post_stats and portfolio_stats by adding the difference between the
touched rows' new and old values, audience_totals
(a few hundred rows over all audience shares) only when an audience or a follower count changed. Its cost
follows what was touched, not the warehouse. `rebuild()` recomputes everything from scratch (CLI
`predictfluence rollups rebuild`, the tests' reference).

Every apply that changed something bumps the sequence `rollup_version`; readers cache derived values (list
totals) per version. `apply()` must run after every write to those tables (the ETL's `finish_batch` calls
it after each batch; the demo loader, the tests and the benchmarks too); until then the keys wait in the
queue and the next apply catches up. Applies are serialised by an advisory lock.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from predictfluence.db import get_engine
from predictfluence.queries.rollup_sql import AUDIENCE_OF, DEFINITIONS, for_touched, from_scratch

TABLES: tuple[str, ...] = tuple(DEFINITIONS)  # dependency order
# the rollups that read influencers and their audience but no post or day of their own (dependency order)
INFLUENCER_ROLLUPS = ("influencer_stats", "portfolio_stats", "audience_totals")
VIEWS = TABLES  # the name callers used when these were materialized views
APPLY_LOCK = 1_610_116_001  # pg_advisory_xact_lock key serialising apply() and rebuild()
# When an apply touches more than this share of all posts, recomputing everything is cheaper: measured
# with bench/rollups.py, updating every post's row by key cost ~3-5× a full rebuild (issue 16.1).
REBUILD_SHARE = 0.25
# A rebuild fills these rollups beside the live table and swaps them in (migration c5e2a8d4f7b1) once their
# source holds SWAP_ROWS rows: re-inserting 1M influencer_stats rows through its 25 indexes cost ~5-8x the
# SELECT at the xl run; below this, the DDL of a swap costs more than it saves (docs/benchmarks.md).
SWAP_SOURCES = {"post_stats": "post", "influencer_stats": "influencer"}
SWAP_ROWS = 50_000
SWAP_WAIT_MS = 10_000  # how long a swap waits for readers of the live table before filling it in place instead
LAST_APPLY: dict[str, object] = {}  # the last apply in this process: mode, touched posts and influencers, …
# how many rows of `rollup`: the larger of the planner's estimate and the live-row counter (either may lag behind
# a big write), counted when the table was never analysed
_ROWS = """(SELECT CASE WHEN reltuples < 0 AND pg_stat_get_live_tuples(oid) = 0 THEN (SELECT count(*) FROM {rollup})
                   ELSE greatest(reltuples::bigint, pg_stat_get_live_tuples(oid)) END
            FROM pg_class WHERE oid = '{rollup}'::regclass)"""
# the touched posts and influencers, and how many rows their rollups hold
_SHARE = f"""
SELECT (SELECT count(*) FROM pf_d_post) + (SELECT count(*) FROM pf_delta), {_ROWS.format(rollup="post_stats")},
       (SELECT count(DISTINCT id) FROM pf_dirty WHERE kind IN ('influencer', 'followers', 'audience')),
       {_ROWS.format(rollup="influencer_stats")}
"""  # noqa: S608 - constant SQL

_DRAIN = """
CREATE TEMP TABLE pf_dirty ON COMMIT DROP AS
WITH gone AS (DELETE FROM rollup_dirty RETURNING kind, id) SELECT DISTINCT kind, id FROM gone
"""
_FOLLOWER_POSTS = "SELECT p.id FROM post p JOIN pf_dirty d ON d.kind = 'followers' AND p.influencer_id = d.id"
_AUDIENCE_ONLY = "influencer_id IN (SELECT id FROM pf_d_audience)"
_KEYS = (
    f"""CREATE TEMP TABLE pf_d_post ON COMMIT DROP AS
        SELECT id FROM pf_dirty WHERE kind = 'post' UNION {_FOLLOWER_POSTS}""",  # noqa: S608 - constant SQL
    f"""CREATE TEMP TABLE pf_d_day ON COMMIT DROP AS
        SELECT DATE '1970-01-01' + id::int AS date FROM pf_dirty WHERE kind = 'day'
        UNION
        SELECT DISTINCT m.date FROM post_metric_daily m
        WHERE m.post_id IN (SELECT id FROM pf_dirty WHERE kind = 'moved' UNION {_FOLLOWER_POSTS})""",  # noqa: S608
)
# Appended metric rows (rollup_metric_delta, per post and statement) are added to their post's row; a post
# whose rows were updated or deleted, or that changed, is recomputed from its daily rows (pf_d_post).
_APPENDED = (
    """CREATE TEMP TABLE pf_delta ON COMMIT DROP AS
       WITH gone AS (DELETE FROM rollup_metric_delta RETURNING *)
       SELECT post_id, sum(metric_days) AS metric_days, sum(likes) AS likes, sum(comments) AS comments,
              sum(shares) AS shares, sum(saves) AS saves, sum(views) AS views, sum(views_n) AS views_n,
              sum(impressions) AS impressions, sum(impressions_n) AS impressions_n
       FROM gone g
       WHERE NOT EXISTS (SELECT 1 FROM pf_d_post d WHERE d.id = g.post_id)
       GROUP BY post_id""",
    """CREATE TEMP TABLE pf_old_post ON COMMIT DROP AS
       SELECT s.* FROM pf_delta d JOIN post_stats s ON s.post_id = d.post_id""",
    # a post with appended rows but no post_stats row yet (none should remain: its INSERT queued it) is recomputed
    """WITH orphan AS (DELETE FROM pf_delta d WHERE NOT EXISTS (SELECT 1 FROM pf_old_post o WHERE o.post_id = d.post_id)
                      RETURNING post_id)
       INSERT INTO pf_d_post SELECT post_id FROM orphan""",
)
_POSTS = (
    """WITH gone AS (DELETE FROM post_stats WHERE post_id IN (SELECT id FROM pf_d_post) RETURNING *)
       INSERT INTO pf_old_post SELECT * FROM gone""",
    """CREATE TEMP TABLE pf_new_post ON COMMIT DROP AS
       WITH added AS (INSERT INTO post_stats {post_stats} RETURNING *) SELECT * FROM added""",
    """WITH changed AS (
           UPDATE post_stats s SET
               metric_days = s.metric_days + d.metric_days, likes = s.likes + d.likes,
               comments = s.comments + d.comments, shares = s.shares + d.shares, saves = s.saves + d.saves,
               engagements = s.engagements + d.likes + d.comments + d.shares + d.saves,
               views = CASE WHEN s.views IS NULL AND d.views_n = 0 THEN NULL
                            ELSE coalesce(s.views, 0) + coalesce(d.views, 0) END,
               impressions = CASE WHEN s.impressions IS NULL AND d.impressions_n = 0 THEN NULL
                                  ELSE coalesce(s.impressions, 0) + coalesce(d.impressions, 0) END,
               engagement_rate = CASE WHEN s.metric_days + d.metric_days > 0 AND i.followers > 0
                                      THEN (s.engagements + d.likes + d.comments + d.shares + d.saves)::float8
                                           / i.followers END
           FROM pf_delta d, influencer i
           WHERE s.post_id = d.post_id AND i.id = s.influencer_id
           RETURNING s.*)
       INSERT INTO pf_new_post SELECT * FROM changed""",
    """CREATE TEMP TABLE pf_d_influencer ON COMMIT DROP AS
       SELECT id FROM pf_dirty WHERE kind IN ('influencer', 'followers')
       UNION SELECT influencer_id FROM pf_old_post UNION SELECT influencer_id FROM pf_new_post""",
    """CREATE TEMP TABLE pf_d_audience ON COMMIT DROP AS
       SELECT id FROM pf_dirty WHERE kind = 'audience' EXCEPT SELECT id FROM pf_d_influencer""",
    """CREATE TEMP TABLE pf_old_inf ON COMMIT DROP AS
       WITH gone AS (DELETE FROM influencer_stats WHERE influencer_id IN (SELECT id FROM pf_d_influencer)
                     RETURNING *)
       SELECT * FROM gone""",
    "INSERT INTO influencer_stats {influencer_stats}",
    # an influencer whose audience alone changed: only its audience column (recomputing the whole row cost ~4x)
    f"""UPDATE influencer_stats s SET audience = a.audience
       FROM (SELECT d.id, x.audience FROM pf_d_audience d LEFT JOIN ({AUDIENCE_OF.format(inf_audience=_AUDIENCE_ONLY)}) x
             ON x.influencer_id = d.id) a
       WHERE s.influencer_id = a.id AND s.audience IS DISTINCT FROM a.audience""",  # noqa: S608 - constant SQL
    """CREATE TEMP TABLE pf_new_inf ON COMMIT DROP AS
       SELECT * FROM influencer_stats WHERE influencer_id IN (SELECT id FROM pf_d_influencer)""",
)
# The difference between the touched posts' new and old post_stats rows, per group of a post-level rollup.
_POST_DELTA = """
SELECT {select}, sum(sign)::bigint AS posts,
       sum(sign * coalesce(engagement_rate, 0))::float8 AS er_sum,
       sum(sign * (engagement_rate IS NOT NULL)::int)::bigint AS er_posts,
       sum(sign * CASE WHEN metric_days > 0 THEN likes ELSE 0 END)::bigint AS likes_sum,
       sum(sign * (metric_days > 0)::int)::bigint AS measured_posts,
       sum(sign * coalesce(views, 0))::bigint AS views, sum(sign * (views IS NOT NULL)::int)::bigint AS view_posts,
       sum(sign * engagements)::bigint AS engagements, sum(sign * coalesce(impressions, 0))::bigint AS impressions
FROM (SELECT 1 AS sign, * FROM pf_new_post UNION ALL SELECT -1, * FROM pf_old_post) x
{where}
GROUP BY {group}
"""
_CONTENT_TYPES = f"""
WITH d AS ({_POST_DELTA.format(select="content_type, platform, coalesce(campaign_id, 0) AS campaign_key",
                                  group="content_type, platform, coalesce(campaign_id, 0)", where="")}),
gone AS (
    DELETE FROM content_type_stats c USING d
    WHERE c.content_type = d.content_type AND c.platform = d.platform AND c.campaign_key = d.campaign_key
    RETURNING c.*
)
INSERT INTO content_type_stats
SELECT d.content_type, d.platform, d.campaign_key,
       coalesce(g.posts, 0) + d.posts,
       CASE WHEN coalesce(g.er_posts, 0) + d.er_posts > 0 THEN coalesce(g.er_sum, 0) + d.er_sum ELSE 0 END,
       coalesce(g.er_posts, 0) + d.er_posts,
       coalesce(g.likes_sum, 0) + d.likes_sum, coalesce(g.measured_posts, 0) + d.measured_posts,
       coalesce(g.views, 0) + d.views, coalesce(g.view_posts, 0) + d.view_posts,
       coalesce(g.engagements, 0) + d.engagements, coalesce(g.impressions, 0) + d.impressions
FROM d LEFT JOIN gone g
  ON g.content_type = d.content_type AND g.platform = d.platform AND g.campaign_key = d.campaign_key
WHERE coalesce(g.posts, 0) + d.posts > 0
"""  # noqa: S608 - constant SQL
_CAMPAIGNS = f"""
WITH d AS ({_POST_DELTA.format(select="campaign_id", group="campaign_id",
                                  where="WHERE campaign_id IS NOT NULL")}),
gone AS (DELETE FROM campaign_post_stats c USING d WHERE c.campaign_id = d.campaign_id RETURNING c.*)
INSERT INTO campaign_post_stats
SELECT d.campaign_id, coalesce(g.posts, 0) + d.posts,
       CASE WHEN coalesce(g.er_posts, 0) + d.er_posts > 0 THEN coalesce(g.er_sum, 0) + d.er_sum ELSE 0 END,
       coalesce(g.er_posts, 0) + d.er_posts, coalesce(g.engagements, 0) + d.engagements,
       coalesce(g.views, 0) + d.views, coalesce(g.view_posts, 0) + d.view_posts,
       coalesce(g.impressions, 0) + d.impressions
FROM d LEFT JOIN gone g ON g.campaign_id = d.campaign_id
WHERE coalesce(g.posts, 0) + d.posts > 0
"""  # noqa: S608 - constant SQL
_PORTFOLIO = """
WITH x AS (SELECT 1 AS sign, * FROM pf_new_inf UNION ALL SELECT -1, * FROM pf_old_inf),
d AS (
    SELECT sum(sign)::bigint AS influencers, sum(sign * posts)::bigint AS posts,
           sum(sign * er_sum)::float8 AS er_sum, sum(sign * er_posts)::bigint AS er_posts,
           sum(sign) FILTER (WHERE figures_source = 'snapshot')::bigint AS snapshot_influencers,
           sum(sign * avg_engagement_rate) FILTER (WHERE figures_source = 'snapshot')::float8 AS snapshot_er_sum,
           sum(sign) FILTER (WHERE figures_source = 'snapshot' AND avg_engagement_rate IS NOT NULL)::bigint
               AS snapshot_er_count
    FROM x
)
UPDATE portfolio_stats p SET
    influencers = p.influencers + coalesce(d.influencers, 0), posts = p.posts + coalesce(d.posts, 0),
    er_posts = p.er_posts + coalesce(d.er_posts, 0),
    er_sum = CASE WHEN p.er_posts + coalesce(d.er_posts, 0) > 0 THEN p.er_sum + coalesce(d.er_sum, 0) ELSE 0 END,
    snapshot_influencers = p.snapshot_influencers + coalesce(d.snapshot_influencers, 0),
    snapshot_er_count = p.snapshot_er_count + coalesce(d.snapshot_er_count, 0),
    snapshot_er_sum = CASE WHEN p.snapshot_er_count + coalesce(d.snapshot_er_count, 0) > 0
                           THEN p.snapshot_er_sum + coalesce(d.snapshot_er_sum, 0) ELSE 0 END
FROM d WHERE p.id = 1
"""
_DAYS = (
    "DELETE FROM daily_stats WHERE date IN (SELECT date FROM pf_d_day)",
    "INSERT INTO daily_stats {daily_stats}",
    "DELETE FROM daily_platform_stats WHERE date IN (SELECT date FROM pf_d_day)",
    "INSERT INTO daily_platform_stats {daily_platform_stats}",
)
_PORTFOLIO_ROW = f"INSERT INTO portfolio_stats SELECT * FROM ({from_scratch('portfolio_stats')}) s " \
                 "WHERE NOT EXISTS (SELECT 1 FROM portfolio_stats)"  # noqa: S608 - constant SQL


def _run(conn: Connection, statements: tuple[str, ...]) -> None:
    touched = {name: for_touched(name) for name in ("post_stats", "influencer_stats", "daily_stats",
                                                    "daily_platform_stats")}
    for statement in statements:
        conn.exec_driver_sql(statement.format(**touched))
        if statement.lstrip().startswith("CREATE TEMP TABLE"):  # temp tables get no autovacuum statistics
            conn.exec_driver_sql(f"ANALYZE {statement.split()[3]}")


def apply_in(conn: Connection) -> bool:
    """Drain the queue and update the rollups for its keys, in the caller's transaction. True when there
    was something to apply (the version was bumped)."""
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPLY_LOCK})
    conn.exec_driver_sql(_PORTFOLIO_ROW)  # the one row exists even before the first influencer
    conn.exec_driver_sql(_DRAIN)
    kinds = {row[0] for row in conn.exec_driver_sql("SELECT DISTINCT kind FROM pf_dirty")}
    if not kinds and conn.exec_driver_sql("SELECT NOT EXISTS (SELECT 1 FROM rollup_metric_delta)").scalar():
        conn.exec_driver_sql("DROP TABLE pf_dirty")
        return False
    conn.exec_driver_sql("ANALYZE pf_dirty")
    _run(conn, _KEYS + _APPENDED)
    touched, total, influencers, influencer_rows = conn.exec_driver_sql(_SHARE).one()
    LAST_APPLY.update(posts=int(touched), post_stats=max(int(total), 0), influencers=int(influencers))
    # cheaper to recompute (an empty warehouse too): rewriting most rows of a rollup through its indexes, one
    # by one, cost several times a rebuild that fills a bare copy and builds its indexes once. With no post and
    # no day touched (an influencers or audience file) only the rollups of influencers are recomputed.
    if touched > REBUILD_SHARE * total or influencers > REBUILD_SHARE * influencer_rows:
        posts_unchanged = not touched and not conn.exec_driver_sql("SELECT EXISTS (SELECT FROM pf_d_day)").scalar()
        LAST_APPLY["mode"] = "rebuild"
        for table in ("pf_dirty", "pf_d_post", "pf_d_day", "pf_delta", "pf_old_post"):
            conn.exec_driver_sql(f"DROP TABLE {table}")
        _rebuild_in(conn, INFLUENCER_ROLLUPS if posts_unchanged else TABLES)
        return True
    LAST_APPLY["mode"] = "incremental"
    _run(conn, _POSTS)
    for statement in (_PORTFOLIO, _CAMPAIGNS, _CONTENT_TYPES):
        conn.exec_driver_sql(statement)
    _run(conn, _DAYS)
    if kinds & {"audience", "followers"}:
        conn.exec_driver_sql("DELETE FROM audience_totals")
        conn.exec_driver_sql(f"INSERT INTO audience_totals {from_scratch('audience_totals')}")
    for table in ("pf_dirty", "pf_d_post", "pf_d_day", "pf_delta", "pf_old_post", "pf_new_post", "pf_d_influencer",
                  "pf_d_audience", "pf_old_inf", "pf_new_inf"):
        conn.exec_driver_sql(f"DROP TABLE {table}")  # a caller's transaction may apply twice
    conn.exec_driver_sql("SELECT nextval('rollup_version')")
    return True


def apply(engine: Engine | None = None) -> bool:
    """Bring the rollups up to date with every committed write (see the module docstring)."""
    with (engine or get_engine()).begin() as conn:
        return apply_in(conn)


def refresh(engine: Engine | None = None, concurrently: bool | None = None) -> None:  # noqa: ARG001
    """What callers ran when the rollups were materialized views: `apply()`, and like every refresh then, a
    new `rollup_version` even when nothing was queued (tests empty the tables with TRUNCATE, which fires no
    trigger: the list-total cache must not survive it)."""
    eng = engine or get_engine()
    if not apply(eng):
        with eng.begin() as conn:
            conn.exec_driver_sql("SELECT nextval('rollup_version')")


def rebuild(engine: Engine | None = None) -> None:
    """Recompute every rollup from scratch (and empty the queue), in one transaction."""
    with (engine or get_engine()).begin() as conn:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": APPLY_LOCK})
        _rebuild_in(conn)


def _swapped(conn: Connection, table: str) -> bool:
    """Whether a rebuild fills `table` beside the live one (its source holds at least SWAP_ROWS rows)."""
    source = SWAP_SOURCES.get(table)
    return source is not None and bool(conn.exec_driver_sql(
        f"SELECT count(*) >= {SWAP_ROWS} FROM {source}").scalar())  # noqa: S608 - constant names


def _rebuild_in(conn: Connection, tables: tuple[str, ...] = TABLES) -> None:
    """Recompute `tables` (all: and empty the queue) from scratch."""
    if tables == TABLES:
        conn.exec_driver_sql("DELETE FROM rollup_dirty")
        conn.exec_driver_sql("DELETE FROM rollup_metric_delta")
    LAST_APPLY["rebuilt"] = list(tables)
    beside: dict[str, str] = {}  # rollup: the table filled beside it, swapped in at the end
    for table in tables:
        if _swapped(conn, table):
            beside[table] = conn.execute(sa.text("SELECT pf_rollup_next(:t)"), {"t": table}).scalar_one()
            conn.exec_driver_sql(f"INSERT INTO {beside[table]} {from_scratch(table, beside)}")
            continue
        conn.exec_driver_sql(f"DELETE FROM {table}")  # noqa: S608 - a rollup's name
        conn.exec_driver_sql(f"INSERT INTO {table} {from_scratch(table, beside)}")
        conn.exec_driver_sql(f"ANALYZE {table}")  # plans and REBUILD_SHARE's estimate see the new size
    # each swap builds the indexes once and ANALYZEs; readers wait only from here to the caller's commit
    LAST_APPLY["swapped"] = [table for table in beside
                             if conn.execute(sa.text("SELECT pf_rollup_swap(:t, :ms)"),
                                             {"t": table, "ms": SWAP_WAIT_MS}).scalar_one()]
    conn.exec_driver_sql("SELECT nextval('rollup_version')")


def rollup_rows(conn: Connection) -> int | None:
    """How many influencers the influencer_stats rollup holds, kept by every apply (None: never applied)."""
    n = conn.execute(sa.text("SELECT influencers FROM portfolio_stats WHERE id = 1")).scalar()
    return None if n is None else int(n)


def version(conn: Connection) -> int:
    """The number of applies that changed something so far (changes whenever the rollups may have changed)."""
    last_value, is_called = conn.execute(sa.text("SELECT last_value, is_called FROM rollup_version")).one()
    return int(last_value) if is_called else 0
