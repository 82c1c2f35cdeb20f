"""The `audience` kind → `audience_share` (key: platform + handle + dimension + bucket).

The influencer must exist; dimension is one of country, age_group, gender (lower-cased); share is a
fraction. The shares of one influencer × dimension must sum to 1 ± 0.01, else the whole group is
rejected. A loaded group replaces that influencer's stored buckets of the dimension (stale buckets
would break the sum): the stored buckets the group does not name are deleted, the others updated only
where the share changes, new ones inserted — a reload rewrites only what changed (issue 16.8).

Country buckets are normalised to ISO 3166-1 alpha-2 (etl_jobs.normalise: ``United States``, ``USA`` and
``Estados Unidos`` are one bucket, ``US``); a bucket that names no country (``other``, ``rest of world``)
is kept as written. Two rows of one influencer that name the same country then repeat a key: the later
one is rejected as a duplicate, like any repeated bucket.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from etl_jobs import normalise as norm
from etl_jobs.kinds.influencers import remap
from etl_jobs.staging import HeaderMap, StagedLoader, Target, reject_duplicates, upsert
from predictfluence.vocab import AUDIENCE_DIMENSIONS

_DIMS = ", ".join(f"'{d}'" for d in AUDIENCE_DIMENSIONS)
TOLERANCE = 0.01


class AudienceLoader(StagedLoader):
    kind = "audience"
    duplicate_label = "audience bucket"
    resolve_sql = (
        "SELECT t.line, t.platform, t.handle, lower(t.dimension) AS dimension, t.bucket, t.share, "
        "i.id AS influencer_id FROM pf_typed t "
        "LEFT JOIN influencer i ON i.platform = t.platform AND i.handle = t.handle"
    )
    checks = (
        ("t.influencer_id IS NULL", "'unknown influencer'", "handle", "t.platform || '/' || t.handle"),
        (
            f"t.dimension NOT IN ({_DIMS})",
            f"'unknown dimension (expected one of {', '.join(AUDIENCE_DIMENSIONS)})'",
            "dimension",
            "t.dimension",
        ),
    )

    def group_checks(self, conn: Connection) -> None:
        renamed: list[str] = []

        def country(raw: str) -> str:
            new = norm.country(raw) or raw
            if new != raw:
                renamed.append(raw)
            return new

        remap(conn, "pf_ready", "bucket", country, where="t.dimension = 'country'")
        if renamed:  # otherwise every key is as the first duplicate check saw it: no new duplicate
            reject_duplicates(conn, self.key_columns(), self.duplicate_label)
        self.reject_bad_sums(conn)

    def reject_bad_sums(self, conn: Connection) -> None:
        """Every row of a group (influencer × dimension) whose remaining shares do not sum to 1."""
        conn.exec_driver_sql(
            "INSERT INTO pf_rej (line, reason, col, val) "  # noqa: S608 - identifiers from the kind spec; cell values are never interpolated
            "SELECT t.line, 'shares of ' || t.dimension || ' for ' || t.platform || '/' || t.handle "
            f"|| ' sum to ' || round(g.total::numeric, 4) || ', not 1 ± {TOLERANCE}', 'share', t.share::text "
            "FROM pf_ready t JOIN ("
            "  SELECT r.influencer_id, r.dimension, sum(r.share) AS total FROM pf_ready r "
            "  WHERE NOT EXISTS (SELECT 1 FROM pf_rej x WHERE x.line = r.line) "
            f"  GROUP BY 1, 2 HAVING abs(sum(r.share) - 1) > {TOLERANCE}) g "
            "ON g.influencer_id = t.influencer_id AND g.dimension = t.dimension "
            "WHERE NOT EXISTS (SELECT 1 FROM pf_rej x WHERE x.line = t.line)"
        )

    def upsert(self, conn: Connection, hmap: HeaderMap) -> None:
        # the stale buckets of the loaded groups only: deleting and re-inserting every bucket rewrote a
        # reload's unchanged rows (and checked their foreign key again)
        conn.exec_driver_sql(
            "DELETE FROM audience_share a USING (SELECT DISTINCT influencer_id, dimension FROM pf_ok) g "
            "WHERE a.influencer_id = g.influencer_id AND a.dimension = g.dimension AND NOT EXISTS ("
            "  SELECT 1 FROM pf_ok o WHERE o.influencer_id = a.influencer_id AND o.dimension = a.dimension "
            "  AND o.bucket = a.bucket)"
        )
        upsert(
            conn,
            "audience_share",
            ("influencer_id", "dimension", "bucket"),
            ("o.influencer_id", "o.dimension", "o.bucket"),
            [Target("share", "o.share", keep=False)],
            hmap,
        )


loader = AudienceLoader()
