"""The import diagram in docs/architecture.md matches the code (issue 15.6): read with `ast`, nothing is imported.

The diagram is the fenced ``text`` block that follows the marker ``<!-- import-graph -->`` in
docs/architecture.md: one line per importing package, ``source -> target, target, …`` (``-> nothing``
when it imports no other package); lines starting with ``#`` are comments.

A *package* here is a top-level package (``predictfluence``, ``predictfluence_ml``, ``predictfluence_tools``,
``functions``, ``etl_jobs``) or one of its direct subpackages (``predictfluence.api``, ``etl_jobs.kinds`` …);
a module belongs to the package of the folder it is in, cut at that depth (``predictfluence.api.schemas.x``
belongs to ``predictfluence.api``); ``app.py`` is the package ``app``. An edge ``a -> b`` exists when a
module of ``a`` imports a module of ``b`` — function-local imports included, ``if TYPE_CHECKING:`` left out
(the walk of tests/test_import_cycles.py). Edges inside one package are not drawn.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.test_import_cycles import ROOT, imports_of, project_modules

DOC = ROOT / "docs" / "architecture.md"
MARKER = "<!-- import-graph -->"
DEPTH = 2  # top-level packages and their direct subpackages


def package_of(module: str, path: Path) -> str:
    parts = module.split(".")
    folder = parts if path.name == "__init__.py" else parts[:-1]
    return ".".join(folder[:DEPTH]) if folder else module


def code_edges() -> set[tuple[str, str]]:
    modules = project_modules()
    modules["app"] = ROOT / "app.py"
    edges: set[tuple[str, str]] = set()
    for name, path in modules.items():
        source = package_of(name, path)
        for target in imports_of(name, path, modules):
            target_package = package_of(target, modules[target])
            if target_package != source:
                edges.add((source, target_package))
    return edges


def parse_diagram(text: str) -> tuple[set[str], set[tuple[str, str]]]:
    """(packages named, edges) of the fenced block after the marker."""
    after = text.split(MARKER, 1)[1]
    block = re.search(r"```text\n(.*?)\n```", after, re.S)
    assert block, f"no ```text block after {MARKER} in {DOC}"
    packages: set[str] = set()
    edges: set[tuple[str, str]] = set()
    for raw in block.group(1).splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        source, arrow, targets = line.partition("->")
        assert arrow, f"diagram line without '->': {raw!r}"
        source = source.strip()
        packages.add(source)
        for target in (t.strip() for t in targets.split(",")):
            if target and target != "nothing":
                edges.add((source, target))
    return packages, edges


def test_the_parser_reads_the_format() -> None:
    text = f"intro\n{MARKER}\n```text\n# a comment\na   -> b, c\nb -> nothing\n\nc -> b\n```\n"
    assert parse_diagram(text) == ({"a", "b", "c"}, {("a", "b"), ("a", "c"), ("c", "b")})


def test_the_walk_sees_known_edges() -> None:
    edges = code_edges()
    assert ("functions.events", "predictfluence_ml") in edges  # a function-local import in the retrain handler
    assert ("app", "functions.api") in edges
    assert not any(source.startswith("predictfluence.") or source == "predictfluence"
                   for source, target in edges if target.startswith("predictfluence_tools"))


def test_the_diagram_matches_the_code() -> None:
    packages, drawn = parse_diagram(DOC.read_text(encoding="utf-8"))
    actual = code_edges()
    sources = {source for source, _ in actual} | {target for _, target in actual}
    missing = sorted(actual - drawn)
    extra = sorted(drawn - actual)
    unnamed = sorted(sources - packages)
    assert not (missing or extra or unnamed), (
        "docs/architecture.md's import diagram differs from the code:\n"
        + "".join(f"  in the code, not in the diagram: {a} -> {b}\n" for a, b in missing)
        + "".join(f"  in the diagram, not in the code: {a} -> {b}\n" for a, b in extra)
        + "".join(f"  package without a line of its own: {p}\n" for p in unnamed)
    )
