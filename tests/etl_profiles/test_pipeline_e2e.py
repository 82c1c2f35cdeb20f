"""End to end: the real dataset and tool exports through etl_jobs.pipeline (checksum, kind detection,
transaction, etl_load row, report) — the path the S3 handler and the CLI take."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl_jobs import pipeline
from etl_jobs.base import SourceFile
from etl_jobs.reading import read_mapping_file

from .conftest import EXPORTS, REAL_DATASET


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Local reports go under a temporary PF_DATA_DIR, not the project's .data/."""
    from predictfluence.config import reset_settings

    monkeypatch.setenv("PF_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    yield tmp_path / "data"
    reset_settings()


def _loads(db: Engine) -> list[dict]:
    with db.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT kind, status, rows_in, rows_loaded, rows_rejected, error FROM etl_load ORDER BY id"
            )
        )
        return [dict(r) for r in rows.mappings()]


def _count(db: Engine, table: str) -> int:
    with db.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_real_dataset_through_the_pipeline(db: Engine, data_dir: Path) -> None:
    source = SourceFile(REAL_DATASET, str(REAL_DATASET))
    outcome = pipeline.load_file(db, source)  # no raw/<kind>/ prefix: the header says "profiles"

    assert (outcome.kind, outcome.status, outcome.rows_in, outcome.rows_loaded, outcome.rows_rejected) == (
        "profiles",
        "loaded",
        199,
        199,
        0,
    )
    assert _loads(db) == [
        {
            "kind": "profiles",
            "status": "loaded",
            "rows_in": 199,
            "rows_loaded": 199,
            "rows_rejected": 0,
            "error": None,
        }
    ]
    assert (_count(db, "influencer"), _count(db, "influencer_snapshot")) == (199, 199)
    with db.connect() as conn:
        cristiano = conn.execute(
            sa.text(
                "SELECT i.followers, i.country, s.posts, s.avg_likes, s.engagement_rate FROM influencer i "
                "JOIN influencer_snapshot s ON s.influencer_id = i.id WHERE i.handle = 'cristiano'"
            )
        ).one()
    # the country as ISO 3166 (issue 12.4)
    assert tuple(cristiano) == (475_800_000, "ES", 3_300, 8_700_000.0, 0.0139)

    report = json.loads(Path(outcome.report_key or "").read_text(encoding="utf-8"))
    assert report["rejections"] == []
    assert (
        "line 133, column 'Country': repaired mis-encoded text \"CÃ´te d'Ivoire\" → \"Côte d'Ivoire\""
        in (report["notes"])
    )

    # S3 delivers at least once: the same bytes again load once.
    again = pipeline.load_file(db, source)
    assert again.status == "skipped_duplicate"
    assert (len(_loads(db)), _count(db, "influencer_snapshot")) == (1, 199)


