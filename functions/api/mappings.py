"""/imports/preview (what a file would load as, before it loads) and /imports/mappings (saved header
mappings per header signature; the ETL applies them to later files with the same header).

The router takes only integer path parameters, so a mapping is addressed by `?signature=<sha256 hex>`.
"""

from __future__ import annotations

from typing import Any

from etl_jobs import headers as hdr
from etl_jobs import infer
from etl_jobs.reading import MappingError, alias_key
from predictfluence.api import errors
from predictfluence.api.auth import Principal
from predictfluence.api.routing import Router
from predictfluence.api.schemas.common import page_info
from predictfluence.api.schemas.mappings import (
    MappingQuery,
    MappingSave,
    Preview,
    PreviewRequest,
    SavedMapping,
    SavedMappingPage,
    SignatureQuery,
)
from predictfluence.queries import mappings as q
from predictfluence.queries.errors import NotFound

router = Router(__name__, tag="imports")
mapping_routes = router.blueprint
TARGETS = [*hdr.COLUMNS, *(f"extra.{k}" for k in hdr.EXTRAS), "ignore"]


def _problem(field: str, message: str) -> dict[str, str]:
    return {"field": field, "in": "body", "message": message}


def mapping_problems(header: list[str], mapping: dict[str, Any]) -> list[dict[str, str]]:
    """What is wrong with `mapping` for a file with `header`, each naming its field (`mapping.<header>`):
    an unknown target column, two headers sent to one column, a header the file lacks, a bad default
    (`@platform` …), and a required column (handle, followers) that nothing maps to."""
    problems: list[dict[str, str]] = []
    present = {alias_key(h) for h in header}
    used: dict[str, str] = {}
    for key, target in mapping.items():
        field = f"mapping.{key}"
        if key.startswith("@"):
            if key not in hdr.MAPPING_DEFAULTS:
                problems.append(
                    _problem(field, f"unknown default; use one of {', '.join(hdr.MAPPING_DEFAULTS)}")
                )
            elif not isinstance(target, str) or not target.strip():
                problems.append(_problem(field, "must be a non-empty string"))
            continue
        if alias_key(key) not in present:
            problems.append(_problem(field, f"the file has no header {key!r}"))
            continue
        try:
            spec = hdr.resolve([key], {key: target}).columns.get(str(target).strip())
        except MappingError as exc:
            problems.append(_problem(field, str(exc)))
            continue
        if spec is not None and spec.target in used:
            first = used[spec.target]
            problems.append(_problem(f"mapping.{first}", f"{key!r} also maps to {spec.target!r}"))
            problems.append(_problem(field, f"{first!r} already maps to {spec.target!r}"))
        elif spec is not None:
            used[spec.target] = key
    if not problems:
        missing = hdr.resolve(list(header), mapping).missing()
        problems += [_problem("mapping", f"no column maps to the required column {m!r}") for m in missing]
    return problems


def _check(header: list[str], mapping: dict[str, Any]) -> None:
    problems = mapping_problems(header, mapping)
    if problems:
        fields = ", ".join(dict.fromkeys(p["field"] for p in problems))
        raise errors.unprocessable(f"invalid mapping: {fields}", problems)


@router.route(
    "/imports/preview",
    "POST",
    role="manager",
    body=PreviewRequest,
    response=Preview,
    errors=(422,),
    summary="What a file would load as: kind, platform, each column's target and why",
    audit=False,  # a preview: nothing is written
)
def preview_import(body: PreviewRequest) -> Preview:
    """`head` is the file's first lines as text. With no `mapping`, the saved mapping of the header's
    signature is applied when there is one (`saved: true`, with who saved it and when); otherwise the
    mapping is inferred from the header and the values. Nothing is loaded."""
    header, _ = infer.parse_head(body.head)
    if not any(cell.strip() for cell in header):
        raise errors.unprocessable("the file has no header row", [_problem("head", "no header row")])
    saved = None
    if body.mapping is not None:
        _check(header, body.mapping)
    else:
        saved = q.find_mapping(infer.header_signature(header))
    # {} (not None) when nothing is saved: the lookup was just made here, preview() must not repeat it
    mapping = body.mapping if body.mapping is not None else (saved["mapping"] if saved else {})
    result = infer.preview(body.head.encode("utf-8"), body.file_name, body.kind, mapping)
    extra = (
        {"saved_by": saved["saved_by"], "saved_at": saved["saved_at"], "source_name": saved["source_name"]}
        if saved
        else {}
    )
    return Preview.model_validate(
        {**result, **extra, "header": header, "targets": TARGETS, "saved": saved is not None}
    )


@router.route(
    "/imports/mappings",
    "PUT",
    role="manager",
    query=SignatureQuery,
    body=MappingSave,
    response=SavedMapping,
    errors=(422,),
    summary="Save the header mapping of a header signature",
    audit="mapping.save",
    audit_target="mapping:query.signature",
)
def save_mapping(query: SignatureQuery, body: MappingSave, principal: Principal) -> SavedMapping:
    """Replaces any mapping saved for `signature`. `header` is the file's header row: it must have that
    signature (etl_jobs.infer.header_signature), and the mapping is checked against it (422 naming the
    field: `mapping.<header>` or `mapping`)."""
    if infer.header_signature(body.header) != query.signature:
        raise errors.unprocessable(
            "the header does not have this signature",
            [_problem("header", f"its signature is {infer.header_signature(body.header)}")],
        )
    _check(body.header, body.mapping)
    # a signed-in user's e-mail; for a key its name and id when it has a name (queries.mappings)
    who = principal.email or f"key {principal.key_id}"
    row = q.save_mapping(query.signature, body.kind, body.mapping, body.source_name, who, principal.key_id)
    return SavedMapping.model_validate(row)


@router.route(
    "/imports/mappings",
    "GET",
    role="viewer",
    query=MappingQuery,
    response=SavedMappingPage,
    summary="Saved header mappings, newest first",
)
def list_mappings(query: MappingQuery) -> SavedMappingPage:
    items, total = q.list_mappings(query.page, query.page_size)
    return SavedMappingPage(
        items=[SavedMapping.model_validate(i) for i in items],
        page_info=page_info(total, query.page, query.page_size),
    )


@router.route(
    "/imports/mappings",
    "DELETE",
    role="manager",
    query=SignatureQuery,
    response=SavedMapping,
    errors=(404,),
    summary="Delete the saved mapping of a header signature",
    audit="mapping.delete",
    audit_target="mapping:query.signature",
)
def delete_mapping(query: SignatureQuery) -> SavedMapping:
    row = q.delete_mapping(query.signature)
    if row is None:
        raise NotFound("mapping", query.signature)
    return SavedMapping.model_validate(row)
