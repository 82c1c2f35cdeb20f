"""Failures the query layer raises for the API to map (no imports: the API's router loads this early)."""

from __future__ import annotations

from typing import Any


class NotFound(LookupError):
    """The `resource` with id `ident` does not exist (the API answers 404, `predictfluence.api.routing`)."""

    def __init__(self, resource: str, ident: Any) -> None:
        super().__init__(f"{resource} {ident} not found")
        self.resource = resource
        self.ident = ident
