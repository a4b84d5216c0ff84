"""The served choice model: what it may learn from, how its scores and reasons read."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from kbio_match.models.choice import FEATURES, MONOTONE, ChoiceRanker
from kbio_match.models.explainer import Explainer
from kbio_match.models.queries import deal_profiles

from tests.profiles import as_profile


def test_deals_from_the_query_year_on_cannot_change_the_model(catalog):
    """Time leakage: fitted as of a year, the model reads no deal of that year or later; scrambling
    those deals' partners leaves every coefficient and score unchanged."""
    year = 2019
    deals = catalog.deals.copy()
    later = deals["year"] >= year
    rng = np.random.default_rng(0)
    deals.loc[later, "partner_id"] = rng.permutation(deals.loc[later, "partner_id"].to_numpy())
    scrambled = dataclasses.replace(catalog, deals=deals)
    a = ChoiceRanker().fit(catalog, as_of_year=year)
    b = ChoiceRanker().fit(scrambled, as_of_year=year)
    assert np.array_equal(a.coef_, b.coef_)
    profiles = deal_profiles(catalog.deals[catalog.deals["year"] >= year].head(20))
    assert np.array_equal(a.decision_scores(profiles), b.decision_scores(profiles))
    # and the deals before it do count: scrambling them changes the model
    earlier = catalog.deals.copy()
    early = earlier["year"] < year
    earlier.loc[early, "partner_id"] = rng.permutation(earlier.loc[early, "partner_id"].to_numpy())
    c = ChoiceRanker().fit(dataclasses.replace(catalog, deals=earlier), as_of_year=year)
    assert not np.allclose(a.coef_, c.coef_)


def test_monotone_features_never_get_a_negative_weight(model):
    coef = model.ranker.coef_
    assert len(coef) == len(FEATURES)
    assert (coef[MONOTONE > 0] >= 0).all()


def test_drivers_add_up_to_the_pairs_lift_over_the_average_partner(model):
    """The reason groups share out exactly the pair's log-odds above the catalog's mean logit."""
    profile = as_profile(
        {
            "assets": [{"name": "A", "modality": "antibody", "stage": "phase2", "therapeutic_areas": ["oncology"]}],
            "seeking": ["license_out", "co_development"],
        }
    )
    top = model.rank([profile], 5, explain=False)[0]
    positions = [model.index.row_of[m.partner_id] for m in top]
    drivers = model.ranker.drivers(profile, positions)
    logp = np.log(model.ranker.probabilities([profile])[0].astype(np.float64))
    for j, driven in zip(positions, drivers, strict=True):
        assert sum(driven.values()) == pytest.approx(logp[j] - logp.mean(), abs=1e-3)


def test_drivers_from_the_ranking_pass_are_each_pairs_lift_in_every_chunk_and_mask(model, monkeypatch):
    """The drivers a batch ranking attaches (no second pass over the catalog) share out each
    pair's log-odds above the catalog's mean, as ``drivers`` computes them for the profile alone;
    with one profile per chunk and a mask that allows fewer partners than asked for."""
    import kbio_match.models.choice as choice

    assert model.ranker.learned
    monkeypatch.setattr(choice, "chunk_size", lambda n_partners: 1)
    antibody = {"name": "A", "modality": "antibody", "stage": "phase2", "therapeutic_areas": ["oncology"]}
    cells = {"name": "B", "modality": "cell_therapy", "stage": "phase1", "therapeutic_areas": ["rare_disease"]}
    profiles = [
        as_profile({"assets": [antibody], "seeking": ["license_out"]}),
        as_profile({"assets": [cells], "seeking": ["manufacturing", "clinical_services"]}),
        as_profile({"assets": [antibody, cells], "seeking": ["co_development"]}),
    ]
    few = np.zeros(len(model.index.ids), dtype=bool)
    few[[3, 50, 400]] = True
    ranked = model.ranker.rank(profiles, 8, masks=[None, None, few], drivers=True)
    assert [len(m) for m in ranked] == [8, 8, 3]
    logp = np.log(model.ranker.probabilities(profiles).astype(np.float64))
    for q, (profile, matches) in enumerate(zip(profiles, ranked, strict=True)):
        positions = [model.index.row_of[m.partner_id] for m in matches]
        alone = model.ranker.drivers(profile, positions)
        for match, j, expected in zip(matches, positions, alone, strict=True):
            assert match.drivers and match.drivers.keys() == expected.keys()
            assert sum(match.drivers.values()) == pytest.approx(logp[q, j] - logp[q].mean(), abs=1e-3)
            for group, value in expected.items():
                assert match.drivers[group] == pytest.approx(value, abs=1e-4)
    assert all(m.drivers == {} for m in model.ranker.rank(profiles, 3)[0])


def test_a_reason_whose_group_pulled_the_pair_down_is_not_given(model):
    profile = as_profile(
        {
            "assets": [{"name": "A", "modality": "antibody", "stage": "phase2", "therapeutic_areas": ["oncology"]}],
            "seeking": ["license_out"],
        }
    )
    match = next(
        m
        for m in model.rank([profile], 30, explain=False)[0]
        if "antibody" in model.index.by_id[m.partner_id]["modalities"]
    )
    explainer: Explainer = model.explainer
    modality = "Works with antibodies, the modality of A."
    up = {"modality": 1.0, "therapeutic": 0.5}
    assert modality in explainer.explain(match, profile, up)
    down = {"modality": -1.0, "therapeutic": 0.5}
    assert modality not in explainer.explain(match, profile, down)


def test_fast_logits_equal_the_features_times_the_coefficients(model, catalog):
    from kbio_match.models.choice import pair_features, seeking_matrix

    ranker = model.ranker
    profiles = deal_profiles(catalog.deals.sample(40, random_state=1))
    best = ranker.matcher_.best_rows(profiles)
    seek = seeking_matrix(profiles)
    slow = pair_features(best, ranker.priors_, seek) @ ranker.coef_
    assert np.allclose(ranker._logits(best, seek), slow, atol=1e-4)


def test_scores_rank_a_pair_among_real_partners_under_refits_that_never_saw_them(catalog):
    """The score's reference is each training deal's log-probability under a refit without its
    pair (what a new company's real partner looks like), so it sits below the in-sample one; the
    coefficients and the order of partners are the same either way."""
    year = 2024
    oof = ChoiceRanker().fit(catalog, as_of_year=year)
    ins = ChoiceRanker(reference="in_sample").fit(catalog, as_of_year=year)
    assert np.array_equal(oof.coef_, ins.coef_)
    assert len(oof.reference_) == len(ins.reference_) == oof.n_deals_
    assert oof.reference_.mean() < ins.reference_.mean()
    profiles = deal_profiles(catalog.deals[catalog.deals["year"] >= year].head(10))
    assert np.array_equal(oof.rank_arrays(profiles, 10).partner, ins.rank_arrays(profiles, 10).partner)
    with pytest.raises(ValueError, match="reference must be"):
        ChoiceRanker(reference="later").fit(catalog, as_of_year=year)
