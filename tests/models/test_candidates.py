"""Ranking a large catalog scores exactly only the partners whose upper bound can reach the top k.

The bound must never fall below the exact score, and the bounded ranking must return what full
scoring returns: same partners, order, scores and components.
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest
from kbio_match.models.batching import profile_rows, rows_of
from kbio_match.models.recommender import Recommender
from kbio_match.models.score_layout import CANDIDATE_POOL

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from synthetic import random_profiles, synthetic_catalog  # noqa: E402


def _assert_same(bounded, full):
    """Same scores in the same order, the same partners clearly above the last score, and the same
    components per partner, to the 4 decimals shown (one unit of slack: BLAS sums a sub-matrix in
    another order, so a score can round either side of a half). Partners (or a profile's assets)
    whose scores tie may come out in either order."""
    assert len(bounded) == len(full)
    for got, want in zip(bounded, full, strict=True):
        assert np.allclose([m.score for m in got], [m.score for m in want], atol=1.01e-4, rtol=0)
        if not want:
            continue
        last = want[-1].score + 2e-4
        assert {m.partner_id for m in got if m.score > last} == {m.partner_id for m in want if m.score > last}
        want_by_id = {m.partner_id: m for m in want}
        for m in got:
            if m.partner_id in want_by_id:
                other = want_by_id[m.partner_id].components
                assert all(abs(m.components[g] - other[g]) <= 1.01e-4 for g in other)


def _bounds_hold(matcher, profiles):
    blocks = matcher._blocks_for(None)
    batch = matcher.features_.query(profiles)
    pairs, pair_rows, _ = matcher._pair_block(batch)
    rows = slice(0, len(batch.row_profile))
    exact = matcher._scores(blocks, batch, rows, rows_of(pairs, rows), pair_rows)
    worst = np.inf
    for _, positions in profile_rows(batch, rows):
        bound = matcher._bound(batch, positions, pairs, pair_rows)
        worst = min(worst, float((bound - exact[positions].max(axis=0)).min()))
    return worst


@pytest.fixture(scope="module")
def large():
    from kbio_match.features.catalog import load_catalog

    # the bound is the hand-weighted matcher's: no choice model is learned on the synthetic deals
    return Recommender.fit(synthetic_catalog(load_catalog(), 25_000, seed=3), choice={"min_deals": 10**9})


def test_bound_never_below_the_exact_score(model, large):
    profiles = random_profiles(200, seed=11)
    assert _bounds_hold(model.matcher, profiles) >= -1e-5
    assert _bounds_hold(large.matcher, profiles[:50]) >= -1e-5


@pytest.mark.parametrize("pool", [CANDIDATE_POOL, 8])
def test_bounded_ranking_equals_full_scoring_on_the_shipped_catalog(model, pool):
    bounded = copy.deepcopy(model)
    bounded.matcher.candidate_min_partners = 0
    bounded.matcher.candidate_pool = pool  # a small pool forces the widening step on most profiles
    profiles = random_profiles(300, seed=5)
    masks = [model.index.mask(p.filters) for p in profiles]
    rng = np.random.default_rng(0)
    masks = [m if i % 3 else rng.random(len(model.index.ids)) < 0.3 for i, m in enumerate(masks)]
    for top_k in (1, 10, 50):
        full = model.matcher.rank(profiles, top_k, masks=masks)
        _assert_same(bounded.matcher.rank(profiles, top_k, masks=masks), full)


def test_bounded_ranking_equals_full_scoring_at_25k_partners(large):
    assert len(large.matcher.partner_ids_) >= large.matcher.candidate_min_partners  # bounded by default
    full = copy.copy(large.matcher)
    full.candidate_min_partners = 10**9
    profiles = random_profiles(60, seed=7)
    _assert_same(large.matcher.rank(profiles, 10), full.rank(profiles, 10))
