"""Every file of the bad-input corpus through `etl_jobs.pipeline.load_file` against real PostgreSQL.

For each file (tests/data/bad_csv/expected.json says what it must do): no exception escapes; a
whole-file rejection leaves every warehouse table byte-for-byte unchanged; otherwise exactly the expected
cells are rejected with their line, column and reason, the good rows are kept (row-count deltas and
exact values), no other table changes, and the JSON report neutralises formula cells. Files too big
to commit (20 MB single lines, a 2,002-column header) are generated into tmp at run time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl_jobs.base import SourceFile
from etl_jobs.pipeline import LoadOutcome, load_file
from etl_jobs.report import neutralise
from tests.etl_corpus.seed import fingerprint, seed

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad_csv"
MANIFEST: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))["files"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
INF_HEADER = "platform,handle,name,category,country,language,followers\n"
TWENTY_MB = 20 * 1024 * 1024


@pytest.fixture()
def seeded(db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    from predictfluence.config import reset_settings

    monkeypatch.setenv("PF_DATA_DIR", str(tmp_path / "data"))  # local reports land here
    reset_settings()
    seed(db)
    yield db
    reset_settings()


def _load(engine: Engine, path: Path, kind: str | None) -> LoadOutcome:
    key = f"raw/{kind}/{path.name}" if kind else path.name
    return load_file(engine, SourceFile(path=path, key=key))


def _rows(engine: Engine, sql: str) -> list[list[Any]]:
    with engine.connect() as conn:
        return [list(r) for r in conn.execute(sa.text(sql))]


def _report(outcome: LoadOutcome) -> dict[str, Any]:
    assert outcome.report_key is not None
    return json.loads(Path(outcome.report_key).read_text(encoding="utf-8"))


def _assert_report_neutralised(report: dict[str, Any]) -> None:
    for rejection in report["rejections"]:
        value = rejection["value"]
        assert value is None or not value.startswith(FORMULA_PREFIXES), rejection


def test_the_corpus_is_complete():
    on_disk = {p.name for p in CORPUS.glob("*.csv")}
    assert on_disk == set(MANIFEST)
    assert len(on_disk) >= 30
    kinds = {e["kind"] for e in MANIFEST.values()}
    assert kinds >= {"influencers", "campaigns", "posts", "post_metrics", "audience", "hires", "conversions",
                     "profiles", None}


def test_the_committed_files_match_the_builder():
    from tests.etl_corpus.build_corpus import FILES

    for name, content in FILES.items():
        expected = content if isinstance(content, bytes) else content.encode("utf-8")
        assert (CORPUS / name).read_bytes() == expected, name


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_corpus_file(seeded: Engine, name: str) -> None:
    expected = MANIFEST[name]
    before = fingerprint(seeded)
    outcome = _load(seeded, CORPUS / name, expected["kind"])
    after = fingerprint(seeded)
    assert outcome.status == expected["outcome"], outcome.message
    report = _report(outcome)
    _assert_report_neutralised(report)

    if expected["outcome"] == "rejected":
        assert outcome.message == f"file rejected: {expected['reason']}"
        assert after == before, "a rejected file changed the warehouse"
        assert (outcome.rows_in, outcome.rows_loaded) == (0, 0)
        assert _rows(seeded, f"SELECT status, error FROM etl_load WHERE id = {outcome.load_id}") == [
            ["rejected", expected["reason"]]
        ]
        assert (report["status"], report["error"], report["rejections"]) == ("rejected", expected["reason"], [])
        return

    assert (outcome.rows_in, outcome.rows_loaded, outcome.rows_rejected) == (
        expected["rows_in"], expected["rows_loaded"], expected["rows_in"] - expected["rows_loaded"])
    today = dt.datetime.now(dt.UTC).date().isoformat()  # a profiles snapshot without a date is as of the load day
    rejected = sorted([line, column, reason.replace("{today}", today)] for line, column, reason in expected["rejected"])
    got = sorted([r.line, r.column, r.reason] for r in outcome.rejections or [])
    assert got == rejected
    assert sorted([r["line"], r["column"], r["reason"]] for r in report["rejections"]) == rejected
    assert (report["rows_loaded"], report["rows_rejected"]) == (outcome.rows_loaded, outcome.rows_rejected)
    for table, (count, digest) in after.items():
        if table in expected["changed"]:
            assert digest != before[table][1], table
            assert count - before[table][0] == expected["changed"][table], table
        else:
            assert (count, digest) == before[table], f"{table} changed"
    for sql, rows in expected.get("check", []):
        assert _rows(seeded, sql) == rows, sql
    if "report_values" in expected:
        shown = [r["value"] for r in report["rejections"]]
        assert all(v in shown for v in expected["report_values"]), shown
    if "export" in expected:
        sql, exported = expected["export"]
        (stored,), = _rows(seeded, sql)
        assert neutralise(stored, numbers_are_data=True) == exported


def test_a_rejected_file_delivered_again_changes_nothing(seeded: Engine) -> None:
    first = _load(seeded, CORPUS / "post_metrics_ragged_row.csv", "post_metrics")
    before = fingerprint(seeded)
    again = _load(seeded, CORPUS / "post_metrics_ragged_row.csv", "post_metrics")
    assert again.status in ("rejected", "skipped_duplicate")
    assert again.load_id == first.load_id
    assert _rows(seeded, "SELECT count(*) FROM etl_load") == [[1]]
    assert fingerprint(seeded) == before


# --- generated at run time: too big to commit ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["influencers", "profiles", "post_metrics"])
def test_a_line_over_the_limit_rejects_the_file_in_the_first_scan_and_is_not_copied(seeded: Engine, tmp_path: Path,
                                                                                     kind: str):
    """Issue 10.6: a physical line over MAX_LINE_BYTES (here a 20 MB cell on line 2) is rejected naming its
    line before anything parses it (it used to be split into cells and staged whole)."""
    path = tmp_path / "huge_row.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(INF_HEADER)
        out.write("instagram,nia,")
        out.write("N" * TWENTY_MB)
        out.write(",beauty,NG,en,100\ninstagram,kai,Kai,travel,NZ,en,5\n")
    before = fingerprint(seeded)
    outcome = _load(seeded, path, kind)
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("rejected", 0, 0)
    assert outcome.message == (
        "file rejected: line 2 is longer than 1,024 KiB, the longest row a file may hold (docs/reliability.md)")
    assert fingerprint(seeded) == before
    assert Path(outcome.report_key or "").stat().st_size < 10_000


@pytest.mark.parametrize("kind", [None, "influencers", "profiles"])
def test_a_20_mb_file_on_a_single_line_is_rejected_whole(seeded: Engine, tmp_path: Path, kind: str | None):
    path = tmp_path / "one_line.csv"
    cell = b"platform,handle," + b"x," * 1024
    with open(path, "wb") as out:
        for _ in range(TWENTY_MB // len(cell)):
            out.write(cell)
    before = fingerprint(seeded)
    outcome = _load(seeded, path, kind)
    assert outcome.status == "rejected"
    assert outcome.message == "file rejected: the first line is longer than 1,024 KiB: not a CSV header row"
    assert fingerprint(seeded) == before


@pytest.mark.parametrize("kind", [None, "influencers", "post_metrics"])
def test_a_header_wider_than_postgresql_allows_is_rejected_not_failed(seeded: Engine, tmp_path: Path,
                                                                      kind: str | None):
    """Regression: 2,002 columns made the staging table fail ('tables can have at most 1600 columns'),
    recording a *failed* load that SQS would retry until the DLQ; it is a whole-file rejection."""
    path = tmp_path / "wide.csv"
    path.write_text("platform,handle," + ",".join(f"x{i}" for i in range(2000)) + "\ninstagram,nia" + "," * 2000
                    + "\n", encoding="utf-8")
    before = fingerprint(seeded)
    outcome = _load(seeded, path, kind)
    assert (outcome.status, outcome.message) == (
        "rejected", "file rejected: the header has 2,002 columns; at most 1,000 are supported")
    assert fingerprint(seeded) == before


def test_formula_neutralising_helpers_agree() -> None:
    for cell in ("=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "@SUM(A1)", "-2+3", "\t=1", "\r=1"):
        assert neutralise(cell) == "'" + cell
        assert neutralise(cell, numbers_are_data=True) == "'" + cell
    for cell in ("Nia", "12", "'=already", ""):
        assert neutralise(cell, numbers_are_data=True) == cell
