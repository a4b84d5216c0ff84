"""Behaviour of the ranking: invariances and directions a user relies on."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from kbio_match.models.recommender import Recommender

from tests.profiles import as_profile


def ids(model, profile, k=10):
    return [m.partner_id for m in model.rank([as_profile(profile)], k, explain=False)[0]]


def scores(model, profile):
    """The served scores (the choice model over the hand-weighted one)."""
    return dict(zip(model.index.ids, model.ranker.decision_scores([as_profile(profile)])[0], strict=True))


CV = {
    "assets": [
        {"name": "CV-1", "modality": "small_molecule", "stage": "phase3", "therapeutic_areas": ["cardiovascular"]}
    ],
    "seeking": ["license_out"],
}


def test_company_name_and_area_order_change_nothing(client):
    body = {
        "company": {"name": "Alpha Bio"},
        "assets": [
            {
                "name": "A",
                "modality": "antibody",
                "stage": "phase2",
                "therapeutic_areas": ["oncology", "immunology", "rare_disease"],
            }
        ],
        "seeking": ["license_out", "co_development"],
    }
    first = client.post("/v1/match", json=body).json()["matches"]
    body["company"]["name"] = "Omega Pharma Holdings GmbH"
    body["assets"][0]["therapeutic_areas"].reverse()
    second = client.post("/v1/match", json=body).json()["matches"]
    assert [(m["partner"]["id"], m["score"]) for m in first] == [(m["partner"]["id"], m["score"]) for m in second]


def test_asset_order_changes_nothing(model):
    two = {
        "assets": [
            CV["assets"][0],
            {"name": "ONC", "modality": "adc", "stage": "phase1", "therapeutic_areas": ["oncology"]},
        ],
        "seeking": ["license_out"],
    }
    swapped = dict(two, assets=list(reversed(two["assets"])))
    assert np.allclose(list(scores(model, two).values()), list(scores(model, swapped).values()))


def test_adding_a_modality_the_partner_works_with_raises_it(catalog):
    target = "handok"
    profile = {
        "assets": [{"name": "R", "modality": "rna", "stage": "phase1", "therapeutic_areas": ["oncology"]}],
        "seeking": ["license_out"],
    }
    partners = catalog.partners.copy()
    row = partners.index[partners["id"] == target][0]
    assert "rna" not in partners.at[row, "modalities"]
    before = scores(Recommender.fit(catalog), profile)[target]
    partners.at[row, "modalities"] = [*partners.at[row, "modalities"], "rna"]
    after = scores(Recommender.fit(dataclasses.replace(catalog, partners=partners)), profile)[target]
    assert after > before


def test_manufacturing_only_profile_puts_manufacturers_on_top(model, catalog):
    # CDMOs lead; vaccine and pharma groups that sign foreign manufacturing deals (SK bioscience,
    # Yuhan) may follow: every partner shown offers manufacturing on the evidence
    top = ids(model, {"assets": [], "seeking": ["manufacturing"]}, k=5)
    partners = catalog.partners.set_index("id").loc[top]
    assert partners["category"].iloc[0] == "cdmo" and (partners["category"] == "cdmo").sum() >= 2, top
    assert partners["partnership_types"].map(lambda t: "manufacturing" in t).all(), top


def test_cardiovascular_licensee_search_ranks_gap_aware_in_licensors_above_oncology_only_biotechs(model, catalog):
    partners = catalog.partners
    s = scores(model, CV)
    in_licensors = partners[
        partners["partnership_types"].map(lambda t: "license_out" in t)
        & partners["therapeutic_areas"].map(lambda a: "cardiovascular" in a)
    ]["id"]
    oncology_only = partners[
        (partners["category"] == "biotech") & partners["therapeutic_areas"].map(lambda a: list(a) == ["oncology"])
    ]["id"]
    assert len(in_licensors) >= 4 and len(oncology_only) >= 5  # in-licensors: flags with evidence only
    assert min(s[p] for p in in_licensors) > max(s[p] for p in oncology_only)
    top = ids(model, CV, k=10)
    assert top[0] in set(in_licensors) and len(set(in_licensors) & set(top)) >= len(in_licensors) - 1, top


def test_gap_weights_prefer_under_served_areas(model):
    weights = model.matcher.features_.encoders_["therapeutic_gap"].weights_
    assert weights["oncology"] == 0.0
    for area in ("cardiovascular", "respiratory", "gastrointestinal"):
        assert weights[area] > weights["neurology"] > weights["oncology"]
    # the same asset, crowded area vs under-served area: a gap-aware in-licensor's gap component rises
    cv = model.rank([as_profile(CV)], 1, explain=False)[0][0]
    onc = model.rank(
        [as_profile({"assets": [dict(CV["assets"][0], therapeutic_areas=["oncology"])], "seeking": ["license_out"]})],
        1,
        explain=False,
    )[0][0]
    assert cv.components["therapeutic_gap"] > onc.components["therapeutic_gap"] == 0.0


def test_filters_and_exclusions(model, catalog):
    profile = {
        "assets": [],
        "seeking": ["clinical_services"],
        "filters": {"categories": ["hospital"], "exclude_partner_ids": ["samsung-medical-center"]},
    }
    top = ids(model, profile, k=20)
    categories = catalog.partners.set_index("id").loc[top, "category"]
    assert (categories == "hospital").all() and "samsung-medical-center" not in top


def test_preferred_cluster_raises_partners_there(model, catalog):
    base = {
        "assets": [
            {"name": "C", "modality": "cell_therapy", "stage": "preclinical", "therapeutic_areas": ["musculoskeletal"]}
        ],
        "seeking": ["co_development"],
    }
    before = scores(model, base)
    after = scores(model, dict(base, preferred_clusters=["osong"]))
    partners = catalog.partners
    in_osong = partners[partners["cluster"] == "osong"]["id"]
    elsewhere = partners[partners["cluster"] != "osong"]["id"]
    assert all(after[p] >= before[p] for p in in_osong) and any(after[p] > before[p] for p in in_osong)
    # the scores are shares of one probability: partners elsewhere may only lose, and keep their order
    assert all(after[p] <= before[p] + 1e-6 for p in elsewhere)
    order = sorted(elsewhere, key=lambda p: (-before[p], p))
    assert [after[p] for p in order] == sorted((after[p] for p in order), reverse=True)


def test_scores_bounded_and_ranking_sorted_and_unique(model):
    results = model.rank([as_profile(CV), as_profile({"assets": [], "seeking": ["investment"]})], 50)
    for matches in results:
        values = [m.score for m in matches]
        assert values == sorted(values, reverse=True) and all(0 <= v <= 1 for v in values)
        assert len({m.partner_id for m in matches}) == len(matches)
        assert all(1 <= len(m.reasons) <= 5 for m in matches)


def test_reasons_are_specific_to_each_pair(model):
    matches = model.rank([as_profile(CV)], 10)[0]
    assert len({tuple(m.reasons) for m in matches}) == len(matches)
    text = " ".join(r for m in matches for r in m.reasons)
    assert "Cardiovascular is among Korea's least-served areas" in text
    # a partner with foreign deals gets a reason naming a real counterparty from deals.csv
    with_deals = [m for m in matches if m.partner_id in model.index.deals_by_partner]
    assert with_deals
    m = with_deals[0]
    companies = {d["foreign_company"] for d in model.index.deals_by_partner[m.partner_id]}
    assert any(c in r for r in m.reasons for c in companies)


def test_batch_equals_one_by_one(model):
    profiles = [
        CV,
        {"assets": [], "seeking": ["manufacturing"]},
        {
            "assets": [
                {"name": "X", "modality": "vaccine", "stage": "phase2", "therapeutic_areas": ["infectious_disease"]}
            ],
            "seeking": ["manufacturing", "co_development"],
            "preferred_clusters": ["andong"],
        },
    ]
    profiles = [as_profile(p) for p in profiles]
    batch = model.rank(profiles, 10, explain=False)
    for profile, matches in zip(profiles, batch, strict=True):
        single = model.rank([profile], 10, explain=False)[0]
        assert [(m.partner_id, m.score) for m in matches] == [(m.partner_id, m.score) for m in single]


def test_feature_names_align_with_partner_matrix(model, catalog):
    features = model.matcher.features_
    names = features.get_feature_names_out()
    frame = features.transform(catalog.partners)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == list(names)
    assert model.matcher.matrix_.shape == (len(catalog.partners), len(names))
    assert "modality__adc" in names and "track_record__type_manufacturing" in names


def test_no_sentence_is_shared_by_every_match_of_a_list(model):
    for body in (
        {"assets": [], "seeking": ["manufacturing"]},
        CV,
        {"assets": [], "seeking": ["clinical_services"], "filters": {"categories": ["hospital"]}},
    ):
        matches = model.rank([as_profile(body)], 10)[0]
        assert len(matches) >= 2 and all(m.reasons for m in matches)
        shared = set(matches[0].reasons).intersection(*(m.reasons for m in matches[1:]))
        assert not shared, shared
