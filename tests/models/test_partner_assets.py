"""Asset-level matching against the partners' own pipelines (data/pipeline.csv)."""

from __future__ import annotations

import numpy as np
from kbio_match.features.query_rows import QueryRows

from tests.profiles import as_profile

OBESITY = {
    "assets": [
        {
            "name": "OB-2",
            "modality": "small_molecule",
            "stage": "phase2",
            "therapeutic_areas": ["metabolic"],
            "indication": "oral treatment for obesity",
        }
    ],
    "seeking": ["license_in"],
    "top_k": 30,
}


def _holders(catalog, modality, area, words):
    pipe = catalog.pipeline
    mask = (pipe["modality"] == modality) & pipe["therapeutic_areas"].map(lambda a: area in a)
    mask &= pipe["indication"].str.lower().str.contains(words) & pipe["licensee"].isna()
    return set(pipe[mask]["partner_id"])


def test_holder_of_a_matching_asset_outranks_partners_only_working_in_the_area(model, catalog):
    holders = _holders(catalog, "small_molecule", "metabolic", "obesity|diabet|weight")
    assert holders, "the shipped pipeline has small-molecule metabolic assets"
    scores = dict(zip(model.index.ids, model.matcher.decision_scores([as_profile(OBESITY)])[0], strict=True))
    with_pipeline = set(catalog.pipeline["partner_id"])
    area_only = [
        p["id"]
        for p in model.index.records
        if "metabolic" in p["therapeutic_areas"]
        and "license_in" in p["partnership_types"]
        and p["category"] == "biotech"
        and p["id"] not in with_pipeline
    ]
    assert area_only
    best_holder = max(holders, key=scores.get)
    assert scores[best_holder] > max(scores[p] for p in area_only)


def test_license_in_matches_name_the_partner_asset_with_its_source(model, catalog):
    [matches] = model.rank([as_profile(OBESITY)], 10)
    with_pipeline = set(catalog.pipeline["partner_id"])
    eligible = [m for m in matches if m.components["partner_asset"] > 0]
    assert eligible and all(m.partner_id in with_pipeline for m in eligible)
    named = [m for m in eligible if m.partner_asset]
    assert len(named) >= 0.8 * len(eligible)
    for m in named:
        row = catalog.pipeline[
            (catalog.pipeline["partner_id"] == m.partner_id) & (catalog.pipeline["asset"] == m.partner_asset["name"])
        ]
        assert len(row) == 1 and row.iloc[0]["source"] == m.partner_asset["source"]
    top = named[0]
    assert any(top.partner_asset["name"] in r for r in top.reasons), top.reasons


def test_no_partner_asset_for_service_partnerships(model):
    body = {**OBESITY, "seeking": ["manufacturing"]}
    [matches] = model.rank([as_profile(body)], 10)
    assert all(m.partner_asset is None and m.components["partner_asset"] == 0 for m in matches)


def test_licensed_out_assets_count_less_than_available_ones(model):
    assets = model.matcher.assets_
    profile = as_profile(OBESITY)
    [fit] = assets.fits(QueryRows.from_profiles([profile]), np.array([True]))[1]
    licensed = [i for i, r in enumerate(assets.records_) if r["licensee"]]
    assert licensed and all(fit[i] <= assets.licensed_out + 1e-6 for i in licensed)
