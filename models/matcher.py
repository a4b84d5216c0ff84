"""The partner-ranking model: a weighted, gated similarity over the feature groups."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from kbio_match.features.catalog import Catalog
from kbio_match.features.pipeline import BLOCK_OF_KIND, GROUPS, QUERY_KINDS, PartnerFeatures, QueryBatch
from kbio_match.models.reasons import explain_match
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

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
LINEAR_KINDS = ("modality", "stage", "therapeutic", "therapeutic_gap", "cluster")  # GROUPS order, adjacent blocks
CHUNK_ROWS = 2048  # query rows scored per matrix product; bounds memory for big batches
# Up to this many partners, components for a whole chunk cost less than per-profile products on
# the returned rows; above it, only the returned rows are worth computing.
CHUNK_COMPONENTS_MAX_PARTNERS = 5000


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
        self._prepare_explanations(X)
        self.clusters_ = X.clusters.reset_index(drop=True)
        self.landscape_ = X.landscape
        self.data_fingerprint_ = X.fingerprint
        return self

    def _prepare_explanations(self, X: Catalog) -> None:
        """Plain records that reasons read for each match (pandas is too slow per request)."""
        keep = (
            "id",
            "name",
            "category",
            "cluster",
            "modalities",
            "therapeutic_areas",
            "stages",
            "partnership_types",
            "highlights",
            "description",
        )
        self.partner_records_ = [{k: row[k] for k in keep} for row in self.partners_.to_dict("records")]
        self.deals_by_partner_: dict[str, list[dict]] = {}
        ordered = self.deals_.sort_values(["year", "foreign_company"], ascending=[False, True])
        for deal in ordered[["partner_id", "year", "foreign_company", "partnership", "modality"]].to_dict("records"):
            deal["year"] = int(deal["year"])
            self.deals_by_partner_.setdefault(deal["partner_id"], []).append(deal)
        self.cluster_records_ = {
            row["id"]: {"name": row["name"], "specialties": list(row["specialties"])}
            for row in X.clusters.to_dict("records")
        }
        survey = X.landscape[X.landscape["survey"] == self.gap_survey]
        self.gap_shares_ = {
            area: (float(group["share"].sum()), int(group["total"].iloc[0]))
            for area, group in survey[survey["therapeutic_area"] != ""].groupby("therapeutic_area")
        }

    def matrix_with_deals(self, deals: pd.DataFrame, as_of_year: int | None) -> np.ndarray:
        """The partner matrix with its track record rebuilt from other deals (for evaluation)."""
        check_is_fitted(self, "matrix_")
        matrix = self.matrix_.copy()
        matrix[:, self.features_.slices_["track_record"]] = self.features_.with_deals(self.partners_, deals, as_of_year)
        return matrix

    # -------------------------------------------------------------- scoring
    def _blocks_for(self, matrix: np.ndarray | None) -> dict[str, np.ndarray]:
        if matrix is None:
            if getattr(self, "_blocks", None) is None:
                self._blocks = self.features_.blocks(self.matrix_)
            return self._blocks
        return self.features_.blocks(matrix)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_blocks", None)  # derived from matrix_; rebuilt on first use
        return state

    def _components(self, blocks: dict[str, np.ndarray], batch: QueryBatch, rows: slice) -> list[np.ndarray]:
        """Group similarities, one (n_rows, n_partners) array per group, in GROUPS order.

        Each query kind multiplies only the block it reads, and results come out with partners
        along the contiguous axis, so the element-wise work runs on contiguous vectors.
        """
        raw = {kind: batch.by_kind[kind][:, rows].T @ blocks[BLOCK_OF_KIND[kind]].T for kind in QUERY_KINDS}
        overlap = raw["seek"]
        n_seek = batch.n_seeking[rows][:, None]
        share, any_share = self.stage_need_share, self.partnership_any_share
        stage = raw["stage"]
        stage *= 1 - share
        stage += share * raw["need"] / np.maximum(overlap, 1.0)
        # best single fit (1 for a specialist, less for a generalist) plus coverage of all types sought
        partnership = any_share * np.minimum(overlap, 1.0) + (1 - any_share) * np.minimum(overlap / n_seek, 1.0)
        track = -np.expm1(-raw["track_record"] / self.track_scale)
        return [raw["modality"], stage, raw["therapeutic"], raw["therapeutic_gap"], raw["cluster"], partnership, track]

    def _row_weights(self, batch: QueryBatch, rows: slice) -> np.ndarray:
        """Normalised group weights per row; a no-asset row drops the asset groups."""
        no_asset = batch.row_asset[rows] < 0
        weights = np.tile(self.weights_, (len(no_asset), 1))
        weights[np.ix_(no_asset, [GROUPS.index(g) for g in ASSET_GROUPS])] = 0.0
        return weights / weights.sum(axis=1, keepdims=True)

    def _combine(self, comps: list[np.ndarray], batch: QueryBatch, rows: slice) -> np.ndarray:
        """Gated weighted mean from the per-group components, shape (n_rows, n_partners)."""
        w = self._row_weights(batch, rows)
        total = comps[0] * w[:, :1]
        for g in range(1, len(GROUPS)):
            total += comps[g] * w[:, g : g + 1]
        total *= self.gate_floor + (1.0 - self.gate_floor) * comps[GROUPS.index("partnership")]
        return np.clip(total, 0.0, 1.0, out=total)

    def _scores(self, blocks: dict[str, np.ndarray], batch: QueryBatch, rows: slice) -> np.ndarray:
        """Gated weighted mean of the groups, shape (n_rows, n_partners).

        Equal to combining ``_components``, but the linear groups' weighted sum is one product
        over the ``linear`` block, which keeps scoring close to a bare matrix product.
        """
        w = self._row_weights(batch, rows)
        share, any_share = self.stage_need_share, self.partnership_any_share
        scale = {
            "modality": w[:, 0],
            "stage": w[:, 1] * (1 - share),
            "therapeutic": w[:, 2],
            "therapeutic_gap": w[:, 3],
            "cluster": w[:, 4],
        }
        q_linear = np.concatenate([batch.by_kind[k][:, rows] * scale[k][None, :] for k in LINEAR_KINDS])
        total = q_linear.T @ blocks["linear"].T
        overlap = batch.by_kind["seek"][:, rows].T @ blocks["partnership"].T
        need = batch.by_kind["need"][:, rows].T @ blocks["partnership"].T
        need /= np.maximum(overlap, 1.0)
        need *= (w[:, 1] * share)[:, None]
        total += need
        n_seek = batch.n_seeking[rows][:, None]
        partnership = np.minimum(overlap / n_seek, 1.0)
        partnership *= 1 - any_share
        np.minimum(overlap, 1.0, out=overlap)
        overlap *= any_share
        partnership += overlap
        total += partnership * w[:, 5:6]
        track = batch.by_kind["track_record"][:, rows].T @ blocks["track_record"].T
        track /= -self.track_scale
        np.expm1(track, out=track)
        track *= -w[:, 6:7]
        total += track
        partnership *= 1.0 - self.gate_floor
        partnership += self.gate_floor
        total *= partnership
        return np.clip(total, 0.0, 1.0, out=total)

    def _chunks(self, batch: QueryBatch):
        """Row ranges that never split a profile, of about CHUNK_ROWS rows."""
        if len(batch.row_profile) == 0:
            return
        starts = np.flatnonzero(np.r_[True, batch.row_profile[1:] != batch.row_profile[:-1]])
        bounds = [*starts, len(batch.row_profile)]
        begin = 0
        for i in range(1, len(bounds)):
            if bounds[i] - begin >= CHUNK_ROWS or i == len(bounds) - 1:
                yield slice(begin, bounds[i])
                begin = bounds[i]

    @staticmethod
    def _profile_rows(batch: QueryBatch, rows: slice):
        """(profile index, row positions within the chunk) for each profile of a chunk."""
        profile_of_row = batch.row_profile[rows]
        starts = np.flatnonzero(np.r_[True, profile_of_row[1:] != profile_of_row[:-1]])
        ends = [*starts[1:], len(profile_of_row)]
        for begin, end in zip(starts, ends, strict=True):
            yield int(profile_of_row[begin]), np.arange(begin, end)

    def decision_scores(self, profiles: list[dict], *, matrix: np.ndarray | None = None) -> np.ndarray:
        """Scores of every partner for every profile, shape (n_profiles, n_partners)."""
        check_is_fitted(self, "matrix_")
        blocks = self._blocks_for(matrix)
        batch = self.features_.query(profiles)
        out = np.zeros((len(profiles), len(self.partner_ids_)), dtype=np.float32)
        for rows in self._chunks(batch):
            scores = self._scores(blocks, batch, rows)
            for p, positions in self._profile_rows(batch, rows):
                out[p] = scores[positions].max(axis=0)
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
        blocks = self._blocks_for(matrix)
        batch = self.features_.query(profiles)
        results: list[list[Match]] = [[] for _ in profiles]
        whole_chunk = len(self.partner_ids_) <= CHUNK_COMPONENTS_MAX_PARTNERS
        for rows in self._chunks(batch):
            if whole_chunk:
                chunk_comps = self._components(blocks, batch, rows)
                scores = self._combine(chunk_comps, batch, rows)
            else:
                chunk_comps, scores = None, self._scores(blocks, batch, rows)
            row_asset = batch.row_asset[rows]
            for p, positions in self._profile_rows(batch, rows):
                per_asset = scores[positions]
                if len(positions) == 1:
                    best, best_pos = per_asset[0], np.zeros(per_asset.shape[1], dtype=int)
                else:
                    best_pos = per_asset.argmax(axis=0)
                    best = np.take_along_axis(per_asset, best_pos[None, :], axis=0)[0]
                profile = profiles[p]
                mask = self._mask(profile)
                if mask is not None:
                    best = np.where(mask, best, -np.inf)
                top = self._top(best, top_k)
                if chunk_comps is not None:
                    comps = [c[np.ix_(positions, top)] for c in chunk_comps]
                else:  # components only for the partners returned: a small product on their rows
                    comps = [c[positions] for c in self._components({g: blocks[g][top] for g in GROUPS}, batch, rows)]
                for j_top, i in enumerate(top):
                    row = positions[best_pos[i]]
                    asset_index = int(row_asset[row])
                    asset = profile["assets"][asset_index] if asset_index >= 0 else None
                    local = best_pos[i]
                    components = {g: round(float(comps[j][local, j_top]), 4) for j, g in enumerate(GROUPS)}
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

    def _mask(self, profile: dict) -> np.ndarray | None:
        """Partners the profile's filters allow, or None when it has no filters."""
        filters = profile.get("filters") or {}
        if not (filters.get("categories") or filters.get("clusters") or filters.get("exclude_partner_ids")):
            return None
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
