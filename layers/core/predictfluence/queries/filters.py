"""The optional-WHERE builder every list query uses, and the page a list asks for.

    where = Where()
    where.optional("c.status = :status", status=filters.status)      # skipped when the value is None
    where.contains("q", filters.q, "c.name", "c.brand")               # ILIKE, wildcards escaped
    rows(f"SELECT … FROM campaign c {where.sql()}", where.params)

Conditions are fixed SQL fragments written in the query modules; values are always bound parameters.
"""

from __future__ import annotations

from typing import Any, Protocol

from predictfluence.queries.common import one, rows


class Page(Protocol):
    """A page of a list (the API's PageQuery has these)."""

    page: int
    page_size: int


def page_params(page: Page) -> dict[str, Any]:
    """LIMIT / OFFSET parameters (`:limit`, `:offset`) of a 1-based page."""
    return {"limit": page.page_size, "offset": (page.page - 1) * page.page_size}


def page_of(columns: str, source: str, where: Where, page: Page, order_sql: str) -> tuple[list[dict[str, Any]], int]:
    """One page of `SELECT columns FROM source` under `where`, in `order_sql`, and the total `where` matches.
    `columns`, `source` and `order_sql` are fixed SQL of the calling query module; values are bound."""
    where_sql = where.sql()
    params = {**where.params, **page_params(page)}
    total = int(one(f"SELECT count(*) AS n FROM {source} {where_sql}", params)["n"])  # type: ignore[index]  # noqa: S608
    found = rows(f"SELECT {columns} FROM {source} {where_sql} {order_sql} LIMIT :limit OFFSET :offset", params)  # noqa: S608
    return found, total


def like_pattern(text: str) -> str:
    """An ILIKE pattern (with `ESCAPE '\\'`) that matches `text` literally anywhere in the value."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Where:
    """Conditions ANDed together, with their bound parameters."""

    def __init__(self, *conditions: str, **params: Any) -> None:
        self.conditions: list[str] = list(conditions)
        self.params: dict[str, Any] = dict(params)

    def __bool__(self) -> bool:
        return bool(self.conditions)

    def add(self, condition: str, **params: Any) -> Where:
        """AND `condition`, binding `params`."""
        self.conditions.append(condition)
        self.params.update(params)
        return self

    def optional(self, condition: str, **param: Any) -> Where:
        """AND `condition`, which binds the one parameter given, unless its value is None (not asked for)."""
        ((name, value),) = param.items()
        if value is not None:
            self.add(condition, **{name: value})
        return self

    def contains(self, name: str, text: str | None, *columns: str) -> Where:
        """AND "any of `columns` contains `text`" (case-insensitive, literal), unless text is None."""
        if text is not None:
            matches = " OR ".join(f"{column} ILIKE :{name} ESCAPE '\\'" for column in columns)
            self.add(f"({matches})", **{name: like_pattern(text)})
        return self

    def sql(self, *extra: str) -> str:
        """`WHERE a AND b …` with `extra` fixed conditions ANDed last; '' when there is no condition."""
        conditions = [*self.conditions, *extra]
        return ("WHERE " + " AND ".join(conditions)) if conditions else ""

    def any_of(self, column: str, values: list[str] | None) -> Where:
        """AND "lower(`column`) is one of `values`" (case-insensitive), unless values is None."""
        if values is not None:
            self.add(f"lower({column}) = ANY(:{column})", **{column: [v.lower() for v in values]})
        return self
