"""The runtime never imports the tools (fast: a static walk of the source, no build).

The runtime is what runs in Lambda: app.py, functions/, etl_jobs/, the core package predictfluence
(layers/core) and predictfluence_ml (layers/ml). The tools (layers/tools/predictfluence_tools: the CLI,
the local stack, demo and synthetic data, the embedded PostgreSQL, the Alembic runner) import the runtime,
never the reverse; and the core depends on nothing above it. The walk is infra/package.py's — the one
that decides what the function zip holds — over every module of the runtime, reachable or not, lazy
imports inside functions included.
"""

from __future__ import annotations

import pytest

from tests.package.conftest import ROOT, load_packager

# Local-only libraries (requirements-dev.txt) and the tools package: never imported by runtime code.
TOOLS_ONLY = {"predictfluence_tools", "alembic", "pgserver", "click", "moto"}
RUNTIME = {
    "app": None,
    "functions": ROOT / "functions",
    "etl_jobs": ROOT / "etl_jobs",
    "predictfluence": ROOT / "layers" / "core" / "predictfluence",
    "predictfluence_ml": ROOT / "layers" / "ml" / "predictfluence_ml",
}
# What each runtime package may import from the project: the arrows point down only.
MAY_IMPORT = {
    "predictfluence": {"predictfluence"},
    "predictfluence_ml": {"predictfluence", "predictfluence_ml"},
    "etl_jobs": {"predictfluence", "etl_jobs"},
    "functions": {"predictfluence", "predictfluence_ml", "etl_jobs", "functions"},
    "app": {"predictfluence", "functions"},
}
PROJECT = set(RUNTIME) | {"predictfluence_tools"}


@pytest.fixture(scope="module")
def runtime_imports() -> dict[str, set[str]]:
    packager = load_packager()
    modules = packager.module_files({k: v for k, v in RUNTIME.items() if v is not None}, {"app": ROOT / "app.py"})
    assert len(modules) > 50, sorted(modules)
    return {name: packager.imported_names(name, file, set(modules)) for name, file in modules.items()}


def test_the_runtime_never_imports_the_tools(runtime_imports) -> None:
    offenders = sorted(
        f"{module} imports {imported}"
        for module, names in runtime_imports.items()
        for imported in names
        if imported.split(".")[0] in TOOLS_ONLY
    )
    assert not offenders, "runtime code imports the tools or a local-only library:\n" + "\n".join(offenders)


def test_runtime_arrows_point_down(runtime_imports) -> None:
    offenders = sorted(
        f"{module} imports {imported}"
        for module, names in runtime_imports.items()
        for imported in names
        if imported.split(".")[0] in PROJECT and imported.split(".")[0] not in MAY_IMPORT[module.split(".")[0]]
    )
    assert not offenders, "an import runs back up the layers:\n" + "\n".join(offenders)


def test_the_walk_sees_lazy_and_by_name_imports() -> None:
    """The walk is the packager's allow-list: it must see imports inside functions and importlib by name."""
    packager = load_packager()
    modules = packager.module_files({"etl_jobs": ROOT / "etl_jobs", "functions": ROOT / "functions"})
    kinds = packager.imported_names("etl_jobs.kinds", modules["etl_jobs.kinds"], set(modules))
    assert "etl_jobs.kinds.profiles" in kinds  # LOADER_MODULES, loaded with importlib.import_module
    retrain = packager.imported_names("functions.events.retrain", modules["functions.events.retrain"])
    assert "predictfluence_ml.retrain" in retrain  # imported inside handle_retrain


def test_the_tools_are_never_a_layer() -> None:
    packager = load_packager()
    assert not (ROOT / "layers" / "tools" / "requirements.txt").exists()
    assert "tools" not in packager.layer_names()
    assert "predictfluence_tools" not in packager.VENDORED
    assert not any(name.startswith("predictfluence_tools") for name in packager.allowed_modules())
