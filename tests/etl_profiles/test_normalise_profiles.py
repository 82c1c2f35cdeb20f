"""The profiles kind normalises what discovery filters on (issue 12, item 4): a file mixing spellings of
one country, one category, one platform and one handle loads them as one, the file's text kept; the real
top-200 list loads all its rows with ISO country codes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .conftest import REAL_DATASET, LoadProfiles

MIXED = (
    "Profile,Platform,Category,Country,Followers\n"
    "https://www.instagram.com/Ana.Lima/,IG,Beauty & Fashion,United States,1.2M\n"
    "@bo_chen,Insta,beauty,USA,200K\n"
    "instagram.com/cy,instagram.com,BEAUTY,Estados Unidos,30000\n"
    "https://www.tiktok.com/@Dee,Tik Tok,Makeup,États-Unis,4k\n"
    "youtube.com/@Eve,YT,Music,Vereinigte Staaten,5000\n"
    "x.com/Fay,X,Comedy/Humor,U.S.,6000\n"
    "gus,Instagram,Knitting Circles,Narnia,7000\n"
)
QUERY = sa.text("SELECT platform, handle, category, country FROM influencer ORDER BY handle")


def _rows(db: Engine, query: sa.TextClause = QUERY) -> list[tuple]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def test_a_file_mixing_spellings_loads_one_country_category_platform_and_handle(
    db: Engine, load_profiles: LoadProfiles, tmp_path: Path
) -> None:
    path = tmp_path / "mixed_export.csv"
    path.write_text(MIXED, encoding="utf-8")
    result = load_profiles(path, "raw/profiles/mixed_export.csv", {"Profile": "handle"})
    assert (result.rows_in, result.rows_loaded) == (7, 7), result.rejections
    assert _rows(db) == [
        ("instagram", "ana.lima", "Beauty", "US"),
        ("instagram", "bo_chen", "Beauty", "US"),
        ("instagram", "cy", "Beauty", "US"),
        ("tiktok", "dee", "Beauty", "US"),
        ("youtube", "eve", "Music", "US"),
        ("twitter", "fay", "Comedy", "US"),
        ("instagram", "gus", "Other", None),
    ]
    assert any("'Narnia'" in note for note in result.notes), result.notes


def test_the_real_top_200_list_loads_every_row_with_iso_countries(
    db: Engine, load_profiles: LoadProfiles
) -> None:
    result = load_profiles(REAL_DATASET, "raw/profiles/instagram/top_insta_influencers_data.csv")
    assert (result.rows_in, result.rows_loaded) == (199, 199)
    countries = Counter(country for *_, country in _rows(db))
    assert countries.most_common(4) == [("US", 66), (None, 62), ("BR", 13), ("IN", 12)]
    assert countries["ES"] == 5 and countries["GB"] == 4 and countries["CI"] == 1  # "CÃ´te d'Ivoire" repaired
    assert all(c is None or (len(c) == 2 and c.isupper()) for c in countries)
    assert not any("country" in note and "not recognised" in note for note in result.notes)


def test_category_1_and_category_2_are_primary_and_secondary(
    db: Engine, load_profiles: LoadProfiles, tmp_path: Path
) -> None:
    path = tmp_path / "tiktok_categories.csv"
    path.write_text(
        "Tiktoker,category_1,category_2,Followers\nana,Beauty & Fashion,Lifestyle,1000\n", encoding="utf-8"
    )
    mapping = {"Tiktoker": "handle", "category_1": "category", "category_2": "extra.category_2"}
    result = load_profiles(path, "raw/profiles/tiktok_categories.csv", mapping)
    assert result.rows_loaded == 1, result.rejections
    query = sa.text(
        "SELECT i.category, s.extra FROM influencer i JOIN influencer_snapshot s ON s.influencer_id = i.id"
    )
    category, extra = _rows(db, query)[0]
    assert category == "Beauty"
    assert (extra["category_2"], extra["secondary_category"]) == ("Lifestyle", "Lifestyle")


SOURCES = sa.text(
    "SELECT handle, category, category_source, country, country_source FROM influencer ORDER BY handle"
)


SOURCE_MAP: dict[str, object] = {"Username": "handle", "Category": "category", "Country": "country"}


def test_the_file_text_of_category_and_country_is_written_and_follows_reloads(
    db: Engine, load_profiles: LoadProfiles, tmp_path: Path
) -> None:
    """category_source / country_source (issue 12 follow-up 1): written when the text says more than the
    normalised value; a reload with the same text keeps them, one writing the normalised value itself
    clears them, an empty cell keeps them."""
    path = tmp_path / "sources_export.csv"
    path.write_text(
        "Username,Category,Country,Followers\n"
        "@TechWithTara,Beauty & Fashion,Estados Unidos,1.2M\n"
        "bo,beauty,us,5000\n"
        "cy,Knitting Circles,Narnia,7000\n",
        encoding="utf-8",
    )
    result = load_profiles(path, "raw/profiles/instagram/sources_export.csv", SOURCE_MAP)
    assert (result.rows_in, result.rows_loaded) == (3, 3), result.rejections
    first = [
        ("bo", "Beauty", None, "US", None),
        ("cy", "Other", "Knitting Circles", None, "Narnia"),
        ("techwithtara", "Beauty", "Beauty & Fashion", "US", "Estados Unidos"),
    ]
    assert _rows(db, SOURCES) == first
    assert load_profiles(path, "raw/profiles/instagram/sources_export.csv", SOURCE_MAP).rows_loaded == 3
    assert _rows(db, SOURCES) == first  # the same text: kept
    path.write_text(
        "Username,Category,Country,Followers\ntechwithtara,Beauty,US,1.3M\ncy,,,7100\n", encoding="utf-8"
    )
    assert load_profiles(path, "raw/profiles/instagram/sources_export.csv", SOURCE_MAP).rows_loaded == 2
    assert _rows(db, SOURCES) == [
        ("bo", "Beauty", None, "US", None),
        ("cy", "Other", "Knitting Circles", None, "Narnia"),  # empty cells keep value and source
        ("techwithtara", "Beauty", None, "US", None),  # the normalised value itself: the source cleared
    ]
