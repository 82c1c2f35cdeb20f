"""Features per influencer × content type, straight from SQL into numpy (no pandas).

Everything is computed *as of a cutoff*: only posts published before the cutoff and only daily metric
rows dated before it are read, so a model trained on a target window after the cutoff never sees it.
ER of a post = (likes + comments + shares + saves summed over its daily rows) / followers (docs/architecture.md, "Metric definitions");
trailing ERs are means of that per-post ER over the posts of the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import sqlalchemy as sa

from predictfluence_ml._sql import read_columns

CATEGORICAL: tuple[str, ...] = ("platform", "category", "country", "follower_tier", "content_type")
INFLUENCER_NUMERIC: tuple[str, ...] = (
    "log_followers",
    "posts_per_week",
    "er_30",
    "er_90",
    "likes_per_comment",
    "sponsored_share",
    "days_since_last_post",
    "top_country_share",
    "follower_growth_90",
)
CONTENT_NUMERIC: tuple[str, ...] = ("er_ct_30", "er_ct_90", "posts_ct_90", "ct_share_90")
HISTORY_DAYS = 180
MAX_BUCKETS = 8


@dataclass(frozen=True)
class FeatureSpec:
    """The audience buckets that become features; fixed at training time, reused when scoring."""

    age_buckets: tuple[str, ...] = ()
    gender_buckets: tuple[str, ...] = ()

    @property
    def audience_names(self) -> tuple[str, ...]:
        return tuple(f"age_{b}" for b in self.age_buckets) + tuple(f"gender_{b}" for b in self.gender_buckets)

    @property
    def influencer_numeric(self) -> tuple[str, ...]:
        return INFLUENCER_NUMERIC + self.audience_names

    @property
    def numeric(self) -> tuple[str, ...]:
        return self.influencer_numeric + CONTENT_NUMERIC

    @property
    def names(self) -> tuple[str, ...]:
        return CATEGORICAL + self.numeric

    def to_json(self) -> dict[str, list[str]]:
        return {"age_buckets": list(self.age_buckets), "gender_buckets": list(self.gender_buckets)}


@dataclass
class InfluencerTable:
    """Influencer-level features as of a cutoff, sorted by id."""

    ids: np.ndarray  # int64
    cat: np.ndarray  # object (n, 4): platform, category, country, follower_tier
    followers: np.ndarray  # float64
    num: np.ndarray  # float64 (n, len(spec.influencer_numeric))


@dataclass
class FeatureMatrix:
    """One row per influencer × content type."""

    ids: np.ndarray  # int64
    cat: np.ndarray  # object (n, len(CATEGORICAL))
    num: np.ndarray  # float64 (n, len(spec.numeric))
    followers: np.ndarray  # float64
    spec: FeatureSpec = field(default_factory=FeatureSpec)

    def __len__(self) -> int:
        return int(self.ids.size)

    @property
    def content_type(self) -> np.ndarray:
        return self.cat[:, CATEGORICAL.index("content_type")]

    def X(self, rows: slice | np.ndarray | None = None) -> np.ndarray:
        """The model input: an object array, categoricals first (the Pipeline encodes them)."""
        cat = self.cat if rows is None else self.cat[rows]
        num = self.num if rows is None else self.num[rows]
        out = np.empty((cat.shape[0], cat.shape[1] + num.shape[1]), dtype=object)
        out[:, : cat.shape[1]] = cat
        out[:, cat.shape[1] :] = num
        return out

    def subset(self, rows: np.ndarray) -> FeatureMatrix:
        return FeatureMatrix(self.ids[rows], self.cat[rows], self.num[rows], self.followers[rows], self.spec)


def discover_spec(conn: sa.Connection) -> FeatureSpec:
    """The most common age-group and gender buckets in audience_share become features."""
    rows = conn.execute(
        sa.text(
            "SELECT dimension, bucket FROM audience_share WHERE dimension IN ('age_group', 'gender') "
            "GROUP BY dimension, bucket ORDER BY dimension, count(*) DESC, bucket"
        )
    ).all()
    age = [b for d, b in rows if d == "age_group"][:MAX_BUCKETS]
    gender = [b for d, b in rows if d == "gender"][:MAX_BUCKETS]
    return FeatureSpec(tuple(sorted(age)), tuple(sorted(gender)))


def _as_cutoff(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)


_POST_ENGAGEMENT = """
    SELECT p.id, p.influencer_id, p.content_type, p.posted_at, p.sponsored,
           sum(m.likes + m.comments + m.shares + m.saves)::float8 AS eng,
           sum(m.likes)::float8 AS likes, sum(m.comments)::float8 AS comments
    FROM post p JOIN post_metric_daily m ON m.post_id = p.id
    WHERE p.posted_at >= :hist_start AND p.posted_at < :cutoff AND m.date < :cutoff_date{posts_in_range}
    GROUP BY p.id
