"""Benchmark the CSV export's memory: peak RSS of exporting 100,000 influencers as CSV the way the API does
(predictfluence.api.csv_export.csv_text over a server-side cursor, chunk by chunk) against the baseline, a
plain SELECT of the same rows into memory (a list of dicts, then the CSV written from it).

Each way runs in its own fresh Python process (so one's peak does not hide the other's) and reports its
peak RSS (VmHWM, reset just before the export) and the growth over the RSS it had before the export, with the CSV's size.

Usage: .venv/bin/python bench/export.py [--influencers 100000] [--keep]
Needs DATABASE_URL (any PostgreSQL server; a scratch database is created and dropped) or the embedded one.
The last output line is JSON: {"influencers": N, "csv_bytes": N, "stream": {"peak_rss_mib", "growth_mib"},
"baseline": {...}, "growth_ratio": baseline growth / stream growth}.
"""

from __future__ import annotations

import argparse
import json
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
    """Export once in this process (`mode` stream or baseline) and print one JSON line."""
    from predictfluence.api.csv_export import csv_text
    from predictfluence.db import create_engine, set_engine
    from predictfluence.queries import exports

    engine = create_engine(url)
    set_engine(engine)
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    before = _status_mib("VmRSS")
    _reset_peak()
    if mode == "stream":
        body = csv_text(exports.INFLUENCER_COLUMNS, exports.influencers())
    else:
        found = exports.influencers_in_memory()
        body = csv_text(exports.INFLUENCER_COLUMNS, [[tuple(r.values()) for r in found]])
    peak = _status_mib("VmHWM")
    print(
        json.dumps(
            {
                "peak_rss_mib": round(peak, 1),
                "growth_mib": round(peak - before, 1),
                "csv_bytes": len(body.encode()),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--influencers", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--child", choices=("stream", "baseline"), help=argparse.SUPPRESS)
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
        finally:
            engine.dispose()
        plain = url.render_as_string(hide_password=False) if hasattr(url, "render_as_string") else str(url)
        for mode in ("stream", "baseline"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, "--url", plain],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[mode] = json.loads(out.strip().splitlines()[-1])
            print(
                f"{mode:9s} peak RSS {results[mode]['peak_rss_mib']:7.1f} MiB, "
                f"growth {results[mode]['growth_mib']:7.1f} MiB",
                file=sys.stderr,
            )
    csv_bytes = results["stream"].pop("csv_bytes")
    assert results["baseline"].pop("csv_bytes") == csv_bytes, "both ways must write the same CSV"
    growth = results["stream"]["growth_mib"]
    print(
        json.dumps(
            {
                "influencers": args.influencers,
                "csv_bytes": csv_bytes,
                **results,
                "growth_ratio": round(results["baseline"]["growth_mib"] / growth, 2) if growth else None,
            }
        )
    )


if __name__ == "__main__":
    main()
