"""The `influencers` kind → `influencer` (key: platform + handle).

Platform is lower-cased and a leading `@` of the handle dropped (as in every kind). Empty optional cells
keep the stored value; a column missing from the file leaves it untouched.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from etl_jobs.staging import HeaderMap, StagedLoader, Target, upsert


class InfluencersLoader(StagedLoader):
    kind = "influencers"
    duplicate_label = "influencer"

    def upsert(self, conn: Connection, hmap: HeaderMap) -> None:
        targets = [
            Target(c, f"o.{c}", file_column=c) for c in ("name", "category", "country", "language", "followers")
        ]
        upsert(conn, "influencer", ("platform", "handle"), ("o.platform", "o.handle"), targets, hmap,
               touch="updated_at")


loader = InfluencersLoader()
