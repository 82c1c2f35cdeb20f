"""Normalise the values discovery filters on, wherever they enter the warehouse (issue 12, item 4).

Pure functions, no I/O but pycountry's data files:

- :func:`country` → ISO 3166-1 alpha-2 (``US``) from a code (alpha-2, alpha-3), an English name
  (short, official or common: ``United States``, ``United States of America``, ``Vietnam``), a few
  customary aliases (``UK``, ``U.S.``, ``South Korea``, ``Holland``) or the name in another language
  (``Estados Unidos``, ``États-Unis``, ``Vereinigte Staaten``, ``米国``): pycountry's gettext catalogues
  of :data:`COUNTRY_LANGUAGES` are read once, lazily, into a reverse index. Matching ignores case,
  accents, punctuation and spaces; no fuzzy matching (a near-miss is not a country). Unrecognised → None
  (the caller keeps the source value and adds a note).
- :func:`category` → one label of ``predictfluence.vocab.CATEGORIES`` (``Beauty & Fashion`` → Beauty,
  ``Film & Animation`` → Film & TV); unknown text → ``Other`` (the caller keeps the source value).
- :func:`platform` → the product's platform name (``IG``, ``Insta``, ``instagram.com`` → instagram).
- :func:`handle` → ``(handle, platform from the URL or None)``: case-folded, leading ``@`` and trailing
  ``/`` dropped, the handle taken out of a profile URL (``https://www.instagram.com/name/``,
  ``tiktok.com/@name``, ``youtube.com/@name`` or ``/c/name``, ``twitter.com/name``, ``x.com/name``).
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

import pycountry

from predictfluence.vocab import CATEGORIES, OTHER_CATEGORY

# fmt: off
# Data tables, one line per group rather than one per entry.
# Languages whose country names are indexed (pycountry locale names; Chinese in both scripts).
COUNTRY_LANGUAGES: tuple[str, ...] = (
    "es", "pt", "pt_BR", "fr", "de", "it", "id", "tr", "ru", "ar", "hi", "ja", "ko", "zh_CN", "zh_TW", "nl",
)
# Customary English names pycountry does not carry (its names are ISO's: "Korea, Republic of").
COUNTRY_ALIASES: dict[str, str] = {
    "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "great britain": "GB", "britain": "GB", "usa": "US", "america": "US", "united states": "US", "uae": "AE",
    "emirates": "AE", "south korea": "KR", "korea": "KR", "north korea": "KP", "russia": "RU", "turkey": "TR",
    "czech republic": "CZ", "ivory coast": "CI", "macedonia": "MK", "holland": "NL", "the netherlands": "NL",
    "vatican": "VA", "vatican city": "VA", "palestine": "PS", "micronesia": "FM", "brunei": "BN",
    "dr congo": "CD", "drc": "CD", "democratic republic of the congo": "CD", "republic of the congo": "CG",
    "cape verde": "CV", "swaziland": "SZ", "burma": "MM", "east timor": "TL", "hong kong sar": "HK",
    "macau": "MO", "saint kitts": "KN", "st kitts and nevis": "KN", "st lucia": "LC",
    # ISO's long forms hide these in the catalogues ("Российская Федерация", "Corea, República de"):
    "rusia": "RU", "russland": "RU", "russie": "RU", "russia federation": "RU", "rússia": "RU", "россия": "RU",
    "corea del sur": "KR", "coreia do sul": "KR", "coree du sud": "KR", "sudkorea": "KR", "한국": "KR",
}
# Category synonyms (keys as :func:`_category_key` writes them) → a label of vocab.CATEGORIES.
CATEGORY_SYNONYMS: dict[str, str] = {
    "beauty": "Beauty", "makeup": "Beauty", "cosmetic": "Beauty", "skincare": "Beauty", "skin care": "Beauty",
    "hair": "Beauty", "fashion": "Fashion", "style": "Fashion", "clothing": "Fashion", "apparel": "Fashion",
    "modeling": "Fashion", "modelling": "Fashion", "model": "Fashion", "streetwear": "Fashion",
    "fitness": "Fitness", "gym": "Fitness", "workout": "Fitness", "bodybuilding": "Fitness",
    "yoga": "Fitness", "health and fitness": "Fitness", "health": "Health", "wellness": "Health",
    "wellbeing": "Health", "medical": "Health", "mental health": "Health", "food": "Food", "cooking": "Food",
    "recipe": "Food", "food and drink": "Food", "drink": "Food", "beverage": "Food", "baking": "Food",
    "chef": "Food", "foodie": "Food", "gaming": "Gaming", "game": "Gaming", "video game": "Gaming",
    "gamer": "Gaming", "esport": "Gaming", "travel": "Travel", "tourism": "Travel", "adventure": "Travel",
    "travel and event": "Travel", "tech": "Tech", "technology": "Tech", "gadget": "Tech",
    "science and technology": "Tech", "electronic": "Tech", "software": "Tech", "programming": "Tech",
    "music": "Music", "musician": "Music", "singer": "Music", "rapper": "Music", "dj": "Music",
    "band": "Music", "dance": "Dance", "dancer": "Dance", "dancing": "Dance", "lifestyle": "Lifestyle",
    "life style": "Lifestyle", "vlog": "Lifestyle", "vlogger": "Lifestyle", "blog": "Lifestyle",
    "blogger": "Lifestyle", "people and blog": "Lifestyle", "howto and style": "Lifestyle",
    "daily life": "Lifestyle", "sport": "Sports", "football": "Sports", "soccer": "Sports",
    "basketball": "Sports", "cricket": "Sports", "athlete": "Sports", "tennis": "Sports",
    "education": "Education", "educational": "Education", "learning": "Education", "how to": "Education",
    "howto": "Education", "entertainment": "Entertainment", "celebrity": "Entertainment",
    "celebrities": "Entertainment", "show": "Entertainment", "comedy": "Comedy", "humor": "Comedy",
    "humour": "Comedy", "funny": "Comedy", "meme": "Comedy", "prank": "Comedy", "film": "Film & TV",
    "movie": "Film & TV", "cinema": "Film & TV", "serie": "Film & TV", "film and animation": "Film & TV",
    "film and tv": "Film & TV", "tv": "Film & TV", "television": "Film & TV", "actor": "Film & TV",
    "actress": "Film & TV", "animation": "Film & TV", "news": "News", "news and politic": "News",
    "politic": "News", "journalism": "News", "media": "News", "business": "Business", "finance": "Business",
    "entrepreneur": "Business", "marketing": "Business", "crypto": "Business", "investing": "Business",
    "economy": "Business", "parenting": "Parenting", "family": "Parenting", "mom": "Parenting",
    "mum": "Parenting", "dad": "Parenting", "kid": "Parenting", "baby": "Parenting", "pet": "Pets",
    "animal": "Pets", "pet and animal": "Pets", "dog": "Pets", "cat": "Pets", "art": "Art", "artist": "Art",
    "design": "Art", "photography": "Art", "drawing": "Art", "painting": "Art", "craft": "Art", "diy": "Art",
    "auto": "Autos", "car": "Autos", "automotive": "Autos", "autos and vehicle": "Autos", "vehicle": "Autos",
    "motorcycle": "Autos", "science": "Science",
}
PLATFORM_ALIASES: dict[str, str] = {
    "instagram": "instagram", "insta": "instagram", "ig": "instagram", "instagr": "instagram",
    "tiktok": "tiktok", "tt": "tiktok", "douyin": "tiktok", "youtube": "youtube", "yt": "youtube",
    "youtu": "youtube", "ytshorts": "youtube", "youtubeshorts": "youtube", "twitter": "twitter",
    "x": "twitter", "facebook": "facebook", "fb": "facebook", "twitch": "twitch", "snapchat": "snapchat",
    "pinterest": "pinterest", "linkedin": "linkedin", "threads": "threads",
}
# fmt: on
# Extra keys (etl_jobs.headers.snake of the header) that hold a second category.
SECONDARY_CATEGORY_KEYS = ("category_2", "category2", "secondary_category", "sub_category", "subcategory")
# Path prefixes of profile URLs that precede the handle (youtube.com/c/name, /user/name, /channel/ID).
_URL_PREFIXES = frozenset({"c", "user", "channel"})
# Paths that are not a profile (a post, a reel, a search).
_NOT_PROFILES = frozenset(
    {
        "p",
        "reel",
        "reels",
        "tv",
        "stories",
        "explore",
        "watch",
        "video",
        "status",
        "search",
        "hashtag",
        "shorts",
        "playlist",
        "results",
        "i",
        "home",
    }
)
_HANDLE = re.compile(r"^[\w.\-]{1,255}$")
_DOMAIN = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)*([a-z0-9-]+)\.(?:com|be|tv|net|co|me)(?:/|$)", re.I)
_CODE = re.compile(r"^(?:[A-Za-z]{2,3}|[A-Za-z](?:\.\s?[A-Za-z]){1,2}\.?)$")
_PLATFORM_VALUE = re.compile(r"^[a-z][a-z0-9_.-]{0,31}$")


def fold(text: str) -> str:
    """Case-folded, accents dropped (NFKD without combining marks), spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


