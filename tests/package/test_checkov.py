"""checkov, an outside scanner, judges the merged template: no failed check, and every skipped one carries a
written reason in the template (`Metadata: checkov: skip: [{id, comment}]`, infra/resources.json).

checkov runs from its own virtualenv (build/checkov-venv, from infra/requirements-checkov.txt, made here on
first use): its pins would downgrade the project's boto3. A missing checkov skips locally and fails in CI
(tests/_require.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests._require import missing
from tests.package.conftest import BUILD, ROOT, SAM

pytestmark = pytest.mark.slow

REQUIREMENTS = ROOT / "infra" / "requirements-checkov.txt"
VENV = BUILD / "checkov-venv"
MIN_REASON = 40  # characters: a reason, not "n/a"


def _install() -> Path | None:
    stamp = VENV / ".requirements-stamp"
    exe = VENV / "bin" / "checkov"
    if exe.exists() and stamp.exists() and stamp.read_text() == REQUIREMENTS.read_text():
        return exe
    shutil.rmtree(VENV, ignore_errors=True)
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    python = str(base) if base.exists() else sys.executable
    try:
        subprocess.run([python, "-m", "venv", str(VENV)], check=True, capture_output=True, timeout=300)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "-r",
                        str(REQUIREMENTS)], check=True, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        print(getattr(exc, "stderr", "") or exc)
        return None
    stamp.write_text(REQUIREMENTS.read_text())
    return exe


@pytest.fixture(scope="session")
def checkov() -> str:
    exe = os.environ.get("PF_CHECKOV") or _install()
    if not exe:
        missing(f"checkov could not be installed into {VENV} from {REQUIREMENTS.relative_to(ROOT)}")
    return str(exe)


@pytest.fixture(scope="session")
def report(built, checkov, tmp_path_factory) -> dict:
    # --skip-download: no calls to the vendor's API (guidelines, policies); the built-in checks only.
    result = subprocess.run([checkov, "-f", str(SAM / "sam.json"), "--framework", "cloudformation", "-o", "json",
                             "--skip-download"], capture_output=True, text=True, timeout=600,
                            cwd=tmp_path_factory.mktemp("checkov"))
    assert result.stdout.strip(), result.stderr[-3000:]
    data = json.loads(result.stdout)
    return data[0] if isinstance(data, list) else data


def test_checkov_finds_no_failed_check(report):
    summary = report["summary"]
    failed = [f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in report["results"]["failed_checks"]]
    print(f"\ncheckov {summary['checkov_version']}: {summary['passed']} passed, {summary['failed']} failed, "
          f"{summary['skipped']} skipped over {summary['resource_count']} resources")
    assert summary["parsing_errors"] == 0
    assert failed == [], "\n".join(failed)
    assert summary["passed"] >= 150, summary  # the template was really scanned


def test_every_skipped_check_has_a_written_reason(report, built):
    skipped = report["results"].get("skipped_checks", [])
    vague = [f"{c['check_id']} {c['resource']}: {c['check_result'].get('suppress_comment')!r}" for c in skipped
             if len((c["check_result"].get("suppress_comment") or "").strip()) < MIN_REASON]
    assert vague == [], vague
    # and every skip written in the template is one checkov applied (no stale skip for a check that passes now)
    declared = {(name, s["id"]) for name, res in built["template"]["Resources"].items()
                for s in res.get("Metadata", {}).get("checkov", {}).get("skip", [])}
    applied = {(c["resource"].split(".", 1)[1], c["check_id"]) for c in skipped}
    assert declared == applied, {"declared, not applied": declared - applied, "applied, not declared": applied - declared}
