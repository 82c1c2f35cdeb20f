"""One module per CSV kind; each exposes `loader` implementing etl_jobs.base.KindLoader.

Loaders are imported lazily by kind so a function only pays for the kinds it loads.
"""

from __future__ import annotations

import importlib

from etl_jobs.base import KindLoader
from predictfluence.vocab import CSV_KINDS

# Kind -> loader module, in predictfluence.vocab's order (header detection tries the kinds in this order).
LOADER_MODULES: dict[str, str] = {kind: f"{__name__}.{kind}" for kind in CSV_KINDS}
# The same modules by name, for infra/package.py: it ships a module that is imported, or named by a
# string constant as here, and get_loader imports these only by name (tests/test_vocab.py checks the two).
PACKAGED_LOADERS = (
    "etl_jobs.kinds.influencers",
    "etl_jobs.kinds.campaigns",
    "etl_jobs.kinds.posts",
    "etl_jobs.kinds.post_metrics",
    "etl_jobs.kinds.audience",
    "etl_jobs.kinds.hires",
    "etl_jobs.kinds.conversions",
    "etl_jobs.kinds.profiles",
)


def get_loader(kind: str) -> KindLoader:
    if kind not in LOADER_MODULES:
        raise KeyError(f"unknown CSV kind {kind!r}; known kinds: {', '.join(LOADER_MODULES)}")
    return importlib.import_module(LOADER_MODULES[kind]).loader
