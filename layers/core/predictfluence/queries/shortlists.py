"""SQL for shortlists (tables shortlist, shortlist_item) and the compare view.

A shortlist's rows carry the influencer list's figures (influencer_stats; an influencer not yet in the
rollup shows its profile followers and no averages), its audience-quality flags (the anomaly reasons of
any content type's score) and the cost forecast of its cheapest scored content type.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from predictfluence.db import get_engine
from predictfluence.queries.common import one, rows
from predictfluence.queries.errors import NotFound
from predictfluence.queries.influencers import trend
from predictfluence.vocab import AUDIENCE_DIMENSIONS

# who did it: a signed-in user's e-mail; for an API key its name and id when it has a name, else "key <id>"
_WHO = ("coalesce(CAST(:email AS text), (SELECT name || ' (key ' || id || ')' FROM api_key WHERE id = :key_id), "
        "'key ' || :key_id)")
_SHORTLIST = (
    "SELECT l.id, l.name, l.created_at, l.created_by, "
    "(SELECT count(*) FROM shortlist_item it WHERE it.shortlist_id = l.id) AS size FROM shortlist l"
)
_FIGURES = (
    "i.id, i.platform, i.handle, i.name, i.category, i.country, i.language, "
    "coalesce(i.followers, s.followers) AS followers, i.follower_tier, coalesce(s.posts, 0) AS posts, "
    "s.avg_engagement_rate, s.avg_likes, s.avg_views, s.avg_comments, s.figures_source, s.snapshot_source, "
    "s.snapshot_as_of, s.snapshot_posts, coalesce(f.flags, CAST('{}' AS text[])) AS flags, "
    "c.content_type AS cost_content_type, c.cost_per_post, c.cost_low, c.cost_high"
)
_FIGURE_JOINS = (
    "LEFT JOIN influencer_stats s ON s.influencer_id = i.id "
    "LEFT JOIN LATERAL (SELECT array_agg(DISTINCT r.reason ORDER BY r.reason) AS flags FROM influencer_score sc "
    "CROSS JOIN LATERAL jsonb_array_elements_text(coalesce(sc.anomaly_reasons, CAST('[]' AS jsonb))) AS r(reason) "
    "WHERE sc.influencer_id = i.id) f ON TRUE "
    "LEFT JOIN LATERAL (SELECT sc.content_type, sc.cost_per_post, sc.cost_low, sc.cost_high FROM influencer_score sc "
    "WHERE sc.influencer_id = i.id AND sc.cost_per_post IS NOT NULL ORDER BY sc.cost_per_post, sc.content_type "
    "LIMIT 1) c ON TRUE "
)
_ITEMS = (
    f"SELECT {_FIGURES}, it.note, it.added_at, it.added_by FROM shortlist_item it "  # noqa: S608 - fixed fragments
    f"JOIN influencer i ON i.id = it.influencer_id {_FIGURE_JOINS}"
    "WHERE it.shortlist_id = :id ORDER BY it.added_at, it.influencer_id"
)


def list_shortlists(page: int, page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Shortlists by name (case-insensitive), one page, and how many there are."""
    with get_engine().connect() as conn:
        found = rows(
            f"{_SHORTLIST} ORDER BY lower(l.name), l.id LIMIT :limit OFFSET :offset",  # noqa: S608
            {"limit": page_size, "offset": (page - 1) * page_size},
            conn,
        )
        total = one("SELECT count(*) AS n FROM shortlist", None, conn)
    return found, int(total["n"]) if total else 0


def missing_influencers(ids: list[int], conn: Connection | None = None) -> list[int]:
    """Those of `ids` that name no influencer, in the order given."""
    found = rows("SELECT id FROM influencer WHERE id = ANY(CAST(:ids AS bigint[]))", {"ids": list(ids)}, conn)
    known = {int(r["id"]) for r in found}
    return [i for i in ids if i not in known]


def create_shortlist(name: str, influencer_ids: list[int], key_id: int | None, email: str | None = None) -> int | None:
    """The new list's id, or None when the name is taken (the influencers must exist: the caller checks).
    Made by the API key `key_id` or, for a signed-in user, by `email`."""
    with get_engine().begin() as conn:
        created = one(
            f"INSERT INTO shortlist (name, created_by) VALUES (:name, {_WHO}) "  # noqa: S608
            "ON CONFLICT (name) DO NOTHING RETURNING id",
            {"name": name, "key_id": key_id, "email": email},
            conn,
        )
        if created is None:
            return None
        _add(conn, int(created["id"]), influencer_ids, None, key_id, email)
    return int(created["id"])


def _add(conn: Connection, shortlist_id: int, ids: list[int], note: str | None, key_id: int | None,
         email: str | None) -> None:
    # one by one in the order given, so added_at (the statement's clock) ties break by that order
    rows(
        f"INSERT INTO shortlist_item (shortlist_id, influencer_id, note, added_by, added_at) "  # noqa: S608
        f"SELECT :id, x.influencer_id, :note, {_WHO}, now() + x.n * interval '1 microsecond' "
        "FROM unnest(CAST(:ids AS bigint[])) WITH ORDINALITY AS x(influencer_id, n) "
        "ON CONFLICT (shortlist_id, influencer_id) DO NOTHING RETURNING influencer_id",
        {"id": shortlist_id, "ids": list(dict.fromkeys(ids)), "note": note or None, "key_id": key_id, "email": email},
        conn,
    )


