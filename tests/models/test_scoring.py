"""The scoring formula, by hand on a toy catalog and against itself on random profiles."""

from __future__ import annotations

import dataclasses
import math
import random

import numpy as np
import pytest
from kbio_match.features.partner_assets import ASSET_SEEKING
from kbio_match.features.pipeline import ASSET_GROUPS, GROUPS
from kbio_match.features.profile import Profile, ProfileAsset, ProfileFilters
from kbio_match.features.taxonomy import MODALITY, PARTNERSHIP, STAGE, THERAPEUTIC_AREA
from kbio_match.models.choice import PartnerPriors, pair_features, seeking_matrix
from kbio_match.models.matcher import SCORE_GROUPS, BestRows, PartnerMatcher
from kbio_match.models.recommender import Recommender, scalar_params

from tests.toy import toy_catalog

GAP = {"features__therapeutic_gap__survey": "toy"}


@pytest.fixture(scope="module")
def toy():
    return Recommender.fit(toy_catalog(), GAP, as_of_year=2021)


def _match(model, profile, pid):
    return next(m for m in model.rank([profile], 10, explain=False)[0] if m.partner_id == pid)


ADC = Profile(seeking=("manufacturing",), assets=(ProfileAsset("EX-1", "adc", "phase1", ("oncology",)),))


def test_an_adc_asset_against_an_antibody_specialist_scores_the_decay(toy):
    assert _match(toy, ADC, "antibody-biotech").components["modality"] == pytest.approx(0.5)  # decay**1
    decayed = Recommender.fit(toy_catalog(), {**GAP, "features__modality__decay": 0.3}, as_of_year=2021)
    assert _match(decayed, ADC, "antibody-biotech").components["modality"] == pytest.approx(0.3)


def test_a_deal_one_half_life_old_weighs_half(toy):
    block = toy.matcher.features_.encoders_["track_record"].transform(toy_catalog().partners)
    assert block.loc[0, "track_record__type_co_development"] == pytest.approx(0.5)  # 2016 deal, as of 2021
    assert block.loc[1, "track_record__type_manufacturing"] == pytest.approx(1.0)  # 2020 deal


def test_stage_need_and_full_score_for_a_cdmo_by_hand(toy):
    m = _match(toy, ADC, "toy-cdmo")
    # stage: half proximity (works at phase 1: 1.0), half what manufacturing needs at phase 1 (0.9)
    assert m.components["stage"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.9)
    assert m.components["therapeutic"] == pytest.approx(0.5)  # no listed areas: neutral
    assert m.components["cluster"] == pytest.approx(0.6 * 0.5)  # Songdo's specialties cover manufacturing only
    assert m.components["partnership"] == pytest.approx(1.0)
    # track: half for the manufacturing deal, a quarter for antibody ~ adc (0.5), a quarter for oncology
    raw = 0.5 * 1.0 + 0.25 * 0.5 + 0.25 * 1.0
    assert m.components["track_record"] == pytest.approx(1 - math.exp(-raw), abs=1e-4)
    weighted = 1.0 * 0.5 + 0.6 * 0.95 + 1.0 * 0.5 + 0.5 * 0.0 + 0.3 * 0.3 + 1.2 * 1.0 + 1.0 * (1 - math.exp(-raw))
    assert m.components["appetite"] == 0.0  # the toy catalog has no evidence file
    # weights: modality 1, stage 0.6, therapeutic 1, gap 0.5, cluster 0.3, partnership 1.2, track 1, appetite 0.25
    assert m.score == pytest.approx(weighted / 5.85, abs=1e-4)  # gate is 1: a specialist for what is sought


def test_a_partner_offering_nothing_sought_keeps_the_gate_floor(toy):
    m = _match(toy, ADC, "toy-institute")
    assert m.components["partnership"] == 0.0
    weighted = sum(toy.explainer.weights[g] * m.components[g] for g in GROUPS)
    assert m.score == pytest.approx(0.25 * weighted / 5.85, abs=1e-4)  # no pipeline: no partner-asset group