def test_tiktok_export_under_the_profiles_prefix(db: Engine, data_dir: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw" / "profiles"
    raw.mkdir(parents=True)
    path = Path(shutil.copy(EXPORTS / "creatorhub_tiktok_export.csv", raw))
    outcome = pipeline.load_file(db, SourceFile(path, "raw/profiles/creatorhub_tiktok_export.csv"))

    assert (outcome.kind, outcome.status, outcome.rows_in, outcome.rows_loaded, outcome.rows_rejected) == (
        "profiles",
        "loaded",
        9,
        5,  # the 150% ER row loads with the rate left empty (issue 12.2)
        4,
    )
    report = json.loads(Path(outcome.report_key or "").read_text(encoding="utf-8"))
    assert report["rejections"][0] == {
        "line": 5,
        "reason": "not a number: 'lots'",
        "column": "followers",
        "value": "lots",
    }
    with db.connect() as conn:
        platforms = conn.execute(sa.text("SELECT DISTINCT platform FROM influencer")).scalars().all()
    assert platforms == ["tiktok"]


def test_missing_columns_rejected_whole(db: Engine, data_dir: Path) -> None:
    path = EXPORTS / "missing_columns_export.csv"
    outcome = pipeline.load_file(db, SourceFile(path, str(path)), kind="profiles")
    assert outcome.status == "rejected"
    assert outcome.message.startswith(
        "file rejected: missing required column(s) handle, followers; headers found: Full Name, Niche, "
    )
    (load,) = _loads(db)
    assert (load["status"], load["rows_loaded"]) == ("rejected", 0)
    assert load["error"].startswith("missing required column(s) handle, followers")
    assert (_count(db, "influencer"), _count(db, "influencer_snapshot")) == (0, 0)


def test_mapping_file_through_the_pipeline(db: Engine, data_dir: Path) -> None:
    path = EXPORTS / "socialtool_export.csv"
    mapping = read_mapping_file(EXPORTS / "socialtool_export.csv.mapping.json")
    # With the mapping the pipeline recognises the kind from the mapped header.
    outcome = pipeline.load_file(db, SourceFile(path, str(path), mapping))
    assert (outcome.kind, outcome.status, outcome.rows_in, outcome.rows_loaded) == (
        "profiles",
        "loaded",
        3,
        3,
    )
    with db.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT i.handle, s.as_of::text, s.source, s.followers, s.engagement_rate FROM influencer i "
                "JOIN influencer_snapshot s ON s.influencer_id = i.id ORDER BY s.id"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("fit.with.jo", "2026-10-01", "socialtool", 128_400, 0.0089),
        ("urban.lens", "2026-10-01", "socialtool", 61_050, 0.025),
        ("urban.lens", "2026-09-01", "socialtool", 60_000, 0.024),
    ]


REPO = Path(__file__).resolve().parents[2]


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run `predictfluence …` as a user does, from the repository, against the test database."""
    env = {**os.environ, "PF_DATA_DIR": str(data_dir)}  # DATABASE_URL is the test database (engine fixture)
    return subprocess.run(
        [sys.executable, "-m", "predictfluence_tools.cli", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_loads_the_real_dataset(db: Engine, data_dir: Path) -> None:
    relative = os.path.relpath(REAL_DATASET, REPO)
    assert relative == "../shared/data/top_insta_influencers_data.csv"
    done = _cli("etl", "load", relative, data_dir=data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"loaded: {relative} (kind profiles, load ")
    assert lines[1] == "  rows in 199 · loaded 199 · rejected 0"
    assert (_count(db, "influencer"), _count(db, "influencer_snapshot")) == (199, 199)
    with db.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT i.country, s.source, s.followers FROM influencer i "
                "JOIN influencer_snapshot s ON s.influencer_id = i.id WHERE i.handle = 'hrithikroshan'"
            )
        ).one()
    assert tuple(row) == ("CI", "file:top_insta_influencers_data", 43_700_000)  # Côte d'Ivoire

    again = _cli("etl", "load", relative, data_dir=data_dir)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.startswith(f"skipped_duplicate: {relative}")
    assert _count(db, "etl_load") == 1


def test_cli_map_option_and_missing_columns(db: Engine, data_dir: Path) -> None:
    export = "tests/data/exports/socialtool_export.csv"
    done = _cli("etl", "load", export, "--map", export + ".mapping.json", data_dir=data_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[1] == "  rows in 3 · loaded 3 · rejected 0"
    assert _count(db, "influencer_snapshot") == 3

    rejected = _cli(
        "etl",
        "load",
        "tests/data/exports/missing_columns_export.csv",
        "--kind",
        "profiles",
        data_dir=data_dir,
    )
    assert rejected.returncode == 1, rejected.stdout + rejected.stderr
    assert (
        "file rejected: missing required column(s) handle, followers; headers found: Full Name"
        in rejected.stdout
    )
    assert "Traceback" not in rejected.stdout + rejected.stderr
