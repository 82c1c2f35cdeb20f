"""The migration that folds stored handles (issue 12.4): run from the revision before it on a scratch database."""

from __future__ import annotations

import sqlalchemy as sa

from predictfluence_tools.migrate import upgrade
from predictfluence_tools.scratchdb import scratch_database
from tests.conftest import _server_url


def test_stored_handles_are_folded_unless_the_folded_one_is_taken(tmp_path_factory):
    with scratch_database(_server_url(tmp_path_factory), "pf_handles") as url:
        engine = sa.create_engine(url)
        try:
            upgrade(engine, "8c4f2a61d913")
            with engine.begin() as conn:
                conn.execute(sa.text(
                    "INSERT INTO influencer (platform, handle) VALUES ('instagram', 'TechWithTara'), "
                    "('instagram', '@Bo_Chen '), ('tiktok', 'Bo_Chen'), ('instagram', 'ana'), ('instagram', 'ANA'), "
                    "('youtube', 'Cy'), ('youtube', 'CY')"))
            upgrade(engine, "head")
            with engine.connect() as conn:
                got = conn.execute(sa.text("SELECT platform, handle FROM influencer ORDER BY id")).all()
        finally:
            engine.dispose()
    assert [tuple(r) for r in got] == [
        ("instagram", "techwithtara"), ("instagram", "bo_chen"), ("tiktok", "bo_chen"),
        ("instagram", "ana"), ("instagram", "ANA"),  # `ana` exists: the other spelling is left for a person
        ("youtube", "cy"), ("youtube", "CY"),  # two spellings of one new handle: the first one gets it
    ]
