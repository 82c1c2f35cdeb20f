"""Display names and unique handles for synthetic accounts (a few non-ASCII names on purpose)."""

from __future__ import annotations

import unicodedata

import numpy as np

FIRST = (
    "Mia", "Liam", "Ava", "Noah", "Zoë", "Lucas", "Sofia", "Mateo", "Aisha", "Arjun", "Yuki", "Min-jun",
    "Chloé", "Léa", "José", "Ana", "Emeka", "Fatima", "Olivia", "Ethan", "Isabela", "Kenji", "Priya",
    "Omar", "Elif", "Giulia", "Hannah", "Diego", "Nadia", "Tomás", "Amara", "Jonas", "Maya", "Rafael",
)  # fmt: skip
LAST = (
    "Smith", "García", "Silva", "Kim", "Nguyen", "Müller", "Rossi", "Patel", "Okafor", "Yılmaz", "Tanaka",
    "Dubois", "Santos", "Johnson", "López", "Khan", "Brown", "Ferreira", "O'Brien", "Schmidt", "Sato",
    "Martin", "Costa", "Haddad", "Novak", "Reyes", "Wright", "Park", "Mendes", "Kowalski",
)  # fmt: skip
WORDS = (
    "daily", "studio", "vibes", "eats", "plays", "lab", "journal", "life", "official", "tv", "diaries",
    "club", "world", "hq", "talks", "co",
)  # fmt: skip


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.lower().replace("ı", "i"))
    return "".join(ch for ch in plain if ch.isascii() and ch.isalnum())


def handles_and_names(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Unique handles (a base-36 serial keeps them unique) and display names."""
    first = rng.integers(0, len(FIRST), n)
    last = rng.integers(0, len(LAST), n)
    word = rng.integers(0, len(WORDS), n)
    style = rng.integers(0, 3, n)
    names = np.empty(n, dtype=object)
    handles = np.empty(n, dtype=object)
    for i in range(n):
        f, s = FIRST[first[i]], LAST[last[i]]
        names[i] = f"{f} {s}"
        serial = np.base_repr(i, 36).lower()
        if style[i] == 0:
            handles[i] = f"{_slug(f)}.{_slug(s)}{serial}"
        elif style[i] == 1:
            handles[i] = f"{_slug(f)}{WORDS[word[i]]}_{serial}"
        else:
            handles[i] = f"the{_slug(s)}{WORDS[word[i]]}{serial}"
    return handles, names
