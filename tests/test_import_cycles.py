"""No import cycles among the project's own modules (issue 15): read with `ast`, nothing is imported or run.

The packages walked are the runtime core (`predictfluence`), the ML layer (`predictfluence_ml`), the tools
(`predictfluence_tools`, when present), the Lambda handlers (`functions`) and the ETL (`etl_jobs`).

What counts as an import: every `import` / `from … import` anywhere in a module, function-local ones
included (a deferred import still closes a circle the moment both functions run; deferring hides the
circle from the interpreter, not from the reader). Imports under `if TYPE_CHECKING:` are left out: they
never execute. `from pkg import name` is an edge to the module `pkg.name` when that is a module, else to
`pkg` itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.package.conftest import load_packager

ROOT = Path(__file__).resolve().parents[1]
_PACKAGER = load_packager()  # infra/package.py: one module discovery and one import resolution for both
# source folder -> the top-level packages found in it
SOURCES: dict[Path, tuple[str, ...]] = {
    ROOT / "layers" / "core": ("predictfluence",),
    ROOT / "layers" / "ml": ("predictfluence_ml",),
    ROOT / "layers" / "tools": ("predictfluence_tools",),
    ROOT: ("functions", "etl_jobs"),
}


def project_modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the project's packages (`pkg/__init__.py` is `pkg`)."""
    return _PACKAGER.module_files({package: base / package for base, packages in SOURCES.items()
                                   for package in packages if (base / package).is_dir()})


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except those in the body of `if TYPE_CHECKING:`."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `module` imports."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    targets: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = _PACKAGER.import_base(package, node)
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for name in names:
            while name and name not in modules:  # `import a.b.c` of a name inside a.b -> a.b
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0

    def visit(root: str) -> None:  # iterative DFS: no recursion limit on deep graphs
        nonlocal counter
        work: list[tuple[str, Iterator[str]]] = []

        def enter(node: str) -> None:
            nonlocal counter
            index[node] = low[node] = counter
            counter += 1
            stack.append(node)
            on_stack.add(node)
            work.append((node, iter(sorted(graph.get(node, ())))))

        enter(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    enter(child)
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_walk_sees_the_project() -> None:
    graph = import_graph()
    assert {"predictfluence.api.auth", "predictfluence.queries.api_keys", "predictfluence_ml.training",
            "predictfluence_ml.rationale", "functions.api.campaigns", "etl_jobs.pipeline"} <= set(graph)
    assert "predictfluence.queries.api_keys" in graph["predictfluence.api.auth"]  # a function-local import
    assert "predictfluence_ml.bundle" in graph["predictfluence_ml.rationale"]


def test_the_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert find_cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    graph = import_graph()
    cycles = find_cycles(graph)
    described = ["; ".join(f"{m} -> {sorted(graph[m] & set(c))}" for m in c) for c in cycles]
    assert not cycles, "import cycles among the project's modules:\n" + "\n".join(described)
