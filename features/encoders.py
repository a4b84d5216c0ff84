"""Feature encoders for the asset-side groups: modality, stage, therapeutic area and gap.

Each encoder is a scikit-learn transformer: ``fit`` on the partner catalog (with the tables it
needs passed by name), ``transform`` turns partners into a named block of columns (pandas in,
pandas out), and ``query`` turns a profile's assets into numpy columns aligned with that block. A group's raw signal
is the dot product of a partner row with a query column, so a whole batch is one matrix product.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from kbio_match.features.query_rows import QueryRows
from kbio_match.features.taxonomy import MODALITY, PARTNERSHIP, STAGE, THERAPEUTIC_AREA, modality_similarity_matrix
from kbio_match.features.vocabulary_tables import INLICENSING_TYPES
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

__all__ = [
    "GroupEncoder",
    "ModalityEncoder",
    "StageEncoder",
    "TherapeuticEncoder",
    "TherapeuticGapEncoder",
    "gap_weights",
    "multi_hot",
    "area_weights",
    "AGNOSTIC",
]

AGNOSTIC = 0.5  # a partner with no listed modalities/areas/stages is treated as neither fit nor unfit


def multi_hot(series: pd.Series, ids: tuple[str, ...]) -> np.ndarray:
    index = {v: i for i, v in enumerate(ids)}
    out = np.zeros((len(series), len(ids)), dtype=np.float32)
    for row, items in enumerate(series):
        for item in items or ():
            if item in index:
                out[row, index[item]] = 1.0
    return out


class GroupEncoder(TransformerMixin, BaseEstimator):
    """Shared plumbing: named output columns and pandas output."""

    prefix = ""

    def _names(self) -> list[str]:
        raise NotImplementedError

    def fit(self, X: pd.DataFrame, y=None):
        self.feature_names_out_ = np.array([f"{self.prefix}__{n}" for n in self._names()], dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "feature_names_out_")
        return pd.DataFrame(self._partner_block(X), index=X.index, columns=self.feature_names_out_)

    def _partner_block(self, X: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def query(self, rows: QueryRows) -> np.ndarray:
        """Query columns aligned with ``transform``'s, one per query row, shape (len(rows), width)."""
        raise NotImplementedError


class ModalityEncoder(GroupEncoder):
    """Partner affinity to every modality, hierarchy-aware (an ADC partly matches antibodies).

    Parameters
    ----------
    decay : float
        Similarity per edge of the modality tree (parent/child = decay, siblings = decay**2).
    """

    prefix = "modality"

    def __init__(self, decay: float = 0.5):
        self.decay = decay

    def _names(self):
        return list(MODALITY.ids)

    def _partner_block(self, X):
        sim = modality_similarity_matrix(float(self.decay)).astype(np.float32)
        hot = multi_hot(X["modalities"], MODALITY.ids)
        # affinity[p, k] = max over the partner's modalities j of sim[k, j]
        affinity = (hot[:, None, :] * sim[None, :, :]).max(axis=2)
        affinity[hot.sum(axis=1) == 0] = AGNOSTIC
        return affinity

    def query(self, rows: QueryRows) -> np.ndarray:
        return rows.one_hot(rows.modality, len(MODALITY.ids), uniform_when_unknown=True)


class StageEncoder(GroupEncoder):
    """Partner proximity to every stage: 1 at a stage it works at, falling off linearly.

    Parameters
    ----------
    tolerance : float
        Stages of distance at which proximity reaches 0.
    """

    prefix = "stage"

    def __init__(self, tolerance: float = 2.0):
        self.tolerance = tolerance

    def _names(self):
        return list(STAGE.ids)

    def _partner_block(self, X):
        hot = multi_hot(X["stages"], STAGE.ids)
        order = np.arange(len(STAGE.ids), dtype=np.float32)
        closeness = np.clip(1.0 - np.abs(order[:, None] - order[None, :]) / float(self.tolerance), 0.0, 1.0)
        proximity = (hot[:, None, :] * closeness[None, :, :]).max(axis=2)
        proximity[hot.sum(axis=1) == 0] = AGNOSTIC
        return proximity

    def query(self, rows: QueryRows) -> np.ndarray:
        return rows.one_hot(rows.stage, len(STAGE.ids), uniform_when_unknown=True)


