"""Header normalisation, every alias, units in headers, duplicates, mappings (etl_jobs.headers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl_jobs import headers as hdr
from etl_jobs import reading

REAL_HEADER = [
    "\ufeffrank",
    "Influencer Name",
    "influence Score",
    "Total Posts",
    "Followers",
    "Avg likes",
    "60 Day Eng Rate",
    "Avg Like",
    "Total Likes",
    "Country",
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\ufeffrank", "rank"),
        ("Avg. likes", "avg likes"),
        ("AVG_LIKES", "avg likes"),
        ("Subscribers\ncount", "subscribers count"),
        ("  Views avg.  ", "views avg"),
        ("60 Day Eng Rate", "60 day eng rate"),
        ("Engagement-Rate (%)", "engagement rate"),
        ("Catégorie", "catégorie"),
    ],
)
def test_normalize_header(raw: str, expected: str) -> None:
    assert reading.alias_key(raw) == expected


ALIAS_CASES = [
    ("handle", ["Handle", "Influencer Name", "channel_info", "Username", "Account", "Channel", "@handle"]),
    ("name", ["Name", "Full name", "Display Name"]),
    ("platform", ["Platform", "Network", "Social network"]),
    ("category", ["Category", "Niche", "Topic", "Categories", "Genre"]),
    ("country", ["Country", "Audience country", "Top country", "Location", "Top audience country"]),
    (
        "followers",
        ["Followers", "Subscribers", "Subscribers count", "Followers count", "Fans", "Subscribers\ncount"],
    ),
    ("posts", ["Total Posts", "Posts", "Videos", "Uploads", "Post count"]),
    ("avg_likes", ["Avg likes", "Likes avg", "Average likes", "Avg. likes", "Avg Like"]),
    ("avg_views", ["Views avg.", "Avg views", "Average views", "Avg video views"]),
    ("engagement_rate", ["60 Day Eng Rate", "Engagement rate", "ER", "Eng. rate", "Engagement"]),
    ("as_of", ["as_of", "Date", "Snapshot date", "Report date"]),
]


@pytest.mark.parametrize(
    ("column", "alias"), [(column, alias) for column, aliases in ALIAS_CASES for alias in aliases]
)
def test_every_alias(column: str, alias: str) -> None:
    # Put the alias beside a handle and followers column (unless it is one of them) and resolve.
    header = [alias]
    if column != "handle":
        header.append("Handle")
    if column != "followers":
        header.append("Followers")
    resolution = hdr.resolve(header)
    assert resolution.columns[column].index == 0
    assert resolution.columns[column].header == " ".join(alias.split())


@pytest.mark.parametrize(
    ("alias", "key", "type_"),
    [
        ("rank", "rank", "count"),
        ("influence Score", "influence_score", "amount"),
        ("New post avg like", "new_post_avg_likes", "amount"),
        ("Total Likes", "total_likes", "count"),
        ("Comments avg.", "avg_comments", "amount"),
        ("Avg comments", "avg_comments", "amount"),
        ("Shares avg", "avg_shares", "amount"),
        ("Total views", "total_views", "count"),
        ("Agency Contact", "agency_contact", "text"),
    ],
)
def test_extras(alias: str, key: str, type_: str) -> None:
    resolution = hdr.resolve(["Handle", "Followers", alias])
    (extra,) = resolution.extras
    assert (extra.target, extra.type, extra.index) == (f"extra.{key}", type_, 2)


def test_real_header() -> None:
    resolution = hdr.resolve(REAL_HEADER)
    assert {c: s.index for c, s in resolution.columns.items()} == {
        "handle": 1,
        "country": 9,
        "followers": 4,
        "posts": 3,
        "avg_likes": 5,
        "engagement_rate": 6,
    }
    assert [(e.index, e.target, e.type) for e in resolution.extras] == [
        (7, "extra.new_post_avg_likes", "amount"),
        (0, "extra.rank", "count"),
        (2, "extra.influence_score", "amount"),
        (8, "extra.total_likes", "count"),
    ]
    assert resolution.headers[0] == "rank"  # the BOM did not leak
    assert resolution.missing() == []
    assert resolution.notes == [
        "header 'Avg Like' also matches 'avg_likes'; 'Avg likes' is used and 'Avg Like' is kept in extra as "
        "'new_post_avg_likes'"
    ]


def test_lone_avg_like_is_avg_likes() -> None:
    resolution = hdr.resolve(["Handle", "Followers", "Avg Like"])
    assert resolution.columns["avg_likes"].index == 2
    assert resolution.extras == []


def test_units_in_headers() -> None:
    resolution = hdr.resolve(["Handle", "Followers (M)", "Avg views (k)", "ER (%)", "Posts"])
    assert resolution.columns["followers"].scale == 1_000_000
    assert resolution.columns["avg_views"].scale == 1_000
    assert resolution.columns["engagement_rate"].percent is True
    assert resolution.columns["posts"].scale == 1
    assert "header 'Followers (M)': values are multiplied by 1,000,000" in resolution.notes
    assert "header 'ER (%)': values are percentages" in resolution.notes


def test_duplicated_and_empty_headers() -> None:
    resolution = hdr.resolve(["Channel", "Views avg.", "Views avg", "Subscribers", "", "Views avg."])
    assert resolution.columns["avg_views"].index == 1
    assert resolution.notes[:3] == [
        "duplicated header 'Views avg' (column 3) ignored; column 2 is used",
        "column 5 has an empty header and is ignored",
        "duplicated header 'Views avg.' (column 6) ignored; column 2 is used",
    ]
    assert resolution.extras == []


def test_missing_required() -> None:
    resolution = hdr.resolve(["Full Name", "Niche", "Likes avg"])
    assert resolution.missing() == ["handle", "followers"]


def test_mapping_wins_over_aliases() -> None:
    mapping = {
        "Creator ID": "handle",
        "Reach (followers)": "followers",
        "Followers": "extra.followers_last_year",
        "Interaction %": "engagement_rate",
        "Tier": "ignore",
        "Absent": "posts",
        "@platform": "youtube",
    }
    resolution = hdr.resolve(
        ["Creator ID", "Reach (followers)", "Followers", "Interaction %", "Tier"], mapping
    )
    assert resolution.columns["handle"].index == 0
    assert resolution.columns["followers"].index == 1
    assert resolution.columns["engagement_rate"].percent is True
    assert [(e.index, e.target) for e in resolution.extras] == [(2, "extra.followers_last_year")]
    assert resolution.defaults == {"platform": "youtube"}
    assert "mapping names header 'Absent', which the file does not have" in resolution.notes
    assert "header 'Tier' ignored by the mapping" in resolution.notes


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"A": "likes"}, "mapping for 'A' names unknown column 'likes'"),
        ({"A": 3}, "mapping for 'A' must be a column name, got 3"),
        ({"@plat": "x"}, "unknown mapping default '@plat'"),
        ({"A": "handle", "B": "handle"}, "mapping sends two headers to 'handle'"),
    ],
)
def test_bad_mappings(mapping: dict[str, object], message: str) -> None:
    with pytest.raises(hdr.MappingError, match=message):
        hdr.resolve(["A", "B"], mapping)


def test_read_mapping_file(tmp_path: Path) -> None:
    path = tmp_path / "export.mapping.json"
    path.write_text(json.dumps({"Creator": "handle"}), encoding="utf-8")
    assert reading.read_mapping_file(path) == {"Creator": "handle"}
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(hdr.MappingError, match="must hold a JSON object"):
        reading.read_mapping_file(path)
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(hdr.MappingError, match="mapping file export.mapping.json is not valid JSON"):
        reading.read_mapping_file(path)
    assert reading.mapping_paths_beside(tmp_path / "export.csv") == [
        tmp_path / "export.csv.mapping.json",
        tmp_path / "export.mapping.json",
    ]
