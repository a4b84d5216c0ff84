"""Top-k selection for whole batches: the best asset row per (profile, partner), the top k by
(score, then partner id), and the shown components of only the partners returned.

``TopKRanking`` is a mixin of ``PartnerMatcher`` (which supplies ``_scores``, ``_raw`` and
``_components``); ``rank_arrays`` serves batch jobs as arrays, ``rank`` wraps the same arrays
into ``Match`` objects for the API.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from kbio_match.features.profile import Profile
from kbio_match.models.batching import chunk_profiles, profile_rows, query_chunks, rows_of
from kbio_match.models.match import Match
from kbio_match.models.score_layout import CHUNK_ROWS, SCORE_GROUPS
from sklearn.utils.validation import check_is_fitted

__all__ = ["TopK", "TopKRanking", "best_row_of", "round4"]

_ID_BITS = 21  # partner-id rank bits of a sort key: catalogs up to 2,097,152 partners


def round4(values: np.ndarray) -> np.ndarray:
    """Scores and components as shown (4 decimals), the same in every path."""
    return np.round(np.asarray(values, dtype=np.float64), 4)


@dataclass
class TopK:
    """The top partners of each profile; ``partner`` is -1 past a profile's last match."""

    partner: np.ndarray  # (n_profiles, k) partner position
    score: np.ndarray  # (n_profiles, k) ordering score
    row: np.ndarray  # (n_profiles, k) query row (the profile's best asset for that partner)
    components: np.ndarray  # (n_profiles, k, len(SCORE_GROUPS))
    row_asset: np.ndarray  # per query row, the profile's asset index (-1 for none)
    asset_fits: np.ndarray | None  # per query row, every indexed partner asset's fit
    drivers: list[list[dict[str, float]]] | None = None  # per profile and match, when asked for


