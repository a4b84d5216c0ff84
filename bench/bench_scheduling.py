"""Partnering-event scheduling: solve time, method, optimality and bound gap on random events.

usage: python bench/bench_scheduling.py [--repeats 3] [--time-limit 10] [--balance] [--ladder] [--only NAME]
Scores are uniform in [0, 1); 5% of pairs are disallowed; company capacity is uniform in
[S/3, S] and partner capacity in [S/4, S/2 + 1] for S slots. "avail" cases make each participant
unavailable in each slot with probability 0.2. Prints the median over the repeats (same event each
repeat, so method/gap are those of the median-time run). "vars" is the size of the full
time-indexed model x[c,p,s]; --ladder adds larger availability cases to show where the exact MILP
gives way to the bounded greedy (MILP_MAX_VARS).
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
from kbio_match.models.scheduling import EventProblem, solve_schedule

CASES = [  # (name, companies, partners, slots, unavailable share)
    ("300x330x12", 300, 330, 12, 0.0),
    ("1000x2000x24", 1000, 2000, 24, 0.0),
    ("50x60x8 avail", 50, 60, 8, 0.2),
    ("300x330x12 avail", 300, 330, 12, 0.2),
]
LADDER = [
    ("150x165x10 avail", 150, 165, 10, 0.2),
    ("450x500x14 avail", 450, 500, 14, 0.2),
    ("600x700x16 avail", 600, 700, 16, 0.2),
    ("1000x2000x24 avail", 1000, 2000, 24, 0.2),
]


def random_event(n_c: int, n_p: int, n_s: int, unavailable: float, seed: int = 0) -> EventProblem:
    rng = np.random.default_rng(seed)
    return EventProblem(
        scores=rng.random((n_c, n_p)),
        allowed=rng.random((n_c, n_p)) >= 0.05,
        company_capacity=rng.integers(max(1, n_s // 3), n_s + 1, n_c),
        partner_capacity=rng.integers(max(1, n_s // 4), n_s // 2 + 2, n_p),
        company_available=rng.random((n_c, n_s)) >= unavailable,
        partner_available=rng.random((n_p, n_s)) >= unavailable,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--balance", action="store_true")
    parser.add_argument("--ladder", action="store_true", help="add larger availability cases")
    parser.add_argument("--only", help="run only cases whose name contains this")
    args = parser.parse_args()
    head = ("case", "vars", "median s", "method", "optimal", "gap", "meetings", "total")
    print("{:<20} {:>10} {:>9} {:<18} {:<7} {:>9} {:>8} {:>10}".format(*head))
    for name, n_c, n_p, n_s, unavailable in CASES + (LADDER if args.ladder else []):
        if args.only and args.only not in name:
            continue
        problem = random_event(n_c, n_p, n_s, unavailable, args.seed)
        common = problem.company_available.astype(np.int32) @ problem.partner_available.T.astype(np.int32)
        n_vars = int(common[problem.allowed & (problem.scores > 0)].sum())
        runs = [
            solve_schedule(problem, balance=args.balance, time_limit_s=args.time_limit) for _ in range(args.repeats)
        ]
        runs.sort(key=lambda r: r.solve_ms)
        med = runs[len(runs) // 2]
        gap = (med.upper_bound - med.total_score) / med.upper_bound if med.upper_bound > 0 else 0.0
        seconds = statistics.median(r.solve_ms for r in runs) / 1e3
        print(
            f"{name:<20} {n_vars:>10} {seconds:>9.3f} {med.method:<18} {med.optimal!s:<7} {gap:>9.2e} "
            f"{len(med.meetings):>8} {med.total_score:>10.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
