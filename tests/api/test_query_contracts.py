"""The query layer reads the API's validated query models directly (issue 15, item 5): each list query's
parameter protocol names attributes that the matching pydantic model has, with the same defaults as the
query function's own (used when it is called without filters)."""

from __future__ import annotations

import typing

import pytest

from predictfluence.api.schemas.campaigns import CampaignListQuery
from predictfluence.api.schemas.influencers import InfluencerListQuery
from predictfluence.api.schemas.uploads import LoadListQuery
from predictfluence.queries import campaigns, etl_loads, influencers

CONTRACTS = [
    (campaigns.CampaignFilter, campaigns._AllCampaigns, CampaignListQuery),
    (influencers.InfluencerFilter, influencers._AllInfluencers, InfluencerListQuery),
    (etl_loads.LoadFilter, etl_loads._AllLoads, LoadListQuery),
]


@pytest.mark.parametrize(("protocol", "defaults", "model"), CONTRACTS, ids=lambda c: getattr(c, "__name__", ""))
def test_the_api_model_has_what_the_query_reads(protocol, defaults, model) -> None:
    wanted = set(typing.get_type_hints(protocol))
    assert wanted == set(model.model_fields), "the query reads exactly the model's fields"
    assert {name: getattr(defaults, name) for name in wanted} == model().model_dump()
