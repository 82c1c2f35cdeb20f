"""/influencers at scale (issue 16.5): every sort × direction walks an index, a filtered list's count stops at
COUNT_CAP (total_exact false past it), and pages and totals equal a reference computed in Python from every
row, for text searches, hide_flagged and combined discovery filters, every sort, both orders, several pages."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

FIRST = ("anna", "hannah", "joanne", "mia", "liam", "omar", "priya", "diego", "yuki", "zoe")
CATEGORIES = ("beauty", "fitness", "tech", "food")
SORT_KEYS = {
    "followers": "followers", "avg_er": "avg_engagement_rate", "avg_likes": "avg_likes",
    "avg_views": "avg_views", "avg_comments": "avg_comments", "name": "name_key",
}


@pytest.fixture
def world(api_db):
    """240 influencers with snapshot figures (some missing), repeated values (ties), every 7th flagged."""
    from predictfluence.queries.rollups import refresh

    with api_db.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO influencer (id, platform, handle, name, category, country, language, followers) "
            "SELECT g, (ARRAY['instagram','tiktok','youtube'])[1 + mod(g, 3)], 'h' || lpad(g::text, 3, '0'), "
            "CASE WHEN mod(g, 11) = 0 THEN NULL ELSE (CAST(:first AS text[]))[1 + mod(g, 10)] || lpad(mod(g, 37)::text, 2, '0') END, "
            "(CAST(:cats AS text[]))[1 + mod(g, 4)], 'US', 'en', 1000 + mod(g * 7919, 5000) FROM generate_series(1, 240) g"
        ), {"first": list(FIRST), "cats": list(CATEGORIES)})
        conn.execute(sa.text(
            "INSERT INTO influencer_snapshot (influencer_id, as_of, source, followers, posts, avg_likes, avg_views, "
            "engagement_rate, extra) SELECT g, CURRENT_DATE - 1, 'test', 1000 + mod(g * 7919, 5000), 10, "
            "CASE WHEN mod(g, 5) = 0 THEN NULL ELSE mod(g * 13, 50) END, CASE WHEN mod(g, 4) = 0 THEN NULL ELSE mod(g * 17, 90) END, "
            "CASE WHEN mod(g, 6) = 0 THEN NULL ELSE (mod(g * 31, 40)) / 1000.0 END, "
            "jsonb_build_object('avg_comments', mod(g * 3, 20)) FROM generate_series(1, 240) g"
        ))
        model = conn.execute(sa.text(
            "INSERT INTO model_version (kind, version, status, artifact_uri, sha256) "
            "VALUES ('engagement', 't', 'champion', 'file:///t', 'x') RETURNING id")).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO influencer_score (influencer_id, content_type, model_version_id, predicted_er, anomaly_reasons) "
            "SELECT g, 'image', :m, 0.02, CASE WHEN mod(g, 7) = 0 THEN '[\"spike\"]'::jsonb ELSE '[]'::jsonb END "
            "FROM generate_series(1, 240) g"
        ), {"m": model})
        conn.execute(sa.text(
            "INSERT INTO audience_share (influencer_id, dimension, bucket, share) "
            "SELECT g, 'gender', 'female', (mod(g * 37, 100)) / 100.0 FROM generate_series(1, 240) g"
        ))
    refresh(api_db, concurrently=False)
    with api_db.connect() as conn:
        found = conn.execute(sa.text(
            "SELECT influencer_id AS id, handle, name, category, platform, followers, avg_engagement_rate, avg_likes, "
            "avg_views, avg_comments, lower(coalesce(name, handle)) AS name_key FROM influencer_stats"
        )).mappings().all()
    return [dict(r) for r in found]


def _reference(rows, *, q=None, hide_flagged=False, platforms=None, min_er=None, female=None, sort, order):
    def keep(r):
        texts = [t.lower() for t in (r["handle"], r["name"], r["category"]) if t is not None]
        return ((q is None or any(q.lower() in t for t in texts)) and (not hide_flagged or r["id"] % 7 != 0)
                and (platforms is None or r["platform"] in platforms)
                and (min_er is None or (r["avg_engagement_rate"] is not None and r["avg_engagement_rate"] >= min_er))
                and (female is None or (r["id"] * 37) % 100 / 100.0 >= female))

    column = SORT_KEYS[sort]
    found = [r for r in rows if keep(r)]
    known = sorted((r for r in found if r[column] is not None), key=lambda r: r["id"])
    known.sort(key=lambda r: r[column], reverse=order == "desc")  # stable: ties keep ids ascending
    return [r["id"] for r in known] + sorted(r["id"] for r in found if r[column] is None)


CASES = [
    ({"q": "ann"}, "q=ann"),
    ({"q": "tech"}, "q=tech"),
    ({"q": "h01"}, "q=h01"),
    ({"hide_flagged": True}, "hide_flagged=true"),
    ({"platforms": {"instagram", "youtube"}, "min_er": 0.01, "female": 0.3, "hide_flagged": True},
     "platform=instagram,youtube&min_er=0.01&audience_gender=female&min_audience_gender_share=0.3&hide_flagged=true"),
]


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_pages_and_totals_equal_the_reference_with_a_capped_count(client, auth, world, monkeypatch, sort, order):
    from predictfluence.queries import influencers

    monkeypatch.setattr(influencers, "COUNT_CAP", 40)
    for filters, query in CASES:
        expected = _reference(world, sort=sort, order=order, **filters)
        for page in (1, 2, 4, 30):  # 30: past the last page (the total still counted)
            response = client.http.get(f"/influencers?{query}&sort={sort}&order={order}&page={page}&page_size=15",
                                       headers=auth["viewer"])
            assert response.status_code == 200, response.body
            body = response.json_body
            assert [i["id"] for i in body["items"]] == expected[(page - 1) * 15: page * 15], (query, page)
            capped = len(expected) > 40
            assert body["page_info"]["total"] == (40 if capped else len(expected)), query
            assert body["page_info"]["total_exact"] is not capped, query


def test_the_unfiltered_total_stays_exact_past_the_cap(client, auth, world, monkeypatch):
    from predictfluence.queries import influencers

    monkeypatch.setattr(influencers, "COUNT_CAP", 40)
    info = client.http.get("/influencers?page_size=10", headers=auth["viewer"]).json_body["page_info"]
    assert info == {"total": 240, "page": 1, "page_size": 10, "pages": 24, "total_exact": True}


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_every_sort_and_direction_walks_an_index(api_db, sort, order):
    """At 1M influencers a direction without a matching index sorted every row (hide_flagged&sort=name&
    order=desc: 2.0 s p95). Sorts disabled, a direction without its index still shows a Sort node."""
    from predictfluence.queries.common import order_clause
    from predictfluence.queries.influencer_pages import ITEM_COLUMNS
    from predictfluence.queries.influencers import FLAGGED, SORTS

    def nodes(node: dict) -> list[str]:
        return [node["Node Type"]] + [n for child in node.get("Plans", []) for n in nodes(child)]

    sql = (f"SELECT {ITEM_COLUMNS} FROM influencer_stats WHERE NOT {FLAGGED} "  # noqa: S608 - the query under test
           f"{order_clause(SORTS[sort], order, 'influencer_id')} LIMIT 50 OFFSET 950")
    with api_db.connect() as conn:
        conn.execute(sa.text("SET enable_sort = off"))
        plan = conn.execute(sa.text(f"EXPLAIN (FORMAT JSON) {sql}")).scalar_one()  # noqa: S608
    plan = plan if isinstance(plan, list) else json.loads(plan)
    found = nodes(plan[0]["Plan"])
    assert "Sort" not in found and "Incremental Sort" not in found, found
    assert "Index Scan" in found or "Index Only Scan" in found, found


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_page_past_the_walk_budget_sorts_every_match(client, auth, world, monkeypatch, sort, order):
    """Issue 16.5: a filtered page the sort index's first WALK_BUDGET rows do not fill (a sparse filter's deep
    page: 2.1 s at 1M walking ~950k rows) sorts every match instead; pages equal the reference either way,
    and a tier's walk (every influencer here is nano) starts at the followers the tier implies."""
    from predictfluence.queries import influencers

    monkeypatch.setattr(influencers, "COUNT_CAP", 40)
    monkeypatch.setattr(influencers, "WALK_BUDGET", 30)
    cases = [*CASES, ({}, "tier=nano"), ({"platforms": {"tiktok"}}, "platform=tiktok&tier=nano")]
    _assert_pages_equal_the_reference(client, auth, world, cases, sort, order)