def _country_key(text: str) -> str:
    """Letters and digits only: ``U.S.`` → ``us``, ``États-Unis`` → ``etatsunis``."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


@lru_cache(maxsize=1)
def _english_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for entry in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(entry, attr, None)
            if value:
                index.setdefault(_country_key(value), entry.alpha_2)
    for alias, code in COUNTRY_ALIASES.items():
        index.setdefault(_country_key(alias), code)
    for entry in pycountry.countries:  # codes last: a name never loses to a code
        index.setdefault(entry.alpha_2.lower(), entry.alpha_2)
        index.setdefault(entry.alpha_3.lower(), entry.alpha_2)
    return index


@lru_cache(maxsize=1)
def _translated_index() -> dict[str, str]:
    """Names in COUNTRY_LANGUAGES → alpha-2; a key naming two countries (across languages) is dropped."""
    found: dict[str, set[str]] = {}
    for language in COUNTRY_LANGUAGES:
        try:
            catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            continue
        for entry in pycountry.countries:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(entry, attr, None)
                if value:
                    translated = catalogue.gettext(value)
                    if translated != value:
                        found.setdefault(_country_key(translated), set()).add(entry.alpha_2)
    return {key: next(iter(codes)) for key, codes in found.items() if len(codes) == 1 and key}


@lru_cache(maxsize=4096)  # pure; a file repeats its values on every row (issue 16.8)
def country(raw: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for a country code or name (any case, accents, several languages); None when
    empty or unrecognised."""
    if not raw:
        return None
    key = _country_key(raw)
    if not key or (len(key) <= 3 and key.isascii() and not _CODE.match(raw.strip())):
        return None  # a code is letters only ("US", "U.S.", "usa"): "N/A?" is no country
    code = _english_index().get(key)
    if code is None and (len(key) > 3 or not key.isascii()):
        code = _translated_index().get(key)
    if code is None and key.startswith("the"):
        code = _english_index().get(key[3:])
    return code


