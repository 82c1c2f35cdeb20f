"""A small known dataset, written with SQL, for the browser tests.

- 230 influencers: 1–150 instagram, 151–200 tiktok, 201–230 youtube; categories cycle beauty / fitness /
  tech, countries US / GB / DE; followers = 5,000 + 1,000 × n (so #1–#4 are nano, the rest micro / mid).
- influencers 1–12 have one post each, 12 days ago (every other one a video), with daily metric rows for
  the last 12 days, and an
  audience breakdown (country, age group, gender).
- campaigns "Spring Glow" (active, budget 10,000) with influencer 1 hired at 1,000 and its post linked,
  and "Summer Run" (draft, budget 5,000) with no hires.
- a champion model version and image + video scores for influencers 1–12 (recommendations); #1 carries
  an anomaly flag.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

N_INFLUENCERS = 230

SQL = [
    """
    INSERT INTO influencer (platform, handle, name, category, country, language, followers)
    SELECT CASE WHEN n <= 150 THEN 'instagram' WHEN n <= 200 THEN 'tiktok' ELSE 'youtube' END,
           'creator_' || lpad(n::text, 3, '0'),
           'Creator ' || lpad(n::text, 3, '0'),
           (ARRAY['beauty','fitness','tech'])[1 + mod(n - 1, 3)],
           (ARRAY['US','GB','DE'])[1 + mod(n - 1, 3)],
           'en',
           5000 + 1000 * n
    FROM generate_series(1, :n) AS n
    """,
    """
    INSERT INTO campaign (name, brand, objective, status, start_date, end_date, budget, currency)
    VALUES ('Spring Glow', 'Lumen Skin', 'awareness', 'active', current_date - 20, current_date + 20, 10000, 'USD'),
           ('Summer Run', 'Stride', 'conversions', 'draft', current_date + 30, current_date + 60, 5000, 'USD')
    """,
    """
    INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, sponsored, campaign_id)
    SELECT i.platform, 'p' || i.id, i.id, now() - interval '12 days', CASE WHEN mod(i.id, 2) = 0 THEN 'video' ELSE 'image' END,
           i.id = 1, CASE WHEN i.id = 1 THEN (SELECT id FROM campaign WHERE name = 'Spring Glow') END
    FROM influencer i WHERE i.id <= 12
    """,
    """
    INSERT INTO post_metric_daily (post_id, date, likes, comments, shares, saves, views, reach, impressions)
    SELECT p.id, current_date - d, 60 + 10 * p.influencer_id + 7 * mod(d * p.influencer_id, 5), 12 + d, 3, 4,
           2000 + 100 * p.influencer_id + 40 * d, 3000, 4000
    FROM post p, generate_series(0, 11) AS d
    """,
    """
    INSERT INTO audience_share (influencer_id, dimension, bucket, share)
    SELECT i.id, d.dimension, d.bucket, d.share
    FROM influencer i,
         (VALUES ('country','US',0.5), ('country','GB',0.3), ('country','DE',0.2),
                 ('age_group','18-24',0.4), ('age_group','25-34',0.45), ('age_group','35-44',0.15),
                 ('gender','female',0.6), ('gender','male',0.38), ('gender','other',0.02))
           AS d(dimension, bucket, share)
    WHERE i.id <= 12
    """,
    """
    INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost)
    SELECT id, 1, 'contracted', 1000 FROM campaign WHERE name = 'Spring Glow'
    """,
    """
    INSERT INTO model_version (kind, version, status, metrics, artifact_uri, sha256)
    VALUES ('er_regressor', 'v-test', 'champion', '{}'::jsonb, 's3://models/er/v-test.joblib', repeat('0', 64))
    """,
    """
    INSERT INTO influencer_score (influencer_id, content_type, model_version_id, predicted_er, er_low, er_high,
                                  performance_tier, cluster, rationale, anomaly_score, anomaly_reasons)
    SELECT i.id, ct.content_type, (SELECT id FROM model_version WHERE version = 'v-test'),
           ct.lift + 0.02 + 0.001 * i.id, ct.lift + 0.015 + 0.001 * i.id, ct.lift + 0.03 + 0.001 * i.id,
           CASE WHEN i.id > 6 THEN 'high' ELSE 'medium' END, 1 + mod(i.id, 2),
           'Engagement above the ' || i.category || ' median for its tier; audience mostly 25-34.',
           CASE WHEN i.id = 1 THEN 0.82 END,
           CASE WHEN i.id = 1 THEN '["likes per comment far above tier peers"]'::jsonb END
    FROM influencer i, (VALUES ('image', 0.0), ('video', 0.004)) AS ct(content_type, lift)
    WHERE i.id <= 12
    """,
]


def seed(engine: Engine) -> None:
    with engine.begin() as conn:
        for statement in SQL:
            conn.execute(sa.text(statement), {"n": N_INFLUENCERS} if ":n" in statement else {})
    try:
        from predictfluence.queries import rollups
    except ImportError:  # pragma: no cover - before the API's rollups existed
        return
    rollups.refresh(engine)
