"""The `posts` kind → `post` (key: platform + post_id, stored as `post.external_id`).

The influencer (platform + handle) must exist; `campaign`, when given, must name an existing campaign.
content_type is lower-cased; sponsored defaults to false.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from etl_jobs.staging import HeaderMap, StagedLoader, Target, upsert


class PostsLoader(StagedLoader):
    kind = "posts"
    duplicate_label = "post"
    resolve_sql = (
        "SELECT t.line, t.platform, t.post_id, t.handle, t.posted_at, lower(t.content_type) AS content_type, "
        "t.sponsored, t.campaign, i.id AS influencer_id, c.id AS campaign_id FROM pf_typed t "
        "LEFT JOIN influencer i ON i.platform = t.platform AND i.handle = t.handle "
        "LEFT JOIN campaign c ON c.name = t.campaign"
    )
    checks = (
        ("t.influencer_id IS NULL", "'unknown influencer'", "handle", "t.platform || '/' || t.handle"),
        ("t.campaign IS NOT NULL AND t.campaign_id IS NULL", "'unknown campaign'", "campaign", "t.campaign"),
    )

    def upsert(self, conn: Connection, hmap: HeaderMap) -> None:
        targets = [
            Target("influencer_id", "o.influencer_id"),
            Target("posted_at", "o.posted_at"),
            Target("content_type", "o.content_type"),
            Target("sponsored", "o.sponsored", "false", file_column="sponsored"),
            Target("campaign_id", "o.campaign_id", file_column="campaign"),
        ]
        upsert(conn, "post", ("platform", "external_id"), ("o.platform", "o.post_id"), targets, hmap)


loader = PostsLoader()
