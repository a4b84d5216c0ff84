"""Feature encoders, one per group of the contract's ``components``.

Each encoder is a scikit-learn transformer: ``fit`` on the partner catalog, ``transform`` turns
partners into a named block of columns (pandas in, pandas out with ``set_output``), and
``query`` turns the profile's assets into columns aligned with that block. A group's raw signal
is the dot product of a partner row with a query column, so a whole batch is one matrix product.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from features.taxonomy import MODALITY, PARTNERSHIP, STAGE, THERAPEUTIC_AREA, modality_similarity_matrix

__all__ = [
    "ModalityEncoder",
    "StageEncoder",
    "TherapeuticEncoder",
    "TherapeuticGapEncoder",
    "ClusterEncoder",
    "PartnershipEncoder",
    "TrackRecordEncoder",
    "gap_weights",
    "STAGE_NEED",
    "INLICENSING_TYPES",
    "PRIMARY_CATEGORIES",
]

# How much each partnership needs an asset at each stage (discovery ... approved). A Korean
# licensee wants late assets, a platform deal is early, a CDMO needs clinical or commercial supply.
STAGE_NEED = {
    "license_out": (0.1, 0.2, 0.4, 0.7, 1.0, 1.0, 1.0),
    "license_in": (0.5, 0.8, 1.0, 1.0, 1.0, 0.9, 0.8),
    "platform_access": (1.0, 1.0, 0.8, 0.5, 0.3, 0.2, 0.2),
    "co_development": (0.4, 0.8, 1.0, 1.0, 0.8, 0.5, 0.3),
    "manufacturing": (0.2, 0.6, 0.9, 1.0, 1.0, 1.0, 1.0),
    "clinical_services": (0.1, 0.6, 1.0, 1.0, 1.0, 0.5, 0.4),
    "commercialization": (0.0, 0.0, 0.1, 0.2, 0.6, 0.9, 1.0),
    "investment": (0.6, 0.8, 1.0, 1.0, 0.8, 0.6, 0.5),
    "research_collaboration": (1.0, 1.0, 0.8, 0.6, 0.4, 0.3, 0.3),
}
# Partnerships in which the Korean partner takes the foreign asset into its own pipeline: where
# the therapeutic gap matters.
INLICENSING_TYPES = ("license_out", "co_development", "commercialization")

# The kinds of organisation whose core business each partnership is; others that offer it
# (a biotech with spare manufacturing capacity) count as generalists.
PRIMARY_CATEGORIES = {
    "license_out": ("pharma",),
    "license_in": ("biotech", "pharma"),
    "platform_access": ("biotech",),
    "co_development": ("biotech", "pharma"),
    "manufacturing": ("cdmo",),
    "clinical_services": ("cro", "hospital"),
    "commercialization": ("pharma",),
    "investment": ("investor", "pharma"),
    "research_collaboration": ("research_institute", "hospital", "cluster_operator"),
}

AGNOSTIC = 0.5  # a partner with no listed modalities/areas/stages is treated as neither fit nor unfit


def _multi_hot(series: pd.Series, ids: tuple[str, ...]) -> np.ndarray:
    index = {v: i for i, v in enumerate(ids)}
    out = np.zeros((len(series), len(ids)), dtype=np.float32)
    for row, items in enumerate(series):
        for item in items or ():
            if item in index:
                out[row, index[item]] = 1.0
    return out


class _GroupEncoder(TransformerMixin, BaseEstimator):
    """Shared plumbing: named output columns and pandas output."""

    prefix = ""

    def _names(self) -> list[str]:
        raise NotImplementedError

    def fit(self, X: pd.DataFrame, y=None, **fit_params):
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

    def query(self, assets: pd.DataFrame, profile: dict) -> pd.DataFrame:
        """Query columns aligned with ``transform``'s, one row per asset."""
        check_is_fitted(self, "feature_names_out_")
        return pd.DataFrame(self._query_block(assets, profile), index=assets.index, columns=self.feature_names_out_)

    def _query_block(self, assets: pd.DataFrame, profile: dict) -> np.ndarray:
        raise NotImplementedError


