"""The closed vocabularies are written once, in `predictfluence.vocab` (issue 15, item 4), and everything
that lists them derives from it: no other module of layers/, etl_jobs/, functions/ or app.py writes one
out as a tuple, list, set, dict keys, `Literal[...]` or a comma-separated string (read with `ast`;
docstrings and the frozen SQL of migrations/ are not code that lists them). The derived copies that must
be spelled out elsewhere are checked against the vocabulary instead: the CSV contract, the ETL's loader
registry, the demo's files and load order, and the CHECK constraints the migrations created."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from predictfluence import vocab

ROOT = Path(__file__).resolve().parents[1]
WALKED = [ROOT / "layers", ROOT / "etl_jobs", ROOT / "functions", ROOT / "app.py"]
VOCAB_FILE = ROOT / "layers" / "core" / "predictfluence" / "vocab.py"
VOCABULARIES = {
    "CAMPAIGN_STATUSES": vocab.CAMPAIGN_STATUSES,
    "HIRE_STATUSES": vocab.HIRE_STATUSES,
    "API_ROLES": vocab.API_ROLES,
    "FOLLOWER_TIERS": vocab.FOLLOWER_TIERS,
    "AUDIENCE_DIMENSIONS": vocab.AUDIENCE_DIMENSIONS,
    "CSV_KINDS": vocab.CSV_KINDS,
    "LOAD_STATUSES": vocab.LOAD_STATUSES,
    "MODEL_STATUSES": vocab.MODEL_STATUSES,
}
# The loader modules are named by string (infra/package.py ships what a string constant names); the
# names are checked against the vocabulary below.
LOADER_PREFIX = "etl_jobs.kinds."
EXEMPT = {("etl_jobs/kinds/__init__.py", "PACKAGED_LOADERS")}


def _strings(nodes: list[ast.expr | None]) -> list[str] | None:
    if len(nodes) < 2 or not all(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in nodes):
        return None
    return [n.value.removeprefix(LOADER_PREFIX) for n in nodes]  # type: ignore[union-attr]


def _vocabulary_of(values: list[str]) -> str | None:
    """The vocabulary these values write out: all of it, or all of it but one value (a copy that
    leaves out a kind, such as the demo's seven CSV kinds, is still a copy)."""
    for name, words in VOCABULARIES.items():
        if set(values) <= set(words) and len(set(values)) >= max(2, len(words) - 1):
            return name
    return None


def _assigned_names(tree: ast.Module) -> dict[int, str]:
    """Line -> the name assigned on it (to report and to exempt a copy by name)."""
    names: dict[int, str] = {}
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name) and node.value is not None:  # type: ignore[union-attr]
                for inner in ast.walk(node.value):  # type: ignore[union-attr]
                    if hasattr(inner, "lineno"):
                        names.setdefault(inner.lineno, target.id)
    return names


def _copies(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        values: list[str] | None = None
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            values = _strings(list(node.elts))
        elif isinstance(node, ast.Dict):
            values = _strings(list(node.keys))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            for name, words in VOCABULARIES.items():
                if ", ".join(words) in node.value:
                    found.append((node.lineno, name))
        if values is not None and (name := _vocabulary_of(values)):
            found.append((node.lineno, name))
    return found


def test_vocabularies_are_written_only_in_vocab() -> None:
    files = [p for w in WALKED for p in ([w] if w.is_file() else sorted(w.rglob("*.py")))]
    assert VOCAB_FILE in files and len(files) > 100
    assert {name for _, name in _copies(VOCAB_FILE)} == set(VOCABULARIES)  # the walk sees the originals
    offenders = []
    for path in files:
        if path == VOCAB_FILE:
            continue
        rel = path.relative_to(ROOT).as_posix()
        names = _assigned_names(ast.parse(path.read_text(encoding="utf-8")))
        for line, vocabulary in _copies(path):
            if (rel, names.get(line)) not in EXEMPT:
                offenders.append(f"{rel}:{line} writes out {vocabulary}")
    assert not offenders, "import these from predictfluence.vocab instead:\n" + "\n".join(sorted(offenders))


def test_the_csv_contract_has_exactly_the_vocabulary_kinds() -> None:
    from etl_jobs.spec import KINDS

    assert set(KINDS) == set(vocab.CSV_KINDS)
    assert tuple(KINDS) == vocab.CSV_KINDS


def test_every_kind_has_a_loader_and_the_packager_sees_it() -> None:
    from etl_jobs import kinds

    assert tuple(kinds.LOADER_MODULES) == vocab.CSV_KINDS
    assert set(kinds.LOADER_MODULES.values()) == set(kinds.PACKAGED_LOADERS)
    for module in kinds.LOADER_MODULES.values():
        assert hasattr(importlib.import_module(module), "loader"), module


def test_the_demo_writes_and_loads_every_kind_but_profiles() -> None:
    from predictfluence_tools.demo.generator import OUTPUT_KINDS
    from predictfluence_tools.devstack.stack import DEMO_KIND_ORDER

    assert set(OUTPUT_KINDS) == set(vocab.CSV_KINDS) - {"profiles"}
    assert set(DEMO_KIND_ORDER) == set(OUTPUT_KINDS)


def test_the_check_constraints_are_the_migrated_ones() -> None:
    """The constraint text derived from the vocabulary is byte for byte what the migrations created, so a
    reordered or renamed value cannot slip past without a migration."""
    from sqlalchemy import CheckConstraint

    from predictfluence.models import Base

    migrations = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "migrations" / "versions").glob("*.py")))
    checks = [c for t in Base.metadata.tables.values() for c in t.constraints
              if isinstance(c, CheckConstraint) and str(c.name).endswith("_known")]
    assert len(checks) == 9  # + app_user.role, score_run.status, score_chunk.status (issue 14, 16.3)
    for check in checks:
        assert f'"{check.sqltext.text}"' in migrations, check.name
    tier = Base.metadata.tables["influencer"].c.follower_tier.computed
    assert f'"{tier.sqltext.text}"' in migrations
