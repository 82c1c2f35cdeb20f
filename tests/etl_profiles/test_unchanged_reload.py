"""A profiles reload writes only what changed (issue 16.8): an identical file rewrites no influencer and no
snapshot row (same xmin, same `updated_at`) and queues no rollup key; a changed value is still written, and
only its rows are; the load's counts stay those of the rows accepted."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.etl_profiles.conftest import LoadProfiles

HEADER = (
    "handle,platform,name,category,country,followers,posts,avg_likes,avg_views,engagement_rate,as_of,rank\n"
)
ROWS = [
    "alpha,instagram,Alpha,Beauty,United States,1.2k,10,100,,1.5%,2024-01-05,1",
    "beta,tiktok,Beta,Music,Estados Unidos,2000,20,200,300,0.02,2024-01-05,2",
    "gamma,instagram,,,,,,,,,2024-01-05,",
    "multi,instagram,Multi old,Travel,FR,100,1,1,1,0.1,2024-01-01,3",
    "multi,instagram,Multi new,Food,DE,200,2,2,2,0.2,2024-01-03,4",
]


def _write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "creators_export.csv"  # one file name: one source, a reload replaces its snapshots
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8", newline="")
    return path


def _state(db: Engine) -> dict[str, dict]:
    with db.connect() as conn:
        influencers = {
            r[0]: r[1:]
            for r in conn.execute(
                sa.text("SELECT handle, xmin::text, updated_at, name, followers FROM influencer")
            )
        }
        snapshots = {
            (r[0], r[1]): r[2:]
            for r in conn.execute(
                sa.text(
                    "SELECT i.handle, s.as_of, s.xmin::text, s.followers, s.posts FROM influencer_snapshot s "
                    "JOIN influencer i ON i.id = s.influencer_id"
                )
            )
        }
        queued = sorted(
            (r[0], r[1])
            for r in conn.execute(
                sa.text(
                    "SELECT q.kind, i.handle FROM rollup_dirty q JOIN influencer i ON i.id = q.id "
                    "WHERE q.kind IN ('influencer', 'followers')"
                )
            )
        )
    return {"influencer": influencers, "snapshot": snapshots, "queued": queued}


def _empty_queue(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(sa.text("DELETE FROM rollup_dirty"))


def test_an_identical_reload_writes_nothing_and_queues_nothing(
    db: Engine, tmp_path: Path, load_profiles: LoadProfiles
) -> None:
    path = _write(tmp_path, ROWS)
    first = load_profiles(path)
    _empty_queue(db)
    before = _state(db)
    assert len(before["influencer"]) == 4 and len(before["snapshot"]) == 5
    again = load_profiles(path)
    after = _state(db)
    assert after["influencer"] == before["influencer"]  # same xmin and updated_at: no new tuple
    assert after["snapshot"] == before["snapshot"]
    assert after["queued"] == []
    assert (again.rows_in, again.rows_loaded) == (first.rows_in, first.rows_loaded) == (5, 5)


def test_a_changed_value_is_written_and_only_its_rows(
    db: Engine, tmp_path: Path, load_profiles: LoadProfiles
) -> None:
    load_profiles(_write(tmp_path, ROWS))
    _empty_queue(db)
    before = _state(db)
    changed = [
        ROWS[0].replace("1.2k", "1.3k"),
        *ROWS[1:3],
        ROWS[3].replace(",1,1,1,0.1,", ",1,1,9,0.1,"),
        ROWS[4],
    ]
    load_profiles(_write(tmp_path, changed))
    after = _state(db)
    alpha_before, alpha_after = before["influencer"].pop("alpha"), after["influencer"].pop("alpha")
    assert alpha_after[0] != alpha_before[0]  # a new tuple
    assert alpha_after[1] > alpha_before[1]  # updated_at moved
    assert alpha_after[3] == 1300
    assert after["influencer"] == before["influencer"]  # beta, gamma and multi untouched
    for key in (("alpha", "2024-01-05"), ("multi", "2024-01-01")):
        old, new = (
            s.pop(next(k for k in s if (k[0], k[1].isoformat()) == key))
            for s in (before["snapshot"], after["snapshot"])
        )
        assert new[0] != old[0], key  # rewritten
    assert after["snapshot"] == before["snapshot"]
    # alpha: its row and its follower count; multi: its snapshot (the influencer row is unchanged)
    assert sorted(set(after["queued"])) == [
        ("followers", "alpha"),
        ("influencer", "alpha"),
        ("influencer", "multi"),
    ]


def test_an_emptied_cell_keeps_the_influencer_row(
    db: Engine, tmp_path: Path, load_profiles: LoadProfiles
) -> None:
    """Empty cells never blank the influencer's values, so a reload that only empties them leaves the row."""
    load_profiles(_write(tmp_path, ROWS))
    _empty_queue(db)
    before = _state(db)
    load_profiles(_write(tmp_path, [ROWS[0].replace("Alpha,Beauty,United States", ",,"), *ROWS[1:]]))
    after = _state(db)
    assert after["influencer"] == before["influencer"]
    assert after["queued"] == []


def test_a_row_committed_meanwhile_with_the_same_values_still_gets_its_snapshot(
    db: Engine, tmp_path: Path, load_profiles: LoadProfiles
) -> None:
    """Another transaction inserts the influencer while the load's statement waits on its key: the statement
    cannot see that row (its snapshot is older) and the unchanged row is not returned by the upsert, so the
    batch is written again; the snapshot row is there and nothing is lost."""
    from etl_jobs.profile_writes import write

    rows = [
        {
            "platform": "instagram",
            "handle": "late",
            "name": "Late",
            "followers": 5,
            "as_of": dt.date(2024, 1, 5),
            "extra": None,
        }
    ]
    other = db.connect()
    other.begin()
    other.execute(
        sa.text(
            "INSERT INTO influencer (platform, handle, name, followers) "
            "VALUES ('instagram', 'late', 'Late', 5)"
        )
    )
    errors: list[BaseException] = []

    def load() -> None:
        try:
            with db.begin() as conn:
                write(conn, rows, "file:t")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    worker = threading.Thread(target=load)
    worker.start()
    _wait_for_lock_waiter(db)
    other.commit()
    other.close()
    worker.join()
    assert errors == []
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM influencer_snapshot")).scalar_one() == 1


def _wait_for_lock_waiter(db: Engine) -> None:
    """Until a session of this database waits on a lock (the load's INSERT on the uncommitted key)."""
    with db.connect() as conn:
        while not conn.execute(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            )
        ).scalar_one():
            conn.execute(sa.text("SELECT pg_sleep(0.05)"))
            conn.commit()
