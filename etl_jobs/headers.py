"""Header normalisation and alias resolution for the `profiles` kind (other tools' exports).

A header cell is normalised (etl_jobs.reading.alias_key) before it is compared — byte-order mark and zero-width characters
removed, Unicode NFKC, case-folded, every run of punctuation / whitespace / newlines turned into one
space — so ``Avg. likes``, ``avg_likes`` and ``AVG LIKES`` are all ``avg likes``, and
``"Subscribers\\ncount"`` is ``subscribers count``.

Resolution, in order:

1. An explicit mapping (``SourceFile.mapping``: ``{"their header": "our column"}``) wins over every
   alias. Targets are a profiles column, ``extra.<key>`` (kept in ``influencer_snapshot.extra``) or
   ``ignore``. Keys starting with ``@`` set file-wide defaults: ``@platform``, ``@as_of``, ``@source``.
2. Aliases: each column lists its aliases best first; a header goes to the first column (in the order
   of :data:`ALIASES`) whose best alias it matches. When two headers match one column, the better alias
   wins and the other is kept in ``extra`` with a note. A header followed by a unit — ``Followers (M)``,
   ``Avg views (k)``, ``ER (%)`` — scales its values (``22.2`` → 22,200,000; ``0.89`` → 0.0089).
3. Known extras (rank, influence score, new-post average likes, total likes, average comments …)
   are parsed as numbers into ``extra``; any other header is kept as text in ``extra`` under its
   snake-cased name.
4. Duplicated header names (after normalisation): the first is used, the later ones are ignored with
   a note. Columns with an empty header are ignored with a note.

These rules read the header only. A file loaded with no explicit or saved mapping is also read by its
values (etl_jobs.infer): the aliases are used when the values agree with them, else the mapping inferred
from the content, which is then applied through rule 1.

Required columns: ``handle`` and ``followers`` (:data:`REQUIRED`). A file lacking one of them is
rejected whole by the loader, naming the missing columns and listing the headers found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from etl_jobs.header_aliases import (
    ALIASES,
    COLUMN_TYPES,
    COLUMNS,
    EXTRAS,
    LOSER_EXTRA_KEYS,
    MAPPING_DEFAULTS,
    PERCENT_WORDS,
    UNIT_SCALES,
)
from etl_jobs.reading import MappingError, alias_key
from etl_jobs.spec import KINDS

__all__ = [
    "ALIASES",
    "COLUMNS",
    "COLUMN_TYPES",
    "EXTRAS",
    "LOSER_EXTRA_KEYS",
    "MAPPING_DEFAULTS",
    "PERCENT_WORDS",
    "REQUIRED",
    "UNIT_SCALES",
    "ColumnSpec",
    "HeaderResolution",
    "display",
    "resolve",
    "snake",
]

REQUIRED: tuple[str, ...] = KINDS["profiles"].required  # ("handle", "followers")


def snake(raw: str) -> str:
    return alias_key(raw).replace(" ", "_")


@dataclass(frozen=True)
class ColumnSpec:
    """Where one CSV column goes. `target` is a profiles column or `extra.<key>`."""

    index: int
    header: str  # as in the file (newlines shown as spaces)
    target: str
    type: str
    scale: int = 1
    percent: bool = False

    @property
    def extra_key(self) -> str | None:
        return self.target[len("extra.") :] if self.target.startswith("extra.") else None


@dataclass
class HeaderResolution:
    headers: list[str]
    columns: dict[str, ColumnSpec] = field(default_factory=dict)
    extras: list[ColumnSpec] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def missing(self, required: tuple[str, ...] = REQUIRED) -> list[str]:
        return [name for name in required if name not in self.columns]

    @property
    def specs(self) -> list[ColumnSpec]:
        return sorted([*self.columns.values(), *self.extras], key=lambda s: s.index)


def display(raw: str) -> str:
    return " ".join(raw.replace("\ufeff", "").split())


def _strip_unit(normalised: str, raw: str) -> tuple[str, int, bool]:
    """``followers m`` → (``followers``, 1_000_000, False); ``er`` with a ``%`` in the raw → percent."""
    percent = "%" in raw
    words = normalised.split()
    scale = 1
    while len(words) > 1 and (words[-1] in UNIT_SCALES or words[-1] in PERCENT_WORDS or words[-1] == "in"):
        word = words.pop()
        if word in UNIT_SCALES:
            scale *= UNIT_SCALES[word]
        elif word in PERCENT_WORDS:
            percent = True
    return " ".join(words), scale, percent


def _alias_rank(normalised: str, column: str) -> int | None:
    aliases = ALIASES[column]
    return aliases.index(normalised) if normalised in aliases else None


def _extra_for(normalised: str) -> tuple[str, str] | None:
    for key, (aliases, type_) in EXTRAS.items():
        if normalised in aliases:
            return key, type_
    return None


def _parse_target(target: object, header: str) -> tuple[str, str] | None:
    """A mapping value → (target, type); None means ignore."""
    if target is None or (isinstance(target, str) and target.strip().lower() in ("", "ignore", "-")):
        return None
    if not isinstance(target, str):
        raise MappingError(f"mapping for {header!r} must be a column name, got {target!r}")
    name = target.strip()
    if name in COLUMN_TYPES:
        return name, COLUMN_TYPES[name]
    for prefix in ("extra.", "extra:"):
        if name.startswith(prefix) and snake(name[len(prefix) :]):
            key = snake(name[len(prefix) :])
            known = EXTRAS.get(key)
            return f"extra.{key}", known[1] if known else "text"
    raise MappingError(
        f"mapping for {header!r} names unknown column {target!r}; use one of {', '.join(COLUMNS)}, "
        "extra.<key> or ignore"
    )


def resolve(header: list[str], mapping: dict[str, object] | None = None) -> HeaderResolution:
    """Map a header row onto the profiles columns (see the module docstring for the rules)."""
    result = HeaderResolution(headers=[display(h) for h in header])
    normalised: list[str] = [alias_key(h) for h in header]
    taken: set[int] = set()
    first_seen = _skip_duplicates(result, normalised, taken)
    _apply_mapping(result, header, normalised, mapping, first_seen, taken)  # 1. the explicit mapping
    _apply_aliases(result, header, normalised, taken)  # 2. aliases, best alias first
    _keep_extras(result, header, normalised, taken)  # 3. extras: known ones typed, the rest as text
    return result


def _skip_duplicates(result: HeaderResolution, normalised: list[str], taken: set[int]) -> dict[str, int]:
    """Empty and repeated headers are ignored with a note; the first column of each name is returned."""
    first_seen: dict[str, int] = {}
    for index, name in enumerate(normalised):
        if not name:
            result.notes.append(f"column {index + 1} has an empty header and is ignored")
            taken.add(index)
        elif name in first_seen:
            result.notes.append(
                f"duplicated header {result.headers[index]!r} (column {index + 1}) ignored; "
                f"column {first_seen[name] + 1} is used"
            )
            taken.add(index)
        else:
            first_seen[name] = index

    return first_seen


def _apply_mapping(
    result: HeaderResolution,
    header: list[str],
    normalised: list[str],
    mapping: dict[str, object] | None,
    first_seen: dict[str, int],
    taken: set[int],
) -> None:
    for key, target in (mapping or {}).items():
        if not isinstance(key, str):
            raise MappingError(f"mapping keys must be header names, got {key!r}")
        if key.startswith("@"):
            if key not in MAPPING_DEFAULTS:
                raise MappingError(f"unknown mapping default {key!r}; known: {', '.join(MAPPING_DEFAULTS)}")
            if not isinstance(target, str) or not target.strip():
                raise MappingError(f"mapping default {key!r} must be a non-empty string")
            result.defaults[key[1:]] = target.strip()
            continue
        index = first_seen.get(alias_key(key))
        if index is None:
            result.notes.append(f"mapping names header {key!r}, which the file does not have")
            continue
        parsed = _parse_target(target, key)
        taken.add(index)
        if parsed is None:
            result.notes.append(f"header {result.headers[index]!r} ignored by the mapping")
            continue
        target_name, type_ = parsed
        _, scale, percent = _strip_unit(normalised[index], header[index])
        spec = ColumnSpec(
            index,
            result.headers[index],
            target_name,
            type_,
            scale if type_ in ("count", "amount") else 1,
            percent and type_ == "rate",
        )
        if spec.extra_key:
            result.extras.append(spec)
        elif target_name in result.columns:
            raise MappingError(f"mapping sends two headers to {target_name!r}")
        else:
            result.columns[target_name] = spec


def _apply_aliases(
    result: HeaderResolution, header: list[str], normalised: list[str], taken: set[int]
) -> None:
    stripped = {i: _strip_unit(n, header[i]) for i, n in enumerate(normalised)}
    for column in COLUMNS:
        if column in result.columns:
            continue
        candidates: list[tuple[int, int, int]] = []  # (rank, exact-before-unit, index)
        for index, name in enumerate(normalised):
            if index in taken:
                continue
            rank = _alias_rank(name, column)
            if rank is not None:
                candidates.append((rank, 0, index))
                continue
            base, scale, percent = stripped[index]
            rank = _alias_rank(base, column)
            if rank is not None and (scale > 1 or percent):
                candidates.append((rank, 1, index))
        if not candidates:
            continue
        candidates.sort()
        _, _, index = candidates[0]
        base, scale, percent = stripped[index]
        type_ = COLUMN_TYPES[column]
        if type_ not in ("count", "amount"):
            scale = 1
        if type_ != "rate":
            percent = False
        result.columns[column] = ColumnSpec(index, result.headers[index], column, type_, scale, percent)
        taken.add(index)
        if scale > 1:
            result.notes.append(f"header {result.headers[index]!r}: values are multiplied by {scale:,}")
        if percent:
            result.notes.append(f"header {result.headers[index]!r}: values are percentages")
        for _, _, loser in candidates[1:]:
            key = LOSER_EXTRA_KEYS.get(normalised[loser], snake(header[loser]))
            known = EXTRAS.get(key)
            result.extras.append(
                ColumnSpec(
                    loser, result.headers[loser], f"extra.{key}", known[1] if known else COLUMN_TYPES[column]
                )
            )
            taken.add(loser)
            result.notes.append(
                f"header {result.headers[loser]!r} also matches {column!r}; {result.headers[index]!r} is "
                f"used and {result.headers[loser]!r} is kept in extra as {key!r}"
            )


def _keep_extras(result: HeaderResolution, header: list[str], normalised: list[str], taken: set[int]) -> None:
    unknown: list[str] = []
    for index, name in enumerate(normalised):
        if index in taken:
            continue
        known = _extra_for(name)
        if known:
            result.extras.append(ColumnSpec(index, result.headers[index], f"extra.{known[0]}", known[1]))
        else:
            result.extras.append(
                ColumnSpec(index, result.headers[index], f"extra.{snake(header[index])}", "text")
            )
            unknown.append(result.headers[index])
    if unknown:
        result.notes.append(f"headers kept as text in extra: {', '.join(repr(h) for h in unknown)}")
