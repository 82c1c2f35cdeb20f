"""`make fuzz`: schemathesis over the whole OpenAPI document of the running product, ≥ 1,000 cases.

Starts `predictfluence run` (own embedded PostgreSQL, moto, demo data through the ETL) on free loopback
ports, then runs the schemathesis CLI from a temporary folder (its .hypothesis/ never lands in the
project) with an admin API key and `Connection: close`. Fails (exit 1) on any 5xx or any response that
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


def count_cases(report: Path) -> tuple[int, int]:
    """(test cases run, failures) from schemathesis' NDJSON event stream."""
    cases = failures = 0
    for line in report.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished") or event.get("scenario_finished")
        if finished:
            recorder = finished.get("recorder") or {}
            cases += len(recorder.get("cases", {}))
            failures += sum(1 for checks in recorder.get("checks", {}).values()
                            for c in checks if c.get("status") == "FAILURE")
    return cases, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=60, help="per operation and phase")
    parser.add_argument("--min-cases", type=int, default=1000)
    parser.add_argument("--influencers", type=int, default=200, help="demo data size")
    parser.add_argument("--days", type=int, default=120, help="≥ 97: the first model needs 97 days")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    schemathesis = Path(sys.executable).with_name("schemathesis")
    t0 = time.monotonic()
    with local_api(args.influencers, args.days) as api, tempfile.TemporaryDirectory(prefix="pf-fuzz-") as work:
        operations = len([op for ops in json.load(urllib.request.urlopen(api.url + "/openapi.json", timeout=30))
                          ["paths"].values() for op in ops])
        events = Path(work) / "events.ndjson"
        cmd = [str(schemathesis), "run", f"{api.url}/openapi.json", "--checks", CHECKS,
               "--max-examples", str(args.max_examples), "--seed", str(args.seed), "--request-timeout", "30",
               "-H", "Connection: close", "-H", f"Authorization: Bearer {api.key}",
               "--exclude-operation-id", "revoke_api_key",  # would revoke the fuzzer's own key (ids are small)
               "--generation-database", "none", "--report", "ndjson", "--report-ndjson-path", str(events),
               "--continue-on-failure", "--no-color"]
        print("$", " ".join(c if "Bearer" not in c else "Authorization: Bearer <key>" for c in cmd), flush=True)
        run = subprocess.run(cmd, cwd=work, text=True, capture_output=True, timeout=3600)
        print(run.stdout[-6000:], run.stderr[-2000:], sep="\n")
        cases, failures = count_cases(events) if events.exists() else (0, -1)
        if not cases:  # fall back to the summary line ("… 1234 generated …")
            found = re.search(r"(\d+) generated", run.stdout)
            cases = int(found.group(1)) if found else 0
    ok = run.returncode == 0 and failures == 0 and cases >= args.min_cases
    print(json.dumps({"cases": cases, "failures": failures, "operations": operations, "exit_code": run.returncode,
                      "seconds": round(time.monotonic() - t0, 1), "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