def _assert_pages_equal_the_reference(client, auth, world, cases, sort: str, order: str) -> None:
    """Pages 1, 3, 5 and 30 (past the end) of 12 of each (filters, query) case equal the Python reference."""
    for filters, query in cases:
        expected = _reference(world, sort=sort, order=order, **filters)
        for page in (1, 3, 5, 30):
            response = client.http.get(f"/influencers?{query}&sort={sort}&order={order}&page={page}&page_size=12",
                                       headers=auth["viewer"])
            assert response.status_code == 200, response.body
            assert [i["id"] for i in response.json_body["items"]] == expected[(page - 1) * 12: page * 12], (query, page)


def _recorded_statements(influencers, monkeypatch) -> list[tuple[str, dict]]:
    """The (SQL, parameters) of every page statement `influencers` runs from now on, in order."""
    statements: list[tuple[str, dict]] = []
    real_rows = influencers.rows
    monkeypatch.setattr(influencers, "rows", lambda sql, params, conn: statements.append((sql, params)) or real_rows(sql, params, conn))
    return statements


@pytest.mark.parametrize("q", [None, "ann"])
@pytest.mark.parametrize(("sort", "order"), [("avg_er", "desc"), ("name", "asc"), ("followers", "asc"), ("avg_likes", "asc")])
def test_a_filtered_walk_reads_the_sort_index_alone(api_db, world, monkeypatch, sort, order, q):
    """Issue 16.5: at 1M a 20,000-row walk read a random heap page of the 391 MB rollup per row (75-280 ms).
    The sort indexes cover the filtered columns (migration a4d7c2e9f1b3): the walk is an index-only scan, and the
    rollup's heap is read for the page's rows alone (by id). Fails when the walk reads whole rows."""
    from predictfluence.api.schemas.influencers import InfluencerListQuery
    from predictfluence.queries import influencers

    def nodes(node: dict) -> list[tuple[str, str]]:
        here = [(node["Node Type"], node.get("Index Name", ""))] if node.get("Relation Name") == "influencer_stats" else []
        return here + [n for child in node.get("Plans", []) for n in nodes(child)]

    vacuum = sa.create_engine(api_db.url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with vacuum.connect() as conn:  # the visibility map autovacuum keeps (a fresh connection: pg8000's pooled
        conn.execute(sa.text("VACUUM ANALYZE influencer_stats"))  # ones sit in a transaction)
    vacuum.dispose()
    statements = _recorded_statements(influencers, monkeypatch)
    monkeypatch.setattr(influencers, "COUNT_CAP", 5)  # past the cap: the page is walked
    query = InfluencerListQuery(platform="instagram,tiktok", min_er=0.005, hide_flagged=True, sort=sort, order=order,
                                q=q)  # fmt: skip
    found, _, exact = influencers.list_page(query)
    expected = _reference(world, platforms={"instagram", "tiktok"}, min_er=0.005, hide_flagged=True, sort=sort,
                          order=order, q=q)  # fmt: skip
    assert [r["id"] for r in found] == expected[:50] and (not exact or q)
    # the walk (a text search too few of these rows match sorts its matches after: not a walk)
    walk, params = next((sql, p) for sql, p in statements if sql.startswith("WITH p AS MATERIALIZED (SELECT influencer_id, pf_k FROM (SELECT *"))
    with api_db.connect() as conn:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            conn.execute(sa.text(f"SET {setting} = off"))  # the plan of 1M rows on a small table
        plan = conn.execute(sa.text(f"EXPLAIN (FORMAT JSON) {walk}"), params).scalar_one()  # noqa: S608
    scans = nodes((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
    assert ("Index Scan", "uq_influencer_stats_influencer") in scans, scans  # the page's rows, by id
    walked = [s for s in scans if s[1] != "uq_influencer_stats_influencer"]
    assert walked and all(kind == "Index Only Scan" and name.startswith("ix_influencer_stats_") for kind, name in walked), scans


@pytest.mark.parametrize(("sort", "order"), [("followers", "desc"), ("name", "asc"), ("avg_er", "asc")])
def test_a_failed_walk_sorts_only_the_matches_up_to_the_first_scans_page(api_db, world, monkeypatch, sort, order):
    """Issue 16.5: past COUNT_CAP and a walk that fills no page, every match was fetched and sorted again (1M
    discovery filters: 6,300-72,000 matches, 0.3-1.0 s) although the capped first scan had found a page of
    them. The page of all matches lies within the sort key where that page ended: the statement that sorts the
    matches reads only those (bound :pf_bound), and the page still equals the reference. The next pages (the
    total known: no first scan) take their bounds from the first scan's too."""
    from predictfluence.api.schemas.influencers import InfluencerListQuery
    from predictfluence.queries import influencers

    def counts(node: dict) -> list[int]:
        here = [node["Actual Rows"]] if node.get("Subplan Name") == "CTE m" else []
        return here + [n for child in node.get("Plans", []) for n in counts(child)]

    monkeypatch.setattr(influencers, "COUNT_CAP", 40)
    monkeypatch.setattr(influencers, "WALK_BUDGET", 5)
    statements = _recorded_statements(influencers, monkeypatch)
    expected = _reference(world, female=0.3, hide_flagged=True, sort=sort, order=order)
    for page in (1, 2, 3):
        query = InfluencerListQuery(audience_gender="female", min_audience_gender_share=0.3, hide_flagged=True,
                                    sort=sort, order=order, page=page, page_size=10)  # fmt: skip
        statements.clear()
        found, _, exact = influencers.list_page(query)
        assert [r["id"] for r in found] == expected[(page - 1) * 10: page * 10] and not exact, page
        assert len(expected) > 100 and len(statements) == (3 if page == 1 else 2), statements
        sql, params = statements[-1]
        assert ":pf_bound" in sql and params["pf_bound"] is not None
        with api_db.connect() as conn:
            plan = conn.execute(sa.text(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}"), params).scalar_one()  # noqa: S608
        (matches,) = counts((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
        # the sample is 41 of the 145 matches: its page ends ~(page × 10 / 41) into them
        assert page * 10 <= matches < len(expected) / (2 if page == 1 else 1), (page, matches, len(expected))


def test_the_unfiltered_total_is_the_portfolio_rollups_count(api_db, world):
    """Every load bumps the rollup version, and the next unfiltered page counted every rollup row again (1M: 90 ms);
    the portfolio rollup keeps that count in the same apply. Fails when the total is counted."""
    from predictfluence.db import get_engine
    from predictfluence.queries import influencers

    seen: list[str] = []
    listen = lambda conn, cursor, statement, *args: seen.append(statement)  # noqa: E731
    sa.event.listen(get_engine(), "before_cursor_execute", listen)
    try:
        influencers._totals.clear()
        found, total, exact = influencers.list_page()
    finally:
        sa.event.remove(get_engine(), "before_cursor_execute", listen)
    assert (total, exact, len(found)) == (len(world), True, 50)
    assert not [s for s in seen if "count(*)" in s and "influencer_stats" in s], seen
    with api_db.begin() as conn:  # no portfolio row (a TRUNCATE, before the first apply): counted
        conn.execute(sa.text("DELETE FROM portfolio_stats"))
    influencers._totals.clear()
    assert influencers.list_page()[1:] == (len(world), True)


def test_an_er_range_with_an_audience_filter_reads_the_narrow_er_index(api_db, world, monkeypatch):
    """The covering ER sort indexes are four times wider than the key: the discovery filters' few-matches count
    (min_er with an audience share: the rows are read anyway) took a sequential scan of the rollup instead of the
    ER range's bitmap (100k: 17.6 -> 37 ms). A narrow (avg_engagement_rate) index answers the range."""
    from predictfluence.api.schemas.influencers import InfluencerListQuery
    from predictfluence.queries import influencers

    statements = _recorded_statements(influencers, monkeypatch)
    query = InfluencerListQuery(min_er=0.035, audience_gender="female", min_audience_gender_share=0.3, sort="followers")
    found, total, _ = influencers.list_page(query)
    assert total == len(_reference(world, min_er=0.035, female=0.3, sort="followers", order="desc"))
    sql, params = statements[0]
    with api_db.connect() as conn:
        conn.execute(sa.text("SET enable_seqscan = off"))
        plan = json.dumps(conn.execute(sa.text(f"EXPLAIN (FORMAT JSON) {sql}"), params).scalar_one())  # noqa: S608
    assert "ix_influencer_stats_er_range" in plan, plan


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_text_search_past_its_walk_sorts_the_trigram_matches(api_db, world, monkeypatch, order):
    """A text search whose walk filled no page sorts its matches within the first scan's bound. Left to choose,
    the planner walked the name index up to that bound, ILIKE on every entry: where the matches cluster in the
    sort order that range was 350,000 entries at 1M (q=ann by name: 496 ms, against 175 ms for the bitmap of
    the 29,411 trigram matches). The statement runs in list_page's own transaction, so its plan is explained
    there. Fails when the sort index serves the matches."""
    from predictfluence.api.schemas.influencers import InfluencerListQuery
    from predictfluence.queries import influencers

    def scans(node: dict) -> list[tuple[str, str]]:
        here = [(node["Node Type"], node.get("Index Name", ""))] if "Index Name" in node or "Relation Name" in node else []
        return here + [n for child in node.get("Plans", []) for n in scans(child)]

    with api_db.connect() as conn:
        if conn.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first() is None:
            pytest.skip("no pg_trgm on this server: no trigram index (migration b9e4c7a2d5f8)")
    plans: list[list[tuple[str, str]]] = []
    real_rows = influencers.rows

    def explained(sql, params, conn):
        plan = conn.execute(sa.text(f"EXPLAIN (FORMAT JSON) {sql}"), params).scalar_one()  # noqa: S608
        plans.append(scans((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]))
        return real_rows(sql, params, conn)

    monkeypatch.setattr(influencers, "COUNT_CAP", 5)
    monkeypatch.setattr(influencers, "WALK_BUDGET", 1)
    monkeypatch.setattr(influencers, "rows", explained)
    query = InfluencerListQuery(q="ann", sort="name", order=order, page_size=10)
    found, _, exact = influencers.list_page(query)
    assert [r["id"] for r in found] == _reference(world, q="ann", sort="name", order=order)[:10] and not exact
    sorted_matches = plans[-1]
    assert any(kind == "Bitmap Index Scan" and name.endswith("_trgm") for kind, name in sorted_matches), plans
    assert not [s for s in sorted_matches if s[0] in ("Index Only Scan", "Seq Scan")], sorted_matches


@pytest.mark.parametrize(("walk_cap", "margin"), [(150, 1), (170, 1), (200, 1), (200, 2), (100_000, 2)])
@pytest.mark.parametrize("sort", ["followers", "avg_views", "name"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_dense_search_counts_along_the_sort_index(world, monkeypatch, walk_cap, margin, sort, order):
    """Issue 16.5: a text search's first scan fetched up to COUNT_CAP + 1 matches through the trigram index, a
    rollup heap page each (35-100 ms at 1M). A term dense in the sort order takes the first of them along the sort
    index (index-only), in order: the page, the capped total and the pages' bounds, in two statements (a sample of
    SAMPLE entries, the walk of at most WALK_CAP). Whether the walk reaches the cap or not (the sample says 150
    entries cannot, nor 200 with a margin of 2; 170 and 200 reach it in some orders), pages and totals equal the
    reference."""
    from predictfluence.api.schemas.influencers import InfluencerListQuery
    from predictfluence.queries import influencer_search, influencers

    def scans(node: dict) -> list[tuple[str, str]]:
        here = [(node["Node Type"], node["Index Name"])] if "Index Name" in node else []
        return here + [n for child in node.get("Plans", []) for n in scans(child)]

    plans: list[tuple[str, list[tuple[str, str]]]] = []
    real_rows = influencers.rows

    def explained(sql, params, conn):
        plan = conn.execute(sa.text(f"EXPLAIN (FORMAT JSON) {sql}"), params).scalar_one()  # noqa: S608
        plans.append((sql, scans((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])))
        return real_rows(sql, params, conn)

    monkeypatch.setattr(influencers, "COUNT_CAP", 40)
    monkeypatch.setattr(influencer_search, "SAMPLE", 240)
    monkeypatch.setattr(influencer_search, "WALK_CAP", walk_cap)
    monkeypatch.setattr(influencer_search, "MARGIN", margin)
    monkeypatch.setattr(influencer_search, "rows", explained)
    monkeypatch.setattr(influencers, "rows", explained)
    expected = _reference(world, q="tech", sort=sort, order=order)  # 60 of the 240
    walked = set(_reference(world, sort=sort, order=order)[:walk_cap])
    reaches = 60 * walk_cap >= margin * 41 * 240 and len(walked.intersection(expected)) >= 41  # the sample; the walk
    index = {"followers": "followers", "avg_views": "views", "name": "name"}[sort]
    index += {("name", "desc"): "_desc", ("followers", "asc"): "_asc", ("avg_views", "asc"): "_asc"}.get((sort, order), "")
    for page in (1, 2, 3, 5):
        influencers._totals.clear(), influencers._bounds.clear(), plans.clear()
        query = InfluencerListQuery(q="tech", sort=sort, order=order, page=page, page_size=13)
        found, total, exact = influencers.list_page(query)
        assert [r["id"] for r in found] == expected[(page - 1) * 13: page * 13] and (total, exact) == (40, False)
        if reaches and page * 13 <= 41:  # the 41st match within the walk, the page within them: two statements
            assert [f"LIMIT {walk_cap})" in sql for sql, _ in plans] == [False, True], [sql for sql, _ in plans]
            read = [scan for _, plan in plans for scan in plan]
            assert ("Index Only Scan", f"ix_influencer_stats_{index}") in read, read
            assert not any(name.endswith("_trgm") for _, name in read), read


@pytest.mark.parametrize("walked", [0, 240])
@pytest.mark.parametrize(("sort", "order"), [("avg_er", "desc"), ("name", "asc")])
def test_the_first_scans_bounds_come_on_the_pages_first_row_alone(api_db, world, walked, sort, order):
    """A first scan that reaches the cap returns the pages' bounds (one sort key per page of its matches): pg8000
    parses an array in Python, and the ~5,000 keys a page's rows all carried (cap / page size on each of the page
    size rows) cost 20-25 ms per request at 1M (docs/benchmarks.md, "The first scan's bounds on one row"). The page's
    first row carries them, the other rows NULL; along the sort index (`walked`) they are the reference's keys."""
    from predictfluence.queries.common import rows
    from predictfluence.queries.influencer_pages import PageSql
    from predictfluence.queries.influencers import SORTS

    by_id = {r["id"]: r for r in world}
    with api_db.connect() as conn:
        found = rows(PageSql(SORTS[sort], order).of_matches("WHERE category = 'tech'", 41, counted=True, walked=walked),
                     {"limit": 10, "offset": 10}, conn)
    assert len(found) == 10 and {r["pf_total"] for r in found} == {41}
    assert [r["pf_bounds"] is None for r in found] == [False] + [True] * 9
    if walked:  # the first 41 matches in the sort order: the keys of the 10th, 20th, 30th and 40th
        expected = _reference(world, q="tech", sort=sort, order=order)[:41]
        assert found[0]["pf_bounds"] == [by_id[i][SORT_KEYS[sort]] for i in expected[9:40:10]]
    else:  # any 41 of them, in no order: four keys in the page order (NULLS LAST)
        keys = found[0]["pf_bounds"]
        known = [k for k in keys if k is not None]
        assert len(keys) == 4 and keys == sorted(known, reverse=order == "desc") + [None] * (4 - len(known))


def test_a_sparse_search_does_not_walk(world, monkeypatch):
    """A term whose sample along the sort index holds too few matches to reach the cap within WALK_CAP entries is
    counted by the trigram scan (no walk of WALK_CAP entries first); a rollup the sample covered whole, with fewer
    matches than the cap, too."""
    from predictfluence.api.schemas.influencers import InfluencerListQuery
    from predictfluence.queries import influencer_search, influencers

    statements: list[str] = []
    real_rows = influencer_search.rows
    monkeypatch.setattr(influencers, "COUNT_CAP", 40)
    monkeypatch.setattr(influencer_search, "rows", lambda sql, p, c: statements.append(sql) or real_rows(sql, p, c))
    for term, sample, walk_cap in (("tech", 20, 100), ("h01", 4_000, 100_000)):
        monkeypatch.setattr(influencer_search, "SAMPLE", sample)
        monkeypatch.setattr(influencer_search, "WALK_CAP", walk_cap)
        statements.clear()
        found, total, _ = influencers.list_page(InfluencerListQuery(q=term, sort="followers", page_size=10))
        expected = _reference(world, q=term, sort="followers", order="desc")
        assert [r["id"] for r in found] == expected[:10] and total == min(len(expected), 40)
        assert len(statements) == 1 and "FILTER" in statements[0], statements  # the sample only



@pytest.mark.parametrize("selective", [True, False])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_search_clustered_away_from_the_sort_start_skips_the_walk(world, monkeypatch, order, selective):
    """A term none of whose matches lies among the sort index's first SAMPLE entries (zoe by name ascending: the
    last names) sorts its trigram matches without walking WALK_BUDGET x INDEX_ONLY_WALK entries first (at 1M a
    name sort's clustered term walked 100,000 entries for nothing, ~45 ms); descending, its matches come first
    and the walk finds the page. A term whose trigrams select most rows (taken as `zoe` here) walks anyway: its
    sort would read them all. Pages equal the reference either way."""
    from predictfluence.api.schemas.influencers import InfluencerListQuery
    from predictfluence.queries import influencer_search, influencers

    statements: list[str] = []
    real_rows = influencers.rows
    monkeypatch.setattr(influencers, "COUNT_CAP", 5)
    monkeypatch.setattr(influencer_search, "SAMPLE", 40)
    monkeypatch.setattr(influencer_search, "WALK_CAP", 0)  # no dense path: the first scan is the trigram index's
    monkeypatch.setattr(influencer_search, "selective", lambda term: selective)
    monkeypatch.setattr(influencers, "rows", lambda sql, p, c: statements.append(sql) or real_rows(sql, p, c))
    expected = _reference(world, q="zoe", sort="name", order=order)
    assert len(expected) > 10
    walk = f"LIMIT {influencers.WALK_BUDGET * influencers.INDEX_ONLY_WALK})"
    for page in (1, 2):
        influencers._totals.clear(), influencers._bounds.clear(), statements.clear()
        found, _, _ = influencers.list_page(InfluencerListQuery(q="zoe", sort="name", order=order, page=page, page_size=5))
        assert [r["id"] for r in found] == expected[(page - 1) * 5 : page * 5]
        assert any(walk in sql for sql in statements) == (order == "desc" or not selective), statements


@pytest.mark.parametrize(
    ("term", "selective"),
    [("ucas", True), ("a T", False), ("ia P", False), ("s_91", False), ("e_ddk", True), ("Mia ", True),
     ("José", True), ("a.b.c", False), ("12 34", False), ("123", True)],
)
def test_a_term_is_selective_when_a_run_of_letters_or_digits_gives_a_whole_trigram(term, selective):
    from predictfluence.queries.influencer_search import selective as is_selective

    assert is_selective(term) is selective


@pytest.mark.parametrize("sorting", [True, False])
@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_covered_filter_past_its_walk_sorts_or_walks_on_to_the_same_page(
    client, auth, world, monkeypatch, sorting, sort, order
):
    """Issue 16.5: past its walk, a filter on covered columns either walks on along the sort index or sorts its
    matches within the first scan's bound (`influencers._sorting_is_shorter`): the same pages either way."""
    from predictfluence.queries import influencers

    monkeypatch.setattr(influencers, "COUNT_CAP", 40)
    monkeypatch.setattr(influencers, "WALK_BUDGET", 30)
    monkeypatch.setattr(influencers, "_sorting_is_shorter", lambda *_args: sorting)
    cases = [({"platforms": {"tiktok"}}, "platform=tiktok&tier=nano"), ({"hide_flagged": True}, "hide_flagged=true"),
             ({"platforms": {"instagram", "youtube"}, "min_er": 0.01}, "platform=instagram,youtube&min_er=0.01")]
    _assert_pages_equal_the_reference(client, auth, world, cases, sort, order)


def test_a_filter_deep_in_the_sort_sorts_its_matches_from_its_own_index(api_db, world, monkeypatch):
    """Twitch nano influencers by views walked 595,000 entries at 1M (125 ms) for a page their own covering index
    sorts in 15 ms. Here: a platform x tier filter whose 400 matches have the fewest views of 9,840 rows; without
    an index that covers the filter (a plan through the heap) it walks on."""
    from predictfluence.api.schemas.influencers import InfluencerListQuery
    from predictfluence.queries import influencers

    with api_db.begin() as conn:  # 40 copies, micro but for the tiktok ones of 4: nano, with the fewest views
        conn.execute(sa.text(
            "INSERT INTO influencer_stats SELECT (jsonb_populate_record(NULL::influencer_stats, to_jsonb(s) || "
            "jsonb_build_object('influencer_id', 1000 * g + s.influencer_id) || CASE WHEN s.platform = 'tiktok' "
            "AND g <= 4 THEN jsonb_build_object('avg_views', g) ELSE jsonb_build_object('avg_views', 1000 + g, "
            "'followers', 20000, 'follower_tier', 'micro') END)).* FROM influencer_stats s, generate_series(1, 40) g"))
    vacuum = sa.create_engine(api_db.url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with vacuum.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE influencer_stats"))
    vacuum.dispose()
    decided: list[bool] = []
    real = influencers._sorting_is_shorter
    monkeypatch.setattr(influencers, "_sorting_is_shorter", lambda *args: decided.append(real(*args)) or decided[-1])
    monkeypatch.setattr(influencers, "COUNT_CAP", 100)  # the first scan's bounds reach page 10 of 10
    monkeypatch.setattr(influencers, "WALK_BUDGET", 500)
    query = InfluencerListQuery(platform="tiktok", tier="nano", sort="avg_views", page=8, page_size=10)
    found, _, _ = influencers.list_page(query)
    assert len(found) == 10 and decided == [True], decided
    page = influencers.PageSql("avg_views", "desc")  # a column no index holds: its matches are read from the heap
    where, params = "WHERE snapshot_source = :s", {"s": "elsewhere", "limit": 50, "offset": 350, "pf_bound": 0}
    with api_db.connect() as conn:
        assert not real(conn, page, where, "avg_views >= :pf_bound", page.of_matches(where), params)
