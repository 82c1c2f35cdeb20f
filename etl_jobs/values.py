"""Cell value parsers for human-made CSVs (public lists, other tools' exports).

Every parser takes the raw cell text and returns a Python value, ``None`` for an empty cell, or raises
``ValueError`` whose message is the reason shown in the rejection report. Forms accepted:

- null tokens: empty, ``unknown``, ``N/A``, ``n/a``, ``n.a.``, ``-``, ``--``, ``—``, ``null``,
  ``none``, ``nan``, ``(blank)`` (case-insensitive) → ``None``. ``NA`` is *not* a null token: it is
  Namibia's country code.
- spreadsheet error cells (``#VALUE!``, ``#N/A``, ``#DIV/0!``, ``#REF!``, ``#NAME?``, ``#NUM!``,
  ``#NULL!``, ``#SPILL!``, ``#CALC!``, ``#GETTING_DATA``) → ``None``; the caller adds a note per cell
  (see :func:`spreadsheet_error`).
- counts: ``1234``, ``1,234``, ``1 234``, ``475.8m``, ``3.3k``, ``29.0b``, ``22.2M``, ``221.7K``,
  ``0.89k`` → 890, ``1.2bn``. Arithmetic is decimal, so ``475.8m`` is exactly 475800000.
- percentages / rates: ``1.39%`` → 0.0139. A bare number is a fraction when it is ≤ 1 and a percent
  when it is > 1 (``1.39`` → 0.0139, ``0.0139`` → 0.0139): exports write either form, and an engagement
  rate above 100 % is implausible, so the rule is unambiguous except for percents ≤ 1 % written without
  a ``%`` sign, which exports in practice always write with the sign.
- text: mojibake repaired only where certain (:func:`repair_mojibake`); formula-looking text is kept
  as data and flagged (:func:`looks_like_formula`) so exports can neutralise it
  (etl_jobs.report.neutralise with ``numbers_are_data=True``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from etl_jobs.spec import MAX_COUNT, MAX_INT_DIGITS
from predictfluence.spreadsheet import FORMULA_PREFIXES, looks_like_formula  # noqa: F401 - re-exported for the loaders

NULL_TOKENS: frozenset[str] = frozenset(
    {"", "unknown", "n/a", "n.a.", "-", "--", "—", "–", "null", "none", "nan", "(blank)"}
)
SPREADSHEET_ERRORS: frozenset[str] = frozenset(
    {
        "#VALUE!",
        "#N/A",
        "#DIV/0!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#UNKNOWN!",
        "#ERROR!",  # Google Sheets
    }
)
SUFFIX_MULTIPLIERS: dict[str, int] = {
    "k": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "mn": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
}
# Characters typical of UTF-8 text decoded as Latin-1 / Windows-1252 ("Ã´" for "ô", "â€™" for "’").
MOJIBAKE_MARKERS: tuple[str, ...] = ("Ã", "Â", "â€", "Å", "Ä", "Ð", "Ñ", "Ø", "Ù", "Ú", "ðŸ")

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_SPACE_GROUPED = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f\u2009]\d{3})+(\.\d+)?$")
_SUFFIXED = re.compile(r"^(?P<num>[+-]?(\d+(\.\d*)?|\.\d+))\s*(?P<suffix>[a-z]+)$")


_NULL_MAX = max(len(t) for t in NULL_TOKENS)
_MOJIBAKE = re.compile("|".join(re.escape(m) for m in MOJIBAKE_MARKERS))


def clean(raw: str | None) -> str:
    """Strip surrounding whitespace (including non-breaking spaces) and zero-width characters."""
    if not raw:
        return ""
    if "\ufeff" in raw or "\u200b" in raw:
        raw = raw.replace("\ufeff", "").replace("\u200b", "")
    return raw.strip()  # str.strip() also removes U+00A0, U+202F and the other Unicode spaces


def is_empty(text: str) -> bool:
    """A cleaned cell that means "no value": a null token or a spreadsheet error."""
    if not text:
        return True
    if text[0] == "#":
        return text.upper() in SPREADSHEET_ERRORS
    return len(text) <= _NULL_MAX and text.lower() in NULL_TOKENS


def is_null(raw: str | None) -> bool:
    return clean(raw).lower() in NULL_TOKENS


def spreadsheet_error(raw: str | None) -> str | None:
    """The error token when the cell is a spreadsheet error value (``#VALUE!`` …), else None."""
    text = clean(raw)
    if not text or text[0] != "#":
        return None
    text = text.upper()
    return text if text in SPREADSHEET_ERRORS else None


def _decimal(raw: str) -> Decimal:
    """A plain decimal number, allowing ``1,234`` / ``1 234`` thousands grouping."""
    text = raw.strip()
    if _GROUPED.match(text):
        text = text.replace(",", "")
    elif _SPACE_GROUPED.match(text):
        text = _SPACES.sub("", text)
    if not _NUMBER.match(text):
        if "," in text:
            raise ValueError(f"ambiguous number {raw!r}: commas must group thousands (1,234)")
        raise ValueError(f"not a number: {raw!r}")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise ValueError(f"not a number: {raw!r}") from exc


def parse_decimal_count(raw: str | None, scale: int = 1) -> Decimal | None:
    """A count with an optional k / m / b suffix as an exact Decimal (``3.3k`` → 3300); None if empty.

    `scale` multiplies the value (a header such as ``Followers (M)`` says the values are millions).
    Negative counts are rejected.
    """
    text = clean(raw)
    if is_empty(text):
        return None
    lowered = text.lower()
    match = _SUFFIXED.match(lowered)
    if match:
        suffix = match.group("suffix")
        if suffix not in SUFFIX_MULTIPLIERS:
            raise ValueError(f"unknown suffix {suffix!r} in {raw!r} (expected k, m or b)")
        value = _decimal(match.group("num")) * SUFFIX_MULTIPLIERS[suffix]
    else:
        value = _decimal(lowered)
    if value < 0:
        raise ValueError(f"negative count {raw!r}")
    value *= scale
    if value > MAX_COUNT:  # bounded before the database, which would fail the whole file (bigint range)
        raise ValueError(f"absurdly large (more than {MAX_INT_DIGITS} digits): {text[:40]!r}")
    return value


def parse_count(raw: str | None, scale: int = 1) -> int | None:
    """A whole count: ``475.8m`` → 475800000, ``1,234`` → 1234, ``0.89k`` → 890.

    A suffixed or scaled value is rounded to the nearest unit (``1.2345k`` → 1235: the suffix form is
    itself a rounding); a plain number with a fractional part is rejected (``12.5`` followers is not a
    count).
    """
    value = parse_decimal_count(raw, scale)
    if value is None:
        return None
    if value != value.to_integral_value() and scale == 1 and not _SUFFIXED.match(clean(raw).lower()):
        raise ValueError(f"not a whole number: {raw!r}")
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def parse_amount(raw: str | None, scale: int = 1) -> float | None:
    """A non-negative average (likes, views): like :func:`parse_count` but fractions are kept."""
    value = parse_decimal_count(raw, scale)
    return None if value is None else float(value)


def parse_rate(raw: str | None, percent: bool = False) -> float | None:
    """A rate as a fraction: ``1.39%`` → 0.0139; bare ``1.39`` → 0.0139 (> 1 means percent); bare
    ``0.0139`` → 0.0139. With `percent` (the header said ``%``) every bare number is a percent
    (``0.89`` → 0.0089). Rejects negative rates and rates above 100 %."""
    text = clean(raw)
    if is_empty(text):
        return None
    if text.endswith("%"):
        value = _decimal(text[:-1].strip()) / 100
    else:
        value = _decimal(text)
        if percent or value > 1:
            value = value / 100
    if value < 0:
        raise ValueError(f"negative rate {raw!r}")
    if value > 1:
        raise ValueError(f"rate above 100%: {raw!r}")
    return float(value)


_DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
)


