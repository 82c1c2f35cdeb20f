"""The `profiles` kind: external profile-level data → `influencer` + `influencer_snapshot`.

Sources: public lists such as the top-200 Instagram dataset and CSV exports of other influencer tools,
one platform per file, each with its own headers (resolved by etl_jobs.headers) and value forms
(parsed by etl_jobs.values). See docs/etl-profiles.md.

Per row: the handle is required (a leading ``@`` is dropped); bad values reject the row with its line,
column, value and reason; a handle seen earlier in the file rejects the later row. Good rows:

- upsert ``influencer`` on (platform, handle); name, category, country and followers are set when the
  row has them, never blanked by an empty cell; ``category_source`` / ``country_source`` (the file's
  text when it says more than the normalised value, etl_jobs.normalise) follow a category/country cell
  that has text: written, or cleared when the text is the normalised value itself; kept by an empty cell;
- upsert ``influencer_snapshot`` on (influencer_id, as_of, source) with followers, posts, avg_likes,
  avg_views, engagement_rate and ``extra`` (rank, influence score, … and unrecognised columns).

``as_of`` is the row's as_of/date column, else the mapping's ``@as_of``, else the load date (UTC).
``source`` is ``file:<file name without extension>`` (or the mapping's ``@source``), so reloading a
corrected file on the same day replaces its snapshots, and each file is its own source.

Writes are batched: one statement per 5,000 rows (the rows as one JSON parameter → jsonb_to_recordset
→ INSERT … ON CONFLICT into both tables), run by etl_jobs.profile_writes' writer thread while the next
batch is parsed (etl_jobs.profile_rows.FileRows). The loader reads the file in one streaming pass; memory
holds up to three batches plus the set of keys seen.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.engine import Connection

from etl_jobs import headers as hdr
from etl_jobs import infer, progress
from etl_jobs import values as val
from etl_jobs.base import FileRejected, KindResult, SourceFile
from etl_jobs.profile_rows import FileRows, Notes, normalize_platform, platform_from_filename
from etl_jobs.profile_writes import BatchWriter
from etl_jobs.reading import (
    MappingError,
    alias_key,
    mapping_paths_beside,
    open_text,
    read_mapping_file,
    records,
)

BATCH_ROWS = 5_000
DEFAULT_PLATFORM = "instagram"
_METRICS = ("posts", "avg_likes", "avg_views", "engagement_rate")
# The canonical `influencers` kind header must not be mistaken for a profiles file.
_INFLUENCERS_HEADER = ("platform", "handle", "name", "category", "country", "language", "followers")


def default_source(key: str) -> str:
    name = PurePosixPath(key.replace("\\", "/")).name
    stem = name.split(".", 1)[0] if not name.startswith(".") else name
    return f"file:{stem}"[:128]


class ProfilesLoader:
    kind = "profiles"

    def matches_header(self, header: list[str]) -> bool:
        normalised = tuple(alias_key(h) for h in header)
        if normalised == _INFLUENCERS_HEADER:
            return False
        resolution = hdr.resolve(header)
        return not resolution.missing() and any(m in resolution.columns for m in _METRICS)

    def load(self, conn: Connection, source: SourceFile) -> KindResult:
        result = KindResult(rows_in=0, rows_loaded=0)
        notes = Notes(result.notes)
        try:
            with open_text(source) as text:
                self._load(conn, source, text, result, notes)
        except UnicodeDecodeError as exc:
            raise FileRejected(
                f"the file is not valid UTF-8 text ({exc.reason}); save it as CSV UTF-8"
            ) from exc
        notes.close()
        result.note_unlisted()
        return result

    # -- one file ----------------------------------------------------------------------------------

    def _load(
        self, conn: Connection, source: SourceFile, text: io.TextIOWrapper, result: KindResult, notes: Notes
    ) -> None:
        rows = records(text)
        try:
            _, header = next(rows)
        except StopIteration:
            raise FileRejected("empty file: no header row") from None
        if not any(cell.strip() for cell in header):
            raise FileRejected("the first row is empty: no header row")
        sample = list(itertools.islice(rows, infer.SAMPLE_ROWS))  # read again below: the rows are chained
        rows = itertools.chain(sample, rows)
        resolution = self._resolve(source, header, notes, [r for _, r in sample])
        platform_default = self._platform_default(source, resolution, notes)
        as_of_default = self._as_of_default(resolution)
        src = resolution.defaults.get("source", default_source(source.key))[:128]
        plan = [(spec, spec.extra_key) for spec in resolution.specs]  # computed once, used per row
        self._load_rows(conn, rows, len(header), plan, (platform_default, as_of_default, src), result, notes)

    def _load_rows(
        self,
        conn: Connection,
        rows: Iterator[tuple[int, list[str]]],
        width: int,
        plan: list[tuple[hdr.ColumnSpec, str | None]],
        defaults: tuple[str, dt.date, str],
        result: KindResult,
        notes: Notes,
    ) -> None:
        """Parse, check and write the rows in batches of BATCH_ROWS; `defaults` are the file's platform,
        as_of and source. Parsing is etl_jobs.profile_rows'; writing etl_jobs.profile_writes'."""
        platform_default, as_of_default, src = defaults
        parser = FileRows(width, plan, platform_default, as_of_default, result, notes)
        batch: list[dict[str, Any]] = []
        blank = 0
        with BatchWriter(conn, src) as writer:  # writes a batch while the next one is parsed
            for line, row in rows:
                if not "".join(row).strip():  # no cell holds anything but spaces
                    blank += 1
                    continue
                result.rows_in += 1
                parsed = parser.parse(line, row)
                if parsed is None:
                    continue
                batch.append(parsed)
                if len(batch) >= BATCH_ROWS:
                    result.rows_loaded += writer.put(batch)
                    batch = []
                    progress.report(result.rows_in)  # etl_jobs.progress: once per batch
            if batch:
                result.rows_loaded += writer.put(batch)
        if blank:
            notes.add(f"{blank} blank line(s) skipped")
        if result.rows_in == 0:
            notes.add("the file has a header but no data rows")

    def _resolve(
        self, source: SourceFile, header: list[str], notes: Notes, sample: list[list[str]]
    ) -> hdr.HeaderResolution:
        """The header resolved with the file's mapping: the explicit one (given, else beside a local
        file) > the saved one of this header's signature > the aliases when the values agree with them >
        the mapping inferred from the content (etl_jobs.infer), which must be `ready`. FileRejected for a
        bad mapping, a missing required column or an inference that cannot decide. Then optional columns
        whose sampled values mostly fail their type are dropped with a note."""
        mapping = source.mapping
        if mapping is None:
            mapping = self._mapping_beside(source, notes)
        if mapping is None:
            mapping = infer.saved_mapping(header)
            if mapping is not None:
                notes.add(getattr(mapping, "note", "") or "header mapping: the saved mapping of this header")
        if mapping is None and not infer.aliases_trusted(hdr.resolve(header), sample):
            mapping = self._inferred(source, header, sample, notes)
        elif mapping is None:
            mapping = infer.completed_aliases(header, sample, source.key)
            if mapping is not None:
                added = [f"{h!r} → {t}" for h, t in mapping.items() if t in hdr.COLUMNS]
                notes.add(f"header aliases completed from the values: {', '.join(added)}")
        resolution = self._resolve_with(header, mapping)
        notes_now = [*resolution.notes, *infer.prefer_exact_copies(resolution, header, sample)]
        for note in [*notes_now, *(b.note for b in infer.broken_columns(resolution, sample))]:
            notes.add(note)
        return resolution

    @staticmethod
    def _inferred(
        source: SourceFile, header: list[str], sample: list[list[str]], notes: Notes
    ) -> dict[str, object] | None:
        """The inferred mapping; None when no column even looks like a required one (the aliases' "missing
        required column" rejection follows); FileRejected naming the ambiguous columns otherwise."""
        inferred = infer.infer_columns(header, sample, source.key)
        if any(inferred.assigned(t) is None for t in hdr.REQUIRED):
            return None
        if not inferred.ready:
            ambiguous = [a for a in inferred.ambiguous if a.get("required")]
            raise FileRejected(
                "cannot tell which column is which: "
                + "; ".join(a["reason"] for a in ambiguous)
                + ". Map the columns in the Data page or with a mapping file (--map mapping.json).",
                {
                    "ambiguous": [{k: v for k, v in a.items() if k != "required"} for a in ambiguous],
                    "headers": [hdr.display(h) for h in header],
                },
            )
        decided = ", ".join(
            f"{c.header!r} → {c.target} ({c.confidence:.2f})"
            for c in inferred.columns
            if c.target in hdr.COLUMNS
        )
        notes.add(f"columns inferred from their values: {decided}")
        for column in inferred.columns:
            if column.note and column.scores:
                notes.add(f"header {column.header!r}: {column.note}")
        for item in inferred.ambiguous:
            notes.add(f"uncertain: {item['reason']}")
        mapping: dict[str, object] = dict(inferred.mapping)
        if inferred.platform_source != "handles":
            mapping.pop("@platform", None)  # the file name is read again by _platform_default, with its note
        return mapping

    @staticmethod
    def _resolve_with(header: list[str], mapping: dict[str, object] | None) -> hdr.HeaderResolution:
        try:
            resolution = hdr.resolve(header, mapping)
        except hdr.MappingError as exc:
            raise FileRejected(
                f"bad header mapping: {exc}", {"headers": [hdr.display(h) for h in header]}
            ) from exc
        missing = resolution.missing()
        if missing:
            found = [h for h in resolution.headers if h]
            raise FileRejected(
                f"missing required column(s) {', '.join(missing)}; headers found: {', '.join(found) or '(none)'}. "
                "Add the column or map a header to it with a mapping file (--map mapping.json or "
                "<file>.mapping.json).",
                {"missing": missing, "headers": found},
            )
        return resolution

    @staticmethod
    def _mapping_beside(source: SourceFile, notes: Notes) -> dict[str, object] | None:
        """A local file's `<file>.mapping.json` when the caller passed no mapping (S3 callers fetch it)."""
        for candidate in mapping_paths_beside(source.path):
            if candidate.is_file():
                try:
                    mapping = read_mapping_file(candidate)
                except MappingError as exc:
                    raise FileRejected(str(exc)) from exc
                notes.add(f"header mapping read from {candidate.name}")
                return mapping
        return None

    def _platform_default(self, source: SourceFile, resolution: hdr.HeaderResolution, notes: Notes) -> str:
        if "platform" in resolution.defaults:
            platform = normalize_platform(resolution.defaults["platform"])
            if platform is None:
                raise FileRejected(f"bad @platform in the mapping: {resolution.defaults['platform']!r}")
            return platform
        from_name = platform_from_filename(source.key)
        if from_name:
            if "platform" not in resolution.columns:
                notes.add(f"platform {from_name!r} taken from the file name")
            return from_name
        if "platform" not in resolution.columns:
            notes.add(
                f"no platform column, mapping default or platform in the file name: assuming {DEFAULT_PLATFORM!r}"
            )
        return DEFAULT_PLATFORM

    def _as_of_default(self, resolution: hdr.HeaderResolution) -> dt.date:
        if "as_of" in resolution.defaults:
            try:
                parsed = val.parse_date(resolution.defaults["as_of"])
            except ValueError as exc:
                raise FileRejected(f"bad @as_of in the mapping: {exc}") from exc
            if parsed is not None:
                return parsed
        return dt.datetime.now(dt.UTC).date()


loader = ProfilesLoader()
