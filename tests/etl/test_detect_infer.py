"""Kind detection by content (etl_jobs.detect + etl_jobs.infer): a header that matches no kind exactly is
scored against every kind; the chosen kind (S3 folder, --kind) still wins."""

from __future__ import annotations

import pytest

from etl_jobs.base import FileRejected
from etl_jobs.detect import detect_kind

ROWS = "".join(f"Creator {i},creator_{i}.x,{i}.5M\n" for i in range(1, 60))


def test_profiles_by_content() -> None:
    header = ["Full title", "Who", "Reach"]
    head = "Full title,Who,Reach\n" + ROWS
    assert detect_kind(header, None, None, head) == "profiles"


def test_unknown_kind_when_nothing_scores() -> None:
    header = ["a", "b", "c"]
    head = "a,b,c\n" + "x,y,z\n" * 20
    with pytest.raises(FileRejected, match="unknown kind"):
        detect_kind(header, None, None, head)


def test_chosen_kind_still_wins() -> None:
    header = ["Full title", "Who", "Reach"]
    assert detect_kind(header, None, "profiles", "Full title,Who,Reach\n" + ROWS) == "profiles"
