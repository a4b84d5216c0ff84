"""The partner-ranking model: a weighted, gated similarity over the feature groups.

Scoring state only (fitted features, partner matrix); records: ``features.index``; reasons: ``models.explainer``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from kbio_match.features.catalog import Catalog
from kbio_match.features.evidence import flags_as_of, without_evidence_of
from kbio_match.features.partner_assets import ASSET_SEEKING, PartnerAssets
from kbio_match.features.pipeline import ASSET_GROUPS, BLOCK_OF_KIND, QUERY_KINDS, PartnerFeatures, QueryBatch
from kbio_match.features.profile import Profile
from kbio_match.features.taxonomy import PARTNERSHIP
from kbio_match.features.text_match import TextMatch
from kbio_match.models.batching import chunk_profiles, profile_rows, query_chunks, rows_of
from kbio_match.models.bounds import BoundedRanking
from kbio_match.models.match import Match
from kbio_match.models.pair_block import PairBlock
from kbio_match.models.ranking import TopKRanking, best_row_of
from kbio_match.models.score_layout import CHUNK_ROWS, LINEAR_KINDS, PAIR_GROUPS, SCORE_GROUPS, G
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

__all__ = ["PartnerMatcher", "Match", "BestRows"]


@dataclass
class BestRows:
    """Every (profile, partner) pair at the profile's best-scoring asset (first on ties)."""

    score: np.ndarray  # (n_profiles, n_partners) the hand-weighted score
    row: np.ndarray  # (n_profiles, n_partners) the query row of that asset
    components: np.ndarray  # (n_profiles, n_partners, len(SCORE_GROUPS)) the groups at that row
    row_asset: np.ndarray  # per query row, the profile's asset index (-1 for none)
    asset_fits: np.ndarray | None  # per query row, every indexed partner asset's fit


