"""`make fuzz`: schemathesis over the whole OpenAPI document of the running product, ≥ 1,000 cases.

Starts `predictfluence run` (own embedded PostgreSQL, moto, demo data through the ETL) on free loopback
ports, then runs the schemathesis CLI from a temporary folder (its .hypothesis/ never lands in the
project) with an admin API key and `Connection: close`; the coverage phase also sends requests without
the key and with unexpected methods (all but TRACE/QUERY, which chalice local's http.server answers with
its own 501). Full output: bench/results/fuzz.log. Fails (exit 1) on any 5xx or any response that
violates the document (schema, status code, content type), or when fewer cases than --min-cases ran.

Then the hostile-body corpus (HOSTILE_BODIES: nesting 5,000 levels deep, bodies of 1 and 8 MiB, 1e400,
5,000-digit integers, NaN) goes to every body-taking operation (POST/PUT/PATCH with a requestBody in
/openapi.json): each must answer a documented 4xx in the error shape {"error": {"code", "message",
"details"}} — never a 5xx, a 2xx or a dropped connection. tests/api/test_schemathesis.py sends the same
corpus (it imports HOSTILE_BODIES and hostile_problems from here).
At the end the run's admin key must still answer GET /keys with 200 (else every answer may have been a
documented 401). Last output line: JSON {"cases": …, "failures": …, "operations": …, "hostile": {"cases": …,
"failures": …}, "admin_key_still_works": …, "seconds": …, "ok": …}.

    .venv/bin/python bench/fuzz.py [--max-examples 60] [--min-cases 1000] [--influencers 300]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _localapi import local_api  # noqa: E402

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"

# Hostile JSON bodies (issue 10, point 11), name → raw body. Field names cover every body model (a huge
# number must reach the number check whichever operation receives it).
DEPTH = 5_000
_DIGITS = "9" * 5_000
HOSTILE_BODIES: dict[str, bytes] = {
    "nested arrays 5,000 deep": ("[" * DEPTH + "]" * DEPTH).encode(),
    "nested objects 5,000 deep": ('{"a":' * DEPTH + "1" + "}" * DEPTH).encode(),
    "nesting 5,000 deep inside a field": ('{"name": ' + "[" * DEPTH + "]" * DEPTH + "}").encode(),
    "unclosed nesting 5,000 deep": ("{" * DEPTH).encode(),
    "huge body (1 MiB string)": ('{"name": "' + "x" * 2**20 + '"}').encode(),
    "huge body (8 MiB array)": ("[" + "0," * (4 * 2**20) + "0]").encode(),
    "1e400": b'{"name": "n", "budget": 1e400, "agreed_cost": 1e400, "influencer_id": 1e400, "role": "viewer"}',
    "-1e400": b'{"name": "n", "budget": -1e400, "agreed_cost": -1e400}',
    "5,000-digit integer": ('{"name": "n", "budget": ' + _DIGITS + ', "agreed_cost": ' + _DIGITS
                            + ', "influencer_id": ' + _DIGITS + "}").encode(),
    "5,000-digit negative integer": ('{"influencer_id": -' + _DIGITS + ', "budget": -' + _DIGITS + "}").encode(),
    "NaN and Infinity": b'{"name": "n", "budget": NaN, "agreed_cost": Infinity}',
}


def body_operations(document: dict) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation of an OpenAPI document that takes a request body."""
    return sorted((method.upper(), path) for path, operations in document["paths"].items()
                  for method, operation in operations.items()
                  if method in ("post", "put", "patch") and "requestBody" in operation)


