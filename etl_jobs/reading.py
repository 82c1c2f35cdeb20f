"""Reading an uploaded file: the first scan, the header row, header names and mapping files.

Every load reads through here, the warehouse kinds (etl_jobs.staging), the `post_metrics` fast path and
the `profiles` loader alike:

- `scan` streams the bytes once (checksum, encoding, the structural checks that need every byte, the
  longest physical line) and keeps the decoded text of the first chunk, from which `read_header` takes
  the header row without opening the file again. The pipeline reads the header once and passes it on in
  `SourceFile.header`; a loader then opens the file only for its own pass over the rows.
- Header cells are compared under one of two keys, each for its own matching: `column_key` (a warehouse
  column name: `" Post ID "` → `post_id`) and `alias_key` (the words of another tool's header, matched
  against the profiles aliases: `"Avg. Likes"` → `avg likes`).
- A header mapping (`{"their header": "our column", "@platform": "youtube"}`) is parsed by
  `parse_mapping`, whether it comes from `--map`, a `<file>.mapping.json` beside a local file or the
  `<key>.mapping.json` object beside an S3 upload. The warehouse kinds apply it with `renamed_header`;
  the profiles kind with etl_jobs.headers.resolve (its targets also include `extra.<key>`, `ignore` and
  the `@` defaults).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from etl_jobs.base import FileRejected, SourceFile

CHUNK = 1 << 20
MAX_LINE_BYTES = 1 << 20  # a longer physical line rejects the file in the first scan, before anything parses it
MAX_COLUMNS = 1_000  # a header wider than this is not a CSV of any kind (PostgreSQL tables stop at 1,600)
MAX_MAPPING_BYTES = 1 << 20
MAPPING_SUFFIX = ".mapping.json"
_BLANK = "\ufeff \t\r\n"


# --- the first scan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    checksum: str
    size: int
    encoding: str  # utf-8 | utf-16
    head: str = ""  # the decoded text of the first chunk, byte-order mark dropped
    whole: bool = False  # `head` is the whole file

    @property
    def blank(self) -> bool:
        """Nothing but spaces and line breaks (a header-only file is not blank)."""
        return self.whole and not self.head.strip(_BLANK)


class ScanRejected(Exception):
    """The scan found the file unusable; `scan` still holds its checksum (the rejection is recorded)."""

    def __init__(self, scanned: Scan, rejection: FileRejected):
        super().__init__(rejection.reason)
        self.scan = scanned
        self.rejection = rejection


def line_break(head: bytes) -> bytes:
    """The file's line break as PostgreSQL's COPY decides it, from the first one: LF, CRLF or CR."""
    found = re.search(rb"\r\n?|\n", head)
    return found.group() if found else b"\n"


def _first_chunk(chunk: bytes) -> tuple[str, str | None]:
    """The encoding the first bytes announce, or why the file is not a CSV at all."""
    if chunk[:2] == b"\x1f\x8b":
        return "utf-8", "the file is gzip-compressed; upload the uncompressed CSV"
    if chunk[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16", None
    if chunk[:4] == b"PK\x03\x04":
        return "utf-8", "the file is a ZIP archive (e.g. an .xlsx workbook), not a CSV"
    return "utf-8", None


class _Checks:
    """The per-chunk structural checks of `scan`: line lengths, the encoding, NUL bytes."""

    def __init__(self, encoding: str, eol: bytes):
        self.encoding = encoding
        self.eol = eol
        self.decoder: Any = codecs.getincrementaldecoder(encoding)("strict")
        self.lines = 1
        self.run = 0  # bytes since the last line break

    def chunk(self, chunk: bytes) -> tuple[str, str | None]:
        """(the decoded text, the error if any)."""
        eol = self.eol
        first_break = chunk.find(eol)
        longest = self.run + (len(chunk) if first_break < 0 else first_break)
        self.run = len(chunk) - chunk.rfind(eol) - 1 if first_break >= 0 else longest
        if max(longest, self.run) > MAX_LINE_BYTES:  # lines between two breaks of one chunk are shorter than CHUNK
            return "", _long_line(self.lines if longest > MAX_LINE_BYTES else self.lines + chunk.count(eol))
        try:
            text = self.decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            line = self.lines + chunk.count(b"\n", 0, exc.start)
            return "", (f"the file is not valid {self.encoding.upper()} (byte 0x{chunk[exc.start]:02x} on line "
                        f"{line}); save it as UTF-8")
        if self.encoding == "utf-8" and b"\x00" in chunk:
            line = self.lines + chunk.count(b"\n", 0, chunk.index(b"\x00"))
            return text, f"the file contains NUL bytes (line {line}): it is binary, not a CSV"
        self.lines += chunk.count(eol)
        return text, None

    def end(self) -> str | None:
        try:
            self.decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return f"the file ends in the middle of a {self.encoding.upper()} character (truncated?)"
        return None


def scan(path: Path) -> Scan:
    """Stream the file once: sha256 of the bytes and the structural checks that need every byte, among
    them the length of every physical line (at most MAX_LINE_BYTES), which bounds what any later reader
    holds at once. ScanRejected when the file is not a usable CSV."""
    digest = hashlib.sha256()
    size = 0
    encoding = "utf-8"
    head = ""
    checks: _Checks | None = None
    error: str | None = None
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if size == 0:
                encoding, error = _first_chunk(chunk)
                checks = _Checks(encoding, line_break(chunk)[-1:])
            size += len(chunk)
            if error or checks is None:
                continue
            text, error = checks.chunk(chunk)
            if size == len(chunk):
                head = text[1:] if text.startswith("\ufeff") else text
        if checks is not None and not error:
            error = checks.end()
    result = Scan(digest.hexdigest(), size, encoding, head, whole=size <= CHUNK)
    if error:
        raise ScanRejected(result, FileRejected(error))
    return result


def _long_line(line: int) -> str:
    limit = f"{MAX_LINE_BYTES // 1024:,} KiB"
    if line == 1:
        return f"the first line is longer than {limit}: not a CSV header row"
    return f"line {line:,} is longer than {limit}, the longest row a file may hold (docs/reliability.md)"


@contextlib.contextmanager
def utf8_copy(source: SourceFile, scanned: Scan) -> Iterator[SourceFile]:
    """The source as UTF-8: UTF-16 files are transcoded (streaming) into a temporary file."""
    if scanned.encoding == "utf-8":
        yield source
        return
    fd, name = tempfile.mkstemp(suffix=".csv", prefix="pf-utf8-")
    try:
        with open(source.path, encoding="utf-16", newline="") as src, os.fdopen(fd, "w", encoding="utf-8", newline="") as dst:
            while block := src.read(CHUNK):
                dst.write(block)
        yield replace(source, path=Path(name))
    finally:
        os.unlink(name)


# --- the header row ------------------------------------------------------------------------------------


def _first_record(rows: Iterator[list[str]]) -> list[str]:
    try:
        for row in rows:
            if len(row) > MAX_COLUMNS:
                raise FileRejected(f"the header has {len(row):,} columns; at most {MAX_COLUMNS:,} are supported")
            return row
    except csv.Error as exc:
        raise FileRejected(f"the header row is not valid CSV ({exc})") from exc
    return []


def _header_from_head(scanned: Scan) -> list[str] | None:
    """The header row from the scan's first chunk, None when it may run past that chunk."""
    text = scanned.head
    if not scanned.whole:
        text = text[: max(text.rfind("\n"), text.rfind("\r")) + 1]  # whole physical lines only
    rows = csv.reader(io.StringIO(text, newline=""))
    header = _first_record(rows)
    if scanned.whole:
        return header
    try:  # a second record means the first ended inside the chunk (and was not cut at its end)
        return header if next(rows, None) is not None else None
    except csv.Error:  # in the second record: the first is complete
        return header


