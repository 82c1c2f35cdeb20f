"""The `influencers` kind → `influencer` (key: platform + handle).

Platform is lower-cased; the handle follows the rule of every kind (case-folded, a leading `@` dropped, a
profile URL reduced: etl_jobs.type_checks.normalise_handles). Empty optional cells
keep the stored value; a column missing from the file leaves it untouched.

Country and category are normalised (etl_jobs.normalise): a country to ISO 3166-1 alpha-2, a category
onto predictfluence.vocab.CATEGORIES. The file's text, when it differs, is written to `country_source`
/ `category_source`; a country no name or code matches is stored empty with a note naming it. Each
distinct value is normalised once in Python and applied to the staged rows set-based.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Connection

from etl_jobs import normalise as norm
from etl_jobs.staging import HeaderMap, StagedLoader, Target, upsert

MAX_NAMED = 10  # unrecognised countries named in the note


def remap(
    conn: Connection,
    table: str,
    column: str,
    fn: Callable[[str], str | None],
    where: str = "TRUE",
    source: str | None = None,
) -> list[str]:
    """Replace each distinct non-empty `column` value of temp table `table` (rows matching `where`, SQL
    over `t`) by fn(value); with `source`, write the original text there when it says more than case or spacing
    (normalise.differs). Returns the
    values fn mapped to None (sorted)."""
    raws = [
        r[0]
        for r in conn.exec_driver_sql(
            f"SELECT DISTINCT t.{column} FROM {table} t WHERE t.{column} IS NOT NULL AND {where}"  # noqa: S608 - identifiers from the loader; cell values are bound parameters
        )
    ]
    changed = [(raw, fn(raw)) for raw in raws]
    changed = [(raw, new) for raw, new in changed if new != raw]
    if not changed:
        return []
    keep_source = f", {source} = m.src" if source else ""
    conn.exec_driver_sql(
        f"UPDATE {table} t SET {column} = m.new{keep_source} "  # noqa: S608 - identifiers from the loader; cell values are bound parameters
        "FROM unnest(%s::text[], %s::text[], %s::text[]) AS m(raw, new, src) "
        f"WHERE t.{column} = m.raw AND {where}",
        (
            [raw for raw, _ in changed],
            [new for _, new in changed],
            [raw if norm.differs(raw, new) else None for raw, new in changed],
        ),
    )
    return sorted(raw for raw, new in changed if new is None)


class InfluencersLoader(StagedLoader):
    kind = "influencers"
    duplicate_label = "influencer"

    def upsert(self, conn: Connection, hmap: HeaderMap) -> None:
        conn.exec_driver_sql(
            "ALTER TABLE pf_ok ADD COLUMN country_source text, ADD COLUMN category_source text"
        )
        unknown = remap(conn, "pf_ok", "country", norm.country, source="country_source")
        remap(conn, "pf_ok", "category", norm.category, source="category_source")
        if unknown:
            named = ", ".join(repr(v) for v in unknown[:MAX_NAMED])
            more = f" and {len(unknown) - MAX_NAMED} more" if len(unknown) > MAX_NAMED else ""
            hmap.notes.append(
                f"column 'country': {len(unknown)} value(s) name no country ({named}{more}): "
                "stored empty, the text kept in country_source"
            )
        targets = [
            Target(c, f"o.{c}", file_column=c)
            for c in ("name", "category", "country", "language", "followers")
        ]
        targets += [
            Target(f"{c}_source", f"o.{c}_source", keep=False, file_column=c) for c in ("category", "country")
        ]
        upsert(
            conn,
            "influencer",
            ("platform", "handle"),
            ("o.platform", "o.handle"),
            targets,
            hmap,
            touch="updated_at",
        )


loader = InfluencersLoader()
