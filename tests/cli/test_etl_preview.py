"""`predictfluence etl preview FILE` (table and --json), `etl mappings list|delete`, and `etl load`
applying the saved mapping of a file's header (issue 12, item 3)."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from click.testing import CliRunner

from predictfluence_tools.cli import main
from tests.api.test_mappings import EXPORT, NEXT_MONTH, SAVED


def test_preview_table_and_json(db, tmp_path) -> None:
    path = tmp_path / "tiktok_september.csv"
    path.write_text(EXPORT, encoding="utf-8")
    result = CliRunner().invoke(main, ["etl", "preview", str(path)])
    assert result.exit_code == 0, result.output
    assert "kind: profiles" in result.output and "platform: tiktok (from file name)" in result.output
    tiktoker = next(line for line in result.output.splitlines() if line.startswith("2 "))
    assert "Tiktoker" in tiktoker and " handle " in tiktoker and "khaby.lame" in tiktoker
    as_json = CliRunner().invoke(main, ["etl", "preview", str(path), "--json"])
    assert as_json.exit_code == 0, as_json.output
    parsed = json.loads(as_json.output)
    assert parsed["mapping"]["Subscribers count"] == "followers" and parsed["ready"] is True


def test_saved_mapping_is_listed_previewed_applied_by_load_and_deleted(db, tmp_path) -> None:
    from etl_jobs.infer import header_signature
    from predictfluence.queries.mappings import save_mapping

    signature = header_signature(EXPORT.split("\n", 1)[0].split(","))
    save_mapping(signature, "profiles", SAVED, "TikTok top 1000", "key 7")
    listed = CliRunner().invoke(main, ["etl", "mappings", "list"])
    assert listed.exit_code == 0 and signature in listed.output and "key 7" in listed.output
    path = tmp_path / "october.csv"
    path.write_text(NEXT_MONTH, encoding="utf-8")
    shown = CliRunner().invoke(main, ["etl", "preview", str(path)])
    assert "saved mapping applied" in shown.output and "by key 7" in shown.output, shown.output
    loaded = CliRunner().invoke(main, ["etl", "load", str(path), "--kind", "profiles"])
    assert loaded.exit_code == 0, loaded.output
    assert re.search(r"saved mapping|mapping saved on \d{4}-\d\d-\d\d by key 7", loaded.output)
    with db.connect() as conn:
        rows = conn.execute(sa.text("SELECT platform, handle, country FROM influencer ORDER BY handle")).all()
    assert [tuple(r) for r in rows] == [("tiktok", "khaby.lame", None), ("tiktok", "zachking", None)]
    gone = CliRunner().invoke(main, ["etl", "mappings", "delete", signature])
    assert gone.exit_code == 0, gone.output
    again = CliRunner().invoke(main, ["etl", "mappings", "delete", signature])
    assert again.exit_code == 1 and "no saved mapping" in again.output
