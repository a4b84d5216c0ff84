"""Calibration of the choice model's probabilities on the blind folds.

A query's first pick comes with the model's probability that it is the partner the company dealt
with; grouping queries by that probability, the share whose first pick was right should match it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from kbio_match.models.evaluation import Evaluation

__all__ = ["reliability", "BINS"]

BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.6, 1.0)


def reliability(evaluation: Evaluation, *, ranker: str = "model", bins=BINS) -> pd.DataFrame:
    """Per bin of the first pick's probability: queries, mean probability, share of first picks
    that were right (hit@1), and a 95% Wilson interval of that share."""
    frame = evaluation.ranks[evaluation.ranks["ranker"] == ranker]
    if frame.empty or frame["top_score"].isna().all():
        return pd.DataFrame(columns=["bin", "queries", "predicted", "observed", "observed lo", "observed hi"])
    which = np.clip(np.digitize(frame["top_score"], bins[1:-1]), 0, len(bins) - 2)
    rows = []
    for b in range(len(bins) - 1):
        part = frame[which == b]
        if part.empty:
            continue
        n, hits = len(part), float((part["rank"] == 1).sum())
        lo, hi = _wilson(hits, n)
        rows.append(
            {
                "bin": f"{bins[b]:.1f}-{bins[b + 1]:.1f}",
                "queries": n,
                "predicted": float(part["top_score"].mean()),
                "observed": hits / n,
                "observed lo": lo,
                "observed hi": hi,
            }
        )
    return pd.DataFrame(rows)


def _wilson(hits: float, n: int, z: float = 1.96) -> tuple[float, float]:
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))
