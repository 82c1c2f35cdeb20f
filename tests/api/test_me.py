"""GET /me: the caller's role and key name (the site shows only what the role may do)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("role", ["viewer", "manager", "admin"])
def test_me_names_the_callers_role_and_key(client, keys, auth, role):
    from predictfluence.api.auth import key_prefix
    from predictfluence.queries import api_keys as q

    response = client.http.get("/me", headers=auth[role])
    assert response.status_code == 200
    row = next(k for k in q.list_keys() if k["prefix"] == key_prefix(keys[role]))
    assert response.json_body == {"role": role, "name": f"test {role}", "key_id": row["id"], "email": None,
                                  "actor": f"key:{row['id']}"}


def test_me_without_a_name(client, api_db):
    from predictfluence.api.auth import create_key

    key, row = create_key("manager")
    response = client.http.get("/me", headers={"Authorization": f"Bearer {key}"})
    assert response.json_body == {"role": "manager", "name": None, "key_id": row["id"], "email": None,
                                  "actor": f"key:{row['id']}"}


def test_me_refuses_query_parameters(client, auth):
    response = client.http.get("/me?x=1", headers=auth["viewer"])
    assert response.status_code == 400
    assert response.json_body["error"]["details"][0]["field"] == "x"
