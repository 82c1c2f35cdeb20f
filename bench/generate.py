"""Benchmark `predictfluence demo-data`: the time to generate ~1,000,000 post_metrics rows (all kinds,
every file written), against a baseline measured in the same run: csv.writer writing the same number
of 10-column rows of constant values (the cost of the CSV text alone).

Usage: .venv/bin/python bench/generate.py [--rows 1000000] [--days 30]
The last output line is JSON: {"metric_rows", "seconds", "rows_per_s", "baseline_csv_s", "ratio_vs_csv_writer", ...}.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

from predictfluence_tools.demo.generator import DemoConfig, generate, influencers_for_rows


def baseline_csv(path: Path, rows: int) -> float:
    row = ("instagram", "ig000000001", "2026-01-01", 123, 4, 5, 6, 7890, 4567, 6789)
    started = time.perf_counter()
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for _ in range(0, rows, 100_000):
            writer.writerows([row] * min(100_000, rows))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="target post_metrics rows")
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    influencers = influencers_for_rows(args.rows, args.days)
    config = DemoConfig(influencers=influencers, days=args.days, seed=42, end_date=dt.date(2026, 6, 30))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = generate(config, Path(tmp) / "demo")
        seconds = time.perf_counter() - started
        metric_rows = result.rows["post_metrics"]
        base = baseline_csv(Path(tmp) / "baseline.csv", metric_rows)
        size_mb = (Path(tmp) / "demo" / "post_metrics.csv").stat().st_size / 1e6
    print(f"{'kind':14s} {'rows':>12s}")
    for kind, rows in result.rows.items():
        print(f"{kind:14s} {rows:>12,d}")
    print(f"influencers={influencers:,d} days={args.days}: generated everything in {seconds:.2f} s "
          f"({metric_rows / seconds:,.0f} metric rows/s); csv.writer baseline for {metric_rows:,d} "
          f"constant rows {base:.2f} s -> ratio {seconds / base:.2f}; post_metrics.csv {size_mb:.0f} MB")  # fmt: skip
    print(
        json.dumps(
            {
                "metric_rows": metric_rows,
                "seconds": round(seconds, 3),
                "rows_per_s": round(metric_rows / seconds),
                "baseline_csv_s": round(base, 3),
                "ratio_vs_csv_writer": round(seconds / base, 2),
                "influencers": influencers,
                "days": args.days,
                "total_rows": sum(result.rows.values()),
            }
        )
    )


if __name__ == "__main__":
    main()