def parse_date(raw: str | None) -> dt.date | None:
    """An ISO date (time part ignored) or a date with a month name; ``01/02/2024`` is ambiguous
    (day/month order differs between tools) and rejected."""
    text = clean(raw)
    if is_empty(text):
        return None
    candidate = re.split(r"[T ]\d{1,2}:\d{2}", text, maxsplit=1)[0].strip()
    found = _date_of(candidate)
    if found is None:
        raise ValueError(f"not a date: {raw!r} (use YYYY-MM-DD)")
    return found


@functools.lru_cache(maxsize=4096)
def _date_of(candidate: str) -> dt.date | None:
    """The date `candidate` spells in one of _DATE_FORMATS, or None. Cached: an export repeats a few dates
    (its as_of) on every row, and strptime was ~7 % of a profiles load (issue 16.8)."""
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    return None


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Windows-1252 / Latin-1 — only where the repair is certain.

    Certain means: the text contains a typical mojibake marker (``Ã``, ``Â``, ``â€`` …), every
    character maps back to a single byte, and those bytes are valid UTF-8 that decodes to something
    different. Correct text is left alone: ``São Paulo`` has no byte form that is valid UTF-8, and
    plain ASCII never changes. Doubly mis-encoded text is repaired by at most two rounds.
    """
    result = text
    for _ in range(2):
        if not _MOJIBAKE.search(result):
            break
        raw = bytearray()
        try:
            for char in result:
                try:
                    raw += char.encode("cp1252")
                except UnicodeEncodeError:
                    if ord(char) > 0xFF:
                        raise
                    raw.append(ord(char))  # Latin-1 control range cp1252 leaves undefined
            repaired = raw.decode("utf-8")
        except UnicodeError:
            break
        if repaired == result:
            break
        result = repaired
    return text if result == text else unicodedata.normalize("NFC", result)


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text)


def parse_text(raw: str | None) -> str | None:
    """Free text: trimmed, internal whitespace collapsed, mojibake repaired; None for null tokens."""
    text = clean(raw)
    if is_empty(text):
        return None
    return collapse_spaces(repair_mojibake(text))