def test_appetite_by_hand_a_recent_row_counts_fully_an_undated_one_half():
    import dataclasses

    import pandas as pd

    evidence = pd.DataFrame(
        {
            "partner_id": ["toy-cdmo", "toy-cdmo"],
            "partnership": ["manufacturing", "manufacturing"],
            "evidence": ["plant", "contract"],
            "source": ["https://example.org/a", "https://example.org/b"],
            "year": pd.array([2020, None], dtype="Int64"),
        }
    )
    catalog = dataclasses.replace(toy_catalog(), capabilities=evidence)
    model = Recommender.fit(catalog, GAP, as_of_year=2021)
    m = _match(model, ADC, "toy-cdmo")
    # 2020 row as of 2021: weight 1 (half-life 3); undated: 0.5; appetite = 1 - exp(-1.5 / 1.5)
    assert m.components["appetite"] == pytest.approx(1 - math.exp(-1.0), abs=1e-4)
    later = Recommender.fit(catalog, GAP, as_of_year=2020)  # the 2020 row is not known yet
    assert _match(later, ADC, "toy-cdmo").components["appetite"] == pytest.approx(1 - math.exp(-0.5 / 1.5), abs=1e-4)


def test_the_matcher_exposes_every_encoder_parameter():
    params = scalar_params(PartnerMatcher())
    expected = {
        "features__modality__decay",
        "features__stage__tolerance",
        "features__therapeutic_gap__survey",
        "features__therapeutic_gap__power",
        "features__therapeutic_gap__rare_disease",
        "features__therapeutic_gap__unknown",
        "features__cluster__preference",
        "features__cluster__specialty",
        "features__partnership__generalist_fit",
        "features__track_record__half_life",
        "features__track_record__type_share",
        "features__track_record__modality_share",
        "features__track_record__area_share",
        "features__partnership__unconfirmed_fit",
        "features__appetite__half_life",
        "features__appetite__undated",
        "features__appetite__scale",
        "w_appetite",
    }
    assert expected <= set(params)
    matcher = PartnerMatcher().set_params(features__modality__decay=0.2)
    assert matcher.features.modality.decay == 0.2 and PartnerMatcher().features.modality.decay == 0.5


_WORDS = ["obesity", "oral", "GLP-1", "antibody-drug conjugate", "HER2", "tumour", "vaccine", "CAR-T", "xyzzy", "plant"]


def _text(rng: random.Random) -> str | None:
    return " ".join(rng.sample(_WORDS, rng.randint(1, 3))) if rng.random() < 0.4 else None


def _random_profile(rng: random.Random, clusters: list[str]) -> Profile:
    assets = tuple(
        ProfileAsset(
            f"a{i}",
            rng.choice(MODALITY.ids),
            rng.choice(STAGE.ids),
            tuple(rng.sample(THERAPEUTIC_AREA.ids, rng.randint(1, 3))),
            indication=_text(rng),
        )
        for i in range(rng.choice([0, 0, 1, 1, 2, 3, 5]))
    )
    return Profile(
        seeking=tuple(rng.sample(PARTNERSHIP.ids, rng.randint(1, 4))),
        assets=assets,
        preferred_clusters=tuple(rng.sample(clusters, rng.randint(0, 2))),
        description=_text(rng),
    )


def test_served_scores_equal_evaluated_scores_on_random_profiles(model):
    """What a match shows adds up: its score is the evaluated score of the served ranker, that is
    the calibrated choice probability; the hand-weighted score under it is the gated weighted mean
    of the shown components; and between two matches the choice log-odds are the coefficients
    times the difference of their features built from what is shown."""
    rng = random.Random(7)
    clusters = sorted(model.index.cluster_ids)
    profiles = [_random_profile(rng, clusters) for _ in range(300)]
    ranker = model.ranker
    assert ranker.learned
    evaluated = ranker.decision_scores(profiles)
    probabilities = ranker.probabilities(profiles)
    hand = model.matcher.decision_scores(profiles)
    served = model.rank(profiles, 15, explain=False)
    row = model.index.row_of
    weights = model.explainer.weights
    gate_floor = model.matcher.gate_floor
    for p, (profile, matches) in enumerate(zip(profiles, served, strict=True)):
        top = np.sort(evaluated[p])[::-1][:15]
        assert np.allclose([m.score for m in matches], top, atol=1e-4)
        for m in matches:
            j = row[m.partner_id]
            assert m.score == pytest.approx(evaluated[p, j], abs=1e-4)
            assert m.score == pytest.approx(ranker.score_of(np.log([probabilities[p, j]]))[0], abs=1e-4)
            used = {g: (0.0 if not profile.assets and g in ASSET_GROUPS else weights[g]) for g in SCORE_GROUPS}
            if m.asset_index < 0 or not set(profile.seeking) & set(ASSET_SEEKING):
                used["partner_asset"] = 0.0
            asset = profile.assets[m.asset_index] if m.asset_index >= 0 else None
            text = " ".join(t for t in (profile.description, asset and asset.indication) if t)
            if not model.matcher.text_.query([text])[1][0]:  # no word the catalog uses: no text group
                used["text"] = 0.0
            mean = sum(used[g] * m.components[g] for g in SCORE_GROUPS) / sum(used.values())
            gate = gate_floor + (1 - gate_floor) * m.components["partnership"]
            assert hand[p, j] == pytest.approx(mean * gate, abs=3e-4)
        if len(matches) >= 2:
            first, last = matches[0], matches[-1]
            at = [row[first.partner_id], row[last.partner_id]]
            shown = BestRows(
                score=hand[p, at][None],
                row=np.zeros((1, 2), dtype=int),
                components=np.array([[[m.components[g] for g in SCORE_GROUPS] for m in (first, last)]]),
                row_asset=np.zeros(0, dtype=int),
                asset_fits=None,
            )
            priors = PartnerPriors(*(getattr(ranker.priors_, f.name)[at] for f in dataclasses.fields(PartnerPriors)))
            logits = pair_features(shown, priors, seeking_matrix([profile]))[0] @ ranker.coef_
            expected = np.log(probabilities[p, at[0]]) - np.log(probabilities[p, at[1]])
            assert logits[0] - logits[1] == pytest.approx(expected, abs=0.02)


