"""Content inference for other tools' exports: which kind a file is and which column is which, from the
header AND a sample of the values (docs/etl-profiles.md, "Inference").

Each (column, target) pair gets a score 0..1: 0.45 × the header's (1 for a listed alias, 0.6 for a hint
word such as ``follower`` or ``tiktoker``) + 0.55 × the values' (etl_jobs.infer_values.value_score). A
value score under 0.5 contradicts the header and scales the pair down (a "Views avg." column of country
names is no avg_views); a numeric target without any header hint is halved (a count column could be any
metric). The assignment takes pairs best first, each target once, each column once (the targets are few:
an exact search would pick the same), and reports as ambiguous a required target whose runner-up column
scores within TIE of the winner, or whose winner scores under LOW. `ready` is false then, and the load
stops with the preview rather than guess.

The public face (preview, header_signature, the saved-mapping hook) is etl_jobs.infer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from etl_jobs import headers as hdr
from etl_jobs.header_aliases import ALIASES, EXTRAS
from etl_jobs.infer_values import Traits, traits, value_score
from etl_jobs.profile_rows import normalize_platform, platform_from_filename
from etl_jobs.reading import alias_key, column_key

SAMPLE_ROWS = 500
TIE = 0.05
LOW = 0.5
ASSIGN = 0.35
TARGETS: tuple[str, ...] = (*ALIASES, "extra.rank")
REQUIRED = hdr.REQUIRED
_NUMERIC = ("followers", "posts", "avg_likes", "avg_views", "engagement_rate")
# Words of a header that hint at a target without being one of its aliases.
HINTS: dict[str, tuple[str, ...]] = {
    "handle": (
        "handle",
        "user",
        "username",
        "account",
        "channel",
        "tiktoker",
        "youtuber",
        "instagrammer",
        "influencer",
        "creator",
        "insta",
        "instagram",
        "tiktok",
        "youtube",
        "name",
        "profile",
        "url",
        "link",
    ),
    "name": ("name", "title", "channel", "tiktoker", "youtuber", "influencer", "creator", "full", "display"),
    "category": ("category", "niche", "genre", "topic", "vertical", "categories"),
    "country": ("country", "location", "market", "region", "geo", "nation"),
    "platform": ("platform", "network", "social"),
    "followers": ("follower", "followers", "subscriber", "subscribers", "subs", "fans", "audience", "reach"),
    "posts": ("posts", "post", "videos", "uploads", "media"),
    "avg_likes": ("like", "likes", "hearts"),
    "avg_views": ("view", "views", "plays"),
    "engagement_rate": ("eng", "engagement", "er", "interaction", "interactions"),
    "as_of": ("date", "as of", "snapshot", "day", "month"),
    "extra.rank": ("rank", "ranking", "no", "s no", "sno", "serial", "position"),
}


@dataclass
class Column:
    index: int
    header: str
    traits: Traits
    scores: dict[str, float]
    target: str = "ignore"
    confidence: float = 0.0
    why: str = ""
    note: str | None = None
    dropped: bool = False


@dataclass
class Inference:
    columns: list[Column]
    mapping: dict[str, str] = field(default_factory=dict)
    ambiguous: list[dict[str, Any]] = field(default_factory=list)
    platform: str | None = None
    platform_source: str = "none"

    @property
    def ready(self) -> bool:
        assigned = {c.target for c in self.columns}
        return set(REQUIRED) <= assigned and not any(a.get("required") for a in self.ambiguous)

    def assigned(self, target: str) -> Column | None:
        return next((c for c in self.columns if c.target == target), None)


def header_score(header: str, target: str) -> float:
    key = alias_key(header)
    base, _, _ = hdr._strip_unit(key, header)  # noqa: SLF001 - the unit rule of headers.resolve
    aliases = EXTRAS["rank"][0] if target == "extra.rank" else ALIASES.get(target, ())
    if key in aliases or base in aliases:
        return 1.0
    words = set(key.split())
    if any((h in words) if " " not in h else (h in key) for h in HINTS.get(target, ())):
        return 0.6
    return 0.0


def pair_score(header: str, target: str, t: Traits) -> float:
    h = header_score(header, target)
    v = value_score(target, t)
    if t.present == 0:
        return 0.45 * h * 0.5  # an empty sample: the header alone, at half weight
    score = 0.45 * h + 0.55 * v
    if v < 0.5:
        score *= v * 2 if h else v
    if target in _NUMERIC and h == 0:
        score *= 0.5
    return round(min(1.0, score), 3)


def sample_columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[list[str]]:
    return [[r[i] if i < len(r) else "" for r in rows] for i in range(len(header))]


def infer_columns(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    file_name: str = "",
    mapping: dict[str, object] | None = None,
) -> Inference:
    """Score every column against every target and choose the assignment (see the module docstring)."""
    seen: set[str] = set()
    columns: list[Column] = []
    for index, (cell, values) in enumerate(zip(header, sample_columns(header, rows), strict=True)):
        name = hdr.display(cell)
        t = traits(values)
        key = alias_key(cell)
        if not key or key in seen:
            columns.append(Column(index, name, t, {}, note="empty header" if not key else "repeated header"))
            continue
        seen.add(key)
        columns.append(Column(index, name, t, {target: pair_score(cell, target, t) for target in TARGETS}))
    result = Inference(columns)
    _assign(result)
    _leftovers(result)
    _ambiguities(result)
    _platform(result, file_name, mapping)
    result.mapping = {c.header: c.target for c in columns if c.scores}
    if result.platform and result.platform_source != "column":
        result.mapping["@platform"] = result.platform
    return result


def _assign(result: Inference) -> None:
    pairs = sorted(
        ((score, -c.index, c, target) for c in result.columns for target, score in c.scores.items()),
        key=lambda p: (p[0], p[1]),
        reverse=True,
    )
    taken: set[str] = set()
    for score, _, column, target in pairs:
        if score < ASSIGN or target in taken or column.target != "ignore" or column.confidence:
            continue
        column.target, column.confidence = target, score
        column.why = _why(column, target)
        taken.add(target)


def _why(column: Column, target: str) -> str:
    h = header_score(column.header, target)
    said = "header is an alias" if h == 1 else "header hints at it" if h else "header says nothing"
    return f"{said}; values fit {target} ({value_score(target, column.traits):.0%} of {column.traits.present} sampled)"


def _leftovers(result: Inference) -> None:
    """Columns no target took: a repeated metric is ignored with a note, a known extra kept typed, a
    serial number ignored, anything else kept as text in extra."""
    for column in result.columns:
        if column.target != "ignore" or column.confidence:
            continue
        if not column.scores:
            continue
        best = max(column.scores, key=lambda k: column.scores[k])
        winner = result.assigned(best)
        key = alias_key(column.header)
        extra = next((k for k, (aliases, _) in EXTRAS.items() if key in aliases), None)
        if extra:
            column.target, column.why = f"extra.{extra}", "a known extra"
        elif column.traits["serial"] and column.scores.get("extra.rank", 0) >= ASSIGN:
            column.target, column.why = "ignore", "a serial number 1..n"
        elif winner is not None and column.scores[best] >= ASSIGN and best in _NUMERIC:
            column.target = "ignore"
            column.note = f"repeats {winner.header!r} ({best}); {winner.header!r} is used"
            column.why = column.note
        else:
            column.target, column.why = f"extra.{hdr.snake(column.header)}", "kept as text in extra"
        column.confidence = column.scores.get(best, 0.0)


def _ambiguities(result: Inference) -> None:
    for target in TARGETS:
        winner = result.assigned(target)
        if winner is None:
            continue
        required = target in REQUIRED
        rivals = [
            c
            for c in result.columns
            if c is not winner
            and c.scores.get(target, 0) >= ASSIGN
            and winner.confidence - c.scores[target] <= TIE
        ]
        for rival in rivals:
            result.ambiguous.append(
                {
                    "index": winner.index + 1,
                    "header": winner.header,
                    "required": required,
                    "reason": f"{target}: {winner.header!r} or {rival.header!r}: tie {winner.confidence:.2f} vs "
                    f"{rival.scores[target]:.2f}",
                }
            )
        if required and not rivals and winner.confidence < LOW:
            result.ambiguous.append(
                {
                    "index": winner.index + 1,
                    "header": winner.header,
                    "required": True,
                    "reason": f"{target}: low confidence {winner.confidence:.2f}",
                }
            )
    for target in REQUIRED:
        if result.assigned(target) is None:
            result.ambiguous.append(
                {"index": None, "header": None, "required": True, "reason": f"no column looks like {target}"}
            )


def _platform(result: Inference, file_name: str, mapping: dict[str, object] | None) -> None:
    if result.assigned("platform") is not None:
        result.platform, result.platform_source = None, "column"
        return
    from_name = platform_from_filename(file_name) if file_name else None
    if from_name:
        result.platform, result.platform_source = from_name, "file name"
        return
    given = (mapping or {}).get("@platform")
    if isinstance(given, str) and normalize_platform(given):
        result.platform, result.platform_source = normalize_platform(given), "mapping"
        return
    votes: dict[str, int] = {}
    for column in result.columns:
        for platform, count in column.traits.platforms.items():
            votes[platform] = votes.get(platform, 0) + count
        for word in alias_key(column.header).split():
            named = normalize_platform(word) if word in ("tiktoker", "youtuber", "instagrammer") else None
            words = {
                "tiktoker": "tiktok",
                "youtuber": "youtube",
                "instagrammer": "instagram",
                "insta": "instagram",
                "instagram": "instagram",
                "tiktok": "tiktok",
                "youtube": "youtube",
            }
            if word in words and column.target in ("handle", "name"):
                named = words[word]
            if named:
                votes[named] = votes.get(named, 0) + 1
    if votes:
        result.platform = max(votes, key=lambda k: votes[k])
        result.platform_source = "handles"


# --- the trusted alias path, kinds, the preview -------------------------------------------------------------


def aliases_trusted(resolution: hdr.HeaderResolution, rows: Sequence[Sequence[str]]) -> bool:
    """The header aliases found every required column and the values agree: the handle column holds
    handle-like values (or URLs), not display names, and the followers column counts."""
    if resolution.missing():
        return False
    columns = sample_columns(resolution.headers, rows)
    handle = traits(columns[resolution.columns["handle"].index])
    followers = traits(columns[resolution.columns["followers"].index])
    handle_ok = handle.present == 0 or handle["handle"] + handle["url"] >= 0.6
    return handle_ok and (followers.present == 0 or followers["count"] >= 0.5)


def kind_scores(
    header: Sequence[str], rows: Sequence[Sequence[str]], file_name: str = ""
) -> list[dict[str, Any]]:
    """Every kind scored against the file: a warehouse kind by its required and known columns among the
    header cells, `profiles` by the inference's confidence in handle and followers."""
    from etl_jobs.spec import KINDS

    names = {column_key(c) for c in header}
    scores: dict[str, float] = {}
    for kind, spec in KINDS.items():
        if kind == "profiles":
            continue
        required = set(spec.required)
        hit = len(required & names) / len(required) if required else 0.0
        known = len(names & set(spec.column_names)) / max(1, len(names))
        scores[kind] = round(0.7 * hit + 0.3 * known, 3)
    inference = infer_columns(header, rows, file_name)
    got = [inference.assigned(t) for t in REQUIRED]
    scores["profiles"] = round(sum(c.confidence for c in got if c) / len(REQUIRED), 3)
    return sorted(({"kind": k, "score": s} for k, s in scores.items()), key=lambda d: -d["score"])


