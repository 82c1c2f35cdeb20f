"""The users API (admin): invite with a one-time temporary password, list, change a role, disable /
enable; exact values, the 4xx answers, and what a change does to the user's own ID token."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

JSON = {"Content-Type": "application/json"}


@pytest.fixture()
def team(cognito, db):
    from app import app
    from predictfluence.api.auth import create_key, forget_verified_keys

    forget_verified_keys()
    with Client(app) as client:
        admin = {"Authorization": f"Bearer {cognito['token']('boss@example.com', 'admin')}"}
        yield {"client": client, "admin": admin, "key": {"Authorization": f"Bearer {create_key('admin')[0]}"},
               **cognito}
    forget_verified_keys()


def _post(team, path, body, headers=None):
    return team["client"].http.post(path, headers={**(headers or team["admin"]), **JSON}, body=json.dumps(body))


def _patch(team, path, body, headers=None):
    return team["client"].http.patch(path, headers={**(headers or team["admin"]), **JSON}, body=json.dumps(body))


def _first_sign_in(team, email: str, temporary: str, new_password: str = "N3w-Passw0rd!x") -> str:
    from predictfluence import identity

    pool = team["pool"]
    cognito = identity.client()
    challenge = cognito.initiate_auth(AuthFlow="USER_PASSWORD_AUTH", ClientId=pool.client_id,
                                      AuthParameters={"USERNAME": email, "PASSWORD": temporary})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = cognito.respond_to_auth_challenge(
        ClientId=pool.client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": new_password})
    return done["AuthenticationResult"]["IdToken"]


def test_invite_lists_and_signs_in_with_the_temporary_password(team):
    from predictfluence.queries import users as q

    response = _post(team, "/users", {"email": "Ana@Example.com", "role": "manager"})
    assert response.status_code == 201, response.body
    body = response.json_body
    password = body.pop("temporary_password")
    assert len(password) == 16
    assert body["created"] is not None
    body.pop("created")
    assert body == {"email": "ana@example.com", "role": "manager", "status": "FORCE_CHANGE_PASSWORD", "enabled": True}
    record = q.by_email("ana@example.com")
    assert (record["role"], record["disabled_at"], record["invited_by"]) == ("manager", None, "user:boss@example.com")

    listed = team["client"].http.get("/users", headers=team["admin"]).json_body["items"]
    assert [(u["email"], u["role"], u["status"], u["enabled"]) for u in listed] == [
        ("admin@predictfluence.local", "admin", "CONFIRMED", True),
        ("ana@example.com", "manager", "FORCE_CHANGE_PASSWORD", True),
        ("boss@example.com", "admin", "CONFIRMED", True),
    ]
    token = _first_sign_in(team, "ana@example.com", password)
    me = team["client"].http.get("/me", headers={"Authorization": f"Bearer {token}"}).json_body
    assert me == {"role": "manager", "name": "ana@example.com", "key_id": None, "email": "ana@example.com",
                  "actor": "user:ana@example.com"}


def test_invite_is_audited_without_the_password(team, db):
    import sqlalchemy as sa

    response = _post(team, "/users", {"email": "bo@example.com", "role": "viewer"})
    assert response.status_code == 201
    with db.connect() as conn:
        rows = conn.execute(sa.text("SELECT actor, action, target_type, target_id, details::text FROM audit_event "
                                    "WHERE action LIKE 'user.%'")).all()
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("user:boss@example.com", "user.invite", "user",
                                                         "bo@example.com")]
    assert response.json_body["temporary_password"] not in (rows[0][4] or "")


def test_inviting_an_existing_user_is_409_naming_email(team):
    assert _post(team, "/users", {"email": "cy@example.com", "role": "viewer"}).status_code == 201
    again = _post(team, "/users", {"email": "CY@example.com", "role": "admin"})
    assert again.status_code == 409
    assert again.json_body["error"]["code"] == "user_exists"
    assert again.json_body["error"]["details"]["field"] == "email"


@pytest.mark.parametrize("body, field", [
    ({"email": "not-an-email", "role": "viewer"}, "email"),
    ({"email": "a@b.co", "role": "owner"}, "role"),
    ({"email": "a@b.co"}, "role"),
    ({"email": "a@b.co", "role": "viewer", "extra": 1}, "extra"),
])
def test_invite_validation_names_the_field(team, body, field):
    response = _post(team, "/users", body)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json_body["error"]["details"]]


def test_role_change_applies_to_the_users_current_token(team):
    _post(team, "/users", {"email": "dee@example.com", "role": "manager"})
    token = {"Authorization": f"Bearer {_first_sign_in(team, 'dee@example.com', _reset(team, 'dee@example.com'))}"}
    assert _post(team, "/campaigns", {"name": "Dee's"}, token).status_code == 201
    changed = _patch(team, "/users/dee%40example.com", {"role": "viewer"})
    assert changed.status_code == 200, changed.body
    assert (changed.json_body["email"], changed.json_body["role"], changed.json_body["enabled"]) == (
        "dee@example.com", "viewer", True)
    refused = _post(team, "/campaigns", {"name": "Dee's second"}, token)
    assert refused.status_code == 403
    assert team["client"].http.get("/me", headers=token).json_body["role"] == "viewer"


def _reset(team, email: str) -> str:
    """A known temporary password for an invited user (the API showed one; tests set their own)."""
    from predictfluence import identity

    password = identity.temporary_password()
    identity.client().admin_set_user_password(UserPoolId=team["pool"].user_pool_id, Username=email,
                                              Password=password, Permanent=False)
    return password


def test_disabled_user_is_refused_at_once_and_enabled_again(team):
    from predictfluence import identity

    token = {"Authorization": f"Bearer {team['token']('eve@example.com', 'manager')}"}
    assert team["client"].http.get("/me", headers=token).status_code == 200
    disabled = _patch(team, "/users/eve@example.com", {"enabled": False})
    assert disabled.status_code == 200
    assert disabled.json_body["enabled"] is False
    assert identity.get_user("eve@example.com").enabled is False
    refused = team["client"].http.get("/me", headers=token)
    assert refused.status_code == 401
    assert refused.json_body["error"]["code"] == "unauthorized"
    assert _patch(team, "/users/eve@example.com", {"enabled": True}).json_body["enabled"] is True
    assert team["client"].http.get("/me", headers=token).status_code == 200


def test_disabled_elsewhere_is_refused_after_the_cache_ttl(team, monkeypatch):
    """Another process (the CLI, another Lambda) disabled the user: this process's cache holds the
    verified token for KEY_CACHE_SECONDS at most; then the record refuses it."""
    from predictfluence.api import auth
    from predictfluence.queries import users as q

    token = {"Authorization": f"Bearer {team['token']('fay@example.com', 'viewer')}"}
    q.upsert("fay@example.com", None, "viewer", None)
    assert team["client"].http.get("/me", headers=token).status_code == 200
    q.set_disabled("fay@example.com", True)  # as another process would, without clearing our cache
    assert team["client"].http.get("/me", headers=token).status_code == 200  # still cached here
    clock = auth.time.monotonic() + auth.CACHE_SECONDS + 0.1
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock)
    assert team["client"].http.get("/me", headers=token).status_code == 401


def test_update_errors(team):
    assert _patch(team, "/users/nobody@example.com", {"role": "viewer"}).status_code == 404
    bad = _patch(team, "/users/not-an-email", {"role": "viewer"})
    assert bad.status_code == 400
    assert bad.json_body["error"]["details"][0]["field"] == "email"
    empty = _patch(team, "/users/boss@example.com", {})
    assert empty.status_code == 422
    self_disable = _patch(team, "/users/boss@example.com", {"enabled": False})
    assert self_disable.status_code == 409
    assert self_disable.json_body["error"]["details"]["field"] == "enabled"


def test_an_admin_api_key_manages_users_too_and_others_may_not(team):
    assert _post(team, "/users", {"email": "gus@example.com", "role": "viewer"}, team["key"]).status_code == 201
    manager = {"Authorization": f"Bearer {team['token']('hal@example.com', 'manager')}"}
    assert team["client"].http.get("/users", headers=manager).status_code == 403
    assert _post(team, "/users", {"email": "x@example.com", "role": "admin"}, manager).status_code == 403


def test_without_a_pool_the_users_api_says_so(db, monkeypatch):
    from app import app
    from predictfluence.api.auth import create_key

    for name in ("PF_COGNITO_USER_POOL_ID", "PF_COGNITO_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    with Client(app) as client:
        response = client.http.get("/users", headers={"Authorization": f"Bearer {create_key('admin')[0]}"})
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "not_configured"


def test_injection_in_the_email_path_is_refused_or_unknown(team):
    from urllib.parse import quote

    for payload, status in (("' OR 1=1 --", 400), ("a'--@b.co", 404), ("x@y.co; DROP TABLE app_user", 400),
                            ("../../keys", 400), ("%00@x.co", 404), ("\x00@x.co", 400), ("a\tb@x.co", 400), ("a" * 300 + "@x.co", 400)):
        response = _patch(team, f"/users/{quote(payload, safe='')}", {"role": "viewer"})
        assert response.status_code == status, (payload, response.body)
        assert set(response.json_body["error"]) == {"code", "message", "details"}
