"""tests/_require.py: a missing tool skips a test locally and fails it when CI is set."""

from __future__ import annotations

import pytest

from tests._require import in_ci, require


@pytest.mark.parametrize(("value", "expected"), [
    (None, False), ("", False), ("0", False), ("false", False), ("No", False),
    ("1", True), ("true", True), ("True", True), ("yes", True),
])
def test_in_ci_reads_the_ci_variable(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert in_ci() is expected


def test_a_missing_tool_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        require(None, "Chromium is not installed")


def test_a_missing_tool_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium is not installed .* CI is set"):
        require(False, "Chromium is not installed")


def test_an_available_tool_neither_skips_nor_fails(monkeypatch):
    monkeypatch.setenv("CI", "true")
    require("/usr/bin/chromium", "Chromium is not installed")
