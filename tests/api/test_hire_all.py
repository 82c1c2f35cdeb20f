"""POST /campaigns/{id}/hires — hire all (the Plan view's action): all or nothing under the one budget rule.

Campaign 1 (tests/api/dataset.py): budget 10,000, alice (1) and carol (3) hired for 8,000 → 2,000 remaining;
bob (2), dave (4) and erin (5) are free to hire.
"""

from __future__ import annotations

import json
import threading
import time

import sqlalchemy as sa


def post(client, auth, body, campaign=1):
    return client.http.post(f"/campaigns/{campaign}/hires", headers=auth["manager"], body=json.dumps(body))


def hired_ids(client, auth, campaign=1):
    items = client.http.get(f"/campaigns/{campaign}/influencers", headers=auth["viewer"]).json_body["items"]
    return sorted(i["influencer_id"] for i in items)


def test_all_hired_in_one_call(client, auth, dataset):
    response = post(
        client,
        auth,
        {"hires": [{"influencer_id": 2, "agreed_cost": 700.5}, {"influencer_id": 5, "agreed_cost": 1299.5}]},
    )
    assert response.status_code == 201, response.body
    body = response.json_body
    assert [(h["influencer_id"], h["agreed_cost"], h["status"], h["campaign_id"]) for h in body["hired"]] == [
        (2, 700.5, "contracted", 1),
        (5, 1299.5, "contracted", 1),
    ]
    assert body["remaining_budget"] == 0.0
    # each item has the single hire's shape
    single = client.http.post(
        "/campaigns/3/influencers", headers=auth["manager"], body='{"influencer_id": 2, "agreed_cost": 0}'
    ).json_body
    assert set(body["hired"][0]) == set(single)
    assert hired_ids(client, auth) == [1, 2, 3, 5]
    summary = client.http.get("/campaigns/1/summary", headers=auth["viewer"]).json_body
    assert (summary["spent"], summary["remaining"], summary["influencer_count"]) == (10000.0, 0.0, 4)


def test_over_budget_hires_nobody_and_answers_as_a_single_hire_does(client, auth, dataset):
    body = {
        "hires": [{"influencer_id": 2, "agreed_cost": 1000}, {"influencer_id": 5, "agreed_cost": 1000.01}]
    }
    response = post(client, auth, body)
    assert response.status_code == 409
    single = client.http.post(
        "/campaigns/1/influencers",
        headers=auth["manager"],
        body='{"influencer_id": 2, "agreed_cost": 2000.01}',
    )
    assert single.status_code == 409
    assert response.json_body["error"]["code"] == single.json_body["error"]["code"] == "over_budget"
    assert (
        response.json_body["error"]["details"]
        == single.json_body["error"]["details"]
        == {"budget": 10000.0, "spent": 8000.0, "remaining": 2000.0, "agreed_cost": 2000.01}
    )
    assert hired_ids(client, auth) == [1, 3]  # neither the first (which fits alone) nor the second


def test_overspend_true_lets_it_through(client, auth, dataset):
    response = post(
        client,
        auth,
        {
            "hires": [{"influencer_id": 2, "agreed_cost": 1500}, {"influencer_id": 4, "agreed_cost": 1500}],
            "overspend": True,
        },
    )
    assert response.status_code == 201, response.body
    assert response.json_body["remaining_budget"] == -1000.0
    assert hired_ids(client, auth) == [1, 2, 3, 4]


def test_duplicate_influencer_in_the_body_is_422_naming_it(client, auth, dataset):
    response = post(
        client,
        auth,
        {
            "hires": [
                {"influencer_id": 2, "agreed_cost": 10},
                {"influencer_id": 5, "agreed_cost": 10},
                {"influencer_id": 2, "agreed_cost": 20},
            ]
        },
    )
    assert response.status_code == 422
    detail = response.json_body["error"]["details"][0]
    assert detail["field"] == "hires" and "influencer 2 appears more than once" in detail["message"]
    assert hired_ids(client, auth) == [1, 3]


def test_already_hired_is_409_naming_it_and_nothing_is_hired(client, auth, dataset):
    response = post(
        client,
        auth,
        {"hires": [{"influencer_id": 2, "agreed_cost": 10}, {"influencer_id": 3, "agreed_cost": 10}]},
    )
    assert response.status_code == 409
    error = response.json_body["error"]
    assert error["code"] == "already_hired" and error["details"] == {"influencer_ids": [3]}
    assert "3" in error["message"]
    assert hired_ids(client, auth) == [1, 3]
    # a cancelled hire is still a hire (campaign 2 has erin cancelled): revive it with PATCH instead
    cancelled = post(client, auth, {"hires": [{"influencer_id": 5, "agreed_cost": 10}]}, campaign=2)
    assert cancelled.status_code == 409 and cancelled.json_body["error"]["details"] == {"influencer_ids": [5]}


