"""influencer_score: the cost index leads with the follower tier, (content_type, follower_tier, cost_per_post)
(issue 16.5)

Why: `GET /recommendations?campaign_id=` keeps the scores whose cost fits the campaign's remaining budget.
With a nearly spent campaign (the budget fits the cheapest few percent) the ranking walked each follower
tier's objective index and filtered by cost, and a tier with no row that fits (every costlier tier) was read
to its end: 1.5-4 s per request at 1,000,000 influencers (docs/benchmarks.md, "Recommendations for a nearly
spent campaign at 1M"). Per (content_type, follower_tier) the rows that fit are now a range of this index:
the ranking counts them (index-only, capped) and walks a tier only when many fit, else reads that range and
sorts it (queries.recommendations._tier_top). It replaces ix_influencer_score_content_cost (content_type,
cost_per_post), which only the recommendations' budget condition read, so the scoring run's tables keep
the same number of indexes.

On the partitioned influencer_score (b3d8e6f1a2c4): each table that carries the parent's indexes (its
partition, a running run's table) gets `<table>_tier_cost` first, so that the parent's new index adopts the
partition's and pf_score_run_table copies it; their `<table>_content_cost` go. Downgrade: the reverse.

Revision ID: d4e9a1c7b5f3
Revises: b3d8e6f1a2c4
Create Date: 2026-11-30 12:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "d4e9a1c7b5f3"
down_revision: str | None = "b3d8e6f1a2c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW, OLD = (
    ("tier_cost", "content_type, follower_tier, cost_per_post"),
    ("content_cost", "content_type, cost_per_post"),
)


def _swap(add: tuple[str, str], drop: tuple[str, str]) -> str:
    """`add` on every table that carries the parent's `drop` (`<table>_<suffix>`), then on the parent (which
    adopts the partition's), then `drop` off the parent (and its partitions) and off the other tables."""
    (new, columns), (old, _) = add, drop
    return f"""
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
             AND c.relname LIKE 'influencer\\_score\\_%' AND to_regclass('public.' || c.relname || '_{old}') IS NOT NULL LOOP
        EXECUTE format('CREATE INDEX %I ON public.%I ({columns})', t || '_{new}', t);
    END LOOP;
    CREATE INDEX ix_influencer_score_{new} ON influencer_score ({columns});
    DROP INDEX ix_influencer_score_{old};
    FOR t IN SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
             AND c.relname LIKE 'influencer\\_score\\_%' AND to_regclass('public.' || c.relname || '_{old}') IS NOT NULL LOOP
        EXECUTE format('DROP INDEX public.%I', t || '_{old}');
    END LOOP;
END
$$"""  # noqa: S608 - fixed index names and columns


def upgrade() -> None:
    op.execute(_swap(NEW, OLD))


def downgrade() -> None:
    op.execute(_swap(OLD, NEW))