def test_filters_come_from_the_index(model):
    profile = Profile(seeking=("clinical_services",), filters=ProfileFilters(categories=("hospital",)))
    top = model.rank([profile], 20, explain=False)[0]
    assert top and all(model.index.by_id[m.partner_id]["category"] == "hospital" for m in top)


def test_best_rows_give_each_partner_its_best_asset_and_that_assets_components(model):
    """A batch of profiles with two, one and no assets: every partner's score is its best asset's
    (the decision score), and the components shown are those of that asset, as if asked alone."""
    two = Profile(
        seeking=("license_out", "manufacturing"),
        assets=(
            ProfileAsset("A", "antibody", "phase2", ("oncology",)),
            ProfileAsset("B", "cell_therapy", "preclinical", ("rare_disease",)),
        ),
    )
    one = Profile(
        seeking=("clinical_services",), assets=(ProfileAsset("C", "small_molecule", "phase1", ("cardiovascular",)),)
    )
    none = Profile(seeking=("investment",))
    profiles = [two, one, none, two]
    matcher = model.matcher
    best = matcher.best_rows(profiles)
    np.testing.assert_array_equal(best.score, matcher.decision_scores(profiles))
    np.testing.assert_array_equal(best.score[0], best.score[3])
    asset_of = best.row_asset[best.row[0]]
    assert set(asset_of) == {0, 1}  # both assets are some partner's best
    for a, asset in enumerate(two.assets):
        alone = matcher.best_rows([dataclasses.replace(two, assets=(asset,))])
        at = asset_of == a
        np.testing.assert_allclose(best.components[0][at], alone.components[0][at], atol=1e-6)
        np.testing.assert_allclose(best.score[0][at], alone.score[0][at], atol=1e-6)
    assert (best.row_asset[best.row[2]] == -1).all()


def test_best_rows_are_the_same_in_one_chunk_or_one_profile_per_chunk_and_take_the_first_asset_on_ties(
    model, monkeypatch
):
    import kbio_match.models.matcher as matcher_module

    asset = ProfileAsset("A", "antibody", "phase2", ("oncology",))
    profiles = [
        Profile(seeking=("license_out",), assets=(asset, dataclasses.replace(asset, name="A again"))),
        Profile(seeking=("manufacturing",), assets=(ProfileAsset("B", "cell_therapy", "phase1", ("rare_disease",)),)),
        Profile(seeking=("investment",)),
    ]
    whole = model.matcher.best_rows(profiles)
    assert (whole.row_asset[whole.row[0]] == 0).all()  # two equal assets: the first one, for every partner
    monkeypatch.setattr(matcher_module, "CHUNK_ROWS", 1)
    split = model.matcher.best_rows(profiles)
    np.testing.assert_array_equal(split.row, whole.row)
    np.testing.assert_allclose(split.score, whole.score, atol=1e-6)  # products of other shapes: float noise
    np.testing.assert_allclose(split.components, whole.components, atol=1e-6)
