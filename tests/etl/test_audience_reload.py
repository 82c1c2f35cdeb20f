"""Issue 16.8: the audience kind deletes only a loaded group's stale buckets, updates a share only when it
changes, and checks duplicates a second time only when a country bucket was renamed. What it stores,
rejects and reports must be what the loader of 9efccaa did (every loaded group's buckets deleted and
inserted again, the duplicate check always run twice) on sequences of random files. The duplicate check of
every staged kind (staging.reject_duplicates) must reject what the window over every row did."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl_jobs.kinds import audience
from etl_jobs.staging import HeaderMap, Target, reject_duplicates, upsert
from tests.etl.conftest import rows

HANDLES = [f"h{i}" for i in range(6)]
COUNTRIES = ["US", "USA", "United States", "us", "GB", "United Kingdom", "DE", "other", "Other", "Atlantis"]
AGES = ["18-24", "25-34", "35-44", "45+"]


class OldAudienceLoader(audience.AudienceLoader):
    """The loader of 9efccaa (group checks and upsert as they were)."""

    def group_checks(self, conn) -> None:
        audience.remap(
            conn,
            "pf_ready",
            "bucket",
            lambda raw: audience.norm.country(raw) or raw,
            where="t.dimension = 'country'",
        )
        reject_duplicates(conn, self.key_columns(), self.duplicate_label)
        self.reject_bad_sums(conn)

    def upsert(self, conn, hmap: HeaderMap) -> None:
        conn.exec_driver_sql(
            "DELETE FROM audience_share a USING (SELECT DISTINCT influencer_id, dimension FROM pf_ok) g "
            "WHERE a.influencer_id = g.influencer_id AND a.dimension = g.dimension"
        )
        upsert(
            conn,
            "audience_share",
            ("influencer_id", "dimension", "bucket"),
            ("o.influencer_id", "o.dimension", "o.bucket"),
            [Target("share", "o.share", keep=False)],
            hmap,
        )


def _group(rng: random.Random, handle: str) -> list[str]:
    dimension = rng.choice(["country", "country", "Country", "age_group", "gender", "planet"])
    names = (
        COUNTRIES if dimension.lower() == "country" else AGES if dimension == "age_group" else ["f", "m", "x"]
    )
    buckets = rng.sample(names, rng.randint(1, min(4, len(names))))
    cuts = sorted(rng.sample(range(1, 100), len(buckets) - 1))
    shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
    lines = []
    for bucket, share in zip(buckets, shares, strict=True):
        cell = f"{share / 100:.2f}"
        if rng.random() < 0.05:
            cell = rng.choice(["1.5", "x", "", f"{(share + 3) / 100:.2f}"])
        platform = "instagram" if rng.random() < 0.95 else "tiktok"  # tiktok/<handle> is unknown
        lines.append(f"{platform},{handle},{dimension},{bucket},{cell}\n")
    if rng.random() < 0.2:
        lines.append(rng.choice(lines))  # a repeated bucket
    return lines


def _file(rng: random.Random) -> str:
    lines = [
        line
        for handle in rng.sample(HANDLES, rng.randint(1, len(HANDLES)))
        for _ in range(rng.randint(1, 2))
        for line in _group(rng, handle)
    ]
    rng.shuffle(lines)
    return "platform,handle,dimension,bucket,share\n" + "".join(lines)


def _run(db, load, files: list[Path]) -> list[tuple]:
    with db.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audience_share")
    seen = []
    for path in files:
        outcome = load(path, kind="audience", force=True)
        report = json.loads(Path(outcome.report_key).read_text())
        report.pop("load_id")
        stored = rows(
            db,
            "SELECT i.handle, a.dimension, a.bucket, a.share FROM audience_share a "
            "JOIN influencer i ON i.id = a.influencer_id ORDER BY 1, 2, 3",
        )
        seen.append(
            (outcome.status, outcome.rows_in, outcome.rows_loaded, outcome.rejections, report, stored)
        )
    return seen


@pytest.mark.parametrize("seed", range(8))
def test_audience_loads_equal_the_delete_and_insert_loader(db, load, write_csv, monkeypatch, seed):
    rng = random.Random(seed)
    text = "platform,handle,name\n" + "".join(f"instagram,{h},{h}\n" for h in HANDLES)
    assert load(write_csv("i.csv", text, "influencers")).rows_rejected == 0
    files = [write_csv(f"a{n}.csv", _file(rng), "audience") for n in range(5)]
    new = _run(db, load, files)
    monkeypatch.setattr(audience, "loader", OldAudienceLoader())
    old = _run(db, load, files)
    assert new == old
    assert any(o[2] < o[1] for o in new), "no file rejected a row"
    assert any(o[5] for o in new), "nothing was stored"


def test_identical_reload_writes_no_row(db, load, write_csv):
    text = "platform,handle,name\n" + "".join(f"instagram,{h},{h}\n" for h in HANDLES)
    load(write_csv("i.csv", text, "influencers"))
    shares = "platform,handle,dimension,bucket,share\n" + "".join(
        f"instagram,{h},country,{b},{s}\n"
        for h in HANDLES
        for b, s in (("US", "0.6"), ("United Kingdom", "0.4"))
    )
    path = write_csv("a.csv", shares, "audience")
    assert load(path, kind="audience").rows_loaded == 12
    before = rows(db, "SELECT ctid::text, bucket FROM audience_share ORDER BY 2, 1")
    assert load(path, kind="audience", force=True).rows_loaded == 12
    assert (
        rows(db, "SELECT ctid::text, bucket FROM audience_share ORDER BY 2, 1") == before
    )  # no tuple rewritten
    with db.begin() as conn:
        conn.execute(
            sa.text(
                "DELETE FROM audience_share WHERE bucket = 'US' AND influencer_id = "
                "(SELECT min(influencer_id) FROM audience_share)"
            )
        )
    assert load(path, kind="audience", force=True).rows_loaded == 12
    assert rows(db, "SELECT count(*) FROM audience_share") == [(12,)]


OLD_DUPLICATES = (  # staging.reject_duplicates of 9efccaa: the window over every row, always
    "INSERT INTO pf_rej (line, reason, col, val) "
    "SELECT d.line, 'duplicate x (first on line ' || d.first_line || ')', NULL, d.k FROM ("
    "  SELECT t.line, min(t.line) OVER (PARTITION BY a, b) AS first_line, "
    "         concat_ws(' / ', a, b) AS k FROM pf_ready t "
    "  WHERE NOT EXISTS (SELECT 1 FROM pf_rej r WHERE r.line = t.line)) d "
    "WHERE d.line <> d.first_line"
)


@pytest.mark.parametrize("seed", range(12))
def test_duplicate_check_equals_the_window_over_every_row(db, seed):
    """reject_duplicates asks a hash aggregate first and runs the window only when a key repeats: the same
    rejections as the window alone, NULL keys and lines already rejected included."""
    rng = random.Random(seed)
    width = rng.choice([3, 20, 400])
    pf_ready = [
        (line, rng.choice(["x", "y", None]), rng.randrange(width) if rng.random() < 0.95 else None)
        for line in rng.sample(range(2, 5000), rng.randint(0, 300))
    ]
    rejected = [line for line, *_ in pf_ready if rng.random() < 0.1]
    outcomes = []
    for run in ("old", "new"):
        with db.connect() as conn, conn.begin():
            conn.exec_driver_sql("CREATE TEMP TABLE pf_ready (line bigint, a text, b bigint) ON COMMIT DROP")
            conn.exec_driver_sql(
                "CREATE TEMP TABLE pf_rej (line bigint, reason text, col text, val text) ON COMMIT DROP"
            )
            conn.exec_driver_sql(
                "INSERT INTO pf_ready SELECT * FROM unnest(%s::bigint[], %s::text[], %s::bigint[])",
                tuple(list(c) for c in zip(*pf_ready, strict=True)) if pf_ready else ([], [], []),
            )
            conn.exec_driver_sql(
                "INSERT INTO pf_rej SELECT l, 'earlier', NULL, NULL FROM unnest(%s::bigint[]) l", (rejected,)
            )
            if run == "old":
                conn.exec_driver_sql(OLD_DUPLICATES)
            else:
                reject_duplicates(conn, ("a", "b"), "x")
            outcomes.append(conn.exec_driver_sql("SELECT * FROM pf_rej ORDER BY 1, 2, 4").all())
    assert outcomes[0] == outcomes[1]
