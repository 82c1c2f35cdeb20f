"""influencer_score carries its influencer's follower tier; ranking indexes per tier (issue 16.5: recommendations at 1M)

Why: `GET /recommendations?tier=…` ranked the scores of one follower tier by an objective, but the tier lives
on influencer and the objective on influencer_score, so no index gave a tier's rows in objective order. It
either walked the objective's index from the top past every other tier (a low tier's rows sit at the far
end of expected engagements) or looked every influencer of the tier up and sorted their scores: at
1,000,000 influencers 1.8-3.8 s either way (docs/benchmarks.md, the xl section of issue 16). With the tier
on the score row, `(content_type, follower_tier, objective)` gives a tier's rows in order: the walk stops
after `limit` matches.

- `influencer_score.follower_tier varchar(8)`: a copy of `influencer.follower_tier` (a generated column of
  followers), filled here by writing the rows again (kept in a temporary table, the table emptied, then
  inserted with the column: an UPDATE of every row would leave the table twice its size until a VACUUM FULL);
- `ix_influencer_score_tier_er`, `_tier_engagements`, `_tier_per_dollar`: (content_type, follower_tier,
  objective DESC, influencer_id), built after the fill: the ranking's own order (`ORDER BY objective DESC,
  influencer_id`), so rows tied on the objective come in id order too, without sorting the tie (the bench's
  scores take 900 ER values: ~550 influencers of a tier share each);
- kept equal by two triggers: `influencer_score_follower_tier` (BEFORE INSERT, when the writer gave no tier)
  copies the influencer's; `influencer_follower_tier_to_scores` (AFTER UPDATE of an influencer whose tier
  changed) rewrites its score rows. The scoring swap (queries.score_runs.swap) writes the tier itself from
  the influencer row it joins, so the BEFORE trigger does not fire there.
- `ix_influencer_score_content_cost` (content_type, cost_per_post): `?campaign_id=` keeps only the scores
  whose forecast cost fits the campaign's remaining budget; when few do (an overspent or nearly spent
  campaign), reading those few and sorting them replaces a walk of every score of the content type.

Both trigger functions run with the writer's rights (pf_etl may read influencer and write influencer_score).

Revision ID: c7a1e9d3b5f2
Revises: e2b8f4c6a0d1
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "c7a1e9d3b5f2"
down_revision: str | None = "e2b8f4c6a0d1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEEP = "CREATE TEMP TABLE pf_score_before ON COMMIT DROP AS SELECT * FROM influencer_score"
FILL = (
    "INSERT INTO influencer_score SELECT s.*, i.follower_tier FROM pf_score_before s "
    "JOIN influencer i ON i.id = s.influencer_id"
)
INDEXES = {
    "ix_influencer_score_tier_er": "content_type, follower_tier, predicted_er DESC, influencer_id",
    "ix_influencer_score_tier_engagements": "content_type, follower_tier, engagements DESC, influencer_id",
    "ix_influencer_score_tier_per_dollar": "content_type, follower_tier, engagements_per_dollar DESC, influencer_id",
    "ix_influencer_score_content_cost": "content_type, cost_per_post",
}
FUNCTIONS = """
CREATE FUNCTION pf_score_follower_tier() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public AS $$
BEGIN
    NEW.follower_tier := (SELECT follower_tier FROM influencer WHERE id = NEW.influencer_id);
    RETURN NEW;
END
$$;
CREATE FUNCTION pf_influencer_tier_to_scores() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE influencer_score SET follower_tier = NEW.follower_tier WHERE influencer_id = NEW.id;
    RETURN NULL;
END
$$
"""
TRIGGERS = """
CREATE TRIGGER influencer_score_follower_tier BEFORE INSERT OR UPDATE OF influencer_id ON influencer_score
FOR EACH ROW WHEN (NEW.follower_tier IS NULL) EXECUTE FUNCTION pf_score_follower_tier();
CREATE TRIGGER influencer_follower_tier_to_scores AFTER UPDATE ON influencer
FOR EACH ROW WHEN (OLD.follower_tier IS DISTINCT FROM NEW.follower_tier)
EXECUTE FUNCTION pf_influencer_tier_to_scores()
"""


def upgrade() -> None:
    op.execute(KEEP)
    op.execute("TRUNCATE influencer_score")
    op.execute("ALTER TABLE influencer_score ADD COLUMN follower_tier varchar(8)")
    op.execute(FILL)
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON influencer_score ({columns})")
    op.execute(FUNCTIONS)
    op.execute(TRIGGERS)
    op.execute("ANALYZE influencer_score")


def downgrade() -> None:
    op.execute("DROP TRIGGER influencer_follower_tier_to_scores ON influencer")
    op.execute("DROP TRIGGER influencer_score_follower_tier ON influencer_score")
    op.execute("DROP FUNCTION pf_influencer_tier_to_scores()")
    op.execute("DROP FUNCTION pf_score_follower_tier()")
    for name in INDEXES:
        op.execute(f"DROP INDEX {name}")
    op.execute("ALTER TABLE influencer_score DROP COLUMN follower_tier")