def test_archived_campaign_gives_the_single_hire_error(client, auth, dataset):
    client.http.delete("/campaigns/1", headers=auth["manager"])  # has hires → archived
    response = post(client, auth, {"hires": [{"influencer_id": 2, "agreed_cost": 1}]})
    single = client.http.post(
        "/campaigns/1/influencers", headers=auth["manager"], body='{"influencer_id": 2, "agreed_cost": 1}'
    )
    assert response.status_code == single.status_code == 409
    assert response.json_body["error"] == single.json_body["error"]
    assert response.json_body["error"]["code"] == "campaign_archived"


def test_unknown_campaign_or_influencer_is_404_and_nothing_is_hired(client, auth, dataset):
    assert (
        post(client, auth, {"hires": [{"influencer_id": 2, "agreed_cost": 1}]}, campaign=99).status_code
        == 404
    )
    missing = post(
        client,
        auth,
        {"hires": [{"influencer_id": 2, "agreed_cost": 1}, {"influencer_id": 99, "agreed_cost": 1}]},
    )
    assert missing.status_code == 404
    assert missing.json_body["error"]["details"]["resource"] == "influencer"
    assert "99" in missing.json_body["error"]["message"]
    assert hired_ids(client, auth) == [1, 3]


def test_more_than_200_is_400_and_an_empty_list_422(client, auth, dataset):
    too_many = post(client, auth, {"hires": [{"influencer_id": i, "agreed_cost": 0} for i in range(1, 202)]})
    assert too_many.status_code == 400
    assert too_many.json_body["error"]["details"][0]["field"] == "hires"
    empty = post(client, auth, {"hires": []})
    assert empty.status_code == 422 and empty.json_body["error"]["details"][0]["field"] == "hires"
    negative = post(client, auth, {"hires": [{"influencer_id": 2, "agreed_cost": -1}]})
    assert (
        negative.status_code == 422
        and negative.json_body["error"]["details"][0]["field"] == "hires.0.agreed_cost"
    )


def test_viewers_may_not_hire(client, auth, dataset):
    response = client.http.post(
        "/campaigns/1/hires",
        headers=auth["viewer"],
        body='{"hires": [{"influencer_id": 2, "agreed_cost": 1}]}',
    )
    assert response.status_code == 403
    assert hired_ids(client, auth) == [1, 3]


def _blocked_by(engine, pid: int, timeout: float = 10.0) -> list[int]:
    """Backends waiting on a lock `pid` holds, polled until there is one or `timeout` passes (a deadline,
    not a sleep-for-synchronisation)."""
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            waiting = (
                conn.execute(
                    sa.text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND :holder = ANY(pg_blocking_pids(pid))"
                    ),
                    {"holder": pid},
                )
                .scalars()
                .all()
            )
        if waiting or time.monotonic() > deadline:
            return list(waiting)
        time.sleep(0.01)


def test_a_single_hire_waits_for_a_hire_all_on_the_campaign_lock_and_cannot_overspend(dataset, monkeypatch):
    """Hire all (1,500 of the 2,000 left) holds campaign 1's row lock while it checks the budget; a single
    hire of 1,000 at the same moment waits for it (PostgreSQL reports it blocked by the hire all's session),
    then sees the new spend and is refused. Nothing overspends."""
    from predictfluence.queries import campaigns as q

    real = q.check_hire
    inside, release = threading.Event(), threading.Event()
    holder: list[int] = []

    def paused_check(campaign, **kwargs):
        if threading.current_thread().name == "hire-all":
            with dataset.connect() as conn:  # the session holding the lock is the one that took it
                holder.append(
                    conn.execute(
                        sa.text(
                            "SELECT pid FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                            "WHERE c.relname = 'campaign' AND l.mode = 'RowShareLock' AND l.granted "
                            "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                            "AND pid <> pg_backend_pid()"
                        )
                    ).scalar_one()
                )
            inside.set()
            release.wait(10)
        return real(campaign, **kwargs)

    monkeypatch.setattr(q, "check_hire", paused_check)
    results: dict[str, object] = {}

    def run(name, call):
        try:
            results[name] = call()
        except Exception as exc:  # noqa: BLE001 - the refusal is the result
            results[name] = exc

    bulk = threading.Thread(
        target=run, name="hire-all", args=("bulk", lambda: q.hire_all(1, [(2, 700.0), (5, 800.0)], False))
    )
    bulk.start()
    assert inside.wait(10)
    single = threading.Thread(
        target=run, name="single", args=("single", lambda: q.hire(1, 4, 1000.0, "contracted", False))
    )
    single.start()
    try:
        assert len(_blocked_by(dataset, holder[0])) == 1, "the single hire never waited on the campaign lock"
        assert single.is_alive()
    finally:
        release.set()
        bulk.join(10)
        single.join(10)
    hired, remaining = results["bulk"]
    assert [h["influencer_id"] for h in hired] == [2, 5] and remaining == 500.0
    assert isinstance(results["single"], q.OverBudget)
    assert results["single"].details == {
        "budget": 10000.0,
        "spent": 9500.0,
        "remaining": 500.0,
        "agreed_cost": 1000.0,
    }
