"""Benchmark `predictfluence demo-data`: the time to generate ~1,000,000 post_metrics rows (all kinds,
every file written), against a baseline measured in the same run: csv.writer writing the same files —
per kind the header and exactly as many rows as the generator wrote, each a copy of that file's first
data row (same columns, same widths), so the cost of the CSV text alone. (Before issue 16.9 the
baseline wrote post_metrics rows only, rounded up to a whole 100,000: more rows than the generator's
file, and none of the other kinds.) `baseline_rows` must equal `total_rows`.

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

CHUNK = 100_000


def baseline_csv(folder: Path, files: dict[str, Path], rows: dict[str, int]) -> tuple[float, int]:
    """Seconds for csv.writer to write every kind's header and `rows[kind]` copies of its first data
    row, and the rows written."""
    samples = {}
    for kind, path in files.items():
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            samples[kind] = (next(reader), next(reader, None))
    folder.mkdir()
    written = 0
    started = time.perf_counter()
    for kind, count in rows.items():
        header, sample = samples[kind]
        with (folder / f"{kind}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(header)
            for start in range(0, count, CHUNK):
                n = min(CHUNK, count - start)
                writer.writerows([sample] * n)
                written += n
    return time.perf_counter() - started, written


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
        base, baseline_rows = baseline_csv(Path(tmp) / "baseline", result.files, result.rows)
        assert baseline_rows == sum(result.rows.values()), (baseline_rows, result.rows)
        size_mb = (Path(tmp) / "demo" / "post_metrics.csv").stat().st_size / 1e6
    print(f"{'kind':14s} {'rows':>12s}")
    for kind, rows in result.rows.items():
        print(f"{kind:14s} {rows:>12,d}")
    print(f"influencers={influencers:,d} days={args.days}: generated everything in {seconds:.2f} s "
          f"({metric_rows / seconds:,.0f} metric rows/s); csv.writer baseline for the same {baseline_rows:,d} "
          f"rows {base:.2f} s -> ratio {seconds / base:.2f}; post_metrics.csv {size_mb:.0f} MB")  # fmt: skip
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
                "baseline_rows": baseline_rows,
            }
        )
    )


if __name__ == "__main__":
    main()
