"""The built package, shared by the tests of this folder: build/sam for stage dev, built once per session
(infra/package.py into build/), or reused when build/sam is newer than every input; PF_PACKAGE_REBUILD=1
forces a build."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
SAM = BUILD / "sam"
INPUTS = ["app.py", ".chalice", "requirements.txt", "functions", "etl_jobs", "layers", "infra"]


def load_packager():
    spec = importlib.util.spec_from_file_location("pf_package", ROOT / "infra" / "package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _newest_input() -> float:
    newest = 0.0
    for name in INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" not in file.parts and "deployments" not in file.parts:
                newest = max(newest, file.stat().st_mtime)
    return newest


@pytest.fixture(scope="session")
def packager():
    return load_packager()


@pytest.fixture(scope="session")
def built(packager) -> dict:
    """build/sam for stage dev: built now unless a build newer than every input exists."""
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / ".package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test sessions never build into build/ at once
        sizes_file = SAM / "sizes.json"
        fresh = (
            sizes_file.exists()
            and json.loads(sizes_file.read_text()).get("stage") == "dev"
            and sizes_file.stat().st_mtime > _newest_input()
            and os.environ.get("PF_PACKAGE_REBUILD") != "1"
        )
        if not fresh:
            env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
            result = subprocess.run([sys.executable, str(ROOT / "infra" / "package.py"), "--stage", "dev"],
                                    cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
            print(result.stdout[-4000:], result.stderr[-4000:])
            assert result.returncode == 0, f"make package failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        template = json.loads((SAM / "sam.json").read_text())
        return {"template": template, "functions": packager.function_artifacts(template, SAM)}