_IE_PLURALS = frozenset({"movies", "selfies", "cookies", "series", "hoodies", "zombies"})


def _singular(word: str) -> str:
    if word in _IE_PLURALS:
        return word[:-1]
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _category_key(text: str) -> str:
    words = re.sub(r"[^\w]+", " ", fold(text.replace("&", " and ").replace("+", " and "))).split()
    return " ".join(_singular(w) for w in words if w)


_PARTS = re.compile(r"\s*(?:&|\+|/|\||,|;|\band\b|-)\s*", re.I)
_LABELS = {_category_key(label): label for label in CATEGORIES}


@lru_cache(maxsize=4096)  # pure; a file repeats its values on every row (issue 16.8)
def category(raw: str | None) -> str | None:
    """A label of vocab.CATEGORIES; ``Other`` for text that names none; None when empty.

    The whole value is looked up first (``Film & Animation``), then its parts in order
    (``Beauty & Fashion`` → Beauty), then its words (``Fitness Coach`` → Fitness).
    """
    if not raw or not raw.strip():
        return None
    key = _category_key(raw)
    if not key:
        return None
    for candidate in (key, *(_category_key(p) for p in _PARTS.split(raw) if p), *key.split()):
        label = _LABELS.get(candidate) or CATEGORY_SYNONYMS.get(candidate)
        if label:
            return label
    return OTHER_CATEGORY


