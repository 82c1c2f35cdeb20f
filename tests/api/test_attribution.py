"""Who made each write (issue 14.2): a campaign's creator and last editor, a hire's maker, a key's creator and
a file's uploader are stored as `principal.actor` and shown with a readable label (the key's name)."""

from __future__ import annotations

import json

import sqlalchemy as sa


def _actor(engine, name: str) -> str:
    with engine.connect() as conn:
        return f"key:{conn.execute(sa.text('SELECT id FROM api_key WHERE name = :n'), {'n': name}).scalar_one()}"


def test_a_campaign_names_its_creator_and_last_editor(client, auth, dataset):
    manager, admin = _actor(dataset, "test manager"), _actor(dataset, "test admin")
    created = client.http.post("/campaigns", headers=auth["manager"], body=json.dumps({"name": "Autumn"})).json_body
    assert (created["created_by"], created["created_by_label"], created["updated_by"], created["updated_by_label"]) == (
        manager, "test manager", manager, "test manager")
    changed = client.http.patch(f"/campaigns/{created['id']}", headers=auth["admin"],
                                body=json.dumps({"budget": 10})).json_body
    assert (changed["created_by"], changed["updated_by"], changed["updated_by_label"]) == (manager, admin, "test admin")
    listed = {c["id"]: c for c in client.http.get("/campaigns", headers=auth["viewer"]).json_body["items"]}
    assert listed[created["id"]]["updated_by_label"] == "test admin"
    assert listed[1]["created_by"] is None and listed[1]["created_by_label"] is None  # written before attribution
    # archiving (DELETE of a campaign with hires) is an edit too
    client.http.delete("/campaigns/1", headers=auth["manager"])
    assert client.http.get("/campaigns/1", headers=auth["viewer"]).json_body["updated_by"] == manager


def test_a_hire_names_who_made_it(client, auth, dataset):
    manager = _actor(dataset, "test manager")
    one = client.http.post("/campaigns/1/influencers", headers=auth["manager"],
                           body=json.dumps({"influencer_id": 4, "agreed_cost": 100})).json_body
    assert one["hired_by"] == manager
    bulk = client.http.post("/campaigns/3/hires", headers=auth["admin"], body=json.dumps(
        {"hires": [{"influencer_id": 1, "agreed_cost": 0}], "overspend": True})).json_body
    assert [h["hired_by"] for h in bulk["hired"]] == [_actor(dataset, "test admin")]
    hires = {h["influencer_id"]: h for h in client.http.get("/campaigns/1/influencers",
                                                              headers=auth["viewer"]).json_body["items"]}
    assert (hires[4]["hired_by"], hires[4]["hired_by_label"]) == (manager, "test manager")
    assert hires[1]["hired_by"] is None and hires[1]["hired_by_label"] is None
    updated = client.http.patch("/campaigns/1/influencers/4", headers=auth["admin"],
                                body=json.dumps({"status": "live"})).json_body
    assert updated["hired_by"] == manager  # a status change does not change who hired


def test_a_key_names_its_creator_and_an_unnamed_key_reads_as_its_id(client, auth, dataset):
    created = client.http.post("/keys", headers=auth["admin"], body=json.dumps({"role": "viewer"})).json_body
    assert (created["created_by"], created["created_by_label"]) == (_actor(dataset, "test admin"), "test admin")
    from predictfluence.api.auth import create_key

    key, row = create_key("admin")  # the CLI's way: no creator, no name
    assert row["created_by"] is None
    made = client.http.post("/keys", headers={"Authorization": f"Bearer {key}"},
                            body=json.dumps({"role": "viewer", "name": "ci"})).json_body
    assert (made["created_by"], made["created_by_label"]) == (f"key:{row['id']}", f"key {row['id']}")
    listed = {k["id"]: k for k in client.http.get("/keys", headers=auth["admin"]).json_body["items"]}
    assert listed[made["id"]]["created_by_label"] == f"key {row['id']}"
    assert listed[row["id"]]["created_by"] is None


def test_a_load_names_who_uploaded_its_file(client, auth, dataset, aws):
    ticket = client.http.post("/uploads", headers=auth["manager"], body=json.dumps(
        {"kind": "posts", "filename": "week.csv", "content_length": 10})).json_body
    with dataset.begin() as conn:
        ids = conn.execute(sa.text(
            "INSERT INTO etl_load (file_key, checksum, kind, status) VALUES (:k, 'a', 'posts', 'loaded'), "
            "('raw/posts/20260101/cli.csv', 'b', 'posts', 'loaded') RETURNING id"), {"k": ticket["key"]}).scalars().all()
    loads = {load["id"]: load for load in client.http.get("/etl/loads", headers=auth["viewer"]).json_body["items"]}
    assert (loads[ids[0]]["uploaded_by"], loads[ids[0]]["uploaded_by_label"]) == (
        _actor(dataset, "test manager"), "test manager")
    assert loads[ids[1]]["uploaded_by"] is None and loads[ids[1]]["uploaded_by_label"] is None
    assert client.http.get(f"/etl/loads/{ids[0]}", headers=auth["viewer"]).json_body["uploaded_by_label"] == "test manager"
