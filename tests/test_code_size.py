"""Modules and functions stay small (issue 15, "Done when"): read with `ast`, nothing is imported.

Over `layers/`, `etl_jobs/`, `functions/` and `app.py`:

- a module has at most `MAX_MODULE_LINES` (420) physical lines;
- a function (or method, nested ones counted on their own as well as inside their parent) has at most
  `MAX_FUNCTION_LINES` (60) lines *of code*: its lines from `def` to its last line, minus the lines
  inside its multi-line string literals — docstrings and SQL text (a string constant or an f-string
  spanning several lines). So a function that is one long SQL statement passes, and one with sixty lines
  of code around a query does not.

The rule is documented in docs/architecture.md ("Code layout").
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 420
MAX_FUNCTION_LINES = 60
TREES = ("layers", "etl_jobs", "functions")


def source_files() -> list[Path]:
    files = [path for tree in TREES for path in (ROOT / tree).rglob("*.py")]
    return sorted([*files, ROOT / "app.py"])


def string_lines(node: ast.AST) -> set[int]:
    """Line numbers inside multi-line string literals under `node`, except each literal's first line."""
    lines: set[int] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.JoinedStr) or (isinstance(child, ast.Constant) and isinstance(child.value, str)):
            end = child.end_lineno or child.lineno
            lines.update(range(child.lineno + 1, end + 1))
    return lines


def code_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    end = function.end_lineno or function.lineno
    span = set(range(function.lineno, end + 1))
    return len(span - string_lines(function))


def functions_of(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def test_the_rule_ignores_string_lines_only() -> None:
    sql = "\n".join(f"    x{i}" for i in range(80))
    short = ast.parse(f'def f():\n    """Doc.\n\n    More.\n    """\n    return """SELECT\n{sql}\n"""\n')
    long = ast.parse("def g():\n" + "".join(f"    a{i} = {i}\n" for i in range(70)))
    assert code_lines(next(functions_of(short))) == 3  # def, the docstring's first line, return
    assert code_lines(next(functions_of(long))) == 71


def test_the_walk_sees_the_project() -> None:
    names = {path.relative_to(ROOT).as_posix() for path in source_files()}
    assert {"app.py", "etl_jobs/pipeline.py", "functions/events/etl.py",
            "layers/core/predictfluence/models.py", "layers/tools/predictfluence_tools/synthetic.py"} <= names


def test_modules_and_functions_are_small() -> None:
    problems: list[str] = []
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            problems.append(f"{name}: {lines} lines (module limit {MAX_MODULE_LINES})")
        for function in functions_of(ast.parse(text, name)):
            count = code_lines(function)
            if count > MAX_FUNCTION_LINES:
                problems.append(f"{name}:{function.lineno} {function.name}: {count} lines of code "
                                f"(function limit {MAX_FUNCTION_LINES}, string literals not counted)")
    assert not problems, "split these (docs/architecture.md, 'Code layout'):\n" + "\n".join(problems)
