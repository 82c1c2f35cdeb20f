"""The hires history the cost model learns from: one example per hire, straight from SQL into numpy.

A hire is a `campaign_influencer` row that is not cancelled and has an agreed cost above 0; its posts are
the influencer's `post` rows with `campaign_id` = the hire's campaign (the sponsored deliverables).
Cost per post = agreed cost / posts delivered. Hires with no delivered post yet (contracted, proposed, or a
campaign that has not started) are left out: their agreed cost cannot be divided into posts. So are the
hires of a campaign still running: its `end_date` on or after the day of the newest sponsored post known
(the data's horizon: the last post before `before`); a campaign without an end date counts as ended once
its status is completed or archived. A running hire has delivered only part of its posts, and agreed cost
/ posts so far overstates its price 1.5–3× (issue 11.2: such hires were ~ a sixth of the held-out set,
all missed by the interval). The content
type of the example is the dominant content type of the hire's posts (ties: the first in alphabetical
order). Trailing ER = the mean per-post ER of the influencer's posts in the 90 days before the hire
(metrics dated before the hire day only), the definition of `er_90` in predictfluence_ml.features.
All of the cost model's SQL is in this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

# the cost model's categorical inputs, in column order of Hires.cat
COST_CATEGORICAL: tuple[str, ...] = ("platform", "category", "follower_tier", "content_type")

_HIRES = """
WITH delivered AS (
    SELECT ci.id AS hire_id, ci.campaign_id, ci.influencer_id, ci.agreed_cost::float8 AS cost, ci.hired_at,
           count(p.id) AS posts, mode() WITHIN GROUP (ORDER BY p.content_type) AS content_type,
           max(p.posted_at) AS last_post
    FROM campaign_influencer ci
    JOIN post p ON p.influencer_id = ci.influencer_id AND p.campaign_id = ci.campaign_id AND p.posted_at < :before
    WHERE ci.status <> 'cancelled' AND ci.agreed_cost > 0 AND ci.hired_at < :before
    GROUP BY ci.id
),
hp AS (
    SELECT d.* FROM delivered d JOIN campaign c ON c.id = d.campaign_id
    WHERE c.end_date < (SELECT (max(last_post) AT TIME ZONE 'UTC')::date FROM delivered)
       OR (c.end_date IS NULL AND c.status IN ('completed', 'archived'))
),
er AS (
    SELECT hp.hire_id, avg(pe.eng) AS eng90
    FROM hp
    JOIN LATERAL (
        SELECT sum(m.likes + m.comments + m.shares + m.saves)::float8 AS eng
        FROM post q JOIN post_metric_daily m ON m.post_id = q.id AND m.date < hp.hired_at::date
        WHERE q.influencer_id = hp.influencer_id
          AND q.posted_at >= hp.hired_at - interval '90 days' AND q.posted_at < hp.hired_at
        GROUP BY q.id
    ) pe ON true
    GROUP BY hp.hire_id
)
SELECT hp.hire_id, hp.campaign_id, hp.influencer_id, hp.hired_at, i.platform, coalesce(i.category, 'unknown'),
       i.follower_tier, hp.content_type, i.followers::float8, er.eng90 / i.followers, hp.posts, hp.cost
FROM hp
JOIN influencer i ON i.id = hp.influencer_id
LEFT JOIN er ON er.hire_id = hp.hire_id
WHERE i.followers > 0
ORDER BY hp.hired_at, hp.hire_id
"""


@dataclass
class Hires:
    """One row per hire with ≥ 1 delivered post, ordered by hire time."""

    hire_ids: np.ndarray  # int64
    campaign_ids: np.ndarray  # int64
    influencer_ids: np.ndarray  # int64
    hired_at: np.ndarray  # datetime64[s]
    cat: np.ndarray  # object (n, len(COST_CATEGORICAL))
    followers: np.ndarray  # float64, the influencer's current followers
    er: np.ndarray  # float64, trailing 90-day ER before the hire (nan: no post in those 90 days)
    posts: np.ndarray  # float64, posts delivered
    cost_per_post: np.ndarray  # float64

    def __len__(self) -> int:
        return int(self.hire_ids.size)

    def subset(self, rows: np.ndarray) -> Hires:
        return Hires(*(getattr(self, f)[rows] for f in self.__dataclass_fields__))


def empty_hires() -> Hires:
    z = np.empty(0)
    return Hires(
        np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, "datetime64[s]"),
        np.empty((0, len(COST_CATEGORICAL)), object), z, z, z, z,
    )  # fmt: skip


def load_hires(conn: sa.Connection, before: dt.date | dt.datetime | None = None) -> Hires:
    """Every usable hire (see the module docstring) hired, and with posts published, before `before`."""
    if before is None:
        cutoff = dt.datetime.max.replace(year=9000, tzinfo=dt.UTC)
    elif isinstance(before, dt.datetime):
        cutoff = before if before.tzinfo else before.replace(tzinfo=dt.UTC)
    else:
        cutoff = dt.datetime.combine(before, dt.time(), tzinfo=dt.UTC)
    rows = conn.execute(sa.text(_HIRES), {"before": cutoff}).all()
    if not rows:
        return empty_hires()
    num = np.array([r[8:] for r in rows], dtype=np.float64)  # None → nan
    return Hires(
        hire_ids=np.array([r[0] for r in rows], dtype=np.int64),
        campaign_ids=np.array([r[1] for r in rows], dtype=np.int64),
        influencer_ids=np.array([r[2] for r in rows], dtype=np.int64),
        hired_at=np.array(
            [r[3].astimezone(dt.UTC).replace(tzinfo=None) for r in rows], dtype="datetime64[s]"
        ),
        cat=np.array([r[4:8] for r in rows], dtype=object),
        followers=num[:, 0],
        er=num[:, 1],
        posts=num[:, 2],
        cost_per_post=num[:, 3] / num[:, 2],
    )


def campaign_time_split(hires: Hires, test_share: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, test rows): whole campaigns, the latest `test_share` of them (by their first hire)
    in the test set, so no campaign and no later price is seen in training."""
    if len(hires) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    campaigns, first = [], []
    for c in np.unique(hires.campaign_ids):
        campaigns.append(c)
        first.append(hires.hired_at[hires.campaign_ids == c].min())
    order = np.array(campaigns)[np.argsort(np.array(first), kind="stable")]
    n_test = int(round(len(order) * test_share))
    test_campaigns = order[len(order) - n_test :] if n_test else order[:0]
    test = np.isin(hires.campaign_ids, test_campaigns)
    return np.flatnonzero(~test), np.flatnonzero(test)