class ModalityEncoder(_GroupEncoder):
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
        hot = _multi_hot(X["modalities"], MODALITY.ids)
        # affinity[p, k] = max over the partner's modalities j of sim[k, j]
        affinity = (hot[:, None, :] * sim[None, :, :]).max(axis=2)
        affinity[hot.sum(axis=1) == 0] = AGNOSTIC
        return affinity

    def _query_block(self, assets, profile):
        out = np.zeros((len(assets), len(MODALITY.ids)), dtype=np.float32)
        for row, modality in enumerate(assets["modality"]):
            if modality:
                out[row, MODALITY.index(modality)] = 1.0
            else:
                out[row, :] = 1.0 / len(MODALITY.ids)
        return out


class StageEncoder(_GroupEncoder):
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
        hot = _multi_hot(X["stages"], STAGE.ids)
        order = np.arange(len(STAGE.ids), dtype=np.float32)
        closeness = np.clip(1.0 - np.abs(order[:, None] - order[None, :]) / float(self.tolerance), 0.0, 1.0)
        proximity = (hot[:, None, :] * closeness[None, :, :]).max(axis=2)
        proximity[hot.sum(axis=1) == 0] = AGNOSTIC
        return proximity

    def _query_block(self, assets, profile):
        out = np.zeros((len(assets), len(STAGE.ids)), dtype=np.float32)
        for row, stage in enumerate(assets["stage"]):
            if stage:
                out[row, STAGE.index(stage)] = 1.0
            else:
                out[row, :] = 1.0 / len(STAGE.ids)
        return out


def _area_weights(areas: list[str]) -> np.ndarray:
    """An asset's areas as weights summing to 1 (uniform when none is given)."""
    out = np.zeros(len(THERAPEUTIC_AREA.ids), dtype=np.float32)
    known = [a for a in areas or () if a in THERAPEUTIC_AREA.ids]
    if not known:
        return out + 1.0 / len(out)
    for area in known:
        out[THERAPEUTIC_AREA.index(area)] = 1.0 / len(known)
    return out


class TherapeuticEncoder(_GroupEncoder):
    """Therapeutic-area overlap: the share of the asset's areas the partner works in."""

    prefix = "therapeutic"

    def _names(self):
        return list(THERAPEUTIC_AREA.ids)

    def _partner_block(self, X):
        hot = _multi_hot(X["therapeutic_areas"], THERAPEUTIC_AREA.ids)
        hot[hot.sum(axis=1) == 0] = AGNOSTIC
        return hot

    def _query_block(self, assets, profile):
        return (
            np.stack([_area_weights(a) for a in assets["therapeutic_areas"]])
            if len(assets)
            else np.zeros((0, len(THERAPEUTIC_AREA.ids)), dtype=np.float32)
        )


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


class TherapeuticGapEncoder(_GroupEncoder):
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

    def fit(self, X, y=None, *, landscape: pd.DataFrame | None = None, **fit_params):
        if landscape is None:
            raise ValueError("TherapeuticGapEncoder.fit needs the therapeutic landscape (landscape=...)")
        self.weights_ = gap_weights(
            landscape, survey=self.survey, power=self.power, rare_disease=self.rare_disease, unknown=self.unknown
        )
        return super().fit(X, y)

    def _names(self):
        return list(THERAPEUTIC_AREA.ids)

    def _partner_block(self, X):
        hot = _multi_hot(X["therapeutic_areas"], THERAPEUTIC_AREA.ids)
        hot[hot.sum(axis=1) == 0] = AGNOSTIC
        types = _multi_hot(X["partnership_types"], PARTNERSHIP.ids)
        inlicensor = types[:, [PARTNERSHIP.index(t) for t in INLICENSING_TYPES]].max(axis=1)
        return hot * inlicensor[:, None]

    def _query_block(self, assets, profile):
        seeks = any(t in INLICENSING_TYPES for t in profile.get("seeking", ()))
        gaps = np.array([self.weights_[a] for a in THERAPEUTIC_AREA.ids], dtype=np.float32)
        out = np.zeros((len(assets), len(gaps)), dtype=np.float32)
        if not seeks:
            return out
        for row, areas in enumerate(assets["therapeutic_areas"]):
            if areas:
                out[row] = _area_weights(areas) * gaps
        return out


