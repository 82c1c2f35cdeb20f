"""Upload-to-API latency of the local stack: a CSV put into the S3 endpoint → SQS → ETL handler → visible
through `GET /influencers`.

Starts `predictfluence run --no-demo` (own embedded PostgreSQL, moto's server) on free loopback ports, then
--uploads times puts a one-row influencers CSV under a fresh handle and polls the API (every 20 ms) until
the row is there. This measurement used to be a `< 5 s` assertion inside tests/integration/test_stack.py,
where it could only make the test flaky on a busy machine; here it is a number with a target.
Last output line: JSON {"upload_to_api_s": {"p50": …, "max": …}, "uploads": N, "target_s": 5.0, …}.

    .venv/bin/python bench/upload_latency.py [--uploads 10] [--timeout 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _localapi import local_api  # noqa: E402

TARGET_S = 5.0
HEADER = "platform,handle,name,category,country,language,followers\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=60.0, help="per upload: longer counts as never arrived")
    args = parser.parse_args(argv)

    import boto3

    latencies: list[float] = []
    lost = 0
    with local_api(0, 0, timeout_s=300) as api:
        s3 = boto3.client("s3", endpoint_url=api.aws_url, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
        for n in range(args.uploads):
            handle = f"latency_probe_{n}"
            body = f"{HEADER}instagram,{handle},Latency {n},food,FR,fr,{1000 + n}\n".encode()
            request = urllib.request.Request(f"{api.url}/influencers?q={handle}",
                                             headers={"Authorization": f"Bearer {api.key}", "Connection": "close"})
            started = time.monotonic()
            s3.put_object(Bucket="predictfluence-raw", Key=f"raw/influencers/latency-{n}.csv", Body=body,
                          ContentType="text/csv")
            while True:
                with urllib.request.urlopen(request, timeout=10) as response:
                    if any(i["handle"] == handle for i in json.loads(response.read())["items"]):
                        latencies.append(time.monotonic() - started)
                        print(f"upload {n}: {latencies[-1]:.2f} s", flush=True)
                        break
                if time.monotonic() - started > args.timeout:
                    lost += 1
                    print(f"upload {n}: not visible after {args.timeout:.0f} s", flush=True)
                    break
                time.sleep(0.02)
        startup = api.startup_s
    result = {
        "upload_to_api_s": {"p50": round(statistics.median(latencies), 3) if latencies else None,
                            "max": round(max(latencies), 3) if latencies else None},
        "uploads": args.uploads, "lost": lost, "target_s": TARGET_S, "startup_s": round(startup, 1),
        "ok": lost == 0 and bool(latencies) and max(latencies) <= TARGET_S,
    }
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