def add_items(shortlist_id: int, ids: list[int], note: str | None, key_id: int | None,
              email: str | None = None) -> None:
    """Add influencers to a list (NotFound when the list does not exist); those already on it are kept."""
    with get_engine().begin() as conn:
        if one("SELECT id FROM shortlist WHERE id = :id FOR UPDATE", {"id": shortlist_id}, conn) is None:
            raise NotFound("shortlist", shortlist_id)
        _add(conn, shortlist_id, ids, note, key_id, email)


def get_shortlist(shortlist_id: int) -> dict[str, Any]:
    """The list and its creators with their figures; NotFound when it does not exist."""
    with get_engine().connect() as conn:
        found = one(f"{_SHORTLIST} WHERE l.id = :id", {"id": shortlist_id}, conn)  # noqa: S608
        if found is None:
            raise NotFound("shortlist", shortlist_id)
        found["items"] = rows(_ITEMS, {"id": shortlist_id}, conn)
    return found


def rename_shortlist(shortlist_id: int, name: str) -> bool:
    """False when another list has the name; NotFound when the list does not exist."""
    with get_engine().begin() as conn:
        if one("SELECT id FROM shortlist WHERE id = :id", {"id": shortlist_id}, conn) is None:
            raise NotFound("shortlist", shortlist_id)
        taken = one(
            "SELECT id FROM shortlist WHERE name = :name AND id <> :id",
            {"id": shortlist_id, "name": name},
            conn,
        )
        if taken is not None:
            return False
        rows(
            "UPDATE shortlist SET name = :name WHERE id = :id RETURNING id",
            {"id": shortlist_id, "name": name},
            conn,
        )
    return True


def delete_shortlist(shortlist_id: int) -> dict[str, Any]:
    """The deleted list (its size before); NotFound when it does not exist."""
    with get_engine().begin() as conn:
        found = one(f"{_SHORTLIST} WHERE l.id = :id", {"id": shortlist_id}, conn)  # noqa: S608
        if found is None:
            raise NotFound("shortlist", shortlist_id)
        rows("DELETE FROM shortlist WHERE id = :id RETURNING id", {"id": shortlist_id}, conn)
    return found


def annotate_item(shortlist_id: int, influencer_id: int, note: str | None) -> dict[str, Any]:
    """Set an item's note; NotFound when the influencer is not on the list."""
    with get_engine().begin() as conn:
        found = one(
            "UPDATE shortlist_item SET note = :note WHERE shortlist_id = :id AND influencer_id = :iid "
            "RETURNING shortlist_id, influencer_id, note, added_at, added_by",
            {"id": shortlist_id, "iid": influencer_id, "note": note or None},
            conn,
        )
    if found is None:
        raise NotFound("shortlist item", f"{shortlist_id}/{influencer_id}")
    return found


def remove_item(shortlist_id: int, influencer_id: int) -> None:
    """Take an influencer off a list; NotFound when it is not on it."""
    with get_engine().begin() as conn:
        gone = rows(
            "DELETE FROM shortlist_item WHERE shortlist_id = :id AND influencer_id = :iid "
            "RETURNING influencer_id",
            {"id": shortlist_id, "iid": influencer_id},
            conn,
        )
    if not gone:
        raise NotFound("shortlist item", f"{shortlist_id}/{influencer_id}")


def compare(ids: list[int]) -> list[dict[str, Any]]:
    """Figures, scores (predicted ER and cost with intervals), audience mix and 30-day trend of each of `ids`,
    in that order; NotFound naming the first id that is no influencer."""
    with get_engine().connect() as conn:
        found = {
            int(r["id"]): r
            for r in rows(
                f"SELECT {_FIGURES} FROM influencer i {_FIGURE_JOINS}WHERE i.id = ANY(CAST(:ids AS bigint[]))",  # noqa: S608
                {"ids": ids},
                conn,
            )
        }
        for iid in ids:
            if iid not in found:
                raise NotFound("influencer", iid)
        scores = rows(
            "SELECT influencer_id, content_type, predicted_er AS predicted_engagement_rate, "
            "er_low AS interval_low, er_high AS interval_high, cost_per_post, cost_low, cost_high "
            "FROM influencer_score WHERE influencer_id = ANY(CAST(:ids AS bigint[])) "
            "ORDER BY influencer_id, content_type",
            {"ids": ids},
            conn,
        )
        audience = rows(
            "SELECT influencer_id, dimension, bucket, share FROM audience_share "
            "WHERE influencer_id = ANY(CAST(:ids AS bigint[])) ORDER BY dimension, share DESC, bucket",
            {"ids": ids},
            conn,
        )
        for iid, item in found.items():
            item["scores"] = [s for s in scores if s["influencer_id"] == iid]
            item["audience"] = {d: [] for d in AUDIENCE_DIMENSIONS}
            for a in (a for a in audience if a["influencer_id"] == iid):
                item["audience"].setdefault(a["dimension"], []).append(
                    {"bucket": a["bucket"], "share": a["share"]}
                )
            item["trend"] = trend(iid, conn=conn)
    return [found[i] for i in ids]
