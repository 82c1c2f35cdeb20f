"""Other tools' exports through the profiles kind: aliases, value forms, mapping files, rejections."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl_jobs import profile_rows
from etl_jobs.base import FileRejected, Rejection
from etl_jobs.kinds import profiles

from .conftest import EXPORTS, REAL_DATASET, LoadProfiles

TODAY = dt.datetime.now(dt.UTC).date()
SNAPSHOTS = sa.text(
    """
    SELECT i.platform, i.handle, i.name, i.category, i.country, i.followers AS dim_followers,
           s.as_of, s.source, s.followers, s.posts, s.avg_likes, s.avg_views, s.engagement_rate, s.extra
    FROM influencer i JOIN influencer_snapshot s ON s.influencer_id = i.id
    ORDER BY s.id
    """
)


def _snapshots(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(SNAPSHOTS).mappings()]


def _counts(db: Engine) -> tuple[int, int]:
    with db.connect() as conn:
        return (
            conn.execute(sa.text("SELECT count(*) FROM influencer")).scalar_one(),
            conn.execute(sa.text("SELECT count(*) FROM influencer_snapshot")).scalar_one(),
        )


def test_tiktok_export(db: Engine, load_profiles: LoadProfiles) -> None:
    path = EXPORTS / "creatorhub_tiktok_export.csv"
    result = load_profiles(path, "raw/profiles/creatorhub_tiktok_export.csv")

    assert (result.rows_in, result.rows_loaded) == (9, 5)
    assert result.rejections == [  # only required fields reject a row (issue 12.2)
        Rejection(5, "not a number: 'lots'", "followers", "lots"),
        Rejection(6, "negative count '-5'", "followers", "-5"),
        Rejection(7, f"duplicate of line 3 (tiktok/chef_mario as of {TODAY})", "handle", "chef_mario"),
        Rejection(8, "missing handle", "handle", None),
    ]
    assert result.notes == [
        "platform 'tiktok' taken from the file name",
        "line 3, column 'Views avg.': spreadsheet error #VALUE! treated as empty",
        "line 4, column 'Display Name': text '=HYPERLINK(\"http://x.example\")' looks like a spreadsheet "
        "formula; kept as data, neutralise it in exports",
        "line 4, column 'Comments avg.': spreadsheet error #DIV/0! treated as empty",
        "line 9, column 'Username': repaired mis-encoded text 'sÃ£o.paulo.eats' → 'são.paulo.eats'",
        "line 9, column 'Display Name': repaired mis-encoded text 'SÃ£o Paulo Eats' → 'São Paulo Eats'",
        "line 9, column 'Views avg.': spreadsheet error #N/A treated as empty",
        "line 10, column 'ER': rate above 100%: '150%'; '150%' left empty (an optional column)",
    ]
    common = {"platform": "tiktok", "as_of": TODAY, "source": "file:creatorhub_tiktok_export", "posts": None}
    assert _snapshots(db) == [
        common
        | {
            "handle": "dance.queen",  # "@dance.queen"
            "name": "Dance Queen",
            "category": "Dance",
            "country": "US",
            "dim_followers": 22_200_000,
            "followers": 22_200_000,  # 22.2M
            "avg_likes": 1_100_000.0,
            "avg_views": 5_400_000.0,
            "engagement_rate": 0.045,  # bare 4.5 > 1: a percent
            "extra": {"avg_comments": 12_345},
        },
        common
        | {
            "handle": "chef_mario",
            "name": "Mario Rossi",
            "category": "Food",
            "country": "IT",
            "dim_followers": 221_700,
            "followers": 221_700,  # 221.7K
            "avg_likes": 1_234.0,  # "1,234"
            "avg_views": None,  # #VALUE!
            "engagement_rate": 0.032,  # bare 0.032 <= 1: a fraction
            "extra": {"avg_comments": 310},
        },
        common
        | {
            "handle": "tiny.travels",
            "name": '=HYPERLINK("http://x.example")',
            "category": "Travel",
            "country": None,  # N/A
            "dim_followers": 9_876,
            "followers": 9_876,
            "avg_likes": 412.0,
            "avg_views": None,  # n/a
            "engagement_rate": 0.032,
            "extra": {"formula_like": ["name"]},  # #DIV/0! comments left out
        },
        common
        | {
            "handle": "são.paulo.eats",
            "name": "São Paulo Eats",
            "category": "Food",
            "country": "BR",
            "dim_followers": 48_300,
            "followers": 48_300,
            "avg_likes": 2_100.0,
            "avg_views": None,
            "engagement_rate": 0.015,
            "extra": {"avg_comments": 40},
        },
        common
        | {
            "handle": "over.rated",
            "name": "Over Rated",
            "category": "Comedy",
            "country": "ES",
            "dim_followers": 12_000,
            "followers": 12_000,
            "avg_likes": 100.0,
            "avg_views": 1_000.0,
            "engagement_rate": None,  # 150%: a bad optional cell left empty, the row kept
            "extra": {"avg_comments": 5},
        },
    ]


def test_youtube_export_duplicated_headers_and_newlines(db: Engine, load_profiles: LoadProfiles) -> None:
    result = load_profiles(
        EXPORTS / "youtube_channels_export.csv", "raw/profiles/youtube_channels_export.csv"
    )

    assert (result.rows_in, result.rows_loaded) == (4, 3)
    # Physical line numbers: the header spans lines 1-2, TechWithTara's quoted note spans lines 3-4.
    assert result.rejections == [
        Rejection(8, "row has 3 cells; the header has 9", None, None),
    ]
    assert result.notes == [
        "duplicated header 'Views avg.' (column 5) ignored; column 4 is used",
        "header 'Fans' also matches 'followers'; 'Subscribers count' is used and 'Fans' is kept in extra as 'fans'",
        "headers kept as text in extra: 'Notes'",
        "platform 'youtube' taken from the file name",
        "line 7, column 'Views avg.': negative count '-3'; '-3' left empty (an optional column)",
        "1 blank line(s) skipped",
    ]
    common = {
        "platform": "youtube",
        "name": None,
        "as_of": TODAY,
        "source": "file:youtube_channels_export",
        "avg_likes": None,
        "engagement_rate": None,
    }
    assert _snapshots(db) == [
        common
        | {
            "handle": "techwithtara",
            "category": "Tech",
            "country": "CA",
            "dim_followers": 1_200_000,
            "followers": 1_200_000,  # from "Subscribers\ncount"
            "posts": 842,
            "avg_views": 310_500.0,  # the first "Views avg." column, not the duplicate
            "extra": {"fans": 1_100_000, "notes": "top pick, renew in Q3"},
        },
        common
        | {
            "handle": "gardenguru",
            "category": "Other",  # not in the taxonomy (vocab.CATEGORIES): the text is kept in category_source
            "country": "GB",
            "dim_followers": 45_600,
            "followers": 45_600,
            "posts": 120,
            "avg_views": 12_300.0,
            "extra": {"fans": 45_000},
        },
        common
        | {
            "handle": "brokenviews",
            "category": "Gaming",
            "country": "DE",
            "dim_followers": 88_000,
            "followers": 88_000,
            "posts": 40,
            "avg_views": None,  # -3: left empty with a note
            "extra": {"fans": 88_000},
        },
    ]


def test_export_with_mapping_file_beside_it(db: Engine, load_profiles: LoadProfiles) -> None:
    result = load_profiles(EXPORTS / "socialtool_export.csv", "raw/profiles/socialtool_export.csv")

    assert (result.rows_in, result.rows_loaded, result.rejections) == (3, 3, [])
    assert result.notes == [
        "header mapping read from socialtool_export.csv.mapping.json",
        "header 'Tier' ignored by the mapping",
    ]
    common = {
        "platform": "instagram",  # "@platform" in the mapping
        "name": None,
        "category": None,
        "source": "socialtool",  # "@source" in the mapping
        "posts": None,
        "avg_views": None,
        "extra": None,
    }
    assert _snapshots(db) == [
        common
        | {
            "handle": "fit.with.jo",
            "country": "AU",
            "dim_followers": 128_400,
            "as_of": dt.date(2026, 10, 1),
            "followers": 128_400,
            "avg_likes": 5_200.0,
            "engagement_rate": 0.0089,  # "Interaction %" → 0.89 is a percent
        },
        common
        | {
            "handle": "urban.lens",
            "country": "NL",
            "dim_followers": 61_050,  # the latest snapshot's followers
            "as_of": dt.date(2026, 10, 1),
            "followers": 61_050,
            "avg_likes": 1_900.0,
            "engagement_rate": 0.025,
        },
        common
        | {
            "handle": "urban.lens",  # same handle, another date: a second snapshot, not a duplicate
            "country": "NL",
            "dim_followers": 61_050,
            "as_of": dt.date(2026, 9, 1),
            "followers": 60_000,
            "avg_likes": 1_800.0,
            "engagement_rate": 0.024,
        },
    ]


def test_explicit_mapping_wins(db: Engine, load_profiles: LoadProfiles, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Followers,Audience,Who\n5k,12000,jo\n", encoding="utf-8")
    # Without a mapping "Followers" is the followers column; the mapping sends it to extra instead.
    mapping = {
        "Who": "handle",
        "Audience": "followers",
        "Followers": "extra.followers_old",
        "@platform": "TikTok",
    }
    result = load_profiles(path, "export.csv", mapping)
    assert (result.rows_loaded, result.rejections) == (1, [])
    (row,) = _snapshots(db)
    assert (row["platform"], row["handle"], row["followers"], row["extra"]) == (
        "tiktok",
        "jo",
        12_000,
        {"followers_old": "5k"},  # an extra the loader does not know is kept as text
    )


def test_missing_required_columns_rejected(db: Engine, load_profiles: LoadProfiles) -> None:
    with pytest.raises(FileRejected) as exc:
        load_profiles(EXPORTS / "missing_columns_export.csv")
    assert exc.value.reason == (
        "missing required column(s) handle, followers; headers found: Full Name, Niche, Likes avg, Engagement rate. "
        "Add the column or map a header to it with a mapping file (--map mapping.json or <file>.mapping.json)."
    )
    assert exc.value.details == {
        "missing": ["handle", "followers"],
        "headers": ["Full Name", "Niche", "Likes avg", "Engagement rate"],
    }
    assert _counts(db) == (0, 0)


def test_missing_one_required_column(db: Engine, load_profiles: LoadProfiles, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Username,Likes avg\njo,5\n", encoding="utf-8")
    with pytest.raises(
        FileRejected, match=r"^missing required column\(s\) followers; headers found: Username, "
    ):
        load_profiles(path)


def test_bad_mapping_rejected(load_profiles: LoadProfiles, tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("Who,Fans\njo,5\n", encoding="utf-8")
    with pytest.raises(FileRejected) as exc:
        load_profiles(path, mapping={"Who": "influencer"})
    assert exc.value.reason.startswith(
        "bad header mapping: mapping for 'Who' names unknown column 'influencer'"
    )
    (tmp_path / "x.mapping.json").write_text("not json", encoding="utf-8")
    with pytest.raises(FileRejected, match="mapping file x.mapping.json is not valid JSON"):
        load_profiles(path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file: no header row"),
        (b"\r\n\r\n", "empty file: no header row"),
        (b"\r\nHandle,Followers\r\njo,1k\r\n", "no header row: the first line is empty"),
        (b",,,\nfoo,1,2,3\n", "the first row is empty: no header row"),
    ],
)
def test_structurally_broken_files(
    load_profiles: LoadProfiles, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as exc:
        load_profiles(path)
    assert exc.value.reason == reason


def test_wrong_encoding_rolls_back(
    db: Engine, load_profiles: LoadProfiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Good rows are written batch by batch (batch of 1 here); an undecodable byte later in the file
    # rejects the whole file, and the caller's transaction leaves nothing behind.
    monkeypatch.setattr(profiles, "BATCH_ROWS", 1)
    path = tmp_path / "cp1252.csv"
    path.write_bytes(b"Handle,Followers,Country\nanna,1k,Spain\nbea,2k,Espa\xf1a\n")
    with pytest.raises(
        FileRejected,
        match=r"^the file is not valid UTF-8 text \(invalid continuation byte\); save it as CSV UTF-8$",
    ):
        load_profiles(path)
    assert _counts(db) == (0, 0)


def test_header_only_file(load_profiles: LoadProfiles, tmp_path: Path) -> None:
    path = tmp_path / "instagram_empty.csv"
    path.write_text("Handle,Followers,ER\n", encoding="utf-8")
    result = load_profiles(path)
    assert (result.rows_in, result.rows_loaded, result.rejections) == (0, 0, [])
    assert result.notes == [
        "platform 'instagram' taken from the file name",
        "the file has a header but no data rows",
    ]


def test_semicolon_utf16_and_platform_column(db: Engine, load_profiles: LoadProfiles, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    text = (
        "Platform;Account;Followers count;Engagement rate;Date\r\n"
        "TikTok;a1;1 234;2,5%;2026-01-05\r\n"
        "YT;b2;10k;3%;2026-01-05\r\n"
        "Insta;c3;10k;3%;2099-01-01\r\n"
        "My Space!!;d4;10k;3%;2026-01-05\r\n"
        "Instagram;e5;10k;3%;1999-12-31\r\n"
    )
    path.write_bytes(text.encode("utf-16"))
    result = load_profiles(path)
    assert (result.rows_in, result.rows_loaded) == (5, 2)
    assert result.rejections == [  # the ambiguous '2,5%' of line 2 is an optional cell: left empty, noted
        Rejection(4, "as_of 2099-01-01 is in the future", "as_of", "2099-01-01"),
        Rejection(5, "unknown platform 'My Space!!'", "platform", "My Space!!"),
        Rejection(6, "as_of 1999-12-31 is before 2004-01-01", "as_of", "1999-12-31"),
    ]
    assert [
        (row["platform"], row["handle"], row["followers"], row["engagement_rate"], row["as_of"])
        for row in _snapshots(db)
    ] == [
        ("tiktok", "a1", 1_234, None, dt.date(2026, 1, 5)),
        ("youtube", "b2", 10_000, 0.03, dt.date(2026, 1, 5)),
    ]
    assert any("'2,5%' left empty" in note for note in result.notes)


def test_no_platform_anywhere_defaults_to_instagram(
    db: Engine, load_profiles: LoadProfiles, tmp_path: Path
) -> None:
    path = tmp_path / "creators.csv"
    path.write_text("Handle,Followers (K),Posts\njo,12.5,40\n", encoding="utf-8")
    result = load_profiles(path)
    assert result.notes == [
        "header 'Followers (K)': values are multiplied by 1,000",
        "no platform column, mapping default or platform in the file name: assuming 'instagram'",
    ]
    (row,) = _snapshots(db)
    assert (row["platform"], row["followers"], row["posts"], row["source"]) == (
        "instagram",
        12_500,
        40,
        "file:creators",
    )


def test_small_batches_load_the_real_dataset(
    db: Engine, load_profiles: LoadProfiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profiles, "BATCH_ROWS", 7)
    result = load_profiles(REAL_DATASET)
    assert (result.rows_in, result.rows_loaded) == (199, 199)
    assert _counts(db) == (199, 199)


def test_reload_same_source_replaces_snapshot(
    db: Engine, load_profiles: LoadProfiles, tmp_path: Path
) -> None:
    path = tmp_path / "tiktok_weekly.csv"
    path.write_text("Handle,Followers,Avg views\njo,1k,500\n", encoding="utf-8")
    load_profiles(path)
    path.write_text("Handle,Followers,Avg views\njo,1.1k,\n", encoding="utf-8")
    load_profiles(path)
    (row,) = _snapshots(db)
    # The snapshot is the file's latest content (an emptied cell is empty); the influencer keeps the max info.
    assert (row["followers"], row["avg_views"], row["dim_followers"]) == (1_100, None, 1_100)


def test_per_cell_notes_are_grouped(db: Engine, load_profiles: LoadProfiles, tmp_path: Path) -> None:
    path = tmp_path / "tiktok_errors.csv"
    lines = ["Handle,Followers,Avg views,Rank"]
    lines += [f"h{i},{i + 1}k,#DIV/0!,#{i}" for i in range(25)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load_profiles(path)
    assert (result.rows_in, result.rows_loaded, result.rejections) == (25, 25, [])
    errors = [n for n in result.notes if n.startswith("line ") and "spreadsheet error" in n]
    assert len(errors) == profile_rows.PER_CELL_NOTES
    assert errors[0] == "line 2, column 'Avg views': spreadsheet error #DIV/0! treated as empty"
    kept = [n for n in result.notes if "kept as text" in n]
    assert kept[0] == "line 2, column 'Rank': not a number: '#0'; kept as text"
    assert result.notes[-2:] == [
        "column 'Avg views': 5 more cell(s) with spreadsheet errors treated as empty",
        "column 'Rank': 5 more cell(s) with values kept as text",
    ]
    with db.connect() as conn:
        extra = conn.execute(
            sa.text(
                "SELECT s.extra FROM influencer_snapshot s JOIN influencer i ON i.id = s.influencer_id "
                "WHERE i.handle = 'h3'"
            )
        ).scalar_one()
    assert extra == {"rank": "#3"}


def test_several_bad_values_in_one_row(load_profiles: LoadProfiles, tmp_path: Path) -> None:
    path = tmp_path / "youtube_bad.csv"
    path.write_text("Channel,Subscribers,Videos,ER\nzed,many,-1,2%\n", encoding="utf-8")
    result = load_profiles(path)
    assert result.rejections == [
        Rejection(2, "not a number: 'many'", "followers", "many"),  # posts' -1 is only a note
    ]
