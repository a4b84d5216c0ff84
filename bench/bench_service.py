"""Service throughput and latency: POST /v1/match (top 10 with reasons) beside GET /healthz.

usage: python bench/bench_service.py [--seconds 15] [--connections 8]
Starts `kbio-match serve` on a free local port with a throw-away database and model folder,
loads it with wrk (Debian package `wrk`) at 8 concurrent connections, one endpoint after the
other in the same run, and prints requests/s, p50/p99 latency and the server's resident memory.
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench_service: needs wrk (apt-get install wrk)")
    home = Path(tempfile.mkdtemp(prefix="kbio-bench-"))
    port = free_port()
    env = dict(os.environ, KBIO_MODEL_DIR=str(home / "models"), KBIO_DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}")
    # the command installed beside this interpreter, not whichever one PATH finds first
    beside = Path(sys.executable).with_name("kbio-match")
    command = str(beside) if beside.exists() else shutil.which("kbio-match")
    server = subprocess.Popen(
        [command, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        script = home / "match.lua"
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = [[{json.dumps(BODY)}]]\n"
        )
        health = wrk(base + "/healthz", args.seconds, args.connections, None)
        match = wrk(base + "/v1/match", args.seconds, args.connections, script)
        memory = rss_mb(server.pid)
        stored = json.load(urllib.request.urlopen(base + "/v1/requests?limit=1"))["total"]
        print(
            f"{args.connections} connections, {args.seconds} s each, one uvicorn worker, SQLite (WAL, synchronous=FULL)"
        )
        for name, r in (("GET /healthz", health), ("POST /v1/match", match)):
            print(
                f"  {name:<16} {r['rps']:8.1f} req/s   p50 {r['p50']:6.2f} ms   p99 {r['p99']:6.2f} ms   "
                f"non-2xx {r['errors']}"
            )
        print(
            f"  match throughput = {match['rps'] / health['rps']:.0%} of healthz; "
            f"{stored} match requests stored; server RSS {memory:.0f} MB"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
