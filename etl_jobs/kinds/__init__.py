"""One module per CSV kind; each exposes `loader` implementing etl_jobs.base.KindLoader.

Loaders are imported lazily by kind so a function only pays for the kinds it loads.
"""

from __future__ import annotations

import importlib

from etl_jobs.base import KindLoader

LOADER_MODULES: dict[str, str] = {
    "influencers": "etl_jobs.kinds.influencers",
    "campaigns": "etl_jobs.kinds.campaigns",
    "posts": "etl_jobs.kinds.posts",
    "post_metrics": "etl_jobs.kinds.post_metrics",
    "audience": "etl_jobs.kinds.audience",
    "hires": "etl_jobs.kinds.hires",
    "conversions": "etl_jobs.kinds.conversions",
    "profiles": "etl_jobs.kinds.profiles",
}


def get_loader(kind: str) -> KindLoader:
    if kind not in LOADER_MODULES:
        raise KeyError(f"unknown CSV kind {kind!r}; known kinds: {', '.join(LOADER_MODULES)}")
    return importlib.import_module(LOADER_MODULES[kind]).loader
