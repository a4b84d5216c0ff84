"""Baselines scored on the same protocol as the model: random, popularity, naive overlap."""

from __future__ import annotations

import numpy as np
import pandas as pd
from kbio_match.features.catalog import Catalog
from kbio_match.features.evidence import flags_as_of
from kbio_match.features.profile import Profile, ProfileAsset
from sklearn.base import BaseEstimator

__all__ = ["RandomRanker", "PopularityRanker", "OverlapRanker"]


class _Baseline(BaseEstimator):
    def fit(self, X: Catalog, y=None, *, as_of_year: int | None = None):
        self.partners_ = flags_as_of(X.partners.reset_index(drop=True), X.capabilities, as_of_year)
        self.partner_ids_ = self.partners_["id"].to_numpy()
        deals = X.deals
        self.deals_ = deals[deals["year"] < as_of_year] if as_of_year is not None else deals
        return self


class RandomRanker(_Baseline):
    """Uniform random scores (seeded, so a run is reproducible)."""

    def __init__(self, seed: int = 0):
        self.seed = seed

    def decision_scores(self, profiles: list[Profile], *, deals: pd.DataFrame | None = None) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        return rng.random((len(profiles), len(self.partner_ids_)), dtype=np.float64)


class PopularityRanker(_Baseline):
    """Partners ordered by how many foreign deals they signed before the query."""

    def decision_scores(self, profiles: list[Profile], *, deals: pd.DataFrame | None = None) -> np.ndarray:
        counts = (self.deals_ if deals is None else deals)["partner_id"].value_counts()
        popularity = pd.Series(self.partner_ids_).map(counts).fillna(0).to_numpy(dtype=np.float64)
        return np.tile(popularity, (len(profiles), 1))


class OverlapRanker(_Baseline):
    """Naive overlap: exact modality + Jaccard of areas + share of sought partnerships offered."""

    def decision_scores(self, profiles: list[Profile], *, deals: pd.DataFrame | None = None) -> np.ndarray:
        modalities = [set(m) for m in self.partners_["modalities"]]
        areas = [set(a) for a in self.partners_["therapeutic_areas"]]
        types = [set(t) for t in self.partners_["partnership_types"]]
        out = np.zeros((len(profiles), len(self.partner_ids_)))
        for p, profile in enumerate(profiles):
            seeking = set(profile.seeking)
            assets = profile.assets or (ProfileAsset(),)
            for j in range(len(self.partner_ids_)):
                best = 0.0
                for asset in assets:
                    want = set(asset.therapeutic_areas)
                    jaccard = len(want & areas[j]) / len(want | areas[j]) if want | areas[j] else 0.0
                    score = float(asset.modality in modalities[j]) + jaccard
                    best = max(best, score)
                out[p, j] = best + (len(seeking & types[j]) / len(seeking) if seeking else 0.0)
        return out
