"""influencer_stats.search_text: the list's text search on one lowercased column (issue 16.5)

Why: `GET /influencers?q=` matched `handle ILIKE :q OR name ILIKE :q OR category ILIKE :q`. In a UTF-8 database
ILIKE lowercases the value and the pattern for every comparison: three lower() calls per row the list's walk
passes. At 1M influencers a 100,000-entry walk of a sort index (index-only) took 22 ms, 129 ms with the three
ILIKEs and 35 ms with three case-sensitive LIKEs (docs/benchmarks.md, "Text search at 1M").
`search_text` holds `lower(concat_ws(E'\\n', handle, name, category))`, written by the rollup's own SELECT
(`predictfluence.queries.rollup_sql`); a search is `search_text LIKE lower(:q)` — the same rows as the three
ILIKEs for any term without a newline (`predictfluence.queries.influencers`; a term with one keeps the three
ILIKEs, so no match spans two fields).

- The twelve sort indexes INCLUDE search_text, so a search's walk stays index-only. Name and handle stay
  INCLUDEd only where a walk needs them: in the name sort's two (their key is computed from them) and the
  followers' two (a followers range sorted by name is read index-only); the other eight are barely wider
  (162 MB each at 1M, 155 before; INCLUDEing all three made them 196 MB).
- One trigram index on search_text replaces the three on handle, name and category (only where the server has
  pg_trgm, as before: migrations e4a41d3922fa, 8c4f2a61d913).

Downgrade: the column and its index go, the sort indexes and the three trigram indexes are rebuilt as before.

Revision ID: b9e4c7a2d5f8
Revises: c5e2a8d4f7b1
Create Date: 2026-12-01 10:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "b9e4c7a2d5f8"
down_revision: str | None = "c5e2a8d4f7b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# rollup_tables.LIST_FILTER_COLUMNS before and after this revision (a migration does not import the application)
BEFORE = (
    "platform", "category", "country", "follower_tier", "language", "followers", "avg_engagement_rate", "avg_likes",
    "avg_views", "avg_comments", "growth_30d", "growth_90d", "figures_source", "name", "handle",
)
AFTER = (*BEFORE[:-2], "search_text")
NAME_COLUMNS = ("name", "handle")  # INCLUDEd by the indexes that need the name sort's key: NEEDS_NAME
NAME = "lower(COALESCE(name, handle::text))"
# index -> (its key, the column of the key: not INCLUDEd again)
SORT_INDEXES = {
    **{
        f"ix_influencer_stats_{short}{suffix}": (f"{column}{order}, influencer_id", column)
        for short, column in (("followers", "followers"), ("er", "avg_engagement_rate"), ("likes", "avg_likes"),
                              ("views", "avg_views"), ("comments", "avg_comments"))
        for suffix, order in (("", " DESC NULLS LAST"), ("_asc", ""))
    },
    "ix_influencer_stats_name": (f"{NAME}, influencer_id", None),
    "ix_influencer_stats_name_desc": (f"{NAME} DESC NULLS LAST, influencer_id", None),
}
NEEDS_NAME = {i for i in SORT_INDEXES if i.startswith(("ix_influencer_stats_name", "ix_influencer_stats_followers"))}
SEARCH_TEXT = "lower(concat_ws(chr(10), handle, name, category))"
IF_TRGM = "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN {} END IF; END $$"


def _drop_sort_indexes() -> None:
    for name in SORT_INDEXES:
        op.execute(f"DROP INDEX {name}")


def _create_sort_indexes(covered: tuple[str, ...], name_columns: tuple[str, ...] = ()) -> None:
    for name, (key, column) in SORT_INDEXES.items():
        include = [c for c in covered if c != column] + [c for c in name_columns if name in NEEDS_NAME]
        op.execute(f"CREATE INDEX {name} ON influencer_stats ({key}) INCLUDE ({', '.join(include)})")


def upgrade() -> None:
    for column in ("handle", "name", "category"):
        op.execute(f"DROP INDEX IF EXISTS ix_influencer_stats_{column}_trgm")
    _drop_sort_indexes()
    # refilled, not UPDATEd: an UPDATE of every row leaves the old versions in the heap and, built in the same
    # transaction, in every index (twice their size); the rollup is derived data, its rows are copied back
    op.execute(f"CREATE TEMPORARY TABLE pf_influencer_stats ON COMMIT DROP AS "  # noqa: S608 - constant SQL
               f"SELECT *, {SEARCH_TEXT} AS search_text FROM influencer_stats")
    op.execute("ALTER TABLE influencer_stats ADD COLUMN search_text text")
    op.execute("TRUNCATE influencer_stats")
    op.execute("INSERT INTO influencer_stats SELECT * FROM pf_influencer_stats ORDER BY influencer_id")
    _create_sort_indexes(AFTER, NAME_COLUMNS)
    op.execute(IF_TRGM.format(
        "CREATE INDEX ix_influencer_stats_search_trgm ON influencer_stats USING gin (search_text gin_trgm_ops);"
    ))
    op.execute("ANALYZE influencer_stats")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_influencer_stats_search_trgm")
    _drop_sort_indexes()
    op.execute("ALTER TABLE influencer_stats DROP COLUMN search_text")
    _create_sort_indexes(BEFORE)
    op.execute(IF_TRGM.format(" ".join(
        f"CREATE INDEX ix_influencer_stats_{c}_trgm ON influencer_stats USING gin ({c} gin_trgm_ops);"
        for c in ("handle", "name", "category")
    )))
