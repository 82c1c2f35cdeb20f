"""Content inference (etl_jobs.infer) on realistic exports written here: each trait of issue 12 in a
file of 200-1,000 rows, loaded with no mapping file (>= 95 % of the rows) or stopped with a preview that
names the ambiguous columns."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from etl_jobs import infer
from etl_jobs.base import FileRejected
from tests.etl_profiles.conftest import LoadProfiles

NAMES = [
    "Khaby Lame",
    "Charli D'Amelio",
    "Ana Souza",
    "Иван Петров",
    "田中 太郎",
    "محمد علي",
    "Zoë Krämer",
    "Priya Sharma",
    "김민지",
    "Lucía Gómez",
]
COUNTRIES = ["Spain", "India", "Brazil", "United States", "Japan", "Germany", "Mexico", "Indonesia"]
CATEGORIES = ["Music", "Comedy", "Beauty", "Gaming", "Food", "Sports", "Travel"]
ERRORS = ["#VALUE!", "#VALOR!", "#WERT!", "#N/A", "#NV", "N/A", "", "#DIV/0!", "#REF!", "#NAME?", "#NUM!"]


def _short(n: int) -> str:
    for suffix, size in (("B", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= size:
            return f"{n / size:.1f}{suffix}"
    return str(n)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _handle(rng: random.Random, i: int) -> str:
    return f"{rng.choice(['dance', 'chef', 'gamer', 'the', 'its'])}{rng.choice(['_', '.', ''])}creator{i}"


def _maybe_error(rng: random.Random, value: str, share: float = 0.05) -> str:
    return rng.choice(ERRORS) if rng.random() < share else value


def tiktok_file(tmp: Path) -> Path:
    """Rank first, the handle under `Tiktoker` beside a display `name`, followers twice (22.2M then exact),
    abbreviated headers with trailing spaces, localised error values."""
    rng = random.Random(1)
    rows = []
    for i in range(1, 401):
        followers = rng.randint(50_000, 90_000_000)
        rows.append(
            [
                str(i),
                _handle(rng, i),
                f"{rng.choice(NAMES)} {i}",
                _short(followers),
                str(followers),
                _maybe_error(rng, f"{rng.uniform(0.5, 15):.1f}%"),
                _maybe_error(rng, _short(followers // 9)),
                _maybe_error(rng, rng.choice(COUNTRIES)),
            ]
        )
    header = [
        "Rank",
        "Tiktoker",
        "name",
        "Followers ",
        "Followers count",
        "Eng. (Auth.)",
        "views(avg)",
        "Country",
    ]
    return _write(tmp / "tiktok_2026_10.csv", header, rows)


def tiktok_reversed_file(tmp: Path) -> Path:
    """The other way round: display names under `Tiktoker`, the handles under `name`."""
    rng = random.Random(7)
    rows = [
        [
            f"{rng.choice(NAMES)} {i}",
            _handle(rng, i),
            _short(rng.randint(10_000, 9_000_000)),
            f"{rng.uniform(1, 9):.1f}%",
        ]
        for i in range(1, 301)
    ]
    return _write(tmp / "tiktok_2026_08.csv", ["Tiktoker", "name", "Followers", "Engagement"], rows)


def youtube_file(tmp: Path) -> Path:
    """S.no, `Youtuber name` (display) next to `channel name` (handle), newline in a header,
    category_1/category_2."""
    rng = random.Random(2)
    rows = []
    for i in range(1, 301):
        subs = rng.randint(10_000, 200_000_000)
        rows.append(
            [
                str(i),
                f"{rng.choice(NAMES)} TV {i}",
                _handle(rng, i),
                _short(subs),
                _maybe_error(rng, _short(subs // 20)),
                rng.choice(CATEGORIES),
                _maybe_error(rng, rng.choice(CATEGORIES), 0.3),
                rng.choice(COUNTRIES),
            ]
        )
    header = [
        "S.no",
        "Youtuber name",
        "channel name",
        "Subscribers",
        "Avg.\nviews",
        "category_1",
        "category_2",
        "Country",
    ]
    return _write(tmp / "youtube_2026_10.csv", header, rows)


def instagram_file(tmp: Path) -> Path:
    """`Influencer insta name` (display) and `Instagram name` (handle): only the values tell which."""
    rng = random.Random(3)
    rows = []
    for i in range(1, 501):
        followers = rng.randint(10_000, 600_000_000)
        rows.append(
            [
                f"{rng.choice(NAMES)} {i}",
                _handle(rng, i),
                rng.choice(CATEGORIES),
                _short(followers),
                rng.choice(COUNTRIES),
                _maybe_error(rng, f"{rng.uniform(0.1, 9):.2f}%"),
                _maybe_error(rng, _short(followers // 50)),
            ]
        )
    header = [
        "Influencer insta name",
        "Instagram name",
        "category_1",
        "Followers",
        "Audience country(mostly)",
        "Authentic engagement\n",
        "Avg. likes",
    ]
    return _write(tmp / "instagram_2026_11.csv", header, rows)


def mislabelled_file(tmp: Path) -> Path:
    """A `Views avg.` column full of country names, 1,022 rows."""
    rng = random.Random(4)
    rows = [
        [
            _handle(rng, i),
            f"{rng.choice(NAMES)}",
            _short(rng.randint(10_000, 9_000_000)),
            rng.choice(COUNTRIES),
            _short(rng.randint(100, 90_000)),
        ]
        for i in range(1, 1023)
    ]
    header = ["Username", "Display name", "Followers", "Views avg.", "Avg. likes"]
    return _write(tmp / "tiktok_2026_09.csv", header, rows)


def unlabelled_file(tmp: Path) -> Path:
    """No header names a handle: the profile URLs and lowercase tokens do (platform from the URLs)."""
    rng = random.Random(5)
    rows = []
    for i in range(1, 251):
        handle = _handle(rng, i)
        rows.append(
            [
                f"https://www.instagram.com/{handle}/",
                f"{rng.choice(NAMES)} {i}",
                _short(rng.randint(10_000, 9_000_000)),
                _maybe_error(rng, f"{rng.uniform(0.1, 9):.2f}%", 0.2),
            ]
        )
    return _write(tmp / "export_nov.csv", ["Link", "Who", "Audience size", "ER"], rows)


def ambiguous_file(tmp: Path) -> Path:
    """Two columns of handle-like values under headers that say nothing: a tie, never a guess."""
    rng = random.Random(6)
    rows = [
        [_handle(rng, i), _handle(rng, i + 5000), _short(rng.randint(10_000, 9_000_000))]
        for i in range(1, 201)
    ]
    return _write(tmp / "list.csv", ["Col A", "Col B", "Reach"], rows)


LOADED: dict[str, float] = {}


@pytest.mark.parametrize(
    ("make", "handle", "name"),
    [
        (tiktok_file, "Tiktoker", "name"),
        (tiktok_reversed_file, "name", "Tiktoker"),
        (youtube_file, "channel name", "Youtuber name"),
        (instagram_file, "Instagram name", "Influencer insta name"),
        (mislabelled_file, "Username", "Display name"),
        (unlabelled_file, "Link", "Who"),
    ],
)
def test_exports_load_without_a_mapping(
    make, handle: str, name: str, load_profiles: LoadProfiles, tmp_path: Path
) -> None:
    path = make(tmp_path)
    head = path.read_bytes()[: 1 << 20]
    shown = infer.preview(head, path.name)
    targets = {c["header"]: c["target"] for c in shown["columns"]}
    assert shown["ready"] and shown["kind"] == "profiles"
    assert (targets[handle], targets[name]) == ("handle", "name")
    result = load_profiles(path, f"raw/profiles/{path.name}")
    share = result.rows_loaded / result.rows_in
    LOADED[path.name] = share
    print(f"{path.name}: {result.rows_loaded}/{result.rows_in} rows loaded ({share:.1%})")
    assert share >= 0.95, result.rejections[:5]


def test_mislabelled_column_becomes_the_country(load_profiles: LoadProfiles, tmp_path: Path) -> None:
    path = mislabelled_file(tmp_path)
    result = load_profiles(path, f"raw/profiles/{path.name}")
    assert (result.rows_in, result.rows_loaded) == (1022, 1022)
    assert any("'Views avg.'" in n and "countries" in n for n in result.notes), result.notes
    shown = infer.preview(path.read_bytes(), path.name)
    assert shown["mapping"]["Views avg."] == "country" and shown["ready"]


def test_duplicated_metric_keeps_the_exact_copy(tmp_path: Path) -> None:
    path = tiktok_file(tmp_path)
    header, rows = infer.parse_head(path.read_bytes())
    found = infer.infer_columns(header, rows, path.name)
    assert found.assigned("followers").header == "Followers count"  # 22200000, not 22.2M
    assert "repeats 'Followers count'" in (found.columns[3].note or "")
    assert found.assigned("extra.rank").header == "Rank"
    assert found.platform == "tiktok" and found.platform_source == "file name"


def test_platform_from_profile_urls(tmp_path: Path) -> None:
    path = unlabelled_file(tmp_path)
    shown = infer.preview(path.read_bytes(), path.name)
    assert (shown["platform"], shown["platform_source"]) == ("instagram", "handles")
    assert shown["mapping"]["@platform"] == "instagram"


def test_ambiguous_handles_stop_with_a_preview(load_profiles: LoadProfiles, tmp_path: Path) -> None:
    path = ambiguous_file(tmp_path)
    shown = infer.preview(path.read_bytes(), path.name)
    assert not shown["ready"]
    assert {a["header"] for a in shown["ambiguous"]} & {"Col A", "Col B"}
    with pytest.raises(FileRejected) as caught:
        load_profiles(path, f"raw/profiles/{path.name}")
    assert "Col A" in caught.value.reason and "Col B" in caught.value.reason


def test_broken_optional_column_is_dropped_with_a_note(load_profiles: LoadProfiles, tmp_path: Path) -> None:
    rows = [[f"user{i}", f"{i}k", "lots" if i % 3 else "12"] for i in range(1, 241)]
    path = _write(tmp_path / "instagram_x.csv", ["Username", "Followers", "Total posts"], rows)
    result = load_profiles(path, f"raw/profiles/{path.name}")
    assert (result.rows_in, result.rows_loaded) == (240, 240)
    assert any("'Total posts' dropped" in n and "'lots'" in n for n in result.notes), result.notes
    shown = infer.preview(path.read_bytes(), path.name)
    posts = next(c for c in shown["columns"] if c["header"] == "Total posts")
    assert (posts["dropped"], posts["target"], shown["mapping"]["Total posts"]) == (True, "ignore", "ignore")
    assert "'lots'" in posts["note"]


def test_header_signature_ignores_order_and_spelling() -> None:
    a = infer.header_signature(["Followers ", "Avg. likes", "Tiktoker"])
    assert a == infer.header_signature(["tiktoker", "avg likes", "FOLLOWERS"])
    assert a != infer.header_signature(["tiktoker", "avg likes"])
    assert len(a) == 64


def test_saved_mapping_hook_wins_over_inference(
    load_profiles: LoadProfiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ambiguous_file(tmp_path)
    header, _ = infer.parse_head(path.read_bytes())
    saved = {infer.header_signature(header): {"Col A": "handle", "Col B": "name", "Reach": "followers"}}
    monkeypatch.setattr(infer, "SAVED_MAPPING_LOOKUP", saved.get)
    result = load_profiles(path, f"raw/profiles/{path.name}")
    assert result.rows_loaded == 200
    assert "header mapping: the saved mapping of this header" in result.notes


def test_pipeline_detects_profiles_by_content(db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No kind given, no raw/<kind>/ folder, a header no kind matches: the content says profiles."""
    from etl_jobs import pipeline
    from etl_jobs.base import SourceFile
    from predictfluence.config import reset_settings

    monkeypatch.setenv("PF_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    try:
        path = unlabelled_file(tmp_path)
        outcome = pipeline.load_file(db, SourceFile(path, str(path)))
    finally:
        reset_settings()
    assert (outcome.kind, outcome.status, outcome.rows_in, outcome.rows_loaded) == (
        "profiles",
        "loaded",
        250,
        250,
    )


def test_metric_twice_under_one_header_uses_the_exact_copy(
    db, load_profiles: LoadProfiles, tmp_path: Path
) -> None:
    import sqlalchemy as sa

    rng = random.Random(8)
    exact = [rng.randint(1_000_000, 90_000_000) for _ in range(200)]
    rows = [[f"creator{i}", _short(n), str(n)] for i, n in enumerate(exact)]
    path = _write(tmp_path / "instagram_twice.csv", ["Username", "Followers", "Followers"], rows)
    result = load_profiles(path, f"raw/profiles/{path.name}")
    assert result.rows_loaded == 200
    assert any("column 3 (exact numbers) is used for followers" in n for n in result.notes), result.notes
    with db.connect() as conn:
        loaded = conn.execute(sa.text("SELECT handle, followers FROM influencer")).all()
    assert sorted(f for _, f in loaded) == sorted(exact)
