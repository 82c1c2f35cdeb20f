"""Build the deployable package for one stage: `make package [STAGE=dev]`.

What it does, in order (everything lands under build/, which is gitignored):

1. Stages the Chalice project in build/app/: app.py, .chalice/config.json, requirements.txt and vendor/
   (Chalice packages only app.py, chalicelib/ and vendor/). vendor/ is an ALLOW-list: of the project's
   packages named in VENDORED (functions/, etl_jobs/, the runtime core predictfluence/) it holds exactly
   the modules the functions import — the modules reachable from app.py through a static walk of the
   import statements (`reachable_modules`: `import`/`from` anywhere in a module, lazy ones included,
   plus string constants that name a project module, as etl_jobs.kinds' loader table does for
   importlib). A module nobody imports is not shipped; the tools package (layers/tools/
   predictfluence_tools: CLI, local stack, demo data, migrations runner) is not a VENDORED package and
   has no requirements.txt, so it never reaches a function or a layer. build/app/.chalice/deployments/
   is kept between builds: it is Chalice's cache of the downloaded dependency wheels.
2. Runs `chalice package --stage <stage> --merge-template infra/resources.json build/sam` from there with
   Python 3.12, so the functions target Lambda's python3.12 runtime (Amazon Linux 2023, glibc 2.34) and
   current manylinux_2_28 wheels are not silently dropped (Chalice run from 3.11 drops them, exit 0).
3. Strips Chalice's deployment.zip like the layers (below) and adds byte code to it (/var/task is read-only: without __pycache__ every cold
   start compiles sqlalchemy & co. again). Compiled by the 3.12 interpreter with
   `--invalidation-mode unchecked-hash`: zip keeps mtimes at 2 s resolution, so timestamp-checked .pyc
   files would be judged stale and ignored.
4. Builds one Lambda layer per layers/<name>/requirements.txt (except `core`, whose code ships in the
   function zip): manylinux wheels for cp312 x86_64 installed with pip --target into
   build/layers/<name>/python/, the layer's own packages copied beside them, again only the modules
   reachable from app.py (predictfluence_ml ships in the ML layer, so only the functions that carry
   that layer can import it), tests / C and Cython
   sources / headers removed, extension modules stripped (never the bundled `*.libs/*.so`: stripping
   those breaks scipy), byte-compiled as above, and zipped (deterministic timestamps) to
   build/sam/layer-<name>.zip, which infra/resources.json references as ContentUri.
5. Checks the merged template (one IAM role per function, every function on python3.12, every merged resource has a Type, every
   layer a function uses was built, the SQS event sources name a queue the template creates) and prints
   each function's unzipped size = its package + its layers against Lambda's 262,144,000-byte limit.

pip downloads are cached by pip itself; a layer is reinstalled only when its requirements change.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAMBDA_UNZIPPED_LIMIT = 262_144_000  # bytes: function code + all its layers, unzipped
LAMBDA_PYTHON = (3, 12)
# The project's packages a function zip may hold (top-level name -> source folder); of each, only the
# modules reachable from ENTRY_MODULES are copied. Everything else — layers/tools/predictfluence_tools
# above all — stays out.
VENDORED = {"functions": "functions", "etl_jobs": "etl_jobs", "predictfluence": "layers/core/predictfluence"}
ENTRY_MODULES = ("app",)  # every function's handler is `app.<name>` (Chalice)
# layers/core is shipped inside the function zip (every function needs it). layers/tools has no
# requirements.txt: it is never a layer (the developer's tools: CLI, local stack, demo data).
NOT_LAYERS = {"core"}
PIP_PLATFORM_ARGS = [
    "--platform", "manylinux2014_x86_64",
    "--platform", "manylinux_2_28_x86_64",
    "--only-binary=:all:",
    "--python-version", "3.12",
    "--implementation", "cp",
]
STRIP_DIRS = {"tests", "test", "testing_data", "__pycache__"}
STRIP_SUFFIXES = (".pyx", ".pxd", ".pxi", ".c", ".cpp", ".cc", ".h", ".hpp", ".f", ".f90", ".pyi")
KEEP_DIRS = {"numpy/testing", "numpy/_core/tests/_locales"}  # numpy.testing is imported by scipy
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class BuildError(Exception):
    pass


_T0 = time.monotonic()


def log(msg: str) -> None:
    print(f"[package {time.monotonic() - _T0:5.1f}s] {msg}", flush=True)


def python312() -> str:
    """The interpreter that compiles byte code: this one when it is 3.12, else pyenv's 3.12."""
    if sys.version_info[:2] == LAMBDA_PYTHON:
        return sys.executable
    try:
        root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        root = str(Path.home() / ".pyenv")
    candidates = sorted(Path(root).glob("versions/3.12*/bin/python3.12"))
    if not candidates:
        raise BuildError("Python 3.12 is needed (Lambda runtime python3.12): none found")
    return str(candidates[-1])


