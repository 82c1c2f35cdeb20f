"""Skip locally, fail in CI: the one way a test says "a tool I need is missing".

A developer without Chromium or LocalStack still gets a useful run (the test is skipped, with the
command that installs the tool). In CI a skip is a test that silently stopped testing, so when the `CI`
environment variable is set (any value but empty, 0, false or no — GitHub Actions, GitLab and most
runners set CI=true) the same call fails the test instead.

    from tests._require import require
    require(shutil.which("chromium") is not None, "Chromium is not installed (apt-get install -y chromium)")
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason: str) -> NoReturn:
    """Skip the test (locally) or fail it (in CI) because `reason`."""
    if in_ci():
        pytest.fail(f"{reason} — CI is set, so a missing tool fails the run instead of skipping it", pytrace=False)
    pytest.skip(reason)


def require(available: object, reason: str) -> None:
    """`missing(reason)` unless `available` is truthy."""
    if not available:
        missing(reason)
