"""POST /imports/preview and /imports/mappings (issue 12, item 3): a manager previews an export, saves a
corrected mapping, and a later file with the same header loads with it through the ETL handler."""

from __future__ import annotations

import json
import re

import boto3
import pytest
import sqlalchemy as sa

# A TikTok export as ranking sites publish them (written here; no third-party file).
EXPORT = (
    "Rank,Tiktoker,Tiktoker name,Subscribers count,Views avg.,Likes avg.,Comments avg.,Shares avg.,Country\n"
    "1,khaby.lame,Khabane lame,149200000,17300000,2300000,15700,9800,Italy\n"
    "2,charlidamelio,charli d'amelio,149300000,5800000,823500,8900,3500,United States\n"
    "3,mrbeast,MrBeast,61900000,47500000,5300000,54800,56200,United States\n"
    "4,bellapoarch,Bella Poarch,93100000,2600000,338800,2700,1300,Philippines\n"
    "5,addisonre,Addison Rae,88800000,2300000,289600,2100,1200,United States\n"
    "6,zachking,Zach King,71000000,10200000,1100000,8800,14500,United States\n"
)
HEADER = EXPORT.split("\n", 1)[0].split(",")
# The next month's file: same columns in another order, other numbers.
NEXT_MONTH = (
    "Country,Tiktoker,Tiktoker name,Rank,Subscribers count,Views avg.,Likes avg.,Comments avg.,Shares avg.\n"
    "Italy,khaby.lame,Khabane lame,1,150100000,16900000,2200000,15000,9100\n"
    "United States,zachking,Zach King,2,71200000,10000000,1000000,8000,14000\n"
)
SAVED = {
    "Rank": "ignore",
    "Tiktoker": "handle",
    "Tiktoker name": "extra.display_name",
    "Subscribers count": "followers",
    "Country": "ignore",
    "@platform": "tiktok",
}


def _preview(client, auth, **body):
    body = {"file_name": "tiktok_september.csv", "head": EXPORT, **body}
    return client.http.post("/imports/preview", headers=auth["manager"], body=json.dumps(body))


def _save(client, auth, mapping, header=HEADER, signature=None):
    from etl_jobs.infer import header_signature

    signature = signature or header_signature(header)
    body = {"kind": "profiles", "header": header, "mapping": mapping, "source_name": "TikTok top 1000"}
    return client.http.put(
        f"/imports/mappings?signature={signature}", headers=auth["manager"], body=json.dumps(body)
    )


def test_preview_of_a_realistic_export(client, auth, api_db):
    response = _preview(client, auth)
    assert response.status_code == 200, response.body
    got = response.json_body
    assert (got["kind"], got["platform"], got["ready"], got["saved"]) == ("profiles", "tiktok", True, False)
    assert got["header"] == HEADER and got["rows_sampled"] == 6
    by_header = {c["header"]: c for c in got["columns"]}
    assert by_header["Tiktoker"]["target"] == "handle"
    assert by_header["Subscribers count"]["target"] == "followers"
    assert by_header["Tiktoker"]["samples"][:2] == ["khaby.lame", "charlidamelio"]
    assert all(c["why"] for c in got["columns"])
    assert {"handle", "followers", "ignore"} <= set(got["targets"])
    assert (
        client.http.post(
            "/imports/preview",
            headers=auth["viewer"],
            body=json.dumps({"file_name": "a.csv", "head": EXPORT}),
        ).status_code
        == 403
    )


