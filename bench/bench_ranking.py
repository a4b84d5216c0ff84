"""Ranking speed: the matcher against a bare numpy matrix product + argpartition, side by side.

usage: python bench/bench_ranking.py [--repeats 200] [--batch 10000]
Prints medians in milliseconds and ratios; every pair is measured in the same run.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import io
import pathlib
import statistics
import sys
import time

import joblib
import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from kbio_match.features.catalog import load_catalog  # noqa: E402
from kbio_match.features.profile import Profile, ProfileAsset  # noqa: E402
from kbio_match.models.recommender import Recommender  # noqa: E402
from synthetic import random_profiles, synthetic_catalog  # noqa: E402

PROFILE = Profile(
    seeking=("license_out", "manufacturing"),
    assets=(
        ProfileAsset("EX-101", "adc", "phase1", ("oncology",)),
        ProfileAsset("EX-202", "small_molecule", "phase2", ("cardiovascular", "rare_disease")),
    ),
)

# the same request with words: the text group's sparse product and its saturation join the path
WORDED = dataclasses.replace(
    PROFILE, description="HER2 antibody-drug conjugate for gastric cancer; oral small molecule for heart failure"
)


def median_ms(fn, repeats: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def interleaved(a, b, repeats: int) -> tuple[float, float]:
    """Medians of a and b, alternating calls so both see the same machine noise."""
    a(), b()
    ta, tb = [], []
    for _ in range(repeats):
        s = time.perf_counter()
        a()
        ta.append(time.perf_counter() - s)  # noqa: E702
        s = time.perf_counter()
        b()
        tb.append(time.perf_counter() - s)  # noqa: E702
    return statistics.median(ta) * 1e3, statistics.median(tb) * 1e3


def bare(matrix: np.ndarray, k: int = 10, *, column_major: bool = False):
    """``matrix @ q`` + argpartition; ``column_major`` reads a transposed copy (``q @ matrix.T``),
    the layout the large-catalog bound uses, which BLAS reads about twice as fast."""
    q = np.random.default_rng(0).random(matrix.shape[1], dtype=np.float32)
    columns = np.ascontiguousarray(matrix.T) if column_major else None

    def run():
        scores = q @ columns if column_major else matrix @ q
        top = np.argpartition(-scores, k)[:k]
        return top[np.argsort(-scores[top])]

    return run


def report(label: str, model: Recommender, repeats: int) -> None:
    matrix = model.matcher.matrix_
    ours, base = interleaved(lambda: model.rank([PROFILE], 10, explain=False), bare(matrix), repeats)
    ours_c, base_c = interleaved(
        lambda: model.rank([PROFILE], 10, explain=False), bare(matrix, column_major=True), repeats
    )
    explained = median_ms(lambda: model.rank([PROFILE], 10), max(20, repeats // 4))
    plain, worded = interleaved(
        lambda: model.rank([PROFILE], 10, explain=False), lambda: model.rank([WORDED], 10, explain=False), repeats
    )
    print(
        f"{label:<28} n={matrix.shape[0]:>7} d={matrix.shape[1]}  "
        f"rank {ours:8.3f} ms   bare numpy {base:8.3f} ms   ratio {ours / base:6.2f}x   "
        f"with reasons {explained:8.3f} ms\n{'':<28} against the column-major bare product: "
        f"rank {ours_c:8.3f} ms   bare {base_c:8.3f} ms   ratio {ours_c / base_c:6.2f}x\n{'':<28} "
        f"with a company description: rank {worded:8.3f} ms against {plain:8.3f} ms without"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    catalog = load_catalog()
    model = Recommender.fit(catalog)
    print("one profile (2 assets, 2 partnerships sought), top 10; medians of", args.repeats)
    report("shipped catalog", model, args.repeats)
    start = time.perf_counter()
    big = Recommender.fit(synthetic_catalog(catalog, 100_000))
    print(f"  (synthetic 100k catalog fitted in {time.perf_counter() - start:.1f} s)")
    report("synthetic catalog", big, max(20, args.repeats // 4))

    profiles = random_profiles(args.batch)
    gc.collect()
    start = time.perf_counter()
    model.rank(profiles, 10, explain=False)
    no_reasons = time.perf_counter() - start
    start = time.perf_counter()
    model.rank(profiles, 10)
    with_reasons = time.perf_counter() - start
    print(
        f"batch of {args.batch} profiles over the shipped catalog: {no_reasons:.2f} s scores only, "
        f"{with_reasons:.2f} s with reasons ({with_reasons / args.batch * 1e3:.2f} ms per profile)"
    )

    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    raw = io.BytesIO()
    joblib.dump(model, raw)
    print(
        f"fitted model: matrix {model.matcher.matrix_.nbytes / 1e6:.2f} MB, pickled {raw.tell() / 1e6:.2f} MB "
        f"({buffer.tell() / 1e6:.2f} MB compressed); 100k model matrix {big.matcher.matrix_.nbytes / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    main()
