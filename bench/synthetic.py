"""Synthetic catalogs for scale benchmarks only (never written to data/; not real organisations)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from kbio_match.features.catalog import Catalog
from kbio_match.features.profile import Profile, ProfileAsset
from kbio_match.features.taxonomy import CATEGORY, MODALITY, PARTNERSHIP, STAGE, THERAPEUTIC_AREA


def _pick(rng, ids, low, high):
    return list(rng.choice(ids, size=rng.integers(low, high + 1), replace=False))


def synthetic_catalog(real: Catalog, n_partners: int, *, seed: int = 0) -> Catalog:
    """``n_partners`` random partners and ~0.6 deals each, with the real clusters and landscape."""
    rng = np.random.default_rng(seed)
    clusters = list(real.clusters["id"]) + [None] * 8
    partners = pd.DataFrame(
        {
            "id": [f"synthetic-{i:06d}" for i in range(n_partners)],
            "name": [f"Synthetic Partner {i}" for i in range(n_partners)],
            "aliases": [[] for _ in range(n_partners)],
            "category": rng.choice(CATEGORY.ids, size=n_partners),
            "city": None,
            "cluster": [clusters[i] for i in rng.integers(0, len(clusters), size=n_partners)],
            "modalities": [_pick(rng, MODALITY.ids, 0, 4) for _ in range(n_partners)],
            "therapeutic_areas": [_pick(rng, THERAPEUTIC_AREA.ids, 0, 4) for _ in range(n_partners)],
            "stages": [_pick(rng, STAGE.ids, 1, 4) for _ in range(n_partners)],
            "partnership_types": [_pick(rng, PARTNERSHIP.ids, 1, 3) for _ in range(n_partners)],
            "description": "synthetic",
            "highlights": [[] for _ in range(n_partners)],
            "sources": [[] for _ in range(n_partners)],
            "listing": None,
        }
    )
    n_deals = int(n_partners * 0.6)
    deals = pd.DataFrame(
        {
            "year": rng.integers(2012, 2026, size=n_deals),
            "foreign_company": [f"Foreign {i}" for i in range(n_deals)],
            "partner_id": partners["id"].to_numpy()[rng.integers(0, n_partners, size=n_deals)],
            "partnership": rng.choice(PARTNERSHIP.ids, size=n_deals),
            "modality": rng.choice(MODALITY.ids, size=n_deals),
            "therapeutic_areas": [_pick(rng, THERAPEUTIC_AREA.ids, 1, 2) for _ in range(n_deals)],
            "stage_at_deal": rng.choice(STAGE.ids, size=n_deals),
            "asset": "",  # the real schema's column; no words for a searcher
        }
    )
    pipeline = real.pipeline.iloc[0:0]  # no pipeline assets: the real ones name real partners
    return dataclasses.replace(real, partners=partners, deals=deals, pipeline=pipeline, fingerprint="synthetic")


def random_profiles(n: int, *, seed: int = 1) -> list[Profile]:
    rng = np.random.default_rng(seed)
    profiles = []
    for i in range(n):
        assets = tuple(
            ProfileAsset(
                name=f"A{i}-{j}",
                modality=str(rng.choice(MODALITY.ids)),
                stage=str(rng.choice(STAGE.ids)),
                therapeutic_areas=tuple(str(a) for a in _pick(rng, THERAPEUTIC_AREA.ids, 1, 3)),
            )
            for j in range(int(rng.integers(0, 4)))
        )
        seeking = tuple(str(s) for s in _pick(rng, PARTNERSHIP.ids, 1, 3))
        profiles.append(Profile(seeking=seeking, assets=assets))
    return profiles
