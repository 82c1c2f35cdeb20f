"""bench/rollups.py: its SQL seed at the issue's size (1,000,000 influencers in the large warehouse of
`make bench SCALE=xl`, issue 16.1) computes without overflowing int4 (no bench run)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]


def _seed_sql() -> str:
    spec = importlib.util.spec_from_file_location("bench_rollups", ROOT / "bench" / "rollups.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.SEED


def test_the_influencer_seed_computes_a_million_rows_without_overflowing_int4(engine):
    statements = _seed_sql().format(influencers=1_000_000, posts_per=10, days=3).split(";")
    insert = next(s for s in statements if "INSERT INTO influencer " in s)
    select = insert[insert.index("SELECT") :]
    with engine.connect() as conn:
        count, low, high = conn.execute(
            sa.text(
                f"SELECT count(*), min(s.followers), max(s.followers) FROM ({select}) "  # noqa: S608
                "s(platform, handle, name, category, country, language, followers)"
            )
        ).one()
    assert count == 1_000_000
    assert 1000 <= low < high < 901_000
