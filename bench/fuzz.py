"""`make fuzz`: schemathesis over the whole OpenAPI document of the running product, ≥ 1,000 cases.

Starts `predictfluence run` (own embedded PostgreSQL, moto, demo data through the ETL) on free loopback
ports, then runs the schemathesis CLI from a temporary folder (its .hypothesis/ never lands in the
project) with an admin API key and `Connection: close`; the coverage phase also sends requests without
the key and with unexpected methods (all but TRACE/QUERY, which chalice local's http.server answers with
its own 501). Full output: bench/results/fuzz.log. Fails (exit 1) on any 5xx or any response that
violates the document (schema, status code, content type), or when fewer cases than --min-cases ran.
Last output line: JSON {"cases": …, "failures": …, "operations": …, "seconds": …, "ok": …}.

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
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _localapi import local_api  # noqa: E402

CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"


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
        operations = len([op for ops in json.load(urllib.request.urlopen(api.url + "/openapi.json", timeout=30))
                          ["paths"].values() for op in ops])
        config = Path(work) / "schemathesis.toml"
        config.write_text(CONFIG, encoding="utf-8")
        cmd = [str(schemathesis), "--config-file", str(config), "run", f"{api.url}/openapi.json", "--checks", CHECKS,
               "--max-examples", str(args.max_examples), "--seed", str(args.seed), "--request-timeout", "30",
               "-H", "Connection: close", "-H", f"Authorization: Bearer {api.key}",
               "--exclude-operation-id", "revoke_api_key",  # would revoke the fuzzer's own key (ids are small)
               "--generation-database", "none", "--continue-on-failure", "--no-color"]
        print("$", " ".join(c if "Bearer" not in c else "Authorization: Bearer <key>" for c in cmd), flush=True)
        run = subprocess.run(cmd, cwd=work, text=True, capture_output=True, timeout=3600)
    args.log.parent.mkdir(parents=True, exist_ok=True)
    args.log.write_text(run.stdout + run.stderr, encoding="utf-8")
    print(run.stdout[-4000:], run.stderr[-2000:], f"(full output: {args.log})", sep="\n")
    cases, failures = summary_counts(run.stdout)
    ok = run.returncode == 0 and failures == 0 and cases >= args.min_cases
    print(json.dumps({"cases": cases, "failures": failures, "operations": operations, "exit_code": run.returncode,
                      "seconds": round(time.monotonic() - t0, 1), "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
