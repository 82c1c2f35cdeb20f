"""Benchmark the CSV export's memory: peak RSS of exporting 100,000 influencers as CSV the way the API does
against the baseline, a plain SELECT of the same rows into memory (a list of dicts, then the CSV written
from it). Three ways, same rows, same CSV:

- `s3`: GET /influencers.csv past its body limit — the influencer search (every row of influencer_stats)
  read from a server-side cursor 2,000 rows at a time, each chunk encoded and fed into a multipart upload
  (predictfluence.api.csv_export.csv_export → predictfluence.storage.upload_stream) to a local S3 (moto's
  server, run by this process, so the uploaded object is not in the measured process), then the link signed;
- `stream`: the small-list path — the same cursor, the CSV built as one body (csv_text);
- `baseline`: every row into a list of dicts, then the CSV.

Each way runs in its own fresh Python process (so one's peak does not hide the other's) and reports its
peak RSS (VmHWM, reset just before the export), the growth over the RSS it had before the export, the
seconds it took, the CPU seconds it used (the figure that does not depend on other processes' load) and the
CSV's size.

Usage: .venv/bin/python bench/export.py [--influencers 100000] [--keep]
Needs DATABASE_URL (any PostgreSQL server; a scratch database is created and dropped) or the embedded one.
The last output line is JSON: {"influencers": N, "csv_bytes": N, "s3": {"peak_rss_mib", "growth_mib",
"seconds", "parts"}, "stream": {...}, "baseline": {...}, each with "cpu_s" too, "growth_ratio": baseline growth / s3 growth,
"stream_growth_ratio": baseline growth / stream growth}.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Reset the peak RSS (VmHWM) to the current RSS (Linux: 5 > /proc/self/clear_refs), so the peak
    measured is the export's, not that of the imports before it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def child(mode: str, url: str) -> None:
    """Export once in this process (`mode` s3, stream or baseline) and print one JSON line."""
    import time

    from predictfluence import storage
    from predictfluence.api import csv_export
    from predictfluence.db import create_engine, set_engine
    from predictfluence.queries import exports
    from predictfluence.queries.influencer_filter import AllInfluencers as _AllInfluencers

    engine = create_engine(url)
    set_engine(engine)
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    if mode == "s3":
        storage.client("s3").list_buckets()  # boto3 imported and its client built before the measurement
    before = _status_mib("VmRSS")
    _reset_peak()
    started = time.perf_counter()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    extra: dict[str, object] = {}
    if mode == "s3":
        csv_export.DIRECT_MAX_ROWS = 0  # what any export past the body limit does (100,000 rows always are)
        total, chunks = exports.influencer_search(_AllInfluencers())
        link = csv_export.csv_export("influencers.csv", exports.SEARCH_COLUMNS, total, chunks)
        assert isinstance(link, csv_export.ExportLink), link
        size = link.bytes
        parts = storage.client("s3").head_object(Bucket=link.bucket, Key=link.key)["ETag"].strip('"')
        extra = {"parts": int(parts.split("-")[1]) if "-" in parts else 1, "rows": link.rows}
    elif mode == "stream":
        total, chunks = exports.influencer_search(_AllInfluencers())
        size = len(csv_export.csv_text(exports.SEARCH_COLUMNS, chunks).encode())
    else:
        found = exports.influencer_search_in_memory()
        size = len(csv_export.csv_text(exports.SEARCH_COLUMNS, [[tuple(r.values()) for r in found]]).encode())
    seconds = time.perf_counter() - started
    now = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = now.ru_utime + now.ru_stime - cpu.ru_utime - cpu.ru_stime  # this process's CPU, whatever the load
    peak = _status_mib("VmHWM")
    print(
        json.dumps(
            {
                "peak_rss_mib": round(peak, 1),
                "growth_mib": round(peak - before, 1),
                "seconds": round(seconds, 2),
                "cpu_s": round(cpu_s, 2),
                "csv_bytes": size,
                **extra,
            }
        )
    )


def seed(engine: sa.Engine, influencers: int) -> None:
    """`influencers` rows with realistic text widths; 1 in 1,000 names formula-like (neutralised on export)."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO influencer (platform, handle, name, category, country, language, followers) "
                "SELECT (ARRAY['instagram','tiktok','youtube'])[1 + mod(g, 3)], 'handle_' || g, "
                "CASE WHEN mod(g, 1000) = 0 THEN '=HYPERLINK(\"x' || g || '\")' ELSE 'Creator Name Number ' || g END, "
                "(ARRAY['beauty','fitness','tech','food'])[1 + mod(g, 4)], (ARRAY['US','UK','DE','FR'])[1 + mod(g, 4)], 'en', "
                "mod(g * 7919, 2000000) FROM generate_series(1, :n) g"
            ),
            {"n": influencers},
        )


def _local_s3() -> dict[str, str]:
    """moto's S3 server in this process (started once) with the exports bucket; the children's environment."""
    import socket

    import boto3
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    env = {**os.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "bench",
           "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1", "PF_MODELS_BUCKET": "pf-bench-exports"}
    boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], region_name="us-east-1", aws_access_key_id="bench",
                 aws_secret_access_key="bench").create_bucket(Bucket=env["PF_MODELS_BUCKET"])
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--influencers", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--child", choices=("s3", "stream", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url)
        return

    from predictfluence.db import create_engine
    from predictfluence_tools import migrate
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    results = {}
    with scratch_database(database_url(), "pf_bench_export", keep=args.keep) as url:
        engine = create_engine(url)
        try:
            migrate.upgrade(engine)
            seed(engine, args.influencers)
            from predictfluence.queries.rollups import refresh

            refresh(engine, concurrently=False)  # the search reads the influencer_stats rollup
        finally:
            engine.dispose()
        plain = url.render_as_string(hide_password=False) if hasattr(url, "render_as_string") else str(url)
        env = _local_s3()
        for mode in ("s3", "stream", "baseline"):
            done = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--url", plain],
                capture_output=True,
                text=True,
                env=env,
            )
            if done.returncode:
                sys.exit(f"the {mode} export failed:\n{done.stderr[-3000:]}")
            out = done.stdout
            results[mode] = json.loads(out.strip().splitlines()[-1])
            print(
                f"{mode:9s} peak RSS {results[mode]['peak_rss_mib']:7.1f} MiB, "
                f"growth {results[mode]['growth_mib']:7.1f} MiB, {results[mode]['seconds']:6.2f} s "
                f"({results[mode]['cpu_s']:.2f} s CPU)",
                file=sys.stderr,
            )
    csv_bytes = results["s3"].pop("csv_bytes")
    for mode in ("stream", "baseline"):
        assert results[mode].pop("csv_bytes") == csv_bytes, "every way must write the same CSV"

    def ratio(way: str) -> float | None:
        growth = results[way]["growth_mib"]
        return round(results["baseline"]["growth_mib"] / growth, 2) if growth > 0 else None

    print(
        json.dumps(
            {
                "influencers": args.influencers,
                "csv_bytes": csv_bytes,
                **results,
                "growth_ratio": ratio("s3"),
                "stream_growth_ratio": ratio("stream"),
            }
        )
    )


if __name__ == "__main__":
    main()
