"""Ranking metrics on hand-computed cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from kbio_match.models.metrics import hit_at_k, mrr, ndcg_at_k


def frames(true_pairs, ranked):
    true = pd.DataFrame(true_pairs, columns=["query", "item"])
    pred = pd.DataFrame(
        [(q, item, r) for q, items in ranked.items() for r, item in enumerate(items, start=1)],
        columns=["query", "item", "rank"],
    )
    return true, pred


def test_perfect_ranking():
    true, pred = frames([(1, "a"), (2, "b")], {1: ["a", "x"], 2: ["b", "y"]})
    assert hit_at_k(true=true, pred=pred, k=1) == 1.0
    assert mrr(true=true, pred=pred) == 1.0
    assert ndcg_at_k(true=true, pred=pred, k=10) == 1.0


def test_no_hit():
    true, pred = frames([(1, "a")], {1: ["x", "y", "z"]})
    assert hit_at_k(true=true, pred=pred, k=3) == 0.0
    assert mrr(true=true, pred=pred) == 0.0
    assert ndcg_at_k(true=true, pred=pred, k=3) == 0.0


def test_known_values():
    # query 1: relevant at rank 3; query 2: relevant at rank 1; query 3: never ranked
    true, pred = frames([(1, "a"), (2, "b"), (3, "c")], {1: ["x", "y", "a"], 2: ["b"], 3: ["q"]})
    assert hit_at_k(true=true, pred=pred, k=1) == pytest.approx(1 / 3)
    assert hit_at_k(true=true, pred=pred, k=3) == pytest.approx(2 / 3)
    assert mrr(true=true, pred=pred) == pytest.approx((1 / 3 + 1 + 0) / 3)
    assert ndcg_at_k(true=true, pred=pred, k=10) == pytest.approx((1 / math.log2(4) + 1 + 0) / 3)
    assert ndcg_at_k(true=true, pred=pred, k=2) == pytest.approx((0 + 1 + 0) / 3)


def test_two_relevant_items_ndcg():
    # relevant at ranks 1 and 3: DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3)
    true, pred = frames([(1, "a"), (1, "b")], {1: ["a", "x", "b"]})
    assert ndcg_at_k(true=true, pred=pred, k=10) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert mrr(true=true, pred=pred) == 1.0
