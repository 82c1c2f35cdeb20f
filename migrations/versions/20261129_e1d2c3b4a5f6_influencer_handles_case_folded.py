"""influencer handles case-folded, as every ETL kind now matches them

Why (issue 12.4): the ETL folds every handle it reads (case, a leading `@`, spaces around), in every kind, so
a creator imported as `TechWithTara` and a posts file saying `@techwithtara` attach to one influencer. Rows
stored before that keep their file's spelling and would no longer match a later file; this folds them once.

A row whose folded handle is already taken on its platform (two spellings of one creator loaded before the
rule) is left as it is: merging two influencers' posts, hires and scores is a decision for a person, not a
migration. Irreversible: the original spelling is not kept (downgrade does nothing).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "e1d2c3b4a5f6"
down_revision: str | None = "8c4f2a61d913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD = "lower(btrim(ltrim(btrim(handle), '@')))"


def upgrade() -> None:
    op.execute(f"""
        WITH wanted AS (
            SELECT id, platform, {FOLD} AS folded FROM influencer WHERE handle <> {FOLD} AND {FOLD} <> ''
        ), free AS (
            SELECT DISTINCT ON (platform, folded) id, folded FROM wanted w
            WHERE NOT EXISTS (SELECT 1 FROM influencer o WHERE o.platform = w.platform AND o.handle = w.folded)
            ORDER BY platform, folded, id
        )
        UPDATE influencer i SET handle = free.folded FROM free WHERE i.id = free.id
    """)  # noqa: S608 - a constant expression


def downgrade() -> None:
    """Nothing to undo: the original spellings are not kept."""
