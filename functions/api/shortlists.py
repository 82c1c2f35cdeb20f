"""/shortlists: named lists of influencers shared by the workspace, with a note per creator. Viewers read
them; managers create, rename, delete and fill them. A list's creators carry the influencer list's
figures plus flags and the cost forecast; the UI seeds the planner (filters.influencer_ids) and the
compare page from a list."""

from __future__ import annotations

from chalice import Response

from predictfluence.api import errors
from predictfluence.api.auth import Principal
from predictfluence.api.csv_export import csv_export
from predictfluence.api.routing import Router
from predictfluence.api.schemas.common import page_info
from predictfluence.api.schemas.exports import ExportLink
from predictfluence.api.schemas.shortlists import (
    ItemNote,
    ItemRef,
    ItemsAdd,
    Shortlist,
    ShortlistCreate,
    ShortlistDetail,
    ShortlistPage,
    ShortlistQuery,
    ShortlistRename,
)
from predictfluence.queries import exports
from predictfluence.queries import shortlists as q

router = Router(__name__, tag="shortlists")
shortlist_routes = router.blueprint


def _taken(name: str) -> errors.ApiError:
    return errors.conflict(
        "name_taken",
        f"a shortlist named {name!r} exists",
        [{"field": "name", "in": "body", "message": "another shortlist has this name"}],
    )


def _known(ids: list[int]) -> None:
    missing = q.missing_influencers(ids)
    if missing:
        raise errors.unprocessable(
            f"no influencer {', '.join(map(str, missing))}",
            [{"field": "influencer_ids", "in": "body", "message": f"unknown influencer ids {missing}"}],
        )


@router.route(
    "/shortlists",
    "GET",
    role="viewer",
    query=ShortlistQuery,
    response=ShortlistPage,
    summary="Shortlists by name, with their sizes",
)
def list_shortlists(query: ShortlistQuery) -> ShortlistPage:
    items, total = q.list_shortlists(query.page, query.page_size)
    return ShortlistPage(
        items=[Shortlist.model_validate(i) for i in items],
        page_info=page_info(total, query.page, query.page_size),
    )


@router.route(
    "/shortlists",
    "POST",
    role="manager",
    body=ShortlistCreate,
    response=ShortlistDetail,
    status=201,
    errors=(409, 422),
    summary="Create a shortlist (optionally with its first creators)",
    audit="shortlist.create",
)
def create_shortlist(body: ShortlistCreate, principal: Principal) -> ShortlistDetail:
    """409 naming `name` when another list has the name; 422 naming `influencer_ids` for unknown ids."""
    _known(body.influencer_ids)
    created = q.create_shortlist(body.name, body.influencer_ids, principal.key_id, principal.email)
    if created is None:
        raise _taken(body.name)
    return ShortlistDetail.model_validate(q.get_shortlist(created))


@router.route(
    "/shortlists/{shortlist_id}",
    "GET",
    role="viewer",
    response=ShortlistDetail,
    errors=(404,),
    summary="A shortlist with its creators and their figures",
)
def get_shortlist(shortlist_id: int) -> ShortlistDetail:
    return ShortlistDetail.model_validate(q.get_shortlist(shortlist_id))


@router.route(
    "/shortlists/{shortlist_id}/items.csv",
    "GET",
    role="viewer",
    response=ExportLink,
    errors=(404,),
    content_type="text/csv",
    summary="A shortlist's creators as CSV (a download, or a link to it in S3 when large)",
)
def export_shortlist(shortlist_id: int) -> Response | ExportLink:
    """The creators `GET /shortlists/{id}` lists, with their figures, flags (joined by `; `), cost forecast
    and note. Text cells a spreadsheet would run as a formula start with `'`. Like `GET /influencers.csv`,
    a list too large for a response body is answered with a JSON link to the file in S3."""
    total, chunks = exports.shortlist_items(shortlist_id)
    return csv_export(f"shortlist-{shortlist_id}.csv", exports.SHORTLIST_COLUMNS, total, chunks)


@router.route(
    "/shortlists/{shortlist_id}",
    "PATCH",
    role="manager",
    body=ShortlistRename,
    response=ShortlistDetail,
    errors=(404, 409),
    summary="Rename a shortlist",
    audit="shortlist.rename",
    audit_target="shortlist:shortlist_id",
)
def rename_shortlist(shortlist_id: int, body: ShortlistRename) -> ShortlistDetail:
    if not q.rename_shortlist(shortlist_id, body.name):
        raise _taken(body.name)
    return ShortlistDetail.model_validate(q.get_shortlist(shortlist_id))


@router.route(
    "/shortlists/{shortlist_id}",
    "DELETE",
    role="manager",
    response=Shortlist,
    errors=(404,),
    summary="Delete a shortlist (its creators stay in the database)",
    audit="shortlist.delete",
    audit_target="shortlist:shortlist_id",
)
def delete_shortlist(shortlist_id: int) -> Shortlist:
    return Shortlist.model_validate(q.delete_shortlist(shortlist_id))


@router.route(
    "/shortlists/{shortlist_id}/items",
    "POST",
    role="manager",
    body=ItemsAdd,
    response=ShortlistDetail,
    errors=(404, 422),
    summary="Add creators to a shortlist",
    audit="shortlist.items_add",
    audit_target="shortlist:shortlist_id",
)
def add_items(shortlist_id: int, body: ItemsAdd, principal: Principal) -> ShortlistDetail:
    """Creators already on the list keep their note and place; 422 naming `influencer_ids` for unknown ids."""
    _known(body.influencer_ids)
    q.add_items(shortlist_id, body.influencer_ids, body.note, principal.key_id, principal.email)
    return ShortlistDetail.model_validate(q.get_shortlist(shortlist_id))


@router.route(
    "/shortlists/{shortlist_id}/items/{influencer_id}",
    "PATCH",
    role="manager",
    body=ItemNote,
    response=ItemRef,
    errors=(404,),
    summary="Set the note of a creator on a shortlist",
    audit="shortlist.item_note",
    audit_target="shortlist:shortlist_id",
)
def annotate_item(shortlist_id: int, influencer_id: int, body: ItemNote) -> ItemRef:
    return ItemRef.model_validate(q.annotate_item(shortlist_id, influencer_id, body.note))


@router.route(
    "/shortlists/{shortlist_id}/items/{influencer_id}",
    "DELETE",
    role="manager",
    response=None,
    status=204,
    errors=(404,),
    summary="Take a creator off a shortlist",
    audit="shortlist.item_remove",
    audit_target="shortlist:shortlist_id",
)
def remove_item(shortlist_id: int, influencer_id: int) -> None:
    q.remove_item(shortlist_id, influencer_id)
