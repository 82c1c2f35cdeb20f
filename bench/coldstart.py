"""Cold start of the API function, in fresh interpreters (median of N, default 10).

- import_s: `import app` (the API entry module: the Chalice app with every blueprint and handler).
- first_request_s: that import plus the first `GET /influencers` through the real Lambda entry point
  (`app.app(event, context)` with an API Gateway proxy event carrying the authorizer's context, as API
  Gateway sends it after the cached API-key authorizer) against a real, migrated PostgreSQL database.
- heavy_import_s: `import pandas, sklearn.ensemble` — what a naive single-package app would pay — measured
  in the same run, interleaved with the others, as the baseline.

Also reported: the same figures in CPU time of the child (load-independent; on a busy shared machine
the wall clock inflates) and the 1-minute load average. Timings start at the first line of the child process (interpreter start-up itself, ~15 ms, is the
same for every variant and not counted). Targets on the project's machine: import_s <= 0.5 s,
first_request_s <= 0.9 s.

    .venv/bin/python bench/coldstart.py [--runs 10] [--package]

--package runs the API function from the built package (build/sam/deployment.zip, `make package`) in a
clean Python 3.12 (`-I -S`, only the unzipped package + Lambda runtime's boto3 on sys.path), as Lambda
would; the default runs the source tree with the project's virtualenv.

The database: DATABASE_URL's server when set, else an embedded PostgreSQL in a temporary folder; a
throw-away database is created, migrated and dropped. The last line of output is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys, time
t0, c0 = time.perf_counter(), time.process_time()
mode, extra = sys.argv[1], json.loads(sys.argv[2])
sys.path[:0] = extra["paths"]
if mode == "heavy":
    import pandas, sklearn.ensemble
    print("RESULT " + json.dumps({"heavy_import_s": time.perf_counter() - t0,
                                  "heavy_import_cpu_s": time.process_time() - c0}))
    raise SystemExit
import app as entry
out = {"import_s": time.perf_counter() - t0, "import_cpu_s": time.process_time() - c0}
if mode == "request":
    class Context:
        function_name = "coldstart"; memory_limit_in_mb = 512; aws_request_id = "bench"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:coldstart"
        def get_remaining_time_in_millis(self): return 30000
    path = "/influencers" if "/influencers" in entry.app.routes else "/health"
    event = {
        "resource": path, "path": path, "httpMethod": "GET", "body": None, "isBase64Encoded": False,
        "headers": {"Accept": "application/json"}, "multiValueHeaders": {"Accept": ["application/json"]},
        "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"resourcePath": path, "httpMethod": "GET", "path": "/api" + path, "stage": "api",
                           "requestId": "bench", "accountId": "123456789012", "apiId": "bench",
                           "identity": {"sourceIp": "127.0.0.1"},
                           "authorizer": {"principalId": "bench", "role": "viewer", "key_id": "0"}},
    }
    response = entry.app(event, Context())
    out["first_request_s"] = time.perf_counter() - t0
    out["first_request_cpu_s"] = time.process_time() - c0
    out["status"] = response["statusCode"]
    out["route"] = path
out["heavy_modules"] = sorted({m.split(".")[0] for m in sys.modules} & {"pandas", "numpy", "scipy", "sklearn"})
out["boto3_loaded"] = "boto3" in sys.modules
print("RESULT " + json.dumps(out))
"""


def _server_url():
    from predictfluence.db import normalize_url
    from predictfluence_tools.localdb import embedded_url

    if os.environ.get("DATABASE_URL"):
        return normalize_url(os.environ["DATABASE_URL"]), None
    tmp = Path(tempfile.mkdtemp(prefix="pf-bench-pg-"))
    return embedded_url(tmp / "pg"), tmp


@contextlib.contextmanager
def migrated_database():
    """A throw-away migrated database; yields its URL as a string for the child interpreters."""
    import sqlalchemy as sa

    from predictfluence.db import create_engine
    from predictfluence_tools import migrate
    from predictfluence_tools.scratchdb import scratch_database

    server, tmp = _server_url()
    try:
        with scratch_database(server, "pf_bench") as url:
            engine = create_engine(url, poolclass=sa.pool.NullPool)
            migrate.upgrade(engine)
            engine.dispose()
            yield url.render_as_string(hide_password=False)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def package_paths(tmp: Path) -> tuple[str, list[str]]:
    """Unzip build/sam/deployment.zip; return a clean 3.12 and the Lambda-like sys.path."""
    zip_path = ROOT / "build" / "sam" / "deployment.zip"
    if not zip_path.exists():
        sys.exit("no build/sam/deployment.zip: run `make package` first")
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(tmp / "task")
    runtime = ROOT / "build" / "lambda-runtime"  # boto3, as Lambda's runtime provides (tests/package)
    python = Path(sys.base_prefix) / "bin" / "python3.12"
    return str(python if python.exists() else sys.executable), [str(tmp / "task"), str(runtime)]