def area_weights(areas: list[str]) -> np.ndarray:
    """An asset's areas as weights summing to 1 (uniform when none is given)."""
    out = np.zeros(len(THERAPEUTIC_AREA.ids), dtype=np.float32)
    known = [a for a in areas or () if a in THERAPEUTIC_AREA.ids]
    if not known:
        return out + 1.0 / len(out)
    for area in known:
        out[THERAPEUTIC_AREA.index(area)] = 1.0 / len(known)
    return out


class TherapeuticEncoder(GroupEncoder):
    """Therapeutic-area overlap: the share of the asset's areas the partner works in."""

    prefix = "therapeutic"

    def _names(self):
        return list(THERAPEUTIC_AREA.ids)

    def _partner_block(self, X):
        hot = multi_hot(X["therapeutic_areas"], THERAPEUTIC_AREA.ids)
        hot[hot.sum(axis=1) == 0] = AGNOSTIC
        return hot

    def query(self, rows: QueryRows) -> np.ndarray:
        return rows.area_weights(uniform_when_none=True)


def gap_weights(
    landscape: pd.DataFrame,
    *,
    survey: str = "kddf_national_pipelines",
    power: float = 0.5,
    rare_disease: float = 0.8,
    unknown: float = 0.5,
) -> dict[str, float]:
    """How under-served each therapeutic area is in Korea, in [0, 1].

    ``1 - (share / largest share) ** power`` over the chosen survey's pipeline shares, so the
    most crowded area (oncology) weighs 0. Areas the survey does not report get ``unknown``;
    ``rare_disease``, which no national survey breaks out, gets its own weight; ``other`` gets 0.
    The CNS figure is used for psychiatry as well, since the survey does not separate them.
    """
    rows = landscape[(landscape["survey"] == survey) & (landscape["therapeutic_area"] != "")]
    if rows.empty:
        raise ValueError(f"survey '{survey}' has no rows in the therapeutic landscape")
    shares = rows.groupby("therapeutic_area")["share"].sum()
    if "neurology" in shares and "psychiatry" not in shares:
        shares["psychiatry"] = shares["neurology"]
    top = float(shares.max())
    weights = {}
    for area in THERAPEUTIC_AREA.ids:
        if area == "other":
            weights[area] = 0.0
        elif area == "rare_disease":
            weights[area] = float(rare_disease)
        elif area in shares:
            weights[area] = float(1.0 - (shares[area] / top) ** power)
        else:
            weights[area] = float(unknown)
    return weights


class TherapeuticGapEncoder(GroupEncoder):
    """Gap-filling value: under-served areas count where the partner would take the asset in.

    The partner block is its area coverage, kept only if the partner is a fit for an
    in-licensing partnership (``INLICENSING_TYPES``); the query weighs the asset's areas by
    their gap, and is zero unless the profile seeks such a partnership.
    """

    prefix = "therapeutic_gap"

    def __init__(
        self,
        survey: str = "kddf_national_pipelines",
        power: float = 0.5,
        rare_disease: float = 0.8,
        unknown: float = 0.5,
    ):
        self.survey = survey
        self.power = power
        self.rare_disease = rare_disease
        self.unknown = unknown

    def fit(self, X, y=None, *, landscape: pd.DataFrame):
        self.weights_ = gap_weights(
            landscape, survey=self.survey, power=self.power, rare_disease=self.rare_disease, unknown=self.unknown
        )
        return super().fit(X, y)

    def _names(self):
        return list(THERAPEUTIC_AREA.ids)

    def _partner_block(self, X):
        hot = multi_hot(X["therapeutic_areas"], THERAPEUTIC_AREA.ids)
        hot[hot.sum(axis=1) == 0] = AGNOSTIC
        types = multi_hot(X["partnership_types"], PARTNERSHIP.ids)
        inlicensor = types[:, [PARTNERSHIP.index(t) for t in INLICENSING_TYPES]].max(axis=1)
        return hot * inlicensor[:, None]

    def query(self, rows: QueryRows) -> np.ndarray:
        gaps = np.array([self.weights_[a] for a in THERAPEUTIC_AREA.ids], dtype=np.float32)
        seeks = rows.seeking[:, [PARTNERSHIP.index(t) for t in INLICENSING_TYPES]].any(axis=1)
        out = rows.area_weights(uniform_when_none=False)
        out *= gaps[None, :]
        out[~seeks] = 0.0
        return out
