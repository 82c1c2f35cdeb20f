"""The warehouse kinds normalise what discovery filters on (issue 12, item 4): an `influencers` file mixing
spellings loads one country and one category per meaning with the file's text kept; `audience` country
buckets become ISO codes, and two spellings of one country in a group are one bucket (the later rejected)."""

from __future__ import annotations

from tests.etl.conftest import rows

MIXED = (
    "platform,handle,name,category,country,language,followers\n"
    "instagram,a1,A One,Beauty & Fashion,United States,en,1000\n"
    "instagram,a2,A Two,beauty,USA,en,2000\n"
    "instagram,a3,A Three,BEAUTY,Estados Unidos,es,3000\n"
    "instagram,a4,A Four,Makeup,États-Unis,fr,4000\n"
    "instagram,a5,A Five,Film & Animation,U.S.,en,5000\n"
    "instagram,a6,A Six,Knitting Circles,Narnia,en,6000\n"
    "instagram,a7,A Seven,,us,en,7000\n"
)


def test_influencers_file_mixing_spellings_loads_one_country_and_category(db, load, write_csv):
    outcome = load(write_csv("mixed.csv", MIXED, "influencers"), kind="influencers")
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 7, 7)
    assert rows(
        db,
        "SELECT handle, category, category_source, country, country_source FROM influencer ORDER BY handle",
    ) == [
        ("a1", "Beauty", "Beauty & Fashion", "US", "United States"),
        ("a2", "Beauty", None, "US", "USA"),
        ("a3", "Beauty", None, "US", "Estados Unidos"),
        ("a4", "Beauty", "Makeup", "US", "États-Unis"),
        ("a5", "Film & TV", "Film & Animation", "US", "U.S."),
        ("a6", "Other", "Knitting Circles", None, "Narnia"),
        ("a7", None, None, "US", None),
    ]
    assert "column 'country': 1 value(s) name no country ('Narnia')" in outcome.message, outcome.message
    assert rows(db, "SELECT count(*) FROM influencer WHERE country = 'US'") == [(6,)]


def test_reloading_normalised_values_clears_the_source(db, load, write_csv):
    load(write_csv("mixed.csv", MIXED, "influencers"), kind="influencers")
    again = "platform,handle,category,country\ninstagram,a1,Beauty,US\n"
    assert load(write_csv("again.csv", again, "influencers"), kind="influencers").rows_loaded == 1
    assert rows(
        db, "SELECT category, category_source, country, country_source FROM influencer WHERE handle = 'a1'"
    ) == [("Beauty", None, "US", None)]


def test_audience_country_buckets_are_iso_codes(seeded, load, write_csv):
    text = (
        "platform,handle,dimension,bucket,share\n"
        "instagram,ana,country,Brazil,0.5\n"
        "instagram,ana,country,Estados Unidos,0.3\n"
        "instagram,ana,country,other,0.2\n"
        "instagram,ana,Country,United States,0.1\n"
        "instagram,ana,gender,female,1\n"
    )
    outcome = load(write_csv("aud.csv", text, "audience"), kind="audience")
    assert (outcome.rows_in, outcome.rows_loaded) == (5, 4)
    assert [(r.line, r.reason.split(" (")[0]) for r in outcome.rejections] == [
        (5, "duplicate audience bucket")
    ]
    assert rows(seeded, "SELECT dimension, bucket, share FROM audience_share ORDER BY 1, 2") == [
        ("country", "BR", 0.5),
        ("country", "US", 0.3),
        ("country", "other", 0.2),
        ("gender", "female", 1.0),
    ]


class _Filters:
    """What list_influencers reads: the given filters, None for every other (so new filters need no edit)."""

    def __init__(self, **given):
        self.__dict__.update(sort="followers", order="asc", page=1, page_size=50, **given)

    def __getattr__(self, name):
        return None


def _filters(**given):
    return _Filters(**given)


def test_discovery_filters_on_the_normalised_values(db, load, write_csv):
    from predictfluence.queries.influencers import list_influencers

    load(write_csv("mixed.csv", MIXED, "influencers"), kind="influencers")  # refreshes the rollups
    items, total = list_influencers(_filters(country="US"))
    assert total == 6 and [i["handle"] for i in items] == ["a1", "a2", "a3", "a4", "a5", "a7"]
    items, total = list_influencers(_filters(category="Beauty", country="us"))
    assert [i["handle"] for i in items] == ["a1", "a2", "a3", "a4"]
    assert list_influencers(_filters(country="Narnia"))[1] == 0
