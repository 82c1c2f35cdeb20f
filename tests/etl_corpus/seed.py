"""The rows the bad-input corpus references, and a fingerprint of every warehouse table.

Seeded with plain SQL (not through the ETL under test): three influencers, three campaigns (one archived), three posts,
one hire and one audience group, so that "unknown influencer / post / campaign" and "good row kept"
are both decidable.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

SEED = [
    """INSERT INTO influencer (platform, handle, name, category, country, language, followers) VALUES
       ('instagram', 'ana', 'Ana Lima', 'beauty', 'BR', 'pt', 12000),
       ('tiktok', 'bo', 'Bo Chen', 'gaming', 'US', 'en', 560000),
       ('youtube', 'cy', 'Cy', 'tech', 'DE', 'de', NULL)""",
    """INSERT INTO campaign (name, brand, objective, status, start_date, end_date, budget, currency) VALUES
       ('Spring Glow', 'Lumi', 'awareness', 'active', DATE '2026-03-01', DATE '2026-05-31', 25000.50, 'USD'),
       ('Launch', 'Zed', 'conversions', 'draft', DATE '2026-06-01', NULL, 1000, 'USD'),
       ('Closed', 'Zed', 'awareness', 'archived', DATE '2025-01-01', DATE '2025-02-01', 100, 'USD')""",
    """INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, sponsored, campaign_id)
       SELECT 'instagram', 'p1', i.id, TIMESTAMPTZ '2026-03-02 10:00:00+00', 'reel', true, c.id
       FROM influencer i, campaign c WHERE i.handle = 'ana' AND c.name = 'Spring Glow'""",
    """INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, sponsored)
       SELECT 'tiktok', 't1', id, TIMESTAMPTZ '2026-03-03 12:30:00+00', 'video', false FROM influencer
       WHERE handle = 'bo'""",
    """INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, sponsored)
       SELECT 'youtube', 'y1', id, TIMESTAMPTZ '2026-03-04 00:00:00+00', 'video', false FROM influencer
       WHERE handle = 'cy'""",
    """INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost, hired_at)
       SELECT c.id, i.id, 'contracted', 700, TIMESTAMPTZ '2026-03-01 09:00:00+00' FROM campaign c, influencer i
       WHERE c.name = 'Launch' AND i.handle = 'ana'""",
    """INSERT INTO audience_share (influencer_id, dimension, bucket, share)
       SELECT id, 'country', b, s FROM influencer, (VALUES ('BR', 0.6), ('US', 0.4)) AS v(b, s)
       WHERE handle = 'ana'""",
]

# The warehouse tables a CSV load may write, with an ORDER BY that makes their fingerprint stable.
TABLES: dict[str, str] = {
    "influencer": "platform, handle",
    "campaign": "name",
    "post": "platform, external_id",
    "post_metric_daily": "post_id, date",
    "audience_share": "influencer_id, dimension, bucket",
    "campaign_influencer": "campaign_id, influencer_id",
    "conversion_daily": "campaign_id, influencer_id, date",
    "influencer_snapshot": "influencer_id, as_of, source",
}


def seed(engine: Engine) -> None:
    with engine.begin() as conn:
        for statement in SEED:
            conn.execute(sa.text(statement))


def fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """(row count, md5 of every row in key order) per warehouse table."""
    out: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table, order in TABLES.items():
            count, digest = conn.execute(sa.text(
                f"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY {order})), '') FROM {table} t"
            )).one()
            out[table] = (int(count), str(digest))
    return out