def concrete(path: str) -> str:
    """A path template with every {parameter} set to 1 (the body is refused before the id matters)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def send(base_url: str, key: str, method: str, path: str, body: bytes, timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(f"{base_url}{concrete(path)}", data=body, method=method, headers={
        "Connection": "close", "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def hostile_problems(document: dict, method: str, path: str, status: int, body: bytes) -> list[str]:
    """What is wrong with the answer to a hostile body: [] when it is a documented 4xx in the error shape."""
    problems = []
    documented = document["paths"][path][method.lower()]["responses"]
    if not 400 <= status < 500:
        problems.append(f"status {status}, expected a 4xx")
    elif str(status) not in documented:
        problems.append(f"status {status} is not documented for {method} {path} ({sorted(documented)})")
    try:
        error = json.loads(body)["error"]
        if set(error) != {"code", "message", "details"} or not isinstance(error["message"], str):
            problems.append(f"not the error shape: {body[:200]!r}")
    except (ValueError, KeyError, TypeError):
        problems.append(f"not a JSON error: {body[:200]!r}")
    if len(body) > 4_000:
        problems.append(f"a {len(body):,}-byte answer (echoes the body?)")
    return problems


def run_hostile(base_url: str, key: str, document: dict) -> tuple[int, list[str]]:
    """Every hostile body to every body-taking operation: (cases sent, failures)."""
    cases, failures = 0, []
    for method, path in body_operations(document):
        for name, body in HOSTILE_BODIES.items():
            cases += 1
            try:
                status, answer = send(base_url, key, method, path, body)
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                failures.append(f"{method} {path} | {name}: no answer ({exc})")
                continue
            failures += [f"{method} {path} | {name}: {p}" for p in hostile_problems(document, method, path, status,
                                                                                   answer)]
    return cases, failures


# chalice local (http.server) answers TRACE and QUERY with its own HTML 501 before the app sees them; API
# Gateway has no such methods (it refuses them itself). Every other unexpected method is still sent.
CONFIG = """[phases.coverage]
unexpected-methods = ["get", "put", "post", "delete", "options", "patch"]
"""


def summary_counts(output: str) -> tuple[int, int]:
    """(test cases generated, unique failures) from schemathesis' summary ("1372 generated, 44 found …")."""
    cases = re.search(r"(\d+) generated", output)
    failures = re.search(r"(\d+) found (\d+) unique failures", output)
    return int(cases.group(1)) if cases else 0, int(failures.group(2)) if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=60, help="per operation and phase")
    parser.add_argument("--min-cases", type=int, default=1000)
    parser.add_argument("--influencers", type=int, default=200, help="demo data size")
    parser.add_argument("--days", type=int, default=120, help="≥ 97: the first model needs 97 days")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log", type=Path, default=Path(__file__).resolve().parent / "results" / "fuzz.log")
    args = parser.parse_args(argv)
    schemathesis = Path(sys.executable).with_name("schemathesis")
    t0 = time.monotonic()
    with local_api(args.influencers, args.days) as api, tempfile.TemporaryDirectory(prefix="pf-fuzz-") as work:
        document = json.load(urllib.request.urlopen(api.url + "/openapi.json", timeout=30))
        operations = len([op for ops in document["paths"].values() for op in ops])
        config = Path(work) / "schemathesis.toml"
        config.write_text(CONFIG, encoding="utf-8")
        cmd = [str(schemathesis), "--config-file", str(config), "run", f"{api.url}/openapi.json", "--checks", CHECKS,
               "--max-examples", str(args.max_examples), "--seed", str(args.seed), "--request-timeout", "30",
               "-H", "Connection: close", "-H", f"Authorization: Bearer {api.key}",
               "--exclude-operation-id", "revoke_api_key",  # would revoke the fuzzer's own key (ids are small)
               "--generation-database", "none", "--continue-on-failure", "--no-color"]
        print("$", " ".join(c if "Bearer" not in c else "Authorization: Bearer <key>" for c in cmd), flush=True)
        run = subprocess.run(cmd, cwd=work, text=True, capture_output=True, timeout=3600)
        hostile_cases, hostile_failures = run_hostile(api.url, api.key, document)
        request = urllib.request.Request(api.url + "/keys", headers={"Connection": "close",
                                                                     "Authorization": f"Bearer {api.key}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                key_still_works = response.status == 200
        except urllib.error.HTTPError:
            key_still_works = False  # a 401 here means every answer above may have been a documented 401
    args.log.parent.mkdir(parents=True, exist_ok=True)
    hostile_report = "\n".join(["", f"hostile bodies: {hostile_cases} cases, {len(hostile_failures)} failures",
                                 *hostile_failures])
    args.log.write_text(run.stdout + run.stderr + hostile_report, encoding="utf-8")
    print(run.stdout[-4000:], run.stderr[-2000:], hostile_report[-4000:], f"(full output: {args.log})", sep="\n")
    cases, failures = summary_counts(run.stdout)
    ok = (run.returncode == 0 and failures == 0 and cases >= args.min_cases and not hostile_failures
          and key_still_works)
    print(json.dumps({"cases": cases, "failures": failures, "operations": operations,
                      "hostile": {"cases": hostile_cases, "failures": len(hostile_failures)},
                      "admin_key_still_works": key_still_works,
                      "exit_code": run.returncode, "seconds": round(time.monotonic() - t0, 1), "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
