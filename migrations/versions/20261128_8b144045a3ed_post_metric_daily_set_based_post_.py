"""post_metric_daily: set-based post integrity instead of the per-row FK

Why: the ETL loads daily metrics in bulk (1M rows per file). The foreign key post_metric_daily.post_id →
post.id fires one RI trigger per inserted row (a `SELECT … FOR KEY SHARE` on post each): measured here,
COPY of 1M rows took 4.9 s without it and 12.9 s with it, and a statement-level check trigger with a
transition table still added ~50 %. The ETL resolves every post_id by joining post (rows of unknown posts
are rejected) and locks the referenced posts FOR KEY SHARE until commit, so existence is proven
set-based. Deleting posts still deletes their metrics: a statement-level AFTER DELETE trigger on post
(with a transition table, one DELETE per statement) replaces ON DELETE CASCADE.

Revision ID: 8b144045a3ed
Revises: 9ed6f3d0dc12
Create Date: 2026-11-28 06:16:03.907852
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '8b144045a3ed'
down_revision: str | None = '9ed6f3d0dc12'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint("fk_post_metric_daily_post_id_post", "post_metric_daily", type_="foreignkey")
    op.execute(
        """
        CREATE FUNCTION post_metric_daily_delete_for_posts() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM post_metric_daily m USING deleted_posts d WHERE m.post_id = d.id;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER trg_post_delete_metrics AFTER DELETE ON post REFERENCING OLD TABLE AS deleted_posts "
        "FOR EACH STATEMENT EXECUTE FUNCTION post_metric_daily_delete_for_posts()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER trg_post_delete_metrics ON post")
    op.execute("DROP FUNCTION post_metric_daily_delete_for_posts()")
    op.execute("DELETE FROM post_metric_daily m WHERE NOT EXISTS (SELECT 1 FROM post p WHERE p.id = m.post_id)")
    op.create_foreign_key(
        "fk_post_metric_daily_post_id_post", "post_metric_daily", "post", ["post_id"], ["id"], ondelete="CASCADE"
    )
