"""The runtime reads the environment in one place, `predictfluence.config` (issue 15, item 5): no other
module of the runtime core, the ML layer, the Lambda handlers, the ETL or app.py touches `os.environ` or
`os.getenv` (read with `ast`, nothing imported). The tools (`predictfluence_tools`) set up environments
for the runtime and are not walked."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WALKED = [ROOT / "layers" / "core" / "predictfluence", ROOT / "layers" / "ml" / "predictfluence_ml",
          ROOT / "functions", ROOT / "etl_jobs", ROOT / "app.py"]
SETTINGS = ROOT / "layers" / "core" / "predictfluence" / "config.py"


def _environment_reads(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") and (
                isinstance(node.value, ast.Name) and node.value.id == "os"):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and any(
                alias.name in ("environ", "getenv", "environb") for alias in node.names):
            lines.append(node.lineno)
    return lines


def test_only_the_settings_read_the_environment() -> None:
    files = [p for w in WALKED for p in ([w] if w.is_file() else sorted(w.rglob("*.py")))]
    assert SETTINGS in files and len(files) > 50
    found = {f"{p.relative_to(ROOT)}:{line}" for p in files if p != SETTINGS for line in _environment_reads(p)}
    assert not found, f"read the environment through predictfluence.config.get_settings(): {sorted(found)}"
