"""Helpers for the ETL tests: write small CSVs and seed the dimension rows they reference."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl_jobs import fast_metrics
from etl_jobs.base import SourceFile
from etl_jobs.pipeline import LoadOutcome, load_file


@pytest.fixture(autouse=True)
def _reports_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from predictfluence.config import reset_settings

    monkeypatch.setenv("PF_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    yield
    reset_settings()


@pytest.fixture()
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, text: str | bytes, kind: str | None = None) -> Path:
        folder = tmp_path / "raw" / kind if kind else tmp_path / "files"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return path

    return write


@pytest.fixture()
def load(db: Engine) -> Callable[..., LoadOutcome]:
    def run(path: Path, kind: str | None = None, key: str | None = None, force: bool = False,
            mapping: dict | None = None) -> LoadOutcome:
        return load_file(db, SourceFile(path=path, key=key or str(path), mapping=mapping), kind=kind, force=force)

    return run


def rows(engine: Engine, sql: str, **params) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params)]


def scalar(engine: Engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


INFLUENCERS = (
    "platform,handle,name,category,country,language,followers\n"
    "instagram,ana,Ana Lima,beauty,BR,pt,12000\n"
    "tiktok,@bo,Bo Chen,gaming,US,en,560000\n"
    "youtube,cy,Cy,tech,DE,de,\n"
)
CAMPAIGNS = (
    "name,brand,objective,status,start_date,end_date,budget,currency\n"
    "Spring Glow,Lumi,awareness,active,2026-03-01,2026-05-31,25000.50,usd\n"
    "Launch,Zed,conversions,,2026-06-01,,1000,\n"
)
POSTS = (
    "platform,post_id,handle,posted_at,content_type,sponsored,campaign\n"
    "instagram,p1,ana,2026-03-02T10:00:00Z,Reel,true,Spring Glow\n"
    "tiktok,t1,bo,2026-03-03 12:30,video,false,\n"
    "youtube,y1,cy,2026-03-04,video,,\n"
)


@pytest.fixture()
def seeded(db: Engine, load, write_csv) -> Engine:
    """Influencers, campaigns and posts loaded through the ETL itself."""
    for kind, text in (("influencers", INFLUENCERS), ("campaigns", CAMPAIGNS), ("posts", POSTS)):
        outcome = load(write_csv(f"{kind}.csv", text, kind), kind=kind)
        assert outcome.status == "loaded" and outcome.rows_rejected == 0, outcome
    return db


@pytest.fixture()
def fast_calls(monkeypatch):
    """Records whether each load took the fast path (a KindResult) or fell back (None)."""
    calls = []
    real = fast_metrics.try_fast_load

    def spy(conn, source):
        result = real(conn, source)
        calls.append(result is not None)
        return result

    monkeypatch.setattr("etl_jobs.kinds.post_metrics.try_fast_load", spy)
    return calls


@pytest.fixture()
def copied_into(monkeypatch):
    """The tables the fast path COPYs into, in order."""
    tables = []
    real = fast_metrics._copy

    def spy(conn, table, data):
        tables.append(table)
        return real(conn, table, data)

    monkeypatch.setattr(fast_metrics, "_copy", spy)
    return tables
