"""Which kind a file is: the kind chosen at upload (explicit, or the key's `raw/<kind>/`), else the
header's. A chosen kind whose header is plainly another kind's is rejected naming both."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from etl_jobs.base import FileRejected
from etl_jobs.kinds import LOADER_MODULES, get_loader
from etl_jobs.reading import column_key, mapped_names, renamed_header
from etl_jobs.spec import KINDS, Kind

_DATA_CELL = re.compile(r"^\s*[-+]?[\d.,]+%?\s*$|^\s*\d{4}-\d{2}-\d{2}")
_LOCAL_KIND = re.compile(r"(?:^|/)raw/([^/]+)/[^/]+$")


def kind_from_key(key: str) -> str | None:
    """The kind a file was uploaded as. An S3 key names it as the first segment after the raw prefix, at
    any depth below it (upload tickets issue `raw/<kind>/<date>/<random>-<name>.csv`); a local path as
    the folder `raw/<kind>/` holding the file."""
    from predictfluence.config import get_settings

    key = key.replace("\\", "/")
    prefix = get_settings().raw_prefix.rstrip("/") + "/"
    if key.startswith(prefix):
        kind, slash, _ = key[len(prefix) :].partition("/")
        return kind if slash and kind else None
    found = _LOCAL_KIND.search(key)
    return found.group(1) if found else None


def chosen_kind(key: str, explicit: str | None) -> str | None:
    """The kind chosen at upload (explicit, else from the key), None when none was; FileRejected for a
    kind that does not exist."""
    known = ", ".join(LOADER_MODULES)
    if explicit:
        if explicit not in LOADER_MODULES:
            raise FileRejected(f"unknown kind {explicit!r}; known kinds: {known}")
        return explicit
    from_key = kind_from_key(key)
    if from_key is not None and from_key not in LOADER_MODULES:
        raise FileRejected(f"unknown kind {from_key!r} in the key {key!r}; known kinds: {known}")
    return from_key


def header_matches(kind: Kind, header: Sequence[str], mapping: dict[str, Any] | None = None) -> bool:
    """Strict detection: every required column present and every cell a column of this kind."""
    names = [n for n in mapped_names(header, mapping) if n]
    return bool(names) and set(kind.required) <= set(names) and set(names) <= set(kind.column_names)


def detect_kind(
    header: list[str], mapping: dict[str, Any] | None, chosen: str | None, head: str | None = None
) -> str:
    """`chosen` (see `chosen_kind`) checked against the header, else the kind the header matches, else
    (`head`, the file's first text, given) the kind its content scores best for (etl_jobs.infer)."""
    if chosen is not None:
        return check_chosen_kind(header, mapping, chosen)
    header = renamed_header(header, mapping)
    if not header or not any(c.strip() for c in header):
        raise FileRejected("no header row: the first line is empty")
    candidates = []
    for name in LOADER_MODULES:
        try:
            loader = get_loader(name)
        except ImportError:  # a kind whose module is not installed in this package
            continue
        if loader.matches_header(list(header)):
            candidates.append(name)
    if not candidates and head is not None and not _looks_like_data(header):
        by_content = _kind_by_content(header, head)
        if by_content:
            candidates.append(by_content)
    if not candidates:
        if _looks_like_data(header):
            raise FileRejected("no header row: the first line looks like data, not column names")
        raise FileRejected(
            f"unknown kind: the header ({', '.join(repr(c) for c in header[:8])}) matches no known kind; "
            f"known kinds: {', '.join(LOADER_MODULES)} (put the file under raw/<kind>/ or pass the kind)"
        )
    if len(candidates) > 1:
        names = {column_key(c) for c in header}

        def score(kind: str) -> tuple[int, int]:
            spec = KINDS.get(kind)
            cols = set(spec.column_names) if spec else set()
            return (len(names & cols), -len(cols))

        candidates.sort(key=score, reverse=True)
    return candidates[0]


def _kind_by_content(header: list[str], head: str) -> str | None:
    """The kind a header that matches none exactly is, by the content scoring of etl_jobs.infer: only
    `profiles` is inferred (warehouse kinds keep their exact headers); None when it scores under 0.5."""
    from etl_jobs import infer

    _, rows = infer.parse_head(head)
    scores = infer.kind_scores(header, rows)
    best = scores[0] if scores else None
    if best and best["kind"] == "profiles" and best["score"] >= infer.LOW and "profiles" in LOADER_MODULES:
        return "profiles"
    return None


def _looks_like_data(header: list[str]) -> bool:
    cells = [c for c in header if c.strip()]
    return bool(cells) and sum(bool(_DATA_CELL.match(c)) for c in cells) * 2 >= len(cells)


def check_chosen_kind(header: list[str], mapping: dict[str, Any] | None, kind: str) -> str:
    """A warehouse kind chosen at upload whose header is not its own but exactly another warehouse kind's
    (every required column there, every cell one of its columns) is a wrong choice, not a file to load
    half of: e.g. an influencers file uploaded as hires."""
    if kind not in KINDS:
        return kind
    if header_matches(KINDS[kind], header, mapping):
        return kind
    others = [k for k in KINDS if k != kind and header_matches(KINDS[k], header, mapping)]
    if others:
        raise FileRejected(
            f"the file was uploaded as {kind}, but its header ({', '.join(header[:8])}) is the header of the {others[0]} kind; "
            f"upload it as {others[0]}, or give it the {kind} columns ({', '.join(KINDS[kind].column_names)})",
            {"chosen_kind": kind, "header_kind": others[0]},
        )
    return kind
