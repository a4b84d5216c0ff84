"""Calibration tables: first picks' probabilities against hit@1, served scores of real partners."""

from __future__ import annotations

import numpy as np
import pandas as pd
from kbio_match.models.calibration import reliability, score_calibration
from kbio_match.models.evaluation import Evaluation


def test_reliability_bins_first_picks_by_probability_and_counts_hits():
    ranks = pd.DataFrame(
        {
            "ranker": ["model"] * 6 + ["overlap"],
            "top_score": [0.05, 0.05, 0.5, 0.5, 0.5, 0.9, 0.9],
            "rank": [1, 7, 1, 1, 3, 1, 1],
        }
    )
    table = reliability(Evaluation("grouped_cv", ranks)).set_index("bin")
    assert table.loc["0.0-0.1", "queries"] == 2 and table.loc["0.0-0.1", "observed"] == 0.5
    assert table.loc["0.4-0.6", "queries"] == 3 and table.loc["0.4-0.6", "observed"] == 2 / 3
    assert table.loc["0.6-1.0", "queries"] == 1  # the overlap row is another ranker's
    assert (table["observed lo"] <= table["observed"]).all() and (table["observed"] <= table["observed hi"]).all()


def test_served_scores_of_later_real_partners_are_read_under_both_references(catalog):
    table = score_calibration(catalog, cutoff_year=2021).set_index("reference")
    later = catalog.deals[catalog.deals["year"] > 2021]
    assert list(table.index) == ["out_of_fold", "in_sample"]
    assert (table["queries"] == later["partner_id"].isin(catalog.partners["id"]).sum()).all()
    values = table[["mean", "q25", "median", "q75", "under 0.1", "0.9 or more"]].to_numpy()
    assert ((values >= 0) & (values <= 1)).all()
    assert (table["q25"] <= table["median"]).all() and (table["median"] <= table["q75"]).all()
    # the refits without each pair place real partners lower, so the same pair reaches a higher share
    assert table.loc["out_of_fold", "mean"] > table.loc["in_sample", "mean"]
    assert np.isfinite(table["mean"]).all()
