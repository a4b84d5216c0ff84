"""Event planning through HTTP: POST /v1/events/schedule for 300 companies x the whole catalog x 12 slots.

usage: python bench/bench_events.py [--companies 300] [--slots 12] [--runs 3]
Starts `kbio-match serve` on a free local port with a throw-away database and model folder, posts
a random event (seeded: companies with one asset and two partnerships sought, every catalog partner,
capacity 8 a company and 12 a partner), with and without availability limits (each participant
away in about 20% of slots), and prints the median wall time, the solver's share, the method and
the gap between the plan and its bound.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

MODALITIES = ["antibody", "small_molecule", "adc", "cell_therapy", "peptide", "vaccine", "rna", "gene_therapy"]
AREAS = ["oncology", "cardiovascular", "metabolic", "neurology", "immunology", "infectious_disease", "rare_disease"]
SEEKING = ["license_out", "license_in", "co_development", "manufacturing", "clinical_services", "investment"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, body: dict | None = None, timeout: float = 600) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def event(partner_ids: list[str], n_companies: int, n_slots: int, away: float, seed: int) -> dict:
    rng = random.Random(seed)
    slots = [f"s{k:02d}" for k in range(n_slots)]
    companies = []
    for i in range(n_companies):
        companies.append(
            {
                "id": f"co-{i:04d}",
                "profile": {
                    "company": {"name": f"Bench Co {i}"},
                    "assets": [
                        {
                            "name": f"B-{i}",
                            "modality": rng.choice(MODALITIES),
                            "stage": rng.choice(["preclinical", "phase1", "phase2", "phase3"]),
                            "therapeutic_areas": [rng.choice(AREAS)],
                        }
                    ],
                    "seeking": rng.sample(SEEKING, 2),
                },
                "max_meetings": 8,
                "unavailable": [s for s in slots if rng.random() < away],
            }
        )
    partners = [
        {"partner_id": p, "max_meetings": 12, "unavailable": [s for s in slots if rng.random() < away]}
        for p in partner_ids
    ]
    return {"slots": slots, "companies": companies, "partners": partners, "min_score": 0.3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=300)
    parser.add_argument("--slots", type=int, default=12)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="kbio-bench-events-"))
    port = free_port()
    beside = Path(sys.executable).with_name("kbio-match")
    env = dict(os.environ, KBIO_MODEL_DIR=str(home / "models"), KBIO_DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}")
    server = subprocess.Popen(
        [str(beside if beside.exists() else shutil.which("kbio-match")), "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=open(home / "server.log", "w"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                call(base + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        ids = [p["id"] for p in call(base + "/v1/partners?limit=500")["items"]]
        print(f"{args.companies} companies x {len(ids)} partners x {args.slots} slots, through HTTP, {args.runs} runs")
        for label, away in (("no availability limits", 0.0), ("about 20% of slots away", 0.2)):
            walls, solves = [], []
            for run in range(args.runs):
                body = event(ids, args.companies, args.slots, away, seed=run)
                start = time.perf_counter()
                answer = call(base + "/v1/events/schedule", body)
                walls.append(time.perf_counter() - start)
                solves.append(answer["summary"]["solve_ms"] / 1e3)
            s = answer["summary"]
            gap = (s["upper_bound"] - s["total_score"]) / s["upper_bound"] if s["upper_bound"] else 0.0
            print(
                f"  {label:26s} median {statistics.median(walls):6.2f} s (solver {statistics.median(solves):5.2f} s), "
                f"{s['meetings']} meetings, method {s['method']}, optimal {s['optimal']}, gap {gap:.2%}"
            )
    except Exception:
        print((home / "server.log").read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
