"""One handle rule for every kind (issue 12 follow-up 3): a handle is case-folded, stripped of a leading
``@`` and reduced from a profile URL wherever it enters (etl_jobs.normalise.handle), so posts, audience
and hires files spelling a handle differently attach to the influencer a profiles export created."""

from __future__ import annotations

from .conftest import rows, scalar

PROFILES = (
    "Username,Category,Country,Followers\n"
    "TechWithTara,Tech,US,1.2M\n"
    "@Bo_Chen,Beauty,BR,200K\n"
    "https://www.instagram.com/Straße.Cy/,Food,DE,30000\n"
)
MAPPING = {"Username": "handle", "Category": "category", "Country": "country", "Followers": "followers"}
CAMPAIGNS = "name,brand,objective,status,start_date,end_date,budget,currency\nLaunch,Zed,awareness,active,2026-01-01,,100000,USD\n"


def test_posts_audience_and_hires_attach_to_the_profiles_influencers_whatever_the_spelling(
    db, load, write_csv
) -> None:
    profiles = load(write_csv("instagram_export.csv", PROFILES), kind="profiles", mapping=MAPPING)
    assert profiles.status == "loaded", profiles
    ids = dict(rows(db, "SELECT handle, id FROM influencer"))
    assert set(ids) == {"techwithtara", "bo_chen", "strasse.cy"}
    assert load(write_csv("campaigns.csv", CAMPAIGNS), kind="campaigns").status == "loaded"

    posts = load(
        write_csv(
            "posts.csv",
            (
                "platform,post_id,handle,posted_at,content_type,sponsored,campaign\n"
                "instagram,p1,TechWithTara,2026-03-02T10:00:00Z,reel,true,Launch\n"
                "Instagram,p2,@TechWithTara,2026-03-03,reel,false,\n"
                "instagram,p3,@BO_CHEN ,2026-03-04,photo,,\n"
                "instagram,p4,instagram.com/STRASSE.CY,2026-03-05,photo,,\n"
                "instagram,p5,https://www.instagram.com/p/Cx1/,2026-03-05,photo,,\n"
            ),
        ),
        kind="posts",
    )
    assert (posts.rows_in, posts.rows_loaded) == (5, 4), posts
    assert [(r.line, r.column, r.reason) for r in posts.rejections] == [
        (6, "handle", "not a handle (a URL that names no profile)")
    ]
    assert rows(db, "SELECT external_id, influencer_id FROM post ORDER BY external_id") == [
        ("p1", ids["techwithtara"]),
        ("p2", ids["techwithtara"]),
        ("p3", ids["bo_chen"]),
        ("p4", ids["strasse.cy"]),
    ]

    audience = load(
        write_csv(
            "audience.csv",
            (
                "platform,handle,dimension,bucket,share\n"
                "instagram,@techwithtara,gender,female,0.6\n"
                "instagram,TECHWITHTARA,gender,male,0.4\n"
                "instagram,@Straße.Cy,country,Germany,1\n"
            ),
        ),
        kind="audience",
    )
    assert (audience.rows_in, audience.rows_loaded) == (3, 3), audience
    assert rows(
        db, "SELECT influencer_id, bucket, share FROM audience_share ORDER BY influencer_id, bucket"
    ) == sorted(
        [
            (ids["techwithtara"], "female", 0.6),
            (ids["techwithtara"], "male", 0.4),
            (ids["strasse.cy"], "DE", 1.0),
        ]
    )

    hires = load(
        write_csv(
            "hires.csv",
            (
                "campaign,platform,handle,status,agreed_cost,hired_at\n"
                "Launch,instagram,@TechWithTara,contracted,1000,2026-03-01\n"
                "Launch,instagram,bo_chen,contracted,500,2026-03-01\n"
                "Launch,instagram,@bo_chen,completed,500,2026-03-01\n"
            ),
        ),
        kind="hires",
    )
    assert (hires.rows_in, hires.rows_loaded) == (3, 2), hires
    assert hires.rejections[0].line == 4 and "duplicate hire" in hires.rejections[0].reason  # one key
    assert sorted(rows(db, "SELECT influencer_id FROM campaign_influencer")) == sorted(
        [(ids["techwithtara"],), (ids["bo_chen"],)]
    )

    again = load(
        write_csv(
            "influencers.csv",
            (
                "platform,handle,name,category,country,language,followers\n"
                "instagram,@TechWithTara,Tara,Tech,US,en,1300000\n"
            ),
        ),
        kind="influencers",
    )
    assert again.status == "loaded", again
    assert scalar(db, "SELECT count(*) FROM influencer") == 3  # no duplicate
    assert rows(db, "SELECT name, followers FROM influencer WHERE id = :i", i=ids["techwithtara"]) == [
        ("Tara", 1300000)
    ]
