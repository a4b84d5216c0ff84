"""Exact top-k ranking of large catalogs from an upper bound: one product over a narrow matrix
picks the partners that can reach the top k, and only those are scored with the full formula."""

from __future__ import annotations

import numpy as np
from kbio_match.features.pipeline import QueryBatch
from kbio_match.models.score_layout import BOUND_SLACK, CANDIDATE_MIN_PARTNERS, CANDIDATE_POOL, LINEAR_KINDS, G

__all__ = ["BoundedRanking"]


class BoundedRanking:
    """Mixin of ``PartnerMatcher``: the bound and the candidate search (its ``_scores`` is exact)."""

    # class-level, not tuned parameters: a catalog size from which to bound, and the first pool
    candidate_min_partners = CANDIDATE_MIN_PARTNERS
    candidate_pool = CANDIDATE_POOL

    def _bound_matrix(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The partner matrix and its partnership block, column-major (a vector-times-matrix
        product reads that layout about twice as fast); None when a feature is negative, since
        the bound needs non-negative features. Built on first use, never pickled."""
        if getattr(self, "_bound_cols", None) is None:
            m = self.matrix_
            part = m[:, self.features_.slices_["partnership"]]
            ok = m.min() >= 0
            self._bound_cols = (np.ascontiguousarray(m.T), np.ascontiguousarray(part.T)) if ok else False
        return self._bound_cols or None

    def _bound(self, batch: QueryBatch, at: np.ndarray, pairs, pair_rows) -> np.ndarray:
        """An upper bound of ``_scores`` over the rows ``at``, for every partner: one
        vector-times-matrix product per row (a bound shared by all rows is loose when a profile's
        assets differ, and a loose bound lets thousands of partners through).

        Features are non-negative, so the concave parts (need share, track saturation) are bounded
        by their tangents at zero; the partnership fit and the gate are exact.
        """
        columns, partnership = self._bound_matrix()
        w = self.row_weights(batch, at, pair_rows)
        share, any_share = self.stage_need_share, self.partnership_any_share
        coef = {k: w[:, G[k]] for k in ("modality", "therapeutic", "therapeutic_gap", "cluster")}
        coef["stage"] = w[:, G["stage"]] * (1 - share)
        coef["need"] = w[:, G["stage"]] * share
        coef["track_record"] = w[:, G["track_record"]] / self.track_scale
        coef["appetite"] = w[:, G["appetite"]]
        order = (*LINEAR_KINDS, "need", "track_record", "appetite")  # the matrix's column order
        v = np.concatenate([batch.by_kind[k][:, at] * coef[k][None, :] for k in order]).astype(np.float32)
        overlap = batch.by_kind["seek"][:, at].max(axis=1) @ partnership  # the types sought: per profile
        n_seek = float(batch.n_seeking[at].min())  # Python floats keep the arrays float32
        fit = np.minimum(overlap, 1.0)
        fit *= any_share
        overlap /= n_seek
        np.minimum(overlap, 1.0, out=overlap)
        overlap *= 1 - any_share
        fit += overlap
        # max over rows of (linear_r + w_partnership_r * fit + the weighted pair groups), times the gate
        # (the gate is the same for every row of a profile and non-negative)
        bound = v[:, 0] @ columns
        for r in range(1, len(at)):
            np.maximum(bound, v[:, r] @ columns, out=bound)
        bound += float(w[:, G["partnership"]].max()) * fit
        if pairs is not None:
            bound += pairs[at].weighted(w).max(axis=0)
        fit *= 1.0 - self.gate_floor
        fit += self.gate_floor
        bound *= fit
        return np.minimum(bound, 1.0, out=bound)

    def _exact(self, blocks, batch: QueryBatch, at: np.ndarray, cols: np.ndarray, pairs, pair_rows):
        sub = {g: blocks[g][cols] for g in ("linear", "partnership", "track_record", "appetite")}
        row_pairs = pairs[np.ix_(at, cols)] if pairs is not None else None
        return self._scores(sub, batch, at, row_pairs, pair_rows)

    def _candidates(self, blocks, batch: QueryBatch, at: np.ndarray, pairs, pair_rows, mask, top_k: int):
        """(partner positions, their exact scores per row) holding every partner that can reach
        the profile's top ``top_k``.

        Any set's k-th best exact score is at most the true k-th best, so every partner whose
        bound reaches it is kept: a first pool (the best bounds of a strided sample) sets the
        threshold, and the pool is refined while the partners kept are too many to score cheaply.
        """
        bound = self._bound(batch, at, pairs, pair_rows)
        if mask is not None:
            bound[~mask] = -np.inf
        n, size = len(bound), max(self.candidate_pool, 4 * top_k)
        step = max(1, n // (16 * size))
        sample = np.flatnonzero(np.isfinite(bound[::step])) * step
        if len(sample) < top_k:
            sample = np.flatnonzero(np.isfinite(bound))
        keep = sample
        while True:
            pool = keep if len(keep) <= size else keep[np.argpartition(-bound[keep], size - 1)[:size]]
            best = self._exact(blocks, batch, at, pool, pairs, pair_rows).max(axis=0)
            k = min(top_k, len(pool))
            if k == 0:
                return pool, np.zeros((len(at), 0), dtype=np.float32)
            threshold = np.partition(best, len(best) - k)[len(best) - k] - BOUND_SLACK
            reach = np.flatnonzero(bound >= threshold)
            if len(reach) <= 16 * size or len(reach) >= len(keep):
                return reach, self._exact(blocks, batch, at, reach, pairs, pair_rows)
            keep = reach
