"""The blind protocol: folds by pair, nothing of a query's pair reaches its ranker, intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from kbio_match.features.validation import organisation_key
from kbio_match.models.blind import bootstrap_intervals, evaluate_grouped_cv, pair_folds
from kbio_match.models.choice import ChoiceRanker
from kbio_match.models.evaluation import Evaluation


class Spy:
    """A ranker that records what it was fitted on and scores every partner 0."""

    fits: list[tuple[pd.DataFrame, int]] = []

    def fit(self, catalog, as_of_year=None):
        Spy.fits.append((catalog.deals.copy(), as_of_year))
        self.n = len(catalog.partners)
        return self

    def decision_scores(self, profiles, *, deals=None):
        return np.zeros((len(profiles), self.n))


def _pairs(deals: pd.DataFrame) -> set[str]:
    return set(deals["foreign_company"].map(organisation_key) + "|" + deals["partner_id"])


def test_folds_keep_every_pair_together(catalog):
    folds = pair_folds(catalog.deals)
    pairs = catalog.deals["foreign_company"].map(organisation_key) + "|" + catalog.deals["partner_id"]
    assert pd.DataFrame({"pair": pairs, "fold": folds}).groupby("pair")["fold"].nunique().max() == 1
    assert sorted(set(folds)) == [0, 1, 2, 3, 4]


def test_no_record_of_a_query_pair_reaches_its_ranker(catalog):
    Spy.fits = []
    evaluation = evaluate_grouped_cv(catalog, rankers={"spy": Spy})
    assert evaluation.ranks["query"].nunique() == len(catalog.deals)  # every deal is a query once
    deals = catalog.deals.reset_index(drop=True)
    folds = pair_folds(deals)
    for seen, year in Spy.fits:
        # the fit belongs to the fold whose deals are absent from it
        absent = [f for f in range(5) if not set(deals.index[folds == f]) & set(seen.index)]
        assert len(absent) == 1
        assert not _pairs(seen) & _pairs(deals[folds == absent[0]])
        assert year is not None


def test_intervals_bracket_the_value_and_shrink_to_it_when_ranks_agree():
    ranks = pd.DataFrame(
        {"query": range(8), "ranker": "m", "partner_id": "p", "partnership": "license_in", "year": 2020,
         "foreign_company": "f", "cold": False, "rank": [1, 2, 3, 20, 1, 5, 40, 2], "top": [[]] * 8}
    )  # fmt: skip
    table = bootstrap_intervals(Evaluation("x", ranks))
    row = table[table["group"] == "overall"].iloc[0]
    for m in ("hit@1", "hit@10", "mrr", "ndcg@10"):
        assert row[f"{m} lo"] <= row[m] <= row[f"{m} hi"]
    assert row["hit@10"] == 0.75 and row["mrr"] == np.mean(1 / np.array([1, 2, 3, 20, 1, 5, 40, 2]))
    same = bootstrap_intervals(Evaluation("x", ranks.assign(rank=3)))
    first = same.iloc[0]
    assert first["mrr lo"] == first["mrr hi"] == first["mrr"] == 1 / 3


def test_choice_ranker_falls_back_to_the_hand_weighted_model_on_thin_data(catalog):
    thin = ChoiceRanker(min_deals=10_000).fit(catalog, as_of_year=2020)
    assert not thin.learned
    from kbio_match.models.evaluation import deal_profiles

    profiles = deal_profiles(catalog.deals.head(3))
    assert np.allclose(thin.decision_scores(profiles), thin.matcher_.decision_scores(profiles))
    learned = ChoiceRanker().fit(catalog, as_of_year=2016)
    assert learned.learned
    probabilities = learned.probabilities(profiles)
    assert probabilities.shape == (3, len(catalog.partners)) and np.allclose(probabilities.sum(axis=1), 1, atol=1e-4)
    scores = learned.decision_scores(profiles)
    assert ((scores >= 0) & (scores <= 1)).all()
    # the served score is a strictly increasing map of the probability: the same order exactly
    for p, s in zip(probabilities, scores, strict=True):
        order = np.argsort(-p, kind="stable")
        assert (np.diff(s[order]) <= 0).all()
        assert len(np.unique(s)) == len(np.unique(p))
