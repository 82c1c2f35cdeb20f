"""The deployable package (`make package`): the merged template passes cfn-lint, every function's package +
layers stays under Lambda's unzipped limit, and the packaged code imports and runs every handler in a
clean Python 3.12 interpreter with nothing on sys.path but the unzipped package, the function's layers and
the boto3 that Lambda's python3.12 runtime provides.

The build is made once per session (tests/package/conftest.py: infra/package.py into build/), or reused when
build/sam is newer than every input; PF_PACKAGE_REBUILD=1 forces a build.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import quote_plus

import pytest
import sqlalchemy as sa

from tests.package.conftest import BUILD, SAM, load_packager

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("lambda_driver.py")
HEAVY = ["sklearn", "numpy", "pandas", "scipy", "joblib"]
# Installed for local runs and tests only (requirements-dev.txt): never in a Lambda package or layer.
DEV_ONLY = ["click", "alembic", "moto", "pgserver", "pytest", "mkdocs", "cfnlint", "pandas", "playwright",
            "localstack", "schemathesis", "hypothesis", "werkzeug", "flask"]
CSV_SAMPLE = ROOT / "tests" / "data" / "exports" / "creatorhub_tiktok_export.csv"
LAYER_ENTRY = {"sklearn": "sklearn.ensemble"}
# Every function of the template and how tests/package/lambda_driver.py invokes it: a function added to
# app.py (or one that went missing) fails test_every_function_is_exercised until it is listed here.
EXPECTED_KINDS = {"APIHandler": "api", "ApiKeyAuthorizer": "authorizer", "Etl": "sqs", "Retrain": "schedule",
                  "Score": "sqs", "Planner": "import"}  # invoked by the API (predictfluence.planning), no event source
# Lambda's python3.12 runtime ships boto3; the packages rely on it (see docs/deployment.md).
RUNTIME_REQUIREMENTS = ["boto3"]


@pytest.fixture(scope="session")
def unzipped(built, tmp_path_factory) -> dict[Path, Path]:
    """Each zip (package, layers) extracted once: zip path -> folder."""
    root = tmp_path_factory.mktemp("lambda")
    zips = {art["package"] for art in built["functions"].values()}
    zips |= {layer for art in built["functions"].values() for layer in art["layers"]}
    result = {}
    for i, zip_path in enumerate(sorted(zips)):
        dest = root / f"{i}-{zip_path.stem}"
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(dest)
        result[zip_path] = dest
    return result


@pytest.fixture(scope="session")
def lambda_runtime() -> Path:
    """What Lambda's python3.12 runtime adds to the path (boto3), installed once under build/."""
    target = BUILD / "lambda-runtime"
    stamp = target / ".stamp"
    if not stamp.exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        "--target", str(target), *RUNTIME_REQUIREMENTS], check=True, timeout=600)
        stamp.write_text("ok")
    return target


@pytest.fixture(scope="session")
def clean_python() -> str:
    """The base Python 3.12 (not the venv's), run with -I -S: no site-packages at all."""
    base = Path(sys.base_prefix) / "bin" / "python3.12"
    if sys.version_info[:2] == (3, 12) and base.exists():
        return str(base)
    return load_packager().python312()


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's server on loopback: the packaged code reaches "AWS" over HTTP, as in Lambda."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _kind(function: dict, props: dict, template: dict | None = None, name: str = "") -> str:
    if function["handler"] == "app.app":
        return "api"
    security = json.dumps((template or {}).get("Resources", {}).get("RestAPI", {}).get("Properties", {})
                           .get("DefinitionBody", {}).get("securityDefinitions", {}))
    if name and f"${{{name}.Arn}}" in security:
        return "authorizer"
    types = {e.get("Type") for e in props.get("Events", {}).values()}
    if "SQS" in types:
        return "sqs"
    if "Schedule" in types:
        return "schedule"
    return "import"


def _layer_modules(unzipped: dict[Path, Path], layers: list[Path]) -> set[str]:
    names = set()
    for layer in layers:
        for child in (unzipped[layer] / "python").iterdir():
            if not child.name.endswith((".dist-info", ".libs")) and child.name not in ("bin", "__pycache__"):
                names.add(child.name.removesuffix(".py"))
    return names