def test_save_list_and_preview_with_the_saved_mapping(client, auth, api_db):
    response = _save(client, auth, SAVED)
    assert response.status_code == 200, response.body
    saved = response.json_body
    assert saved["mapping"] == SAVED and re.fullmatch(r"test manager \(key \d+\)", saved["saved_by"])
    listed = client.http.get("/imports/mappings", headers=auth["viewer"]).json_body
    assert [i["signature"] for i in listed["items"]] == [saved["signature"]] and listed["page_info"][
        "total"
    ] == 1
    again = _preview(client, auth).json_body
    assert again["saved"] is True and again["saved_by"] == saved["saved_by"] and again["mapping"] == SAVED
    assert {c["header"]: c["target"] for c in again["columns"]}["Country"] == "ignore"
    # the same columns in another order share the signature
    moved = _preview(client, auth, head=NEXT_MONTH).json_body
    assert moved["saved"] is True and moved["header_signature"] == saved["signature"]
    gone = client.http.delete(f"/imports/mappings?signature={saved['signature']}", headers=auth["manager"])
    assert gone.status_code == 200
    assert (
        client.http.delete(
            f"/imports/mappings?signature={saved['signature']}", headers=auth["manager"]
        ).status_code
        == 404
    )
    assert _preview(client, auth).json_body["saved"] is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"Country": "nationality"}, "mapping.Country"),  # an unknown target column
        ({"Rank": "followers"}, "mapping.Rank"),  # two headers to one column
        ({"Instagram handle": "handle"}, "mapping.Instagram handle"),  # a header the file lacks
        ({"Tiktoker": "ignore"}, "mapping"),  # nothing maps to the required handle
        ({"@currency": "usd"}, "mapping.@currency"),  # an unknown default
    ],
)
def test_a_bad_mapping_is_422_naming_the_field(client, auth, api_db, change, field):
    response = _save(client, auth, {**SAVED, **change})
    assert response.status_code == 422, response.body
    assert field in [d["field"] for d in response.json_body["error"]["details"]], response.body
    assert client.http.get("/imports/mappings", headers=auth["viewer"]).json_body["page_info"]["total"] == 0
    preview = _preview(client, auth, mapping={**SAVED, **change})
    assert preview.status_code == 422 and field in [d["field"] for d in preview.json_body["error"]["details"]]


def test_a_header_of_another_signature_or_a_bad_signature_is_refused(client, auth, api_db):
    response = _save(client, auth, SAVED, signature="0" * 64)
    assert response.status_code == 422 and response.json_body["error"]["details"][0]["field"] == "header"
    bad = _save(client, auth, SAVED, signature="not-hex")
    assert bad.status_code == 400 and "signature" in bad.body.decode()
    assert _preview(client, auth, head="\n\n").status_code == 422


def test_the_saved_mapping_applies_to_a_later_upload_through_the_etl_handler(client, auth, api_db, aws):
    from functions.events.etl import handle_message

    assert _save(client, auth, SAVED).status_code == 200
    key = "raw/profiles/20261101/ab12cd34-october.csv"  # no platform in the name: the mapping's @platform
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket=aws["raw_bucket"], Key=key, Body=NEXT_MONTH.encode()
    )
    event = {
        "Records": [
            {
                "eventName": "ObjectCreated:Post",
                "s3": {"bucket": {"name": aws["raw_bucket"]}, "object": {"key": key}},
            }
        ]
    }
    [outcome] = handle_message(json.dumps(event))
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 2), outcome.message
    # the loader's note is the AppliedMapping's: whose mapping, saved when
    assert re.search(
        r"notes: mapping saved on \d{4}-\d\d-\d\d by test manager \(key \d+\) applied;", outcome.message
    )
    assert "the saved mapping of this header" not in outcome.message
    with api_db.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT i.platform, i.handle, i.country, i.followers, s.extra FROM influencer i "
                "JOIN influencer_snapshot s ON s.influencer_id = i.id ORDER BY i.handle"
            )
        ).all()
    assert [(r.platform, r.handle, r.country, r.followers) for r in rows] == [
        ("tiktok", "khaby.lame", None, 150_100_000),
        ("tiktok", "zachking", None, 71_200_000),
    ]
    assert rows[0].extra["display_name"] == "Khabane lame" and "rank" not in rows[0].extra


def test_the_etl_lookup_says_whose_mapping_and_when(api_db):
    from etl_jobs.infer import header_signature
    from predictfluence.queries.mappings import save_mapping, saved_mapping_lookup

    signature = header_signature(HEADER)
    save_mapping(signature, "profiles", SAVED, "TikTok top 1000", "key 9")
    applied = saved_mapping_lookup(api_db)(signature)
    assert applied == SAVED and re.fullmatch(
        r"mapping saved on \d{4}-\d\d-\d\d by key 9 applied", applied.note
    )
    assert saved_mapping_lookup(api_db)("0" * 64) is None