class ClusterEncoder(_GroupEncoder):
    """Cluster fit: the partner's biocluster against preferred clusters and the cluster's specialties.

    Parameters
    ----------
    preference : float
        Score of a partner in one of the profile's preferred clusters.
    specialty : float
        Score of a cluster whose specialties cover what is sought (half for the partnership
        sought, half for the asset's modality).
    """

    prefix = "cluster"

    def __init__(self, preference: float = 1.0, specialty: float = 0.6):
        self.preference = preference
        self.specialty = specialty

    def fit(self, X, y=None, *, clusters: pd.DataFrame | None = None, **fit_params):
        if clusters is None:
            raise ValueError("ClusterEncoder.fit needs the cluster table (clusters=...)")
        self.cluster_ids_ = tuple(clusters["id"])
        self.specialties_ = {c: set(s) for c, s in zip(clusters["id"], clusters["specialties"], strict=True)}
        return super().fit(X, y)

    def _names(self):
        return list(self.cluster_ids_)

    def _partner_block(self, X):
        return _multi_hot(X["cluster"].map(lambda c: [c] if c else []), self.cluster_ids_)

    def _query_block(self, assets, profile):
        preferred = set(profile.get("preferred_clusters") or ())
        seeking = set(profile.get("seeking") or ())
        out = np.zeros((len(assets), len(self.cluster_ids_)), dtype=np.float32)
        for col, cid in enumerate(self.cluster_ids_):
            spec = self.specialties_[cid]
            base = self.preference if cid in preferred else 0.0
            for row, modality in enumerate(assets["modality"]):
                fit = 0.5 * bool(seeking & spec) + 0.5 * bool(modality and modality in spec)
                out[row, col] = max(base, self.specialty * fit)
        return out


class PartnershipEncoder(_GroupEncoder):
    """The partnership types a partner is a fit for, against those the profile seeks.

    A type scores 1 for a partner whose category makes it that type's specialist
    (``PRIMARY_CATEGORIES``: a CDMO for manufacturing) and ``generalist_fit`` for any other
    partner that offers it. ``query`` returns two column sets: ``seek`` (which types are sought)
    and ``need`` (how much each sought type wants an asset at this asset's stage).

    Parameters
    ----------
    generalist_fit : float
        Fit of a partner that offers a partnership outside its core business.
    """

    prefix = "partnership"

    def __init__(self, generalist_fit: float = 0.7):
        self.generalist_fit = generalist_fit

    def _names(self):
        return list(PARTNERSHIP.ids)

    def _partner_block(self, X):
        offered = _multi_hot(X["partnership_types"], PARTNERSHIP.ids)
        primary = np.array(
            [[category in PRIMARY_CATEGORIES[t] for t in PARTNERSHIP.ids] for category in X["category"]],
            dtype=np.float32,
        ).reshape(len(X), len(PARTNERSHIP.ids))
        return offered * np.where(primary > 0, 1.0, float(self.generalist_fit)).astype(np.float32)

    def _query_block(self, assets, profile):
        seek = np.zeros(len(PARTNERSHIP.ids), dtype=np.float32)
        for t in profile.get("seeking") or ():
            seek[PARTNERSHIP.index(t)] = 1.0
        return np.tile(seek, (len(assets), 1))

    def need(self, assets, profile: dict) -> np.ndarray:
        """Per asset, ``STAGE_NEED[t][stage]`` for every sought type ``t`` (0 elsewhere)."""
        seek = self._query_block(assets, profile)
        out = np.zeros_like(seek)
        for row, stage in enumerate(assets["stage"]):
            for col, t in enumerate(PARTNERSHIP.ids):
                if seek[row, col]:
                    out[row, col] = STAGE_NEED[t][STAGE.index(stage)] if stage else float(np.mean(STAGE_NEED[t]))
        return out


