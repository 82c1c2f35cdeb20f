"""bench/api.py: its SQL seed at 1,000,000 influencers (int4 overflow, issue 16.9) and how bench/run_all.py judges
its drawn, hot-cache and concurrent figures (no bench run)."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_influencer_seed_computes_a_million_rows_without_overflowing_int4(engine):
    statement = _load("api").SQL_SEED[0]
    select = statement[statement.index("SELECT") :]
    with engine.connect() as conn:
        count, top = conn.execute(
            sa.text(
                f"SELECT count(*), max(s.followers) FROM ({select}) s(platform, handle, name, category, "  # noqa: S608
                "country, language, followers)"
            ),
            {"n": 1_000_000},
        ).one()
    assert count == 1_000_000
    with engine.connect() as conn:
        names = conn.execute(
            sa.text(f"SELECT name, handle FROM ({select}) s(p, handle, name) LIMIT 40"), {"n": 40}
        ).all()  # noqa: S608
    from predictfluence_tools.demo.names import FIRST, LAST

    # names like the demo generator's: a search term cut from one matches a few % of the rows, not all of them
    assert {n.split(" ")[0] for n, _ in names} <= set(FIRST) and {
        n.split(" ", 1)[1] for n, _ in names
    } <= set(LAST)
    assert len({n for n, _ in names}) > 20 and len({h for _, h in names}) == 40
    assert (
        top == 1000 + 899_999
    )  # mod(g * 7919, 900000) reaches 899,999: g * 7919 passes 2^31 from g = 271,183


def test_drawn_urls_are_reproducible_per_seed_and_vary_per_request():
    api = _load("api")

    class Rows:
        def __init__(self, rows):
            self._rows = rows

        def all(self):
            return self._rows

        def scalars(self):
            return Rows([r[0] for r in self._rows])

        def scalar(self):
            return self._rows[0][0] if self._rows else None

        def scalar_one(self):
            return self._rows[0][0]

    class Conn:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, statement, params=None):
            text = str(statement)
            if "max(influencer_id)" in text:
                return Rows([(9,)])
            if "ANY(:ids)" in text:
                picked.append(params["ids"])
            if "percentile_disc" in text:  # the nearly spent campaigns' budgets (tight_campaigns)
                return Rows([([5.0, 10.0, 20.0, 40.0, 80.0],)])
            if "FROM campaign WHERE name" in text or text.startswith("UPDATE campaign"):
                return Rows([(42,)])
            if "handle, name, category" in text:
                return Rows([(7, "h7", "Anna Smith", "fitness"), (9, "h9", "Bob Jones", "tech")])
            if "campaign_id" in text:
                return Rows([(3,), (4,)])
            if "platform" in text:
                return Rows([("instagram",), ("tiktok",)])
            return Rows([("US",), ("DE",)])

    class Engine:
        def connect(self):
            return Conn()

        begin = connect

    picked: list[list[int]] = []
    draws = api.drawn_endpoints(Engine())
    # the sample is the seed's: the same ids on every run over the same warehouse (before / after a change)
    for seed in (16, 16, 3):
        api.drawn_endpoints(Engine(), sample=4, seed=seed)
    assert picked[1] == picked[2] != picked[3] and set(picked[1]) <= set(range(1, 10)), picked
    assert draws["recommendations_campaign_tight"](random.Random(2)).startswith("/recommendations?campaign_id=42")
    first = [draws["profile"](random.Random(5)) for _ in range(3)]
    assert first == [draws["profile"](random.Random(5)) for _ in range(3)]
    rng = random.Random(1)
    profiles = {draws["profile"](rng) for _ in range(40)}
    assert profiles == {"/influencers/7", "/influencers/9"}
    searches = {draws["list_search"](rng).split("&")[0] for _ in range(60)}
    assert len(searches) > 10  # search terms cut from the sampled names, handles and categories
    assert all(
        unquote(s.removeprefix("/influencers?q=")) in "h7 Anna Smith fitness h9 Bob Jones tech"
        for s in searches
    )
    pages = {draws["list_default"](rng) for _ in range(200)}
    assert pages == {f"/influencers?page={n}" for n in range(1, 21)}


def test_run_all_judges_hot_and_concurrent_figures_with_the_same_targets():
    run_all = _load("run_all")
    judge = run_all.judge
    assert judge("api", "hot_p95_ms.list_search", 60.0, {}) == ("target ≤ 50.00", "1.20", "MISSED")
    assert judge("api", "hot_p95_ms.analytics_kpis", 60.0, {})[2] == "ok"
    assert judge("api", "concurrent.by_url_p95_ms.profile", 51.0, {})[2] == "MISSED"
    assert judge("api", "concurrent.by_url_p95_ms.recommendations_default", 99.0, {})[2] == "ok"
    assert judge("api", "concurrent.p95_ms", 101.0, {})[2] == "MISSED"
    assert judge("api", "concurrent.errors", 1, {})[2] == "MISSED"
    assert judge("api", "p95_ms.list_search", 49.0, {})[2] == "ok"


def test_the_xl_scale_is_1m_influencers_and_its_last_line_carries_the_headline_figures():
    run_all = _load("run_all")
    xl = run_all.SCALES["xl"]
    assert xl["api"] == ["--influencers", "1000000", "--days", "16"]  # through the generator and the ETL
    assert "--sql-seed" not in xl["api"]
    assert xl["load"] == run_all.SCALES["full"]["load"]
    results = {
        "api": {
            "json": {
                "influencers": 1_000_000,
                "metric_rows": 37_400_000,
                "p95_ms": {"profile": 12.0},
                "seeding": {"generate_s": 900.0, "load_total_s": 1500.0},
            }
        },
        "rollups": {"json": {"delta_load_s": {"small": 20.0, "large": 24.0}, "delta_load_ratio": 1.2}},
        "scoring": None,
    }
    assert run_all.xl_summary(results) == {
        "influencers": 1_000_000,
        "metric_rows": 37_400_000,
        "generate_s": 900.0,
        "load_s": 1500.0,
        "delta_load_s": 24.0,
        "delta_load_ratio_3m_vs_30m": 1.2,
        "score_rows_per_s": None,
        "score_chunk_max_s": None,
        "p95_ms": {"profile": 12.0},
    }
    assert run_all.judge("rollups", "delta_load_ratio", 1.31, {})[2] == "MISSED"
    assert run_all.judge("scoring", "score_chunk_max_s", 53.1, {})[2] == "ok"


def test_keep_passes_keep_to_api_alone():
    run_all = _load("run_all")
    assert run_all.script_flags("xl", "api", keep=True) == ["--influencers", "1000000", "--days", "16", "--keep"]
    assert run_all.script_flags("xl", "api") == run_all.SCALES["xl"]["api"]
    assert run_all.script_flags("xl", "scoring", keep=True) == run_all.SCALES["xl"]["scoring"]
    assert run_all.script_flags("small", "unknown_script", keep=True) == []