"""
IdRange = tuple[int, int]  # inclusive influencer id range (a scoring chunk)


def _in_range(column: str, ids: IdRange | None) -> str:
    """` AND <column> BETWEEN :lo_id AND :hi_id` when `ids` is given (bound as lo_id / hi_id)."""
    return "" if ids is None else f" AND {column} BETWEEN :lo_id AND :hi_id"


def _range_params(ids: IdRange | None) -> dict[str, int]:
    return {} if ids is None else {"lo_id": int(ids[0]), "hi_id": int(ids[1])}


def _post_engagement(ids: IdRange | None) -> str:
    return _POST_ENGAGEMENT.format(posts_in_range=_in_range("p.influencer_id", ids))


def influencer_table(
    conn: sa.Connection,
    spec: FeatureSpec,
    cutoff: dt.date | dt.datetime,
    ids: IdRange | None = None,
    as_rows: bool = False,
) -> InfluencerTable:
    """Influencer-level features from data strictly before `cutoff` (every influencer with followers, or
    those of the inclusive id range `ids`). `as_rows`: read row by row (read_columns' reference)."""
    c = _as_cutoff(cutoff)
    audience_cols = "".join(
        f", max(share) FILTER (WHERE dimension = 'age_group' AND bucket = :age{i}) AS age{i}"
        for i in range(len(spec.age_buckets))
    ) + "".join(
        f", max(share) FILTER (WHERE dimension = 'gender' AND bucket = :gender{i}) AS gender{i}"
        for i in range(len(spec.gender_buckets))
    )
    audience_select = [f"a.age{i}" for i in range(len(spec.age_buckets))] + [
        f"a.gender{i}" for i in range(len(spec.gender_buckets))
    ]
    # Only generated identifiers (age0, gender1, …) are interpolated; every value is a bound parameter.
    head = f"""
    WITH pe AS ({_post_engagement(ids)}),
    agg AS (
        SELECT influencer_id,
               count(*) FILTER (WHERE posted_at >= :c90) AS n90,
               avg(eng) FILTER (WHERE posted_at >= :c30) AS eng30,
               avg(eng) FILTER (WHERE posted_at >= :c90) AS eng90,
               sum(likes) FILTER (WHERE posted_at >= :c90) AS likes90,
               sum(comments) FILTER (WHERE posted_at >= :c90) AS comments90,
               avg(sponsored::int) FILTER (WHERE posted_at >= :c90) AS sponsored90,
               max(posted_at) AS last_post
        FROM pe GROUP BY influencer_id
    ),
    a AS (
        SELECT influencer_id, max(share) FILTER (WHERE dimension = 'country') AS top_country {audience_cols}
        FROM audience_share WHERE true{_in_range("influencer_id", ids)} GROUP BY influencer_id
    ),
    g AS (
        SELECT DISTINCT ON (influencer_id) influencer_id,
               (last_value(followers) OVER w)::float8 / nullif(first_value(followers) OVER w, 0) - 1 AS growth
        FROM influencer_snapshot
        WHERE as_of >= :c90_date AND as_of < :cutoff_date AND followers IS NOT NULL{_in_range("influencer_id", ids)}
        WINDOW w AS (PARTITION BY influencer_id ORDER BY as_of
                     ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
    )
    """  # noqa: S608
    columns = [
        "i.id", "i.platform", "coalesce(i.category, 'unknown')", "coalesce(i.country, 'unknown')", "i.follower_tier",
        "i.followers::float8",
        "ln(i.followers::float8)",
        "coalesce(agg.n90, 0) / (90.0 / 7.0)",
        "agg.eng30 / i.followers", "agg.eng90 / i.followers",
        "agg.likes90 / nullif(agg.comments90, 0)",
        "agg.sponsored90",
        "extract(epoch FROM (:cutoff - agg.last_post)) / 86400.0",
        "a.top_country", "g.growth", *audience_select,
    ]  # fmt: skip
    tail = f"""
    FROM influencer i
    LEFT JOIN agg ON agg.influencer_id = i.id
    LEFT JOIN a ON a.influencer_id = i.id
    LEFT JOIN g ON g.influencer_id = i.id
    WHERE i.followers > 0{_in_range("i.id", ids)}
    """
    params: dict[str, object] = {
        "cutoff": c,
        "cutoff_date": c.date(),
        "hist_start": c - dt.timedelta(days=HISTORY_DAYS),
        "c30": c - dt.timedelta(days=30),
        "c90": c - dt.timedelta(days=90),
        "c90_date": (c - dt.timedelta(days=90)).date(),
    }
    params.update(_range_params(ids))
    params.update({f"age{i}": b for i, b in enumerate(spec.age_buckets)})
    params.update({f"gender{i}": b for i, b in enumerate(spec.gender_buckets)})
    got = read_columns(conn, head, columns, tail, 1, params, n_text=5, as_rows=as_rows)
    if not len(got.ids):
        width = len(spec.influencer_numeric)
        return InfluencerTable(
            np.empty(0, np.int64), np.empty((0, 4), object), np.empty(0), np.empty((0, width))
        )
    return InfluencerTable(got.ids, got.text, got.numbers[:, 0], got.numbers[:, 1:])


def content_table(
    conn: sa.Connection, cutoff: dt.date | dt.datetime, ids: IdRange | None = None, as_rows: bool = False
) -> dict[tuple[int, str], tuple[float, ...]]:
    """(influencer, content type) → (mean engagement 30d, mean engagement 90d, posts 90d)."""
    c = _as_cutoff(cutoff)
    columns = [
        "influencer_id", "content_type", "avg(eng) FILTER (WHERE posted_at >= :c30)",
        "avg(eng) FILTER (WHERE posted_at >= :c90)", "count(*) FILTER (WHERE posted_at >= :c90)",
    ]  # fmt: skip
    params = {
        "cutoff": c,
        "cutoff_date": c.date(),
        "hist_start": c - dt.timedelta(days=HISTORY_DAYS),
        "c30": c - dt.timedelta(days=30),
        "c90": c - dt.timedelta(days=90),
        **_range_params(ids),
    }
    got = read_columns(conn, f"WITH pe AS ({_post_engagement(ids)})", columns,  # a constant subquery
                       "FROM pe GROUP BY influencer_id, content_type", 2, params,
                       n_text=2, as_rows=as_rows)  # fmt: skip
    eng30, eng90 = (np.where(np.isnan(v), None, v).tolist() for v in (got.numbers[:, 0], got.numbers[:, 1]))
    return dict(zip(zip(got.ids.tolist(), got.text[:, 0].tolist(), strict=True),
                    zip(eng30, eng90, got.numbers[:, 2].astype(np.int64).tolist(), strict=True), strict=True))  # fmt: skip


def assemble(
    spec: FeatureSpec,
    inf: InfluencerTable,
    content: dict[tuple[int, str], tuple[float, ...]],
    pair_ids: np.ndarray,
    pair_types: np.ndarray,
) -> tuple[FeatureMatrix, np.ndarray]:
    """Rows for the requested (influencer, content type) pairs; returns the matrix and, for each pair,
    whether it was kept (pairs whose influencer has no followers are dropped)."""
    pos = np.searchsorted(inf.ids, pair_ids)
    pos_c = pos.clip(0, max(inf.ids.size - 1, 0))
    keep = (
        (pos < inf.ids.size) & (inf.ids[pos_c] == pair_ids) if inf.ids.size else np.zeros(pair_ids.size, bool)
    )
    idx = pos_c[keep]
    ids = pair_ids[keep]
    types = pair_types[keep]
    n = ids.size
    cat = np.empty((n, len(CATEGORICAL)), dtype=object)
    cat[:, :4] = inf.cat[idx]
    cat[:, 4] = types
    followers = inf.followers[idx]
    ct = np.full((n, len(CONTENT_NUMERIC)), np.nan)
    n90 = inf.num[idx, INFLUENCER_NUMERIC.index("posts_per_week")] * (90.0 / 7.0)
    for k in range(n):
        got = content.get((int(ids[k]), types[k]))
        if got is not None:
            ct[k, 0] = got[0] if got[0] is not None else np.nan
            ct[k, 1] = got[1] if got[1] is not None else np.nan
            ct[k, 2] = got[2]
    ct[:, 0] /= followers
    ct[:, 1] /= followers
    ct[:, 2] = np.nan_to_num(ct[:, 2], nan=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ct[:, 3] = np.where(n90 > 0, ct[:, 2] / np.where(n90 > 0, n90, 1.0), np.nan)
    num = np.hstack([inf.num[idx], ct])
    return FeatureMatrix(ids, cat, num, followers, spec), keep


def platform_content_types(conn: sa.Connection) -> dict[str, list[str]]:
    """Content types seen on each platform (what an influencer of that platform can be scored for)."""
    rows = conn.execute(sa.text("SELECT DISTINCT platform, content_type FROM post ORDER BY 1, 2")).all()
    out: dict[str, list[str]] = {}
    for platform, content_type in rows:
        out.setdefault(platform, []).append(content_type)
    return out


def scoring_matrix(
    conn: sa.Connection,
    spec: FeatureSpec,
    as_of: dt.date | dt.datetime,
    ids: IdRange | None = None,
    types_by_platform: dict[str, list[str]] | None = None,
) -> FeatureMatrix:
    """Every influencer (of the id range `ids`, default all) × every content type seen on its platform,
    features as of `as_of`."""
    inf = influencer_table(conn, spec, as_of, ids)
    content = content_table(conn, as_of, ids)
    types_by_platform = platform_content_types(conn) if types_by_platform is None else types_by_platform
    ids: list[int] = []
    types: list[str] = []
    for iid, platform in zip(inf.ids.tolist(), inf.cat[:, 0].tolist(), strict=True):
        for t in types_by_platform.get(platform, ()):
            ids.append(iid)
            types.append(t)
    matrix, _ = assemble(spec, inf, content, np.array(ids, dtype=np.int64), np.array(types, dtype=object))
    return matrix