def parse_head(head: bytes | str) -> tuple[list[str], list[list[str]]]:
    """Header and whole sample rows of a file's first bytes (the last partial line ignored)."""
    text = head.decode("utf-8-sig", errors="replace") if isinstance(head, bytes) else head.lstrip("\ufeff")
    cut = max(text.rfind("\n"), text.rfind("\r"))
    text = text[: cut + 1] if cut >= 0 and not text.endswith(("\n", "\r")) else text
    sniff = text[:4096]
    delimiter = max((",", ";", "\t", "|"), key=lambda d: sniff.split("\n", 1)[0].count(d))
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(records, [])
    rows = []
    for row in records:
        if len(rows) >= SAMPLE_ROWS:
            break
        if any(cell.strip() for cell in row):
            rows.append(row)
    return header, rows


def completed_aliases(
    header: Sequence[str], rows: Sequence[Sequence[str]], file_name: str = ""
) -> dict[str, str] | None:
    """When the aliases are trusted but left a column as unknown text that the inference gives a profiles
    column they did not fill (a display name under `Youtuber name`), the aliases' mapping with those
    columns added; None when the inference adds nothing (the aliases load as they are)."""
    resolution = hdr.resolve(list(header))
    inferred = infer_columns(header, rows, file_name)
    mapping = {spec.header: spec.target for spec in resolution.specs}
    added = False
    for column in inferred.columns:
        unknown = mapping.get(column.header) == f"extra.{hdr.snake(column.header)}"
        if unknown and column.target in hdr.COLUMNS and column.target not in resolution.columns:
            mapping[column.header] = column.target
            added = True
    return mapping if added else None
