from __future__ import annotations

from kbio_match.models.matcher import PartnerMatcher
from kbio_match.models.recommender import scalar_params
from kbio_match.models.tuning import best_params, search


def test_search_scores_default_and_samples_and_returns_usable_params(catalog):
    results = search(catalog, n_iter=2, seed=1)
    assert len(results) == 3 and "default" in set(results["setting"])
    assert results["mrr"].is_monotonic_decreasing
    params = best_params(results)
    PartnerMatcher().set_params(**params).fit(catalog)  # the best row builds a model as is
    assert set(params) <= set(scalar_params(PartnerMatcher()))


def test_grid_search(catalog):
    results = search(catalog, grid={"w_cluster": [0.0, 0.5]})
    assert sorted(results["w_cluster"].round(2)) == [0.0, 0.3, 0.5]  # the grid plus the default


def test_worst_misses_lists_lowest_ranked_queries(catalog):
    from kbio_match.models.evaluation import evaluate_time_split

    evaluation = evaluate_time_split(catalog)
    misses = evaluation.worst_misses(5)
    assert len(misses) == 5 and misses["rank"].is_monotonic_decreasing
    assert all(len(top) == 5 for top in misses["top"])