def run_child(python: str, flags: list[str], mode: str, paths: list[str], env: dict, cwd: Path) -> dict:
    result = subprocess.run([python, *flags, "-c", CHILD, mode, json.dumps({"paths": paths})],
                            capture_output=True, text=True, env=env, cwd=cwd, timeout=120)
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith("RESULT ")]
    if result.returncode != 0 or not lines:
        raise SystemExit(f"{mode} run failed:\n{result.stderr[-3000:]}")
    return json.loads(lines[-1][7:])


def main() -> None:
    parser = argparse.ArgumentParser(description="API cold start: import and first request vs heavy imports")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--package", action="store_true", help="run the built package in a clean 3.12")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pf-coldstart-") as tmp, migrated_database() as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PF_"))}
        env.update(DATABASE_URL=url, AWS_DEFAULT_REGION=env.get("AWS_DEFAULT_REGION", "us-east-1"))
        # As infra/resources.json sets it for every function: pydantic otherwise scans every installed
        # distribution's entry points for plugins at the first model definition.
        env["PYDANTIC_DISABLE_PLUGINS"] = "__all__"
        if args.package:
            python, paths = package_paths(Path(tmp))
            flags, cwd = ["-I", "-S"], Path(tmp)
        else:
            python, paths, flags, cwd = sys.executable, [], [], ROOT
        samples: dict[str, list[float]] = {k: [] for k in (
            "import_s", "first_request_s", "heavy_import_s", "import_cpu_s", "first_request_cpu_s",
            "heavy_import_cpu_s")}
        seen: dict = {}
        for i in range(args.runs):  # interleaved, so machine load affects all three alike
            imp = run_child(python, flags, "import", paths, env, cwd)
            req = run_child(python, flags, "request", paths, env, cwd)
            heavy = run_child(sys.executable, [], "heavy", [], env, ROOT)
            samples["import_s"].append(imp["import_s"])
            samples["first_request_s"].append(req["first_request_s"])
            samples["heavy_import_s"].append(heavy["heavy_import_s"])
            samples["import_cpu_s"].append(imp["import_cpu_s"])
            samples["first_request_cpu_s"].append(req["first_request_cpu_s"])
            samples["heavy_import_cpu_s"].append(heavy["heavy_import_cpu_s"])
            seen = req
            print(f"run {i + 1:2d}: import {imp['import_s']:.3f} s  first {req['route']} {req['status']} "
                  f"{req['first_request_s']:.3f} s  pandas+sklearn {heavy['heavy_import_s']:.3f} s", flush=True)
    med = {k: round(statistics.median(v), 3) for k, v in samples.items()}
    medians = {k: med[k] for k in ("import_s", "first_request_s", "heavy_import_s")}
    medians["ratio_import_vs_heavy"] = round(med["import_s"] / med["heavy_import_s"], 3)
    # CPU time of the child (process_time): what the wall clock would show on an idle machine, minus
    # waiting for PostgreSQL. Reported because shared machines inflate the wall-clock figures.
    medians.update({k: med[k] for k in ("import_cpu_s", "first_request_cpu_s", "heavy_import_cpu_s")})
    try:
        medians["load_average_1m"] = round(os.getloadavg()[0], 2)
    except OSError:
        pass
    where = "built package, clean python -I -S" if args.package else "source tree, project venv"
    print(f"median of {args.runs} ({where}); first request: GET {seen.get('route')} -> {seen.get('status')}; "
          f"heavy modules loaded by the API: {seen.get('heavy_modules')}; boto3 loaded: {seen.get('boto3_loaded')}")
    print(f"targets: import_s <= 0.5 ({'met' if medians['import_s'] <= 0.5 else 'MISSED'}), "
          f"first_request_s <= 0.9 ({'met' if medians['first_request_s'] <= 0.9 else 'MISSED'})")
    print(json.dumps(medians))


if __name__ == "__main__":
    main()