def select(best: np.ndarray, id_rank: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``best`` (-inf = excluded), the positions of its top ``k`` by score then partner
    id, and whether each is a real match. Ties are broken by id, also at the k-th place: the sort
    key is the float's bit pattern (monotonic for non-negative floats) followed by the id rank."""
    n, c = best.shape
    k = min(k, c)
    if k == 0:
        return np.zeros((n, 0), dtype=int), np.zeros((n, 0), dtype=bool)
    bits = np.ascontiguousarray(best, dtype=np.float32).view(np.int32).astype(np.int64)
    key = (bits << _ID_BITS) + ((1 << _ID_BITS) - 1 - id_rank)
    key[~np.isfinite(best)] = np.iinfo(np.int64).min + 1  # + 1: its negation must not overflow
    top = np.argpartition(-key, k - 1, axis=1)[:, :k] if k < c else np.tile(np.arange(c), (n, 1))
    order = np.argsort(-np.take_along_axis(key, top, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    return top, np.isfinite(np.take_along_axis(best, top, axis=1))


class TopKRanking:
    def _id_rank(self) -> np.ndarray:
        if getattr(self, "_id_ranks", None) is None:
            if len(self.partner_ids_) >= 1 << _ID_BITS:
                raise ValueError("catalog too large for the ranking key")
            self._id_ranks = np.argsort(np.argsort(self.partner_ids_, kind="stable"), kind="stable")
        return self._id_ranks

    def rank_arrays(
        self,
        profiles: list[Profile],
        top_k: int = 10,
        *,
        masks: list[np.ndarray | None] | None = None,
        matrix: np.ndarray | None = None,
    ) -> TopK:
        """The top ``top_k`` partners of every profile, with their components, as arrays."""
        check_is_fitted(self, "matrix_")
        blocks = self._blocks_for(matrix)
        batch = self.features_.query(profiles)
        pairs, pair_rows, asset_fits = self._pair_block(batch)
        n_partners, id_rank = len(self.partner_ids_), self._id_rank()
        k = min(top_k, n_partners)
        partner = np.full((len(profiles), k), -1, dtype=int)
        score = np.zeros((len(profiles), k), dtype=np.float32)
        row = np.zeros((len(profiles), k), dtype=int)
        bounded = matrix is None and n_partners >= self.candidate_min_partners and self._bound_matrix() is not None
        for rows in query_chunks(batch, CHUNK_ROWS):
            if bounded:
                for p, positions in profile_rows(batch, rows):
                    at = rows.start + positions
                    mask = masks[p] if masks is not None else None
                    cols, per_asset = self._candidates(blocks, batch, at, pairs, pair_rows, mask, k)
                    starts, counts = np.array([0]), np.array([len(at)])
                    best = _best(per_asset, starts, counts)
                    if mask is not None:
                        best[0, ~mask[cols]] = -np.inf
                    top, ok = select(best, id_rank[cols], k)
                    best_row = best_row_of(per_asset, starts, counts, top) + at[0]
                    _fill(partner, score, row, [p], cols[top], best, best_row, top, ok)
                continue
            scores = self._scores(blocks, batch, rows, rows_of(pairs, rows), pair_rows)
            in_chunk, starts, counts = chunk_profiles(batch, rows)
            best = _best(scores, starts, counts)
            if masks is not None:
                for j, p in enumerate(in_chunk):
                    if masks[p] is not None:
                        best[j, ~masks[p]] = -np.inf
            top, ok = select(best, id_rank, k)
            best_row = best_row_of(scores, starts, counts, top) + rows.start
            _fill(partner, score, row, in_chunk, top, best, best_row, top, ok)
        components = self._top_components(blocks, batch, partner, row, pairs)
        return TopK(partner, score, row, components, batch.row_asset, asset_fits)

    def _top_components(self, blocks, batch, partner: np.ndarray, row: np.ndarray, pairs) -> np.ndarray:
        out = np.zeros((*partner.shape, len(SCORE_GROUPS)), dtype=np.float32)
        live = partner >= 0
        if not live.any():
            return out
        rows, partners = row[live], partner[live]
        raw = self._raw(blocks, batch, rows, partners)
        comps = self._components(raw, batch.n_seeking[rows], pairs[rows, partners] if pairs is not None else None)
        out[live] = np.stack([comps[g] for g in SCORE_GROUPS], axis=-1)
        return out

    def rank(
        self,
        profiles: list[Profile],
        top_k: int = 10,
        *,
        masks: list[np.ndarray | None] | None = None,
        matrix: np.ndarray | None = None,
    ) -> list[list[Match]]:
        """Rank partners for each profile (batch-first), with each match's components.

        ``masks`` gives, per profile, the partners allowed (``PartnerIndex.mask``), or None for all.
        """
        return self._matches(profiles, self.rank_arrays(profiles, top_k, masks=masks, matrix=matrix))

    def _matches(self, profiles: list[Profile], top: TopK) -> list[list[Match]]:
        """``rank_arrays``' output as ``Match`` objects, one list per profile."""
        scores, components = round4(top.score), round4(top.components)
        results: list[list[Match]] = []
        for p, profile in enumerate(profiles):
            matches = []
            for j in np.flatnonzero(top.partner[p] >= 0):
                i, r = int(top.partner[p, j]), int(top.row[p, j])
                asset_index = int(top.row_asset[r])
                shown = dict(zip(SCORE_GROUPS, components[p, j].tolist(), strict=True))
                matches.append(
                    Match(
                        partner_id=str(self.partner_ids_[i]),
                        score=float(scores[p, j]),
                        components=shown,
                        best_asset=profile.assets[asset_index].name if asset_index >= 0 else None,
                        asset_index=asset_index,
                        partner_asset=self._partner_asset(top.asset_fits, r, i, shown["partner_asset"]),
                        drivers=top.drivers[p][j] if top.drivers is not None else {},
                    )
                )
            results.append(matches)
        return results

    def _partner_asset(self, asset_fits, query_row: int, partner: int, fit: float) -> dict | None:
        """The partner's pipeline asset behind the match, when it counted."""
        if fit <= 0 or asset_fits is None:
            return None
        row = self.assets_.best_row(asset_fits[query_row], partner)
        return self.assets_.record(row) if row >= 0 else None


def _best(scores: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per profile (rows ``starts[j]`` .. ``+counts[j]``), each partner's best score over its rows (a new array)."""
    if len(counts) and counts.max() == 1:
        return scores[starts]
    best = scores[starts].copy()
    for o in range(1, int(counts.max()) if len(counts) else 0):
        has = np.flatnonzero(counts > o)
        best[has] = np.maximum(best[has], scores[starts[has] + o])
    return best


def best_row_of(scores: np.ndarray, starts: np.ndarray, counts: np.ndarray, top: np.ndarray) -> np.ndarray:
    """For each profile's chosen partners ``top``, the row giving its best score (the first on ties)."""
    row = np.broadcast_to(starts[:, None], top.shape).copy()
    current = scores[row, top]
    for o in range(1, int(counts.max()) if len(counts) else 0):
        has = np.flatnonzero(counts > o)
        candidate = scores[(starts[has] + o)[:, None], top[has]]
        better = candidate > current[has]
        row[has] = np.where(better, starts[has, None] + o, row[has])
        current[has] = np.where(better, candidate, current[has])
    return row


def _fill(partner, score, row, profiles, chosen, best, best_row, top, ok) -> None:
    """Write each profile's chosen partners (positions in the catalog), scores and query rows;
    excluded partners sort last, so a profile's real matches are a prefix."""
    partner[profiles] = np.where(ok, chosen, -1)
    score[profiles] = np.where(ok, np.take_along_axis(best, top, axis=1), 0.0)
    row[profiles] = best_row
