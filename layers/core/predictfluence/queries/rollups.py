"""The API's rollups (materialized views, created by migrations 9ed6f3d0dc12, 4279e4f58dce, e4a41d3922fa).

- `post_stats`: one row per post with its metrics summed over its daily rows and its engagement rate
  ((likes+comments+shares+saves) / the influencer's followers);
- `influencer_stats`: the influencer's columns plus posts, avg engagement rate, avg likes, avg views;
- `content_type_stats`: post sums and counts per content type × platform × campaign (0: none);
- `daily_stats`: daily metric sums and the sum/count of per-post daily ER per date × platform × campaign;
- `audience_totals`: follower-weighted audience per dimension and bucket over all influencers;
- `portfolio_stats` (one row), `campaign_post_stats` (per campaign), `daily_platform_stats` (date × platform).

Every refresh bumps the sequence `rollup_version`; readers cache derived values (list totals) per version.

`refresh()` goes through `pf_refresh_rollup` (migration a7a014bc99e0), so that the ETL's database role
(`pf_etl`) can refresh views it does not own. It must run after every load that changes influencers, posts, metrics or audience (the ETL
calls it; so do the demo-data loader, the tests and the benchmark). It refreshes CONCURRENTLY when the
views already hold data, so readers never wait.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from predictfluence.db import get_engine

VIEWS: tuple[str, ...] = ("post_stats", "influencer_stats", "portfolio_stats", "campaign_post_stats",
                          "content_type_stats", "daily_stats", "daily_platform_stats",
                          "audience_totals")  # dependency order


def refresh(engine: Engine | None = None, concurrently: bool | None = None) -> None:
    """Refresh every rollup, in dependency order, each in its own transaction."""
    eng = engine or get_engine()
    for view in VIEWS:
        with eng.connect() as conn:
            populated = conn.execute(
                sa.text("SELECT ispopulated FROM pg_matviews WHERE matviewname = :v"), {"v": view}
            ).scalar()
        use_concurrently = bool(populated) if concurrently is None else concurrently
        with eng.begin() as conn:  # the owner's SECURITY DEFINER function: the ETL's role owns no view
            conn.execute(sa.text("SELECT pf_refresh_rollup(:view, :concurrently)"),
                         {"view": view, "concurrently": use_concurrently})
    with eng.begin() as conn:
        conn.execute(sa.text("SELECT nextval('rollup_version')"))


def version(conn: Connection) -> int:
    """The number of refreshes so far (changes whenever the rollups may have changed)."""
    last_value, is_called = conn.execute(sa.text("SELECT last_value, is_called FROM rollup_version")).one()
    return int(last_value) if is_called else 0
