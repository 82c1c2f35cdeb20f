"""Fixtures for the security tests: the Chalice test client over the known API dataset, keys per role,
the OpenAPI document, and a fingerprint of every table (so "nothing changed" is exact)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from chalice.test import Client
from sqlalchemy.engine import Engine


@pytest.fixture()
def api(db: Engine) -> Iterator[dict[str, Any]]:
    from app import app
    from predictfluence.api.auth import create_key
    from tests.api.dataset import load

    load(db)
    keys = {role: create_key(role, f"security {role}")[0] for role in ("viewer", "manager", "admin")}
    with Client(app) as client:
        document = json.loads(client.http.get("/openapi.json").body)
        yield {"client": client, "db": db, "openapi": document, "app": app,
               "auth": {role: {"Authorization": f"Bearer {key}"} for role, key in keys.items()}}


def all_tables_fingerprint(engine: Engine) -> dict[str, tuple[int, str]]:
    """(row count, md5 of all rows ordered by their text) for every table of the warehouse model."""
    from predictfluence.models import Base

    out = {}
    with engine.connect() as conn:
        for table in sorted(Base.metadata.tables):
            # api_key.last_used_at moves on every authenticated request: compare what a write could change
            row = "(t.id, t.prefix, t.key_hash, t.role, t.name, t.revoked_at)::text" if table == "api_key" else "t::text"
            count, digest = conn.execute(sa.text(
                f'SELECT count(*), coalesce(md5(string_agg({row}, \'|\' ORDER BY {row})), \'\') FROM "{table}" t'
            )).one()
            out[table] = (int(count), str(digest))
    return out


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return sorted((method.upper(), path, op) for path, ops in document["paths"].items() for method, op in ops.items())


def concrete(path: str, value: str = "1") -> str:
    """The path with every path parameter ({campaign_id}, {shortlist_id}, …) set to `value`; an {email}
    (PATCH /users/{email}) to an address of that shape, so that the body is what a test reaches."""
    path = path.replace("{email}", "someone%40example.com") if value == "1" else path
    return re.sub(r"\{[a-z_]+\}", value, path)


# query parameters an operation requires before it reads its body (a valid value of each)
REQUIRED_QUERY = {"/imports/mappings": "signature=" + "0" * 64}
