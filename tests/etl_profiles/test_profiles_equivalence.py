"""The profiles kind loads exactly what it loaded before it was made fast (issue 16.8).

A varied file (K/M/B counts, grouped and non-ASCII digits, percentages, every date form, non-Latin and
mis-encoded names, formulas, spreadsheet errors, bad cells, short rows, duplicates, a handle on several
dates across batches) is loaded twice over seeded influencers, with batches of 7 rows so that batch
boundaries fall inside the file. Every resulting row of influencer, influencer_snapshot and
audience_share, and every rejection and note, must equal tests/data/profiles_equivalence.json, which
was written by the loader as it was before issue 16.8 (commit 63e57cd; see `observe` and
`python -m tests.etl_profiles.test_profiles_equivalence <json>` to rewrite it — only for an intended
change of behaviour).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

EXPECTED = Path(__file__).resolve().parents[1] / "data" / "profiles_equivalence.json"
HEADER = ("handle,platform,name,category,country,followers,posts,avg_likes,avg_views,engagement_rate,"
          "as_of,rank,influence score,total likes,sub_category,notes\n")
# fmt: off
ROWS = [
    "@cristiano,instagram,Cristiano Ronaldo,Sports,Portugal,475.8m,3.3k,8.7M,1.2B,1.39%,2024-01-05,1,92,29.0b,football,goat",
    "kyliejenner,IG,Kylie Jenner,Beauty & Fashion,United States,366.2M,6.9K,8.3m,,1.62,2024/01/05,2,91.5,57.4B,,",
    "https://www.instagram.com/leomessi/,,Leo Messi,Film & Animation,Estados Unidos,\"1,234\",1 234,0.89k,1.2345k,0.0139,2024.01.05,3,,,,",
    "tiktok.com/@dancer_1,,李小龙,Dance,米国,1.2bn,12,3.5,7,150%,5 Jan 2024,4,,,,",
    "UPPER_case,tiktok,Влад А4,fitness coach,U.S.,007,١٢٣,²,+7,-1%,5 January 2024,5,,,,",
    "arabic,Tik Tok,محمد,Unknownthing,Atlantis,12.5,abc,-5,1e5,\"0,5\",\"Jan 5, 2024\",6,,,,",
    "mojibake,YT,JosÃ© Ã‘andÃº,beauty,États-Unis,99999999999999999999999,#N/A,N/A,n/a,,\"January 5, 2024\",7,,,,",
    "formula,X,=SUM(A1),#VALUE!,NA,\u00a042\u00a0,--,1mm,2mn,0.5,Jan 5 2024,8,,,,",
    "spaces,youtube,  spaced   name\t here ,Comedy,GB,22.2M,,,,,2024-01-05T10:00:00,9,,,,",
    "badplat,my space!,Nobody,Music,US,1,1,1,1,0.1,2024-01-05,10,,,,",
    "ambiguous,instagram,Amb,Music,US,1,1,1,1,0.1,01/02/2024,11,,,,",
    "future,instagram,Fut,Music,US,1,1,1,1,0.1,2999-01-01,12,,,,",
    "past,instagram,Old,Music,US,1,1,1,1,0.1,1999-01-01,13,,,,",
    "feb30,instagram,Bad date,Music,US,1,1,1,1,0.1,2024-02-30,14,,,,",
    "@,instagram,No handle,Music,US,1,1,1,1,0.1,2024-01-05,15,,,,",
    "short,instagram,Short,Music",
    "long,instagram,Long,Music,US,1,1,1,1,0.1,2024-01-05,16,,,,,surplus",
    "",
    "@cristiano,instagram,Cristiano dup,Sports,Portugal,1,1,1,1,0.1,2024-01-05,17,,,,",
    "seeded,instagram,,,,,,,,,2024-01-05,18,,,,",
    "seeded2,instagram,,N/A,unknown,,,,,,,19,,,,",
    "multi,instagram,Multi old,Travel,FR,100,1,1,1,0.1,2024-01-01,20,,,,",
    "multi,instagram,Multi new,Food,DE,200,2,2,2,0.2,2024-01-03,21,,,,",
    "multi,instagram,,,,,3,3,3,0.3,2024-01-02,22,,,,",
    "nospace,tiktok,Emoji 😀 name,Gaming & Tech,Corée du Sud,3.3k,0,0,0,0%,2024-01-05,23,,,vlog,x",
    "ERR,instagram,#REF!,#DIV/0!,#N/A,#NUM!,#NAME?,#NULL!,#SPILL!,#CALC!,2024-01-05,#FIELD!,,,,",
    "toolong,instagram," + "n" * 10_001 + ",Music,US,1,1,1,1,0.1,2024-01-05,24,,,,",
    "hugecat,instagram,Cat,Art and Design and Photography,uk,10k,1,1,1,100%,2024-01-05,25,,,,",
    "multi,instagram,Multi later batch,Health,IT,300,4,4,4,0.4,2024-01-04,26,,,,",
    "neg,instagram,Neg,Music,US,-1,1,1,1,0.1,2024-01-05,27,,,,",
    "sfx,instagram,Sfx,Music,US,3.3q,1,1,1,0.1,2024-01-05,28,,,,",
    "rate1,instagram,R,Music,US,1,1,1,1,1,2024-01-05,29,,,,",
    "rate2,instagram,R2,Music,US,1,1,1,1,100,2024-01-05,30,,,,",
    "dec,instagram,Dec,Music,US,1.5k,1.5,1.25,.5,.5%,2024-01-05,31.5,,,,",
    "today,instagram,Today,Music,US,5,,,,,,32,,,,",
]
# The second file: same source (same file name), some rows changed, some cells emptied.
ROWS_2 = [
    "@cristiano,instagram,,,,480m,3.4k,8.8M,1.3B,1.40%,2024-01-05,1,93,29.1b,,",
    "kyliejenner,instagram,Kylie,Lifestyle,Canada,367M,7K,8.4m,1M,1.7,2024-01-06,2,91,,,",
    "seeded,instagram,Seeded Name,gaming,Deutschland,10,,,,,2024-01-05,3,,,,",
    "multi,instagram,,,,,5,5,5,0.5,2024-01-02,4,,,,",
]
SEED = [  # (platform, handle, name, category, country, category_source, country_source, followers)
    ("instagram", "seeded", "Seed Name", "Beauty", "FR", "Beauty Blogger", None, 999),
    ("instagram", "seeded2", "Seed Two", "Music", "US", None, "U.S.A.", 5),
    ("instagram", "multi", "Multi seed", "Other", None, None, None, None),
    ("instagram", "cristiano", None, None, None, None, None, 1),
]
# fmt: on


def observe(db: Engine, folder: Path, batch_rows: int = 7) -> dict:
    """Seed, load both files through the profiles loader with `batch_rows`-row batches, and return every
    row, rejection and note (today's date written as "today")."""
    from etl_jobs.base import SourceFile
    from etl_jobs.kinds import profiles

    today = dt.datetime.now(dt.UTC).date().isoformat()
    with db.begin() as conn:
        for seed in SEED:
            conn.execute(sa.text(
                "INSERT INTO influencer (platform, handle, name, category, country, category_source, "
                "country_source, followers) VALUES (:p, :h, :n, :c, :co, :cs, :cos, :f)"),
                dict(zip(("p", "h", "n", "c", "co", "cs", "cos", "f"), seed, strict=True)))
    loads = []
    saved = profiles.BATCH_ROWS
    profiles.BATCH_ROWS = batch_rows
    try:
        for rows in (ROWS, ROWS_2):
            path = folder / "creators_export.csv"
            path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8", newline="")
            with db.begin() as conn:
                result = profiles.loader.load(conn, SourceFile(path, "raw/profiles/creators_export.csv"))
            loads.append({
                "rows_in": result.rows_in, "rows_loaded": result.rows_loaded,
                "rejections": [[r.line, r.reason, r.column, r.value] for r in result.rejections],
                "notes": result.notes,
            })
    finally:
        profiles.BATCH_ROWS = saved

    def table(sql: str) -> list[list]:
        with db.connect() as conn:
            out = []
            for row in conn.execute(sa.text(sql)):
                out.append([
                    ("today" if v.isoformat() == today else v.isoformat()) if isinstance(v, dt.date)
                    else v for v in row])
            return out

    return json.loads(json.dumps({
        "loads": loads,
        "influencer": table(
            "SELECT platform, handle, name, category, country, category_source, country_source, followers, "
            "language FROM influencer ORDER BY platform, handle"),
        "influencer_snapshot": table(
            "SELECT i.platform, i.handle, s.as_of, s.source, s.followers, s.posts, s.avg_likes, s.avg_views, "
            "s.engagement_rate, s.extra FROM influencer_snapshot s JOIN influencer i ON i.id = s.influencer_id "
            "ORDER BY i.platform, i.handle, s.as_of, s.source"),
        "audience_share": table("SELECT influencer_id, dimension, bucket, share FROM audience_share "
                                "ORDER BY 1, 2, 3"),
    }, ensure_ascii=False))


@pytest.mark.parametrize("batch_rows", [7, 5_000])
def test_profiles_load_equals_the_pre_16_8_loader(db: Engine, tmp_path: Path, batch_rows: int) -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))[str(batch_rows)]
    observed = observe(db, tmp_path, batch_rows)
    for key in ("influencer", "influencer_snapshot", "audience_share"):
        assert observed[key] == expected[key], key
    for number, (got, want) in enumerate(zip(observed["loads"], expected["loads"], strict=True)):
        for key in ("rows_in", "rows_loaded", "rejections", "notes"):
            assert got[key] == want[key], (number, key)
    # A few of the expected values spelled out, so the golden file is not taken on trust alone.
    snapshots = {(r[1], r[2]): r for r in observed["influencer_snapshot"]}
    cristiano = snapshots[("cristiano", "2024-01-05")]
    assert cristiano[4:6] == [480_000_000, 3_400] and cristiano[8] == pytest.approx(0.014)
    assert snapshots[("leomessi", "2024-01-05")][4:6] == [1234, 1234]
    assert len(observed["audience_share"]) == 0  # profiles never writes audience rows


if __name__ == "__main__":  # rewrite the expected file: python -m tests.etl_profiles.test_profiles_equivalence
    import os
    import tempfile

    from predictfluence.db import create_engine
    from predictfluence_tools import migrate
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    out: dict = {}
    for batch in (7, 5_000):
        with tempfile.TemporaryDirectory() as tmp, scratch_database(database_url(), "profiles_equiv") as url:
            os.environ["PF_DATA_DIR"] = tmp
            engine = create_engine(url, poolclass=sa.pool.NullPool)
            migrate.upgrade(engine)
            out[str(batch)] = observe(engine, Path(tmp), batch)
            engine.dispose()
    Path(sys.argv[1] if len(sys.argv) > 1 else EXPECTED).write_text(
        json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
