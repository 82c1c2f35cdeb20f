"""etl_jobs.normalise: countries to ISO 3166-1 alpha-2, categories onto the taxonomy, platforms, handles
(issue 12, item 4). Many spellings each: codes, case, accents, punctuation, other languages, junk."""

from __future__ import annotations

import pytest

from etl_jobs import normalise as norm
from predictfluence.vocab import CATEGORIES, OTHER_CATEGORY

UNITED_STATES = [
    "US",
    "us",
    "USA",
    "usa",
    "U.S.",
    "u.s.a.",
    "U.S.A",
    "United States",
    "UNITED STATES",
    "united states",
    "United States of America",
    "  United   States ",
    "the United States",
    "America",
    "Estados Unidos",
    "estados unidos",
    "États-Unis",
    "Etats-Unis",
    "etats unis",
    "Vereinigte Staaten",
    "Stati Uniti",
    "Amerika Serikat",
    "Amerika Birleşik Devletleri",
    "米国",
    "美国",
    "美國",
    "미국",
    "الولايات المتّحدة",
]


@pytest.mark.parametrize("raw", UNITED_STATES)
def test_every_spelling_of_the_united_states_is_one_country(raw):
    assert norm.country(raw) == "US"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Spain", "ES"),
        ("España", "ES"),
        ("espana", "ES"),
        ("Espagne", "ES"),
        ("Spanien", "ES"),
        ("ESP", "ES"),
        ("Brazil", "BR"),
        ("Brasil", "BR"),
        ("Brésil", "BR"),
        ("BRA", "BR"),
        ("India", "IN"),
        ("भारत", "IN"),
        ("Hindistan", "IN"),
        ("UK", "GB"),
        ("U.K.", "GB"),
        ("United Kingdom", "GB"),
        ("Great Britain", "GB"),
        ("England", "GB"),
        ("Royaume-Uni", "GB"),
        ("Germany", "DE"),
        ("Deutschland", "DE"),
        ("Alemania", "DE"),
        ("DEU", "DE"),
        ("Mexico", "MX"),
        ("México", "MX"),
        ("MEXICO", "MX"),
        ("Japan", "JP"),
        ("日本", "JP"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("대한민국", "KR"),
        ("North Korea", "KP"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Turkiye", "TR"),
        ("Vietnam", "VN"),
        ("Viet Nam", "VN"),
        ("Côte d'Ivoire", "CI"),
        ("cote d ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("UAE", "AE"),
        ("United Arab Emirates", "AE"),
        ("Emiratos Árabes Unidos", "AE"),
        ("Netherlands", "NL"),
        ("The Netherlands", "NL"),
        ("Holland", "NL"),
        ("Países Bajos", "NL"),
        ("Indonesia", "ID"),
        ("Indonésia", "ID"),
        ("Argentina", "AR"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("NA", "NA"),
        ("Namibia", "NA"),
        ("Italia", "IT"),
        ("Itália", "IT"),
        ("Rusia", "RU"),
        ("Россия", "RU"),
        ("Corée du Sud", "KR"),
        ("한국", "KR"),
    ],
)
def test_countries_by_code_name_alias_and_other_languages(raw, code):
    assert norm.country(raw) == code


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "Narnia",
        "Atlantis",
        "123",
        "N/A?",
        "Worldwide",
        "xx",
        "Unitd States",
        "Spainn",
        "#VALUE!",
        "Europe",
        "@@@",
    ],
)
def test_what_names_no_country_is_none_never_a_guess(raw):
    assert norm.country(raw) is None


def test_the_translated_index_drops_names_that_mean_two_countries():
    index = norm._translated_index()
    assert index and all(len(code) == 2 and code.isupper() for code in index.values())
    assert len(index) > 1000  # 16 languages × ~250 countries, less duplicates and ambiguities


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("Beauty", "Beauty"),
        ("beauty", "Beauty"),
        ("BEAUTY", "Beauty"),
        ("Beauty & Fashion", "Beauty"),
        ("beauty and fashion", "Beauty"),
        ("Makeup", "Beauty"),
        ("Fashion", "Fashion"),
        ("fashion/style", "Fashion"),
        ("Music", "Music"),
        ("music & dance", "Music"),
        ("Lifestyle", "Lifestyle"),
        ("life style", "Lifestyle"),
        ("People & Blogs", "Lifestyle"),
        ("Sports", "Sports"),
        ("sport", "Sports"),
        ("Football", "Sports"),
        ("Fitness", "Fitness"),
        ("Health & Fitness", "Fitness"),
        ("Gaming", "Gaming"),
        ("Video Games", "Gaming"),
        ("games", "Gaming"),
        ("Food", "Food"),
        ("Food & Drink", "Food"),
        ("Cooking", "Food"),
        ("Travel", "Travel"),
        ("Travel & Events", "Travel"),
        ("Tech", "Tech"),
        ("Technology", "Tech"),
        ("Science & Technology", "Tech"),
        ("Education", "Education"),
        ("Entertainment", "Entertainment"),
        ("Comedy", "Comedy"),
        ("Comedy/Humor", "Comedy"),
        ("Film & TV", "Film & TV"),
        ("film and tv", "Film & TV"),
        ("Film & Animation", "Film & TV"),
        ("Movies", "Film & TV"),
        ("News", "News"),
        ("News & Politics", "News"),
        ("Business", "Business"),
        ("Finance", "Business"),
        ("Parenting", "Parenting"),
        ("Family", "Parenting"),
        ("Pets", "Pets"),
        ("Pets & Animals", "Pets"),
        ("Art", "Art"),
        ("Photography", "Art"),
        ("Autos", "Autos"),
        ("Autos & Vehicles", "Autos"),
        ("Cars", "Autos"),
        ("Fitness Coach", "Fitness"),
        ("Health", "Health"),
        ("Science", "Science"),
        ("Dance", "Dance"),
        ("other", "Other"),
        ("Crypto & Finance", "Business"),
        ("  sports  ", "Sports"),
        ("Beauté", "Other"),
        ("xyz", "Other"),
        ("123", "Other"),
    ],
)
def test_categories_onto_the_taxonomy(raw, label):
    assert norm.category(raw) == label


