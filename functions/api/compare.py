"""GET /influencers/compare?ids=1,2,3: 2–5 influencers side by side in one call."""

from __future__ import annotations

from predictfluence.api.routing import Router
from predictfluence.api.schemas.shortlists import CompareQuery, Comparison
from predictfluence.queries import shortlists as q

router = Router(__name__, tag="influencers")
compare_routes = router.blueprint


@router.route(
    "/influencers/compare",
    "GET",
    role="viewer",
    query=CompareQuery,
    response=Comparison,
    errors=(404,),
    summary="Compare 2–5 influencers: figures, ER and cost intervals, audience, trend",
)
def compare_influencers(query: CompareQuery) -> Comparison:
    """`ids`: 2–5 distinct ids, comma-separated (else 400 naming `ids`); 404 naming an unknown one. Each
    influencer's list figures, flags and cheapest cost forecast, its scores per content type (predicted
    ER and cost with 80 % intervals), audience mix and 30-day trend, in the order of `ids`."""
    return Comparison.model_validate({"items": q.compare(query.id_list())})