@lru_cache(maxsize=4096)  # pure; a file repeats its values on every row (issue 16.8)
def platform(raw: str | None) -> str | None:
    """The product's platform name: ``IG``/``Insta``/``instagram.com`` → instagram, ``YT`` → youtube,
    ``Tik Tok`` → tiktok, ``X`` → twitter. Another plain lowercase token is kept as written; None for
    text that is not a platform name."""
    if not raw or not raw.strip():
        return None
    text = raw.strip()
    domain = _DOMAIN.match(text)
    if domain:
        name = PLATFORM_ALIASES.get(domain.group(1).lower())
        if name:
            return name
    key = re.sub(r"[\W_]+", "", text.casefold())
    if key in PLATFORM_ALIASES:
        return PLATFORM_ALIASES[key]
    candidate = text.lower()
    return candidate if _PLATFORM_VALUE.match(candidate) else None


def handle(raw: str | None) -> tuple[str | None, str | None]:
    """(handle, platform named by the URL or None). The handle is case-folded, without a leading ``@``
    or trailing ``/``; from a profile URL it is the path's handle segment. A URL of a post or a search
    gives (None, platform)."""
    if not raw:
        return None, None
    text = raw.strip().strip("/").strip()
    named = None
    if "/" in text and _DOMAIN.match(text):
        named = platform(text)
        text = _handle_from_url(text)
    text = text.lstrip("@").strip().casefold()
    return (text or None), named


def _handle_from_url(text: str) -> str:
    url = urlsplit(text if "://" in text else "https://" + text)
    parts = [p for p in url.path.split("/") if p]
    if parts and parts[0].lower() in _URL_PREFIXES and len(parts) > 1:
        parts = parts[1:]
    if not parts or parts[0].lower() in _NOT_PROFILES:
        return ""
    return parts[0] if _HANDLE.match(parts[0].lstrip("@")) else ""


@lru_cache(maxsize=4096)  # pure; a file repeats its values on every row (issue 16.8)
def differs(raw: str, value: str | None) -> bool:
    """Whether the source text says more than its normalised value (not only case, accents or spacing):
    ``Estados Unidos`` → ``US`` does, ``beauty`` → ``Beauty`` and ``us`` → ``US`` do not; a value not
    recognised (None) always does. Only then is the source kept."""
    return value is None or fold(raw) != fold(value)


def warm() -> None:
    """Build the country indexes now (a long-running process may call it at start-up)."""
    _english_index()
    _translated_index()


def profile_row(row: dict, extra: dict | None = None) -> list[tuple[str, str, str]]:
    """Normalise a parsed profiles row in place: handle (and the platform its URL names, when the row has
    none), platform, country, category. A source value that differs from its normalised form is kept as
    ``row["<column>_source"]`` (influencer.country_source / category_source). A second category
    (``category_2``, ``sub_category`` … in `extra`) is kept as written and its label added as
    ``extra["secondary_category"]``. Returns notes as (what, column, text)."""
    notes: list[tuple[str, str, str]] = []
    extra = {} if extra is None else extra
    secondary = extra and next((extra[k] for k in SECONDARY_CATEGORY_KEYS if isinstance(extra.get(k), str)), None)
    if secondary:
        extra["secondary_category"] = category(secondary)
    if isinstance(row.get("handle"), str):
        row["handle"], named = handle(row["handle"])
        if named and not row.get("platform"):
            row["platform"] = named
    if isinstance(row.get("platform"), str):
        row["platform"] = platform(row["platform"]) or row["platform"]  # an unknown one is rejected later
    for column, normaliser in (("country", country), ("category", category)):
        raw = row.get(column)
        if not isinstance(raw, str):
            continue
        value = normaliser(raw)
        row[column] = value
        if differs(raw, value):
            row[f"{column}_source"] = raw
        if value is None:
            notes.append(
                (
                    f"unrecognised {column}",
                    column,
                    f"{column} {raw!r} is not recognised: stored empty, the source value kept",
                )
            )
    return notes
