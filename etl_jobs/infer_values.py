"""What a column's values look like, for the content inference of etl_jobs.infer: the share of a sample's
non-missing values that are handle-like, display-name-like, counts, percentages, countries, category
text, dates, a serial 1..n or profile URLs. Missing means empty, a null token (``N/A``, ``-``) or a
spreadsheet error in any of the common languages (``#VALUE!``, ``#VALOR!``, ``#WERT!``, ``#NV``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from etl_jobs import values as val
from etl_jobs.header_aliases import LOCALISED_ERRORS
from etl_jobs.profile_rows import PLATFORM_ALIASES

_HANDLE = re.compile(r"^@?[a-z0-9_][a-z0-9_.]{0,29}$")
_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.)?(?P<site>instagram\.com|tiktok\.com|youtube\.com|youtu\.be|twitter\.com|x\.com)/",
    re.IGNORECASE,
)
_URL_PLATFORMS = {
    "instagram.com": "instagram",
    "tiktok.com": "tiktok",
    "youtube.com": "youtube",
    "youtu.be": "youtube",
    "twitter.com": "twitter",
    "x.com": "twitter",
}
_PERCENT = re.compile(r"^[+-]?\d+(?:[.,]\d+)?\s*%$")
_DECIMAL = re.compile(r"^[+-]?\d*\.\d+$")
_INT = re.compile(r"^\d+$")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# A few names people write that are no ISO short name (pycountry knows the official ones).
_COUNTRY_EXTRA = frozenset(
    {
        "usa",
        "us",
        "u s",
        "uk",
        "england",
        "scotland",
        "wales",
        "south korea",
        "korea",
        "russia",
        "iran",
        "vietnam",
        "turkey",
        "türkiye",
        "taiwan",
        "czech republic",
        "bolivia",
        "venezuela",
        "tanzania",
        "syria",
        "laos",
        "moldova",
        "estados unidos",
        "brasil",
        "méxico",
        "españa",
        "deutschland",
        "italia",
        "uae",
        "united arab emirates",
        "south africa",
        "ivory coast",
        "palestine",
    }
)


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    names = set(_COUNTRY_EXTRA)
    try:
        import pycountry
    except ImportError:  # pragma: no cover - pycountry ships with the ETL; the extra list still works
        return frozenset(names)
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name", "alpha_2", "alpha_3"):
            value = getattr(country, attr, None)
            if value:
                names.add(value.casefold())
    return frozenset(names)


def is_missing(raw: str) -> bool:
    text = val.clean(raw)
    if not text:
        return True
    if text[0] == "#" and (text.upper() in val.SPREADSHEET_ERRORS or text.upper() in LOCALISED_ERRORS):
        return True
    return val.is_empty(text)


def is_country(text: str) -> bool:
    key = " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())
    return key in _countries()


def is_handle(text: str) -> bool:
    return bool(_HANDLE.match(text)) and not _INT.match(text.lstrip("@")) and not is_country(text)


def url_platform(text: str) -> str | None:
    found = _URL.match(text.strip())
    return _URL_PLATFORMS[found.group("site").lower()] if found else None


def _is_count(text: str) -> bool:
    try:
        return val.parse_decimal_count(text) is not None
    except ValueError:
        return False


def _is_date(text: str) -> bool:
    if not re.search(r"\d", text) or _INT.match(text):
        return False
    try:
        return val.parse_date(text) is not None
    except ValueError:
        return False


def _is_display(text: str) -> bool:
    if not _LETTER.search(text) or is_country(text):
        return False
    return " " in text.strip() or text != text.lower() or not text.isascii()


@dataclass
class Traits:
    """Shares (0..1) of the non-missing sample values with each trait; `samples` the first few."""

    present: int = 0
    missing: int = 0
    share: dict[str, float] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    platforms: dict[str, int] = field(default_factory=dict)  # platform → values that name it (URLs)

    def __getitem__(self, trait: str) -> float:
        return self.share.get(trait, 0.0)


def traits(column: Sequence[str]) -> Traits:
    """The traits of one column's sample values."""
    result = Traits()
    texts = [val.clean(v) for v in column if not is_missing(v)]
    result.missing = len(column) - len(texts)
    result.present = len(texts)
    result.samples = list(dict.fromkeys(texts))[:5]
    if not texts:
        return result
    counts: dict[str, int] = dict.fromkeys(
        (
            "handle",
            "url",
            "display",
            "count",
            "int",
            "percent",
            "decimal",
            "country",
            "date",
            "category",
            "platform",
        ),
        0,
    )
    for text in texts:
        platform = url_platform(text)
        if platform:
            counts["url"] += 1
            result.platforms[platform] = result.platforms.get(platform, 0) + 1
            continue
        numeric = _is_count(text)
        counts["count"] += numeric
        counts["int"] += bool(_INT.match(text))
        counts["percent"] += bool(_PERCENT.match(text))
        counts["decimal"] += bool(_DECIMAL.match(text))
        if numeric:
            continue
        country = is_country(text)
        counts["country"] += country
        counts["date"] += _is_date(text)
        counts["handle"] += is_handle(text)
        counts["display"] += _is_display(text)
        counts["platform"] += re.sub(r"[\W_]+", "", text.casefold()) in PLATFORM_ALIASES
        counts["category"] += (
            not country and bool(_LETTER.search(text)) and len(text.split()) <= 4 and len(text) <= 40
        )
    n = len(texts)
    result.share = {k: v / n for k, v in counts.items()}
    distinct = len(set(t.casefold() for t in texts)) / n
    result.share["repeats"] = 1.0 - distinct if n >= 5 else 0.0
    result.share["serial"] = float(_is_serial(texts))
    return result


def _is_serial(texts: list[str]) -> bool:
    if len(texts) < 3 or not all(_INT.match(t) for t in texts):
        return False
    numbers = [int(t) for t in texts]
    return all(b - a in (0, 1) for a, b in zip(numbers, numbers[1:], strict=False)) and numbers[0] <= 1 + len(
        texts
    )


def value_score(target: str, t: Traits) -> float:
    """How well the values fit a target, 0..1."""
    if t.present == 0:
        return 0.0
    if target == "handle":
        return min(1.0, t["handle"] + t["url"])
    if target == "name":
        return min(1.0, t["display"] + 0.25 * t["handle"])
    if target == "category":
        return (
            t["category"]
            * (0.5 + 0.5 * min(1.0, 2 * t["repeats"]))
            * (1.0 - t["handle"] * (1 - t["display"]))
        )
    if target == "country":
        return t["country"]
    if target == "platform":
        return t["platform"]
    if target in ("followers", "posts", "avg_likes", "avg_views"):
        rounded = 0.0 if t["int"] >= 0.99 else 0.03  # the exact copy of a metric given twice wins
        return max(0.0, t["count"] * (1.0 - t["serial"]) - t["percent"] - rounded)
    if target == "engagement_rate":
        return min(1.0, t["percent"] + 0.8 * t["decimal"])
    if target == "as_of":
        return t["date"]
    if target == "extra.rank":
        return t["serial"]
    return 0.0