class TrackRecordEncoder(_GroupEncoder):
    """A partner's past foreign deals, recency-weighted, by partnership type, modality and area.

    Only deals strictly before ``as_of_year`` count, so evaluation queries never see their own
    deal or later ones.

    Parameters
    ----------
    half_life : float
        Years after which a deal counts half.
    type_share, modality_share, area_share : float
        How the query mixes deals of the sought type, of a related modality and of its areas.
    """

    prefix = "track_record"

    def __init__(
        self, half_life: float = 4.0, type_share: float = 0.5, modality_share: float = 0.25, area_share: float = 0.25
    ):
        self.half_life = half_life
        self.type_share = type_share
        self.modality_share = modality_share
        self.area_share = area_share

    def fit(self, X, y=None, *, deals: pd.DataFrame | None = None, as_of_year: int | None = None, **fit_params):
        deals = deals if deals is not None else pd.DataFrame(columns=["partner_id", "year"])
        if as_of_year is not None and len(deals):
            deals = deals[deals["year"] < as_of_year]
        self.as_of_year_ = (
            int(as_of_year) if as_of_year is not None else (int(deals["year"].max()) + 1 if len(deals) else 0)
        )
        self.deals_ = deals.reset_index(drop=True)
        return super().fit(X, y)

    def _names(self):
        return (
            [f"type_{t}" for t in PARTNERSHIP.ids]
            + [f"modality_{m}" for m in MODALITY.ids]
            + [f"area_{a}" for a in THERAPEUTIC_AREA.ids]
        )

    def _partner_block(self, X):
        index = {pid: i for i, pid in enumerate(X["id"])}
        out = np.zeros((len(X), len(self._names())), dtype=np.float32)
        n_types, n_mod = len(PARTNERSHIP.ids), len(MODALITY.ids)
        for deal in self.deals_.itertuples(index=False):
            row = index.get(deal.partner_id)
            if row is None:
                continue
            weight = 0.5 ** ((self.as_of_year_ - 1 - deal.year) / float(self.half_life))
            if deal.partnership in PARTNERSHIP.ids:
                out[row, PARTNERSHIP.index(deal.partnership)] += weight
            if getattr(deal, "modality", None) in MODALITY.ids:
                out[row, n_types + MODALITY.index(deal.modality)] += weight
            areas = [a for a in (deal.therapeutic_areas or ()) if a in THERAPEUTIC_AREA.ids]
            for area in areas:
                out[row, n_types + n_mod + THERAPEUTIC_AREA.index(area)] += weight / len(areas)
        return out

    def _query_block(self, assets, profile):
        sim = modality_similarity_matrix(0.5).astype(np.float32)
        seek = np.zeros(len(PARTNERSHIP.ids), dtype=np.float32)
        for t in profile.get("seeking") or ():
            seek[PARTNERSHIP.index(t)] = 1.0
        rows = []
        for modality, areas in zip(assets["modality"], assets["therapeutic_areas"], strict=True):
            mod = sim[MODALITY.index(modality)] if modality else np.zeros(len(MODALITY.ids), np.float32)
            area = _area_weights(areas) if areas else np.zeros(len(THERAPEUTIC_AREA.ids), np.float32)
            rows.append(np.concatenate([self.type_share * seek, self.modality_share * mod, self.area_share * area]))
        return np.stack(rows) if rows else np.zeros((0, len(self._names())), np.float32)
