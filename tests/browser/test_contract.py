"""The site's copies of server-side allow-lists stay in step with the server (no browser needed)."""

from __future__ import annotations

import json
import re

from tests.browser.conftest import SITE


def _js_const(name: str) -> str:
    text = (SITE / "js" / "options.js").read_text()
    match = re.search(rf"export const {name} = (.*?);\n", text, re.S)
    assert match, name
    return match.group(1)


def test_upload_columns_match_the_etl_spec() -> None:
    from etl_jobs.spec import KINDS

    expected = {k: [c.name + ("*" if c.required else "") for c in v.columns] for k, v in KINDS.items()}
    assert json.loads(_js_const("UPLOAD_COLUMNS")) == expected


def test_upload_kinds_match_the_api() -> None:
    from typing import get_args

    from predictfluence.api.schemas.uploads import UploadKind

    kinds = re.findall(r'\["(\w+)", "[^"]+"\]', _js_const("UPLOAD_KINDS"))
    assert sorted(kinds) == sorted(get_args(UploadKind))


def test_filter_values_match_the_api() -> None:
    from typing import get_args

    from predictfluence.api.schemas.campaigns import CampaignStatus, HireStatus
    from predictfluence.api.schemas.influencers import InfluencerSort, Tier

    assert re.findall(r'\["(\w+)", "', _js_const("TIERS")) == list(get_args(Tier))
    assert json.loads(_js_const("CAMPAIGN_STATUSES")) == list(get_args(CampaignStatus))
    assert json.loads(_js_const("HIRE_STATUSES")) == list(get_args(HireStatus))
    sorts = re.findall(r'\["(\w+)", "', (SITE / "js" / "pages" / "influencers.js").read_text().split("const SORTS = ")[1].split(";")[0])
    assert sorted(sorts) == sorted(get_args(InfluencerSort))


def test_tiers_kinds_and_dimensions_match_the_vocabulary() -> None:
    from predictfluence.vocab import AUDIENCE_DIMENSIONS, CSV_KINDS, FOLLOWER_TIERS

    assert re.findall(r'\["(\w+)", "', _js_const("AUDIENCE_SIZES")) == list(FOLLOWER_TIERS)
    assert re.findall(r'\["(\w+)", "[^"]+"\]', _js_const("UPLOAD_KINDS")) == list(CSV_KINDS)
    for page, const in (("influencer.js", "DIMENSIONS"), ("analytics.js", "DIMS")):
        source = (SITE / "js" / "pages" / page).read_text()
        match = re.search(rf"const {const} = (.*?);\n", source, re.S)
        assert match, (page, const)
        assert re.findall(r'\["(\w+)", "', match.group(1)) == list(AUDIENCE_DIMENSIONS), page
