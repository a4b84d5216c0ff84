"""Top-k selection: score descending, then partner id, also at the k-th place; excluded partners never returned."""

from __future__ import annotations

import numpy as np
from kbio_match.models.ranking import select


def test_ties_at_the_kth_place_go_to_the_smaller_id():
    best = np.array([[0.5, 0.9, 0.5, 0.5, 0.1]], dtype=np.float32)
    id_rank = np.array([4, 0, 1, 3, 2])  # partner 2 has the smallest id among the 0.5s
    top, ok = select(best, id_rank, 2)
    assert top.tolist() == [[1, 2]] and ok.all()
    top, _ = select(best, id_rank, 4)
    assert top.tolist() == [[1, 2, 3, 0]]


def test_excluded_partners_sort_last_and_are_flagged():
    best = np.array([[0.2, -np.inf, 0.7], [-np.inf, -np.inf, 0.0]], dtype=np.float32)
    top, ok = select(best, np.arange(3), 3)
    assert top[0].tolist()[:2] == [2, 0] and ok[0].tolist() == [True, True, False]
    assert top[1, 0] == 2 and ok[1].tolist() == [True, False, False]


def test_small_scores_keep_their_order():
    """The key is the float's bits, so scores 1e-9 apart never swap for an id."""
    best = np.array([[1e-6, 1e-6 + 1e-9, 3e-7]], dtype=np.float32)
    top, _ = select(best, np.array([0, 1, 2]), 3)
    assert best[0, 1] > best[0, 0] and top.tolist() == [[1, 0, 2]]


def test_arrays_and_matches_agree(model):
    from kbio_match.features.profile import Profile, ProfileAsset

    profiles = [
        Profile(seeking=("license_in",), assets=(ProfileAsset("X", "small_molecule", "phase2", ("metabolic",)),)),
        Profile(seeking=("manufacturing", "clinical_services")),
    ]
    top = model.matcher.rank_arrays(profiles, 10)
    ranked = model.matcher.rank(profiles, 10)
    for p, matches in enumerate(ranked):
        assert [m.partner_id for m in matches] == [str(model.matcher.partner_ids_[i]) for i in top.partner[p] if i >= 0]
        assert [m.score for m in matches] == np.round(top.score[p, : len(matches)].astype(float), 4).tolist()
