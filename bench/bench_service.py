"""Service throughput and latency: POST /v1/match (top 10 with reasons) beside GET /healthz.

usage: python bench/bench_service.py [--seconds 15] [--connections 8] [--workers 1 2]
                                     [--databases sqlite postgresql]
For each database and worker count, starts `kbio-match serve` on a free local port (SQLite in a
temporary folder, or a throw-away PostgreSQL server from Debian's binaries), loads it with wrk
(Debian package `wrk`), one endpoint after the other in the same run, and prints requests/s,
p50/p99 latency, non-2xx responses and the supervisor's resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.pg_server

BODY = {
    "company": {"name": "Bench Therapeutics", "country": "GB"},
    "assets": [
        {"name": "EX-101", "modality": "adc", "stage": "phase1", "therapeutic_areas": ["oncology"]},
        {"name": "EX-202", "modality": "small_molecule", "stage": "phase2", "therapeutic_areas": ["cardiovascular"]},
    ],
    "seeking": ["license_out", "manufacturing"],
    "top_k": 10,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) / 1024


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def wrk(url: str, seconds: int, connections: int, script: Path | None) -> dict:
    command = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if script:
        command[1:1] = ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(latency["50"]),
        "p99": to_ms(latency["99"]),
        "errors": int(errors.group(1)) if errors else 0,
    }


def run(args, workers: int, database_url: str | None, label: str) -> dict:
    """Start `kbio-match serve`, load /healthz then /v1/match with wrk, and return the figures."""
    home = Path(tempfile.mkdtemp(prefix="kbio-bench-"))
    port = free_port()
    env = dict(
        os.environ,
        KBIO_MODEL_DIR=str(args.model_dir or home / "models"),
        KBIO_DATABASE_URL=database_url or f"sqlite:///{home / 'db.sqlite3'}",
    )
    env.pop("KBIO_API_KEYS", None)
    # the command installed beside this interpreter, not whichever one PATH finds first
    beside = Path(sys.executable).with_name("kbio-match")
    command = str(beside) if beside.exists() else shutil.which("kbio-match")
    server = subprocess.Popen(
        [command, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(2 if workers > 1 else 0)  # every worker up, not just the first
        script = home / "match.lua"
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = [[{json.dumps(BODY)}]]\n"
        )
        wrk(base + "/v1/match", 3, args.connections, script)  # warm-up, not reported
        health = wrk(base + "/healthz", args.seconds, args.connections, None)
        match = wrk(base + "/v1/match", args.seconds, args.connections, script)
        memory = rss_mb(server.pid)
        print(
            f"{label:<22} healthz {health['rps']:7.1f} req/s p99 {health['p99']:6.2f} ms | "
            f"match {match['rps']:7.1f} req/s p50 {match['p50']:6.2f} ms p99 {match['p99']:6.2f} ms | "
            f"ratio {match['rps'] / health['rps']:4.0%} | errors {health['errors'] + match['errors']} | "
            f"supervisor RSS {memory:.0f} MB",
            flush=True,
        )
        return {"health": health, "match": match}
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--model-dir", type=Path, default=None, help="reuse trained models (default: build one)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench_service: needs wrk (apt-get install wrk)")
    if args.model_dir is None:  # build the model once, so every configuration loads the same one
        args.model_dir = Path(tempfile.mkdtemp(prefix="kbio-bench-models-"))
        from kbio_match.models.training import ensure_model

        ensure_model(args.model_dir)
    print(
        f"POST /v1/match (top 10 with reasons, 2 assets, 2 partnerships sought) beside GET /healthz; "
        f"{args.connections} connections, {args.seconds} s each (wrk)"
    )
    results = {}
    for database in args.databases:
        for workers in args.workers:
            if database == "postgresql":
                from tests.pg_server import throwaway_postgres

                with throwaway_postgres() as url:
                    results[(database, workers)] = run(args, workers, url, f"{database}, {workers} worker(s)")
            else:
                results[(database, workers)] = run(args, workers, None, f"{database}, {workers} worker(s)")
    for database in args.databases:
        if (database, 1) in results and (database, 2) in results:
            one, two = results[(database, 1)]["match"]["rps"], results[(database, 2)]["match"]["rps"]
            print(f"{database}: 2 workers give {two / one:.2f}x the match throughput of 1")


if __name__ == "__main__":
    main()