def read_header(path: Path, scanned: Scan | None = None) -> list[str]:
    """The first CSV record (a quoted header cell may hold a newline); [] for an empty file. Taken from
    the scan's first chunk when it holds the whole record, else read from the (UTF-8) file."""
    if scanned is not None:
        header = _header_from_head(scanned)
        if header is not None:
            return header
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return _first_record(csv.reader(handle))


def header_of(source: SourceFile) -> list[str]:
    """The header the pipeline passed along, else (a loader called directly) read from the file."""
    return list(source.header) if source.header is not None else read_header(source.path)


def column_key(name: str) -> str:
    """A warehouse header cell as the column name it means: `" Post ID "` → `post_id` (lower case,
    surrounding space dropped, inner space/hyphens → `_`)."""
    return re.sub(r"[\s\-]+", "_", name.replace("\ufeff", "").strip().lower())


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def alias_key(raw: str) -> str:
    """Another tool's header cell as the words the profiles aliases list: ``"\\ufeffAvg. Likes\\n"`` →
    ``"avg likes"`` (zero-width characters dropped, NFKC, case-folded, punctuation runs → one space)."""
    text = unicodedata.normalize("NFKC", raw.replace("\ufeff", "").replace("\u200b", ""))
    return _NON_WORD.sub(" ", text.casefold()).strip()


