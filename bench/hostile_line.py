"""Benchmark: hostile single lines through the real ETL path, time and peak memory, against one plain read.

    .venv/bin/python bench/hostile_line.py [--mib 256] [--runs 3]

Issue 10.6: a 256 MiB line made the post_metrics fast path concatenate its partial line over and over
(22 s, 557 MiB peak), and a 32 MiB row of commas in a profiles file became 33 M cells (~250 MiB). Each
case here is one file, loaded by `load_file` in a child process (its own peak RSS, VmHWM):

- post_metrics_line: the canonical post_metrics header, one good row, then `--mib` MiB without a newline;
- profiles_commas:   a profiles header, then a row of `--mib` / 8 MiB of commas.

Baseline, same run, same files: a child that only reads the file once (sha256 in 1 MiB chunks), the least
any loader must do. DATABASE_URL selects the server (default: the embedded PostgreSQL); a scratch
database is created and dropped. The last line of output is one JSON object (medians of --runs).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core")]

MIB = 1 << 20


def write_cases(work: Path, mib: int) -> dict[str, Path]:
    line = work / "post_metrics_line.csv"
    with open(line, "wb") as out:
        out.write(b"platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n")
        out.write(b"instagram,p1,2026-03-02,1,0,0,0,,,\n")
        block = b"x" * MIB
        for _ in range(mib):
            out.write(block)
    commas = work / "profiles_commas.csv"
    with open(commas, "wb") as out:
        out.write(b"Channel Info,Followers,Country\n")
        block = b"," * MIB
        for _ in range(max(mib // 8, 1)):
            out.write(block)
        out.write(b"\nnia,1k,US\n")
    return {"post_metrics_line": line, "profiles_commas": commas}


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM: per address space, so not the parent's high-water mark, which
    getrusage keeps across fork + exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(args: list[str]) -> None:
    """Runs in the measured process: `load KIND PATH URL` or `read PATH`; prints its peak RSS."""
    try:
        _work(args)
    finally:
        print(json.dumps({"peak_rss_mib": peak_rss_mib()}))


def _work(args: list[str]) -> None:
    if args[0] == "read":
        import hashlib

        digest = hashlib.sha256()
        with open(args[1], "rb") as handle:
            while chunk := handle.read(MIB):
                digest.update(chunk)
        return
    _, kind, path, url = args
    from etl_jobs.base import SourceFile
    from etl_jobs.pipeline import load_file
    from predictfluence.db import create_engine

    outcome = load_file(create_engine(url), SourceFile(path=Path(path), key=f"raw/{kind}/{Path(path).name}"),
                        refresh_rollups=False)
    print(json.dumps({"status": outcome.status, "message": outcome.message[:200]}), file=sys.stderr)


def measure(argv: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one child run."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", *argv], cwd=ROOT, stdout=subprocess.PIPE,
                          text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode:
        raise SystemExit(f"child {argv[0]} failed with exit code {proc.returncode}")
    return seconds, json.loads(proc.stdout.strip().splitlines()[-1])["peak_rss_mib"]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=256)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import sqlalchemy as sa

    from predictfluence.db import create_engine
    from predictfluence_tools import migrate
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    result: dict[str, object] = {"bench": "hostile_line", "mib": args.mib, "runs": args.runs}
    with tempfile.TemporaryDirectory(prefix="pf-bench-") as tmp, \
            scratch_database(database_url(), "pf_bench") as url:
        os.environ["PF_DATA_DIR"] = str(Path(tmp) / "data")
        engine = create_engine(url, poolclass=sa.pool.NullPool)
        migrate.upgrade(engine)
        engine.dispose()
        url_text = url.render_as_string(hide_password=False)
        for name, path in write_cases(Path(tmp), args.mib).items():
            kind = name.split("_")[0] if name.startswith("profiles") else "post_metrics"
            runs = [measure(["load", kind, str(path), url_text]) for _ in range(args.runs)]
            base = [measure(["read", str(path)]) for _ in range(args.runs)]
            etl_s = statistics.median(r[0] for r in runs)
            read_s = statistics.median(b[0] for b in base)
            result[name] = {
                "file_mib": round(path.stat().st_size / MIB, 1),
                "etl_s": round(etl_s, 3), "etl_peak_rss_mib": round(max(r[1] for r in runs), 1),
                "read_s": round(read_s, 3), "read_peak_rss_mib": round(max(b[1] for b in base), 1),
                "ratio_to_read": round(etl_s / read_s, 2),
            }
            print(f"{name}: {result[name]}", file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
