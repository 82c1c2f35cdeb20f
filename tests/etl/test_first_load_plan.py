"""A first load into an empty table must not rescan that table once per staged row (issue 16.8 / 16.6).

The kinds' upsert (`etl_jobs.staging.upsert`) inserts the staged rows no table row has yet (`NOT EXISTS`). Into a
table the statistics call empty, the planner's cheapest anti-join was a nested loop that scans the table for every
staged row — and the statement's own inserts made every scan longer: the 1M-influencer bench's 13M audience rows
had not loaded after 30 minutes, 100,000 rows took 62.1 s (2.7 s with the fix). The new rows are now sorted (file order)
before the first is inserted, so no scan of the table runs while it grows."""

from __future__ import annotations

import json

import sqlalchemy as sa

TARGET = "audience_share"


def _rescans_target(node: dict) -> bool:
    """A Seq Scan of TARGET on the inner side of a Nested Loop that feeds the insert row by row."""
    if node["Node Type"] in ("Sort", "Hash", "Materialize"):  # their input is read whole before rows leave them
        return False
    if node["Node Type"] == "Nested Loop" and _scans_target(node["Plans"][1]):
        return True
    return any(_rescans_target(child) for child in node.get("Plans", []))


def _scans_target(node: dict) -> bool:
    if node["Node Type"] in ("Sort", "Hash", "Materialize"):
        return False
    if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == TARGET:
        return True
    return any(_scans_target(child) for child in node.get("Plans", []))


def test_the_first_load_into_an_empty_table_does_not_rescan_it_per_row(db, load, write_csv):
    handles = [f"h{i}" for i in range(40)]
    assert load(write_csv("i.csv", "platform,handle\n" + "".join(f"instagram,{h}\n" for h in handles),
                          "influencers")).rows_rejected == 0  # fmt: skip
    vacuum = sa.create_engine(db.url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with vacuum.connect() as conn:  # statistics that say "empty", as after the migrations or a TRUNCATE
        conn.execute(sa.text(f"VACUUM ANALYZE {TARGET}"))
    vacuum.dispose()
    plans: list[dict] = []

    def explain(conn, cursor, statement, params, context, executemany):
        if statement.startswith(f"INSERT INTO {TARGET} "):
            cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", params or ())
            (plan,) = cursor.fetchone()
            plans.append((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])

    shares = "platform,handle,dimension,bucket,share\n" + "".join(
        f"instagram,{h},gender,{b},{s}\n" for h in handles for b, s in (("female", "0.7"), ("male", "0.3"))
    )
    sa.event.listen(db, "before_cursor_execute", explain)
    try:
        outcome = load(write_csv("a.csv", shares, "audience"), kind="audience")
    finally:
        sa.event.remove(db, "before_cursor_execute", explain)
    assert outcome.status == "loaded" and outcome.rows_loaded == 80, outcome
    assert plans, "the upsert's INSERT was not seen"
    for plan in plans:
        assert not _rescans_target(plan), json.dumps(plan, indent=1)