def chalice_executable() -> str:
    exe = Path(sys.executable).parent / "chalice"
    if not exe.exists():
        raise BuildError(f"chalice is not installed next to {sys.executable}: run `make install`")
    return str(exe)


# ---------------------------------------------------------------------------------------- import graph


def project_packages() -> dict[str, Path]:
    """Every package whose modules the import walk follows: the vendored ones and the layers' own."""
    packages = {name: ROOT / source for name, source in VENDORED.items()}
    for layer in layer_names():
        packages.update({pkg.name: pkg for pkg in layer_code_packages(layer)})
    return packages


def module_files(packages: dict[str, Path], root_modules: dict[str, Path] | None = None) -> dict[str, Path]:
    """Dotted module name -> source file for every module of `packages` (+ single-file `root_modules`)."""
    modules = dict(root_modules or {})
    for top, folder in packages.items():
        for file in sorted(folder.rglob("*.py")):
            if "__pycache__" in file.parts:
                continue
            parts = [top, *file.relative_to(folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = file
    return modules


def import_base(package: str, node: ast.ImportFrom) -> str:
    """The absolute module a `from … import` statement in `package` names (`from ..x import y` → `a.x`)."""
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def imported_names(name: str, file: Path, known: set[str] | frozenset[str] = frozenset()) -> set[str]:
    """What module `name` (source `file`) imports: every `import` / `from … import` anywhere in it (lazy
    imports inside functions included), resolved to dotted names (`from a import b` yields `a` and
    `a.b`), plus string constants that are the name of a `known` module (importlib by name)."""
    tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = import_base(package, node)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in known:
            found.add(node.value)
    return found


def reachable_modules(modules: dict[str, Path], entries: tuple[str, ...] | list[str]) -> set[str]:
    """The modules of `modules` that importing `entries` can load: the import graph's closure (a
    module's parent packages count, as Python runs their __init__ first)."""
    known = set(modules)
    seen: set[str] = set()
    todo = [e for e in entries if e in modules]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parts = name.split(".")
        targets = {".".join(parts[:i]) for i in range(1, len(parts))}
        for imported in imported_names(name, modules[name], known):
            bits = imported.split(".")
            targets.update(".".join(bits[:i]) for i in range(1, len(bits) + 1))
        todo.extend(t for t in targets if t in known and t not in seen)
    return seen


def allowed_modules() -> dict[str, Path]:
    """The allow-list: module -> source file for every project module a function imports."""
    modules = module_files(project_packages(), {"app": ROOT / "app.py"})
    return {name: modules[name] for name in sorted(reachable_modules(modules, ENTRY_MODULES))}


def copy_modules(allowed: dict[str, Path], top: str, dest: Path) -> int:
    """Copy the allowed modules of package `top` into dest/<top>/ (same layout). Returns the count."""
    count = 0
    for name, file in allowed.items():
        if name == top or name.startswith(top + "."):
            parts = name.split(".")[1:]
            rel = Path(*parts, "__init__.py") if file.name == "__init__.py" else Path(*parts).with_suffix(".py")
            target = dest / top / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, target)
            count += 1
    return count


# --------------------------------------------------------------------------------------------- staging


def stage_app(build: Path) -> Path:
    app_dir = build / "app"
    (app_dir / ".chalice").mkdir(parents=True, exist_ok=True)
    for name in ("app.py", "requirements.txt"):
        shutil.copy2(ROOT / name, app_dir / name)
    shutil.copy2(ROOT / ".chalice" / "config.json", app_dir / ".chalice" / "config.json")
    # One IAM role per function: .chalice/config.json names `policy-<function>.json` (autogen_policy false),
    # which Chalice reads from the project's .chalice/ and inlines into that function's role as it is
    # (CloudFormation intrinsics included). The documents live in infra/policies/<function>.json.
    for stale in (app_dir / ".chalice").glob("policy-*.json"):
        stale.unlink()
    for policy in sorted((ROOT / "infra" / "policies").glob("*.json")):
        shutil.copy2(policy, app_dir / ".chalice" / f"policy-{policy.name}")
    vendor = app_dir / "vendor"
    shutil.rmtree(vendor, ignore_errors=True)
    vendor.mkdir()
    allowed = allowed_modules()
    for target in VENDORED:
        count = copy_modules(allowed, target, vendor)
        if not count:
            raise BuildError(f"app.py imports nothing from {target}: drop it from VENDORED")
        log(f"vendor/{target}: {count} modules (reachable from app.py; "
            f"{sum(1 for m in module_files({target: ROOT / VENDORED[target]})) - count} left out)")
    return app_dir


def run_chalice(app_dir: Path, stage: str, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    cmd = [chalice_executable(), "package", "--stage", stage,
           "--merge-template", str(ROOT / "infra" / "resources.json"), str(out)]
    log(" ".join(cmd[1:]))
    result = subprocess.run(cmd, cwd=app_dir, env=env, capture_output=True, text=True)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode != 0:
        raise BuildError(f"chalice package failed ({result.returncode})")


# ------------------------------------------------------------------------------------------ byte code


def compile_tree(path: Path) -> None:
    """Byte-compile with the 3.12 interpreter (pip --target does not compile)."""
    cmd = [python312(), "-m", "compileall", "-q", "-j", "0",
           "--invalidation-mode", "unchecked-hash", str(path)]
    # compileall's exit status is 1 when some file does not compile (e.g. py2-only test data): report
    # it, the import test is the judge.
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        lines = [ln for ln in result.stdout.splitlines() if ln.strip()][:5]
        log(f"compileall reported problems in {path.name}: {lines}")


def write_zip(src: Path, dest: Path, arc_root: Path | None = None) -> None:
    """Zip the files under `src`, named relative to `arc_root` (default `src`), with fixed timestamps:
    same content, same bytes (so an unchanged layer is not published again)."""
    arc_root = arc_root or src
    tmp = dest.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for file in sorted(p for p in src.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(file.relative_to(arc_root).as_posix(), ZIP_DATE)
            mode = 0o755 if os.access(file, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, file.read_bytes())
    tmp.replace(dest)


def add_bytecode_to_zip(zip_path: Path, work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(work)
    saved = strip_tree(work)
    log(f"deployment.zip: stripped {saved / 1e6:.1f} MB (extension-module symbols, C/Cython sources, stubs)")
    saved = strip_unserved_assets(work)
    log(f"deployment.zip: removed {saved / 1e6:.1f} MB of Swagger UI files /docs never serves")
    saved = strip_unread_locales(work)
    log(f"deployment.zip: removed {saved / 1e6:.1f} MB of pycountry translations etl_jobs.normalise never reads")
    compile_tree(work)
    write_zip(work, zip_path)


# ---------------------------------------------------------------------------------------------- layers


def layer_names() -> list[str]:
    return sorted(
        p.parent.name for p in (ROOT / "layers").glob("*/requirements.txt") if p.parent.name not in NOT_LAYERS
    )


def layer_code_packages(name: str) -> list[Path]:
    return sorted(p.parent for p in (ROOT / "layers" / name).glob("*/__init__.py"))


def strip_unserved_assets(site: Path) -> int:
    """The Swagger UI wheel ships ~11.6 MB of bundles and source maps; the API serves only
    predictfluence.api.docs.ASSETS from it (the bundle and its CSS). Returns the bytes removed."""
    from predictfluence.api.docs import ASSETS

    saved = 0
    for folder in site.glob("swagger_ui_bundle/vendor/*"):
        for file in folder.iterdir():
            if file.is_file() and file.name not in ASSETS:
                saved += file.stat().st_size
                file.unlink()
    return saved


def strip_unread_locales(site: Path) -> int:
    """pycountry ships ~22 MB of gettext catalogues (six standards × ~160 languages); etl_jobs.normalise
    reads only the ISO 3166-1 country names of its COUNTRY_LANGUAGES. Returns the bytes removed."""
    from etl_jobs.normalise import COUNTRY_LANGUAGES

    keep = {f"{language}/LC_MESSAGES/iso3166-1.mo" for language in COUNTRY_LANGUAGES}
    saved = 0
    for locales in site.glob("pycountry/locales"):
        for file in sorted(p for p in locales.rglob("*") if p.is_file()):
            if file.relative_to(locales).as_posix() not in keep:
                saved += file.stat().st_size
                file.unlink()
    return saved


def strip_tree(site: Path) -> int:
    """Remove tests, caches and sources; strip extension modules. Returns the bytes saved."""
    before = tree_size(site)
    shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts pip --target puts there (f2py, ...)
    for path in sorted(site.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        rel = path.relative_to(site).as_posix()
        if any(rel == k or rel.startswith(k + "/") for k in KEEP_DIRS):
            continue
        if path.is_dir() and path.name in STRIP_DIRS:
            shutil.rmtree(path, ignore_errors=True)
        elif path.is_file() and path.name.endswith(STRIP_SUFFIXES):
            path.unlink()
    strip = shutil.which("strip")
    if strip:
        sos = [str(p) for p in site.rglob("*.so") if not any(part.endswith(".libs") for part in p.parts)]
        for i in range(0, len(sos), 200):
            subprocess.run([strip, "--strip-unneeded", *sos[i:i + 200]], capture_output=True)
    else:
        log("strip not found: extension modules left unstripped")
    return before - tree_size(site)


def build_layer(name: str, build: Path, out: Path) -> Path:
    req = ROOT / "layers" / name / "requirements.txt"
    layer_root = build / "layers" / name
    site = layer_root / "python"
    stamp = layer_root / ".requirements-stamp"
    key = hashlib.sha256((req.read_text() + json.dumps(PIP_PLATFORM_ARGS)).encode()).hexdigest()
    if not (site.is_dir() and stamp.exists() and stamp.read_text() == key):
        log(f"layer {name}: pip install (Linux x86_64, cp312 manylinux wheels) -r {req.relative_to(ROOT)}")
        shutil.rmtree(layer_root, ignore_errors=True)
        site.mkdir(parents=True)
        cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q",
               *PIP_PLATFORM_ARGS, "--target", str(site), "-r", str(req)]
        subprocess.run(cmd, check=True, cwd=req.parent)
        saved = strip_tree(site)
        log(f"layer {name}: stripped {saved / 1e6:.1f} MB of tests, sources and symbols")
        stamp.write_text(key)
    else:
        log(f"layer {name}: requirements unchanged, reusing {site.relative_to(ROOT)}")
    dest = out / f"layer-{name}.zip"
    cached = layer_root / f"layer-{name}.zip"
    fingerprint = layer_root / ".content-stamp"
    packages = {pkg.name for pkg in layer_code_packages(name)}
    shipped = [m for m in allowed_modules() if m.split(".")[0] in packages]  # the allow-list is content too
    content = key + _code_fingerprint(layer_code_packages(name)) + hashlib.sha256("\n".join(shipped).encode()).hexdigest()
    if cached.exists() and fingerprint.exists() and fingerprint.read_text() == content:
        log(f"layer {name}: unchanged, reusing its zip")
    else:
        allowed = allowed_modules()
        for pkg in layer_code_packages(name):
            shutil.rmtree(site / pkg.name, ignore_errors=True)
            count = copy_modules(allowed, pkg.name, site)
            log(f"layer {name}: {pkg.name}: {count} modules (reachable from app.py)")
        compile_tree(site)
        write_zip(site, cached, arc_root=layer_root)  # python/ at the zip root: Lambda mounts it at /opt/python
        fingerprint.write_text(content)
    shutil.copy2(cached, dest)
    return dest


def _code_fingerprint(packages: list[Path]) -> str:
    digest = hashlib.sha256()
    for pkg in packages:
        for file in sorted(p for p in pkg.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(file.relative_to(pkg.parent).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


# ------------------------------------------------------------------------------------- checks, sizes


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def zip_unzipped_size(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist())


def functions_in(template: dict) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v.get("Type") == "AWS::Serverless::Function"}


def function_artifacts(template: dict, out: Path) -> dict[str, dict]:
    """For each function: handler, package zip, layer zips (resolved through the template)."""
    resources = template["Resources"]
    result = {}
    for name, res in functions_in(template).items():
        props = res["Properties"]
        layers = []
        for layer in props.get("Layers", []):
            ref = layer.get("Ref") if isinstance(layer, dict) else None
            if ref is None or resources.get(ref, {}).get("Type") != "AWS::Serverless::LayerVersion":
                raise BuildError(f"{name}: layer {layer!r} is not a LayerVersion of this template")
            layers.append(out / resources[ref]["Properties"]["ContentUri"])
        result[name] = {"handler": props["Handler"], "package": out / props["CodeUri"], "layers": layers,
                        "runtime": props.get("Runtime")}
    return result


def check_template(template: dict, out: Path) -> None:
    resources = template["Resources"]
    partial = [k for k, v in resources.items() if "Type" not in v]
    if partial:
        raise BuildError(
            f"infra/resources.json merges into resources Chalice did not create: {partial} "
            "(a function or queue was renamed in app.py? update infra/resources.json)"
        )
    roles: dict[str, list[str]] = {}
    for name, res in functions_in(template).items():
        role = res["Properties"].get("Role")
        roles.setdefault(json.dumps(role, sort_keys=True), []).append(name)
    shared = [names for names in roles.values() if len(names) > 1]
    if shared:
        raise BuildError(f"functions share an IAM role: {shared} (each needs its own least-privilege role: "
                         "autogen_policy false + iam_policy_file per function in .chalice/config.json)")
    queue_visibility = {
        v["Properties"].get("QueueName"): v["Properties"].get("VisibilityTimeout", 30)
        for v in resources.values() if v["Type"] == "AWS::SQS::Queue"
    }
    global_vars = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    for name, res in functions_in(template).items():
        props = res["Properties"]
        clash = sorted(set(global_vars) & set(props.get("Environment", {}).get("Variables", {})))
        if clash:
            # SAM lets a function's own variable win over Globals: the stack's value would be lost.
            raise BuildError(f"{name}: .chalice/config.json sets {clash} for this stage; the stack sets them "
                             "(infra/resources.json Globals): keep them in the `local` stage only")
        if props.get("Runtime") != "python3.12":
            raise BuildError(f"{name} targets {props.get('Runtime')}: package with Python 3.12")
        for event in props.get("Events", {}).values():
            if event.get("Type") != "SQS":
                continue
            arn = event["Properties"]["Queue"]
            queue = arn["Fn::Sub"].rsplit(":", 1)[-1] if isinstance(arn, dict) and "Fn::Sub" in arn else None
            if queue is None:
                continue
            if queue not in queue_visibility:
                raise BuildError(
                    f"{name} consumes SQS queue {queue!r} but infra/resources.json creates none by that name"
                )
            visibility = queue_visibility.get(queue, 30)
            if visibility < 6 * props["Timeout"]:
                raise BuildError(f"queue {queue!r}: VisibilityTimeout {visibility} s < 6 x {name}'s timeout "
                                 f"({props['Timeout']} s), as AWS advises for Lambda event sources")
    for name, art in function_artifacts(template, out).items():
        for layer in art["layers"]:
            if not layer.exists():
                raise BuildError(f"{name} uses {layer.name}, which was not built (no layers/*/requirements.txt?)")


def report_sizes(template: dict, out: Path) -> dict[str, dict]:
    sizes = {}
    print(f"{'function':<24}{'handler':<28}{'package MB':>12}{'layers MB':>12}{'total MB':>12}  limit 262.1 MB")
    for name, art in function_artifacts(template, out).items():
        package = zip_unzipped_size(art["package"])
        layers = {p.name: zip_unzipped_size(p) for p in art["layers"]}
        total = package + sum(layers.values())
        sizes[name] = {"handler": art["handler"], "package": package, "layers": layers, "total": total}
        flag = "OK" if total < LAMBDA_UNZIPPED_LIMIT else "OVER THE LIMIT"
        print(f"{name:<24}{art['handler']:<28}{package / 1e6:>12.1f}{sum(layers.values()) / 1e6:>12.1f}"
              f"{total / 1e6:>12.1f}  {flag} {', '.join(layers) or ''}")
    return sizes


def build(stage: str, build_dir: Path) -> dict:
    out = build_dir / "sam"
    app_dir = stage_app(build_dir)
    run_chalice(app_dir, stage, out)
    log("adding byte code to deployment.zip")
    add_bytecode_to_zip(out / "deployment.zip", build_dir / "pkg-work")
    for name in layer_names():
        build_layer(name, build_dir, out)
    template = json.loads((out / "sam.json").read_text())
    check_template(template, out)
    sizes = report_sizes(template, out)
    (out / "sizes.json").write_text(json.dumps({"stage": stage, "functions": sizes}, indent=2, default=str))
    over = [n for n, s in sizes.items() if s["total"] >= LAMBDA_UNZIPPED_LIMIT]
    if over:
        raise BuildError(f"over Lambda's 262,144,000-byte unzipped limit: {over}")
    log(f"done: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} (stage {stage})")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", args.stage):
        parser.error("stage: letters, digits, - and _ only")
    try:
        build(args.stage, args.build_dir.resolve())
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"[package] FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
