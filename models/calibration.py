"""Calibration of the choice model: its probabilities on the blind folds, its served scores on
later deals.

A query's first pick comes with the model's probability that it is the partner the company dealt
with; grouping queries by that probability, the share whose first pick was right should match it
(``reliability``). A match's served score is a quantile among real partners, so the real partner
of a deal the model never saw should score uniformly on [0, 1] (``score_calibration``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from kbio_match.features.catalog import Catalog
from kbio_match.models.choice import ChoiceRanker
from kbio_match.models.evaluation import DEFAULT_CUTOFF, Evaluation
from kbio_match.models.queries import deal_profiles

__all__ = ["reliability", "score_calibration", "BINS"]

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


def score_calibration(
    catalog: Catalog, params: dict | None = None, *, cutoff_year: int = DEFAULT_CUTOFF
) -> pd.DataFrame:
    """The served score of every later deal's real partner, the choice model learned from the deals
    up to ``cutoff_year``, per score reference (``ChoiceRanker.reference``). Calibrated scores give
    the real partner a uniform score: mean and median 0.5, quartiles 0.25 and 0.75, a tenth under
    0.1 and a tenth at 0.9 or more."""
    later = catalog.deals[catalog.deals["year"] > cutoff_year]
    profiles = deal_profiles(later)
    cache: dict = {}
    rows = []
    for reference in ("out_of_fold", "in_sample"):
        ranker = ChoiceRanker(matcher_params=params, reference=reference)
        ranker.fit(catalog, as_of_year=cutoff_year + 1, cache=cache)
        scores = ranker.decision_scores(profiles)
        column = {p: i for i, p in enumerate(ranker.partner_ids_)}
        real = np.array([scores[q, column[p]] for q, p in enumerate(later["partner_id"]) if p in column])
        q25, median, q75 = np.percentile(real, [25, 50, 75]) if len(real) else (np.nan,) * 3
        rows.append(
            {
                "reference": reference,
                "queries": len(real),
                "mean": float(real.mean()) if len(real) else np.nan,
                "q25": float(q25),
                "median": float(median),
                "q75": float(q75),
                "under 0.1": float((real < 0.1).mean()) if len(real) else np.nan,
                "0.9 or more": float((real >= 0.9).mean()) if len(real) else np.nan,
            }
        )
    return pd.DataFrame(rows)
