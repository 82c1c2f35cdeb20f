"""An API request's statements run without JIT compilation (predictfluence.db.answering_requests, set by the
read-routing middleware): a plan above jit_above_cost compiled before it ran — inside a text search (sequential
scans off) 4 ms for the rollup version's one-row read at 1M influencers. Outside a request (ETL, scoring, CLI) a
connection of the same pool has the server's setting."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

JIT = "SELECT current_setting('jit') AS jit, (SELECT reset_val FROM pg_settings WHERE name = 'jit') AS server"


@pytest.mark.parametrize("path", ["/influencers?q=tech&page_size=5", "/influencers?min_er=0.01", "/campaigns",
                                  "/analytics/kpis"])
def test_every_statement_of_a_request_runs_without_jit(client, auth, api_db, monkeypatch, path):
    from predictfluence.queries import common

    seen: list[str] = []
    real_rows = common.rows

    def watched(sql, params=None, conn=None):
        if conn is not None:
            seen.append(conn.execute(sa.text(JIT)).mappings().one()["jit"])
        else:  # a statement on its own connection: ask on one the pool hands out now
            with api_db.connect() as own:
                seen.append(own.execute(sa.text(JIT)).mappings().one()["jit"])
        return real_rows(sql, params, conn)

    monkeypatch.setattr(common, "rows", watched)
    for module in ("influencers", "influencer_search", "campaigns", "analytics"):
        target = __import__(f"predictfluence.queries.{module}", fromlist=["rows"])
        if getattr(target, "rows", None) is real_rows:
            monkeypatch.setattr(target, "rows", watched)
    response = client.http.get(path, headers=auth["viewer"])
    assert response.status_code == 200, response.body
    assert seen and set(seen) == {"off"}, seen


def test_outside_a_request_the_server_setting_is_back(client, auth, api_db):
    """The same pooled connection, handed out again outside a request, has the server's setting."""
    from predictfluence.db import answering_requests

    with answering_requests(), api_db.connect() as conn:
        assert conn.execute(sa.text(JIT)).mappings().one()["jit"] == "off"
    assert client.http.get("/campaigns", headers=auth["viewer"]).status_code == 200
    for _ in range(3):  # every connection the pool holds
        with api_db.connect() as conn:
            found = conn.execute(sa.text(JIT)).mappings().one()
            assert found["jit"] == found["server"], found