# --- header mappings -----------------------------------------------------------------------------------


class MappingError(ValueError):
    """The explicit mapping is malformed (unknown target column, not an object of strings)."""


def parse_mapping(body: bytes, name: str) -> dict[str, object]:
    """A mapping file's bytes (``{"their header": "our column", "@platform": "youtube"}``) as a dict;
    MappingError naming the file and what is wrong otherwise."""
    if len(body) > MAX_MAPPING_BYTES:
        raise MappingError(f"mapping file {name} is larger than {MAX_MAPPING_BYTES // 1024:,} KiB")
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise MappingError(f"mapping file {name} is not valid JSON ({str(exc)[:200]})") from exc
    if not isinstance(data, dict):
        raise MappingError(f"mapping file {name} must hold a JSON object of header → column")
    return data


def read_mapping_file(path: Path) -> dict[str, object]:
    """Read a mapping JSON file (see `parse_mapping`)."""
    try:
        with open(path, "rb") as handle:
            body = handle.read(MAX_MAPPING_BYTES + 1)
    except OSError as exc:
        raise MappingError(f"cannot read mapping file {path.name}: {exc}") from exc
    return parse_mapping(body, path.name)


def mapping_paths_beside(path: Path) -> list[Path]:
    """Where a mapping for ``export.csv`` may sit: ``export.csv.mapping.json`` or ``export.mapping.json``."""
    return [path.with_name(path.name + MAPPING_SUFFIX), path.with_name(path.stem + MAPPING_SUFFIX)]


def renamed_header(header: Sequence[str], mapping: dict[str, Any] | None) -> list[str]:
    """A warehouse kind's header after the mapping's renames (their header → our column; `@` defaults
    and non-text targets are not renames); cells the mapping does not name are kept as they are."""
    if not mapping:
        return list(header)
    renames = {column_key(k): v for k, v in mapping.items() if isinstance(v, str) and v and not v.startswith("@")}
    return [renames.get(column_key(cell), cell) for cell in header]


def mapped_names(header: Sequence[str], mapping: dict[str, Any] | None) -> list[str]:
    """The column each header cell names after the mapping."""
    return [column_key(cell) for cell in renamed_header(header, mapping)]


# --- loosely delimited text (the profiles kind) ---------------------------------------------------------


def open_text(source: SourceFile) -> io.TextIOWrapper:
    """The file as text: UTF-16 by its byte-order mark, else UTF-8 (a BOM dropped); FileRejected when
    it cannot be opened."""
    try:
        handle = open(source.path, "rb")  # noqa: SIM115 - closed by the caller through the wrapper
    except OSError as exc:
        raise FileRejected(f"cannot open file: {exc}") from exc
    head = handle.peek(4)[:4] if hasattr(handle, "peek") else b""
    encoding = "utf-16" if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    return io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="")


def sniff_delimiter(first_line: str) -> str:
    if "," in first_line:
        return ","
    for delimiter in (";", "\t", "|"):
        if delimiter in first_line:
            return delimiter
    return ","


def records(text: io.TextIOWrapper) -> Iterator[tuple[int, list[str]]]:
    """(first physical line of the record, cells) of a file delimited by `,`, `;`, tab or `|` (as its
    first line shows); the header is line 1."""
    first = text.readline()
    if not first.strip():
        if first and text.read().strip():
            raise FileRejected("no header row: the first line is empty")
        raise FileRejected("empty file: no header row")
    delimiter = sniff_delimiter(first)

    def lines() -> Iterator[str]:
        yield first
        yield from text

    reader = csv.reader(lines(), delimiter=delimiter)
    previous = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileRejected(f"malformed CSV near line {reader.line_num}: {exc}") from exc
        yield previous + 1, row
        previous = reader.line_num
