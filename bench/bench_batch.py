"""Batch matching: N random profiles against the shipped catalog, in this process and on a local
Dask cluster of 2 single-threaded workers, without reasons (what `kbio-match match-batch` does).

usage: python bench/bench_batch.py [--profiles 200000]
The profiles are generated here (synthetic, never written to data/). Prints wall times, profiles
per second and the projection to 1,000,000 profiles; both runs write the same rows.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from kbio_match.features.catalog import load_catalog  # noqa: E402
from kbio_match.models.recommender import Recommender  # noqa: E402
from kbio_match.service.batch import run_batch  # noqa: E402
from kbio_match.service.schemas import MatchRequest  # noqa: E402
from synthetic import random_profiles  # noqa: E402


def requests(n: int) -> list[tuple[int, MatchRequest]]:
    out = []
    for i, p in enumerate(random_profiles(n)):
        body = {
            "company": {"name": f"Batch Co {i}"},
            "seeking": list(p.seeking),
            "assets": [
                {
                    "name": a.name,
                    "modality": a.modality,
                    "stage": a.stage,
                    "therapeutic_areas": list(a.therapeutic_areas),
                }
                for a in p.assets
            ],
        }
        out.append((i, MatchRequest.model_validate(body)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=200_000)
    args = parser.parse_args()
    model = Recommender.fit(load_catalog())
    start = time.perf_counter()
    batch = requests(args.profiles)
    print(f"{args.profiles} random profiles built and validated in {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    here = run_batch(model, batch)
    local = time.perf_counter() - start
    print(f"in-process: {local:.1f} s, {args.profiles / local:,.0f} profiles/s "
          f"(1,000,000 would take {1e6 / args.profiles * local:.0f} s); {len(here)} rows")  # fmt: skip

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None, processes=True) as cluster:
        start = time.perf_counter()
        there = run_batch(model, batch, scheduler=cluster.scheduler_address)
        remote = time.perf_counter() - start
    same = here.equals(there)
    print(f"local Dask cluster, 2 workers: {remote:.1f} s, {args.profiles / remote:,.0f} profiles/s "
          f"(1,000,000 would take {1e6 / args.profiles * remote:.0f} s); same rows as in-process: {same}")  # fmt: skip


if __name__ == "__main__":
    main()
