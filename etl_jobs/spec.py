"""The CSV contract: every input kind, its columns in canonical order and their types.

This is the single source of truth shared by the ETL (validation, loading), the synthetic data
generator (headers it writes) and the docs. The S3 key prefix `raw/<kind>/` names the kind.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_INT_DIGITS = 12  # counts and amounts above 999,999,999,999 are corrupt ("absurdly large") in every kind
MAX_COUNT = 10**MAX_INT_DIGITS - 1


@dataclass(frozen=True)
class Column:
    name: str
    # text | int | money | fraction | date | plan_date | timestamp | bool | count_text. `date` is a day
    # something happened (not after tomorrow); `plan_date` may lie ahead (a campaign's planned dates).
    type: str
    required: bool = False


@dataclass(frozen=True)
class Kind:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, type_: str = "text", required: bool = False) -> Column:
    return Column(name, type_, required)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "influencers",
            (
                _c("platform", required=True),
                _c("handle", required=True),
                _c("name"),
                _c("category"),
                _c("country"),
                _c("language"),
                _c("followers", "int"),
            ),
            key=("platform", "handle"),
            description="Influencer dimension: one row per account.",
        ),
        Kind(
            "campaigns",
            (
                _c("name", required=True),
                _c("brand"),
                _c("objective"),
                _c("status"),
                _c("start_date", "plan_date"),
                _c("end_date", "plan_date"),
                _c("budget", "money"),
                _c("currency"),
            ),
            key=("name",),
            description="Campaign dimension: one row per campaign (name is unique).",
        ),
        Kind(
            "posts",
            (
                _c("platform", required=True),
                _c("post_id", required=True),
                _c("handle", required=True),
                _c("posted_at", "timestamp", required=True),
                _c("content_type", required=True),
                _c("sponsored", "bool"),
                _c("campaign"),
            ),
            key=("platform", "post_id"),
            description="Posts; `campaign` (a campaign name) is set for sponsored posts of a campaign.",
        ),
        Kind(
            "post_metrics",
            (
                _c("platform", required=True),
                _c("post_id", required=True),
                _c("date", "date", required=True),
                _c("likes", "int"),
                _c("comments", "int"),
                _c("shares", "int"),
                _c("saves", "int"),
                _c("views", "int"),
                _c("reach", "int"),
                _c("impressions", "int"),
            ),
            key=("platform", "post_id", "date"),
            description="Daily metrics per post (the largest kind).",
        ),
        Kind(
            "audience",
            (
                _c("platform", required=True),
                _c("handle", required=True),
                _c("dimension", required=True),
                _c("bucket", required=True),
                _c("share", "fraction", required=True),
            ),
            key=("platform", "handle", "dimension", "bucket"),
            description="Audience shares; the shares of one influencer's dimension sum to 1 (± 0.01).",
        ),
        Kind(
            "hires",
            (
                _c("campaign", required=True),
                _c("platform", required=True),
                _c("handle", required=True),
                _c("status"),
                _c("agreed_cost", "money"),
                _c("hired_at", "timestamp"),
                _c("overspend", "bool"),
            ),
            key=("campaign", "platform", "handle"),
            description="Influencers hired for campaigns with the agreed cost. The API's hiring rule applies: "
            "no new hire into an archived campaign, no hire over the campaign's budget unless `overspend` is true.",
        ),
        Kind(
            "conversions",
            (
                _c("campaign", required=True),
                _c("platform", required=True),
                _c("handle", required=True),
                _c("date", "date", required=True),
                _c("clicks", "int"),
                _c("orders", "int"),
                _c("revenue", "money"),
            ),
            key=("campaign", "platform", "handle", "date"),
            description="Daily tracking-link / promo-code results per hire.",
        ),
        Kind(
            "profiles",
            (
                _c("handle", required=True),
                _c("platform"),
                _c("name"),
                _c("category"),
                _c("country"),
                _c("followers", "count_text", required=True),
                _c("posts", "count_text"),
                _c("avg_likes", "count_text"),
                _c("avg_views", "count_text"),
                _c("engagement_rate", "fraction"),
                _c("as_of", "date"),
            ),
            key=("platform", "handle"),
            description=(
                "External profile-level data (other tools' exports, public lists such as the top-200 "
                "Instagram dataset): lands in influencer_snapshot; creates the influencer if unknown."
            ),
        ),
    )
}
