"""The partner-ranking model: a weighted, gated similarity over the feature groups."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from features.catalog import Catalog
from features.pipeline import GROUPS, QUERY_KINDS, PartnerFeatures, QueryBatch

__all__ = ["PartnerMatcher", "Match", "FEATURE_PARAMS"]

FEATURE_PARAMS = (
    "modality_decay",
    "stage_tolerance",
    "gap_survey",
    "gap_power",
    "rare_disease_gap",
    "unknown_gap",
    "cluster_preference",
    "cluster_specialty",
    "track_half_life",
    "partnership_generalist_fit",
)
ASSET_GROUPS = ("modality", "stage", "therapeutic", "therapeutic_gap")
K = {kind: i for i, kind in enumerate(QUERY_KINDS)}
CHUNK_ROWS = 2048  # query rows scored per matrix product; bounds memory for big batches


@dataclass
class Match:
    partner_id: str
    score: float
    components: dict[str, float]
    best_asset: str | None
    asset_index: int
    reasons: list[str] = field(default_factory=list)


class PartnerMatcher(BaseEstimator):
    """Ranks catalog partners for company profiles.

    For each asset of a profile, every feature group yields a similarity in [0, 1]; the
    asset's score is their weighted mean, scaled by a gate on partnership fit (a partner that
    offers none of the partnerships sought keeps only ``gate_floor`` of its score). A profile's
    score for a partner is that of its best asset.

    Parameters
    ----------
    w_modality, w_stage, w_therapeutic, w_therapeutic_gap, w_cluster, w_partnership, w_track_record : float
        Group weights (relative; normalised inside).
    gate_floor : float
        Share of the score kept by a partner that fits none of the partnerships sought.
    stage_need_share : float
        Part of the stage group given to what the sought partnership needs at the asset's
        stage, the rest being the partner's proximity to that stage.
    partnership_any_share : float
        Part of the partnership group given for fitting any sought type (the rest grows with
        the share of sought types covered).
    track_scale : float
        Recency-weighted deal count at which the track-record group reaches 63%.
    modality_decay, stage_tolerance, gap_survey, gap_power, rare_disease_gap, unknown_gap,
    cluster_preference, cluster_specialty, track_half_life, partnership_generalist_fit
        Passed to ``features.pipeline.PartnerFeatures``.
    """

    def __init__(
        self,
        w_modality: float = 1.0,
        w_stage: float = 0.6,
        w_therapeutic: float = 1.0,
        w_therapeutic_gap: float = 0.5,
        w_cluster: float = 0.3,
        w_partnership: float = 1.2,
        w_track_record: float = 1.0,
        gate_floor: float = 0.25,
        stage_need_share: float = 0.5,
        partnership_any_share: float = 0.7,
        track_scale: float = 1.0,
        modality_decay: float = 0.5,
        stage_tolerance: float = 2.0,
        gap_survey: str = "kddf_national_pipelines",
        gap_power: float = 0.5,
        rare_disease_gap: float = 0.8,
        unknown_gap: float = 0.5,
        cluster_preference: float = 1.0,
        cluster_specialty: float = 0.6,
        track_half_life: float = 4.0,
        partnership_generalist_fit: float = 0.7,
    ):
        self.w_modality = w_modality
        self.w_stage = w_stage
        self.w_therapeutic = w_therapeutic
        self.w_therapeutic_gap = w_therapeutic_gap
        self.w_cluster = w_cluster
        self.w_partnership = w_partnership
        self.w_track_record = w_track_record
        self.gate_floor = gate_floor
        self.stage_need_share = stage_need_share
        self.partnership_any_share = partnership_any_share
        self.track_scale = track_scale
        self.modality_decay = modality_decay
        self.stage_tolerance = stage_tolerance
        self.gap_survey = gap_survey
        self.gap_power = gap_power
        self.rare_disease_gap = rare_disease_gap
        self.unknown_gap = unknown_gap
        self.cluster_preference = cluster_preference
        self.cluster_specialty = cluster_specialty
        self.track_half_life = track_half_life
        self.partnership_generalist_fit = partnership_generalist_fit

    # ------------------------------------------------------------------ fit
    def fit(self, X: Catalog, y=None, *, as_of_year: int | None = None) -> PartnerMatcher:
        """Fit on a catalog; only deals before ``as_of_year`` feed the track record."""
        weights = np.array([getattr(self, f"w_{g}") for g in GROUPS], dtype=np.float32)
        if (weights < 0).any() or weights.sum() <= 0:
            raise ValueError("group weights must be non-negative and not all zero")
        if not 0 <= self.gate_floor <= 1:
            raise ValueError("gate_floor must be in [0, 1]")
        self.weights_ = weights
        self.features_ = PartnerFeatures(**{p: getattr(self, p) for p in FEATURE_PARAMS})
        self.features_.fit(X.partners, clusters=X.clusters, landscape=X.landscape, deals=X.deals, as_of_year=as_of_year)
        self.partners_ = X.partners.reset_index(drop=True)
        self.partner_ids_ = self.partners_["id"].to_numpy()
        self.partner_row_ = {pid: i for i, pid in enumerate(self.partner_ids_)}
        self.matrix_ = self.features_.partner_matrix(self.partners_)
        self.deals_ = self.features_.encoders_["track_record"].deals_
        self.deals_by_partner_ = {pid: group for pid, group in self.deals_.groupby("partner_id")}
        self.clusters_ = X.clusters.reset_index(drop=True)
        self.landscape_ = X.landscape
        self.data_fingerprint_ = X.fingerprint
        return self

    def matrix_with_deals(self, deals: pd.DataFrame, as_of_year: int | None) -> np.ndarray:
        """The partner matrix with its track record rebuilt from other deals (for evaluation)."""
        check_is_fitted(self, "matrix_")
        matrix = self.matrix_.copy()
        matrix[:, self.features_.slices_["track_record"]] = self.features_.with_deals(self.partners_, deals, as_of_year)
        return matrix

    # -------------------------------------------------------------- scoring
    def _row_components(self, matrix: np.ndarray, batch: QueryBatch, rows: slice) -> np.ndarray:
        """Group similarities, shape (n_partners, n_rows, n_groups)."""
        n_kinds = len(QUERY_KINDS)
        q = batch.matrix[:, rows.start * n_kinds : rows.stop * n_kinds]
        raw = (matrix @ q).reshape(matrix.shape[0], -1, n_kinds)
        overlap = raw[..., K["seek"]]
        n_seek = batch.n_seeking[rows][None, :]
        need = raw[..., K["need"]] / np.maximum(overlap, 1.0)
        share = self.stage_need_share
        comps = np.empty(raw.shape[:2] + (len(GROUPS),), dtype=np.float32)
        comps[..., 0] = raw[..., K["modality"]]
        comps[..., 1] = (1 - share) * raw[..., K["stage"]] + share * need
        comps[..., 2] = raw[..., K["therapeutic"]]
        comps[..., 3] = raw[..., K["therapeutic_gap"]]
        comps[..., 4] = raw[..., K["cluster"]]
        any_share = self.partnership_any_share
        # best single fit (1 for a specialist, less for a generalist) plus coverage of all types sought
        comps[..., 5] = any_share * np.minimum(overlap, 1.0) + (1 - any_share) * np.minimum(overlap / n_seek, 1.0)
        comps[..., 6] = 1.0 - np.exp(-raw[..., K["track_record"]] / self.track_scale)
        np.clip(comps, 0.0, 1.0, out=comps)
        return comps

    def _row_scores(self, comps: np.ndarray, batch: QueryBatch, rows: slice) -> np.ndarray:
        no_asset = batch.row_asset[rows] < 0
        weights = np.broadcast_to(self.weights_, (len(no_asset), len(GROUPS))).copy()
        weights[np.ix_(no_asset, [GROUPS.index(g) for g in ASSET_GROUPS])] = 0.0
        weights /= weights.sum(axis=1, keepdims=True)
        mean = np.einsum("prg,rg->pr", comps, weights)
        gate = self.gate_floor + (1.0 - self.gate_floor) * comps[..., GROUPS.index("partnership")]
        return mean * gate

    def _chunks(self, batch: QueryBatch):
        """Row ranges that never split a profile, of about CHUNK_ROWS rows."""
        starts = np.flatnonzero(np.r_[True, batch.row_profile[1:] != batch.row_profile[:-1]])
        bounds = list(starts) + [len(batch.row_profile)]
        begin = 0
        for i in range(1, len(bounds)):
            if bounds[i] - begin >= CHUNK_ROWS or i == len(bounds) - 1:
                yield slice(begin, bounds[i])
                begin = bounds[i]

    def decision_scores(self, profiles: list[dict], *, matrix: np.ndarray | None = None) -> np.ndarray:
        """Scores of every partner for every profile, shape (n_profiles, n_partners)."""
        check_is_fitted(self, "matrix_")
        matrix = self.matrix_ if matrix is None else matrix
        batch = self.features_.query(profiles)
        out = np.zeros((len(profiles), matrix.shape[0]), dtype=np.float32)
        for rows in self._chunks(batch):
            scores = self._row_scores(self._row_components(matrix, batch, rows), batch, rows)
            profile_of_row = batch.row_profile[rows]
            for p in np.unique(profile_of_row):
                out[p] = scores[:, profile_of_row == p].max(axis=1)
        return out

    def rank(
        self, profiles: list[dict], top_k: int = 10, *, explain: bool = True, matrix: np.ndarray | None = None
    ) -> list[list[Match]]:
        """Rank partners for each profile (batch-first).

        Parameters
        ----------
        profiles
            Normalised profiles: ``assets`` (name, modality, stage, therapeutic_areas),
            ``seeking``, ``preferred_clusters``, ``filters`` (categories, clusters,
            exclude_partner_ids).
        top_k
            Matches per profile at most.
        explain
            Attach plain-language reasons.
        """
        check_is_fitted(self, "matrix_")
        from models.reasons import explain_match  # deferred: reasons import the taxonomy tables

        matrix = self.matrix_ if matrix is None else matrix
        batch = self.features_.query(profiles)
        results: list[list[Match]] = [[] for _ in profiles]
        for rows in self._chunks(batch):
            comps = self._row_components(matrix, batch, rows)
            scores = self._row_scores(comps, batch, rows)
            profile_of_row = batch.row_profile[rows]
            for p in np.unique(profile_of_row):
                cols = np.flatnonzero(profile_of_row == p)
                per_asset = scores[:, cols]
                best_col = per_asset.argmax(axis=1)
                best = per_asset[np.arange(len(best_col)), best_col]
                best = np.where(self._mask(profiles[p]), best, -np.inf)
                top = self._top(best, top_k)
                profile = profiles[p]
                for i in top:
                    col = cols[best_col[i]]
                    asset_index = int(batch.row_asset[rows][col])
                    asset = profile["assets"][asset_index] if asset_index >= 0 else None
                    components = {g: round(float(comps[i, col, j]), 4) for j, g in enumerate(GROUPS)}
                    match = Match(
                        partner_id=str(self.partner_ids_[i]),
                        score=round(float(best[i]), 4),
                        components=components,
                        best_asset=(asset or {}).get("name"),
                        asset_index=asset_index,
                    )
                    if explain:
                        match.reasons = explain_match(self, i, match, profile)
                    results[p].append(match)
        return results

    def _mask(self, profile: dict) -> np.ndarray:
        filters = profile.get("filters") or {}
        mask = np.ones(len(self.partner_ids_), dtype=bool)
        if filters.get("categories"):
            mask &= self.partners_["category"].isin(filters["categories"]).to_numpy()
        if filters.get("clusters"):
            mask &= self.partners_["cluster"].isin(filters["clusters"]).to_numpy()
        if filters.get("exclude_partner_ids"):
            mask &= ~np.isin(self.partner_ids_, list(filters["exclude_partner_ids"]))
        return mask

    def _top(self, scores: np.ndarray, top_k: int) -> np.ndarray:
        valid = int(np.isfinite(scores).sum())
        k = min(top_k, valid)
        if k <= 0:
            return np.array([], dtype=int)
        if k < len(scores):
            candidates = np.argpartition(-scores, k - 1)[:k]
        else:
            candidates = np.arange(len(scores))
        # score descending, then partner id, so equal scores come out in a stable order
        order = np.lexsort((self.partner_ids_[candidates], -scores[candidates]))
        return candidates[order][:k]