def run_packaged(name: str, built, unzipped, lambda_runtime, clean_python, env: dict, requests=(),
                 sqs_bodies=(), tokens=()) -> dict:
    function = built["functions"][name]
    props = built["template"]["Resources"][name]["Properties"]
    package_dir = unzipped[function["package"]]
    layer_dirs = [unzipped[layer] / "python" for layer in function["layers"]]
    all_layers = {layer for art in built["functions"].values() for layer in art["layers"]}
    absent = _layer_modules(unzipped, sorted(all_layers - set(function["layers"])))
    own = _layer_modules(unzipped, function["layers"])
    code = ["functions", "etl_jobs", "predictfluence"] + sorted(m for m in own if m.startswith("predictfluence"))
    spec = {
        "paths": [str(package_dir)] + [str(d) for d in layer_dirs],
        "runtime_paths": [str(lambda_runtime)],
        "handler": function["handler"],
        "kind": _kind(function, props, built["template"], name),
        "forbidden": HEAVY,
        "import_all": code,
        "dev_only": DEV_ONLY + sorted(absent),
        "requests": list(requests),
        "sqs_bodies": list(sqs_bodies),
        "tokens": list(tokens),
        # what the function's layers are for, imported explicitly (sklearn.ensemble for the ML layer)
        "extra_imports": [LAYER_ENTRY.get(m, m) for m in sorted(own) if not m.startswith(("_", "predictfluence"))],
    }
    result = subprocess.run([clean_python, "-I", "-S", str(DRIVER), json.dumps(spec)], cwd=package_dir,
                            env=env, capture_output=True, text=True, timeout=300)
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("RESULT ")]
    assert result.returncode == 0 and lines, f"{name} failed in the clean interpreter:\n{result.stderr[-5000:]}"
    return json.loads(lines[-1][len("RESULT "):])


