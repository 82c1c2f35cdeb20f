"""A small, known dataset (plain SQL inserts) whose every API number is worked out by hand in the tests.

Dates are relative to the database's CURRENT_DATE ("today - n").

Influencers (id: handle, platform, category, country, followers → tier)
  1 ig_alice   instagram beauty  US  20,000 micro   posts p1 p2 p3
  2 ig_bob     instagram fitness UK   8,000 nano    post  p5
  3 tt_carol   tiktok    beauty  US 150,000 mid     post  p4
  4 yt_dave    youtube   tech    DE 1,200,000 mega  no posts
  5 ig_erin    instagram beauty  US  25,000 micro   post  p6 (no metrics)

Post totals (likes, comments, shares, saves → engagements; ER = engagements / followers)
  p1 alice image c1   1600 160  70  70 → 1900 → 0.095   views -      impressions 12000
  p2 alice video c1   2500 250 125 125 → 3000 → 0.15    views 15000  impressions 18000
  p3 alice image -     400  40  30  30 →  500 → 0.025   views -      impressions  3000 (today-40)
  p4 carol video c1   9000 600 300 100 → 10000 → 0.0666… views 50000 impressions 60000
  p5 bob   reel  c2    300  50  20  30 →  400 → 0.05    views 2000   impressions  2500
  p6 erin  image -    no metric rows

Campaigns: 1 Spring Glow (Glow, active, budget 10,000) hires alice 3,000 contracted, carol 5,000 live;
2 Gym Push (FitCo, draft, budget 1,000) hires bob 600 completed, erin 200 cancelled; 3 Empty (no hires).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

STATEMENTS = [
    """INSERT INTO influencer (platform, handle, name, category, country, language, followers) VALUES
       ('instagram', 'ig_alice', 'Alice A', 'beauty', 'US', 'en', 20000),
       ('instagram', 'ig_bob', 'Bob B', 'fitness', 'UK', 'en', 8000),
       ('tiktok', 'tt_carol', 'Carol C', 'beauty', 'US', 'en', 150000),
       ('youtube', 'yt_dave', 'Dave D', 'tech', 'DE', 'de', 1200000),
       ('instagram', 'ig_erin', 'Erin_E%', 'beauty', 'US', 'en', 25000)""",
    """INSERT INTO campaign (name, brand, objective, status, start_date, end_date, budget, currency) VALUES
       ('Spring Glow', 'Glow', 'awareness', 'active', CURRENT_DATE - 30, CURRENT_DATE + 30, 10000, 'USD'),
       ('Gym Push', 'FitCo', 'sales', 'draft', NULL, NULL, 1000, 'USD'),
       ('Empty', NULL, NULL, 'draft', NULL, NULL, 0, 'EUR')""",
    """INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost, hired_at) VALUES
       (1, 1, 'contracted', 3000, now() - interval '3 days'),
       (1, 3, 'live', 5000, now() - interval '2 days'),
       (2, 2, 'completed', 600, now() - interval '1 day'),
       (2, 5, 'cancelled', 200, now())""",
    """INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, sponsored, campaign_id) VALUES
       ('instagram', 'p1', 1, CURRENT_DATE - 10, 'image', true, 1),
       ('instagram', 'p2', 1, CURRENT_DATE - 5, 'video', true, 1),
       ('instagram', 'p3', 1, CURRENT_DATE - 40, 'image', false, NULL),
       ('tiktok', 'p4', 3, CURRENT_DATE - 4, 'video', true, 1),
       ('instagram', 'p5', 2, CURRENT_DATE - 2, 'reel', true, 2),
       ('instagram', 'p6', 5, CURRENT_DATE - 1, 'image', false, NULL)""",
    """INSERT INTO post_metric_daily (post_id, date, likes, comments, shares, saves, views, reach, impressions) VALUES
       (1, CURRENT_DATE - 10, 1000, 100, 50, 50, NULL, 5000, 8000),
       (1, CURRENT_DATE - 9, 600, 60, 20, 20, NULL, 3000, 4000),
       (2, CURRENT_DATE - 5, 2000, 200, 100, 100, 10000, 9000, 12000),
       (2, CURRENT_DATE - 4, 500, 50, 25, 25, 5000, 4000, 6000),
       (3, CURRENT_DATE - 40, 400, 40, 30, 30, NULL, 2000, 3000),
       (4, CURRENT_DATE - 4, 9000, 600, 300, 100, 50000, 40000, 60000),
       (5, CURRENT_DATE - 2, 300, 50, 20, 30, 2000, 1500, 2500)""",
    """INSERT INTO conversion_daily (campaign_id, influencer_id, date, clicks, orders, revenue) VALUES
       (1, 1, CURRENT_DATE - 9, 100, 10, 500),
       (1, 1, CURRENT_DATE - 4, 50, 5, 250),
       (1, 3, CURRENT_DATE - 4, 200, 20, 2000),
       (2, 2, CURRENT_DATE - 2, 10, 1, 40)""",
    """INSERT INTO audience_share (influencer_id, dimension, bucket, share) VALUES
       (1, 'country', 'US', 0.6), (1, 'country', 'UK', 0.4),
       (1, 'age_group', '18-24', 0.7), (1, 'age_group', '25-34', 0.3),
       (2, 'country', 'UK', 1.0),
       (3, 'country', 'US', 0.5), (3, 'country', 'DE', 0.5)""",
    """INSERT INTO influencer_snapshot (influencer_id, as_of, source, followers, posts, avg_likes, avg_views,
       engagement_rate) VALUES
       (1, CURRENT_DATE - 100, 'export', 15000, 80, 900, NULL, 0.05),
       (1, CURRENT_DATE - 1, 'export', 19900, 95, 1200, 14000, 0.07)""",
    """INSERT INTO model_version (kind, version, status, metrics, artifact_uri, sha256) VALUES
       ('er_regressor', 'v1', 'champion', '{}', 's3://models/er/v1.joblib', repeat('a', 64))""",
    """INSERT INTO influencer_score (influencer_id, content_type, model_version_id, predicted_er, er_low, er_high,
       performance_tier, tier_probability, cluster, anomaly_score, anomaly_reasons, rationale, engagements,
       cost_per_post, cost_low, cost_high) VALUES
       (1, 'image', 1, 0.08, 0.05, 0.11, 'high', 0.7, 3, 0.1, '["engagement spike"]', 'Strong beauty audience',
        NULL, NULL, NULL, NULL),
       (1, 'video', 1, 0.12, 0.09, 0.15, 'high', 0.8, 3, NULL, NULL, NULL, 2400, 300, 220, 410),
       (3, 'video', 1, 0.06, 0.04, 0.08, 'medium', 0.6, 3, NULL, NULL, NULL, 9000, 900, 650, 1250)""",
    """INSERT INTO etl_load (file_key, checksum, kind, status, rows_in, rows_loaded, rows_rejected, report_key,
       started_at, finished_at) VALUES
       ('raw/posts/a.csv', repeat('1', 64), 'posts', 'loaded', 10, 10, 0, NULL,
        '2026-01-01T10:00:00Z', '2026-01-01T10:00:05Z'),
       ('raw/influencers/b.csv', repeat('2', 64), 'influencers', 'rejected', 5, 3, 2, 'reports/b.json',
        '2026-01-02T10:00:00Z', '2026-01-02T10:00:02Z')""",
]


def load(engine: Engine) -> None:
    from predictfluence.queries.rollups import refresh

    with engine.begin() as conn:
        for statement in STATEMENTS:
            conn.execute(sa.text(statement))
    refresh(engine, concurrently=False)