class PartnerMatcher(TopKRanking, BoundedRanking, BaseEstimator):
    """Ranks catalog partners for company profiles.

    For each asset of a profile, every feature group yields a similarity in [0, 1]; the
    asset's score is their weighted mean, scaled by a gate on partnership fit (a partner that
    offers none of the partnerships sought keeps only ``gate_floor`` of its score). A profile's
    score for a partner is that of its best asset. ``_scores`` is the one formula that orders
    partners, for serving, evaluation and tuning alike.

    Parameters
    ----------
    features : PartnerFeatures
        The feature pipeline; its encoders' parameters are ``features__<group>__<param>``.
    assets : PartnerAssets
        Asset-level fit against the partners' pipelines (``assets__<param>``).
    text : TextMatch
        Free-text fit of the request's description and indications (``text__<param>``).
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
    w_appetite : float
        Weight of the Korean side's recent, evidenced appetite for the types sought.
    w_partner_asset : float
        Weight of the partner's best pipeline asset, for rows that have an asset and seek
        ``license_in``, ``platform_access`` or ``co_development``; 0 elsewhere.
    w_text : float
        Weight of the free-text fit, for rows whose request has text the catalog uses; 0 elsewhere.
    """

    def __init__(
        self,
        features: PartnerFeatures | None = None,
        assets: PartnerAssets | None = None,
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
        w_partner_asset: float = 0.3,
        w_appetite: float = 0.25,
        text: TextMatch | None = None,
        w_text: float = 0.3,
    ):
        self.features = features if features is not None else PartnerFeatures()
        self.assets = assets if assets is not None else PartnerAssets()
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
        self.w_partner_asset = w_partner_asset
        self.w_appetite = w_appetite
        self.text = text if text is not None else TextMatch()
        self.w_text = w_text

    # ------------------------------------------------------------------ fit
    def fit(self, X: Catalog, y=None, *, as_of_year: int | None = None) -> PartnerMatcher:
        """Fit on a catalog; only deals before ``as_of_year`` feed the track record."""
        weights = np.array([getattr(self, f"w_{g}") for g in SCORE_GROUPS], dtype=np.float32)
        if (weights < 0).any() or weights.sum() <= 0:
            raise ValueError("group weights must be non-negative and not all zero")
        if not 0 <= self.gate_floor <= 1:
            raise ValueError("gate_floor must be in [0, 1]")
        self.weights_ = weights
        partners = flags_as_of(X.partners.reset_index(drop=True), X.capabilities, as_of_year)
        self.features_ = clone(self.features).fit(
            partners,
            clusters=X.clusters,
            landscape=X.landscape,
            deals=X.deals,
            capabilities=X.capabilities,
            as_of_year=as_of_year,
        )
        self.partner_ids_ = partners["id"].to_numpy()
        self.matrix_ = self.features_.partner_matrix(partners)
        self.assets_ = clone(self.assets).fit(
            X.pipeline,
            partner_ids=self.partner_ids_,
            modality_decay=self.features_.encoders_["modality"].decay,
            as_of_year=as_of_year,
        )
        self.text_ = clone(self.text).fit(partners, X.pipeline, as_of_year=as_of_year)
        return self

    def _pair_block(self, batch: QueryBatch) -> tuple[PairBlock | None, np.ndarray, np.ndarray | None]:
        """The pair groups of a batch: (their fits per row and partner, None when no row has
        any; per row and pair group, whether it counts; each row's fit of every pipeline asset,
        to name the partner's asset of a match)."""
        seeks = batch.rows.seeking[:, [PARTNERSHIP.index(t) for t in ASSET_SEEKING]].any(axis=1)
        asset_rows = (batch.row_asset >= 0) & seeks  # an asset and an asset partnership
        assets, asset_fits = None, None
        if len(self.assets_) and asset_rows.any():  # no row seeks an asset: skip the work
            assets, asset_fits = self.assets_.fits(batch.rows, asset_rows)
        text, text_rows = None, np.zeros(len(asset_rows), dtype=bool)
        texts = batch.rows.texts() if self.w_text > 0 else []  # weight 0: the text group is off
        if any(texts):
            text, text_rows = self.text_.query(texts)
            text = text if text_rows.any() else None
        pair_rows = np.stack([asset_rows, text_rows], axis=1)
        block = None if assets is None and text is None else PairBlock(partner_asset=assets, text=text)
        return block, pair_rows, asset_fits

    def matrix_with_deals(self, deals: pd.DataFrame, as_of_year: int | None) -> np.ndarray:
        """The partner matrix with its track record rebuilt from other deals (for evaluation)."""
        check_is_fitted(self, "matrix_")
        matrix = self.matrix_.copy()
        ids = pd.DataFrame({"id": self.partner_ids_})
        matrix[:, self.features_.slices_["track_record"]] = self.features_.with_deals(ids, deals, as_of_year)
        # the evidence restating a deal left out must not feed the appetite either
        fitted = self.features_.encoders_["track_record"].deals_
        rows = self.features_.encoders_["appetite"].rows_
        if len(rows) and "source" in fitted and "source" in deals:
            removed = fitted[~fitted["source"].isin(set(deals["source"]))]
            kept = without_evidence_of(rows, removed)
            matrix[:, self.features_.slices_["appetite"]] = self.features_.with_evidence(ids, kept, as_of_year)
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
        state.pop("_bound_cols", None)
        state.pop("_id_ranks", None)
        return state

    @staticmethod
    def _raw(blocks: dict[str, np.ndarray], batch: QueryBatch, rows, partners=None) -> dict[str, np.ndarray]:
        """Each query kind's inner products: every row against every partner, shape
        (n_rows, n_partners), or with ``partners`` (positions aligned with ``rows``) one per pair."""
        if partners is None:
            return {kind: batch.by_kind[kind][:, rows].T @ blocks[BLOCK_OF_KIND[kind]].T for kind in QUERY_KINDS}
        return {
            kind: np.einsum("ij,ij->i", batch.by_kind[kind][:, rows].T, blocks[BLOCK_OF_KIND[kind]][partners])
            for kind in QUERY_KINDS
        }

    def _components(self, raw: dict[str, np.ndarray], n_seek: np.ndarray, pairs) -> dict[str, np.ndarray]:
        """Each group's similarity from the raw products (any shape; ``n_seek`` broadcasts against
        them): what a match shows. Ordering never reads these: it reads ``_scores``, and a test
        checks that the weighted, gated components give the same score."""
        overlap = raw["seek"]
        share, any_share = self.stage_need_share, self.partnership_any_share
        stage = raw["stage"] * (1 - share) + share * raw["need"] / np.maximum(overlap, 1.0)
        # best single fit (1 for a specialist, less for a generalist) plus coverage of all types sought
        partnership = any_share * np.minimum(overlap, 1.0) + (1 - any_share) * np.minimum(overlap / n_seek, 1.0)
        track = -np.expm1(-raw["track_record"] / self.track_scale)
        return {
            "modality": raw["modality"],
            "stage": stage,
            "therapeutic": raw["therapeutic"],
            "therapeutic_gap": raw["therapeutic_gap"],
            "cluster": raw["cluster"],
            "partnership": partnership,
            "track_record": track,
            "appetite": raw["appetite"],
            **{
                g: a if a is not None else np.zeros_like(track)
                for g, a in zip(PAIR_GROUPS, pairs.arrays() if pairs else (None,) * len(PAIR_GROUPS), strict=True)
            },
        }

    def row_weights(self, batch: QueryBatch, rows, pair_rows: np.ndarray) -> np.ndarray:
        """Normalised group weights per query row (columns in SCORE_GROUPS order); a no-asset row
        drops the asset groups, and each pair group counts only where ``pair_rows`` says so."""
        no_asset = batch.row_asset[rows] < 0
        weights = np.tile(self.weights_, (len(no_asset), 1))
        weights[np.ix_(no_asset, [G[g] for g in ASSET_GROUPS])] = 0.0
        for j, g in enumerate(PAIR_GROUPS):
            weights[~pair_rows[rows, j], G[g]] = 0.0
        return weights / weights.sum(axis=1, keepdims=True)

    def _scores(
        self, blocks: dict[str, np.ndarray], batch: QueryBatch, rows, row_pairs: PairBlock | None, pair_rows
    ) -> np.ndarray:
        """The ordering score: gated weighted mean of the groups, shape (n_rows, n_partners).

        The linear groups' weighted sum is one product over the ``linear`` block, which keeps
        scoring close to a bare matrix product.
        """
        w = self.row_weights(batch, rows, pair_rows)
        share, any_share = self.stage_need_share, self.partnership_any_share
        scale = {kind: w[:, G[kind]] for kind in LINEAR_KINDS}
        scale["stage"] = scale["stage"] * (1 - share)
        q_linear = np.concatenate([batch.by_kind[k][:, rows] * scale[k][None, :] for k in LINEAR_KINDS])
        total = q_linear.T @ blocks["linear"].T
        overlap = batch.by_kind["seek"][:, rows].T @ blocks["partnership"].T
        need = batch.by_kind["need"][:, rows].T @ blocks["partnership"].T
        need /= np.maximum(overlap, 1.0)
        need *= (w[:, G["stage"]] * share)[:, None]
        total += need
        n_seek = batch.n_seeking[rows][:, None]
        partnership = np.minimum(overlap / n_seek, 1.0)
        partnership *= 1 - any_share
        np.minimum(overlap, 1.0, out=overlap)
        overlap *= any_share
        partnership += overlap
        total += partnership * w[:, G["partnership"]][:, None]
        track = batch.by_kind["track_record"][:, rows].T @ blocks["track_record"].T
        track /= -self.track_scale
        np.expm1(track, out=track)
        track *= -w[:, G["track_record"]][:, None]
        total += track
        appetite = batch.by_kind["appetite"][:, rows].T @ blocks["appetite"].T
        appetite *= w[:, G["appetite"]][:, None]
        total += appetite
        if row_pairs is not None:
            total += row_pairs.weighted(w)
        partnership *= 1.0 - self.gate_floor
        partnership += self.gate_floor
        total *= partnership
        return np.clip(total, 0.0, 1.0, out=total)

    def decision_scores(self, profiles: list[Profile], *, matrix: np.ndarray | None = None) -> np.ndarray:
        """Scores of every partner for every profile, shape (n_profiles, n_partners)."""
        check_is_fitted(self, "matrix_")
        blocks = self._blocks_for(matrix)
        batch = self.features_.query(profiles)
        pairs, pair_rows, _ = self._pair_block(batch)
        out = np.zeros((len(profiles), len(self.partner_ids_)), dtype=np.float32)
        for rows in query_chunks(batch, CHUNK_ROWS):
            scores = self._scores(blocks, batch, rows, rows_of(pairs, rows), pair_rows)
            for p, positions in profile_rows(batch, rows):
                out[p] = scores[positions].max(axis=0)
        return out

    def all_components(self, profiles: list[Profile], *, matrix: np.ndarray | None = None) -> np.ndarray:
        """Every group's component for every partner, at each profile's best-scoring asset,
        shape (n_profiles, n_partners, len(SCORE_GROUPS))."""
        return self.best_rows(profiles, matrix=matrix).components

    def best_rows(self, profiles: list[Profile], *, matrix: np.ndarray | None = None) -> BestRows:
        """Every partner's score for every profile, at the profile's best-scoring asset, with
        that asset's query row and every group's component there (see ``BestRows``)."""
        check_is_fitted(self, "matrix_")
        blocks = self._blocks_for(matrix)
        batch = self.features_.query(profiles)
        pairs, pair_rows, asset_fits = self._pair_block(batch)
        n = len(self.partner_ids_)
        score = np.zeros((len(profiles), n), dtype=np.float32)
        best_row = np.zeros((len(profiles), n), dtype=int)
        out = np.zeros((len(profiles), n, len(SCORE_GROUPS)), dtype=np.float32)
        for rows in query_chunks(batch, CHUNK_ROWS):
            scores = self._scores(blocks, batch, rows, rows_of(pairs, rows), pair_rows)
            raw = self._raw(blocks, batch, rows)
            comps = self._components(raw, batch.n_seeking[rows][:, None], rows_of(pairs, rows))
            # every profile of the chunk at once: the row of its best score per partner (the
            # first on ties), then that row's score and components
            chunk, starts, counts = chunk_profiles(batch, rows)
            cols = np.arange(n)
            at = best_row_of(scores, starts, counts, np.broadcast_to(cols, (len(starts), n)))
            score[chunk] = scores[at, cols]
            best_row[chunk] = rows.start + at
            for j, group in enumerate(SCORE_GROUPS):
                out[chunk, :, j] = comps[group][at, cols]
        return BestRows(score, best_row, out, batch.row_asset, asset_fits)