@pytest.fixture(scope="session")
def lambda_env(engine, database_url, moto_endpoint) -> dict:
    """The environment a function gets: the test database, AWS over moto's server, nothing else."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_LAMBDA_FUNCTION_NAME": "packaged-test",
        "PF_RAW_BUCKET": "pf-package-raw",
        "PF_MODELS_BUCKET": "pf-package-models",
        "TMPDIR": "/tmp",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",  # as infra/resources.json sets it
    }


# ------------------------------------------------------------------------------------------------ tests


def test_merged_template_passes_cfn_lint(built):
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) or shutil.which("cfn-lint")
    assert cfn_lint, "cfn-lint is in requirements-dev.txt"
    result = subprocess.run([cfn_lint, "--", str(SAM / "sam.json")], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_template_wires_the_functions(built):
    template = built["template"]
    resources = template["Resources"]
    assert all(f["runtime"] == "python3.12" for f in built["functions"].values())
    assert "VpcConfig" in template["Globals"]["Function"]
    queue = resources["EtlQueue"]["Properties"]
    assert "deadLetterTargetArn" in queue["RedrivePolicy"]
    consumers = [name for name, res in resources.items() if res["Type"] == "AWS::Serverless::Function"
                 and any(e["Type"] == "SQS" for e in res["Properties"].get("Events", {}).values())]
    assert consumers, "no function consumes the ETL queue"
    for name in consumers:
        assert queue["VisibilityTimeout"] >= 6 * resources[name]["Properties"]["Timeout"]
        # the ETL returns batchItemFailures: without this, Lambda would delete the failed messages too
        for event in resources[name]["Properties"]["Events"].values():
            assert event["Properties"].get("FunctionResponseTypes") == ["ReportBatchItemFailures"], name
    assert resources["RawBucket"]["DependsOn"] == ["EtlQueuePolicy"]
    notification = resources["RawBucket"]["Properties"]["NotificationConfiguration"]["QueueConfigurations"][0]
    assert notification["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "raw/"}]
    # The API function carries no layer: nothing heavy can reach its path.
    assert built["functions"]["APIHandler"]["layers"] == []


def test_every_function_under_the_unzipped_limit(built, packager, capsys):
    with capsys.disabled():
        print()
        sizes = packager.report_sizes(built["template"], SAM)
    for name, size in sizes.items():
        assert size["total"] < packager.LAMBDA_UNZIPPED_LIMIT, f"{name}: {size['total']:,} bytes"


def test_function_zip_holds_no_heavy_library(built):
    with zipfile.ZipFile(built["functions"]["APIHandler"]["package"]) as zf:
        tops = {n.split("/")[0] for n in zf.namelist()}
    assert not tops & set(HEAVY + ["predictfluence_ml"]), sorted(tops & set(HEAVY + ["predictfluence_ml"]))
    assert {"app.py", "functions", "etl_jobs", "predictfluence", "sqlalchemy", "pg8000", "pydantic"} <= tops


PROJECT_PACKAGES = ("functions", "etl_jobs", "predictfluence", "predictfluence_ml", "predictfluence_tools")


def test_function_zips_hold_only_modules_the_functions_import(built, unzipped, packager):
    """The packager's allow-list, checked on what it built: of the project's own packages, each zip (the
    package Chalice shares between the functions, each layer) holds only modules that the handler
    module of some function carrying that zip reaches through the imports of the zipped sources
    themselves (lazy imports and importlib-by-name included) — and nothing of the tools."""
    needed: dict[Path, set[str]] = {}
    shipped: dict[Path, set[str]] = {}
    for name, function in built["functions"].items():
        zips = [function["package"], *function["layers"]]
        roots = [unzipped[function["package"]]] + [unzipped[layer] / "python" for layer in function["layers"]]
        modules: dict[str, Path] = {}
        for zip_path, root in zip(zips, roots, strict=True):
            packages = {top: root / top for top in PROJECT_PACKAGES if (root / top).is_dir()}
            assert "predictfluence_tools" not in packages, f"{zip_path.name} ships the tools package"
            own = packager.module_files(packages, {"app": root / "app.py"} if (root / "app.py").exists() else {})
            shipped[zip_path] = set(own)
            modules.update(own)
        entry = function["handler"].rpartition(".")[0]
        reachable = packager.reachable_modules(modules, [entry])
        assert entry in reachable, f"{name}: the handler module {entry} is not in its package"
        for zip_path in zips:
            needed.setdefault(zip_path, set()).update(reachable & shipped[zip_path])
    for zip_path, modules in shipped.items():
        unused = sorted(modules - needed[zip_path])
        assert not unused, f"{zip_path.name} ships modules that none of its functions imports: {unused}"
    package = built["functions"]["APIHandler"]["package"]
    assert {"functions", "etl_jobs", "predictfluence"} <= {m.split(".")[0] for m in needed[package]}


def _check_common(name: str, result: dict) -> None:
    assert result["python"].startswith("3.12"), result["python"]
    assert not result["foreign_modules"], f"{name} loaded modules from outside its package: {result['foreign_modules']}"
    report = result.get("import_all", {})
    assert not report.get("failures"), f"{name}: packaged modules that do not import: {report['failures']}"


def test_api_handler_runs_from_the_package(built, unzipped, lambda_runtime, clean_python, lambda_env, db, capsys):
    """The packaged API answers an authenticated request with real data: a viewer key checked against the
    database (no authorizer context: the direct-invocation path), 7 influencers, page 1 of size 5. A 401,
    a missing route or an empty page fails the test."""
    from predictfluence.api.auth import create_key
    from predictfluence.queries import rollups

    with db.begin() as conn:
        for i in range(7):
            conn.execute(sa.text("INSERT INTO influencer (platform, handle, followers) VALUES ('tiktok', :h, :f)"),
                         {"h": f"package_{i}", "f": 1000 + i})
    rollups.refresh(db)  # as the ETL does after a load: the list reads the influencer_stats rollup
    bearer = {"Authorization": f"Bearer {create_key('viewer', 'package-api-test')[0]}"}
    requests = [["GET", "/health", None], ["GET", "/influencers", {"page_size": "5"}, bearer],
                ["GET", "/influencers", {"page_size": "5"}],
                ["GET", "/docs/swagger-ui-bundle.js", None], ["GET", "/docs/swagger-ui.css", None]]
    result = run_packaged("APIHandler", built, unzipped, lambda_runtime, clean_python, lambda_env, requests)
    with capsys.disabled():
        print(f"\nAPIHandler: import {result['import_s']} s; {result['import_all']['imported']} packaged modules "
              f"import; dev-only modules not loadable in Lambda: {result['import_all']['dev_only']}")
    _check_common("APIHandler", result)
    assert result["heavy_after_import"] == [] and result["heavy_after_invoke"] == [], result
    health, page, anonymous, bundle, css = result["responses"]
    # the packager keeps only the Swagger UI files /docs serves (predictfluence.api.docs.ASSETS)
    assert (bundle["status"], css["status"]) == (200, 200), (bundle["status"], css["status"])
    assert bundle["body"].startswith("/*! For license information please see swagger-ui-bundle.js"), bundle["body"][:80]
    assert health["status"] == 200, health
    assert json.loads(health["body"])["status"] == "ok", health
    assert page["status"] == 200, page
    body = json.loads(page["body"])
    assert body["page_info"] == {"total": 7, "page": 1, "page_size": 5, "pages": 2, "total_exact": True}, body
    assert len(body["items"]) == 5, body
    assert anonymous["status"] == 401, anonymous  # the same route without the key: the key was what passed


def test_every_function_is_exercised(built):
    """Each function of the template is run by one of the tests here; a new kind needs its own event."""
    kinds = {n: _kind(f, built["template"]["Resources"][n]["Properties"], built["template"], n)
             for n, f in built["functions"].items()}
    assert kinds == EXPECTED_KINDS, kinds


@pytest.mark.parametrize("kind", ["sqs", "schedule", "authorizer"])
def test_event_handlers_run_from_the_package(kind, built, unzipped, lambda_runtime, clean_python, lambda_env,
                                             moto_endpoint, db, tmp_path, capsys):
    names = [n for n, f in built["functions"].items()
             if n != "APIHandler" and _kind(f, built["template"]["Resources"][n]["Properties"], built["template"], n)
             == kind]
    assert names == [n for n, k in EXPECTED_KINDS.items() if k == kind], (kind, names)
    env = dict(lambda_env)
    sqs_bodies, tokens = [], []
    if kind == "authorizer":
        from predictfluence.api.auth import create_key

        tokens = [f"Bearer {create_key('viewer', 'package-test')[0]}", "Bearer pf_not-a-key"]
    if kind == "sqs":
        # A real file too: a CSV in the raw bucket on moto's server and the notification S3 would send
        # (key URL-encoded), read by the packaged handler through the runtime's boto3.
        import boto3

        s3 = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
        bucket, key = env["PF_RAW_BUCKET"], "raw/profiles/creatorhub tiktok.csv"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=key, Body=CSV_SAMPLE.read_bytes())
        sqs_bodies.append({"Records": [{
            "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
            "eventTime": "2026-11-28T00:00:00.000Z", "eventName": "ObjectCreated:Put",
            "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                   "object": {"key": quote_plus(key, safe=""), "size": CSV_SAMPLE.stat().st_size}}}]})
    if kind == "schedule":
        # The retrain function trains for real: a small synthetic warehouse, the models bucket on moto's
        # server, one thread (two shared cores). `db` empties the tables afterwards.
        import boto3

        from predictfluence_tools import synthetic

        synthetic.seed(db, n_influencers=120, days=100, seed=3)
        boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1").create_bucket(
            Bucket=env["PF_MODELS_BUCKET"])
        env.update(PF_ML_THREADS="1", OMP_NUM_THREADS="1", PF_MODEL_CACHE_DIR=str(tmp_path / "models"))
    for name in names:
        result = run_packaged(name, built, unzipped, lambda_runtime, clean_python, env, sqs_bodies=sqs_bodies,
                              tokens=tokens)
        with capsys.disabled():
            print(f"\n{name} ({kind}): import {result['import_s']} s; result {str(result.get('result'))[:200]}; "
                  f"layers {[p.name for p in built['functions'][name]['layers']]}")
        _check_common(name, result)
        assert "error" not in result, f"{name}: {result.get('traceback')}"
        if kind == "authorizer":
            valid, unknown = (r["context"] for r in result["results"])
            assert valid["role"] == "viewer", result["results"]
            assert unknown == {"role": "", "auth_error": "invalid"}, unknown  # the database answered
        if kind == "sqs" and name == "Score":
            # S3 notifications are no chunk references: logged and dropped, none retried, nothing scored
            assert result["results"] == [{"batchItemFailures": []}] * len(result["results"]), result["results"]
        elif kind == "sqs":
            # an s3:TestEvent is skipped: no failed items, nothing loaded
            failures = (result["result"] or {}).get("batchItemFailures", [])
            assert failures == [], result["result"]
            assert result["results"][1] in (None, {"batchItemFailures": []}), result["results"][1]
            with db.connect() as conn:
                loads = conn.execute(sa.text("SELECT file_key, status, rows_loaded FROM etl_load")).all()
                influencers = conn.execute(sa.text("SELECT count(*) FROM influencer")).scalar()
            with capsys.disabled():
                print(f"{name}: loaded {loads}; influencers in the warehouse: {influencers}")
            assert len(loads) == 1 and loads[0][0].endswith("raw/profiles/creatorhub tiktok.csv"), loads
            assert influencers > 0
        for module, origin in result["extra_imports"].items():
            assert origin.startswith(str(unzipped[built["functions"][name]["layers"][0]])) or any(
                origin.startswith(str(unzipped[layer])) for layer in built["functions"][name]["layers"]
            ), f"{module} came from {origin}"