def test_every_taxonomy_label_maps_to_itself_and_unknown_to_other():
    assert all(norm.category(label) == label for label in CATEGORIES)
    assert norm.category("Underwater Basket Weaving") == OTHER_CATEGORY
    assert norm.category(None) is None and norm.category("  ") is None


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("IG", "instagram"),
        ("ig", "instagram"),
        ("Insta", "instagram"),
        ("Instagram", "instagram"),
        ("INSTAGRAM", "instagram"),
        ("instagram.com", "instagram"),
        ("www.instagram.com", "instagram"),
        ("https://instagram.com/", "instagram"),
        ("YouTube", "youtube"),
        ("YT", "youtube"),
        ("youtube.com", "youtube"),
        ("youtu.be", "youtube"),
        ("YouTube Shorts", "youtube"),
        ("Tik Tok", "tiktok"),
        ("tiktok", "tiktok"),
        ("TikTok", "tiktok"),
        ("tik-tok", "tiktok"),
        ("tiktok.com", "tiktok"),
        ("X", "twitter"),
        ("x", "twitter"),
        ("Twitter", "twitter"),
        ("x.com", "twitter"),
        ("twitter.com", "twitter"),
        ("FB", "facebook"),
        ("Facebook", "facebook"),
        ("Twitch", "twitch"),
        ("twitch.tv", "twitch"),
    ],
)
def test_platforms(raw, name):
    assert norm.platform(raw) == name


@pytest.mark.parametrize("raw", [None, "", "  ", "my favourite app", "12", "!!"])
def test_what_is_no_platform_name_is_none(raw):
    assert norm.platform(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("cristiano", ("cristiano", None)),
        ("@Cristiano", ("cristiano", None)),
        ("  @KhabyLame ", ("khabylame", None)),
        ("name/", ("name", None)),
        ("Dance.Queen", ("dance.queen", None)),
        ("https://www.instagram.com/Cristiano/", ("cristiano", "instagram")),
        ("http://instagram.com/leomessi", ("leomessi", "instagram")),
        ("instagram.com/leomessi/", ("leomessi", "instagram")),
        ("www.instagram.com/selenagomez?hl=en", ("selenagomez", "instagram")),
        ("https://www.tiktok.com/@khaby.lame", ("khaby.lame", "tiktok")),
        ("tiktok.com/@Bella_Poarch", ("bella_poarch", "tiktok")),
        ("https://www.youtube.com/@MrBeast", ("mrbeast", "youtube")),
        ("youtube.com/c/PewDiePie", ("pewdiepie", "youtube")),
        ("https://youtube.com/user/tseries/videos", ("tseries", "youtube")),
        ("https://twitter.com/elonmusk", ("elonmusk", "twitter")),
        ("x.com/NASA", ("nasa", "twitter")),
        ("https://x.com/nasa/status/123", ("nasa", "twitter")),
        ("https://www.instagram.com/p/Cx1abc/", (None, "instagram")),
        (None, (None, None)),
        ("@", (None, None)),
    ],
)
def test_handles_case_at_sign_slash_and_profile_urls(raw, expected):
    assert norm.handle(raw) == expected


def test_profile_row_keeps_the_source_values_and_notes_unknown_countries():
    row = {
        "handle": "https://www.tiktok.com/@Dance.Queen",
        "country": "Estados Unidos",
        "category": "Beauty & Fashion",
    }
    assert norm.profile_row(row) == []
    assert row == {
        "handle": "dance.queen",
        "platform": "tiktok",
        "country": "US",
        "country_source": "Estados Unidos",
        "category": "Beauty",
        "category_source": "Beauty & Fashion",
    }
    row = {"handle": "a", "platform": "IG", "country": "Narnia", "category": "Music"}
    notes = norm.profile_row(row)
    assert row == {
        "handle": "a",
        "platform": "instagram",
        "country": None,
        "country_source": "Narnia",
        "category": "Music",
    }
    assert [(what, column) for what, column, _ in notes] == [("unrecognised country", "country")]
    assert "'Narnia'" in notes[0][2]


def test_profile_row_files_a_second_category_under_the_taxonomy_too():
    row, extra = {"handle": "a", "category": "Music"}, {"category_2": "Comedy/Humor"}
    norm.profile_row(row, extra)
    assert (row["category"], extra) == (
        "Music",
        {"category_2": "Comedy/Humor", "secondary_category": "Comedy"},
    )
    extra = {"rank": 3}
    norm.profile_row({"handle": "b"}, extra)
    assert extra == {"rank": 3}


def test_a_source_value_is_kept_only_when_it_says_more_than_case_or_spacing():
    assert (
        norm.differs("Estados Unidos", "US")
        and norm.differs("Makeup", "Beauty")
        and norm.differs("Narnia", None)
    )
    assert (
        not norm.differs("beauty", "Beauty")
        and not norm.differs("us", "US")
        and not norm.differs("film  & tv", "Film & TV")
    )
    row = {"handle": "a", "country": "us", "category": "music"}
    norm.profile_row(row)
    assert row == {"handle": "a", "country": "US", "category": "Music"}
