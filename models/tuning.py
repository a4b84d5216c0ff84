"""Hyperparameter search for the matcher, scored by the project's own ranking metrics."""

from __future__ import annotations

import pandas as pd
from kbio_match.features.catalog import Catalog
from kbio_match.models.evaluation import DEFAULT_CUTOFF, default_rankers, evaluate_time_split
from kbio_match.models.matcher import PartnerMatcher
from kbio_match.models.recommender import scalar_params
from scipy.stats import uniform
from sklearn.model_selection import ParameterGrid, ParameterSampler

__all__ = ["SEARCH_SPACE", "search", "best_params", "VALIDATION_CUTOFF", "VALIDATION_UNTIL"]

# Tune on a validation window that ends before the reported time split's queries begin
# (learn up to 2019, score on 2020-2021 deals), so the reported metrics stay out of sample.
VALIDATION_CUTOFF, VALIDATION_UNTIL = 2019, DEFAULT_CUTOFF

# Distributions over the parameters worth tuning (scipy frozen distributions, as scikit-learn's
# samplers take them). Weights are relative, so their scale is arbitrary.
SEARCH_SPACE = {
    "w_modality": uniform(0.2, 1.6),
    "w_stage": uniform(0.0, 1.2),
    "w_therapeutic": uniform(0.2, 1.6),
    "w_therapeutic_gap": uniform(0.0, 1.0),
    "w_cluster": uniform(0.0, 0.8),
    "w_partnership": uniform(0.5, 2.0),
    "w_track_record": uniform(0.2, 1.6),
    "gate_floor": uniform(0.05, 0.5),
    "features__track_record__half_life": uniform(1.0, 8.0),
    "features__partnership__generalist_fit": uniform(0.3, 0.7),
}


def search(
    catalog: Catalog,
    *,
    n_iter: int = 20,
    seed: int = 0,
    cutoff_year: int = VALIDATION_CUTOFF,
    until_year: int | None = VALIDATION_UNTIL,
    space: dict | None = None,
    grid: dict | None = None,
) -> pd.DataFrame:
    """Score parameter settings on the time split; one row per setting, best MRR first.

    ``grid`` (lists of values) uses ``ParameterGrid``; otherwise ``n_iter`` draws from ``space``
    with ``ParameterSampler``. The default parameters are always scored too, as the reference.
    Only deals up to ``cutoff_year`` shape the track record; metrics come from deals after it, up
    to ``until_year`` (by default the validation window 2020-2021, so the reported split, 2022 on,
    is never used for choosing).
    """
    settings = (
        list(ParameterGrid(grid))
        if grid
        else list(ParameterSampler(space or SEARCH_SPACE, n_iter=n_iter, random_state=seed))
    )
    rows = []
    defaults = {k: v for k, v in scalar_params(PartnerMatcher()).items() if k in (space or grid or SEARCH_SPACE)}
    for i, params in enumerate([defaults, *settings]):
        params = {k: float(v) if isinstance(v, float) else v for k, v in params.items()}
        rankers = {"model": default_rankers(params)["model"]}
        summary = evaluate_time_split(
            catalog, cutoff_year=cutoff_year, until_year=until_year, rankers=rankers
        ).summary()["model"]
        rows.append(
            {
                "setting": "default" if i == 0 else f"sample {i}",
                **params,
                **{m: summary[m] for m in ("hit@1", "hit@5", "hit@10", "mrr", "ndcg@10")},
            }
        )
    return pd.DataFrame(rows).sort_values(["mrr", "hit@10"], ascending=False).reset_index(drop=True)


def best_params(results: pd.DataFrame) -> dict:
    """The parameters of the best row of ``search`` results, ready for ``PartnerMatcher().set_params(**...)``."""
    known = set(scalar_params(PartnerMatcher()))
    row = results.iloc[0]
    return {k: (float(row[k]) if isinstance(row[k], float) else row[k]) for k in results.columns if k in known}
