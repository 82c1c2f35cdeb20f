"""The audit log (issue 14.5): every write route appends exactly one audit_event row naming who (the key's
actor and role), what (action, target, a few fields) and from where; a refused or failed write appends
none; the table refuses UPDATE and DELETE; GET /audit (admin) pages and filters it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from tests.cognito_pool import cognito, moto_endpoint  # noqa: F401 - fixtures (the users API, ID tokens)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SIGNATURE_HEADER = ["Rank", "Tiktoker", "Subscribers count"]
MAPPING = {"Rank": "ignore", "Tiktoker": "handle", "Subscribers count": "followers", "@platform": "tiktok"}


def _events(engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text("SELECT * FROM audit_event ORDER BY id")).mappings()]


def _key_id(engine, name: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT id FROM api_key WHERE name = :n"), {"n": name}).scalar_one()


def _signature() -> str:
    from etl_jobs.infer import header_signature

    return header_signature(SIGNATURE_HEADER)


def _shortlist(engine) -> int:
    from predictfluence.queries import shortlists

    return shortlists.create_shortlist("Faves", [1, 2], _key_id(engine, "test manager"))  # type: ignore[return-value]


def _load(engine) -> int:
    with engine.begin() as conn:
        return conn.execute(sa.text(
            "INSERT INTO etl_load (file_key, checksum, kind, status) VALUES "
            "('raw/influencers/20260301/ab12cd34-week.csv', 'c0ffee', 'influencers', 'loaded') RETURNING id"
        )).scalar_one()


def _stub_handler(monkeypatch, method: str, path: str, result: Any = None) -> None:
    from app import app

    endpoint = app.routes[path][method].view_function
    monkeypatch.setattr(endpoint, "handler", lambda **kwargs: result)


# (method, path) → (role, setup(ctx) → (url, body), (action, target_type, target_id or a ctx key, details)).
# `target` "response.<field>" is read from the response. Setup runs through the query layer (no audit row).
Case = tuple[str, Callable[[dict[str, Any]], tuple[str, Any]], tuple[str, str | None, Any, dict[str, Any] | None]]
CASES: dict[tuple[str, str], Case] = {
    ("POST", "/campaigns"): ("manager", lambda c: ("/campaigns", {"name": "Autumn", "budget": 500}),
                             ("campaign.create", "campaign", "response.id", {"name": "Autumn", "budget": 500})),
    ("PATCH", "/campaigns/{campaign_id}"): ("manager", lambda c: ("/campaigns/2", {"budget": 1500}),
                                            ("campaign.update", "campaign", "2", {"budget": 1500})),
    ("DELETE", "/campaigns/{campaign_id}"): ("manager", lambda c: ("/campaigns/3", None),
                                             ("campaign.delete", "campaign", "3", None)),
    ("POST", "/campaigns/{campaign_id}/influencers"): (
        "manager", lambda c: ("/campaigns/1/influencers", {"influencer_id": 4, "agreed_cost": 100}),
        ("hire.create", "campaign", "1", {"influencer_id": 4, "agreed_cost": 100})),
    ("POST", "/campaigns/{campaign_id}/hires"): (
        "manager", lambda c: ("/campaigns/1/hires", {"hires": [{"influencer_id": 4, "agreed_cost": 100},
                                                               {"influencer_id": 5, "agreed_cost": 50}]}),
        ("hires.bulk", "campaign", "1", {"hires": {"count": 2}})),
    ("PATCH", "/campaigns/{campaign_id}/influencers/{influencer_id}"): (
        "manager", lambda c: ("/campaigns/1/influencers/1", {"status": "live"}),
        ("hire.update", "campaign", "1", {"influencer_id": 1, "status": "live"})),
    ("DELETE", "/campaigns/{campaign_id}/influencers/{influencer_id}"): (
        "manager", lambda c: ("/campaigns/2/influencers/5", None),
        ("hire.delete", "campaign", "2", {"influencer_id": 5})),
    ("POST", "/campaigns/{campaign_id}/plan"): (
        "manager", lambda c: (_stub_handler(c["monkeypatch"], "POST", "/campaigns/{campaign_id}/plan"),
                              ("/campaigns/1/plan", {"budget": 900}))[1],
        ("plan.request", "campaign", "1", {"budget": 900})),
    ("POST", "/keys"): ("admin", lambda c: ("/keys", {"role": "viewer", "name": "ci"}),
                        ("key.create", "key", "response.id", {"role": "viewer", "name": "ci"})),
    ("DELETE", "/keys/{key_id}"): (
        "admin", lambda c: (f"/keys/{_key_id(c['db'], 'test viewer')}", None),
        ("key.revoke", "key", "viewer_key", None)),
    ("POST", "/uploads"): ("manager", lambda c: ("/uploads", {"kind": "posts", "filename": "week 1.csv",
                                                              "content_length": 10}),
                           ("upload.create", "upload", "response.key",
                            {"kind": "posts", "filename": "week 1.csv", "content_length": 10})),
    ("POST", "/etl/loads/{load_id}/rerun"): (
        "manager", lambda c: (f"/etl/loads/{c.setdefault('load', _load(c['db']))}/rerun", None),
        ("etl.rerun", "etl_load", "load", None)),
    ("POST", "/models/retrain"): (
        "admin", lambda c: (_stub_handler(c["monkeypatch"], "POST", "/models/retrain",
                                          {"mode": "thread", "function": None}), ("/models/retrain", None))[1],
        ("retrain.request", "model", None, None)),
    ("PUT", "/imports/mappings"): (
        "manager", lambda c: (f"/imports/mappings?signature={_signature()}",
                              {"kind": "profiles", "header": SIGNATURE_HEADER, "mapping": MAPPING}),
        ("mapping.save", "mapping", "signature", {"kind": "profiles", "header": {"count": 3}, "mapping": {"keys": 4}})),
    ("DELETE", "/imports/mappings"): (
        "manager", lambda c: (__import__("predictfluence.queries.mappings", fromlist=["x"]).save_mapping(
            _signature(), "profiles", MAPPING, None, "setup") and f"/imports/mappings?signature={_signature()}", None),
        ("mapping.delete", "mapping", "signature", None)),
    ("POST", "/shortlists"): ("manager", lambda c: ("/shortlists", {"name": "Top", "influencer_ids": [1, 3]}),
                              ("shortlist.create", "shortlist", "response.id",
                               {"name": "Top", "influencer_ids": {"count": 2}})),
    ("PATCH", "/shortlists/{shortlist_id}"): (
        "manager", lambda c: (f"/shortlists/{c.setdefault('list', _shortlist(c['db']))}", {"name": "Best"}),
        ("shortlist.rename", "shortlist", "list", {"name": "Best"})),
    ("DELETE", "/shortlists/{shortlist_id}"): (
        "manager", lambda c: (f"/shortlists/{c.setdefault('list', _shortlist(c['db']))}", None),
        ("shortlist.delete", "shortlist", "list", None)),
    ("POST", "/shortlists/{shortlist_id}/items"): (
        "manager", lambda c: (f"/shortlists/{c.setdefault('list', _shortlist(c['db']))}/items",
                              {"influencer_ids": [3], "note": "great reach"}),
        ("shortlist.items_add", "shortlist", "list", {"influencer_ids": {"count": 1}, "note": "great reach"})),
    ("PATCH", "/shortlists/{shortlist_id}/items/{influencer_id}"): (
        "manager", lambda c: (f"/shortlists/{c.setdefault('list', _shortlist(c['db']))}/items/1", {"note": "ok"}),
        ("shortlist.item_note", "shortlist", "list", {"influencer_id": 1, "note": "ok"})),
    ("DELETE", "/shortlists/{shortlist_id}/items/{influencer_id}"): (
        "manager", lambda c: (f"/shortlists/{c.setdefault('list', _shortlist(c['db']))}/items/2", None),
        ("shortlist.item_remove", "shortlist", "list", {"influencer_id": 2})),
}


# Writes that need a Cognito pool: tested below with moto's server (test_user_writes_are_audited).
USER_WRITES = {("POST", "/users"), ("PATCH", "/users/{email}")}


def _specs() -> dict[tuple[str, str], Any]:
    from app import app

    return {(m, p): entry.view_function.__pf_route__ for p, methods in app.routes.items()
            for m, entry in methods.items() if m in WRITE_METHODS and hasattr(entry.view_function, "__pf_route__")}


def test_every_write_route_names_its_audit_action_and_is_tested_here():
    specs = _specs()
    unnamed = sorted(key for key, spec in specs.items() if spec.audit is None)
    assert unnamed == [], "a write route must say audit=\"<action>\" (or audit=False when it writes nothing)"
    audited = {key for key, spec in specs.items() if spec.audit}
    assert audited == set(CASES) | USER_WRITES, "each audited route needs a case in CASES"
    assert {key for key, spec in specs.items() if spec.audit is False} == {("POST", "/imports/preview")}
    assert len(audited) >= 23


@pytest.mark.parametrize(("method", "path"), sorted(CASES))
def test_a_write_appends_exactly_one_audit_row(client, auth, dataset, aws, monkeypatch, method, path):
    monkeypatch.setenv("PF_ETL_QUEUE", "pf-test-audit")
    monkeypatch.delenv("PF_ETL_QUEUE_URL", raising=False)
    import boto3

    boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="pf-test-audit")
    role, setup, (action, target_type, target, details) = CASES[(method, path)]
    ctx: dict[str, Any] = {"db": dataset, "monkeypatch": monkeypatch}
    url, body = setup(ctx)
    assert _events(dataset) == []
    response = client.http.request(method, url, headers={**auth[role], "Content-Type": "application/json"},
                                   body=json.dumps(body) if body is not None else b"")
    assert response.status_code < 300, response.body
    [event] = _events(dataset)
    expected_target = {
        "response.id": lambda: str(response.json_body["id"]),
        "response.key": lambda: response.json_body["key"],
        "viewer_key": lambda: str(_key_id(dataset, "test viewer")),
        "signature": _signature,
        "load": lambda: str(ctx["load"]),
        "list": lambda: str(ctx["list"]),
    }.get(target, lambda: target)()
    assert (event["actor"], event["role"], event["action"], event["target_type"], event["target_id"]) == (
        f"key:{_key_id(dataset, f'test {role}')}", role, action, target_type, expected_target)
    assert event["details"] == details
    assert event["source_ip"] == "127.0.0.1"  # the Chalice test client's request context
    assert isinstance(event["at"], dt.datetime)


@pytest.mark.parametrize(("role", "method", "url", "body", "status"), [
    ("manager", "POST", "/campaigns", {"name": "Spring Glow"}, 409),  # the name is taken
    ("manager", "POST", "/campaigns", {"name": ""}, 422),
    ("manager", "PATCH", "/campaigns/999", {"budget": 1}, 404),
    ("manager", "POST", "/campaigns/1/influencers", {"influencer_id": 1, "agreed_cost": 1}, 409),  # already hired
    ("manager", "POST", "/campaigns/2/influencers", {"influencer_id": 4, "agreed_cost": 99999}, 409),  # over budget
    ("viewer", "POST", "/campaigns", {"name": "Sneaky"}, 403),
    ("manager", "POST", "/keys", {"role": "admin"}, 403),
    ("admin", "DELETE", "/keys/999", None, 404),
    ("manager", "DELETE", "/shortlists/999", None, 404),
])
def test_a_refused_or_failed_write_appends_nothing(client, auth, dataset, role, method, url, body, status):
    response = client.http.request(method, url, headers={**auth[role], "Content-Type": "application/json"},
                                   body=json.dumps(body) if body is not None else b"")
    assert response.status_code == status, response.body
    assert _events(dataset) == []


def test_the_audit_table_refuses_update_and_delete(client, auth, dataset):
    assert client.http.post("/campaigns", headers=auth["manager"], body=json.dumps({"name": "A"})).status_code == 201
    for statement in ("UPDATE audit_event SET actor = 'key:0'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), dataset.begin() as conn:
            conn.execute(sa.text(statement))
    [event] = _events(dataset)
    assert event["actor"] == f"key:{_key_id(dataset, 'test manager')}"


def _audit(client, auth, query: str = "") -> Any:
    response = client.http.get(f"/audit{query}", headers=auth["admin"])
    assert response.status_code == 200, response.body
    return response.json_body


def test_get_audit_pages_and_filters(client, auth, dataset):
    manager, admin = auth["manager"], auth["admin"]
    created = client.http.post("/campaigns", headers=manager, body=json.dumps({"name": "A", "budget": 10})).json_body
    assert client.http.patch(f"/campaigns/{created['id']}", headers=manager,
                             body=json.dumps({"budget": 20})).status_code == 200
    assert client.http.post("/keys", headers=admin, body=json.dumps({"role": "viewer", "name": "ci"})).status_code == 201
    manager_actor = f"key:{_key_id(dataset, 'test manager')}"
    admin_actor = f"key:{_key_id(dataset, 'test admin')}"

    everything = _audit(client, auth)
    assert [e["action"] for e in everything["items"]] == ["key.create", "campaign.update", "campaign.create"]
    assert everything["page_info"] == {"total": 3, "page": 1, "page_size": 50, "pages": 1}
    first = everything["items"][2]
    assert first == {**first, "actor": manager_actor, "actor_label": "test manager", "role": "manager",
                     "target_type": "campaign", "target_id": str(created["id"]),
                     "details": {"name": "A", "budget": 10}, "source_ip": "127.0.0.1"}

    assert [e["action"] for e in _audit(client, auth, "?action=campaign")["items"]] == [
        "campaign.update", "campaign.create"]
    assert [e["action"] for e in _audit(client, auth, "?action=campaign.update")["items"]] == ["campaign.update"]
    assert _audit(client, auth, "?action=camp")["items"] == []  # a prefix is a whole word
    assert [e["actor_label"] for e in _audit(client, auth, f"?actor={admin_actor}")["items"]] == ["test admin"]
    assert _audit(client, auth, f"?target_type=campaign&target_id={created['id']}")["page_info"]["total"] == 2
    today = dt.datetime.now(dt.UTC).date()
    assert _audit(client, auth, f"?start_date={today}&end_date={today}")["page_info"]["total"] == 3
    assert _audit(client, auth, f"?end_date={today - dt.timedelta(days=1)}")["page_info"]["total"] == 0
    assert _audit(client, auth, f"?start_date={today + dt.timedelta(days=1)}")["page_info"]["total"] == 0
    paged = _audit(client, auth, "?page=2&page_size=2")
    assert [e["action"] for e in paged["items"]] == ["campaign.create"]
    assert paged["page_info"] == {"total": 3, "page": 2, "page_size": 2, "pages": 2}


@pytest.mark.parametrize(("query", "field"), [
    ("?start_date=2026-02-02&end_date=2026-02-01", "end_date"),
    ("?page_size=500", "page_size"),
    ("?start_date=yesterday", "start_date"),
    ("?who=me", "who"),
])
def test_get_audit_refuses_bad_filters_naming_the_field(client, auth, api_db, query, field):
    response = client.http.get(f"/audit{query}", headers=auth["admin"])
    assert response.status_code == 400
    assert field in {d["field"] for d in response.json_body["error"]["details"]}


def test_get_audit_is_for_admins_only(client, auth, api_db):
    for role in ("viewer", "manager"):
        response = client.http.get("/audit", headers=auth[role])
        assert response.status_code == 403
        assert response.json_body["error"]["details"]["required_role"] == "admin"
    assert client.http.get("/audit").status_code == 401


def test_user_writes_are_audited_and_a_signed_in_user_is_the_actor(cognito, db):  # noqa: F811 - the fixture
    """The users API (invite, role change) is audited like every write, and a write made with a Cognito ID
    token names the user (user:<email>) in the log and on the campaign it created."""
    from chalice.test import Client

    from app import app
    from predictfluence.api.auth import create_key, forget_verified_keys

    forget_verified_keys()
    key, row = create_key("admin", "ops")
    admin = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    with Client(app) as client:
        invited = client.http.post("/users", headers=admin, body=json.dumps({"email": "Ana@Example.com", "role": "viewer"}))
        assert invited.status_code == 201, invited.body
        changed = client.http.patch("/users/ana%40example.com", headers=admin, body=json.dumps({"role": "manager"}))
        assert changed.status_code == 200, changed.body
        assert client.http.patch("/users/nobody%40example.com", headers=admin,
                                 body=json.dumps({"role": "manager"})).status_code == 404
        token = cognito["token"]("lea@example.com", "manager")
        user = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        created = client.http.post("/campaigns", headers=user, body=json.dumps({"name": "By Lea"}))
        assert created.status_code == 201, created.body
        assert (created.json_body["created_by"], created.json_body["created_by_label"]) == (
            "user:lea@example.com", "lea@example.com")
        listed = client.http.post("/shortlists", headers=user, body=json.dumps({"name": "Lea's", "influencer_ids": []}))
        assert listed.status_code == 201, listed.body
        assert listed.json_body["created_by"] == "lea@example.com"  # not "key None"
        from etl_jobs.infer import header_signature

        saved = client.http.put(f"/imports/mappings?signature={header_signature(SIGNATURE_HEADER)}", headers=user,
                                body=json.dumps({"kind": "profiles", "header": SIGNATURE_HEADER, "mapping": MAPPING}))
        assert saved.status_code == 200, saved.body
        assert saved.json_body["saved_by"] == "lea@example.com"
    forget_verified_keys()
    events = [(e["actor"], e["role"], e["action"], e["target_type"], e["target_id"], e["details"]) for e in _events(db)]
    assert events == [
        (f"key:{row['id']}", "admin", "user.invite", "user", "ana@example.com",
         {"email": "ana@example.com", "role": "viewer"}),
        (f"key:{row['id']}", "admin", "user.update", "user", "ana@example.com", {"role": "manager"}),
        ("user:lea@example.com", "manager", "campaign.create", "campaign", str(created.json_body["id"]),
         {"name": "By Lea"}),
        ("user:lea@example.com", "manager", "shortlist.create", "shortlist", str(listed.json_body["id"]),
         {"name": "Lea's", "influencer_ids": {"count": 0}}),
        ("user:lea@example.com", "manager", "mapping.save", "mapping", header_signature(SIGNATURE_HEADER),
         {"kind": "profiles", "header": {"count": 3}, "mapping": {"keys": 4}}),
    ]


def test_a_lost_audit_row_is_logged_and_the_committed_write_still_answers(client, auth, dataset, monkeypatch, caplog):
    """The row is appended right after the write commits; if that insert fails the write is not undone (the
    client would retry a write that happened): the answer stands and the loss is logged as an error."""
    from predictfluence.queries import audit

    def broken(*args, **kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(audit, "record", broken)
    with caplog.at_level("ERROR", logger="predictfluence.api"):
        response = client.http.post("/campaigns", headers={**auth["manager"], "Content-Type": "application/json"},
                                    body=json.dumps({"name": "Still made"}))
    assert response.status_code == 201
    assert client.http.get(f"/campaigns/{response.json_body['id']}", headers=auth["viewer"]).status_code == 200
    assert _events(dataset) == []
    assert any("audit row lost: campaign.create" in r.getMessage() for r in caplog.records)


def test_audit_csv_has_the_filtered_entries(client, auth, dataset):
    import csv
    import io

    manager = {**auth["manager"], "Content-Type": "application/json"}
    created = client.http.post("/campaigns", headers=manager, body=json.dumps({"name": "=HYPERLINK(1)"})).json_body
    client.http.post("/shortlists", headers=manager, body=json.dumps({"name": "Faves"}))
    response = client.http.get("/audit.csv?action=campaign&page=3&page_size=1", headers=auth["admin"])
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.body.decode())))
    assert rows[0] == ["at", "actor", "actor_label", "role", "action", "target_type", "target_id", "details",
                       "source_ip", "request_id"]
    assert [r[1:8] for r in rows[1:]] == [[f"key:{_key_id(dataset, 'test manager')}", "test manager", "manager",
                                          "campaign.create", "campaign", str(created["id"]),
                                          '{"name": "=HYPERLINK(1)"}']]
    assert client.http.get("/audit.csv", headers=auth["manager"]).status_code == 403
